//! `sip2check send`: a one-shot and interactive SIP2 client that replaces telnet, printing the
//! exact bytes sent and received and each response field by field with its violations;
//! `--record FILE` writes the session as a scenario ([`crate::gate::record`]).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use super::color::Colors;
use super::{Exit, ExitError};
use crate::gate::record::{self, Recorded};
use crate::report::redact::{Redactor, secrets_of};
use crate::report::style::Palette;
use crate::scenario::Profile;
use crate::sip2::encode::fixed_part;
use crate::sip2::frame::DEFAULT_MAX_LEN;
use crate::sip2::redact::{MASK, Redaction};
use crate::sip2::render::{escape_wire, render};
use crate::sip2::{self, Encoding, FieldId, Message, MessageCode, Terminator};
use crate::transport::{
    Attempt, ConnectOptions, ErrorDetection, Exchange, Session, StepOptions, TelnetOptions,
    Timeouts, TlsOptions, TransportError, human,
};

/// Arguments of `send`.
#[derive(Debug, Args)]
pub struct SendArgs {
    /// The server: HOST:PORT, or [IPv6]:PORT.
    #[arg(long, value_name = "HOST:PORT", help_heading = "Connection")]
    pub endpoint: String,
    /// Speak TLS (implied by --ca, --cert, --sni and --insecure).
    #[arg(long, help_heading = "TLS")]
    pub tls: bool,
    /// Trust the CA certificates in this PEM file instead of the system roots.
    #[arg(long, value_name = "FILE", help_heading = "TLS")]
    pub ca: Option<PathBuf>,
    /// Present this PEM client certificate (needs --key).
    #[arg(long, value_name = "FILE", requires = "key", help_heading = "TLS")]
    pub cert: Option<PathBuf>,
    /// The PEM private key of --cert.
    #[arg(long, value_name = "FILE", requires = "cert", help_heading = "TLS")]
    pub key: Option<PathBuf>,
    /// The TLS server name to send and verify (default: the endpoint's host).
    #[arg(long, value_name = "NAME", help_heading = "TLS")]
    pub sni: Option<String>,
    /// Accept any server certificate (for test servers only; never the default).
    #[arg(long, help_heading = "TLS")]
    pub insecure: bool,
    /// Log in at the server's telnet-style `login:` and `password:` prompts before SIP.
    #[arg(long, value_name = "USER:PASS", value_parser = parse_credentials, help_heading = "Login")]
    pub telnet: Option<Credentials>,
    /// The telnet login prompt to wait for, in any case.
    #[arg(
        long,
        default_value = "login:",
        value_name = "TEXT",
        requires = "telnet",
        help_heading = "Login"
    )]
    pub telnet_login_prompt: String,
    /// The telnet password prompt to wait for, in any case.
    #[arg(
        long,
        default_value = "password:",
        value_name = "TEXT",
        requires = "telnet",
        help_heading = "Login"
    )]
    pub telnet_password_prompt: String,
    /// Add AY/AZ (sequence number and checksum) to every message; responses must carry AZ.
    #[arg(long, help_heading = "Wire")]
    pub checksum: bool,
    /// The terminator to send: cr (the spec), crlf or lf.
    #[arg(
        long,
        default_value = "cr",
        value_name = "cr|crlf|lf",
        help_heading = "Wire"
    )]
    pub terminator: Terminator,
    /// Encoding of what is sent and received: utf-8, ascii, latin1, cp1252, cp850.
    #[arg(
        long,
        default_value = "utf-8",
        value_name = "ENCODING",
        help_heading = "Wire"
    )]
    pub encoding: Encoding,
    /// Seconds to wait for the connection and for each response.
    #[arg(long, default_value = "10", value_name = "SECS", value_parser = parse_seconds, help_heading = "Connection")]
    pub timeout: Duration,
    /// Seconds of silence allowed in the middle of an answer, before the --timeout is up
    /// (a server that sends half a message and stalls fails fast).
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, help_heading = "Connection")]
    pub idle: Option<Duration>,
    /// The longest answer accepted, in bytes: a server sending an endless line fails here.
    #[arg(long, default_value_t = DEFAULT_MAX_LEN, value_name = "BYTES", value_parser = parse_max_len, help_heading = "Connection")]
    pub max_len: usize,
    /// How many times to re-send after a 96, or to send 97 after a bad checksum.
    #[arg(
        long,
        default_value_t = 3,
        value_name = "N",
        help_heading = "Connection"
    )]
    pub retries: u32,
    /// Send a 93 login first with these credentials (PASS cannot contain ':'; it is never printed).
    #[arg(long, value_name = "USER:PASS[:LOCATION]", value_parser = parse_login, help_heading = "Login")]
    pub login: Option<Login>,
    /// Write the session as a scenario: the requests sent, the answers as expectations.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Replace the --record file if it exists.
    #[arg(long, requires = "record")]
    pub force: bool,
    /// The profile whose variables the recording uses for its values (passwords, barcodes,
    /// titles) and whose `volatile:` list it follows.
    #[arg(long, value_name = "FILE", requires = "record")]
    pub profile: Option<PathBuf>,
    /// Raw SIP messages to send, without terminator; `{now}` becomes the current 18-character date.
    /// With none: a line-editing prompt when stdin is a terminal, else one message per stdin line.
    pub messages: Vec<String>,
}

