// Generated once from the SIP2 2.00 reference (3M rev 2.12, cross-checked against implementations;
// see README "The protocol table"). The single source of every message layout, field ID and code table.
// Edited by hand from now on; `sip2check spec --json` dumps it and CI compares that with the reference.

use super::code::{FieldId, MessageCode};
use super::spec::{
    CodeTable, Direction, FieldOrigin, FieldSpec, FieldUse, FixedSpec, FlagTable, ItemList, Kind,
    MessageSpec,
};

/// Code table: Y/N.
pub static YN: CodeTable = CodeTable {
    name: "Y/N",
    closed: true,
    numeric: false,
    note: "",
    values: &[("Y", "yes"), ("N", "no")],
};
/// Code table: Y/N/U.
pub static YNU: CodeTable = CodeTable {
    name: "Y/N/U",
    closed: true,
    numeric: false,
    note: "",
    values: &[
        ("Y", "yes"),
        ("N", "no"),
        ("U", "unknown (obsolete; treated as N)"),
    ],
};
/// Code table: 0/1.
pub static BIT01: CodeTable = CodeTable {
    name: "0/1",
    closed: true,
    numeric: false,
    note: "",
    values: &[("1", "ok / success"), ("0", "failure")],
};
/// Code table: algorithm.
pub static ALGORITHM: CodeTable = CodeTable {
    name: "algorithm",
    closed: false,
    numeric: false,
    note: "other values by SC/ACS agreement",
    values: &[("0", "not encrypted")],
};
/// Code table: item properties ok.
pub static ITEM_PROPS_OK: CodeTable = CodeTable {
    name: "item properties ok",
    closed: true,
    numeric: false,
    note: "",
    values: &[("1", "stored"), ("0", "not stored")],
};
/// Code table: circulation status.
pub static CIRCULATION_STATUS: CodeTable = CodeTable {
    name: "circulation status",
    closed: false,
    numeric: true,
    note: "field range 00-99; 00 and 14-99 undefined. node-sip2 names 01 'invalid or unknown item id'; Evergreen/Koha send 01 for an unknown item.",
    values: &[
        ("01", "other"),
        ("02", "on order"),
        ("03", "available"),
        ("04", "charged"),
        (
            "05",
            "charged; not to be recalled until earliest recall date",
        ),
        ("06", "in process"),
        ("07", "recalled"),
        ("08", "waiting on hold shelf"),
        ("09", "waiting to be re-shelved"),
        ("10", "in transit between library locations"),
        ("11", "claimed returned"),
        ("12", "lost"),
        ("13", "missing"),
    ],
};
/// Code table: security marker.
pub static SECURITY_MARKER: CodeTable = CodeTable {
    name: "security marker",
    closed: false,
    numeric: true,
    note: "Evergreen/Koha comment calls their '01' for unknown items 'Other', but 01 = none per spec.",
    values: &[
        ("00", "other"),
        ("01", "none"),
        ("02", "3M Tattle-Tape Security Strip"),
        ("03", "3M Whisper Tape"),
    ],
};
/// Code table: fee type.
pub static FEE_TYPE: CodeTable = CodeTable {
    name: "fee type",
    closed: false,
    numeric: true,
    note: "Range 01-99; only 01-09 are defined. NOT CONFIRMED: any definition of 10-12 (none of the sources surveyed defines them).",
    values: &[
        ("01", "other/unknown"),
        ("02", "administrative"),
        ("03", "damage"),
        ("04", "overdue"),
        ("05", "processing"),
        ("06", "rental"),
        ("07", "replacement"),
        ("08", "computer access charge"),
        ("09", "hold fee"),
    ],
};
/// Code table: payment type.
pub static PAYMENT_TYPE: CodeTable = CodeTable {
    name: "payment type",
    closed: false,
    numeric: true,
    note: "Range 00-99. Koha lets a site map one code to 'writeoff' (payment_type_writeoff).",
    values: &[
        ("00", "cash"),
        ("01", "VISA"),
        ("02", "credit card"),
        (
            "05",
            "extension: check (Envisionware payment extension as handled by Evergreen; evergreen-universe-rs sip2 crate)",
        ),
    ],
};
/// Code table: media type.
pub static MEDIA_TYPE: CodeTable = CodeTable {
    name: "media type",
    closed: false,
    numeric: true,
    note: "",
    values: &[
        ("000", "other"),
        ("001", "book"),
        ("002", "magazine"),
        ("003", "bound journal"),
        ("004", "audio tape"),
        ("005", "video tape"),
        ("006", "CD/CDROM"),
        ("007", "diskette"),
        ("008", "book with diskette"),
        ("009", "book with CD"),
        ("010", "book with audio tape"),
    ],
};
/// Code table: hold mode.
pub static HOLD_MODE: CodeTable = CodeTable {
    name: "hold mode",
    closed: true,
    numeric: false,
    note: "",
    values: &[
        ("+", "add patron to the item's hold queue"),
        ("-", "delete patron from the hold queue"),
        ("*", "change the hold to match the message"),
    ],
};
/// Code table: hold type.
pub static HOLD_TYPE: CodeTable = CodeTable {
    name: "hold type",
    closed: false,
    numeric: true,
    note: "",
    values: &[
        ("1", "other"),
        ("2", "any copy of a title"),
        ("3", "a specific copy of a title"),
        ("4", "any copy at a single branch or sublocation"),
    ],
};
/// Code table: sc status code.
pub static SC_STATUS_CODE: CodeTable = CodeTable {
    name: "sc status code",
    closed: true,
    numeric: true,
    note: "",
    values: &[
        ("0", "SC unit is OK"),
        ("1", "SC printer is out of paper"),
        ("2", "SC is about to shut down"),
    ],
};
/// Code table: language.
pub static LANGUAGE: CodeTable = CodeTable {
    name: "language",
    closed: false,
    numeric: true,
    note: "",
    values: &[
        ("000", "unknown (default)"),
        ("001", "English"),
        ("002", "French"),
        ("003", "German"),
        ("004", "Italian"),
        ("005", "Dutch"),
        ("006", "Swedish"),
        ("007", "Finnish"),
        ("008", "Spanish"),
        ("009", "Danish"),
        ("010", "Portuguese"),
        ("011", "Canadian-French"),
        ("012", "Norwegian"),
        ("013", "Hebrew"),
        ("014", "Japanese"),
        ("015", "Russian"),
        ("016", "Arabic"),
        ("017", "Polish"),
        ("018", "Greek"),
        ("019", "Chinese"),
        ("020", "Korean"),
        ("021", "North American Spanish"),
        ("022", "Tamil"),
        ("023", "Malay"),
        ("024", "United Kingdom"),
        ("025", "Icelandic"),
        ("026", "Belgian"),
        ("027", "Taiwanese"),
    ],
};
/// Code table: alert type.
pub static ALERT_TYPE: CodeTable = CodeTable {
    name: "alert type",
    closed: false,
    numeric: true,
    note: "",
    values: &[
        ("00", "unknown"),
        ("01", "hold for this library"),
        ("02", "hold for another library/branch"),
        ("03", "hold for ILL"),
        ("04", "send (transit) to another library/branch"),
        ("99", "other"),
    ],
};
/// Position table: patron status.
pub static PATRON_STATUS: FlagTable = FlagTable {
    name: "patron status",
    len: 14,
    positions: &[
        "charge privileges denied",
        "renewal privileges denied",
        "recall privileges denied",
        "hold privileges denied",
        "card reported lost",
        "too many items charged",
        "too many items overdue",
        "too many renewals",
        "too many claims of items returned",
        "too many items lost",
        "excessive outstanding fines",
        "excessive outstanding fees",
        "recall overdue",
        "too many items billed",
    ],
};
/// Position table: summary.
pub static SUMMARY: FlagTable = FlagTable {
    name: "summary",
    len: 10,
    positions: &[
        "hold items (AS)",
        "overdue items (AT)",
        "charged items (AU)",
        "fine items (AV)",
        "recall items (BU)",
        "unavailable holds (CD)",
    ],
};
/// Position table: supported messages.
pub static SUPPORTED_MESSAGES: FlagTable = FlagTable {
    name: "supported messages",
    len: 16,
    positions: &[
        "Patron Status Request (23/24)",
        "Checkout (11/12)",
        "Checkin (09/10)",
        "Block Patron (01/24)",
        "SC/ACS Status (99/98)",
        "Request SC/ACS Resend (97/96)",
        "Login (93/94)",
        "Patron Information (63/64)",
        "End Patron Session (35/36)",
        "Fee Paid (37/38)",
        "Item Information (17/18)",
        "Item Status Update (19/20)",
        "Patron Enable (25/26)",
        "Hold (15/16)",
        "Renew (29/30)",
        "Renew All (65/66)",
    ],
};

