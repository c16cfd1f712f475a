//! `sip2check proxy`: a linting proxy between a real self-check and a real ACS, until Ctrl-C or SIGTERM.
//!
//! Prints `listening on ADDR` as its first stdout line (so scripts and tests can use port 0),
//! connections and findings on stderr as they happen, and writes the certification report
//! (`--report FILE`, JUnit; `--json` adds FILE with a .json extension; `--html FILE`, a
//! self-contained page) when it stops.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use super::color::Colors;
use super::interrupt::Signals;
use super::{Exit, ExitError};
use crate::acs::ServerTls;
use crate::ops::proxy::{self, LintOptions, ProxyOptions, ProxyReport, Side};
use crate::report::html::records::{self, Connection, RecordsPage, Sender};
use crate::sip2::Encoding;
use crate::sip2::redact::Redaction;
use crate::transport::TlsOptions;

/// Arguments of `proxy`.
#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Accept self-checks from the network: without it --listen must be a loopback address.
    #[arg(long)]
    pub allow_remote: bool,
    /// CA certificates (PEM) to verify the ACS with instead of the system roots; implies --upstream-tls.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// Treat error detection as on: a message without AY/AZ is a violation.
    #[arg(long)]
    pub checksum: bool,
    /// Connecting to the ACS (TLS included) must finish within SECS.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub connect_timeout: u64,
    /// The encoding both sides use: utf-8, ascii, latin1, cp1252, cp850.
    #[arg(long, default_value = "utf-8")]
    pub encoding: Encoding,
    /// Write the certification report as a self-contained HTML page here when the proxy stops.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Close a pair after SECS without traffic either way.
    #[arg(long, value_name = "SECS", default_value_t = proxy::DEFAULT_IDLE.as_secs())]
    pub idle: u64,
    /// Accept any certificate from the ACS (test servers only); implies --upstream-tls.
    #[arg(long)]
    pub insecure: bool,
    /// Also write the report as JSON, next to --report with a .json extension.
    #[arg(long, requires = "report")]
    pub json: bool,
    /// The address self-checks connect to (port 0 picks a free port).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: SocketAddr,
    /// Write a timestamped transcript of both directions here (passwords masked).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Serve at most N device connections at once; one over the cap is closed at once.
    #[arg(long, value_name = "N", default_value_t = proxy::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// The longest message framed for linting; longer ones are forwarded but not linted.
    #[arg(long, value_name = "BYTES", default_value_t = crate::sip2::frame::DEFAULT_MAX_LEN)]
    pub max_message: usize,
    /// Show patron personal data (AE, BD, BE, BF, PB) in the transcript and report; passwords stay masked.
    #[arg(long)]
    pub no_redact: bool,
    /// Write the certification report (JUnit XML) here when the proxy stops.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// The server name to send to the ACS and verify; implies --upstream-tls.
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
    /// Devices log in with telnet-style prompts first: that dialogue passes through and is not linted.
    #[arg(long)]
    pub telnet: bool,
    /// TLS certificate chain (PEM) to serve devices with; needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) for --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The ACS: HOST:PORT, or [v6]:PORT.
    #[arg(long, value_name = "HOST:PORT")]
    pub upstream: String,
    /// Speak TLS to the ACS (system roots unless --ca).
    #[arg(long)]
    pub upstream_tls: bool,
}

