//! What each load connection sends, and how each answer is judged.
//!
//! The built-in self-check mix ([`Mix`]): a login and a 99 per connection, then visits of a
//! kiosk patron: 63 patron information; for each item 17 item information and 11 checkout;
//! 29 renew of the first item; 09 checkin of each item; and a 99 every few minutes. Every
//! checkout is followed by its checkin, so a finished run leaves the library as it found it.
//! A `--scenario` runs its steps in a loop instead, judged by its own checks too.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::conn::Answer;
use super::stats::{ErrorClass, Outcome};
use crate::check;
use crate::scenario::{Scenario, Scope};
use crate::sip2::encode::fixed_part;
use crate::sip2::lint::{Context, RequestInfo};
use crate::sip2::{
    self, Direction, Encoding, FieldId, Message, MessageCode, Rule, Severity, System, Terminator,
    spec,
};
use crate::transport::ErrorDetection;

/// How often a kiosk sends SC status by default (Evergreen's and Koha's self-checks: minutes).
pub const STATUS_EVERY: Duration = Duration::from_secs(180);
/// Requests a connection may still send after the run ends, to return what it checked out.
const CLEANUP_BUDGET: u32 = 8;

/// The values the mix needs, from a profile's variables.
#[derive(Clone)]
pub struct Mix {
    /// AO.
    pub institution: String,
    /// The 93 login (CN, CO, CP); none when the server needs no login.
    pub login: Option<(String, String, Option<String>)>,
    /// AA of the kiosk patron.
    pub patron: String,
    /// AD of the kiosk patron.
    pub pin: Option<String>,
    /// Available items the patron may borrow (checked out and back in).
    pub items: Vec<String>,
    /// How often to send SC status.
    pub status_every: Duration,
}

impl std::fmt::Debug for Mix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mix")
            .field("institution", &self.institution)
            .field("login", &self.login.as_ref().map(|l| &l.0))
            .field("patron", &self.patron)
            .field("items", &self.items)
            .finish_non_exhaustive()
    }
}

impl Mix {
    /// The mix for a profile's variables: `institution`, `login.*` (optional), `patron.barcode`,
    /// `patron.pin` (optional), `item.barcode` and, when present, `item2.barcode`.
    pub fn from_vars(vars: &BTreeMap<String, String>) -> Result<Mix, String> {
        let need = |k: &str| {
            vars.get(k).cloned().ok_or_else(|| {
                format!("the self-check mix needs the profile variable {k} (see fixtures/profiles/emulator.yaml)")
            })
        };
        let login = vars.get("login.user").map(|user| {
            (
                user.clone(),
                vars.get("login.password").cloned().unwrap_or_default(),
                vars.get("login.location").cloned(),
            )
        });
        let mut items = vec![need("item.barcode")?];
        items.extend(vars.get("item2.barcode").cloned());
        Ok(Mix {
            institution: need("institution")?,
            login,
            patron: need("patron.barcode")?,
            pin: vars.get("patron.pin").cloned(),
            items,
            status_every: STATUS_EVERY,
        })
    }

    /// The requests of one patron visit, in order.
    fn visit(&self) -> Vec<Kind> {
        let mut v = vec![Kind::PatronInfo];
        for i in 0..self.items.len() {
            v.extend([Kind::ItemInfo(i), Kind::Checkout(i)]);
        }
        v.push(Kind::Renew(0));
        v.extend((0..self.items.len()).map(Kind::Checkin));
        v
    }

