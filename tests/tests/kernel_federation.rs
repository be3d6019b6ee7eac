//! Bitcoin Core's consensus engine (libbitcoinkernel, through `support/kernel.rs`) against the
//! witnesses pegkit finalizes, and pegkit's own pre-broadcast check (`check_witnesses`) on the
//! very same transactions: both accept every spend the `SignatureCollector` finalizes, both
//! refuse every corrupted one (naming the same input), and they must agree on every case.
//!
//! * Acceptance under every consensus flag (`verify_tx`, and `verify_input` per input): the
//!   taproot main leaf k-of-n with random signer subsets of size ≥ k (20 inputs for 10-of-15;
//!   999 keys, the `multi_a` limit), the recovery leaf with its relative lock, a transaction
//!   spending through both leaves, P2WSH `sortedmulti` up to 20 keys.
//! * Corruptions, spending real coins of a regtest chain so that Core also judges each one in a
//!   block, which must not connect, and names its reason (`block-script-verify-flag-failed
//!   (…)`), pinned per case: signatures swapped or moved to another key's slot, k+1 and k−1
//!   signatures, a non-member's signature, wrong sighash bytes, the recovery leaf before its
//!   relative lock, altered control blocks and scripts.
//! * Where pegkit is deliberately stricter than consensus (sighash types other than
//!   DEFAULT/ALL, high-S ECDSA, an annex), Core accepts — a block with the spend connects — and
//!   pegkit refuses: asserted as such, in a test of its own.
//! * Blocks: a k-of-n spend connects (tip + 1) and the same with k−1 signatures does not (tip
//!   unchanged); the recovery leaf's spend does not connect before the coin is `after_blocks`
//!   old (BIP68) and does at exactly that age; a P2WSH federation funded and spent.
//!
//! * Peg-out end to end: burns decoded from real bridge logs (alloy-encoded), the payment built,
//!   checked by all three members of a 2-of-3 federation (a tampered copy refused), signed by two:
//!   it connects in a block and the same payment signed by one member does not; its amounts are
//!   checked against values computed in the test.
//!
//! Random choices come from a seeded xorshift: each test prints its seed if it fails, and
//! `PEGKIT_KERNEL_SEED=<seed>` (decimal or 0x-hex) replays it or tries another. Run with
//! `--nocapture` to see every case's verdicts.

#[path = "support/kernel.rs"]
mod kernel;

use alloy_primitives::{Address as EvmAddress, Bytes as EvmBytes, U256, keccak256};
use alloy_sol_types::SolEvent as _;
use bitcoin::hashes::Hash as _;
use bitcoin::key::{Keypair as BtcKeypair, TapTweak};
use bitcoin::secp256k1::{Message, Secp256k1, SecretKey as BtcSecretKey};
use bitcoin::sighash::{Prevouts, TapSighashType};
use bitcoin::{Amount, CompressedPublicKey, ScriptBuf, Sequence, absolute, transaction};
use kernel::{Regtest, coinbase_output};
use num_bigint::BigUint;
use pegkit_core::ecdsa::{self, PublicKey};
use pegkit_core::federation::{Federation, LeafRole, Recovery, TapLeaf};
use pegkit_core::params::Network;
use pegkit_core::pegout::payment::fee_shares;
use pegkit_core::pegout::{
    Burn, BurnId, CheckedProposal, DEFAULT_BRIDGE, Log, Policy, ProposalError, ProposalRequest,
    RejectReason, RejectedId, Rejection, Utxo, build_payment, check_proposal, decode_logs,
};
use pegkit_core::schnorr::{SecretKey, XOnlyPublicKey};
use pegkit_core::sighash::{ScriptPath, SighashCache};
use pegkit_core::signing::{
    Added, PartialSignatures, SignatureCollector, SpendError, WitnessError, check_witnesses,
    sign_inputs,
};
use pegkit_core::{Encode, ErrorCode, OutPoint, Transaction, TxIn, TxOut, Txid, Witness};

// ---------------------------------------------------------------------------------------------
// Reproducible randomness.

/// The seed when `PEGKIT_KERNEL_SEED` is not set.
const DEFAULT_SEED: u64 = 0x5eed_f00d_c0de_2024;

/// xorshift64*: small, fast, and reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (the modulo bias is far below anything these tests could notice).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `num / den`.
    fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Prints the seed if the test panics, so that the failure can be replayed.
struct SeedGuard {
    test: &'static str,
    seed: u64,
}

impl Drop for SeedGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "{}: failed with seed {:#x}; replay with PEGKIT_KERNEL_SEED={:#x}",
                self.test, self.seed, self.seed
            );
        }
    }
}

/// This test's generator: `PEGKIT_KERNEL_SEED` or [`DEFAULT_SEED`], mixed with the test's name so
/// that tests draw different streams.
fn seeded(test: &'static str) -> (Rng, SeedGuard) {
    let seed = match std::env::var("PEGKIT_KERNEL_SEED") {
        Ok(s) => {
            let s = s.trim();
            match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            }
            .expect("PEGKIT_KERNEL_SEED is a decimal or 0x-hex u64")
        }
        Err(_) => DEFAULT_SEED,
    };
    // FNV-1a of the name, then splitmix64, so that nearby seeds give unrelated streams.
    let mut state = test.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) ^ seed;
    state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (Rng(z.max(1)), SeedGuard { test, seed })
}

// ---------------------------------------------------------------------------------------------
// Keys, federations, spends.

/// A secret key from a seed (as in `federation.rs`): always valid, distinct for distinct seeds.
fn key(seed: u64) -> SecretKey {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[31] = 1;
    SecretKey::from_bytes(&bytes).unwrap()
}

struct Members {
    secrets: Vec<SecretKey>,
}

