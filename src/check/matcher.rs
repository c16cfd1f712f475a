//! Matchers: what a scenario says a field's value must be, and how a value is judged.
//!
//! A field may occur several times; every matcher sees all its values in wire order.
//! Single-value matchers (equals, matches, one_of, length, date, empty) judge the first.

use std::fmt::Write;

use regex::Regex;

use crate::scenario::Ground;
use crate::scenario::template::{Mode, Scope, Template, TemplateError};

/// One matcher, as written in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// The first value equals this text exactly.
    Equals(Template),
    /// The first value matches this regex (unanchored unless it says `^`/`$`).
    Matches(Template),
    /// The first value is one of these.
    OneOf(Vec<Template>),
    /// The field is there (its value may be empty).
    Present,
    /// The field is not there.
    Absent,
    /// The field is there with an empty value.
    Empty,
    /// The first value has exactly this many characters.
    Length(usize),
    /// The first value is a valid 18-character SIP date.
    Date,
    /// Some value contains this text.
    Contains(Template),
    /// Every value satisfies the inner matcher.
    Each(Box<Matcher>),
    /// The values, in order, are exactly these.
    All(Vec<Template>),
}

/// A matcher, whether the field may be missing, and what the check rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMatcher {
    /// What the value must be.
    pub matcher: Matcher,
    /// Only checked when the field is present.
    pub optional: bool,
    /// The check's own ground; None takes the expect block's.
    pub ground: Option<Ground>,
}

/// The judgement of one matcher on one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Did the value satisfy the matcher?
    pub passed: bool,
    /// What was expected, for people (templates expanded).
    pub expected: String,
    /// What was there, for people.
    pub actual: String,
    /// For equality: the expected and actual text, so a report can highlight the difference.
    pub diff: Option<(String, String)>,
    /// What was expected, as data (templates expanded).
    pub expected_value: Raw,
    /// What was there, as data.
    pub actual_value: Raw,
}

/// A check's expected or actual value as data, for machine-readable reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Raw {
    /// Nothing: an absent field, or a matcher that takes no value (`present`, `date`, ...).
    #[default]
    None,
    /// One text: a value, an expected text, a regex.
    Text(String),
    /// Several texts: `one_of`'s choices, `all`'s list, a repeated field's values.
    List(Vec<String>),
    /// A number (`length`).
    Number(u64),
    /// The inner matcher of `each`: its kind and its value.
    Each(&'static str, Box<Raw>),
}

impl Raw {
    /// The values of a field: none, one, or a list when it repeats.
    pub fn of_values(values: &[&str]) -> Raw {
        match values {
            [] => Raw::None,
            [one] => Raw::Text(one.to_string()),
            many => Raw::List(many.iter().map(|v| v.to_string()).collect()),
        }
    }

    /// The same with every text passed through `f` (numbers and kinds stay).
    pub fn map_text(&self, f: &dyn Fn(&str) -> String) -> Raw {
        match self {
            Raw::None => Raw::None,
            Raw::Text(t) => Raw::Text(f(t)),
            Raw::List(ts) => Raw::List(ts.iter().map(|t| f(t)).collect()),
            Raw::Number(n) => Raw::Number(*n),
            Raw::Each(kind, inner) => Raw::Each(kind, Box::new(inner.map_text(f))),
        }
    }
}

impl Matcher {
    /// Every template inside, for load-time checks.
    pub fn templates(&self) -> Vec<&Template> {
        match self {
            Matcher::Equals(t) | Matcher::Matches(t) | Matcher::Contains(t) => vec![t],
            Matcher::OneOf(ts) | Matcher::All(ts) => ts.iter().collect(),
            Matcher::Each(inner) => inner.templates(),
            Matcher::Present
            | Matcher::Absent
            | Matcher::Empty
            | Matcher::Length(_)
            | Matcher::Date => Vec::new(),
        }
    }

