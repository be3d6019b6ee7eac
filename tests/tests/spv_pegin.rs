//! Peg-in verification: a transaction paying the federation, proven by Core's `gettxoutproof`
//! bytes against a header chain, under the caller's policy. Synthetic chains are mined with
//! regtest's proof-of-work limit and retargeting switched on (as in `spv_chain.rs`); each refused
//! case breaks exactly one rule. The real case uses block 830000 and the mainnet headers
//! 822528..=830592.

use pegkit_core::chain::{Anchor, HeaderChain, verify_header_list};
use pegkit_core::header::CompactTarget;
use pegkit_core::merkle::{MerkleBlock, PartialMerkleTree, merkle_root};
use pegkit_core::params::{Network, Params};
use pegkit_core::pegin::{
    MAX_MONEY, OpReturn, PegInError, PegInPolicy, VerifiedPegIn, parse_destination, verify_peg_in,
};
use pegkit_core::tx::{OutPoint, Transaction, TxIn, TxOut, Witness};
use pegkit_core::{Block, BlockHash, Decode, Encode, ErrorCode, Header, Txid};
use pegkit_tests::{WINDOW_START, mine};

const LIMIT_BITS: CompactTarget = CompactTarget(0x207f_ffff);

/// Regtest's proof-of-work limit and genesis, retargeting every 1000 blocks (none happens here).
fn custom() -> Params {
    let mut p = Network::Regtest.params();
    p.no_retargeting = false;
    p.allow_min_difficulty_blocks = false;
    p.pow_target_timespan = 600 * 1000;
    p
}

/// The federation's script: a P2TR scriptPubKey (`OP_1 <32 bytes>`).
fn fed() -> Vec<u8> {
    let mut s = vec![0x51, 0x20];
    s.extend_from_slice(&[0xfe; 32]);
    s
}

/// Another federation key (a federation may list several scripts).
fn fed2() -> Vec<u8> {
    let mut s = vec![0x00, 0x20];
    s.extend_from_slice(&[0xfd; 32]);
    s
}

fn p2wpkh(b: u8) -> Vec<u8> {
    let mut s = vec![0x00, 0x14];
    s.extend_from_slice(&[b; 20]);
    s
}

/// EIP-55's example address.
const DEST_HEX: &str = "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";
const DEST_CHECKSUMMED: &str = "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";

fn dest() -> [u8; 20] {
    pegkit_core::hex::decode_array(DEST_HEX).unwrap()
}

/// `OP_RETURN` and one direct push of `payload`.
fn op_return(payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() < 0x4c);
    let mut s = vec![0x6a, payload.len() as u8];
    s.extend_from_slice(payload);
    s
}

/// `OP_RETURN OP_PUSHDATA1 <len> payload`.
fn op_return_pushdata1(payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0x6a, 0x4c, payload.len() as u8];
    s.extend_from_slice(payload);
    s
}

fn out(value: i64, script: Vec<u8>) -> TxOut {
    TxOut {
        value,
        script_pubkey: script,
    }
}

fn coinbase(height: u8) -> Transaction {
    Transaction {
        version: 2,
        inputs: vec![TxIn {
            previous_output: OutPoint {
                txid: Txid::from_byte_array([0; 32]),
                vout: u32::MAX,
            },
            script_sig: vec![0x01, height, 0x00],
            sequence: u32::MAX,
            witness: Witness::default(),
        }],
        outputs: vec![out(50 * 100_000_000, vec![0x51])],
        lock_time: 0,
    }
}

/// A segwit transaction (its txid is the hash without the witness) with these outputs.
fn pegin_tx(outputs: Vec<TxOut>) -> Transaction {
    Transaction {
        version: 2,
        inputs: vec![TxIn {
            previous_output: OutPoint {
                txid: Txid::from_byte_array([0x11; 32]),
                vout: 3,
            },
            script_sig: vec![],
            sequence: 0xffff_fffd,
            witness: Witness(vec![vec![0x30; 71], vec![0x02; 33]]),
        }],
        outputs,
        lock_time: 0,
    }
}

fn other_tx() -> Transaction {
    pegin_tx(vec![out(12_345, p2wpkh(9))])
}

