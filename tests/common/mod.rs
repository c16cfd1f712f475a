//! A small scripted, misbehaving SIP2 server for the transport and `send` tests (not the
//! emulator): it accepts one connection on a loopback port and plays a list of steps; and, in
//! [`cli`], the helpers for running the built binary.
#![allow(dead_code)] // each test binary uses a different part of it

pub mod cli;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sip2check::sip2::Rule;
use sip2check::transport::{ConnectOptions, Exchange, Timeouts};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How long any one script may run, so a broken test fails instead of hanging.
pub const SCRIPT_LIMIT: Duration = Duration::from_secs(30);

/// An answer computed from the request.
pub type Responder = Box<dyn Fn(&[u8]) -> Vec<u8> + Send>;

/// One thing the server does.
pub enum Step {
    /// Read one request (through its CR or LF) and keep it.
    Read,
    /// Write these bytes at once.
    Write(Vec<u8>),
    /// Write these bytes one at a time, flushing each.
    Trickle(Vec<u8>),
    /// Read one request and write what the function makes of it.
    Answer(Responder),
    /// Read `n` requests, answering each with the same bytes.
    Repeat(usize, Vec<u8>),
    /// Close the connection.
    Close,
    /// Say nothing until the client goes away.
    Silent,
    /// Write an endless line (at most 1 MiB) until the client stops reading.
    Endless,
}

/// Options for a session with a scripted server: 5 s to connect and for each answer, no idle
/// limit.
pub fn opts(endpoint: String) -> ConnectOptions {
    ConnectOptions {
        endpoint,
        timeouts: Timeouts {
            connect: Duration::from_secs(5),
            response: Duration::from_secs(5),
            idle: None,
        },
        ..ConnectOptions::default()
    }
}

/// The rules the response of an exchange broke.
pub fn rules(ex: &Exchange) -> Vec<Rule> {
    ex.response
        .analysis
        .violations
        .iter()
        .map(|v| v.rule)
        .collect()
}

/// A running scripted server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Ends with every request the server read, in order.
    pub handle: JoinHandle<Vec<Vec<u8>>>,
}

impl Server {
    /// "127.0.0.1:PORT".
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// The requests the server read (waits for the script to end).
    pub async fn requests(self) -> Vec<Vec<u8>> {
        self.handle.await.expect("server task")
    }
}

/// Serves `script` on 127.0.0.1, port 0, to one plain TCP client.
pub async fn serve(script: Vec<Step>) -> Server {
    serve_on("127.0.0.1:0", None, script).await
}

/// Serves `script` to one client on `bind`, through TLS when `tls` is given.
pub async fn serve_on(
    bind: &str,
    tls: Option<tokio_rustls::TlsAcceptor>,
    script: Vec<Step>,
) -> Server {
    let listener = TcpListener::bind(bind).await.expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    let handle = tokio::spawn(async move {
        let run = async move {
            let (tcp, _) = listener.accept().await.ok()?;
            match tls {
                None => Some(play(tcp, script).await),
                Some(acceptor) => {
                    let stream = acceptor.accept(tcp).await.ok()?;
                    Some(play(stream, script).await)
                }
            }
        };
        tokio::time::timeout(SCRIPT_LIMIT, run)
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    });
    Server { addr, handle }
}

/// Serves one script per connection on 127.0.0.1, in the order the connections arrive (the
/// capability probe of a run, then its scenarios); each script plays as `serve` plays one.
pub async fn serve_many(scripts: Vec<Vec<Step>>) -> ServerMany {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    let handle = tokio::spawn(async move {
        let mut plays = Vec::new();
        for script in scripts {
            let accepted = tokio::time::timeout(SCRIPT_LIMIT, listener.accept()).await;
            let Ok(Ok((tcp, _))) = accepted else { break };
            plays.push(tokio::spawn(async move {
                tokio::time::timeout(SCRIPT_LIMIT, play(tcp, script))
                    .await
                    .unwrap_or_default()
            }));
        }
        let mut seen = Vec::new();
        for p in plays {
            seen.push(p.await.unwrap_or_default());
        }
        seen
    });
    ServerMany { addr, handle }
}

/// A running server of one script per connection.
pub struct ServerMany {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Ends with the requests of each connection, in order.
    pub handle: JoinHandle<Vec<Vec<Vec<u8>>>>,
}

impl ServerMany {
    /// "127.0.0.1:PORT".
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }
}

