//! SPV through the wasm bindings, in Node and headless Chromium: the real mainnet window, Core's
//! `gettxoutproof` proofs, every transaction of block 830000, peg-ins (real and synthetic, with
//! refusals), and a 900,000-header chain.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use js_sys::{Array, BigInt, Reflect, Uint8Array};
use pegkit_core::merkle::MerkleBlock;
use pegkit_core::params::Network;
use pegkit_core::{Block, Decode, Encode, Header, TxOut, hex};
use pegkit_tests::fixtures::{self, FEDERATION_SCRIPT};
use pegkit_wasm::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap()
}

fn s(obj: &JsValue, key: &str) -> String {
    get(obj, key).as_string().unwrap()
}

fn u8a(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

fn code_of(err: JsValue) -> String {
    assert!(err.is_instance_of::<js_sys::Error>());
    s(&err, "code")
}

fn concat(headers: &[Header]) -> JsValue {
    let mut all = Vec::with_capacity(headers.len() * 80);
    for h in headers {
        all.extend_from_slice(&h.to_array());
    }
    u8a(&all)
}

fn window() -> Vec<Header> {
    pegkit_tests::mainnet_headers_822528_830592()
        .iter()
        .map(Header::from_bytes)
        .collect()
}

fn bigint_hex(v: &JsValue) -> String {
    let b: BigInt = v.clone().unchecked_into();
    String::from(b.to_string(16).unwrap())
}

fn chainwork_hex(height: u32) -> String {
    let b = pegkit_tests::mainnet_retarget_boundaries();
    b.iter()
        .find(|e| e.height == height)
        .unwrap()
        .chainwork
        .trim_start_matches('0')
        .to_string()
}

#[wasm_bindgen_test]
fn real_window_from_headers_and_with_full_history() {
    let w = window();
    let chain = JsHeaderChain::from_headers("mainnet", 822_528, concat(&w), None).unwrap();
    let tip = chain.tip();
    assert_eq!(get(&tip, "height").as_f64(), Some(830_592.0));
    assert_eq!(s(&tip, "hash"), w.last().unwrap().block_hash().to_string());
    assert_eq!(chain.height(), 830_592);
    let h830000 = w[(830_000 - 822_528) as usize].block_hash().to_string();
    assert_eq!(chain.confirmations(&h830000).unwrap(), Some(593));

    // Anchor at 822539 with its history; chainwork must land on Bitcoin Core's.
    let b = pegkit_tests::mainnet_retarget_boundaries();
    let base = b
        .iter()
        .find(|e| e.height == 822_527)
        .unwrap()
        .chainwork
        .clone();
    let base = BigInt::new(&JsValue::from_str(&format!("0x{base}"))).unwrap();
    let per = BigInt::new(&JsValue::from_str(&format!(
        "0x{}",
        pegkit_core::pow::work(w[0].bits.decode().target)
    )))
    .unwrap();
    let chainwork = base + per * BigInt::from(12);
    let prev: Array = w[..11].iter().map(|h| JsValue::from(h.time)).collect();
    let anchor = js_sys::Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&anchor, &JsValue::from_str(k), &v).unwrap();
    set("height", JsValue::from(822_539));
    set("header", hex::encode(&w[11].to_array()).into());
    set("chainwork", chainwork.into());
    set("prevTimes", prev.into());
    let ps = js_sys::Object::new();
    Reflect::set(&ps, &"time".into(), &JsValue::from(w[0].time)).unwrap();
    Reflect::set(&ps, &"bits".into(), &format!("{}", w[0].bits).into()).unwrap();
    set("periodStart", ps.into());
    let mut full = JsHeaderChain::new("mainnet", anchor.into()).unwrap();
    let summary = full.add_headers(concat(&w[12..]), None).unwrap();
    assert_eq!(get(&summary, "added").as_f64(), Some((w.len() - 12) as f64));
    assert!(get(&summary, "reorg").is_null());
    assert_eq!(
        bigint_hex(&get(&full.tip(), "chainwork")),
        chainwork_hex(830_592)
    );
    // Save and restore.
    let restored = JsHeaderChain::restore("mainnet", u8a(&full.serialize())).unwrap();
    assert_eq!(s(&restored.tip(), "hash"), s(&full.tip(), "hash"));
    // The stale competitor was pruned away with its parent; a broken header names its position.
    let mut bad = w[100];
    bad.nonce ^= 1;
    let err = full.add_headers(concat(&[w[8000], bad]), None).unwrap_err();
    assert_eq!(s(&err, "code"), "high_hash");
    assert_eq!(get(&err, "index").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn real_txoutproofs_and_every_transaction_of_830000() {
    for p in pegkit_tests::mainnet_txoutproofs_830000() {
        let v = verify_tx_out_proof(u8a(&p.proof)).unwrap();
        assert_eq!(s(&v, "blockHash"), p.block_hash);
        assert_eq!(get(&v, "txCount").as_f64(), Some(f64::from(p.tx_count)));
        let m: Array = get(&v, "matches").unchecked_into();
        assert_eq!(m.length() as usize, p.txids.len());
        for (x, (i, t)) in m.iter().zip(p.tx_indexes.iter().zip(&p.txids)) {
            assert_eq!(
                (get(&x, "index").as_f64(), s(&x, "txid")),
                (Some(f64::from(*i)), t.clone())
            );
        }
        // pegkit builds Core's exact bytes.
        let block = Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap();
        let txids: Array = block
            .txids()
            .iter()
            .map(|t| JsValue::from(t.to_string()))
            .collect();
        let built = build_tx_out_proof(
            u8a(&block.header.to_array()),
            txids.into(),
            p.tx_indexes.clone(),
        )
        .unwrap();
        assert_eq!(built, p.proof);
    }
    let block = Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap();
    let txids: Array = block
        .txids()
        .iter()
        .map(|t| JsValue::from(t.to_string()))
        .collect();
    let root = block.header.merkle_root.to_string();
    assert_eq!(
        s(&merkle_root_js(txids.clone().into()).unwrap(), "merkleRoot"),
        root
    );
    for i in 0..txids.length() {
        let proof = merkle_proof(txids.clone().into(), i).unwrap();
        let txid = s(&proof, "txid");
        assert!(
            verify_merkle_proof(&txid, i, get(&proof, "branch"), &root).unwrap(),
            "tx {i}"
        );
        assert!(
            !verify_merkle_proof(&txid, i ^ 1, get(&proof, "branch"), &root).unwrap() || i == 1850
        );
    }
}

fn pegin_request(
    tx: &pegkit_core::Transaction,
    proof: &MerkleBlock,
    policy: Option<&str>,
) -> JsValue {
    let json = format!(
        r#"{{"tx":"{}","proof":"{}","federationScriptPubkeys":["{}"]{}}}"#,
        hex::encode(&tx.to_bytes()),
        hex::encode(&proof.to_bytes()),
        hex::encode(&FEDERATION_SCRIPT),
        policy
            .map(|p| format!(r#","policy":{p}"#))
            .unwrap_or_default()
    );
    js_sys::JSON::parse(&json).unwrap()
}

#[wasm_bindgen_test]
fn pegins() {
    // Real mainnet data shaped as a peg-in: tx 1 of block 830000, its first output's script as
    // the federation, the real gettxoutproof, the real header window.
    let block = Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap();
    let tx = &block.transactions[1];
    let proof = &pegkit_tests::mainnet_txoutproofs_830000()[1];
    let chain = JsHeaderChain::from_headers("mainnet", 822_528, concat(&window()), None).unwrap();
    let req = js_sys::JSON::parse(&format!(
        r#"{{"tx":"{}","proof":"{}","federationScriptPubkeys":["{}"]}}"#,
        hex::encode(&tx.to_bytes()),
        hex::encode(&proof.proof),
        hex::encode(&tx.outputs[0].script_pubkey)
    ))
    .unwrap();
    let v = verify_peg_in_js(&chain, req).unwrap();
    assert_eq!(
        (
            get(&v, "height").as_f64(),
            get(&v, "confirmations").as_f64()
        ),
        (Some(830_000.0), Some(593.0))
    );
    assert_eq!(s(&v, "txid"), tx.txid().to_string());

    // Synthetic regtest peg-in with a destination, then one refusal per rule.
    let dest = [0x5a; 20];
    let good = fixtures::payment(vec![
        TxOut {
            value: 70_000,
            script_pubkey: FEDERATION_SCRIPT.to_vec(),
        },
        fixtures::op_return(format!("0x{}", hex::encode(&dest).to_uppercase()).as_bytes()),
        TxOut {
            value: 30_000,
            script_pubkey: FEDERATION_SCRIPT.to_vec(),
        },
    ]);
    let f = fixtures::pegin_chain(good.clone(), 20, 7);
    let chain = JsHeaderChain::from_headers("regtest", 0, concat(&f.headers), None).unwrap();
    let v = verify_peg_in_js(&chain, pegin_request(&good, &f.proof, None)).unwrap();
    assert_eq!(bigint_hex(&get(&v, "total")), format!("{:x}", 100_000));
    assert_eq!(bigint_hex(&get(&v, "credited")), format!("{:x}", 99_000));
    assert_eq!(s(&v, "destination"), format!("0x{}", hex::encode(&dest)));
    assert_eq!(get(&v, "confirmations").as_f64(), Some(8.0));
    let outputs: Array = get(&v, "outputs").unchecked_into();
    assert_eq!(outputs.length(), 2);

    let refused = |req: JsValue| code_of(verify_peg_in_js(&chain, req).unwrap_err());
    assert_eq!(
        refused(pegin_request(
            &good,
            &f.proof,
            Some(r#"{"minConfirmations":9}"#)
        )),
        "insufficient_confirmations"
    );
    assert_eq!(
        refused(pegin_request(
            &good,
            &f.proof,
            Some(r#"{"minAmount":100001}"#)
        )),
        "amount_below_minimum"
    );
    assert_eq!(
        refused(pegin_request(
            &good,
            &f.proof,
            Some(r#"{"maxAmount":99999}"#)
        )),
        "amount_above_maximum"
    );
    assert_eq!(
        refused(pegin_request(&f.coinbase, &f.proof, None)),
        "tx_not_in_proof"
    );
    let short = JsHeaderChain::from_headers("regtest", 0, concat(&f.headers[..20]), None).unwrap();
    assert_eq!(
        code_of(verify_peg_in_js(&short, pegin_request(&good, &f.proof, None)).unwrap_err()),
        "block_not_in_chain"
    );
    let mut bad = good.clone();
    bad.outputs[1] = fixtures::op_return(b"0x12");
    let g = fixtures::pegin_chain(bad.clone(), 20, 7);
    let gchain = JsHeaderChain::from_headers("regtest", 0, concat(&g.headers), None).unwrap();
    assert_eq!(
        code_of(verify_peg_in_js(&gchain, pegin_request(&bad, &g.proof, None)).unwrap_err()),
        "invalid_destination"
    );
}

#[wasm_bindgen_test]
fn chain_of_900000_headers() {
    let p = Network::Regtest.params();
    let t0 = js_sys::Date::now();
    let headers = pegkit_tests::mine::extend(&p.genesis, 900_000, 600, p.genesis.bits);
    let mined = js_sys::Date::now() - t0;
    let bytes = concat(&headers);
    let t1 = js_sys::Date::now();
    let mut chain = JsHeaderChain::from_genesis("regtest").unwrap();
    let summary = chain.add_headers(bytes, None).unwrap();
    let verified = js_sys::Date::now() - t1;
    assert_eq!(get(&summary, "added").as_f64(), Some(900_000.0));
    assert_eq!(chain.height(), 900_000);
    assert_eq!(
        s(&chain.tip(), "hash"),
        headers.last().unwrap().block_hash().to_string()
    );
    assert!(
        chain.stored_headers() < 10_000,
        "bounded memory: {} stored",
        chain.stored_headers()
    );

    // The same chain as a peer delivers it: `headers` messages of at most 2000.
    let t2 = js_sys::Date::now();
    let mut batched = JsHeaderChain::from_genesis("regtest").unwrap();
    for batch in headers.chunks(2000) {
        let summary = batched.add_headers(concat(batch), None).unwrap();
        assert_eq!(get(&summary, "added").as_f64(), Some(batch.len() as f64));
    }
    let verified_batched = js_sys::Date::now() - t2;
    assert_eq!(batched.height(), 900_000);
    assert_eq!(s(&batched.tip(), "hash"), s(&chain.tip(), "hash"));
    console_log!(
        "900000 regtest headers: mined in {mined} ms, verified (HeaderChain.addHeaders) in {verified} ms \
         in one call, {verified_batched} ms in 450 calls of 2000"
    );
}
