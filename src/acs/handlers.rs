//! One handler per circulation request: read the request's fields, apply the circulation rule,
//! build the response from the spec table. Session messages (93, 99, 97) live in `session.rs`.

use chrono::NaiveDateTime;

use super::circulation::{CheckoutRequest, Password, Refusal};
use super::dialect::{
    ChargeBl, CheckinNotOnLoan, MagneticMedia, RefusedCheckinTitle, RenewalDesensitize, Resolved,
    SecondCheckout, SecurityMarker, UnknownPatronLanguage,
};
use super::library::{Hold, Item, Library, Money, Patron};
use crate::sip2::encode::{BuildError, fixed_part};
use crate::sip2::spec::{self, ITEM_LISTS};
use crate::sip2::{FieldId, Message, MessageCode, date};

/// What a handler works on: the library, the session's institution and dialect.
pub struct Ctx<'a> {
    /// The library (locked by the caller).
    pub lib: &'a mut Library,
    /// The institution the session answers for (AO).
    pub institution: &'a str,
    /// How the session answers.
    pub dialect: &'a Resolved,
}

type Reply = Result<Message<'static>, BuildError>;

/// Builds a response with the fixed part from `(key, value)` pairs, through the spec table.
pub fn build(code: MessageCode, fixed: &[(&str, &str)]) -> Reply {
    let fixed = match spec::message(code) {
        Some(s) => fixed_part(s, fixed.iter().copied())?,
        None => String::new(),
    };
    Ok(Message::new(code, fixed))
}

/// An 18-character SIP date for a local time.
pub fn sip_date(t: NaiveDateTime) -> String {
    date::format(&t.and_utc())
}

fn yn(b: bool) -> &'static str {
    if b { "Y" } else { "N" }
}

fn bit(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn text(req: &Message, id: FieldId) -> String {
    req.field(id).unwrap_or_default().to_string()
}

/// A fixed field of the request when it is well formed (digits where digits belong), else `default`.
fn fixed_or<'m>(req: &'m Message, key: &str, default: &'m str) -> &'m str {
    match req.fixed_field(key) {
        Some(v) if v.bytes().all(|b| b.is_ascii_digit()) => v,
        _ => default,
    }
}

fn flag_is_y(req: &Message, key: &str) -> bool {
    req.fixed_field(key) == Some("Y")
}

/// A request date that is given (not 18 blanks) and valid.
fn given_date(req: &Message, key: &str) -> Option<NaiveDateTime> {
    req.fixed_field(key).and_then(date::parse)
}

fn status_string(flags: &[bool; 14]) -> String {
    flags.iter().map(|f| if *f { 'Y' } else { ' ' }).collect()
}

/// Patron status of an unknown patron, as Evergreen and Koha send it: the four privileges denied.
fn unknown_status() -> String {
    let mut flags = [false; 14];
    flags[..4].fill(true);
    status_string(&flags)
}

fn currency(ctx: &Ctx) -> String {
    ctx.lib
        .institution(ctx.institution)
        .map_or_else(|| "USD".to_string(), |i| i.currency.clone())
}

/// The patron named by AA, with the AD verdict.
fn patron_of(ctx: &Ctx, req: &Message) -> (Option<Patron>, Password) {
    match ctx
        .lib
        .patrons
        .get(req.field(FieldId::AA).unwrap_or_default())
    {
        Some(p) => {
            let pw = Library::check_password(p, req.field(FieldId::AD));
            (Some(p.clone()), pw)
        }
        None => (
            None,
            req.field(FieldId::AD)
                .map_or(Password::NotGiven, |_| Password::Invalid),
        ),
    }
}

/// 24 (for 23 and 01) and 26 (for 25): status, language, date, and the patron fields.
fn patron_status_reply(
    ctx: &Ctx,
    req: &Message,
    code: MessageCode,
    language: &str,
    note: Option<String>,
) -> Reply {
    let (patron, pw) = patron_of(ctx, req);
    let status = match &patron {
        Some(p) => status_string(&ctx.lib.status_flags(p, ctx.institution)),
        None => unknown_status(),
    };
    let language = match patron {
        Some(_) => language,
        None => unknown_patron_language(ctx, language),
    };
    let now = date::now();
    let mut m = build(
        code,
        &[
            ("patron_status", &status),
            ("language", language),
            ("transaction_date", &now),
        ],
    )?
    .with(FieldId::AO, ctx.institution.to_string())
    .with(FieldId::AA, text(req, FieldId::AA))
    .with(
        FieldId::AE,
        patron.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
    )
    .with(FieldId::BL, yn(patron.is_some()));
    if let Some(cq) = pw.cq() {
        m.push(FieldId::CQ, cq);
    }
    if code == MessageCode::PATRON_STATUS_RESPONSE {
        let balance = patron
            .as_ref()
            .map_or(Money(0), |p| ctx.lib.balance(&p.barcode));
        m.push(FieldId::BH, currency(ctx));
        m.push(FieldId::BV, balance.to_string());
    }
    let screen = match (&patron, note) {
        (None, _) => Some("Unknown patron".to_string()),
        (Some(_), Some(n)) => Some(n),
        (Some(_), None) => None,
    };
    if let Some(s) = screen {
        m.push(FieldId::AF, s);
    }
    Ok(m)
}

/// The language of an answer about a patron the library does not know.
fn unknown_patron_language<'a>(ctx: &Ctx, language: &'a str) -> &'a str {
    match ctx.dialect.unknown_patron_language {
        UnknownPatronLanguage::Echo => language,
        UnknownPatronLanguage::Unknown => "000",
    }
}

