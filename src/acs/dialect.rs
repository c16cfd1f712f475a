//! How the emulator speaks: transport and session rules (terminator, encoding, login, error
//! detection, 96s, field order) and the circulation choices the spec leaves open (flags, titles,
//! checkin of an item not on loan, a second checkout, optional fields).
//!
//! A [`Dialect`] leaves every knob optional; an account's dialect (library YAML) overrides the
//! server's (`serve` flags and `--dialect`), and [`Dialect::resolve`] fills what is still unset
//! with the emulator's own behaviour. [`Dialect::preset`] is the bundle of knobs that makes the
//! emulator answer like Evergreen, Koha or FOLIO; each choice cites the source it was read from.

use std::str::FromStr;

use crate::sip2::spec;
use crate::sip2::{Encoding, System, Terminator};

/// A knob's values and the names YAML uses for them (for the library file's schema).
pub trait Knob: Copy + 'static {
    /// Every value.
    const ALL: &'static [Self];
    /// The name YAML and help texts use.
    fn name(self) -> &'static str;
}

/// An enum of knob values with the names YAML uses and an error that lists them.
macro_rules! knob {
    ($(#[$doc:meta])* $name:ident, $what:literal {
        $($(#[$vdoc:meta])* $var:ident = $text:literal),+ $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vdoc])* $var),+
        }

        impl $name {
            /// Every value, in the order help texts list them.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The name YAML and help texts use.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$var => $text),+
                }
            }
        }

        impl Knob for $name {
            const ALL: &'static [Self] = $name::ALL;

            fn name(self) -> &'static str {
                $name::name(self)
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let lower = s.to_ascii_lowercase();
                $(if lower == $text {
                    return Ok($name::$var);
                })+
                Err(format!(
                    "unknown {} {s:?}; use {}",
                    $what,
                    [$($text),+].join(", ")
                ))
            }
        }
    };
}

knob! {
    /// The order of tagged fields in responses.
    FieldOrder, "field order" {
        /// The spec's template order (the default).
        Spec = "spec",
        /// The template order reversed (exercises clients that assume positions).
        Reverse = "reverse",
        /// Koha's: AE first and AO last in 24 and 26, AO just before AF/AG in 16 and 30.
        Koha = "koha",
    }
}

knob! {
    /// What a login-required session does with anything but a 93 (or 97) before a successful login.
    BeforeLogin, "before-login rule" {
        /// Close the connection without answering (Evergreen's and Koha's RAW transport).
        Close = "close",
        /// Answer nothing and keep the connection open (FOLIO, until a tenant is known).
        Ignore = "ignore",
    }
}

knob! {
    /// The answer to a message code the emulator has no handler for.
    UnknownMessage, "unknown-message rule" {
        /// No answer (the spec: receivers ignore what they do not understand).
        Ignore = "ignore",
        /// A 96 (Koha).
        Resend = "resend",
        /// Close the connection (Evergreen's SIPServer dies on it).
        Close = "close",
    }
}

knob! {
    /// The magnetic media flag of 12, 30 and 10.
    MagneticMedia, "magnetic media rule" {
        /// Y or N from the item.
        Item = "item",
        /// Always U (unknown), as FOLIO sends it.
        Unknown = "unknown",
    }
}

knob! {
    /// The desensitize flag of a 30 Renew Response.
    RenewalDesensitize, "renewal desensitize rule" {
        /// N: the item is already out, nothing to desensitize.
        No = "no",
        /// U (unknown), as FOLIO sends it.
        Unknown = "unknown",
    }
}

knob! {
    /// A 09 Checkin of a known item that is not on loan.
    CheckinNotOnLoan, "checkin rule" {
        /// ok 0, alert N (SIPtest.pm's demo ILS).
        Refuse = "refuse",
        /// ok 0, alert Y (Koha).
        Alert = "alert",
        /// ok 1: nothing to undo, no problem (Evergreen, FOLIO).
        Accept = "accept",
    }
}

knob! {
    /// AJ of a refused 10 Checkin Response.
    RefusedCheckinTitle, "refused checkin title rule" {
        /// The item's title, and no AJ for an unknown item.
        Title = "title",
        /// The item barcode the SC sent, so the kiosk can name the item (FOLIO).
        Barcode = "barcode",
    }
}

