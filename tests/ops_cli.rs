//! `sip2check serve --max-connections` end to end: the real binary against
//! the emulator (`serve` on port 0) and its fault knobs. Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sip2check");
const WAIT: Duration = Duration::from_secs(20);

/// A `sip2check serve` child on a loopback port.
struct Serve {
    child: Child,
    addr: SocketAddr,
}

fn serve(args: &[&str]) -> Serve {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sip2check serve runs");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line {first:?}"))
        .parse()
        .unwrap();
    Serve { child, addr }
}

impl Serve {
    /// SIGTERM, then stderr.
    fn stop(self) -> String {
        sigterm(&self.child);
        let out = self.child.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A raw client: login, then whatever is asked.
fn client(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

/// Sends a login and reads the answer; None when the server closed the connection instead.
fn login(s: &mut TcpStream) -> Option<String> {
    s.write_all(b"9300CNsip_01|COsip_01|CPBR1|\r").ok()?;
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r") {
        match s.read(&mut byte) {
            Ok(1) => answer.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&answer).trim_end().to_string())
}

#[test]
fn serve_closes_the_connection_over_the_cap_at_once_and_serves_the_next_one() {
    let s = serve(&["--max-connections", "2"]);
    let mut a = client(s.addr);
    let mut b = client(s.addr);
    assert_eq!(login(&mut a).as_deref(), Some("941"));
    assert_eq!(login(&mut b).as_deref(), Some("941"));
    let mut c = client(s.addr);
    let mut buf = [0u8; 16];
    // Closed at once: end of stream (or a reset) before anything is sent, well inside WAIT.
    let started = Instant::now();
    assert!(matches!(c.read(&mut buf), Ok(0) | Err(_)));
    assert!(started.elapsed() < WAIT);
    drop(a);
    // The server notices the close on its next read; until then the cap still holds (bounded retry).
    let deadline = Instant::now() + WAIT;
    let served = loop {
        let mut d = client(s.addr);
        if let Some(answer) = login(&mut d) {
            break answer;
        }
        assert!(
            Instant::now() < deadline,
            "no new client was served after one closed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(served, "941");
    assert_eq!(
        login(&mut b).as_deref(),
        Some("941"),
        "the others are still served"
    );
    let log = s.stop();
    assert!(
        log.contains("closed the connection from 127.0.0.1:")
            && log.contains("2 connections are open (--max-connections)"),
        "{log}"
    );
}
