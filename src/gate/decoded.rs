//! A response decoded field by field with its volatile values normalised ([`Decoded`]), and
//! the field-level differences between two of them ([`changes`]): what a snapshot stores and
//! what snapshots and the two-server diff compare.

use std::fmt;

use super::normalize::{self, Normalizer};
use crate::sip2::redact::MASK;
use crate::sip2::{self, FieldId};

/// One response, decoded and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The message code as sent (`12`).
    pub code: String,
    /// The fixed fields by key, in wire order. A message the table does not know has one
    /// entry `fixed` (its whole fixed part); text that is no message at all has one entry
    /// `unparsed`.
    pub fixed: Vec<(String, String)>,
    /// The tagged fields by ID in wire order (repeats kept), then AY and AZ when sent.
    pub fields: Vec<(String, String)>,
}

impl Decoded {
    /// Decodes response `text` (one message without its terminator) with `norm`'s rules.
    pub fn decode(text: &str, norm: &Normalizer) -> Decoded {
        let Ok(parsed) = sip2::parse(text) else {
            return Decoded {
                code: text.chars().take(2).collect(),
                fixed: vec![(
                    "unparsed".into(),
                    normalize::text(&text.chars().skip(2).collect::<String>()),
                )],
                fields: Vec::new(),
            };
        };
        let msg = parsed.msg;
        let fixed = match msg.spec() {
            Some(_) => msg
                .fixed_fields()
                .into_iter()
                .filter_map(|(f, v)| v.map(|v| (f.key.to_string(), norm.fixed(f.key, f.kind, v))))
                .collect(),
            None if msg.fixed.is_empty() => Vec::new(),
            None => vec![("fixed".into(), normalize::text(&msg.fixed))],
        };
        let mut fields: Vec<(String, String)> = msg
            .fields
            .iter()
            .map(|f| (f.id.to_string(), norm.field(f.id, &f.value)))
            .collect();
        if let Some(t) = &msg.trailer {
            if let Some(seq) = t.seq {
                fields.push((
                    FieldId::AY.to_string(),
                    norm.field(FieldId::AY, &seq.to_string()),
                ));
            }
            fields.push((
                FieldId::AZ.to_string(),
                norm.field(FieldId::AZ, &t.checksum),
            ));
        }
        Decoded {
            code: msg.code.to_string(),
            fixed,
            fields,
        }
    }

    /// Every value of tagged field `id`, in wire order.
    pub fn field_values(&self, id: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(f, _)| f == id)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of fixed field `key`.
    pub fn fixed_value(&self, key: &str) -> Option<&str> {
        self.fixed
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// What a difference is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// The message code (or whether a response came at all).
    Message,
    /// A fixed field by key.
    Fixed(String),
    /// The `nth` occurrence (from 0) of a tagged field.
    Field {
        /// The field ID.
        id: String,
        /// Which occurrence, from 0.
        nth: usize,
    },
}

impl Part {
    /// The name `unstable:` lists and `ignore` takes: `message`, a fixed key or a field ID.
    pub fn name(&self) -> &str {
        match self {
            Part::Message => "message",
            Part::Fixed(key) => key,
            Part::Field { id, .. } => id,
        }
    }
}

impl fmt::Display for Part {
    /// `message`, `ok`, `AF`, and `AF#2` for a second occurrence.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Field { id, nth } if *nth > 0 => write!(f, "{id}#{}", nth + 1),
            other => f.write_str(other.name()),
        }
    }
}

/// One field-level difference between an old and a new response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What differs.
    pub part: Part,
    /// The old value (normalised); None: absent (for [`Part::Message`]: no response).
    pub old: Option<String>,
    /// The new value (normalised); None: absent (for [`Part::Message`]: no response).
    pub new: Option<String>,
}

/// Whether a value was added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Only the new response has it.
    Added,
    /// Only the old response has it.
    Removed,
    /// Both have it, with different values.
    Changed,
}