knob! {
    /// An 11 Checkout of an item the patron already has.
    SecondCheckout, "second checkout rule" {
        /// A renewal when SC renewal policy is Y, else refused (Evergreen).
        RenewIfAsked = "renew_if_asked",
        /// Always a renewal (Koha).
        Renew = "renew",
        /// Always refused (FOLIO: the item already has an open loan).
        Refuse = "refuse",
    }
}

knob! {
    /// BL (valid patron) in 12 and 30, which the spec does not define there.
    ChargeBl, "BL rule" {
        /// In every 12 and 30.
        Always = "always",
        /// Only in a refused 12, never in 30 (Evergreen, Koha).
        Refused = "refused",
        /// Never (FOLIO).
        Never = "never",
    }
}

knob! {
    /// The language of a 24 or 64 about a patron the library does not know.
    UnknownPatronLanguage, "language rule" {
        /// The request's language.
        Echo = "echo",
        /// 000 (unknown), as FOLIO sends it.
        Unknown = "unknown",
    }
}

/// The security marker of an 18 Item Information Response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityMarker {
    /// The item's marker.
    Item,
    /// Always this code (a security marker code of the spec table).
    Code(&'static str),
}

impl FromStr for SecurityMarker {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("item") {
            return Ok(SecurityMarker::Item);
        }
        let table = &spec::SECURITY_MARKER;
        table
            .values
            .iter()
            .find(|(code, _)| *code == s)
            .map(|(code, _)| SecurityMarker::Code(code))
            .ok_or_else(|| {
                let codes: Vec<&str> = table.values.iter().map(|(c, _)| *c).collect();
                format!(
                    "unknown security marker {s:?}; use item or one of {}",
                    codes.join(" ")
                )
            })
    }
}

/// The failed logins after which a connection is closed when no knob says otherwise.
pub const LOGIN_ATTEMPTS: u32 = 10;

/// A `--dialect` name the emulator has no preset for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the emulator has no {} preset; its presets are evergreen, koha, folio and emulator",
    .0.display_name()
)]
pub struct NoPreset(pub System);

/// Dialect knobs; `None` means "not set here".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dialect {
    /// Terminator of responses (CR by default).
    pub terminator: Option<Terminator>,
    /// Encoding of requests and responses (UTF-8 by default).
    pub encoding: Option<Encoding>,
    /// The first message must be a successful 93 Login.
    pub login_required: Option<bool>,
    /// What a login-required session does with other messages first (close by default).
    pub before_login: Option<BeforeLogin>,
    /// Failed logins answered before the connection is closed (10 by default).
    pub login_attempts: Option<u32>,
    /// Forced on (every response has AZ) or off (no checksums, bad ones ignored); `None` = as
    /// Evergreen: on for a response when its request had a trailer.
    pub error_detection: Option<bool>,
    /// A 96 answering a bad checksum carries AZ (96AZFEF6).
    pub resend_checksum: Option<bool>,
    /// A 96 ends in CR whatever the terminator.
    pub bare_resend: Option<bool>,
    /// Answer to message codes without a handler; `None` = the institution's `unsupported` rule.
    pub unknown_message: Option<UnknownMessage>,
    /// A 99 whose protocol version starts with 1 gets a 98 for protocol 1.00, without BX.
    pub follow_protocol_version: Option<bool>,
    /// Field order of responses.
    pub field_order: Option<FieldOrder>,
    /// Magnetic media in 12, 30 and 10.
    pub magnetic_media: Option<MagneticMedia>,
    /// Desensitize in 30.
    pub renewal_desensitize: Option<RenewalDesensitize>,
    /// A checkin of an item that is not on loan.
    pub checkin_not_on_loan: Option<CheckinNotOnLoan>,
    /// AJ of a refused checkin.
    pub refused_checkin_title: Option<RefusedCheckinTitle>,
    /// AA (who had the item) in 10.
    pub checkin_patron: Option<bool>,
    /// A checkout of an item the patron already has.
    pub second_checkout: Option<SecondCheckout>,
    /// BL in 12 and 30.
    pub charge_bl: Option<ChargeBl>,
    /// Language of a 24 or 64 about an unknown patron.
    pub unknown_patron_language: Option<UnknownPatronLanguage>,
    /// PB, PC, PI and AQ (extension fields) in 64.
    pub patron_extensions: Option<bool>,
    /// Security marker in 18.
    pub security_marker: Option<SecurityMarker>,
}

