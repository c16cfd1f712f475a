//! `sip2check load`: a load generator for SIP2 servers. N connections, each with one request
//! in flight (closed loop) or paced to a target rate (open loop), running the built-in
//! self-check mix or a scenario's steps; every answer is checked (its type, lint errors);
//! always bounded by a duration and/or a request count; `--ramp` adds connections step by
//! step until errors or latency pass a limit, which finds the server's connection limit.
//!
//! Main types: [`LoadConfig`], [`LoadReport`] (rendered by [`report`]). Plain TCP only; it
//! refuses targets outside loopback unless allowed. Never prints.

mod conn;
mod cpu;
pub mod histogram;
pub mod report;
mod stats;
mod workload;

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

use conn::Conn;
pub use cpu::CpuTime;
pub use stats::{ErrorClass, Outcome, Stats, TypeStats};
use workload::Driver;
pub use workload::{Mix, STATUS_EVERY, WireOptions, Workload, unsuitable};

/// How `--ramp` steps the connection count.
#[derive(Debug, Clone, Copy)]
pub struct Ramp {
    /// Connections in the first step.
    pub start: usize,
    /// Connections added per step.
    pub step: usize,
    /// How long each step runs.
    pub hold: Duration,
    /// A step whose failed requests and connects exceed this fraction ends the ramp.
    pub max_error_rate: f64,
    /// A step whose p99 latency exceeds this ends the ramp.
    pub max_p99: Duration,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// `host:port` of the server.
    pub endpoint: String,
    /// Allow an endpoint outside loopback.
    pub allow_remote: bool,
    /// How long a connect may take.
    pub connect_timeout: Duration,
    /// Terminator, encoding, error detection, response timeout.
    pub wire: WireOptions,
    /// Answers longer than this fail as `not-sip`.
    pub max_message_len: usize,
    /// Connections at once (the most, with a ramp).
    pub connections: usize,
    /// Stop after this long.
    pub duration: Option<Duration>,
    /// Stop after this many requests (plus the checkins that return what is still lent).
    pub requests: Option<u64>,
    /// Open loop: requests per second over all connections.
    pub rate: Option<f64>,
    /// Step the connection count up.
    pub ramp: Option<Ramp>,
    /// What each connection sends.
    pub workload: Workload,
}

/// Why a load run cannot start.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Neither a duration nor a request count (nor a ramp) bounds the run.
    #[error(
        "a load run must be bounded: give --duration SECS and/or --requests N (or --ramp, bounded by its steps)"
    )]
    Unbounded,
    /// The endpoint is outside loopback and `allow_remote` is not set.
    #[error(
        "{} is not a loopback address; load sends heavy traffic, so it only targets this machine unless you give --allow-remote",
        if *endpoint == addr.to_string() { endpoint.clone() } else { format!("{endpoint} resolves to {addr}, which") }
    )]
    Remote {
        /// The endpoint given.
        endpoint: String,
        /// The address it resolves to.
        addr: SocketAddr,
    },
    /// The endpoint does not resolve.
    #[error("cannot resolve {endpoint}: {reason}; write it as HOST:PORT, e.g. 127.0.0.1:6001")]
    Resolve {
        /// The endpoint given.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// The options or the workload cannot be used.
    #[error("{0}")]
    Config(String),
}

/// A progress sample, once a second.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Since the start.
    pub elapsed: Duration,
    /// Requests so far.
    pub requests: u64,
    /// Failed requests so far.
    pub errors: u64,
    /// Requests in the last second.
    pub per_second: f64,
    /// Connections running.
    pub connections: usize,
}