/// The standard valid peg-in: two outputs to the federation, change, and a 20-byte destination.
fn valid_outputs() -> Vec<TxOut> {
    vec![
        out(30_000, fed()),
        out(5_000_000, p2wpkh(1)),
        out(70_000, fed()),
        out(0, op_return(&dest())),
    ]
}

/// A mined chain: genesis, 3 headers, block B (height 4) committing to [coinbase, `tx`,
/// other], then `on_top` headers. The proof matches `tx` (position 1).
struct Setup {
    chain: HeaderChain,
    block: Header,
    txs: Vec<Transaction>,
    proof: MerkleBlock,
}

impl Setup {
    fn new(tx: &Transaction, on_top: usize) -> Self {
        let p = custom();
        let mut chain = HeaderChain::new(p.clone(), Anchor::genesis(&p)).unwrap();
        let base = mine::extend(&p.genesis, 3, 600, LIMIT_BITS);
        chain.add_headers(&base, None).unwrap();
        let txs = vec![coinbase(4), tx.clone(), other_tx()];
        let block = block_on(base.last().unwrap(), &txs);
        chain.add_header(&block, None).unwrap();
        chain
            .add_headers(&mine::extend(&block, on_top, 600, LIMIT_BITS), None)
            .unwrap();
        let proof = Self::proof_for(&block, &txs, &[false, true, false]);
        Self {
            chain,
            block,
            txs,
            proof,
        }
    }

    fn proof_for(block: &Header, txs: &[Transaction], matched: &[bool]) -> MerkleBlock {
        let txids: Vec<Txid> = txs.iter().map(Transaction::txid).collect();
        MerkleBlock::build(*block, &txids, matched).unwrap()
    }

    fn verify(&self, tx: &Transaction, policy: &PegInPolicy) -> Result<VerifiedPegIn, PegInError> {
        verify_peg_in(&self.chain, tx, &self.proof, &[fed()], policy, None)
    }

    fn code(&self, tx: &Transaction, policy: &PegInPolicy) -> &'static str {
        self.verify(tx, policy).unwrap_err().code()
    }
}

fn block_on(parent: &Header, txs: &[Transaction]) -> Header {
    let txids: Vec<Txid> = txs.iter().map(Transaction::txid).collect();
    let root = merkle_root(&txids).unwrap();
    assert!(!root.mutated);
    mine::child_with_root(parent, parent.time + 600, LIMIT_BITS, root.root)
}

/// A valid peg-in with these outputs: only the outputs change, in a chain of its own.
fn verify_outputs(outputs: Vec<TxOut>) -> Result<VerifiedPegIn, PegInError> {
    let tx = pegin_tx(outputs);
    Setup::new(&tx, 6).verify(&tx, &PegInPolicy::default())
}

fn code_for_outputs(outputs: Vec<TxOut>) -> &'static str {
    verify_outputs(outputs).unwrap_err().code()
}

// ---------------------------------------------------------------------------------------------
// Accepted.

#[test]
fn a_valid_peg_in_with_every_field_checked() {
    let tx = pegin_tx(valid_outputs());
    assert!(tx.has_witness());
    let s = Setup::new(&tx, 6);
    assert_eq!(s.chain.tip().height, 10);
    let v = s.verify(&tx, &PegInPolicy::default()).unwrap();
    assert_eq!(
        v,
        VerifiedPegIn {
            txid: tx.txid(),
            block_hash: s.block.block_hash(),
            height: 4,
            confirmations: 7,
            outputs: vec![(0, 30_000), (2, 70_000)],
            total: 100_000,
            credited: 99_000,
            destination: Some(dest()),
            weak_spv: false,
        }
    );
    // The txid is the hash without witness (the wtxid differs).
    assert_ne!(tx.txid().to_byte_array(), tx.wtxid().to_byte_array());
    assert_eq!(v.block_hash, s.chain.hash_at(4).unwrap());
    assert_eq!(s.chain.confirmations(&v.block_hash), Some(7));
    // The proof travels as Core's bytes.
    let again = MerkleBlock::decode(&s.proof.to_bytes()).unwrap();
    assert_eq!(
        verify_peg_in(
            &s.chain,
            &tx,
            &again,
            &[fed()],
            &PegInPolicy::default(),
            None
        ),
        Ok(v.clone())
    );
    // Several federation scripts: outputs to any of them count, in output order.
    let tx2 = pegin_tx(vec![
        out(20_000, fed2()),
        out(30_000, fed()),
        out(0, op_return(&dest())),
    ]);
    let s2 = Setup::new(&tx2, 6);
    let v2 = verify_peg_in(
        &s2.chain,
        &tx2,
        &s2.proof,
        &[fed(), fed2()],
        &PegInPolicy::default(),
        None,
    )
    .unwrap();
    assert_eq!(v2.outputs, [(0, 20_000), (1, 30_000)]);
    assert_eq!((v2.total, v2.credited), (50_000, 49_000));
    // No OP_RETURN: no destination.
    let v3 = verify_outputs(vec![out(10_000, fed())]).unwrap();
    assert_eq!(v3.destination, None);
    assert_eq!((v3.total, v3.credited), (10_000, 9_000));
}

