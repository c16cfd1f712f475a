//! The one result model: what happened in a run, scenario by scenario and step by step.
//! The console, JUnit and JSON reporters all read it; none of them re-parses text.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::check::{Captured, CheckResult, Verdict};
use crate::scenario::{Ground, Step};
use crate::sip2::{Rule, Severity, Terminator, Violation};

/// A whole run.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    /// The server: `host:port`, or "built-in emulator (host:port)".
    pub endpoint: String,
    /// Where the variables came from.
    pub profile: String,
    /// The institution (profile variable), if set.
    pub institution: Option<String>,
    /// The ACS's supported-messages flags from the capability probe.
    pub bx: Option<String>,
    /// When the run started (RFC 3339).
    pub started: String,
    /// How long it took.
    pub duration: Duration,
    /// Every scenario, in id order.
    pub scenarios: Vec<ScenarioResult>,
}

/// One scenario.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// `<directory>::<file stem>`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The scenario file.
    pub file: PathBuf,
    /// Its tags.
    pub tags: Vec<String>,
    /// The verdict, derived from the steps.
    pub outcome: Outcome,
    /// Every step, run or not.
    pub steps: Vec<StepResult>,
    /// When it started (when it was skipped, for one not run).
    pub started: SystemTime,
    /// How long it took.
    pub duration: Duration,
}

/// A scenario's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every step passed.
    Passed,
    /// A check failed (and nothing kept the scenario from running).
    Failed,
    /// It could not run to the end: connection, timeout (the reason).
    Errored(String),
    /// Not run (the reason, e.g. the ACS does not support a required message).
    Skipped(String),
}

/// One step.
#[derive(Debug, Clone)]
pub struct StepResult {
    /// Position in its phase, from 1 (the scenario's steps, or the cleanup's).
    pub index: usize,
    /// Stable identity in the scenario (the step's `id:` or a slug of its name); reports name
    /// the step `scenario-id/step-id` ([`ScenarioResult::step_path`]).
    pub id: String,
    /// The scenario's steps, or the cleanup (`finally:` and `undo:` steps).
    pub phase: Phase,
    /// Display name.
    pub name: String,
    /// Where it is written (`file:line`, with the `use:` that pulled it in).
    pub loc: String,
    /// Where its scenario has it (`file:line` in the scenario file: the `use:` line for a
    /// step pulled in from another file), for readers that link one place (JUnit `file`).
    pub origin: String,
    /// The verdict.
    pub status: StepStatus,
    /// The request, if one was sent.
    pub sent: Option<Wire>,
    /// The response, if one came.
    pub received: Option<Wire>,
    /// The linter's findings on the response.
    pub violations: Vec<Violation>,
    /// Lint rules the step accepts or requires (`lint:`, `violations:`).
    pub accepted: Vec<Rule>,
    /// One result per expectation and capture.
    pub checks: Vec<CheckResult>,
    /// Values captured for later steps.
    pub captures: Vec<Captured>,
    /// Checks left out because they are grounded in a system the profile's dialect does not name.
    pub not_applied: usize,
    /// What the harness observed beyond the checks (e.g. a message the BX marks unsupported, run
    /// under `--ignore-bx`, and how the server took it).
    pub notes: Vec<String>,
    /// Why it could not run or complete, or why it was skipped or not run (or, under
    /// `--strict-baseline`, the baseline entries it no longer fails).
    pub error: Option<String>,
    /// Where the baseline lists this step's error (`run --baseline`; the status is then Known).
    pub known: Option<String>,
    /// Baseline entries for this step that did not fail: fixed, to be removed from the baseline.
    pub fixed: Vec<String>,
    /// How long it took.
    pub duration: Duration,
}

/// Where a step ran: among the scenario's steps, or in the cleanup on a fresh connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// One of the scenario's `steps:`.
    Main,
    /// A `finally:` step.
    Finally,
    /// An `undo:` step of the scenario's step with this index, whose answer matched `when:`.
    Undo(usize),
}

impl Phase {
    /// True for `finally:` and `undo:` steps.
    pub fn is_cleanup(self) -> bool {
        match self {
            Phase::Main => false,
            Phase::Finally | Phase::Undo(_) => true,
        }
    }

    /// "main" or "cleanup".
    pub fn as_str(self) -> &'static str {
        if self.is_cleanup() { "cleanup" } else { "main" }
    }

    /// The step whose undo this is.
    pub fn undo_of(self) -> Option<usize> {
        match self {
            Phase::Undo(of) => Some(of),
            Phase::Main | Phase::Finally => None,
        }
    }
}

/// A step's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// No spec check failed (common and dialect checks may have warned).
    Passed,
    /// A spec check failed.
    Failed,
    /// It could not complete (no connection, timeout, a template without value).
    Errored,
    /// Not run on purpose: the profile lacks a record it needs, or the ACS a message (the reason
    /// is in `error`).
    Skipped,
    /// An earlier step lost the connection.
    NotRun,
    /// It failed or errored only in ways the baseline lists (`run --baseline`).
    Known,
}

/// One message as it was on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wire {
    /// The message decoded (without terminator).
    pub text: String,
    /// The terminator it ended with.
    pub terminator: Option<Terminator>,
    /// An LF came before it (the tail of a previous CRLF).
    pub leading_lf: bool,
}

