//! Verdicts a site can trust: `scenarios/spec` and `scenarios/siptest` against the emulator in
//! each dialect preset, with that dialect's profile template (`fixtures/profiles/<D>.yaml`),
//! report no spec failure and no errored scenario; whatever the dialect does differently is a
//! warning or a check that does not apply. Faults that break a spec rule still fail the rules
//! they break, in the FOLIO and Koha presets too. And once through the binary: `serve
//! --dialect folio` and `run scenarios/spec --profile fixtures/profiles/folio.yaml` exit 0.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::cli::serve;

use libtest_mimic::Arguments;
use sip2check::acs::{self, Dialect, Faults, Library, ServeOptions};
use sip2check::check::{Target as CheckTarget, Verdict};
use sip2check::report::ReportOptions;
use sip2check::runner::exec::{ExecContext, run_scenario};
use sip2check::runner::plan::connect_options;
use sip2check::runner::skip::scenario_skip;
use sip2check::runner::{
    self, Capabilities, Outcome, RunConfig, RunResult, ScenarioResult, Selection, StepResult,
    StepStatus, Target,
};
use sip2check::scenario::{self, ErrorDetection, Ground, Profile};
use sip2check::sip2::{FieldId, Rule, System, Terminator};

/// The four presets and their profile templates.
const PRESETS: &[(System, &str)] = &[
    (System::Evergreen, "evergreen"),
    (System::Koha, "koha"),
    (System::Folio, "folio"),
    (System::Emulator, "emulator"),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The profile template of a preset; `edit` changes it as a site would.
fn profile(name: &str, edit: impl FnOnce(&mut Profile)) -> Profile {
    let path = root()
        .join("fixtures/profiles")
        .join(format!("{name}.yaml"));
    let mut p = Profile::load(&path).unwrap_or_else(|e| panic!("{name}.yaml loads: {e}"));
    edit(&mut p);
    p
}

/// Both shipped suites.
fn suites() -> Vec<PathBuf> {
    vec![
        root().join("scenarios/spec"),
        root().join("scenarios/siptest"),
    ]
}

/// Starts the emulator in `dialect` with `faults`, an isolated library per connection, as
/// `sip2check run` starts it; `body` runs against its address.
fn with_emulator<T>(
    dialect: Dialect,
    faults: Faults,
    body: impl FnOnce(&tokio::runtime::Runtime, String) -> T,
) -> T {
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
                dialect,
                faults,
                ..ServeOptions::default()
            },
        ))
        .expect("the emulator starts");
    let out = body(&rt, server.addr().to_string());
    rt.block_on(server.shutdown());
    out
}

/// Runs both suites as `sip2check run` does (capability probe, skips, trials) against the
/// emulator in `dialect`, with `profile`.
fn run(dialect: Dialect, profile: Profile) -> RunResult {
    with_emulator(dialect, Faults::default(), |_, addr| {
        let config = RunConfig {
            paths: suites(),
            target: Target::Endpoint(addr),
            profile,
            selection: Selection::default(),
            strict: false,
            jobs: Some(2),
            ..RunConfig::default()
        };
        let plan = runner::plan(&config).expect("the run is planned");
        // libtest's own lines go to a file: this test prints its own report when it fails.
        let log = tempfile::NamedTempFile::new().unwrap();
        let args = Arguments {
            logfile: Some(log.path().display().to_string()),
            ..Arguments::default()
        };
        let (_, result) = runner::execute(&plan, &args, ReportOptions::default());
        plan.shutdown();
        result
    })
}

