//! Open newtypes for the two wire codes: a message code and a field ID.
//!
//! Unknown values parse, keep their bytes and re-encode unchanged (as rustls does
//! for protocol enums); the named constants live in the spec table.

use std::fmt;

/// A two-character message code such as `23` or `98` (any two bytes, known or not).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageCode(pub [u8; 2]);

/// A two-character tagged-field identifier such as `AO` (any two bytes, known or not).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldId(pub [u8; 2]);

macro_rules! two_char_code {
    ($ty:ident, $lookup:path) => {
        impl $ty {
            /// The code as text (lossy for non-ASCII bytes, which the parser never produces).
            pub fn as_str(&self) -> &str {
                std::str::from_utf8(&self.0).unwrap_or("??")
            }

            /// Reads a code from the first two bytes of `s`, if there are two ASCII characters.
            pub fn parse(s: &str) -> Option<Self> {
                match s.as_bytes() {
                    [a, b] if a.is_ascii_graphic() && b.is_ascii_graphic() => Some(Self([*a, *b])),
                    _ => None,
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match $lookup(*self) {
                    Some(spec) => write!(f, "{} ({})", spec.name, self.as_str()),
                    None => f.write_str(self.as_str()),
                }
            }
        }
    };
}

two_char_code!(MessageCode, super::spec::message);
two_char_code!(FieldId, super::spec::field);
