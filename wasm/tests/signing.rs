//! Signing through the wasm bindings, in Node and headless Chromium: the sighash functions on
//! Bitcoin Core's `sighash.json`, BIP143's examples and BIP341's wallet vectors (used unchanged,
//! see tests/vectors/PROVENANCE.md), taproot and P2WSH federations signed, collected, finalized
//! and checked, and every refusal with its code.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use js_sys::{Array, BigInt, JSON, Reflect, Uint8Array};
use pegkit_core::ecdsa::PublicKey;
use pegkit_core::schnorr::SecretKey;
use pegkit_core::{Decode, Encode, OutPoint, Transaction, TxIn, TxOut, Txid, Witness, hex};
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

fn bytes_of(v: &JsValue) -> Vec<u8> {
    v.dyn_ref::<Uint8Array>().expect("a Uint8Array").to_vec()
}

fn list(v: &JsValue) -> Vec<JsValue> {
    v.dyn_ref::<Array>().expect("an array").iter().collect()
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn arr<I: IntoIterator<Item = JsValue>>(items: I) -> JsValue {
    items.into_iter().collect::<Array>().into()
}

fn num(n: f64) -> JsValue {
    JsValue::from_f64(n)
}

/// The thrown value is a `PegkitError` (an `Error` named PegkitError); returns its code.
fn code_of(err: JsValue) -> String {
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "thrown value is an Error"
    );
    assert_eq!(s(&err, "name"), "PegkitError");
    s(&err, "code")
}

/// The code and `inputIndex` of a thrown `PegkitError`.
fn code_input(err: JsValue) -> (String, Option<f64>) {
    let input = get(&err, "inputIndex").as_f64();
    (code_of(err), input)
}

