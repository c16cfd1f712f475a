//! Scenarios: the YAML language users write (one file = one scenario = one connection),
//! profiles (variables and the endpoint's dialect), `{{ }}` templates and strict loading.
//!
//! Main types: [`Scenario`], [`Step`], [`Profile`]; entry point [`load`]. Depends on `sip2/`
//! (the spec table) and `check::matcher`; knows nothing of sockets.

pub mod error;
pub mod load;
pub mod locate;
pub mod model;
pub mod profile;
pub mod template;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use error::{LoadError, LoadErrors};
pub use load::{load, load_file};
pub use model::{FixedValue, Structured};
pub use profile::{ErrorDetection, Profile};
pub use template::{Scope, Template};

use crate::check::matcher::FieldMatcher;
use crate::sip2::spec::MessageSpec;
use crate::sip2::{FieldId, Rule, Terminator};

/// One scenario, loaded and checked.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// `<directory>::<file stem>`, e.g. `siptest::03checkout`.
    pub id: String,
    /// Display name (the file stem by default).
    pub name: String,
    /// Free text.
    pub about: String,
    /// Tags for `--tag`.
    pub tags: Vec<String>,
    /// Requests the ACS must support (its BX flags), else the scenario is skipped.
    pub requires: Vec<&'static MessageSpec>,
    /// Scenario-wide error detection override.
    pub checksum: Option<bool>,
    /// The file it came from.
    pub file: PathBuf,
    /// The steps, `use:` resolved.
    pub steps: Vec<Step>,
}

/// One step: a request and what its response must be.
#[derive(Debug, Clone)]
pub struct Step {
    /// Display name.
    pub name: String,
    /// Where it is written.
    pub loc: Loc,
    /// The request.
    pub send: Send,
    /// Error detection override (AY/AZ on this request).
    pub checksum: Option<bool>,
    /// How long to wait for the response.
    pub timeout: Option<Duration>,
    /// Terminator override.
    pub terminator: Option<Terminator>,
    /// Answer 96 by resending and bad checksums by 97.
    pub resend: bool,
    /// What the response must be.
    pub expect: Expect,
    /// Values to keep for later steps.
    pub capture: Vec<Capture>,
}

/// A request.
#[derive(Debug, Clone)]
pub enum Send {
    /// Raw text, sent as written after expansion.
    Raw(Template),
    /// Built from the spec table.
    Structured(Structured),
}

/// What a response must be.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The response message.
    pub message: Option<&'static MessageSpec>,
    /// A regex on the start of the response text.
    pub leader: Option<Template>,
    /// Fixed fields by key.
    pub fixed: Vec<(&'static str, FieldMatcher)>,
    /// Tagged fields by ID.
    pub fields: Vec<(FieldId, FieldMatcher)>,
    /// Lint rules this step accepts.
    pub lint: Vec<Rule>,
    /// Lint rules that must be reported.
    pub violations: Vec<Rule>,
    /// Lint rules that must not be reported (e.g. `lf-after-cr`, a warning `--strict` lets pass).
    pub forbid: Vec<Rule>,
    /// The server must close the connection instead of answering.
    pub closed: bool,
}

/// A value to keep from a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    /// The variable name.
    pub name: String,
    /// Where the value comes from.
    pub source: CaptureSource,
}

/// The part of a response a capture reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureSource {
    /// The first value of a tagged field.
    Field(FieldId),
    /// A fixed field by key.
    Fixed(&'static str),
}

impl fmt::Display for CaptureSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureSource::Field(id) => write!(f, "{id}"),
            CaptureSource::Fixed(key) => f.write_str(key),
        }
    }
}

/// Where a step is written: a file and line, and the `use:` that pulled it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    /// The file.
    pub file: Arc<str>,
    /// Line, from 1.
    pub line: usize,
    /// The `use:` step that brought it in.
    pub via: Option<Arc<Loc>>,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(via) = &self.via {
            write!(f, " (used from {via})")?;
        }
        Ok(())
    }
}
