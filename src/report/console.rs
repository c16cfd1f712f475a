//! The console text of a scenario that did not pass: each failed or errored step with its
//! request and response, then a table of what differs (target, expected, got, and the ground
//! of the check: "spec requires", "common practice (warning)", ...), the screen messages the
//! ACS sent, and the linter's findings. libtest-mimic prints it under "failures:", and JUnit
//! uses the plain rendering as the failure body. After the run, [`render_summary`] counts spec
//! failures and warnings and lists skips, the warnings of passing steps and the notes.

use std::fmt::Write;

use super::ReportOptions;
use super::redact::check_cells;
use super::style::Palette;
use super::text::{printable, wire_line};
use crate::check::diff::{Segment, inline};
use crate::check::{CheckResult, Verdict};
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus};
use crate::scenario::Scenario;
use crate::sip2::FieldId;
use crate::sip2::redact::Redaction;

/// Widest expected value before the "got" column stops aligning.
const MAX_EXPECTED_WIDTH: usize = 40;

/// Renders everything that went wrong in a scenario (empty for a passed one).
pub fn render_scenario(s: &ScenarioResult, opts: &ReportOptions) -> String {
    let mut out = String::new();
    match &s.outcome {
        Outcome::Passed => return out,
        Outcome::Skipped(reason) => {
            let _ = writeln!(out, "skipped: {}", printable(reason));
            return out;
        }
        Outcome::Failed | Outcome::Errored(_) => {}
    }
    let _ = writeln!(out, "{} ({})", s.name, s.file.display());
    let (main, cleanup): (Vec<&StepResult>, Vec<&StepResult>) =
        s.steps.iter().partition(|st| !st.phase.is_cleanup());
    render_phase(&mut out, &main, opts);
    render_phase(&mut out, &cleanup, opts);
    out.push_str(&counts("", &main));
    if !cleanup.is_empty() {
        out.push_str(&counts("cleanup: ", &cleanup));
    }
    out
}

/// The failed, errored and skipped steps of one phase, the undo steps that ran (so the report
/// says what was put back), and the range of steps not run.
fn render_phase(out: &mut String, steps: &[&StepResult], opts: &ReportOptions) {
    for step in steps {
        match step.status {
            StepStatus::Failed | StepStatus::Errored => out.push_str(&render_step(step, opts)),
            StepStatus::Skipped => {
                let _ = writeln!(
                    out,
                    "  {} skipped: {}",
                    printable(&step.heading()),
                    printable(step.error.as_deref().unwrap_or("skipped"))
                );
            }
            StepStatus::Known => {
                let _ = writeln!(
                    out,
                    "  {} known: {}",
                    printable(&step.heading()),
                    printable(&known_what(step, opts.redaction).join("; "))
                );
            }
            StepStatus::Passed if step.phase.undo_of().is_some() => {
                let _ = writeln!(out, "  {} passed", printable(&step.heading()));
            }
            StepStatus::Passed | StepStatus::NotRun => {}
        }
    }
    let not_run: Vec<&&StepResult> = steps
        .iter()
        .filter(|st| st.status == StepStatus::NotRun)
        .collect();
    if let (Some(first), Some(last)) = (not_run.first(), not_run.last()) {
        let prefix = if first.phase.is_cleanup() {
            "cleanup "
        } else {
            ""
        };
        let range = if first.index == last.index {
            format!("{prefix}step {}", first.index)
        } else {
            format!("{prefix}steps {}-{}", first.index, last.index)
        };
        let reason = first.error.as_deref().unwrap_or("the connection was lost");
        let _ = writeln!(out, "  {range} not run: {}", printable(reason));
    }
}

/// "  5 steps: 4 passed, 1 failed, 0 errored, 0 skipped, 0 not run" (", 1 known" with a
/// baseline's known failures).
fn counts(label: &str, steps: &[&StepResult]) -> String {
    let count = |status: StepStatus| steps.iter().filter(|st| st.status == status).count();
    let mut line = format!(
        "  {label}{} steps: {} passed, {} failed, {} errored, {} skipped, {} not run",
        steps.len(),
        count(StepStatus::Passed),
        count(StepStatus::Failed),
        count(StepStatus::Errored),
        count(StepStatus::Skipped),
        count(StepStatus::NotRun)
    );
    match count(StepStatus::Known) {
        0 => line.push('\n'),
        known => {
            let _ = writeln!(line, ", {known} known");
        }
    }
    line
}