fn json(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

// ---- sighash vectors ----

/// Bitcoin Core's `sighash.json` (bitcoin/bitcoin src/test/data): `[raw_tx, script, input_index,
/// hashType, sighash in display order]`, hash types signed as Core writes them.
#[wasm_bindgen_test]
fn core_sighash_json_all_500() {
    let rows = list(&json(include_str!(
        "../../tests/vectors/bitcoin-core/sighash.json"
    )));
    let mut n = 0;
    for row in rows.iter().skip(1) {
        let r = list(row);
        let raw = r[0].as_string().unwrap();
        // Alternate hex and Uint8Array arguments.
        let (tx, script) = if n % 2 == 0 {
            (r[0].clone(), r[1].clone())
        } else {
            (
                u8a(&hex::decode(&raw).unwrap()),
                u8a(&hex::decode(&r[1].as_string().unwrap()).unwrap()),
            )
        };
        let index = r[2].as_f64().unwrap() as u32;
        let got = sighash_legacy(tx, index, script, r[3].clone()).unwrap();
        let mut want = hex::decode(&r[4].as_string().unwrap()).unwrap();
        want.reverse();
        assert_eq!(got, want, "sighash.json row {n}");
        n += 1;
    }
    assert_eq!(n, 500);
}

/// BIP143's examples (bitcoin/bips bip-0143.mediawiki), amounts as bigint and as number.
#[wasm_bindgen_test]
fn bip143_examples_all_14() {
    let v = json(include_str!(
        "../../tests/vectors/bips/bip143-examples.json"
    ));
    let mut n = 0;
    for e in list(&get(&v, "vectors")) {
        let amount = get(&e, "amount_sats");
        let amount = if n % 2 == 0 {
            BigInt::new(&amount).unwrap().into()
        } else {
            amount
        };
        let got = sighash_segwit_v0(
            get(&e, "tx"),
            get(&e, "input_index").as_f64().unwrap() as u32,
            get(&e, "script_code"),
            amount,
            get(&e, "sighash_type"),
        )
        .unwrap();
        assert_eq!(hex::encode(&got), s(&e, "sighash"), "{}", s(&e, "section"));
        n += 1;
    }
    assert_eq!(n, 14);
}

fn bip341() -> JsValue {
    json(include_str!(
        "../../tests/vectors/bips/bip341-wallet-test-vectors.json"
    ))
}

/// BIP341's wallet vectors (bitcoin/bips bip-0341/wallet-test-vectors.json): every key-path
/// sighash, and every leaf hash of the scriptPubKey cases (leaf versions 0xc0 and others).
#[wasm_bindgen_test]
fn bip341_key_path_sighashes_and_leaf_hashes() {
    let v = bip341();
    let k = list(&get(&v, "keyPathSpending")).remove(0);
    let given = get(&k, "given");
    let prevouts = arr(list(&get(&given, "utxosSpent")).iter().map(|u| {
        obj(&[
            ("amount", get(u, "amountSats")),
            ("scriptPubKey", get(u, "scriptPubKey")),
        ])
    }));
    let mut n = 0;
    for spend in list(&get(&k, "inputSpending")) {
        let g = get(&spend, "given");
        let got = sighash_taproot(
            get(&given, "rawUnsignedTx"),
            get(&g, "txinIndex").as_f64().unwrap() as u32,
            prevouts.clone(),
            get(&g, "hashType"),
            None,
        )
        .unwrap();
        assert_eq!(
            hex::encode(&got),
            s(&get(&spend, "intermediary"), "sigHash"),
            "input {n}"
        );
        // Every input at once with this input's type: the same hash at this input's index
        // (SIGHASH_SINGLE types are skipped: the vector has more inputs than outputs).
        let ty = get(&g, "hashType").as_f64().unwrap() as u32;
        if ty & 3 != 3 {
            let all = sighashes_taproot(
                get(&given, "rawUnsignedTx"),
                prevouts.clone(),
                get(&g, "hashType"),
                None,
            )
            .unwrap();
            let index = get(&g, "txinIndex").as_f64().unwrap() as u32;
            assert_eq!(
                hex::encode(&Uint8Array::new(&all.get(index)).to_vec()),
                s(&get(&spend, "intermediary"), "sigHash"),
                "input {n}, all at once"
            );
        }
        n += 1;
    }
    assert_eq!(n, 7);

    let mut leaves = 0;
    for case in list(&get(&v, "scriptPubKey")) {
        let hashes = get(&get(&case, "intermediary"), "leafHashes");
        if hashes.is_undefined() || hashes.is_null() {
            continue;
        }
        let mut scripts = Vec::new();
        collect_leaves(&get(&get(&case, "given"), "scriptTree"), &mut scripts);
        scripts.sort_by_key(|l| get(l, "id").as_f64().unwrap() as u32);
        for (leaf, want) in scripts.iter().zip(list(&hashes)) {
            let got =
                tap_leaf_hash_js(get(leaf, "script"), get(leaf, "leafVersion").as_f64()).unwrap();
            assert_eq!(hex::encode(&got), want.as_string().unwrap());
            leaves += 1;
        }
    }
    assert!(leaves >= 7, "{leaves} leaves");
}

fn collect_leaves(tree: &JsValue, out: &mut Vec<JsValue>) {
    if Array::is_array(tree) {
        list(tree).iter().for_each(|c| collect_leaves(c, out));
    } else if tree.is_object() {
        out.push(tree.clone());
    }
}

#[wasm_bindgen_test]
fn sighash_refusals_are_named() {
    let v = bip341();
    let k = list(&get(&v, "keyPathSpending")).remove(0);
    let given = get(&k, "given");
    let tx = get(&given, "rawUnsignedTx");
    let utxos = list(&get(&given, "utxosSpent"));
    let prevouts = arr(utxos.iter().map(|u| {
        obj(&[
            ("amount", get(u, "amountSats")),
            ("scriptPubKey", get(u, "scriptPubKey")),
        ])
    }));
    let taproot = |index: u32, ty: f64, prevouts: JsValue, options: Option<JsValue>| {
        sighash_taproot(
            tx.clone(),
            index,
            prevouts,
            num(ty),
            options.map(JsCast::unchecked_into),
        )
        .map_err(code_input)
    };
    for bad in [4.0, 128.0, 132.0, 256.0, -1.0] {
        assert_eq!(
            taproot(0, bad, prevouts.clone(), None).unwrap_err().0,
            "invalid_sighash_type",
            "type {bad}"
        );
    }
    assert_eq!(
        taproot(9, 0.0, prevouts.clone(), None).unwrap_err(),
        ("input_index_out_of_range".into(), Some(9.0))
    );
    let fewer = arr(list(&prevouts).into_iter().skip(1));
    assert_eq!(
        taproot(0, 0.0, fewer, None).unwrap_err().0,
        "prevouts_mismatch"
    );
    // 9 inputs, 2 outputs: SIGHASH_SINGLE for input 3 has no output.
    assert_eq!(
        taproot(3, 3.0, prevouts.clone(), None).unwrap_err(),
        ("sighash_single_out_of_range".into(), Some(3.0))
    );
    let annex = obj(&[("annex", JsValue::from_str("51"))]);
    assert_eq!(
        taproot(0, 0.0, prevouts.clone(), Some(annex))
            .unwrap_err()
            .0,
        "invalid_annex"
    );
    let codesep = obj(&[("codesepPos", num(1.0))]);
    assert_eq!(
        taproot(0, 0.0, prevouts.clone(), Some(codesep))
            .unwrap_err()
            .0,
        "invalid_argument"
    );
    let odd_version = obj(&[
        ("leafScript", JsValue::from_str("51")),
        ("leafVersion", num(0xc1 as f64)),
    ]);
    assert_eq!(
        taproot(0, 0.0, prevouts.clone(), Some(odd_version))
            .unwrap_err()
            .0,
        "invalid_argument"
    );
    let bad_amount = arr([obj(&[
        ("amount", num(0.5)),
        ("scriptPubKey", JsValue::from_str("51")),
    ])]);
    assert_eq!(
        taproot(0, 0.0, bad_amount, None).unwrap_err().0,
        "invalid_argument"
    );
    // A script path with an annex and a code separator position is accepted and differs from
    // the key path.
    let key_path = taproot(0, 0.0, prevouts.clone(), None).unwrap();
    let script_path = obj(&[
        ("leafScript", JsValue::from_str("51")),
        ("annex", JsValue::from_str("50ab")),
        ("codesepPos", num(0.0)),
    ]);
    assert_ne!(
        taproot(0, 0.0, prevouts.clone(), Some(script_path)).unwrap(),
        key_path
    );

    let legacy = |index: u32, ty: JsValue| {
        sighash_legacy(tx.clone(), index, JsValue::from_str("51"), ty).map_err(code_input)
    };
    assert_eq!(
        legacy(9, num(1.0)).unwrap_err(),
        ("input_index_out_of_range".into(), Some(9.0))
    );
    // Signed and unsigned views of the same 32 bits hash alike; beyond 32 bits is refused.
    assert_eq!(
        legacy(0, num(-1.0)).unwrap(),
        legacy(0, num(4_294_967_295.0)).unwrap()
    );
    assert_eq!(
        legacy(0, num(4_294_967_296.0)).unwrap_err().0,
        "invalid_argument"
    );
    assert_eq!(
        legacy(0, JsValue::from_str("1")).unwrap_err().0,
        "invalid_argument"
    );
    assert_eq!(
        sighash_segwit_v0(
            tx.clone(),
            0,
            JsValue::from_str("51"),
            JsValue::from_str("1000"),
            num(1.0)
        )
        .map_err(code_of)
        .unwrap_err(),
        "invalid_argument"
    );
}

// ---- federations ----

fn secret(i: u8) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[31] = i;
    k[0] = 0x5a;
    k
}

