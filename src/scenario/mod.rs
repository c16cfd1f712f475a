//! Scenarios: the YAML language users write (one file = one scenario = one connection),
//! profiles (variables and the endpoint's dialect), `{{ }}` templates and strict loading.
//!
//! Main types: [`Scenario`], [`Step`], [`Profile`], [`Ground`]; entry points [`load()`] (with
//! the variable check) and [`load_unchecked`] + [`vars::check`]; [`load_sources`] also takes
//! the suites built into the binary ([`source`]). Depends on `sip2/` (the spec table) and
//! `check::matcher`; knows nothing of sockets.

pub mod error;
pub mod ground;
pub mod ident;
pub mod load;
pub mod locate;
pub mod model;
pub mod profile;
pub mod source;
pub mod template;
pub mod vars;
pub mod write;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use error::{LoadError, LoadErrors};
pub use ground::Ground;
pub use load::{load, load_file, load_sources, load_text, load_unchecked};
pub use model::{FixedValue, Structured};
pub use profile::{ErrorDetection, Profile, Volatile};
pub use source::Source;
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
    /// Requests the ACS must support (its BX flags) and capabilities, else the scenario is skipped.
    pub requires: Vec<Requirement>,
    /// Profile records and variables it declares it needs (`needs:`), beyond those its steps use.
    pub needs: Vec<String>,
    /// Scenario-wide error detection override.
    pub checksum: Option<bool>,
    /// The file it came from.
    pub file: PathBuf,
    /// The steps, `use:` resolved.
    pub steps: Vec<Step>,
    /// The cleanup: steps run on a fresh connection after the steps, whatever happened.
    pub finally: Vec<Step>,
}

/// One step: a request and what its response must be.
#[derive(Debug, Clone)]
pub struct Step {
    /// Stable identity, unique in the scenario: its `id:` or a slug of its name (see [`ident`]).
    pub id: String,
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
    /// The step's own `needs:`; when given, the step alone is skipped if they are missing.
    pub needs: Option<Vec<String>>,
    /// Requests and capabilities this step alone needs; it is skipped without them.
    pub requires: Vec<Requirement>,
    /// Every profile variable (and `env.NAME`) its templates use, with where.
    pub vars: Vec<VarUse>,
    /// What reverses the step when its answer shows the server did it.
    pub undo: Option<Undo>,
    /// The shared step it is, when it came from common.yaml by `use:`.
    pub shared: Option<Shared>,
}

/// A step taken from common.yaml by `use:`: what the writer needs to write `use:` again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shared {
    /// Its key in common.yaml (`login`).
    pub key: String,
    /// The name it has there (its `name:`, else the key); a `use:` step may give another.
    pub name: String,
    /// The `id:` it has there, if any; a `use:` step may give another.
    pub id: Option<String>,
}

/// A step's `undo:`: when its answer matches `when`, `steps` run in the cleanup.
#[derive(Debug, Clone)]
pub struct Undo {
    /// The condition on the answer (only message, leader, fixed and fields are set).
    pub when: Expect,
    /// The steps that reverse the step.
    pub steps: Vec<Step>,
}

/// What a scenario or step can require of the server.
#[derive(Debug, Clone, Copy)]
pub enum Requirement {
    /// A request the ACS must mark supported in its BX.
    Message(&'static MessageSpec),
    /// Error detection (AY/AZ): not there when the profile says `error_detection: off`.
    ErrorDetection,
}

impl PartialEq for Requirement {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Requirement::Message(a), Requirement::Message(b)) => a.code == b.code,
            (Requirement::ErrorDetection, Requirement::ErrorDetection) => true,
            (Requirement::Message(_), Requirement::ErrorDetection)
            | (Requirement::ErrorDetection, Requirement::Message(_)) => false,
        }
    }
}

impl Eq for Requirement {}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Message(m) => f.write_str(m.key),
            Requirement::ErrorDetection => f.write_str("error_detection"),
        }
    }
}

/// A variable a template uses, and where (for load errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarUse {
    /// The dotted name (`patron.barcode`, `env.SIP_PASSWORD`).
    pub name: String,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
}

/// A request.
#[derive(Debug, Clone)]
pub enum Send {
    /// Raw text, sent as written after expansion.
    Raw(Template),
    /// Built from the spec table.
    Structured(Structured),
}

impl Send {
    /// The message it sends, when that is known before sending (structured, or raw text that
    /// starts with a known code).
    pub fn message(&self) -> Option<&'static MessageSpec> {
        match self {
            Send::Structured(s) => Some(s.spec),
            Send::Raw(t) => crate::sip2::MessageCode::parse(t.as_str().get(..2)?)
                .and_then(crate::sip2::spec::message),
        }
    }
}

/// What a response must be.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The ground of every check here that names none (`expect.ground:`; default spec).
    pub ground: Ground,
    /// The response message.
    pub message: Option<&'static MessageSpec>,
    /// A regex on the start of the response text.
    pub leader: Option<Leader>,
    /// Fixed fields by key.
    pub fixed: Vec<(&'static str, FieldMatcher)>,
    /// Tagged fields by ID.
    pub fields: Vec<(FieldId, FieldMatcher)>,
    /// Lint rules this step accepts.
    pub lint: Vec<Rule>,
    /// Lint rules that must be reported.
    pub violations: Vec<RuleCheck>,
    /// Lint rules that must not be reported (e.g. `lf-after-cr`, a warning `--strict` lets pass).
    pub forbid: Vec<RuleCheck>,
    /// The server must close the connection instead of answering.
    pub closed: bool,
}

impl Expect {
    /// The ground of a check that says `own` (None: the block's).
    pub fn ground_of(&self, own: Option<Ground>) -> Ground {
        own.unwrap_or(self.ground)
    }
}

/// The leader check: a regex on the start of the response.
#[derive(Debug, Clone)]
pub struct Leader {
    /// The regex, with templates.
    pub regex: Template,
    /// Its own ground; None takes the block's.
    pub ground: Option<Ground>,
}

/// A lint rule that must (`violations:`) or must not (`forbid:`) be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleCheck {
    /// The rule.
    pub rule: Rule,
    /// Its own ground; None takes the block's.
    pub ground: Option<Ground>,
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loc {
    /// The file.
    pub file: Arc<str>,
    /// Line, from 1.
    pub line: usize,
    /// The `use:` step that brought it in.
    pub via: Option<Arc<Loc>>,
}

impl Loc {
    /// The place in the scenario file: the outermost `use:` that pulled this in, or itself.
    pub fn origin(&self) -> &Loc {
        match &self.via {
            Some(via) => via.origin(),
            None => self,
        }
    }
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