/// The magnetic media flag of `item` (12, 30, 10), `U` when unknown or the dialect says so.
fn magnetic(ctx: &Ctx, item: Option<&Item>) -> &'static str {
    match (ctx.dialect.magnetic_media, item) {
        (MagneticMedia::Item, Some(i)) => yn(i.magnetic),
        (MagneticMedia::Item, None) | (MagneticMedia::Unknown, _) => "U",
    }
}

/// 23 Patron Status Request.
pub fn patron_status(ctx: &mut Ctx, req: &Message) -> Reply {
    let language = fixed_or(req, "language", "000").to_string();
    patron_status_reply(
        ctx,
        req,
        MessageCode::PATRON_STATUS_RESPONSE,
        &language,
        None,
    )
}

/// 01 Block Patron: blocks, answers a 24 in language 000.
pub fn block_patron(ctx: &mut Ctx, req: &Message) -> Reply {
    let barcode = text(req, FieldId::AA);
    let retained = flag_is_y(req, "card_retained");
    let note = ctx
        .lib
        .block(
            &barcode,
            retained,
            req.field(FieldId::AL).unwrap_or_default(),
        )
        .ok()
        .map(|()| {
            if retained {
                "Patron blocked; card retained".to_string()
            } else {
                "Patron blocked".to_string()
            }
        });
    patron_status_reply(ctx, req, MessageCode::PATRON_STATUS_RESPONSE, "000", note)
}

/// 25 Patron Enable: clears the block unless AD is wrong; answers a 26.
pub fn patron_enable(ctx: &mut Ctx, req: &Message) -> Reply {
    let (_, pw) = patron_of(ctx, req);
    let note = match ctx.lib.enable(&text(req, FieldId::AA), pw) {
        Ok(()) => "Patron enabled".to_string(),
        Err(e) => e.to_string(),
    };
    patron_status_reply(
        ctx,
        req,
        MessageCode::PATRON_ENABLE_RESPONSE,
        "000",
        Some(note),
    )
}

