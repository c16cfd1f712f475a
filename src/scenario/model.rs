//! The YAML shape of scenario files, as serde types with `deny_unknown_fields`.
//!
//! Everything that can be checked while reading is checked here (message names, fixed-field
//! keys of a request, field IDs, matchers, regexes, rule names), so serde_yaml attaches the
//! line and column. Checks that need the profile or other steps live in `load.rs`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::json;

use super::Ground;
use super::template::{BUILTINS, DATEPAT, Template};
use crate::check::matcher::{FieldMatcher, Matcher};
use crate::schema;
use crate::sip2::spec::{self, FixedSpec, Kind, MessageSpec};
use crate::sip2::{Direction, FieldId, Rule, Terminator};

/// A scenario file: one connection, steps in order, then its cleanup.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioDoc {
    /// Display name.
    pub name: Option<String>,
    /// Free text.
    pub about: Option<String>,
    /// Tags for `--tag`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Requests the ACS must support (BX), and `error_detection`.
    #[serde(default)]
    pub requires: Vec<RequirementName>,
    /// Profile records or variables the scenario needs (`blocked_patron`, `fined_patron.fee_id`).
    #[serde(default)]
    pub needs: Vec<NeedName>,
    /// Scenario-wide error detection override.
    pub checksum: Option<bool>,
    /// The steps, in order.
    pub steps: Vec<StepDoc>,
    /// Steps run on a fresh connection after the steps, whatever happened (the cleanup).
    #[serde(default)]
    pub finally: Vec<StepDoc>,
}

/// One step as written: `use:` (and at most a `name:`), or a full step with `send:`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = use_or_send)]
pub struct StepDoc {
    /// A shared step from common.yaml.
    #[serde(rename = "use")]
    pub use_: Option<String>,
    /// Stable identity (a slug); default: a slug of the name.
    pub id: Option<super::ident::StepIdName>,
    /// Display name.
    pub name: Option<String>,
    /// The request.
    pub send: Option<SendDoc>,
    /// Per-step error detection override.
    pub checksum: Option<bool>,
    /// Seconds to wait for the response.
    pub timeout: Option<Seconds>,
    /// Per-step terminator.
    pub terminator: Option<TerminatorName>,
    /// Answer 96 by resending / bad checksums by 97.
    pub resend: Option<bool>,
    /// What the response must be.
    pub expect: Option<ExpectDoc>,
    /// Response values to keep as variables: name -> field ID or fixed-field key.
    #[serde(default)]
    #[schemars(schema_with = "capture_schema")]
    pub capture: OrderedMap<String, String>,
    /// Profile records this step alone needs; without them only this step is skipped.
    pub needs: Option<Vec<NeedName>>,
    /// Requests (BX) and capabilities this step alone needs; without them it is skipped.
    #[serde(default)]
    pub requires: Vec<RequirementName>,
    /// Steps that reverse this one when its answer shows the server did it (a wrongly
    /// accepted refusal), run in the cleanup.
    pub undo: Option<UndoDoc>,
}

/// `undo:` as written: a condition on the step's answer and the steps that reverse it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoDoc {
    /// The answer that means the server did what the step asked (e.g. `fixed: { ok: "1" }`).
    pub when: WhenDoc,
    /// The steps that reverse it.
    pub steps: Vec<StepDoc>,
}

/// `undo.when:` as written: the matchers of `expect:`, as a condition rather than checks.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhenDoc {
    /// The answer's message.
    pub message: Option<MessageName>,
    /// Regex on the start of the answer.
    pub leader: Option<LeaderDoc>,
    /// Fixed fields by key.
    #[serde(default)]
    #[schemars(schema_with = "fixed_matchers")]
    pub fixed: OrderedMap<String, FieldMatcherDoc>,
    /// Tagged fields by ID.
    #[serde(default)]
    #[schemars(schema_with = "field_matchers")]
    pub fields: OrderedMap<FieldKey, FieldMatcherDoc>,
}

/// `expect:` as written: what the response must be.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectDoc {
    /// The ground of every check in the block that names none.
    pub ground: Option<Ground>,
    /// The response message.
    pub message: Option<MessageName>,
    /// Regex on the start of the response, or `{ matches: REGEX, ground: G }`.
    pub leader: Option<LeaderDoc>,
    /// Fixed fields by key.
    #[serde(default)]
    #[schemars(schema_with = "fixed_matchers")]
    pub fixed: OrderedMap<String, FieldMatcherDoc>,
    /// Tagged fields by ID.
    #[serde(default)]
    #[schemars(schema_with = "field_matchers")]
    pub fields: OrderedMap<FieldKey, FieldMatcherDoc>,
    /// Lint rules this step accepts.
    #[serde(default)]
    pub lint: Vec<RuleName>,
    /// Lint rules that must be reported.
    #[serde(default)]
    pub violations: Vec<RuleItem>,
    /// Lint rules that must not be reported, whatever their severity.
    #[serde(default)]
    pub forbid: Vec<RuleItem>,
    /// The server must close the connection instead of answering.
    #[serde(default)]
    pub closed: bool,
}

/// A request as written: raw text or one message with its fields.
#[derive(Debug, Clone)]
pub enum SendDoc {
    /// Sent as written (templates expanded).
    Raw(Template),
    /// Built from the spec table.
    Structured(Structured),
}

/// A structured request.
#[derive(Debug, Clone)]
pub struct Structured {
    /// The message.
    pub spec: &'static MessageSpec,
    /// Every fixed field in wire order, with its value.
    pub fixed: Vec<(&'static FixedSpec, FixedValue)>,
    /// Tagged fields in the order written (a list gives repeats).
    pub fields: Vec<(FieldId, Template)>,
}

/// The value of a fixed field in a request.
#[derive(Debug, Clone)]
pub enum FixedValue {
    /// The current date (date fields by default, or `now`).
    Now,
    /// This text.
    Text(Template),
}

/// An ordered map that refuses duplicate keys (YAML allows them silently).
#[derive(Debug, Clone)]
pub struct OrderedMap<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, K, V> Deserialize<'de> for OrderedMap<K, V>
where
    K: Deserialize<'de> + PartialEq + fmt::Debug,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<K, V>(PhantomData<(K, V)>);
        impl<'de, K, V> Visitor<'de> for V2<K, V>
        where
            K: Deserialize<'de> + PartialEq + fmt::Debug,
            V: Deserialize<'de>,
        {
            type Value = OrderedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out: Vec<(K, V)> = Vec::new();
                while let Some(k) = map.next_key::<K>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(de::Error::custom(format!("{k:?} is given twice")));
                    }
                    let v = map.next_value()?;
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(V2(PhantomData))
    }
}

