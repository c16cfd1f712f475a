//! The circulation rules: what a checkout, checkin, renewal, hold, block or payment does to the
//! library, and why one is refused. No SIP here: the handlers turn these outcomes into messages.

use chrono::{Local, NaiveDateTime};

use super::library::{Fee, Hold, Library, Loan, Money, Patron};

/// Index of each patron status position (the spec's order).
pub mod flag {
    /// Charge privileges denied.
    pub const CHARGE: usize = 0;
    /// Renewal privileges denied.
    pub const RENEWAL: usize = 1;
    /// Recall privileges denied.
    pub const RECALL: usize = 2;
    /// Hold privileges denied.
    pub const HOLD: usize = 3;
    /// Card reported lost.
    pub const CARD_LOST: usize = 4;
    /// Too many items charged.
    pub const TOO_MANY_CHARGED: usize = 5;
    /// Too many items overdue.
    pub const TOO_MANY_OVERDUE: usize = 6;
    /// Excessive outstanding fines.
    pub const EXCESSIVE_FINES: usize = 10;
}

/// What a patron password (AD) check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Password {
    /// No AD: the terminal did not ask (operations go ahead, CQ is left out).
    NotGiven,
    /// `AD|`: nothing to validate (operations go ahead, CQ is N).
    Empty,
    /// AD matches the patron's PIN.
    Valid,
    /// AD does not match: operations are refused and CQ is N.
    Invalid,
}

impl Password {
    /// The CQ value to send, if any.
    pub fn cq(self) -> Option<&'static str> {
        match self {
            Password::NotGiven => None,
            Password::Valid => Some("Y"),
            Password::Empty | Password::Invalid => Some("N"),
        }
    }
}

/// Why an operation was refused; `Display` is the screen message (AF).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No such patron.
    #[error("Unknown patron")]
    UnknownPatron,
    /// AD does not match.
    #[error("Invalid patron password")]
    BadPassword,
    /// No such item.
    #[error("Item not found")]
    UnknownItem,
    /// The patron may not do this (a status flag is set).
    #[error("Patron privileges denied: {0}")]
    Denied(&'static str),
    /// Checked out to someone else.
    #[error("Item is checked out to another patron")]
    LoanedToOther,
    /// Already checked out to this patron and renewal was not asked for.
    #[error("Item is already checked out to you")]
    AlreadyYours,
    /// The item cannot circulate in its status.
    #[error("Item cannot circulate: {0}")]
    NotCirculating(&'static str),
    /// Someone else is first in the hold queue.
    #[error("Item is on hold for another patron")]
    HeldForOther,
    /// Checkout fee not acknowledged (BO not Y).
    #[error("A fee of {0} applies; acknowledge it to check out (BO Y)")]
    FeeNotAcknowledged(Money),
    /// Not on loan.
    #[error("Item is not checked out")]
    NotOnLoan,
    /// On loan to another patron and third-party renewal not allowed.
    #[error("Item is checked out to another patron")]
    NotYours,
    /// Renewal limit reached.
    #[error("Renewal limit reached")]
    TooManyRenewals,
    /// The library's policy disallows it.
    #[error("Not allowed by library policy")]
    Policy,
    /// The patron already holds this item.
    #[error("Patron already has a hold on this item")]
    AlreadyHeld,
    /// The patron has as many holds as allowed.
    #[error("Hold limit reached")]
    TooManyHolds,
    /// No hold to cancel or change.
    #[error("No hold found")]
    NoHold,
    /// Payment in another currency.
    #[error("Currency {0} is not accepted here")]
    Currency(String),
    /// Amount not a decimal number.
    #[error("Invalid amount {0:?}")]
    Amount(String),
    /// Named fee not found for the patron.
    #[error("Fee {0} not found")]
    UnknownFee(String),
    /// Paying more than is owed.
    #[error("Payment of {paid} exceeds the balance of {owed}")]
    Overpayment {
        /// The payment.
        paid: Money,
        /// What is owed.
        owed: Money,
    },
}

/// A successful checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The patron already had the item: this was a renewal.
    pub renewal: bool,
    /// Due date.
    pub due: NaiveDateTime,
    /// Fee charged (rental), with its transaction id.
    pub fee: Option<(Money, String)>,
}

