//! Operations: tools for running SIP2 in production, clients of `transport/` and `sip2/`.
//!
//! [`probe`] checks accounts for monitoring (plugin output, Prometheus metrics); [`load`]
//! generates load. Must not depend on the runner's trials, the reporters or the CLI.

pub mod load;
pub mod probe;
