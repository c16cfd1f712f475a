//! sip2check: a conformance test harness, client and reference ACS emulator for SIP2,
//! the 3M Standard Interchange Protocol 2.00 spoken between library self-check machines
//! and library systems.
//!
//! The crate is the `sip2check` command's library: everything the command does, a Rust test
//! can do too.
//!
//! - [`sip2`]: the protocol, with no I/O: the one table of messages and fields
//!   ([`sip2::spec`]), parsing that turns every deviation into a [`sip2::Violation`], the
//!   linter and the encoder.
//! - [`scenario`]: the YAML scenarios, profiles and their loading; [`schema`]: their JSON
//!   Schemas, for editors.
//! - [`runner`]: scenarios in, results out, as libtest trials: what `sip2check run` and a
//!   `cargo test` harness ([`runner::harness_main_with`]) both run; [`report`]: console, JUnit,
//!   JSON and HTML renderings of the results.
//! - [`acs`]: the reference ACS emulator (`sip2check serve`), a real server on loopback.
//! - [`transport`]: TCP, TLS and telnet sessions to a server; [`ops`]: probe, load, logscan
//!   and proxy.
//!
//! # Scenarios as `cargo test`
//!
//! A test target with `harness = false` runs a directory of scenarios, one libtest trial
//! each, against the built-in emulator or a server of yours, and writes the reports:
//!
//! ```no_run
//! // tests/sip2.rs; Cargo.toml: [[test]] name = "sip2", harness = false
//! use sip2check::runner::{HarnessOptions, harness_main_with};
//!
//! fn main() -> std::process::ExitCode {
//!     harness_main_with(
//!         HarnessOptions::new(["tests/sip2"])
//!             .suite("spec") // a suite built into sip2check, too
//!             .strict(true)
//!             .junit("target/sip2-junit.xml"),
//!     )
//! }
//! ```
//!
//! [`runner::harness_main`] is the same with the server read from `SIP2_ENDPOINT` and
//! `SIP2_PROFILE`. For a run of your own, [`runner::HarnessOptions::to_config`] (or a
//! [`runner::RunConfig`]), [`runner::plan()`] and [`runner::execute`] return the
//! [`runner::RunResult`] every report reads; [`libtest_mimic`] and the runtime
//! [`runner::Handle`] are re-exported for it.
//!
//! # Checking a message
//!
//! ```
//! use sip2check::sip2::{self, Rule};
//!
//! let ok = sip2::parse("941AY1AZFDFC").unwrap();
//! assert_eq!(ok.msg.code.as_str(), "94");
//! assert!(ok.violations.is_empty());
//! // A Patron Status Request whose date is one digit short: parsed, with the violation.
//! let short = sip2::parse("230012006010    084237AOBR1|AA999999|AC|AD|").unwrap();
//! assert!(short.violations.iter().any(|v| v.rule == Rule::FixedLength));
//! ```
#![warn(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

pub mod acs;
pub mod check;
pub mod cli;
pub mod gate;
pub mod input;
pub mod ops;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod sip2;
pub mod transport;

/// The libtest-mimic this crate's harness is built on, re-exported so that a test crate can
/// build its own trials and `Arguments` with no dependency (and no version to match) of its own.
pub use libtest_mimic;
