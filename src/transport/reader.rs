//! Reading whole messages from a stream: tolerant of CR, CRLF, LF and stray LFs, of split and
//! coalesced TCP reads, bounded in size and in time, and keeping every byte it was given.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::time::Instant;

use super::error::{TransportError, Wait};
use crate::sip2::frame::{self, Status, Terminator};

/// One message as it came off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrame {
    /// The message bytes, terminator excluded.
    pub raw: Vec<u8>,
    /// The terminator the server used.
    pub terminator: Terminator,
    /// An LF (or an empty line) came before the message.
    pub leading_lf: bool,
    /// Every byte this read took, blank lines and terminator included (for transcripts).
    pub wire: Vec<u8>,
}

/// How long a read may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The whole response.
    pub response: Duration,
    /// Silence between reads.
    pub idle: Option<Duration>,
    /// Which wait the overall limit is reported as.
    pub wait: Wait,
}

/// The outcome of waiting for one read.
pub enum Filled {
    /// Bytes were added to the buffer.
    Data,
    /// The peer closed the connection.
    Eof,
}

/// A buffer over a stream: bytes received but not yet taken stay here for the next read.
#[derive(Debug)]
pub struct FrameReader {
    buf: Vec<u8>,
    max: usize,
}

const CHUNK: usize = 4096;

impl FrameReader {
    /// A reader refusing messages longer than `max` bytes.
    pub fn new(max: usize) -> Self {
        FrameReader {
            buf: Vec::new(),
            max,
        }
    }

    /// The bytes received and not yet taken.
    pub fn pending(&self) -> &[u8] {
        &self.buf
    }

    /// Drops the first `n` pending bytes.
    pub fn consume(&mut self, n: usize) {
        self.buf.drain(..n.min(self.buf.len()));
    }

    /// Waits for one read until `until`; a reset connection counts as closed.
    pub async fn fill<S: AsyncRead + Unpin + ?Sized>(
        &mut self,
        stream: &mut S,
        until: Instant,
    ) -> Result<Option<Filled>, std::io::Error> {
        let mut chunk = [0u8; CHUNK];
        match tokio::time::timeout_at(until, stream.read(&mut chunk)).await {
            Err(_) => Ok(None),
            Ok(Ok(0)) => Ok(Some(Filled::Eof)),
            Ok(Ok(n)) => {
                self.buf
                    .extend_from_slice(chunk.get(..n).unwrap_or_default());
                Ok(Some(Filled::Data))
            }
            Ok(Err(e)) if is_reset(&e) => Ok(Some(Filled::Eof)),
            Ok(Err(e)) => Err(e),
        }
    }

    /// Reads one whole message. `request` (masked) is named in errors.
    pub async fn read_frame<S: AsyncRead + Unpin + ?Sized>(
        &mut self,
        stream: &mut S,
        limits: Limits,
        request: Option<&str>,
    ) -> Result<RawFrame, TransportError> {
        let deadline = Instant::now() + limits.response;
        let mut leading_lf = false;
        let mut skipped = Vec::new();
        // Each turn either returns, drops a non-empty blank line, or reads at least one byte
        // before the deadline, so the loop ends.
        loop {
            match frame::split(&self.buf, self.max) {
                Ok(Status::Complete(f)) if f.len == 0 => {
                    leading_lf |= f.leading_lf || f.terminator != Terminator::Cr;
                    skipped.extend_from_slice(self.buf.get(..f.consumed).unwrap_or_default());
                    self.consume(f.consumed);
                    continue;
                }
                Ok(Status::Complete(f)) => {
                    let raw = f.bytes(&self.buf).to_vec();
                    skipped.extend_from_slice(self.buf.get(..f.consumed).unwrap_or_default());
                    self.consume(f.consumed);
                    return Ok(RawFrame {
                        raw,
                        terminator: f.terminator,
                        leading_lf: leading_lf || f.leading_lf,
                        wire: skipped,
                    });
                }
                Ok(Status::Partial) if self.buf.len() <= self.max => {}
                Ok(Status::Partial) | Err(_) => {
                    return Err(self.drop_oversize(stream, deadline, request).await);
                }
            }
            let now = Instant::now();
            // The idle limit starts once the response has begun to arrive.
            let arriving = !self.buf.is_empty() || !skipped.is_empty();
            let (until, wait, after) = match limits.idle {
                Some(idle) if arriving && now + idle < deadline => (now + idle, Wait::Idle, idle),
                _ => (deadline, limits.wait, limits.response),
            };
            let doing = || {
                format!(
                    "reading the answer to {}",
                    request.unwrap_or("the connection")
                )
            };
            match self
                .fill(stream, until)
                .await
                .map_err(|e| TransportError::io(doing(), e))?
            {
                Some(Filled::Data) => {}
                Some(Filled::Eof) => {
                    return Err(TransportError::Closed {
                        request: request.map(str::to_string),
                        received_so_far: self.buf.clone(),
                    });
                }
                None => {
                    return Err(TransportError::Timeout {
                        wait,
                        after,
                        request: request.map(str::to_string),
                        received_so_far: self.buf.clone(),
                    });
                }
            }
        }
    }

