//! The protocol table: every SIP2 2.00 message layout, field ID and code table, once.
//!
//! The data itself is in `spec_table.rs`; this file defines its shape and the lookups
//! that parsing, encoding, linting, pretty-printing and the emulator all go through.

use super::code::{FieldId, MessageCode};
use super::plan;
pub use super::spec_table::*;

/// Which way a message travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the self-check (client) to the library system.
    ScToAcs,
    /// From the library system (server) to the self-check.
    AcsToSc,
}

impl Direction {
    /// "request" or "response".
    pub fn describe(self) -> &'static str {
        match self {
            Direction::ScToAcs => "request (SC to ACS)",
            Direction::AcsToSc => "response (ACS to SC)",
        }
    }
}

/// The layout of one message.
#[derive(Debug)]
pub struct MessageSpec {
    /// Two-digit command code.
    pub code: MessageCode,
    /// The spec's name, e.g. "Checkout Response".
    pub name: &'static str,
    /// The name as a scenario writes it, e.g. "checkout_response".
    pub key: &'static str,
    /// Request or response.
    pub direction: Direction,
    /// Protocol version that introduced the message.
    pub since: &'static str,
    /// For a request: the response code it expects (None for 97: the last response is re-sent).
    pub response: Option<MessageCode>,
    /// For a response: the request codes it answers (empty for 96, which answers anything).
    pub answers: &'static [MessageCode],
    /// Fixed fields in wire order.
    pub fixed: &'static [FixedSpec],
    /// Tagged fields in the spec's template order.
    pub fields: &'static [FieldUse],
}

impl MessageSpec {
    /// Total length of the fixed part (after the two-character code).
    pub fn fixed_len(&self) -> usize {
        self.fixed.iter().map(|f| f.len).sum()
    }

    /// The fixed field called `key` (scenario key or spec name) and its offset in the fixed part.
    pub fn fixed_field(&self, key: &str) -> Option<(usize, &'static FixedSpec)> {
        let mut offset = 0;
        for f in self.fixed {
            if f.key == key || f.name.eq_ignore_ascii_case(key) {
                return Some((offset, f));
            }
            offset += f.len;
        }
        None
    }

    /// How this message uses field `id`, if the spec lists it here.
    pub fn field_use(&self, id: FieldId) -> Option<&'static FieldUse> {
        self.fields.iter().find(|u| u.id == id)
    }
}

/// One fixed-length field.
#[derive(Debug)]
pub struct FixedSpec {
    /// The spec's name, e.g. "renewal ok".
    pub name: &'static str,
    /// The name as a scenario writes it, e.g. "renewal_ok".
    pub key: &'static str,
    /// Length in characters.
    pub len: usize,
    /// What values are allowed.
    pub kind: Kind,
}

/// A tagged field as one message uses it.
#[derive(Debug)]
pub struct FieldUse {
    /// Field ID.
    pub id: FieldId,
    /// Must be present (its value may still be empty).
    pub required: bool,
    /// May occur more than once.
    pub repeatable: bool,
}

/// A field ID in the registry.
#[derive(Debug)]
pub struct FieldSpec {
    /// Field ID.
    pub id: FieldId,
    /// Its name, e.g. "institution id".
    pub name: &'static str,
    /// What values are allowed.
    pub kind: Kind,
    /// Standard 2.00 or an extension, and who uses it.
    pub origin: FieldOrigin,
    /// A password: masked in every report and transcript.
    pub secret: bool,
    /// Patron personal data: masked unless the user asks otherwise.
    pub personal: bool,
    /// Remarks from the reference (formats, collisions).
    pub note: &'static str,
}

/// Where a field ID comes from.
#[derive(Debug)]
pub enum FieldOrigin {
    /// In the 3M 2.00 document.
    Standard {
        /// "1.00" or "2.00".
        since: &'static str,
    },
    /// Not in the 3M document; seen in these systems.
    Extension {
        /// Systems that send or read it.
        systems: &'static str,
        /// Messages it appears in.
        messages: &'static str,
    },
}