#[test]
fn destination_forms() {
    let want = Some(OpReturn::Destination(dest()));
    let string = |hex: &str| format!("0x{hex}").into_bytes();
    let forms = [
        op_return(&dest()),
        op_return(&string(DEST_HEX)),
        op_return(&string(&DEST_HEX.to_uppercase())),
        op_return(&string(DEST_CHECKSUMMED)),
        op_return_pushdata1(&dest()),
        op_return_pushdata1(&string(DEST_HEX)),
    ];
    for script in &forms {
        assert_eq!(parse_destination(script), want, "{script:02x?}");
        let v = verify_outputs(vec![out(50_000, fed()), out(0, script.clone())]).unwrap();
        assert_eq!(v.destination, Some(dest()));
        assert_eq!(v.outputs, [(0, 50_000)]);
    }
    assert_eq!(string(DEST_HEX).len(), 42);
    // Not an OP_RETURN: no opinion.
    assert_eq!(parse_destination(&fed()), None);
    assert_eq!(parse_destination(&[]), None);
}

#[test]
fn enough_confirmations_at_the_boundary() {
    let tx = pegin_tx(valid_outputs());
    let s = Setup::new(&tx, 5);
    let v = s.verify(&tx, &PegInPolicy::default()).unwrap();
    assert_eq!(v.confirmations, 6);
    // A policy asking for one more.
    let strict = PegInPolicy {
        min_confirmations: 7,
        ..PegInPolicy::default()
    };
    assert_eq!(
        s.verify(&tx, &strict).unwrap_err(),
        PegInError::InsufficientConfirmations { have: 6, need: 7 }
    );
    assert_eq!(s.code(&tx, &strict), "insufficient_confirmations");
}

#[test]
fn amounts_at_the_policy_boundaries() {
    let p = PegInPolicy::default();
    assert_eq!(
        (p.min_confirmations, p.min_amount, p.max_amount, p.fee),
        (6, 10_000, 10_000_000_000, 1_000)
    );
    // Exactly the minimum and exactly the maximum (the sum of two outputs).
    let v = verify_outputs(vec![out(4_000, fed()), out(6_000, fed())]).unwrap();
    assert_eq!((v.total, v.credited), (10_000, 9_000));
    let v = verify_outputs(vec![out(9_000_000_000, fed()), out(1_000_000_000, fed())]).unwrap();
    assert_eq!((v.total, v.credited), (10_000_000_000, 9_999_999_000));
    // Total exactly the fee: credited 0, accepted.
    let tx = pegin_tx(vec![out(1_000, fed())]);
    let s = Setup::new(&tx, 6);
    let low_min = PegInPolicy {
        min_amount: 500,
        ..PegInPolicy::default()
    };
    let v = s.verify(&tx, &low_min).unwrap();
    assert_eq!((v.total, v.credited), (1_000, 0));
    // MAX_MONEY in one output, with a policy that allows it.
    let tx = pegin_tx(vec![out(MAX_MONEY as i64, fed())]);
    let s = Setup::new(&tx, 6);
    let open = PegInPolicy {
        max_amount: u64::MAX,
        ..PegInPolicy::default()
    };
    assert_eq!(s.verify(&tx, &open).unwrap().total, MAX_MONEY);
}

