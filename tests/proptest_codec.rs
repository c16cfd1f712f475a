//! Property tests of the codec: the parser never panics on any input, and every message the
//! table describes survives encode -> parse unchanged and clean.

use proptest::prelude::*;
use proptest::sample::select;
use sip2check::sip2::spec::{self, Kind, MESSAGES, MessageSpec};
use sip2check::sip2::{self, Context, FieldId, Message};

/// A valid value of `kind`, drawn from the table's own code tables.
fn value_of(kind: Kind) -> BoxedStrategy<String> {
    match kind {
        Kind::Text => "[A-Za-z0-9 .,:/()-]{0,40}".boxed(),
        Kind::Date18 => date().boxed(),
        Kind::Date18OrBlank => prop_oneof![date(), Just(" ".repeat(18))].boxed(),
        Kind::Code(t) => select(
            t.values
                .iter()
                .map(|(c, _)| c.to_string())
                .collect::<Vec<_>>(),
        )
        .boxed(),
        // The 63 summary asks for one list at most; other flag strings take any mix.
        Kind::Flags(t) if std::ptr::eq(t, &spec::SUMMARY) => (0..=t.len)
            .prop_map(move |y| (0..t.len).map(|i| if i == y { 'Y' } else { ' ' }).collect())
            .boxed(),
        Kind::Flags(t) => proptest::collection::vec(select(vec!['Y', ' ']), t.len)
            .prop_map(|v| v.into_iter().collect())
            .boxed(),
        Kind::Supported(t) => proptest::collection::vec(select(vec!['Y', 'N']), t.len)
            .prop_map(|v| v.into_iter().collect())
            .boxed(),
        Kind::Count4 => prop_oneof!["[0-9]{4}", Just("    ".to_string())].boxed(),
        Kind::Digits(n) => proptest::string::string_regex(&format!("[0-9]{{{n}}}"))
            .expect("valid regex")
            .boxed(),
        Kind::Version => "[0-9]\\.[0-9]{2}".boxed(),
        Kind::Currency => "[A-Z]{3}".boxed(),
        Kind::Sequence => "[0-9]".boxed(),
        Kind::Checksum => "[0-9A-F]{4}".boxed(),
    }
}

fn date() -> impl Strategy<Value = String> {
    (
        2000u32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| format!("{y:04}{mo:02}{d:02}    {h:02}{mi:02}{s:02}"))
}

/// Item counts in 64 and 66 must agree with the item fields sent: set each count from the fields.
fn with_counts(spec: &MessageSpec, msg: &mut Message) {
    let mut lists: Vec<(&str, FieldId)> = spec::ITEM_LISTS
        .iter()
        .map(|l| (l.count, l.field))
        .collect();
    lists.extend([
        ("renewed_count", FieldId::BM),
        ("unrenewed_count", FieldId::BN),
    ]);
    for (key, id) in lists {
        if let Some((offset, f)) = spec.fixed_field(key) {
            let count = format!("{:04}", msg.field_all(id).count());
            msg.fixed
                .to_mut()
                .replace_range(offset..offset + f.len, &count);
        }
    }
}

/// A valid message of the given spec: every fixed field, every required field, a random choice
/// of optional fields (repeatable ones up to three times), in a shuffled order.
fn message_of(spec: &'static MessageSpec) -> impl Strategy<Value = String> {
    let fixed: Vec<BoxedStrategy<String>> = spec.fixed.iter().map(|f| value_of(f.kind)).collect();
    let fields: Vec<BoxedStrategy<Vec<(FieldId, String)>>> = spec
        .fields
        .iter()
        .map(|u| {
            let kind = spec::field(u.id).map_or(Kind::Text, |f| f.kind);
            let (min, max) = match (u.required, u.repeatable) {
                (true, true) => (1, 3),
                (true, false) => (1, 1),
                (false, true) => (0, 3),
                (false, false) => (0, 1),
            };
            let id = u.id;
            proptest::collection::vec(value_of(kind), min..=max)
                .prop_map(move |vals| vals.into_iter().map(|v| (id, v)).collect())
                .boxed()
        })
        .collect();
    (fixed, fields).prop_flat_map(move |(fixed, fields)| {
        let flat: Vec<(FieldId, String)> = fields.into_iter().flatten().collect();
        let fixed = fixed.concat();
        Just(flat).prop_shuffle().prop_map(move |fields| {
            let mut msg = Message::new(spec.code, fixed.clone());
            for (id, v) in fields {
                msg.push(id, v);
            }
            with_counts(spec, &mut msg);
            sip2::encode(&msg)
        })
    })
}

fn any_message() -> impl Strategy<Value = String> {
    select(MESSAGES.iter().collect::<Vec<_>>()).prop_flat_map(message_of)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parser_never_panics_on_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        sip2::fuzzing::parse_roundtrip(&data);
    }

    #[test]
    fn parser_never_panics_on_sip_shaped_text(text in "[0-9]{2}[A-Z0-9 YN|.\\r\\n\u{e9}]{0,120}(AY[0-9])?(AZ[0-9A-Fa-f]{0,5})?") {
        sip2::fuzzing::parse_roundtrip(text.as_bytes());
    }

    #[test]
    fn mutated_messages_never_panic(text in any_message(), cut in 0usize..200, junk in "[|A-Z0-9 ]{0,3}") {
        let mut t = text.clone();
        let at = t.char_indices().map(|(i, _)| i).nth(cut % t.chars().count().max(1)).unwrap_or(0);
        t.insert_str(at, &junk);
        sip2::fuzzing::parse_roundtrip(t.as_bytes());
    }

    #[test]
    fn generated_messages_round_trip_clean(text in any_message()) {
        let a = sip2::analyze(text.as_bytes(), &Context::default()).expect("parses");
        prop_assert!(a.violations.is_empty(), "{text:?}: {:?}", a.violations);
        prop_assert_eq!(sip2::encode(&a.msg), text);
    }

    #[test]
    fn generated_messages_round_trip_with_a_checksum(text in any_message(), seq in 0u8..10) {
        let msg = sip2::parse(&text).expect("parses").msg;
        let resend = msg.spec().is_some_and(|s| s.code.as_str() == "96" || s.code.as_str() == "97");
        let trailer = if resend { sip2::encode::Trailer::Checksum } else { sip2::encode::Trailer::Sequenced(seq) };
        let wire = sip2::to_wire(&msg, sip2::Encoding::Utf8, trailer).expect("utf-8 encodes anything");
        let a = sip2::analyze(&wire, &Context { error_detection: true, ..Context::default() }).expect("parses");
        prop_assert!(a.violations.is_empty(), "{:?}: {:?}", String::from_utf8_lossy(&wire), a.violations);
        prop_assert_eq!(a.msg.fields, msg.fields);
    }
}
