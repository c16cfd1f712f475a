//! Finding lines in a YAML text: serde_yaml reports where a value failed to parse, but checks
//! made after parsing (undefined variables, fixed-field keys of a response, `use:` names)
//! need the line of a step or a token, which this module finds in the source text.

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
}

/// Line lookups over one YAML text.
#[derive(Debug)]
pub struct Locator<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Locator<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        Locator {
            lines: text.lines().collect(),
        }
    }

    /// The line of each item of the top-level `steps:` list, in order (block style).
    pub fn step_lines(&self) -> Vec<usize> {
        self.top_level_keys()
            .into_iter()
            .find(|(k, _)| k == "steps")
            .map_or_else(Vec::new, |(_, line)| self.list_items(line))
    }

    /// The line of each item of the block list that is the value of the key on line
    /// `key_line`, in order; empty when the value is written inline (`steps: [...]`).
    pub fn list_items(&self, key_line: usize) -> Vec<usize> {
        let Some(key) = key_line.checked_sub(1).and_then(|i| self.lines.get(i)) else {
            return Vec::new();
        };
        let key_indent = key.len() - key.trim_start().len();
        let value = key.split_once(':').map_or("", |(_, v)| v.trim());
        if !value.is_empty() && !value.starts_with('#') {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut indent = None;
        for (i, line) in self.lines.iter().enumerate().skip(key_line) {
            let content = line.trim_start();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let this = line.len() - content.len();
            let dash = content.starts_with("- ") || content == "-";
            match indent {
                None if dash && this >= key_indent => indent = Some(this),
                None => break,
                Some(d) if this < d || (this == d && !dash) => break,
                Some(_) => {}
            }
            if dash && Some(this) == indent {
                out.push(i + 1);
            }
        }
        out
    }

    /// The line of each top-level key (`name:` at column 1), for files that map names to steps.
    pub fn top_level_keys(&self) -> Vec<(String, usize)> {
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                l.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .filter_map(|(i, l)| {
                let key = l.split(':').next()?.trim();
                Some((key.trim_matches(['"', '\'']).to_string(), i + 1))
            })
            .collect()
    }

    /// The first place at or after line `from` and before line `to` (exclusive; 0 = end of text)
    /// where `pred` finds a column in the line.
    pub fn find(
        &self,
        from: usize,
        to: usize,
        pred: impl Fn(&str) -> Option<usize>,
    ) -> Option<LineCol> {
        let end = if to == 0 { self.lines.len() + 1 } else { to };
        (from.max(1)..end).find_map(|n| {
            let line = self.lines.get(n - 1)?;
            pred(line).map(|c| LineCol {
                line: n,
                col: line[..c].chars().count() + 1,
            })
        })
    }

    /// The first `{{ name }}` in lines `from..to`.
    pub fn template(&self, from: usize, to: usize, name: &str) -> Option<LineCol> {
        self.find(from, to, |line| {
            let mut rest = 0;
            while let Some(open) = line[rest..].find("{{") {
                let at = rest + open;
                let inner = &line[at + 2..];
                let close = inner.find("}}")?;
                if inner[..close].trim() == name {
                    return Some(at);
                }
                rest = at + 2;
            }
            None
        })
    }

    /// The first `key:` (a mapping key, possibly inside `{ }`) in lines `from..to`.
    pub fn key(&self, from: usize, to: usize, key: &str) -> Option<LineCol> {
        self.find(from, to, |line| {
            let mut rest = 0;
            while let Some(pos) = line[rest..].find(key) {
                let at = rest + pos;
                let before = line[..at].chars().next_back();
                let after = &line[at + key.len()..];
                let starts = before.is_none_or(|c| " {,-\"'".contains(c));
                let ends = after.trim_start_matches(['"', '\'']).starts_with(':');
                if starts && ends {
                    return Some(at);
                }
                rest = at + key.len();
            }
            None
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name: x\nsteps:\n  - use: login\n\n  # comment\n  - name: two\n    send: \"99{{ a }}\"\n    expect:\n      fixed: { ok: \"1\" }\n  - use: sc_status\ntags: [a]\n";

    #[test]
    fn finds_steps_keys_and_templates() {
        let loc = Locator::new(TEXT);
        assert_eq!(loc.step_lines(), [3, 6, 10]);
        assert_eq!(loc.template(6, 10, "a"), Some(LineCol { line: 7, col: 14 }));
        assert_eq!(loc.template(1, 0, "b"), None);
        assert_eq!(loc.key(6, 10, "ok"), Some(LineCol { line: 9, col: 16 }));
        assert_eq!(loc.key(1, 0, "name").map(|l| l.line), Some(1));
        let keys = Locator::new("login:\n  send: x\nsc_status:\n").top_level_keys();
        assert_eq!(
            keys,
            [("login".to_string(), 1), ("sc_status".to_string(), 3)]
        );
    }

    #[test]
    fn nested_lists_end_where_their_indentation_does() {
        let text = "steps:\n  - send: x\n    undo:\n      when: {}\n      steps:\n        - use: a\n\n        - send: y\n      other: 1\n  - send: z\n    undo: { steps: [] }\nfinally:\n- use: login\n";
        let loc = Locator::new(text);
        assert_eq!(loc.step_lines(), [2, 10]);
        assert_eq!(loc.list_items(5), [6, 8]);
        assert_eq!(loc.list_items(11), Vec::<usize>::new(), "inline");
        assert_eq!(loc.list_items(12), [13]);
        assert_eq!(loc.list_items(0), Vec::<usize>::new());
    }

    #[test]
    fn zero_indent_lists() {
        let loc = Locator::new("steps:\n- use: a\n- use: b\nabout: x\n");
        assert_eq!(loc.step_lines(), [2, 3]);
    }
}
