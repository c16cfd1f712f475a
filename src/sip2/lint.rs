//! The linter: every deviation of a parsed message from the protocol table, as [`Violation`]s.
//!
//! Pure functions over a [`Message`] and a [`Context`] that says what the wire looked like
//! (bytes, terminator, declared encoding) and what the message answers (the request's code
//! and AY). Allocation-free when a message is clean.

use super::checksum::{self, Basis, ChecksumStatus};
use super::code::{FieldId, MessageCode};
use super::frame::Terminator;
use super::message::Message;
use super::spec::{self, Direction, FieldOrigin, Kind, MessageSpec};
use super::text::Encoding;
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
    match msg.spec() {
        Some(spec) => {
            lint_direction(spec, ctx, out);
            lint_fixed(msg, spec, out);
            lint_fields(msg, Some(spec), out);
            lint_counts(msg, spec, out);
        }
        None => {
            out.push(Violation::new(
                Rule::UnknownMessage,
                FieldRef::Message,
                "one of the 31 SIP2 2.00 message codes",
                msg.code.as_str(),
            ));
            lint_fields(msg, None, out);
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
            spec.code.as_str(),
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
            match (shaped, table.meaning(value).is_some(), table.closed) {
                (true, true, _) => Verdict::Ok,
                (true, false, false) => Verdict::UnknownCode,
                _ => Verdict::Bad,
            }
        }
        Kind::Flags(t) => {
            if value.len() != t.len || !value.bytes().all(|b| matches!(b, b'Y' | b' ' | b'N')) {
                Verdict::Bad
            } else if value.contains('N') {
                Verdict::FlagN
            } else {
                Verdict::Ok
            }
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

/// Is `value` an 18-character SIP date `YYYYMMDDZZZZHHMMSS` (strict: blanks or a zone letter in ZZZZ)?
pub fn is_date18(value: &str) -> bool {
    let [
        y0,
        y1,
        y2,
        y3,
        mo0,
        mo1,
        d0,
        d1,
        z0,
        z1,
        z2,
        z3,
        h0,
        h1,
        mi0,
        mi1,
        s0,
        s1,
    ] = value.as_bytes()
    else {
        return false;
    };
    let two = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
    [y0, y1, y2, y3, mo0, mo1, d0, d1, h0, h1, mi0, mi1, s0, s1]
        .iter()
        .all(|c| c.is_ascii_digit())
        && [*z0, *z1, *z2] == [b' '; 3]
        && (*z3 == b' ' || z3.is_ascii_uppercase())
        && (1..=12).contains(&two(*mo0, *mo1))
        && (1..=31).contains(&two(*d0, *d1))
        && two(*h0, *h1) < 24
        && two(*mi0, *mi1) < 60
        && two(*s0, *s1) < 61
}

fn lint_fixed(msg: &Message, spec: &MessageSpec, out: &mut Vec<Violation>) {
    let mut offset = 0;
    for f in spec.fixed {
        let Some(value) = msg.fixed.get(offset..offset + f.len) else {
            break;
        };
        offset += f.len;
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
    if spec.code == MessageCode::PATRON_INFORMATION
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

fn lint_fields(msg: &Message, spec: Option<&MessageSpec>, out: &mut Vec<Violation>) {
    // One bit per possible ID: repeats and required fields in one pass, no quadratic scans.
    let mut seen = spec::IdSet::default();
    for f in &msg.fields {
        let first = seen.insert(f.id);
        let usage = spec.and_then(|s| s.field_use(f.id));
        let registry = spec::field(f.id);
        let repeatable = usage.map_or_else(
            || registry.is_none() || spec::repeatable_anywhere(f.id),
            |u| u.repeatable,
        );
        if !first && !repeatable {
            out.push(Violation::new(
                Rule::RepeatedField,
                FieldRef::Field(f.id),
                "at most one occurrence",
                "repeated",
            ));
        }
        lint_value(f.id, &f.value, out);
        match registry {
            None => out.push(Violation::new(
                Rule::UnknownField,
                FieldRef::Field(f.id),
                "a standard or known extension field",
                f.id.as_str(),
            )),
            Some(reg) => {
                lint_known_field(f.id, &f.value, reg, usage.is_some() || spec.is_none(), out)
            }
        }
    }
    if let Some(spec) = spec {
        for u in spec
            .fields
            .iter()
            .filter(|u| u.required && !seen.contains(u.id))
        {
            out.push(Violation::new(
                Rule::RequiredField,
                FieldRef::Field(u.id),
                format!("{} ({})", u.id, spec::field_name(u.id)),
                "absent",
            ));
        }
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

/// Is there a byte < 0x20, 0x7F, '|' or >= 0x80? Eight bytes at a time (SWAR): this scan runs
/// over every value of every message, so it is on the linter's hot path.
fn has_special_byte(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(LO) & !x & HI != 0;
    let special = |w: u64| {
        // High bytes first: the "less than" test below is only exact for bytes < 0x80.
        w & HI != 0
            || w.wrapping_sub(LO * 0x20) & !w & HI != 0
            || has_zero(w ^ (LO * u64::from(b'|')))
            || has_zero(w ^ (LO * 0x7f))
    };
    let mut words = bytes.chunks_exact(8);
    let found = words.by_ref().any(|c| {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        special(u64::from_le_bytes(w))
    });
    found
        || words
            .remainder()
            .iter()
            .any(|&b| b < 0x20 || b == 0x7f || b == b'|' || b >= 0x80)
}

/// Checks a registry field: used where the spec lists it, and shaped as its kind says.
fn lint_known_field(
    id: FieldId,
    value: &str,
    reg: &spec::FieldSpec,
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
            [id.as_str(), " (", reg.name, ")"].concat(),
        ));
    }
    if id == FieldId::PA {
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
    let rule = match check_kind(&reg.kind, value) {
        Verdict::Ok => None,
        Verdict::Bad | Verdict::FlagN => Some(Rule::FieldFormat),
        Verdict::UnknownCode => Some(Rule::FieldCode),
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

fn lint_counts(msg: &Message, spec: &MessageSpec, out: &mut Vec<Violation>) {
    let renew_all = spec.code == MessageCode::RENEW_ALL_RESPONSE;
    if !renew_all && spec.code != MessageCode::PATRON_INFORMATION_RESPONSE {
        return;
    }
    let mut offset = 0;
    for f in spec.fixed {
        let value = msg.fixed.get(offset..offset + f.len);
        offset += f.len;
        // 66 must list exactly its counts; 64 lists at most its counts (BP/BQ may window the list).
        let list = if renew_all {
            [
                ("renewed_count", FieldId::BM),
                ("unrenewed_count", FieldId::BN),
            ]
            .into_iter()
            .find(|(key, _)| *key == f.key)
            .map(|(_, id)| id)
        } else {
            spec::ITEM_LISTS
                .iter()
                .find(|l| l.count == f.key)
                .map(|l| l.field)
        };
        let (Some(id), Some(count)) = (list, value.and_then(|c| c.parse::<usize>().ok())) else {
            continue;
        };
        let sent = msg.field_all(id).count();
        if sent > count || (renew_all && sent != count) {
            let expected = if renew_all {
                format!("{sent}")
            } else {
                format!("at least {sent}")
            };
            out.push(Violation::new(
                Rule::ItemCount,
                FieldRef::Fixed(f.key),
                format!("{expected} ({sent} {id} fields sent)"),
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
