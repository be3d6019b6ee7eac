//! bitcoin-spv's `testVectors.json` (summa-tx/bitcoin-spv): every case of the functions that map
//! onto pegkit, run through pegkit. Where bitcoin-spv's expected output disagrees with Bitcoin's
//! rules, the test asserts pegkit's answer and says next to it which case is wrong and why; every
//! such claim is computed here, not assumed.
//!
//! Mapped: `hash256`, `sha256`, `hash256MerkleStep`, `verifyHash256Merkle`, `prove`,
//! `calculateTxId`, `retargetAlgorithm`, `validateHeaderChain`, `validateHeaderChainError`,
//! `validateHeaderWork`, `checkWork`, `validateHeaderPrevHash`, `work`, `workHash`,
//! `extractTarget`, `extractMerkleRootLE`, `extractPrevBlockLE`, `extractTimestamp`,
//! `extractValue`, `extractOpReturnData(Error)`, `parseVarInt(Error)`. Not mapped (pegkit has no
//! such function): the script and input/output slicing helpers, address encoders, `hash160`,
//! `ripemd160`, byte utilities and error-code getters.

use num_bigint::BigUint;
use pegkit_core::encode::{Field, Reader};
use pegkit_core::hash::{sha256, sha256d};
use pegkit_core::merkle::{MerkleBlock, MerkleBranch, MerkleError, PartialMerkleTree};
use pegkit_core::params::Network;
use pegkit_core::pegin::{OpReturn, parse_destination};
use pegkit_core::pow::{self, BadBits, U256};
use pegkit_core::{Decode, ErrorCode, Header, TxMerkleNode, Txid};
use serde_json::Value;

fn vectors(key: &str) -> Vec<Value> {
    pegkit_tests::bitcoin_spv_vectors()[key]
        .as_array()
        .unwrap_or_else(|| panic!("no key {key}"))
        .clone()
}

/// bitcoin-spv writes bytes as "0x…" hex.
fn hx(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap();
    pegkit_core::hex::decode(s.strip_prefix("0x").unwrap_or(s)).unwrap()
}

fn arr32(b: &[u8]) -> [u8; 32] {
    b.try_into().unwrap()
}

fn big(u: U256) -> BigUint {
    BigUint::from_bytes_be(&u.to_be_bytes())
}

/// bitcoin-spv's "difficulty": ⌊(0xffff × 256^26) / target⌋.
fn difficulty(target: U256) -> BigUint {
    (BigUint::from(0xffffu32) << 208u32) / big(target)
}

fn header(bytes: &[u8]) -> Header {
    Header::from_slice(bytes).unwrap()
}

/// bitcoin-spv's own merkle walk (`verifyHash256Merkle`): index bits taken low to high, never
/// checked against the branch length, no duplicate check. Used only to show where it differs.
fn spv_walk(leaf: [u8; 32], siblings: &[[u8; 32]], root: [u8; 32], mut idx: u64) -> bool {
    let mut current = leaf;
    for s in siblings {
        let mut buf = [0u8; 64];
        if idx % 2 == 1 {
            buf[..32].copy_from_slice(s);
            buf[32..].copy_from_slice(&current);
        } else {
            buf[..32].copy_from_slice(&current);
            buf[32..].copy_from_slice(s);
        }
        current = sha256d(&buf);
        idx >>= 1;
    }
    current == root
}

/// A bitcoin-spv merkle proof (leaf || siblings || root) as a pegkit branch verification.
fn pegkit_verify_packed(proof: &[u8], index: u32) -> bool {
    if proof.len() % 32 != 0 || proof.len() < 32 {
        // Not a sequence of 32-byte nodes: there is nothing to give pegkit.
        return false;
    }
    let nodes: Vec<[u8; 32]> = proof.chunks(32).map(arr32).collect();
    let (leaf, root) = (nodes[0], nodes[nodes.len() - 1]);
    let siblings = if nodes.len() >= 2 {
        nodes[1..nodes.len() - 1].to_vec()
    } else {
        vec![]
    };
    MerkleBranch { index, siblings }.verify(
        &Txid::from_byte_array(leaf),
        &TxMerkleNode::from_byte_array(root),
    )
}