/// 63 Patron Information: counts, limits, one item list (BP..BQ), personal fields.
pub fn patron_information(ctx: &mut Ctx, req: &Message) -> Reply {
    let language = fixed_or(req, "language", "000").to_string();
    let (patron, pw) = patron_of(ctx, req);
    let now = date::now();
    let Some(p) = patron else {
        let status = unknown_status();
        let mut fixed: Vec<(&str, &str)> = vec![
            ("patron_status", &status),
            ("language", unknown_patron_language(ctx, &language)),
            ("transaction_date", &now),
        ];
        fixed.extend(ITEM_LISTS.iter().map(|l| (l.count, "0000")));
        let mut m = build(MessageCode::PATRON_INFORMATION_RESPONSE, &fixed)?
            .with(FieldId::AO, ctx.institution.to_string())
            .with(FieldId::AA, text(req, FieldId::AA))
            .with(FieldId::AE, "")
            .with(FieldId::BL, "N");
        if let Some(cq) = pw.cq() {
            m.push(FieldId::CQ, cq);
        }
        m.push(FieldId::AF, "Unknown patron");
        return Ok(m);
    };
    let lib = &*ctx.lib;
    let t = chrono::Local::now().naive_local();
    let holds = lib.holds_of(&p.barcode);
    let loans = lib.loans_of(&p.barcode);
    let fees = lib.fees_of(&p.barcode);
    // One list per summary position, in ITEM_LISTS order: AS, AT, AU, AV, BU, CD.
    let lists: [Vec<String>; 6] = [
        holds.iter().map(|(i, _, _)| i.to_string()).collect(),
        loans
            .iter()
            .filter(|(_, l)| l.due < t)
            .map(|(i, _)| i.to_string())
            .collect(),
        loans.iter().map(|(i, _)| i.to_string()).collect(),
        fees.iter()
            .map(|f| format!("{} {} {}", f.id, f.amount, f.description))
            .collect(),
        Vec::new(),
        holds
            .iter()
            .filter(|(_, _, h)| !h.ready)
            .map(|(i, _, _)| i.to_string())
            .collect(),
    ];
    let counts: Vec<String> = lists
        .iter()
        .map(|l| format!("{:04}", l.len().min(9999)))
        .collect();
    let status = status_string(&lib.status_flags(&p, ctx.institution));
    let mut fixed: Vec<(&str, &str)> = vec![
        ("patron_status", &status),
        ("language", &language),
        ("transaction_date", &now),
    ];
    fixed.extend(
        ITEM_LISTS
            .iter()
            .zip(&counts)
            .map(|(l, c)| (l.count, c.as_str())),
    );
    let balance = lib.balance(&p.barcode);
    let mut m = build(MessageCode::PATRON_INFORMATION_RESPONSE, &fixed)?
        .with(FieldId::AO, ctx.institution.to_string())
        .with(FieldId::AA, p.barcode.clone())
        .with(FieldId::AE, p.name.clone())
        .with(FieldId::BZ, format!("{:04}", p.hold_limit.min(9999)))
        .with(FieldId::CA, format!("{:04}", p.overdue_limit.min(9999)))
        .with(FieldId::CB, format!("{:04}", p.charge_limit.min(9999)))
        .with(FieldId::BL, "Y");
    if let Some(cq) = pw.cq() {
        m.push(FieldId::CQ, cq);
    }
    m.push(FieldId::BH, currency(ctx));
    m.push(FieldId::BV, balance.to_string());
    if let Some(limit) = lib
        .institution(ctx.institution)
        .and_then(|i| i.policy.fine_limit)
    {
        m.push(FieldId::CC, limit.to_string());
    }
    // The first Y in the summary picks the list (more than one is a client error; LP#1298985).
    let summary = req.fixed_field("summary").unwrap_or_default();
    if let Some(pos) = summary.chars().position(|c| c == 'Y')
        && let Some((list, spec_list)) = lists
            .get(pos)
            .zip(ITEM_LISTS.iter().find(|l| l.summary == pos))
    {
        let start = number(req, FieldId::BP).unwrap_or(1).max(1);
        let end = number(req, FieldId::BQ).unwrap_or(usize::MAX).max(start);
        for v in list.iter().skip(start - 1).take(end - start + 1) {
            m.push(spec_list.field, v.clone());
        }
    }
    for (id, v) in [
        (FieldId::BD, &p.address),
        (FieldId::BE, &p.email),
        (FieldId::BF, &p.phone),
    ] {
        m.push(id, v.clone());
    }
    if ctx.dialect.patron_extensions {
        for (id, v) in [
            (FieldId::PB, &p.birthday),
            (FieldId::PC, &p.class),
            (FieldId::PI, &p.inet),
            (FieldId::AQ, &p.home_library),
        ] {
            m.push(id, v.clone());
        }
    }
    if let Some(msg) = &p.block_message {
        m.push(FieldId::AF, format!("Blocked: {msg}"));
    }
    Ok(m)
}

