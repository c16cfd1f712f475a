//! `sip2check probe`, `load` and `serve --max-connections` end to end: the real binary against
//! the emulator (`serve` on port 0) and its fault knobs. Every wait is bounded.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::cli::{bin, output_within, serve, signal, stderr, stdout};

const WAIT: Duration = Duration::from_secs(20);
/// The password of the library's kiosk account in these tests; it must never be printed.
const SECRET: &str = "Kiosk-Secret-42";
const WRONG: &str = "Wrong-Secret-17";

/// A child process that a failing test does not leave running.
struct Guard(Option<Child>);

impl Guard {
    fn take(&mut self) -> Child {
        self.0.take().expect("the child is still here")
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The built-in library with one more account, `kiosk`, whose password is [`SECRET`].
fn library(dir: &Path) -> String {
    let text = include_str!("../fixtures/library.yaml").replace(
        "accounts:\n",
        &format!("accounts:\n  - {{ login: kiosk, password: {SECRET}, institution: BR1, location: BR1 }}\n"),
    );
    let path = dir.join("library.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Runs the binary to its end; a run over [`WAIT`] is killed and fails the test.
fn run(args: &[&str]) -> (i32, String, String) {
    let o = output_within(bin().args(args), WAIT);
    (o.status.code().unwrap_or(-1), stdout(&o), stderr(&o))
}

fn assert_no_secret(text: &str) {
    assert!(
        !text.contains(SECRET) && !text.contains(WRONG),
        "a password was printed: {text}"
    );
}

/// `probe --plugin` against `server`: exit code, first line, all output.
fn plugin(endpoint: &str, extra: &[&str]) -> (i32, String, String) {
    let login = format!("kiosk:{SECRET}:BR1");
    let mut args = vec![
        "probe",
        "--plugin",
        "--endpoint",
        endpoint,
        "--login",
        &login,
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_no_secret(&out);
    assert_no_secret(&err);
    let first = out.lines().next().unwrap_or_default().to_string();
    (code, first, out)
}

#[test]
fn probe_plugin_exit_codes_for_every_class() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library(dir.path());

    let good = serve(&["--library", &lib]);
    let (code, first, out) = plugin(&good.endpoint, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(
        first.starts_with(&format!(
            "SIP2 OK - {}: 1 of 1 accounts ok | 'kiosk total'=",
            good.endpoint
        )),
        "{first}"
    );
    assert!(out.contains(" ok ") && out.contains("status"), "{out}");

    let wrong = format!("kiosk:{WRONG}");
    let (code, out, err) = run(&[
        "probe",
        "--plugin",
        "--endpoint",
        &good.endpoint,
        "--login",
        &wrong,
    ]);
    assert_no_secret(&out);
    assert_no_secret(&err);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.starts_with("SIP2 CRITICAL - ") && out.contains("kiosk bad-credentials"),
        "{out}"
    );

    // The profile's patron is unknown to the library.
    let profile = dir.path().join("p.yaml");
    std::fs::write(
        &profile,
        "vars:\n  institution: BR1\n  patron: { barcode: no_such_patron }\n",
    )
    .unwrap();
    let (code, first, out) = plugin(
        &good.endpoint,
        &["--profile", profile.to_str().unwrap(), "--patron"],
    );
    assert_eq!(code, 2, "{out}");
    assert!(first.contains("kiosk bad-patron"), "{out}");
    good.stop();

    let slow = serve(&["--library", &lib, "--delay-ms", "150"]);
    let (code, first, out) = plugin(&slow.endpoint, &["--warn-ms", "100", "--crit-ms", "5000"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        first.starts_with("SIP2 WARNING - ") && first.contains("kiosk slow"),
        "{out}"
    );
    let (code, first, out) = plugin(&slow.endpoint, &["--warn-ms", "50", "--crit-ms", "100"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        first.starts_with("SIP2 CRITICAL - ") && first.contains("kiosk slow"),
        "{out}"
    );
    slow.stop();

    for (knob, class) in [
        (&["--silent"][..], "silent"),
        (&["--close-on", "93"][..], "refused"),
        (&["--garbage"][..], "protocol"),
        (&["--always-96"][..], "protocol"),
    ] {
        let s = serve(&[&["--library", lib.as_str()][..], knob].concat());
        let (code, first, out) = plugin(&s.endpoint, &["--timeout", "0.5"]);
        assert_eq!(code, 2, "{knob:?}: {out}");
        assert!(first.contains(&format!("kiosk {class}")), "{knob:?}: {out}");
        s.stop();
    }

    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = closed.local_addr().unwrap().to_string();
    drop(closed);
    let (code, first, out) = plugin(&endpoint, &[]);
    assert_eq!(code, 2, "{out}");
    assert!(first.contains("kiosk unreachable"), "{out}");

    // The check itself cannot run: UNKNOWN.
    let (code, out, _) = run(&["probe", "--plugin", "--endpoint", &endpoint]);
    assert_eq!(code, 3, "no account: {out}");
    assert!(
        out.starts_with("SIP2 UNKNOWN - no account to probe"),
        "{out}"
    );
    let (code, _, err) = run(&["probe", "--plugin", "--no-such-flag"]);
    assert_eq!(code, 3, "a bad flag: {err}");
    let (code, _, _) = run(&["probe", "--no-such-flag"]);
    assert_eq!(code, 2, "without --plugin a bad flag is a usage error");
}

#[test]
fn probe_prints_a_line_per_account_with_its_own_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&["--library", &library(dir.path())]);
    let profile = dir.path().join("p.yaml");
    std::fs::write(
        &profile,
        format!(
            "endpoint: \"{}\"\nprobe:\n  accounts:\n    - {{ user: kiosk, password: \"{{{{ env.KIOSK_PW }}}}\", location: BR1 }}\n    - {{ user: sip_crlf, password: sip_crlf }}\nvars:\n  institution: BR1\n  patron: {{ barcode: \"999999\", pin: \"6789\" }}\n",
            s.endpoint
        ),
    )
    .unwrap();
    let run_env = |pw: &str| {
        let out = bin()
            .args(["probe", "--profile", profile.to_str().unwrap(), "--patron"])
            .env("KIOSK_PW", pw)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_no_secret(&stdout);
        assert_no_secret(&stderr);
        (out.status.code().unwrap_or(-1), stdout)
    };
    let (code, out) = run_env(SECRET);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(&format!("kiosk@{} ok ", s.endpoint)),
        "{out}"
    );
    assert!(lines[0].contains("patron "), "the patron phase ran: {out}");
    assert!(lines[1].starts_with("sip_crlf@"), "{out}");
    let (code, out) = run_env(WRONG);
    assert_eq!(code, 1, "one account failing: {out}");
    assert!(
        out.contains("kiosk@") && out.contains("bad-credentials"),
        "{out}"
    );
    s.stop();
    let (code, out) = run_env(SECRET);
    assert_eq!(code, 4, "nothing reachable: {out}");
}

/// A line of the OpenMetrics text format (the subset the probe writes).
fn check_exposition(text: &str) {
    let sample =
        regex::Regex::new(r#"^[a-z_][a-z0-9_]*\{([a-z_]+="[^"]*",?)+\} -?[0-9.e+-]+$"#).unwrap();
    let mut typed = std::collections::HashSet::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert_eq!(kind, "gauge", "{line}");
            typed.insert(name.to_string());
        } else if line.starts_with("# HELP ") || line == "# EOF" {
        } else {
            assert!(sample.is_match(line), "not a sample line: {line:?}");
            let name = line.split('{').next().unwrap();
            assert!(typed.contains(name), "{name} has no TYPE before it");
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
    }
    assert_eq!(text.lines().last(), Some("# EOF"));
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn probe_every_writes_the_textfile_and_serves_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&["--library", &library(dir.path())]);
    let prom = dir.path().join("sip2.prom");
    let login = format!("kiosk:{SECRET}:BR1");
    let mut child = bin()
        .args([
            "probe",
            "--endpoint",
            &s.endpoint,
            "--login",
            &login,
            "--every",
            "0.2",
            "--count",
            "100",
            "--prometheus",
            prom.to_str().unwrap(),
            "--metrics-listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut child = Guard(Some(child));
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let addr = first
        .trim()
        .strip_prefix("serving metrics on http://")
        .and_then(|r| r.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_string();
    // The first round may still be running: poll until it is in (bounded).
    let start = Instant::now();
    let body = loop {
        let response = http_get(&addr, "/metrics");
        if response.contains("sip2_probe_up{") || start.elapsed() > WAIT {
            break response;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(body.starts_with("HTTP/1.1 200 OK"), "{body}");
    let up = format!(
        r#"sip2_probe_up{{endpoint="{}",account="kiosk"}} 1"#,
        s.endpoint
    );
    assert!(body.contains(&up), "{body}");
    let text = body.split("\r\n\r\n").nth(1).unwrap();
    check_exposition(text);
    assert!(http_get(&addr, "/other").starts_with("HTTP/1.1 404"));
    let child = child.take();
    signal(child.id(), "TERM");
    let out = child.wait_with_output().unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_no_secret(&stdout);
    assert_no_secret(&rest);
    assert_eq!(out.status.code(), Some(0), "{stdout}{rest}");
    assert!(
        stdout.lines().count() >= 1 && stdout.lines().all(|l| l.starts_with("kiosk@")),
        "{stdout}"
    );
    let file = std::fs::read_to_string(&prom).unwrap();
    check_exposition(&file);
    assert!(file.contains(&up), "{file}");
    for phase in ["connect", "login", "status", "total"] {
        assert!(
            file.contains(&format!("phase=\"{phase}\"")),
            "{phase}: {file}"
        );
    }
    assert!(
        file.contains("sip2_probe_last_success_timestamp_seconds{"),
        "{file}"
    );
    assert_no_secret(&file);
    s.stop();
}

#[test]
fn probe_serves_metrics_only_on_loopback_unless_allowed() {
    let (code, _, err) = run(&[
        "probe",
        "--endpoint",
        "127.0.0.1:1",
        "--login",
        "a:b",
        "--every",
        "1",
        "--count",
        "1",
        "--metrics-listen",
        "0.0.0.0:0",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not a loopback address") && err.contains("--metrics-allow-remote"),
        "{err}"
    );
}

fn load_json(args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut all = vec!["load", "--json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    let json = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    (code, json, err)
}

/// requests = ok + errors, overall and per type; the per-type counts add up to the totals.
fn assert_counts_add_up(j: &serde_json::Value) {
    let n = |v: &serde_json::Value| v.as_u64().unwrap();
    assert_eq!(n(&j["requests"]), n(&j["ok"]) + n(&j["errors"]), "{j}");
    let types = j["types"].as_array().unwrap();
    for key in ["requests", "ok", "refused", "errors"] {
        let sum: u64 = types.iter().map(|t| n(&t[key])).sum();
        assert_eq!(sum, n(&j[key]), "{key}: {j}");
    }
    let by_class: u64 = j["errors_by_class"]
        .as_object()
        .unwrap()
        .values()
        .map(n)
        .sum();
    assert_eq!(by_class, n(&j["errors"]), "{j}");
}

#[test]
fn load_runs_the_mix_against_the_emulator_and_the_counts_add_up() {
    let s = serve(&["--isolate"]);
    let (code, j, err) = load_json(&[
        "--endpoint",
        &s.endpoint,
        "--connections",
        "3",
        "--requests",
        "300",
    ]);
    assert_eq!(code, 0, "{j}{err}");
    assert_counts_add_up(&j);
    let requests = j["requests"].as_u64().unwrap();
    // Each connection may check in what it still has out after the 300th request.
    assert!((300..=306).contains(&requests), "{j}");
    assert_eq!(j["errors"], 0, "{j}");
    assert_eq!(
        j["refused"], 0,
        "with --isolate every checkout, renewal and checkin succeeds: {j}"
    );
    assert_eq!(j["left_checked_out"], 0, "{j}");
    let codes: Vec<&str> = j["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    for code in ["93", "99", "63", "17", "11", "29", "09"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let checkouts = j["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "11")
        .unwrap();
    let checkins = j["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "09")
        .unwrap();
    assert_eq!(
        checkouts["requests"], checkins["requests"],
        "every checkout is checked in: {j}"
    );
    assert!(j["latency_ms"]["p99"].as_f64().unwrap() >= j["latency_ms"]["p50"].as_f64().unwrap());
    assert!(j["cpu"]["user_s"].as_f64().is_some());
    s.stop();
}

#[test]
fn load_rate_paces_requests_instead_of_sending_as_fast_as_answers_come() {
    let s = serve(&["--isolate"]);
    let (code, j, err) = load_json(&[
        "--endpoint",
        &s.endpoint,
        "--connections",
        "4",
        "--duration",
        "2",
        "--rate",
        "100",
    ]);
    assert_eq!(code, 0, "{j}{err}");
    assert_counts_add_up(&j);
    assert_eq!(j["mode"], "open-loop");
    // 100/s for 2 s is 200 requests due (a few more checkins may return what is still out);
    // a closed loop on 4 connections would send thousands.
    let n = j["requests"].as_u64().unwrap();
    assert!((150..=210).contains(&n), "{n} requests: {j}");
    s.stop();
}

#[test]
fn load_classifies_errors_under_faults() {
    let s = serve(&["--isolate", "--close-after", "5"]);
    let (code, j, _) = load_json(&[
        "--endpoint",
        &s.endpoint,
        "--connections",
        "2",
        "--requests",
        "60",
    ]);
    assert_eq!(code, 1, "{j}");
    assert_counts_add_up(&j);
    assert!(j["errors_by_class"]["closed"].as_u64().unwrap() > 0, "{j}");
    assert!(
        j["connections_opened"].as_u64().unwrap() > 2,
        "lost connections are opened again: {j}"
    );
    s.stop();

    let s = serve(&["--always-96"]);
    let (code, j, _) = load_json(&[
        "--endpoint",
        &s.endpoint,
        "--connections",
        "2",
        "--duration",
        "2",
    ]);
    assert_eq!(code, 1, "{j}");
    assert_counts_add_up(&j);
    assert_eq!(
        j["errors_by_class"]["wrong-type"], 2,
        "each connection's login got a 96: {j}"
    );
    assert_eq!(
        j["stopped"]["the login was answered badly (wrong-type)"], 2,
        "{j}"
    );
    s.stop();

    let s = serve(&["--bad-checksum"]);
    let (code, j, _) = load_json(&[
        "--endpoint",
        &s.endpoint,
        "--connections",
        "1",
        "--requests",
        "20",
    ]);
    assert_eq!(code, 1, "{j}");
    assert_counts_add_up(&j);
    assert!(
        j["lint_errors_by_rule"]["checksum"].as_u64().unwrap() > 0,
        "{j}"
    );
    s.stop();
}

#[test]
fn load_runs_scenario_steps_with_their_checks() {
    let s = serve(&["--isolate"]);
    let (code, j, err) = load_json(&[
        "--endpoint",
        &s.endpoint,
        "--connections",
        "2",
        "--requests",
        "40",
        "--scenario",
        "scenarios/spec/checkout.yaml",
    ]);
    assert_eq!(code, 0, "{j}{err}");
    assert_counts_add_up(&j);
    assert_eq!(j["errors"], 0, "{j}");
    let (code, j, _) = load_json(&[
        "--endpoint",
        &s.endpoint,
        "--connections",
        "1",
        "--requests",
        "9",
        "--scenario",
        "tests/scenarios/fail/wrong_name.yaml",
    ]);
    assert_eq!(code, 1, "{j}");
    assert_counts_add_up(&j);
    assert_eq!(
        j["errors_by_class"]["check"], 3,
        "one failed check per round of 3 steps: {j}"
    );
    s.stop();
}

#[test]
fn load_refuses_remote_targets_and_unbounded_runs() {
    // TEST-NET-1: never contacted, the run is refused before any connection.
    let (code, _, err) = run(&["load", "--endpoint", "192.0.2.1:6001", "--duration", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not a loopback address") && err.contains("--allow-remote"),
        "{err}"
    );
    let (code, _, err) = run(&["load", "--endpoint", "127.0.0.1:6001"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("must be bounded"), "{err}");
}

#[test]
fn ramp_finds_the_connection_cap_of_serve() {
    let s = serve(&["--isolate", "--max-connections", "4"]);
    let (code, j, err) = load_json(&[
        "--endpoint",
        &s.endpoint,
        "--connections",
        "12",
        "--ramp",
        "--ramp-step",
        "4",
        "--ramp-hold",
        "1",
    ]);
    assert_eq!(code, 0, "a ramp that found its limit: {j}{err}");
    let result = j["ramp"]["result"].as_str().unwrap();
    assert!(
        result.starts_with("held 4 connections; at 8: ") && result.contains("not served"),
        "{j}"
    );
    let steps = j["ramp"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{j}");
    assert_eq!(steps[0]["errors"], 0, "{j}");
    let (_, log) = s.stop();
    assert!(
        log.contains("closed the connection from 127.0.0.1:")
            && log.contains("4 connections are open"),
        "{log}"
    );
}

/// A raw client: login, then whatever is asked.
fn client(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

/// Sends a login and reads the answer; None when the server closed the connection instead.
fn login(s: &mut TcpStream) -> Option<String> {
    s.write_all(b"9300CNsip_01|COsip_01|CPBR1|\r").ok()?;
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r") {
        match s.read(&mut byte) {
            Ok(1) => answer.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&answer).trim_end().to_string())
}

#[test]
fn serve_closes_the_connection_over_the_cap_at_once_and_serves_the_next_one() {
    let s = serve(&["--max-connections", "2"]);
    let mut a = client(s.addr);
    let mut b = client(s.addr);
    assert_eq!(login(&mut a).as_deref(), Some("941"));
    assert_eq!(login(&mut b).as_deref(), Some("941"));
    let mut c = client(s.addr);
    let mut buf = [0u8; 16];
    // Closed at once: end of stream (or a reset) before anything is sent, well inside WAIT.
    let started = Instant::now();
    assert!(matches!(c.read(&mut buf), Ok(0) | Err(_)));
    assert!(started.elapsed() < WAIT);
    drop(a);
    // The server notices the close on its next read; until then the cap still holds (bounded retry).
    let deadline = Instant::now() + WAIT;
    let served = loop {
        let mut d = client(s.addr);
        if let Some(answer) = login(&mut d) {
            break answer;
        }
        assert!(
            Instant::now() < deadline,
            "no new client was served after one closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(served, "941");
    assert_eq!(
        login(&mut b).as_deref(),
        Some("941"),
        "the others are still served"
    );
    let (_, log) = s.stop();
    assert!(
        log.contains("closed the connection from 127.0.0.1:")
            && log.contains("2 connections are open (--max-connections)"),
        "{log}"
    );
}
