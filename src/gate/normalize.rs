//! Normalisation, the one place that says which response values change from run to run:
//! dates (every fixed or tagged field the table types as a date, and SIP or ISO dates inside
//! other text), due dates (AH), transaction ids (BK), fee ids (CG), the error-detection trailer
//! (AY, AZ), and whatever a profile adds with `volatile:`. Snapshots, baselines and the
//! two-server diff all compare values through a [`Normalizer`].

use std::sync::LazyLock;

use regex::Regex;

use crate::check::Target;
use crate::scenario::Volatile;
use crate::sip2::FieldId;
use crate::sip2::redact::{MASK, Redaction};
use crate::sip2::spec::{self, Kind};

/// What a date (or a date inside text) becomes.
pub const DATE: &str = "<date>";
/// What any other volatile value becomes.
pub const VOLATILE: &str = "<volatile>";

/// Tagged fields that differ from run to run on every server (beyond those typed as dates):
/// due dates computed from today, transaction ids, fee ids, and the AY/AZ trailer.
const VOLATILE_FIELDS: &[FieldId] = &[
    FieldId::AH,
    FieldId::BK,
    FieldId::CG,
    FieldId::AY,
    FieldId::AZ,
];

/// The regex of a date inside text: a SIP date (YYYYMMDDZZZZHHMMSS) or an ISO date
/// (YYYY-MM-DD, optionally with a time).
pub const DATE_PATTERN: &str = concat!(
    r"(?:19|20)\d{6}[ A-Z0-9]{4}[0-2]\d[0-5]\d[0-5]\d",
    r"|(?:19|20)\d{2}-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d)?)?",
);

/// [`DATE_PATTERN`], compiled.
static DATES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(DATE_PATTERN).unwrap_or_else(|e| unreachable!("a fixed regex: {e}"))
});

/// The normalisation rules of a run: the built-in ones and a profile's `volatile:` list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalizer {
    extra: Vec<Volatile>,
}

impl Normalizer {
    /// The built-in rules plus `extra` (one or more profiles' `volatile:` lists).
    pub fn new<'a>(extra: impl IntoIterator<Item = &'a Volatile>) -> Self {
        let mut out: Vec<Volatile> = Vec::new();
        for v in extra {
            if !out.contains(v) {
                out.push(*v);
            }
        }
        Normalizer { extra: out }
    }

    /// A tagged field's value as snapshots and diffs keep it. Empty values stay empty (an
    /// empty AH means something else than a due date); passwords are masked, so no snapshot
    /// holds one.
    pub fn field(&self, id: FieldId, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        if Redaction::Secrets.masks(id) {
            return MASK.to_string();
        }
        if VOLATILE_FIELDS.contains(&id) || self.extra.contains(&Volatile::Field(id)) {
            return VOLATILE.to_string();
        }
        match spec::field(id).map(|f| f.kind) {
            Some(Kind::Date18 | Kind::Date18OrBlank) => date(value),
            _ => text(value),
        }
    }

    /// A fixed field's value as snapshots and diffs keep it.
    pub fn fixed(&self, key: &str, kind: Kind, value: &str) -> String {
        if self
            .extra
            .iter()
            .any(|v| matches!(v, Volatile::Fixed(k) if *k == key))
        {
            return VOLATILE.to_string();
        }
        match kind {
            Kind::Date18 | Kind::Date18OrBlank => date(value),
            _ => value.to_string(),
        }
    }

    /// A failed check's actual value (as reports show it: `"0"`, `absent`) as a baseline
    /// keeps it: volatile targets become a marker, dates inside anything else `<date>`.
    pub fn check_value(&self, target: &Target, actual: &str) -> String {
        // One value is shown quoted (`"0"`); several as a list, and none as `absent`.
        let one = actual
            .strip_prefix('"')
            .and_then(|a| a.strip_suffix('"'))
            .filter(|v| !v.is_empty());
        let normalised = match (target, one) {
            (Target::Field(id), Some(v)) => Some(self.field(*id, v)),
            (Target::Fixed(key), Some(v)) => fixed_kind(key).map(|kind| self.fixed(key, kind, v)),
            _ => None,
        };
        match normalised {
            Some(n) if n == VOLATILE || n == DATE => n,
            _ => text(actual),
        }
    }
}

