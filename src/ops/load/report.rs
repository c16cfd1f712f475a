//! A load run's report as text (a table per request type) and as JSON.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use super::histogram::Histogram;
use super::stats::{ErrorClass, Stats};
use super::{LoadReport, per_second};
use crate::report::style::Palette;
use crate::sip2::{MessageCode, spec};

/// A latency in milliseconds, two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn ms_value(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

fn name(code: MessageCode) -> String {
    match spec::message(code) {
        Some(s) => format!("{code} {}", s.key),
        None => code.to_string(),
    }
}

fn cpu_percent(r: &LoadReport) -> f64 {
    if r.elapsed.is_zero() {
        0.0
    } else {
        r.cpu.total().as_secs_f64() / r.elapsed.as_secs_f64() * 100.0
    }
}

fn mode(r: &LoadReport) -> String {
    match r.rate {
        Some(rate) => format!("open loop at {rate} requests/s"),
        None => "closed loop".into(),
    }
}

/// Errors as `class N, class N` (classes with none left out), or "none".
fn errors_line(stats: &Stats) -> String {
    let parts: Vec<String> = ErrorClass::ALL
        .iter()
        .filter_map(|c| stats.errors.get(c).map(|n| format!("{} {n}", c.name())))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

/// The report as people read it, errors and warnings painted with `paint`.
pub fn text(r: &LoadReport, paint: &Palette) -> String {
    let s = &r.stats;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "load {} ({}): {}, {} connections, {}, {:.1} s{}",
        r.endpoint,
        r.addr,
        r.workload,
        r.connections,
        mode(r),
        r.elapsed.as_secs_f64(),
        if r.interrupted { " (interrupted)" } else { "" }
    );
    let _ = writeln!(
        out,
        "requests {} ({:.0}/s): ok {} (refused {}), errors {}",
        s.requests(),
        r.per_second(),
        s.ok(),
        s.refused(),
        s.failed()
    );
    let _ = writeln!(
        out,
        "{:<26} {:>9} {:>9} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "type", "requests", "ok", "refused", "errors", "p50", "p90", "p99", "max"
    );
    let row = |out: &mut String,
               label: &str,
               req: u64,
               ok: u64,
               refused: u64,
               err: u64,
               h: &Histogram| {
        // No answer, no latency: a dash rather than a made-up zero.
        let q = |d: Duration| {
            if h.count() == 0 {
                "-".to_string()
            } else {
                ms(d)
            }
        };
        let _ = writeln!(
            out,
            "{label:<26} {req:>9} {ok:>9} {refused:>8} {err:>7} {:>9} {:>9} {:>9} {:>9}",
            q(h.quantile(0.5)),
            q(h.quantile(0.9)),
            q(h.quantile(0.99)),
            q(h.max())
        );
    };
    for t in &s.types {
        row(
            &mut out,
            &name(t.code),
            t.requests,
            t.ok,
            t.refused,
            t.errors,
            &t.latency,
        );
    }
    row(
        &mut out,
        "all",
        s.requests(),
        s.ok(),
        s.refused(),
        s.failed(),
        &s.latency(),
    );
    let errors = if s.failed() > 0 || s.connect_failures > 0 {
        paint.error
    } else {
        paint.pass
    };
    let _ = writeln!(out, "{} {}", paint.paint(errors, "errors:"), errors_line(s));
    if !s.lint_rules.is_empty() {
        let rules: Vec<String> = s
            .lint_rules
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        let _ = writeln!(out, "lint errors by rule: {}", rules.join(", "));
    }
    let _ = writeln!(
        out,
        "connections: {} opened, {} failed to open, {} got no answer",
        s.connects, s.connect_failures, s.unserved
    );
    for (why, n) in &r.stopped {
        let _ = writeln!(
            out,
            "{} {n} connection(s): {why}",
            paint.paint(paint.error, "stopped:")
        );
    }
    if r.left_out > 0 {
        let _ = writeln!(
            out,
            "{} {} item(s) may still be checked out (their connection was lost before the checkin)",
            paint.paint(paint.warning, "warning:"),
            r.left_out
        );
    }
    if let Some(result) = &r.ramp_result {
        let _ = writeln!(out, "ramp: {result}");
        let _ = writeln!(
            out,
            "  {:>11} {:>9} {:>9} {:>7} {:>9} {:>9}",
            "connections", "requests", "req/s", "errors", "p50", "p99"
        );
        for step in &r.ramp {
            let h = step.stats.latency();
            let _ = writeln!(
                out,
                "  {:>11} {:>9} {:>9.0} {:>6.1}% {:>9} {:>9}{}",
                step.connections,
                step.stats.requests(),
                per_second(step.stats.requests(), step.elapsed),
                step.stats.error_rate() * 100.0,
                ms(h.quantile(0.5)),
                ms(h.quantile(0.99)),
                step.breach
                    .as_deref()
                    .map(|b| format!("  <- {b}"))
                    .unwrap_or_default()
            );
        }
    }
    let _ = writeln!(
        out,
        "generator CPU: {:.2} s user + {:.2} s system = {:.0}% of one core",
        r.cpu.user.as_secs_f64(),
        r.cpu.system.as_secs_f64(),
        cpu_percent(r)
    );
    out
}