/// A positive number of seconds.
#[derive(Debug, Clone, Copy)]
pub struct Seconds(pub Duration);

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let secs = f64::deserialize(d)?;
        if !(secs > 0.0 && secs <= 3600.0) {
            return Err(de::Error::custom(format!(
                "timeout {secs} is out of range: give seconds, more than 0 and at most 3600"
            )));
        }
        Ok(Seconds(Duration::from_secs_f64(secs)))
    }
}

/// `cr`, `crlf` or `lf`.
#[derive(Debug, Clone, Copy)]
pub struct TerminatorName(pub Terminator);

impl<'de> Deserialize<'de> for TerminatorName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map(TerminatorName).map_err(de::Error::custom)
    }
}

/// A message by key, spec name or code.
#[derive(Debug, Clone, Copy)]
pub struct MessageName(pub &'static MessageSpec);

impl<'de> Deserialize<'de> for MessageName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        lookup_message(&s)
            .map(MessageName)
            .map_err(de::Error::custom)
    }
}

/// A request whose BX flag the ACS must set, or the capability `error_detection`.
#[derive(Debug, Clone, Copy)]
pub struct RequirementName(pub super::Requirement);

impl<'de> Deserialize<'de> for RequirementName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "error_detection" {
            return Ok(RequirementName(super::Requirement::ErrorDetection));
        }
        let requests = || {
            spec::MESSAGES
                .iter()
                .filter(|m| is_request(m))
                .map(|m| m.key)
                .chain(["error_detection"])
        };
        let Some(m) = spec::message_by_name(&s) else {
            return Err(de::Error::custom(format!(
                "requires lists requests and capabilities; {s:?} is neither{}; they are: {}",
                did_you_mean(&s, requests()),
                requests().collect::<Vec<_>>().join(", ")
            )));
        };
        if !is_request(m) {
            return Err(de::Error::custom(format!(
                "requires lists requests (such as checkout, renew_all) and error_detection; {s:?} is the {}",
                m.name
            )));
        }
        Ok(RequirementName(super::Requirement::Message(m)))
    }
}

/// A request the BX has a flag for.
fn is_request(m: &MessageSpec) -> bool {
    m.direction == Direction::ScToAcs && spec::supported_position(m.code).is_some()
}

/// A profile record (`blocked_patron`) or variable (`fined_patron.fee_id`) a scenario needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedName(pub String);

impl<'de> Deserialize<'de> for NeedName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let well_formed = !s.is_empty()
            && !s.starts_with('.')
            && !s.ends_with('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        if !well_formed || BUILTINS.contains(&s.as_str()) || s.starts_with("env.") {
            return Err(de::Error::custom(format!(
                "needs lists profile records or variables (blocked_patron, fined_patron.fee_id); {s:?} is not one"
            )));
        }
        Ok(NeedName(s))
    }
}

/// `leader:` as written: a regex, or `{ matches: REGEX, ground: G }`.
#[derive(Debug, Clone)]
pub struct LeaderDoc {
    /// The regex.
    pub regex: Template,
    /// Its own ground.
    pub ground: Option<Ground>,
}

/// The map form of `leader:`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LeaderMap {
    /// A regex on the start of the response; `{{ name }}` values match literally.
    #[schemars(with = "String")]
    matches: RegexTemplate,
    /// The ground of this check (default: the block's).
    ground: Option<Ground>,
}

impl<'de> Deserialize<'de> for LeaderDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let form = d.deserialize_any(PlainOrMap::<RegexTemplate, LeaderMap>::visitor(
            "a leader regex, or { matches: REGEX, ground: G }",
        ))?;
        Ok(match form {
            PlainOrMap::Plain(r) => LeaderDoc {
                regex: r.0,
                ground: None,
            },
            PlainOrMap::Map(m) => LeaderDoc {
                regex: m.matches.0,
                ground: m.ground,
            },
        })
    }
}

/// A `violations:` or `forbid:` item: a rule name, or `{ rule: NAME, ground: G }`.
#[derive(Debug, Clone, Copy)]
pub struct RuleItem {
    /// The rule.
    pub rule: Rule,
    /// Its own ground.
    pub ground: Option<Ground>,
}

/// The map form of a `violations:` or `forbid:` item.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RuleMap {
    /// The lint rule.
    rule: RuleName,
    /// The ground of this check (default: the block's).
    ground: Option<Ground>,
}

impl<'de> Deserialize<'de> for RuleItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let form = d.deserialize_any(PlainOrMap::<RuleName, RuleMap>::visitor(
            "a lint rule name, or { rule: NAME, ground: G }",
        ))?;
        Ok(match form {
            PlainOrMap::Plain(r) => RuleItem {
                rule: r.0,
                ground: None,
            },
            PlainOrMap::Map(m) => RuleItem {
                rule: m.rule.0,
                ground: m.ground,
            },
        })
    }
}

/// A value written plainly (a string) or in its long form (a map).
enum PlainOrMap<P, M> {
    Plain(P),
    Map(M),
}

impl<P, M> PlainOrMap<P, M> {
    fn visitor(expecting: &'static str) -> PlainOrMapVisitor<P, M> {
        PlainOrMapVisitor(expecting, PhantomData)
    }
}

struct PlainOrMapVisitor<P, M>(&'static str, PhantomData<(P, M)>);

impl<'de, P: Deserialize<'de>, M: Deserialize<'de>> Visitor<'de> for PlainOrMapVisitor<P, M> {
    type Value = PlainOrMap<P, M>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        P::deserialize(de::value::StrDeserializer::<E>::new(s)).map(PlainOrMap::Plain)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        M::deserialize(de::value::MapAccessDeserializer::new(map)).map(PlainOrMap::Map)
    }
}

/// A lint rule by its stable code.
#[derive(Debug, Clone, Copy)]
pub struct RuleName(pub Rule);