impl Members {
    fn random(rng: &mut Rng, n: usize) -> Self {
        Self {
            secrets: (0..n).map(|_| key(rng.next())).collect(),
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

    /// A random subset of at least `min` members (at most `min + 3` of a federation larger than
    /// 20, whose every member signing would only cost time), in random order.
    fn subset(&self, rng: &mut Rng, min: usize) -> Vec<&SecretKey> {
        let n = self.secrets.len();
        let max = if n > 20 { n.min(min + 3) } else { n };
        let size = rng.range(min, max);
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        order[..size].iter().map(|&i| &self.secrets[i]).collect()
    }
}

fn describe(fed: &Federation) -> String {
    match fed.leaf(LeafRole::Recovery) {
        _ if !fed.is_taproot() => {
            format!("p2wsh {}-of-{}", fed.threshold(), fed.p2wsh_keys().len())
        }
        None => format!(
            "taproot {}-of-{}",
            fed.threshold(),
            fed.leaves()[0].keys().len()
        ),
        Some(r) => format!(
            "taproot {}-of-{} (+ recovery {}-of-{} after {} blocks)",
            fed.threshold(),
            fed.leaves()[0].keys().len(),
            r.threshold(),
            r.keys().len(),
            r.after_blocks().unwrap()
        ),
    }
}

/// An output script of a random kind: P2WPKH, P2TR, P2WSH, P2PKH, `OP_RETURN` data, or the
/// federation's own.
fn random_script(rng: &mut Rng, fed: &Federation) -> Vec<u8> {
    match rng.below(6) {
        0 => [&[0x00, 0x14][..], &rng.bytes(20)].concat(),
        1 => [&[0x51, 0x20][..], &rng.bytes(32)].concat(),
        2 => [&[0x00, 0x20][..], &rng.bytes(32)].concat(),
        3 => [&[0x76, 0xa9, 0x14][..], &rng.bytes(20), &[0x88, 0xac]].concat(),
        4 => {
            let len = rng.below(41);
            [&[0x6a, len as u8][..], &rng.bytes(len)].concat()
        }
        _ => fed.script_pubkey().to_vec(),
    }
}

/// A spend of `n_inputs` federation outputs that exist only here (script verification needs
/// the outputs spent, not a chain): random outpoints, amounts, output scripts and values, lock
/// time, and `sequence` or random sequences.
fn random_spend(
    rng: &mut Rng,
    fed: &Federation,
    n_inputs: usize,
    version: u32,
    sequence: Option<u32>,
) -> (Transaction, Vec<TxOut>) {
    let prevouts: Vec<TxOut> = (0..n_inputs)
        .map(|_| TxOut {
            value: rng.range(10_000, 2_000_000_000_000) as i64,
            script_pubkey: fed.script_pubkey().to_vec(),
        })
        .collect();
    let inputs = (0..n_inputs)
        .map(|_| {
            let random = rng.next() as u32;
            TxIn {
                previous_output: OutPoint {
                    txid: Txid::from_byte_array(rng.bytes(32).try_into().unwrap()),
                    vout: rng.below(8) as u32,
                },
                script_sig: vec![],
                sequence: sequence.unwrap_or_else(|| {
                    rng.pick(&[0xffff_ffff, 0xffff_fffe, 0xffff_fffd, 0, random])
                }),
                witness: Witness::default(),
            }
        })
        .collect();
    let total: i64 = prevouts.iter().map(|p| p.value).sum();
    let n_outputs = rng.range(1, 4);
    let share = (total - 1_000) / n_outputs as i64;
    let outputs = (0..n_outputs)
        .map(|_| TxOut {
            value: rng.range(0, share as usize) as i64,
            script_pubkey: random_script(rng, fed),
        })
        .collect();
    let lock_time = if rng.chance(1, 2) {
        0
    } else {
        rng.below(500_000_000) as u32
    };
    let tx = Transaction {
        version,
        inputs,
        outputs,
        lock_time,
    };
    (tx, prevouts)
}

/// A spend of real `coins` (outpoint and output, all paying `fed`): a random script gets a third,
/// the rest less 1000 sat per input goes back to the federation.
fn spend_coins(
    rng: &mut Rng,
    fed: &Federation,
    coins: &[(OutPoint, TxOut)],
    version: u32,
    sequence: u32,
) -> (Transaction, Vec<TxOut>) {
    let total: i64 = coins.iter().map(|(_, o)| o.value).sum();
    let first = total / 3;
    let mut to = random_script(rng, fed);
    if to.first() == Some(&0x6a) {
        to = [&[0x51, 0x20][..], &rng.bytes(32)].concat();
    }
    let tx = Transaction {
        version,
        inputs: coins
            .iter()
            .map(|(outpoint, _)| TxIn {
                previous_output: *outpoint,
                script_sig: vec![],
                sequence,
                witness: Witness::default(),
            })
            .collect(),
        outputs: vec![
            TxOut {
                value: first,
                script_pubkey: to,
            },
            TxOut {
                value: total - first - 1_000 * coins.len() as i64,
                script_pubkey: fed.script_pubkey().to_vec(),
            },
        ],
        lock_time: 0,
    };
    (tx, coins.iter().map(|(_, o)| o.clone()).collect())
}

/// The position of a member's key in the template (taproot leaf or P2WSH key list).
fn position(fed: &Federation, leaf: LeafRole, public_key: &[u8]) -> usize {
    match fed.witness_script() {
        Some(_) => fed
            .p2wsh_keys()
            .iter()
            .position(|k| k.to_bytes().as_slice() == public_key),
        None => fed.leaf(leaf).unwrap().position(public_key),
    }
    .expect("a member of the template")
}

/// `signers` each sign every input (random auxiliary randomness) and a collector takes their
/// sets — one by one or in one `add_all`, at random — and finalizes. Asserts every set is
/// accepted and the signers used are the first `threshold` in key order. Returns the finalized
/// transaction and the sets, in the signers' order.
fn collect(
    rng: &mut Rng,
    fed: &Federation,
    tx: &Transaction,
    prevouts: &[TxOut],
    leaf: LeafRole,
    signers: &[&SecretKey],
) -> (Transaction, Vec<PartialSignatures>) {
    let partials: Vec<PartialSignatures> = signers
        .iter()
        .map(|sk| {
            let aux = rng.next();
            sign_inputs(fed, tx, prevouts, leaf, sk, |i| {
                let mut a = [0u8; 32];
                a[..8].copy_from_slice(&aux.to_le_bytes());
                a[8..16].copy_from_slice(&(i as u64).to_le_bytes());
                a
            })
            .unwrap()
        })
        .collect();
    let mut collector = SignatureCollector::new(fed, tx, prevouts, leaf).unwrap();
    if rng.chance(1, 2) {
        for r in collector.add_all(&partials) {
            assert_eq!(r, Ok(Added::New));
        }
    } else {
        for p in &partials {
            assert_eq!(collector.add(p), Ok(Added::New));
        }
    }
    let (signed, used) = collector.finalize().unwrap();
    let threshold = collector.threshold();
    let mut positions: Vec<(usize, Vec<u8>)> = partials
        .iter()
        .map(|p| (position(fed, leaf, &p.public_key), p.public_key.clone()))
        .collect();
    positions.sort();
    let expected: Vec<Vec<u8>> = positions
        .into_iter()
        .take(threshold)
        .map(|(_, k)| k)
        .collect();
    assert_eq!(used, expected, "the first {threshold} signers in key order");
    (signed, partials)
}

/// The BIP341 script-path sighash of `leaf` for input `index`.
fn tap_sighash(
    tx: &Transaction,
    prevouts: &[TxOut],
    index: usize,
    leaf: &TapLeaf,
    sighash_type: u8,
    annex: Option<&[u8]>,
) -> [u8; 32] {
    let path = ScriptPath {
        leaf_hash: leaf.leaf_hash(),
        codesep_pos: u32::MAX,
    };
    SighashCache::with_prevouts(tx, prevouts)
        .unwrap()
        .taproot(index, sighash_type, annex, Some(path))
        .unwrap()
        .to_byte_array()
}

/// A BIP340 signature of `sk` with `sighash_type` (appended unless `SIGHASH_DEFAULT`).
fn tap_sig(
    sk: &SecretKey,
    tx: &Transaction,
    prevouts: &[TxOut],
    index: usize,
    leaf: &TapLeaf,
    sighash_type: u8,
    annex: Option<&[u8]>,
) -> Vec<u8> {
    let msg = tap_sighash(tx, prevouts, index, leaf, sighash_type, annex);
    let mut sig = sk
        .keypair()
        .sign(&msg, &[index as u8; 32])
        .unwrap()
        .to_bytes()
        .to_vec();
    if sighash_type != 0 {
        sig.push(sighash_type);
    }
    sig
}

/// A script-path witness for `leaf` signed by hand (what `sign_inputs` would refuse to sign):
/// one item per key in reverse key order, a signature by each of `signers`, then the script, the
/// control block and the annex if any.
fn tap_witness(
    tx: &Transaction,
    prevouts: &[TxOut],
    index: usize,
    leaf: &TapLeaf,
    signers: &[&SecretKey],
    annex: Option<&[u8]>,
) -> Witness {
    let n = leaf.keys().len();
    let mut items = vec![Vec::new(); n];
    for sk in signers {
        let p = leaf
            .position(&sk.x_only_public_key().to_bytes())
            .expect("a key of the leaf");
        items[n - 1 - p] = tap_sig(sk, tx, prevouts, index, leaf, 0, annex);
    }
    items.push(leaf.script().to_vec());
    items.push(leaf.control_block().to_vec());
    if let Some(a) = annex {
        items.push(a.to_vec());
    }
    Witness(items)
}

/// `tx` with every input's witness signed by hand by `signers` through `leaf`.
fn hand_signed(
    tx: &Transaction,
    prevouts: &[TxOut],
    leaf: &TapLeaf,
    signers: &[&SecretKey],
) -> Transaction {
    let mut signed = tx.clone();
    for (i, txin) in signed.inputs.iter_mut().enumerate() {
        txin.witness = tap_witness(tx, prevouts, i, leaf, signers, None);
    }
    signed
}

/// A DER ECDSA signature of `sk` over input `index`'s BIP143 sighash with `sighash_type`, the
/// type byte appended.
fn wsh_sig(
    sk: &SecretKey,
    fed: &Federation,
    tx: &Transaction,
    prevouts: &[TxOut],
    index: usize,
    sighash_type: u8,
) -> Vec<u8> {
    let msg = SighashCache::with_prevouts(tx, prevouts)
        .unwrap()
        .segwit_v0(
            index,
            fed.witness_script().unwrap(),
            prevouts[index].value,
            u32::from(sighash_type),
        )
        .unwrap();
    let mut sig = ecdsa::Signature::sign(sk, msg.as_byte_array())
        .unwrap()
        .to_der();
    sig.push(sighash_type);
    sig
}

/// The same ECDSA signature (DER, sighash byte last) with `s` replaced by `n − s`: valid for the
/// same message and key, strict DER, high S.
fn high_s(sig: &[u8]) -> Vec<u8> {
    let (&ty, der) = sig.split_last().unwrap();
    let r_len = usize::from(der[3]);
    let r = &der[4..4 + r_len];
    let s = &der[6 + r_len..];
    let order = BigUint::parse_bytes(
        b"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        16,
    )
    .unwrap();
    let mut s_high = (order - BigUint::from_bytes_be(s)).to_bytes_be();
    if s_high[0] & 0x80 != 0 {
        s_high.insert(0, 0);
    }
    let mut out = vec![
        0x30,
        (4 + r.len() + s_high.len()) as u8,
        0x02,
        r.len() as u8,
    ];
    out.extend_from_slice(r);
    out.extend_from_slice(&[0x02, s_high.len() as u8]);
    out.extend_from_slice(&s_high);
    let parsed = ecdsa::Signature::from_der(&out).expect("strict DER");
    assert!(!parsed.is_low_s());
    out.push(ty);
    out
}

/// `tx` with input `index`'s witness items changed by `f`.
fn altered(tx: &Transaction, index: usize, f: impl FnOnce(&mut Vec<Vec<u8>>)) -> Transaction {
    let mut out = tx.clone();
    f(&mut out.inputs[index].witness.0);
    out
}

// ---------------------------------------------------------------------------------------------
// Core's verdicts and pegkit's.

fn to_btc(tx: &Transaction) -> bitcoin::Transaction {
    let bytes = tx.to_bytes();
    let btc: bitcoin::Transaction = bitcoin::consensus::deserialize(&bytes).unwrap();
    assert_eq!(bitcoin::consensus::serialize(&btc), bytes);
    btc
}

fn to_btc_out(o: &TxOut) -> bitcoin::TxOut {
    bitcoin::TxOut {
        value: Amount::from_sat(u64::try_from(o.value).unwrap()),
        script_pubkey: ScriptBuf::from_bytes(o.script_pubkey.clone()),
    }
}

/// The input a witness error names.
fn named_input(e: &WitnessError) -> Option<usize> {
    use WitnessError as W;
    match e {
        W::UnexpectedAnnex { input }
        | W::UnknownScript { input }
        | W::WrongControlBlock { input }
        | W::WrongWitnessSize { input, .. }
        | W::NonNullDummy { input }
        | W::WrongSignatureCount { input, .. }
        | W::InvalidSignatureLength { input, .. }
        | W::InvalidSighashType { input, .. }
        | W::InvalidDer { input }
        | W::InvalidSignature { input }
        | W::Spend(SpendError::CsvNotSatisfied { input, .. })
        | W::Spend(SpendError::ForeignInput { input })
        | W::Spend(SpendError::ScriptSigNotEmpty { input }) => Some(*input),
        _ => None,
    }
}

/// A regtest chain whose coinbases pay a key of ours, to fund federations from.
struct Chain {
    rt: Regtest,
    miner: BtcKeypair,
    miner_script: ScriptBuf,
    /// Coinbase outputs mature for the next block, not yet spent.
    mature: Vec<(bitcoin::OutPoint, bitcoin::TxOut)>,
}

impl Chain {
    /// `100 + fundings` blocks paying the miner's P2TR key: `fundings` coinbases are mature.
    fn new(fundings: usize) -> Self {
        let secp = Secp256k1::new();
        let miner =
            BtcKeypair::from_secret_key(&secp, &BtcSecretKey::from_slice(&[0x11; 32]).unwrap());
        let miner_script = ScriptBuf::new_p2tr(&secp, miner.x_only_public_key().0, None);
        let mut rt = Regtest::new();
        let blocks = rt.mine_empty(100 + fundings, &miner_script);
        let mature = blocks[..fundings].iter().map(coinbase_output).collect();
        Self {
            rt,
            miner,
            miner_script,
            mature,
        }
    }

    /// Mines a block with a transaction paying `outputs` (script, satoshis) from a mature
    /// coinbase (the rest, less a fee, back to the miner). Returns each output as a coin
    /// (pegkit outpoint and output) and the height of the block.
    fn fund(&mut self, outputs: &[(Vec<u8>, i64)]) -> (Vec<(OutPoint, TxOut)>, i32) {
        let (outpoint, prev) = self.mature.pop().expect("a mature coinbase left");
        let paid: i64 = outputs.iter().map(|(_, v)| v).sum();
        let change = i64::try_from(prev.value.to_sat()).unwrap() - paid - 10_000;
        let mut output: Vec<bitcoin::TxOut> = outputs
            .iter()
            .map(|(script, value)| {
                to_btc_out(&TxOut {
                    value: *value,
                    script_pubkey: script.clone(),
                })
            })
            .collect();
        output.push(bitcoin::TxOut {
            value: Amount::from_sat(u64::try_from(change).unwrap()),
            script_pubkey: self.miner_script.clone(),
        });
        let mut tx = bitcoin::Transaction {
            version: transaction::Version::TWO,
            lock_time: absolute::LockTime::ZERO,
            input: vec![bitcoin::TxIn {
                previous_output: outpoint,
                script_sig: ScriptBuf::new(),
                sequence: Sequence::MAX,
                witness: bitcoin::Witness::new(),
            }],
            output,
        };
        // Key-path spend of the miner's output (SIGHASH_DEFAULT), with rust-bitcoin.
        let secp = Secp256k1::new();
        let sighash = bitcoin::sighash::SighashCache::new(&tx)
            .taproot_key_spend_signature_hash(0, &Prevouts::All(&[prev]), TapSighashType::Default)
            .unwrap();
        let tweaked = self.miner.tap_tweak(&secp, None).to_keypair();
        let signature =
            secp.sign_schnorr_no_aux_rand(&Message::from_digest(sighash.to_byte_array()), &tweaked);
        tx.input[0].witness = bitcoin::Witness::p2tr_key_spend(&bitcoin::taproot::Signature {
            signature,
            sighash_type: TapSighashType::Default,
        });
        let height = self.rt.tip_height() + 1;
        let block = self.rt.mine(std::slice::from_ref(&tx), &self.miner_script);
        assert_eq!(
            self.rt.tip_hash(),
            block.block_hash(),
            "funding block refused: {:?}",
            self.rt.last_error()
        );
        let txid = Txid::from_byte_array(tx.compute_txid().to_byte_array());
        let coins = outputs
            .iter()
            .enumerate()
            .map(|(vout, (script, value))| {
                (
                    OutPoint {
                        txid,
                        vout: vout as u32,
                    },
                    TxOut {
                        value: *value,
                        script_pubkey: script.clone(),
                    },
                )
            })
            .collect();
        (coins, height)
    }

    /// Mines a block holding `tx` on the tip: `Ok` if it connected (the tip moved up one),
    /// Core's logged reason if not (the tip did not move).
    fn try_block(&mut self, tx: &Transaction) -> Result<(), String> {
        let height = self.rt.tip_height();
        let block = self.rt.mine(&[to_btc(tx)], &self.miner_script);
        if self.rt.tip_hash() == block.block_hash() {
            assert_eq!(self.rt.tip_height(), height + 1);
            Ok(())
        } else {
            assert_eq!(
                self.rt.tip_height(),
                height,
                "a refused block leaves the tip"
            );
            Err(self
                .rt
                .last_error()
                .unwrap_or("(block not connected; Core logged no error)")
                .to_owned())
        }
    }

    fn mine_empty(&mut self, n: usize) {
        self.rt.mine_empty(n, &self.miner_script);
    }
}

/// Everyone's verdict on one finished transaction.
struct Verdicts {
    /// Core's script interpreter on the whole transaction (`verify_tx`: the first failing input).
    core: Result<(), String>,
    /// The inputs Core's interpreter refuses, each checked on its own (`verify_input`).
    core_refused: Vec<usize>,
    /// With a chain: whether a block holding the transaction connected, or Core's reason.
    block: Option<Result<(), String>>,
    /// pegkit's pre-broadcast check.
    pegkit: Result<(), WitnessError>,
}

impl Verdicts {
    fn of(
        fed: &Federation,
        tx: &Transaction,
        prevouts: &[TxOut],
        chain: Option<&mut Chain>,
    ) -> Self {
        let btc = to_btc(tx);
        let spent: Vec<bitcoin::TxOut> = prevouts.iter().map(to_btc_out).collect();
        let core = kernel::verify_tx(&spent, &btc);
        let pairs: Vec<(i64, Vec<u8>)> = prevouts
            .iter()
            .map(|o| (o.value, o.script_pubkey.clone()))
            .collect();
        let raw = bitcoin::consensus::serialize(&btc);
        let core_refused = (0..tx.inputs.len())
            .filter(|&i| kernel::verify_input(&pairs, &raw, i).is_err())
            .collect();
        let pegkit = check_witnesses(fed, tx, prevouts);
        let block = chain.map(|c| c.try_block(tx));
        Self {
            core,
            core_refused,
            block,
            pegkit,
        }
    }

    /// Core's interpreter, Core's block verdict and pegkit's check all say the same.
    fn agree(&self) -> bool {
        self.core.is_ok() == self.pegkit.is_ok()
            && self.core.is_ok() == self.core_refused.is_empty()
            && self
                .block
                .as_ref()
                .is_none_or(|b| b.is_ok() == self.core.is_ok())
    }

    fn line(&self, case: &str) -> String {
        let pegkit = match &self.pegkit {
            Ok(()) => "accepts".to_owned(),
            Err(e) => format!("refuses: {} ({e})", e.code()),
        };
        let core = match &self.core {
            Ok(()) => "accepts".to_owned(),
            Err(e) => format!("refuses inputs {:?} (first: {e})", self.core_refused),
        };
        let block = match &self.block {
            None => String::new(),
            Some(Ok(())) => "; Core's block: connected".to_owned(),
            Some(Err(e)) => format!("; Core's block: refused, {e}"),
        };
        format!("{case}: Core {core}{block}; pegkit {pegkit}")
    }
}

/// What Core and pegkit must say.
enum Expect {
    /// Both accept (and a block with the spend connects).
    Accept,
    /// Both refuse: Core's interpreter exactly `inputs`, pegkit the first of them with `code`,
    /// and a block with the spend does not connect for a reason containing `core`.
    Refuse {
        inputs: Vec<usize>,
        code: &'static str,
        core: &'static str,
    },
    /// Consensus accepts (a block connects), pegkit refuses with `code`, by design.
    Stricter { code: &'static str },
}

/// Core's script reason when a script leaves false on the stack.
const EVAL_FALSE: &str =
    "Script evaluated without error but finished with a false/empty top stack element";
const BAD_SCHNORR: &str = "(Invalid Schnorr signature)";
const BAD_HASH_TYPE: &str = "(Invalid Schnorr signature hash type)";
const BAD_COMMITMENT: &str = "(Witness program hash mismatch)";
const STACK_UNDERFLOW: &str = "(Operation not valid with the current stack size)";
const NULLDUMMY: &str = "(Dummy CHECKMULTISIG argument must be zero)";
const CSV_FAILED: &str = "(Locktime requirement not satisfied)";

fn refuse(input: usize, code: &'static str, core: &'static str) -> Expect {
    Expect::Refuse {
        inputs: vec![input],
        code,
        core,
    }
}

/// Judges each corrupted copy of input `input` (refused by Core and pegkit alike, its block not
/// connected), then the intact spend `signed`, whose block must connect.
fn corruptions_then_spend(
    fed: &Federation,
    signed: &Transaction,
    prevouts: &[TxOut],
    chain: &mut Chain,
    input: usize,
    cases: Vec<(String, Transaction, Expect)>,
    spend: &str,
) {
    for (name, tx, expect) in cases {
        judge(
            &format!("input {input}: {name}"),
            fed,
            &tx,
            prevouts,
            Some(chain),
            expect,
        );
    }
    let height = chain.rt.tip_height();
    judge(spend, fed, signed, prevouts, Some(chain), Expect::Accept);
    assert_eq!(chain.rt.tip_height(), height + 1);
}

/// Judges `tx` (Core's interpreter on every input, pegkit's check, and with a chain a block
/// holding it) and asserts the verdicts `expect`s; any difference between Core and pegkit is
/// reported as a DISAGREEMENT. Prints and returns the verdict line.
fn judge(
    case: &str,
    fed: &Federation,
    tx: &Transaction,
    prevouts: &[TxOut],
    chain: Option<&mut Chain>,
    expect: Expect,
) -> String {
    let v = Verdicts::of(fed, tx, prevouts, chain);
    let case = format!("[{}] {case}", describe(fed));
    let line = v.line(&case);
    println!("{line}");
    match expect {
        Expect::Accept => {
            assert!(v.agree(), "DISAGREEMENT between Core and pegkit: {line}");
            assert!(
                v.core.is_ok(),
                "Core refuses a spend pegkit finalized: {line}"
            );
        }
        Expect::Refuse { inputs, code, core } => {
            assert!(v.agree(), "DISAGREEMENT between Core and pegkit: {line}");
            assert_eq!(
                v.core_refused, inputs,
                "Core should refuse exactly inputs {inputs:?}: {line}"
            );
            let first = format!("input {}:", inputs[0]);
            assert!(v.core.as_ref().unwrap_err().starts_with(&first), "{line}");
            let e = v.pegkit.as_ref().unwrap_err();
            assert_eq!(e.code(), code, "pegkit's reason: {line}");
            assert_eq!(named_input(e), Some(inputs[0]), "pegkit's input: {line}");
            if let Some(Err(reason)) = &v.block {
                assert!(
                    reason.contains(core),
                    "Core refused the block, but not for {core:?}: {line}"
                );
            }
        }
        Expect::Stricter { code } => {
            assert!(
                v.core.is_ok() && v.core_refused.is_empty(),
                "consensus was expected to accept: {line}"
            );
            assert!(
                v.block.as_ref().is_none_or(Result::is_ok),
                "the block was expected to connect: {line}"
            );
            assert_eq!(
                v.pegkit.as_ref().map_err(ErrorCode::code),
                Err(code),
                "pegkit was expected to refuse: {line}"
            );
        }
    }
    line
}

/// A finalized taproot witness's signature slots and empty slots (item indexes below `n`).
fn slots(witness: &Witness, n: usize) -> (Vec<usize>, Vec<usize>) {
    (0..n).partition(|&j| !witness.items()[j].is_empty())
}

// ---------------------------------------------------------------------------------------------
// 1–3. Finalized spends: accepted by Core and by pegkit.

#[test]
fn taproot_main_leaf_k_of_n_random_signers_accepted() {
    let (mut rng, _seed) = seeded("taproot_main_leaf_k_of_n_random_signers_accepted");
    // (k, n, inputs of each round)
    let configs: &[(usize, usize, &[usize])] = &[
        (1, 1, &[1, 3]),
        (2, 3, &[2, 1]),
        (3, 5, &[4, 2]),
        (10, 15, &[20, 3]),
        (15, 15, &[2]),
        (1, 999, &[2]),
        (4, 999, &[1]),
    ];
    for &(k, n, rounds) in configs {
        for &inputs in rounds {
            let m = Members::random(&mut rng, n);
            let internal = rng
                .chance(1, 3)
                .then(|| key(rng.next()).x_only_public_key());
            let fed = Federation::taproot(Network::Regtest, k, &m.xonly(), None, internal).unwrap();
            let random = rng.next() as u32;
            let version = rng.pick(&[1, 2, 3, random]);
            let (tx, prevouts) = random_spend(&mut rng, &fed, inputs, version, None);
            let signers = m.subset(&mut rng, k);
            let (signed, _) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Main, &signers);
            for txin in &signed.inputs {
                assert_eq!(txin.witness.items().len(), n + 2);
                assert_eq!(slots(&txin.witness, n).0.len(), k);
            }
            let internal = if internal.is_some() { "a key" } else { "H" };
            judge(
                &format!(
                    "main leaf, {} signers, {inputs} inputs, internal key {internal}, version \
                     {version:#x}",
                    signers.len()
                ),
                &fed,
                &signed,
                &prevouts,
                None,
                Expect::Accept,
            );
        }
    }
}

/// Core's `OP_CHECKSEQUENCEVERIFY` checks the script against the input's nSequence (the coin's
/// age, BIP68, is a block matter: `block_recovery_spend_waits_for_bip68`).
#[test]
fn taproot_recovery_leaf_accepted() {
    let (mut rng, _seed) = seeded("taproot_recovery_leaf_accepted");
    // (k, n, m, recovery keys, after_blocks)
    let configs = [
        (2, 3, 1, 1, 1),
        (2, 3, 2, 3, 1008),
        (3, 5, 3, 5, rng.range(1, 65535) as u16),
        (1, 1, 2, 2, 65535),
    ];
    for (k, n, m, r, after) in configs {
        let main = Members::random(&mut rng, n);
        let rec = Members::random(&mut rng, r);
        let recovery = Recovery {
            threshold: m,
            keys: rec.xonly(),
            after_blocks: after,
        };
        let fed =
            Federation::taproot(Network::Regtest, k, &main.xonly(), Some(&recovery), None).unwrap();
        let after = u32::from(after);
        // Exactly the delay; the bits CSV ignores (16–21, 30) set; the largest block delay.
        for sequence in [after, after | 0x403f_0000, 0xffff] {
            let version = rng.pick(&[2, 3]);
            let inputs = rng.range(1, 3);
            let (tx, prevouts) = random_spend(&mut rng, &fed, inputs, version, Some(sequence));
            let signers = rec.subset(&mut rng, m);
            let (signed, _) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Recovery, &signers);
            judge(
                &format!(
                    "recovery leaf, {} signers, {inputs} inputs, nSequence {sequence:#x}",
                    signers.len()
                ),
                &fed,
                &signed,
                &prevouts,
                None,
                Expect::Accept,
            );
        }
    }
}

/// Each input may take either leaf: witnesses finalized through the main leaf and through the
/// recovery leaf for the same transaction, mixed.
#[test]
fn taproot_both_leaves_in_one_transaction_accepted() {
    let (mut rng, _seed) = seeded("taproot_both_leaves_in_one_transaction_accepted");
    let main = Members::random(&mut rng, 5);
    let rec = Members::random(&mut rng, 3);
    let recovery = Recovery {
        threshold: 2,
        keys: rec.xonly(),
        after_blocks: 144,
    };
    let fed =
        Federation::taproot(Network::Regtest, 3, &main.xonly(), Some(&recovery), None).unwrap();
    let (tx, prevouts) = random_spend(&mut rng, &fed, 4, 2, Some(144));
    let signers = main.subset(&mut rng, 3);
    let (by_main, _) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Main, &signers);
    let signers = rec.subset(&mut rng, 2);
    let (by_recovery, _) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Recovery, &signers);
    let mut mixed = by_main.clone();
    for i in [1, 2] {
        mixed.inputs[i].witness = by_recovery.inputs[i].witness.clone();
    }
    judge(
        "inputs 0, 3 through the main leaf, 1, 2 through the recovery leaf",
        &fed,
        &mixed,
        &prevouts,
        None,
        Expect::Accept,
    );
}

