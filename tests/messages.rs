//! One valid example of each of the 31 SIP2 2.00 messages: it parses with no violation, re-encodes
//! byte for byte, and the same message with its fixed part one character short is an error.

use sip2check::sip2::spec::{self, MESSAGES};
use sip2check::sip2::{self, Context, MessageCode, Rule, Severity};

const D: &str = "20261129    101500";

/// (code, a valid message).
fn examples() -> Vec<(&'static str, String)> {
    vec![
        ("01", format!("01N{D}AOBR1|ALCard retained|AA999999|AC|")),
        ("09", format!("09N{D}{D}APBR1|AOBR1|AB1565921879|AC|BIN|")),
        (
            "11",
            format!("11YN{D}                  AOBR1|AA999999|AB1565921879|AC|AD6789|BON|BIN|"),
        ),
        (
            "15",
            format!("15+{D}BW{D}|BSTaylor|BY2|AOBR1|AA999999|AD6789|AB1565921879|AC|BON|"),
        ),
        ("17", format!("17{D}AOBR1|AB1565921879|AC|")),
        ("19", format!("19{D}AOBR1|AB1565921879|AC|CHweight=120g|")),
        ("23", format!("23001{D}AOBR1|AA999999|AC|AD6789|")),
        ("25", format!("25{D}AOBR1|AA999999|AC|AD6789|")),
        (
            "29",
            format!("29NN{D}{D}AOBR1|AA999999|AD6789|AB1565921879|AC|BON|"),
        ),
        ("35", format!("35{D}AOBR1|AA999999|AC|AD6789|")),
        (
            "37",
            format!("37{D}0400USDBV5.00|AOBR1|AAFINES1|AC|AD2222|CGFEE-0001|BKtx-1|"),
        ),
        (
            "63",
            format!("63001{D}  Y       AOBR1|AA999999|AC|AD6789|BP1|BQ5|"),
        ),
        ("65", format!("65{D}AOBR1|AA999999|AD6789|AC|BON|")),
        ("93", "9300CNsip_01|COsip_01|CPBR1|".to_string()),
        ("97", "97".to_string()),
        ("99", "9900302.00".to_string()),
        (
            "10",
            format!(
                "101YNN{D}AOBR1|AB1565921879|AQBR1|AJPerl 5 desktop reference|CLA1|AA999999|CK001|AFThank you|"
            ),
        ),
        (
            "12",
            format!(
                "121NNY{D}AOBR1|AA999999|AB1565921879|AJPerl 5 desktop reference|AH{D}|BT01|CIN|BHUSD|BV0.00|CK001|BKtx-2|AFEnjoy|"
            ),
        ),
        (
            "16",
            format!(
                "161N{D}BW{D}|BR1|BSTaylor|AOBR1|AA999999|AB1565921879|AJPerl 5 desktop reference|"
            ),
        ),
        (
            "18",
            format!(
                "18030201{D}CF0|AH|AB1565921879|AJPerl 5 desktop reference|BGBR1|BHUSD|BV0.00|CK001|AQBR1|APBR1|"
            ),
        ),
        (
            "20",
            format!("201{D}AB1565921879|AJPerl 5 desktop reference|CHweight=120g|"),
        ),
        (
            "24",
            format!(
                "24              001{D}AOBR1|AA999999|AEDavid J. Fiander|BLY|CQY|BHUSD|BV0.00|"
            ),
        ),
        (
            "26",
            format!("26              001{D}AOBR1|AA999999|AEDavid J. Fiander|BLY|CQY|"),
        ),
        (
            "30",
            format!("301YNN{D}AOBR1|AA999999|AB1565921879|AJPerl 5 desktop reference|AH{D}|"),
        ),
        ("36", format!("36Y{D}AOBR1|AA999999|AFGoodbye|")),
        ("38", format!("38Y{D}AOBR1|AAFINES1|BKtx-1|")),
        (
            "64",
            format!(
                "64              001{D}000000000001000000000000AOBR1|AA999999|AEDavid J. Fiander|BZ0010|CA0005|CB0020|BLY|CQY|BHUSD|BV0.00|AU1565921879|BD2 Meadowvale Dr.|BEdj@example.org|BF(519) 555 1234|"
            ),
        ),
        (
            "66",
            format!("66100020000{D}AOBR1|BM1565921879|BM0440242746|"),
        ),
        ("94", "941".to_string()),
        ("96", "96".to_string()),
        (
            "98",
            format!(
                "98YYYYYN005003{D}2.00AOBR1|AMExample Public Library|BXYYYYYYYYYYYYYYYY|ANfloor|"
            ),
        ),
    ]
}

#[test]
fn there_is_one_example_per_message() {
    let mut codes: Vec<&str> = examples().iter().map(|(c, _)| *c).collect();
    codes.sort_unstable();
    let mut all: Vec<&str> = MESSAGES.iter().map(|m| m.code.as_str()).collect();
    all.sort_unstable();
    assert_eq!(codes, all);
}

#[test]
fn every_example_parses_clean_and_reencodes_byte_for_byte() {
    for (code, text) in examples() {
        let a = sip2::analyze(text.as_bytes(), &Context::default())
            .unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(a.msg.code.as_str(), code);
        assert!(a.violations.is_empty(), "{code}: {:?}", a.violations);
        assert_eq!(
            sip2::encode(&a.msg),
            text,
            "{code} must re-encode byte for byte"
        );
    }
}

#[test]
fn every_example_round_trips_with_error_detection() {
    for (code, text) in examples() {
        let msg = sip2::parse(&text).unwrap().msg;
        let resend = code == "96" || code == "97";
        let trailer = if resend {
            sip2::encode::Trailer::Checksum
        } else {
            sip2::encode::Trailer::Sequenced(7)
        };
        let wire = sip2::to_wire(&msg, sip2::Encoding::Utf8, trailer).unwrap();
        let a = sip2::analyze(
            &wire,
            &Context {
                error_detection: true,
                ..Context::default()
            },
        )
        .unwrap();
        assert!(a.violations.is_empty(), "{code}: {:?}", a.violations);
        assert_eq!(a.checksum.valid, Some(true), "{code}");
        assert_eq!(
            a.msg.trailer.as_ref().and_then(|t| t.seq),
            if resend { None } else { Some(7) }
        );
    }
}

#[test]
fn one_character_short_fixed_part_is_an_error() {
    for (code, text) in examples() {
        let spec = spec::message(MessageCode::parse(code).unwrap()).unwrap();
        if spec.fixed_len() == 0 {
            continue;
        }
        let mut short = text.clone();
        short.remove(2 + spec.fixed_len() - 1);
        let a = sip2::analyze(short.as_bytes(), &Context::default()).unwrap();
        assert!(
            a.violations
                .iter()
                .any(|v| v.severity == Severity::Error && v.rule == Rule::FixedLength),
            "{code}: {short:?} gave {:?}",
            a.violations
        );
    }
}

#[test]
fn one_character_long_fixed_part_is_an_error() {
    for (code, text) in examples() {
        let spec = spec::message(MessageCode::parse(code).unwrap()).unwrap();
        let mut long = text.clone();
        long.insert(2 + spec.fixed_len(), '0');
        let a = sip2::analyze(long.as_bytes(), &Context::default()).unwrap();
        assert!(
            a.violations.iter().any(|v| v.severity == Severity::Error),
            "{code}: {long:?} gave {:?}",
            a.violations
        );
    }
}
