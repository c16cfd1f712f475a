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
    /// and empty values stay empty. Text that does not parse as a message is returned unchanged.
    pub fn apply(self, text: &str) -> String {
        if self == Redaction::None {
            return text.to_string();
        }
        let Ok(parsed) = parse(text) else {
            return text.to_string();
        };
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for f in parsed
            .msg
            .fields
            .iter()
            .filter(|f| self.masks(f.id) && !f.value.is_empty())
        {
            match offset_in(text, &f.value) {
                Some(start) => spans.push((start, start + f.value.len())),
                // The parser borrows every value from `text`; should one not be found, mask the
                // re-encoded message rather than show a secret.
                None => return self.reencoded(parsed.msg),
            }
        }
        if spans.is_empty() {
            return text.to_string();
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in spans {
            out.push_str(text.get(at..start).unwrap_or_default());
            out.push_str(MASK);
            at = end;
        }
        out.push_str(text.get(at..).unwrap_or_default());
        out
    }

    fn reencoded(self, mut msg: super::Message<'_>) -> String {
        for f in msg.fields.iter_mut().filter(|f| self.masks(f.id)) {
            if !f.value.is_empty() {
                f.value = MASK.into();
            }
        }
        super::encode::encode(&msg)
    }
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
}