#[test]
fn p2wsh_sortedmulti_random_signers_accepted() {
    let (mut rng, _seed) = seeded("p2wsh_sortedmulti_random_signers_accepted");
    for (k, n) in [(1, 1), (2, 3), (3, 5), (15, 20), (20, 20)] {
        let m = Members::random(&mut rng, n);
        let fed = Federation::p2wsh(Network::Regtest, k, &m.compressed()).unwrap();
        let inputs = rng.range(1, 4);
        let random = rng.next() as u32;
        let version = rng.pick(&[1, 2, random]);
        let (tx, prevouts) = random_spend(&mut rng, &fed, inputs, version, None);
        let signers = m.subset(&mut rng, k);
        let (signed, _) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Main, &signers);
        for txin in &signed.inputs {
            let items = txin.witness.items();
            assert_eq!(items.len(), k + 2);
            assert!(items[0].is_empty());
            assert_eq!(items[k + 1], fed.witness_script().unwrap());
        }
        judge(
            &format!("{} signers, {inputs} inputs", signers.len()),
            &fed,
            &signed,
            &prevouts,
            None,
            Expect::Accept,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Corruptions: refused by Core (interpreter and block) and by pegkit.

#[test]
fn taproot_main_leaf_corruptions_refused() {
    let (mut rng, _seed) = seeded("taproot_main_leaf_corruptions_refused");
    let (k, n) = (3, 5);
    let main = Members::random(&mut rng, n);
    let rec = Members::random(&mut rng, 3);
    let recovery = Recovery {
        threshold: 2,
        keys: rec.xonly(),
        after_blocks: 5,
    };
    let fed =
        Federation::taproot(Network::Regtest, k, &main.xonly(), Some(&recovery), None).unwrap();
    let leaf = fed.leaf(LeafRole::Main).unwrap();
    let spk = fed.script_pubkey().to_vec();
    let mut chain = Chain::new(1);
    let (coins, _) = chain.fund(&[
        (spk.clone(), 150_000_000),
        (spk.clone(), 70_000_000),
        (spk, 2_500_000),
    ]);
    let (tx, prevouts) = spend_coins(&mut rng, &fed, &coins, 2, 0xffff_fffd);
    // More than k signers, so that an extra member's valid signature exists.
    let signers = main.subset(&mut rng, k + 1);
    let (signed, partials) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Main, &signers);
    let i = rng.below(coins.len());
    let (sigs, empties) = slots(&signed.inputs[i].witness, n);
    let key_of = |slot: usize| n - 1 - slot;
    let a = rng.pick(&sigs);
    let b = loop {
        let b = rng.pick(&sigs);
        if b != a {
            break b;
        }
    };
    let e = rng.pick(&empties);
    // A signer the collector did not use: its slot is empty, its signature valid.
    let (extra_slot, extra_sig) = partials
        .iter()
        .map(|p| (n - 1 - leaf.position(&p.public_key).unwrap(), p))
        .find(|(slot, _)| empties.contains(slot))
        .map(|(slot, p)| (slot, p.signatures[i].clone()))
        .unwrap();
    let outsider = key(rng.next());
    let outsider_sig = tap_sig(&outsider, &tx, &prevouts, i, leaf, 0, None);
    let other_input = (i + 1) % coins.len();
    let cb = n + 1;
    let cb_len = leaf.control_block().len();
    let key_byte = rng.range(1, 32);
    let path_byte = rng.range(33, cb_len - 1);
    let any_byte = rng.below(cb_len);
    let bit = 1u8 << rng.below(8);

    let cases: Vec<(String, Transaction, Expect)> = vec![
        (
            format!(
                "(a) signature of key {} moved to key {}'s empty slot",
                key_of(a),
                key_of(e)
            ),
            altered(&signed, i, |w| w.swap(a, e)),
            refuse(i, "invalid_signature", BAD_SCHNORR),
        ),
        (
            format!(
                "(a) signatures of keys {} and {} swapped",
                key_of(a),
                key_of(b)
            ),
            altered(&signed, i, |w| w.swap(a, b)),
            refuse(i, "invalid_signature", BAD_SCHNORR),
        ),
        (
            format!(
                "(b) k+1 valid signatures: key {}'s added",
                key_of(extra_slot)
            ),
            altered(&signed, i, |w| w[extra_slot] = extra_sig.clone()),
            refuse(i, "wrong_signature_count", EVAL_FALSE),
        ),
        (
            format!("(c) k-1 signatures: key {}'s cleared", key_of(a)),
            altered(&signed, i, |w| w[a].clear()),
            refuse(i, "wrong_signature_count", EVAL_FALSE),
        ),
        (
            "(c) no signatures".to_owned(),
            altered(&signed, i, |w| w[..n].iter_mut().for_each(Vec::clear)),
            refuse(i, "wrong_signature_count", EVAL_FALSE),
        ),
        (
            format!(
                "(d) a non-member's signature of the same sighash as key {}'s",
                key_of(a)
            ),
            altered(&signed, i, |w| w[a] = outsider_sig.clone()),
            refuse(i, "invalid_signature", BAD_SCHNORR),
        ),
        (
            format!("(d) key {}'s signature of input {other_input}", key_of(a)),
            altered(&signed, i, |w| {
                w[a] = signed.inputs[other_input].witness.items()[a].clone();
            }),
            refuse(i, "invalid_signature", BAD_SCHNORR),
        ),
        (
            "(e) 0x01 appended to a SIGHASH_DEFAULT signature".to_owned(),
            altered(&signed, i, |w| w[a].push(0x01)),
            refuse(i, "invalid_signature", BAD_SCHNORR),
        ),
        (
            "(e) 0x00 appended (explicit SIGHASH_DEFAULT, invalid in 65 bytes)".to_owned(),
            altered(&signed, i, |w| w[a].push(0x00)),
            refuse(i, "invalid_sighash_type", BAD_HASH_TYPE),
        ),
        (
            "(e) 0x04 appended (no such sighash type)".to_owned(),
            altered(&signed, i, |w| w[a].push(0x04)),
            refuse(i, "invalid_sighash_type", BAD_HASH_TYPE),
        ),
        (
            "(e) 0x02 appended (SIGHASH_NONE)".to_owned(),
            altered(&signed, i, |w| w[a].push(0x02)),
            refuse(i, "invalid_sighash_type", BAD_SCHNORR),
        ),
        (
            "(e) 0x83 appended (SIGHASH_SINGLE|ANYONECANPAY)".to_owned(),
            altered(&signed, i, |w| w[a].push(0x83)),
            // With no output at the input's index, BIP341 has no SIGHASH_SINGLE message at all.
            refuse(
                i,
                "invalid_sighash_type",
                if i < tx.outputs.len() {
                    BAD_SCHNORR
                } else {
                    BAD_HASH_TYPE
                },
            ),
        ),
        (
            "(e) a signature truncated to 63 bytes".to_owned(),
            altered(&signed, i, |w| {
                w[a].pop();
            }),
            refuse(i, "invalid_length", "(Invalid Schnorr signature size)"),
        ),
        (
            "(e) one bit of a signature's s flipped".to_owned(),
            altered(&signed, i, |w| w[a][63] ^= 0x01),
            refuse(i, "invalid_signature", BAD_SCHNORR),
        ),
        (
            "(g) control block: output key parity bit flipped".to_owned(),
            altered(&signed, i, |w| w[cb][0] ^= 0x01),
            refuse(i, "wrong_control_block", BAD_COMMITMENT),
        ),
        (
            "(g) control block: leaf version 0xc0 -> 0xc2".to_owned(),
            altered(&signed, i, |w| w[cb][0] ^= 0x02),
            refuse(i, "wrong_control_block", BAD_COMMITMENT),
        ),
        (
            format!("(g) control block: internal key byte {key_byte} ^ {bit:#04x}"),
            altered(&signed, i, |w| w[cb][key_byte] ^= bit),
            refuse(i, "wrong_control_block", BAD_COMMITMENT),
        ),
        (
            format!("(g) control block: merkle path byte {path_byte} ^ {bit:#04x}"),
            altered(&signed, i, |w| w[cb][path_byte] ^= bit),
            refuse(i, "wrong_control_block", BAD_COMMITMENT),
        ),
        (
            format!("(g) control block: byte {any_byte} ^ 0x80"),
            altered(&signed, i, |w| w[cb][any_byte] ^= 0x80),
            refuse(i, "wrong_control_block", BAD_COMMITMENT),
        ),
        (
            "(g) control block: last byte dropped".to_owned(),
            altered(&signed, i, |w| {
                w[cb].pop();
            }),
            refuse(
                i,
                "wrong_control_block",
                "(Invalid Taproot control block size)",
            ),
        ),
        (
            "(g) control block: a byte appended".to_owned(),
            altered(&signed, i, |w| w[cb].push(0)),
            refuse(
                i,
                "wrong_control_block",
                "(Invalid Taproot control block size)",
            ),
        ),
        (
            "leaf script: threshold 3 lowered to 2 (OP_3 -> OP_2)".to_owned(),
            altered(&signed, i, |w| {
                let s = &mut w[n];
                let at = s.len() - 2;
                assert_eq!(s[at], 0x53);
                s[at] = 0x52;
            }),
            refuse(i, "unknown_script", BAD_COMMITMENT),
        ),
        (
            "the recovery leaf's control block".to_owned(),
            altered(&signed, i, |w| {
                w[cb] = fed
                    .leaf(LeafRole::Recovery)
                    .unwrap()
                    .control_block()
                    .to_vec();
            }),
            refuse(i, "wrong_control_block", BAD_COMMITMENT),
        ),
        (
            "an annex appended (the signatures do not commit to it)".to_owned(),
            altered(&signed, i, |w| w.push(vec![0x50, 0xaa])),
            refuse(i, "unexpected_annex", BAD_SCHNORR),
        ),
        (
            "the bottom witness item (key n-1's slot) removed".to_owned(),
            altered(&signed, i, |w| {
                w.remove(0);
            }),
            refuse(i, "wrong_witness_size", STACK_UNDERFLOW),
        ),
    ];
    corruptions_then_spend(
        &fed,
        &signed,
        &prevouts,
        &mut chain,
        i,
        cases,
        "the finalized spend",
    );
}

#[test]
fn taproot_recovery_leaf_corruptions_refused() {
    let (mut rng, _seed) = seeded("taproot_recovery_leaf_corruptions_refused");
    let main = Members::random(&mut rng, 3);
    let rec = Members::random(&mut rng, 3);
    let after = 5u16;
    let recovery = Recovery {
        threshold: 2,
        keys: rec.xonly(),
        after_blocks: after,
    };
    let fed =
        Federation::taproot(Network::Regtest, 2, &main.xonly(), Some(&recovery), None).unwrap();
    let leaf = fed.leaf(LeafRole::Recovery).unwrap();
    let spk = fed.script_pubkey().to_vec();
    let mut chain = Chain::new(1);
    let (coins, _) = chain.fund(&[(spk.clone(), 90_000_000), (spk, 31_000_000)]);
    // The coins are old enough for the delay (BIP68 holds): only the scripts are judged.
    chain.mine_empty(usize::from(after));
    let seq = u32::from(after);
    let (tx, prevouts) = spend_coins(&mut rng, &fed, &coins, 2, seq);
    // All three recovery members sign; the collector uses the first two in key order.
    let signers = rec.subset(&mut rng, 3);
    let (signed, partials) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Recovery, &signers);
    let i = rng.below(coins.len());
    let r = leaf.keys().len();
    let (sigs, empties) = slots(&signed.inputs[i].witness, r);
    let a = rng.pick(&sigs);
    let extra_slot = empties[0];
    let extra_sig = partials
        .iter()
        .find(|p| r - 1 - leaf.position(&p.public_key).unwrap() == extra_slot)
        .unwrap()
        .signatures[i]
        .clone();
    let used: Vec<&SecretKey> = sigs
        .iter()
        .map(|&slot| {
            rec.secrets
                .iter()
                .find(|s| leaf.position(&s.x_only_public_key().to_bytes()) == Some(r - 1 - slot))
                .unwrap()
        })
        .collect();
    // Signed by hand with another nSequence or version: sign_inputs refuses these.
    let with = |version: u32, sequence: u32| {
        let mut t = tx.clone();
        t.version = version;
        t.inputs[i].sequence = sequence;
        hand_signed(&t, &prevouts, leaf, &used)
    };
    let early = with(2, seq - 1);
    assert_eq!(
        sign_inputs(
            &fed,
            &early,
            &prevouts,
            LeafRole::Recovery,
            &rec.secrets[0],
            |_| [0; 32]
        )
        .unwrap_err()
        .code(),
        "csv_not_satisfied"
    );
    let mut raised = early.clone();
    raised.inputs[i].sequence = seq;
    let main_member_sig = tap_sig(&main.secrets[0], &tx, &prevouts, i, leaf, 0, None);
    let cb = r + 1;

    let cases: Vec<(String, Transaction, Expect)> = vec![
        (
            format!(
                "(f) nSequence {} < after_blocks {after}, signed for it",
                seq - 1
            ),
            early,
            refuse(i, "csv_not_satisfied", CSV_FAILED),
        ),
        (
            "(f) nSequence 0, signed for it".to_owned(),
            with(2, 0),
            refuse(i, "csv_not_satisfied", CSV_FAILED),
        ),
        (
            "(f) transaction version 1, signed for it".to_owned(),
            with(1, seq),
            Expect::Refuse {
                inputs: (0..coins.len()).collect(),
                code: "csv_not_satisfied",
                core: CSV_FAILED,
            },
        ),
        (
            "(f) nSequence with the disable flag (1 << 31) set, signed for it".to_owned(),
            with(2, seq | 1 << 31),
            refuse(i, "csv_not_satisfied", CSV_FAILED),
        ),
        (
            // BIP68 reads this input as a time lock the coin has not reached, so the block fails
            // on that before its scripts run; the interpreter refuses the script (CSV type).
            "(f) nSequence with the time-lock flag (1 << 22) set, signed for it".to_owned(),
            with(2, seq | 1 << 22),
            refuse(i, "csv_not_satisfied", "non-BIP68-final"),
        ),
        (
            format!("(f) signed for nSequence {}, sent with {seq}", seq - 1),
            raised,
            // Every input's BIP341 sighash commits to every nSequence: all signatures break.
            Expect::Refuse {
                inputs: (0..coins.len()).collect(),
                code: "invalid_signature",
                core: BAD_SCHNORR,
            },
        ),
        (
            "(c) m-1 recovery signatures".to_owned(),
            altered(&signed, i, |w| w[a].clear()),
            refuse(
                i,
                "wrong_signature_count",
                "(Script failed an OP_NUMEQUALVERIFY operation)",
            ),
        ),
        (
            "(b) m+1 valid recovery signatures".to_owned(),
            altered(&signed, i, |w| w[extra_slot] = extra_sig.clone()),
            refuse(
                i,
                "wrong_signature_count",
                "(Script failed an OP_NUMEQUALVERIFY operation)",
            ),
        ),
        (
            "(d) a main-leaf member's signature of the recovery sighash".to_owned(),
            altered(&signed, i, |w| w[a] = main_member_sig.clone()),
            refuse(i, "invalid_signature", BAD_SCHNORR),
        ),
        (
            "(a) two recovery signatures swapped".to_owned(),
            altered(&signed, i, |w| w.swap(sigs[0], sigs[1])),
            refuse(i, "invalid_signature", BAD_SCHNORR),
        ),
        (
            "(g) the main leaf's control block".to_owned(),
            altered(&signed, i, |w| {
                w[cb] = fed.leaf(LeafRole::Main).unwrap().control_block().to_vec();
            }),
            refuse(i, "wrong_control_block", BAD_COMMITMENT),
        ),
        (
            "(g) control block: sibling hash byte 40 ^ 0x01".to_owned(),
            altered(&signed, i, |w| w[cb][40] ^= 0x01),
            refuse(i, "wrong_control_block", BAD_COMMITMENT),
        ),
        (
            format!("leaf script: delay {after} lowered to 4 (OP_5 -> OP_4)"),
            altered(&signed, i, |w| {
                let s = &mut w[r];
                let at = s.len() - 2;
                assert_eq!(s[at], 0x55);
                s[at] = 0x54;
            }),
            refuse(i, "unknown_script", BAD_COMMITMENT),
        ),
    ];
    corruptions_then_spend(
        &fed,
        &signed,
        &prevouts,
        &mut chain,
        i,
        cases,
        "the finalized recovery spend",
    );
}

