//! A recorded session as a scenario (`send --record`): each request becomes a step that sends
//! it again (structured where the protocol table knows the message and the text re-encodes
//! byte for byte, raw otherwise; dates in requests are `now` on replay) and each answer its
//! expectations: exact for stable values, `{ date: true }` for dates, `present` for what
//! [`Normalizer`] calls volatile (due dates, transaction and fee ids, the profile's
//! `volatile:`). Values the profile holds become its variables (`{{ patron.barcode }}`), so
//! the scenario also runs against another site's profile. Passwords and PINs never reach the
//! text: a profile variable stands for them, else an `env.` variable the header names; patron
//! personal data not in the profile is checked for presence only. The text is loaded again
//! before it is handed back, so what `send` writes is a scenario that loads.
//!
//! Pure: the caller does the session and writes the file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use super::normalize::{self, DATE, VOLATILE};
use super::{Normalizer, one_line};
use crate::check::matcher::{FieldMatcher, Matcher};
use crate::report::redact::{MIN_SECRET_LEN, Redactor, is_secret_name, secrets_of};
use crate::scenario::template::Template;
use crate::scenario::{
    Expect, FixedValue, Leader, Loc, Profile, Scenario, Send, Step, Structured, ident, write,
};
use crate::sip2::redact::Redaction;
use crate::sip2::spec::{self, Kind};
use crate::sip2::{Analysis, Direction, FieldId, Message, MessageCode, Terminator};

/// One exchange of the session.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The request as the user wrote it (`{now}` not yet expanded).
    pub typed: String,
    /// The request as it was sent, before the session added any AY/AZ.
    pub sent: String,
    /// The answer.
    pub response: Analysis,
}

/// What the session was: where, how, and the secrets it used.
#[derive(Debug, Clone, Default)]
pub struct Session<'a> {
    /// The server, `host:port`.
    pub endpoint: String,
    /// The profile given with `--profile`, and its path as given.
    pub profile: Option<(&'a Profile, String)>,
    /// `--checksum`: every request carried AY/AZ.
    pub checksum: bool,
    /// The terminator sent (steps say it when it is not CR).
    pub terminator: Option<Terminator>,
    /// Secrets the session knows that no request need carry (`--login` and `--telnet`
    /// passwords): never written, should a server echo them in an answer.
    pub secrets: Vec<String>,
    /// Lines for the header about the session (TLS, telnet, encoding, what was not recorded).
    pub notes: Vec<String>,
}

/// Why a session cannot be written as a scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// A request holds `{{` (or a `{` next to a value written as a variable), which a
    /// scenario reads as a template.
    #[error(
        "request {0} holds \"{{{{\" (or a \"{{\" next to a password), which a scenario reads as the start of a variable: it cannot be recorded"
    )]
    Braces(usize),
    /// The text would hold a secret (a bug in the recorder; nothing is written).
    #[error("the recorded scenario would hold a password; nothing is written")]
    Secret,
    /// The written text does not load (a bug in the recorder: the message says where).
    #[error("the recorded scenario does not load again: {0}")]
    DoesNotLoad(String),
}

