//! The field-by-field comparison: one [`CheckResult`] for every expectation of a step, pass or
//! fail (it never stops at the first failure), then captures, each one a result too. Each
//! result carries its ground; checks grounded in a system the profile's dialect does not name
//! are not evaluated at all (see [`not_applied`]).

use std::fmt;

use regex::Regex;

use super::matcher::{Judgement, Raw, show};
use crate::scenario::template::{Mode, Scope};
use crate::scenario::{Capture, CaptureSource, Expect, Ground};
use crate::sip2::{Analysis, FieldId, Rule, Severity, System};

/// What an expectation is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The response's message code.
    Message,
    /// The leader regex on the start of the response.
    Leader,
    /// A fixed field by key.
    Fixed(&'static str),
    /// A tagged field.
    Field(FieldId),
    /// A lint rule (a required violation, or an error-severity one under `--strict`).
    Lint(Rule),
    /// A value to capture.
    Capture(String),
    /// The connection must close.
    Closed,
    /// A part of the response (`message`, a fixed key, a field ID) against its snapshot
    /// (`run --snapshots`).
    Snapshot(String),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Message => f.write_str("message"),
            Target::Leader => f.write_str("leader"),
            Target::Fixed(key) => f.write_str(key),
            Target::Field(id) => write!(f, "{id}"),
            Target::Lint(rule) => write!(f, "lint {rule}"),
            Target::Capture(name) => write!(f, "capture {name}"),
            Target::Closed => f.write_str("closed"),
            Target::Snapshot(part) => write!(f, "snapshot {part}"),
        }
    }
}

/// What a check's result means for its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It held.
    Passed,
    /// A spec check that did not hold: the step fails.
    Failed,
    /// A common or dialect check that did not hold: reported, the step still passes.
    Warned,
    /// A failure or warning the baseline lists (`run --baseline`): reported as known, it fails
    /// nothing.
    Known,
}

impl Verdict {
    /// "passed", "failed" or "warned".
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Passed => "passed",
            Verdict::Failed => "failed",
            Verdict::Warned => "warned",
            Verdict::Known => "known",
        }
    }
}

/// The judgement of one expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// What it is about.
    pub target: Target,
    /// Whether it held.
    pub passed: bool,
    /// What it rests on.
    pub ground: Ground,
    /// What was expected, for people.
    pub expected: String,
    /// What was there, for people.
    pub actual: String,
    /// For equality: expected and actual text, to highlight the differing characters.
    pub diff: Option<(String, String)>,
    /// Where the baseline lists this failure or warning (`known.yaml:12`, and the entry's
    /// reason): the check is then [`Verdict::Known`].
    pub known: Option<String>,
    /// How it was judged: a matcher's name (`equals`, `matches`, `one_of`, ...), or for checks
    /// that are not matchers `reported`, `not_reported` (lint rules), `strict`, `captured`,
    /// `closed`.
    pub matcher: &'static str,
    /// What was expected, as data.
    pub expected_value: Raw,
    /// What was there, as data.
    pub actual_value: Raw,
}

impl CheckResult {
    fn from_judgement(target: Target, ground: Ground, kind: &'static str, j: Judgement) -> Self {
        CheckResult {
            target,
            passed: j.passed,
            ground,
            expected: j.expected,
            actual: j.actual,
            diff: j.diff,
            known: None,
            matcher: kind,
            expected_value: j.expected_value,
            actual_value: j.actual_value,
        }
    }

    /// A spec-grounded result without a diff, judged as its target usually is (the message
    /// and fields `equals`, the leader `matches`, a lint rule `reported`, a capture
    /// `captured`, the connection `closed`, a snapshot part `snapshot`), with no values as data (see [`Self::with_values`]).
    pub fn new(target: Target, passed: bool, expected: String, actual: String) -> Self {
        let matcher = match target {
            Target::Message | Target::Fixed(_) | Target::Field(_) => "equals",
            Target::Leader => "matches",
            Target::Lint(_) => "reported",
            Target::Capture(_) => "captured",
            Target::Closed => "closed",
            Target::Snapshot(_) => "snapshot",
        };
        CheckResult {
            target,
            passed,
            ground: Ground::Spec,
            expected,
            actual,
            diff: None,
            known: None,
            matcher,
            expected_value: Raw::None,
            actual_value: Raw::None,
        }
    }