fn xonly(i: u8) -> Vec<u8> {
    schnorr_public_key(u8a(&secret(i))).unwrap()
}

fn compressed(i: u8) -> Vec<u8> {
    PublicKey::from_secret_key(&SecretKey::from_bytes(&secret(i)).unwrap())
        .to_bytes()
        .to_vec()
}

fn federation(options: JsValue) -> Result<JsFederation, String> {
    JsFederation::new(options.unchecked_into()).map_err(code_of)
}

fn taproot_3_of_5() -> JsFederation {
    federation(obj(&[
        ("network", "regtest".into()),
        ("threshold", num(3.0)),
        // Mixed forms: x-only bytes, x-only hex, compressed (parity dropped).
        (
            "publicKeys",
            arr([
                u8a(&xonly(1)),
                hex::encode(&xonly(2)).into(),
                u8a(&compressed(3)),
                u8a(&xonly(4)),
                u8a(&xonly(5)),
            ]),
        ),
        (
            "recovery",
            obj(&[
                ("afterBlocks", num(144.0)),
                ("threshold", num(2.0)),
                (
                    "publicKeys",
                    arr([u8a(&xonly(6)), u8a(&xonly(7)), u8a(&xonly(1))]),
                ),
            ]),
        ),
    ]))
    .unwrap()
}

fn p2wsh_2_of_3() -> JsFederation {
    federation(obj(&[
        ("network", "testnet4".into()),
        ("threshold", num(2.0)),
        ("kind", "p2wsh".into()),
        (
            "publicKeys",
            arr([
                u8a(&compressed(1)),
                u8a(&compressed(2)),
                u8a(&compressed(3)),
            ]),
        ),
    ]))
    .unwrap()
}

/// A spend of `n` outputs of `script` (amounts 10,000·(i+1) sat) to one output.
fn spend(script: &[u8], n: usize, sequence: u32) -> (Vec<u8>, JsValue) {
    let tx = Transaction {
        version: 2,
        inputs: (0..n)
            .map(|i| TxIn {
                previous_output: OutPoint {
                    txid: Txid::from_byte_array([i as u8 + 1; 32]),
                    vout: i as u32,
                },
                script_sig: vec![],
                sequence,
                witness: Witness::default(),
            })
            .collect(),
        outputs: vec![TxOut {
            value: 9_000,
            script_pubkey: [&[0x00, 0x14][..], &[0xaa; 20]].concat(),
        }],
        lock_time: 0,
    };
    let prevouts = arr((0..n).map(|i| {
        let amount: JsValue = if i % 2 == 0 {
            BigInt::from(10_000 * (i as u64 + 1)).into()
        } else {
            num(10_000.0 * (i as f64 + 1.0))
        };
        obj(&[("amount", amount), ("scriptPubKey", u8a(script))])
    }));
    (tx.to_bytes(), prevouts)
}

fn sign(
    fed: &JsFederation,
    tx: &[u8],
    prevouts: &JsValue,
    key: u8,
    aux: Option<u8>,
    leaf: Option<&str>,
) -> Result<JsValue, (String, Option<f64>)> {
    let mut pairs = Vec::new();
    if let Some(a) = aux {
        pairs.push(("auxRand", u8a(&[a; 32])));
    }
    if let Some(l) = leaf {
        pairs.push(("leaf", JsValue::from_str(l)));
    }
    sign_inputs_js(
        fed,
        u8a(tx),
        prevouts.clone(),
        u8a(&secret(key)),
        Some(obj(&pairs).unchecked_into()),
    )
    .map_err(code_input)
}

fn collector(
    fed: &JsFederation,
    tx: &[u8],
    prevouts: &JsValue,
    leaf: Option<&str>,
) -> JsSignatureCollector {
    JsSignatureCollector::new(
        fed,
        u8a(tx),
        prevouts.clone(),
        leaf.map(|l| JsValue::from_str(l).unchecked_into()),
    )
    .unwrap()
}

fn add(c: &mut JsSignatureCollector, partial: JsValue) -> Result<String, (String, Option<f64>)> {
    c.add(partial).map_err(code_input)
}

fn with_signature(partial: &JsValue, input: usize, sig: JsValue) -> JsValue {
    let sigs = list(&get(partial, "signatures"));
    let sigs = arr(sigs
        .into_iter()
        .enumerate()
        .map(|(i, s)| if i == input { sig.clone() } else { s }));
    obj(&[
        ("publicKey", get(partial, "publicKey")),
        ("signatures", sigs),
    ])
}

