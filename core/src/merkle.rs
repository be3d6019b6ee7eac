//! Transaction merkle trees: roots (with Core's mutation detection), branches ordered by
//! position, and Bitcoin Core's `gettxoutproof` partial merkle trees.

mod branch;
mod partial;

pub use branch::MerkleBranch;
pub use partial::{MAX_TRANSACTIONS, Matches, MerkleBlock, PartialMerkleTree};

use crate::ErrorCode;
use crate::hash::{TxMerkleNode, Txid, sha256d_64, sha256d_64_many};
use alloc::vec::Vec;
use core::fmt;

/// Why a merkle computation or proof fails. Every variant has its own code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MerkleError {
    /// No transactions (a block always has its coinbase).
    NoTransactions,
    /// A position not below the transaction count.
    IndexOutOfRange {
        /// The position.
        index: u64,
        /// The transaction count.
        count: u64,
    },
    /// A position that does not fit the branch length (index ≥ 2^depth).
    IndexTooLarge {
        /// The position.
        index: u32,
        /// The branch length.
        depth: usize,
    },
    /// A node that is the right child and equals its left sibling: a position made by
    /// duplicating the last node of a level (CVE-2012-2459).
    DuplicateRightChild {
        /// Level (0 = leaves) of the duplicated pair.
        level: usize,
    },
    /// More transactions than a block can hold (Core: 16,666).
    TooManyTransactions {
        /// The count given.
        count: u64,
    },
    /// A partial merkle tree with more hashes than transactions.
    TooManyHashes {
        /// Hashes given.
        hashes: usize,
        /// Transaction count.
        count: u32,
    },
    /// A partial merkle tree with fewer flag bits than hashes.
    TooFewBits,
    /// The tree walk needed more flag bits than given.
    BitsExhausted,
    /// The tree walk needed more hashes than given.
    HashesExhausted,
    /// Flag bytes left after the walk.
    UnusedBits,
    /// Hashes left after the walk.
    UnusedHashes,
    /// The tree's root is not the header's merkle root.
    RootMismatch {
        /// Root computed from the proof.
        computed: TxMerkleNode,
        /// Root in the header.
        header: TxMerkleNode,
    },
    /// Building a proof: one match flag per txid is needed.
    MatchLengthMismatch,
}

impl fmt::Display for MerkleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoTransactions => f.write_str("no transactions"),
            Self::IndexOutOfRange { index, count } => {
                write!(f, "position {index} is not below the {count} transactions")
            }
            Self::IndexTooLarge { index, depth } => write!(
                f,
                "position {index} does not fit a branch of {depth} levels"
            ),
            Self::DuplicateRightChild { level } => write!(
                f,
                "right child equals its left sibling at level {level}: a duplicated position (CVE-2012-2459)"
            ),
            Self::TooManyTransactions { count } => {
                write!(f, "{count} transactions, more than a block can hold")
            }
            Self::TooManyHashes { hashes, count } => {
                write!(f, "{hashes} hashes for {count} transactions")
            }
            Self::TooFewBits => f.write_str("fewer flag bits than hashes"),
            Self::BitsExhausted => f.write_str("the tree needs more flag bits than given"),
            Self::HashesExhausted => f.write_str("the tree needs more hashes than given"),
            Self::UnusedBits => f.write_str("flag bytes left unused"),
            Self::UnusedHashes => f.write_str("hashes left unused"),
            Self::RootMismatch { computed, header } => {
                write!(
                    f,
                    "proof gives merkle root {computed}, the header has {header}"
                )
            }
            Self::MatchLengthMismatch => f.write_str("one match flag per txid is needed"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for MerkleError {}

impl ErrorCode for MerkleError {
    fn code(&self) -> &'static str {
        match self {
            Self::NoTransactions => "no_transactions",
            Self::IndexOutOfRange { .. } => "index_out_of_range",
            Self::IndexTooLarge { .. } => "index_too_large",
            Self::DuplicateRightChild { .. } => "merkle_mutation",
            Self::TooManyTransactions { .. } => "too_many_transactions",
            Self::TooManyHashes { .. } => "too_many_hashes",
            Self::TooFewBits => "too_few_bits",
            Self::BitsExhausted => "bits_exhausted",
            Self::HashesExhausted => "hashes_exhausted",
            Self::UnusedBits => "unused_bits",
            Self::UnusedHashes => "unused_hashes",
            Self::RootMismatch { .. } => "merkle_root_mismatch",
            Self::MatchLengthMismatch => "invalid_argument",
        }
    }
}

/// The root of a list of txids, and whether the list is *mutated*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MerkleRoot {
    /// The merkle root.
    pub root: TxMerkleNode,
    /// True when some level has two equal adjacent nodes (CVE-2012-2459): another list of txids
    /// has the same root, so a block with this list must be rejected.
    pub mutated: bool,
}

/// Computes the merkle root of `txids` exactly as Bitcoin Core's `ComputeMerkleRoot`: at each
/// level an odd last node is paired with itself; `mutated` reports equal adjacent pairs.
/// Returns `None` for an empty list (a block always has a coinbase).
pub fn merkle_root(txids: &[Txid]) -> Option<MerkleRoot> {
    let mut level: Vec<[u8; 32]> = txids.iter().map(|t| t.to_byte_array()).collect();
    let mut mutated = false;
    while level.len() > 1 {
        // Checked before padding, as in Core: a last node paired with its own copy is legitimate.
        mutated |= level
            .chunks_exact(2)
            .any(|pair| matches!(pair, [a, b] if a == b));
        if level.len() % 2 == 1 {
            if let Some(&last) = level.last() {
                level.push(last);
            }
        }
        // Every pair of this level at once: four lanes at a time where the platform has SIMD.
        let pairs: Vec<[u8; 64]> = level.chunks_exact(2).map(concat_pair).collect();
        let mut next = alloc::vec![[0u8; 32]; pairs.len()];
        sha256d_64_many(&pairs, &mut next);
        level = next;
    }
    level.first().map(|&root| MerkleRoot {
        root: TxMerkleNode::from_byte_array(root),
        mutated,
    })
}

/// `left || right` of two adjacent nodes (zeros if `pair` is not two nodes).
fn concat_pair(pair: &[[u8; 32]]) -> [u8; 64] {
    let mut buf = [0u8; 64];
    if let [left, right] = pair {
        let (l, r) = buf.split_at_mut(32);
        l.copy_from_slice(left);
        r.copy_from_slice(right);
    }
    buf
}

/// The parent of two adjacent nodes: double SHA-256 of `left || right`.
pub(crate) fn hash_pair_of(pair: &[[u8; 32]]) -> [u8; 32] {
    sha256d_64(&concat_pair(pair))
}
