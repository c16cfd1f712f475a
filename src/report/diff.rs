//! The reports of `sip2check diff`: the console text ([`render`]) and JSON ([`to_value`]) of a
//! [`DiffResult`]; JUnit is [`super::junit::write_diff`], HTML [`super::html::diff`]. Each
//! differing step is named `scenario-id/step-id` and shows a table of what differs, old against
//! new, with the verdicts.
//! Patron personal data is masked unless asked not to, passwords always; nothing here holds a
//! date, a time or the port of a built-in emulator, so the text is the same on every run.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::ReportOptions;
use super::text::printable;
use crate::check::diff::{Segment, inline};
use crate::gate::diff::{DiffResult, DiffTally, ScenarioDiff, Side, StepDiff};
use crate::gate::snapshot::shown;
use crate::gate::{Change, Decoded, Part};
use crate::runner::result::Outcome;
use crate::sip2::FieldId;
use crate::sip2::redact::MASK;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Widest old value before the "new" column stops aligning.
const MAX_WIDTH: usize = 40;

/// The console text: a header naming both servers, each differing step with its table, and a
/// summary line.
pub fn render(d: &DiffResult, opts: &ReportOptions) -> String {
    let mut out = format!(
        "sip2check diff: {} scenario(s); old: {}; new: {}\n",
        d.scenarios.len(),
        printable(&d.old.label),
        printable(&d.new.label)
    );
    for s in &d.scenarios {
        for (side, outcome) in [("old", &s.old), ("new", &s.new)] {
            if let Outcome::Errored(reason) = outcome {
                let _ = writeln!(out, "{}: errored on {side}: {}", s.id, printable(reason));
            }
        }
        for st in s.steps.iter().filter(|st| st.differs()) {
            let _ = writeln!(out, "{}", s.step_path(st));
            out.push_str(&table(st, opts));
        }
    }
    let _ = writeln!(out, "sip2check diff: {}", summary(&d.tally()));
    out
}

