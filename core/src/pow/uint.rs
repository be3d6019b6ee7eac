//! A minimal unsigned 256-bit integer for proof-of-work targets and chainwork.

// Fixed-width limb arithmetic: every shift amount is below 64 and every u128 product or quotient
// is bounded (noted where it matters); truncating casts take the low half on purpose.
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use core::cmp::Ordering;
use core::fmt;

/// An unsigned 256-bit integer (four 64-bit limbs, least significant first).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct U256(pub(crate) [u64; 4]);

impl U256 {
    /// Zero.
    pub const ZERO: Self = Self([0; 4]);
    /// One.
    pub const ONE: Self = Self([1, 0, 0, 0]);
    /// 2²⁵⁶ − 1.
    pub const MAX: Self = Self([u64::MAX; 4]);

    /// From a `u64`.
    pub const fn from_u64(v: u64) -> Self {
        Self([v, 0, 0, 0])
    }

    /// From 32 big-endian bytes.
    pub fn from_be_bytes(b: &[u8; 32]) -> Self {
        let mut limbs = [0u64; 4];
        for (i, chunk) in b.chunks_exact(8).enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            if let Some(l) = limbs.get_mut(3usize.saturating_sub(i)) {
                *l = u64::from_be_bytes(w);
            }
        }
        Self(limbs)
    }

    /// From 32 little-endian bytes (a block hash in internal order is a little-endian number).
    pub fn from_le_bytes(b: &[u8; 32]) -> Self {
        let mut limbs = [0u64; 4];
        for (l, chunk) in limbs.iter_mut().zip(b.chunks_exact(8)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(chunk);
            *l = u64::from_le_bytes(w);
        }
        Self(limbs)
    }

    /// 32 big-endian bytes.
    pub fn to_be_bytes(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, l) in out.chunks_exact_mut(8).zip(self.0.iter().rev()) {
            chunk.copy_from_slice(&l.to_be_bytes());
        }
        out
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The low 64 bits.
    pub fn low_u64(&self) -> u64 {
        self.0[0]
    }

    /// Number of significant bits (0 for zero).
    pub fn bits(&self) -> u32 {
        let mut base = 256u32;
        for l in self.0.iter().rev() {
            base = base.wrapping_sub(64);
            if *l != 0 {
                return base.wrapping_add(64u32.wrapping_sub(l.leading_zeros()));
            }
        }
        0
    }

    /// `self + rhs`, or `None` on overflow.
    pub fn checked_add(self, rhs: Self) -> Option<Self> {
        let mut out = [0u64; 4];
        let mut carry = false;
        for ((o, a), b) in out.iter_mut().zip(self.0).zip(rhs.0) {
            let (s1, c1) = a.overflowing_add(b);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *o = s2;
            carry = c1 || c2;
        }
        (!carry).then_some(Self(out))
    }

    /// `self + rhs`, saturating at [`U256::MAX`].
    pub fn saturating_add(self, rhs: Self) -> Self {
        self.checked_add(rhs).unwrap_or(Self::MAX)
    }

    /// `self - rhs`, or `None` if `rhs > self`.
    pub fn checked_sub(self, rhs: Self) -> Option<Self> {
        let mut out = [0u64; 4];
        let mut borrow = false;
        for ((o, a), b) in out.iter_mut().zip(self.0).zip(rhs.0) {
            let (d1, b1) = a.overflowing_sub(b);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            *o = d2;
            borrow = b1 || b2;
        }
        (!borrow).then_some(Self(out))
    }

    /// Bitwise not.
    pub fn bit_not(self) -> Self {
        Self(self.0.map(|l| !l))
    }

    /// `self << n` (bits shifted out are lost; `n ≥ 256` gives zero).
    pub fn shift_left(self, n: u32) -> Self {
        let words = (n / 64) as usize;
        let bits = n % 64;
        let mut out = [0u64; 4];
        for (i, o) in out.iter_mut().enumerate() {
            let Some(src) = i.checked_sub(words) else {
                continue;
            };
            let lo = self.0.get(src).copied().unwrap_or(0);
            let carry = match (bits, src.checked_sub(1)) {
                (0, _) | (_, None) => 0,
                (_, Some(prev)) => self.0.get(prev).copied().unwrap_or(0) >> (64 - bits),
            };
            *o = (lo << bits) | carry;
        }
        Self(out)
    }

    /// `self >> n` (`n ≥ 256` gives zero).
    pub fn shift_right(self, n: u32) -> Self {
        let words = (n / 64) as usize;
        let bits = n % 64;
        let mut out = [0u64; 4];
        for (i, o) in out.iter_mut().enumerate() {
            let src = i.saturating_add(words);
            let lo = self.0.get(src).copied().unwrap_or(0);
            let carry = match bits {
                0 => 0,
                _ => self.0.get(src.saturating_add(1)).copied().unwrap_or(0) << (64 - bits),
            };
            *o = (lo >> bits) | carry;
        }
        Self(out)
    }

    /// `self × m / d` computed exactly with a 320-bit intermediate, or `None` if `d` is zero or
    /// the quotient does not fit in 256 bits.
    pub fn mul_div_u64(self, m: u64, d: u64) -> Option<Self> {
        if d == 0 {
            return None;
        }
        // 320-bit product, limbs least significant first.
        let mut prod = [0u64; 5];
        let mut carry = 0u128;
        for (p, &a) in prod.iter_mut().zip(&self.0) {
            // (2⁶⁴−1)² + (2⁶⁴−1) < 2¹²⁸: no overflow.
            let t = u128::from(a)
                .wrapping_mul(u128::from(m))
                .wrapping_add(carry);
            *p = t as u64;
            carry = t >> 64;
        }
        prod[4] = carry as u64;
        // Long division by d, most significant limb first.
        let mut rem = 0u128;
        let mut quot = [0u64; 5];
        let d = u128::from(d);
        for (q, &p) in quot.iter_mut().zip(&prod).rev() {
            // rem < d < 2⁶⁴, so cur fits and cur / d < 2⁶⁴.
            let cur = (rem << 64) | u128::from(p);
            *q = cur.wrapping_div(d) as u64;
            rem = cur.wrapping_rem(d);
        }
        (quot[4] == 0).then(|| Self([quot[0], quot[1], quot[2], quot[3]]))
    }

    /// `self / rhs` (truncating), or `None` for division by zero. Binary long division: used once
    /// per distinct target, never per header.
    pub fn checked_div(self, rhs: Self) -> Option<Self> {
        if rhs.is_zero() {
            return None;
        }
        if self < rhs {
            return Some(Self::ZERO);
        }
        let shift = self.bits().saturating_sub(rhs.bits());
        let mut divisor = rhs.shift_left(shift);
        let mut rem = self;
        let mut quot = Self::ZERO;
        for i in (0..=shift).rev() {
            if let Some(r) = rem.checked_sub(divisor) {
                rem = r;
                quot = quot.set_bit(i);
            }
            divisor = divisor.shift_right(1);
        }
        Some(quot)
    }

    fn set_bit(mut self, i: u32) -> Self {
        if let Some(l) = self.0.get_mut((i / 64) as usize) {
            *l |= 1u64 << (i % 64);
        }
        self
    }
}

impl Ord for U256 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for U256 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for U256 {
    /// Lowercase hex, no leading zeros (`0` for zero), as the CLI prints chainwork.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut started = false;
        for l in self.0.iter().rev() {
            if started {
                write!(f, "{l:016x}")?;
            } else if *l != 0 {
                write!(f, "{l:x}")?;
                started = true;
            }
        }
        if !started {
            f.write_str("0")?;
        }
        Ok(())
    }
}

impl fmt::Debug for U256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U256(0x{self})")
    }
}