/// One step of a ramp.
#[derive(Debug, Clone)]
pub struct RampStep {
    /// Connections running in it.
    pub connections: usize,
    /// How long it ran.
    pub elapsed: Duration,
    /// What was counted in it.
    pub stats: Stats,
    /// The limit it passed, if any.
    pub breach: Option<String>,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// The endpoint given.
    pub endpoint: String,
    /// The address connected to.
    pub addr: SocketAddr,
    /// What was sent.
    pub workload: String,
    /// Connections (the most reached, with a ramp).
    pub connections: usize,
    /// The open-loop target rate, if any.
    pub rate: Option<f64>,
    /// From the start to the last answer.
    pub elapsed: Duration,
    /// Everything counted.
    pub stats: Stats,
    /// The ramp's steps.
    pub ramp: Vec<RampStep>,
    /// What the ramp found.
    pub ramp_result: Option<String>,
    /// The generator's CPU time during the run.
    pub cpu: CpuTime,
    /// Items the mix may have left checked out (connections lost before their checkin).
    pub left_out: u64,
    /// Connections that stopped for good, by reason (a refused login, a scenario that cannot go on).
    pub stopped: BTreeMap<String, u64>,
    /// The run was cut short (Ctrl-C).
    pub interrupted: bool,
}

impl LoadReport {
    /// Requests per second over the run.
    pub fn per_second(&self) -> f64 {
        per_second(self.stats.requests(), self.elapsed)
    }
}

fn per_second(n: u64, d: Duration) -> f64 {
    if d.is_zero() {
        0.0
    } else {
        n as f64 / d.as_secs_f64()
    }
}

/// Resolves `endpoint`; every address must be loopback unless `allow_remote`.
pub async fn resolve(endpoint: &str, allow_remote: bool) -> Result<SocketAddr, LoadError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host(endpoint)
        .await
        .map_err(|e| LoadError::Resolve {
            endpoint: endpoint.to_string(),
            reason: e.to_string(),
        })?
        .collect();
    if !allow_remote && let Some(addr) = addrs.iter().find(|a| !a.ip().is_loopback()) {
        return Err(LoadError::Remote {
            endpoint: endpoint.to_string(),
            addr: *addr,
        });
    }
    addrs.first().copied().ok_or_else(|| LoadError::Resolve {
        endpoint: endpoint.to_string(),
        reason: "no address".into(),
    })
}

/// What every worker reads.
struct Shared {
    addr: SocketAddr,
    connect_timeout: Duration,
    max_len: usize,
    wire: WireOptions,
    workload: Workload,
    stop: AtomicBool,
    deadline: Option<Instant>,
    limit: Option<u64>,
    claimed: AtomicU64,
    sent: AtomicU64,
    failed: AtomicU64,
    /// Open loop: the time between two requests of one connection.
    interval: Option<Duration>,
}

impl Shared {
    fn running(&self) -> bool {
        !self.stop.load(Ordering::Relaxed) && self.deadline.is_none_or(|d| Instant::now() < d)
    }

    /// Takes one request from `--requests`; false (and the run stops) once they are used up.
    fn claim(&self) -> bool {
        match self.limit {
            None => true,
            Some(n) => {
                let ok = self.claimed.fetch_add(1, Ordering::Relaxed) < n;
                if !ok {
                    self.stop.store(true, Ordering::Relaxed);
                }
                ok
            }
        }
    }
}

/// What a worker ends with.
struct WorkerEnd {
    left_out: u64,
    stopped: Option<String>,
}

