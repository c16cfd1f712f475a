//! Character-level differences between an expected and an actual value (via `similar`),
//! as plain segments: report/ decides how to show them (colour on a terminal, none in XML).

use similar::{ChangeTag, TextDiff};

/// A run of characters and whether it differs from the other side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The characters.
    pub text: String,
    /// True where this side differs from the other.
    pub changed: bool,
}

/// The expected and the actual text cut into segments, the differing characters marked.
pub fn inline(expected: &str, actual: &str) -> (Vec<Segment>, Vec<Segment>) {
    let diff = TextDiff::from_chars(expected, actual);
    let mut old = Vec::new();
    let mut new = Vec::new();
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                push(&mut old, text, false);
                push(&mut new, text, false);
            }
            ChangeTag::Delete => push(&mut old, text, true),
            ChangeTag::Insert => push(&mut new, text, true),
        }
    }
    (old, new)
}

fn push(side: &mut Vec<Segment>, text: &str, changed: bool) {
    match side.last_mut() {
        Some(last) if last.changed == changed => last.text.push_str(text),
        _ => side.push(Segment {
            text: text.to_string(),
            changed,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_the_differing_characters() {
        let (old, new) = inline("David J. Fiander", "David J. Fiandre");
        let changed_old: String = old
            .iter()
            .filter(|s| s.changed)
            .map(|s| s.text.as_str())
            .collect();
        let changed_new: String = new
            .iter()
            .filter(|s| s.changed)
            .map(|s| s.text.as_str())
            .collect();
        assert!(old[0].text.starts_with("David J. Fiand") && !old[0].changed);
        assert!(!changed_old.is_empty() && changed_old.len() <= 2, "{old:?}");
        assert!(!changed_new.is_empty() && changed_new.len() <= 2, "{new:?}");
        let (same, _) = inline("abc", "abc");
        assert_eq!(
            same,
            [Segment {
                text: "abc".into(),
                changed: false
            }]
        );
    }
}