#[test]
fn hashes() {
    let cases = vectors("hash256");
    assert_eq!(cases.len(), 2);
    for c in &cases {
        assert_eq!(sha256d(&hx(&c["input"])).to_vec(), hx(&c["output"]));
    }
    let cases = vectors("sha256");
    assert_eq!(cases.len(), 2);
    for c in &cases {
        assert_eq!(sha256(&hx(&c["input"])).to_vec(), hx(&c["output"]));
    }
    // hash256MerkleStep is hash256(a || b). Its vectors hash 1-byte inputs, not 32-byte nodes,
    // so they check the concatenation, not a merkle node; pegkit's node step is the same
    // double SHA-256 over exactly 64 bytes (checked through a one-sibling branch below).
    let cases = vectors("hash256MerkleStep");
    assert_eq!(cases.len(), 2);
    for c in &cases {
        let (a, b) = (hx(&c["input"][0]), hx(&c["input"][1]));
        assert_eq!(a.len() + b.len(), 2);
        assert_eq!(sha256d(&[a, b].concat()).to_vec(), hx(&c["output"]));
    }
    let (l, r) = ([0x11; 32], [0x22; 32]);
    let root = sha256d(&[l, r].concat());
    let branch = MerkleBranch {
        index: 0,
        siblings: vec![r],
    };
    assert!(branch.verify(
        &Txid::from_byte_array(l),
        &TxMerkleNode::from_byte_array(root)
    ));
}

#[test]
fn verify_hash256_merkle() {
    let cases = vectors("verifyHash256Merkle");
    assert_eq!(cases.len(), 8);
    for (i, c) in cases.iter().enumerate() {
        let proof = hx(&c["input"]["proof"]);
        let index = c["input"]["index"].as_u64().unwrap() as u32;
        let expected = c["output"].as_bool().unwrap();
        let ours = pegkit_verify_packed(&proof, index);
        // Every case agrees with Bitcoin's rules as pegkit applies them. Case 6 ("0x00") is not
        // a sequence of 32-byte nodes. Case 7 (one 32-byte node, leaf = root, no siblings) is
        // a valid proof only for a block with exactly one transaction: a bare branch cannot know
        // the count, so pegkit's `MerkleBranch` accepts it too; pegkit's `gettxoutproof` form
        // carries the count and checks it (below). Case 8 (leaf ff…, root ee…, no siblings) is
        // false because the leaf is not the root.
        assert_eq!(ours, expected, "verifyHash256Merkle case {}", i + 1);
        if proof.len() >= 64 && proof.len() % 32 == 0 {
            let nodes: Vec<[u8; 32]> = proof.chunks(32).map(arr32).collect();
            let n = nodes.len();
            assert_eq!(
                spv_walk(nodes[0], &nodes[1..n - 1], nodes[n - 1], u64::from(index)),
                expected
            );
            // In every case the index fits the branch length.
            assert!(n - 2 >= 32 || u64::from(index) >> (n - 2) == 0);
        }
    }
    // Case 7 through a partial merkle tree: the count says whether a lone leaf is the root.
    let lone = arr32(&hx(&cases[6]["input"]["proof"]));
    let header = Header {
        merkle_root: TxMerkleNode::from_byte_array(lone),
        ..Header::default()
    };
    let one = MerkleBlock {
        header,
        tree: PartialMerkleTree {
            tx_count: 1,
            hashes: vec![lone],
            flag_bytes: vec![1],
        },
    };
    assert_eq!(
        one.verify().unwrap().matches,
        [(0, Txid::from_byte_array(lone))]
    );
    let two = MerkleBlock {
        tree: PartialMerkleTree {
            tx_count: 2,
            ..one.tree.clone()
        },
        ..one
    };
    assert!(
        two.verify().is_err(),
        "a lone leaf is not the root of 2 transactions"
    );

    // Beyond the vectors, where bitcoin-spv's walk and Bitcoin's rules part: case 4 (index 281,
    // 10 siblings) with index 281 + 1024. bitcoin-spv ignores the bits above the branch length
    // and accepts a position that does not exist; pegkit refuses it.
    let proof = hx(&cases[3]["input"]["proof"]);
    let nodes: Vec<[u8; 32]> = proof.chunks(32).map(arr32).collect();
    let n = nodes.len();
    assert_eq!(n - 2, 10);
    assert!(spv_walk(
        nodes[0],
        &nodes[1..n - 1],
        nodes[n - 1],
        281 + 1024
    ));
    assert!(!pegkit_verify_packed(&proof, 281 + 1024));
    let branch = MerkleBranch {
        index: 281 + 1024,
        siblings: nodes[1..n - 1].to_vec(),
    };
    assert_eq!(
        branch.root_for(&Txid::from_byte_array(nodes[0])),
        Err(MerkleError::IndexTooLarge {
            index: 1305,
            depth: 10
        })
    );
    // And a duplicated right child (CVE-2012-2459): leaf x at index 1 with sibling x. bitcoin-spv
    // accepts it for root H(x || x); pegkit refuses.
    let x = [0x5a; 32];
    let dup_root = sha256d(&[x, x].concat());
    assert!(spv_walk(x, &[x], dup_root, 1));
    assert!(!pegkit_verify_packed(&[x, x, dup_root].concat(), 1));
    assert!(
        pegkit_verify_packed(&[x, x, dup_root].concat(), 0),
        "the left copy is legitimate"
    );
}

