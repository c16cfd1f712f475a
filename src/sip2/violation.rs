//! Deviations from the protocol, as data (never a string, never a panic).

use std::borrow::Cow;
use std::fmt;

use super::code::FieldId;

/// How much a deviation matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; legal.
    Info,
    /// Legal by the spec's letter or common practice, but likely to break some peer.
    Warning,
    /// The spec is broken.
    Error,
}

impl Severity {
    /// "info", "warning" or "error".
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

macro_rules! rules {
    ($($variant:ident => $code:literal, $severity:ident, $describe:literal;)*) => {
        /// A protocol rule; its `code()` is stable and is what users allow-list.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Rule {
            $(#[doc = $describe] $variant,)*
        }

        impl Rule {
            /// Every rule, in documentation order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable short name, e.g. "fixed-length".
            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* }
            }

            /// How much breaking it matters.
            pub fn severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity,)* }
            }

            /// One line saying what the rule requires.
            pub fn describe(self) -> &'static str {
                match self { $(Rule::$variant => $describe,)* }
            }

            /// The rule with this stable name.
            pub fn from_code(code: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|r| r.code() == code)
            }
        }
    };
}

rules! {
    FixedLength => "fixed-length", Error, "the fixed part has exactly the length the spec gives the message";
    FixedFormat => "fixed-format", Error, "each fixed field matches its pattern (Y/N, 0/1, date, digits, flags, version, currency)";
    FixedCode => "fixed-code", Warning, "a coded fixed field uses a value its code table defines";
    FlagN => "flag-n", Warning, "flag strings (patron status, summary) use Y or blank, not N";
    RequiredField => "required-field", Error, "every field the spec requires for the message is present (it may be empty)";
    RepeatedField => "repeated-field", Error, "a non-repeatable field occurs at most once";
    FieldFormat => "field-format", Error, "a fixed-format tagged field (BL, CQ, BX, BH, CK, BW, ...) matches its pattern";
    FieldCode => "field-code", Warning, "a coded tagged field (CK, BT, BY, CV) uses a value its code table defines";
    UnexpectedField => "unexpected-field", Info, "a standard field that the spec does not list for this message";
    UnknownField => "unknown-field", Info, "a field ID that is neither standard nor a known extension (receivers must ignore it)";
    AmbiguousField => "ambiguous-field", Info, "an extension field whose meaning differs between systems (PA)";
    ValueTooLong => "value-too-long", Error, "a tagged value is at most 255 characters";
    ControlChar => "control-char", Error, "no CR, LF, NUL or other control character inside a value";
    DelimiterInValue => "delimiter-in-value", Error, "no field delimiter '|' inside a value";
    BadFieldId => "bad-field-id", Error, "every tagged field starts with a two-character ID of upper-case letters or digits";
    MissingDelimiter => "missing-delimiter", Error, "every tagged field ends with the delimiter '|' (AY and AZ excepted)";
    EmptyField => "empty-field", Warning, "no empty chunk between two delimiters ('||')";
    ItemCount => "item-count", Error, "item counts agree with the item fields sent (66 renewed/unrenewed vs BM/BN; 64 counts vs item lists)";
    Summary => "summary", Error, "the patron information summary asks for at most one item list";
    BxLength => "bx-length", Info, "BX has exactly 16 positions (more are allowed and ignored)";
    Checksum => "checksum", Error, "the AZ checksum is the two's complement of the 16-bit sum of the bytes sent";
    ChecksumMissing => "checksum-missing", Error, "with error detection on, every message ends in AZ and a checksum";
    ChecksumCase => "checksum-case", Warning, "the checksum is written in upper-case hex";
    Sequence => "sequence", Error, "AY is one digit and echoes the request's AY; 96 and 97 carry no AY";
    SequenceUnexpected => "sequence-unexpected", Warning, "a response carries AY only when its request did";
    Terminator => "terminator", Error, "a message ends with CR";
    LfAfterCr => "lf-after-cr", Warning, "no LF after the CR (Koha's CRLF default)";
    NonAscii => "non-ascii", Error, "no byte >= 0x80 when the declared encoding is ASCII";
    InvalidEncoding => "invalid-encoding", Error, "the bytes are valid in the declared encoding";
    UnknownMessage => "unknown-message", Warning, "the message code is one of the 31 SIP2 2.00 messages";
    Direction => "direction", Error, "a request where a response was expected, or the other way round";
    ResponseCode => "response-code", Error, "the response is the one the spec gives for the request (or 96)";
    ClockSkew => "clock-skew", Warning, "a session's transaction dates agree with the SC's clock: a local date fits some time zone and keeps the first response's offset (no jump of 30 min or more); a date marked UTC or another zone is within 5 min";
    Unsolicited => "unsolicited", Warning, "the ACS sends only answers to requests: no banner, no line nobody asked for";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What part of a message a violation is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldRef {
    /// The message as a whole (code, fixed part length, direction).
    Message,
    /// A fixed field, by its scenario key ("renewal_ok").
    Fixed(&'static str),
    /// A tagged field (including AY and AZ).
    Field(FieldId),
    /// The bytes on the wire (terminator, encoding).
    Wire,
}

impl fmt::Display for FieldRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldRef::Message => f.write_str("message"),
            FieldRef::Fixed(key) => f.write_str(key),
            FieldRef::Field(id) => write!(f, "{id}"),
            FieldRef::Wire => f.write_str("wire"),
        }
    }
}

