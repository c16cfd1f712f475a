//! The two-server diff (`sip2check diff`): the same scenarios run against an old and a new
//! server, in the same order (each scenario on both at once when that is safe), then compared
//! step by step: the field-level differences between the two responses, normalised as
//! snapshots are, and the verdict differences (a step that passes on old and fails on new).
//!
//! [`DiffResult`] is the data model every diff reporter reads (console, JSON, JUnit, HTML):
//! both full runs, and per scenario and step what differs.

use std::path::PathBuf;
use std::time::Instant;

use super::decoded::{Change, Decoded, changes};
use super::normalize::Normalizer;
use crate::runner::Plan;
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus};
use crate::sip2::redact::Redaction;

/// A diff of two runs of the same scenarios.
#[derive(Debug, Clone)]
pub struct DiffResult {
    /// The old server (the one in production, say).
    pub old: Side,
    /// The new server (after the upgrade).
    pub new: Side,
    /// One entry per scenario, in the runs' order: `scenarios[i]` compares
    /// `old.run.scenarios[i]` with `new.run.scenarios[i]`.
    pub scenarios: Vec<ScenarioDiff>,
}

/// One side of a diff.
#[derive(Debug, Clone)]
pub struct Side {
    /// What the server is, for people: `127.0.0.1:6001`, or `built-in emulator` with the knobs
    /// it was started with. Holds no port of a built-in emulator, so reports are reproducible.
    pub label: String,
    /// Its whole run: transcripts, checks, verdicts (the reporters' `RunResult`).
    pub run: RunResult,
}

/// One scenario on both servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioDiff {
    /// The scenario id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The scenario file.
    pub file: PathBuf,
    /// Its verdict on the old server.
    pub old: Outcome,
    /// Its verdict on the new server.
    pub new: Outcome,
    /// One entry per step, in order: `steps[j]` compares the scenario's step `j` on both.
    pub steps: Vec<StepDiff>,
}

/// One step on both servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDiff {
    /// Position in the scenario, from 1.
    pub index: usize,
    /// The step id (reports name it `scenario-id/step-id`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its verdict on the old server.
    pub old: StepStatus,
    /// Its verdict on the new server.
    pub new: StepStatus,
    /// The old response, decoded and normalised (None: none came, or the step did not run).
    pub old_response: Option<Decoded>,
    /// The new response, decoded and normalised.
    pub new_response: Option<Decoded>,
    /// The field-level differences (only when the step ran on both servers).
    pub changes: Vec<Change>,
}

impl StepDiff {
    /// The verdicts differ (passed on old, failed on new, or any other pair).
    pub fn verdict_changed(&self) -> bool {
        self.old != self.new
    }

    /// Something differs: a field or the verdict.
    pub fn differs(&self) -> bool {
        self.verdict_changed() || !self.changes.is_empty()
    }
}

impl ScenarioDiff {
    /// Some step differs, or the scenario's verdict does.
    pub fn differs(&self) -> bool {
        self.old != self.new || self.steps.iter().any(StepDiff::differs)
    }

    /// `scenario-id/step-id`.
    pub fn step_path(&self, step: &StepDiff) -> String {
        format!("{}/{}", self.id, step.id)
    }

    /// It could not run to the end on one side or both (then a diff cannot vouch for it).
    pub fn errored(&self) -> bool {
        matches!(self.old, Outcome::Errored(_)) || matches!(self.new, Outcome::Errored(_))
    }
}

/// The counts of a diff's summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffTally {
    /// Scenarios compared.
    pub scenarios: usize,
    /// Scenarios in which something differs.
    pub differing_scenarios: usize,
    /// Steps compared.
    pub steps: usize,
    /// Steps in which something differs.
    pub differing_steps: usize,
    /// Field-level differences.
    pub field_changes: usize,
    /// Steps whose verdict differs.
    pub verdict_changes: usize,
    /// Scenarios that errored on one side or both.
    pub errored: usize,
}

