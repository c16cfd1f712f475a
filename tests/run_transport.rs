//! `sip2check run` end to end against scripted servers (one script per connection: the
//! capability probe, then each scenario): what the reports show of the wire, the exit codes
//! of a server that crashes or only answers 96, and the reports of a run whose probe fails.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::cli::{bin, output_async, stderr, stdout};
use common::{Step, seq_of, serve_many, with_trailer};

const ACS_STATUS: &str = "98YYYYNN01000320260101    0842372.00AOBR1|BXYYYYYYYYYYYYYYYY|";

/// What a run of the binary left behind.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    json: Option<serde_json::Value>,
    junit: Option<String>,
}

/// A test directory: a suite `t/` of scenario files, a profile, and the report paths.
struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new(scenarios: &[(&str, &str)], profile: &str) -> Dir {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("t")).unwrap();
        for (name, text) in scenarios {
            std::fs::write(tmp.path().join("t").join(name), text).unwrap();
        }
        std::fs::write(tmp.path().join("profile.yaml"), profile).unwrap();
        Dir { tmp }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// Runs `run t/ --profile profile.yaml --json --junit` plus `extra` against `endpoint`.
    async fn run(&self, endpoint: &str, extra: &[&str]) -> Run {
        let mut args = vec![
            "run".to_string(),
            self.arg("t"),
            "--endpoint".into(),
            endpoint.into(),
            "--profile".into(),
            self.arg("profile.yaml"),
            "--json".into(),
            self.arg("out.json"),
            "--junit".into(),
            self.arg("out.xml"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        run_binary(&args, self.tmp.path()).await
    }
}

/// Runs the binary with `args`; reads the reports it wrote into `dir`.
async fn run_binary(args: &[String], dir: &Path) -> Run {
    let mut cmd = bin();
    cmd.args(args);
    let out = output_async(cmd, b"", Duration::from_secs(60)).await;
    let json = std::fs::read_to_string(dir.join("out.json"))
        .ok()
        .map(|t| serde_json::from_str(&t).expect("the JSON report parses"));
    Run {
        code: out.status.code(),
        stdout: stdout(&out),
        stderr: stderr(&out),
        json,
        junit: std::fs::read_to_string(dir.join("out.xml")).ok(),
    }
}

/// The probe of a profile without login variables: one 99, answered with a 98 (AY echoed).
fn probe() -> Vec<Step> {
    vec![
        Step::Answer(Box::new(|r| match seq_of(r) {
            Some(seq) => with_trailer(&format!("{ACS_STATUS}AY{seq}"), None),
            None => format!("{ACS_STATUS}\r").into_bytes(),
        })),
        Step::Silent,
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn sent_shows_the_ay_az_that_went_on_the_wire_even_when_no_answer_came() {
    let dir = Dir::new(
        &[(
            "status.yaml",
            "steps:\n  - name: status\n    send: \"9900302.00\"\n    expect: { leader: '^98' }\n",
        )],
        "error_detection: on\ntimeouts: { connect: 2, response: 1 }\n",
    );
    let server = serve_many(vec![probe(), vec![Step::Read, Step::Silent]]).await;
    let r = dir.run(&server.endpoint(), &[]).await;
    let json = r.json.expect("a JSON report");
    let sent = json["scenarios"][0]["steps"][0]["sent"]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let wire = server.handle.await.unwrap();
    assert_eq!(
        format!("{sent}\r").as_bytes(),
        wire[1][0].as_slice(),
        "the report's sent line is what the server read\n{}",
        r.stdout
    );
    assert!(sent.starts_with("9900302.00AY0AZ"), "{sent}");
    assert!(
        r.stdout.contains(&format!("sent      {sent}<CR>")),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_masked_transcript_never_gains_a_delimiter() {
    let dir = Dir::new(
        &[(
            "login.yaml",
            "steps:\n  - name: login without a final delimiter\n    send: \"9300CNu|COsecret\"\n    expect: { leader: '^941' }\n",
        )],
        "timeouts: { connect: 2, response: 2 }\n",
    );
    let server = serve_many(vec![
        probe(),
        vec![Step::Read, Step::Write(b"940\r".to_vec()), Step::Silent],
    ])
    .await;
    let r = dir.run(&server.endpoint(), &[]).await;
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("sent      9300CNu|CO***<CR>"),
        "{}",
        r.stdout
    );
    let json = r.json.expect("a JSON report");
    assert_eq!(
        json["scenarios"][0]["steps"][0]["sent"]["text"],
        "9300CNu|CO***"
    );
    assert!(
        r.junit.unwrap().contains("sent      9300CNu|CO***<CR>"),
        "JUnit system-out"
    );
}

/// The built-in emulator with `faults`, answering as `sip2check run` starts it (login first).
async fn emulator(faults: sip2check::acs::Faults) -> sip2check::acs::Server {
    sip2check::acs::spawn(
        sip2check::acs::Library::builtin(),
        sip2check::acs::ServeOptions {
            isolate: true,
            faults,
            dialect: sip2check::acs::Dialect {
                login_required: Some(true),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .expect("the emulator starts")
}

/// The emulator's profile with a short response timeout, so a server that never answers costs
/// a second, not ten.
fn emulator_profile() -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles/emulator.yaml"),
    )
    .unwrap();
    assert!(
        text.contains("  response: 10 "),
        "the profile's timeout line moved"
    );
    text.replace("  response: 10 ", "  response: 0.5")
}

/// The shipped test scenarios that pass against a well-behaved emulator.
fn passing_suite() -> Dir {
    let dir = Dir::new(&[], &emulator_profile());
    for name in ["item.yaml", "patron_status.yaml"] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/scenarios/pass")
                .join(name),
            dir.path("t").join(name),
        )
        .unwrap();
    }
    dir
}

fn outcomes(json: &serde_json::Value) -> Vec<(String, String)> {
    json["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_crashing_mid_run_errors_that_scenario_and_exits_1_not_4() {
    let dir = passing_suite();
    // Each connection is closed after two answers: the probe (login, 99) and item (login, 17)
    // are whole, patron_status loses its connection at its third step.
    let server = emulator(sip2check::acs::Faults {
        close_after: Some(2),
        ..Default::default()
    })
    .await;
    let r = dir.run(&server.addr().to_string(), &[]).await;
    server.shutdown().await;
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    let json = r.json.expect("a JSON report");
    assert_eq!(
        outcomes(&json),
        [
            ("t::item".to_string(), "passed".to_string()),
            ("t::patron_status".to_string(), "errored".to_string())
        ]
    );
    assert_eq!(json["summary"]["errored"], 1);
    assert_eq!(json["summary"]["failed"], 0);
    assert!(
        r.junit.unwrap().contains("<error"),
        "errored is a JUnit error"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_probe_answered_only_with_96_is_a_verdict_about_the_server() {
    let dir = passing_suite();
    let server = emulator(sip2check::acs::Faults {
        always_96: true,
        ..Default::default()
    })
    .await;
    let r = dir.run(&server.addr().to_string(), &[]).await;
    server.shutdown().await;
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("note: the capability probe got no usable answer"),
        "notes go to stderr: {}",
        r.stderr
    );
    let json = r.json.expect("a JSON report");
    let scenarios = outcomes(&json);
    assert_eq!(scenarios.len(), 2, "the scenarios ran: {scenarios:?}");
    let step = &json["scenarios"][0]["steps"][0];
    assert_eq!(step["status"], "failed", "{step}");
    assert!(
        step["error"]
            .as_str()
            .unwrap()
            .contains("answered 96 (request SC resend)"),
        "{step}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_probe_answered_with_garbage_is_a_verdict_about_the_server() {
    let dir = passing_suite();
    let server = emulator(sip2check::acs::Faults {
        garbage: true,
        ..Default::default()
    })
    .await;
    let r = dir.run(&server.addr().to_string(), &[]).await;
    server.shutdown().await;
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    let json = r.json.expect("a JSON report");
    assert_eq!(outcomes(&json).len(), 2, "{}", r.stdout);
    let error = json["scenarios"][0]["steps"][0]["error"].as_str().unwrap();
    assert!(error.contains("not a SIP message"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_probe_that_cannot_connect_still_writes_both_reports() {
    let dir = passing_suite();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = dir.run(&format!("127.0.0.1:{port}"), &[]).await;
    assert_eq!(r.code, Some(4), "{}{}", r.stdout, r.stderr);
    let json = r.json.expect("a JSON report although the run stopped");
    assert_eq!(
        outcomes(&json),
        [(
            "sip2check::capability_probe".to_string(),
            "errored".to_string()
        )]
    );
    assert!(
        json["scenarios"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("cannot connect to 127.0.0.1"),
        "{json}"
    );
    let junit = r.junit.expect("a JUnit report although the run stopped");
    assert_eq!(junit.matches("<testcase").count(), 1, "{junit}");
    assert!(
        junit.contains("<error") && junit.contains("cannot connect to 127.0.0.1"),
        "{junit}"
    );

    // A TLS file that cannot be used: exit 2, and the report says why.
    let tls = Dir::new(
        &[("status.yaml", "steps:\n  - send: \"9900302.00\"\n")],
        "tls: { ca: /nonexistent/ca.pem }\n",
    );
    let r = tls.run(&format!("127.0.0.1:{port}"), &[]).await;
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("/nonexistent/ca.pem: does not exist"),
        "{}",
        r.stderr
    );
    assert!(r.junit.unwrap().contains("/nonexistent/ca.pem"));
}

/// The telnet prompts of one connection, answered with a confirmation.
fn telnet_login() -> Vec<Step> {
    vec![
        Step::Write(b"login: ".to_vec()),
        Step::Read,
        Step::Write(b"password: ".to_vec()),
        Step::Read,
        Step::Write(b"Login OK.  Initiating SIP\r\n".to_vec()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_leave_in_any_output() {
    const SECRETS: [&str; 4] = ["hunter2", "4817", "t3lnet-pw", "Fiander"];
    let profile = r#"
telnet: { user: term1, password: "t3lnet-pw" }
timeouts: { connect: 2, response: 1 }
vars:
  institution: "BR1"
  login: { user: "sip", password: "hunter2|pw", location: "BR1" }
  patron: { barcode: "999999", pin: "4817", name: "David J. Fiander" }
"#;
    let scenario = r#"
steps:
  - use: login
  - name: patron status
    send: "23001{{ now }}AO{{ institution }}|AA{{ patron.barcode }}|AC|AD{{ patron.pin }}|"
    expect:
      fields:
        AE: "Wrong Name"
        AD: "0000"
    capture: { pin: AD }
  - name: a status the server answers halfway
    send: "9900302.00"
    expect: { leader: '^98' }
"#;
    let dir = Dir::new(&[("leaky.yaml", scenario)], profile);
    let mut probe = telnet_login();
    probe.extend([
        Step::Read,
        Step::Write(b"941\r".to_vec()),
        Step::Read,
        Step::Write(format!("{ACS_STATUS}\r").into_bytes()),
        Step::Silent,
    ]);
    let mut leaky = telnet_login();
    leaky.extend([
        // A server that echoes the login (the password in it) before answering.
        Step::Answer(Box::new(|r| [r, b"941\r"].concat())),
        Step::Answer(Box::new(|_| {
            b"24              00120260101    084237AOBR1|AA999999|AEDavid J. Fiander|AD4817|AFyour password is hunter2|pw|AFand t3lnet-pw|\r".to_vec()
        })),
        Step::Answer(Box::new(|_| {
            b"24              00120260101    084237AOBR1|AA999999|AD4817|AEDavid J. Fiander".to_vec()
        })),
        Step::Silent,
    ]);
    let server = serve_many(vec![probe, leaky]).await;
    let r = dir.run(&server.endpoint(), &[]).await;
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    let json = r.json.expect("a JSON report").to_string();
    let junit = r.junit.expect("a JUnit report");
    // The run did meet every secret: the echo, the failed checks, the capture, the screen
    // messages and the bytes quoted in the timeout.
    let wire = server.handle.await.unwrap();
    assert!(String::from_utf8_lossy(&wire[1][2]).contains("COhunter2|pw|"));
    assert!(
        r.stdout
            .contains("byte(s): 24              00120260101    084237AOBR1|AA999999|AD***|AE***"),
        "the bytes quoted in the timeout are masked as the transcript is:\n{}",
        r.stdout
    );
    for (name, text) in [
        ("stdout", &r.stdout),
        ("stderr", &r.stderr),
        ("JUnit", &junit),
        ("JSON", &json),
    ] {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret:?} in {name}:\n{text}");
        }
        assert!(
            !text.contains("|pw"),
            "the part after a '|' in {name}:\n{text}"
        );
    }
    assert!(r.stdout.contains("AE        \"***\""), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_error_does_not_quote_the_password() {
    let dir = Dir::new(
        &[("s.yaml", "steps:\n  - send: \"99\"\n")],
        "vars:\n  login:\n    password: \"hunt{{er2\"\n",
    );
    let r = dir.run("127.0.0.1:1", &[]).await;
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("vars.login.password"), "{}", r.stderr);
    assert!(!r.stderr.contains("hunt"), "{}", r.stderr);
}
