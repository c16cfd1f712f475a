//! The tokio server: accept loop, one task per connection, TLS, the telnet login transport,
//! transport-level faults, bounded buffers and timeouts, graceful shutdown.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use super::dialect::Dialect;
use super::faults::{Faults, SPLIT_PAUSE};
use super::library::Library;
use super::report::{MAX_RECORDS, RequestRecord, ServeReport};
use super::session::{Action, Session};
use crate::sip2::frame::{self, DEFAULT_MAX_LEN, Status};
use crate::transport::accept::serve_capped;

/// Connections served at once unless `ServeOptions::max_connections` says otherwise; more are
/// accepted and closed at once. It stays under the usual soft limit of 1,024 open files, so a
/// flood of idle clients meets the cap, not the descriptor limit (where accept fails for all).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1_000;
/// A connection idle this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// A write that takes longer than this closes the connection.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// TLS handshake and telnet prompts must complete within this.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long shutdown waits for connections to finish before aborting them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// Longest telnet login or password line.
const MAX_TELNET_LINE: usize = 256;
/// Telnet login attempts per connection.
const TELNET_ATTEMPTS: usize = 3;

/// Certificate and key (PEM files) for TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTls {
    /// Certificate chain, PEM.
    pub cert: PathBuf,
    /// Private key, PEM.
    pub key: PathBuf,
}

/// How to serve.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Address to bind; None = 127.0.0.1:0 (an ephemeral loopback port).
    pub listen: Option<SocketAddr>,
    /// Each connection gets a fresh copy of the library.
    pub isolate: bool,
    /// Lint every request and record it for the report.
    pub strict: bool,
    /// Dialect defaults for accounts that do not set a knob.
    pub dialect: Dialect,
    /// Faults to inject.
    pub faults: Faults,
    /// Serve TLS with this certificate and key.
    pub tls: Option<ServerTls>,
    /// Telnet-style login (`login:` / `password:` prompts) before SIP.
    pub telnet: bool,
    /// Connections served at once (None: [`DEFAULT_MAX_CONNECTIONS`]); one more is closed at once.
    pub max_connections: Option<usize>,
    /// Offer every request and its answer to a traffic log ([`Server::take_traffic`]).
    pub log_traffic: bool,
}

/// One request and what the server did about it, for a traffic log (`serve --log`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traffic {
    /// When the request was handled.
    pub at: std::time::SystemTime,
    /// Connection number (1-based, in accept order).
    pub connection: u64,
    /// The client's address.
    pub peer: String,
    /// Request number within the connection (1-based).
    pub index: u64,
    /// The connection's wire encoding.
    pub encoding: crate::sip2::Encoding,
    /// The request's bytes, terminator included, unmasked (the log masks them).
    pub request: Vec<u8>,
    /// The answer.
    pub reply: Reply,
}

/// What the server did with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// It sent these bytes.
    Sent(Vec<u8>),
    /// It sent these bytes, then closed the connection.
    SentThenClosed(Vec<u8>),
    /// It sent nothing.
    None,
    /// It closed the connection without answering.
    Closed,
}

/// Most traffic records waiting for the log writer; more are dropped (and counted) rather
/// than slow a connection down.
pub const TRAFFIC_BACKLOG: usize = 4096;

/// The receiving end of a traffic log.
pub struct TrafficLog {
    /// The records, in the order they were handled.
    pub records: mpsc::Receiver<Traffic>,
    dropped: Arc<AtomicU64>,
}

impl TrafficLog {
    /// Records dropped so far because the writer did not keep up.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

/// A connection closed at once because `max_connections` were open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejected {
    /// Who connected.
    pub peer: SocketAddr,
    /// The cap.
    pub limit: usize,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "closed the connection from {} at once: {} connections are open (--max-connections)",
            self.peer, self.limit
        )
    }
}

/// State shared by the accept loop and every connection.
pub struct Shared {
    /// The options the server runs with.
    pub opts: ServeOptions,
    pristine: Library,
    library: Arc<Mutex<Library>>,
    connections: AtomicU64,
    requests: AtomicU64,
    records: Mutex<(Vec<RequestRecord>, u64)>,
    log: Option<mpsc::Sender<RequestRecord>>,
    rejected: mpsc::Sender<Rejected>,
    traffic: Option<mpsc::Sender<Traffic>>,
    traffic_dropped: Arc<AtomicU64>,
}

