//! One connection's protocol state, without I/O: frame bytes in, response bytes out.
//!
//! Decodes and lints each request (`sip2::analyze`), records it for `--strict`, applies the
//! session rules (login, error detection, 96/97, supported messages), dispatches to a handler,
//! then applies the dialect (field order, encoding, trailer, terminator) and message-level faults.

use std::sync::{Arc, Mutex};

use super::dialect::{BeforeLogin, FieldOrder, Resolved, UnknownMessage};
use super::faults;
use super::handlers::{self, Ctx, build};
use super::library::{Account, Library, Unsupported};
use super::report::RequestRecord;
use super::server::{Reply, Shared, Traffic};
use crate::sip2::encode::{BuildError, spec_order};
use crate::sip2::lint::MAX_VALUE_LEN;
use crate::sip2::redact::Redaction;
use crate::sip2::spec::{self, Direction};
use crate::sip2::{
    self, Context, FieldId, Message, MessageCode, Terminator, checksum, date, render,
};

/// What to do after a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Write these bytes (terminator included).
    Reply(Vec<u8>),
    /// Write nothing.
    Ignore,
    /// Close the connection without answering.
    Close,
    /// Write these bytes, then close (the last failed login allowed).
    ReplyThenClose(Vec<u8>),
}

/// One connection's state.
pub struct Session {
    shared: Arc<Shared>,
    library: Arc<Mutex<Library>>,
    connection: u64,
    peer: String,
    requests: u64,
    account: Option<Account>,
    failed_logins: u32,
    dialect: Resolved,
    last: Option<Vec<u8>>,
    /// A 99 asked for protocol 1.xx (only tracked with `follow_protocol_version`).
    protocol_1: bool,
}

impl Session {
    /// A new session on `library` for connection number `connection` from `peer`.
    pub fn new(
        shared: Arc<Shared>,
        library: Arc<Mutex<Library>>,
        connection: u64,
        peer: String,
    ) -> Session {
        let dialect = shared.opts.dialect.resolve();
        Session {
            shared,
            library,
            connection,
            peer,
            requests: 0,
            account: None,
            failed_logins: 0,
            dialect,
            last: None,
            protocol_1: false,
        }
    }

    /// The terminator responses use now (for the telnet prompts, too).
    pub fn terminator(&self) -> Terminator {
        self.dialect.terminator
    }

