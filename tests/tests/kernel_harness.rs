//! The Bitcoin Core harness (`support/kernel.rs`) against real consensus checks: a regtest chain
//! validated by libbitcoinkernel accepts a mature coinbase spend signed with a key we hold and
//! refuses the same spend with a corrupted signature, or spending an immature coinbase; the
//! script verifier accepts good signatures and refuses bad ones, and needs every spent output.

#[path = "support/kernel.rs"]
mod kernel;

use bitcoin::hashes::Hash;
use bitcoin::key::{Keypair, TapTweak};
use bitcoin::secp256k1::{Message, Secp256k1, SecretKey};
use bitcoin::sighash::{EcdsaSighashType, Prevouts, SighashCache, TapSighashType};
use bitcoin::{
    Amount, CompressedPublicKey, Network, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut,
    Txid, Witness, absolute, consensus::serialize, transaction,
};
use kernel::{Regtest, coinbase_output, finish_block, grind, verify_input, verify_tx};

const FEE: Amount = Amount::from_sat(1_000);

fn keypair(byte: u8) -> Keypair {
    Keypair::from_secret_key(
        &Secp256k1::new(),
        &SecretKey::from_slice(&[byte; 32]).unwrap(),
    )
}

/// P2TR key-path output script of `keypair` (no script tree).
fn p2tr_script(keypair: &Keypair) -> ScriptBuf {
    ScriptBuf::new_p2tr(&Secp256k1::new(), keypair.x_only_public_key().0, None)
}

fn p2wpkh_script(secret: &SecretKey) -> ScriptBuf {
    let pk = CompressedPublicKey(secret.public_key(&Secp256k1::new()));
    ScriptBuf::new_p2wpkh(&pk.wpubkey_hash())
}

/// A version-2 transaction spending `prevouts`, with one output worth their total less [`FEE`].
fn unsigned_spend(prevouts: &[OutPoint], total: Amount, to: &ScriptBuf) -> Transaction {
    Transaction {
        version: transaction::Version::TWO,
        lock_time: absolute::LockTime::ZERO,
        input: prevouts
            .iter()
            .map(|p| TxIn {
                previous_output: *p,
                script_sig: ScriptBuf::new(),
                sequence: Sequence::ENABLE_RBF_NO_LOCKTIME,
                witness: Witness::new(),
            })
            .collect(),
        output: vec![TxOut {
            value: total - FEE,
            script_pubkey: to.clone(),
        }],
    }
}

/// Signs input `index` of `tx` for a P2TR key-path output of `keypair` (`SIGHASH_DEFAULT`).
fn sign_p2tr(tx: &mut Transaction, index: usize, spent: &[TxOut], keypair: &Keypair) {
    let secp = Secp256k1::new();
    let sighash = SighashCache::new(&*tx)
        .taproot_key_spend_signature_hash(index, &Prevouts::All(spent), TapSighashType::Default)
        .unwrap();
    let tweaked = keypair.tap_tweak(&secp, None).to_keypair();
    let signature =
        secp.sign_schnorr_no_aux_rand(&Message::from_digest(sighash.to_byte_array()), &tweaked);
    tx.input[index].witness = Witness::p2tr_key_spend(&bitcoin::taproot::Signature {
        signature,
        sighash_type: TapSighashType::Default,
    });
}

/// Signs input `index` of `tx` for a P2WPKH output of `secret` worth `value` (`SIGHASH_ALL`).
fn sign_p2wpkh(tx: &mut Transaction, index: usize, value: Amount, secret: &SecretKey) {
    let secp = Secp256k1::new();
    let sighash = SighashCache::new(&*tx)
        .p2wpkh_signature_hash(index, &p2wpkh_script(secret), value, EcdsaSighashType::All)
        .unwrap();
    let signature = secp.sign_ecdsa(&Message::from_digest(sighash.to_byte_array()), secret);
    tx.input[index].witness = Witness::p2wpkh(
        &bitcoin::ecdsa::Signature {
            signature,
            sighash_type: EcdsaSighashType::All,
        },
        &secret.public_key(&secp),
    );
}

