//! Four-lane SIMD SHA-256 (`pegkit_core::hash::sha256d_{80,64}_{x4,many}`, `finalize_many` and
//! the sighash cache built on it) against the scalar code, in Node (`wasm-pack test --release
//! --node --test sha_x4`) and headless Chromium (`WASM_BINDGEN_USE_BROWSER=1 wasm-pack test
//! --release --headless --chrome --test sha_x4`), plus a timing report (`-- --nocapture`; it
//! never asserts a time).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use pegkit_core::hash::{
    HashEngine, finalize_many, sha256d, sha256d_64, sha256d_64_many, sha256d_64_x4, sha256d_80,
    sha256d_80_many, sha256d_80_x4,
};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

// The point of these tests is the simd128 path: refuse a wasm32 build without it. (Natively the
// file still compiles, for `cargo clippy --all-targets`, and checks the scalar fallback.)
#[cfg(all(target_arch = "wasm32", not(target_feature = "simd128")))]
compile_error!("sha_x4 tests the simd128 path: build with `-C target-feature=+simd128`");

/// xorshift64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn fill(&mut self, bytes: &mut [u8]) {
        for chunk in bytes.chunks_mut(8) {
            let r = self.next().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        self.fill(&mut a);
        a
    }
}

#[wasm_bindgen_test]
fn x4_equals_scalar_on_random_inputs() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for _ in 0..10_000 {
        let h: [[u8; 80]; 4] = [rng.array(), rng.array(), rng.array(), rng.array()];
        assert_eq!(sha256d_80_x4(&h), h.each_ref().map(sha256d_80));
        let m: [[u8; 64]; 4] = [rng.array(), rng.array(), rng.array(), rng.array()];
        assert_eq!(sha256d_64_x4(&m), m.each_ref().map(sha256d_64));
    }
}

#[wasm_bindgen_test]
fn x4_equal_lanes_and_edge_bytes() {
    let mut rng = Rng(42);
    for _ in 0..1_000 {
        let h: [u8; 80] = rng.array();
        assert_eq!(sha256d_80_x4(&[h; 4]), [sha256d_80(&h); 4]);
        let m: [u8; 64] = rng.array();
        assert_eq!(sha256d_64_x4(&[m; 4]), [sha256d_64(&m); 4]);
        // Two equal pairs, in both arrangements.
        let g: [u8; 80] = rng.array();
        assert_eq!(
            sha256d_80_x4(&[h, g, h, g]),
            [h, g, h, g].each_ref().map(sha256d_80)
        );
        assert_eq!(
            sha256d_80_x4(&[h, h, g, g]),
            [h, h, g, g].each_ref().map(sha256d_80)
        );
    }
    // Lanes differing in a single bit, at every position of every lane.
    let base: [u8; 80] = rng.array();
    for lane in 0..4 {
        for bit in 0..640 {
            let mut h = [base; 4];
            h[lane][bit / 8] ^= 1 << (bit % 8);
            assert_eq!(sha256d_80_x4(&h), h.each_ref().map(sha256d_80));
        }
    }
    let base: [u8; 64] = rng.array();
    for lane in 0..4 {
        for bit in 0..512 {
            let mut m = [base; 4];
            m[lane][bit / 8] ^= 1 << (bit % 8);
            assert_eq!(sha256d_64_x4(&m), m.each_ref().map(sha256d_64));
        }
    }
    // All-zero and all-ones bytes, and the streaming hash as a second reference.
    for b in [0x00u8, 0xff, 0x80, 0x01] {
        assert_eq!(sha256d_80_x4(&[[b; 80]; 4]), [sha256d(&[b; 80]); 4]);
        assert_eq!(sha256d_64_x4(&[[b; 64]; 4]), [sha256d(&[b; 64]); 4]);
    }
}

#[wasm_bindgen_test]
fn x4_on_real_mainnet_headers() {
    let headers = pegkit_tests::mainnet_headers_822528_830592();
    assert_eq!(headers.len(), 8065);
    let mut out = vec![[0u8; 32]; headers.len()];
    sha256d_80_many(&headers, &mut out);
    for (i, (h, o)) in headers.iter().zip(&out).enumerate() {
        assert_eq!(*o, sha256d_80(h), "header {i}");
    }
    // Each header's prev-hash field is the previous header's hash.
    for (prev, next) in out.iter().zip(&headers[1..]) {
        assert_eq!(prev[..], next[4..36]);
    }
    // Every alignment of groups of four, and the merkle-node shape on hash pairs.
    for w in headers.windows(4).step_by(7) {
        let h: [[u8; 80]; 4] = w.try_into().unwrap();
        assert_eq!(sha256d_80_x4(&h), h.each_ref().map(sha256d_80));
    }
    let pairs: Vec<[u8; 64]> = out
        .windows(2)
        .map(|p| {
            let mut m = [0u8; 64];
            m[..32].copy_from_slice(&p[0]);
            m[32..].copy_from_slice(&p[1]);
            m
        })
        .collect();
    let mut nodes = vec![[0u8; 32]; pairs.len()];
    sha256d_64_many(&pairs, &mut nodes);
    for (m, n) in pairs.iter().zip(&nodes) {
        assert_eq!(*n, sha256d_64(m));
    }
}