#[test]
fn p2wsh_corruptions_refused() {
    let (mut rng, _seed) = seeded("p2wsh_corruptions_refused");
    let (k, n) = (3, 5);
    let m = Members::random(&mut rng, n);
    let fed = Federation::p2wsh(Network::Regtest, k, &m.compressed()).unwrap();
    let spk = fed.script_pubkey().to_vec();
    let mut chain = Chain::new(1);
    let (coins, _) = chain.fund(&[(spk.clone(), 40_000_000), (spk, 260_000_000)]);
    let (tx, prevouts) = spend_coins(&mut rng, &fed, &coins, 2, 0xffff_ffff);
    let signers = m.subset(&mut rng, k + 1);
    let (signed, partials) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Main, &signers);
    let i = rng.below(coins.len());
    // Witness: dummy, k signatures (items 1..=k) in key order, witness script.
    let used: Vec<usize> = {
        let keys = fed.p2wsh_keys();
        let mut p: Vec<usize> = partials
            .iter()
            .map(|s| {
                keys.iter()
                    .position(|pk| pk.to_bytes()[..] == s.public_key[..])
                    .unwrap()
            })
            .collect();
        p.sort();
        p
    };
    let extra_position = used[k];
    let extra_sig = partials
        .iter()
        .find(|s| fed.p2wsh_keys()[extra_position].to_bytes()[..] == s.public_key[..])
        .unwrap()
        .signatures[i]
        .clone();
    let s1 = rng.range(1, k);
    let s2 = loop {
        let s = rng.range(1, k);
        if s != s1 {
            break s;
        }
    };
    let outsider_sig = wsh_sig(&key(rng.next()), &fed, &tx, &prevouts, i, 0x01);
    let other_input = (i + 1) % coins.len();
    let script_at = k + 1;
    let set_type = |ty: u8| {
        altered(&signed, i, |w| {
            *w[s1].last_mut().unwrap() = ty;
        })
    };

    let cases: Vec<(String, Transaction, Expect)> = vec![
        (
            format!("(a) signatures {s1} and {s2} swapped"),
            altered(&signed, i, |w| w.swap(s1, s2)),
            refuse(i, "invalid_signature", EVAL_FALSE),
        ),
        (
            "(b) k+1 valid signatures in key order (one witness item more)".to_owned(),
            altered(&signed, i, |w| w.insert(k + 1, extra_sig.clone())),
            refuse(i, "wrong_witness_size", NULLDUMMY),
        ),
        (
            "(b) k+1 valid signatures, the extra one in the dummy's place".to_owned(),
            altered(&signed, i, |w| w[0] = extra_sig.clone()),
            refuse(i, "non_null_dummy", NULLDUMMY),
        ),
        (
            format!("(c) k-1 signatures: signature {s1} emptied"),
            altered(&signed, i, |w| w[s1].clear()),
            refuse(i, "wrong_signature_count", EVAL_FALSE),
        ),
        (
            format!("(c) k-1 signatures: signature {s1} removed"),
            altered(&signed, i, |w| {
                w.remove(s1);
            }),
            refuse(i, "wrong_witness_size", STACK_UNDERFLOW),
        ),
        (
            format!("(d) a non-member's signature of the same sighash as signature {s1}"),
            altered(&signed, i, |w| w[s1] = outsider_sig.clone()),
            refuse(i, "invalid_signature", EVAL_FALSE),
        ),
        (
            format!("(d) signature {s1} taken from input {other_input}"),
            altered(&signed, i, |w| {
                w[s1] = signed.inputs[other_input].witness.items()[s1].clone();
            }),
            refuse(i, "invalid_signature", EVAL_FALSE),
        ),
        (
            "(e) sighash byte 0x01 -> 0x03 (SIGHASH_SINGLE)".to_owned(),
            set_type(0x03),
            refuse(i, "invalid_sighash_type", EVAL_FALSE),
        ),
        (
            "(e) sighash byte 0x01 -> 0x81 (SIGHASH_ALL|ANYONECANPAY)".to_owned(),
            set_type(0x81),
            refuse(i, "invalid_sighash_type", EVAL_FALSE),
        ),
        (
            "(e) sighash byte 0x01 -> 0x02 (SIGHASH_NONE)".to_owned(),
            set_type(0x02),
            refuse(i, "invalid_sighash_type", EVAL_FALSE),
        ),
        (
            "(e) DER: sequence length byte off by one (BIP66)".to_owned(),
            altered(&signed, i, |w| w[s1][1] += 1),
            refuse(i, "invalid_der", "(Non-canonical DER signature)"),
        ),
        (
            "(e) DER: last byte of r flipped".to_owned(),
            altered(&signed, i, |w| {
                let r_end = 4 + usize::from(w[s1][3]) - 1;
                w[s1][r_end] ^= 0x01;
            }),
            refuse(i, "invalid_signature", EVAL_FALSE),
        ),
        (
            "CHECKMULTISIG dummy 0x00 instead of empty (BIP147 NULLDUMMY)".to_owned(),
            altered(&signed, i, |w| w[0] = vec![0x00]),
            refuse(i, "non_null_dummy", NULLDUMMY),
        ),
        (
            "witness script: a key byte flipped".to_owned(),
            altered(&signed, i, |w| w[script_at][5] ^= 0x01),
            refuse(i, "unknown_script", BAD_COMMITMENT),
        ),
    ];
    corruptions_then_spend(
        &fed,
        &signed,
        &prevouts,
        &mut chain,
        i,
        cases,
        "the finalized spend",
    );
}

