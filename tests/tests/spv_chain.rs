//! Header chains on real mainnet data and on synthetic chains mined with custom parameters
//! (regtest's proof-of-work limit, so each header costs a couple of hashes, with retargeting
//! switched on), each adversarial case breaking exactly one rule.

use pegkit_core::chain::{Added, Anchor, ChainError, HeaderChain, PeriodStart, verify_header_list};
use pegkit_core::header::CompactTarget;
use pegkit_core::params::{Network, Params};
use pegkit_core::pow::{self, U256};
use pegkit_core::{ErrorCode, Header};
use pegkit_tests::{WINDOW_START, mine};

fn headers(raw: &[[u8; 80]]) -> Vec<Header> {
    raw.iter().map(Header::from_bytes).collect()
}

fn u256_hex(s: &str) -> U256 {
    let padded = format!("{s:0>64}");
    U256::from_be_bytes(&pegkit_core::hex::decode_array(&padded).unwrap())
}

fn boundary_chainwork(height: u32) -> U256 {
    let b = pegkit_tests::mainnet_retarget_boundaries();
    u256_hex(&b.iter().find(|e| e.height == height).unwrap().chainwork)
}

fn work_of(h: &Header) -> U256 {
    pow::work(h.bits.decode().target)
}

#[test]
fn real_window_as_a_list() {
    let window = headers(&pegkit_tests::mainnet_headers_822528_830592());
    let chain =
        verify_header_list(&Network::Mainnet.params(), WINDOW_START, &window, None).unwrap();
    let tip = chain.tip();
    assert_eq!(tip.height, 830_592);
    assert_eq!(tip.hash, window.last().unwrap().block_hash());
    // Work summed over the list, anchor included = Core's chainwork(830592) − chainwork(822527).
    let expected = boundary_chainwork(830_592)
        .checked_sub(boundary_chainwork(822_527))
        .unwrap();
    assert_eq!(tip.chainwork, expected);
    // Four retargets happened inside the window.
    let bits: std::collections::BTreeSet<u32> =
        window.iter().map(|h| h.bits.to_consensus()).collect();
    assert_eq!(bits.len(), 5);
}

/// Anchor at 822539, carrying the 11 previous timestamps and the period start: every header
/// after it gets every check.
fn window_chain() -> (HeaderChain, Vec<Header>) {
    let window = headers(&pegkit_tests::mainnet_headers_822528_830592());
    let anchor_at = 11usize;
    let mut chainwork = boundary_chainwork(822_527);
    for h in &window[..=anchor_at] {
        chainwork = chainwork.checked_add(work_of(h)).unwrap();
    }
    let anchor = Anchor {
        height: WINDOW_START + anchor_at as u32,
        header: window[anchor_at],
        chainwork,
        prev_times: window[..anchor_at].iter().map(|h| h.time).collect(),
        period_start: Some(PeriodStart {
            time: window[0].time,
            bits: window[0].bits,
        }),
    };
    (
        HeaderChain::new(Network::Mainnet.params(), anchor)
            .unwrap()
            .with_retain(1000),
        window,
    )
}

