//! The linting proxy: sits between a real self-check and a real ACS, forwards every byte in
//! both directions exactly as it came, and lints copies.
//!
//! One upstream connection per device connection; plain TCP or TLS on either side, the
//! device's telnet login passed through untouched. Each chunk read is copied for the linter
//! ([`Pair`]), written on at once, and only then framed and linted, so the linter never delays,
//! reorders or alters traffic beyond that copy; the copy a message is framed in is capped, the
//! bytes are forwarded whatever their length. At most `max_connections` pairs are served; one
//! over the cap is closed at once. The session ends in a [`ProxyReport`] (JUnit and JSON).
//! Listens on loopback unless `allow_remote`. Must not depend on the CLI.

mod pair;
mod report;

use std::collections::HashMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

pub use pair::{LintOptions, Pair, Seen, Side};
pub use report::{ConnectionRecord, Ending, ProxyReport};

use crate::acs::{MAX_RECORDS, RequestRecord, ServerTls};
use crate::sip2::MessageCode;
use crate::transport::accept::serve_capped;
use crate::transport::{self, ConnectOptions, Stream, Timeouts, TlsOptions, TransportError};

/// Pairs served at once unless told otherwise.
pub const DEFAULT_MAX_CONNECTIONS: usize = 100;
/// A pair with no traffic either way for this long is closed (self-checks send a 99 every few minutes).
pub const DEFAULT_IDLE: Duration = Duration::from_secs(600);
/// A write that takes longer than this ends the pair.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// The device's TLS handshake must complete within this.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// After one side has gone, how long the other may still send before the pair is closed.
pub const LINGER: Duration = Duration::from_secs(5);
/// How long shutdown waits for pairs to end before aborting them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// Bytes read at a time.
const CHUNK: usize = 16 * 1024;
/// Transcript lines queued for the writer (past it, lines are dropped and counted, never waited for).
const TRANSCRIPT_QUEUE: usize = 8192;
/// Events queued for the caller.
const EVENT_QUEUE: usize = 1024;
/// Characters of a message a report keeps (the transcript keeps them all).
const MAX_KEPT: usize = 1024;

/// How to proxy.
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    /// Where self-checks connect.
    pub listen: SocketAddr,
    /// Accept a `listen` address that is not loopback (a real device is on the LAN).
    pub allow_remote: bool,
    /// The ACS, `host:port`.
    pub upstream: String,
    /// Speak TLS to the ACS.
    pub upstream_tls: Option<TlsOptions>,
    /// Connecting to the ACS (TLS included) must finish within this.
    pub connect_timeout: Duration,
    /// Serve TLS to devices with this certificate and key.
    pub device_tls: Option<ServerTls>,
    /// Pairs served at once.
    pub max_connections: usize,
    /// A pair silent both ways this long is closed.
    pub idle: Duration,
    /// How messages are linted.
    pub lint: LintOptions,
    /// Write a timestamped, masked transcript here.
    pub log: Option<PathBuf>,
}

