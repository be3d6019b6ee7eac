//! Proof-of-work arithmetic against an independent oracle: Bitcoin Core's `SetCompact`,
//! `GetCompact`, `GetBlockProof` and `CalculateNextWorkRequired`, written here with `num-bigint`
//! (exact integers; Core's 256-bit wrap-around only where Core has it), and pegkit's `U256`
//! against `BigUint`.

use num_bigint::BigUint;
use num_traits::{One, ToPrimitive, Zero};
use pegkit_core::chain::{Anchor, HeaderChain};
use pegkit_core::header::CompactTarget;
use pegkit_core::params::{Network, Params};
use pegkit_core::pow::{self, U256};
use pegkit_core::{BlockHash, Header};
use pegkit_tests::mine;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// The oracle.

fn two_256() -> BigUint {
    BigUint::one() << 256u32
}

fn big(u: U256) -> BigUint {
    BigUint::from_bytes_be(&u.to_be_bytes())
}

fn u256(b: &BigUint) -> U256 {
    assert!(*b < two_256());
    let bytes = b.to_bytes_be();
    let mut out = [0u8; 32];
    out[32 - bytes.len()..].copy_from_slice(&bytes);
    U256::from_be_bytes(&out)
}

/// Core's `arith_uint256::SetCompact`: (value mod 2^256, negative, overflow). Note that for
/// exponents ≤ 3 the mantissa is shifted right *before* the sign and overflow tests.
fn set_compact(n: u32) -> (BigUint, bool, bool) {
    let size = n >> 24;
    let mut word = n & 0x007f_ffff;
    let value = if size <= 3 {
        word >>= 8 * (3 - size);
        BigUint::from(word)
    } else {
        (BigUint::from(word) << (8 * (size - 3))) % two_256()
    };
    let negative = word != 0 && (n & 0x0080_0000) != 0;
    let overflow =
        word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
    (value, negative, overflow)
}

/// Core's `arith_uint256::GetCompact(false)`.
fn get_compact(x: &BigUint) -> u32 {
    let mut size = x.bits().div_ceil(8) as u32;
    let mut compact = if size <= 3 {
        (x.to_u64().unwrap() << (8 * (3 - size))) as u32
    } else {
        (x >> (8 * (size - 3))).to_u32().unwrap()
    };
    if compact & 0x0080_0000 != 0 {
        compact >>= 8;
        size += 1;
    }
    assert_eq!(compact & !0x007f_ffff, 0);
    compact | (size << 24)
}

/// ⌊2^256 / (target + 1)⌋.
fn work(target: &BigUint) -> BigUint {
    two_256() / (target + 1u32)
}

/// `CalculateNextWorkRequired`, exact: no 256-bit wrap of target × timespan.
fn next_work(p: &Params, base: u32, last_time: u32, first_time: u32) -> u32 {
    if p.no_retargeting {
        return base;
    }
    let t = i64::from(p.pow_target_timespan);
    let actual = (i64::from(last_time) - i64::from(first_time)).clamp(t / 4, t * 4);
    let mut new = set_compact(base).0 * BigUint::from(actual as u64) / BigUint::from(t as u64);
    let limit = big(p.pow_limit);
    if new > limit {
        new = limit;
    }
    get_compact(&new)
}

/// x with every byte below the compact encoding's mantissa cleared.
fn truncated(x: &BigUint, compact: u32) -> BigUint {
    let size = compact >> 24;
    if size <= 3 {
        x.clone()
    } else {
        (x >> (8 * (size - 3))) << (8 * (size - 3))
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies.

/// Any U256, with its magnitude spread out (a random 256-bit number almost always has 256 bits).
fn any_u256() -> impl Strategy<Value = U256> {
    (any::<[u8; 32]>(), 0u32..=256).prop_map(|(b, s)| U256::from_be_bytes(&b).shift_right(s))
}

/// Any nBits, with the interesting exponents (0..=3 where the mantissa is shifted right, and
/// 32..=35 around the overflow bounds) and the sign bit well represented.
fn any_bits() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        (0u32..=40, any::<u32>()).prop_map(|(e, m)| (e << 24) | (m & 0x00ff_ffff)),
        (0u32..=3, any::<u32>()).prop_map(|(e, m)| (e << 24) | 0x0080_0000 | (m & 0x00ff_ffff)),
    ]
}