/// A user and password from `USER:PASS`.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The user.
    pub user: String,
    /// The password.
    pub password: String,
}

/// The `--login` credentials.
#[derive(Debug, Clone)]
pub struct Login {
    /// CN and CO.
    pub credentials: Credentials,
    /// CP, when given.
    pub location: Option<String>,
}

fn parse_credentials(s: &str) -> Result<Credentials, String> {
    let (user, password) = s
        .split_once(':')
        .ok_or_else(|| "expected USER:PASS".to_string())?;
    if user.is_empty() {
        return Err("the user before ':' is empty; expected USER:PASS".into());
    }
    Ok(Credentials {
        user: user.to_string(),
        password: password.to_string(),
    })
}

pub(super) fn parse_login(s: &str) -> Result<Login, String> {
    let mut parts = s.splitn(3, ':');
    let (Some(user), Some(password)) = (parts.next(), parts.next()) else {
        return Err("expected USER:PASS or USER:PASS:LOCATION".into());
    };
    if user.is_empty() {
        return Err("the user before ':' is empty; expected USER:PASS[:LOCATION]".into());
    }
    Ok(Login {
        credentials: Credentials {
            user: user.to_string(),
            password: password.to_string(),
        },
        location: parts.next().map(str::to_string),
    })
}

pub(super) fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err(format!(
            "{s} is out of range; give seconds between 0 and 86400"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

fn parse_max_len(s: &str) -> Result<usize, String> {
    // The shortest message is the two-character code; a limit below that rejects every answer.
    match s.parse::<usize>() {
        Ok(n) if (3..=1 << 30).contains(&n) => Ok(n),
        Ok(_) => Err(format!(
            "{s} is out of range; give bytes between 3 and 1073741824"
        )),
        Err(_) => Err(format!("{s:?} is not a number of bytes")),
    }
}

impl SendArgs {
    fn connect_options(&self) -> ConnectOptions {
        let tls = self.tls
            || self.ca.is_some()
            || self.cert.is_some()
            || self.sni.is_some()
            || self.insecure;
        ConnectOptions {
            endpoint: self.endpoint.clone(),
            tls: tls.then(|| TlsOptions {
                ca: self.ca.clone(),
                cert: self.cert.clone(),
                key: self.key.clone(),
                sni: self.sni.clone(),
                insecure: self.insecure,
            }),
            telnet: self.telnet.as_ref().map(|c| TelnetOptions {
                user: c.user.clone(),
                password: c.password.clone(),
                login_prompt: self.telnet_login_prompt.clone(),
                password_prompt: self.telnet_password_prompt.clone(),
            }),
            terminator: self.terminator,
            encoding: self.encoding,
            error_detection: if self.checksum {
                ErrorDetection::On
            } else {
                ErrorDetection::Off
            },
            timeouts: Timeouts {
                connect: self.timeout,
                response: self.timeout,
                idle: self.idle,
            },
            max_message_len: self.max_len,
            retries: self.retries,
        }
    }
}

impl SendArgs {
    /// The passwords of the command line, which no output and no recording may hold.
    fn secrets(&self) -> Vec<String> {
        [
            self.login.as_ref().map(|l| l.credentials.password.clone()),
            self.telnet.as_ref().map(|t| t.password.clone()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Runs `send`.
pub fn run(args: SendArgs, colors: Colors) -> anyhow::Result<Exit> {
    let profile = match &args.profile {
        Some(path) => Some(Profile::load(path).map_err(|e| usage(e.to_string()))?),
        None => None,
    };
    let mut secrets = args.secrets();
    secrets.extend(profile.as_ref().map(secrets_of).unwrap_or_default());
    // send shows patron data (it is a debugging tool); passwords never leave.
    let redactor = Redactor::new(Redaction::Secrets, secrets);
    run_masked(&args, profile.as_ref(), &redactor, colors).map_err(|e| super::masked(&redactor, e))
}

fn run_masked(
    args: &SendArgs,
    profile: Option<&Profile>,
    redactor: &Redactor,
    colors: Colors,
) -> anyhow::Result<Exit> {
    if let Some(path) = &args.record {
        check_record_path(path, args.force)?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the network runtime")?;
    let opts = args.connect_options();
    let encoding = opts.encoding;
    let mut session = runtime
        .block_on(Session::connect(opts))
        .map_err(exit_error)?;
    let mut out = Masked {
        out: colors.stdout(),
        line: Vec::new(),
        redactor,
    };
    let mut client = Client {
        session: &mut session,
        runtime: &runtime,
        view: View {
            encoding,
            redactor,
            paint: colors.out(),
        },
        exit: Exit::Passed,
        recorded: args.record.as_ref().map(|_| Vec::new()),
    };
    let result = client.send_all(args, &mut out);
    let exit = client.exit;
    let recorded = client.recorded.take();
    runtime.block_on(session.close());
    if let (Some(path), Some(recorded)) = (&args.record, recorded) {
        // What was exchanged before an error is kept: a session cut short is still evidence.
        let ended = result
            .as_ref()
            .err()
            .map(|e| redactor.text(&format!("{e:#}")));
        save_recording(path, args, profile, &recorded, ended, &mut out)?;
    }
    out.flush()?;
    result.map(|()| exit)
}

/// Refuses a --record path that would overwrite a file without --force, or that cannot be
/// written, before anything is sent.
fn check_record_path(path: &Path, force: bool) -> Result<(), ExitError> {
    let shown = path.display();
    if path.is_dir() {
        return Err(usage(format!(
            "--record {shown}: that is a directory; give a file name such as {shown}/session.yaml"
        )));
    }
    // symlink_metadata: a dangling link is in the way too.
    if path.symlink_metadata().is_ok() && !force {
        return Err(usage(format!(
            "--record {shown}: the file exists; give --force to replace it"
        )));
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(usage(format!(
            "--record {shown}: the directory {} does not exist; create it first",
            parent.display()
        )));
    }
    Ok(())
}

/// Writes the recording of `recorded` to `path` and says so.
fn save_recording(
    path: &Path,
    args: &SendArgs,
    profile: Option<&Profile>,
    recorded: &[Recorded],
    ended: Option<String>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    if recorded.is_empty() {
        writeln!(
            out,
            "sip2check: nothing to record (no answer came); {} is not written",
            path.display()
        )?;
        return Ok(());
    }
    let mut notes = Vec::new();
    if let Some(e) = ended {
        notes.push(format!(
            "The session ended with an error (its request is not recorded): {e}"
        ));
    }
    if args.tls || args.ca.is_some() || args.cert.is_some() || args.sni.is_some() || args.insecure {
        notes.push("Over TLS: the profile's tls: gives the same settings.".into());
    }
    if args.telnet.is_some() {
        notes.push("After a telnet login: the profile's telnet: gives the account.".into());
    }
    if args.encoding != Encoding::Utf8 {
        notes.push(format!(
            "In {}: the profile's encoding: must say so.",
            args.encoding
        ));
    }
    let session = record::Session {
        endpoint: args.endpoint.clone(),
        profile: profile.zip(args.profile.as_ref().map(|p| p.display().to_string())),
        checksum: args.checksum,
        terminator: Some(args.terminator),
        secrets: args.secrets(),
        notes,
    };
    let text = record::record(path, recorded, &session)?;
    write_file(path, &text, args.force)
        .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
    writeln!(
        out,
        "sip2check: recorded {} exchange(s) in {}; run it with: sip2check run {} --endpoint {} --profile {}",
        recorded.len(),
        path.display(),
        path.display(),
        args.endpoint,
        args.profile.as_ref().map_or_else(
            || "YOUR-PROFILE.yaml".to_string(),
            |p| p.display().to_string()
        )
    )?;
    Ok(())
}

/// Writes `text` to `path`; without `force` only as a new file (one that appeared since the
/// check is still not overwritten).
fn write_file(path: &Path, text: &str, force: bool) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .create_new(!force)
        .open(path)?;
    file.write_all(text.as_bytes())
}

fn usage(message: String) -> ExitError {
    ExitError {
        exit: Exit::Usage,
        message,
    }
}

/// stdout through the redaction pass, a line at a time.
struct Masked<'a, W: Write> {
    out: W,
    line: Vec<u8>,
    redactor: &'a Redactor,
}

impl<W: Write> Masked<'_, W> {
    fn emit(&mut self) -> std::io::Result<()> {
        let text = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        self.out.write_all(self.redactor.text(&text).as_bytes())
    }
}

impl<W: Write> Write for Masked<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            self.line.push(b);
            if b == b'\n' {
                self.emit()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.line.is_empty() {
            self.emit()?;
        }
        self.out.flush()
    }
}

/// The open session, the verdict so far and, with --record, the exchanges.
struct Client<'a> {
    session: &'a mut Session,
    runtime: &'a tokio::runtime::Runtime,
    view: View<'a>,
    exit: Exit,
    recorded: Option<Vec<Recorded>>,
}

/// Where the prompt's lines come from: the terminal's line editor (a seam for tests).
trait Lines {
    /// The next line, None at the end (Ctrl-D, Ctrl-C).
    fn next_line(&mut self, prompt: &str) -> anyhow::Result<Option<String>>;
    /// Keeps a line sent in the history.
    fn sent(&mut self, line: &str);
}

impl Lines for rustyline::DefaultEditor {
    fn next_line(&mut self, prompt: &str) -> anyhow::Result<Option<String>> {
        match self.readline(prompt) {
            Ok(line) => Ok(Some(line)),
            Err(
                rustyline::error::ReadlineError::Eof | rustyline::error::ReadlineError::Interrupted,
            ) => Ok(None),
            Err(e) => Err(e).context("reading from the terminal"),
        }
    }

    fn sent(&mut self, line: &str) {
        // History is a convenience; a full history is no reason to stop.
        let _ = self.add_history_entry(line);
    }
}

impl Client<'_> {
    fn send_all(&mut self, args: &SendArgs, out: &mut impl Write) -> anyhow::Result<()> {
        if let Some(login) = &args.login {
            let text = login_message(login)?;
            if let Some(ex) = self.send(&text, false, out)?
                && ex.response.analysis.msg.code == MessageCode::LOGIN_RESPONSE
                && ex.response.analysis.msg.fixed_field("ok") != Some("1")
            {
                let paint = self.view.paint;
                writeln!(
                    out,
                    "  {}",
                    paint.paint(paint.error, "login refused (ok is not 1)")
                )?;
                self.exit = Exit::Failed;
            }
        }
        if !args.messages.is_empty() {
            for m in &args.messages {
                self.send(m, false, out)?;
            }
        } else if std::io::stdin().is_terminal() {
            let mut editor = rustyline::DefaultEditor::new().context("starting the line editor")?;
            self.interactive(&mut editor, out)?;
        } else {
            for line in std::io::stdin().lock().lines() {
                let line = line.context("reading messages from stdin")?;
                if !line.trim().is_empty() {
                    self.send(&line, false, out)?;
                }
            }
        }
        Ok(())
    }

    fn interactive(&mut self, lines: &mut impl Lines, out: &mut impl Write) -> anyhow::Result<()> {
        writeln!(
            out,
            "type a SIP message and Enter to send it ({{now}} is the current date); Ctrl-D or \"quit\" ends"
        )?;
        while let Some(line) = lines.next_line("sip2> ")? {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if line == "quit" || line == "exit" {
                break;
            }
            lines.sent(line);
            self.send(line, true, out)?;
        }
        Ok(())
    }

    /// Sends one message and prints the exchange; in interactive mode an error that leaves the
    /// connection usable is printed and the prompt goes on.
    fn send(
        &mut self,
        message: &str,
        interactive: bool,
        out: &mut impl Write,
    ) -> anyhow::Result<Option<Exchange>> {
        let text = expand(message);
        match self
            .runtime
            .block_on(self.session.exchange(&text, &StepOptions::default()))
        {
            Ok(ex) => {
                print_exchange(&ex, self.view, out)?;
                if ex.response.analysis.has_errors() {
                    self.exit = Exit::Failed;
                }
                if let Some(recorded) = &mut self.recorded {
                    recorded.push(Recorded {
                        typed: message.to_string(),
                        sent: text,
                        response: ex.response.analysis.clone(),
                    });
                }
                Ok(Some(ex))
            }
            Err(e) => {
                if let TransportError::ResendLimit { attempts, .. }
                | TransportError::LinkFailed { attempts, .. }
                | TransportError::NoAnswer { attempts, .. } = &e
                {
                    print_attempts(attempts, self.view, out)?;
                }
                if interactive && !e.is_connection() {
                    let paint = self.view.paint;
                    writeln!(out, "{}: {e}", paint.paint(paint.error, "error"))?;
                    self.exit = worse(self.exit, exit_of(&e));
                    return Ok(None);
                }
                Err(exit_error(e).into())
            }
        }
    }
}

/// The more serious of two verdicts (connection beats usage beats failure beats pass).
fn worse(a: Exit, b: Exit) -> Exit {
    if (b as u8) > (a as u8) { b } else { a }
}

/// Replaces `{now}` with the current SIP date and drops a trailing line end.
fn expand(message: &str) -> String {
    let message = message.trim_end_matches(['\r', '\n']);
    if message.contains("{now}") {
        message.replace("{now}", &sip2::date::now())
    } else {
        message.to_string()
    }
}

/// The 93 login built from the table.
fn login_message(login: &Login) -> anyhow::Result<String> {
    let spec = sip2::spec::message(MessageCode::LOGIN)
        .context("the protocol table has no login message")?;
    let fixed = fixed_part(spec, [("uid_algorithm", "0"), ("pwd_algorithm", "0")])?;
    let mut msg = Message::new(MessageCode::LOGIN, fixed)
        .with(FieldId::CN, login.credentials.user.as_str())
        .with(FieldId::CO, login.credentials.password.as_str());
    if let Some(loc) = &login.location {
        msg.push(FieldId::CP, loc.as_str());
    }
    Ok(sip2::encode(&msg))
}

/// How wire bytes are shown: decoded in the session's encoding, through the redaction pass.
#[derive(Clone, Copy)]
struct View<'a> {
    encoding: Encoding,
    redactor: &'a Redactor,
    paint: Palette,
}

