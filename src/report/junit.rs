//! JUnit XML (via junit-report, the only file that names it): a testsuite per scenario, a
//! testcase per step, named `scenario-id/step-id`. A suite carries the scenario's file (`file`)
//! and when it started (`timestamp`); its testcases a dotted classname,
//! `sip2check.<suite>.<scenario>`, which Jenkins shows as package `sip2check.<suite>` and class
//! `<scenario>`, and the step's `file:line` (`file`, as GitLab reads it). A failed step is a `<failure>` whose message is one line naming each
//! failed check and its ground, and whose body is the console rendering; an errored step is an
//! `<error>`; skipped steps, steps not run and skipped scenarios are `<skipped>` with the
//! reason, and so are steps whose failures the baseline lists ("known failure: ...").
//! The step's transcript goes to system-out, with its warnings ("warning (Evergreen
//! does): ..."), known failures, fixed baseline entries and notes, `<CR>` for terminators and no control characters, so every file
//! is valid XML.

use std::io::Write;
use std::time::Duration;

use junit_report::{Report, TestCase, TestSuite};

use super::ReportOptions;
use super::console::{known_what, render_step, shown_values};
use super::redact::check_cells;
use super::text::{captured_value, printable, printable_lines, wire_line};
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus};

/// Writes the report for `run` to `out`.
pub fn write(run: &RunResult, opts: &ReportOptions, out: impl Write) -> std::io::Result<()> {
    let plain = ReportOptions {
        color: false,
        ..*opts
    };
    let mut report = Report::new();
    for s in &run.scenarios {
        report.add_testsuite(suite(run, s, &plain));
    }
    let mut xml = Vec::new();
    // junit-report's error stays inside this file (it is an I/O or an XML writer error).
    report.write_xml(&mut xml).map_err(std::io::Error::other)?;
    let files: Vec<String> = run
        .scenarios
        .iter()
        .map(|s| printable(&s.file.display().to_string()))
        .collect();
    with_suite_files(&xml, &files, out)
}

/// The dotted classname of a scenario's testcases: `siptest::03checkout` ->
/// `sip2check.siptest.03checkout` (Jenkins splits package and class at the last dot).
pub fn classname(id: &str) -> String {
    format!("sip2check.{}", printable(id).replace("::", "."))
}

/// Copies `xml` to `out` with `file` set on the n-th `<testsuite>` to `files[n]`. junit-report
/// has no setter for it, and the Jenkins schema allows `file` on a testsuite.
fn with_suite_files(xml: &[u8], files: &[String], out: impl Write) -> std::io::Result<()> {
    use quick_xml::events::Event;
    let text = String::from_utf8_lossy(xml);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut writer = quick_xml::Writer::new(out);
    let mut files = files.iter();
    loop {
        let event = match reader.read_event().map_err(std::io::Error::other)? {
            Event::Eof => break,
            Event::Start(e) if e.name().as_ref() == b"testsuite" => {
                let mut e = e.into_owned();
                if let Some(file) = files.next() {
                    e.push_attribute(("file", file.as_str()));
                }
                Event::Start(e)
            }
            other => other,
        };
        writer.write_event(event)?;
    }
    Ok(())
}

fn suite(run: &RunResult, s: &ScenarioResult, opts: &ReportOptions) -> TestSuite {
    let mut suite = TestSuite::new(&printable(&s.id));
    if let Some(started) = s
        .started
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i128::try_from(d.as_nanos()).ok())
        .and_then(|n| junit_report::OffsetDateTime::from_unix_timestamp_nanos(n).ok())
    {
        suite.set_timestamp(started);
    }
    for step in &s.steps {
        suite.add_testcase(case(s, step, opts));
    }
    let mut info = format!(
        "scenario: {}\nfile: {}\nendpoint: {}\nprofile: {}\n",
        s.name,
        s.file.display(),
        run.endpoint,
        run.profile
    );
    if let Some(inst) = &run.institution {
        info.push_str(&format!("institution: {inst}\n"));
    }
    if let Some(bx) = &run.bx {
        info.push_str(&format!("ACS supported messages (BX): {bx}\n"));
    }
    info.push_str(&format!("outcome: {}", s.outcome.as_str()));
    if let Outcome::Errored(reason) | Outcome::Skipped(reason) = &s.outcome {
        info.push_str(&format!(" ({reason})"));
    }
    suite.set_system_out(&cdata(&info));
    suite
}