#[wasm_bindgen_test]
fn many_with_lengths_0_to_9_and_mismatches() {
    let mut rng = Rng(9);
    let h: Vec<[u8; 80]> = (0..9).map(|_| rng.array()).collect();
    let m: Vec<[u8; 64]> = (0..9).map(|_| rng.array()).collect();
    for n in 0..=9 {
        for k in 0..=9 {
            let mut out = [[0x5au8; 32]; 9];
            sha256d_80_many(&h[..n], &mut out[..k]);
            for (i, o) in out.iter().enumerate() {
                let want = if i < n.min(k) {
                    sha256d_80(&h[i])
                } else {
                    [0x5a; 32]
                };
                assert_eq!(*o, want, "80: n={n} k={k} i={i}");
            }
            let mut out = [[0x5au8; 32]; 9];
            sha256d_64_many(&m[..n], &mut out[..k]);
            for (i, o) in out.iter().enumerate() {
                let want = if i < n.min(k) {
                    sha256d_64(&m[i])
                } else {
                    [0x5a; 32]
                };
                assert_eq!(*o, want, "64: n={n} k={k} i={i}");
            }
        }
    }
}

/// `engine.clone()`, `update(tail)`, `finalize()`: what `finalize_many` must give for each job.
fn scalar(engine: &HashEngine, tail: &[u8]) -> [u8; 32] {
    let mut e = engine.clone();
    e.update(tail);
    e.finalize()
}

/// `finalize_many` into a fresh vector.
fn many(jobs: &[(&HashEngine, &[u8])]) -> Vec<[u8; 32]> {
    let mut out = vec![[0u8; 32]; jobs.len()];
    finalize_many(jobs, &mut out);
    out
}

#[wasm_bindgen_test]
fn finalize_many_equals_scalar_for_messages_at_any_point_and_of_any_length() {
    let mut rng = Rng(0xfeed_f00d_1234_5678);
    let mut data = vec![0u8; 2048];
    rng.fill(&mut data);
    // Engines that absorbed 0..=130 bytes (0, 1 or 2 blocks compressed, any partial block; one
    // in four tagged) against tails of 0..=200 bytes: 1 to 4 blocks each, mixed, lanes reused.
    let engines: Vec<HashEngine> = (0..=130usize)
        .map(|n| {
            let mut e = if n % 4 == 3 {
                HashEngine::tagged(b"TapSighash")
            } else {
                HashEngine::new()
            };
            e.update(&data[n..2 * n]);
            e
        })
        .collect();
    for count in [0usize, 1, 2, 3, 4, 5, 7, 9, 131] {
        for shift in 0..=200usize {
            let jobs: Vec<(&HashEngine, &[u8])> = (0..count)
                .map(|j| {
                    let e = &engines[(j * 37 + shift) % engines.len()];
                    let len = (j * 53 + shift) % 201;
                    (e, &data[1000 + j % 7..1000 + j % 7 + len])
                })
                .collect();
            let want: Vec<[u8; 32]> = jobs.iter().map(|(e, t)| scalar(e, t)).collect();
            assert_eq!(many(&jobs), want, "{count} jobs, shift {shift}");
        }
    }
    // Random long messages of very different lengths, so lanes finish at different steps.
    for _ in 0..200 {
        let e = HashEngine::new();
        let jobs: Vec<(&HashEngine, &[u8])> = (0..1 + rng.next() % 9)
            .map(|i| {
                let len = (rng.next() % 1024) as usize;
                (&e, &data[i as usize..i as usize + len])
            })
            .collect();
        let want: Vec<[u8; 32]> = jobs.iter().map(|(e, t)| scalar(e, t)).collect();
        assert_eq!(many(&jobs), want);
    }
    // A shorter output slice: only its length is hashed, the rest of `jobs` ignored.
    let e = HashEngine::new();
    let jobs: Vec<(&HashEngine, &[u8])> = (0..6).map(|i| (&e, &data[..i * 70])).collect();
    let mut out = [[0u8; 32]; 3];
    finalize_many(&jobs, &mut out);
    assert_eq!(out.to_vec(), many(&jobs[..3]));
    let mut none: [[u8; 32]; 0] = [];
    finalize_many(&jobs, &mut none);
}

/// Best of `runs` wall-clock times of `f`, in ms.
fn best_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let t = js_sys::Date::now();
            f();
            js_sys::Date::now() - t
        })
        .fold(f64::INFINITY, f64::min)
}