#[test]
fn prove() {
    let cases = vectors("prove");
    assert_eq!(cases.len(), 3);
    for (i, c) in cases.iter().enumerate() {
        let input = &c["input"];
        let txid = arr32(&hx(&input["txIdLE"]));
        let root = arr32(&hx(&input["merkleRootLE"]));
        let nodes = hx(&input["proof"]);
        let index = input["index"].as_u64().unwrap() as u32;
        let branch = MerkleBranch {
            index,
            siblings: nodes.chunks(32).map(arr32).collect(),
        };
        let ours = branch.verify(
            &Txid::from_byte_array(txid),
            &TxMerkleNode::from_byte_array(root),
        );
        // Case 2 (txid = root, no nodes, index 0) is bitcoin-spv's "empty block" shortcut:
        // right for a block whose only transaction is this one; pegkit's bare branch agrees
        // (see verifyHash256Merkle case 7 for the count). Case 3 (txid = root but 10 nodes) is
        // false: the 10 nodes lead elsewhere.
        assert_eq!(ours, c["output"].as_bool().unwrap(), "prove case {}", i + 1);
    }
    // Case 1 is the same proof as verifyHash256Merkle case 4, unpacked.
    let packed = hx(&vectors("verifyHash256Merkle")[3]["input"]["proof"]);
    let input = &cases[0]["input"];
    assert_eq!(
        packed,
        [
            hx(&input["txIdLE"]),
            hx(&input["proof"]),
            hx(&input["merkleRootLE"])
        ]
        .concat()
    );
}

#[test]
fn calculate_txid() {
    let cases = vectors("calculateTxId");
    assert_eq!(cases.len(), 1);
    for c in &cases {
        let i = &c["input"];
        let bytes = [
            hx(&i["version"]),
            hx(&i["vin"]),
            hx(&i["vout"]),
            hx(&i["locktime"]),
        ]
        .concat();
        let tx = pegkit_core::Transaction::decode(&bytes).unwrap();
        assert_eq!(tx.txid().to_byte_array().to_vec(), hx(&c["output"]));
        // Its second output is an OP_RETURN with a 20-byte push: a pegkit destination.
        assert_eq!(
            parse_destination(&tx.outputs[1].script_pubkey),
            Some(OpReturn::Destination(
                hx(&vectors("extractOpReturnData")[0]["output"])
                    .try_into()
                    .unwrap()
            ))
        );
    }
}