impl FieldId {
    /// patron identifier
    pub const AA: FieldId = FieldId(*b"AA");
    /// item identifier
    pub const AB: FieldId = FieldId(*b"AB");
    /// terminal password
    pub const AC: FieldId = FieldId(*b"AC");
    /// patron password
    pub const AD: FieldId = FieldId(*b"AD");
    /// personal name
    pub const AE: FieldId = FieldId(*b"AE");
    /// screen message
    pub const AF: FieldId = FieldId(*b"AF");
    /// print line
    pub const AG: FieldId = FieldId(*b"AG");
    /// due date
    pub const AH: FieldId = FieldId(*b"AH");
    /// title identifier
    pub const AJ: FieldId = FieldId(*b"AJ");
    /// blocked card msg
    pub const AL: FieldId = FieldId(*b"AL");
    /// library name
    pub const AM: FieldId = FieldId(*b"AM");
    /// terminal location
    pub const AN: FieldId = FieldId(*b"AN");
    /// institution id
    pub const AO: FieldId = FieldId(*b"AO");
    /// current location
    pub const AP: FieldId = FieldId(*b"AP");
    /// permanent location
    pub const AQ: FieldId = FieldId(*b"AQ");
    /// hold items
    pub const AS: FieldId = FieldId(*b"AS");
    /// overdue items
    pub const AT: FieldId = FieldId(*b"AT");
    /// charged items
    pub const AU: FieldId = FieldId(*b"AU");
    /// fine items
    pub const AV: FieldId = FieldId(*b"AV");
    /// sequence number
    pub const AY: FieldId = FieldId(*b"AY");
    /// checksum
    pub const AZ: FieldId = FieldId(*b"AZ");
    /// home address
    pub const BD: FieldId = FieldId(*b"BD");
    /// e-mail address
    pub const BE: FieldId = FieldId(*b"BE");
    /// home phone number
    pub const BF: FieldId = FieldId(*b"BF");
    /// owner
    pub const BG: FieldId = FieldId(*b"BG");
    /// currency type
    pub const BH: FieldId = FieldId(*b"BH");
    /// cancel
    pub const BI: FieldId = FieldId(*b"BI");
    /// transaction id
    pub const BK: FieldId = FieldId(*b"BK");
    /// valid patron
    pub const BL: FieldId = FieldId(*b"BL");
    /// renewed items
    pub const BM: FieldId = FieldId(*b"BM");
    /// unrenewed items
    pub const BN: FieldId = FieldId(*b"BN");
    /// fee acknowledged
    pub const BO: FieldId = FieldId(*b"BO");
    /// start item
    pub const BP: FieldId = FieldId(*b"BP");
    /// end item
    pub const BQ: FieldId = FieldId(*b"BQ");
    /// queue position
    pub const BR: FieldId = FieldId(*b"BR");
    /// pickup location
    pub const BS: FieldId = FieldId(*b"BS");
    /// fee type
    pub const BT: FieldId = FieldId(*b"BT");
    /// recall items
    pub const BU: FieldId = FieldId(*b"BU");
    /// fee amount
    pub const BV: FieldId = FieldId(*b"BV");
    /// expiration date
    pub const BW: FieldId = FieldId(*b"BW");
    /// supported messages
    pub const BX: FieldId = FieldId(*b"BX");
    /// hold type
    pub const BY: FieldId = FieldId(*b"BY");
    /// hold items limit
    pub const BZ: FieldId = FieldId(*b"BZ");
    /// overdue items limit
    pub const CA: FieldId = FieldId(*b"CA");
    /// charged items limit
    pub const CB: FieldId = FieldId(*b"CB");
    /// fee limit
    pub const CC: FieldId = FieldId(*b"CC");
    /// unavailable hold items
    pub const CD: FieldId = FieldId(*b"CD");
    /// hold queue length
    pub const CF: FieldId = FieldId(*b"CF");
    /// fee identifier
    pub const CG: FieldId = FieldId(*b"CG");
    /// item properties
    pub const CH: FieldId = FieldId(*b"CH");
    /// security inhibit
    pub const CI: FieldId = FieldId(*b"CI");
    /// recall date
    pub const CJ: FieldId = FieldId(*b"CJ");
    /// media type
    pub const CK: FieldId = FieldId(*b"CK");
    /// sort bin
    pub const CL: FieldId = FieldId(*b"CL");
    /// hold pickup date
    pub const CM: FieldId = FieldId(*b"CM");
    /// login user id
    pub const CN: FieldId = FieldId(*b"CN");
    /// login password
    pub const CO: FieldId = FieldId(*b"CO");
    /// location code
    pub const CP: FieldId = FieldId(*b"CP");
    /// valid patron password
    pub const CQ: FieldId = FieldId(*b"CQ");
    /// collection code (extension)
    pub const CR: FieldId = FieldId(*b"CR");
    /// call number (extension)
    pub const CS: FieldId = FieldId(*b"CS");
    /// destination location (extension)
    pub const CT: FieldId = FieldId(*b"CT");
    /// alert type (extension)
    pub const CV: FieldId = FieldId(*b"CV");
    /// hold patron id (extension)
    pub const CY: FieldId = FieldId(*b"CY");
    /// hold patron name (extension)
    pub const DA: FieldId = FieldId(*b"DA");
    /// patron expiration date  -OR-  PAC access type (extension)
    pub const PA: FieldId = FieldId(*b"PA");
    /// patron birth date (extension)
    pub const PB: FieldId = FieldId(*b"PB");
    /// patron class / profile (extension)
    pub const PC: FieldId = FieldId(*b"PC");
    /// patron internet profile (extension)
    pub const PI: FieldId = FieldId(*b"PI");
    /// patron group (extension)
    pub const PT: FieldId = FieldId(*b"PT");
    /// patron type (extension)
    pub const ZY: FieldId = FieldId(*b"ZY");
    /// patron internal id (extension)
    pub const XI: FieldId = FieldId(*b"XI");
    /// register login (extension)
    pub const OR: FieldId = FieldId(*b"OR");
    /// check number (extension)
    pub const RN: FieldId = FieldId(*b"RN");
    /// bib id (extension)
    pub const MA: FieldId = FieldId(*b"MA");
    /// ISBN (extension)
    pub const MB: FieldId = FieldId(*b"MB");
    /// LCCN (extension)
    pub const MC: FieldId = FieldId(*b"MC");
    /// fee remaining (money) (extension)
    pub const FA: FieldId = FieldId(*b"FA");
    /// account item identifier (extension)
    pub const FB: FieldId = FieldId(*b"FB");
    /// account creation date (extension)
    pub const FC: FieldId = FieldId(*b"FC");
    /// item title (extension)
    pub const FD: FieldId = FieldId(*b"FD");
    /// account fee id (extension)
    pub const FE: FieldId = FieldId(*b"FE");
    /// account fee type (extension)
    pub const FF: FieldId = FieldId(*b"FF");
    /// fee paid (money) (extension)
    pub const FG: FieldId = FieldId(*b"FG");
    /// borrower type (extension)
    pub const FU: FieldId = FieldId(*b"FU");
    /// borrower type description (extension)
    pub const FV: FieldId = FieldId(*b"FV");
}

