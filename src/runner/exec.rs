//! Running one scenario on one connection: build each request, exchange it, judge the
//! response (`check::compare`, with the profile's dialect), keep captures. A failed step
//! records its checks and the scenario goes on; a step whose records or messages are missing
//! is skipped alone; a lost connection marks the remaining steps "not run". Then the cleanup
//! runs on a fresh connection, whatever happened: `finally:`, and the `undo:` steps of every
//! step whose answer showed the server did what it should have refused.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use super::events::{Abort, Event, Events};
use super::result::{Outcome, Phase, ScenarioResult, StepResult, StepStatus, Wire};
use super::skip::{Capabilities, step_skip};
use crate::acs;
use crate::check::{self, CheckResult, Judge, Raw, Target};
use crate::scenario::template::{Mode, Scope};
use crate::scenario::{FixedValue, Scenario, Send, Step};
use crate::sip2::{self, Message, MessageCode, System};
use crate::transport::{ConnectOptions, Session, StepOptions, TransportError};

/// What every scenario of a run shares.
#[derive(Debug, Clone, Default)]
pub struct ExecContext {
    /// How to reach the server.
    pub connect: ConnectOptions,
    /// Profile variables.
    pub vars: BTreeMap<String, String>,
    /// Error-severity violations fail steps.
    pub strict: bool,
    /// The systems the server behaves like (the profile's `dialect:`).
    pub dialect: Vec<System>,
    /// The BX, `--ignore-bx` and the profile's error detection, for steps' `requires:`.
    pub caps: Capabilities,
    /// Start this emulator for each scenario (the built-in one, when no endpoint is given);
    /// None: every scenario talks to `connect.endpoint`.
    pub emulator: Option<PerScenario>,
    /// Who watches the run as it goes (progress, `run -v`).
    pub events: Events,
    /// Set to stop the run: no step starts after it (the cleanup still runs).
    pub abort: Abort,
}

/// An emulator started afresh for each scenario: one library per scenario, shared by its
/// connections (so its cleanup sees what its steps did) and by no other scenario (so parallel
/// scenarios never see each other's loans).
#[derive(Debug, Clone)]
pub struct PerScenario {
    /// The seed data.
    pub library: acs::Library,
    /// How it serves.
    pub opts: acs::ServeOptions,
}

/// Runs `scenario`, on an emulator of its own when `ctx.emulator` says so.
pub async fn run_scenario(scenario: &Scenario, ctx: &ExecContext) -> ScenarioResult {
    let Some(emulator) = &ctx.emulator else {
        return run_on(scenario, ctx).await;
    };
    match acs::spawn(emulator.library.clone(), emulator.opts.clone()).await {
        Ok(server) => {
            let own = ExecContext {
                connect: ConnectOptions {
                    endpoint: server.addr().to_string(),
                    ..ctx.connect.clone()
                },
                emulator: None,
                ..ctx.clone()
            };
            let result = run_on(scenario, &own).await;
            server.shutdown().await;
            result
        }
        Err(e) => unreachable_result(
            scenario,
            (Instant::now(), SystemTime::now()),
            &format!("cannot start the built-in emulator: {e}"),
        ),
    }
}

