//! The protocol table compiled once for the hot path: dense lookups by message code and field ID,
//! and for each message what the linter checks, so that linting a field costs one table load
//! instead of a registry search and a scan of the message's field list (see benches/codec.rs).

use std::sync::OnceLock;

use super::code::{FieldId, MessageCode};
use super::spec::{
    self, FIELDS, FieldSpec, FixedSpec, ITEM_LISTS, Kind, MESSAGES, MessageSpec, RENEW_ALL_LISTS,
};

/// Number of possible IDs of two upper-case letters or digits.
const SLOTS: usize = 36 * 36;
/// Words of a bitset over the slots.
const WORDS: usize = SLOTS.div_ceil(64);
/// Slot of each byte that may start or end a field ID (upper-case letter, digit); 0xFF elsewhere.
const BYTE_SLOT: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut b = 0;
    while b < 26 {
        t[b'A' as usize + b] = b as u8;
        b += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 26 + d as u8;
        d += 1;
    }
    t
};

fn field_slot(id: FieldId) -> Option<usize> {
    let (a, b) = (
        BYTE_SLOT[usize::from(id.0[0])],
        BYTE_SLOT[usize::from(id.0[1])],
    );
    // Valid slots are below 36, so the high bit says one of the two bytes is outside the alphabet.
    ((a | b) & 0x80 == 0).then(|| usize::from(a) * 36 + usize::from(b))
}

fn message_slot(code: MessageCode) -> Option<usize> {
    match code.0 {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => {
            Some(usize::from(a - b'0') * 10 + usize::from(b - b'0'))
        }
        _ => None,
    }
}

/// What the table says about one field ID across all 31 messages: one load per field.
#[derive(Debug, Clone, Copy, Default)]
pub struct FieldFacts {
    /// Its registry entry (None: neither standard nor a known extension).
    pub spec: Option<&'static FieldSpec>,
    /// Bit i: `MESSAGES[i]` lists the field.
    listed_in: u32,
    /// Bit i: `MESSAGES[i]` lets it repeat.
    repeatable_in: u32,
    /// Bit i: `MESSAGES[i]` lists it as free text with one meaning: only repeats and the value to check.
    plain_in: u32,
    /// 1 + its position in the tally of counted item fields (0: not counted).
    tally: u8,
    /// Its slot in an [`IdSet`] (None: outside the upper-case/digit alphabet).
    slot: Option<u16>,
    /// "AO (institution id)" for a registry field, so that findings name it without allocating.
    pub label: &'static str,
}

impl FieldFacts {
    /// Does the message of `plan` list this field?
    pub fn listed(&self, plan: &MessagePlan) -> bool {
        self.listed_in & plan.bit != 0
    }

    /// Is it plain free text in the message of `plan`: listed there, no format, one meaning?
    pub fn plain(&self, plan: Option<&MessagePlan>) -> bool {
        plan.is_some_and(|p| self.plain_in & p.bit != 0)
    }

    /// May it occur more than once in the message of `plan` (None: a message the spec does not know)?
    /// Where the message does not list it: when some message lets it repeat, or it is unknown.
    pub fn repeatable(&self, plan: Option<&MessagePlan>) -> bool {
        match plan {
            Some(p) if self.listed(p) => self.repeatable_in & p.bit != 0,
            _ => self.spec.is_none() || self.repeatable_in != 0,
        }
    }

    /// Where to count this field in a [`Tally`], if some message counts it.
    pub fn tally(&self) -> Option<usize> {
        usize::from(self.tally).checked_sub(1)
    }
}

/// An item count in a fixed part and the field that lists the items it counts (64, 66).
#[derive(Debug)]
pub struct CountCheck {
    /// The fixed field's key, e.g. "hold_items_count".
    pub key: &'static str,
    /// Where it starts in the fixed part.
    pub offset: usize,
    /// Its length.
    pub len: usize,
    /// The field that lists the items.
    pub field: FieldId,
    /// Where that field is counted in a [`Tally`].
    pub tally: usize,
    /// The count must equal the fields sent (66), rather than be at least that (64, whose BP/BQ may window the list).
    pub exact: bool,
}

/// A fixed field of one message: where it starts, and a shortcut for its commonest good values.
#[derive(Debug)]
pub struct FixedCheck {
    /// The field.
    pub spec: &'static FixedSpec,
    /// Where it starts in the fixed part.
    pub offset: usize,
    /// One-byte values its one-character code table defines, as a 256-bit set.
    codes: [u64; 4],
    /// It takes this many digits (counts, timeouts); 0 when it does not.
    digits: usize,
}

