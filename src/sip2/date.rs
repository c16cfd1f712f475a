//! SIP dates: `YYYYMMDDZZZZHHMMSS`, local time with four blanks for the zone (spec section 1).

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Local, NaiveDateTime, TimeZone, Timelike};

/// Formats a local time as an 18-character SIP date.
pub fn format<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    // Field by field: a chrono format string is parsed again on every call, and the emulator
    // dates nearly every response.
    let mut out = String::with_capacity(18);
    let _ = write!(
        out,
        "{:04}{:02}{:02}    {:02}{:02}{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    out
}

/// The current local time as an 18-character SIP date.
pub fn now() -> String {
    format(&Local::now())
}

/// Reads an 18-character SIP date (zone characters ignored) as a naive local time.
pub fn parse(value: &str) -> Option<NaiveDateTime> {
    let date = value.get(..8)?;
    let time = value.get(12..18)?;
    NaiveDateTime::parse_from_str(&format!("{date}{time}"), "%Y%m%d%H%M%S").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_a_valid_date18() {
        let d = now();
        assert!(crate::sip2::lint::is_date18(&d), "{d:?}");
        assert!(parse(&d).is_some());
    }

    #[test]
    fn format_pads_every_field() {
        let t = chrono::Utc.with_ymd_and_hms(987, 3, 4, 5, 6, 7).unwrap();
        assert_eq!(format(&t), "09870304    050607");
        let t = chrono::Utc
            .with_ymd_and_hms(2026, 11, 29, 23, 59, 58)
            .unwrap();
        assert_eq!(format(&t), "20261129    235958");
    }

    #[test]
    fn parse_rejects_nonsense() {
        assert!(parse("2026-11-29").is_none());
        assert!(parse("20261399    101010").is_none());
        assert_eq!(
            parse("20261129    101500").unwrap().to_string(),
            "2026-11-29 10:15:00"
        );
    }
}
