//! The linter: every deviation of a parsed message from the protocol table, as [`Violation`]s.
//!
//! Pure functions over a [`Message`] and a [`Context`] that says what the wire looked like
//! (bytes, terminator, declared encoding) and what the message answers (the request's code
//! and AY). Allocation-free when a message is clean.

use super::checksum::{self, Basis, ChecksumStatus};
use super::code::{FieldId, MessageCode};
use super::frame::Terminator;
use super::message::Message;
use super::plan::{self, IdSet, MessagePlan, Tally};
use super::spec::{self, Direction, FieldOrigin, Kind, MessageSpec};
use super::text::Encoding;
use super::version::Protocol;
use super::violation::{FieldRef, Rule, Violation};

/// Maximum length of a tagged value, in characters.
pub const MAX_VALUE_LEN: usize = 255;

/// What the linter knows about the message beyond its text.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    /// The bytes as they were on the wire, without the terminator (checksum, encoding checks).
    pub raw: Option<&'a [u8]>,
    /// The terminator the message arrived with.
    pub terminator: Option<Terminator>,
    /// An LF came before the message (the tail of a CRLF).
    pub leading_lf: bool,
    /// The encoding both sides agreed on.
    pub encoding: Option<Encoding>,
    /// Error detection is on: the message must carry AZ.
    pub error_detection: bool,
    /// The direction the message should travel.
    pub direction: Option<Direction>,
    /// The request this message answers (its code and AY), when it is a response.
    pub request: Option<RequestInfo>,
    /// The protocol version the session agreed (default 2.00): in 1.00 mode the fields that
    /// 2.00 added to a 1.00 message are not required.
    pub protocol: Protocol,
}

/// The request a response answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestInfo {
    /// Its code.
    pub code: MessageCode,
    /// Its AY digit, if it had one.
    pub seq: Option<u8>,
}

/// Lints `msg`, appending violations to `out`; returns the checksum verdict.
pub fn lint_into(
    msg: &Message,
    text: &str,
    ctx: &Context,
    out: &mut Vec<Violation>,
) -> ChecksumStatus {
    match plan::plan(msg.code) {
        Some(plan) => {
            lint_direction(plan.spec, ctx, out);
            lint_fixed(msg, plan, out);
            let tally = lint_fields(msg, Some(plan), ctx.protocol.after_response(msg), out);
            lint_counts(msg, plan, &tally, out);
        }
        None => {
            out.push(Violation::new(
                Rule::UnknownMessage,
                FieldRef::Message,
                "one of the 31 SIP2 2.00 message codes",
                msg.code.to_string(),
            ));
            lint_fields(msg, None, ctx.protocol, out);
        }
    }
    lint_wire(ctx, out);
    lint_trailer(msg, text, ctx, out)
}

/// Lints `msg` and returns its violations.
pub fn lint(msg: &Message, text: &str, ctx: &Context) -> Vec<Violation> {
    let mut out = Vec::new();
    lint_into(msg, text, ctx, &mut out);
    out
}

fn lint_direction(spec: &MessageSpec, ctx: &Context, out: &mut Vec<Violation>) {
    if let Some(dir) = ctx.direction.filter(|d| *d != spec.direction) {
        out.push(Violation::new(
            Rule::Direction,
            FieldRef::Message,
            dir.describe(),
            format!(
                "{} {} is a {}",
                spec.code,
                spec.name,
                spec.direction.describe()
            ),
        ));
    }
    let Some(req) = ctx.request else { return };
    let answers =
        |code: MessageCode| spec::message(code).and_then(|r| r.response) == Some(spec.code);
    // 96 answers anything with a bad checksum; 98 may answer anything to force a status refresh;
    // after a 97 the last response, whatever it was, comes again.
    let allowed = answers(req.code)
        || spec.code == MessageCode::REQUEST_SC_RESEND
        || spec.code == MessageCode::ACS_STATUS
        || req.code == MessageCode::REQUEST_ACS_RESEND;
    if spec.direction == Direction::AcsToSc && !allowed {
        let expected = spec::message(req.code)
            .and_then(|r| r.response)
            .map_or("96".to_string(), |c| format!("{c} (or 96)"));
        out.push(Violation::new(
            Rule::ResponseCode,
            FieldRef::Message,
            format!("{expected} in answer to {}", req.code),
            spec.code.to_string(),
        ));
    }
}

