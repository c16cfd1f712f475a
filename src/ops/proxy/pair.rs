//! One device connection's lint state, without I/O: copies of the bytes each side sent come in,
//! complete messages are framed and linted (an ACS message with the request it answers) and come
//! out as records and transcript text. Nothing here sees, let alone changes, the bytes forwarded.
//!
//! With `telnet`, the login dialogue before SIP (SIPServer's `login:` / `password:` prompts) is
//! not SIP: the device's input is counted, never shown, and linting starts after the ACS's
//! "Login OK" line (field-notes P6).

use std::collections::VecDeque;

use crate::acs::RequestRecord;
use crate::sip2::frame::{self, Status};
use crate::sip2::redact::Redaction;
use crate::sip2::render::escape_wire;
use crate::sip2::spec::{self, Direction};
use crate::sip2::{self, Context, Encoding, RequestInfo};

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    /// The self-check (SC): requests.
    Device,
    /// The library system (ACS): responses.
    Acs,
}

impl Side {
    /// "device" or "acs", as transcripts and reports write it.
    pub fn name(self) -> &'static str {
        match self {
            Side::Device => "device",
            Side::Acs => "acs",
        }
    }

    fn direction(self) -> Direction {
        match self {
            Side::Device => Direction::ScToAcs,
            Side::Acs => Direction::AcsToSc,
        }
    }
}

/// How messages are linted and shown.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// The encoding both sides use.
    pub encoding: Encoding,
    /// Error detection is on: a message without AZ is a violation.
    pub error_detection: bool,
    /// What transcripts and reports mask (passwords always).
    pub redaction: Redaction,
    /// The longest message framed for linting; longer ones are forwarded but not linted.
    pub max_message: usize,
    /// A telnet-style login comes before SIP.
    pub telnet: bool,
}

/// Something the copies showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// A message, linted.
    Message {
        /// Who sent it.
        side: Side,
        /// Its record (raw bytes escaped and masked, violations).
        record: RequestRecord,
    },
    /// Telnet login bytes, shown as a transcript note (the device's input is never shown).
    Telnet {
        /// Who sent them.
        side: Side,
        /// What the transcript says.
        note: String,
    },
}

/// Requests remembered for the answers still to come (a device may send several before the first answer).
const MAX_PENDING: usize = 16;
/// Bytes of the ACS's telnet dialogue kept to find "Login OK" across reads.
const TELNET_TAIL: usize = 16;

#[derive(Debug, Default)]
struct Copy {
    buf: Vec<u8>,
    /// Past the cap: drop bytes until the next terminator.
    skipping: bool,
    /// Drop a leading LF once (the rest of a CR LF already dealt with).
    skip_lf: bool,
    messages: u64,
}

impl Copy {
    /// Adds bytes to frame, or drops them up to the end of an overlong message.
    fn push(&mut self, bytes: &[u8]) {
        if !self.skipping {
            self.buf.extend_from_slice(bytes);
            return;
        }
        let Some(i) = bytes.iter().position(|&b| b == b'\r' || b == b'\n') else {
            return;
        };
        // The overlong message ends here; its terminator (CR LF too) goes with it.
        self.skipping = false;
        let mut rest = bytes.get(i + 1..).unwrap_or_default();
        if bytes.get(i) == Some(&b'\r') {
            match rest.strip_prefix(b"\n") {
                Some(after) => rest = after,
                None => self.skip_lf = rest.is_empty(),
            }
        }
        self.buf.extend_from_slice(rest);
    }
}

#[derive(Debug)]
enum Telnet {
    Off,
    Login { tail: Vec<u8>, ok_seen: bool },
    Done,
}

/// One device connection and its upstream, as the linter follows them.
#[derive(Debug)]
pub struct Pair {
    conn: u64,
    device_peer: String,
    upstream: String,
    opts: LintOptions,
    telnet: Telnet,
    device: Copy,
    acs: Copy,
    pending: VecDeque<RequestInfo>,
}

