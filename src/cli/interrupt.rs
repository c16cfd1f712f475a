//! Ctrl-C (SIGINT) and SIGTERM during `run`'s trials. The first one stops the run: no
//! scenario or step starts after it, the steps running finish and their cleanup runs, the
//! reports are written for what finished and `run` exits 130 (SIGINT) or 143 (SIGTERM), the
//! shell's codes for a process ended by those signals. A second signal, or [`GRACE`] without
//! the run winding down, writes the reports at once and exits.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::Exit;
use crate::runner::Plan;

/// How long the scenarios still running get to finish after the first signal.
pub const GRACE: Duration = Duration::from_secs(5);

/// The signal that stopped a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C.
    Int,
    /// SIGTERM (what CI systems send to cancel a job).
    Term,
}

impl Signal {
    /// "SIGINT" or "SIGTERM".
    pub fn name(self) -> &'static str {
        match self {
            Signal::Int => "SIGINT",
            Signal::Term => "SIGTERM",
        }
    }

    /// The exit code: 128 plus the signal's number, as a shell reports it.
    pub fn exit(self) -> Exit {
        match self {
            Signal::Int => Exit::Interrupted,
            Signal::Term => Exit::Terminated,
        }
    }

    /// What reports say about the scenarios it kept from running.
    pub fn reason(self) -> String {
        format!("the run was interrupted ({})", self.name())
    }
}

/// Which signal stopped the run, once one did.
#[derive(Debug, Clone, Default)]
pub struct Interrupted(Arc<OnceLock<Signal>>);

impl Interrupted {
    /// The signal, if one came.
    pub fn get(&self) -> Option<Signal> {
        self.0.get().copied()
    }
}

/// Watches for the signals on the plan's runtime: the first sets the plan's abort; a second
/// one, or [`GRACE`] later, calls `cut_short` (which writes the reports and exits).
pub fn watch(
    plan: &Plan,
    cut_short: impl FnOnce(Signal) + Send + 'static,
) -> anyhow::Result<Interrupted> {
    let handle = plan.handle();
    let abort = plan.abort();
    let interrupted = Interrupted::default();
    let seen = interrupted.0.clone();
    let mut signals = {
        let _runtime = handle.enter();
        Signals::install()?
    };
    handle.spawn(async move {
        let signal = signals.next().await;
        let _ = seen.set(signal);
        abort.set(signal.reason());
        eprintln!(
            "sip2check: {}: no new step starts; the steps running now finish and their cleanup runs (up to {} s; {} again stops at once)",
            signal.name(),
            GRACE.as_secs(),
            signal.name()
        );
        tokio::select! {
            () = tokio::time::sleep(GRACE) => {}
            _ = signals.next() => {}
        }
        cut_short(signal);
    });
    Ok(interrupted)
}

/// The two signals' streams; also what stops `serve`, `proxy` and `probe --every`.
pub(super) struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    /// Installs the handlers (within a runtime); from now on the signals no longer end the process.
    pub(super) fn install() -> anyhow::Result<Signals> {
        #[cfg(unix)]
        {
            use anyhow::Context as _;
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                int: signal(SignalKind::interrupt()).context("installing the Ctrl-C handler")?,
                term: signal(SignalKind::terminate()).context("installing the SIGTERM handler")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Waits for Ctrl-C or SIGTERM.
    pub(super) async fn wait(mut self) {
        self.next().await;
    }

    /// The next signal.
    async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => Signal::Int,
                _ = self.term.recv() => Signal::Term,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            match tokio::signal::ctrl_c().await {
                Ok(()) => Signal::Int,
                Err(_) => std::future::pending().await,
            }
        }
    }
}
