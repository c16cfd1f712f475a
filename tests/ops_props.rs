//! logscan and the proxy's linter never panic: arbitrary lines through every grammar, arbitrary
//! files through the scanner, arbitrary reads from both sides through a proxy pair.

use proptest::prelude::*;
use sip2check::ops::logscan::{Format, Options, Scanner};
use sip2check::ops::proxy::{LintOptions, Pair, Seen, Side};
use sip2check::sip2::Encoding;
use sip2check::sip2::redact::Redaction;

/// Lines that look half like log lines, so the grammars get past their first tokens.
fn line() -> impl Strategy<Value = String> {
    let prefix = prop_oneof![
        Just(String::new()),
        Just("Mar  5 10:15:02 h acs-server[1]: INPUT MSG: '".to_string()),
        Just("2026-03-05T10:15:02.1Z h x: OUTPUT MSG: '".to_string()),
        Just("[2026/03/05 10:15:02] [1] [INFO] a@b: INPUT MSG: '".to_string()),
        Just("10:15:02 INFO  MainVerticle         Sip response ".to_string()),
        Just(r#"{"message":"SIP2 message sent","message":""#.to_string()),
        Just("2026-03-05T10:15:02.123Z #1 device> ".to_string()),
        Just("read_SIP_packet, INPUT MSG: '#0".to_string()),
    ];
    (prefix, any::<String>(), "[0-9A-Z|'\"\\\\{}<>#\r ]{0,40}")
        .prop_map(|(p, any, tail)| format!("{p}{any}{tail}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn grammars_never_panic(l in line()) {
        for f in Format::ALL {
            let _ = f.parse_line(&l);
        }
    }

    #[test]
    fn scanning_never_panics(lines in prop::collection::vec(line(), 0..20), bytes in any::<Vec<u8>>()) {
        let text = lines.join("\n");
        for format in Format::ALL.into_iter().map(Some).chain([None]) {
            let mut s = Scanner::new(Options { format, worst: 3, ..Options::default() });
            let _ = s.scan("lines", text.as_bytes());
            let _ = s.scan("bytes", bytes.as_slice());
            let summary = s.finish();
            prop_assert!(summary.worst.len() <= 3);
        }
    }
}

/// Reads as a proxy sees them: SIP-ish bytes, odd bytes, terminators, split anywhere.
fn read() -> impl Strategy<Value = (bool, Vec<u8>)> {
    let bytes = prop_oneof![
        any::<Vec<u8>>(),
        "(9300CNa\\|COb\\||941|9900302.00|Login OK\r\n|login: |\r|\n|AY1AZ0000|x{0,80})*"
            .prop_map(String::into_bytes),
    ];
    (any::<bool>(), bytes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_pair_never_panics_and_stays_bounded(
        telnet in any::<bool>(),
        max in 1usize..200,
        reads in prop::collection::vec(read(), 0..30),
    ) {
        let opts = LintOptions {
            encoding: Encoding::Utf8,
            error_detection: telnet,
            redaction: Redaction::SecretsAndPersonal,
            max_message: max,
            telnet,
        };
        let mut pair = Pair::new(1, "dev".into(), "acs".into(), opts);
        for (device, bytes) in reads {
            let side = if device { Side::Device } else { Side::Acs };
            let mut seen = pair.copy(side, &bytes);
            seen.extend(pair.drain(Side::Device));
            seen.extend(pair.drain(Side::Acs));
            for s in seen {
                if let Seen::Message { record, .. } = s {
                    prop_assert!(!record.raw.contains("COb"), "a password shown: {}", record.raw);
                }
            }
            prop_assert!(pair.unanswered() <= 16);
        }
    }
}
