//! State safety on shared test servers (issue 10 item 5). A scenario's cleanup (`finally:`,
//! and the `undo:` of a refusal the server wrongly granted) runs on a fresh connection
//! whatever happened, with the same needs/requires rules as any step, and says what it could
//! not restore; and the shipped suites leave nothing behind that trips another scenario: they
//! pass in shuffled orders against one emulator whose library every connection shares (as a
//! real test server's is), which `sip2check run`'s own emulator would hide.

mod common;

use std::path::PathBuf;

use common::cli::run_text;

use sip2check::acs::{self, Dialect, Faults, Library, ServeOptions};
use sip2check::runner::exec::{ExecContext, run_scenario};
use sip2check::runner::plan::connect_options;
use sip2check::runner::{Capabilities, Outcome, Phase, ScenarioResult, StepStatus};
use sip2check::scenario::{self, Profile};
use sip2check::sip2::MessageCode;
use sip2check::transport::{Session, StepOptions};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const PROFILE: &str = "fixtures/profiles/emulator.yaml";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The emulator as a shared test server: one library for every connection, login first.
struct Shared {
    rt: tokio::runtime::Runtime,
    server: acs::Server,
}

impl Shared {
    fn start(library: Library, faults: Faults) -> Shared {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let server = rt
            .block_on(acs::spawn(
                library,
                ServeOptions {
                    isolate: false,
                    faults,
                    dialect: Dialect {
                        login_required: Some(true),
                        ..Dialect::default()
                    },
                    ..ServeOptions::default()
                },
            ))
            .expect("the emulator starts");
        Shared { rt, server }
    }

    fn endpoint(&self) -> String {
        self.server.addr().to_string()
    }

    /// The fixed field `key` of the answer to `request`, on a new connection after a login.
    fn ask(&self, request: &str, key: &str) -> String {
        let profile = Profile::emulator().unwrap();
        let connect = connect_options(&profile, &self.endpoint());
        self.rt.block_on(async {
            let mut s = Session::connect(connect).await.expect("a new connection");
            let opts = StepOptions::default();
            let login = s.exchange("9300CNsip_01|COsip_01|CPBR1|", &opts).await;
            assert_eq!(
                login.unwrap().response.analysis.msg.fixed_field("ok"),
                Some("1")
            );
            let ex = s.exchange(request, &opts).await.expect("an answer");
            s.close().await;
            ex.response
                .analysis
                .msg
                .fixed_field(key)
                .unwrap_or_default()
                .to_string()
        })
    }

    /// The circulation status of an item (04: on loan).
    fn circulation_status(&self, barcode: &str) -> String {
        self.ask(
            &format!("1720260101    120000AOBR1|AB{barcode}|"),
            "circulation_status",
        )
    }

    /// Runs one scenario file in-process with the emulator's profile (less `drop`ped records).
    fn run(&self, file: &str, drop: &[&str], caps: Capabilities) -> ScenarioResult {
        run_file(&self.endpoint(), file, drop, caps, &self.rt)
    }

    fn stop(self) {
        self.rt.block_on(self.server.shutdown());
    }
}

/// Runs `file` against `endpoint` with the emulator's profile, without the records in `drop`.
fn run_file(
    endpoint: &str,
    file: &str,
    drop: &[&str],
    caps: Capabilities,
    rt: &tokio::runtime::Runtime,
) -> ScenarioResult {
    let mut profile = Profile::emulator().unwrap();
    profile.response_timeout = Some(std::time::Duration::from_secs(3));
    profile
        .vars
        .retain(|k, _| !drop.iter().any(|d| k.starts_with(&format!("{d}."))));
    let s = scenario::load_file(&root().join(file), &profile.vars).expect("the scenario loads");
    let ctx = ExecContext {
        connect: connect_options(&profile, endpoint),
        vars: profile.vars.clone(),
        dialect: profile.dialect.clone(),
        caps,
        ..ExecContext::default()
    };
    rt.block_on(run_scenario(&s, &ctx))
}