impl<'de> Deserialize<'de> for RuleName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Rule::from_code(&s).map(RuleName).ok_or_else(|| {
            let codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
            de::Error::custom(format!(
                "unknown lint rule {s:?}{}; rules: {}",
                did_you_mean(&s, codes.iter().copied()),
                codes.join(", ")
            ))
        })
    }
}

/// A known field ID such as `AO`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldKey(pub FieldId);

impl<'de> Deserialize<'de> for FieldKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        field_id(&s).map(FieldKey).map_err(de::Error::custom)
    }
}

/// A regex that may hold templates, checked for syntax with stand-in values.
#[derive(Debug, Clone)]
pub struct RegexTemplate(pub Template);

impl<'de> Deserialize<'de> for RegexTemplate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        regex_template(&s)
            .map(RegexTemplate)
            .map_err(de::Error::custom)
    }
}

/// A field matcher as written: a plain string, a keyword or a map.
#[derive(Debug, Clone)]
pub struct FieldMatcherDoc(pub FieldMatcher);

impl<'de> Deserialize<'de> for FieldMatcherDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MatcherVisitor).map(FieldMatcherDoc)
    }
}

struct MatcherVisitor;

const QUOTE_NUMBERS: &str =
    "write the value in quotes (e.g. \"1\", \"001\"): YAML numbers lose leading zeros";

impl<'de> Visitor<'de> for MatcherVisitor {
    type Value = FieldMatcher;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value to equal, present/absent/empty, or a map such as { matches: REGEX }")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<FieldMatcher, E> {
        let matcher = match s {
            "present" => Matcher::Present,
            "absent" => Matcher::Absent,
            "empty" => Matcher::Empty,
            _ => Matcher::Equals(Template::parse(s).map_err(E::custom)?),
        };
        Ok(FieldMatcher {
            matcher,
            optional: false,
            ground: None,
        })
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<FieldMatcher, E> {
        Err(E::custom(QUOTE_NUMBERS))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<FieldMatcher, E> {
        Err(E::custom(QUOTE_NUMBERS))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<FieldMatcher, E> {
        Err(E::custom(QUOTE_NUMBERS))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<FieldMatcher, E> {
        Err(E::custom(
            "write Y/N flags and other values in quotes, e.g. \"Y\"",
        ))
    }

    fn visit_unit<E: de::Error>(self) -> Result<FieldMatcher, E> {
        Err(E::custom(
            "no value: write \"\" for an empty value, or present/absent/empty",
        ))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<FieldMatcher, A::Error> {
        Err(de::Error::custom(
            "a list is ambiguous here: write { all: [...] } for the exact repeated values, or { one_of: [...] }",
        ))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FieldMatcher, A::Error> {
        let m = MatcherMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
        m.into_matcher().map_err(de::Error::custom)
    }
}

/// The map form of a matcher: exactly one check, plus `optional` and `ground`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct MatcherMap {
    /// Equal to the first value (templates allowed).
    equals: Option<String>,
    /// The first value matches this regex; `{{ name }}` values match literally.
    matches: Option<String>,
    /// Equal to one of these.
    one_of: Option<Vec<String>>,
    /// The field is there (its value may be empty).
    #[serde(default)]
    #[schemars(schema_with = "only_true")]
    present: Option<bool>,
    /// The field is not there.
    #[serde(default)]
    #[schemars(schema_with = "only_true")]
    absent: Option<bool>,
    /// The field is there and empty.
    #[serde(default)]
    #[schemars(schema_with = "only_true")]
    empty: Option<bool>,
    /// The first value has this many characters.
    length: Option<usize>,
    /// A valid 18-character SIP date (YYYYMMDDZZZZHHMMSS).
    #[serde(default)]
    #[schemars(schema_with = "only_true")]
    date: Option<bool>,
    /// Some occurrence contains this text.
    contains: Option<String>,
    /// Every occurrence (at least one) passes this check.
    #[serde(default)]
    #[schemars(schema_with = "inner_matcher")]
    each: Option<FieldMatcherDoc>,
    /// The occurrences, in order, are exactly these.
    all: Option<Vec<String>>,
    /// Check the field only when it is there.
    optional: Option<bool>,
    /// The ground of this check (default: the block's).
    ground: Option<Ground>,
}

/// The keys of a matcher map that are not checks.
const MATCHER_MODIFIERS: [&str; 2] = ["optional", "ground"];

impl MatcherMap {
    fn into_matcher(self) -> Result<FieldMatcher, String> {
        let mut found: Vec<(&str, Matcher)> = Vec::new();
        let parse = |s: &str| Template::parse(s).map_err(|e| e.to_string());
        let parse_all = |v: &[String]| v.iter().map(|s| parse(s)).collect::<Result<Vec<_>, _>>();
        if let Some(s) = &self.equals {
            found.push(("equals", Matcher::Equals(parse(s)?)));
        }
        if let Some(s) = &self.matches {
            found.push(("matches", Matcher::Matches(regex_template(s)?)));
        }
        if let Some(v) = &self.one_of {
            found.push(("one_of", Matcher::OneOf(parse_all(v)?)));
        }
        for (key, flag, m) in [
            ("present", self.present, Matcher::Present),
            ("absent", self.absent, Matcher::Absent),
            ("empty", self.empty, Matcher::Empty),
            ("date", self.date, Matcher::Date),
        ] {
            match flag {
                Some(true) => found.push((key, m)),
                Some(false) => {
                    return Err(format!(
                        "{key}: false is not a check; write {key}: true or leave it out"
                    ));
                }
                None => {}
            }
        }
        if let Some(n) = self.length {
            found.push(("length", Matcher::Length(n)));
        }
        if let Some(s) = &self.contains {
            found.push(("contains", Matcher::Contains(parse(s)?)));
        }
        if let Some(inner) = self.each {
            if inner.0.optional {
                return Err("optional goes next to each:, not inside it".into());
            }
            if inner.0.ground.is_some() {
                return Err("ground goes next to each:, not inside it".into());
            }
            found.push(("each", Matcher::Each(Box::new(inner.0.matcher))));
        }
        if let Some(v) = &self.all {
            found.push(("all", Matcher::All(parse_all(v)?)));
        }
        let optional = self.optional.unwrap_or(false);
        match found.len() {
            1 => Ok(FieldMatcher {
                matcher: found.remove(0).1,
                optional,
                ground: self.ground,
            }),
            0 => Err("no check given: use one of equals, matches, one_of, present, absent, empty, length, date, contains, each, all".into()),
            _ => Err(format!(
                "one check per field, found {}; split them over steps or use one regex",
                found.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(" and ")
            )),
        }
    }
}

impl<'de> Deserialize<'de> for SendDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SendVisitor)
    }
}

struct SendVisitor;

impl<'de> Visitor<'de> for SendVisitor {
    type Value = SendDoc;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "a raw message string, or a map with one message key (e.g. checkout:) and its fields",
        )
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<SendDoc, E> {
        if s.len() < 2 {
            return Err(E::custom(format!(
                "{s:?} is not a message: a raw send starts with the two-digit code"
            )));
        }
        Template::parse(s).map(SendDoc::Raw).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SendDoc, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "empty send: give one message key such as checkout: or \"11\":",
            ));
        };
        let spec = lookup_message(&key).map_err(de::Error::custom)?;
        let structured = map.next_value_seed(StructuredSeed(spec))?;
        if let Some(other) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "send holds one message; found {key:?} and {other:?}"
            )));
        }
        Ok(SendDoc::Structured(structured))
    }
}