impl StepResult {
    /// A step with `status` and nothing sent, received or checked yet.
    pub fn new(index: usize, id: &str, name: &str, loc: String, status: StepStatus) -> Self {
        StepResult {
            index,
            id: id.to_string(),
            phase: Phase::Main,
            name: name.to_string(),
            origin: loc.clone(),
            loc,
            status,
            sent: None,
            received: None,
            violations: Vec::new(),
            accepted: Vec::new(),
            checks: Vec::new(),
            captures: Vec::new(),
            not_applied: 0,
            notes: Vec::new(),
            error: None,
            known: None,
            fixed: Vec::new(),
            duration: Duration::ZERO,
        }
    }

    /// Step `index` of a scenario, `step`, with `status` and nothing sent yet.
    pub fn for_step(index: usize, step: &Step, status: StepStatus) -> Self {
        StepResult {
            origin: step.loc.origin().to_string(),
            ..StepResult::new(index, &step.id, &step.name, step.loc.to_string(), status)
        }
    }

    /// A step with the same identity and place as `other`, and nothing run.
    pub fn clone_identity(other: &StepResult) -> Self {
        StepResult {
            phase: other.phase,
            origin: other.origin.clone(),
            ..StepResult::new(
                other.index,
                &other.id,
                &other.name,
                other.loc.clone(),
                StepStatus::NotRun,
            )
        }
    }

    /// "step 3", or "cleanup step 2" for a step of the cleanup.
    pub fn label(&self) -> String {
        if self.phase.is_cleanup() {
            format!("cleanup step {}", self.index)
        } else {
            format!("step {}", self.index)
        }
    }

    /// `step 3 "name"`, `cleanup step 2 "name"`, or `cleanup step 2 "name" (undo of step 7)`.
    pub fn heading(&self) -> String {
        let mut out = format!("{} \"{}\"", self.label(), self.name);
        if let Some(of) = self.phase.undo_of() {
            out.push_str(&format!(" (undo of step {of})"));
        }
        out
    }

    /// The failed checks (spec checks that did not hold).
    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks
            .iter()
            .filter(|c| c.verdict() == Verdict::Failed)
    }

    /// The warnings (common and dialect checks that did not hold).
    pub fn warnings(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks
            .iter()
            .filter(|c| c.verdict() == Verdict::Warned)
    }

    /// The failures and warnings the baseline lists.
    pub fn known_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.verdict() == Verdict::Known)
    }

    /// The error-severity violations the step does not accept (what `--strict` fails).
    pub fn errors(&self) -> impl Iterator<Item = &Violation> {
        self.violations
            .iter()
            .filter(|v| v.severity == Severity::Error && !self.accepted.contains(&v.rule))
    }
}

impl ScenarioResult {
    /// How reports name one of its steps: `scenario-id/step-id`.
    pub fn step_path(&self, step: &StepResult) -> String {
        format!("{}/{}", self.id, step.id)
    }
}

impl Outcome {
    /// The verdict of a scenario whose steps ran (or stopped) as given.
    pub fn from_steps(steps: &[StepResult]) -> Outcome {
        if let Some(e) = steps.iter().find(|s| s.status == StepStatus::Errored) {
            return Outcome::Errored(format!(
                "{}: {}",
                e.heading(),
                e.error.as_deref().unwrap_or("could not complete")
            ));
        }
        if steps.iter().any(|s| s.status == StepStatus::Failed) {
            Outcome::Failed
        } else {
            Outcome::Passed
        }
    }

    /// "passed", "failed", "errored" or "skipped".
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Errored(_) => "errored",
            Outcome::Skipped(_) => "skipped",
        }
    }
}

impl StepStatus {
    /// "passed", "failed", "errored", "skipped" or "not run".
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "failed",
            StepStatus::Errored => "errored",
            StepStatus::Skipped => "skipped",
            StepStatus::NotRun => "not run",
            StepStatus::Known => "known",
        }
    }
}

/// The counts of a run's summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed.
    pub failed: usize,
    /// Scenarios that could not run to the end.
    pub errored: usize,
    /// Scenarios skipped.
    pub skipped: usize,
    /// Failed spec checks, and failed steps that have none (a request that could not be built).
    pub spec_failures: usize,
    /// Warnings of common-practice checks.
    pub common_warnings: usize,
    /// Warnings of dialect checks.
    pub dialect_warnings: usize,
    /// Failures, warnings and step errors the baseline lists.
    pub known: usize,
    /// Baseline entries that no longer fail.
    pub fixed: usize,
}

impl RunResult {
    /// Counts of (passed, failed, errored, skipped) scenarios.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for s in &self.scenarios {
            match s.outcome {
                Outcome::Passed => c.0 += 1,
                Outcome::Failed => c.1 += 1,
                Outcome::Errored(_) => c.2 += 1,
                Outcome::Skipped(_) => c.3 += 1,
            }
        }
        c
    }

    /// The scenario counts, the spec failures and the warnings by kind.
    pub fn tally(&self) -> Tally {
        let (passed, failed, errored, skipped) = self.counts();
        let mut t = Tally {
            passed,
            failed,
            errored,
            skipped,
            ..Tally::default()
        };
        for step in self.scenarios.iter().flat_map(|s| &s.steps) {
            let failures = step.failures().count();
            t.spec_failures += if step.status == StepStatus::Failed {
                failures.max(1)
            } else {
                failures
            };
            t.known += step.known_checks().count() + usize::from(step.known.is_some());
            t.fixed += step.fixed.len();
            for w in step.warnings() {
                match w.ground {
                    Ground::Common => t.common_warnings += 1,
                    Ground::System(_) => t.dialect_warnings += 1,
                    Ground::Spec => {}
                }
            }
        }
        t
    }
}