/// Runs `scenario`: its steps on a fresh connection, then, when that connection opened (so a
/// request may have changed the library), the cleanup on another one ([`run_cleanup`]).
async fn run_on(scenario: &Scenario, ctx: &ExecContext) -> ScenarioResult {
    let start = (Instant::now(), SystemTime::now());
    let mut session = match Session::connect(ctx.connect.clone()).await {
        Ok(s) => s,
        // Nothing was sent, so nothing needs cleaning up.
        Err(e) => return unreachable_result(scenario, start, &e.to_string()),
    };
    let mut steps = Vec::with_capacity(scenario.steps.len() + scenario.finally.len());
    let mut scope = Scope {
        vars: Some(&ctx.vars),
        ..Scope::default()
    };
    let mut fired: Vec<usize> = Vec::new();
    let mut lost: Option<String> = None;
    let mut stopped: Option<String> = None;
    let id = scenario.id.as_str();
    let finished = |step: &StepResult| ctx.events.emit(Event::StepFinished { id, step });
    for (i, step) in scenario.steps.iter().enumerate() {
        if lost.is_none()
            && stopped.is_none()
            && let Some(reason) = ctx.abort.reason()
        {
            stopped = Some(format!("{reason} before step {}", i + 1));
        }
        if let Some(reason) = lost.as_ref().or(stopped.as_ref()) {
            steps.push(StepResult {
                error: Some(reason.to_string()),
                ..StepResult::for_step(i + 1, step, StepStatus::NotRun)
            });
            finished(&steps[i]);
            continue;
        }
        if let Some(reason) = step_skip(step, &ctx.caps, &ctx.vars) {
            steps.push(StepResult {
                error: Some(reason),
                ..StepResult::for_step(i + 1, step, StepStatus::Skipped)
            });
            finished(&steps[i]);
            continue;
        }
        ctx.events.emit(Event::StepStarted {
            id,
            index: i + 1,
            phase: Phase::Main,
            name: &step.name,
        });
        let ran = run_step(i + 1, step, scenario, &mut session, &mut scope, ctx).await;
        if ran.undo {
            fired.push(i);
        }
        if ran.gone {
            let expected = step.expect.closed && ran.result.status == StepStatus::Passed;
            lost = Some(if expected {
                format!(
                    "the server closed the connection at step {}, as expected",
                    i + 1
                )
            } else {
                format!("the connection was lost at step {}", i + 1)
            });
        }
        steps.push(ran.result);
        finished(&steps[i]);
    }
    if lost.is_none() {
        session.close().await;
    }
    steps.extend(run_cleanup(scenario, ctx, &scope.captures, &fired).await);
    let outcome = match stopped {
        // It did not run to the end: not a pass, whatever its first steps did.
        Some(reason) => Outcome::Errored(reason),
        None => Outcome::from_steps(&steps),
    };
    ScenarioResult {
        id: scenario.id.clone(),
        name: scenario.name.clone(),
        file: scenario.file.clone(),
        tags: scenario.tags.clone(),
        outcome,
        steps,
        started: start.1,
        duration: start.0.elapsed(),
    }
}

/// The result of a scenario that could not reach its server: the first step errored with
/// `error`, the others not run.
fn unreachable_result(
    scenario: &Scenario,
    start: (Instant, SystemTime),
    error: &str,
) -> ScenarioResult {
    let steps: Vec<StepResult> = scenario
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let mut r = StepResult {
                error: Some("could not connect".to_string()),
                ..StepResult::for_step(i + 1, step, StepStatus::NotRun)
            };
            if i == 0 {
                r.status = StepStatus::Errored;
                r.error = Some(error.to_string());
            }
            r
        })
        .collect();
    ScenarioResult {
        id: scenario.id.clone(),
        name: scenario.name.clone(),
        file: scenario.file.clone(),
        tags: scenario.tags.clone(),
        outcome: Outcome::from_steps(&steps),
        steps,
        started: start.1,
        duration: start.0.elapsed(),
    }
}

