//! BIP37 partial merkle trees (`gettxoutproof` bytes), in two modes chosen by the first byte.
//!
//! Even first byte — raw mode: the rest is decoded as a `MerkleBlock`. Decoding never panics; a
//! decoded value re-encodes to exactly those bytes and decodes again to an equal value.
//! `extract()` and `verify()` never panic; when `extract()` succeeds its positions are strictly
//! increasing and below `tx_count`; `verify()` succeeds exactly when `extract()` does and its root
//! is the header's merkle root, and then returns the same matches.
//!
//! Odd first byte — structured mode: 1..=64 txids and a match mask are made from the rest,
//! `PartialMerkleTree::build` builds the proof, and when `merkle_root` reports the list as not
//! mutated (CVE-2012-2459) `extract()` returns exactly the masked (position, txid) pairs and
//! `merkle_root`'s root, the proof's bytes round-trip, and `MerkleBranch::build(&txids, i)`
//! verifies every txid under that root. A mutated list may fail to extract, but only with
//! `DuplicateRightChild`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pegkit_core::merkle::{MerkleBlock, MerkleBranch, MerkleError, PartialMerkleTree, merkle_root};
use pegkit_core::{Decode, Encode, Header, Txid};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        raw(rest);
    } else {
        structured(mode, rest);
    }
});

fn raw(data: &[u8]) {
    let Ok(block) = MerkleBlock::decode(data) else {
        return;
    };
    let bytes = block.to_bytes();
    assert_eq!(bytes, data, "re-encoding differs from the accepted input");
    assert_eq!(block.encoded_len(), data.len(), "encoded_len");
    let again = MerkleBlock::decode(&bytes).expect("re-encoding must decode");
    assert_eq!(
        again, block,
        "decoding the re-encoding gives a different value"
    );
    let tree_again =
        PartialMerkleTree::decode(&block.tree.to_bytes()).expect("tree re-encoding must decode");
    assert_eq!(tree_again, block.tree, "tree round trip");

    let extracted = block.tree.extract();
    let verified = block.verify();
    match &extracted {
        Ok(m) => {
            let mut last: Option<u32> = None;
            for &(pos, _) in &m.matches {
                assert!(pos < block.tree.tx_count, "match position {pos} ≥ tx_count");
                if let Some(prev) = last {
                    assert!(pos > prev, "match positions not strictly increasing");
                }
                last = Some(pos);
            }
            assert!(
                m.matches.len() <= block.tree.hashes.len(),
                "more matches than hashes"
            );
            if m.root == block.header.merkle_root {
                assert_eq!(verified.as_ref(), Ok(m), "verify disagrees with extract");
            } else {
                assert_eq!(
                    verified,
                    Err(MerkleError::RootMismatch {
                        computed: m.root,
                        header: block.header.merkle_root,
                    }),
                    "verify must report the root mismatch"
                );
            }
        }
        Err(e) => assert_eq!(
            verified.as_ref(),
            Err(e),
            "verify must fail as extract does"
        ),
    }
}

/// Reads fuzz bytes, padding with a counter-derived filler once they run out.
struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let b = self
            .data
            .get(self.pos)
            .copied()
            .unwrap_or((self.pos as u8).wrapping_mul(151).wrapping_add(7));
        self.pos += 1;
        b
    }
}

fn structured(mode: u8, data: &[u8]) {
    let mut r = Bytes { data, pos: 0 };
    let count = usize::from(r.byte() % 64) + 1;
    // Txids: each either a copy of an earlier one (to make mutated lists) or a fresh value
    // derived from one input byte and its position (fresh values are all distinct).
    let dup_allowed = mode & 2 != 0;
    let mut txids: Vec<Txid> = Vec::with_capacity(count);
    for i in 0..count {
        let b = r.byte();
        let t = if dup_allowed && i > 0 && b & 0x80 != 0 {
            txids[usize::from(b & 0x7f) % i]
        } else {
            let mut a = [0u8; 32];
            a[0] = b;
            a[1] = i as u8;
            a[31] = 0xa5;
            Txid::from_byte_array(a)
        };
        txids.push(t);
    }
    let matched: Vec<bool> = (0..count)
        .map(|i| {
            let byte = r.byte();
            match mode >> 2 & 3 {
                0 => byte & 1 == 1,
                1 => false,
                2 => true,
                _ => byte % 8 == i as u8 % 8,
            }
        })
        .collect();

    let root = merkle_root(&txids).expect("non-empty list has a root");
    let tree = PartialMerkleTree::build(&txids, &matched).expect("build");
    assert_eq!(tree.tx_count as usize, count, "tx_count");

    // The proof's bytes round-trip whatever the txids.
    let header = Header {
        version: 4,
        prev_blockhash: pegkit_core::BlockHash::from_byte_array([1; 32]),
        merkle_root: root.root,
        time: 1_700_000_000,
        bits: pegkit_core::CompactTarget(0x207f_ffff),
        nonce: u32::from(mode),
    };
    let block = MerkleBlock {
        header,
        tree: tree.clone(),
    };
    let bytes = block.to_bytes();
    assert_eq!(
        MerkleBlock::decode(&bytes).as_ref(),
        Ok(&block),
        "round trip"
    );

    let expected: Vec<(u32, Txid)> = txids
        .iter()
        .zip(&matched)
        .enumerate()
        .filter(|(_, (_, m))| **m)
        .map(|(i, (t, _))| (i as u32, *t))
        .collect();

    match tree.extract() {
        Ok(m) => {
            // Even a mutated list, when it extracts, gives the right root and matches: the
            // tree is built from the real list.
            assert_eq!(m.root, root.root, "extracted root differs from merkle_root");
            assert_eq!(
                m.matches, expected,
                "extracted matches differ from the mask"
            );
            assert_eq!(block.verify(), Ok(m), "verify against the right header");
        }
        Err(e) => {
            assert!(
                root.mutated,
                "extract failed with {e:?} on a list that is not mutated"
            );
            assert!(
                matches!(e, MerkleError::DuplicateRightChild { .. }),
                "extract of a built tree failed with {e:?}"
            );
        }
    }

    if !root.mutated {
        for (i, txid) in txids.iter().enumerate() {
            let branch = MerkleBranch::build(&txids, i).expect("branch");
            assert_eq!(branch.index as usize, i, "branch index");
            assert!(
                branch.verify(txid, &root.root),
                "branch {i} of {count} does not verify"
            );
        }
    }
    // A branch never proves a position past the end.
    assert!(
        MerkleBranch::build(&txids, count).is_err(),
        "branch past the end"
    );
}
