//! The peg-out proposal check never panics, never refuses the payment the builder proposes,
//! and whenever it accepts a (mutated) proposal, that proposal is byte for byte the payment
//! `build_payment` rebuilds from the same request.
//!
//! Input: a header (byte 0: federation taproot/P2WSH (bit 0) and mode (bit 1: mutate the built
//! proposal, else decode a raw transaction); byte 1: fee rate; byte 2: policy; bytes 3, 4: UTXO
//! and burn counts), then 3 bytes per UTXO, 4 per burn, then mutation ops (3 bytes each) or
//! raw transaction bytes.

#![no_main]

use alloy_primitives::U256;
use libfuzzer_sys::fuzz_target;
use pegkit_core::ecdsa::PublicKey;
use pegkit_core::federation::Federation;
use pegkit_core::params::Network;
use pegkit_core::pegout::{
    Burn, BurnId, Policy, ProposalRequest, Utxo, WEI_PER_SAT, build_proposal, check_proposal,
};
use pegkit_core::schnorr::SecretKey;
use pegkit_core::{Decode, Encode, OutPoint, Transaction, TxOut, Txid};
use std::sync::OnceLock;

static FEDERATIONS: OnceLock<[Federation; 2]> = OnceLock::new();

fn secret(i: u8) -> SecretKey {
    SecretKey::from_bytes(&[i + 1; 32]).expect("valid key")
}

fn federations() -> &'static [Federation; 2] {
    FEDERATIONS.get_or_init(|| {
        let x: Vec<_> = (0..3).map(|i| secret(i).x_only_public_key()).collect();
        let c: Vec<_> = (0..3)
            .map(|i| PublicKey::from_secret_key(&secret(i)))
            .collect();
        [
            Federation::taproot(Network::Regtest, 2, &x, None, None).expect("federation"),
            Federation::p2wsh(Network::Regtest, 2, &c).expect("federation"),
        ]
    })
}

fn script(kind: u8, tag: u8, fed: &Federation) -> Vec<u8> {
    match kind % 7 {
        0 => [&[0x76, 0xa9, 0x14][..], &[tag; 20], &[0x88, 0xac]].concat(),
        1 => [&[0xa9, 0x14][..], &[tag; 20], &[0x87]].concat(),
        2 => [&[0x00, 0x14][..], &[tag; 20]].concat(),
        3 => [&[0x00, 0x20][..], &[tag; 32]].concat(),
        4 => [&[0x51, 0x20][..], &[tag; 32]].concat(),
        5 => fed.script_pubkey().to_vec(),
        _ => vec![0x6a, 0x01, tag],
    }
}

