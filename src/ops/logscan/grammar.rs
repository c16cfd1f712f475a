//! The log-line grammars (nom): each turns one line of a server log into the SIP message it
//! carries, who sent it, the connection it belongs to and when, or says the line carries none.
//!
//! Every grammar follows the lines the servers' own code writes (cited at each one). None of
//! them panics or slices by index: a line that does not fit is `Line::Other`.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1, take_until, take_while_m_n, take_while1};
use nom::character::complete::{char, digit1, multispace0, one_of, space0, space1};
use nom::combinator::{map, map_res, opt, verify};
use nom::error::{Error, ErrorKind};
use nom::sequence::{delimited, preceded, terminated};
use nom::{IResult, Parser};

use crate::sip2::spec::Direction;
use crate::sip2::{System, Terminator};

type Res<'a, T> = IResult<&'a str, T>;

/// A log format logscan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// SIPServer's syslog lines: Evergreen, and Koha before its log4perl `sip.log`.
    Evergreen,
    /// Koha's `sip.log` (log4perl).
    Koha,
    /// FOLIO edge-sip2 (log4j2, pattern layout or JSON lines).
    EdgeSip2,
    /// fsip2, the Go SIP2 server for FOLIO (zap JSON lines).
    Fsip2,
    /// A `sip2check proxy --log` transcript.
    Proxy,
    /// A capture: one message per line, or messages ended by CR.
    Raw,
}

impl Format {
    /// Every format, in the order detection tries them (raw last: any line of digits looks like one).
    pub const ALL: [Format; 6] = [
        Format::Evergreen,
        Format::Koha,
        Format::EdgeSip2,
        Format::Fsip2,
        Format::Proxy,
        Format::Raw,
    ];

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Evergreen => System::Evergreen.name(),
            Format::Koha => System::Koha.name(),
            Format::EdgeSip2 => "edge-sip2",
            Format::Fsip2 => "fsip2",
            Format::Proxy => "proxy",
            Format::Raw => "raw",
        }
    }

    /// The server family that writes this format.
    pub fn system(self) -> Option<System> {
        match self {
            Format::Evergreen => Some(System::Evergreen),
            Format::Koha => Some(System::Koha),
            Format::EdgeSip2 | Format::Fsip2 => Some(System::Folio),
            Format::Proxy | Format::Raw => None,
        }
    }

    /// The log writes `***` (Koha, the proxy) or a run of `*` (fsip2) in place of passwords.
    pub fn masks_secrets(self) -> bool {
        matches!(self, Format::Koha | Format::Fsip2 | Format::Proxy)
    }

    /// Reads one line (without its LF).
    pub fn parse_line(self, line: &str) -> Line<'_> {
        let parsed = match self {
            Format::Evergreen => syslog(line),
            Format::Koha => koha(line),
            Format::EdgeSip2 => edge_sip2(line),
            Format::Fsip2 => fsip2(line),
            Format::Proxy => proxy(line),
            Format::Raw => return raw(line),
        };
        parsed.unwrap_or(Line::Other)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.name() == lower)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown log format {s:?}; use one of {}", names.join(", "))
            })
    }
}

/// What one log line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    /// A SIP message.
    Message(Event<'a>),
    /// SIPServer's `read_SIP_packet, INPUT MSG` line: a request as read, before the server
    /// cleaned it (its `INPUT MSG` line follows).
    Preview {
        /// The connection.
        stream: Cow<'a, str>,
        /// The request as read.
        text: Cow<'a, str>,
    },
    /// Anything else.
    Other,
}

/// A SIP message found in a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event<'a> {
    /// Who sent it, as the log says (requests travel SC to ACS).
    pub direction: Option<Direction>,
    /// The connection it belongs to (a process id, a session id), when the log says.
    pub stream: Option<Cow<'a, str>>,
    /// When it was logged.
    pub time: Option<Stamp>,
    /// The message.
    pub payload: Payload<'a>,
    /// Its terminator, when the log shows it.
    pub terminator: Option<Terminator>,
    /// The server stripped leading and trailing punctuation before logging it (SIPServer's input cleaning).
    pub cleaned: bool,
    /// The server may log one request on two lines (edge-sip2 at debug level).
    pub may_repeat: bool,
    /// An LF came before the message (the rest of a CR LF).
    pub leading_lf: bool,
}