/// Runs the load until its bound, `interrupt`, or (with a ramp) a breached limit; calls
/// `progress` once a second.
pub async fn run(
    cfg: LoadConfig,
    mut progress: impl FnMut(&Progress),
    interrupt: impl Future<Output = ()>,
) -> Result<LoadReport, LoadError> {
    if cfg.duration.is_none() && cfg.requests.is_none() && cfg.ramp.is_none() {
        return Err(LoadError::Unbounded);
    }
    if cfg.connections == 0 {
        return Err(LoadError::Config("--connections must be at least 1".into()));
    }
    if let Some(rate) = cfg.rate
        && !(rate.is_finite() && rate > 0.0)
    {
        return Err(LoadError::Config(format!(
            "--rate {rate} must be a positive number of requests per second"
        )));
    }
    if cfg.rate.is_some() && cfg.ramp.is_some() {
        return Err(LoadError::Config(
            "--ramp steps closed-loop connections; it cannot be combined with --rate".into(),
        ));
    }
    if let Workload::Scenario(s, _, _) = &cfg.workload
        && let Some(why) = unsuitable(s)
    {
        return Err(LoadError::Config(why));
    }
    let addr = resolve(&cfg.endpoint, cfg.allow_remote).await?;
    // Every connection builds the same requests: a bad value fails here, once.
    Driver::new(&cfg.workload, cfg.wire).map_err(LoadError::Config)?;
    let start = Instant::now();
    let cpu_start = CpuTime::now();
    let shared = Arc::new(Shared {
        addr,
        connect_timeout: cfg.connect_timeout,
        max_len: cfg.max_message_len,
        wire: cfg.wire,
        workload: cfg.workload.clone(),
        stop: AtomicBool::new(false),
        deadline: cfg.duration.map(|d| start + d),
        limit: cfg.requests,
        claimed: AtomicU64::new(0),
        sent: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        interval: cfg
            .rate
            .map(|r| Duration::from_secs_f64(cfg.connections as f64 / r)),
    });
    let mut pool = Pool {
        shared: shared.clone(),
        shards: (0..cfg.connections.min(STATS_SHARDS))
            .map(|_| Arc::new(Mutex::new(Stats::default())))
            .collect(),
        running: 0,
        tasks: JoinSet::new(),
        total: cfg.connections,
    };
    tokio::pin!(interrupt);
    let mut ticker =
        tokio::time::interval_at(start + Duration::from_secs(1), Duration::from_secs(1));
    let mut last = (start, 0u64);
    let mut interrupted = false;
    let mut steps = Vec::new();
    let mut ramp_result = None;
    let first = cfg
        .ramp
        .map_or(cfg.connections, |r| r.start.clamp(1, cfg.connections));
    pool.grow(first);
    let mut step_start = start;
    let mut ends = Vec::new();
    loop {
        tokio::select! {
            () = &mut interrupt => {
                interrupted = true;
                break;
            }
            Some(end) = pool.tasks.join_next() => {
                ends.extend(end.ok());
                if pool.tasks.is_empty() {
                    break;
                }
            }
            _ = ticker.tick() => {
                let now = Instant::now();
                let sent = shared.sent.load(Ordering::Relaxed);
                progress(&Progress {
                    elapsed: now - start,
                    requests: sent,
                    errors: shared.failed.load(Ordering::Relaxed),
                    per_second: per_second(sent - last.1, now - last.0),
                    connections: pool.running,
                });
                last = (now, sent);
                let Some(ramp) = cfg.ramp else { continue };
                if now - step_start < ramp.hold {
                    continue;
                }
                let stats = pool.take();
                let breach = breach(&stats, &ramp);
                let n = pool.running;
                let done = breach.is_some() || n >= cfg.connections;
                ramp_result = Some(ramp_verdict(&steps, n, breach.as_deref(), cfg.connections));
                steps.push(RampStep {
                    connections: n,
                    elapsed: now - step_start,
                    stats,
                    breach,
                });
                if done {
                    break;
                }
                pool.grow((n + ramp.step.max(1)).min(cfg.connections));
                step_start = now;
            }
        }
    }
    shared.stop.store(true, Ordering::Relaxed);
    ends.extend(pool.join().await);
    let elapsed = start.elapsed();
    let cpu = CpuTime::now().since(cpu_start);
    let mut stats = Stats::default();
    for s in &steps {
        stats.merge(&s.stats);
    }
    stats.merge(&pool.take());
    let mut stopped = BTreeMap::new();
    for why in ends.iter().filter_map(|e| e.stopped.clone()) {
        *stopped.entry(why).or_default() += 1;
    }
    Ok(LoadReport {
        endpoint: cfg.endpoint,
        addr,
        workload: cfg.workload.describe(),
        connections: pool.running,
        rate: cfg.rate,
        elapsed,
        stats,
        ramp: steps,
        ramp_result,
        cpu,
        left_out: ends.iter().map(|e| e.left_out).sum(),
        stopped,
        interrupted,
    })
}