fn regtest_limit() -> U256 {
    Network::Regtest.params().pow_limit
}

/// Parameters for retargeting: mainnet, regtest's limit with retargeting switched on, or a
/// random limit and timespan.
fn any_params() -> impl Strategy<Value = Params> {
    (0u8..4, any_u256(), 1u32..=5000, any::<u32>()).prop_map(|(kind, limit, interval, ts)| {
        let mut p = Network::Mainnet.params();
        match kind {
            0 => {}
            1 => {
                p.pow_limit = regtest_limit();
                p.pow_target_timespan = 600 * interval;
            }
            2 => {
                p.pow_limit = if limit.is_zero() { U256::ONE } else { limit };
                p.pow_target_timespan = 600 * interval;
            }
            _ => {
                p.pow_limit = U256::MAX;
                p.pow_target_timespan = ts.max(1);
            }
        }
        p
    })
}

// ---------------------------------------------------------------------------------------------
// Compact targets.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// The whole of `SetCompact`: value, sign and overflow flags. (Found pegkit setting the sign
    /// from the mantissa before the small-exponent shift, e.g. 0x00800001; fixed in core.)
    #[test]
    fn decode_is_core_set_compact(n in any_bits()) {
        let d = CompactTarget(n).decode();
        prop_assert_eq!((big(d.target), d.negative, d.overflow), set_compact(n));
    }

    #[test]
    fn from_target_is_core_get_compact(x in any_u256()) {
        prop_assert_eq!(CompactTarget::from_target(x).0, get_compact(&big(x)));
    }

    /// decode(from_target(x)) is x cut to the mantissa's bytes, never negative or overflowing.
    #[test]
    fn compact_round_trip_truncates(x in any_u256()) {
        let c = CompactTarget::from_target(x);
        let d = c.decode();
        prop_assert!(!d.negative && !d.overflow);
        prop_assert_eq!(big(d.target), truncated(&big(x), c.0));
        // And the compact form is canonical: encoding the decoded target gives it back.
        prop_assert_eq!(CompactTarget::from_target(d.target), c);
    }

    /// `target_within` accepts exactly the targets Core's `DeriveTarget` accepts.
    #[test]
    fn target_within_is_core_derive_target(n in any_bits(), which in 0u8..3) {
        let limit = match which {
            0 => Network::Mainnet.params().pow_limit,
            1 => regtest_limit(),
            _ => Network::Signet.params().pow_limit,
        };
        let (value, negative, overflow) = set_compact(n);
        let core_ok = !negative && !overflow && !value.is_zero() && value <= big(limit);
        let ours = CompactTarget(n).target_within(&limit);
        prop_assert_eq!(ours.is_ok(), core_ok, "nBits {:08x}", n);
        if let Ok(t) = ours {
            prop_assert_eq!(big(t), value);
        }
    }

    #[test]
    fn work_is_two_256_over_target_plus_one(t in any_u256()) {
        prop_assume!(!t.is_zero());
        prop_assert_eq!(big(pow::work(t)), work(&big(t)));
    }

    /// `CalculateNextWorkRequired` for valid nBits, any two times, and custom parameters
    /// (regtest's limit, where target × 4 × timespan overflows 256 bits: pegkit is exact).
    #[test]
    fn next_work_required_is_core_exact(
        p in any_params(),
        raw_target in any_u256(),
        bits in any::<u32>(),
        use_bits in any::<bool>(),
        last in any::<u32>(),
        first in any::<u32>(),
    ) {
        let base = if use_bits && CompactTarget(bits).target_within(&p.pow_limit).is_ok() {
            CompactTarget(bits)
        } else {
            // A valid target: non-zero and within the limit.
            let t = if raw_target > p.pow_limit || raw_target.is_zero() {
                big(p.pow_limit) - (big(raw_target) % big(p.pow_limit))
            } else {
                big(raw_target)
            };
            CompactTarget::from_target(u256(&t))
        };
        prop_assert!(base.target_within(&p.pow_limit).is_ok(), "{:?}", base);
        let ours = pow::next_work_required(&p, base, last, first);
        prop_assert_eq!(ours.0, next_work(&p, base.0, last, first));
        // Never above the limit.
        prop_assert!(ours.decode().target <= p.pow_limit);
        // No retargeting: unchanged.
        let mut fixed = p.clone();
        fixed.no_retargeting = true;
        prop_assert_eq!(pow::next_work_required(&fixed, base, last, first), base);
    }
}