/// A message as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload<'a> {
    /// Decoded text (the server decoded the wire bytes before logging).
    Text(Cow<'a, str>),
    /// Wire bytes (captures and proxy transcripts).
    Bytes(Cow<'a, [u8]>),
}

/// A log timestamp on a linear millisecond scale (only differences between two are meaningful).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    /// Milliseconds.
    pub ms: i64,
    /// The log gave fractions of a second.
    pub precise: bool,
}

fn fail<T>(i: &str) -> Res<'_, T> {
    Err(nom::Err::Error(Error::new(i, ErrorKind::Verify)))
}

fn number(n: usize) -> impl FnMut(&str) -> Res<'_, u32> {
    move |i| {
        map_res(
            take_while_m_n(n, n, |c: char| c.is_ascii_digit()),
            |s: &str| s.parse::<u32>(),
        )
        .parse(i)
    }
}

/// Days from 1970-01-01 to a civil date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `HH:MM:SS` with optional `.fff` or `,fff`: milliseconds of the day and whether a fraction came.
fn clock(i: &str) -> Res<'_, (i64, bool)> {
    let (i, (h, _, m, _, s)) = verify(
        (number(2), char(':'), number(2), char(':'), number(2)),
        |(h, _, m, _, s)| *h < 24 && *m < 60 && *s < 61,
    )
    .parse(i)?;
    let (i, frac) = opt(preceded(one_of(".,"), digit1)).parse(i)?;
    let ms = frac.map_or(0, |f: &str| {
        f.bytes()
            .chain(std::iter::repeat(b'0'))
            .take(3)
            .fold(0i64, |acc, d| {
                acc * 10 + i64::from(d.wrapping_sub(b'0') % 10)
            })
    });
    let secs = (i64::from(h) * 60 + i64::from(m)) * 60 + i64::from(s);
    Ok((i, (secs * 1000 + ms, frac.is_some())))
}

/// `YYYY-MM-DD` or `YYYY/MM/DD`: days since 1970.
fn date(i: &str) -> Res<'_, i64> {
    let (i, (y, _, m, _, d)) = verify(
        (number(4), one_of("-/"), number(2), one_of("-/"), number(2)),
        |(_, _, m, _, d)| (1..=12).contains(m) && (1..=31).contains(d),
    )
    .parse(i)?;
    Ok((i, days_from_civil(i64::from(y), m, d)))
}

/// `Z`, `+HH:MM` or `+HHMM`: the offset from UTC in milliseconds.
fn zone(i: &str) -> Res<'_, i64> {
    alt((
        map(char('Z'), |_| 0),
        map(
            (one_of("+-"), number(2), opt(char(':')), number(2)),
            |(sign, h, _, m)| {
                let ms = (i64::from(h) * 60 + i64::from(m)) * 60_000;
                if sign == '-' { -ms } else { ms }
            },
        ),
    ))
    .parse(i)
}

/// An ISO 8601 / RFC 3339 date and time (`T` or a space between them; log4j, zap, rsyslog, Koha's `%d`).
fn iso_stamp(i: &str) -> Res<'_, Stamp> {
    let (i, (days, _, (ms, precise), offset)) = (date, one_of("T "), clock, opt(zone)).parse(i)?;
    Ok((
        i,
        Stamp {
            ms: days * 86_400_000 + ms - offset.unwrap_or(0),
            precise,
        },
    ))
}

/// A traditional syslog stamp, `Mar  5 10:15:02` (no year: a leap year is assumed).
fn bsd_stamp(i: &str) -> Res<'_, Stamp> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (i, name) = take_while_m_n(3, 3, |c: char| c.is_ascii_alphabetic()).parse(i)?;
    let Some(month) = MONTHS.iter().position(|m| *m == name) else {
        return fail(i);
    };
    let (i, (_, day, _, (ms, precise))) = (
        space1,
        verify(
            map_res(
                take_while_m_n(1, 2, |c: char| c.is_ascii_digit()),
                |s: &str| s.parse::<u32>(),
            ),
            |d| (1..=31).contains(d),
        ),
        char(' '),
        clock,
    )
        .parse(i)?;
    let month = u32::try_from(month + 1).unwrap_or(1);
    Ok((
        i,
        Stamp {
            ms: days_from_civil(2000, month, day) * 86_400_000 + ms,
            precise,
        },
    ))
}

/// A time of day alone (`%d{HH:mm:ss}` in edge-sip2's log4j2.xml).
fn clock_stamp(i: &str) -> Res<'_, Stamp> {
    map(clock, |(ms, precise)| Stamp { ms, precise }).parse(i)
}

