//! The writer: a loaded [`Scenario`] back as YAML text in the scenario language, the way
//! sqllogictest prints its records again. Structured `send:` by message key (fixed fields by
//! key, dates left out so they default to now, tagged fields by ID in order), raw text
//! otherwise; every matcher form with its `optional:` and `ground:`; `use:` for the steps that
//! came from common.yaml; `id:` only where the loader would not make the same one from the
//! name; `finally:` and `undo:`. Block style; values quoted where YAML would read them as
//! something else (numbers, leading zeros, Y/N, empty text), regexes in single quotes.
//! Comments are not kept (the model has none). Loading the text again gives the same scenario.

use std::fmt::Write as _;
use std::time::Duration;

use super::{Expect, FixedValue, Requirement, RuleCheck, Scenario, Send, Step, ident};
use crate::check::matcher::{FieldMatcher, Matcher};
use crate::scenario::Ground;
use crate::scenario::template::Template;

/// How wide a folded `about:` line may grow before it wraps.
const WRAP: usize = 88;

/// The scenario as YAML text.
pub fn to_yaml(s: &Scenario) -> String {
    let mut doc: Vec<(String, Node)> = vec![("name".into(), inline(text(&s.name)))];
    if !s.about.is_empty() {
        doc.push(("about".into(), about(&s.about)));
    }
    if !s.tags.is_empty() {
        doc.push((
            "tags".into(),
            inline(flow_list(s.tags.iter().map(|t| text(t)))),
        ));
    }
    if !s.requires.is_empty() {
        doc.push(("requires".into(), requires(&s.requires)));
    }
    if !s.needs.is_empty() {
        doc.push((
            "needs".into(),
            inline(flow_list(s.needs.iter().map(|n| text(n)))),
        ));
    }
    if let Some(c) = s.checksum {
        doc.push(("checksum".into(), inline(c.to_string())));
    }
    doc.push(("steps".into(), Node::List(steps(&s.steps, ""))));
    if !s.finally.is_empty() {
        doc.push(("finally".into(), Node::List(steps(&s.finally, "finally/"))));
    }
    let mut out = String::new();
    map(&doc, 0, &mut out);
    out
}

/// A piece of YAML before it is laid out.
enum Node {
    /// A scalar or a flow collection, already written on one line.
    Inline(String),
    /// A folded block scalar (`>-`), by its lines.
    Folded(Vec<String>),
    /// A block mapping, in order.
    Map(Vec<(String, Node)>),
    /// A block sequence.
    List(Vec<Node>),
}

fn inline(s: String) -> Node {
    Node::Inline(s)
}

/// Lays out `entries` as a block mapping indented by `indent`.
fn map(entries: &[(String, Node)], indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for (key, node) in entries {
        let key = text(key);
        match node {
            Node::Inline(s) => {
                let _ = writeln!(out, "{pad}{key}: {s}");
            }
            Node::Folded(lines) => {
                let _ = writeln!(out, "{pad}{key}: >-");
                for l in lines {
                    let _ = writeln!(out, "{pad}  {l}");
                }
            }
            Node::Map(m) if m.is_empty() => {
                let _ = writeln!(out, "{pad}{key}: {{}}");
            }
            Node::List(l) if l.is_empty() => {
                let _ = writeln!(out, "{pad}{key}: []");
            }
            Node::Map(m) => {
                let _ = writeln!(out, "{pad}{key}:");
                map(m, indent + 2, out);
            }
            Node::List(items) => {
                let _ = writeln!(out, "{pad}{key}:");
                for item in items {
                    list_item(item, indent + 2, out);
                }
            }
        }
    }
}

/// Lays out one item of a block sequence whose dashes stand at `indent`.
fn list_item(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Inline(s) => {
            let _ = writeln!(out, "{pad}- {s}");
        }
        Node::Folded(lines) => {
            let _ = writeln!(out, "{pad}- >-");
            for l in lines {
                let _ = writeln!(out, "{pad}  {l}");
            }
        }
        Node::Map(m) if m.is_empty() => {
            let _ = writeln!(out, "{pad}- {{}}");
        }
        Node::List(l) if l.is_empty() => {
            let _ = writeln!(out, "{pad}- []");
        }
        Node::Map(_) | Node::List(_) => {
            // Laid out two further in, then the first line's indent becomes the dash.
            let mut block = String::new();
            match node {
                Node::Map(m) => map(m, indent + 2, &mut block),
                Node::List(items) => {
                    for item in items {
                        list_item(item, indent + 2, &mut block);
                    }
                }
                Node::Inline(_) | Node::Folded(_) => {}
            }
            out.push_str(&pad);
            out.push_str("- ");
            out.push_str(block.get(indent + 2..).unwrap_or_default());
        }
    }
}

