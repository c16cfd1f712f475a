//! The library YAML format (`fixtures/library.yaml`) and its loader.
//!
//! serde types with `deny_unknown_fields`, then checks that need the whole file (references,
//! duplicates, code tables); every mistake is reported as `file:line: what is wrong, what to do`.
//! [`Library::builtin`] is the shipped fixture, embedded so `cargo test` and `sip2check run`
//! need no file.

use std::collections::HashMap;
use std::path::Path;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

use super::dialect::{
    self, ChargeBl, CheckinNotOnLoan, Dialect, FieldOrder, Knob, MagneticMedia, ON_OFF,
    RefusedCheckinTitle, RenewalDesensitize, SecondCheckout, UnknownMessage, UnknownPatronLanguage,
};
use super::library::{
    Account, FLAG_NAMES, Fee, Hold, Institution, Item, Library, LibraryError, Loan, Money, Patron,
    Policy, Unsupported,
};
use crate::schema;
use crate::sip2::spec::{self, CodeTable};
use crate::sip2::{Encoding, Terminator};

/// The shipped fixture (SIPtest.pm's data plus the spec suite's patrons and items).
pub const BUILTIN_YAML: &str = include_str!("../../fixtures/library.yaml");

/// An emulator library file: institutions, SIP accounts, patrons, items, loans and holds.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FileLibrary {
    /// The institutions (AO); the first one answers before a login.
    institutions: Vec<FileInstitution>,
    /// The SIP logins (93) the emulator accepts.
    accounts: Vec<FileAccount>,
    /// The patrons.
    #[serde(default)]
    patrons: Vec<FilePatron>,
    /// The items.
    #[serde(default)]
    items: Vec<FileItem>,
    /// Items on loan at the start.
    #[serde(default)]
    loans: Vec<FileLoan>,
    /// Holds; each item's queue is in file order.
    #[serde(default)]
    holds: Vec<FileHold>,
}

/// An institution (AO).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FileInstitution {
    /// AO.
    id: String,
    /// Library name (AM in 98).
    name: String,
    /// ISO 4217 currency (BH), 3 upper-case letters.
    #[serde(default = "usd")]
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    currency: String,
    /// Circulation policy; every key is optional.
    #[serde(default)]
    policy: FilePolicy,
}

fn usd() -> String {
    "USD".into()
}

/// An institution's circulation policy.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
struct FilePolicy {
    /// Checkin allowed (98 and BX).
    checkin: bool,
    /// Checkout allowed.
    checkout: bool,
    /// Renewal allowed (98 "ACS renewal policy", BX renew and renew all).
    renewal: bool,
    /// Item status update allowed.
    status_update: bool,
    /// Offline (store and forward) allowed.
    offline: bool,
    /// 98 timeout period, tenths of a second (0-999).
    #[schemars(range(max = 999))]
    timeout: u16,
    /// 98 retries allowed (0-999).
    #[schemars(range(max = 999))]
    retries: u16,
    /// The supported requests (names or codes); default: all 16. Login, SC status and resend
    /// are always supported.
    #[schemars(schema_with = "supported_schema")]
    supported: Option<Vec<String>>,
    /// Loan period in days.
    loan_days: i64,
    /// Renewals allowed per loan.
    renewal_limit: u32,
    /// Days a placed hold stays valid.
    hold_days: i64,
    /// Overdue fine per day late.
    overdue_fine: Amount,
    /// A balance above this means excessive fines (default: none).
    fine_limit: Option<Amount>,
    /// The answer to unsupported messages: ignore, or resend (a 96).
    #[schemars(schema_with = "unsupported_schema")]
    unsupported: String,
}

impl Default for FilePolicy {
    fn default() -> Self {
        FilePolicy {
            checkin: true,
            checkout: true,
            renewal: true,
            status_update: true,
            offline: false,
            timeout: 30,
            retries: 3,
            supported: None,
            loan_days: 14,
            renewal_limit: 5,
            hold_days: 180,
            overdue_fine: Amount::Text("0.25".into()),
            fine_limit: None,
            unsupported: "ignore".into(),
        }
    }
}

/// An amount written as text ("5.00") or a YAML number (5.0).
#[derive(Deserialize, Clone, JsonSchema)]
#[serde(untagged)]
enum Amount {
    /// Text such as "5.00" (at most two decimals).
    Text(String),
    /// A number such as 5.0.
    Number(f64),
}

impl Amount {
    fn money(&self) -> Option<Money> {
        match self {
            Amount::Text(s) => Money::parse(s),
            Amount::Number(n) if *n >= 0.0 && *n < 1e12 => Some(Money((n * 100.0).round() as i64)),
            Amount::Number(_) => None,
        }
    }

