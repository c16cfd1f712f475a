//! One connection to a SIP2 server and the request/response exchanges on it: sequence numbers,
//! checksums over the encoded bytes, 96 re-sends and 97 requests (bounded), linting of every
//! response with what the wire showed, and a record of every attempt.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::time::Instant;

use super::connect::{self, Stream};
use super::error::{TransportError, Wait};
use super::reader::{Filled, FrameReader, Limits, RawFrame, is_reset};
use super::{ConnectOptions, ErrorDetection, StepOptions, telnet};
use crate::sip2::clock::ClockSkew;
use crate::sip2::encode::Trailer;
use crate::sip2::frame::Terminator;
use crate::sip2::redact::Redaction;
use crate::sip2::{
    self, Analysis, Context, Direction, FieldRef, Message, MessageCode, Protocol, RequestInfo,
    Violation, checksum,
};

/// A request as it went on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The bytes sent, terminator included.
    pub bytes: Vec<u8>,
    /// The message decoded, terminator excluded (passwords not masked).
    pub text: String,
}

/// A response as it came off the wire, with what the linter found.
#[derive(Debug, Clone)]
pub struct Received {
    /// The bytes, terminator excluded.
    pub raw: Vec<u8>,
    /// The terminator the server used.
    pub terminator: Terminator,
    /// An LF came before the message.
    pub leading_lf: bool,
    /// The decoded, parsed and linted message.
    pub analysis: Analysis,
}

/// One send and what came back, kept for the transcript (re-sends and 97s included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The bytes sent, terminator included.
    pub sent: Vec<u8>,
    /// The bytes received for it, exactly as they came: blank lines before it and terminator
    /// included (None when nothing whole came).
    pub received: Option<Vec<u8>>,
    /// Why this attempt was made ("request", "re-send 1 after 96", "97 1 after a bad checksum").
    pub note: String,
    /// Lines that arrived before the answer and answer no request (a banner, another
    /// request's answer), in order.
    pub unsolicited: Vec<Unsolicited>,
}

/// A line from the server that is not the answer to the request sent: it is reported and
/// the session reads on for the answer, so later answers are not shifted by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsolicited {
    /// The bytes, exactly as they came (terminator included).
    pub wire: Vec<u8>,
    /// Why it is no answer ("not a SIP message", "94 Login Response does not answer 99").
    pub why: String,
}

/// A request and its final response.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The request as last sent.
    pub request: Sent,
    /// The response taken as the answer.
    pub response: Received,
    /// Every send/receive, in order.
    pub attempts: Vec<Attempt>,
    /// From the first byte sent to the last byte received.
    pub elapsed: Duration,
}

/// An open connection to a SIP2 server.
pub struct Session {
    stream: Box<dyn Stream>,
    reader: FrameReader,
    opts: ConnectOptions,
    next_seq: u8,
    retries: u32,
    server_checksums: bool,
    /// The protocol version agreed so far (93, 99 and 98 change it).
    protocol: Protocol,
    /// The ACS's clock as this session's responses showed it (the `clock-skew` rule).
    clock: ClockSkew,
    last_request: Option<Sent>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("endpoint", &self.opts.endpoint)
            .field("next_seq", &self.next_seq)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

/// The request bytes for one send.
struct Built {
    body: Vec<u8>,
    seq: Option<u8>,
    trailer: bool,
}

impl Session {
    /// Connects (TCP, then TLS and the telnet login when configured).
    pub async fn connect(opts: ConnectOptions) -> Result<Session, TransportError> {
        let mut stream = connect::open(&opts).await?;
        let mut reader = FrameReader::new(opts.max_message_len);
        if let Some(t) = &opts.telnet {
            telnet::login(
                &mut *stream,
                &mut reader,
                t,
                opts.terminator,
                opts.encoding,
                opts.timeouts.response,
                opts.max_message_len,
            )
            .await?;
        }
        Ok(Session {
            stream,
            reader,
            retries: opts.retries,
            opts,
            next_seq: 0,
            server_checksums: false,
            protocol: Protocol::default(),
            clock: ClockSkew::new(),
            last_request: None,
        })
    }

    /// The options the session was opened with.
    pub fn options(&self) -> &ConnectOptions {
        &self.opts
    }

    /// The current bound on re-sends and 97s (the configured one, or a lower `retries allowed` from a 98).
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The protocol version the session runs at, as the requests sent and the 98s received agreed it.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The request last put on the wire, as it went (with the AY/AZ added to it), also when
    /// its exchange failed; None before the first send.
    pub fn last_request(&self) -> Option<&Sent> {
        self.last_request.as_ref()
    }

