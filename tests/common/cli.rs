//! The built binary for the end-to-end tests: a command with a scrubbed environment, runs to
//! their end (bounded), `sip2check serve` or any subcommand that prints `listening on ADDR` on
//! a loopback port (killed when dropped), and the text of what a run printed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_sip2check");

/// The binary in the crate root, with no colour asked for either way and no endpoint or
/// profile taken from the environment.
pub fn bare() -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env_remove("SIP2_ENDPOINT")
        .env_remove("SIP2_PROFILE");
    c
}

/// [`bare`] with `NO_COLOR=1`, for plain text to compare.
pub fn bin() -> Command {
    let mut c = bare();
    c.env("NO_COLOR", "1");
    c
}

/// `sip2check ARGS` ([`bin`]) run to its end.
pub fn output<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

/// `sip2check run ARGS` ([`bin`]) run to its end.
pub fn run(args: &[&str]) -> Output {
    bin()
        .arg("run")
        .args(args)
        .output()
        .expect("the binary runs")
}

/// `sip2check run ARGS` run to its end, and its [`text`].
pub fn run_text(args: &[&str]) -> (Output, String) {
    let o = run(args);
    let text = text(&o);
    (o, text)
}

/// Runs `cmd` to its end with `stdin` written to its standard input.
pub fn output_with_stdin(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("the binary ends")
}

/// Runs `cmd` to its end, stdin closed; a run that does not end within `limit` is killed and
/// fails the test. The output goes through files, so a chatty run cannot stall on a full pipe.
pub fn output_within(cmd: &mut Command, limit: Duration) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: std::fs::read(out).unwrap(),
        stderr: std::fs::read(err).unwrap(),
    }
}

/// Runs `cmd` on the tokio runtime (for tests whose scripted server shares it) to its end with
/// `stdin` written to it; a run over `limit` is killed and fails the test.
pub async fn output_async(cmd: Command, stdin: &[u8], limit: Duration) -> Output {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::from(cmd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).await.expect("write stdin");
    drop(input);
    tokio::time::timeout(limit, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("the binary did not end by itself within {limit:?}"))
        .expect("the binary ends")
}

/// What a run wrote on stdout, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a run wrote on stderr, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Stdout and stderr as text, apart.
pub fn streams(o: &Output) -> (String, String) {
    (stdout(o), stderr(o))
}

/// Stdout and stderr, in that order, with a line break between them.
pub fn text(o: &Output) -> String {
    format!("{}\n{}", stdout(o), stderr(o))
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address")
}

/// `kill -NAME PID`; fails the test if `kill` does.
pub fn signal(pid: u32, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(ok.success(), "kill -{name} {pid}");
}

/// A running subcommand that printed `listening on ADDR` first; killed if a test fails.
pub struct Listening {
    child: Option<Child>,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The same, as text for `--endpoint`.
    pub endpoint: String,
}

impl Listening {
    /// Spawns `cmd` with stdout and stderr piped and reads its `listening on ADDR` line.
    pub fn start(cmd: &mut Command) -> Listening {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sip2check runs");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("the listening line");
        let endpoint = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .to_string();
        Listening {
            child: Some(child),
            addr: endpoint.parse().expect("an address"),
            endpoint,
        }
    }

    /// SIGTERM, then the exit code and stderr.
    pub fn stop(mut self) -> (i32, String) {
        let child = self.child.take().expect("still running");
        signal(child.id(), "TERM");
        let out = child.wait_with_output().expect("it ends");
        (out.status.code().unwrap_or(-1), stderr(&out))
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `sip2check ARGS` ([`bin`]), for a subcommand that prints `listening on ADDR` first.
pub fn start(args: &[&str]) -> Listening {
    Listening::start(bin().args(args))
}

/// `sip2check serve --listen 127.0.0.1:0 ARGS`.
pub fn serve(args: &[&str]) -> Listening {
    serve_on("127.0.0.1:0", args)
}

/// `sip2check serve --listen LISTEN ARGS`.
pub fn serve_on(listen: &str, args: &[&str]) -> Listening {
    Listening::start(bin().args(["serve", "--listen", listen]).args(args))
}

/// `sip2check serve` as a shared test server: each connection its own copy of the library
/// (`--isolate`), a login first (`--login-required`), the library file if given.
pub fn serve_isolated(library: Option<&Path>) -> Listening {
    let mut cmd = bin();
    cmd.args([
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--isolate",
        "--login-required",
    ]);
    if let Some(l) = library {
        cmd.arg("--library").arg(l);
    }
    Listening::start(&mut cmd)
}

/// Sends each request (CR added) on one connection and reads each answer through its CR.
pub fn exchange(addr: SocketAddr, requests: &[&str]) -> Vec<String> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut out = Vec::new();
    for r in requests {
        s.write_all(format!("{r}\r").as_bytes()).unwrap();
        let mut resp = Vec::new();
        let mut byte = [0u8; 1];
        while !resp.ends_with(b"\r") {
            s.read_exact(&mut byte).unwrap();
            resp.push(byte[0]);
        }
        out.push(String::from_utf8_lossy(&resp).trim_end().to_string());
    }
    out
}
