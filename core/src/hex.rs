//! Lowercase hexadecimal encoding and strict decoding (either letter case accepted).

use crate::ErrorCode;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

/// The lowercase hex digit of the low nibble of `n`.
fn digit(n: u8) -> char {
    char::from_digit(u32::from(n & 0x0f), 16).unwrap_or('0')
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
                write!(f, "invalid hex character {ch:?} at position {index}")
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
        out.push(digit(b >> 4));
        out.push(digit(b));
    }
    out
}

/// Writes `bytes` as lowercase hex, optionally in reverse byte order (Bitcoin's display order).
pub(crate) fn write(f: &mut fmt::Formatter<'_>, bytes: &[u8], reversed: bool) -> fmt::Result {
    let mut put = |b: u8| {
        f.write_char(digit(b >> 4))?;
        f.write_char(digit(b))
    };
    if reversed {
        bytes.iter().rev().try_for_each(|&b| put(b))
    } else {
        bytes.iter().try_for_each(|&b| put(b))
    }
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c.wrapping_sub(b'0')),
        b'a'..=b'f' => Some(c.wrapping_sub(b'a').wrapping_add(10)),
        b'A'..=b'F' => Some(c.wrapping_sub(b'A').wrapping_add(10)),
        _ => None,
    }
}

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
    let raw = s.as_bytes();
    if raw.len() % 2 != 0 {
        return Err(HexError::OddLength { len: raw.len() });
    }
    let mut out = Vec::with_capacity(raw.len() / 2);
    for (i, pair) in raw.chunks_exact(2).enumerate() {
        let at = i.saturating_mul(2);
        let &[hi, lo] = pair else {
            return Err(HexError::OddLength { len: raw.len() });
        };
        let hi = nibble(hi).ok_or_else(|| invalid_char(s, at))?;
        let lo = nibble(lo).ok_or_else(|| invalid_char(s, at.saturating_add(1)))?;
        out.push((hi << 4) | lo);
    }
    Ok(out)
}

/// Decodes hex of exactly `N` bytes.
///
/// # Errors
/// [`HexError::OddLength`], [`HexError::InvalidChar`], or [`HexError::WrongLength`].
pub fn decode_array<const N: usize>(s: &str) -> Result<[u8; N], HexError> {
    let bytes = decode(s)?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| HexError::WrongLength {
        expected: N,
        got: bytes.len(),
    })
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
}
