//! Peg-in verification: a Bitcoin transaction paying the federation, proven by Bitcoin Core's
//! `gettxoutproof` bytes against a [`HeaderChain`], under the caller's policy.

use crate::ErrorCode;
use crate::chain::HeaderChain;
use crate::encode::DecodeError;
use crate::hash::{BlockHash, Txid};
use crate::merkle::{MerkleBlock, MerkleError};
use crate::tx::Transaction;
use alloc::vec::Vec;
use core::fmt;

/// Confirmations before a coinbase's outputs can be spent (Core's `COINBASE_MATURITY`).
pub const COINBASE_MATURITY: u32 = 100;

/// The most satoshis that can exist (21 million BTC), Core's `MAX_MONEY`.
pub const MAX_MONEY: u64 = 21_000_000 * 100_000_000;

/// What a federation accepts as a peg-in. Defaults are AILEE's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PegInPolicy {
    /// Confirmations required (tip height − block height + 1). Default 6.
    pub min_confirmations: u32,
    /// Smallest total paid to the federation, in satoshis. Default 10,000.
    pub min_amount: u64,
    /// Largest total paid to the federation, in satoshis. Default 10,000,000,000 (100 BTC).
    pub max_amount: u64,
    /// Fee the federation keeps, in satoshis: credited = total − fee. Default 1,000.
    pub fee: u64,
}

impl Default for PegInPolicy {
    fn default() -> Self {
        Self {
            min_confirmations: 6,
            min_amount: 10_000,
            max_amount: 10_000_000_000,
            fee: 1_000,
        }
    }
}

/// A peg-in that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPegIn {
    /// The transaction.
    pub txid: Txid,
    /// The block that contains it.
    pub block_hash: BlockHash,
    /// That block's height.
    pub height: u32,
    /// Its confirmations on the best chain.
    pub confirmations: u32,
    /// Every output paying a federation script: (vout, satoshis).
    pub outputs: Vec<(u32, u64)>,
    /// Their sum.
    pub total: u64,
    /// total − policy fee.
    pub credited: u64,
    /// The sidechain (EVM) destination from the transaction's OP_RETURN output, if any.
    pub destination: Option<[u8; 20]>,
    /// The network's headers are weak evidence (signet): the block signature is not checked.
    pub weak_spv: bool,
}

/// Why a peg-in is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PegInError {
    /// The proof bytes do not decode.
    ProofDecode(DecodeError),
    /// The proof is not a valid partial merkle tree for its header.
    Proof(MerkleError),
    /// The transaction's serialization without witness is 64 bytes: it could pose as an inner
    /// node of the merkle tree.
    Tx64Bytes,
    /// The proof does not include the transaction.
    TxNotInProof {
        /// The transaction's txid.
        txid: Txid,
    },
    /// The proof's block is not on the chain's best chain.
    BlockNotInChain {
        /// The proof's block.
        block_hash: BlockHash,
    },
    /// Fewer confirmations than the policy requires.
    InsufficientConfirmations {
        /// Confirmations it has.
        have: u32,
        /// Confirmations required.
        need: u32,
    },
    /// No output pays a federation script.
    NoFederationOutput,
    /// An output amount outside 0..=21,000,000 BTC, or a sum above it.
    InvalidAmount {
        /// The output index.
        vout: u32,
    },
    /// Total below the policy minimum.
    BelowMinimum {
        /// Total paid.
        total: u64,
        /// Minimum.
        min: u64,
    },
    /// Total above the policy maximum.
    AboveMaximum {
        /// Total paid.
        total: u64,
        /// Maximum.
        max: u64,
    },
    /// Total does not cover the fee.
    BelowFee {
        /// Total paid.
        total: u64,
        /// Fee.
        fee: u64,
    },
    /// An OP_RETURN output that is not exactly one push of a destination (20 raw bytes, or the
    /// UTF-8 string `0x` + 40 hex digits).
    InvalidDestination {
        /// The output index.
        vout: u32,
    },
    /// More than one OP_RETURN output.
    AmbiguousDestination,
    /// A coinbase proof was required and is missing or not a coinbase at position 0.
    CoinbaseProof(&'static str),
    /// The peg-in is a coinbase with fewer than 100 confirmations: its outputs cannot be spent
    /// yet, and a reorg would erase them.
    ImmatureCoinbase {
        /// Confirmations it has.
        have: u32,
    },
}