/// A checkin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkin {
    /// The patron who had it, if it was on loan.
    pub patron: Option<String>,
    /// A hold the item is now on the shelf for.
    pub hold: Option<Hold>,
    /// It was lost or missing and is now found.
    pub found: bool,
    /// The overdue fine charged.
    pub fine: Option<Money>,
}

/// What a checkout asks for.
#[derive(Debug, Clone, Copy)]
pub struct CheckoutRequest<'a> {
    /// Patron barcode.
    pub patron: &'a str,
    /// Item barcode.
    pub item: &'a str,
    /// AD check result.
    pub password: Password,
    /// SC renewal policy Y: a checkout of an item the patron has renews it.
    pub renew_allowed: bool,
    /// No block Y: the SC already lent the item offline; the ACS must accept it.
    pub no_block: bool,
    /// The no-block due date, if given.
    pub nb_due: Option<NaiveDateTime>,
    /// Fee acknowledged (BO Y).
    pub fee_acknowledged: bool,
}

fn now() -> NaiveDateTime {
    Local::now().naive_local()
}

impl Library {
    /// Checks AD against the patron's PIN.
    pub fn check_password(patron: &Patron, ad: Option<&str>) -> Password {
        match ad {
            None => Password::NotGiven,
            Some("") => Password::Empty,
            Some(pw) if pw == patron.pin => Password::Valid,
            Some(_) => Password::Invalid,
        }
    }

    /// What the patron owes.
    pub fn balance(&self, patron: &str) -> Money {
        Money(
            self.fees
                .iter()
                .filter(|f| f.patron == patron)
                .map(|f| f.amount.0)
                .sum(),
        )
    }

    /// The patron's loans as (item barcode, loan), by due date.
    pub fn loans_of(&self, patron: &str) -> Vec<(&str, &Loan)> {
        let mut out: Vec<(&str, &Loan)> = self
            .loans
            .iter()
            .filter(|(_, l)| l.patron == patron)
            .map(|(i, l)| (i.as_str(), l))
            .collect();
        out.sort_by(|a, b| (a.1.due, a.0).cmp(&(b.1.due, b.0)));
        out
    }

