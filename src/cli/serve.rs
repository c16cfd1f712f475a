//! `sip2check serve`: run the reference ACS emulator until Ctrl-C or SIGTERM.
//!
//! Prints `listening on ADDR` as its first stdout line (so scripts and tests can use port 0),
//! logs `--strict` violations to stderr as they arrive, and writes the certification report
//! (`--report FILE`, JUnit; `--json` adds FILE with a .json extension; `--html FILE`, a
//! self-contained page) when it stops.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use super::color::Colors;
use super::interrupt::Signals;
use super::{Exit, ExitError};
use crate::acs::{
    self, Dialect, Faults, FieldOrder, Library, Reply, ServeOptions, ServeReport, ServerTls,
    Traffic, TrafficLog,
};
use crate::report::html::records::{self, RecordsPage, Sender};
use crate::sip2::redact::Redaction;
use crate::sip2::{Encoding, FieldId, MessageCode, Terminator, render};

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Always answer 96 (Request SC Resend).
    #[arg(long, help_heading = "Faults")]
    pub always_96: bool,
    /// Answer with a wrong checksum (AY/AZ on every response).
    #[arg(long, help_heading = "Faults")]
    pub bad_checksum: bool,
    /// Close the connection after answering N messages.
    #[arg(long, value_name = "N", help_heading = "Faults")]
    pub close_after: Option<usize>,
    /// Close the connection when a message with this code arrives (e.g. 11).
    #[arg(long, value_name = "CODE", value_parser = parse_code, help_heading = "Faults")]
    pub close_on: Option<MessageCode>,
    /// Wait this many milliseconds before every response.
    #[arg(long, value_name = "MS", help_heading = "Faults")]
    pub delay_ms: Option<u64>,
    /// Answer like this system: evergreen, koha, folio or emulator [default: emulator]; the
    /// other dialect flags override single knobs of the preset.
    #[arg(long, value_name = "SYSTEM", value_parser = acs::parse_preset, help_heading = "Dialect")]
    pub dialect: Option<Dialect>,
    /// Leave this field out of every response (repeatable, e.g. --drop-field AO).
    #[arg(long = "drop-field", value_name = "ID", value_parser = parse_field, help_heading = "Faults")]
    pub drop_fields: Vec<FieldId>,
    /// Encoding of requests and responses: utf-8, ascii, latin1, cp1252, cp850 [default: utf-8].
    #[arg(long, help_heading = "Dialect")]
    pub encoding: Option<Encoding>,
    /// Checksums: on (every response has AZ), off (never); default: as the request.
    #[arg(long, value_name = "on|off", value_parser = acs::parse_on_off, help_heading = "Dialect")]
    pub error_detection: Option<bool>,
    /// Field order of responses: spec, reverse or koha [default: spec].
    #[arg(long, value_name = "spec|reverse|koha", help_heading = "Dialect")]
    pub field_order: Option<FieldOrder>,
    /// Answer with bytes that are not SIP.
    #[arg(long, help_heading = "Faults")]
    pub garbage: bool,
    /// Write the client's conformance as a self-contained HTML page here when the server stops
    /// (needs --strict).
    #[arg(
        long,
        value_name = "FILE",
        requires = "strict",
        help_heading = "Reports"
    )]
    pub html: Option<PathBuf>,
    /// Give every connection its own fresh copy of the library.
    #[arg(long, help_heading = "Server")]
    pub isolate: bool,
    /// Also write the report as JSON, next to --report with a .json extension.
    #[arg(long, requires = "report", help_heading = "Reports")]
    pub json: bool,
    /// Library YAML file [default: the built-in fixtures/library.yaml].
    #[arg(long, value_name = "FILE", help_heading = "Server")]
    pub library: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(
        long,
        value_name = "ADDR:PORT",
        default_value = "127.0.0.1:6001",
        help_heading = "Server"
    )]
    pub listen: SocketAddr,
    /// Append every request and response to this file, with a timestamp, the connection and
    /// the peer (passwords masked; patron personal data too unless --no-redact).
    #[arg(long, value_name = "FILE", help_heading = "Reports")]
    pub log: Option<PathBuf>,
    /// The first message must be a successful 93 Login (otherwise the connection is closed).
    #[arg(long, help_heading = "Server")]
    pub login_required: bool,
    /// Show patron personal data (AE, BD, BE, BF, PB) in the --log file; passwords stay masked.
    #[arg(long, requires = "log", help_heading = "Reports")]
    pub no_redact: bool,
    /// Connections served at once; one more is closed at once, with a line on stderr.
    #[arg(long, value_name = "N", default_value_t = acs::DEFAULT_MAX_CONNECTIONS, value_parser = parse_cap, help_heading = "Server")]
    pub max_connections: usize,
    /// Write the client's conformance (JUnit XML) here when the server stops (needs --strict).
    #[arg(
        long,
        value_name = "FILE",
        requires = "strict",
        help_heading = "Reports"
    )]
    pub report: Option<PathBuf>,
    /// Read requests and never answer.
    #[arg(long, help_heading = "Faults")]
    pub silent: bool,
    /// Write responses in chunks of N bytes with a short pause between them.
    #[arg(long, value_name = "N", help_heading = "Faults")]
    pub split: Option<usize>,
    /// Lint every request and log each violation with the raw message.
    #[arg(long, help_heading = "Reports")]
    pub strict: bool,
    /// Telnet-style login (login: / password: prompts) before SIP.
    #[arg(long, help_heading = "Server")]
    pub telnet: bool,
    /// Response terminator: cr, crlf or lf [default: cr].
    #[arg(long, help_heading = "Dialect")]
    pub terminator: Option<Terminator>,
    /// TLS certificate chain (PEM); needs --tls-key.
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_key",
        help_heading = "Server"
    )]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM); needs --tls-cert.
    #[arg(
        long,
        value_name = "FILE",
        requires = "tls_cert",
        help_heading = "Server"
    )]
    pub tls_key: Option<PathBuf>,
    /// Invert the Y/N flags and the 0/1 ok of responses.
    #[arg(long, help_heading = "Faults")]
    pub wrong_flags: bool,
}

