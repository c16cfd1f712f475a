//! What a scan found, per file and per message type, and its two renderings: text for
//! people, JSON for tools.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde_json::{Value, json};

use super::Format;
use crate::report::style::Palette;
use crate::sip2::spec::{self, Direction};
use crate::sip2::{MessageCode, Violation};

/// Everything a scan found.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// The files, in the order scanned.
    pub files: Vec<FileSummary>,
    /// Per message type.
    pub types: BTreeMap<MessageCode, TypeStats>,
    /// Findings per rule code.
    pub rules: BTreeMap<&'static str, u64>,
    /// Messages found.
    pub messages: u64,
    /// Of which requests (SC to ACS).
    pub requests: u64,
    /// Of which responses (ACS to SC).
    pub responses: u64,
    /// Requests no response answered.
    pub unanswered: u64,
    /// Responses with no request before them (the log began mid-session, or a request was not logged).
    pub unpaired_responses: u64,
    /// Answers that refuse or fail (ok 0, N flags, 96).
    pub refused: u64,
    /// Logged "messages" that are not SIP messages at all.
    pub not_messages: u64,
    /// Error-severity findings (and non-messages).
    pub errors: u64,
    /// Warning-severity findings.
    pub warnings: u64,
    /// Info findings.
    pub infos: u64,
    /// Checksums not judged because the log masked a password the checksum covers.
    pub unverifiable_checksums: u64,
    /// The worst messages, worst first.
    pub worst: Vec<Notable>,
}

/// One file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Its name as given.
    pub path: String,
    /// The format read (None when it could not be read).
    pub format: Option<Format>,
    /// Lines read.
    pub lines: u64,
    /// SIP messages found.
    pub messages: u64,
    /// Lines longer than the cap, skipped.
    pub overlong_lines: u64,
    /// Why the file could not be scanned.
    pub error: Option<String>,
}

impl FileSummary {
    /// A file with nothing read yet.
    pub fn new(path: &str) -> Self {
        FileSummary {
            path: path.to_string(),
            format: None,
            lines: 0,
            messages: 0,
            overlong_lines: 0,
            error: None,
        }
    }
}

/// One message type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeStats {
    /// Its code.
    pub code: MessageCode,
    /// Messages of this type.
    pub count: u64,
    /// Findings per rule code.
    pub findings: BTreeMap<&'static str, u64>,
    /// Error-severity findings.
    pub errors: u64,
    /// Warnings.
    pub warnings: u64,
    /// Info findings.
    pub infos: u64,
    /// Refusals and failures (responses).
    pub refused: u64,
    /// Requests never answered.
    pub unanswered: u64,
    /// Time from request to response (requests, where the log has timestamps).
    pub latency: Latency,
}

impl TypeStats {
    /// No messages yet.
    pub fn new(code: MessageCode) -> Self {
        TypeStats {
            code,
            count: 0,
            findings: BTreeMap::new(),
            errors: 0,
            warnings: 0,
            infos: 0,
            refused: 0,
            unanswered: 0,
            latency: Latency::default(),
        }
    }

    /// "11 Checkout", or the code alone when the spec does not know it.
    pub fn label(&self) -> String {
        label(self.code)
    }
}

fn label(code: MessageCode) -> String {
    spec::message(code).map_or_else(
        || format!("{code} (unknown)"),
        |s| format!("{code} {}", s.name),
    )
}

/// Upper bounds of the latency histogram, in milliseconds.
const BUCKETS: [i64; 15] = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000,
];

/// Latency samples, kept as a fixed histogram (bounded memory) plus min, max and sum.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Latency {
    /// Samples.
    pub count: u64,
    /// Sum of the samples, ms.
    pub sum_ms: i64,
    /// Smallest, ms.
    pub min_ms: i64,
    /// Largest, ms.
    pub max_ms: i64,
    /// Some sample came from whole-second timestamps.
    pub coarse: bool,
    buckets: [u64; BUCKETS.len() + 1],
}

impl Latency {
    /// Adds one sample (`precise`: both timestamps had fractions of a second).
    pub fn add(&mut self, ms: i64, precise: bool) {
        if self.count == 0 || ms < self.min_ms {
            self.min_ms = ms;
        }
        self.max_ms = self.max_ms.max(ms);
        self.count += 1;
        self.sum_ms = self.sum_ms.saturating_add(ms);
        self.coarse |= !precise;
        let slot = BUCKETS
            .iter()
            .position(|b| ms <= *b)
            .unwrap_or(BUCKETS.len());
        if let Some(b) = self.buckets.get_mut(slot) {
            *b += 1;
        }
    }

