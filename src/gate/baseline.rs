//! Baselines: the failures a site knows and accepts (`run --baseline known.yaml`). A listed
//! failure or warning is reported as known and fails nothing; a failure the baseline does not
//! list still fails the run; an entry whose step ran without failing that way is reported as
//! fixed (remove it), and fails the run under `--strict-baseline`. `run --write-baseline` writes
//! the current failures, warnings and errors as a commented file to review ([`write()`]).
//!
//! An entry names the scenario, the step (its id) and one of: a check target with the value
//! the check got (normalised as snapshots are: `<date>`, `<volatile>`; without `got` any value
//! matches), a lint rule, or the step's error (any error of that step).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::normalize::Normalizer;
use super::{one_line, quoted};
use crate::check::{CheckResult, Target, Verdict};
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus};
use crate::runner::trials::Review;
use crate::scenario::locate::Locator;
use crate::scenario::model::{RuleName, did_you_mean};
use crate::scenario::{LoadError, LoadErrors, Scenario};
use crate::sip2::redact::{MASK, Redaction};
use crate::sip2::{FieldId, Rule, spec};

/// The baseline file format's version.
const VERSION: u32 = 1;

/// How `--strict-baseline` words the error of a step with fixed entries.
const STRICT_FIXED: &str =
    "the baseline lists failures this step no longer has (--strict-baseline)";

/// A loaded baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The file, as the user named it.
    pub path: PathBuf,
    /// Its entries, in file order.
    pub entries: Vec<Entry>,
}

/// One known failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The scenario id (`siptest::03checkout`).
    pub scenario: String,
    /// The step id.
    pub step: String,
    /// Which failure of the step.
    pub what: What,
    /// Free text the reviewer wrote, shown with the known failure.
    pub reason: Option<String>,
    /// Its line in the file.
    pub line: usize,
}