/// What consensus allows but pegkit's check refuses on purpose — each spend connects in a block
/// of Core's and `check_witnesses` refuses it:
///
/// * sighash types other than `SIGHASH_DEFAULT`/`SIGHASH_ALL` (taproot) or `SIGHASH_ALL`
///   (P2WSH): a federation signature must commit to every input and output, or anyone could
///   redirect the funds; Core's consensus flags have no STRICTENC, so for P2WSH even undefined
///   types (0x00, 0x04) are consensus-valid;
/// * high-S ECDSA: LOW_S is relay policy only; pegkit never makes such signatures and refuses
///   them as malleated (a third party could flip S and change the wtxid);
/// * a taproot annex (even one the signatures commit to): reserved for future soft forks,
///   non-standard, and never made by pegkit.
///
/// An explicit `SIGHASH_ALL` (65-byte) taproot signature is accepted by both.
#[test]
fn consensus_accepts_what_pegkit_refuses_by_design() {
    let (mut rng, _seed) = seeded("consensus_accepts_what_pegkit_refuses_by_design");
    let tap_members = Members::random(&mut rng, 3);
    let tap = Federation::taproot(Network::Regtest, 2, &tap_members.xonly(), None, None).unwrap();
    let leaf = tap.leaf(LeafRole::Main).unwrap();
    let wsh_members = Members::random(&mut rng, 3);
    let wsh = Federation::p2wsh(Network::Regtest, 2, &wsh_members.compressed()).unwrap();
    let tap_types: [u8; 6] = [0x01, 0x02, 0x03, 0x81, 0x82, 0x83];
    let wsh_types: [u8; 7] = [0x00, 0x02, 0x03, 0x04, 0x81, 0x82, 0x83];
    let mut outputs = Vec::new();
    for j in 0..=tap_types.len() {
        outputs.push((tap.script_pubkey().to_vec(), 1_000_000 + j as i64));
    }
    for j in 0..=wsh_types.len() {
        outputs.push((wsh.script_pubkey().to_vec(), 2_000_000 + j as i64));
    }
    let mut chain = Chain::new(1);
    let (coins, _) = chain.fund(&outputs);
    let (tap_coins, wsh_coins) = coins.split_at(tap_types.len() + 1);

    for (coin, &ty) in tap_coins.iter().zip(&tap_types) {
        let (tx, prevouts) =
            spend_coins(&mut rng, &tap, std::slice::from_ref(coin), 2, 0xffff_fffd);
        let signers = tap_members.subset(&mut rng, 2);
        let (signed, _) = collect(&mut rng, &tap, &tx, &prevouts, LeafRole::Main, &signers);
        let (sigs, _) = slots(&signed.inputs[0].witness, 3);
        let slot = rng.pick(&sigs);
        let signer = tap_members
            .secrets
            .iter()
            .find(|s| leaf.position(&s.x_only_public_key().to_bytes()) == Some(2 - slot))
            .unwrap();
        let resigned = altered(&signed, 0, |w| {
            w[slot] = tap_sig(signer, &tx, &prevouts, 0, leaf, ty, None);
        });
        judge(
            &format!("one signature re-signed with sighash type {ty:#04x}"),
            &tap,
            &resigned,
            &prevouts,
            Some(&mut chain),
            if ty == 0x01 {
                Expect::Accept
            } else {
                Expect::Stricter {
                    code: "invalid_sighash_type",
                }
            },
        );
    }
    let coin = &tap_coins[tap_types.len()];
    let (tx, prevouts) = spend_coins(&mut rng, &tap, std::slice::from_ref(coin), 2, 0xffff_fffd);
    let annex = [0x50, 0x01, 0x02, 0x03];
    let mut with_annex = tx.clone();
    let signers = tap_members.subset(&mut rng, 2);
    with_annex.inputs[0].witness =
        tap_witness(&tx, &prevouts, 0, leaf, &signers[..2], Some(&annex));
    judge(
        "an annex the signatures commit to",
        &tap,
        &with_annex,
        &prevouts,
        Some(&mut chain),
        Expect::Stricter {
            code: "unexpected_annex",
        },
    );

    for (coin, &ty) in wsh_coins.iter().zip(&wsh_types) {
        let (tx, prevouts) =
            spend_coins(&mut rng, &wsh, std::slice::from_ref(coin), 2, 0xffff_fffd);
        let signers = wsh_members.subset(&mut rng, 2);
        let (signed, _) = collect(&mut rng, &wsh, &tx, &prevouts, LeafRole::Main, &signers);
        let s = rng.range(1, 2);
        let keys = wsh.p2wsh_keys();
        // The signer of item s: the s-th of the first two signers in key order.
        let mut positions: Vec<usize> = signers
            .iter()
            .map(|sk| {
                position(
                    &wsh,
                    LeafRole::Main,
                    &PublicKey::from_secret_key(sk).to_bytes(),
                )
            })
            .collect();
        positions.sort();
        let signer = wsh_members
            .secrets
            .iter()
            .find(|sk| PublicKey::from_secret_key(sk) == keys[positions[s - 1]])
            .unwrap();
        let resigned = altered(&signed, 0, |w| {
            w[s] = wsh_sig(signer, &wsh, &tx, &prevouts, 0, ty);
        });
        judge(
            &format!("signature {s} re-signed with sighash type {ty:#04x}"),
            &wsh,
            &resigned,
            &prevouts,
            Some(&mut chain),
            Expect::Stricter {
                code: "invalid_sighash_type",
            },
        );
    }
    let coin = &wsh_coins[wsh_types.len()];
    let (tx, prevouts) = spend_coins(&mut rng, &wsh, std::slice::from_ref(coin), 2, 0xffff_fffd);
    let signers = wsh_members.subset(&mut rng, 2);
    let (signed, _) = collect(&mut rng, &wsh, &tx, &prevouts, LeafRole::Main, &signers);
    let s = rng.range(1, 2);
    judge(
        &format!("signature {s} with S replaced by n - S (high S)"),
        &wsh,
        &altered(&signed, 0, |w| w[s] = high_s(&w[s])),
        &prevouts,
        Some(&mut chain),
        Expect::Stricter {
            code: "invalid_signature",
        },
    );
}

