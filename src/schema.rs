//! JSON Schemas of the YAML files sip2check reads (scenarios, `common.yaml`, profiles, library
//! files), for editors: `sip2check schema KIND` prints one, the shipped files point at the
//! copies in `schemas/` with a `# yaml-language-server: $schema=...` line, and `sip2check init`
//! writes them next to what it writes.
//!
//! They are generated with schemars from the serde types that load the files, in JSON Schema
//! draft-07 (what yaml-language-server validates against; its 2019-09 and 2020-12 support is
//! partial). Types with hand-written `Deserialize` impls have hand-written `JsonSchema` impls
//! beside them, built from the same tables (the spec table, [`crate::sip2::System`],
//! [`crate::sip2::Rule`]) with the helpers here. Cross-references (a `use:` step that exists, a
//! patron a loan names) stay the loader's to check.

use std::fmt;
use std::str::FromStr;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::sip2::spec::{self, CodeTable, MessageSpec};
use crate::sip2::{Encoding, System, Terminator};

/// The folder the schemas live in: in the repository, and where `sip2check init` writes them.
pub const DIR: &str = "schemas";

/// The first line of a YAML file that points editors at its schema (`path` relative to it).
pub fn modeline(path: &str) -> String {
    format!("# yaml-language-server: $schema={path}")
}

/// A kind of YAML file sip2check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A scenario file.
    Scenario,
    /// A `common.yaml` of shared steps.
    Common,
    /// A profile (`--profile`).
    Profile,
    /// An emulator library file (`serve --library`).
    Library,
}

impl FileKind {
    /// Every kind, in the order help texts list them.
    pub const ALL: [FileKind; 4] = [
        FileKind::Scenario,
        FileKind::Common,
        FileKind::Profile,
        FileKind::Library,
    ];

    /// The name on the command line: `scenario`, `common`, `profile`, `library`.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Scenario => "scenario",
            FileKind::Common => "common",
            FileKind::Profile => "profile",
            FileKind::Library => "library",
        }
    }

    /// The schema's file name, e.g. `scenario.schema.json`.
    pub fn file_name(self) -> String {
        format!("{}.schema.json", self.name())
    }

    /// The schema.
    pub fn schema(self) -> Value {
        match self {
            FileKind::Scenario => crate::scenario::model::scenario_schema(),
            FileKind::Common => crate::scenario::model::common_schema(),
            FileKind::Profile => crate::scenario::profile::schema(),
            FileKind::Library => crate::acs::library_schema(),
        }
    }

    /// The schema as the committed files hold it: pretty JSON and a final newline.
    pub fn text(self) -> String {
        // Serialising a serde_json::Value cannot fail (its keys are strings).
        let mut text = serde_json::to_string_pretty(&self.schema()).unwrap_or_default();
        text.push('\n');
        text
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FileKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FileKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = FileKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown file kind {s:?}; use {}", names.join(", "))
            })
    }
}

/// The root schema of `T`, titled, with `title` and its doc comment as the description.
pub(crate) fn root<T: JsonSchema>(title: &str) -> Value {
    let mut schema = SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<T>();
    schema.insert("title".into(), title.into());
    schema.to_value()
}

/// A string schema for a set of names: `exact` are accepted as written (and offered for
/// completion, each with its description), `any_case` in any letter case (as the loaders
/// compare them).
pub(crate) fn names<'a>(
    exact: impl IntoIterator<Item = (&'a str, &'a str)>,
    any_case: impl IntoIterator<Item = &'a str>,
) -> Schema {
    names_or_patterns(exact, any_case.into_iter().map(case_insensitive).collect())
}

/// A string schema for `exact` names (listed as in [`names`]) or text matching one of `patterns`.
fn names_or_patterns<'a>(
    exact: impl IntoIterator<Item = (&'a str, &'a str)>,
    patterns: Vec<String>,
) -> Schema {
    let (values, descriptions): (Vec<&str>, Vec<&str>) = exact.into_iter().unzip();
    let mut listed = json_schema!({ "type": "string", "enum": values });
    if descriptions.iter().any(|d| !d.is_empty()) {
        // VS Code's (and yaml-language-server's) completion shows these beside each value.
        listed.insert("enumDescriptions".into(), descriptions.into());
    }
    if patterns.is_empty() {
        return listed;
    }
    json_schema!({
        "type": "string",
        "anyOf": [
            listed,
            { "pattern": format!("^(?:{})$", patterns.join("|")) },
        ],
    })
}

