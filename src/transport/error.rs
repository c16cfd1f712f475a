//! What can go wrong on a connection, each error saying which wait expired, after how long,
//! and what had arrived so far, so a transcript never ends in a bare "timed out".

use std::fmt;
use std::time::Duration;

use crate::sip2::redact::Redaction;
use crate::sip2::text::Unencodable;

use super::session::Attempt;

/// Which network wait expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Opening the TCP connection (and the TLS handshake).
    Connect,
    /// A whole response to a request.
    Response,
    /// Silence between two reads while a response was arriving.
    Idle,
    /// A telnet login prompt or the server's confirmation of the login.
    Prompt,
}

impl Wait {
    /// What was awaited, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Wait::Connect => "connection",
            Wait::Response => "response",
            Wait::Idle => "further bytes",
            Wait::Prompt => "telnet prompt",
        }
    }
}

/// Shows a duration as people write it: "2 s", "1.5 s", "250 ms".
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// Bytes received so far, escaped as in transcripts with passwords masked, or "nothing".
pub struct SoFar<'a>(pub &'a [u8]);

impl fmt::Display for SoFar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("nothing");
        }
        // Each line masked as a message would be (a server echoing a login sends CO back).
        let mut shown = Vec::with_capacity(self.0.len());
        for line in self.0.split_inclusive(|b| *b == b'\r' || *b == b'\n') {
            let end = line
                .iter()
                .rposition(|b| *b != b'\r' && *b != b'\n')
                .map_or(0, |i| i + 1);
            let (body, ends) = line.split_at(end);
            match std::str::from_utf8(body) {
                Ok(text) => shown.extend_from_slice(Redaction::Secrets.apply(text).as_bytes()),
                Err(_) => shown.extend_from_slice(body),
            }
            shown.extend_from_slice(ends);
        }
        write!(
            f,
            "{} byte(s): {}",
            self.0.len(),
            crate::sip2::render::escape_wire(&shown)
        )
    }
}

