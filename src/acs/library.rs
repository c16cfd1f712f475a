//! The emulator's in-memory library: accounts, institutions and their policies, patrons, items,
//! loans, hold queues and fees, as plain data.
//!
//! `fixture.rs` loads it from YAML; `circulation.rs` holds the rules that change it.

use std::collections::HashMap;

use super::dialect::Dialect;

/// A library file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// The file could not be read.
    #[error("cannot read library file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid library.
    #[error("{file}:{line}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// The 1-based line (0 when unknown).
        line: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
}

/// An amount of money in hundredths (cents), so sums stay exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub i64);

impl Money {
    /// Reads "5", "5.5" or "5.00" (at most two decimals, not negative).
    pub fn parse(s: &str) -> Option<Money> {
        let s = s.trim();
        let (units, frac) = s.split_once('.').unwrap_or((s, ""));
        if units.is_empty() && frac.is_empty() {
            return None;
        }
        if !units.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if frac.len() > 2 || units.len() > 12 {
            return None;
        }
        let units: i64 = if units.is_empty() {
            0
        } else {
            units.parse().ok()?
        };
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        Some(Money(units * 100 + cents))
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// A SIP login the emulator accepts (93).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// CN.
    pub login: String,
    /// CO.
    pub password: String,
    /// The institution (AO) its sessions answer for.
    pub institution: String,
    /// The terminal location (CP; AN in 98).
    pub location: String,
    /// How sessions of this account speak (unset knobs come from `serve`).
    pub dialect: Dialect,
}

/// What the emulator does with a message it does not support (or the institution disallows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unsupported {
    /// No answer (the spec: receivers ignore what they do not understand).
    #[default]
    Ignore,
    /// Answer 96.
    Resend,
}

impl Unsupported {
    /// The names a library file's `unsupported:` takes.
    pub const NAMES: [(&'static str, Unsupported); 3] = [
        ("ignore", Unsupported::Ignore),
        ("resend", Unsupported::Resend),
        ("96", Unsupported::Resend),
    ];
}

/// An institution's circulation policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Checkin allowed (98 and BX).
    pub checkin: bool,
    /// Checkout allowed.
    pub checkout: bool,
    /// Renewal allowed (98 "ACS renewal policy", BX renew and renew all).
    pub renewal: bool,
    /// Item status update allowed.
    pub status_update: bool,
    /// Offline (store and forward) allowed.
    pub offline: bool,
    /// 98 timeout period in tenths of a second (0-999).
    pub timeout: u16,
    /// 98 retries allowed (0-999).
    pub retries: u16,
    /// BX position of each supported request (the emulator answers every one by default).
    pub supported: [bool; 16],
    /// Loan period in days.
    pub loan_days: i64,
    /// Renewals allowed per loan.
    pub renewal_limit: u32,
    /// Days a placed hold stays valid.
    pub hold_days: i64,
    /// Overdue fine per day late.
    pub overdue_fine: Money,
    /// Fees above this deny charge privileges (excessive outstanding fines).
    pub fine_limit: Option<Money>,
    /// Answer to unsupported messages.
    pub unsupported: Unsupported,
}

/// An institution (AO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Institution {
    /// AO.
    pub id: String,
    /// Library name (AM in 98).
    pub name: String,
    /// ISO 4217 currency (BH).
    pub currency: String,
    /// Circulation policy.
    pub policy: Policy,
}

/// A patron.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patron {
    /// AA.
    pub barcode: String,
    /// AD (patron password / PIN).
    pub pin: String,
    /// AE.
    pub name: String,
    /// BD.
    pub address: String,
    /// BE.
    pub email: String,
    /// BF.
    pub phone: String,
    /// PB (YYYYMMDD).
    pub birthday: String,
    /// PC (patron class / type).
    pub class: String,
    /// PI (internet profile).
    pub inet: String,
    /// AQ in 64.
    pub home_library: String,
    /// Card expiry, YYYYMMDD (informational).
    pub expires: String,
    /// Preferred language (3-digit code).
    pub language: String,
    /// The 14 patron status positions set by the library (blocks); counts-derived ones are added.
    pub flags: [bool; 14],
    /// The message of the last 01 Block Patron (AL).
    pub block_message: Option<String>,
    /// The card was retained by a self-check (01 card retained = Y).
    pub card_retained: bool,
    /// Most items on loan at once (CB).
    pub charge_limit: u32,
    /// Overdue items allowed before "too many items overdue" (CA).
    pub overdue_limit: u32,
    /// Holds allowed (BZ).
    pub hold_limit: u32,
}