impl ProxyArgs {
    /// The proxy options these flags describe.
    pub fn to_options(&self) -> ProxyOptions {
        let upstream_tls =
            (self.upstream_tls || self.ca.is_some() || self.insecure || self.sni.is_some()).then(
                || TlsOptions {
                    ca: self.ca.clone(),
                    sni: self.sni.clone(),
                    insecure: self.insecure,
                    ..TlsOptions::default()
                },
            );
        ProxyOptions {
            listen: self.listen,
            allow_remote: self.allow_remote,
            upstream: self.upstream.clone(),
            upstream_tls,
            connect_timeout: Duration::from_secs(self.connect_timeout.max(1)),
            device_tls: self
                .tls_cert
                .clone()
                .zip(self.tls_key.clone())
                .map(|(cert, key)| ServerTls { cert, key }),
            max_connections: self.max_connections.max(1),
            idle: Duration::from_secs(self.idle.max(1)),
            lint: LintOptions {
                encoding: self.encoding,
                error_detection: self.checksum,
                redaction: if self.no_redact {
                    Redaction::Secrets
                } else {
                    Redaction::SecretsAndPersonal
                },
                max_message: self.max_message.max(1),
                telnet: self.telnet,
            },
            log: self.log.clone(),
        }
    }
}

/// Runs `proxy`.
pub fn run(args: ProxyArgs, colors: Colors) -> anyhow::Result<Exit> {
    let opts = args.to_options();
    let started = chrono::Local::now();
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    let report = runtime.block_on(async {
        // Handlers go in before the address is printed, so a SIGTERM sent right after it is caught.
        let stop = Signals::install()?;
        let mut running = proxy::spawn(opts).await.map_err(|e| ExitError {
            exit: if e.is_usage() {
                Exit::Usage
            } else {
                Exit::Connection
            },
            message: e.to_string(),
        })?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {}", running.addr())?;
            out.flush()?;
        }
        if let Some(mut events) = running.take_events() {
            tokio::spawn(async move {
                while let Some(e) = events.recv().await {
                    eprintln!("sip2check proxy: {e}");
                }
            });
        }
        stop.wait().await;
        Ok::<_, anyhow::Error>(running.shutdown().await)
    })?;
    let paint = colors.err();
    let failed = report.failures_by(Side::Device) + report.failures_by(Side::Acs);
    let verdict = if failed > 0 { paint.error } else { paint.pass };
    let _ = writeln!(
        colors.stderr(),
        "sip2check proxy: stopped after {} connection{} ({} refused); {}",
        report.connections,
        if report.connections == 1 { "" } else { "s" },
        report.refused,
        paint.paint(
            verdict,
            &format!(
                "the device sent {} ({} failed), the ACS {} ({} failed)",
                report.types_used(Side::Device),
                report.failures_by(Side::Device),
                report.types_used(Side::Acs),
                report.failures_by(Side::Acs),
            )
        ),
    );
    if report.transcript_dropped > 0 {
        eprintln!(
            "sip2check proxy: {} transcript lines were lost (the disk did not keep up)",
            report.transcript_dropped
        );
    }
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
        std::fs::write(path, html_page(&report, &args, started))
            .with_context(|| format!("writing the HTML report {}", path.display()))?;
    }
    Ok(if report.failures() > 0 {
        Exit::Failed
    } else {
        Exit::Passed
    })
}

