//! Header validation rules, each a function of the header and the context it needs.

use super::ChainError;
use crate::hash::BlockHash;
use crate::header::{CompactTarget, Header};
use crate::params::Params;
use crate::pow::{self, BadBits, U256};

/// Seconds a header may be ahead of the caller's clock (`MAX_FUTURE_BLOCK_TIME`).
pub const MAX_FUTURE_BLOCK_TIME: u32 = 2 * 60 * 60;
/// BIP94: the first block of a period may be at most this much older than its parent.
pub const MAX_TIMEWARP: u32 = 600;
/// Timestamps in the median-time-past window.
pub const MEDIAN_TIME_SPAN: usize = 11;

/// Context-free proof of work (Core's `CheckProofOfWork`): `nBits` is a valid target no higher
/// than the limit, and the hash meets it. Returns the target.
pub(crate) fn check_pow(
    params: &Params,
    header: &Header,
    hash: &BlockHash,
    height: u32,
) -> Result<U256, ChainError> {
    let target = header
        .bits
        .target_within(&params.pow_limit)
        .map_err(|reason| ChainError::BadBits {
            height,
            bits: header.bits,
            reason,
        })?;
    if !pow::hash_meets_target(hash.as_byte_array(), &target) {
        return Err(ChainError::HighHash {
            height,
            hash: *hash,
            bits: header.bits,
        });
    }
    Ok(target)
}

/// Block version floor at `height` (BIP34, BIP66, BIP65: `bad-version`).
pub(crate) fn check_version(
    params: &Params,
    header: &Header,
    height: u32,
) -> Result<(), ChainError> {
    let min = if height >= params.bip65_height {
        4
    } else if height >= params.bip66_height {
        3
    } else if height >= params.bip34_height {
        2
    } else {
        i32::MIN
    };
    if header.version < min {
        return Err(ChainError::BadVersion {
            height,
            version: header.version,
            min,
        });
    }
    Ok(())
}

/// The caller's clock bound (`time-too-new`).
pub(crate) fn check_future(
    header: &Header,
    height: u32,
    now: Option<u32>,
) -> Result<(), ChainError> {
    if let Some(now) = now {
        let max = now.saturating_add(MAX_FUTURE_BLOCK_TIME);
        if header.time > max {
            return Err(ChainError::TimeTooNew {
                height,
                time: header.time,
                max,
            });
        }
    }
    Ok(())
}

/// `nBits` must equal the expected value (`bad-diffbits`).
pub(crate) fn check_bits(
    header: &Header,
    height: u32,
    expected: CompactTarget,
) -> Result<(), ChainError> {
    if header.bits != expected {
        return Err(ChainError::BadDifficulty {
            height,
            got: header.bits,
            expected,
        });
    }
    Ok(())
}

/// Reason text of a bad-bits error.
pub(crate) fn bad_bits_reason(reason: BadBits) -> &'static str {
    reason.describe()
}
