//! Merkle roots, branches and Bitcoin Core's `gettxoutproof` partial merkle trees: the 6 real
//! proofs of block 830000 (decoded, verified, and rebuilt byte for byte), a proof for every one of
//! its 1851 transactions, the roots of blocks 0..=255, and adversarial cases that each break
//! exactly one rule. An independent transliteration of Core's `CPartialMerkleTree` and
//! `ComputeMerkleRoot` (hashing with rust-bitcoin's `sha256d`, not pegkit's) is the oracle for
//! the differential cases.

use bitcoin::hashes::{Hash as _, sha256d};
use pegkit_core::merkle::{
    MAX_TRANSACTIONS, MerkleBlock, MerkleBranch, MerkleError, PartialMerkleTree, merkle_root,
};
use pegkit_core::pegin::{PegInPolicy, verify_peg_in};
use pegkit_core::tx::{OutPoint, Transaction, TxIn, TxOut, Witness};
use pegkit_core::{Block, BlockHash, Decode, Encode, ErrorCode, Header, TxMerkleNode, Txid};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// The oracle: Bitcoin Core's merkle code (src/consensus/merkle.cpp, src/merkleblock.cpp),
// transliterated, with its own hash.

fn oracle_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(left);
    buf[32..].copy_from_slice(right);
    sha256d::Hash::hash(&buf).to_byte_array()
}

/// Core's `ComputeMerkleRoot(hashes, &mutated)`.
fn core_merkle_root(mut hashes: Vec<[u8; 32]>) -> Option<([u8; 32], bool)> {
    let mut mutation = false;
    while hashes.len() > 1 {
        let mut pos = 0;
        while pos + 1 < hashes.len() {
            if hashes[pos] == hashes[pos + 1] {
                mutation = true;
            }
            pos += 2;
        }
        if hashes.len() & 1 == 1 {
            hashes.push(*hashes.last().unwrap());
        }
        hashes = hashes
            .chunks(2)
            .map(|p| oracle_hash(&p[0], &p[1]))
            .collect();
    }
    hashes.first().map(|h| (*h, mutation))
}

/// `CPartialMerkleTree`, with `vBits` expanded from the serialized bytes as Core's
/// deserialization does (8 bits per byte).
struct CoreTree {
    n: u32,
    hashes: Vec<[u8; 32]>,
    bits: Vec<bool>,
}

impl CoreTree {
    fn from_pegkit(t: &PartialMerkleTree) -> Self {
        Self {
            n: t.tx_count,
            hashes: t.hashes.clone(),
            bits: (0..t.flag_bytes.len() * 8)
                .map(|i| (t.flag_bytes[i / 8] >> (i % 8)) & 1 == 1)
                .collect(),
        }
    }

    fn width(&self, height: u32) -> u64 {
        (u64::from(self.n) + (1u64 << height) - 1) >> height
    }

    /// `CPartialMerkleTree(vTxid, vMatch)`: TraverseAndBuild, serialized.
    fn build(txids: &[[u8; 32]], matched: &[bool]) -> (u32, Vec<[u8; 32]>, Vec<u8>) {
        let mut t = CoreTree {
            n: txids.len() as u32,
            hashes: Vec::new(),
            bits: Vec::new(),
        };
        let mut height = 0;
        while t.width(height) > 1 {
            height += 1;
        }
        t.traverse_and_build(height, 0, txids, matched);
        let mut bytes = vec![0u8; t.bits.len().div_ceil(8)];
        for (p, &b) in t.bits.iter().enumerate() {
            bytes[p / 8] |= u8::from(b) << (p % 8);
        }
        (t.n, t.hashes, bytes)
    }

    fn calc_hash(&self, height: u32, pos: u64, txids: &[[u8; 32]]) -> [u8; 32] {
        if height == 0 {
            return txids[pos as usize];
        }
        let left = self.calc_hash(height - 1, pos * 2, txids);
        let right = if pos * 2 + 1 < self.width(height - 1) {
            self.calc_hash(height - 1, pos * 2 + 1, txids)
        } else {
            left
        };
        oracle_hash(&left, &right)
    }

    fn traverse_and_build(&mut self, height: u32, pos: u64, txids: &[[u8; 32]], m: &[bool]) {
        let mut parent_of_match = false;
        let mut p = pos << height;
        while p < (pos + 1) << height && p < u64::from(self.n) {
            parent_of_match |= m[p as usize];
            p += 1;
        }
        self.bits.push(parent_of_match);
        if height == 0 || !parent_of_match {
            let h = self.calc_hash(height, pos, txids);
            self.hashes.push(h);
        } else {
            self.traverse_and_build(height - 1, pos * 2, txids, m);
            if pos * 2 + 1 < self.width(height - 1) {
                self.traverse_and_build(height - 1, pos * 2 + 1, txids, m);
            }
        }
    }

