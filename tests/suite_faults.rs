//! The shipped suites can fail. Every scenario of `scenarios/siptest` and `scenarios/spec` runs
//! against the built-in emulator, once well behaved and once per fault or dialect knob, and
//! each run must fail exactly the scenarios the table below names: the ones whose checks see
//! that fault. A suite that passes against a broken server proves nothing; one that fails for
//! the wrong reason would show up here as an unexpected id.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use sip2check::acs::{self, Dialect, Faults, FieldOrder, Library, ServeOptions};
use sip2check::runner::exec::{ExecContext, run_scenario};
use sip2check::runner::plan::connect_options;
use sip2check::runner::{Outcome, ScenarioResult};
use sip2check::scenario::{self, ErrorDetection, Ground, Profile};
use sip2check::sip2::{Encoding, FieldId, MessageCode, Terminator};

/// The two shipped suites.
fn suites() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    vec![root.join("siptest"), root.join("spec")]
}

/// How a run is set up: the emulator's knobs, and the client's.
#[derive(Default)]
struct Setup {
    /// Faults the emulator injects into its answers.
    faults: Faults,
    /// Knobs left unset are as `sip2check run` starts the emulator (login required).
    dialect: Dialect,
    /// Error-severity lint violations fail steps (`--strict`).
    strict: bool,
    /// The profile's error detection (default: off, as SIPtest.pm).
    error_detection: Option<ErrorDetection>,
    /// The profile's encoding (default: UTF-8).
    encoding: Option<Encoding>,
    /// The response timeout (default 3 s); a server that never answers needs only a short one.
    response_timeout: Option<Duration>,
}

/// What a run gave: the scenarios that did not pass, every id that ran, and the results.
struct Ran {
    /// Ids of the scenarios that failed or errored.
    failed: BTreeSet<String>,
    /// Ids of every scenario that ran.
    all: BTreeSet<String>,
    /// Every scenario's result, steps and violations included.
    results: Vec<ScenarioResult>,
}

/// Runs both suites against an emulator set up as `setup` says.
fn run(setup: Setup) -> Ran {
    let mut profile = Profile::emulator().expect("the emulator profile loads");
    // Bounds every wait, so a fault that silences the server costs seconds, not a hang.
    profile.response_timeout = Some(setup.response_timeout.unwrap_or(Duration::from_secs(3)));
    if let Some(ed) = setup.error_detection {
        profile.error_detection = Some(ed);
    }
    if let Some(enc) = setup.encoding {
        profile.encoding = Some(enc);
    }
    let scenarios = scenario::load(&suites(), &profile.vars).expect("the shipped suites load");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let server = rt
        .block_on(acs::spawn(
            Library::builtin(),
            ServeOptions {
                isolate: true,
                faults: setup.faults,
                dialect: Dialect {
                    login_required: setup.dialect.login_required.or(Some(true)),
                    ..setup.dialect
                },
                ..ServeOptions::default()
            },
        ))
        .expect("the emulator starts");
    let ctx = ExecContext {
        connect: connect_options(&profile, &server.addr().to_string()),
        vars: profile.vars.clone(),
        strict: setup.strict,
        dialect: profile.dialect.clone(),
        ..ExecContext::default()
    };
    let mut ran = Ran {
        failed: BTreeSet::new(),
        all: BTreeSet::new(),
        results: Vec::new(),
    };
    for s in &scenarios {
        let result = rt.block_on(run_scenario(s, &ctx));
        match &result.outcome {
            Outcome::Passed => {}
            Outcome::Failed | Outcome::Errored(_) => {
                ran.failed.insert(result.id.clone());
            }
            Outcome::Skipped(why) => {
                panic!("{} was skipped ({why}); nothing here probes BX", result.id)
            }
        }
        ran.all.insert(result.id.clone());
        ran.results.push(result);
    }
    rt.block_on(server.shutdown());
    ran
}

