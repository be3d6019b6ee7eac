//! Header chains: a sans-IO store of validated block headers, started from a trusted anchor.
//!
//! Every header added is checked the way Bitcoin Core checks it: context-free proof of work first
//! (`nBits` a valid target no higher than the limit, hash ≤ target), then its parent, then the
//! contextual rules: the expected `nBits` (retargets per `CalculateNextWorkRequired`, testnet's
//! minimum-difficulty rule, BIP94), timestamp > median of the previous 11, BIP94's timewarp rule,
//! the caller's clock (+2 h, when given) and the BIP34/66/65 version floor. A rule that needs
//! history the chain does not have fails with [`ChainError::InsufficientHistory`]; nothing is
//! skipped. The best chain is the one with the most cumulative work (first seen wins a tie).
//!
//! Memory is bounded: once the best chain reaches 2 × [`HeaderChain::retain`] + 64 headers above
//! the anchor, headers more than `retain` below the tip are pruned, and the anchor moves up,
//! carrying the timestamps and retarget-period start the rules still need; forks deeper than that
//! are refused (their parent is unknown). Headers off the best chain are capped at
//! [`HeaderChain::fork_limit`]. [`HeaderChain::max_stored`] bounds the whole.

mod serialize;
mod validate;

pub use serialize::RestoreError;
pub use validate::{MAX_FUTURE_BLOCK_TIME, MAX_TIMEWARP, MEDIAN_TIME_SPAN};

use crate::ErrorCode;
use crate::hash::{BlockHash, sha256d_80, sha256d_80_many};
use crate::header::{CompactTarget, Header};
use crate::params::Params;
use crate::pow::{self, BadBits, U256};
use alloc::vec::Vec;
use core::fmt;
use core::hash::{BuildHasher, Hasher};
use hashbrown::HashMap;

/// The first header of a retarget period, as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodStart {
    /// Its timestamp (retargets measure the period from it).
    pub time: u32,
    /// Its nBits (BIP94 retargets from it; testnet's min-difficulty rule falls back to it).
    pub bits: CompactTarget,
}

/// The trusted starting point of a [`HeaderChain`], and the history the rules need from before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// Height of the anchor header.
    pub height: u32,
    /// The anchor header (its proof of work is still checked).
    pub header: Header,
    /// Cumulative work up to and including the anchor.
    pub chainwork: U256,
    /// Timestamps of the headers before the anchor, oldest first: min(height, 11) of them, so
    /// that every header can be checked. With fewer, a header whose median time past needs a
    /// missing one fails with `insufficient_history`.
    pub prev_times: Vec<u32>,
    /// The first header of the anchor's retarget period, unless the anchor is itself one. `None`
    /// means unknown: a retarget (or min-difficulty fallback) that needs it fails with
    /// `insufficient_history`.
    pub period_start: Option<PeriodStart>,
}

impl Anchor {
    /// The network's genesis block as anchor: complete history (there is none before it).
    pub fn genesis(params: &Params) -> Self {
        let header = params.genesis;
        Self {
            height: 0,
            chainwork: pow::work(header.bits.decode().target),
            header,
            prev_times: Vec::new(),
            period_start: None,
        }
    }
}