    /// The request text of `kind` with transaction date `now`.
    fn build(&self, kind: Kind, now: &str) -> Result<String, String> {
        let blank = " ".repeat(18);
        let (code, fixed): (MessageCode, Vec<(&str, &str)>) = match kind {
            Kind::Login => (
                MessageCode::LOGIN,
                vec![("uid_algorithm", "0"), ("pwd_algorithm", "0")],
            ),
            Kind::Status => (
                MessageCode::SC_STATUS,
                vec![
                    ("status_code", "0"),
                    ("max_print_width", "030"),
                    ("protocol_version", "2.00"),
                ],
            ),
            Kind::PatronInfo => (
                MessageCode::PATRON_INFORMATION,
                vec![
                    ("language", "001"),
                    ("transaction_date", now),
                    ("summary", "          "),
                ],
            ),
            Kind::ItemInfo(_) => (
                MessageCode::ITEM_INFORMATION,
                vec![("transaction_date", now)],
            ),
            Kind::Checkout(_) => (
                MessageCode::CHECKOUT,
                vec![
                    ("sc_renewal_policy", "Y"),
                    ("no_block", "N"),
                    ("transaction_date", now),
                    ("nb_due_date", &blank),
                ],
            ),
            Kind::Renew(_) => (
                MessageCode::RENEW,
                vec![
                    ("third_party_allowed", "N"),
                    ("no_block", "N"),
                    ("transaction_date", now),
                    ("nb_due_date", &blank),
                ],
            ),
            Kind::Checkin(_) => (
                MessageCode::CHECKIN,
                vec![
                    ("no_block", "N"),
                    ("transaction_date", now),
                    ("return_date", now),
                ],
            ),
        };
        let spec = spec::message(code).ok_or_else(|| format!("no message {code} in the table"))?;
        let mut msg = Message::new(
            code,
            fixed_part(spec, fixed.iter().copied()).map_err(|e| e.to_string())?,
        );
        let item = |i: usize| self.items.get(i).map_or("", String::as_str);
        let ao = self.institution.as_str();
        let pin = self.pin.as_deref();
        match kind {
            Kind::Login => {
                let (user, password, location) = self.login.clone().unwrap_or_default();
                msg.push(FieldId::CN, user);
                msg.push(FieldId::CO, password);
                if let Some(l) = location {
                    msg.push(FieldId::CP, l);
                }
            }
            Kind::Status => {}
            Kind::PatronInfo => {
                msg.push(FieldId::AO, ao);
                msg.push(FieldId::AA, self.patron.as_str());
                msg.push(FieldId::AC, "");
                if let Some(pin) = pin {
                    msg.push(FieldId::AD, pin);
                }
            }
            Kind::ItemInfo(i) => {
                msg.push(FieldId::AO, ao);
                msg.push(FieldId::AB, item(i));
                msg.push(FieldId::AC, "");
            }
            Kind::Checkout(i) | Kind::Renew(i) => {
                msg.push(FieldId::AO, ao);
                msg.push(FieldId::AA, self.patron.as_str());
                if let Some(pin) = pin {
                    msg.push(FieldId::AD, pin);
                }
                msg.push(FieldId::AB, item(i));
                msg.push(FieldId::AC, "");
            }
            Kind::Checkin(i) => {
                let location = self.login.as_ref().and_then(|l| l.2.as_deref());
                msg.push(FieldId::AP, location.unwrap_or(ao));
                msg.push(FieldId::AO, ao);
                msg.push(FieldId::AB, item(i));
                msg.push(FieldId::AC, "");
            }
        }
        Ok(sip2::encode(&msg))
    }
}

/// What each connection sends.
#[derive(Debug, Clone)]
pub enum Workload {
    /// The built-in self-check mix.
    Mix(Mix),
    /// A scenario's steps in a loop, with the profile's variables and dialect (which
    /// systems' checks apply).
    Scenario(
        Arc<Scenario>,
        Arc<BTreeMap<String, String>>,
        Arc<Vec<System>>,
    ),
}

impl Workload {
    /// A short description for reports.
    pub fn describe(&self) -> String {
        match self {
            Workload::Mix(_) => "self-check mix".into(),
            Workload::Scenario(s, _, _) => format!("scenario {} ({})", s.id, s.file.display()),
        }
    }
}

/// A request of the mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Login,
    Status,
    PatronInfo,
    ItemInfo(usize),
    Checkout(usize),
    Renew(usize),
    Checkin(usize),
}

/// How requests go on the wire.
#[derive(Debug, Clone, Copy)]
pub struct WireOptions {
    /// The terminator of requests.
    pub terminator: Terminator,
    /// The encoding of requests and answers.
    pub encoding: Encoding,
    /// Whether requests carry AY/AZ.
    pub error_detection: ErrorDetection,
    /// How long each answer may take.
    pub response_timeout: Duration,
}