/// Asserts that `setup` fails exactly `expected` (scenario ids), showing both differences.
fn assert_fails(what: &str, setup: Setup, expected: &[&str]) -> Ran {
    let ran = run(setup);
    let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    for id in &want {
        assert!(
            ran.all.contains(id),
            "{what}: the table names {id}, which is not a shipped scenario"
        );
    }
    let missed: Vec<&String> = want.difference(&ran.failed).collect();
    let extra: Vec<&String> = ran.failed.difference(&want).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "{what}:\n  should have failed but passed: {missed:?}\n  failed unexpectedly: {extra:?}"
    );
    ran
}

/// Asserts that every shipped scenario fails under `setup`, except `unaffected`.
fn assert_all_fail(what: &str, setup: Setup, unaffected: &[&str]) {
    let ran = run(setup);
    let passed: BTreeSet<&str> = ran
        .all
        .difference(&ran.failed)
        .map(String::as_str)
        .collect();
    let unaffected: BTreeSet<&str> = unaffected.iter().copied().collect();
    assert_eq!(
        passed, unaffected,
        "{what}: the scenarios that did not notice"
    );
}

/// The scenarios that expect the server to close the connection before any answer: a fault
/// in the answers never reaches them, and their check is common practice (a warning).
const CLOSE_ONLY: &[&str] = &["spec::login_first", "spec::sc_status_refused"];

#[test]
fn well_behaved_emulator_passes_everything() {
    let ran = assert_fails("default emulator", Setup::default(), &[]);
    // The CR LF test below relies on this: a well-behaved answer raises no lf-after-cr.
    let crlf = ran
        .results
        .iter()
        .flat_map(|r| &r.steps)
        .flat_map(|st| &st.violations)
        .any(|v| v.rule.code() == "lf-after-cr");
    assert!(!crlf, "the well-behaved emulator ends answers in CR alone");
}

/// The spec makes login optional, so a server that answers before a login fails nothing: the
/// two session-rule scenarios warn (common practice: Evergreen and Koha close the connection).
#[test]
fn serving_requests_before_login_is_reported_as_a_warning_by_the_session_rules() {
    let setup = Setup {
        dialect: Dialect {
            login_required: Some(false),
            ..Dialect::default()
        },
        ..Setup::default()
    };
    let ran = assert_fails("no login required", setup, &[]);
    for id in CLOSE_ONLY {
        let r = ran.results.iter().find(|r| r.id == *id).unwrap();
        let warned: Vec<_> = r.steps.iter().flat_map(|st| st.warnings()).collect();
        assert!(
            warned
                .iter()
                .any(|c| c.target.to_string() == "closed" && c.ground == Ground::Common),
            "{id}: {warned:?}"
        );
    }
}

#[test]
fn strict_mode_finds_no_violation_in_the_emulators_answers() {
    let setup = Setup {
        strict: true,
        ..Setup::default()
    };
    assert_fails("default emulator, --strict", setup, &[]);
}

#[test]
fn answers_split_into_small_writes_do_not_matter() {
    let setup = Setup {
        faults: Faults {
            split: Some(64),
            ..Faults::default()
        },
        ..Setup::default()
    };
    assert_fails("answers written 64 bytes at a time", setup, &[]);
}

#[test]
fn field_order_does_not_matter() {
    let setup = Setup {
        dialect: Dialect {
            field_order: Some(FieldOrder::Reverse),
            ..Dialect::default()
        },
        ..Setup::default()
    };
    assert_fails("reversed field order", setup, &[]);
}

#[test]
fn wrong_checksums_fail_everything() {
    let setup = Setup {
        faults: Faults {
            bad_checksum: true,
            ..Faults::default()
        },
        error_detection: Some(ErrorDetection::On),
        ..Setup::default()
    };
    assert_all_fail("every answer with a wrong checksum", setup, CLOSE_ONLY);
}

