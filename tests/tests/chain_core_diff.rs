//! Differential test: `HeaderChain` against a plain transcription of Bitcoin Core's header rules
//! (`GetNextWorkRequired` with the minimum-difficulty walk and BIP94's first-block nBits,
//! `CalculateNextWorkRequired`, `GetMedianTimePast`, time-too-old, the timewarp rule, most work
//! with first-seen ties) over a whole tree kept in memory, on random forks mined with custom
//! parameters (regtest's limit, a retarget every 4 blocks), anchored at and between period starts,
//! with and without pruning. Every header must get the same verdict; without pruning the best
//! chains must be the same; save/restore must give the same chain back.

use pegkit_core::chain::{Anchor, HeaderChain, PeriodStart};
use pegkit_core::header::{CompactTarget, Header};
use pegkit_core::params::{Network, Params};
use pegkit_core::pow::{self, U256};
use pegkit_core::{BlockHash, ErrorCode, TxMerkleNode};
use pegkit_tests::mine;
use std::collections::HashMap;

#[derive(Clone)]
struct Node {
    header: Header,
    height: u32,
    parent: Option<usize>,
    work: U256,
}

/// The reference: every header ever accepted, no pruning, rules as Core writes them.
struct Core {
    p: Params,
    nodes: Vec<Node>,
    index: HashMap<BlockHash, usize>,
}

impl Core {
    fn limit(&self) -> CompactTarget {
        self.p.pow_limit_bits()
    }

    fn ancestor(&self, mut i: usize, height: u32) -> usize {
        while self.nodes[i].height > height {
            i = self.nodes[i].parent.unwrap();
        }
        i
    }

    fn next_bits(&self, last: usize, h: &Header) -> CompactTarget {
        let p = &self.p;
        let interval = p.retarget_interval();
        let pl = &self.nodes[last];
        if (pl.height + 1) % interval != 0 {
            if p.allow_min_difficulty_blocks {
                if i64::from(h.time)
                    > i64::from(pl.header.time) + 2 * i64::from(p.pow_target_spacing)
                {
                    return self.limit();
                }
                let mut i = last;
                while self.nodes[i].parent.is_some()
                    && self.nodes[i].height % interval != 0
                    && self.nodes[i].header.bits == self.limit()
                {
                    i = self.nodes[i].parent.unwrap();
                }
                return self.nodes[i].header.bits;
            }
            return pl.header.bits;
        }
        let first = self.ancestor(last, pl.height - (interval - 1));
        if p.no_retargeting {
            return pl.header.bits;
        }
        let span = i64::from(p.pow_target_timespan);
        let actual = (i64::from(pl.header.time) - i64::from(self.nodes[first].header.time))
            .clamp(span / 4, span * 4);
        let base = if p.enforce_bip94 {
            self.nodes[first].header.bits
        } else {
            pl.header.bits
        };
        let t = base
            .decode()
            .target
            .mul_div_u64(actual as u64, span as u64)
            .unwrap_or(p.pow_limit);
        CompactTarget::from_target(if t > p.pow_limit { p.pow_limit } else { t })
    }

    fn median_time_past(&self, last: usize) -> u32 {
        let mut times = vec![];
        let mut i = Some(last);
        while let Some(j) = i {
            if times.len() == 11 {
                break;
            }
            times.push(self.nodes[j].header.time);
            i = self.nodes[j].parent;
        }
        times.sort();
        times[times.len() / 2]
    }

