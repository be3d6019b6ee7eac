//! Synthetic peg-in fixtures: a regtest chain whose block at `height` commits to a coinbase and a
//! peg-in transaction, with a Core-format proof, for tests of peg-in verification through every
//! surface (library, CLIs, wasm).

use crate::mine;
use pegkit_core::merkle::MerkleBlock;
use pegkit_core::params::Network;
use pegkit_core::{Header, OutPoint, Transaction, TxIn, TxOut, Txid, Witness};

/// A federation scriptPubKey (P2TR to a fixed key) used by the fixtures.
pub const FEDERATION_SCRIPT: [u8; 34] = {
    let mut s = [0x51u8; 34];
    s[0] = 0x51;
    s[1] = 0x20;
    s
};

/// A regtest chain with a peg-in block.
#[derive(Debug, Clone)]
pub struct PegInFixture {
    /// Headers from regtest genesis (index = height).
    pub headers: Vec<Header>,
    /// The peg-in transaction.
    pub tx: Transaction,
    /// The block's coinbase.
    pub coinbase: Transaction,
    /// Height of the peg-in block.
    pub height: u32,
    /// Core-format proof of the peg-in transaction (position 1).
    pub proof: MerkleBlock,
    /// The block's txids: coinbase, peg-in, another payment.
    pub txids: Vec<Txid>,
}

/// A coinbase paying 50 BTC to `OP_TRUE`, made unique by `height`.
pub fn coinbase(height: u32) -> Transaction {
    Transaction {
        version: 2,
        inputs: vec![TxIn {
            previous_output: OutPoint {
                txid: Txid::from_byte_array([0; 32]),
                vout: u32::MAX,
            },
            script_sig: vec![0x04, height as u8, (height >> 8) as u8, 0, 0],
            sequence: u32::MAX,
            witness: Witness::default(),
        }],
        outputs: vec![TxOut {
            value: 50_0000_0000,
            script_pubkey: vec![0x51],
        }],
        lock_time: 0,
    }
}

/// A transaction spending a made-up outpoint to `outputs`.
pub fn payment(outputs: Vec<TxOut>) -> Transaction {
    Transaction {
        version: 2,
        inputs: vec![TxIn {
            previous_output: OutPoint {
                txid: Txid::from_byte_array([0xab; 32]),
                vout: 0,
            },
            script_sig: vec![],
            sequence: 0xffff_fffd,
            witness: Witness(vec![vec![0x30; 72], vec![0x02; 33]]),
        }],
        outputs,
        lock_time: 0,
    }
}

/// An OP_RETURN output pushing `payload`.
pub fn op_return(payload: &[u8]) -> TxOut {
    let mut script = vec![0x6a, payload.len() as u8];
    script.extend_from_slice(payload);
    TxOut {
        value: 0,
        script_pubkey: script,
    }
}

/// Regtest chain: genesis, `height - 1` empty blocks, the peg-in block [coinbase, `tx`, another
/// payment], then `on_top` more blocks. 600 s apart.
pub fn pegin_chain(tx: Transaction, height: u32, on_top: u32) -> PegInFixture {
    let params = Network::Regtest.params();
    let mut headers = vec![params.genesis];
    headers.extend(mine::extend(
        &params.genesis,
        height as usize - 1,
        600,
        params.genesis.bits,
    ));
    let cb = coinbase(height);
    let other = payment(vec![TxOut {
        value: 1234,
        script_pubkey: vec![
            0x00, 0x14, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
            0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44,
        ],
    }]);
    let txids = [cb.txid(), tx.txid(), other.txid()];
    let root = pegkit_core::merkle::merkle_root(&txids).unwrap().root;
    let prev = *headers.last().unwrap();
    let block = mine::child_with_root(&prev, prev.time + 600, params.genesis.bits, root);
    headers.push(block);
    headers.extend(mine::extend(
        &block,
        on_top as usize,
        600,
        params.genesis.bits,
    ));
    let proof = MerkleBlock::build(block, &txids, &[false, true, false]).unwrap();
    PegInFixture {
        headers,
        tx,
        coinbase: cb,
        height,
        proof,
        txids: txids.to_vec(),
    }
}
