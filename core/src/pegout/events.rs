//! Burn events: raw EVM logs (as `eth_getLogs` returns them) to [`Burn`]s and [`Rejection`]s.
//!
//! Two events request a peg-out, both with the amount in wei (`msg.value`):
//! `RequestPegOut(address indexed _evmAddress, bytes _bitcoinAddress, uint256 _value)` (the bytes
//! are the address text) and `BurnForBitcoin(address indexed burner, uint256 amount, string
//! btcAddress)`. A log counts only if **its own address** is the bridge's and its first topic
//! is one of the two signatures; its data is decoded in alloy's strict mode (canonical offsets,
//! lengths inside the data, zero padding, no trailing bytes, UTF-8 text). Every log given ends
//! up as exactly one burn or one rejection: nothing is dropped without a record.

use super::{Burn, BurnId, Policy, RejectReason, RejectedId, Rejection, WEI_PER_SAT};
use crate::address::parse_address;
use crate::params::Network;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use alloy_primitives::{B256, U256};
use alloy_sol_types::abi::AbiDecoderConfig;
use alloy_sol_types::{SolEvent, SolType, sol_data};
use core::fmt;

mod abi {
    alloy_sol_types::sol! {
        event RequestPegOut(address indexed _evmAddress, bytes _bitcoinAddress, uint256 _value);
        event BurnForBitcoin(address indexed burner, uint256 amount, string btcAddress);
    }
}

/// One EVM log, with the fields `eth_getLogs` returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Log {
    /// The contract that emitted the log.
    pub address: [u8; 20],
    /// The topics (the first is the event signature's hash).
    pub topics: Vec<[u8; 32]>,
    /// The non-indexed fields, ABI-encoded.
    pub data: Vec<u8>,
    /// The transaction that emitted the log.
    pub transaction_hash: [u8; 32],
    /// The log's index in its block.
    pub log_index: u64,
    /// The block the log is in.
    pub block_number: u64,
    /// The block's hash, when known: it tells copies of a transaction in two blocks apart.
    pub block_hash: Option<[u8; 32]>,
    /// The log was removed by a reorganization.
    pub removed: bool,
}

/// The two events that burn sidechain BTC for a Bitcoin payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BurnEvent {
    /// `RequestPegOut(address indexed _evmAddress, bytes _bitcoinAddress, uint256 _value)`.
    RequestPegOut,
    /// `BurnForBitcoin(address indexed burner, uint256 amount, string btcAddress)`.
    BurnForBitcoin,
}

impl BurnEvent {
    /// Both events.
    pub const ALL: [BurnEvent; 2] = [Self::RequestPegOut, Self::BurnForBitcoin];

    /// The event's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::RequestPegOut => "RequestPegOut",
            Self::BurnForBitcoin => "BurnForBitcoin",
        }
    }

    /// The event's topic0: keccak256 of its canonical signature.
    pub fn signature_hash(self) -> [u8; 32] {
        match self {
            Self::RequestPegOut => abi::RequestPegOut::SIGNATURE_HASH.0,
            Self::BurnForBitcoin => abi::BurnForBitcoin::SIGNATURE_HASH.0,
        }
    }

    /// The event whose signature hash is `topic0`.
    pub fn from_topic0(topic0: &[u8; 32]) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|e| &e.signature_hash() == topic0)
    }
}

impl fmt::Display for BurnEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What [`decode_logs`] found: the burns to pay, and every other log with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecodedLogs {
    /// Payable burns, ordered by (block number, transaction hash, event index) — the payment
    /// order of `../shared/DESIGN.md`. Their ids are unique.
    pub burns: Vec<Burn>,
    /// Every other log, in the order the logs were given.
    pub rejected: Vec<Rejection>,
}

/// The strict ABI decoder: canonical offsets, lengths within the data, zero padding, no
/// trailing bytes, and token validation (address high bytes, UTF-8 strings).
fn strict() -> AbiDecoderConfig {
    AbiDecoderConfig::new().strict(true)
}

/// A log's place in a block: the same key twice is the same log.
type LogKey = ([u8; 32], u64, Option<[u8; 32]>, u64);

fn log_key(log: &Log) -> LogKey {
    (
        log.transaction_hash,
        log.block_number,
        log.block_hash,
        log.log_index,
    )
}

fn log_id(log: &Log) -> RejectedId {
    RejectedId::Log {
        transaction_hash: log.transaction_hash,
        log_index: log.log_index,
    }
}

