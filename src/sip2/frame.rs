//! Framing without I/O, httparse style: find where one message ends in a byte buffer.
//!
//! The spec ends messages with CR only; Koha sends CRLF and some clients LF (field-notes P1).
//! `split` accepts all three and says which it saw, so a wrong terminator is a lint finding,
//! not a read failure.

/// How a message was terminated on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminator {
    /// Carriage return (the spec).
    Cr,
    /// CR followed by LF (Koha's default).
    CrLf,
    /// LF alone.
    Lf,
}

impl Terminator {
    /// Every terminator.
    pub const ALL: [Terminator; 3] = [Terminator::Cr, Terminator::CrLf, Terminator::Lf];

    /// The bytes to send.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Terminator::Cr => b"\r",
            Terminator::CrLf => b"\r\n",
            Terminator::Lf => b"\n",
        }
    }

    /// Stable name: cr, crlf, lf.
    pub fn as_str(self) -> &'static str {
        match self {
            Terminator::Cr => "cr",
            Terminator::CrLf => "crlf",
            Terminator::Lf => "lf",
        }
    }
}

impl std::str::FromStr for Terminator {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "cr" => Ok(Terminator::Cr),
            "crlf" => Ok(Terminator::CrLf),
            "lf" => Ok(Terminator::Lf),
            other => Err(format!("unknown terminator {other:?}; use cr, crlf or lf")),
        }
    }
}

/// One message found in a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Offset of the message's first byte (after any stray LF left by the previous message).
    pub start: usize,
    /// Length of the message, terminator excluded.
    pub len: usize,
    /// Bytes to drop from the buffer, terminator included.
    pub consumed: usize,
    /// The terminator seen.
    pub terminator: Terminator,
    /// An LF preceded the message (left over from a CRLF whose LF arrived late, or sent stray).
    pub leading_lf: bool,
}

impl Frame {
    /// The message bytes inside `buf` (the buffer `split` looked at).
    pub fn bytes<'b>(&self, buf: &'b [u8]) -> &'b [u8] {
        buf.get(self.start..self.start + self.len)
            .unwrap_or_default()
    }
}

/// The result of looking for a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// A whole message.
    Complete(Frame),
    /// No terminator yet: read more.
    Partial,
}

/// Why a buffer cannot hold a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// More than `max` bytes arrived without a terminator.
    #[error("no message terminator within {max} bytes (maximum message size)")]
    TooLong {
        /// The limit.
        max: usize,
    },
}

/// Default maximum message size: 64 KiB.
pub const DEFAULT_MAX_LEN: usize = 64 * 1024;

/// Looks for one message at the start of `buf`.
pub fn split(buf: &[u8], max: usize) -> Result<Status, FrameError> {
    let start = buf.iter().take_while(|&&b| b == b'\n').count();
    let leading_lf = start > 0;
    let rest = buf.get(start..).unwrap_or_default();
    let Some(end) = rest.iter().position(|&b| b == b'\r' || b == b'\n') else {
        return if rest.len() > max {
            Err(FrameError::TooLong { max })
        } else {
            Ok(Status::Partial)
        };
    };
    if end > max {
        return Err(FrameError::TooLong { max });
    }
    let (terminator, term_len) = match (rest.get(end), rest.get(end + 1)) {
        (Some(b'\r'), Some(b'\n')) => (Terminator::CrLf, 2),
        (Some(b'\r'), _) => (Terminator::Cr, 1),
        _ => (Terminator::Lf, 1),
    };
    Ok(Status::Complete(Frame {
        start,
        len: end,
        consumed: start + end + term_len,
        terminator,
        leading_lf,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(buf: &[u8]) -> Frame {
        match split(buf, DEFAULT_MAX_LEN) {
            Ok(Status::Complete(f)) => f,
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    #[test]
    fn every_prefix_of_a_message_is_partial() {
        let msg = b"941AY0AZFDFD\r";
        for n in 0..msg.len() {
            assert_eq!(
                split(&msg[..n], DEFAULT_MAX_LEN),
                Ok(Status::Partial),
                "prefix {n}"
            );
        }
        assert_eq!(complete(msg).len, 12);
    }

    #[test]
    fn terminators_are_recognised() {
        assert_eq!(complete(b"941\r").terminator, Terminator::Cr);
        let f = complete(b"941\r\n98");
        assert_eq!((f.terminator, f.consumed), (Terminator::CrLf, 5));
        assert_eq!(complete(b"941\n").terminator, Terminator::Lf);
    }

    #[test]
    fn coalesced_messages_split_one_at_a_time() {
        let buf = b"941\r9800\r";
        let f = complete(buf);
        assert_eq!(f.bytes(buf), b"941");
        let g = complete(&buf[f.consumed..]);
        assert_eq!(g.bytes(&buf[f.consumed..]), b"9800");
    }

    #[test]
    fn stray_lf_before_a_message_is_skipped_and_noted() {
        let buf = b"\n941\r";
        let f = complete(buf);
        assert!(f.leading_lf);
        assert_eq!(f.bytes(buf), b"941");
    }

    #[test]
    fn endless_line_is_refused() {
        let buf = vec![b'x'; 101];
        assert_eq!(split(&buf, 100), Err(FrameError::TooLong { max: 100 }));
        assert_eq!(split(&buf[..100], 100), Ok(Status::Partial));
    }
}
