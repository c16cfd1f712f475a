//! `sip2check probe`: a health check for monitoring. For each SIP account, on its own
//! connection: connect, 93 login, 99 SC status and, optionally, 23 patron status of a known
//! patron; each account ends in one [`Class`] with the latency of every phase.
//!
//! Main types: [`ProbeConfig`], [`AccountResult`]; [`metrics`] turns results into Prometheus
//! metrics, [`http`] serves them. Never prints; never puts a password in a result.

pub mod http;
pub mod metrics;

use std::fmt;
use std::time::{Duration, Instant};

use crate::report::style::Palette;
use crate::sip2::encode::fixed_part;
use crate::sip2::{self, Analysis, FieldId, Message, MessageCode, Severity, spec};
use crate::transport::{ConnectOptions, Session, StepOptions, TransportError, Wait};

/// One SIP account (CN, CO, CP of the 93 login). `Debug` masks the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// CN.
    pub user: String,
    /// CO.
    pub password: String,
    /// CP, when given.
    pub location: Option<String>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("user", &self.user)
            .field("password", &crate::sip2::redact::MASK)
            .field("location", &self.location)
            .finish()
    }
}

/// The patron whose status is asked for (AA, AD).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patron {
    /// AA.
    pub barcode: String,
    /// AD, when known.
    pub pin: Option<String>,
}

/// What to probe.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// How to reach the server (each account gets its own connection with these settings).
    pub connect: ConnectOptions,
    /// The accounts, probed at the same time.
    pub accounts: Vec<Account>,
    /// AO of the patron status request (default: the AO of the 98).
    pub institution: Option<String>,
    /// Ask for this patron's status after the SC status.
    pub patron: Option<Patron>,
    /// A whole probe slower than this is `slow`, a warning.
    pub warn: Duration,
    /// A whole probe slower than this is `slow`, critical.
    pub crit: Duration,
}

/// How one account's probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Every answer came, of the right type, without lint errors, in time.
    Ok,
    /// Everything answered, but the whole probe took longer than the warning or critical limit.
    Slow,
    /// No connection: refused, no route, a name that does not resolve, or a connect timeout.
    Unreachable,
    /// Connected, but an answer did not come within the timeout.
    Silent,
    /// The login was answered with 940.
    BadCredentials,
    /// The server closed the connection instead of answering.
    Refused,
    /// An answer that is not SIP, of the wrong type, or with an error-severity lint finding
    /// (also a failed TLS handshake or telnet login).
    Protocol,
    /// The patron status says the profile's patron is unknown (BL N) or its PIN wrong (CQ N).
    BadPatron,
}

impl Class {
    /// Every class, in the order of the README.
    pub const ALL: [Class; 8] = [
        Class::Ok,
        Class::Slow,
        Class::Unreachable,
        Class::Silent,
        Class::BadCredentials,
        Class::Refused,
        Class::Protocol,
        Class::BadPatron,
    ];

    /// The name printed and used as a metric label.
    pub fn name(self) -> &'static str {
        match self {
            Class::Ok => "ok",
            Class::Slow => "slow",
            Class::Unreachable => "unreachable",
            Class::Silent => "silent",
            Class::BadCredentials => "bad-credentials",
            Class::Refused => "refused",
            Class::Protocol => "protocol",
            Class::BadPatron => "bad-patron",
        }
    }

    /// True when the server answered everything (the `up` metric).
    pub fn is_up(self) -> bool {
        matches!(self, Class::Ok | Class::Slow)
    }
}

/// The steps of one probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Opening the connection (TLS and telnet login included).
    Connect,
    /// 93 Login.
    Login,
    /// 99 SC Status.
    Status,
    /// 23 Patron Status.
    Patron,
}

impl Phase {
    /// Every phase, in order.
    pub const ALL: [Phase; 4] = [Phase::Connect, Phase::Login, Phase::Status, Phase::Patron];

    /// The name printed and used as a metric label.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Connect => "connect",
            Phase::Login => "login",
            Phase::Status => "status",
            Phase::Patron => "patron",
        }
    }
}