/// The next request of a connection.
pub struct Request<'a> {
    /// Its code.
    pub code: MessageCode,
    /// The encoded message, without trailer and terminator.
    pub body: &'a [u8],
    /// Add AY/AZ.
    pub trailer: bool,
    /// The terminator.
    pub terminator: Terminator,
    /// How long to wait for the answer.
    pub timeout: Duration,
}

/// One connection's position in its workload.
pub enum Driver {
    /// The self-check mix.
    Mix(Box<MixDriver>),
    /// A scenario.
    Scenario(Box<ScenarioDriver>),
}

impl Driver {
    /// A driver for one connection of `workload`.
    pub fn new(workload: &Workload, wire: WireOptions) -> Result<Driver, String> {
        Ok(match workload {
            Workload::Mix(mix) => Driver::Mix(Box::new(MixDriver::new(mix, wire)?)),
            Workload::Scenario(s, vars, dialect) => Driver::Scenario(Box::new(ScenarioDriver {
                scenario: s.clone(),
                vars: vars.clone(),
                dialect: dialect.clone(),
                captures: BTreeMap::new(),
                pos: 0,
                body: Vec::new(),
                wire,
                seen_checksum: false,
                budget: CLEANUP_BUDGET,
                code: MessageCode::REQUEST_SC_RESEND,
                verbatim: None,
            })),
        })
    }

    /// A new connection is open: it starts with the login.
    pub fn connected(&mut self) {
        match self {
            Driver::Mix(d) => d.connected(),
            Driver::Scenario(d) => {
                d.pos = 0;
                d.captures.clear();
            }
        }
    }

    /// True when, the run being over, there is still something to put back.
    pub fn wants_cleanup(&self) -> bool {
        match self {
            Driver::Mix(d) => d.budget > 0 && d.out.iter().any(|o| *o),
            Driver::Scenario(d) => d.budget > 0 && d.pos > 0,
        }
    }

    /// Uses up one request (or connection) of the cleanup budget.
    pub fn spend(&mut self) {
        match self {
            Driver::Mix(d) => d.budget = d.budget.saturating_sub(1),
            Driver::Scenario(d) => d.budget = d.budget.saturating_sub(1),
        }
    }

    /// Items this connection may have left checked out.
    pub fn left_out(&self) -> u64 {
        match self {
            Driver::Mix(d) => d.out.iter().filter(|o| **o).count() as u64,
            Driver::Scenario(_) => 0,
        }
    }

    /// The next request; `stopping` after the run's end (then only what puts things back).
    pub fn next(&mut self, stopping: bool) -> Result<Option<Request<'_>>, String> {
        match self {
            Driver::Mix(d) => d.next(stopping),
            Driver::Scenario(d) => d.next(stopping),
        }
    }

    /// Judges the answer to the request `next` returned; the flag says the connection
    /// should stop for good (a refused login).
    pub fn judge(&mut self, answer: &[u8], meta: &Answer, seq: Option<u8>) -> (Outcome, bool) {
        match self {
            Driver::Mix(d) => d.judge(answer, meta, seq),
            Driver::Scenario(d) => (d.judge(answer, meta, seq), false),
        }
    }

    /// The request `next` returned got no answer.
    pub fn lost(&mut self) {
        if let Driver::Mix(d) = self {
            d.current = None;
        }
    }
}

/// The mix's state on one connection.
pub struct MixDriver {
    mix: Mix,
    visit: Vec<Kind>,
    pos: usize,
    pending: Vec<Kind>,
    /// Items checked out (or maybe: the answer was lost), to be checked in.
    out: Vec<bool>,
    last_status: Instant,
    /// Encoded requests for the current second (their transaction date), by kind.
    cache: Vec<(Kind, Vec<u8>)>,
    cache_second: u64,
    current: Option<Kind>,
    wire: WireOptions,
    seen_checksum: bool,
    budget: u32,
}

