//! The page of request records: what `serve --strict` saw of a self-check's requests, and what
//! `proxy` saw both ways, message by message with the linter's findings and who sent each one;
//! grouped by connection, with the findings counted by rule and the message types each side used.
//!
//! The records come as `acs::RequestRecord`s, already masked where they were recorded.

use std::collections::BTreeMap;

use super::{Html, Mark, badge, banner, counts, facts, table_close, table_open, tool};
use crate::acs::RequestRecord;
use crate::sip2::Severity;

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sender {
    /// The self-check (SC).
    Device,
    /// The library system (ACS).
    Acs,
}

impl Sender {
    fn label(self) -> &'static str {
        match self {
            Sender::Device => "device",
            Sender::Acs => "ACS",
        }
    }

    /// The transcript mark: `>` from the self-check, `<` from the ACS.
    fn arrow(self) -> &'static str {
        match self {
            Sender::Device => "&gt;",
            Sender::Acs => "&lt;",
        }
    }
}

/// A device connection, as the page heads its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Its number (1-based, in accept order).
    pub number: u64,
    /// The device's address.
    pub peer: String,
    /// How it went, for people ("closed by the device; 3 messages from the device, ...").
    pub summary: String,
    /// The error it ended in, if any.
    pub error: Option<String>,
}

