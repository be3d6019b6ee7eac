//! A stateful `HeaderChain` target: from regtest's genesis, with parameters that retarget every
//! 2..=16 blocks and a small `retain` (1..=40, so pruning happens), the input is read as a
//! sequence of operations: mine valid children of stored headers (tip, ancestors, forks,
//! remembered headers that may have been pruned), runs of them, the same run as one batch on a
//! clone, invalid headers of each kind, save/restore, and queries.
//!
//! Bits are found by trying, as the brief asks: a header is mined with its parent's nBits (or
//! the limit's, if those are too hard to grind), and on `BadDifficulty { expected }` it is
//! re-mined with `expected`, which must then be accepted or refused for a time rule only.
//!
//! Checked: every refused header leaves tip, length and saved bytes unchanged and fails for the
//! rule it breaks (with our own median-time-past for `TimeTooOld`); every accepted header's
//! outcome (extended, fork, reorg) agrees with the tip and chainwork before and after, and its
//! chainwork is its parent's plus its own work; after every operation the tip has at least the
//! chainwork of every stored header we know of, `confirmations(tip) == Some(1)`, the best chain
//! links down to the anchor, and the chain is bounded (see `check_invariants`); restoring saved
//! bytes gives the same chain; a batch gives the same chain as adding one by one.

#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pegkit_core::chain::{Added, Anchor, ChainError, HeaderChain};
use pegkit_core::params::Params;
use pegkit_core::pow::{BadBits, work};
use pegkit_core::{BlockHash, CompactTarget, Header, TxMerkleNode};

/// Nonces tried with the parent's nBits before falling back to the limit's to learn the expected.
const CHEAP_TRIES: u32 = 16;
/// Nonces tried with the expected nBits before the operation is skipped.
const HARD_TRIES: u32 = 1024;
/// Headers remembered (for picking parents and checking work).
const KNOWN_CAP: usize = 128;

struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = self.data.get(self.pos).copied();
        self.pos += 1;
        b
    }
}

#[derive(Clone, Copy)]
struct Known {
    header: Header,
    hash: BlockHash,
    height: u32,
}

struct State {
    params: Params,
    chain: HeaderChain,
    known: Vec<Known>,
    counter: u32,
}

/// Tip, length, saved bytes and best chain: what a refused header must not change.
#[derive(PartialEq, Eq, Debug)]
struct Snapshot {
    tip: pegkit_core::chain::Tip,
    len: usize,
    /// The saved bytes, when taken (`full_snapshot`): refusals inside `mine` compare the rest.
    bytes: Option<Vec<u8>>,
    base: u32,
    /// Best-chain hashes from the base up.
    main: Vec<BlockHash>,
}

impl Snapshot {
    /// Equal, comparing the saved bytes only when both have them.
    fn same(&self, other: &Snapshot) -> bool {
        self.tip == other.tip
            && self.len == other.len
            && self.base == other.base
            && self.main == other.main
            && match (&self.bytes, &other.bytes) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }

    fn hash_at(&self, height: u32) -> Option<BlockHash> {
        let i = height.checked_sub(self.base)?;
        self.main.get(i as usize).copied()
    }
}

fn full_snapshot(chain: &HeaderChain) -> Snapshot {
    Snapshot {
        bytes: Some(chain.serialize()),
        ..snapshot(chain)
    }
}

fn snapshot(chain: &HeaderChain) -> Snapshot {
    let base = chain.base_height();
    let tip = chain.tip();
    Snapshot {
        tip,
        len: chain.len(),
        bytes: None,
        base,
        main: (base..=tip.height)
            .map(|h| chain.hash_at(h).expect("best chain between base and tip"))
            .collect(),
    }
}

/// A parent to mine on: its hash, header and height.
#[derive(Clone, Copy)]
struct Parent {
    hash: BlockHash,
    header: Header,
    height: u32,
}

enum Mined {
    /// Could not grind a header for the nBits needed.
    Skipped,
    Accepted(Header, Added),
    Refused(Header, ChainError),
}