fn steps(steps: &[Step], prefix: &str) -> Vec<Node> {
    let ids = written_ids(steps, prefix);
    steps.iter().zip(ids).map(|(s, id)| step(s, id)).collect()
}

/// For each step, the `id:` to write: None where loading the list gives the step its id from
/// its name (or its shared step) anyway. Starts with none written and adds those the loader
/// would get wrong until it gets all right (at most one round per step).
fn written_ids(steps: &[Step], prefix: &str) -> Vec<Option<String>> {
    let actual: Vec<&str> = steps
        .iter()
        .map(|s| s.id.strip_prefix(prefix).unwrap_or(&s.id))
        .collect();
    let mut written = vec![false; steps.len()];
    loop {
        let mut trial = steps.to_vec();
        for ((t, a), w) in trial.iter_mut().zip(&actual).zip(&written) {
            t.id = match (w, &t.shared) {
                (true, _) => a.to_string(),
                (false, Some(shared)) => shared.id.clone().unwrap_or_default(),
                (false, None) => String::new(),
            };
        }
        // The ids come from `written`, which holds only ids of distinct steps: no error here.
        let _ = ident::assign(&mut trial, "", std::path::Path::new(""));
        let mut more = false;
        for (i, t) in trial.iter().enumerate() {
            if t.id != actual[i] && !written[i] {
                written[i] = true;
                more = true;
            }
        }
        if !more {
            break;
        }
    }
    actual
        .iter()
        .zip(written)
        .map(|(a, w)| w.then(|| a.to_string()))
        .collect()
}

fn step(s: &Step, id: Option<String>) -> Node {
    let mut m: Vec<(String, Node)> = Vec::new();
    if let Some(shared) = &s.shared {
        m.push(("use".into(), inline(text(&shared.key))));
        if s.name != shared.name {
            m.push(("name".into(), inline(text(&s.name))));
        }
        if let Some(id) = id {
            m.push(("id".into(), inline(text(&id))));
        }
        return Node::Map(m);
    }
    m.push(("name".into(), inline(text(&s.name))));
    if let Some(id) = id {
        m.push(("id".into(), inline(text(&id))));
    }
    if let Some(needs) = &s.needs {
        m.push((
            "needs".into(),
            inline(flow_list(needs.iter().map(|n| text(n)))),
        ));
    }
    if !s.requires.is_empty() {
        m.push(("requires".into(), requires(&s.requires)));
    }
    m.push(("send".into(), send(&s.send)));
    if let Some(c) = s.checksum {
        m.push(("checksum".into(), inline(c.to_string())));
    }
    if let Some(t) = s.timeout {
        m.push(("timeout".into(), inline(seconds(t))));
    }
    if let Some(t) = s.terminator {
        m.push(("terminator".into(), inline(t.as_str().to_string())));
    }
    if !s.resend {
        m.push(("resend".into(), inline("false".into())));
    }
    let checks = expect(&s.expect);
    if !checks.is_empty() {
        m.push(("expect".into(), Node::Map(checks)));
    }
    if !s.capture.is_empty() {
        let captures = s
            .capture
            .iter()
            .map(|c| (c.name.clone(), inline(text(&c.source.to_string()))))
            .collect();
        m.push(("capture".into(), Node::Map(captures)));
    }
    if let Some(undo) = &s.undo {
        let prefix = format!("{}/undo/", s.id);
        m.push((
            "undo".into(),
            Node::Map(vec![
                ("when".into(), Node::Map(expect(&undo.when))),
                ("steps".into(), Node::List(steps(&undo.steps, &prefix))),
            ]),
        ));
    }
    Node::Map(m)
}

fn requires(r: &[Requirement]) -> Node {
    inline(flow_list(r.iter().map(|r| text(&r.to_string()))))
}

