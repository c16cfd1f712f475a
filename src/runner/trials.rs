//! libtest-mimic trials, one per scenario, and the entry point shared by `sip2check run` and
//! `cargo test` harnesses ([`harness_main`]). Trial bodies are synchronous: they block on the
//! plan's tokio runtime, and hand their [`ScenarioResult`] to a [`Sink`] for the reports.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use super::exec::run_scenario;
use super::plan::{Plan, RunConfig, Selection, Target, plan, select};
use super::result::{Outcome, RunResult, ScenarioResult, StepResult};
use crate::report::ReportOptions;
use crate::report::console::{render_scenario, report_error};
use crate::report::redact::Redactor;
use crate::scenario::{Profile, Scenario};
use crate::sip2::redact::Redaction;

/// Collects the results of the trials as they finish.
#[derive(Debug, Clone, Default)]
pub struct Sink(Arc<Mutex<Vec<ScenarioResult>>>);

impl Sink {
    fn push(&self, r: ScenarioResult) {
        // A poisoned lock means another trial panicked; its result is lost, ours is still kept.
        match self.0.lock() {
            Ok(mut v) => v.push(r),
            Err(poisoned) => poisoned.into_inner().push(r),
        }
    }

    /// Every result so far, in id order.
    pub fn take(&self) -> Vec<ScenarioResult> {
        let mut v = match self.0.lock() {
            Ok(mut v) => std::mem::take(&mut *v),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }
}

/// Judges a scenario's result once more after it ran and before it is reported (a baseline
/// marks known failures, a snapshot comparison adds failures). Reviews run in the order the
/// plan lists them, inside the trial, so libtest's verdict is the reviewed one.
pub trait Review: Send + Sync {
    /// Reviews one scenario's result (skipped scenarios too), keeping its outcome consistent
    /// with its steps.
    fn review(&self, result: &mut ScenarioResult);
}

/// One trial per planned scenario; skipped ones are ignored with their reason.
pub fn trials(plan: &Plan, sink: &Sink, opts: ReportOptions) -> Vec<Trial> {
    // Results leave the runner only through the redaction pass.
    let redactor = Arc::new(plan.redactor(opts.redaction));
    plan.scenarios
        .iter()
        .map(|s| {
            let skip = plan.skip_of(s);
            let (scenario, sink, exec, handle, redactor) = (
                s.clone(),
                sink.clone(),
                plan.exec.clone(),
                plan.handle(),
                redactor.clone(),
            );
            let reviews = plan.reviews.clone();
            Trial::ignorable_test(s.id.clone(), move || {
                if let Some(reason) = skip {
                    let reason = redactor.text(&reason);
                    let mut result = skipped(&scenario, &reason);
                    reviews.iter().for_each(|r| r.review(&mut result));
                    sink.push(result);
                    return Ok(Completion::ignored_with(reason));
                }
                let mut result = redactor.scenario(handle.block_on(run_scenario(&scenario, &exec)));
                reviews.iter().for_each(|r| r.review(&mut result));
                let message = render_scenario(&result, &opts);
                let passed = result.outcome == Outcome::Passed;
                sink.push(result);
                if passed {
                    Ok(Completion::Completed)
                } else {
                    Err(Failed::from(message))
                }
            })
        })
        .collect()
}

impl Plan {
    /// Why `s` is skipped, if the plan skips it.
    fn skip_of(&self, s: &Scenario) -> Option<String> {
        self.skips
            .iter()
            .find(|(id, _)| *id == s.id)
            .map(|(_, r)| r.clone())
    }