/// The cleanup of a scenario, on a fresh connection, whatever the steps did: the first
/// `finally:` step (a login, when the scenario has `undo:`; checked at load time), then the
/// undo steps of every step in `fired` (its answer matched `when:`), the latest step first,
/// then the rest of `finally:`. The steps see the captures the scenario's steps made. A
/// connection that cannot be opened or is lost is an errored cleanup that names what was
/// not restored.
async fn run_cleanup(
    scenario: &Scenario,
    ctx: &ExecContext,
    captures: &BTreeMap<String, String>,
    fired: &[usize],
) -> Vec<StepResult> {
    let undos = fired.iter().rev().flat_map(|&i| {
        scenario.steps[i]
            .undo
            .iter()
            .flat_map(move |u| u.steps.iter().map(move |s| (Phase::Undo(i + 1), s)))
    });
    let mut finally = scenario.finally.iter().map(|s| (Phase::Finally, s));
    let plan: Vec<(Phase, &Step)> = finally
        .next()
        .into_iter()
        .chain(undos)
        .chain(finally)
        .collect();
    if plan.is_empty() {
        return Vec::new();
    }
    let cleanup_result = |n: usize, phase: Phase, step: &Step, status: StepStatus| StepResult {
        phase,
        ..StepResult::for_step(n + 1, step, status)
    };
    let mut session = match Session::connect(ctx.connect.clone()).await {
        Ok(s) => s,
        Err(e) => {
            let left = left_behind(&plan);
            return plan
                .iter()
                .enumerate()
                .map(|(n, (phase, step))| {
                    let mut r = cleanup_result(n, *phase, step, StepStatus::NotRun);
                    r.error = Some(if n == 0 {
                        r.status = StepStatus::Errored;
                        format!("could not connect for the cleanup: {e}{left}")
                    } else {
                        "could not connect for the cleanup".to_string()
                    });
                    r
                })
                .collect();
        }
    };
    let mut scope = Scope {
        vars: Some(&ctx.vars),
        captures: captures.clone(),
    };
    let mut out = Vec::with_capacity(plan.len());
    let mut lost: Option<String> = None;
    let id = scenario.id.as_str();
    let finished = |step: &StepResult| ctx.events.emit(Event::StepFinished { id, step });
    for (n, (phase, step)) in plan.iter().enumerate() {
        if let Some(reason) = &lost {
            let mut r = cleanup_result(n, *phase, step, StepStatus::NotRun);
            r.error = Some(reason.clone());
            finished(&r);
            out.push(r);
            continue;
        }
        if let Some(reason) = step_skip(step, &ctx.caps, &ctx.vars) {
            let mut r = cleanup_result(n, *phase, step, StepStatus::Skipped);
            r.error = Some(reason);
            finished(&r);
            out.push(r);
            continue;
        }
        ctx.events.emit(Event::StepStarted {
            id,
            index: n + 1,
            phase: *phase,
            name: &step.name,
        });
        let mut ran = run_step(n + 1, step, scenario, &mut session, &mut scope, ctx).await;
        ran.result.phase = *phase;
        finished(&ran.result);
        if ran.gone {
            lost = Some(format!(
                "the connection was lost at cleanup step {}{}",
                n + 1,
                left_behind(&plan[n + 1..])
            ));
        }
        out.push(ran.result);
    }
    if lost.is_none() {
        session.close().await;
    }
    out
}

/// "; not restored: what \"check in\", \"cancel the hold\" (undo of step 7) do": the cleanup
/// steps that did not run, logins and SC status left out (they restore nothing).
fn left_behind(plan: &[(Phase, &Step)]) -> String {
    let restoring: Vec<String> = plan
        .iter()
        .filter(|(_, s)| {
            s.send
                .message()
                .is_none_or(|m| m.code != MessageCode::LOGIN && m.code != MessageCode::SC_STATUS)
        })
        .map(|(phase, s)| match phase.undo_of() {
            Some(of) => format!("\"{}\" (undo of step {of})", s.name),
            None => format!("\"{}\"", s.name),
        })
        .collect();
    if restoring.is_empty() {
        String::new()
    } else {
        format!("; not restored: what {} do", restoring.join(", "))
    }
}

/// What running a step gave.
struct Ran {
    /// Its result.
    result: StepResult,
    /// The connection is gone afterwards.
    gone: bool,
    /// Its answer matched its `undo.when:`: the undo steps run in the cleanup.
    undo: bool,
}

