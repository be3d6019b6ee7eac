//! Both CLIs, the native `pegkit` and `node js/bin/pegkit.mjs` (the same contract code over
//! core compiled to wasm), run every vector through `pegkit batch`, one process per suite.
//! Their outputs must be byte-identical, and must say what the vectors say.
//!
//! Needs `node` and the CLI wasm in `js/cli/` (`npm --prefix js run build:cli`); the README's
//! test command builds it first.

use pegkit_core::hex;
use pegkit_core::merkle::merkle_root;
use pegkit_core::params::Network;
use pegkit_core::pegout::BurnEvent;
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
    let params = Network::Regtest.params();
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

// ---------------------------------------------------------------------------------------------
// Signing: sighash vectors, federation create, sign, finalize.

fn vector_json(path: &str) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    serde_json::from_str(&std::fs::read_to_string(root.join(path)).unwrap()).unwrap()
}

#[test]
fn sighash_vectors() {
    // Bitcoin Core's sighash.json: [raw_tx, script, input_index, hashType (signed), sighash (display)].
    let core = vector_json("bitcoin-core/sighash.json");
    let rows: Vec<&Value> = core.as_array().unwrap().iter().skip(1).collect();
    let mut reqs: Vec<(String, Value)> = rows
        .iter()
        .map(|r| {
            req(
                "sighash",
                json!({"kind": "legacy", "tx": r[0], "script_code": r[1], "input_index": r[2], "sighash_type": r[3]}),
            )
        })
        .collect();
    let bip143 = vector_json("bips/bip143-examples.json");
    let bip143 = bip143["vectors"].as_array().unwrap();
    for v in bip143 {
        reqs.push(req(
            "sighash",
            json!({"kind": "segwit_v0", "tx": v["tx"], "input_index": v["input_index"], "script_code": v["script_code"],
                   "amount": v["amount_sats"], "sighash_type": v["sighash_type"]}),
        ));
    }
    let bip341 = vector_json("bips/bip341-wallet-test-vectors.json");
    let kps = &bip341["keyPathSpending"][0];
    let prevouts: Vec<Value> = kps["given"]["utxosSpent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| json!({"amount": u["amountSats"], "script_pubkey": u["scriptPubKey"]}))
        .collect();
    let inputs = kps["inputSpending"].as_array().unwrap();
    for input in inputs {
        reqs.push(req(
            "sighash",
            json!({"kind": "taproot", "tx": kps["given"]["rawUnsignedTx"], "input_index": input["given"]["txinIndex"],
                   "sighash_type": input["given"]["hashType"], "prevouts": prevouts}),
        ));
    }
    let out = twin_batch("sighash", &reqs);
    for (i, ((exit, v), r)) in out.iter().zip(&rows).enumerate() {
        let mut want = hex::decode(r[4].as_str().unwrap()).unwrap();
        want.reverse();
        assert_eq!(
            (*exit, v["sighash"].as_str()),
            (0, Some(hex::encode(&want).as_str())),
            "sighash.json row {i}"
        );
    }
    let out = &out[rows.len()..];
    for ((exit, v), want) in out.iter().zip(bip143) {
        assert_eq!(
            (*exit, &v["sighash"]),
            (0, &want["sighash"]),
            "{}",
            want["section"]
        );
    }
    let out = &out[bip143.len()..];
    assert_eq!(out.len(), inputs.len());
    for ((exit, v), input) in out.iter().zip(inputs) {
        assert_eq!(
            (*exit, &v["sighash"]),
            (0, &input["intermediary"]["sigHash"])
        );
    }
    assert_eq!(rows.len() + bip143.len() + inputs.len(), 500 + 14 + 7);
}

fn secret_hex(i: u8) -> String {
    hex::encode(&[i.wrapping_add(1); 32])
}

fn xonly_hex(i: u8) -> String {
    pegkit_core::schnorr::SecretKey::from_bytes(&[i.wrapping_add(1); 32])
        .unwrap()
        .x_only_public_key()
        .to_string()
}

fn compressed_hex(i: u8) -> String {
    let sk = pegkit_core::schnorr::SecretKey::from_bytes(&[i.wrapping_add(1); 32]).unwrap();
    pegkit_core::ecdsa::PublicKey::from_secret_key(&sk).to_string()
}

/// A spend of two outputs paying `script_pubkey`, unsigned, version 2, with `sequence`.
fn unsigned_spend(script_pubkey: &str, sequence: u32) -> (String, Value) {
    let tx = Transaction {
        version: 2,
        inputs: (0..2u8)
            .map(|i| pegkit_core::TxIn {
                previous_output: pegkit_core::OutPoint {
                    txid: Txid::from_byte_array([i + 1; 32]),
                    vout: u32::from(i),
                },
                script_sig: vec![],
                sequence,
                witness: pegkit_core::Witness::default(),
            })
            .collect(),
        outputs: vec![TxOut {
            value: 150_000,
            script_pubkey: [&[0x00, 0x14][..], &[9; 20]].concat(),
        }],
        lock_time: 0,
    };
    let prevouts = json!([
        {"amount": 100_000, "script_pubkey": script_pubkey},
        {"amount": 60_000, "script_pubkey": script_pubkey}
    ]);
    (hex::encode(&Encode::to_bytes(&tx)), prevouts)
}

#[test]
fn federation_sign_finalize() {
    let taproot = json!({
        "network": "regtest", "threshold": 2,
        "public_keys": [xonly_hex(0), xonly_hex(1), compressed_hex(2)],
        "recovery": {"after_blocks": 144, "threshold": 1, "public_keys": [xonly_hex(5), xonly_hex(6)]}
    });
    let p2wsh = json!({
        "network": "mainnet", "threshold": 2, "kind": "p2wsh",
        "public_keys": [compressed_hex(0), compressed_hex(1), compressed_hex(2)]
    });
    let created = twin_batch(
        "federation create",
        &[
            req("federation create", taproot.clone()),
            req("federation create", p2wsh.clone()),
        ],
    );
    let (tap_exit, tap) = &created[0];
    let (wsh_exit, wsh) = &created[1];
    assert_eq!((*tap_exit, *wsh_exit), (0, 0), "{tap} {wsh}");
    assert!(tap["address"].as_str().unwrap().starts_with("bcrt1p"));
    assert!(tap["descriptor"].as_str().unwrap().starts_with(&format!(
        "tr({},{{sortedmulti_a(2,",
        hex::encode(&pegkit_core::taproot::NUMS_H)
    )));
    assert_eq!(tap["leaves"].as_array().unwrap().len(), 2);
    assert!(wsh["address"].as_str().unwrap().starts_with("bc1q"));
    assert!(
        wsh["descriptor"]
            .as_str()
            .unwrap()
            .starts_with("wsh(sortedmulti(2,")
    );
    assert!(wsh.get("leaves").is_none() && wsh["witness_script"].is_string());

    let mut reqs = Vec::new();
    let (tx, prevouts) = unsigned_spend(tap["script_pubkey"].as_str().unwrap(), 0xffff_fffd);
    for i in [2u8, 0, 1] {
        reqs.push(req(
            "sign",
            json!({"federation": taproot, "tx": tx, "prevouts": prevouts, "secret_key": secret_hex(i), "aux_rand": "11".repeat(32)}),
        ));
    }
    let (rtx, rprevouts) = unsigned_spend(tap["script_pubkey"].as_str().unwrap(), 144);
    reqs.push(req(
        "sign",
        json!({"federation": taproot, "tx": rtx, "prevouts": rprevouts, "secret_key": secret_hex(6), "aux_rand": "22".repeat(32), "leaf": "recovery"}),
    ));
    let (wtx, wprevouts) = unsigned_spend(wsh["script_pubkey"].as_str().unwrap(), 0xffff_fffd);
    for i in [1u8, 2] {
        reqs.push(req(
            "sign",
            json!({"federation": p2wsh, "tx": wtx, "prevouts": wprevouts, "secret_key": secret_hex(i)}),
        ));
    }
    let signed = twin_batch("sign", &reqs);
    assert!(signed.iter().all(|(exit, _)| *exit == 0), "{signed:?}");
    // Taproot keys come back x-only (also for the member given as a compressed key).
    assert_eq!(signed[0].1["public_key"], xonly_hex(2));
    assert_eq!(signed[5].1["public_key"], compressed_hex(2));
    let partial = |i: usize| signed[i].1.clone();

    let finals = twin_batch(
        "finalize",
        &[
            req(
                "finalize",
                json!({"federation": taproot, "tx": tx, "prevouts": prevouts, "partial_signatures": [partial(0), partial(1), partial(2)]}),
            ),
            req(
                "finalize",
                json!({"federation": taproot, "tx": rtx, "prevouts": rprevouts, "partial_signatures": [partial(3)], "leaf": "recovery"}),
            ),
            req(
                "finalize",
                json!({"federation": p2wsh, "tx": wtx, "prevouts": wprevouts, "partial_signatures": [partial(5), partial(4)]}),
            ),
            // Fewer than the threshold; a partial set from the other leaf; the p2wsh set on taproot.
            req(
                "finalize",
                json!({"federation": taproot, "tx": tx, "prevouts": prevouts, "partial_signatures": [partial(0)]}),
            ),
            req(
                "finalize",
                json!({"federation": taproot, "tx": tx, "prevouts": prevouts, "partial_signatures": [partial(0), partial(3)]}),
            ),
            req(
                "finalize",
                json!({"federation": taproot, "tx": tx, "prevouts": prevouts, "partial_signatures": [partial(4)]}),
            ),
        ],
    );
    // Key order is by x-only bytes: the two used are the first two of the three in that order.
    let mut order = [xonly_hex(0), xonly_hex(1), xonly_hex(2)];
    order.sort();
    assert_eq!(finals[0].0, 0, "{}", finals[0].1);
    assert_eq!(finals[0].1["signers"], json!(order[..2]));
    assert_eq!(finals[1].0, 0, "{}", finals[1].1);
    assert_eq!(finals[1].1["signers"], json!([xonly_hex(6)]));
    assert_eq!(finals[2].0, 0, "{}", finals[2].1);
    let mut wsh_order = vec![compressed_hex(1), compressed_hex(2)];
    wsh_order.sort();
    assert_eq!(finals[2].1["signers"], json!(wsh_order));
    assert_eq!(finals[3].1["error"]["code"], "threshold_not_met");
    assert_eq!(finals[4].1["error"]["code"], "not_a_member");
    // The p2wsh member's compressed key names the same x-only member; its DER signatures are
    // not BIP340 signatures.
    assert_eq!(finals[5].1["error"]["code"], "invalid_length");
    // The finished transactions decode, carry the txid given, and pass the pre-broadcast check
    // of a federation built here from the same keys.
    use pegkit_core::federation::{Federation, Recovery};
    use pegkit_core::schnorr::XOnlyPublicKey;
    let x = |i: u8| XOnlyPublicKey::from_slice(&hex::decode(&xonly_hex(i)).unwrap()).unwrap();
    let c = |i: u8| {
        pegkit_core::ecdsa::PublicKey::from_slice(&hex::decode(&compressed_hex(i)).unwrap())
            .unwrap()
    };
    let recovery = Recovery {
        threshold: 1,
        keys: vec![x(5), x(6)],
        after_blocks: 144,
    };
    let native_tap = Federation::taproot(
        Network::Regtest,
        2,
        &[x(0), x(1), x(2)],
        Some(&recovery),
        None,
    )
    .unwrap();
    let native_wsh = Federation::p2wsh(Network::Mainnet, 2, &[c(0), c(1), c(2)]).unwrap();
    assert_eq!(native_tap.address(), tap["address"].as_str().unwrap());
    assert_eq!(native_wsh.address(), wsh["address"].as_str().unwrap());
    let prevouts_of = |v: &Value| -> Vec<TxOut> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| TxOut {
                value: p["amount"].as_i64().unwrap(),
                script_pubkey: hex::decode(p["script_pubkey"].as_str().unwrap()).unwrap(),
            })
            .collect()
    };
    for (i, (fed, prevouts)) in [
        (&native_tap, &prevouts),
        (&native_tap, &rprevouts),
        (&native_wsh, &wprevouts),
    ]
    .iter()
    .enumerate()
    {
        let signed_tx: Transaction =
            Decode::decode(&hex::decode(finals[i].1["tx"].as_str().unwrap()).unwrap()).unwrap();
        assert_eq!(
            signed_tx.txid().to_string(),
            finals[i].1["txid"].as_str().unwrap()
        );
        pegkit_core::signing::check_witnesses(fed, &signed_tx, &prevouts_of(prevouts)).unwrap();
    }

    // Without aux_rand each CLI draws randomness: different signatures, each finalizes.
    let no_aux =
        json!({"federation": taproot, "tx": tx, "prevouts": prevouts, "secret_key": secret_hex(0)});
    let line = format!("{}\n", json!({"command": "sign", "request": no_aux}));
    let native: Value =
        serde_json::from_str(&run(env!("CARGO_BIN_EXE_pegkit"), &["batch"], &line)).unwrap();
    let wasm: Value =
        serde_json::from_str(&run("node", &["js/bin/pegkit.mjs", "batch"], &line)).unwrap();
    assert_ne!(
        native["response"]["signatures"],
        wasm["response"]["signatures"]
    );
    for random in [&native["response"], &wasm["response"]] {
        let out = twin_batch(
            "finalize random",
            &[req(
                "finalize",
                json!({"federation": taproot, "tx": tx, "prevouts": prevouts, "partial_signatures": [random, partial(2)]}),
            )],
        );
        assert_eq!(out[0].0, 0, "{}", out[0].1);
    }
}