/// Why a header (or an anchor) was refused. Heights are those the header would have had.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainError {
    /// `nBits` is not a valid target for this network.
    BadBits {
        /// Its height, when known.
        height: u32,
        /// The nBits.
        bits: CompactTarget,
        /// Why.
        reason: BadBits,
    },
    /// The header's hash is above the target its nBits encodes.
    HighHash {
        /// Its height, when known.
        height: u32,
        /// The hash.
        hash: BlockHash,
        /// Its nBits.
        bits: CompactTarget,
    },
    /// The previous block is not in the chain (or was pruned).
    UnknownParent {
        /// The header's hash.
        hash: BlockHash,
        /// The parent it names.
        prev: BlockHash,
    },
    /// In a header list: the header does not name the one before it as its parent.
    NotLinked {
        /// Its height.
        height: u32,
        /// The parent it names.
        prev: BlockHash,
        /// The previous header in the list.
        expected: BlockHash,
    },
    /// `nBits` is not what the difficulty rules require at this height.
    BadDifficulty {
        /// Its height.
        height: u32,
        /// The nBits it has.
        got: CompactTarget,
        /// The nBits the rules give.
        expected: CompactTarget,
    },
    /// The timestamp is not greater than the median of the previous 11.
    TimeTooOld {
        /// Its height.
        height: u32,
        /// Its timestamp.
        time: u32,
        /// The median time past.
        median: u32,
    },
    /// The timestamp is more than 2 hours after the caller's clock.
    TimeTooNew {
        /// Its height.
        height: u32,
        /// Its timestamp.
        time: u32,
        /// The latest allowed.
        max: u32,
    },
    /// BIP94: the first block of a period is more than 600 s older than its parent.
    TimewarpAttack {
        /// Its height.
        height: u32,
        /// Its timestamp.
        time: u32,
        /// The parent's timestamp.
        prev_time: u32,
    },
    /// The block version is below the floor BIP34/66/65 set at this height.
    BadVersion {
        /// Its height.
        height: u32,
        /// Its version.
        version: i32,
        /// The minimum.
        min: i32,
    },
    /// A rule needs history (earlier timestamps, a retarget period's first header) that the
    /// chain's anchor does not carry.
    InsufficientHistory {
        /// Height of the header being checked.
        height: u32,
        /// What is missing.
        missing: &'static str,
    },
    /// The height would exceed `u32::MAX`.
    HeightOverflow,
    /// The chain already stores [`HeaderChain::fork_limit`] headers off its best chain.
    TooManyForks {
        /// The limit.
        limit: usize,
    },
    /// More headers than the chain can index (2³² − 1).
    TooManyHeaders,
    /// An anchor with more than 11 previous timestamps.
    BadAnchor {
        /// What is wrong.
        reason: &'static str,
    },
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadBits {
                height,
                bits,
                reason,
            } => {
                write!(
                    f,
                    "header at height {height}: nBits {bits}: {}",
                    validate::bad_bits_reason(*reason)
                )
            }
            Self::HighHash { height, hash, bits } => {
                write!(
                    f,
                    "header at height {height}: hash {hash} is above the target of nBits {bits}"
                )
            }
            Self::UnknownParent { hash, prev } => {
                write!(f, "header {hash}: parent {prev} is not in the chain")
            }
            Self::NotLinked {
                height,
                prev,
                expected,
            } => write!(
                f,
                "header at height {height} names parent {prev}, not the previous header {expected}"
            ),
            Self::BadDifficulty {
                height,
                got,
                expected,
            } => {
                write!(
                    f,
                    "header at height {height}: nBits {got}, the difficulty rules require {expected}"
                )
            }
            Self::TimeTooOld {
                height,
                time,
                median,
            } => write!(
                f,
                "header at height {height}: time {time} is not after the median time past {median}"
            ),
            Self::TimeTooNew { height, time, max } => {
                write!(
                    f,
                    "header at height {height}: time {time} is more than 2 hours ahead ({max})"
                )
            }
            Self::TimewarpAttack {
                height,
                time,
                prev_time,
            } => write!(
                f,
                "header at height {height}: time {time} is more than 600 s before its parent's {prev_time} (BIP94)"
            ),
            Self::BadVersion {
                height,
                version,
                min,
            } => {
                write!(
                    f,
                    "header at height {height}: version {version} is below {min}"
                )
            }
            Self::InsufficientHistory { height, missing } => {
                write!(
                    f,
                    "header at height {height}: cannot check without {missing}"
                )
            }
            Self::HeightOverflow => f.write_str("height overflows u32"),
            Self::TooManyForks { limit } => {
                write!(
                    f,
                    "the chain already stores {limit} headers off its best chain"
                )
            }
            Self::TooManyHeaders => f.write_str("more headers than the chain can index"),
            Self::BadAnchor { reason } => write!(f, "bad anchor: {reason}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ChainError {}

impl ErrorCode for ChainError {
    fn code(&self) -> &'static str {
        match self {
            Self::BadBits { .. } => "bad_nbits",
            Self::HighHash { .. } => "high_hash",
            Self::UnknownParent { .. } => "unknown_parent",
            Self::NotLinked { .. } => "not_linked",
            Self::BadDifficulty { .. } => "bad_diffbits",
            Self::TimeTooOld { .. } => "time_too_old",
            Self::TimeTooNew { .. } => "time_too_new",
            Self::TimewarpAttack { .. } => "time_timewarp_attack",
            Self::BadVersion { .. } => "bad_version",
            Self::InsufficientHistory { .. } => "insufficient_history",
            Self::HeightOverflow => "height_overflow",
            Self::TooManyForks { .. } => "too_many_forks",
            Self::TooManyHeaders => "too_many_headers",
            Self::BadAnchor { .. } => "bad_anchor",
        }
    }
}

/// A header that failed in a batch: its position in the batch and why. Headers before it in the
/// batch were added (each was valid on its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddError {
    /// Index of the failing header in the batch.
    pub index: usize,
    /// Why it was refused.
    pub error: ChainError,
}

impl fmt::Display for AddError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "header #{} of the batch: {}", self.index, self.error)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AddError {}

impl ErrorCode for AddError {
    fn code(&self) -> &'static str {
        self.error.code()
    }
}

/// What adding one header did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// Already in the chain; nothing changed.
    Duplicate,
    /// It extends the best chain.
    Extended,
    /// It is stored on a fork with no more work than the best chain.
    Fork,
    /// Its fork now has the most work: the best chain switched to it.
    Reorg {
        /// Height of the last header common to the old and new best chains.
        fork_height: u32,
        /// Headers of the old best chain no longer on it.
        disconnected: u32,
    },
}

/// Summary of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchSummary {
    /// Headers newly stored.
    pub added: usize,
    /// Headers already known.
    pub duplicates: usize,
    /// Deepest reorg the batch caused: (fork height, headers disconnected).
    pub reorg: Option<(u32, u32)>,
}

/// The best chain's tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tip {
    /// Height.
    pub height: u32,
    /// Block hash.
    pub hash: BlockHash,
    /// Cumulative work.
    pub chainwork: U256,
}

/// A stored header and where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The header.
    pub header: Header,
    /// Its height.
    pub height: u32,
    /// Cumulative work up to and including it.
    pub chainwork: U256,
    /// True when it is on the best chain.
    pub in_best_chain: bool,
}

