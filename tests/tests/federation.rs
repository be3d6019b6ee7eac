//! The federation's output and signing, checked against upstream vectors and independent
//! implementations: BIP341's wallet vectors (tweak, output key, address, control blocks),
//! rust-miniscript for the scripts, addresses and control blocks of random federations (it has no
//! `sortedmulti_a`: compared with its `multi_a` over the same keys pre-sorted) and for BIP380
//! checksums, libsecp256k1 for RFC 6979 ECDSA, and each BIP340 batch against one-by-one
//! verification. Spends are checked here by our own pre-broadcast check; Bitcoin Core's verdict
//! on the same spends is in `kernel_federation.rs`.

use bitcoin::hashes::Hash as _;
use miniscript::descriptor::checksum::desc_checksum;
use pegkit_core::ecdsa::{self, PublicKey};
use pegkit_core::federation::{Federation, LeafRole, Recovery};
use pegkit_core::hash::TapNodeHash;
use pegkit_core::hex;
use pegkit_core::params::Network;
use pegkit_core::schnorr::{self, BatchItem, SecretKey, XOnlyPublicKey};
use pegkit_core::sighash::tap_leaf_hash;
use pegkit_core::signing::{
    Added, CollectError, PartialSignatures, SignatureCollector, check_witnesses, sign_inputs,
};
use pegkit_core::taproot::{control_block, output_key, p2tr_script_pubkey, tap_branch_hash};
use pegkit_core::{Decode, Encode, ErrorCode, OutPoint, Transaction, TxIn, TxOut, Txid, Witness};
use proptest::prelude::*;
use serde_json::Value;
use std::str::FromStr;

// ---------------------------------------------------------------------------------------------
// BIP341 wallet vectors: output construction.

/// Walks a BIP341 `scriptTree` (null, a leaf object, or a pair): returns the node hash and, per
/// leaf id, its leaf version, script and merkle path.
fn walk(tree: &Value, leaves: &mut Vec<(u64, u8, Vec<u8>, Vec<TapNodeHash>)>) -> TapNodeHash {
    if let Some(pair) = tree.as_array() {
        let first = leaves.len();
        let a = walk(&pair[0], leaves);
        let mid = leaves.len();
        let b = walk(&pair[1], leaves);
        for leaf in &mut leaves[first..mid] {
            leaf.3.push(b);
        }
        for leaf in &mut leaves[mid..] {
            leaf.3.push(a);
        }
        tap_branch_hash(&a, &b)
    } else {
        let version = tree["leafVersion"].as_u64().unwrap() as u8;
        let script = hex::decode(tree["script"].as_str().unwrap()).unwrap();
        let hash = tap_leaf_hash(version, &script);
        leaves.push((tree["id"].as_u64().unwrap(), version, script, Vec::new()));
        hash.into()
    }
}

