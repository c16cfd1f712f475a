//! The JSON report: the same content as JUnit for machines, one document per run, marked with
//! its [`SCHEMA_VERSION`] and the tool's version. Each check carries its `ground`, `verdict`
//! (`known` when the baseline lists it) and `matcher`, and its expected and actual values both
//! for people (`expected`, `actual`) and as data (`expected_value`, `actual_value`); the summary
//! counts scenarios, steps, spec failures, warnings by kind, known failures and fixed baseline
//! entries. Violations have the one shape every JSON report uses.

use serde_json::{Value, json};

use super::ReportOptions;
use super::redact::check_cells;
use super::text::{captured_value, printable};
use crate::check::{CheckResult, Raw};
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus, Wire};

/// The version of the report's layout: raised when a key is renamed or removed or its meaning
/// changes; keys may be added without it.
pub const SCHEMA_VERSION: u32 = 1;

/// The report for `run` as a JSON value.
pub fn to_value(run: &RunResult, opts: &ReportOptions) -> Value {
    let t = run.tally();
    let steps = |status: Option<StepStatus>| {
        run.scenarios
            .iter()
            .flat_map(|s| &s.steps)
            .filter(|st| status.is_none_or(|want| st.status == want))
            .count()
    };
    json!({
        "schema_version": SCHEMA_VERSION,
        "tool": { "name": "sip2check", "version": env!("CARGO_PKG_VERSION") },
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
            "steps": {
                "total": steps(None),
                "passed": steps(Some(StepStatus::Passed)),
                "failed": steps(Some(StepStatus::Failed)),
                "errored": steps(Some(StepStatus::Errored)),
                "skipped": steps(Some(StepStatus::Skipped)),
                "not_run": steps(Some(StepStatus::NotRun)),
            },
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
        "violations": st.violations,
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
        "matcher": c.matcher,
        "expected": cells.expected,
        "actual": cells.actual,
        "expected_value": raw(&cells.expected_value),
        "actual_value": raw(&cells.actual_value),
    })
}

/// A value as data: null, a string, a list of strings, a number, or for `each` the inner
/// matcher and its value.
fn raw(r: &Raw) -> Value {
    match r {
        Raw::None => Value::Null,
        Raw::Text(t) => json!(t),
        Raw::List(ts) => json!(ts),
        Raw::Number(n) => json!(n),
        Raw::Each(kind, inner) => json!({ "matcher": kind, "value": raw(inner) }),
    }
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
        assert_eq!(
            steps[1]["violations"][0]["message"],
            "AJ: expected no control characters, got 0x01"
        );
        assert_eq!(v["schema_version"], SCHEMA_VERSION);
        assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(
            v["summary"]["steps"],
            json!({"total": 7, "passed": 2, "failed": 1, "errored": 1, "skipped": 1, "not_run": 2})
        );
        let ok = &steps[1]["checks"][1];
        assert_eq!(
            (&ok["matcher"], &ok["expected_value"], &ok["actual_value"]),
            (&json!("equals"), &json!("1"), &json!("0"))
        );
        let name = &steps[1]["checks"][2];
        assert_eq!(name["target"], "AE");
        assert_eq!(
            (&name["expected_value"], &name["actual_value"]),
            (&json!("***"), &json!("***")),
            "personal data is masked as data too"
        );
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
