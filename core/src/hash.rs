//! SHA-256, double SHA-256, BIP340 tagged hashes, and the hash newtypes of Bitcoin.
//!
//! Every hash newtype stores its bytes in **internal** order, the order the hash function
//! produced them and the order they appear in serialized data. [`Txid`], [`Wtxid`], [`BlockHash`]
//! and [`TxMerkleNode`] *display* reversed, as Bitcoin Core's RPC prints them; tagged hashes and
//! sighashes display as is.

use crate::encode::Sink;
use crate::hex::{self, HexError};
use core::fmt;
use core::str::FromStr;
use sha2::{Digest, Sha256};

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-256 of SHA-256 of `data` (Bitcoin's `Hash256`).
pub fn sha256d(data: &[u8]) -> [u8; 32] {
    sha256_32(&sha256(data))
}

const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

fn state_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// SHA-256 of a 32-byte message: a single padded block, no buffering.
fn sha256_32(msg: &[u8; 32]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block.split_at_mut(32).0.copy_from_slice(msg);
    block[32] = 0x80;
    // Message length in bits (256) as a big-endian u64 in the last 8 bytes.
    block[62] = 0x01;
    let mut state = IV;
    sha2::block_api::compress256(&mut state, &[block]);
    state_bytes(&state)
}

/// Double SHA-256 of exactly 64 bytes (two merkle nodes): three compressions, no buffering.
pub fn sha256d_64(data: &[u8; 64]) -> [u8; 32] {
    let mut pad = [0u8; 64];
    pad[0] = 0x80;
    // 512 bits.
    pad[62] = 0x02;
    let mut state = IV;
    sha2::block_api::compress256(&mut state, &[*data, pad]);
    sha256_32(&state_bytes(&state))
}

/// Double SHA-256 of exactly 80 bytes (a block header): three compressions, no buffering.
pub fn sha256d_80(data: &[u8; 80]) -> [u8; 32] {
    let (first, rest) = data.split_at(64);
    let mut b1 = [0u8; 64];
    b1.copy_from_slice(first);
    let mut b2 = [0u8; 64];
    b2.split_at_mut(16).0.copy_from_slice(rest);
    b2[16] = 0x80;
    // 640 bits = 0x280.
    b2[62] = 0x02;
    b2[63] = 0x80;
    let mut state = IV;
    sha2::block_api::compress256(&mut state, &[b1, b2]);
    sha256_32(&state_bytes(&state))
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod x4;

/// [`sha256d_80`] of four headers at once: four SIMD lanes on wasm32 with `simd128`, four calls
/// of [`sha256d_80`] elsewhere. Output `i` is the hash of input `i`.
pub fn sha256d_80_x4(inputs: &[[u8; 80]; 4]) -> [[u8; 32]; 4] {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        x4::sha256d_80_x4(inputs)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        inputs.each_ref().map(sha256d_80)
    }
}

/// [`sha256d_64`] of four 64-byte messages at once: four SIMD lanes on wasm32 with `simd128`,
/// four calls of [`sha256d_64`] elsewhere. Output `i` is the hash of input `i`.
pub fn sha256d_64_x4(inputs: &[[u8; 64]; 4]) -> [[u8; 32]; 4] {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        x4::sha256d_64_x4(inputs)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        inputs.each_ref().map(sha256d_64)
    }
}

/// Shared body of the `*_many` functions: `x4` on every full group of four, `one` on the rest.
fn many<const N: usize>(
    inputs: &[[u8; N]],
    out: &mut [[u8; 32]],
    x4: fn(&[[u8; N]; 4]) -> [[u8; 32]; 4],
    one: fn(&[u8; N]) -> [u8; 32],
) {
    let n = inputs.len().min(out.len());
    let (Some(inputs), Some(out)) = (inputs.get(..n), out.get_mut(..n)) else {
        return;
    };
    let inputs = inputs.chunks_exact(4);
    let tail = inputs.remainder();
    let mut outs = out.chunks_exact_mut(4);
    for (i, o) in inputs.zip(&mut outs) {
        if let (Ok(i), Ok(o)) = (
            <&[[u8; N]; 4]>::try_from(i),
            <&mut [[u8; 32]; 4]>::try_from(o),
        ) {
            *o = x4(i);
        }
    }
    for (i, o) in tail.iter().zip(outs.into_remainder()) {
        *o = one(i);
    }
}

