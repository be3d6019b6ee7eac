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

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut e = HashEngine::new();
    e.update(data);
    e.finalize()
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

/// SHA-256 of many messages: `out[j]` becomes the digest of what `jobs[j].0` has absorbed
/// followed by `jobs[j].1`, as `clone()`, `update(jobs[j].1)`, `finalize()` would give, for every
/// `j` below the shorter of the two lengths. On wasm32 with `simd128` the messages share four SIMD
/// lanes (of any lengths, each taking the next free lane); elsewhere they are hashed one after the
/// other.
pub fn finalize_many(jobs: &[(&HashEngine, &[u8])], out: &mut [[u8; 32]]) {
    let jobs = jobs.get(..out.len().min(jobs.len())).unwrap_or_default();
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        let jobs: alloc::vec::Vec<x4::Job<'_>> = jobs
            .iter()
            .map(|&(e, tail)| x4::Job {
                state: &e.state,
                pending: e.block.get(..e.used()).unwrap_or_default(),
                len: e.len,
                tail,
            })
            .collect();
        x4::finalize_many(&jobs, out);
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        for (o, &(e, tail)) in out.iter_mut().zip(jobs) {
            let mut e = e.clone();
            e.update(tail);
            *o = e.finalize();
        }
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

/// The SHA-256 state after the 64-byte prefix `SHA256(tag) || SHA256(tag)` of the BIP340 tags
/// this crate uses, so that a tagged hash skips two compressions. Checked against
/// [`HashEngine::tagged`]'s own computation by a test.
#[rustfmt::skip]
const TAG_MIDSTATES: [(&[u8], [u32; 8]); 8] = [
    (b"TapSighash", [0xf504_a425, 0xd7f8_783b, 0x1363_868a, 0xe3e5_5658, 0x6eee_945d, 0xbc78_88dd, 0x02a6_e2c3, 0x1873_fe9f]),
    (b"TapLeaf", [0x9ce0_e4e6, 0x7c11_6c39, 0x38b3_caf2, 0xc30f_5089, 0xd3f3_936c, 0x4763_6e60, 0x7db3_3eea, 0xddc6_f0c9]),
    (b"TapBranch", [0x23a8_65a9, 0xb8a4_0da7, 0x977c_1e04, 0xc49e_246f, 0xb5be_1376, 0x9d24_c9b7, 0xb583_b5d4, 0xa8d2_26d2]),
    (b"TapTweak", [0xd129_a2f3, 0x701c_655d, 0x6583_b6c3, 0xb941_9727, 0x95f4_e232, 0x94fd_54f4, 0xa2ae_8d85, 0x47ca_590b]),
    (b"BIP0340/aux", [0x24dd_3219, 0x4eba_7e70, 0xca0f_abb9, 0x0fa3_166d, 0x3afb_e4b1, 0x4c44_df97, 0x4aac_2739, 0x249e_850a]),
    (b"BIP0340/nonce", [0x4661_5b35, 0xf4bf_bff7, 0x9f8d_c671, 0x8362_7ab3, 0x6021_7180, 0x5735_8661, 0x21a2_9e54, 0x68b0_7b4c]),
    (b"BIP0340/challenge", [0x9cec_ba11, 0x2392_5381, 0x1167_9112, 0xd162_7e0f, 0x97c8_7550, 0x003c_c765, 0x90f6_1164, 0x33e9_b66a]),
    (b"pegkit/batch-randomizer", [0x0af2_65ad, 0xfc87_32ad, 0xd520_c97e, 0xfa60_c552, 0xe259_b1d9, 0x02f4_2a7a, 0x8218_1c7c, 0x8448_f662]),
];

/// The SHA-256 state after absorbing `SHA256(tag) || SHA256(tag)`.
fn tag_midstate(tag: &[u8]) -> [u32; 8] {
    let t = sha256(tag);
    let mut prefix = [0u8; 64];
    let (a, b) = prefix.split_at_mut(32);
    a.copy_from_slice(&t);
    b.copy_from_slice(&t);
    let mut state = IV;
    sha2::block_api::compress256(&mut state, &[prefix]);
    state
}

/// A streaming SHA-256 that encoders can write into (see [`Sink`]).
///
/// The block buffer and padding are this crate's; the compression function is `sha2`'s (SHA-NI
/// natively where the CPU has it).
#[derive(Clone)]
pub struct HashEngine {
    state: [u32; 8],
    /// The partial block: its first `len % 64` bytes are absorbed but not yet compressed.
    block: [u8; 64],
    /// Bytes absorbed so far.
    len: u64,
}

impl Default for HashEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for HashEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashEngine")
    }
}