/// Why the proxy cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// `listen` is not loopback and `allow_remote` is off.
    #[error(
        "--listen {0} is not a loopback address; add --allow-remote to accept self-checks from the network"
    )]
    NotLoopback(SocketAddr),
    /// The upstream endpoint or its TLS files cannot be used.
    #[error("the ACS (--upstream): {0}")]
    Upstream(#[source] TransportError),
    /// The device-side certificate or key cannot be used.
    #[error("TLS for devices: {0}")]
    DeviceTls(#[source] std::io::Error),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The transcript file cannot be created.
    #[error("cannot create the transcript {path}: {source}")]
    Log {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl ProxyError {
    /// True when the user has to fix an option (as opposed to the network refusing).
    pub fn is_usage(&self) -> bool {
        !matches!(self, ProxyError::Bind { .. })
    }
}

/// What the proxy tells its caller as it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyEvent {
    /// A device connected.
    Opened {
        /// Connection number.
        conn: u64,
        /// The device's address.
        peer: String,
    },
    /// A device was turned away at once: `open` pairs were being served.
    Refused {
        /// The device's address.
        peer: String,
        /// Pairs open.
        open: usize,
        /// The cap.
        max: usize,
    },
    /// A pair ended.
    Ended(ConnectionRecord),
    /// A message with findings.
    Finding {
        /// Who sent it.
        side: Side,
        /// The message and its findings.
        record: RequestRecord,
    },
}

impl std::fmt::Display for ProxyEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxyEvent::Opened { conn, peer } => write!(f, "#{conn} open from {peer}"),
            ProxyEvent::Refused { peer, open, max } => write!(
                f,
                "refused {peer} at once: {open} connections open (--max-connections {max})"
            ),
            ProxyEvent::Ended(c) => {
                write!(
                    f,
                    "#{} {}: {} messages from the device, {} from the ACS",
                    c.connection,
                    c.ending.describe(),
                    c.messages.0,
                    c.messages.1
                )?;
                if c.unanswered > 0 {
                    write!(f, ", {} unanswered", c.unanswered)?;
                }
                if let Some(e) = &c.error {
                    write!(f, " ({e})")?;
                }
                Ok(())
            }
            ProxyEvent::Finding { side, record } => {
                write!(
                    f,
                    "#{} {} message {} {} {}: {}",
                    record.connection,
                    side.name(),
                    record.index,
                    record.code.as_deref().unwrap_or("??"),
                    record.name,
                    record.raw
                )?;
                for v in &record.violations {
                    write!(f, "\n  {v}")?;
                }
                Ok(())
            }
        }
    }
}

