//! The 80-byte block header.

use crate::encode::{Decode, DecodeError, Encode, Field, LengthError, Reader, Sink};
use crate::hash::{BlockHash, TxMerkleNode, sha256d_80};
use core::fmt;

/// Size of a serialized header.
pub const HEADER_LEN: usize = 80;

/// The compact `nBits` encoding of a proof-of-work target. Displays as 8 hex digits
/// (`17034219`), as Bitcoin Core's `getblockheader` prints `bits`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CompactTarget(pub u32);

impl CompactTarget {
    /// The raw 32-bit value.
    pub const fn to_consensus(self) -> u32 {
        self.0
    }
}

impl fmt::Display for CompactTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

impl fmt::Debug for CompactTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CompactTarget({self})")
    }
}

/// A block header. Decoding checks only its length; proof of work and chain rules are checked
/// where headers are connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    /// `nVersion` (signed, as in Bitcoin Core).
    pub version: i32,
    /// Hash of the previous block.
    pub prev_blockhash: BlockHash,
    /// Merkle root of the block's transactions.
    pub merkle_root: TxMerkleNode,
    /// `nTime`, seconds since the Unix epoch.
    pub time: u32,
    /// `nBits`, the compact target.
    pub bits: CompactTarget,
    /// `nNonce`.
    pub nonce: u32,
}

impl Header {
    /// Parses exactly 80 bytes; cannot fail.
    pub fn from_bytes(bytes: &[u8; HEADER_LEN]) -> Self {
        let (version, rest) = split::<4>(bytes);
        let (prev, rest) = split::<32>(rest);
        let (root, rest) = split::<32>(rest);
        let (time, rest) = split::<4>(rest);
        let (bits, rest) = split::<4>(rest);
        let (nonce, _) = split::<4>(rest);
        Self {
            version: i32::from_le_bytes(version),
            prev_blockhash: BlockHash::from_byte_array(prev),
            merkle_root: TxMerkleNode::from_byte_array(root),
            time: u32::from_le_bytes(time),
            bits: CompactTarget(u32::from_le_bytes(bits)),
            nonce: u32::from_le_bytes(nonce),
        }
    }

    /// Parses a slice that must be exactly 80 bytes.
    ///
    /// # Errors
    /// [`LengthError`] (code `invalid_length`) for any other length.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, LengthError> {
        <&[u8; HEADER_LEN]>::try_from(bytes)
            .map(Self::from_bytes)
            .map_err(|_| LengthError {
                what: "a header",
                expected: HEADER_LEN,
                got: bytes.len(),
            })
    }

    /// The 80-byte serialization.
    pub fn to_array(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        let mut at = 0usize;
        let mut put = |bytes: &[u8]| {
            let end = at.saturating_add(bytes.len());
            if let Some(dst) = out.get_mut(at..end) {
                dst.copy_from_slice(bytes);
            }
            at = end;
        };
        put(&self.version.to_le_bytes());
        put(self.prev_blockhash.as_byte_array());
        put(self.merkle_root.as_byte_array());
        put(&self.time.to_le_bytes());
        put(&self.bits.0.to_le_bytes());
        put(&self.nonce.to_le_bytes());
        out
    }

    /// The block hash: double SHA-256 of the 80 bytes.
    pub fn block_hash(&self) -> BlockHash {
        BlockHash::from_byte_array(sha256d_80(&self.to_array()))
    }
}

/// Splits the first `N` bytes off as an array (the caller's slice is long enough by type).
fn split<const N: usize>(bytes: &[u8]) -> ([u8; N], &[u8]) {
    let mut head = [0u8; N];
    let n = N.min(bytes.len());
    let (a, b) = bytes.split_at(n);
    if let Some(dst) = head.get_mut(..n) {
        dst.copy_from_slice(a);
    }
    (head, b)
}

impl Encode for Header {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        sink.put(&self.to_array());
    }

    fn encoded_len(&self) -> usize {
        HEADER_LEN
    }
}

impl Decode for Header {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::from_bytes(&r.read_array(Field::Header)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use alloc::string::ToString;

    const GENESIS: &str = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";

    #[test]
    fn genesis() {
        let raw = hex::decode(GENESIS).unwrap();
        let h = Header::decode(&raw).unwrap();
        assert_eq!(
            h.block_hash().to_string(),
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
        );
        assert_eq!(h.bits.to_string(), "1d00ffff");
        assert_eq!(h.to_array().as_slice(), raw.as_slice());
        assert!(matches!(
            Header::decode(&raw[..79]),
            Err(DecodeError::Truncated {
                field: Field::Header,
                offset: 0,
                needed: 80,
                available: 79
            })
        ));
        let mut long = raw.clone();
        long.push(0);
        assert_eq!(
            Header::decode(&long),
            Err(DecodeError::TrailingBytes {
                offset: 80,
                count: 1
            })
        );
    }
}