fn delta(d: u8) -> i64 {
    let low = i64::from(d & 63);
    match d >> 6 {
        0 => low,             // fast: retargets make it harder
        1 => 540 + low * 2,   // about the spacing
        2 => 1201 + low * 60, // late: the min-difficulty rule applies
        _ => -low * 30,       // backwards: median-time-past and BIP94
    }
}

fn add_time(t: u32, d: i64) -> u32 {
    (i64::from(t) + d).clamp(0, i64::from(u32::MAX)) as u32
}

fn fuzz_merkle_root(counter: u32) -> TxMerkleNode {
    let mut b = [0x5au8; 32];
    b[..4].copy_from_slice(&counter.to_le_bytes());
    TxMerkleNode::from_byte_array(b)
}

impl State {
    fn template(&mut self, parent: &Parent, time: u32) -> Header {
        self.counter = self.counter.wrapping_add(1);
        Header {
            version: 4,
            prev_blockhash: parent.hash,
            merkle_root: fuzz_merkle_root(self.counter),
            time,
            bits: parent.header.bits,
            nonce: 0,
        }
    }

    fn remember(&mut self, header: Header, height: u32) {
        let k = Known {
            header,
            hash: header.block_hash(),
            height,
        };
        if self.known.len() < KNOWN_CAP {
            self.known.push(k);
        } else {
            let i = self.counter as usize % KNOWN_CAP;
            self.known[i] = k;
        }
    }

    /// Picks a stored parent: the tip or one of the 7 best-chain headers below it, or (high bit)
    /// a remembered header, which may have been pruned (then `None` with its hash).
    fn pick_parent(&self, b: u8) -> Result<Parent, Known> {
        if b & 0x80 != 0 && !self.known.is_empty() {
            let k = self.known[usize::from(b & 0x7f) % self.known.len()];
            return match self.chain.get(&k.hash) {
                Some(e) => {
                    assert_eq!(e.header, k.header, "get returns another header");
                    assert_eq!(e.height, k.height, "a remembered header moved height");
                    Ok(Parent {
                        hash: k.hash,
                        header: e.header,
                        height: e.height,
                    })
                }
                None => Err(k),
            };
        }
        let tip = self.chain.tip();
        let height = tip
            .height
            .saturating_sub(u32::from(b % 8))
            .max(self.chain.base_height());
        let header = *self
            .chain
            .header_at(height)
            .expect("best chain header in range");
        let hash = self
            .chain
            .hash_at(height)
            .expect("best chain hash in range");
        assert_eq!(
            header.block_hash(),
            hash,
            "hash_at disagrees with header_at"
        );
        Ok(Parent {
            hash,
            header,
            height,
        })
    }

    /// Median time past for a child of `parent`, from stored headers and the anchor's history.
    fn mtp(&self, parent: &Parent) -> u32 {
        let needed = ((parent.height as usize) + 1).min(11);
        let mut times = Vec::with_capacity(11);
        let mut cur = parent.hash;
        while times.len() < needed {
            let e = self
                .chain
                .get(&cur)
                .expect("ancestor of a stored header is stored");
            times.push(e.header.time);
            if e.height == self.chain.base_height() {
                assert_eq!(
                    e.header,
                    self.chain.anchor().header,
                    "base is not the anchor"
                );
                let prev = &self.chain.anchor().prev_times;
                times.extend(prev.iter().rev().take(needed - times.len()));
                break;
            }
            cur = e.header.prev_blockhash;
        }
        assert_eq!(times.len(), needed, "history for median-time-past");
        times.sort_unstable();
        times[times.len() / 2]
    }

