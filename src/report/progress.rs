//! The progress line of a long run (shown only on a terminal, by `cli`): how many scenarios
//! are done, the elapsed time, the step that has been running longest, and a warning, once
//! per step, for a step slower than [`SLOW_STEP`]. Pure state and text: times are durations
//! since the run started, given by the caller, so tests drive it with a fake clock.

use std::time::Duration;

use super::text::printable;
use crate::runner::result::Phase;

/// A step running longer than this gets a warning line.
pub const SLOW_STEP: Duration = Duration::from_secs(5);

/// What is running, and how far the run is.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    total: usize,
    done: usize,
    not_passed: usize,
    running: Vec<Running>,
}

#[derive(Debug, Clone)]
struct Running {
    id: String,
    step: Option<Step>,
}

#[derive(Debug, Clone)]
struct Step {
    label: String,
    started: Duration,
    warned: bool,
}

impl Progress {
    /// A run of `total` scenarios, none started.
    pub fn new(total: usize) -> Progress {
        Progress {
            total,
            ..Progress::default()
        }
    }

    /// Scenario `id` started.
    pub fn scenario_started(&mut self, id: &str) {
        self.running.push(Running {
            id: id.to_string(),
            step: None,
        });
    }

    /// A step of scenario `id` was sent at `now`.
    pub fn step_started(
        &mut self,
        id: &str,
        index: usize,
        phase: Phase,
        name: &str,
        now: Duration,
    ) {
        let cleanup = if phase.is_cleanup() { "cleanup " } else { "" };
        if let Some(r) = self.running.iter_mut().find(|r| r.id == id) {
            r.step = Some(Step {
                label: format!("{id} {cleanup}step {index} \"{}\"", printable(name)),
                started: now,
                warned: false,
            });
        }
    }

    /// The running step of scenario `id` has its answer.
    pub fn step_finished(&mut self, id: &str) {
        if let Some(r) = self.running.iter_mut().find(|r| r.id == id) {
            r.step = None;
        }
    }

    /// Scenario `id` is done (`passed` or not); also for one skipped without starting.
    pub fn scenario_finished(&mut self, id: &str, passed: bool) {
        self.running.retain(|r| r.id != id);
        self.done += 1;
        if !passed {
            self.not_passed += 1;
        }
    }

    /// The ids of the scenarios running now.
    pub fn running(&self) -> Vec<String> {
        self.running.iter().map(|r| r.id.clone()).collect()
    }

    /// The progress line at `now`, at most `width` characters: "sip2check: 3/40 done (1 not
    /// passed), 12 s; siptest::03checkout step 2 "checkout" 1.2 s (+1 running)".
    pub fn line(&self, now: Duration, width: usize) -> String {
        let mut line = format!("sip2check: {}/{} done", self.done, self.total);
        if self.not_passed > 0 {
            line.push_str(&format!(" ({} not passed)", self.not_passed));
        }
        line.push_str(&format!(", {}", secs(now)));
        let steps: Vec<&Step> = self
            .running
            .iter()
            .filter_map(|r| r.step.as_ref())
            .collect();
        if let Some(longest) = steps.iter().min_by_key(|s| s.started) {
            line.push_str(&format!(
                "; {} {}",
                longest.label,
                secs(now.saturating_sub(longest.started))
            ));
        }
        if self.running.len() > 1 {
            line.push_str(&format!(" (+{} running)", self.running.len() - 1));
        }
        truncate(&line, width)
    }

    /// A warning for each running step that passed [`SLOW_STEP`] by `now` and has not had one.
    pub fn slow_steps(&mut self, now: Duration) -> Vec<String> {
        let mut out = Vec::new();
        for step in self.running.iter_mut().filter_map(|r| r.step.as_mut()) {
            let took = now.saturating_sub(step.started);
            if !step.warned && took > SLOW_STEP {
                step.warned = true;
                out.push(format!(
                    "sip2check: slow: {} has waited {} for its answer",
                    step.label,
                    secs(took)
                ));
            }
        }
        out
    }
}

/// "0.4 s", "12 s", "2 min 05 s".
fn secs(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else if s >= 10 {
        format!("{s} s")
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// At most `width` characters, the last one "…" when cut.
fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn the_line_shows_counts_elapsed_time_and_the_longest_running_step() {
        let mut p = Progress::new(40);
        assert_eq!(p.line(at(300), 200), "sip2check: 0/40 done, 0.3 s");
        p.scenario_started("siptest::03checkout");
        p.scenario_started("spec::renew");
        p.step_started("spec::renew", 1, Phase::Main, "login", at(1_000));
        p.step_started("siptest::03checkout", 2, Phase::Main, "checkout", at(500));
        assert_eq!(
            p.line(at(1_700), 200),
            "sip2check: 0/40 done, 1.7 s; siptest::03checkout step 2 \"checkout\" 1.2 s (+1 running)"
        );
        p.step_finished("siptest::03checkout");
        p.scenario_finished("siptest::03checkout", false);
        p.step_started("spec::renew", 1, Phase::Finally, "check in", at(2_000));
        assert_eq!(
            p.line(at(75_000), 200),
            "sip2check: 1/40 done (1 not passed), 1 min 15 s; spec::renew cleanup step 1 \"check in\" 1 min 13 s"
        );
        assert_eq!(p.running(), ["spec::renew"]);
    }

    #[test]
    fn the_line_fits_the_terminal() {
        let mut p = Progress::new(2);
        p.scenario_started("a::b");
        p.step_started("a::b", 1, Phase::Main, "a step with a long name", at(0));
        let line = p.line(at(100), 30);
        assert_eq!(line.chars().count(), 30);
        assert!(line.ends_with('…'), "{line}");
    }

    #[test]
    fn a_slow_step_is_warned_about_once() {
        let mut p = Progress::new(1);
        p.scenario_started("a::b");
        p.step_started("a::b", 3, Phase::Main, "renew", at(1_000));
        assert!(p.slow_steps(at(6_000)).is_empty(), "5 s is not yet slow");
        assert_eq!(
            p.slow_steps(at(6_500)),
            ["sip2check: slow: a::b step 3 \"renew\" has waited 5.5 s for its answer"]
        );
        assert!(p.slow_steps(at(9_000)).is_empty(), "once per step");
        p.step_started("a::b", 4, Phase::Main, "checkin", at(9_000));
        assert_eq!(
            p.slow_steps(at(20_000)).len(),
            1,
            "the next slow step is warned about"
        );
    }
}
