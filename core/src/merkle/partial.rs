//! BIP37 partial merkle trees and `CMerkleBlock`, the bytes Bitcoin Core's `gettxoutproof` returns,
//! checked exactly as Core's `CPartialMerkleTree::ExtractMatches` checks them.

use super::{MerkleError, hash_pair_of};
use crate::encode::{
    Decode, DecodeError, Encode, Field, Reader, Sink, compact_size_len, write_compact_size,
};
use crate::hash::{TxMerkleNode, Txid};
use crate::header::{HEADER_LEN, Header};
use alloc::vec::Vec;

/// Core's bound on transactions per block for a partial merkle tree: `MAX_BLOCK_WEIGHT /
/// MIN_TRANSACTION_WEIGHT` = 4,000,000 / 240.
pub const MAX_TRANSACTIONS: u32 = 4_000_000 / 240;

/// A BIP37 partial merkle tree: the transaction count, the hashes in depth-first order, and
/// one flag bit per visited node (serialized as bytes, least significant bit first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialMerkleTree {
    /// Transactions in the block.
    pub tx_count: u32,
    /// Hashes used, depth first, natural byte order.
    pub hashes: Vec<[u8; 32]>,
    /// Flag bytes as serialized (bit `i` is `bytes[i / 8] >> (i % 8) & 1`).
    pub flag_bytes: Vec<u8>,
}

/// The transactions a partial merkle tree proves, and the root it commits to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matches {
    /// The merkle root computed from the tree.
    pub root: TxMerkleNode,
    /// (position in the block, txid) of every matched transaction, in position order.
    pub matches: Vec<(u32, Txid)>,
}

fn tree_width(tx_count: u32, height: u32) -> u32 {
    // (n + 2^h − 1) >> h without overflow: h < 32 here.
    let n = u64::from(tx_count);
    let w = n.saturating_add((1u64 << height).saturating_sub(1)) >> height;
    u32::try_from(w).unwrap_or(u32::MAX)
}

fn tree_height(tx_count: u32) -> u32 {
    let mut h = 0;
    while h < 32 && tree_width(tx_count, h) > 1 {
        h = h.saturating_add(1);
    }
    h
}

struct Walk<'a> {
    tree: &'a PartialMerkleTree,
    bits_used: usize,
    hashes_used: usize,
    matches: Vec<(u32, Txid)>,
}

impl Walk<'_> {
    fn bit(&self, i: usize) -> Option<bool> {
        self.tree
            .flag_bytes
            .get(i / 8)
            .map(|b| (b >> (i % 8)) & 1 == 1)
    }

    /// Core's `TraverseAndExtract`.
    fn traverse(&mut self, height: u32, pos: u32) -> Result<[u8; 32], MerkleError> {
        let parent_of_match = self.bit(self.bits_used).ok_or(MerkleError::BitsExhausted)?;
        self.bits_used = self.bits_used.saturating_add(1);
        if height == 0 || !parent_of_match {
            let hash = *self
                .tree
                .hashes
                .get(self.hashes_used)
                .ok_or(MerkleError::HashesExhausted)?;
            self.hashes_used = self.hashes_used.saturating_add(1);
            if height == 0 && parent_of_match {
                self.matches.push((pos, Txid::from_byte_array(hash)));
            }
            return Ok(hash);
        }
        // height ≥ 1 here; heights are at most 32 (tree_height), so recursion is shallow.
        let below = height.saturating_sub(1);
        let left_pos = pos.checked_mul(2).ok_or(MerkleError::BitsExhausted)?;
        let left = self.traverse(below, left_pos)?;
        let right_pos = left_pos | 1;
        let right = if right_pos < tree_width(self.tree.tx_count, below) {
            let right = self.traverse(below, right_pos)?;
            if right == left {
                // CVE-2012-2459: a right child equal to its left sibling.
                return Err(MerkleError::DuplicateRightChild {
                    level: below as usize,
                });
            }
            right
        } else {
            left
        };
        Ok(hash_pair_of(&[left, right]))
    }
}