/// The kind of the fixed field `key` (the first message that has one by that key).
fn fixed_kind(key: &str) -> Option<Kind> {
    spec::MESSAGES
        .iter()
        .flat_map(|m| m.fixed)
        .find(|f| f.key == key)
        .map(|f| f.kind)
}

/// A date value: blank ("not specified") stays, anything else is `<date>`.
fn date(value: &str) -> String {
    if value.trim().is_empty() {
        value.to_string()
    } else {
        DATE.to_string()
    }
}

/// `value` with every SIP or ISO date in it replaced by `<date>`.
pub fn text(value: &str) -> String {
    DATES.replace_all(value, DATE).into_owned()
}

/// The text of `value` around the dates in it (one more piece than dates), or None when it
/// holds no date.
pub fn around_dates(value: &str) -> Option<Vec<&str>> {
    let mut pieces = Vec::new();
    let mut at = 0;
    for m in DATES.find_iter(value) {
        pieces.push(value.get(at..m.start()).unwrap_or_default());
        at = m.end();
    }
    if pieces.is_empty() {
        return None;
    }
    pieces.push(value.get(at..).unwrap_or_default());
    Some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volatile_fields_dates_and_the_profile_list() {
        let n = Normalizer::default();
        assert_eq!(n.field(FieldId::AH, "20261216    235900"), VOLATILE);
        assert_eq!(
            n.field(FieldId::AH, ""),
            "",
            "an empty due date stays empty"
        );
        assert_eq!(n.field(FieldId::BW, "20270601    000000"), DATE);
        assert_eq!(n.field(FieldId::AZ, "EC5A"), VOLATILE);
        assert_eq!(n.field(FieldId::AD, "6789"), MASK, "a password echoed back");
        assert_eq!(n.field(FieldId::AJ, "Snow crash"), "Snow crash");
        assert_eq!(
            n.field(FieldId::AF, "Due 20261216    235900, paid 2026-12-02T10:15"),
            "Due <date>, paid <date>"
        );
        assert_eq!(
            n.field(FieldId::AB, "1565921879"),
            "1565921879",
            "a barcode is no date"
        );
        assert_eq!(
            n.fixed("transaction_date", Kind::Date18, "20261202    101500"),
            DATE
        );
        assert_eq!(
            n.fixed("nb_due_date", Kind::Date18OrBlank, "                  "),
            "                  "
        );
        let site = Normalizer::new(&[Volatile::Field(FieldId::AF), Volatile::Fixed("ok")]);
        assert_eq!(site.field(FieldId::AF, "Welcome, it is Tuesday"), VOLATILE);
        let ok = spec::MESSAGES[0].fixed[0].kind;
        assert_eq!(site.fixed("ok", ok, "1"), VOLATILE);
        assert_eq!(n.fixed("ok", ok, "1"), "1");
    }

    #[test]
    fn text_around_dates_is_split_at_each_date() {
        assert_eq!(
            around_dates("Due 20261216    235900, paid 2026-12-02T10:15."),
            Some(vec!["Due ", ", paid ", "."])
        );
        assert_eq!(around_dates("Snow crash"), None);
    }

    #[test]
    fn check_values_are_normalised_like_responses() {
        let n = Normalizer::default();
        assert_eq!(
            n.check_value(&Target::Field(FieldId::AH), "\"20261216    235900\""),
            VOLATILE
        );
        assert_eq!(
            n.check_value(&Target::Field(FieldId::AH), "absent"),
            "absent"
        );
        assert_eq!(
            n.check_value(&Target::Fixed("transaction_date"), "\"20261202    101500\""),
            DATE
        );
        assert_eq!(
            n.check_value(&Target::Leader, "\"120NUN20261202    101500\""),
            "\"120NUN<date>\""
        );
        assert_eq!(n.check_value(&Target::Fixed("ok"), "\"0\""), "\"0\"");
    }
}