/// The retarget cases: 3 headers each (first of a period, last of that period, first of the
/// next); the expected output is the third header's difficulty.
#[test]
fn retarget_algorithm() {
    let mainnet = Network::Mainnet.params();
    let cases = vectors("retargetAlgorithm");
    assert_eq!(cases.len(), 9);
    for (i, c) in cases.iter().enumerate() {
        let hs: Vec<(Header, u64)> = c["input"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let header = header(&hx(&h["hex"]));
                // The JSON's fields describe the same header.
                assert_eq!(
                    header.block_hash().to_display_bytes().to_vec(),
                    hx(&h["hash"])
                );
                assert_eq!(u64::from(header.time), h["timestamp"].as_u64().unwrap());
                let nbits_le = hx(&h["nbits"]);
                assert_eq!(header.bits.0.to_le_bytes().to_vec(), nbits_le);
                let target = header.bits.target_within(&mainnet.pow_limit).unwrap();
                assert_eq!(
                    difficulty(target),
                    BigUint::from(h["difficulty"].as_u64().unwrap())
                );
                assert!(pow::hash_meets_target(
                    header.block_hash().as_byte_array(),
                    &target
                ));
                (header, h["height"].as_u64().unwrap())
            })
            .collect();
        let [(first, h1), (last, h2), (new, h3)] = hs[..] else {
            panic!("3 headers")
        };
        assert_eq!(h1 % 2016, 0, "case {}", i + 1);
        assert_eq!(h3, h1 + 2016, "case {}", i + 1);
        // The third header links to the second in cases 1-8 (the second really is the last of
        // the period).
        let ours = pow::next_work_required(&mainnet, last.bits, last.time, first.time);
        let expected = c["output"].as_u64().unwrap();
        assert_eq!(
            difficulty(new.bits.decode().target),
            BigUint::from(expected)
        );
        if i < 8 {
            assert_eq!(h2, h1 + 2015, "case {}", i + 1);
            assert_eq!(new.prev_blockhash, last.block_hash());
            assert_eq!(ours, new.bits, "retarget case {}", i + 1);
        } else {
            // Case 9 is wrong: its "last header" is height 66543, the 16th block of the period
            // 66528..=68543, not its last (68543); the third header (68544) does not link to it.
            // Core measures the period from 66528 to 68543. pegkit, given what the case gives,
            // computes from a 2876 s span, which the ¼ clamp turns into 302,400 s; the real
            // span was also at (or within 3 s of) the clamp, so the result equals 68544's nBits
            // by coincidence, not because the input is right.
            assert_eq!((h1, h2, h3), (66_528, 66_543, 68_544));
            assert_ne!(new.prev_blockhash, last.block_hash());
            assert_eq!(last.time - first.time, 2876);
            assert_eq!(ours, new.bits);
            assert_eq!(new.bits.0, 0x1c01_68fd);
            // The result is exactly the old target ÷ 4 (the clamp) ...
            assert_eq!(
                big(new.bits.decode().target),
                big(first.bits.decode().target) / 4u32
            );
            // ... and any real span up to 302,403 s gives the same nBits, 302,404 s does not.
            for (span, same) in [(302_400, true), (302_403, true), (302_404, false)] {
                let bits =
                    pow::next_work_required(&mainnet, first.bits, first.time + span, first.time);
                assert_eq!(bits == new.bits, same, "span {span}");
            }
            // The time from 66528 to 68544 (one block past the period) is 289,542 s: also
            // under the clamp.
            assert_eq!(new.time - first.time, 289_542);
        }
    }
}