/// Default number of headers kept below the tip (two retarget periods).
pub const DEFAULT_RETAIN: u32 = 4032;

const NO_PARENT: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct PowCache {
    bits: CompactTarget,
    target: U256,
    work: U256,
}

#[derive(Debug, Clone)]
struct Node {
    header: Header,
    hash: BlockHash,
    height: u32,
    chainwork: U256,
    parent: u32,
    /// What testnet's minimum-difficulty walk (Core: back over min-difficulty blocks to the first
    /// that is not, or to the period start) returns from this node; `None` when that needs the
    /// anchor's unknown period start. Kept per node so the walk is O(1).
    last_real_bits: Option<CompactTarget>,
}

/// Hashes a [`BlockHash`] by 8 of its bytes: block hashes are already uniformly distributed (and
/// each costs proof of work), so no further mixing is needed.
#[derive(Debug, Clone, Copy, Default)]
struct BlockHashBuild;

#[derive(Debug, Default)]
struct BlockHashHasher(u64);

impl Hasher for BlockHashHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Bytes 8..16 of the hash in internal order: the low end of the number, never the
        // leading zeros that proof of work puts at the high end.
        let mut w = [0u8; 8];
        if let Some(src) = bytes.get(8..16) {
            w.copy_from_slice(src);
            self.0 = u64::from_le_bytes(w);
        } else {
            for &b in bytes {
                self.0 = self.0.rotate_left(8) ^ u64::from(b);
            }
        }
    }

    fn write_usize(&mut self, _: usize) {
        // The slice length prefix: every key is 32 bytes.
    }
}

impl BuildHasher for BlockHashBuild {
    type Hasher = BlockHashHasher;

    fn build_hasher(&self) -> BlockHashHasher {
        BlockHashHasher::default()
    }
}

/// A chain of validated headers from a trusted anchor. Sans-IO: it only acts when called.
#[derive(Debug, Clone)]
pub struct HeaderChain {
    params: Params,
    anchor: Anchor,
    /// `nodes[0]` is the anchor; parents always precede children.
    nodes: Vec<Node>,
    index: HashMap<BlockHash, u32, BlockHashBuild>,
    /// Node index of the best chain's header at height `anchor.height + i`.
    main: Vec<u32>,
    retain: u32,
    /// The last nBits seen with its target and work: nBits change once per retarget period, so
    /// neither is recomputed per header.
    pow_cache: PowCache,
    /// The proof-of-work limit in compact form (testnet's minimum difficulty).
    limit_bits: CompactTarget,
    /// The timestamps ending at one node (usually the tip), kept sorted, so that a header
    /// extending that node gets its median time past without walking back and sorting.
    mtp_window: TimeWindow,
    /// The CLI's `headers verify` semantics, for chains built by [`verify_header_list`] from a
    /// list that starts above genesis: the anchor's earlier timestamps are unknown and median
    /// time past is checked once the list holds min(h, 11) previous headers.
    list_semantics: bool,
}

/// Up to 11 timestamps of a node and its ancestors: in chain order (oldest first) and sorted.
#[derive(Debug, Clone, Copy)]
struct TimeWindow {
    node: u32,
    len: usize,
    in_order: [u32; MEDIAN_TIME_SPAN],
    sorted: [u32; MEDIAN_TIME_SPAN],
}

impl TimeWindow {
    const EMPTY: Self = Self {
        node: NO_PARENT,
        len: 0,
        in_order: [0; MEDIAN_TIME_SPAN],
        sorted: [0; MEDIAN_TIME_SPAN],
    };

    /// A window for `node` from its timestamps, oldest first.
    fn new(node: u32, oldest_first: &[u32]) -> Self {
        let mut w = Self {
            node,
            ..Self::EMPTY
        };
        for &t in oldest_first.iter().rev().take(MEDIAN_TIME_SPAN).rev() {
            w.push_back(t);
        }
        w
    }

    fn median(&self) -> u32 {
        self.sorted.get(self.len / 2).copied().unwrap_or(0)
    }

    /// Appends the newest timestamp, dropping the oldest if the window is full.
    fn push_back(&mut self, t: u32) {
        if self.len == MEDIAN_TIME_SPAN {
            let oldest = self.in_order[0];
            self.in_order.copy_within(1.., 0);
            self.in_order[MEDIAN_TIME_SPAN - 1] = t;
            // Remove `oldest` from the sorted copy.
            if let Some(at) = self.sorted.iter().position(|&x| x == oldest) {
                self.sorted.copy_within(at.saturating_add(1).., at);
            }
            self.len = self.len.saturating_sub(1);
        } else if let Some(slot) = self.in_order.get_mut(self.len) {
            *slot = t;
        }
        // Insert `t` into the sorted copy.
        let at = self
            .sorted
            .get(..self.len)
            .map_or(0, |s| s.partition_point(|&x| x <= t));
        if let Some(tail) = self.sorted.get_mut(at..) {
            tail.rotate_right(1);
        }
        if let Some(slot) = self.sorted.get_mut(at) {
            *slot = t;
        }
        self.len = self.len.saturating_add(1).min(MEDIAN_TIME_SPAN);
    }
}