fn number(req: &Message, id: FieldId) -> Option<usize> {
    req.field(id).and_then(|v| v.trim().parse().ok())
}

/// The fixed flags of a refused checkout or renewal (12 and 30 share a layout), as Evergreen
/// and Koha send them: not ok, no renewal, magnetic media unknown, no desensitize.
const REFUSED_CHARGE: [(&str, &str); 4] = [
    ("ok", "0"),
    ("renewal_ok", "N"),
    ("magnetic_media", "U"),
    ("desensitize", "N"),
];

/// 11 Checkout.
pub fn checkout(ctx: &mut Ctx, req: &Message) -> Reply {
    let (patron, pw) = patron_of(ctx, req);
    let aa = text(req, FieldId::AA);
    let ab = text(req, FieldId::AB);
    let renew_allowed = match ctx.dialect.second_checkout {
        SecondCheckout::RenewIfAsked => flag_is_y(req, "sc_renewal_policy"),
        SecondCheckout::Renew => true,
        SecondCheckout::Refuse => false,
    };
    let outcome = ctx.lib.checkout(
        CheckoutRequest {
            patron: &aa,
            item: &ab,
            password: pw,
            renew_allowed,
            no_block: flag_is_y(req, "no_block"),
            nb_due: given_date(req, "nb_due_date"),
            fee_acknowledged: req.field(FieldId::BO) == Some("Y"),
        },
        ctx.institution,
    );
    let item = ctx.lib.items.get(&ab).cloned();
    let now = date::now();
    let (fixed, due, af) = match &outcome {
        Ok(c) => (
            [
                ("ok", "1"),
                ("renewal_ok", yn(c.renewal)),
                ("magnetic_media", magnetic(ctx, item.as_ref())),
                ("desensitize", "Y"),
            ],
            sip_date(c.due),
            if c.renewal { "Renewed" } else { "Checked out" }.to_string(),
        ),
        Err(e) => (REFUSED_CHARGE, String::new(), e.to_string()),
    };
    let mut all: Vec<(&str, &str)> = fixed.to_vec();
    all.push(("transaction_date", &now));
    let mut m = build(MessageCode::CHECKOUT_RESPONSE, &all)?
        .with(FieldId::AO, ctx.institution.to_string())
        .with(FieldId::AA, aa)
        .with(FieldId::AB, ab)
        .with(
            FieldId::AJ,
            item.as_ref().map(|i| i.title.clone()).unwrap_or_default(),
        )
        .with(FieldId::AH, due);
    if let Some(i) = &item {
        if let Some(fee) = i.fee {
            m.push(FieldId::BT, i.fee_type.clone());
            m.push(FieldId::BH, currency(ctx));
            m.push(FieldId::BV, fee.to_string());
        }
        m.push(FieldId::CK, i.media.clone());
    }
    if let Ok(c) = &outcome {
        m.push(FieldId::CI, "N");
        if let Some((_, tx)) = &c.fee {
            m.push(FieldId::BK, tx.clone());
        }
    }
    let bl = match ctx.dialect.charge_bl {
        ChargeBl::Always => true,
        ChargeBl::Refused => outcome.is_err(),
        ChargeBl::Never => false,
    };
    if bl {
        m.push(FieldId::BL, yn(patron.is_some()));
    }
    m.push(FieldId::AF, af);
    Ok(m)
}