/// The verdict of checking one value against a kind.
enum Verdict {
    Ok,
    /// Malformed.
    Bad,
    /// Well-formed but not in an open code table.
    UnknownCode,
    /// A flag string with N where the spec says blank.
    FlagN,
}

fn check_kind(kind: &Kind, value: &str) -> Verdict {
    let digits = |n: usize| value.len() == n && value.bytes().all(|b| b.is_ascii_digit());
    match kind {
        Kind::Text => Verdict::Ok,
        Kind::Date18 => match is_date18(value) {
            true => Verdict::Ok,
            false => Verdict::Bad,
        },
        Kind::Date18OrBlank => {
            match is_date18(value) || (value.len() == 18 && value.bytes().all(|b| b == b' ')) {
                true => Verdict::Ok,
                false => Verdict::Bad,
            }
        }
        Kind::Code(table) => {
            let len = table.values.first().map_or(value.len(), |(c, _)| c.len());
            let shaped =
                value.len() == len && (!table.numeric || value.bytes().all(|b| b.is_ascii_digit()));
            if !shaped {
                Verdict::Bad
            } else if table.meaning(value).is_some() {
                Verdict::Ok
            } else if table.closed {
                Verdict::Bad
            } else {
                Verdict::UnknownCode
            }
        }
        Kind::Flags(t) if value.len() != t.len => Verdict::Bad,
        Kind::Flags(_) => {
            // One pass: N is legal in shape but only warned about.
            let mut verdict = Verdict::Ok;
            for b in value.bytes() {
                match b {
                    b'Y' | b' ' => {}
                    b'N' => verdict = Verdict::FlagN,
                    _ => return Verdict::Bad,
                }
            }
            verdict
        }
        Kind::Supported(t) => {
            match value.len() >= t.len && value.bytes().all(|b| b == b'Y' || b == b'N') {
                true => Verdict::Ok,
                false => Verdict::Bad,
            }
        }
        Kind::Count4 => match digits(4) || value == "    " {
            true => Verdict::Ok,
            false => Verdict::Bad,
        },
        Kind::Digits(n) => match digits(*n) {
            true => Verdict::Ok,
            false => Verdict::Bad,
        },
        Kind::Version => match value.as_bytes() {
            [a, b'.', b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
                Verdict::Ok
            }
            _ => Verdict::Bad,
        },
        Kind::Currency => match value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()) {
            true => Verdict::Ok,
            false => Verdict::Bad,
        },
        Kind::Sequence => match digits(1) {
            true => Verdict::Ok,
            false => Verdict::Bad,
        },
        Kind::Checksum => match value.len() == 4 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            true => Verdict::Ok,
            false => Verdict::Bad,
        },
    }
}

/// Does `kind` take `value` without a finding?
#[cfg(test)]
pub(crate) fn kind_accepts(kind: &Kind, value: &str) -> bool {
    matches!(check_kind(kind, value), Verdict::Ok)
}

/// Is `value` an 18-character SIP date `YYYYMMDDZZZZHHMMSS` (strict: blanks or a zone letter in ZZZZ)?
pub fn is_date18(value: &str) -> bool {
    let b = value.as_bytes();
    let (Some(date), Some(zone), Some(time)) = (
        b.get(..8).and_then(|d| <[u8; 8]>::try_from(d).ok()),
        b.get(8..12),
        b.get(12..18),
    ) else {
        return false;
    };
    // The date's 8 digits in one word (SWAR); the time's 6 one by one.
    if b.len() != 18
        || !all_digits(u64::from_le_bytes(date))
        || !time.iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    let two = |i: usize| {
        let digit = |j: usize| b.get(j).map_or(99, |d| u32::from(d - b'0'));
        digit(i) * 10 + digit(i + 1)
    };
    matches!(zone, [b' ', b' ', b' ', z] if *z == b' ' || z.is_ascii_uppercase())
        && (1..=12).contains(&two(4))
        && (1..=31).contains(&two(6))
        && two(12) < 24
        && two(14) < 60
        && two(16) < 61
}

/// Are all eight bytes of `w` ASCII digits? Below '0' borrows into the high bit, above '9' carries
/// into it; a borrow or carry only starts at a byte that fails on its own, so "all" stays exact.
fn all_digits(w: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    (w | w.wrapping_sub(LO * 0x30) | w.wrapping_add(LO * 0x46)) & HI == 0
}