fn print_exchange(ex: &Exchange, view: View, out: &mut impl Write) -> anyhow::Result<()> {
    print_attempts(&ex.attempts, view, out)?;
    writeln!(out, "  ({})", human(ex.elapsed))?;
    let analysis = &ex.response.analysis;
    let mut shown = analysis.msg.clone();
    for f in shown
        .fields
        .iter_mut()
        .filter(|f| Redaction::Secrets.masks(f.id) && !f.value.is_empty())
    {
        f.value = MASK.into();
    }
    write!(out, "{}", render(&shown))?;
    let paint = view.paint;
    if analysis.violations.is_empty() {
        writeln!(out, "  {}", paint.paint(paint.pass, "no violations"))?;
    } else {
        write!(out, "{}", paint.violations(&analysis.violations))?;
    }
    writeln!(out)?;
    Ok(())
}

fn print_attempts(attempts: &[Attempt], view: View, out: &mut impl Write) -> anyhow::Result<()> {
    for a in attempts {
        let note = if a.note == "request" {
            String::new()
        } else {
            format!("   ({})", a.note)
        };
        let (sent, received) = (
            view.paint.paint(view.paint.sent, ">"),
            view.paint.paint(view.paint.received, "<"),
        );
        writeln!(out, "{sent} {}{note}", masked_wire(&a.sent, view))?;
        for u in &a.unsolicited {
            writeln!(
                out,
                "{received} {}   (unsolicited: {}; reading on)",
                masked_wire(&u.wire, view),
                u.why
            )?;
        }
        if let Some(r) = &a.received {
            writeln!(out, "{received} {}", masked_wire(r, view))?;
        }
    }
    Ok(())
}