    /// The same result resting on `ground`.
    pub fn with_ground(self, ground: Ground) -> Self {
        CheckResult { ground, ..self }
    }

    /// The same result judged by `matcher`, with its expected and actual values as data.
    pub fn with_values(self, matcher: &'static str, expected: Raw, actual: Raw) -> Self {
        CheckResult {
            matcher,
            expected_value: expected,
            actual_value: actual,
            ..self
        }
    }

    /// Passed when it held; known when the baseline lists it; otherwise failed for a spec
    /// check, warned for the others.
    pub fn verdict(&self) -> Verdict {
        match (self.passed, self.ground) {
            (true, _) => Verdict::Passed,
            (false, _) if self.known.is_some() => Verdict::Known,
            (false, Ground::Spec) => Verdict::Failed,
            (false, Ground::Common | Ground::System(_)) => Verdict::Warned,
        }
    }

    /// What the check rests on, as reports say it: the ground's phrase ("spec requires",
    /// "Evergreen does"), or "the snapshot" for a snapshot comparison.
    pub fn basis(&self) -> String {
        match self.target {
            Target::Snapshot(_) => "the snapshot".into(),
            _ => self.ground.phrase(),
        }
    }
}

/// How a response is judged: the profile's dialect and `--strict`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Judge<'a> {
    /// The systems the server behaves like (the profile's `dialect:`): which dialect checks apply.
    pub dialect: &'a [System],
    /// Every error-severity violation the step does not accept is a failed spec check.
    pub strict: bool,
}