fn lint_fixed(msg: &Message, plan: &MessagePlan, out: &mut Vec<Violation>) {
    for c in &plan.fixed {
        let f = c.spec;
        let Some(value) = msg.fixed.get(c.offset..c.offset + f.len) else {
            break;
        };
        if c.accepts(value.as_bytes()) {
            continue;
        }
        let (rule, expected) = match check_kind(&f.kind, value) {
            Verdict::Ok => continue,
            Verdict::Bad => (Rule::FixedFormat, f.kind.describe()),
            Verdict::UnknownCode => (Rule::FixedCode, f.kind.describe()),
            Verdict::FlagN => (Rule::FlagN, f.kind.describe()),
        };
        out.push(Violation::new(
            rule,
            FieldRef::Fixed(f.key),
            expected,
            format!("{value:?}"),
        ));
    }
    if plan.spec.code == MessageCode::PATRON_INFORMATION
        && let Some(summary) = msg.fixed_field("summary")
        && summary.bytes().filter(|&b| b == b'Y').count() > 1
    {
        out.push(Violation::new(
            Rule::Summary,
            FieldRef::Fixed("summary"),
            "at most one Y",
            format!("{summary:?}"),
        ));
    }
}

/// Repeats, required and known fields, and each value; returns how often each counted item field
/// occurred. `protocol` is the version the message is held to.
fn lint_fields(
    msg: &Message,
    plan: Option<&MessagePlan>,
    protocol: Protocol,
    out: &mut Vec<Violation>,
) -> Tally {
    // One bit per possible ID and one table load per field: no registry search, no quadratic scans.
    let mut seen = IdSet::default();
    let mut tally = Tally::default();
    for f in &msg.fields {
        let facts = plan::facts(f.id);
        if !seen.insert_known(f.id, facts) && !facts.repeatable(plan) {
            out.push(Violation::new(
                Rule::RepeatedField,
                FieldRef::Field(f.id),
                "at most one occurrence",
                "repeated",
            ));
        }
        if let Some(t) = facts.tally().and_then(|t| tally.get_mut(t)) {
            *t += 1;
        }
        lint_value(f.id, &f.value, out);
        if facts.plain(plan) {
            continue;
        }
        match facts.spec {
            None => out.push(Violation::new(
                Rule::UnknownField,
                FieldRef::Field(f.id),
                "a standard or known extension field",
                f.id.to_string(),
            )),
            Some(reg) => {
                let listed = plan.is_none_or(|p| facts.listed(p));
                lint_known_field(f.id, &f.value, reg, facts.label, listed, out)
            }
        }
    }
    if let Some(plan) = plan.filter(|p| !p.has_required(&seen)) {
        // A message that 2.00 added exists only in its 2.00 layout; in a 1.00 message, 1.00 mode
        // excuses the fields that 2.00 added (spec section 3: Evergreen and Koha leave them out).
        let version = protocol.max(Protocol::of_version(plan.spec.since));
        for u in plan
            .spec
            .fields
            .iter()
            .filter(|u| u.required && !seen.contains(u.id) && field_since(u.id) <= version)
        {
            out.push(Violation::new(
                Rule::RequiredField,
                FieldRef::Field(u.id),
                plan::facts(u.id).label,
                "absent",
            ));
        }
    }
    tally
}

/// The version that added field `id`, per the table (extensions, which name none, count as 1.00).
fn field_since(id: FieldId) -> Protocol {
    match plan::facts(id).spec.map(|f| &f.origin) {
        Some(FieldOrigin::Standard { since }) => Protocol::of_version(since),
        _ => Protocol::V1,
    }
}

/// Length, control characters and delimiters inside one value.
fn lint_value(id: FieldId, value: &str, out: &mut Vec<Violation>) {
    if value.len() > MAX_VALUE_LEN && value.chars().count() > MAX_VALUE_LEN {
        out.push(Violation::new(
            Rule::ValueTooLong,
            FieldRef::Field(id),
            "at most 255 characters",
            format!("{} characters", value.chars().count()),
        ));
    }
    // Fast path: a byte scan; only text with suspicious bytes is decoded character by character.
    let suspicious = has_special_byte(value.as_bytes());
    if !suspicious {
        return;
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        out.push(Violation::new(
            Rule::ControlChar,
            FieldRef::Field(id),
            "printable text",
            format!("{c:?} in the value"),
        ));
    }
    if value.contains('|') {
        out.push(Violation::new(
            Rule::DelimiterInValue,
            FieldRef::Field(id),
            "no '|' in the value",
            format!("{value:?}"),
        ));
    }
}