    fn show(&self) -> String {
        match self {
            Amount::Text(s) => s.clone(),
            Amount::Number(n) => n.to_string(),
        }
    }
}

/// A SIP login (93) the emulator accepts.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FileAccount {
    /// CN.
    login: String,
    /// CO.
    password: String,
    /// The institution (AO) its sessions answer for; one under institutions:.
    institution: String,
    /// The terminal location (CP; AN in 98); default: the institution.
    #[serde(default)]
    location: String,
    /// How this account's sessions speak; unset knobs come from `serve`.
    #[serde(default)]
    dialect: FileDialect,
}

/// An account's dialect: a preset and knobs over it.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields, default)]
struct FileDialect {
    /// A system's bundle of knobs (`serve --dialect`).
    #[schemars(schema_with = "preset_schema")]
    preset: Option<String>,
    /// Terminator of responses.
    #[schemars(schema_with = "terminator_schema")]
    terminator: Option<String>,
    /// Character encoding of the wire.
    #[schemars(schema_with = "encoding_schema")]
    encoding: Option<String>,
    /// Refuse everything but a 93 (or 97) before a successful login.
    login_required: Option<bool>,
    /// Error detection (AY/AZ) on responses.
    #[schemars(schema_with = "on_off_schema")]
    error_detection: Option<OnOff>,
    /// Answer a request with a bad checksum by 96.
    resend_checksum: Option<bool>,
    /// A 96 without AY/AZ.
    bare_resend: Option<bool>,
    /// The answer to a message code the emulator has no handler for.
    #[schemars(schema_with = "knob::<UnknownMessage>")]
    unknown_message: Option<String>,
    /// Answer in the protocol version the SC's 99 names.
    follow_protocol_version: Option<bool>,
    /// The order of tagged fields in responses.
    #[schemars(schema_with = "knob::<FieldOrder>")]
    field_order: Option<String>,
    /// The magnetic media flag of 12, 30 and 10.
    #[schemars(schema_with = "knob::<MagneticMedia>")]
    magnetic_media: Option<String>,
    /// The desensitize flag of a 30 Renew Response.
    #[schemars(schema_with = "knob::<RenewalDesensitize>")]
    renewal_desensitize: Option<String>,
    /// A 09 Checkin of a known item that is not on loan.
    #[schemars(schema_with = "knob::<CheckinNotOnLoan>")]
    checkin_not_on_loan: Option<String>,
    /// AJ of a refused 10 Checkin Response.
    #[schemars(schema_with = "knob::<RefusedCheckinTitle>")]
    refused_checkin_title: Option<String>,
    /// AA of a 10 Checkin Response (the patron who had the item).
    checkin_patron: Option<bool>,
    /// An 11 Checkout of an item the patron already has.
    #[schemars(schema_with = "knob::<SecondCheckout>")]
    second_checkout: Option<String>,
    /// BL (valid patron) in 12 and 30.
    #[schemars(schema_with = "knob::<ChargeBl>")]
    charge_bl: Option<String>,
    /// The language of a 24 or 64 about a patron the library does not know.
    #[schemars(schema_with = "knob::<UnknownPatronLanguage>")]
    unknown_patron_language: Option<String>,
    /// PB, PC, PI and AQ in 64.
    patron_extensions: Option<bool>,
    /// The security marker of an 18: the item's (item), or always this code.
    #[schemars(schema_with = "security_marker_schema")]
    security_marker: Option<String>,
}

/// `on`/`off` as text, or a YAML boolean.
#[derive(Deserialize)]
#[serde(untagged)]
enum OnOff {
    Bool(bool),
    Text(String),
}

/// A patron.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FilePatron {
    /// AA; quote barcodes that look like numbers.
    barcode: String,
    /// AD (patron password / PIN).
    #[serde(default)]
    pin: String,
    /// AE.
    name: String,
    /// BD.
    #[serde(default)]
    address: String,
    /// BE.
    #[serde(default)]
    email: String,
    /// BF.
    #[serde(default)]
    phone: String,
    /// PB (YYYYMMDD).
    #[serde(default)]
    birthday: String,
    /// PC (patron class / type).
    #[serde(default)]
    class: String,
    /// PI (internet profile).
    #[serde(default)]
    inet: String,
    /// AQ in 64; default: the first institution.
    #[serde(default)]
    home_library: String,
    /// Card expiry, YYYYMMDD (informational).
    #[serde(default)]
    expires: String,
    /// Preferred language (a 3-digit language code).
    #[serde(default = "english")]
    #[schemars(schema_with = "language_schema")]
    language: String,
    /// Patron status positions set by the library, by name.
    #[serde(default)]
    #[schemars(schema_with = "flags_schema")]
    flags: Vec<String>,
    /// Limits of what the patron may have.
    #[serde(default)]
    limits: FileLimits,
    /// Fees the patron owes.
    #[serde(default)]
    fees: Vec<FileFee>,
}

