//! The realistic mix of responses the codec is measured on (`benches/codec.rs`,
//! `examples/codec_profile.rs`): a 64 with item lists, an 18, a 12, a 98 and a 24, each as a
//! self-check sees them from Evergreen (with AY/AZ, and AQ/BL where Evergreen adds them).

/// The five messages.
pub const MIX: [&str; 5] = [
    "64              00120261129    101500000200010003000100000000AOBR1|AA999999|AEDavid J. Fiander|BZ0010|CA0005|CB0020|BLY|CQY|BHUSD|BV5.00|CC25.00|AU1565921879|AU0440242746|AU660|BDSomewhere Street 2, Springfield|BEdavid@example.org|BF(519) 555 1234|PB19640925|PCPatrons|PIUnfiltered|AQBR1|AFWelcome back|AY4AZA8F9",
    "1803020120261129    101500CF0|AH20261213    235900|AB1565921879|AJPerl 5 desktop reference|BGBR1|CK001|AQBR1|APBR1|AY5AZE055",
    "121NNY20261129    101500AOBR1|AA999999|AB1565921879|AJPerl 5 desktop reference|AH20261213    235900|CK001|BLY|AY6AZE176",
    "98YYYYYN60000320261129    1015002.00AOBR1|AMExample Public Library|BXYYYYYYYYYYYYYYYY|AY7AZE530",
    "24              00120261129    101500AOBR1|AA999999|AEDavid J. Fiander|BLY|CQY|BHUSD|BV5.00|AY8AZE789",
];
