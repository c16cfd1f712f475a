//! Text that is safe everywhere: control characters made visible (so a transcript shows the
//! exact bytes and every XML file stays valid), and transcript lines with masking applied.

use std::fmt::Write;

use crate::check::Captured;
use crate::runner::result::Wire;
use crate::scenario::CaptureSource;
use crate::sip2::redact::{MASK, Redaction};

/// `s` with CR as `<CR>`, LF as `<LF>`, and other control characters (C0, DEL, C1) as `<0xNN>`.
pub fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\r' => out.push_str("<CR>"),
            '\n' => out.push_str("<LF>"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                let _ = write!(out, "<0x{:02X}>", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Like [`printable`] but keeps line breaks (for multi-line report bodies).
pub fn printable_lines(s: &str) -> String {
    s.split('\n').map(printable).collect::<Vec<_>>().join("\n")
}

/// A message as a transcript line: masked, control characters visible, terminator shown.
pub fn wire_line(w: &Wire, redaction: Redaction) -> String {
    let mut out = String::new();
    if w.leading_lf {
        out.push_str("<LF>");
    }
    out.push_str(&printable(&redaction.apply(&w.text)));
    if let Some(t) = w.terminator {
        out.push_str(match t {
            crate::sip2::Terminator::Cr => "<CR>",
            crate::sip2::Terminator::CrLf => "<CR><LF>",
            crate::sip2::Terminator::Lf => "<LF>",
        });
    }
    out
}

/// A captured value as reports show it: masked when its field is.
pub fn captured_value(c: &Captured, redaction: Redaction) -> String {
    match c.source {
        CaptureSource::Field(id) if redaction.masks(id) => MASK.to_string(),
        _ => printable(&c.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip2::Terminator;

    #[test]
    fn control_characters_become_visible_and_unicode_stays() {
        assert_eq!(
            printable("a\rb\n\u{0}c\u{7f}\u{85}é"),
            "a<CR>b<LF><0x00>c<0x7F><0x85>é"
        );
        assert_eq!(printable_lines("a\u{1}\nb"), "a<0x01>\nb");
    }

    #[test]
    fn wire_lines_are_masked() {
        let w = Wire {
            text: "9300CNsip_01|COsecret|CPBR1|".into(),
            terminator: Some(Terminator::CrLf),
            leading_lf: false,
        };
        assert_eq!(
            wire_line(&w, Redaction::Secrets),
            "9300CNsip_01|CO***|CPBR1|<CR><LF>"
        );
    }
}
