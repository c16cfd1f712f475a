//! A minimal SIP2 test client for the emulator tests: plain tokio TCP, CR framing, timeouts.
#![allow(dead_code)] // each test binary uses a different part of it

use std::net::SocketAddr;
use std::time::Duration;

use sip2check::acs::{self, Library, ServeOptions, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every wait in the tests ends after this.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// SIPtest.pm's login.
pub const LOGIN: &str = "9300CNsip_01|COsip_01|CPBR1|";

/// Starts the emulator on an ephemeral loopback port.
pub async fn start(library: Library, opts: ServeOptions) -> Server {
    acs::spawn(library, opts).await.expect("server starts")
}

/// Starts the built-in library with default options.
pub async fn start_default() -> Server {
    start(Library::builtin(), ServeOptions::default()).await
}

/// A connection to the emulator.
pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
    /// Responses end in CR LF (the sip_crlf account, --terminator crlf).
    pub crlf: bool,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Client {
        let stream = tokio::time::timeout(TIMEOUT, TcpStream::connect(addr))
            .await
            .expect("connect in time")
            .expect("connect");
        stream.set_nodelay(true).unwrap();
        Client {
            stream,
            buf: Vec::new(),
            crlf: false,
        }
    }

    /// Connects and logs in as sip_01.
    pub async fn logged_in(addr: SocketAddr) -> Client {
        let mut c = Client::connect(addr).await;
        assert_eq!(c.ask(LOGIN).await, "941");
        c
    }

    /// Connects and logs in as sip_01, reading CR LF answers when `crlf` (a Koha-like server).
    pub async fn logged_in_crlf(addr: SocketAddr, crlf: bool) -> Client {
        let mut c = Client::connect(addr).await;
        c.crlf = crlf;
        assert_eq!(c.ask(LOGIN).await, "941");
        c
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        tokio::time::timeout(TIMEOUT, self.stream.write_all(bytes))
            .await
            .expect("write in time")
            .expect("write");
    }

    /// Reads one response including its terminator (CR, or CR LF when `crlf` is set);
    /// None when the server closed.
    pub async fn recv_raw(&mut self) -> Option<Vec<u8>> {
        let end_of = |buf: &[u8], crlf: bool| {
            if crlf {
                buf.windows(2).position(|w| w == b"\r\n").map(|p| p + 2)
            } else {
                buf.iter().position(|&b| b == b'\r').map(|p| p + 1)
            }
        };
        loop {
            if let Some(take) = end_of(&self.buf, self.crlf) {
                return Some(self.buf.drain(..take).collect());
            }
            let mut chunk = [0u8; 4096];
            let n = tokio::time::timeout(TIMEOUT, self.stream.read(&mut chunk))
                .await
                .expect("a response in time")
                .unwrap_or(0);
            if n == 0 {
                return None;
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Sends `msg` + CR and returns the response text without its terminator.
    pub async fn ask(&mut self, msg: &str) -> String {
        self.send_raw(format!("{msg}\r").as_bytes()).await;
        let raw = self.recv_raw().await.expect("a response, not a close");
        String::from_utf8_lossy(&raw)
            .trim_end_matches(['\r', '\n'])
            .to_string()
    }

    /// True when the server closed the connection (EOF) before sending anything more.
    pub async fn closed(&mut self) -> bool {
        self.recv_raw().await.is_none()
    }
}

/// The value of field `id` in a response text (its first occurrence).
pub fn field(response: &str, id: &str) -> Option<String> {
    fields(response, id).into_iter().next()
}

/// All values of field `id`.
pub fn fields(response: &str, id: &str) -> Vec<String> {
    let Ok(p) = sip2check::sip2::parse(response) else {
        return Vec::new();
    };
    let Some(id) = sip2check::sip2::FieldId::parse(id) else {
        return Vec::new();
    };
    p.msg.field_all(id).map(str::to_string).collect()
}
