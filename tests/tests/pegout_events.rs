//! Burn events through `decode_logs` with an ABI encoder written here (independent of the alloy
//! encoder the core's unit tests use): every address of Bitcoin Core's `key_io_valid.json` as
//! the destination of both events, on every network; and a batch of mixed logs whose outcome
//! does not depend on the order the logs are given in.

use pegkit_core::ErrorCode;
use pegkit_core::params::Network;
use pegkit_core::pegout::{
    BurnEvent, BurnId, DEFAULT_BRIDGE, Log, Policy, RejectedId, WEI_PER_SAT, decode_logs,
};

fn word(n: u128) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[16..].copy_from_slice(&n.to_be_bytes());
    w
}

/// Solidity's encoding of the event's non-indexed fields.
fn data(event: BurnEvent, wei: u128, text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match event {
        BurnEvent::RequestPegOut => {
            out.extend_from_slice(&word(0x40));
            out.extend_from_slice(&word(wei));
        }
        BurnEvent::BurnForBitcoin => {
            out.extend_from_slice(&word(wei));
            out.extend_from_slice(&word(0x40));
        }
    }
    out.extend_from_slice(&word(text.len() as u128));
    out.extend_from_slice(text);
    out.resize(out.len() + (32 - text.len() % 32) % 32, 0);
    out
}

fn burn_log(event: BurnEvent, wei: u128, text: &str, tx: u8, log_index: u64) -> Log {
    let mut sender = [0u8; 32];
    sender[12..].copy_from_slice(&[0x42; 20]);
    Log {
        address: DEFAULT_BRIDGE,
        topics: vec![event.signature_hash(), sender],
        data: data(event, wei, text.as_bytes()),
        transaction_hash: [tx; 32],
        log_index,
        block_number: 7,
        block_hash: None,
        removed: false,
    }
}

#[test]
fn key_io_addresses_as_destinations() {
    let wei = 5_000_000u128 * u128::from(WEI_PER_SAT) + 17;
    let mut paid = 0;
    for row in pegkit_tests::key_io_valid() {
        if row.is_privkey {
            continue;
        }
        for network in Network::ALL {
            let logs: Vec<Log> = BurnEvent::ALL
                .into_iter()
                .enumerate()
                .map(|(i, e)| burn_log(e, wei, &row.string, 1, i as u64))
                .collect();
            let d = decode_logs(network, DEFAULT_BRIDGE, &logs, &Policy::default());
            assert_eq!(d.burns.len() + d.rejected.len(), 2);
            let direct = pegkit_core::address::parse_address(network, &row.string);
            match direct {
                Ok(script) => {
                    assert_eq!(script, row.payload, "{} on {network}", row.string);
                    assert_eq!(d.burns.len(), 2, "{} on {network}", row.string);
                    for (i, b) in d.burns.iter().enumerate() {
                        assert_eq!(b.script_pubkey, row.payload);
                        assert_eq!(b.destination, row.string);
                        assert_eq!((b.sats, b.remainder_wei), (5_000_000, 17));
                        assert_eq!(b.evm_sender, [0x42; 20]);
                        assert_eq!(
                            b.id,
                            BurnId {
                                transaction_hash: [1; 32],
                                event_index: i as u32
                            }
                        );
                    }
                    paid += 1;
                }
                Err(e) => {
                    for r in &d.rejected {
                        assert_eq!(r.reason.code(), e.code(), "{} on {network}", row.string);
                        assert!(matches!(r.id, RejectedId::Burn(_)));
                    }
                }
            }
        }
    }
    // (address, network) pairs paid: 12 mainnet addresses, 16 test-network base58 addresses on
    // 4 networks, 12 `tb1` addresses on 3, 6 `bcrt1` addresses on regtest.
    assert_eq!(paid, 12 + 16 * 4 + 12 * 3 + 6);
}

#[test]
fn outcome_does_not_depend_on_log_order() {
    let w = 2_000_000u128 * u128::from(WEI_PER_SAT);
    let good = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    let mut logs = vec![
        burn_log(BurnEvent::BurnForBitcoin, w, good, 1, 9),
        burn_log(BurnEvent::RequestPegOut, w + 1, good, 1, 3),
        burn_log(
            BurnEvent::BurnForBitcoin,
            w + 2,
            "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            2,
            0,
        ),
        burn_log(
            BurnEvent::BurnForBitcoin,
            w - WEI_PER_SAT as u128 * 1_500_000,
            good,
            3,
            1,
        ),
        burn_log(BurnEvent::RequestPegOut, w + 3, good, 4, 2),
    ];
    let mut foreign = burn_log(BurnEvent::RequestPegOut, w, good, 1, 4);
    foreign.address = [0x11; 20];
    logs.push(foreign);
    let mut gone = burn_log(BurnEvent::RequestPegOut, w, good, 5, 0);
    gone.removed = true;
    logs.push(gone);
    logs.push(burn_log(BurnEvent::BurnForBitcoin, w, good, 1, 9)); // the same log again
    let first = decode_logs(Network::Mainnet, DEFAULT_BRIDGE, &logs, &Policy::default());
    let summary = |d: &pegkit_core::pegout::DecodedLogs| {
        let mut r: Vec<(String, &'static str)> = d
            .rejected
            .iter()
            .map(|r| (format!("{:?}", r.id), r.reason.code()))
            .collect();
        r.sort();
        r
    };
    let codes: Vec<&str> = summary(&first).iter().map(|(_, c)| *c).collect();
    assert_eq!(first.burns.len(), 3);
    assert_eq!(codes.len(), 5);
    for c in [
        "wrong_network",
        "amount_below_minimum",
        "not_bridge",
        "removed",
        "duplicate_log",
    ] {
        assert!(codes.contains(&c), "{codes:?}");
    }
    // Rotations of the input: the same burns in the same order, the same rejections.
    for k in 1..logs.len() {
        let mut rotated = logs.clone();
        rotated.rotate_left(k);
        let d = decode_logs(
            Network::Mainnet,
            DEFAULT_BRIDGE,
            &rotated,
            &Policy::default(),
        );
        assert_eq!(d.burns, first.burns, "rotation {k}");
        assert_eq!(summary(&d), summary(&first), "rotation {k}");
    }
    let ids: Vec<(u8, u32)> = first
        .burns
        .iter()
        .map(|b| (b.id.transaction_hash[0], b.id.event_index))
        .collect();
    // Transaction 1: log 3 (index 0), log 9 (index 1; the other contract's log 4 takes none).
    assert_eq!(ids, vec![(1, 0), (1, 1), (4, 0)]);
}
