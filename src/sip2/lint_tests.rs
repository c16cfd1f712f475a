//! One case per lint rule, each showing the rule firing on a message that breaks it; a final test
//! makes sure no rule is left without a case.

use super::*;
use crate::sip2::{
    Context, Encoding, FieldId, MessageCode, Protocol, Rule, Terminator, analyze, parse,
};

/// The rules found on `text` (structural and semantic), linted with `ctx`.
fn rules_with(text: &str, ctx: &Context) -> Vec<Rule> {
    match analyze(text.as_bytes(), ctx) {
        Ok(a) => a.violations.iter().map(|v| v.rule).collect(),
        Err(e) => panic!("{text:?} did not parse: {e}"),
    }
}

fn rules(text: &str) -> Vec<Rule> {
    rules_with(text, &Context::default())
}

const DATE: &str = "20260101    084237";

/// A request context: the response answers `code` with sequence `seq`.
fn answering(code: MessageCode, seq: Option<u8>) -> Context<'static> {
    Context {
        request: Some(RequestInfo { code, seq }),
        direction: Some(Direction::AcsToSc),
        ..Context::default()
    }
}

/// Every case: the rule, and a message (with its context) that must produce it.
fn cases() -> Vec<(Rule, String, Context<'static>)> {
    let plain = Context::default;
    vec![
        (
            Rule::FixedLength,
            format!("24              001{DATE}7AOBR1|AAp|AE|"),
            plain(),
        ),
        (
            Rule::FixedFormat,
            format!("121XNY{DATE}AOBR1|AAp|ABi|AJ|AH|"),
            plain(),
        ),
        (Rule::FixedCode, format!("18990101{DATE}ABi|AJt|"), plain()),
        (
            Rule::FlagN,
            format!("24NNNNNNNNNNNNNN001{DATE}AOBR1|AAp|AE|"),
            plain(),
        ),
        (
            Rule::RequiredField,
            format!("24              001{DATE}AOBR1|AAp|"),
            plain(),
        ),
        (
            Rule::RepeatedField,
            format!("24              001{DATE}AOBR1|AAp|AE|AAq|"),
            plain(),
        ),
        (
            Rule::FieldFormat,
            format!("24              001{DATE}AOBR1|AAp|AE|BLX|"),
            plain(),
        ),
        (
            Rule::FieldCode,
            format!("18010101{DATE}ABi|AJt|CK099|"),
            plain(),
        ),
        (
            Rule::UnexpectedField,
            format!("24              001{DATE}AOBR1|AAp|AE|AB1|"),
            plain(),
        ),
        (
            Rule::UnknownField,
            format!("24              001{DATE}AOBR1|AAp|AE|ZQx|"),
            plain(),
        ),
        (
            Rule::AmbiguousField,
            format!("64              001{DATE}000000000000000000000000AOBR1|AAp|AE|PA20301231|"),
            plain(),
        ),
        (
            Rule::ValueTooLong,
            format!("24              001{DATE}AOBR1|AAp|AE{}|", "x".repeat(256)),
            plain(),
        ),
        (
            Rule::ControlChar,
            format!("24              001{DATE}AOBR1|AAp|AEa\u{0}b|"),
            plain(),
        ),
        (
            Rule::BadFieldId,
            format!("24              001{DATE}AOBR1|AAp|AE|ab c|"),
            plain(),
        ),
        (
            Rule::MissingDelimiter,
            format!("24              001{DATE}AOBR1|AAp|AE"),
            plain(),
        ),
        (
            Rule::EmptyField,
            format!("24              001{DATE}AOBR1||AAp|AE|"),
            plain(),
        ),
        (
            Rule::ItemCount,
            format!("66100010000{DATE}AOBR1|BMa|BMb|"),
            plain(),
        ),
        (
            Rule::Summary,
            format!("63001{DATE}YY        AOBR1|AAp|"),
            plain(),
        ),
        (
            Rule::BxLength,
            format!(
                "98YYYYYY00500320260101    0842372.00AOBR1|BX{}|",
                "Y".repeat(17)
            ),
            plain(),
        ),
        (Rule::Checksum, "941AY1AZFDFD".into(), plain()),
        (
            Rule::ChecksumMissing,
            "941".into(),
            Context {
                error_detection: true,
                ..plain()
            },
        ),
        (Rule::ChecksumCase, "941AY0AZfdfd".into(), plain()),
        (
            Rule::Sequence,
            "941AY1AZFDFC".into(),
            answering(MessageCode::LOGIN, Some(2)),
        ),
        (
            Rule::SequenceUnexpected,
            "941AY1AZFDFC".into(),
            answering(MessageCode::LOGIN, None),
        ),
        (
            Rule::Terminator,
            "941".into(),
            Context {
                terminator: Some(Terminator::Lf),
                ..plain()
            },
        ),
        (
            Rule::LfAfterCr,
            "941".into(),
            Context {
                terminator: Some(Terminator::CrLf),
                ..plain()
            },
        ),
        (Rule::UnknownMessage, "42hello".into(), plain()),
        (
            Rule::Direction,
            "941".into(),
            Context {
                direction: Some(Direction::ScToAcs),
                ..plain()
            },
        ),
        (
            Rule::ResponseCode,
            "941".into(),
            answering(MessageCode::SC_STATUS, None),
        ),
    ]
}