    /// Logs in as `login`/`password` (the telnet transport's prompts); true when accepted.
    pub fn login(&mut self, login: &str, password: &str) -> bool {
        let account = {
            let lib = self.lock();
            lib.account(login)
                .filter(|a| a.password == password)
                .cloned()
        };
        match account {
            Some(a) => {
                self.dialect = a.dialect.over(&self.shared.opts.dialect).resolve();
                self.account = Some(a);
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Library> {
        // A handler never panics while holding the lock, but a poisoned lock must not take the server down.
        self.library.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Handles one framed request (`raw` without its terminator), and offers it with its
    /// answer to the traffic log (`serve --log`) when there is one.
    pub fn handle(&mut self, raw: &[u8], terminator: Terminator, leading_lf: bool) -> Action {
        let action = self.answer(raw, terminator, leading_lf);
        if self.shared.logs_traffic() {
            let silent = self.shared.opts.faults.silent;
            let mut request = raw.to_vec();
            request.extend_from_slice(terminator.bytes());
            self.shared.log_traffic(Traffic {
                at: std::time::SystemTime::now(),
                connection: self.connection,
                peer: self.peer.clone(),
                index: self.requests,
                encoding: self.dialect.encoding,
                request,
                reply: match &action {
                    Action::Reply(bytes) if !silent => Reply::Sent(bytes.clone()),
                    Action::ReplyThenClose(bytes) if !silent => {
                        Reply::SentThenClosed(bytes.clone())
                    }
                    Action::Reply(_) | Action::Ignore => Reply::None,
                    Action::ReplyThenClose(_) | Action::Close => Reply::Closed,
                },
            });
        }
        action
    }

    fn answer(&mut self, raw: &[u8], terminator: Terminator, leading_lf: bool) -> Action {
        self.requests += 1;
        let strict = self.shared.opts.strict;
        let ctx = Context {
            terminator: Some(terminator),
            leading_lf,
            encoding: Some(self.dialect.encoding),
            error_detection: self.dialect.error_detection == Some(true),
            direction: Some(Direction::ScToAcs),
            ..Context::default()
        };
        // Parsed in place: the handlers only read the request, so nothing is copied.
        let (text, _) = self.dialect.encoding.decode(raw);
        let (analysis, checksum) = match sip2::analyze_in_place(raw, &text, &ctx) {
            Ok(a) => a,
            Err(e) => {
                if strict {
                    self.record(
                        raw,
                        terminator,
                        None,
                        format!("not a message: {e}"),
                        Vec::new(),
                    );
                }
                return if raw.is_empty() {
                    Action::Ignore
                } else {
                    self.resend()
                };
            }
        };
        let code = analysis.msg.code;
        if strict {
            let name = spec::message(code)
                .map_or("unknown message", |s| s.name)
                .to_string();
            self.record(
                raw,
                terminator,
                Some(code),
                name,
                analysis.violations.clone(),
            );
        }
        let faults = &self.shared.opts.faults;
        if faults.close_on == Some(code) {
            return Action::Close;
        }
        let checksums_on = self.dialect.error_detection.unwrap_or(checksum.present);
        if self.dialect.error_detection != Some(false) && checksum.valid == Some(false) {
            return self.sc_resend(true);
        }
        if faults.always_96 {
            return self.resend();
        }
        if code == MessageCode::REQUEST_ACS_RESEND {
            return match &self.last {
                Some(last) => Action::Reply(last.clone()),
                None => self.resend(),
            };
        }
        if code != MessageCode::LOGIN && self.dialect.login_required && self.account.is_none() {
            return match self.dialect.before_login {
                BeforeLogin::Close => Action::Close,
                BeforeLogin::Ignore => Action::Ignore,
            };
        }
        let handled = spec::message(code).is_some_and(|m| m.direction == Direction::ScToAcs);
        if let (false, Some(rule)) = (handled, self.dialect.unknown_message) {
            return match rule {
                UnknownMessage::Ignore => Action::Ignore,
                UnknownMessage::Resend => self.resend(),
                UnknownMessage::Close => Action::Close,
            };
        }
        let institution = self.institution();
        if !self.supported(code, &institution) {
            return match self.unsupported_policy(&institution) {
                Unsupported::Ignore => Action::Ignore,
                Unsupported::Resend => self.resend(),
            };
        }
        let msg = &analysis.msg;
        let reply = match code {
            MessageCode::LOGIN => self.login_message(msg),
            MessageCode::SC_STATUS => {
                if self.dialect.follow_protocol_version {
                    // Evergreen and Koha: "1." selects 1.00, "2." 2.00, anything else 1.00.
                    self.protocol_1 = !msg
                        .fixed_field("protocol_version")
                        .is_some_and(|v| v.starts_with("2."));
                }
                self.acs_status(&institution)
            }
            _ => {
                let dialect = self.dialect;
                let mut lib = self.lock();
                let mut ctx = Ctx {
                    lib: &mut lib,
                    institution: &institution,
                    dialect: &dialect,
                };
                dispatch(&mut ctx, msg)
            }
        };
        match reply {
            Ok(Some(m)) => {
                let seq = msg.trailer.as_ref().and_then(|t| t.seq);
                let bytes = self.finish(m, checksums_on, seq);
                if self.account.is_none()
                    && code == MessageCode::LOGIN
                    && self.failed_logins >= self.dialect.login_attempts
                {
                    return Action::ReplyThenClose(bytes);
                }
                Action::Reply(bytes)
            }
            Ok(None) => Action::Ignore,
            Err(_) => self.resend(),
        }
    }

    fn record(
        &self,
        raw: &[u8],
        terminator: Terminator,
        code: Option<MessageCode>,
        name: String,
        violations: Vec<sip2::Violation>,
    ) {
        let mut wire = raw.to_vec();
        wire.extend_from_slice(terminator.bytes());
        let text = String::from_utf8_lossy(&wire).into_owned();
        let masked = Redaction::Secrets.apply(text.trim_end_matches(['\r', '\n']));
        let mut shown = render::escape_wire(masked.as_bytes());
        shown.push_str(&render::escape_wire(terminator.bytes()));
        self.shared.record(RequestRecord {
            connection: self.connection,
            index: self.requests,
            peer: self.peer.clone(),
            code: code.map(|c| c.as_str().to_string()),
            name,
            raw: shown,
            violations,
        });
    }

    /// The institution the session answers for: the account's, else the library's first.
    fn institution(&self) -> String {
        match &self.account {
            Some(a) => a.institution.clone(),
            None => self
                .lock()
                .institutions
                .first()
                .map(|i| i.id.clone())
                .unwrap_or_default(),
        }
    }

    fn unsupported_policy(&self, institution: &str) -> Unsupported {
        self.lock()
            .institution(institution)
            .map_or(Unsupported::Ignore, |i| i.policy.unsupported)
    }

    /// True when the BX flag of request `code` is Y for `institution`.
    fn supported(&self, code: MessageCode, institution: &str) -> bool {
        let Some(pos) = spec::supported_position(code) else {
            return false;
        };
        bx_flags(&self.lock(), institution)
            .get(pos)
            .copied()
            .unwrap_or(false)
    }

    /// A 96, with AZ when error detection is on.
    fn resend(&self) -> Action {
        self.sc_resend(false)
    }

    /// A 96; `bad_checksum`: it answers a request whose checksum failed.
    fn sc_resend(&self, bad_checksum: bool) -> Action {
        let msg = Message::new(MessageCode::REQUEST_SC_RESEND, "");
        let mut bytes = self.dialect.encoding.encode_owned(sip2::encode(&msg));
        let fault = self.shared.opts.faults.bad_checksum;
        if self.dialect.error_detection == Some(true)
            || fault
            || (bad_checksum && self.dialect.resend_checksum)
        {
            checksum::append_trailer(&mut bytes, None);
            if fault {
                faults::corrupt_checksum(&mut bytes);
            }
        }
        // Koha prints its 96s itself, with a bare CR, whatever the account's terminator.
        let terminator = if self.dialect.bare_resend {
            Terminator::Cr
        } else {
            self.dialect.terminator
        };
        bytes.extend_from_slice(terminator.bytes());
        Action::Reply(bytes)
    }

    fn login_message(&mut self, msg: &Message) -> Result<Option<Message<'static>>, BuildError> {
        let algorithms_plain = msg.fixed_field("uid_algorithm") == Some("0")
            && msg.fixed_field("pwd_algorithm") == Some("0");
        let ok = algorithms_plain
            && self.login(
                msg.field(FieldId::CN).unwrap_or_default(),
                msg.field(FieldId::CO).unwrap_or_default(),
            );
        if ok {
            // A 93 is a 2.00 message: the session speaks 2.00 from now on (Evergreen, Koha).
            self.protocol_1 = false;
        } else {
            self.failed_logins += 1;
        }
        Ok(Some(build(
            MessageCode::LOGIN_RESPONSE,
            &[("ok", if ok { "1" } else { "0" })],
        )?))
    }

    fn acs_status(&self, institution: &str) -> Result<Option<Message<'static>>, BuildError> {
        let lib = self.lock();
        let Some(inst) = lib.institution(institution) else {
            return Ok(None);
        };
        let p = &inst.policy;
        let yn = |b: bool| if b { "Y" } else { "N" };
        let timeout = format!("{:03}", p.timeout.min(999));
        let retries = format!("{:03}", p.retries.min(999));
        let now = date::now();
        let bx: String = bx_flags(&lib, institution).iter().map(|b| yn(*b)).collect();
        let location = self
            .account
            .as_ref()
            .map_or_else(|| inst.id.clone(), |a| a.location.clone());
        let version = if self.protocol_1 { "1.00" } else { "2.00" };
        let mut m = build(
            MessageCode::ACS_STATUS,
            &[
                ("on_line_status", "Y"),
                ("checkin_ok", yn(p.checkin)),
                ("checkout_ok", yn(p.checkout)),
                ("acs_renewal_policy", yn(p.renewal)),
                ("status_update_ok", yn(p.status_update)),
                ("off_line_ok", yn(p.offline)),
                ("timeout_period", &timeout),
                ("retries_allowed", &retries),
                ("date_time_sync", &now),
                ("protocol_version", version),
            ],
        )?
        .with(FieldId::AO, inst.id.clone())
        .with(FieldId::AM, inst.name.clone());
        // BX is a 2.00 field (Evergreen's send_acs_status adds it only for protocol 2).
        if !self.protocol_1 {
            m.push(FieldId::BX, bx);
        }
        m.push(FieldId::AN, location);
        Ok(Some(m))
    }

    /// Orders fields, applies faults, encodes, adds the trailer and terminator; remembers it for 97.
    fn finish(
        &mut self,
        mut msg: Message<'static>,
        checksums_on: bool,
        seq: Option<u8>,
    ) -> Vec<u8> {
        let opts = &self.shared.opts;
        if let Some(s) = msg.spec() {
            spec_order(s, &mut msg);
        }
        // Library data may hold '|' or line breaks, which would split the field or the message
        // (spec section 3.1; Koha does the same replacement), or run past 255 characters
        // (Evergreen truncates, LP#1070470).
        for f in &mut msg.fields {
            if f.value.contains(['|', '\r', '\n']) {
                f.value = f.value.replace(['|', '\r', '\n'], " ").into();
            }
            if f.value.len() > MAX_VALUE_LEN {
                f.value = f
                    .value
                    .chars()
                    .take(MAX_VALUE_LEN)
                    .collect::<String>()
                    .into();
            }
        }
        match self.dialect.field_order {
            FieldOrder::Spec => {}
            FieldOrder::Reverse => msg.fields.reverse(),
            FieldOrder::Koha => koha_order(&mut msg),
        }
        opts.faults.apply(&mut msg);
        if opts.faults.garbage {
            let mut g = faults::garbage(
                self.connection
                    .wrapping_mul(1_000_003)
                    .wrapping_add(self.requests),
            );
            g.extend_from_slice(self.dialect.terminator.bytes());
            return g;
        }
        // Characters the account's encoding lacks become '?', as Evergreen's ASCII fallback does.
        let mut bytes = self.dialect.encoding.encode_owned(sip2::encode(&msg));
        if checksums_on || opts.faults.bad_checksum {
            checksum::append_trailer(&mut bytes, seq.or(opts.faults.bad_checksum.then_some(0)));
            if opts.faults.bad_checksum {
                faults::corrupt_checksum(&mut bytes);
            }
        }
        bytes.extend_from_slice(self.dialect.terminator.bytes());
        // Kept for a 97; the buffer is reused from one response to the next.
        let last = self.last.get_or_insert_with(Vec::new);
        last.clear();
        last.extend_from_slice(&bytes);
        bytes
    }
}

/// The 16 BX flags for `institution`: what this emulator answers, narrowed by the institution's policy.
/// Login, SC status and resend are always supported (a client needs them to read BX at all).
pub fn bx_flags(lib: &Library, institution: &str) -> [bool; 16] {
    let Some(inst) = lib.institution(institution) else {
        return [false; 16];
    };
    let p = &inst.policy;
    let mut flags = p.supported;
    for (code, allowed) in [
        (MessageCode::CHECKOUT, p.checkout),
        (MessageCode::CHECKIN, p.checkin),
        (MessageCode::RENEW, p.renewal),
        (MessageCode::RENEW_ALL, p.renewal),
        (MessageCode::ITEM_STATUS_UPDATE, p.status_update),
    ] {
        if let Some(f) = spec::supported_position(code).and_then(|i| flags.get_mut(i)) {
            *f = *f && allowed;
        }
    }
    for code in [
        MessageCode::SC_STATUS,
        MessageCode::LOGIN,
        MessageCode::REQUEST_ACS_RESEND,
    ] {
        if let Some(f) = spec::supported_position(code).and_then(|i| flags.get_mut(i)) {
            *f = true;
        }
    }
    flags
}

/// Koha's field order: `build_patron_status` writes AE and AA first and AO last (24, 26);
/// `handle_hold` (AA first) and `handle_renew` write AO just before AF and AG (16, 30).
fn koha_order(msg: &mut Message<'static>) {
    let take = |msg: &mut Message<'static>, id: FieldId| {
        let (taken, kept) = std::mem::take(&mut msg.fields)
            .into_iter()
            .partition::<Vec<_>, _>(|f| f.id == id);
        msg.fields = kept;
        taken
    };
    match msg.code {
        MessageCode::PATRON_STATUS_RESPONSE | MessageCode::PATRON_ENABLE_RESPONSE => {
            let ao = take(msg, FieldId::AO);
            let mut front = take(msg, FieldId::AE);
            front.extend(take(msg, FieldId::AA));
            front.append(&mut msg.fields);
            front.extend(ao);
            msg.fields = front;
        }
        MessageCode::HOLD_RESPONSE | MessageCode::RENEW_RESPONSE => {
            let ao = take(msg, FieldId::AO);
            if msg.code == MessageCode::HOLD_RESPONSE {
                let mut front = take(msg, FieldId::AA);
                front.append(&mut msg.fields);
                msg.fields = front;
            }
            let at = msg
                .fields
                .iter()
                .position(|f| f.id == FieldId::AF || f.id == FieldId::AG)
                .unwrap_or(msg.fields.len());
            msg.fields.splice(at..at, ao);
        }
        _ => {}
    }
}

fn dispatch(ctx: &mut Ctx, msg: &Message) -> Result<Option<Message<'static>>, BuildError> {
    let reply = match msg.code {
        MessageCode::PATRON_STATUS_REQUEST => handlers::patron_status(ctx, msg),
        MessageCode::PATRON_INFORMATION => handlers::patron_information(ctx, msg),
        MessageCode::CHECKOUT => handlers::checkout(ctx, msg),
        MessageCode::CHECKIN => handlers::checkin(ctx, msg),
        MessageCode::BLOCK_PATRON => handlers::block_patron(ctx, msg),
        MessageCode::PATRON_ENABLE => handlers::patron_enable(ctx, msg),
        MessageCode::HOLD => handlers::hold(ctx, msg),
        MessageCode::RENEW => handlers::renew(ctx, msg),
        MessageCode::RENEW_ALL => handlers::renew_all(ctx, msg),
        MessageCode::END_PATRON_SESSION => handlers::end_session(ctx, msg),
        MessageCode::FEE_PAID => handlers::fee_paid(ctx, msg),
        MessageCode::ITEM_INFORMATION => handlers::item_information(ctx, msg),
        MessageCode::ITEM_STATUS_UPDATE => handlers::item_status_update(ctx, msg),
        _ => return Ok(None),
    };
    reply.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acs::server::ServeOptions;
    use proptest::prelude::*;

