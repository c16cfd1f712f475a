//! The page of `run --html`: the verdict, the facts of the run (server, profile, dialect, BX,
//! start, duration, options, tool), the counts, every failure, error, warning, skip and note
//! with its ground, then each scenario (failing ones open, passing ones folded) with each
//! step's transcript, field table, screen messages, captures and lint findings.
//!
//! It reads `runner::result` through the small accessors at the end, so fields the model gains
//! change one place.

use super::{
    Dir, Html, Mark, badge, banner, counts, diff_pair, duration, facts, findings, table_close,
    table_open, tool, transcript, when,
};
use crate::check::CheckResult;
use crate::report::ReportOptions;
use crate::report::console::{screen_messages, shown_values};
use crate::report::text::{captured_value, wire_line};
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus};
use crate::sip2::System;
use crate::sip2::redact::Redaction;
use crate::sip2::spec::SUPPORTED_MESSAGES;

/// What the page says about a run beyond the result model: how it was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunMeta {
    /// The systems the profile says the server behaves like (their dialect checks applied).
    pub dialect: Vec<System>,
    /// `--strict`: error-severity lint findings failed their step.
    pub strict: bool,
    /// `--ignore-bx`: scenarios the BX marks unsupported were run anyway.
    pub ignore_bx: bool,
}

/// The whole page for `run`.
pub fn page(run: &RunResult, meta: &RunMeta, opts: &ReportOptions) -> String {
    let mut h = Html::default();
    header(&mut h, run, meta, opts);
    failures(&mut h, run, opts);
    errors(&mut h, run);
    warnings(&mut h, run, opts);
    skips(&mut h, run);
    notes(&mut h, run);
    h.raw("<h2 class=\"scn\">Scenarios</h2>\n");
    for (i, s) in run.scenarios.iter().enumerate() {
        scenario(&mut h, i + 1, s, opts);
    }
    let title = format!(
        "sip2check report: {} ({})",
        run.endpoint,
        when(&run.started)
    );
    super::page(&title, &h)
}

fn header(h: &mut Html, run: &RunResult, meta: &RunMeta, opts: &ReportOptions) {
    let t = run.tally();
    let warnings = t.common_warnings + t.dialect_warnings;
    let (mark, verdict) = if t.errored > 0 {
        (Mark::Errored, "errored")
    } else if t.failed > 0 {
        (Mark::Failed, "failed")
    } else if t.passed == 0 {
        (Mark::Skipped, "nothing ran")
    } else {
        (Mark::Passed, "passed")
    };
    h.raw("<header><h1>SIP2 conformance report</h1>\n");
    banner(
        h,
        mark,
        verdict,
        &format!(
            "{} scenarios: {} passed, {} failed, {} errored, {} skipped; {} spec failures; {warnings} warnings ({} common practice, {} dialect)",
            run.scenarios.len(),
            t.passed,
            t.failed,
            t.errored,
            t.skipped,
            t.spec_failures,
            t.common_warnings,
            t.dialect_warnings
        ),
    );
    let mut rows = vec![
        ("Server", run.endpoint.clone()),
        ("Profile", run.profile.clone()),
    ];
    if let Some(inst) = &run.institution {
        rows.push(("Institution", inst.clone()));
    }
    rows.push(("Dialect", dialect(&meta.dialect)));
    rows.push(("Supported messages (BX)", bx(run.bx.as_deref())));
    rows.push(("Started", when(&run.started)));
    rows.push(("Duration", duration(run.duration)));
    rows.push((
        "Lint",
        if meta.strict {
            "--strict: error-severity findings fail their step".into()
        } else {
            "error-severity findings are listed; without --strict they do not fail a step".into()
        },
    ));
    if meta.ignore_bx {
        rows.push((
            "BX",
            "--ignore-bx: scenarios and steps the BX marks unsupported were run anyway".into(),
        ));
    }
    rows.push(("Masked", masking(opts.redaction).into()));
    rows.push(("Tool", tool()));
    facts(h, &rows);
    counts(
        h,
        &[
            ("scenarios", run.scenarios.len(), None),
            ("passed", t.passed, None),
            ("failed", t.failed, Some(Mark::Failed)),
            ("errored", t.errored, Some(Mark::Errored)),
            ("skipped", t.skipped, Some(Mark::Skipped)),
            ("spec failures", t.spec_failures, Some(Mark::Failed)),
            (
                "common-practice warnings",
                t.common_warnings,
                Some(Mark::Warned),
            ),
            ("dialect warnings", t.dialect_warnings, Some(Mark::Warned)),
        ],
    );
    h.raw("</header>\n");
}

