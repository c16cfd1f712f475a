//! Grounds: what a check rests on. `spec` (SIP2 2.00 requires it; a failure fails the step),
//! `common` (common practice the spec does not require; a failure is a warning), or a system
//! (`evergreen`, `koha`, ...: what that system does; checked only when the profile's
//! `dialect:` names it, and a failure is a warning).

use std::fmt;
use std::str::FromStr;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::model::did_you_mean;
use crate::sip2::System;

/// What a check rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Ground {
    /// SIP2 2.00 requires it: a failure fails the step.
    #[default]
    Spec,
    /// Common practice the spec does not require: a failure is a warning.
    Common,
    /// What one system does: checked only for that dialect, a failure is a warning.
    System(System),
}

impl Ground {
    /// The name written in YAML and JSON: `spec`, `common` or a system name.
    pub fn name(self) -> &'static str {
        match self {
            Ground::Spec => "spec",
            Ground::Common => "common",
            Ground::System(s) => s.name(),
        }
    }

    /// How reports say it: "spec requires", "common practice", "Evergreen does".
    pub fn phrase(self) -> String {
        match self {
            Ground::Spec => "spec requires".into(),
            Ground::Common => "common practice".into(),
            Ground::System(s) => format!("{} does", s.display_name()),
        }
    }

    /// Whether the check is evaluated for a server of `dialect` (the profile's systems).
    pub fn applies(self, dialect: &[System]) -> bool {
        match self {
            Ground::Spec | Ground::Common => true,
            Ground::System(s) => dialect.contains(&s),
        }
    }

    /// Every name a scenario may write, for help and did-you-mean.
    pub fn names() -> Vec<&'static str> {
        let mut out = vec!["spec", "common"];
        out.extend(System::ALL.iter().map(|s| s.name()));
        out
    }
}

impl fmt::Display for Ground {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Ground {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "spec" => Ok(Ground::Spec),
            "common" => Ok(Ground::Common),
            _ => s.parse::<System>().map(Ground::System).map_err(|_| {
                let names = Ground::names();
                format!(
                    "unknown ground {s:?}{}; a ground is one of: {}",
                    did_you_mean(s, names.iter().copied()),
                    names.join(", ")
                )
            }),
        }
    }
}

impl schemars::JsonSchema for Ground {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Ground".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let phrases: Vec<String> = System::ALL
            .iter()
            .map(|s| {
                format!(
                    "{}: checked only when the profile's dialect names it; a failure is a warning",
                    Ground::System(*s).phrase()
                )
            })
            .collect();
        let exact = [
            (
                "spec",
                "spec requires: a failure fails the step (the default)",
            ),
            ("common", "common practice: a failure is a warning"),
        ]
        .into_iter()
        .chain(
            System::ALL
                .iter()
                .map(|s| s.name())
                .zip(phrases.iter().map(String::as_str)),
        );
        let mut s = crate::schema::names(exact, System::ALL.iter().map(|s| s.name()));
        s.insert(
            "description".into(),
            "What the check rests on: spec, common, or a system name.".into(),
        );
        s
    }
}

impl<'de> Deserialize<'de> for Ground {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_phrases_and_dialects() {
        for name in Ground::names() {
            assert_eq!(name.parse::<Ground>().unwrap().name(), name);
        }
        assert_eq!(Ground::Spec.phrase(), "spec requires");
        assert_eq!(Ground::Common.phrase(), "common practice");
        assert_eq!(Ground::System(System::Evergreen).phrase(), "Evergreen does");
        assert_eq!(
            Ground::System(System::Emulator).phrase(),
            "the emulator does"
        );
        let koha = Ground::System(System::Koha);
        assert!(!koha.applies(&[System::Evergreen]));
        assert!(koha.applies(&[System::Evergreen, System::Koha]));
        assert!(Ground::Common.applies(&[]));
        let e = "evergren".parse::<Ground>().unwrap_err();
        assert!(e.contains("did you mean \"evergreen\""), "{e}");
    }
}