fn sig(partial: &JsValue, input: usize) -> Vec<u8> {
    bytes_of(&list(&get(partial, "signatures"))[input])
}

#[wasm_bindgen_test]
fn taproot_federation_shape() {
    let fed = taproot_3_of_5();
    assert_eq!(fed.kind(), "taproot");
    assert_eq!(fed.network(), "regtest");
    assert_eq!(fed.threshold(), 3);
    assert!(fed.address().starts_with("bcrt1p"));
    let output_key = fed.output_key().unwrap();
    assert_eq!(
        fed.script_pubkey(),
        [&[0x51, 0x20][..], &output_key].concat()
    );
    // BIP341's H: no key path.
    assert_eq!(
        hex::encode(&fed.internal_key().unwrap()),
        "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"
    );
    assert!(fed.descriptor().starts_with(&format!(
        "tr({},{{sortedmulti_a(3,",
        hex::encode(&fed.internal_key().unwrap())
    )));
    assert!(fed.descriptor().contains("),older(144))})#"));
    assert!(fed.witness_script().is_none());
    let mut sorted: Vec<Vec<u8>> = (1..=5).map(xonly).collect();
    sorted.sort();
    let keys: Vec<Vec<u8>> = fed.public_keys().iter().map(|k| bytes_of(&k)).collect();
    assert_eq!(keys, sorted);

    let leaves = list(&fed.leaves().into());
    assert_eq!(leaves.len(), 2);
    let (main, rec) = (&leaves[0], &leaves[1]);
    assert_eq!(s(main, "role"), "main");
    assert_eq!(s(rec, "role"), "recovery");
    assert!(!Reflect::has(main, &"afterBlocks".into()).unwrap());
    assert_eq!(get(rec, "afterBlocks").as_f64(), Some(144.0));
    assert_eq!(get(main, "threshold").as_f64(), Some(3.0));
    assert_eq!(get(rec, "threshold").as_f64(), Some(2.0));
    assert_eq!(list(&get(main, "publicKeys")).len(), 5);
    assert_eq!(list(&get(rec, "publicKeys")).len(), 3);
    for leaf in [main, rec] {
        let script = bytes_of(&get(leaf, "script"));
        assert_eq!(
            bytes_of(&get(leaf, "leafHash")),
            tap_leaf_hash_js(u8a(&script), None).unwrap()
        );
        let control = bytes_of(&get(leaf, "controlBlock"));
        // Leaf version with the output key's parity, the internal key, the sibling's hash.
        assert_eq!(control.len(), 65);
        assert_eq!(control[0] & 0xfe, 0xc0);
        assert_eq!(control[1..33], fed.internal_key().unwrap()[..]);
        // Witness: 5 signature slots (3 of 65 bytes with prefix, 2 empty), script, control.
        let keys = list(&get(leaf, "publicKeys")).len();
        let threshold = get(leaf, "threshold").as_f64().unwrap() as usize;
        let want = 1 + (keys - threshold) + threshold * 65 + 1 + script.len() + 1 + 65;
        assert_eq!(get(leaf, "satisfactionWeight").as_f64(), Some(want as f64));
    }
    // The main leaf's script: <k1> CHECKSIG <k2..k5> CHECKSIGADD, 3, NUMEQUAL.
    let script = bytes_of(&get(main, "script"));
    assert_eq!(script.len(), 5 * 34 + 2);
    assert_eq!(script[1..33], sorted[0][..]);
    assert_eq!(script[33], 0xac);
    assert_eq!(script[34 + 33], 0xba);
    assert_eq!(script[5 * 34..], [0x53, 0x9c]);
    assert_eq!(
        fed.satisfaction_weight() as f64,
        get(main, "satisfactionWeight").as_f64().unwrap()
    );

    // An internal key of the caller's gives a key path (and another output key).
    let with_key = federation(obj(&[
        ("network", "mainnet".into()),
        ("threshold", num(1.0)),
        ("publicKeys", arr([u8a(&xonly(1))])),
        ("internalKey", u8a(&xonly(9))),
    ]))
    .unwrap();
    assert_eq!(with_key.internal_key().unwrap(), xonly(9));
    assert!(with_key.address().starts_with("bc1p"));
    assert_eq!(list(&with_key.leaves().into()).len(), 1);
}

#[wasm_bindgen_test]
fn p2wsh_federation_shape() {
    let fed = p2wsh_2_of_3();
    assert_eq!(fed.kind(), "p2wsh");
    assert!(fed.address().starts_with("tb1q"));
    assert!(fed.internal_key().is_none() && fed.output_key().is_none());
    assert!(list(&fed.leaves().into()).is_empty());
    let mut sorted: Vec<Vec<u8>> = (1..=3).map(compressed).collect();
    sorted.sort();
    let mut script = vec![0x52];
    for k in &sorted {
        script.push(33);
        script.extend_from_slice(k);
    }
    script.extend_from_slice(&[0x53, 0xae]);
    assert_eq!(fed.witness_script().unwrap(), script);
    assert_eq!(
        fed.script_pubkey(),
        [&[0x00, 0x20][..], &pegkit_core::hash::sha256(&script)].concat()
    );
    let keys: Vec<Vec<u8>> = fed.public_keys().iter().map(|k| bytes_of(&k)).collect();
    assert_eq!(keys, sorted);
    assert!(fed.descriptor().starts_with("wsh(sortedmulti(2,"));
    // Dummy, two 72-byte signatures, the script, each with its length prefix, and the count.
    assert_eq!(fed.satisfaction_weight(), 1 + 1 + 2 * 73 + 1 + 105);
}