    /// The matcher's name as scenarios write it: `equals`, `matches`, `one_of`, `present`,
    /// `absent`, `empty`, `length`, `date`, `contains`, `each`, `all`.
    pub fn kind(&self) -> &'static str {
        match self {
            Matcher::Equals(_) => "equals",
            Matcher::Matches(_) => "matches",
            Matcher::OneOf(_) => "one_of",
            Matcher::Present => "present",
            Matcher::Absent => "absent",
            Matcher::Empty => "empty",
            Matcher::Length(_) => "length",
            Matcher::Date => "date",
            Matcher::Contains(_) => "contains",
            Matcher::Each(_) => "each",
            Matcher::All(_) => "all",
        }
    }

    /// What the matcher expects, as data (None when a template cannot be expanded).
    fn expected_value(&self, scope: &Scope) -> Raw {
        let text = |t: &Template, mode| t.expand(scope, mode).map_or(Raw::None, Raw::Text);
        let list = |ts: &[Template]| {
            ts.iter()
                .map(|t| t.expand(scope, Mode::Text))
                .collect::<Result<Vec<_>, _>>()
                .map_or(Raw::None, Raw::List)
        };
        match self {
            Matcher::Equals(t) | Matcher::Contains(t) => text(t, Mode::Text),
            Matcher::Matches(t) => text(t, Mode::Regex),
            Matcher::OneOf(ts) | Matcher::All(ts) => list(ts),
            Matcher::Length(n) => Raw::Number(*n as u64),
            Matcher::Each(inner) => Raw::Each(inner.kind(), Box::new(inner.expected_value(scope))),
            Matcher::Present | Matcher::Absent | Matcher::Empty | Matcher::Date => Raw::None,
        }
    }

    /// Describes the matcher with its templates expanded.
    fn describe(&self, scope: &Scope) -> Result<String, TemplateError> {
        Ok(match self {
            Matcher::Equals(t) => format!("{:?}", t.expand(scope, Mode::Text)?),
            Matcher::Matches(t) => format!("/{}/", t.expand(scope, Mode::Regex)?),
            Matcher::OneOf(ts) => format!("one of {}", quoted_list(ts, scope)?),
            Matcher::Present => "present".into(),
            Matcher::Absent => "absent".into(),
            Matcher::Empty => "empty".into(),
            Matcher::Length(n) => format!("length {n}"),
            Matcher::Date => "an 18-character SIP date".into(),
            Matcher::Contains(t) => format!("contains {:?}", t.expand(scope, Mode::Text)?),
            Matcher::Each(inner) => format!("each {}", inner.describe(scope)?),
            Matcher::All(ts) => format!("all of [{}] in order", quoted_list(ts, scope)?),
        })
    }

    /// Judges the values of one field (empty when the field is absent).
    pub fn judge(&self, values: &[&str], optional: bool, scope: &Scope) -> Judgement {
        let expected = match self.describe(scope) {
            Ok(e) => e,
            Err(e) => return failed(format!("(cannot expand: {e})"), values),
        };
        let expected_value = self.expected_value(scope);
        if values.is_empty() && optional && *self != Matcher::Absent {
            return Judgement {
                passed: true,
                expected,
                actual: "absent (optional)".into(),
                diff: None,
                expected_value,
                actual_value: Raw::None,
            };
        }
        let first = values.first().copied();
        let mut diff = None;
        let passed = match self {
            Matcher::Equals(t) => match (t.expand(scope, Mode::Text), first) {
                (Ok(want), Some(got)) => {
                    diff = Some((want.clone(), got.to_string()));
                    want == got
                }
                _ => false,
            },
            Matcher::Matches(t) => match (compile(t, scope), first) {
                (Ok(re), Some(got)) => re.is_match(got),
                (Err(e), _) => return failed(e, values),
                (Ok(_), None) => false,
            },
            Matcher::OneOf(ts) => first.is_some_and(|got| {
                ts.iter()
                    .any(|t| t.expand(scope, Mode::Text).is_ok_and(|w| w == got))
            }),
            Matcher::Present => first.is_some(),
            Matcher::Absent => first.is_none(),
            Matcher::Empty => first == Some(""),
            Matcher::Length(n) => first.is_some_and(|got| got.chars().count() == *n),
            Matcher::Date => first.is_some_and(crate::sip2::lint::is_date18),
            Matcher::Contains(t) => t
                .expand(scope, Mode::Text)
                .is_ok_and(|want| values.iter().any(|v| v.contains(&want))),
            Matcher::Each(inner) => {
                !values.is_empty()
                    && values
                        .iter()
                        .all(|v| inner.judge(&[v], false, scope).passed)
            }
            Matcher::All(ts) => {
                ts.len() == values.len()
                    && ts
                        .iter()
                        .zip(values)
                        .all(|(t, v)| t.expand(scope, Mode::Text).is_ok_and(|w| w == *v))
            }
        };
        Judgement {
            passed,
            expected,
            actual: show(values),
            diff: diff.filter(|_| !passed),
            expected_value,
            actual_value: Raw::of_values(values),
        }
    }
}

fn failed(expected: String, values: &[&str]) -> Judgement {
    Judgement {
        passed: false,
        expected,
        actual: show(values),
        diff: None,
        expected_value: Raw::None,
        actual_value: Raw::of_values(values),
    }
}

fn compile(t: &Template, scope: &Scope) -> Result<Regex, String> {
    let text = t
        .expand(scope, Mode::Regex)
        .map_err(|e| format!("(cannot expand: {e})"))?;
    Regex::new(&text).map_err(|e| format!("(bad regex /{text}/: {e})"))
}

