//! How the emulator speaks: terminator, encoding, login rule, error detection and field order.
//!
//! A [`Dialect`] leaves every knob optional; an account's dialect (library YAML) overrides the
//! server's defaults (`serve` flags), and [`Dialect::resolve`] fills what is still unset with the
//! Evergreen-like defaults (CR, UTF-8, no login required, checksums when the request has them).

use std::str::FromStr;

use crate::sip2::{Encoding, Terminator};

/// The order of tagged fields in responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldOrder {
    /// The spec's template order (the default).
    #[default]
    Spec,
    /// The template order reversed (exercises clients that assume positions; Koha sends AE first).
    Reverse,
}

impl FromStr for FieldOrder {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "spec" => Ok(FieldOrder::Spec),
            "reverse" => Ok(FieldOrder::Reverse),
            other => Err(format!(
                "unknown field order {other:?}; use spec or reverse"
            )),
        }
    }
}

/// Dialect knobs; `None` means "not set here".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dialect {
    /// Terminator of responses (CR by default).
    pub terminator: Option<Terminator>,
    /// Encoding of requests and responses (UTF-8 by default).
    pub encoding: Option<Encoding>,
    /// The first message must be a successful 93 Login; anything else closes the connection.
    pub login_required: Option<bool>,
    /// Forced on (every response has AZ) or off (no checksums at all); `None` = as Evergreen:
    /// on for a response when its request had a trailer.
    pub error_detection: Option<bool>,
    /// Field order of responses.
    pub field_order: Option<FieldOrder>,
}

impl Dialect {
    /// This dialect with every unset knob taken from `defaults`.
    pub fn over(&self, defaults: &Dialect) -> Dialect {
        Dialect {
            terminator: self.terminator.or(defaults.terminator),
            encoding: self.encoding.or(defaults.encoding),
            login_required: self.login_required.or(defaults.login_required),
            error_detection: self.error_detection.or(defaults.error_detection),
            field_order: self.field_order.or(defaults.field_order),
        }
    }

    /// The knobs with built-in defaults for whatever is unset.
    pub fn resolve(&self) -> Resolved {
        Resolved {
            terminator: self.terminator.unwrap_or(Terminator::Cr),
            encoding: self.encoding.unwrap_or_default(),
            login_required: self.login_required.unwrap_or(false),
            error_detection: self.error_detection,
            field_order: self.field_order.unwrap_or_default(),
        }
    }
}

/// A dialect with every knob decided (error detection may stay "as the request").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// Terminator of responses.
    pub terminator: Terminator,
    /// Wire encoding.
    pub encoding: Encoding,
    /// Login must come first.
    pub login_required: bool,
    /// Forced on/off, or None for "as the request".
    pub error_detection: Option<bool>,
    /// Field order of responses.
    pub field_order: FieldOrder,
}

/// Parses `on`/`off` (also yes/no, true/false) for `--error-detection` and the YAML.
pub fn parse_on_off(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" => Ok(true),
        "off" | "no" | "false" => Ok(false),
        other => Err(format!("expected on or off, got {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_knobs_override_server_defaults_and_the_rest_is_built_in() {
        let server = Dialect {
            terminator: Some(Terminator::CrLf),
            encoding: Some(Encoding::Latin1),
            ..Dialect::default()
        };
        let account = Dialect {
            encoding: Some(Encoding::Cp850),
            error_detection: Some(true),
            ..Dialect::default()
        };
        let r = account.over(&server).resolve();
        assert_eq!(r.terminator, Terminator::CrLf);
        assert_eq!(r.encoding, Encoding::Cp850);
        assert_eq!(r.error_detection, Some(true));
        assert!(!r.login_required);
        assert_eq!(r.field_order, FieldOrder::Spec);
    }

    #[test]
    fn names_parse_and_mistakes_are_explained() {
        assert_eq!("REVERSE".parse::<FieldOrder>(), Ok(FieldOrder::Reverse));
        assert!(
            "sideways"
                .parse::<FieldOrder>()
                .unwrap_err()
                .contains("spec or reverse")
        );
        assert_eq!(parse_on_off("on"), Ok(true));
        assert_eq!(parse_on_off("off"), Ok(false));
        assert!(parse_on_off("maybe").is_err());
    }
}
