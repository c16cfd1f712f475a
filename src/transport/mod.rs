//! Connections to SIP2 servers (tokio): TCP over IPv4/IPv6, TLS (rustls), the telnet-style
//! login of SIPServer and Koha, tolerant framing, encodings, error detection with resends,
//! and timeouts on every wait.
//!
//! [`Session`] is what the runner and `sip2check send` drive: connect, exchange a request for
//! a parsed and linted response with its raw bytes, expect a close, close. [`accept`] is the
//! other side: the capped accept loop of every server here.

pub mod accept;
mod connect;
mod error;
mod pin;
mod reader;
mod session;
mod telnet;
mod tls;

use std::path::PathBuf;
use std::time::Duration;

pub use connect::{Endpoint, Stream, open, parse_endpoint};
pub use error::{TransportError, Wait, human};
pub use session::{Attempt, Exchange, MAX_UNSOLICITED, Received, Sent, Session, Unsolicited};
pub use tls::{client_config as tls_client_config, pem_certificates, pem_private_key};

pub use crate::sip2::frame::Terminator;
pub use crate::sip2::text::Encoding;

/// Everything needed to open a session.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `host:port` or `[::1]:port`; host names are resolved.
    pub endpoint: String,
    /// Speak TLS; None for plain TCP.
    pub tls: Option<TlsOptions>,
    /// Log in through telnet-style prompts before speaking SIP.
    pub telnet: Option<TelnetOptions>,
    /// The terminator appended to what is sent.
    pub terminator: Terminator,
    /// The encoding of what is sent and of what is received.
    pub encoding: Encoding,
    /// Whether requests carry AY/AZ.
    pub error_detection: ErrorDetection,
    /// The waits.
    pub timeouts: Timeouts,
    /// A response longer than this fails instead of growing without bound.
    pub max_message_len: usize,
    /// Bound for re-sends after a 96 and for 97s after bad checksums (lowered by a 98's retries allowed).
    pub retries: u32,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            endpoint: String::new(),
            tls: None,
            telnet: None,
            terminator: Terminator::Cr,
            encoding: Encoding::Utf8,
            error_detection: ErrorDetection::Off,
            timeouts: Timeouts::default(),
            max_message_len: crate::sip2::frame::DEFAULT_MAX_LEN,
            retries: 3,
        }
    }
}

/// TLS settings; with no CA file the system's root certificates are trusted.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// A PEM file of CA certificates to trust instead of the system roots.
    pub ca: Option<PathBuf>,
    /// A PEM client certificate (chain) to present.
    pub cert: Option<PathBuf>,
    /// The PEM private key of the client certificate.
    pub key: Option<PathBuf>,
    /// The server name to send and verify (default: the endpoint's host).
    pub sni: Option<String>,
    /// Accept any server certificate. Never the default.
    pub insecure: bool,
}

/// The telnet-style login of SIPServer/Koha: prompts, user and password before SIP.
#[derive(Debug, Clone)]
pub struct TelnetOptions {
    /// The user to send at the login prompt.
    pub user: String,
    /// The password to send at the password prompt.
    pub password: String,
    /// The login prompt to wait for (matched case-insensitively).
    pub login_prompt: String,
    /// The password prompt to wait for (matched case-insensitively).
    pub password_prompt: String,
}

impl Default for TelnetOptions {
    fn default() -> Self {
        TelnetOptions {
            user: String::new(),
            password: String::new(),
            login_prompt: "login:".into(),
            password_prompt: "password:".into(),
        }
    }
}

/// Error detection (AY sequence number and AZ checksum) on requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ErrorDetection {
    /// Requests carry no trailer.
    #[default]
    Off,
    /// Every request carries AY/AZ and every response must carry AZ.
    On,
    /// Off until the server sends a checksummed message, then on for the rest of the session.
    Auto,
}

impl std::str::FromStr for ErrorDetection {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "off" | "false" | "no" => Ok(ErrorDetection::Off),
            "on" | "true" | "yes" => Ok(ErrorDetection::On),
            "auto" => Ok(ErrorDetection::Auto),
            other => Err(format!(
                "unknown error detection {other:?}; use on, off or auto"
            )),
        }
    }
}

/// How long each network wait may last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Opening the connection, TLS handshake included.
    pub connect: Duration,
    /// A whole response (also each telnet prompt).
    pub response: Duration,
    /// Silence allowed between two reads of one response; None for no separate limit.
    pub idle: Option<Duration>,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(5),
            response: Duration::from_secs(10),
            idle: None,
        }
    }
}

/// Per-request overrides of the session's settings.
#[derive(Debug, Clone, Default)]
pub struct StepOptions {
    /// Add AY/AZ (true) or not (false) regardless of the session's error detection.
    pub checksum: Option<bool>,
    /// The response timeout for this request.
    pub timeout: Option<Duration>,
    /// The terminator for this request.
    pub terminator: Option<Terminator>,
    /// Take a 96 or a bad checksum as the answer instead of re-sending or sending 97.
    pub no_resend: bool,
}
