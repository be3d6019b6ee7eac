//! Burn-event decoding never panics and accounts for every log exactly once: arbitrary bytes are
//! turned into EVM logs (bridge or other contracts, either burn event's topic0 or another, 0..=3
//! topics with clean or dirty address topics, raw data or hand-built ABI with a real or fuzzed
//! destination, removed flags, few transaction hashes and log indexes so duplicates and
//! re-mined transactions are common) and decoded. Checked: one outcome per log (counted per
//! transaction hash), unique burn ids, burns in payment order with consistent amounts within the
//! policy and a destination that parses to the burn's script. Every fuzzed destination string is
//! also parsed on every network.
//!
//! Input: byte 0 = network (mod 5) and policy (bit 3: minimum 0); then records of
//! `[flags, tx, log_index, block, block_hash, topics, mode, len, payload(len)]`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pegkit_core::address::parse_address;
use pegkit_core::params::Network;
use pegkit_core::pegout::{
    BurnEvent, DEFAULT_BRIDGE, Log, Policy, RejectedId, WEI_PER_SAT, decode_logs,
};
use std::collections::{BTreeMap, BTreeSet};

const DESTINATIONS: [&str; 6] = [
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    "mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ",
    "bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
];

fn word(n: usize) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&(n as u64).to_be_bytes());
    w
}

/// The strict ABI encoding of (amount, text) in the event's field order.
fn abi(event: BurnEvent, wei: [u8; 32], text: &[u8]) -> Vec<u8> {
    let mut tail = word(text.len()).to_vec();
    tail.extend_from_slice(text);
    tail.resize(32 + text.len().div_ceil(32) * 32, 0);
    let mut data = Vec::new();
    match event {
        BurnEvent::RequestPegOut => {
            data.extend_from_slice(&word(0x40));
            data.extend_from_slice(&wei);
        }
        _ => {
            data.extend_from_slice(&wei);
            data.extend_from_slice(&word(0x40));
        }
    }
    data.extend_from_slice(&tail);
    data
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, mut rest)) = data.split_first() else {
        return;
    };
    let network = Network::ALL[usize::from(head % 5)];
    let policy = if head & 8 != 0 {
        Policy {
            min_amount: 0,
            ..Policy::default()
        }
    } else {
        Policy::default()
    };
    let mut logs = Vec::new();
    while let [flags, tx, log_index, block, hash, topics, mode, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(len);
        rest = next;
        let event = BurnEvent::ALL[usize::from(flags >> 3 & 1)];
        let topic0 = match flags >> 4 & 3 {
            0 | 1 => event.signature_hash(),
            2 => [*hash; 32],
            _ => BurnEvent::ALL[usize::from(flags >> 3 & 1) ^ 1].signature_hash(),
        };
        let mut sender = [0u8; 32];
        sender[12..].copy_from_slice(&[*tx ^ 0x5a; 20]);
        if flags & 0x40 != 0 {
            sender[0] = *hash | 1;
        }
        let topics: Vec<[u8; 32]> = [topic0, sender, [*block; 32]]
            .into_iter()
            .take(usize::from(topics % 4))
            .collect();
        let data = if mode & 1 == 0 {
            payload.to_vec()
        } else {
            let mut wei = [0u8; 32];
            for (w, p) in wei[16..24].iter_mut().zip(payload) {
                *w = *p;
            }
            let choice = usize::from(mode >> 1) % (DESTINATIONS.len() + 1);
            let text = DESTINATIONS
                .get(choice)
                .map_or_else(|| payload.get(8..).unwrap_or_default(), |d| d.as_bytes());
            abi(event, wei, text)
        };
        if let Ok(text) = std::str::from_utf8(payload) {
            for n in Network::ALL {
                if let Ok(script) = parse_address(n, text) {
                    assert!(matches!(script.len(), 22 | 23 | 25 | 34), "{text:?}");
                }
            }
        }
        logs.push(Log {
            address: if flags & 2 != 0 { DEFAULT_BRIDGE } else { [*tx; 20] },
            topics,
            data,
            transaction_hash: [*tx % 4; 32],
            log_index: u64::from(*log_index % 8),
            block_number: u64::from(*block % 3),
            block_hash: (flags & 4 != 0).then_some([*block % 3 ^ *hash % 2; 32]),
            removed: flags & 0x81 == 0x81,
        });
    }
    let decoded = decode_logs(network, DEFAULT_BRIDGE, &logs, &policy);

    // Every log exactly once: outcomes per transaction hash equal logs per transaction hash.
    let mut given: BTreeMap<[u8; 32], usize> = BTreeMap::new();
    for l in &logs {
        *given.entry(l.transaction_hash).or_default() += 1;
    }
    let mut got: BTreeMap<[u8; 32], usize> = BTreeMap::new();
    for b in &decoded.burns {
        *got.entry(b.id.transaction_hash).or_default() += 1;
    }
    for r in &decoded.rejected {
        let tx = match r.id {
            RejectedId::Burn(id) => id.transaction_hash,
            RejectedId::Log {
                transaction_hash, ..
            } => transaction_hash,
        };
        *got.entry(tx).or_default() += 1;
    }
    assert_eq!(given, got);
    assert_eq!(decoded.burns.len() + decoded.rejected.len(), logs.len());

    // A burn identity appears once in the whole result.
    let mut ids = BTreeSet::new();
    for b in &decoded.burns {
        assert!(ids.insert(b.id), "burn {:?} twice", b.id);
    }
    for r in &decoded.rejected {
        if let RejectedId::Burn(id) = r.id {
            assert!(ids.insert(id), "burn {id:?} both paid and rejected, or rejected twice");
        }
    }
    // Payment order, amounts, destinations.
    let keys: Vec<_> = decoded
        .burns
        .iter()
        .map(|b| (b.block_number, b.id.transaction_hash, b.id.event_index))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]));
    for b in &decoded.burns {
        assert!(b.sats >= policy.min_amount && b.sats <= policy.max_amount);
        assert!(b.remainder_wei < WEI_PER_SAT);
        let wei = u128::from(b.sats) * u128::from(WEI_PER_SAT) + u128::from(b.remainder_wei);
        assert_eq!(b.wei, alloy_primitives::U256::from(wei));
        assert_eq!(parse_address(network, &b.destination).as_ref(), Ok(&b.script_pubkey));
        assert!(logs.iter().any(|l| !l.removed
            && l.address == DEFAULT_BRIDGE
            && l.transaction_hash == b.id.transaction_hash
            && l.block_number == b.block_number));
    }
});
