//! The page of `diff --html`: the verdict of the gate (same, differs, errored) with the console's
//! summary line, the two servers side by side (label, profile, institution, BX, scenario
//! verdicts), the counts, every differing step and every verdict change, then each scenario
//! that differs with, per differing step, its field-level changes (added, removed, changed; the
//! differing characters marked), its verdicts, and both servers' masked transcripts with the
//! checks that did not hold there.
//!
//! It reads `gate::diff::DiffResult`; the values are shown as the console shows them
//! (`report::diff`), masked the same way.

use super::run::{
    bx, check_cells, check_mark, masking, outcome_mark, step_mark, step_title, step_transcript,
};
use super::{
    Html, Mark, badge, banner, counts, diff_value, duration, facts, table_close, table_open, tool,
    when,
};
use crate::check::CheckResult;
use crate::check::diff::inline;
use crate::gate::diff::{DiffResult, ScenarioDiff, Side, StepDiff};
use crate::report::ReportOptions;
use crate::report::diff::{highlight, summary, values};
use crate::runner::result::{Outcome, ScenarioResult, StepResult};

/// The whole page for `diff`.
pub fn page(d: &DiffResult, opts: &ReportOptions) -> String {
    let mut h = Html::default();
    header(&mut h, d, opts);
    differences(&mut h, d);
    verdicts(&mut h, d);
    errors(&mut h, d);
    let differing: Vec<(usize, &ScenarioDiff)> = numbered(d).filter(|(_, s)| s.differs()).collect();
    if !differing.is_empty() {
        h.raw("<h2 class=\"scn\">Scenarios that differ</h2>\n");
        for (i, s) in differing {
            scenario(&mut h, i, s, d, opts);
        }
    }
    unchanged(&mut h, d);
    let title = format!(
        "sip2check diff: {} against {} ({})",
        d.new.label,
        d.old.label,
        when(&d.old.run.started)
    );
    super::page(&title, &h)
}

fn header(h: &mut Html, d: &DiffResult, opts: &ReportOptions) {
    let t = d.tally();
    let (mark, verdict) = if t.errored > 0 {
        (Mark::Errored, "errored")
    } else if d.same() {
        (Mark::Passed, "same")
    } else {
        (Mark::Failed, "differs")
    };
    h.raw("<header><h1>SIP2 upgrade diff</h1>\n");
    banner(h, mark, verdict, &summary(&t));
    table_open(h, "sides", &["", "old", "new"]);
    let row = |h: &mut Html, label: &'static str, f: &dyn Fn(&Side) -> String| {
        h.raw("<tr><th>").raw(label).raw("</th>");
        h.el("<td>", &f(&d.old), "</td>");
        h.el("<td>", &f(&d.new), "</td></tr>\n");
    };
    row(h, "Server", &|s| s.label.clone());
    row(h, "Profile", &|s| s.run.profile.clone());
    row(h, "Institution", &|s| {
        s.run.institution.clone().unwrap_or_else(|| "-".into())
    });
    row(h, "Supported messages (BX)", &|s| bx(s.run.bx.as_deref()));
    row(h, "Scenarios", &|s| {
        let (passed, failed, errored, skipped) = s.run.counts();
        format!("{passed} passed, {failed} failed, {errored} errored, {skipped} skipped")
    });
    table_close(h);
    facts(
        h,
        &[
            ("Started", when(&d.old.run.started)),
            ("Duration", duration(d.old.run.duration)),
            (
                "Compared",
                "each response decoded field by field, dates and other volatile values normalised"
                    .into(),
            ),
            ("Masked", masking(opts.redaction).into()),
            ("Tool", tool()),
        ],
    );
    counts(
        h,
        &[
            ("scenarios", t.scenarios, None),
            (
                "scenarios that differ",
                t.differing_scenarios,
                Some(Mark::Failed),
            ),
            ("steps", t.steps, None),
            ("steps that differ", t.differing_steps, Some(Mark::Failed)),
            ("field changes", t.field_changes, Some(Mark::Failed)),
            ("verdict changes", t.verdict_changes, Some(Mark::Failed)),
            ("errored scenarios", t.errored, Some(Mark::Errored)),
        ],
    );
    h.raw("</header>\n");
}