/// A regex (ECMA 262, as JSON Schema uses) matching `s` in any letter case.
pub(crate) fn case_insensitive(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 4);
    for c in s.chars() {
        if c.is_ascii_alphabetic() {
            out.push('[');
            out.push(c.to_ascii_uppercase());
            out.push(c.to_ascii_lowercase());
            out.push(']');
        } else {
            // Only syntax characters may be escaped: with the `u` flag editors use, `\-` is an error.
            if "^$\\.*+?()[]{}|/".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A reference to the definition `name`, built by `build` the first time (a definition that
/// refers to itself, directly or not, is built once).
pub(crate) fn define(
    generator: &mut SchemaGenerator,
    name: &str,
    build: impl FnOnce(&mut SchemaGenerator) -> Schema,
) -> Schema {
    if !generator.definitions().contains_key(name) {
        // A placeholder first, so a reference back to `name` while building finds it defined.
        generator
            .definitions_mut()
            .insert(name.to_string(), Value::Bool(true));
        let schema = build(generator);
        generator
            .definitions_mut()
            .insert(name.to_string(), schema.to_value());
    }
    reference(generator, name)
}

/// A reference to the definition `name` (which [`define`] makes).
pub(crate) fn reference(generator: &SchemaGenerator, name: &str) -> Schema {
    let path = generator
        .settings()
        .definitions_path
        .trim_start_matches('#')
        .trim_end_matches('/');
    json_schema!({ "$ref": format!("#{path}/{name}") })
}

/// Every way a message can be named (key and code as written, the spec's name in any case),
/// of the messages `only` keeps, and `extra` names.
pub(crate) fn message_names(only: impl Fn(&MessageSpec) -> bool, extra: &[(&str, &str)]) -> Schema {
    let chosen: Vec<&'static MessageSpec> = spec::MESSAGES.iter().filter(|m| only(m)).collect();
    let labels: Vec<String> = chosen
        .iter()
        .map(|m| format!("{} {}", m.code, m.name))
        .collect();
    let exact = chosen
        .iter()
        .zip(&labels)
        .map(|(m, label)| (m.key, label.as_str()))
        .chain(chosen.iter().map(|m| (m.code.as_str(), m.name)))
        .chain(extra.iter().copied());
    names(exact, chosen.iter().map(|m| m.name))
}

/// The system names ([`System`]), in any case, with their display names.
pub(crate) fn systems(only: impl Fn(System) -> bool) -> Schema {
    let chosen: Vec<System> = System::ALL.into_iter().filter(|s| only(*s)).collect();
    names(
        chosen.iter().map(|s| (s.name(), s.display_name())),
        chosen.iter().map(|s| s.name()),
    )
}

/// The terminator names ([`Terminator`]), in any case.
pub(crate) fn terminators() -> Schema {
    let describe = |t: Terminator| match t {
        Terminator::Cr => "CR, as the spec says",
        Terminator::CrLf => "CR LF (Koha's default)",
        Terminator::Lf => "LF alone",
    };
    names(
        Terminator::ALL.iter().map(|t| (t.as_str(), describe(*t))),
        Terminator::ALL.iter().map(|t| t.as_str()),
    )
}

/// The encoding names ([`Encoding::NAMES`]): in any case, `_` for `-` too.
pub(crate) fn encodings() -> Schema {
    let patterns = Encoding::NAMES
        .iter()
        .map(|(n, _)| case_insensitive(n).replace('-', "[-_]"))
        .collect();
    names_or_patterns(Encoding::ALL.iter().map(|e| (e.as_str(), "")), patterns)
}

/// The codes of a spec code table, with their meanings (compared exactly).
pub(crate) fn codes(table: &'static CodeTable) -> Schema {
    let mut s = names(table.values.iter().copied(), []);
    s.insert(
        "description".into(),
        format!("a {} code", table.name).into(),
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_matched_in_any_case_only_where_asked() {
        let s = names([("cr", "CR")], ["Checkout Response (11)"]).to_value();
        let pattern = s["anyOf"][1]["pattern"].as_str().unwrap();
        assert_eq!(
            pattern,
            "^(?:[Cc][Hh][Ee][Cc][Kk][Oo][Uu][Tt] [Rr][Ee][Ss][Pp][Oo][Nn][Ss][Ee] \\(11\\))$"
        );
        let re = regex::Regex::new(pattern).unwrap();
        assert!(re.is_match("checkout RESPONSE (11)"));
        assert!(!re.is_match("checkout response"));
        let exact = names([("cr", "CR")], []).to_value();
        assert_eq!(exact["enum"], serde_json::json!(["cr"]));
        assert!(exact.get("anyOf").is_none());
    }

    #[test]
    fn kinds_parse_by_name() {
        for k in FileKind::ALL {
            assert_eq!(k.name().parse::<FileKind>(), Ok(k));
        }
        let e = "scenarios".parse::<FileKind>().unwrap_err();
        assert!(e.contains("scenario, common, profile, library"), "{e}");
    }
}