/// Link + proof-of-work check of consecutive 80-byte headers, as bitcoin-spv's
/// `validateHeaderChain` means it (these headers are not at known heights, so no retarget or
/// time rule): the failing header and the pegkit code, or the headers.
fn link_and_pow(bytes: &[u8]) -> Result<Vec<Header>, (usize, &'static str)> {
    let mut out: Vec<Header> = Vec::new();
    for (i, chunk) in bytes.chunks(80).enumerate() {
        let h = Header::from_slice(chunk).map_err(|e| (i, e.code()))?;
        if let Some(prev) = out.last() {
            if h.prev_blockhash != prev.block_hash() {
                return Err((i, "not_linked"));
            }
        }
        let own_target = h.bits.decode().target;
        if !pow::hash_meets_target(h.block_hash().as_byte_array(), &own_target) {
            return Err((i, "high_hash"));
        }
        out.push(h);
    }
    Ok(out)
}

#[test]
fn validate_header_chain() {
    let mainnet = Network::Mainnet.params();
    let cases = vectors("validateHeaderChain");
    assert_eq!(cases.len(), 1);
    let raw = hx(&cases[0]["input"]);
    let headers = link_and_pow(&raw).unwrap();
    assert_eq!(headers.len(), 7);
    let mut total = BigUint::from(0u32);
    for h in &headers {
        // Mainnet headers: within mainnet's limit too.
        let target = h.bits.target_within(&mainnet.pow_limit).unwrap();
        total += difficulty(target);
    }
    // bitcoin-spv returns the sum of difficulties.
    assert_eq!(total, BigUint::from(cases[0]["output"].as_u64().unwrap()));

    let errors = vectors("validateHeaderChainError");
    assert_eq!(errors.len(), 3);
    // 1: 559 bytes: the 7th "header" is 79 bytes.
    let raw = hx(&errors[0]["input"]);
    assert_eq!(raw.len(), 559);
    assert_eq!(
        Header::from_slice(&raw[480..]).unwrap_err().code(),
        "invalid_length"
    );
    assert!(link_and_pow(&raw).is_err());
    // 2: the second header names another parent.
    assert_eq!(
        link_and_pow(&hx(&errors[1]["input"])),
        Err((1, "not_linked"))
    );
    // 3: the third header's hash is above its own target. These headers carry nBits 0x1f00ffff,
    // above mainnet's limit (0x1d00ffff): bitcoin-spv never checks a limit, so it reports the
    // third header; on mainnet every one of them is already refused for its nBits.
    let raw = hx(&errors[2]["input"]);
    assert_eq!(link_and_pow(&raw), Err((2, "high_hash")));
    for chunk in raw.chunks(80) {
        let h = header(chunk);
        assert_eq!(h.bits.0, 0x1f00_ffff);
        assert_eq!(
            h.bits.target_within(&mainnet.pow_limit),
            Err(BadBits::AboveLimit)
        );
    }
}