    fn session(strict: bool) -> Session {
        Shared::test_session(
            Library::builtin(),
            ServeOptions {
                strict,
                ..ServeOptions::default()
            },
        )
    }

    fn reply(a: Action) -> String {
        match a {
            Action::Reply(b) => String::from_utf8_lossy(&b).into_owned(),
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    #[test]
    fn resend_97_and_96_follow_the_last_response() {
        let mut s = session(false);
        assert_eq!(reply(s.handle(b"97", Terminator::Cr, false)), "96\r");
        let login = reply(s.handle(b"9300CNsip_01|COsip_01|CPBR1|", Terminator::Cr, false));
        assert_eq!(login, "941\r");
        assert_eq!(reply(s.handle(b"97", Terminator::Cr, false)), login);
        assert_eq!(reply(s.handle(b"\x01\x02", Terminator::Cr, false)), "96\r");
        assert_eq!(s.handle(b"", Terminator::Cr, false), Action::Ignore);
        assert_eq!(s.handle(b"XX", Terminator::Cr, false), Action::Ignore);
    }

    #[test]
    fn delimiters_in_library_data_do_not_break_the_message() {
        let mut lib = Library::builtin();
        if let Some(p) = lib.patrons.get_mut("999999") {
            p.name = "Pipe|Name\r\nX".into();
        }
        if let Some(p) = lib.patrons.get_mut("miker") {
            p.name = "é".repeat(300);
        }
        let mut s = Shared::test_session(lib, ServeOptions::default());
        let r = reply(s.handle(
            b"2300120060101    084237AOBR1|AA999999|AC|",
            Terminator::Cr,
            false,
        ));
        assert!(r.contains("|AEPipe Name  X|"), "{r}");
        assert_eq!(r.matches('\r').count(), 1);
        let long = reply(s.handle(
            b"2300120060101    084237AOBR1|AAmiker|AC|",
            Terminator::Cr,
            false,
        ));
        assert!(long.contains(&format!("|AE{}|", "é".repeat(255))), "{long}");
    }

    #[test]
    fn the_tenth_failed_login_is_answered_then_the_connection_closes() {
        let mut s = session(false);
        for _ in 1..crate::acs::LOGIN_ATTEMPTS {
            assert_eq!(
                reply(s.handle(b"9300CNx|COy|", Terminator::Cr, false)),
                "940\r"
            );
        }
        assert_eq!(
            s.handle(b"9300CNx|COy|", Terminator::Cr, false),
            Action::ReplyThenClose(b"940\r".to_vec())
        );
    }

    fn request_code() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "23", "11", "09", "01", "99", "97", "93", "63", "35", "37", "17", "19", "25", "15",
            "29", "65", "94", "ZZ",
        ])
        .prop_map(str::to_string)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
            let mut s = session(true);
            let _ = s.handle(&bytes, Terminator::Cr, false);
        }

        #[test]
        fn message_shaped_input_never_panics_and_answers_are_one_line(
            code in request_code(),
            fixed in "[ 0-9YN+*-]{0,45}",
            fields in prop::collection::vec(("(A[A-Z]|B[A-Z]|C[A-Z])", "[ -{}~\u{e1}]{0,20}"), 0..8),
        ) {
            let mut s = session(true);
            let _ = s.handle(b"9300CNsip_01|COsip_01|CPBR1|", Terminator::Cr, false);
            let mut msg = format!("{code}{fixed}");
            for (id, v) in fields {
                msg.push_str(&format!("{id}{v}|"));
            }
            if let Action::Reply(bytes) = s.handle(msg.as_bytes(), Terminator::Cr, false) {
                prop_assert!(bytes.ends_with(b"\r"));
                prop_assert!(!bytes[..bytes.len() - 1].contains(&b'\r'));
            }
        }
    }
}
