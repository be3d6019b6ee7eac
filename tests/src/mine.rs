//! Mining synthetic headers with valid proof of work, for tests that need forks, retargets and
//! work comparisons that real data cannot provide (tampering with real headers would break their
//! proof of work first). Use parameters with an easy proof-of-work limit (regtest's).

use pegkit_core::header::{CompactTarget, Header};
use pegkit_core::pow;
use pegkit_core::{BlockHash, TxMerkleNode};

/// Finds a nonce so that the header meets its own nBits (or, with `valid = false`, fails it).
pub fn solve(mut header: Header, valid: bool) -> Header {
    let target = header.bits.decode().target;
    for nonce in 0..=u32::MAX {
        header.nonce = nonce;
        if pow::hash_meets_target(header.block_hash().as_byte_array(), &target) == valid {
            return header;
        }
    }
    panic!("no nonce found for bits {}", header.bits);
}

/// A child of `parent` with these fields, solved.
pub fn child(parent: &Header, time: u32, bits: CompactTarget) -> Header {
    solve(
        Header {
            version: 4,
            prev_blockhash: parent.block_hash(),
            merkle_root: TxMerkleNode::from_byte_array(parent.block_hash().to_byte_array()),
            time,
            bits,
            nonce: 0,
        },
        true,
    )
}

/// A child committing to `merkle_root`.
pub fn child_with_root(
    parent: &Header,
    time: u32,
    bits: CompactTarget,
    merkle_root: TxMerkleNode,
) -> Header {
    solve(
        Header {
            version: 4,
            prev_blockhash: parent.block_hash(),
            merkle_root,
            time,
            bits,
            nonce: 0,
        },
        true,
    )
}

/// `count` headers on top of `parent`, `spacing` seconds apart, all with `bits`.
pub fn extend(parent: &Header, count: usize, spacing: u32, bits: CompactTarget) -> Vec<Header> {
    let mut out = Vec::with_capacity(count);
    let mut prev = *parent;
    for _ in 0..count {
        let h = child(&prev, prev.time + spacing, bits);
        out.push(h);
        prev = h;
    }
    out
}

/// A distinct all-zero-parent header for unknown-parent tests.
pub fn orphan(bits: CompactTarget, time: u32) -> Header {
    solve(
        Header {
            version: 4,
            prev_blockhash: BlockHash::from_byte_array([0x42; 32]),
            merkle_root: TxMerkleNode::from_byte_array([7; 32]),
            time,
            bits,
            nonce: 0,
        },
        true,
    )
}