    /// Adds `h` (ground with its own bits, or learning the expected bits), asserting that a
    /// refusal changes nothing and that an acceptance is consistent.
    fn mine(&mut self, parent: &Parent, mut h: Header, now: Option<u32>) -> Mined {
        let mut learned = false;
        if !common::grind(&self.params, &mut h, CHEAP_TRIES) {
            // Learn the expected bits with the limit's (half of all hashes meet it).
            h.bits = self.params.pow_limit_bits();
            if !common::grind(&self.params, &mut h, HARD_TRIES) {
                unreachable!("the limit's nBits are easy");
            }
        }
        loop {
            let before = snapshot(&self.chain);
            match self.chain.add_header(&h, now) {
                Ok(added) => {
                    self.accepted(parent, &h, added, &before);
                    return Mined::Accepted(h, added);
                }
                Err(e) => {
                    assert_eq!(
                        snapshot(&self.chain),
                        before,
                        "refused {e:?} changed the chain"
                    );
                    match e {
                        ChainError::BadDifficulty {
                            got,
                            expected,
                            height,
                        } => {
                            assert_eq!(got, h.bits, "BadDifficulty got");
                            assert_ne!(got, expected, "BadDifficulty with equal bits");
                            assert_eq!(height, parent.height + 1, "BadDifficulty height");
                            assert!(!learned, "re-mined with the expected bits, still refused");
                            learned = true;
                            h.bits = expected;
                            assert!(
                                expected.target_within(&self.params.pow_limit).is_ok(),
                                "expected bits {expected:?} are not a valid target"
                            );
                            if !common::grind(&self.params, &mut h, HARD_TRIES) {
                                return Mined::Skipped;
                            }
                        }
                        e => return Mined::Refused(h, e),
                    }
                }
            }
        }
    }

    fn accepted(&mut self, parent: &Parent, h: &Header, added: Added, before: &Snapshot) {
        let hash = h.block_hash();
        let tip = self.chain.tip();
        let parent_entry = self.chain.get(&parent.hash);
        if added == Added::Duplicate {
            assert!(
                snapshot(&self.chain).same(before),
                "a duplicate changed the chain"
            );
            return;
        }
        let entry = self.chain.get(&hash);
        if let Some(e) = entry {
            assert_eq!(e.height, parent.height + 1, "height of an added header");
            assert_eq!(e.header, *h, "stored header");
            let pw = parent_entry
                .expect("parent of a stored header is stored")
                .chainwork;
            let target = h
                .bits
                .target_within(&self.params.pow_limit)
                .expect("valid bits");
            assert_eq!(
                e.chainwork,
                pw.checked_add(work(target)).expect("chainwork overflow"),
                "chainwork is not the parent's plus the header's work"
            );
        }
        match added {
            Added::Extended => {
                assert_eq!(
                    parent.hash, before.tip.hash,
                    "extended from a non-tip parent"
                );
                assert_eq!(tip.hash, hash, "extended but not the tip");
                assert_eq!(tip.height, before.tip.height + 1, "extended height");
                assert!(
                    tip.chainwork > before.tip.chainwork,
                    "extended without work"
                );
            }
            Added::Reorg {
                fork_height,
                disconnected,
            } => {
                assert_ne!(parent.hash, before.tip.hash, "reorg from the tip");
                assert_eq!(tip.hash, hash, "reorg but not the tip");
                assert!(tip.chainwork > before.tip.chainwork, "reorg to less work");
                assert_eq!(
                    disconnected,
                    before.tip.height - fork_height,
                    "reorg disconnected count"
                );
                assert!(fork_height <= parent.height, "fork above the parent");
                // The fork point is on both chains; the header above it on the new chain is not
                // the old one's (when both are still stored).
                if let (Some(a), Some(b)) =
                    (before.hash_at(fork_height), self.chain.hash_at(fork_height))
                {
                    assert_eq!(a, b, "fork point differs");
                }
                if let (Some(a), Some(b)) = (
                    before.hash_at(fork_height + 1),
                    self.chain.hash_at(fork_height + 1),
                ) {
                    assert_ne!(a, b, "the chains agree above the fork point");
                }
            }
            Added::Fork => {
                assert_eq!(tip, before.tip, "a fork moved the tip");
                assert_ne!(parent.hash, before.tip.hash, "fork from the tip");
                if let Some(e) = entry {
                    assert!(e.chainwork <= tip.chainwork, "fork with more work");
                    assert!(!e.in_best_chain, "fork on the best chain");
                    assert_eq!(
                        self.chain.confirmations(&hash),
                        Some(0),
                        "fork confirmations"
                    );
                }
            }
            Added::Duplicate => unreachable!(),
        }
        self.remember(*h, parent.height + 1);
    }