#[test]
fn bip341_wallet_vectors_output_construction() {
    let v: Value = serde_json::from_str(include_str!(
        "../vectors/bips/bip341-wallet-test-vectors.json"
    ))
    .unwrap();
    let mut n = 0;
    for case in v["scriptPubKey"].as_array().unwrap() {
        let given = &case["given"];
        let internal = XOnlyPublicKey::from_slice(
            &hex::decode(given["internalPubkey"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        let mut leaves = Vec::new();
        let root =
            (!given["scriptTree"].is_null()).then(|| walk(&given["scriptTree"], &mut leaves));
        let inter = &case["intermediary"];
        match root {
            Some(r) => assert_eq!(r.to_string(), inter["merkleRoot"].as_str().unwrap()),
            None => assert!(inter["merkleRoot"].is_null()),
        }
        let out = output_key(&internal, root.as_ref()).unwrap();
        assert_eq!(
            out.key.to_string(),
            inter["tweakedPubkey"].as_str().unwrap()
        );
        let spk = p2tr_script_pubkey(&out.key);
        let expected = &case["expected"];
        assert_eq!(
            hex::encode(&spk),
            expected["scriptPubKey"].as_str().unwrap()
        );
        let address =
            pegkit_core::address::segwit_address(Network::Mainnet, 1, &out.key.to_bytes()).unwrap();
        assert_eq!(address, expected["bip350Address"].as_str().unwrap());
        if let Some(blocks) = expected["scriptPathControlBlocks"].as_array() {
            leaves.sort_by_key(|l| l.0);
            assert_eq!(blocks.len(), leaves.len());
            for (block, (_, version, _, path)) in blocks.iter().zip(&leaves) {
                assert_eq!(
                    hex::encode(&control_block(*version, &out, &internal, path)),
                    block.as_str().unwrap()
                );
            }
        }
        n += 1;
    }
    assert_eq!(n, 7);
}

// ---------------------------------------------------------------------------------------------
// Random federations against rust-miniscript.

fn key(seed: u64) -> SecretKey {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[31] = 1;
    SecretKey::from_bytes(&bytes).unwrap()
}

fn xonly_hex(keys: &[XOnlyPublicKey]) -> Vec<String> {
    let mut v: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    v.sort();
    v
}

/// (threshold, key seeds, optional (recovery threshold, recovery key seeds, delay)).
type FederationSeeds = (usize, Vec<u64>, Option<(usize, Vec<u64>, u16)>);

fn arb_federation() -> impl Strategy<Value = FederationSeeds> {
    (1usize..=20).prop_flat_map(|n| {
        (
            1..=n,
            prop::collection::hash_set(any::<u64>(), n)
                .prop_map(|s| s.into_iter().collect::<Vec<_>>()),
            prop::option::of((1usize..=6).prop_flat_map(|m| {
                (
                    1..=m,
                    prop::collection::hash_set(any::<u64>(), m)
                        .prop_map(|s| s.into_iter().collect::<Vec<_>>()),
                    1u16..=u16::MAX,
                )
            })),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Taproot federations: the same script, address and control blocks as miniscript's `tr(H,
    /// {multi_a(k, sorted keys), and_v(v:multi_a(m, sorted), older(N))})`; our descriptor is that
    /// string with `sortedmulti_a` and its own valid checksum.
    #[test]
    fn taproot_federation_matches_miniscript((k, seeds, rec) in arb_federation(), network in prop::sample::select(Network::ALL.to_vec())) {
        let keys: Vec<XOnlyPublicKey> = seeds.iter().map(|&s| key(s).x_only_public_key()).collect();
        let recovery = rec.as_ref().map(|(m, rs, after)| Recovery {
            threshold: *m,
            keys: rs.iter().map(|&s| key(s ^ 0xdead_beef).x_only_public_key()).collect(),
            after_blocks: *after,
        });
        let fed = Federation::taproot(network, k, &keys, recovery.as_ref(), None).unwrap();
        let h = fed.internal_key().unwrap().to_string();
        let main = format!("multi_a({},{})", k, xonly_hex(&keys).join(","));
        let desc = match &recovery {
            None => format!("tr({h},{main})"),
            Some(r) => format!(
                "tr({h},{{{main},and_v(v:multi_a({},{}),older({}))}})",
                r.threshold,
                xonly_hex(&r.keys).join(","),
                r.after_blocks
            ),
        };
        let ms = miniscript::Descriptor::<bitcoin::XOnlyPublicKey>::from_str(&desc).unwrap();
        let spk = ms.script_pubkey();
        prop_assert_eq!(fed.script_pubkey(), spk.as_bytes());
        let btc_network = match network {
            Network::Mainnet => bitcoin::Network::Bitcoin,
            Network::Testnet3 => bitcoin::Network::Testnet,
            Network::Testnet4 => bitcoin::Network::Testnet4,
            Network::Signet => bitcoin::Network::Signet,
            Network::Regtest => bitcoin::Network::Regtest,
        };
        prop_assert_eq!(fed.address(), ms.address(btc_network).unwrap().to_string());
        let miniscript::Descriptor::Tr(tr) = &ms else { unreachable!() };
        let info = tr.spend_info();
        let scripts: Vec<bitcoin::ScriptBuf> = tr.iter_scripts().map(|(_, s)| s.encode()).collect();
        prop_assert_eq!(scripts.len(), fed.leaves().len());
        for (leaf, script) in fed.leaves().iter().zip(&scripts) {
            prop_assert_eq!(leaf.script(), script.as_bytes());
            let cb = info
                .control_block(&(script.clone(), bitcoin::taproot::LeafVersion::TapScript))
                .unwrap();
            let cb = cb.serialize();
            prop_assert_eq!(leaf.control_block(), cb.as_slice());
            prop_assert_eq!(
                leaf.leaf_hash().to_byte_array(),
                bitcoin::TapLeafHash::from_script(script, bitcoin::taproot::LeafVersion::TapScript).to_byte_array()
            );
        }
        prop_assert_eq!(fed.output_key().unwrap().key.to_bytes(), info.output_key().to_x_only_public_key().serialize());
        // Our descriptor: miniscript's text with `sortedmulti_a`, and a checksum miniscript agrees with.
        let ours = fed.descriptor();
        let (body, sum) = ours.split_once('#').unwrap();
        prop_assert_eq!(body, desc.replacen("multi_a(", "sortedmulti_a(", 1));
        prop_assert_eq!(sum, desc_checksum(body).unwrap());
    }

    /// P2WSH federations: miniscript has `sortedmulti`, so the whole descriptor string must match.
    #[test]
    fn p2wsh_federation_matches_miniscript(k in 1usize..=20, seeds in prop::collection::hash_set(any::<u64>(), 1..=20)) {
        let keys: Vec<PublicKey> = seeds.iter().map(|&s| PublicKey::from_secret_key(&key(s))).collect();
        let k = k.min(keys.len());
        let fed = Federation::p2wsh(Network::Mainnet, k, &keys).unwrap();
        let mut hexes: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        hexes.sort();
        let body = format!("wsh(sortedmulti({},{}))", k, hexes.join(","));
        let ms = miniscript::Descriptor::<bitcoin::PublicKey>::from_str(&body).unwrap();
        prop_assert_eq!(fed.descriptor(), ms.to_string());
        let spk = ms.script_pubkey();
        prop_assert_eq!(fed.script_pubkey(), spk.as_bytes());
        prop_assert_eq!(fed.address(), ms.address(bitcoin::Network::Bitcoin).unwrap().to_string());
        let ws = ms.explicit_script().unwrap();
        prop_assert_eq!(fed.witness_script().unwrap(), ws.as_bytes());
    }

    /// BIP380 checksums of arbitrary strings over the descriptor character set.
    #[test]
    fn descriptor_checksum_matches_miniscript(s in "[0-9()\\[\\],'/*a-h@:$%{}I-Z&+\\-.;<=>?!^_|~i-zA-H`\"\\\\ ]{0,120}") {
        prop_assert_eq!(pegkit_core::descriptor::checksum(&s).unwrap(), desc_checksum(&s).unwrap());
        let with = pegkit_core::descriptor::with_checksum(&s).unwrap();
        prop_assert_eq!(pegkit_core::descriptor::verify_checksum(&with).unwrap(), s.as_str());
    }

    /// A batch verifies exactly when every signature in it verifies on its own.
    #[test]
    fn batch_verification_agrees_with_one_by_one(
        sigs in prop::collection::vec((0u64..6, any::<[u8; 32]>(), any::<[u8; 32]>()), 0..24),
        corrupt in prop::option::of((any::<prop::sample::Index>(), 0usize..4, any::<u8>())),
    ) {
        let mut items: Vec<(XOnlyPublicKey, [u8; 32], schnorr::Signature)> = sigs
            .iter()
            .map(|&(k, msg, aux)| {
                let kp = key(k).keypair();
                (*kp.public_key(), msg, kp.sign(&msg, &aux).unwrap())
            })
            .collect();
        if let (Some((which, how, byte)), false) = (corrupt, items.is_empty()) {
            let i = which.index(items.len());
            match how {
                0 => items[i].1[byte as usize % 32] ^= 1 | byte,
                1 => items[i].0 = key(99).x_only_public_key(),
                2 => {
                    let mut b = items[i].2.to_bytes();
                    b[32 + byte as usize % 32] ^= 1;
                    items[i].2 = schnorr::Signature::from_bytes(b);
                }
                _ => {
                    let mut b = items[i].2.to_bytes();
                    b[byte as usize % 32] ^= 1;
                    items[i].2 = schnorr::Signature::from_bytes(b);
                }
            }
        }
        let one_by_one = items.iter().all(|(k, m, s)| k.verify(m, s).is_ok());
        let batch: Vec<BatchItem<'_>> = items
            .iter()
            .map(|(key, message, signature)| BatchItem { key, message, signature })
            .collect();
        prop_assert_eq!(schnorr::verify_batch(&batch).is_ok(), one_by_one);
    }

    /// RFC 6979 ECDSA: the same DER bytes as libsecp256k1 (which also uses RFC 6979 and low S),
    /// and each side verifies the other's.
    #[test]
    fn ecdsa_matches_libsecp256k1(sk in any::<[u8; 32]>(), msg in any::<[u8; 32]>()) {
        let Ok(ours_sk) = SecretKey::from_bytes(&sk) else { return Ok(()) };
        let secp = bitcoin::secp256k1::Secp256k1::new();
        let their_sk = bitcoin::secp256k1::SecretKey::from_slice(&sk).unwrap();
        let m = bitcoin::secp256k1::Message::from_digest(msg);
        let theirs = secp.sign_ecdsa(&m, &their_sk);
        let ours = ecdsa::Signature::sign(&ours_sk, &msg).unwrap();
        prop_assert_eq!(ours.to_der(), theirs.serialize_der().to_vec());
        let pk = PublicKey::from_secret_key(&ours_sk);
        prop_assert_eq!(pk.to_bytes(), their_sk.public_key(&secp).serialize());
        let parsed = ecdsa::Signature::from_der(&theirs.serialize_der()).unwrap();
        prop_assert!(pk.verify(&msg, &parsed).is_ok());
        let their_pk = bitcoin::secp256k1::PublicKey::from_slice(&pk.to_bytes()).unwrap();
        let from_ours = bitcoin::secp256k1::ecdsa::Signature::from_der(&ours.to_der()).unwrap();
        prop_assert!(secp.verify_ecdsa(&m, &from_ours, &their_pk).is_ok());
    }

    /// Partial signature sets: decode(encode(x)) == x, and decoding any bytes never panics and
    /// re-encodes to the same bytes when it succeeds.
    #[test]
    fn partial_signatures_round_trip(
        public_key in prop::collection::vec(any::<u8>(), 0..40),
        signatures in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..80), 0..30),
        junk in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let p = PartialSignatures { public_key, signatures };
        prop_assert_eq!(PartialSignatures::decode(&p.to_bytes()).unwrap(), p.clone());
        prop_assert_eq!(p.to_bytes().len(), p.encoded_len());
        if let Ok(q) = PartialSignatures::decode(&junk) {
            prop_assert_eq!(q.to_bytes(), junk);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Signing, collecting, finalizing and our own pre-broadcast check.

/// A spend of `n_inputs` federation outputs to two outputs, version 2, with `sequence`.
fn spend(fed: &Federation, n_inputs: usize, sequence: u32) -> (Transaction, Vec<TxOut>) {
    let inputs = (0..n_inputs)
        .map(|i| TxIn {
            previous_output: OutPoint {
                txid: Txid::from_byte_array([i as u8 + 1; 32]),
                vout: i as u32,
            },
            script_sig: vec![],
            sequence,
            witness: Witness::default(),
        })
        .collect();
    let prevouts = (0..n_inputs)
        .map(|i| TxOut {
            value: 100_000 + i as i64,
            script_pubkey: fed.script_pubkey().to_vec(),
        })
        .collect();
    let tx = Transaction {
        version: 2,
        inputs,
        outputs: vec![
            TxOut {
                value: 50_000,
                script_pubkey: [&[0x00, 0x14][..], &[7; 20]].concat(),
            },
            TxOut {
                value: 40_000,
                script_pubkey: fed.script_pubkey().to_vec(),
            },
        ],
        lock_time: 0,
    };
    (tx, prevouts)
}

struct Members {
    secrets: Vec<SecretKey>,
}

impl Members {
    fn new(n: usize, salt: u64) -> Self {
        Self {
            secrets: (0..n as u64)
                .map(|i| key(i.wrapping_mul(7919) ^ salt))
                .collect(),
        }
    }
    fn xonly(&self) -> Vec<XOnlyPublicKey> {
        self.secrets
            .iter()
            .map(SecretKey::x_only_public_key)
            .collect()
    }
    fn compressed(&self) -> Vec<PublicKey> {
        self.secrets
            .iter()
            .map(PublicKey::from_secret_key)
            .collect()
    }
}

fn sign_all(
    fed: &Federation,
    tx: &Transaction,
    prevouts: &[TxOut],
    leaf: LeafRole,
    signers: &[&SecretKey],
) -> Vec<PartialSignatures> {
    signers
        .iter()
        .map(|sk| sign_inputs(fed, tx, prevouts, leaf, sk, |i| [i as u8; 32]).unwrap())
        .collect()
}

#[test]
fn taproot_k_of_n_sign_collect_finalize_check() {
    for &(k, n) in &[(1, 1), (2, 3), (3, 5), (10, 15), (15, 15)] {
        let m = Members::new(n, 11);
        let fed = Federation::taproot(Network::Regtest, k, &m.xonly(), None, None).unwrap();
        let (tx, prevouts) = spend(&fed, 3, 0xffff_fffd);
        // Every member signs (in reverse order of creation); the first k in key order are used.
        let signers: Vec<&SecretKey> = m.secrets.iter().rev().collect();
        let partials = sign_all(&fed, &tx, &prevouts, LeafRole::Main, &signers);
        let mut c = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
        for (i, p) in partials.iter().enumerate() {
            assert_eq!(c.add(p), Ok(Added::New));
            assert_eq!(c.is_complete(), i + 1 >= k);
            assert_eq!(c.add(p), Ok(Added::AlreadyHad));
        }
        let (signed, used) = c.finalize().unwrap();
        assert_eq!(used.len(), k);
        let leaf = fed.leaf(LeafRole::Main).unwrap();
        let expected: Vec<Vec<u8>> = leaf.keys()[..k]
            .iter()
            .map(|x| x.to_bytes().to_vec())
            .collect();
        assert_eq!(used, expected, "first k in key order");
        for txin in &signed.inputs {
            let items = txin.witness.items();
            assert_eq!(items.len(), n + 2);
            assert_eq!(items.iter().take(n).filter(|i| !i.is_empty()).count(), k);
            assert_eq!(txin.witness.items().len() as u64, n as u64 + 2);
        }
        // The witness is exactly as heavy as satisfaction_weight says.
        let w = &signed.inputs[0].witness;
        let size: usize = pegkit_core::encode::compact_size_len(w.items().len() as u64)
            + w.items()
                .iter()
                .map(|i| pegkit_core::encode::var_bytes_len(i.len()))
                .sum::<usize>();
        assert_eq!(size as u64, fed.satisfaction_weight());
        check_witnesses(&fed, &signed, &prevouts).unwrap();
    }
}

#[test]
fn collector_rejections_name_the_problem() {
    let m = Members::new(5, 3);
    let fed = Federation::taproot(Network::Regtest, 3, &m.xonly(), None, None).unwrap();
    let (tx, prevouts) = spend(&fed, 4, 0xffff_fffd);
    let good = sign_inputs(&fed, &tx, &prevouts, LeafRole::Main, &m.secrets[0], |_| {
        [1; 32]
    })
    .unwrap();
    let mut c = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
    let code = |r: Result<Added, CollectError>| r.unwrap_err().code();

    // Not a member.
    let outsider = key(424242);
    let mut p = good.clone();
    p.public_key = outsider.x_only_public_key().to_bytes().to_vec();
    assert_eq!(code(c.add(&p)), "not_a_member");
    assert_eq!(
        sign_inputs(&fed, &tx, &prevouts, LeafRole::Main, &outsider, |_| [0; 32])
            .unwrap_err()
            .code(),
        "not_a_member"
    );
    // Wrong count.
    let mut p = good.clone();
    p.signatures.pop();
    assert_eq!(
        c.add(&p),
        Err(CollectError::WrongSignatureCount {
            expected: 4,
            got: 3
        })
    );
    // Bad length, bad sighash type.
    let mut p = good.clone();
    p.signatures[2].truncate(63);
    assert_eq!(
        c.add(&p),
        Err(CollectError::InvalidSignatureLength {
            input: 2,
            length: 63
        })
    );
    let mut p = good.clone();
    p.signatures[1].push(0x83);
    assert_eq!(
        c.add(&p),
        Err(CollectError::InvalidSighashType {
            input: 1,
            sighash_type: 0x83
        })
    );
    // A valid signature with the wrong sighash byte appended: signs the DEFAULT hash, claims ALL.
    let mut p = good.clone();
    p.signatures[3].push(0x01);
    assert_eq!(c.add(&p), Err(CollectError::InvalidSignature { input: 3 }));
    // Signatures for another transaction.
    let (other, other_prev) = spend(&fed, 4, 0xffff_fffe);
    let foreign = sign_inputs(
        &fed,
        &other,
        &other_prev,
        LeafRole::Main,
        &m.secrets[0],
        |_| [1; 32],
    )
    .unwrap();
    assert_eq!(
        c.add(&foreign),
        Err(CollectError::InvalidSignature { input: 0 })
    );
    // One bad signature among good ones: batch fails, the input is named.
    let mut p = good.clone();
    p.signatures[2][10] ^= 1;
    assert_eq!(c.add(&p), Err(CollectError::InvalidSignature { input: 2 }));
    c.set_batch_verification(false);
    assert_eq!(c.add(&p), Err(CollectError::InvalidSignature { input: 2 }));
    c.set_batch_verification(true);
    // Nothing was stored by the refusals.
    assert_eq!(c.signature_count(), 0);
    assert_eq!(
        c.finalize().unwrap_err(),
        CollectError::ThresholdNotMet { have: 0, need: 3 }
    );
    // Accepted, then a conflicting set from the same member (valid, other aux randomness).
    assert_eq!(c.add(&good), Ok(Added::New));
    let again = sign_inputs(&fed, &tx, &prevouts, LeafRole::Main, &m.secrets[0], |_| {
        [2; 32]
    })
    .unwrap();
    assert_eq!(
        c.add(&again),
        Err(CollectError::ConflictingSignature { input: 0 })
    );
    // A 33-byte compressed key names the same member.
    let mut p = good.clone();
    p.public_key.insert(0, 0x03);
    assert_eq!(c.add(&p), Ok(Added::AlreadyHad));
    // The spend itself.
    let mut foreign_tx = prevouts.clone();
    foreign_tx[1].script_pubkey = vec![0x51];
    assert_eq!(
        SignatureCollector::new(&fed, &tx, &foreign_tx, LeafRole::Main)
            .unwrap_err()
            .code(),
        "foreign_input"
    );
    assert_eq!(
        SignatureCollector::new(&fed, &tx, &prevouts[..3], LeafRole::Main)
            .unwrap_err()
            .code(),
        "prevouts_mismatch"
    );
    assert_eq!(
        SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Recovery)
            .unwrap_err()
            .code(),
        "no_such_leaf"
    );
}

#[test]
fn add_all_batches_and_gives_the_same_results_as_add() {
    let m = Members::new(15, 5);
    let fed = Federation::taproot(Network::Regtest, 10, &m.xonly(), None, None).unwrap();
    let (tx, prevouts) = spend(&fed, 20, 0xffff_fffd);
    let mut partials = sign_all(
        &fed,
        &tx,
        &prevouts,
        LeafRole::Main,
        &m.secrets.iter().collect::<Vec<_>>(),
    );
    // A duplicate, a corrupted set and a conflicting set in the same call.
    partials.push(partials[0].clone());
    let mut bad = partials[3].clone();
    bad.signatures[7][40] ^= 4;
    partials.insert(3, bad);
    let conflicting = sign_inputs(&fed, &tx, &prevouts, LeafRole::Main, &m.secrets[5], |_| {
        [9; 32]
    })
    .unwrap();
    partials.push(conflicting);
    let mut batched = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
    let mut single = batched.clone();
    single.set_batch_verification(false);
    let a = batched.add_all(&partials);
    let b: Vec<_> = partials.iter().map(|p| single.add(p)).collect();
    assert_eq!(a, b);
    assert_eq!(a[3], Err(CollectError::InvalidSignature { input: 7 }));
    assert_eq!(a[4], Ok(Added::New));
    assert_eq!(a[16], Ok(Added::AlreadyHad));
    assert_eq!(a[17], Err(CollectError::ConflictingSignature { input: 0 }));
    assert_eq!(batched.finalize().unwrap(), single.finalize().unwrap());
    let (signed, _) = batched.finalize().unwrap();
    check_witnesses(&fed, &signed, &prevouts).unwrap();
}

#[test]
fn recovery_leaf_needs_its_relative_lock() {
    let m = Members::new(3, 21);
    let r = Members::new(3, 77);
    let recovery = Recovery {
        threshold: 2,
        keys: r.xonly(),
        after_blocks: 1008,
    };
    let fed = Federation::taproot(Network::Regtest, 2, &m.xonly(), Some(&recovery), None).unwrap();
    let (early, prevouts) = spend(&fed, 2, 1007);
    assert_eq!(
        sign_inputs(
            &fed,
            &early,
            &prevouts,
            LeafRole::Recovery,
            &r.secrets[0],
            |_| [0; 32]
        )
        .unwrap_err()
        .code(),
        "csv_not_satisfied"
    );
    // Main-leaf members cannot sign the recovery leaf.
    let (tx, prevouts) = spend(&fed, 2, 1008);
    assert_eq!(
        sign_inputs(
            &fed,
            &tx,
            &prevouts,
            LeafRole::Recovery,
            &m.secrets[0],
            |_| [0; 32]
        )
        .unwrap_err()
        .code(),
        "not_a_member"
    );
    let partials = sign_all(
        &fed,
        &tx,
        &prevouts,
        LeafRole::Recovery,
        &[&r.secrets[2], &r.secrets[0]],
    );
    let mut c = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Recovery).unwrap();
    for p in &partials {
        c.add(p).unwrap();
    }
    let (signed, _) = c.finalize().unwrap();
    check_witnesses(&fed, &signed, &prevouts).unwrap();
    // Sequence 1000 < 1008, signed directly (sign_inputs refuses): only the lock is wrong.
    let (low, prevouts) = spend(&fed, 2, 1000);
    let leaf = fed.leaf(LeafRole::Recovery).unwrap();
    let cache = pegkit_core::sighash::SighashCache::with_prevouts(&low, &prevouts).unwrap();
    let mut low_signed = low.clone();
    for (i, txin) in low_signed.inputs.iter_mut().enumerate() {
        let path = pegkit_core::sighash::ScriptPath {
            leaf_hash: leaf.leaf_hash(),
            codesep_pos: u32::MAX,
        };
        let msg = cache.taproot(i, 0, None, Some(path)).unwrap();
        let mut items = signed.inputs[i].witness.items().to_vec();
        for (position, key) in leaf.keys().iter().enumerate() {
            let j = leaf.keys().len() - 1 - position;
            if let Some(sk) = r.secrets.iter().find(|s| s.x_only_public_key() == *key) {
                if !items[j].is_empty() {
                    items[j] = sk
                        .keypair()
                        .sign(msg.as_byte_array(), &[0; 32])
                        .unwrap()
                        .to_bytes()
                        .to_vec();
                }
            }
        }
        txin.witness = Witness(items);
    }
    assert_eq!(
        check_witnesses(&fed, &low_signed, &prevouts)
            .unwrap_err()
            .code(),
        "csv_not_satisfied"
    );
    let mut fixed = low_signed.clone();
    for txin in &mut fixed.inputs {
        txin.sequence = 1008;
    }
    assert_eq!(
        check_witnesses(&fed, &fixed, &prevouts).unwrap_err().code(),
        "invalid_signature"
    );
    let mut v1 = signed.clone();
    v1.version = 1;
    assert_eq!(
        check_witnesses(&fed, &v1, &prevouts).unwrap_err().code(),
        "csv_not_satisfied"
    );
}

#[test]
fn p2wsh_sign_collect_finalize_check() {
    for &(k, n) in &[(1, 1), (2, 3), (3, 5), (10, 15), (15, 15), (20, 20)] {
        let m = Members::new(n, 31);
        let fed = Federation::p2wsh(Network::Regtest, k, &m.compressed()).unwrap();
        let (tx, prevouts) = spend(&fed, 3, 0xffff_fffd);
        let partials = sign_all(
            &fed,
            &tx,
            &prevouts,
            LeafRole::Main,
            &m.secrets.iter().collect::<Vec<_>>(),
        );
        let mut c = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
        for r in c.add_all(&partials) {
            assert_eq!(r, Ok(Added::New));
        }
        let (signed, used) = c.finalize().unwrap();
        let keys = fed.p2wsh_keys();
        assert_eq!(
            used,
            keys[..k]
                .iter()
                .map(|p| p.to_bytes().to_vec())
                .collect::<Vec<_>>()
        );
        for txin in &signed.inputs {
            assert_eq!(txin.witness.items().len(), k + 2);
            assert!(txin.witness.items()[0].is_empty());
        }
        let w = &signed.inputs[0].witness;
        let size: usize = pegkit_core::encode::compact_size_len(w.items().len() as u64)
            + w.items()
                .iter()
                .map(|i| pegkit_core::encode::var_bytes_len(i.len()))
                .sum::<usize>();
        assert!(size as u64 <= fed.satisfaction_weight());
        check_witnesses(&fed, &signed, &prevouts).unwrap();
        // Swapped signature order breaks OP_CHECKMULTISIG's in-order matching.
        if k >= 2 {
            let mut swapped = signed.clone();
            swapped.inputs[0].witness.0.swap(1, 2);
            assert_eq!(
                check_witnesses(&fed, &swapped, &prevouts)
                    .unwrap_err()
                    .code(),
                "invalid_signature"
            );
        }
    }
    let m = Members::new(3, 1);
    let fed = Federation::p2wsh(Network::Regtest, 2, &m.compressed()).unwrap();
    let (tx, prevouts) = spend(&fed, 1, 0xffff_fffd);
    let mut c = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
    let good = sign_inputs(&fed, &tx, &prevouts, LeafRole::Main, &m.secrets[0], |_| {
        [0; 32]
    })
    .unwrap();
    let mut p = good.clone();
    *p.signatures[0].last_mut().unwrap() = 0x02;
    assert_eq!(c.add(&p).unwrap_err().code(), "invalid_sighash_type");
    let mut p = good.clone();
    p.signatures[0][1] ^= 1;
    assert_eq!(c.add(&p).unwrap_err().code(), "invalid_der");
    let mut p = good.clone();
    p.public_key = p.public_key[1..].to_vec();
    assert_eq!(c.add(&p).unwrap_err().code(), "not_a_member");
    assert_eq!(c.add(&good), Ok(Added::New));
}

#[test]
fn federation_construction_errors() {
    let m = Members::new(4, 9);
    let keys = m.xonly();
    let e = |r: Result<Federation, pegkit_core::federation::FederationError>| r.unwrap_err().code();
    assert_eq!(
        e(Federation::taproot(Network::Mainnet, 0, &keys, None, None)),
        "invalid_threshold"
    );
    assert_eq!(
        e(Federation::taproot(Network::Mainnet, 5, &keys, None, None)),
        "invalid_threshold"
    );
    assert_eq!(
        e(Federation::taproot(Network::Mainnet, 1, &[], None, None)),
        "no_keys"
    );
    let dup = [keys[0], keys[1], keys[0]];
    assert_eq!(
        e(Federation::taproot(Network::Mainnet, 1, &dup, None, None)),
        "duplicate_key"
    );
    let r = Recovery {
        threshold: 1,
        keys: keys.clone(),
        after_blocks: 0,
    };
    assert_eq!(
        e(Federation::taproot(
            Network::Mainnet,
            1,
            &keys,
            Some(&r),
            None
        )),
        "invalid_timelock"
    );
    let r = Recovery {
        threshold: 3,
        keys: keys[..2].to_vec(),
        after_blocks: 10,
    };
    assert_eq!(
        e(Federation::taproot(
            Network::Mainnet,
            1,
            &keys,
            Some(&r),
            None
        )),
        "invalid_threshold"
    );
    let many = Members::new(21, 2).compressed();
    assert_eq!(
        e(Federation::p2wsh(Network::Mainnet, 2, &many)),
        "too_many_keys"
    );
    let many = Members::new(1000, 2).xonly();
    assert_eq!(
        e(Federation::taproot(Network::Mainnet, 2, &many, None, None)),
        "too_many_keys"
    );
    // 999 keys is the limit and works.
    assert!(Federation::taproot(Network::Mainnet, 500, &many[..999], None, None).is_ok());
}

#[test]
fn corrupted_witnesses_are_refused_by_our_check() {
    let m = Members::new(5, 17);
    let fed = Federation::taproot(Network::Regtest, 3, &m.xonly(), None, None).unwrap();
    let (tx, prevouts) = spend(&fed, 2, 0xffff_fffd);
    let partials = sign_all(
        &fed,
        &tx,
        &prevouts,
        LeafRole::Main,
        &m.secrets.iter().collect::<Vec<_>>(),
    );
    let mut c = SignatureCollector::new(&fed, &tx, &prevouts, LeafRole::Main).unwrap();
    c.add_all(&partials);
    let (signed, _) = c.finalize().unwrap();
    check_witnesses(&fed, &signed, &prevouts).unwrap();
    let n = 5;
    let sig_positions: Vec<usize> = (0..n)
        .filter(|&j| !signed.inputs[0].witness.items()[j].is_empty())
        .collect();
    let empty_position = (0..n).find(|j| !sig_positions.contains(j)).unwrap();
    let code = |t: &Transaction| check_witnesses(&fed, t, &prevouts).unwrap_err().code();

    let mut swapped = signed.clone();
    swapped.inputs[0]
        .witness
        .0
        .swap(sig_positions[0], empty_position);
    assert_eq!(code(&swapped), "invalid_signature");
    let mut fewer = signed.clone();
    fewer.inputs[0].witness.0[sig_positions[0]].clear();
    assert_eq!(code(&fewer), "wrong_signature_count");
    let mut more = signed.clone();
    // The missing member's own valid signature: k+1 valid signatures still fail (NUMEQUAL).
    let extra_member = fed.leaf(LeafRole::Main).unwrap().keys().len() - 1 - empty_position;
    let extra_sig = partials
        .iter()
        .find(|p| p.public_key == fed.leaf(LeafRole::Main).unwrap().keys()[extra_member].to_bytes())
        .unwrap()
        .signatures[0]
        .clone();
    more.inputs[0].witness.0[empty_position] = extra_sig;
    assert_eq!(code(&more), "wrong_signature_count");
    let mut wrong_type = signed.clone();
    wrong_type.inputs[1].witness.0[sig_positions[1]].push(0x01);
    assert_eq!(code(&wrong_type), "invalid_signature");
    let mut outsider = signed.clone();
    let o = key(5555).keypair();
    outsider.inputs[0].witness.0[sig_positions[2]] =
        o.sign(&[0; 32], &[0; 32]).unwrap().to_bytes().to_vec();
    assert_eq!(code(&outsider), "invalid_signature");
    let mut cb = signed.clone();
    cb.inputs[0].witness.0[n + 1][0] ^= 1;
    assert_eq!(code(&cb), "wrong_control_block");
    let mut annex = signed.clone();
    annex.inputs[0].witness.0.push(vec![0x50]);
    assert_eq!(code(&annex), "unexpected_annex");
    let mut short = signed.clone();
    short.inputs[0].witness.0.remove(0);
    assert_eq!(code(&short), "wrong_witness_size");
}