/// The allowed values of a fixed field or a fixed-format tagged field.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// Free text (tagged fields only).
    Text,
    /// `YYYYMMDDZZZZHHMMSS`.
    Date18,
    /// A date, or 18 blanks for "not specified" (no-block due date, return date: field-notes 3.4).
    Date18OrBlank,
    /// One value from a code table.
    Code(&'static CodeTable),
    /// Positions that are `Y` or blank (patron status, summary).
    Flags(&'static FlagTable),
    /// Positions that are `Y` or `N` (BX supported messages; at least the table's length).
    Supported(&'static FlagTable),
    /// `0000`-`9999`, or four blanks when unknown.
    Count4,
    /// Exactly this many decimal digits.
    Digits(usize),
    /// Protocol version `x.xx`.
    Version,
    /// ISO 4217 alphabetic code.
    Currency,
    /// AY: one digit.
    Sequence,
    /// AZ: four hex digits.
    Checksum,
}

impl Kind {
    /// A short description of the allowed values, for violation messages.
    pub fn describe(&self) -> String {
        match self {
            Kind::Text => "text".into(),
            Kind::Date18 => "an 18-character date YYYYMMDDZZZZHHMMSS".into(),
            Kind::Date18OrBlank => "an 18-character date YYYYMMDDZZZZHHMMSS, or 18 blanks".into(),
            Kind::Code(t) if t.closed => {
                let vals: Vec<&str> = t.values.iter().map(|(v, _)| *v).collect();
                format!("one of {}", vals.join(" "))
            }
            Kind::Code(t) => format!(
                "a {}-character {} code",
                t.values.first().map_or(0, |v| v.0.len()),
                t.name
            ),
            Kind::Flags(t) => format!("{} characters, each Y or blank ({})", t.len, t.name),
            Kind::Supported(t) => {
                format!("at least {} characters, each Y or N ({})", t.len, t.name)
            }
            Kind::Count4 => "4 digits, or 4 blanks when unknown".into(),
            Kind::Digits(n) => format!("{n} digits"),
            Kind::Version => "a version x.xx".into(),
            Kind::Currency => "a 3-letter ISO 4217 code".into(),
            Kind::Sequence => "one digit 0-9".into(),
            Kind::Checksum => "4 upper-case hex digits".into(),
        }
    }
}

/// An enumeration of codes and their meanings.
#[derive(Debug)]
pub struct CodeTable {
    /// What the codes are, e.g. "circulation status".
    pub name: &'static str,
    /// The spec allows no other values (otherwise unknown well-formed codes only warn).
    pub closed: bool,
    /// Codes are decimal digits.
    pub numeric: bool,
    /// Remarks from the reference.
    pub note: &'static str,
    /// (code, meaning) pairs.
    pub values: &'static [(&'static str, &'static str)],
}

impl CodeTable {
    /// The meaning of `code`, if the table defines it.
    pub fn meaning(&self, code: &str) -> Option<&'static str> {
        // Codes are one to three bytes: comparing them inline beats a call to memcmp per entry.
        let same =
            |c: &str| c.len() == code.len() && c.bytes().zip(code.bytes()).all(|(a, b)| a == b);
        self.values.iter().find(|(c, _)| same(c)).map(|(_, m)| *m)
    }
}

/// Meanings of the positions of a flag string.
#[derive(Debug)]
pub struct FlagTable {
    /// What the flags are, e.g. "patron status".
    pub name: &'static str,
    /// Number of positions.
    pub len: usize,
    /// Meaning of each defined position (fewer than `len` where the rest are undefined).
    pub positions: &'static [&'static str],
}

/// One item list of the Patron Information Response (64).
#[derive(Debug)]
pub struct ItemList {
    /// The fixed count field, e.g. "hold_items_count".
    pub count: &'static str,
    /// The repeatable field that lists the items, e.g. AS.
    pub field: FieldId,
    /// The position in the 63 summary that asks for this list.
    pub summary: usize,
}

/// The spec of message `code`.
pub fn message(code: MessageCode) -> Option<&'static MessageSpec> {
    plan::plan(code).map(|p| p.spec)
}

/// The spec of a message given by scenario key ("checkout"), spec name ("Checkout") or code ("11").
pub fn message_by_name(name: &str) -> Option<&'static MessageSpec> {
    MESSAGES
        .iter()
        .find(|m| m.key == name || m.name.eq_ignore_ascii_case(name) || m.code.as_str() == name)
}

/// The registry entry of field `id`.
pub fn field(id: FieldId) -> Option<&'static FieldSpec> {
    plan::facts(id).spec
}

/// Does field `id` mean different things to different systems (PA: Evergreen's patron
/// expiration date, Koha's PAC access type)?
pub fn ambiguous(id: FieldId) -> bool {
    id == FieldId::PA
}

/// The field name for display: the registry's name, or "unknown field".
pub fn field_name(id: FieldId) -> &'static str {
    field(id).map_or("unknown field", |f| f.name)
}