fn parse_code(s: &str) -> Result<MessageCode, String> {
    MessageCode::parse(s)
        .ok_or_else(|| format!("{s:?} is not a two-character message code such as 11"))
}

fn parse_cap(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{s:?} is not a number of connections (1 or more)")),
    }
}

fn parse_field(s: &str) -> Result<FieldId, String> {
    FieldId::parse(s).ok_or_else(|| format!("{s:?} is not a two-character field ID such as AO"))
}

impl ServeArgs {
    /// The server options these flags describe.
    pub fn to_options(&self) -> ServeOptions {
        ServeOptions {
            listen: Some(self.listen),
            isolate: self.isolate,
            strict: self.strict,
            dialect: Dialect {
                terminator: self.terminator,
                encoding: self.encoding,
                login_required: self.login_required.then_some(true),
                error_detection: self.error_detection,
                field_order: self.field_order,
                ..Dialect::default()
            }
            .over(self.dialect.as_ref().unwrap_or(&Dialect::default())),
            faults: Faults {
                delay: self.delay_ms.map(Duration::from_millis),
                split: self.split.filter(|n| *n > 0),
                close_after: self.close_after,
                close_on: self.close_on,
                bad_checksum: self.bad_checksum,
                always_96: self.always_96,
                garbage: self.garbage,
                silent: self.silent,
                drop_fields: self.drop_fields.clone(),
                wrong_flags: self.wrong_flags,
            },
            tls: self
                .tls_cert
                .clone()
                .zip(self.tls_key.clone())
                .map(|(cert, key)| ServerTls { cert, key }),
            telnet: self.telnet,
            max_connections: Some(self.max_connections),
            log_traffic: self.log.is_some(),
        }
    }
}