struct StructuredSeed(&'static MessageSpec);

impl<'de> DeserializeSeed<'de> for StructuredSeed {
    type Value = Structured;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Structured, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for StructuredSeed {
    type Value = Structured;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "the fields of {} as a map", self.0.name)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Structured, E> {
        build_structured(self.0, Vec::new(), Vec::new()).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Structured, A::Error> {
        let spec = self.0;
        let mut fixed: Vec<(&'static FixedSpec, FixedValue)> = Vec::new();
        let mut fields: Vec<(FieldId, Template)> = Vec::new();
        let seen: Vec<&'static str> = Vec::new();
        let mut key_seed = KeySeed { spec, seen };
        while let Some(key) = map.next_key_seed(&mut key_seed)? {
            match key {
                StructuredKey::Fixed(f) => {
                    let value = map.next_value_seed(FixedSeed { spec, field: f })?;
                    fixed.push((f, value));
                }
                StructuredKey::Field(id) => {
                    let values: OneOrMany = map.next_value()?;
                    for v in values.0 {
                        fields.push((id, Template::parse(&v).map_err(de::Error::custom)?));
                    }
                }
            }
        }
        build_structured(spec, fixed, fields).map_err(de::Error::custom)
    }
}

/// A key of a structured request: a fixed field of the message or a field ID.
enum StructuredKey {
    Fixed(&'static FixedSpec),
    Field(FieldId),
}

/// Classifies keys while they are read, so errors carry the key's line.
struct KeySeed {
    spec: &'static MessageSpec,
    seen: Vec<&'static str>,
}

impl<'de> DeserializeSeed<'de> for &mut KeySeed {
    type Value = StructuredKey;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<StructuredKey, D::Error> {
        // Checked inside the visitor so that serde_yaml marks errors with the key's line.
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for &mut KeySeed {
    type Value = StructuredKey;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a fixed-field key or a field ID")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<StructuredKey, E> {
        let spec = self.spec;
        if let Some((_, f)) = spec.fixed_field(key) {
            if self.seen.contains(&f.key) {
                return Err(E::custom(format!("{key:?} is given twice")));
            }
            self.seen.push(f.key);
            return Ok(StructuredKey::Fixed(f));
        }
        if let Ok(id) = field_id(key) {
            return Ok(StructuredKey::Field(id));
        }
        let keys: Vec<&str> = spec.fixed.iter().map(|f| f.key).collect();
        Err(E::custom(format!(
            "{} has no fixed field {key:?}{} and it is not a known field ID; fixed fields: {}; tagged fields are two-letter IDs such as AO (see `sip2check spec {}`)",
            spec.name,
            did_you_mean(key, keys.iter().copied()),
            if keys.is_empty() {
                "(none)".to_string()
            } else {
                keys.join(", ")
            },
            spec.code
        )))
    }
}

/// Reads a fixed field's value, checking its length when it holds no template.
struct FixedSeed {
    spec: &'static MessageSpec,
    field: &'static FixedSpec,
}

impl<'de> DeserializeSeed<'de> for FixedSeed {
    type Value = FixedValue;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<FixedValue, D::Error> {
        let (spec, field) = (self.spec, self.field);
        d.deserialize_any(ScalarThen(move |value: &str| {
            fixed_value(spec, field, value)
        }))
    }
}

/// A string scalar passed through a check inside the visitor (so errors carry its line).
struct ScalarThen<F>(F);

impl<'de, T, F: FnOnce(&str) -> Result<T, String>> Visitor<'de> for ScalarThen<F> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        (self.0)(s).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<T, E> {
        Err(E::custom(QUOTE_NUMBERS))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<T, E> {
        Err(E::custom(QUOTE_NUMBERS))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<T, E> {
        Err(E::custom(QUOTE_NUMBERS))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<T, E> {
        Err(E::custom("write the value in quotes, e.g. \"Y\""))
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Err(E::custom("no value: write \"\" for an empty value"))
    }
}

fn build_structured(
    spec: &'static MessageSpec,
    mut given: Vec<(&'static FixedSpec, FixedValue)>,
    fields: Vec<(FieldId, Template)>,
) -> Result<Structured, String> {
    let mut fixed = Vec::with_capacity(spec.fixed.len());
    let mut missing = Vec::new();
    for f in spec.fixed {
        match given.iter().position(|(g, _)| g.key == f.key) {
            Some(i) => fixed.push(given.swap_remove(i)),
            None if matches!(f.kind, Kind::Date18) => fixed.push((f, FixedValue::Now)),
            None => missing.push(format!(
                "{} ({} chars, {})",
                f.key,
                f.len,
                f.kind.describe()
            )),
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "{} needs every fixed field except dates; missing: {}",
            spec.name,
            missing.join("; ")
        ));
    }
    Ok(Structured {
        spec,
        fixed,
        fields,
    })
}

fn fixed_value(spec: &MessageSpec, f: &FixedSpec, value: &str) -> Result<FixedValue, String> {
    if matches!(f.kind, Kind::Date18) && value == "now" {
        return Ok(FixedValue::Now);
    }
    let t = Template::parse(value).map_err(|e| e.to_string())?;
    if t.names().next().is_none() && value.chars().count() != f.len {
        return Err(format!(
            "fixed field {} of {} takes {} characters ({}), got {value:?} ({})",
            f.key,
            spec.name,
            f.len,
            f.kind.describe(),
            value.chars().count()
        ));
    }
    Ok(FixedValue::Text(t))
}

/// A string scalar; numbers are refused because YAML drops their leading zeros.
struct ScalarText(String);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor).map(ScalarText)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
        Ok(s.to_string())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<String, E> {
        Err(E::custom(QUOTE_NUMBERS))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<String, E> {
        Err(E::custom(QUOTE_NUMBERS))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<String, E> {
        Err(E::custom(QUOTE_NUMBERS))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<String, E> {
        Err(E::custom("write the value in quotes, e.g. \"Y\""))
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Err(E::custom("no value: write \"\" for an empty value"))
    }
}

/// One string or a list of strings (a repeated field).
struct OneOrMany(Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, or a list of strings for a repeated field")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![s.to_string()]))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<OneOrMany, E> {
                Err(E::custom(QUOTE_NUMBERS))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<OneOrMany, E> {
                Err(E::custom(QUOTE_NUMBERS))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<OneOrMany, E> {
                Err(E::custom(QUOTE_NUMBERS))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<OneOrMany, E> {
                Err(E::custom("write the value in quotes, e.g. \"Y\""))
            }
            fn visit_unit<E: de::Error>(self) -> Result<OneOrMany, E> {
                Err(E::custom("no value: write \"\" for an empty value"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<ScalarText>()? {
                    out.push(v.0);
                }
                Ok(OneOrMany(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// The message called `name` (key, spec name or code), or an error listing the keys.
pub fn lookup_message(name: &str) -> Result<&'static MessageSpec, String> {
    spec::message_by_name(name).ok_or_else(|| {
        let keys: Vec<&str> = spec::MESSAGES.iter().map(|m| m.key).collect();
        format!(
            "unknown message {name:?}{}; messages: {}",
            did_you_mean(name, keys.iter().copied()),
            keys.join(", ")
        )
    })
}

/// The registered field ID written as `s`.
pub fn field_id(s: &str) -> Result<FieldId, String> {
    match FieldId::parse(s) {
        Some(id) if spec::field(id).is_some() => Ok(id),
        _ => Err(format!(
            "unknown field ID {s:?}: tagged fields are two-character IDs such as AO or AA (`sip2check spec --fields` lists them)"
        )),
    }
}

/// Parses a regex with templates and checks its syntax with stand-ins for the variables.
pub fn regex_template(s: &str) -> Result<Template, String> {
    let t = Template::parse(s).map_err(|e| e.to_string())?;
    let probe = t.with_stand_ins(|name| {
        if name == "datepat" {
            format!("(?:{DATEPAT})")
        } else {
            "x".to_string()
        }
    });
    regex::Regex::new(&probe).map_err(|e| format!("bad regex {s:?}: {e}"))?;
    Ok(t)
}

/// ", did you mean \"x\"?" when a candidate is close to `name`.
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .map(|c| (edit_distance(&name.to_ascii_lowercase(), c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!(" (did you mean {c:?}?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The JSON Schema of a scenario file (`sip2check schema scenario`).
pub(crate) fn scenario_schema() -> serde_json::Value {
    crate::schema::root::<ScenarioDoc>("sip2check scenario")
}

/// The JSON Schema of a `common.yaml` (`sip2check schema common`).
pub(crate) fn common_schema() -> serde_json::Value {
    crate::schema::root::<CommonDoc>("sip2check common.yaml")
}

/// A `common.yaml` (read as an [`OrderedMap`] of [`StepDoc`]s), for its schema.
enum CommonDoc {}

impl JsonSchema for CommonDoc {
    fn schema_name() -> Cow<'static, str> {
        "Common".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let step = generator.subschema_for::<StepDoc>();
        json_schema!({
            "description": "Shared steps by name: a scenario step says `use: NAME` to run one.",
            "type": "object",
            "additionalProperties": {
                "description": "A shared step: a full step with send:, which cannot use another shared step.",
                "allOf": [step, { "not": { "required": ["use"] } }],
            },
        })
    }
}

/// A step either uses a shared step (and may only rename it) or sends a request.
fn use_or_send(schema: &mut Schema) {
    schema.insert("if".into(), json!({ "required": ["use"] }));
    // The keys a `use:` step may have (load.rs refuses the others).
    schema.insert(
        "then".into(),
        json!({ "propertyNames": { "enum": ["use", "name", "id"] } }),
    );
    schema.insert("else".into(), json!({ "required": ["send"] }));
}

/// What a text may hold where it takes a fixed field's value: exactly its length, a template
/// (its length is known only when sent), or `now` for a date.
fn fixed_value_schema(f: &FixedSpec) -> Schema {
    let date = matches!(f.kind, Kind::Date18);
    let mut forms = vec![
        json!({ "minLength": f.len, "maxLength": f.len }),
        json!({ "pattern": r"\{\{" }),
    ];
    if date {
        forms.push(json!({ "const": "now" }));
    }
    let mut s = json_schema!({
        "type": "string",
        "description": format!(
            "{}: {} characters, {}{}",
            f.name,
            f.len,
            f.kind.describe(),
            if date { "; default: now" } else { "" }
        ),
        "anyOf": forms,
    });
    if let Kind::Code(table) = f.kind {
        let codes: Vec<&str> = table.values.iter().map(|(c, _)| *c).collect();
        s.insert("examples".into(), codes.into());
    }
    s
}

/// A structured request of message `m`: every fixed field but dates, by key (or spec name in
/// any case), and tagged fields by ID (a list repeats one).
fn structured_schema(generator: &mut SchemaGenerator, m: &'static MessageSpec) -> Schema {
    let values = schema::define(generator, "FieldValues", |_| {
        json_schema!({
            "description": "The field's value, or a list of values to send it once for each.",
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } },
            ],
        })
    });
    let field_id = generator.subschema_for::<FieldKey>();
    let mut properties = serde_json::Map::new();
    let mut by_name = serde_json::Map::new();
    let mut required = Vec::new();
    for f in m.fixed {
        let value = fixed_value_schema(f).to_value();
        let name = format!("^{}$", schema::case_insensitive(f.name));
        if !matches!(f.kind, Kind::Date18) {
            // Given by key, or by some property whose name is the spec's name in any case.
            required.push(json!({ "anyOf": [
                { "required": [f.key] },
                { "not": { "propertyNames": { "not": { "pattern": name } } } },
            ]}));
        }
        properties.insert(f.key.into(), value.clone());
        by_name.insert(name, value);
    }
    for u in m.fields {
        let description = format!(
            "{} ({}{})",
            spec::field_name(u.id),
            if u.required { "required" } else { "optional" },
            if u.repeatable { ", repeatable" } else { "" }
        );
        properties.insert(
            u.id.as_str().into(),
            json!({ "description": description, "allOf": [values] }),
        );
    }
    let keys: Vec<&str> = m.fixed.iter().map(|f| f.key).collect();
    let names: Vec<String> = m
        .fixed
        .iter()
        .map(|f| schema::case_insensitive(f.name))
        .collect();
    let mut key_forms = vec![field_id.to_value()];
    if !keys.is_empty() {
        key_forms.push(json!({ "enum": keys }));
        key_forms.push(json!({ "pattern": format!("^(?:{})$", names.join("|")) }));
    }
    let mut s = json_schema!({
        "description": format!(
            "{} {}: fixed fields by key (dates default to now), then tagged fields by ID in the order sent.",
            m.code, m.name
        ),
        "type": if required.is_empty() { json!(["object", "null"]) } else { json!("object") },
        "properties": properties,
        "patternProperties": by_name,
        "propertyNames": { "anyOf": key_forms },
        "additionalProperties": values,
    });
    if !required.is_empty() {
        s.insert("allOf".into(), required.into());
    }
    s
}

impl JsonSchema for SendDoc {
    fn schema_name() -> Cow<'static, str> {
        "Send".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut by_key = serde_json::Map::new();
        let mut by_name = serde_json::Map::new();
        for m in spec::MESSAGES {
            let r = schema::define(generator, &format!("send_{}", m.key), |g| {
                structured_schema(g, m)
            })
            .to_value();
            by_key.insert(m.key.into(), r.clone());
            by_key.insert(m.code.as_str().into(), r.clone());
            by_name.insert(format!("^{}$", schema::case_insensitive(m.name)), r);
        }
        json_schema!({
            "description": "The request: raw text, or one message by key (checkout) or code (\"11\") with its fields.",
            "anyOf": [
                {
                    "type": "string",
                    "minLength": 2,
                    "description": "Sent as written after {{ }} expansion; AY/AZ are added when error detection is on, unless it already ends in them.",
                },
                {
                    "type": "object",
                    "minProperties": 1,
                    "maxProperties": 1,
                    "properties": by_key,
                    "patternProperties": by_name,
                    "additionalProperties": false,
                },
            ],
        })
    }
}

impl JsonSchema for FieldMatcherDoc {
    fn schema_name() -> Cow<'static, str> {
        "Matcher".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A check of the field: a value it must equal, present / absent / empty, or a map with one check.",
            "anyOf": [plain_matcher(), matcher_map(generator, false)],
        })
    }
}

/// A matcher written as a string: a value to equal, or a keyword.
fn plain_matcher() -> Schema {
    json_schema!({
        "type": "string",
        "description": "Equal to this value (templates allowed), or present, absent or empty.",
        "examples": ["present", "absent", "empty"],
    })
}

/// The map form of a matcher: exactly one check; `inner` (inside `each:`) without the
/// modifiers, which go next to `each:`.
fn matcher_map(generator: &mut SchemaGenerator, inner: bool) -> Schema {
    let mut s = MatcherMap::json_schema(generator);
    let mut checks = Vec::new();
    if let Some(props) = s.get_mut("properties").and_then(|p| p.as_object_mut()) {
        if inner {
            props.retain(|k, _| !MATCHER_MODIFIERS.contains(&k.as_str()));
        }
        checks.extend(
            props
                .keys()
                .filter(|k| !MATCHER_MODIFIERS.contains(&k.as_str()))
                .map(|k| json!({ "required": [k] })),
        );
    }
    s.insert("oneOf".into(), checks.into());
    s
}

/// The check inside `each:`.
fn inner_matcher(generator: &mut SchemaGenerator) -> Schema {
    schema::define(generator, "InnerMatcher", |g| {
        json_schema!({
            "description": "The check every occurrence must pass (optional: and ground: go next to each:).",
            "anyOf": [plain_matcher(), matcher_map(g, true)],
        })
    })
}

/// A flag check that is only ever written `true`.
fn only_true(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "const": true })
}

/// Every fixed-field key of any message (`expect.fixed`, `capture:`): which message's they
/// must be is known only with the step.
fn fixed_keys(generator: &mut SchemaGenerator) -> Schema {
    schema::define(generator, "FixedKey", |_| {
        let (keys, names) = all_fixed_fields();
        let labels: Vec<(&str, String)> = keys
            .iter()
            .map(|(key, f, codes)| (*key, format!("{}, in {}", f.name, codes.join(" "))))
            .collect();
        schema::names(
            labels.iter().map(|(k, l)| (*k, l.as_str())),
            names.iter().copied(),
        )
    })
}

/// Each fixed-field key once (with its first field and the codes of the messages that have
/// it), and each spec name once.
type FixedFields = (
    Vec<(&'static str, &'static FixedSpec, Vec<String>)>,
    Vec<&'static str>,
);

fn all_fixed_fields() -> FixedFields {
    let mut keys: Vec<(&'static str, &'static FixedSpec, Vec<String>)> = Vec::new();
    let mut names: Vec<&'static str> = Vec::new();
    for m in spec::MESSAGES {
        for f in m.fixed {
            match keys.iter_mut().find(|(k, _, _)| *k == f.key) {
                Some((_, _, codes)) => codes.push(m.code.to_string()),
                None => keys.push((f.key, f, vec![m.code.to_string()])),
            }
            if !names.iter().any(|n| n.eq_ignore_ascii_case(f.name)) {
                names.push(f.name);
            }
        }
    }
    (keys, names)
}

/// `fixed:` of `expect:` and `undo.when:`: matchers by fixed-field key.
fn fixed_matchers(generator: &mut SchemaGenerator) -> Schema {
    schema::define(generator, "FixedMatchers", fixed_matchers_by_key)
}

fn fixed_matchers_by_key(generator: &mut SchemaGenerator) -> Schema {
    let matcher = generator.subschema_for::<FieldMatcherDoc>();
    let (keys, names) = all_fixed_fields();
    let properties: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|(key, f, codes)| {
            let description = format!(
                "{}: {} characters, {} (in {})",
                f.name,
                f.len,
                f.kind.describe(),
                codes.join(" ")
            );
            (
                key.to_string(),
                json!({ "description": description, "allOf": [matcher] }),
            )
        })
        .collect();
    let by_name: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .map(|n| {
            (
                format!("^{}$", schema::case_insensitive(n)),
                matcher.clone().to_value(),
            )
        })
        .collect();
    json_schema!({
        "type": "object",
        "properties": properties,
        "patternProperties": by_name,
        "additionalProperties": false,
    })
}

/// `fields:` of `expect:` and `undo.when:`: matchers by field ID.
fn field_matchers(generator: &mut SchemaGenerator) -> Schema {
    schema::define(generator, "FieldMatchers", field_matchers_by_id)
}

fn field_matchers_by_id(generator: &mut SchemaGenerator) -> Schema {
    let matcher = generator.subschema_for::<FieldMatcherDoc>();
    let properties: serde_json::Map<String, serde_json::Value> = spec::FIELDS
        .iter()
        .map(|f| {
            (
                f.id.as_str().to_string(),
                json!({ "description": f.name, "allOf": [matcher] }),
            )
        })
        .collect();
    json_schema!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    })
}

/// `capture:`: variable names to a field ID or a fixed-field key of the response.
fn capture_schema(generator: &mut SchemaGenerator) -> Schema {
    let field = generator.subschema_for::<FieldKey>();
    let fixed = fixed_keys(generator);
    json_schema!({
        "type": "object",
        "propertyNames": {
            "pattern": "^[A-Za-z0-9_]+$",
            "not": { "enum": BUILTINS },
        },
        "additionalProperties": {
            "description": "A field ID (its first value) or a fixed-field key of the response.",
            "anyOf": [field, fixed],
        },
    })
}

impl JsonSchema for Seconds {
    fn schema_name() -> Cow<'static, str> {
        "Seconds".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "number", "exclusiveMinimum": 0, "maximum": 3600 })
    }
}

impl JsonSchema for TerminatorName {
    fn schema_name() -> Cow<'static, str> {
        "Terminator".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schema::terminators()
    }
}

impl JsonSchema for MessageName {
    fn schema_name() -> Cow<'static, str> {
        "MessageName".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schema::message_names(|_| true, &[])
    }
}

impl JsonSchema for RequirementName {
    fn schema_name() -> Cow<'static, str> {
        "Requirement".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schema::message_names(
            is_request,
            &[(
                "error_detection",
                "the server does error detection (AY/AZ): not when the profile says error_detection: off",
            )],
        )
    }
}