    /// The patron's holds as (item barcode, 1-based queue position, hold), by item barcode.
    pub fn holds_of(&self, patron: &str) -> Vec<(&str, usize, &Hold)> {
        let mut out: Vec<(&str, usize, &Hold)> = self
            .holds
            .iter()
            .filter_map(|(item, q)| {
                q.iter()
                    .position(|h| h.patron == patron)
                    .and_then(|p| q.get(p).map(|h| (item.as_str(), p + 1, h)))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(b.0));
        out
    }

    /// The patron's fees, oldest first.
    pub fn fees_of(&self, patron: &str) -> Vec<&Fee> {
        self.fees.iter().filter(|f| f.patron == patron).collect()
    }

    /// The 14 patron status positions: the stored blocks plus those derived from loans and fees.
    pub fn status_flags(&self, patron: &Patron, institution: &str) -> [bool; 14] {
        let mut flags = patron.flags;
        let loans = self.loans_of(&patron.barcode);
        let t = now();
        let overdue = loans.iter().filter(|(_, l)| l.due < t).count();
        if loans.len() >= patron.charge_limit as usize {
            flags[flag::TOO_MANY_CHARGED] = true;
        }
        if patron.overdue_limit > 0 && overdue >= patron.overdue_limit as usize {
            flags[flag::TOO_MANY_OVERDUE] = true;
        }
        let limit = self
            .institution(institution)
            .and_then(|i| i.policy.fine_limit);
        if limit.is_some_and(|l| self.balance(&patron.barcode) > l) {
            flags[flag::EXCESSIVE_FINES] = true;
        }
        flags
    }

    /// The circulation status an item shows now: charged when on loan, on the hold shelf when a hold is ready.
    pub fn circulation_status(&self, item: &str) -> &str {
        if self.loans.contains_key(item) {
            return "04";
        }
        if self
            .holds
            .get(item)
            .is_some_and(|q| q.iter().any(|h| h.ready))
        {
            return "08";
        }
        self.items.get(item).map_or("01", |i| i.status.as_str())
    }

    fn new_id(&mut self, prefix: &str) -> String {
        let id = format!("{prefix}-{:06}", self.next_id);
        self.next_id += 1;
        id
    }

    fn patron_ok(&self, patron: &str, password: Password) -> Result<&Patron, Refusal> {
        let p = self.patrons.get(patron).ok_or(Refusal::UnknownPatron)?;
        if password == Password::Invalid {
            return Err(Refusal::BadPassword);
        }
        Ok(p)
    }

    fn due_from_now(&self, institution: &str) -> NaiveDateTime {
        let days = self
            .institution(institution)
            .map_or(14, |i| i.policy.loan_days);
        now() + chrono::Duration::days(days)
    }

    /// Lends an item (11).
    pub fn checkout(&mut self, r: CheckoutRequest, institution: &str) -> Result<Checkout, Refusal> {
        let patron = self.patron_ok(r.patron, r.password)?.clone();
        let item = self.items.get(r.item).ok_or(Refusal::UnknownItem)?.clone();
        if let Some(loan) = self.loans.get(r.item) {
            if loan.patron != r.patron {
                return Err(Refusal::LoanedToOther);
            }
            if !r.renew_allowed {
                return Err(Refusal::AlreadyYours);
            }
            let due = self.renew(
                r.patron,
                r.item,
                Password::NotGiven,
                false,
                r.no_block,
                institution,
            )?;
            return Ok(Checkout {
                renewal: true,
                due,
                fee: None,
            });
        }
        if !r.no_block {
            let flags = self.status_flags(&patron, institution);
            for (i, why) in [
                (flag::CHARGE, "charge privileges denied"),
                (flag::CARD_LOST, "card reported lost"),
                (flag::TOO_MANY_CHARGED, "too many items charged"),
                (flag::EXCESSIVE_FINES, "excessive outstanding fines"),
            ] {
                if flags.get(i).copied().unwrap_or(false) {
                    return Err(Refusal::Denied(why));
                }
            }
            if let Some(why) = not_circulating(&item.status) {
                return Err(Refusal::NotCirculating(why));
            }
        }
        if let Some(first) = self.holds.get(r.item).and_then(|q| q.first())
            && first.patron != r.patron
            && !r.no_block
        {
            return Err(Refusal::HeldForOther);
        }
        if let Some(fee) = item.fee
            && !r.fee_acknowledged
            && !r.no_block
        {
            return Err(Refusal::FeeNotAcknowledged(fee));
        }
        if let Some(q) = self.holds.get_mut(r.item) {
            q.retain(|h| h.patron != r.patron);
            if q.is_empty() {
                self.holds.remove(r.item);
            }
        }
        let due = r
            .nb_due
            .filter(|_| r.no_block)
            .unwrap_or_else(|| self.due_from_now(institution));
        self.loans.insert(
            r.item.to_string(),
            Loan {
                patron: r.patron.to_string(),
                due,
                renewals: 0,
            },
        );
        if let Some(i) = self.items.get_mut(r.item)
            && matches!(i.status.as_str(), "12" | "13")
        {
            i.status = "03".into();
        }
        let fee = match item.fee {
            Some(amount) => {
                let id = self.new_id("FEE");
                let tx = self.new_id("TX");
                self.fees.push(Fee {
                    id,
                    patron: r.patron.to_string(),
                    kind: item.fee_type.clone(),
                    amount,
                    item: Some(item.barcode.clone()),
                    description: format!("Rental {} {}", item.barcode, item.title),
                });
                Some((amount, tx))
            }
            None => None,
        };
        Ok(Checkout {
            renewal: false,
            due,
            fee,
        })
    }

    /// Returns an item (09): ends the loan, charges an overdue fine, traps a hold, finds a lost item.
    pub fn checkin(
        &mut self,
        item: &str,
        returned: Option<NaiveDateTime>,
        institution: &str,
    ) -> Result<Checkin, Refusal> {
        let found_item = self.items.get_mut(item).ok_or(Refusal::UnknownItem)?;
        let found = matches!(found_item.status.as_str(), "12" | "13");
        if found {
            found_item.status = "03".into();
        }
        let title = found_item.title.clone();
        let loan = self.loans.remove(item);
        let mut fine = None;
        if let Some(l) = &loan {
            let returned = returned.unwrap_or_else(now);
            let per_day = self
                .institution(institution)
                .map_or(Money(0), |i| i.policy.overdue_fine);
            if returned > l.due && per_day.0 > 0 {
                let days = (returned - l.due).num_days() + 1;
                let amount = Money(per_day.0.saturating_mul(days.clamp(1, 3650)));
                let id = self.new_id("FEE");
                self.fees.push(Fee {
                    id,
                    patron: l.patron.clone(),
                    kind: "04".into(),
                    amount,
                    item: Some(item.to_string()),
                    description: format!("Overdue {item} {title}"),
                });
                fine = Some(amount);
            }
        }
        let hold = match self.holds.get_mut(item).and_then(|q| q.first_mut()) {
            Some(first) => {
                first.ready = true;
                Some(first.clone())
            }
            None => None,
        };
        Ok(Checkin {
            patron: loan.map(|l| l.patron),
            hold,
            found,
            fine,
        })
    }

    /// Renews a loan (29, and each item of 65); returns the new due date.
    pub fn renew(
        &mut self,
        patron: &str,
        item: &str,
        password: Password,
        third_party: bool,
        no_block: bool,
        institution: &str,
    ) -> Result<NaiveDateTime, Refusal> {
        let p = self.patron_ok(patron, password)?.clone();
        if !self.items.contains_key(item) {
            return Err(Refusal::UnknownItem);
        }
        let inst = self.institution(institution);
        let (allowed, limit) =
            inst.map_or((true, 5), |i| (i.policy.renewal, i.policy.renewal_limit));
        let loan = self.loans.get(item).ok_or(Refusal::NotOnLoan)?;
        if loan.patron != patron && !third_party {
            return Err(Refusal::NotYours);
        }
        if !no_block {
            if !allowed {
                return Err(Refusal::Policy);
            }
            if self.status_flags(&p, institution)[flag::RENEWAL] {
                return Err(Refusal::Denied("renewal privileges denied"));
            }
            if self
                .holds
                .get(item)
                .is_some_and(|q| q.iter().any(|h| h.patron != loan.patron))
            {
                return Err(Refusal::HeldForOther);
            }
            if loan.renewals >= limit {
                return Err(Refusal::TooManyRenewals);
            }
        }
        let due = self.due_from_now(institution);
        if let Some(l) = self.loans.get_mut(item) {
            l.due = due;
            l.renewals += 1;
        }
        Ok(due)
    }

    /// The first item whose title is `title` (hold and renew by title, AJ without AB).
    pub fn item_by_title(&self, title: &str) -> Option<&str> {
        let mut matches: Vec<&str> = self
            .items
            .values()
            .filter(|i| i.title == title)
            .map(|i| i.barcode.as_str())
            .collect();
        matches.sort_unstable();
        matches.first().copied()
    }

    /// Places a hold (15 +); returns the queue position.
    pub fn place_hold(
        &mut self,
        patron: &str,
        item: &str,
        password: Password,
        hold: Hold,
    ) -> Result<usize, Refusal> {
        let p = self.patron_ok(patron, password)?;
        if p.flags[flag::HOLD] {
            return Err(Refusal::Denied("hold privileges denied"));
        }
        let limit = p.hold_limit as usize;
        if !self.items.contains_key(item) {
            return Err(Refusal::UnknownItem);
        }
        if self.holds_of(patron).len() >= limit {
            return Err(Refusal::TooManyHolds);
        }
        let q = self.holds.entry(item.to_string()).or_default();
        if q.iter().any(|h| h.patron == patron) {
            return Err(Refusal::AlreadyHeld);
        }
        q.push(hold);
        Ok(q.len())
    }

    /// The hold queue of `item` and the place of `patron`'s hold in it (15 - and 15 *), once the
    /// patron's password and the item are known good.
    fn own_hold(
        &mut self,
        patron: &str,
        item: &str,
        password: Password,
    ) -> Result<(&mut Vec<Hold>, usize), Refusal> {
        self.patron_ok(patron, password)?;
        if !self.items.contains_key(item) {
            return Err(Refusal::UnknownItem);
        }
        let q = self.holds.get_mut(item).ok_or(Refusal::NoHold)?;
        let pos = q
            .iter()
            .position(|h| h.patron == patron)
            .ok_or(Refusal::NoHold)?;
        Ok((q, pos))
    }

    /// Cancels a hold (15 -); the next hold in line is trapped if this one was on the shelf.
    pub fn cancel_hold(
        &mut self,
        patron: &str,
        item: &str,
        password: Password,
    ) -> Result<(), Refusal> {
        let on_loan = self.loans.contains_key(item);
        let (q, pos) = self.own_hold(patron, item, password)?;
        let was_ready = q.remove(pos).ready;
        if was_ready
            && !on_loan
            && let Some(next) = q.first_mut()
        {
            next.ready = true;
        }
        if q.is_empty() {
            self.holds.remove(item);
        }
        Ok(())
    }

    /// Changes a hold's pickup location, type or expiry (15 *); returns its queue position.
    pub fn change_hold(
        &mut self,
        patron: &str,
        item: &str,
        password: Password,
        pickup: Option<&str>,
        kind: Option<&str>,
        expires: Option<&str>,
    ) -> Result<usize, Refusal> {
        let (q, pos) = self.own_hold(patron, item, password)?;
        if let Some(h) = q.get_mut(pos) {
            if let Some(v) = pickup {
                h.pickup = v.to_string();
            }
            if let Some(v) = kind {
                h.kind = v.to_string();
            }
            if let Some(v) = expires {
                h.expires = v.to_string();
            }
        }
        Ok(pos + 1)
    }

    /// Blocks a patron (01): charge, renewal, recall and hold privileges denied.
    pub fn block(
        &mut self,
        patron: &str,
        card_retained: bool,
        message: &str,
    ) -> Result<(), Refusal> {
        let p = self.patrons.get_mut(patron).ok_or(Refusal::UnknownPatron)?;
        for i in [flag::CHARGE, flag::RENEWAL, flag::RECALL, flag::HOLD] {
            p.flags[i] = true;
        }
        p.card_retained = card_retained;
        p.block_message = Some(message.to_string());
        Ok(())
    }

    /// Enables a patron (25): clears what a block set; refused on a wrong password.
    pub fn enable(&mut self, patron: &str, password: Password) -> Result<(), Refusal> {
        self.patron_ok(patron, password)?;
        let p = self.patrons.get_mut(patron).ok_or(Refusal::UnknownPatron)?;
        for i in [flag::CHARGE, flag::RENEWAL, flag::RECALL, flag::HOLD] {
            p.flags[i] = false;
        }
        p.card_retained = false;
        p.block_message = None;
        Ok(())
    }

    /// Takes a payment (37) against one fee (CG) or the oldest fees; returns the transaction id
    /// and the balance left.
    pub fn pay(
        &mut self,
        patron: &str,
        password: Password,
        amount: &str,
        currency: &str,
        fee_id: Option<&str>,
        institution: &str,
    ) -> Result<(String, Money), Refusal> {
        self.patron_ok(patron, password)?;
        let expected = self
            .institution(institution)
            .map_or("USD", |i| i.currency.as_str());
        if !currency.eq_ignore_ascii_case(expected) {
            return Err(Refusal::Currency(currency.to_string()));
        }
        let paid = Money::parse(amount)
            .filter(|m| m.0 > 0)
            .ok_or_else(|| Refusal::Amount(amount.to_string()))?;
        let owed = match fee_id {
            Some(id) => self
                .fees
                .iter()
                .find(|f| f.id == id && f.patron == patron)
                .map(|f| f.amount)
                .ok_or_else(|| Refusal::UnknownFee(id.to_string()))?,
            None => self.balance(patron),
        };
        if paid > owed {
            return Err(Refusal::Overpayment { paid, owed });
        }
        let mut left = paid.0;
        for f in self
            .fees
            .iter_mut()
            .filter(|f| f.patron == patron && fee_id.is_none_or(|id| f.id == id))
        {
            let take = left.min(f.amount.0);
            f.amount.0 -= take;
            left -= take;
        }
        self.fees.retain(|f| f.amount.0 > 0);
        let tx = self.new_id("TX");
        Ok((tx, self.balance(patron)))
    }
}

/// Why an item in this stored status cannot be lent, if it cannot.
fn not_circulating(status: &str) -> Option<&'static str> {
    match status {
        "02" => Some("on order"),
        "06" => Some("in process"),
        "10" => Some("in transit"),
        "11" => Some("claimed returned"),
        "12" => Some("lost"),
        "13" => Some("missing"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(patron: &'a str, item: &'a str) -> CheckoutRequest<'a> {
        CheckoutRequest {
            patron,
            item,
            password: Password::NotGiven,
            renew_allowed: false,
            no_block: false,
            nb_due: None,
            fee_acknowledged: false,
        }
    }

    #[test]
    fn checkout_then_second_patron_is_refused_then_checkin_ends_the_loan() {
        let mut lib = Library::builtin();
        let c = lib.checkout(req("999999", "1565921879"), "BR1").unwrap();
        assert!(!c.renewal && c.due > now());
        assert_eq!(lib.circulation_status("1565921879"), "04");
        assert_eq!(
            lib.checkout(req("miker", "1565921879"), "BR1"),
            Err(Refusal::LoanedToOther)
        );
        let k = lib.checkin("1565921879", None, "BR1").unwrap();
        assert_eq!(k.patron.as_deref(), Some("999999"));
        assert_eq!(k.fine, None);
        assert_eq!(lib.circulation_status("1565921879"), "03");
    }

    #[test]
    fn seeded_refusals() {
        let mut lib = Library::builtin();
        assert_eq!(
            lib.checkout(req("BLOCKED1", "SPARE1"), "BR1"),
            Err(Refusal::Denied("charge privileges denied"))
        );
        assert_eq!(
            lib.checkout(req("LIMIT1", "SPARE1"), "BR1"),
            Err(Refusal::Denied("too many items charged"))
        );
        assert_eq!(
            lib.checkout(req("999999", "HELD1"), "BR1"),
            Err(Refusal::HeldForOther)
        );
        assert!(matches!(
            lib.checkout(req("999999", "LOST1"), "BR1"),
            Err(Refusal::NotCirculating("lost"))
        ));
        assert_eq!(
            lib.checkout(req("999999", "FEEITEM1"), "BR1"),
            Err(Refusal::FeeNotAcknowledged(Money(150)))
        );
        let paid = lib
            .checkout(
                CheckoutRequest {
                    fee_acknowledged: true,
                    ..req("999999", "FEEITEM1")
                },
                "BR1",
            )
            .unwrap();
        assert_eq!(paid.fee.map(|f| f.0), Some(Money(150)));
        assert_eq!(lib.balance("999999"), Money(150));
        assert_eq!(
            lib.checkout(req("nobody", "SPARE1"), "BR1"),
            Err(Refusal::UnknownPatron)
        );
        assert_eq!(
            lib.checkout(req("999999", "nosuchitem"), "BR1"),
            Err(Refusal::UnknownItem)
        );
    }

    #[test]
    fn late_return_charges_a_fine_per_day() {
        let mut lib = Library::builtin();
        lib.checkout(req("999999", "SPARE1"), "BR1").unwrap();
        let due = lib.loans["SPARE1"].due;
        let k = lib
            .checkin("SPARE1", Some(due + chrono::Duration::hours(49)), "BR1")
            .unwrap();
        assert_eq!(k.fine, Some(Money(75)));
        assert_eq!(lib.balance("999999"), Money(75));
    }

    #[test]
    fn holds_queue_in_order_and_trap_at_checkin() {
        let mut lib = Library::builtin();
        let hold = |p: &str| Hold {
            patron: p.into(),
            pickup: "BR1".into(),
            kind: "2".into(),
            expires: String::new(),
            ready: false,
        };
        assert_eq!(
            lib.place_hold("999999", "SPARE2", Password::NotGiven, hold("999999")),
            Ok(1)
        );
        assert_eq!(
            lib.place_hold("miker", "SPARE2", Password::NotGiven, hold("miker")),
            Ok(2)
        );
        assert_eq!(
            lib.place_hold("999999", "SPARE2", Password::NotGiven, hold("999999")),
            Err(Refusal::AlreadyHeld)
        );
        let k = lib.checkin("SPARE2", None, "BR1").unwrap();
        assert_eq!(k.hold.map(|h| h.patron), Some("999999".to_string()));
        assert_eq!(lib.circulation_status("SPARE2"), "08");
        assert_eq!(
            lib.checkout(req("miker", "SPARE2"), "BR1"),
            Err(Refusal::HeldForOther)
        );
        lib.cancel_hold("999999", "SPARE2", Password::NotGiven)
            .unwrap();
        let queue: Vec<&str> = lib.holds["SPARE2"]
            .iter()
            .map(|h| h.patron.as_str())
            .collect();
        assert_eq!(queue, ["miker"]);
        assert!(lib.holds["SPARE2"][0].ready, "the next in line is trapped");
        assert_eq!(
            lib.cancel_hold("999999", "SPARE2", Password::NotGiven),
            Err(Refusal::NoHold)
        );
    }

    #[test]
    fn payments_reduce_the_balance_and_refuse_overpayment() {
        let mut lib = Library::builtin();
        assert_eq!(lib.balance("FINES1"), Money(500));
        assert!(matches!(
            lib.pay("FINES1", Password::NotGiven, "6.00", "USD", None, "BR1"),
            Err(Refusal::Overpayment { .. })
        ));
        assert!(matches!(
            lib.pay("FINES1", Password::NotGiven, "1.00", "EUR", None, "BR1"),
            Err(Refusal::Currency(_))
        ));
        let (_, left) = lib
            .pay(
                "FINES1",
                Password::NotGiven,
                "2.00",
                "USD",
                Some("FEE-0001"),
                "BR1",
            )
            .unwrap();
        assert_eq!(left, Money(300));
        let (_, left) = lib
            .pay("FINES1", Password::NotGiven, "3", "USD", None, "BR1")
            .unwrap();
        assert_eq!(left, Money(0));
        assert!(lib.fees_of("FINES1").is_empty());
    }

    #[test]
    fn renewal_limits_and_holds_refuse() {
        let mut lib = Library::builtin();
        lib.checkout(req("999999", "SPARE1"), "BR1").unwrap();
        for _ in 0..5 {
            lib.renew("999999", "SPARE1", Password::NotGiven, false, false, "BR1")
                .unwrap();
        }
        assert_eq!(
            lib.renew("999999", "SPARE1", Password::NotGiven, false, false, "BR1"),
            Err(Refusal::TooManyRenewals)
        );
        assert_eq!(
            lib.renew("miker", "SPARE1", Password::NotGiven, false, false, "BR1"),
            Err(Refusal::NotYours)
        );
        assert_eq!(
            lib.renew("999999", "SPARE2", Password::NotGiven, false, false, "BR1"),
            Err(Refusal::NotOnLoan)
        );
    }

    #[test]
    fn block_then_enable_and_wrong_password_keeps_the_block() {
        let mut lib = Library::builtin();
        lib.block("999999", false, "test").unwrap();
        let p = lib.patrons["999999"].clone();
        assert!(lib.status_flags(&p, "BR1")[..4].iter().all(|f| *f));
        assert_eq!(
            lib.enable("999999", Password::Invalid),
            Err(Refusal::BadPassword)
        );
        assert!(lib.patrons["999999"].flags[0]);
        lib.enable("999999", Password::Valid).unwrap();
        assert!(!lib.patrons["999999"].flags[..4].iter().any(|f| *f));
    }
}
