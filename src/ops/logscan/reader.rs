//! Bounded reading: log lines up to a cap (a longer line is skipped to its end, never held
//! whole), and the messages of a byte capture framed as the wire frames them (`sip2::frame`).

use std::io::BufRead;

use crate::sip2::frame::{self, Status, Terminator};

/// Lines ending in LF (the LF dropped), each at most `max` bytes.
pub struct Lines<R> {
    inner: R,
    max: usize,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `inner`.
    pub fn new(inner: R, max: usize) -> Self {
        Lines { inner, max }
    }

    /// Reads the next line into `buf`: `Some(true)` when it was longer than the cap (and `buf`
    /// holds only its start), None at the end of the input.
    pub fn next_line(&mut self, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
        buf.clear();
        let mut overlong = false;
        let mut any = false;
        loop {
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                return Ok(any.then_some(overlong));
            }
            any = true;
            let (part, used, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (chunk.get(..i).unwrap_or_default(), i + 1, true),
                None => (chunk, chunk.len(), false),
            };
            let room = self.max.saturating_sub(buf.len());
            if part.len() > room {
                overlong = true;
            }
            buf.extend_from_slice(part.get(..room.min(part.len())).unwrap_or_default());
            self.inner.consume(used);
            if done {
                return Ok(Some(overlong));
            }
        }
    }
}

/// One message of a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A message and how it ended (None: the capture ended first).
    Message {
        /// Its bytes, terminator excluded.
        bytes: Vec<u8>,
        /// Its terminator.
        terminator: Option<Terminator>,
        /// An LF came before it.
        leading_lf: bool,
    },
    /// More than the cap without a terminator (skipped to the next one).
    Overlong,
}

/// The messages of a capture in which messages end with CR (or CR LF, or LF).
pub struct Frames<R> {
    inner: R,
    max: usize,
    buf: Vec<u8>,
    skipping: bool,
    eof: bool,
}

impl<R: BufRead> Frames<R> {
    /// Frames of `inner`.
    pub fn new(inner: R, max: usize) -> Self {
        Frames {
            inner,
            max,
            buf: Vec::new(),
            skipping: false,
            eof: false,
        }
    }

    /// The next frame, None at the end of the input.
    pub fn next_frame(&mut self) -> std::io::Result<Option<Frame>> {
        loop {
            if self.skipping {
                match self.buf.iter().position(|&b| b == b'\r' || b == b'\n') {
                    Some(i) => {
                        self.buf.drain(..=i);
                        self.skipping = false;
                        return Ok(Some(Frame::Overlong));
                    }
                    None => self.buf.clear(),
                }
            } else {
                match frame::split(&self.buf, self.max) {
                    Ok(Status::Complete(f)) => {
                        let out = Frame::Message {
                            bytes: f.bytes(&self.buf).to_vec(),
                            terminator: Some(f.terminator),
                            leading_lf: f.leading_lf,
                        };
                        self.buf.drain(..f.consumed);
                        return Ok(Some(out));
                    }
                    Ok(Status::Partial) if self.eof => {
                        let start = self.buf.iter().take_while(|&&b| b == b'\n').count();
                        let bytes = self.buf.split_off(start);
                        let leading_lf = !self.buf.is_empty();
                        self.buf.clear();
                        return Ok((!bytes.is_empty()).then_some(Frame::Message {
                            bytes,
                            terminator: None,
                            leading_lf,
                        }));
                    }
                    Ok(Status::Partial) => {}
                    Err(frame::FrameError::TooLong { .. }) => {
                        self.skipping = true;
                        continue;
                    }
                }
            }
            if self.eof {
                return Ok(self.skipping.then(|| {
                    self.skipping = false;
                    Frame::Overlong
                }));
            }
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                self.eof = true;
                continue;
            }
            let n = chunk.len();
            self.buf.extend_from_slice(chunk);
            self.inner.consume(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_not_held() {
        let input = format!("short\n{}\nlast", "x".repeat(100));
        let mut lines = Lines::new(std::io::BufReader::with_capacity(7, input.as_bytes()), 10);
        let mut buf = Vec::new();
        assert_eq!(lines.next_line(&mut buf).unwrap(), Some(false));
        assert_eq!(buf, b"short");
        assert_eq!(lines.next_line(&mut buf).unwrap(), Some(true));
        assert_eq!(buf.len(), 10);
        assert_eq!(lines.next_line(&mut buf).unwrap(), Some(false));
        assert_eq!(buf, b"last");
        assert_eq!(lines.next_line(&mut buf).unwrap(), None);
    }

    #[test]
    fn captures_are_framed_as_the_wire_is() {
        let input = format!("941\r\n9800\r{}\r\n99 tail", "y".repeat(50));
        let mut frames = Frames::new(std::io::BufReader::with_capacity(3, input.as_bytes()), 20);
        let got: Vec<Frame> = std::iter::from_fn(|| frames.next_frame().unwrap()).collect();
        assert_eq!(
            got,
            vec![
                Frame::Message {
                    bytes: b"941".to_vec(),
                    terminator: Some(Terminator::CrLf),
                    leading_lf: false
                },
                Frame::Message {
                    bytes: b"9800".to_vec(),
                    terminator: Some(Terminator::Cr),
                    leading_lf: false
                },
                Frame::Overlong,
                Frame::Message {
                    bytes: b"99 tail".to_vec(),
                    terminator: None,
                    leading_lf: true
                },
            ]
        );
    }
}
