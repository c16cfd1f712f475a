//! The library YAML format (`fixtures/library.yaml`) and its loader.
//!
//! serde types with `deny_unknown_fields`, then checks that need the whole file (references,
//! duplicates, code tables); every mistake is reported as `file:line: what is wrong, what to do`.
//! [`Library::builtin`] is the shipped fixture, embedded so `cargo test` and `sip2check run`
//! need no file.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::dialect::{self, Dialect};
use super::library::{
    Account, FLAG_NAMES, Fee, Hold, Institution, Item, Library, LibraryError, Loan, Money, Patron,
    Policy, Unsupported,
};
use crate::sip2::spec::{self, CodeTable};
use crate::sip2::{Encoding, Terminator};

/// The shipped fixture (SIPtest.pm's data plus the spec suite's patrons and items).
pub const BUILTIN_YAML: &str = include_str!("../../fixtures/library.yaml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLibrary {
    institutions: Vec<FileInstitution>,
    accounts: Vec<FileAccount>,
    #[serde(default)]
    patrons: Vec<FilePatron>,
    #[serde(default)]
    items: Vec<FileItem>,
    #[serde(default)]
    loans: Vec<FileLoan>,
    #[serde(default)]
    holds: Vec<FileHold>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileInstitution {
    id: String,
    name: String,
    #[serde(default = "usd")]
    currency: String,
    #[serde(default)]
    policy: FilePolicy,
}

fn usd() -> String {
    "USD".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FilePolicy {
    checkin: bool,
    checkout: bool,
    renewal: bool,
    status_update: bool,
    offline: bool,
    timeout: u16,
    retries: u16,
    supported: Option<Vec<String>>,
    loan_days: i64,
    renewal_limit: u32,
    hold_days: i64,
    overdue_fine: Amount,
    fine_limit: Option<Amount>,
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
#[derive(Deserialize, Clone)]
#[serde(untagged)]
enum Amount {
    Text(String),
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAccount {
    login: String,
    password: String,
    institution: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    dialect: FileDialect,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileDialect {
    preset: Option<String>,
    terminator: Option<String>,
    encoding: Option<String>,
    login_required: Option<bool>,
    error_detection: Option<OnOff>,
    resend_checksum: Option<bool>,
    bare_resend: Option<bool>,
    unknown_message: Option<String>,
    follow_protocol_version: Option<bool>,
    field_order: Option<String>,
    magnetic_media: Option<String>,
    renewal_desensitize: Option<String>,
    checkin_not_on_loan: Option<String>,
    refused_checkin_title: Option<String>,
    checkin_patron: Option<bool>,
    second_checkout: Option<String>,
    charge_bl: Option<String>,
    unknown_patron_language: Option<String>,
    patron_extensions: Option<bool>,
    security_marker: Option<String>,
}

/// `on`/`off` as text, or a YAML boolean.
#[derive(Deserialize)]
#[serde(untagged)]
enum OnOff {
    Bool(bool),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePatron {
    barcode: String,
    #[serde(default)]
    pin: String,
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    birthday: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    inet: String,
    #[serde(default)]
    home_library: String,
    #[serde(default)]
    expires: String,
    #[serde(default = "english")]
    language: String,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    limits: FileLimits,
    #[serde(default)]
    fees: Vec<FileFee>,
}

fn english() -> String {
    "001".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FileLimits {
    charge: u32,
    overdue: u32,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFee {
    id: String,
    #[serde(rename = "type", default = "other_fee")]
    kind: String,
    amount: Amount,
    item: Option<String>,
    #[serde(default)]
    description: String,
}

fn other_fee() -> String {
    "01".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileItem {
    barcode: String,
    title: String,
    #[serde(default)]
    author: String,
    owner: String,
    permanent_location: Option<String>,
    current_location: Option<String>,
    #[serde(default)]
    call_number: String,
    #[serde(default = "book")]
    media: String,
    #[serde(default = "available")]
    status: String,
    #[serde(default = "no_marker")]
    security: String,
    #[serde(default = "other_fee")]
    fee_type: String,
    fee: Option<Amount>,
    #[serde(default)]
    magnetic: bool,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLoan {
    item: String,
    patron: String,
    #[serde(default = "fortnight")]
    due_in_days: i64,
    #[serde(default)]
    renewals: u32,
}

fn fortnight() -> i64 {
    14
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileHold {
    item: String,
    patron: String,
    pickup: Option<String>,
    #[serde(rename = "type", default = "any_copy")]
    kind: String,
    #[serde(default)]
    ready: bool,
}

fn any_copy() -> String {
    "2".into()
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
    let unsupported = match p.unsupported.as_str() {
        "ignore" => Unsupported::Ignore,
        "resend" | "96" => Unsupported::Resend,
        other => {
            return Err(c.err(
                other,
                format!("unsupported: {other:?} must be ignore or resend"),
            ));
        }
    };
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