/// The scenario file for `exchanges`, to be written at `path`: a header comment (when, against
/// what, how to run it, which environment variables hold the secrets) and the scenario.
pub fn record(
    path: &Path,
    exchanges: &[Recorded],
    session: &Session,
) -> Result<String, RecordError> {
    let profile = session.profile.as_ref().map(|(p, _)| *p);
    let mut names = Names::new(profile, &session.secrets);
    let norm = Normalizer::new(profile.map(|p| p.volatile.as_slice()).unwrap_or_default());
    let loc = Loc {
        file: Arc::from(path.display().to_string()),
        line: 1,
        via: None,
    };
    let mut steps = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for (i, ex) in exchanges.iter().enumerate() {
        let (send, request) = request(ex, &mut names).ok_or(RecordError::Braces(i + 1))?;
        let expect = expectations(&ex.response, &request, &mut names, &norm, &mut skipped);
        steps.push(Step {
            id: String::new(),
            name: send
                .message()
                .map_or_else(|| "raw message".to_string(), |m| m.name.to_string()),
            loc: loc.clone(),
            send,
            checksum: None,
            timeout: None,
            terminator: session.terminator.filter(|t| *t != Terminator::Cr),
            resend: true,
            expect,
            capture: Vec::new(),
            needs: None,
            requires: Vec::new(),
            vars: Vec::new(),
            undo: None,
            shared: None,
        });
    }
    // Names are unique by construction (slugs made unique), so assign reports nothing.
    let _ = ident::assign(&mut steps, "", path);
    let stem = path.file_stem().map_or_else(
        || "session".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let scenario = Scenario {
        id: stem.clone(),
        name: format!("{stem} (recorded)"),
        about: format!(
            "A session with {} recorded by sip2check send --record.",
            session.endpoint
        ),
        tags: vec!["recorded".into()],
        requires: Vec::new(),
        needs: Vec::new(),
        checksum: session.checksum.then_some(true),
        file: path.to_path_buf(),
        steps,
        finally: Vec::new(),
    };
    skipped.sort();
    skipped.dedup();
    let text = format!(
        "{}{}",
        header(path, exchanges.len(), session, &names, &skipped),
        write::to_yaml(&scenario)
    );
    // Fail closed: should any known secret still be in the text, nothing is written.
    let check = Redactor::new(Redaction::None, names.all_secrets.iter().cloned());
    if check.text(&text) != text {
        return Err(RecordError::Secret);
    }
    crate::scenario::load_text(path, &text).map_err(|e| RecordError::DoesNotLoad(e.to_string()))?;
    Ok(text)
}

/// The header comment.
fn header(
    path: &Path,
    exchanges: usize,
    session: &Session,
    names: &Names,
    skipped: &[String],
) -> String {
    let mut h = String::new();
    let when = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let _ = writeln!(
        h,
        "# Recorded by sip2check {} (send --record) on {when}",
        env!("CARGO_PKG_VERSION")
    );
    let profile = match &session.profile {
        Some((_, p)) => format!(", profile {p}"),
        None => String::new(),
    };
    let _ = writeln!(
        h,
        "# against {}{profile}: {exchanges} exchange(s).",
        session.endpoint
    );
    for note in &session.notes {
        let _ = writeln!(h, "# {}", one_line(note));
    }
    h.push_str(concat!(
        "# Requests are as sent, with dates as {{ now }} (left out of structured sends) and\n",
        "# profile values as variables; answers are the expectations: exact where stable,\n",
        "# { date: true } for dates, present for due dates, transaction ids and other volatile\n",
        "# values, passwords and personal data the profile does not hold.\n",
    ));
    for s in skipped {
        let _ = writeln!(h, "# Not checked: {s}");
    }
    if !names.env.is_empty() {
        h.push_str("# No secret is in this file; set these environment variables to run it:\n");
        for (_, _, name, what) in &names.env {
            let _ = writeln!(h, "#   {name:<24} {what}");
        }
    }
    let profile = match &session.profile {
        Some((_, p)) => p.clone(),
        None => "YOUR-PROFILE.yaml".into(),
    };
    let _ = writeln!(
        h,
        "# Run it:\n#   sip2check run {} --endpoint {} --profile {profile}",
        path.display(),
        session.endpoint
    );
    h
}

/// A field of a request: its ID, the value sent, and the template written for it.
#[derive(Debug, Clone)]
struct Written {
    id: FieldId,
    sent: String,
    template: Template,
}

/// The request of one exchange as a send, and each of its field values as the template
/// written (for answers that echo them). None when it holds `{{`.
fn request(ex: &Recorded, names: &mut Names) -> Option<(Send, Vec<Written>)> {
    if ex.sent.contains("{{") {
        return None;
    }
    let parsed = crate::sip2::parse(&ex.sent).ok();
    let msg = parsed.as_ref().map(|p| &p.msg);
    let spec = msg.and_then(Message::spec);
    let mut values: Vec<Written> = Vec::new();
    if let (Some(msg), Some(spec)) = (msg, spec) {
        for f in &msg.fields {
            let t = names.request_value(spec.code, f.id, &f.value, &values)?;
            values.push(Written {
                id: f.id,
                sent: f.value.to_string(),
                template: t,
            });
        }
        // Structured only when the table's form of the message is exactly what was sent.
        let structured = spec.direction == Direction::ScToAcs
            && msg.trailer.is_none()
            && msg.fields.iter().all(|f| spec::field(f.id).is_some())
            && crate::sip2::encode(msg) == ex.sent
            && msg.fixed_fields().iter().all(|(_, v)| v.is_some());
        if structured {
            let typed_now = now_ranges(&ex.typed);
            let mut at = 2;
            let mut fixed = Vec::new();
            for (f, v) in msg.fixed_fields() {
                let value = match f.kind {
                    // The date of the request: the replay's own.
                    Kind::Date18 => FixedValue::Now,
                    // Another date the user wrote as {now} (a checkin's return date).
                    Kind::Date18OrBlank if typed_now.contains(&(at..at + f.len)) => {
                        FixedValue::Text(literal("{{ now }}"))
                    }
                    _ => FixedValue::Text(literal(v.unwrap_or_default())),
                };
                fixed.push((f, value));
                at += f.len;
            }
            let fields = values.iter().map(|w| (w.id, w.template.clone())).collect();
            let send = Send::Structured(Structured {
                spec,
                fixed,
                fields,
            });
            return Some((send, values));
        }
    }
    Some((Send::Raw(raw(ex, &values, names)?), values))
}

/// Where the `{now}`s of `typed` stand in the text sent (each became an 18-character date).
fn now_ranges(typed: &str) -> Vec<std::ops::Range<usize>> {
    let date_len = crate::sip2::date::now().len();
    let mut out = Vec::new();
    let (mut at, mut rest) = (0, typed);
    while let Some(i) = rest.find("{now}") {
        at += i;
        out.push(at..at + date_len);
        at += date_len;
        rest = rest.get(i + "{now}".len()..).unwrap_or_default();
    }
    out
}

/// A raw request: the text as written (`{now}` as `{{ now }}` again), each field value the
/// recorder replaced (secrets, profile values) as its template, and known secrets elsewhere
/// as their variables.
fn raw(ex: &Recorded, values: &[Written], names: &Names) -> Option<Template> {
    let substitute = |base: &str| {
        let mut out = String::with_capacity(base.len());
        let mut rest = base;
        // Each field in order: its `ID<value>` found after the one before is replaced.
        for w in values {
            if w.template.names().next().is_none() || w.sent.is_empty() {
                continue;
            }
            let wire = format!("{}{}", w.id, w.sent);
            if let Some(at) = rest.find(&wire) {
                out.push_str(rest.get(..at).unwrap_or_default());
                let _ = write!(out, "{}{}", w.id, w.template.as_str());
                rest = rest.get(at + wire.len()..).unwrap_or_default();
            }
        }
        out.push_str(rest);
        Template::parse(&names.hide(&out)).ok()
    };
    let typed = ex.typed.trim_end_matches(['\r', '\n']);
    typed
        .contains("{now}")
        .then(|| substitute(&typed.replace("{now}", "{{ now }}")))
        .flatten()
        .or_else(|| substitute(&ex.sent))
}

/// A literal value as a template (no `{{` inside: callers check).
fn literal(s: &str) -> Template {
    Template::parse(s).unwrap_or_else(|_| unreachable!("a value without {{{{ is a template"))
}

/// The expectations of one answer.
fn expectations(
    response: &Analysis,
    request: &[Written],
    names: &mut Names,
    norm: &Normalizer,
    skipped: &mut Vec<String>,
) -> Expect {
    let msg = &response.msg;
    let mut e = Expect::default();
    match msg.spec() {
        Some(spec) => e.message = Some(spec),
        None => {
            e.leader = Some(Leader {
                regex: literal(&format!("^{}", regex::escape(msg.code.as_str()))),
                ground: None,
            });
            return e;
        }
    }
    for (f, value) in msg.fixed_fields() {
        let Some(value) = value else { continue };
        let matcher = match norm.fixed(f.key, f.kind, value).as_str() {
            VOLATILE => Matcher::Present,
            DATE if crate::sip2::lint::is_date18(value) => Matcher::Date,
            DATE => Matcher::Present,
            _ if value.contains("{{") => Matcher::Present,
            _ => Matcher::Equals(literal(value)),
        };
        e.fixed.push((f.key, plain(matcher)));
    }
    let mut seen: Vec<FieldId> = Vec::new();
    for f in &msg.fields {
        if seen.contains(&f.id) {
            continue;
        }
        seen.push(f.id);
        if spec::field(f.id).is_none() {
            skipped.push(format!(
                "{} in the {} (the scenario language has no key for a field the table does not know)",
                f.id,
                msg.spec().map_or("answer", |s| s.name)
            ));
            continue;
        }
        if matches!(f.id, FieldId::AY | FieldId::AZ) {
            continue;
        }
        let all: Vec<&str> = msg.field_all(f.id).collect();
        let matcher = match all.as_slice() {
            [one] => field(f.id, one, request, names, norm),
            many => {
                let each: Vec<Matcher> = many
                    .iter()
                    .map(|v| field(f.id, v, request, names, norm))
                    .collect();
                let exact: Option<Vec<Template>> = each
                    .into_iter()
                    .map(|m| match m {
                        Matcher::Equals(t) => Some(t),
                        _ => None,
                    })
                    .collect();
                exact.map_or(Matcher::Present, Matcher::All)
            }
        };
        e.fields.push((f.id, plain(matcher)));
    }
    e
}

fn plain(matcher: Matcher) -> FieldMatcher {
    FieldMatcher {
        matcher,
        optional: false,
        ground: None,
    }
}

/// The matcher for one value of a tagged field in an answer.
fn field(
    id: FieldId,
    value: &str,
    request: &[Written],
    names: &mut Names,
    norm: &Normalizer,
) -> Matcher {
    if value.is_empty() {
        return Matcher::Empty;
    }
    if Redaction::Secrets.masks(id) || names.holds_secret(value) || value.contains("{{") {
        return Matcher::Present;
    }
    match norm.field(id, value).as_str() {
        VOLATILE => return Matcher::Present,
        DATE if crate::sip2::lint::is_date18(value) => return Matcher::Date,
        DATE => return Matcher::Present,
        _ => {}
    }
    // An echo of the request's value is written as the request wrote it.
    if let Some(w) = request.iter().find(|w| w.id == id && w.sent == value) {
        return Matcher::Equals(w.template.clone());
    }
    if let Some(var) = names.profile_var(id, value, request) {
        return Matcher::Equals(var_template(&var));
    }
    if Redaction::SecretsAndPersonal.masks(id) {
        return Matcher::Present;
    }
    if let Some(pieces) = normalize::around_dates(value) {
        let escaped: Vec<String> = pieces.iter().map(|p| regex::escape(p)).collect();
        let re = format!(
            "^{}$",
            escaped.join(&format!("(?:{})", normalize::DATE_PATTERN))
        );
        return Matcher::Matches(literal(&re));
    }
    Matcher::Equals(literal(value))
}

/// The variables the recording uses: the profile's, and the `env.` ones made for secrets.
struct Names {
    vars: BTreeMap<String, String>,
    /// Known secret values and the variable that stands for each.
    secrets: Vec<(String, String)>,
    /// Every secret value known, named or not (the `--telnet` password has no variable).
    all_secrets: Vec<String>,
    /// The environment variables made: the value, the base name, the name and what it holds.
    env: Vec<(String, &'static str, String, &'static str)>,
}

impl Names {
    fn new(profile: Option<&Profile>, secrets: &[String]) -> Self {
        let vars = profile.map(|p| p.vars.clone()).unwrap_or_default();
        let known: Vec<(String, String)> = vars
            .iter()
            .filter(|(k, v)| is_secret_name(k) && !v.is_empty())
            .map(|(k, v)| (v.clone(), k.clone()))
            .collect();
        let mut all_secrets: Vec<String> =
            secrets.iter().filter(|s| !s.is_empty()).cloned().collect();
        all_secrets.extend(profile.map(secrets_of).unwrap_or_default());
        Names {
            vars,
            secrets: known,
            all_secrets,
            env: Vec::new(),
        }
    }

    /// The template for a value of field `id` in a request of message `code`; `before` holds
    /// the message's earlier fields (a PIN goes with the patron in AA).
    fn request_value(
        &mut self,
        code: MessageCode,
        id: FieldId,
        value: &str,
        before: &[Written],
    ) -> Option<Template> {
        if value.is_empty() {
            return Some(literal(value));
        }
        if spec::field(id).is_some_and(|f| f.secret) {
            let var = self.secret(id, value, before);
            return Some(var_template(&var));
        }
        if let Some(var) = self.profile_var(id, value, before) {
            return Some(var_template(&var));
        }
        // The login's user is the site's, as its password is: from the environment.
        if code == MessageCode::LOGIN && id == FieldId::CN {
            let var = self.env_var("SIP_LOGIN_USER", "the user (CN) of the 93 login", value);
            return Some(var_template(&var));
        }
        if let Some((_, var)) = self.secrets.iter().find(|(v, _)| v == value) {
            return Some(var_template(var));
        }
        // None when a `{` next to a secret's variable would read as `{{`.
        Template::parse(&self.hide(value)).ok()
    }

    /// The variable for a secret value of field `id`: the profile's variable holding it (for a
    /// PIN, that of the patron the request names first), else an `env.` variable made for it.
    fn secret(&mut self, id: FieldId, value: &str, before: &[Written]) -> String {
        let preferred = match id {
            FieldId::CO => Some("login.password".to_string()),
            FieldId::AD => record_of(before, FieldId::AA).map(|r| format!("{r}.pin")),
            _ => None,
        };
        let var = match preferred.filter(|p| self.vars.get(p).is_some_and(|v| v == value)) {
            Some(p) => p,
            None => match self.secrets.iter().find(|(v, _)| v == value) {
                Some((_, var)) => var.clone(),
                None => {
                    let (base, what) = match id {
                        FieldId::CO => ("SIP_LOGIN_PASSWORD", "the password (CO) of the 93 login"),
                        FieldId::AD => ("SIP_PATRON_PIN", "a patron's password (AD)"),
                        FieldId::AC => ("SIP_TERMINAL_PASSWORD", "the terminal password (AC)"),
                        _ => ("SIP_SECRET", "a password"),
                    };
                    self.env_var(base, what, value)
                }
            },
        };
        if !self.secrets.iter().any(|(v, n)| v == value && *n == var) {
            self.secrets.push((value.to_string(), var.clone()));
        }
        if !self.all_secrets.iter().any(|s| s == value) {
            self.all_secrets.push(value.to_string());
        }
        var
    }

    /// `env.NAME` for `value`: the one made for it already, else a new NAME (`BASE`,
    /// `BASE_2`, ...).
    fn env_var(&mut self, base: &'static str, what: &'static str, value: &str) -> String {
        if let Some((_, _, name, _)) = self
            .env
            .iter()
            .find(|(v, b, _, _)| v == value && *b == base)
        {
            return format!("env.{name}");
        }
        let taken = self.env.iter().filter(|(_, b, _, _)| *b == base).count();
        let name = if taken == 0 {
            base.to_string()
        } else {
            format!("{base}_{}", taken + 1)
        };
        self.env.push((value.to_string(), base, name.clone(), what));
        format!("env.{name}")
    }

    /// The profile variable that holds `value` for field `id`, when the field is one whose
    /// values profiles keep (institution, login, barcodes, titles, names, currency).
    fn profile_var(&self, id: FieldId, value: &str, request: &[Written]) -> Option<String> {
        let holding: Vec<&String> = self
            .vars
            .iter()
            .filter(|(k, v)| *v == value && !is_secret_name(k))
            .map(|(k, _)| k)
            .collect();
        let leaf = |k: &str, want: &str| k.rsplit('.').next() == Some(want);
        let pick = |ok: &dyn Fn(&str) -> bool, prefer: &dyn Fn(&str) -> bool| {
            let fits: Vec<&String> = holding.iter().copied().filter(|k| ok(k)).collect();
            fits.iter()
                .find(|k| prefer(k))
                .or(fits.first())
                .map(|k| k.to_string())
        };
        let patron = |k: &str| k.split('.').next().is_some_and(|r| r.contains("patron"));
        // A title, name or fee of the record the request named, when there is one.
        let named = |k: &str| {
            let record = k.rsplit_once('.').map_or("", |(r, _)| r);
            [FieldId::AA, FieldId::AB]
                .iter()
                .any(|i| record_of(request, *i).is_some_and(|r| r == record))
        };
        match id {
            FieldId::AO => pick(&|k| k == "institution", &|_| true),
            FieldId::CN => pick(&|k| k == "login.user", &|_| true),
            FieldId::CP => pick(&|k| k == "login.location", &|_| true),
            FieldId::BH => pick(&|k| k == "currency", &|_| true),
            FieldId::AA => pick(&|k| leaf(k, "barcode"), &patron),
            FieldId::AB => pick(&|k| leaf(k, "barcode") || leaf(k, "item"), &|k| {
                !patron(k) && leaf(k, "barcode")
            }),
            FieldId::AJ => pick(&|k| leaf(k, "title"), &named),
            FieldId::AE => pick(&|k| leaf(k, "name"), &named),
            FieldId::CG => pick(&|k| leaf(k, "fee_id"), &named),
            _ => None,
        }
    }

    /// Does `value` hold a known secret (one long enough to be told apart from other text)?
    fn holds_secret(&self, value: &str) -> bool {
        self.all_secrets.iter().any(|s| {
            s == value || (s.chars().count() >= MIN_SECRET_LEN && value.contains(s.as_str()))
        })
    }

    /// `text` with each known secret that has a variable replaced by it (longest first).
    fn hide(&self, text: &str) -> String {
        let mut secrets: Vec<&(String, String)> = self
            .secrets
            .iter()
            .filter(|(v, _)| v.chars().count() >= MIN_SECRET_LEN)
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        let mut out = text.to_string();
        for (value, var) in secrets {
            out = out.replace(value.as_str(), &format!("{{{{ {var} }}}}"));
        }
        out
    }
}

/// `{{ var }}`.
fn var_template(var: &str) -> Template {
    literal(&format!("{{{{ {var} }}}}"))
}

/// The profile record whose variable the request's `id` field was written as
/// (`patron` for `{{ patron.barcode }}`).
fn record_of(request: &[Written], id: FieldId) -> Option<String> {
    let t = &request.iter().find(|w| w.id == id)?.template;
    let name = t.names().next()?;
    (t.as_str() == format!("{{{{ {name} }}}}"))
        .then(|| name.rsplit_once('.').map(|(r, _)| r.to_string()))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip2::Context;

    fn exchange(typed: &str, answer: &str) -> Recorded {
        let sent = typed.replace("{now}", &crate::sip2::date::now());
        let response = crate::sip2::analyze(answer.as_bytes(), &Context::default()).unwrap();
        Recorded {
            typed: typed.to_string(),
            sent,
            response,
        }
    }

    fn session<'a>(profile: Option<&'a Profile>, secrets: &[&str]) -> Session<'a> {
        Session {
            endpoint: "127.0.0.1:6001".into(),
            profile: profile.map(|p| (p, "site.yaml".to_string())),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            ..Session::default()
        }
    }

    fn site() -> Profile {
        Profile::parse(
            "volatile: [AG]\nvars:\n  institution: \"BR1\"\n  login: { user: \"term\", password: \"s3cret\", location: \"BR1\" }\n  patron: { barcode: \"P1\", pin: \"4817\", name: \"Ann Reader\" }\n  item: { barcode: \"I1\", title: \"Snow crash\" }\n",
            Path::new("site.yaml"),
        )
        .unwrap()
    }

    const DATE: &str = "20261202    101500";

    #[test]
    fn profile_values_become_variables_and_no_password_is_written() {
        let profile = site();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.yaml");
        let exchanges = [
            exchange("9300CNterm|COs3cret|CPBR1|", "941"),
            exchange(
                "23001{now}AOBR1|AAP1|AC|AD4817|",
                &format!(
                    "24              001{DATE}AOBR1|AAP1|AEAnn Reader|BLY|CQY|AD4817|AFWelcome, s3cret!|"
                ),
            ),
        ];
        let text = record(&path, &exchanges, &session(Some(&profile), &["s3cret"])).unwrap();
        for want in [
            "        CN: \"{{ login.user }}\"\n        CO: \"{{ login.password }}\"\n        CP: \"{{ login.location }}\"\n",
            "        AA: \"{{ patron.barcode }}\"\n        AC: \"\"\n        AD: \"{{ patron.pin }}\"\n",
            "        transaction_date: { date: true }\n",
            "        AE: \"{{ patron.name }}\"\n",
            "        AD: present\n",
            "        AF: present\n",
            "#   sip2check run ",
        ] {
            assert!(text.contains(want), "{want:?} in\n{text}");
        }
        assert!(!text.contains("s3cret") && !text.contains("4817"), "{text}");
        assert!(
            !text.contains("environment variables"),
            "the profile has them all"
        );
        let s = crate::scenario::load_text(&path, &text).unwrap();
        assert_eq!(s.steps[1].id, "patron-status-request");
    }

    #[test]
    fn without_a_profile_secrets_come_from_environment_variables_the_header_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.yaml");
        // The user name is the password, as on many test servers: neither is written.
        let exchanges = [
            exchange("9300CNsip_01|COsip_01|CPBR1|", "941"),
            exchange(
                "2300120261202    101500AOBR1|AAP1|AC|AD4817|",
                "24              00120261202    101500AOBR1|AAP1|AEAnn Reader|",
            ),
            exchange(
                "2300120261202    101500AOBR1|AAP2|AC|AD5555|",
                "24              00120261202    101500AOBR1|AAP2|",
            ),
        ];
        let text = record(&path, &exchanges, &session(None, &["sip_01"])).unwrap();
        for want in [
            "CN: \"{{ env.SIP_LOGIN_USER }}\"",
            "CO: \"{{ env.SIP_LOGIN_PASSWORD }}\"",
            "AD: \"{{ env.SIP_PATRON_PIN }}\"",
            "AD: \"{{ env.SIP_PATRON_PIN_2 }}\"",
            "#   SIP_LOGIN_PASSWORD       the password (CO) of the 93 login\n",
            "#   SIP_PATRON_PIN_2         a patron's password (AD)\n",
            "        AA: P1\n",
            "        AE: present\n",
            "--profile YOUR-PROFILE.yaml",
        ] {
            assert!(text.contains(want), "{want:?} in\n{text}");
        }
        assert!(!text.contains("sip_01") && !text.contains("4817") && !text.contains("5555"));
    }

    #[test]
    fn volatile_values_get_matchers_and_stable_ones_their_values() {
        let profile = site();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.yaml");
        let answer = format!(
            "121NNY{DATE}AOBR1|AAP1|ABI1|AJSnow crash|AH20261216    235900|BKTX-991|AFDue 20261216    235900.|AGprinted|ZZvendor|CK001|"
        );
        let exchanges = [exchange(
            "11YN{now}                  AOBR1|AAP1|ABI1|AC|",
            &answer,
        )];
        let text = record(&path, &exchanges, &session(Some(&profile), &[])).unwrap();
        for want in [
            "        sc_renewal_policy: \"Y\"\n        no_block: \"N\"\n        nb_due_date: \"                  \"\n",
            "        ok: \"1\"\n",
            "        transaction_date: { date: true }\n",
            "        AJ: \"{{ item.title }}\"\n",
            "        AH: present\n",
            "        BK: present\n",
            "        AG: present\n",
            "        CK: \"001\"\n",
            "# Not checked: ZZ in the Checkout Response",
        ] {
            assert!(text.contains(want), "{want:?} in\n{text}");
        }
        assert!(
            !text.contains("transaction_date: \""),
            "the request's date is now"
        );
        let s = crate::scenario::load_text(&path, &text).unwrap();
        let af = &s.steps[0]
            .expect
            .fields
            .iter()
            .find(|(id, _)| *id == FieldId::AF)
            .unwrap()
            .1;
        let Matcher::Matches(re) = &af.matcher else {
            panic!("{af:?}")
        };
        let re = regex::Regex::new(re.as_str()).unwrap();
        assert!(re.is_match("Due 20270101    120000.") && !re.is_match("Due soon."));
    }

    #[test]
    fn raw_requests_keep_now_and_hide_their_secrets_and_unknown_answers_get_a_leader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.yaml");
        let exchanges = [
            // A vendor field: the table's form cannot say it, so the text is sent as written.
            exchange("63001{now}          AOBR1|AAP1|AD4817|ZZx|", "XX1"),
            exchange("9300CNu|COpw|AY1AZF000", "941"),
        ];
        let text = record(&path, &exchanges, &session(None, &[])).unwrap();
        assert!(
            text.contains(
                "    send: \"63001{{ now }}          AOBR1|AAP1|AD{{ env.SIP_PATRON_PIN }}|ZZx|\"\n"
            ),
            "{text}"
        );
        assert!(text.contains("      leader: '^XX'\n"), "{text}");
        // A trailer written by hand is sent as written (a bad checksum on purpose).
        assert!(
            text.contains(
                "send: \"9300CN{{ env.SIP_LOGIN_USER }}|CO{{ env.SIP_LOGIN_PASSWORD }}|AY1AZF000\""
            ),
            "{text}"
        );
        assert!(!text.contains("4817"));
        let braces = [exchange("99{{ x }}", "98")];
        assert_eq!(
            record(&path, &braces, &session(None, &[])),
            Err(RecordError::Braces(1))
        );
        // Text that is no message, holding the --login password: nothing is written.
        let leaky = [exchange("!!s3cret", "941")];
        assert_eq!(
            record(&path, &leaky, &session(None, &["s3cret"])),
            Err(RecordError::Secret)
        );
    }
}