    /// Sends one request (message text without terminator; a trailer is added per error detection unless the
    /// text already ends in `AY<d>AZ<hhhh>`, in which case it is sent verbatim) and waits for the response.
    pub async fn exchange(
        &mut self,
        request: &str,
        step: &StepOptions,
    ) -> Result<Exchange, TransportError> {
        let start = Instant::now();
        self.last_request = None;
        let terminator = step.terminator.unwrap_or(self.opts.terminator);
        let masked = Redaction::Secrets.apply(request);
        let parsed = sip2::parse(request).ok();
        if let Some(p) = &parsed {
            self.protocol = self.protocol.after_request(&p.msg);
        }
        let code = parsed
            .as_ref()
            .map(|p| p.msg.code)
            .or_else(|| request.get(..2).and_then(MessageCode::parse));
        let verbatim = parsed.and_then(|p| p.msg.trailer).map(|t| t.seq);
        let mut built = self.build(request, verbatim, self.detection_on(step))?;
        self.last_request = Some(self.sent(&built, terminator));
        let limits = Limits {
            response: step.timeout.unwrap_or(self.opts.timeouts.response),
            idle: self.opts.timeouts.idle,
            wait: Wait::Response,
        };
        let mut attempts = Vec::new();
        let mut to_send = with_terminator(&built.body, terminator);
        let mut note = "request".to_string();
        let (mut resends_96, mut resends_97) = (0u32, 0u32);
        // Why the last attempt was a 97 of ours: the checksum finding of the first bad response.
        let mut asked_97: Option<String> = None;
        let mut bad_checksum: Option<String> = None;
        // At most 1 + 2 * retries turns: every other turn raises one of the two bounded counters.
        loop {
            self.write(&to_send, &masked, limits.response).await?;
            // Our own 97 is answered by whatever the server sent last.
            let answering = if asked_97.is_some() {
                Some(MessageCode::REQUEST_ACS_RESEND)
            } else {
                code
            };
            let lint_request = code.map(|code| RequestInfo {
                code,
                seq: built.seq,
            });
            let mut unsolicited = Vec::new();
            let read = self
                .read_answer(
                    limits,
                    &masked,
                    answering,
                    (built.trailer, lint_request),
                    &mut unsolicited,
                )
                .await?;
            let received_at = chrono::Utc::now();
            let (frame, mut analysis) = match read {
                Read::Answer(frame, analysis) => (frame, analysis),
                Read::Nothing(after) => {
                    attempts.push(Attempt {
                        sent: to_send,
                        received: None,
                        note,
                        unsolicited,
                    });
                    return Err(TransportError::NoAnswer {
                        request: masked,
                        after,
                        attempts,
                    });
                }
            };
            analysis.violations.extend(
                unsolicited
                    .iter()
                    .map(|u| unsolicited_finding(u, answering)),
            );
            self.clock
                .observe(&analysis.msg, received_at, &mut analysis.violations);
            attempts.push(Attempt {
                sent: to_send.clone(),
                received: Some(frame.wire.clone()),
                note: std::mem::take(&mut note),
                unsolicited,
            });
            self.learn(&analysis);
            let is_96 = analysis.msg.code == MessageCode::REQUEST_SC_RESEND
                && code != Some(MessageCode::REQUEST_SC_RESEND);
            let bad_sum = analysis.checksum.valid == Some(false);
            if !step.no_resend && is_96 {
                // Spec section 2: the SC re-sends its previous message unless that was a 97, in
                // which case it concludes that the link has failed.
                if let Some(cause) = asked_97.take() {
                    return Err(TransportError::LinkFailed {
                        request: masked,
                        cause,
                        attempts,
                    });
                }
                if resends_96 >= self.retries {
                    return Err(resend_limit(masked, true, resends_96, attempts));
                }
                resends_96 += 1;
                // In auto mode a checksummed 96 says the server wants error detection.
                if !built.trailer && verbatim.is_none() && self.detection_on(step) {
                    built = self.build(request, None, true)?;
                    to_send = with_terminator(&built.body, terminator);
                    self.last_request = Some(self.sent(&built, terminator));
                }
                note = format!("re-send {resends_96} after 96");
                continue;
            }
            if !step.no_resend && bad_sum {
                if resends_97 >= self.retries {
                    return Err(resend_limit(masked, false, resends_97, attempts));
                }
                resends_97 += 1;
                let cause = bad_checksum
                    .get_or_insert_with(|| checksum_finding(&analysis))
                    .clone();
                asked_97 = Some(cause);
                let trailer = if built.trailer {
                    Trailer::Checksum
                } else {
                    Trailer::None
                };
                let resend = sip2::to_wire(
                    &Message::new(MessageCode::REQUEST_ACS_RESEND, ""),
                    self.opts.encoding,
                    trailer,
                )?;
                to_send = with_terminator(&resend, terminator);
                note = format!("97 {resends_97} after a bad checksum");
                continue;
            }
            return Ok(Exchange {
                request: self.sent(&built, terminator),
                response: Received {
                    raw: frame.raw,
                    terminator: frame.terminator,
                    leading_lf: frame.leading_lf,
                    analysis,
                },
                attempts,
                elapsed: start.elapsed(),
            });
        }
    }

