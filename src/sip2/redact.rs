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

    /// Masks the values of fields in a message text, leaving its layout (and the empty values) intact.
    /// Text that does not parse as a message is returned unchanged.
    pub fn apply(self, text: &str) -> String {
        if self == Redaction::None {
            return text.to_string();
        }
        let Ok(parsed) = parse(text) else {
            return text.to_string();
        };
        if !parsed
            .msg
            .fields
            .iter()
            .any(|f| self.masks(f.id) && !f.value.is_empty())
        {
            return text.to_string();
        }
        let mut msg = parsed.msg;
        for f in msg
            .fields
            .iter_mut()
            .filter(|f| self.masks(f.id) && !f.value.is_empty())
        {
            f.value = MASK.into();
        }
        super::encode::encode(&msg)
    }
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
}