impl ChangeKind {
    /// "added", "removed" or "changed".
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

impl Change {
    /// Added, removed or changed.
    pub fn kind(&self) -> ChangeKind {
        match (&self.old, &self.new) {
            (None, _) => ChangeKind::Added,
            (_, None) => ChangeKind::Removed,
            (Some(_), Some(_)) => ChangeKind::Changed,
        }
    }
}

/// The differences between two responses (None: no response), leaving out the parts named in
/// `ignore` (message, fixed keys, field IDs). When the message code differs, the fixed parts
/// have different layouts and only the code and the tagged fields are compared. The order of
/// different field IDs is not compared (the spec lets fields come in any order); the order of
/// one ID's repeats is.
pub fn changes(old: Option<&Decoded>, new: Option<&Decoded>, ignore: &[String]) -> Vec<Change> {
    let ignored = |name: &str| ignore.iter().any(|i| i == name);
    let (old, new) = match (old, new) {
        (None, None) => return Vec::new(),
        (Some(o), Some(n)) => (o, n),
        (o, n) => {
            if ignored("message") {
                return Vec::new();
            }
            return vec![Change {
                part: Part::Message,
                old: o.map(|d| d.code.clone()),
                new: n.map(|d| d.code.clone()),
            }];
        }
    };
    let mut out = Vec::new();
    if old.code != new.code {
        if !ignored("message") {
            out.push(Change {
                part: Part::Message,
                old: Some(old.code.clone()),
                new: Some(new.code.clone()),
            });
        }
    } else {
        for key in union(&old.fixed, &new.fixed) {
            if ignored(key) {
                continue;
            }
            let (o, n) = (old.fixed_value(key), new.fixed_value(key));
            if o != n {
                out.push(Change {
                    part: Part::Fixed(key.to_string()),
                    old: o.map(str::to_string),
                    new: n.map(str::to_string),
                });
            }
        }
    }
    for id in union(&old.fields, &new.fields) {
        if ignored(id) {
            continue;
        }
        let (o, n) = (old.field_values(id), new.field_values(id));
        for nth in 0..o.len().max(n.len()) {
            let (a, b) = (o.get(nth), n.get(nth));
            // A value masked on one side (personal data, redacted) says only that it is there.
            let masked = [a, b].iter().any(|v| v.is_some_and(|v| *v == MASK));
            if a != b && !(masked && a.is_some() && b.is_some()) {
                out.push(Change {
                    part: Part::Field {
                        id: id.to_string(),
                        nth,
                    },
                    old: a.map(|s| s.to_string()),
                    new: b.map(|s| s.to_string()),
                });
            }
        }
    }
    out
}

/// The keys of `a` then those only `b` has, each once, in order.
fn union<'a>(a: &'a [(String, String)], b: &'a [(String, String)]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for (k, _) in a.iter().chain(b) {
        if !out.contains(&k.as_str()) {
            out.push(k);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decoded {
        Decoded::decode(text, &Normalizer::default())
    }

    #[test]
    fn responses_decode_by_key_and_id_with_volatile_values_normalised() {
        let r = d(
            "121NNY20261202    101500AOBR1|AA999999|AB1|AJSnow crash|AH20261216    235900|AFa|AFb|AY3AZEC5A",
        );
        assert_eq!(r.code, "12");
        assert_eq!(
            r.fixed,
            [
                ("ok".into(), "1".into()),
                ("renewal_ok".into(), "N".into()),
                ("magnetic_media".into(), "N".into()),
                ("desensitize".into(), "Y".into()),
                ("transaction_date".into(), "<date>".into()),
            ]
        );
        let ids: Vec<(&str, &str)> = r
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("AO", "BR1"),
                ("AA", "999999"),
                ("AB", "1"),
                ("AJ", "Snow crash"),
                ("AH", "<volatile>"),
                ("AF", "a"),
                ("AF", "b"),
                ("AY", "<volatile>"),
                ("AZ", "<volatile>"),
            ]
        );
        assert_eq!(d("\u{1}junk").fixed[0].0, "unparsed");
        assert_eq!(d("ZZabc|").code, "ZZ");
    }

    #[test]
    fn changes_are_added_removed_and_changed_fields() {
        let old = d("121NNY20261202    101500AOBR1|AJSnow crash|AFa|AFb|");
        let new = d("120NNY20261203    090000AOBR1|AJSnow Crash|AFa|BKx|");
        let c = changes(Some(&old), Some(&new), &[]);
        let got: Vec<(String, ChangeKind)> =
            c.iter().map(|c| (c.part.to_string(), c.kind())).collect();
        assert_eq!(
            got,
            [
                ("ok".to_string(), ChangeKind::Changed),
                ("AJ".to_string(), ChangeKind::Changed),
                ("AF#2".to_string(), ChangeKind::Removed),
                ("BK".to_string(), ChangeKind::Added),
            ],
            "the transaction date differs but is normalised"
        );
        assert_eq!(c[1].old.as_deref(), Some("Snow crash"));
        let ignored = changes(Some(&old), Some(&new), &["AJ".into(), "ok".into()]);
        assert_eq!(ignored.len(), 2);
        let other = d("10YNNY20261202    101500AOBR1|AJSnow crash|AFa|AFb|");
        let c = changes(Some(&old), Some(&other), &[]);
        assert_eq!(c.len(), 1, "only the code when the layouts differ: {c:?}");
        assert_eq!(c[0].part, Part::Message);
        let gone = changes(Some(&old), None, &[]);
        assert_eq!(
            (gone[0].old.as_deref(), gone[0].new.as_deref()),
            (Some("12"), None)
        );
        assert!(changes(Some(&old), Some(&old), &[]).is_empty());
        let reordered = d("121NNY20261202    101500AJSnow crash|AOBR1|AFa|AFb|");
        assert!(changes(Some(&old), Some(&reordered), &[]).is_empty());
        let masked = d("121NNY20261202    101500AOBR1|AJSnow crash|AF***|AFb|");
        assert!(
            changes(Some(&old), Some(&masked), &[]).is_empty(),
            "a value redacted on one side is not a change"
        );
    }
}