#[test]
fn set_compact_sign_for_small_exponents() {
    // Bitcoin Core's own arith_uint256_tests expect these three not negative (e.g. 0x01803456:
    // nSize 1, nWord = 0x003456 >> 16 = 0: value 0, fNegative false); two more of the kind.
    for n in [
        0x0092_3456u32,
        0x0180_3456,
        0x0280_0056,
        0x0080_0001,
        0x0280_0012,
    ] {
        let (value, negative, overflow) = set_compact(n);
        assert!(value.is_zero() && !overflow);
        let d = CompactTarget(n).decode();
        assert!(d.target.is_zero());
        assert_eq!(d.negative, negative, "nBits {n:08x}");
    }
}

#[test]
fn core_arith_uint256_compact_cases() {
    // Bitcoin Core's arith_uint256_tests (SetCompact / GetCompact): nBits, value (hex),
    // negative, overflow.
    let cases: [(u32, &str, bool, bool); 14] = [
        (0, "0", false, false),
        (0x0012_3456, "0", false, false),
        (0x0100_3456, "0", false, false),
        (0x0200_0056, "0", false, false),
        (0x0300_0000, "0", false, false),
        (0x0400_0000, "0", false, false),
        (0x0092_3456, "0", false, false),
        (0x0180_3456, "0", false, false),
        (0x0280_0056, "0", false, false),
        (0x0380_0000, "0", false, false),
        (0x0480_0000, "0", false, false),
        (0x0112_3456, "12", false, false),
        (0x01fe_dcba, "7e", true, false),
        (0x0492_3456, "12345600", true, false),
    ];
    for (n, hex, negative, overflow) in cases {
        let (value, neg, ovf) = set_compact(n);
        assert_eq!(
            (format!("{value:x}"), neg, ovf),
            (hex.to_string(), negative, overflow),
            "oracle on {n:08x}"
        );
        let d = CompactTarget(n).decode();
        assert_eq!(format!("{}", d.target), hex, "pegkit value of {n:08x}");
        assert_eq!(d.overflow, overflow, "pegkit overflow of {n:08x}");
        assert_eq!(d.negative, negative, "pegkit sign of {n:08x}");
    }
    // GetCompact: Core's expected encodings.
    for (value, compact) in [
        (BigUint::from(0x12u32), 0x0112_0000u32),
        (BigUint::from(0x7eu32), 0x017e_0000),
        (BigUint::from(0x80u32), 0x0200_8000),
        (BigUint::from(0x1234u32), 0x0212_3400),
        (BigUint::from(0x12_3456u32), 0x0312_3456),
        (BigUint::from(0x1234_5600u32), 0x0412_3456),
        (BigUint::from(0x9234_0000u32), 0x0500_9234),
        (BigUint::from(0x0012_3456_u32) << 232u32, 0x2012_3456),
        (BigUint::from(0xffu32) << 248u32, 0x2100_ff00),
    ] {
        assert_eq!(get_compact(&value), compact);
        assert_eq!(CompactTarget::from_target(u256(&value)).0, compact);
    }
    // Overflow bounds.
    for (n, overflow) in [
        (0x2200_00ffu32, false),
        (0x2200_0100, true),
        (0x2100_ffff, false),
        (0x2101_0000, true),
        (0x2000_ffff, false),
        (0x207f_ffff, false),
        (0x2300_0001, true),
        (0xff12_3456, true),
        (0xff00_0000, false),
    ] {
        assert_eq!(set_compact(n).2, overflow, "oracle {n:08x}");
        assert_eq!(
            CompactTarget(n).decode().overflow,
            overflow,
            "pegkit {n:08x}"
        );
    }
}

