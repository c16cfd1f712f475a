//! The protocol version a session runs at (spec section 3): the 99 names the SC's version, the
//! 98 the ACS's, and a 93 login implies 2.00. In 1.00 mode the fields that 2.00 added (BX in 98)
//! are not required; the table's `since` says which those are.

use std::fmt;
use std::str::FromStr;

use super::code::MessageCode;
use super::message::Message;

/// A SIP protocol version, as a session agrees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Protocol {
    /// 1.00: what 2.00 added is not expected.
    V1,
    /// 2.00, the spec's version; the default, so that nothing is excused unless a session says so.
    #[default]
    V2,
}

impl Protocol {
    /// "1.00" or "2.00".
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::V1 => "1.00",
            Protocol::V2 => "2.00",
        }
    }

    /// The mode a version field `x.xx` selects, as Evergreen and Koha read the 99's: `2.` is
    /// 2.00, `1.` and anything else 1.00. Also reads the table's `since` values.
    pub fn of_version(version: &str) -> Protocol {
        match version.starts_with("2.") {
            true => Protocol::V2,
            false => Protocol::V1,
        }
    }

    /// The session's version once the SC has sent `msg`: a 93 implies 2.00, a 99 selects the
    /// version it names; other requests change nothing.
    pub fn after_request(self, msg: &Message) -> Protocol {
        match msg.code {
            MessageCode::LOGIN => Protocol::V2,
            MessageCode::SC_STATUS => msg
                .fixed_field("protocol_version")
                .map_or(self, Protocol::of_version),
            _ => self,
        }
    }

    /// The version a response `msg` is held to, and the session's from then on: a 98 naming
    /// 1.xx says the ACS speaks 1.00, and the older side's version is the one both speak. A 98
    /// with a malformed version excuses nothing (that is `fixed-format`'s finding).
    pub fn after_response(self, msg: &Message) -> Protocol {
        let acs_v1 = msg.code == MessageCode::ACS_STATUS
            && msg
                .fixed_field("protocol_version")
                .is_some_and(|v| v.starts_with("1."));
        match acs_v1 {
            true => Protocol::V1,
            false => self,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A version that is neither 1.00 nor 2.00.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown protocol version {0:?}: give 1.00 or 2.00")]
pub struct UnknownProtocol(String);

impl FromStr for Protocol {
    type Err = UnknownProtocol;

    fn from_str(s: &str) -> Result<Protocol, UnknownProtocol> {
        match s {
            "1.00" => Ok(Protocol::V1),
            "2.00" => Ok(Protocol::V2),
            _ => Err(UnknownProtocol(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc_status(version: &str) -> Message<'static> {
        Message::new(MessageCode::SC_STATUS, format!("0080{version}"))
    }

    fn acs_status(version: &str) -> Message<'static> {
        Message::new(
            MessageCode::ACS_STATUS,
            format!("YYYYYN01000320261129    084237{version}"),
        )
    }

    #[test]
    fn the_99_selects_the_mode_as_evergreen_and_koha_do() {
        for (version, want) in [
            ("1.00", Protocol::V1),
            ("1.50", Protocol::V1),
            ("2.00", Protocol::V2),
            ("2.10", Protocol::V2),
            ("3.00", Protocol::V1),
            ("x.yz", Protocol::V1),
        ] {
            for from in [Protocol::V1, Protocol::V2] {
                assert_eq!(from.after_request(&sc_status(version)), want, "{version}");
            }
        }
    }

    #[test]
    fn a_login_implies_2_00_and_other_requests_change_nothing() {
        let login = Message::new(MessageCode::LOGIN, "00");
        assert_eq!(Protocol::V1.after_request(&login), Protocol::V2);
        let status = Message::new(MessageCode::PATRON_STATUS_REQUEST, "001");
        assert_eq!(Protocol::V1.after_request(&status), Protocol::V1);
        assert_eq!(Protocol::V2.after_request(&status), Protocol::V2);
    }

    #[test]
    fn a_98_naming_1_00_lowers_the_session_and_nothing_raises_it() {
        assert_eq!(
            Protocol::V2.after_response(&acs_status("1.00")),
            Protocol::V1
        );
        assert_eq!(
            Protocol::V1.after_response(&acs_status("2.00")),
            Protocol::V1
        );
        assert_eq!(
            Protocol::V2.after_response(&acs_status("2.00")),
            Protocol::V2
        );
        // A malformed version is fixed-format's finding; it does not excuse BX.
        assert_eq!(
            Protocol::V2.after_response(&acs_status("?.??")),
            Protocol::V2
        );
    }

    #[test]
    fn parses_the_two_versions_only() {
        assert_eq!("1.00".parse(), Ok(Protocol::V1));
        assert_eq!("2.00".parse(), Ok(Protocol::V2));
        let e = "2.0".parse::<Protocol>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown protocol version \"2.0\": give 1.00 or 2.00"
        );
    }
}
