//! The `clock-skew` rule: the transaction dates of one session's responses must agree with each
//! other and with the SC's clock, whatever time zone the ACS keeps (spec section 1: four blanks
//! for local time, `   Z` for UTC, another zone's letter in the last position).
//!
//! Every date is compared with the SC's UTC clock at receipt, so the time between responses and
//! the harness's own zone drop out. A local date may be any zone's time, so it only has to fit
//! some zone offset, and later local dates must keep the first one's offset (a jump of hours is
//! a server mixing local time and UTC). A date that names its zone must be that zone's time.
//! Pure: the caller feeds dates and the instants they arrived at.

use chrono::{DateTime, Utc};

use super::date;
use super::lint::is_date18;
use super::message::Message;
use super::spec::Kind;
use super::violation::{FieldRef, Rule, Violation};

/// Zone offsets are whole quarter hours...
const ZONE_STEP: i64 = 15 * 60;
/// ...from UTC-14 to UTC+14 (Kiribati's +14 is the widest in use).
const MAX_ZONE: i64 = 14 * 3600;
/// How far a clock may be off before it is a finding.
const SLACK: i64 = 5 * 60;
/// A change of offset this large within one session is a jump, not drift or latency.
const JUMP: i64 = 30 * 60;

/// What one session's responses have shown of the ACS's clock.
#[derive(Debug, Clone, Default)]
pub struct ClockSkew {
    /// The first local date's offset from the SC's UTC clock, in seconds.
    first_local: Option<i64>,
}

impl ClockSkew {
    /// A session that has seen no response yet.
    pub fn new() -> Self {
        ClockSkew::default()
    }

    /// Checks the date of response `msg` (its 18-character fixed date, per the table), which
    /// arrived at `at`; appends what it finds to `out`. A missing or malformed date (98's
    /// eighteen `0`s for "unsupported" included) is no clock reading and is skipped.
    pub fn observe(&mut self, msg: &Message, at: DateTime<Utc>, out: &mut Vec<Violation>) {
        let date = msg
            .fixed_fields()
            .into_iter()
            .find(|(f, _)| matches!(f.kind, Kind::Date18))
            .and_then(|(f, v)| Some((f.key, v?)));
        if let Some((key, value)) = date {
            self.observe_date(key, value, at, out);
        }
    }

    /// Checks one 18-character date `value` of fixed field `key`, received at `at`.
    pub fn observe_date(
        &mut self,
        key: &'static str,
        value: &str,
        at: DateTime<Utc>,
        out: &mut Vec<Violation>,
    ) {
        let Some(stamp) = date::parse(value).filter(|_| is_date18(value)) else {
            return;
        };
        let offset = (stamp - at.naive_utc()).num_seconds();
        let finding = |expected: String, actual: String| {
            Violation::new(Rule::ClockSkew, FieldRef::Fixed(key), expected, actual)
        };
        let letter = value.as_bytes().get(11).copied().unwrap_or(b' ');
        if let Some(zone) = zone_offset(letter) {
            if (offset - zone).abs() > SLACK {
                out.push(finding(
                    format!(
                        "the time in the zone it names ({}), within 5 min of the SC's clock",
                        utc(zone)
                    ),
                    format!("{value:?}, {}", off_by(offset - zone)),
                ));
            }
            return;
        }
        let nearest = (offset + ZONE_STEP / 2).div_euclid(ZONE_STEP) * ZONE_STEP;
        if nearest.abs() > MAX_ZONE || (offset - nearest).abs() > SLACK {
            out.push(finding(
                "a local time that some time zone explains (a whole quarter hour from UTC, at most 14 h, within 5 min)".into(),
                format!("{value:?}, {} (UTC)", off_by(offset)),
            ));
        }
        match self.first_local {
            Some(first) if (offset - first).abs() >= JUMP => out.push(finding(
                format!(
                    "the offset from the SC's clock of the session's first response ({}), within 30 min",
                    utc(first)
                ),
                format!("{value:?}, at {}: a jump of {}", utc(offset), span(offset - first)),
            )),
            Some(_) => {}
            None => self.first_local = Some(offset),
        }
    }
}