/// Everything the page shows.
#[derive(Debug, Clone)]
pub struct RecordsPage<'a> {
    /// The heading: "Self-check certification report".
    pub title: &'static str,
    /// What the report covers, one sentence.
    pub about: &'static str,
    /// The facts of the session (listen address, ACS, start, counts, ...).
    pub facts: Vec<(&'static str, String)>,
    /// Every message kept, in the order seen, with its sender.
    pub messages: Vec<(Sender, &'a RequestRecord)>,
    /// The connections, when known beyond their messages (the proxy's).
    pub connections: Vec<Connection>,
    /// Anything else a reader must know (records dropped past the cap, ...).
    pub notes: Vec<String>,
}

/// The whole page.
pub fn page(p: &RecordsPage) -> String {
    let mut h = Html::default();
    let failed = p.messages.iter().filter(|(_, r)| !r.passed()).count();
    let from = |side: Sender| p.messages.iter().filter(|(s, _)| *s == side).count();
    let failed_from = |side: Sender| {
        p.messages
            .iter()
            .filter(|(s, r)| *s == side && !r.passed())
            .count()
    };
    let warned = p.messages.iter().filter(|(_, r)| warned(r)).count();
    h.el("<header><h1>", p.title, "</h1>\n");
    h.el("<p>", p.about, "</p>\n");
    if failed > 0 {
        banner(
            &mut h,
            Mark::Failed,
            "failed",
            &format!(
                "{failed} of {} messages have an error-severity violation ({} from the device, {} from the ACS)",
                p.messages.len(),
                failed_from(Sender::Device),
                failed_from(Sender::Acs)
            ),
        );
    } else {
        banner(
            &mut h,
            Mark::Passed,
            "passed",
            &format!(
                "no error-severity violation in {} messages",
                p.messages.len()
            ),
        );
    }
    let mut rows = p.facts.clone();
    rows.push(("Tool", tool()));
    facts(&mut h, &rows);
    let connections = connections(p);
    let mut cards = vec![
        ("connections", connections.len(), None),
        ("messages from the device", from(Sender::Device), None),
    ];
    if from(Sender::Acs) > 0 {
        cards.push(("messages from the ACS", from(Sender::Acs), None));
    }
    cards.push(("failed messages", failed, Some(Mark::Failed)));
    cards.push(("messages with warnings", warned, Some(Mark::Warned)));
    counts(&mut h, &cards);
    h.raw("</header>\n");
    for note in &p.notes {
        h.el("<p class=\"note\">", note, "</p>\n");
    }
    by_rule(&mut h, &p.messages);
    types(&mut h, &p.messages);
    for c in &connections {
        connection(&mut h, c, &p.messages);
    }
    super::page(p.title, &h)
}

/// The caller's connections, and any others the messages name, in number order.
fn connections(p: &RecordsPage) -> Vec<Connection> {
    let mut all: BTreeMap<u64, Connection> = p
        .connections
        .iter()
        .map(|c| (c.number, c.clone()))
        .collect();
    for (side, r) in &p.messages {
        let c = all.entry(r.connection).or_insert_with(|| Connection {
            number: r.connection,
            peer: String::new(),
            summary: String::new(),
            error: None,
        });
        // A record's peer is its sender's: the device's address is on the device's messages.
        if c.peer.is_empty() && *side == Sender::Device {
            c.peer = r.peer.clone();
        }
    }
    all.into_values().collect()
}

/// Findings counted by rule, severity and sender.
fn by_rule(h: &mut Html, messages: &[(Sender, &RequestRecord)]) {
    let mut count: BTreeMap<(std::cmp::Reverse<Severity>, &str, Sender), usize> = BTreeMap::new();
    for (side, r) in messages {
        for v in &r.violations {
            *count
                .entry((std::cmp::Reverse(v.severity), v.rule.code(), *side))
                .or_default() += 1;
        }
    }
    if count.is_empty() {
        return;
    }
    h.raw("<h2>Findings by rule</h2>\n");
    table_open(h, "tally", &["severity", "rule", "from", "findings"]);
    for ((severity, rule, side), n) in count {
        h.raw("<tr class=\"")
            .raw(severity_class(severity.0))
            .raw("\"><td>");
        h.raw(severity.0.as_str()).raw("</td>");
        h.el("<td class=\"m\">", rule, "</td><td>");
        h.raw(side.label())
            .raw("</td><td>")
            .num(n)
            .raw("</td></tr>\n");
    }
    table_close(h);
}

/// The message types each side used.
fn types(h: &mut Html, messages: &[(Sender, &RequestRecord)]) {
    let mut count: BTreeMap<(Sender, String), usize> = BTreeMap::new();
    for (side, r) in messages {
        let label = match &r.code {
            Some(code) => format!("{code} {}", r.name),
            None => r.name.clone(),
        };
        *count.entry((*side, label)).or_default() += 1;
    }
    if count.is_empty() {
        return;
    }
    h.raw("<h2>Message types</h2>\n");
    table_open(h, "tally", &["from", "message", "count"]);
    for ((side, label), n) in count {
        h.raw("<tr><td>").raw(side.label()).raw("</td>");
        h.el("<td>", &label, "</td><td>").num(n).raw("</td></tr>\n");
    }
    table_close(h);
}

fn connection(h: &mut Html, c: &Connection, messages: &[(Sender, &RequestRecord)]) {
    let mine: Vec<&(Sender, &RequestRecord)> = messages
        .iter()
        .filter(|(_, r)| r.connection == c.number)
        .collect();
    let failed = mine.iter().filter(|(_, r)| !r.passed()).count();
    h.raw("<section class=\"conn\" id=\"c")
        .num(c.number)
        .raw("\"><h2>");
    badge(
        h,
        if c.error.is_some() {
            Mark::Errored
        } else if failed > 0 {
            Mark::Failed
        } else {
            Mark::Passed
        },
    );
    h.raw("Connection ").num(c.number);
    if !c.peer.is_empty() {
        h.raw(" from ").text(&c.peer);
    }
    h.raw("</h2>\n");
    if !c.summary.is_empty() {
        h.el("<p>", &c.summary, "</p>\n");
    }
    if let Some(e) = &c.error {
        h.el("<p class=\"err\">", e, "</p>\n");
    }
    if mine.is_empty() {
        h.raw("<p>No messages.</p>\n</section>\n");
        return;
    }
    table_open(
        h,
        "msgs",
        &[
            "#",
            "from",
            "message",
            "result",
            "as received, and the linter's findings",
        ],
    );
    for (side, r) in mine {
        let mark = if !r.passed() {
            Mark::Failed
        } else if warned(r) {
            Mark::Warned
        } else {
            Mark::Passed
        };
        h.raw("<tr class=\"")
            .raw(mark.class())
            .raw("\"><td>")
            .num(r.index);
        h.raw("</td><td>").raw(side.label()).raw("</td><td>");
        if let Some(code) = &r.code {
            h.text(code).raw(" ");
        }
        h.text(&r.name).raw("</td><td>");
        badge(h, mark);
        h.raw("</td><td><div class=\"m\"><span class=\"d\">")
            .raw(side.arrow());
        h.raw(" </span>").text(&r.raw).raw("</div>");
        let mut sorted: Vec<_> = r.violations.iter().collect();
        sorted.sort_by_key(|v| std::cmp::Reverse(v.severity));
        for v in sorted {
            h.raw("<div class=\"f ")
                .raw(severity_class(v.severity))
                .raw("\">");
            h.text(&v.to_string()).raw("</div>");
        }
        h.raw("</td></tr>\n");
    }
    table_close(h);
    h.raw("</section>\n");
}

/// A message with a warning-severity finding and no error.
fn warned(r: &RequestRecord) -> bool {
    r.passed() && r.violations.iter().any(|v| v.severity == Severity::Warning)
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sip2::{FieldRef, Rule, Violation};

    fn record(
        connection: u64,
        index: u64,
        code: &str,
        raw: &str,
        v: Vec<Violation>,
    ) -> RequestRecord {
        RequestRecord {
            connection,
            index,
            peer: "127.0.0.1:5000".into(),
            code: Some(code.into()),
            name: "Checkout".into(),
            raw: raw.into(),
            violations: v,
        }
    }

    #[test]
    fn messages_are_grouped_by_connection_with_their_sender_and_findings_counted_by_rule() {
        let bad = record(
            1,
            2,
            "11",
            "11YN<script>alert(1)</script>|<CR>",
            vec![Violation::new(
                Rule::FixedLength,
                FieldRef::Message,
                "38 characters",
                "37",
            )],
        );
        let answer = record(
            1,
            2,
            "12",
            "121NNY|<CR><LF>",
            vec![Violation::new(
                Rule::LfAfterCr,
                FieldRef::Wire,
                "CR",
                "CR LF",
            )],
        );
        let later = record(3, 1, "93", "9300CNsip_01|CO***|CPBR1|<CR>", vec![]);
        let page = page(&RecordsPage {
            title: "Proxy certification report",
            about: "Both directions.",
            facts: vec![("ACS", "127.0.0.1:6001".into())],
            messages: vec![
                (Sender::Device, &bad),
                (Sender::Acs, &answer),
                (Sender::Device, &later),
            ],
            connections: vec![Connection {
                number: 2,
                peer: "127.0.0.1:5001".into(),
                summary: "closed: the ACS could not be reached".into(),
                error: Some("connection refused".into()),
            }],
            notes: vec![],
        });
        assert!(page.contains("<b>failed</b> 1 of 3 messages have an error-severity violation (1 from the device, 0 from the ACS)"), "{page}");
        assert!(page.contains("<tr class=\"error\"><td>error</td><td class=\"m\">fixed-length</td><td>device</td><td>1</td></tr>"), "{page}");
        assert!(page.contains("<tr class=\"warning\"><td>warning</td><td class=\"m\">lf-after-cr</td><td>ACS</td><td>1</td></tr>"), "{page}");
        let c1 = page.find("id=\"c1\"").unwrap();
        let c2 = page.find("id=\"c2\"").unwrap();
        let c3 = page.find("id=\"c3\"").unwrap();
        assert!(
            c1 < c2 && c2 < c3,
            "connections in order, the one without messages too"
        );
        assert!(page[c2..c3].contains("connection refused"));
        assert!(
            page.contains("<span class=\"d\">&lt; </span>121NNY|&lt;CR&gt;&lt;LF&gt;"),
            "{page}"
        );
        assert!(
            page.contains("11YN&lt;script&gt;alert(1)&lt;/script&gt;|&lt;CR&gt;"),
            "{page}"
        );
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("<th>ACS</th><td>127.0.0.1:6001</td>"));
    }
}