/// An item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// AB.
    pub barcode: String,
    /// AJ.
    pub title: String,
    /// Author (informational).
    pub author: String,
    /// BG owner institution.
    pub owner: String,
    /// AQ permanent location.
    pub permanent_location: String,
    /// AP current location.
    pub current_location: String,
    /// Call number (informational, printed in AF of 18).
    pub call_number: String,
    /// CK media type (3 digits).
    pub media: String,
    /// Circulation status (2 digits) when not on loan.
    pub status: String,
    /// Security marker (2 digits).
    pub security: String,
    /// Fee type (2 digits) of the item's fee.
    pub fee_type: String,
    /// A fee charged at checkout (rental), if any.
    pub fee: Option<Money>,
    /// Magnetic media (12/10 "magnetic media").
    pub magnetic: bool,
    /// CH item properties (19 stores them).
    pub properties: String,
}

/// A loan of an item to a patron.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loan {
    /// The patron's barcode.
    pub patron: String,
    /// Due date and time (local).
    pub due: chrono::NaiveDateTime,
    /// Renewals so far.
    pub renewals: u32,
}

/// One hold in an item's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// The patron's barcode.
    pub patron: String,
    /// BS pickup location.
    pub pickup: String,
    /// BY hold type (1 digit).
    pub kind: String,
    /// BW expiration date (18-character SIP date).
    pub expires: String,
    /// The item is on the hold shelf for this hold.
    pub ready: bool,
}

/// A fee a patron owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    /// CG fee identifier.
    pub id: String,
    /// The patron's barcode.
    pub patron: String,
    /// Fee type (2 digits).
    pub kind: String,
    /// What is still owed.
    pub amount: Money,
    /// The item it is for, if any.
    pub item: Option<String>,
    /// Text for AV / AF.
    pub description: String,
}

/// The emulator's whole state: accounts, institutions, patrons, items, loans, holds and fees.
#[derive(Debug, Clone)]
pub struct Library {
    /// SIP accounts, in file order.
    pub accounts: Vec<Account>,
    /// Institutions, in file order (the first is the default before login).
    pub institutions: Vec<Institution>,
    /// Patrons by barcode.
    pub patrons: HashMap<String, Patron>,
    /// Items by barcode.
    pub items: HashMap<String, Item>,
    /// Loans by item barcode.
    pub loans: HashMap<String, Loan>,
    /// Hold queues by item barcode, first in line first.
    pub holds: HashMap<String, Vec<Hold>>,
    /// Outstanding fees, oldest first.
    pub fees: Vec<Fee>,
    /// Counter for fee and transaction identifiers.
    pub next_id: u64,
}

/// Names of the 14 patron status positions as the YAML writes them, in wire order.
pub const FLAG_NAMES: [&str; 14] = [
    "charge_denied",
    "renewal_denied",
    "recall_denied",
    "hold_denied",
    "card_lost",
    "too_many_charged",
    "too_many_overdue",
    "too_many_renewals",
    "too_many_claims",
    "too_many_lost",
    "excessive_fines",
    "excessive_fees",
    "recall_overdue",
    "too_many_billed",
];

impl Library {
    /// The institution with id `id`.
    pub fn institution(&self, id: &str) -> Option<&Institution> {
        self.institutions.iter().find(|i| i.id == id)
    }

    /// The account with login `login`.
    pub fn account(&self, login: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.login == login)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_exactly() {
        assert_eq!(Money::parse("5.00"), Some(Money(500)));
        assert_eq!(Money::parse("1.5"), Some(Money(150)));
        assert_eq!(Money::parse("3"), Some(Money(300)));
        assert_eq!(Money::parse(".25"), Some(Money(25)));
        for bad in ["", "-1", "1.234", "abc", "1e3", "."] {
            assert_eq!(Money::parse(bad), None, "{bad}");
        }
        assert_eq!(Money(1234).to_string(), "12.34");
    }
}