impl DiffResult {
    /// Compares two runs of the same scenarios with `norm`'s rules.
    pub fn compare(old: Side, new: Side, norm: &Normalizer) -> DiffResult {
        let scenarios = old
            .run
            .scenarios
            .iter()
            .zip(&new.run.scenarios)
            .map(|(o, n)| scenario_diff(o, n, norm))
            .collect();
        DiffResult {
            old,
            new,
            scenarios,
        }
    }

    /// The counts.
    pub fn tally(&self) -> DiffTally {
        let mut t = DiffTally {
            scenarios: self.scenarios.len(),
            ..DiffTally::default()
        };
        for s in &self.scenarios {
            t.differing_scenarios += usize::from(s.differs());
            t.errored += usize::from(s.errored());
            for st in &s.steps {
                t.steps += 1;
                t.differing_steps += usize::from(st.differs());
                t.field_changes += st.changes.len();
                t.verdict_changes += usize::from(st.verdict_changed());
            }
        }
        t
    }

    /// Nothing differs and nothing errored: the gate is open (exit 0).
    pub fn same(&self) -> bool {
        self.scenarios.iter().all(|s| !s.differs() && !s.errored())
    }
}

fn scenario_diff(old: &ScenarioResult, new: &ScenarioResult, norm: &Normalizer) -> ScenarioDiff {
    ScenarioDiff {
        id: old.id.clone(),
        name: old.name.clone(),
        file: old.file.clone(),
        old: old.outcome.clone(),
        new: new.outcome.clone(),
        steps: paired(&old.steps, &new.steps)
            .iter()
            .map(|(o, n)| step_diff(o, n, norm))
            .collect(),
    }
}

/// The steps of both sides paired by id, in the old side's order, then the steps only the new
/// side ran (cleanup steps run only when needed: an undo may run on one side alone). A step
/// one side lacks is paired with a stand-in that did not run.
fn paired<'a>(
    old: &'a [StepResult],
    new: &'a [StepResult],
) -> Vec<(
    std::borrow::Cow<'a, StepResult>,
    std::borrow::Cow<'a, StepResult>,
)> {
    use std::borrow::Cow;
    let absent = |s: &StepResult| {
        Cow::Owned(StepResult {
            error: Some("not run on this server".to_string()),
            ..StepResult::clone_identity(s)
        })
    };
    let mut out: Vec<(Cow<StepResult>, Cow<StepResult>)> = old
        .iter()
        .map(|o| match new.iter().find(|n| n.id == o.id) {
            Some(n) => (Cow::Borrowed(o), Cow::Borrowed(n)),
            None => (Cow::Borrowed(o), absent(o)),
        })
        .collect();
    for n in new.iter().filter(|n| !old.iter().any(|o| o.id == n.id)) {
        out.push((absent(n), Cow::Borrowed(n)));
    }
    out
}

fn step_diff(old: &StepResult, new: &StepResult, norm: &Normalizer) -> StepDiff {
    let ran = |s: &StepResult| !matches!(s.status, StepStatus::Skipped | StepStatus::NotRun);
    let decode = |s: &StepResult| {
        s.received
            .as_ref()
            .filter(|_| ran(s))
            .map(|w| Decoded::decode(&w.text, norm))
    };
    let (old_response, new_response) = (decode(old), decode(new));
    let changes = if ran(old) && ran(new) {
        changes(old_response.as_ref(), new_response.as_ref(), &[])
    } else {
        Vec::new()
    };
    StepDiff {
        index: old.index,
        id: old.id.clone(),
        name: old.name.clone(),
        old: old.status,
        new: new.status,
        old_response,
        new_response,
        changes,
    }
}