    /// Mines a valid child; `Some(header)` when it was accepted.
    fn mine_valid(&mut self, parent: &Parent, d: u8) -> Option<Header> {
        let time = add_time(parent.header.time, delta(d));
        let h = self.template(parent, time);
        match self.mine(parent, h, None) {
            Mined::Skipped => None,
            Mined::Accepted(h, _) => Some(h),
            Mined::Refused(h, e) => {
                self.check_time_refusal(parent, &h, &e);
                None
            }
        }
    }

    /// A valid-by-construction header may only be refused for a time rule, and rightly.
    fn check_time_refusal(&self, parent: &Parent, h: &Header, e: &ChainError) {
        let height = parent.height + 1;
        match *e {
            ChainError::TimeTooOld { median, time, .. } => {
                assert_eq!(time, h.time);
                assert_eq!(median, self.mtp(parent), "median time past");
                assert!(time <= median, "TimeTooOld for a time after the median");
            }
            ChainError::TimewarpAttack {
                time, prev_time, ..
            } => {
                assert!(self.params.enforce_bip94, "timewarp without BIP94");
                assert!(
                    self.params.is_retarget_height(height),
                    "timewarp off a retarget"
                );
                assert_eq!(prev_time, parent.header.time);
                assert!(
                    i64::from(time) < i64::from(prev_time) - 600,
                    "timewarp within 600 s"
                );
            }
            // The fork cap: refused only off the best chain and only at the limit.
            ChainError::TooManyForks { limit } => {
                assert_eq!(limit, self.chain.fork_limit());
                assert!(
                    self.chain.fork_headers() >= limit,
                    "fork cap below the limit"
                );
                return;
            }
            ref e => panic!("a well-formed child at height {height} was refused: {e:?}"),
        }
        // Not refused for time if the time is after the median (and no timewarp).
        if !matches!(e, ChainError::TimeTooOld { .. }) {
            assert!(
                h.time > self.mtp(parent),
                "refused for timewarp but also too old"
            );
        }
    }