fn quoted_list(ts: &[Template], scope: &Scope) -> Result<String, TemplateError> {
    let mut out = String::new();
    for (i, t) in ts.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{:?}", t.expand(scope, Mode::Text)?);
    }
    Ok(out)
}

/// The values for people: `absent`, `"x"`, or `["x", "y"]` when repeated.
pub fn show(values: &[&str]) -> String {
    match values {
        [] => "absent".into(),
        [one] => format!("{one:?}"),
        many => format!("{many:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn t(s: &str) -> Template {
        Template::parse(s).unwrap()
    }

    fn judge(m: &Matcher, values: &[&str]) -> bool {
        let vars: BTreeMap<String, String> = [("title".to_string(), "Perl 5.8".to_string())].into();
        let scope = Scope {
            vars: Some(&vars),
            ..Scope::default()
        };
        m.judge(values, false, &scope).passed
    }

    #[test]
    fn equals() {
        let m = Matcher::Equals(t("{{ title }}"));
        assert!(judge(&m, &["Perl 5.8"]));
        assert!(!judge(&m, &["Perl 5x8"]));
        assert!(!judge(&m, &[]));
        assert!(judge(&m, &["Perl 5.8", "other"]), "the first value counts");
    }

    #[test]
    fn matches_escapes_variables() {
        let m = Matcher::Matches(t(r"^{{ title }}\s*$"));
        assert!(judge(&m, &["Perl 5.8  "]));
        assert!(!judge(&m, &["Perl 5x8"]), "the dot is literal");
        assert!(!judge(&m, &[]));
        let bad = Matcher::Matches(t("("));
        assert!(!judge(&bad, &["("]));
    }

    #[test]
    fn one_of() {
        let m = Matcher::OneOf(vec![t("1"), t("2")]);
        assert!(judge(&m, &["2"]));
        assert!(!judge(&m, &["3"]));
        assert!(!judge(&m, &[]));
    }

    #[test]
    fn present_absent_empty() {
        assert!(judge(&Matcher::Present, &[""]));
        assert!(!judge(&Matcher::Present, &[]));
        assert!(judge(&Matcher::Absent, &[]));
        assert!(!judge(&Matcher::Absent, &["x"]));
        assert!(judge(&Matcher::Empty, &[""]));
        assert!(!judge(&Matcher::Empty, &["x"]));
        assert!(!judge(&Matcher::Empty, &[]));
    }

    #[test]
    fn length_and_date() {
        assert!(judge(&Matcher::Length(3), &["001"]));
        assert!(!judge(&Matcher::Length(3), &["01"]));
        assert!(judge(&Matcher::Date, &["20260329    203000"]));
        assert!(!judge(&Matcher::Date, &["2026-03-29"]));
        assert!(!judge(&Matcher::Date, &[]));
    }

    #[test]
    fn contains_looks_at_every_value() {
        let m = Matcher::Contains(t("hold"));
        assert!(judge(&m, &["first", "on hold shelf"]));
        assert!(!judge(&m, &["first", "second"]));
    }

    #[test]
    fn each_and_all() {
        let each = Matcher::Each(Box::new(Matcher::Matches(t(r"^\d+$"))));
        assert!(judge(&each, &["1", "22"]));
        assert!(!judge(&each, &["1", "x"]));
        assert!(
            !judge(&each, &[]),
            "no occurrence is not 'every occurrence'"
        );
        let all = Matcher::All(vec![t("a"), t("b")]);
        assert!(judge(&all, &["a", "b"]));
        assert!(!judge(&all, &["b", "a"]));
        assert!(!judge(&all, &["a"]));
        assert!(judge(&Matcher::All(vec![]), &[]));
    }

    #[test]
    fn optional_passes_only_when_absent() {
        let scope = Scope::default();
        let m = Matcher::Matches(t(r"^\d{2}$"));
        assert!(m.judge(&[], true, &scope).passed);
        assert!(!m.judge(&["x"], true, &scope).passed);
        assert!(!Matcher::Absent.judge(&["x"], true, &scope).passed);
    }

    #[test]
    fn verdict_texts() {
        let scope = Scope::default();
        let v = Matcher::Equals(t("1")).judge(&["0"], false, &scope);
        assert_eq!((v.expected.as_str(), v.actual.as_str()), ("\"1\"", "\"0\""));
        assert_eq!(v.diff, Some(("1".into(), "0".into())));
        let v = Matcher::Present.judge(&[], false, &scope);
        assert_eq!(v.actual, "absent");
        assert_eq!(show(&["a", "b"]), r#"["a", "b"]"#);
    }
}
