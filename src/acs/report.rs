//! The certification log: what `serve --strict` saw of a client's requests, and its JUnit and JSON forms.
//!
//! One [`RequestRecord`] per request received (raw bytes escaped, passwords masked, the linter's
//! violations); [`ServeReport`] collects them and writes one JUnit testcase per request, failing
//! when a request has an error-severity violation, with the rule names in the failure.

use std::io::Write;

use junit_report::{Duration, ReportBuilder, TestCase, TestSuiteBuilder};
use serde_json::{Value, json};

use crate::sip2::{Severity, Violation};

/// One request a client sent, as the linter judged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// Connection number (1-based, in accept order).
    pub connection: u64,
    /// Request number within the connection (1-based).
    pub index: u64,
    /// The client's address.
    pub peer: String,
    /// The message code, or None when the bytes were not a message.
    pub code: Option<String>,
    /// The message name ("Checkout"), or a description of what arrived.
    pub name: String,
    /// The bytes as received (terminator included), escaped, passwords masked.
    pub raw: String,
    /// The linter's findings.
    pub violations: Vec<Violation>,
}

impl RequestRecord {
    /// True when no violation has error severity.
    pub fn passed(&self) -> bool {
        !self
            .violations
            .iter()
            .any(|v| v.severity == Severity::Error)
    }

    /// The testcase name: "conn 2 #3 11 Checkout".
    pub fn title(&self) -> String {
        format!(
            "conn {} #{} {} {}",
            self.connection,
            self.index,
            self.code.as_deref().unwrap_or("??"),
            self.name
        )
    }

    /// Its JUnit testcase: failed when a violation has error severity, with the rule names in
    /// the failure; the raw message and every violation in system-out.
    pub fn testcase(&self, classname: &str) -> TestCase {
        let mut case = if self.passed() {
            TestCase::success(&self.title(), Duration::ZERO)
        } else {
            let errors: Vec<&Violation> = self
                .violations
                .iter()
                .filter(|v| v.severity == Severity::Error)
                .collect();
            let rule = errors.first().map_or("violation", |v| v.rule.code());
            let message = errors
                .iter()
                .map(|v| format!("[{}] {}", v.rule.code(), v.message()))
                .collect::<Vec<_>>()
                .join("; ");
            TestCase::failure(&self.title(), Duration::ZERO, rule, &message)
        };
        case.set_classname(classname);
        let mut body = format!("received {}\n", self.raw);
        for v in &self.violations {
            body.push_str(&format!("{v}\n"));
        }
        case.set_system_out(&body);
        case
    }

    /// Its JSON object.
    pub fn to_json(&self) -> Value {
        json!({
            "connection": self.connection,
            "index": self.index,
            "peer": self.peer,
            "code": self.code,
            "name": self.name,
            "raw": self.raw,
            "passed": self.passed(),
            "violations": self.violations,
        })
    }
}

/// The classname of a client's testcases: `client_127_0_0_1_54321` for 127.0.0.1:54321. No
/// dots, so Jenkins does not split the address into packages; each other character that is
/// not a letter or digit becomes one `_`.
pub fn peer_class(peer: &str) -> String {
    let mut out = String::from("client_");
    for c in peer.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// Everything a server saw, returned by `Server::shutdown`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServeReport {
    /// Connections accepted.
    pub connections: u64,
    /// Requests received (frames, including ones that were not messages).
    pub requests: u64,
    /// One record per request (only with `strict`), at most `MAX_RECORDS`.
    pub records: Vec<RequestRecord>,
    /// Records not kept because the cap was reached.
    pub dropped: u64,
}

/// The version of the JSON report's layout: raised when a key is renamed or removed, or its
/// meaning changes (keys may be added without it).
pub const SCHEMA_VERSION: u32 = 1;

/// Most records a report keeps (a bounded log for a long-running server).
pub const MAX_RECORDS: usize = 100_000;

/// A report file that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing failed.
    #[error("writing the report: {0}")]
    Io(#[from] std::io::Error),
    /// The JUnit writer failed.
    #[error("writing JUnit XML: {0}")]
    Junit(String),
}

impl ServeReport {
    /// Records with at least one error-severity violation.
    pub fn failures(&self) -> usize {
        self.records.iter().filter(|r| !r.passed()).count()
    }

    /// Writes the JUnit XML: one testsuite, one testcase per request.
    pub fn write_junit(&self, out: impl Write) -> Result<(), ReportError> {
        let mut suite = TestSuiteBuilder::new("sip2check serve --strict: client conformance");
        for r in &self.records {
            let case = r.testcase(&peer_class(&r.peer));
            suite.add_testcase(case);
        }
        if self.dropped > 0 {
            suite.set_system_out(&format!(
                "{} further requests were not recorded (limit {MAX_RECORDS})",
                self.dropped
            ));
        }
        ReportBuilder::new()
            .add_testsuite(suite.build())
            .build()
            .write_xml(out)
            .map_err(|e| ReportError::Junit(e.to_string()))
    }

    /// The report as JSON: its `schema_version` (`SCHEMA_VERSION`), a summary and one object per request with
    /// its violations.
    pub fn to_json(&self) -> Value {
        let requests: Vec<Value> = self.records.iter().map(RequestRecord::to_json).collect();
        json!({
            "schema_version": SCHEMA_VERSION,
            "tool": { "name": "sip2check", "version": env!("CARGO_PKG_VERSION") },
            "connections": self.connections,
            "requests": self.requests,
            "recorded": self.records.len(),
            "dropped": self.dropped,
            "failed": self.failures(),
            "records": requests,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip2::{FieldRef, Rule};

    fn record(violations: Vec<Violation>) -> RequestRecord {
        RequestRecord {
            connection: 1,
            index: 2,
            peer: "127.0.0.1:5000".into(),
            code: Some("23".into()),
            name: "Patron Status Request".into(),
            raw: "2300120260101    084237AOBR1|<CR>".into(),
            violations,
        }
    }

    #[test]
    fn junit_has_one_case_per_request_and_names_the_rule() {
        let bad = record(vec![Violation::new(
            Rule::FixedLength,
            FieldRef::Message,
            "21 characters",
            "20",
        )]);
        let report = ServeReport {
            connections: 1,
            requests: 2,
            records: vec![record(vec![]), bad],
            dropped: 0,
        };
        let mut out = Vec::new();
        report.write_junit(&mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains("tests=\"2\""), "{xml}");
        assert!(xml.contains("failures=\"1\""), "{xml}");
        assert!(xml.contains("type=\"fixed-length\""), "{xml}");
        assert!(xml.contains("classname=\"client_127_0_0_1_5000\""), "{xml}");
        let json = report.to_json();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["tool"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(json["failed"], 1);
        assert_eq!(
            json["records"][1]["violations"][0]["message"],
            "message: expected 21 characters, got 20"
        );
        assert_eq!(json["records"][1]["violations"][0]["rule"], "fixed-length");
    }

    #[test]
    fn peer_labels_have_no_dots() {
        assert_eq!(peer_class("127.0.0.1:54321"), "client_127_0_0_1_54321");
        assert_eq!(peer_class("[::1]:6001"), "client_1_6001");
    }

    #[test]
    fn warnings_alone_pass() {
        let warn = record(vec![Violation::new(
            Rule::FlagN,
            FieldRef::Message,
            "Y or blank",
            "N",
        )]);
        assert!(warn.passed());
    }
}