/// What the baseline lists of a step: each known check ("AJ expected ... got ... (known.yaml:3)")
/// and its known error.
pub(crate) fn known_what(step: &StepResult, redaction: Redaction) -> Vec<String> {
    let mut out: Vec<String> = step
        .known_checks()
        .map(|c| {
            let (expected, actual, _) = shown_values(c, redaction);
            format!(
                "{} expected {expected} got {actual} ({})",
                c.target,
                c.known.as_deref().unwrap_or("baseline")
            )
        })
        .collect();
    if let (Some(at), Some(error)) = (&step.known, &step.error) {
        out.push(format!("{error} ({at})"));
    }
    out
}

/// Renders one step: heading, transcript, field table, screen messages, lint findings.
pub fn render_step(step: &StepResult, opts: &ReportOptions) -> String {
    let mut out = String::new();
    let paint = Palette::new(opts.color);
    let _ = writeln!(
        out,
        "  {} {}",
        paint.paint(paint.heading, &printable(&step.heading())),
        paint.paint(
            paint.dim,
            &format!("({}) {}", step.loc, step.status.as_str())
        ),
    );
    if let Some(sent) = &step.sent {
        let _ = writeln!(out, "    sent      {}", wire_line(sent, opts.redaction));
    }
    if let Some(received) = &step.received {
        let _ = writeln!(out, "    received  {}", wire_line(received, opts.redaction));
    }
    if let Some(err) = &step.error {
        let _ = writeln!(
            out,
            "    {} {}",
            paint.paint(paint.error, "error"),
            printable(err)
        );
    }
    let rows: Vec<&CheckResult> = step
        .checks
        .iter()
        .filter(|c| c.verdict() != Verdict::Passed)
        .collect();
    if !rows.is_empty() {
        out.push_str(&table(&rows, opts));
    }
    for note in &step.notes {
        let _ = writeln!(out, "    note      {}", printable(note));
    }
    if step.status == StepStatus::Failed
        && let Some(received) = &step.received
    {
        for (id, value) in screen_messages(&received.text) {
            let _ = writeln!(
                out,
                "    {:<8}  (info) {:?}",
                id.as_str(),
                printable(&value)
            );
        }
    }
    let mut findings: Vec<&crate::sip2::Violation> = step.violations.iter().collect();
    findings.sort_by_key(|v| std::cmp::Reverse(v.severity));
    for v in findings {
        let _ = writeln!(
            out,
            "    lint {} [{}] {}",
            paint.paint(paint.severity(v.severity), v.severity.as_str()),
            v.rule.code(),
            printable(&v.message())
        );
    }
    out
}

/// The field table: one row per failed or warned check, with its ground.
fn table(rows: &[&CheckResult], opts: &ReportOptions) -> String {
    let paint = Palette::new(opts.color);
    let cells: Vec<Row> = rows
        .iter()
        .map(|c| {
            let (expected, actual, diff) = shown_values(c, opts.redaction);
            Row {
                target: c.target.to_string(),
                expected,
                actual,
                diff,
                ground: ground_cell(c),
            }
        })
        .collect();
    let width = |cell: fn(&Row) -> &String, cap: usize| {
        cells
            .iter()
            .map(|r| cell(r).chars().count())
            .filter(|w| *w <= cap)
            .max()
            .unwrap_or(0)
            .max(8)
    };
    let target_w = width(|r| &r.target, usize::MAX);
    let expected_w = width(|r| &r.expected, MAX_EXPECTED_WIDTH);
    let actual_w = width(|r| &r.actual, MAX_EXPECTED_WIDTH);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "    {}",
        paint.paint(
            paint.dim,
            &format!(
                "{:<target_w$}  {:<expected_w$}  {:<actual_w$}  ground",
                "field", "expected", "got"
            )
        )
    );
    for row in cells {
        let pad_expected = expected_w.saturating_sub(row.expected.chars().count());
        let pad_actual = actual_w.saturating_sub(row.actual.chars().count());
        let (expected, actual) = match (&row.diff, opts.color) {
            (Some((want, got)), true) => {
                let (old, new) = inline(want, got);
                (
                    format!("\"{}\"", highlight(&old, paint.removed)),
                    format!("\"{}\"", highlight(&new, paint.added)),
                )
            }
            _ => (row.expected, row.actual),
        };
        let _ = writeln!(
            out,
            "    {:<target_w$}  {expected}{}  {actual}{}  {}",
            row.target,
            " ".repeat(pad_expected),
            " ".repeat(pad_actual),
            row.ground
        );
    }
    out
}