/// `'...'`: everything up to the last quote of the line (titles and messages contain quotes too).
fn quoted(i: &str) -> Res<'_, &str> {
    let (i, _) = char('\'').parse(i)?;
    match i.rfind('\'') {
        Some(end) => Ok((
            i.get(end + 1..).unwrap_or_default(),
            i.get(..end).unwrap_or_default(),
        )),
        None => fail(i),
    }
}

/// rsyslog writes control characters as `#` and three octal digits (`#015` for CR, `#012` for LF,
/// its `$EscapeControlCharactersOnReceive` default); this turns them back. Only codes below 040
/// and 177 are decoded, so a `#100` in a title stays as written.
fn rsyslog_unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('#') {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    let mut copied = 0;
    while at < b.len() {
        let code = match b.get(at..at + 4) {
            Some([b'#', b'0', x @ b'0'..=b'3', y @ b'0'..=b'7']) => {
                Some((x - b'0') * 8 + (y - b'0'))
            }
            Some([b'#', b'1', b'7', b'7']) => Some(0x7F),
            _ => None,
        };
        match code {
            Some(c) => {
                out.push_str(s.get(copied..at).unwrap_or_default());
                out.push(char::from(c));
                at += 4;
                copied = at;
            }
            None => at += 1,
        }
    }
    out.push_str(s.get(copied..).unwrap_or_default());
    Cow::Owned(out)
}

/// SIPServer's syslog lines (Evergreen's SIPServer, and Koha's C4/SIP before log4perl).
///
/// `Sip.pm` writes `syslog("LOG_INFO", "INPUT MSG: '$record'")` in `read_SIP_packet` (after
/// stripping leading and trailing punctuation, `s/[^A-z0-9]+$//s`) and `syslog("LOG_INFO",
/// "OUTPUT MSG: '$msg'")` in `write_msg` (the message with its AY/AZ, without the CR). Debug
/// level adds `read_SIP_packet, INPUT MSG: '$record'` with the record as read. SIPServer.pm
/// documents the line: `Jun 16 21:21:31 server08 steve_sip: ...`, ident `acs-server` by default,
/// `[pid]` added by Net::Server; each connection is one forked process, so the pid is the connection.
/// rsyslog's RFC 3339 stamps (`2026-03-05T10:15:02.123+01:00`) are read too.
fn syslog(line: &str) -> Option<Line<'_>> {
    let mut header = (
        opt(delimited(char('<'), digit1, char('>'))),
        alt((iso_stamp, bsd_stamp)),
        space1,
        take_till1(|c| c == ' '),
        space1,
        take_till1(|c| c == '[' || c == ':' || c == ' '),
        opt(delimited(char('['), digit1, char(']'))),
        char(':'),
        space0,
    );
    let (body, (_, time, _, _host, _, ident, pid, _, _)) = header.parse(line).ok()?;
    let stream = match pid {
        Some(pid) => Cow::Owned(format!("{ident}[{pid}]")),
        None => Cow::Borrowed(ident),
    };
    let (_, (kind, text)) = alt((
        map(preceded(tag("INPUT MSG: "), quoted), |t| (Some(true), t)),
        map(preceded(tag("OUTPUT MSG: "), quoted), |t| (Some(false), t)),
        map(preceded(tag("read_SIP_packet, INPUT MSG: "), quoted), |t| {
            (None, t)
        }),
    ))
    .parse(body)
    .ok()?;
    let text = rsyslog_unescape(text);
    Some(match kind {
        None => Line::Preview { stream, text },
        Some(request) => Line::Message(Event {
            direction: Some(if request {
                Direction::ScToAcs
            } else {
                Direction::AcsToSc
            }),
            stream: Some(stream),
            time: Some(time),
            payload: Payload::Text(text),
            terminator: None,
            cleaned: request,
            may_repeat: false,
            leading_lf: false,
        }),
    })
}