impl Shared {
    /// Shared state for `library` with `opts`, before any connection.
    fn new(
        library: Library,
        opts: ServeOptions,
        log: Option<mpsc::Sender<RequestRecord>>,
        rejected: mpsc::Sender<Rejected>,
    ) -> Shared {
        Shared {
            rejected,
            opts,
            library: Arc::new(Mutex::new(library.clone())),
            pristine: library,
            connections: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            records: Mutex::new((Vec::new(), 0)),
            log,
            traffic: None,
            traffic_dropped: Arc::new(AtomicU64::new(0)),
        }
    }

    /// True when requests go to a traffic log.
    pub fn logs_traffic(&self) -> bool {
        self.traffic.is_some()
    }

    /// Offers a record to the traffic log; a full log drops it and counts it (a slow disk must
    /// not stall the connection).
    pub fn log_traffic(&self, t: Traffic) {
        if let Some(tx) = &self.traffic
            && tx.try_send(t).is_err()
        {
            self.traffic_dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A session on the shared library, as the accept loop makes one (for tests of the session alone).
    #[cfg(test)]
    pub fn test_session(library: Library, opts: ServeOptions) -> Session {
        let shared = Arc::new(Shared::new(library, opts, None, mpsc::channel(1).0));
        let lib = shared.library.clone();
        Session::new(shared, lib, 1, "test".into())
    }

    /// Stores a strict-mode record (bounded) and offers it to the live log.
    pub fn record(&self, r: RequestRecord) {
        if let Some(log) = &self.log {
            // A slow reader loses live lines, never the report.
            let _ = log.try_send(r.clone());
        }
        let mut g = self.records.lock().unwrap_or_else(|p| p.into_inner());
        if g.0.len() < MAX_RECORDS {
            g.0.push(r);
        } else {
            g.1 += 1;
        }
    }
}

/// A running emulator.
pub struct Server {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
    shared: Arc<Shared>,
    log: Option<mpsc::Receiver<RequestRecord>>,
    rejected: Option<mpsc::Receiver<Rejected>>,
    traffic: Option<TrafficLog>,
}

/// Starts the emulator on `opts.listen` (default 127.0.0.1:0) and returns once it is listening.
pub async fn spawn(library: Library, opts: ServeOptions) -> std::io::Result<Server> {
    let tls = match &opts.tls {
        Some(t) => Some(super::tls::acceptor(t)?),
        None => None,
    };
    let listen = opts
        .listen
        .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let (log_tx, log_rx) = if opts.strict {
        let (tx, rx) = mpsc::channel(1024);
        (Some(tx), Some(rx))
    } else {
        (None, None)
    };
    // Bounded: under a flood of refused clients the log loses lines, the accept loop never waits.
    let (rejected_tx, rejected_rx) = mpsc::channel(64);
    let traffic = opts.log_traffic.then(|| mpsc::channel(TRAFFIC_BACKLOG));
    let mut shared = Shared::new(library, opts, log_tx, rejected_tx);
    let traffic = traffic.map(|(tx, rx)| {
        shared.traffic = Some(tx);
        TrafficLog {
            records: rx,
            dropped: shared.traffic_dropped.clone(),
        }
    });
    let shared = Arc::new(shared);
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, shared.clone(), stopped, tls));
    Ok(Server {
        addr,
        stop,
        task,
        shared,
        log: log_rx,
        rejected: Some(rejected_rx),
        traffic,
    })
}

impl Server {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The live strict-mode log (each request record as it arrives); None without `strict` or once taken.
    pub fn take_log(&mut self) -> Option<mpsc::Receiver<RequestRecord>> {
        self.log.take()
    }

    /// Every request and its answer as they happen (with `log_traffic`); None once taken.
    pub fn take_traffic(&mut self) -> Option<TrafficLog> {
        self.traffic.take()
    }

    /// Connections closed at once because the cap was reached, as they happen; None once taken.
    pub fn take_rejections(&mut self) -> Option<mpsc::Receiver<Rejected>> {
        self.rejected.take()
    }