#[wasm_bindgen_test]
fn federation_refusals_are_named() {
    let keys = || arr([u8a(&xonly(1)), u8a(&xonly(2))]);
    let base = |extra: &[(&str, JsValue)]| {
        let mut pairs = vec![
            ("network", JsValue::from_str("regtest")),
            ("threshold", num(2.0)),
            ("publicKeys", keys()),
        ];
        pairs.extend(extra.iter().cloned());
        federation(obj(&pairs)).map(|_| ()).unwrap_err()
    };
    let recovery = |after: JsValue| {
        obj(&[
            ("afterBlocks", after),
            ("threshold", num(1.0)),
            ("publicKeys", keys()),
        ])
    };
    assert_eq!(base(&[("threshold", num(3.0))]), "invalid_threshold");
    assert_eq!(base(&[("threshold", num(0.0))]), "invalid_threshold");
    assert_eq!(base(&[("publicKeys", arr([]))]), "no_keys");
    assert_eq!(
        base(&[("publicKeys", arr([u8a(&xonly(1)), u8a(&compressed(1))]))]),
        "duplicate_key"
    );
    assert_eq!(
        base(&[("publicKeys", arr([u8a(&[1; 31])]))]),
        "invalid_length"
    );
    assert_eq!(
        base(&[("publicKeys", arr([u8a(&[0xff; 32])]))]),
        "invalid_key"
    );
    assert_eq!(
        base(&[("publicKeys", arr([u8a(&[0x04; 33])]))]),
        "invalid_key"
    );
    assert_eq!(
        base(&[("recovery", recovery(num(0.0)))]),
        "invalid_timelock"
    );
    assert_eq!(
        base(&[("recovery", recovery(num(65536.0)))]),
        "invalid_timelock"
    );
    assert_eq!(
        base(&[("recovery", recovery(num(-1.0)))]),
        "invalid_timelock"
    );
    assert_eq!(
        base(&[("recovery", recovery("9".into()))]),
        "invalid_argument"
    );
    assert_eq!(base(&[("network", "moonnet".into())]), "invalid_argument");
    assert_eq!(base(&[("kind", "p2sh".into())]), "invalid_argument");
    assert_eq!(base(&[("internalKey", u8a(&[0xff; 32]))]), "invalid_key");
    assert_eq!(
        base(&[("internalKey", u8a(&compressed(9)))]),
        "invalid_length"
    );
    // P2WSH: compressed keys only; no recovery leaf, no internal key.
    assert_eq!(base(&[("kind", "p2wsh".into())]), "invalid_key");
    let wsh = |extra: &[(&str, JsValue)]| {
        let mut pairs = vec![
            ("kind", JsValue::from_str("p2wsh")),
            (
                "publicKeys",
                arr([u8a(&compressed(1)), u8a(&compressed(2))]),
            ),
        ];
        pairs.extend(extra.iter().cloned());
        base(&pairs)
    };
    assert_eq!(wsh(&[("recovery", recovery(num(10.0)))]), "taproot_only");
    assert_eq!(wsh(&[("internalKey", u8a(&xonly(3)))]), "taproot_only");
    let many = arr((1..=21).map(|i| u8a(&compressed(i))));
    assert_eq!(wsh(&[("publicKeys", many)]), "too_many_keys");
}