// ---------------------------------------------------------------------------------------------
// Refused: one broken rule each.

#[test]
fn too_few_confirmations() {
    let tx = pegin_tx(valid_outputs());
    let s = Setup::new(&tx, 4);
    assert_eq!(
        s.verify(&tx, &PegInPolicy::default()).unwrap_err(),
        PegInError::InsufficientConfirmations { have: 5, need: 6 }
    );
    assert_eq!(
        s.code(&tx, &PegInPolicy::default()),
        "insufficient_confirmations"
    );
}

#[test]
fn block_on_a_fork_then_on_the_best_chain_after_a_reorg() {
    let p = custom();
    let mut chain = HeaderChain::new(p.clone(), Anchor::genesis(&p)).unwrap();
    let base = mine::extend(&p.genesis, 3, 600, LIMIT_BITS);
    chain.add_headers(&base, None).unwrap();
    // The best chain: 8 headers on the fork point (heights 4..=11).
    let main = mine::extend(base.last().unwrap(), 8, 600, LIMIT_BITS);
    chain.add_headers(&main, None).unwrap();
    // The fork: B at height 4 and 6 headers on it (heights 5..=10): less work.
    let tx = pegin_tx(valid_outputs());
    let txs = vec![coinbase(4), tx.clone(), other_tx()];
    let b = block_on(base.last().unwrap(), &txs);
    let fork_top = mine::extend(&b, 6, 601, LIMIT_BITS);
    chain.add_header(&b, None).unwrap();
    chain.add_headers(&fork_top, None).unwrap();
    assert_eq!(chain.tip().hash, main.last().unwrap().block_hash());
    assert!(!chain.get(&b.block_hash()).unwrap().in_best_chain);
    let proof = Setup::proof_for(&b, &txs, &[false, true, false]);
    let policy = PegInPolicy::default();
    let err = verify_peg_in(&chain, &tx, &proof, &[fed()], &policy, None).unwrap_err();
    assert_eq!(
        err,
        PegInError::BlockNotInChain {
            block_hash: b.block_hash()
        }
    );
    assert_eq!(err.code(), "block_not_in_chain");
    // The fork grows past the main chain: the same proof now verifies, on the new best chain.
    let more = mine::extend(fork_top.last().unwrap(), 2, 601, LIMIT_BITS);
    let summary = chain.add_headers(&more, None).unwrap();
    assert!(summary.reorg.is_some());
    let v = verify_peg_in(&chain, &tx, &proof, &[fed()], &policy, None).unwrap();
    assert_eq!((v.height, v.confirmations), (4, 9));
}