/// One table row.
struct Row {
    target: String,
    expected: String,
    actual: String,
    /// The texts to highlight.
    diff: Option<(String, String)>,
    ground: String,
}

/// "spec requires", or "common practice (warning)", "Evergreen does (warning)", or
/// "known (known.yaml:3)" for what the baseline lists.
fn ground_cell(c: &CheckResult) -> String {
    match c.verdict() {
        Verdict::Warned => format!("{} (warning)", c.basis()),
        Verdict::Known => format!("known ({})", c.known.as_deref().unwrap_or("baseline")),
        Verdict::Passed | Verdict::Failed => c.basis(),
    }
}

/// A check's expected and actual values for people (and the texts to highlight): passwords
/// masked.
pub(crate) fn shown_values(
    c: &CheckResult,
    redaction: Redaction,
) -> (String, String, Option<(String, String)>) {
    let cells = check_cells(c, redaction);
    (
        printable(&cells.expected),
        printable(&cells.actual),
        cells.diff,
    )
}

/// The lines after a run: the summary (scenario counts, spec failures, warnings by kind, and
/// with a baseline the known and fixed counts), then each skipped scenario and step with its
/// reason, each warning of a passing step (failed steps show theirs in the failure text), each
/// known failure and fixed baseline entry, and each note.
pub fn render_summary(run: &RunResult, opts: &ReportOptions) -> String {
    let t = run.tally();
    let warnings = t.common_warnings + t.dialect_warnings;
    let mut out = format!(
        "sip2check: {} scenarios: {} passed, {} failed, {} errored, {} skipped; {} spec failures; {warnings} warnings",
        run.scenarios.len(),
        t.passed,
        t.failed,
        t.errored,
        t.skipped,
        t.spec_failures,
    );
    if warnings > 0 {
        let _ = write!(
            out,
            " ({} common, {} dialect)",
            t.common_warnings, t.dialect_warnings
        );
    }
    if t.known + t.fixed > 0 {
        let _ = write!(out, "; baseline: {} known, {} fixed", t.known, t.fixed);
    }
    out.push('\n');
    let step_of =
        |s: &ScenarioResult, st: &StepResult| format!("{} {}", s.id, printable(&st.heading()));
    for s in &run.scenarios {
        if let Outcome::Skipped(reason) = &s.outcome {
            let _ = writeln!(out, "  skipped  {}: {}", s.id, printable(reason));
            continue;
        }
        for st in s.steps.iter().filter(|st| st.status == StepStatus::Skipped) {
            let reason = st.error.as_deref().unwrap_or("skipped");
            let _ = writeln!(out, "  skipped  {}: {}", step_of(s, st), printable(reason));
        }
    }
    for s in &run.scenarios {
        for st in s.steps.iter().filter(|st| st.status == StepStatus::Passed) {
            for w in st.warnings() {
                let (expected, actual, _) = shown_values(w, opts.redaction);
                let _ = writeln!(
                    out,
                    "  warning  {}: {} expected {expected} got {actual} ({})",
                    step_of(s, st),
                    w.target,
                    w.ground.phrase()
                );
            }
        }
    }
    for s in &run.scenarios {
        for st in &s.steps {
            for known in known_what(st, opts.redaction) {
                let _ = writeln!(out, "  known    {}: {}", s.step_path(st), printable(&known));
            }
            for fixed in &st.fixed {
                let _ = writeln!(
                    out,
                    "  fixed    {}: {}: remove it from the baseline",
                    s.step_path(st),
                    printable(fixed)
                );
            }
        }
    }
    for s in &run.scenarios {
        for st in &s.steps {
            for note in &st.notes {
                let _ = writeln!(out, "  note     {}: {}", step_of(s, st), printable(note));
            }
        }
    }
    out
}

