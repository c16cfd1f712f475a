//! The console text of a scenario that did not pass: each failed or errored step with its
//! request and response, then a table of what differs (target, expected, got), the screen
//! messages the ACS sent, and the linter's findings. libtest-mimic prints it under
//! "failures:", and JUnit uses the plain rendering as the failure body.

use std::fmt::Write;

use super::ReportOptions;
use super::redact::check_cells;
use super::text::{printable, wire_line};
use crate::check::CheckResult;
use crate::check::diff::{Segment, inline};
use crate::runner::result::{Outcome, ScenarioResult, StepResult, StepStatus};
use crate::scenario::Scenario;
use crate::sip2::{FieldId, render};

/// Widest expected value before the "got" column stops aligning.
const MAX_EXPECTED_WIDTH: usize = 40;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

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
    for step in &s.steps {
        if matches!(step.status, StepStatus::Failed | StepStatus::Errored) {
            out.push_str(&render_step(step, opts));
        }
    }
    let not_run: Vec<&StepResult> = s
        .steps
        .iter()
        .filter(|st| st.status == StepStatus::NotRun)
        .collect();
    if let (Some(first), Some(last)) = (not_run.first(), not_run.last()) {
        let range = if first.index == last.index {
            format!("step {}", first.index)
        } else {
            format!("steps {}-{}", first.index, last.index)
        };
        let reason = first.error.as_deref().unwrap_or("the connection was lost");
        let _ = writeln!(out, "  {range} not run: {}", printable(reason));
    }
    let failed = s
        .steps
        .iter()
        .filter(|st| st.status == StepStatus::Failed)
        .count();
    let errored = s
        .steps
        .iter()
        .filter(|st| st.status == StepStatus::Errored)
        .count();
    let _ = writeln!(
        out,
        "  {} steps: {} passed, {failed} failed, {errored} errored, {} not run",
        s.steps.len(),
        s.steps
            .iter()
            .filter(|st| st.status == StepStatus::Passed)
            .count(),
        not_run.len()
    );
    out
}

/// Renders one step: heading, transcript, field table, screen messages, lint findings.
pub fn render_step(step: &StepResult, opts: &ReportOptions) -> String {
    let mut out = String::new();
    let paint = Paint(opts.color);
    let _ = writeln!(
        out,
        "  {} {}",
        paint.wrap(
            BOLD,
            &format!("step {} \"{}\"", step.index, printable(&step.name))
        ),
        paint.wrap(DIM, &format!("({}) {}", step.loc, step.status.as_str())),
    );
    if let Some(sent) = &step.sent {
        let _ = writeln!(out, "    sent      {}", wire_line(sent, opts.redaction));
    }
    if let Some(received) = &step.received {
        let _ = writeln!(out, "    received  {}", wire_line(received, opts.redaction));
    }
    if let Some(err) = &step.error {
        let _ = writeln!(out, "    {} {}", paint.wrap(RED, "error"), printable(err));
    }
    let failures: Vec<&CheckResult> = step.failures().collect();
    if !failures.is_empty() {
        out.push_str(&table(&failures, opts));
    }
    if step.status == StepStatus::Failed {
        if let Some(received) = &step.received {
            for (id, value) in screen_messages(&received.text) {
                let _ = writeln!(
                    out,
                    "    {:<8}  (info) {:?}",
                    id.as_str(),
                    printable(&value)
                );
            }
        }
    }
    if !step.violations.is_empty() {
        for line in render::render_violations(&step.violations).lines() {
            let _ = writeln!(out, "    lint {}", printable(line.trim_start()));
        }
    }
    out
}

/// The field table: one row per failed check.
fn table(rows: &[&CheckResult], opts: &ReportOptions) -> String {
    let paint = Paint(opts.color);
    let cells: Vec<Row> = rows
        .iter()
        .map(|c| {
            let cells = check_cells(c, opts.redaction);
            (
                c.target.to_string(),
                printable(&cells.expected),
                printable(&cells.actual),
                cells.diff,
            )
        })
        .collect();
    let target_w = cells
        .iter()
        .map(|c| c.0.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let expected_w = cells
        .iter()
        .map(|c| c.1.chars().count())
        .filter(|w| *w <= MAX_EXPECTED_WIDTH)
        .max()
        .unwrap_or(0)
        .max(8);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "    {}",
        paint.wrap(
            DIM,
            &format!("{:<target_w$}  {:<expected_w$}  got", "field", "expected")
        )
    );
    for (target, expected, actual, diff) in cells {
        let pad = expected_w.saturating_sub(expected.chars().count());
        let (expected, actual) = match (&diff, opts.color) {
            (Some((want, got)), true) => {
                let (old, new) = inline(want, got);
                (
                    format!("\"{}\"", highlight(&old, RED)),
                    format!("\"{}\"", highlight(&new, GREEN)),
                )
            }
            _ => (expected, actual),
        };
        let _ = writeln!(
            out,
            "    {target:<target_w$}  {expected}{}  {actual}",
            " ".repeat(pad)
        );
    }
    out
}

/// One table row: target, expected, got, and the texts to highlight.
type Row = (String, String, String, Option<(String, String)>);

fn highlight(segments: &[Segment], color: &str) -> String {
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

/// AF and AG of a response: why the ACS said no.
fn screen_messages(text: &str) -> Vec<(FieldId, String)> {
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

/// The `--list` text: each scenario id, its tags, and its steps.
pub fn render_list(scenarios: &[&Scenario]) -> String {
    let mut out = String::new();
    for s in scenarios {
        let tags = if s.tags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", s.tags.join(", "))
        };
        let _ = writeln!(out, "{}: test{tags}", s.id);
        for (i, step) in s.steps.iter().enumerate() {
            let _ = writeln!(out, "    {:>2}. {}", i + 1, printable(&step.name));
        }
    }
    let steps: usize = scenarios.iter().map(|s| s.steps.len()).sum();
    let _ = writeln!(out, "\n{} scenarios, {steps} steps", scenarios.len());
    out
}

/// Prints an error that stops a run before it starts, as `sip2check: ...` on stderr.
pub fn report_error(err: &dyn std::fmt::Display) {
    eprintln!("sip2check: {err}");
}

#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, style: &str, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
#[path = "../../tests/common/golden.rs"]
mod golden;

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
            text.contains("AE        \"***\"     \"***\"") && !text.contains("Fiand"),
            "personal data masked in the table as in the transcript: {text}"
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
            text.contains(&format!("\"David J. Fiandr{RED}{BOLD}e{RESET}\"")),
            "{text}"
        );
        assert!(
            text.contains(&format!("\"{GREEN}{BOLD}0{RESET}\"")),
            "{text}"
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