fn dialect(systems: &[System]) -> String {
    if systems.is_empty() {
        return "none: only spec and common-practice checks apply".into();
    }
    let names: Vec<&str> = systems.iter().map(|s| s.name()).collect();
    format!("{} (their dialect checks apply)", names.join(", "))
}

/// The BX flags and what they leave out.
pub(super) fn bx(flags: Option<&str>) -> String {
    let Some(flags) = flags else {
        return "not known (the capability probe did not report one)".into();
    };
    let unsupported: Vec<&str> = SUPPORTED_MESSAGES
        .positions
        .iter()
        .zip(flags.chars().chain(std::iter::repeat('N')))
        .filter(|(_, f)| *f != 'Y')
        .map(|(name, _)| *name)
        .collect();
    if unsupported.is_empty() {
        format!(
            "{flags}: all {} supported",
            SUPPORTED_MESSAGES.positions.len()
        )
    } else {
        format!("{flags}: not supported: {}", unsupported.join(", "))
    }
}

pub(super) fn masking(r: Redaction) -> &'static str {
    match r {
        Redaction::SecretsAndPersonal => {
            "passwords (AC, AD, CO) and patron personal data (AE, BD, BE, BF, PB) in transcripts"
        }
        Redaction::Secrets => "passwords (AC, AD, CO); patron personal data is shown (--no-redact)",
        Redaction::None => "nothing",
    }
}

/// Every failed spec check (and every failed step without one), with a link to its step.
fn failures(h: &mut Html, run: &RunResult, opts: &ReportOptions) {
    let failed: Vec<(usize, &ScenarioResult, &StepResult)> = steps(run)
        .filter(|(_, _, st)| st.status == StepStatus::Failed)
        .collect();
    if failed.is_empty() {
        return;
    }
    h.raw("<h2>Failures</h2>\n");
    table_open(h, "sum", &["where", "check", "expected", "got", "ground"]);
    for (i, s, st) in failed {
        let mut any = false;
        for c in st.failures() {
            any = true;
            h.raw("<tr class=\"failed\"><td>");
            step_link(h, i, s, st);
            h.raw("</td>");
            check_cells(h, c, opts);
            h.raw("</tr>\n");
        }
        if !any {
            h.raw("<tr class=\"failed\"><td>");
            step_link(h, i, s, st);
            h.el(
                "</td><td colspan=\"4\">",
                st.error.as_deref().unwrap_or("the step failed"),
                "</td></tr>\n",
            );
        }
    }
    table_close(h);
}

fn errors(h: &mut Html, run: &RunResult) {
    let errored: Vec<(usize, &ScenarioResult, &str)> = run
        .scenarios
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match &s.outcome {
            Outcome::Errored(reason) => Some((i + 1, s, reason.as_str())),
            Outcome::Passed | Outcome::Failed | Outcome::Skipped(_) => None,
        })
        .collect();
    if errored.is_empty() {
        return;
    }
    h.raw("<h2>Errors</h2>\n<p>These scenarios could not run to the end (a lost connection, a timeout): the run exits 1.</p>\n");
    table_open(h, "sum", &["scenario", "what happened"]);
    for (i, s, reason) in errored {
        h.raw("<tr class=\"errored\"><td><a href=\"#sc")
            .num(i)
            .raw("\">");
        h.text(&s.id).raw("</a></td>");
        h.el("<td>", reason, "</td></tr>\n");
    }
    table_close(h);
}

/// Every common-practice and dialect check that did not hold, failed steps' included.
fn warnings(h: &mut Html, run: &RunResult, opts: &ReportOptions) {
    let warned: Vec<(usize, &ScenarioResult, &StepResult, &CheckResult)> = steps(run)
        .flat_map(|(i, s, st)| st.warnings().map(move |c| (i, s, st, c)))
        .collect();
    if warned.is_empty() {
        return;
    }
    h.raw("<h2>Warnings</h2>\n<p>Common practice or the profile's dialect, not the spec: a warning never fails a step.</p>\n");
    table_open(h, "sum", &["where", "check", "expected", "got", "ground"]);
    for (i, s, st, c) in warned {
        h.raw("<tr class=\"warned\"><td>");
        step_link(h, i, s, st);
        h.raw("</td>");
        check_cells(h, c, opts);
        h.raw("</tr>\n");
    }
    table_close(h);
}