impl Pair {
    /// Connection number `conn` from `device_peer` to `upstream`.
    pub fn new(conn: u64, device_peer: String, upstream: String, opts: LintOptions) -> Pair {
        let telnet = if opts.telnet {
            Telnet::Login {
                tail: Vec::new(),
                ok_seen: false,
            }
        } else {
            Telnet::Off
        };
        Pair {
            conn,
            device_peer,
            upstream,
            opts,
            telnet,
            device: Copy::default(),
            acs: Copy::default(),
            pending: VecDeque::new(),
        }
    }

    /// Messages each side sent so far (device, ACS).
    pub fn messages(&self) -> (u64, u64) {
        (self.device.messages, self.acs.messages)
    }

    /// Requests that no answer has come for.
    pub fn unanswered(&self) -> usize {
        self.pending.len()
    }

    /// Takes a copy of bytes `side` sent (call before forwarding them, so a request is known
    /// before its answer can arrive). Telnet login bytes come back as notes.
    pub fn copy(&mut self, side: Side, chunk: &[u8]) -> Vec<Seen> {
        let mut seen = Vec::new();
        let sip = match (&mut self.telnet, side) {
            (Telnet::Off | Telnet::Done, _) => chunk,
            (Telnet::Login { .. }, Side::Device) => {
                seen.push(Seen::Telnet {
                    side,
                    note: format!("({} bytes of login input, not shown)", chunk.len()),
                });
                &[][..]
            }
            (Telnet::Login { tail, ok_seen }, Side::Acs) => {
                let end = login_ends(tail, ok_seen, chunk);
                let (dialogue, rest) = chunk
                    .split_at_checked(end.unwrap_or(chunk.len()))
                    .unwrap_or((chunk, &[]));
                if !dialogue.is_empty() {
                    seen.push(Seen::Telnet {
                        side,
                        note: escape_wire(dialogue),
                    });
                }
                if end.is_some() {
                    self.acs.skip_lf = dialogue.ends_with(b"\r");
                    self.telnet = Telnet::Done;
                }
                rest
            }
        };
        let copy = match side {
            Side::Device => &mut self.device,
            Side::Acs => &mut self.acs,
        };
        let mut sip = sip;
        if copy.skip_lf && !sip.is_empty() {
            sip = sip.strip_prefix(b"\n").unwrap_or(sip);
            copy.skip_lf = false;
        }
        copy.push(sip);
        seen
    }

    /// Frames, lints and records every whole message `side` has sent.
    pub fn drain(&mut self, side: Side) -> Vec<Seen> {
        let mut seen = Vec::new();
        loop {
            let copy = match side {
                Side::Device => &mut self.device,
                Side::Acs => &mut self.acs,
            };
            match frame::split(&copy.buf, self.opts.max_message) {
                Ok(Status::Complete(f)) => {
                    let bytes = f.bytes(&copy.buf).to_vec();
                    let term = copy
                        .buf
                        .get(f.start + f.len..f.consumed)
                        .unwrap_or_default()
                        .to_vec();
                    let lead = copy.buf.get(..f.start).unwrap_or_default().to_vec();
                    copy.buf.drain(..f.consumed);
                    copy.messages += 1;
                    let index = copy.messages;
                    seen.push(self.lint(side, index, &lead, &bytes, &term, f));
                }
                Ok(Status::Partial) => return seen,
                Err(frame::FrameError::TooLong { max }) => {
                    // Forwarded all the same; only the copy for linting is dropped.
                    copy.messages += 1;
                    let index = copy.messages;
                    let head = copy.buf.get(..64).unwrap_or(&copy.buf).to_vec();
                    // Its end may already be here (a terminator past the cap).
                    let held = std::mem::take(&mut copy.buf);
                    copy.skipping = true;
                    copy.push(&held);
                    seen.push(Seen::Message {
                        side,
                        record: RequestRecord {
                            connection: self.conn,
                            index,
                            peer: self.peer(side).to_string(),
                            code: None,
                            name: format!("a message over {max} bytes (forwarded, not linted)"),
                            raw: format!(
                                "{}...",
                                escape_wire(&self.opts.redaction.apply_bytes(&head))
                            ),
                            violations: Vec::new(),
                        },
                    });
                }
            }
        }
    }