#[test]
fn signing_errors() {
    let fed = json!({"network": "regtest", "threshold": 2, "public_keys": [xonly_hex(0), xonly_hex(1), xonly_hex(2)]});
    let spk = {
        let out = twin_batch("fed", &[req("federation create", fed.clone())]);
        out[0].1["script_pubkey"].as_str().unwrap().to_string()
    };
    let (tx, prevouts) = unsigned_spend(&spk, 0xffff_fffd);
    let two = |v: Value| {
        let mut v = v;
        v["federation"] = fed.clone();
        v
    };
    let cases: Vec<((String, Value), u64, &str)> = vec![
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 0, "public_keys": [xonly_hex(0)]}),
            ),
            1,
            "invalid_threshold",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 2, "public_keys": [xonly_hex(0)]}),
            ),
            1,
            "invalid_threshold",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": []}),
            ),
            1,
            "no_keys",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [xonly_hex(0), compressed_hex(0)]}),
            ),
            1,
            "duplicate_key",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [xonly_hex(0)], "kind": "p2wsh"}),
            ),
            1,
            "invalid_key",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": ["02".repeat(31)]}),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [format!("04{}", xonly_hex(0))]}),
            ),
            1,
            "invalid_key",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": ["ff".repeat(32)]}),
            ),
            1,
            "invalid_key",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [xonly_hex(0)],
            "recovery": {"after_blocks": 70000, "threshold": 1, "public_keys": [xonly_hex(1)]}}),
            ),
            1,
            "invalid_timelock",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [xonly_hex(0)],
            "recovery": {"after_blocks": 0, "threshold": 1, "public_keys": [xonly_hex(1)]}}),
            ),
            1,
            "invalid_timelock",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [xonly_hex(0)],
                "recovery": {"after_blocks": -1, "threshold": 1, "public_keys": [xonly_hex(1)]}}),
            ),
            1,
            "invalid_timelock",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [xonly_hex(0)], "internal_key": compressed_hex(3)}),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "kind": "p2wsh", "public_keys": [compressed_hex(0)],
            "recovery": {"after_blocks": 10, "threshold": 1, "public_keys": [compressed_hex(1)]}}),
            ),
            1,
            "taproot_only",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [xonly_hex(0)], "internal_key": "00".repeat(31)}),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [xonly_hex(0)], "kind": "bare"}),
            ),
            2,
            "usage",
        ),
        (
            req(
                "federation create",
                json!({"network": "regtest", "threshold": 1, "public_keys": [xonly_hex(0)], "treshold": 1}),
            ),
            2,
            "usage",
        ),
        (
            req(
                "sign",
                two(
                    json!({"tx": tx, "prevouts": prevouts, "secret_key": secret_hex(9), "aux_rand": "00".repeat(32)}),
                ),
            ),
            1,
            "not_a_member",
        ),
        (
            req(
                "sign",
                two(
                    json!({"tx": tx, "prevouts": prevouts, "secret_key": secret_hex(0), "aux_rand": "00".repeat(31)}),
                ),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "sign",
                two(
                    json!({"tx": tx, "prevouts": prevouts, "secret_key": secret_hex(0), "leaf": "recovery"}),
                ),
            ),
            1,
            "no_such_leaf",
        ),
        (
            req(
                "sign",
                two(
                    json!({"tx": tx, "prevouts": prevouts, "secret_key": secret_hex(0), "leaf": "other"}),
                ),
            ),
            2,
            "usage",
        ),
        (
            req(
                "sign",
                two(json!({"tx": tx, "prevouts": [prevouts[0]], "secret_key": secret_hex(0)})),
            ),
            1,
            "prevouts_mismatch",
        ),
        (
            req(
                "sign",
                two(
                    json!({"tx": tx, "prevouts": [prevouts[0], {"amount": 1, "script_pubkey": "51"}], "secret_key": secret_hex(0)}),
                ),
            ),
            1,
            "foreign_input",
        ),
        (
            req(
                "sign",
                two(json!({"tx": tx, "prevouts": prevouts, "secret_key": "00".repeat(32)})),
            ),
            1,
            "invalid_secret_key",
        ),
        (
            req(
                "finalize",
                two(
                    json!({"tx": tx, "prevouts": prevouts, "partial_signatures": [{"public_key": xonly_hex(0), "signatures": ["00".repeat(64)]}]}),
                ),
            ),
            1,
            "wrong_signature_count",
        ),
        (
            req(
                "finalize",
                two(
                    json!({"tx": tx, "prevouts": prevouts, "partial_signatures": [{"public_key": xonly_hex(0), "signatures": ["00".repeat(64), "00".repeat(63)]}]}),
                ),
            ),
            1,
            "invalid_length",
        ),
        (
            req(
                "finalize",
                two(
                    json!({"tx": tx, "prevouts": prevouts, "partial_signatures": [{"public_key": xonly_hex(0), "signatures": ["00".repeat(64), "00".repeat(64)]}]}),
                ),
            ),
            1,
            "invalid_signature",
        ),
        (
            req(
                "finalize",
                two(
                    json!({"tx": tx, "prevouts": prevouts, "partial_signatures": [{"public_key": xonly_hex(0), "signatures": ["00".repeat(64), format!("{}83", "00".repeat(64))]}]}),
                ),
            ),
            1,
            "invalid_sighash_type",
        ),
        (
            req(
                "sighash",
                json!({"kind": "taproot", "tx": tx, "input_index": 0, "sighash_type": 4, "prevouts": prevouts}),
            ),
            1,
            "invalid_sighash_type",
        ),
        (
            req(
                "sighash",
                json!({"kind": "taproot", "tx": tx, "input_index": 0, "sighash_type": 256, "prevouts": prevouts}),
            ),
            1,
            "invalid_sighash_type",
        ),
        (
            req(
                "sighash",
                json!({"kind": "taproot", "tx": tx, "input_index": 0, "sighash_type": 0, "prevouts": [prevouts[0]]}),
            ),
            1,
            "prevouts_mismatch",
        ),
        (
            req(
                "sighash",
                json!({"kind": "taproot", "tx": tx, "input_index": 2, "sighash_type": 0, "prevouts": prevouts}),
            ),
            1,
            "input_index_out_of_range",
        ),
        (
            req(
                "sighash",
                json!({"kind": "taproot", "tx": tx, "input_index": 1, "sighash_type": 3, "prevouts": prevouts}),
            ),
            1,
            "sighash_single_out_of_range",
        ),
        (
            req(
                "sighash",
                json!({"kind": "taproot", "tx": tx, "input_index": 0, "sighash_type": 0, "prevouts": prevouts, "annex": "51"}),
            ),
            1,
            "invalid_annex",
        ),
        (
            req(
                "sighash",
                json!({"kind": "taproot", "tx": tx, "input_index": 0, "sighash_type": 0, "prevouts": prevouts, "codesep_pos": 1}),
            ),
            2,
            "usage",
        ),
        (
            req(
                "sighash",
                json!({"kind": "legacy", "tx": tx, "input_index": 0, "sighash_type": 1}),
            ),
            2,
            "usage",
        ),
        (
            req(
                "sighash",
                json!({"kind": "legacy", "tx": tx, "input_index": 0, "sighash_type": 1, "script_code": "", "amount": 5}),
            ),
            2,
            "usage",
        ),
        (
            req(
                "sighash",
                json!({"kind": "segwit_v0", "tx": tx, "input_index": 0, "sighash_type": 1, "script_code": ""}),
            ),
            2,
            "usage",
        ),
        (
            req(
                "sighash",
                json!({"kind": "legacy", "tx": tx, "input_index": 0, "sighash_type": 4294967296_u64, "script_code": ""}),
            ),
            2,
            "usage",
        ),
        (
            req(
                "sighash",
                json!({"kind": "legacy", "tx": tx, "input_index": 5, "sighash_type": -1, "script_code": ""}),
            ),
            1,
            "input_index_out_of_range",
        ),
    ];
    let reqs: Vec<(String, Value)> = cases.iter().map(|c| c.0.clone()).collect();
    let out = twin_batch("signing errors", &reqs);
    for ((exit, v), ((command, request), want_exit, want_code)) in out.iter().zip(&cases) {
        assert_eq!(
            (*exit, v["error"]["code"].as_str().unwrap_or("")),
            (*want_exit, *want_code),
            "{command} {request}: {v}"
        );
    }
}