/// A failure of a connection or of one exchange on it.
///
/// Request texts inside errors have their passwords masked (they end up in reports).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The endpoint is not `host:port`.
    #[error(
        "endpoint {endpoint:?} {reason}; write it as HOST:PORT, e.g. 127.0.0.1:6001 or [::1]:6001"
    )]
    BadEndpoint {
        /// The endpoint given.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The TCP connection could not be opened.
    #[error("cannot connect to {endpoint}: {reason}")]
    Connect {
        /// The endpoint.
        endpoint: String,
        /// Why (refused, unreachable, no address for the name).
        reason: String,
    },
    /// A wait expired.
    #[error("no {} within {} {}(received {})", .wait.describe(), human(*.after), request.as_deref().map(|r| format!("to {r} ")).unwrap_or_default(), SoFar(.received_so_far))]
    Timeout {
        /// Which wait.
        wait: Wait,
        /// How long it lasted.
        after: Duration,
        /// The request being answered (passwords masked), if any.
        request: Option<String>,
        /// The bytes that had arrived.
        received_so_far: Vec<u8>,
    },
    /// The server closed the connection before a whole response arrived.
    #[error("server closed the connection after {}; no response (received {})", request.as_deref().unwrap_or("connecting"), SoFar(.received_so_far))]
    Closed {
        /// The request sent last (passwords masked), if any.
        request: Option<String>,
        /// The bytes that had arrived.
        received_so_far: Vec<u8>,
    },
    /// More than `max` bytes arrived without a message terminator.
    #[error(
        "no message terminator within {max} bytes (the maximum message size): the server sent an endless line"
    )]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// A whole response arrived, longer than the limit; it was read and dropped, so the
    /// connection is still in step.
    #[error("the answer{} is {len} bytes long, longer than the limit of {max} bytes (the maximum message size); it was dropped", request.as_deref().map(|r| format!(" to {r}")).unwrap_or_default())]
    Oversize {
        /// The request being answered (passwords masked), if any.
        request: Option<String>,
        /// The length of the message, terminator excluded.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Only lines that answer no request came (a banner, plain text, another request's answer):
    /// until the response time was up, or more of them than a session reads past.
    #[error("no answer to {request} {}; the server sent only {}", .after.map_or_else(|| format!("after {} lines that do not answer it", super::session::MAX_UNSOLICITED), |d| format!("within {}", human(d))), unsolicited_list(.attempts))]
    NoAnswer {
        /// The request (passwords masked).
        request: String,
        /// How long the wait lasted; None when it stopped at the count of such lines.
        after: Option<Duration>,
        /// Every attempt; the last one's `unsolicited` holds what came.
        attempts: Vec<Attempt>,
    },
    /// A TLS file could not be used (CA bundle, client certificate, key).
    #[error("TLS {what} {path}: {reason}")]
    TlsConfig {
        /// Which file ("CA file", "client certificate", "private key").
        what: &'static str,
        /// Its path.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The TLS handshake failed or TLS cannot be set up.
    #[error("TLS with {endpoint} failed: {reason}")]
    Tls {
        /// The endpoint.
        endpoint: String,
        /// Why (certificate not trusted, name mismatch, protocol error).
        reason: String,
    },
    /// The telnet login was refused or went wrong.
    #[error("telnet login failed: {reason}")]
    Telnet {
        /// Why.
        reason: String,
    },
    /// The request cannot be written in the chosen encoding.
    #[error("cannot send the request: {0}")]
    Encoding(#[from] Unencodable),
    /// Reading or writing the socket failed.
    #[error("connection error while {doing}: {source}")]
    Io {
        /// What was being done.
        doing: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The server kept asking for a resend (96), or its responses kept failing their checksum.
    #[error("{}", resend_message(.request, *.code_96, *.resends))]
    ResendLimit {
        /// The request (passwords masked).
        request: String,
        /// True when the server answered 96 each time; false when its checksums kept failing (97 sent).
        code_96: bool,
        /// How many resends were made before giving up.
        resends: u32,
        /// Every attempt, as sent and received.
        attempts: Vec<Attempt>,
    },
    /// The server answered 96 to the 97 the SC sent after a response failed its checksum: the
    /// SC concludes that the link has failed (spec section 2) instead of sending 97 again.
    #[error(
        "the response to {request} failed its checksum ({cause}); asked to re-send it (97), the server answered 96 (request SC resend), so the link has failed (spec section 2: a 96 in answer to a 97 ends the exchange)"
    )]
    LinkFailed {
        /// The request (passwords masked).
        request: String,
        /// The checksum finding on the response, with the basis the sender used when recognised.
        cause: String,
        /// Every attempt, as sent and received.
        attempts: Vec<Attempt>,
    },
}

fn unsolicited_list(attempts: &[Attempt]) -> String {
    let lines: Vec<String> = attempts
        .iter()
        .flat_map(|a| &a.unsolicited)
        .map(|u| {
            let text = String::from_utf8_lossy(&u.wire);
            let masked =
                crate::sip2::redact::Redaction::Secrets.apply(text.trim_end_matches(['\r', '\n']));
            format!(
                "{} ({})",
                crate::sip2::render::escape_wire(masked.as_bytes()),
                u.why
            )
        })
        .collect();
    lines.join("; ")
}

fn resend_message(request: &str, code_96: bool, resends: u32) -> String {
    if code_96 {
        format!(
            "the server answered 96 (request SC resend) to {request} every time; gave up after re-sending it {resends} time(s)"
        )
    } else {
        format!(
            "the response to {request} failed its checksum every time; gave up after {resends} request(s) for a resend (97)"
        )
    }
}

impl TransportError {
    /// True for everything that means the connection is unusable (connect, TLS, telnet, timeouts,
    /// a close, socket errors, lost framing); false for errors that leave it usable.
    pub fn is_connection(&self) -> bool {
        matches!(
            self,
            TransportError::Connect { .. }
                | TransportError::Timeout { .. }
                | TransportError::Closed { .. }
                | TransportError::TooLong { .. }
                | TransportError::Tls { .. }
                | TransportError::Telnet { .. }
                | TransportError::Io { .. }
                | TransportError::LinkFailed { .. }
                | TransportError::NoAnswer { .. }
        )
    }

    pub(crate) fn io(doing: impl Into<String>, source: std::io::Error) -> Self {
        TransportError::Io {
            doing: doing.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_says_which_wait_how_long_and_what_came() {
        let e = TransportError::Timeout {
            wait: Wait::Response,
            after: Duration::from_secs(2),
            request: Some("9300CNa|CO***|CPc|".into()),
            received_so_far: b"94".to_vec(),
        };
        assert_eq!(
            e.to_string(),
            "no response within 2 s to 9300CNa|CO***|CPc| (received 2 byte(s): 94)"
        );
        assert!(e.is_connection());
    }

    #[test]
    fn bytes_quoted_in_errors_have_passwords_masked() {
        let e = TransportError::Closed {
            request: Some("9300CNu|CO***|".into()),
            received_so_far: b"9300CNu|COsecret|\r\n24".to_vec(),
        };
        let text = e.to_string();
        assert!(
            text.contains("received 21 byte(s): 9300CNu|CO***|<CR><LF>24"),
            "{text}"
        );
    }

    #[test]
    fn closed_names_the_request() {
        let e = TransportError::Closed {
            request: Some("9900302.00".into()),
            received_so_far: Vec::new(),
        };
        assert_eq!(
            e.to_string(),
            "server closed the connection after 9900302.00; no response (received nothing)"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
        assert_eq!(human(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(human(Duration::from_secs(10)), "10 s");
    }

    #[test]
    fn resend_limit_is_not_a_connection_error() {
        let e = TransportError::ResendLimit {
            request: "9900302.00".into(),
            code_96: true,
            resends: 3,
            attempts: Vec::new(),
        };
        assert!(!e.is_connection());
        assert!(e.to_string().contains("re-sending it 3 time(s)"), "{e}");
    }
}