fn english() -> String {
    "001".into()
}

/// A patron's limits.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
struct FileLimits {
    /// Most items on loan at once (CB).
    charge: u32,
    /// Overdue items allowed before "too many items overdue" (CA).
    overdue: u32,
    /// Holds allowed (BZ).
    hold: u32,
}

impl Default for FileLimits {
    fn default() -> Self {
        FileLimits {
            charge: 50,
            overdue: 10,
            hold: 20,
        }
    }
}

/// A fee a patron owes.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FileFee {
    /// CG fee identifier, unique in the file.
    id: String,
    /// Fee type (2 digits).
    #[serde(rename = "type", default = "other_fee")]
    #[schemars(schema_with = "fee_type_schema")]
    kind: String,
    /// What is owed.
    amount: Amount,
    /// The item it is for (a barcode under items:).
    item: Option<String>,
    /// Text for AV / AF.
    #[serde(default)]
    description: String,
}

fn other_fee() -> String {
    "01".into()
}

/// An item.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FileItem {
    /// AB; quote barcodes that look like numbers.
    barcode: String,
    /// AJ.
    title: String,
    /// Author (informational).
    #[serde(default)]
    author: String,
    /// BG owner institution.
    owner: String,
    /// AQ permanent location; default: the owner.
    permanent_location: Option<String>,
    /// AP current location; default: the owner.
    current_location: Option<String>,
    /// Call number (informational, printed in AF of 18).
    #[serde(default)]
    call_number: String,
    /// CK media type (3 digits).
    #[serde(default = "book")]
    #[schemars(schema_with = "media_schema")]
    media: String,
    /// Circulation status when not on loan (04 and 05 come from loans:, 08 needs a ready hold).
    #[serde(default = "available")]
    #[schemars(schema_with = "status_schema")]
    status: String,
    /// Security marker (2 digits).
    #[serde(default = "no_marker")]
    #[schemars(schema_with = "security_schema")]
    security: String,
    /// Fee type (2 digits) of the item's fee.
    #[serde(default = "other_fee")]
    #[schemars(schema_with = "fee_type_schema")]
    fee_type: String,
    /// A fee charged at checkout (rental).
    fee: Option<Amount>,
    /// Magnetic media (12/10 "magnetic media").
    #[serde(default)]
    magnetic: bool,
    /// CH item properties (19 stores them).
    #[serde(default)]
    properties: String,
}

fn book() -> String {
    "001".into()
}
fn available() -> String {
    "03".into()
}
fn no_marker() -> String {
    "01".into()
}

/// A loan at the start.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FileLoan {
    /// The item (a barcode under items:).
    item: String,
    /// The patron (a barcode under patrons:).
    patron: String,
    /// Days until it is due; negative: overdue.
    #[serde(default = "fortnight")]
    due_in_days: i64,
    /// Renewals so far.
    #[serde(default)]
    renewals: u32,
}

fn fortnight() -> i64 {
    14
}

/// A hold in an item's queue.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FileHold {
    /// The item (a barcode under items:).
    item: String,
    /// The patron (a barcode under patrons:).
    patron: String,
    /// BS pickup location; default: the patron's home library.
    pickup: Option<String>,
    /// BY hold type (1 digit).
    #[serde(rename = "type", default = "any_copy")]
    #[schemars(schema_with = "hold_type_schema")]
    kind: String,
    /// The item is on the hold shelf for this hold (status 08).
    #[serde(default)]
    ready: bool,
}

fn any_copy() -> String {
    "2".into()
}

/// The JSON Schema of a library file (`sip2check schema library`).
pub(crate) fn schema() -> serde_json::Value {
    schema::root::<FileLibrary>("sip2check library")
}

fn supported_schema(_: &mut SchemaGenerator) -> Schema {
    let request = schema::message_names(|m| spec::supported_position(m.code).is_some(), &[]);
    json_schema!({ "type": ["array", "null"], "items": request })
}

fn unsupported_schema(_: &mut SchemaGenerator) -> Schema {
    schema::names(Unsupported::NAMES.iter().map(|(n, _)| (*n, "")), [])
}

fn preset_schema(_: &mut SchemaGenerator) -> Schema {
    schema::systems(|s| Dialect::preset(s).is_ok())
}

fn terminator_schema(_: &mut SchemaGenerator) -> Schema {
    schema::terminators()
}

fn encoding_schema(_: &mut SchemaGenerator) -> Schema {
    schema::encodings()
}

fn on_off_schema(_: &mut SchemaGenerator) -> Schema {
    let words = ON_OFF.iter().map(|(w, _)| *w);
    let text = schema::names(words.clone().map(|w| (w, "")), words);
    json_schema!({ "anyOf": [{ "type": "boolean" }, text] })
}