/// 09 Checkin.
pub fn checkin(ctx: &mut Ctx, req: &Message) -> Reply {
    let ab = text(req, FieldId::AB);
    let outcome = ctx
        .lib
        .checkin(&ab, given_date(req, "return_date"), ctx.institution);
    let item = ctx.lib.items.get(&ab).cloned();
    let now = date::now();
    let mut af = Vec::new();
    let (ok, alert) = match &outcome {
        Ok(k) => {
            let not_on_loan = k.patron.is_none();
            let rule = ctx.dialect.checkin_not_on_loan;
            if not_on_loan && rule != CheckinNotOnLoan::Accept {
                af.push("Item was not checked out".to_string());
            }
            if let Some(f) = k.fine {
                af.push(format!("Overdue fine {f}"));
            }
            if k.found {
                af.push("Item was lost or missing and is now found".to_string());
            }
            let alert =
                k.hold.is_some() || k.found || (not_on_loan && rule == CheckinNotOnLoan::Alert);
            (!not_on_loan || rule == CheckinNotOnLoan::Accept, alert)
        }
        Err(e) => {
            af.push(e.to_string());
            (false, false)
        }
    };
    let mut m = build(
        MessageCode::CHECKIN_RESPONSE,
        &[
            ("ok", bit(ok)),
            ("resensitize", yn(item.is_some())),
            ("magnetic_media", magnetic(ctx, item.as_ref())),
            ("alert", yn(alert)),
            ("transaction_date", &now),
        ],
    )?
    .with(FieldId::AO, ctx.institution.to_string())
    .with(FieldId::AB, ab.clone())
    .with(
        FieldId::AQ,
        item.as_ref()
            .map(|i| i.permanent_location.clone())
            .unwrap_or_default(),
    );
    let title = match (ok, ctx.dialect.refused_checkin_title) {
        (false, RefusedCheckinTitle::Barcode) => Some(ab),
        _ => item.as_ref().map(|i| i.title.clone()),
    };
    if let Some(t) = title {
        m.push(FieldId::AJ, t);
    }
    if let Some(i) = &item {
        m.push(FieldId::CK, i.media.clone());
    }
    if let Ok(k) = &outcome {
        if let Some(p) = k.patron.as_ref().filter(|_| ctx.dialect.checkin_patron) {
            m.push(FieldId::AA, p.clone());
        }
        if let Some(h) = &k.hold {
            let here = h.pickup == ctx.institution;
            m.push(FieldId::CL, "HOLDS");
            m.push(FieldId::CV, if here { "01" } else { "02" });
            m.push(FieldId::CT, h.pickup.clone());
            m.push(FieldId::CY, h.patron.clone());
            if let Some(p) = ctx.lib.patrons.get(&h.patron) {
                m.push(FieldId::DA, p.name.clone());
            }
            af.push(format!("Hold for {} at {}", h.patron, h.pickup));
        } else if k.found {
            m.push(FieldId::CV, "99");
        }
    }
    for s in af {
        m.push(FieldId::AF, s);
    }
    Ok(m)
}

/// The item a request names: AB, or the first item with title AJ.
fn item_of(ctx: &Ctx, req: &Message) -> String {
    match req.field(FieldId::AB) {
        Some(ab) if !ab.is_empty() => ab.to_string(),
        _ => req
            .field(FieldId::AJ)
            .and_then(|t| ctx.lib.item_by_title(t))
            .unwrap_or_default()
            .to_string(),
    }
}

