//! Operations on live systems and their traces: clients of `transport/` and `sip2/`.
//!
//! `logscan` finds, pairs and lints the SIP messages in server logs and captures; `proxy` sits
//! between a real self-check and a real ACS, forwards every byte unchanged and lints copies;
//! `mask` masks a message's passwords without re-encoding it; [`probe`] checks accounts for
//! monitoring (plugin output, Prometheus metrics); [`load`] generates load.
//! Must not depend on the CLI, the runner's trials or the reporters.

pub mod load;
pub mod logscan;
pub mod mask;
pub mod probe;
pub mod proxy;
