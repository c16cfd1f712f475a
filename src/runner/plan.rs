//! The plan of a run: load and select scenarios (shuffled with `--shuffle`), check the
//! selected scenarios' variables, start the built-in emulator when no endpoint is given (each
//! scenario then gets one of its own), and probe the ACS once (login, then SC status) for its
//! supported messages (BX), so scenarios that `require` a message the ACS lacks, or records
//! the profile lacks, are skipped with the reason.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use super::exec::{ExecContext, PerScenario};
use super::result::{Outcome, RunResult, ScenarioResult, StepResult, StepStatus};
use super::skip::{Capabilities, scenario_skip};
use super::trials::Review;
use crate::acs;
use crate::report::redact::Redactor;
use crate::scenario::model::did_you_mean;
use crate::scenario::{self, ErrorDetection, LoadErrors, Profile, Scenario, Source};
use crate::sip2::encode::fixed_part;
use crate::sip2::redact::Redaction;
use crate::sip2::{self, FieldId, Message, MessageCode, spec};
use crate::transport::{self, ConnectOptions, Session, StepOptions, TransportError};

/// Where the scenarios run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    /// The built-in emulator, started on a loopback port for this run.
    #[default]
    Emulator,
    /// An external server, `host:port`.
    Endpoint(String),
}

/// Which scenarios to run (libtest's filter semantics, plus tags).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Run only ids containing this (or equal to it, with `exact`).
    pub filter: Option<String>,
    /// Leave out ids containing any of these (or equal, with `exact`).
    pub skip: Vec<String>,
    /// Match whole ids.
    pub exact: bool,
    /// Run only scenarios carrying one of these tags.
    pub tags: Vec<String>,
}

impl Selection {
    /// Does the scenario pass the selection?
    pub fn matches(&self, s: &Scenario) -> bool {
        let hit = |pat: &str| {
            if self.exact {
                s.id == pat
            } else {
                s.id.contains(pat)
            }
        };
        self.filter.as_deref().is_none_or(hit)
            && !self.skip.iter().any(|p| hit(p))
            && (self.tags.is_empty() || s.tags.iter().any(|t| self.tags.contains(t)))
    }