    /// Reads until a line answers `answering` (the response the spec gives, 96 or 98), keeping
    /// the lines that do not; gives up after [`MAX_UNSOLICITED`] of them or when the response
    /// time is up.
    async fn read_answer(
        &mut self,
        limits: Limits,
        masked: &str,
        answering: Option<MessageCode>,
        (error_detection, request): (bool, Option<RequestInfo>),
        unsolicited: &mut Vec<Unsolicited>,
    ) -> Result<Read, TransportError> {
        let deadline = Instant::now() + limits.response;
        // Each turn returns or takes one whole line, at most MAX_UNSOLICITED of them.
        loop {
            let remaining = Limits {
                response: deadline.saturating_duration_since(Instant::now()),
                ..limits
            };
            let frame = match self
                .reader
                .read_frame(&mut *self.stream, remaining, Some(masked))
                .await
            {
                Ok(frame) => frame,
                Err(TransportError::Timeout {
                    wait: Wait::Response,
                    ..
                }) if !unsolicited.is_empty() => return Ok(Read::Nothing(Some(limits.response))),
                // The wait was the whole response time, whatever is left of it for this read.
                Err(TransportError::Timeout {
                    wait: Wait::Response,
                    request,
                    received_so_far,
                    ..
                }) => {
                    return Err(TransportError::Timeout {
                        wait: Wait::Response,
                        after: limits.response,
                        request,
                        received_so_far,
                    });
                }
                Err(e) => return Err(e),
            };
            let ctx = Context {
                raw: None,
                terminator: Some(frame.terminator),
                leading_lf: frame.leading_lf,
                encoding: Some(self.opts.encoding),
                error_detection,
                direction: Some(Direction::AcsToSc),
                request,
                protocol: self.protocol,
            };
            let why = match sip2::analyze(&frame.raw, &ctx) {
                Ok(a) if !a.msg.code.as_str().bytes().all(|b| b.is_ascii_digit()) => {
                    "not a SIP message (no two-digit message code)".to_string()
                }
                Ok(a) => match no_answer(answering, a.msg.code) {
                    None => return Ok(Read::Answer(frame, a)),
                    Some(why) => why,
                },
                Err(e) => format!("not a SIP message ({e})"),
            };
            unsolicited.push(Unsolicited {
                wire: frame.wire,
                why,
            });
            if unsolicited.len() >= MAX_UNSOLICITED {
                return Ok(Read::Nothing(None));
            }
        }
    }

    /// Waits up to `wait` for the server to close the connection; Ok(true) if it closed, Ok(false) if it sent
    /// something or stayed open (used by scenarios that expect a disconnect).
    pub async fn expect_close(&mut self, wait: Duration) -> Result<bool, TransportError> {
        if !self.reader.pending().is_empty() {
            return Ok(false);
        }
        let filled = self
            .reader
            .fill(&mut *self.stream, Instant::now() + wait)
            .await
            .map_err(|e| TransportError::io("waiting for the server to close", e))?;
        Ok(matches!(filled, Some(Filled::Eof)))
    }

    /// Closes the connection (TLS close_notify included), waiting at most the connect timeout.
    pub async fn close(&mut self) {
        let _ = tokio::time::timeout(self.opts.timeouts.connect, self.stream.shutdown()).await;
    }

    fn sent(&self, built: &Built, terminator: Terminator) -> Sent {
        let (text, _) = self.opts.encoding.decode(&built.body);
        Sent {
            bytes: with_terminator(&built.body, terminator),
            text: text.into_owned(),
        }
    }

    fn detection_on(&self, step: &StepOptions) -> bool {
        step.checksum.unwrap_or(match self.opts.error_detection {
            ErrorDetection::Off => false,
            ErrorDetection::On => true,
            ErrorDetection::Auto => self.server_checksums,
        })
    }