/// The summary line without its `sip2check diff: ` prefix: "3 of 16 steps differ, in 3 of 3
/// scenarios (3 field changes, 1 verdict change)", or "no differences in ...".
pub(crate) fn summary(t: &DiffTally) -> String {
    let mut out = if t.differing_steps == 0 {
        format!(
            "no differences in {} steps of {} scenarios",
            t.steps, t.scenarios
        )
    } else {
        format!(
            "{} of {} steps differ, in {} of {} scenarios ({} field change{}, {} verdict change{})",
            t.differing_steps,
            t.steps,
            t.differing_scenarios,
            t.scenarios,
            t.field_changes,
            plural(t.field_changes),
            t.verdict_changes,
            plural(t.verdict_changes)
        )
    };
    if t.errored > 0 {
        let _ = write!(out, "; {} errored", t.errored);
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The old and new values of a change as people see them: quoted, `absent`, `no response`,
/// or masked.
pub(crate) fn values(c: &Change, opts: &ReportOptions) -> (String, String) {
    let masked = match &c.part {
        Part::Field { id, .. } => FieldId::parse(id).is_some_and(|id| opts.redaction.masks(id)),
        Part::Message | Part::Fixed(_) => false,
    };
    let show = |v: Option<&str>| match (v, masked) {
        (Some(_), true) => MASK.to_string(),
        (v, _) => printable(&shown(&c.part, v)),
    };
    (show(c.old.as_deref()), show(c.new.as_deref()))
}

/// One row of a step's table.
struct Row {
    part: String,
    old: String,
    new: String,
    /// The raw values whose differing characters colour highlights.
    highlight: Option<(String, String)>,
}

/// The raw old and new values whose differing characters are marked: only when both sides
/// have the value and neither is masked (`old` and `new` as [`values`] shows them).
pub(crate) fn highlight(c: &Change, old: &str, new: &str) -> Option<(String, String)> {
    (old != MASK && new != MASK)
        .then(|| c.old.clone().zip(c.new.clone()))
        .flatten()
}

/// One step's table: a row per change, then the verdicts when they differ.
pub(crate) fn table(st: &StepDiff, opts: &ReportOptions) -> String {
    let mut rows: Vec<Row> = st
        .changes
        .iter()
        .map(|c| {
            let (old, new) = values(c, opts);
            let highlight = highlight(c, &old, &new);
            Row {
                part: c.part.to_string(),
                old,
                new,
                highlight,
            }
        })
        .collect();
    if st.verdict_changed() {
        rows.push(Row {
            part: "verdict".into(),
            old: st.old.as_str().into(),
            new: st.new.as_str().into(),
            highlight: None,
        });
    }
    let width = |f: fn(&Row) -> &String, cap| {
        rows.iter()
            .map(|r| f(r).chars().count())
            .filter(|w| *w <= cap)
            .max()
            .unwrap_or(0)
            .max(8)
    };
    let part_w = width(|r| &r.part, usize::MAX);
    let old_w = width(|r| &r.old, MAX_WIDTH);
    let mut out = format!("    {:<part_w$}  {:<old_w$}  new\n", "field", "old");
    for Row {
        part,
        old,
        new,
        highlight,
    } in rows
    {
        let pad = " ".repeat(old_w.saturating_sub(old.chars().count()));
        let (old, new) = match (highlight, opts.color) {
            (Some((a, b)), true) => {
                let (was, now) = inline(&a, &b);
                (
                    format!("\"{}\"", paint(&was, RED)),
                    format!("\"{}\"", paint(&now, GREEN)),
                )
            }
            _ => (old, new),
        };
        let _ = writeln!(out, "    {part:<part_w$}  {old}{pad}  {new}");
    }
    out
}

fn paint(segments: &[Segment], color: &str) -> String {
    segments
        .iter()
        .map(|s| {
            let text = printable(&s.text);
            if s.changed {
                format!("{color}{BOLD}{text}{RESET}")
            } else {
                text
            }
        })
        .collect()
}

/// The JSON report: both servers, the counts, and every scenario and step with its verdicts,
/// its changes and both decoded responses.
pub fn to_value(d: &DiffResult, opts: &ReportOptions) -> Value {
    let t = d.tally();
    json!({
        "old": side(&d.old),
        "new": side(&d.new),
        "started": d.old.run.started,
        "duration_ms": d.old.run.duration.as_millis() as u64,
        "same": d.same(),
        "summary": {
            "scenarios": t.scenarios,
            "differing_scenarios": t.differing_scenarios,
            "steps": t.steps,
            "differing_steps": t.differing_steps,
            "field_changes": t.field_changes,
            "verdict_changes": t.verdict_changes,
            "errored": t.errored,
        },
        "scenarios": d.scenarios.iter().map(|s| scenario(s, opts)).collect::<Vec<_>>(),
    })
}

fn side(s: &Side) -> Value {
    json!({
        "label": s.label,
        "endpoint": s.run.endpoint,
        "profile": s.run.profile,
        "bx": s.run.bx,
    })
}

fn reason(o: &Outcome) -> Option<&str> {
    match o {
        Outcome::Errored(r) | Outcome::Skipped(r) => Some(r),
        Outcome::Passed | Outcome::Failed => None,
    }
}

fn scenario(s: &ScenarioDiff, opts: &ReportOptions) -> Value {
    json!({
        "id": s.id,
        "name": s.name,
        "file": s.file.display().to_string(),
        "old": s.old.as_str(),
        "new": s.new.as_str(),
        "old_reason": reason(&s.old),
        "new_reason": reason(&s.new),
        "differs": s.differs(),
        "steps": s.steps.iter().map(|st| json!({
            "id": s.step_path(st),
            "index": st.index,
            "name": st.name,
            "old": st.old.as_str(),
            "new": st.new.as_str(),
            "differs": st.differs(),
            "changes": st.changes.iter().map(|c| {
                let (old, new) = values(c, opts);
                json!({
                    "part": c.part.to_string(),
                    "kind": c.kind().as_str(),
                    "old": old,
                    "new": new,
                })
            }).collect::<Vec<_>>(),
            "old_response": st.old_response.as_ref().map(|r| response(r, opts)),
            "new_response": st.new_response.as_ref().map(|r| response(r, opts)),
        })).collect::<Vec<_>>(),
    })
}

fn response(r: &Decoded, opts: &ReportOptions) -> Value {
    json!({
        "code": r.code,
        "fixed": r.fixed.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "fields": r.fields.iter().map(|(id, v)| {
            let masked = FieldId::parse(id).is_some_and(|id| opts.redaction.masks(id));
            json!([id, if masked { MASK } else { v.as_str() }])
        }).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::diff;

    #[test]
    fn the_console_shows_each_differing_step_old_against_new_and_no_dates() {
        let text = render(&diff(), &ReportOptions::default());
        assert_eq!(
            text,
            "sip2check diff: 1 scenario(s); old: built-in emulator; new: built-in emulator with library new.yaml\n\
             s::a/item\n\
             \x20   field     old           new\n\
             \x20   AJ        \"Snow crash\"  \"Snow Crash\"\n\
             \x20   AE        ***           ***\n\
             \x20   AF        absent        \"hi\"\n\
             \x20   verdict   passed        failed\n\
             sip2check diff: 1 of 1 steps differ, in 1 of 1 scenarios (3 field changes, 1 verdict change)\n"
        );
        let coloured = render(
            &diff(),
            &ReportOptions {
                color: true,
                ..ReportOptions::default()
            },
        );
        assert!(
            coloured.contains(&format!("\"Snow {RED}{BOLD}c{RESET}rash\"")),
            "{coloured}"
        );
    }

    #[test]
    fn json_has_the_changes_verdicts_and_responses() {
        let v = to_value(&diff(), &ReportOptions::default());
        assert_eq!(v["same"], false);
        assert_eq!(v["summary"]["field_changes"], 3);
        let step = &v["scenarios"][0]["steps"][0];
        assert_eq!(step["id"], "s::a/item");
        assert_eq!(
            (step["old"].as_str(), step["new"].as_str()),
            (Some("passed"), Some("failed"))
        );
        assert_eq!(step["changes"][0]["part"], "AJ");
        assert_eq!(step["changes"][0]["kind"], "changed");
        assert_eq!(step["changes"][2]["kind"], "added");
        assert_eq!(step["changes"][1]["old"], "***", "personal data masked");
        assert_eq!(step["new_response"]["fixed"][3][1], "<date>");
    }
}