#[wasm_bindgen_test]
fn taproot_3_of_5_sign_collect_finalize_check() {
    let fed = taproot_3_of_5();
    let (tx, prevouts) = spend(&fed.script_pubkey(), 3, 0xffff_fffd);
    let partials: Vec<JsValue> = (1..=5)
        .map(|k| sign(&fed, &tx, &prevouts, k, Some(k), None).unwrap())
        .collect();
    for (k, p) in partials.iter().enumerate() {
        assert_eq!(bytes_of(&get(p, "publicKey")), xonly(k as u8 + 1));
        let sigs = list(&get(p, "signatures"));
        assert_eq!(sigs.len(), 3);
        assert!(sigs.iter().all(|s| bytes_of(s).len() == 64));
        // The partial set's wire encoding round-trips.
        let encoded = encode_partial_signatures(p.clone()).unwrap();
        let decoded = decode_partial_signatures(u8a(&encoded)).unwrap();
        assert_eq!(bytes_of(&get(&decoded, "publicKey")), xonly(k as u8 + 1));
        assert_eq!(sig(&decoded, 2), sig(p, 2));
    }
    // The same aux randomness gives the same signatures.
    assert_eq!(
        sig(&sign(&fed, &tx, &prevouts, 1, Some(1), None).unwrap(), 0),
        sig(&partials[0], 0)
    );

    let mut c = collector(&fed, &tx, &prevouts, None);
    assert_eq!(
        (c.threshold(), c.signature_count(), c.is_complete()),
        (3, 0, false)
    );
    assert_eq!(
        c.finalize().map_err(code_of).unwrap_err(),
        "threshold_not_met"
    );
    assert_eq!(add(&mut c, partials[4].clone()).unwrap(), "new");
    assert_eq!(add(&mut c, partials[4].clone()).unwrap(), "already_had");
    // Batch of two new members and one repeat.
    let results = list(
        &c.add_all(arr([
            partials[1].clone(),
            partials[4].clone(),
            partials[2].clone(),
        ]))
        .unwrap()
        .into(),
    );
    let results: Vec<String> = results.iter().map(|r| r.as_string().unwrap()).collect();
    assert_eq!(results, ["new", "already_had", "new"]);
    assert_eq!((c.signature_count(), c.is_complete()), (3, true));
    let mut signers: Vec<Vec<u8>> = [2, 3, 5].map(xonly).to_vec();
    signers.sort();
    let got: Vec<Vec<u8>> = c.signers().iter().map(|k| bytes_of(&k)).collect();
    assert_eq!(got, signers);

    let done = c.finalize().unwrap();
    let signed = bytes_of(&get(&done, "tx"));
    assert_eq!(
        s(&done, "txid"),
        txid(u8a(&tx)).unwrap(),
        "witnesses do not change the txid"
    );
    let used: Vec<Vec<u8>> = list(&get(&done, "signers")).iter().map(bytes_of).collect();
    assert_eq!(used, signers);
    check_witnesses_js(&fed, u8a(&signed), prevouts.clone()).unwrap();

    // The witness: 5 slots in reverse key order, the script, the control block.
    let decoded = Transaction::decode(&signed).unwrap();
    let main = list(&fed.leaves().into()).remove(0);
    for (i, input) in decoded.inputs.iter().enumerate() {
        let items = input.witness.items();
        assert_eq!(items.len(), 7);
        assert_eq!(items[5], bytes_of(&get(&main, "script")));
        assert_eq!(items[6], bytes_of(&get(&main, "controlBlock")));
        let filled = items[..5].iter().filter(|w| !w.is_empty()).count();
        assert_eq!(filled, 3, "input {i}");
    }
    assert_eq!(
        decoded.weight() - Transaction::decode(&tx).unwrap().weight() - 2,
        3 * fed.satisfaction_weight() as usize,
        "satisfactionWeight is each input's witness weight (plus the segwit marker and flag)"
    );

    // A tampered signature fails the pre-broadcast check, naming the input.
    let mut bad = decoded.clone();
    let slot = bad.inputs[2]
        .witness
        .0
        .iter_mut()
        .find(|w| !w.is_empty())
        .unwrap();
    slot[10] ^= 1;
    assert_eq!(
        check_witnesses_js(&fed, u8a(&bad.to_bytes()), prevouts.clone())
            .map_err(code_input)
            .unwrap_err(),
        ("invalid_signature".into(), Some(2.0))
    );
    let mut bad = decoded.clone();
    bad.inputs[1].witness.0.pop();
    assert_eq!(
        check_witnesses_js(&fed, u8a(&bad.to_bytes()), prevouts.clone())
            .map_err(code_input)
            .unwrap_err()
            .1,
        Some(1.0)
    );
    // The unsigned transaction is not a finished spend.
    assert_eq!(
        check_witnesses_js(&fed, u8a(&tx), prevouts.clone())
            .map_err(code_input)
            .unwrap_err(),
        ("unknown_script".into(), Some(0.0))
    );
}

#[wasm_bindgen_test]
fn taproot_recovery_leaf_after_its_delay() {
    let fed = taproot_3_of_5();
    // Relative lock of 144 blocks: sequence 144 satisfies it, 143 does not.
    let (early, early_prevouts) = spend(&fed.script_pubkey(), 2, 143);
    assert_eq!(
        sign(&fed, &early, &early_prevouts, 6, None, Some("recovery")).unwrap_err(),
        ("csv_not_satisfied".into(), Some(0.0))
    );
    let (tx, prevouts) = spend(&fed.script_pubkey(), 2, 144);
    // Key 2 is a main member only.
    assert_eq!(
        sign(&fed, &tx, &prevouts, 2, None, Some("recovery"))
            .unwrap_err()
            .0,
        "not_a_member"
    );
    let mut c = collector(&fed, &tx, &prevouts, Some("recovery"));
    assert_eq!(c.threshold(), 2);
    // Without auxRand: fresh randomness (the RNG works in this environment).
    for k in [7, 6] {
        let p = sign(&fed, &tx, &prevouts, k, None, Some("recovery")).unwrap();
        assert_eq!(add(&mut c, p).unwrap(), "new");
    }
    let done = c.finalize().unwrap();
    check_witnesses_js(&fed, get(&done, "tx"), prevouts.clone()).unwrap();
    let decoded = Transaction::decode(&bytes_of(&get(&done, "tx"))).unwrap();
    assert_eq!(decoded.inputs[0].witness.items().len(), 3 + 2);
}

