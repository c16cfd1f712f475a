//! `logscan`: the SIP messages in server logs and captures, each paired with its request,
//! linted with that context, and summarised per message type.
//!
//! [`Scanner`] reads one file at a time as a stream: lines are read one by one (a line longer
//! than [`MAX_LINE`] is skipped and counted), one request is held per connection until its
//! answer, at most [`MAX_STREAMS`] connections are followed at once, and only the worst N
//! messages are kept, so memory stays bounded whatever the size of the log. The log-line
//! grammars are in [`grammar`]; the result is a [`Summary`], rendered by [`summary`].
//! Must not depend on the CLI.

pub mod grammar;
mod reader;
pub mod summary;

use std::collections::{BinaryHeap, HashMap};
use std::hash::{Hash, Hasher};
use std::io::{BufRead, Read};

pub use grammar::{Event, Format, Line, Payload, Stamp};
pub use summary::{FileSummary, Latency, Notable, Summary, TypeStats};

use crate::sip2::redact::Redaction;
use crate::sip2::render::escape_wire;
use crate::sip2::spec::{self, Direction};
use crate::sip2::{
    self, Context, Encoding, FieldId, Message, MessageCode, RequestInfo, Rule, Severity,
    Terminator, Violation,
};

use super::mask::has_masked_secret;

/// Longest line read whole (a 64 KiB message and its log prefix fit); longer ones are skipped.
pub const MAX_LINE: usize = 256 * 1024;
/// Connections followed at once; past it, the one idle longest is dropped (its request counts as unanswered).
pub const MAX_STREAMS: usize = 4096;
/// Bytes of a message shown in a report (the rest is summarised).
pub const MAX_SHOWN: usize = 1024;
/// How much of a file format detection reads.
const DETECT_BYTES: usize = 64 * 1024;
/// Lines of that head that detection tries.
const DETECT_LINES: usize = 200;

/// How to scan.
#[derive(Debug, Clone)]
pub struct Options {
    /// The format of every file; None detects it per file.
    pub format: Option<Format>,
    /// How many of the worst messages to keep.
    pub worst: usize,
    /// The encoding the server used on the wire (checksums are computed over those bytes).
    pub encoding: Encoding,
    /// Error detection was on: a message without AZ is a violation.
    pub error_detection: bool,
    /// What to mask in the messages shown (passwords always).
    pub redaction: Redaction,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            format: None,
            worst: 10,
            encoding: Encoding::Utf8,
            error_detection: false,
            redaction: Redaction::SecretsAndPersonal,
        }
    }
}

/// A file logscan could not use.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// Reading failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// No format recognised any line.
    #[error(
        "{path}: no SIP messages found in the first {DETECT_LINES} lines (tried evergreen, koha, edge-sip2, fsip2, proxy and raw); give the format with --format"
    )]
    NoFormat {
        /// The file.
        path: String,
    },
}

/// A request waiting for its answer.
struct Pending {
    code: MessageCode,
    seq: Option<u8>,
    line: u64,
    time: Option<Stamp>,
    text_hash: u64,
    /// What the report says about the request, once it is known whether it was answered.
    note: Notable,
}

#[derive(Default)]
struct Stream {
    pending: Option<Pending>,
    /// SIPServer's raw form of the next request (its `read_SIP_packet` line).
    preview: Option<String>,
    last_seen: u64,
}

/// A message in the worst-N heap: higher score first, then the earlier message.
struct Ranked {
    score: u64,
    order: u64,
    note: Notable,
}