impl Dialect {
    /// Every knob of `system`'s preset set; sirsi, sierra and polaris have none.
    ///
    /// Error detection stays "as the request" except for FOLIO, and unknown messages follow the
    /// institution's rule for the emulator preset, as without a preset.
    pub fn preset(system: System) -> Result<Dialect, NoPreset> {
        let emulator = Dialect {
            terminator: Some(Terminator::Cr),
            encoding: Some(Encoding::Utf8),
            login_required: Some(false),
            before_login: Some(BeforeLogin::Close),
            login_attempts: Some(LOGIN_ATTEMPTS),
            error_detection: None,
            resend_checksum: Some(false),
            bare_resend: Some(false),
            unknown_message: None,
            follow_protocol_version: Some(false),
            field_order: Some(FieldOrder::Spec),
            magnetic_media: Some(MagneticMedia::Item),
            renewal_desensitize: Some(RenewalDesensitize::No),
            checkin_not_on_loan: Some(CheckinNotOnLoan::Refuse),
            refused_checkin_title: Some(RefusedCheckinTitle::Title),
            checkin_patron: Some(true),
            second_checkout: Some(SecondCheckout::RenewIfAsked),
            charge_bl: Some(ChargeBl::Always),
            unknown_patron_language: Some(UnknownPatronLanguage::Echo),
            patron_extensions: Some(true),
            security_marker: Some(SecurityMarker::Item),
        };
        match system {
            System::Emulator => Ok(emulator),
            // Evergreen SIPServer (SIPServer.pm, Sip/MsgType.pm) with OpenILS::SIP behind it.
            System::Evergreen => Ok(Dialect {
                // raw_transport: the first message must be a 93 (99 only with
                // allow_sc_status_then_login), anything else dies; `$strikes = 3` logins.
                login_required: Some(true),
                login_attempts: Some(3),
                // MsgType::handle: a checksum failure prints REQUEST_SC_RESEND_CKSUM.
                resend_checksum: Some(true),
                // MsgType::handle calls the handler of an unknown message type, which is undef.
                unknown_message: Some(UnknownMessage::Close),
                // handle_sc_status: /^1\./ selects protocol 1; send_acs_status adds BX for 2 only.
                follow_protocol_version: Some(true),
                // OpenILS::SIP::Transaction::Checkin: NO_CHANGE "wasn't checked out anyway, no
                // problem", ok(1).
                checkin_not_on_loan: Some(CheckinNotOnLoan::Accept),
                // handle_checkout adds FID_VALID_PATRON only when the checkout failed;
                // handle_renew never does.
                charge_bl: Some(ChargeBl::Refused),
                ..emulator
            }),
            // Koha C4/SIP (SIPServer.pm, Sip.pm, Sip/MsgType.pm, ILS/Transaction/*.pm).
            System::Koha => Ok(Dialect {
                // Sip.pm write_msg: CR only when the account says terminator="CR".
                terminator: Some(Terminator::CrLf),
                // raw_transport: `last if $input !~ LOGIN`, then "Login failed shutting down".
                login_required: Some(true),
                resend_checksum: Some(true),
                // MsgType::handle: "No handler defined" prints REQUEST_SC_RESEND; both 96s are
                // printed with "\r", not through write_msg.
                unknown_message: Some(UnknownMessage::Resend),
                bare_resend: Some(true),
                follow_protocol_version: Some(true),
                // build_patron_status adds FID_PERSONAL_NAME first and FID_INST_ID last.
                field_order: Some(FieldOrder::Koha),
                // Transaction/Checkin.pm: AddReturn returns false with NotIssued (unless the
                // account sets checked_in_ok); alert(!$return).
                checkin_not_on_loan: Some(CheckinNotOnLoan::Alert),
                // Transaction/Checkout.pm: RENEW_ISSUE "Item already checked out to you:
                // renewing item", whatever the SC renewal policy.
                second_checkout: Some(SecondCheckout::Renew),
                charge_bl: Some(ChargeBl::Refused),
                ..emulator
            }),
            // FOLIO edge-sip2 (MainVerticle.java, repositories/*.java, templates/*.ftl).
            System::Folio => Ok(Dialect {
                // MainVerticle: charset defaults to IBM850, errorDetectionEnabled to false.
                encoding: Some(Encoding::Cp850),
                error_detection: Some(false),
                // MainVerticle: "No tenant configured for address: message ignored."
                login_required: Some(true),
                before_login: Some(BeforeLogin::Ignore),
                // MainVerticle: "Error locating handler for command" and no answer.
                unknown_message: Some(UnknownMessage::Ignore),
                // CirculationRepository: magneticMedia(null) in 12, 30 and 10, desensitize
                // unset in 30; lib.ftl booleanToYorNorU prints U.
                magnetic_media: Some(MagneticMedia::Unknown),
                renewal_desensitize: Some(RenewalDesensitize::Unknown),
                // performCheckinCommand: ok when mod-circulation answers (it checks in items
                // without an open loan: CheckInByBarcodeTests.canCheckInAnItemWithoutAnOpenLoan),
                // the barcode as AJ when it refuses, and no patron identifier.
                checkin_not_on_loan: Some(CheckinNotOnLoan::Accept),
                refused_checkin_title: Some(RefusedCheckinTitle::Barcode),
                checkin_patron: Some(false),
                // mod-circulation's ExistingOpenLoanValidator refuses it; renewalOk(FALSE) in 12.
                second_checkout: Some(SecondCheckout::Refuse),
                // CheckoutResponse.ftl and RenewResponse.ftl have no BL.
                charge_bl: Some(ChargeBl::Never),
                // PatronRepository.invalidPatron: language(UNKNOWN).
                unknown_patron_language: Some(UnknownPatronLanguage::Unknown),
                // PatronInformationResponse.ftl has no PB, PC, PI or AQ.
                patron_extensions: Some(false),
                // ItemRepository: securityMarker(SecurityMarker.NONE).
                security_marker: Some(SecurityMarker::Code("01")),
                ..emulator
            }),
            System::Sirsi | System::Sierra | System::Polaris => Err(NoPreset(system)),
        }
    }