#[test]
fn real_window_as_a_header_chain_with_full_history() {
    let (mut chain, window) = window_chain();
    let stale = pegkit_tests::mainnet_stale_headers();
    let (stale_height, stale_raw, _) = stale[0];
    let stale_header = Header::from_bytes(&stale_raw);
    let split = (stale_height - WINDOW_START) as usize;
    // Up to and including the main-chain header at the stale height, then the stale one.
    chain.add_headers(&window[12..=split], None).unwrap();
    assert_eq!(chain.add_header(&stale_header, None), Ok(Added::Fork));
    assert_eq!(chain.confirmations(&stale_header.block_hash()), Some(0));
    let summary = chain.add_headers(&window[split + 1..], None).unwrap();
    assert_eq!(summary.added, window.len() - split - 1);
    assert_eq!(summary.reorg, None);
    let tip = chain.tip();
    assert_eq!(tip.height, 830_592);
    assert_eq!(
        tip.chainwork,
        boundary_chainwork(830_592),
        "chainwork equals Bitcoin Core's"
    );
    let h830000 = window[(830_000 - WINDOW_START) as usize].block_hash();
    assert_eq!(chain.confirmations(&h830000), Some(593));
    assert_eq!(chain.hash_at(830_000), Some(h830000));
    assert_eq!(chain.get(&h830000).unwrap().height, 830_000);
    // Bounded memory: 1000 kept below the tip, pruned in chunks; the anchor moved up with the
    // history the rules need, and the remaining headers kept validating.
    assert!(
        chain.len() <= 2 * 1000 + 64 + 1,
        "{} headers stored",
        chain.len()
    );
    assert!(
        chain.base_height() >= 830_592 - 2064,
        "anchor at {}",
        chain.base_height()
    );
    assert_eq!(chain.anchor().prev_times.len(), 11);
    // The "stale" 829613 is byte-identical to the main-chain header: a duplicate.
    let (_, dup_raw, identical) = stale[1];
    assert!(identical);
    assert_eq!(
        chain.add_header(&Header::from_bytes(&dup_raw), None),
        Ok(Added::Duplicate)
    );
    // The pruned stale fork is gone; its parent too, so it cannot come back.
    let err = chain.add_header(&stale_header, None).unwrap_err();
    assert_eq!(err.code(), "unknown_parent");
}

#[test]
fn every_mainnet_retarget_recomputed() {
    let params = Network::Mainnet.params();
    let entries = pegkit_tests::mainnet_retarget_boundaries();
    let at = |h: u32| Header::from_bytes(&entries.iter().find(|e| e.height == h).unwrap().header);
    let mut checked = 0;
    for k in 1..=413u32 {
        let height = k * 2016;
        let (first, last, new) = (at(height - 2016), at(height - 1), at(height));
        let expected = pow::next_work_required(&params, last.bits, last.time, first.time);
        assert_eq!(new.bits, expected, "retarget at {height}");
        // Chainwork steps by the new header's work.
        let cw = |h: u32| u256_hex(&entries.iter().find(|e| e.height == h).unwrap().chainwork);
        assert_eq!(
            cw(height),
            cw(height - 1).checked_add(work_of(&new)).unwrap(),
            "chainwork at {height}"
        );
        checked += 1;
    }
    assert_eq!(checked, 413);
    // Genesis chainwork.
    assert_eq!(boundary_chainwork(0), work_of(&params.genesis));
}

#[test]
fn mainnet_genesis_to_255() {
    let params = Network::Mainnet.params();
    let raw = pegkit_tests::mainnet_headers_0_255();
    let all = headers(&raw);
    assert_eq!(all[0], params.genesis);
    let mut chain = HeaderChain::new(params.clone(), Anchor::genesis(&params)).unwrap();
    assert_eq!(chain.add_headers(&all[1..], None).unwrap().added, 255);
    assert_eq!(chain.tip().height, 255);
    let via_list = verify_header_list(&params, 0, &all, None).unwrap();
    assert_eq!(via_list.tip(), chain.tip());
}

// ---------------------------------------------------------------------------------------------
// Synthetic chains.

const LIMIT_BITS: CompactTarget = CompactTarget(0x207f_ffff);

/// Regtest's proof-of-work limit and genesis, with retargeting every `interval` blocks.
fn custom(interval: u32) -> Params {
    let mut p = Network::Regtest.params();
    p.no_retargeting = false;
    p.allow_min_difficulty_blocks = false;
    p.pow_target_timespan = 600 * interval;
    p
}

fn genesis_chain(p: &Params) -> HeaderChain {
    HeaderChain::new(p.clone(), Anchor::genesis(p)).unwrap()
}

/// Mines `count` headers on the chain's tip with the expected bits, `spacing` seconds apart.
fn grow(chain: &mut HeaderChain, parent: &Header, count: usize, spacing: u32) -> Vec<Header> {
    let mut out = Vec::new();
    let mut prev = *parent;
    let mut height = chain.get(&prev.block_hash()).unwrap().height;
    for _ in 0..count {
        height += 1;
        let bits = expected_bits(chain, &prev, height);
        let h = mine::child(&prev, prev.time + spacing, bits);
        chain.add_header(&h, None).unwrap();
        out.push(h);
        prev = h;
    }
    out
}