fn skips(h: &mut Html, run: &RunResult) {
    let mut rows: Vec<(usize, &ScenarioResult, Option<&StepResult>, &str)> = Vec::new();
    for (i, s) in run.scenarios.iter().enumerate() {
        if let Outcome::Skipped(reason) = &s.outcome {
            rows.push((i + 1, s, None, reason));
            continue;
        }
        for st in s.steps.iter().filter(|st| st.status == StepStatus::Skipped) {
            rows.push((i + 1, s, Some(st), reason(st, "skipped")));
        }
    }
    if rows.is_empty() {
        return;
    }
    h.raw("<h2>Skipped</h2>\n");
    table_open(h, "sum", &["where", "why"]);
    for (i, s, st, why) in rows {
        h.raw("<tr class=\"skipped\"><td>");
        match st {
            Some(st) => step_link(h, i, s, st),
            None => {
                h.raw("<a href=\"#sc")
                    .num(i)
                    .raw("\">")
                    .text(&s.id)
                    .raw("</a>");
            }
        }
        h.el("</td><td>", why, "</td></tr>\n");
    }
    table_close(h);
}

fn notes(h: &mut Html, run: &RunResult) {
    let noted: Vec<(usize, &ScenarioResult, &StepResult)> = steps(run)
        .filter(|(_, _, st)| !st.notes.is_empty())
        .collect();
    if noted.is_empty() {
        return;
    }
    h.raw("<h2>Notes</h2>\n");
    table_open(h, "sum", &["where", "note"]);
    for (i, s, st) in noted {
        for note in &st.notes {
            h.raw("<tr><td>");
            step_link(h, i, s, st);
            h.el("</td><td>", note, "</td></tr>\n");
        }
    }
    table_close(h);
}

fn scenario(h: &mut Html, i: usize, s: &ScenarioResult, opts: &ReportOptions) {
    let mark = outcome_mark(&s.outcome);
    h.raw("<details class=\"sc ")
        .raw(mark.class())
        .raw("\" id=\"sc")
        .num(i);
    h.raw(match mark {
        Mark::Passed | Mark::Skipped => "\">",
        _ => "\" open>",
    });
    h.raw("<summary>");
    badge(h, mark);
    h.el("<span class=\"id\">", &s.id, "</span> ");
    if s.name != s.id {
        h.text(&s.name);
    }
    h.raw(" <span class=\"sub\">· ");
    h.text(&step_counts(s))
        .raw(" · ")
        .text(&duration(s.duration));
    h.raw(" · ").text(&s.file.display().to_string());
    if !s.tags.is_empty() {
        h.raw(" · tags: ").text(&s.tags.join(", "));
    }
    h.raw("</span></summary>\n");
    match &s.outcome {
        Outcome::Skipped(why) => {
            h.el("<p>Skipped: ", why, "</p>\n");
        }
        Outcome::Errored(why) => {
            h.el("<p class=\"err\">Could not run to the end: ", why, "</p>\n");
            s.steps.iter().for_each(|st| step(h, i, st, opts));
        }
        Outcome::Passed | Outcome::Failed => s.steps.iter().for_each(|st| step(h, i, st, opts)),
    }
    h.raw("</details>\n");
}

fn step(h: &mut Html, i: usize, st: &StepResult, opts: &ReportOptions) {
    let mark = step_mark(st.status);
    h.raw("<div class=\"st ")
        .raw(mark.class())
        .raw("\" id=\"sc")
        .num(i);
    // The step id, not its index: cleanup steps count from 1 again.
    h.raw("-").text(&st.id).raw("\"><h3>");
    badge(h, mark);
    h.text(&step_title(st)).raw(" <span class=\"sub\">");
    h.text(&st.loc).raw(" · ").text(&duration(st.duration));
    h.raw("</span></h3>\n");
    match st.status {
        StepStatus::Skipped | StepStatus::NotRun => {
            h.el("<p>", reason(st, st.status.as_str()), "</p>\n</div>\n");
            return;
        }
        StepStatus::Errored => {
            h.el(
                "<p class=\"err\">",
                reason(st, "could not complete"),
                "</p>\n",
            );
        }
        StepStatus::Passed | StepStatus::Failed | StepStatus::Known => {
            if let Some(e) = &st.error {
                h.el("<p class=\"err\">", e, "</p>\n");
            }
        }
    }
    step_transcript(h, st, opts.redaction);
    for note in &st.notes {
        h.el("<p class=\"note\">Note: ", note, "</p>\n");
    }
    let shown: Vec<&CheckResult> = st
        .failures()
        .chain(st.warnings())
        .chain(st.known_checks())
        .collect();
    if !shown.is_empty() {
        table_open(h, "checks", &["check", "expected", "got", "ground"]);
        for c in shown {
            h.raw("<tr class=\"").raw(check_mark(c).class()).raw("\">");
            check_cells(h, c, opts);
            h.raw("</tr>\n");
        }
        table_close(h);
    }
    if st.status == StepStatus::Failed
        && let Some(w) = &st.received
    {
        for (id, value) in screen_messages(&w.text) {
            h.raw("<p class=\"sub\">Screen message ").text(id.as_str());
            h.el(": <q>", &value, "</q></p>\n");
        }
    }
    let held = st.checks.len() - st.failures().count() - st.warnings().count();
    let mut facts = Vec::new();
    if !st.checks.is_empty() {
        facts.push(format!("{held} of {} checks held", st.checks.len()));
    }
    if st.not_applied > 0 {
        facts.push(format!(
            "{} dialect checks not applied (the profile's dialect does not name their system)",
            st.not_applied
        ));
    }
    for c in &st.captures {
        facts.push(format!(
            "captured {} = {}",
            c.name,
            captured_value(c, opts.redaction)
        ));
    }
    if !facts.is_empty() {
        h.el("<p class=\"sub\">", &facts.join(" · "), "</p>\n");
    }
    findings(h, &st.violations, &st.accepted);
    h.raw("</div>\n");
}

