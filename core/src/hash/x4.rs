//! Four-lane SHA-256 with wasm32 `simd128`: four independent messages at once, lane `i` of every
//! `v128` holding message `i`'s 32-bit word. Double SHA-256 of fixed-length messages (headers,
//! merkle nodes), whose padding words are constants, and [`finalize_many`] for messages of any
//! lengths (sighashes).
//!
//! Every block goes through [`compress_outlined`] (see there), even the 64-byte message's second
//! block, which is padding only: inlining [`compress`] there lets LLVM fold that block's whole
//! message schedule into constants, which made merkle roots 3% faster but the module 1.6 KB
//! gzipped larger.
//!
//! The intrinsics of `core::arch::wasm32` are safe functions; this module is only compiled when
//! the crate itself is built with `simd128` (`.cargo/config.toml`).

use core::arch::wasm32::{
    i8x16_shuffle, u32x4, u32x4_add, u32x4_extract_lane, u32x4_replace_lane, u32x4_shl, u32x4_shr,
    u32x4_splat, v128, v128_bitselect, v128_or, v128_xor,
};

/// SHA-256 round constants, in four groups of 16 rounds.
#[rustfmt::skip]
const K: [[u32; 16]; 4] = [
    [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4,
        0xab1c_5ed5, 0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe,
        0x9bdc_06a7, 0xc19b_f174,
    ],
    [
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc,
        0x76f9_88da, 0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147,
        0x06ca_6351, 0x1429_2967,
    ],
    [
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e,
        0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624,
        0xf40e_3585, 0x106a_a070,
    ],
    [
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f,
        0x682e_6ff3, 0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb,
        0xbef9_a3f7, 0xc671_78f2,
    ],
];

#[inline(always)]
fn splat(x: u32) -> v128 {
    u32x4_splat(x)
}

#[inline(always)]
fn add(a: v128, b: v128) -> v128 {
    u32x4_add(a, b)
}

/// Rotates every lane right by `n` (1..=31).
#[inline(always)]
fn rotr(x: v128, n: u32) -> v128 {
    v128_or(u32x4_shr(x, n), u32x4_shl(x, 32u32.wrapping_sub(n)))
}

#[inline(always)]
fn xor3(a: v128, b: v128, c: v128) -> v128 {
    v128_xor(v128_xor(a, b), c)
}

/// Σ0.
#[inline(always)]
fn big_sigma0(x: v128) -> v128 {
    xor3(rotr(x, 2), rotr(x, 13), rotr(x, 22))
}

/// Σ1.
#[inline(always)]
fn big_sigma1(x: v128) -> v128 {
    xor3(rotr(x, 6), rotr(x, 11), rotr(x, 25))
}

/// σ0.
#[inline(always)]
fn small_sigma0(x: v128) -> v128 {
    xor3(rotr(x, 7), rotr(x, 18), u32x4_shr(x, 3))
}

/// σ1.
#[inline(always)]
fn small_sigma1(x: v128) -> v128 {
    xor3(rotr(x, 17), rotr(x, 19), u32x4_shr(x, 10))
}

/// One round; `kw` is `K[t] + W[t]`. The returned array is the renamed `a..h`, which costs
/// nothing once inlined.
#[inline(always)]
fn round(s: [v128; 8], kw: v128) -> [v128; 8] {
    let [a, b, c, d, e, f, g, h] = s;
    // Ch(e, f, g) = e ? f : g; Maj(a, b, c) = (a ^ b) ? c : b.
    let t1 = add(add(h, big_sigma1(e)), add(v128_bitselect(f, g, e), kw));
    let t2 = add(big_sigma0(a), v128_bitselect(c, b, v128_xor(a, b)));
    [add(t1, t2), a, b, c, add(d, t1), e, f, g]
}

/// Sixteen rounds with the round constants `k` and the schedule window `w`.
#[inline(always)]
fn rounds16(s: &mut [v128; 8], k: &[u32; 16], w: &[v128; 16]) {
    macro_rules! rounds {
        ($($i:literal)*) => {$( *s = round(*s, add(splat(k[$i]), w[$i])); )*};
    }
    rounds!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
}

/// Replaces the schedule window `W[t-16..t]` by `W[t..t+16]`, in place.
#[inline(always)]
fn expand(w: &mut [v128; 16]) {
    // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]; slot j holds W[t-16] and, mod 16,
    // t-2, t-7 and t-15 are j+14, j+9 and j+1.
    macro_rules! step {
        ($($j:literal $j2:literal $j7:literal $j15:literal),*) => {$(
            w[$j] = add(add(w[$j], small_sigma0(w[$j15])), add(w[$j7], small_sigma1(w[$j2])));
        )*};
    }
    step!(
        0 14 9 1, 1 15 10 2, 2 0 11 3, 3 1 12 4, 4 2 13 5, 5 3 14 6, 6 4 15 7, 7 5 0 8,
        8 6 1 9, 9 7 2 10, 10 8 3 11, 11 9 4 12, 12 10 5 13, 13 11 6 14, 14 12 7 15, 15 13 8 0
    );
}