/// Runs every scenario of both suites against the emulator in `dialect` with `faults`, one
/// after the other, without the capability probe (a faulty server may fail it): the scenarios
/// the profile rules out (error detection off, missing records) are skipped as in a run.
fn run_faulty(dialect: Dialect, faults: Faults, profile: Profile) -> RunResult {
    let scenarios = scenario::load(&suites(), &profile.vars).expect("the shipped suites load");
    with_emulator(dialect, faults, |rt, addr| {
        let ctx = ExecContext {
            connect: connect_options(&profile, &addr),
            vars: profile.vars.clone(),
            strict: false,
            dialect: profile.dialect.clone(),
            caps: Capabilities {
                no_error_detection: profile.error_detection == Some(ErrorDetection::Off),
                ..Capabilities::default()
            },
            emulator: None,
            ..ExecContext::default()
        };
        let mut results = Vec::new();
        for s in &scenarios {
            let result = match scenario_skip(s, &ctx.caps, &ctx.vars) {
                Some(why) => ScenarioResult {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    file: s.file.clone(),
                    tags: s.tags.clone(),
                    outcome: Outcome::Skipped(why),
                    steps: Vec::new(),
                    started: std::time::SystemTime::now(),
                    duration: Duration::ZERO,
                },
                None => rt.block_on(run_scenario(s, &ctx)),
            };
            results.push(result);
        }
        RunResult {
            endpoint: addr,
            profile: profile.source.clone(),
            institution: None,
            bx: None,
            started: String::new(),
            duration: Duration::ZERO,
            scenarios: results,
        }
    })
}

/// Every spec failure and every errored scenario, one line each ("scenario step N: ...").
fn failures(run: &RunResult) -> Vec<String> {
    let mut out = Vec::new();
    for s in &run.scenarios {
        if let Outcome::Errored(why) = &s.outcome {
            out.push(format!("{} errored: {why}", s.id));
        }
        for st in &s.steps {
            for c in st.failures() {
                out.push(format!(
                    "{} step {} \"{}\": {} expected {} got {}",
                    s.id, st.index, st.name, c.target, c.expected, c.actual
                ));
            }
            if failed_without_check(st) {
                out.push(format!(
                    "{} step {} \"{}\": {}",
                    s.id,
                    st.index,
                    st.name,
                    st.error.as_deref().unwrap_or("failed")
                ));
            }
        }
    }
    out
}

/// A failed step without a failed check: the request could not be built or the answer was
/// not a message.
fn failed_without_check(st: &StepResult) -> bool {
    st.status == StepStatus::Failed && st.failures().next().is_none()
}

/// The warnings and skips, for a readable report when the run is not what it should be.
fn context(run: &RunResult) -> String {
    let mut out = String::new();
    for s in &run.scenarios {
        if let Outcome::Skipped(why) = &s.outcome {
            let _ = writeln!(out, "  skipped  {}: {why}", s.id);
        }
        for st in &s.steps {
            if st.status == StepStatus::Skipped {
                let why = st.error.as_deref().unwrap_or("");
                let _ = writeln!(out, "  skipped  {} step {}: {why}", s.id, st.index);
            }
            for c in st.warnings() {
                let _ = writeln!(
                    out,
                    "  warning  {} step {} \"{}\": {} expected {} got {} ({})",
                    s.id,
                    st.index,
                    st.name,
                    c.target,
                    c.expected,
                    c.actual,
                    c.ground.phrase()
                );
            }
        }
    }
    out
}

/// Asserts the run has exactly the spec failures `allowed` (prefixes of failure lines).
fn assert_only(what: &str, run: &RunResult, allowed: &[&str]) {
    let found = failures(run);
    let unexpected: Vec<&String> = found
        .iter()
        .filter(|f| !allowed.iter().any(|a| f.starts_with(a)))
        .collect();
    let missing: Vec<&&str> = allowed
        .iter()
        .filter(|a| !found.iter().any(|f| f.starts_with(**a)))
        .collect();
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "{what}:\nspec failures or errors that should not be there:\n  {}\nexpected failures that did not happen: {missing:?}\n{}",
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        context(run)
    );
}

/// The emulator's preset for `system`.
fn preset(system: System) -> Dialect {
    Dialect::preset(system).expect("the preset exists")
}

#[test]
fn evergreen_preset_with_its_profile_has_no_spec_failure() {
    let run = run(preset(System::Evergreen), profile("evergreen", |_| {}));
    assert_only("evergreen", &run, &[]);
}

