//! Timings of the SPV operations inside wasm, printed (never asserted) so that the same numbers
//! come out of Node and headless Chromium: `wasm-pack test --release --node --test bench_spv --
//! --nocapture` (and the same with `--headless --chrome`).

#![allow(clippy::unwrap_used)]

use js_sys::{Array, Uint8Array};
use pegkit_core::{Block, Decode};
use pegkit_wasm::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

fn median_ms(rounds: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut v: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = js_sys::Date::now();
            f();
            js_sys::Date::now() - t
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[wasm_bindgen_test]
fn spv_timings() {
    let raw = pegkit_tests::mainnet_headers_822528_830592();
    let mut all = Vec::with_capacity(raw.len() * 80);
    for h in &raw {
        all.extend_from_slice(h);
    }
    let bytes: JsValue = Uint8Array::from(all.as_slice()).into();
    let ms = median_ms(9, || {
        for _ in 0..10 {
            JsHeaderChain::from_headers("mainnet", 822_528, bytes.clone(), None).unwrap();
        }
    }) / 10.0;
    console_log!(
        "header chain, 8065 real headers: {ms:.2} ms = {:.0} headers/s",
        8065.0 / ms * 1000.0
    );

    let proofs: Vec<JsValue> = pegkit_tests::mainnet_txoutproofs_830000()
        .iter()
        .map(|p| Uint8Array::from(p.proof.as_slice()).into())
        .collect();
    let ms = median_ms(15, || {
        for _ in 0..100 {
            for p in &proofs {
                verify_tx_out_proof(p.clone()).unwrap();
            }
        }
    });
    console_log!(
        "gettxoutproof verify: {:.2} us each = {:.0} proofs/s",
        ms * 1000.0 / 600.0,
        600.0 / ms * 1000.0
    );

    let block = Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap();
    let txids: Array = block
        .txids()
        .iter()
        .map(|t| JsValue::from(t.to_string()))
        .collect();
    let txids: JsValue = txids.into();
    let ms = median_ms(15, || {
        for _ in 0..10 {
            merkle_root_js(txids.clone()).unwrap();
        }
    });
    console_log!(
        "merkle root of block 830000: {:.3} ms = {:.0} roots/s",
        ms / 10.0,
        10.0 / ms * 1000.0
    );
}
