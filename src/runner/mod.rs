//! The runner: scenarios in, results out, through libtest-mimic (one trial per scenario).
//!
//! Main types: [`result::RunResult`] (the one result model every reporter reads).

pub mod result;