/// A burn event log as `eth_getLogs` returns it, ABI-encoded by hand: `RequestPegOut` (bytes
/// address) or `BurnForBitcoin` (string address).
fn burn_log(
    bridge: &str,
    request_peg_out: bool,
    address: &str,
    wei: u128,
    tx: u8,
    index: u64,
) -> Value {
    let word = |n: u128| format!("{n:064x}");
    let bytes = address.as_bytes();
    let tail = format!(
        "{}{:0<width$}",
        word(bytes.len() as u128),
        hex::encode(bytes),
        width = bytes.len().div_ceil(32) * 64
    );
    let (event, data) = if request_peg_out {
        (
            BurnEvent::RequestPegOut,
            format!("0x{}{}{}", word(0x40), word(wei), tail),
        )
    } else {
        (
            BurnEvent::BurnForBitcoin,
            format!("0x{}{}{}", word(wei), word(0x40), tail),
        )
    };
    let topic0 = format!("0x{}", hex::encode(&event.signature_hash()));
    json!({
        "address": bridge, "topics": [topic0, format!("0x{}{}", "00".repeat(12), "11".repeat(20))],
        "data": data, "transaction_hash": format!("0x{}", hex::encode(&[tx; 32])),
        "log_index": index, "block_number": 100 + u64::from(tx)
    })
}

