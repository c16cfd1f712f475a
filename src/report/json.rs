//! The JSON report: the same content as JUnit for machines, one document per run. Each check
//! carries its `ground` and `verdict` (`known` when the baseline lists it); the summary counts
//! spec failures, warnings by kind, and known failures and fixed baseline entries.

use serde_json::{Value, json};

use super::ReportOptions;
use super::redact::check_cells;
use super::text::{captured_value, printable};
use crate::check::CheckResult;
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult, Wire};
use crate::sip2::Violation;

/// The report for `run` as a JSON value.
pub fn to_value(run: &RunResult, opts: &ReportOptions) -> Value {
    let t = run.tally();
    json!({
        "endpoint": run.endpoint,
        "profile": run.profile,
        "institution": run.institution,
        "bx": run.bx,
        "started": run.started,
        "duration_ms": run.duration.as_millis() as u64,
        "summary": {
            "passed": t.passed,
            "failed": t.failed,
            "errored": t.errored,
            "skipped": t.skipped,
            "spec_failures": t.spec_failures,
            "warnings": { "common": t.common_warnings, "dialect": t.dialect_warnings },
            "known": t.known,
            "fixed": t.fixed,
        },
        "scenarios": run.scenarios.iter().map(|s| scenario(s, opts)).collect::<Vec<_>>(),
    })
}

fn scenario(s: &ScenarioResult, opts: &ReportOptions) -> Value {
    let reason = match &s.outcome {
        Outcome::Errored(r) | Outcome::Skipped(r) => Some(r.as_str()),
        Outcome::Passed | Outcome::Failed => None,
    };
    json!({
        "id": s.id,
        "name": s.name,
        "file": s.file.display().to_string(),
        "tags": s.tags,
        "outcome": s.outcome.as_str(),
        "reason": reason,
        "duration_ms": s.duration.as_millis() as u64,
        "steps": s.steps.iter().map(|st| step(s, st, opts)).collect::<Vec<_>>(),
    })
}

fn step(s: &ScenarioResult, st: &StepResult, opts: &ReportOptions) -> Value {
    json!({
        "id": s.step_path(st),
        "index": st.index,
        "phase": st.phase.as_str(),
        "undo_of": st.phase.undo_of(),
        "name": st.name,
        "loc": st.loc,
        "status": st.status.as_str(),
        "error": st.error,
        "duration_ms": st.duration.as_millis() as u64,
        "sent": st.sent.as_ref().map(|w| wire(w, opts)),
        "received": st.received.as_ref().map(|w| wire(w, opts)),
        "checks": st.checks.iter().map(|c| check(c, opts)).collect::<Vec<_>>(),
        "not_applied": st.not_applied,
        "notes": st.notes,
        "known": st.known,
        "fixed": st.fixed,
        "violations": st.violations.iter().map(violation).collect::<Vec<_>>(),
        "captures": st.captures.iter().map(|c| json!({
            "name": c.name,
            "value": captured_value(c, opts.redaction),
        })).collect::<Vec<_>>(),
    })
}

/// A check; the values of masked fields are masked, failed or not (as in every report).
fn check(c: &CheckResult, opts: &ReportOptions) -> Value {
    let cells = check_cells(c, opts.redaction);
    json!({
        "target": c.target.to_string(),
        "passed": c.passed,
        "ground": c.ground.name(),
        "verdict": c.verdict().as_str(),
        "known": c.known,
        "expected": cells.expected,
        "actual": cells.actual,
    })
}

fn wire(w: &Wire, opts: &ReportOptions) -> Value {
    let text = opts.redaction.apply(&w.text);
    json!({
        "text": text,
        "display": printable(&text),
        "terminator": w.terminator.map(|t| t.as_str()),
        "leading_lf": w.leading_lf,
    })
}

fn violation(v: &Violation) -> Value {
    json!({
        "rule": v.rule.code(),
        "severity": v.severity.as_str(),
        "field": v.field.to_string(),
        "expected": v.expected,
        "actual": v.actual,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn same_content_as_junit_masked() {
        let v = to_value(&sample::run(), &ReportOptions::default());
        assert_eq!(v["summary"]["failed"], 0);
        assert_eq!(v["summary"]["errored"], 1);
        assert_eq!(v["summary"]["skipped"], 1);
        assert_eq!(v["summary"]["passed"], 1);
        assert_eq!(v["summary"]["spec_failures"], 2);
        assert_eq!(v["summary"]["warnings"]["common"], 1);
        assert_eq!(v["summary"]["warnings"]["dialect"], 1);
        let steps = &v["scenarios"][0]["steps"];
        assert_eq!(steps[1]["status"], "failed");
        assert_eq!(steps[1]["id"], "demo::checkout/checkout-of-caliz");
        assert_eq!(steps[1]["checks"][1]["target"], "ok");
        assert_eq!(steps[1]["checks"][1]["ground"], "spec");
        assert_eq!(steps[1]["checks"][1]["verdict"], "failed");
        assert_eq!(steps[1]["checks"][3]["ground"], "evergreen");
        assert_eq!(steps[1]["checks"][3]["verdict"], "warned");
        assert_eq!(steps[1]["checks"][0]["verdict"], "passed");
        assert_eq!(
            steps[1]["notes"][0],
            "the server's BX says checkout is unsupported, and it answered"
        );
        let status = &v["scenarios"][2]["steps"];
        assert_eq!(status[0]["status"], "passed");
        assert_eq!(status[0]["checks"][1]["ground"], "common");
        assert_eq!(status[0]["checks"][1]["verdict"], "warned");
        assert_eq!(status[1]["status"], "skipped");
        assert_eq!(status[1]["error"], "the profile has no blocked_patron");
        assert_eq!(steps[1]["violations"][0]["rule"], "control-char");
        assert_eq!(steps[3]["status"], "not run");
        assert_eq!(steps[0]["sent"]["text"], "9300CNsip_01|CO***|CPBR1|");
        assert!(
            steps[1]["received"]["display"]
                .as_str()
                .unwrap()
                .contains("<0x01>")
        );
    }
}