/// Every differing step, with what differs in it, linked to its details.
fn differences(h: &mut Html, d: &DiffResult) {
    let rows: Vec<(usize, &ScenarioDiff, &StepDiff)> =
        steps(d).filter(|(_, _, st)| st.differs()).collect();
    if rows.is_empty() {
        return;
    }
    h.raw("<h2>Differences</h2>\n");
    table_open(h, "sum", &["step", "what differs"]);
    for (i, s, st) in rows {
        h.raw("<tr class=\"failed\"><td>");
        step_link(h, i, s, st);
        let mut what: Vec<String> = st
            .changes
            .iter()
            .map(|c| format!("{} {}", c.part, c.kind().as_str()))
            .collect();
        if st.verdict_changed() {
            what.push(format!("verdict {} → {}", st.old.as_str(), st.new.as_str()));
        }
        h.el("</td><td>", &what.join("; "), "</td></tr>\n");
    }
    table_close(h);
}

/// Every step and scenario whose verdict differs, old and new.
fn verdicts(h: &mut Html, d: &DiffResult) {
    let scenarios: Vec<(usize, &ScenarioDiff)> =
        numbered(d).filter(|(_, s)| s.old != s.new).collect();
    let changed: Vec<(usize, &ScenarioDiff, &StepDiff)> =
        steps(d).filter(|(_, _, st)| st.verdict_changed()).collect();
    if scenarios.is_empty() && changed.is_empty() {
        return;
    }
    h.raw("<h2>Verdict changes</h2>\n");
    table_open(h, "sum", &["where", "old", "new"]);
    for (i, s) in scenarios {
        h.raw("<tr class=\"failed\"><td><a href=\"#sc")
            .num(i)
            .raw("\">");
        h.text(&s.id).raw("</a> (the scenario)");
        old_and_new(h, outcome_mark(&s.old), outcome_mark(&s.new));
    }
    for (i, s, st) in changed {
        h.raw("<tr class=\"failed\"><td>");
        step_link(h, i, s, st);
        old_and_new(h, step_mark(st.old), step_mark(st.new));
    }
    table_close(h);
}