/// How bad a result is, in the monitoring-plugin sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// OK.
    Ok,
    /// WARNING: slower than the warning limit.
    Warning,
    /// CRITICAL: failed, or slower than the critical limit.
    Critical,
}

/// One account's probe.
#[derive(Debug, Clone)]
pub struct AccountResult {
    /// CN of the account.
    pub user: String,
    /// How it ended.
    pub class: Class,
    /// How bad that is.
    pub level: Level,
    /// The phases that completed, with their latency.
    pub phases: Vec<(Phase, Duration)>,
    /// From the start of the connect to the end of the last phase reached.
    pub total: Duration,
    /// Why it is not ok (no password in it).
    pub detail: Option<String>,
}

/// Probes every account at once and returns the results in the accounts' order.
pub async fn probe(cfg: &ProbeConfig) -> Vec<AccountResult> {
    let mut tasks = tokio::task::JoinSet::new();
    for (i, account) in cfg.accounts.iter().enumerate() {
        let cfg = cfg.clone();
        let account = account.clone();
        tasks.spawn(async move { (i, probe_account(&cfg, &account).await) });
    }
    let mut results: Vec<Option<AccountResult>> = vec![None; cfg.accounts.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((i, r)) = joined
            && let Some(slot) = results.get_mut(i)
        {
            *slot = Some(r);
        }
    }
    results
        .into_iter()
        .zip(&cfg.accounts)
        .map(|(r, a)| {
            r.unwrap_or_else(|| AccountResult {
                user: a.user.clone(),
                class: Class::Protocol,
                level: Level::Critical,
                phases: Vec::new(),
                total: Duration::ZERO,
                detail: Some("the probe task failed".into()),
            })
        })
        .collect()
}

/// A phase that failed: its class and why.
type Failure = (Class, String);

/// Probes one account on a fresh connection.
pub async fn probe_account(cfg: &ProbeConfig, account: &Account) -> AccountResult {
    let start = Instant::now();
    let mut phases = Vec::with_capacity(Phase::ALL.len());
    let outcome = run_phases(cfg, account, &mut phases).await;
    let total = start.elapsed();
    let (class, level, detail) = match outcome {
        Err((class, why)) => (class, Level::Critical, Some(why)),
        Ok(()) if total > cfg.crit => (
            Class::Slow,
            Level::Critical,
            Some(format!("slower than {} ms", cfg.crit.as_millis())),
        ),
        Ok(()) if total > cfg.warn => (
            Class::Slow,
            Level::Warning,
            Some(format!("slower than {} ms", cfg.warn.as_millis())),
        ),
        Ok(()) => (Class::Ok, Level::Ok, None),
    };
    AccountResult {
        user: account.user.clone(),
        class,
        level,
        phases,
        total,
        detail,
    }
}

async fn run_phases(
    cfg: &ProbeConfig,
    account: &Account,
    phases: &mut Vec<(Phase, Duration)>,
) -> Result<(), Failure> {
    let t = Instant::now();
    let mut session = Session::connect(cfg.connect.clone())
        .await
        .map_err(|e| (connect_class(&e), e.to_string()))?;
    phases.push((Phase::Connect, t.elapsed()));
    let result = talk(cfg, account, &mut session, phases).await;
    session.close().await;
    result
}

async fn talk(
    cfg: &ProbeConfig,
    account: &Account,
    session: &mut Session,
    phases: &mut Vec<(Phase, Duration)>,
) -> Result<(), Failure> {
    let login = ask(session, &login_request(account)?, Phase::Login, phases).await?;
    if login.msg.fixed_field("ok") != Some("1") {
        return Err((
            Class::BadCredentials,
            format!("the login as {:?} was refused (940)", account.user),
        ));
    }
    lint_clean(&login, Phase::Login)?;
    let status = ask(session, &sc_status_request()?, Phase::Status, phases).await?;
    lint_clean(&status, Phase::Status)?;
    let Some(patron) = &cfg.patron else {
        return Ok(());
    };
    let institution = cfg
        .institution
        .clone()
        .or_else(|| status.msg.field(FieldId::AO).map(str::to_string))
        .unwrap_or_default();
    let answer = ask(
        session,
        &patron_status_request(patron, &institution)?,
        Phase::Patron,
        phases,
    )
    .await?;
    if answer.msg.field(FieldId::BL) != Some("Y") {
        return Err((
            Class::BadPatron,
            format!(
                "the ACS does not know patron {:?} (BL is not Y)",
                patron.barcode
            ),
        ));
    }
    if patron.pin.is_some() && answer.msg.field(FieldId::CQ) == Some("N") {
        return Err((
            Class::BadPatron,
            format!(
                "the ACS refused the PIN of patron {:?} (CQ N)",
                patron.barcode
            ),
        ));
    }
    lint_clean(&answer, Phase::Patron)
}

