//! Why a scenario or a step does not run: a request the ACS's BX marks unsupported (unless
//! `--ignore-bx`), error detection the profile says the server lacks, or profile records it
//! needs. A scenario's reasons are found before the trials; a step's, when its turn comes.

use std::collections::BTreeMap;

use crate::scenario::{Requirement, Scenario, Step};
use crate::sip2::{MessageCode, spec};

/// What the server offers and what the run may assume of it.
#[derive(Debug, Clone, Default)]
pub struct Capabilities {
    /// The supported-messages flags the capability probe found.
    pub bx: Option<String>,
    /// Run scenarios and steps whose required messages the BX marks unsupported.
    pub ignore_bx: bool,
    /// The profile says `error_detection: off`: the server does no error detection.
    pub no_error_detection: bool,
}

impl Capabilities {
    /// Does the BX mark this request as unsupported (any flag but Y)? False without a BX.
    pub fn unsupported(&self, code: MessageCode) -> bool {
        let Some(bx) = &self.bx else {
            return false;
        };
        spec::supported_position(code).is_some_and(|p| bx.as_bytes().get(p) != Some(&b'Y'))
    }

    /// Why `requires` cannot be met, if it cannot: messages the BX marks unsupported (unless
    /// `--ignore-bx`), error detection the profile rules out.
    pub fn lacking(&self, requires: &[Requirement]) -> Vec<String> {
        let mut out = Vec::new();
        let messages: Vec<&str> = requires
            .iter()
            .filter_map(|r| match r {
                Requirement::Message(m) if !self.ignore_bx && self.unsupported(m.code) => {
                    Some(m.key)
                }
                Requirement::Message(_) | Requirement::ErrorDetection => None,
            })
            .collect();
        if let (false, Some(bx)) = (messages.is_empty(), &self.bx) {
            out.push(format!(
                "the ACS does not support {} (its BX is {bx})",
                messages.join(", ")
            ));
        }
        if self.no_error_detection && requires.contains(&Requirement::ErrorDetection) {
            out.push("the profile says error_detection: off".to_string());
        }
        out
    }
}

/// Why the whole scenario is skipped, if it is.
pub fn scenario_skip(
    s: &Scenario,
    caps: &Capabilities,
    vars: &BTreeMap<String, String>,
) -> Option<String> {
    let mut reasons = caps.lacking(&s.requires);
    reasons.extend(s.missing(vars));
    join(reasons)
}

/// Why this step alone is skipped, if it is.
pub fn step_skip(
    step: &Step,
    caps: &Capabilities,
    vars: &BTreeMap<String, String>,
) -> Option<String> {
    let mut reasons = caps.lacking(&step.requires);
    reasons.extend(step.missing(vars));
    join(reasons)
}

fn join(reasons: Vec<String>) -> Option<String> {
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(names: &[&str]) -> Vec<Requirement> {
        names
            .iter()
            .map(|n| match *n {
                "error_detection" => Requirement::ErrorDetection,
                m => Requirement::Message(spec::message_by_name(m).unwrap()),
            })
            .collect()
    }

    #[test]
    fn bx_positions_ignore_bx_and_error_detection() {
        let mut caps = Capabilities {
            bx: Some("YYYYYYYYYYYYYYYN".into()),
            ..Capabilities::default()
        };
        let r = req(&["checkout", "renew_all", "error_detection"]);
        let why = caps.lacking(&r);
        assert_eq!(
            why,
            ["the ACS does not support renew_all (its BX is YYYYYYYYYYYYYYYN)"]
        );
        caps.bx = Some("Y".into());
        assert!(caps.lacking(&r)[0].contains("checkout, renew_all"));
        caps.ignore_bx = true;
        assert!(caps.lacking(&r).is_empty());
        caps.no_error_detection = true;
        assert_eq!(caps.lacking(&r), ["the profile says error_detection: off"]);
        assert!(
            Capabilities::default().lacking(&r).is_empty(),
            "no BX, no skip"
        );
        assert!(!Capabilities::default().unsupported(MessageCode::CHECKOUT));
    }
}
