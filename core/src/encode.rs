//! Bitcoin's consensus encoding: a strict reader, a byte sink, and CompactSize.
//!
//! Decoders here check **encoding**, not consensus: a transaction with a negative output value
//! decodes (Bitcoin Core's `tx_invalid.json` has some), but truncated input, trailing bytes, a
//! non-canonical CompactSize, a count that the remaining bytes cannot hold, or a segwit marker
//! without witness data are all refused with a [`DecodeError`] that names the field and the byte
//! offset. No length prefix can make a decoder allocate more than the input could hold.

use crate::ErrorCode;
use alloc::vec::Vec;
use core::fmt;

/// The largest length Bitcoin Core accepts for a CompactSize used as a size (`MAX_SIZE`).
pub const MAX_SIZE: u64 = 0x0200_0000;

/// The field a decoder was reading when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Field {
    /// Transaction `version`.
    TxVersion,
    /// Number of inputs.
    InputCount,
    /// An input's previous transaction id.
    PrevoutTxid,
    /// An input's previous output index.
    PrevoutVout,
    /// An input's `scriptSig`.
    ScriptSig,
    /// An input's `nSequence`.
    Sequence,
    /// Number of outputs.
    OutputCount,
    /// An output's amount.
    Amount,
    /// An output's `scriptPubKey`.
    ScriptPubKey,
    /// The segwit flag byte after the marker.
    SegwitFlag,
    /// Number of items in an input's witness.
    WitnessItemCount,
    /// One witness item.
    WitnessItem,
    /// Transaction `nLockTime`.
    LockTime,
    /// An 80-byte block header.
    Header,
    /// Number of transactions in a block (or a partial merkle tree).
    TxCount,
    /// Number of hashes in a partial merkle tree.
    MerkleHashCount,
    /// One hash of a partial merkle tree.
    MerkleHash,
    /// The flag bytes of a partial merkle tree.
    MerkleFlags,
    /// Saved header-chain state.
    ChainState,
    /// A partial signature set's public key.
    PartialSignatureKey,
    /// Number of signatures in a partial signature set.
    PartialSignatureCount,
    /// One signature of a partial signature set.
    PartialSignature,
}