impl fmt::Display for PegInError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ProofDecode(e) => write!(f, "proof: {e}"),
            Self::Proof(e) => write!(f, "proof: {e}"),
            Self::Tx64Bytes => f.write_str(
                "transaction is 64 bytes without witness: it could pose as a merkle node",
            ),
            Self::TxNotInProof { txid } => write!(f, "proof does not include transaction {txid}"),
            Self::BlockNotInChain { block_hash } => {
                write!(f, "block {block_hash} is not on the best chain")
            }
            Self::InsufficientConfirmations { have, need } => {
                write!(f, "{have} confirmations, {need} required")
            }
            Self::NoFederationOutput => f.write_str("no output pays the federation"),
            Self::InvalidAmount { vout } => write!(f, "output {vout} has an impossible amount"),
            Self::BelowMinimum { total, min } => write!(f, "{total} sat paid, minimum {min}"),
            Self::AboveMaximum { total, max } => write!(f, "{total} sat paid, maximum {max}"),
            Self::BelowFee { total, fee } => {
                write!(f, "{total} sat paid does not cover the {fee} sat fee")
            }
            Self::InvalidDestination { vout } => write!(
                f,
                "OP_RETURN output {vout} is not one push of a 20-byte address or \"0x\" + 40 hex digits"
            ),
            Self::AmbiguousDestination => f.write_str("more than one OP_RETURN output"),
            Self::CoinbaseProof(why) => write!(f, "coinbase proof: {why}"),
            Self::ImmatureCoinbase { have } => write!(
                f,
                "a coinbase peg-in needs {COINBASE_MATURITY} confirmations before its outputs can be spent, it has {have}"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PegInError {}

impl ErrorCode for PegInError {
    fn code(&self) -> &'static str {
        match self {
            Self::ProofDecode(e) => e.code(),
            Self::Proof(e) => e.code(),
            Self::Tx64Bytes => "tx_64_bytes",
            Self::TxNotInProof { .. } => "tx_not_in_proof",
            Self::BlockNotInChain { .. } => "block_not_in_chain",
            Self::InsufficientConfirmations { .. } => "insufficient_confirmations",
            Self::NoFederationOutput => "no_federation_output",
            Self::InvalidAmount { .. } => "invalid_amount",
            Self::BelowMinimum { .. } => "amount_below_minimum",
            Self::AboveMaximum { .. } => "amount_above_maximum",
            Self::BelowFee { .. } => "amount_below_fee",
            Self::InvalidDestination { .. } => "invalid_destination",
            Self::AmbiguousDestination => "ambiguous_destination",
            Self::CoinbaseProof(_) => "coinbase_proof",
            Self::ImmatureCoinbase { .. } => "immature_coinbase",
        }
    }
}

const OP_RETURN: u8 = 0x6a;
const OP_PUSHDATA1: u8 = 0x4c;

/// What an `OP_RETURN` output says about the sidechain destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpReturn {
    /// A 20-byte EVM address.
    Destination([u8; 20]),
    /// Not exactly one push of 20 raw bytes or of `0x` + 40 hex digits.
    Malformed,
}

/// A coinbase: a single input spending the null outpoint.
fn is_coinbase(tx: &Transaction) -> bool {
    matches!(tx.inputs.as_slice(), [only] if only.previous_output.vout == u32::MAX
        && only.previous_output.txid.to_byte_array() == [0; 32])
}

/// The destination an OP_RETURN script carries: `OP_RETURN` then exactly one push (direct or
/// `OP_PUSHDATA1`) of 20 raw bytes or of the 42-byte UTF-8 string `0x` + 40 hex digits (either
/// case). `None` if the script does not start with `OP_RETURN`.
pub fn parse_destination(script: &[u8]) -> Option<OpReturn> {
    let (&first, rest) = script.split_first()?;
    if first != OP_RETURN {
        return None;
    }
    let payload = match rest.split_first() {
        Some((&n, data)) if (1..OP_PUSHDATA1).contains(&n) && data.len() == usize::from(n) => data,
        Some((&OP_PUSHDATA1, data)) => match data.split_first() {
            Some((&n, d)) if d.len() == usize::from(n) => d,
            _ => return Some(OpReturn::Malformed),
        },
        _ => return Some(OpReturn::Malformed),
    };
    let address = match payload.len() {
        20 => <[u8; 20]>::try_from(payload).ok(),
        42 => match payload.split_at(2) {
            (b"0x", hex_digits) => core::str::from_utf8(hex_digits)
                .ok()
                .and_then(|s| crate::hex::decode_array::<20>(s).ok()),
            _ => None,
        },
        _ => None,
    };
    Some(address.map_or(OpReturn::Malformed, OpReturn::Destination))
}