impl HeaderChain {
    /// A chain holding only `anchor`, whose proof of work is checked.
    ///
    /// # Errors
    /// [`ChainError::BadBits`] or [`ChainError::HighHash`] for the anchor,
    /// [`ChainError::BadAnchor`] for more than 11 previous timestamps.
    pub fn new(params: Params, anchor: Anchor) -> Result<Self, ChainError> {
        let hash = anchor.header.block_hash();
        validate::check_pow(&params, &anchor.header, &hash, anchor.height)?;
        if anchor.prev_times.len() > MEDIAN_TIME_SPAN {
            return Err(ChainError::BadAnchor {
                reason: "more than 11 previous timestamps",
            });
        }
        let limit_bits = params.pow_limit_bits();
        let at_period_start = params.is_retarget_height(anchor.height);
        if let (Some(ps), false) = (anchor.period_start, at_period_start) {
            // Within a period every block carries the period's first nBits, or (testnet) the
            // minimum difficulty.
            let min_difficulty =
                params.allow_min_difficulty_blocks && anchor.header.bits == limit_bits;
            if anchor.header.bits != ps.bits && !min_difficulty {
                return Err(ChainError::BadAnchor {
                    reason: "nBits differ from those of its retarget period's first header",
                });
            }
        }
        let mut index = HashMap::with_hasher(BlockHashBuild);
        index.insert(hash, 0);
        let last_real_bits = if at_period_start || anchor.header.bits != limit_bits {
            Some(anchor.header.bits)
        } else if params.no_retargeting && params.genesis.bits == limit_bits {
            // Regtest: no retarget ever changes the bits, and every block carries the limit's.
            Some(limit_bits)
        } else {
            // A min-difficulty anchor inside a period: every real-difficulty block of a period
            // carries the period's first nBits.
            anchor.period_start.map(|ps| ps.bits)
        };
        let node = Node {
            header: anchor.header,
            hash,
            height: anchor.height,
            chainwork: anchor.chainwork,
            parent: NO_PARENT,
            last_real_bits,
        };
        Ok(Self {
            pow_cache: PowCache {
                bits: anchor.header.bits,
                target: anchor.header.bits.decode().target,
                work: pow::work(anchor.header.bits.decode().target),
            },
            limit_bits,
            mtp_window: TimeWindow::EMPTY,
            list_semantics: false,
            params,
            anchor,
            nodes: alloc::vec![node],
            index,
            main: alloc::vec![0],
            retain: DEFAULT_RETAIN,
        })
    }

    /// Keep at least `retain` headers below the tip (the deepest reorg the chain can follow).
    /// `u32::MAX` keeps everything.
    #[must_use]
    pub fn with_retain(mut self, retain: u32) -> Self {
        self.retain = retain.max(1);
        self
    }

    /// How many headers below the tip are kept.
    pub fn retain(&self) -> u32 {
        self.retain
    }

    /// Stored headers off the best chain.
    pub fn fork_headers(&self) -> usize {
        self.nodes.len().saturating_sub(self.main.len())
    }

    /// Headers off the best chain beyond which a new one is refused with
    /// [`ChainError::TooManyForks`] (unless its branch then has the most work). Each costs proof of
    /// work at the network's difficulty; the limit keeps memory bounded on networks where that is
    /// cheap (testnet's minimum-difficulty blocks). A reorg can leave more: the headers it moved
    /// off the best chain.
    pub fn fork_limit(&self) -> usize {
        (self.retain as usize).clamp(64, 4096)
    }

    /// The most headers the chain stores: a best chain of up to 2 × retain + 64 above the anchor,
    /// the anchor, [`Self::fork_limit`] fork headers, and up to 2 × retain + 64 more that reorgs
    /// moved off the best chain.
    pub fn max_stored(&self) -> usize {
        let best = (self.retain as usize).saturating_mul(2).saturating_add(65);
        best.saturating_mul(2).saturating_add(self.fork_limit())
    }

    /// The parameters the chain validates against.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The current anchor (moves up as old headers are pruned).
    pub fn anchor(&self) -> &Anchor {
        &self.anchor
    }