/// Koha's `sip.log`: log4perl with the pattern `[%d] [%P] [%p] %X{accountid}@%X{peeraddr}: %m %l%n`
/// (debian/templates/log4perl-site.conf.in). `C4/SIP/SIPServer.pm` `read_request` logs
/// `siplog('LOG_INFO', "INPUT MSG: '$buffer'")` after the same cleaning as SIPServer, and
/// `C4/SIP/Sip.pm` `write_msg` logs `"OUTPUT MSG: '$msg'"`; `siplog` masks AC, AD and CO as `***`
/// (`remove_password_from_message`). `%P` is the process serving the connection.
fn koha(line: &str) -> Option<Line<'_>> {
    let mut header = (
        delimited(char('['), iso_stamp, char(']')),
        space1,
        delimited(char('['), digit1, char(']')),
        space1,
        delimited(char('['), take_till1(|c| c == ']'), char(']')),
        space1,
        terminated(take_until(": "), tag(": ")),
    );
    let (body, (time, _, pid, _, _level, _, _who)) = header.parse(line).ok()?;
    let (_, (request, text)) = alt((
        map(preceded(tag("INPUT MSG: "), quoted), |t| (true, t)),
        map(preceded(tag("OUTPUT MSG: "), quoted), |t| (false, t)),
    ))
    .parse(body)
    .ok()?;
    Some(Line::Message(Event {
        direction: Some(if request {
            Direction::ScToAcs
        } else {
            Direction::AcsToSc
        }),
        stream: Some(Cow::Borrowed(pid)),
        time: Some(time),
        payload: Payload::Text(Cow::Borrowed(text)),
        terminator: None,
        cleaned: request,
        may_repeat: false,
        leading_lf: false,
    }))
}

/// What edge-sip2 writes before a message, and which way it went. `MainVerticle` logs
/// `log.info("Sip response {}", responseMsg)` (the response with its message delimiter),
/// `log.info("Sending previous Sip response {}", ...)` for a 97, `log.error("Message is invalid:
/// {}", messageString)`, and in older versions `log.debug("Received message: {}", ...)`;
/// `Parser.parseMessage` logs `log.debug("Message to parse: {}", message)`.
const EDGE_PHRASES: [(&str, Direction); 5] = [
    ("Sending previous Sip response ", Direction::AcsToSc),
    ("Sip response ", Direction::AcsToSc),
    ("Message to parse: ", Direction::ScToAcs),
    ("Received message: ", Direction::ScToAcs),
    ("Message is invalid: ", Direction::ScToAcs),
];

/// The first edge-sip2 phrase in `text` and the message after it.
fn edge_message(text: &str) -> Option<(Direction, &str)> {
    EDGE_PHRASES
        .iter()
        .filter_map(|(phrase, dir)| {
            let (from_phrase, before) =
                take_until::<_, _, Error<&str>>(*phrase).parse(text).ok()?;
            Some((before.len(), phrase.len(), *dir, from_phrase))
        })
        // The earliest phrase; at the same place, the longer one ("Sending previous Sip response").
        .min_by_key(|(at, len, _, _)| (*at, std::cmp::Reverse(*len)))
        .map(|(_, len, dir, rest)| (dir, rest.get(len..).unwrap_or_default()))
}

/// A message logged with its terminator (edge-sip2 and fsip2 log responses with the delimiter).
fn split_terminator(text: &str) -> (&str, Option<Terminator>) {
    if let Some(t) = text.strip_suffix("\r\n") {
        (t, Some(Terminator::CrLf))
    } else if let Some(t) = text.strip_suffix('\r') {
        (t, Some(Terminator::Cr))
    } else if let Some(t) = text.strip_suffix('\n') {
        (t, Some(Terminator::Lf))
    } else {
        (text, None)
    }
}

/// FOLIO edge-sip2: log4j2's `%d{HH:mm:ss} %-5p %-20.20C{1} %m%n` (src/main/resources/log4j2.xml),
/// the FOLIO variants with more bracketed context, or a JSON line with `message` (JsonTemplateLayout).
/// The log has no connection id: messages pair in the order logged.
fn edge_sip2(line: &str) -> Option<Line<'_>> {
    if line.starts_with('{') {
        let fields = json_object(line).ok()?.1;
        let time = ["@timestamp", "timestamp", "time"]
            .iter()
            .find_map(|k| json_str(&fields, k))
            .and_then(|t| iso_stamp(&t).ok().map(|(_, s)| s));
        let message = json_str(&fields, "message")?;
        let (direction, text) = edge_message(&message)?;
        let (text, terminator) = split_terminator(text);
        return Some(edge_event(
            direction,
            Cow::Owned(text.to_string()),
            terminator,
            time,
        ));
    }
    let (rest, time) = opt(alt((iso_stamp, clock_stamp))).parse(line).ok()?;
    let (direction, text) = edge_message(rest)?;
    let (text, terminator) = split_terminator(text);
    Some(edge_event(direction, Cow::Borrowed(text), terminator, time))
}