/// The scenario ids in the order libtest ran them ("test ID ... ok").
fn run_order(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.strip_prefix("test "))
        .filter(|l| l.contains(" ... "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_suites_pass_in_shuffled_orders_on_one_shared_library() {
    let mut orders: Vec<Vec<String>> = Vec::new();
    for seed in 1..=5u64 {
        // A fresh server per order: a fee payment (spec::fee_paid) cannot be undone over SIP.
        let server = Shared::start(Library::builtin(), Faults::default());
        let endpoint = server.endpoint();
        let seed_arg = seed.to_string();
        let (o, out) = run_text(&[
            "scenarios/siptest",
            "scenarios/spec",
            "--endpoint",
            &endpoint,
            "--profile",
            PROFILE,
            "--jobs",
            "1",
            "--shuffle",
            &seed_arg,
        ]);
        server.stop();
        assert!(
            out.contains(&format!(
                "sip2check: shuffled with seed {seed} (--shuffle {seed} runs this order again)"
            )),
            "{out}"
        );
        let order = run_order(&out);
        assert!(order.len() > 40, "both suites ran: {out}");
        assert_eq!(o.status.code(), Some(0), "seed {seed}:\n{out}");
        assert!(
            out.contains(&format!(
                "{} scenarios: {} passed, 0 failed, 0 errored, 0 skipped",
                order.len(),
                order.len()
            )),
            "seed {seed}: {out}"
        );
        let mut sorted = order.clone();
        sorted.sort();
        assert_ne!(order, sorted, "seed {seed} shuffles");
        assert!(
            !orders.contains(&order),
            "seed {seed} gives an order of its own"
        );
        orders.push(order);
    }
}

#[test]
fn shuffle_random_prints_a_seed_that_runs_the_same_order_again() {
    let (o, out) = run_text(&["scenarios/spec", "--jobs", "1", "--shuffle", "random"]);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let seed = out
        .lines()
        .find_map(|l| l.strip_prefix("sip2check: shuffled with seed "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no seed in the banner: {out}"))
        .to_string();
    let (_, again) = run_text(&["scenarios/spec", "--jobs", "1", "--shuffle", &seed]);
    assert_eq!(run_order(&again), run_order(&out), "{again}");
}

/// The built-in library with the "lost" item on the shelf, so a refused checkout of it is
/// wrongly accepted.
fn library_with_lost_item_available() -> Library {
    let lost =
        r#"{ barcode: LOST1, title: A Lost Book, owner: BR1, status: "12", security: "02" }"#;
    assert!(
        acs::BUILTIN_YAML.contains(lost),
        "the lost item is where it was"
    );
    let text = acs::BUILTIN_YAML.replace(
        lost,
        r#"{ barcode: LOST1, title: A Lost Book, owner: BR1, security: "02" }"#,
    );
    Library::from_yaml("library.yaml", &text).expect("the library loads")
}

#[test]
fn a_wrongly_accepted_refusal_is_undone_and_every_report_says_so() {
    let server = Shared::start(library_with_lost_item_available(), Faults::default());
    assert_eq!(
        server.circulation_status("LIMITITEM1"),
        "04",
        "the seed loan"
    );
    let dir = tempfile::tempdir().unwrap();
    let (json, junit) = (dir.path().join("r.json"), dir.path().join("r.xml"));
    let (o, out) = run_text(&[
        "scenarios/spec/checkout_refused.yaml",
        "--endpoint",
        &server.endpoint(),
        "--profile",
        PROFILE,
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "the refusal failed: {out}");
    assert!(
        out.contains("  cleanup step 2 \"check the item back in\" (undo of step 9) passed"),
        "{out}"
    );
    assert!(
        out.contains("  cleanup: 2 steps: 2 passed, 0 failed, 0 errored, 0 skipped, 0 not run"),
        "only the lost item's undo ran: {out}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let steps = v["scenarios"][0]["steps"].as_array().unwrap();
    let lost = &steps[8];
    assert_eq!(lost["name"], "lost item");
    assert_eq!(lost["phase"], "main");
    assert!(
        lost["notes"][0]
            .as_str()
            .unwrap()
            .contains("the undo steps run in the cleanup"),
        "{lost}"
    );
    let cleanup: Vec<(String, serde_json::Value, String)> = steps
        .iter()
        .filter(|s| s["phase"] == "cleanup")
        .map(|s| {
            let name = s["name"].as_str().unwrap().to_string();
            (
                name,
                s["undo_of"].clone(),
                s["status"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        cleanup,
        [
            ("login".into(), serde_json::Value::Null, "passed".into()),
            (
                "check the item back in".into(),
                serde_json::json!(9),
                "passed".into()
            ),
        ]
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("name=\"spec::checkout_refused/lost-item/undo/check-the-item-back-in\""),
        "{xml}"
    );
    // On a new connection: the item is back, and the seed loan the other refusals name is
    // untouched (its undo did not run: the server refused that checkout).
    assert_ne!(server.circulation_status("LOST1"), "04", "LOST1 is back");
    assert_eq!(server.circulation_status("LIMITITEM1"), "04");
    let charged = server.ask(
        "6300120260101    120000          AOBR1|AA999999|",
        "charged_items_count",
    );
    assert_eq!(charged, "0000", "the patron has nothing on loan");
    server.stop();
}

#[test]
fn finally_runs_on_a_fresh_connection_after_a_lost_one() {
    let closing = Faults {
        close_on: Some(MessageCode::RENEW),
        ..Faults::default()
    };
    let server = Shared::start(Library::builtin(), closing);
    let r = server.run(
        "tests/scenarios/state/lost_connection.yaml",
        &[],
        Capabilities::default(),
    );
    let status: Vec<(Phase, StepStatus)> = r.steps.iter().map(|s| (s.phase, s.status)).collect();
    assert_eq!(
        status,
        [
            (Phase::Main, StepStatus::Passed),
            (Phase::Main, StepStatus::Passed),
            (Phase::Main, StepStatus::Errored),
            (Phase::Main, StepStatus::NotRun),
            (Phase::Finally, StepStatus::Passed),
            (Phase::Finally, StepStatus::Passed),
        ],
        "{r:#?}"
    );
    assert!(matches!(&r.outcome, Outcome::Errored(why) if why.starts_with("step 3 ")));
    assert_ne!(server.circulation_status("1565921879"), "04", "checked in");
    server.stop();
}

/// Serves one connection and stops listening at once, as a server that dies after it:
/// answers the login and the checkout, then drops the connection at the next request.
async fn one_connection_then_gone(listener: TcpListener) {
    let Ok(Ok((sock, _))) =
        tokio::time::timeout(std::time::Duration::from_secs(30), listener.accept()).await
    else {
        return;
    };
    drop(listener);
    let (read, mut write) = sock.into_split();
    let mut lines = BufReader::new(read).split(b'\r');
    while let Ok(Some(line)) = lines.next_segment().await {
        let answer = match line.get(..2) {
            Some(b"93") => "941",
            Some(b"11") => {
                "121NNY20260101    120000AOBR1|AA999999|AB1565921879|AJPerl 5 desktop reference|AH20260115    120000|"
            }
            _ => return,
        };
        if write
            .write_all(format!("{answer}\r").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

#[test]
fn a_cleanup_that_cannot_connect_is_errored_and_names_what_was_left_behind() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let endpoint = listener.local_addr().unwrap().to_string();
    rt.spawn(one_connection_then_gone(listener));
    let r = run_file(
        &endpoint,
        "tests/scenarios/state/crash.yaml",
        &[],
        Capabilities::default(),
        &rt,
    );
    let cleanup: Vec<_> = r.steps.iter().filter(|s| s.phase.is_cleanup()).collect();
    assert_eq!(cleanup.len(), 2, "{r:#?}");
    assert_eq!(cleanup[0].status, StepStatus::Errored);
    let why = cleanup[0].error.as_deref().unwrap();
    assert!(
        why.starts_with("could not connect for the cleanup: ")
            && why.ends_with("; not restored: what \"check the item back in\" do"),
        "{why}"
    );
    assert_eq!(cleanup[1].status, StepStatus::NotRun);
    assert_eq!(r.steps[2].status, StepStatus::Errored, "the crash itself");
    let text = sip2check::report::console::render_scenario(&r, &Default::default());
    assert!(
        text.contains("  cleanup step 1 \"login\" (") && text.contains(") errored\n"),
        "{text}"
    );
    assert!(
        text.contains("  cleanup step 2 not run: could not connect for the cleanup\n"),
        "{text}"
    );
    assert!(
        text.contains("  cleanup: 2 steps: 0 passed, 0 failed, 1 errored, 0 skipped, 1 not run"),
        "{text}"
    );
}

#[test]
fn cleanup_steps_are_skipped_for_needs_and_requires_as_any_step_is() {
    let server = Shared::start(Library::builtin(), Faults::default());
    let caps = Capabilities {
        // Every request supported but renew all (the 16th flag).
        bx: Some("YYYYYYYYYYYYYYYN".into()),
        ..Capabilities::default()
    };
    let r = server.run(
        "tests/scenarios/state/skips.yaml",
        &["blocked_patron"],
        caps,
    );
    assert_eq!(r.outcome, Outcome::Passed, "{r:#?}");
    let got: Vec<(Phase, StepStatus, Option<&str>)> = r
        .steps
        .iter()
        .map(|s| (s.phase, s.status, s.error.as_deref()))
        .collect();
    let bx = "the ACS does not support renew_all (its BX is YYYYYYYYYYYYYYYN)";
    assert_eq!(
        got,
        [
            (Phase::Main, StepStatus::Passed, None),
            (
                Phase::Main,
                StepStatus::Skipped,
                Some("the profile has no blocked_patron")
            ),
            (Phase::Finally, StepStatus::Passed, None),
            (
                Phase::Finally,
                StepStatus::Skipped,
                Some("the profile has no blocked_patron")
            ),
            (Phase::Finally, StepStatus::Skipped, Some(bx)),
        ]
    );
    server.stop();
}

#[test]
fn the_builtin_emulator_gives_each_scenario_a_library_its_connections_share() {
    // `sip2check run` without --endpoint: the cleanup sees what the steps did (the lent item
    // is checked back in with ok 1), yet parallel scenarios never share a library.
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("own");
    std::fs::create_dir_all(&suite).unwrap();
    let text = std::fs::read_to_string(root().join("tests/scenarios/state/lost_connection.yaml"))
        .unwrap()
        .replace(
            "  - name: renew, and the server hangs up\n",
            "  - name: renew\n",
        );
    for n in 0..4 {
        std::fs::write(suite.join(format!("lend{n}.yaml")), &text).unwrap();
    }
    let (o, out) = run_text(&[suite.to_str().unwrap(), "--jobs", "4"]);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("4 scenarios: 4 passed"), "{out}");
}
