//! The wasm bindings on upstream vectors, in Node (`wasm-pack test --node`) and in headless
//! Chromium (`WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome`): the exported
//! functions are called exactly as JavaScript calls them, with `Uint8Array`s and hex strings.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use js_sys::{Array, Reflect, Uint8Array};
use pegkit_core::hex;
use pegkit_core::merkle::merkle_root;
use pegkit_wasm::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn u8a(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap()
}

fn s(obj: &JsValue, key: &str) -> String {
    get(obj, key).as_string().unwrap()
}

/// The thrown value is a `PegkitError`: an `Error` whose `name` is PegkitError, with `code`.
fn code_of(err: JsValue) -> String {
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "thrown value is an Error"
    );
    assert_eq!(s(&err, "name"), "PegkitError");
    s(&err, "code")
}

#[wasm_bindgen_test]
fn bip340_all_rows() {
    let rows = pegkit_tests::bip340();
    assert_eq!(rows.len(), 19);
    for r in &rows {
        // Bytes as Uint8Array for the key, hex (upper case) for the signature.
        let valid = schnorr_verify(
            u8a(&r.public_key),
            u8a(&r.message),
            hex::encode(&r.signature).to_uppercase().into(),
        )
        .unwrap();
        assert_eq!(valid, r.valid, "row {} verify", r.index);
        if let (Some(sk), Some(aux)) = (&r.secret_key, &r.aux_rand) {
            let aux: JsValue = hex::encode(aux).into();
            let sig = schnorr_sign(u8a(sk), u8a(&r.message), Some(aux.unchecked_into())).unwrap();
            assert_eq!(sig, r.signature, "row {} signature", r.index);
            assert_eq!(
                schnorr_public_key(u8a(sk)).unwrap(),
                r.public_key,
                "row {} public key",
                r.index
            );
        }
    }
}

#[wasm_bindgen_test]
fn schnorr_with_platform_randomness_verifies() {
    let sk = [7u8; 32];
    let pk = schnorr_public_key(u8a(&sk)).unwrap();
    let a = schnorr_sign(u8a(&sk), "cafe".into(), None).unwrap();
    let b = schnorr_sign(u8a(&sk), "cafe".into(), None).unwrap();
    assert_ne!(a, b, "fresh aux randomness each time");
    assert!(schnorr_verify(u8a(&pk), "cafe".into(), u8a(&a)).unwrap());
    assert!(schnorr_verify(u8a(&pk), "cafe".into(), u8a(&b)).unwrap());
    assert!(!schnorr_verify(u8a(&pk), "cafd".into(), u8a(&a)).unwrap());
}

#[wasm_bindgen_test]
fn core_tx_vectors_round_trip() {
    let vectors = pegkit_tests::core_txs();
    assert_eq!(vectors.len(), 121 + 93);
    for t in &vectors {
        let decoded = decode_transaction(u8a(&t.tx)).unwrap();
        assert_eq!(get(&decoded, "size").as_f64(), Some(t.tx.len() as f64));
        let again = encode_transaction(decoded.clone()).unwrap();
        assert_eq!(again, t.tx, "{:?} #{} re-encodes", t.file, t.index);
        assert_eq!(
            txid(hex::encode(&t.tx).into()).unwrap(),
            s(&decoded, "txid")
        );
        assert_eq!(wtxid(u8a(&t.tx)).unwrap(), s(&decoded, "wtxid"));
    }
}

#[wasm_bindgen_test]
fn mainnet_blocks_0_255_and_830000() {
    let upstream = pegkit_tests::mainnet_block_830000_txids();
    let mut blocks = pegkit_tests::mainnet_blocks_0_255();
    blocks.push(pegkit_tests::mainnet_block_830000());
    let mut total = 0;
    for (i, raw) in blocks.iter().enumerate() {
        let block = decode_block(u8a(raw)).unwrap();
        let header = get(&block, "header");
        let txs: Array = get(&block, "transactions").unchecked_into();
        let mut rebuilt = raw[..80].to_vec();
        let mut txids = Vec::new();
        for tx in txs.iter() {
            let bytes = encode_transaction(tx.clone()).unwrap();
            assert_eq!(txid(u8a(&bytes)).unwrap(), s(&tx, "txid"));
            txids.push(s(&tx, "txid").parse().unwrap());
            rebuilt.extend_from_slice(&bytes);
        }
        // Header, then CompactSize count, then the transactions: compare around the count.
        assert!(
            raw.ends_with(&rebuilt[80..]),
            "block #{i} transactions re-encode"
        );
        assert_eq!(
            merkle_root(&txids).unwrap().root.to_string(),
            s(&header, "merkleRoot"),
            "block #{i}: txids are the merkle leaves"
        );
        total += txids.len();
        if i == 256 {
            assert_eq!(s(&header, "hash"), upstream.hash);
            let ours: Vec<String> = txids.iter().map(ToString::to_string).collect();
            assert_eq!(ours, upstream.txids);
        }
    }
    assert!(total > 256 + 1851);
}