    /// Encodes the request; adds AY/AZ over the encoded bytes when asked and the text has none.
    fn build(
        &mut self,
        request: &str,
        verbatim: Option<Option<u8>>,
        trailer: bool,
    ) -> Result<Built, TransportError> {
        let mut body = self.opts.encoding.encode_checked(request)?.into_owned();
        match verbatim {
            Some(seq) => Ok(Built {
                body,
                seq,
                trailer: true,
            }),
            None if trailer => {
                let seq = self.next_seq;
                self.next_seq = (seq + 1) % 10;
                checksum::append_trailer(&mut body, Some(seq));
                Ok(Built {
                    body,
                    seq: Some(seq),
                    trailer: true,
                })
            }
            None => Ok(Built {
                body,
                seq: None,
                trailer: false,
            }),
        }
    }

    /// Takes what a response tells about the server: checksums in use, retries allowed, its version.
    fn learn(&mut self, analysis: &Analysis) {
        self.protocol = self.protocol.after_response(&analysis.msg);
        if analysis.checksum.present {
            self.server_checksums = true;
        }
        if analysis.msg.code == MessageCode::ACS_STATUS {
            // 999 means "unknown" (spec); anything else lowers the bound.
            let allowed = analysis
                .msg
                .fixed_field("retries_allowed")
                .and_then(|v| v.parse::<u32>().ok())
                .filter(|v| *v != 999);
            if let Some(allowed) = allowed {
                self.retries = self.opts.retries.min(allowed);
            }
        }
    }

    async fn write(
        &mut self,
        bytes: &[u8],
        masked: &str,
        limit: Duration,
    ) -> Result<(), TransportError> {
        let closed = |reader: &FrameReader| TransportError::Closed {
            request: Some(masked.to_string()),
            received_so_far: reader.pending().to_vec(),
        };
        let send = async {
            self.stream.write_all(bytes).await?;
            self.stream.flush().await
        };
        match tokio::time::timeout(limit, send).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) if is_reset(&e) => Err(closed(&self.reader)),
            Ok(Err(e)) => Err(TransportError::io(format!("sending {masked}"), e)),
            Err(_) => Err(TransportError::Timeout {
                wait: Wait::Response,
                after: limit,
                request: Some(masked.to_string()),
                received_so_far: self.reader.pending().to_vec(),
            }),
        }
    }
}

/// At most this many lines that answer no request are read past while waiting for an answer.
pub const MAX_UNSOLICITED: usize = 4;

/// What waiting for an answer gave.
enum Read {
    /// The answer, with what the linter found.
    Answer(RawFrame, Analysis),
    /// Only lines that answer nothing: until the response time (Some) or MAX_UNSOLICITED (None).
    Nothing(Option<Duration>),
}

/// Why a message of `code` does not answer a request of `answering`, or None when it does: the
/// response the spec gives, 96 (resend) and 98 (a status change) answer; after a 97 (or a
/// request the table gives no response for) anything does.
fn no_answer(answering: Option<MessageCode>, code: MessageCode) -> Option<String> {
    let request = answering?;
    let expected = sip2::spec::message(request).and_then(|m| m.response)?;
    if code == expected || code == MessageCode::REQUEST_SC_RESEND || code == MessageCode::ACS_STATUS
    {
        return None;
    }
    let name = sip2::spec::message(code).map_or("an unknown message", |m| m.name);
    Some(format!("{code} ({name}) does not answer {request}"))
}

/// The finding recorded on the step whose answer came after an unsolicited line.
fn unsolicited_finding(u: &Unsolicited, answering: Option<MessageCode>) -> Violation {
    let line = String::from_utf8_lossy(&u.wire);
    let shown = crate::sip2::render::escape_wire(
        Redaction::Secrets
            .apply(line.trim_end_matches(['\r', '\n']))
            .as_bytes(),
    );
    Violation::new(
        crate::sip2::Rule::Unsolicited,
        FieldRef::Wire,
        answering.map_or_else(
            || "only the answer".to_string(),
            |c| format!("only the answer to {c}"),
        ),
        format!("{shown} first, {}", u.why),
    )
}

/// The linter's checksum finding on a response, in words ("AZ0000 where FDFC was expected, ...").
fn checksum_finding(analysis: &Analysis) -> String {
    analysis
        .violations
        .iter()
        .find(|v| v.rule == crate::sip2::Rule::Checksum)
        .map_or_else(
            || "its checksum does not verify".to_string(),
            |v| format!("AZ {} where {} was expected", v.actual, v.expected),
        )
}

fn with_terminator(body: &[u8], terminator: Terminator) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 2);
    out.extend_from_slice(body);
    out.extend_from_slice(terminator.bytes());
    out
}

fn resend_limit(
    request: String,
    code_96: bool,
    resends: u32,
    attempts: Vec<Attempt>,
) -> TransportError {
    TransportError::ResendLimit {
        request,
        code_96,
        resends,
        attempts,
    }
}
