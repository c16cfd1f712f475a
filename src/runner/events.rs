//! What a run reports while it runs, for live views (`run`'s progress line and `run -v`'s
//! transcripts): a scenario or step started or finished. Results leave the runner only
//! through the redaction pass, so the observer a plan is given sees every step masked as the
//! reports mask it ([`Events::masked`]). An [`Abort`] stops a run early: scenarios not yet
//! started are not run, and running ones stop before their next step (their cleanup still runs).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::result::{Phase, ScenarioResult, StepResult};
use crate::check::Captured;
use crate::report::redact::Redactor;

/// One thing that happened in a run.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A scenario's trial began.
    ScenarioStarted {
        /// Its id.
        id: &'a str,
    },
    /// A step is about to be sent.
    StepStarted {
        /// The scenario's id.
        id: &'a str,
        /// The step's position in its phase, from 1.
        index: usize,
        /// The scenario's steps, or the cleanup.
        phase: Phase,
        /// The step's name.
        name: &'a str,
    },
    /// A step has its result (run, skipped or not run).
    StepFinished {
        /// The scenario's id.
        id: &'a str,
        /// The step's result.
        step: &'a StepResult,
    },
    /// A scenario has its result (also a skipped one).
    ScenarioFinished {
        /// The result.
        result: &'a ScenarioResult,
    },
}

/// Something that watches a run; called from the trials' threads, so it must be quick.
pub trait Observer: Send + Sync {
    /// Called for each event, in order for any one scenario.
    fn event(&self, event: &Event<'_>);
}

/// Where a run's events go: nowhere, or to an observer.
#[derive(Clone, Default)]
pub struct Events(Option<Arc<dyn Observer>>);

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Events(observed)"
        } else {
            "Events(none)"
        })
    }
}

impl Events {
    /// Events for `observer` through `redactor`: step names, transcripts, checks, errors and
    /// results masked as [`Redactor::scenario`] masks them (values captured from masked fields
    /// included, from the step that captured them on).
    pub fn masked(observer: Arc<dyn Observer>, redactor: Redactor) -> Events {
        Events(Some(Arc::new(Masked {
            inner: observer,
            redactor,
            captured: Mutex::new(HashMap::new()),
        })))
    }

    /// Hands `event` to the observer, if there is one.
    pub fn emit(&self, event: Event<'_>) {
        if let Some(o) = &self.0 {
            o.event(&event);
        }
    }
}

/// The redaction pass in front of an observer.
struct Masked {
    inner: Arc<dyn Observer>,
    redactor: Redactor,
    /// What each running scenario captured so far (its masked fields' values are secrets).
    captured: Mutex<HashMap<String, Vec<Captured>>>,
}

impl Observer for Masked {
    fn event(&self, event: &Event<'_>) {
        match *event {
            Event::ScenarioStarted { .. } => self.inner.event(event),
            Event::StepStarted {
                id,
                index,
                phase,
                name,
            } => {
                let name = self.redactor.text(name);
                self.inner.event(&Event::StepStarted {
                    id,
                    index,
                    phase,
                    name: &name,
                });
            }
            Event::StepFinished { id, step } => {
                let masked = {
                    let mut map = self.captured.lock().unwrap_or_else(|p| p.into_inner());
                    let earlier = map.entry(id.to_string()).or_default();
                    let masked = self.redactor.live_step(earlier, step.clone());
                    earlier.extend(step.captures.iter().cloned());
                    masked
                };
                self.inner.event(&Event::StepFinished { id, step: &masked });
            }
            Event::ScenarioFinished { result } => {
                self.captured
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&result.id);
                let masked = self.redactor.scenario(result.clone());
                self.inner
                    .event(&Event::ScenarioFinished { result: &masked });
            }
        }
    }
}

/// The switch that stops a run early, with the reason reports give ("the run was interrupted
/// (SIGINT)"); shared by every clone.
#[derive(Debug, Clone, Default)]
pub struct Abort(Arc<OnceLock<String>>);

impl Abort {
    /// Stops the run for `reason` (the first reason given stays).
    pub fn set(&self, reason: String) {
        let _ = self.0.set(reason);
    }

    /// Why the run was stopped, once it was.
    pub fn reason(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}