impl MessageCode {
    /// 01 Block Patron
    pub const BLOCK_PATRON: MessageCode = MessageCode(*b"01");
    /// 09 Checkin
    pub const CHECKIN: MessageCode = MessageCode(*b"09");
    /// 11 Checkout
    pub const CHECKOUT: MessageCode = MessageCode(*b"11");
    /// 15 Hold
    pub const HOLD: MessageCode = MessageCode(*b"15");
    /// 17 Item Information
    pub const ITEM_INFORMATION: MessageCode = MessageCode(*b"17");
    /// 19 Item Status Update
    pub const ITEM_STATUS_UPDATE: MessageCode = MessageCode(*b"19");
    /// 23 Patron Status Request
    pub const PATRON_STATUS_REQUEST: MessageCode = MessageCode(*b"23");
    /// 25 Patron Enable
    pub const PATRON_ENABLE: MessageCode = MessageCode(*b"25");
    /// 29 Renew
    pub const RENEW: MessageCode = MessageCode(*b"29");
    /// 35 End Patron Session
    pub const END_PATRON_SESSION: MessageCode = MessageCode(*b"35");
    /// 37 Fee Paid
    pub const FEE_PAID: MessageCode = MessageCode(*b"37");
    /// 63 Patron Information
    pub const PATRON_INFORMATION: MessageCode = MessageCode(*b"63");
    /// 65 Renew All
    pub const RENEW_ALL: MessageCode = MessageCode(*b"65");
    /// 93 Login
    pub const LOGIN: MessageCode = MessageCode(*b"93");
    /// 97 Request ACS Resend
    pub const REQUEST_ACS_RESEND: MessageCode = MessageCode(*b"97");
    /// 99 SC Status
    pub const SC_STATUS: MessageCode = MessageCode(*b"99");
    /// 10 Checkin Response
    pub const CHECKIN_RESPONSE: MessageCode = MessageCode(*b"10");
    /// 12 Checkout Response
    pub const CHECKOUT_RESPONSE: MessageCode = MessageCode(*b"12");
    /// 16 Hold Response
    pub const HOLD_RESPONSE: MessageCode = MessageCode(*b"16");
    /// 18 Item Information Response
    pub const ITEM_INFORMATION_RESPONSE: MessageCode = MessageCode(*b"18");
    /// 20 Item Status Update Response
    pub const ITEM_STATUS_UPDATE_RESPONSE: MessageCode = MessageCode(*b"20");
    /// 24 Patron Status Response
    pub const PATRON_STATUS_RESPONSE: MessageCode = MessageCode(*b"24");
    /// 26 Patron Enable Response
    pub const PATRON_ENABLE_RESPONSE: MessageCode = MessageCode(*b"26");
    /// 30 Renew Response
    pub const RENEW_RESPONSE: MessageCode = MessageCode(*b"30");
    /// 36 End Session Response
    pub const END_SESSION_RESPONSE: MessageCode = MessageCode(*b"36");
    /// 38 Fee Paid Response
    pub const FEE_PAID_RESPONSE: MessageCode = MessageCode(*b"38");
    /// 64 Patron Information Response
    pub const PATRON_INFORMATION_RESPONSE: MessageCode = MessageCode(*b"64");
    /// 66 Renew All Response
    pub const RENEW_ALL_RESPONSE: MessageCode = MessageCode(*b"66");
    /// 94 Login Response
    pub const LOGIN_RESPONSE: MessageCode = MessageCode(*b"94");
    /// 96 Request SC Resend
    pub const REQUEST_SC_RESEND: MessageCode = MessageCode(*b"96");
    /// 98 ACS Status
    pub const ACS_STATUS: MessageCode = MessageCode(*b"98");
}