    /// Why no scenario of `all` is selected: each tag no scenario has and a filter no id
    /// matches, with a did-you-mean over the known tags and the scenario ids (and their parts);
    /// else how many each part of the selection keeps.
    pub fn why_empty(&self, all: &[Scenario]) -> String {
        let tags: BTreeSet<&str> = all
            .iter()
            .flat_map(|s| &s.tags)
            .map(String::as_str)
            .collect();
        let mut reasons = Vec::new();
        for t in self.tags.iter().filter(|t| !tags.contains(t.as_str())) {
            reasons.push(format!(
                "no scenario has the tag {t:?}{}",
                did_you_mean(t, tags.iter().copied())
            ));
        }
        let only = |f: &Selection| all.iter().filter(|s| f.matches(s)).count();
        if let Some(f) = &self.filter {
            let alone = Selection {
                filter: Some(f.clone()),
                exact: self.exact,
                ..Selection::default()
            };
            if only(&alone) == 0 {
                let names = id_names(all, self.exact);
                reasons.push(format!(
                    "no scenario id {} {f:?}{}",
                    if self.exact { "is" } else { "contains" },
                    did_you_mean(f, names.iter().map(String::as_str))
                ));
            }
        }
        if reasons.is_empty() {
            let mut parts = Vec::new();
            if !self.tags.is_empty() {
                let tagged = Selection {
                    tags: self.tags.clone(),
                    ..Selection::default()
                };
                parts.push(format!(
                    "--tag {} keeps {}",
                    self.tags.join(","),
                    only(&tagged)
                ));
            }
            if let Some(f) = &self.filter {
                let filtered = Selection {
                    filter: Some(f.clone()),
                    exact: self.exact,
                    ..Selection::default()
                };
                parts.push(format!("--filter {f} keeps {}", only(&filtered)));
            }
            if !self.skip.is_empty() {
                parts.push(format!(
                    "--skip {} leaves out the rest",
                    self.skip.join(",")
                ));
            }
            reasons.push(format!("together they select none ({})", parts.join("; ")));
        }
        let known: Vec<&str> = tags.into_iter().collect();
        format!(
            "the selection runs no scenario: {}. {} scenario(s) loaded; their tags: {}",
            reasons.join("; "),
            all.len(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )
    }
}

/// What a filter could have meant: the ids, and (unless `exact`) their suites and file stems,
/// also without a leading number (`03checkout` -> `checkout`).
fn id_names(all: &[Scenario], exact: bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in all {
        out.insert(s.id.clone());
        if exact {
            continue;
        }
        let (suite, stem) = s.id.split_once("::").unwrap_or(("", &s.id));
        for name in [
            suite,
            stem,
            stem.trim_start_matches(|c: char| c.is_ascii_digit()),
        ] {
            if !name.is_empty() {
                out.insert(name.to_string());
            }
        }
    }
    out
}

/// Everything a run needs to know.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    /// Scenario files or directories.
    pub paths: Vec<PathBuf>,
    /// Suites built into the binary to run as well (`siptest`, `spec`).
    pub suites: Vec<String>,
    /// The server.
    pub target: Target,
    /// Variables and dialect.
    pub profile: Profile,
    /// Which scenarios.
    pub selection: Selection,
    /// Error-severity violations fail steps.
    pub strict: bool,
    /// Scenarios at once (default: 1 against an endpoint, the CPU count against the emulator).
    pub jobs: Option<usize>,
    /// Run scenarios and steps whose required messages the BX marks unsupported, noting how
    /// the server took them.
    pub ignore_bx: bool,
    /// Run the scenarios in the order this seed gives ([`super::shuffle`]), not in id order.
    pub shuffle: Option<u64>,
    /// The built-in emulator's library (None: the shipped `fixtures/library.yaml`).
    pub library: Option<acs::Library>,
    /// Retry the capability probe's connect this long while the server starts (`run --wait`).
    pub wait: Option<std::time::Duration>,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Scenario files with errors (exit 2).
    #[error("{0}")]
    Load(#[from] LoadErrors),
    /// The emulator could not start.
    #[error("cannot start the built-in emulator: {0}")]
    Emulator(std::io::Error),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// The selection runs no scenario: why, naming the unknown tag or filter (exit 3).
    #[error("{0}")]
    NoScenarios(String),
    /// The capability probe could not open a session: the server could not be reached (exit 4),
    /// or the endpoint or a TLS file is unusable (exit 2).
    #[error("capability probe of {endpoint} failed: {source}")]
    Probe {
        /// The server.
        endpoint: String,
        /// What went wrong.
        source: TransportError,
    },
}

impl SetupError {
    /// True when the server could not be reached for the run (exit 4 rather than 2): the probe
    /// could not connect (refused, no address, timeout, TLS handshake, telnet login). Whatever
    /// the server answers once connected is a verdict about it, never this.
    pub fn is_connection(&self) -> bool {
        match self {
            SetupError::Probe { source, .. } => !matches!(
                source,
                TransportError::BadEndpoint { .. }
                    | TransportError::TlsConfig { .. }
                    | TransportError::Encoding(_)
            ),
            SetupError::Load(_)
            | SetupError::NoScenarios(_)
            | SetupError::Emulator(_)
            | SetupError::Runtime(_) => false,
        }
    }

    /// The documented exit code: 4 unreachable, 3 nothing selected, else 2.
    pub fn exit_code(&self) -> u8 {
        if self.is_connection() {
            4
        } else if matches!(self, SetupError::NoScenarios(_)) {
            3
        } else {
            2
        }
    }
}

/// A run, ready to become trials.
pub struct Plan {
    /// The selected scenarios, in the order they run: id order, or shuffled by `shuffle`.
    pub scenarios: Vec<Scenario>,
    /// The seed the order was shuffled with, if it was.
    pub shuffle: Option<u64>,
    /// Why each skipped scenario is skipped, by id.
    pub skips: Vec<(String, String)>,
    /// Shared by every scenario.
    pub exec: Arc<ExecContext>,
    /// For reports: the server.
    pub endpoint: String,
    /// For reports: the profile's source.
    pub profile: String,
    /// For reports: the institution variable.
    pub institution: Option<String>,
    /// The ACS's BX, when the probe got one.
    pub bx: Option<String>,
    /// What went wrong in the probe short of a connection error (e.g. login refused).
    pub probe_note: Option<String>,
    /// Scenarios at once.
    pub jobs: usize,
    /// What judges each result again before it is reported (baselines, snapshots).
    pub reviews: Vec<Arc<dyn Review>>,
    /// The profile's secret values, which no report may show.
    pub secrets: Vec<String>,
    runtime: Arc<tokio::runtime::Runtime>,
    server: Option<acs::Server>,
}

impl std::fmt::Debug for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plan")
            .field("scenarios", &self.scenarios.len())
            .field("endpoint", &self.endpoint)
            .field("bx", &self.bx)
            .finish_non_exhaustive()
    }
}

