//! The runner against a server that closes the connection in the middle of a scenario:
//! the scenario's verdicts say which step lost the connection, and the next scenario runs.

use std::path::PathBuf;

use libtest_mimic::Arguments;
use sip2check::report::ReportOptions;
use sip2check::runner::{self, Outcome, RunConfig, Selection, StepStatus, Target};
use sip2check::scenario::Profile;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Answers the first request of each connection with an ACS status (holds unsupported), then
/// closes on the next.
async fn closing_server(listener: TcpListener) {
    // Bounded: the probe and three scenarios make four connections.
    for _ in 0..4 {
        let Ok((sock, _)) = listener.accept().await else {
            return;
        };
        tokio::spawn(async move {
            let (read, mut write) = sock.into_split();
            let mut lines = BufReader::new(read).split(b'\r');
            if let Ok(Some(_)) = lines.next_segment().await {
                let answer = "98YYYYYY00500320261129    0900002.00AOBR1|BXYYYYYYYYYYYYYNYY|\r";
                let _ = write.write_all(answer.as_bytes()).await;
            }
            // The second request is read and the connection dropped without an answer.
            let _ = lines.next_segment().await;
        });
    }
}

#[test]
fn a_server_closing_mid_scenario_fails_that_scenario_only_and_expected_closes_pass() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    rt.spawn(closing_server(listener));
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios/closing");
    let config = RunConfig {
        paths: vec![dir],
        suites: Vec::new(),
        target: Target::Endpoint(addr),
        profile: Profile::default(),
        selection: Selection::default(),
        strict: false,
        jobs: Some(1),
        ignore_bx: false,
        shuffle: None,
        library: None,
        wait: None,
    };
    let plan = runner::plan(&config).unwrap();
    assert_eq!(plan.bx.as_deref(), Some("YYYYYYYYYYYYYNYY"));
    // libtest's output goes to a file, so this test's own output has one summary line.
    let log = tempfile::NamedTempFile::new().unwrap();
    let args = Arguments {
        logfile: Some(log.path().display().to_string()),
        ..Arguments::default()
    };
    let (conclusion, run) = runner::execute(&plan, &args, ReportOptions::default());
    plan.shutdown();
    assert_eq!(
        (
            conclusion.num_failed,
            conclusion.num_passed,
            conclusion.num_ignored
        ),
        (1, 2, 1)
    );
    let printed = std::fs::read_to_string(log.path()).unwrap();
    assert!(
        printed
            .lines()
            .any(|l| l.starts_with("test closing::01_dies ") && l.ends_with("... FAILED")),
        "{printed}"
    );
    assert!(
        printed.contains("step 3 not run: the connection was lost at step 2"),
        "{printed}"
    );
    let dies = &run.scenarios[0];
    assert_eq!(dies.id, "closing::01_dies");
    let statuses: Vec<StepStatus> = dies.steps.iter().map(|s| s.status).collect();
    assert_eq!(
        statuses,
        [StepStatus::Passed, StepStatus::Errored, StepStatus::NotRun]
    );
    assert!(
        matches!(&dies.outcome, Outcome::Errored(r) if r.contains("step 2") && r.contains("closed")),
        "{:?}",
        dies.outcome
    );
    assert_eq!(
        dies.steps[2].error.as_deref(),
        Some("the connection was lost at step 2")
    );
    let after = &run.scenarios[1];
    assert_eq!(after.id, "closing::02_after");
    assert_eq!(after.outcome, Outcome::Passed);
    let close = &run.scenarios[2];
    assert_eq!(close.outcome, Outcome::Passed, "{close:?}");
    assert!(
        close.steps[1]
            .checks
            .iter()
            .any(|c| c.target.to_string() == "closed" && c.passed)
    );
}