/// `out[i] = sha256d_80(&inputs[i])` for every `i` below the shorter of the two lengths, four at
/// a time with [`sha256d_80_x4`].
pub fn sha256d_80_many(inputs: &[[u8; 80]], out: &mut [[u8; 32]]) {
    many(inputs, out, sha256d_80_x4, sha256d_80);
}

/// `out[i] = sha256d_64(&inputs[i])` for every `i` below the shorter of the two lengths, four at
/// a time with [`sha256d_64_x4`].
pub fn sha256d_64_many(inputs: &[[u8; 64]], out: &mut [[u8; 32]]) {
    many(inputs, out, sha256d_64_x4, sha256d_64);
}

/// A streaming SHA-256 that encoders can write into (see [`Sink`]).
#[derive(Clone, Default)]
pub struct HashEngine(Sha256);

impl fmt::Debug for HashEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashEngine")
    }
}

impl HashEngine {
    /// A fresh SHA-256 state.
    pub fn new() -> Self {
        Self(Sha256::new())
    }

    /// A SHA-256 state that has absorbed BIP340's prefix `SHA256(tag) || SHA256(tag)`.
    pub fn tagged(tag: &[u8]) -> Self {
        let t = sha256(tag);
        let mut h = Sha256::new();
        h.update(t);
        h.update(t);
        Self(h)
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// SHA-256 of everything absorbed.
    pub fn finalize(self) -> [u8; 32] {
        self.0.finalize().into()
    }

    /// SHA-256 of SHA-256 of everything absorbed.
    pub fn finalize_double(self) -> [u8; 32] {
        sha256_32(&self.finalize())
    }
}

impl Sink for HashEngine {
    fn put(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}

/// BIP340 tagged hash: `SHA256(SHA256(tag) || SHA256(tag) || data)`.
pub fn tagged_hash(tag: &[u8], data: &[u8]) -> [u8; 32] {
    let mut e = HashEngine::tagged(tag);
    e.update(data);
    e.finalize()
}

/// Error parsing a hash from its displayed hex.
pub type ParseHashError = HexError;

macro_rules! hash_newtype {
    ($(#[$doc:meta])* $name:ident, reversed = $rev:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        pub struct $name([u8; 32]);

        impl $name {
            /// The hash from bytes in internal (serialized) order.
            pub const fn from_byte_array(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            /// The bytes in internal (serialized) order.
            pub const fn to_byte_array(self) -> [u8; 32] {
                self.0
            }

            /// The bytes in internal (serialized) order.
            pub const fn as_byte_array(&self) -> &[u8; 32] {
                &self.0
            }

            /// The bytes in display order (reversed for txids, block hashes and merkle roots).
            pub fn to_display_bytes(self) -> [u8; 32] {
                let mut b = self.0;
                if $rev {
                    b.reverse();
                }
                b
            }

            /// The hash from bytes in display order.
            pub fn from_display_bytes(mut bytes: [u8; 32]) -> Self {
                if $rev {
                    bytes.reverse();
                }
                Self(bytes)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                hex::write(f, &self.0, $rev)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self)
            }
        }

        impl FromStr for $name {
            type Err = ParseHashError;

            /// Parses the displayed hex (64 characters, either case).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                hex::decode_array::<32>(s).map(Self::from_display_bytes)
            }
        }

        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                &self.0
            }
        }
    };
}