impl Ranked {
    fn key(&self) -> (u64, std::cmp::Reverse<u64>) {
        (self.score, std::cmp::Reverse(self.order))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// Scores for ranking: an error outweighs everything else, then an unanswered request.
const SCORE_ERROR: u64 = 1000;
const SCORE_UNANSWERED: u64 = 500;
const SCORE_WARNING: u64 = 100;
const SCORE_REFUSED: u64 = 50;
const SCORE_INFO: u64 = 1;

/// Streams files through the grammars, pairs, lints and tallies.
pub struct Scanner {
    opts: Options,
    summary: Summary,
    streams: HashMap<String, Stream>,
    worst: BinaryHeap<std::cmp::Reverse<Ranked>>,
    order: u64,
}

/// One message found, before it is judged.
struct Found<'a> {
    file: &'a str,
    line: u64,
    format: Format,
    event: Event<'a>,
    leading_lf: bool,
}

impl Scanner {
    /// A scanner with `opts`.
    pub fn new(opts: Options) -> Scanner {
        Scanner {
            opts,
            summary: Summary::default(),
            streams: HashMap::new(),
            worst: BinaryHeap::new(),
            order: 0,
        }
    }

    /// Scans one file (or stdin) named `path`. An error is recorded in the summary and returned.
    pub fn scan(&mut self, path: &str, input: impl Read) -> Result<(), ScanError> {
        let result = self.scan_inner(path, input);
        if let Err(e) = &result {
            let mut file = FileSummary::new(path);
            file.error = Some(e.to_string());
            self.summary.files.push(file);
        }
        result
    }

    fn scan_inner(&mut self, path: &str, mut input: impl Read) -> Result<(), ScanError> {
        let io = |source| ScanError::Io {
            path: path.to_string(),
            source,
        };
        let mut head = Vec::with_capacity(DETECT_BYTES);
        (&mut input)
            .take(DETECT_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(io)?;
        let format = match self.opts.format {
            Some(f) => f,
            None => detect(&head).ok_or_else(|| ScanError::NoFormat {
                path: path.to_string(),
            })?,
        };
        let framed = format == Format::Raw && head.contains(&b'\r');
        let mut file = FileSummary::new(path);
        file.format = Some(format);
        let reader = std::io::BufReader::new(std::io::Cursor::new(head).chain(input));
        let result = if framed {
            self.scan_frames(path, reader, &mut file)
        } else {
            self.scan_lines(path, format, reader, &mut file)
        };
        self.end_of_file();
        self.summary.files.push(file);
        result.map_err(io)
    }

    fn scan_lines(
        &mut self,
        path: &str,
        format: Format,
        reader: impl BufRead,
        file: &mut FileSummary,
    ) -> std::io::Result<()> {
        let mut lines = reader::Lines::new(reader, MAX_LINE);
        let mut buf = Vec::new();
        while let Some(overlong) = lines.next_line(&mut buf)? {
            file.lines += 1;
            if overlong {
                file.overlong_lines += 1;
                continue;
            }
            let line_no = file.lines;
            if format == Format::Raw {
                // A listing of messages, one a line: the line ends are the file's, not the wire's.
                if buf.is_empty() {
                    continue;
                }
                let event = raw_event(&buf, None);
                file.messages += u64::from(self.found(Found {
                    file: path,
                    line: line_no,
                    format,
                    event,
                    leading_lf: false,
                }));
                continue;
            }
            let text = String::from_utf8_lossy(&buf);
            match format.parse_line(&text) {
                Line::Message(event) => {
                    file.messages += u64::from(self.found(Found {
                        file: path,
                        line: line_no,
                        format,
                        event,
                        leading_lf: false,
                    }));
                }
                Line::Preview { stream, text } => {
                    let s = self.stream(&stream);
                    // The first raw form since the last request is the one at debug level.
                    if s.preview.is_none() {
                        s.preview = Some(text.into_owned());
                    }
                }
                Line::Other => {}
            }
        }
        Ok(())
    }

    fn scan_frames(
        &mut self,
        path: &str,
        reader: impl BufRead,
        file: &mut FileSummary,
    ) -> std::io::Result<()> {
        let mut frames = reader::Frames::new(reader, MAX_LINE);
        while let Some(frame) = frames.next_frame()? {
            file.lines += 1;
            match frame {
                reader::Frame::Overlong => file.overlong_lines += 1,
                reader::Frame::Message {
                    bytes,
                    terminator,
                    leading_lf,
                } => {
                    if bytes.is_empty() {
                        continue;
                    }
                    let line = file.lines;
                    file.messages += u64::from(self.found(Found {
                        file: path,
                        line,
                        format: Format::Raw,
                        event: raw_event(&bytes, terminator),
                        leading_lf,
                    }));
                }
            }
        }
        Ok(())
    }

    /// The state of connection `key`, created (and the longest-idle one dropped past the cap).
    fn stream(&mut self, key: &str) -> &mut Stream {
        self.order += 1;
        if !self.streams.contains_key(key) && self.streams.len() >= MAX_STREAMS {
            let oldest = self
                .streams
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| k.clone());
            if let Some(s) = oldest.and_then(|k| self.streams.remove(&k))
                && let Some(p) = s.pending
            {
                self.unanswered(p);
            }
        }
        let order = self.order;
        let s = self.streams.entry(key.to_string()).or_default();
        s.last_seen = order;
        s
    }

