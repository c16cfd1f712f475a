//! Running one scenario on one connection: build each request, exchange it, judge the
//! response (`check::compare`, with the profile's dialect), keep captures. A failed step
//! records its checks and the scenario goes on; a step whose records or messages are missing
//! is skipped alone; a lost connection marks the remaining steps "not run".

use std::collections::BTreeMap;
use std::time::Instant;

use super::result::{Outcome, ScenarioResult, StepResult, StepStatus, Wire};
use super::skip::{Capabilities, step_skip};
use crate::check::{self, CheckResult, Judge, Target};
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
}

/// Runs `scenario` on a fresh connection.
pub async fn run_scenario(scenario: &Scenario, ctx: &ExecContext) -> ScenarioResult {
    let start = Instant::now();
    let mut steps = Vec::with_capacity(scenario.steps.len());
    match Session::connect(ctx.connect.clone()).await {
        Ok(mut session) => {
            let mut scope = Scope {
                vars: Some(&ctx.vars),
                ..Scope::default()
            };
            let mut lost: Option<String> = None;
            for (i, step) in scenario.steps.iter().enumerate() {
                if let Some(reason) = &lost {
                    steps.push(StepResult::not_run(
                        i + 1,
                        &step.id,
                        &step.name,
                        step.loc.to_string(),
                        reason,
                    ));
                    continue;
                }
                if let Some(reason) = step_skip(step, &ctx.caps, &ctx.vars) {
                    steps.push(StepResult::skipped(
                        i + 1,
                        &step.id,
                        &step.name,
                        step.loc.to_string(),
                        &reason,
                    ));
                    continue;
                }
                let (result, gone) =
                    run_step(i + 1, step, scenario, &mut session, &mut scope, ctx).await;
                if gone {
                    let expected = step.expect.closed && result.status == StepStatus::Passed;
                    lost = Some(if expected {
                        format!(
                            "the server closed the connection at step {}, as expected",
                            i + 1
                        )
                    } else {
                        format!("the connection was lost at step {}", i + 1)
                    });
                }
                steps.push(result);
            }
            if lost.is_none() {
                session.close().await;
            }
        }
        Err(e) => {
            for (i, step) in scenario.steps.iter().enumerate() {
                let mut r = StepResult::not_run(
                    i + 1,
                    &step.id,
                    &step.name,
                    step.loc.to_string(),
                    "could not connect",
                );
                if i == 0 {
                    r.status = StepStatus::Errored;
                    r.error = Some(e.to_string());
                }
                steps.push(r);
            }
        }
    }
    ScenarioResult {
        id: scenario.id.clone(),
        name: scenario.name.clone(),
        file: scenario.file.clone(),
        tags: scenario.tags.clone(),
        outcome: Outcome::from_steps(&steps),
        steps,
        duration: start.elapsed(),
    }
}

/// Runs one step; the flag says the connection is gone afterwards.
async fn run_step(
    index: usize,
    step: &Step,
    scenario: &Scenario,
    session: &mut Session,
    scope: &mut Scope<'_>,
    ctx: &ExecContext,
) -> (StepResult, bool) {
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
        ..StepResult::new(
            index,
            &step.id,
            &step.name,
            step.loc.to_string(),
            StepStatus::Passed,
        )
    };
    let request = match build_request(step, scope) {
        Ok(r) => r,
        Err(e) => {
            // Nothing was sent: a value is missing (an earlier capture failed), the connection is fine.
            result.status = StepStatus::Failed;
            result.error = Some(format!("cannot build the request: {e}"));
            return (result, false);
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
                        .with_ground(step.expect.ground),
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
            result.violations = analysis.violations;
        }
        Err(e) => {
            result.sent = Some(Wire {
                text: request.clone(),
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
    (result, gone)
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
            TransportError::NotAMessage { .. }
            | TransportError::TooLong { .. }
            | TransportError::ResendLimit { code_96: false, .. },
        ) => "it answered",
        Err(_) => REFUSED,
    }
}

/// The request text: raw templates expanded, or a structured message built from the table.
fn build_request(step: &Step, scope: &Scope) -> Result<String, String> {
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