/// Which failure of a step an entry lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// A failed (or warned) check: its target as reports name it (`AJ`, `ok`, `leader`,
    /// `snapshot AJ`), and the value it got, normalised (None: any value).
    Check {
        /// The target.
        target: String,
        /// The value, as reports show it (`"0"`, `absent`).
        got: Option<String>,
    },
    /// A lint rule the step reported against (`violations:`, `forbid:`, `--strict`).
    Rule(Rule),
    /// The step's error (connection lost, timeout, request not built): any error matches;
    /// the text is what was seen when the entry was written.
    Error(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    version: Option<u32>,
    #[serde(default)]
    known: Vec<EntryDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryDoc {
    scenario: String,
    step: String,
    target: Option<String>,
    got: Option<String>,
    rule: Option<RuleName>,
    error: Option<String>,
    reason: Option<String>,
}

impl Baseline {
    /// Reads a baseline file; every mistake is an error at its line.
    pub fn load(path: &Path) -> Result<Baseline, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            LoadError::at(
                path,
                1,
                1,
                format!("cannot read the baseline: {e} (write one with --write-baseline)"),
            )
        })?;
        Baseline::parse(&text, path)
    }

    /// Parses baseline `text`; `path` names it in errors and reports.
    pub fn parse(text: &str, path: &Path) -> Result<Baseline, LoadError> {
        let blank = text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        let doc: Doc = if blank {
            Doc {
                version: None,
                known: Vec::new(),
            }
        } else {
            serde_yaml::from_str(text).map_err(|e| LoadError::yaml(path, &e))?
        };
        if let Some(v) = doc.version.filter(|v| *v != VERSION) {
            return Err(LoadError::at(
                path,
                line_of(text, "version"),
                1,
                format!("baseline version {v}: this sip2check reads version {VERSION}"),
            ));
        }
        let locator = Locator::new(text);
        let lines = locator
            .top_level_keys()
            .into_iter()
            .find(|(k, _)| k == "known")
            .map_or_else(Vec::new, |(_, line)| locator.list_items(line));
        let mut entries: Vec<Entry> = Vec::new();
        for (i, e) in doc.known.into_iter().enumerate() {
            let line = lines.get(i).copied().unwrap_or(1);
            let err = |m: String| LoadError::at(path, line, 1, m);
            let what = match (e.target, e.rule, e.error) {
                (Some(t), None, None) => What::Check {
                    target: parse_target(&t).map_err(err)?,
                    got: e.got,
                },
                (None, Some(r), None) if e.got.is_none() => What::Rule(r.0),
                (None, None, Some(text)) if e.got.is_none() => What::Error(text),
                (None, None, None) => {
                    return Err(err(
                        "a baseline entry names a target (with got), a rule or an error".into(),
                    ));
                }
                _ => {
                    return Err(err(
                        "a baseline entry names one of target (with got), rule or error".into(),
                    ));
                }
            };
            let entry = Entry {
                scenario: e.scenario,
                step: e.step,
                what,
                reason: e.reason,
                line,
            };
            if let Some(first) = entries.iter().find(|f| f.same(&entry)) {
                return Err(err(format!(
                    "this entry repeats the one at line {}; keep one",
                    first.line
                )));
            }
            entries.push(entry);
        }
        Ok(Baseline {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// Checks the entries against the scenarios a run selected: an entry for one of them must
    /// name one of its steps. Entries for scenarios not selected are left alone.
    pub fn check(&self, scenarios: &[Scenario]) -> Result<(), LoadErrors> {
        let mut errors = Vec::new();
        for e in &self.entries {
            let Some(s) = scenarios.iter().find(|s| s.id == e.scenario) else {
                continue;
            };
            if !s.steps.iter().any(|st| st.id == e.step) {
                let ids: Vec<&str> = s.steps.iter().map(|st| st.id.as_str()).collect();
                errors.push(LoadError::at(
                    &self.path,
                    e.line,
                    1,
                    format!(
                        "{} has no step {:?}{}; its steps: {} (`sip2check run --list` shows them)",
                        s.id,
                        e.step,
                        did_you_mean(&e.step, ids.iter().copied()),
                        ids.join(", ")
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(LoadErrors(errors))
        }
    }

    /// The review that applies this baseline to each result.
    pub fn review(self, norm: Normalizer, strict: bool) -> BaselineReview {
        BaselineReview {
            baseline: self,
            norm,
            strict,
        }
    }

    fn at(&self, e: &Entry) -> String {
        let mut at = format!("{}:{}", self.path.display(), e.line);
        if let Some(reason) = &e.reason {
            let _ = write!(at, ": {reason}");
        }
        at
    }
}

impl Entry {
    /// The same failure of the same step (reason and line aside).
    fn same(&self, other: &Entry) -> bool {
        self.scenario == other.scenario && self.step == other.step && self.what == other.what
    }

    /// Does this entry list failed or warned check `c`?
    fn lists(&self, c: &CheckResult, norm: &Normalizer) -> bool {
        match (&self.what, &c.target) {
            (What::Rule(rule), Target::Lint(r)) => rule == r,
            // A value masked when the entry was written (or now) matches whatever it is.
            (What::Check { target, got }, t) if *target == t.to_string() => {
                got.as_ref().is_none_or(|g| {
                    g.contains(MASK)
                        || c.actual.contains(MASK)
                        || *g == norm.check_value(&c.target, &c.actual)
                })
            }
            _ => false,
        }
    }

    /// What the entry lists, for people: `AJ got "x"`, `rule checksum`, `an error`.
    fn describe(&self) -> String {
        match &self.what {
            What::Check {
                target,
                got: Some(g),
            } => format!("{target} got {g}"),
            What::Check { target, got: None } => format!("{target} failing"),
            What::Rule(r) => format!("lint {r}"),
            What::Error(_) => "an error".to_string(),
        }
    }
}

/// A target as baseline entries write it: the form reports use (see [`Target`]'s Display).
fn parse_target(t: &str) -> Result<String, String> {
    const NAMED: [&str; 3] = ["message", "leader", "closed"];
    if NAMED.contains(&t) {
        return Ok(t.to_string());
    }
    if let Some(rule) = t.strip_prefix("lint ") {
        return Err(format!(
            "write a lint finding as `rule: {rule}`, not as a target"
        ));
    }
    if t.strip_prefix("capture ")
        .is_some_and(|n| !n.is_empty() && !n.contains(' '))
    {
        return Ok(t.to_string());
    }
    let inner = t.strip_prefix("snapshot ").unwrap_or(t);
    let fixed_keys = || spec::MESSAGES.iter().flat_map(|m| m.fixed).map(|f| f.key);
    let field = FieldId::parse(inner).is_some_and(|_| {
        inner
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    });
    // A snapshot difference names a field's second occurrence as `AF#2`.
    let repeat = inner
        .split_once('#')
        .is_some_and(|(id, n)| FieldId::parse(id).is_some() && n.parse::<usize>().is_ok());
    if field || repeat || fixed_keys().any(|k| k == inner) || (inner == "message" && inner != t) {
        return Ok(t.to_string());
    }
    let names = NAMED.into_iter().chain(fixed_keys());
    Err(format!(
        "unknown target {t:?}{}: use message, leader, closed, a fixed-field key, a field ID, `capture NAME` or `snapshot PART`",
        did_you_mean(t, names)
    ))
}

fn line_of(text: &str, key: &str) -> usize {
    Locator::new(text).key(1, 0, key).map_or(1, |l| l.line)
}

/// A baseline applied to each result as it comes (see [`Review`]).
#[derive(Debug)]
pub struct BaselineReview {
    baseline: Baseline,
    norm: Normalizer,
    strict: bool,
}

impl Review for BaselineReview {
    fn review(&self, result: &mut ScenarioResult) {
        if matches!(result.outcome, Outcome::Skipped(_)) {
            return;
        }
        let entries: Vec<&Entry> = self
            .baseline
            .entries
            .iter()
            .filter(|e| e.scenario == result.id)
            .collect();
        if entries.is_empty() {
            return;
        }
        for step in &mut result.steps {
            let mine: Vec<&Entry> = entries
                .iter()
                .copied()
                .filter(|e| e.step == step.id)
                .collect();
            if !mine.is_empty() {
                self.apply(step, &mine);
            }
        }
        result.outcome = Outcome::from_steps(&result.steps);
    }
}

impl BaselineReview {
    fn apply(&self, step: &mut StepResult, entries: &[&Entry]) {
        if matches!(step.status, StepStatus::Skipped | StepStatus::NotRun) {
            return;
        }
        let mut used = vec![false; entries.len()];
        for c in &mut step.checks {
            if !matches!(c.verdict(), Verdict::Failed | Verdict::Warned) {
                continue;
            }
            if let Some(i) = entries.iter().position(|e| e.lists(c, &self.norm)) {
                used[i] = true;
                c.known = Some(self.baseline.at(entries[i]));
            }
        }
        let failing = matches!(step.status, StepStatus::Failed | StepStatus::Errored);
        if failing
            && step.error.is_some()
            && let Some(i) = entries
                .iter()
                .position(|e| matches!(e.what, What::Error(_)))
        {
            used[i] = true;
            step.known = Some(self.baseline.at(entries[i]));
        }
        let error_known = step.error.is_none() || step.known.is_some();
        if failing && step.failures().next().is_none() && error_known {
            step.status = StepStatus::Known;
        }
        step.fixed = entries
            .iter()
            .zip(&used)
            .filter(|(_, used)| !**used)
            .map(|(e, _)| format!("{} ({})", e.describe(), self.baseline.at(e)))
            .collect();
        if self.strict && !step.fixed.is_empty() {
            step.status = StepStatus::Failed;
            step.known = None;
            step.error
                .get_or_insert_with(|| format!("{STRICT_FIXED}: {}", step.fixed.join("; ")));
        }
    }
}

/// Writes the failures, warnings and errors of `run` to `path` as a baseline to review: a
/// header saying what it is, when and against what it was written, then one entry per
/// failure with what was expected and got as a comment. An entry that `previous` lists too
/// keeps its reason. Returns the number of entries.
pub fn write(
    run: &RunResult,
    path: &Path,
    previous: Option<&Baseline>,
    norm: &Normalizer,
) -> std::io::Result<usize> {
    let mut out = String::new();
    let _ = write!(
        out,
        "# sip2check baseline: the failures known and accepted for this server.\n\
         # Written {started} by sip2check {version} (run --write-baseline)\n\
         # against {endpoint}, profile {profile}.\n\
         # `sip2check run --baseline` with this file reports the failures listed here as known\n\
         # and does not fail on them; a failure not listed still fails the run, and an entry\n\
         # whose step no longer fails that way is reported as fixed (remove it then;\n\
         # --strict-baseline fails the run until you do).\n\
         # Review every entry before you commit this file: each one is a deviation you accept.\n\
         # An entry is a scenario, a step id and one of: target (message, leader, closed, a\n\
         # fixed-field key, a field ID, `capture NAME`, `snapshot PART`) with got (the value as\n\
         # reports show it, volatile values normalised; leave got out to accept any value),\n\
         # rule (a lint rule), or error (any error of the step). Add reason: to say why.\n\
         version: {VERSION}\n",
        started = run.started,
        version = env!("CARGO_PKG_VERSION"),
        endpoint = one_line(&run.endpoint),
        profile = one_line(&run.profile),
    );
    let mut entries = Vec::new();
    for s in &run.scenarios {
        for st in &s.steps {
            entries.extend(entries_of(s, st, norm));
        }
    }
    if entries.is_empty() {
        out.push_str("known: []\n");
    } else {
        out.push_str("known:\n");
    }
    for (comment, e) in &entries {
        let reason = e.reason.clone().or_else(|| {
            previous
                .and_then(|p| p.entries.iter().find(|p| p.same(e)))
                .and_then(|p| p.reason.clone())
        });
        let _ = writeln!(out, "  # {}", one_line(comment));
        let _ = writeln!(out, "  - scenario: {}", quoted(&e.scenario));
        let _ = writeln!(out, "    step: {}", quoted(&e.step));
        match &e.what {
            What::Check { target, got } => {
                let _ = writeln!(out, "    target: {}", quoted(target));
                if let Some(g) = got {
                    let _ = writeln!(out, "    got: {}", quoted(g));
                }
            }
            What::Rule(r) => {
                let _ = writeln!(out, "    rule: {}", quoted(r.code()));
            }
            What::Error(text) => {
                let _ = writeln!(out, "    error: {}", quoted(text));
            }
        }
        if let Some(reason) = reason {
            let _ = writeln!(out, "    reason: {}", quoted(&reason));
        }
    }
    std::fs::write(path, out)?;
    Ok(entries.len())
}

/// The entries for one step, each with its comment line.
fn entries_of(s: &ScenarioResult, st: &StepResult, norm: &Normalizer) -> Vec<(String, Entry)> {
    let entry = |what: What| Entry {
        scenario: s.id.clone(),
        step: st.id.clone(),
        what,
        reason: None,
        line: 0,
    };
    let mut out = Vec::new();
    for c in &st.checks {
        let kind = match c.verdict() {
            Verdict::Failed => "failure",
            Verdict::Warned => "warning",
            Verdict::Known => "known",
            Verdict::Passed => continue,
        };
        let secret = matches!(c.target, Target::Field(id) if Redaction::Secrets.masks(id))
            || c.actual.contains(MASK);
        let (expected, actual) = if secret {
            ("***", "***")
        } else {
            (c.expected.as_str(), c.actual.as_str())
        };
        let comment = format!(
            "{kind} ({}): {} expected {expected} got {actual}",
            c.basis(),
            c.target
        );
        let what = match &c.target {
            Target::Lint(rule) => What::Rule(*rule),
            t => What::Check {
                target: t.to_string(),
                got: (!secret).then(|| norm.check_value(t, &c.actual)),
            },
        };
        out.push((comment, entry(what)));
    }
    let errored =
        matches!(st.status, StepStatus::Failed | StepStatus::Errored) || st.known.is_some();
    // The error --strict-baseline gives a step is about the baseline, not the server.
    let error = st.error.as_ref().filter(|e| !e.starts_with(STRICT_FIXED));
    if let (true, Some(error)) = (errored, error) {
        out.push((format!("error: {error}"), entry(What::Error(error.clone()))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample::scenario;

    fn parse(text: &str) -> Result<Baseline, LoadError> {
        Baseline::parse(text, Path::new("known.yaml"))
    }

    #[test]
    fn entries_name_a_target_a_rule_or_an_error() {
        let b = parse(
            "version: 1\nknown:\n  - scenario: s::a\n    step: one\n    target: AJ\n    got: '\"x\"'\n    reason: titles differ\n  - scenario: s::a\n    step: two\n    rule: lf-after-cr\n  - scenario: s::a\n    step: three\n    error: lost\n  - scenario: s::a\n    step: four\n    target: snapshot AF#2\n",
        )
        .unwrap();
        assert_eq!(b.entries.len(), 4);
        assert_eq!(
            b.entries[0].what,
            What::Check {
                target: "AJ".into(),
                got: Some("\"x\"".into())
            }
        );
        assert_eq!(b.entries[1].what, What::Rule(Rule::LfAfterCr));
        assert_eq!(b.entries[1].line, 8);
        assert_eq!(b.at(&b.entries[0]), "known.yaml:3: titles differ");
        assert!(parse("# nothing yet\n").unwrap().entries.is_empty());
    }

    #[test]
    fn mistakes_are_errors_at_their_line() {
        let cases = [
            (
                "known:\n  - scenario: a\n    step: b\n    targt: AJ\n",
                4,
                "unknown field `targt`",
            ),
            (
                "known:\n  - scenario: a\n    step: b\n    target: AJ\n  - scenario: a\n    step: b\n    target: transaction_dat\n",
                5,
                "did you mean \"transaction_date\"",
            ),
            // serde_yaml places errors inside an entry at the entry.
            (
                "known:\n  - scenario: a\n    step: b\n    rule: checksm\n",
                2,
                "did you mean \"checksum\"",
            ),
            (
                "known:\n  - scenario: a\n    step: b\n",
                2,
                "names a target",
            ),
            (
                "known:\n  - scenario: a\n    step: b\n    target: AJ\n    rule: checksum\n",
                2,
                "one of target",
            ),
            (
                "known:\n  - scenario: a\n    step: b\n    target: lint checksum\n",
                2,
                "rule: checksum",
            ),
            ("version: 2\nknown: []\n", 1, "version 2"),
            (
                "known:\n  - scenario: a\n    step: b\n    rule: checksum\n  - scenario: a\n    step: b\n    rule: checksum\n",
                5,
                "repeats the one at line 2",
            ),
        ];
        for (text, line, want) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.message.contains(want), "{text}: {e}");
            assert!(e.to_string().starts_with("known.yaml:"), "{e}");
        }
    }

    fn step(id: &str, status: StepStatus, checks: Vec<CheckResult>) -> StepResult {
        StepResult {
            checks,
            ..StepResult::new(1, id, id, "x.yaml:1".into(), status)
        }
    }

    fn failed(target: Target, actual: &str) -> CheckResult {
        CheckResult::new(target, false, "\"1\"".into(), actual.into())
    }

    #[test]
    fn listed_failures_are_known_new_ones_fail_and_unmatched_entries_are_fixed() {
        let b = parse(
            "known:\n  - scenario: s::a\n    step: one\n    target: AH\n    got: <volatile>\n  - scenario: s::a\n    step: two\n    target: ok\n  - scenario: s::a\n    step: three\n    error: lost\n",
        )
        .unwrap();
        let review = b.clone().review(Normalizer::default(), false);
        let mut r = scenario(vec![
            step(
                "one",
                StepStatus::Failed,
                vec![failed(Target::Field(FieldId::AH), "\"20261216    235900\"")],
            ),
            step("two", StepStatus::Passed, vec![]),
            StepResult {
                error: Some("the connection was lost".into()),
                ..step("three", StepStatus::Errored, vec![])
            },
        ]);
        assert!(matches!(r.outcome, Outcome::Errored(_)));
        review.review(&mut r);
        assert_eq!(r.outcome, Outcome::Passed, "{r:?}");
        assert_eq!(r.steps[0].status, StepStatus::Known);
        assert_eq!(r.steps[0].checks[0].verdict(), Verdict::Known);
        assert_eq!(r.steps[0].checks[0].known.as_deref(), Some("known.yaml:2"));
        assert_eq!(r.steps[1].fixed, ["ok failing (known.yaml:6)"]);
        assert_eq!(r.steps[2].status, StepStatus::Known);
        assert_eq!(r.steps[2].known.as_deref(), Some("known.yaml:9"));
        let mut new = scenario(vec![step(
            "one",
            StepStatus::Failed,
            vec![
                failed(Target::Field(FieldId::AH), "\"20261216    235900\""),
                failed(Target::Fixed("ok"), "\"0\""),
            ],
        )]);
        review.review(&mut new);
        assert_eq!(new.outcome, Outcome::Failed, "a new failure still fails");
        assert_eq!(new.steps[0].failures().count(), 1);
        let strict = b.review(Normalizer::default(), true);
        let mut r = scenario(vec![step("two", StepStatus::Passed, vec![])]);
        strict.review(&mut r);
        assert_eq!(r.outcome, Outcome::Failed);
        assert!(
            r.steps[0]
                .error
                .as_deref()
                .unwrap()
                .contains("--strict-baseline"),
            "{r:?}"
        );
    }

    #[test]
    fn warnings_can_be_known_and_a_written_baseline_reads_back() {
        let warned = failed(Target::Fixed("magnetic_media"), "\"U\"")
            .with_ground(crate::scenario::Ground::Common);
        let run = RunResult {
            endpoint: "built-in emulator (127.0.0.1:1)".into(),
            profile: "p.yaml".into(),
            started: "2026-12-02T10:00:00+00:00".into(),
            scenarios: vec![scenario(vec![
                step("one", StepStatus::Passed, vec![warned.clone()]),
                step(
                    "two",
                    StepStatus::Failed,
                    vec![
                        failed(Target::Leader, "\"120NUN20261202    101500\""),
                        failed(Target::Lint(Rule::Checksum), "bad"),
                        failed(Target::Field(FieldId::CO), "\"secret\""),
                    ],
                ),
                StepResult {
                    error: Some("no answer within 10 s".into()),
                    ..step("three", StepStatus::Errored, vec![])
                },
            ])],
            ..RunResult::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("known.yaml");
        assert_eq!(write(&run, &path, None, &Normalizer::default()).unwrap(), 5);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("# Written 2026-12-02T10:00:00+00:00"),
            "{text}"
        );
        assert!(
            text.contains("  # warning (common practice): magnetic_media expected \"1\" got \"U\""),
            "{text}"
        );
        assert!(text.contains("    got: '\"120NUN<date>\"'"), "{text}");
        assert!(!text.contains("secret"), "passwords stay out: {text}");
        let back = Baseline::parse(&text, &path).unwrap();
        assert_eq!(back.entries.len(), 5);
        let mut r = run.scenarios[0].clone();
        back.review(Normalizer::default(), true).review(&mut r);
        assert_eq!(r.outcome, Outcome::Passed, "{r:#?}");
        assert!(r.steps.iter().all(|s| s.fixed.is_empty()));
        assert_eq!(r.steps[0].checks[0].verdict(), Verdict::Known);
    }

    #[test]
    fn entries_must_name_steps_of_the_selected_scenarios() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s/a.yaml");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "steps:\n  - name: first one\n    send: \"99\"\n").unwrap();
        let s = crate::scenario::load_file(&p, &Default::default()).unwrap();
        let b = parse("known:\n  - scenario: s::a\n    step: frist-one\n    target: ok\n  - scenario: other::b\n    step: x\n    target: ok\n").unwrap();
        let e = b.check(std::slice::from_ref(&s)).unwrap_err();
        assert_eq!(e.0.len(), 1, "{e}");
        assert_eq!(e.0[0].line, 2);
        assert!(e.0[0].message.contains("did you mean \"first-one\""), "{e}");
    }
}
