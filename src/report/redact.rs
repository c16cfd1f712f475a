//! The one redaction pass. Every string that leaves sip2check (console, JUnit, JSON, stderr
//! notes, error messages) goes through a [`Redactor`]:
//!
//! - the known secret values (the profile's `login.password`, its telnet password, every
//!   variable whose name ends in `pin` or `password`, the `--login` and `--telnet` passwords)
//!   are masked as literal strings wherever they occur, before anything else, so a `|` inside
//!   one cannot split it;
//! - then the values of secret fields (CO, AD, AC) and, with redaction on, personal fields (AE,
//!   BD, BE, BF, PB) are masked wherever a SIP message appears: whole transcript lines through
//!   `sip2::redact` (only the values change), SIP text quoted inside other text (an error's
//!   "received 28 byte(s): ...") by the field IDs that follow a `|` or a message's fixed part;
//! - the expected/got values of checks on masked fields, and of captures from them.
//!
//! [`Redactor::scenario`] applies it to a whole result, which is what the runner hands to every
//! reporter; the reporters' own rendering of checks goes through [`check_cells`].

use std::collections::BTreeMap;

use crate::check::{Captured, CheckResult, Raw, Target};
use crate::runner::result::{Outcome, RunResult, ScenarioResult, StepResult};
use crate::scenario::{CaptureSource, Profile};
use crate::sip2::redact::{MASK, Redaction};
use crate::sip2::spec::Kind;
use crate::sip2::{FieldId, FieldRef, MessageCode, plan};

/// Known secrets shorter than this are masked as field values only: a one- or two-character
/// literal would mask every "1" or "ok" in the output.
pub const MIN_SECRET_LEN: usize = 3;

/// The redaction pass: a level (which fields) and the known secret values.
#[derive(Debug, Clone)]
pub struct Redactor {
    level: Redaction,
    secrets: Vec<String>,
}

impl Redactor {
    /// Masks fields at `level` and each of `secrets` (empty and short ones are left to the field pass).
    pub fn new(level: Redaction, secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .filter(|s| s.chars().count() >= MIN_SECRET_LEN)
            // A secret with a '|' may reach us with its head already masked as a field value
            // (`CO***|tail`): the rest of it is masked too.
            .flat_map(|s| {
                let tail = s.find('|').map(|i| format!("{MASK}{}", &s[i..]));
                std::iter::once(s).chain(tail)
            })
            .collect();
        // Longest first, so a secret that contains another is masked whole.
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        Redactor { level, secrets }
    }

    /// Which fields are masked.
    pub fn level(&self) -> Redaction {
        self.level
    }

    /// Any text: the known secrets, then masked fields of the SIP messages quoted in it.
    pub fn text(&self, s: &str) -> String {
        mask_quoted_fields(&self.literals(s), self.level())
    }

    /// A whole message (a transcript line): the known secrets, then its masked fields; every
    /// other byte stays as it was on the wire.
    pub fn message(&self, s: &str) -> String {
        self.level().apply(&self.literals(s))
    }

    /// The known secrets masked wherever they occur; one made only of digits (a PIN) is not
    /// masked inside a longer number (a date, a barcode), where it is no secret.
    fn literals(&self, s: &str) -> String {
        let mut out = s.to_string();
        for secret in &self.secrets {
            if !out.contains(secret.as_str()) {
                continue;
            }
            let digits = secret.bytes().all(|b| b.is_ascii_digit());
            let mut masked = String::with_capacity(out.len());
            let mut at = 0;
            for (start, _) in out.match_indices(secret.as_str()) {
                let end = start + secret.len();
                let digit_at = |i: Option<u8>| i.is_some_and(|b| b.is_ascii_digit());
                let inside_number = digits
                    && (digit_at(
                        start
                            .checked_sub(1)
                            .and_then(|i| out.as_bytes().get(i).copied()),
                    ) || digit_at(out.as_bytes().get(end).copied()));
                if inside_number {
                    continue;
                }
                masked.push_str(out.get(at..start).unwrap_or_default());
                masked.push_str(MASK);
                at = end;
            }
            masked.push_str(out.get(at..).unwrap_or_default());
            out = masked;
        }
        out
    }

    /// A whole run, every string in it.
    pub fn run(&self, mut run: RunResult) -> RunResult {
        run.endpoint = self.text(&run.endpoint);
        run.profile = self.text(&run.profile);
        run.institution = run.institution.map(|i| self.text(&i));
        run.scenarios = run
            .scenarios
            .into_iter()
            .map(|s| self.scenario(s))
            .collect();
        run
    }

