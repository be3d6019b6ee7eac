//! Both CLIs, the native `pegkit` and `node js/bin/pegkit.mjs` (the same contract code over
//! core compiled to wasm), run every vector through `pegkit batch`, one process per suite.
//! Their outputs must be byte-identical, and must say what the vectors say.
//!
//! Needs `node` and the CLI wasm in `js/cli/` (`npm --prefix js run build:cli`); the README's
//! test command builds it first.

use pegkit_core::hex;
use pegkit_core::merkle::merkle_root;
use pegkit_core::{Header, Txid};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn run(program: &str, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_string();
    let writer = std::thread::spawn(move || input.write_all(data.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?} exited {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a batch through both CLIs, asserts identical bytes, returns the parsed lines.
fn twin_batch(suite: &str, requests: &[(String, Value)]) -> Vec<(u64, Value)> {
    let input: String = requests
        .iter()
        .map(|(c, r)| format!("{}\n", json!({"command": c, "request": r})))
        .collect();
    let native = run(env!("CARGO_BIN_EXE_pegkit"), &["batch"], &input);
    let wasm = run("node", &["js/bin/pegkit.mjs", "batch"], &input);
    assert_eq!(
        native.lines().count(),
        requests.len(),
        "{suite}: one line out per line in"
    );
    for (i, (a, b)) in native.lines().zip(wasm.lines()).enumerate() {
        assert_eq!(
            a, b,
            "{suite}: request {i} ({}) differs between native and wasm",
            requests[i].0
        );
    }
    assert_eq!(native, wasm, "{suite}: native and wasm outputs");
    native
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["exit"].as_u64().unwrap(), v["response"].clone())
        })
        .collect()
}

fn req(command: &str, request: Value) -> (String, Value) {
    (command.to_string(), request)
}

#[test]
fn bip340() {
    let rows = pegkit_tests::bip340();
    let mut reqs = Vec::new();
    for r in &rows {
        reqs.push(req(
            "schnorr verify",
            json!({"public_key": hex::encode(&r.public_key), "message": hex::encode(&r.message), "signature": hex::encode(&r.signature)}),
        ));
        if let (Some(sk), Some(aux)) = (&r.secret_key, &r.aux_rand) {
            reqs.push(req(
                "schnorr sign",
                json!({"secret_key": hex::encode(sk), "message": hex::encode(&r.message), "aux_rand": hex::encode(aux)}),
            ));
        }
    }
    let out = twin_batch("bip340", &reqs);
    let mut lines = out.iter();
    for r in &rows {
        let (exit, v) = lines.next().unwrap();
        assert_eq!(
            (*exit, v["valid"].as_bool()),
            (0, Some(r.valid)),
            "row {} verify",
            r.index
        );
        if r.secret_key.is_some() {
            let (exit, v) = lines.next().unwrap();
            assert_eq!(*exit, 0);
            assert_eq!(
                v["signature"],
                hex::encode(&r.signature),
                "row {} signature",
                r.index
            );
        }
    }
    assert_eq!(out.len(), 19 + 8);
}

