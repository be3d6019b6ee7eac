//! Peg-out: burn events on the EVM chain, and the deterministic Bitcoin payment that every
//! federation member rebuilds and checks before signing (`../shared/DESIGN.md`, "Peg-out").
//!
//! The flow: [`events`] turns raw EVM logs into [`Burn`]s and [`Rejection`]s (no burn is ever
//! dropped without a record), [`payment`] builds the one transaction that pays a list of burns
//! from federation UTXOs, and [`check`] is what each member runs on a proposed payment before
//! signing it.

pub mod check;
pub mod payment;

pub use check::{CheckedProposal, ProposalError, ProposalRequest, build_proposal, check_proposal};
pub use payment::{BuildError, Payment, build_payment, dust_threshold};

use crate::{ErrorCode, OutPoint};
use alloc::string::String;
use alloc::vec::Vec;
use alloy_primitives::U256;
use core::fmt;

/// The bridge contract's default address (Alys): `0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB`.
pub const DEFAULT_BRIDGE: [u8; 20] = [0xbb; 20];

/// Wei per satoshi: 10¹⁰ (the sidechain's BTC has 18 decimals, Bitcoin's 8).
pub const WEI_PER_SAT: u64 = 10_000_000_000;

/// A burn's identity: the EVM transaction and the burn's 0-based position among that
/// transaction's bridge burn events (by log index). Unlike the block-scoped log index it
/// survives the transaction being re-mined in another block, so a burn is never paid twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BurnId {
    /// The EVM transaction hash (as `eth_getLogs` prints it, big-endian).
    pub transaction_hash: [u8; 32],
    /// Position among the transaction's bridge burn events.
    pub event_index: u32,
}

/// A burn of sidechain BTC that asks for a Bitcoin payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Burn {
    /// Identity (see [`BurnId`]).
    pub id: BurnId,
    /// The EVM block the burn was mined in.
    pub block_number: u64,
    /// Who burned (the event's indexed address).
    pub evm_sender: [u8; 20],
    /// The Bitcoin address as the event carried it.
    pub destination: String,
    /// The output script `destination` decodes to on the federation's network.
    pub script_pubkey: Vec<u8>,
    /// The amount burned, in wei.
    pub wei: U256,
    /// `wei / 10¹⁰`: what the payment owes, before this burn's share of the fee.
    pub sats: u64,
    /// `wei mod 10¹⁰`: wei that no satoshi can represent (reported, not paid).
    pub remainder_wei: u64,
}

/// What a rejection is about: a burn (by its identity), or a log that is not a bridge burn
/// event (by transaction and log index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectedId {
    /// A bridge burn event.
    Burn(BurnId),
    /// Any other log (another contract's, another event, a removed log).
    Log {
        /// The EVM transaction hash.
        transaction_hash: [u8; 32],
        /// The log's index in its block.
        log_index: u64,
    },
}

/// A log or burn that is not paid, and why. Every log given to the decoder, and every burn
/// given to the payment builder, ends up paid, pending (beyond `max_outputs`) or here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// What was rejected.
    pub id: RejectedId,
    /// Why ([`ErrorCode::code`] gives the stable code).
    pub reason: RejectReason,
}

/// Why a log or burn is not paid. Each variant carries the offending value; `code()` is the
/// stable string shared with the CLI and JavaScript.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectReason {
    /// The burn's sats are below the policy's minimum.
    BelowMinimum {
        /// The burn's amount in satoshis.
        sats: u64,
        /// The policy's minimum.
        min: u64,
    },
    /// The burn's sats are above the policy's maximum (or beyond any satoshi amount).
    AboveMaximum {
        /// The burn's amount in wei.
        wei: U256,
        /// The policy's maximum in satoshis.
        max: u64,
    },
    /// A burn whose id was already given (earlier in burn order): a burn is paid at most once.
    DuplicateBurn {
        /// The EVM block of this copy.
        block_number: u64,
    },
    /// The burn's output, once its share of the fee is taken, would be below the dust
    /// threshold of its script type (it alone is rejected; the payment is rebuilt without it).
    DustAfterFee {
        /// The output amount it would get (0 if the fee share exceeds the burn).
        amount: u64,
        /// The dust threshold of its script.
        dust: u64,
    },
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BelowMinimum { sats, min } => {
                write!(
                    f,
                    "burn of {sats} sat is below the minimum peg-out of {min} sat"
                )
            }
            Self::AboveMaximum { wei, max } => {
                write!(
                    f,
                    "burn of {wei} wei is above the maximum peg-out of {max} sat"
                )
            }
            Self::DuplicateBurn { block_number } => write!(
                f,
                "burn given again (copy in block {block_number}); a burn is paid at most once"
            ),
            Self::DustAfterFee { amount, dust } => write!(
                f,
                "after its share of the fee the output would be {amount} sat, below the dust \
                 threshold of {dust} sat for its script"
            ),
        }
    }
}

impl ErrorCode for RejectReason {
    fn code(&self) -> &'static str {
        match self {
            Self::BelowMinimum { .. } => "amount_below_minimum",
            Self::AboveMaximum { .. } => "amount_above_maximum",
            Self::DuplicateBurn { .. } => "duplicate_burn",
            Self::DustAfterFee { .. } => "dust_after_fee",
        }
    }
}

/// A federation UTXO a payment may spend; its script is the federation's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Utxo {
    /// The output.
    pub outpoint: OutPoint,
    /// Its amount in satoshis.
    pub amount: u64,
}

/// Peg-out policy. JSON names are the field names; a partial object takes the defaults
/// ([`Policy::default`], Alys's values) for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Smallest burn paid, in satoshis (default 1,000,000).
    pub min_amount: u64,
    /// Largest burn paid, in satoshis (default 10,000,000,000 = 100 BTC).
    pub max_amount: u64,
    /// Most peg-out outputs in one payment (default 250); later burns wait for the next one.
    pub max_outputs: u32,
    /// Largest fee a payment may pay, in satoshis (default 1,000,000).
    pub max_fee: u64,
    /// Lowest fee rate, satoshis per 1,000 vbytes (default 1,000).
    pub min_fee_rate_sat_kvb: u64,
    /// Highest fee rate, satoshis per 1,000 vbytes (default 500,000).
    pub max_fee_rate_sat_kvb: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            min_amount: 1_000_000,
            max_amount: 10_000_000_000,
            max_outputs: 250,
            max_fee: 1_000_000,
            min_fee_rate_sat_kvb: 1_000,
            max_fee_rate_sat_kvb: 500_000,
        }
    }
}