/// Is there a byte < 0x20, 0x7F, '|' or >= 0x80? Eight bytes at a time (SWAR), with overlapping
/// loads for the tail: this scan runs over every value of every message, on the linter's hot path.
fn has_special_byte(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // Per byte, the high bit of each term: >= 0x80 or (w + 1) >= 0x80, i.e. >= 0x7F; < 0x20; == '|'.
    // Carries and borrows only leave bytes that are special themselves, so "any" stays exact.
    let special = |w: u64| {
        let bar = w ^ (LO * u64::from(b'|'));
        (w | w.wrapping_add(LO) | (w.wrapping_sub(LO * 0x20) & !w) | (bar.wrapping_sub(LO) & !bar))
            & HI
            != 0
    };
    let word = |at: usize| {
        bytes
            .get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let half = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, u32::from_le_bytes)
    };
    let n = bytes.len();
    match n {
        0 => false,
        // Short values: the first and last bytes and one between cover up to 3, two halves up to 8.
        1..=3 => {
            let [first, mid, last] =
                [0, n / 2, n - 1].map(|i| bytes.get(i).copied().unwrap_or(b' '));
            special(u64::from_le_bytes([
                first, mid, last, b' ', b' ', b' ', b' ', b' ',
            ]))
        }
        4..=7 => special(u64::from(half(0)) | u64::from(half(n - 4)) << 32),
        _ => {
            (0..n / 8).any(|i| special(word(i * 8)))
                || (!n.is_multiple_of(8) && special(word(n - 8)))
        }
    }
}

/// Checks a registry field: used where the spec lists it, and shaped as its kind says.
fn lint_known_field(
    id: FieldId,
    value: &str,
    reg: &spec::FieldSpec,
    label: &'static str,
    listed: bool,
    out: &mut Vec<Violation>,
) {
    if !listed
        && matches!(reg.origin, FieldOrigin::Standard { .. })
        && !matches!(id, FieldId::AF | FieldId::AG)
    {
        out.push(Violation::new(
            Rule::UnexpectedField,
            FieldRef::Field(id),
            "a field this message defines",
            label,
        ));
    }
    if spec::ambiguous(id) {
        out.push(Violation::new(
            Rule::AmbiguousField,
            FieldRef::Field(id),
            "a field with one meaning",
            "PA: patron expiration date (Evergreen) or PAC access type (Koha)",
        ));
    }
    // Empty values are allowed where a field is required but unknown (AJ|, AH|).
    if value.is_empty() {
        return;
    }
    let rule = match reg.kind {
        Kind::Text => None,
        _ => match check_kind(&reg.kind, value) {
            Verdict::Ok => None,
            Verdict::Bad | Verdict::FlagN => Some(Rule::FieldFormat),
            Verdict::UnknownCode => Some(Rule::FieldCode),
        },
    };
    if let Some(rule) = rule {
        out.push(Violation::new(
            rule,
            FieldRef::Field(id),
            reg.kind.describe(),
            format!("{value:?}"),
        ));
    }
    if let Kind::Supported(t) = reg.kind
        && value.len() > t.len
    {
        out.push(Violation::new(
            Rule::BxLength,
            FieldRef::Field(id),
            "16 positions",
            format!("{} positions", value.len()),
        ));
    }
}

/// 66 must list exactly its counts; 64 lists at most its counts (BP/BQ may window the list).
fn lint_counts(msg: &Message, plan: &MessagePlan, tally: &Tally, out: &mut Vec<Violation>) {
    for c in &plan.counts {
        let count = msg
            .fixed
            .get(c.offset..c.offset + c.len)
            .and_then(|v| v.parse::<usize>().ok());
        let (Some(count), Some(&sent)) = (count, tally.get(c.tally)) else {
            continue;
        };
        if sent > count || (c.exact && sent != count) {
            let expected = if c.exact {
                format!("{sent}")
            } else {
                format!("at least {sent}")
            };
            out.push(Violation::new(
                Rule::ItemCount,
                FieldRef::Fixed(c.key),
                format!("{expected} ({sent} {} fields sent)", c.field),
                count.to_string(),
            ));
        }
    }
}

