//! Shared by the signing targets: small federations (taproot 2-of-3 with a recovery leaf, P2WSH
//! 2-of-3), a two-input spend of each, every member's valid partial signatures, and the
//! finalized transactions.

#![allow(dead_code)]

use pegkit_core::ecdsa::PublicKey;
use pegkit_core::federation::{Federation, LeafRole, Recovery};
use pegkit_core::params::Network;
use pegkit_core::schnorr::SecretKey;
use pegkit_core::signing::{PartialSignatures, SignatureCollector, sign_inputs};
use pegkit_core::{OutPoint, Transaction, TxIn, TxOut, Txid, Witness};

pub struct Fixture {
    pub federation: Federation,
    pub tx: Transaction,
    pub prevouts: Vec<TxOut>,
    /// Each main-leaf member's valid signatures, in member order.
    pub partials: Vec<PartialSignatures>,
    /// The spend finalized by the first two members.
    pub finalized: Transaction,
}

fn secret(i: u8) -> SecretKey {
    SecretKey::from_bytes(&[i.wrapping_add(1); 32]).expect("valid key")
}

fn spend(federation: &Federation) -> (Transaction, Vec<TxOut>) {
    let tx = Transaction {
        version: 2,
        inputs: (0..2u8)
            .map(|i| TxIn {
                previous_output: OutPoint { txid: Txid::from_byte_array([i + 1; 32]), vout: u32::from(i) },
                script_sig: Vec::new(),
                sequence: 0xffff_fffd,
                witness: Witness::default(),
            })
            .collect(),
        outputs: vec![TxOut { value: 90_000, script_pubkey: vec![0x51] }],
        lock_time: 0,
    };
    let prevouts = (0..2)
        .map(|i| TxOut { value: 50_000 + i, script_pubkey: federation.script_pubkey().to_vec() })
        .collect();
    (tx, prevouts)
}

pub fn fixture(taproot: bool) -> Fixture {
    let federation = if taproot {
        let keys: Vec<_> = (0..3).map(|i| secret(i).x_only_public_key()).collect();
        let recovery = Recovery {
            threshold: 1,
            keys: vec![secret(7).x_only_public_key()],
            after_blocks: 10,
        };
        Federation::taproot(Network::Regtest, 2, &keys, Some(&recovery), None).expect("federation")
    } else {
        let keys: Vec<_> = (0..3).map(|i| PublicKey::from_secret_key(&secret(i))).collect();
        Federation::p2wsh(Network::Regtest, 2, &keys).expect("federation")
    };
    let (tx, prevouts) = spend(&federation);
    let partials: Vec<PartialSignatures> = (0..3)
        .map(|i| {
            sign_inputs(&federation, &tx, &prevouts, LeafRole::Main, &secret(i), |n| [n as u8; 32])
                .expect("member signs")
        })
        .collect();
    let mut c = SignatureCollector::new(&federation, &tx, &prevouts, LeafRole::Main).expect("spend");
    for p in partials.iter().take(2) {
        c.add(p).expect("valid");
    }
    let (finalized, _) = c.finalize().expect("threshold met");
    Fixture { federation, tx, prevouts, partials, finalized }
}
