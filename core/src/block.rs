//! Blocks: a header and its transactions.

use crate::encode::{
    Decode, DecodeError, Encode, Field, Reader, Sink, compact_size_len, write_compact_size,
};
use crate::hash::Txid;
use crate::header::{HEADER_LEN, Header};
use crate::tx::Transaction;
use alloc::vec::Vec;

/// Smallest possible transaction: version, two empty counts, lock time.
const MIN_TX_LEN: usize = 10;

/// A block. Decoding checks encoding only (every transaction, no trailing bytes); the merkle
/// root and consensus rules are checked elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// The transactions, coinbase first.
    pub transactions: Vec<Transaction>,
}

impl Block {
    /// The txid of every transaction, in block order.
    pub fn txids(&self) -> Vec<Txid> {
        self.transactions.iter().map(Transaction::txid).collect()
    }
}

impl Encode for Block {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        self.header.encode_to(sink);
        write_compact_size(sink, self.transactions.len() as u64);
        for tx in &self.transactions {
            tx.encode_to(sink);
        }
    }

    fn encoded_len(&self) -> usize {
        let start = HEADER_LEN.saturating_add(compact_size_len(self.transactions.len() as u64));
        self.transactions
            .iter()
            .fold(start, |n, tx| n.saturating_add(tx.total_size()))
    }
}

impl Decode for Block {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let header = Header::decode_from(r)?;
        let n = r.read_count(Field::TxCount, MIN_TX_LEN)?;
        let mut transactions = Vec::with_capacity(n);
        for _ in 0..n {
            transactions.push(Transaction::decode_from(r)?);
        }
        Ok(Self {
            header,
            transactions,
        })
    }
}