/// A dialect knob's names, in any case.
fn knob<K: Knob>(_: &mut SchemaGenerator) -> Schema {
    let names = K::ALL.iter().map(|k| k.name());
    schema::names(names.clone().map(|n| (n, "")), names)
}

fn security_marker_schema(_: &mut SchemaGenerator) -> Schema {
    let codes = schema::codes(&spec::SECURITY_MARKER);
    let item = schema::names([("item", "the item's own marker")], ["item"]);
    json_schema!({ "anyOf": [item, codes] })
}

fn language_schema(_: &mut SchemaGenerator) -> Schema {
    schema::codes(&spec::LANGUAGE)
}

fn flags_schema(_: &mut SchemaGenerator) -> Schema {
    let flag = schema::names(FLAG_NAMES.iter().map(|n| (*n, "")), []);
    json_schema!({ "type": "array", "items": flag })
}

fn fee_type_schema(_: &mut SchemaGenerator) -> Schema {
    schema::codes(&spec::FEE_TYPE)
}

fn media_schema(_: &mut SchemaGenerator) -> Schema {
    schema::codes(&spec::MEDIA_TYPE)
}

fn status_schema(_: &mut SchemaGenerator) -> Schema {
    let table = &spec::CIRCULATION_STATUS;
    // 04 and 05 (charged) come from loans:, so the file refuses them here.
    let codes = table
        .values
        .iter()
        .copied()
        .filter(|(code, _)| !matches!(*code, "04" | "05"));
    let mut s = schema::names(codes, []);
    s.insert(
        "description".into(),
        format!("a {} code", table.name).into(),
    );
    s
}

fn security_schema(_: &mut SchemaGenerator) -> Schema {
    schema::codes(&spec::SECURITY_MARKER)
}

fn hold_type_schema(_: &mut SchemaGenerator) -> Schema {
    schema::codes(&spec::HOLD_TYPE)
}

/// Collects the first problem with its line.
struct Checker<'a> {
    file: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    /// An error at the first line mentioning `needle` (the offending value).
    fn err(&self, needle: &str, message: String) -> LibraryError {
        LibraryError::Invalid {
            file: self.file.to_string(),
            line: line_of(self.text, needle),
            message,
        }
    }

    fn code(&self, table: &CodeTable, value: &str, what: &str) -> Result<(), LibraryError> {
        if table.meaning(value).is_some() {
            return Ok(());
        }
        let known: Vec<&str> = table.values.iter().map(|(c, _)| *c).collect();
        Err(self.err(
            value,
            format!(
                "{what} {value:?} is not a {} code; use one of {}",
                table.name,
                known.join(" ")
            ),
        ))
    }
}

/// The line of the first place `needle` appears as a value (`: X`, `: "X"`, `[X`, `, X`), else
/// anywhere; 0 when it does not appear.
fn line_of(text: &str, needle: &str) -> usize {
    if needle.is_empty() {
        return 0;
    }
    let as_value = |l: &str| {
        [": ", ": \"", "[", ", ", "[\"", ", \""].iter().any(|p| {
            l.match_indices(&format!("{p}{needle}")).any(|(i, m)| {
                let next = l.get(i + m.len()..).and_then(|r| r.chars().next());
                next.is_none_or(|c| matches!(c, '"' | ',' | ' ' | '}' | ']' | '#'))
            })
        })
    };
    text.lines()
        .position(as_value)
        .or_else(|| text.lines().position(|l| l.contains(needle)))
        .map_or(0, |i| i + 1)
}

fn parse_knob<T: std::str::FromStr<Err = String>>(
    c: &Checker,
    value: &Option<String>,
    what: &str,
) -> Result<Option<T>, LibraryError> {
    value
        .as_deref()
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| c.err(v, format!("dialect {what}: {e}")))
        })
        .transpose()
}

