//! Saving and restoring a [`HeaderChain`]: the parameters, the anchor with its history, and the
//! headers above it in the order they were added. Restoring checks the parameters against the
//! caller's and re-validates every header, so damaged or forged bytes cannot produce a chain that
//! adding those headers to that anchor under those rules would not have built.

use super::{AddError, Anchor, HeaderChain, PeriodStart};
use crate::ErrorCode;
use crate::encode::{DecodeError, Field, Reader, Sink, write_compact_size};
use crate::header::{CompactTarget, Header};
use crate::params::{Network, Params};
use crate::pow::U256;
use alloc::vec::Vec;
use core::fmt;

const MAGIC: &[u8; 4] = b"PKHC";
const VERSION: u8 = 1;

/// Why saved chain bytes cannot be restored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestoreError {
    /// Not a saved header chain (wrong magic).
    BadMagic,
    /// A format version this build does not read.
    UnsupportedVersion(u8),
    /// Malformed bytes.
    Decode(DecodeError),
    /// A field with an impossible value.
    Invalid(&'static str),
    /// The anchor or a header fails validation.
    Header(AddError),
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadMagic => f.write_str("not a saved header chain"),
            Self::UnsupportedVersion(v) => {
                write!(f, "saved header chain version {v} is not supported")
            }
            Self::Decode(e) => write!(f, "saved header chain: {e}"),
            Self::Invalid(what) => write!(f, "saved header chain: {what}"),
            Self::Header(e) => write!(f, "saved header chain: {e}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for RestoreError {}

impl ErrorCode for RestoreError {
    fn code(&self) -> &'static str {
        match self {
            Self::Header(e) => e.code(),
            _ => "invalid_state",
        }
    }
}

impl From<DecodeError> for RestoreError {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

fn network_byte(n: Network) -> u8 {
    match n {
        Network::Mainnet => 0,
        Network::Testnet3 => 1,
        Network::Testnet4 => 2,
        Network::Signet => 3,
        Network::Regtest => 4,
    }
}

fn network_from(b: u8) -> Option<Network> {
    Network::ALL.into_iter().find(|n| network_byte(*n) == b)
}

impl HeaderChain {
    /// The chain's state as bytes (see [`HeaderChain::restore`]).
    pub fn serialize(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(256usize.saturating_add(self.nodes.len().saturating_mul(80)));
        out.put(MAGIC);
        out.put(&[VERSION]);
        let p = &self.params;
        out.put(&[network_byte(p.network)]);
        out.put(&p.genesis.to_array());
        out.put(&p.pow_limit.to_be_bytes());
        out.put(&p.pow_target_spacing.to_le_bytes());
        out.put(&p.pow_target_timespan.to_le_bytes());
        let flags = u8::from(p.allow_min_difficulty_blocks)
            | u8::from(p.no_retargeting) << 1
            | u8::from(p.enforce_bip94) << 2
            | u8::from(p.weak_spv) << 3;
        out.put(&[flags]);
        for h in [p.bip34_height, p.bip66_height, p.bip65_height, self.retain] {
            out.put(&h.to_le_bytes());
        }
        let a = &self.anchor;
        out.put(&a.height.to_le_bytes());
        out.put(&a.header.to_array());
        out.put(&a.chainwork.to_be_bytes());
        out.put(&[u8::from(self.list_semantics)]);
        out.put(&[u8::try_from(a.prev_times.len()).unwrap_or(0xff)]);
        for x in &a.prev_times {
            out.put(&x.to_le_bytes());
        }
        match a.period_start {
            None => out.put(&[0]),
            Some(ps) => {
                out.put(&[1]);
                out.put(&ps.time.to_le_bytes());
                out.put(&ps.bits.0.to_le_bytes());
            }
        }
        write_compact_size(&mut out, self.nodes.len().saturating_sub(1) as u64);
        for h in self.headers_above_anchor() {
            out.put(&h.to_array());
        }
        out
    }

    /// Rebuilds a chain from [`HeaderChain::serialize`] bytes, re-validating the anchor's proof of
    /// work and every header (trailing bytes are an error). The saved parameters must equal
    /// `expected`, the network the caller means, so the bytes cannot change the rules. The anchor
    /// (height, chainwork, history) is trusted as saved, as it was when the chain was created; the
    /// headers are re-added in their original order, so the best chain comes out the same.
    ///
    /// # Errors
    /// [`RestoreError`] naming what is wrong.
    pub fn restore(bytes: &[u8], expected: &Params) -> Result<Self, RestoreError> {
        let mut r = Reader::new(bytes);
        let magic: [u8; 4] = r.read_array(Field::ChainState)?;
        if &magic != MAGIC {
            return Err(RestoreError::BadMagic);
        }
        match r.read_u8(Field::ChainState)? {
            VERSION => {}
            v => return Err(RestoreError::UnsupportedVersion(v)),
        }
        let network = network_from(r.read_u8(Field::ChainState)?)
            .ok_or(RestoreError::Invalid("unknown network"))?;
        let genesis = Header::from_bytes(&r.read_array(Field::ChainState)?);
        let pow_limit = U256::from_be_bytes(&r.read_array(Field::ChainState)?);
        let pow_target_spacing = r.read_u32(Field::ChainState)?;
        let pow_target_timespan = r.read_u32(Field::ChainState)?;
        let flags = r.read_u8(Field::ChainState)?;
        if flags & 0xf0 != 0 {
            return Err(RestoreError::Invalid("unknown parameter flags"));
        }
        if pow_target_spacing == 0 || pow_target_timespan < pow_target_spacing {
            return Err(RestoreError::Invalid(
                "impossible block spacing or retarget timespan",
            ));
        }
        let params = Params {
            network,
            genesis,
            pow_limit,
            pow_target_spacing,
            pow_target_timespan,
            allow_min_difficulty_blocks: flags & 1 != 0,
            no_retargeting: flags & 2 != 0,
            enforce_bip94: flags & 4 != 0,
            weak_spv: flags & 8 != 0,
            bip34_height: r.read_u32(Field::ChainState)?,
            bip66_height: r.read_u32(Field::ChainState)?,
            bip65_height: r.read_u32(Field::ChainState)?,
        };
        if params != *expected {
            return Err(RestoreError::Invalid("saved for other network parameters"));
        }
        let retain = r.read_u32(Field::ChainState)?;
        let height = r.read_u32(Field::ChainState)?;
        let header = Header::from_bytes(&r.read_array(Field::ChainState)?);
        let chainwork = U256::from_be_bytes(&r.read_array(Field::ChainState)?);
        let list_semantics = match r.read_u8(Field::ChainState)? {
            0 => false,
            1 => true,
            _ => return Err(RestoreError::Invalid("list flag")),
        };
        let n_times = usize::from(r.read_u8(Field::ChainState)?);
        if n_times > super::MEDIAN_TIME_SPAN {
            return Err(RestoreError::Invalid("more than 11 previous timestamps"));
        }
        let mut prev_times = Vec::with_capacity(n_times);
        for _ in 0..n_times {
            prev_times.push(r.read_u32(Field::ChainState)?);
        }
        let period_start = match r.read_u8(Field::ChainState)? {
            0 => None,
            1 => Some(PeriodStart {
                time: r.read_u32(Field::ChainState)?,
                bits: CompactTarget(r.read_u32(Field::ChainState)?),
            }),
            _ => return Err(RestoreError::Invalid("period start flag")),
        };
        let anchor = Anchor {
            height,
            header,
            chainwork,
            prev_times,
            period_start,
        };
        let n = r.read_count(Field::ChainState, 80)?;
        let mut headers = Vec::with_capacity(n);
        for _ in 0..n {
            headers.push(Header::from_bytes(&r.read_array(Field::ChainState)?));
        }
        r.finish()?;
        // Replay without pruning: the saved headers are exactly what the chain held, and pruning
        // midway (on an intermediate best chain the original never had) could drop a header a
        // later one needs. `retain` applies again from the next header added.
        let mut chain = HeaderChain::new(params, anchor)
            .map_err(|error| RestoreError::Header(AddError { index: 0, error }))?
            .with_retain(u32::MAX);
        chain.list_semantics = list_semantics;
        for (index, h) in headers.iter().enumerate() {
            // Saved headers were all valid and new when added; a duplicate means the bytes lie.
            match chain.add_header(h, None) {
                Ok(super::Added::Duplicate) => {
                    return Err(RestoreError::Invalid("a header appears twice"));
                }
                Ok(_) => {}
                Err(error) => return Err(RestoreError::Header(AddError { index, error })),
            }
        }
        chain.retain = retain.max(1);
        Ok(chain)
    }
}