    /// A scenario's result, every string in it (what the runner hands to the reporters). Values
    /// captured from masked fields are secrets for the whole scenario: a later step that sends
    /// a captured PIN in another field does not show it either.
    pub fn scenario(&self, s: ScenarioResult) -> ScenarioResult {
        match self.with_captures(s.steps.iter().flat_map(|st| &st.captures)) {
            Some(r) => r.masked_scenario(s),
            None => self.masked_scenario(s),
        }
    }

    /// One step of a scenario as it runs, masked as [`Redactor::scenario`] will mask it:
    /// `earlier` holds what the scenario's earlier steps captured.
    pub fn live_step(&self, earlier: &[Captured], mut st: StepResult) -> StepResult {
        match self.with_captures(earlier.iter().chain(&st.captures)) {
            Some(r) => r.step(&mut st),
            None => self.step(&mut st),
        }
        st
    }

    /// This pass plus the values captured from masked fields, when there are any.
    fn with_captures<'a>(&self, captures: impl Iterator<Item = &'a Captured>) -> Option<Redactor> {
        let captured: Vec<String> = captures
            .filter(|c| matches!(c.source, CaptureSource::Field(id) if self.level.masks(id)))
            .map(|c| c.value.clone())
            .collect();
        if captured.is_empty() {
            return None;
        }
        let secrets = self.secrets.iter().cloned().chain(captured);
        Some(Redactor::new(self.level, secrets))
    }

    fn masked_scenario(&self, mut s: ScenarioResult) -> ScenarioResult {
        s.name = self.text(&s.name);
        s.outcome = match s.outcome {
            Outcome::Errored(r) => Outcome::Errored(self.text(&r)),
            Outcome::Skipped(r) => Outcome::Skipped(self.text(&r)),
            o @ (Outcome::Passed | Outcome::Failed) => o,
        };
        for step in &mut s.steps {
            self.step(step);
        }
        s
    }

    fn step(&self, st: &mut StepResult) {
        st.name = self.text(&st.name);
        for wire in [&mut st.sent, &mut st.received].into_iter().flatten() {
            wire.text = self.message(&wire.text);
        }
        st.error = st.error.as_deref().map(|e| self.text(e));
        let level = self.level();
        for v in &mut st.violations {
            let masked = matches!(v.field, FieldRef::Field(id) if level.masks(id));
            v.actual = if masked {
                mask_values(&v.actual).into()
            } else {
                self.text(&v.actual).into()
            };
            v.expected = self.text(&v.expected).into();
        }
        let sources: BTreeMap<&str, CaptureSource> = st
            .captures
            .iter()
            .map(|c| (c.name.as_str(), c.source))
            .collect();
        for c in &mut st.checks {
            let from_masked = match &c.target {
                Target::Capture(name) => {
                    matches!(sources.get(name.as_str()), Some(CaptureSource::Field(id)) if level.masks(*id))
                }
                _ => false,
            };
            let cells = check_cells(c, level);
            c.expected = self.text(&cells.expected);
            c.expected_value = cells.expected_value.map_text(&|t| self.text(t));
            c.actual = if from_masked {
                mask_values(&cells.actual)
            } else {
                self.text(&cells.actual)
            };
            c.actual_value = if from_masked {
                masked_raw(&cells.actual_value)
            } else {
                cells.actual_value.map_text(&|t| self.text(t))
            };
            c.diff = cells
                .diff
                .map(|(want, got)| (self.text(&want), self.text(&got)));
        }
        for c in &mut st.captures {
            c.value = match c.source {
                CaptureSource::Field(id) if level.masks(id) && !c.value.is_empty() => {
                    MASK.to_string()
                }
                _ => self.text(&c.value),
            };
        }
    }
}

/// A check's expected and got values as reports show them: those of a masked field masked
/// (quoted values become `"***"`, a regex `/***/`; `absent`, `present` and `""` stay).
pub struct CheckCells {
    /// The expected value.
    pub expected: String,
    /// The value found.
    pub actual: String,
    /// The texts to highlight character by character (None for masked fields).
    pub diff: Option<(String, String)>,
    /// The expected value as data (its texts masked for a masked field).
    pub expected_value: Raw,
    /// The value found as data (its texts masked for a masked field).
    pub actual_value: Raw,
}