    fn end_of_file(&mut self) {
        let mut pending: Vec<Pending> = self
            .streams
            .drain()
            .filter_map(|(_, s)| s.pending)
            .collect();
        pending.sort_by_key(|p| p.line);
        for p in pending {
            self.unanswered(p);
        }
    }

    fn unanswered(&mut self, mut p: Pending) {
        self.summary.unanswered += 1;
        self.types(p.code).unanswered += 1;
        p.note.unanswered = true;
        self.rank(p.note);
    }

    fn types(&mut self, code: MessageCode) -> &mut TypeStats {
        self.summary
            .types
            .entry(code)
            .or_insert_with(|| TypeStats::new(code))
    }

    fn rank(&mut self, note: Notable) {
        let score = note.score();
        if score == 0 || self.opts.worst == 0 {
            return;
        }
        self.order += 1;
        self.worst.push(std::cmp::Reverse(Ranked {
            score,
            order: self.order,
            note,
        }));
        if self.worst.len() > self.opts.worst {
            self.worst.pop();
        }
    }

    /// Judges one message: pairs it, lints it with its request, tallies it. False when it was
    /// a second log line of a request already counted.
    fn found(&mut self, found: Found<'_>) -> bool {
        let Found {
            file,
            line,
            format,
            event,
            leading_lf,
        } = found;
        let mut leading_lf = leading_lf || event.leading_lf;
        let key = event.stream.as_deref().unwrap_or_default().to_string();
        let shown: Vec<u8> = match &event.payload {
            Payload::Text(t) => self.opts.encoding.encode(t).into_owned(),
            Payload::Bytes(b) => b.to_vec(),
        };
        let text_hash = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            shown.hash(&mut h);
            h.finish()
        };
        let logged_dir = event.direction;
        let mut wire = shown.clone();
        if event.cleaned {
            let preview = self.stream(&key).preview.take();
            match preview {
                // The request as read is closer to the wire than the cleaned copy.
                Some(raw) => {
                    let raw = raw.trim_end_matches(['\r', '\n']);
                    let stripped = raw.trim_start_matches('\n');
                    leading_lf = stripped.len() != raw.len();
                    wire = self.opts.encoding.encode(stripped).into_owned();
                }
                None => wire = restore_delimiter(wire),
            }
        }
        let (text, _) = self.opts.encoding.decode(&wire);
        let code = sip2::parse(&text).ok().map(|p| p.msg.code);
        let direction = logged_dir.or_else(|| code.and_then(spec::message).map(|s| s.direction));
        let is_request = direction == Some(Direction::ScToAcs);
        if is_request
            && event.may_repeat
            && self
                .streams
                .get(&key)
                .and_then(|s| s.pending.as_ref())
                .is_some_and(|p| p.text_hash == text_hash)
        {
            // The same request on a second line (edge-sip2 logs it at debug and on error).
            return false;
        }
        let pending = match direction {
            Some(Direction::AcsToSc) => self.stream(&key).pending.take(),
            _ => None,
        };
        let ctx = Context {
            terminator: event.terminator,
            leading_lf,
            encoding: Some(self.opts.encoding),
            error_detection: self.opts.error_detection,
            direction,
            request: pending.as_ref().map(|p| RequestInfo {
                code: p.code,
                seq: p.seq,
            }),
            ..Context::default()
        };
        self.summary.messages += 1;
        let shown_text = shown_text(&shown, self.opts.redaction);
        let mut note = Notable {
            file: file.to_string(),
            line,
            direction,
            code: None,
            text: shown_text,
            violations: Vec::new(),
            not_a_message: None,
            refused: None,
            unanswered: false,
            answers_line: pending.as_ref().map(|p| p.line),
            latency_ms: None,
        };
        let analysis = match sip2::analyze(&wire, &ctx) {
            Ok(a) => a,
            Err(e) => {
                self.summary.errors += 1;
                self.summary.not_messages += 1;
                note.not_a_message = Some(e.to_string());
                if let Some(p) = pending {
                    self.unanswered(p);
                }
                self.rank(note);
                return true;
            }
        };
        let mut violations = analysis.violations;
        if format.masks_secrets() && has_masked_secret(&analysis.text) {
            let before = violations.len();
            violations.retain(|v| !matches!(v.rule, Rule::Checksum | Rule::ChecksumCase));
            if violations.len() != before || analysis.checksum.present {
                self.summary.unverifiable_checksums += 1;
            }
        }
        let code = analysis.msg.code;
        note.code = Some(code);
        let latency = match (&pending, event.time) {
            (Some(p), Some(t)) => p
                .time
                .map(|start| (t.ms - start.ms, t.precise && start.precise)),
            _ => None,
        };
        self.tally(code, &violations);
        note.violations = violations;
        match direction {
            Some(Direction::ScToAcs) => {
                self.summary.requests += 1;
                let replaced = self.stream(&key).pending.take();
                if let Some(old) = replaced {
                    self.unanswered(old);
                }
                let seq = analysis.msg.trailer.as_ref().and_then(|t| t.seq);
                let time = event.time;
                self.stream(&key).pending = Some(Pending {
                    code,
                    seq,
                    line,
                    time,
                    text_hash,
                    note,
                });
            }
            Some(Direction::AcsToSc) => {
                self.summary.responses += 1;
                if let Some(reason) = refusal(&analysis.msg) {
                    self.summary.refused += 1;
                    self.types(code).refused += 1;
                    note.refused = Some(reason);
                }
                match pending {
                    Some(p) => {
                        if let Some((ms, precise)) = latency.filter(|(ms, _)| *ms >= 0) {
                            self.types(p.code).latency.add(ms, precise);
                            note.latency_ms = Some(ms);
                        }
                        self.rank(p.note);
                    }
                    None => self.summary.unpaired_responses += 1,
                }
                self.rank(note);
            }
            None => self.rank(note),
        }
        true
    }