#[test]
fn transactions() {
    let vectors = pegkit_tests::core_txs();
    let mut reqs: Vec<(String, Value)> = vectors
        .iter()
        .map(|t| req("tx decode", json!({"tx": hex::encode(&t.tx)})))
        .collect();
    let blocks: Vec<pegkit_core::Block> = pegkit_tests::mainnet_blocks_0_255()
        .iter()
        .chain(std::iter::once(&pegkit_tests::mainnet_block_830000()))
        .map(|b| Decode::decode(b).unwrap())
        .collect();
    for b in &blocks {
        for tx in &b.transactions {
            reqs.push(req(
                "tx decode",
                json!({"tx": hex::encode(&Encode::to_bytes(tx))}),
            ));
        }
    }
    let out = twin_batch("transactions", &reqs);
    assert!(
        out.iter().all(|(exit, _)| *exit == 0),
        "every vector decodes"
    );
    for ((_, v), t) in out.iter().zip(&vectors) {
        assert_eq!(v["size"].as_u64(), Some(t.tx.len() as u64));
    }
    // Txids from the CLIs are the merkle leaves of each block, and block 830000's upstream list.
    let mut rest = &out[vectors.len()..];
    for (height, b) in blocks.iter().enumerate() {
        let (mine, tail) = rest.split_at(b.transactions.len());
        rest = tail;
        let txids: Vec<Txid> = mine
            .iter()
            .map(|(_, v)| v["txid"].as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(
            merkle_root(&txids).unwrap().root,
            b.header.merkle_root,
            "block #{height}: CLI txids give the header's merkle root"
        );
    }
    let upstream = pegkit_tests::mainnet_block_830000_txids();
    let last: Vec<&str> = out[out.len() - 1851..]
        .iter()
        .map(|(_, v)| v["txid"].as_str().unwrap())
        .collect();
    assert_eq!(last, upstream.txids);
}

#[test]
fn headers() {
    let headers: Vec<[u8; 80]> = pegkit_tests::mainnet_headers_0_255()
        .into_iter()
        .chain(pegkit_tests::mainnet_headers_822528_830592())
        .collect();
    let reqs: Vec<(String, Value)> = headers
        .iter()
        .map(|h| req("header decode", json!({"header": hex::encode(h)})))
        .collect();
    let out = twin_batch("headers", &reqs);
    assert_eq!(out.len(), 256 + 8065);
    for (i, pair) in out.windows(2).enumerate() {
        if i == 255 {
            continue; // the gap between the two windows
        }
        assert_eq!(
            pair[1].1["prev_hash"],
            pair[0].1["hash"],
            "header {} links to its parent",
            i + 1
        );
    }
    for ((_, v), raw) in out.iter().zip(&headers) {
        let h = Header::from_bytes(raw);
        assert_eq!(v["bits"], format!("{:08x}", h.bits.to_consensus()));
        assert_eq!(v["nonce"].as_u64(), Some(u64::from(h.nonce)));
    }
}

#[test]
fn errors() {
    let genesis = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";
    let key = "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9";
    let sig = "e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca821525f66a4a85ea8b71e482a74f382d2ce5ebeee8fdb2172f477df4900d310536c0";
    let zeros32 = "00".repeat(32);
    let cases: Vec<((String, Value), u64, &str)> = vec![
        (req("tx decode", json!({"tx": "010000"})), 1, "truncated"),
        (
            req("tx decode", json!({"tx": "0100000000000000000000"})),
            1,
            "trailing_bytes",
        ),
        (
            req("tx decode", json!({"tx": "01000000fd0100"})),
            1,
            "non_canonical_compact_size",
        ),
        (
            req("tx decode", json!({"tx": "01000000feffffff00"})),
            1,
            "length_too_large",
        ),
        (
            req(
                "tx decode",
                json!({"tx": format!("01000000000101{}00ffffffff000000000000", "00".repeat(36))}),
            ),
            1,
            "superfluous_witness",
        ),
        (
            req("tx decode", json!({"tx": "0100000000020000000000"})),
            1,
            "unknown_segwit_flag",
        ),
        (req("tx decode", json!({"tx": "0"})), 2, "usage"),
        (req("tx decode", json!({"tx": "zz"})), 2, "usage"),
        (req("tx decode", json!({"tx": 1})), 2, "usage"),
        (req("tx decode", json!({})), 2, "usage"),
        (
            req("tx decode", json!({"tx": "00", "txx": "00"})),
            2,
            "usage",
        ),
        (req("tx encode", json!({})), 2, "usage"),
        (
            req("header decode", json!({"header": &genesis[2..]})),
            1,
            "invalid_length",
        ),
        (
            req("header decode", json!({"header": format!("{genesis}00")})),
            1,
            "invalid_length",
        ),
        (
            req(
                "schnorr sign",
                json!({"secret_key": zeros32, "message": "", "aux_rand": zeros32}),
            ),
            1,
            "invalid_secret_key",
        ),
        (
            req(
                "schnorr sign",
                json!({"secret_key": "ff".repeat(32), "message": "", "aux_rand": zeros32}),
            ),
            1,
            "invalid_secret_key",
        ),
        (
            req(
                "schnorr sign",
                json!({"secret_key": "03", "message": "", "aux_rand": zeros32}),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "schnorr sign",
                json!({"secret_key": format!("{}03", "00".repeat(31)), "message": "", "aux_rand": "00"}),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "schnorr verify",
                json!({"public_key": &key[2..], "message": zeros32, "signature": sig}),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "schnorr verify",
                json!({"public_key": format!("05{key}"), "message": zeros32, "signature": sig}),
            ),
            1,
            "invalid_key",
        ),
        (
            req(
                "schnorr verify",
                json!({"public_key": key, "message": zeros32, "signature": &sig[2..]}),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "schnorr verify",
                json!({"public_key": key, "message": zeros32, "signature": sig.to_uppercase()}),
            ),
            0,
            "",
        ),
        (
            req(
                "schnorr verify",
                json!({"public_key": format!("02{key}"), "message": zeros32, "signature": sig}),
            ),
            0,
            "",
        ),
    ];
    let reqs: Vec<(String, Value)> = cases.iter().map(|(r, _, _)| r.clone()).collect();
    let out = twin_batch("errors", &reqs);
    for ((exit, v), ((command, request), want_exit, want_code)) in out.iter().zip(&cases) {
        assert_eq!(*exit, *want_exit, "{command} {request}: {v}");
        if want_code.is_empty() {
            assert_eq!(v["valid"], true, "{command} {request}");
        } else {
            assert_eq!(v["error"]["code"], *want_code, "{command} {request}: {v}");
            assert!(!v["error"]["message"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn single_commands_exit_codes_and_pretty() {
    let bin = env!("CARGO_BIN_EXE_pegkit");
    for (program, prefix) in [(bin, vec![]), ("node", vec!["js/bin/pegkit.mjs"])] {
        let status = |args: &[&str], stdin: &str| {
            let mut full = prefix.clone();
            full.extend_from_slice(args);
            let mut child = Command::new(program)
                .args(&full)
                .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(stdin.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            (
                out.status.code().unwrap(),
                String::from_utf8(out.stdout).unwrap(),
            )
        };
        assert_eq!(
            status(&["tx", "decode"], "{\"tx\":\"01000000000000000000\"}").0,
            0
        );
        assert_eq!(status(&["tx", "decode"], "{\"tx\":\"0100\"}").0, 1);
        assert_eq!(status(&["tx", "decode"], "{").0, 2);
        assert_eq!(status(&["no", "such"], "{}").0, 2);
        let (code, pretty) = status(&["header", "decode", "--pretty"], "{\"header\":\"00\"}");
        assert_eq!(code, 1);
        assert!(pretty.contains("\n  \"error\""), "{pretty}");
    }
}

// ---------------------------------------------------------------------------------------------
// SPV

use pegkit_core::merkle::{MerkleBlock, MerkleBranch};
use pegkit_core::{Decode, Encode, Transaction, TxOut};
use pegkit_tests::fixtures::{self, FEDERATION_SCRIPT};

fn hexes(headers: &[Header]) -> Vec<String> {
    headers.iter().map(|h| hex::encode(&h.to_array())).collect()
}

#[test]
fn spv_real_vectors() {
    let window: Vec<Header> = pegkit_tests::mainnet_headers_822528_830592()
        .iter()
        .map(Header::from_bytes)
        .collect();
    let block = pegkit_core::Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap();
    let txids = block.txids();
    let txid_strings: Vec<String> = txids.iter().map(ToString::to_string).collect();
    let proofs = pegkit_tests::mainnet_txoutproofs_830000();
    let mut reqs = vec![
        req(
            "headers verify",
            json!({"network": "mainnet", "start_height": 822_528, "headers": hexes(&window)}),
        ),
        req("merkle root", json!({"txids": txid_strings})),
    ];
    for p in &proofs {
        reqs.push(req(
            "txoutproof verify",
            json!({"proof": hex::encode(&p.proof)}),
        ));
    }
    // Every transaction of block 830000: a branch and a Core-format proof built natively.
    for (i, txid) in txids.iter().enumerate() {
        let branch = MerkleBranch::build(&txids, i).unwrap();
        reqs.push(req(
            "merkle verify",
            json!({"txid": txid.to_string(), "index": i, "branch": branch.siblings.iter().map(|s| hex::encode(s)).collect::<Vec<_>>(), "merkle_root": block.header.merkle_root.to_string()}),
        ));
        let mut mask = vec![false; txids.len()];
        mask[i] = true;
        let proof = MerkleBlock::build(block.header, &txids, &mask).unwrap();
        reqs.push(req(
            "txoutproof verify",
            json!({"proof": hex::encode(&proof.to_bytes())}),
        ));
    }
    for i in [0usize, 1, 2, 1849, 1850] {
        reqs.push(req(
            "merkle proof",
            json!({"txids": txid_strings, "index": i}),
        ));
    }
    let out = twin_batch("spv-real", &reqs);
    assert!(
        out.iter().all(|(exit, _)| *exit == 0),
        "every real vector passes"
    );
    let mut lines = out.iter().map(|(_, v)| v);
    let hv = lines.next().unwrap();
    assert_eq!(
        (hv["tip_height"].as_u64(), hv["count"].as_u64()),
        (Some(830_592), Some(8065))
    );
    assert_eq!(
        hv["tip_hash"],
        window.last().unwrap().block_hash().to_string()
    );
    let mr = lines.next().unwrap();
    assert_eq!(mr["merkle_root"], block.header.merkle_root.to_string());
    assert_eq!(mr["mutated"], false);
    for p in &proofs {
        let v = lines.next().unwrap();
        assert_eq!(v["block_hash"], p.block_hash);
        assert_eq!(v["tx_count"].as_u64(), Some(u64::from(p.tx_count)));
        let matched: Vec<(u64, String)> = v["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["index"].as_u64().unwrap(),
                    m["txid"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(u64, String)> = p
            .tx_indexes
            .iter()
            .map(|&i| u64::from(i))
            .zip(p.txids.iter().cloned())
            .collect();
        assert_eq!(matched, want);
    }
    for (i, txid) in txid_strings.iter().enumerate() {
        assert_eq!(lines.next().unwrap()["valid"], true, "branch of tx {i}");
        let v = lines.next().unwrap();
        assert_eq!(v["matches"], json!([{"index": i, "txid": txid}]));
    }
    for i in [0usize, 1, 2, 1849, 1850] {
        let v = lines.next().unwrap();
        let branch = MerkleBranch::build(&txids, i).unwrap();
        assert_eq!(
            v["branch"],
            json!(
                branch
                    .siblings
                    .iter()
                    .map(|s| hex::encode(s))
                    .collect::<Vec<_>>()
            )
        );
    }
}

#[test]
fn pegin_real_mainnet_and_synthetic() {
    let window: Vec<Header> = pegkit_tests::mainnet_headers_822528_830592()
        .iter()
        .map(Header::from_bytes)
        .collect();
    let block = pegkit_core::Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap();
    let proof = &pegkit_tests::mainnet_txoutproofs_830000()[1]; // tx index 1
    let tx = &block.transactions[1];
    let federation = tx.outputs[0].script_pubkey.clone();
    let paid: u64 = tx
        .outputs
        .iter()
        .filter(|o| o.script_pubkey == federation)
        .map(|o| o.value as u64)
        .sum();
    let real = req(
        "pegin verify",
        json!({"network": "mainnet", "federation_script_pubkeys": [hex::encode(&federation)], "start_height": 822_528,
               "headers": hexes(&window), "tx": hex::encode(&tx.to_bytes()), "proof": hex::encode(&proof.proof)}),
    );

    let dest = [0x5a; 20];
    let good = fixtures::payment(vec![
        TxOut {
            value: 70_000,
            script_pubkey: FEDERATION_SCRIPT.to_vec(),
        },
        fixtures::op_return(&dest),
        TxOut {
            value: 30_000,
            script_pubkey: FEDERATION_SCRIPT.to_vec(),
        },
    ]);
    let f = fixtures::pegin_chain(good.clone(), 20, 7);
    let base = json!({"network": "regtest", "federation_script_pubkeys": [hex::encode(&FEDERATION_SCRIPT)], "start_height": 0,
        "headers": hexes(&f.headers), "tx": hex::encode(&good.to_bytes()), "proof": hex::encode(&f.proof.to_bytes())});
    let with = |patch: Value| {
        let mut v = base.clone();
        for (k, x) in patch.as_object().unwrap() {
            v[k] = x.clone();
        }
        req("pegin verify", v)
    };
    let other_fixture = |tx: Transaction| {
        let g = fixtures::pegin_chain(tx.clone(), 20, 7);
        json!({"headers": hexes(&g.headers), "tx": hex::encode(&tx.to_bytes()), "proof": hex::encode(&g.proof.to_bytes())})
    };
    let mut malformed = good.clone();
    malformed.outputs[1] = fixtures::op_return(&[0x5a; 19]);
    let mut two_returns = good.clone();
    two_returns.outputs.push(fixtures::op_return(&dest));
    let nobody = fixtures::payment(vec![TxOut {
        value: 70_000,
        script_pubkey: vec![0x51],
    }]);
    let small = fixtures::payment(vec![TxOut {
        value: 9_999,
        script_pubkey: FEDERATION_SCRIPT.to_vec(),
    }]);
    let with_cb = MerkleBlock::build(f.proof.header, &f.txids, &[true, true, false]).unwrap();
    let mut not_genesis = f.headers.clone();
    not_genesis[0].nonce ^= 1;
    let mut bad_proof = f.proof.clone();
    bad_proof.tree.hashes.swap(0, 1);
    let cases: Vec<((String, Value), u64, &str)> = vec![
        (real, 0, ""),
        (with(json!({})), 0, ""),
        (
            with(json!({"policy": {"min_confirmations": 9}})),
            1,
            "insufficient_confirmations",
        ),
        (
            with(json!({"headers": hexes(&f.headers[..25])})),
            1,
            "insufficient_confirmations",
        ),
        (
            with(json!({"headers": hexes(&f.headers[..20])})),
            1,
            "block_not_in_chain",
        ),
        (
            with(json!({"federation_script_pubkeys": ["5120".to_string() + &"00".repeat(32)]})),
            1,
            "no_federation_output",
        ),
        (
            with(json!({"policy": {"min_amount": 100_001}})),
            1,
            "amount_below_minimum",
        ),
        (
            with(json!({"policy": {"max_amount": 99_999}})),
            1,
            "amount_above_maximum",
        ),
        (with(other_fixture(malformed)), 1, "invalid_destination"),
        (with(other_fixture(two_returns)), 1, "ambiguous_destination"),
        (with(other_fixture(nobody)), 1, "no_federation_output"),
        (with(other_fixture(small)), 1, "amount_below_minimum"),
        (
            with(json!({"tx": hex::encode(&f.coinbase.to_bytes())})),
            1,
            "tx_not_in_proof",
        ),
        (
            with(json!({"proof": hex::encode(&bad_proof.to_bytes())})),
            1,
            "merkle_root_mismatch",
        ),
        (
            with(json!({"proof": hex::encode(&f.proof.to_bytes()[..100])})),
            1,
            "length_too_large",
        ),
        (
            with(json!({"proof": hex::encode(&f.proof.to_bytes()[..83])})),
            1,
            "truncated",
        ),
        (
            with(
                json!({"coinbase": hex::encode(&f.coinbase.to_bytes()), "proof": hex::encode(&with_cb.to_bytes())}),
            ),
            0,
            "",
        ),
        (
            with(json!({"coinbase": hex::encode(&f.coinbase.to_bytes())})),
            1,
            "coinbase_proof",
        ),
        (
            with(
                json!({"coinbase": hex::encode(&good.to_bytes()), "proof": hex::encode(&with_cb.to_bytes())}),
            ),
            1,
            "coinbase_proof",
        ),
        (
            with(json!({"headers": hexes(&not_genesis)})),
            1,
            "bad_anchor",
        ),
        (
            with(json!({"start_height": 5, "headers": hexes(&f.headers[5..])})),
            0,
            "",
        ),
        (with(json!({"network": "moonnet"})), 2, "usage"),
        (with(json!({"policy": {"fee": -1}})), 2, "usage"),
        (with(json!({"policy": {"fees": 1}})), 2, "usage"),
    ];
    let reqs: Vec<(String, Value)> = cases.iter().map(|(r, _, _)| r.clone()).collect();
    let out = twin_batch("pegin", &reqs);
    for ((exit, v), ((_, request), want_exit, want_code)) in out.iter().zip(&cases) {
        assert_eq!(
            *exit,
            *want_exit,
            "{}: {v}",
            request.get("policy").unwrap_or(&Value::Null)
        );
        if !want_code.is_empty() {
            assert_eq!(v["error"]["code"], *want_code, "{v}");
        }
    }
    let r = &out[0].1;
    assert_eq!(
        (r["height"].as_u64(), r["confirmations"].as_u64()),
        (Some(830_000), Some(593))
    );
    assert_eq!(r["txid"], tx.txid().to_string());
    assert_eq!(r["total"].as_u64(), Some(paid));
    assert_eq!(r["credited"].as_u64(), Some(paid - 1000));
    let s = &out[1].1;
    assert_eq!(
        s["outputs"],
        json!([{"vout": 0, "amount": 70_000}, {"vout": 2, "amount": 30_000}])
    );
    assert_eq!(
        (s["total"].as_u64(), s["credited"].as_u64()),
        (Some(100_000), Some(99_000))
    );
    assert_eq!(s["destination"], format!("0x{}", hex::encode(&dest)));
    assert_eq!(
        (s["height"].as_u64(), s["confirmations"].as_u64()),
        (Some(20), Some(8))
    );
}

#[test]
fn spv_adversarial() {
    let params = pegkit_core::params::Network::Regtest.params();
    let chain = pegkit_tests::mine::extend(&params.genesis, 15, 600, params.genesis.bits);
    let mut all = vec![params.genesis];
    all.extend(chain.iter().copied());
    let regtest = |headers: &[Header]| json!({"network": "regtest", "start_height": 0, "headers": hexes(headers)});
    let tip = *all.last().unwrap();
    let high = pegkit_tests::mine::solve(
        pegkit_tests::mine::child(&tip, tip.time + 600, tip.bits),
        false,
    );
    let mut above_limit = pegkit_tests::mine::child(&tip, tip.time + 600, tip.bits);
    above_limit.bits = pegkit_core::header::CompactTarget(0x2100_ffff);
    let mut times: Vec<u32> = all[all.len() - 11..].iter().map(|h| h.time).collect();
    times.sort();
    let at_mtp = pegkit_tests::mine::child(&tip, times[5], tip.bits);
    let window: Vec<Header> = pegkit_tests::mainnet_headers_822528_830592()
        .iter()
        .map(Header::from_bytes)
        .collect();
    let with = |extra: Header| {
        let mut v = all.clone();
        v.push(extra);
        regtest(&v)
    };
    let mut skipped = all.clone();
    skipped.remove(5);

    let txids: Vec<Txid> = (0u8..5)
        .map(|i| Txid::from_byte_array([i + 1; 32]))
        .collect();
    let root = merkle_root(&txids).unwrap().root;
    let branch = MerkleBranch::build(&txids, 2).unwrap();
    let sib = |b: &MerkleBranch| {
        b.siblings
            .iter()
            .map(|s| hex::encode(s))
            .collect::<Vec<_>>()
    };
    let mut swapped = branch.clone();
    swapped.siblings.swap(0, 1);
    // Position 5 in a 5-transaction tree only exists by duplicating position 4.
    let dup = MerkleBranch {
        index: 5,
        siblings: MerkleBranch::build(&txids, 4).unwrap().siblings,
    };
    let committing =
        pegkit_tests::mine::child_with_root(&all[2], all[2].time + 1, all[2].bits, root);
    let proof =
        MerkleBlock::build(committing, &txids, &[false, false, true, false, false]).unwrap();
    let mut fewer = proof.clone();
    fewer.tree.tx_count = 2;
    let mut extra_hash = proof.clone();
    extra_hash.tree.hashes.push([9; 32]);

    let cases: Vec<((String, Value), u64, &str)> = vec![
        (req("headers verify", with(high)), 1, "high_hash"),
        (req("headers verify", with(above_limit)), 1, "bad_nbits"),
        (req("headers verify", with(at_mtp)), 1, "time_too_old"),
        (req("headers verify", regtest(&skipped)), 1, "not_linked"),
        (
            req(
                "headers verify",
                json!({"network": "mainnet", "start_height": 822_529, "headers": hexes(&window[1..2017])}),
            ),
            1,
            "insufficient_history",
        ),
        (
            req(
                "headers verify",
                json!({"network": "mainnet", "start_height": 822_528, "headers": hexes(&window[..5]), "now": window[0].time - 7201}),
            ),
            1,
            "time_too_new",
        ),
        (
            req(
                "headers verify",
                json!({"network": "mainnet", "start_height": 822_528, "headers": []}),
            ),
            2,
            "usage",
        ),
        (
            req(
                "headers verify",
                json!({"network": "mainnet", "start_height": 822_528, "headers": ["00"]}),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "merkle verify",
                json!({"txid": txids[2].to_string(), "index": 2, "branch": sib(&branch), "merkle_root": root.to_string()}),
            ),
            0,
            "true",
        ),
        (
            req(
                "merkle verify",
                json!({"txid": txids[2].to_string(), "index": 2, "branch": sib(&swapped), "merkle_root": root.to_string()}),
            ),
            0,
            "false",
        ),
        (
            req(
                "merkle verify",
                json!({"txid": txids[2].to_string(), "index": 3, "branch": sib(&branch), "merkle_root": root.to_string()}),
            ),
            0,
            "false",
        ),
        (
            req(
                "merkle verify",
                json!({"txid": txids[2].to_string(), "index": 8, "branch": sib(&branch), "merkle_root": root.to_string()}),
            ),
            0,
            "false",
        ),
        (
            req(
                "merkle verify",
                json!({"txid": txids[4].to_string(), "index": 5, "branch": sib(&dup), "merkle_root": root.to_string()}),
            ),
            0,
            "false",
        ),
        (
            req(
                "merkle verify",
                json!({"txid": txids[4].to_string(), "index": 4, "branch": sib(&dup), "merkle_root": root.to_string()}),
            ),
            0,
            "true",
        ),
        (
            req(
                "merkle verify",
                json!({"txid": txids[2].to_string(), "index": 4_294_967_296u64, "branch": sib(&branch), "merkle_root": root.to_string()}),
            ),
            0,
            "false",
        ),
        (
            req(
                "merkle proof",
                json!({"txids": txids.iter().map(ToString::to_string).collect::<Vec<_>>(), "index": 5}),
            ),
            1,
            "index_out_of_range",
        ),
        (
            req("merkle root", json!({"txids": []})),
            1,
            "no_transactions",
        ),
        (
            req("merkle root", json!({"txids": ["00"]})),
            1,
            "invalid_length",
        ),
        (
            req(
                "merkle root",
                json!({"txids": [txids[0].to_string(), txids[1].to_string(), txids[1].to_string()]}),
            ),
            0,
            "mutated:false",
        ),
        (
            req(
                "merkle root",
                json!({"txids": [txids[0].to_string(), txids[1].to_string(), txids[2].to_string(), txids[2].to_string()]}),
            ),
            0,
            "mutated:true",
        ),
        (
            req(
                "txoutproof verify",
                json!({"proof": hex::encode(&proof.to_bytes())}),
            ),
            0,
            "",
        ),
        (
            req(
                "txoutproof verify",
                json!({"proof": hex::encode(&fewer.to_bytes())}),
            ),
            1,
            "*",
        ),
        (
            req(
                "txoutproof verify",
                json!({"proof": hex::encode(&extra_hash.to_bytes())}),
            ),
            1,
            "unused_hashes",
        ),
        (
            req(
                "txoutproof verify",
                json!({"proof": hex::encode(&proof.to_bytes()) + "00"}),
            ),
            1,
            "trailing_bytes",
        ),
    ];
    let reqs: Vec<(String, Value)> = cases.iter().map(|(r, _, _)| r.clone()).collect();
    let out = twin_batch("spv-adversarial", &reqs);
    for ((exit, v), ((command, _), want_exit, want)) in out.iter().zip(&cases) {
        assert_eq!(*exit, *want_exit, "{command}: {v}");
        match *want {
            "" | "*" => {}
            "true" | "false" => assert_eq!(v["valid"], *want == "true", "{command}: {v}"),
            "mutated:true" | "mutated:false" => {
                assert_eq!(v["mutated"], *want == "mutated:true", "{v}")
            }
            code => assert_eq!(v["error"]["code"], code, "{command}: {v}"),
        }
    }
}
