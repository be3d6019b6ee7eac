//! Lowercase hexadecimal encoding and strict decoding (either letter case accepted).

use crate::ErrorCode;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The lowercase hex digits.
const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The lowercase hex digit of the low nibble of `n`.
fn digit(n: u8) -> u8 {
    DIGITS.get(usize::from(n & 0x0f)).copied().unwrap_or(b'0')
}

/// Why a string is not hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HexError {
    /// The string has an odd number of characters.
    OddLength {
        /// Its length in characters.
        len: usize,
    },
    /// A character that is not `0-9`, `a-f` or `A-F`.
    InvalidChar {
        /// Byte offset of the character in the string.
        index: usize,
        /// The offending character.
        ch: char,
    },
    /// Well-formed hex of the wrong length for a fixed-size value.
    WrongLength {
        /// Bytes required.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OddLength { len } => write!(f, "hex string has odd length {len}"),
            Self::InvalidChar { index, ch } => {
                write!(
                    f,
                    "invalid hex character {} at position {index}",
                    crate::quote::QuotedChar(*ch)
                )
            }
            Self::WrongLength { expected, got } => {
                write!(f, "expected {expected} bytes, got {got}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for HexError {}

impl ErrorCode for HexError {
    fn code(&self) -> &'static str {
        match self {
            Self::OddLength { .. } | Self::InvalidChar { .. } => "invalid_hex",
            Self::WrongLength { .. } => "invalid_length",
        }
    }
}

/// Encodes `bytes` as lowercase hex.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for &b in bytes {
        out.push(char::from(digit(b >> 4)));
        out.push(char::from(digit(b)));
    }
    out
}

/// Writes `bytes` as lowercase hex, optionally in reverse byte order (Bitcoin's display order).
/// The digits go out 32 bytes at a time through one `write_str` each, not a character at a time.
pub(crate) fn write(f: &mut fmt::Formatter<'_>, bytes: &[u8], reversed: bool) -> fmt::Result {
    let mut buf = [0u8; 64];
    let mut fill = 0usize;
    let mut put = |f: &mut fmt::Formatter<'_>, b: u8| -> fmt::Result {
        if let Some(pair) = buf.get_mut(fill..fill.saturating_add(2)) {
            pair.copy_from_slice(&[digit(b >> 4), digit(b)]);
            fill = fill.saturating_add(2);
        }
        if fill == buf.len() {
            fill = 0;
            f.write_str(core::str::from_utf8(&buf).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    };
    if reversed {
        bytes.iter().rev().try_for_each(|&b| put(f, b))?;
    } else {
        bytes.iter().try_for_each(|&b| put(f, b))?;
    }
    let rest = buf.get(..fill).unwrap_or_default();
    f.write_str(core::str::from_utf8(rest).map_err(|_| fmt::Error)?)
}

/// The value of a hex digit, or [`NOT_HEX`] for any other byte.
fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c.wrapping_sub(b'0'),
        b'a'..=b'f' => c.wrapping_sub(b'a').wrapping_add(10),
        b'A'..=b'F' => c.wrapping_sub(b'A').wrapping_add(10),
        _ => NOT_HEX,
    }
}

/// What [`nibble`] returns for a byte that is not a hex digit: a bit no digit value has.
const NOT_HEX: u8 = 0x10;

fn invalid_char(s: &str, index: usize) -> HexError {
    let ch = s
        .get(index..)
        .and_then(|rest| rest.chars().next())
        .unwrap_or('\u{fffd}');
    HexError::InvalidChar { index, ch }
}

/// Decodes hex (either case) into bytes.
///
/// # Errors
/// [`HexError::OddLength`] or [`HexError::InvalidChar`].
pub fn decode(s: &str) -> Result<Vec<u8>, HexError> {
    if s.len() % 2 != 0 {
        return Err(HexError::OddLength { len: s.len() });
    }
    let mut out = alloc::vec![0u8; s.len() / 2];
    decode_into(s, &mut out)?;
    Ok(out)
}