    fn tally(&mut self, code: MessageCode, violations: &[Violation]) {
        let stats = self.types(code);
        stats.count += 1;
        for v in violations {
            *stats.findings.entry(v.rule.code()).or_default() += 1;
            match v.severity {
                Severity::Error => stats.errors += 1,
                Severity::Warning => stats.warnings += 1,
                Severity::Info => stats.infos += 1,
            }
        }
        for v in violations {
            *self.summary.rules.entry(v.rule.code()).or_default() += 1;
            match v.severity {
                Severity::Error => self.summary.errors += 1,
                Severity::Warning => self.summary.warnings += 1,
                Severity::Info => self.summary.infos += 1,
            }
        }
    }

    /// Ends the scan: requests still waiting are unanswered; the worst messages are sorted.
    pub fn finish(mut self) -> Summary {
        self.end_of_file();
        let mut worst: Vec<Ranked> = self.worst.into_iter().map(|r| r.0).collect();
        worst.sort_by(|a, b| b.cmp(a));
        self.summary.worst = worst.into_iter().map(|r| r.note).collect();
        self.summary
    }
}

impl Notable {
    /// The rank of this message among the worst.
    pub fn score(&self) -> u64 {
        let by_severity =
            |s: Severity| self.violations.iter().filter(|v| v.severity == s).count() as u64;
        by_severity(Severity::Error) * SCORE_ERROR
            + u64::from(self.not_a_message.is_some()) * SCORE_ERROR
            + u64::from(self.unanswered) * SCORE_UNANSWERED
            + by_severity(Severity::Warning) * SCORE_WARNING
            + u64::from(self.refused.is_some()) * SCORE_REFUSED
            + by_severity(Severity::Info) * SCORE_INFO
    }
}