/// The bits the rules give at `height` on top of `prev` (mainnet-style rules, stored history).
fn expected_bits(chain: &HeaderChain, prev: &Header, height: u32) -> CompactTarget {
    let p = chain.params();
    if !p.is_retarget_height(height) {
        return prev.bits;
    }
    // Walk back to the period's first header.
    let mut first = *prev;
    for _ in 0..p.retarget_interval() - 1 {
        first = chain.get(&first.prev_blockhash).unwrap().header;
    }
    pow::next_work_required(p, prev.bits, prev.time, first.time)
}

#[test]
fn retargets_on_a_mined_chain() {
    let p = custom(8);
    let mut chain = genesis_chain(&p);
    // Fast blocks: difficulty rises at every boundary (target ÷ 4 at most, clamp).
    let fast = grow(&mut chain, &p.genesis, 24, 60);
    let b8 = fast[7].bits; // height 8 retargets
    assert_ne!(b8, LIMIT_BITS, "a fast period raises the difficulty");
    assert!(b8.decode().target < LIMIT_BITS.decode().target);
    // Slow blocks: difficulty falls back (×4 per period at most), then is capped at the limit.
    grow(&mut chain, fast.last().unwrap(), 32, 6000);
    assert_eq!(chain.tip_header().bits, LIMIT_BITS);
    assert_eq!(chain.tip().height, 56);
}

#[test]
fn wrong_retarget_at_a_boundary_is_refused() {
    let p = custom(8);
    let mut chain = genesis_chain(&p);
    let hs = grow(&mut chain, &p.genesis, 7, 60);
    let good = expected_bits(&chain, hs.last().unwrap(), 8);
    assert_ne!(good, LIMIT_BITS);
    // Same header, but keeping the old bits at the boundary.
    let bad = mine::child(hs.last().unwrap(), hs.last().unwrap().time + 60, LIMIT_BITS);
    match chain.add_header(&bad, None) {
        Err(ChainError::BadDifficulty {
            height: 8,
            got,
            expected,
        }) => {
            assert_eq!((got, expected), (LIMIT_BITS, good));
        }
        other => panic!("{other:?}"),
    }
    // And a non-boundary header that changes bits.
    let ok = mine::child(hs.last().unwrap(), hs.last().unwrap().time + 60, good);
    chain.add_header(&ok, None).unwrap();
    let changed = mine::child(&ok, ok.time + 60, LIMIT_BITS);
    assert_eq!(
        chain.add_header(&changed, None).unwrap_err().code(),
        "bad_diffbits"
    );
}

#[test]
fn most_work_wins_not_most_headers() {
    let p = custom(4);
    let mut chain = genesis_chain(&p);
    let base = grow(&mut chain, &p.genesis, 4, 600);
    let fork_point = *base.last().unwrap();
    // Branch A: 8 fast headers (difficulty rises). Branch B: 12 slow headers (stays at the limit).
    let a = grow(&mut chain, &fork_point, 8, 30);
    let a_tip = chain.tip();
    let mut b = Vec::new();
    let mut prev = fork_point;
    for height in 5..=16 {
        let h = mine::child(
            &prev,
            prev.time + 6000,
            expected_bits(&chain, &prev, height),
        );
        assert_eq!(
            chain.add_header(&h, None),
            Ok(Added::Fork),
            "B stays a fork: less work"
        );
        b.push(h);
        prev = h;
    }
    let b_work = chain
        .get(&b.last().unwrap().block_hash())
        .unwrap()
        .chainwork;
    assert!(b_work < a_tip.chainwork);
    assert_eq!(chain.tip(), a_tip);
    assert_eq!(chain.confirmations(&a[0].block_hash()), Some(8));
    assert_eq!(chain.confirmations(&b[0].block_hash()), Some(0));
    assert_eq!(chain.tip().height, 12);
    assert!(chain.get(&b.last().unwrap().block_hash()).unwrap().height == 16);
}