/// One deviation from the protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Error, warning or info (the rule's severity).
    pub severity: Severity,
    /// The rule broken.
    pub rule: Rule,
    /// Where.
    pub field: FieldRef,
    /// What the spec asks for.
    pub expected: Cow<'static, str>,
    /// What was there (static text where it can be, so that findings on clean traffic allocate nothing).
    pub actual: Cow<'static, str>,
}

impl Violation {
    /// A violation of `rule` at `field`.
    pub fn new(
        rule: Rule,
        field: FieldRef,
        expected: impl Into<Cow<'static, str>>,
        actual: impl Into<Cow<'static, str>>,
    ) -> Self {
        Violation {
            severity: rule.severity(),
            rule,
            field,
            expected: expected.into(),
            actual: actual.into(),
        }
    }

    /// One line for people: "expected ..., got ...".
    pub fn message(&self) -> String {
        format!(
            "{}: expected {}, got {}",
            self.field, self.expected, self.actual
        )
    }
}

/// One shape in every JSON report (`decode --json`, `run --json`, `serve`'s and `logscan`'s):
/// `severity`, `rule`, `field`, `expected`, `actual` and `message` (the line people read).
impl serde::Serialize for Violation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Violation", 6)?;
        m.serialize_field("severity", self.severity.as_str())?;
        m.serialize_field("rule", self.rule.code())?;
        m.serialize_field("field", &self.field.to_string())?;
        m.serialize_field("expected", &*self.expected)?;
        m.serialize_field("actual", &*self.actual)?;
        m.serialize_field("message", &self.message())?;
        m.end()
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}",
            self.severity.as_str(),
            self.rule.code(),
            self.message()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_one_shape() {
        let v = Violation::new(Rule::FixedLength, FieldRef::Message, "21 characters", "20");
        let j = serde_json::to_value(&v).unwrap();
        assert_eq!(
            j,
            serde_json::json!({
                "severity": "error",
                "rule": "fixed-length",
                "field": "message",
                "expected": "21 characters",
                "actual": "20",
                "message": "message: expected 21 characters, got 20",
            })
        );
    }

    #[test]
    fn rule_codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in Rule::ALL {
            assert!(seen.insert(r.code()), "duplicate {}", r.code());
            assert_eq!(Rule::from_code(r.code()), Some(*r));
        }
    }
}
