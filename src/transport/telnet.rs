//! The telnet-style login of SIPServer (Evergreen, Koha): wait for `login:`, send the user,
//! wait for `password:`, send the password, then read the server's verdict before SIP starts:
//! only a confirmation ("Login OK.  Initiating SIP") is a login; a refusal ("Invalid login"),
//! the prompt coming back, or a mere echo of what was sent is not.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::time::Instant;

use super::TelnetOptions;
use super::error::{TransportError, Wait, human};
use super::reader::{Filled, FrameReader};
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
    verdict(stream, reader, opts, limit).await
}

/// Words in the server's answer to the password that confirm the login ("Login OK.  Initiating
/// SIP" from SIPServer and Koha).
const CONFIRMS: &[&str] = &["ok", "success", "successful", "initiating", "accepted"];

/// Words that refuse it ("Invalid login").
const REFUSES: &[&str] = &[
    "invalid",
    "incorrect",
    "denied",
    "failed",
    "refused",
    "wrong",
];

/// At most this many lines are read after the password, looking for the server's verdict.
const MAX_VERDICT_LINES: usize = 4;

/// Reads the server's answer to the password: a confirmation, a refusal, or the login prompt
/// again (a refusal too). An echo of what was sent confirms nothing, so it is passed over and,
/// if nothing else comes, the login fails.
async fn verdict<S: AsyncRead + Unpin + ?Sized>(
    stream: &mut S,
    reader: &mut FrameReader,
    opts: &TelnetOptions,
    limit: Duration,
) -> Result<(), TransportError> {
    let deadline = Instant::now() + limit;
    let refused = |what: String| TransportError::Telnet {
        reason: format!("the server refused user {:?}: {what}", opts.user),
    };
    let mut echoed = false;
    let mut lines = 0;
    // Each turn takes a line, returns, or reads at least one byte before the deadline.
    loop {
        let pending = reader.pending();
        let line_end = pending.iter().position(|&b| b == b'\r' || b == b'\n');
        let prompt_back = [&opts.login_prompt, &opts.password_prompt]
            .into_iter()
            .find(|p| {
                find(
                    pending
                        .get(..line_end.unwrap_or(pending.len()))
                        .unwrap_or_default(),
                    p.as_bytes(),
                )
                .is_some()
            });
        if let Some(prompt) = prompt_back {
            return Err(refused(format!(
                "the {prompt:?} prompt came back instead of a confirmation such as \"Login OK\""
            )));
        }
        if let Some(end) = line_end {
            let line = String::from_utf8_lossy(pending.get(..end).unwrap_or_default()).into_owned();
            reader.consume(end + 1);
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            lines += 1;
            let lower = text.to_ascii_lowercase();
            if text == opts.password || text == opts.user {
                // The server echoes what it is sent (a terminal's local echo): no verdict yet.
                echoed = true;
            } else if REFUSES.iter().any(|w| has_word(&lower, w)) {
                return Err(refused(escape_wire(mask(text, &opts.password).as_bytes())));
            } else if CONFIRMS.iter().any(|w| has_word(&lower, w)) {
                return Ok(());
            } else {
                return Err(TransportError::Telnet {
                    reason: format!(
                        "the server answered the password with {:?}, not a confirmation such as \"Login OK\"",
                        mask(text, &opts.password)
                    ),
                });
            }
            if lines >= MAX_VERDICT_LINES {
                break;
            }
            continue;
        }
        if pending.len() > MAX_LINE {
            break;
        }
        match reader
            .fill(stream, deadline)
            .await
            .map_err(|e| TransportError::io("waiting for the answer to the telnet password", e))?
        {
            Some(Filled::Data) => {}
            Some(Filled::Eof) => {
                return Err(TransportError::Telnet {
                    reason: format!(
                        "the server closed the connection after the password for user {:?}",
                        opts.user
                    ),
                });
            }
            None => break,
        }
    }
    Err(TransportError::Telnet {
        reason: if echoed {
            format!(
                "the server only echoed what was sent, with no confirmation such as \"Login OK\" within {}; this is not a login",
                human(limit)
            )
        } else {
            format!(
                "no answer to the password within {} (SIPServer confirms with \"Login OK\")",
                human(limit)
            )
        },
    })
}

/// The longest verdict line looked at.
const MAX_LINE: usize = 4096;

/// `text` with the password, wherever it occurs, as `***`.
fn mask(text: &str, password: &str) -> String {
    if password.is_empty() {
        text.to_string()
    } else {
        text.replace(password, crate::sip2::redact::MASK)
    }
}

/// Does `word` occur in `text` (lower case) with no letter or digit on either side?
fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_match_in_any_case() {
        assert_eq!(find(b"Welcome\r\nLogin: ", b"login:"), Some(9));
        assert_eq!(find(b"password", b"login:"), None);
        assert!(has_word("login ok.  initiating sip", "ok"));
        assert!(!has_word("token", "ok") && !has_word("invalid", "valid"));
    }
}