/// Runs `serve`.
pub fn run(args: ServeArgs, colors: Colors) -> anyhow::Result<Exit> {
    let library = match &args.library {
        Some(path) => Library::load(path)?,
        None => Library::builtin(),
    };
    let opts = args.to_options();
    let log_file = match &args.log {
        Some(path) => Some(open_log(path)?),
        None => None,
    };
    let started = chrono::Local::now();
    let mut listening = None;
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    let report = runtime.block_on(async {
        // Handlers go in before the address is printed, so a SIGTERM sent right after it is caught.
        let stop = Signals::install()?;
        let mut server = acs::spawn(library, opts).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidInput {
                // A TLS certificate or key that cannot be used: a configuration error.
                ExitError {
                    exit: Exit::Usage,
                    message: format!("TLS: {e}"),
                }
            } else {
                ExitError {
                    exit: Exit::Connection,
                    message: format!("cannot listen on {}: {e}", args.listen),
                }
            }
        })?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {}", server.addr())?;
            out.flush()?;
        }
        if let Some(mut rejected) = server.take_rejections() {
            tokio::spawn(async move {
                while let Some(r) = rejected.recv().await {
                    eprintln!("sip2check serve: {r}");
                }
            });
        }
        listening = Some(server.addr());
        let writer = match (server.take_traffic(), log_file) {
            (Some(traffic), Some(file)) => {
                let redaction = if args.no_redact {
                    Redaction::Secrets
                } else {
                    Redaction::SecretsAndPersonal
                };
                Some(std::thread::spawn(move || {
                    write_log(traffic, file, redaction)
                }))
            }
            _ => None,
        };
        if let Some(mut log) = server.take_log() {
            tokio::spawn(async move {
                let paint = colors.err();
                while let Some(r) = log.recv().await {
                    if r.violations.is_empty() {
                        continue;
                    }
                    let mut lines = format!("{}: received {}\n", r.title(), r.raw);
                    for v in &r.violations {
                        lines.push_str(&format!("  {}\n", paint.violation(v)));
                    }
                    // One write per request, so the lines of two connections never interleave.
                    let _ = colors.stderr().write_all(lines.as_bytes());
                }
            });
        }
        stop.wait().await;
        Ok::<_, anyhow::Error>((server.shutdown().await, writer))
    })?;
    let (report, writer) = report;
    if let Some(writer) = writer {
        // The server is gone, so the log's channel is closed: the writer ends once it is drained.
        match writer.join() {
            Ok(Ok(0)) => {}
            Ok(Ok(dropped)) => eprintln!(
                "sip2check serve: {dropped} requests were left out of the log (the disk did not keep up)"
            ),
            Ok(Err(e)) => eprintln!("sip2check serve: writing the log: {e}"),
            Err(_) => eprintln!("sip2check serve: the log writer stopped"),
        }
    }
    eprintln!(
        "sip2check serve: stopped after {} connections, {} requests",
        report.connections, report.requests
    );
    if let Some(path) = &args.report {
        let file = std::fs::File::create(path)
            .with_context(|| format!("creating report {}", path.display()))?;
        report.write_junit(std::io::BufWriter::new(file))?;
        if args.json {
            let json_path = path.with_extension("json");
            std::fs::write(&json_path, serde_json::to_string_pretty(&report.to_json())?)
                .with_context(|| format!("writing {}", json_path.display()))?;
        }
    }
    if let Some(path) = &args.html {
        let facts = vec![
            (
                "Server",
                format!(
                    "sip2check serve --strict on {}",
                    listening.map_or_else(|| args.listen.to_string(), |a| a.to_string())
                ),
            ),
            (
                "Library",
                args.library.as_ref().map_or_else(
                    || "built-in (fixtures/library.yaml)".to_string(),
                    |p| p.display().to_string(),
                ),
            ),
            (
                "Started",
                started.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
            ),
            (
                "Stopped",
                chrono::Local::now()
                    .format("%Y-%m-%d %H:%M:%S %:z")
                    .to_string(),
            ),
            (
                "Requests",
                format!(
                    "{} received on {} connections, {} recorded",
                    report.requests,
                    report.connections,
                    report.records.len()
                ),
            ),
            ("Masked", "passwords (AC, AD, CO)".to_string()),
        ];
        std::fs::write(path, html_page(&report, facts))
            .with_context(|| format!("writing the HTML report {}", path.display()))?;
    }
    Ok(if args.strict && report.failures() > 0 {
        Exit::Failed
    } else {
        Exit::Passed
    })
}

