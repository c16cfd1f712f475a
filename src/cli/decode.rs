//! `sip2check decode`: messages from arguments or stdin, printed field by field with their violations.

use std::io::{Read, Write};

use anyhow::Context as _;
use clap::Args;
use serde_json::json;

use super::Exit;
use super::color::Colors;
use crate::sip2::{self, Analysis, Context, Encoding, Protocol, Severity, render};

/// Arguments of `decode`.
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Messages to decode; with none, read stdin, one message per line (CR, CRLF or LF line ends).
    pub messages: Vec<String>,
    /// Print one JSON object per message instead of text.
    #[arg(long)]
    pub json: bool,
    /// Encoding of stdin bytes (utf-8, ascii, latin1, cp1252, cp850); arguments are always UTF-8.
    #[arg(long, default_value = "utf-8")]
    pub encoding: Encoding,
    /// Treat error detection as on: a message without AY/AZ is a violation.
    #[arg(long)]
    pub checksum: bool,
    /// The protocol version the session agreed (1.00 or 2.00): in 1.00 the fields 2.00 added
    /// to a 1.00 message, such as BX in 98, are not required.
    #[arg(long, default_value = "2.00")]
    pub protocol: Protocol,
}

/// Runs `decode`.
pub fn run(args: DecodeArgs, colors: Colors) -> anyhow::Result<Exit> {
    let inputs: Vec<Vec<u8>> = if args.messages.is_empty() {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("reading messages from stdin")?;
        split_lines(&buf)
    } else {
        args.messages
            .iter()
            .map(|m| m.trim_end_matches(['\r', '\n']).as_bytes().to_vec())
            .collect()
    };
    let encoding = if args.messages.is_empty() {
        args.encoding
    } else {
        Encoding::Utf8
    };
    let ctx = Context {
        encoding: Some(encoding),
        error_detection: args.checksum,
        protocol: args.protocol,
        ..Context::default()
    };
    let mut out = colors.stdout();
    let paint = colors.out();
    let mut exit = Exit::Passed;
    for (n, raw) in inputs.iter().enumerate() {
        match sip2::analyze(raw, &ctx) {
            Ok(a) => {
                if a.has_errors() {
                    exit = Exit::Failed;
                }
                if args.json {
                    writeln!(out, "{}", to_json(&a))?;
                } else {
                    write!(out, "{}", render::render(&a.msg))?;
                    write!(out, "{}", paint.violations(&a.violations))?;
                    if a.violations.is_empty() {
                        writeln!(out, "  {}", paint.paint(paint.pass, "no violations"))?;
                    }
                }
            }
            Err(e) => {
                exit = Exit::Failed;
                let line = String::from_utf8_lossy(raw);
                if args.json {
                    writeln!(out, "{}", json!({ "input": line, "error": e.to_string() }))?;
                } else {
                    let head = format!("message {}: not a SIP message", n + 1);
                    writeln!(out, "{}: {e}", paint.paint(paint.error, &head))?;
                }
            }
        }
    }
    Ok(exit)
}

/// Splits a log into messages: CR, CRLF and LF all end a line; blank lines are skipped.
fn split_lines(buf: &[u8]) -> Vec<Vec<u8>> {
    buf.split(|&b| b == b'\n' || b == b'\r')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// The JSON form documented in the README.
pub fn to_json(a: &Analysis) -> serde_json::Value {
    let spec = a.msg.spec();
    json!({
        "code": a.msg.code.as_str(),
        "name": spec.map_or("unknown", |s| s.name),
        "fixed": a.msg.fixed_fields().iter().map(|(f, v)| json!({ "name": f.key, "value": v })).collect::<Vec<_>>(),
        "fields": a.msg.fields.iter().map(|f| json!({ "id": f.id.as_str(), "name": sip2::spec::field_name(f.id), "value": f.value })).collect::<Vec<_>>(),
        "checksum": {
            "present": a.checksum.present,
            "valid": a.checksum.valid,
            "basis": a.checksum.basis.map(|b| b.as_str()),
        },
        "violations": a.violations,
        "errors": a.violations.iter().filter(|v| v.severity == Severity::Error).count(),
    })
}
