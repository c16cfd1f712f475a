//! Capabilities: a step whose message the BX marks N is skipped alone; `--ignore-bx` runs it and
//! notes whether the server answered, refused (96, a close, no answer) or lost the connection;
//! `error_detection: off` in a profile skips the error-detection scenarios. Against the
//! emulator (in process, and `sip2check serve --library`) and a scripted server.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{run_text, serve};

use libtest_mimic::Arguments;
use sip2check::acs::{self, Faults, Library, ServeOptions};
use sip2check::report::ReportOptions;
use sip2check::runner::{self, Outcome, RunConfig, RunResult, StepStatus, Target};
use sip2check::scenario::Profile;
use sip2check::sip2::MessageCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as AsyncBufReader};
use tokio::net::TcpListener;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built-in library with checkin left out of `supported:` (so the BX marks 09 N), and
/// unsupported requests ignored or answered 96 (`resend`).
fn library_without_checkin(unsupported: &str) -> String {
    let all_but_checkin = r#"["23", "11", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25", "15", "29", "65"]"#;
    let text = acs::BUILTIN_YAML.replacen(
        "      unsupported: ignore",
        &format!("      supported: {all_but_checkin}\n      unsupported: {unsupported}"),
        1,
    );
    assert_ne!(text, acs::BUILTIN_YAML, "the policy line is where it was");
    text
}

/// Runs the scenarios at `paths` against `endpoint` with the emulator's profile.
fn run_against(endpoint: String, paths: &[&str], ignore_bx: bool) -> RunResult {
    let config = RunConfig {
        paths: paths.iter().map(|p| root().join(p)).collect(),
        suites: Vec::new(),
        target: Target::Endpoint(endpoint),
        profile: Profile::emulator().unwrap(),
        jobs: Some(1),
        ignore_bx,
        ..RunConfig::default()
    };
    let plan = runner::plan(&config).expect("the plan");
    // libtest's output goes to a file, so this test's own output stays readable.
    let log = tempfile::NamedTempFile::new().unwrap();
    let args = Arguments {
        logfile: Some(log.path().display().to_string()),
        ..Arguments::default()
    };
    let (_, run) = runner::execute(&plan, &args, ReportOptions::default());
    plan.shutdown();
    run
}

/// Runs `paths` against an in-process emulator serving `library` with `faults`.
fn run_emulator(library: &str, faults: Faults, paths: &[&str], ignore_bx: bool) -> RunResult {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let lib = Library::from_yaml("library.yaml", library).expect("the library loads");
    let server = rt
        .block_on(acs::spawn(
            lib,
            ServeOptions {
                isolate: true,
                faults,
                ..ServeOptions::default()
            },
        ))
        .unwrap();
    let endpoint = server.addr().to_string();
    // The runner blocks on its own runtime; the emulator keeps serving on this one.
    let run = std::thread::spawn({
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        move || {
            let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
            run_against(endpoint, &refs, ignore_bx)
        }
    })
    .join()
    .unwrap();
    rt.block_on(server.shutdown());
    run
}

/// The step of `run`'s only scenario called `name`.
fn step<'a>(run: &'a RunResult, name: &str) -> &'a runner::StepResult {
    run.scenarios[0]
        .steps
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no step {name:?}"))
}

const SUPPORTED: &str = "scenarios/spec/supported_messages.yaml";
const CHECKIN_STEP: &str = "09 gets 10";

#[test]
fn a_step_whose_message_the_bx_marks_n_is_skipped_alone() {
    let run = run_emulator(
        &library_without_checkin("ignore"),
        Faults::default(),
        &[SUPPORTED],
        false,
    );
    let s = &run.scenarios[0];
    assert_eq!(s.outcome, Outcome::Passed, "{s:#?}");
    let checkin = step(&run, CHECKIN_STEP);
    assert_eq!(checkin.status, StepStatus::Skipped);
    let reason = checkin.error.as_deref().unwrap();
    assert!(
        reason.starts_with("the ACS does not support checkin (its BX is YYNY"),
        "{reason}"
    );
    let passed = s
        .steps
        .iter()
        .filter(|st| st.status == StepStatus::Passed)
        .count();
    assert_eq!(passed, s.steps.len() - 1, "every other message is checked");
}

#[test]
fn ignore_bx_runs_the_step_and_notes_a_96_or_a_close_as_refused() {
    let refused =
        "the server's BX says checkin is unsupported, and it refused (96, closed, or no answer)";
    let run = run_emulator(
        &library_without_checkin("resend"),
        Faults::default(),
        &[SUPPORTED],
        true,
    );
    let checkin = step(&run, CHECKIN_STEP);
    assert_ne!(checkin.status, StepStatus::Skipped);
    assert_eq!(checkin.notes, [refused], "{checkin:#?}");
    let other = step(&run, "11 gets 12");
    assert!(other.notes.is_empty(), "checkout is supported: {other:#?}");
    let closing = Faults {
        close_on: Some(MessageCode::CHECKIN),
        ..Faults::default()
    };
    let run = run_emulator(
        &library_without_checkin("ignore"),
        closing,
        &[SUPPORTED],
        true,
    );
    let checkin = step(&run, CHECKIN_STEP);
    assert_eq!(checkin.status, StepStatus::Errored);
    assert_eq!(checkin.notes, [refused], "{checkin:#?}");
}