/// Sends one request and returns its answer if it is the response the spec gives for it.
async fn ask(
    session: &mut Session,
    request: &str,
    phase: Phase,
    phases: &mut Vec<(Phase, Duration)>,
) -> Result<Analysis, Failure> {
    // A 96 or a bad checksum is a finding here, not something to retry.
    let step = StepOptions {
        no_resend: true,
        ..StepOptions::default()
    };
    let ex = session
        .exchange(request, &step)
        .await
        .map_err(|e| (exchange_class(&e), format!("{}: {e}", phase.name())))?;
    phases.push((phase, ex.elapsed));
    let analysis = ex.response.analysis;
    let expected = sip2::parse(request)
        .ok()
        .and_then(|p| p.msg.spec())
        .and_then(|s| s.response);
    if expected.is_some_and(|code| code != analysis.msg.code) {
        let name = analysis.msg.spec().map_or("an unknown message", |s| s.name);
        return Err((
            Class::Protocol,
            format!("{}: answered {} ({name})", phase.name(), analysis.msg.code),
        ));
    }
    Ok(analysis)
}

/// An error-severity lint finding makes the answer a protocol failure.
fn lint_clean(analysis: &Analysis, phase: Phase) -> Result<(), Failure> {
    match analysis
        .violations
        .iter()
        .find(|v| v.severity == Severity::Error)
    {
        Some(v) => Err((Class::Protocol, format!("{}: {v}", phase.name()))),
        None => Ok(()),
    }
}

fn connect_class(e: &TransportError) -> Class {
    match e {
        TransportError::Connect { .. }
        | TransportError::BadEndpoint { .. }
        | TransportError::Timeout {
            wait: Wait::Connect,
            ..
        } => Class::Unreachable,
        other => exchange_class(other),
    }
}

fn exchange_class(e: &TransportError) -> Class {
    match e {
        TransportError::Connect { .. } | TransportError::BadEndpoint { .. } => Class::Unreachable,
        TransportError::Timeout { .. } => Class::Silent,
        TransportError::Closed { .. } | TransportError::Io { .. } => Class::Refused,
        _ => Class::Protocol,
    }
}

fn built(what: &str, e: impl fmt::Display) -> Failure {
    (Class::Protocol, format!("cannot build the {what}: {e}"))
}

/// The 93 built from the table (CP only when a location is given).
fn login_request(account: &Account) -> Result<String, Failure> {
    let spec = spec::message(MessageCode::LOGIN).ok_or_else(|| built("login", "no 93"))?;
    let fixed = fixed_part(spec, [("uid_algorithm", "0"), ("pwd_algorithm", "0")])
        .map_err(|e| built("login", e))?;
    let mut msg = Message::new(MessageCode::LOGIN, fixed)
        .with(FieldId::CN, account.user.as_str())
        .with(FieldId::CO, account.password.as_str());
    if let Some(loc) = &account.location {
        msg.push(FieldId::CP, loc.as_str());
    }
    Ok(sip2::encode(&msg))
}

fn sc_status_request() -> Result<String, Failure> {
    let spec = spec::message(MessageCode::SC_STATUS).ok_or_else(|| built("status", "no 99"))?;
    let fixed = fixed_part(
        spec,
        [
            ("status_code", "0"),
            ("max_print_width", "030"),
            ("protocol_version", "2.00"),
        ],
    )
    .map_err(|e| built("SC status", e))?;
    Ok(sip2::encode(&Message::new(MessageCode::SC_STATUS, fixed)))
}