impl MixDriver {
    fn new(mix: &Mix, wire: WireOptions) -> Result<MixDriver, String> {
        let mut d = MixDriver {
            visit: mix.visit(),
            out: vec![false; mix.items.len()],
            mix: mix.clone(),
            pos: 0,
            pending: Vec::new(),
            last_status: Instant::now(),
            cache: Vec::new(),
            cache_second: u64::MAX,
            current: None,
            wire,
            seen_checksum: false,
            budget: CLEANUP_BUDGET,
        };
        // Build every request once now, so a profile value the encoding cannot carry fails
        // the run before it starts rather than on every request.
        let now = sip2::date::now();
        for kind in d
            .visit
            .clone()
            .into_iter()
            .chain([Kind::Login, Kind::Status])
        {
            let text = d.mix.build(kind, &now)?;
            wire.encoding
                .encode_checked(&text)
                .map_err(|e| e.to_string())?;
        }
        d.connected();
        Ok(d)
    }

    fn connected(&mut self) {
        // Popped from the back: the login goes first.
        self.pending = vec![Kind::Status];
        if self.mix.login.is_some() {
            self.pending.push(Kind::Login);
        }
        self.last_status = Instant::now();
    }

    fn next(&mut self, stopping: bool) -> Result<Option<Request<'_>>, String> {
        let kind = if stopping {
            if !self.out.iter().any(|o| *o) || self.budget == 0 {
                return Ok(None);
            }
            self.pending.retain(|k| *k == Kind::Login);
            match self.pending.pop() {
                Some(k) => k,
                None => match self.out.iter().position(|o| *o) {
                    Some(i) => Kind::Checkin(i),
                    None => return Ok(None),
                },
            }
        } else if let Some(k) = self.pending.pop() {
            k
        } else if self.last_status.elapsed() >= self.mix.status_every {
            self.last_status = Instant::now();
            Kind::Status
        } else {
            let k = self.visit.get(self.pos).copied().unwrap_or(Kind::Status);
            self.pos = (self.pos + 1) % self.visit.len().max(1);
            k
        };
        if let Kind::Checkout(i) = kind
            && let Some(o) = self.out.get_mut(i)
        {
            *o = true;
        }
        self.current = Some(kind);
        let code = code_of(kind);
        let trailer = match self.wire.error_detection {
            ErrorDetection::Off => false,
            ErrorDetection::On => true,
            ErrorDetection::Auto => self.seen_checksum,
        };
        let (terminator, timeout) = (self.wire.terminator, self.wire.response_timeout);
        let body = self.body(kind)?;
        Ok(Some(Request {
            code,
            body,
            trailer,
            terminator,
            timeout,
        }))
    }

    /// The encoded request, rebuilt when the second of its transaction date has passed.
    fn body(&mut self, kind: Kind) -> Result<&[u8], String> {
        let second = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if second != self.cache_second {
            self.cache.clear();
            self.cache_second = second;
        }
        let i = match self.cache.iter().position(|(k, _)| *k == kind) {
            Some(i) => i,
            None => {
                let text = self.mix.build(kind, &sip2::date::now())?;
                let bytes = self
                    .wire
                    .encoding
                    .encode_checked(&text)
                    .map_err(|e| e.to_string())?
                    .into_owned();
                self.cache.push((kind, bytes));
                self.cache.len() - 1
            }
        };
        Ok(self.cache.get(i).map_or(&[][..], |(_, b)| b.as_slice()))
    }

    fn judge(&mut self, answer: &[u8], meta: &Answer, seq: Option<u8>) -> (Outcome, bool) {
        let Some(kind) = self.current.take() else {
            return (Outcome::Failed(ErrorClass::WrongType, None), false);
        };
        let code = code_of(kind);
        let (outcome, checksummed) = judge_lean(answer, meta, code, seq, self.wire.encoding);
        self.seen_checksum |= checksummed;
        let right_type = !matches!(
            outcome,
            Outcome::Failed(ErrorClass::NotSip | ErrorClass::WrongType, _)
        );
        if let Kind::Checkin(i) = kind
            && right_type
            && let Some(o) = self.out.get_mut(i)
        {
            *o = false;
        }
        if kind == Kind::Login {
            return match outcome {
                Outcome::Answered { refused: true } => {
                    (Outcome::Failed(ErrorClass::LoginRefused, None), true)
                }
                Outcome::Answered { refused: false } => (outcome, false),
                // A server that answers the login with something else will not serve this account.
                other => (other, true),
            };
        }
        (outcome, false)
    }
}