/// Decode the burn events among `logs` for a federation on `network` whose bridge contract is
/// `bridge` ([`super::DEFAULT_BRIDGE`] for Alys).
///
/// Every log ends up as exactly one burn or one rejection:
/// 1. A log marked `removed`, or given again with `removed` set (same transaction, block
///    number, block hash and log index), is rejected (`removed`, by log index). A log emitted
///    by another contract is rejected (`not_bridge`), and a bridge log whose first topic is not
///    a burn event's signature (`unknown_event`). The rest are the **bridge burn events**.
/// 2. The bridge burn events are taken in the order (block number, block hash, transaction
///    hash, log index, position in `logs`). A log given again (same transaction, block and log
///    index) is rejected (`duplicate_log`). Each other one gets its **event index**: its 0-based
///    position among its transaction's bridge burn events in its block, malformed ones
///    included (they are burns that cannot be paid). Removed logs take no event index. An
///    identity (transaction hash, event index) already taken — the same transaction reported
///    in two blocks — is rejected (`duplicate_burn`, by log index): a burn is decoded once.
/// 3. Each burn event is checked, rejections carrying its [`BurnId`]: two topics
///    (`invalid_topic_count`), a zero-padded address topic (`invalid_address_topic`), data in
///    strict ABI encoding (`invalid_event_data`), a UTF-8 destination (`destination_not_utf8`);
///    then the amount: sats = wei / 10¹⁰ at least `policy.min_amount`
///    (`amount_below_minimum`) and at most `policy.max_amount` (`amount_above_maximum`); then
///    the destination, which must be an address [`parse_address`] accepts on `network` (the
///    rejection carries the address error's code, e.g. `wrong_network`).
///
/// Burns are returned in payment order (block number, transaction hash, event index);
/// rejections in the order of `logs`.
pub fn decode_logs(
    network: Network,
    bridge: [u8; 20],
    logs: &[Log],
    policy: &Policy,
) -> DecodedLogs {
    let removed: BTreeSet<LogKey> = logs.iter().filter(|l| l.removed).map(log_key).collect();
    let mut outcomes: Vec<Option<Result<Burn, Rejection>>> = Vec::with_capacity(logs.len());
    let mut candidates: Vec<(usize, &Log, BurnEvent)> = Vec::new();
    for (position, log) in logs.iter().enumerate() {
        let reason = if log.removed || removed.contains(&log_key(log)) {
            RejectReason::Removed
        } else if log.address != bridge {
            RejectReason::NotBridge {
                address: log.address,
            }
        } else {
            match log.topics.first() {
                Some(topic0) => match BurnEvent::from_topic0(topic0) {
                    Some(event) => {
                        candidates.push((position, log, event));
                        outcomes.push(None);
                        continue;
                    }
                    None => RejectReason::UnknownEvent {
                        topic0: Some(*topic0),
                    },
                },
                None => RejectReason::UnknownEvent { topic0: None },
            }
        };
        outcomes.push(Some(Err(Rejection {
            id: log_id(log),
            reason,
        })));
    }

    candidates.sort_by(|(pa, a, _), (pb, b, _)| {
        (a.block_number, a.block_hash, a.transaction_hash, a.log_index, pa).cmp(&(
            b.block_number,
            b.block_hash,
            b.transaction_hash,
            b.log_index,
            pb,
        ))
    });
    let mut seen_logs: BTreeSet<LogKey> = BTreeSet::new();
    let mut seen_burns: BTreeSet<BurnId> = BTreeSet::new();
    let mut group: Option<([u8; 32], u64, Option<[u8; 32]>)> = None;
    let mut next_index: u64 = 0;
    for (position, log, event) in candidates {
        let outcome = if !seen_logs.insert(log_key(log)) {
            Err(Rejection {
                id: log_id(log),
                reason: RejectReason::DuplicateLog,
            })
        } else {
            let this_group = Some((log.transaction_hash, log.block_number, log.block_hash));
            if group != this_group {
                group = this_group;
                next_index = 0;
            }
            let index = next_index;
            next_index = next_index.saturating_add(1);
            match u32::try_from(index) {
                Err(_) => Err(Rejection {
                    id: log_id(log),
                    reason: RejectReason::TooManyEvents,
                }),
                Ok(event_index) => {
                    let id = BurnId {
                        transaction_hash: log.transaction_hash,
                        event_index,
                    };
                    if seen_burns.insert(id) {
                        decode_burn(network, log, event, id, policy).map_err(|reason| Rejection {
                            id: RejectedId::Burn(id),
                            reason,
                        })
                    } else {
                        Err(Rejection {
                            id: log_id(log),
                            reason: RejectReason::DuplicateBurn { id },
                        })
                    }
                }
            }
        };
        if let Some(slot) = outcomes.get_mut(position) {
            *slot = Some(outcome);
        }
    }

    let mut decoded = DecodedLogs::default();
    for outcome in outcomes.into_iter().flatten() {
        match outcome {
            Ok(burn) => decoded.burns.push(burn),
            Err(rejection) => decoded.rejected.push(rejection),
        }
    }
    decoded
        .burns
        .sort_by_key(|b| (b.block_number, b.id.transaction_hash, b.id.event_index));
    decoded
}