#[test]
fn validate_header_work_and_check_work() {
    let cases = vectors("validateHeaderWork");
    assert_eq!(cases.len(), 3);
    for (i, c) in cases.iter().enumerate() {
        // digest: the hash in internal byte order (a little-endian number); target: big-endian.
        let digest = arr32(&hx(&c["input"]["digest"]));
        let target = U256::from_be_bytes(&arr32(&hx(&c["input"]["target"])));
        let ours = pow::hash_meets_target(&digest, &target);
        if i == 0 {
            // Case 1 is wrong by Bitcoin's rule: digest 0, target 1. Core's CheckProofOfWork
            // fails only when hash > target, and 0 ≤ 1. bitcoin-spv special-cases an all-zero
            // digest as "empty" and says false. (No real header hashes to zero.)
            assert_eq!(digest, [0; 32]);
            assert_eq!(target, U256::ONE);
            assert!(ours);
            assert_eq!(c["output"], false);
        } else {
            assert_eq!(ours, c["output"].as_bool().unwrap(), "case {}", i + 1);
        }
    }
    // Case 3's digest is the first header of the validateHeaderChain vector.
    let chain = hx(&vectors("validateHeaderChain")[0]["input"]);
    assert_eq!(
        header(&chain[..80]).block_hash().to_byte_array().to_vec(),
        hx(&cases[2]["input"]["digest"])
    );
    // bitcoin-spv compares with `<`; Bitcoin with `≤`: a hash equal to its target is valid.
    let t = U256::from_be_bytes(&[0x0f; 32]);
    let mut le = t.to_be_bytes();
    le.reverse();
    assert!(pow::hash_meets_target(&le, &t));

    let cases = vectors("checkWork");
    assert_eq!(cases.len(), 2);
    for (i, c) in cases.iter().enumerate() {
        let h = header(&hx(&c["input"]["header"]));
        let target_bytes = arr32(&hx(&c["input"]["target"]));
        let target = U256::from_be_bytes(&target_bytes);
        let ours = pow::hash_meets_target(h.block_hash().as_byte_array(), &target);
        assert_eq!(
            ours,
            c["output"].as_bool().unwrap(),
            "checkWork case {}",
            i + 1
        );
        if i == 1 {
            // Case 2's target bytes are the header's own hash in internal order. Read as the
            // big-endian number bitcoin-spv uses, the target is huge and the answer is true;
            // read as the hash itself (a little-endian number), hash = target, and Bitcoin's
            // `≤` still says true, where bitcoin-spv's `<` would say false.
            assert_eq!(target_bytes, h.block_hash().to_byte_array());
            assert!(pow::hash_meets_target(
                h.block_hash().as_byte_array(),
                &U256::from_le_bytes(&target_bytes)
            ));
        }
    }
}

#[test]
fn header_fields_work_and_work_hash() {
    let mainnet = Network::Mainnet.params();
    for (key, n) in [
        ("extractMerkleRootLE", 1),
        ("extractPrevBlockLE", 1),
        ("extractTimestamp", 1),
        ("extractTarget", 1),
    ] {
        let cases = vectors(key);
        assert_eq!(cases.len(), n, "{key}");
        for c in &cases {
            let h = header(&hx(&c["input"]));
            match key {
                "extractMerkleRootLE" => {
                    assert_eq!(h.merkle_root.to_byte_array().to_vec(), hx(&c["output"]));
                }
                "extractPrevBlockLE" => {
                    assert_eq!(h.prev_blockhash.to_byte_array().to_vec(), hx(&c["output"]));
                }
                "extractTimestamp" => {
                    assert_eq!(u64::from(h.time), c["output"].as_u64().unwrap());
                }
                _ => {
                    let t = h.bits.target_within(&mainnet.pow_limit).unwrap();
                    assert_eq!(t.to_be_bytes().to_vec(), hx(&c["output"]));
                    // nBits 0x1d00ffff: the compact form of mainnet's limit (2^224 − 1), which
                    // decodes to 0xffff × 2^208, just under it.
                    assert_eq!(h.bits, mainnet.pow_limit_bits());
                    assert!(t < mainnet.pow_limit);
                }
            }
        }
    }
    let cases = vectors("validateHeaderPrevHash");
    assert_eq!(cases.len(), 2);
    for c in &cases {
        let h = header(&hx(&c["input"]["header"]));
        assert_eq!(
            h.prev_blockhash.to_byte_array().to_vec() == hx(&c["input"]["prevHash"]),
            c["output"].as_bool().unwrap()
        );
    }
    // `workHash` is the header's hash (internal order). `work` is that hash read as a
    // little-endian number: what pegkit compares with the target (`hash_meets_target`), not
    // Bitcoin's work (⌊2^256 / (target + 1)⌋, pegkit's `pow::work`), which is another number.
    let wh = vectors("workHash");
    let w = vectors("work");
    assert_eq!((wh.len(), w.len()), (1, 1));
    let h = header(&hx(&wh[0]["input"]));
    assert_eq!(hx(&w[0]["input"]), hx(&wh[0]["input"]));
    assert_eq!(
        h.block_hash().to_byte_array().to_vec(),
        hx(&wh[0]["output"])
    );
    let as_number = U256::from_le_bytes(h.block_hash().as_byte_array());
    assert_eq!(big(as_number).to_string(), w[0]["output"].as_str().unwrap());
    let target = h.bits.target_within(&mainnet.pow_limit).unwrap();
    assert!(pow::hash_meets_target(
        h.block_hash().as_byte_array(),
        &target
    ));
    let bitcoin_work = pow::work(target);
    assert_ne!(bitcoin_work, as_number);
    assert_eq!(
        big(bitcoin_work),
        (BigUint::from(1u32) << 256u32) / (big(target) + 1u32)
    );
}