    /// The mean, ms.
    pub fn mean_ms(&self) -> Option<i64> {
        (self.count > 0).then(|| self.sum_ms / i64::try_from(self.count).unwrap_or(i64::MAX))
    }

    /// A bound the 95th percentile does not exceed (a histogram bucket's upper edge, or the maximum).
    pub fn p95_at_most_ms(&self) -> Option<i64> {
        if self.count == 0 {
            return None;
        }
        let want = (self.count * 95).div_ceil(100);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= want {
                return Some(
                    BUCKETS
                        .get(i)
                        .map_or(self.max_ms, |b| (*b).min(self.max_ms)),
                );
            }
        }
        Some(self.max_ms)
    }
}

/// A message worth showing: its place, its findings and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notable {
    /// The file.
    pub file: String,
    /// Its line in the file (1-based).
    pub line: u64,
    /// Who sent it.
    pub direction: Option<Direction>,
    /// Its code, when it is a message at all.
    pub code: Option<MessageCode>,
    /// The message, masked and escaped.
    pub text: String,
    /// The linter's findings.
    pub violations: Vec<Violation>,
    /// Why it is not a SIP message, when it is not.
    pub not_a_message: Option<String>,
    /// Why the answer is a refusal or failure.
    pub refused: Option<String>,
    /// A request no response answered.
    pub unanswered: bool,
    /// For a response: the line of the request it answers.
    pub answers_line: Option<u64>,
    /// For a response: ms since its request.
    pub latency_ms: Option<i64>,
}

impl Notable {
    fn label(&self) -> String {
        let who = match self.direction {
            Some(Direction::ScToAcs) => "request ",
            Some(Direction::AcsToSc) => "response ",
            None => "",
        };
        match self.code {
            Some(code) => format!("{who}{}", label(code)),
            None => format!("{who}(not a SIP message)"),
        }
    }

    fn verdicts(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = &self.not_a_message {
            out.push(e.clone());
        }
        if self.unanswered {
            out.push("unanswered".into());
        }
        if let Some(r) = &self.refused {
            out.push(format!("refused ({r})"));
        }
        let count = |s: crate::sip2::Severity, word: &str| {
            let n = self.violations.iter().filter(|v| v.severity == s).count();
            (n > 0).then(|| format!("{n} {word}{}", if n == 1 { "" } else { "s" }))
        };
        out.extend(count(crate::sip2::Severity::Error, "error"));
        out.extend(count(crate::sip2::Severity::Warning, "warning"));
        out.extend(count(crate::sip2::Severity::Info, "info finding"));
        if let Some(line) = self.answers_line {
            out.push(format!("answers line {line}"));
        }
        out
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn dash(n: u64) -> String {
    if n == 0 { "-".into() } else { n.to_string() }
}

/// The summary for people, its findings painted with `paint`.
pub fn render_text(s: &Summary, paint: &Palette) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "sip2check logscan: {}, {} ({}, {}): {}, {}, {}, {}",
        plural(s.files.len() as u64, "file", "files"),
        plural(s.messages, "message", "messages"),
        plural(s.requests, "request", "requests"),
        plural(s.responses, "response", "responses"),
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.unanswered, "unanswered request", "unanswered requests"),
        plural(s.refused, "refused answer", "refused answers"),
    );
    for f in &s.files {
        match (&f.error, f.format) {
            (Some(e), _) => {
                let _ = writeln!(out, "  {e}");
            }
            (None, format) => {
                let overlong = if f.overlong_lines > 0 {
                    format!(
                        ", {} skipped (longer than the line limit)",
                        f.overlong_lines
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "  {}: {}, {}, {}{overlong}",
                    f.path,
                    format.map_or("?", Format::name),
                    plural(f.lines, "line", "lines"),
                    plural(f.messages, "message", "messages"),
                );
            }
        }
    }
    if s.unpaired_responses > 0 {
        let _ = writeln!(
            out,
            "  {} without a request before them (the log starts mid-session, or does not log requests)",
            plural(s.unpaired_responses, "response", "responses")
        );
    }
    if s.unverifiable_checksums > 0 {
        let _ = writeln!(
            out,
            "  {} not verified: the log masked a password they cover",
            plural(s.unverifiable_checksums, "checksum", "checksums")
        );
    }
    if !s.types.is_empty() {
        let width = s
            .types
            .values()
            .map(|t| t.label().chars().count())
            .max()
            .unwrap_or(0)
            .max(12);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:<width$}  {:>5}  {:>7}  {:>10}  {:<22}  findings",
            "message type", "count", "refused", "unanswered", "latency ms min/avg/max"
        );
        for t in s.types.values() {
            let latency = match t.latency.mean_ms() {
                Some(mean) => format!(
                    "{}/{mean}/{}{}",
                    t.latency.min_ms,
                    t.latency.max_ms,
                    if t.latency.coarse { "*" } else { "" }
                ),
                None => "-".into(),
            };
            let findings: Vec<String> =
                t.findings.iter().map(|(r, n)| format!("{r} {n}")).collect();
            let _ = writeln!(
                out,
                "{:<width$}  {:>5}  {:>7}  {:>10}  {:<22}  {}",
                t.label(),
                t.count,
                dash(t.refused),
                dash(t.unanswered),
                latency,
                if findings.is_empty() {
                    "-".into()
                } else {
                    findings.join(", ")
                }
            );
        }
    }
    if s.types.values().any(|t| t.latency.coarse) {
        let _ = writeln!(out, "* from whole-second timestamps: in steps of 1000 ms");
    }
    if !s.worst.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "worst messages:");
        for n in &s.worst {
            let _ = writeln!(
                out,
                "  {}:{}  {}: {}",
                n.file,
                n.line,
                n.label(),
                n.verdicts().join(", ")
            );
            let _ = writeln!(out, "    {}", n.text);
            let mut sorted: Vec<&Violation> = n.violations.iter().collect();
            sorted.sort_by_key(|v| std::cmp::Reverse(v.severity));
            for v in sorted {
                let _ = writeln!(out, "    {}", paint.violation(v));
            }
        }
    }
    out
}

