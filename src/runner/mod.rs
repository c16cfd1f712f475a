//! The runner: scenarios in, results out. [`plan`] loads and selects scenarios, starts the
//! built-in emulator when no endpoint is given and probes the ACS's BX; [`trials`] turns each
//! scenario into a libtest-mimic trial that runs its steps on one connection ([`exec`]);
//! [`skip`] says why a scenario or step does not run (BX, error detection, profile records);
//! [`shuffle`] orders a run from a seed (`--shuffle`); [`events`] tells an observer what runs
//! as it runs (progress, `run -v`) and carries the switch that stops a run early.
//! `sip2check run` and `tests/conformance.rs` ([`harness_main`]) both go through here.
//!
//! Main types: [`RunConfig`], [`Plan`], [`result::RunResult`] (the one result model every
//! reporter reads). Never prints except through libtest-mimic.

pub mod events;
pub mod exec;
pub mod plan;
pub mod result;
pub mod shuffle;
pub mod skip;
pub mod trials;

pub use events::{Abort, Event, Events, Observer};
pub use plan::{Plan, RunConfig, Selection, SetupError, Target, plan, select};
pub use result::{Outcome, Phase, RunResult, ScenarioResult, StepResult, StepStatus, Tally};
pub use skip::Capabilities;
pub use trials::{
    Sink, execute, execute_into, harness_main, not_run, run_result, trials, unfinished,
};