    fn invalid(&mut self, parent: &Parent, kind: u8, b: u8) {
        let time = add_time(parent.header.time, 1 + i64::from(b % 32));
        let mut h = self.template(parent, time);
        let before = full_snapshot(&self.chain);
        let mut accepted = false;
        match kind % 8 {
            // nBits that are valid targets but (usually) not the expected ones.
            0 => {
                let limit = self.params.pow_limit_bits();
                h.bits = if parent.header.bits == limit {
                    CompactTarget(0x203f_ffff)
                } else {
                    limit
                };
                assert!(common::grind(&self.params, &mut h, HARD_TRIES));
                match self.chain.add_header(&h, None) {
                    Ok(added) => {
                        accepted = true;
                        self.accepted(parent, &h, added, &before);
                    }
                    Err(ChainError::BadDifficulty { got, expected, .. }) => {
                        assert_eq!(got, h.bits);
                        assert_ne!(got, expected);
                        assert_eq!(
                            full_snapshot(&self.chain),
                            before,
                            "bad bits changed the chain"
                        );
                    }
                    Err(e) => {
                        assert_eq!(
                            full_snapshot(&self.chain),
                            before,
                            "refusal changed the chain"
                        );
                        self.check_time_refusal(parent, &h, &e);
                    }
                }
            }
            // A hash above the target.
            1 => {
                if !common::grind_high(&self.params, &mut h, HARD_TRIES) {
                    return;
                }
                let r = self.chain.add_header(&h, None);
                assert!(
                    matches!(r, Err(ChainError::HighHash { hash, bits, .. })
                        if hash == h.block_hash() && bits == h.bits),
                    "high hash: {r:?}"
                );
                assert_eq!(
                    full_snapshot(&self.chain),
                    before,
                    "a high hash changed the chain"
                );
            }
            // nBits that are no valid target.
            2 => {
                let (bits, reason) = [
                    (0u32, BadBits::Zero),
                    (0x2080_0000, BadBits::Zero),
                    (0x0492_3456, BadBits::Negative),
                    (0xff12_3456, BadBits::Overflow),
                    (0x2100_ffff, BadBits::AboveLimit),
                    (0x2080_0001, BadBits::Negative),
                    (0x2100_8000, BadBits::AboveLimit),
                    (0x2301_0000, BadBits::Overflow),
                ][usize::from(b % 8)];
                h.bits = CompactTarget(bits);
                let r = self.chain.add_header(&h, None);
                assert!(
                    matches!(r, Err(ChainError::BadBits { reason: got, bits: hb, .. })
                        if got == reason && hb == h.bits),
                    "bits {bits:#x}: {r:?}"
                );
                assert_eq!(
                    full_snapshot(&self.chain),
                    before,
                    "bad nBits changed the chain"
                );
            }
            // A time not after the median time past.
            3 => {
                let m = self.mtp(parent);
                h.time = m.saturating_sub(u32::from(b % 3));
                match self.mine(parent, h, None) {
                    Mined::Skipped => {}
                    Mined::Accepted(h, a) => panic!("time {} ≤ median {m} accepted: {a:?}", h.time),
                    Mined::Refused(h, e) => {
                        assert!(
                            matches!(e, ChainError::TimeTooOld { median, .. } if median == m),
                            "time {} ≤ median {m}: {e:?}",
                            h.time
                        );
                    }
                }
            }
            // An unknown parent.
            4 => {
                let mut p = [0xeeu8; 32];
                p[..4].copy_from_slice(&self.counter.to_le_bytes());
                p[4] = b;
                h.prev_blockhash = BlockHash::from_byte_array(p);
                // Proof of work is checked before the parent (as Core): grind it first.
                common::grind(&self.params, &mut h, CHEAP_TRIES);
                let r = self.chain.add_header(&h, None);
                let pow_ok = h.bits.target_within(&self.params.pow_limit).is_ok_and(|t| {
                    pegkit_core::pow::hash_meets_target(h.block_hash().as_byte_array(), &t)
                });
                if pow_ok {
                    assert!(
                        matches!(r, Err(ChainError::UnknownParent { prev, .. }) if prev == h.prev_blockhash),
                        "unknown parent: {r:?}"
                    );
                } else {
                    assert!(
                        matches!(
                            r,
                            Err(ChainError::HighHash { .. } | ChainError::BadBits { .. })
                        ),
                        "orphan without work: {r:?}"
                    );
                }
                assert_eq!(
                    full_snapshot(&self.chain),
                    before,
                    "an orphan changed the chain"
                );
            }
            // A version below BIP65's floor (regtest: from height 1).
            5 => {
                h.version = i32::from(b % 5) - 1;
                match self.mine(parent, h, None) {
                    Mined::Skipped => {}
                    Mined::Accepted(h, a) => panic!("version {} accepted: {a:?}", h.version),
                    Mined::Refused(h, e) => {
                        if !matches!(
                            e,
                            ChainError::TimeTooOld { .. } | ChainError::TimewarpAttack { .. }
                        ) {
                            assert!(
                                matches!(e, ChainError::BadVersion { version, min: 4, .. } if version == h.version),
                                "version {}: {e:?}",
                                h.version
                            );
                        }
                    }
                }
            }
            // More than 2 hours after the caller's clock.
            6 => {
                let now = parent.header.time;
                h.time = add_time(now, 7201 + i64::from(b));
                match self.mine(parent, h, Some(now)) {
                    Mined::Skipped => {}
                    Mined::Accepted(h, a) => {
                        panic!("time {} with now {now} accepted: {a:?}", h.time)
                    }
                    Mined::Refused(h, e) => {
                        let max = now.saturating_add(7200);
                        if matches!(e, ChainError::TimeTooOld { .. }) {
                            // Backward steps can leave the median more than 2 h above the parent.
                            self.check_time_refusal(parent, &h, &e);
                        } else if h.time > max {
                            assert!(
                                matches!(e, ChainError::TimeTooNew { time, max: m, .. } if time == h.time && m == max),
                                "time {} > {max}: {e:?}",
                                h.time
                            );
                        }
                    }
                }
            }
            // A header already stored: a duplicate, nothing changes.
            _ => {
                let r = self.chain.add_header(&parent.header, None);
                assert_eq!(r, Ok(Added::Duplicate), "re-adding a stored header");
                assert_eq!(
                    full_snapshot(&self.chain),
                    before,
                    "a duplicate changed the chain"
                );
            }
        }
        // Kinds 3, 5 and 6 go through `mine`, which compares all but the saved bytes.
        if !accepted {
            assert_eq!(
                full_snapshot(&self.chain),
                before,
                "a refused header changed the chain"
            );
        }
    }

