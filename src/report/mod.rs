//! Reports: the console text of a failed scenario (libtest style, with the field table),
//! JUnit XML, JSON and a self-contained HTML page. All read `runner::result` (the HTML page
//! also the request records of `serve` and `proxy`); all mask passwords, and patron personal
//! data unless asked not to: the runner hands them results that went through the one redaction
//! pass (`redact::Redactor`), and their own rendering masks through `sip2::redact` and
//! `redact::check_cells`.
//!
//! Must not depend on the transport or the runner's execution; only on the result model.

pub mod console;
pub mod diff;
pub mod html;
pub mod json;
pub mod junit;
pub mod redact;
#[cfg(test)]
mod sample;
pub mod text;

use std::path::{Path, PathBuf};

use crate::runner::RunResult;
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

/// The report files of a run (`run --junit/--json/--html`, [`crate::runner::HarnessOptions`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reports {
    /// JUnit XML: a testsuite per scenario, a testcase per step.
    pub junit: Option<PathBuf>,
    /// JSON.
    pub json: Option<PathBuf>,
    /// A self-contained HTML page.
    pub html: Option<PathBuf>,
}

/// A report file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the {format} report {}: {source}", path.display())]
pub struct ReportFileError {
    /// "JUnit", "JSON" or "HTML".
    pub format: &'static str,
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub source: std::io::Error,
}

impl Reports {
    /// Writes each report asked for, creating the folders they go in (results already
    /// redacted, see [`redact::Redactor::run`]).
    pub fn write(
        &self,
        result: &RunResult,
        meta: &html::run::RunMeta,
        opts: &ReportOptions,
    ) -> Result<(), ReportFileError> {
        fn failed(
            format: &'static str,
            path: &Path,
        ) -> impl FnOnce(std::io::Error) -> ReportFileError {
            let path = path.to_path_buf();
            move |source| ReportFileError {
                format,
                path,
                source,
            }
        }
        for (format, path) in [
            ("JUnit", &self.junit),
            ("JSON", &self.json),
            ("HTML", &self.html),
        ] {
            // `target/sip2/junit.xml` works before anything made `target/sip2`.
            if let Some(parent) = path.as_deref().and_then(Path::parent) {
                let path = path.as_deref().unwrap_or(parent);
                std::fs::create_dir_all(parent).map_err(failed(format, path))?;
            }
        }
        if let Some(path) = &self.junit {
            let file = std::fs::File::create(path).map_err(failed("JUnit", path))?;
            junit::write(result, opts, std::io::BufWriter::new(file))
                .map_err(failed("JUnit", path))?;
        }
        if let Some(path) = &self.json {
            // A serde_json::Value always serialises.
            let text =
                serde_json::to_string_pretty(&json::to_value(result, opts)).unwrap_or_default();
            std::fs::write(path, text + "\n").map_err(failed("JSON", path))?;
        }
        if let Some(path) = &self.html {
            std::fs::write(path, html::run::page(result, meta, opts))
                .map_err(failed("HTML", path))?;
        }
        Ok(())
    }
}