impl Field {
    /// The field's `snake_case` name.
    pub fn name(self) -> &'static str {
        match self {
            Self::TxVersion => "version",
            Self::InputCount => "input_count",
            Self::PrevoutTxid => "prevout_txid",
            Self::PrevoutVout => "prevout_vout",
            Self::ScriptSig => "script_sig",
            Self::Sequence => "sequence",
            Self::OutputCount => "output_count",
            Self::Amount => "amount",
            Self::ScriptPubKey => "script_pubkey",
            Self::SegwitFlag => "segwit_flag",
            Self::WitnessItemCount => "witness_item_count",
            Self::WitnessItem => "witness_item",
            Self::LockTime => "lock_time",
            Self::Header => "header",
            Self::TxCount => "tx_count",
            Self::MerkleHashCount => "merkle_hash_count",
            Self::MerkleHash => "merkle_hash",
            Self::MerkleFlags => "merkle_flags",
            Self::ChainState => "chain_state",
            Self::PartialSignatureKey => "partial_signature_key",
            Self::PartialSignatureCount => "partial_signature_count",
            Self::PartialSignature => "partial_signature",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why bytes are not a valid encoding. Every variant carries the byte offset where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended inside `field`.
    Truncated {
        /// What was being read.
        field: Field,
        /// Offset where the field's bytes start.
        offset: usize,
        /// Bytes the field needs.
        needed: u64,
        /// Bytes left in the input.
        available: usize,
    },
    /// Bytes are left after a complete value.
    TrailingBytes {
        /// Offset of the first unread byte.
        offset: usize,
        /// How many bytes are left.
        count: usize,
    },
    /// A CompactSize not written in its shortest form.
    NonCanonicalCompactSize {
        /// What was being read.
        field: Field,
        /// Offset of the CompactSize.
        offset: usize,
        /// The value it encodes.
        value: u64,
    },
    /// A count or length that cannot be right: more items than the remaining bytes can hold, or
    /// above Bitcoin Core's `MAX_SIZE` (0x02000000).
    LengthTooLarge {
        /// What was being counted.
        field: Field,
        /// Offset of the CompactSize.
        offset: usize,
        /// The count or length read.
        length: u64,
        /// The largest value possible here.
        max: u64,
    },
    /// A segwit marker and flag, but every input's witness is empty (Core: "Superfluous witness
    /// record").
    SuperfluousWitness {
        /// Offset of the marker byte.
        offset: usize,
    },
    /// A segwit marker followed by a flag other than 0x01 (Core: "Unknown transaction optional
    /// data").
    UnknownSegwitFlag {
        /// Offset of the flag byte.
        offset: usize,
        /// The flag.
        flag: u8,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated {
                field,
                offset,
                needed,
                available,
            } => write!(
                f,
                "truncated at byte {offset} reading {field}: needs {needed} bytes, {available} left"
            ),
            Self::TrailingBytes { offset, count } => {
                write!(f, "{count} trailing bytes after the end at byte {offset}")
            }
            Self::NonCanonicalCompactSize {
                field,
                offset,
                value,
            } => write!(
                f,
                "non-canonical CompactSize for {field} at byte {offset}: {value} has a shorter encoding"
            ),
            Self::LengthTooLarge {
                field,
                offset,
                length,
                max,
            } => write!(
                f,
                "{field} at byte {offset} is {length}, more than the {max} possible"
            ),
            Self::SuperfluousWitness { offset } => write!(
                f,
                "segwit marker at byte {offset} but every witness is empty"
            ),
            Self::UnknownSegwitFlag { offset, flag } => {
                write!(f, "unknown segwit flag 0x{flag:02x} at byte {offset}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for DecodeError {}

impl ErrorCode for DecodeError {
    fn code(&self) -> &'static str {
        match self {
            Self::Truncated { .. } => "truncated",
            Self::TrailingBytes { .. } => "trailing_bytes",
            Self::NonCanonicalCompactSize { .. } => "non_canonical_compact_size",
            Self::LengthTooLarge { .. } => "length_too_large",
            Self::SuperfluousWitness { .. } => "superfluous_witness",
            Self::UnknownSegwitFlag { .. } => "unknown_segwit_flag",
        }
    }
}

/// A fixed-size value given with the wrong number of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthError {
    /// What the bytes were meant to be.
    pub what: &'static str,
    /// Bytes required.
    pub expected: usize,
    /// Bytes given.
    pub got: usize,
}

impl fmt::Display for LengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} must be {} bytes, got {}",
            self.what, self.expected, self.got
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for LengthError {}

impl ErrorCode for LengthError {
    fn code(&self) -> &'static str {
        "invalid_length"
    }
}

/// A strict cursor over input bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    /// Offset of the next byte to read.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// Fails with [`DecodeError::TrailingBytes`] unless every byte was read.
    ///
    /// # Errors
    /// [`DecodeError::TrailingBytes`].
    pub fn finish(&self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(DecodeError::TrailingBytes {
                offset: self.pos,
                count,
            }),
        }
    }

    /// The next `len` bytes.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer remain.
    pub fn read_slice(&mut self, len: usize, field: Field) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(len);
        match end.and_then(|end| self.data.get(self.pos..end).map(|s| (s, end))) {
            Some((slice, end)) => {
                self.pos = end;
                Ok(slice)
            }
            None => Err(DecodeError::Truncated {
                field,
                offset: self.pos,
                needed: len as u64,
                available: self.remaining(),
            }),
        }
    }

    /// The next `N` bytes as an array.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer remain.
    pub fn read_array<const N: usize>(&mut self, field: Field) -> Result<[u8; N], DecodeError> {
        let slice = self.read_slice(N, field)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    /// One byte.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] at the end of input.
    pub fn read_u8(&mut self, field: Field) -> Result<u8, DecodeError> {
        Ok(self.read_array::<1>(field)?[0])
    }

    /// A little-endian `u32`.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer than 4 bytes remain.
    pub fn read_u32(&mut self, field: Field) -> Result<u32, DecodeError> {
        self.read_array(field).map(u32::from_le_bytes)
    }

    /// A little-endian `i32`.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer than 4 bytes remain.
    pub fn read_i32(&mut self, field: Field) -> Result<i32, DecodeError> {
        self.read_array(field).map(i32::from_le_bytes)
    }

    /// A little-endian `i64`.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] if fewer than 8 bytes remain.
    pub fn read_i64(&mut self, field: Field) -> Result<i64, DecodeError> {
        self.read_array(field).map(i64::from_le_bytes)
    }

    /// A CompactSize in its shortest (canonical) form.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] or [`DecodeError::NonCanonicalCompactSize`].
    pub fn read_compact_size(&mut self, field: Field) -> Result<u64, DecodeError> {
        let offset = self.pos;
        let (value, min) = match self.read_u8(field)? {
            0xfd => (u64::from(u16::from_le_bytes(self.read_array(field)?)), 0xfd),
            0xfe => (
                u64::from(u32::from_le_bytes(self.read_array(field)?)),
                0x1_0000,
            ),
            0xff => (u64::from_le_bytes(self.read_array(field)?), 0x1_0000_0000),
            small => return Ok(u64::from(small)),
        };
        if value < min {
            return Err(DecodeError::NonCanonicalCompactSize {
                field,
                offset,
                value,
            });
        }
        Ok(value)
    }

    /// A CompactSize count of items each at least `min_item_len` bytes long, checked against
    /// the remaining input (so a `Vec::with_capacity(count)` is bounded by the input size) and
    /// against [`MAX_SIZE`].
    ///
    /// # Errors
    /// As [`Self::read_compact_size`], or [`DecodeError::LengthTooLarge`].
    pub fn read_count(&mut self, field: Field, min_item_len: usize) -> Result<usize, DecodeError> {
        let offset = self.pos;
        let length = self.read_compact_size(field)?;
        let fits = self.remaining().checked_div(min_item_len).unwrap_or(0) as u64;
        let max = fits.min(MAX_SIZE);
        match usize::try_from(length) {
            Ok(n) if length <= max => Ok(n),
            _ => Err(DecodeError::LengthTooLarge {
                field,
                offset,
                length,
                max,
            }),
        }
    }

    /// A CompactSize-prefixed byte string.
    ///
    /// # Errors
    /// As [`Self::read_compact_size`]; [`DecodeError::LengthTooLarge`] above [`MAX_SIZE`];
    /// [`DecodeError::Truncated`] if the input ends first.
    pub fn read_var_bytes(&mut self, field: Field) -> Result<&'a [u8], DecodeError> {
        let offset = self.pos;
        let length = self.read_compact_size(field)?;
        if length > MAX_SIZE {
            return Err(DecodeError::LengthTooLarge {
                field,
                offset,
                length,
                max: MAX_SIZE,
            });
        }
        match usize::try_from(length) {
            Ok(len) if len <= self.remaining() => self.read_slice(len, field),
            _ => Err(DecodeError::Truncated {
                field,
                offset: self.pos,
                needed: length,
                available: self.remaining(),
            }),
        }
    }
}