impl JsonSchema for NeedName {
    fn schema_name() -> Cow<'static, str> {
        "Need".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A profile record (blocked_patron) or variable (fined_patron.fee_id).",
            "pattern": r"^[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?$",
            "not": { "anyOf": [{ "enum": BUILTINS }, { "pattern": r"^env\." }] },
        })
    }
}

impl JsonSchema for LeaderDoc {
    fn schema_name() -> Cow<'static, str> {
        "Leader".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let map = generator.subschema_for::<LeaderMap>();
        json_schema!({
            "anyOf": [
                { "type": "string", "description": "A regex on the start of the response; {{ name }} values match literally." },
                map,
            ],
        })
    }
}

impl JsonSchema for RuleItem {
    fn schema_name() -> Cow<'static, str> {
        "RuleItem".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let rule = generator.subschema_for::<RuleName>();
        let map = generator.subschema_for::<RuleMap>();
        json_schema!({ "anyOf": [rule, map] })
    }
}

impl JsonSchema for RuleName {
    fn schema_name() -> Cow<'static, str> {
        "Rule".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut s = schema::names(Rule::ALL.iter().map(|r| (r.code(), r.describe())), []);
        s.insert(
            "description".into(),
            "A lint rule (`sip2check spec --rules`).".into(),
        );
        s
    }
}

