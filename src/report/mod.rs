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
pub mod diff;
pub mod html;
pub mod json;
pub mod junit;
pub mod progress;
pub mod redact;
#[cfg(test)]
pub(crate) mod sample;
pub mod style;
pub mod text;

use std::io::Write;
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
    /// The report files, `-` (the JSON report on stdout) left out.
    pub fn files(&self) -> impl Iterator<Item = (&'static str, &Path)> {
        [
            ("JUnit", &self.junit),
            ("JSON", &self.json),
            ("HTML", &self.html),
        ]
        .into_iter()
        .filter_map(|(format, p)| p.as_deref().map(|p| (format, p)))
        .filter(|(_, p)| *p != Path::new("-"))
    }

    /// Creates the folders the report files go in (`target/sip2/junit.xml` works before anything
    /// made `target/sip2`), so a run can refuse to start when one cannot be made.
    pub fn make_dirs(&self) -> Result<(), ReportFileError> {
        for (format, path) in self.files() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(failed(format, path))?;
            }
        }
        Ok(())
    }

    /// Writes each report asked for (results already redacted, see
    /// [`redact::Redactor::run`]), without colour; a JSON path of `-` writes it to stdout.
    pub fn write(
        &self,
        result: &RunResult,
        meta: &html::run::RunMeta,
        opts: &ReportOptions,
    ) -> Result<(), ReportFileError> {
        self.make_dirs()?;
        let plain = ReportOptions {
            color: false,
            ..*opts
        };
        if let Some(path) = &self.junit {
            let file = std::fs::File::create(path).map_err(failed("JUnit", path))?;
            junit::write(result, &plain, std::io::BufWriter::new(file))
                .map_err(failed("JUnit", path))?;
        }
        if let Some(path) = &self.json {
            // A serde_json::Value always serialises.
            let text = serde_json::to_string_pretty(&json::to_value(result, &plain))
                .unwrap_or_default()
                + "\n";
            if path == Path::new("-") {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())
                    .and_then(|()| out.flush())
                    .map_err(failed("JSON", path))?;
            } else {
                std::fs::write(path, text).map_err(failed("JSON", path))?;
            }
        }
        if let Some(path) = &self.html {
            std::fs::write(path, html::run::page(result, meta, &plain))
                .map_err(failed("HTML", path))?;
        }
        Ok(())
    }
}

/// The error of writing `format` to `path`.
fn failed(format: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ReportFileError {
    let path = path.to_path_buf();
    move |source| ReportFileError {
        format,
        path,
        source,
    }
}