#[test]
fn emulator_preset_with_its_profile_has_no_spec_failure() {
    let run = run(preset(System::Emulator), profile("emulator", |_| {}));
    assert_only("emulator", &run, &[]);
}

#[test]
fn folio_preset_with_its_profile_has_no_spec_failure_and_skips_error_detection() {
    let run = run(preset(System::Folio), profile("folio", |_| {}));
    assert_only("folio", &run, &[]);
    for id in ["spec::error_detection", "spec::error_detection_corrupt"] {
        let s = run.scenarios.iter().find(|s| s.id == id).unwrap();
        assert_eq!(
            s.outcome,
            Outcome::Skipped("the profile says error_detection: off".into()),
            "{id}"
        );
    }
}

/// Koha's CR LF answers break the spec's terminator: the one scenario that checks it fails, on
/// every step, and nothing else does. With the account's terminator="CR" nothing fails.
#[test]
fn koha_preset_has_no_spec_failure_and_its_cr_lf_is_a_common_warning() {
    let run_crlf = run(preset(System::Koha), profile("koha", |_| {}));
    assert_only("koha (CR LF)", &run_crlf, &[]);
    let lf_warned = |run: &RunResult| -> Vec<usize> {
        run.scenarios
            .iter()
            .filter(|s| s.id == "spec::terminator_cr")
            .flat_map(|s| &s.steps)
            .filter(|st| {
                st.warnings().any(|c| {
                    c.target == CheckTarget::Lint(Rule::LfAfterCr) && c.ground == Ground::Common
                })
            })
            .map(|st| st.index)
            .collect()
    };
    assert_eq!(
        lf_warned(&run_crlf),
        [1, 2, 3],
        "Koha's CR LF is warned in terminator_cr\n{}",
        context(&run_crlf)
    );
    let cr = Dialect {
        terminator: Some(Terminator::Cr),
        ..preset(System::Koha)
    };
    let run_cr = run(cr, profile("koha", |_| {}));
    assert_only("koha with terminator=\"CR\"", &run_cr, &[]);
    assert!(lf_warned(&run_cr).is_empty(), "{}", context(&run_cr));
}

/// Scenarios that only expect the server to close (or ignore) a message before the login:
/// no answer of theirs is ever judged.
const BEFORE_LOGIN: &[&str] = &["spec::login_first", "spec::sc_status_refused"];

/// The scenarios that ran and passed, skips and the before-login ones left out.
fn passed(run: &RunResult) -> Vec<&str> {
    run.scenarios
        .iter()
        .filter(|s| s.outcome == Outcome::Passed && !BEFORE_LOGIN.contains(&s.id.as_str()))
        .map(|s| s.id.as_str())
        .collect()
}

/// Each failed scenario fails on a spec check, not on a warning.
fn assert_spec_failures(what: &str, run: &RunResult) {
    for s in &run.scenarios {
        if s.outcome == Outcome::Failed {
            assert!(
                s.steps
                    .iter()
                    .any(|st| st.failures().next().is_some() || failed_without_check(st)),
                "{what}: {} failed without a failed spec check",
                s.id
            );
        }
    }
}

#[test]
fn inverted_flags_fail_every_scenario_in_the_folio_and_koha_presets() {
    for (system, name) in [(System::Folio, "folio"), (System::Koha, "koha")] {
        let faults = Faults {
            wrong_flags: true,
            ..Faults::default()
        };
        let run = run_faulty(preset(system), faults, profile(name, |_| {}));
        assert_eq!(
            passed(&run),
            Vec::<&str>::new(),
            "{name}: passed with every Y/N and 0/1 inverted"
        );
        assert_spec_failures(name, &run);
        let ok = run
            .scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .flat_map(|st| st.failures())
            .any(|c| c.target == CheckTarget::Fixed("ok"));
        assert!(ok, "{name}: an inverted ok fails as a spec check");
    }
}