#[wasm_bindgen_test]
fn p2wsh_2_of_3_sign_collect_finalize_check() {
    let fed = p2wsh_2_of_3();
    let (tx, prevouts) = spend(&fed.script_pubkey(), 2, 0xffff_ffff);
    let partials: Vec<JsValue> = (1..=3)
        .map(|k| sign(&fed, &tx, &prevouts, k, None, None).unwrap())
        .collect();
    for (k, p) in partials.iter().enumerate() {
        assert_eq!(bytes_of(&get(p, "publicKey")), compressed(k as u8 + 1));
        let s0 = sig(p, 0);
        assert_eq!(s0[0], 0x30, "DER");
        assert_eq!(*s0.last().unwrap(), 0x01, "SIGHASH_ALL");
    }
    // RFC 6979: deterministic whatever the aux randomness.
    assert_eq!(
        sig(&sign(&fed, &tx, &prevouts, 1, Some(9), None).unwrap(), 1),
        sig(&partials[0], 1)
    );
    assert_eq!(
        sign(&fed, &tx, &prevouts, 1, None, Some("recovery"))
            .unwrap_err()
            .0,
        "no_such_leaf"
    );
    let mut c = collector(&fed, &tx, &prevouts, None);
    c.set_batch_verification(false);
    assert!(!c.batch_verification());
    let results = list(
        &c.add_all(arr([partials[2].clone(), partials[0].clone()]))
            .unwrap()
            .into(),
    );
    assert!(
        results
            .iter()
            .all(|r| r.as_string().as_deref() == Some("new"))
    );
    let done = c.finalize().unwrap();
    let signed = bytes_of(&get(&done, "tx"));
    check_witnesses_js(&fed, u8a(&signed), prevouts.clone()).unwrap();
    let decoded = Transaction::decode(&signed).unwrap();
    let items = decoded.inputs[1].witness.items();
    assert_eq!(items.len(), 4);
    assert!(items[0].is_empty(), "CHECKMULTISIG dummy");
    assert_eq!(items[3], fed.witness_script().unwrap());
    // Signatures in key order: the lower compressed key first.
    let (a, b) = (compressed(1), compressed(3));
    let (first, second) = if a < b { (0, 2) } else { (2, 0) };
    assert_eq!(items[1], sig(&partials[first], 1));
    assert_eq!(items[2], sig(&partials[second], 1));

    // A non-null dummy is refused.
    let mut bad = decoded.clone();
    bad.inputs[0].witness.0[0] = vec![1];
    assert_eq!(
        check_witnesses_js(&fed, u8a(&bad.to_bytes()), prevouts.clone())
            .map_err(code_input)
            .unwrap_err(),
        ("non_null_dummy".into(), Some(0.0))
    );
}