/// `tx` with one bit of the first witness element (the signature) of input `index` flipped.
fn corrupt_signature(tx: &Transaction, index: usize) -> Transaction {
    let mut bad = tx.clone();
    let mut items: Vec<Vec<u8>> = bad.input[index]
        .witness
        .iter()
        .map(<[u8]>::to_vec)
        .collect();
    items[0][10] ^= 0x01;
    bad.input[index].witness = Witness::from_slice(&items);
    bad
}

/// `(amount, script_pubkey)` pairs as [`verify_input`] takes them.
fn spent_pairs(spent: &[TxOut]) -> Vec<(i64, Vec<u8>)> {
    spent
        .iter()
        .map(|o| {
            (
                i64::try_from(o.value.to_sat()).unwrap(),
                o.script_pubkey.to_bytes(),
            )
        })
        .collect()
}

#[test]
fn fresh_chain_is_regtest_genesis() {
    let rt = Regtest::new();
    assert_eq!(rt.tip_height(), 0);
    let genesis = bitcoin::constants::genesis_block(Network::Regtest);
    assert_eq!(rt.tip_hash(), genesis.block_hash());
    assert_eq!(rt.block_at(0).unwrap(), genesis);
    assert!(rt.block_at(1).is_none());
    assert!(rt.dir().is_dir());
    let dir = rt.dir().to_owned();
    drop(rt);
    assert!(!dir.exists(), "the chain's directory is removed on drop");
}

/// The harness's blocks are right by Core's rules, and Core does catch what `build_block`
/// takes care of (each altered block re-finished so that only the alteration is wrong).
#[test]
fn blocks_are_built_exactly_and_alterations_refused() {
    let script = p2tr_script(&keypair(0x55));
    let mut rt = Regtest::new();
    rt.mine_empty(20, &script);
    assert_eq!(rt.tip_height(), 20);
    let tip = rt.block_at(20).unwrap();
    let error = |rt: &Regtest| rt.last_error().expect("Core logs why").to_owned();

    let template = rt.build_block(&[], &script);
    assert_eq!(template.bip34_block_height(), Ok(21));
    assert_eq!(template.header.prev_blockhash, tip.block_hash());
    assert_eq!(template.header.time, tip.header.time + 1);
    assert!(template.check_witness_commitment());

    let mut greedy = template.clone();
    greedy.txdata[0].output[0].value += Amount::from_sat(1);
    finish_block(&mut greedy);
    assert!(!rt.submit(&greedy));
    assert!(error(&rt).contains("bad-cb-amount"), "{}", error(&rt));

    let mut mutated = template.clone();
    mutated.header.merkle_root = bitcoin::TxMerkleNode::all_zeros();
    grind(&mut mutated.header);
    assert!(!rt.submit(&mutated));
    assert!(error(&rt).contains("bad-txnmrklroot"), "{}", error(&rt));

    let mut wrong_height = template.clone();
    wrong_height.txdata[0].input[0].script_sig = bitcoin::script::Builder::new()
        .push_int(22)
        .push_int(0)
        .into_script();
    finish_block(&mut wrong_height);
    assert!(!rt.submit(&wrong_height));
    assert!(error(&rt).contains("bad-cb-height"), "{}", error(&rt));

    let mut old = template.clone();
    old.header.time = rt.block_at(15).unwrap().header.time; // the median time past
    grind(&mut old.header);
    assert!(!rt.submit(&old));
    assert!(error(&rt).contains("time-too-old"), "{}", error(&rt));

    let mut commitment = template.clone();
    commitment.txdata[0].input[0].witness = Witness::from_slice(&[[1u8; 32]]);
    grind(&mut commitment.header); // the commitment no longer matches the reserved value
    assert!(!rt.submit(&commitment));
    assert!(
        error(&rt).contains("bad-witness-merkle-match"),
        "{}",
        error(&rt)
    );

    assert_eq!(rt.tip_height(), 20, "none of them connected");
    assert!(rt.submit(&template));
    assert_eq!(rt.tip_height(), 21);
    assert_eq!(rt.last_error(), None);
}