#[wasm_bindgen_test]
fn mainnet_headers_window() {
    let headers = pegkit_tests::mainnet_headers_822528_830592();
    assert_eq!(headers.len(), 8065);
    let mut prev: Option<String> = None;
    for h in &headers {
        let d = decode_header(u8a(h)).unwrap();
        if let Some(p) = &prev {
            assert_eq!(&s(&d, "prevHash"), p);
        }
        assert_eq!(block_hash(u8a(h)).unwrap(), s(&d, "hash"));
        assert_eq!(encode_header(d.clone()).unwrap(), h.to_vec());
        prev = Some(s(&d, "hash"));
    }
}

#[wasm_bindgen_test]
fn errors_are_pegkit_errors_with_codes() {
    assert_eq!(
        code_of(decode_transaction("010000".into()).unwrap_err()),
        "truncated"
    );
    assert_eq!(
        code_of(decode_transaction("0100000000000000000000".into()).unwrap_err()),
        "trailing_bytes"
    );
    assert_eq!(
        code_of(decode_transaction("01000000fd0100".into()).unwrap_err()),
        "non_canonical_compact_size"
    );
    assert_eq!(
        code_of(decode_transaction("01000000feffffff00".into()).unwrap_err()),
        "length_too_large"
    );
    let superfluous = format!("01000000000101{}00ffffffff000000000000", "00".repeat(36));
    assert_eq!(
        code_of(decode_transaction(superfluous.into()).unwrap_err()),
        "superfluous_witness"
    );
    assert_eq!(
        code_of(decode_transaction("0100000000020000000000".into()).unwrap_err()),
        "unknown_segwit_flag"
    );
    assert_eq!(
        code_of(decode_transaction("0g".into()).unwrap_err()),
        "invalid_hex"
    );
    assert_eq!(
        code_of(decode_transaction("abc".into()).unwrap_err()),
        "invalid_hex"
    );
    assert_eq!(
        code_of(decode_transaction(JsValue::from(5)).unwrap_err()),
        "invalid_argument"
    );
    assert_eq!(
        code_of(decode_header("00".into()).unwrap_err()),
        "invalid_length"
    );
    assert_eq!(
        code_of(schnorr_sign(u8a(&[0; 32]), "".into(), None).unwrap_err()),
        "invalid_secret_key"
    );
    assert_eq!(
        code_of(schnorr_sign(u8a(&[1; 31]), "".into(), None).unwrap_err()),
        "invalid_length"
    );
    let aux: JsValue = "00".into();
    assert_eq!(
        code_of(schnorr_sign(u8a(&[1; 32]), "".into(), Some(aux.unchecked_into())).unwrap_err()),
        "invalid_length"
    );
    assert_eq!(
        code_of(schnorr_verify(u8a(&[5; 33]), "".into(), u8a(&[0; 64])).unwrap_err()),
        "invalid_key"
    );
    assert_eq!(
        code_of(schnorr_verify(u8a(&[2; 31]), "".into(), u8a(&[0; 64])).unwrap_err()),
        "invalid_length"
    );
    assert_eq!(
        code_of(schnorr_verify(u8a(&[2; 32]), "".into(), u8a(&[0; 63])).unwrap_err()),
        "invalid_length"
    );
    // An x coordinate with no curve point verifies as false (BIP340 row 5's key).
    let off_curve = "eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34";
    assert!(!schnorr_verify(off_curve.into(), "".into(), u8a(&[1; 64])).unwrap());
    let empty_with_outputs = js_sys::JSON::parse(
        r#"{"version":2,"lockTime":0,"inputs":[],"outputs":[{"amount":1,"scriptPubKey":"51"}]}"#,
    )
    .unwrap();
    assert_eq!(
        code_of(encode_transaction(empty_with_outputs).unwrap_err()),
        "ambiguous_encoding"
    );
    let bad_amount = js_sys::JSON::parse(
        r#"{"version":2,"lockTime":0,"inputs":[],"outputs":[{"amount":1.5,"scriptPubKey":"51"}]}"#,
    )
    .unwrap();
    assert_eq!(
        code_of(encode_transaction(bad_amount).unwrap_err()),
        "invalid_argument"
    );
}