#[wasm_bindgen_test]
fn collector_refusals_are_named_with_their_input() {
    let fed = taproot_3_of_5();
    let (tx, prevouts) = spend(&fed.script_pubkey(), 2, 0xffff_fffd);
    let p1 = sign(&fed, &tx, &prevouts, 1, Some(1), None).unwrap();
    let mut c = collector(&fed, &tx, &prevouts, None);

    // Not a member: a key outside the main leaf (6 is a recovery key only).
    let outsider = sign(&fed, &tx, &prevouts, 6, Some(6), Some("main")).unwrap_err();
    assert_eq!(outsider.0, "not_a_member");
    let foreign = obj(&[
        ("publicKey", u8a(&xonly(6))),
        ("signatures", get(&p1, "signatures")),
    ]);
    assert_eq!(
        add(&mut c, foreign).unwrap_err(),
        ("not_a_member".into(), None)
    );
    // One signature per input.
    let short = obj(&[
        ("publicKey", get(&p1, "publicKey")),
        ("signatures", arr([u8a(&sig(&p1, 0))])),
    ]);
    assert_eq!(
        add(&mut c, short).unwrap_err(),
        ("wrong_signature_count".into(), None)
    );
    // Lengths, sighash types.
    let s1 = sig(&p1, 1);
    assert_eq!(
        add(&mut c, with_signature(&p1, 1, u8a(&s1[..63]))).unwrap_err(),
        ("invalid_length".into(), Some(1.0))
    );
    let with_type = |t: u8| u8a(&[&s1[..], &[t]].concat());
    assert_eq!(
        add(&mut c, with_signature(&p1, 1, with_type(0x83))).unwrap_err(),
        ("invalid_sighash_type".into(), Some(1.0))
    );
    // A valid-looking signature for another message.
    let mut flipped = s1.clone();
    flipped[40] ^= 1;
    assert_eq!(
        add(&mut c, with_signature(&p1, 1, u8a(&flipped))).unwrap_err(),
        ("invalid_signature".into(), Some(1.0))
    );
    // A signature over SIGHASH_DEFAULT relabelled SIGHASH_ALL does not verify.
    assert_eq!(
        add(&mut c, with_signature(&p1, 1, with_type(0x01))).unwrap_err(),
        ("invalid_signature".into(), Some(1.0))
    );
    // Swapped inputs.
    let swapped = obj(&[
        ("publicKey", get(&p1, "publicKey")),
        ("signatures", arr([u8a(&sig(&p1, 1)), u8a(&sig(&p1, 0))])),
    ]);
    assert_eq!(add(&mut c, swapped).unwrap_err().0, "invalid_signature");
    // The same for one-by-one verification.
    c.set_batch_verification(false);
    assert_eq!(
        add(&mut c, with_signature(&p1, 1, u8a(&flipped))).unwrap_err(),
        ("invalid_signature".into(), Some(1.0))
    );
    c.set_batch_verification(true);
    assert_eq!(c.signature_count(), 0, "refused sets change nothing");

    // Conflicting: the member signs again with other randomness.
    assert_eq!(add(&mut c, p1.clone()).unwrap(), "new");
    let again = sign(&fed, &tx, &prevouts, 1, Some(2), None).unwrap();
    assert_eq!(
        add(&mut c, again.clone()).unwrap_err(),
        ("conflicting_signature".into(), Some(0.0))
    );
    assert_eq!(add(&mut c, p1.clone()).unwrap(), "already_had");

    // addAll returns each refusal as a PegkitError, in place.
    let p2 = sign(&fed, &tx, &prevouts, 2, Some(2), None).unwrap();
    let results = list(
        &c.add_all(arr([
            again,
            p2,
            with_signature(
                &sign(&fed, &tx, &prevouts, 3, Some(3), None).unwrap(),
                0,
                u8a(&flipped),
            ),
        ]))
        .unwrap()
        .into(),
    );
    assert_eq!(
        code_input(results[0].clone()),
        ("conflicting_signature".into(), Some(0.0))
    );
    assert_eq!(results[1].as_string().as_deref(), Some("new"));
    assert_eq!(
        code_input(results[2].clone()),
        ("invalid_signature".into(), Some(0.0))
    );
    assert_eq!(c.signature_count(), 2);
    assert_eq!(
        c.finalize().map_err(code_of).unwrap_err(),
        "threshold_not_met"
    );
    // A malformed argument throws for the whole call.
    assert_eq!(
        c.add_all(arr([JsValue::from_f64(1.0)]))
            .map_err(code_of)
            .unwrap_err(),
        "invalid_argument"
    );

    // P2WSH only: DER and its sighash byte.
    let wsh = p2wsh_2_of_3();
    let (wtx, wprev) = spend(&wsh.script_pubkey(), 1, 0xffff_ffff);
    let w1 = sign(&wsh, &wtx, &wprev, 1, None, None).unwrap();
    let der = sig(&w1, 0);
    let mut wc = collector(&wsh, &wtx, &wprev, None);
    let mut not_der = der.clone();
    not_der[1] ^= 0x01; // the sequence length
    assert_eq!(
        add(&mut wc, with_signature(&w1, 0, u8a(&not_der))).unwrap_err(),
        ("invalid_der".into(), Some(0.0))
    );
    let mut typed = der.clone();
    *typed.last_mut().unwrap() = 0x81;
    assert_eq!(
        add(&mut wc, with_signature(&w1, 0, u8a(&typed))).unwrap_err(),
        ("invalid_sighash_type".into(), Some(0.0))
    );
    assert_eq!(
        add(&mut wc, with_signature(&w1, 0, u8a(&[]))).unwrap_err(),
        ("invalid_length".into(), Some(0.0))
    );
    assert_eq!(add(&mut wc, w1).unwrap(), "new");

    // Spend refusals name the input; they come from the constructor and from signInputs.
    let (mixed, mut mixed_prevouts) = spend(&fed.script_pubkey(), 2, 0xffff_fffd);
    let list_prev = list(&mixed_prevouts);
    mixed_prevouts = arr([
        list_prev[0].clone(),
        obj(&[("amount", num(1.0)), ("scriptPubKey", "51".into())]),
    ]);
    assert_eq!(
        JsSignatureCollector::new(&fed, u8a(&mixed), mixed_prevouts.clone(), None)
            .map(|_| ())
            .map_err(code_input)
            .unwrap_err(),
        ("foreign_input".into(), Some(1.0))
    );
    assert_eq!(
        sign(&fed, &mixed, &mixed_prevouts, 1, None, None).unwrap_err(),
        ("foreign_input".into(), Some(1.0))
    );
    assert_eq!(
        sign(&fed, &mixed, &arr([list_prev[0].clone()]), 1, None, None)
            .unwrap_err()
            .0,
        "prevouts_mismatch"
    );
    assert_eq!(
        JsSignatureCollector::new(
            &fed,
            u8a(&mixed),
            prevouts,
            Some(JsValue::from_str("side").unchecked_into())
        )
        .map(|_| ())
        .map_err(code_of)
        .unwrap_err(),
        "invalid_argument"
    );
}

#[wasm_bindgen_test]
fn partial_signatures_decoding_is_strict() {
    let p = obj(&[
        ("publicKey", "ab".repeat(32).into()),
        ("signatures", arr(["cd".repeat(64).into(), u8a(&[1, 2, 3])])),
    ]);
    let encoded = encode_partial_signatures(p).unwrap();
    assert_eq!(encoded.len(), 1 + 32 + 1 + 1 + 64 + 1 + 3);
    let back = decode_partial_signatures(hex::encode(&encoded).into()).unwrap();
    assert_eq!(sig(&back, 1), [1, 2, 3]);
    let code = |b: &[u8]| {
        decode_partial_signatures(u8a(b))
            .map_err(code_of)
            .unwrap_err()
    };
    assert_eq!(code(&encoded[..encoded.len() - 1]), "truncated");
    assert_eq!(code(&[&encoded[..], &[0]].concat()), "trailing_bytes");
    assert_eq!(
        encode_partial_signatures(obj(&[("publicKey", "zz".into()), ("signatures", arr([]))]))
            .map_err(code_of)
            .unwrap_err(),
        "invalid_hex"
    );
}
