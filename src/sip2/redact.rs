//! Masking of passwords and patron personal data, driven by the table's `secret` and
//! `personal` flags, so every transcript and report masks the same fields.

use super::code::FieldId;
use super::parse::parse;
use super::spec;

/// What to mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redaction {
    /// Nothing (for debugging one's own test server).
    None,
    /// Passwords only (AC, AD, CO).
    Secrets,
    /// Passwords and patron personal data (AE, BD, BE, BF, PB): the default.
    SecretsAndPersonal,
}

/// The mask written in place of a value.
pub const MASK: &str = "***";

impl Redaction {
    /// Should field `id` be masked?
    pub fn masks(self, id: FieldId) -> bool {
        let Some(f) = spec::field(id) else {
            return false;
        };
        match self {
            Redaction::None => false,
            Redaction::Secrets => f.secret,
            Redaction::SecretsAndPersonal => f.secret || f.personal,
        }
    }

    /// Masks the values of fields in a message text. Only the values change: every other byte
    /// (delimiters, a missing delimiter, a malformed field, the trailer) stays as it was sent,
    /// and empty values stay empty. See [`Redaction::apply_bytes`] for what counts as a value.
    pub fn apply(self, text: &str) -> String {
        match self.apply_bytes(text.as_bytes()) {
            // Values start after an ASCII ID and end at an ASCII '|', the trailer or the end, so
            // the cuts fall on character boundaries and the result is still UTF-8.
            std::borrow::Cow::Owned(b) => String::from_utf8(b)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            std::borrow::Cow::Borrowed(_) => text.to_string(),
        }
    }

    /// `raw` (one message's bytes, in any encoding SIP2 uses) with the values of masked fields
    /// replaced by [`MASK`], every other byte as it was. A value is what the parser reads as a
    /// field's value, and also every `|`-separated chunk that starts with a masked field ID
    /// (less a trailer at the very end): bytes that do not parse as intended (a stray byte in
    /// front shifts the fixed part over the fields) still lose their secrets.
    pub fn apply_bytes(self, raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
        if self == Redaction::None {
            return std::borrow::Cow::Borrowed(raw);
        }
        // The structure (codes, IDs, '|') is ASCII in every encoding SIP2 uses, so an ASCII view
        // with one character per byte has the same field boundaries as the bytes themselves.
        let view: String = raw
            .iter()
            .map(|&b| if b.is_ascii() { char::from(b) } else { '?' })
            .collect();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        if let Ok(parsed) = parse(&view) {
            for f in parsed.msg.fields.iter().filter(|f| self.masks(f.id)) {
                if let Some(start) = offset_in(&view, &f.value) {
                    spans.push((start, start + f.value.len()));
                }
            }
        }
        spans.extend(self.chunk_spans(&view));
        spans.retain(|(a, b)| a < b);
        if spans.is_empty() {
            return std::borrow::Cow::Borrowed(raw);
        }
        spans.sort_unstable();
        let mut out = Vec::with_capacity(raw.len());
        let mut at = 0;
        for (start, end) in spans {
            let start = start.max(at);
            if start >= end {
                continue;
            }
            out.extend_from_slice(raw.get(at..start).unwrap_or_default());
            out.extend_from_slice(MASK.as_bytes());
            at = end;
        }
        out.extend_from_slice(raw.get(at..).unwrap_or_default());
        std::borrow::Cow::Owned(out)
    }

    /// The value spans of every chunk after a `|` that starts with a masked field ID.
    fn chunk_spans(self, view: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut at = 0;
        let mut chunks = view.split('|').peekable();
        let mut first = true;
        while let Some(chunk) = chunks.next() {
            let last = chunks.peek().is_none();
            let masked = !first
                && chunk
                    .get(..2)
                    .and_then(FieldId::parse)
                    .is_some_and(|id| self.masks(id));
            if masked {
                let end = if last {
                    trailer_start(chunk)
                } else {
                    chunk.len()
                };
                spans.push((at + 2, at + end.max(2)));
            }
            first = false;
            at += chunk.len() + 1;
        }
        spans
    }
}

