//! `sip2check proxy` end to end: the real binary between `sip2check send` and `sip2check serve`,
//! stopped by SIGTERM, which writes the report; the transcript reads back with `logscan`.

mod common;

use std::net::SocketAddr;
use std::process::Output;

use common::cli::{bin, start};

fn send(endpoint: SocketAddr, args: &[&str]) -> Output {
    bin()
        .arg("send")
        .args(["--endpoint", &endpoint.to_string(), "--timeout", "10"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn sigterm_writes_the_report_and_the_transcript_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("session.log");
    let report = dir.path().join("session.xml");
    let serve = start(&["serve", "--listen", "127.0.0.1:0"]);
    let upstream = serve.addr.to_string();
    let proxy = start(&[
        "proxy",
        "--listen",
        "127.0.0.1:0",
        "--upstream",
        &upstream,
        "--log",
        log.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--json",
    ]);
    // A wrong password (refused, and never shown) and a checkout whose fixed part is one short.
    let out = send(
        proxy.addr,
        &[
            "--login",
            "sip_01:s3cret-pw:BR1",
            "9900302.00",
            "11YN20260305    101510                 AOBR1|AA999999|AB1565921879|AC|",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, stderr) = proxy.stop();
    serve.stop();
    assert_eq!(code, 1, "an error-severity finding: {stderr}");
    assert!(stderr.contains("closed by the device"), "{stderr}");
    assert!(stderr.contains("device message 3 11 Checkout"), "{stderr}");
    assert!(
        stderr.contains("the device sent 11 Checkout x1, 93 Login x1, 99 SC Status x1 (1 failed)"),
        "{stderr}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.with_extension("json")).unwrap())
            .unwrap();
    assert_eq!(json["device"]["failed"], 1);
    assert_eq!(json["acs"]["failed"], 0);
    let checkout = &json["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "11")
        .unwrap();
    assert_eq!(checkout["sender"], "device");
    assert_eq!(checkout["violations"][0]["rule"], "fixed-length");
    let xml = std::fs::read_to_string(&report).unwrap();
    assert!(
        xml.contains("sip2check proxy: device (SC) messages"),
        "{xml}"
    );
    assert!(xml.contains("type=\"fixed-length\""), "{xml}");

    let transcript = std::fs::read_to_string(&log).unwrap();
    for text in [&xml, &transcript, &stderr] {
        assert!(!text.contains("s3cret-pw"), "a password in\n{text}");
    }
    assert!(
        transcript.contains(" #1 device> 9300CNsip_01|CO***|CPBR1|<CR>"),
        "{transcript}"
    );
    assert!(transcript.contains(" #1 acs> 940<CR>"), "{transcript}");

    // logscan reads the transcript and finds the same fault at its line.
    let scan = bin()
        .args(["logscan", "--json", log.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(scan.status.code(), Some(1));
    let scanned: serde_json::Value = serde_json::from_slice(&scan.stdout).unwrap();
    assert_eq!(scanned["files"][0]["format"], "proxy");
    let worst = &scanned["worst"][0];
    assert_eq!(worst["violations"][0]["rule"], "fixed-length");
    let line = worst["line"].as_u64().unwrap() as usize;
    assert!(
        transcript
            .lines()
            .nth(line - 1)
            .unwrap()
            .contains("device> 11YN"),
        "line {line} of\n{transcript}"
    );
}

#[test]
fn a_network_address_needs_allow_remote() {
    let out = bin()
        .args([
            "proxy",
            "--listen",
            "0.0.0.0:0",
            "--upstream",
            "127.0.0.1:6001",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a loopback address; add --allow-remote"),
        "{err}"
    );
}