/// The HTML page of a proxy session: every message both ways, who sent it, its findings, and
/// how each connection ended.
fn html_page(
    report: &ProxyReport,
    args: &ProxyArgs,
    started: chrono::DateTime<chrono::Local>,
) -> String {
    let time = |t: chrono::DateTime<chrono::Local>| t.format("%Y-%m-%d %H:%M:%S %:z").to_string();
    let facts = vec![
        ("Listening on", report.listen.clone()),
        ("ACS", report.upstream.clone()),
        ("Started", time(started)),
        ("Stopped", time(chrono::Local::now())),
        (
            "Connections",
            format!(
                "{} served, {} refused at the cap",
                report.connections, report.refused
            ),
        ),
        ("Device sent", report.types_used(Side::Device)),
        ("ACS sent", report.types_used(Side::Acs)),
        (
            "Masked",
            if args.no_redact {
                "passwords (AC, AD, CO); patron personal data is shown (--no-redact)"
            } else {
                "passwords (AC, AD, CO) and patron personal data (AE, BD, BE, BF, PB)"
            }
            .to_string(),
        ),
    ];
    let mut notes = Vec::new();
    if report.dropped > 0 {
        notes.push(format!(
            "{} further records were not kept (limit {})",
            report.dropped,
            crate::acs::MAX_RECORDS
        ));
    }
    if report.transcript_dropped > 0 {
        notes.push(format!(
            "{} transcript lines were lost (the disk did not keep up)",
            report.transcript_dropped
        ));
    }
    let connections = report
        .ended
        .iter()
        .map(|c| Connection {
            number: c.connection,
            peer: c.peer.clone(),
            summary: format!(
                "{}; {} messages from the device, {} from the ACS, {} unanswered",
                c.ending.describe(),
                c.messages.0,
                c.messages.1,
                c.unanswered
            ),
            error: c.error.clone(),
        })
        .collect();
    records::page(&RecordsPage {
        title: "Proxy certification report",
        about: "Every message between a self-check and an ACS, as sip2check proxy forwarded it unchanged, each linted against SIP2 2.00 (sip2check spec --rules lists the rules); a message with an error-severity finding fails.",
        facts,
        messages: report
            .records
            .iter()
            .map(|(side, r)| {
                let sender = match side {
                    Side::Device => Sender::Device,
                    Side::Acs => Sender::Acs,
                };
                (sender, r)
            })
            .collect(),
        connections,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<ProxyArgs, clap::Error> {
        super::super::parse_subcommand("proxy", args)
    }

    #[test]
    fn flags_reach_the_options() {
        let a = parse(&[
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "acs.example.org:6001",
            "--ca",
            "ca.pem",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem",
            "--telnet",
            "--max-connections",
            "3",
            "--max-message",
            "100",
            "--idle",
            "7",
            "--checksum",
            "--encoding",
            "cp850",
            "--log",
            "t.log",
            "--report",
            "r.xml",
            "--json",
            "--html",
            "r.html",
            "--no-redact",
        ])
        .unwrap();
        let o = a.to_options();
        assert_eq!(o.upstream, "acs.example.org:6001");
        let tls = o.upstream_tls.expect("--ca implies --upstream-tls");
        assert_eq!(tls.ca, Some(PathBuf::from("ca.pem")));
        assert!(!tls.insecure);
        assert_eq!(o.device_tls.unwrap().key, PathBuf::from("k.pem"));
        assert_eq!((o.max_connections, o.idle), (3, Duration::from_secs(7)));
        assert!(o.lint.telnet && o.lint.error_detection);
        assert_eq!(
            (o.lint.max_message, o.lint.encoding),
            (100, Encoding::Cp850)
        );
        assert_eq!(o.lint.redaction, Redaction::Secrets);
        assert_eq!(o.log, Some(PathBuf::from("t.log")));
        assert_eq!(a.html, Some(PathBuf::from("r.html")));
    }

    #[test]
    fn defaults_and_refusals() {
        let o = parse(&["--listen", "127.0.0.1:0", "--upstream", "h:1"])
            .unwrap()
            .to_options();
        assert!(o.upstream_tls.is_none() && o.device_tls.is_none() && !o.allow_remote);
        assert_eq!(o.max_connections, proxy::DEFAULT_MAX_CONNECTIONS);
        assert_eq!(o.lint.redaction, Redaction::SecretsAndPersonal);
        assert!(
            parse(&["--listen", "127.0.0.1:0"]).is_err(),
            "--upstream is required"
        );
        assert!(
            parse(&["--upstream", "h:1"]).is_err(),
            "--listen is required"
        );
        assert!(parse(&["--listen", "127.0.0.1:0", "--upstream", "h:1", "--json"]).is_err());
        assert!(
            parse(&[
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "h:1",
                "--tls-cert",
                "c.pem"
            ])
            .is_err()
        );
        let insecure = parse(&["--listen", "127.0.0.1:0", "--upstream", "h:1", "--insecure"])
            .unwrap()
            .to_options();
        assert!(insecure.upstream_tls.is_some_and(|t| t.insecure));
    }
}