/// The limit a ramp step passed, if any. A connection the server would not serve at all is
/// the connection limit itself, however few requests it cost.
fn breach(stats: &Stats, ramp: &Ramp) -> Option<String> {
    let rate = stats.error_rate();
    let p99 = stats.latency().quantile(0.99);
    let unserved = stats.unserved + stats.connect_failures;
    if unserved > 0 {
        Some(format!(
            "{unserved} connection(s) not served (refused, closed at once or unanswered)"
        ))
    } else if rate > ramp.max_error_rate {
        Some(format!(
            "errors {:.1}% > {:.1}%",
            rate * 100.0,
            ramp.max_error_rate * 100.0
        ))
    } else if p99 > ramp.max_p99 {
        Some(format!(
            "p99 {} > {}",
            report::ms(p99),
            report::ms(ramp.max_p99)
        ))
    } else {
        None
    }
}

fn ramp_verdict(done: &[RampStep], n: usize, breach: Option<&str>, max: usize) -> String {
    match (breach, done.last()) {
        (Some(why), Some(prev)) => format!("held {} connections; at {n}: {why}", prev.connections),
        (Some(why), None) => format!("already at {n} connections: {why}"),
        (None, _) if n >= max => {
            format!("held {n} connections (the most asked for) within the limits")
        }
        (None, _) => format!("held {n} connections within the limits"),
    }
}

/// Workers share this many sets of counts: few enough that the histograms stay in cache,
/// enough that several generator threads rarely wait for the same lock.
const STATS_SHARDS: usize = 8;

/// The workers and their counts.
struct Pool {
    shared: Arc<Shared>,
    shards: Vec<Arc<Mutex<Stats>>>,
    running: usize,
    tasks: JoinSet<WorkerEnd>,
    total: usize,
}

impl Pool {
    /// Starts workers until `n` run.
    fn grow(&mut self, n: usize) {
        while self.running < n {
            let index = self.running;
            let stats = self.shards[index % self.shards.len()].clone();
            self.tasks
                .spawn(worker(index, self.total, self.shared.clone(), stats));
            self.running += 1;
        }
    }

    /// Takes every worker's counts so far (they start again from zero).
    fn take(&self) -> Stats {
        let mut all = Stats::default();
        for s in &self.shards {
            let taken = std::mem::take(&mut *s.lock().unwrap_or_else(|p| p.into_inner()));
            all.merge(&taken);
        }
        all
    }

    /// Waits for every worker (each is bounded by its timeouts and cleanup budget).
    async fn join(&mut self) -> Vec<WorkerEnd> {
        let mut ends = Vec::new();
        while let Some(end) = self.tasks.join_next().await {
            if let Ok(end) = end {
                ends.push(end);
            }
        }
        ends
    }
}

fn lock(stats: &Mutex<Stats>) -> std::sync::MutexGuard<'_, Stats> {
    stats.lock().unwrap_or_else(|p| p.into_inner())
}

/// Pause after a failed connect, doubling up to a second.
fn backoff(failures: u32) -> Duration {
    Duration::from_millis(50u64 << failures.min(4)).min(Duration::from_secs(1))
}