fn latency_json(h: &Histogram) -> Value {
    json!({
        "p50": ms_value(h.quantile(0.5)),
        "p90": ms_value(h.quantile(0.9)),
        "p99": ms_value(h.quantile(0.99)),
        "max": ms_value(h.max()),
        "mean": ms_value(h.mean()),
    })
}

/// The report for tools.
pub fn json(r: &LoadReport) -> Value {
    let s = &r.stats;
    let types: Vec<Value> = s
        .types
        .iter()
        .map(|t| {
            json!({
                "code": t.code.as_str(),
                "name": spec::message(t.code).map(|m| m.key),
                "requests": t.requests,
                "ok": t.ok,
                "refused": t.refused,
                "errors": t.errors,
                "latency_ms": latency_json(&t.latency),
            })
        })
        .collect();
    let errors: serde_json::Map<String, Value> = s
        .errors
        .iter()
        .map(|(c, n)| (c.name().to_string(), json!(n)))
        .collect();
    let steps: Vec<Value> = r
        .ramp
        .iter()
        .map(|step| {
            json!({
                "connections": step.connections,
                "elapsed_s": step.elapsed.as_secs_f64(),
                "requests": step.stats.requests(),
                "requests_per_s": per_second(step.stats.requests(), step.elapsed),
                "errors": step.stats.failed(),
                "connect_failures": step.stats.connect_failures,
                "connections_unserved": step.stats.unserved,
                "error_rate": step.stats.error_rate(),
                "latency_ms": latency_json(&step.stats.latency()),
                "breach": step.breach,
            })
        })
        .collect();
    json!({
        "endpoint": r.endpoint,
        "address": r.addr.to_string(),
        "workload": r.workload,
        "connections": r.connections,
        "mode": if r.rate.is_some() { "open-loop" } else { "closed-loop" },
        "target_rate": r.rate,
        "elapsed_s": r.elapsed.as_secs_f64(),
        "interrupted": r.interrupted,
        "requests": s.requests(),
        "ok": s.ok(),
        "refused": s.refused(),
        "errors": s.failed(),
        "requests_per_s": r.per_second(),
        "latency_ms": latency_json(&s.latency()),
        "types": types,
        "errors_by_class": errors,
        "lint_errors_by_rule": s.lint_rules,
        "connections_opened": s.connects,
        "connect_failures": s.connect_failures,
        "connections_unserved": s.unserved,
        "stopped": r.stopped,
        "left_checked_out": r.left_out,
        "ramp": if r.ramp_result.is_some() { json!({ "result": r.ramp_result, "steps": steps }) } else { Value::Null },
        "cpu": {
            "user_s": r.cpu.user.as_secs_f64(),
            "system_s": r.cpu.system.as_secs_f64(),
            "percent_of_one_core": cpu_percent(r),
        },
    })
}