    /// `ExtractMatches`: Core only says "bad" (a null root); the first reason met is returned
    /// under the name pegkit gives it. Core keeps walking after `fBad`; the first reason is the
    /// one that counts.
    #[allow(clippy::type_complexity)]
    fn extract(&self) -> Result<([u8; 32], Vec<(u32, [u8; 32])>), &'static str> {
        if self.n == 0 {
            return Err("no_transactions");
        }
        if self.n > 4_000_000 / 240 {
            return Err("too_many_transactions");
        }
        if self.hashes.len() > self.n as usize {
            return Err("too_many_hashes");
        }
        if self.bits.len() < self.hashes.len() {
            return Err("too_few_bits");
        }
        let mut height = 0;
        while self.width(height) > 1 {
            height += 1;
        }
        let mut w = CoreWalk {
            bits_used: 0,
            hashes_used: 0,
            matches: Vec::new(),
            bad: None,
        };
        let root = self.traverse_and_extract(height, 0, &mut w);
        if let Some(reason) = w.bad {
            return Err(reason);
        }
        if w.bits_used.div_ceil(8) != self.bits.len().div_ceil(8) {
            return Err("unused_bits");
        }
        if w.hashes_used != self.hashes.len() {
            return Err("unused_hashes");
        }
        Ok((root, w.matches))
    }

    fn traverse_and_extract(&self, height: u32, pos: u64, w: &mut CoreWalk) -> [u8; 32] {
        if w.bits_used >= self.bits.len() {
            w.bad.get_or_insert("bits_exhausted");
            return [0; 32];
        }
        let parent_of_match = self.bits[w.bits_used];
        w.bits_used += 1;
        if height == 0 || !parent_of_match {
            if w.hashes_used >= self.hashes.len() {
                w.bad.get_or_insert("hashes_exhausted");
                return [0; 32];
            }
            let hash = self.hashes[w.hashes_used];
            w.hashes_used += 1;
            if height == 0 && parent_of_match {
                w.matches.push((pos as u32, hash));
            }
            return hash;
        }
        let left = self.traverse_and_extract(height - 1, pos * 2, w);
        let right = if pos * 2 + 1 < self.width(height - 1) {
            let right = self.traverse_and_extract(height - 1, pos * 2 + 1, w);
            if right == left {
                w.bad.get_or_insert("merkle_mutation");
            }
            right
        } else {
            left
        };
        oracle_hash(&left, &right)
    }
}

struct CoreWalk {
    bits_used: usize,
    hashes_used: usize,
    matches: Vec<(u32, [u8; 32])>,
    bad: Option<&'static str>,
}

/// pegkit's extraction in the oracle's terms.
#[allow(clippy::type_complexity)]
fn pegkit_extract(t: &PartialMerkleTree) -> Result<([u8; 32], Vec<(u32, [u8; 32])>), &'static str> {
    t.extract()
        .map(|m| {
            (
                m.root.to_byte_array(),
                m.matches
                    .iter()
                    .map(|(i, t)| (*i, t.to_byte_array()))
                    .collect(),
            )
        })
        .map_err(|e| e.code())
}

// ---------------------------------------------------------------------------------------------
// Data.

fn block_830000() -> Block {
    Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap()
}

fn real_proofs() -> Vec<(pegkit_tests::TxOutProof, MerkleBlock)> {
    pegkit_tests::mainnet_txoutproofs_830000()
        .into_iter()
        .map(|p| {
            let mb = MerkleBlock::decode(&p.proof).unwrap();
            (p, mb)
        })
        .collect()
}

/// The real proof matching the transaction at `index`.
fn real_proof(index: u32) -> MerkleBlock {
    real_proofs()
        .into_iter()
        .find(|(p, _)| p.tx_indexes == [index])
        .unwrap()
        .1
}

fn h(n: u32) -> [u8; 32] {
    pegkit_core::hash::sha256(&n.to_le_bytes())
}

fn txids_of(ns: &[u32]) -> Vec<Txid> {
    ns.iter().map(|&n| Txid::from_byte_array(h(n))).collect()
}

fn raw(txids: &[Txid]) -> Vec<[u8; 32]> {
    txids.iter().map(|t| t.to_byte_array()).collect()
}

fn mask(len: usize, matched: &[usize]) -> Vec<bool> {
    (0..len).map(|i| matched.contains(&i)).collect()
}

fn tree_code(t: &PartialMerkleTree) -> &'static str {
    let code = t.extract().unwrap_err().code();
    assert_eq!(
        CoreTree::from_pegkit(t).extract().unwrap_err(),
        code,
        "Core's algorithm fails first on the same rule"
    );
    code
}

// ---------------------------------------------------------------------------------------------
// Real data.