#[test]
fn reorg_to_more_work_and_back() {
    let p = custom(1000);
    let mut chain = genesis_chain(&p);
    let base = grow(&mut chain, &p.genesis, 5, 600);
    let a = grow(&mut chain, base.last().unwrap(), 3, 600);
    let b = mine::extend(base.last().unwrap(), 4, 601, LIMIT_BITS);
    let mut added = Vec::new();
    for h in &b {
        added.push(chain.add_header(h, None).unwrap());
    }
    assert_eq!(added[..3], [Added::Fork, Added::Fork, Added::Fork]);
    assert_eq!(
        added[3],
        Added::Reorg {
            fork_height: 5,
            disconnected: 3
        }
    );
    assert_eq!(chain.tip().hash, b[3].block_hash());
    assert_eq!(chain.confirmations(&a[0].block_hash()), Some(0));
    assert_eq!(chain.confirmations(&b[0].block_hash()), Some(4));
    assert_eq!(chain.header_at(6), Some(&b[0]));
    // A grows past B again.
    let more_a = mine::extend(a.last().unwrap(), 2, 600, LIMIT_BITS);
    let s = chain.add_headers(&more_a, None).unwrap();
    assert_eq!(s.reorg, Some((5, 4)));
    assert_eq!(chain.header_at(6), Some(&a[0]));
    assert_eq!(chain.tip().height, 10);
}

#[test]
fn one_broken_rule_each() {
    let p = custom(1000);
    let mut chain = genesis_chain(&p);
    let hs = grow(&mut chain, &p.genesis, 12, 600);
    let tip = *hs.last().unwrap();
    let code = |chain: &mut HeaderChain, h: Header| chain.add_header(&h, None).unwrap_err().code();

    // Hash above target: everything else right.
    let high = mine::solve(
        Header {
            nonce: 0,
            ..mine::child(&tip, tip.time + 600, LIMIT_BITS)
        },
        false,
    );
    assert_eq!(code(&mut chain, high), "high_hash");
    // nBits above the limit, negative, overflowing, zero.
    for bits in [0x2100_ffffu32, 0x0492_3456, 0xff12_3456, 0x0300_0000] {
        let mut h = mine::child(&tip, tip.time + 600, LIMIT_BITS);
        h.bits = CompactTarget(bits);
        assert_eq!(code(&mut chain, h), "bad_nbits", "bits {bits:08x}");
    }
    // Timestamp equal to the median time past (must be greater).
    let mut times: Vec<u32> = hs[hs.len() - 11..].iter().map(|h| h.time).collect();
    times.sort();
    let mtp = times[5];
    let old = mine::child(&tip, mtp, LIMIT_BITS);
    assert!(
        matches!(chain.add_header(&old, None), Err(ChainError::TimeTooOld { median, .. }) if median == mtp)
    );
    chain
        .add_header(&mine::child(&tip, mtp + 1, LIMIT_BITS), None)
        .unwrap();
    // Unknown parent.
    assert_eq!(
        code(&mut chain, mine::orphan(LIMIT_BITS, tip.time + 600)),
        "unknown_parent"
    );
    // Future time against the caller's clock.
    let future = mine::child(&tip, tip.time + 3 * 3600, LIMIT_BITS);
    assert_eq!(
        chain
            .add_header(&future, Some(tip.time))
            .unwrap_err()
            .code(),
        "time_too_new"
    );
    assert!(chain.add_header(&future, Some(tip.time + 3600 + 1)).is_ok());
    // Version below BIP65's floor at this height.
    let mut v1 = mine::child(&tip, tip.time + 601, LIMIT_BITS);
    v1.version = 1;
    let v1 = mine::solve(v1, true);
    assert_eq!(code(&mut chain, v1), "bad_version");
}