impl HashEngine {
    /// A fresh SHA-256 state.
    pub const fn new() -> Self {
        Self {
            state: IV,
            block: [0; 64],
            len: 0,
        }
    }

    /// A SHA-256 state that has absorbed BIP340's prefix `SHA256(tag) || SHA256(tag)`.
    pub fn tagged(tag: &[u8]) -> Self {
        let state = match TAG_MIDSTATES.iter().find(|(t, _)| *t == tag) {
            Some((_, midstate)) => *midstate,
            None => tag_midstate(tag),
        };
        Self {
            state,
            block: [0; 64],
            len: 64,
        }
    }

    /// Where the next byte goes in the partial block (`len % 64`).
    fn used(&self) -> usize {
        (self.len % 64) as usize
    }

    /// Absorbs `data`.
    #[inline]
    pub fn update(&mut self, data: &[u8]) {
        let used = self.used();
        // The common case in encoders: a small field that fits the partial block.
        if let Some(dst) = self.block.get_mut(used..used.saturating_add(data.len())) {
            if used.saturating_add(data.len()) < 64 {
                dst.copy_from_slice(data);
                self.len = self.len.wrapping_add(data.len() as u64);
                return;
            }
        }
        self.update_blocks(data);
    }

    /// [`Self::update`] when `data` completes the partial block. (Not inlined in the wasm build,
    /// where one copy is smaller and as fast.)
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    fn update_blocks(&mut self, data: &[u8]) {
        let used = self.used();
        self.len = self.len.wrapping_add(data.len() as u64);
        let mut rest = data;
        if used > 0 {
            let (head, tail) = rest.split_at(rest.len().min(64usize.saturating_sub(used)));
            if let Some(dst) = self.block.get_mut(used..used.saturating_add(head.len())) {
                dst.copy_from_slice(head);
            }
            if used.saturating_add(head.len()) < 64 {
                return;
            }
            sha2::block_api::compress256(&mut self.state, &[self.block]);
            rest = tail;
        }
        let blocks = rest.chunks_exact(64);
        let tail = blocks.remainder();
        for block in blocks {
            if let Ok(block) = <[u8; 64]>::try_from(block) {
                sha2::block_api::compress256(&mut self.state, &[block]);
            }
        }
        if let Some(dst) = self.block.get_mut(..tail.len()) {
            dst.copy_from_slice(tail);
        }
    }

    /// SHA-256 of everything absorbed.
    #[cfg_attr(target_arch = "wasm32", inline(never))]
    pub fn finalize(mut self) -> [u8; 32] {
        let used = self.used();
        let bits = self.len.wrapping_mul(8).to_be_bytes();
        if let Some((first, rest)) = self.block.get_mut(used..).and_then(|t| t.split_first_mut()) {
            *first = 0x80;
            rest.fill(0);
        }
        // The 8-byte length needs the last 8 bytes of a block: if the 0x80 took one of them,
        // it goes in a block of its own.
        if used >= 56 {
            sha2::block_api::compress256(&mut self.state, &[self.block]);
            self.block = [0; 64];
        }
        let (_, length) = self.block.split_at_mut(56);
        length.copy_from_slice(&bits);
        sha2::block_api::compress256(&mut self.state, &[self.block]);
        state_bytes(&self.state)
    }

    /// SHA-256 of SHA-256 of everything absorbed.
    pub fn finalize_double(self) -> [u8; 32] {
        sha256_32(&self.finalize())
    }
}

