//! Reports: the console text of a failed scenario (libtest style, with the field table),
//! JUnit XML, JSON and a self-contained HTML page; the styles console text is painted with
//! (`style`, decided elsewhere) and the progress line of a long run (`progress`). All read `runner::result` (the HTML page
//! also the request records of `serve` and `proxy`); all mask passwords, and patron personal
//! data unless asked not to: the runner hands them results that went through the one redaction
//! pass (`redact::Redactor`), and their own rendering masks through `sip2::redact` and
//! `redact::check_cells`.
//!
//! Must not depend on the transport or the runner's execution; only on the result model.

pub mod console;
pub mod html;
pub mod json;
pub mod junit;
pub mod progress;
pub mod redact;
#[cfg(test)]
mod sample;
pub mod style;
pub mod text;

use crate::sip2::redact::Redaction;

/// How reports are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// What to mask in transcripts (passwords always; personal data by default).
    pub redaction: Redaction,
    /// ANSI colours (console only).
    pub color: bool,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            redaction: Redaction::SecretsAndPersonal,
            color: false,
        }
    }
}