    /// Cheap checks after every operation; the walk of the best chain and of every remembered
    /// header only when `full` (every 16 operations and at the end), else 4 remembered headers.
    fn check_invariants(&self, full: bool) {
        let chain = &self.chain;
        let tip = chain.tip();
        let base = chain.base_height();
        assert!(base <= tip.height, "base above the tip");
        assert_eq!(chain.confirmations(&tip.hash), Some(1), "tip confirmations");
        assert_eq!(chain.hash_at(tip.height), Some(tip.hash), "hash_at(tip)");
        assert_eq!(
            chain.header_at(tip.height + 1),
            None,
            "header above the tip"
        );
        assert_eq!(
            chain.header_at(base),
            Some(&chain.anchor().header),
            "base is not the anchor"
        );
        assert_eq!(chain.anchor().height, base);
        if base > 0 {
            assert_eq!(chain.header_at(base - 1), None, "header below the base");
        }
        // The best chain links down to the anchor and its work decreases.
        let mut h = tip.height;
        let mut work_above = tip.chainwork;
        let mut hash = tip.hash;
        while full {
            assert_eq!(chain.hash_at(h), Some(hash), "best chain hash at {h}");
            let e = chain.get(&hash).expect("best chain header stored");
            assert!(e.in_best_chain, "best chain header not marked");
            assert_eq!(e.height, h);
            assert!(e.chainwork <= work_above, "chainwork not increasing");
            work_above = e.chainwork;
            if h == base {
                break;
            }
            hash = e.header.prev_blockhash;
            h -= 1;
        }
        // The tip has the most work of every stored header we know of.
        let sample = if full { self.known.len() } else { 4 };
        let from = if full { 0 } else { self.counter as usize };
        let n = self.known.len();
        for k in (0..sample.min(n)).map(|i| &self.known[(from + i) % n]) {
            if let Some(e) = chain.get(&k.hash) {
                assert!(
                    e.chainwork <= tip.chainwork,
                    "a stored header has more work"
                );
                assert!(e.height >= base, "stored below the base");
                let c = chain.confirmations(&k.hash);
                if e.in_best_chain {
                    assert_eq!(c, Some(tip.height - e.height + 1), "confirmations");
                    assert_eq!(chain.hash_at(e.height), Some(k.hash));
                } else {
                    assert_eq!(c, Some(0), "fork confirmations");
                }
            } else {
                assert_eq!(chain.confirmations(&k.hash), None);
            }
        }
        // Bounded: the best chain prunes to `retain` below the tip once it is 2 × retain + 64
        // above the anchor, and headers off it are capped at `fork_limit`.
        let retain = chain.retain();
        assert!(
            chain.len() <= chain.max_stored(),
            "{} headers stored, more than {} (retain {retain}, tip {} base {base})",
            chain.len(),
            chain.max_stored(),
            tip.height
        );
        // New fork headers stop at the cap; reorgs can add the headers they disconnect.
        assert!(
            chain.fork_headers() <= chain.fork_limit() + 2 * retain as usize + 64,
            "fork headers above the cap"
        );
        assert!(
            u64::from(tip.height - base) < 2 * u64::from(retain) + 64,
            "not pruned: tip {} base {base} retain {retain}",
            tip.height
        );
    }
}