/// Loads the scenarios under `config.paths` and of `config.suites` and keeps the selected ones;
/// a selection of none is [`SetupError::NoScenarios`]. Their variables are not checked
/// (listing needs none); [`plan`] checks those of the selection.
pub fn select(config: &RunConfig) -> Result<Vec<Scenario>, SetupError> {
    let sources: Vec<Source> = (config.paths.iter().cloned().map(Source::Path))
        .chain(config.suites.iter().cloned().map(Source::Builtin))
        .collect();
    let all = scenario::load_sources(&sources)?;
    let (selected, rest): (Vec<Scenario>, Vec<Scenario>) =
        all.into_iter().partition(|s| config.selection.matches(s));
    if selected.is_empty() {
        return Err(SetupError::NoScenarios(config.selection.why_empty(&rest)));
    }
    Ok(selected)
}

/// How the built-in emulator is set up when a run has no endpoint (the default: the built-in
/// library, the emulator's own dialect, no faults).
#[derive(Debug, Clone, Default)]
pub struct EmulatorSetup {
    /// The library; None: the built-in one.
    pub library: Option<acs::Library>,
    /// A dialect preset or knobs; unset knobs keep the emulator's behaviour.
    pub dialect: acs::Dialect,
    /// Faults to inject.
    pub faults: acs::Faults,
}

/// Loads, selects, checks the selection's variables, starts the emulator if needed and probes
/// the ACS.
pub fn plan(config: &RunConfig) -> Result<Plan, SetupError> {
    plan_on(config, &EmulatorSetup::default())
}

/// [`plan`], with the built-in emulator (when the target is the emulator) set up as `setup` says.
pub fn plan_on(config: &RunConfig, setup: &EmulatorSetup) -> Result<Plan, SetupError> {
    let mut scenarios = select(config)?;
    scenario::vars::check(&scenarios, &config.profile.vars)?;
    if let Some(seed) = config.shuffle {
        super::shuffle::shuffle(&mut scenarios, seed);
    }
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(SetupError::Runtime)?,
    );
    let (server, endpoint, label, emulator) = match &config.target {
        Target::Emulator => {
            let emulator = PerScenario {
                library: setup
                    .library
                    .clone()
                    .or_else(|| config.library.clone())
                    .unwrap_or_else(acs::Library::builtin),
                opts: acs::ServeOptions {
                    // Like Evergreen and Koha: the first message must be a login.
                    dialect: acs::Dialect {
                        login_required: Some(true),
                        ..Default::default()
                    }
                    .over(&setup.dialect),
                    faults: setup.faults.clone(),
                    ..Default::default()
                },
            };
            // This one answers the probe; each scenario gets an emulator of its own.
            let server = runtime
                .block_on(acs::spawn(emulator.library.clone(), emulator.opts.clone()))
                .map_err(SetupError::Emulator)?;
            let addr = server.addr().to_string();
            let label = format!("built-in emulator ({addr})");
            (Some(server), addr, label, Some(emulator))
        }
        Target::Endpoint(e) => (None, e.clone(), e.clone(), None),
    };
    let connect = connect_options(&config.profile, &endpoint);
    let probe = runtime.block_on(probe(&connect, &config.profile, config.wait));
    let (bx, probe_note) = match probe {
        Ok(found) => found,
        Err(source) => {
            if let Some(server) = server {
                runtime.block_on(server.shutdown());
            }
            return Err(SetupError::Probe {
                endpoint: label,
                source,
            });
        }
    };
    let caps = Capabilities {
        bx: bx.clone(),
        ignore_bx: config.ignore_bx,
        no_error_detection: config.profile.error_detection == Some(ErrorDetection::Off),
    };
    let vars = &config.profile.vars;
    let skips = scenarios
        .iter()
        .filter_map(|s| scenario_skip(s, &caps, vars).map(|r| (s.id.clone(), r)))
        .collect();
    let jobs = config.jobs.unwrap_or(match config.target {
        Target::Emulator => std::thread::available_parallelism().map_or(1, |n| n.get()),
        Target::Endpoint(_) => 1,
    });
    Ok(Plan {
        scenarios,
        shuffle: config.shuffle,
        skips,
        exec: Arc::new(ExecContext {
            connect,
            vars: config.profile.vars.clone(),
            strict: config.strict,
            dialect: config.profile.dialect.clone(),
            caps,
            emulator,
            events: Default::default(),
            abort: Default::default(),
        }),
        endpoint: label,
        profile: config.profile.source.clone(),
        institution: config.profile.vars.get("institution").cloned(),
        bx,
        probe_note,
        jobs: jobs.max(1),
        reviews: Vec::new(),
        secrets: crate::report::redact::secrets_of(&config.profile),
        runtime,
        server,
    })
}

