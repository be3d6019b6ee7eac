//! Transaction merkle trees.

use crate::hash::{TxMerkleNode, Txid, sha256d_64};
use alloc::vec::Vec;

/// The root of a list of txids, and whether the list is *mutated*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MerkleRoot {
    /// The merkle root.
    pub root: TxMerkleNode,
    /// True when some level has two equal adjacent nodes (CVE-2012-2459): another, shorter or
    /// longer, list of txids has the same root, so a block with this list must be rejected.
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
        level = level.chunks_exact(2).map(hash_pair).collect();
    }
    level.first().map(|&root| MerkleRoot {
        root: TxMerkleNode::from_byte_array(root),
        mutated,
    })
}

/// The parent of two adjacent nodes: double SHA-256 of `left || right`.
fn hash_pair(pair: &[[u8; 32]]) -> [u8; 32] {
    let mut buf = [0u8; 64];
    if let [left, right] = pair {
        let (l, r) = buf.split_at_mut(32);
        l.copy_from_slice(left);
        r.copy_from_slice(right);
    }
    sha256d_64(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_mutated() {
        let a = Txid::from_byte_array([1; 32]);
        let b = Txid::from_byte_array([2; 32]);
        let one = merkle_root(&[a]).unwrap();
        assert_eq!(one.root.to_byte_array(), a.to_byte_array());
        assert!(!one.mutated);
        // [a, b, b] pads to [a, b, b, b]: same root as [a, b, b, b], which is mutated.
        let three = merkle_root(&[a, b, b]).unwrap();
        let four = merkle_root(&[a, b, b, b]).unwrap();
        assert_eq!(three.root, four.root);
        assert!(four.mutated);
        assert!(!merkle_root(&[a, b, a]).unwrap().mutated);
        assert!(merkle_root(&[]).is_none());
    }
}