/// Every field ID sip2check knows: the 3M 2.00 standard, then extensions seen in the wild.
pub static FIELDS: &[FieldSpec] = &[
    FieldSpec {
        id: FieldId::AA,
        name: "patron identifier",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::AB,
        name: "item identifier",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "item barcode",
    },
    FieldSpec {
        id: FieldId::AC,
        name: "terminal password",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: true,
        personal: false,
        note: "SC unit password; zero length when unused but required",
    },
    FieldSpec {
        id: FieldId::AD,
        name: "patron password",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: true,
        personal: false,
        note: "patron PIN; zero length when unused but required",
    },
    FieldSpec {
        id: FieldId::AE,
        name: "personal name",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: true,
        note: "",
    },
    FieldSpec {
        id: FieldId::AF,
        name: "screen message",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "one field per screen line; never required",
    },
    FieldSpec {
        id: FieldId::AG,
        name: "print line",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "one field per printer line; never required",
    },
    FieldSpec {
        id: FieldId::AH,
        name: "due date",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "free format (not necessarily YYYYMMDDZZZZHHMMSS); Evergreen/Koha send the 18-char form, Koha optionally a localized date, some ILSs ISO 'YYYY-MM-DD HH:MM:SS'",
    },
    FieldSpec {
        id: FieldId::AJ,
        name: "title identifier",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "bib number or title string",
    },
    FieldSpec {
        id: FieldId::AL,
        name: "blocked card msg",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "reason the card was blocked",
    },
    FieldSpec {
        id: FieldId::AM,
        name: "library name",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::AN,
        name: "terminal location",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::AO,
        name: "institution id",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::AP,
        name: "current location",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::AQ,
        name: "permanent location",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "(extension use: home library in 64, Evergreen)",
    },
    FieldSpec {
        id: FieldId::AS,
        name: "hold items",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "64 only",
    },
    FieldSpec {
        id: FieldId::AT,
        name: "overdue items",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "64 only",
    },
    FieldSpec {
        id: FieldId::AU,
        name: "charged items",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "64 only",
    },
    FieldSpec {
        id: FieldId::AV,
        name: "fine items",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "64 only",
    },
    FieldSpec {
        id: FieldId::AY,
        name: "sequence number",
        kind: Kind::Sequence,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "error detection only",
    },
    FieldSpec {
        id: FieldId::AZ,
        name: "checksum",
        kind: Kind::Checksum,
        origin: FieldOrigin::Standard { since: "1.00" },
        secret: false,
        personal: false,
        note: "error detection only; always last",
    },
    FieldSpec {
        id: FieldId::BD,
        name: "home address",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: true,
        note: "",
    },
    FieldSpec {
        id: FieldId::BE,
        name: "e-mail address",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: true,
        note: "",
    },
    FieldSpec {
        id: FieldId::BF,
        name: "home phone number",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: true,
        note: "",
    },
    FieldSpec {
        id: FieldId::BG,
        name: "owner",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "owning institution/library",
    },
    FieldSpec {
        id: FieldId::BH,
        name: "currency type",
        kind: Kind::Currency,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "ISO 4217 alpha",
    },
    FieldSpec {
        id: FieldId::BI,
        name: "cancel",
        kind: Kind::Code(&YN),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::BK,
        name: "transaction id",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "assigned by ACS or payment device",
    },
    FieldSpec {
        id: FieldId::BL,
        name: "valid patron",
        kind: Kind::Code(&YN),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::BM,
        name: "renewed items",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "66 only",
    },
    FieldSpec {
        id: FieldId::BN,
        name: "unrenewed items",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "66 only; may include reason",
    },
    FieldSpec {
        id: FieldId::BO,
        name: "fee acknowledged",
        kind: Kind::Code(&YN),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::BP,
        name: "start item",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "1-based list index",
    },
    FieldSpec {
        id: FieldId::BQ,
        name: "end item",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "1-based list index (inclusive)",
    },
    FieldSpec {
        id: FieldId::BR,
        name: "queue position",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "numeric",
    },
    FieldSpec {
        id: FieldId::BS,
        name: "pickup location",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::BT,
        name: "fee type",
        kind: Kind::Code(&FEE_TYPE),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "codes.fee_type",
    },
    FieldSpec {
        id: FieldId::BU,
        name: "recall items",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "64 only",
    },
    FieldSpec {
        id: FieldId::BV,
        name: "fee amount",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "money in BH currency, e.g. '115.57'",
    },
    FieldSpec {
        id: FieldId::BW,
        name: "expiration date",
        kind: Kind::Date18,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "hold expiry",
    },
    FieldSpec {
        id: FieldId::BX,
        name: "supported messages",
        kind: Kind::Supported(&SUPPORTED_MESSAGES),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "codes.supported_messages",
    },
    FieldSpec {
        id: FieldId::BY,
        name: "hold type",
        kind: Kind::Code(&HOLD_TYPE),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "codes.hold_type",
    },
    FieldSpec {
        id: FieldId::BZ,
        name: "hold items limit",
        kind: Kind::Digits(4),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "0000-9999",
    },
    FieldSpec {
        id: FieldId::CA,
        name: "overdue items limit",
        kind: Kind::Digits(4),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "0000-9999",
    },
    FieldSpec {
        id: FieldId::CB,
        name: "charged items limit",
        kind: Kind::Digits(4),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "0000-9999",
    },
    FieldSpec {
        id: FieldId::CC,
        name: "fee limit",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "money",
    },
    FieldSpec {
        id: FieldId::CD,
        name: "unavailable hold items",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "64 only",
    },
    FieldSpec {
        id: FieldId::CF,
        name: "hold queue length",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "numeric",
    },
    FieldSpec {
        id: FieldId::CG,
        name: "fee identifier",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::CH,
        name: "item properties",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "opaque item data (weight, size, security marker...)",
    },
    FieldSpec {
        id: FieldId::CI,
        name: "security inhibit",
        kind: Kind::Code(&YN),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "Y = SC should ignore the item's security status",
    },
    FieldSpec {
        id: FieldId::CJ,
        name: "recall date",
        kind: Kind::Date18,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::CK,
        name: "media type",
        kind: Kind::Code(&MEDIA_TYPE),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "codes.media_type",
    },
    FieldSpec {
        id: FieldId::CL,
        name: "sort bin",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::CM,
        name: "hold pickup date",
        kind: Kind::Date18,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "spec text: 'the date that the hold expires'",
    },
    FieldSpec {
        id: FieldId::CN,
        name: "login user id",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::CO,
        name: "login password",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: true,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::CP,
        name: "location code",
        kind: Kind::Text,
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "SC location",
    },
    FieldSpec {
        id: FieldId::CQ,
        name: "valid patron password",
        kind: Kind::Code(&YN),
        origin: FieldOrigin::Standard { since: "2.00" },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::CR,
        name: "collection code",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "3M SIP2 extensions doc rev 1.20 (2005) per Evergreen/Koha comments; Koha, Evergreen, jsip2, pysip2, invenio-sip2",
            messages: "10, 18",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::CS,
        name: "call number",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "3M ext. rev 1.20; Koha, Evergreen, jsip2, FOLIO, pysip2",
            messages: "10, 18",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::CT,
        name: "destination location",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "3M ext. rev 1.20; Koha, Evergreen, jsip2",
            messages: "10, 18",
        },
        secret: false,
        personal: false,
        note: "FOLIO emits CT in 10 as 'pickup service point' (semantic variant)",
    },
    FieldSpec {
        id: FieldId::CV,
        name: "alert type",
        kind: Kind::Code(&ALERT_TYPE),
        origin: FieldOrigin::Extension {
            systems: "3M ext. rev 1.20; Koha, Evergreen, jsip2, FOLIO, evergreen-universe-rs",
            messages: "10",
        },
        secret: false,
        personal: false,
        note: "Koha option cv_send_00_on_success sends CV00",
    },
    FieldSpec {
        id: FieldId::CY,
        name: "hold patron id",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "3M ext. rev 1.20; Koha, Evergreen, jsip2",
            messages: "10",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::DA,
        name: "hold patron name",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "3M ext. rev 1.20; Koha, Evergreen, jsip2",
            messages: "10",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::PA,
        name: "patron expiration date  -OR-  PAC access type",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "CONFLICT: Evergreen/pysip2/SIP2Mediator/invenio = patron expire date (Envisionware); Koha ('Sip2.0 Extensions v1.00') and jsip2 = PAC access type",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "do not assume a meaning",
    },
    FieldSpec {
        id: FieldId::PB,
        name: "patron birth date",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Envisionware; Evergreen, Koha, jsip2, pysip2",
            messages: "64",
        },
        secret: false,
        personal: true,
        note: "",
    },
    FieldSpec {
        id: FieldId::PC,
        name: "patron class / profile",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Envisionware; Evergreen, Koha (patron category), pysip2",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::PI,
        name: "patron internet profile",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Evergreen, Koha ('application unknown')",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::PT,
        name: "patron group",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Voyager ESIP (per jsip2)",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::ZY,
        name: "patron type",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "jsip2 ('SIP2 extension', origin not stated)",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::XI,
        name: "patron internal id",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Evergreen (AMH)",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::OR,
        name: "register login",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Envisionware payment-kiosk/register extension; read by Evergreen (evergreen-universe-rs payment.rs; also in pysip2, SIP2Mediator, invenio-sip2 field lists)",
            messages: "37",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::RN,
        name: "check number",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Envisionware payment extension; read by Evergreen (evergreen-universe-rs)",
            messages: "37",
        },
        secret: false,
        personal: false,
        note: "Evergreen uses it with payment type 05 (check)",
    },
    FieldSpec {
        id: FieldId::MA,
        name: "bib id",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Voyager ESIP (per jsip2)",
            messages: "15, 16",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::MB,
        name: "ISBN",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Voyager ESIP (per jsip2)",
            messages: "16",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::MC,
        name: "LCCN",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "Voyager ESIP (per jsip2)",
            messages: "16",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::FA,
        name: "fee remaining (money)",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "FOLIO edge-sip2",
            messages: "38, 64",
        },
        secret: false,
        personal: false,
        note: "FOLIO formats money with grouping, e.g. '1,234.50'",
    },
    FieldSpec {
        id: FieldId::FB,
        name: "account item identifier",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "FOLIO edge-sip2",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::FC,
        name: "account creation date",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "FOLIO edge-sip2 (template macro named 'Gossip' date)",
            messages: "38, 64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::FD,
        name: "item title",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "FOLIO edge-sip2",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::FE,
        name: "account fee id",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "FOLIO edge-sip2",
            messages: "38, 64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::FF,
        name: "account fee type",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "FOLIO edge-sip2",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::FG,
        name: "fee paid (money)",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "FOLIO edge-sip2",
            messages: "38",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::FU,
        name: "borrower type",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "FOLIO edge-sip2",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
    FieldSpec {
        id: FieldId::FV,
        name: "borrower type description",
        kind: Kind::Text,
        origin: FieldOrigin::Extension {
            systems: "FOLIO edge-sip2",
            messages: "64",
        },
        secret: false,
        personal: false,
        note: "",
    },
];

