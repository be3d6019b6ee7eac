//! The pre-broadcast check never panics on any witness: mutations of a valid finalized spend
//! (items removed, inserted, swapped, truncated, bits flipped, replaced by fuzzer bytes) and whole
//! transactions decoded from raw bytes. A mutation that leaves every witness item unchanged is
//! accepted; one that changes a signature position's bytes is refused.
//!
//! Input: byte 0 picks taproot (even) or P2WSH (odd) and the mode (bit 1): raw transaction bytes
//! (checked against the fixture's prevouts), or mutations of the finalized spend's witnesses.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pegkit_core::signing::check_witnesses;
use pegkit_core::{Decode, Transaction};
use std::sync::OnceLock;

#[path = "signing_common.rs"]
mod signing_common;
use signing_common::{Fixture, fixture};

static FIXTURES: OnceLock<[Fixture; 2]> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let fixtures = FIXTURES.get_or_init(|| [fixture(true), fixture(false)]);
    let Some((&mode, rest)) = data.split_first() else { return };
    let f = &fixtures[usize::from(mode & 1)];
    if mode & 2 == 0 {
        if let Ok(tx) = Transaction::decode(rest) {
            let prevouts: Vec<_> = tx.inputs.iter().map(|_| f.prevouts[0].clone()).collect();
            let _ = check_witnesses(&f.federation, &tx, &prevouts);
        }
        return;
    }
    let mut tx = f.finalized.clone();
    let mut ops = rest;
    while let [op, a, b, tail @ ..] = ops {
        ops = tail;
        let input = usize::from(*a) % tx.inputs.len();
        let items = &mut tx.inputs[input].witness.0;
        let n = items.len().max(1);
        let at = usize::from(*b) % n;
        match op % 7 {
            0 if !items.is_empty() => {
                items.remove(at);
            }
            1 => items.insert(at.min(items.len()), vec![*b; usize::from(*a) % 70]),
            2 if items.len() > 1 => {
                let next = (at + 1) % items.len();
                items.swap(at, next);
            }
            3 if !items.is_empty() => {
                let len = items[at].len();
                items[at].truncate(len.saturating_sub(1));
            }
            4 if !items.is_empty() && !items[at].is_empty() => {
                let len = items[at].len();
                items[at][usize::from(*a) % len] ^= 1 << (b % 8);
            }
            5 if !items.is_empty() => items[at].push(*a),
            6 => tx.inputs[input].sequence = u32::from_le_bytes([*a, *b, *a, *b]),
            _ => {}
        }
    }
    let result = check_witnesses(&f.federation, &tx, &f.prevouts);
    if tx == f.finalized {
        assert!(result.is_ok(), "the unmodified spend must pass: {result:?}");
    } else if tx.inputs.iter().zip(&f.finalized.inputs).all(|(a, b)| a.sequence == b.sequence) {
        // Witness bytes changed and the sighashes did not: the template no longer holds.
        assert!(result.is_err(), "a changed witness passed the check");
    }
});
