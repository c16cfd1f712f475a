//! Masks already in a log: a secret the log itself masked (Koha's `***`, fsip2's `****`) means
//! the message's checksum can no longer be verified. Masking for output is
//! [`Redaction::apply_bytes`], one pass for every report.

use crate::sip2::parse;
use crate::sip2::redact::Redaction;

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
    fn masked_secrets_are_recognised() {
        assert!(has_masked_secret("9300CNterm|CO***|CPBR1|"));
        assert!(has_masked_secret("9300CNterm|CO******|CPBR1|"));
        assert!(!has_masked_secret("9300CNterm|COpw|CPBR1|"));
        assert!(!has_masked_secret("9300CNterm|CO|CPBR1|"));
    }
}
