//! The one result model: what happened in a run, scenario by scenario and step by step.
//! The console, JUnit and JSON reporters all read it; none of them re-parses text.

use std::path::PathBuf;
use std::time::Duration;

use crate::check::{Captured, CheckResult};
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
    /// Position in the scenario, from 1.
    pub index: usize,
    /// Display name.
    pub name: String,
    /// Where it is written (`file:line`, with the `use:` that pulled it in).
    pub loc: String,
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
    /// Why it could not run or complete.
    pub error: Option<String>,
    /// How long it took.
    pub duration: Duration,
}

/// A step's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepStatus {
    /// Every check held.
    Passed,
    /// A check failed.
    Failed,
    /// It could not complete (no connection, timeout, a template without value).
    Errored,
    /// An earlier step lost the connection.
    NotRun,
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
    pub fn new(index: usize, name: &str, loc: String, status: StepStatus) -> Self {
        StepResult {
            index,
            name: name.to_string(),
            loc,
            status,
            sent: None,
            received: None,
            violations: Vec::new(),
            accepted: Vec::new(),
            checks: Vec::new(),
            captures: Vec::new(),
            error: None,
            duration: Duration::ZERO,
        }
    }

    /// A step that was not run, with the reason.
    pub fn not_run(index: usize, name: &str, loc: String, reason: &str) -> Self {
        StepResult {
            error: Some(reason.to_string()),
            ..StepResult::new(index, name, loc, StepStatus::NotRun)
        }
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| !c.passed)
    }

    /// The error-severity violations the step does not accept (what `--strict` fails).
    pub fn errors(&self) -> impl Iterator<Item = &Violation> {
        self.violations
            .iter()
            .filter(|v| v.severity == Severity::Error && !self.accepted.contains(&v.rule))
    }
}

impl Outcome {
    /// The verdict of a scenario whose steps ran (or stopped) as given.
    pub fn from_steps(steps: &[StepResult]) -> Outcome {
        if let Some(e) = steps.iter().find(|s| s.status == StepStatus::Errored) {
            return Outcome::Errored(format!(
                "step {} \"{}\": {}",
                e.index,
                e.name,
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
    /// "passed", "failed", "errored" or "not run".
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "failed",
            StepStatus::Errored => "errored",
            StepStatus::NotRun => "not run",
        }
    }
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
}
