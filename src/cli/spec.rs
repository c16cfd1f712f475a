//! `sip2check spec`: the protocol table as people and machines read it.

use std::io::Write;

use clap::Args;
use serde_json::json;

use super::color::Colors;
use super::{Exit, ExitError};
use crate::sip2::spec::{self, FieldOrigin, Kind, MESSAGES};
use crate::sip2::{Rule, spec::MessageSpec};

/// Arguments of `spec`.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// A message code or name (e.g. 64, checkout_response); all messages when omitted.
    pub message: Option<String>,
    /// Print the lint rules (stable names, severities, what each requires).
    #[arg(long, conflicts_with = "message")]
    pub rules: bool,
    /// Print the whole table as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `spec`.
pub fn run(args: SpecArgs, colors: Colors) -> anyhow::Result<Exit> {
    let mut out = colors.stdout();
    let paint = colors.out();
    if args.rules {
        if args.json {
            let rules: Vec<_> = Rule::ALL.iter().map(|r| json!({"rule": r.code(), "severity": r.severity().as_str(), "describe": r.describe()})).collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&rules)?)?;
        } else {
            for r in Rule::ALL {
                let severity = format!("{:<8}", r.severity().as_str());
                writeln!(
                    out,
                    "{:<20} {} {}",
                    r.code(),
                    paint.paint(paint.severity(r.severity()), &severity),
                    r.describe()
                )?;
            }
        }
        return Ok(Exit::Passed);
    }
    let selected: Vec<&MessageSpec> = match &args.message {
        Some(m) => vec![spec::message_by_name(m).ok_or_else(|| ExitError {
            exit: Exit::Usage,
            message: format!("no message {m:?}; give a code such as 64 or a name such as checkout_response (see `sip2check spec`)"),
        })?],
        None => MESSAGES.iter().collect(),
    };
    if args.json {
        let messages: Vec<_> = selected.iter().map(|m| message_json(m)).collect();
        let fields: Vec<_> = spec::FIELDS
            .iter()
            .map(|f| {
                let origin = match f.origin {
                    FieldOrigin::Standard { since } => json!({"standard": since}),
                    FieldOrigin::Extension { systems, messages } => json!({"extension": systems, "messages": messages}),
                };
                json!({"id": f.id.as_str(), "name": f.name, "kind": kind_name(&f.kind), "origin": origin, "secret": f.secret, "personal": f.personal})
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json!({"messages": messages, "fields": fields}))?
        )?;
        return Ok(Exit::Passed);
    }
    for m in selected {
        writeln!(
            out,
            "{} ({}, since {}; scenario name {})",
            paint.paint(paint.heading, &format!("{} {}", m.code, m.name)),
            m.direction.describe(),
            m.since,
            m.key
        )?;
        for f in m.fixed {
            writeln!(out, "  {:<24} {:>2}  {}", f.key, f.len, f.kind.describe())?;
        }
        for u in m.fields {
            let req = if u.required { "required" } else { "optional" };
            let rep = if u.repeatable { ", repeatable" } else { "" };
            writeln!(out, "  {} {:<21} {req}{rep}", u.id, spec::field_name(u.id))?;
        }
    }
    Ok(Exit::Passed)
}

fn message_json(m: &MessageSpec) -> serde_json::Value {
    json!({
        "code": m.code.as_str(),
        "name": m.name,
        "key": m.key,
        "direction": if m.direction == spec::Direction::ScToAcs { "SC->ACS" } else { "ACS->SC" },
        "since": m.since,
        "fixed": m.fixed.iter().map(|f| json!({"name": f.name, "key": f.key, "length": f.len, "kind": kind_name(&f.kind)})).collect::<Vec<_>>(),
        "fields": m.fields.iter().map(|u| json!({"id": u.id.as_str(), "required": u.required, "repeatable": u.repeatable})).collect::<Vec<_>>(),
    })
}

fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Code(t) => format!("code:{}", t.name),
        Kind::Flags(t) => format!("flags:{}", t.name),
        Kind::Supported(t) => format!("supported:{}", t.name),
        Kind::Digits(n) => format!("digits:{n}"),
        other => format!("{other:?}").to_lowercase(),
    }
}