/// Runs one step, and judges its answer against its `undo.when:` too.
async fn run_step(
    index: usize,
    step: &Step,
    scenario: &Scenario,
    session: &mut Session,
    scope: &mut Scope<'_>,
    ctx: &ExecContext,
) -> Ran {
    let start = Instant::now();
    let mut result = StepResult {
        accepted: step
            .expect
            .lint
            .iter()
            .copied()
            .chain(step.expect.violations.iter().map(|c| c.rule))
            .collect(),
        not_applied: check::not_applied(&step.expect, &ctx.dialect),
        ..StepResult::for_step(index, step, StepStatus::Passed)
    };
    let request = match build_request(step, scope) {
        Ok(r) => r,
        Err(e) => {
            // Nothing was sent: a value is missing (an earlier capture failed), the connection is fine.
            result.status = StepStatus::Failed;
            result.error = Some(format!("cannot build the request: {e}"));
            return Ran {
                result,
                gone: false,
                undo: false,
            };
        }
    };
    let terminator = step.terminator.unwrap_or(session.options().terminator);
    let opts = StepOptions {
        checksum: step.checksum.or(scenario.checksum),
        timeout: step.timeout,
        terminator: step.terminator,
        no_resend: !step.resend,
    };
    // Under --ignore-bx, a request the BX marks unsupported is sent anyway; how the server took
    // it is noted.
    let unsupported = MessageCode::parse(request.get(..2).unwrap_or(""))
        .filter(|c| ctx.caps.ignore_bx && ctx.caps.unsupported(*c))
        .and_then(crate::sip2::spec::message);
    let outcome = session.exchange(&request, &opts).await;
    result.duration = start.elapsed();
    if let Some(spec) = unsupported {
        let how = took(&outcome, &ctx.connect).await;
        result.notes.push(format!(
            "the server's BX says {} is unsupported, and {how}",
            spec.key
        ));
    }
    let closed_applies = step.expect.ground.applies(&ctx.dialect);
    let judge = Judge {
        dialect: &ctx.dialect,
        strict: ctx.strict,
    };
    let mut gone = false;
    let mut undo = false;
    match outcome {
        Ok(ex) => {
            result.sent = Some(Wire {
                text: ex.request.text.clone(),
                terminator: Some(terminator),
                leading_lf: false,
            });
            let analysis = ex.response.analysis;
            result.received = Some(Wire {
                text: analysis.text.clone(),
                terminator: Some(ex.response.terminator),
                leading_lf: ex.response.leading_lf,
            });
            if step.expect.closed {
                if closed_applies {
                    result.checks.push(
                        CheckResult::new(
                            Target::Closed,
                            false,
                            "the server closes the connection".into(),
                            "it answered".into(),
                        )
                        .with_ground(step.expect.ground)
                        .with_values(
                            "closed",
                            Raw::None,
                            Raw::Text(analysis.text.clone()),
                        ),
                    );
                }
            } else {
                result.checks = check::compare(&step.expect, &analysis, scope, &judge);
                let (values, captured) = check::capture(&step.capture, &analysis);
                result.checks.extend(captured);
                for c in &values {
                    scope.captures.insert(c.name.clone(), c.value.clone());
                }
                result.captures = values;
            }
            if let Some(u) = &step.undo {
                // A condition, not a check: every matcher applies, whatever the dialect.
                let plain = Judge {
                    dialect: &[],
                    strict: false,
                };
                undo = check::compare(&u.when, &analysis, scope, &plain)
                    .iter()
                    .all(|c| c.passed);
                if undo {
                    result.notes.push(
                        "the answer matches undo.when (the server did it), so the undo steps run in the cleanup"
                            .to_string(),
                    );
                }
            }
            result.violations = analysis.violations;
        }
        Err(e) => {
            // What went on the wire (AY/AZ included), when the request was sent at all.
            let sent = session.last_request().map(|s| s.text.clone());
            result.sent = Some(Wire {
                text: sent.unwrap_or_else(|| request.clone()),
                terminator: Some(terminator),
                leading_lf: false,
            });
            gone = e.is_connection();
            if step.expect.closed {
                let closed = matches!(e, TransportError::Closed { .. } | TransportError::Io { .. });
                if closed_applies {
                    result.checks.push(
                        CheckResult::new(
                            Target::Closed,
                            closed,
                            "the server closes the connection".into(),
                            if closed {
                                "closed".into()
                            } else {
                                e.to_string()
                            },
                        )
                        .with_ground(step.expect.ground),
                    );
                }
                gone = true;
            } else if gone {
                result.status = StepStatus::Errored;
                result.error = Some(e.to_string());
            } else {
                result.status = StepStatus::Failed;
                result.error = Some(e.to_string());
            }
        }
    }
    if result.status == StepStatus::Passed && result.failures().next().is_some() {
        result.status = StepStatus::Failed;
    }
    if step.undo.is_some() && result.received.is_none() {
        result.notes.push(
            "no answer to judge undo.when by, so the undo steps did not run: check whether the server did it"
                .to_string(),
        );
    }
    Ran { result, gone, undo }
}

