//! Proof of work: compact targets (`nBits`), work, and the difficulty retarget, exactly as Bitcoin
//! Core's `arith_uint256::SetCompact` / `GetCompact`, `GetBlockProof` and
//! `CalculateNextWorkRequired`.

// nBits fields are 8-bit exponents and 23-bit mantissas: the shifts and subtractions below are
// bounded by the branches that guard them (size ≤ 3 or size > 3; shift_left saturates to zero).
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

mod uint;

pub use uint::U256;

use crate::header::CompactTarget;
use crate::params::Params;

/// What `nBits` decodes to, with Core's two failure flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodedCompact {
    /// The target (meaningless when `negative` or `overflow`).
    pub target: U256,
    /// The sign bit is set on a non-zero mantissa.
    pub negative: bool,
    /// The value does not fit in 256 bits.
    pub overflow: bool,
}

impl CompactTarget {
    /// Decodes `nBits` as Core's `arith_uint256::SetCompact`.
    pub fn decode(self) -> DecodedCompact {
        let n = self.0;
        let size = n >> 24;
        // As Core, the sign and overflow flags look at the mantissa after the shift that small
        // exponents apply: 0x01803456 is 0, not negative.
        let word = if size <= 3 {
            (n & 0x007f_ffff) >> (8 * (3 - size))
        } else {
            n & 0x007f_ffff
        };
        let target = if size <= 3 {
            U256::from_u64(u64::from(word))
        } else {
            U256::from_u64(u64::from(word)).shift_left(8 * (size - 3))
        };
        DecodedCompact {
            target,
            negative: word != 0 && (n & 0x0080_0000) != 0,
            overflow: word != 0
                && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32)),
        }
    }

    /// The target if `nBits` is a valid proof-of-work target for `params`: not negative, not
    /// zero, no overflow, not above the proof-of-work limit (Core's `DeriveTarget`).
    ///
    /// # Errors
    /// The [`BadBits`] reason.
    pub fn target_within(self, pow_limit: &U256) -> Result<U256, BadBits> {
        let d = self.decode();
        if d.negative {
            Err(BadBits::Negative)
        } else if d.overflow {
            Err(BadBits::Overflow)
        } else if d.target.is_zero() {
            Err(BadBits::Zero)
        } else if d.target > *pow_limit {
            Err(BadBits::AboveLimit)
        } else {
            Ok(d.target)
        }
    }

    /// Encodes a non-negative target as Core's `arith_uint256::GetCompact`.
    pub fn from_target(target: U256) -> Self {
        let mut size = target.bits().div_ceil(8);
        let mut compact = if size <= 3 {
            (target.low_u64() << (8 * (3 - size))) as u32
        } else {
            target.shift_right(8 * (size - 3)).low_u64() as u32
        };
        // The 0x00800000 bit is the sign: if set, move one byte into the exponent.
        if compact & 0x0080_0000 != 0 {
            compact >>= 8;
            size += 1;
        }
        Self(compact | (size << 24))
    }
}

/// Why `nBits` is not a valid target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadBits {
    /// The sign bit is set on a non-zero mantissa.
    Negative,
    /// The value overflows 256 bits.
    Overflow,
    /// The target is zero.
    Zero,
    /// The target is above the network's proof-of-work limit.
    AboveLimit,
}

impl BadBits {
    /// A short description.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Negative => "negative target",
            Self::Overflow => "target overflows 256 bits",
            Self::Zero => "zero target",
            Self::AboveLimit => "target above the proof-of-work limit",
        }
    }
}

/// The expected number of hashes to meet `target`: ⌊2²⁵⁶ / (target + 1)⌋ (Core's
/// `GetBlockProof`, computed as `~target / (target + 1) + 1`).
pub fn work(target: U256) -> U256 {
    match target.checked_add(U256::ONE) {
        // target = 2²⁵⁶ − 1: one hash always suffices.
        None => U256::ONE,
        Some(t1) => target
            .bit_not()
            .checked_div(t1)
            .unwrap_or(U256::ZERO)
            .saturating_add(U256::ONE),
    }
}

/// True when the block hash (internal byte order, a little-endian number) meets `target`.
pub fn hash_meets_target(hash: &[u8; 32], target: &U256) -> bool {
    U256::from_le_bytes(hash) <= *target
}

/// Core's `CalculateNextWorkRequired`: the nBits of the block that starts a new retarget
/// period, from the last block of the closing period (`last_time`, and `base_bits` = its nBits,
/// or under BIP94 the nBits of the period's first block) and the time of the period's first
/// block. The actual timespan is clamped to [¼, 4] × the target timespan; the result is capped at
/// the proof-of-work limit. Exact (320-bit intermediate), so also right for custom parameters
/// whose product would overflow 256 bits.
pub fn next_work_required(
    params: &Params,
    base_bits: CompactTarget,
    last_time: u32,
    first_time: u32,
) -> CompactTarget {
    if params.no_retargeting {
        return base_bits;
    }
    let timespan = i64::from(params.pow_target_timespan);
    let actual = (i64::from(last_time) - i64::from(first_time)).clamp(timespan / 4, timespan * 4);
    let base = base_bits.decode().target;
    let new = base
        .mul_div_u64(actual.unsigned_abs(), timespan.unsigned_abs())
        .filter(|t| *t <= params.pow_limit)
        .unwrap_or(params.pow_limit);
    CompactTarget::from_target(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_round_trips_known_values() {
        for bits in [
            0x1d00_ffffu32,
            0x1703_4219,
            0x1b04_04cb,
            0x207f_ffff,
            0x1e03_77ae,
        ] {
            let t = CompactTarget(bits).decode();
            assert!(!t.negative && !t.overflow);
            assert_eq!(CompactTarget::from_target(t.target).0, bits);
        }
        // Core's arith_uint256 tests (SetCompact / GetCompact).
        assert!(CompactTarget(0x0480_0000).decode().target.is_zero()); // mantissa 0: not negative
        assert!(CompactTarget(0x0492_3456).decode().negative);
        assert_eq!(
            CompactTarget(0x0112_3456).decode().target,
            U256::from_u64(0x12)
        );
        assert_eq!(
            CompactTarget::from_target(U256::from_u64(0x12)).0,
            0x0112_0000
        );
        assert_eq!(
            CompactTarget::from_target(U256::from_u64(0x80)).0,
            0x0200_8000
        );
        assert!(CompactTarget(0xff12_3456).decode().overflow);
        // Genesis chainwork: 0x100010001.
        assert_eq!(
            work(CompactTarget(0x1d00_ffff).decode().target),
            U256::from_u64(0x1_0001_0001)
        );
        assert_eq!(
            work(U256::MAX.shift_right(32)),
            U256::from_u64(0x1_0000_0000)
        );
    }
}