#[test]
fn wrong_flags_fail_everything() {
    let setup = Setup {
        faults: Faults {
            wrong_flags: true,
            ..Faults::default()
        },
        ..Setup::default()
    };
    assert_all_fail("Y/N and 0/1 flags inverted", setup, CLOSE_ONLY);
}

#[test]
fn always_96_fails_everything() {
    let setup = Setup {
        faults: Faults {
            always_96: true,
            ..Faults::default()
        },
        ..Setup::default()
    };
    // The emulator answers 96 even before a login; the close-only scenarios only warn on it.
    assert_all_fail("96 to every request", setup, CLOSE_ONLY);
}

#[test]
fn garbage_fails_everything() {
    let setup = Setup {
        faults: Faults {
            garbage: true,
            ..Faults::default()
        },
        // Garbage answers nothing: each scenario's first step waits out the timeout.
        response_timeout: Some(Duration::from_millis(200)),
        ..Setup::default()
    };
    assert_all_fail("bytes that are no SIP message", setup, CLOSE_ONLY);
}

#[test]
fn dropped_personal_name_is_caught_where_ae_is_checked() {
    let setup = Setup {
        faults: Faults {
            drop_fields: vec![FieldId::AE],
            ..Faults::default()
        },
        ..Setup::default()
    };
    assert_fails("AE dropped", setup, DROP_AE);
}

#[test]
fn dropped_title_is_caught_where_aj_is_checked() {
    let setup = Setup {
        faults: Faults {
            drop_fields: vec![FieldId::AJ],
            ..Faults::default()
        },
        ..Setup::default()
    };
    assert_fails("AJ dropped", setup, DROP_AJ);
}

/// CR LF answers (Koha's default) are tolerated, as field-notes P1 asks of a harness, even in
/// strict mode: only `spec::terminator_cr`, which forbids `lf-after-cr`, fails, and every
/// answer carries the warning.
#[test]
fn crlf_answers_fail_terminator_cr_and_are_reported_everywhere() {
    let setup = Setup {
        dialect: Dialect {
            terminator: Some(Terminator::CrLf),
            ..Dialect::default()
        },
        strict: true,
        ..Setup::default()
    };
    let ran = assert_fails(
        "answers end in CR LF, --strict",
        setup,
        &["spec::terminator_cr"],
    );
    let unreported: Vec<String> = ran
        .results
        .iter()
        .flat_map(|r| r.steps.iter().map(move |st| (r, st)))
        .filter(|(_, st)| st.received.is_some())
        .filter(|(_, st)| !st.violations.iter().any(|v| v.rule.code() == "lf-after-cr"))
        .map(|(r, st)| format!("{} step {}", r.id, st.index))
        .collect();
    assert!(
        unreported.is_empty(),
        "CR LF not reported on: {unreported:?}"
    );
}

#[test]
fn a_latin1_server_breaks_the_diacritics() {
    let setup = Setup {
        dialect: Dialect {
            encoding: Some(Encoding::Latin1),
            ..Dialect::default()
        },
        ..Setup::default()
    };
    assert_fails("server speaks ISO-8859-1, profile UTF-8", setup, LATIN1);
}

#[test]
fn diacritics_round_trip_when_profile_and_server_agree() {
    for encoding in [Encoding::Latin1, Encoding::Cp850] {
        let setup = Setup {
            dialect: Dialect {
                encoding: Some(encoding),
                ..Dialect::default()
            },
            encoding: Some(encoding),
            ..Setup::default()
        };
        assert_fails(&format!("server and profile in {encoding:?}"), setup, &[]);
    }
}

#[test]
fn a_server_without_checksums_fails_error_detection() {
    let setup = Setup {
        dialect: Dialect {
            error_detection: Some(false),
            ..Dialect::default()
        },
        ..Setup::default()
    };
    assert_fails("error detection forced off", setup, NO_CHECKSUMS);
}