/// The check, expected, got and ground cells of a failed or warned check, masked as the
/// console masks them, with the differing characters marked.
pub(super) fn check_cells(h: &mut Html, c: &CheckResult, opts: &ReportOptions) {
    let (expected, actual, diff) = shown_values(c, opts.redaction);
    h.el("<td class=\"m\">", &c.target.to_string(), "</td>");
    match diff {
        Some((want, got)) => diff_pair(h, &want, &got),
        None => {
            h.el("<td class=\"m\">", &expected, "</td>");
            h.el("<td class=\"m\">", &actual, "</td>");
        }
    }
    h.raw("<td>").text(&c.ground.phrase());
    if check_mark(c) == Mark::Warned {
        h.raw(" (warning)");
    }
    h.raw("</td>");
}

fn step_link(h: &mut Html, i: usize, s: &ScenarioResult, st: &StepResult) {
    super::step_link(h, i, &st.id, &format!("{} {}", s.id, step_title(st)));
}

// Accessors of the result model: what the page reads of it, in one place.

/// Every step with its scenario and the scenario's number on the page.
fn steps(run: &RunResult) -> impl Iterator<Item = (usize, &ScenarioResult, &StepResult)> {
    run.scenarios
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.steps.iter().map(move |st| (i + 1, s, st)))
}

/// `step 2 "checkout"`, as the console names a step.
/// `step 3 "name"` (or the cleanup's heading), with the stable id baselines and snapshots use.
pub(super) fn step_title(st: &StepResult) -> String {
    format!("{} [{}]", st.heading(), st.id)
}

/// Why a step did not run or complete.
fn reason<'a>(st: &'a StepResult, default: &'a str) -> &'a str {
    st.error.as_deref().unwrap_or(default)
}

/// "4 steps: 1 passed, 1 failed, 1 errored, 1 not run" (the statuses that occur).
fn step_counts(s: &ScenarioResult) -> String {
    let parts: Vec<String> = [
        StepStatus::Passed,
        StepStatus::Failed,
        StepStatus::Errored,
        StepStatus::Skipped,
        StepStatus::NotRun,
    ]
    .into_iter()
    .map(|status| {
        let n = s.steps.iter().filter(|st| st.status == status).count();
        (n, status)
    })
    .filter(|(n, _)| *n > 0)
    .map(|(n, status)| format!("{n} {}", status.as_str()))
    .collect();
    format!("{} steps: {}", s.steps.len(), parts.join(", "))
}

pub(super) fn outcome_mark(o: &Outcome) -> Mark {
    match o {
        Outcome::Passed => Mark::Passed,
        Outcome::Failed => Mark::Failed,
        Outcome::Errored(_) => Mark::Errored,
        Outcome::Skipped(_) => Mark::Skipped,
    }
}

pub(super) fn step_mark(s: StepStatus) -> Mark {
    match s {
        StepStatus::Passed => Mark::Passed,
        StepStatus::Failed => Mark::Failed,
        StepStatus::Errored => Mark::Errored,
        StepStatus::Skipped => Mark::Skipped,
        StepStatus::NotRun => Mark::NotRun,
        StepStatus::Known => Mark::Known,
    }
}

pub(super) fn check_mark(c: &CheckResult) -> Mark {
    match c.verdict() {
        crate::check::Verdict::Passed => Mark::Passed,
        crate::check::Verdict::Failed => Mark::Failed,
        crate::check::Verdict::Warned => Mark::Warned,
        crate::check::Verdict::Known => Mark::Known,
    }
}

