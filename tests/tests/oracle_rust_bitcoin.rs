//! Differential tests against rust-bitcoin 0.32 (an independent implementation of the same
//! encoding): on every vector transaction, on mutations of them, and on random transactions.

use bitcoin::consensus::{deserialize, serialize};
use pegkit_core::{Block, Decode, Encode, Transaction};
use proptest::prelude::*;

fn same_as_rust_bitcoin(raw: &[u8], what: &str) {
    let ours = Transaction::decode(raw);
    let theirs = deserialize::<bitcoin::Transaction>(raw);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => {
            assert_eq!(
                a.txid().to_string(),
                b.compute_txid().to_string(),
                "{what}: txid"
            );
            assert_eq!(
                a.wtxid().to_string(),
                b.compute_wtxid().to_string(),
                "{what}: wtxid"
            );
            assert_eq!(a.weight() as u64, b.weight().to_wu(), "{what}: weight");
            assert_eq!(a.vsize(), b.vsize(), "{what}: vsize");
            assert_eq!(a.base_size(), b.base_size(), "{what}: base size");
            assert_eq!(a.to_bytes(), serialize(b), "{what}: encoding");
        }
        (Err(_), Err(_)) => {}
        _ => panic!(
            "{what}: pegkit {ours:?} vs rust-bitcoin {}",
            theirs
                .as_ref()
                .map(|_| "Ok".to_string())
                .unwrap_or_else(|e| e.to_string())
        ),
    }
}

#[test]
fn vectors_agree() {
    let mut n = 0;
    for t in pegkit_tests::core_txs() {
        same_as_rust_bitcoin(&t.tx, &format!("{:?} #{}", t.file, t.index));
        n += 1;
    }
    let block = Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap();
    for (i, tx) in block.transactions.iter().enumerate() {
        same_as_rust_bitcoin(&tx.to_bytes(), &format!("block 830000 tx {i}"));
        n += 1;
    }
    assert_eq!(n, 121 + 93 + 1851);
}

/// Transactions with segwit and legacy inputs, empty and non-empty scripts, varied counts.
fn arb_tx() -> impl Strategy<Value = Transaction> {
    let input = (
        any::<[u8; 32]>(),
        any::<u32>(),
        prop::collection::vec(any::<u8>(), 0..300),
        any::<u32>(),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 0..4),
    )
        .prop_map(
            |(txid, vout, script_sig, sequence, witness)| pegkit_core::TxIn {
                previous_output: pegkit_core::OutPoint {
                    txid: pegkit_core::Txid::from_byte_array(txid),
                    vout,
                },
                script_sig,
                sequence,
                witness: pegkit_core::Witness(witness),
            },
        );
    let output = (any::<i64>(), prop::collection::vec(any::<u8>(), 0..300)).prop_map(
        |(value, script_pubkey)| pegkit_core::TxOut {
            value,
            script_pubkey,
        },
    );
    (
        any::<u32>(),
        prop::collection::vec(input, 1..6),
        prop::collection::vec(output, 0..6),
        any::<u32>(),
    )
        .prop_map(|(version, inputs, outputs, lock_time)| Transaction {
            version,
            inputs,
            outputs,
            lock_time,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_transactions_agree(tx in arb_tx()) {
        let raw = tx.to_bytes();
        prop_assert_eq!(raw.len(), tx.encoded_len());
        prop_assert_eq!(&Transaction::decode(&raw).unwrap(), &tx);
        same_as_rust_bitcoin(&raw, "random tx");
    }

    /// Flip, drop, or insert bytes of real transactions: pegkit and rust-bitcoin accept and
    /// reject the same byte strings, and agree on everything they accept.
    #[test]
    fn mutated_vectors_agree(
        pick in 0usize..214,
        edits in prop::collection::vec((0usize..100_000, any::<u8>(), 0u8..3), 1..4),
    ) {
        let vectors = pegkit_tests::core_txs();
        let mut raw = vectors[pick % vectors.len()].tx.clone();
        for (at, byte, kind) in edits {
            let at = at % (raw.len() + 1);
            match kind {
                0 if at < raw.len() => raw[at] = byte,
                1 if at < raw.len() => { raw.remove(at); }
                _ => raw.insert(at, byte),
            }
        }
        same_as_rust_bitcoin(&raw, "mutated vector");
    }
}
