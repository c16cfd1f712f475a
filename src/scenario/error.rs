//! Load errors: a message and the file, line and column it is about.

use std::fmt;
use std::path::{Path, PathBuf};

/// A scenario, common-steps or profile file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}", file = .file.display())]
pub struct LoadError {
    /// The file.
    pub file: PathBuf,
    /// Line, from 1 (1 when the error is about the whole file).
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
    /// What is wrong and what to do.
    pub message: String,
}

impl LoadError {
    /// An error at a place in `file`.
    pub fn at(file: &Path, line: usize, col: usize, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_path_buf(),
            line: line.max(1),
            col: col.max(1),
            message: message.into(),
        }
    }

    /// A serde_yaml error, with its location when it has one.
    pub fn yaml(file: &Path, err: &serde_yaml::Error) -> Self {
        let (line, col) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
        let text = err.to_string();
        // serde_yaml appends " at line L column C"; the location is already in front.
        let message = match text.find(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        LoadError::at(file, line, col, message)
    }
}

/// Every error found while loading (loading goes on past the first bad file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}