impl JsonSchema for FieldKey {
    fn schema_name() -> Cow<'static, str> {
        "FieldId".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut s = schema::names(spec::FIELDS.iter().map(|f| (f.id.as_str(), f.name)), []);
        s.insert(
            "description".into(),
            "A field ID (`sip2check spec --fields`).".into(),
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(yaml: &str) -> Result<StepDoc, serde_yaml::Error> {
        serde_yaml::from_str(yaml)
    }

    #[test]
    fn structured_send_fills_dates_and_keeps_field_order() {
        let s = step("send:\n  checkout:\n    sc_renewal_policy: Y\n    no_block: N\n    nb_due_date: \"                  \"\n    AO: BR1\n    AF: [one, two]\n    AA: p\n").unwrap();
        let Some(SendDoc::Structured(st)) = s.send else {
            panic!("structured")
        };
        assert_eq!(st.spec.key, "checkout");
        assert_eq!(st.fixed.len(), 4);
        assert!(matches!(st.fixed[2].1, FixedValue::Now));
        let ids: Vec<&str> = st.fields.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["AO", "AF", "AF", "AA"]);
    }

    #[test]
    fn structured_send_errors_point_at_the_line() {
        let e = step("send:\n  checkout:\n    sc_renewal_policy: Y\n    no_blok: N\n").unwrap_err();
        let loc = e.location().unwrap();
        assert_eq!(loc.line(), 4, "{e}");
        assert!(e.to_string().contains("did you mean \"no_block\""), "{e}");
        let e = step("send:\n  checkout:\n    sc_renewal_policy: YY\n").unwrap_err();
        assert!(e.to_string().contains("takes 1 characters"), "{e}");
        let e = step("send:\n  checkout:\n    sc_renewal_policy: Y\n").unwrap_err();
        assert!(e.to_string().contains("missing: no_block"), "{e}");
        let e = step("send:\n  chekout: {}\n").unwrap_err();
        assert!(e.to_string().contains("did you mean \"checkout\""), "{e}");
        let e = step("send:\n  sc_status:\n    status_code: 0\n").unwrap_err();
        assert!(e.to_string().contains("quotes"), "{e}");
    }