/// Where encoders write bytes: a `Vec<u8>`, or a hash engine (hashing without a buffer).
pub trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Writes `n` as a CompactSize.
#[allow(clippy::cast_possible_truncation)] // each arm's range fits the type it is cast to
pub fn write_compact_size<S: Sink + ?Sized>(sink: &mut S, n: u64) {
    match n {
        0..=0xfc => sink.put(&[n as u8]),
        0xfd..=0xffff => {
            sink.put(&[0xfd]);
            sink.put(&(n as u16).to_le_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            sink.put(&[0xfe]);
            sink.put(&(n as u32).to_le_bytes());
        }
        _ => {
            sink.put(&[0xff]);
            sink.put(&n.to_le_bytes());
        }
    }
}

/// Bytes in the CompactSize encoding of `n`.
pub fn compact_size_len(n: u64) -> usize {
    match n {
        0..=0xfc => 1,
        0xfd..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// Writes a CompactSize length prefix and the bytes.
pub fn write_var_bytes<S: Sink + ?Sized>(sink: &mut S, bytes: &[u8]) {
    write_compact_size(sink, bytes.len() as u64);
    sink.put(bytes);
}

/// Bytes in a CompactSize-prefixed byte string of `len` bytes.
pub fn var_bytes_len(len: usize) -> usize {
    compact_size_len(len as u64).saturating_add(len)
}

/// A value with a consensus encoding.
pub trait Encode {
    /// Writes the encoding.
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S);

    /// Length of the encoding in bytes.
    fn encoded_len(&self) -> usize;

    /// The encoding as a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        self.encode_to(&mut v);
        v
    }
}

/// A value decodable from its consensus encoding.
pub trait Decode: Sized {
    /// Decodes one value from the reader, leaving it after the value.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the field and offset.
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Decodes exactly one value: trailing bytes are an error.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the field and offset.
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let mut reader = Reader::new(bytes);
        let value = Self::decode_from(&mut reader)?;
        reader.finish()?;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cs(bytes: &[u8]) -> Result<u64, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = r.read_compact_size(Field::InputCount)?;
        r.finish()?;
        Ok(v)
    }

    #[test]
    fn compact_size_canonical_only() {
        assert_eq!(cs(&[0xfc]), Ok(0xfc));
        assert_eq!(cs(&[0xfd, 0xfd, 0x00]), Ok(0xfd));
        assert_eq!(cs(&[0xfe, 0x00, 0x00, 0x01, 0x00]), Ok(0x1_0000));
        assert_eq!(cs(&[0xff, 0, 0, 0, 0, 1, 0, 0, 0]), Ok(0x1_0000_0000));
        for (bytes, value) in [
            (&[0xfd, 0xfc, 0x00][..], 0xfc),
            (&[0xfe, 0xff, 0xff, 0x00, 0x00][..], 0xffff),
            (&[0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0][..], 0xffff_ffff),
        ] {
            assert_eq!(
                cs(bytes),
                Err(DecodeError::NonCanonicalCompactSize {
                    field: Field::InputCount,
                    offset: 0,
                    value
                })
            );
        }
        assert!(matches!(
            cs(&[0xfd, 0x01]),
            Err(DecodeError::Truncated {
                needed: 2,
                available: 1,
                ..
            })
        ));
        for n in [
            0u64,
            0xfc,
            0xfd,
            0xffff,
            0x1_0000,
            0xffff_ffff,
            0x1_0000_0000,
            u64::MAX,
        ] {
            let mut v = Vec::new();
            write_compact_size(&mut v, n);
            assert_eq!(v.len(), compact_size_len(n));
            assert_eq!(cs(&v), Ok(n));
        }
    }

    #[test]
    fn counts_are_bounded_by_input() {
        // 3 items of at least 41 bytes cannot fit in 100 bytes.
        let mut data = [0u8; 101];
        data[0] = 3;
        let mut r = Reader::new(&data);
        assert_eq!(
            r.read_count(Field::InputCount, 41),
            Err(DecodeError::LengthTooLarge {
                field: Field::InputCount,
                offset: 0,
                length: 3,
                max: 2
            })
        );
        let mut r = Reader::new(&[0xfe, 0x00, 0x00, 0x00, 0x04]);
        assert!(matches!(
            r.read_var_bytes(Field::ScriptSig),
            Err(DecodeError::LengthTooLarge {
                length: 0x0400_0000,
                max: MAX_SIZE,
                ..
            })
        ));
        let mut r = Reader::new(&[0x05, 1, 2]);
        assert_eq!(
            r.read_var_bytes(Field::ScriptSig),
            Err(DecodeError::Truncated {
                field: Field::ScriptSig,
                offset: 1,
                needed: 5,
                available: 2
            })
        );
    }
}
