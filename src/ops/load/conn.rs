//! One load connection: plain TCP, one request in flight, framing by `sip2::frame`, a timeout
//! on every wait. Leaner than `transport::Session` (no transcript, no resends, no copies of
//! what was sent), because the generator must not be the bottleneck of the pair.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::stats::ErrorClass;
use crate::sip2::checksum;
use crate::sip2::frame::{self, Status, Terminator};

/// Bytes read at most per read call.
const READ_CHUNK: usize = 16 * 1024;

/// A response frame inside the connection's buffer.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    /// Where the message (without terminator) lies in [`Conn::answer`].
    start: usize,
    end: usize,
    /// The terminator it came with.
    pub terminator: Terminator,
    /// An LF came before it.
    pub leading_lf: bool,
}

#[cfg(test)]
impl Answer {
    /// A CR-terminated answer of `len` bytes at the start of a buffer.
    pub fn test(len: usize) -> Answer {
        Answer {
            start: 0,
            end: len,
            terminator: Terminator::Cr,
            leading_lf: false,
        }
    }
}

/// An open load connection.
pub struct Conn {
    stream: TcpStream,
    rbuf: Vec<u8>,
    wbuf: Vec<u8>,
    /// Bytes of `rbuf` already taken by the previous answer.
    taken: usize,
    max_len: usize,
    seq: u8,
}

impl Conn {
    /// Connects within `timeout`.
    pub async fn connect(
        addr: SocketAddr,
        timeout: Duration,
        max_len: usize,
    ) -> Result<Conn, String> {
        let stream = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => return Err(format!("cannot connect to {addr}: {e}")),
            Err(_) => return Err(format!("no connection to {addr} within {timeout:?}")),
        };
        // One small request at a time: Nagle would only add latency.
        let _ = stream.set_nodelay(true);
        Ok(Conn {
            stream,
            rbuf: Vec::with_capacity(READ_CHUNK),
            wbuf: Vec::with_capacity(256),
            taken: 0,
            max_len,
            seq: 0,
        })
    }

    /// Sends `body` (with `AY<seq>AZ<sum>` when `trailer`, then `terminator`) and waits up
    /// to `timeout` for one whole answer. Returns the AY sent, if any, and the answer.
    pub async fn exchange(
        &mut self,
        body: &[u8],
        trailer: bool,
        terminator: Terminator,
        timeout: Duration,
    ) -> Result<(Option<u8>, Answer), ErrorClass> {
        self.wbuf.clear();
        self.wbuf.extend_from_slice(body);
        let seq = trailer.then(|| {
            let seq = self.seq;
            self.seq = (seq + 1) % 10;
            checksum::append_trailer(&mut self.wbuf, Some(seq));
            seq
        });
        self.wbuf.extend_from_slice(terminator.bytes());
        let deadline = Instant::now() + timeout;
        // The previous answer's bytes go only now, so it could be read until this call.
        self.rbuf.drain(..self.taken.min(self.rbuf.len()));
        self.taken = 0;
        match tokio::time::timeout_at(deadline, self.stream.write_all(&self.wbuf)).await {
            Ok(Ok(())) => {}
            // A reset or a broken pipe: the server went away.
            Ok(Err(_)) => return Err(ErrorClass::Closed),
            Err(_) => return Err(ErrorClass::Timeout),
        }
        // Each turn returns or reads at least one byte before the deadline, so the loop ends.
        loop {
            match frame::split(&self.rbuf, self.max_len) {
                Ok(Status::Complete(f)) if f.len == 0 => {
                    // A blank line (the LF of a CR LF split off): skip it.
                    self.rbuf.drain(..f.consumed);
                    continue;
                }
                Ok(Status::Complete(f)) => {
                    self.taken = f.consumed;
                    return Ok((
                        seq,
                        Answer {
                            start: f.start,
                            end: f.start + f.len,
                            terminator: f.terminator,
                            leading_lf: f.leading_lf,
                        },
                    ));
                }
                Ok(Status::Partial) if self.rbuf.len() <= self.max_len => {}
                Ok(Status::Partial) | Err(_) => return Err(ErrorClass::NotSip),
            }
            self.rbuf.reserve(READ_CHUNK);
            match tokio::time::timeout_at(deadline, self.stream.read_buf(&mut self.rbuf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => return Err(ErrorClass::Closed),
                Ok(Ok(_)) => {}
                Err(_) => return Err(ErrorClass::Timeout),
            }
        }
    }

    /// The bytes of `answer` (without terminator).
    pub fn answer(&self, answer: &Answer) -> &[u8] {
        self.rbuf.get(answer.start..answer.end).unwrap_or_default()
    }

    /// Closes the connection, waiting at most `timeout`.
    pub async fn close(mut self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.stream.shutdown()).await;
    }
}