/// An account's `dialect:`: its knobs over its preset's.
fn account_dialect(c: &Checker, d: &FileDialect) -> Result<Dialect, LibraryError> {
    let preset = match &d.preset {
        None => Dialect::default(),
        Some(name) => {
            dialect::parse_preset(name).map_err(|e| c.err(name, format!("dialect preset: {e}")))?
        }
    };
    let knobs = Dialect {
        terminator: parse_knob::<Terminator>(c, &d.terminator, "terminator")?,
        encoding: parse_knob::<Encoding>(c, &d.encoding, "encoding")?,
        login_required: d.login_required,
        // What happens before a login cannot depend on the account that logs in.
        before_login: None,
        login_attempts: None,
        error_detection: match &d.error_detection {
            None => None,
            Some(OnOff::Bool(b)) => Some(*b),
            Some(OnOff::Text(v)) => Some(
                dialect::parse_on_off(v)
                    .map_err(|e| c.err(v, format!("dialect error_detection: {e}")))?,
            ),
        },
        resend_checksum: d.resend_checksum,
        bare_resend: d.bare_resend,
        unknown_message: parse_knob(c, &d.unknown_message, "unknown_message")?,
        follow_protocol_version: d.follow_protocol_version,
        field_order: parse_knob(c, &d.field_order, "field_order")?,
        magnetic_media: parse_knob(c, &d.magnetic_media, "magnetic_media")?,
        renewal_desensitize: parse_knob(c, &d.renewal_desensitize, "renewal_desensitize")?,
        checkin_not_on_loan: parse_knob(c, &d.checkin_not_on_loan, "checkin_not_on_loan")?,
        refused_checkin_title: parse_knob(c, &d.refused_checkin_title, "refused_checkin_title")?,
        checkin_patron: d.checkin_patron,
        second_checkout: parse_knob(c, &d.second_checkout, "second_checkout")?,
        charge_bl: parse_knob(c, &d.charge_bl, "charge_bl")?,
        unknown_patron_language: parse_knob(
            c,
            &d.unknown_patron_language,
            "unknown_patron_language",
        )?,
        patron_extensions: d.patron_extensions,
        security_marker: parse_knob(c, &d.security_marker, "security_marker")?,
    };
    Ok(knobs.over(&preset))
}

impl Library {
    /// Reads a library YAML file; errors name the file, the line and what to fix.
    pub fn load(path: &Path) -> Result<Library, LibraryError> {
        let text = crate::input::read_text(path).map_err(|e| LibraryError::Read {
            path: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, e.problem),
        })?;
        Library::from_yaml(&path.display().to_string(), &text)
    }

    /// The shipped fixture `fixtures/library.yaml`, embedded in the binary.
    pub fn builtin() -> Library {
        match Library::from_yaml("fixtures/library.yaml", BUILTIN_YAML) {
            Ok(lib) => lib,
            // The unit test `builtin_fixture_loads` proves this arm unreachable for the shipped file.
            Err(e) => unreachable!("the embedded fixtures/library.yaml is invalid: {e}"),
        }
    }

    /// Parses library YAML; `file` names it in errors.
    pub fn from_yaml(file: &str, text: &str) -> Result<Library, LibraryError> {
        let c = Checker { file, text };
        let raw: FileLibrary = serde_yaml::from_str(text).map_err(|e| LibraryError::Invalid {
            file: file.to_string(),
            line: e.location().map_or(0, |l| l.line()),
            message: format!(
                "{e}; see the README section \"The reference ACS emulator\" for the format"
            ),
        })?;
        let institutions = raw
            .institutions
            .into_iter()
            .map(|i| institution(&c, i))
            .collect::<Result<Vec<_>, _>>()?;
        if institutions.is_empty() {
            return Err(c.err(
                "institutions",
                "the library has no institution; add one under institutions:".into(),
            ));
        }
        let known_inst = |id: &str| institutions.iter().any(|i| i.id == id);
        let mut accounts = Vec::new();
        for a in raw.accounts {
            if !known_inst(&a.institution) {
                return Err(c.err(
                    &a.institution,
                    format!(
                        "account {:?} names institution {:?}, which is not under institutions:",
                        a.login, a.institution
                    ),
                ));
            }
            if accounts.iter().any(|x: &Account| x.login == a.login) {
                return Err(c.err(&a.login, format!("account {:?} is listed twice", a.login)));
            }
            let dialect = account_dialect(&c, &a.dialect)?;
            accounts.push(Account {
                login: a.login,
                password: a.password,
                location: if a.location.is_empty() {
                    a.institution.clone()
                } else {
                    a.location
                },
                institution: a.institution,
                dialect,
            });
        }
        let default_inst = institutions
            .first()
            .map(|i| i.id.clone())
            .unwrap_or_default();
        let mut lib = Library {
            accounts,
            institutions,
            patrons: HashMap::new(),
            items: HashMap::new(),
            loans: HashMap::new(),
            holds: HashMap::new(),
            fees: Vec::new(),
            next_id: 1,
        };
        for it in raw.items {
            let item = item(&c, it, &default_inst)?;
            if lib.items.contains_key(&item.barcode) {
                return Err(c.err(
                    &item.barcode,
                    format!("item {:?} is listed twice", item.barcode),
                ));
            }
            lib.items.insert(item.barcode.clone(), item);
        }
        for p in raw.patrons {
            let (patron, fees) = patron(&c, p, &default_inst)?;
            if lib.patrons.contains_key(&patron.barcode) {
                return Err(c.err(
                    &patron.barcode,
                    format!("patron {:?} is listed twice", patron.barcode),
                ));
            }
            for f in &fees {
                if lib.fees.iter().any(|x| x.id == f.id) {
                    return Err(c.err(&f.id, format!("fee id {:?} is used twice", f.id)));
                }
            }
            lib.fees.extend(fees);
            lib.patrons.insert(patron.barcode.clone(), patron);
        }
        let now = chrono::Local::now().naive_local();
        for l in raw.loans {
            lib.check_refs(&c, &l.item, &l.patron, "loan")?;
            if lib.loans.contains_key(&l.item) {
                return Err(c.err(&l.item, format!("item {:?} is on loan twice", l.item)));
            }
            lib.loans.insert(
                l.item,
                Loan {
                    patron: l.patron,
                    due: now + chrono::Duration::days(l.due_in_days.clamp(-36500, 36500)),
                    renewals: l.renewals,
                },
            );
        }
        for h in raw.holds {
            lib.check_refs(&c, &h.item, &h.patron, "hold")?;
            c.code(&spec::HOLD_TYPE, &h.kind, "hold type")?;
            let pickup = h.pickup.unwrap_or_else(|| {
                lib.patrons
                    .get(&h.patron)
                    .map(|p| p.home_library.clone())
                    .unwrap_or_default()
            });
            let days = lib.institutions.first().map_or(180, |i| i.policy.hold_days);
            lib.holds.entry(h.item).or_default().push(Hold {
                patron: h.patron,
                pickup,
                kind: h.kind,
                expires: crate::sip2::date::format(
                    &(chrono::Local::now() + chrono::Duration::days(days)),
                ),
                ready: h.ready,
            });
        }
        // A status of 08 (on the hold shelf) is derived from a ready hold, so it needs one.
        for item in lib.items.values_mut() {
            if item.status == "08" {
                let ready = lib
                    .holds
                    .get(&item.barcode)
                    .is_some_and(|q| q.iter().any(|h| h.ready));
                if !ready {
                    return Err(c.err(
                        &item.barcode,
                        format!(
                            "item {:?} has status 08 (waiting on hold shelf) but no hold with ready: true; add one under holds:",
                            item.barcode
                        ),
                    ));
                }
                item.status = "03".into();
            }
        }
        Ok(lib)
    }

    fn check_refs(
        &self,
        c: &Checker,
        item: &str,
        patron: &str,
        what: &str,
    ) -> Result<(), LibraryError> {
        if !self.items.contains_key(item) {
            return Err(c.err(
                item,
                format!("{what} names item {item:?}, which is not under items:"),
            ));
        }
        if !self.patrons.contains_key(patron) {
            return Err(c.err(
                patron,
                format!("{what} names patron {patron:?}, which is not under patrons:"),
            ));
        }
        Ok(())
    }
}