/// What alloy's decoder found wrong, in words.
fn problem(error: &alloy_sol_types::Error) -> &'static str {
    match error {
        alloy_sol_types::Error::Overrun => "an offset or length points beyond the data",
        alloy_sol_types::Error::ReserMismatch => {
            "not the canonical encoding (offset, non-zero padding or trailing bytes)"
        }
        alloy_sol_types::Error::TypeCheckFail { .. } => "a value out of its type's range",
        alloy_sol_types::Error::MemoryLimitExceeded(_) => "a length beyond the decoder's limit",
        _ => "not a valid ABI encoding",
    }
}

/// The event's sender, destination text and wei, or why the log cannot be paid.
fn decode_fields(log: &Log, event: BurnEvent) -> Result<([u8; 20], String, U256), RejectReason> {
    let count = log.topics.len();
    if count != 2 {
        return Err(RejectReason::InvalidTopicCount { event, count });
    }
    if let Some(topic) = log.topics.get(1) {
        if topic.iter().take(12).any(|&b| b != 0) {
            return Err(RejectReason::InvalidAddressTopic {
                event,
                topic: *topic,
            });
        }
    }
    let topics = log.topics.iter().map(|t| B256::from(*t));
    let data_error = |error: &alloy_sol_types::Error| RejectReason::InvalidEventData {
        event,
        length: log.data.len(),
        problem: problem(error),
    };
    let not_utf8 = |e: core::str::Utf8Error| RejectReason::DestinationNotUtf8 {
        event,
        valid_up_to: e.valid_up_to(),
    };
    match event {
        BurnEvent::RequestPegOut => {
            let e = abi::RequestPegOut::decode_raw_log_with_config(topics, &log.data, strict())
                .map_err(|e| data_error(&e))?;
            let text = core::str::from_utf8(&e._bitcoinAddress).map_err(not_utf8)?;
            Ok((e._evmAddress.into_array(), String::from(text), e._value))
        }
        BurnEvent::BurnForBitcoin => {
            match abi::BurnForBitcoin::decode_raw_log_with_config(topics, &log.data, strict()) {
                Ok(e) => Ok((e.burner.into_array(), e.btcAddress, e.amount)),
                Err(error) => {
                    // The same bytes decoded as `(uint256, bytes)` tell a string that is not
                    // UTF-8 from malformed data.
                    match <(sol_data::Uint<256>, sol_data::Bytes)>::abi_decode_sequence_with_config(
                        &log.data,
                        strict(),
                    ) {
                        Ok((_, bytes)) => Err(core::str::from_utf8(&bytes)
                            .map_err(not_utf8)
                            .err()
                            .unwrap_or_else(|| data_error(&error))),
                        Err(_) => Err(data_error(&error)),
                    }
                }
            }
        }
    }
}

fn decode_burn(
    network: Network,
    log: &Log,
    event: BurnEvent,
    id: BurnId,
    policy: &Policy,
) -> Result<Burn, RejectReason> {
    let (evm_sender, destination, wei) = decode_fields(log, event)?;
    let per_sat = U256::from(WEI_PER_SAT);
    let above = RejectReason::AboveMaximum {
        wei,
        max: policy.max_amount,
    };
    let sats = wei
        .checked_div(per_sat)
        .and_then(|s| u64::try_from(s).ok())
        .ok_or_else(|| above.clone())?;
    let remainder_wei = wei
        .checked_rem(per_sat)
        .and_then(|r| u64::try_from(r).ok())
        .ok_or_else(|| above.clone())?;
    if sats < policy.min_amount {
        return Err(RejectReason::BelowMinimum {
            sats,
            min: policy.min_amount,
        });
    }
    if sats > policy.max_amount {
        return Err(above);
    }
    let script_pubkey = match parse_address(network, &destination) {
        Ok(script) => script,
        Err(error) => return Err(RejectReason::InvalidDestination { destination, error }),
    };
    Ok(Burn {
        id,
        block_number: log.block_number,
        evm_sender,
        destination,
        script_pubkey,
        wei,
        sats,
        remainder_wei,
    })
}