fn send(s: &Send) -> Node {
    let s = match s {
        Send::Raw(t) => return inline(text(t.as_str())),
        Send::Structured(s) => s,
    };
    let mut fields: Vec<(String, Node)> = Vec::new();
    for (f, v) in &s.fixed {
        // Dates left out default to now, as FixedValue::Now does.
        if let FixedValue::Text(t) = v {
            fields.push((f.key.to_string(), inline(text(t.as_str()))));
        }
    }
    // A run of one ID is a list (the form for repeats); an ID repeated further on is written
    // again as its own key, so the order stays as it was.
    let mut rest = s.fields.as_slice();
    while let Some((id, _)) = rest.first() {
        let run = rest.iter().take_while(|(i, _)| i == id).count();
        let (this, after) = rest.split_at(run);
        let value = match this {
            [(_, one)] => text(one.as_str()),
            many => flow_list(many.iter().map(|(_, t)| text(t.as_str()))),
        };
        fields.push((id.to_string(), inline(value)));
        rest = after;
    }
    Node::Map(vec![(s.spec.key.to_string(), Node::Map(fields))])
}

fn expect(e: &Expect) -> Vec<(String, Node)> {
    let mut m: Vec<(String, Node)> = Vec::new();
    if e.ground != Ground::Spec {
        m.push(("ground".into(), inline(e.ground.name().to_string())));
    }
    if let Some(msg) = e.message {
        m.push(("message".into(), inline(text(msg.key))));
    }
    if let Some(l) = &e.leader {
        let value = match l.ground {
            None => regex(l.regex.as_str()),
            Some(g) => format!("{{ matches: {}, ground: {} }}", regex(l.regex.as_str()), g),
        };
        m.push(("leader".into(), inline(value)));
    }
    if !e.fixed.is_empty() {
        let fixed = e
            .fixed
            .iter()
            .map(|(k, fm)| (k.to_string(), inline(matcher(fm))))
            .collect();
        m.push(("fixed".into(), Node::Map(fixed)));
    }
    if !e.fields.is_empty() {
        let fields = e
            .fields
            .iter()
            .map(|(id, fm)| (id.to_string(), inline(matcher(fm))))
            .collect();
        m.push(("fields".into(), Node::Map(fields)));
    }
    if !e.lint.is_empty() {
        let rules = flow_list(e.lint.iter().map(|r| r.code().to_string()));
        m.push(("lint".into(), inline(rules)));
    }
    for (key, checks) in [("violations", &e.violations), ("forbid", &e.forbid)] {
        if !checks.is_empty() {
            m.push((key.into(), inline(flow_list(checks.iter().map(rule_check)))));
        }
    }
    if e.closed {
        m.push(("closed".into(), inline("true".into())));
    }
    m
}

fn rule_check(c: &RuleCheck) -> String {
    match c.ground {
        None => c.rule.code().to_string(),
        Some(g) => format!("{{ rule: {}, ground: {g} }}", c.rule.code()),
    }
}

/// A matcher: the plain forms where they say it all, else the map form.
fn matcher(fm: &FieldMatcher) -> String {
    if !fm.optional && fm.ground.is_none() {
        return short(&fm.matcher);
    }
    let mut parts = vec![long(&fm.matcher)];
    if fm.optional {
        parts.push("optional: true".into());
    }
    if let Some(g) = fm.ground {
        parts.push(format!("ground: {g}"));
    }
    format!("{{ {} }}", parts.join(", "))
}

/// The shortest form of a matcher with no options: a value, a keyword, or `{ key: value }`.
fn short(m: &Matcher) -> String {
    match m {
        Matcher::Equals(t) if !is_keyword(t.as_str()) => text(t.as_str()),
        Matcher::Present => "present".into(),
        Matcher::Absent => "absent".into(),
        Matcher::Empty => "empty".into(),
        _ => format!("{{ {} }}", long(m)),
    }
}

/// `key: value` of the map form.
fn long(m: &Matcher) -> String {
    let list = |ts: &[Template]| flow_list(ts.iter().map(|t| text(t.as_str())));
    match m {
        Matcher::Equals(t) => format!("equals: {}", text(t.as_str())),
        Matcher::Matches(t) => format!("matches: {}", regex(t.as_str())),
        Matcher::OneOf(ts) => format!("one_of: {}", list(ts)),
        Matcher::Present => "present: true".into(),
        Matcher::Absent => "absent: true".into(),
        Matcher::Empty => "empty: true".into(),
        Matcher::Length(n) => format!("length: {n}"),
        Matcher::Date => "date: true".into(),
        Matcher::Contains(t) => format!("contains: {}", text(t.as_str())),
        Matcher::Each(inner) => format!("each: {}", short(inner)),
        Matcher::All(ts) => format!("all: {}", list(ts)),
    }
}