fn direction_name(d: Option<Direction>) -> Option<&'static str> {
    d.map(|d| match d {
        Direction::ScToAcs => "request",
        Direction::AcsToSc => "response",
    })
}

/// The summary for tools.
pub fn to_json(s: &Summary) -> Value {
    let types: Vec<Value> = s
        .types
        .values()
        .map(|t| {
            let spec = spec::message(t.code);
            let latency = (t.latency.count > 0).then(|| {
                json!({
                    "count": t.latency.count,
                    "min": t.latency.min_ms,
                    "mean": t.latency.mean_ms(),
                    "p95_at_most": t.latency.p95_at_most_ms(),
                    "max": t.latency.max_ms,
                    "resolution_ms": if t.latency.coarse { 1000 } else { 1 },
                })
            });
            json!({
                "code": t.code.to_string(),
                "name": spec.map(|s| s.name),
                "direction": direction_name(spec.map(|s| s.direction)),
                "count": t.count,
                "errors": t.errors,
                "warnings": t.warnings,
                "infos": t.infos,
                "findings": t.findings,
                "refused": t.refused,
                "unanswered": t.unanswered,
                "latency_ms": latency,
            })
        })
        .collect();
    let worst: Vec<Value> = s
        .worst
        .iter()
        .map(|n| {
            json!({
                "file": n.file,
                "line": n.line,
                "direction": direction_name(n.direction),
                "code": n.code.map(|c| c.to_string()),
                "message": n.text,
                "not_a_message": n.not_a_message,
                "unanswered": n.unanswered,
                "refused": n.refused,
                "answers_line": n.answers_line,
                "latency_ms": n.latency_ms,
                "violations": n.violations,
            })
        })
        .collect();
    json!({
        "files": s.files.iter().map(|f| json!({
            "path": f.path,
            "format": f.format.map(Format::name),
            "lines": f.lines,
            "messages": f.messages,
            "overlong_lines": f.overlong_lines,
            "error": f.error,
        })).collect::<Vec<_>>(),
        "messages": s.messages,
        "requests": s.requests,
        "responses": s.responses,
        "unanswered": s.unanswered,
        "unpaired_responses": s.unpaired_responses,
        "refused": s.refused,
        "not_messages": s.not_messages,
        "errors": s.errors,
        "warnings": s.warnings,
        "infos": s.infos,
        "unverifiable_checksums": s.unverifiable_checksums,
        "rules": s.rules,
        "types": types,
        "worst": worst,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_keeps_a_histogram() {
        let mut l = Latency::default();
        assert_eq!((l.mean_ms(), l.p95_at_most_ms()), (None, None));
        for ms in [3, 4, 4, 40, 900] {
            l.add(ms, true);
        }
        assert_eq!((l.min_ms, l.max_ms, l.mean_ms()), (3, 900, Some(190)));
        assert_eq!(l.p95_at_most_ms(), Some(900));
        let mut m = Latency::default();
        for _ in 0..99 {
            m.add(7, false);
        }
        m.add(70_000, false);
        assert_eq!(m.p95_at_most_ms(), Some(10));
        assert!(m.coarse);
    }
}