#[test]
fn block_not_in_the_chain_at_all() {
    let tx = pegin_tx(valid_outputs());
    let s = Setup::new(&tx, 6);
    // The same transactions in a block mined on the tip's parent but never added.
    let parent = *s.chain.header_at(9).unwrap();
    let unknown = block_on(&parent, &s.txs);
    let proof = Setup::proof_for(&unknown, &s.txs, &[false, true, false]);
    let err = verify_peg_in(
        &s.chain,
        &tx,
        &proof,
        &[fed()],
        &PegInPolicy::default(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        err,
        PegInError::BlockNotInChain {
            block_hash: unknown.block_hash()
        }
    );
    assert_eq!(err.code(), "block_not_in_chain");
}

#[test]
fn no_output_to_the_federation() {
    let tx = pegin_tx(valid_outputs());
    let s = Setup::new(&tx, 6);
    let err = verify_peg_in(
        &s.chain,
        &tx,
        &s.proof,
        &[fed2()],
        &PegInPolicy::default(),
        None,
    )
    .unwrap_err();
    assert_eq!(err, PegInError::NoFederationOutput);
    assert_eq!(err.code(), "no_federation_output");
    // A script that merely contains the federation's script is not it.
    let mut longer = fed();
    longer.push(0x75);
    assert_eq!(
        code_for_outputs(vec![out(50_000, longer), out(0, op_return(&dest()))]),
        "no_federation_output"
    );
    // Nor is the same 32 bytes under another witness version.
    let mut v0 = fed();
    v0[0] = 0x00;
    assert_eq!(
        code_for_outputs(vec![out(50_000, v0)]),
        "no_federation_output"
    );
}

#[test]
fn amount_below_minimum_above_maximum_and_below_fee() {
    assert_eq!(
        verify_outputs(vec![out(4_000, fed()), out(5_999, fed())]).unwrap_err(),
        PegInError::BelowMinimum {
            total: 9_999,
            min: 10_000
        }
    );
    assert_eq!(
        code_for_outputs(vec![out(9_999, fed())]),
        "amount_below_minimum"
    );
    assert_eq!(
        verify_outputs(vec![out(9_000_000_000, fed()), out(1_000_000_001, fed())]).unwrap_err(),
        PegInError::AboveMaximum {
            total: 10_000_000_001,
            max: 10_000_000_000
        }
    );
    assert_eq!(
        code_for_outputs(vec![out(10_000_000_001, fed())]),
        "amount_above_maximum"
    );
    // A policy whose minimum is below its fee: a total between them does not cover the fee.
    let tx = pegin_tx(vec![out(999, fed())]);
    let s = Setup::new(&tx, 6);
    let policy = PegInPolicy {
        min_amount: 500,
        ..PegInPolicy::default()
    };
    assert_eq!(
        s.verify(&tx, &policy).unwrap_err(),
        PegInError::BelowFee {
            total: 999,
            fee: 1_000
        }
    );
    assert_eq!(s.code(&tx, &policy), "amount_below_fee");
}

#[test]
fn malformed_destinations() {
    let string = |hex: &str| format!("0x{hex}").into_bytes();
    let mut y = string(DEST_HEX);
    y[1] = b'y';
    let mut non_hex = string(DEST_HEX);
    non_hex[41] = b'g';
    let mut two_pushes = op_return(&dest());
    two_pushes.push(0x14);
    two_pushes.extend_from_slice(&dest());
    let mut trailing_opcode = op_return(&dest());
    trailing_opcode.push(0x75);
    let mut short_push = op_return(&dest());
    short_push.pop();
    let mut short_pushdata1 = op_return_pushdata1(&dest());
    short_pushdata1.pop();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("19 bytes", op_return(&dest()[..19])),
        ("21 bytes", op_return(&[dest().as_slice(), &[0]].concat())),
        ("0x + 39 hex", op_return(&string(&DEST_HEX[..39]))),
        ("0x + 41 hex", op_return(&string(&format!("{DEST_HEX}0")))),
        ("0y + 40 hex", op_return(&y)),
        ("non-hex digit", op_return(&non_hex)),
        (
            "0x + 40 hex with a space",
            op_return(&[b"0x ".as_slice(), &DEST_HEX.as_bytes()[..39]].concat()),
        ),
        ("two pushes", two_pushes),
        ("a push then an opcode", trailing_opcode),
        ("empty", vec![0x6a]),
        ("OP_0", vec![0x6a, 0x00]),
        ("push shorter than its length", short_push),
        ("OP_PUSHDATA1 shorter than its length", short_pushdata1),
        (
            "OP_PUSHDATA1 of 19 bytes",
            op_return_pushdata1(&dest()[..19]),
        ),
        ("OP_PUSHDATA2", [&[0x6a, 0x4d, 20, 0][..], &dest()].concat()),
        ("OP_1", vec![0x6a, 0x51]),
    ];
    for (what, script) in cases {
        assert_eq!(
            parse_destination(&script),
            Some(OpReturn::Malformed),
            "{what}"
        );
        // In a transaction that is otherwise valid, the OP_RETURN at vout 1.
        let err = verify_outputs(vec![out(50_000, fed()), out(0, script)]).unwrap_err();
        assert_eq!(err, PegInError::InvalidDestination { vout: 1 }, "{what}");
        assert_eq!(err.code(), "invalid_destination");
    }
}

#[test]
fn two_op_return_outputs_are_ambiguous() {
    let err = verify_outputs(vec![
        out(0, op_return(&dest())),
        out(50_000, fed()),
        out(0, op_return(&[0x22; 20])),
    ])
    .unwrap_err();
    assert_eq!(err, PegInError::AmbiguousDestination);
    assert_eq!(err.code(), "ambiguous_destination");
    // Even the same destination twice.
    assert_eq!(
        code_for_outputs(vec![
            out(50_000, fed()),
            out(0, op_return(&dest())),
            out(0, op_return(&dest())),
        ]),
        "ambiguous_destination"
    );
}