/// 29 Renew.
pub fn renew(ctx: &mut Ctx, req: &Message) -> Reply {
    let (patron, pw) = patron_of(ctx, req);
    let aa = text(req, FieldId::AA);
    let ab = item_of(ctx, req);
    let outcome = ctx.lib.renew(
        &aa,
        &ab,
        pw,
        flag_is_y(req, "third_party_allowed"),
        flag_is_y(req, "no_block"),
        ctx.institution,
    );
    let item = ctx.lib.items.get(&ab).cloned();
    let now = date::now();
    let (fixed, due, af) = match &outcome {
        Ok(d) => (
            [
                ("ok", "1"),
                ("renewal_ok", "Y"),
                ("magnetic_media", magnetic(ctx, item.as_ref())),
                ("desensitize", "N"),
            ],
            sip_date(*d),
            "Renewed".to_string(),
        ),
        Err(e) => (REFUSED_CHARGE, String::new(), e.to_string()),
    };
    let mut all: Vec<(&str, &str)> = fixed.to_vec();
    if ctx.dialect.renewal_desensitize == RenewalDesensitize::Unknown {
        for f in &mut all {
            if f.0 == "desensitize" {
                f.1 = "U";
            }
        }
    }
    all.push(("transaction_date", &now));
    let ab_echo = req.field(FieldId::AB).map_or(ab.clone(), str::to_string);
    let mut m = build(MessageCode::RENEW_RESPONSE, &all)?
        .with(FieldId::AO, ctx.institution.to_string())
        .with(FieldId::AA, aa)
        .with(FieldId::AB, ab_echo)
        .with(
            FieldId::AJ,
            item.as_ref().map(|i| i.title.clone()).unwrap_or_default(),
        )
        .with(FieldId::AH, due);
    if let Some(i) = &item {
        m.push(FieldId::CK, i.media.clone());
    }
    if outcome.is_ok() {
        m.push(FieldId::CI, "N");
    }
    if ctx.dialect.charge_bl == ChargeBl::Always {
        m.push(FieldId::BL, yn(patron.is_some()));
    }
    m.push(FieldId::AF, af);
    Ok(m)
}

/// 65 Renew All: BM per renewed item, BN per refused one.
pub fn renew_all(ctx: &mut Ctx, req: &Message) -> Reply {
    let (patron, pw) = patron_of(ctx, req);
    let now = date::now();
    let (ok, renewed, refused, af) = match patron {
        None => (
            false,
            Vec::new(),
            Vec::new(),
            Refusal::UnknownPatron.to_string(),
        ),
        Some(_) if pw == Password::Invalid => (
            false,
            Vec::new(),
            Vec::new(),
            Refusal::BadPassword.to_string(),
        ),
        Some(p) => {
            let items: Vec<String> = ctx
                .lib
                .loans_of(&p.barcode)
                .iter()
                .map(|(i, _)| i.to_string())
                .collect();
            let mut renewed = Vec::new();
            let mut refused = Vec::new();
            for i in items {
                match ctx
                    .lib
                    .renew(&p.barcode, &i, pw, false, false, ctx.institution)
                {
                    Ok(_) => renewed.push(i),
                    Err(_) => refused.push(i),
                }
            }
            let af = format!("{} renewed, {} not renewed", renewed.len(), refused.len());
            (true, renewed, refused, af)
        }
    };
    let rc = format!("{:04}", renewed.len().min(9999));
    let uc = format!("{:04}", refused.len().min(9999));
    let mut m = build(
        MessageCode::RENEW_ALL_RESPONSE,
        &[
            ("ok", bit(ok)),
            ("renewed_count", &rc),
            ("unrenewed_count", &uc),
            ("transaction_date", &now),
        ],
    )?
    .with(FieldId::AO, ctx.institution.to_string());
    for i in renewed {
        m.push(FieldId::BM, i);
    }
    for i in refused {
        m.push(FieldId::BN, i);
    }
    m.push(FieldId::AF, af);
    Ok(m)
}