fn case(s: &ScenarioResult, step: &StepResult, opts: &ReportOptions) -> TestCase {
    let name = printable(&s.step_path(step));
    let time = to_time(step.duration);
    let mut case = match (&s.outcome, step.status) {
        (Outcome::Skipped(reason), _) => {
            TestCase::skipped_with_cause(&name, "skipped", &printable(reason))
        }
        (_, StepStatus::Passed) => TestCase::success(&name, time),
        (_, StepStatus::Failed) => {
            let kind = step
                .failures()
                .next()
                .map_or_else(|| "check".to_string(), |c| kind_of(&c.target));
            let mut tc = TestCase::failure(&name, time, &kind, &printable(&summary(step, opts)));
            set_cause(&mut tc, &render_step(step, opts));
            tc
        }
        (_, StepStatus::Errored) => {
            let msg = step.error.as_deref().unwrap_or("could not complete");
            let mut tc = TestCase::error(&name, time, "connection", &printable(msg));
            set_cause(&mut tc, &render_step(step, opts));
            tc
        }
        (_, StepStatus::Skipped) => TestCase::skipped_with_cause(
            &name,
            "skipped",
            &printable(step.error.as_deref().unwrap_or("skipped")),
        ),
        (_, StepStatus::NotRun) => TestCase::skipped_with_cause(
            &name,
            "not-run",
            &printable(step.error.as_deref().unwrap_or("not run")),
        ),
        (_, StepStatus::Known) => TestCase::skipped_with_cause(
            &name,
            "known",
            &printable(&format!(
                "known failure: {}",
                known_what(step, opts.redaction).join("; ")
            )),
        ),
    };
    case.set_classname(&classname(&s.id));
    case.set_filepath(&printable(&step.origin));
    let mut transcript = format!("{} ({})\n", step.heading(), step.loc);
    if let Some(sent) = &step.sent {
        transcript.push_str(&format!("sent      {}\n", wire_line(sent, opts.redaction)));
    }
    if let Some(received) = &step.received {
        transcript.push_str(&format!(
            "received  {}\n",
            wire_line(received, opts.redaction)
        ));
    }
    for c in &step.captures {
        let value = captured_value(c, opts.redaction);
        transcript.push_str(&format!("captured  {} = {value}\n", c.name));
    }
    for w in step.warnings() {
        let (expected, actual, _) = shown_values(w, opts.redaction);
        transcript.push_str(&format!(
            "warning ({}): {} expected {expected} got {actual}\n",
            w.ground.phrase(),
            w.target,
        ));
    }
    if step.status != StepStatus::Known {
        for known in known_what(step, opts.redaction) {
            transcript.push_str(&format!("known: {known}\n"));
        }
    }
    for fixed in &step.fixed {
        transcript.push_str(&format!("fixed: {fixed}: remove it from the baseline\n"));
    }
    for note in &step.notes {
        transcript.push_str(&format!("note: {note}\n"));
    }
    case.set_system_out(&cdata(&transcript));
    case
}

/// The failure message: every failed check and its ground on one line (masked fields masked).
fn summary(step: &StepResult, opts: &ReportOptions) -> String {
    let parts: Vec<String> = step
        .failures()
        .map(|c| {
            let cells = check_cells(c, opts.redaction);
            format!(
                "{} expected {} got {} ({})",
                c.target,
                cells.expected,
                cells.actual,
                c.basis()
            )
        })
        .collect();
    let what = match (parts.is_empty(), &step.error) {
        (true, Some(error)) => error.clone(),
        _ => parts.join("; "),
    };
    format!("{}: {what}", step.heading())
}

/// The failure `type`: the lint rule code for lint checks, else what was checked.
fn kind_of(target: &crate::check::Target) -> String {
    use crate::check::Target;
    match target {
        Target::Message => "message".into(),
        Target::Leader => "leader".into(),
        Target::Fixed(_) => "fixed-field".into(),
        Target::Field(_) => "field".into(),
        Target::Lint(rule) => rule.code().into(),
        Target::Capture(_) => "capture".into(),
        Target::Closed => "closed".into(),
        Target::Snapshot(_) => "snapshot".into(),
    }
}