fuzz_target!(|data: &[u8]| {
    let [head, rate, pol, n_utxos, n_burns, rest @ ..] = data else {
        return;
    };
    let fed = &federations()[usize::from(head & 1)];
    let rate = 1_000 + u64::from(*rate) * 400;
    let policy = Policy {
        min_amount: if pol & 1 == 0 { 0 } else { 1_000_000 },
        max_outputs: u32::from(pol >> 1 & 7),
        max_fee: if pol & 0x10 == 0 { 1_000_000 } else { 20_000 },
        min_fee_rate_sat_kvb: if pol & 0x20 == 0 { 1_000 } else { 50_000 },
        ..Policy::default()
    };
    let n_utxos = usize::from(n_utxos % 24);
    let n_burns = usize::from(n_burns % 12);
    let Some((u_bytes, rest)) = rest.split_at_checked(3 * n_utxos) else {
        return;
    };
    let Some((b_bytes, ops)) = rest.split_at_checked(4 * n_burns) else {
        return;
    };
    let utxos: Vec<Utxo> = u_bytes
        .chunks_exact(3)
        .map(|c| Utxo {
            outpoint: OutPoint {
                txid: Txid::from_byte_array([c[0] % 16; 32]),
                vout: u32::from(c[0] >> 4),
            },
            amount: u64::from(u16::from_le_bytes([c[1], c[2]])) * 1_000,
        })
        .collect();
    let burns: Vec<Burn> = b_bytes
        .chunks_exact(4)
        .map(|c| {
            let sats = u64::from(u16::from_le_bytes([c[2], c[3]])) * 300;
            Burn {
                id: BurnId {
                    transaction_hash: [c[0] % 8; 32],
                    event_index: u32::from(c[0] >> 3 & 1),
                },
                block_number: u64::from(c[0] >> 4),
                evm_sender: [0; 20],
                destination: String::new(),
                script_pubkey: script(c[1], c[1] >> 3, fed),
                wei: alloy_primitives_u256(sats),
                sats,
                remainder_wei: 0,
            }
        })
        .collect();
    let mut reserved: Vec<OutPoint> = Vec::new();
    let mut processed: Vec<BurnId> = Vec::new();
    let base = ProposalRequest {
        federation: fed,
        utxos: &utxos,
        reserved: &[],
        burns: &burns,
        processed: &[],
        fee_rate_sat_kvb: rate,
        policy: &policy,
    };
    let built = build_proposal(&base);

    let (tx, prevouts) = if head & 2 == 0 {
        let Ok(tx) = Transaction::decode(ops) else {
            return;
        };
        let prevouts: Vec<TxOut> = tx
            .inputs
            .iter()
            .map(|i| TxOut {
                value: utxos
                    .iter()
                    .find(|u| u.outpoint == i.previous_output)
                    .map_or(0, |u| u.amount as i64),
                script_pubkey: fed.script_pubkey().to_vec(),
            })
            .collect();
        (tx, prevouts)
    } else {
        let Ok(p) = &built else {
            return;
        };
        // The builder's own proposal is always accepted.
        let checked = check_proposal(&base, &p.tx, &p.prevouts).expect("built proposal refused");
        assert_eq!((checked.fee, &checked.paid), (p.fee, &p.paid));
        let mut tx = p.tx.clone();
        let mut prevouts = p.prevouts.clone();
        for op in ops.chunks_exact(3) {
            let (a, b) = (usize::from(op[1]), op[2]);
            match op[0] % 12 {
                0 if !tx.outputs.is_empty() => {
                    let o = a % tx.outputs.len();
                    tx.outputs[o].value += i64::from(b as i8);
                }
                1 if !tx.outputs.is_empty() => {
                    tx.outputs.remove(a % tx.outputs.len());
                }
                2 if !tx.outputs.is_empty() => {
                    let o = tx.outputs[a % tx.outputs.len()].clone();
                    tx.outputs.insert(usize::from(b) % tx.outputs.len(), o);
                }
                3 if !tx.outputs.is_empty() => {
                    let o = a % tx.outputs.len();
                    tx.outputs[o].script_pubkey = script(b, b >> 3, fed);
                }
                4 if !tx.inputs.is_empty() => {
                    let i = a % tx.inputs.len();
                    tx.inputs.remove(i);
                    prevouts.remove(i.min(prevouts.len().saturating_sub(1)));
                }
                5 if !utxos.is_empty() => {
                    let u = utxos[a % utxos.len()];
                    let at = usize::from(b) % (tx.inputs.len() + 1);
                    let mut input = tx.inputs.first().cloned().unwrap_or_default();
                    input.previous_output = u.outpoint;
                    tx.inputs.insert(at, input);
                    prevouts.insert(
                        at.min(prevouts.len()),
                        TxOut {
                            value: u.amount as i64,
                            script_pubkey: fed.script_pubkey().to_vec(),
                        },
                    );
                }
                6 if tx.inputs.len() > 1 => {
                    let i = a % tx.inputs.len();
                    let j = usize::from(b) % tx.inputs.len();
                    tx.inputs.swap(i, j);
                    if i < prevouts.len() && j < prevouts.len() {
                        prevouts.swap(i, j);
                    }
                }
                7 if !tx.inputs.is_empty() => {
                    let i = a % tx.inputs.len();
                    tx.inputs[i].sequence ^= 1 << (b % 32);
                }
                8 => {
                    tx.version ^= u32::from(b & 3);
                    tx.lock_time ^= u32::from(b >> 2 & 1);
                }
                9 if !utxos.is_empty() => reserved.push(utxos[a % utxos.len()].outpoint),
                10 if !burns.is_empty() => processed.push(burns[a % burns.len()].id),
                11 if !prevouts.is_empty() => {
                    let i = a % prevouts.len();
                    prevouts[i].value += i64::from(b as i8);
                }
                _ => {}
            }
        }
        (tx, prevouts)
    };

    let req = ProposalRequest {
        reserved: &reserved,
        processed: &processed,
        ..base
    };
    if let Ok(checked) = check_proposal(&req, &tx, &prevouts) {
        let rebuilt = build_proposal(&req).expect("accepted, so it rebuilds");
        assert_eq!(tx.to_bytes(), rebuilt.tx.to_bytes());
        assert_eq!(prevouts, rebuilt.prevouts);
        assert_eq!((checked.fee, checked.paid), (rebuilt.fee, rebuilt.paid));
    }
});

fn alloy_primitives_u256(sats: u64) -> U256 {
    U256::from(sats) * U256::from(WEI_PER_SAT)
}
