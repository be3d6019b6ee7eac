//! Shared by the header-chain targets: regtest parameters that retarget, and nonce grinding.

#![allow(dead_code)]

use pegkit_core::Header;
use pegkit_core::params::{Network, Params};
use pegkit_core::pow::hash_meets_target;

/// Regtest (proof-of-work limit 0x7fff…: about half of all hashes meet it) with retargeting on,
/// a retarget every `interval` blocks (2..=16), and the min-difficulty and BIP94 rules as asked.
pub fn retargeting_regtest(interval: u32, min_difficulty: bool, bip94: bool) -> Params {
    let mut p = Network::Regtest.params();
    p.no_retargeting = false;
    p.allow_min_difficulty_blocks = min_difficulty;
    p.enforce_bip94 = bip94;
    p.pow_target_timespan = p.pow_target_spacing * interval;
    assert_eq!(p.retarget_interval(), interval);
    p
}

/// Targets below the limit shifted right by this many bits are not ground (about 2^(bits+1)
/// hashes each): false at once, so a chain made hard by fast blocks costs nothing to fuzz.
pub const MAX_HARDNESS_BITS: u32 = 6;

/// Tries up to `tries` nonces from the header's own; true when its hash now meets its nBits
/// (which must be a valid target within `params`' limit and not harder than
/// `MAX_HARDNESS_BITS` below it, else false at once).
pub fn grind(params: &Params, header: &mut Header, tries: u32) -> bool {
    let Ok(target) = header.bits.target_within(&params.pow_limit) else {
        return false;
    };
    if target < params.pow_limit.shift_right(MAX_HARDNESS_BITS) {
        return false;
    }
    for _ in 0..tries {
        if hash_meets_target(header.block_hash().as_byte_array(), &target) {
            return true;
        }
        header.nonce = header.nonce.wrapping_add(1);
    }
    false
}

/// Tries nonces until the hash does *not* meet the header's nBits (half of them at the limit).
pub fn grind_high(params: &Params, header: &mut Header, tries: u32) -> bool {
    let Ok(target) = header.bits.target_within(&params.pow_limit) else {
        return false;
    };
    for _ in 0..tries {
        if !hash_meets_target(header.block_hash().as_byte_array(), &target) {
            return true;
        }
        header.nonce = header.nonce.wrapping_add(1);
    }
    false
}
