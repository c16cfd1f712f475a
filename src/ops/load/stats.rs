//! What a load run counts: per request type the requests, answers, refusals, errors and a
//! latency histogram; errors by class; lint errors by rule; connections.

use std::collections::BTreeMap;
use std::time::Duration;

use super::histogram::Histogram;
use crate::sip2::MessageCode;

/// Why a request did not get a good answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorClass {
    /// No whole answer within the response timeout.
    Timeout,
    /// The server closed (or reset) the connection instead of answering.
    Closed,
    /// The answer is not a SIP message (or longer than the maximum message size).
    NotSip,
    /// An answer of another type than the spec gives for the request (a 96 included).
    WrongType,
    /// The answer has an error-severity lint finding.
    Lint,
    /// The login was refused (940); the connection stops.
    LoginRefused,
    /// A check of the `--scenario` step failed.
    Check,
}

impl ErrorClass {
    /// Every class, in report order.
    pub const ALL: [ErrorClass; 7] = [
        ErrorClass::Timeout,
        ErrorClass::Closed,
        ErrorClass::NotSip,
        ErrorClass::WrongType,
        ErrorClass::Lint,
        ErrorClass::LoginRefused,
        ErrorClass::Check,
    ];

    /// The name in reports.
    pub fn name(self) -> &'static str {
        match self {
            ErrorClass::Timeout => "timeout",
            ErrorClass::Closed => "closed",
            ErrorClass::NotSip => "not-sip",
            ErrorClass::WrongType => "wrong-type",
            ErrorClass::Lint => "lint",
            ErrorClass::LoginRefused => "login-refused",
            ErrorClass::Check => "check",
        }
    }
}

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The right response type, without lint errors; `refused` when its ok field is 0.
    Answered {
        /// The answer says no (ok 0): a valid answer, counted apart.
        refused: bool,
    },
    /// Something went wrong; `rule` is the first lint error's rule for [`ErrorClass::Lint`].
    Failed(ErrorClass, Option<&'static str>),
}

/// The counts of one request type.
#[derive(Debug, Clone)]
pub struct TypeStats {
    /// The request's code.
    pub code: MessageCode,
    /// Requests sent.
    pub requests: u64,
    /// Answered well (refusals included).
    pub ok: u64,
    /// Of those, answers that say no.
    pub refused: u64,
    /// Requests that failed.
    pub errors: u64,
    /// Latency of every request that got an answer.
    pub latency: Histogram,
}

impl TypeStats {
    fn new(code: MessageCode) -> TypeStats {
        TypeStats {
            code,
            requests: 0,
            ok: 0,
            refused: 0,
            errors: 0,
            latency: Histogram::default(),
        }
    }

    fn merge(&mut self, other: &TypeStats) {
        self.requests += other.requests;
        self.ok += other.ok;
        self.refused += other.refused;
        self.errors += other.errors;
        self.latency.merge(&other.latency);
    }
}

/// Everything counted, for one worker, one ramp step or the whole run.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Per request type, in the order first sent.
    pub types: Vec<TypeStats>,
    /// Failed requests by class.
    pub errors: BTreeMap<ErrorClass, u64>,
    /// Lint errors by rule (the first error-severity rule of each answer).
    pub lint_rules: BTreeMap<&'static str, u64>,
    /// Connections opened.
    pub connects: u64,
    /// Connections that could not be opened.
    pub connect_failures: u64,
    /// Connections that opened but got no answer at all (closed at once, or silent).
    pub unserved: u64,
}

impl Stats {
    /// Records one request of type `code` that ended in `outcome`; `latency` when it was answered.
    pub fn record(&mut self, code: MessageCode, outcome: Outcome, latency: Option<Duration>) {
        let t = match self.types.iter().position(|t| t.code == code) {
            Some(i) => &mut self.types[i],
            None => {
                self.types.push(TypeStats::new(code));
                let last = self.types.len() - 1;
                &mut self.types[last]
            }
        };
        t.requests += 1;
        if let Some(d) = latency {
            t.latency.record(d);
        }
        match outcome {
            Outcome::Answered { refused } => {
                t.ok += 1;
                t.refused += u64::from(refused);
            }
            Outcome::Failed(class, rule) => {
                t.errors += 1;
                *self.errors.entry(class).or_default() += 1;
                if let Some(rule) = rule {
                    *self.lint_rules.entry(rule).or_default() += 1;
                }
            }
        }
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: &Stats) {
        for t in &other.types {
            match self.types.iter_mut().find(|s| s.code == t.code) {
                Some(s) => s.merge(t),
                None => self.types.push(t.clone()),
            }
        }
        for (k, v) in &other.errors {
            *self.errors.entry(*k).or_default() += v;
        }
        for (k, v) in &other.lint_rules {
            *self.lint_rules.entry(k).or_default() += v;
        }
        self.connects += other.connects;
        self.connect_failures += other.connect_failures;
        self.unserved += other.unserved;
    }

    /// Requests sent.
    pub fn requests(&self) -> u64 {
        self.types.iter().map(|t| t.requests).sum()
    }

    /// Requests answered well.
    pub fn ok(&self) -> u64 {
        self.types.iter().map(|t| t.ok).sum()
    }

    /// Answers that said no.
    pub fn refused(&self) -> u64 {
        self.types.iter().map(|t| t.refused).sum()
    }

    /// Requests that failed.
    pub fn failed(&self) -> u64 {
        self.types.iter().map(|t| t.errors).sum()
    }

    /// Every answered request's latency, all types together.
    pub fn latency(&self) -> Histogram {
        let mut all = Histogram::default();
        for t in &self.types {
            all.merge(&t.latency);
        }
        all
    }

    /// Failed requests and failed connects over everything tried.
    pub fn error_rate(&self) -> f64 {
        let bad = self.failed() + self.connect_failures;
        let tried = self.requests() + self.connect_failures;
        if tried == 0 {
            0.0
        } else {
            bad as f64 / tried as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_merge() {
        let mut a = Stats::default();
        let ms = Some(Duration::from_millis(1));
        a.record(
            MessageCode::CHECKOUT,
            Outcome::Answered { refused: false },
            ms,
        );
        a.record(
            MessageCode::CHECKOUT,
            Outcome::Answered { refused: true },
            ms,
        );
        a.record(
            MessageCode::CHECKOUT,
            Outcome::Failed(ErrorClass::Lint, Some("checksum")),
            ms,
        );
        let mut b = Stats::default();
        b.record(
            MessageCode::CHECKIN,
            Outcome::Failed(ErrorClass::Timeout, None),
            None,
        );
        b.connect_failures = 1;
        a.merge(&b);
        assert_eq!(
            (a.requests(), a.ok(), a.refused(), a.failed()),
            (4, 2, 1, 2)
        );
        assert_eq!(
            a.errors[&ErrorClass::Lint] + a.errors[&ErrorClass::Timeout],
            2
        );
        assert_eq!(a.lint_rules["checksum"], 1);
        assert_eq!(a.latency().count(), 3, "a timeout has no latency");
        assert!((a.error_rate() - 3.0 / 5.0).abs() < 1e-9);
    }
}