    /// Headers stored (anchor, best chain and forks).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Never true: the anchor is always stored.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn node(&self, i: u32) -> Option<&Node> {
        self.nodes.get(i as usize)
    }

    fn tip_node(&self) -> &Node {
        // `main` always holds at least the anchor, and its entries are valid node indexes.
        let i = self.main.last().copied().unwrap_or(0);
        // `nodes` always holds the base (index 0): `new` stores the anchor and pruning keeps the
        // new base, so this index is in bounds.
        #[allow(clippy::indexing_slicing)]
        self.nodes.get(i as usize).unwrap_or(&self.nodes[0])
    }

    /// The best chain's tip.
    pub fn tip(&self) -> Tip {
        let n = self.tip_node();
        Tip {
            height: n.height,
            hash: n.hash,
            chainwork: n.chainwork,
        }
    }

    /// The best chain's tip header.
    pub fn tip_header(&self) -> &Header {
        &self.tip_node().header
    }

    /// Height of the oldest stored header (the anchor).
    pub fn base_height(&self) -> u32 {
        self.anchor.height
    }

    /// The stored header with this hash.
    pub fn get(&self, hash: &BlockHash) -> Option<Entry> {
        let i = *self.index.get(hash)?;
        let n = self.node(i)?;
        Some(Entry {
            header: n.header,
            height: n.height,
            chainwork: n.chainwork,
            in_best_chain: self.main_at(n.height) == Some(i),
        })
    }

    fn main_at(&self, height: u32) -> Option<u32> {
        let offset = height.checked_sub(self.anchor.height)?;
        self.main.get(offset as usize).copied()
    }

    /// The best chain's header at `height`, if stored.
    pub fn header_at(&self, height: u32) -> Option<&Header> {
        self.main_at(height)
            .and_then(|i| self.node(i))
            .map(|n| &n.header)
    }

    /// The best chain's block hash at `height`, if stored.
    pub fn hash_at(&self, height: u32) -> Option<BlockHash> {
        self.main_at(height)
            .and_then(|i| self.node(i))
            .map(|n| n.hash)
    }

    /// Confirmations of a block: tip height − its height + 1 on the best chain, 0 on a fork,
    /// `None` if unknown (or pruned).
    pub fn confirmations(&self, hash: &BlockHash) -> Option<u32> {
        let e = self.get(hash)?;
        if !e.in_best_chain {
            return Some(0);
        }
        Some(self.tip().height.saturating_sub(e.height).saturating_add(1))
    }

    /// Adds headers in order. Each is validated against its parent (already stored, or earlier
    /// in the batch) and stored on the best chain or a fork; the best chain is the one with the
    /// most work. `now` (Unix seconds), when given, bounds timestamps to `now + 2 h`.
    ///
    /// # Errors
    /// The first invalid header's index and [`ChainError`]; the headers before it stay added.
    pub fn add_headers(
        &mut self,
        headers: &[Header],
        now: Option<u32>,
    ) -> Result<BatchSummary, AddError> {
        self.add_header_iter(headers.iter().copied(), now)
    }

    /// As [`Self::add_headers`], for headers produced one at a time (e.g. parsed from a byte
    /// buffer without collecting them first).
    ///
    /// # Errors
    /// The first invalid header's index and [`ChainError`]; the headers before it stay added.
    pub fn add_header_iter<I: IntoIterator<Item = Header>>(
        &mut self,
        headers: I,
        now: Option<u32>,
    ) -> Result<BatchSummary, AddError> {
        let headers = headers.into_iter();
        self.reserve(headers.size_hint().0);
        let mut summary = BatchSummary::default();
        for (index, (header, hash)) in Hashed::new(headers).enumerate() {
            match self
                .add_hashed(&header, hash, now)
                .map_err(|error| AddError { index, error })?
            {
                Added::Duplicate => summary.duplicates = summary.duplicates.saturating_add(1),
                Added::Extended | Added::Fork => summary.added = summary.added.saturating_add(1),
                Added::Reorg {
                    fork_height,
                    disconnected,
                } => {
                    summary.added = summary.added.saturating_add(1);
                    if summary.reorg.is_none_or(|(_, d)| disconnected > d) {
                        summary.reorg = Some((fork_height, disconnected));
                    }
                }
            }
        }
        Ok(summary)
    }

    /// Adds one header (see [`Self::add_headers`]).
    ///
    /// # Errors
    /// The [`ChainError`] naming the rule it breaks.
    pub fn add_header(&mut self, header: &Header, now: Option<u32>) -> Result<Added, ChainError> {
        let hash = BlockHash::from_byte_array(sha256d_80(&header.to_array()));
        self.add_hashed(header, hash, now)
    }

    /// [`Self::add_header`] for a header whose hash the caller computed (in batches, four at a
    /// time where the platform has SIMD).
    fn add_hashed(
        &mut self,
        header: &Header,
        hash: BlockHash,
        now: Option<u32>,
    ) -> Result<Added, ChainError> {
        if self.index.contains_key(&hash) {
            return Ok(Added::Duplicate);
        }
        // Context-free proof of work before anything that needs the parent, as Core.
        let parent_index = self.parent_of(header, &hash);
        let height_hint = parent_index
            .as_ref()
            .ok()
            .and_then(|&i| self.node(i))
            .map_or(0, |p| p.height.saturating_add(1));
        let work = self.check_pow_cached(header, &hash, height_hint)?;
        let parent_index = parent_index?;
        let parent = self.node(parent_index).ok_or(ChainError::UnknownParent {
            hash,
            prev: header.prev_blockhash,
        })?;
        let (parent_time, parent_work, parent_hash) =
            (parent.header.time, parent.chainwork, parent.hash);
        let height = parent
            .height
            .checked_add(1)
            .ok_or(ChainError::HeightOverflow)?;
        let expected = self.next_bits(parent_index, header, height)?;
        validate::check_bits(header, height, expected)?;
        if let Some(median) = self.median_time_past(parent_index, height)? {
            if header.time <= median {
                return Err(ChainError::TimeTooOld {
                    height,
                    time: header.time,
                    median,
                });
            }
        }
        if self.params.enforce_bip94
            && self.params.is_retarget_height(height)
            && i64::from(header.time)
                < i64::from(parent_time).saturating_sub(i64::from(MAX_TIMEWARP))
        {
            return Err(ChainError::TimewarpAttack {
                height,
                time: header.time,
                prev_time: parent_time,
            });
        }
        validate::check_future(header, height, now)?;
        validate::check_version(&self.params, header, height)?;

        let chainwork = parent_work.saturating_add(work);
        let last_real_bits =
            if self.params.is_retarget_height(height) || header.bits != self.limit_bits {
                Some(header.bits)
            } else {
                self.node(parent_index).and_then(|p| p.last_real_bits)
            };
        let tip = self.tip();
        let extends_tip = parent_hash == tip.hash;
        if !extends_tip && chainwork <= tip.chainwork && self.fork_headers() >= self.fork_limit() {
            return Err(ChainError::TooManyForks {
                limit: self.fork_limit(),
            });
        }
        let new_index = u32::try_from(self.nodes.len())
            .ok()
            .filter(|&i| i != NO_PARENT)
            .ok_or(ChainError::TooManyHeaders)?;
        self.nodes.push(Node {
            header: *header,
            hash,
            height,
            chainwork,
            parent: parent_index,
            last_real_bits,
        });
        self.index.insert(hash, new_index);

        // The window of the parent becomes the window of the new header.
        if self.mtp_window.node == parent_index {
            self.mtp_window.push_back(header.time);
            self.mtp_window.node = new_index;
        }
        let added = if extends_tip {
            self.main.push(new_index);
            Added::Extended
        } else if chainwork > tip.chainwork {
            self.switch_to(new_index, tip.height)
        } else {
            Added::Fork
        };
        self.maybe_prune();
        Ok(added)
    }

    fn parent_of(&self, header: &Header, hash: &BlockHash) -> Result<u32, ChainError> {
        let tip = self.tip_node();
        if header.prev_blockhash == tip.hash {
            return Ok(self.main.last().copied().unwrap_or(0));
        }
        self.index
            .get(&header.prev_blockhash)
            .copied()
            .ok_or(ChainError::UnknownParent {
                hash: *hash,
                prev: header.prev_blockhash,
            })
    }

    /// Context-free proof of work (as [`validate::check_pow`], with the target of the last nBits
    /// seen cached) and the header's work.
    fn check_pow_cached(
        &mut self,
        header: &Header,
        hash: &BlockHash,
        height: u32,
    ) -> Result<U256, ChainError> {
        if self.pow_cache.bits != header.bits {
            let target = header
                .bits
                .target_within(&self.params.pow_limit)
                .map_err(|reason| ChainError::BadBits {
                    height,
                    bits: header.bits,
                    reason,
                })?;
            self.pow_cache = PowCache {
                bits: header.bits,
                target,
                work: pow::work(target),
            };
        }
        if !pow::hash_meets_target(hash.as_byte_array(), &self.pow_cache.target) {
            return Err(ChainError::HighHash {
                height,
                hash: *hash,
                bits: header.bits,
            });
        }
        Ok(self.pow_cache.work)
    }

    /// Reserves room for `additional` more headers (at most about what pruning keeps on a chain
    /// without forks).
    pub fn reserve(&mut self, additional: usize) {
        let bound = (self.retain as usize).saturating_mul(2).saturating_add(65);
        let n = additional.min(bound.saturating_sub(self.nodes.len()));
        self.nodes.reserve(n);
        self.index.reserve(n);
        self.main.reserve(n);
    }

    /// Makes `new_tip` the best chain's tip; returns the reorg it caused.
    fn switch_to(&mut self, new_tip: u32, old_height: u32) -> Added {
        // Walk back from the new tip until the best chain is met.
        let mut path = Vec::new();
        let mut i = new_tip;
        let fork_height = loop {
            let Some(n) = self.node(i) else {
                break self.anchor.height;
            };
            if self.main_at(n.height) == Some(i) {
                break n.height;
            }
            path.push(i);
            if n.parent == NO_PARENT {
                break self.anchor.height;
            }
            i = n.parent;
        };
        let keep = fork_height
            .saturating_sub(self.anchor.height)
            .saturating_add(1) as usize;
        self.main.truncate(keep);
        self.main.extend(path.iter().rev());
        Added::Reorg {
            fork_height,
            disconnected: old_height.saturating_sub(fork_height),
        }
    }

    /// The (time, nBits) of the ancestor of node `from` at `height`.
    fn ancestor(&self, from: u32, height: u32, checking: u32) -> Result<PeriodStart, ChainError> {
        let missing = ChainError::InsufficientHistory {
            height: checking,
            missing: "the retarget period's first header",
        };
        if height < self.anchor.height {
            let start = self.params.period_start(self.anchor.height);
            return match self.anchor.period_start {
                Some(ps) if height == start => Ok(ps),
                _ => Err(missing),
            };
        }
        // On the best chain: direct lookup.
        let from_node = self.node(from).ok_or(missing.clone())?;
        if self.main_at(from_node.height) == Some(from) {
            let n = self
                .main_at(height)
                .and_then(|i| self.node(i))
                .ok_or(missing)?;
            return Ok(PeriodStart {
                time: n.header.time,
                bits: n.header.bits,
            });
        }
        let mut i = from;
        loop {
            let n = self.node(i).ok_or(missing.clone())?;
            if n.height == height {
                return Ok(PeriodStart {
                    time: n.header.time,
                    bits: n.header.bits,
                });
            }
            if n.parent == NO_PARENT {
                return Err(missing);
            }
            i = n.parent;
        }
    }

    /// Core's `GetNextWorkRequired` for a header at `height` whose parent is node `parent`.
    fn next_bits(
        &self,
        parent: u32,
        header: &Header,
        height: u32,
    ) -> Result<CompactTarget, ChainError> {
        let p = &self.params;
        let interval = p.retarget_interval();
        let parent_node = self.node(parent).ok_or(ChainError::HeightOverflow)?;
        if !p.is_retarget_height(height) {
            if !p.allow_min_difficulty_blocks {
                return Ok(parent_node.header.bits);
            }
            let limit_bits = self.limit_bits;
            // More than twice the spacing after its parent: the minimum difficulty is allowed.
            let late = i64::from(parent_node.header.time)
                .saturating_add(2i64.saturating_mul(i64::from(p.pow_target_spacing)));
            if i64::from(header.time) > late {
                return Ok(limit_bits);
            }
            // Otherwise the last bits that were not the special minimum, within the period.
            return parent_node
                .last_real_bits
                .ok_or(ChainError::InsufficientHistory {
                    height,
                    missing: "the retarget period's first header",
                });
        }
        if p.no_retargeting {
            return Ok(parent_node.header.bits);
        }
        let first = self.ancestor(parent, height.saturating_sub(interval), height)?;
        let base = if p.enforce_bip94 {
            first.bits
        } else {
            parent_node.header.bits
        };
        Ok(pow::next_work_required(
            p,
            base,
            parent_node.header.time,
            first.time,
        ))
    }

    /// Median of the timestamps of node `parent` and its ancestors, up to 11. `Ok(None)` when the
    /// anchor's earlier timestamps are unknown and the chain does not hold min(height, 11).
    fn median_time_past(&mut self, parent: u32, height: u32) -> Result<Option<u32>, ChainError> {
        let needed = (height as usize).min(MEDIAN_TIME_SPAN);
        if self.mtp_window.node == parent && self.mtp_window.len == needed {
            return Ok(Some(self.mtp_window.median()));
        }
        // Walk back from the parent, newest first.
        let mut times = [0u32; MEDIAN_TIME_SPAN];
        let mut count = 0usize;
        let mut i = parent;
        while count < needed {
            let Some(n) = self.node(i) else { break };
            if let Some(slot) = times.get_mut(count) {
                *slot = n.header.time;
            }
            count = count.saturating_add(1);
            if n.parent == NO_PARENT {
                break;
            }
            i = n.parent;
        }
        if count < needed {
            if self.list_semantics {
                return Ok(None);
            }
            for &t in self
                .anchor
                .prev_times
                .iter()
                .rev()
                .take(needed.saturating_sub(count))
            {
                if let Some(slot) = times.get_mut(count) {
                    *slot = t;
                }
                count = count.saturating_add(1);
            }
            if count < needed {
                return Err(ChainError::InsufficientHistory {
                    height,
                    missing: "the timestamps of the 11 previous headers",
                });
            }
        }
        let newest_first = times.get_mut(..count).unwrap_or(&mut []);
        newest_first.reverse();
        self.mtp_window = TimeWindow::new(parent, newest_first);
        Ok(Some(self.mtp_window.median()))
    }

    /// Prunes headers more than `retain` below the tip once they are twice that many, moving the
    /// anchor up with the history the rules need.
    fn maybe_prune(&mut self) {
        // Prune once the best chain reaches 2 × retain + 64 above the anchor, so that each pass
        // removes at least retain + 64 headers: constant work per header added.
        let tip = self.tip().height;
        let span = u64::from(self.retain).saturating_mul(2).saturating_add(64);
        if u64::from(tip.saturating_sub(self.anchor.height)) < span {
            return;
        }
        let cutoff = tip.saturating_sub(self.retain);
        let Some(base) = self.main_at(cutoff) else {
            return;
        };
        let Ok(new_anchor) = self.anchor_at(base) else {
            return;
        };
        // Keep the new base and its descendants; parents precede children, so one pass suffices.
        let mut remap = alloc::vec![NO_PARENT; self.nodes.len()];
        let mut kept: Vec<Node> = Vec::with_capacity(self.nodes.len() / 2);
        for (old, node) in self.nodes.iter().enumerate() {
            let keep_parent = node.parent != NO_PARENT
                && remap
                    .get(node.parent as usize)
                    .is_some_and(|&p| p != NO_PARENT);
            if old == base as usize || (node.height > cutoff && keep_parent) {
                let parent = if old == base as usize {
                    NO_PARENT
                } else {
                    remap
                        .get(node.parent as usize)
                        .copied()
                        .unwrap_or(NO_PARENT)
                };
                if let Some(slot) = remap.get_mut(old) {
                    *slot = u32::try_from(kept.len()).unwrap_or(NO_PARENT);
                }
                kept.push(Node {
                    parent,
                    ..node.clone()
                });
            }
        }
        let main: Vec<u32> = self
            .main
            .iter()
            .filter_map(|&i| remap.get(i as usize).copied().filter(|&r| r != NO_PARENT))
            .collect();
        self.index.clear();
        for (i, n) in kept.iter().enumerate() {
            self.index
                .insert(n.hash, u32::try_from(i).unwrap_or(NO_PARENT));
        }
        self.nodes = kept;
        // Node indexes changed.
        self.mtp_window = TimeWindow::EMPTY;
        self.main = main;
        self.anchor = new_anchor;
    }

    /// The anchor a chain based at best-chain node `base` would need.
    fn anchor_at(&self, base: u32) -> Result<Anchor, ChainError> {
        let n = self.node(base).ok_or(ChainError::HeightOverflow)?;
        // Unknown only if the old anchor did not know it either.
        let period_start = if self.params.is_retarget_height(n.height) {
            None
        } else {
            self.ancestor(base, self.params.period_start(n.height), n.height)
                .ok()
        };
        // The timestamps before it: from stored ancestors, then the old anchor's.
        let needed = (n.height as usize).min(MEDIAN_TIME_SPAN);
        let mut rev = Vec::with_capacity(needed);
        let mut i = n.parent;
        while rev.len() < needed && i != NO_PARENT {
            let Some(a) = self.node(i) else { break };
            rev.push(a.header.time);
            i = a.parent;
        }
        if rev.len() < needed {
            let old = &self.anchor.prev_times;
            rev.extend(old.iter().rev().take(needed.saturating_sub(rev.len())));
        }
        let prev_times = rev.iter().rev().copied().collect();
        Ok(Anchor {
            height: n.height,
            header: n.header,
            chainwork: n.chainwork,
            prev_times,
            period_start,
        })
    }

    /// Headers stored above the anchor, parents before children (the order to re-add them).
    pub fn headers_above_anchor(&self) -> impl Iterator<Item = &Header> {
        self.nodes.iter().skip(1).map(|n| &n.header)
    }
}

