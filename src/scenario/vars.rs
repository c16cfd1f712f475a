//! Variables and the records a scenario needs. A run checks the variables of the scenarios it
//! selects: a name that is in the profile, declared in a `needs:`, or one of the shipped
//! suites' variables (the catalog: the embedded emulator profile's names) is fine, even when
//! the profile lacks it (the scenario or step is then skipped, with the reason); any other
//! name is a typo and a load error with a did-you-mean.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::error::{LoadError, LoadErrors};
use super::model::did_you_mean;
use super::{Profile, Scenario, Step};

/// The variable names the shipped suites use: those of the built-in emulator's profile.
pub fn catalog() -> BTreeSet<String> {
    Profile::emulator()
        .map(|p| p.vars.into_keys().collect())
        .unwrap_or_default()
}

/// Checks every variable the `scenarios` use: `env.NAME` must be set, and every other name
/// must be in `vars`, declared in a `needs:` or in the [`catalog`].
pub fn check(scenarios: &[Scenario], vars: &BTreeMap<String, String>) -> Result<(), LoadErrors> {
    let catalog = catalog();
    let mut errors = Vec::new();
    for s in scenarios {
        for step in s.steps.iter().chain(&s.finally) {
            let declared: Vec<&str> = s
                .needs
                .iter()
                .chain(step.needs.iter().flatten())
                .map(String::as_str)
                .collect();
            check_step(step, &declared, vars, &catalog, &mut errors);
            for undo in step.undo.iter().flat_map(|u| &u.steps) {
                let mut declared = declared.clone();
                declared.extend(undo.needs.iter().flatten().map(String::as_str));
                check_step(undo, &declared, vars, &catalog, &mut errors);
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(LoadErrors(errors))
    }
}

/// Checks the variables of one step, given the records and variables declared for it.
fn check_step(
    step: &Step,
    declared: &[&str],
    vars: &BTreeMap<String, String>,
    catalog: &BTreeSet<String>,
    errors: &mut Vec<LoadError>,
) {
    for v in &step.vars {
        let file = Path::new(&*step.loc.file);
        if let Some(env) = v.name.strip_prefix("env.") {
            if std::env::var_os(env).is_none() {
                errors.push(LoadError::at(
                    file,
                    v.line,
                    v.col,
                    format!(
                        "environment variable {env} is not set (the scenario uses {{{{ {} }}}})",
                        v.name
                    ),
                ));
            }
            continue;
        }
        let known = vars.contains_key(&v.name)
            || declared.iter().any(|n| covers(n, &v.name))
            || catalog.contains(&v.name);
        if !known {
            let names = vars
                .keys()
                .chain(catalog.iter())
                .map(String::as_str)
                .chain(declared.iter().copied());
            errors.push(LoadError::at(
                file,
                v.line,
                v.col,
                format!(
                    "undefined variable {:?}{}: it is not in the profile, not declared in `needs:` and not a variable of the shipped suites (fixtures/profiles/emulator.yaml lists those), nor a capture of an earlier step",
                    v.name,
                    did_you_mean(&v.name, names),
                ),
            ));
        }
    }
}

/// Does the need `need` (a record or a variable) cover the variable `name`?
fn covers(need: &str, name: &str) -> bool {
    name == need
        || name
            .strip_prefix(need)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Is `need` in the profile: the variable itself, or some variable of that record?
fn present(need: &str, vars: &BTreeMap<String, String>) -> bool {
    vars.contains_key(need) || vars.keys().any(|k| covers(need, k))
}

impl Scenario {
    /// What the scenario needs from the profile: its `needs:` and every variable its steps
    /// (and `finally:` steps) use, except the steps that declare their own `needs:` (they are
    /// skipped alone).
    pub fn needs(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.needs.iter().map(String::as_str).collect();
        for step in self
            .steps
            .iter()
            .chain(&self.finally)
            .filter(|s| s.needs.is_none())
        {
            out.extend(step.profile_vars());
        }
        dedup(out)
    }

    /// Why the scenario cannot run with these profile `vars` ("the profile has no ..."), if so.
    pub fn missing(&self, vars: &BTreeMap<String, String>) -> Option<String> {
        missing(&self.needs(), vars)
    }
}

impl Step {
    /// A step with its own `needs:`: those and the variables it uses. None for other steps
    /// (their variables are the scenario's needs).
    pub fn own_needs(&self) -> Option<Vec<&str>> {
        let declared = self.needs.as_ref()?;
        let mut out: Vec<&str> = declared.iter().map(String::as_str).collect();
        out.extend(self.profile_vars());
        Some(dedup(out))
    }

    /// Why this step alone cannot run with these profile `vars`, if it declares needs.
    pub fn missing(&self, vars: &BTreeMap<String, String>) -> Option<String> {
        missing(&self.own_needs()?, vars)
    }

    /// The profile variables its templates use (not `env.NAME`), and those of its undo steps
    /// that declare no `needs:` of their own (they run only after this step did).
    fn profile_vars(&self) -> impl Iterator<Item = &str> {
        let undo = self
            .undo
            .iter()
            .flat_map(|u| &u.steps)
            .filter(|s| s.needs.is_none())
            .flat_map(|s| &s.vars);
        self.vars
            .iter()
            .chain(undo)
            .map(|v| v.name.as_str())
            .filter(|n| !n.starts_with("env."))
    }
}

/// "the profile has no blocked_patron, fined_patron.fee_id": a whole record when the profile
/// has none of its variables, else the variables it lacks.
pub fn missing(needs: &[&str], vars: &BTreeMap<String, String>) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for need in needs.iter().copied().filter(|n| !present(n, vars)) {
        let record = need.split('.').next().unwrap_or(need);
        let name = if present(record, vars) { need } else { record };
        if !parts.contains(&name) {
            parts.push(name);
        }
    }
    (!parts.is_empty()).then(|| format!("the profile has no {}", parts.join(", ")))
}

fn dedup(names: Vec<&str>) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(names.len());
    for n in names {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_unchecked;
    use std::path::PathBuf;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn scenario(dir: &Path, text: &str) -> Scenario {
        let p = dir.join("s").join("x.yaml");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        load_unchecked(&[PathBuf::from(&p)]).unwrap().remove(0)
    }

    const TEXT: &str = "needs: [fined_patron.fee_id]\nsteps:\n  - send: \"23{{ patron.barcode }}|{{ now }}\"\n    capture: { who: AA }\n  - send: \"23{{ who }}|{{ blocked_patron.barcode }}|{{ blocked_patron.pin }}\"\n    needs: [blocked_patron]\n  - send: \"23{{ institution }}\"\n";

    #[test]
    fn needs_are_declared_and_inferred_without_captures_builtins_or_steps_with_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let s = scenario(dir.path(), TEXT);
        assert_eq!(
            s.needs(),
            ["fined_patron.fee_id", "patron.barcode", "institution"]
        );
        assert_eq!(s.steps[0].own_needs(), None);
        assert_eq!(
            s.steps[1].own_needs().unwrap(),
            [
                "blocked_patron",
                "blocked_patron.barcode",
                "blocked_patron.pin"
            ]
        );
    }

    #[test]
    fn missing_names_the_whole_record_or_the_variables() {
        let dir = tempfile::tempdir().unwrap();
        let s = scenario(dir.path(), TEXT);
        let full = vars(&[
            ("patron.barcode", "1"),
            ("institution", "BR1"),
            ("fined_patron.fee_id", "F"),
            ("blocked_patron.barcode", "B"),
            ("blocked_patron.pin", "1"),
        ]);
        assert_eq!(s.missing(&full), None);
        assert_eq!(s.steps[1].missing(&full), None);
        let some = vars(&[
            ("patron.barcode", "1"),
            ("fined_patron.barcode", "F"),
            ("blocked_patron.barcode", "B"),
        ]);
        assert_eq!(
            s.missing(&some).as_deref(),
            Some("the profile has no fined_patron.fee_id, institution")
        );
        assert_eq!(
            s.steps[1].missing(&some).as_deref(),
            Some("the profile has no blocked_patron.pin")
        );
        assert_eq!(
            s.steps[1].missing(&BTreeMap::new()).as_deref(),
            Some("the profile has no blocked_patron")
        );
        assert_eq!(s.steps[0].missing(&BTreeMap::new()), None);
    }

    #[test]
    fn typos_are_errors_at_the_template_with_a_did_you_mean_and_missing_records_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let s = scenario(
            dir.path(),
            "steps:\n  - send: \"23{{ lost_item.barcode }}\"\n  - send: \"23|{{ patron.barcod }}\"\n",
        );
        let err = check(std::slice::from_ref(&s), &BTreeMap::new()).unwrap_err();
        assert_eq!(err.0.len(), 1, "{err}");
        let e = &err.0[0];
        assert_eq!((e.line, e.col), (3, 15), "{e}");
        assert!(e.message.contains("did you mean \"patron.barcode\""), "{e}");
        let declared = scenario(
            dir.path(),
            "needs: [site]\nsteps:\n  - send: \"23{{ site.thing }}\"\n",
        );
        assert!(check(std::slice::from_ref(&declared), &BTreeMap::new()).is_ok());
        let in_profile = scenario(dir.path(), "steps:\n  - send: \"23{{ mine }}\"\n");
        assert!(check(std::slice::from_ref(&in_profile), &vars(&[("mine", "x")])).is_ok());
        let env = scenario(
            dir.path(),
            "steps:\n  - send: \"23{{ env.SIP2CHECK_SURELY_UNSET }}\"\n",
        );
        let e = check(std::slice::from_ref(&env), &BTreeMap::new()).unwrap_err();
        assert!(
            e.to_string().contains("SIP2CHECK_SURELY_UNSET is not set"),
            "{e}"
        );
    }

    #[test]
    fn undo_steps_count_for_their_step_and_finally_steps_for_the_scenario() {
        let dir = tempfile::tempdir().unwrap();
        let s = scenario(
            dir.path(),
            "steps:\n  - send: \"9300CNx|\"\n  - send: \"11YN|AA{{ blocked_patron.barcode }}|\"\n    needs: [blocked_patron]\n    undo:\n      when: { fixed: { ok: \"1\" } }\n      steps:\n        - send: \"09N|AB{{ item.barcode }}|\"\n        - send: \"09N|AB{{ site.item }}|\"\n          needs: [site]\nfinally:\n  - send: \"9300CNx|\"\n  - send: \"09N|AB{{ item2.barcode }}|\"\n  - send: \"09N|AB{{ fee_item.barcode }}|\"\n    needs: [fee_item]\n",
        );
        assert_eq!(
            s.needs(),
            ["item2.barcode"],
            "steps with needs of their own are apart"
        );
        assert_eq!(
            s.steps[1].own_needs().unwrap(),
            ["blocked_patron", "blocked_patron.barcode", "item.barcode"],
            "an undo step without needs of its own runs only after its step"
        );
        let undo = &s.steps[1].undo.as_ref().unwrap().steps[1];
        assert_eq!(
            undo.missing(&BTreeMap::new()).as_deref(),
            Some("the profile has no site")
        );
        assert_eq!(
            s.finally[2].missing(&BTreeMap::new()).as_deref(),
            Some("the profile has no fee_item")
        );
        assert!(check(std::slice::from_ref(&s), &BTreeMap::new()).is_ok());
        let typos = scenario(
            dir.path(),
            "steps:\n  - send: \"9300CNx|\"\n  - send: \"11YN|\"\n    undo:\n      when: { fixed: { ok: \"1\" } }\n      steps:\n        - send: \"09N|AB{{ item.barcod }}|\"\nfinally:\n  - send: \"9300CNx|\"\n  - send: \"09N|AB{{ item2.barcod }}|\"\n",
        );
        let err = check(std::slice::from_ref(&typos), &BTreeMap::new()).unwrap_err();
        let at: Vec<(usize, bool)> = err
            .0
            .iter()
            .map(|e| (e.line, e.message.contains("did you mean")))
            .collect();
        assert_eq!(at, [(7, true), (10, true)], "{err}");
    }

    #[test]
    fn the_catalog_holds_the_shipped_suites_variables() {
        let c = catalog();
        for name in [
            "institution",
            "login.user",
            "blocked_patron.barcode",
            "fee_item.fee",
        ] {
            assert!(c.contains(name), "{name}");
        }
    }
}