/// The transcript file, written by a thread of its own so a slow disk never holds up traffic.
struct Transcript {
    tx: Mutex<Option<std::sync::mpsc::SyncSender<String>>>,
    dropped: AtomicU64,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Transcript {
    fn open(path: &std::path::Path) -> Result<Transcript, ProxyError> {
        let file = std::fs::File::create(path).map_err(|source| ProxyError::Log {
            path: path.display().to_string(),
            source,
        })?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<String>(TRANSCRIPT_QUEUE);
        let writer = std::thread::spawn(move || {
            let mut out = std::io::BufWriter::new(file);
            while let Ok(line) = rx.recv() {
                let _ = writeln!(out, "{line}");
                while let Ok(line) = rx.try_recv() {
                    let _ = writeln!(out, "{line}");
                }
                let _ = out.flush();
            }
            let _ = out.flush();
        });
        Ok(Transcript {
            tx: Mutex::new(Some(tx)),
            dropped: AtomicU64::new(0),
            writer: Mutex::new(Some(writer)),
        })
    }

    fn line(&self, line: String) {
        let g = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = g.as_ref()
            && tx.try_send(line).is_err()
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Closes the queue and waits for the writer to flush what it holds.
    fn close(&self) {
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(w) = writer {
            let _ = w.join();
        }
    }
}

/// The time as transcripts write it (UTC, milliseconds).
fn stamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// A pair being served: its lint state and the device's address.
type Live = (Arc<Mutex<Pair>>, String);

/// State shared by the accept loop and every pair.
struct Shared {
    opts: ProxyOptions,
    report: Mutex<ProxyReport>,
    transcript: Option<Transcript>,
    events: mpsc::Sender<ProxyEvent>,
    connections: AtomicU64,
    live: Mutex<HashMap<u64, Live>>,
}

impl Shared {
    fn report(&self) -> std::sync::MutexGuard<'_, ProxyReport> {
        self.report.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn event(&self, e: ProxyEvent) {
        // A caller that does not read events loses them, never traffic.
        let _ = self.events.try_send(e);
    }

    fn transcript(&self, line: impl FnOnce(&str) -> String) {
        if let Some(t) = &self.transcript {
            t.line(line(&stamp()));
        }
    }

    /// Records what a pair's copies showed (called with the pair locked, so lines stay in order).
    fn seen(&self, conn: u64, seen: Vec<Seen>) {
        for s in seen {
            match s {
                Seen::Telnet { side, note } => {
                    self.transcript(|t| format!("{t} #{conn} {} telnet> {note}", side.name()));
                }
                Seen::Message { side, mut record } => {
                    self.transcript(|t| {
                        let mut lines = format!("{t} #{conn} {}> {}", side.name(), record.raw);
                        for v in &record.violations {
                            lines.push_str(&format!("\n{t} #{conn} {}   {v}", side.name()));
                        }
                        lines
                    });
                    if !record.violations.is_empty() {
                        self.event(ProxyEvent::Finding {
                            side,
                            record: record.clone(),
                        });
                    }
                    // Escaped wire text is ASCII: any byte offset is a character boundary.
                    if record.raw.len() > MAX_KEPT {
                        let all = record.raw.len();
                        record.raw.truncate(MAX_KEPT);
                        record
                            .raw
                            .push_str(&format!("... ({all} characters in all)"));
                    }
                    let mut report = self.report();
                    if let Some(code) = record.code.as_deref().and_then(MessageCode::parse) {
                        *report.types.entry((side, code)).or_default() += 1;
                    }
                    if report.records.len() < MAX_RECORDS {
                        report.records.push((side, record));
                    } else {
                        report.dropped += 1;
                    }
                }
            }
        }
    }

    fn ended(&self, record: ConnectionRecord) {
        self.transcript(|t| format!("{t} {}", ProxyEvent::Ended(record.clone())));
        self.event(ProxyEvent::Ended(record.clone()));
        let mut report = self.report();
        if report.ended.len() < MAX_RECORDS {
            report.ended.push(record);
        } else {
            report.dropped += 1;
        }
    }
}

/// A running proxy.
pub struct Proxy {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    shared: Arc<Shared>,
    events: Option<mpsc::Receiver<ProxyEvent>>,
}

/// Starts the proxy; returns once it listens.
pub async fn spawn(opts: ProxyOptions) -> Result<Proxy, ProxyError> {
    if !opts.listen.ip().is_loopback() && !opts.allow_remote {
        return Err(ProxyError::NotLoopback(opts.listen));
    }
    transport::parse_endpoint(&opts.upstream).map_err(ProxyError::Upstream)?;
    if let Some(tls) = &opts.upstream_tls {
        // The CA and client files are read now, so a wrong path fails at start, not per device.
        transport::tls_client_config(tls, &opts.upstream).map_err(ProxyError::Upstream)?;
    }
    let acceptor = match &opts.device_tls {
        Some(t) => Some(crate::acs::tls_acceptor(t).map_err(ProxyError::DeviceTls)?),
        None => None,
    };
    let transcript = opts.log.as_deref().map(Transcript::open).transpose()?;
    let listener = TcpListener::bind(opts.listen)
        .await
        .map_err(|source| ProxyError::Bind {
            addr: opts.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ProxyError::Bind {
        addr: opts.listen,
        source,
    })?;
    let (events, events_rx) = mpsc::channel(EVENT_QUEUE);
    let report = ProxyReport {
        listen: addr.to_string(),
        upstream: opts.upstream.clone(),
        ..ProxyReport::default()
    };
    let shared = Arc::new(Shared {
        opts,
        report: Mutex::new(report),
        transcript,
        events,
        connections: AtomicU64::new(0),
        live: Mutex::new(HashMap::new()),
    });
    shared.transcript(|t| {
        format!(
            "{t} listening on {addr}, forwarding to {}",
            shared.opts.upstream
        )
    });
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, shared.clone(), stopped, acceptor));
    Ok(Proxy {
        addr,
        stop,
        task,
        shared,
        events: Some(events_rx),
    })
}

impl Proxy {
    /// The address devices connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The live events (connections opened and ended, refusals, findings); None once taken.
    pub fn take_events(&mut self) -> Option<mpsc::Receiver<ProxyEvent>> {
        self.events.take()
    }

