//! `sip2check logscan` end to end: the sample logs under tests/logscan/ (one per format, each
//! with planted faults) through the real binary; every fault is found at its line.

mod common;

use std::process::{Output, Stdio};

use common::cli::{bin, output_with_stdin};
use serde_json::Value;

fn logscan(args: &[&str]) -> Output {
    bin()
        .arg("logscan")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("sip2check runs")
}

fn json(file: &str) -> Value {
    let out = logscan(&["--json", "--worst", "100", file]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// What the report says about line `line`: its rules, and "unanswered" / "refused".
fn verdicts(report: &Value, line: u64) -> Vec<String> {
    let mut out = Vec::new();
    for w in report["worst"].as_array().unwrap() {
        if w["line"] != line {
            continue;
        }
        for v in w["violations"].as_array().unwrap() {
            out.push(v["rule"].as_str().unwrap().to_string());
        }
        if w["unanswered"] == true {
            out.push("unanswered".into());
        }
        if let Some(r) = w["refused"].as_str() {
            out.push(format!("refused {r}"));
        }
    }
    out
}

fn expect(file: &str, format: &str, planted: &[(u64, &str)]) {
    let report = json(file);
    assert_eq!(report["files"][0]["format"], format, "{report:#}");
    for (line, verdict) in planted {
        let got = verdicts(&report, *line);
        assert!(
            got.iter().any(|g| g == verdict),
            "{file}:{line}: expected {verdict:?}, found {got:?}\n{report:#}"
        );
    }
    let mut lines: Vec<u64> = planted.iter().map(|(l, _)| *l).collect();
    lines.dedup();
    let found = report["worst"].as_array().unwrap().len();
    assert_eq!(
        found,
        lines.len(),
        "{file}: only the planted faults\n{report:#}"
    );
}

#[test]
fn evergreen_syslog() {
    expect(
        "tests/logscan/evergreen.log",
        "evergreen",
        &[
            (8, "refused ok 0"),
            (9, "fixed-length"),
            (10, "refused ok 0"),
            // The debug line before it shows the LF a CRLF client left in front of the request.
            (13, "lf-after-cr"),
            (14, "checksum"),
            (15, "unanswered"),
        ],
    );
}

#[test]
fn koha_sip_log() {
    expect(
        "tests/logscan/koha.log",
        "koha",
        &[
            (5, "fixed-length"),
            (7, "sequence"),
            (7, "refused ok 0"),
            (9, "response-code"),
            (12, "unanswered"),
        ],
    );
    // The 23 on line 10 carries a checksum over a password Koha logged as ***.
    assert_eq!(json("tests/logscan/koha.log")["unverifiable_checksums"], 1);
}

#[test]
fn edge_sip2_log() {
    let report = json("tests/logscan/edge-sip2.log");
    // Lines 2 and 3 are one request, logged twice at debug level.
    assert_eq!(report["requests"], 5);
    expect(
        "tests/logscan/edge-sip2.log",
        "edge-sip2",
        &[
            (6, "required-field"),
            (7, "unanswered"),
            (9, "checksum"),
            (9, "refused ok 0"),
        ],
    );
}

#[test]
fn fsip2_log() {
    expect(
        "tests/logscan/fsip2.log",
        "fsip2",
        &[
            (6, "lf-after-cr"),
            (9, "refused ok 0"),
            (12, "checksum"),
            (13, "unanswered"),
        ],
    );
    let report = json("tests/logscan/fsip2.log");
    // Two sessions interleave; each answer is paired within its own session.
    let login = report["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "93")
        .unwrap();
    assert_eq!(login["latency_ms"]["min"], 40);
    assert_eq!(login["latency_ms"]["max"], 600);
    assert_eq!(login["latency_ms"]["resolution_ms"], 1);
}

#[test]
fn raw_capture_and_listing() {
    expect(
        "tests/logscan/capture.sip",
        "raw",
        &[
            (1, "lf-after-cr"),
            (5, "fixed-length"),
            (6, "refused ok 0"),
            (7, "checksum"),
            (9, "terminator"),
            (11, "unanswered"),
        ],
    );
    expect("tests/logscan/messages.txt", "raw", &[(3, "summary")]);
}

#[test]
fn secrets_and_personal_data_never_appear() {
    let files = [
        "tests/logscan/evergreen.log",
        "tests/logscan/koha.log",
        "tests/logscan/edge-sip2.log",
        "tests/logscan/fsip2.log",
        "tests/logscan/capture.sip",
        "tests/logscan/messages.txt",
    ];
    for json in [true, false] {
        let mut args = vec!["--worst", "100"];
        if json {
            args.push("--json");
        }
        args.extend(files);
        let out = logscan(&args);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for secret in ["s3cret", "wrong", "6789", "Fiander"] {
            assert!(!all.contains(secret), "{secret:?} in\n{all}");
        }
        assert!(all.contains("CO***"), "{all}");
    }
    let kept = logscan(&["--no-redact", "--worst", "100", "tests/logscan/capture.sip"]);
    let text = String::from_utf8_lossy(&kept.stdout);
    assert!(!text.contains("s3cret") && !text.contains("6789"), "{text}");
}

#[test]
fn text_report_names_types_rules_and_lines() {
    let out = logscan(&["tests/logscan/evergreen.log"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "1 file, 11 messages (6 requests, 5 responses): 2 errors, 1 warning, 1 unanswered request, 2 refused answers",
        "tests/logscan/evergreen.log: evergreen, 16 lines, 11 messages",
        "11 Checkout ",
        "fixed-length 1",
        "tests/logscan/evergreen.log:9  request 11 Checkout: 1 error",
        "tests/logscan/evergreen.log:15  request 23 Patron Status Request: unanswered",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
}

#[test]
fn a_clean_log_passes_and_a_forced_format_reads_stdin() {
    let out = output_with_stdin(
        bin().args(["logscan", "--format", "raw", "-"]),
        b"9900302.00\r98YYYYNN01000320260305    1015022.00AOBR1|BXYYYYYYYYYYYYYYYY|\r",
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2 messages (1 request, 1 response): 0 errors"),
        "{text}"
    );
}

#[test]
fn unreadable_and_unrecognised_files_exit_2_but_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let prose = dir.path().join("prose.log");
    std::fs::write(&prose, "nothing to see here\nat all\n").unwrap();
    let missing = dir.path().join("missing.log");
    let out = logscan(&[
        prose.to_str().unwrap(),
        missing.to_str().unwrap(),
        "tests/logscan/messages.txt",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("prose.log: no SIP messages found") && err.contains("--format"),
        "{err}"
    );
    assert!(err.contains("missing.log"), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("messages.txt: raw, 4 lines, 4 messages"),
        "{text}"
    );
}