/// 15 Hold: `+` place, `-` cancel, `*` change.
pub fn hold(ctx: &mut Ctx, req: &Message) -> Reply {
    let (_, pw) = patron_of(ctx, req);
    let aa = text(req, FieldId::AA);
    let item = item_of(ctx, req);
    let pickup = req
        .field(FieldId::BS)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| ctx.lib.patrons.get(&aa).map(|p| p.home_library.clone()))
        .unwrap_or_default();
    let days = ctx
        .lib
        .institution(ctx.institution)
        .map_or(180, |i| i.policy.hold_days);
    let expires = req
        .field(FieldId::BW)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| date::format(&(chrono::Local::now() + chrono::Duration::days(days))));
    let kind = req
        .field(FieldId::BY)
        .filter(|k| spec::HOLD_TYPE.meaning(k).is_some())
        .unwrap_or("2")
        .to_string();
    let outcome: Result<Option<usize>, Refusal> = match req.fixed_field("hold_mode") {
        Some("+") => ctx
            .lib
            .place_hold(
                &aa,
                &item,
                pw,
                Hold {
                    patron: aa.clone(),
                    pickup: pickup.clone(),
                    kind,
                    expires: expires.clone(),
                    ready: false,
                },
            )
            .map(Some),
        Some("-") => ctx.lib.cancel_hold(&aa, &item, pw).map(|()| None),
        Some("*") => ctx
            .lib
            .change_hold(
                &aa,
                &item,
                pw,
                req.field(FieldId::BS),
                req.field(FieldId::BY),
                req.field(FieldId::BW),
            )
            .map(Some),
        _ => Err(Refusal::Policy),
    };
    let available = ctx
        .lib
        .holds
        .get(&item)
        .and_then(|q| q.iter().find(|h| h.patron == aa))
        .is_some_and(|h| h.ready);
    let now = date::now();
    let mut m = build(
        MessageCode::HOLD_RESPONSE,
        &[
            ("ok", bit(outcome.is_ok())),
            ("available", yn(available)),
            ("transaction_date", &now),
        ],
    )?
    .with(FieldId::AO, ctx.institution.to_string())
    .with(FieldId::AA, aa.clone());
    match &outcome {
        Ok(Some(position)) => {
            let hold = ctx
                .lib
                .holds
                .get(&item)
                .and_then(|q| q.iter().find(|h| h.patron == aa));
            m.push(FieldId::BW, hold.map_or(expires, |h| h.expires.clone()));
            m.push(FieldId::BR, position.to_string());
            m.push(FieldId::BS, hold.map_or(pickup, |h| h.pickup.clone()));
            m.push(FieldId::AB, item.clone());
            m.push(
                FieldId::AJ,
                ctx.lib
                    .items
                    .get(&item)
                    .map(|i| i.title.clone())
                    .unwrap_or_default(),
            );
            m.push(FieldId::AF, "Hold placed");
        }
        Ok(None) => {
            m.push(FieldId::AB, item.clone());
            m.push(FieldId::AF, "Hold cancelled");
        }
        Err(e) => {
            if let Some(ab) = req.field(FieldId::AB) {
                m.push(FieldId::AB, ab.to_string());
            }
            m.push(FieldId::AF, e.to_string());
        }
    }
    Ok(m)
}

/// 35 End Patron Session.
pub fn end_session(ctx: &mut Ctx, req: &Message) -> Reply {
    let (patron, _) = patron_of(ctx, req);
    let now = date::now();
    Ok(build(
        MessageCode::END_SESSION_RESPONSE,
        &[
            ("end_session", yn(patron.is_some())),
            ("transaction_date", &now),
        ],
    )?
    .with(FieldId::AO, ctx.institution.to_string())
    .with(FieldId::AA, text(req, FieldId::AA))
    .with(
        FieldId::AF,
        if patron.is_some() {
            "Session ended"
        } else {
            "Unknown patron"
        },
    ))
}