/// [`compress`] as a function of its own. Measured in Node, 900,000 `sha256d_80`: with all three
/// compressions inlined into one function, V8's code takes ~350 ms, with this ~235 ms; also
/// inlining the two partly constant blocks (header tail, second hash) so that their schedules
/// partly fold was slower (~250 ms).
#[inline(never)]
fn compress_outlined(state: &mut [v128; 8], block: [v128; 16]) {
    compress(state, block);
}

/// The SHA-256 compression function on four states and four blocks (one per lane).
#[inline(always)]
fn compress(state: &mut [v128; 8], block: [v128; 16]) {
    let mut s = *state;
    let mut w = block;
    let [k0, k1, k2, k3] = &K;
    rounds16(&mut s, k0, &w);
    expand(&mut w);
    rounds16(&mut s, k1, &w);
    expand(&mut w);
    rounds16(&mut s, k2, &w);
    expand(&mut w);
    rounds16(&mut s, k3, &w);
    for (x, y) in state.iter_mut().zip(s) {
        *x = add(*x, y);
    }
}

/// Reverses the bytes of every 32-bit lane.
#[inline(always)]
fn bswap(x: v128) -> v128 {
    i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(x, x)
}

/// The little-endian word of a 4-byte chunk.
#[inline(always)]
fn le_word(chunk: &[u8]) -> u32 {
    chunk.try_into().map_or(0, u32::from_le_bytes)
}

/// The first `N` big-endian words of four messages, word `j` of lane `i` in lane `i` of `[j]`.
///
/// Built word by word with `u32x4` (LLVM turns it into lane loads); a 4x4 transposition of whole
/// 16-byte rows with `i32x4_shuffle` measured the same (±2%) in Node, so the simpler form stays.
#[inline(always)]
fn load<const N: usize>(lanes: [&[u8]; 4]) -> [v128; N] {
    let mut out = [splat(0); N];
    let [a, b, c, d] = lanes.map(|l| l.chunks_exact(4));
    for ((((o, a), b), c), d) in out.iter_mut().zip(a).zip(b).zip(c).zip(d) {
        *o = bswap(u32x4(le_word(a), le_word(b), le_word(c), le_word(d)));
    }
    out
}

fn iv() -> [v128; 8] {
    super::IV.map(splat)
}

/// SHA-256 of the four 32-byte digests held in `h` (the second hash of SHA-256d), as bytes.
#[inline(always)]
fn finish(h: [v128; 8]) -> [[u8; 32]; 4] {
    let [h0, h1, h2, h3, h4, h5, h6, h7] = h;
    let z = splat(0);
    let mut state = iv();
    // 32 bytes, then 0x80, zeros and the length, 256 bits.
    #[rustfmt::skip]
    compress_outlined(&mut state, [h0, h1, h2, h3, h4, h5, h6, h7, splat(0x8000_0000), z, z, z, z, z, z, splat(256)]);
    let mut out = [[0u8; 32]; 4];
    let [o0, o1, o2, o3] = &mut out;
    let lanes = o0
        .chunks_exact_mut(4)
        .zip(o1.chunks_exact_mut(4))
        .zip(o2.chunks_exact_mut(4))
        .zip(o3.chunks_exact_mut(4));
    for (v, (((c0, c1), c2), c3)) in state.into_iter().zip(lanes) {
        let v = bswap(v);
        c0.copy_from_slice(&u32x4_extract_lane::<0>(v).to_le_bytes());
        c1.copy_from_slice(&u32x4_extract_lane::<1>(v).to_le_bytes());
        c2.copy_from_slice(&u32x4_extract_lane::<2>(v).to_le_bytes());
        c3.copy_from_slice(&u32x4_extract_lane::<3>(v).to_le_bytes());
    }
    out
}

/// Double SHA-256 of four 80-byte messages.
pub(super) fn sha256d_80_x4(inputs: &[[u8; 80]; 4]) -> [[u8; 32]; 4] {
    let head: [v128; 16] = load(inputs.each_ref().map(|m| m.as_slice()));
    let [t0, t1, t2, t3] = load(inputs.each_ref().map(|m| m.get(64..).unwrap_or_default()));
    let z = splat(0);
    let mut state = iv();
    compress_outlined(&mut state, head);
    // 16 bytes, then 0x80, zeros and the length, 640 bits.
    #[rustfmt::skip]
    compress_outlined(&mut state, [t0, t1, t2, t3, splat(0x8000_0000), z, z, z, z, z, z, z, z, z, z, splat(640)]);
    finish(state)
}

/// Double SHA-256 of four 64-byte messages.
pub(super) fn sha256d_64_x4(inputs: &[[u8; 64]; 4]) -> [[u8; 32]; 4] {
    let block: [v128; 16] = load(inputs.each_ref().map(|m| m.as_slice()));
    let z = splat(0);
    let mut state = iv();
    compress_outlined(&mut state, block);
    // A block of padding only: 0x80, zeros and the length, 512 bits.
    #[rustfmt::skip]
    compress_outlined(&mut state, [splat(0x8000_0000), z, z, z, z, z, z, z, z, z, z, z, z, z, z, splat(512)]);
    finish(state)
}