fn highlight(segments: &[Segment], style: anstyle::Style) -> String {
    segments
        .iter()
        .map(|s| {
            let text = printable(&s.text);
            if s.changed {
                Palette::ANSI.paint(style, &text)
            } else {
                text
            }
        })
        .collect()
}

/// `run -v`: one step as it finished, each line labelled `[scenario id]`: its heading, status
/// and time, the request (`>`) and the response (`<`) masked at `opts.redaction`, then its
/// error and every check that did not hold.
pub fn render_live_step(id: &str, step: &StepResult, opts: &ReportOptions) -> String {
    let paint = Palette::new(opts.color);
    let label = paint.paint(paint.dim, &format!("[{id}]"));
    let status = match step.status {
        StepStatus::Passed => paint.paint(paint.pass, "passed"),
        StepStatus::Failed | StepStatus::Errored => paint.paint(paint.error, step.status.as_str()),
        StepStatus::Skipped | StepStatus::NotRun | StepStatus::Known => {
            paint.paint(paint.warning, step.status.as_str())
        }
    };
    let mut out = String::new();
    match step.status {
        StepStatus::Skipped | StepStatus::NotRun => {
            let reason = step.error.as_deref().unwrap_or("");
            let _ = writeln!(
                out,
                "{label} {} {status}: {}",
                printable(&step.heading()),
                printable(reason)
            );
            return out;
        }
        StepStatus::Passed | StepStatus::Failed | StepStatus::Errored | StepStatus::Known => {}
    }
    let _ = writeln!(
        out,
        "{label} {} {status} ({} ms)",
        printable(&step.heading()),
        step.duration.as_millis()
    );
    if let Some(sent) = &step.sent {
        let arrow = paint.paint(paint.sent, ">");
        let _ = writeln!(out, "{label}   {arrow} {}", wire_line(sent, opts.redaction));
    }
    if let Some(received) = &step.received {
        let arrow = paint.paint(paint.received, "<");
        let _ = writeln!(
            out,
            "{label}   {arrow} {}",
            wire_line(received, opts.redaction)
        );
    }
    if let Some(err) = &step.error {
        let _ = writeln!(
            out,
            "{label}   {} {}",
            paint.paint(paint.error, "error"),
            printable(err)
        );
    }
    for c in step
        .checks
        .iter()
        .filter(|c| c.verdict() != Verdict::Passed)
    {
        let (expected, actual, _) = shown_values(c, opts.redaction);
        let style = match c.verdict() {
            Verdict::Failed => paint.error,
            Verdict::Warned | Verdict::Known | Verdict::Passed => paint.warning,
        };
        let _ = writeln!(
            out,
            "{label}   {} expected {expected} got {actual} ({})",
            printable(&c.target.to_string()),
            paint.paint(style, &ground_cell(c))
        );
    }
    out
}

/// `run -v`: a scenario's verdict as it finished, `[id] passed in 1.2 s`, with the reason of
/// an errored or skipped one.
pub fn render_live_scenario(s: &ScenarioResult, opts: &ReportOptions) -> String {
    let paint = Palette::new(opts.color);
    let label = paint.paint(paint.dim, &format!("[{}]", s.id));
    let (style, reason) = match &s.outcome {
        Outcome::Passed => (paint.pass, None),
        Outcome::Failed => (paint.error, None),
        Outcome::Errored(r) => (paint.error, Some(r)),
        Outcome::Skipped(r) => (paint.warning, Some(r)),
    };
    let mut line = format!(
        "{label} {} in {:.1} s",
        paint.paint(style, s.outcome.as_str()),
        s.duration.as_secs_f64()
    );
    if let Some(r) = reason {
        let _ = write!(line, ": {}", printable(r));
    }
    line.push('\n');
    line
}

