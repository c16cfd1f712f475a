//! `sip2check logscan`: the SIP messages in server logs and captures, paired, linted and summarised.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::Exit;
use super::color::Colors;
use crate::ops::logscan::{self, Format, Options, Scanner};
use crate::sip2::Encoding;
use crate::sip2::redact::Redaction;

/// Arguments of `logscan`.
#[derive(Debug, Args)]
pub struct LogscanArgs {
    /// Log files or captures to read ("-" for stdin).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Treat error detection as on: a message without AY/AZ is a violation.
    #[arg(long)]
    pub checksum: bool,
    /// The encoding the server used on the wire (checksums are over those bytes): utf-8, ascii, latin1, cp1252, cp850.
    #[arg(long, default_value = "utf-8")]
    pub encoding: Encoding,
    /// The format of every file: evergreen, koha, edge-sip2, fsip2, proxy or raw [default: detected per file].
    #[arg(long)]
    pub format: Option<Format>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show patron personal data (AE, BD, BE, BF, PB) in the messages shown; passwords stay masked.
    #[arg(long)]
    pub no_redact: bool,
    /// How many of the worst messages to show.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub worst: usize,
}

impl LogscanArgs {
    /// The scan options these flags describe.
    pub fn to_options(&self) -> Options {
        Options {
            format: self.format,
            worst: self.worst,
            encoding: self.encoding,
            error_detection: self.checksum,
            redaction: if self.no_redact {
                Redaction::Secrets
            } else {
                Redaction::SecretsAndPersonal
            },
        }
    }
}

/// Runs `logscan`: exit 0 when no message has an error-severity finding, 1 when one has, 2 when a file could not be read.
pub fn run(args: LogscanArgs, colors: Colors) -> anyhow::Result<Exit> {
    let mut scanner = Scanner::new(args.to_options());
    let mut unreadable = false;
    for path in &args.files {
        let shown = path.display().to_string();
        let result = if shown == "-" {
            scanner.scan("-", std::io::stdin().lock())
        } else {
            match std::fs::File::open(path) {
                Ok(f) => scanner.scan(&shown, f),
                Err(source) => {
                    let e = logscan::ScanError::Io {
                        path: shown.clone(),
                        source,
                    };
                    eprintln!("sip2check: {e}");
                    unreadable = true;
                    continue;
                }
            }
        };
        if let Err(e) = result {
            // The other files are still read, as grep does.
            eprintln!("sip2check: {e}");
            unreadable = true;
        }
    }
    let summary = scanner.finish();
    let mut out = colors.stdout();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&logscan::summary::to_json(&summary))?
        )?;
    } else {
        write!(
            out,
            "{}",
            logscan::summary::render_text(&summary, &colors.out())
        )?;
    }
    Ok(if unreadable {
        Exit::Usage
    } else if summary.errors > 0 {
        Exit::Failed
    } else {
        Exit::Passed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<LogscanArgs, clap::Error> {
        super::super::parse_subcommand("logscan", args)
    }

    #[test]
    fn flags_reach_the_options() {
        let a = parse(&[
            "a.log",
            "b.log",
            "--format",
            "koha",
            "--worst",
            "3",
            "--checksum",
            "--encoding",
            "cp850",
            "--no-redact",
        ])
        .unwrap();
        let o = a.to_options();
        assert_eq!(a.files.len(), 2);
        assert_eq!(o.format, Some(Format::Koha));
        assert_eq!((o.worst, o.error_detection), (3, true));
        assert_eq!(o.encoding, Encoding::Cp850);
        assert_eq!(o.redaction, Redaction::Secrets);
        let d = parse(&["a.log"]).unwrap().to_options();
        assert_eq!(
            (d.format, d.worst, d.redaction),
            (None, 10, Redaction::SecretsAndPersonal)
        );
        assert!(parse(&[]).is_err(), "a file is required");
        assert!(parse(&["a.log", "--format", "syslog"]).is_err());
    }
}
