//! `hex::decode` and `hex::decode_array` never panic and agree with a plain reference decoder
//! written here (odd length first, then the first character in string order that is not a hex
//! digit, then the length); whatever decodes re-encodes to the input in lowercase, and a txid
//! parsed from display hex shows as the same text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pegkit_core::Txid;
use pegkit_core::hex::{self, HexError};

fn reference(s: &str) -> Result<Vec<u8>, HexError> {
    if s.len() % 2 != 0 {
        return Err(HexError::OddLength { len: s.len() });
    }
    if let Some((index, _)) = s.bytes().enumerate().find(|(_, c)| !c.is_ascii_hexdigit()) {
        let ch = s[index..].chars().next().unwrap_or('\u{fffd}');
        return Err(HexError::InvalidChar { index, ch });
    }
    Ok(s.as_bytes()
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect())
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let want = reference(s);
    assert_eq!(hex::decode(s), want, "decode of {s:?}");
    let fixed = hex::decode_array::<32>(s);
    match &want {
        Ok(bytes) if bytes.len() == 32 => assert_eq!(fixed.map(Vec::from).as_ref(), Ok(bytes)),
        Ok(bytes) => assert_eq!(
            fixed,
            Err(HexError::WrongLength {
                expected: 32,
                got: bytes.len()
            })
        ),
        Err(e) => assert_eq!(fixed, Err(*e)),
    }
    if let Ok(bytes) = want {
        assert_eq!(hex::encode(&bytes), s.to_ascii_lowercase());
        if let Ok(txid) = s.parse::<Txid>() {
            assert_eq!(txid.to_string(), s.to_ascii_lowercase());
        }
    }
});