/// Scenarios that could not run to the end on a side: a diff cannot vouch for them.
fn errors(h: &mut Html, d: &DiffResult) {
    let mut rows: Vec<(usize, &ScenarioDiff, &'static str, &str)> = Vec::new();
    for (i, s) in numbered(d) {
        for (side, outcome) in [("old", &s.old), ("new", &s.new)] {
            if let Outcome::Errored(reason) = outcome {
                rows.push((i, s, side, reason));
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    h.raw("<h2>Errors</h2>\n<p>These scenarios could not run to the end on a server (a lost connection, a timeout): the diff exits 1.</p>\n");
    table_open(h, "sum", &["scenario", "server", "what happened"]);
    for (i, s, side, reason) in rows {
        h.raw("<tr class=\"errored\"><td><a href=\"#sc")
            .num(i)
            .raw("\">");
        h.text(&s.id).raw("</a></td><td>").raw(side).raw("</td>");
        h.el("<td>", reason, "</td></tr>\n");
    }
    table_close(h);
}

fn scenario(h: &mut Html, i: usize, s: &ScenarioDiff, d: &DiffResult, opts: &ReportOptions) {
    let mark = if s.errored() {
        Mark::Errored
    } else {
        Mark::Failed
    };
    h.raw("<details class=\"sc ")
        .raw(mark.class())
        .raw("\" id=\"sc")
        .num(i)
        .raw("\" open><summary>");
    h.el("<span class=\"id\">", &s.id, "</span> ");
    if s.name != s.id {
        h.text(&s.name);
    }
    let differing = s.steps.iter().filter(|st| st.differs()).count();
    h.raw(" <span class=\"sub\">· old ");
    badge(h, outcome_mark(&s.old));
    h.raw("new ");
    badge(h, outcome_mark(&s.new));
    h.raw("· ").num(differing).raw(" of ").num(s.steps.len());
    h.raw(" steps differ · ")
        .text(&s.file.display().to_string());
    h.raw("</span></summary>\n");
    let (old, new) = (
        d.old.run.scenarios.get(i - 1),
        d.new.run.scenarios.get(i - 1),
    );
    for st in s.steps.iter().filter(|st| st.differs()) {
        step(h, i, st, (find(old, st), find(new, st)), opts);
    }
    h.raw("</details>\n");
}

fn step(
    h: &mut Html,
    i: usize,
    st: &StepDiff,
    (old, new): (Option<&StepResult>, Option<&StepResult>),
    opts: &ReportOptions,
) {
    h.raw("<div class=\"st failed\" id=\"sc").num(i);
    h.raw("-").text(&st.id).raw("\"><h3>");
    h.text(&old.or(new).map_or_else(|| st.id.clone(), step_title));
    h.raw(" <span class=\"sub\">");
    if let Some(loc) = old.or(new).map(|r| r.loc.as_str()) {
        h.text(loc);
    }
    h.raw("</span></h3>\n");
    table_open(h, "changes", &["field", "change", "old", "new"]);
    for c in &st.changes {
        let (was, now) = values(c, opts);
        h.raw("<tr class=\"failed\">");
        h.el("<td class=\"m\">", &c.part.to_string(), "</td>");
        h.el("<td>", c.kind().as_str(), "</td>");
        match highlight(c, &was, &now) {
            Some((a, b)) => {
                let (a, b) = inline(&a, &b);
                h.raw("<td class=\"m\">");
                diff_value(h, &a);
                h.raw("</td><td class=\"m\">");
                diff_value(h, &b);
                h.raw("</td>");
            }
            None => {
                h.el("<td class=\"m\">", &was, "</td>");
                h.el("<td class=\"m\">", &now, "</td>");
            }
        }
        h.raw("</tr>\n");
    }
    h.raw("<tr");
    if st.verdict_changed() {
        h.raw(" class=\"failed\"");
    }
    h.raw("><td>verdict</td><td>");
    h.raw(if st.verdict_changed() {
        "changed"
    } else {
        "same"
    });
    old_and_new(h, step_mark(st.old), step_mark(st.new));
    table_close(h);
    for (side, result) in [("old", old), ("new", new)] {
        h.raw("<p class=\"sub\">").raw(side).raw(" server:");
        let Some(r) = result else {
            h.raw(" not run on this server</p>\n");
            continue;
        };
        h.raw("</p>\n");
        step_transcript(h, r, opts.redaction);
        if let Some(e) = &r.error {
            h.el("<p class=\"err\">", e, "</p>\n");
        }
        // Why a verdict is what it is: the checks that did not hold on this side.
        let shown: Vec<&CheckResult> = r.failures().chain(r.warnings()).collect();
        if !shown.is_empty() {
            table_open(h, "checks", &["check", "expected", "got", "ground"]);
            for c in shown {
                h.raw("<tr class=\"").raw(check_mark(c).class()).raw("\">");
                check_cells(h, c, opts);
                h.raw("</tr>\n");
            }
            table_close(h);
        }
    }
    h.raw("</div>\n");
}

/// The scenarios in which nothing differs, folded, so the page says what was compared.
fn unchanged(h: &mut Html, d: &DiffResult) {
    let same: Vec<(usize, &ScenarioDiff)> = numbered(d).filter(|(_, s)| !s.differs()).collect();
    if same.is_empty() {
        return;
    }
    h.raw("<details class=\"sc passed\"><summary>");
    badge(h, Mark::Passed);
    h.num(same.len())
        .raw(" scenarios without a difference</summary>\n");
    table_open(h, "sum", &["scenario", "verdict on both", "steps"]);
    for (i, s) in same {
        h.raw("<tr id=\"sc").num(i).raw("\">");
        h.el("<td>", &s.id, "</td><td>");
        badge(h, outcome_mark(&s.old));
        h.raw("</td><td>").num(s.steps.len()).raw("</td></tr>\n");
    }
    table_close(h);
    h.raw("</details>\n");
}

fn step_link(h: &mut Html, i: usize, s: &ScenarioDiff, st: &StepDiff) {
    super::step_link(h, i, &st.id, &s.step_path(st));
}

/// The old and the new verdict, each in its cell, ending the row.
fn old_and_new(h: &mut Html, old: Mark, new: Mark) {
    h.raw("</td><td>");
    badge(h, old);
    h.raw("</td><td>");
    badge(h, new);
    h.raw("</td></tr>\n");
}

// Accessors of the diff model: what the page reads of it, in one place.

/// Every scenario with its number on the page (its position in the runs, from 1).
fn numbered(d: &DiffResult) -> impl Iterator<Item = (usize, &ScenarioDiff)> {
    d.scenarios.iter().enumerate().map(|(i, s)| (i + 1, s))
}

/// Every step with its scenario and the scenario's number.
fn steps(d: &DiffResult) -> impl Iterator<Item = (usize, &ScenarioDiff, &StepDiff)> {
    numbered(d).flat_map(|(i, s)| s.steps.iter().map(move |st| (i, s, st)))
}

/// A side's result of the step (None: the step did not run there at all).
fn find<'a>(s: Option<&'a ScenarioResult>, st: &StepDiff) -> Option<&'a StepResult> {
    s?.steps.iter().find(|r| r.id == st.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;
    use crate::sip2::redact::Redaction;

    #[test]
    fn a_differing_step_shows_each_change_marked_its_verdicts_and_both_transcripts() {
        let p = page(&sample::diff(), &ReportOptions::default());
        assert!(
            p.contains("<b>differs</b> 1 of 1 steps differ, in 1 of 1 scenarios (3 field changes, 1 verdict change)"),
            "{p}"
        );
        assert!(
            p.contains("<tr><th>Server</th><td>built-in emulator</td><td>built-in emulator with library new.yaml</td></tr>"),
            "{p}"
        );
        for row in [
            "<td class=\"m\">AJ</td><td>changed</td><td class=\"m\">&quot;Snow <mark>c</mark>rash&quot;</td><td class=\"m\">&quot;Snow <mark>C</mark>rash&quot;</td>",
            "<td class=\"m\">AE</td><td>changed</td><td class=\"m\">***</td><td class=\"m\">***</td>",
            "<td class=\"m\">AF</td><td>added</td><td class=\"m\">absent</td><td class=\"m\">&quot;hi&quot;</td>",
            "<td>verdict</td><td>changed</td><td><span class=\"v passed\">passed</span> </td><td><span class=\"v failed\">failed</span> </td>",
        ] {
            assert!(p.contains(row), "{row} in {p}");
        }
        assert!(
            p.contains("<a href=\"#sc1-item\">s::a/item</a></td><td>AJ changed; AE changed; AF added; verdict passed → failed</td>"),
            "{p}"
        );
        let new = &p[p.find("new server:").unwrap()..];
        assert!(
            new.contains("&lt; </span>1803020120261203    101500AB1|AJSnow Crash|AE***|AFhi|"),
            "the new side's transcript, personal data masked: {new}"
        );
        assert!(!p.contains("David") && !p.contains("Dave"), "{p}");
        assert!(!p.contains("without a difference"), "{p}");
        let shown = page(
            &sample::diff(),
            &ReportOptions {
                redaction: Redaction::Secrets,
                ..ReportOptions::default()
            },
        );
        assert!(
            shown.contains(
                "&quot;Dav<mark>id</mark>&quot;</td><td class=\"m\">&quot;Dav<mark>e</mark>&quot;"
            ),
            "--no-redact shows and marks personal data: {shown}"
        );
    }

    #[test]
    fn two_equal_runs_are_the_same_and_listed_folded() {
        let d = sample::diff();
        let same = DiffResult::compare(
            d.old.clone(),
            d.old.clone(),
            &crate::gate::Normalizer::default(),
        );
        let p = page(&same, &ReportOptions::default());
        assert!(
            p.contains("<b>same</b> no differences in 1 steps of 1 scenarios"),
            "{p}"
        );
        assert!(
            p.contains("1 scenarios without a difference</summary>"),
            "{p}"
        );
        assert!(
            !p.contains("<h2>Differences</h2>") && !p.contains("Scenarios that differ"),
            "{p}"
        );
    }
}