/// Verifies a list of consecutive headers, the first at `start_height` being the trusted anchor
/// (its own proof of work still checked). As the CLI's `headers verify`: every later header must
/// name the previous one as parent and pass every rule; a retarget whose period start is not in
/// the list fails with `insufficient_history`; median-time-past is checked for a header at height
/// h when the list holds all min(h, 11) headers before it. The chain keeps every header.
///
/// # Errors
/// The failing header's index in the list and its [`ChainError`].
pub fn verify_header_list(
    params: &Params,
    start_height: u32,
    headers: &[Header],
    now: Option<u32>,
) -> Result<HeaderChain, AddError> {
    let first = headers.first().ok_or(AddError {
        index: 0,
        error: ChainError::BadAnchor {
            reason: "no headers",
        },
    })?;
    if start_height == 0 && *first != params.genesis {
        return Err(AddError {
            index: 0,
            error: ChainError::BadAnchor {
                reason: "the header at height 0 is not the network's genesis",
            },
        });
    }
    let anchor = Anchor {
        height: start_height,
        header: *first,
        chainwork: pow::work(first.bits.decode().target),
        prev_times: Vec::new(),
        period_start: None,
    };
    let mut chain = HeaderChain::new(params.clone(), anchor)
        .map_err(|error| AddError { index: 0, error })?
        .with_retain(u32::MAX);
    chain.list_semantics = start_height > 0;
    validate::check_future(first, start_height, now)
        .map_err(|error| AddError { index: 0, error })?;
    chain.reserve(headers.len());
    for (index, (header, hash)) in Hashed::new(headers.iter().copied()).enumerate().skip(1) {
        let tip = chain.tip();
        // Context-free proof of work first, as Core, then the link.
        chain
            .check_pow_cached(&header, &hash, tip.height.saturating_add(1))
            .map_err(|error| AddError { index, error })?;
        if header.prev_blockhash != tip.hash {
            let height = tip.height.saturating_add(1);
            return Err(AddError {
                index,
                error: ChainError::NotLinked {
                    height,
                    prev: header.prev_blockhash,
                    expected: tip.hash,
                },
            });
        }
        chain
            .add_hashed(&header, hash, now)
            .map_err(|error| AddError { index, error })?;
    }
    Ok(chain)
}