/// Compares a response with a step's expectations, skipping the checks whose ground does not
/// apply to `judge.dialect`. With `judge.strict`, every error-severity violation the step does
/// not accept (`lint:`/`violations:`) is a failed spec check too.
pub fn compare(
    expect: &Expect,
    response: &Analysis,
    scope: &Scope,
    judge: &Judge,
) -> Vec<CheckResult> {
    let msg = &response.msg;
    let mut out = Vec::new();
    let applies = |own: Option<Ground>| expect.ground_of(own).applies(judge.dialect);
    if let Some(spec) = expect.message.filter(|_| applies(None)) {
        let actual = match msg.spec() {
            Some(s) => format!("{} {}", s.code, s.key),
            None => format!("{} (unknown message)", msg.code),
        };
        out.push(
            CheckResult::new(
                Target::Message,
                msg.code == spec.code,
                format!("{} {}", spec.code, spec.key),
                actual,
            )
            .with_ground(expect.ground)
            .with_values(
                "equals",
                Raw::Text(spec.code.to_string()),
                Raw::Text(msg.code.to_string()),
            ),
        );
    }
    if let Some(leader) = expect.leader.as_ref().filter(|l| applies(l.ground)) {
        // Leaders cover the code and fixed part (as in SIPtest.pm); showing only that part
        // keeps tagged values, which may be personal data, out of the result.
        let start_text = format!("{}{}", msg.code, msg.fixed);
        let start = format!("{start_text:?}");
        let regex = leader.regex.expand(scope, Mode::Regex);
        let values = (
            regex.as_ref().map_or(Raw::None, |r| Raw::Text(r.clone())),
            Raw::Text(start_text),
        );
        let result = match regex {
            Ok(re) => match Regex::new(&format!("^(?:{re})")) {
                Ok(compiled) => CheckResult::new(
                    Target::Leader,
                    compiled.is_match(&response.text),
                    format!("/{re}/"),
                    start,
                ),
                Err(e) => CheckResult::new(
                    Target::Leader,
                    false,
                    format!("(bad regex /{re}/: {e})"),
                    start,
                ),
            },
            Err(e) => CheckResult::new(
                Target::Leader,
                false,
                format!("(cannot expand: {e})"),
                start,
            ),
        };
        out.push(
            result
                .with_ground(expect.ground_of(leader.ground))
                .with_values("matches", values.0, values.1),
        );
    }
    for (key, m) in expect.fixed.iter().filter(|(_, m)| applies(m.ground)) {
        let values: Vec<&str> = msg.fixed_field(key).into_iter().collect();
        out.push(CheckResult::from_judgement(
            Target::Fixed(key),
            expect.ground_of(m.ground),
            m.matcher.kind(),
            m.matcher.judge(&values, m.optional, scope),
        ));
    }
    for (id, m) in expect.fields.iter().filter(|(_, m)| applies(m.ground)) {
        let values: Vec<&str> = msg.field_all(*id).collect();
        out.push(CheckResult::from_judgement(
            Target::Field(*id),
            expect.ground_of(m.ground),
            m.matcher.kind(),
            m.matcher.judge(&values, m.optional, scope),
        ));
    }
    // As data: the rule asked about, and the rule found (None when it was not reported).
    let rule_values = |check: &crate::scenario::RuleCheck,
                       found: Option<&crate::sip2::Violation>| {
        (
            Raw::Text(check.rule.code().to_string()),
            found.map_or(Raw::None, |v| Raw::Text(v.rule.code().to_string())),
        )
    };
    for check in expect.violations.iter().filter(|c| applies(c.ground)) {
        let found = response.violations.iter().find(|v| v.rule == check.rule);
        let (want, got) = rule_values(check, found);
        out.push(
            CheckResult::new(
                Target::Lint(check.rule),
                found.is_some(),
                "reported".into(),
                found.map_or_else(|| "not reported".to_string(), |v| v.message()),
            )
            .with_ground(expect.ground_of(check.ground))
            .with_values("reported", want, got),
        );
    }
    for check in expect.forbid.iter().filter(|c| applies(c.ground)) {
        let found = response.violations.iter().find(|v| v.rule == check.rule);
        let (want, got) = rule_values(check, found);
        out.push(
            CheckResult::new(
                Target::Lint(check.rule),
                found.is_none(),
                "not reported".into(),
                found.map_or_else(|| "not reported".to_string(), |v| v.message()),
            )
            .with_ground(expect.ground_of(check.ground))
            .with_values("not_reported", want, got),
        );
    }
    if judge.strict {
        // Always spec: an error-severity finding is a break of the protocol itself.
        for v in &response.violations {
            if v.severity == Severity::Error
                && !expect.lint.contains(&v.rule)
                && !expect.violations.iter().any(|c| c.rule == v.rule)
            {
                out.push(
                    CheckResult::new(
                        Target::Lint(v.rule),
                        false,
                        "no error-severity violation (--strict)".into(),
                        v.message(),
                    )
                    .with_values(
                        "strict",
                        Raw::None,
                        Raw::Text(v.rule.code().to_string()),
                    ),
                );
            }
        }
    }
    out
}

/// How many of the step's checks `compare` leaves out because their ground names a system
/// that `dialect` does not (they are not evaluated, so they neither pass nor fail).
pub fn not_applied(expect: &Expect, dialect: &[System]) -> usize {
    let skipped = |own: Option<Ground>| !expect.ground_of(own).applies(dialect);
    let response_checks = usize::from(expect.message.is_some() && skipped(None))
        + usize::from(expect.leader.as_ref().is_some_and(|l| skipped(l.ground)));
    response_checks
        + expect
            .fixed
            .iter()
            .filter(|(_, m)| skipped(m.ground))
            .count()
        + expect
            .fields
            .iter()
            .filter(|(_, m)| skipped(m.ground))
            .count()
        + expect
            .violations
            .iter()
            .chain(&expect.forbid)
            .filter(|c| skipped(c.ground))
            .count()
        + usize::from(expect.closed && skipped(None))
}

/// A value taken from a response for later steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// The variable name.
    pub name: String,
    /// Where it came from (reports mask values of masked fields).
    pub source: CaptureSource,
    /// The value.
    pub value: String,
}

