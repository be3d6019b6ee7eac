//! SPV benchmarks, pegkit against rust-bitcoin 0.32 on the same inputs: the 8065-header mainnet
//! window (hash, proof of work against nBits, link, retargets), a 900,000-header regtest-parameter
//! chain, Core's `gettxoutproof` verification, and the merkle root of block 830000.
//!
//! `cargo bench -p pegkit-bench --bench spv`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use bitcoin::consensus::deserialize;
use bitcoin::pow::CompactTarget as BtcCompact;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pegkit_core::chain::{Anchor, HeaderChain, verify_header_list};
use pegkit_core::merkle::{MerkleBlock, merkle_root};
use pegkit_core::params::Network;
use pegkit_core::{Block, Decode, Header};
use std::hint::black_box;
use std::time::Duration;

/// rust-bitcoin's equivalent of the window check: hash, PoW against the header's own target,
/// link to the parent, and at each retarget the new nBits from the period's first and last
/// headers (`CompactTarget::from_next_work_required`).
fn rust_bitcoin_window(raw: &[[u8; 80]]) -> usize {
    let params = bitcoin::params::Params::new(bitcoin::Network::Bitcoin);
    let headers: Vec<bitcoin::block::Header> =
        raw.iter().map(|h| deserialize(h).unwrap()).collect();
    let mut prev_hash = headers[0].block_hash();
    headers[0].validate_pow(headers[0].target()).unwrap();
    let mut period_first = headers[0];
    for (i, h) in headers.iter().enumerate().skip(1) {
        assert_eq!(h.prev_blockhash, prev_hash);
        let height = 822_528 + i as u32;
        if height % 2016 == 0 {
            let last = &headers[i - 1];
            let timespan = u64::from(last.time - period_first.time);
            let expected = BtcCompact::from_next_work_required(last.bits, timespan, &params);
            assert_eq!(h.bits, expected);
            period_first = *h;
        } else {
            assert_eq!(h.bits, headers[i - 1].bits);
        }
        prev_hash = h.validate_pow(h.target()).unwrap();
    }
    headers.len()
}

fn header_chains(c: &mut Criterion) {
    let raw = pegkit_tests::mainnet_headers_822528_830592();
    let params = Network::Mainnet.params();
    let mut g = c.benchmark_group("header_chain_8065");
    g.throughput(Throughput::Elements(raw.len() as u64));
    g.bench_function("pegkit verify_header_list (all rules)", |b| {
        b.iter(|| {
            let headers: Vec<Header> = raw.iter().map(Header::from_bytes).collect();
            verify_header_list(&params, 822_528, black_box(&headers), None)
                .unwrap()
                .tip()
        })
    });
    g.bench_function("rust-bitcoin (hash, pow, link, retarget)", |b| {
        b.iter(|| rust_bitcoin_window(black_box(&raw)))
    });
    g.finish();

    // 900,000 regtest headers mined once, then verified from genesis.
    let p = Network::Regtest.params();
    let mut chain_headers = Vec::with_capacity(900_000);
    let mut prev = p.genesis;
    for _ in 0..900_000 {
        let h = pegkit_tests::mine::child(&prev, prev.time + 600, prev.bits);
        chain_headers.push(h);
        prev = h;
    }
    let mut g = c.benchmark_group("header_chain_900000_regtest");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(chain_headers.len() as u64));
    g.bench_function("pegkit HeaderChain::add_headers (default retain)", |b| {
        b.iter(|| {
            let mut chain = HeaderChain::new(p.clone(), Anchor::genesis(&p)).unwrap();
            chain.add_headers(black_box(&chain_headers), None).unwrap();
            chain.tip()
        })
    });
    g.finish();
}

fn proofs(c: &mut Criterion) {
    let proofs = pegkit_tests::mainnet_txoutproofs_830000();
    let mut g = c.benchmark_group("gettxoutproof_verify_6");
    g.throughput(Throughput::Elements(proofs.len() as u64));
    g.bench_function("pegkit MerkleBlock decode + verify", |b| {
        b.iter(|| {
            for p in &proofs {
                black_box(
                    MerkleBlock::decode(black_box(&p.proof))
                        .unwrap()
                        .verify()
                        .unwrap(),
                );
            }
        })
    });
    g.bench_function(
        "rust-bitcoin MerkleBlock deserialize + extract_matches",
        |b| {
            b.iter(|| {
                for p in &proofs {
                    let mb: bitcoin::MerkleBlock = deserialize(black_box(&p.proof)).unwrap();
                    let (mut m, mut i) = (Vec::new(), Vec::new());
                    let root = mb.txn.extract_matches(&mut m, &mut i).unwrap();
                    assert_eq!(root, mb.header.merkle_root);
                }
            })
        },
    );
    g.finish();

    let block = Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap();
    let txids = block.txids();
    let btc_txids: Vec<bitcoin::Txid> = txids
        .iter()
        .map(|t| {
            bitcoin::Txid::from_raw_hash(bitcoin::hashes::Hash::from_byte_array(t.to_byte_array()))
        })
        .collect();
    let mut g = c.benchmark_group("merkle_root_830000");
    g.bench_function("pegkit merkle_root", |b| {
        b.iter(|| merkle_root(black_box(&txids)).unwrap())
    });
    g.bench_function("rust-bitcoin merkle_tree::calculate_root", |b| {
        b.iter(|| {
            bitcoin::merkle_tree::calculate_root(black_box(btc_txids.iter().copied())).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, header_chains, proofs);
criterion_main!(benches);