async fn play<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, script: Vec<Step>) -> Vec<Vec<u8>> {
    let mut seen = Vec::new();
    let mut buf = Vec::new();
    for step in script {
        match step {
            Step::Read => match read_request(&mut s, &mut buf).await {
                Some(r) => seen.push(r),
                None => return seen,
            },
            Step::Write(bytes) => {
                if s.write_all(&bytes).await.is_err() {
                    return seen;
                }
                let _ = s.flush().await;
            }
            Step::Trickle(bytes) => {
                for b in bytes {
                    if s.write_all(&[b]).await.is_err() || s.flush().await.is_err() {
                        return seen;
                    }
                    tokio::task::yield_now().await;
                }
            }
            Step::Answer(f) => {
                let Some(r) = read_request(&mut s, &mut buf).await else {
                    return seen;
                };
                let answer = f(&r);
                seen.push(r);
                if s.write_all(&answer).await.is_err() {
                    return seen;
                }
                let _ = s.flush().await;
            }
            Step::Repeat(n, bytes) => {
                for _ in 0..n {
                    let Some(r) = read_request(&mut s, &mut buf).await else {
                        return seen;
                    };
                    seen.push(r);
                    if s.write_all(&bytes).await.is_err() {
                        return seen;
                    }
                    let _ = s.flush().await;
                }
            }
            Step::Close => {
                let _ = s.shutdown().await;
                return seen;
            }
            Step::Silent => {
                let mut sink = [0u8; 1024];
                while let Ok(n) = s.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
                return seen;
            }
            Step::Endless => {
                let chunk = [b'x'; 1024];
                for _ in 0..1024 {
                    if s.write_all(&chunk).await.is_err() {
                        break;
                    }
                }
                return seen;
            }
        }
    }
    seen
}

/// Reads through the next CR or LF (the terminator is kept); None at end of stream.
async fn read_request<S: AsyncRead + Unpin>(s: &mut S, buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    loop {
        while buf.first() == Some(&b'\n') {
            buf.remove(0);
        }
        if let Some(end) = buf.iter().position(|&b| b == b'\r' || b == b'\n') {
            let mut line: Vec<u8> = buf.drain(..=end).collect();
            if line.last() == Some(&b'\r') && buf.first() == Some(&b'\n') {
                line.push(buf.remove(0));
            }
            return Some(line);
        }
        let mut chunk = [0u8; 1024];
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// The message inside a request line, terminator dropped.
pub fn body(line: &[u8]) -> &[u8] {
    let end = line
        .iter()
        .rposition(|&b| b != b'\r' && b != b'\n')
        .map_or(0, |i| i + 1);
    &line[..end]
}

/// `body` with AY<seq>AZ<checksum> over its bytes, and CR.
pub fn with_trailer(body: &str, seq: Option<u8>) -> Vec<u8> {
    let mut b = body.as_bytes().to_vec();
    sip2check::sip2::checksum::append_trailer(&mut b, seq);
    b.push(b'\r');
    b
}

/// The AY digit of a request, if it has one.
pub fn seq_of(line: &[u8]) -> Option<u8> {
    let text = String::from_utf8_lossy(body(line)).into_owned();
    sip2check::sip2::parse(&text).ok()?.msg.trailer?.seq
}

/// A test CA and a server certificate it signed for 127.0.0.1 and localhost.
pub struct TestPki {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// A TLS acceptor presenting the server certificate.
    pub acceptor: tokio_rustls::TlsAcceptor,
}

/// Makes a fresh CA and server certificate with rcgen.
pub fn test_pki() -> TestPki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "sip2check test CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_params =
        rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    let server_cert = server_params.signed_by(&server_key, &ca).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    TestPki {
        ca_pem: ca.pem(),
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    }
}

/// A client certificate signed by a fresh CA, and an acceptor that demands one from that CA.
pub struct ClientAuthPki {
    /// The server's CA, PEM (for the client's --ca).
    pub ca_pem: String,
    /// The client certificate, PEM.
    pub client_cert_pem: String,
    /// The client key, PEM.
    pub client_key_pem: String,
    /// A TLS acceptor that requires a client certificate signed by the CA.
    pub acceptor: tokio_rustls::TlsAcceptor,
}

/// Makes a CA, a server certificate and a client certificate, and a server that checks the latter.
pub fn client_auth_pki() -> ClientAuthPki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server_cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let client_key = rcgen::KeyPair::generate().unwrap();
    let client_cert = rcgen::CertificateParams::new(vec!["kiosk-1".to_string()])
        .unwrap()
        .signed_by(&client_key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der().clone()).unwrap();
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![server_cert.der().clone()], key)
        .unwrap();
    ClientAuthPki {
        ca_pem: ca.pem(),
        client_cert_pem: client_cert.pem(),
        client_key_pem: client_key.serialize_pem(),
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    }
}