    #[test]
    fn matchers_in_every_form() {
        let s = step(
            "expect:\n  fields:\n    AA: x\n    AH: present\n    BT: { matches: '^\\d{2}$', optional: true }\n    BM: { each: { matches: '^\\d+$' } }\n",
        )
        .unwrap();
        let fields = s.expect.unwrap().fields.0;
        assert!(matches!(fields[0].1.0.matcher, Matcher::Equals(_)));
        assert_eq!(fields[1].1.0.matcher, Matcher::Present);
        assert!(fields[2].1.0.optional);
        assert!(matches!(fields[3].1.0.matcher, Matcher::Each(_)));
    }

    #[test]
    fn matcher_mistakes_are_explained() {
        for (yaml, want) in [
            ("AA: { matches: '(' }", "bad regex"),
            ("AA: { matches: a, length: 2 }", "one check per field"),
            ("AA: { optional: true }", "no check given"),
            ("AA: { macthes: a }", "unknown field `macthes`"),
            ("AA: [a, b]", "all: [...]"),
            ("AA: 1", "quotes"),
            ("ZZ: x", "unknown field ID"),
        ] {
            let e = step(&format!("expect:\n  fields:\n    {yaml}\n")).unwrap_err();
            assert!(e.to_string().contains(want), "{yaml}: {e}");
            assert_eq!(e.location().unwrap().line(), 3, "{yaml}: {e}");
        }
    }