impl Sink for HashEngine {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
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

/// `a == b` for 32-byte hashes, branch-free over four 64-bit words. The wasm build does not
/// expand `memcmp` inline (`.cargo/config.toml`: it saves 4 KB gzipped), and the library's
/// `memcmp` there goes byte by byte; hash equality is on the hot path of header chains (parent
/// lookup, link to the tip).
#[inline]
fn eq32(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let word = |x: &[u8]| <[u8; 8]>::try_from(x).map_or(0, u64::from_ne_bytes);
    a.chunks_exact(8)
        .zip(b.chunks_exact(8))
        .fold(0u64, |diff, (x, y)| diff | (word(x) ^ word(y)))
        == 0
}

macro_rules! hash_newtype {
    ($(#[$doc:meta])* $name:ident, reversed = $rev:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Eq, PartialOrd, Ord, Default)]
        pub struct $name([u8; 32]);

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                eq32(&self.0, &other.0)
            }
        }

        // The same bytes as the derived impl would hash: consistent with `eq`.
        impl core::hash::Hash for $name {
            fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state);
            }
        }

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
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    #[test]
    fn fixed_size_fast_paths_agree_with_streaming() {
        let data: Vec<u8> = (0u8..80).collect();
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
    fn tag_midstates_are_the_computed_ones() {
        for (tag, midstate) in TAG_MIDSTATES {
            assert_eq!(
                tag_midstate(tag),
                midstate,
                "{}",
                String::from_utf8_lossy(tag)
            );
            assert_eq!(HashEngine::tagged(tag).state, midstate);
        }
    }

    /// `SHA256(SHA256(tag) || SHA256(tag) || data)` with `sha2`'s own streaming hasher.
    fn tagged_reference(tag: &[u8], data: &[u8]) -> [u8; 32] {
        use sha2::Digest;
        let t = sha2::Sha256::digest(tag);
        let mut h = sha2::Sha256::new();
        h.update(t);
        h.update(t);
        h.update(data);
        h.finalize().into()
    }

    #[test]
    fn engine_pads_every_length_of_the_last_block() {
        use sha2::Digest;
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in 0..data.len() {
            let want: [u8; 32] = sha2::Sha256::digest(&data[..n]).into();
            assert_eq!(sha256(&data[..n]), want, "length {n}");
            assert_eq!(
                sha256d(&data[..n]),
                sha2::Sha256::digest(want).as_slice(),
                "length {n}"
            );
            // Known tag (midstate) and unknown tag (computed prefix).
            for tag in [&b"TapSighash"[..], b"some/other-tag"] {
                assert_eq!(
                    tagged_hash(tag, &data[..n]),
                    tagged_reference(tag, &data[..n])
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn engine_matches_sha2_for_any_split(
            data in proptest::collection::vec(proptest::num::u8::ANY, 0..700),
            cuts in proptest::collection::vec(0usize..700, 0..12),
        ) {
            use sha2::Digest;
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(data.len())).collect();
            cuts.sort_unstable();
            let mut e = HashEngine::new();
            let mut at = 0;
            for c in cuts.into_iter().chain([data.len()]) {
                e.update(&data[at..c]);
                at = c;
            }
            let want: [u8; 32] = sha2::Sha256::digest(&data).into();
            proptest::prop_assert_eq!(e.clone().finalize(), want);
            proptest::prop_assert_eq!(e.finalize_double(), sha256d(&data));
        }
    }

    #[test]
    fn hash_equality_sees_every_byte() {
        let a = [0x5au8; 32];
        assert_eq!(BlockHash::from_byte_array(a), BlockHash::from_byte_array(a));
        for i in 0..32 {
            for bit in 0..8 {
                let mut b = a;
                b[i] ^= 1 << bit;
                assert_ne!(BlockHash::from_byte_array(a), BlockHash::from_byte_array(b));
                assert_ne!(Txid::from_byte_array(b), Txid::from_byte_array(a));
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
