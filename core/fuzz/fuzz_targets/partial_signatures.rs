//! Partial signature sets: `PartialSignatures::decode` never panics and re-encodes what it
//! accepts byte for byte; a `SignatureCollector` fed decoded sets, or mutations of valid ones,
//! never panics, and gives the same answer with batch verification as without; whatever it
//! accepts finalizes into witnesses that pass the pre-broadcast check.
//!
//! Input: byte 0 picks taproot (even) or P2WSH (odd) and the mode (bit 1): raw bytes to decode, or
//! a list of (member, input, offset, xor, truncate) mutations of the members' valid sets.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pegkit_core::federation::LeafRole;
use pegkit_core::signing::{PartialSignatures, SignatureCollector, check_witnesses};
use pegkit_core::{Decode, Encode};
use std::sync::OnceLock;

#[path = "signing_common.rs"]
mod signing_common;
use signing_common::{Fixture, fixture};

static FIXTURES: OnceLock<[Fixture; 2]> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let fixtures = FIXTURES.get_or_init(|| [fixture(true), fixture(false)]);
    let Some((&mode, rest)) = data.split_first() else { return };
    let f = &fixtures[usize::from(mode & 1)];
    let sets: Vec<PartialSignatures> = if mode & 2 == 0 {
        let Ok(p) = PartialSignatures::decode(rest) else { return };
        assert_eq!(p.to_bytes(), rest, "re-encoding differs from the accepted input");
        assert_eq!(p.encoded_len(), rest.len());
        vec![p]
    } else {
        rest.chunks(5)
            .map(|c| {
                let get = |i: usize| c.get(i).copied().unwrap_or(0);
                let mut p = f.partials[usize::from(get(0)) % 3].clone();
                let input = usize::from(get(1)) % p.signatures.len();
                let sig = &mut p.signatures[input];
                if !sig.is_empty() {
                    let at = usize::from(get(2)) % sig.len();
                    sig[at] ^= get(3);
                }
                match get(4) % 8 {
                    0 => sig.truncate(usize::from(get(4))),
                    1 => sig.push(get(3)),
                    2 => p.public_key.truncate(usize::from(get(2)) % 34),
                    3 => p.signatures.swap(0, input),
                    _ => {}
                }
                p
            })
            .collect()
    };
    let mut batched = SignatureCollector::new(&f.federation, &f.tx, &f.prevouts, LeafRole::Main)
        .expect("fixture is a spend");
    let mut single = batched.clone();
    single.set_batch_verification(false);
    let a = batched.add_all(&sets);
    let b: Vec<_> = sets.iter().map(|p| single.add(p)).collect();
    assert_eq!(a, b, "batch and one-by-one verification disagree");
    if batched.is_complete() {
        let (tx, signers) = batched.finalize().expect("complete collector finalizes");
        assert_eq!(signers.len(), batched.threshold());
        check_witnesses(&f.federation, &tx, &f.prevouts).expect("finalized witnesses pass the check");
    }
});