    fn peer(&self, side: Side) -> &str {
        match side {
            Side::Device => &self.device_peer,
            Side::Acs => &self.upstream,
        }
    }

    fn lint(
        &mut self,
        side: Side,
        index: u64,
        lead: &[u8],
        bytes: &[u8],
        term: &[u8],
        f: frame::Frame,
    ) -> Seen {
        let request = match side {
            Side::Acs => self.pending.pop_front(),
            Side::Device => None,
        };
        let ctx = Context {
            terminator: Some(f.terminator),
            leading_lf: f.leading_lf,
            encoding: Some(self.opts.encoding),
            error_detection: self.opts.error_detection,
            direction: Some(side.direction()),
            request,
            ..Context::default()
        };
        let mut raw = escape_wire(lead);
        raw.push_str(&escape_wire(&self.opts.redaction.apply_bytes(bytes)));
        raw.push_str(&escape_wire(term));
        let (code, name, violations) = match sip2::analyze(bytes, &ctx) {
            Ok(a) => {
                let code = a.msg.code;
                if side == Side::Device {
                    if self.pending.len() == MAX_PENDING {
                        self.pending.pop_front();
                    }
                    self.pending.push_back(RequestInfo {
                        code,
                        seq: a.msg.trailer.as_ref().and_then(|t| t.seq),
                    });
                }
                let name = spec::message(code).map_or("unknown message", |s| s.name);
                (Some(code.to_string()), name.to_string(), a.violations)
            }
            Err(e) => (None, format!("not a message: {e}"), Vec::new()),
        };
        Seen::Message {
            side,
            record: RequestRecord {
                connection: self.conn,
                index,
                peer: self.peer(side).to_string(),
                code,
                name,
                raw,
                violations,
            },
        }
    }
}