/// `OP_CHECKSEQUENCEVERIFY` reads the transaction version as unsigned in Bitcoin Core
/// (`CTransaction::version` is a `uint32_t`; `script/interpreter.cpp` `CheckSequence`: `if
/// (txTo->version < 2) return false;`, and BIP68's `tx.version >= 2` likewise), so a recovery
/// spend of version 0x80000002 or 0xffffffff satisfies the relative lock: Core's interpreter
/// accepts it and a block holding it connects. pegkit's check must agree.
#[test]
fn recovery_leaf_csv_reads_the_version_unsigned_as_core_does() {
    let (mut rng, _seed) = seeded("recovery_leaf_csv_reads_the_version_unsigned_as_core_does");
    let main = Members::random(&mut rng, 3);
    let rec = Members::random(&mut rng, 2);
    let after = 5u16;
    let recovery = Recovery {
        threshold: 2,
        keys: rec.xonly(),
        after_blocks: after,
    };
    let fed =
        Federation::taproot(Network::Regtest, 2, &main.xonly(), Some(&recovery), None).unwrap();
    let leaf = fed.leaf(LeafRole::Recovery).unwrap();
    let spk = fed.script_pubkey().to_vec();
    let mut chain = Chain::new(1);
    let (coins, _) = chain.fund(&[(spk.clone(), 5_000_000), (spk, 6_000_000)]);
    chain.mine_empty(usize::from(after));
    let signers: Vec<&SecretKey> = rec.secrets.iter().collect();
    let mut lines = Vec::new();
    let mut agreed = true;
    for (coin, version) in coins.iter().zip([0x8000_0002u32, 0xffff_ffff]) {
        let (tx, prevouts) = spend_coins(
            &mut rng,
            &fed,
            std::slice::from_ref(coin),
            version,
            u32::from(after),
        );
        let signed = hand_signed(&tx, &prevouts, leaf, &signers);
        let v = Verdicts::of(&fed, &signed, &prevouts, Some(&mut chain));
        let line = v.line(&format!(
            "[{}] recovery spend, version {version:#010x}, nSequence {after}, coin {} blocks old",
            describe(&fed),
            after + 1
        ));
        println!("{line}");
        agreed &= v.agree();
        lines.push(line);
    }
    assert!(
        agreed,
        "DISAGREEMENT between Core and pegkit (Core reads the version as a u32: pegkit's \
         csv_satisfied must too):\n{}",
        lines.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Blocks on a regtest chain.

#[test]
fn block_with_k_of_n_spend_connects_and_with_k_minus_1_does_not() {
    let (mut rng, _seed) = seeded("block_with_k_of_n_spend_connects_and_with_k_minus_1_does_not");
    let (k, n) = rng.pick(&[(3, 5), (10, 15)]);
    let m = Members::random(&mut rng, n);
    let fed = Federation::taproot(Network::Regtest, k, &m.xonly(), None, None).unwrap();
    let spk = fed.script_pubkey().to_vec();
    let mut chain = Chain::new(1);
    let (coins, funded_at) = chain.fund(&[
        (spk.clone(), rng.range(100_000, 1_000_000_000) as i64),
        (spk.clone(), rng.range(100_000, 1_000_000_000) as i64),
        (spk, rng.range(100_000, 1_000_000_000) as i64),
    ]);
    assert_eq!(chain.rt.tip_height(), funded_at);
    assert_eq!(funded_at, 102, "101 blocks, then the funding block");
    let (tx, prevouts) = spend_coins(&mut rng, &fed, &coins, 2, 0xffff_fffd);
    let signers = m.subset(&mut rng, k);
    let (signed, _) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Main, &signers);

    let i = rng.below(coins.len());
    let slot = rng.pick(&slots(&signed.inputs[i].witness, n).0);
    let short = altered(&signed, i, |w| w[slot].clear());
    judge(
        &format!("input {i}: k-1 signatures"),
        &fed,
        &short,
        &prevouts,
        Some(&mut chain),
        refuse(i, "wrong_signature_count", EVAL_FALSE),
    );
    assert_eq!(chain.rt.tip_height(), funded_at, "the tip did not move");

    judge(
        &format!("{} signers, {} inputs", signers.len(), coins.len()),
        &fed,
        &signed,
        &prevouts,
        Some(&mut chain),
        Expect::Accept,
    );
    assert_eq!(chain.rt.tip_height(), funded_at + 1);

    // The change back to the federation is spent in the next block.
    let change = vec![(
        OutPoint {
            txid: signed.txid(),
            vout: 1,
        },
        signed.outputs[1].clone(),
    )];
    let (tx, prevouts) = spend_coins(&mut rng, &fed, &change, 2, 0xffff_ffff);
    let signers = m.subset(&mut rng, k);
    let (next, _) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Main, &signers);
    judge(
        "spending the change of the previous spend",
        &fed,
        &next,
        &prevouts,
        Some(&mut chain),
        Expect::Accept,
    );
    assert_eq!(chain.rt.tip_height(), funded_at + 2);
}

/// BIP68: with `after_blocks` 5 a recovery spend of a coin confirmed at height h connects in a
/// block at height h + 5 and not before; its scripts pass all along (Core's interpreter and
/// pegkit cannot know the coin's age). A main-leaf spend of a coin from the same funding block
/// connects at once.
#[test]
fn block_recovery_spend_waits_for_bip68() {
    let (mut rng, _seed) = seeded("block_recovery_spend_waits_for_bip68");
    let main = Members::random(&mut rng, 3);
    let rec = Members::random(&mut rng, 3);
    let after = 5u16;
    let recovery = Recovery {
        threshold: 2,
        keys: rec.xonly(),
        after_blocks: after,
    };
    let fed =
        Federation::taproot(Network::Regtest, 2, &main.xonly(), Some(&recovery), None).unwrap();
    let spk = fed.script_pubkey().to_vec();
    let mut chain = Chain::new(1);
    let (coins, funded_at) = chain.fund(&[(spk.clone(), 12_345_678), (spk, 87_654_321)]);

    let (tx, prevouts) = spend_coins(&mut rng, &fed, &coins[..1], 2, u32::from(after));
    let signers = rec.subset(&mut rng, 2);
    let (recovery_spend, _) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Recovery, &signers);
    judge(
        "recovery spend, scripts only",
        &fed,
        &recovery_spend,
        &prevouts,
        None,
        Expect::Accept,
    );
    let (tx, main_prevouts) = spend_coins(&mut rng, &fed, &coins[1..], 2, 0xffff_fffd);
    let signers = main.subset(&mut rng, 2);
    let (main_spend, _) = collect(
        &mut rng,
        &fed,
        &tx,
        &main_prevouts,
        LeafRole::Main,
        &signers,
    );

    let mut main_spent = false;
    while chain.rt.tip_height() + 1 < funded_at + i32::from(after) {
        let next = chain.rt.tip_height() + 1;
        let error = chain
            .try_block(&recovery_spend)
            .expect_err("a recovery spend before the delay must not connect");
        println!("recovery spend in block {next} (coin at {funded_at}): refused, {error}");
        assert!(error.contains("non-BIP68-final"), "block {next}: {error}");
        assert_eq!(chain.rt.tip_height(), next - 1, "the tip did not move");
        if main_spent {
            chain.mine_empty(1);
        } else {
            judge(
                &format!("main-leaf spend in block {next}, the coin's first block after"),
                &fed,
                &main_spend,
                &main_prevouts,
                Some(&mut chain),
                Expect::Accept,
            );
            main_spent = true;
        }
    }
    assert_eq!(chain.rt.tip_height() + 1, funded_at + i32::from(after));
    judge(
        &format!("recovery spend in block {}", funded_at + i32::from(after)),
        &fed,
        &recovery_spend,
        &prevouts,
        Some(&mut chain),
        Expect::Accept,
    );
    assert_eq!(chain.rt.tip_height(), funded_at + i32::from(after));
}

#[test]
fn block_p2wsh_fund_and_spend() {
    let (mut rng, _seed) = seeded("block_p2wsh_fund_and_spend");
    let (k, n) = rng.pick(&[(2, 3), (3, 5), (15, 20)]);
    let m = Members::random(&mut rng, n);
    let fed = Federation::p2wsh(Network::Regtest, k, &m.compressed()).unwrap();
    let spk = fed.script_pubkey().to_vec();
    let mut chain = Chain::new(1);
    let (coins, funded_at) = chain.fund(&[(spk.clone(), 700_000_000), (spk, 1_300_000_000)]);
    let (tx, prevouts) = spend_coins(&mut rng, &fed, &coins, 2, 0xffff_fffd);
    let signers = m.subset(&mut rng, k);
    let (signed, _) = collect(&mut rng, &fed, &tx, &prevouts, LeafRole::Main, &signers);
    let i = rng.below(coins.len());
    if k >= 2 {
        judge(
            &format!("input {i}: signatures 1 and 2 swapped"),
            &fed,
            &altered(&signed, i, |w| w.swap(1, 2)),
            &prevouts,
            Some(&mut chain),
            refuse(i, "invalid_signature", EVAL_FALSE),
        );
    }
    judge(
        &format!("input {i}: k-1 signatures"),
        &fed,
        &altered(&signed, i, |w| w[1].clear()),
        &prevouts,
        Some(&mut chain),
        refuse(i, "wrong_signature_count", EVAL_FALSE),
    );
    assert_eq!(chain.rt.tip_height(), funded_at);
    judge(
        &format!("{} signers, {} inputs", signers.len(), coins.len()),
        &fed,
        &signed,
        &prevouts,
        Some(&mut chain),
        Expect::Accept,
    );
    assert_eq!(chain.rt.tip_height(), funded_at + 1);
}

// ---------------------------------------------------------------------------------------------
// 6. Peg-out end to end: EVM burn logs → payment → members' checks → 2-of-3 signatures → a block.

mod bridge_abi {
    alloy_sol_types::sol! {
        event RequestPegOut(address indexed _evmAddress, bytes _bitcoinAddress, uint256 _value);
        event BurnForBitcoin(address indexed burner, uint256 amount, string btcAddress);
    }
}

/// Wei per satoshi (the sidechain's BTC has 18 decimals).
const WEI_PER_SAT: u64 = 10_000_000_000;

/// Which of the bridge's two burn events a log carries.
#[derive(Clone, Copy)]
enum BurnEventKind {
    RequestPegOut,
    BurnForBitcoin,
}

/// `sats × 10¹⁰ + remainder` wei.
fn wei_of(sats: u64, remainder_wei: u64) -> U256 {
    U256::from(sats) * U256::from(WEI_PER_SAT) + U256::from(remainder_wei)
}

