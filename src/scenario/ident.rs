//! Stable step identity. A step is named `scenario-id/step-id` in JUnit, JSON, baselines and
//! snapshots: its `id:` when it has one (a slug, unique in the scenario), else a slug of its
//! name made unique with `-2`, `-3`, ... Never its index, which shifts when a step is added.
//! Cleanup steps get the same, under `finally/` (the `finally:` list) and `<step-id>/undo/`
//! (a step's `undo:` steps).

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::Step;
use super::error::LoadError;

/// A step id as written (`id:`): lower-case ASCII letters, digits and `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepIdName(pub String);

impl<'de> Deserialize<'de> for StepIdName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if is_slug(&s) {
            Ok(StepIdName(s))
        } else {
            Err(de::Error::custom(format!(
                "step id {s:?}: use lower-case letters, digits and '-' (e.g. {:?})",
                slug(&s)
            )))
        }
    }
}

impl schemars::JsonSchema for StepIdName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "StepId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
            "description": "The step's stable id (baselines and snapshots name the step scenario-id/step-id): lower-case letters, digits and single '-'; unique in the scenario. Default: a slug of the name."
        })
    }
}

/// Is `s` a slug: non-empty, lower-case ASCII letters, digits and single inner `-`?
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The slug of a step name: lower-case ASCII letters and digits, every other run of characters
/// one `-` (accented Latin letters lose their accent); "step" when nothing is left.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().flat_map(unaccent) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "step".to_string()
    } else {
        out
    }
}

/// The ASCII letters of a Latin letter with a diacritic (so "cáliz" is "caliz", not "c-liz").
fn unaccent(c: char) -> impl Iterator<Item = char> {
    let plain: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        _ => "",
    };
    let own = plain.is_empty().then_some(c);
    own.into_iter().chain(plain.chars())
}

/// Gives every step of one list its id: `prefix` + its `id:` (already in `step.id`) or the
/// slug of its name, made unique among the list's steps. A repeated `id:` is an error at the
/// step's line in `path` (the scenario file). Lists after the main one pass a prefix
/// (`finally/` for the cleanup, `<step-id>/undo/` for a step's undo), so their ids never meet
/// the main steps'.
pub fn assign(steps: &mut [Step], prefix: &str, path: &Path) -> Vec<LoadError> {
    let mut errors = Vec::new();
    let mut taken = BTreeSet::new();
    for step in steps.iter() {
        if step.id.is_empty() {
            continue;
        }
        if !taken.insert(step.id.clone()) {
            // A `use:` step's own line is where the scenario names it.
            let line = step.loc.via.as_ref().map_or(step.loc.line, |v| v.line);
            errors.push(LoadError::at(
                path,
                line,
                1,
                format!(
                    "step id {:?} is given to an earlier step too; step ids are unique in a scenario",
                    step.id
                ),
            ));
        }
    }
    for step in steps.iter_mut() {
        if step.id.is_empty() {
            let base = slug(&step.name);
            let mut id = base.clone();
            let mut n = 2;
            while taken.contains(&id) {
                id = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(id.clone());
            step.id = id;
        }
        step.id.insert_str(0, prefix);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        assert_eq!(
            slug("Checkout: valid item, valid patron"),
            "checkout-valid-item-valid-patron"
        );
        assert_eq!(
            slug("Patron Enable: block patron (prep to test enabling)"),
            "patron-enable-block-patron-prep-to-test-enabling"
        );
        assert_eq!(slug("checkout of cáliz"), "checkout-of-caliz");
        assert_eq!(slug("Straße"), "strasse");
        assert_eq!(slug("  --  "), "step");
        assert_eq!(slug("SC status"), "sc-status");
        for s in ["checkout", "a-1", "x2"] {
            assert!(is_slug(s), "{s}");
        }
        for s in ["", "-a", "a-", "a--b", "A", "a_b", "a/b", "é"] {
            assert!(!is_slug(s), "{s}");
        }
    }
}