/// A transaction output: 8-byte amount, then the script with its CompactSize length.
fn read_output(bytes: &[u8]) -> Result<(i64, Vec<u8>), &'static str> {
    let mut r = Reader::new(bytes);
    let value = r.read_i64(Field::Amount).map_err(|e| e.code())?;
    let script = r
        .read_var_bytes(Field::ScriptPubKey)
        .map_err(|e| e.code())?
        .to_vec();
    r.finish().map_err(|e| e.code())?;
    Ok((value, script))
}

#[test]
fn outputs_values_and_op_return_data() {
    let cases = vectors("extractValue");
    assert_eq!(cases.len(), 2);
    for c in &cases {
        let (value, _) = read_output(&hx(&c["input"])).unwrap();
        assert_eq!(value, c["output"].as_i64().unwrap());
    }
    let cases = vectors("extractOpReturnData");
    assert_eq!(cases.len(), 1);
    for c in &cases {
        let (_, script) = read_output(&hx(&c["input"])).unwrap();
        let data: [u8; 20] = hx(&c["output"]).try_into().unwrap();
        assert_eq!(
            parse_destination(&script),
            Some(OpReturn::Destination(data))
        );
    }
    let errors = vectors("extractOpReturnDataError");
    assert_eq!(errors.len(), 2);
    // 1: a P2WSH output: not an OP_RETURN.
    let (_, script) = read_output(&hx(&errors[0]["input"])).unwrap();
    assert_eq!(parse_destination(&script), None);
    // 2: one byte short: the script length says 22, 21 bytes follow.
    assert_eq!(read_output(&hx(&errors[1]["input"])), Err("truncated"));
}

#[test]
fn parse_var_int() {
    let cases = vectors("parseVarInt");
    assert_eq!(cases.len(), 4);
    for (i, c) in cases.iter().enumerate() {
        let bytes = hx(&c["input"]);
        let mut r = Reader::new(&bytes);
        let ours = r.read_compact_size(Field::TxCount);
        let (len, value) = (
            c["output"][0].as_u64().unwrap(),
            c["output"][1].as_u64().unwrap(),
        );
        match i {
            // Cases 2 (0xff + 8 zero bytes = 0) and 3 (0xfe 03000000 = 3) are wrong by Bitcoin's
            // rules: a CompactSize must use its shortest form (Core's ReadCompactSize throws
            // "non-canonical ReadCompactSize()"); 0 and 3 fit in one byte. The vectors expect
            // them parsed (only their `solidityError` field says "Non-minimal var int").
            1 | 2 => {
                let e = ours.unwrap_err();
                assert_eq!(e.code(), "non_canonical_compact_size", "case {}", i + 1);
                assert_eq!((len, value), [(8, 0), (4, 3)][i - 1]);
            }
            _ => {
                assert_eq!(ours.unwrap(), value, "case {}", i + 1);
                assert_eq!(r.position() as u64 - 1, len);
            }
        }
    }
    let errors = vectors("parseVarIntError");
    assert_eq!(errors.len(), 3);
    for c in &errors {
        let bytes = hx(&c["input"]);
        let e = Reader::new(&bytes)
            .read_compact_size(Field::TxCount)
            .unwrap_err();
        assert_eq!(e.code(), "truncated");
    }
}