    /// Stops accepting, closes every connection and returns what the server saw.
    pub async fn shutdown(self) -> ServeReport {
        let _ = self.stop.send(true);
        // The accept loop ends within SHUTDOWN_GRACE (it aborts what is left then); a panic in it is not ours to rethrow.
        let _ = self.task.await;
        let (records, dropped) = {
            let mut g = self
                .shared
                .records
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            (std::mem::take(&mut g.0), g.1)
        };
        ServeReport {
            connections: self.shared.connections.load(Ordering::Relaxed),
            requests: self.shared.requests.load(Ordering::Relaxed),
            records,
            dropped,
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    stopped: watch::Receiver<bool>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let limit = shared
        .opts
        .max_connections
        .unwrap_or(DEFAULT_MAX_CONNECTIONS);
    let refused = |peer, _open| {
        let _ = shared.rejected.try_send(Rejected { peer, limit });
    };
    let serve = |stream: TcpStream, peer: SocketAddr| {
        let _ = stream.set_nodelay(true);
        let n = shared.connections.fetch_add(1, Ordering::Relaxed) + 1;
        let library = if shared.opts.isolate {
            Arc::new(Mutex::new(shared.pristine.clone()))
        } else {
            shared.library.clone()
        };
        let session = Session::new(shared.clone(), library, n, peer.to_string());
        let stop = stopped.clone();
        let tls = tls.clone();
        let shared = shared.clone();
        async move {
            match tls {
                Some(acceptor) => {
                    if let Ok(Ok(s)) =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    {
                        serve_connection(s, session, &shared, stop).await;
                    }
                }
                None => serve_connection(stream, session, &shared, stop).await,
            }
        }
    };
    serve_capped(
        listener,
        limit,
        stopped.clone(),
        SHUTDOWN_GRACE,
        refused,
        serve,
    )
    .await;
}

/// Serves one connection until the client closes, an idle timeout, a fault, or shutdown.
async fn serve_connection<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    mut session: Session,
    shared: &Shared,
    mut stop: watch::Receiver<bool>,
) {
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    if shared.opts.telnet && !telnet_login(&mut stream, &mut session, &mut buf, &mut stop).await {
        return;
    }
    let faults = &shared.opts.faults;
    // Pinned once: re-registering a shutdown waiter and an idle timer per read costs more than the read.
    let stopped = stop.changed();
    tokio::pin!(stopped);
    let mut last_read = Instant::now();
    let idle = tokio::time::sleep(IDLE_TIMEOUT);
    tokio::pin!(idle);
    let mut answered = 0usize;
    let mut chunk = vec![0u8; 8192];
    let mut out: Vec<u8> = Vec::new();
    loop {
        // Answer every whole message already buffered (pipelined requests), then write once.
        loop {
            match frame::split(&buf, DEFAULT_MAX_LEN) {
                Ok(Status::Complete(f)) => {
                    shared.requests.fetch_add(1, Ordering::Relaxed);
                    let action = session.handle(f.bytes(&buf), f.terminator, f.leading_lf);
                    buf.drain(..f.consumed);
                    match action {
                        Action::Reply(bytes) if !faults.silent => {
                            answered += 1;
                            if faults.delay.is_some() || faults.split.is_some() {
                                if !write_slowly(&mut stream, &bytes, faults).await {
                                    return;
                                }
                            } else {
                                out.extend_from_slice(&bytes);
                            }
                            if faults.close_after.is_some_and(|n| answered >= n) {
                                let _ = write_all(&mut stream, &out).await;
                                return;
                            }
                        }
                        Action::Reply(_) | Action::Ignore => {}
                        Action::ReplyThenClose(bytes) => {
                            if !faults.silent {
                                out.extend_from_slice(&bytes);
                            }
                            let _ = write_all(&mut stream, &out).await;
                            return;
                        }
                        Action::Close => {
                            let _ = write_all(&mut stream, &out).await;
                            return;
                        }
                    }
                }
                Ok(Status::Partial) => break,
                Err(_) => {
                    // An endless line: answer what came before it, then hang up (bounded buffer).
                    let _ = write_all(&mut stream, &out).await;
                    return;
                }
            }
        }
        if !out.is_empty() {
            if !write_all(&mut stream, &out).await {
                return;
            }
            out.clear();
        }
        // A flood of bare LFs never completes a frame; cap the buffer anyway.
        if buf.len() > 2 * DEFAULT_MAX_LEN {
            return;
        }
        tokio::select! {
            _ = &mut stopped => return,
            () = &mut idle => {
                // The timer is moved only when it fires, not on every read (cheaper under load).
                let deadline = last_read + IDLE_TIMEOUT;
                if Instant::now() >= deadline {
                    return;
                }
                idle.as_mut().reset(deadline);
            }
            read = stream.read(&mut chunk) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    last_read = Instant::now();
                    buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
                }
            },
        }
    }
}