/// A step's request and response as sent (masked), for the run and the diff pages.
pub(super) fn step_transcript(h: &mut Html, st: &StepResult, redaction: Redaction) {
    let lines: Vec<(Dir, String)> = [(Dir::Sent, &st.sent), (Dir::Received, &st.received)]
        .into_iter()
        .filter_map(|(dir, w)| w.as_ref().map(|w| (dir, wire_line(w, redaction))))
        .collect();
    transcript(h, &lines);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    fn sample_page() -> String {
        let meta = RunMeta {
            dialect: vec![System::Emulator, System::Evergreen],
            strict: false,
            ignore_bx: true,
        };
        page(&sample::run(), &meta, &ReportOptions::default())
    }

    #[test]
    fn the_sample_page_reads_like_the_golden_page() {
        let page = sample_page().replace(env!("CARGO_PKG_VERSION"), "VERSION");
        crate::report::console::golden::assert_golden("html_sample.html", &page);
    }

    #[test]
    fn the_summary_counts_and_names_the_ground_of_each_failure_and_warning() {
        let p = sample_page();
        assert!(p.contains("<b>errored</b> 3 scenarios: 1 passed, 0 failed, 1 errored, 1 skipped; 2 spec failures; 2 warnings (1 common practice, 1 dialect)"), "{p}");
        for fact in [
            "<th>Server</th><td>127.0.0.1:6001</td>",
            "<th>Dialect</th><td>emulator, evergreen (their dialect checks apply)</td>",
            "<th>Supported messages (BX)</th><td>YYYYYYYYYYYYYNYY: not supported: Hold (15/16)</td>",
            "<th>Started</th><td>2026-11-29 09:00:00 +00:00</td>",
            "<th>Duration</th><td>20 ms</td>",
        ] {
            assert!(p.contains(fact), "{fact} in {p}");
        }
        let failures = &p[p.find("<h2>Failures</h2>").unwrap()..p.find("<h2>Errors</h2>").unwrap()];
        assert!(failures.contains("<td class=\"m\">ok</td><td class=\"m\">&quot;<mark>1</mark>&quot;</td><td class=\"m\">&quot;<mark>0</mark>&quot;</td><td>spec requires</td>"), "{failures}");
        let warnings =
            &p[p.find("<h2>Warnings</h2>").unwrap()..p.find("<h2>Skipped</h2>").unwrap()];
        assert!(
            warnings.contains("<td>Evergreen does (warning)</td>"),
            "{warnings}"
        );
        assert!(
            warnings.contains("<td>common practice (warning)</td>"),
            "{warnings}"
        );
        assert!(
            p.contains("<td>the profile has no blocked_patron</td>"),
            "{p}"
        );
        assert!(p.contains("the server&#39;s BX says checkout is unsupported, and it answered"));
    }

    #[test]
    fn transcripts_are_masked_like_the_console_and_control_characters_shown() {
        let p = sample_page();
        assert!(
            p.contains("&gt; </span>9300CNsip_01|CO***|CPBR1|&lt;CR&gt;"),
            "{p}"
        );
        assert!(
            !p.contains("COsip_01") && !p.contains("AD6789"),
            "passwords: {p}"
        );
        assert!(p.contains("|AE***|"), "personal data masked in transcripts");
        assert!(
            p.contains("cáliz&lt;0x01&gt; ]]&gt; de fuego"),
            "control characters visible, markup escaped: {p}"
        );
        let shown = page(
            &sample::run(),
            &RunMeta::default(),
            &ReportOptions {
                redaction: Redaction::Secrets,
                ..ReportOptions::default()
            },
        );
        assert!(shown.contains("|AEDavid J. Fiander|") && !shown.contains("AD6789"));
    }

    #[test]
    fn failing_scenarios_are_open_and_passing_and_skipped_ones_folded() {
        let p = sample_page();
        assert!(
            p.contains("<details class=\"sc errored\" id=\"sc1\" open>"),
            "{p}"
        );
        assert!(
            p.contains("<details class=\"sc skipped\" id=\"sc2\">"),
            "{p}"
        );
        assert!(
            p.contains("<details class=\"sc passed\" id=\"sc3\">"),
            "{p}"
        );
        assert!(p.contains("<p>Skipped: the ACS does not support hold</p>"));
        assert!(
            p.contains("<p>the connection was lost at step 3</p>"),
            "not run: {p}"
        );
        assert!(
            p.contains("Screen message AF: <q>Item not available</q>"),
            "{p}"
        );
        assert!(p.contains("<td class=\"m\">control-char</td>"), "lint: {p}");
    }
}