fn edge_event(
    direction: Direction,
    text: Cow<'_, str>,
    terminator: Option<Terminator>,
    time: Option<Stamp>,
) -> Line<'_> {
    Line::Message(Event {
        direction: Some(direction),
        stream: None,
        time,
        payload: Payload::Text(text),
        terminator,
        cleaned: false,
        may_repeat: direction == Direction::ScToAcs,
        leading_lf: false,
    })
}

/// fsip2 (spokanepubliclibrary/fsip2): zap JSON lines. `internal/server/connection.go` logs
/// `Info("SIP2 message received", type "sip_request", message, message_code, session_id)` and
/// `Info("SIP2 message sent", type "sip_response", ...)`; its encoder (`internal/logging/logger.go`)
/// names the log message `message` too, so each line has two `message` keys, and writes ISO 8601
/// `timestamp`s. Received messages lack their delimiter, sent ones carry it; below log level
/// "Debugging", AD and CO values are a run of `*` (`obfuscatePINsAndPasswords`).
fn fsip2(line: &str) -> Option<Line<'_>> {
    let fields = json_object(line).ok()?.1;
    let messages: Vec<&Cow<'_, str>> = fields
        .iter()
        .filter(|(k, _)| k == "message" || k == "msg")
        .filter_map(|(_, v)| match v {
            Json::Str(s) => Some(s),
            Json::Other => None,
        })
        .collect();
    let direction = messages.iter().find_map(|m| match m.as_ref() {
        "SIP2 message received" => Some(Direction::ScToAcs),
        "SIP2 message sent" => Some(Direction::AcsToSc),
        _ => None,
    })?;
    let text = messages
        .iter()
        .rev()
        .find(|m| !matches!(m.as_ref(), "SIP2 message received" | "SIP2 message sent"))?;
    let (body, terminator) = split_terminator(text);
    let time = json_str(&fields, "timestamp").and_then(|t| iso_stamp(&t).ok().map(|(_, s)| s));
    Some(Line::Message(Event {
        direction: Some(direction),
        stream: json_str(&fields, "session_id").map(|s| Cow::Owned(s.into_owned())),
        time,
        payload: Payload::Text(Cow::Owned(body.to_string())),
        terminator,
        cleaned: false,
        may_repeat: false,
        leading_lf: false,
    }))
}

/// A `sip2check proxy --log` transcript: `STAMP #CONN device> BYTES` and `STAMP #CONN acs> BYTES`,
/// the bytes escaped as `escape_wire` writes them (`<CR>`, `<LF>`, `<0xNN>`), passwords `***`.
fn proxy(line: &str) -> Option<Line<'_>> {
    let (escaped, (time, _, conn, _, request)) = (
        iso_stamp,
        tag(" #"),
        digit1,
        char(' '),
        alt((map(tag("device> "), |_| true), map(tag("acs> "), |_| false))),
    )
        .parse(line)
        .ok()?;
    let mut bytes = unescape_wire(escaped);
    let lfs = bytes.iter().take_while(|&&b| b == b'\n').count();
    bytes.drain(..lfs);
    let terminator = if bytes.ends_with(b"\r\n") {
        Some(Terminator::CrLf)
    } else if bytes.ends_with(b"\r") {
        Some(Terminator::Cr)
    } else if bytes.ends_with(b"\n") {
        Some(Terminator::Lf)
    } else {
        None
    };
    bytes.truncate(bytes.len() - terminator.map_or(0, |t| t.bytes().len()));
    Some(Line::Message(Event {
        direction: Some(if request {
            Direction::ScToAcs
        } else {
            Direction::AcsToSc
        }),
        stream: Some(Cow::Borrowed(conn)),
        time: Some(time),
        payload: Payload::Bytes(Cow::Owned(bytes)),
        terminator,
        cleaned: false,
        may_repeat: false,
        leading_lf: lfs > 0,
    }))
}

/// The inverse of `render::escape_wire`.
pub fn unescape_wire(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let escape: Res<'_, u8> = alt((
            map(tag("<CR>"), |_| b'\r'),
            map(tag("<LF>"), |_| b'\n'),
            map_res(
                delimited(
                    tag("<0x"),
                    take_while_m_n(2, 2, |c: char| c.is_ascii_hexdigit()),
                    char('>'),
                ),
                |h: &str| u8::from_str_radix(h, 16),
            ),
        ))
        .parse(rest);
        match escape {
            Ok((after, b)) => {
                out.push(b);
                rest = after;
            }
            Err(_) => {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                rest = chars.as_str();
            }
        }
    }
    out
}

