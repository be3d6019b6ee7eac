//! Output script descriptor checksums (BIP380): the eight characters after `#` that Bitcoin
//! Core computes and checks on import.

use crate::ErrorCode;
use alloc::string::String;
use core::fmt;

/// The characters a descriptor may contain, in the order that gives each its value (BIP380).
const INPUT_CHARSET: &[u8] =
    b"0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ ";
/// The bech32 alphabet, in which the checksum is written.
const CHECKSUM_CHARSET: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn polymod(c: u64, value: u64) -> u64 {
    const GENERATORS: [u64; 5] = [
        0xf5dee51989,
        0xa9fdca3312,
        0x1bab10e32d,
        0x3706b1677a,
        0x644d626ffd,
    ];
    let top = c >> 35;
    let mut c = ((c & 0x7_ffff_ffff) << 5) ^ value;
    for (bit, g) in GENERATORS.iter().enumerate() {
        if (top >> bit) & 1 == 1 {
            c ^= g;
        }
    }
    c
}

/// A descriptor checksum could not be computed or did not match.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChecksumError {
    /// A character outside BIP380's input character set.
    InvalidCharacter {
        /// The character.
        character: char,
        /// Its byte offset in the descriptor.
        position: usize,
    },
    /// The `#` suffix is not 8 characters.
    InvalidLength {
        /// Characters after `#`.
        got: usize,
    },
    /// The checksum after `#` is not the descriptor's.
    Mismatch {
        /// The checksum given.
        given: String,
        /// The checksum computed.
        expected: String,
    },
}

impl fmt::Display for ChecksumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidCharacter {
                character,
                position,
            } => write!(
                f,
                "character {} at byte {position} is not allowed in a descriptor",
                crate::quote::QuotedChar(*character)
            ),
            Self::InvalidLength { got } => {
                write!(f, "descriptor checksum must be 8 characters, got {got}")
            }
            Self::Mismatch { given, expected } => {
                write!(f, "descriptor checksum is {given}, expected {expected}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ChecksumError {}

impl ErrorCode for ChecksumError {
    fn code(&self) -> &'static str {
        "invalid_descriptor_checksum"
    }
}

/// The BIP380 checksum of a descriptor (the part before any `#`).
///
/// # Errors
/// [`ChecksumError::InvalidCharacter`] for a character outside the descriptor character set.
pub fn checksum(descriptor: &str) -> Result<String, ChecksumError> {
    let mut c: u64 = 1;
    let mut class: u64 = 0;
    let mut class_count: u8 = 0;
    for (position, character) in descriptor.char_indices() {
        let value = u8::try_from(character)
            .ok()
            .and_then(|b| INPUT_CHARSET.iter().position(|&x| x == b))
            .ok_or(ChecksumError::InvalidCharacter {
                character,
                position,
            })? as u64;
        c = polymod(c, value & 31);
        // At most 3 classes of value < 3 each: no overflow.
        class = class.wrapping_mul(3).wrapping_add(value >> 5);
        class_count = class_count.wrapping_add(1);
        if class_count == 3 {
            c = polymod(c, class);
            class = 0;
            class_count = 0;
        }
    }
    if class_count > 0 {
        c = polymod(c, class);
    }
    for _ in 0..8 {
        c = polymod(c, 0);
    }
    c ^= 1;
    let mut out = String::with_capacity(8);
    for j in 0..8u64 {
        let index = ((c >> (35u64.wrapping_sub(j.wrapping_mul(5)))) & 31) as usize;
        out.push(char::from(
            CHECKSUM_CHARSET.get(index).copied().unwrap_or(b'q'),
        ));
    }
    Ok(out)
}

/// The descriptor followed by `#` and its checksum.
///
/// # Errors
/// As [`checksum`].
pub fn with_checksum(descriptor: &str) -> Result<String, ChecksumError> {
    let sum = checksum(descriptor)?;
    let mut out = String::with_capacity(descriptor.len().saturating_add(9));
    out.push_str(descriptor);
    out.push('#');
    out.push_str(&sum);
    Ok(out)
}

/// Checks a `descriptor#checksum` string and returns the descriptor without it. A descriptor with
/// no `#` is returned as is (Core accepts it where a checksum is optional).
///
/// # Errors
/// [`ChecksumError`] if the checksum is malformed or wrong.
pub fn verify_checksum(text: &str) -> Result<&str, ChecksumError> {
    let Some((descriptor, given)) = text.rsplit_once('#') else {
        return Ok(text);
    };
    if given.chars().count() != 8 {
        return Err(ChecksumError::InvalidLength {
            got: given.chars().count(),
        });
    }
    let expected = checksum(descriptor)?;
    if given == expected {
        Ok(descriptor)
    } else {
        Err(ChecksumError::Mismatch {
            given: given.into(),
            expected,
        })
    }
}