/// What [`finalize_many`] needs of a [`super::HashEngine`]: its state, its partial block, and
/// how many bytes it has absorbed.
pub(super) struct Job<'a> {
    pub(super) state: &'a [u32; 8],
    pub(super) pending: &'a [u8],
    pub(super) len: u64,
    pub(super) tail: &'a [u8],
}

/// SHA-256 of any number of messages of any lengths, four lanes at a time: job `j` is the input
/// a SHA-256 state has absorbed (`state`, after `len` bytes, the last `len % 64` of which are
/// `pending`) followed by `tail`, and its digest goes to `out[j]`.
///
/// Every job's remaining bytes and padding are laid out in whole blocks in one buffer. Each lane
/// takes the next job as soon as its own is done (its state words replaced in place), so a short
/// message shares a lane with the next one rather than idling; a lane with no job left
/// compresses zeros until the others finish.
pub(super) fn finalize_many(jobs: &[Job<'_>], out: &mut [[u8; 32]]) {
    let mut spans = alloc::vec::Vec::with_capacity(jobs.len());
    let mut end = 0usize;
    for job in jobs {
        let bytes = job.pending.len().saturating_add(job.tail.len());
        let start = end;
        end = end.saturating_add(bytes.saturating_add(9).div_ceil(64).saturating_mul(64));
        spans.push((start, end));
    }
    let mut buf = alloc::vec![0u8; end];
    for (job, &(start, end)) in jobs.iter().zip(&spans) {
        if let Some(lane) = buf.get_mut(start..end) {
            let (p, rest) = lane.split_at_mut(job.pending.len().min(lane.len()));
            p.copy_from_slice(job.pending.get(..p.len()).unwrap_or_default());
            let (t, rest) = rest.split_at_mut(job.tail.len().min(rest.len()));
            t.copy_from_slice(job.tail.get(..t.len()).unwrap_or_default());
            if let Some(first) = rest.first_mut() {
                *first = 0x80;
            }
            let bits = job.len.wrapping_add(job.tail.len() as u64).wrapping_mul(8);
            if let Some(l) = rest.len().checked_sub(8).and_then(|at| rest.get_mut(at..)) {
                l.copy_from_slice(&bits.to_be_bytes());
            }
        }
    }
    let zero = [0u8; 64];
    let mut state = [splat(0); 8];
    // Per lane: the job it works on and the offset of its next block in `buf`.
    let mut lanes: [Option<(usize, usize)>; 4] = [None; 4];
    let mut next = 0usize;
    loop {
        let mut blocks: [&[u8]; 4] = [&zero; 4];
        let mut live = false;
        for (lane, (slot, block)) in lanes.iter_mut().zip(&mut blocks).enumerate() {
            if slot.is_none() {
                if let (Some(job), Some(&(start, _))) = (jobs.get(next), spans.get(next)) {
                    set_lane(&mut state, lane, job.state);
                    *slot = Some((next, start));
                    next = next.saturating_add(1);
                }
            }
            if let Some((_, at)) = *slot {
                *block = buf.get(at..at.saturating_add(64)).unwrap_or(&zero);
                live = true;
            }
        }
        if !live {
            return;
        }
        compress_outlined(&mut state, load_outlined(blocks));
        for (lane, slot) in lanes.iter_mut().enumerate() {
            if let Some((job, at)) = *slot {
                let at = at.saturating_add(64);
                if spans.get(job).is_some_and(|&(_, end)| at >= end) {
                    if let Some(o) = out.get_mut(job) {
                        *o = lane_digest(&state, lane);
                    }
                    *slot = None;
                } else {
                    *slot = Some((job, at));
                }
            }
        }
    }
}

/// [`load`] of one block per lane, as a function of its own (the finalizer runs a handful of
/// blocks per message; one copy is smaller and as fast).
#[inline(never)]
fn load_outlined(lanes: [&[u8]; 4]) -> [v128; 16] {
    load(lanes)
}

/// Puts `words` in lane `lane` of `state`.
#[inline(never)]
fn set_lane(state: &mut [v128; 8], lane: usize, words: &[u32; 8]) {
    for (v, &w) in state.iter_mut().zip(words) {
        *v = match lane {
            0 => u32x4_replace_lane::<0>(*v, w),
            1 => u32x4_replace_lane::<1>(*v, w),
            2 => u32x4_replace_lane::<2>(*v, w),
            _ => u32x4_replace_lane::<3>(*v, w),
        };
    }
}

/// The digest held in lane `lane` of `state`.
#[inline(never)]
fn lane_digest(state: &[v128; 8], lane: usize) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, v) in out.chunks_exact_mut(4).zip(state) {
        let word = match lane {
            0 => u32x4_extract_lane::<0>(*v),
            1 => u32x4_extract_lane::<1>(*v),
            2 => u32x4_extract_lane::<2>(*v),
            _ => u32x4_extract_lane::<3>(*v),
        };
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}