/// The report of a run that stopped because its capability probe could not open a session: one
/// errored scenario naming the cause, so CI shows a report (None for other setup errors, which
/// are about files and stop before any server is involved).
pub fn probe_failure(config: &RunConfig, err: &SetupError) -> Option<RunResult> {
    let SetupError::Probe { endpoint, source } = err else {
        return None;
    };
    let mut step = StepResult::new(
        1,
        "connect",
        "connect and ask for the ACS status (99)",
        endpoint.clone(),
        StepStatus::Errored,
    );
    step.error = Some(source.to_string());
    let steps = vec![step];
    Some(RunResult {
        endpoint: endpoint.clone(),
        profile: config.profile.source.clone(),
        institution: config.profile.vars.get("institution").cloned(),
        bx: None,
        started: chrono::Local::now().to_rfc3339(),
        duration: std::time::Duration::ZERO,
        scenarios: vec![ScenarioResult {
            id: PROBE_ID.to_string(),
            name: "capability probe".to_string(),
            file: PathBuf::from(&config.profile.source),
            tags: Vec::new(),
            outcome: Outcome::from_steps(&steps),
            steps,
            started: std::time::SystemTime::now(),
            duration: std::time::Duration::ZERO,
        }],
    })
}

/// The id of the scenario that stands for a failed capability probe in reports.
pub const PROBE_ID: &str = "sip2check::capability_probe";

impl Plan {
    /// The redaction pass for this run's reports at `level`.
    pub fn redactor(&self, level: Redaction) -> Redactor {
        Redactor::new(level, self.secrets.iter().cloned())
    }

    /// The runtime every trial blocks on.
    pub fn handle(&self) -> tokio::runtime::Handle {
        self.runtime.handle().clone()
    }

    /// Sends the run's events to `observer`, masked at `level` as every report is.
    pub fn observe(&mut self, observer: Arc<dyn super::Observer>, level: Redaction) {
        let events = super::Events::masked(observer, self.redactor(level));
        Arc::make_mut(&mut self.exec).events = events;
    }

    /// The switch that stops this run early.
    pub fn abort(&self) -> super::Abort {
        self.exec.abort.clone()
    }