/// The cells of `c` at `level`.
pub fn check_cells(c: &CheckResult, level: Redaction) -> CheckCells {
    match c.target {
        Target::Field(id) if level.masks(id) => CheckCells {
            expected: mask_values(&c.expected),
            actual: mask_values(&c.actual),
            diff: None,
            expected_value: masked_raw(&c.expected_value),
            actual_value: masked_raw(&c.actual_value),
        },
        _ => CheckCells {
            expected: c.expected.clone(),
            actual: c.actual.clone(),
            diff: c.diff.clone(),
            expected_value: c.expected_value.clone(),
            actual_value: c.actual_value.clone(),
        },
    }
}

/// Every non-empty text of `raw` as `***` (an empty value stays empty, as in [`mask_values`]).
fn masked_raw(raw: &Raw) -> Raw {
    raw.map_text(&|t| {
        if t.is_empty() {
            String::new()
        } else {
            MASK.to_string()
        }
    })
}

/// Every quoted value in `s` (`"x"`, `["x", "y"]`, `one of "a", "b"`) as `"***"`, a regex as
/// `/***/`; words and empty values stay. Text without quotes is masked whole unless it is a word.
fn mask_values(s: &str) -> String {
    if s.len() > 1 && s.starts_with('/') && s.ends_with('/') {
        return format!("/{MASK}/");
    }
    if !s.contains('"') {
        let words = ["absent", "absent (optional)", "present", "empty", ""];
        return if words.contains(&s) || s.starts_with("length ") {
            s.to_string()
        } else {
            MASK.to_string()
        };
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c != '"' {
            continue;
        }
        let mut value = String::new();
        let mut escaped = false;
        for v in chars.by_ref() {
            if escaped {
                escaped = false;
            } else if v == '\\' {
                escaped = true;
            } else if v == '"' {
                break;
            }
            value.push(v);
        }
        if !value.is_empty() {
            out.push_str(MASK);
        }
        out.push('"');
    }
    out
}

