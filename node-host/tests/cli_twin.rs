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
        .map(|b| pegkit_core::Decode::decode(b).unwrap())
        .collect();
    for b in &blocks {
        for tx in &b.transactions {
            reqs.push(req(
                "tx decode",
                json!({"tx": hex::encode(&pegkit_core::Encode::to_bytes(tx))}),
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