fn code_of(kind: Kind) -> MessageCode {
    match kind {
        Kind::Login => MessageCode::LOGIN,
        Kind::Status => MessageCode::SC_STATUS,
        Kind::PatronInfo => MessageCode::PATRON_INFORMATION,
        Kind::ItemInfo(_) => MessageCode::ITEM_INFORMATION,
        Kind::Checkout(_) => MessageCode::CHECKOUT,
        Kind::Renew(_) => MessageCode::RENEW,
        Kind::Checkin(_) => MessageCode::CHECKIN,
    }
}

/// The lint context of an answer to `code` (sent with AY `seq`).
fn answer_context<'a>(
    raw: &'a [u8],
    meta: &Answer,
    code: MessageCode,
    seq: Option<u8>,
    trailer: bool,
    encoding: Encoding,
) -> Context<'a> {
    Context {
        raw: Some(raw),
        terminator: Some(meta.terminator),
        leading_lf: meta.leading_lf,
        encoding: Some(encoding),
        error_detection: trailer,
        direction: Some(Direction::AcsToSc),
        request: Some(RequestInfo { code, seq }),
        ..Context::default()
    }
}

/// Parses and lints an answer without copying it; the flag says it carried a checksum.
fn judge_lean(
    raw: &[u8],
    meta: &Answer,
    code: MessageCode,
    seq: Option<u8>,
    encoding: Encoding,
) -> (Outcome, bool) {
    let (text, _) = encoding.decode(raw);
    let ctx = answer_context(raw, meta, code, seq, seq.is_some(), encoding);
    let Ok((parsed, _)) = sip2::analyze_in_place(raw, &text, &ctx) else {
        return (Outcome::Failed(ErrorClass::NotSip, None), false);
    };
    let checksummed = parsed.msg.trailer.is_some();
    let expected = spec::message(code).and_then(|s| s.response);
    if expected.is_some_and(|e| e != parsed.msg.code) {
        return (Outcome::Failed(ErrorClass::WrongType, None), checksummed);
    }
    if let Some(v) = parsed
        .violations
        .iter()
        .find(|v| v.severity == Severity::Error)
    {
        return (
            Outcome::Failed(ErrorClass::Lint, Some(v.rule.code())),
            checksummed,
        );
    }
    let refused = parsed.msg.fixed_field("ok") == Some("0");
    (Outcome::Answered { refused }, checksummed)
}

/// A scenario's state on one connection.
pub struct ScenarioDriver {
    scenario: Arc<Scenario>,
    vars: Arc<BTreeMap<String, String>>,
    dialect: Arc<Vec<System>>,
    captures: BTreeMap<String, String>,
    /// The step to send next.
    pos: usize,
    body: Vec<u8>,
    wire: WireOptions,
    seen_checksum: bool,
    budget: u32,
    /// The current request's code, and its own AY/AZ when it carried them (sent verbatim).
    code: MessageCode,
    verbatim: Option<Option<u8>>,
}

