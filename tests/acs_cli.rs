//! `sip2check serve` end to end: the real binary, port 0, SIGTERM, and the --strict report.

mod acs_support;
mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::cli::{exchange, output, serve};

#[test]
fn serve_answers_login_and_status_and_stops_on_sigterm() {
    let s = serve(&[]);
    let r = exchange(s.addr, &["9300CNsip_01|COsip_01|CPBR1|", "9910302.00"]);
    assert_eq!(r[0], "941");
    let bx = r[1].split("BX").nth(1).unwrap().split('|').next().unwrap();
    assert_eq!(bx.len(), 16);
    let (code, stderr) = s.stop();
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("stopped after 1 connections, 2 requests"),
        "{stderr}"
    );
}

#[test]
fn checkout_to_the_siptest_patron_then_refused_for_another_then_checkin() {
    let s = serve(&["--terminator", "cr"]);
    let co = "11YN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|";
    let r = exchange(
        s.addr,
        &[
            "9300CNsip_01|COsip_01|CPBR1|",
            co,
            &co.replace("AA999999", "AAmiker"),
            "09N20060102    08423620060113    084235AP|AOBR1|AB1565921879|AC|",
        ],
    );
    assert!(
        r[1].starts_with("121NNY") && r[1].contains("|AH2"),
        "{}",
        r[1]
    );
    assert!(r[2].starts_with("120"), "{}", r[2]);
    assert!(r[3].starts_with("101"), "{}", r[3]);
    s.stop();
}

#[test]
fn strict_report_lists_a_wrong_fixed_part_length() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("r.xml");
    let s = serve(&["--strict", "--report", xml.to_str().unwrap(), "--json"]);
    let r = exchange(
        s.addr,
        &[
            "9300CNsip_01|COsecret_pw|CPBR1|",
            "230012006010    084237AOBR1|AA999999|AC|AD|",
        ],
    );
    assert_eq!(r[0], "940");
    let (code, stderr) = s.stop();
    assert_eq!(code, 1, "a failing client makes serve exit 1: {stderr}");
    assert!(stderr.contains("[fixed-length]"), "logged: {stderr}");
    assert!(
        stderr.contains("230012006010"),
        "raw message logged: {stderr}"
    );
    let report = std::fs::read_to_string(&xml).unwrap();
    assert!(
        report.contains("tests=\"2\"") && report.contains("failures=\"1\""),
        "{report}"
    );
    assert!(report.contains("type=\"fixed-length\""), "{report}");
    assert!(
        !report.contains("secret_pw"),
        "passwords are masked: {report}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
    assert_eq!(json["failed"], 1);
    assert_eq!(json["records"][1]["violations"][0]["rule"], "fixed-length");
}

#[test]
fn bad_library_file_is_a_usage_error_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib.yaml");
    std::fs::write(&lib, "institutions:\n  - { id: BR1, name: L }\naccounts:\n  - { login: a, password: b, institution: NOPE }\n").unwrap();
    let out = output(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--library",
        lib.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("lib.yaml:4:") && err.contains("\"NOPE\""),
        "{err}"
    );
}

#[test]
fn unusable_tls_files_are_a_usage_error_and_a_taken_port_a_connection_error() {
    let out = output(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--tls-cert",
        "/nonexistent/c.pem",
        "--tls-key",
        "/nonexistent/k.pem",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/c.pem"));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let out = output(&["serve", "--listen", &port]);
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dialect_folio_ignores_a_status_before_the_login_and_speaks_cp850() {
    let s = serve(&["--dialect", "folio"]);
    let mut c = TcpStream::connect(s.addr).unwrap();
    c.set_read_timeout(Some(acs_support::TIMEOUT)).unwrap();
    c.write_all(b"9910302.00\r9300CNsip_01|COsip_01|CPBR1|\r1720060110    215612AOBR1|AB660|\r")
        .unwrap();
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while got.iter().filter(|&&b| b == b'\r').count() < 2 {
        c.read_exact(&mut byte).unwrap();
        got.push(byte[0]);
    }
    assert!(got.starts_with(b"941\r18"), "{got:?}");
    let title: &[u8] = b"AJHarry Potter y el c\xA0liz de fuego|";
    assert!(got.windows(title.len()).any(|w| w == title), "{got:?}");
    let (code, stderr) = s.stop();
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn a_dialect_without_a_preset_is_a_usage_error_naming_the_presets() {
    let out = output(&["serve", "--listen", "127.0.0.1:0", "--dialect", "polaris"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no Polaris preset") && err.contains("evergreen, koha, folio and emulator"),
        "{err}"
    );
}