fn institution(c: &Checker, i: FileInstitution) -> Result<Institution, LibraryError> {
    let p = i.policy;
    if i.currency.len() != 3 || !i.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(c.err(
            &i.currency,
            format!(
                "currency {:?} must be a 3-letter ISO 4217 code such as USD",
                i.currency
            ),
        ));
    }
    if p.timeout > 999 || p.retries > 999 {
        return Err(c.err(
            "timeout",
            "policy timeout and retries are 3-digit numbers (0-999)".into(),
        ));
    }
    let supported = match &p.supported {
        None => [true; 16],
        Some(names) => {
            let mut s = [false; 16];
            for n in names {
                let pos = spec::message_by_name(n)
                    .filter(|m| m.direction == spec::Direction::ScToAcs)
                    .and_then(|m| spec::supported_position(m.code))
                    .ok_or_else(|| {
                        c.err(
                            n,
                            format!(
                                "supported: {n:?} is not a request message; use names such as checkout, hold, renew_all or codes such as 11"
                            ),
                        )
                    })?;
                if let Some(slot) = s.get_mut(pos) {
                    *slot = true;
                }
            }
            s
        }
    };
    let money = |a: &Amount, what: &str| {
        a.money().ok_or_else(|| {
            c.err(
                &a.show(),
                format!("{what} {:?} is not an amount such as 5.00", a.show()),
            )
        })
    };
    let unsupported = Unsupported::NAMES
        .iter()
        .find(|(name, _)| *name == p.unsupported)
        .map(|(_, u)| *u)
        .ok_or_else(|| {
            c.err(
                &p.unsupported,
                format!("unsupported: {:?} must be ignore or resend", p.unsupported),
            )
        })?;
    Ok(Institution {
        id: i.id,
        name: i.name,
        currency: i.currency,
        policy: Policy {
            checkin: p.checkin,
            checkout: p.checkout,
            renewal: p.renewal,
            status_update: p.status_update,
            offline: p.offline,
            timeout: p.timeout,
            retries: p.retries,
            supported,
            loan_days: p.loan_days.clamp(0, 36500),
            renewal_limit: p.renewal_limit,
            hold_days: p.hold_days.clamp(0, 36500),
            overdue_fine: money(&p.overdue_fine, "overdue_fine")?,
            fine_limit: p
                .fine_limit
                .as_ref()
                .map(|a| money(a, "fine_limit"))
                .transpose()?,
            unsupported,
        },
    })
}