/// Verifies a peg-in: `tx` is in `proof` (Core `gettxoutproof` bytes, fully checked), the
/// proof's block is on `chain`'s best chain with enough confirmations, and the outputs paying
/// any of `federation_scripts` add up to an amount the policy accepts. Every output paying the
/// federation counts. The destination comes from the single OP_RETURN output, if any.
///
/// With `coinbase` given, the proof must also match it at position 0 (the tBTC / interBTC
/// defence: a real coinbase pins the tree's depth).
///
/// # Errors
/// The first [`PegInError`] found, in the order: transaction shape, proof, chain, amounts.
pub fn verify_peg_in(
    chain: &HeaderChain,
    tx: &Transaction,
    proof: &MerkleBlock,
    federation_scripts: &[Vec<u8>],
    policy: &PegInPolicy,
    coinbase: Option<&Transaction>,
) -> Result<VerifiedPegIn, PegInError> {
    let mut base = Vec::with_capacity(tx.base_size());
    tx.encode_without_witness(&mut base);
    if base.len() == 64 {
        return Err(PegInError::Tx64Bytes);
    }
    let txid = tx.txid();
    let matches = proof.verify().map_err(PegInError::Proof)?;
    if !matches.matches.iter().any(|(_, t)| *t == txid) {
        return Err(PegInError::TxNotInProof { txid });
    }
    if let Some(cb) = coinbase {
        if !is_coinbase(cb) {
            return Err(PegInError::CoinbaseProof(
                "the transaction given is not a coinbase",
            ));
        }
        if !matches
            .matches
            .iter()
            .any(|&(pos, t)| pos == 0 && t == cb.txid())
        {
            return Err(PegInError::CoinbaseProof(
                "the proof does not match the coinbase at position 0",
            ));
        }
    }
    let block_hash = proof.header.block_hash();
    let entry = chain
        .get(&block_hash)
        .filter(|e| e.in_best_chain)
        .ok_or(PegInError::BlockNotInChain { block_hash })?;
    let confirmations = chain
        .tip()
        .height
        .saturating_sub(entry.height)
        .saturating_add(1);
    if is_coinbase(tx) && confirmations < COINBASE_MATURITY {
        return Err(PegInError::ImmatureCoinbase {
            have: confirmations,
        });
    }
    if confirmations < policy.min_confirmations {
        return Err(PegInError::InsufficientConfirmations {
            have: confirmations,
            need: policy.min_confirmations,
        });
    }

    let mut outputs = Vec::new();
    let mut total = 0u64;
    let mut destination = None;
    for (vout, out) in tx.outputs.iter().enumerate() {
        let vout = u32::try_from(vout).map_err(|_| PegInError::InvalidAmount { vout: u32::MAX })?;
        let amount = u64::try_from(out.value)
            .ok()
            .filter(|&a| a <= MAX_MONEY)
            .ok_or(PegInError::InvalidAmount { vout })?;
        if federation_scripts.contains(&out.script_pubkey) {
            outputs.push((vout, amount));
            total = total
                .checked_add(amount)
                .filter(|&t| t <= MAX_MONEY)
                .ok_or(PegInError::InvalidAmount { vout })?;
        }
        match parse_destination(&out.script_pubkey) {
            None => {}
            Some(_) if destination.is_some() => return Err(PegInError::AmbiguousDestination),
            Some(OpReturn::Destination(d)) => destination = Some(Some(d)),
            Some(OpReturn::Malformed) => return Err(PegInError::InvalidDestination { vout }),
        }
    }
    if outputs.is_empty() {
        return Err(PegInError::NoFederationOutput);
    }
    if total < policy.min_amount {
        return Err(PegInError::BelowMinimum {
            total,
            min: policy.min_amount,
        });
    }
    if total > policy.max_amount {
        return Err(PegInError::AboveMaximum {
            total,
            max: policy.max_amount,
        });
    }
    let credited = total.checked_sub(policy.fee).ok_or(PegInError::BelowFee {
        total,
        fee: policy.fee,
    })?;
    Ok(VerifiedPegIn {
        txid,
        block_hash,
        height: entry.height,
        confirmations,
        outputs,
        total,
        credited,
        destination: destination.flatten(),
        weak_spv: chain.params().weak_spv,
    })
}
