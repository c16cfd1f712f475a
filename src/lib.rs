//! sip2check: a conformance test harness, client and reference ACS emulator for SIP2,
//! the 3M Standard Interchange Protocol 2.00 spoken between library self-check machines
//! and library systems.
//!
//! The protocol itself lives in [`sip2`], with no I/O.

pub mod acs;
pub mod check;
pub mod cli;
pub mod input;
pub mod ops;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod sip2;
pub mod transport;
