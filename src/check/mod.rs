//! Judging a response: matchers, the field-by-field comparison of a response with a step's
//! expectations (one result per expectation, with its ground and verdict: passed, failed or
//! warned), and diff segments for reports.
//!
//! Pure functions over `sip2::Analysis` and `scenario::Expect`; no I/O, no formatting of
//! whole reports (that is `report/`).

pub mod compare;
pub mod diff;
pub mod matcher;

pub use compare::{Captured, CheckResult, Judge, Target, Verdict, capture, compare, not_applied};
pub use matcher::{FieldMatcher, Judgement, Matcher, Raw};