/// One connection's life: connect, run the workload, reconnect after a loss, until the run
/// ends and what it checked out is returned.
async fn worker(
    index: usize,
    total: usize,
    shared: Arc<Shared>,
    stats: Arc<Mutex<Stats>>,
) -> WorkerEnd {
    let mut driver = match Driver::new(&shared.workload, shared.wire) {
        Ok(d) => d,
        Err(e) => {
            return WorkerEnd {
                left_out: 0,
                stopped: Some(e),
            };
        }
    };
    // Open loop: connections start spread over one interval, so the rate is even.
    let mut next_at = shared
        .interval
        .map(|iv| Instant::now() + iv.mul_f64(index as f64 / total.max(1) as f64));
    let mut failures = 0u32;
    let mut stopped = None;
    loop {
        if !shared.running() {
            if !driver.wants_cleanup() {
                break;
            }
            driver.spend();
        }
        let conn = match Conn::connect(shared.addr, shared.connect_timeout, shared.max_len).await {
            Ok(c) => c,
            Err(_) => {
                lock(&stats).connect_failures += 1;
                shared.failed.fetch_add(1, Ordering::Relaxed);
                let pause = backoff(failures);
                failures += 1;
                let until = Instant::now() + pause;
                tokio::time::sleep_until(shared.deadline.map_or(until, |d| until.min(d))).await;
                continue;
            }
        };
        lock(&stats).connects += 1;
        driver.connected();
        let end = drive(&shared, &stats, &mut driver, conn, &mut next_at).await;
        match end {
            Drive::Lost { answered } => {
                // A server that closes every new connection at once must not spin us.
                if !answered {
                    lock(&stats).unserved += 1;
                    let pause = backoff(failures);
                    failures += 1;
                    tokio::time::sleep(pause).await;
                } else {
                    failures = 0;
                }
            }
            Drive::Done => break,
            Drive::Stop(why) => {
                stopped = Some(why);
                break;
            }
        }
    }
    WorkerEnd {
        left_out: driver.left_out(),
        stopped,
    }
}

/// How a connection's run ended.
enum Drive {
    /// The connection broke; `answered` when something was answered on it.
    Lost { answered: bool },
    /// The run is over and nothing is left to return.
    Done,
    /// This connection cannot go on (its login was refused, a request cannot be built).
    Stop(String),
}

async fn drive(
    shared: &Shared,
    stats: &Mutex<Stats>,
    driver: &mut Driver,
    mut conn: Conn,
    next_at: &mut Option<Instant>,
) -> Drive {
    let close = shared.connect_timeout;
    let mut answered = false;
    loop {
        let mut stopping = !shared.running();
        if !stopping && let (Some(at), Some(d)) = (*next_at, shared.deadline) {
            // Open loop: a request due after the end is not sent.
            stopping = at >= d;
        }
        let cleanup = stopping || !shared.claim();
        if cleanup {
            if !driver.wants_cleanup() {
                conn.close(close).await;
                return Drive::Done;
            }
            driver.spend();
        }
        let started = match (cleanup, *next_at, shared.interval) {
            (false, Some(at), Some(iv)) => {
                tokio::time::sleep_until(at).await;
                *next_at = Some(at + iv);
                // Latency counts from when the request was due (no coordinated omission).
                at
            }
            _ => Instant::now(),
        };
        let request = match driver.next(cleanup) {
            Ok(Some(r)) => r,
            Ok(None) => {
                conn.close(close).await;
                return Drive::Done;
            }
            Err(why) => {
                conn.close(close).await;
                return Drive::Stop(why);
            }
        };
        let code = request.code;
        let result = conn
            .exchange(
                request.body,
                request.trailer,
                request.terminator,
                request.timeout,
            )
            .await;
        match result {
            Ok((seq, answer)) => {
                let (outcome, fatal) = driver.judge(conn.answer(&answer), &answer, seq);
                let latency = started.elapsed();
                lock(stats).record(code, outcome, Some(latency));
                shared.sent.fetch_add(1, Ordering::Relaxed);
                if matches!(outcome, Outcome::Failed(..)) {
                    shared.failed.fetch_add(1, Ordering::Relaxed);
                }
                answered = true;
                if fatal {
                    conn.close(close).await;
                    let why = match outcome {
                        Outcome::Failed(ErrorClass::LoginRefused, _) => {
                            "the login was refused".to_string()
                        }
                        Outcome::Failed(class, _) => {
                            format!("the login was answered badly ({})", class.name())
                        }
                        Outcome::Answered { .. } => "the login failed".to_string(),
                    };
                    return Drive::Stop(why);
                }
            }
            Err(class) => {
                driver.lost();
                lock(stats).record(code, Outcome::Failed(class, None), None);
                shared.sent.fetch_add(1, Ordering::Relaxed);
                shared.failed.fetch_add(1, Ordering::Relaxed);
                return Drive::Lost { answered };
            }
        }
    }
}
