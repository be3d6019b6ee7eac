//! Segwit addresses (BIP173 bech32 for version 0, BIP350 bech32m for versions 1 to 16).

use crate::ErrorCode;
use crate::params::Network;
use alloc::string::String;
use core::fmt;

/// A witness program that no segwit address can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressError {
    /// A witness version above 16.
    InvalidWitnessVersion {
        /// The version.
        version: u8,
    },
    /// A program length the version does not allow (2..=40 bytes; exactly 20 or 32 for v0).
    InvalidProgramLength {
        /// The version.
        version: u8,
        /// The program's length.
        length: usize,
    },
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidWitnessVersion { version } => {
                write!(f, "witness version {version} is above 16")
            }
            Self::InvalidProgramLength { version, length } => write!(
                f,
                "a {length}-byte witness program is not valid for witness version {version}"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AddressError {}

impl ErrorCode for AddressError {
    fn code(&self) -> &'static str {
        "invalid_address"
    }
}

/// The segwit address of a witness program on a network, lowercase.
///
/// # Errors
/// [`AddressError`] for a version above 16 or a program length the version forbids.
pub fn segwit_address(
    network: Network,
    version: u8,
    program: &[u8],
) -> Result<String, AddressError> {
    let fe = bech32::Fe32::try_from(version)
        .map_err(|_| AddressError::InvalidWitnessVersion { version })?;
    if version > 16 {
        return Err(AddressError::InvalidWitnessVersion { version });
    }
    let length = program.len();
    if !(2..=40).contains(&length) || (version == 0 && length != 20 && length != 32) {
        return Err(AddressError::InvalidProgramLength { version, length });
    }
    let hrp = bech32::Hrp::parse_unchecked(network.bech32_hrp());
    bech32::segwit::encode(hrp, fe, program)
        .map_err(|_| AddressError::InvalidProgramLength { version, length })
}
