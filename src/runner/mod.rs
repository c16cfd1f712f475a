//! The runner: scenarios in, results out. [`plan()`] loads and selects scenarios, starts the
//! built-in emulator when no endpoint is given and probes the ACS's BX; [`trials()`] turns each
//! scenario into a libtest-mimic trial that runs its steps on one connection ([`exec`]);
//! [`skip`] says why a scenario or step does not run (BX, error detection, profile records);
//! [`shuffle`] orders a run from a seed (`--shuffle`); [`events`] tells an observer what runs
//! as it runs (progress, `run -v`) and carries the switch that stops a run early.
//! `sip2check run` and `cargo test` harnesses such as `tests/conformance.rs`
//! ([`harness_main_with`], [`harness_main`]) both go through here.
//!
//! Main types: [`RunConfig`], [`Plan`], [`result::RunResult`] (the one result model every
//! reporter reads). Never prints except through libtest-mimic.

pub mod events;
pub mod exec;
pub mod harness;
pub mod plan;
pub mod result;
pub mod shuffle;
pub mod skip;
pub mod trials;

pub use events::{Abort, Event, Events, Observer};
pub use harness::{HarnessError, HarnessOptions, harness_main, harness_main_with};
pub use plan::{
    EmulatorSetup, Plan, RunConfig, Selection, SetupError, Target, plan, plan_on, select,
};
pub use result::{Outcome, Phase, RunResult, ScenarioResult, StepResult, StepStatus, Tally};
pub use skip::Capabilities;
/// The runtime handle trials block on ([`Plan::handle`]), re-exported so a test crate needs
/// no tokio dependency of its own to use it.
pub use tokio::runtime::Handle;
pub use trials::{Review, Sink, execute, execute_into, not_run, run_result, trials, unfinished};