impl PartialMerkleTree {
    /// Builds the tree proving the transactions where `matched` is true (Core's
    /// `CPartialMerkleTree(vTxid, vMatch)`).
    ///
    /// # Errors
    /// [`MerkleError::NoTransactions`], [`MerkleError::TooManyTransactions`], or
    /// [`MerkleError::MatchLengthMismatch`] when `matched` is not one flag per txid.
    pub fn build(txids: &[Txid], matched: &[bool]) -> Result<Self, MerkleError> {
        if txids.is_empty() {
            return Err(MerkleError::NoTransactions);
        }
        if matched.len() != txids.len() {
            return Err(MerkleError::MatchLengthMismatch);
        }
        let tx_count = u32::try_from(txids.len())
            .ok()
            .filter(|&n| n <= MAX_TRANSACTIONS)
            .ok_or(MerkleError::TooManyTransactions {
                count: txids.len() as u64,
            })?;
        // levels[h][i]: node i at height h, and whether it is a match's ancestor.
        let mut levels: Vec<Vec<([u8; 32], bool)>> = alloc::vec![
            txids
                .iter()
                .zip(matched)
                .map(|(t, &m)| (t.to_byte_array(), m))
                .collect()
        ];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let below = levels.last().map(Vec::as_slice).unwrap_or(&[]);
            let next = below
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => (hash_pair_of(&[l.0, r.0]), l.1 || r.1),
                    [l] => (hash_pair_of(&[l.0, l.0]), l.1),
                    _ => ([0; 32], false),
                })
                .collect();
            levels.push(next);
        }
        let mut tree = Self {
            tx_count,
            hashes: Vec::new(),
            flag_bytes: Vec::new(),
        };
        let mut bits: Vec<bool> = Vec::new();
        let top = u32::try_from(levels.len().saturating_sub(1)).unwrap_or(0);
        build_node(&levels, top, 0, &mut tree.hashes, &mut bits);
        tree.flag_bytes = alloc::vec![0u8; bits.len().div_ceil(8)];
        for (i, _) in bits.iter().enumerate().filter(|(_, b)| **b) {
            if let Some(byte) = tree.flag_bytes.get_mut(i / 8) {
                *byte |= 1 << (i % 8);
            }
        }
        Ok(tree)
    }

    /// The matched transactions and the root, after every check of Core's `ExtractMatches`: at
    /// least one and at most 16,666 transactions, no more hashes than transactions, at least as
    /// many flag bits as hashes, no right child equal to its left sibling, every hash used and
    /// every flag byte used (bits past the last used bit are padding).
    ///
    /// # Errors
    /// The [`MerkleError`] for the check that fails.
    pub fn extract(&self) -> Result<Matches, MerkleError> {
        if self.tx_count == 0 {
            return Err(MerkleError::NoTransactions);
        }
        if self.tx_count > MAX_TRANSACTIONS {
            return Err(MerkleError::TooManyTransactions {
                count: u64::from(self.tx_count),
            });
        }
        if self.hashes.len() > self.tx_count as usize {
            return Err(MerkleError::TooManyHashes {
                hashes: self.hashes.len(),
                count: self.tx_count,
            });
        }
        if self.flag_bytes.len().saturating_mul(8) < self.hashes.len() {
            return Err(MerkleError::TooFewBits);
        }
        let mut walk = Walk {
            tree: self,
            bits_used: 0,
            hashes_used: 0,
            matches: Vec::new(),
        };
        let root = walk.traverse(tree_height(self.tx_count), 0)?;
        if walk.bits_used.div_ceil(8) != self.flag_bytes.len() {
            return Err(MerkleError::UnusedBits);
        }
        if walk.hashes_used != self.hashes.len() {
            return Err(MerkleError::UnusedHashes);
        }
        Ok(Matches {
            root: TxMerkleNode::from_byte_array(root),
            matches: walk.matches,
        })
    }
}

fn build_node(
    levels: &[Vec<([u8; 32], bool)>],
    height: u32,
    pos: usize,
    hashes: &mut Vec<[u8; 32]>,
    bits: &mut Vec<bool>,
) {
    let Some((hash, parent_of_match)) = levels
        .get(height as usize)
        .and_then(|l| l.get(pos))
        .copied()
    else {
        return;
    };
    bits.push(parent_of_match);
    if height == 0 || !parent_of_match {
        hashes.push(hash);
        return;
    }
    let below = height.saturating_sub(1);
    let left = pos.saturating_mul(2);
    let right = left.saturating_add(1);
    build_node(levels, below, left, hashes, bits);
    if levels.get(below as usize).is_some_and(|l| right < l.len()) {
        build_node(levels, below, right, hashes, bits);
    }
}

impl Encode for PartialMerkleTree {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        sink.put(&self.tx_count.to_le_bytes());
        write_compact_size(sink, self.hashes.len() as u64);
        for h in &self.hashes {
            sink.put(h);
        }
        write_compact_size(sink, self.flag_bytes.len() as u64);
        sink.put(&self.flag_bytes);
    }

    fn encoded_len(&self) -> usize {
        4usize
            .saturating_add(compact_size_len(self.hashes.len() as u64))
            .saturating_add(self.hashes.len().saturating_mul(32))
            .saturating_add(compact_size_len(self.flag_bytes.len() as u64))
            .saturating_add(self.flag_bytes.len())
    }
}

impl Decode for PartialMerkleTree {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let tx_count = r.read_u32(Field::TxCount)?;
        let n = r.read_count(Field::MerkleHashCount, 32)?;
        let mut hashes = Vec::with_capacity(n);
        for _ in 0..n {
            hashes.push(r.read_array(Field::MerkleHash)?);
        }
        let flag_bytes = r.read_var_bytes(Field::MerkleFlags)?.to_vec();
        Ok(Self {
            tx_count,
            hashes,
            flag_bytes,
        })
    }
}

/// Bitcoin Core's `CMerkleBlock`: a header and a partial merkle tree (`gettxoutproof` output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleBlock {
    /// The block header.
    pub header: Header,
    /// The partial merkle tree.
    pub tree: PartialMerkleTree,
}

impl MerkleBlock {
    /// The proof for the transactions where `matched` is true.
    ///
    /// # Errors
    /// As [`PartialMerkleTree::build`].
    pub fn build(header: Header, txids: &[Txid], matched: &[bool]) -> Result<Self, MerkleError> {
        Ok(Self {
            header,
            tree: PartialMerkleTree::build(txids, matched)?,
        })
    }

    /// The matched transactions, after every check of [`PartialMerkleTree::extract`] and the
    /// computed root equalling the header's merkle root.
    ///
    /// # Errors
    /// The [`MerkleError`] for the check that fails, or [`MerkleError::RootMismatch`].
    pub fn verify(&self) -> Result<Matches, MerkleError> {
        let m = self.tree.extract()?;
        if m.root != self.header.merkle_root {
            return Err(MerkleError::RootMismatch {
                computed: m.root,
                header: self.header.merkle_root,
            });
        }
        Ok(m)
    }
}

impl Encode for MerkleBlock {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        self.header.encode_to(sink);
        self.tree.encode_to(sink);
    }

    fn encoded_len(&self) -> usize {
        HEADER_LEN.saturating_add(self.tree.encoded_len())
    }
}

impl Decode for MerkleBlock {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            header: Header::decode_from(r)?,
            tree: PartialMerkleTree::decode_from(r)?,
        })
    }
}
