//! The certification report of a proxy session: every message each side sent (linted, as
//! `acs::RequestRecord`s), the message types the device used, every connection and how it
//! ended; written as JUnit (one testsuite per side, one testcase per message) and JSON.

use std::collections::BTreeMap;
use std::io::Write;

use junit_report::{Duration, ReportBuilder, TestCase, TestSuiteBuilder};
use serde_json::{Value, json};

use super::pair::Side;
use crate::acs::{MAX_RECORDS, ReportError, RequestRecord};
use crate::sip2::{MessageCode, spec};

/// How a device connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The device closed it.
    ClosedByDevice,
    /// The ACS closed it.
    ClosedByAcs,
    /// Neither side sent anything for the idle time.
    Idle,
    /// The proxy was stopped.
    Stopped,
    /// A read or write failed (a reset, a write that timed out).
    Failed,
    /// The TLS handshake with the device failed.
    Handshake,
    /// The ACS could not be reached.
    Unreachable,
}

impl Ending {
    /// Stable name for JSON.
    pub fn name(self) -> &'static str {
        match self {
            Ending::ClosedByDevice => "closed-by-device",
            Ending::ClosedByAcs => "closed-by-acs",
            Ending::Idle => "idle",
            Ending::Stopped => "stopped",
            Ending::Failed => "failed",
            Ending::Handshake => "tls-handshake-failed",
            Ending::Unreachable => "acs-unreachable",
        }
    }

    /// For people: "closed by the device".
    pub fn describe(self) -> &'static str {
        match self {
            Ending::ClosedByDevice => "closed by the device",
            Ending::ClosedByAcs => "closed by the ACS",
            Ending::Idle => "closed: idle",
            Ending::Stopped => "closed: the proxy stopped",
            Ending::Failed => "closed: a read or write failed",
            Ending::Handshake => "closed: the TLS handshake with the device failed",
            Ending::Unreachable => "closed: the ACS could not be reached",
        }
    }
}

/// One device connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRecord {
    /// Its number (1-based, in accept order).
    pub connection: u64,
    /// The device's address.
    pub peer: String,
    /// Messages from the device and from the ACS.
    pub messages: (u64, u64),
    /// Requests left unanswered when it ended.
    pub unanswered: u64,
    /// How it ended.
    pub ending: Ending,
    /// The error, when it ended in one.
    pub error: Option<String>,
}

/// Everything a proxy session saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyReport {
    /// The address the proxy listened on.
    pub listen: String,
    /// The ACS.
    pub upstream: String,
    /// Connections accepted and served.
    pub connections: u64,
    /// Connections closed at once because `max_connections` were open.
    pub refused: u64,
    /// Each connection, at most `MAX_RECORDS`.
    pub ended: Vec<ConnectionRecord>,
    /// Each message, at most `MAX_RECORDS`, with who sent it.
    pub records: Vec<(Side, RequestRecord)>,
    /// Records (messages and connections) not kept past the cap.
    pub dropped: u64,
    /// Messages per sender and type, all of them.
    pub types: BTreeMap<(Side, MessageCode), u64>,
    /// Transcript lines lost because the disk could not keep up.
    pub transcript_dropped: u64,
}

impl ProxyReport {
    /// Records with an error-severity violation.
    pub fn failures(&self) -> usize {
        self.records.iter().filter(|(_, r)| !r.passed()).count()
    }

    /// Failures by the device's messages.
    pub fn failures_by(&self, side: Side) -> usize {
        self.records
            .iter()
            .filter(|(s, r)| *s == side && !r.passed())
            .count()
    }

    /// "93 Login x1, 99 SC Status x2" for `side`.
    pub fn types_used(&self, side: Side) -> String {
        let used: Vec<String> = self
            .types
            .iter()
            .filter(|((s, _), _)| *s == side)
            .map(|((_, code), n)| format!("{} x{n}", label(*code)))
            .collect();
        if used.is_empty() {
            "none".into()
        } else {
            used.join(", ")
        }
    }

    /// The JUnit XML: a testsuite for the device's messages, one for the ACS's, one for the connections.
    pub fn write_junit(&self, out: impl Write) -> Result<(), ReportError> {
        let mut suites = Vec::new();
        for (side, title) in [
            (Side::Device, "sip2check proxy: device (SC) messages"),
            (Side::Acs, "sip2check proxy: ACS messages"),
        ] {
            let mut suite = TestSuiteBuilder::new(title);
            for (_, r) in self.records.iter().filter(|(s, _)| *s == side) {
                suite.add_testcase(r.testcase(&format!("{}.{}", side.name(), r.peer)));
            }
            let mut about = format!(
                "message types the {} sent: {}\n",
                side.name(),
                self.types_used(side)
            );
            if self.dropped > 0 {
                about.push_str(&format!(
                    "{} further records were not kept (limit {MAX_RECORDS})\n",
                    self.dropped
                ));
            }
            suite.set_system_out(&about);
            suites.push(suite.build());
        }
        let mut suite = TestSuiteBuilder::new("sip2check proxy: connections");
        for c in &self.ended {
            let name = format!("conn {} from {}", c.connection, c.peer);
            let mut case = match (&c.error, c.ending) {
                (Some(e), _) => TestCase::error(&name, Duration::ZERO, c.ending.name(), e),
                (None, _) => TestCase::success(&name, Duration::ZERO),
            };
            case.set_classname(&format!("connection.{}", self.upstream));
            case.set_system_out(&format!(
                "{}; {} messages from the device, {} from the ACS, {} unanswered\n",
                c.ending.describe(),
                c.messages.0,
                c.messages.1,
                c.unanswered
            ));
            suite.add_testcase(case);
        }
        if self.refused > 0 {
            suite.set_system_out(&format!(
                "{} connections refused at once (the connection cap was reached)\n",
                self.refused
            ));
        }
        suites.push(suite.build());
        ReportBuilder::new()
            .add_testsuites(suites)
            .build()
            .write_xml(out)
            .map_err(|e| ReportError::Junit(e.to_string()))
    }

    /// The report as JSON.
    pub fn to_json(&self) -> Value {
        let types = |side: Side| -> Value {
            self.types
                .iter()
                .filter(|((s, _), _)| *s == side)
                .map(|((_, code), n)| {
                    json!({
                        "code": code.to_string(),
                        "name": spec::message(*code).map(|s| s.name),
                        "count": n,
                    })
                })
                .collect()
        };
        json!({
            "listen": self.listen,
            "upstream": self.upstream,
            "connections": self.connections,
            "refused_connections": self.refused,
            "failed": self.failures(),
            "device": {
                "failed": self.failures_by(Side::Device),
                "types": types(Side::Device),
            },
            "acs": {
                "failed": self.failures_by(Side::Acs),
                "types": types(Side::Acs),
            },
            "dropped": self.dropped,
            "transcript_dropped": self.transcript_dropped,
            "ended": self.ended.iter().map(|c| json!({
                "connection": c.connection,
                "peer": c.peer,
                "device_messages": c.messages.0,
                "acs_messages": c.messages.1,
                "unanswered": c.unanswered,
                "ending": c.ending.name(),
                "error": c.error,
            })).collect::<Vec<_>>(),
            "records": self.records.iter().map(|(side, r)| {
                let mut v = r.to_json();
                if let Some(o) = v.as_object_mut() {
                    o.insert("sender".into(), json!(side.name()));
                }
                v
            }).collect::<Vec<_>>(),
        })
    }
}

fn label(code: MessageCode) -> String {
    match spec::message(code) {
        Some(s) => format!("{code} {}", s.name),
        None => code.to_string(),
    }
}
