//! The encoder: writes exactly the spec's bytes, and adds AY/AZ on request.

use super::checksum;
use super::code::FieldId;
use super::message::Message;
use super::spec::MessageSpec;
use super::text::{Encoding, Unencodable};

/// Error detection for one outgoing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Trailer {
    /// No AY/AZ.
    #[default]
    None,
    /// `AZ<hhhh>` only (96 and 97).
    Checksum,
    /// `AY<d>AZ<hhhh>`.
    Sequenced(u8),
}

/// Writes the message as text: code, fixed part, each tagged field with its delimiter, then
/// the trailer it already carries (so a parsed message re-encodes byte for byte).
pub fn encode(msg: &Message) -> String {
    let mut out = String::with_capacity(
        2 + msg.fixed.len() + msg.fields.iter().map(|f| f.value.len() + 3).sum::<usize>() + 9,
    );
    write_body(msg, &mut out);
    if let Some(t) = &msg.trailer {
        if let Some(seq) = t.seq {
            out.push_str("AY");
            out.push(char::from(b'0' + seq % 10));
        }
        out.push_str("AZ");
        out.push_str(&t.checksum);
    }
    out
}

fn write_body(msg: &Message, out: &mut String) {
    out.push_str(msg.code.as_str());
    out.push_str(&msg.fixed);
    for f in &msg.fields {
        out.push_str(f.id.as_str());
        out.push_str(&f.value);
        out.push('|');
    }
}

/// The bytes to send, without terminator: the body in `encoding`, then a fresh trailer computed
/// over those encoded bytes (any trailer the message carried is replaced).
pub fn to_wire(
    msg: &Message,
    encoding: Encoding,
    trailer: Trailer,
) -> Result<Vec<u8>, Unencodable> {
    let mut text = String::new();
    write_body(msg, &mut text);
    let mut bytes = encoding.encode_checked(&text)?.into_owned();
    match trailer {
        Trailer::None => {}
        Trailer::Checksum => checksum::append_trailer(&mut bytes, None),
        Trailer::Sequenced(seq) => checksum::append_trailer(&mut bytes, Some(seq)),
    }
    Ok(bytes)
}

/// A fixed part that cannot be built from the given values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// A name that is not a fixed field of the message.
    #[error("{message} has no fixed field {name:?}; its fixed fields are: {known}")]
    UnknownField {
        /// The message's name.
        message: &'static str,
        /// The name given.
        name: String,
        /// The names it has.
        known: String,
    },
    /// A value of the wrong length.
    #[error("fixed field {name:?} of {message} takes {len} characters, got {value:?} ({got})")]
    WrongLength {
        /// The message's name.
        message: &'static str,
        /// The field.
        name: &'static str,
        /// Its length.
        len: usize,
        /// The value given.
        value: String,
        /// Its length.
        got: usize,
    },
    /// A fixed field with no value.
    #[error("fixed field {name:?} of {message} needs a value ({kind})")]
    Missing {
        /// The message's name.
        message: &'static str,
        /// The field.
        name: &'static str,
        /// What it takes.
        kind: String,
    },
}

/// Builds a fixed part from `(key, value)` pairs; every fixed field must be given once, at its length.
pub fn fixed_part<'v>(
    spec: &MessageSpec,
    values: impl IntoIterator<Item = (&'v str, &'v str)>,
) -> Result<String, BuildError> {
    let mut slots: Vec<Option<&str>> = vec![None; spec.fixed.len()];
    for (name, value) in values {
        let Some(i) = spec
            .fixed
            .iter()
            .position(|f| f.key == name || f.name.eq_ignore_ascii_case(name))
        else {
            return Err(BuildError::UnknownField {
                message: spec.name,
                name: name.to_string(),
                known: spec
                    .fixed
                    .iter()
                    .map(|f| f.key)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let f = &spec.fixed[i];
        if value.chars().count() != f.len {
            return Err(BuildError::WrongLength {
                message: spec.name,
                name: f.key,
                len: f.len,
                value: value.to_string(),
                got: value.chars().count(),
            });
        }
        slots[i] = Some(value);
    }
    let mut out = String::with_capacity(spec.fixed_len());
    for (f, slot) in spec.fixed.iter().zip(slots) {
        match slot {
            Some(v) => out.push_str(v),
            None => {
                return Err(BuildError::Missing {
                    message: spec.name,
                    name: f.key,
                    kind: f.kind.describe(),
                });
            }
        }
    }
    Ok(out)
}

/// Orders `fields` as the spec's template does (unlisted fields last, repeats kept in order);
/// the emulator uses it for its default field order.
pub fn spec_order(spec: &MessageSpec, msg: &mut Message) {
    let rank = |id: FieldId| {
        spec.fields
            .iter()
            .position(|u| u.id == id)
            .unwrap_or(usize::MAX)
    };
    msg.fields.sort_by_key(|f| rank(f.id));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip2::{MessageCode, parse, spec};

    #[test]
    fn to_wire_adds_a_checksum_over_encoded_bytes() {
        let msg = Message::new(MessageCode::LOGIN_RESPONSE, "1");
        assert_eq!(
            to_wire(&msg, Encoding::Ascii, Trailer::Sequenced(0)).unwrap(),
            b"941AY0AZFDFD"
        );
        let msg = Message::new(MessageCode::REQUEST_ACS_RESEND, "");
        assert_eq!(
            to_wire(&msg, Encoding::Ascii, Trailer::Checksum).unwrap(),
            b"97AZFEF5"
        );
        let msg =
            Message::new(MessageCode::ITEM_INFORMATION_RESPONSE, "").with(FieldId::AJ, "cáliz");
        let latin1 = to_wire(&msg, Encoding::Latin1, Trailer::Sequenced(1)).unwrap();
        assert!(latin1.contains(&0xE1));
        let text = Encoding::Latin1.decode(&latin1).0.into_owned();
        assert_eq!(
            crate::sip2::checksum::inspect(&latin1, &text).valid,
            Some(true)
        );
    }

    #[test]
    fn ascii_refuses_what_it_cannot_carry() {
        let msg =
            Message::new(MessageCode::ITEM_INFORMATION_RESPONSE, "").with(FieldId::AJ, "cáliz");
        assert!(to_wire(&msg, Encoding::Ascii, Trailer::None).is_err());
    }

    #[test]
    fn fixed_part_builds_in_spec_order_and_explains_mistakes() {
        let s = spec::message(MessageCode::LOGIN).unwrap();
        assert_eq!(
            fixed_part(s, [("pwd_algorithm", "0"), ("uid_algorithm", "0")]).unwrap(),
            "00"
        );
        assert!(matches!(
            fixed_part(s, [("uid_algorithm", "00")]),
            Err(BuildError::WrongLength { .. })
        ));
        assert!(matches!(
            fixed_part(s, [("uid_algorithm", "0")]),
            Err(BuildError::Missing {
                name: "pwd_algorithm",
                ..
            })
        ));
        let e = fixed_part(s, [("nope", "0")]).unwrap_err().to_string();
        assert!(e.contains("uid_algorithm, pwd_algorithm"), "{e}");
    }

    #[test]
    fn encode_is_the_inverse_of_parse() {
        let text =
            "24              00120260101    084237AEJane|AOBR1|AAp1|AFone|AFtwo|ZZx|AY3AZE000";
        assert_eq!(encode(&parse(text).unwrap().msg), text);
    }
}
