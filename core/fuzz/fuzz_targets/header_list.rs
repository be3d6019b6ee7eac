//! `verify_header_list` on regtest parameters that retarget every 2..=16 blocks.
//!
//! Input: start height (u32 LE, reduced mod 5000), a flags byte, an interval byte, `now` (u32 LE),
//! then 80-byte headers (a trailing partial header is ignored). Flags: bit 0 min-difficulty
//! blocks, bit 1 BIP94, bit 2 link (each header's parent is set to the previous header), bit 3
//! grind (each header's nonce is advanced until its hash meets its nBits), bit 4 repair (fix the
//! first failing header as the error says, relink and regrind the rest, and retry, so chains
//! that retarget many times are reached), bit 5 pass `now`.
//!
//! Never panics. If the list verifies: the tip is at `start + count - 1` with the last header's
//! hash, every header is on the best chain at its height, the chainwork is the sum of the
//! headers' work, and `restore(serialize())` gives the same tip, length and bytes. If header
//! `i ≥ 1` fails, the list of the `i` headers before it verifies.

#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pegkit_core::Header;
use pegkit_core::chain::{AddError, ChainError, HeaderChain, verify_header_list};
use pegkit_core::header::HEADER_LEN;
use pegkit_core::params::Params;
use pegkit_core::pow::{U256, work};

const GRIND_TRIES: u32 = 512;

fuzz_target!(|data: &[u8]| {
    if data.len() < 10 {
        return;
    }
    let start = u32::from_le_bytes(data[0..4].try_into().unwrap()) % 5000;
    let flags = data[4];
    let interval = 2 + u32::from(data[5]) % 15;
    let now = (flags & 0x20 != 0).then(|| u32::from_le_bytes(data[6..10].try_into().unwrap()));
    let params = common::retargeting_regtest(interval, flags & 1 != 0, flags & 2 != 0);
    let mut headers: Vec<Header> = data[10..]
        .chunks_exact(HEADER_LEN)
        .map(|c| Header::from_bytes(c.try_into().unwrap()))
        .collect();

    let (link, grind, repair) = (flags & 4 != 0, flags & 8 != 0, flags & 16 != 0);
    if link || grind || repair {
        fixup(&params, &mut headers, 0, link || repair, grind || repair);
    }
    let mut result = verify_header_list(&params, start, &headers, now);
    if repair {
        for _ in 0..headers.len() * 2 + 8 {
            let Err(AddError { index, error }) = &result else {
                break;
            };
            let (index, error) = (*index, error.clone());
            if index >= headers.len() || !fix(&params, &mut headers[index], &error) {
                break;
            }
            fixup(&params, &mut headers, index, true, true);
            result = verify_header_list(&params, start, &headers, now);
        }
    }
    check(&params, start, &headers, now, result);
});

/// Relinks and/or regrinds headers from `from` on.
fn fixup(params: &Params, headers: &mut [Header], from: usize, link: bool, grind: bool) {
    for i in from..headers.len() {
        if link && i > 0 {
            headers[i].prev_blockhash = headers[i - 1].block_hash();
        }
        if grind {
            common::grind(params, &mut headers[i], GRIND_TRIES);
        }
    }
}

/// Changes the header as the error asks; false when there is nothing to do.
fn fix(params: &Params, h: &mut Header, error: &ChainError) -> bool {
    match *error {
        ChainError::BadBits { .. } => h.bits = params.pow_limit_bits(),
        ChainError::BadDifficulty { expected, .. } => h.bits = expected,
        ChainError::TimeTooOld { median, .. } => h.time = median.saturating_add(1),
        ChainError::TimeTooNew { max, .. } => h.time = max,
        ChainError::TimewarpAttack { prev_time, .. } => h.time = prev_time.saturating_sub(600),
        ChainError::BadVersion { min, .. } => h.version = min,
        // Fixed by relinking and regrinding.
        ChainError::NotLinked { .. } | ChainError::HighHash { .. } => {}
        _ => return false,
    }
    true
}

fn check(
    params: &Params,
    start: u32,
    headers: &[Header],
    now: Option<u32>,
    result: Result<HeaderChain, AddError>,
) {
    let chain = match result {
        Ok(chain) => chain,
        Err(AddError { index, error }) => {
            assert!(
                index < headers.len().max(1),
                "error index {index} of {}",
                headers.len()
            );
            if let ChainError::NotLinked { prev, expected, .. } = &error {
                assert_eq!(*prev, headers[index].prev_blockhash, "NotLinked prev");
                assert_eq!(
                    *expected,
                    headers[index - 1].block_hash(),
                    "NotLinked expected"
                );
                assert_ne!(prev, expected, "NotLinked on a linked header");
            }
            if index >= 1 {
                let prefix = verify_header_list(params, start, &headers[..index], now)
                    .unwrap_or_else(|e| {
                        panic!("header {index} failed ({error:?}) but its prefix fails: {e:?}")
                    });
                assert_eq!(
                    prefix.tip().hash,
                    headers[index - 1].block_hash(),
                    "prefix tip"
                );
            }
            return;
        }
    };
    let n = headers.len() as u32;
    let tip = chain.tip();
    assert_eq!(tip.height, start + n - 1, "tip height");
    assert_eq!(tip.hash, headers.last().unwrap().block_hash(), "tip hash");
    assert_eq!(chain.len(), headers.len(), "len");
    assert_eq!(chain.base_height(), start, "base height");
    let mut chainwork = U256::ZERO;
    for (i, h) in headers.iter().enumerate() {
        let height = start + i as u32;
        assert_eq!(chain.header_at(height), Some(h), "header_at({height})");
        let entry = chain.get(&h.block_hash()).expect("stored");
        assert!(entry.in_best_chain, "header {i} not on the best chain");
        assert_eq!(entry.height, height, "entry height");
        chainwork = chainwork
            .checked_add(work(h.bits.decode().target))
            .expect("chainwork overflow");
        assert_eq!(entry.chainwork, chainwork, "chainwork of header {i}");
        assert_eq!(
            chain.confirmations(&h.block_hash()),
            Some(n - i as u32),
            "confirmations of header {i}"
        );
    }
    assert_eq!(tip.chainwork, chainwork, "tip chainwork");
    assert_eq!(chain.header_at(start + n), None, "header above the tip");

    let saved = chain.serialize();
    let restored = HeaderChain::restore(&saved, chain.params())
        .unwrap_or_else(|e| panic!("restoring a verified list failed: {e:?}"));
    assert_eq!(restored.tip(), tip, "restored tip");
    assert_eq!(restored.len(), chain.len(), "restored len");
    assert_eq!(restored.serialize(), saved, "restored serialize");
    assert_eq!(restored.params(), chain.params(), "restored params");
    assert_eq!(restored.anchor(), chain.anchor(), "restored anchor");
}