    /// This dialect with every unset knob taken from `defaults`.
    pub fn over(&self, defaults: &Dialect) -> Dialect {
        Dialect {
            terminator: self.terminator.or(defaults.terminator),
            encoding: self.encoding.or(defaults.encoding),
            login_required: self.login_required.or(defaults.login_required),
            before_login: self.before_login.or(defaults.before_login),
            login_attempts: self.login_attempts.or(defaults.login_attempts),
            error_detection: self.error_detection.or(defaults.error_detection),
            resend_checksum: self.resend_checksum.or(defaults.resend_checksum),
            bare_resend: self.bare_resend.or(defaults.bare_resend),
            unknown_message: self.unknown_message.or(defaults.unknown_message),
            follow_protocol_version: self
                .follow_protocol_version
                .or(defaults.follow_protocol_version),
            field_order: self.field_order.or(defaults.field_order),
            magnetic_media: self.magnetic_media.or(defaults.magnetic_media),
            renewal_desensitize: self.renewal_desensitize.or(defaults.renewal_desensitize),
            checkin_not_on_loan: self.checkin_not_on_loan.or(defaults.checkin_not_on_loan),
            refused_checkin_title: self
                .refused_checkin_title
                .or(defaults.refused_checkin_title),
            checkin_patron: self.checkin_patron.or(defaults.checkin_patron),
            second_checkout: self.second_checkout.or(defaults.second_checkout),
            charge_bl: self.charge_bl.or(defaults.charge_bl),
            unknown_patron_language: self
                .unknown_patron_language
                .or(defaults.unknown_patron_language),
            patron_extensions: self.patron_extensions.or(defaults.patron_extensions),
            security_marker: self.security_marker.or(defaults.security_marker),
        }
    }

