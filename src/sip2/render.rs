//! The pretty-printer: a message field by field, with names and code meanings from the table.

use std::fmt::Write;

use super::code::FieldId;
use super::message::Message;
use super::spec::{self, Kind};
use super::violation::Violation;

/// Renders `msg` as indented lines: the header, each fixed field, each tagged field, the trailer.
pub fn render(msg: &Message) -> String {
    let mut out = String::new();
    match msg.spec() {
        Some(s) => {
            let _ = writeln!(out, "{} {}: {}", s.code, s.name, s.direction.describe());
        }
        None => {
            let _ = writeln!(out, "{} (unknown message code)", msg.code);
        }
    }
    let fixed = msg.fixed_fields();
    if fixed.is_empty() && !msg.fixed.is_empty() {
        let _ = writeln!(out, "  {:<28} {:?}", "fixed part", msg.fixed);
    }
    for (f, value) in fixed {
        let shown = value.map_or("(missing)".to_string(), |v| format!("{v:?}"));
        let meaning = value.map(|v| meaning(&f.kind, v)).unwrap_or_default();
        let _ = writeln!(out, "  {:<28} {shown}{meaning}", f.name);
    }
    for field in &msg.fields {
        let name = spec::field_name(field.id);
        let meaning = spec::field(field.id)
            .map(|s| meaning(&s.kind, &field.value))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {:<25} {:?}{meaning}",
            field.id, name, field.value
        );
    }
    if let Some(t) = &msg.trailer {
        if let Some(seq) = t.seq {
            let _ = writeln!(out, "  AY {:<25} {seq}", spec::field_name(FieldId::AY));
        }
        let _ = writeln!(
            out,
            "  AZ {:<25} {}",
            spec::field_name(FieldId::AZ),
            t.checksum
        );
    }
    out
}

/// Shows wire bytes readably: printable ASCII as is, CR as `<CR>`, LF as `<LF>`, other bytes
/// as `<0xNN>` (so the exact bytes can be read back from a transcript, and XML stays valid).
pub fn escape_wire(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 8);
    for &b in bytes {
        match b {
            b'\r' => out.push_str("<CR>"),
            b'\n' => out.push_str("<LF>"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "<0x{b:02X}>");
            }
        }
    }
    out
}

/// Renders violations one per line, indented, most severe first.
pub fn render_violations(violations: &[Violation]) -> String {
    let mut sorted: Vec<&Violation> = violations.iter().collect();
    sorted.sort_by_key(|v| std::cmp::Reverse(v.severity));
    sorted.iter().fold(String::new(), |mut out, v| {
        let _ = writeln!(out, "  {v}");
        out
    })
}

/// "  (meaning)" for coded values, or the names of the flags set.
fn meaning(kind: &Kind, value: &str) -> String {
    match kind {
        Kind::Code(table) => table
            .meaning(value)
            .map(|m| format!("  ({m})"))
            .unwrap_or_default(),
        Kind::Flags(t) | Kind::Supported(t) => {
            let set: Vec<&str> = value
                .bytes()
                .zip(t.positions)
                .filter(|(b, _)| *b == b'Y')
                .map(|(_, name)| *name)
                .collect();
            if matches!(kind, Kind::Supported(_)) {
                format!("  ({} of {} supported)", set.len(), t.positions.len())
            } else if set.is_empty() {
                "  (none set)".to_string()
            } else {
                format!("  ({})", set.join("; "))
            }
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip2::parse;

    #[test]
    fn wire_bytes_are_escaped() {
        assert_eq!(escape_wire(b"941\r\n"), "941<CR><LF>");
        assert_eq!(escape_wire(&[b'a', 0xE1, 0]), "a<0xE1><0x00>");
    }

    #[test]
    fn names_every_part() {
        let p = parse("64Y             00120260101    0842370000000000010000000000000AOBR1|AAp1|AEJane|AUbook|CK001|AY1AZE000").unwrap();
        let text = render(&p.msg);
        for want in [
            "64 Patron Information Response",
            "patron status",
            "(charge privileges denied)",
            "(English)",
            "charged items count          \"0001\"",
            "AO institution id",
            "AU charged items",
            "AZ checksum",
        ] {
            assert!(text.contains(want), "{want:?} not in\n{text}");
        }
    }
}