/// Runs every scenario of the two plans (which hold the same scenarios) in the same order;
/// with `together`, each scenario on both servers at once. Results are redacted at `level`,
/// as a run's are. Returns the old and the new run.
pub fn run_both(
    old: &Plan,
    new: &Plan,
    together: bool,
    level: Redaction,
) -> (RunResult, RunResult) {
    let started = chrono::Local::now().to_rfc3339();
    let clock = Instant::now();
    let mut results: (Vec<ScenarioResult>, Vec<ScenarioResult>) = (Vec::new(), Vec::new());
    for (o, n) in old.scenarios.iter().zip(&new.scenarios) {
        let (a, b) = old.handle().block_on(async {
            if together {
                tokio::join!(old.run(o, level), new.run(n, level))
            } else {
                let a = old.run(o, level).await;
                (a, new.run(n, level).await)
            }
        });
        results.0.push(a);
        results.1.push(b);
    }
    let duration = clock.elapsed();
    let run = |plan: &Plan, scenarios: Vec<ScenarioResult>| RunResult {
        endpoint: plan.endpoint.clone(),
        profile: plan.profile.clone(),
        institution: plan.institution.clone(),
        bx: plan.bx.clone(),
        started: started.clone(),
        duration,
        scenarios,
    };
    (run(old, results.0), run(new, results.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;
    use crate::runner::result::Wire;

    fn step(id: &str, status: StepStatus, received: Option<&str>) -> StepResult {
        StepResult {
            received: received.map(|t| Wire {
                text: t.into(),
                terminator: None,
                leading_lf: false,
            }),
            ..StepResult::new(1, id, id, "x.yaml:1".into(), status)
        }
    }

    fn side(steps: Vec<StepResult>) -> Side {
        Side {
            label: "built-in emulator".into(),
            run: RunResult {
                scenarios: vec![sample::scenario(steps)],
                ..RunResult::default()
            },
        }
    }

    #[test]
    fn fields_and_verdicts_that_differ_and_dates_that_do_not() {
        let old = side(vec![
            step("a", StepStatus::Passed, Some("941")),
            step(
                "b",
                StepStatus::Passed,
                Some("1803020120261202    101500AB1|AJSnow crash|"),
            ),
            step("c", StepStatus::Passed, Some("941")),
        ]);
        let new = side(vec![
            step("a", StepStatus::Passed, Some("941")),
            step(
                "b",
                StepStatus::Failed,
                Some("1803020120261203    111111AB1|AJSnow Crash|"),
            ),
            step("c", StepStatus::Skipped, None),
        ]);
        let d = DiffResult::compare(old, new, &Normalizer::default());
        let s = &d.scenarios[0];
        assert!(!s.steps[0].differs());
        assert_eq!(s.steps[1].changes.len(), 1, "{:?}", s.steps[1].changes);
        assert_eq!(s.steps[1].changes[0].part.to_string(), "AJ");
        assert!(s.steps[1].verdict_changed());
        assert!(
            s.steps[2].changes.is_empty() && s.steps[2].verdict_changed(),
            "a step skipped on one side differs by verdict only"
        );
        assert_eq!(s.step_path(&s.steps[1]), "s::a/b");
        let t = d.tally();
        assert_eq!(
            (t.differing_steps, t.field_changes, t.verdict_changes),
            (2, 1, 2)
        );
        assert!(!d.same());
        let mut undone = step(
            "x/undo/check-in",
            StepStatus::Passed,
            Some("101YNN20261202    101500"),
        );
        undone.phase = crate::runner::result::Phase::Undo(1);
        let mut lent = side(vec![step("x", StepStatus::Failed, Some("941")), undone]);
        lent.run.scenarios[0].outcome = Outcome::Failed;
        let d = DiffResult::compare(
            side(vec![step("x", StepStatus::Passed, Some("941"))]),
            lent,
            &Normalizer::default(),
        );
        let got: Vec<(&str, StepStatus, StepStatus)> = d.scenarios[0]
            .steps
            .iter()
            .map(|s| (s.id.as_str(), s.old, s.new))
            .collect();
        assert_eq!(
            got,
            [
                ("x", StepStatus::Passed, StepStatus::Failed),
                ("x/undo/check-in", StepStatus::NotRun, StepStatus::Passed),
            ],
            "steps pair by id; an undo that ran on one side only is a verdict difference"
        );
        let same = DiffResult::compare(
            side(vec![step("a", StepStatus::Passed, Some("941"))]),
            side(vec![step("a", StepStatus::Passed, Some("941"))]),
            &Normalizer::default(),
        );
        assert!(same.same());
    }
}
