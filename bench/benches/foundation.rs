//! Foundation benchmarks, pegkit against its native peers on the same inputs:
//! rust-bitcoin (decoding, header hashing), libsecp256k1 through `bitcoin::secp256k1`, and
//! k256's own BIP340 (Schnorr sign/verify).
//!
//! `cargo bench -p pegkit-bench --bench foundation`

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use bitcoin::consensus::deserialize;
use bitcoin::secp256k1::{
    Keypair as SecpKeypair, Message, Secp256k1, XOnlyPublicKey as SecpXOnly,
    schnorr as secp_schnorr,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pegkit_core::schnorr::{SecretKey, Signature};
use pegkit_core::{Block, Decode, Header};
use std::hint::black_box;

fn decode(c: &mut Criterion) {
    let raw = pegkit_tests::mainnet_block_830000();
    let mut g = c.benchmark_group("decode_block_830000");
    g.throughput(Throughput::Bytes(raw.len() as u64));
    g.bench_function("pegkit", |b| {
        b.iter(|| Block::decode(black_box(&raw)).unwrap())
    });
    g.bench_function("rust-bitcoin", |b| {
        b.iter(|| deserialize::<bitcoin::Block>(black_box(&raw)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("decode_and_txids_block_830000");
    g.throughput(Throughput::Bytes(raw.len() as u64));
    g.bench_function("pegkit", |b| {
        b.iter(|| Block::decode(black_box(&raw)).unwrap().txids())
    });
    g.bench_function("rust-bitcoin", |b| {
        b.iter(|| {
            let block = deserialize::<bitcoin::Block>(black_box(&raw)).unwrap();
            block
                .txdata
                .iter()
                .map(bitcoin::Transaction::compute_txid)
                .collect::<Vec<_>>()
        })
    });
    g.finish();
}

fn header_hash(c: &mut Criterion) {
    let headers = pegkit_tests::mainnet_headers_822528_830592();
    let mut g = c.benchmark_group("sha256d_headers_8065");
    g.throughput(Throughput::Elements(headers.len() as u64));
    g.bench_function("pegkit", |b| {
        b.iter(|| {
            for h in &headers {
                black_box(Header::from_bytes(black_box(h)).block_hash());
            }
        })
    });
    g.bench_function("rust-bitcoin", |b| {
        b.iter(|| {
            for h in &headers {
                black_box(
                    deserialize::<bitcoin::block::Header>(black_box(h))
                        .unwrap()
                        .block_hash(),
                );
            }
        })
    });
    g.finish();
}

fn schnorr(c: &mut Criterion) {
    let sk = [0x42u8; 32];
    let msg = [0x17u8; 32];
    let aux = [0x99u8; 32];

    let kp = SecretKey::from_bytes(&sk).unwrap().keypair();
    let sig = kp.sign(&msg, &aux).unwrap();
    let pk = *kp.public_key();

    let secp = Secp256k1::new();
    let skp = SecpKeypair::from_seckey_slice(&secp, &sk).unwrap();
    let smsg = Message::from_digest(msg);
    let ssig = secp.sign_schnorr_with_aux_rand(&smsg, &skp, &aux);
    let spk = SecpXOnly::from_slice(&pk.to_bytes()).unwrap();
    assert_eq!(
        ssig.serialize(),
        sig.to_bytes(),
        "pegkit and libsecp256k1 agree"
    );

    let ksk = k256::schnorr::SigningKey::from_bytes(&sk.into()).unwrap();
    let kvk = *ksk.verifying_key();
    let ksig = k256::schnorr::Signature::try_from(sig.to_bytes().as_slice()).unwrap();

    let mut g = c.benchmark_group("bip340_sign");
    g.bench_function("pegkit", |b| {
        b.iter(|| kp.sign(black_box(&msg), &aux).unwrap())
    });
    g.bench_function("libsecp256k1", |b| {
        b.iter(|| secp.sign_schnorr_with_aux_rand(black_box(&smsg), &skp, &aux))
    });
    #[allow(deprecated)] // k256's raw BIP340 signing entry point is doc(hidden)
    g.bench_function("k256", |b| {
        b.iter(|| ksk.sign_raw(black_box(&msg), &aux).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("bip340_verify");
    g.bench_function("pegkit", |b| {
        b.iter(|| pk.verify(black_box(&msg), &sig).unwrap())
    });
    g.bench_function("pegkit_with_key_parse", |b| {
        b.iter(|| {
            let key = pegkit_core::schnorr::XOnlyPublicKey::from_bytes(black_box(&pk.to_bytes()))
                .unwrap();
            key.verify(&msg, &Signature::from_bytes(sig.to_bytes()))
                .unwrap()
        })
    });
    g.bench_function("libsecp256k1", |b| {
        b.iter(|| {
            secp.verify_schnorr(
                black_box(&secp_schnorr::Signature::from_slice(&sig.to_bytes()).unwrap()),
                &smsg,
                &spk,
            )
            .unwrap()
        })
    });
    g.bench_function("k256", |b| {
        b.iter(|| kvk.verify_raw(black_box(&msg), &ksig).unwrap())
    });
    g.finish();
}

criterion_group!(benches, decode, header_hash, schnorr);
criterion_main!(benches);