/// Reads the captures from a response: the values found, and a result for each capture
/// (a missing field is a failed result; later steps that use it then fail to expand).
pub fn capture(captures: &[Capture], response: &Analysis) -> (Vec<Captured>, Vec<CheckResult>) {
    let mut values = Vec::new();
    let mut results = Vec::new();
    for c in captures {
        let value = match c.source {
            CaptureSource::Field(id) => response.msg.field(id),
            CaptureSource::Fixed(key) => response.msg.fixed_field(key),
        };
        let found: Vec<&str> = value.into_iter().collect();
        results.push(
            CheckResult::new(
                Target::Capture(c.name.clone()),
                value.is_some(),
                format!("{} present", c.source),
                show(&found),
            )
            .with_values(
                "captured",
                Raw::Text(c.source.to_string()),
                Raw::of_values(&found),
            ),
        );
        if let Some(v) = value {
            values.push(Captured {
                name: c.name.clone(),
                source: c.source,
                value: v.to_string(),
            });
        }
    }
    (values, results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::matcher::{FieldMatcher, Matcher};
    use crate::scenario::Template;
    use crate::sip2::{Context, analyze, spec};

    fn response(text: &str) -> Analysis {
        analyze(text.as_bytes(), &Context::default()).unwrap()
    }

    fn fm(m: Matcher) -> FieldMatcher {
        FieldMatcher {
            matcher: m,
            optional: false,
            ground: None,
        }
    }

    fn equals(s: &str) -> Matcher {
        Matcher::Equals(Template::parse(s).unwrap())
    }

    const LAX: Judge = Judge {
        dialect: &[],
        strict: false,
    };

    const STRICT: Judge = Judge {
        dialect: &[],
        strict: true,
    };

    fn rules(rules: &[Rule]) -> Vec<crate::scenario::RuleCheck> {
        rules
            .iter()
            .map(|r| crate::scenario::RuleCheck {
                rule: *r,
                ground: None,
            })
            .collect()
    }

    const CHECKOUT: &str =
        "120NUN20260329    203000AOBR1|AA999999|AB1565921879|AJ|AH|AFItem not found|";

    #[test]
    fn one_result_per_expectation_pass_or_fail() {
        let expect = Expect {
            message: spec::message_by_name("checkout_response"),
            leader: Some(crate::scenario::Leader {
                regex: Template::parse("^121NNY{{ datepat }}").unwrap(),
                ground: None,
            }),
            fixed: vec![("ok", fm(Matcher::Equals(Template::parse("1").unwrap())))],
            fields: vec![
                (
                    FieldId::AA,
                    fm(Matcher::Equals(Template::parse("999999").unwrap())),
                ),
                (
                    FieldId::AJ,
                    fm(Matcher::Matches(Template::parse("^Perl").unwrap())),
                ),
            ],
            ..Expect::default()
        };
        let results = compare(&expect, &response(CHECKOUT), &Scope::default(), &LAX);
        let verdicts: Vec<(String, bool)> = results
            .iter()
            .map(|r| (r.target.to_string(), r.passed))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("message".to_string(), true),
                ("leader".to_string(), false),
                ("ok".to_string(), false),
                ("AA".to_string(), true),
                ("AJ".to_string(), false),
            ]
        );
        assert_eq!(results[2].diff, Some(("1".into(), "0".into())));
        assert_eq!(results[1].actual, "\"120NUN20260329    203000\"");
    }

    #[test]
    fn required_violations_and_strict_mode() {
        let bad = response("941AY1AZ0000");
        let expect = Expect {
            violations: rules(&[Rule::Checksum]),
            ..Expect::default()
        };
        let r = compare(&expect, &bad, &Scope::default(), &STRICT);
        assert!(r.iter().all(|c| c.passed), "{r:?}");
        let missing = compare(&expect, &response("941"), &Scope::default(), &LAX);
        assert!(!missing[0].passed);
        let strict = compare(&Expect::default(), &bad, &Scope::default(), &STRICT);
        assert!(
            strict
                .iter()
                .any(|c| c.target == Target::Lint(Rule::Checksum) && !c.passed)
        );
        let accepted = Expect {
            lint: vec![Rule::Checksum],
            ..Expect::default()
        };
        assert!(compare(&accepted, &bad, &Scope::default(), &STRICT).is_empty());
        assert!(compare(&Expect::default(), &bad, &Scope::default(), &LAX).is_empty());
    }

    #[test]
    fn forbidden_rules_fail_when_reported_whatever_their_severity() {
        let expect = Expect {
            forbid: rules(&[Rule::ChecksumCase]),
            ..Expect::default()
        };
        let lower = compare(&expect, &response("941AY0AZfdfd"), &Scope::default(), &LAX);
        assert_eq!(lower.len(), 1);
        assert!(
            !lower[0].passed && lower[0].actual.contains("fdfd"),
            "{lower:?}"
        );
        let upper = compare(&expect, &response("941AY0AZFDFD"), &Scope::default(), &LAX);
        assert!(upper.iter().all(|c| c.passed), "{upper:?}");
    }

    #[test]
    fn grounds_decide_verdicts_and_dialect_checks_apply_only_to_their_dialect() {
        use crate::scenario::Ground;
        let with = |ground: Option<Ground>| FieldMatcher {
            ground,
            ..fm(equals("nope"))
        };
        let expect = Expect {
            ground: Ground::Common,
            message: spec::message_by_name("checkout_response"),
            fixed: vec![("ok", fm(equals("0")))],
            fields: vec![
                (FieldId::AA, with(None)),
                (FieldId::AB, with(Some(Ground::Spec))),
                (FieldId::AJ, with(Some(Ground::System(System::Koha)))),
                (FieldId::AF, with(Some(Ground::System(System::Evergreen)))),
            ],
            ..Expect::default()
        };
        let judge = Judge {
            dialect: &[System::Evergreen],
            strict: false,
        };
        let results = compare(&expect, &response(CHECKOUT), &Scope::default(), &judge);
        let got: Vec<(String, Ground, Verdict)> = results
            .iter()
            .map(|r| (r.target.to_string(), r.ground, r.verdict()))
            .collect();
        let evergreen = Ground::System(System::Evergreen);
        assert_eq!(
            got,
            [
                ("message".to_string(), Ground::Common, Verdict::Passed),
                ("ok".to_string(), Ground::Common, Verdict::Passed),
                ("AA".to_string(), Ground::Common, Verdict::Warned),
                ("AB".to_string(), Ground::Spec, Verdict::Failed),
                ("AF".to_string(), evergreen, Verdict::Warned),
            ],
            "the koha check is not evaluated"
        );
        assert_eq!(not_applied(&expect, judge.dialect), 1);
        let koha = Judge {
            dialect: &[System::Koha],
            strict: false,
        };
        let results = compare(&expect, &response(CHECKOUT), &Scope::default(), &koha);
        assert!(
            results
                .iter()
                .any(|r| r.target == Target::Field(FieldId::AJ))
        );
        assert!(
            !results
                .iter()
                .any(|r| r.target == Target::Field(FieldId::AF))
        );
        assert_eq!(not_applied(&expect, &[]), 2);
    }

    #[test]
    fn strict_lint_failures_are_spec_whatever_the_block_says() {
        let expect = Expect {
            ground: crate::scenario::Ground::Common,
            ..Expect::default()
        };
        let r = compare(
            &expect,
            &response("941AY1AZ0000"),
            &Scope::default(),
            &STRICT,
        );
        assert!(!r.is_empty());
        assert!(r.iter().all(|c| c.verdict() == Verdict::Failed), "{r:?}");
    }

    #[test]
    fn captures_read_fields_and_fixed_fields() {
        let caps = [
            Capture {
                name: "patron".into(),
                source: CaptureSource::Field(FieldId::AA),
            },
            Capture {
                name: "ok".into(),
                source: CaptureSource::Fixed("ok"),
            },
            Capture {
                name: "due".into(),
                source: CaptureSource::Field(FieldId::BT),
            },
        ];
        let (values, results) = capture(&caps, &response(CHECKOUT));
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .map(|c| (c.name.as_str(), c.value.as_str()))
            .collect();
        assert_eq!(pairs, [("patron", "999999"), ("ok", "0")]);
        assert_eq!(results.iter().filter(|r| !r.passed).count(), 1);
    }
}