/// Headers paired with their hashes, computed 64 at a time with [`sha256d_80_many`] (four lanes at
/// once where the platform has SIMD).
struct Hashed<I> {
    headers: I,
    buffer: Vec<(Header, BlockHash)>,
    next: usize,
}

const HASH_BATCH: usize = 64;

impl<I: Iterator<Item = Header>> Hashed<I> {
    fn new<T: IntoIterator<IntoIter = I>>(headers: T) -> Self {
        Self {
            headers: headers.into_iter(),
            buffer: Vec::new(),
            next: 0,
        }
    }
}

impl<I: Iterator<Item = Header>> Iterator for Hashed<I> {
    type Item = (Header, BlockHash);

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.buffer.len() {
            let chunk: Vec<Header> = self.headers.by_ref().take(HASH_BATCH).collect();
            let raw: Vec<[u8; 80]> = chunk.iter().map(Header::to_array).collect();
            let mut hashes = alloc::vec![[0u8; 32]; raw.len()];
            sha256d_80_many(&raw, &mut hashes);
            self.buffer = chunk
                .into_iter()
                .zip(hashes.into_iter().map(BlockHash::from_byte_array))
                .collect();
            self.next = 0;
        }
        let item = self.buffer.get(self.next).copied();
        self.next = self.next.saturating_add(1);
        item
    }
}