#[test]
fn each_rule_fires_on_its_case() {
    for (rule, text, ctx) in cases() {
        let found = rules_with(&text, &ctx);
        assert!(
            found.contains(&rule),
            "{} did not fire on {text:?}; found {found:?}",
            rule.code()
        );
    }
}

#[test]
fn byte_level_rules_fire() {
    let ctx = Context {
        encoding: Some(Encoding::Ascii),
        ..Context::default()
    };
    let raw = b"18030201AJcaf\xe9|";
    let a = analyze(raw, &ctx).unwrap();
    assert!(
        a.violations.iter().any(|v| v.rule == Rule::NonAscii),
        "{:?}",
        a.violations
    );
    let ctx = Context {
        encoding: Some(Encoding::Utf8),
        ..Context::default()
    };
    let a = analyze(raw, &ctx).unwrap();
    assert!(
        a.violations.iter().any(|v| v.rule == Rule::InvalidEncoding),
        "{:?}",
        a.violations
    );
}

#[test]
fn delimiter_in_a_built_value_is_caught() {
    let msg = Message::new(MessageCode::LOGIN_RESPONSE, "1").with(FieldId::AF, "a|b");
    let found: Vec<Rule> = lint(&msg, "", &Context::default())
        .iter()
        .map(|v| v.rule)
        .collect();
    assert!(found.contains(&Rule::DelimiterInValue), "{found:?}");
}

#[test]
fn every_rule_has_a_case() {
    let mut covered: Vec<Rule> = cases().into_iter().map(|(r, _, _)| r).collect();
    covered.extend([
        Rule::NonAscii,
        Rule::InvalidEncoding,
        Rule::DelimiterInValue,
        // A session-level rule, fed by the transport session: sip2/clock.rs has its cases.
        Rule::ClockSkew,
        // Raised by the transport, which sees what arrives between answers (tests/transport.rs).
        Rule::Unsolicited,
    ]);
    for rule in Rule::ALL {
        assert!(
            covered.contains(rule),
            "no test case for rule {}",
            rule.code()
        );
    }
}

#[test]
fn clean_messages_have_no_violations() {
    for text in [
        "941".to_string(),
        format!("24              001{DATE}AOBR1|AAp|AEJane|BLY|CQN|"),
        format!("121NNY{DATE}AOBR1|AAp|ABi|AJt|AH|"),
        "941AY0AZFDFD".to_string(),
    ] {
        assert_eq!(rules(&text), Vec::<Rule>::new(), "{text:?}");
    }
}

#[test]
fn echoed_sequence_and_96_without_ay_are_clean() {
    assert_eq!(
        rules_with("941AY2AZFDFB", &answering(MessageCode::LOGIN, Some(2))),
        Vec::<Rule>::new()
    );
    assert_eq!(
        rules_with("96AZFEF6", &answering(MessageCode::LOGIN, Some(2))),
        Vec::<Rule>::new()
    );
    let p = parse("96AY1AZFDD1").unwrap();
    let found: Vec<Rule> = lint(&p.msg, "96AY1AZFDD1", &Context::default())
        .iter()
        .map(|v| v.rule)
        .collect();
    assert!(found.contains(&Rule::Sequence), "{found:?}");
}

#[test]
fn code_point_checksums_are_named_in_the_violation() {
    let body = "18030201AJcaf\u{e9}|AY1AZ";
    let cp = crate::sip2::checksum::compute_code_points(body);
    let text = format!("{body}{cp:04X}");
    let a = analyze(text.as_bytes(), &Context::default()).unwrap();
    let v = a
        .violations
        .iter()
        .find(|v| v.rule == Rule::Checksum)
        .expect("checksum violation");
    assert!(v.actual.contains("code-points"), "{v}");
}

#[test]
fn word_at_a_time_scan_agrees_with_the_byte_rule() {
    let naive = |bytes: &[u8]| {
        bytes
            .iter()
            .any(|&b| b < 0x20 || b == 0x7f || b == b'|' || b >= 0x80)
    };
    for len in 0..20 {
        for pos in 0..len {
            for b in 0..=255u8 {
                let mut buf = vec![b'a'; len];
                buf[pos] = b;
                assert_eq!(
                    super::has_special_byte(&buf),
                    naive(&buf),
                    "byte {b:#04x} at {pos} of {len}"
                );
            }
        }
    }
}