/// How the server took a request its BX marks unsupported: "it answered", "the connection was
/// lost (crashed?)" when a fresh connection fails too, or "it refused (...)".
async fn took(
    outcome: &Result<crate::transport::Exchange, TransportError>,
    connect: &ConnectOptions,
) -> &'static str {
    const REFUSED: &str = "it refused (96, closed, or no answer)";
    match outcome {
        Ok(ex) if ex.response.analysis.msg.code == MessageCode::REQUEST_SC_RESEND => REFUSED,
        Ok(_) => "it answered",
        Err(TransportError::Closed { .. } | TransportError::Io { .. }) => {
            // A server that merely hangs up still takes a new connection; a crashed one does not.
            match Session::connect(connect.clone()).await {
                Ok(mut session) => {
                    session.close().await;
                    REFUSED
                }
                Err(_) => "the connection was lost (crashed?)",
            }
        }
        Err(
            TransportError::NoAnswer { .. }
            | TransportError::TooLong { .. }
            | TransportError::Oversize { .. }
            | TransportError::ResendLimit { code_96: false, .. },
        ) => "it answered",
        Err(_) => REFUSED,
    }
}

/// The request text: raw templates expanded, or a structured message built from the table.
pub fn build_request(step: &Step, scope: &Scope) -> Result<String, String> {
    match &step.send {
        Send::Raw(t) => t.expand(scope, Mode::Text).map_err(|e| e.to_string()),
        Send::Structured(s) => {
            let mut fixed = Vec::with_capacity(s.fixed.len());
            for (f, v) in &s.fixed {
                let value = match v {
                    FixedValue::Now => sip2::date::now(),
                    FixedValue::Text(t) => {
                        t.expand(scope, Mode::Text).map_err(|e| e.to_string())?
                    }
                };
                fixed.push((f.key, value));
            }
            let fixed =
                sip2::encode::fixed_part(s.spec, fixed.iter().map(|(k, v)| (*k, v.as_str())))
                    .map_err(|e| e.to_string())?;
            let mut msg = Message::new(s.spec.code, fixed);
            for (id, t) in &s.fields {
                msg.push(*id, t.expand(scope, Mode::Text).map_err(|e| e.to_string())?);
            }
            Ok(sip2::encode(&msg))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_file;

    #[test]
    fn structured_requests_are_built_from_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.yaml");
        std::fs::write(
            &p,
            "steps:\n  - send:\n      patron_status_request:\n        language: \"001\"\n        AO: \"{{ institution }}\"\n        AA: x\n        AF: [a, b]\n",
        )
        .unwrap();
        let vars: BTreeMap<String, String> =
            [("institution".to_string(), "BR1".to_string())].into();
        let s = load_file(&p, &vars).unwrap();
        let scope = Scope {
            vars: Some(&vars),
            ..Scope::default()
        };
        let text = build_request(&s.steps[0], &scope).unwrap();
        assert!(text.starts_with("23001"), "{text}");
        assert!(text.ends_with("AOBR1|AAx|AFa|AFb|"), "{text}");
        assert!(sip2::parse(&text).unwrap().violations.is_empty(), "{text}");
    }
}
