//! The parser: text in, a [`Message`] plus structural [`Violation`]s out. Never panics.
//!
//! `Err` means only "this is not a SIP message at all" (empty, or no two-character code).
//! Everything else that deviates (fixed part too short or long, a missing delimiter, a
//! malformed trailer) is reported as a violation and parsing goes on, because the point of
//! sip2check is to say how a real server's message is wrong.

use std::borrow::Cow;

use nom::IResult;

use super::code::{FieldId, MessageCode};
use super::message::{Field, Message, Trailer};
use super::plan::{self, MessagePlan};
use super::violation::{FieldRef, Rule, Violation};

/// A parsed message and what the parser found wrong with its structure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<'a> {
    /// The message, borrowing from the input.
    pub msg: Message<'a>,
    /// Structural violations (the linter adds the semantic ones).
    pub violations: Vec<Violation>,
}

/// The input is not a SIP message at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing to parse.
    #[error("empty message")]
    Empty,
    /// The first two characters are not a message code.
    #[error("{0:?} does not start with a two-character message code")]
    NoCode(String),
}

/// How far from the spec's fixed length the parser looks for the first tagged field.
const FIXED_SLACK: usize = 4;

/// Parses one message (without its terminator).
pub fn parse(text: &str) -> Result<Parsed<'_>, ParseError> {
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    let code = text
        .get(..2)
        .and_then(|c| {
            if c.bytes().all(|b| b.is_ascii_alphanumeric()) {
                MessageCode::parse(c)
            } else {
                None
            }
        })
        .ok_or_else(|| ParseError::NoCode(text.chars().take(20).collect()))?;
    let body = text.get(2..).unwrap_or_default();
    let mut violations = Vec::new();

    let (content, trailer) = split_trailer(body, &mut violations);
    let fixed_len = match plan::plan(code) {
        Some(plan) => fixed_boundary(content, plan, &mut violations),
        None => unknown_fixed_boundary(content),
    };
    let (fixed, tagged) = content.split_at(fixed_len);
    let fields = tagged_fields(tagged, &mut violations);

    Ok(Parsed {
        msg: Message {
            code,
            fixed: Cow::Borrowed(fixed),
            fields,
            trailer,
        },
        violations,
    })
}

/// Splits `AY<d>AZ<hhhh>` (or `AZ<hhhh>`) off the end of the message body.
fn split_trailer<'a>(
    body: &'a str,
    violations: &mut Vec<Violation>,
) -> (&'a str, Option<Trailer<'a>>) {
    let Some(az) = body.len().checked_sub(6) else {
        return (body, None);
    };
    let (Some(before), Some(tag), Some(sum)) =
        (body.get(..az), body.get(az..az + 2), body.get(az + 2..))
    else {
        return (body, None);
    };
    // Four characters after "AZ" with no delimiter among them: a value such as "CHAZ(v(|" is data.
    if tag != "AZ" || sum.contains('|') {
        return (body, None);
    }
    if !sum.bytes().all(|b| b.is_ascii_hexdigit()) {
        violations.push(Violation::new(
            Rule::Checksum,
            FieldRef::Field(FieldId::AZ),
            "4 hex digits",
            sum.to_string(),
        ));
    }
    // AY is one digit by the spec; some clients count past 9 (field-notes P3), so accept more and report.
    let digits = before.bytes().rev().take_while(u8::is_ascii_digit).count();
    let ay_at = before.len() - digits;
    let seq = match (before.get(..ay_at), before.get(ay_at..)) {
        (Some(head), Some(num)) if head.ends_with("AY") => {
            if digits != 1 {
                violations.push(Violation::new(
                    Rule::Sequence,
                    FieldRef::Field(FieldId::AY),
                    "one digit 0-9",
                    num.to_string(),
                ));
            }
            let value = num.bytes().last().map(|d| d - b'0');
            Some((head.len() - 2, value))
        }
        _ => None,
    };
    match seq {
        Some((end, value)) => (
            before.get(..end).unwrap_or_default(),
            Some(Trailer {
                seq: value,
                checksum: Cow::Borrowed(sum),
            }),
        ),
        None => (
            before,
            Some(Trailer {
                seq: None,
                checksum: Cow::Borrowed(sum),
            }),
        ),
    }
}

/// Is there a field ID at the start of `s` that the registry knows?
fn known_id_at(s: &str) -> Option<FieldId> {
    s.get(..2)
        .and_then(FieldId::parse)
        .filter(|id| plan::facts(*id).spec.is_some())
}

/// Does `s` start with something shaped like a field ID (two upper-case letters or digits)?
fn id_shaped(s: &str) -> bool {
    matches!(s.as_bytes(), [a, b, ..] if id_byte_pair(*a, *b))
}