    /// Stops accepting, closes every pair and returns the report.
    pub async fn shutdown(self) -> ProxyReport {
        let _ = self.stop.send(true);
        // The accept loop ends within SHUTDOWN_GRACE (it aborts what is left then).
        let _ = self.task.await;
        let left: Vec<(u64, Live)> = self
            .shared
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .collect();
        for (conn, (pair, peer)) in left {
            let p = pair.lock().unwrap_or_else(|p| p.into_inner());
            self.shared.ended(ConnectionRecord {
                connection: conn,
                peer,
                messages: p.messages(),
                unanswered: p.unanswered() as u64,
                ending: Ending::Stopped,
                error: None,
            });
        }
        self.shared.transcript(|t| format!("{t} stopped"));
        if let Some(t) = &self.shared.transcript {
            t.close();
        }
        let mut report = self.shared.report().clone();
        report.connections = self.shared.connections.load(Ordering::Relaxed);
        report.transcript_dropped = self
            .shared
            .transcript
            .as_ref()
            .map_or(0, |t| t.dropped.load(Ordering::Relaxed));
        report.ended.sort_by_key(|c| c.connection);
        report
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    stopped: watch::Receiver<bool>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let max = shared.opts.max_connections;
    let refused = |peer: SocketAddr, open| {
        let e = ProxyEvent::Refused {
            peer: peer.to_string(),
            open,
            max,
        };
        shared.transcript(|t| format!("{t} {e}"));
        shared.event(e);
        shared.report().refused += 1;
    };
    let serve = |stream: TcpStream, peer: SocketAddr| {
        let _ = stream.set_nodelay(true);
        let conn = shared.connections.fetch_add(1, Ordering::Relaxed) + 1;
        let shared = shared.clone();
        let stop = stopped.clone();
        let tls = tls.clone();
        async move { serve_pair(stream, peer, conn, &shared, stop, tls).await }
    };
    serve_capped(
        listener,
        max,
        stopped.clone(),
        SHUTDOWN_GRACE,
        refused,
        serve,
    )
    .await;
}

async fn serve_pair(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    conn: u64,
    shared: &Shared,
    stop: watch::Receiver<bool>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let peer = peer.to_string();
    let opened = ProxyEvent::Opened {
        conn,
        peer: peer.clone(),
    };
    shared.transcript(|t| format!("{t} {opened} to {}", shared.opts.upstream));
    shared.event(opened);
    let fail = |ending, error: String| {
        shared.ended(ConnectionRecord {
            connection: conn,
            peer: peer.clone(),
            messages: (0, 0),
            unanswered: 0,
            ending,
            error: Some(error),
        })
    };
    let device: Box<dyn Stream> = match tls {
        None => Box::new(stream),
        Some(acceptor) => {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(s)) => Box::new(s),
                Ok(Err(e)) => return fail(Ending::Handshake, e.to_string()),
                Err(_) => {
                    return fail(
                        Ending::Handshake,
                        format!(
                            "no handshake within {}",
                            transport::human(HANDSHAKE_TIMEOUT)
                        ),
                    );
                }
            }
        }
    };
    let connect = ConnectOptions {
        endpoint: shared.opts.upstream.clone(),
        tls: shared.opts.upstream_tls.clone(),
        timeouts: Timeouts {
            connect: shared.opts.connect_timeout,
            ..Timeouts::default()
        },
        ..ConnectOptions::default()
    };
    let upstream = match transport::open(&connect).await {
        Ok(s) => s,
        Err(e) => return fail(Ending::Unreachable, e.to_string()),
    };
    let pair = Arc::new(Mutex::new(Pair::new(
        conn,
        peer.clone(),
        shared.opts.upstream.clone(),
        shared.opts.lint.clone(),
    )));
    shared
        .live
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(conn, (pair.clone(), peer.clone()));
    let (device_rx, device_tx) = tokio::io::split(device);
    let (acs_rx, acs_tx) = tokio::io::split(upstream);
    let (linger_tx, linger) = watch::channel(false);
    let ends = Ends {
        pair: &pair,
        shared,
        conn,
        stop,
        linger,
    };
    let device_side = pump(Side::Device, device_rx, acs_tx, ends.clone());
    let acs_side = pump(Side::Acs, acs_rx, device_tx, ends);
    tokio::pin!(device_side, acs_side);
    // The side that ends first says how the pair ended; the other may still finish its last words.
    let (first, second) = tokio::select! {
        r = &mut device_side => { let _ = linger_tx.send(true); (r, acs_side.await) }
        r = &mut acs_side => { let _ = linger_tx.send(true); (r, device_side.await) }
    };
    let (ending, error) = first.or(second).unwrap_or((Ending::Failed, None));
    if shared
        .live
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&conn)
        .is_none()
    {
        return;
    }
    let p = pair.lock().unwrap_or_else(|p| p.into_inner());
    shared.ended(ConnectionRecord {
        connection: conn,
        peer,
        messages: p.messages(),
        unanswered: p.unanswered() as u64,
        ending,
        error,
    });
}