/// Position in BX of each request/response pair, keyed by the request code.
pub fn supported_position(request: MessageCode) -> Option<usize> {
    const ORDER: [MessageCode; 16] = [
        MessageCode::PATRON_STATUS_REQUEST,
        MessageCode::CHECKOUT,
        MessageCode::CHECKIN,
        MessageCode::BLOCK_PATRON,
        MessageCode::SC_STATUS,
        MessageCode::REQUEST_ACS_RESEND,
        MessageCode::LOGIN,
        MessageCode::PATRON_INFORMATION,
        MessageCode::END_PATRON_SESSION,
        MessageCode::FEE_PAID,
        MessageCode::ITEM_INFORMATION,
        MessageCode::ITEM_STATUS_UPDATE,
        MessageCode::PATRON_ENABLE,
        MessageCode::HOLD,
        MessageCode::RENEW,
        MessageCode::RENEW_ALL,
    ];
    ORDER.iter().position(|c| *c == request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_keys_and_ids_are_unique() {
        let codes: HashSet<_> = MESSAGES.iter().map(|m| m.code).collect();
        let keys: HashSet<_> = MESSAGES.iter().map(|m| m.key).collect();
        let ids: HashSet<_> = FIELDS.iter().map(|f| f.id).collect();
        assert_eq!(codes.len(), 31);
        assert_eq!(keys.len(), 31);
        assert_eq!(ids.len(), FIELDS.len());
    }

    #[test]
    fn every_field_use_names_a_known_field_once() {
        for m in MESSAGES {
            let mut seen = HashSet::new();
            for u in m.fields {
                assert!(field(u.id).is_some(), "{} uses unknown {}", m.code, u.id);
                assert!(seen.insert(u.id), "{} lists {} twice", m.code, u.id);
            }
        }
    }

    #[test]
    fn requests_and_responses_pair_up() {
        for m in MESSAGES
            .iter()
            .filter(|m| m.direction == Direction::ScToAcs)
        {
            if let Some(r) = m.response {
                let resp = message(r).expect("response exists");
                assert!(
                    resp.answers.contains(&m.code),
                    "{} not answered by {}",
                    m.code,
                    r
                );
            }
        }
        assert_eq!(
            message(MessageCode::PATRON_STATUS_RESPONSE)
                .unwrap()
                .answers
                .len(),
            2
        );
    }

    #[test]
    fn fixed_lengths_match_the_reference() {
        let lens: Vec<(&str, usize)> = MESSAGES
            .iter()
            .map(|m| (m.code.as_str(), m.fixed_len()))
            .collect();
        for (code, len) in [
            ("64", 59),
            ("98", 34),
            ("24", 35),
            ("11", 38),
            ("09", 37),
            ("18", 24),
            ("93", 2),
            ("97", 0),
        ] {
            assert!(lens.contains(&(code, len)), "{code} should be {len}");
        }
    }

    #[test]
    fn bx_positions_cover_every_request_but_none_twice() {
        let mut seen = HashSet::new();
        for m in MESSAGES
            .iter()
            .filter(|m| m.direction == Direction::ScToAcs)
        {
            let p = supported_position(m.code).expect("every request has a BX position");
            assert!(seen.insert(p));
        }
        assert_eq!(SUPPORTED_MESSAGES.positions.len(), 16);
    }

    #[test]
    fn indexed_lookups_agree_with_the_table() {
        for m in MESSAGES {
            assert_eq!(message(m.code).map(|s| s.code), Some(m.code));
        }
        for f in FIELDS {
            assert_eq!(field(f.id).map(|s| s.id), Some(f.id));
        }
        assert!(field(FieldId(*b"ZQ")).is_none() && field(FieldId(*b"a|")).is_none());
        assert!(message(MessageCode(*b"XS")).is_none() && message(MessageCode(*b"42")).is_none());
    }

    #[test]
    fn lookups_by_name_key_and_code() {
        assert_eq!(message_by_name("checkout").unwrap().code.as_str(), "11");
        assert_eq!(
            message_by_name("Checkout Response").unwrap().code.as_str(),
            "12"
        );
        assert_eq!(message_by_name("98").unwrap().key, "acs_status");
        let (off, f) = message(MessageCode::CHECKOUT_RESPONSE)
            .unwrap()
            .fixed_field("renewal_ok")
            .unwrap();
        assert_eq!((off, f.len), (1, 1));
        assert_eq!(format!("{:?}", FieldId::AO), "institution id (AO)");
        assert_eq!(format!("{:?}", FieldId(*b"ZQ")), "ZQ");
    }
}
