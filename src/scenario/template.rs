//! `{{ name }}` templates: parsing, the names they refer to, and expansion against a [`Scope`].
//!
//! Names come from the profile's `vars` (dotted paths such as `patron.barcode`), captures of
//! earlier steps, the environment (`env.NAME`) and three built-ins: `now` (an 18-character SIP
//! date), `today` (YYYYMMDD) and `datepat` (the regex SIPtest.pm calls DATE).

use std::collections::BTreeMap;

/// The regex SIPtest.pm calls DATE: `YYYYMMDD`, four blanks, `HHMMSS`.
pub const DATEPAT: &str = r"\d{8} {4}\d{6}";

/// The built-in names.
pub const BUILTINS: [&str; 3] = ["now", "today", "datepat"];

/// A text with `{{ name }}` placeholders, kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(String),
    Var(String),
}

/// A template that cannot be parsed or expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{{` without its `}}`.
    #[error("unclosed '{{{{' in {0:?}: write {{{{ name }}}}")]
    Unclosed(String),
    /// `{{ }}` around something that is not a name.
    #[error("{0:?} is not a variable name (letters, digits, '_' and '.' only)")]
    BadName(String),
    /// A name with no value.
    #[error("undefined variable {name:?}; defined: {known}")]
    Undefined {
        /// The name used.
        name: String,
        /// The names that exist.
        known: String,
    },
    /// `env.NAME` with NAME unset.
    #[error("environment variable {0} is not set (the scenario uses {{{{ env.{0} }}}})")]
    EnvUnset(String),
}

/// How substituted values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// As they are (requests, plain values).
    Text,
    /// Regex-escaped, except `datepat`, which is inserted as a regex (leaders, `matches`).
    Regex,
}

impl Template {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            let (lit, after) = rest.split_at(open);
            if !lit.is_empty() {
                pieces.push(Piece::Lit(lit.to_string()));
            }
            let inner = &after[2..];
            let Some(close) = inner.find("}}") else {
                return Err(TemplateError::Unclosed(text.to_string()));
            };
            let name = inner[..close].trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                return Err(TemplateError::BadName(inner[..close].to_string()));
            }
            pieces.push(Piece::Var(name.to_string()));
            rest = &inner[close + 2..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Lit(rest.to_string()));
        }
        Ok(Template {
            text: text.to_string(),
            pieces,
        })
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The names it refers to, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var(n) => Some(n.as_str()),
            Piece::Lit(_) => None,
        })
    }

    /// The text with each placeholder replaced by `stand_in(name)` (used to check regex syntax at load).
    pub fn with_stand_ins(&self, stand_in: impl Fn(&str) -> String) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Lit(l) => l.clone(),
                Piece::Var(n) => stand_in(n),
            })
            .collect()
    }

    /// Expands every placeholder from `scope`.
    pub fn expand(&self, scope: &Scope, mode: Mode) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(self.text.len());
        for p in &self.pieces {
            match p {
                Piece::Lit(l) => out.push_str(l),
                Piece::Var(n) if n == "datepat" => out.push_str(DATEPAT),
                Piece::Var(n) => {
                    let v = scope.value(n)?;
                    match mode {
                        Mode::Text => out.push_str(&v),
                        Mode::Regex => out.push_str(&regex::escape(&v)),
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Where template names get their values.
#[derive(Debug, Clone, Default)]
pub struct Scope<'a> {
    /// Profile variables by dotted path.
    pub vars: Option<&'a BTreeMap<String, String>>,
    /// Values captured by earlier steps.
    pub captures: BTreeMap<String, String>,
}

impl Scope<'_> {
    /// The value of `name`.
    pub fn value(&self, name: &str) -> Result<String, TemplateError> {
        if let Some(var) = name.strip_prefix("env.") {
            return std::env::var(var).map_err(|_| TemplateError::EnvUnset(var.to_string()));
        }
        match name {
            "now" => return Ok(crate::sip2::date::now()),
            "today" => return Ok(chrono::Local::now().format("%Y%m%d").to_string()),
            "datepat" => return Ok(DATEPAT.to_string()),
            _ => {}
        }
        if let Some(v) = self.captures.get(name) {
            return Ok(v.clone());
        }
        if let Some(v) = self.vars.and_then(|vars| vars.get(name)) {
            return Ok(v.clone());
        }
        Err(TemplateError::Undefined {
            name: name.to_string(),
            known: known_names(self.vars, self.captures.keys().map(String::as_str)),
        })
    }
}

/// "a, b, c (captures: x), built-ins: now, today, datepat, env.NAME".
fn known_names<'c>(
    vars: Option<&BTreeMap<String, String>>,
    captures: impl Iterator<Item = &'c str>,
) -> String {
    let mut out: Vec<String> = vars
        .map(|v| v.keys().cloned().collect())
        .unwrap_or_default();
    out.extend(captures.map(|c| format!("{c} (capture)")));
    out.extend(BUILTINS.iter().map(|b| b.to_string()));
    out.push("env.NAME".to_string());
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("patron.barcode", "999999"), ("item.title", "Perl 5.8")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn expands_vars_captures_and_builtins() {
        let vars = vars();
        let mut scope = Scope {
            vars: Some(&vars),
            ..Scope::default()
        };
        scope.captures.insert("due".into(), "20260101".into());
        let t = Template::parse("AA{{ patron.barcode }}|AH{{due}}|").unwrap();
        assert_eq!(
            t.expand(&scope, Mode::Text).unwrap(),
            "AA999999|AH20260101|"
        );
        let now = Template::parse("{{ now }}").unwrap();
        assert!(crate::sip2::lint::is_date18(
            &now.expand(&scope, Mode::Text).unwrap()
        ));
        let today = Template::parse("{{ today }}").unwrap();
        assert_eq!(today.expand(&scope, Mode::Text).unwrap().len(), 8);
    }

    #[test]
    fn regex_mode_escapes_values_but_not_datepat() {
        let vars = vars();
        let scope = Scope {
            vars: Some(&vars),
            ..Scope::default()
        };
        let t = Template::parse("^{{ item.title }}{{ datepat }}").unwrap();
        assert_eq!(
            t.expand(&scope, Mode::Regex).unwrap(),
            r"^Perl 5\.8\d{8} {4}\d{6}"
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(matches!(
            Template::parse("AA{{ patron"),
            Err(TemplateError::Unclosed(_))
        ));
        assert!(matches!(
            Template::parse("{{ a b }}"),
            Err(TemplateError::BadName(_))
        ));
        let vars = vars();
        let mut scope = Scope {
            vars: Some(&vars),
            ..Scope::default()
        };
        scope.captures.insert("due".into(), "x".into());
        let text = scope.value("patron.pin").unwrap_err().to_string();
        assert!(text.contains("patron.pin") && text.contains("patron.barcode"));
        assert!(text.contains("due (capture)"), "{text}");
        assert!(matches!(
            scope.value("env.SIP2CHECK_SURELY_UNSET_VARIABLE"),
            Err(TemplateError::EnvUnset(_))
        ));
    }
}