/// Writes the JUnit report of a two-server diff: a testsuite per scenario, a testcase per step
/// (`scenario-id/step-id`) that fails when the step differs (the message lists each change and
/// the verdicts, the body is the console table), skipped when it ran on neither server.
pub fn write_diff(
    d: &crate::gate::diff::DiffResult,
    opts: &ReportOptions,
    out: impl Write,
) -> Result<(), junit_report::Error> {
    use crate::gate::snapshot::shown;
    let plain = ReportOptions {
        color: false,
        ..*opts
    };
    let mut report = Report::new();
    for s in &d.scenarios {
        let mut suite = TestSuite::new(&printable(&s.id));
        for st in &s.steps {
            let name = printable(&s.step_path(st));
            let idle =
                |status: StepStatus| matches!(status, StepStatus::Skipped | StepStatus::NotRun);
            let mut case = if st.differs() {
                let mut parts: Vec<String> = st
                    .changes
                    .iter()
                    .map(|c| {
                        let masked = matches!(&c.part, crate::gate::Part::Field { id, .. }
                            if crate::sip2::FieldId::parse(id).is_some_and(|id| plain.redaction.masks(id)));
                        if masked {
                            format!("{} {} (masked)", c.part, c.kind().as_str())
                        } else {
                            format!(
                                "{} {} -> {}",
                                c.part,
                                shown(&c.part, c.old.as_deref()),
                                shown(&c.part, c.new.as_deref())
                            )
                        }
                    })
                    .collect();
                if st.verdict_changed() {
                    parts.push(format!(
                        "verdict {} -> {}",
                        st.old.as_str(),
                        st.new.as_str()
                    ));
                }
                let mut tc = TestCase::failure(
                    &name,
                    junit_report::Duration::ZERO,
                    "diff",
                    &printable(&parts.join("; ")),
                );
                let body = super::diff::table(st, &plain);
                set_cause(&mut tc, &body);
                tc
            } else if idle(st.old) && idle(st.new) {
                TestCase::skipped_with_cause(&name, "skipped", "ran on neither server")
            } else {
                TestCase::success(&name, junit_report::Duration::ZERO)
            };
            case.set_classname(&printable(&s.id));
            suite.add_testcase(case);
        }
        suite.set_system_out(&cdata(&format!(
            "scenario: {}\nfile: {}\nold: {} ({})\nnew: {} ({})",
            s.name,
            s.file.display(),
            d.old.label,
            s.old.as_str(),
            d.new.label,
            s.new.as_str()
        )));
        report.add_testsuite(suite);
    }
    report.write_xml(out)
}

fn set_cause(tc: &mut TestCase, body: &str) {
    let body = cdata(body);
    match &mut tc.result {
        junit_report::TestResult::Failure { cause, .. }
        | junit_report::TestResult::Error { cause, .. }
        | junit_report::TestResult::SkippedWithCause { cause, .. } => *cause = Some(body),
        junit_report::TestResult::Success | junit_report::TestResult::Skipped => {}
    }
}

/// Text for a CDATA section: no control characters, and no `]]>` that would end it early.
fn cdata(text: &str) -> String {
    printable_lines(text).replace("]]>", "]]]]><![CDATA[>")
}

