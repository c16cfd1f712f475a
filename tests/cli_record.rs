//! `send --record` end to end, through the binary against `sip2check serve`: a recorded
//! session runs green against the same server, fails on exactly the changed field against a
//! server whose library changed, holds no password, and takes its secrets from the
//! environment when no profile gave them. (The prompt's recording is a unit test in
//! src/cli/send.rs: a pipe on stdin is the non-interactive path, tested here.)

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{Listening, bin, output_with_stdin, serve_isolated, text};

const PROFILE: &str = "fixtures/profiles/emulator.yaml";

/// The session: a login (--login), SC status, patron status, checkout, checkin, item information.
const MESSAGES: [&str; 5] = [
    "9900302.00",
    "23001{now}AOBR1|AA999999|AC|AD6789|",
    "11YN{now}                  AOBR1|AA999999|AB1565921879|AC|",
    "09N{now}{now}APBR1|AOBR1|AB1565921879|AC|",
    "1720260101    120000AOBR1|AB0440242746|",
];

fn sip2check(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = bin();
    cmd.args(args)
        .env_remove("SIP_LOGIN_USER")
        .env_remove("SIP_LOGIN_PASSWORD")
        .env_remove("SIP_PATRON_PIN")
        .envs(env.iter().copied());
    output_with_stdin(&mut cmd, stdin.as_bytes())
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Records the session against `server` into `file`, the messages as arguments.
fn record(server: &Listening, file: &Path, profile: bool) -> Output {
    let mut args = vec![
        "send",
        "--endpoint",
        &server.endpoint,
        "--login",
        "sip_01:sip_01:BR1",
        "--record",
        s(file),
    ];
    if profile {
        args.extend(["--profile", PROFILE]);
    }
    args.extend(MESSAGES);
    sip2check(&args, &[], "")
}

fn run(server: &Listening, file: &Path, env: &[(&str, &str)]) -> Output {
    sip2check(
        &[
            "run",
            s(file),
            "--endpoint",
            &server.endpoint,
            "--profile",
            PROFILE,
        ],
        env,
        "",
    )
}

#[test]
fn a_recorded_session_runs_green_against_the_same_server_and_holds_no_password() {
    let server = serve_isolated(None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.yaml");
    let o = record(&server, &file, true);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("sip2check: recorded 6 exchange(s) in"),
        "{}",
        text(&o)
    );
    let written = std::fs::read_to_string(&file).unwrap();
    for want in [
        "# Recorded by sip2check ",
        &format!(
            "# against {}, profile {PROFILE}: 6 exchange(s).",
            server.endpoint
        ),
        &format!(
            "#   sip2check run {} --endpoint {} --profile {PROFILE}\n",
            file.display(),
            server.endpoint
        ),
        "        CO: \"{{ login.password }}\"\n",
        "        AD: \"{{ patron.pin }}\"\n",
        "        AJ: \"{{ item.title }}\"\n",
        "        AH: present\n",
        "        return_date: \"{{ now }}\"\n",
        "        date_time_sync: { date: true }\n",
    ] {
        assert!(written.contains(want), "{want:?} in\n{written}");
    }
    assert!(
        !written.contains("sip_01") && !written.contains("6789"),
        "{written}"
    );
    let o = run(&server, &file, &[]);
    assert_eq!(o.status.code(), Some(0), "{}\n{written}", text(&o));
    assert!(text(&o).contains("1 scenarios: 1 passed"), "{}", text(&o));
}

#[test]
fn a_session_piped_on_stdin_fails_against_a_changed_server_on_exactly_that_field() {
    let dir = tempfile::tempdir().unwrap();
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/library.yaml"),
    )
    .unwrap();
    assert!(builtin.contains("title: Snow crash"));
    let changed: PathBuf = dir.path().join("library.yaml");
    std::fs::write(
        &changed,
        builtin.replace("title: Snow crash", "title: Snow Crash"),
    )
    .unwrap();
    let old = serve_isolated(None);
    let new = serve_isolated(Some(&changed));
    let file = dir.path().join("piped.yaml");
    let o = sip2check(
        &[
            "send",
            "--endpoint",
            &old.endpoint,
            "--login",
            "sip_01:sip_01:BR1",
            "--record",
            s(&file),
            "--profile",
            PROFILE,
        ],
        &[],
        &format!("{}\n\n", MESSAGES.join("\n")),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(run(&old, &file, &[]).status.code(), Some(0));
    let o = run(&new, &file, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("step 6 \"Item Information\"")
            && out.contains("AJ        \"Snow crash\"  \"Snow Crash\"  spec requires")
            && out.contains("6 steps: 5 passed, 1 failed")
            && out.contains("; 1 spec failures;"),
        "{out}"
    );
}

#[test]
fn without_a_profile_the_secrets_are_environment_variables_the_header_names() {
    let server = serve_isolated(None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("env.yaml");
    let o = record(&server, &file, false);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let written = std::fs::read_to_string(&file).unwrap();
    for want in [
        "#   SIP_LOGIN_USER ",
        "#   SIP_LOGIN_PASSWORD ",
        "#   SIP_PATRON_PIN ",
        "--profile YOUR-PROFILE.yaml",
    ] {
        assert!(written.contains(want), "{want:?} in\n{written}");
    }
    assert!(
        !written.contains("sip_01") && !written.contains("6789"),
        "{written}"
    );
    let o = run(&server, &file, &[]);
    assert_eq!(o.status.code(), Some(2), "unset: {}", text(&o));
    assert!(
        text(&o).contains("SIP_LOGIN_USER is not set"),
        "{}",
        text(&o)
    );
    let env = [
        ("SIP_LOGIN_USER", "sip_01"),
        ("SIP_LOGIN_PASSWORD", "sip_01"),
        ("SIP_PATRON_PIN", "6789"),
    ];
    let o = run(&server, &file, &env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn a_recording_is_not_overwritten_without_force() {
    let server = serve_isolated(None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.yaml");
    std::fs::write(&file, "keep me\n").unwrap();
    let args = [
        "send",
        "--endpoint",
        &server.endpoint,
        "--login",
        "sip_01:sip_01:BR1",
        "--record",
        s(&file),
        "9900302.00",
    ];
    let o = sip2check(&args, &[], "");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("the file exists; give --force"),
        "{}",
        text(&o)
    );
    assert!(!text(&o).contains("> 99"), "nothing is sent: {}", text(&o));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me\n");
    let mut forced = args.to_vec();
    forced.push("--force");
    let o = sip2check(&forced, &[], "");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("sc_status:")
    );
    let missing = dir.path().join("no/such/dir/s.yaml");
    let o = sip2check(
        &[
            "send",
            "--endpoint",
            &server.endpoint,
            "--record",
            s(&missing),
            "99",
        ],
        &[],
        "",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("does not exist; create it first"),
        "{}",
        text(&o)
    );
}