    /// The knobs with the emulator's own behaviour for whatever is unset.
    pub fn resolve(&self) -> Resolved {
        Resolved {
            terminator: self.terminator.unwrap_or(Terminator::Cr),
            encoding: self.encoding.unwrap_or_default(),
            login_required: self.login_required.unwrap_or(false),
            before_login: self.before_login.unwrap_or(BeforeLogin::Close),
            login_attempts: self.login_attempts.unwrap_or(LOGIN_ATTEMPTS),
            error_detection: self.error_detection,
            resend_checksum: self.resend_checksum.unwrap_or(false),
            bare_resend: self.bare_resend.unwrap_or(false),
            unknown_message: self.unknown_message,
            follow_protocol_version: self.follow_protocol_version.unwrap_or(false),
            field_order: self.field_order.unwrap_or(FieldOrder::Spec),
            magnetic_media: self.magnetic_media.unwrap_or(MagneticMedia::Item),
            renewal_desensitize: self.renewal_desensitize.unwrap_or(RenewalDesensitize::No),
            checkin_not_on_loan: self.checkin_not_on_loan.unwrap_or(CheckinNotOnLoan::Refuse),
            refused_checkin_title: self
                .refused_checkin_title
                .unwrap_or(RefusedCheckinTitle::Title),
            checkin_patron: self.checkin_patron.unwrap_or(true),
            second_checkout: self.second_checkout.unwrap_or(SecondCheckout::RenewIfAsked),
            charge_bl: self.charge_bl.unwrap_or(ChargeBl::Always),
            unknown_patron_language: self
                .unknown_patron_language
                .unwrap_or(UnknownPatronLanguage::Echo),
            patron_extensions: self.patron_extensions.unwrap_or(true),
            security_marker: self.security_marker.unwrap_or(SecurityMarker::Item),
        }
    }
}

/// A dialect with every knob decided (error detection and unknown messages may stay open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    /// Terminator of responses.
    pub terminator: Terminator,
    /// Wire encoding.
    pub encoding: Encoding,
    /// Login must come first.
    pub login_required: bool,
    /// What happens to other messages before the login.
    pub before_login: BeforeLogin,
    /// Failed logins answered before the connection is closed.
    pub login_attempts: u32,
    /// Forced on/off, or None for "as the request".
    pub error_detection: Option<bool>,
    /// A 96 for a bad checksum carries AZ.
    pub resend_checksum: bool,
    /// A 96 ends in CR whatever the terminator.
    pub bare_resend: bool,
    /// Answer to codes without a handler, or None for the institution's rule.
    pub unknown_message: Option<UnknownMessage>,
    /// A 99 for protocol 1.xx is answered in 1.00.
    pub follow_protocol_version: bool,
    /// Field order of responses.
    pub field_order: FieldOrder,
    /// Magnetic media in 12, 30, 10.
    pub magnetic_media: MagneticMedia,
    /// Desensitize in 30.
    pub renewal_desensitize: RenewalDesensitize,
    /// Checkin of an item not on loan.
    pub checkin_not_on_loan: CheckinNotOnLoan,
    /// AJ of a refused checkin.
    pub refused_checkin_title: RefusedCheckinTitle,
    /// AA in 10.
    pub checkin_patron: bool,
    /// Second checkout by the same patron.
    pub second_checkout: SecondCheckout,
    /// BL in 12 and 30.
    pub charge_bl: ChargeBl,
    /// Language for an unknown patron.
    pub unknown_patron_language: UnknownPatronLanguage,
    /// PB, PC, PI, AQ in 64.
    pub patron_extensions: bool,
    /// Security marker in 18.
    pub security_marker: SecurityMarker,
}

/// The words [`parse_on_off`] takes (in any case) and what they mean.
pub const ON_OFF: [(&str, bool); 6] = [
    ("on", true),
    ("yes", true),
    ("true", true),
    ("off", false),
    ("no", false),
    ("false", false),
];

