//! Console conventions end to end (issue 11 item 4), through the built binary: stdout carries
//! only the results (`run -- --format json` and `run --json -` parse), the banner, notes,
//! progress and `-v` transcripts go to stderr, colour follows `--color`, `NO_COLOR` and
//! `CLICOLOR_FORCE`, `run --wait` waits for a server that starts late, report directories are
//! created, a run stopped by SIGINT or SIGTERM still writes its reports and exits 130 or 143,
//! and `serve --log` writes every request and response, masked.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::cli::{BIN, bare, free_port, serve, serve_on, signal};

const PROFILE: &str = "fixtures/profiles/emulator.yaml";

/// The binary in the crate root with a scrubbed environment (no colour asked for either way).
fn sip2check(args: &[&str]) -> Command {
    let mut c = bare();
    c.args(args);
    c
}

fn output(args: &[&str]) -> Output {
    sip2check(args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn human_results_on_stdout_and_the_banner_on_stderr() {
    let o = output(&["run", "tests/scenarios/pass"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("test pass::item"), "{out}");
    assert!(out.contains("sip2check: 2 scenarios: 2 passed"), "{out}");
    assert!(
        !out.contains("scenario(s) against"),
        "no banner on stdout: {out}"
    );
    assert!(
        err.contains("sip2check: 2 scenario(s) against built-in emulator"),
        "{err}"
    );
}

#[test]
fn libtest_json_lines_alone_on_stdout() {
    let o = output(&["run", "tests/scenarios/pass", "--", "--format", "json"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?} is not JSON: {e}")))
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "ok" && e["name"] == "pass::item"),
        "{out}"
    );
    assert!(
        err.contains("sip2check: 2 scenarios: 2 passed"),
        "our summary goes to stderr: {err}"
    );
    let failed = output(&[
        "run",
        "tests/scenarios/fail",
        "--color",
        "always",
        "--",
        "--format",
        "json",
    ]);
    let out = text(&failed.stdout);
    assert!(out.contains("\"event\": \"failed\""), "{out}");
    assert!(
        !out.contains("\\u001b") && !out.contains('\x1b'),
        "no colour inside libtest's JSON: {out}"
    );
}

#[test]
fn json_dash_writes_the_report_alone_on_stdout() {
    let o = output(&["run", "tests/scenarios/fail", "--json", "-"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    let report: serde_json::Value = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{out}"));
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["summary"]["failed"], 1);
    assert!(
        err.contains("test fail::wrong_name ... FAILED") && err.contains("1 scenarios: 0 passed"),
        "libtest's lines and the summary go to stderr: {err}"
    );
    let clash = output(&[
        "run",
        "tests/scenarios/pass",
        "--json",
        "-",
        "--",
        "--format",
        "json",
    ]);
    assert_eq!(clash.status.code(), Some(2), "{}", text(&clash.stderr));
    assert!(text(&clash.stderr).contains("both want stdout"));
}

#[test]
fn verbose_prints_masked_transcripts_on_stderr_and_no_progress_off_a_terminal() {
    let o = output(&["run", "tests/scenarios/pass", "-v"]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        err.contains("[pass::patron_status] step 3 \"valid patron, structured\" passed"),
        "{err}"
    );
    let sent = err
        .lines()
        .find(|l| l.starts_with("[pass::patron_status]   > 23"))
        .unwrap_or_else(|| panic!("a sent line: {err}"));
    assert!(sent.contains("|AD***|"), "the PIN is masked: {sent}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("[pass::patron_status]   < 24") && l.contains("|AE***|")),
        "personal data is masked: {err}"
    );
    assert!(
        err.contains("[pass::item] passed in"),
        "each scenario's verdict: {err}"
    );
    assert!(!out.contains("   > "), "no transcript on stdout: {out}");
    // stderr is a pipe here: no progress line, no terminal control.
    assert!(!err.contains('\r') && !err.contains('\x1b'), "{err:?}");
    assert!(!err.contains(" done, "), "{err}");
}

/// Runs `sip2check` under `script`, which gives it a terminal; None where `script` is missing.
fn on_a_terminal(command: &str) -> Option<String> {
    let o = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    Some(text(&o.stdout))
}

#[test]
fn on_a_terminal_a_progress_line_names_the_running_step() {
    let serve = serve(&["--delay-ms", "300"]);
    let command = format!(
        "{BIN} run tests/scenarios/pass --endpoint {} --profile {PROFILE} --jobs 1 --color never",
        serve.addr
    );
    let Some(screen) = on_a_terminal(&command) else {
        eprintln!("`script` is not installed: the terminal side of the progress line was not run");
        return;
    };
    serve.stop();
    assert!(
        screen.contains("\r\x1b[Ksip2check: 0/2 done, ")
            && screen.contains("pass::item step 1 \"login\""),
        "{screen:?}"
    );
    assert!(screen.contains("test result: ok. 2 passed"), "{screen:?}");
}

#[test]
fn colour_follows_the_flag_and_the_environment() {
    let has_escape = |o: &Output| o.stdout.contains(&0x1b) || o.stderr.contains(&0x1b);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut c = sip2check(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("runs")
    };
    let failing = ["run", "tests/scenarios/fail"];
    let never = run(
        &[&failing[..], &["--color", "never"]].concat(),
        &[("CLICOLOR_FORCE", "1")],
    );
    assert!(!has_escape(&never), "{}", text(&never.stdout));
    assert_eq!(never.status.code(), Some(1));
    let always = run(
        &[&failing[..], &["--color", "always"]].concat(),
        &[("NO_COLOR", "1")],
    );
    assert!(
        always.stdout.contains(&0x1b),
        "--color always beats NO_COLOR"
    );
    let forced = run(&failing, &[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.stdout.contains(&0x1b),
        "CLICOLOR_FORCE colours a pipe"
    );
    let both = run(&failing, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!has_escape(&both), "NO_COLOR wins over CLICOLOR_FORCE");
    assert!(
        !has_escape(&run(&failing, &[])),
        "a pipe gets no colour by default"
    );
    // The other subcommands decide the same way.
    let bad = "2300120260101    084237AOBR1|";
    let serve = serve(&[]);
    let endpoint = serve.addr.to_string();
    for args in [
        &["decode", bad][..],
        &["spec", "--rules"],
        &["spec", "checkout"],
        &["logscan", "tests/logscan/koha.log"],
        &["send", "--endpoint", &endpoint, bad],
    ] {
        let plain = run(
            &[args, &["--color", "never"]].concat(),
            &[("CLICOLOR_FORCE", "1")],
        );
        assert!(!has_escape(&plain), "{args:?}: {}", text(&plain.stdout));
        let coloured = run(&[args, &["--color", "always"]].concat(), &[]);
        assert!(coloured.stdout.contains(&0x1b), "{args:?} colours");
    }
    serve.stop();
}

#[test]
fn help_is_grouped_by_heading() {
    let help = text(&output(&["run", "--help"]).stdout);
    for heading in ["Selection:", "Server:", "Behaviour:", "Reports:", "Output:"] {
        assert!(help.lines().any(|l| l == heading), "{heading} in {help}");
    }
    let help = text(&output(&["serve", "--help"]).stdout);
    for heading in ["Server:", "Dialect:", "Faults:", "Reports:"] {
        assert!(help.lines().any(|l| l == heading), "{heading} in {help}");
    }
}

#[test]
fn wait_retries_the_first_connect_while_the_server_starts() {
    let addr = free_port();
    let endpoint = addr.to_string();
    let run = sip2check(&[
        "run",
        "tests/scenarios/pass",
        "--endpoint",
        &endpoint,
        "--profile",
        PROFILE,
        "--wait",
        "20",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("runs");
    // The server starts listening a second after the run started.
    std::thread::sleep(Duration::from_secs(1));
    let serve = serve_on(&addr.to_string(), &[]);
    let o = run.wait_with_output().expect("ends");
    serve.stop();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let refused = output(&[
        "run",
        "tests/scenarios/pass",
        "--endpoint",
        &free_port().to_string(),
        "--profile",
        PROFILE,
    ]);
    assert_eq!(
        refused.status.code(),
        Some(4),
        "without --wait it is exit 4 at once"
    );
}

#[test]
fn report_directories_are_created() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("reports/junit/run.xml");
    let json = dir.path().join("reports/run.json");
    let o = output(&[
        "run",
        "tests/scenarios/pass",
        "--junit",
        junit.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(junit.is_file() && json.is_file());
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, "").unwrap();
    let inside = blocked.join("run.xml");
    let o = output(&[
        "run",
        "tests/scenarios/pass",
        "--junit",
        inside.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        !text(&o.stdout).contains("running 2 tests"),
        "an unwritable report stops the run before it starts"
    );
}

/// Starts a slow run against `serve` with `-v`, reads stderr until a line starting with
/// `until`, sends `sig`, and returns the exit code, the JSON report and stderr.
fn interrupt(until: &str, sig: &str) -> (Option<i32>, serde_json::Value, String) {
    let serve = serve(&["--delay-ms", "400"]);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let junit = dir.path().join("run.xml");
    let mut run = sip2check(&[
        "run",
        "tests/scenarios/pass",
        "--endpoint",
        &serve.addr.to_string(),
        "--profile",
        PROFILE,
        "--jobs",
        "1",
        "-v",
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("runs");
    let mut err = BufReader::new(run.stderr.take().expect("stderr"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            err.read_line(&mut line).expect("stderr") > 0,
            "the run ended before {until:?}: {seen}"
        );
        seen.push_str(&line);
        if line.starts_with(until) {
            break;
        }
    }
    signal(run.id(), sig);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).expect("stderr");
    seen.push_str(&rest);
    let status = run.wait().expect("the run ends");
    serve.stop();
    let report = serde_json::from_str(&std::fs::read_to_string(&json).expect("the JSON report"))
        .expect("JSON");
    assert!(junit.is_file(), "the JUnit report is written too");
    (status.code(), report, seen)
}

fn outcome<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {report}"))
}

#[cfg(unix)]
#[test]
fn sigint_after_a_scenario_keeps_its_result_and_exits_130() {
    let (code, report, err) = interrupt("[pass::item] passed in", "INT");
    assert_eq!(code, Some(130), "{err}");
    assert_eq!(outcome(&report, "pass::item")["outcome"], "passed", "{err}");
    let rest = outcome(&report, "pass::patron_status");
    assert_ne!(rest["outcome"], "passed", "{rest}");
    assert!(
        rest["reason"]
            .as_str()
            .is_some_and(|r| r.contains("the run was interrupted (SIGINT)")),
        "{rest}"
    );
    assert!(
        err.contains("sip2check: SIGINT: no new step starts"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_mid_scenario_stops_it_before_its_next_step_and_exits_143() {
    let (code, report, err) = interrupt("[pass::patron_status] step 1 \"login\" passed", "TERM");
    assert_eq!(code, Some(143), "{err}");
    assert_eq!(outcome(&report, "pass::item")["outcome"], "passed", "{err}");
    let status = outcome(&report, "pass::patron_status");
    assert_eq!(status["outcome"], "errored", "{status}");
    // The signal comes after step 1; step 2 may already be on its way (then it finishes).
    let reason = status["reason"].as_str().unwrap_or_default();
    let stopped_at: usize = reason
        .strip_prefix("the run was interrupted (SIGTERM) before step ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{status}"));
    assert!((2..=3).contains(&stopped_at), "{status}");
    let steps = status["steps"].as_array().unwrap();
    for (i, step) in steps.iter().enumerate() {
        let want = if i + 1 < stopped_at {
            "passed"
        } else {
            "not run"
        };
        assert_eq!(step["status"], want, "step {}: {status}", i + 1);
    }
}

#[cfg(unix)]
#[test]
fn a_second_signal_writes_the_reports_at_once() {
    // Every answer takes 1.5 s: the first step is still waiting when both signals come.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let serve = serve(&["--delay-ms", "1500", "--log", log.to_str().unwrap()]);
    let json = dir.path().join("run.json");
    let mut run = sip2check(&[
        "run",
        "tests/scenarios/pass",
        "--endpoint",
        &serve.addr.to_string(),
        "--profile",
        PROFILE,
        "--jobs",
        "1",
        "--json",
        json.to_str().unwrap(),
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .expect("runs");
    let mut err = BufReader::new(run.stderr.take().expect("stderr"));
    let mut wait_for = |prefix: &str| loop {
        let mut line = String::new();
        assert!(
            err.read_line(&mut line).expect("stderr") > 0,
            "no {prefix:?}"
        );
        if line.starts_with(prefix) {
            break;
        }
    };
    wait_for("sip2check: 2 scenario(s) against");
    // The server logs a request as it arrives: once the scenario's login is there (after the
    // probe's login and SC status), the first step is waiting for its answer.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains(" conn 2 ")) {
        assert!(
            std::time::Instant::now() < deadline,
            "no request from the scenario"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    signal(run.id(), "INT");
    wait_for("sip2check: SIGINT: no new step starts");
    signal(run.id(), "INT");
    let status = run.wait().expect("the run ends");
    serve.stop();
    assert_eq!(status.code(), Some(130));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the report")).unwrap();
    let item = outcome(&report, "pass::item");
    assert_eq!(item["outcome"], "errored", "{item}");
    assert!(
        item["reason"]
            .as_str()
            .is_some_and(|r| r.contains("(SIGINT) while it ran")),
        "{item}"
    );
    assert_eq!(
        outcome(&report, "pass::patron_status")["outcome"],
        "skipped"
    );
}

#[test]
fn serve_log_has_every_request_and_response_masked_with_time_connection_and_peer() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("logs/serve.log");
    let serve = serve(&["--log", log.to_str().unwrap()]);
    let mut s = TcpStream::connect(serve.addr).expect("connects");
    let peer = s.local_addr().unwrap().to_string();
    let answers = exchange(
        &mut s,
        &[
            "9300CNsip_01|COsip_01|CPBR1|",
            "2300120260101    084237AOBR1|AA999999|AC|AD6789|",
        ],
    );
    drop(s);
    assert!(answers[1].contains("AEDavid J. Fiander"), "{answers:?}");
    let (_, err) = serve.stop();
    let text = std::fs::read_to_string(&log).expect("the log");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}\n{err}");
    let stamp = regex::Regex::new(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}([+-]\d\d:\d\d|Z) conn 1 (\S+) #(\d) ([<>]) (.*)$",
    )
    .unwrap();
    let parts: Vec<(String, String, String, String)> = lines
        .iter()
        .map(|l| {
            let c = stamp
                .captures(l)
                .unwrap_or_else(|| panic!("{l:?} is no log line"));
            (
                c[2].to_string(),
                c[3].to_string(),
                c[4].to_string(),
                c[5].to_string(),
            )
        })
        .collect();
    assert!(parts.iter().all(|p| p.0 == peer), "{text}");
    assert_eq!(
        parts
            .iter()
            .map(|p| (p.1.as_str(), p.2.as_str()))
            .collect::<Vec<_>>(),
        [("1", ">"), ("1", "<"), ("2", ">"), ("2", "<")]
    );
    assert_eq!(parts[0].3, "9300CNsip_01|CO***|CPBR1|<CR>");
    assert_eq!(parts[1].3, "941<CR>");
    assert!(parts[2].3.ends_with("|AD***|<CR>"), "{text}");
    assert!(
        parts[3].3.contains("|AE***|") && !text.contains("Fiander"),
        "personal data is masked: {text}"
    );
    // With --no-redact, personal data shows; passwords never do.
    let open = dir.path().join("open.log");
    let serve = common::cli::serve(&["--log", open.to_str().unwrap(), "--no-redact"]);
    let mut s = TcpStream::connect(serve.addr).expect("connects");
    exchange(
        &mut s,
        &[
            "9300CNsip_01|COsip_01|CPBR1|",
            "2300120260101    084237AOBR1|AA999999|AC|AD6789|",
        ],
    );
    drop(s);
    serve.stop();
    let text = std::fs::read_to_string(&open).expect("the log");
    assert!(text.contains("AEDavid J. Fiander"), "{text}");
    assert!(
        !text.contains("COsip_01") && !text.contains("AD6789"),
        "{text}"
    );
}

/// Sends each request (CR-terminated) and reads its answer through the CR.
fn exchange(s: &mut TcpStream, requests: &[&str]) -> Vec<String> {
    use std::io::{Read, Write};
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut answers = Vec::new();
    for r in requests {
        s.write_all(format!("{r}\r").as_bytes()).expect("sends");
        let mut answer = Vec::new();
        let mut byte = [0u8; 1];
        while !answer.ends_with(b"\r") {
            assert_eq!(s.read(&mut byte).expect("an answer"), 1, "closed early");
            answer.push(byte[0]);
        }
        answers.push(text(&answer));
    }
    answers
}

#[test]
fn junit_testcases_name_the_scenario_file_and_line_and_a_dotted_classname() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("run.xml");
    let o = output(&[
        "run",
        "tests/scenarios/fail",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let xml = std::fs::read_to_string(&junit).unwrap();
    // The login step comes from the built-in common.yaml through `use:`: a reader that links
    // one place gets the scenario's own line, the `use:` that pulls it in.
    assert!(
        xml.contains(
            r#"classname="sip2check.fail.wrong_name" file="tests/scenarios/fail/wrong_name.yaml:5""#
        ),
        "{xml}"
    );
    assert!(
        xml.contains(r#"file="tests/scenarios/fail/wrong_name.yaml:6""#),
        "{xml}"
    );
}