/// Masks the values of fields masked at `level` in SIP text quoted anywhere in `s`: a field ID
/// after a `|`, or right after the fixed part of a message that starts at a word boundary.
/// A value ends at `|`, a line end or an escaped terminator (`<CR>`, `<LF>`, `<0x..>`).
fn mask_quoted_fields(s: &str, level: Redaction) -> String {
    if level == Redaction::None {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for p in 0..bytes.len().saturating_sub(1) {
        let Some(id) = s.get(p..p + 2).and_then(FieldId::parse) else {
            continue;
        };
        if !level.masks(id) || spans.last().is_some_and(|(_, end)| p < *end) {
            continue;
        }
        if !(p > 0 && bytes.get(p - 1) == Some(&b'|') || ends_fixed_part(s, p)) {
            continue;
        }
        let start = p + 2;
        let end = value_end(s, start);
        if end > start && s.get(start..end) != Some(MASK) {
            spans.push((start, end));
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for (start, end) in spans {
        out.push_str(s.get(at..start).unwrap_or_default());
        out.push_str(MASK);
        at = end;
    }
    out.push_str(s.get(at..).unwrap_or_default());
    out
}

/// Is `p` where the fixed part of a message ends, for a message code at a word boundary before it?
fn ends_fixed_part(s: &str, p: usize) -> bool {
    const LONGEST_FIXED: usize = 64;
    let bytes = s.as_bytes();
    (p.saturating_sub(2 + LONGEST_FIXED)..p.saturating_sub(1)).any(|q| {
        let at_boundary = q == 0 || bytes.get(q - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
        at_boundary
            && s.get(q..q + 2)
                .filter(|c| c.bytes().all(|b| b.is_ascii_digit()))
                .and_then(MessageCode::parse)
                .and_then(plan::plan)
                .is_some_and(|m| {
                    q + 2 + m.fixed_len == p && dates_look_like_dates(m, s.get(q + 2..p))
                })
    })
}

/// Do the date fields of a candidate fixed part start with eight digits (or stay blank where
/// the field may be)? Prose such as send's heading "24 Patron Status Response: response (ACS
/// to SC)" has the length of a fixed part but no date in it, so its "AC" is no field; a real
/// message with a malformed zone or time still counts.
fn dates_look_like_dates(m: &plan::MessagePlan, fixed: Option<&str>) -> bool {
    let Some(fixed) = fixed else {
        return false;
    };
    m.fixed.iter().all(|c| {
        let value = fixed
            .get(c.offset..c.offset + c.spec.len)
            .unwrap_or_default();
        match c.spec.kind {
            Kind::Date18 => value.bytes().take(8).filter(u8::is_ascii_digit).count() == 8,
            Kind::Date18OrBlank => {
                value.bytes().all(|b| b == b' ')
                    || value.bytes().take(8).filter(u8::is_ascii_digit).count() == 8
            }
            _ => true,
        }
    })
}

/// Where a field value starting at `start` ends in free text.
fn value_end(s: &str, start: usize) -> usize {
    let rest = s.get(start..).unwrap_or_default();
    let mut end = rest.len();
    for stop in ["|", "\r", "\n", "<CR>", "<LF>", "<0x"] {
        if let Some(i) = rest.find(stop) {
            end = end.min(i);
        }
    }
    start + end
}

impl Redactor {
    /// The pass for a run with the profile at `path` (None: the built-in emulator's), built
    /// before anything else so that errors, the profile's own included, are masked too: the
    /// secrets of the profile as loaded, or of its raw YAML when it does not load.
    pub fn for_profile_file(path: Option<&std::path::Path>, level: Redaction) -> Redactor {
        let secrets = match path {
            None => Profile::emulator()
                .map(|p| secrets_of(&p))
                .unwrap_or_default(),
            Some(path) => match crate::input::read_text(path) {
                Ok(text) => match Profile::parse(&text, path) {
                    Ok(profile) => secrets_of(&profile),
                    Err(_) => secrets_in_yaml(&text),
                },
                Err(_) => Vec::new(),
            },
        };
        Redactor::new(level, secrets)
    }
}

/// The known secrets of a profile: the SIP login password, the telnet password, and every
/// variable whose name ends in `pin` or `password` (the patrons' PINs).
pub fn secrets_of(profile: &Profile) -> Vec<String> {
    let mut out: Vec<String> = profile
        .vars
        .iter()
        .filter(|(k, _)| is_secret_name(k))
        .map(|(_, v)| v.clone())
        .collect();
    out.extend(profile.telnet.as_ref().map(|t| t.password.clone()));
    out
}

/// The same for a profile that does not load (its error may quote the value): every scalar
/// under a key ending in `pin` or `password`, at any depth of the YAML.
pub fn secrets_in_yaml(text: &str) -> Vec<String> {
    fn walk(v: &serde_yaml::Value, secret: bool, out: &mut Vec<String>) {
        match v {
            serde_yaml::Value::Mapping(m) => {
                for (k, v) in m {
                    walk(v, k.as_str().is_some_and(is_secret_name), out);
                }
            }
            serde_yaml::Value::Sequence(items) => {
                for v in items {
                    walk(v, secret, out);
                }
            }
            serde_yaml::Value::String(s) if secret => out.push(s.clone()),
            serde_yaml::Value::Number(n) if secret => out.push(n.to_string()),
            serde_yaml::Value::Bool(b) if secret => out.push(b.to_string()),
            serde_yaml::Value::Tagged(t) => walk(&t.value, secret, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = serde_yaml::from_str::<serde_yaml::Value>(text) {
        walk(&v, false, &mut out);
    }
    out
}

/// Does a variable or key name hold a secret (`login.password`, `patron.pin`, `pin`)?
pub fn is_secret_name(name: &str) -> bool {
    let last = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
    last.ends_with("pin") || last.ends_with("password")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(secrets: &[&str]) -> Redactor {
        Redactor::new(
            Redaction::SecretsAndPersonal,
            secrets.iter().map(|s| s.to_string()),
        )
    }

    #[test]
    fn known_secrets_are_masked_anywhere_but_a_pin_not_inside_a_number() {
        let r = redactor(&["pa|ss", "4817", "x"]);
        assert_eq!(r.text("login with pa|ss failed"), "login with *** failed");
        assert_eq!(r.text("PIN 4817, AD4817|"), "PIN ***, AD***|");
        assert_eq!(
            r.text("20264817    101010"),
            "20264817    101010",
            "a date is no PIN"
        );
        assert_eq!(
            r.text("x marks"),
            "x marks",
            "too short for the literal pass"
        );
    }

    #[test]
    fn sip_text_quoted_in_prose_has_its_fields_masked() {
        let r = redactor(&[]);
        assert_eq!(
            r.text("received 28 byte(s): 9300CNsip|COsecret|CPBR1|<CR> then"),
            "received 28 byte(s): 9300CNsip|CO***|CPBR1|<CR> then"
        );
        // AE first, right after the 24's fixed part (Koha's order).
        let koha = "got 24              00120260101    084237AEDavid J. Fiander|AA1|AOBR1|";
        assert_eq!(
            r.text(koha),
            "got 24              00120260101    084237AE***|AA1|AOBR1|"
        );
        assert_eq!(r.text("the ADdress |AC|"), "the ADdress |AC|");
        // send's heading has a 24's length before "AC" but no date: prose, not a message.
        let heading = "24 Patron Status Response: response (ACS to SC)";
        assert_eq!(r.text(heading), heading);
        // A date with a malformed zone is still a date: the first field is still masked.
        assert_eq!(
            r.text("24              00120260101XXXX084237AEDavid|"),
            "24              00120260101XXXX084237AE***|"
        );
        let secrets_only = Redactor::new(Redaction::Secrets, Vec::new());
        assert!(secrets_only.text(koha).contains("Fiander"));
    }

    #[test]
    fn messages_keep_their_layout() {
        let r = redactor(&["pa|ss"]);
        assert_eq!(r.message("9300CNu|COpa|ss|CPx|"), "9300CNu|CO***|CPx|");
        assert_eq!(r.message("9300CNu|COother"), "9300CNu|CO***");
    }

    #[test]
    fn a_value_captured_from_a_masked_field_is_masked_wherever_the_scenario_uses_it() {
        use crate::check::Captured;
        use crate::runner::result::{StepStatus, Wire};
        let mut capture = StepResult::new(
            1,
            "capture",
            "capture",
            "s.yaml:2".into(),
            StepStatus::Passed,
        );
        capture.captures.push(Captured {
            name: "pin".into(),
            source: CaptureSource::Field(FieldId::AD),
            value: "4817".into(),
        });
        let mut reuse = StepResult::new(2, "reuse", "reuse", "s.yaml:5".into(), StepStatus::Failed);
        reuse.sent = Some(Wire {
            text: "9900302.00AFpin 4817|".into(),
            terminator: None,
            leading_lf: false,
        });
        let s = ScenarioResult {
            id: "a::s".into(),
            name: "s".into(),
            file: "s.yaml".into(),
            tags: Vec::new(),
            outcome: Outcome::Failed,
            steps: vec![capture, reuse],
            started: std::time::SystemTime::UNIX_EPOCH,
            duration: std::time::Duration::ZERO,
        };
        let masked = redactor(&[]).scenario(s);
        assert_eq!(masked.steps[0].captures[0].value, MASK);
        assert_eq!(
            masked.steps[1].sent.as_ref().unwrap().text,
            "9900302.00AFpin ***|"
        );
    }

    #[test]
    fn checks_on_masked_fields_show_no_value() {
        let c = CheckResult::new(
            Target::Field(FieldId::AE),
            false,
            "\"David J. Fiandre\"".into(),
            "\"David J. Fiander\"".into(),
        );
        let cells = check_cells(&c, Redaction::SecretsAndPersonal);
        assert_eq!(
            (cells.expected.as_str(), cells.actual.as_str()),
            ("\"***\"", "\"***\"")
        );
        assert!(cells.diff.is_none());
        assert_eq!(
            check_cells(&c, Redaction::Secrets).actual,
            "\"David J. Fiander\""
        );
        let c = c.with_values(
            "one_of",
            Raw::List(vec!["David J. Fiandre".into(), String::new()]),
            Raw::Text("David J. Fiander".into()),
        );
        let cells = check_cells(&c, Redaction::SecretsAndPersonal);
        assert_eq!(
            (cells.expected_value, cells.actual_value),
            (
                Raw::List(vec![MASK.into(), String::new()]),
                Raw::Text(MASK.into())
            ),
            "the values as data are masked as the text is"
        );
        assert_eq!(mask_values("absent"), "absent");
        assert_eq!(mask_values("one of \"a\", \"\""), "one of \"***\", \"\"");
        assert_eq!(mask_values("/^Dav/"), "/***/");
        assert_eq!(mask_values("[\"a\\\"b\", \"c\"]"), "[\"***\", \"***\"]");
    }

    #[test]
    fn secrets_come_from_the_profile_or_its_raw_yaml() {
        let p = Profile::emulator().unwrap();
        let s = secrets_of(&p);
        assert!(s.contains(&"sip_01".to_string()) && s.contains(&"6789".to_string()));
        let raw = secrets_in_yaml(
            "telnet: { user: u, password: 12345678 }\nvars: { patron: { pin: \"4817\", name: x } }\n",
        );
        assert_eq!(raw, ["12345678", "4817"]);
    }
}