/// AF and AG of a response: why the ACS said no.
pub(crate) fn screen_messages(text: &str) -> Vec<(FieldId, String)> {
    crate::sip2::parse(text)
        .map(|p| {
            p.msg
                .fields
                .iter()
                .filter(|f| f.id == FieldId::AF || f.id == FieldId::AG)
                .filter(|f| !f.value.is_empty())
                .map(|f| (f.id, f.value.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// The `--list` text: each scenario id, its tags, its steps (with their undo steps) and its
/// `finally:` steps, each with its step id.
pub fn render_list(scenarios: &[&Scenario]) -> String {
    let mut out = String::new();
    let mut cleanup = 0;
    for s in scenarios {
        let tags = if s.tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", s.tags.join(", "))
        };
        let _ = writeln!(out, "{}: test{tags}", s.id);
        for (i, step) in s.steps.iter().enumerate() {
            let _ = writeln!(
                out,
                "    {:>2}. {}  ({})",
                i + 1,
                printable(&step.name),
                step.id
            );
            for u in step.undo.iter().flat_map(|u| &u.steps) {
                cleanup += 1;
                let _ = writeln!(out, "          undo: {}  ({})", printable(&u.name), u.id);
            }
        }
        if !s.finally.is_empty() {
            let _ = writeln!(out, "    finally:");
        }
        for (i, step) in s.finally.iter().enumerate() {
            cleanup += 1;
            let _ = writeln!(
                out,
                "    {:>2}. {}  ({})",
                i + 1,
                printable(&step.name),
                step.id
            );
        }
    }
    let steps: usize = scenarios.iter().map(|s| s.steps.len()).sum();
    let _ = write!(out, "\n{} scenarios, {steps} steps", scenarios.len());
    if cleanup > 0 {
        let _ = write!(out, " (and {cleanup} cleanup steps: finally and undo)");
    }
    out.push('\n');
    out
}

/// Prints an error that stops a run before it starts, as `sip2check: ...` on stderr.
pub fn report_error(err: &dyn std::fmt::Display) {
    eprintln!("sip2check: {err}");
}

#[cfg(test)]
#[path = "../../tests/common/golden.rs"]
pub(crate) mod golden;

#[cfg(test)]
mod tests {
    use super::golden::assert_golden as golden;
    use super::*;
    use crate::report::sample;

    #[test]
    fn a_failed_scenario_reads_like_the_golden_text() {
        let run = sample::run();
        let text = render_scenario(&run.scenarios[0], &ReportOptions::default());
        golden("console_failed.txt", &text);
        assert!(
            text.lines().any(|l| l.trim_start().starts_with("AE ")
                && l.contains("\"***\"")
                && l.contains("spec requires"))
                && !text.contains("Fiand"),
            "personal data masked in the table as in the transcript: {text}"
        );
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with("magnetic_media ")
                    && l.contains("\"N\"")
                    && l.contains("\"U\"")
                    && l.ends_with("Evergreen does (warning)")),
            "the warning of a failed step is in its table, with its ground: {text}"
        );
        assert!(
            text.contains("|AE***|"),
            "personal data masked in the transcript: {text}"
        );
    }

    #[test]
    fn colour_highlights_only_the_differing_characters() {
        let run = sample::run();
        // With --no-redact, so the personal field's difference is shown.
        let opts = ReportOptions {
            color: true,
            redaction: crate::sip2::redact::Redaction::Secrets,
        };
        let text = render_scenario(&run.scenarios[0], &opts);
        assert!(
            text.contains("\"David J. Fiandr\x1b[1m\x1b[31me\x1b[0m\""),
            "{text}"
        );
        assert!(text.contains("\"\x1b[1m\x1b[32m0\x1b[0m\""), "{text}");
    }

    #[test]
    fn the_summary_counts_spec_failures_and_warnings_and_lists_skips_warnings_and_notes() {
        let text = render_summary(&sample::run(), &ReportOptions::default());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "sip2check: 3 scenarios: 1 passed, 0 failed, 1 errored, 1 skipped; 2 spec failures; 2 warnings (1 common, 1 dialect)",
                "  skipped  demo::holds: the ACS does not support hold",
                "  skipped  demo::status step 2 \"blocked patron\": the profile has no blocked_patron",
                "  warning  demo::status step 1 \"patron status\": AF expected present got absent (common practice)",
                "  note     demo::checkout step 2 \"checkout of cáliz\": the server's BX says checkout is unsupported, and it answered",
            ]
        );
    }

    #[test]
    fn cleanup_steps_are_reported_apart_with_the_undos_that_ran() {
        use crate::runner::result::Phase;
        let mut s = sample::run().scenarios[0].clone();
        let cleanup = |index, phase, name: &str, status| StepResult {
            phase,
            ..StepResult::new(
                index,
                &format!("finally/{name}"),
                name,
                format!("x.yaml:{index}"),
                status,
            )
        };
        s.steps
            .push(cleanup(1, Phase::Finally, "login", StepStatus::Passed));
        s.steps
            .push(cleanup(2, Phase::Undo(2), "check in", StepStatus::Passed));
        let mut gone = cleanup(3, Phase::Finally, "cancel", StepStatus::Failed);
        gone.error = Some("no response".into());
        s.steps.push(gone);
        let mut last = cleanup(4, Phase::Finally, "enable", StepStatus::NotRun);
        last.error = Some("the connection was lost at cleanup step 3".into());
        s.steps.push(last);
        let text = render_scenario(&s, &ReportOptions::default());
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("    ")).collect();
        assert_eq!(
            lines[lines.len() - 6..],
            [
                "  step 4 not run: the connection was lost at step 3",
                "  cleanup step 2 \"check in\" (undo of step 2) passed",
                "  cleanup step 3 \"cancel\" (x.yaml:3) failed",
                "  cleanup step 4 not run: the connection was lost at cleanup step 3",
                "  4 steps: 1 passed, 1 failed, 1 errored, 0 skipped, 1 not run",
                "  cleanup: 4 steps: 2 passed, 1 failed, 0 errored, 0 skipped, 1 not run",
            ],
            "{text}"
        );
    }

    #[test]
    fn live_steps_show_the_masked_transcript_labelled_by_scenario() {
        let run = sample::run();
        let s = &run.scenarios[0];
        let text = render_live_step(&s.id, &s.steps[1], &ReportOptions::default());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "[demo::checkout] step 2 \"checkout of cáliz\" failed (3 ms)"
        );
        assert!(lines[1].starts_with("[demo::checkout]   > 11YN"), "{text}");
        assert!(
            lines[2].starts_with("[demo::checkout]   < 120NUN"),
            "{text}"
        );
        assert!(
            lines[2].contains("|AE***|") && !text.contains("Fiand"),
            "{text}"
        );
        assert!(
            lines.contains(&"[demo::checkout]   ok expected \"1\" got \"0\" (spec requires)"),
            "{text}"
        );
        let lost = render_live_step(&s.id, &s.steps[3], &ReportOptions::default());
        assert_eq!(
            lost,
            "[demo::checkout] step 4 \"renew\" not run: the connection was lost at step 3\n"
        );
        assert_eq!(
            render_live_scenario(&run.scenarios[1], &ReportOptions::default()),
            "[demo::holds] skipped in 0.0 s: the ACS does not support hold\n"
        );
    }

    #[test]
    fn passed_and_skipped_scenarios() {
        let run = sample::run();
        assert_eq!(
            render_scenario(&run.scenarios[1], &ReportOptions::default()),
            "skipped: the ACS does not support hold\n"
        );
        let mut passed = run.scenarios[0].clone();
        passed.outcome = Outcome::Passed;
        assert_eq!(render_scenario(&passed, &ReportOptions::default()), "");
    }
}
