//! Bitcoin addresses: segwit addresses (BIP173 bech32 for version 0, BIP350 bech32m for versions
//! 1 to 16) and base58check legacy addresses, encoded for the federation and parsed as peg-out
//! destinations ([`parse_address`]).

use crate::ErrorCode;
use crate::params::Network;
use alloc::string::String;
use alloc::vec::Vec;
use bech32::primitives::decode::{CharError, UncheckedHrpstring, UncheckedHrpstringError};
use bech32::{Bech32, Bech32m};
use core::fmt;

/// A witness program that no segwit address can carry, or a string that is not an address
/// [`parse_address`] accepts.
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
    /// An address string of a length no address has: empty, longer than 90 characters (BIP173's
    /// limit), a bech32 data part too short for a checksum and a witness version, or a base58check
    /// payload that is not 21 bytes (a version byte and a 20-byte hash).
    InvalidLength {
        /// The string's length in bytes, or the base58check payload's length.
        length: usize,
    },
    /// A character outside the bech32 or base58 alphabet (or not ASCII).
    InvalidCharacter {
        /// The character.
        character: char,
        /// Its byte position in the string.
        position: usize,
    },
    /// A bech32 string mixing upper- and lowercase letters (BIP173 allows either, not both).
    MixedCase,
    /// A checksum that does not match: neither bech32 nor bech32m, or a wrong base58check
    /// checksum.
    InvalidChecksum,
    /// A bech32 checksum for witness version 1 or above, or a bech32m checksum for version 0
    /// (BIP350).
    WrongChecksumVariant {
        /// The witness version.
        version: u8,
    },
    /// Bech32 padding that is longer than 4 bits or not zero.
    InvalidPadding,
    /// A valid address of another Bitcoin network.
    WrongNetwork {
        /// The network the address was parsed for.
        expected: Network,
        /// The network(s) the address belongs to.
        found: &'static str,
    },
    /// A base58check address whose version byte no Bitcoin network uses for P2PKH or P2SH.
    UnknownBase58Prefix {
        /// The version byte.
        prefix: u8,
    },
    /// A bech32 string with a valid checksum under a human-readable part that is not `bc`, `tb`
    /// or `bcrt`.
    UnknownHrp,
    /// A valid segwit address that is not P2WPKH, P2WSH or P2TR: witness version 2 to 16, or
    /// version 1 with a program of another length than 32 bytes. BIP350 makes them valid
    /// addresses for future soft forks; today they are anyone-can-spend, so paying one would
    /// burn the funds.
    UnknownWitnessVersion {
        /// The witness version.
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
            Self::InvalidLength { length } => write!(f, "no address has length {length}"),
            Self::InvalidCharacter {
                character,
                position,
            } => write!(
                f,
                "invalid address character {} at position {position}",
                crate::quote::QuotedChar(*character)
            ),
            Self::MixedCase => f.write_str("bech32 address mixes upper- and lowercase"),
            Self::InvalidChecksum => f.write_str("address checksum does not match"),
            Self::WrongChecksumVariant { version } => write!(
                f,
                "witness version {version} needs a {} checksum",
                if *version == 0 { "bech32" } else { "bech32m" }
            ),
            Self::InvalidPadding => f.write_str("bech32 address with invalid padding"),
            Self::WrongNetwork { expected, found } => {
                write!(f, "address is for {found}, not {expected}")
            }
            Self::UnknownBase58Prefix { prefix } => write!(
                f,
                "base58 address version byte 0x{prefix:02x} is not a Bitcoin P2PKH or P2SH prefix"
            ),
            Self::UnknownHrp => {
                f.write_str("bech32 human-readable part is not a Bitcoin network's (bc, tb, bcrt)")
            }
            Self::UnknownWitnessVersion { version, length } => write!(
                f,
                "witness version {version} with a {length}-byte program is not a known output \
                 type (paying it would burn the funds)"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AddressError {}

impl ErrorCode for AddressError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidWitnessVersion { .. } => "invalid_address",
            Self::InvalidProgramLength { .. } => "invalid_address",
            Self::InvalidLength { .. } => "invalid_address_length",
            Self::InvalidCharacter { .. } => "invalid_character",
            Self::MixedCase => "mixed_case",
            Self::InvalidChecksum => "invalid_checksum",
            Self::WrongChecksumVariant { .. } => "wrong_checksum_variant",
            Self::InvalidPadding => "invalid_padding",
            Self::WrongNetwork { .. } => "wrong_network",
            Self::UnknownBase58Prefix { .. } => "unknown_base58_prefix",
            Self::UnknownHrp => "unknown_hrp",
            Self::UnknownWitnessVersion { .. } => "unknown_witness_version",
        }
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

/// The longest address string: BIP173's limit for segwit addresses (base58 ones are shorter).
pub const MAX_ADDRESS_LENGTH: usize = 90;

/// The networks a segwit human-readable part belongs to, or `None` for another chain's.
fn hrp_networks(hrp: &str) -> Option<(&'static str, &'static [Network])> {
    Network::ALL
        .into_iter()
        .find(|n| hrp.eq_ignore_ascii_case(n.bech32_hrp()))
        .map(|n| match n {
            Network::Mainnet => ("mainnet", &[Network::Mainnet][..]),
            Network::Regtest => ("regtest", &[Network::Regtest][..]),
            Network::Testnet3 | Network::Testnet4 | Network::Signet => (
                "testnet3, testnet4 or signet",
                &[Network::Testnet3, Network::Testnet4, Network::Signet][..],
            ),
        })
}

/// The output script (scriptPubKey) a Bitcoin address pays on `network`: P2PKH and P2SH
/// (base58check; version bytes 0x00 and 0x05 on mainnet, 0x6f and 0xc4 on testnet3, testnet4,
/// signet and regtest), P2WPKH and P2WSH (BIP173 bech32, witness version 0) and P2TR (BIP350
/// bech32m, witness version 1 with a 32-byte program), under the network's human-readable part
/// (`bc`, `tb`, `bcrt`). Bech32 addresses may be all lowercase or all uppercase.
///
/// Stricter than an address parser: valid BIP350 addresses of witness versions 2 to 16, and of
/// version 1 with a program of another length than 32 bytes, are refused
/// ([`AddressError::UnknownWitnessVersion`]): they are reserved for future soft forks, and
/// paying one today would burn the funds. The string is taken as is: surrounding whitespace is
/// an invalid character.
///
/// # Errors
/// In the order checked: [`AddressError::InvalidLength`] (empty, longer than
/// [`MAX_ADDRESS_LENGTH`], a bech32 data part shorter than 7 characters, a base58check payload
/// other than 21 bytes), [`AddressError::InvalidCharacter`], [`AddressError::MixedCase`],
/// [`AddressError::InvalidChecksum`], [`AddressError::UnknownHrp`] (a valid bech32 string of
/// another chain), [`AddressError::InvalidWitnessVersion`] (above 16),
/// [`AddressError::WrongChecksumVariant`], [`AddressError::InvalidPadding`],
/// [`AddressError::InvalidProgramLength`], [`AddressError::UnknownBase58Prefix`],
/// [`AddressError::WrongNetwork`] (a well-formed address of another Bitcoin network), then
/// [`AddressError::UnknownWitnessVersion`].
pub fn parse_address(network: Network, address: &str) -> Result<Vec<u8>, AddressError> {
    let length = address.len();
    if length == 0 || length > MAX_ADDRESS_LENGTH {
        return Err(AddressError::InvalidLength { length });
    }
    if let Some(separator) = address.rfind('1') {
        let hrp = address.get(..separator).unwrap_or_default();
        if let Some((found, networks)) = hrp_networks(hrp) {
            return parse_segwit(network, address, found, networks);
        }
        let other_chain = UncheckedHrpstring::new(address).is_ok_and(|unchecked| {
            unchecked.has_valid_checksum::<Bech32>() || unchecked.has_valid_checksum::<Bech32m>()
        });
        if other_chain {
            return Err(AddressError::UnknownHrp);
        }
    }
    parse_base58(network, address)
}

/// Where a character the bech32 decoder refused is: the first one after the separator (the
/// human-readable part is `bc`, `tb` or `bcrt`, whose letters are valid there), else the first.
fn position_of(address: &str, character: char) -> usize {
    // Byte offsets, by plain scans (the `str` pattern searchers are 2 KB of WebAssembly).
    let data = address
        .bytes()
        .rposition(|b| b == b'1')
        .map_or(0, |s| s.saturating_add(1));
    let mut found = address.char_indices().filter(|&(_, c)| c == character);
    let first = found.next().map_or(0, |(at, _)| at);
    core::iter::once(first)
        .chain(found.map(|(at, _)| at))
        .find(|&at| at >= data)
        .unwrap_or(first)
}

fn parse_segwit(
    network: Network,
    address: &str,
    found: &'static str,
    networks: &[Network],
) -> Result<Vec<u8>, AddressError> {
    let length = address.len();
    let unchecked = UncheckedHrpstring::new(address).map_err(|e| match e {
        UncheckedHrpstringError::Char(CharError::InvalidChar(character)) => {
            AddressError::InvalidCharacter {
                character,
                position: position_of(address, character),
            }
        }
        UncheckedHrpstringError::Char(CharError::MixedCase)
        | UncheckedHrpstringError::Hrp(bech32::primitives::hrp::Error::MixedCase) => {
            AddressError::MixedCase
        }
        // The separator was found and the human-readable part is `bc`, `tb` or `bcrt`: what is
        // left is an empty data part.
        _ => AddressError::InvalidLength { length },
    })?;
    // A witness version and a 6-character checksum at least.
    if unchecked.data_part_ascii().len() < 7 {
        return Err(AddressError::InvalidLength { length });
    }
    let bech32m = if unchecked.has_valid_checksum::<Bech32>() {
        false
    } else if unchecked.has_valid_checksum::<Bech32m>() {
        true
    } else {
        return Err(AddressError::InvalidChecksum);
    };
    let mut checked = if bech32m {
        unchecked.remove_checksum::<Bech32m>()
    } else {
        unchecked.remove_checksum::<Bech32>()
    };
    let version = checked
        .data_part_ascii_no_checksum()
        .first()
        .and_then(|&c| bech32::Fe32::from_char(char::from(c)).ok())
        .map(bech32::Fe32::to_u8)
        .ok_or(AddressError::InvalidLength { length })?;
    if version > 16 {
        return Err(AddressError::InvalidWitnessVersion { version });
    }
    if (version == 0) == bech32m {
        return Err(AddressError::WrongChecksumVariant { version });
    }
    if checked.remove_witness_version().is_none() {
        return Err(AddressError::InvalidWitnessVersion { version });
    }
    checked
        .validate_segwit_padding()
        .map_err(|_| AddressError::InvalidPadding)?;
    let program: Vec<u8> = checked.byte_iter().collect();
    let program_length = program.len();
    if !(2..=40).contains(&program_length)
        || (version == 0 && program_length != 20 && program_length != 32)
    {
        return Err(AddressError::InvalidProgramLength {
            version,
            length: program_length,
        });
    }
    if !networks.contains(&network) {
        return Err(AddressError::WrongNetwork {
            expected: network,
            found,
        });
    }
    if version > 1 || (version == 1 && program_length != 32) {
        return Err(AddressError::UnknownWitnessVersion {
            version,
            length: program_length,
        });
    }
    let mut script = Vec::with_capacity(program_length.saturating_add(2));
    // OP_0 or OP_1, then one push of the program (2..=40 bytes: a direct push).
    script.push(if version == 0 { 0x00 } else { 0x51 });
    script.push(
        u8::try_from(program_length).map_err(|_| AddressError::InvalidProgramLength {
            version,
            length: program_length,
        })?,
    );
    script.extend_from_slice(&program);
    Ok(script)
}

fn parse_base58(network: Network, address: &str) -> Result<Vec<u8>, AddressError> {
    let payload = bs58::decode(address)
        .with_check(None)
        .into_vec()
        .map_err(|e| match e {
            bs58::decode::Error::InvalidCharacter { character, index } => {
                AddressError::InvalidCharacter {
                    character,
                    position: index,
                }
            }
            bs58::decode::Error::NonAsciiCharacter { index } => AddressError::InvalidCharacter {
                character: address
                    .get(index..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or(char::REPLACEMENT_CHARACTER),
                position: index,
            },
            bs58::decode::Error::NoChecksum => AddressError::InvalidLength {
                length: address.len(),
            },
            _ => AddressError::InvalidChecksum,
        })?;
    let (&prefix, hash) = payload
        .split_first()
        .ok_or(AddressError::InvalidLength { length: 0 })?;
    if hash.len() != 20 {
        return Err(AddressError::InvalidLength {
            length: payload.len(),
        });
    }
    let mainnet = network == Network::Mainnet;
    let (p2sh, found) = match prefix {
        0x00 => (false, "mainnet"),
        0x05 => (true, "mainnet"),
        0x6f => (false, "testnet3, testnet4, signet or regtest"),
        0xc4 => (true, "testnet3, testnet4, signet or regtest"),
        prefix => return Err(AddressError::UnknownBase58Prefix { prefix }),
    };
    if mainnet != matches!(prefix, 0x00 | 0x05) {
        return Err(AddressError::WrongNetwork {
            expected: network,
            found,
        });
    }
    let mut script = Vec::with_capacity(25);
    if p2sh {
        // OP_HASH160 <20> OP_EQUAL
        script.extend_from_slice(&[0xa9, 0x14]);
        script.extend_from_slice(hash);
        script.push(0x87);
    } else {
        // OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
        script.extend_from_slice(&[0x76, 0xa9, 0x14]);
        script.extend_from_slice(hash);
        script.extend_from_slice(&[0x88, 0xac]);
    }
    Ok(script)
}

#[cfg(test)]
mod tests {
    use super::position_of;

    #[test]
    fn position_of_is_a_byte_offset_after_the_separator_if_there_is_one() {
        // "aé1xé": the second 'é' is character 4 but byte 5 (the first 'é' is two bytes).
        assert_eq!(position_of("a\u{e9}1x\u{e9}", '\u{e9}'), 5);
        // Only before the separator: the first occurrence.
        assert_eq!(position_of("a\u{e9}1xy", '\u{e9}'), 1);
        // No separator: the first occurrence; absent: 0.
        assert_eq!(position_of("ab-c-", '-'), 2);
        assert_eq!(position_of("abc", '-'), 0);
        // The last '1' is the separator.
        assert_eq!(position_of("x1-1y-", '-'), 5);
    }
}