/// Decodes hex of exactly `N` bytes.
///
/// # Errors
/// [`HexError::OddLength`], [`HexError::InvalidChar`], or [`HexError::WrongLength`].
pub fn decode_array<const N: usize>(s: &str) -> Result<[u8; N], HexError> {
    if s.len() % 2 != 0 {
        return Err(HexError::OddLength { len: s.len() });
    }
    let mut out = [0u8; N];
    if s.len() / 2 != N {
        // A bad character is reported before a wrong length, as for any other hex.
        decode(s)?;
        return Err(HexError::WrongLength {
            expected: N,
            got: s.len() / 2,
        });
    }
    decode_into(s, &mut out)?;
    Ok(out)
}

/// Decodes the even-length `s` into `out` (`s.len() / 2` bytes). Every character is checked;
/// the first one that is not a hex digit is the error. One copy for every array size.
#[inline(never)]
fn decode_into(s: &str, out: &mut [u8]) -> Result<(), HexError> {
    let mut seen = 0u8;
    for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        let (hi, lo) = match pair {
            &[hi, lo] => (nibble(hi), nibble(lo)),
            _ => (NOT_HEX, NOT_HEX),
        };
        seen |= hi | lo;
        *o = (hi << 4) | (lo & 0x0f);
    }
    if seen & NOT_HEX == 0 {
        return Ok(());
    }
    let index = s
        .bytes()
        .position(|c| nibble(c) == NOT_HEX)
        .unwrap_or_default();
    Err(invalid_char(s, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        assert_eq!(encode(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(decode("00ABff").unwrap(), [0x00, 0xab, 0xff]);
        assert_eq!(decode("abc"), Err(HexError::OddLength { len: 3 }));
        assert_eq!(
            decode("0g"),
            Err(HexError::InvalidChar { index: 1, ch: 'g' })
        );
        assert_eq!(
            decode("é"),
            Err(HexError::InvalidChar { index: 0, ch: 'é' })
        );
        assert_eq!(
            decode_array::<2>("aabbcc"),
            Err(HexError::WrongLength {
                expected: 2,
                got: 3
            })
        );
        assert_eq!(HexError::OddLength { len: 1 }.code(), "invalid_hex");
    }
    /// The decoder as first written (a digit at a time, the first bad character in string
    /// order), kept as the reference for the table-free fast one.
    fn reference_decode(s: &str) -> Result<Vec<u8>, HexError> {
        fn value(c: u8) -> Option<u8> {
            (c as char).to_digit(16).map(|d| d as u8)
        }
        if s.len() % 2 != 0 {
            return Err(HexError::OddLength { len: s.len() });
        }
        let mut out = Vec::new();
        for (i, pair) in s.as_bytes().chunks(2).enumerate() {
            let hi = value(pair[0]).ok_or_else(|| invalid_char(s, 2 * i))?;
            let lo = value(pair[1]).ok_or_else(|| invalid_char(s, 2 * i + 1))?;
            out.push(hi << 4 | lo);
        }
        Ok(out)
    }

    /// `write` through `Display`, forwards or reversed.
    struct Shown<'a>(&'a [u8], bool);

    impl fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write(f, self.0, self.1)
        }
    }

    proptest::proptest! {
        #[test]
        fn decode_equals_the_reference(s in "[0-9a-fA-FgG \u{e9}\u{1f600}]{0,70}") {
            proptest::prop_assert_eq!(decode(&s), reference_decode(&s));
            if let Ok(bytes) = reference_decode(&s) {
                proptest::prop_assert_eq!(encode(&bytes), s.to_ascii_lowercase());
                let fixed = decode_array::<4>(&s);
                if bytes.len() == 4 {
                    proptest::prop_assert_eq!(fixed.map(Vec::from), Ok(bytes));
                } else {
                    proptest::prop_assert_eq!(fixed, Err(HexError::WrongLength { expected: 4, got: bytes.len() }));
                }
            } else {
                proptest::prop_assert_eq!(decode_array::<4>(&s).map(Vec::from), reference_decode(&s));
            }
        }

        #[test]
        fn valid_hex_round_trips(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..80)) {
            let text = encode(&bytes);
            let reversed: Vec<u8> = bytes.iter().rev().copied().collect();
            proptest::prop_assert_eq!(alloc::format!("{}", Shown(&bytes, false)), text.clone());
            proptest::prop_assert_eq!(alloc::format!("{}", Shown(&bytes, true)), encode(&reversed));
            proptest::prop_assert_eq!(decode(&text), Ok(bytes.clone()));
            proptest::prop_assert_eq!(decode(&text.to_ascii_uppercase()), Ok(bytes));
        }
    }
}
