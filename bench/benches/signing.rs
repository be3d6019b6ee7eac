//! Signing benchmarks: sighashes of a 20-input/20-output taproot transaction, and a 10-of-15
//! federation spending 20 inputs (sign, collect with batch or one-by-one verification,
//! finalize), pegkit against rust-bitcoin 0.32 + libsecp256k1 doing the same work.
//!
//! `cargo bench -p pegkit-bench --bench signing`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use bitcoin::hashes::Hash as _;
use bitcoin::secp256k1::{Keypair as SecpKeypair, Message, Secp256k1};
use bitcoin::sighash::{Prevouts, SighashCache as BtcCache, TapSighashType};
use bitcoin::taproot::{LeafVersion, TapLeafHash as BtcLeafHash};
use criterion::{Criterion, criterion_group, criterion_main};
use pegkit_core::federation::{Federation, LeafRole};
use pegkit_core::params::Network;
use pegkit_core::schnorr::SecretKey;
use pegkit_core::sighash::{ScriptPath, SighashCache};
use pegkit_core::signing::{PartialSignatures, SignatureCollector, sign_inputs};
use pegkit_core::{Encode, OutPoint, Transaction, TxIn, TxOut, Txid, Witness};
use std::hint::black_box;
use std::time::Duration;

const INPUTS: usize = 20;

fn secret(i: usize) -> SecretKey {
    SecretKey::from_bytes(&[i as u8 + 1; 32]).unwrap()
}

/// A 10-of-15 federation and an unsigned 20-in/20-out spend of its outputs.
fn setup() -> (Vec<SecretKey>, Federation, Transaction, Vec<TxOut>) {
    let secrets: Vec<SecretKey> = (0..15).map(secret).collect();
    let keys: Vec<_> = secrets.iter().map(SecretKey::x_only_public_key).collect();
    let fed = Federation::taproot(Network::Regtest, 10, &keys, None, None).unwrap();
    let tx = Transaction {
        version: 2,
        inputs: (0..INPUTS)
            .map(|i| TxIn {
                previous_output: OutPoint {
                    txid: Txid::from_byte_array([i as u8; 32]),
                    vout: i as u32,
                },
                script_sig: vec![],
                sequence: 0xffff_fffd,
                witness: Witness::default(),
            })
            .collect(),
        outputs: (0..20)
            .map(|i| TxOut {
                value: 10_000 + i,
                script_pubkey: [&[0x51, 0x20][..], &[i as u8; 32]].concat(),
            })
            .collect(),
        lock_time: 0,
    };
    let prevouts = (0..INPUTS)
        .map(|i| TxOut {
            value: 100_000 + i as i64,
            script_pubkey: fed.script_pubkey().to_vec(),
        })
        .collect();
    (secrets, fed, tx, prevouts)
}

fn sighashes(c: &mut Criterion) {
    let (_, fed, tx, prevouts) = setup();
    let leaf = fed.leaf(LeafRole::Main).unwrap();
    let btx: bitcoin::Transaction = bitcoin::consensus::deserialize(&tx.to_bytes()).unwrap();
    let bprev: Vec<bitcoin::TxOut> = prevouts
        .iter()
        .map(|p| bitcoin::TxOut {
            value: bitcoin::Amount::from_sat(p.value as u64),
            script_pubkey: bitcoin::ScriptBuf::from_bytes(p.script_pubkey.clone()),
        })
        .collect();
    let bleaf = BtcLeafHash::from_script(
        bitcoin::Script::from_bytes(leaf.script()),
        LeafVersion::TapScript,
    );
    let mut g = c.benchmark_group("taproot_sighashes_20in_20out");
    g.bench_function("pegkit", |b| {
        b.iter(|| {
            let cache = SighashCache::with_prevouts(black_box(&tx), &prevouts).unwrap();
            for i in 0..INPUTS {
                let path = ScriptPath {
                    leaf_hash: leaf.leaf_hash(),
                    codesep_pos: u32::MAX,
                };
                black_box(cache.taproot(i, 0, None, Some(path)).unwrap());
            }
        })
    });
    g.bench_function("rust-bitcoin", |b| {
        b.iter(|| {
            let mut cache = BtcCache::new(black_box(&btx));
            for i in 0..INPUTS {
                black_box(
                    cache
                        .taproot_script_spend_signature_hash(
                            i,
                            &Prevouts::All(&bprev),
                            bleaf,
                            TapSighashType::Default,
                        )
                        .unwrap(),
                );
            }
        })
    });
    g.finish();
}