    #[test]
    fn unknown_keys_and_rules_are_errors() {
        let e = step("sned: x\n").unwrap_err();
        assert!(e.to_string().contains("unknown field `sned`"), "{e}");
        let e = step("expect:\n  lint: [lf-after-crr]\n").unwrap_err();
        assert!(
            e.to_string().contains("did you mean \"lf-after-cr\""),
            "{e}"
        );
        let e: serde_yaml::Error =
            serde_yaml::from_str::<ScenarioDoc>("requires: [checkout_response]\nsteps: []\n")
                .unwrap_err();
        assert!(e.to_string().contains("requires lists requests"), "{e}");
        let e = step("timeout: 0\n").unwrap_err();
        assert!(e.to_string().contains("out of range"), "{e}");
        let e = step("capture: { a: AH, a: AJ }\n").unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
    }

    #[test]
    fn grounds_in_every_place_they_can_be_written() {
        use crate::sip2::System;
        let s = step(
            "expect:\n  ground: common\n  leader: { matches: '^24', ground: koha }\n  fields:\n    AA: x\n    AJ: { matches: '^x', ground: evergreen }\n  violations: [checksum, { rule: sequence, ground: spec }]\n  forbid: [{ rule: lf-after-cr, ground: folio }]\n",
        )
        .unwrap();
        let e = s.expect.unwrap();
        assert_eq!(e.ground, Some(Ground::Common));
        assert_eq!(e.leader.unwrap().ground, Some(Ground::System(System::Koha)));
        let fields = e.fields.0;
        assert_eq!(
            fields[0].1.0.ground, None,
            "a plain string takes the block's"
        );
        assert_eq!(
            fields[1].1.0.ground,
            Some(Ground::System(System::Evergreen))
        );
        assert_eq!(
            (e.violations[0].rule, e.violations[0].ground),
            (Rule::Checksum, None)
        );
        assert_eq!(e.violations[1].ground, Some(Ground::Spec));
        assert_eq!(e.forbid[0].rule, Rule::LfAfterCr);
        assert_eq!(e.forbid[0].ground, Some(Ground::System(System::Folio)));
        let plain = step("expect:\n  leader: '^24'\n").unwrap();
        assert_eq!(plain.expect.unwrap().leader.unwrap().ground, None);
    }

    #[test]
    fn unknown_grounds_are_errors_at_their_line_with_a_did_you_mean() {
        for (yaml, line) in [
            ("expect:\n  ground: evergren\n", 2),
            (
                "expect:\n  fields:\n    AA: { equals: x, ground: evergren }\n",
                3,
            ),
            ("expect:\n  leader: { matches: x, ground: evergren }\n", 2),
            (
                "expect:\n  forbid:\n    - { rule: checksum, ground: evergren }\n",
                3,
            ),
        ] {
            let e = step(yaml).unwrap_err();
            assert!(
                e.to_string()
                    .contains("unknown ground \"evergren\" (did you mean \"evergreen\"?)"),
                "{yaml}: {e}"
            );
            assert_eq!(e.location().unwrap().line(), line, "{yaml}: {e}");
        }
        let e = step("expect:\n  fields:\n    AA: { each: { equals: x, ground: common } }\n")
            .unwrap_err();
        assert!(e.to_string().contains("ground goes next to each"), "{e}");
    }

    #[test]
    fn requires_and_needs() {
        let doc: ScenarioDoc = serde_yaml::from_str(
            "requires: [error_detection, checkout]\nneeds: [blocked_patron, fined_patron.fee_id]\nsteps:\n  - send: \"99\"\n    needs: [site]\n    requires: [hold]\n",
        )
        .unwrap();
        assert_eq!(doc.requires[0].0, super::super::Requirement::ErrorDetection);
        assert_eq!(doc.requires[1].0.to_string(), "checkout");
        assert_eq!(doc.needs[1].0, "fined_patron.fee_id");
        assert_eq!(doc.steps[0].needs.as_ref().unwrap()[0].0, "site");
        assert_eq!(doc.steps[0].requires[0].0.to_string(), "hold");
        let e = serde_yaml::from_str::<ScenarioDoc>("requires: [error_detecton]\nsteps: []\n")
            .unwrap_err();
        assert!(
            e.to_string().contains("did you mean \"error_detection\""),
            "{e}"
        );
        let e = serde_yaml::from_str::<ScenarioDoc>("needs: [now]\nsteps: []\n").unwrap_err();
        assert!(e.to_string().contains("needs lists profile records"), "{e}");
    }

    #[test]
    fn regex_templates_accept_datepat() {
        assert!(regex_template("^121NNY{{ datepat }}").is_ok());
        assert!(regex_template("^{{ x }}(").is_err());
    }
}