fn item(c: &Checker, it: FileItem, default_inst: &str) -> Result<Item, LibraryError> {
    if it.barcode.is_empty() {
        return Err(c.err("barcode: \"\"", "an item has an empty barcode".into()));
    }
    c.code(&spec::CIRCULATION_STATUS, &it.status, "status")?;
    c.code(&spec::SECURITY_MARKER, &it.security, "security")?;
    c.code(&spec::FEE_TYPE, &it.fee_type, "fee_type")?;
    c.code(&spec::MEDIA_TYPE, &it.media, "media")?;
    if it.status == "04" || it.status == "05" {
        return Err(c.err(
            &it.barcode,
            format!(
                "item {:?}: status {} (charged) comes from a loan; list the item under loans: instead",
                it.barcode, it.status
            ),
        ));
    }
    let fee = it
        .fee
        .as_ref()
        .map(|a| {
            a.money().ok_or_else(|| {
                c.err(
                    &a.show(),
                    format!(
                        "item {:?}: fee {:?} is not an amount such as 1.50",
                        it.barcode,
                        a.show()
                    ),
                )
            })
        })
        .transpose()?;
    let owner = if it.owner.is_empty() {
        default_inst.to_string()
    } else {
        it.owner
    };
    Ok(Item {
        permanent_location: it.permanent_location.unwrap_or_else(|| owner.clone()),
        current_location: it.current_location.unwrap_or_else(|| owner.clone()),
        barcode: it.barcode,
        title: it.title,
        author: it.author,
        owner,
        call_number: it.call_number,
        media: it.media,
        status: it.status,
        security: it.security,
        fee_type: it.fee_type,
        fee,
        magnetic: it.magnetic,
        properties: it.properties,
    })
}