fn lint_wire(ctx: &Context, out: &mut Vec<Violation>) {
    match ctx.terminator {
        Some(Terminator::Lf) => {
            out.push(Violation::new(Rule::Terminator, FieldRef::Wire, "CR", "LF"))
        }
        Some(Terminator::CrLf) => out.push(Violation::new(
            Rule::LfAfterCr,
            FieldRef::Wire,
            "CR",
            "CR LF",
        )),
        _ if ctx.leading_lf => out.push(Violation::new(
            Rule::LfAfterCr,
            FieldRef::Wire,
            "CR",
            "CR, then LF before this message",
        )),
        _ => {}
    }
    let Some(raw) = ctx.raw else { return };
    match ctx.encoding {
        Some(Encoding::Ascii) => {
            if let Some(pos) = raw.iter().position(|&b| b >= 0x80) {
                out.push(Violation::new(
                    Rule::NonAscii,
                    FieldRef::Wire,
                    "ASCII bytes only",
                    format!("byte 0x{:02X} at offset {pos}", raw[pos]),
                ));
            }
        }
        Some(Encoding::Utf8) => {
            if let Err(e) = std::str::from_utf8(raw) {
                out.push(Violation::new(
                    Rule::InvalidEncoding,
                    FieldRef::Wire,
                    "valid UTF-8",
                    format!("invalid byte at offset {}", e.valid_up_to()),
                ));
            }
        }
        _ => {}
    }
}

fn lint_trailer(
    msg: &Message,
    text: &str,
    ctx: &Context,
    out: &mut Vec<Violation>,
) -> ChecksumStatus {
    let raw = ctx.raw.unwrap_or(text.as_bytes());
    // The parser decides whether there is a trailer ("...|BDAZO:z|" ends in data, not AZ).
    let status = match msg.trailer {
        Some(_) => checksum::inspect(raw, text),
        None => ChecksumStatus::absent(),
    };
    let resend =
        msg.code == MessageCode::REQUEST_SC_RESEND || msg.code == MessageCode::REQUEST_ACS_RESEND;
    let expected = || {
        status
            .expected
            .map_or_else(String::new, |e| format!("{e:04X}"))
    };
    let actual = || {
        msg.trailer
            .as_ref()
            .map_or_else(String::new, |t| t.checksum.to_string())
    };
    match (status.valid, status.basis) {
        (Some(false), basis) => {
            let how = match basis {
                Some(Basis::Bytes) | None => String::new(),
                Some(b) => format!(" (the sender summed {}, not the bytes sent)", b.as_str()),
            };
            let got = format!("{}{how}", actual());
            out.push(Violation::new(
                Rule::Checksum,
                FieldRef::Field(FieldId::AZ),
                expected(),
                got,
            ));
        }
        (Some(true), _) if status.lowercase => {
            out.push(Violation::new(
                Rule::ChecksumCase,
                FieldRef::Field(FieldId::AZ),
                expected(),
                actual(),
            ));
        }
        _ => {}
    }
    if ctx.error_detection && !status.present {
        out.push(Violation::new(
            Rule::ChecksumMissing,
            FieldRef::Field(FieldId::AZ),
            "AZ and 4 hex digits (error detection is on)",
            "no trailer",
        ));
    }
    let seq = msg.trailer.as_ref().and_then(|t| t.seq);
    if resend {
        if seq.is_some() {
            out.push(Violation::new(
                Rule::Sequence,
                FieldRef::Field(FieldId::AY),
                format!("no AY in {}", msg.code),
                "AY present",
            ));
        }
    } else if let Some(req) = ctx
        .request
        .filter(|r| r.code != MessageCode::REQUEST_ACS_RESEND)
    {
        match (req.seq, seq) {
            (Some(want), got) if got != Some(want) => out.push(Violation::new(
                Rule::Sequence,
                FieldRef::Field(FieldId::AY),
                format!("AY{want} (the request's)"),
                got.map_or("no AY".to_string(), |g| format!("AY{g}")),
            )),
            (None, Some(got)) => out.push(Violation::new(
                Rule::SequenceUnexpected,
                FieldRef::Field(FieldId::AY),
                "no AY (the request had none)",
                format!("AY{got}"),
            )),
            _ => {}
        }
    }
    status
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