impl FixedCheck {
    fn new(spec: &'static FixedSpec, offset: usize) -> Self {
        let mut codes = [0u64; 4];
        if let Kind::Code(table) = spec.kind
            && table.values.iter().all(|(c, _)| c.len() == 1)
        {
            for b in table.values.iter().flat_map(|(c, _)| c.bytes()) {
                codes[usize::from(b >> 6)] |= 1 << (b & 63);
            }
        }
        let digits = match spec.kind {
            Kind::Count4 => 4,
            Kind::Digits(n) => n,
            _ => 0,
        };
        FixedCheck {
            spec,
            offset,
            codes,
            digits,
        }
    }

    /// Is `value` good at a glance (a defined one-character code, or all the digits the field
    /// takes)? False means "look closer", not "bad": the kind has the last word.
    pub fn accepts(&self, value: &[u8]) -> bool {
        match value {
            [b] => self.codes[usize::from(b >> 6)] >> (b & 63) & 1 != 0,
            _ => {
                self.digits != 0
                    && value.len() == self.digits
                    && value.iter().all(u8::is_ascii_digit)
            }
        }
    }
}

/// How often each counted item field occurred in one message.
pub type Tally = [usize; TALLIED];

/// Number of distinct counted item fields (the 64 lists and the 66 renewed/unrenewed lists).
const TALLIED: usize = ITEM_LISTS.len() + RENEW_ALL_LISTS.len();

/// One message of the table, compiled for the linter.
#[derive(Debug)]
pub struct MessagePlan {
    /// The message.
    pub spec: &'static MessageSpec,
    /// Its bit in [`FieldFacts`]: 1 << its position in MESSAGES (31 messages, so a u32 holds them).
    bit: u32,
    /// The fields it requires, as (word, bits) of an [`IdSet`]: only the words that hold some.
    required: Vec<(usize, u64)>,
    /// Its fixed fields, in wire order.
    pub fixed: Vec<FixedCheck>,
    /// The length of its fixed part.
    pub fixed_len: usize,
    /// Its item counts.
    pub counts: Vec<CountCheck>,
}

impl MessagePlan {
    /// Does `seen` hold every field this message requires?
    pub fn has_required(&self, seen: &IdSet) -> bool {
        self.required
            .iter()
            .all(|&(word, need)| seen.bits.get(word).is_some_and(|got| need & !got == 0))
    }
}

struct Index {
    /// Position in MESSAGES + 1 for each two-digit code (0 = none).
    messages: [u8; 100],
    /// Facts for each field slot.
    facts: Vec<FieldFacts>,
    /// One plan per message, in MESSAGES order.
    plans: Vec<MessagePlan>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build)
}

/// The label of each registry field, in FIELDS order (built before the index, which borrows them).
fn labels() -> &'static [String] {
    static LABELS: OnceLock<Vec<String>> = OnceLock::new();
    LABELS.get_or_init(|| {
        FIELDS
            .iter()
            .map(|f| format!("{} ({})", f.id, f.name))
            .collect()
    })
}

fn build() -> Index {
    let mut facts: Vec<FieldFacts> = (0..SLOTS)
        .map(|s| FieldFacts {
            slot: u16::try_from(s).ok(),
            ..FieldFacts::default()
        })
        .collect();
    for (f, label) in FIELDS.iter().zip(labels()) {
        if let Some(s) = field_slot(f.id) {
            facts[s].spec = Some(f);
            facts[s].label = label;
        }
    }
    let counted: Vec<FieldId> = ITEM_LISTS
        .iter()
        .map(|l| l.field)
        .chain(RENEW_ALL_LISTS.iter().map(|(_, id)| *id))
        .collect();
    for (i, id) in counted.iter().enumerate() {
        if let Some(s) = field_slot(*id) {
            facts[s].tally = u8::try_from(i + 1).unwrap_or(0);
        }
    }
    let mut messages = [0; 100];
    let mut plans = Vec::with_capacity(MESSAGES.len());
    for (i, m) in MESSAGES.iter().enumerate() {
        let bit = 1u32 << i;
        if let Some(s) = message_slot(m.code) {
            messages[s] = u8::try_from(i + 1).unwrap_or(0);
        }
        let mut required = IdSet::default();
        for u in m.fields {
            if let Some(s) = field_slot(u.id) {
                facts[s].listed_in |= bit;
                if u.repeatable {
                    facts[s].repeatable_in |= bit;
                }
                let text = facts[s]
                    .spec
                    .is_some_and(|f| matches!(f.kind, Kind::Text) && !spec::ambiguous(f.id));
                if text {
                    facts[s].plain_in |= bit;
                }
            }
            if u.required {
                required.insert(u.id);
            }
        }
        let lists: Vec<(&str, FieldId, bool)> = match m.code {
            MessageCode::PATRON_INFORMATION_RESPONSE => ITEM_LISTS
                .iter()
                .map(|l| (l.count, l.field, false))
                .collect(),
            MessageCode::RENEW_ALL_RESPONSE => RENEW_ALL_LISTS
                .iter()
                .map(|(key, id)| (*key, *id, true))
                .collect(),
            _ => Vec::new(),
        };
        let counts = lists
            .into_iter()
            .filter_map(|(key, field, exact)| {
                let (offset, f) = m.fixed_field(key)?;
                Some(CountCheck {
                    key: f.key,
                    offset,
                    len: f.len,
                    field,
                    tally: counted.iter().position(|c| *c == field)?,
                    exact,
                })
            })
            .collect();
        let required = required
            .bits
            .iter()
            .enumerate()
            .filter(|(_, bits)| **bits != 0)
            .map(|(word, bits)| (word, *bits))
            .collect();
        let fixed = m
            .fixed
            .iter()
            .scan(0, |offset, f| {
                let check = FixedCheck::new(f, *offset);
                *offset += f.len;
                Some(check)
            })
            .collect();
        plans.push(MessagePlan {
            spec: m,
            bit,
            required,
            fixed,
            fixed_len: m.fixed_len(),
            counts,
        });
    }
    Index {
        messages,
        facts,
        plans,
    }
}