/// Escaped wire bytes with password values masked; line ends and blank lines are kept as sent.
fn masked_wire(bytes: &[u8], view: View) -> String {
    let encoding = view.encoding;
    let is_end = |b: &u8| *b == b'\r' || *b == b'\n';
    let head = bytes.iter().take_while(|b| is_end(b)).count();
    let tail = bytes
        .iter()
        .skip(head)
        .rev()
        .take_while(|b| is_end(b))
        .count();
    let body = bytes.get(head..bytes.len() - tail).unwrap_or_default();
    let (text, _) = encoding.decode(body);
    let masked = view.redactor.message(&text);
    let mut shown = bytes.get(..head).unwrap_or_default().to_vec();
    if masked == text {
        shown.extend_from_slice(body);
    } else {
        shown.extend_from_slice(&encoding.encode(&masked));
    }
    shown.extend_from_slice(bytes.get(bytes.len() - tail..).unwrap_or_default());
    escape_wire(&shown)
}

/// The exit code for a transport error: 2 for what the user must fix, 4 for the connection, 1 for the server's answers.
fn exit_of(e: &TransportError) -> Exit {
    match e {
        TransportError::BadEndpoint { .. }
        | TransportError::TlsConfig { .. }
        | TransportError::Encoding(_) => Exit::Usage,
        // The server's own protocol verdicts, though the session cannot go on.
        TransportError::LinkFailed { .. } | TransportError::NoAnswer { .. } => Exit::Failed,
        e if e.is_connection() => Exit::Connection,
        _ => Exit::Failed,
    }
}