/// With `PEGKIT_FUZZ_DUMP=dir` set, writes `bytes` to `dir/what` (for a failing restore).
fn dump(what: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("PEGKIT_FUZZ_DUMP") {
        let path = std::path::Path::new(&dir).join(what);
        let _ = std::fs::write(&path, bytes);
        eprintln!("wrote {}", path.display());
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input { data, pos: 0 };
    let (Some(r), Some(flags), Some(iv)) = (input.byte(), input.byte(), input.byte()) else {
        return;
    };
    let retain = 1 + u32::from(r) % 40;
    let interval = 2 + u32::from(iv) % 15;
    let params = common::retargeting_regtest(interval, flags & 1 != 0, flags & 2 != 0);
    let chain = HeaderChain::new(params.clone(), Anchor::genesis(&params))
        .expect("regtest genesis")
        .with_retain(retain);
    let mut s = State {
        params,
        chain,
        known: Vec::new(),
        counter: 0,
    };
    s.check_invariants(true);
    let mut ops = 0u32;
    while let Some(op) = input.byte() {
        ops += 1;
        match op % 8 {
            // One child of a chosen parent.
            0 | 1 => {
                let (Some(p), Some(d)) = (input.byte(), input.byte()) else {
                    break;
                };
                match s.pick_parent(p) {
                    Ok(parent) => {
                        s.mine_valid(&parent, d);
                    }
                    Err(pruned) => {
                        // A remembered header that was pruned: its children are refused.
                        let parent = Parent {
                            hash: pruned.hash,
                            header: pruned.header,
                            height: pruned.height,
                        };
                        let time = add_time(pruned.header.time, delta(d));
                        let mut h = s.template(&parent, time);
                        common::grind(&s.params, &mut h, CHEAP_TRIES);
                        let before = full_snapshot(&s.chain);
                        let r = s.chain.add_header(&h, None);
                        // Proof of work comes before the parent lookup (as Core).
                        let pow_ok = h.bits.target_within(&s.params.pow_limit).is_ok_and(|t| {
                            pegkit_core::pow::hash_meets_target(h.block_hash().as_byte_array(), &t)
                        });
                        assert!(
                            if pow_ok {
                                matches!(r, Err(ChainError::UnknownParent { prev, .. }) if prev == pruned.hash)
                            } else {
                                matches!(
                                    r,
                                    Err(ChainError::HighHash { .. } | ChainError::BadBits { .. })
                                )
                            },
                            "child of a pruned header: {r:?}"
                        );
                        assert_eq!(full_snapshot(&s.chain), before);
                    }
                }
            }
            // A run of children on a chosen parent (forks, reorgs, retargets).
            2 => {
                let (Some(p), Some(k)) = (input.byte(), input.byte()) else {
                    break;
                };
                let Ok(mut parent) = s.pick_parent(p) else {
                    continue;
                };
                for _ in 0..=k % 8 {
                    let Some(d) = input.byte() else { break };
                    let Some(h) = s.mine_valid(&parent, d) else {
                        break;
                    };
                    if s.chain.get(&h.block_hash()).is_none() {
                        break; // pruned at once (a low fork)
                    }
                    parent = Parent {
                        hash: h.block_hash(),
                        header: h,
                        height: parent.height + 1,
                    };
                }
            }
            // An invalid header (or a duplicate).
            3 => {
                let (Some(p), Some(kind), Some(b)) = (input.byte(), input.byte(), input.byte())
                else {
                    break;
                };
                if let Ok(parent) = s.pick_parent(p) {
                    s.invalid(&parent, kind, b);
                }
            }
            // Save and restore; go on with the restored chain (a quarter of op 4s: re-adding every
            // stored header is the costliest operation).
            4 if op & 0x30 == 0 => {
                let before = full_snapshot(&s.chain);
                let saved = before.bytes.as_ref().unwrap();
                // Restoring must give back exactly this chain, however many forks it holds
                // (regressions/header_chain_ops/restore-prunes-midway).
                let retain = s.chain.retain() as usize;
                match HeaderChain::restore(saved, &s.params) {
                    Ok(restored) if full_snapshot(&restored) == before => {
                        assert_eq!(restored.anchor(), s.chain.anchor(), "restored anchor");
                        assert_eq!(restored.retain(), s.chain.retain(), "restored retain");
                        assert_eq!(restored.params(), s.chain.params(), "restored params");
                        s.chain = restored;
                    }
                    Ok(restored) => {
                        dump("saved", saved);
                        assert_eq!(full_snapshot(&restored), before, "restored chain differs");
                    }
                    Err(e) => {
                        dump("saved", saved);
                        panic!(
                            "restore of saved bytes failed ({} headers, retain {retain}): {e:?}",
                            s.chain.len()
                        );
                    }
                }
            }
            // Queries by height.
            4 | 5 => {
                let Some(b) = input.byte() else { break };
                let tip = s.chain.tip();
                let height = tip
                    .height
                    .saturating_sub(u32::from(b))
                    .saturating_add(u32::from(b % 3));
                match s.chain.header_at(height) {
                    Some(h) => {
                        assert!(height >= s.chain.base_height() && height <= tip.height);
                        let hash = h.block_hash();
                        assert_eq!(s.chain.hash_at(height), Some(hash));
                        let e = s.chain.get(&hash).expect("best chain header stored");
                        assert!(e.in_best_chain && e.height == height);
                        assert_eq!(s.chain.confirmations(&hash), Some(tip.height - height + 1));
                    }
                    None => {
                        assert!(height < s.chain.base_height() || height > tip.height);
                        assert_eq!(s.chain.hash_at(height), None);
                    }
                }
            }
            // Extend the tip by a run.
            6 => {
                let Some(k) = input.byte() else { break };
                for _ in 0..=k % 16 {
                    let Some(d) = input.byte() else { break };
                    let Ok(parent) = s.pick_parent(0) else {
                        unreachable!()
                    };
                    if s.mine_valid(&parent, d).is_none() {
                        break;
                    }
                }
            }
            // The same run as one batch: mined on a clone, then added with `add_headers`.
            _ => {
                let (Some(p), Some(k)) = (input.byte(), input.byte()) else {
                    break;
                };
                let Ok(mut parent) = s.pick_parent(p) else {
                    continue;
                };
                let mut sim = State {
                    params: s.params.clone(),
                    chain: s.chain.clone(),
                    known: Vec::new(),
                    counter: s.counter,
                };
                let mut batch = Vec::new();
                for _ in 0..=k % 8 {
                    let Some(d) = input.byte() else { break };
                    let Some(h) = sim.mine_valid(&parent, d) else {
                        break;
                    };
                    batch.push(h);
                    if sim.chain.get(&h.block_hash()).is_none() {
                        break;
                    }
                    parent = Parent {
                        hash: h.block_hash(),
                        header: h,
                        height: parent.height + 1,
                    };
                }
                s.counter = sim.counter;
                let summary = s
                    .chain
                    .add_headers(&batch, None)
                    .unwrap_or_else(|e| panic!("a batch the clone accepted was refused: {e:?}"));
                assert_eq!(summary.added, batch.len(), "batch added count");
                assert_eq!(summary.duplicates, 0);
                assert_eq!(
                    full_snapshot(&s.chain),
                    full_snapshot(&sim.chain),
                    "batch differs from one by one"
                );
                for k in sim.known {
                    s.remember(k.header, k.height);
                }
            }
        }
        s.check_invariants(ops % 16 == 0);
    }
    s.check_invariants(true);
});
