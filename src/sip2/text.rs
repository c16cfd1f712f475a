//! Character encodings SIP2 peers use (field-notes P5): UTF-8, ASCII, ISO-8859-1,
//! Windows-1252 and code page 850 (the spec's default). Pure conversions, no I/O.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// A character encoding for the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 (pysip2, invenio, many Koha sites).
    #[default]
    Utf8,
    /// 7-bit ASCII (Evergreen's default).
    Ascii,
    /// ISO-8859-1.
    Latin1,
    /// Windows-1252.
    Cp1252,
    /// IBM code page 850 (the spec's default; FOLIO's default).
    Cp850,
}

/// A character that the chosen encoding cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("character {ch:?} (U+{code:04X}) at position {pos} cannot be encoded in {encoding}")]
pub struct Unencodable {
    /// The character.
    pub ch: char,
    /// Its code point.
    pub code: u32,
    /// Its character position in the text.
    pub pos: usize,
    /// The encoding.
    pub encoding: Encoding,
}

impl Encoding {
    /// Every encoding, for help texts.
    pub const ALL: [Encoding; 5] = [
        Encoding::Utf8,
        Encoding::Ascii,
        Encoding::Latin1,
        Encoding::Cp1252,
        Encoding::Cp850,
    ];

    /// Stable name: utf-8, ascii, latin1, cp1252, cp850.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Ascii => "ascii",
            Encoding::Latin1 => "latin1",
            Encoding::Cp1252 => "cp1252",
            Encoding::Cp850 => "cp850",
        }
    }

    /// Encodes `text`, replacing what cannot be represented by `?`.
    pub fn encode(self, text: &str) -> Cow<'_, [u8]> {
        if text.is_ascii() {
            return Cow::Borrowed(text.as_bytes());
        }
        match self {
            Encoding::Utf8 => Cow::Borrowed(text.as_bytes()),
            _ => Cow::Owned(
                text.chars()
                    .map(|c| self.encode_char(c).unwrap_or(b'?'))
                    .collect(),
            ),
        }
    }

    /// [`Encoding::encode`] of an owned text, reusing its buffer when the bytes are the same
    /// (ASCII, or UTF-8): the emulator encodes every response this way.
    pub fn encode_owned(self, text: String) -> Vec<u8> {
        let converted = match self.encode(&text) {
            Cow::Owned(bytes) => Some(bytes),
            Cow::Borrowed(_) => None,
        };
        converted.unwrap_or_else(|| text.into_bytes())
    }

    /// Encodes `text`, failing on the first character the encoding lacks.
    pub fn encode_checked(self, text: &str) -> Result<Cow<'_, [u8]>, Unencodable> {
        if text.is_ascii() || self == Encoding::Utf8 {
            return Ok(Cow::Borrowed(text.as_bytes()));
        }
        let mut out = Vec::with_capacity(text.len());
        for (pos, c) in text.chars().enumerate() {
            match self.encode_char(c) {
                Some(b) => out.push(b),
                None => {
                    return Err(Unencodable {
                        ch: c,
                        code: c as u32,
                        pos,
                        encoding: self,
                    });
                }
            }
        }
        Ok(Cow::Owned(out))
    }

    fn encode_char(self, c: char) -> Option<u8> {
        if c.is_ascii() {
            return Some(c as u8);
        }
        match self {
            Encoding::Utf8 | Encoding::Ascii => None,
            Encoding::Latin1 => u8::try_from(c as u32).ok(),
            Encoding::Cp1252 => {
                let mut buf = [0u8; 4];
                let s = c.encode_utf8(&mut buf);
                let (bytes, _, bad) = encoding_rs::WINDOWS_1252.encode(s);
                if bad { None } else { bytes.first().copied() }
            }
            Encoding::Cp850 => oem_cp::code_table::ENCODING_TABLE_CP850.get(&c).copied(),
        }
    }

    /// Decodes `bytes`; the flag is true when some bytes were not valid in this encoding
    /// (invalid UTF-8, or bytes >= 0x80 in ASCII) and were replaced.
    pub fn decode(self, bytes: &[u8]) -> (Cow<'_, str>, bool) {
        if bytes.is_ascii() {
            // ASCII is valid in every encoding here, so no copy is needed.
            return (
                Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default()),
                false,
            );
        }
        match self {
            Encoding::Utf8 => match String::from_utf8_lossy(bytes) {
                Cow::Borrowed(s) => (Cow::Borrowed(s), false),
                Cow::Owned(s) => (Cow::Owned(s), true),
            },
            Encoding::Ascii => {
                let s = bytes
                    .iter()
                    .map(|&b| {
                        if b.is_ascii() {
                            b as char
                        } else {
                            char::REPLACEMENT_CHARACTER
                        }
                    })
                    .collect();
                (Cow::Owned(s), true)
            }
            Encoding::Latin1 => (
                Cow::Owned(bytes.iter().map(|&b| b as char).collect()),
                false,
            ),
            Encoding::Cp1252 => {
                let (s, bad) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                (Cow::Owned(s.into_owned()), bad)
            }
            Encoding::Cp850 => (
                Cow::Owned(oem_cp::decode_string_complete_table(
                    bytes,
                    &oem_cp::code_table::DECODING_TABLE_CP850,
                )),
                false,
            ),
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Encoding {
    /// Every name `parse` accepts (in any case, `_` read as `-`) and its encoding.
    pub const NAMES: [(&'static str, Encoding); 13] = [
        ("utf-8", Encoding::Utf8),
        ("utf8", Encoding::Utf8),
        ("ascii", Encoding::Ascii),
        ("us-ascii", Encoding::Ascii),
        ("latin1", Encoding::Latin1),
        ("latin-1", Encoding::Latin1),
        ("iso-8859-1", Encoding::Latin1),
        ("iso8859-1", Encoding::Latin1),
        ("cp1252", Encoding::Cp1252),
        ("windows-1252", Encoding::Cp1252),
        ("cp850", Encoding::Cp850),
        ("ibm850", Encoding::Cp850),
        ("ibm-850", Encoding::Cp850),
    ];
}

impl FromStr for Encoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.to_ascii_lowercase().replace('_', "-");
        Encoding::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| *e)
            .ok_or_else(|| {
                format!("unknown encoding {name:?}; use one of utf-8, ascii, latin1, cp1252, cp850")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_owned_gives_the_same_bytes_as_encode() {
        for (enc, text) in [
            (Encoding::Utf8, "c\u{e1}liz"),
            (Encoding::Latin1, "c\u{e1}liz"),
            (Encoding::Cp850, "c\u{e1}liz"),
            (Encoding::Ascii, "plain"),
        ] {
            assert_eq!(
                enc.encode_owned(text.to_string()),
                enc.encode(text).into_owned(),
                "{enc:?}"
            );
        }
    }

    #[test]
    fn round_trips_diacritics_in_every_8bit_encoding() {
        let title = "Harry Potter y el cáliz de fuego";
        for enc in [
            Encoding::Utf8,
            Encoding::Latin1,
            Encoding::Cp1252,
            Encoding::Cp850,
        ] {
            let bytes = enc.encode_checked(title).unwrap();
            let (back, bad) = enc.decode(&bytes);
            assert_eq!((back.as_ref(), bad), (title, false), "{enc}");
        }
    }

    #[test]
    fn distinct_bytes_per_encoding() {
        assert_eq!(Encoding::Latin1.encode("á").as_ref(), &[0xE1]);
        assert_eq!(Encoding::Cp850.encode("á").as_ref(), &[0xA0]);
        assert_eq!(Encoding::Cp1252.encode("€").as_ref(), &[0x80]);
        assert_eq!(Encoding::Ascii.encode("á").as_ref(), b"?");
    }

    #[test]
    fn ascii_refuses_and_flags_high_bytes() {
        let err = Encoding::Ascii.encode_checked("cáliz").unwrap_err();
        assert_eq!((err.ch, err.pos), ('á', 1));
        assert!(Encoding::Ascii.decode(&[b'a', 0xE1]).1);
        assert!(Encoding::Utf8.decode(&[b'a', 0xE1]).1);
    }

    #[test]
    fn names_parse() {
        for enc in Encoding::ALL {
            assert_eq!(enc.as_str().parse::<Encoding>(), Ok(enc));
        }
        assert_eq!("IBM850".parse::<Encoding>(), Ok(Encoding::Cp850));
        assert!("ebcdic".parse::<Encoding>().is_err());
    }
}
