//! The field-by-field comparison: one [`CheckResult`] for every expectation of a step, pass or
//! fail (it never stops at the first failure), then captures, each one a result too.

use std::fmt;

use regex::Regex;

use super::matcher::{Verdict, show};
use crate::scenario::template::{Mode, Scope};
use crate::scenario::{Capture, CaptureSource, Expect};
use crate::sip2::{Analysis, FieldId, Rule, Severity};

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
    /// What was expected, for people.
    pub expected: String,
    /// What was there, for people.
    pub actual: String,
    /// For equality: expected and actual text, to highlight the differing characters.
    pub diff: Option<(String, String)>,
}

impl CheckResult {
    fn from_verdict(target: Target, v: Verdict) -> Self {
        CheckResult {
            target,
            passed: v.passed,
            expected: v.expected,
            actual: v.actual,
            diff: v.diff,
        }
    }

    /// A result without a diff.
    pub fn new(target: Target, passed: bool, expected: String, actual: String) -> Self {
        CheckResult {
            target,
            passed,
            expected,
            actual,
            diff: None,
        }
    }
}

/// Compares a response with a step's expectations. With `strict`, every error-severity
/// violation the step does not accept (`lint:`/`violations:`) is a failed result too.
pub fn compare(
    expect: &Expect,
    response: &Analysis,
    scope: &Scope,
    strict: bool,
) -> Vec<CheckResult> {
    let msg = &response.msg;
    let mut out = Vec::new();
    if let Some(spec) = expect.message {
        let actual = match msg.spec() {
            Some(s) => format!("{} {}", s.code, s.key),
            None => format!("{} (unknown message)", msg.code),
        };
        out.push(CheckResult::new(
            Target::Message,
            msg.code == spec.code,
            format!("{} {}", spec.code, spec.key),
            actual,
        ));
    }
    if let Some(leader) = &expect.leader {
        // Leaders cover the code and fixed part (as in SIPtest.pm); showing only that part
        // keeps tagged values, which may be personal data, out of the result.
        let start = format!("{:?}", format!("{}{}", msg.code, msg.fixed));
        let result = match leader.expand(scope, Mode::Regex) {
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
        out.push(result);
    }
    for (key, m) in &expect.fixed {
        let values: Vec<&str> = msg.fixed_field(key).into_iter().collect();
        out.push(CheckResult::from_verdict(
            Target::Fixed(key),
            m.matcher.judge(&values, m.optional, scope),
        ));
    }
    for (id, m) in &expect.fields {
        let values: Vec<&str> = msg.field_all(*id).collect();
        out.push(CheckResult::from_verdict(
            Target::Field(*id),
            m.matcher.judge(&values, m.optional, scope),
        ));
    }
    for rule in &expect.violations {
        let found = response.violations.iter().find(|v| v.rule == *rule);
        out.push(CheckResult::new(
            Target::Lint(*rule),
            found.is_some(),
            "reported".into(),
            found.map_or_else(|| "not reported".to_string(), |v| v.message()),
        ));
    }
    for rule in &expect.forbid {
        let found = response.violations.iter().find(|v| v.rule == *rule);
        out.push(CheckResult::new(
            Target::Lint(*rule),
            found.is_none(),
            "not reported".into(),
            found.map_or_else(|| "not reported".to_string(), |v| v.message()),
        ));
    }
    if strict {
        for v in &response.violations {
            if v.severity == Severity::Error
                && !expect.lint.contains(&v.rule)
                && !expect.violations.contains(&v.rule)
            {
                out.push(CheckResult::new(
                    Target::Lint(v.rule),
                    false,
                    "no error-severity violation (--strict)".into(),
                    v.message(),
                ));
            }
        }
    }
    out
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
        results.push(CheckResult::new(
            Target::Capture(c.name.clone()),
            value.is_some(),
            format!("{} present", c.source),
            show(&value.into_iter().collect::<Vec<_>>()),
        ));
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
        }
    }

    const CHECKOUT: &str =
        "120NUN20260329    203000AOBR1|AA999999|AB1565921879|AJ|AH|AFItem not found|";

    #[test]
    fn one_result_per_expectation_pass_or_fail() {
        let expect = Expect {
            message: spec::message_by_name("checkout_response"),
            leader: Some(Template::parse("^121NNY{{ datepat }}").unwrap()),
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
        let results = compare(&expect, &response(CHECKOUT), &Scope::default(), false);
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
            violations: vec![Rule::Checksum],
            ..Expect::default()
        };
        let r = compare(&expect, &bad, &Scope::default(), true);
        assert!(r.iter().all(|c| c.passed), "{r:?}");
        let missing = compare(&expect, &response("941"), &Scope::default(), false);
        assert!(!missing[0].passed);
        let strict = compare(&Expect::default(), &bad, &Scope::default(), true);
        assert!(
            strict
                .iter()
                .any(|c| c.target == Target::Lint(Rule::Checksum) && !c.passed)
        );
        let accepted = Expect {
            lint: vec![Rule::Checksum],
            ..Expect::default()
        };
        assert!(compare(&accepted, &bad, &Scope::default(), true).is_empty());
        assert!(compare(&Expect::default(), &bad, &Scope::default(), false).is_empty());
    }

    #[test]
    fn forbidden_rules_fail_when_reported_whatever_their_severity() {
        let expect = Expect {
            forbid: vec![Rule::ChecksumCase],
            ..Expect::default()
        };
        let lower = compare(&expect, &response("941AY0AZfdfd"), &Scope::default(), false);
        assert_eq!(lower.len(), 1);
        assert!(
            !lower[0].passed && lower[0].actual.contains("fdfd"),
            "{lower:?}"
        );
        let upper = compare(&expect, &response("941AY0AZFDFD"), &Scope::default(), false);
        assert!(upper.iter().all(|c| c.passed), "{upper:?}");
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