fn patron_status_request(patron: &Patron, institution: &str) -> Result<String, Failure> {
    let spec = spec::message(MessageCode::PATRON_STATUS_REQUEST)
        .ok_or_else(|| built("patron status", "no 23"))?;
    let now = sip2::date::now();
    let fixed = fixed_part(spec, [("language", "000"), ("transaction_date", &now)])
        .map_err(|e| built("patron status", e))?;
    let mut msg = Message::new(MessageCode::PATRON_STATUS_REQUEST, fixed)
        .with(FieldId::AO, institution)
        .with(FieldId::AA, patron.barcode.as_str())
        .with(FieldId::AC, "");
    msg.push(FieldId::AD, patron.pin.as_deref().unwrap_or(""));
    Ok(sip2::encode(&msg))
}

/// A latency as the probe prints it: milliseconds with one decimal.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

impl AccountResult {
    /// The result's line: `USER@ENDPOINT CLASS TOTAL (PHASES)[: DETAIL]`.
    pub fn line(&self, endpoint: &str, paint: &Palette) -> String {
        let style = match self.level {
            Level::Ok => paint.pass,
            Level::Warning => paint.warning,
            Level::Critical => paint.error,
        };
        let mut out = format!(
            "{}@{endpoint} {} {}",
            self.user,
            paint.paint(style, self.class.name()),
            ms(self.total)
        );
        if !self.phases.is_empty() {
            let phases: Vec<String> = self
                .phases
                .iter()
                .map(|(p, d)| format!("{} {}", p.name(), ms(*d)))
                .collect();
            out.push_str(&format!(" ({})", phases.join(", ")));
        }
        if let Some(d) = &self.detail {
            out.push_str(": ");
            out.push_str(d);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_come_from_the_table() {
        let a = Account {
            user: "u".into(),
            password: "p".into(),
            location: None,
        };
        assert_eq!(login_request(&a).unwrap(), "9300CNu|COp|");
        assert_eq!(sc_status_request().unwrap(), "9900302.00");
        let p = Patron {
            barcode: "999999".into(),
            pin: Some("6789".into()),
        };
        let r = patron_status_request(&p, "BR1").unwrap();
        assert!(
            r.starts_with("23000") && r.ends_with("AOBR1|AA999999|AC|AD6789|"),
            "{r}"
        );
        assert!(sip2::parse(&r).unwrap().violations.is_empty(), "{r}");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let a = Account {
            user: "u".into(),
            password: "hunter2".into(),
            location: None,
        };
        assert!(!format!("{a:?}").contains("hunter2"));
    }

    #[test]
    fn transport_errors_map_to_classes() {
        let closed = TransportError::Closed {
            request: None,
            received_so_far: Vec::new(),
        };
        assert_eq!(exchange_class(&closed), Class::Refused);
        let timeout = |wait| TransportError::Timeout {
            wait,
            after: Duration::from_secs(1),
            request: None,
            received_so_far: Vec::new(),
        };
        assert_eq!(exchange_class(&timeout(Wait::Response)), Class::Silent);
        assert_eq!(connect_class(&timeout(Wait::Connect)), Class::Unreachable);
        let refused = TransportError::Connect {
            endpoint: "x:1".into(),
            reason: "refused".into(),
        };
        assert_eq!(connect_class(&refused), Class::Unreachable);
        let garbage = TransportError::NoAnswer {
            request: "9900302.00".into(),
            after: Some(Duration::from_secs(1)),
            attempts: Vec::new(),
        };
        assert_eq!(exchange_class(&garbage), Class::Protocol);
    }

    #[test]
    fn lines_show_phases_and_why() {
        let r = AccountResult {
            user: "sip_01".into(),
            class: Class::BadCredentials,
            level: Level::Critical,
            phases: vec![
                (Phase::Connect, Duration::from_micros(300)),
                (Phase::Login, Duration::from_micros(1240)),
            ],
            total: Duration::from_micros(1600),
            detail: Some("the login was refused (940)".into()),
        };
        assert_eq!(
            r.line("127.0.0.1:6001", &Palette::PLAIN),
            "sip_01@127.0.0.1:6001 bad-credentials 1.6 ms (connect 0.3 ms, login 1.2 ms): the login was refused (940)"
        );
    }
}