#[test]
fn the_six_real_gettxoutproofs_of_block_830000() {
    let summary = pegkit_tests::mainnet_block_830000_txids();
    let upstream_root: TxMerkleNode = summary.merkle_root.parse().unwrap();
    let upstream_hash: BlockHash = summary.hash.parse().unwrap();
    let block = block_830000();
    let txids = block.txids();
    let proofs = real_proofs();
    assert_eq!(proofs.len(), 6);
    let mut indexes = Vec::new();
    for (p, mb) in &proofs {
        assert_eq!(mb.header, block.header);
        assert_eq!(mb.header.block_hash(), upstream_hash);
        assert_eq!(p.block_hash.parse::<BlockHash>().unwrap(), upstream_hash);
        assert_eq!((mb.tree.tx_count, p.tx_count), (1851, 1851));
        let m = mb.verify().unwrap();
        assert_eq!(m.root, mb.header.merkle_root);
        assert_eq!(m.root, upstream_root);
        let want: Vec<(u32, Txid)> = p
            .tx_indexes
            .iter()
            .zip(&p.txids)
            .map(|(&i, t)| (i, t.parse().unwrap()))
            .collect();
        assert_eq!(m.matches, want);
        assert_eq!(
            CoreTree::from_pegkit(&mb.tree).extract(),
            pegkit_extract(&mb.tree)
        );
        // pegkit builds Core's bytes exactly.
        let matched = mask(
            txids.len(),
            &p.tx_indexes.iter().map(|&i| i as usize).collect::<Vec<_>>(),
        );
        let built = MerkleBlock::build(block.header, &txids, &matched).unwrap();
        assert_eq!(built.to_bytes(), p.proof, "proof for {:?}", p.tx_indexes);
        assert_eq!(&built, mb);
        assert_eq!(mb.to_bytes(), p.proof);
        assert_eq!(mb.encoded_len(), p.proof.len());
        indexes.extend(p.tx_indexes.iter().copied());
    }
    assert_eq!(indexes, [0, 1, 10, 100, 1000, 1850]);
}

/// Every transaction of block 830000 in `positions`: a one-match proof built, encoded, decoded
/// and verified gives exactly that (position, txid); its branch verifies against the header's
/// root and against no other root, and at no other position.
fn every_transaction(positions: core::ops::Range<usize>) {
    let summary = pegkit_tests::mainnet_block_830000_txids();
    let block = block_830000();
    let txids = block.txids();
    assert_eq!(txids.len(), 1851);
    let upstream: Vec<Txid> = summary.txids.iter().map(|t| t.parse().unwrap()).collect();
    assert_eq!(txids, upstream);
    let root = block.header.merkle_root;
    let other_root = TxMerkleNode::from_byte_array(h(830_000));
    let mut matched = vec![false; txids.len()];
    for (i, txid) in txids
        .iter()
        .enumerate()
        .take(positions.end)
        .skip(positions.start)
    {
        matched[i] = true;
        let proof = MerkleBlock::build(block.header, &txids, &matched).unwrap();
        matched[i] = false;
        let bytes = proof.to_bytes();
        let decoded = MerkleBlock::decode(&bytes).unwrap();
        assert_eq!(decoded, proof);
        let m = decoded.verify().unwrap();
        assert_eq!(m.matches, [(i as u32, *txid)], "proof for tx {i}");
        assert_eq!(m.root, root);

        let branch = MerkleBranch::build(&txids, i).unwrap();
        assert_eq!(branch.index, i as u32);
        assert_eq!(branch.siblings.len(), 11);
        assert!(branch.verify(txid, &root), "branch for tx {i}");
        assert_eq!(branch.root_for(txid), Ok(root));
        assert!(!branch.verify(txid, &other_root));
        // Any other position (one bit of the index flipped) gives another root or a duplicated
        // right child.
        for bit in 0..11 {
            let flipped = MerkleBranch {
                index: branch.index ^ (1 << bit),
                ..branch.clone()
            };
            assert!(!flipped.verify(txid, &root), "tx {i}, bit {bit} flipped");
        }
    }
}

// Two halves, so the test harness runs them in parallel.
#[test]
fn a_proof_and_a_branch_for_every_transaction_of_block_830000_first_half() {
    every_transaction(0..926);
}

#[test]
fn a_proof_and_a_branch_for_every_transaction_of_block_830000_second_half() {
    every_transaction(926..1851);
}

#[test]
fn merkle_roots_of_real_blocks() {
    let block = block_830000();
    let r = merkle_root(&block.txids()).unwrap();
    assert_eq!(r.root, block.header.merkle_root);
    assert!(!r.mutated);
    let blocks = pegkit_tests::mainnet_blocks_0_255();
    let headers = pegkit_tests::mainnet_headers_0_255();
    assert_eq!(blocks.len(), 256);
    let mut multi = 0;
    for (height, (bytes, header)) in blocks.iter().zip(&headers).enumerate() {
        let b = Block::decode(bytes).unwrap();
        assert_eq!(b.header, Header::from_bytes(header), "header {height}");
        let txids = b.txids();
        let r = merkle_root(&txids).unwrap();
        assert_eq!(
            r.root, b.header.merkle_root,
            "merkle root of block {height}"
        );
        assert!(!r.mutated);
        assert_eq!(
            core_merkle_root(raw(&txids)),
            Some((r.root.to_byte_array(), false))
        );
        if txids.len() > 1 {
            multi += 1;
        }
    }
    assert!(multi > 0, "some early blocks have more than the coinbase");
}