#[test]
fn next_work_required_where_the_product_overflows_256_bits() {
    // Regtest's limit with retargeting: target 0x7fffff << 232, × 4 × timespan > 2^256.
    let mut p = Network::Regtest.params();
    p.no_retargeting = false;
    p.pow_target_timespan = 600 * 8;
    let limit_bits = CompactTarget(0x207f_ffff);
    let target = big(limit_bits.decode().target);
    let t = u64::from(p.pow_target_timespan);
    // Slow period (4 × the timespan, clamped): exactly, the target would grow ×4; capped.
    let slow = pow::next_work_required(&p, limit_bits, 1_000_000 + 5 * 4800, 1_000_000);
    assert_eq!(slow, limit_bits);
    assert_eq!(
        slow.0,
        next_work(&p, limit_bits.0, 1_000_000 + 5 * 4800, 1_000_000)
    );
    // A 256-bit wrap-around (Core's arith_uint256) would have given something else entirely.
    let wrapped = (&target * BigUint::from(4 * t)) % two_256() / BigUint::from(t);
    assert!(wrapped < target, "the wrap loses the top bits");
    assert_ne!(get_compact(&wrapped), slow.0);
    // A quarter target, then a period twice as long: exactly half the original target.
    let quarter = pow::next_work_required(&p, limit_bits, 0, 0);
    assert_eq!(
        big(quarter.decode().target),
        truncated(&(&target / 4u32), quarter.0)
    );
    let back = pow::next_work_required(&p, quarter, 2 * 4800, 0);
    assert_eq!(back.0, next_work(&p, quarter.0, 2 * 4800, 0));
    assert!(back.decode().target < limit_bits.decode().target);
}

// ---------------------------------------------------------------------------------------------
// U256 against BigUint.

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn u256_arithmetic_is_biguint(a in any_u256(), b in any_u256(), n in 0u32..300, m in any::<u64>(), d in any::<u64>()) {
        let (x, y) = (big(a), big(b));
        // Add.
        let sum = &x + &y;
        prop_assert_eq!(a.checked_add(b).map(big), (sum < two_256()).then(|| sum.clone()));
        prop_assert_eq!(big(a.saturating_add(b)), sum.min(two_256() - 1u32));
        // Sub.
        prop_assert_eq!(a.checked_sub(b).map(big), (x >= y).then(|| &x - &y));
        // Div.
        prop_assert_eq!(a.checked_div(b).map(big), (!y.is_zero()).then(|| &x / &y));
        // Shifts (bits shifted out are lost).
        prop_assert_eq!(big(a.shift_left(n)), (&x << n) % two_256());
        prop_assert_eq!(big(a.shift_right(n)), &x >> n);
        // Compare, bits, not, low word.
        prop_assert_eq!(a.cmp(&b), x.cmp(&y));
        prop_assert_eq!(a == b, x == y);
        prop_assert_eq!(u64::from(a.bits()), x.bits());
        prop_assert_eq!(big(a.bit_not()), two_256() - 1u32 - &x);
        prop_assert_eq!(BigUint::from(a.low_u64()), &x % (BigUint::one() << 64u32));
        prop_assert_eq!(a.is_zero(), x.is_zero());
        // × m / d, exact.
        let q = (d != 0).then(|| &x * BigUint::from(m) / BigUint::from(d)).filter(|q| *q < two_256());
        prop_assert_eq!(a.mul_div_u64(m, d).map(big), q);
        // Byte orders and display.
        let mut le = a.to_be_bytes();
        le.reverse();
        prop_assert_eq!(U256::from_le_bytes(&le), a);
        prop_assert_eq!(format!("{a}"), format!("{x:x}"));
        prop_assert_eq!(u256(&x), a);
    }
}