/// The offset from UTC of a zone letter (military zones: A-I, K-M east, N-Y west, Z UTC);
/// None for local time (blank, or J, the military letter for it).
fn zone_offset(letter: u8) -> Option<i64> {
    let hours = match letter {
        b'A'..=b'I' => i64::from(letter - b'A') + 1,
        b'K'..=b'M' => i64::from(letter - b'K') + 10,
        b'N'..=b'Y' => -(i64::from(letter - b'N') + 1),
        b'Z' => 0,
        _ => return None,
    };
    Some(hours * 3600)
}

/// "7 min 30 s ahead of the SC's clock", "5 h behind the SC's clock".
fn off_by(secs: i64) -> String {
    let way = if secs < 0 { "behind" } else { "ahead of" };
    format!("{} {way} the SC's clock", span(secs))
}

/// An offset as a zone would write it: "UTC-05:00", "UTC+05:45", "UTC+00:07:30".
fn utc(secs: i64) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    match s {
        0 => format!("UTC{sign}{h:02}:{m:02}"),
        _ => format!("UTC{sign}{h:02}:{m:02}:{s:02}"),
    }
}

/// A length of time, largest units first: "5 h", "7 min 30 s", "3 d 2 h".
fn span(secs: i64) -> String {
    let a = secs.abs();
    let parts = [
        (a / 86_400, "d"),
        (a / 3600 % 24, "h"),
        (a / 60 % 60, "min"),
        (a % 60, "s"),
    ];
    let shown: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n != 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    match shown.is_empty() {
        true => "0 s".into(),
        false => shown.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip2::{MessageCode, parse};
    use chrono::{Duration, FixedOffset, TimeZone};

    /// The SC's clock: 2026-11-29 12:00:00 UTC, plus `secs`.
    fn sc(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap() + Duration::seconds(secs)
    }

    /// A local date: the SC's instant `at` as a clock `offset` seconds from UTC shows it.
    fn local(at: DateTime<Utc>, offset: i64) -> String {
        let zone = FixedOffset::east_opt(i32::try_from(offset).unwrap()).unwrap();
        date::format(&at.with_timezone(&zone))
    }

    /// The rule's findings for dates received at instants, in one session.
    fn session(dates: &[(String, DateTime<Utc>)]) -> Vec<Violation> {
        let mut clock = ClockSkew::new();
        let mut out = Vec::new();
        for (value, at) in dates {
            clock.observe_date("transaction_date", value, *at, &mut out);
        }
        out
    }

    #[test]
    fn an_acs_in_utc_minus_5_agrees_with_a_harness_in_utc() {
        let dates: Vec<_> = (0..5)
            .map(|i| (local(sc(i * 60 - 1), -5 * 3600), sc(i * 60)))
            .collect();
        assert_eq!(session(&dates), [], "{dates:?}");
    }

    #[test]
    fn every_zone_offset_in_use_fits() {
        // Nepal, Chatham, India, Newfoundland, Marquesas, Kiribati, Baker Island.
        for offset in [20_700, 45_900, 19_800, -12_600, -34_200, 50_400, -43_200] {
            let dates = [(local(sc(0), offset), sc(2))];
            assert_eq!(session(&dates), [], "UTC offset {offset} s");
        }
    }

    #[test]
    fn no_warning_across_a_day_boundary() {
        let midnight = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
        for offset in [0, -5 * 3600] {
            let dates: Vec<_> = [-3, -1, 1, 3]
                .iter()
                .map(|s| {
                    let at = midnight + Duration::seconds(*s) - Duration::seconds(offset);
                    (local(at, offset), at)
                })
                .collect();
            assert_eq!(session(&dates), [], "{dates:?}");
        }
    }

    #[test]
    fn a_jump_of_hours_is_a_server_mixing_local_time_and_utc() {
        // An ACS in UTC-5 answers in local time, then in UTC written as local.
        let dates = [
            (local(sc(0), -5 * 3600), sc(0)),
            (local(sc(60), 0), sc(60)),
            (local(sc(120), -5 * 3600), sc(121)),
        ];
        let found = session(&dates);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].rule, Rule::ClockSkew);
        assert_eq!(
            found[0].message(),
            "transaction_date: expected the offset from the SC's clock of the session's first response (UTC-05:00), within 30 min, got \"20261129    120100\", at UTC+00:00: a jump of 5 h"
        );
    }

    #[test]
    fn the_jump_threshold_is_30_minutes_after_the_time_between() {
        // Responses an hour apart: the hour itself is no jump.
        let drift = |secs: i64| {
            session(&[
                (local(sc(0), 0), sc(0)),
                (local(sc(3600 + secs), 0), sc(3600)),
            ])
        };
        assert_eq!(drift(29 * 60), []);
        assert_eq!(drift(-29 * 60), []);
        assert_eq!(drift(30 * 60).len(), 1);
        assert_eq!(drift(-30 * 60).len(), 1);
    }

    #[test]
    fn a_local_date_no_zone_explains_is_a_wrong_clock() {
        for (offset, fits) in [
            (0, true),
            (5 * 60, true),
            (-5 * 60, true),
            (7 * 60 + 30, false),
            (-3 * 3600 - 7 * 60, false),
            (14 * 3600 + 4 * 60, true),
            (15 * 3600, false),
            (-3 * 86_400, false),
        ] {
            let found = session(&[(local(sc(offset), 0), sc(0))]);
            assert_eq!(found.is_empty(), fits, "offset {offset} s: {found:?}");
        }
        let found = session(&[(local(sc(7 * 60 + 30), 0), sc(0))]);
        assert_eq!(
            found[0].actual,
            "\"20261129    120730\", 7 min 30 s ahead of the SC's clock (UTC)"
        );
    }

    #[test]
    fn a_utc_date_must_be_within_5_minutes_of_the_sc_clock() {
        let utc_date = |at: DateTime<Utc>| {
            let mut d = local(at, 0);
            d.replace_range(11..12, "Z");
            d
        };
        assert_eq!(session(&[(utc_date(sc(-4 * 60)), sc(0))]), []);
        let found = session(&[(utc_date(sc(-5 * 3600)), sc(0))]);
        assert_eq!(
            found.iter().map(|v| v.message()).collect::<Vec<_>>(),
            [
                "transaction_date: expected the time in the zone it names (UTC+00:00), within 5 min of the SC's clock, got \"20261129   Z070000\", 5 h behind the SC's clock"
            ]
        );
        assert_eq!(session(&[(utc_date(sc(6 * 60)), sc(0))]).len(), 1);
    }

    #[test]
    fn a_zone_letter_is_that_zones_time() {
        // Q is UTC-4 (the spec's Atlantic Standard example); J is local time.
        let zoned = |offset: i64, letter: &str| {
            let mut d = local(sc(0), offset);
            d.replace_range(11..12, letter);
            session(&[(d, sc(0))])
        };
        assert_eq!(zoned(-4 * 3600, "Q"), []);
        assert_eq!(zoned(0, "Q").len(), 1);
        assert_eq!(zoned(3600, "A"), []);
        assert_eq!(zoned(-12 * 3600, "Y"), []);
        assert_eq!(zoned(12 * 3600, "M"), []);
        assert_eq!(zoned(5 * 3600 + 45 * 60, "J"), []);
    }

    #[test]
    fn dates_that_read_no_clock_are_skipped() {
        let found = session(&[
            ("000000000000000000".into(), sc(0)),
            ("20261129    25xx00".into(), sc(0)),
            ("2026-11-29".into(), sc(0)),
            (local(sc(0), 0), sc(0)),
        ]);
        assert_eq!(found, []);
    }

    #[test]
    fn a_response_is_read_by_its_fixed_date_from_the_table() {
        let mut clock = ClockSkew::new();
        let mut out = Vec::new();
        let status = format!("98YYYYNN010003{}2.00AOBR1|BXY|", local(sc(0), 0));
        let end = format!("36Y{}AOBR1|AAp|", local(sc(60), -5 * 3600));
        for text in [&status, &end] {
            let p = parse(text).unwrap();
            clock.observe(&p.msg, sc(60), &mut out);
        }
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].field, FieldRef::Fixed("transaction_date"));
        let p = parse("941").unwrap();
        assert_eq!(p.msg.code, MessageCode::LOGIN_RESPONSE);
        clock.observe(&p.msg, sc(0), &mut out);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn spans_and_offsets_read_well() {
        assert_eq!(span(0), "0 s");
        assert_eq!(span(-(3 * 86_400 + 2 * 3600)), "3 d 2 h");
        assert_eq!(utc(20_700), "UTC+05:45");
        assert_eq!(utc(-450), "UTC-00:07:30");
    }
}