/// What the scripted server does with a checkout, which its BX marks unsupported.
#[derive(Clone, Copy)]
enum OnCheckout {
    Answer,
    Crash,
}

/// Answers 93 and 99 (BX with checkout N) and 11 as told, one connection after another;
/// `Crash` drops the connection and stops listening, as a server that died would.
async fn scripted(listener: TcpListener, on_checkout: OnCheckout) {
    // Bounded: the probe, the scenario and the harness's check of whether the server is up.
    for _ in 0..3 {
        let Ok((sock, _)) = listener.accept().await else {
            return;
        };
        let (read, mut write) = sock.into_split();
        let mut lines = AsyncBufReader::new(read).split(b'\r');
        while let Ok(Some(line)) = lines.next_segment().await {
            let line = String::from_utf8_lossy(&line);
            let answer = match line.trim_start_matches('\n').get(..2) {
                Some("93") => "941",
                Some("99") => "98YYYYYY00500320261129    0900002.00AOBR1|BXYNYYYYYYYYYYYY|",
                Some("11") => match on_checkout {
                    OnCheckout::Answer => "120NUN20261129    090000AOBR1|AAx|ABy|AJ|AH|",
                    OnCheckout::Crash => {
                        // Stop listening before the connection closes: the harness reconnects
                        // as soon as it sees the close, and must find nobody listening.
                        drop(listener);
                        drop((lines, write));
                        return;
                    }
                },
                _ => "96",
            };
            if write
                .write_all(format!("{answer}\r").as_bytes())
                .await
                .is_err()
            {
                break;
            }
        }
    }
}

fn run_scripted(on_checkout: OnCheckout, ignore_bx: bool) -> RunResult {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let endpoint = listener.local_addr().unwrap().to_string();
    rt.spawn(scripted(listener, on_checkout));
    std::thread::spawn(move || run_against(endpoint, &["tests/scenarios/ignore_bx"], ignore_bx))
        .join()
        .unwrap()
}

#[test]
fn without_ignore_bx_the_scenario_is_skipped() {
    let run = run_scripted(OnCheckout::Answer, false);
    assert!(
        matches!(&run.scenarios[0].outcome, Outcome::Skipped(r) if r.contains("does not support checkout")),
        "{:?}",
        run.scenarios[0].outcome
    );
}

#[test]
fn ignore_bx_notes_a_server_that_answers_anyway() {
    let run = run_scripted(OnCheckout::Answer, true);
    let checkout = step(&run, "checkout");
    assert_eq!(checkout.status, StepStatus::Passed, "{checkout:#?}");
    assert_eq!(
        checkout.notes,
        ["the server's BX says checkout is unsupported, and it answered"]
    );
}

#[test]
fn ignore_bx_notes_a_server_that_crashes() {
    let run = run_scripted(OnCheckout::Crash, true);
    let checkout = step(&run, "checkout");
    assert_eq!(checkout.status, StepStatus::Errored, "{checkout:#?}");
    assert_eq!(
        checkout.notes,
        ["the server's BX says checkout is unsupported, and the connection was lost (crashed?)"]
    );
}

fn write_library(dir: &Path, unsupported: &str) -> String {
    let p = dir.join("library.yaml");
    std::fs::write(&p, library_without_checkin(unsupported)).unwrap();
    p.display().to_string()
}

#[test]
fn cli_serve_library_without_checkin_skips_that_step_and_ignore_bx_reports_it_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let serve = serve(&["--library", &write_library(dir.path(), "resend")]);
    let common = [
        SUPPORTED,
        "--endpoint",
        &serve.endpoint,
        "--profile",
        "fixtures/profiles/emulator.yaml",
    ];
    let (o, out) = run_text(&common);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("  skipped  spec::supported_messages step 6 \"09 gets 10\": the ACS does not support checkin (its BX is "),
        "{out}"
    );
    let (junit, json) = (dir.path().join("r.xml"), dir.path().join("r.json"));
    let mut args = common.to_vec();
    args.extend([
        "--ignore-bx",
        "--junit",
        junit.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let (_, out) = run_text(&args);
    let note =
        "the server's BX says checkin is unsupported, and it refused (96, closed, or no answer)";
    assert!(
        out.contains(&format!(
            "  note     spec::supported_messages step 6 \"09 gets 10\": {note}"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("    note      {note}")),
        "in the failure text: {out}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains(&format!("note: {note}")), "{xml}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let step = &v["scenarios"][0]["steps"][5];
    assert_eq!(step["name"], "09 gets 10");
    assert_eq!(step["notes"][0], note);
}

#[test]
fn a_profile_without_error_detection_skips_the_error_detection_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/profiles/emulator.yaml")).unwrap();
    let off = dir.path().join("off.yaml");
    std::fs::write(&off, format!("error_detection: off\n{text}")).unwrap();
    let (o, out) = run_text(&[
        "scenarios/spec",
        "--filter",
        "error_detection",
        "--profile",
        off.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{out}");
    for id in ["spec::error_detection", "spec::error_detection_corrupt"] {
        assert!(
            out.contains(&format!(
                "  skipped  {id}: the profile says error_detection: off"
            )),
            "{id}: {out}"
        );
    }
    let (o, out) = run_text(&["scenarios/spec", "--filter", "error_detection"]);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("2 passed, 0 failed, 0 errored, 0 skipped"),
        "unset: they run: {out}"
    );
}