/// All 31 SIP2 2.00 messages: requests (SC to ACS) first, then responses (ACS to SC).
pub static MESSAGES: &[MessageSpec] = &[
    MessageSpec {
        code: MessageCode(*b"01"),
        name: "Block Patron",
        key: "block_patron",
        direction: Direction::ScToAcs,
        since: "1.00",
        response: Some(MessageCode(*b"24")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "card retained",
                key: "card_retained",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AL,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: true,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"09"),
        name: "Checkin",
        key: "checkin",
        direction: Direction::ScToAcs,
        since: "1.00",
        response: Some(MessageCode(*b"10")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "no block",
                key: "no_block",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
            FixedSpec {
                name: "return date",
                key: "return_date",
                len: 18,
                kind: Kind::Date18OrBlank,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AP,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BI,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"11"),
        name: "Checkout",
        key: "checkout",
        direction: Direction::ScToAcs,
        since: "1.00",
        response: Some(MessageCode(*b"12")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "SC renewal policy",
                key: "sc_renewal_policy",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "no block",
                key: "no_block",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
            FixedSpec {
                name: "nb due date",
                key: "nb_due_date",
                len: 18,
                kind: Kind::Date18OrBlank,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AD,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BO,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BI,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"15"),
        name: "Hold",
        key: "hold",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"16")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "hold mode",
                key: "hold_mode",
                len: 1,
                kind: Kind::Code(&HOLD_MODE),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::BW,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BS,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BY,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AD,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AJ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BO,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"17"),
        name: "Item Information",
        key: "item_information",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"18")),
        answers: &[],
        fixed: &[FixedSpec {
            name: "transaction date",
            key: "transaction_date",
            len: 18,
            kind: Kind::Date18,
        }],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"19"),
        name: "Item Status Update",
        key: "item_status_update",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"20")),
        answers: &[],
        fixed: &[FixedSpec {
            name: "transaction date",
            key: "transaction_date",
            len: 18,
            kind: Kind::Date18,
        }],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CH,
                required: true,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"23"),
        name: "Patron Status Request",
        key: "patron_status_request",
        direction: Direction::ScToAcs,
        since: "1.00",
        response: Some(MessageCode(*b"24")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "language",
                key: "language",
                len: 3,
                kind: Kind::Code(&LANGUAGE),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AD,
                required: true,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"25"),
        name: "Patron Enable",
        key: "patron_enable",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"26")),
        answers: &[],
        fixed: &[FixedSpec {
            name: "transaction date",
            key: "transaction_date",
            len: 18,
            kind: Kind::Date18,
        }],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AD,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"29"),
        name: "Renew",
        key: "renew",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"30")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "third party allowed",
                key: "third_party_allowed",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "no block",
                key: "no_block",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
            FixedSpec {
                name: "nb due date",
                key: "nb_due_date",
                len: 18,
                kind: Kind::Date18OrBlank,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AD,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AJ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BO,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"35"),
        name: "End Patron Session",
        key: "end_patron_session",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"36")),
        answers: &[],
        fixed: &[FixedSpec {
            name: "transaction date",
            key: "transaction_date",
            len: 18,
            kind: Kind::Date18,
        }],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AD,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"37"),
        name: "Fee Paid",
        key: "fee_paid",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"38")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
            FixedSpec {
                name: "fee type",
                key: "fee_type",
                len: 2,
                kind: Kind::Code(&FEE_TYPE),
            },
            FixedSpec {
                name: "payment type",
                key: "payment_type",
                len: 2,
                kind: Kind::Code(&PAYMENT_TYPE),
            },
            FixedSpec {
                name: "currency type",
                key: "currency_type",
                len: 3,
                kind: Kind::Currency,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::BV,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AD,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CG,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BK,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"63"),
        name: "Patron Information",
        key: "patron_information",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"64")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "language",
                key: "language",
                len: 3,
                kind: Kind::Code(&LANGUAGE),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
            FixedSpec {
                name: "summary",
                key: "summary",
                len: 10,
                kind: Kind::Flags(&SUMMARY),
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AD,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BP,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BQ,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"65"),
        name: "Renew All",
        key: "renew_all",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"66")),
        answers: &[],
        fixed: &[FixedSpec {
            name: "transaction date",
            key: "transaction_date",
            len: 18,
            kind: Kind::Date18,
        }],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AD,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AC,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BO,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"93"),
        name: "Login",
        key: "login",
        direction: Direction::ScToAcs,
        since: "2.00",
        response: Some(MessageCode(*b"94")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "UID algorithm",
                key: "uid_algorithm",
                len: 1,
                kind: Kind::Code(&ALGORITHM),
            },
            FixedSpec {
                name: "PWD algorithm",
                key: "pwd_algorithm",
                len: 1,
                kind: Kind::Code(&ALGORITHM),
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::CN,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CP,
                required: false,
                repeatable: false,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"97"),
        name: "Request ACS Resend",
        key: "request_acs_resend",
        direction: Direction::ScToAcs,
        since: "1.00",
        response: None,
        answers: &[],
        fixed: &[],
        fields: &[],
    },
    MessageSpec {
        code: MessageCode(*b"99"),
        name: "SC Status",
        key: "sc_status",
        direction: Direction::ScToAcs,
        since: "1.00",
        response: Some(MessageCode(*b"98")),
        answers: &[],
        fixed: &[
            FixedSpec {
                name: "status code",
                key: "status_code",
                len: 1,
                kind: Kind::Code(&SC_STATUS_CODE),
            },
            FixedSpec {
                name: "max print width",
                key: "max_print_width",
                len: 3,
                kind: Kind::Digits(3),
            },
            FixedSpec {
                name: "protocol version",
                key: "protocol_version",
                len: 4,
                kind: Kind::Version,
            },
        ],
        fields: &[],
    },
    MessageSpec {
        code: MessageCode(*b"10"),
        name: "Checkin Response",
        key: "checkin_response",
        direction: Direction::AcsToSc,
        since: "1.00",
        response: None,
        answers: &[MessageCode(*b"09")],
        fixed: &[
            FixedSpec {
                name: "ok",
                key: "ok",
                len: 1,
                kind: Kind::Code(&BIT01),
            },
            FixedSpec {
                name: "resensitize",
                key: "resensitize",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "magnetic media",
                key: "magnetic_media",
                len: 1,
                kind: Kind::Code(&YNU),
            },
            FixedSpec {
                name: "alert",
                key: "alert",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AQ,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AJ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CL,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CK,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"12"),
        name: "Checkout Response",
        key: "checkout_response",
        direction: Direction::AcsToSc,
        since: "1.00",
        response: None,
        answers: &[MessageCode(*b"11")],
        fixed: &[
            FixedSpec {
                name: "ok",
                key: "ok",
                len: 1,
                kind: Kind::Code(&BIT01),
            },
            FixedSpec {
                name: "renewal ok",
                key: "renewal_ok",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "magnetic media",
                key: "magnetic_media",
                len: 1,
                kind: Kind::Code(&YNU),
            },
            FixedSpec {
                name: "desensitize",
                key: "desensitize",
                len: 1,
                kind: Kind::Code(&YNU),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AJ,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AH,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BT,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CI,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BV,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CK,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BK,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"16"),
        name: "Hold Response",
        key: "hold_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"15")],
        fixed: &[
            FixedSpec {
                name: "ok",
                key: "ok",
                len: 1,
                kind: Kind::Code(&BIT01),
            },
            FixedSpec {
                name: "available",
                key: "available",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::BW,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BR,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BS,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AJ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"18"),
        name: "Item Information Response",
        key: "item_information_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"17")],
        fixed: &[
            FixedSpec {
                name: "circulation status",
                key: "circulation_status",
                len: 2,
                kind: Kind::Code(&CIRCULATION_STATUS),
            },
            FixedSpec {
                name: "security marker",
                key: "security_marker",
                len: 2,
                kind: Kind::Code(&SECURITY_MARKER),
            },
            FixedSpec {
                name: "fee type",
                key: "fee_type",
                len: 2,
                kind: Kind::Code(&FEE_TYPE),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::CF,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CJ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CM,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AJ,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BG,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BV,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CK,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AQ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AP,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"20"),
        name: "Item Status Update Response",
        key: "item_status_update_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"19")],
        fixed: &[
            FixedSpec {
                name: "item properties ok",
                key: "item_properties_ok",
                len: 1,
                kind: Kind::Code(&ITEM_PROPS_OK),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AB,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AJ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"24"),
        name: "Patron Status Response",
        key: "patron_status_response",
        direction: Direction::AcsToSc,
        since: "1.00",
        response: None,
        answers: &[MessageCode(*b"23"), MessageCode(*b"01")],
        fixed: &[
            FixedSpec {
                name: "patron status",
                key: "patron_status",
                len: 14,
                kind: Kind::Flags(&PATRON_STATUS),
            },
            FixedSpec {
                name: "language",
                key: "language",
                len: 3,
                kind: Kind::Code(&LANGUAGE),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AE,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BL,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CQ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BV,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"26"),
        name: "Patron Enable Response",
        key: "patron_enable_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"25")],
        fixed: &[
            FixedSpec {
                name: "patron status",
                key: "patron_status",
                len: 14,
                kind: Kind::Flags(&PATRON_STATUS),
            },
            FixedSpec {
                name: "language",
                key: "language",
                len: 3,
                kind: Kind::Code(&LANGUAGE),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AE,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BL,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CQ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"30"),
        name: "Renew Response",
        key: "renew_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"29")],
        fixed: &[
            FixedSpec {
                name: "ok",
                key: "ok",
                len: 1,
                kind: Kind::Code(&BIT01),
            },
            FixedSpec {
                name: "renewal ok",
                key: "renewal_ok",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "magnetic media",
                key: "magnetic_media",
                len: 1,
                kind: Kind::Code(&YNU),
            },
            FixedSpec {
                name: "desensitize",
                key: "desensitize",
                len: 1,
                kind: Kind::Code(&YNU),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AB,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AJ,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AH,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BT,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CI,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BV,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CK,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BK,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"36"),
        name: "End Session Response",
        key: "end_session_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"35")],
        fixed: &[
            FixedSpec {
                name: "end session",
                key: "end_session",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"38"),
        name: "Fee Paid Response",
        key: "fee_paid_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"37")],
        fixed: &[
            FixedSpec {
                name: "payment accepted",
                key: "payment_accepted",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BK,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"64"),
        name: "Patron Information Response",
        key: "patron_information_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"63")],
        fixed: &[
            FixedSpec {
                name: "patron status",
                key: "patron_status",
                len: 14,
                kind: Kind::Flags(&PATRON_STATUS),
            },
            FixedSpec {
                name: "language",
                key: "language",
                len: 3,
                kind: Kind::Code(&LANGUAGE),
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
            FixedSpec {
                name: "hold items count",
                key: "hold_items_count",
                len: 4,
                kind: Kind::Count4,
            },
            FixedSpec {
                name: "overdue items count",
                key: "overdue_items_count",
                len: 4,
                kind: Kind::Count4,
            },
            FixedSpec {
                name: "charged items count",
                key: "charged_items_count",
                len: 4,
                kind: Kind::Count4,
            },
            FixedSpec {
                name: "fine items count",
                key: "fine_items_count",
                len: 4,
                kind: Kind::Count4,
            },
            FixedSpec {
                name: "recall items count",
                key: "recall_items_count",
                len: 4,
                kind: Kind::Count4,
            },
            FixedSpec {
                name: "unavailable holds count",
                key: "unavailable_holds_count",
                len: 4,
                kind: Kind::Count4,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AA,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AE,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BZ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CA,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CB,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BL,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CQ,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BH,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BV,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::CC,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AS,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AT,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AU,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AV,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::BU,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::CD,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::BD,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BE,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BF,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"66"),
        name: "Renew All Response",
        key: "renew_all_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"65")],
        fixed: &[
            FixedSpec {
                name: "ok",
                key: "ok",
                len: 1,
                kind: Kind::Code(&BIT01),
            },
            FixedSpec {
                name: "renewed count",
                key: "renewed_count",
                len: 4,
                kind: Kind::Count4,
            },
            FixedSpec {
                name: "unrenewed count",
                key: "unrenewed_count",
                len: 4,
                kind: Kind::Count4,
            },
            FixedSpec {
                name: "transaction date",
                key: "transaction_date",
                len: 18,
                kind: Kind::Date18,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BM,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::BN,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
    MessageSpec {
        code: MessageCode(*b"94"),
        name: "Login Response",
        key: "login_response",
        direction: Direction::AcsToSc,
        since: "2.00",
        response: None,
        answers: &[MessageCode(*b"93")],
        fixed: &[FixedSpec {
            name: "ok",
            key: "ok",
            len: 1,
            kind: Kind::Code(&BIT01),
        }],
        fields: &[],
    },
    MessageSpec {
        code: MessageCode(*b"96"),
        name: "Request SC Resend",
        key: "request_sc_resend",
        direction: Direction::AcsToSc,
        since: "1.00",
        response: None,
        answers: &[],
        fixed: &[],
        fields: &[],
    },
    MessageSpec {
        code: MessageCode(*b"98"),
        name: "ACS Status",
        key: "acs_status",
        direction: Direction::AcsToSc,
        since: "1.00",
        response: None,
        answers: &[MessageCode(*b"99")],
        fixed: &[
            FixedSpec {
                name: "on-line status",
                key: "on_line_status",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "checkin ok",
                key: "checkin_ok",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "checkout ok",
                key: "checkout_ok",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "ACS renewal policy",
                key: "acs_renewal_policy",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "status update ok",
                key: "status_update_ok",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "off-line ok",
                key: "off_line_ok",
                len: 1,
                kind: Kind::Code(&YN),
            },
            FixedSpec {
                name: "timeout period",
                key: "timeout_period",
                len: 3,
                kind: Kind::Digits(3),
            },
            FixedSpec {
                name: "retries allowed",
                key: "retries_allowed",
                len: 3,
                kind: Kind::Digits(3),
            },
            FixedSpec {
                name: "date / time sync",
                key: "date_time_sync",
                len: 18,
                kind: Kind::Date18,
            },
            FixedSpec {
                name: "protocol version",
                key: "protocol_version",
                len: 4,
                kind: Kind::Version,
            },
        ],
        fields: &[
            FieldUse {
                id: FieldId::AO,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AM,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::BX,
                required: true,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AN,
                required: false,
                repeatable: false,
            },
            FieldUse {
                id: FieldId::AF,
                required: false,
                repeatable: true,
            },
            FieldUse {
                id: FieldId::AG,
                required: false,
                repeatable: true,
            },
        ],
    },
];

/// The item lists of the Patron Information Response: count field, list field, summary position (63).
pub static ITEM_LISTS: [ItemList; 6] = [
    ItemList {
        count: "hold_items_count",
        field: FieldId::AS,
        summary: 0,
    },
    ItemList {
        count: "overdue_items_count",
        field: FieldId::AT,
        summary: 1,
    },
    ItemList {
        count: "charged_items_count",
        field: FieldId::AU,
        summary: 2,
    },
    ItemList {
        count: "fine_items_count",
        field: FieldId::AV,
        summary: 3,
    },
    ItemList {
        count: "recall_items_count",
        field: FieldId::BU,
        summary: 4,
    },
    ItemList {
        count: "unavailable_holds_count",
        field: FieldId::CD,
        summary: 5,
    },
];

/// The counts of the Renew All Response (66) and the fields that list what they count.
pub static RENEW_ALL_LISTS: [(&str, FieldId); 2] = [
    ("renewed_count", FieldId::BM),
    ("unrenewed_count", FieldId::BN),
];
