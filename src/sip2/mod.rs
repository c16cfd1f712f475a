//! The SIP2 protocol with no I/O: the one spec table, the message model, framing, parsing
//! (nom), encoding, the AZ checksum, the linter and the pretty-printer.
//!
//! Nothing here knows about sockets, YAML, files or tests; everything else in sip2check uses it.
//! Main types: [`Message`], [`Parsed`], [`Violation`], [`MessageSpec`] (via [`spec`]).

pub mod checksum;
pub mod clock;
mod code;
pub mod date;
pub mod encode;
pub mod frame;
pub mod lint;
mod message;
mod parse;
pub mod plan;
pub mod redact;
pub mod render;
pub mod spec;
mod spec_table;
pub mod system;
pub mod text;
pub mod version;
mod violation;

pub use checksum::{Basis, ChecksumStatus};
pub use code::{FieldId, MessageCode};
pub use encode::{encode, to_wire};
pub use frame::{Frame, FrameError, Terminator};
pub use lint::{Context, RequestInfo, lint};
pub use message::{Field, Message, OwnedMessage, Trailer};
pub use parse::{ParseError, Parsed, parse};
pub use spec::{Direction, MessageSpec};
pub use system::System;
pub use text::Encoding;
pub use version::Protocol;
pub use violation::{FieldRef, Rule, Severity, Violation};

/// One message from the wire, decoded, parsed and linted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The message decoded in the agreed encoding.
    pub text: String,
    /// The parsed message.
    pub msg: OwnedMessage,
    /// Every violation: structural, then semantic, then wire-level.
    pub violations: Vec<Violation>,
    /// The checksum verdict.
    pub checksum: ChecksumStatus,
}

impl Analysis {
    /// True when some violation has error severity.
    pub fn has_errors(&self) -> bool {
        self.violations
            .iter()
            .any(|v| v.severity == Severity::Error)
    }
}

/// Decodes `raw` (one message without its terminator) in `ctx.encoding` (UTF-8 by default),
/// parses and lints it. `ctx.raw` is filled in from `raw`.
pub fn analyze(raw: &[u8], ctx: &Context) -> Result<Analysis, ParseError> {
    let (text, _) = ctx.encoding.unwrap_or_default().decode(raw);
    let (parsed, checksum) = analyze_in_place(raw, &text, ctx)?;
    let (msg, violations) = (parsed.msg.into_owned(), parsed.violations);
    Ok(Analysis {
        text: text.into_owned(),
        msg,
        violations,
        checksum,
    })
}

/// [`analyze`] without copies, for hot paths (the emulator, the load generator): `text` is
/// `raw` decoded in `ctx.encoding`; the message borrows from it, and the linter's findings
/// follow the parser's in `violations`.
pub fn analyze_in_place<'t>(
    raw: &[u8],
    text: &'t str,
    ctx: &Context,
) -> Result<(Parsed<'t>, ChecksumStatus), ParseError> {
    let mut parsed = parse(text)?;
    let ctx = Context {
        raw: Some(raw),
        encoding: Some(ctx.encoding.unwrap_or_default()),
        ..ctx.clone()
    };
    let checksum = lint::lint_into(&parsed.msg, text, &ctx, &mut parsed.violations);
    Ok((parsed, checksum))
}

#[doc(hidden)]
pub mod fuzzing {
    //! Entry points for fuzz targets and property tests.

    use super::*;

    /// Parsing never panics; when it finds nothing wrong, encoding gives back the input.
    pub fn parse_roundtrip(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            let _ = analyze(data, &Context::default());
            return;
        };
        if let Ok(p) = parse(text) {
            let clean = p.violations.is_empty();
            let mut violations = p.violations.clone();
            lint::lint_into(&p.msg, text, &Context::default(), &mut violations);
            if clean {
                assert_eq!(
                    encode(&p.msg),
                    text,
                    "clean parse must re-encode to its input"
                );
            }
        }
    }
}