#[test]
fn mature_coinbase_spend_connects_and_corrupted_signature_does_not() {
    let key = keypair(0x11);
    let script = p2tr_script(&key);
    let mut rt = Regtest::new();

    let blocks = rt.mine_empty(101, &script);
    assert_eq!(rt.tip_height(), 101);
    assert_eq!(rt.tip_hash(), blocks[100].block_hash());
    assert_eq!(
        rt.block_at(50).unwrap(),
        blocks[49],
        "read back from Core's block files"
    );

    // Block 1's coinbase has 101 confirmations at height 102.
    let (outpoint, prev) = coinbase_output(&blocks[0]);
    assert_eq!(prev.value, Amount::from_int_btc(50));
    assert_eq!(rt.output(&outpoint), Some(prev.clone()));
    let spent = [prev.clone()];
    let mut good = unsigned_spend(&[outpoint], prev.value, &script);
    sign_p2tr(&mut good, 0, &spent, &key);
    let bad = corrupt_signature(&good, 0);

    // The script verifier: good signature in, corrupted one out, amounts matter.
    let pairs = spent_pairs(&spent);
    assert_eq!(verify_input(&pairs, &serialize(&good), 0), Ok(()));
    assert_eq!(verify_tx(&spent, &good), Ok(()));
    assert_eq!(
        verify_input(&pairs, &serialize(&bad), 0),
        Err("ScriptVerify(Invalid)".to_string())
    );
    let wrong_amount = [(pairs[0].0 - 1, pairs[0].1.clone())];
    assert!(verify_input(&wrong_amount, &serialize(&good), 0).is_err());
    assert!(verify_input(&[], &serialize(&good), 0).is_err());
    assert!(verify_input(&pairs, &serialize(&good), 1).is_err());

    // The chain: the corrupted spend's block is written but never connected.
    let refused = rt.mine(&[bad], &script);
    assert_eq!(rt.tip_height(), 101, "a bad signature must not connect");
    assert_ne!(rt.tip_hash(), refused.block_hash());
    let error = rt.last_error().expect("Core logs why").to_owned();
    assert!(error.contains("script-verify-flag-failed"), "{error}");

    // The coinbase claims exactly subsidy + fees: one satoshi more and Core refuses the block.
    let mut greedy = rt.build_block(std::slice::from_ref(&good), &script);
    greedy.txdata[0].output[0].value += Amount::from_sat(1);
    finish_block(&mut greedy);
    assert!(!rt.submit(&greedy));
    assert_eq!(rt.tip_height(), 101);
    let error = rt.last_error().expect("Core logs why").to_owned();
    assert!(error.contains("bad-cb-amount"), "{error}");

    let accepted = rt.mine(std::slice::from_ref(&good), &script);
    assert_eq!(rt.tip_height(), 102, "{:?}", rt.last_error());
    assert_eq!(rt.tip_hash(), accepted.block_hash());
    assert_eq!(rt.last_error(), None);
    assert_eq!(accepted.txdata[1], good);
    // The coinbase collects the fee on top of the subsidy.
    assert_eq!(
        coinbase_output(&accepted).1.value,
        Amount::from_int_btc(50) + FEE
    );
    assert_eq!(rt.block_at(102).unwrap(), accepted);
    assert_eq!(
        rt.spent_outputs(&good).unwrap(),
        spent,
        "spent outputs known"
    );

    // The new output is spendable at once (not a coinbase).
    let (outpoint2, prev2) = (
        OutPoint::new(good.compute_txid(), 0),
        good.output[0].clone(),
    );
    let mut next = unsigned_spend(&[outpoint2], prev2.value, &script);
    sign_p2tr(&mut next, 0, std::slice::from_ref(&prev2), &key);
    let block = rt.mine(std::slice::from_ref(&next), &script);
    assert_eq!(rt.tip_height(), 103, "{:?}", rt.last_error());
    assert_eq!(rt.tip_hash(), block.block_hash());
}