#[test]
fn missing_history_is_an_error_never_a_skip() {
    let p = custom(8);
    let mut full = genesis_chain(&p);
    let hs = grow(&mut full, &p.genesis, 20, 60);
    // Anchor at height 12 without the period start (height 8): the retarget at 16 cannot be
    // checked.
    let anchor = Anchor {
        height: 12,
        header: hs[11],
        chainwork: full.get(&hs[11].block_hash()).unwrap().chainwork,
        prev_times: hs[0..11].iter().map(|h| h.time).collect(),
        period_start: None,
    };
    let mut chain = HeaderChain::new(p.clone(), anchor.clone()).unwrap();
    chain.add_headers(&hs[12..15], None).unwrap();
    assert!(matches!(
        chain.add_header(&hs[15], None),
        Err(ChainError::InsufficientHistory { height: 16, .. })
    ));
    // With the period start it passes.
    let mut chain = HeaderChain::new(
        p.clone(),
        Anchor {
            period_start: Some(PeriodStart {
                time: hs[7].time,
                bits: hs[7].bits,
            }),
            ..anchor.clone()
        },
    )
    .unwrap();
    chain.add_headers(&hs[12..], None).unwrap();
    // Too few previous timestamps: median-time-past cannot be computed.
    let mut short = HeaderChain::new(
        p.clone(),
        Anchor {
            prev_times: vec![hs[10].time],
            ..anchor.clone()
        },
    )
    .unwrap();
    assert_eq!(
        short.add_header(&hs[12], None).unwrap_err().code(),
        "insufficient_history"
    );
    // No previous timestamps at all: refused too (a HeaderChain never skips a check).
    let mut none = HeaderChain::new(
        p.clone(),
        Anchor {
            prev_times: Vec::new(),
            period_start: Some(PeriodStart {
                time: hs[7].time,
                bits: hs[7].bits,
            }),
            ..anchor.clone()
        },
    )
    .unwrap();
    assert_eq!(
        none.add_header(&hs[12], None).unwrap_err().code(),
        "insufficient_history"
    );
    // An anchor whose nBits are not its period's.
    let e = HeaderChain::new(
        p.clone(),
        Anchor {
            period_start: Some(PeriodStart {
                time: hs[7].time,
                bits: CompactTarget(0x207f_fffe),
            }),
            ..anchor
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "bad_anchor");
    // A list whose first header is mid-period cannot check the next retarget.
    let list = verify_header_list(&p, 12, &hs[11..], None).unwrap_err();
    assert_eq!((list.index, list.error.code()), (4, "insufficient_history"));
    // A list that links wrongly.
    let mut skipped = hs[7..].to_vec();
    skipped.remove(3);
    let e = verify_header_list(&p, 8, &skipped, None).unwrap_err();
    assert_eq!((e.index, e.error.code()), (3, "not_linked"));
}

#[test]
fn testnet_min_difficulty_and_bip94() {
    // Testnet rules with regtest's limit and a 4-block interval.
    let mut p = custom(4);
    p.allow_min_difficulty_blocks = true;
    let mut chain = genesis_chain(&p);
    // Fast blocks raise the difficulty at height 4.
    let hs = grow(&mut chain, &p.genesis, 4, 30);
    let real = hs[3].bits;
    assert_ne!(real, LIMIT_BITS);
    let tip = hs[3];
    // More than 20 minutes later: the minimum difficulty is allowed...
    let easy = mine::child(&tip, tip.time + 1201, LIMIT_BITS);
    assert_eq!(chain.add_header(&easy, None), Ok(Added::Extended));
    // ...but not at exactly 20 minutes.
    let not_late = mine::child(&tip, tip.time + 1200, LIMIT_BITS);
    assert_eq!(
        chain.add_header(&not_late, None).unwrap_err().code(),
        "bad_diffbits"
    );
    // After a min-difficulty block, a prompt block returns to the period's real difficulty.
    let back = mine::child(&easy, easy.time + 30, real);
    assert_eq!(chain.add_header(&back, None), Ok(Added::Extended));
    let wrong = mine::child(&easy, easy.time + 31, LIMIT_BITS);
    assert_eq!(
        chain.add_header(&wrong, None).unwrap_err().code(),
        "bad_diffbits"
    );

    // BIP94: the first block of a period may not be more than 600 s older than its parent.
    let mut p94 = custom(4);
    p94.enforce_bip94 = true;
    let mut c94 = genesis_chain(&p94);
    let hs = grow(&mut c94, &p94.genesis, 3, 2000);
    let parent = hs[2];
    let bits = expected_bits(&c94, &parent, 4);
    // Time 601 s before the parent, but above the median time past.
    let warped = mine::child(&parent, parent.time - 601, bits);
    assert!(warped.time > hs[0].time);
    assert_eq!(
        c94.add_header(&warped, None).unwrap_err().code(),
        "time_timewarp_attack"
    );
    let fine = mine::child(&parent, parent.time - 600, bits);
    assert!(c94.add_header(&fine, None).is_ok());
}

#[test]
fn bounded_memory_across_retargets_and_serialize_restore() {
    let p = custom(8);
    let mut chain = genesis_chain(&p).with_retain(10);
    // 686 s spacing keeps each 8-block period at 4802 s ≥ the 4800 s target: bits stay at the limit.
    let hs = grow(&mut chain, &p.genesis, 200, 686);
    assert!(chain.len() <= 2 * 10 + 64 + 1, "{} stored", chain.len());
    assert_eq!(chain.tip().height, 200);
    assert!(
        chain.base_height() > 100,
        "anchor moved up to {}",
        chain.base_height()
    );
    // Retargets keep working after pruning (the anchor carries the period start).
    grow(&mut chain, hs.last().unwrap(), 20, 30);
    // A fork from below the retained window is refused.
    let deep = mine::child(&hs[50], hs[50].time + 1, hs[50].bits);
    assert_eq!(
        chain.add_header(&deep, None).unwrap_err().code(),
        "unknown_parent"
    );

    // Save and restore: same tip, anchor and headers; the restored chain keeps validating.
    let fork = mine::child(
        &chain.header_at(chain.tip().height - 2).copied().unwrap(),
        chain.tip_header().time,
        chain.tip_header().bits,
    );
    chain.add_header(&fork, None).unwrap();
    let bytes = chain.serialize();
    let restored = HeaderChain::restore(&bytes, &p).unwrap();
    assert_eq!(restored.tip(), chain.tip());
    assert_eq!(restored.anchor(), chain.anchor());
    assert_eq!(restored.len(), chain.len());
    assert_eq!(restored.serialize(), bytes);
    assert_eq!(restored.confirmations(&fork.block_hash()), Some(0));

    // Bytes saved under other parameters cannot change the rules: restoring for regtest refuses
    // this custom-parameter chain.
    assert_eq!(
        HeaderChain::restore(&bytes, &Network::Regtest.params())
            .unwrap_err()
            .code(),
        "invalid_state"
    );
    // Damaged bytes are refused with a reason, never a panic.
    assert_eq!(
        HeaderChain::restore(&bytes[..bytes.len() - 1], &p)
            .unwrap_err()
            .code(),
        "invalid_state"
    );
    let mut extra = bytes.clone();
    extra.push(0);
    assert_eq!(
        HeaderChain::restore(&extra, &p).unwrap_err().code(),
        "invalid_state"
    );
    let mut wrong_magic = bytes.clone();
    wrong_magic[0] ^= 1;
    assert_eq!(
        HeaderChain::restore(&wrong_magic, &p).unwrap_err().code(),
        "invalid_state"
    );
    // A flipped byte inside the last saved header breaks its proof of work or its link.
    let mut flipped = bytes.clone();
    let at = flipped.len() - 10;
    flipped[at] ^= 0x80;
    assert!(HeaderChain::restore(&flipped, &p).is_err());
    for cut in 0..bytes.len().min(400) {
        let _ = HeaderChain::restore(&bytes[..cut], &p);
    }
}

#[test]
fn anchors_are_checked() {
    let p = Network::Mainnet.params();
    let mut bad = p.genesis;
    bad.nonce ^= 1;
    let e = HeaderChain::new(
        p.clone(),
        Anchor {
            header: bad,
            ..Anchor::genesis(&p)
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "high_hash");
    let e = HeaderChain::new(
        p.clone(),
        Anchor {
            prev_times: vec![0; 12],
            ..Anchor::genesis(&p)
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "bad_anchor");
}