#[test]
fn impossible_amounts() {
    // A negative output (to the federation, or anywhere).
    assert_eq!(
        verify_outputs(vec![out(50_000, fed()), out(-1, fed())]).unwrap_err(),
        PegInError::InvalidAmount { vout: 1 }
    );
    assert_eq!(
        code_for_outputs(vec![out(50_000, fed()), out(-1, p2wpkh(1))]),
        "invalid_amount"
    );
    // Above 21 million BTC in one output.
    assert_eq!(
        verify_outputs(vec![out(MAX_MONEY as i64 + 1, fed())]).unwrap_err(),
        PegInError::InvalidAmount { vout: 0 }
    );
    // Each output possible, their sum not.
    assert_eq!(
        verify_outputs(vec![out(MAX_MONEY as i64, fed()), out(1, fed()),]).unwrap_err(),
        PegInError::InvalidAmount { vout: 1 }
    );
    assert_eq!(
        code_for_outputs(vec![out(i64::MIN, fed())]),
        "invalid_amount"
    );
}

#[test]
fn transaction_not_in_the_proof() {
    let tx = pegin_tx(valid_outputs());
    let s = Setup::new(&tx, 6);
    // A valid proof of the same block, matching the other transaction only.
    let other = Setup::proof_for(&s.block, &s.txs, &[false, false, true]);
    let err = verify_peg_in(
        &s.chain,
        &tx,
        &other,
        &[fed()],
        &PegInPolicy::default(),
        None,
    )
    .unwrap_err();
    assert_eq!(err, PegInError::TxNotInProof { txid: tx.txid() });
    assert_eq!(err.code(), "tx_not_in_proof");
    // A transaction that is not in the block at all, with a valid proof of the block.
    let stranger = pegin_tx(vec![out(50_001, fed())]);
    assert_eq!(
        s.code(&stranger, &PegInPolicy::default()),
        "tx_not_in_proof"
    );
}

#[test]
fn proof_root_differs_from_the_header_root() {
    let tx = pegin_tx(valid_outputs());
    let s = Setup::new(&tx, 6);
    // A tree over [coinbase, tx, another transaction], under B's header.
    let txids: Vec<Txid> = [coinbase(4), tx.clone(), pegin_tx(vec![out(1, p2wpkh(7))])]
        .iter()
        .map(Transaction::txid)
        .collect();
    let tree = PartialMerkleTree::build(&txids, &[false, true, false]).unwrap();
    let proof = MerkleBlock {
        header: s.block,
        tree,
    };
    let err = verify_peg_in(
        &s.chain,
        &tx,
        &proof,
        &[fed()],
        &PegInPolicy::default(),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, PegInError::Proof(_)));
    assert_eq!(err.code(), "merkle_root_mismatch");
    // Damaged proof bytes are refused with the decoder's code (the caller decodes first).
    let bytes = s.proof.to_bytes();
    let e = MerkleBlock::decode(&bytes[..bytes.len() - 1]).unwrap_err();
    assert_eq!(PegInError::ProofDecode(e).code(), "truncated");
}

/// version 4 + 1 input (36 + empty scriptSig 1 + 4) + count bytes 2 + 1 output (8 + 1 + 4)
/// + lock time 4 = 64 bytes without witness.
fn tx_64_bytes() -> Transaction {
    Transaction {
        version: 2,
        inputs: vec![TxIn {
            previous_output: OutPoint {
                txid: Txid::from_byte_array([0x64; 32]),
                vout: 0,
            },
            script_sig: vec![],
            sequence: u32::MAX,
            witness: Witness(vec![vec![0x01; 64]]),
        }],
        outputs: vec![out(50_000, vec![0x51, 0x51, 0x93, 0x87])],
        lock_time: 0,
    }
}

