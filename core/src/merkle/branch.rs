//! Merkle branches: the sibling hashes from one transaction up to the root, ordered by the
//! transaction's **position** (bit i of the index says whether the node is the right child at
//! level i), never by comparing hashes.

use super::{MerkleError, hash_pair_of};
use crate::hash::{TxMerkleNode, Txid};
use alloc::vec::Vec;

/// A merkle branch for the transaction at `index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleBranch {
    /// Position of the transaction in its block.
    pub index: u32,
    /// Sibling hashes from the leaf level up, in natural (internal) byte order.
    pub siblings: Vec<[u8; 32]>,
}

impl MerkleBranch {
    /// The branch of the transaction at `index` in a block with these txids. An odd last node of
    /// a level is its own sibling (it is paired with its duplicate, as Core computes the root).
    ///
    /// # Errors
    /// [`MerkleError::NoTransactions`] or [`MerkleError::IndexOutOfRange`].
    pub fn build(txids: &[Txid], index: usize) -> Result<Self, MerkleError> {
        if txids.is_empty() {
            return Err(MerkleError::NoTransactions);
        }
        let count = txids.len();
        let index32 = u32::try_from(index).ok().filter(|_| index < count).ok_or(
            MerkleError::IndexOutOfRange {
                index: index as u64,
                count: count as u64,
            },
        )?;
        let mut level: Vec<[u8; 32]> = txids.iter().map(|t| t.to_byte_array()).collect();
        let mut pos = index;
        let mut siblings = Vec::new();
        while level.len() > 1 {
            let sibling = level
                .get(pos ^ 1)
                .or_else(|| level.get(pos))
                .copied()
                .unwrap_or([0; 32]);
            siblings.push(sibling);
            if level.len() % 2 == 1 {
                if let Some(&last) = level.last() {
                    level.push(last);
                }
            }
            level = level.chunks_exact(2).map(hash_pair_of).collect();
            pos /= 2;
        }
        Ok(Self {
            index: index32,
            siblings,
        })
    }

    /// The root this branch gives for `txid`.
    ///
    /// # Errors
    /// [`MerkleError::IndexTooLarge`] when the index does not fit the branch length (a position
    /// beyond the tree), [`MerkleError::DuplicateRightChild`] when a node is the right child and
    /// equals its left sibling: that position only exists by duplicating the left node
    /// (CVE-2012-2459), so no transaction is there.
    pub fn root_for(&self, txid: &Txid) -> Result<TxMerkleNode, MerkleError> {
        let depth = self.siblings.len();
        if depth < 32 && u64::from(self.index) >> depth != 0 {
            return Err(MerkleError::IndexTooLarge {
                index: self.index,
                depth,
            });
        }
        let mut node = txid.to_byte_array();
        for (level, sibling) in self.siblings.iter().enumerate() {
            let right = level < 32 && (self.index >> level) & 1 == 1;
            if right {
                if *sibling == node {
                    return Err(MerkleError::DuplicateRightChild { level });
                }
                node = hash_pair_of(&[*sibling, node]);
            } else {
                node = hash_pair_of(&[node, *sibling]);
            }
        }
        Ok(TxMerkleNode::from_byte_array(node))
    }

    /// True when the branch proves `txid` under `root` (see [`Self::root_for`]).
    pub fn verify(&self, txid: &Txid, root: &TxMerkleNode) -> bool {
        self.root_for(txid).is_ok_and(|r| r == *root)
    }
}