/// A message of a capture: bytes as they were on the wire.
fn raw_event(bytes: &[u8], terminator: Option<Terminator>) -> Event<'_> {
    Event {
        direction: None,
        stream: None,
        time: None,
        payload: Payload::Bytes(std::borrow::Cow::Borrowed(bytes)),
        terminator,
        cleaned: false,
        may_repeat: false,
        leading_lf: false,
    }
}

/// SIPServer strips trailing punctuation from requests before logging them (`s/[^A-z0-9]+$//s`
/// in Sip.pm `read_SIP_packet` and Koha's `read_request`), which takes the last field's `|` with
/// it: put the delimiter back so that every such request is not reported as missing it. What the
/// cleaning removed cannot be known; the delimiter is by far the commonest.
fn restore_delimiter(mut wire: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&wire);
    let restore = sip2::parse(&text)
        .is_ok_and(|p| p.msg.trailer.is_none() && !p.msg.fields.is_empty() && !text.ends_with('|'));
    if restore {
        wire.push(b'|');
    }
    wire
}

/// Why an answer is a refusal or a failure, if it is one: a 96, an `ok` (or payment accepted,
/// end session, item properties ok, on-line status) of 0 or N, or a patron the ACS says is
/// invalid or gave a wrong password (BL or CQ N).
fn refusal(msg: &Message) -> Option<String> {
    if msg.code == MessageCode::REQUEST_SC_RESEND {
        return Some("96: the ACS asks for the request again".into());
    }
    let flags = [
        "ok",
        "payment_accepted",
        "end_session",
        "item_properties_ok",
        "on_line_status",
    ];
    if let Some((key, value)) = flags.iter().find_map(|k| {
        msg.fixed_field(k)
            .filter(|v| *v == "0" || *v == "N")
            .map(|v| (k, v))
    }) {
        return Some(format!("{key} {value}"));
    }
    [FieldId::BL, FieldId::CQ]
        .into_iter()
        .find(|id| msg.field(*id) == Some("N"))
        .map(|id| format!("{id} N"))
}

/// The bytes as a report shows them: masked, escaped, cut at [`MAX_SHOWN`].
fn shown_text(bytes: &[u8], redaction: Redaction) -> String {
    let masked = redaction.apply_bytes(bytes);
    match masked.get(..MAX_SHOWN) {
        Some(head) if masked.len() > MAX_SHOWN => {
            format!("{}... ({} bytes in all)", escape_wire(head), masked.len())
        }
        _ => escape_wire(&masked),
    }
}

