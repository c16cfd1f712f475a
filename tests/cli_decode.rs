//! End-to-end tests of `sip2check decode` and `sip2check spec`: the built binary, real arguments,
//! real exit codes.

mod common;

use std::process::Output;

use common::cli::{bin, output_with_stdin, stdout};

fn sip2check(args: &[&str], stdin: &[u8]) -> Output {
    output_with_stdin(bin().args(args), stdin)
}

#[test]
fn json_of_a_valid_login_response() {
    let o = sip2check(&["decode", "--json", "941AY1AZFDFC"], b"");
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).expect("one JSON object");
    assert_eq!(v["code"], "94");
    assert!(v["name"].as_str().unwrap().contains("Login"));
    assert_eq!(v["checksum"]["valid"], true);
    assert_eq!(v["checksum"]["basis"], "bytes");
    assert_eq!(v["violations"].as_array().unwrap().len(), 0);
    assert_eq!(v["fixed"][0]["name"], "ok");
}

#[test]
fn bad_checksum_exits_1_and_says_so() {
    let o = sip2check(&["decode", "941AY1AZFDFD"], b"");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("[checksum]") && out.contains("expected FDFC"),
        "{out}"
    );
}

#[test]
fn stdin_with_crlf_line_ends_gives_one_object_per_message() {
    let o = sip2check(&["decode", "--json"], b"9300CNa|COb|CPc|\r\n941\r\n");
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0]["code"].as_str(), lines[1]["code"].as_str()),
        (Some("93"), Some("94"))
    );
}

#[test]
fn stdin_with_cr_and_lf_line_ends() {
    let o = sip2check(&["decode"], b"941\r9900302.00\n96\n");
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("94 Login Response")
            && out.contains("99 SC Status")
            && out.contains("96 Request SC Resend"),
        "{out}"
    );
    assert!(
        out.contains("protocol version") && out.contains("\"2.00\""),
        "{out}"
    );
}

#[test]
fn text_output_names_fields_and_lists_violations() {
    let o = sip2check(
        &[
            "decode",
            "24              00120260101    084237AOBR1|AA999999|",
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(1), "AE is required");
    let out = stdout(&o);
    for want in [
        "patron status",
        "AO institution id",
        "\"BR1\"",
        "[required-field] AE",
    ] {
        assert!(out.contains(want), "{want:?} not in\n{out}");
    }
}

#[test]
fn not_a_message_is_reported_not_fatal() {
    let o = sip2check(&["decode", "x", "941"], b"");
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("message 1: not a SIP message") && out.contains("94 Login Response"),
        "{out}"
    );
}

#[test]
fn checksum_flag_requires_a_trailer() {
    let o = sip2check(&["decode", "--checksum", "941"], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("[checksum-missing]"));
}

#[test]
fn latin1_stdin_is_decoded() {
    let o = sip2check(
        &["decode", "--json", "--encoding", "latin1"],
        b"1803020120260101    084237AB660|AJc\xe1liz|\r",
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout(&o).contains("cáliz"));
}

#[test]
fn usage_errors_exit_2() {
    let o = sip2check(&["decode", "--encoding", "ebcdic", "941"], b"");
    assert_eq!(o.status.code(), Some(2));
    let o = sip2check(&["spec", "nonsense"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no message \"nonsense\""));
}

#[test]
fn spec_prints_layouts_rules_and_json() {
    let o = sip2check(&["spec", "checkout_response"], b"");
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("12 Checkout Response")
            && out.contains("renewal_ok")
            && out.contains("AJ title identifier"),
        "{out}"
    );
    let o = sip2check(&["spec", "--rules"], b"");
    assert!(stdout(&o).contains("fixed-length") && stdout(&o).contains("lf-after-cr"));
    let o = sip2check(&["spec", "--json"], b"");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["messages"].as_array().unwrap().len(), 31);
}

#[test]
fn protocol_1_00_excuses_bx_in_a_98() {
    let status = "98YYYYNN01000320261129    0842372.00AOBR1|";
    let o = sip2check(&["decode", status], b"");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("[required-field] BX"), "{}", stdout(&o));
    let o = sip2check(&["decode", "--protocol", "1.00", status], b"");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("no violations"), "{}", stdout(&o));
    let o = sip2check(&["decode", "--protocol", "1.5", status], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("give 1.00 or 2.00"),
        "{o:?}"
    );
}

#[test]
fn spec_rules_lists_clock_skew() {
    let o = sip2check(&["spec", "--rules"], b"");
    let out = stdout(&o);
    let line = out
        .lines()
        .find(|l| l.starts_with("clock-skew "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("warning"), "{line}");
}