/// The compiled plan of message `code`, if it is one of the 31.
#[inline]
pub fn plan(code: MessageCode) -> Option<&'static MessagePlan> {
    let ix = index();
    let i = usize::from(ix.messages[message_slot(code)?]);
    ix.plans.get(i.checked_sub(1)?)
}

/// What the table says about field `id` (all empty for an ID outside the upper-case/digit alphabet).
#[inline]
pub fn facts(id: FieldId) -> &'static FieldFacts {
    static OUTSIDE: FieldFacts = FieldFacts {
        spec: None,
        listed_in: 0,
        repeatable_in: 0,
        plain_in: 0,
        tally: 0,
        slot: None,
        label: "",
    };
    field_slot(id)
        .and_then(|s| index().facts.get(s))
        .unwrap_or(&OUTSIDE)
}

/// A set of field IDs, one bit per possible ID (no allocation for IDs of upper-case letters and digits).
#[derive(Debug, Default, Clone)]
pub struct IdSet {
    bits: [u64; WORDS],
    /// IDs outside the upper-case/digit alphabet, kept in a small list.
    others: Vec<FieldId>,
}

impl IdSet {
    /// Adds `id`; true if it was not there yet.
    pub fn insert(&mut self, id: FieldId) -> bool {
        self.insert_at(id, field_slot(id))
    }

    /// Adds `id`, whose [`facts`] are at hand (saves looking its slot up again); true if it was not there yet.
    pub fn insert_known(&mut self, id: FieldId, facts: &FieldFacts) -> bool {
        self.insert_at(id, facts.slot.map(usize::from))
    }

    fn insert_at(&mut self, id: FieldId, slot: Option<usize>) -> bool {
        match slot.map(|s| (s / 64, 1u64 << (s % 64))) {
            Some((word, bit)) => {
                let Some(bits) = self.bits.get_mut(word) else {
                    return false;
                };
                let new = *bits & bit == 0;
                *bits |= bit;
                new
            }
            None if self.others.contains(&id) => false,
            None => {
                self.others.push(id);
                true
            }
        }
    }