/// An upper-case letter, then an upper-case letter or a digit.
fn id_byte_pair(a: u8, b: u8) -> bool {
    a.is_ascii_uppercase() && (b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Where the fixed part ends, given the spec; reports a fixed part of the wrong length.
fn fixed_boundary(content: &str, plan: &MessagePlan, violations: &mut Vec<Violation>) -> usize {
    let spec = plan.spec;
    let expected = plan.fixed_len;
    // A field this message uses, or the end of the message, starts at `p`.
    let own_field = |p: usize| {
        content.get(p..).is_some_and(|rest| {
            rest.is_empty() || known_id_at(rest).is_some_and(|id| plan::facts(id).listed(plan))
        })
    };
    if own_field(expected) {
        return expected;
    }
    // Look nearby: a fixed part one or two characters off is the commonest real fault (field-notes
    // P11). A longer fixed part can never contain the delimiter, which rules out vendor fields.
    let plausible = |p: usize| {
        p < expected
            || content
                .get(expected..p)
                .is_some_and(|extra| !extra.contains('|'))
    };
    let near = (1..=FIXED_SLACK)
        .flat_map(|d| [expected.checked_sub(d), Some(expected + d)])
        .flatten()
        .find(|&p| p <= content.len() && plausible(p) && own_field(p));
    let starts_tagged = |p: usize| {
        content
            .get(p..)
            .is_some_and(|rest| known_id_at(rest).is_some() || id_shaped(rest))
    };
    let actual = match near {
        Some(p) => p,
        None if content.len() < expected => content.len(),
        // A vendor or unexpected field right after a fixed part of the right length.
        None if starts_tagged(expected) => return expected,
        // Nothing recognisable follows: the fixed part runs up to the first field-like text.
        None => (expected..=content.len())
            .find(|&p| {
                content
                    .get(p..)
                    .is_some_and(|rest| rest.is_empty() || known_id_at(rest).is_some())
            })
            .unwrap_or(content.len()),
    };
    violations.push(Violation::new(
        Rule::FixedLength,
        FieldRef::Message,
        format!(
            "a fixed part of {expected} characters for {} {}",
            spec.code, spec.name
        ),
        format!("{actual} characters"),
    ));
    actual
}

/// For a message code the spec does not know: the fixed part runs up to the first known field ID.
fn unknown_fixed_boundary(content: &str) -> usize {
    (0..content.len())
        .find(|&p| {
            content
                .get(p..)
                .is_some_and(|rest| known_id_at(rest).is_some())
        })
        .unwrap_or(content.len())
}

/// The position of the first '|' in `bytes`. Eight bytes at a time (SWAR), the last word loaded
/// overlapping the one before: values are short, so a word loop beats both a byte loop and the
/// set-up of a SIMD search per field (see benches/codec.rs).
fn find_delimiter(bytes: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // A zero byte of `w ^ '|'` is a delimiter; the lowest flagged byte is always a real one.
    let first = |at: usize| {
        let w = bytes
            .get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_le_bytes)
            ^ (LO * u64::from(b'|'));
        let hits = w.wrapping_sub(LO) & !w & HI;
        (hits != 0).then(|| at + hits.trailing_zeros() as usize / 8)
    };
    let n = bytes.len();
    if n < 8 {
        return bytes.iter().position(|&b| b == b'|');
    }
    (0..n / 8)
        .find_map(|i| first(i * 8))
        .or_else(|| first(n - 8))
}

/// One `ID value |` chunk, or the unterminated rest of the message (flagged by the caller).
fn chunk(input: &str) -> IResult<&str, (&str, bool)> {
    Ok(match find_delimiter(input.as_bytes()) {
        // '|' is ASCII, so both sides of it are on character boundaries.
        Some(i) => (
            input.get(i + 1..).unwrap_or_default(),
            (input.get(..i).unwrap_or_default(), true),
        ),
        None => ("", (input, false)),
    })
}

/// Cuts the tagged part into fields, keeping order, repeats and unknown IDs.
fn tagged_fields<'a>(mut rest: &'a str, violations: &mut Vec<Violation>) -> Vec<Field<'a>> {
    // A field takes at least 3 bytes and usually more than 8: one allocation for most messages.
    let mut fields = Vec::with_capacity(rest.len() / 8 + 1);
    while !rest.is_empty() {
        let Ok((next, (text, delimiter))) = chunk(rest) else {
            break;
        };
        rest = next;
        let id = match text.as_bytes() {
            // The common case first: an ID of upper-case letters or digits.
            [a, b, ..] if id_byte_pair(*a, *b) => FieldId([*a, *b]),
            [] => {
                violations.push(Violation::new(
                    Rule::EmptyField,
                    FieldRef::Message,
                    "a field ID after '|'",
                    "||",
                ));
                continue;
            }
            _ => match text.get(..2).and_then(FieldId::parse) {
                Some(id) => {
                    violations.push(Violation::new(
                        Rule::BadFieldId,
                        FieldRef::Field(id),
                        "a field ID of upper-case letters or digits (a '|' inside the previous value?)",
                        id.to_string(),
                    ));
                    id
                }
                None => {
                    violations.push(Violation::new(
                        Rule::BadFieldId,
                        FieldRef::Message,
                        "a two-character field ID (a '|' inside the previous value?)",
                        text.chars().take(40).collect::<String>(),
                    ));
                    continue;
                }
            },
        };
        if !delimiter {
            violations.push(Violation::new(
                Rule::MissingDelimiter,
                FieldRef::Field(id),
                "'|' after the value",
                "end of message",
            ));
        }
        fields.push(Field {
            id,
            value: Cow::Borrowed(text.get(2..).unwrap_or_default()),
        });
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(p: &Parsed) -> Vec<&'static str> {
        p.violations.iter().map(|v| v.rule.code()).collect()
    }

    #[test]
    fn login_response_with_trailer() {
        let p = parse("941AY1AZFDFC").unwrap();
        assert_eq!(p.msg.fixed, "1");
        assert!(p.msg.fields.is_empty());
        let t = p.msg.trailer.unwrap();
        assert_eq!((t.seq, t.checksum.as_ref()), (Some(1), "FDFC"));
        assert!(p.violations.is_empty());
    }

    #[test]
    fn tagged_fields_keep_order_repeats_and_unknown_ids() {
        let p = parse("24              00120260101    084237AEJane|AOBR1|AAp1|AFone|AFtwo|ZZx|")
            .unwrap();
        let ids: Vec<&str> = p.msg.fields.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["AE", "AO", "AA", "AF", "AF", "ZZ"]);
        assert_eq!(
            p.msg.field_all(FieldId::AF).collect::<Vec<_>>(),
            ["one", "two"]
        );
        assert!(p.violations.is_empty(), "{:?}", p.violations);
    }

    #[test]
    fn short_fixed_part_is_found_and_reported() {
        let p = parse("24              00120260101    08423AOBR1|AAp1|AE|").unwrap();
        assert_eq!(rules(&p), ["fixed-length"]);
        assert_eq!(p.msg.fields[0].id, FieldId::AO);
    }

    #[test]
    fn long_fixed_part_is_found_and_reported() {
        let p = parse("24              00120260101    0842377AOBR1|AAp1|AE|").unwrap();
        assert_eq!(rules(&p), ["fixed-length"]);
        assert_eq!(p.msg.fixed.len(), 36);
    }

    #[test]
    fn missing_delimiter_before_trailer() {
        let p = parse("9300CNuser|COpass|CPloc").unwrap();
        assert_eq!(rules(&p), ["missing-delimiter"]);
        assert_eq!(p.msg.field(FieldId::CP), Some("loc"));
    }

    #[test]
    fn two_digit_sequence_is_reported() {
        let p = parse("941AY10AZFDCC").unwrap();
        assert_eq!(rules(&p), ["sequence"]);
    }

    #[test]
    fn az_inside_the_last_value_is_not_a_trailer() {
        let p = parse("20120260101    000000ABx|CHAZ(v(|").unwrap();
        assert!(p.msg.trailer.is_none());
        assert_eq!(p.msg.field(FieldId::CH), Some("AZ(v("));
        assert!(p.violations.is_empty(), "{:?}", p.violations);
    }

    #[test]
    fn word_at_a_time_delimiter_search_finds_the_first_bar() {
        // Every length around the word size, a bar at each position, the bytes around it varied:
        // a word with several bars, or bytes that borrow (0x00, 0x7D), must still give the first.
        for len in 0..20 {
            for pos in 0..len {
                for fill in [b'a', 0x00, 0x7d, 0xff, b'|'] {
                    let mut buf = vec![fill; len];
                    buf[pos] = b'|';
                    assert_eq!(
                        find_delimiter(&buf),
                        buf.iter().position(|&b| b == b'|'),
                        "bar at {pos} of {len}, fill {fill:#04x}"
                    );
                }
            }
            assert_eq!(find_delimiter(&vec![b'a'; len]), None);
        }
    }

    #[test]
    fn not_a_message() {
        assert_eq!(parse(""), Err(ParseError::Empty));
        assert!(matches!(parse("é9"), Err(ParseError::NoCode(_))));
        assert!(matches!(parse("9"), Err(ParseError::NoCode(_))));
    }

    #[test]
    fn unknown_code_keeps_everything() {
        let p = parse("XSsomething AOBR1|").unwrap();
        assert_eq!(p.msg.fixed, "something ");
        assert_eq!(p.msg.field(FieldId::AO), Some("BR1"));
    }
}