hash_newtype!(
    /// A transaction id: double SHA-256 of the transaction serialized **without** witness.
    Txid,
    reversed = true
);
hash_newtype!(
    /// A witness transaction id: double SHA-256 of the full (segwit) serialization.
    Wtxid,
    reversed = true
);
hash_newtype!(
    /// A block hash: double SHA-256 of the 80-byte header.
    BlockHash,
    reversed = true
);
hash_newtype!(
    /// A node of a block's transaction merkle tree, and the merkle root itself.
    TxMerkleNode,
    reversed = true
);
hash_newtype!(
    /// A signature hash: the 32 bytes a signature commits to (legacy, BIP143 or BIP341).
    Sighash,
    reversed = false
);
hash_newtype!(
    /// A BIP341 tapleaf hash.
    TapLeafHash,
    reversed = false
);
hash_newtype!(
    /// A BIP341 taproot tree node (a branch hash, or the merkle root of the script tree).
    TapNodeHash,
    reversed = false
);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn fixed_size_fast_paths_agree_with_streaming() {
        let data: alloc::vec::Vec<u8> = (0u8..80).collect();
        let d80: [u8; 80] = data.as_slice().try_into().unwrap();
        assert_eq!(sha256d_80(&d80), sha256d(&data));
        let d64: [u8; 64] = data[..64].try_into().unwrap();
        assert_eq!(sha256d_64(&d64), sha256d(&data[..64]));
        // FIPS 180 "abc".
        assert_eq!(
            hex::encode(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// xorshift64: deterministic bytes for the x4 tests.
    fn fill(state: &mut u64, bytes: &mut [u8]) {
        for b in bytes {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            *b = (*state >> 24) as u8;
        }
    }

    #[test]
    fn x4_agrees_with_scalar() {
        let mut rng = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..500 {
            let mut h = [[0u8; 80]; 4];
            let mut m = [[0u8; 64]; 4];
            h.iter_mut().for_each(|x| fill(&mut rng, x));
            m.iter_mut().for_each(|x| fill(&mut rng, x));
            assert_eq!(sha256d_80_x4(&h), h.each_ref().map(sha256d_80));
            assert_eq!(sha256d_64_x4(&m), m.each_ref().map(sha256d_64));
            let same = [h[1]; 4];
            assert_eq!(sha256d_80_x4(&same), [sha256d_80(&h[1]); 4]);
        }
    }

    #[test]
    fn many_handles_every_length_and_mismatches() {
        let mut rng = 7;
        let mut h = [[0u8; 80]; 9];
        let mut m = [[0u8; 64]; 9];
        h.iter_mut().for_each(|x| fill(&mut rng, x));
        m.iter_mut().for_each(|x| fill(&mut rng, x));
        for n in 0..=9 {
            for k in 0..=9 {
                let mut out = [[0xaau8; 32]; 9];
                sha256d_80_many(&h[..n], &mut out[..k]);
                for (i, o) in out.iter().enumerate() {
                    let want = if i < n.min(k) {
                        sha256d_80(&h[i])
                    } else {
                        [0xaa; 32]
                    };
                    assert_eq!(*o, want, "80: n={n} k={k} i={i}");
                }
                let mut out = [[0xaau8; 32]; 9];
                sha256d_64_many(&m[..n], &mut out[..k]);
                for (i, o) in out.iter().enumerate() {
                    let want = if i < n.min(k) {
                        sha256d_64(&m[i])
                    } else {
                        [0xaa; 32]
                    };
                    assert_eq!(*o, want, "64: n={n} k={k} i={i}");
                }
            }
        }
    }

    #[test]
    fn display_order() {
        let mut b = [0u8; 32];
        b[0] = 0x01;
        let t = Txid::from_byte_array(b);
        let s = t.to_string();
        assert!(s.ends_with("01") && s.starts_with("00"));
        assert_eq!(s.parse::<Txid>().unwrap(), t);
    }
}