async fn write_all<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return true;
    }
    matches!(
        tokio::time::timeout(WRITE_TIMEOUT, async {
            stream.write_all(bytes).await?;
            stream.flush().await
        })
        .await,
        Ok(Ok(()))
    )
}

/// Writes with the delay and split faults: wait, then send in chunks with a pause between them.
async fn write_slowly<S: AsyncWrite + Unpin>(
    stream: &mut S,
    bytes: &[u8],
    faults: &Faults,
) -> bool {
    if let Some(d) = faults.delay {
        tokio::time::sleep(d).await;
    }
    let size = faults.split.unwrap_or(bytes.len()).max(1);
    let mut chunks = bytes.chunks(size).peekable();
    while let Some(c) = chunks.next() {
        if !write_all(stream, c).await {
            return false;
        }
        if chunks.peek().is_some() {
            tokio::time::sleep(SPLIT_PAUSE).await;
        }
    }
    true
}

/// The telnet transport (Evergreen/Koha): `login:` and `password:` prompts, then SIP.
async fn telnet_login<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    session: &mut Session,
    buf: &mut Vec<u8>,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    for _ in 0..TELNET_ATTEMPTS {
        if !write_all(stream, b"login: ").await {
            return false;
        }
        let Some(login) = read_line(stream, buf, stop).await else {
            return false;
        };
        if !write_all(stream, b"password: ").await {
            return false;
        }
        let Some(password) = read_line(stream, buf, stop).await else {
            return false;
        };
        if session.login(&login, &password) {
            let mut ok = b"Login OK.  Initiating SIP".to_vec();
            ok.extend_from_slice(session.terminator().bytes());
            return write_all(stream, &ok).await;
        }
        if !write_all(stream, b"Invalid login\r\n").await {
            return false;
        }
    }
    false
}

/// Reads one telnet line (CR, LF or CRLF), dropping telnet option bytes and control characters.
async fn read_line<S: AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut Vec<u8>,
    stop: &mut watch::Receiver<bool>,
) -> Option<String> {
    let mut chunk = [0u8; 256];
    loop {
        let start = buf
            .iter()
            .take_while(|&&b| b == b'\n' || b == b'\r')
            .count();
        if let Some(end) = buf
            .iter()
            .skip(start)
            .position(|&b| b == b'\r' || b == b'\n')
        {
            let line: String = buf
                .get(start..start + end)
                .unwrap_or_default()
                .iter()
                .filter(|b| b.is_ascii_graphic() || **b == b' ')
                .map(|&b| char::from(b))
                .collect();
            let mut rest = start + end;
            while buf.get(rest).is_some_and(|&b| b == b'\r' || b == b'\n') {
                rest += 1;
            }
            buf.drain(..rest);
            return Some(line.trim().to_string());
        }
        if buf.len() > MAX_TELNET_LINE {
            return None;
        }
        tokio::select! {
            _ = stop.changed() => return None,
            read = tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.read(&mut chunk)) => match read {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return None,
                Ok(Ok(n)) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(index: u64) -> Traffic {
        Traffic {
            at: std::time::SystemTime::UNIX_EPOCH,
            connection: 1,
            peer: "127.0.0.1:5000".into(),
            index,
            encoding: crate::sip2::Encoding::Utf8,
            request: b"9900302.00\r".to_vec(),
            reply: Reply::None,
        }
    }

    #[test]
    fn a_full_traffic_log_drops_and_counts_instead_of_waiting() {
        let mut shared = Shared::new(
            Library::builtin(),
            ServeOptions::default(),
            None,
            mpsc::channel(1).0,
        );
        let (tx, mut rx) = mpsc::channel(2);
        shared.traffic = Some(tx);
        for i in 1..=5 {
            shared.log_traffic(record(i));
        }
        assert_eq!(shared.traffic_dropped.load(Ordering::Relaxed), 3);
        assert_eq!(rx.try_recv().map(|t| t.index), Ok(1));
        assert_eq!(rx.try_recv().map(|t| t.index), Ok(2));
    }
}
