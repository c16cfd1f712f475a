//! The AZ checksum (spec section 2) and recognition of the variants servers really compute.
//!
//! The spec sums every byte from the command code through the `Z` of `AZ`, keeps the low
//! 16 bits and writes the two's complement as four upper-case hex digits. Servers also sum
//! Unicode code points, or re-encode text first, and some write lower-case hex (field-notes P2).

use super::text::Encoding;

/// The checksum of `bytes` (everything through "AZ"), as the spec computes it.
pub fn compute(bytes: &[u8]) -> u16 {
    // Only the low 16 bits of the sum matter, and a wrapping u16 sum vectorises 16 bytes at a time.
    bytes
        .iter()
        .fold(0u16, |sum, &b| sum.wrapping_add(u16::from(b)))
        .wrapping_neg()
}

/// The checksum as the four upper-case hex digits that follow `AZ`.
pub fn hex(bytes: &[u8]) -> String {
    format!("{:04X}", compute(bytes))
}

/// Appends the trailer `AY<seq>AZ<hhhh>` (or `AZ<hhhh>` without a sequence number) to an encoded message.
pub fn append_trailer(bytes: &mut Vec<u8>, seq: Option<u8>) {
    if let Some(seq) = seq {
        bytes.extend_from_slice(b"AY");
        bytes.push(b'0' + seq % 10);
    }
    bytes.extend_from_slice(b"AZ");
    let sum = hex(bytes);
    bytes.extend_from_slice(sum.as_bytes());
}

/// What was summed to get a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The bytes as they were sent (the spec).
    Bytes,
    /// Unicode code points of the decoded text.
    CodePoints,
    /// The text re-encoded as UTF-8.
    Utf8,
    /// The text re-encoded as ISO-8859-1.
    Latin1,
    /// The text re-encoded as code page 850.
    Cp850,
    /// The text with every non-ASCII character replaced by `?`.
    AsciiReplaced,
}

impl Basis {
    /// Stable name used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Bytes => "bytes",
            Basis::CodePoints => "code-points",
            Basis::Utf8 => "utf-8",
            Basis::Latin1 => "latin1",
            Basis::Cp850 => "cp850",
            Basis::AsciiReplaced => "ascii-replaced",
        }
    }
}

/// The verdict on a message's checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumStatus {
    /// The message carried `AZ`.
    pub present: bool,
    /// The checksum verified over the bytes sent (None when absent).
    pub valid: Option<bool>,
    /// What the sender summed, when that could be recognised.
    pub basis: Option<Basis>,
    /// The checksum the spec asks for, over the bytes sent (None when absent).
    pub expected: Option<u16>,
    /// The sender wrote lower-case hex.
    pub lowercase: bool,
}

impl ChecksumStatus {
    /// No checksum in the message.
    pub fn absent() -> Self {
        ChecksumStatus {
            present: false,
            valid: None,
            basis: None,
            expected: None,
            lowercase: false,
        }
    }
}

/// Checks the trailer of one message.
///
/// `raw` is the message as sent, without its terminator; `text` is the same message decoded.
/// Returns `absent()` when the message does not end in `AZ` and four characters.
pub fn inspect(raw: &[u8], text: &str) -> ChecksumStatus {
    let Some(split) = raw.len().checked_sub(4) else {
        return ChecksumStatus::absent();
    };
    let (through_az, digits) = raw.split_at(split);
    if !through_az.ends_with(b"AZ") || digits.contains(&b'|') {
        return ChecksumStatus::absent();
    }
    let expected = compute(through_az);
    let sent = digits.iter().try_fold(0u16, |acc, &h| {
        let digit = char::from(h).to_digit(16)?;
        Some(acc << 4 | u16::try_from(digit).ok()?)
    });
    let lowercase = digits.iter().any(u8::is_ascii_lowercase);
    let valid = sent == Some(expected);
    let basis = match sent {
        Some(_) if valid => Some(Basis::Bytes),
        Some(value) => recognise(text, value),
        None => None,
    };
    ChecksumStatus {
        present: true,
        valid: Some(valid),
        basis,
        expected: Some(expected),
        lowercase,
    }
}