#[test]
fn closing_on_97_is_caught_by_the_resend_scenarios() {
    let setup = Setup {
        faults: Faults {
            close_on: Some(MessageCode::REQUEST_ACS_RESEND),
            ..Faults::default()
        },
        ..Setup::default()
    };
    assert_fails("connection closed on 97", setup, CLOSE_ON_97);
}

/// Scenarios that check a personal name (AE): patron status, information, block, enable,
/// and the unknown (255-character) patron of field_limit, whose AE must be empty.
const DROP_AE: &[&str] = &[
    "siptest::01patron_status",
    "siptest::02patron_info",
    "siptest::04patron_status",
    "siptest::05block_patron",
    "siptest::06patron_enable",
    "spec::block_patron",
    "spec::block_patron_refused",
    "spec::encoding",
    "spec::fee_paid",
    "spec::field_limit",
    "spec::patron_enable",
    "spec::patron_enable_refused",
    "spec::patron_information",
    "spec::patron_information_refused",
    "spec::patron_status",
    "spec::patron_status_refused",
];

/// Scenarios that check a title (AJ) where the spec requires one: 12, 18 and 30 (AJ is
/// optional in 10 and 16, so the checkin and hold checks of it are not spec).
const DROP_AJ: &[&str] = &[
    "siptest::03checkout",
    "siptest::09renew",
    "siptest::11item_info",
    "spec::checkin",
    "spec::checkout",
    "spec::checkout_fee",
    "spec::checkout_refused",
    "spec::encoding",
    "spec::error_detection",
    "spec::item_information",
    "spec::item_information_refused",
    "spec::renew",
    "spec::renew_refused",
    "spec::request_acs_resend",
];

/// Scenarios that compare a title with a diacritic.
const LATIN1: &[&str] = &[
    "siptest::03checkout",
    "spec::encoding",
    "spec::error_detection",
];

/// Scenarios that send checksummed requests and expect checksummed answers.
const NO_CHECKSUMS: &[&str] = &["spec::error_detection", "spec::error_detection_corrupt"];

/// Scenarios that send 97.
const CLOSE_ON_97: &[&str] = &[
    "spec::error_detection_corrupt",
    "spec::request_acs_resend",
    "spec::supported_messages",
];

/// SIPtest.pm's files and the number of cases each defines (07hold.t: the 15 it never runs).
const SIPTEST_CASES: &[(&str, usize)] = &[
    ("siptest::00sc_status", 4),
    ("siptest::01patron_status", 5),
    ("siptest::02patron_info", 8),
    ("siptest::03checkout", 8),
    ("siptest::04patron_status", 5),
    ("siptest::05block_patron", 3),
    ("siptest::06patron_enable", 10),
    ("siptest::07hold", 15),
    ("siptest::08checkin", 5),
    ("siptest::09renew", 8),
    ("siptest::10renew_all", 9),
    ("siptest::11item_info", 3),
];

#[test]
fn siptest_has_one_step_per_perl_case_in_file_order() {
    let profile = Profile::emulator().expect("the emulator profile loads");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/siptest");
    let scenarios = scenario::load(&[root], &profile.vars).expect("scenarios/siptest loads");
    let found: Vec<(&str, usize)> = scenarios
        .iter()
        .map(|s| (s.id.as_str(), s.steps.len()))
        .collect();
    assert_eq!(found, SIPTEST_CASES);
    let total: usize = SIPTEST_CASES.iter().map(|(_, n)| n).sum();
    assert_eq!(total, 68 + 15, "68 cases SIPtest.pm runs, plus 07hold's 15");
    // Every file opens as SIPtest's shared cases do (00sc_status tries two bad logins first).
    for s in &scenarios {
        let names: Vec<&str> = s.steps.iter().map(|st| st.name.as_str()).collect();
        let opening = if s.id == "siptest::00sc_status" {
            &names[2..4]
        } else {
            &names[..2]
        };
        assert_eq!(opening, ["login", "SC status"], "{}", s.id);
    }
}
