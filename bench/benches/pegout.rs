//! Peg-out benchmarks: build and check the payment of 500 burns over 2,000 federation UTXOs
//! (a 2-of-3 taproot federation), and a build whose changeless search runs into the step cap
//! (2,000 equal UTXOs, no set in the window).
//!
//! `cargo bench -p pegkit-bench --bench pegout`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use alloy_primitives::U256;
use criterion::{Criterion, criterion_group, criterion_main};
use pegkit_core::address::segwit_address;
use pegkit_core::federation::Federation;
use pegkit_core::params::Network;
use pegkit_core::pegout::{
    Burn, BurnEvent, BurnId, DEFAULT_BRIDGE, Log, Policy, ProposalRequest, Utxo, WEI_PER_SAT,
    build_payment, build_proposal, check_proposal, decode_logs,
};
use pegkit_core::schnorr::SecretKey;
use pegkit_core::{OutPoint, Txid};
use std::hint::black_box;
use std::time::Duration;

fn federation() -> Federation {
    let keys: Vec<_> = (1u8..=3)
        .map(|i| SecretKey::from_bytes(&[i; 32]).unwrap().x_only_public_key())
        .collect();
    Federation::taproot(Network::Regtest, 2, &keys, None, None).unwrap()
}

/// A 64-bit LCG: the same pseudo-random values on every run.
fn lcg(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

fn txid(i: u64) -> Txid {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&i.to_le_bytes());
    b[31] = 0x5a;
    Txid::from_byte_array(b)
}

fn make_utxos(n: u64, seed: &mut u64, amount: impl Fn(&mut u64) -> u64) -> Vec<Utxo> {
    (0..n)
        .map(|i| Utxo {
            outpoint: OutPoint {
                txid: txid(i),
                vout: (i % 3) as u32,
            },
            amount: amount(seed),
        })
        .collect()
}

fn make_burns(n: u64, seed: &mut u64) -> Vec<Burn> {
    (0..n)
        .map(|i| {
            let sats = 1_000_000 + lcg(seed) % 9_000_000;
            let tag = (i % 251) as u8;
            let script_pubkey = match i % 3 {
                0 => [&[0x00, 0x14][..], &[tag; 20]].concat(),
                1 => [&[0x51, 0x20][..], &[tag; 32]].concat(),
                _ => [&[0x76, 0xa9, 0x14][..], &[tag; 20], &[0x88, 0xac]].concat(),
            };
            let mut transaction_hash = [0u8; 32];
            transaction_hash[..8].copy_from_slice(&i.to_be_bytes());
            Burn {
                id: BurnId {
                    transaction_hash,
                    event_index: 0,
                },
                block_number: 1_000 + i / 10,
                evm_sender: [0x11; 20],
                destination: String::new(),
                script_pubkey,
                wei: U256::from(sats) * U256::from(WEI_PER_SAT),
                sats,
                remainder_wei: 0,
            }
        })
        .collect()
}

fn pegout(c: &mut Criterion) {
    let fed = federation();
    let mut seed = 2026;
    let burns = make_burns(500, &mut seed);
    // 2,000 UTXOs of 0.1 to 10 BTC; the 500 burns need about 27 BTC.
    let utxos = make_utxos(2_000, &mut seed, |s| 10_000_000 + lcg(s) % 990_000_000);
    let policy = Policy {
        max_outputs: 500,
        ..Policy::default()
    };
    let req = ProposalRequest {
        federation: &fed,
        utxos: &utxos,
        reserved: &[],
        burns: &burns,
        processed: &[],
        fee_rate_sat_kvb: 2_000,
        policy: &policy,
    };
    let p = build_proposal(&req).unwrap();
    assert_eq!(p.paid.len(), 500);
    eprintln!(
        "500 burns over 2,000 UTXOs: {} inputs, {} outputs, fee {} sat, changeless {}",
        p.tx.inputs.len(),
        p.tx.outputs.len(),
        p.fee,
        p.change().is_none()
    );
    let mut g = c.benchmark_group("pegout_500_burns_2000_utxos");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("build", |b| {
        b.iter(|| build_proposal(black_box(&req)).unwrap())
    });
    g.bench_function("check", |b| {
        b.iter(|| check_proposal(black_box(&req), &p.tx, &p.prevouts).unwrap())
    });
    g.bench_function("build_and_check", |b| {
        b.iter(|| {
            let p = build_proposal(black_box(&req)).unwrap();
            check_proposal(&req, &p.tx, &p.prevouts).unwrap()
        })
    });
    g.finish();

    // 2,000 UTXOs of 1,000,000 each and a target of 5,500,000 that no multiple reaches: the
    // branch-and-bound visits its 100,000 nodes, then largest-first takes six.
    let equal = make_utxos(2_000, &mut seed, |_| 1_000_000);
    let mut one = make_burns(1, &mut seed);
    one[0].sats = 5_500_000;
    let mut g = c.benchmark_group("pegout_step_cap_2000_equal_utxos");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("build", |b| {
        b.iter(|| build_payment(&fed, black_box(&equal), &one, 1_000, &Policy::default()).unwrap())
    });
    g.finish();
}

/// `n` bridge logs, both events alternating, several burns per transaction, to P2WPKH and P2TR
/// mainnet addresses: the ABI encoding written out by hand.
fn make_logs(n: u64) -> Vec<Log> {
    let addresses = [
        segwit_address(Network::Mainnet, 0, &[7; 20]).unwrap(),
        segwit_address(Network::Mainnet, 1, &[9; 32]).unwrap(),
    ];
    let word = |v: u128| {
        let mut w = [0u8; 32];
        w[16..].copy_from_slice(&v.to_be_bytes());
        w
    };
    (0..n)
        .map(|i| {
            let event = if i % 2 == 0 {
                BurnEvent::RequestPegOut
            } else {
                BurnEvent::BurnForBitcoin
            };
            let address = addresses[(i % 2) as usize].as_bytes();
            let wei = u128::from(1_000_000 + i) * u128::from(WEI_PER_SAT) + 7;
            let mut data = Vec::new();
            match event {
                BurnEvent::RequestPegOut => {
                    data.extend(word(0x40));
                    data.extend(word(wei));
                }
                _ => {
                    data.extend(word(wei));
                    data.extend(word(0x40));
                }
            }
            data.extend(word(address.len() as u128));
            data.extend(address);
            data.resize(data.len().div_ceil(32) * 32, 0);
            let mut sender = [0u8; 32];
            sender[12..].copy_from_slice(&[0x11; 20]);
            let mut transaction_hash = [0u8; 32];
            transaction_hash[..8].copy_from_slice(&(i / 4).to_be_bytes());
            Log {
                address: DEFAULT_BRIDGE,
                topics: vec![event.signature_hash(), sender],
                data,
                transaction_hash,
                log_index: i,
                block_number: 1_000 + i / 40,
                block_hash: None,
                removed: false,
            }
        })
        .collect()
}

fn decode(c: &mut Criterion) {
    let logs = make_logs(10_000);
    let decoded = decode_logs(Network::Mainnet, DEFAULT_BRIDGE, &logs, &Policy::default());
    assert_eq!(
        decoded.burns.len(),
        10_000,
        "{:?}",
        decoded.rejected.first()
    );
    let mut g = c.benchmark_group("pegout_decode_10000_logs");
    g.sample_size(20).measurement_time(Duration::from_secs(5));
    g.bench_function("decode_logs", |b| {
        b.iter(|| {
            decode_logs(
                Network::Mainnet,
                DEFAULT_BRIDGE,
                black_box(&logs),
                &Policy::default(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, decode, pegout);
criterion_main!(benches);
