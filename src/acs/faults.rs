//! Fault injection: the ways a real ACS misbehaves, switched on to test clients and the harness.
//!
//! Message-level faults (bad checksum, 96 storms, wrong flags, dropped fields, garbage) are
//! applied here to a response before it is written; transport-level ones (delay, split writes,
//! closing, silence) are applied by the server's connection loop.

use std::time::Duration;

use crate::sip2::spec::{self, Kind};
use crate::sip2::{FieldId, Message, MessageCode};

/// Fault knobs; the default is a well-behaved server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Wait this long before every response.
    pub delay: Option<Duration>,
    /// Write responses in chunks of this many bytes, with a pause between chunks.
    pub split: Option<usize>,
    /// Close the connection after answering this many messages.
    pub close_after: Option<usize>,
    /// Close the connection (without answering) when a message with this code arrives.
    pub close_on: Option<MessageCode>,
    /// Every response carries AY/AZ with a wrong checksum.
    pub bad_checksum: bool,
    /// Answer 96 (Request SC Resend) to everything.
    pub always_96: bool,
    /// Answer with bytes that are not a SIP message.
    pub garbage: bool,
    /// Read requests and never answer.
    pub silent: bool,
    /// Leave these fields out of every response.
    pub drop_fields: Vec<FieldId>,
    /// Invert the Y/N flags and the 0/1 ok of every response's fixed part.
    pub wrong_flags: bool,
}

/// The pause between the chunks of a split response.
pub const SPLIT_PAUSE: Duration = Duration::from_millis(5);

impl Faults {
    /// Applies the field-level faults (dropped fields, inverted flags) to a response.
    pub fn apply(&self, msg: &mut Message<'static>) {
        if !self.drop_fields.is_empty() {
            msg.fields.retain(|f| !self.drop_fields.contains(&f.id));
        }
        if self.wrong_flags {
            invert_flags(msg);
        }
    }
}

/// Inverts every Y/N and 0/1 fixed field of `msg`, using the spec's field kinds.
fn invert_flags(msg: &mut Message<'static>) {
    let Some(s) = spec::message(msg.code) else {
        return;
    };
    let mut out = String::with_capacity(msg.fixed.len());
    let mut chars = msg.fixed.chars();
    for f in s.fixed {
        let value: String = chars.by_ref().take(f.len).collect();
        let binary = matches!(f.kind, Kind::Code(t) if matches!(t.name, "Y/N" | "Y/N/U" | "0/1" | "item properties ok"));
        out.push_str(&if binary { invert(&value) } else { value });
    }
    out.extend(chars);
    msg.fixed = out.into();
}

fn invert(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            'Y' => 'N',
            'N' => 'Y',
            '1' => '0',
            '0' => '1',
            other => other,
        })
        .collect()
}

/// Bytes that are not a SIP message (no code, control characters, high bytes), never a CR or LF,
/// different for every `n`.
pub fn garbage(n: u64) -> Vec<u8> {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..24)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            match (x % 251) as u8 {
                b'\r' | b'\n' | b'|' => 0x07,
                b => b | 0x80,
            }
        })
        .collect()
}

/// Corrupts the last hex digit of a trailer's checksum (`...AZhhhh`).
pub fn corrupt_checksum(bytes: &mut [u8]) {
    if let Some(last) = bytes.last_mut() {
        *last = if *last == b'0' { b'1' } else { b'0' };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_flags_inverts_only_binary_fixed_fields() {
        let mut msg = Message::new(MessageCode::CHECKOUT_RESPONSE, "1NNY20260101    101010");
        Faults {
            wrong_flags: true,
            ..Faults::default()
        }
        .apply(&mut msg);
        assert_eq!(msg.fixed, "0YYN20260101    101010");
    }

    #[test]
    fn dropped_fields_go_and_others_stay() {
        let mut msg = Message::new(MessageCode::LOGIN_RESPONSE, "1")
            .with(FieldId::AO, "BR1")
            .with(FieldId::AF, "hi");
        Faults {
            drop_fields: vec![FieldId::AO],
            ..Faults::default()
        }
        .apply(&mut msg);
        assert_eq!(msg.fields.len(), 1);
        assert_eq!(msg.field(FieldId::AF), Some("hi"));
    }

    #[test]
    fn garbage_is_never_a_message_nor_a_line_end() {
        for n in 0..100 {
            let g = garbage(n);
            assert!(!g.contains(&b'\r') && !g.contains(&b'\n'));
            assert!(crate::sip2::parse(&String::from_utf8_lossy(&g)).is_err());
        }
        assert_ne!(garbage(1), garbage(2));
    }

    #[test]
    fn corrupted_checksum_no_longer_verifies() {
        let mut b = b"941AY0AZFDFD".to_vec();
        corrupt_checksum(&mut b);
        let text = String::from_utf8_lossy(&b).into_owned();
        assert_eq!(crate::sip2::checksum::inspect(&b, &text).valid, Some(false));
    }
}