/// The format whose grammar recognises the most lines of `head`; raw when only raw does.
pub fn detect(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    let lines: Vec<&str> = text.split('\n').take(DETECT_LINES).collect();
    let mut best: Option<(Format, usize)> = None;
    for format in Format::ALL.into_iter().filter(|f| *f != Format::Raw) {
        let hits = lines
            .iter()
            .filter(|l| format.parse_line(l) != Line::Other)
            .count();
        if hits > 0 && best.is_none_or(|(_, b)| hits > b) {
            best = Some((format, hits));
        }
    }
    best.map(|(f, _)| f).or_else(|| {
        text.split(['\r', '\n'])
            .take(DETECT_LINES)
            .any(|l| matches!(Format::Raw.parse_line(l), Line::Message(_)))
            .then_some(Format::Raw)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_options(worst: usize) -> Options {
        Options {
            format: Some(Format::Raw),
            worst,
            ..Options::default()
        }
    }

    #[test]
    fn only_the_worst_n_are_kept_worst_first() {
        let short = "11YN20260305    101510                 AOBR1|AA1|AB2|AC|";
        // Two errors: a fixed part one short and a wrong checksum.
        let worse = "1720260305    10152AOBR1|AB1565921879|AY0AZ0000";
        let mut log: Vec<&str> = vec![short; 200];
        log.insert(150, worse);
        let text = log.join("\n");
        let mut s = Scanner::new(raw_options(3));
        s.scan("many.txt", text.as_bytes()).unwrap();
        let summary = s.finish();
        assert_eq!(summary.messages, 201);
        let lines: Vec<u64> = summary.worst.iter().map(|n| n.line).collect();
        // The 11s are all unanswered too: the next request replaces each.
        assert_eq!(lines, vec![151, 1, 2]);
    }

    #[test]
    fn connections_followed_at_once_are_capped() {
        let n = MAX_STREAMS + 10;
        let text: String = (0..n)
            .map(|pid| {
                format!("[2026/03/05 10:15:02] [{pid}] [INFO] a@b: INPUT MSG: '9900302.00'\n")
            })
            .collect();
        let mut s = Scanner::new(Options {
            format: Some(Format::Koha),
            ..Options::default()
        });
        let mut file = FileSummary::new("many.log");
        s.scan_lines("many.log", Format::Koha, text.as_bytes(), &mut file)
            .unwrap();
        assert_eq!(s.streams.len(), MAX_STREAMS);
        // The ten dropped first count as unanswered already, the rest at the end.
        assert_eq!(s.summary.unanswered, 10);
        assert_eq!(s.finish().unanswered, n as u64);
    }

    #[test]
    fn answers_pair_within_their_connection() {
        let log = "\
[2026/03/05 10:15:01] [1] [INFO] a@b: INPUT MSG: '9900302.00AY1AZFCA5'
[2026/03/05 10:15:01] [2] [INFO] a@b: INPUT MSG: '9900302.00AY4AZFCA2'
[2026/03/05 10:15:03] [2] [INFO] a@b: OUTPUT MSG: '941AY4AZFDF9'
[2026/03/05 10:15:04] [1] [INFO] a@b: OUTPUT MSG: '941AY1AZFDFC'
";
        let mut s = Scanner::new(Options::default());
        s.scan("koha.log", log.as_bytes()).unwrap();
        let summary = s.finish();
        // Each 94 answers the 99 of its own process: both echo its AY, both break response-code.
        assert_eq!(summary.rules.get("sequence"), None);
        assert_eq!(summary.rules.get("response-code"), Some(&2));
        let latency = &summary.types[&MessageCode::SC_STATUS].latency;
        assert_eq!((latency.min_ms, latency.max_ms), (2000, 3000));
    }

    #[test]
    fn cleaned_requests_get_their_delimiter_back() {
        assert_eq!(
            restore_delimiter(b"9300CNa|COb|CPc".to_vec()),
            b"9300CNa|COb|CPc|"
        );
        assert_eq!(restore_delimiter(b"9900302.00".to_vec()), b"9900302.00");
        assert_eq!(
            restore_delimiter(b"9900302.00AY1AZFCA5".to_vec()),
            b"9900302.00AY1AZFCA5"
        );
    }

    #[test]
    fn refusals_are_named() {
        let refused = |t: &str| refusal(&sip2::parse(t).unwrap().msg);
        assert_eq!(refused("940").as_deref(), Some("ok 0"));
        assert_eq!(refused("941"), None);
        assert_eq!(
            refused("96").as_deref(),
            Some("96: the ACS asks for the request again")
        );
        assert_eq!(
            refused("38N20260305    101512AOBR1|AA1|").as_deref(),
            Some("payment_accepted N")
        );
        assert_eq!(
            refused("24              00120260305    101530AOBR1|AA1|AE|BLN|").as_deref(),
            Some("BL N")
        );
    }
}