fn to_time(d: Duration) -> junit_report::Duration {
    junit_report::Duration::microseconds(i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;
    use crate::sip2::redact::Redaction;
    use quick_xml::events::Event;

    /// An element: name, attributes, CDATA text inside.
    type Element = (String, Vec<(String, String)>, String);

    /// Every element, in document order.
    fn read_back(xml: &str) -> Vec<Element> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut out: Vec<Element> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        let element = |e: &quick_xml::events::BytesStart| {
            let attrs = e
                .attributes()
                .map(|a| {
                    let a = a.expect("attribute");
                    (
                        String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .expect("escaped value")
                            .into_owned(),
                    )
                })
                .collect();
            (
                String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                attrs,
                String::new(),
            )
        };
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    out.push(element(&e));
                    open.push(out.len() - 1);
                }
                Event::Empty(e) => out.push(element(&e)),
                Event::End(_) => {
                    open.pop();
                }
                Event::CData(t) => {
                    let text = String::from_utf8(t.into_inner().to_vec()).unwrap();
                    if let Some(i) = open.last() {
                        out[*i].2.push_str(&text);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        out
    }

    fn attr<'a>(e: &'a Element, key: &str) -> &'a str {
        e.1.iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    #[test]
    fn failing_steps_control_characters_and_non_ascii_read_back() {
        let mut buf = Vec::new();
        write(&sample::run(), &ReportOptions::default(), &mut buf).unwrap();
        let xml = String::from_utf8(buf).unwrap();
        assert!(
            !xml.bytes().any(|b| b < 0x20 && b != b'\n' && b != b'\t'),
            "control characters in the XML:\n{xml}"
        );
        let elements = read_back(&xml);
        let names: Vec<&str> = elements.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(names.iter().filter(|n| **n == "testsuite").count(), 3);
        assert_eq!(
            names.iter().filter(|n| **n == "testcase").count(),
            7,
            "one per step"
        );
        let failure = elements
            .iter()
            .find(|e| e.0 == "failure")
            .expect("a failure");
        assert_eq!(attr(failure, "type"), "fixed-field");
        assert!(
            attr(failure, "message").contains("ok expected \"1\" got \"0\" (spec requires)"),
            "the message names each failed check's ground: {failure:?}"
        );
        assert!(
            failure.2.contains("Evergreen does (warning)"),
            "the body's table names the grounds: {}",
            failure.2
        );
        assert!(
            failure.2.contains("AE"),
            "the body holds the field table: {}",
            failure.2
        );
        let error = elements.iter().find(|e| e.0 == "error").expect("an error");
        assert!(attr(error, "message").contains("server closed the connection"));
        let skipped: Vec<_> = elements.iter().filter(|e| e.0 == "skipped").collect();
        assert_eq!(
            skipped.len(),
            3,
            "the step not run, the skipped scenario's step and the skipped step"
        );
        assert!(attr(skipped[1], "message").contains("does not support hold"));
        assert_eq!(attr(skipped[2], "type"), "skipped");
        assert!(attr(skipped[2], "message").contains("the profile has no blocked_patron"));
        let outs: String = elements
            .iter()
            .filter(|e| e.0 == "system-out")
            .map(|e| e.2.as_str())
            .collect();
        assert!(
            outs.contains("cáliz<0x01> ]]> de fuego|AH|AE***|"),
            "{outs}"
        );
        assert!(outs.contains("ACS supported messages (BX): YYYYYYYYYYYYYNYY"));
        assert!(
            outs.contains("warning (Evergreen does): magnetic_media expected \"N\" got \"U\""),
            "{outs}"
        );
        assert!(
            outs.contains("warning (common practice): AF expected present got absent"),
            "a passing step's warning: {outs}"
        );
        assert!(
            outs.contains("note: the server's BX says checkout is unsupported, and it answered"),
            "{outs}"
        );
        assert!(
            !outs.contains("COsip_01") && !outs.contains("AEDavid"),
            "masked: {outs}"
        );
        let testcase = elements.iter().find(|e| e.0 == "testcase").unwrap();
        assert_eq!(attr(testcase, "name"), "demo::checkout/login");
        assert_eq!(attr(testcase, "classname"), "sip2check.demo.checkout");
        assert_eq!(attr(testcase, "file"), "scenarios/demo/checkout.yaml:4");
        let suite = elements.iter().find(|e| e.0 == "testsuite").unwrap();
        assert_eq!(attr(suite, "file"), "scenarios/demo/checkout.yaml");
        assert_eq!(
            attr(suite, "timestamp"),
            "2026-11-29T09:00:00Z",
            "the scenario's own start"
        );
        let suites: Vec<&Element> = elements.iter().filter(|e| e.0 == "testsuite").collect();
        assert_eq!(attr(suites[2], "file"), "scenarios/demo/status.yaml");
        assert_eq!(attr(suites[2], "timestamp"), "2026-11-29T09:00:00.012Z");
    }

    #[test]
    fn no_redact_still_masks_passwords() {
        let mut buf = Vec::new();
        let opts = ReportOptions {
            redaction: Redaction::Secrets,
            color: false,
        };
        write(&sample::run(), &opts, &mut buf).unwrap();
        let xml = String::from_utf8(buf).unwrap();
        assert!(xml.contains("AEDavid J. Fiander"));
        assert!(!xml.contains("COsip_01"));
    }
}