/// The plain matcher keywords, which an equals of the same text must not be written as.
fn is_keyword(s: &str) -> bool {
    matches!(s, "present" | "absent" | "empty")
}

fn flow_list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// Seconds, exactly as the Duration holds them (no float rounding on the way).
fn seconds(d: Duration) -> String {
    let nanos = d.subsec_nanos();
    if nanos == 0 {
        return d.as_secs().to_string();
    }
    let frac = format!("{nanos:09}");
    format!("{}.{}", d.as_secs(), frac.trim_end_matches('0'))
}

/// `about:` text: long single-line prose folded (`>-`) over several lines, else one scalar.
fn about(s: &str) -> Node {
    let foldable = s.chars().count() > WRAP
        && !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !s.chars().any(needs_escape);
    if !foldable {
        return inline(text(s));
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > WRAP {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    Node::Folded(lines)
}

/// A value: plain when YAML reads it back as the same text and it holds nothing a reader
/// could take for syntax, else in double quotes.
pub fn text(s: &str) -> String {
    if plain(s) { s.to_string() } else { double(s) }
}

/// A regex: in single quotes (backslashes stay as written), double quotes when it holds a
/// character that needs an escape.
pub fn regex(s: &str) -> String {
    if s.chars().any(needs_escape) {
        double(s)
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// Words, names and titles: letters first, then letters, digits, spaces and `_-./()`; not a
/// word YAML 1.1 reads as a boolean or null (y, n, yes, on, ...). Numbers are always quoted,
/// and so are one-character values, so flags read alike ("Y", "N", "U").
fn plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let lower = s.to_lowercase();
    s.chars().nth(1).is_some()
        && (first.is_alphabetic() || first == '_')
        && !s.ends_with(' ')
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '(' | ')'))
        && !matches!(
            lower.as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        )
        && serde_yaml::from_str::<serde_yaml::Value>(s)
            .is_ok_and(|v| v == serde_yaml::Value::String(s.to_string()))
}

fn double(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) && (c as u32) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters YAML does not take as they are inside quotes: controls, the line and paragraph
/// separators (line breaks to YAML 1.1), the byte-order mark and the two non-characters.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use proptest::prelude::*;

    use super::*;
    use crate::scenario::load::{load_text, load_unchecked};

    /// A scenario with its source locations blanked: what the round trip must keep.
    fn without_locations(mut s: Scenario) -> String {
        fn clear(steps: &mut [Step]) {
            for st in steps {
                st.loc.line = 0;
                st.loc.via = None;
                st.loc.file = "".into();
                for v in &mut st.vars {
                    (v.line, v.col) = (0, 0);
                }
                if let Some(u) = &mut st.undo {
                    clear(&mut u.steps);
                }
            }
        }
        clear(&mut s.steps);
        clear(&mut s.finally);
        // The model holds `&'static` spec entries, which have no PartialEq: their Debug text
        // (code, name, layout) tells them apart, and so does the rest of the model's.
        format!("{s:#?}")
    }

    /// Writes `s`, loads the text as the same file, and compares, with a diff on failure.
    fn round_trip(s: &Scenario) -> String {
        let written = to_yaml(s);
        let again = load_text(&s.file, &written)
            .unwrap_or_else(|e| panic!("{} does not load again: {e}\n{written}", s.file.display()));
        let (a, b) = (without_locations(s.clone()), without_locations(again));
        if a != b {
            let diff = similar::TextDiff::from_lines(&a, &b);
            panic!(
                "{} changed in the round trip:\n{}\n--- written:\n{written}",
                s.file.display(),
                diff.unified_diff().header("loaded", "written and loaded")
            );
        }
        written
    }

    fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                scenario_files(&p, out);
            } else if p.extension().is_some_and(|e| e == "yaml") && !p.ends_with("common.yaml") {
                out.push(p);
            }
        }
    }

    #[test]
    fn every_shipped_and_test_scenario_round_trips() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["scenarios/siptest", "scenarios/spec", "tests/scenarios"] {
            scenario_files(&root.join(dir), &mut files);
        }
        let mut checked = 0;
        for f in &files {
            // tests/scenarios/bad holds files that must not load; they have nothing to keep.
            let Ok(loaded) = load_unchecked(std::slice::from_ref(f)) else {
                assert!(
                    f.starts_with(root.join("tests/scenarios/bad")),
                    "{}",
                    f.display()
                );
                continue;
            };
            for s in &loaded {
                round_trip(s);
                checked += 1;
            }
        }
        assert!(checked > 60, "only {checked} scenarios found");
    }

    #[test]
    fn the_written_text_is_block_style_with_quotes_where_yaml_needs_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s/x.yaml");
        let text = "name: x\nsteps:\n  - use: login\n  - use: sc_status\n    name: status again\n  - name: out\n    send:\n      checkout:\n        sc_renewal_policy: Y\n        no_block: N\n        nb_due_date: \"                  \"\n        AO: BR1\n        AF: [\"a\", \"b\"]\n        AA: \"0440\"\n        AF: \"c\"\n        AC: \"\"\n    timeout: 2.5\n    expect:\n      fixed: { ok: \"1\", renewal_ok: { one_of: [Y, N], optional: true } }\n      fields:\n        AJ: { equals: present }\n        AH: { date: true, ground: common }\n        AF: { each: { matches: '^it''s' } }\n        BK: present\n";
        let s = load_text(&p, text).unwrap();
        let written = round_trip(&s);
        for want in [
            "  - use: login\n",
            "  - use: sc_status\n    name: status again\n",
            "        sc_renewal_policy: \"Y\"\n",
            "        nb_due_date: \"                  \"\n",
            "        AF: [\"a\", \"b\"]\n        AA: \"0440\"\n        AF: \"c\"\n        AC: \"\"\n",
            "    timeout: 2.5\n",
            "        renewal_ok: { one_of: [\"Y\", \"N\"], optional: true }\n",
            "        AJ: { equals: present }\n",
            "        AH: { date: true, ground: common }\n",
            "        AF: { each: { matches: '^it''s' } }\n",
            "        BK: present\n",
        ] {
            assert!(written.contains(want), "{want:?} in\n{written}");
        }
        assert!(
            !written.contains("transaction_date"),
            "dates default to now"
        );
    }

    #[test]
    fn ids_are_written_only_where_the_name_would_not_give_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s/ids.yaml");
        let text = "steps:\n  - name: a\n    send: \"99\"\n  - name: a\n    id: keep\n    send: \"99\"\n  - name: a\n    send: \"99\"\n  - id: a-2\n    send: \"99\"\n";
        let s = load_text(&p, text).unwrap();
        let written = round_trip(&s);
        assert_eq!(written.matches("id: ").count(), 2, "{written}");
        assert!(written.contains("    id: keep\n") && written.contains("    id: a-2\n"));
    }

    proptest! {
        #[test]
        fn any_text_reads_back_as_itself(s in "\\PC*|[ -~\\t\\n\\r\\u{85}\\u{2028}\\u{feff}yYnN0-9]{0,12}") {
            for form in [text(&s), regex(&s)] {
                let doc = format!("k: {form}\nl: [{form}, x]\n");
                let v: serde_yaml::Value = serde_yaml::from_str(&doc)
                    .map_err(|e| TestCaseError::fail(format!("{doc:?}: {e}")))?;
                prop_assert_eq!(&v["k"], &serde_yaml::Value::String(s.clone()), "{:?}", doc);
                prop_assert_eq!(&v["l"][0], &serde_yaml::Value::String(s.clone()), "{:?}", doc);
            }
        }

        #[test]
        fn folded_about_text_reads_back_as_itself(words in proptest::collection::vec("[a-zA-Z0-9:#'\"{}.,-]{1,12}", 1..40)) {
            let s = words.join(" ");
            let mut out = String::new();
            map(&[("about".into(), about(&s))], 0, &mut out);
            let v: serde_yaml::Value = serde_yaml::from_str(&out).unwrap();
            prop_assert_eq!(&v["about"], &serde_yaml::Value::String(s.clone()), "{}", out);
        }
    }
}