/// 37 Fee Paid.
pub fn fee_paid(ctx: &mut Ctx, req: &Message) -> Reply {
    let (_, pw) = patron_of(ctx, req);
    let aa = text(req, FieldId::AA);
    let outcome = ctx.lib.pay(
        &aa,
        pw,
        req.field(FieldId::BV).unwrap_or_default(),
        req.fixed_field("currency_type").unwrap_or_default(),
        req.field(FieldId::CG).filter(|c| !c.is_empty()),
        ctx.institution,
    );
    let now = date::now();
    let mut m = build(
        MessageCode::FEE_PAID_RESPONSE,
        &[
            ("payment_accepted", yn(outcome.is_ok())),
            ("transaction_date", &now),
        ],
    )?
    .with(FieldId::AO, ctx.institution.to_string())
    .with(FieldId::AA, aa);
    match outcome {
        Ok((tx, left)) => {
            m.push(
                FieldId::BK,
                req.field(FieldId::BK)
                    .filter(|b| !b.is_empty())
                    .map_or(tx, str::to_string),
            );
            m.push(FieldId::AF, format!("Payment accepted; balance {left}"));
        }
        Err(e) => m.push(FieldId::AF, e.to_string()),
    }
    Ok(m)
}

/// 17 Item Information.
pub fn item_information(ctx: &mut Ctx, req: &Message) -> Reply {
    let ab = text(req, FieldId::AB);
    let now = date::now();
    let Some(item) = ctx.lib.items.get(&ab).cloned() else {
        return Ok(build(
            MessageCode::ITEM_INFORMATION_RESPONSE,
            &[
                ("circulation_status", "01"),
                ("security_marker", "01"),
                ("fee_type", "01"),
                ("transaction_date", &now),
            ],
        )?
        .with(FieldId::AB, ab)
        .with(FieldId::AJ, "")
        .with(FieldId::AF, "Item not found"));
    };
    let status = ctx.lib.circulation_status(&ab).to_string();
    let queue = ctx.lib.holds.get(&ab).map_or(0, Vec::len);
    let security = match ctx.dialect.security_marker {
        SecurityMarker::Item => item.security.as_str(),
        SecurityMarker::Code(code) => code,
    };
    let mut m = build(
        MessageCode::ITEM_INFORMATION_RESPONSE,
        &[
            ("circulation_status", &status),
            ("security_marker", security),
            ("fee_type", &item.fee_type),
            ("transaction_date", &now),
        ],
    )?
    .with(FieldId::AB, ab.clone())
    .with(FieldId::AJ, item.title.clone())
    .with(FieldId::CF, queue.to_string());
    if let Some(loan) = ctx.lib.loans.get(&ab) {
        m.push(FieldId::AH, sip_date(loan.due));
    }
    m.push(FieldId::BG, item.owner.clone());
    if let Some(fee) = item.fee {
        m.push(FieldId::BH, currency(ctx));
        m.push(FieldId::BV, fee.to_string());
    }
    m.push(FieldId::CK, item.media.clone());
    m.push(FieldId::AQ, item.permanent_location.clone());
    m.push(FieldId::AP, item.current_location.clone());
    if !item.properties.is_empty() {
        m.push(FieldId::CH, item.properties.clone());
    }
    if !item.call_number.is_empty() {
        m.push(FieldId::AF, format!("Call number {}", item.call_number));
    }
    Ok(m)
}

/// 19 Item Status Update: stores CH.
pub fn item_status_update(ctx: &mut Ctx, req: &Message) -> Reply {
    let ab = text(req, FieldId::AB);
    let ch = text(req, FieldId::CH);
    let now = date::now();
    let stored = match ctx.lib.items.get_mut(&ab) {
        Some(i) => {
            i.properties = ch.clone();
            Some(i.title.clone())
        }
        None => None,
    };
    let mut m = build(
        MessageCode::ITEM_STATUS_UPDATE_RESPONSE,
        &[
            ("item_properties_ok", bit(stored.is_some())),
            ("transaction_date", &now),
        ],
    )?
    .with(FieldId::AB, ab);
    match stored {
        Some(title) => {
            m.push(FieldId::AJ, title);
            m.push(FieldId::CH, ch);
        }
        None => m.push(FieldId::AF, "Item not found"),
    }
    Ok(m)
}