#[wasm_bindgen_test]
fn timing_900000() {
    const N: usize = 900_000;
    let mut header: [u8; 80] = Rng(1).array();
    let headers: Vec<[u8; 80]> = (0..N as u32)
        .map(|i| {
            header[76..].copy_from_slice(&i.to_le_bytes());
            header
        })
        .collect();
    let nodes: Vec<[u8; 64]> = headers
        .iter()
        .map(|h| h[..64].try_into().unwrap())
        .collect();
    let mut scalar = vec![[0u8; 32]; N];
    let mut simd = vec![[0u8; 32]; N];

    let s80 = best_ms(3, || {
        for (h, o) in headers.iter().zip(scalar.iter_mut()) {
            *o = sha256d_80(h);
        }
    });
    let x80 = best_ms(3, || sha256d_80_many(&headers, &mut simd));
    assert!(scalar == simd);
    let s64 = best_ms(3, || {
        for (m, o) in nodes.iter().zip(scalar.iter_mut()) {
            *o = sha256d_64(m);
        }
    });
    let x64 = best_ms(3, || sha256d_64_many(&nodes, &mut simd));
    assert!(scalar == simd);
    console_log!(
        "900000 sha256d_80: scalar {s80} ms, x4 {x80} ms ({:.2}x); 900000 sha256d_64: scalar {s64} ms, x4 {x64} ms ({:.2}x) (best of 3)",
        s80 / x80,
        s64 / x64
    );
}

/// BIP341's leaf hash written out from the BIP with the plain SHA-256: `SHA256(SHA256("TapLeaf")
/// || SHA256("TapLeaf") || version || compact_size(len) || script)`.
fn leaf_reference(version: u8, script: &[u8]) -> [u8; 32] {
    let tag = pegkit_core::hash::sha256(b"TapLeaf");
    let mut m = [tag, tag].concat();
    m.push(version);
    match script.len() {
        n @ 0..=0xfc => m.push(n as u8),
        n @ 0xfd..=0xffff => {
            m.push(0xfd);
            m.extend_from_slice(&(n as u16).to_le_bytes());
        }
        n => {
            m.push(0xfe);
            m.extend_from_slice(&(n as u32).to_le_bytes());
        }
    }
    m.extend_from_slice(script);
    pegkit_core::hash::sha256(&m)
}

/// `SighashCache::with_prevouts_and_leaf` hashes the leaf in the lanes of the transaction-wide
/// hashes: leaves of every length around the block and compact-size boundaries (one-, three- and
/// five-byte lengths), beside transactions of 1 to 40 inputs, give the BIP's leaf hash (computed
/// here from plain SHA-256) and the same sighashes as a cache built without the leaf.
#[wasm_bindgen_test]
fn sighash_cache_hashes_the_leaf_in_lanes_like_alone() {
    use pegkit_core::sighash::{ScriptPath, SighashCache, tap_leaf_hash};
    use pegkit_core::{OutPoint, Transaction, TxIn, TxOut, Txid, Witness};
    let mut rng = Rng(0x1eaf);
    let mut checked = 0;
    for inputs in [1usize, 2, 5, 20, 40] {
        let tx = Transaction {
            version: 2,
            inputs: (0..inputs)
                .map(|i| TxIn {
                    previous_output: OutPoint {
                        txid: Txid::from_byte_array(rng.array()),
                        vout: i as u32,
                    },
                    script_sig: vec![],
                    sequence: rng.next() as u32,
                    witness: Witness::default(),
                })
                .collect(),
            outputs: (0..(rng.next() % 30) as usize)
                .map(|_| TxOut {
                    value: (rng.next() >> 20) as i64,
                    script_pubkey: {
                        let mut s = vec![0u8; (rng.next() % 60) as usize];
                        rng.fill(&mut s);
                        s
                    },
                })
                .collect(),
            lock_time: rng.next() as u32,
        };
        let prevouts: Vec<TxOut> = (0..inputs)
            .map(|_| TxOut {
                value: (rng.next() >> 20) as i64,
                script_pubkey: {
                    let mut s = vec![0u8; 34];
                    rng.fill(&mut s);
                    s
                },
            })
            .collect();
        let alone = SighashCache::with_prevouts(&tx, &prevouts).unwrap();
        for len in [
            0usize, 1, 22, 53, 54, 55, 56, 63, 64, 117, 118, 119, 120, 252, 253, 254, 600, 65_536,
        ] {
            let mut script = vec![0u8; len];
            rng.fill(&mut script);
            let version = [0xc0u8, 0xc2, 0x00][len % 3];
            let (cache, leaf_hash) =
                SighashCache::with_prevouts_and_leaf(&tx, &prevouts, version, &script).unwrap();
            assert_eq!(
                leaf_hash.to_byte_array(),
                leaf_reference(version, &script),
                "leaf of {len} bytes"
            );
            assert_eq!(leaf_hash, tap_leaf_hash(version, &script));
            let path = Some(ScriptPath {
                leaf_hash,
                codesep_pos: u32::MAX,
            });
            // Script path (SIGHASH_DEFAULT) and key path (SIGHASH_ALL): both commit to every
            // transaction-wide hash.
            for (ty, path) in [(0x00, path), (0x01, None)] {
                assert_eq!(
                    cache.taproot_all(ty, None, path).unwrap(),
                    alone.taproot_all(ty, None, path).unwrap(),
                    "{inputs} inputs, leaf of {len} bytes, type {ty}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 5 * 18);
}