#[test]
fn word_at_a_time_date_check_agrees_with_the_byte_rule() {
    let naive = |v: &[u8]| {
        let digits = |r: std::ops::Range<usize>| v[r].iter().all(u8::is_ascii_digit);
        let two = |i: usize| u32::from(v[i] - b'0') * 10 + u32::from(v[i + 1] - b'0');
        v.len() == 18
            && digits(0..8)
            && digits(12..18)
            && v[8..11] == *b"   "
            && (v[11] == b' ' || v[11].is_ascii_uppercase())
            && (1..=12).contains(&two(4))
            && (1..=31).contains(&two(6))
            && two(12) < 24
            && two(14) < 60
            && two(16) < 61
    };
    for pos in 0..18 {
        for b in 0..=255u8 {
            let mut buf = *b"20261129    101500";
            buf[pos] = b;
            let text = String::from_utf8_lossy(&buf);
            assert_eq!(
                is_date18(&text),
                text.len() == 18 && naive(&buf),
                "byte {b:#04x} at {pos}"
            );
        }
    }
}

#[test]
fn dates_are_checked_field_by_field() {
    assert!(is_date18("20261129    101500"));
    assert!(is_date18("20261129   Z101500"));
    for bad in [
        "20261329    101500",
        "20261100    101500",
        "20261129    241500",
        "20261129 00 101500",
        "2026112     101500",
        "2026-1129    101500",
    ] {
        assert!(!is_date18(bad), "{bad:?}");
    }
}

#[test]
fn data_ending_like_a_trailer_is_not_checked_as_one() {
    let text = format!("64YYYYYYYYYYYYYY000{DATE}000000000000000000000000AO|AE|AA|BDAZO:z|");
    let a = analyze(text.as_bytes(), &Context::default()).unwrap();
    assert!(!a.checksum.present, "{:?}", a.checksum);
    assert!(
        a.violations.iter().all(|v| v.rule != Rule::Checksum),
        "{:?}",
        a.violations
    );
}

/// The required-field findings on `text`, linted at `protocol`.
fn missing_at(text: &str, protocol: Protocol) -> Vec<String> {
    let ctx = Context {
        protocol,
        ..Context::default()
    };
    let a = analyze(text.as_bytes(), &ctx).unwrap();
    a.violations
        .iter()
        .filter(|v| v.rule == Rule::RequiredField)
        .map(|v| v.field.to_string())
        .collect()
}

#[test]
fn a_98_answering_protocol_1_00_need_not_carry_bx() {
    let v2_status = format!("98YYYYNN010003{DATE}2.00AOBR1|");
    assert_eq!(missing_at(&v2_status, Protocol::V2), ["BX"]);
    assert_eq!(missing_at(&v2_status, Protocol::V1), Vec::<String>::new());
    // The 98 itself naming 1.00 says the ACS speaks 1.00, whatever the SC asked for.
    let v1_status = format!("98YYYYNN010003{DATE}1.00AOBR1|");
    assert_eq!(missing_at(&v1_status, Protocol::V2), Vec::<String>::new());
    // 1.00 mode excuses only what 2.00 added: AO is 1.00's.
    let no_ao = format!("98YYYYNN010003{DATE}1.00");
    assert_eq!(missing_at(&no_ao, Protocol::V1), ["AO"]);
}

#[test]
fn a_24_in_1_00_mode_is_clean_without_bl_and_cq() {
    let text = format!("24              001{DATE}AOBR1|AAp|AEJane|");
    assert_eq!(
        rules_with(
            &text,
            &Context {
                protocol: Protocol::V1,
                ..answering(MessageCode::PATRON_STATUS_REQUEST, None)
            }
        ),
        Vec::<Rule>::new()
    );
}

#[test]
fn a_message_2_00_added_keeps_its_2_00_layout_in_1_00_mode() {
    // 19 is a 2.00 message whose required CH is a 2.00 field.
    let text = format!("19{DATE}AOBR1|ABi|AC|");
    assert_eq!(missing_at(&text, Protocol::V1), ["CH"]);
}

#[test]
fn what_1_00_mode_excuses_comes_from_the_table() {
    // Every required field of every message, missing at once: the findings at 1.00 and 2.00
    // differ by exactly the table's 2.00 fields of 1.00 messages.
    let mut excused = Vec::new();
    for m in crate::sip2::spec::MESSAGES {
        let msg = Message::new(m.code, "");
        let required = |protocol| -> Vec<String> {
            let ctx = Context {
                protocol,
                ..Context::default()
            };
            lint(&msg, "", &ctx)
                .iter()
                .filter(|v| v.rule == Rule::RequiredField)
                .map(|v| v.field.to_string())
                .collect()
        };
        let (v1, v2) = (required(Protocol::V1), required(Protocol::V2));
        let all: Vec<String> = m
            .fields
            .iter()
            .filter(|u| u.required)
            .map(|u| u.id.to_string())
            .collect();
        assert_eq!(v2, all, "{}", m.code);
        excused.extend(
            v2.iter()
                .filter(|id| !v1.contains(id))
                .map(|id| format!("{} {id}", m.code)),
        );
    }
    assert_eq!(excused, ["98 BX"]);
}