/// What both halves of a pair share.
#[derive(Clone)]
struct Ends<'a> {
    pair: &'a Mutex<Pair>,
    shared: &'a Shared,
    conn: u64,
    stop: watch::Receiver<bool>,
    /// Set when the other half has ended.
    linger: watch::Receiver<bool>,
}

/// Copies `from` to `to` until `from` ends; returns how the pair ended, or None when this half
/// only stopped because the other had ended.
async fn pump<R, W>(
    side: Side,
    mut from: R,
    mut to: W,
    mut ends: Ends<'_>,
) -> Option<(Ending, Option<String>)>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let other = match side {
        Side::Device => "ACS",
        Side::Acs => "device",
    };
    let mut buf = vec![0u8; CHUNK];
    let mut lingering = false;
    loop {
        let limit = if lingering {
            LINGER
        } else {
            ends.shared.opts.idle
        };
        let read = tokio::select! {
            _ = ends.stop.changed() => return Some((Ending::Stopped, None)),
            _ = ends.linger.changed(), if !lingering => {
                lingering = true;
                continue;
            }
            r = tokio::time::timeout(limit, from.read(&mut buf)) => r,
        };
        let n = match read {
            Err(_) if lingering => return None,
            Err(_) => return Some((Ending::Idle, None)),
            Ok(Ok(0)) => {
                let _ = tokio::time::timeout(WRITE_TIMEOUT, to.shutdown()).await;
                let ending = match side {
                    Side::Device => Ending::ClosedByDevice,
                    Side::Acs => Ending::ClosedByAcs,
                };
                return (!lingering).then_some((ending, None));
            }
            Ok(Err(_)) if lingering => return None,
            Ok(Err(e)) => {
                return Some((
                    Ending::Failed,
                    Some(format!("reading from the {}: {e}", side.name())),
                ));
            }
            Ok(Ok(n)) => n,
        };
        let chunk = buf.get(..n).unwrap_or_default();
        {
            let mut p = ends.pair.lock().unwrap_or_else(|p| p.into_inner());
            let seen = p.copy(side, chunk);
            ends.shared.seen(ends.conn, seen);
        }
        let written = tokio::time::timeout(WRITE_TIMEOUT, async {
            to.write_all(chunk).await?;
            to.flush().await
        })
        .await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Some((Ending::Failed, Some(format!("writing to the {other}: {e}"))));
            }
            Err(_) => {
                return Some((
                    Ending::Failed,
                    Some(format!(
                        "writing to the {other}: nothing accepted within {}",
                        transport::human(WRITE_TIMEOUT)
                    )),
                ));
            }
        }
        let mut p = ends.pair.lock().unwrap_or_else(|p| p.into_inner());
        // The device's requests are framed first, so an answer always meets its request.
        let mut seen = match side {
            Side::Acs => p.drain(Side::Device),
            Side::Device => Vec::new(),
        };
        seen.extend(p.drain(side));
        ends.shared.seen(ends.conn, seen);
    }
}