/// Opens the `--log` file for appending (its directory created), before the server starts.
fn open_log(path: &Path) -> Result<std::fs::File, ExitError> {
    let fail = |e: std::io::Error| ExitError {
        exit: Exit::Usage,
        message: format!("cannot write the log {}: {e}", path.display()),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(fail)
}

/// Writes the traffic log until the server is gone; returns how many records were dropped.
/// It runs on a thread of its own, so a slow disk holds up only this thread: the server drops
/// what does not fit in the channel and counts it.
fn write_log(
    mut traffic: TrafficLog,
    file: std::fs::File,
    redaction: Redaction,
) -> std::io::Result<u64> {
    let mut out = std::io::BufWriter::new(file);
    while let Some(t) = traffic.records.blocking_recv() {
        out.write_all(log_lines(&t, redaction).as_bytes())?;
        if traffic.records.is_empty() {
            out.flush()?;
        }
    }
    let dropped = traffic.dropped();
    if dropped > 0 {
        writeln!(
            out,
            "{} {dropped} requests were left out of this log (the disk did not keep up)",
            stamp(std::time::SystemTime::now())
        )?;
    }
    out.flush()?;
    Ok(dropped)
}

/// A request and its answer as log lines: `TIME conn N PEER #M > REQUEST` and `... < ANSWER`,
/// masked at `redaction`, with the bytes escaped as in every transcript.
fn log_lines(t: &Traffic, redaction: Redaction) -> String {
    let head = format!(
        "{} conn {} {} #{}",
        stamp(t.at),
        t.connection,
        t.peer,
        t.index
    );
    let shown = |bytes: &[u8]| {
        let (text, _) = t.encoding.decode(bytes);
        let body = text.trim_end_matches(['\r', '\n']);
        let end = text.get(body.len()..).unwrap_or_default();
        let mut line = render::escape_wire(redaction.apply(body).as_bytes());
        line.push_str(&render::escape_wire(end.as_bytes()));
        line
    };
    let mut out = format!("{head} > {}\n", shown(&t.request));
    match &t.reply {
        Reply::Sent(bytes) => out.push_str(&format!("{head} < {}\n", shown(bytes))),
        Reply::SentThenClosed(bytes) => out.push_str(&format!(
            "{head} < {}\n{head} < (closed the connection)\n",
            shown(bytes)
        )),
        Reply::None => out.push_str(&format!("{head} < (no answer)\n")),
        Reply::Closed => out.push_str(&format!("{head} < (closed the connection)\n")),
    }
    out
}

/// RFC 3339 in local time, to the millisecond.
fn stamp(at: std::time::SystemTime) -> String {
    chrono::DateTime::<chrono::Local>::from(at)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

/// The HTML page of a `--strict` session: every request with its findings.
fn html_page(report: &ServeReport, facts: Vec<(&'static str, String)>) -> String {
    let mut notes = Vec::new();
    if report.dropped > 0 {
        notes.push(format!(
            "{} further requests were not recorded (limit {})",
            report.dropped,
            acs::MAX_RECORDS
        ));
    }
    records::page(&RecordsPage {
        title: "Self-check certification report",
        about: "Every request a self-check sent to the reference ACS emulator, linted against SIP2 2.00 (sip2check spec --rules lists the rules); a request with an error-severity finding fails.",
        facts,
        messages: report.records.iter().map(|r| (Sender::Device, r)).collect(),
        connections: Vec::new(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        super::super::parse_subcommand("serve", args)
    }

    #[test]
    fn every_knob_reaches_the_options() {
        let a = parse(&[
            "--listen",
            "127.0.0.1:0",
            "--terminator",
            "crlf",
            "--encoding",
            "cp850",
            "--login-required",
            "--error-detection",
            "off",
            "--field-order",
            "reverse",
            "--delay-ms",
            "5",
            "--split",
            "3",
            "--close-after",
            "2",
            "--close-on",
            "11",
            "--bad-checksum",
            "--always-96",
            "--garbage",
            "--silent",
            "--drop-field",
            "AO",
            "--drop-field",
            "AJ",
            "--wrong-flags",
            "--isolate",
            "--telnet",
            "--max-connections",
            "7",
        ])
        .unwrap();
        let o = a.to_options();
        assert_eq!(o.dialect.terminator, Some(Terminator::CrLf));
        assert_eq!(o.dialect.encoding, Some(Encoding::Cp850));
        assert_eq!(o.dialect.login_required, Some(true));
        assert_eq!(o.dialect.error_detection, Some(false));
        assert_eq!(o.dialect.field_order, Some(FieldOrder::Reverse));
        assert_eq!(o.faults.delay, Some(Duration::from_millis(5)));
        assert_eq!((o.faults.split, o.faults.close_after), (Some(3), Some(2)));
        assert_eq!(o.faults.close_on, Some(MessageCode::CHECKOUT));
        assert!(o.faults.bad_checksum && o.faults.always_96 && o.faults.garbage && o.faults.silent);
        assert_eq!(o.faults.drop_fields, vec![FieldId::AO, FieldId::AJ]);
        assert!(o.faults.wrong_flags && o.isolate && o.telnet);
        assert_eq!(o.max_connections, Some(7));
    }

    #[test]
    fn defaults_are_a_well_behaved_server() {
        let o = parse(&[]).unwrap().to_options();
        assert_eq!(o.listen, Some("127.0.0.1:6001".parse().unwrap()));
        assert_eq!(o.dialect, Dialect::default());
        assert_eq!(o.faults, Faults::default());
        assert!(o.tls.is_none() && !o.strict);
        assert_eq!(o.max_connections, Some(acs::DEFAULT_MAX_CONNECTIONS));
    }

    #[test]
    fn a_dialect_preset_sets_every_knob_and_flags_override_single_ones() {
        use crate::sip2::System;
        let o = parse(&["--dialect", "folio"]).unwrap().to_options();
        assert_eq!(o.dialect, Dialect::preset(System::Folio).unwrap());
        let o = parse(&["--dialect", "KOHA", "--terminator", "cr"])
            .unwrap()
            .to_options();
        let koha = Dialect::preset(System::Koha).unwrap();
        assert_eq!(o.dialect.terminator, Some(Terminator::Cr));
        assert_eq!(o.dialect.field_order, koha.field_order);
        assert_eq!(o.dialect.login_required, Some(true));
        let e = parse(&["--dialect", "sierra"]).unwrap_err().to_string();
        assert!(
            e.contains("no Sierra preset") && e.contains("evergreen, koha, folio and emulator"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(parse(&["--error-detection", "maybe"]).is_err());
        assert!(parse(&["--close-on", "123"]).is_err());
        assert!(
            parse(&["--report", "r.xml"]).is_err(),
            "--report needs --strict"
        );
        assert!(
            parse(&["--html", "r.html"]).is_err(),
            "--html needs --strict"
        );
        assert!(parse(&["--strict", "--html", "r.html"]).is_ok());
        assert!(
            parse(&["--tls-cert", "c.pem"]).is_err(),
            "--tls-cert needs --tls-key"
        );
        assert!(parse(&["--terminator", "nl"]).is_err());
        assert!(parse(&["--max-connections", "0"]).is_err());
    }
}