#[test]
fn mutated_txid_lists_are_reported() {
    assert_eq!(merkle_root(&[]), None);
    // One txid: the root is the txid.
    let one = txids_of(&[1]);
    let r = merkle_root(&one).unwrap();
    assert_eq!((r.root.to_byte_array(), r.mutated), (h(1), false));
    // An odd last node paired with itself is legitimate...
    let abc = txids_of(&[1, 2, 3]);
    let r3 = merkle_root(&abc).unwrap();
    assert!(!r3.mutated);
    // ...but listing it twice gives the same root, and is a mutation (CVE-2012-2459).
    let abcc = txids_of(&[1, 2, 3, 3]);
    let r4 = merkle_root(&abcc).unwrap();
    assert_eq!(r4.root, r3.root);
    assert!(r4.mutated);
    // The same one level up: 6 txids vs the last pair repeated.
    let six = txids_of(&[1, 2, 3, 4, 5, 6]);
    let eight = txids_of(&[1, 2, 3, 4, 5, 6, 5, 6]);
    let (r6, r8) = (merkle_root(&six).unwrap(), merkle_root(&eight).unwrap());
    assert_eq!(r6.root, r8.root);
    assert!(!r6.mutated);
    assert!(r8.mutated);
    // Two equal adjacent txids anywhere, even with a different root.
    let dup_first = txids_of(&[7, 7, 8]);
    assert!(merkle_root(&dup_first).unwrap().mutated);
    // Equal txids that are not paired are not a mutation Core detects.
    let apart = txids_of(&[7, 8, 7]);
    assert!(!merkle_root(&apart).unwrap().mutated);
    for list in [&one, &abc, &abcc, &six, &eight, &dup_first, &apart] {
        let r = merkle_root(list).unwrap();
        assert_eq!(
            core_merkle_root(raw(list)),
            Some((r.root.to_byte_array(), r.mutated))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Branches: one broken rule each.

#[test]
fn branch_with_swapped_siblings_or_a_flipped_index_bit_fails() {
    let block = block_830000();
    let txids = block.txids();
    let root = block.header.merkle_root;
    let branch = MerkleBranch::build(&txids, 1000).unwrap();
    assert!(branch.verify(&txids[1000], &root));
    // Swap two siblings.
    let mut swapped = branch.clone();
    swapped.siblings.swap(0, 1);
    assert_ne!(swapped.siblings, branch.siblings);
    assert!(!swapped.verify(&txids[1000], &root));
    // Siblings ordered by comparing hashes (seed 000's mistake) instead of by position: fails
    // for a position whose bits do not happen to match the comparisons.
    let mut node = txids[1000].to_byte_array();
    let mut by_hash_order = true;
    for (level, s) in branch.siblings.iter().enumerate() {
        let right = (branch.index >> level) & 1 == 1;
        let smaller_first = node <= *s;
        by_hash_order &= right != smaller_first;
        node = if right {
            oracle_hash(s, &node)
        } else {
            oracle_hash(&node, s)
        };
    }
    assert_eq!(node, root.to_byte_array());
    assert!(
        !by_hash_order,
        "position order differs from hash order here"
    );
    // Flip one index bit.
    let flipped = MerkleBranch {
        index: 1000 ^ 4,
        ..branch.clone()
    };
    assert!(!flipped.verify(&txids[1000], &root));
    // Wrong leaf.
    assert!(!branch.verify(&txids[1001], &root));
}

#[test]
fn branch_index_must_fit_its_length() {
    let block = block_830000();
    let txids = block.txids();
    let root = block.header.merkle_root;
    let branch = MerkleBranch::build(&txids, 1850).unwrap();
    assert_eq!(branch.siblings.len(), 11);
    // Position 1850 + 2048 has the same low 11 bits: the root would come out the same if the
    // high bits were ignored (bitcoin-spv does), so it must be refused.
    let beyond = MerkleBranch {
        index: 1850 + 2048,
        ..branch.clone()
    };
    let err = beyond.root_for(&txids[1850]).unwrap_err();
    assert_eq!(
        err,
        MerkleError::IndexTooLarge {
            index: 3898,
            depth: 11
        }
    );
    assert_eq!(err.code(), "index_too_large");
    assert!(!beyond.verify(&txids[1850], &root));
    // 2^depth - 1 fits (another root); 2^depth does not; with no siblings only position 0
    // exists.
    let b1000 = MerkleBranch::build(&txids, 1000).unwrap();
    let last = MerkleBranch {
        index: 2047,
        ..b1000.clone()
    };
    assert_ne!(last.root_for(&txids[1000]), Ok(root));
    assert!(last.root_for(&txids[1000]).is_ok());
    let past = MerkleBranch {
        index: 2048,
        ..b1000.clone()
    };
    assert_eq!(
        past.root_for(&txids[1000]),
        Err(MerkleError::IndexTooLarge {
            index: 2048,
            depth: 11
        })
    );
    let leaf_only = MerkleBranch {
        index: 1,
        siblings: vec![],
    };
    assert_eq!(
        leaf_only.root_for(&txids[0]).unwrap_err().code(),
        "index_too_large"
    );
    let mut long = branch.clone();
    long.siblings = vec![[1; 32]; 40];
    long.index = u32::MAX;
    assert!(
        long.root_for(&txids[0]).is_ok(),
        "32+ levels: every u32 fits"
    );
    // Building a branch for a position past the list.
    assert_eq!(
        MerkleBranch::build(&txids, 1851).unwrap_err(),
        MerkleError::IndexOutOfRange {
            index: 1851,
            count: 1851
        }
    );
    assert_eq!(
        MerkleBranch::build(&txids, 1851).unwrap_err().code(),
        "index_out_of_range"
    );
    assert_eq!(
        MerkleBranch::build(&[], 0).unwrap_err().code(),
        "no_transactions"
    );
}

#[test]
fn branch_right_child_equal_to_its_left_sibling_is_cve_2012_2459() {
    // [a, b, c]: level 0 is paired as (a, b), (c, c).
    let txids = txids_of(&[1, 2, 3]);
    let root = merkle_root(&txids).unwrap().root;
    let c = txids[2];
    let left = MerkleBranch::build(&txids, 2).unwrap();
    assert_eq!(
        left.siblings[0],
        c.to_byte_array(),
        "the odd last node is its own sibling"
    );
    assert!(
        left.verify(&c, &root),
        "legitimate: a left child paired with itself"
    );
    // The phantom position 3 (the duplicate) gives the same root, but is refused.
    let phantom = MerkleBranch {
        index: 3,
        ..left.clone()
    };
    let err = phantom.root_for(&c).unwrap_err();
    assert_eq!(err, MerkleError::DuplicateRightChild { level: 0 });
    assert_eq!(err.code(), "merkle_mutation");
    assert!(!phantom.verify(&c, &root));
    // One level up: [1..=6], node (5,6) is duplicated at level 1 → phantom positions 6, 7.
    let six = txids_of(&[1, 2, 3, 4, 5, 6]);
    let root6 = merkle_root(&six).unwrap().root;
    let b5 = MerkleBranch::build(&six, 4).unwrap();
    assert!(b5.verify(&six[4], &root6));
    let phantom6 = MerkleBranch {
        index: 6,
        ..b5.clone()
    };
    assert_eq!(
        phantom6.root_for(&six[4]),
        Err(MerkleError::DuplicateRightChild { level: 1 })
    );
}

// ---------------------------------------------------------------------------------------------
// Partial merkle trees: one broken rule each.

#[test]
fn partial_tree_for_a_list_with_a_duplicated_last_txid_is_refused() {
    let abc = txids_of(&[1, 2, 3]);
    let abcc = txids_of(&[1, 2, 3, 3]);
    let root = merkle_root(&abc).unwrap().root;
    assert_eq!(merkle_root(&abcc).unwrap().root, root);
    // The honest tree for [a, b, c] proves c at position 2.
    let honest = PartialMerkleTree::build(&abc, &mask(3, &[2])).unwrap();
    assert_eq!(honest.extract().unwrap().matches, [(2, abc[2])]);
    // The tree for the mutated list would prove c at the phantom position 3 under the same root.
    for matched in [&[3usize][..], &[2], &[2, 3], &[1, 3]] {
        let t = PartialMerkleTree::build(&abcc, &mask(4, matched)).unwrap();
        assert_eq!(tree_code(&t), "merkle_mutation", "matching {matched:?}");
        assert_eq!(
            t.extract(),
            Err(MerkleError::DuplicateRightChild { level: 0 })
        );
    }
    // A proof that does not open the duplicated pair (only position 0 matched; the right half
    // is one given hash) does not see it, in Core either: it proves a real position under the
    // real root.
    let left_only = PartialMerkleTree::build(&abcc, &mask(4, &[0])).unwrap();
    let m = left_only.extract().unwrap();
    assert_eq!((m.root, m.matches), (root, vec![(0, abc[0])]));
    assert!(CoreTree::from_pegkit(&left_only).extract().is_ok());
    // A duplicated pair one level up ([1..=6] listed as [1..=6, 5, 6]).
    let eight = txids_of(&[1, 2, 3, 4, 5, 6, 5, 6]);
    let t = PartialMerkleTree::build(&eight, &mask(8, &[6])).unwrap();
    assert_eq!(
        t.extract(),
        Err(MerkleError::DuplicateRightChild { level: 1 })
    );
    assert_eq!(tree_code(&t), "merkle_mutation");
}

#[test]
fn gettxoutproof_index_at_or_beyond_the_tx_count() {
    // The real proof of the last transaction (position 1850 of 1851), with the count lowered
    // to 1850: position 1850 is no longer in the tree. Core's walk then never reaches it: at
    // level 1, node 925 (the match's parent) is past the width (925), so node 462 at level 2 is
    // hashed from its left child alone, and the bits and hash that led to the match are left
    // over. Core checks leftover bits before leftover hashes; the leftover bits fall in the
    // flag byte already used, so the failure is the unused hash.
    let real = real_proof(1850);
    assert_eq!(real.verify().unwrap().matches[0].0, 1850);
    let mut lowered = real.clone();
    lowered.tree.tx_count = 1850;
    assert_eq!(tree_code(&lowered.tree), "unused_hashes");
    assert_eq!(
        lowered.verify().unwrap_err(),
        MerkleError::UnusedHashes,
        "refused before the root is compared"
    );
    // Every count from 1 to 1850 is refused, each for the reason Core's algorithm meets first;
    // 1851..=2048 keep the tree shape but change the leaf widths. Only the true count gives
    // back the header's root with the match at 1850.
    let root = real.header.merkle_root;
    for n in 1..=2100u32 {
        let mut t = real.tree.clone();
        t.tx_count = n;
        let ours = pegkit_extract(&t);
        assert_eq!(CoreTree::from_pegkit(&t).extract(), ours, "tx_count {n}");
        let proves_1850 = ours
            .as_ref()
            .is_ok_and(|(r, m)| *r == root.to_byte_array() && m.iter().any(|(i, _)| *i == 1850));
        assert_eq!(proves_1850, n == 1851, "tx_count {n}");
        if let Ok((_, m)) = &ours {
            assert!(m.iter().all(|(i, _)| *i < n), "a match below the count");
        }
    }
    // The count rising past 2048 adds a level: the same bits and hashes no longer fit.
    let mut raised = real.tree.clone();
    raised.tx_count = 2049;
    assert!(raised.extract().is_err());
}

#[test]
fn gettxoutproof_structural_rules() {
    let real = real_proof(1000);
    let t = &real.tree;
    assert!(t.hashes.len() < t.flag_bytes.len() * 8);

    // No transactions.
    let mut zero = t.clone();
    zero.tx_count = 0;
    assert_eq!(tree_code(&zero), "no_transactions");
    // More than 4,000,000 / 240 = 16,666 transactions.
    assert_eq!(MAX_TRANSACTIONS, 16_666);
    let mut too_many = t.clone();
    too_many.tx_count = 16_667;
    assert_eq!(
        too_many.extract(),
        Err(MerkleError::TooManyTransactions { count: 16_667 })
    );
    assert_eq!(tree_code(&too_many), "too_many_transactions");
    let many = txids_of(&(0..16_667).collect::<Vec<_>>());
    assert_eq!(
        PartialMerkleTree::build(&many, &vec![false; many.len()]).unwrap_err(),
        MerkleError::TooManyTransactions { count: 16_667 }
    );
    // 16,666 is allowed: a proof of the last one verifies.
    let most = &many[..16_666];
    let t_most = PartialMerkleTree::build(most, &mask(16_666, &[16_665])).unwrap();
    assert_eq!(t_most.tx_count, 16_666);
    assert_eq!(t_most.extract().unwrap().matches, [(16_665, most[16_665])]);
    assert_eq!(
        t_most.extract().unwrap().root,
        merkle_root(most).unwrap().root
    );
    // More hashes than transactions.
    let tiny = PartialMerkleTree {
        tx_count: 1,
        hashes: vec![h(1), h(2)],
        flag_bytes: vec![1],
    };
    assert_eq!(
        tiny.extract(),
        Err(MerkleError::TooManyHashes {
            hashes: 2,
            count: 1
        })
    );
    assert_eq!(tree_code(&tiny), "too_many_hashes");
    // Fewer flag bits than hashes: 9 hashes, 8 bits.
    let few_bits = PartialMerkleTree {
        tx_count: 16,
        hashes: (0..9).map(h).collect(),
        flag_bytes: vec![0xff],
    };
    assert_eq!(tree_code(&few_bits), "too_few_bits");
    // A hash left unused: the real proof plus one hash.
    let mut extra_hash = t.clone();
    extra_hash.hashes.push(h(99));
    assert_eq!(tree_code(&extra_hash), "unused_hashes");
    // A flag byte left unused.
    let mut extra_byte = t.clone();
    extra_byte.flag_bytes.push(0);
    assert_eq!(tree_code(&extra_byte), "unused_bits");
    // Padding bits past the last used one are not checked (Core does not either).
    let used_bits = {
        let mut n = 0;
        let mut b = 0;
        CoreTree::from_pegkit(t).count_bits(&mut n, &mut b);
        n
    };
    assert!(used_bits % 8 != 0);
    let mut padded = t.clone();
    *padded.flag_bytes.last_mut().unwrap() |= 0x80;
    assert_eq!(padded.extract(), t.extract());
    // Bits exhausted: 16 leaves, every node flagged, but only 16 bits for 31 nodes.
    let bits_out = PartialMerkleTree {
        tx_count: 16,
        hashes: (0..16).map(h).collect(),
        flag_bytes: vec![0xff, 0xff],
    };
    assert_eq!(tree_code(&bits_out), "bits_exhausted");
    // Hashes exhausted: every node flagged, 2 hashes for 16 leaves.
    let hashes_out = PartialMerkleTree {
        tx_count: 16,
        hashes: vec![h(1), h(2)],
        flag_bytes: vec![0xff; 4],
    };
    assert_eq!(tree_code(&hashes_out), "hashes_exhausted");
    // A flag bit dropped from the real proof: the walk stops early on the match's path.
    let mut first_bit_cleared = t.clone();
    first_bit_cleared.flag_bytes[0] &= !1;
    assert!(first_bit_cleared.extract().is_err());
    assert_eq!(
        CoreTree::from_pegkit(&first_bit_cleared).extract(),
        pegkit_extract(&first_bit_cleared)
    );
    // Root mismatch: a valid tree under another block's header.
    let mut other = real.clone();
    other.header = Header::from_bytes(&pegkit_tests::mainnet_headers_0_255()[1]);
    let err = other.verify().unwrap_err();
    assert_eq!(err.code(), "merkle_root_mismatch");
    assert_eq!(
        err,
        MerkleError::RootMismatch {
            computed: real.header.merkle_root,
            header: other.header.merkle_root
        }
    );
    // A hash replaced: another root.
    let mut replaced = real.clone();
    replaced.tree.hashes[3] = h(3);
    assert_eq!(
        replaced.verify().unwrap_err().code(),
        "merkle_root_mismatch"
    );
    // Building needs one flag per txid.
    assert_eq!(
        PartialMerkleTree::build(&txids_of(&[1, 2]), &[true])
            .unwrap_err()
            .code(),
        "invalid_argument"
    );
    assert_eq!(
        PartialMerkleTree::build(&[], &[]).unwrap_err().code(),
        "no_transactions"
    );
}

impl CoreTree {
    /// Bits and hashes a successful walk uses (for the padding check above).
    fn count_bits(&self, bits: &mut usize, hashes: &mut usize) {
        let mut height = 0;
        while self.width(height) > 1 {
            height += 1;
        }
        let mut w = CoreWalk {
            bits_used: 0,
            hashes_used: 0,
            matches: Vec::new(),
            bad: None,
        };
        self.traverse_and_extract(height, 0, &mut w);
        assert!(w.bad.is_none());
        *bits = w.bits_used;
        *hashes = w.hashes_used;
    }
}

#[test]
fn truncated_and_trailing_proof_bytes() {
    for (p, mb) in real_proofs() {
        let k = mb.tree.hashes.len();
        let hashes_end = 80 + 4 + 1 + 32 * k;
        assert_eq!(p.proof.len(), hashes_end + 1 + mb.tree.flag_bytes.len());
        // Every prefix fails; which error depends on where it ends.
        for len in 0..p.proof.len() {
            let e = MerkleBlock::decode(&p.proof[..len]).unwrap_err();
            let want = if (85..hashes_end).contains(&len) {
                // The hash count is more than the bytes left can hold: refused before reading
                // (and before allocating) as a length, not a truncation.
                "length_too_large"
            } else {
                // Inside the header or the tx count, at a missing count, or inside the flags.
                "truncated"
            };
            assert_eq!(e.code(), want, "prefix of {len} bytes");
        }
        let mut longer = p.proof.clone();
        longer.push(0);
        assert_eq!(
            MerkleBlock::decode(&longer).unwrap_err().code(),
            "trailing_bytes"
        );
    }
    // A hash count of 0xffffff: refused before allocating.
    let p = &pegkit_tests::mainnet_txoutproofs_830000()[5].proof;
    let mut huge = p[..84].to_vec();
    huge.extend_from_slice(&[0xfe, 0xff, 0xff, 0xff, 0x00]);
    assert_eq!(
        MerkleBlock::decode(&huge).unwrap_err().code(),
        "length_too_large"
    );
}

// ---------------------------------------------------------------------------------------------
// A 64-byte transaction posing as an inner node.

/// version 4 + input count 1 + (outpoint 36 + empty scriptSig 1 + sequence 4) + output count 1
/// + (amount 8 + script length 1 + 4-byte script) + lock time 4 = 64 bytes.
fn tx_64() -> Transaction {
    Transaction {
        version: 2,
        inputs: vec![TxIn {
            previous_output: OutPoint {
                txid: Txid::from_byte_array(h(64)),
                vout: 0,
            },
            script_sig: vec![],
            sequence: 0xffff_fffd,
            witness: Witness::default(),
        }],
        outputs: vec![TxOut {
            value: 50_000,
            script_pubkey: vec![0x51, 0x51, 0x93, 0x87],
        }],
        lock_time: 0,
    }
}

#[test]
fn a_64_byte_transaction_hashes_like_an_inner_node() {
    let tx = tx_64();
    let mut bytes = Vec::new();
    tx.encode_without_witness(&mut bytes);
    assert_eq!(bytes.len(), 64);
    assert_eq!(tx.base_size(), 64);
    assert_eq!(Transaction::decode(&bytes).unwrap(), tx);
    let (l, r) = bytes.split_at(32);
    let (l, r): ([u8; 32], [u8; 32]) = (l.try_into().unwrap(), r.try_into().unwrap());
    // Its txid is exactly the parent of the nodes `l` and `r`.
    assert_eq!(tx.txid().to_byte_array(), oracle_hash(&l, &r));

    // A block [coinbase, tx64, a, b]: the honest proof of tx64 at position 1...
    let txids = vec![
        Txid::from_byte_array(h(0)),
        tx.txid(),
        Txid::from_byte_array(h(2)),
        Txid::from_byte_array(h(3)),
    ];
    let root = merkle_root(&txids).unwrap().root;
    let branch = MerkleBranch::build(&txids, 1).unwrap();
    assert!(branch.verify(&tx.txid(), &root));
    // ...and a branch one level deeper proving the "txid" `l` at position 2 (left child of
    // node 1), with `r` as its sibling: the same root. A branch alone cannot tell.
    let mut siblings = vec![r];
    siblings.extend(branch.siblings.iter().copied());
    let forged = MerkleBranch { index: 2, siblings };
    assert!(forged.verify(&Txid::from_byte_array(l), &root));
    // Likewise a partial merkle tree that claims 8 transactions instead of 4: leaf 2 is `l`.
    let header = Header {
        merkle_root: root,
        ..Header::default()
    };
    // The forged tree: level 1 holds the real leaves; node 1 (tx64) is opened into `l` and `r`,
    // node 0 (the coinbase) and the right half are given as hashes. Flags in walk order:
    // root 1, node(2,0) 1, node(1,0) 0, node(1,1) 1, leaf 2 1, leaf 3 0, node(2,1) 0.
    let forged_tree = PartialMerkleTree {
        tx_count: 8,
        hashes: vec![txids[0].to_byte_array(), l, r, oracle_hash(&h(2), &h(3))],
        flag_bytes: vec![0b0001_1011],
    };
    let mb = MerkleBlock {
        header,
        tree: forged_tree,
    };
    let m = mb.verify().unwrap();
    assert_eq!(m.matches, [(2, Txid::from_byte_array(l))]);
    // Peg-in verification refuses the 64-byte transaction itself, before anything else.
    let params = pegkit_core::params::Network::Regtest.params();
    let chain = pegkit_core::chain::HeaderChain::new(
        params.clone(),
        pegkit_core::chain::Anchor::genesis(&params),
    )
    .unwrap();
    let honest = MerkleBlock::build(header, &txids, &mask(4, &[1])).unwrap();
    let err = verify_peg_in(
        &chain,
        &tx,
        &honest,
        &[tx.outputs[0].script_pubkey.clone()],
        &PegInPolicy::default(),
        None,
    )
    .unwrap_err();
    assert_eq!(err.code(), "tx_64_bytes");
}

// ---------------------------------------------------------------------------------------------
// Differential: pegkit against the transliteration of Core.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random txid lists (from a small alphabet, so equal neighbours occur) and match masks:
    /// the tree pegkit builds is byte-identical to Core's, extracts the matches, and
    /// `merkle_root` agrees with `ComputeMerkleRoot`, mutation flag included.
    #[test]
    fn build_and_roots_match_core(
        ids in prop::collection::vec(0u32..12, 1..70),
        match_seed in any::<u64>(),
    ) {
        let txids = txids_of(&ids);
        let matched: Vec<bool> = (0..txids.len()).map(|i| (match_seed >> (i % 64)) & 1 == 1).collect();
        let ours = PartialMerkleTree::build(&txids, &matched).unwrap();
        let (n, hashes, bytes) = CoreTree::build(&raw(&txids), &matched);
        prop_assert_eq!(ours.tx_count, n);
        prop_assert_eq!(&ours.hashes, &hashes);
        prop_assert_eq!(&ours.flag_bytes, &bytes);
        let r = merkle_root(&txids).unwrap();
        prop_assert_eq!(core_merkle_root(raw(&txids)), Some((r.root.to_byte_array(), r.mutated)));
        let extracted = pegkit_extract(&ours);
        prop_assert_eq!(&CoreTree::from_pegkit(&ours).extract(), &extracted);
        if !r.mutated {
            // Without equal neighbours anywhere the walk cannot meet a duplicated right child.
            let (root, m) = extracted.unwrap();
            prop_assert_eq!(root, r.root.to_byte_array());
            let want: Vec<(u32, [u8; 32])> = matched.iter().enumerate()
                .filter(|(_, m)| **m).map(|(i, _)| (i as u32, txids[i].to_byte_array())).collect();
            prop_assert_eq!(m, want);
        }
    }

    /// Random damage to the real proofs: the same outcome as Core's algorithm (the same
    /// matches and root, or a failure on the same first rule).
    #[test]
    fn damaged_real_proofs_fail_as_core_does(
        which in 0usize..6,
        kind in 0u8..8,
        a in any::<u32>(),
        b in any::<u8>(),
    ) {
        let mut t = real_proofs()[which].1.tree.clone();
        match kind {
            0 => t.tx_count = a % 20_000,
            1 => { let i = a as usize % (t.flag_bytes.len() * 8); t.flag_bytes[i / 8] ^= 1 << (i % 8); }
            2 => { let i = a as usize % t.hashes.len(); t.hashes.remove(i); }
            3 => { let i = a as usize % t.hashes.len(); let x = t.hashes[i]; t.hashes.insert(i, x); }
            4 => { let i = a as usize % t.hashes.len(); t.hashes[i] = h(a); }
            5 => { t.flag_bytes.pop(); }
            6 => { t.flag_bytes.push(b); }
            _ => { let i = a as usize % t.flag_bytes.len(); t.flag_bytes[i] = b; }
        }
        prop_assert_eq!(CoreTree::from_pegkit(&t).extract(), pegkit_extract(&t));
    }

    /// Random lists: every position's branch verifies, and the branch gives the root Core's
    /// `ComputeMerkleRoot` gives.
    #[test]
    fn branches_give_core_roots(n in 1u32..80, salt in any::<u32>(), pick in any::<u32>()) {
        let ids: Vec<u32> = (0..n).map(|i| i.wrapping_mul(7919) ^ salt).collect();
        let txids = txids_of(&ids);
        let (root, _) = core_merkle_root(raw(&txids)).unwrap();
        let i = (pick % n) as usize;
        let branch = MerkleBranch::build(&txids, i).unwrap();
        prop_assert_eq!(branch.root_for(&txids[i]).unwrap().to_byte_array(), root);
    }
}