#[test]
fn u256_edges() {
    assert_eq!(big(U256::MAX), two_256() - 1u32);
    assert_eq!(U256::MAX.checked_add(U256::ONE), None);
    assert_eq!(U256::ZERO.checked_sub(U256::ONE), None);
    assert_eq!(U256::ONE.checked_div(U256::ZERO), None);
    assert_eq!(U256::MAX.shift_left(256), U256::ZERO);
    assert_eq!(U256::MAX.shift_right(255), U256::ONE);
    // The product needs 257 bits; the quotient fits again.
    assert_eq!(U256::MAX.mul_div_u64(2, 2), Some(U256::MAX));
    assert_eq!(U256::MAX.mul_div_u64(3, 2), None);
    assert_eq!(
        U256::MAX.mul_div_u64(2, 3).map(big),
        Some((two_256() - 1u32) * 2u32 / 3u32)
    );
    assert_eq!(U256::ONE.mul_div_u64(1, 0), None);
    assert_eq!(pow::work(U256::MAX), U256::ONE);
    assert_eq!(big(pow::work(U256::ONE)), two_256() / 2u32);
    assert_eq!(U256::ZERO.bits(), 0);
    assert_eq!(format!("{}", U256::ZERO), "0");
}

// ---------------------------------------------------------------------------------------------
// Chainwork of a mined chain.

const LIMIT_BITS: CompactTarget = CompactTarget(0x207f_ffff);

/// Regtest's limit and genesis, retargeting every 4 blocks.
fn custom4() -> Params {
    let mut p = Network::Regtest.params();
    p.no_retargeting = false;
    p.allow_min_difficulty_blocks = false;
    p.pow_target_timespan = 600 * 4;
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Mined with random spacings, so the difficulty moves at every 4th block: each header's
    /// chainwork is the sum of ⌊2^256 / (target + 1)⌋ from genesis, and nBits follow
    /// `CalculateNextWorkRequired` as the oracle computes it.
    #[test]
    fn chainwork_is_the_sum_of_works(spacings in prop::collection::vec(1u32..1500, 16)) {
        let p = custom4();
        let mut chain = HeaderChain::new(p.clone(), Anchor::genesis(&p)).unwrap();
        let mut headers: Vec<Header> = vec![p.genesis];
        let mut sum = work(&set_compact(p.genesis.bits.0).0);
        prop_assert_eq!(big(chain.tip().chainwork), sum.clone());
        let mut distinct_bits = std::collections::BTreeSet::new();
        for (i, spacing) in spacings.iter().enumerate() {
            let height = i as u32 + 1;
            let prev = *headers.last().unwrap();
            let bits = if height % 4 == 0 {
                let first = headers[headers.len() - 4];
                CompactTarget(next_work(&p, prev.bits.0, prev.time, first.time))
            } else {
                prev.bits
            };
            let h = mine::child(&prev, prev.time + spacing, bits);
            chain.add_header(&h, None).unwrap();
            sum += work(&set_compact(bits.0).0);
            let hash: BlockHash = h.block_hash();
            prop_assert_eq!(big(chain.get(&hash).unwrap().chainwork), sum.clone());
            distinct_bits.insert(bits.0);
            headers.push(h);
        }
        prop_assert_eq!(big(chain.tip().chainwork), sum);
        prop_assert_eq!(chain.tip().height, 16);
        prop_assert!(distinct_bits.contains(&LIMIT_BITS.0));
    }
}