    /// Stops the emulator, if this run started one.
    pub fn shutdown(mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

/// The transport settings for `endpoint` from the profile's dialect.
pub fn connect_options(profile: &Profile, endpoint: &str) -> ConnectOptions {
    let defaults = ConnectOptions::default();
    ConnectOptions {
        endpoint: endpoint.to_string(),
        tls: profile.tls.as_ref().map(|t| transport::TlsOptions {
            ca: t.ca.clone(),
            cert: t.cert.clone(),
            key: t.key.clone(),
            sni: t.sni.clone(),
            insecure: t.insecure,
        }),
        telnet: profile.telnet.as_ref().map(|t| transport::TelnetOptions {
            user: t.user.clone(),
            password: t.password.clone(),
            ..Default::default()
        }),
        terminator: profile.terminator.unwrap_or(defaults.terminator),
        encoding: profile.encoding.unwrap_or(defaults.encoding),
        error_detection: match profile.error_detection {
            None | Some(ErrorDetection::Off) => transport::ErrorDetection::Off,
            Some(ErrorDetection::On) => transport::ErrorDetection::On,
            Some(ErrorDetection::Auto) => transport::ErrorDetection::Auto,
        },
        timeouts: transport::Timeouts {
            connect: profile.connect_timeout.unwrap_or(defaults.timeouts.connect),
            response: profile
                .response_timeout
                .unwrap_or(defaults.timeouts.response),
            idle: defaults.timeouts.idle,
        },
        ..defaults
    }
}

/// Logs in (when the profile has `login.*`) and asks for the ACS status; returns BX, or a note
/// saying why there is none. Only failing to open the session is an error: what the server
/// answers once connected (only 96, garbage, a close) is a verdict about it, so the note says
/// what went wrong and the scenarios run against it.
async fn probe(
    connect: &ConnectOptions,
    profile: &Profile,
    wait: Option<std::time::Duration>,
) -> Result<(Option<String>, Option<String>), TransportError> {
    let mut session = connect_waiting(connect, wait).await?;
    let asked = ask(&mut session, profile).await;
    session.close().await;
    Ok(asked.unwrap_or_else(|e| {
        (
            None,
            Some(format!(
                "the capability probe got no usable answer ({e}); no scenario is skipped for `requires`, all run against the server"
            )),
        )
    }))
}

/// First wait between two connects of `run --wait`; it doubles up to [`WAIT_BACKOFF_MAX`].
pub const WAIT_BACKOFF: std::time::Duration = std::time::Duration::from_millis(100);
/// Longest wait between two connects of `run --wait`.
pub const WAIT_BACKOFF_MAX: std::time::Duration = std::time::Duration::from_secs(1);

/// Opens a session; with `wait`, a server that cannot be connected to yet (refused, not
/// listening, no route, a name not yet in DNS) is tried again, with a short backoff, until `wait` has passed. A usage problem
/// (a bad endpoint, an unusable TLS file) is never retried.
async fn connect_waiting(
    connect: &ConnectOptions,
    wait: Option<std::time::Duration>,
) -> Result<Session, TransportError> {
    let deadline = wait.map(|w| tokio::time::Instant::now() + w);
    let mut backoff = WAIT_BACKOFF;
    loop {
        match Session::connect(connect.clone()).await {
            Ok(session) => return Ok(session),
            Err(e) => {
                let retry = matches!(e, TransportError::Connect { .. })
                    && deadline.is_some_and(|d| tokio::time::Instant::now() + backoff < d);
                if !retry {
                    return Err(e);
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(WAIT_BACKOFF_MAX);
            }
        }
    }
}

/// The probe's exchanges on an open session.
async fn ask(
    session: &mut Session,
    profile: &Profile,
) -> Result<(Option<String>, Option<String>), TransportError> {
    let step = StepOptions::default();
    if let Some(login) = login_request(profile) {
        let ex = session.exchange(&login, &step).await?;
        if ex.response.analysis.msg.fixed_field("ok") != Some("1") {
            return Ok((
                None,
                Some(format!(
                    "the probe's login as {:?} was refused; check login.user/login.password in the profile",
                    profile.vars.get("login.user").map_or("", String::as_str)
                )),
            ));
        }
    }
    let status = sc_status_request();
    let ex = session.exchange(&status, &step).await?;
    let bx = ex
        .response
        .analysis
        .msg
        .field(FieldId::BX)
        .map(str::to_string);
    let note = bx.is_none().then(|| {
        "the ACS status (98) carried no BX; no scenario is skipped for `requires`".to_string()
    });
    Ok((bx, note))
}

fn login_request(profile: &Profile) -> Option<String> {
    let v = |k: &str| profile.vars.get(k).map(String::as_str);
    let user = v("login.user")?;
    let spec = spec::message(MessageCode::LOGIN)?;
    let fixed = fixed_part(spec, [("uid_algorithm", "0"), ("pwd_algorithm", "0")]).ok()?;
    let msg = Message::new(MessageCode::LOGIN, fixed)
        .with(FieldId::CN, user)
        .with(FieldId::CO, v("login.password").unwrap_or(""))
        .with(FieldId::CP, v("login.location").unwrap_or(""));
    Some(sip2::encode(&msg))
}

fn sc_status_request() -> String {
    let fixed = spec::message(MessageCode::SC_STATUS)
        .and_then(|spec| {
            fixed_part(
                spec,
                [
                    ("status_code", "0"),
                    ("max_print_width", "030"),
                    ("protocol_version", "2.00"),
                ],
            )
            .ok()
        })
        .unwrap_or_default();
    sip2::encode(&Message::new(MessageCode::SC_STATUS, fixed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(id: &str, tags: &[&str]) -> Scenario {
        Scenario {
            id: id.into(),
            name: id.into(),
            about: String::new(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            requires: Vec::new(),
            needs: Vec::new(),
            checksum: None,
            file: PathBuf::from("x.yaml"),
            steps: Vec::new(),
            finally: Vec::new(),
        }
    }

    #[test]
    fn selection_filters_skips_and_tags() {
        let s = scenario("siptest::03checkout", &["circulation"]);
        let sel = |f: Option<&str>, skip: &[&str], exact: bool, tags: &[&str]| Selection {
            filter: f.map(str::to_string),
            skip: skip.iter().map(|x| x.to_string()).collect(),
            exact,
            tags: tags.iter().map(|x| x.to_string()).collect(),
        };
        assert!(sel(Some("checkout"), &[], false, &[]).matches(&s));
        assert!(!sel(Some("checkout"), &[], true, &[]).matches(&s));
        assert!(sel(Some("siptest::03checkout"), &[], true, &[]).matches(&s));
        assert!(!sel(None, &["03"], false, &[]).matches(&s));
        assert!(sel(None, &[], false, &["circulation"]).matches(&s));
        assert!(!sel(None, &[], false, &["holds"]).matches(&s));
    }

    #[test]
    fn an_empty_selection_says_why_with_a_did_you_mean() {
        let all = [
            scenario("siptest::03checkout", &["circulation"]),
            scenario("spec::checkin", &["circulation", "mutates"]),
            scenario("spec::login", &["core"]),
        ];
        let why = |f: Option<&str>, skip: &[&str], exact: bool, tags: &[&str]| {
            Selection {
                filter: f.map(str::to_string),
                skip: skip.iter().map(|x| x.to_string()).collect(),
                exact,
                tags: tags.iter().map(|x| x.to_string()).collect(),
            }
            .why_empty(&all)
        };
        let w = why(None, &[], false, &["circulaton", "nosuchtag"]);
        assert!(
            w.contains("no scenario has the tag \"circulaton\" (did you mean \"circulation\"?)")
                && w.contains("no scenario has the tag \"nosuchtag\"."),
            "{w}"
        );
        assert!(w.ends_with("their tags: circulation, core, mutates"), "{w}");
        let w = why(Some("chekout"), &[], false, &[]);
        assert!(
            w.contains("no scenario id contains \"chekout\" (did you mean \"checkout\"?)"),
            "{w}"
        );
        let w = why(Some("spec::chekin"), &[], true, &[]);
        assert!(
            w.contains("no scenario id is \"spec::chekin\" (did you mean \"spec::checkin\"?)"),
            "{w}"
        );
        let w = why(Some("login"), &[], false, &["circulation"]);
        assert!(
            w.contains(
                "together they select none (--tag circulation keeps 2; --filter login keeps 1)"
            ),
            "{w}"
        );
        let w = why(None, &["s"], false, &[]);
        assert!(w.contains("--skip s leaves out the rest"), "{w}");
    }

    #[test]
    fn selecting_nothing_is_its_own_error_with_exit_3() {
        let config = RunConfig {
            suites: vec!["spec".into()],
            selection: Selection {
                tags: vec!["nosuchtag".into()],
                ..Selection::default()
            },
            ..RunConfig::default()
        };
        let e = select(&config).unwrap_err();
        assert!(matches!(e, SetupError::NoScenarios(_)), "{e}");
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().contains("\"nosuchtag\""), "{e}");
        let core = RunConfig {
            selection: Selection {
                tags: vec!["core".into()],
                ..Selection::default()
            },
            ..config
        };
        let picked = select(&core).unwrap();
        assert!(!picked.is_empty() && picked.iter().all(|s| s.id.starts_with("spec::")));
    }

    #[test]
    fn probe_requests_come_from_the_table() {
        let p = Profile::emulator().unwrap();
        assert_eq!(login_request(&p).unwrap(), "9300CNsip_01|COsip_01|CPBR1|");
        assert_eq!(sc_status_request(), "9900302.00");
    }
}
