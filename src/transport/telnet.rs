//! The telnet-style login of SIPServer (Evergreen, Koha): wait for `login:`, send the user,
//! wait for `password:`, send the password, then read the server's one-line verdict
//! ("Login OK.  Initiating SIP" or "Invalid login") before SIP starts.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use super::TelnetOptions;
use super::error::{TransportError, Wait, human};
use super::reader::{Filled, FrameReader, Limits};
use crate::sip2::frame::Terminator;
use crate::sip2::render::escape_wire;
use crate::sip2::text::Encoding;

/// Logs in; on return the stream is ready for SIP.
pub async fn login<S: AsyncRead + AsyncWrite + Unpin + ?Sized>(
    stream: &mut S,
    reader: &mut FrameReader,
    opts: &TelnetOptions,
    terminator: Terminator,
    encoding: Encoding,
    limit: Duration,
    max: usize,
) -> Result<(), TransportError> {
    wait_for(stream, reader, &opts.login_prompt, limit, max).await?;
    send_line(stream, &opts.user, terminator, encoding, "the telnet user").await?;
    wait_for(stream, reader, &opts.password_prompt, limit, max).await?;
    send_line(
        stream,
        &opts.password,
        terminator,
        encoding,
        "the telnet password",
    )
    .await?;
    let limits = Limits {
        response: limit,
        idle: None,
        wait: Wait::Prompt,
    };
    let verdict = match reader.read_frame(stream, limits, None).await {
        Ok(frame) => frame.raw,
        Err(TransportError::Timeout { .. }) => {
            return Err(TransportError::Telnet {
                reason: format!(
                    "no answer to the password within {} (SIPServer confirms with \"Login OK\")",
                    human(limit)
                ),
            });
        }
        Err(TransportError::Closed { .. }) => {
            return Err(TransportError::Telnet {
                reason: format!(
                    "the server closed the connection after the password for user {:?}",
                    opts.user
                ),
            });
        }
        Err(e) => return Err(e),
    };
    if contains(&verdict, b"invalid") || contains(&verdict, opts.login_prompt.as_bytes()) {
        return Err(TransportError::Telnet {
            reason: format!(
                "the server refused user {:?}: {}",
                opts.user,
                escape_wire(&verdict)
            ),
        });
    }
    Ok(())
}

async fn send_line<S: AsyncWrite + Unpin + ?Sized>(
    stream: &mut S,
    text: &str,
    terminator: Terminator,
    encoding: Encoding,
    what: &str,
) -> Result<(), TransportError> {
    let mut bytes = encoding.encode_checked(text)?.into_owned();
    bytes.extend_from_slice(terminator.bytes());
    stream
        .write_all(&bytes)
        .await
        .map_err(|e| TransportError::io(format!("sending {what}"), e))?;
    stream
        .flush()
        .await
        .map_err(|e| TransportError::io(format!("sending {what}"), e))
}

/// Reads until `prompt` (any case) has arrived and drops everything through it.
async fn wait_for<S: AsyncRead + Unpin + ?Sized>(
    stream: &mut S,
    reader: &mut FrameReader,
    prompt: &str,
    limit: Duration,
    max: usize,
) -> Result<(), TransportError> {
    let deadline = Instant::now() + limit;
    let needle = prompt.as_bytes();
    // Each turn reads at least one byte or returns; the buffer is capped at `max`.
    loop {
        if let Some(at) = find(reader.pending(), needle) {
            reader.consume(at + needle.len());
            return Ok(());
        }
        if reader.pending().len() > max {
            return Err(TransportError::Telnet {
                reason: format!(
                    "no {prompt:?} prompt in the first {max} bytes: {}",
                    escape_wire(reader.pending())
                ),
            });
        }
        let filled = reader
            .fill(stream, deadline)
            .await
            .map_err(|e| TransportError::io(format!("waiting for the {prompt:?} prompt"), e))?;
        match filled {
            Some(Filled::Data) => {}
            Some(Filled::Eof) => {
                return Err(TransportError::Telnet {
                    reason: format!(
                        "the server closed the connection while we waited for {prompt:?} (received {})",
                        super::error::SoFar(reader.pending())
                    ),
                });
            }
            None => {
                return Err(TransportError::Timeout {
                    wait: Wait::Prompt,
                    after: limit,
                    request: None,
                    received_so_far: reader.pending().to_vec(),
                });
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_match_in_any_case() {
        assert_eq!(find(b"Welcome\r\nLogin: ", b"login:"), Some(9));
        assert_eq!(find(b"password", b"login:"), None);
        assert!(contains(b"Invalid login", b"invalid"));
        assert!(!contains(b"Login OK.  Initiating SIP", b"invalid"));
    }
}