/// The checksum as servers that sum Unicode code points compute it (field-notes P2): the
/// variant `inspect` recognises, and what tests use to play such a server.
pub fn compute_code_points(text: &str) -> u16 {
    text.chars()
        .fold(0u16, |acc, c| acc.wrapping_add(c as u32 as u16))
        .wrapping_neg()
}

/// Tries the bases servers are known to use on the text through "AZ"; returns the first that gives `value`.
fn recognise(text: &str, value: u16) -> Option<Basis> {
    let text = text.get(..text.len().checked_sub(4)?)?;
    if compute_code_points(text) == value {
        return Some(Basis::CodePoints);
    }
    let candidates = [
        (Basis::Utf8, Encoding::Utf8),
        (Basis::Latin1, Encoding::Latin1),
        (Basis::Cp850, Encoding::Cp850),
        (Basis::AsciiReplaced, Encoding::Ascii),
    ];
    candidates
        .into_iter()
        .find(|(_, enc)| compute(&enc.encode(text)) == value)
        .map(|(basis, _)| basis)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors from the reference (spec section 2 and field-notes 3.2).
    const VALID: &[&str] = &[
        "97AZFEF5",
        "96AZFEF6",
        "941AY0AZFDFD",
        "941AY1AZFDFC",
        "9900802.00AY1AZFCA0",
        "9900302.00AY2AZFCA4",
        "9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B",
        "2300119960212    100239AOid_21|AA104000000105|AC|AD|AY2AZF271",
        "11YN19960212    10051419960212    100514AO|AA104000000105|AB000000000005792|AC|AY3AZEDC2",
        "01N19960213    162352AO|ALCARD BLOCK TEST|AA104000000705|AC|AY2AZF02F",
        "6300119980723    091905Y         AOInstitutionID|AAPatronID|BP00001|BQ00005|AY1AZEA83",
        "09N20210814    08345520210815    082755APlocation|AOinstitutionId|ABitemId|AC|BIN|AY3AZE6AF",
        "300NUU20080228    222232AOWOHLERS|AAX00000241|ABM02400028262|AJFolksongs of Britain and Ireland|AH5/23/2008,23:59|CH|AFOverride required to exceed renewal limit.|AY1AZCDA5",
        "1804020120110630    110249AB30007008503046|AJLe Pie\u{300}ge de Bogota|CK001|AQOSUL|APOSUL|BGOSUL|AH2011-10-28 23:59:59|CSPB LP DAL|AY7AZDCF8",
    ];

    #[test]
    fn reference_vectors_verify() {
        for m in VALID {
            let st = inspect(m.as_bytes(), m);
            assert_eq!(st.valid, Some(true), "{m}: expected {:?}", st.expected);
            assert_eq!(st.basis, Some(Basis::Bytes));
        }
    }

    #[test]
    fn folio_negative_vector_fails_and_names_the_right_sum() {
        let st = inspect(
            b"9300CNuser_id|COpassw0rd|AY1AZF595",
            "9300CNuser_id|COpassw0rd|AY1AZF595",
        );
        assert_eq!(st.valid, Some(false));
        assert_eq!(st.expected, Some(0xF594));
    }

    #[test]
    fn append_trailer_matches_vectors() {
        let mut b = b"941".to_vec();
        append_trailer(&mut b, Some(0));
        assert_eq!(b, b"941AY0AZFDFD");
        let mut b = b"97".to_vec();
        append_trailer(&mut b, None);
        assert_eq!(b, b"97AZFEF5");
    }

    #[test]
    fn code_point_checksum_is_recognised() {
        let body = "18030201AJcaf\u{e9}|AY1AZ";
        let cp = compute_code_points(body);
        let text = format!("{body}{cp:04X}");
        let st = inspect(text.as_bytes(), &text);
        assert_eq!(st.valid, Some(false));
        assert_eq!(st.basis, Some(Basis::CodePoints));
    }

    #[test]
    fn lowercase_hex_is_valid_but_noted() {
        let st = inspect(b"941AY0AZfdfd", "941AY0AZfdfd");
        assert_eq!((st.valid, st.lowercase), (Some(true), true));
    }

    #[test]
    fn long_messages_stay_four_digits() {
        let body = format!("64{}AZ", "z".repeat(2000));
        assert_eq!(hex(body.as_bytes()).len(), 4);
    }
}