    fn accept(&self, h: &Header) -> Result<(), &'static str> {
        let t = h
            .bits
            .target_within(&self.p.pow_limit)
            .map_err(|_| "bad_nbits")?;
        if !pow::hash_meets_target(h.block_hash().as_byte_array(), &t) {
            return Err("high_hash");
        }
        let Some(&last) = self.index.get(&h.prev_blockhash) else {
            return Err("unknown_parent");
        };
        let height = self.nodes[last].height + 1;
        if h.bits != self.next_bits(last, h) {
            return Err("bad_diffbits");
        }
        if h.time <= self.median_time_past(last) {
            return Err("time_too_old");
        }
        if self.p.enforce_bip94
            && height % self.p.retarget_interval() == 0
            && i64::from(h.time) < i64::from(self.nodes[last].header.time) - 600
        {
            return Err("time_timewarp_attack");
        }
        Ok(())
    }

    fn add(&mut self, h: Header) {
        let last = self.index[&h.prev_blockhash];
        let work = self.nodes[last]
            .work
            .saturating_add(pow::work(h.bits.decode().target));
        self.index.insert(h.block_hash(), self.nodes.len());
        self.nodes.push(Node {
            header: h,
            height: self.nodes[last].height + 1,
            parent: Some(last),
            work,
        });
    }

    /// Most work; the first seen wins a tie.
    fn best(&self) -> usize {
        let mut b = 0;
        for (i, n) in self.nodes.iter().enumerate() {
            if n.work > self.nodes[b].work {
                b = i;
            }
        }
        b
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn header(core: &Core, parent: usize, time: u32, bits: CompactTarget, salt: u32) -> Header {
    let mut root = [0u8; 32];
    root[..4].copy_from_slice(&salt.to_le_bytes());
    mine::solve(
        Header {
            version: 4,
            prev_blockhash: core.nodes[parent].header.block_hash(),
            merkle_root: TxMerkleNode::from_byte_array(root),
            time,
            bits,
            nonce: 0,
        },
        true,
    )
}

/// Returns the number of headers compared.
fn run(seed: u64, p: Params, anchor_height: u32, retain: u32, steps: usize) -> usize {
    let mut rng = Rng(seed | 1);
    let genesis = Node {
        header: p.genesis,
        height: 0,
        parent: None,
        work: pow::work(p.genesis.bits.decode().target),
    };
    let mut core = Core {
        p: p.clone(),
        nodes: vec![genesis],
        index: HashMap::new(),
    };
    core.index.insert(p.genesis.block_hash(), 0);
    let mut salt = 0u32;
    // A valid prefix up to the anchor.
    let mut tip = 0usize;
    while core.nodes[tip].height < anchor_height {
        let pt = core.nodes[tip].header.time;
        let time = pt
            + if rng.below(3) == 0 {
                1201 + rng.below(100) as u32
            } else {
                300 + rng.below(700) as u32
            };
        let probe = Header {
            prev_blockhash: core.nodes[tip].header.block_hash(),
            time,
            ..Header::default()
        };
        let h = header(&core, tip, time, core.next_bits(tip, &probe), salt);
        salt += 1;
        if core.accept(&h).is_ok() {
            core.add(h);
            tip = core.nodes.len() - 1;
        }
    }
    // pegkit's chain anchored there, with the history Core has.
    let a = core.nodes[tip].clone();
    let interval = p.retarget_interval();
    let mut prev_times = vec![];
    let mut i = a.parent;
    while let Some(j) = i {
        if prev_times.len() == 11 {
            break;
        }
        prev_times.push(core.nodes[j].header.time);
        i = core.nodes[j].parent;
    }
    prev_times.reverse();
    let period_start = (a.height % interval != 0).then(|| {
        let f = core.ancestor(tip, a.height - a.height % interval);
        PeriodStart {
            time: core.nodes[f].header.time,
            bits: core.nodes[f].header.bits,
        }
    });
    let anchor = Anchor {
        height: a.height,
        header: a.header,
        chainwork: a.work,
        prev_times,
        period_start,
    };
    let mut chain = HeaderChain::new(p.clone(), anchor)
        .unwrap()
        .with_retain(retain);

    let mut candidates = vec![tip];
    let mut compared = 0;
    for _ in 0..steps {
        let parent = if rng.below(3) == 0 {
            candidates[rng.below(candidates.len() as u64) as usize]
        } else {
            *candidates.last().unwrap()
        };
        if chain.get(&core.nodes[parent].header.block_hash()).is_none() {
            continue; // pruned by pegkit: nothing to compare
        }
        let pt = core.nodes[parent].header.time;
        let dt: i64 = match rng.below(8) {
            0 => 1201,
            1 => 1200,
            2 => -601,
            3 => -600,
            4 => 5000,
            5 => -3000,
            _ => 30 + rng.below(900) as i64,
        };
        let time = (i64::from(pt) + dt) as u32;
        let probe = Header {
            prev_blockhash: core.nodes[parent].header.block_hash(),
            time,
            ..Header::default()
        };
        let expected = core.next_bits(parent, &probe);
        let bits = match rng.below(6) {
            0 => core.limit(),
            1 => core.nodes[parent].header.bits,
            _ => expected,
        };
        if pow::work(bits.decode().target) > U256::from_u64(1 << 14) {
            continue; // too hard to mine here
        }
        let h = header(&core, parent, time, bits, salt);
        salt += 1;
        let want = core.accept(&h);
        let got = chain.add_header(&h, None).map(|_| ()).map_err(|e| e.code());
        compared += 1;
        if got == Err("too_many_forks") {
            // pegkit's memory cap (Core has none): only ever off the best chain, at the limit.
            assert!(
                want.is_ok() && chain.fork_headers() >= chain.fork_limit(),
                "seed {seed}"
            );
            continue;
        }
        assert_eq!(
            got,
            want,
            "seed {seed}: header at height {} (expected bits {expected:?}, has {bits:?})",
            core.nodes[parent].height + 1
        );
        if want.is_ok() {
            core.add(h);
            candidates.push(core.nodes.len() - 1);
        }
        if retain == u32::MAX {
            assert_eq!(
                chain.tip().hash,
                core.nodes[core.best()].header.block_hash(),
                "seed {seed}: best chain"
            );
        }
    }
    let restored = HeaderChain::restore(&chain.serialize(), &p).unwrap();
    assert_eq!(
        (restored.tip(), restored.len()),
        (chain.tip(), chain.len()),
        "seed {seed}: restore"
    );
    compared
}

fn params(min_difficulty: bool, bip94: bool) -> Params {
    Params {
        no_retargeting: false,
        allow_min_difficulty_blocks: min_difficulty,
        enforce_bip94: bip94,
        pow_target_timespan: 600 * 4,
        ..Network::Regtest.params()
    }
}

#[test]
fn same_verdicts_and_best_chain_as_core_without_pruning() {
    let mut total = 0;
    for seed in 1..25u64 {
        for (min, bip94) in [(true, false), (true, true), (false, false), (false, true)] {
            for anchor_height in [0u32, 5, 6, 7, 8, 13, 14, 15] {
                total += run(
                    seed * 7919 + u64::from(anchor_height),
                    params(min, bip94),
                    anchor_height,
                    u32::MAX,
                    100,
                );
            }
        }
    }
    assert!(total > 50_000, "{total} headers compared");
}

#[test]
fn same_verdicts_as_core_with_pruning() {
    let mut total = 0;
    for seed in 1..25u64 {
        for (min, bip94) in [(true, false), (true, true), (false, true)] {
            for anchor_height in [0u32, 6, 13, 14, 15] {
                total += run(
                    seed * 104_729 + u64::from(anchor_height),
                    params(min, bip94),
                    anchor_height,
                    3,
                    200,
                );
            }
        }
    }
    assert!(total > 50_000, "{total} headers compared");
}