fn patron(
    c: &Checker,
    p: FilePatron,
    default_inst: &str,
) -> Result<(Patron, Vec<Fee>), LibraryError> {
    if p.barcode.is_empty() {
        return Err(c.err("barcode: \"\"", "a patron has an empty barcode".into()));
    }
    c.code(&spec::LANGUAGE, &p.language, "language")?;
    let mut flags = [false; 14];
    for f in &p.flags {
        let i = FLAG_NAMES.iter().position(|n| n == f).ok_or_else(|| {
            c.err(
                f,
                format!(
                    "patron {:?}: unknown flag {f:?}; use one of {}",
                    p.barcode,
                    FLAG_NAMES.join(", ")
                ),
            )
        })?;
        if let Some(slot) = flags.get_mut(i) {
            *slot = true;
        }
    }
    let mut fees = Vec::new();
    for f in p.fees {
        c.code(&spec::FEE_TYPE, &f.kind, "fee type")?;
        let amount = f.amount.money().ok_or_else(|| {
            c.err(
                &f.amount.show(),
                format!(
                    "fee {:?}: amount {:?} is not an amount such as 5.00",
                    f.id,
                    f.amount.show()
                ),
            )
        })?;
        fees.push(Fee {
            id: f.id,
            patron: p.barcode.clone(),
            kind: f.kind,
            amount,
            item: f.item,
            description: f.description,
        });
    }
    let home = if p.home_library.is_empty() {
        default_inst.to_string()
    } else {
        p.home_library
    };
    Ok((
        Patron {
            barcode: p.barcode,
            pin: p.pin,
            name: p.name,
            address: p.address,
            email: p.email,
            phone: p.phone,
            birthday: p.birthday,
            class: p.class,
            inet: p.inet,
            home_library: home,
            expires: p.expires,
            language: p.language,
            flags,
            block_message: None,
            card_retained: false,
            charge_limit: p.limits.charge,
            overdue_limit: p.limits.overdue,
            hold_limit: p.limits.hold,
        },
        fees,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_fixture_loads_with_the_seed_data() {
        let lib = Library::from_yaml("fixtures/library.yaml", BUILTIN_YAML).unwrap();
        let p = &lib.patrons["999999"];
        assert_eq!(
            (p.pin.as_str(), p.name.as_str()),
            ("6789", "David J. Fiander")
        );
        assert_eq!(lib.items["660"].title, "Harry Potter y el cáliz de fuego");
        assert_eq!(
            lib.institution("BR1").map(|i| i.name.as_str()),
            Some("Example Public Library")
        );
        for login in ["sip_01", "sip_crlf", "sip_ed", "sip_cp850", "sip_latin1"] {
            assert_eq!(lib.account(login).map(|a| a.password.as_str()), Some(login));
        }
        assert_eq!(
            lib.account("sip_crlf").unwrap().dialect.terminator,
            Some(Terminator::CrLf)
        );
        assert_eq!(
            lib.account("sip_ed").unwrap().dialect.error_detection,
            Some(true)
        );
        for unknown in [
            "bad_barcode",
            "wshakespeare",
            "bad_userid",
            "berick",
            "no_such_user",
        ] {
            assert!(!lib.patrons.contains_key(unknown));
        }
        for unknown in ["no-barcode", "bad-item", "nosuchitem"] {
            assert!(!lib.items.contains_key(unknown));
        }
        assert_eq!(Library::builtin().patrons.len(), lib.patrons.len());
    }

    fn error_of(yaml: &str) -> String {
        Library::from_yaml("lib.yaml", yaml)
            .unwrap_err()
            .to_string()
    }

    const HEAD: &str = "institutions:\n  - { id: BR1, name: L }\naccounts:\n  - { login: a, password: b, institution: BR1 }\n";

    #[test]
    fn an_account_dialect_is_its_knobs_over_its_preset() {
        use crate::acs::dialect::{ChargeBl, SecurityMarker};
        use crate::sip2::System;
        let lib = Library::from_yaml(
            "lib.yaml",
            "institutions:\n  - { id: BR1, name: L }\naccounts:\n  - { login: a, password: b, institution: BR1, dialect: { preset: folio, charge_bl: always, security_marker: \"00\" } }\n",
        )
        .unwrap();
        let d = &lib.accounts[0].dialect;
        let folio = Dialect::preset(System::Folio).unwrap();
        assert_eq!(d.charge_bl, Some(ChargeBl::Always));
        assert_eq!(d.security_marker, Some(SecurityMarker::Code("00")));
        assert_eq!(d.encoding, folio.encoding);
        assert_eq!(d.magnetic_media, folio.magnetic_media);
    }

    #[test]
    fn lines_point_at_the_value_not_a_substring() {
        let text = "a: PP\nb: P\nc: [x, P]\n";
        assert_eq!(line_of(text, "P"), 2);
        assert_eq!(line_of("a: [x, \"Q\"]\n", "Q"), 1);
        assert_eq!(line_of(text, "nowhere"), 0);
    }

    #[test]
    fn mistakes_name_the_line_and_the_fix() {
        let e = error_of(&format!(
            "{HEAD}items:\n  - {{ barcode: X, title: T, owner: BR1, status: \"99\" }}\n"
        ));
        assert!(
            e.starts_with("lib.yaml:6: status \"99\" is not a circulation status code"),
            "{e}"
        );
        let e = error_of(&format!("{HEAD}loans:\n  - {{ item: NOPE, patron: P }}\n"));
        assert!(e.starts_with("lib.yaml:6: loan names item \"NOPE\""), "{e}");
        let e = error_of("institutions:\n  - { id: BR1, name: L, colour: red }\naccounts: []\n");
        assert!(e.starts_with("lib.yaml:2:") && e.contains("colour"), "{e}");
        let e = error_of(
            "institutions:\n  - { id: BR1, name: L }\naccounts:\n  - { login: a, password: b, institution: XX }\n",
        );
        assert!(e.starts_with("lib.yaml:4:") && e.contains("\"XX\""), "{e}");
        let e = error_of(&format!(
            "{HEAD}patrons:\n  - {{ barcode: P, name: N, flags: [grumpy] }}\n"
        ));
        assert!(
            e.contains("unknown flag \"grumpy\"") && e.contains("charge_denied"),
            "{e}"
        );
        let e = error_of(&format!(
            "{HEAD}items:\n  - {{ barcode: H, title: T, owner: BR1, status: \"08\" }}\n"
        ));
        assert!(e.contains("no hold with ready: true"), "{e}");
        let e = error_of(
            "institutions:\n  - { id: BR1, name: L }\naccounts:\n  - { login: a, password: b, institution: BR1,\n      dialect: { preset: polaris } }\n",
        );
        assert!(
            e.starts_with("lib.yaml:5: dialect preset: the emulator has no Polaris preset"),
            "{e}"
        );
        let e = error_of(
            "institutions:\n  - { id: BR1, name: L }\naccounts:\n  - { login: a, password: b, institution: BR1, dialect: { second_checkout: twice } }\n",
        );
        assert!(
            e.contains("lib.yaml:4: dialect second_checkout: unknown second checkout rule")
                && e.contains("renew_if_asked, renew, refuse"),
            "{e}"
        );
        let e = Library::load(Path::new("/nonexistent/lib.yaml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("/nonexistent/lib.yaml"), "{e}");
    }
}
