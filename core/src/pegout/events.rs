//! Burn events: raw EVM logs (as `eth_getLogs` returns them) to [`Burn`]s and [`Rejection`]s.
//!
//! Two events request a peg-out, both with the amount in wei (`msg.value`):
//! `RequestPegOut(address indexed _evmAddress, bytes _bitcoinAddress, uint256 _value)` (the bytes
//! are the address text) and `BurnForBitcoin(address indexed burner, uint256 amount, string
//! btcAddress)`. A log counts only if **its own address** is the bridge's and its first topic
//! is one of the two signatures; its data is decoded in alloy's strict mode (canonical offsets,
//! lengths inside the data, zero padding, no trailing bytes, UTF-8 text). Every log given ends
//! up as exactly one burn or one rejection: nothing is dropped without a record.

use super::{
    Burn, BurnId, Policy, RejectReason, RejectedId, Rejection, sort_stable_by, wei_to_sats,
};
use crate::address::parse_address;
use crate::keymap::KeyMap;
use crate::params::Network;
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
    let removed = KeyMap::set_of(logs.iter().filter(|l| l.removed).map(log_key));
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

    sort_stable_by(&mut candidates, |(pa, a, _), (pb, b, _)| {
        (
            a.block_number,
            a.block_hash,
            a.transaction_hash,
            a.log_index,
            pa,
        )
            .cmp(&(
                b.block_number,
                b.block_hash,
                b.transaction_hash,
                b.log_index,
                pb,
            ))
    });
    let mut seen_logs = KeyMap::new();
    let mut seen_burns = KeyMap::new();
    let mut group: Option<([u8; 32], u64, Option<[u8; 32]>)> = None;
    let mut next_index: u64 = 0;
    for (position, log, event) in candidates {
        let outcome = if !seen_logs.insert_new(&log_key(log), 0) {
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
                    if seen_burns.insert_new(&id, 0) {
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
    let key = |b: &Burn| (b.block_number, b.id.transaction_hash, b.id.event_index);
    sort_stable_by(&mut decoded.burns, |a, b| key(a).cmp(&key(b)));
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
    let above = RejectReason::AboveMaximum {
        wei,
        max: policy.max_amount,
    };
    let (sats, remainder_wei) = wei_to_sats(&wei).ok_or_else(|| above.clone())?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::pegout::WEI_PER_SAT;
    use alloc::vec;
    use alloy_primitives::{Address, Bytes};

    const MAINNET_BECH32: &str = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    const MAINNET_SCRIPT: &str = "0014751e76e8199196d454941c45d1b3a323f1433bd6";
    const SENDER: [u8; 20] = [0x42; 20];
    const BRIDGE: [u8; 20] = super::super::DEFAULT_BRIDGE;

    fn tx(n: u8) -> [u8; 32] {
        [n; 32]
    }

    fn wei_of(sats: u64) -> U256 {
        U256::from(sats) * U256::from(WEI_PER_SAT)
    }

    fn log(topics: Vec<[u8; 32]>, data: Vec<u8>, tx_n: u8, log_index: u64) -> Log {
        Log {
            address: BRIDGE,
            topics,
            data,
            transaction_hash: tx(tx_n),
            log_index,
            block_number: 100,
            block_hash: Some([0xb1; 32]),
            removed: false,
        }
    }

    fn from_log_data(d: alloy_primitives::LogData, tx_n: u8, log_index: u64) -> Log {
        log(
            d.topics().iter().map(|t| t.0).collect(),
            d.data.to_vec(),
            tx_n,
            log_index,
        )
    }

    fn request(dest: &[u8], wei: U256, tx_n: u8, log_index: u64) -> Log {
        let e = abi::RequestPegOut {
            _evmAddress: Address::from(SENDER),
            _bitcoinAddress: Bytes::copy_from_slice(dest),
            _value: wei,
        };
        from_log_data(e.encode_log_data(), tx_n, log_index)
    }

    fn burn_for_bitcoin(dest: &str, wei: U256, tx_n: u8, log_index: u64) -> Log {
        let e = abi::BurnForBitcoin {
            burner: Address::from(SENDER),
            amount: wei,
            btcAddress: String::from(dest),
        };
        from_log_data(e.encode_log_data(), tx_n, log_index)
    }

    fn sender_topic() -> [u8; 32] {
        let mut t = [0u8; 32];
        t[12..].copy_from_slice(&SENDER);
        t
    }

    fn word(n: u64) -> [u8; 32] {
        U256::from(n).to_be_bytes()
    }

    /// `BurnForBitcoin` data by hand: amount, offset, length, then the given tail.
    fn hand_burn(offset: u64, length: u64, tail: &[u8]) -> Log {
        let mut data = Vec::new();
        data.extend_from_slice(&wei_of(2_000_000).to_be_bytes::<32>());
        data.extend_from_slice(&word(offset));
        data.extend_from_slice(&word(length));
        data.extend_from_slice(tail);
        log(
            vec![BurnEvent::BurnForBitcoin.signature_hash(), sender_topic()],
            data,
            1,
            0,
        )
    }

    fn padded(text: &[u8]) -> Vec<u8> {
        let mut v = text.to_vec();
        while v.len() % 32 != 0 {
            v.push(0);
        }
        v
    }

    fn decode(logs: &[Log]) -> DecodedLogs {
        decode_logs(Network::Mainnet, BRIDGE, logs, &Policy::default())
    }

    fn only_code(logs: &[Log]) -> &'static str {
        let d = decode(logs);
        assert!(d.burns.is_empty(), "{d:?}");
        assert_eq!(d.rejected.len(), 1, "{d:?}");
        d.rejected[0].reason.code()
    }

    #[test]
    fn signatures_are_the_events_keccak() {
        use alloy_primitives::keccak256;
        assert_eq!(
            BurnEvent::RequestPegOut.signature_hash(),
            keccak256("RequestPegOut(address,bytes,uint256)").0
        );
        assert_eq!(
            BurnEvent::BurnForBitcoin.signature_hash(),
            keccak256("BurnForBitcoin(address,uint256,string)").0
        );
    }

    #[test]
    fn both_events_decode() {
        let wei = wei_of(2_000_000) + U256::from(123u64);
        let d = decode(&[
            request(MAINNET_BECH32.as_bytes(), wei, 1, 7),
            burn_for_bitcoin("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", wei, 2, 3),
        ]);
        assert!(d.rejected.is_empty(), "{d:?}");
        assert_eq!(d.burns.len(), 2);
        let b = &d.burns[0];
        assert_eq!(
            b.id,
            BurnId {
                transaction_hash: tx(1),
                event_index: 0
            }
        );
        assert_eq!(b.evm_sender, SENDER);
        assert_eq!(b.destination, MAINNET_BECH32);
        assert_eq!(crate::hex::encode(&b.script_pubkey), MAINNET_SCRIPT);
        assert_eq!((b.wei, b.sats, b.remainder_wei), (wei, 2_000_000, 123));
        assert_eq!(b.block_number, 100);
        let b = &d.burns[1];
        assert_eq!(b.id.transaction_hash, tx(2));
        assert_eq!(
            crate::hex::encode(&b.script_pubkey),
            "76a914a31c06bd463e3923bc1aadbde48b16976c08071788ac"
        );
    }

    #[test]
    fn hand_encoding_matches_alloy() {
        let text = MAINNET_BECH32.as_bytes();
        let hand = hand_burn(0x40, text.len() as u64, &padded(text));
        assert_eq!(
            hand,
            burn_for_bitcoin(MAINNET_BECH32, wei_of(2_000_000), 1, 0)
        );
        assert_eq!(decode(&[hand]).burns.len(), 1);
    }

    #[test]
    fn malformed_abi_is_refused() {
        let text = MAINNET_BECH32.as_bytes();
        let len = text.len() as u64;
        // Offset beyond the data.
        assert_eq!(
            only_code(&[hand_burn(0x400, len, &padded(text))]),
            "invalid_event_data"
        );
        // Non-canonical offset (a gap before the string).
        let mut gap = vec![0u8; 32];
        gap.extend_from_slice(&word(len));
        gap.extend_from_slice(&padded(text));
        let mut l = hand_burn(0x60, len, &[]);
        l.data.truncate(64);
        l.data.extend_from_slice(&gap);
        assert_eq!(only_code(&[l]), "invalid_event_data");
        // Length beyond the data.
        assert_eq!(
            only_code(&[hand_burn(0x40, 1000, &padded(text))]),
            "invalid_event_data"
        );
        // Non-zero padding.
        let mut dirty = padded(text);
        *dirty.last_mut().unwrap() = 1;
        assert_eq!(
            only_code(&[hand_burn(0x40, len, &dirty)]),
            "invalid_event_data"
        );
        // Trailing bytes.
        let mut trailing = padded(text);
        trailing.extend_from_slice(&[0u8; 32]);
        assert_eq!(
            only_code(&[hand_burn(0x40, len, &trailing)]),
            "invalid_event_data"
        );
        // Truncated: no length word.
        let mut short = hand_burn(0x40, len, &[]);
        short.data.truncate(64);
        assert_eq!(only_code(&[short]), "invalid_event_data");
        // Empty data.
        let mut empty = hand_burn(0x40, len, &[]);
        empty.data.clear();
        assert_eq!(only_code(&[empty]), "invalid_event_data");
        // The same cases for RequestPegOut, from alloy's own encoding.
        let good = request(text, wei_of(2_000_000), 1, 0);
        let mut bad_offset = good.clone();
        bad_offset.data[31] = 0x41;
        assert_eq!(only_code(&[bad_offset]), "invalid_event_data");
        let mut bad_len = good.clone();
        bad_len.data[95] = 0xff;
        assert_eq!(only_code(&[bad_len]), "invalid_event_data");
        let mut bad_pad = good.clone();
        *bad_pad.data.last_mut().unwrap() = 7;
        assert_eq!(only_code(&[bad_pad]), "invalid_event_data");
        let mut trailing = good;
        trailing.data.push(0);
        assert_eq!(only_code(&[trailing]), "invalid_event_data");
    }

    #[test]
    fn topics_are_checked() {
        let good = burn_for_bitcoin(MAINNET_BECH32, wei_of(2_000_000), 1, 0);
        let mut dirty = good.clone();
        dirty.topics[1][0] = 1;
        assert_eq!(only_code(&[dirty.clone()]), "invalid_address_topic");
        dirty.topics[1] = [0u8; 32];
        dirty.topics[1][11] = 1;
        assert_eq!(only_code(&[dirty]), "invalid_address_topic");
        let mut missing = good.clone();
        missing.topics.pop();
        assert_eq!(only_code(&[missing]), "invalid_topic_count");
        let mut extra = good.clone();
        extra.topics.push([0u8; 32]);
        assert_eq!(only_code(&[extra]), "invalid_topic_count");
        let mut request_extra = request(MAINNET_BECH32.as_bytes(), wei_of(2_000_000), 1, 0);
        request_extra.topics.push(sender_topic());
        assert_eq!(only_code(&[request_extra]), "invalid_topic_count");
        // A malformed burn is recorded under its burn identity.
        let d = decode(&[{
            let mut l = good;
            l.topics.pop();
            l
        }]);
        assert_eq!(
            d.rejected[0].id,
            RejectedId::Burn(BurnId {
                transaction_hash: tx(1),
                event_index: 0
            })
        );
    }

    #[test]
    fn destination_must_be_utf8() {
        let bad = [0x62, 0x63, 0xff, 0x31];
        let d = decode(&[
            hand_burn(0x40, 4, &padded(&bad)),
            request(&bad, wei_of(2_000_000), 2, 0),
        ]);
        assert!(d.burns.is_empty());
        for r in &d.rejected {
            assert_eq!(r.reason.code(), "destination_not_utf8");
            assert!(matches!(
                r.reason,
                RejectReason::DestinationNotUtf8 { valid_up_to: 2, .. }
            ));
        }
        assert_eq!(d.rejected.len(), 2);
        // Malformed data with invalid UTF-8 is malformed data.
        assert_eq!(only_code(&[hand_burn(0x40, 4, &bad)]), "invalid_event_data");
    }

    #[test]
    fn only_bridge_burn_events_count() {
        let good = burn_for_bitcoin(MAINNET_BECH32, wei_of(2_000_000), 1, 0);
        let mut other_contract = good.clone();
        other_contract.address = [0xcc; 20];
        let mut removed = good.clone();
        removed.removed = true;
        let mut other_event = good.clone();
        other_event.topics[0] = [0xee; 32];
        let mut no_topics = good.clone();
        no_topics.topics.clear();
        for (l, code) in [
            (other_contract, "not_bridge"),
            (removed, "removed"),
            (other_event, "unknown_event"),
            (no_topics, "unknown_event"),
        ] {
            let d = decode(core::slice::from_ref(&l));
            assert!(d.burns.is_empty());
            assert_eq!(d.rejected.len(), 1);
            assert_eq!(d.rejected[0].reason.code(), code);
            assert_eq!(
                d.rejected[0].id,
                RejectedId::Log {
                    transaction_hash: tx(1),
                    log_index: 0
                }
            );
        }
        // A custom bridge address.
        let d = decode_logs(Network::Mainnet, [0xcc; 20], &[good], &Policy::default());
        assert_eq!(d.rejected[0].reason.code(), "not_bridge");
    }

    #[test]
    fn event_indexes_by_log_index_within_a_transaction() {
        let w = wei_of(2_000_000);
        let mut malformed = burn_for_bitcoin(MAINNET_BECH32, w, 1, 20);
        malformed.topics.pop();
        let mut removed = burn_for_bitcoin(MAINNET_BECH32, w, 1, 5);
        removed.removed = true;
        let mut foreign = burn_for_bitcoin(MAINNET_BECH32, w, 1, 8);
        foreign.address = [0xcc; 20];
        let mut other = burn_for_bitcoin(MAINNET_BECH32, w, 1, 9);
        other.topics[0] = [1; 32];
        let logs = vec![
            burn_for_bitcoin(MAINNET_BECH32, w + U256::from(3u8), 1, 30),
            malformed,
            request(MAINNET_BECH32.as_bytes(), w + U256::from(1u8), 1, 10),
            removed,
            foreign,
            other,
            burn_for_bitcoin(MAINNET_BECH32, w + U256::from(4u8), 2, 1),
            request(MAINNET_BECH32.as_bytes(), w + U256::from(2u8), 1, 12),
        ];
        let d = decode(&logs);
        let got: Vec<(u8, u32, u64)> = d
            .burns
            .iter()
            .map(|b| (b.id.transaction_hash[0], b.id.event_index, b.remainder_wei))
            .collect();
        // tx 1: log 10 -> 0, log 12 -> 1, log 20 (malformed) -> 2, log 30 -> 3.
        assert_eq!(got, vec![(1, 0, 1), (1, 1, 2), (1, 3, 3), (2, 0, 4)]);
        let codes: Vec<&str> = d.rejected.iter().map(|r| r.reason.code()).collect();
        assert_eq!(
            codes,
            vec![
                "invalid_topic_count",
                "removed",
                "not_bridge",
                "unknown_event"
            ]
        );
        assert_eq!(
            d.rejected[0].id,
            RejectedId::Burn(BurnId {
                transaction_hash: tx(1),
                event_index: 2
            })
        );
        // The order of the input does not change anything but the order of rejections.
        let mut reversed = logs.clone();
        reversed.reverse();
        let r = decode(&reversed);
        assert_eq!(r.burns, d.burns);
        let mut a = r.rejected.clone();
        a.reverse();
        assert_eq!(a, d.rejected);
    }

    #[test]
    fn burns_in_payment_order() {
        let w = wei_of(2_000_000);
        let mut late = burn_for_bitcoin(MAINNET_BECH32, w, 1, 0);
        late.block_number = 200;
        let d = decode(&[
            late,
            burn_for_bitcoin(MAINNET_BECH32, w, 9, 50),
            burn_for_bitcoin(MAINNET_BECH32, w, 3, 60),
        ]);
        let order: Vec<(u64, u8)> = d
            .burns
            .iter()
            .map(|b| (b.block_number, b.id.transaction_hash[0]))
            .collect();
        assert_eq!(order, vec![(100, 3), (100, 9), (200, 1)]);
    }

    #[test]
    fn duplicates_are_paid_once() {
        let w = wei_of(2_000_000);
        let a = burn_for_bitcoin(MAINNET_BECH32, w, 1, 4);
        let b = request(MAINNET_BECH32.as_bytes(), w, 1, 6);
        // The same log twice.
        let d = decode(&[a.clone(), b.clone(), a.clone()]);
        assert_eq!(d.burns.len(), 2);
        assert_eq!(d.rejected.len(), 1);
        assert_eq!(d.rejected[0].reason, RejectReason::DuplicateLog);
        assert_eq!(
            d.rejected[0].id,
            RejectedId::Log {
                transaction_hash: tx(1),
                log_index: 4
            }
        );
        assert_eq!(d.burns[1].id.event_index, 1, "the duplicate takes no index");
        // The same transaction re-mined in another block (other log indexes).
        let mut a2 = a.clone();
        a2.block_number = 101;
        a2.block_hash = Some([0xb2; 32]);
        a2.log_index = 0;
        let mut b2 = b.clone();
        b2.block_number = 101;
        b2.block_hash = Some([0xb2; 32]);
        b2.log_index = 1;
        let d = decode(&[b2, a2, a, b]);
        assert_eq!(d.burns.len(), 2);
        assert!(d.burns.iter().all(|x| x.block_number == 100));
        assert_eq!(d.rejected.len(), 2);
        for r in &d.rejected {
            assert_eq!(r.reason.code(), "duplicate_burn");
            assert!(matches!(r.id, RejectedId::Log { .. }));
        }
        let mut ids: Vec<BurnId> = d.burns.iter().map(|x| x.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 2);
    }

    #[test]
    fn a_log_also_reported_removed_never_counts() {
        // A log subscription reports a log, then the same log removed after a reorg; the
        // transaction is re-mined in another block.
        let w = wei_of(2_000_000);
        let a = burn_for_bitcoin(MAINNET_BECH32, w, 1, 4);
        let mut gone = a.clone();
        gone.removed = true;
        let mut again = a.clone();
        again.block_number = 101;
        again.block_hash = Some([0xb2; 32]);
        let d = decode(&[a.clone(), gone.clone(), again]);
        assert_eq!(d.burns.len(), 1);
        assert_eq!(d.burns[0].block_number, 101);
        assert_eq!(d.burns[0].id.event_index, 0);
        let codes: Vec<&str> = d.rejected.iter().map(|r| r.reason.code()).collect();
        assert_eq!(codes, vec!["removed", "removed"]);
        // Not re-mined: nothing to pay.
        assert!(decode(&[a, gone]).burns.is_empty());
    }

    #[test]
    fn amounts() {
        let p = Policy::default();
        let at = |wei: U256| decode(&[burn_for_bitcoin(MAINNET_BECH32, wei, 1, 0)]);
        let min = wei_of(p.min_amount);
        let max = wei_of(p.max_amount);
        assert_eq!(at(min).burns[0].sats, p.min_amount);
        assert_eq!(
            at(min - U256::from(1u8)).rejected[0].reason.code(),
            "amount_below_minimum"
        );
        assert_eq!(
            at(min - U256::from(1u8)).rejected[0].reason,
            RejectReason::BelowMinimum {
                sats: p.min_amount - 1,
                min: p.min_amount
            }
        );
        assert_eq!(at(max).burns[0].sats, p.max_amount);
        let top = max + U256::from(WEI_PER_SAT - 1);
        assert_eq!(at(top).burns[0].remainder_wei, WEI_PER_SAT - 1);
        assert_eq!(
            at(max + U256::from(WEI_PER_SAT)).rejected[0].reason.code(),
            "amount_above_maximum"
        );
        assert_eq!(
            at(U256::MAX).rejected[0].reason.code(),
            "amount_above_maximum"
        );
        let beyond_u64 = wei_of(u64::MAX) + U256::from(WEI_PER_SAT);
        let loose = Policy {
            max_amount: u64::MAX,
            ..p
        };
        let d = decode_logs(
            Network::Mainnet,
            BRIDGE,
            &[burn_for_bitcoin(MAINNET_BECH32, beyond_u64, 1, 0)],
            &loose,
        );
        assert_eq!(d.rejected[0].reason.code(), "amount_above_maximum");
        let d = decode_logs(
            Network::Mainnet,
            BRIDGE,
            &[burn_for_bitcoin(MAINNET_BECH32, wei_of(u64::MAX), 1, 0)],
            &loose,
        );
        assert_eq!(d.burns[0].sats, u64::MAX);
        assert_eq!(
            at(U256::ZERO).rejected[0].reason.code(),
            "amount_below_minimum"
        );
    }

    #[test]
    fn destinations_for_every_network() {
        let mainnet = [MAINNET_BECH32, "1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo"];
        let test = [
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
            "mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ",
        ];
        let regtest = ["bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9"];
        for network in Network::ALL {
            for dest in mainnet.iter().chain(&test).chain(&regtest) {
                let ok = match network {
                    Network::Mainnet => mainnet.contains(dest),
                    Network::Regtest => regtest.contains(dest) || dest.starts_with('m'),
                    _ => test.contains(dest),
                };
                let d = decode_logs(
                    network,
                    BRIDGE,
                    &[request(dest.as_bytes(), wei_of(2_000_000), 1, 0)],
                    &Policy::default(),
                );
                if ok {
                    assert_eq!(d.burns.len(), 1, "{network} {dest}");
                } else {
                    assert_eq!(
                        d.rejected[0].reason.code(),
                        "wrong_network",
                        "{network} {dest}"
                    );
                    assert!(matches!(
                        &d.rejected[0].reason,
                        RejectReason::InvalidDestination { destination, .. } if destination == dest
                    ));
                }
            }
        }
        for (dest, code) in [
            ("", "invalid_address_length"),
            (
                "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
                "invalid_checksum",
            ),
            (
                "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
                "unknown_witness_version",
            ),
            (
                " bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                "invalid_character",
            ),
        ] {
            assert_eq!(
                only_code(&[burn_for_bitcoin(dest, wei_of(2_000_000), 1, 0)]),
                code,
                "{dest:?}"
            );
        }
    }

    #[test]
    fn messages_name_the_problem() {
        let mut l = burn_for_bitcoin(&"x".repeat(1000), wei_of(2_000_000), 1, 0);
        let d = decode(core::slice::from_ref(&l));
        let message = alloc::format!("{}", d.rejected[0].reason);
        assert!(message.len() < 200, "{message}");
        l.address = [0xcc; 20];
        let message = alloc::format!("{}", decode(&[l]).rejected[0].reason);
        assert!(
            message.contains("0xcccccccccccccccccccccccccccccccccccccccc"),
            "{message}"
        );
    }

    proptest::proptest! {
        #[test]
        fn round_trip(
            sender in proptest::array::uniform20(proptest::num::u8::ANY),
            wei in proptest::array::uniform32(proptest::num::u8::ANY),
            text in ".{0,120}",
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..120),
            which in proptest::bool::ANY,
            tx_hash in proptest::array::uniform32(proptest::num::u8::ANY),
            log_index in proptest::num::u64::ANY,
        ) {
            let wei = U256::from_be_bytes(wei);
            let data = if which {
                abi::BurnForBitcoin { burner: Address::from(sender), amount: wei, btcAddress: text.clone() }.encode_log_data()
            } else {
                abi::RequestPegOut { _evmAddress: Address::from(sender), _bitcoinAddress: Bytes::from(bytes.clone()), _value: wei }.encode_log_data()
            };
            let mut l = from_log_data(data, 0, log_index);
            l.transaction_hash = tx_hash;
            let event = if which { BurnEvent::BurnForBitcoin } else { BurnEvent::RequestPegOut };
            let fields = decode_fields(&l, event);
            if which {
                proptest::prop_assert_eq!(fields, Ok((sender, text, wei)));
            } else {
                match core::str::from_utf8(&bytes) {
                    Ok(t) => proptest::prop_assert_eq!(fields, Ok((sender, String::from(t), wei))),
                    Err(e) => proptest::prop_assert_eq!(
                        fields,
                        Err(RejectReason::DestinationNotUtf8 { event, valid_up_to: e.valid_up_to() })
                    ),
                }
            }
            // Through decode_logs: one outcome, under this burn's identity.
            let d = decode_logs(Network::Mainnet, BRIDGE, &[l], &Policy { min_amount: 0, max_amount: u64::MAX, ..Policy::default() });
            proptest::prop_assert_eq!(d.burns.len() + d.rejected.len(), 1);
            for r in &d.rejected {
                proptest::prop_assert_eq!(r.id, RejectedId::Burn(BurnId { transaction_hash: tx_hash, event_index: 0 }));
            }
        }
    }
}
