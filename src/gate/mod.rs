//! The upgrade gate: what compares *results* rather than judging one response. Baselines of
//! known failures ([`baseline`]), response snapshots ([`snapshot`]), the two-server diff
//! ([`diff`]) and recorded sessions turned into scenarios ([`record`]), over one set of
//! normalisation rules ([`normalize`]) and one decoded form of a response ([`decoded`]).
//!
//! Reads `runner::result` and plugs into the runner as [`crate::runner::Review`]s; renders
//! nothing (that is `report/`) and opens no connection itself.

pub mod baseline;
pub mod decoded;
pub mod diff;
pub mod normalize;
pub mod record;
pub mod snapshot;

pub use decoded::{Change, ChangeKind, Decoded, Part, changes};
pub use normalize::Normalizer;

/// A YAML scalar in single quotes (double quotes, JSON-escaped, when it holds control
/// characters), for the baseline and snapshot files.
fn quoted(s: &str) -> String {
    if s.chars().any(char::is_control) {
        serde_json::to_string(s).unwrap_or_else(|_| "''".into())
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// `s` on one line, for a comment.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