impl ScenarioDriver {
    fn next(&mut self, stopping: bool) -> Result<Option<Request<'_>>, String> {
        if stopping && (self.pos == 0 || self.budget == 0) {
            return Ok(None);
        }
        let Some(step) = self.scenario.steps.get(self.pos) else {
            return Ok(None);
        };
        let scope = Scope {
            vars: Some(&self.vars),
            captures: std::mem::take(&mut self.captures),
        };
        let text = crate::runner::exec::build_request(step, &scope);
        self.captures = scope.captures;
        let text = text.map_err(|e| format!("step {} ({}): {e}", self.pos + 1, step.loc))?;
        let parsed = sip2::parse(&text).ok();
        // A request of no known code is still sent; its answer is judged by the checks alone.
        self.code = parsed
            .as_ref()
            .map_or(MessageCode::REQUEST_SC_RESEND, |p| p.msg.code);
        // A request that already ends in AY/AZ is sent as written (how a scenario sends a bad checksum).
        self.verbatim = parsed.and_then(|p| p.msg.trailer).map(|t| t.seq);
        self.body = self
            .wire
            .encoding
            .encode_checked(&text)
            .map_err(|e| format!("step {}: {e}", self.pos + 1))?
            .into_owned();
        let detection = match self.wire.error_detection {
            ErrorDetection::Off => false,
            ErrorDetection::On => true,
            ErrorDetection::Auto => self.seen_checksum,
        };
        let trailer = self.verbatim.is_none()
            && step
                .checksum
                .or(self.scenario.checksum)
                .unwrap_or(detection);
        Ok(Some(Request {
            code: self.code,
            body: &self.body,
            trailer,
            terminator: step.terminator.unwrap_or(self.wire.terminator),
            timeout: step.timeout.unwrap_or(self.wire.response_timeout),
        }))
    }

    fn judge(&mut self, raw: &[u8], meta: &Answer, seq: Option<u8>) -> Outcome {
        let pos = self.pos;
        self.pos = (self.pos + 1) % self.scenario.steps.len().max(1);
        if self.pos == 0 {
            self.captures.clear();
        }
        let Some(step) = self.scenario.steps.get(pos) else {
            return Outcome::Failed(ErrorClass::Check, None);
        };
        let code = self.code;
        let (seq, trailer) = match self.verbatim {
            Some(own) => (own, true),
            None => (seq, seq.is_some()),
        };
        let ctx = answer_context(raw, meta, code, seq, trailer, self.wire.encoding);
        let Ok(analysis) = sip2::analyze(raw, &ctx) else {
            return Outcome::Failed(ErrorClass::NotSip, None);
        };
        self.seen_checksum |= analysis.checksum.present;
        let expected = spec::message(code).and_then(|s| s.response);
        // A step that expects a 96 (a bad checksum sent on purpose) says so with `message:`.
        let wanted = step.expect.message.map(|m| m.code).or(expected);
        if wanted.is_some_and(|e| e != analysis.msg.code) {
            return Outcome::Failed(ErrorClass::WrongType, None);
        }
        let accepted = |r: Rule| {
            step.expect.lint.contains(&r) || step.expect.violations.iter().any(|c| c.rule == r)
        };
        if let Some(v) = analysis
            .violations
            .iter()
            .find(|v| v.severity == Severity::Error && !accepted(v.rule))
        {
            return Outcome::Failed(ErrorClass::Lint, Some(v.rule.code()));
        }
        let scope = Scope {
            vars: Some(&self.vars),
            captures: std::mem::take(&mut self.captures),
        };
        let judge = check::Judge {
            dialect: &self.dialect,
            strict: false,
        };
        let checks = check::compare(&step.expect, &analysis, &scope, &judge);
        self.captures = scope.captures;
        let (values, captured) = check::capture(&step.capture, &analysis);
        if self.pos != 0 {
            for c in values {
                self.captures.insert(c.name, c.value);
            }
        }
        if checks.iter().chain(&captured).any(|c| !c.passed) {
            return Outcome::Failed(ErrorClass::Check, None);
        }
        let refused = analysis.msg.fixed_field("ok") == Some("0");
        Outcome::Answered { refused }
    }
}