    /// Is `id` in the set?
    pub fn contains(&self, id: FieldId) -> bool {
        match field_slot(id) {
            Some(s) => self.bits[s / 64] & (1u64 << (s % 64)) != 0,
            None => self.others.contains(&id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_and_facts_agree_with_the_table() {
        assert!(
            MESSAGES.len() <= 32,
            "each message needs its own bit of a u32"
        );
        for m in MESSAGES {
            let p = plan(m.code).expect("every message has a plan");
            assert_eq!((p.spec.code, p.fixed_len), (m.code, m.fixed_len()));
            for u in m.fields {
                let f = facts(u.id);
                assert!(f.listed(p), "{} lists {}", m.code, u.id);
                assert_eq!(f.repeatable(Some(p)), u.repeatable, "{} {}", m.code, u.id);
            }
            let mut all = IdSet::default();
            m.fields.iter().for_each(|u| {
                all.insert(u.id);
            });
            assert!(p.has_required(&all));
            if let Some(u) = m.fields.iter().find(|u| u.required) {
                let mut without = IdSet::default();
                m.fields.iter().filter(|v| v.id != u.id).for_each(|v| {
                    without.insert(v.id);
                });
                assert!(!p.has_required(&without), "{} requires {}", m.code, u.id);
            }
        }
        for f in FIELDS {
            assert_eq!(facts(f.id).spec.map(|s| s.id), Some(f.id));
        }
        assert_eq!(facts(FieldId::AO).label, "AO (institution id)");
        assert!(facts(FieldId(*b"ZQ")).spec.is_none() && facts(FieldId(*b"a|")).spec.is_none());
        assert!(plan(MessageCode(*b"XS")).is_none() && plan(MessageCode(*b"42")).is_none());
    }

    #[test]
    fn plain_fields_are_listed_text_with_one_meaning() {
        let info = plan(MessageCode::PATRON_INFORMATION_RESPONSE);
        assert!(facts(FieldId::AE).plain(info));
        // Listed but with a format, not listed, or no message to be listed in.
        assert!(!facts(FieldId::BL).plain(info) && !facts(FieldId::BH).plain(info));
        assert!(!facts(FieldId::AB).plain(info) && !facts(FieldId::AE).plain(None));
    }

    #[test]
    fn repeats_outside_a_message_follow_the_other_messages() {
        let login = plan(MessageCode::LOGIN);
        assert!(facts(FieldId::AF).repeatable(login) && facts(FieldId::BM).repeatable(login));
        assert!(!facts(FieldId::AO).repeatable(login) && !facts(FieldId::AO).repeatable(None));
        assert!(facts(FieldId(*b"ZQ")).repeatable(None));
    }

    #[test]
    fn fixed_shortcuts_accept_only_what_the_kind_accepts() {
        // Every fixed field of every message, every one-byte value and a few longer ones: a
        // shortcut may say "look closer" for a good value but never "good" for a bad one.
        let longer: [&[u8]; 7] = [b"0000", b"0042", b"000", b"12 4", b"YN", b"    ", b""];
        let mut shortcuts = 0;
        for m in MESSAGES {
            let p = plan(m.code).expect("a plan");
            let mut offset = 0;
            for (f, c) in m.fixed.iter().zip(&p.fixed) {
                assert_eq!((c.offset, c.spec.key), (offset, f.key));
                offset += f.len;
                let ones: Vec<[u8; 1]> = (0..=255u8).map(|b| [b]).collect();
                for value in ones.iter().map(|b| &b[..]).chain(longer) {
                    if c.accepts(value) {
                        shortcuts += 1;
                        let text = std::str::from_utf8(value).expect("accepted values are ASCII");
                        assert!(
                            crate::sip2::lint::kind_accepts(&f.kind, text),
                            "{} {}: {value:?}",
                            m.code,
                            f.key
                        );
                    }
                }
            }
        }
        assert!(shortcuts > 0);
    }

    #[test]
    fn count_checks_point_at_the_count_fields() {
        let p = plan(MessageCode::PATRON_INFORMATION_RESPONSE).unwrap();
        assert_eq!(p.counts.len(), 6);
        let spec = p.spec;
        for c in &p.counts {
            assert_eq!(
                spec.fixed_field(c.key).map(|(o, f)| (o, f.len)),
                Some((c.offset, 4))
            );
            assert_eq!(facts(c.field).tally(), Some(c.tally));
        }
        let p = plan(MessageCode::RENEW_ALL_RESPONSE).unwrap();
        assert_eq!(
            p.counts
                .iter()
                .map(|c| (c.field, c.exact))
                .collect::<Vec<_>>(),
            [(FieldId::BM, true), (FieldId::BN, true)]
        );
        assert!(facts(FieldId::AO).tally().is_none());
        assert!(spec::message(MessageCode::LOGIN).is_some());
    }

    #[test]
    fn id_set_holds_ids_outside_the_alphabet() {
        let mut s = IdSet::default();
        assert!(s.insert(FieldId(*b"a|")) && !s.insert(FieldId(*b"a|")));
        assert!(s.insert(FieldId::AO) && !s.insert(FieldId::AO));
        assert!(!s.insert_known(FieldId::AO, facts(FieldId::AO)));
        assert!(s.insert_known(FieldId::AA, facts(FieldId::AA)) && !s.insert(FieldId::AA));
        assert!(!s.insert_known(FieldId(*b"a|"), facts(FieldId(*b"a|"))));
        assert!(s.contains(FieldId(*b"a|")) && s.contains(FieldId::AO));
        assert!(!s.contains(FieldId::AB));
    }
}