/// A raw capture line: a message whose code the spec knows.
fn raw(line: &str) -> Line<'_> {
    let known = crate::sip2::parse(line)
        .ok()
        .is_some_and(|p| p.msg.spec().is_some());
    if !known {
        return Line::Other;
    }
    Line::Message(Event {
        direction: None,
        stream: None,
        time: None,
        payload: Payload::Text(Cow::Borrowed(line)),
        terminator: None,
        cleaned: false,
        may_repeat: false,
        leading_lf: false,
    })
}

/// A JSON value as logscan needs it: strings, and the rest skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Json<'a> {
    Str(Cow<'a, str>),
    Other,
}

fn json_str<'a>(fields: &[(Cow<'a, str>, Json<'a>)], key: &str) -> Option<Cow<'a, str>> {
    fields.iter().find_map(|(k, v)| match v {
        Json::Str(s) if k == key => Some(s.clone()),
        _ => None,
    })
}

/// Nesting deeper than this is not a log line logscan reads (and would exhaust the stack).
const MAX_JSON_DEPTH: u8 = 16;

/// A JSON object's top-level members in order, duplicates kept (fsip2 writes `message` twice).
fn json_object(i: &str) -> Res<'_, Vec<(Cow<'_, str>, Json<'_>)>> {
    let (mut i, _) = (char('{'), multispace0).parse(i)?;
    let mut out = Vec::new();
    if let Ok((rest, _)) = char::<_, Error<&str>>('}').parse(i) {
        return Ok((rest, out));
    }
    loop {
        let (rest, (key, _, _, _, value, _)) = (
            json_string,
            multispace0,
            char(':'),
            multispace0,
            |i| json_value(i, 1),
            multispace0,
        )
            .parse(i)?;
        out.push((key, value));
        let (rest, end) = alt((map(char(','), |_| false), map(char('}'), |_| true))).parse(rest)?;
        if end {
            return Ok((rest, out));
        }
        i = multispace0(rest)?.0;
    }
}

fn json_value(i: &str, depth: u8) -> Res<'_, Json<'_>> {
    if depth > MAX_JSON_DEPTH {
        return fail(i);
    }
    match i.chars().next() {
        Some('"') => map(json_string, Json::Str).parse(i),
        Some('{') => json_container(i, depth, '{', '}', true),
        Some('[') => json_container(i, depth, '[', ']', false),
        _ => map(
            take_while1(|c: char| c.is_ascii_alphanumeric() || "+-.".contains(c)),
            |_| Json::Other,
        )
        .parse(i),
    }
}

/// A nested object or array, checked and skipped.
fn json_container(i: &str, depth: u8, open: char, close: char, keyed: bool) -> Res<'_, Json<'_>> {
    let (mut i, _) = (char(open), multispace0).parse(i)?;
    if let Ok((rest, _)) = char::<_, Error<&str>>(close).parse(i) {
        return Ok((rest, Json::Other));
    }
    loop {
        if keyed {
            i = (json_string, multispace0, char(':'), multispace0)
                .parse(i)?
                .0;
        }
        let (rest, _) = (|i| json_value(i, depth + 1), multispace0).parse(i)?;
        let (rest, end) =
            alt((map(char(','), |_| false), map(char(close), |_| true))).parse(rest)?;
        if end {
            return Ok((rest, Json::Other));
        }
        i = multispace0(rest)?.0;
    }
}

/// A JSON string, unescaped; borrowed when it has no escapes.
fn json_string(i: &str) -> Res<'_, Cow<'_, str>> {
    let (body, _) = char('"').parse(i)?;
    let mut owned: Option<String> = None;
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => {
                let rest = body.get(at + 1..).unwrap_or_default();
                let value = match owned {
                    Some(s) => Cow::Owned(s),
                    None => Cow::Borrowed(body.get(..at).unwrap_or_default()),
                };
                return Ok((rest, value));
            }
            '\\' => {
                let s = owned.get_or_insert_with(|| body.get(..at).unwrap_or_default().to_string());
                let Some((_, e)) = chars.next() else { break };
                let decoded = match e {
                    '"' | '\\' | '/' => e,
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'u' => {
                        let Some(unit) = hex4(&mut chars) else { break };
                        let mut look = chars.clone();
                        let pair = (0xD800..0xDC00).contains(&unit)
                            && matches!(
                                (look.next(), look.next()),
                                (Some((_, '\\')), Some((_, 'u')))
                            );
                        let low = if pair { hex4(&mut look) } else { None };
                        match low.filter(|l| (0xDC00..0xE000).contains(l)) {
                            Some(low) => {
                                chars = look;
                                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                                char::from_u32(c).unwrap_or('\u{FFFD}')
                            }
                            None => char::from_u32(unit).unwrap_or('\u{FFFD}'),
                        }
                    }
                    _ => break,
                };
                s.push(decoded);
            }
            c => {
                if let Some(s) = owned.as_mut() {
                    s.push(c);
                }
            }
        }
    }
    fail(i)
}