/// Where a trailer (`AY<d>AZ<hhhh>` or `AZ<hhhh>`) at the end of `chunk` starts, else its length.
fn trailer_start(chunk: &str) -> usize {
    let b = chunk.as_bytes();
    let hex = |s: &[u8]| s.len() == 4 && s.iter().all(u8::is_ascii_hexdigit);
    let n = b.len();
    if n >= 9
        && b[n - 9..n - 7] == *b"AY"
        && b[n - 7].is_ascii_digit()
        && b[n - 6..n - 4] == *b"AZ"
        && hex(&b[n - 4..])
    {
        return n - 9;
    }
    if n >= 6 && b[n - 6..n - 4] == *b"AZ" && hex(&b[n - 4..]) {
        return n - 6;
    }
    n
}

/// Where `part`, a slice borrowed from `text`, starts in it.
fn offset_in(text: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    (start + part.len() <= text.len() && text.get(start..start + part.len()) == Some(part))
        .then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords_and_personal_data() {
        let login = "9300CNsip_01|COsecret|CPBR1|";
        assert_eq!(Redaction::Secrets.apply(login), "9300CNsip_01|CO***|CPBR1|");
        let status =
            "24              00120260101    084237AOBR1|AA999999|AEDavid J. Fiander|AD6789|AC|";
        let masked = Redaction::SecretsAndPersonal.apply(status);
        assert!(
            !masked.contains("6789") && !masked.contains("Fiander"),
            "{masked}"
        );
        assert!(masked.contains("AC|"), "empty values stay empty: {masked}");
        assert!(Redaction::Secrets.apply(status).contains("Fiander"));
        assert_eq!(Redaction::None.apply(login), login);
    }

    #[test]
    fn only_values_change_never_a_delimiter_or_the_trailer() {
        for (sent, masked) in [
            // The last field lacks its delimiter: none is added.
            ("9300CNu|COpass", "9300CNu|CO***"),
            (
                "9300CNu|COpass|CPx|AY1AZF000",
                "9300CNu|CO***|CPx|AY1AZF000",
            ),
            ("9300CNu|COpassAY1AZF000", "9300CNu|CO***AY1AZF000"),
            // An empty chunk and a malformed field are kept as sent.
            ("9300CNu||COpass|x|", "9300CNu||CO***|x|"),
            (
                "2300120260101    084237AOBR1|AA1|AC|AD6789|AD6789|",
                "2300120260101    084237AOBR1|AA1|AC|AD***|AD***|",
            ),
        ] {
            assert_eq!(Redaction::Secrets.apply(sent), masked, "{sent}");
        }
    }

    #[test]
    fn masks_values_and_keeps_every_other_byte() {
        // The last field lacks its delimiter: re-encoding would add one, masking in place does not.
        let raw = b"9300CNsip_01|COs3cret|CPBR1";
        assert_eq!(
            &*Redaction::Secrets.apply_bytes(raw),
            b"9300CNsip_01|CO***|CPBR1"
        );
        let latin1 = b"2300120260101    084237AOBR1|AA999999|AC|AD6789|AEJos\xE9|";
        let masked = Redaction::SecretsAndPersonal.apply_bytes(latin1);
        assert_eq!(
            &*masked,
            b"2300120260101    084237AOBR1|AA999999|AC|AD***|AE***|".as_slice()
        );
        assert_eq!(&*Redaction::None.apply_bytes(latin1), latin1.as_slice());
        assert_eq!(
            &*Redaction::Secrets.apply_bytes(b"\x00garbage"),
            b"\x00garbage"
        );
    }

    #[test]
    fn a_secret_the_parser_misses_is_still_masked() {
        // A stray byte in front: "09" parses as a checkin whose fixed part swallows the fields.
        let shifted = "09300CNa|COsecret|CPx|";
        assert_eq!(Redaction::Secrets.apply(shifted), "09300CNa|CO***|CPx|");
        assert_eq!(
            Redaction::Secrets
                .apply_bytes(b"x9300CNa|COsecret|AY1AZF000")
                .as_ref(),
            b"x9300CNa|CO***|AY1AZF000"
        );
        assert_eq!(
            Redaction::Secrets.apply("no message|COpw"),
            "no message|CO***"
        );
    }
}