    /// Reads and drops a message that outgrew the limit, up to its terminator, so a long answer
    /// that does end is told from an endless line (and the next message is framed right).
    /// Bounded by the response deadline and by [`DISCARD_LIMIT`] bytes.
    async fn drop_oversize<S: AsyncRead + Unpin + ?Sized>(
        &mut self,
        stream: &mut S,
        deadline: Instant,
        request: Option<&str>,
    ) -> TransportError {
        let leading = self.buf.iter().take_while(|&&b| b == b'\n').count();
        self.consume(leading);
        let endless = TransportError::TooLong { max: self.max };
        let mut dropped = 0usize;
        // Each turn ends the loop, or reads at least one byte before the deadline.
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\r' || b == b'\n') {
                let crlf = self.buf.get(end..end + 2) == Some(b"\r\n");
                self.consume(end + if crlf { 2 } else { 1 });
                return TransportError::Oversize {
                    request: request.map(str::to_string),
                    len: dropped + end,
                    max: self.max,
                };
            }
            dropped += self.buf.len();
            self.buf.clear();
            if dropped > DISCARD_LIMIT {
                return endless;
            }
            match self.fill(stream, deadline).await {
                Ok(Some(Filled::Data)) => {}
                Ok(Some(Filled::Eof)) | Ok(None) | Err(_) => return endless,
            }
        }
    }
}

/// How much of an oversized message is read (and dropped) looking for its end.
const DISCARD_LIMIT: usize = 64 * 1024 * 1024;

/// Errors that mean the peer went away rather than that the socket broke.
pub fn is_reset(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::BrokenPipe
            | std::io::ErrorKind::UnexpectedEof
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const LIMITS: Limits = Limits {
        response: Duration::from_secs(5),
        idle: None,
        wait: Wait::Response,
    };

    #[tokio::test]
    async fn split_writes_make_one_frame_and_coalesced_ones_two() {
        let (mut client, mut server) = tokio::io::duplex(64);
        let mut reader = FrameReader::new(1024);
        for b in b"941" {
            server.write_all(&[*b]).await.unwrap();
        }
        server.write_all(b"\r\n9800\r").await.unwrap();
        let f = reader.read_frame(&mut client, LIMITS, None).await.unwrap();
        assert_eq!(
            (f.raw.as_slice(), f.terminator, f.leading_lf),
            (&b"941"[..], Terminator::CrLf, false)
        );
        let g = reader.read_frame(&mut client, LIMITS, None).await.unwrap();
        assert_eq!(
            (g.raw.as_slice(), g.terminator),
            (&b"9800"[..], Terminator::Cr)
        );
    }

    #[tokio::test]
    async fn blank_lines_are_skipped_and_noted() {
        let (mut client, mut server) = tokio::io::duplex(64);
        server.write_all(b"\r\n\r941\r").await.unwrap();
        let f = FrameReader::new(1024)
            .read_frame(&mut client, LIMITS, None)
            .await
            .unwrap();
        assert_eq!((f.raw.as_slice(), f.leading_lf), (&b"941"[..], true));
        assert_eq!(f.wire, b"\r\n\r941\r");
    }

    #[tokio::test]
    async fn idle_counts_only_once_the_response_has_begun() {
        let (mut client, mut server) = tokio::io::duplex(64);
        let limits = Limits {
            response: Duration::from_millis(300),
            idle: Some(Duration::from_millis(50)),
            wait: Wait::Response,
        };
        let e = FrameReader::new(1024)
            .read_frame(&mut client, limits, None)
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                TransportError::Timeout {
                    wait: Wait::Response,
                    ..
                }
            ),
            "{e:?}"
        );
        server.write_all(b"9").await.unwrap();
        let e = FrameReader::new(1024)
            .read_frame(&mut client, limits, None)
            .await
            .unwrap_err();
        assert!(
            matches!(e, TransportError::Timeout { wait: Wait::Idle, ref received_so_far, .. } if received_so_far == b"9"),
            "{e:?}"
        );
    }

    #[tokio::test]
    async fn a_close_keeps_what_came() {
        let (mut client, mut server) = tokio::io::duplex(64);
        server.write_all(b"94").await.unwrap();
        drop(server);
        let e = FrameReader::new(1024)
            .read_frame(&mut client, LIMITS, Some("9300"))
            .await
            .unwrap_err();
        match e {
            TransportError::Closed {
                request,
                received_so_far,
            } => assert_eq!(
                (request.as_deref(), received_so_far.as_slice()),
                (Some("9300"), &b"94"[..])
            ),
            other => panic!("expected Closed, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn an_endless_line_stops_at_the_limit() {
        let (mut client, mut server) = tokio::io::duplex(4096);
        let writer = tokio::spawn(async move {
            let line = [b'x'; 256];
            for _ in 0..64 {
                if server.write_all(&line).await.is_err() {
                    break;
                }
            }
        });
        let e = FrameReader::new(1000)
            .read_frame(&mut client, LIMITS, None)
            .await
            .unwrap_err();
        assert!(matches!(e, TransportError::TooLong { max: 1000 }), "{e:?}");
        drop(client);
        writer.await.unwrap();
    }
}
