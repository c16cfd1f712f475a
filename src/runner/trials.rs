//! libtest-mimic trials, one per scenario, and [`execute`], which `sip2check run` and `cargo
//! test` harnesses ([`super::harness_main_with`]) both run them with. Trial bodies are
//! synchronous: they block on the plan's tokio runtime, and hand their [`ScenarioResult`] to a
//! [`Sink`] for the reports.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

use super::events::Event;
use super::exec::run_scenario;
use super::plan::Plan;
use super::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus};
use crate::report::ReportOptions;
use crate::report::console::render_scenario;
use crate::report::redact::Redactor;
use crate::scenario::Scenario;
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

    /// A copy of every result so far, in id order (the run goes on).
    pub fn snapshot(&self) -> Vec<ScenarioResult> {
        let mut v = match self.0.lock() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
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

/// One trial per planned scenario; skipped ones are ignored with their reason, and once the
/// plan's abort is set, the ones not yet started too.
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
                let stopped = exec.abort.reason().map(|r| format!("not run: {r}"));
                if let Some(reason) = skip.map(|r| redactor.text(&r)).or(stopped) {
                    let mut result = not_run(&scenario, &reason);
                    reviews.iter().for_each(|r| r.review(&mut result));
                    exec.events
                        .emit(Event::ScenarioFinished { result: &result });
                    sink.push(result);
                    return Ok(Completion::ignored_with(reason));
                }
                exec.events
                    .emit(Event::ScenarioStarted { id: &scenario.id });
                let raw = handle.block_on(run_scenario(&scenario, &exec));
                exec.events.emit(Event::ScenarioFinished { result: &raw });
                let mut result = redactor.scenario(raw);
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
            Some(reason) => not_run(s, &redactor.text(&reason)),
            None => redactor.scenario(run_scenario(s, &self.exec).await),
        };
        self.reviews.iter().for_each(|r| r.review(&mut result));
        result
    }
}

/// The result of a scenario that did not run, for `reason`: skipped, every step not run.
pub fn not_run(s: &Scenario, reason: &str) -> ScenarioResult {
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
            .map(|(i, st)| StepResult {
                error: Some(reason.to_string()),
                ..StepResult::for_step(i + 1, st, StepStatus::Skipped)
            })
            .collect(),
        started: SystemTime::now(),
        duration: std::time::Duration::ZERO,
    }
}

/// The results of a run that stopped before its end (`reason`, e.g. "the run was interrupted
/// (SIGTERM)"): those in `done`, then every other scenario of `planned`, errored when it was
/// among `running` (it started; its cleanup may not have run), else not run; masked by
/// `redactor`. In id order.
pub fn unfinished(
    planned: &[Scenario],
    mut done: Vec<ScenarioResult>,
    running: &[String],
    reason: &str,
    redactor: &Redactor,
) -> Vec<ScenarioResult> {
    for s in planned {
        if done.iter().any(|d| d.id == s.id) {
            continue;
        }
        let mut r = not_run(s, &format!("not run: {reason}"));
        if running.contains(&s.id) {
            r.outcome = Outcome::Errored(format!(
                "{reason} while it ran; its cleanup (finally:, undo:) may not have run"
            ));
        }
        done.push(redactor.scenario(r));
    }
    done.sort_by(|a, b| a.id.cmp(&b.id));
    done
}

/// The run's result from its plan and scenarios.
pub fn run_result(
    plan: &Plan,
    started: chrono::DateTime<chrono::Local>,
    duration: std::time::Duration,
    scenarios: Vec<ScenarioResult>,
) -> RunResult {
    RunResult {
        endpoint: plan.endpoint.clone(),
        profile: plan.profile.clone(),
        institution: plan.institution.clone(),
        bx: plan.bx.clone(),
        started: started.to_rfc3339(),
        duration,
        scenarios,
    }
}

/// Runs the planned scenarios as libtest-mimic trials and gathers the results.
pub fn execute(
    plan: &Plan,
    args: &Arguments,
    opts: ReportOptions,
) -> (libtest_mimic::Conclusion, RunResult) {
    execute_into(plan, args, opts, &Sink::default())
}

/// [`execute`], the results going to `sink` as each scenario finishes (so that a run stopped
/// midway can still report them).
pub fn execute_into(
    plan: &Plan,
    args: &Arguments,
    opts: ReportOptions,
    sink: &Sink,
) -> (libtest_mimic::Conclusion, RunResult) {
    let started = chrono::Local::now();
    let clock = std::time::Instant::now();
    let mut args = args.clone();
    args.test_threads = args.test_threads.or(Some(plan.jobs));
    let conclusion = libtest_mimic::run(&args, trials(plan, sink, opts));
    let run = run_result(plan, started, clock.elapsed(), sink.take());
    (conclusion, run)
}