#[test]
fn garbage_answers_fail_every_scenario_in_the_folio_and_koha_presets() {
    for (system, name) in [(System::Folio, "folio"), (System::Koha, "koha")] {
        let faults = Faults {
            garbage: true,
            ..Faults::default()
        };
        // Garbage is no answer: each step waits out the response time, so keep it short.
        let short = |p: &mut Profile| p.response_timeout = Some(Duration::from_millis(200));
        let run = run_faulty(preset(system), faults, profile(name, short));
        assert_eq!(
            passed(&run),
            Vec::<&str>::new(),
            "{name}: passed with answers that are no SIP"
        );
        assert_spec_failures(name, &run);
    }
}

/// AO is required in nearly every response: with it dropped, every evaluated AO check fails as
/// a spec check, in scenarios of both suites.
#[test]
fn a_dropped_institution_fails_every_ao_check_in_the_folio_and_koha_presets() {
    for (system, name) in [(System::Folio, "folio"), (System::Koha, "koha")] {
        let faults = Faults {
            drop_fields: vec![FieldId::AO],
            ..Faults::default()
        };
        let run = run_faulty(preset(system), faults, profile(name, |_| {}));
        let mut checked = 0;
        for s in &run.scenarios {
            for st in &s.steps {
                for c in st
                    .checks
                    .iter()
                    .filter(|c| c.target == CheckTarget::Field(FieldId::AO))
                {
                    checked += 1;
                    assert!(
                        !c.passed && c.verdict() == Verdict::Failed,
                        "{name}: {} step {}: AO check {:?}",
                        s.id,
                        st.index,
                        c
                    );
                }
            }
        }
        assert!(checked > 100, "{name}: {checked} AO checks evaluated");
        for id in [
            "siptest::03checkout",
            "spec::checkout",
            "spec::patron_status",
        ] {
            let s = run.scenarios.iter().find(|s| s.id == id).unwrap();
            assert_eq!(s.outcome, Outcome::Failed, "{name}: {id}");
        }
    }
}

/// A Koha that answers with wrong checksums fails the error-detection scenarios (and, with
/// error detection on for every request, every scenario that gets an answer).
#[test]
fn wrong_checksums_fail_in_the_koha_preset() {
    let faults = Faults {
        bad_checksum: true,
        ..Faults::default()
    };
    let run = run_faulty(
        preset(System::Koha),
        faults,
        profile("koha", |p| p.error_detection = Some(ErrorDetection::On)),
    );
    assert_eq!(
        passed(&run),
        Vec::<&str>::new(),
        "koha: wrong checksums passed"
    );
    assert_spec_failures("koha", &run);
    for id in ["spec::error_detection", "spec::error_detection_corrupt"] {
        let s = run.scenarios.iter().find(|s| s.id == id).unwrap();
        assert_ne!(s.outcome, Outcome::Passed, "{id}");
    }
}

/// Every shipped profile loads, and each preset has a template naming its dialect.
#[test]
fn every_shipped_profile_loads_and_each_preset_has_one_naming_its_dialect() {
    for entry in std::fs::read_dir(root().join("fixtures/profiles")).unwrap() {
        let path = entry.unwrap().path();
        if let Err(e) = Profile::load(&path) {
            panic!("{}: {e}", path.display());
        }
    }
    for (system, name) in PRESETS {
        let p = profile(name, |_| {});
        assert!(p.dialect.contains(system), "{name}.yaml: {:?}", p.dialect);
    }
    assert_eq!(
        profile("folio", |_| {}).error_detection,
        Some(ErrorDetection::Off),
        "edge-sip2's errorDetectionEnabled defaults to false"
    );
}

#[test]
fn run_of_the_spec_suite_with_the_folio_profile_against_serve_dialect_folio_exits_0() {
    let serve = serve(&["--dialect", "folio"]);
    let out = common::cli::run(&[
        "scenarios/spec",
        "--endpoint",
        &serve.endpoint,
        "--profile",
        "fixtures/profiles/folio.yaml",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(" 0 failed, 0 errored, 2 skipped; 0 spec failures"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  skipped  spec::error_detection: the profile says error_detection: off"),
        "{stdout}"
    );
}
