//! SIPtest.pm's `t/0001_checksum.t` ported to the codec: the 19 (checksum, message) pairs of
//! Evergreen SIPServer's checksum test, in the sorted order Perl runs them. The Perl file's first
//! case (the module loads) has no counterpart here.
//!
//! 18 pairs are `18` Item Information responses whose French titles are UTF-8 with accents in
//! decomposed form (NFD, a base letter followed by a combining mark); they are written with
//! `\u{...}` escapes so the exact bytes summed are visible. The checksum covers the bytes as
//! sent (spec section 2), so the composed spelling of the same title must give another sum.

use sip2check::sip2::checksum;

/// (expected checksum, message through `AZ`) from `t/0001_checksum.t`, sorted by checksum.
const PAIRS: &[(&str, &str)] = &[
    (
        "CD67",
        "1804020120110630    110249AB30007007632515|AJMeurtre a\u{300} Canton : (les dernie\u{300}res enque\u{302}tes du juge Ti)|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP GUL|AY1AZ",
    ),
    (
        "CE34",
        "1804020120110630    110250AB30007008619875|AJLe troisie\u{300}me homme suivi de Premie\u{300}re de\u{301}sillusion|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP GRE|AY6AZ",
    ),
    (
        "D050",
        "1804020120110630    110249AB30007008644659|AJLe diable de Blind River : une enque\u{302}te d'Alex McKnight|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP  HAM|AY9AZ",
    ),
    (
        "D0EC",
        "1804020120110630    110251AB30007001210128|AJTe\u{301}moin a\u{300} charge : huit nouvelles ine\u{301}dites|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP     CHR|AY2AZ",
    ),
    (
        "D852",
        "1804020120110630    110249AB30007008317298|AJUne e\u{301}pouse presque parfaite! |CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP COL|AY8AZ",
    ),
    (
        "D99C",
        "1804020120110630    110249AB30007008641556|AJLa sorcie\u{300}re de Portobello|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP  COE|AY0AZ",
    ),
    (
        "D9CF",
        "1804020120110630    110250AB30007001211936|AJL' E\u{301}nigme du clou chinois|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP     GUL|AY2AZ",
    ),
    (
        "DA50",
        "1804020120110630    110250AB30007008317199|AJLa touche e\u{301}toile : roman|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP  GRO|AY5AZ",
    ),
    (
        "DAE9",
        "1804020120110630    110251AB30007008637232|AJL'E mpire des loups : roman|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP   GRA|AY0AZ",
    ),
    (
        "DB4E",
        "1804020120110630    110249AB30007008637257|AJVie d'Isabelle Eberhardt |CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP   EAU|AY6AZ",
    ),
    (
        "DB4F",
        "1804020120110630    110251AB30007001210029|AJLa Mort n'est pas une fin|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP     CHR|AY9AZ",
    ),
    (
        "DB71",
        "1804020120110630    110251AB30007008637216|AJLa nuit du renard : roman|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-18 23:59:59|CSPB LP   CLA|AY3AZ",
    ),
    (
        "DBA5",
        "1804020120110630    110250AB30007007632564|AJAssassins et poe\u{300}tes|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP GUL|AY3AZ",
    ),
    (
        "DC23",
        "1804020120110630    110250AB30007008611161|AJUne vie n'est pas assez|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP GRO|AY4AZ",
    ),
    (
        "DCF8",
        "1804020120110630    110249AB30007008503046|AJLe Pie\u{300}ge de Bogota|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP DAL|AY7AZ",
    ),
    (
        "DD80",
        "1804020120110630    110251AB30007001210078|AJLe Miroir se brisa|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP     CHR|AY1AZ",
    ),
    (
        "E003",
        "1804020120110630    110251AB30007008432675|AJIncendiaire|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP CLE|AY8AZ",
    ),
    (
        "E174",
        "1804020120110630    110250AB30007008641424|AJLe zahir|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP COE|AY7AZ",
    ),
    ("FDFD", "941AY0AZ"),
];

#[test]
fn computed_checksum_equals_the_perl_suites_value() {
    assert_eq!(PAIRS.len(), 19);
    for (expected, message) in PAIRS {
        assert_eq!(
            checksum::hex(message.as_bytes()),
            *expected,
            "checksum({message})"
        );
    }
}

#[test]
fn message_with_its_checksum_verifies() {
    for (expected, message) in PAIRS {
        let full = format!("{message}{expected}");
        let status = checksum::inspect(full.as_bytes(), &full);
        assert!(status.present, "verify_cksum({full}): trailer not found");
        assert_eq!(status.valid, Some(true), "verify_cksum({full})");
        assert_eq!(status.basis, Some(checksum::Basis::Bytes), "{full}");
    }
}

#[test]
fn a_wrong_checksum_is_rejected_and_the_right_one_named() {
    for (expected, message) in PAIRS {
        let right = u16::from_str_radix(expected, 16).unwrap();
        let full = format!("{message}{:04X}", right ^ 1);
        let status = checksum::inspect(full.as_bytes(), &full);
        assert_eq!(status.valid, Some(false), "{full} must not verify");
        assert_eq!(status.expected, Some(right), "{full}");
    }
}

#[test]
fn composed_accents_are_other_bytes_and_another_checksum() {
    // The same title with precomposed letters (NFC): U+00E8 instead of "e" + U+0300.
    let composed = "1804020120110630    110249AB30007008503046|AJLe Pi\u{e8}ge de Bogota|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP DAL|AY7AZ";
    assert_eq!(checksum::hex(composed.as_bytes()), "DD3E");
    let full = format!("{composed}DCF8");
    assert_eq!(checksum::inspect(full.as_bytes(), &full).valid, Some(false));
}