fn exit_error(e: TransportError) -> ExitError {
    ExitError {
        exit: exit_of(&e),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_wire_lines() {
        let redactor = Redactor::new(Redaction::Secrets, ["pa|ss".to_string()]);
        let view = View {
            encoding: Encoding::Utf8,
            redactor: &redactor,
            paint: Palette::PLAIN,
        };
        let shown = masked_wire(b"9300CNuser|COsecret|CPloc|AY0AZF000\r", view);
        assert_eq!(shown, "9300CNuser|CO***|CPloc|AY0AZF000<CR>");
        assert_eq!(masked_wire(b"\n941\r\n", view), "<LF>941<CR><LF>");
        let split = masked_wire(b"9300CNuser|COpa|ss|CPloc|\r", view);
        assert_eq!(split, "9300CNuser|CO***|CPloc|<CR>");
    }

    #[test]
    fn login_is_built_from_the_table() {
        let login = parse_login("sip:pass:BR1").unwrap();
        assert_eq!(login_message(&login).unwrap(), "9300CNsip|COpass|CPBR1|");
        let plain = parse_login("sip:pass").unwrap();
        assert_eq!(login_message(&plain).unwrap(), "9300CNsip|COpass|");
        assert!(parse_login("nopassword").is_err());
    }

    #[test]
    fn now_expands_to_a_sip_date() {
        let text = expand("23001{now}AOBR1|AA1|AC|AD|\r\n");
        assert!(sip2::lint::is_date18(&text[5..23]), "{text}");
        assert!(!text.contains("{now}") && !text.ends_with('\n'));
    }

    /// The prompt's lines from a script, as a terminal would type them.
    struct Script(std::collections::VecDeque<&'static str>, Vec<String>);

    impl Lines for Script {
        fn next_line(&mut self, _prompt: &str) -> anyhow::Result<Option<String>> {
            Ok(self.0.pop_front().map(str::to_string))
        }
        fn sent(&mut self, line: &str) {
            self.1.push(line.to_string());
        }
    }

    #[test]
    fn the_prompt_records_what_it_sends_until_quit() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime
            .block_on(crate::acs::spawn(
                crate::acs::Library::builtin(),
                crate::acs::ServeOptions::default(),
            ))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("prompt.yaml");
        let endpoint = server.addr().to_string();
        let args: SendArgs = super::super::parse_subcommand(
            "send",
            &["--endpoint", &endpoint, "--record", path.to_str().unwrap()],
        )
        .unwrap();
        let redactor = Redactor::new(Redaction::Secrets, args.secrets());
        let mut session = runtime
            .block_on(Session::connect(args.connect_options()))
            .unwrap();
        let mut client = Client {
            session: &mut session,
            runtime: &runtime,
            view: View {
                encoding: Encoding::Utf8,
                redactor: &redactor,
                paint: Palette::PLAIN,
            },
            exit: Exit::Passed,
            recorded: Some(Vec::new()),
        };
        let mut lines = Script(
            [
                "9300CNsip_01|COsip_01|CPBR1|",
                "  ",
                "1720260101    120000AOBR1|AB{now}",
                "9900302.00",
                "quit",
                "9900302.00",
            ]
            .into(),
            Vec::new(),
        );
        let mut out = Vec::new();
        client.interactive(&mut lines, &mut out).unwrap();
        let recorded = client.recorded.take().unwrap();
        assert_eq!(lines.1.len(), 3, "quit ends the prompt: {:?}", lines.1);
        assert_eq!(recorded.len(), 3);
        assert_eq!(recorded[1].typed, "1720260101    120000AOBR1|AB{now}");
        assert!(!recorded[1].sent.contains("{now}"));
        runtime.block_on(session.close());
        save_recording(&path, &args, None, &recorded, None, &mut out).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("CO: \"{{ env.SIP_LOGIN_PASSWORD }}\"") && !text.contains("sip_01"),
            "{text}"
        );
        assert!(
            text.contains("    send: \"1720260101    120000AOBR1|AB{{ now }}\"\n"),
            "the raw request keeps its {{now}}: {text}"
        );
        let shown = String::from_utf8(out).unwrap();
        assert!(
            shown.contains("sip2check: recorded 3 exchange(s) in"),
            "{shown}"
        );
        drop(runtime.block_on(server.shutdown()));
    }

    #[test]
    fn record_paths_are_checked_before_anything_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.yaml");
        assert!(check_record_path(&file, false).is_ok());
        std::fs::write(&file, "x").unwrap();
        let e = check_record_path(&file, false).unwrap_err();
        assert!(e.message.contains("give --force"), "{}", e.message);
        assert!(check_record_path(&file, true).is_ok());
        let e = check_record_path(dir.path(), true).unwrap_err();
        assert!(e.message.contains("is a directory"), "{}", e.message);
        let e = check_record_path(&dir.path().join("no/s.yaml"), false).unwrap_err();
        assert!(e.message.contains("does not exist"), "{}", e.message);
        assert!(matches!(e.exit, Exit::Usage));
        write_file(&file, "new", true).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        assert!(
            write_file(&file, "newer", false).is_err(),
            "never over a file without --force"
        );
    }

    #[test]
    fn profile_and_force_need_record() {
        let parse = |a: &[&str]| super::super::parse_subcommand::<SendArgs>("send", a);
        assert!(parse(&["--endpoint", "x:1", "--force", "99"]).is_err());
        assert!(parse(&["--endpoint", "x:1", "--profile", "p.yaml", "99"]).is_err());
        let a = parse(&[
            "--endpoint",
            "x:1",
            "--record",
            "s.yaml",
            "--force",
            "--profile",
            "p.yaml",
        ])
        .unwrap();
        assert!(a.force && a.profile.is_some() && a.record.is_some());
    }

    #[test]
    fn seconds_must_be_positive() {
        assert_eq!(parse_seconds("2").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_seconds("0.5").unwrap(), Duration::from_millis(500));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("NaN").is_err());
        assert!(parse_seconds("soon").is_err());
    }
}