/// One EVM log as `eth_getLogs` returns it: the event ABI-encoded by alloy, emitted by
/// `emitter` in transaction `tx` of EVM block `block`.
#[allow(clippy::too_many_arguments)]
fn burn_log(
    emitter: [u8; 20],
    kind: BurnEventKind,
    sender: [u8; 20],
    destination: &str,
    wei: U256,
    tx: [u8; 32],
    log_index: u64,
    block: u64,
) -> Log {
    let (data, signature) = match kind {
        BurnEventKind::RequestPegOut => (
            bridge_abi::RequestPegOut {
                _evmAddress: EvmAddress::from(sender),
                _bitcoinAddress: EvmBytes::from(destination.as_bytes().to_vec()),
                _value: wei,
            }
            .encode_log_data(),
            "RequestPegOut(address,bytes,uint256)",
        ),
        BurnEventKind::BurnForBitcoin => (
            bridge_abi::BurnForBitcoin {
                burner: EvmAddress::from(sender),
                amount: wei,
                btcAddress: destination.to_owned(),
            }
            .encode_log_data(),
            "BurnForBitcoin(address,uint256,string)",
        ),
    };
    let topics: Vec<[u8; 32]> = data.topics().iter().map(|t| t.0).collect();
    // The encoding itself, independently of alloy's event machinery: topic0 is the keccak of
    // the signature, topic1 the left-padded sender.
    let mut padded = [0u8; 32];
    padded[12..].copy_from_slice(&sender);
    assert_eq!(topics, vec![keccak256(signature).0, padded]);
    Log {
        address: emitter,
        topics,
        data: data.data.to_vec(),
        transaction_hash: tx,
        log_index,
        block_number: block,
        block_hash: Some(keccak256(block.to_be_bytes()).0),
        removed: false,
    }
}

fn btc_outpoint(o: &OutPoint) -> bitcoin::OutPoint {
    bitcoin::OutPoint {
        txid: bitcoin::Txid::from_byte_array(o.txid.to_byte_array()),
        vout: o.vout,
    }
}