fn federation_spend(c: &mut Criterion) {
    let (secrets, fed, tx, prevouts) = setup();
    let signers = &secrets[..10];
    let partials: Vec<PartialSignatures> = signers
        .iter()
        .map(|sk| sign_inputs(&fed, &tx, &prevouts, LeafRole::Main, sk, |i| [i as u8; 32]).unwrap())
        .collect();
    let mut g = c.benchmark_group("federation_10_of_15_x20_inputs");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("pegkit sign (10 members x 20 inputs)", |b| {
        b.iter(|| {
            for sk in signers {
                black_box(
                    sign_inputs(&fed, &tx, &prevouts, LeafRole::Main, sk, |i| [i as u8; 32])
                        .unwrap(),
                );
            }
        })
    });
    g.bench_function("pegkit collect, batch verify", |b| {
        b.iter(|| {
            let mut c = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
            for r in c.add_all(black_box(&partials)) {
                r.unwrap();
            }
            c
        })
    });
    g.bench_function("pegkit collect, one-by-one verify", |b| {
        b.iter(|| {
            let mut c = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
            c.set_batch_verification(false);
            for p in black_box(&partials) {
                c.add(p).unwrap();
            }
            c
        })
    });
    let mut full = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
    full.add_all(&partials);
    g.bench_function("pegkit finalize", |b| {
        b.iter(|| black_box(&full).finalize().unwrap())
    });
    g.bench_function("pegkit sign + collect (batch) + finalize", |b| {
        b.iter(|| {
            let partials: Vec<PartialSignatures> = signers
                .iter()
                .map(|sk| {
                    sign_inputs(&fed, &tx, &prevouts, LeafRole::Main, sk, |i| [i as u8; 32])
                        .unwrap()
                })
                .collect();
            let mut c = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
            for r in c.add_all(&partials) {
                r.unwrap();
            }
            c.finalize().unwrap()
        })
    });

    // The same work with rust-bitcoin's sighashes and libsecp256k1's BIP340.
    let secp = Secp256k1::new();
    let leaf = fed.leaf(LeafRole::Main).unwrap();
    let btx: bitcoin::Transaction = bitcoin::consensus::deserialize(&tx.to_bytes()).unwrap();
    let bprev: Vec<bitcoin::TxOut> = prevouts
        .iter()
        .map(|p| bitcoin::TxOut {
            value: bitcoin::Amount::from_sat(p.value as u64),
            script_pubkey: bitcoin::ScriptBuf::from_bytes(p.script_pubkey.clone()),
        })
        .collect();
    let bleaf = BtcLeafHash::from_script(
        bitcoin::Script::from_bytes(leaf.script()),
        LeafVersion::TapScript,
    );
    let keypairs: Vec<SecpKeypair> = (0..15)
        .map(|i| SecpKeypair::from_seckey_slice(&secp, &[i as u8 + 1; 32]).unwrap())
        .collect();
    let script = bitcoin::ScriptBuf::from_bytes(leaf.script().to_vec());
    let control = leaf.control_block().to_vec();
    let key_order: Vec<[u8; 32]> = leaf.keys().iter().map(|k| k.to_bytes()).collect();
    let rb_sign = || -> Vec<(usize, Vec<bitcoin::secp256k1::schnorr::Signature>)> {
        let mut cache = BtcCache::new(&btx);
        let msgs: Vec<Message> = (0..INPUTS)
            .map(|i| {
                let h = cache
                    .taproot_script_spend_signature_hash(
                        i,
                        &Prevouts::All(&bprev),
                        bleaf,
                        TapSighashType::Default,
                    )
                    .unwrap();
                Message::from_digest(h.to_byte_array())
            })
            .collect();
        keypairs[..10]
            .iter()
            .map(|kp| {
                let x = kp.x_only_public_key().0.serialize();
                let pos = key_order.iter().position(|k| *k == x).unwrap();
                (
                    pos,
                    msgs.iter()
                        .enumerate()
                        .map(|(i, m)| secp.sign_schnorr_with_aux_rand(m, kp, &[i as u8; 32]))
                        .collect(),
                )
            })
            .collect()
    };
    let rb_collect_finalize = |sigs: &[(usize, Vec<bitcoin::secp256k1::schnorr::Signature>)]| {
        let mut cache = BtcCache::new(&btx);
        let msgs: Vec<Message> = (0..INPUTS)
            .map(|i| {
                let h = cache
                    .taproot_script_spend_signature_hash(
                        i,
                        &Prevouts::All(&bprev),
                        bleaf,
                        TapSighashType::Default,
                    )
                    .unwrap();
                Message::from_digest(h.to_byte_array())
            })
            .collect();
        for (pos, list) in sigs {
            let pk = bitcoin::secp256k1::XOnlyPublicKey::from_slice(&key_order[*pos]).unwrap();
            for (m, s) in msgs.iter().zip(list) {
                secp.verify_schnorr(s, m, &pk).unwrap();
            }
        }
        let mut out = btx.clone();
        for (i, txin) in out.input.iter_mut().enumerate() {
            let mut w = bitcoin::Witness::new();
            for slot in (0..key_order.len()).rev() {
                match sigs.iter().find(|(p, _)| *p == slot) {
                    Some((_, list)) => w.push(list[i].as_ref()),
                    None => w.push([]),
                }
            }
            w.push(script.as_bytes());
            w.push(&control);
            txin.witness = w;
        }
        out
    };
    g.bench_function(
        "rust-bitcoin+libsecp256k1 sign (10 members x 20 inputs)",
        |b| b.iter(|| black_box(rb_sign())),
    );
    let rb_sigs = rb_sign();
    g.bench_function("rust-bitcoin+libsecp256k1 verify + finalize", |b| {
        b.iter(|| black_box(rb_collect_finalize(black_box(&rb_sigs))))
    });
    g.bench_function("rust-bitcoin+libsecp256k1 sign + verify + finalize", |b| {
        b.iter(|| {
            let sigs = rb_sign();
            black_box(rb_collect_finalize(&sigs))
        })
    });
    g.finish();
}

criterion_group!(benches, sighashes, federation_spend);
criterion_main!(benches);