/// Where SIP starts in `chunk` of the ACS's telnet dialogue: after the line that says "Login OK"
/// (SIPServer and Koha print `Login OK.  Initiating SIP`), and the line end after it.
fn login_ends(tail: &mut Vec<u8>, ok_seen: &mut bool, chunk: &[u8]) -> Option<usize> {
    const OK: &[u8] = b"login ok";
    let mut from = 0;
    if !*ok_seen {
        let mut hay = std::mem::take(tail);
        let kept = hay.len();
        hay.extend_from_slice(chunk);
        match hay
            .windows(OK.len())
            .position(|w| w.eq_ignore_ascii_case(OK))
        {
            Some(p) => {
                *ok_seen = true;
                from = (p + OK.len()).saturating_sub(kept);
            }
            None => {
                let keep = hay.len().saturating_sub(TELNET_TAIL);
                *tail = hay.split_off(keep);
                return None;
            }
        }
    }
    let rest = chunk.get(from..)?;
    let eol = rest.iter().position(|&b| b == b'\r' || b == b'\n')?;
    let mut end = from + eol;
    while chunk.get(end).is_some_and(|&b| b == b'\r' || b == b'\n') {
        end += 1;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip2::Rule;

    fn opts(telnet: bool) -> LintOptions {
        LintOptions {
            encoding: Encoding::Utf8,
            error_detection: false,
            redaction: Redaction::SecretsAndPersonal,
            max_message: 64,
            telnet,
        }
    }

    fn records(seen: Vec<Seen>) -> Vec<(Side, RequestRecord)> {
        seen.into_iter()
            .filter_map(|s| match s {
                Seen::Message { side, record } => Some((side, record)),
                Seen::Telnet { .. } => None,
            })
            .collect()
    }

    fn rules(r: &RequestRecord) -> Vec<Rule> {
        r.violations.iter().map(|v| v.rule).collect()
    }

    #[test]
    fn answers_are_linted_with_their_request_across_split_reads() {
        let mut p = Pair::new(1, "dev".into(), "acs".into(), opts(false));
        assert!(p.copy(Side::Device, b"9900302.00AY3AZFC").is_empty());
        assert!(records(p.drain(Side::Device)).is_empty());
        p.copy(Side::Device, b"A3\r");
        let dev = records(p.drain(Side::Device));
        assert_eq!(dev.len(), 1);
        assert_eq!(dev[0].1.code.as_deref(), Some("99"));
        assert_eq!(dev[0].1.raw, "9900302.00AY3AZFCA3<CR>");
        // A 94 to a 99, without the request's AY, and with CR LF.
        p.copy(Side::Acs, b"941\r\n");
        let acs = records(p.drain(Side::Acs));
        assert_eq!(
            rules(&acs[0].1),
            vec![Rule::ResponseCode, Rule::LfAfterCr, Rule::Sequence]
        );
        assert_eq!(acs[0].1.peer, "acs");
        assert_eq!(p.messages(), (1, 1));
        assert_eq!(p.unanswered(), 0);
    }

    #[test]
    fn passwords_are_masked_and_odd_bytes_escaped() {
        let mut p = Pair::new(2, "dev".into(), "acs".into(), opts(false));
        p.copy(Side::Device, b"9300CNa|COs3cret|CPb\x00|\r");
        let dev = records(p.drain(Side::Device));
        assert_eq!(dev[0].1.raw, "9300CNa|CO***|CPb<0x00>|<CR>");
        assert!(rules(&dev[0].1).contains(&Rule::ControlChar));
    }

    #[test]
    fn an_overlong_message_is_not_linted_and_framing_resumes() {
        let mut p = Pair::new(3, "dev".into(), "acs".into(), opts(false));
        p.copy(Side::Device, &[b'x'; 100]);
        let over = records(p.drain(Side::Device));
        assert!(over[0].1.name.contains("over 64 bytes"), "{over:?}");
        p.copy(Side::Device, b"yyyy\r");
        p.copy(Side::Device, b"\n9900302.00\r");
        let next = records(p.drain(Side::Device));
        assert_eq!(next.len(), 1);
        assert!(
            next[0].1.violations.is_empty(),
            "the LF of its CR LF is not the next message's"
        );
        assert_eq!(next[0].1.code.as_deref(), Some("99"));
        assert_eq!(next[0].1.index, 2);
    }

    #[test]
    fn a_message_after_an_overlong_one_in_the_same_read_is_kept() {
        let mut p = Pair::new(5, "dev".into(), "acs".into(), opts(false));
        let mut bytes = vec![b'x'; 100];
        bytes.extend_from_slice(b"\r\n9900302.00\r");
        p.copy(Side::Device, &bytes);
        let seen = records(p.drain(Side::Device));
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[1].1.code.as_deref(), Some("99"));
        assert!(seen[1].1.violations.is_empty(), "{seen:?}");
    }

    #[test]
    fn the_telnet_login_is_not_sip() {
        let mut p = Pair::new(4, "dev".into(), "acs".into(), opts(true));
        p.copy(Side::Acs, b"login: ");
        assert!(records(p.drain(Side::Acs)).is_empty());
        let note = p.copy(Side::Device, b"term1\r");
        assert_eq!(
            note,
            vec![Seen::Telnet {
                side: Side::Device,
                note: "(6 bytes of login input, not shown)".into()
            }]
        );
        p.copy(Side::Acs, b"password: ");
        p.copy(Side::Device, b"s3cret\r");
        assert!(records(p.drain(Side::Device)).is_empty());
        let seen = p.copy(Side::Acs, b"Login OK.  Init");
        assert_eq!(seen.len(), 1);
        p.copy(Side::Acs, b"iating SIP\r");
        // The LF of the server's CR LF arrives late and is not a stray byte before a message.
        p.copy(Side::Acs, b"\n");
        p.copy(Side::Device, b"9900302.00\r");
        assert_eq!(records(p.drain(Side::Device)).len(), 1);
        p.copy(
            Side::Acs,
            b"98YYYYNN01000320260305    1015022.00AOBR1|BXYYYYYYYYYYYYYYYY|\r",
        );
        let acs = records(p.drain(Side::Acs));
        assert_eq!(acs.len(), 1);
        assert!(acs[0].1.violations.is_empty(), "{acs:?}");
    }
}