#[test]
fn immature_coinbase_spend_does_not_connect() {
    let key = keypair(0x22);
    let script = p2tr_script(&key);
    let mut rt = Regtest::new();
    let blocks = rt.mine_empty(100, &script);
    assert_eq!(rt.tip_height(), 100);

    // In block 101, block 2's coinbase has 99 confirmations: premature.
    let (outpoint, prev) = coinbase_output(&blocks[1]);
    let mut early = unsigned_spend(&[outpoint], prev.value, &script);
    sign_p2tr(&mut early, 0, std::slice::from_ref(&prev), &key);
    assert_eq!(verify_tx(std::slice::from_ref(&prev), &early), Ok(()));
    let refused = rt.mine(&[early], &script);
    assert_eq!(
        rt.tip_height(),
        100,
        "an immature coinbase spend must not connect"
    );
    assert_ne!(rt.tip_hash(), refused.block_hash());
    let error = rt.last_error().expect("Core logs why").to_owned();
    assert!(
        error.contains("bad-txns-premature-spend-of-coinbase"),
        "{error}"
    );

    // Block 1's coinbase has exactly 100: mature.
    let (outpoint, prev) = coinbase_output(&blocks[0]);
    let mut on_time = unsigned_spend(&[outpoint], prev.value, &script);
    sign_p2tr(&mut on_time, 0, std::slice::from_ref(&prev), &key);
    let block = rt.mine(&[on_time], &script);
    assert_eq!(rt.tip_height(), 101, "{:?}", rt.last_error());
    assert_eq!(rt.tip_hash(), block.block_hash());
}

#[test]
fn verify_input_checks_ecdsa_and_taproot_and_needs_all_spent_outputs() {
    let secret = SecretKey::from_slice(&[0x33; 32]).unwrap();
    let key = keypair(0x44);
    let spent = [
        TxOut {
            value: Amount::from_sat(70_000),
            script_pubkey: p2wpkh_script(&secret),
        },
        TxOut {
            value: Amount::from_sat(30_000),
            script_pubkey: p2tr_script(&key),
        },
    ];
    let prevouts = [
        OutPoint::new(Txid::from_byte_array([1; 32]), 0),
        OutPoint::new(Txid::from_byte_array([2; 32]), 7),
    ];
    let mut tx = unsigned_spend(&prevouts, Amount::from_sat(100_000), &p2tr_script(&key));
    sign_p2wpkh(&mut tx, 0, spent[0].value, &secret);
    sign_p2tr(&mut tx, 1, &spent, &key);
    let raw = serialize(&tx);
    let pairs = spent_pairs(&spent);

    assert_eq!(verify_input(&pairs, &raw, 0), Ok(()));
    assert_eq!(verify_input(&pairs, &raw, 1), Ok(()));
    assert_eq!(verify_tx(&spent, &tx), Ok(()));

    for index in 0..2 {
        let bad = corrupt_signature(&tx, index);
        assert_eq!(
            verify_input(&pairs, &serialize(&bad), index),
            Err("ScriptVerify(Invalid)".to_string()),
            "input {index}"
        );
        assert_eq!(
            verify_input(&pairs, &serialize(&bad), 1 - index),
            Ok(()),
            "input {}",
            1 - index
        );
        assert!(
            verify_tx(&spent, &bad)
                .unwrap_err()
                .starts_with(&format!("input {index}:"))
        );
    }

    // Taproot signatures commit to every spent output: a wrong amount on the P2WPKH input's
    // output breaks the P2TR input's signature, and both inputs' outputs are required.
    let mut other_amount = pairs.clone();
    other_amount[0].0 += 1;
    assert!(verify_input(&other_amount, &raw, 1).is_err());
    assert!(verify_input(&other_amount, &raw, 0).is_err());
    assert!(verify_input(&pairs[1..], &raw, 1).is_err());
    assert!(verify_input(&[], &raw, 0).is_err());
}