/// Why a scenario cannot run under load, if it cannot.
pub fn unsuitable(s: &Scenario) -> Option<String> {
    if s.steps.is_empty() {
        return Some(format!("scenario {} has no steps", s.id));
    }
    s.steps.iter().position(|st| st.expect.closed).map(|i| {
        format!(
            "step {} of {} expects the server to close the connection; load keeps its connections open",
            i + 1,
            s.id
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Profile;
    use crate::sip2::lint;

    fn wire() -> WireOptions {
        WireOptions {
            terminator: Terminator::Cr,
            encoding: Encoding::Utf8,
            error_detection: ErrorDetection::Off,
            response_timeout: Duration::from_secs(1),
        }
    }

    fn mix() -> Mix {
        Mix::from_vars(&Profile::emulator().unwrap().vars).unwrap()
    }

    #[test]
    fn every_mix_request_is_a_clean_request() {
        let m = mix();
        let now = sip2::date::now();
        for kind in m.visit().into_iter().chain([Kind::Login, Kind::Status]) {
            let text = m.build(kind, &now).unwrap();
            let p = sip2::parse(&text).unwrap();
            assert_eq!(p.msg.code, code_of(kind));
            let mut v = p.violations.clone();
            lint::lint_into(
                &p.msg,
                &text,
                &Context {
                    direction: Some(Direction::ScToAcs),
                    ..Context::default()
                },
                &mut v,
            );
            assert!(
                v.iter().all(|v| v.severity != Severity::Error),
                "{text}: {v:?}"
            );
        }
    }

    #[test]
    fn a_visit_checks_in_everything_it_checks_out() {
        let v = mix().visit();
        assert_eq!(v.first(), Some(&Kind::PatronInfo));
        for (i, k) in v.iter().enumerate() {
            if let Kind::Checkout(item) = k {
                assert!(v[i..].contains(&Kind::Checkin(*item)), "{v:?}");
            }
        }
    }

    #[test]
    fn the_mix_needs_its_variables() {
        let mut vars = Profile::emulator().unwrap().vars;
        vars.remove("item.barcode");
        let e = Mix::from_vars(&vars).unwrap_err();
        assert!(e.contains("item.barcode"), "{e}");
    }

    #[test]
    fn a_connection_logs_in_then_asks_status_and_stopping_returns_items() {
        let mut d = Driver::new(&Workload::Mix(mix()), wire()).unwrap();
        let mut codes = Vec::new();
        for _ in 0..5 {
            let r = d.next(false).unwrap().unwrap();
            codes.push(r.code);
            d.lost();
        }
        assert_eq!(
            codes,
            [
                MessageCode::LOGIN,
                MessageCode::SC_STATUS,
                MessageCode::PATRON_INFORMATION,
                MessageCode::ITEM_INFORMATION,
                MessageCode::CHECKOUT
            ]
        );
        assert!(
            d.wants_cleanup(),
            "the checkout's answer was lost: the item may be out"
        );
        d.connected();
        assert_eq!(d.next(true).unwrap().unwrap().code, MessageCode::LOGIN);
        d.lost();
        assert_eq!(d.next(true).unwrap().unwrap().code, MessageCode::CHECKIN);
        for _ in 0..CLEANUP_BUDGET {
            d.spend();
        }
        assert!(!d.wants_cleanup() && d.next(true).unwrap().is_none());
        assert_eq!(d.left_out(), 1);
    }

    #[test]
    fn answers_are_judged_by_type_lint_and_ok() {
        let meta = |raw: &[u8]| Answer::test(raw.len());
        let j = |raw: &[u8], code| judge_lean(raw, &meta(raw), code, None, Encoding::Utf8).0;
        let now = sip2::date::now();
        let checkin = format!("101YNN{now}AOBR1|AB1|AQBR1|");
        assert_eq!(
            j(checkin.as_bytes(), MessageCode::CHECKIN),
            Outcome::Answered { refused: false }
        );
        let refused = format!("100YNN{now}AOBR1|AB1|AQBR1|");
        assert_eq!(
            j(refused.as_bytes(), MessageCode::CHECKIN),
            Outcome::Answered { refused: true }
        );
        assert_eq!(
            j(b"96", MessageCode::CHECKIN),
            Outcome::Failed(ErrorClass::WrongType, None)
        );
        assert_eq!(
            j(b"\x01\x02", MessageCode::CHECKIN),
            Outcome::Failed(ErrorClass::NotSip, None)
        );
        assert_eq!(
            j(b"941AY1AZ0000", MessageCode::LOGIN),
            Outcome::Failed(ErrorClass::Lint, Some("checksum"))
        );
    }
}