/// Burns decoded from real bridge logs are paid by a 2-of-3 taproot federation in a regtest
/// chain run by Bitcoin Core's engine: every member checks the proposal, two sign, the
/// finalized payment passes pegkit's `check_witnesses` and Core's script interpreter and
/// connects in a block; the same payment signed by one member does not. The amounts are
/// asserted against values computed here, independently of the builder: each output pays its
/// burn's address (script from rust-bitcoin) its sats minus its fee share, the fee is the rate
/// times the vsize of the signed transaction as rust-bitcoin measures it, inputs are the
/// largest-first prefix of the UTXOs (no changeless subset exists, checked by brute force),
/// the change is Σ inputs − Σ burns to the federation. A tampered proposal is refused.
#[test]
fn pegout_end_to_end_2_of_3_connects_in_core() {
    let started = std::time::Instant::now();
    let (mut rng, _seed) = seeded("pegout_end_to_end_2_of_3_connects_in_core");
    /// sat per 1,000 vbytes.
    const RATE: u64 = 25_000;
    const P2PKH_DUST: u64 = 546;
    // A low minimum, so that a burn can pass it and still be dust once its fee share is taken.
    let policy = Policy {
        min_amount: 2_000,
        ..Policy::default()
    };

    // 1. The federation, funded with UTXOs of varied amounts in two regtest blocks (two of
    // them equal, in different transactions: the txid breaks the tie).
    let members = Members::random(&mut rng, 3);
    let fed = Federation::taproot(Network::Regtest, 2, &members.xonly(), None, None).unwrap();
    let spk = fed.script_pubkey().to_vec();
    let mut chain = Chain::new(2);
    assert_eq!(chain.rt.tip_height(), 102);
    let (mut coins, h1) = chain.fund(&[
        (spk.clone(), 200_000_000),
        (spk.clone(), 125_000_000),
        (spk.clone(), 4_000_000),
        (spk.clone(), 90_000_000),
    ]);
    assert_eq!((h1, chain.rt.tip_height()), (103, 103));
    let (more, h2) = chain.fund(&[
        (spk.clone(), 80_000_000),
        (spk.clone(), 200_000_000),
        (spk.clone(), 33_333_333),
        (spk.clone(), 60_000_000),
    ]);
    assert_eq!((h2, chain.rt.tip_height()), (104, 104));
    coins.extend(more);
    for (outpoint, out) in &coins {
        assert_eq!(
            chain.rt.output(&btc_outpoint(outpoint)),
            Some(to_btc_out(out)),
            "a federation coin in Core's chain"
        );
    }
    let coin_value = |o: &OutPoint| -> u64 {
        let (_, out) = coins.iter().find(|(c, _)| c == o).expect("a funded coin");
        u64::try_from(out.value).unwrap()
    };
    let mut utxos: Vec<Utxo> = coins
        .iter()
        .map(|(outpoint, out)| Utxo {
            outpoint: *outpoint,
            amount: u64::try_from(out.value).unwrap(),
        })
        .collect();
    rng.shuffle(&mut utxos);

    // 2. Destinations of every type the federation pays, built with rust-bitcoin (scripts
    // included), and one mainnet address.
    let secp = Secp256k1::new();
    let mut btc_key = || {
        let mut b = [0u8; 32];
        b[..8].copy_from_slice(&rng.next().to_le_bytes());
        b[31] = 1;
        bitcoin::secp256k1::PublicKey::from_secret_key(
            &secp,
            &BtcSecretKey::from_slice(&b).unwrap(),
        )
    };
    let (k1, k2, k3, k4, k5, k6) = (
        btc_key(),
        btc_key(),
        btc_key(),
        btc_key(),
        btc_key(),
        btc_key(),
    );
    let p2wpkh = bitcoin::Address::p2wpkh(&CompressedPublicKey(k1), bitcoin::Network::Regtest);
    let witness_script = ScriptBuf::from_bytes([&[0x21][..], &k2.serialize(), &[0xac]].concat());
    let p2wsh = bitcoin::Address::p2wsh(&witness_script, bitcoin::Network::Regtest);
    let p2tr = bitcoin::Address::p2tr(
        &secp,
        k3.x_only_public_key().0,
        None,
        bitcoin::Network::Regtest,
    );
    let p2pkh = bitcoin::Address::p2pkh(CompressedPublicKey(k4), bitcoin::Network::Regtest);
    let redeem = ScriptBuf::new_p2wpkh(&CompressedPublicKey(k5).wpubkey_hash());
    let p2sh = bitcoin::Address::p2sh(&redeem, bitcoin::Network::Regtest).unwrap();
    let mainnet = bitcoin::Address::p2wpkh(&CompressedPublicKey(k6), bitcoin::Network::Bitcoin);
    let p2pkh_small = bitcoin::Address::p2pkh(CompressedPublicKey(k6), bitcoin::Network::Regtest);
    for (address, prefix) in [
        (&p2wpkh, "bcrt1q"),
        (&p2wsh, "bcrt1q"),
        (&p2tr, "bcrt1p"),
        (&p2sh, "2"),
        (&mainnet, "bc1q"),
    ] {
        assert!(address.to_string().starts_with(prefix), "{address}");
    }
    for address in [&p2pkh, &p2pkh_small] {
        assert!(address.to_string().starts_with(['m', 'n']), "{address}");
    }

    // The bridge's logs: transactions A and B in EVM block 7001, C in block 7002 (C's hash is
    // the smallest: the block comes first in burn order). A also carries a log of another
    // contract between its burn events (it takes no event index).
    let tx_hash = |rng: &mut Rng, first: u8| -> [u8; 32] {
        let mut h: [u8; 32] = rng.bytes(32).try_into().unwrap();
        h[0] = first;
        h
    };
    let (tx_a, tx_b, tx_c) = (
        tx_hash(&mut rng, 0x10),
        tx_hash(&mut rng, 0x20),
        tx_hash(&mut rng, 0x05),
    );
    let sender = |rng: &mut Rng| -> [u8; 20] { rng.bytes(20).try_into().unwrap() };
    let (s1, s2, s3, s4) = (
        sender(&mut rng),
        sender(&mut rng),
        sender(&mut rng),
        sender(&mut rng),
    );
    let other_contract = [0xcc; 20];
    use BurnEventKind::{BurnForBitcoin as Bfb, RequestPegOut as Rpo};
    // (emitter, event, sender, destination, sats, remainder wei, tx, log index, block)
    type Spec = (
        [u8; 20],
        BurnEventKind,
        [u8; 20],
        String,
        u64,
        u64,
        [u8; 32],
        u64,
        u64,
    );
    #[rustfmt::skip]
    let specs: Vec<Spec> = vec![
        (DEFAULT_BRIDGE, Bfb, s1, p2wpkh.to_string(), 25_000_000, 123, tx_a, 3, 7001),
        (other_contract, Bfb, s1, p2tr.to_string(), 900_000_000, 0, tx_a, 4, 7001),
        (DEFAULT_BRIDGE, Rpo, s2, p2tr.to_string(), 150_000_000, 0, tx_a, 5, 7001),
        // One sat below the minimum, with the largest remainder: below it all the same.
        (DEFAULT_BRIDGE, Bfb, s2, p2pkh.to_string(), 1_999, WEI_PER_SAT - 1, tx_a, 6, 7001),
        (DEFAULT_BRIDGE, Rpo, s3, p2wsh.to_string(), 70_000_000, WEI_PER_SAT - 1, tx_b, 7, 7001),
        (DEFAULT_BRIDGE, Bfb, s4, p2sh.to_string(), 330_000_000, 0, tx_c, 0, 7002),
        // Above the minimum, but dust once its share of the fee is taken.
        (DEFAULT_BRIDGE, Rpo, s4, p2pkh_small.to_string(), 3_600, 5, tx_c, 1, 7002),
        (DEFAULT_BRIDGE, Bfb, s3, mainnet.to_string(), 50_000_000, 0, tx_c, 2, 7002),
    ];
    let mut logs: Vec<Log> = specs
        .iter()
        .map(|(emitter, kind, s, dest, sats, rem, tx, li, block)| {
            burn_log(
                *emitter,
                *kind,
                *s,
                dest,
                wei_of(*sats, *rem),
                *tx,
                *li,
                *block,
            )
        })
        .collect();
    rng.shuffle(&mut logs);
    let decoded = decode_logs(Network::Regtest, DEFAULT_BRIDGE, &logs, &policy);

    let id = |transaction_hash: [u8; 32], event_index: u32| BurnId {
        transaction_hash,
        event_index,
    };
    let burn = |i: usize, burn_id: BurnId, script: ScriptBuf| {
        let (_, _, s, dest, sats, rem, _, _, block) = &specs[i];
        Burn {
            id: burn_id,
            block_number: *block,
            evm_sender: *s,
            destination: dest.clone(),
            script_pubkey: script.to_bytes(),
            wei: wei_of(*sats, *rem),
            sats: *sats,
            remainder_wei: *rem,
        }
    };
    let expected_burns = vec![
        burn(0, id(tx_a, 0), p2wpkh.script_pubkey()),
        burn(2, id(tx_a, 1), p2tr.script_pubkey()),
        burn(4, id(tx_b, 0), p2wsh.script_pubkey()),
        burn(5, id(tx_c, 0), p2sh.script_pubkey()),
        burn(6, id(tx_c, 1), p2pkh_small.script_pubkey()),
    ];
    assert_eq!(
        decoded.burns, expected_burns,
        "the decoded burns, in burn order"
    );
    let codes = |rejected: &[Rejection]| -> Vec<(RejectedId, &'static str)> {
        let mut v: Vec<_> = rejected.iter().map(|r| (r.id, r.reason.code())).collect();
        v.sort();
        v
    };
    let mut expected_rejected = vec![
        (
            RejectedId::Log {
                transaction_hash: tx_a,
                log_index: 4,
            },
            "not_bridge",
        ),
        (RejectedId::Burn(id(tx_a, 2)), "amount_below_minimum"),
        (RejectedId::Burn(id(tx_c, 2)), "wrong_network"),
    ];
    expected_rejected.sort();
    assert_eq!(codes(&decoded.rejected), expected_rejected);
    for r in &decoded.rejected {
        match r.id {
            RejectedId::Burn(b) if b == id(tx_a, 2) => assert_eq!(
                r.reason,
                RejectReason::BelowMinimum {
                    sats: 1_999,
                    min: 2_000
                }
            ),
            RejectedId::Log { .. } => assert_eq!(
                r.reason,
                RejectReason::NotBridge {
                    address: other_contract
                }
            ),
            _ => assert!(
                matches!(&r.reason, RejectReason::InvalidDestination { destination, .. }
                    if *destination == mainnet.to_string())
            ),
        }
    }

    // 3. The proposal, and every member's check of it (each with the UTXOs and burns in its own
    // order).
    let payment = build_payment(&fed, &utxos, &decoded.burns, RATE, &policy).unwrap();
    let paid_burns = &expected_burns[..4];
    let dust_burn = &expected_burns[4];
    assert_eq!(
        payment.paid,
        paid_burns.iter().map(|b| b.id).collect::<Vec<_>>()
    );
    assert_eq!(payment.rejected.len(), 1, "{:?}", payment.rejected);
    assert_eq!(payment.rejected[0].id, RejectedId::Burn(dust_burn.id));
    assert_eq!(payment.rejected[0].reason.code(), "dust_after_fee");
    for member in 0..3 {
        let mut their_utxos = utxos.clone();
        rng.shuffle(&mut their_utxos);
        let mut their_burns = decoded.burns.clone();
        rng.shuffle(&mut their_burns);
        let request = ProposalRequest {
            federation: &fed,
            utxos: &their_utxos,
            reserved: &[],
            burns: &their_burns,
            processed: &[],
            fee_rate_sat_kvb: RATE,
            policy: &policy,
        };
        assert_eq!(
            check_proposal(&request, &payment.tx, &payment.prevouts),
            Ok(CheckedProposal {
                fee: payment.fee,
                rate_fee: payment.rate_fee,
                paid: payment.paid.clone(),
            }),
            "member {member} accepts the proposal"
        );
    }

    // Two members sign; the third does not.
    let mut order = [0usize, 1, 2];
    rng.shuffle(&mut order);
    let [a, b, third] = order;
    let request = ProposalRequest {
        federation: &fed,
        utxos: &utxos,
        reserved: &[],
        burns: &decoded.burns,
        processed: &[],
        fee_rate_sat_kvb: RATE,
        policy: &policy,
    };

    // 5a. The third member refuses tampered proposals: one peg-out raised by 1 sat, the change
    // lowered to keep the sum; and the change alone lowered by 1 sat (1 sat more to miners).
    let m = paid_burns.len();
    let shares: Vec<u64> = fee_shares(payment.rate_fee, m).collect();
    let change_index = payment.tx.outputs.len() - 1;
    let j = rng.below(m);
    let mut raised = payment.tx.clone();
    raised.outputs[j].value += 1;
    raised.outputs[change_index].value -= 1;
    let expected_payout = paid_burns[j].sats - shares[j];
    assert_eq!(
        check_proposal(&request, &raised, &payment.prevouts),
        Err(ProposalError::WrongPayout {
            output: j,
            id: paid_burns[j].id,
            expected: expected_payout,
            got: expected_payout + 1,
        }),
        "member {third} refuses output {j} raised by 1 sat"
    );
    assert_eq!(
        check_proposal(&request, &raised, &payment.prevouts)
            .unwrap_err()
            .code(),
        "wrong_payout"
    );
    let mut lowered = payment.tx.clone();
    lowered.outputs[change_index].value -= 1;
    let change = payment.change().unwrap();
    let err = check_proposal(&request, &lowered, &payment.prevouts).unwrap_err();
    assert_eq!(
        err,
        ProposalError::WrongChange {
            expected: change,
            got: change - 1,
        }
    );
    assert_eq!(err.code(), "wrong_change");

    // 5b. One member's signatures (k − 1): the collector will not finalize, and the same
    // signatures put in a witness by hand make a payment Core refuses in a block.
    let tx = &payment.tx;
    let prevouts = &payment.prevouts;
    let leaf = fed.leaf(LeafRole::Main).unwrap();
    let alone = sign_inputs(
        &fed,
        tx,
        prevouts,
        LeafRole::Main,
        &members.secrets[a],
        |i| [i as u8; 32],
    )
    .unwrap();
    let mut collector = SignatureCollector::new(&fed, tx, prevouts, LeafRole::Main).unwrap();
    assert_eq!(collector.add(&alone), Ok(Added::New));
    let refused = collector.finalize().unwrap_err();
    assert_eq!(refused.code(), "threshold_not_met", "{refused}");
    let slot = 2 - leaf.position(&alone.public_key).unwrap();
    let mut one_signed = tx.clone();
    for (txin, sig) in one_signed.inputs.iter_mut().zip(&alone.signatures) {
        let mut items = vec![Vec::new(); 3];
        items[slot] = sig.clone();
        items.push(leaf.script().to_vec());
        items.push(leaf.control_block().to_vec());
        txin.witness = Witness(items);
    }
    let tip = chain.rt.tip_height();
    judge(
        "peg-out payment signed by 1 member of 2-of-3",
        &fed,
        &one_signed,
        prevouts,
        Some(&mut chain),
        Expect::Refuse {
            inputs: (0..tx.inputs.len()).collect(),
            code: "wrong_signature_count",
            core: EVAL_FALSE,
        },
    );
    assert_eq!(chain.rt.tip_height(), tip, "the tip did not move");

    // 3 (continued). Two members sign, the collector finalizes, and pegkit's check, Core's
    // interpreter on every input and Core's block all accept.
    let signers = [&members.secrets[a], &members.secrets[b]];
    let (signed, _) = collect(&mut rng, &fed, tx, prevouts, LeafRole::Main, &signers);
    assert_eq!(check_witnesses(&fed, &signed, prevouts), Ok(()));
    assert_eq!(
        signed.txid(),
        tx.txid(),
        "signing changes only the witnesses"
    );
    judge(
        &format!(
            "peg-out payment of {m} burns from {} utxos, signed by 2 of 3",
            tx.inputs.len()
        ),
        &fed,
        &signed,
        prevouts,
        Some(&mut chain),
        Expect::Accept,
    );
    assert_eq!(
        chain.rt.tip_height(),
        tip + 1,
        "the payment's block connected"
    );
    let block = chain.rt.block_at(tip + 1).expect("the tip block");
    let btc = to_btc(&signed);
    assert_eq!(block.txdata[1], btc, "Core's tip holds the signed payment");
    for (vout, out) in signed.outputs.iter().enumerate() {
        let outpoint = OutPoint {
            txid: signed.txid(),
            vout: vout as u32,
        };
        assert_eq!(
            chain.rt.output(&btc_outpoint(&outpoint)),
            Some(to_btc_out(out))
        );
    }

    // 4. The economics, computed here.
    // Inputs: known federation coins (their outputs as the proposal says), in the UTXO order
    // (amount descending, txid as displayed ascending, vout ascending), the largest-first
    // prefix reaching the burns' total, since no subset of the UTXOs lands in the changeless
    // window.
    let total_burns: u64 = paid_burns.iter().map(|b| b.sats).sum();
    let witness_weight = btc.input[0].witness.size() as u64;
    assert!(
        btc.input
            .iter()
            .all(|i| i.witness.size() as u64 == witness_weight)
    );
    assert_eq!(witness_weight, fed.satisfaction_weight());
    let cost_of_change = (RATE * (43 + 41 + witness_weight.div_ceil(4))).div_ceil(1000);
    let mut sorted = utxos.clone();
    sorted.sort_by_key(|u| {
        (
            std::cmp::Reverse(u.amount),
            btc_outpoint(&u.outpoint).txid.to_string(),
            u.outpoint.vout,
        )
    });
    for target in [total_burns, total_burns + dust_burn.sats] {
        for set in 0u32..1 << sorted.len() {
            let sum: u64 = (0..sorted.len())
                .filter(|i| (set >> i) & 1 == 1)
                .map(|i| sorted[i].amount)
                .sum();
            assert!(
                !(target..=target + cost_of_change).contains(&sum),
                "a changeless set exists for {target}: the case no longer covers change"
            );
        }
    }
    let prefix = sorted
        .iter()
        .scan(0u64, |sum, u| {
            let before = *sum;
            *sum += u.amount;
            (before < total_burns).then_some(u.outpoint)
        })
        .collect::<Vec<_>>();
    let inputs: Vec<OutPoint> = signed.inputs.iter().map(|i| i.previous_output).collect();
    assert_eq!(inputs, prefix, "the largest-first inputs, in UTXO order");
    assert_eq!(inputs.len(), 4);
    assert_eq!(
        sorted[0].amount, sorted[1].amount,
        "the two equal UTXOs are spent"
    );
    for (i, input) in signed.inputs.iter().enumerate() {
        assert_eq!(input.sequence, 0xffff_fffd);
        assert_eq!(
            prevouts[i],
            coins.iter().find(|(o, _)| *o == inputs[i]).unwrap().1
        );
    }
    assert_eq!((signed.version, signed.lock_time), (2, 0));
    let total_in: u64 = inputs.iter().map(coin_value).sum();

    // The fee: the rate times the signed transaction's vsize as rust-bitcoin measures it, split
    // floor(fee / m) with the remainder on the first outputs.
    let vsize = btc.vsize() as u64;
    assert_eq!(payment.rate_fee, (RATE * vsize).div_ceil(1000));
    let (base, extra) = (payment.rate_fee / m as u64, payment.rate_fee % m as u64);
    let split: Vec<u64> = (0..m as u64).map(|i| base + u64::from(i < extra)).collect();
    assert_eq!(shares, split);
    assert_eq!(shares.iter().sum::<u64>(), payment.rate_fee);

    // Outputs: each burn's address its sats minus its share, in burn order, then the change.
    assert_eq!(signed.outputs.len(), m + 1);
    for (i, (burn, share)) in paid_burns.iter().zip(&shares).enumerate() {
        let out = &signed.outputs[i];
        assert_eq!(out.script_pubkey, burn.script_pubkey, "output {i}'s script");
        assert_eq!(
            u64::try_from(out.value).unwrap(),
            burn.sats - share,
            "output {i}"
        );
    }
    let expected_scripts = [
        p2wpkh.script_pubkey(),
        p2tr.script_pubkey(),
        p2wsh.script_pubkey(),
        p2sh.script_pubkey(),
    ];
    for (out, script) in btc.output.iter().zip(&expected_scripts) {
        assert_eq!(&out.script_pubkey, script);
    }
    let change_out = &signed.outputs[m];
    assert_eq!(
        change_out.script_pubkey, spk,
        "the change goes to the federation"
    );
    assert_eq!(
        u64::try_from(change_out.value).unwrap(),
        total_in - total_burns
    );
    assert_eq!(payment.change(), Some(total_in - total_burns));
    let total_out: u64 = signed
        .outputs
        .iter()
        .map(|o| u64::try_from(o.value).unwrap())
        .sum();
    assert_eq!(
        total_in,
        total_out + payment.fee,
        "Σ inputs = Σ outputs + fee"
    );
    assert_eq!(
        payment.fee, payment.rate_fee,
        "with change, miners get the rate's fee"
    );
    assert!(payment.fee <= policy.max_fee);

    // The dust burn: with it the transaction had one more P2PKH output (34 vbytes), and its share
    // of that larger fee left it below 546 sat.
    let first_fee = (RATE * (vsize + 34)).div_ceil(1000);
    let its_share = fee_shares(first_fee, m + 1).nth(m).unwrap();
    assert!(
        (1..P2PKH_DUST).contains(&dust_burn.sats.saturating_sub(its_share)),
        "the case covers a positive amount below dust ({} − {its_share})",
        dust_burn.sats
    );
    assert_eq!(
        payment.rejected[0].reason,
        RejectReason::DustAfterFee {
            amount: dust_burn.sats - its_share,
            dust: P2PKH_DUST,
        }
    );
    println!(
        "peg-out: {m} burns paid ({} sat), {} inputs ({total_in} sat), fee {} sat at {RATE} \
         sat/kvB over {vsize} vB, change {}; rejected: {:?} at decode, {:?} at build; {:.1?}",
        total_burns,
        inputs.len(),
        payment.fee,
        total_in - total_burns,
        codes(&decoded.rejected)
            .iter()
            .map(|(_, c)| *c)
            .collect::<Vec<_>>(),
        codes(&payment.rejected)
            .iter()
            .map(|(_, c)| *c)
            .collect::<Vec<_>>(),
        started.elapsed()
    );
}