fn hex4(chars: &mut std::str::CharIndices<'_>) -> Option<u32> {
    (0..4).try_fold(0u32, |acc, _| {
        let (_, c) = chars.next()?;
        Some(acc * 16 + c.to_digit(16)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(format: Format, line: &str) -> Event<'_> {
        match format.parse_line(line) {
            Line::Message(e) => e,
            other => panic!("{format}: expected a message in {line:?}, got {other:?}"),
        }
    }

    fn text<'a>(e: &'a Event<'_>) -> &'a str {
        match &e.payload {
            Payload::Text(t) => t,
            Payload::Bytes(_) => panic!("bytes"),
        }
    }

    #[test]
    fn syslog_lines_of_sipserver() {
        let e = event(
            Format::Evergreen,
            "Mar  5 10:15:02 sip1 acs-server[4242]: INPUT MSG: '9300CNsip|COpw|CPBR1'",
        );
        assert_eq!(e.direction, Some(Direction::ScToAcs));
        assert_eq!(e.stream.as_deref(), Some("acs-server[4242]"));
        assert_eq!(text(&e), "9300CNsip|COpw|CPBR1");
        assert!(e.cleaned);
        let e = event(
            Format::Evergreen,
            "2026-03-05T10:15:02.250+01:00 sip1 acs-server[4242]: OUTPUT MSG: '18030201AJHarry's book|AY1AZF00D'",
        );
        assert_eq!(e.direction, Some(Direction::AcsToSc));
        assert_eq!(text(&e), "18030201AJHarry's book|AY1AZF00D");
        assert!(e.time.is_some_and(|t| t.precise));
        match Format::Evergreen.parse_line(
            "Mar  5 10:15:02 sip1 acs-server[4242]: read_SIP_packet, INPUT MSG: '#0129900302.00'",
        ) {
            Line::Preview { stream, text } => {
                assert_eq!(stream, "acs-server[4242]");
                assert_eq!(text, "\n9900302.00");
            }
            other => panic!("{other:?}"),
        }
        for other in [
            "Mar  5 10:15:02 sip1 acs-server[4242]: Inbound connection from 10.0.0.5",
            "Mar 35 10:15:02 sip1 acs-server[4242]: INPUT MSG: '99'",
            "Foo  5 10:15:02 sip1 acs-server[4242]: INPUT MSG: '99'",
            "",
        ] {
            assert_eq!(Format::Evergreen.parse_line(other), Line::Other, "{other}");
        }
    }

    #[test]
    fn stamps_are_linear_and_know_their_precision() {
        let at = |s: &str| iso_stamp(s).unwrap().1;
        assert_eq!(at("1970-01-01T00:00:01Z").ms, 1000);
        assert_eq!(
            at("2026-03-05 10:15:02,5").ms - at("2026-03-05 10:15:02").ms,
            500
        );
        assert_eq!(
            at("2026-03-05T11:15:02+01:00").ms,
            at("2026-03-05T10:15:02.000Z").ms
        );
        assert_eq!(at("2026-03-05T10:15:02.123-0800").ms % 1000, 123);
        assert!(!at("2026/03/05 10:15:02").precise);
        assert_eq!(
            at("2026-03-01T00:00:00Z").ms - at("2026-02-28T23:59:59Z").ms,
            1000
        );
        assert!(iso_stamp("2026-13-01T00:00:00Z").is_err());
        assert!(iso_stamp("2026-01-01T25:00:00Z").is_err());
    }

    #[test]
    fn koha_sip_log() {
        let e = event(
            Format::Koha,
            "[2026/03/05 10:15:02] [4242] [INFO] [undef]@[undef]: INPUT MSG: '9300CNterm1|CO***|CPCPL' C4::SIP::SIPServer::read_request /usr/share/koha/lib/C4/SIP/SIPServer.pm (396)",
        );
        assert_eq!(text(&e), "9300CNterm1|CO***|CPCPL");
        assert_eq!(e.stream.as_deref(), Some("4242"));
        let e = event(
            Format::Koha,
            "[2026/03/05 10:15:02] [4242] [INFO] term1@10.0.0.5: OUTPUT MSG: '941' C4::SIP::Sip::siplog /usr/share/koha/lib/C4/SIP/Sip.pm (258)",
        );
        assert_eq!((e.direction, text(&e)), (Some(Direction::AcsToSc), "941"));
        assert_eq!(
            Format::Koha.parse_line(
                "[2026/03/05 10:15:02] [4242] [DEBUG] term1@::1: raw_transport: timeout is 30"
            ),
            Line::Other
        );
    }

    #[test]
    fn edge_sip2_lines() {
        let e = event(
            Format::EdgeSip2,
            "10:15:02 INFO  MainVerticle         Sip response 941AY1AZFDFC\r",
        );
        assert_eq!(text(&e), "941AY1AZFDFC");
        assert_eq!(e.terminator, Some(Terminator::Cr));
        let e = event(
            Format::EdgeSip2,
            "10:15:02 DEBUG Parser               Message to parse: 9300CNa|COb|",
        );
        assert_eq!(
            (e.direction, text(&e)),
            (Some(Direction::ScToAcs), "9300CNa|COb|")
        );
        assert!(e.may_repeat);
        let e = event(
            Format::EdgeSip2,
            "10:15:03 INFO  MainVerticle         Sending previous Sip response 941\r",
        );
        assert_eq!(text(&e), "941");
        let e = event(
            Format::EdgeSip2,
            r#"{"@timestamp":"2026-03-05T10:15:02.101Z","level":"INFO","message":"Sip response 941\r","ipAddress":"10.0.0.5"}"#,
        );
        assert_eq!((text(&e), e.terminator), ("941", Some(Terminator::Cr)));
        assert!(e.time.is_some());
        assert_eq!(
            Format::EdgeSip2
                .parse_line("10:15:02 INFO  MainVerticle         Server is now listening!"),
            Line::Other
        );
    }

    #[test]
    fn fsip2_lines_with_two_message_keys() {
        let e = event(
            Format::Fsip2,
            r#"{"level":"info","timestamp":"2026-03-05T10:15:02.120-0800","caller":"server/connection.go:196","message":"SIP2 message sent","type":"sip_response","message":"941AY1AZFDFC\r","message_code":"94","session_id":"a1"}"#,
        );
        assert_eq!(e.direction, Some(Direction::AcsToSc));
        assert_eq!(
            (text(&e), e.terminator),
            ("941AY1AZFDFC", Some(Terminator::Cr))
        );
        assert_eq!(e.stream.as_deref(), Some("a1"));
        let e = event(
            Format::Fsip2,
            r#"{"message":"SIP2 message received","message":"23001\u00e9\ud83d\ude00|\"x\"","nested":{"a":[1,{"b":null}]}}"#,
        );
        assert_eq!(text(&e), "23001\u{e9}\u{1F600}|\"x\"");
        for other in [
            r#"{"message":"Invoking message handler","message_code":"93"}"#,
            r#"{"message":"SIP2 message sent""#,
            "{",
            r#"{"message":"\ud800"#,
        ] {
            assert_eq!(Format::Fsip2.parse_line(other), Line::Other, "{other}");
        }
    }

    #[test]
    fn proxy_transcripts_give_back_the_bytes() {
        let e = event(
            Format::Proxy,
            "2026-03-05T10:15:02.123Z #3 acs> 941<0x00>x<CR><LF>",
        );
        assert_eq!(e.payload, Payload::Bytes(Cow::Owned(b"941\x00x".to_vec())));
        assert_eq!(e.terminator, Some(Terminator::CrLf));
        assert_eq!(e.stream.as_deref(), Some("3"));
        let e = event(
            Format::Proxy,
            "2026-03-05T10:15:02.123Z #3 device> <LF>941<CR>",
        );
        assert_eq!(e.payload, Payload::Bytes(Cow::Owned(b"941".to_vec())));
        assert!(e.leading_lf);
        assert_eq!(
            Format::Proxy.parse_line("2026-03-05T10:15:02.123Z #3 device   error [checksum] AZ: x"),
            Line::Other
        );
        assert_eq!(unescape_wire("<0xZZ><CR"), b"<0xZZ><CR".to_vec());
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert!(
            "syslog"
                .parse::<Format>()
                .unwrap_err()
                .contains("evergreen, koha")
        );
    }
}