/// Peg-out through both CLIs: logs decoded, a payment built from the decoded burns and checked,
/// each refusal with the same code from both.
#[test]
fn pegout_decode_build_check() {
    let bridge = format!("0x{}", "bb".repeat(20));
    let other = format!("0x{}", "cc".repeat(20));
    let p2wpkh = pegkit_core::address::segwit_address(Network::Regtest, 0, &[7; 20]).unwrap();
    let p2tr = pegkit_core::address::segwit_address(Network::Regtest, 1, &[9; 32]).unwrap();
    let mainnet = pegkit_core::address::segwit_address(Network::Mainnet, 0, &[7; 20]).unwrap();
    let sat = 10_000_000_000u128;
    let logs = json!([
        burn_log(&bridge, true, &p2wpkh, 2_000_000 * sat + 5, 1, 3),
        burn_log(&bridge, false, &p2tr, 3_000_000 * sat, 1, 4),
        burn_log(&bridge, true, &p2tr, 999_999 * sat, 2, 0),
        burn_log(&other, true, &p2tr, 5_000_000 * sat, 2, 1),
        burn_log(&bridge, false, &mainnet, 5_000_000 * sat, 3, 0),
    ]);
    let decoded = twin_batch(
        "pegout decode",
        &[req(
            "pegout decode",
            json!({"network": "regtest", "logs": logs}),
        )],
    );
    let (exit, out) = &decoded[0];
    assert_eq!(*exit, 0, "{out}");
    let burns = out["burns"].as_array().unwrap().clone();
    assert_eq!(burns.len(), 2, "{out}");
    assert_eq!(burns[0]["sats"], 2_000_000);
    assert_eq!(burns[0]["remainder_wei"], "5");
    assert_eq!(burns[0]["id"]["event_index"], 0);
    assert_eq!(burns[1]["id"]["event_index"], 1);
    let codes: Vec<&str> = out["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["amount_below_minimum", "not_bridge", "wrong_network"]
    );

    let fed = json!({"network": "regtest", "threshold": 2, "public_keys": [xonly_hex(0), xonly_hex(1), xonly_hex(2)]});
    let utxos = json!([
        {"txid": "01".repeat(32), "vout": 0, "amount": 3_000_000},
        {"txid": "02".repeat(32), "vout": 1, "amount": 4_000_000},
    ]);
    let build = json!({"network": "regtest", "federation": fed, "utxos": utxos, "burns": burns, "fee_rate_sat_kvb": 2000});
    let built = twin_batch("pegout build", &[req("pegout build", build.clone())]);
    let (exit, payment) = &built[0];
    assert_eq!(*exit, 0, "{payment}");
    assert_eq!(payment["paid"].as_array().unwrap().len(), 2);
    let check = |extra: Value| {
        let mut c = json!({
            "network": "regtest", "federation": fed, "utxos": utxos, "burns": burns,
            "fee_rate_sat_kvb": 2000, "tx": payment["tx"], "prevouts": payment["prevouts"],
        });
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        req("pegout check", c)
    };
    let mut wrong_burns = burns.clone();
    wrong_burns[0]["sats"] = json!(1);
    let mut mainnet_fed = fed.clone();
    mainnet_fed["network"] = json!("mainnet");
    let cases: Vec<((String, Value), u64, &str)> = vec![
        (check(json!({})), 0, ""),
        (
            check(json!({"processed": [burns[1]["id"]]})),
            1,
            "burn_already_processed",
        ),
        (
            check(json!({"reserved": [{"txid": "02".repeat(32), "vout": 1}]})),
            1,
            "reserved_utxo",
        ),
        (check(json!({"fee_rate_sat_kvb": 3000})), 1, "wrong_payout"),
        (check(json!({"burns": wrong_burns})), 1, "inconsistent_burn"),
        (
            check(json!({"federation": mainnet_fed})),
            1,
            "wrong_network",
        ),
        (check(json!({"extra": 1})), 2, "usage"),
        (
            req("pegout build", {
                let mut b = build.clone();
                b["fee_rate_sat_kvb"] = json!(10);
                b
            }),
            1,
            "fee_rate_out_of_range",
        ),
        (
            req("pegout build", {
                let mut b = build.clone();
                b["utxos"] = json!([{"txid": "01".repeat(32), "vout": 0, "amount": 3_000_000}]);
                b
            }),
            1,
            "insufficient_funds",
        ),
        (
            req("pegout build", {
                let mut b = build.clone();
                b["burns"][0]["wei"] = json!("12x");
                b
            }),
            2,
            "usage",
        ),
        (
            req(
                "pegout decode",
                json!({"network": "regtest", "logs": [{"address": "bb", "topics": [], "data": "0x", "transaction_hash": format!("0x{}", "00".repeat(32)), "log_index": 0, "block_number": 1}]}),
            ),
            2,
            "usage",
        ),
    ];
    let requests: Vec<(String, Value)> = cases.iter().map(|(r, _, _)| r.clone()).collect();
    let out = twin_batch("pegout refusals", &requests);
    for ((exit, response), (r, want_exit, want_code)) in out.iter().zip(&cases) {
        assert_eq!(*exit, *want_exit, "{} {}: {response}", r.0, r.1);
        if *want_exit == 0 {
            assert_eq!(response["ok"], true);
            assert_eq!(response["fee"], payment["fee"]);
            assert_eq!(response["paid"], payment["paid"]);
        } else {
            assert_eq!(response["error"]["code"], *want_code, "{} {}", r.0, r.1);
        }
    }
}