    /// Runs one planned scenario as its trial does (skip, run, redaction at `level`, reviews),
    /// without libtest: for callers that run two plans side by side (`sip2check diff`).
    pub async fn run(&self, s: &Scenario, level: Redaction) -> ScenarioResult {
        let redactor = self.redactor(level);
        let mut result = match self.skip_of(s) {
            Some(reason) => skipped(s, &redactor.text(&reason)),
            None => redactor.scenario(run_scenario(s, &self.exec).await),
        };
        self.reviews.iter().for_each(|r| r.review(&mut result));
        result
    }
}

fn skipped(s: &Scenario, reason: &str) -> ScenarioResult {
    ScenarioResult {
        id: s.id.clone(),
        name: s.name.clone(),
        file: s.file.clone(),
        tags: s.tags.clone(),
        outcome: Outcome::Skipped(reason.to_string()),
        steps: s
            .steps
            .iter()
            .enumerate()
            .map(|(i, st)| StepResult::skipped(i + 1, &st.id, &st.name, st.loc.to_string(), reason))
            .collect(),
        duration: std::time::Duration::ZERO,
    }
}

/// Runs the planned scenarios as libtest-mimic trials and gathers the results.
pub fn execute(
    plan: &Plan,
    args: &Arguments,
    opts: ReportOptions,
) -> (libtest_mimic::Conclusion, RunResult) {
    let started = chrono::Local::now();
    let clock = std::time::Instant::now();
    let sink = Sink::default();
    let mut args = args.clone();
    args.test_threads = args.test_threads.or(Some(plan.jobs));
    let conclusion = libtest_mimic::run(&args, trials(plan, &sink, opts));
    let run = RunResult {
        endpoint: plan.endpoint.clone(),
        profile: plan.profile.clone(),
        institution: plan.institution.clone(),
        bx: plan.bx.clone(),
        started: started.to_rfc3339(),
        duration: clock.elapsed(),
        scenarios: sink.take(),
    };
    (conclusion, run)
}

/// The `main` of a `cargo test` harness (`harness = false`): runs the scenarios under `paths`
/// against the built-in emulator, or against `SIP2_ENDPOINT` (host:port) with the variables of
/// `SIP2_PROFILE` (a profile file). libtest's arguments (filters, `--list`, ...) apply.
pub fn harness_main(paths: &[&str]) -> ExitCode {
    let args = Arguments::from_args();
    let profile_path = std::env::var_os("SIP2_PROFILE").map(PathBuf::from);
    let redactor =
        Redactor::for_profile_file(profile_path.as_deref(), Redaction::SecretsAndPersonal);
    let report_error = |e: &dyn std::fmt::Display| report_error(&redactor.text(&e.to_string()));
    let endpoint = std::env::var("SIP2_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty());
    let profile = match (&profile_path, &endpoint) {
        (Some(p), _) => Profile::load(p).map_err(|e| e.to_string()),
        (None, None) => Profile::emulator().map_err(|e| e.to_string()),
        (None, Some(e)) => Err(format!(
            "SIP2_ENDPOINT={e} needs SIP2_PROFILE=FILE with that server's variables (start from a copy of fixtures/profiles/emulator.yaml)"
        )),
    };
    let profile = match profile {
        Ok(p) => p,
        Err(e) => {
            report_error(&e);
            return ExitCode::from(2);
        }
    };
    // With SIP2_PROFILE alone, the profile's own endpoint (if any) is the server.
    let target = match endpoint.or_else(|| profile.endpoint.clone()) {
        Some(e) => Target::Endpoint(e),
        None => Target::Emulator,
    };
    let config = RunConfig {
        paths: paths.iter().map(PathBuf::from).collect(),
        suites: Vec::new(),
        target,
        profile,
        selection: Selection::default(),
        strict: false,
        jobs: None,
        ignore_bx: false,
        shuffle: None,
    };
    if args.list {
        // Listing (as cargo nextest does before every run) needs no server and no probe.
        return match select(&config) {
            Ok(scenarios) => {
                let listed = scenarios
                    .into_iter()
                    .map(|s| Trial::test(s.id, || Ok(())))
                    .collect();
                libtest_mimic::run(&args, listed).exit_code()
            }
            Err(e) => {
                report_error(&e);
                ExitCode::from(e.exit_code())
            }
        };
    }
    let plan = match plan(&config) {
        Ok(p) => p,
        Err(e) => {
            report_error(&e);
            return ExitCode::from(e.exit_code());
        }
    };
    let (conclusion, _) = execute(&plan, &args, ReportOptions::default());
    plan.shutdown();
    conclusion.exit_code()
}