#[test]
fn a_64_byte_transaction_is_refused() {
    let tx = tx_64_bytes();
    assert_eq!(tx.base_size(), 64);
    assert!(tx.total_size() > 64, "its witness does not count");
    let s = Setup::new(&tx, 6);
    // Everything else holds: in the proof, on the chain, paying the federation's script.
    let fed64 = vec![tx.outputs[0].script_pubkey.clone()];
    let policy = PegInPolicy::default();
    let err = verify_peg_in(&s.chain, &tx, &s.proof, &fed64, &policy, None).unwrap_err();
    assert_eq!(err, PegInError::Tx64Bytes);
    assert_eq!(err.code(), "tx_64_bytes");
    // One byte more (a 1-byte scriptSig) is accepted.
    let mut tx65 = tx.clone();
    tx65.inputs[0].script_sig = vec![0x00];
    assert_eq!(tx65.base_size(), 65);
    let s65 = Setup::new(&tx65, 6);
    assert!(verify_peg_in(&s65.chain, &tx65, &s65.proof, &fed64, &policy, None).is_ok());
}

#[test]
fn coinbase_proof_when_required() {
    let tx = pegin_tx(valid_outputs());
    let s = Setup::new(&tx, 6);
    let cb = &s.txs[0];
    let policy = PegInPolicy::default();
    // The proof matches the coinbase at position 0 and the peg-in.
    let both = Setup::proof_for(&s.block, &s.txs, &[true, true, false]);
    let v = verify_peg_in(&s.chain, &tx, &both, &[fed()], &policy, Some(cb)).unwrap();
    assert_eq!(v, s.verify(&tx, &policy).unwrap());
    // Not required: the proof of the peg-in alone is enough.
    assert!(verify_peg_in(&s.chain, &tx, &both, &[fed()], &policy, None).is_ok());
    // The proof does not match the coinbase.
    let err = verify_peg_in(&s.chain, &tx, &s.proof, &[fed()], &policy, Some(cb)).unwrap_err();
    assert!(matches!(err, PegInError::CoinbaseProof(_)));
    assert_eq!(err.code(), "coinbase_proof");
    // The transaction given as coinbase is not one (the other transaction, matched at 2).
    let all = Setup::proof_for(&s.block, &s.txs, &[true, true, true]);
    let err = verify_peg_in(&s.chain, &tx, &all, &[fed()], &policy, Some(&s.txs[2])).unwrap_err();
    assert_eq!(err.code(), "coinbase_proof");
    // A coinbase-shaped transaction that is not the block's: not matched at position 0.
    let err =
        verify_peg_in(&s.chain, &tx, &both, &[fed()], &policy, Some(&coinbase(5))).unwrap_err();
    assert_eq!(err.code(), "coinbase_proof");
    // Coinbase-shaped needs both the null txid and vout 0xffffffff, and one input.
    let mut almost = cb.clone();
    almost.inputs[0].previous_output.vout = 0;
    assert_eq!(
        verify_peg_in(&s.chain, &tx, &both, &[fed()], &policy, Some(&almost))
            .unwrap_err()
            .code(),
        "coinbase_proof"
    );
    // The peg-in itself offered as the coinbase.
    assert_eq!(
        verify_peg_in(&s.chain, &tx, &both, &[fed()], &policy, Some(&tx))
            .unwrap_err()
            .code(),
        "coinbase_proof"
    );
}

// ---------------------------------------------------------------------------------------------
// Real mainnet data.

fn real_chain() -> HeaderChain {
    let headers: Vec<Header> = pegkit_tests::mainnet_headers_822528_830592()
        .iter()
        .map(Header::from_bytes)
        .collect();
    verify_header_list(&Network::Mainnet.params(), WINDOW_START, &headers, None).unwrap()
}

