//! Masking a message's bytes in place: the values of the fields [`Redaction`] masks become
//! [`MASK`] and every other byte stays as it was sent, so a transcript or a log excerpt still
//! shows each flaw of the message (a missing delimiter, a stray byte) that re-encoding would hide.

use std::borrow::Cow;

use crate::sip2::redact::{MASK, Redaction};
use crate::sip2::{FieldId, parse};

/// `raw` with the values of masked fields replaced by `***`. Bytes that do not parse as a
/// message (a stray byte in front, the head of an overlong message) are masked field by field
/// wherever a masked ID follows a `|`.
pub fn mask_wire(raw: &[u8], redaction: Redaction) -> Cow<'_, [u8]> {
    if redaction == Redaction::None {
        return Cow::Borrowed(raw);
    }
    // The structure (codes, IDs, '|') is ASCII in every encoding SIP2 uses, so an ASCII view with
    // one character per byte has the same field boundaries as the bytes themselves.
    let view: String = raw
        .iter()
        .map(|&b| if b.is_ascii() { char::from(b) } else { '?' })
        .collect();
    let Ok(parsed) = parse(&view) else {
        return mask_chunks(raw, redaction);
    };
    let base = view.as_ptr() as usize;
    let mut spans: Vec<(usize, usize)> = parsed
        .msg
        .fields
        .iter()
        .filter(|f| redaction.masks(f.id) && !f.value.is_empty())
        .filter_map(|f| match &f.value {
            // The parser borrows each value from its input: its address gives its offset.
            Cow::Borrowed(v) => {
                let start = (v.as_ptr() as usize).checked_sub(base)?;
                Some((start, start + v.len()))
            }
            Cow::Owned(_) => None,
        })
        .collect();
    if spans.is_empty() {
        return Cow::Borrowed(raw);
    }
    spans.sort_unstable();
    let mut out = Vec::with_capacity(raw.len());
    let mut at = 0;
    for (start, end) in spans {
        let (Some(keep), true) = (raw.get(at..start), end <= raw.len()) else {
            continue;
        };
        out.extend_from_slice(keep);
        out.extend_from_slice(MASK.as_bytes());
        at = end;
    }
    out.extend_from_slice(raw.get(at..).unwrap_or_default());
    Cow::Owned(out)
}

/// The fallback for bytes that are not a message: every `|`-separated chunk after the first
/// that starts with a masked field ID loses its value.
fn mask_chunks(raw: &[u8], redaction: Redaction) -> Cow<'_, [u8]> {
    let masked = |chunk: &[u8]| {
        chunk.len() > 2
            && chunk
                .get(..2)
                .and_then(|id| std::str::from_utf8(id).ok())
                .and_then(FieldId::parse)
                .is_some_and(|id| redaction.masks(id))
    };
    if !raw.split(|&b| b == b'|').skip(1).any(masked) {
        return Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    for (i, chunk) in raw.split(|&b| b == b'|').enumerate() {
        if i > 0 {
            out.push(b'|');
        }
        match chunk.get(..2) {
            Some(id) if i > 0 && masked(chunk) => {
                out.extend_from_slice(id);
                out.extend_from_slice(MASK.as_bytes());
            }
            _ => out.extend_from_slice(chunk),
        }
    }
    Cow::Owned(out)
}

/// True when a secret field's value reads as a mask (`***`, or `*` repeated as fsip2 writes it):
/// the log that held the message masked it, so its checksum can no longer be verified.
pub fn has_masked_secret(text: &str) -> bool {
    let Ok(parsed) = parse(text) else {
        return false;
    };
    parsed.msg.fields.iter().any(|f| {
        Redaction::Secrets.masks(f.id) && !f.value.is_empty() && f.value.bytes().all(|b| b == b'*')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_values_and_keeps_every_other_byte() {
        // The last field lacks its delimiter: re-encoding would add one, masking in place does not.
        let raw = b"9300CNsip_01|COs3cret|CPBR1";
        assert_eq!(
            &*mask_wire(raw, Redaction::Secrets),
            b"9300CNsip_01|CO***|CPBR1"
        );
        let latin1 = b"2300120260101    084237AOBR1|AA999999|AC|AD6789|AEJos\xE9|";
        let masked = mask_wire(latin1, Redaction::SecretsAndPersonal);
        assert_eq!(
            &*masked,
            b"2300120260101    084237AOBR1|AA999999|AC|AD***|AE***|".as_slice()
        );
        assert_eq!(&*mask_wire(latin1, Redaction::None), latin1.as_slice());
        assert_eq!(
            &*mask_wire(b"\x00garbage", Redaction::Secrets),
            b"\x00garbage"
        );
    }

    #[test]
    fn masked_secrets_are_recognised() {
        assert!(has_masked_secret("9300CNterm|CO***|CPBR1|"));
        assert!(has_masked_secret("9300CNterm|CO******|CPBR1|"));
        assert!(!has_masked_secret("9300CNterm|COpw|CPBR1|"));
        assert!(!has_masked_secret("9300CNterm|CO|CPBR1|"));
    }
}