/// Parses `on`/`off` (also yes/no, true/false) for `--error-detection` and the YAML.
pub fn parse_on_off(s: &str) -> Result<bool, String> {
    let lower = s.to_ascii_lowercase();
    ON_OFF
        .iter()
        .find(|(word, _)| *word == lower)
        .map(|(_, on)| *on)
        .ok_or_else(|| format!("expected on or off, got {lower:?}"))
}

/// Parses a `--dialect` (or YAML `preset:`) name into that system's preset.
pub fn parse_preset(s: &str) -> Result<Dialect, String> {
    let system: System = s.parse()?;
    Dialect::preset(system).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_knobs_override_server_defaults_and_the_rest_is_built_in() {
        let server = Dialect {
            terminator: Some(Terminator::CrLf),
            encoding: Some(Encoding::Latin1),
            ..Dialect::default()
        };
        let account = Dialect {
            encoding: Some(Encoding::Cp850),
            error_detection: Some(true),
            ..Dialect::default()
        };
        let r = account.over(&server).resolve();
        assert_eq!(r.terminator, Terminator::CrLf);
        assert_eq!(r.encoding, Encoding::Cp850);
        assert_eq!(r.error_detection, Some(true));
        assert!(!r.login_required);
        assert_eq!(r.field_order, FieldOrder::Spec);
    }

    #[test]
    fn the_emulator_preset_is_the_behaviour_without_one() {
        let preset = Dialect::preset(System::Emulator).unwrap();
        assert_eq!(preset.resolve(), Dialect::default().resolve());
    }

    #[test]
    fn an_account_preset_wins_over_server_knobs_and_its_own_knobs_over_its_preset() {
        let server = Dialect {
            terminator: Some(Terminator::Lf),
            magnetic_media: Some(MagneticMedia::Unknown),
            ..Dialect::default()
        };
        let account = Dialect {
            charge_bl: Some(ChargeBl::Always),
            ..Dialect::default()
        }
        .over(&Dialect::preset(System::Koha).unwrap());
        let r = account.over(&server).resolve();
        assert_eq!(r.terminator, Terminator::CrLf, "Koha's terminator");
        assert_eq!(
            r.magnetic_media,
            MagneticMedia::Item,
            "Koha's, not the server's"
        );
        assert_eq!(r.charge_bl, ChargeBl::Always, "the account's own knob");
    }

    #[test]
    fn systems_without_a_preset_are_refused_naming_the_presets() {
        for sys in [System::Sirsi, System::Sierra, System::Polaris] {
            let e = Dialect::preset(sys).unwrap_err().to_string();
            assert!(e.contains("evergreen, koha, folio and emulator"), "{e}");
            assert!(e.contains(sys.display_name()), "{e}");
        }
        assert_eq!(
            parse_preset("FOLIO"),
            Dialect::preset(System::Folio).map_err(|e| e.to_string())
        );
        assert!(
            parse_preset("polaris")
                .unwrap_err()
                .contains("no Polaris preset")
        );
        assert!(parse_preset("alma").unwrap_err().contains("unknown system"));
    }

    #[test]
    fn names_parse_and_mistakes_are_explained() {
        assert_eq!("REVERSE".parse::<FieldOrder>(), Ok(FieldOrder::Reverse));
        assert_eq!("koha".parse::<FieldOrder>(), Ok(FieldOrder::Koha));
        let e = "sideways".parse::<FieldOrder>().unwrap_err();
        assert!(e.contains("spec, reverse, koha"), "{e}");
        assert_eq!(
            "renew_if_asked".parse::<SecondCheckout>(),
            Ok(SecondCheckout::RenewIfAsked)
        );
        assert_eq!(SecondCheckout::Refuse.name(), "refuse");
        assert_eq!(
            "00".parse::<SecurityMarker>(),
            Ok(SecurityMarker::Code("00"))
        );
        assert_eq!("Item".parse::<SecurityMarker>(), Ok(SecurityMarker::Item));
        assert!(
            "07".parse::<SecurityMarker>()
                .unwrap_err()
                .contains("00 01 02 03")
        );
        assert_eq!(parse_on_off("on"), Ok(true));
        assert_eq!(parse_on_off("off"), Ok(false));
        assert!(parse_on_off("maybe").is_err());
    }
}