#[test]
fn a_real_mainnet_transaction_shaped_as_a_peg_in() {
    let chain = real_chain();
    assert_eq!(chain.tip().height, 830_592);
    let block = Block::decode(&pegkit_tests::mainnet_block_830000()).unwrap();
    let upstream: BlockHash = pegkit_tests::mainnet_block_830000_txids()
        .hash
        .parse()
        .unwrap();
    // Transaction 1 of block 830000 has no OP_RETURN output; its outputs:
    // 0: 191,261 sat to a P2WSH, 1: 310,800 sat to a P2SH, 2: 4,152,142 sat to a P2WPKH.
    let tx = &block.transactions[1];
    let amounts: Vec<i64> = tx.outputs.iter().map(|o| o.value).collect();
    assert_eq!(amounts, [191_261, 310_800, 4_152_142]);
    assert!(
        tx.outputs
            .iter()
            .all(|o| parse_destination(&o.script_pubkey).is_none())
    );
    let entry = pegkit_tests::mainnet_txoutproofs_830000()
        .into_iter()
        .find(|p| p.tx_indexes == [1])
        .unwrap();
    let proof = MerkleBlock::decode(&entry.proof).unwrap();
    let policy = PegInPolicy::default();
    let p2wsh = tx.outputs[0].script_pubkey.clone();
    assert_eq!(p2wsh.len(), 34);
    let fed1 = vec![p2wsh.clone()];
    let v = verify_peg_in(&chain, tx, &proof, &fed1, &policy, None).unwrap();
    assert_eq!(
        v,
        VerifiedPegIn {
            txid: entry.txids[0].parse().unwrap(),
            block_hash: upstream,
            height: 830_000,
            confirmations: 593,
            outputs: vec![(0, 191_261)],
            total: 191_261,
            credited: 190_261,
            destination: None,
            weak_spv: false,
        }
    );
    // Two of its scripts as the federation's: both outputs count.
    let p2wpkh = tx.outputs[2].script_pubkey.clone();
    let v2 = verify_peg_in(&chain, tx, &proof, &[p2wpkh, p2wsh.clone()], &policy, None).unwrap();
    assert_eq!(v2.outputs, [(0, 191_261), (2, 4_152_142)]);
    assert_eq!(v2.total, 4_343_403);
    assert_eq!(v2.credited, 4_342_403);
    // With the real coinbase required: a proof built for positions 0 and 1 passes; the
    // real single-match proof does not carry the coinbase.
    let coinbase = &block.transactions[0];
    let txids = block.txids();
    let mut matched = vec![false; txids.len()];
    matched[0] = true;
    matched[1] = true;
    let both = MerkleBlock::build(block.header, &txids, &matched).unwrap();
    let v3 = verify_peg_in(&chain, tx, &both, &fed1, &policy, Some(coinbase)).unwrap();
    assert_eq!(v3, v);
    assert_eq!(
        verify_peg_in(&chain, tx, &proof, &fed1, &policy, Some(coinbase))
            .unwrap_err()
            .code(),
        "coinbase_proof"
    );
    // 594 confirmations required: refused.
    let strict = PegInPolicy {
        min_confirmations: 594,
        ..policy
    };
    assert_eq!(
        verify_peg_in(&chain, tx, &proof, &fed1, &strict, None).unwrap_err(),
        PegInError::InsufficientConfirmations {
            have: 593,
            need: 594
        }
    );
    // Another real transaction of the same block is not in this proof.
    assert_eq!(
        verify_peg_in(&chain, &block.transactions[2], &proof, &fed1, &policy, None)
            .unwrap_err()
            .code(),
        "tx_not_in_proof"
    );
    // The real coinbase as a "peg-in" to one of its own scripts: its first OP_RETURN (vout 2,
    // the segwit commitment, a 36-byte push) is not a destination.
    let cb_proof =
        MerkleBlock::decode(&pegkit_tests::mainnet_txoutproofs_830000()[0].proof).unwrap();
    let err = verify_peg_in(
        &chain,
        coinbase,
        &cb_proof,
        &[coinbase.outputs[1].script_pubkey.clone()],
        &policy,
        None,
    )
    .unwrap_err();
    assert_eq!(err, PegInError::InvalidDestination { vout: 2 });
    // Without the last 593 headers' support: a chain ending at 830000 gives 1 confirmation.
    let headers: Vec<Header> = pegkit_tests::mainnet_headers_822528_830592()
        [..=(830_000 - WINDOW_START) as usize]
        .iter()
        .map(Header::from_bytes)
        .collect();
    let short =
        verify_header_list(&Network::Mainnet.params(), WINDOW_START, &headers, None).unwrap();
    assert_eq!(
        verify_peg_in(&short, tx, &proof, &fed1, &policy, None).unwrap_err(),
        PegInError::InsufficientConfirmations { have: 1, need: 6 }
    );
}
