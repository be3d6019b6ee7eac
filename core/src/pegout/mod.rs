//! Peg-out: burn events on the EVM chain, and the deterministic Bitcoin payment that every
//! federation member rebuilds and checks before signing (`../shared/DESIGN.md`, "Peg-out").
//!
//! The flow: [`events`] turns raw EVM logs into [`Burn`]s and [`Rejection`]s (no burn is ever
//! dropped without a record), [`payment`] builds the one transaction that pays a list of burns
//! from federation UTXOs, and [`check`] is what each member runs on a proposed payment before
//! signing it.

use crate::address::AddressError;
pub mod check;
pub mod payment;

pub use check::{CheckedProposal, ProposalError, ProposalRequest, build_proposal, check_proposal};
pub use payment::{BuildError, Payment, build_payment, dust_threshold};

use crate::{ErrorCode, OutPoint};
use alloc::string::String;
use alloc::vec::Vec;
use alloy_primitives::U256;
use core::cmp::Ordering;
use core::fmt;

pub mod events;

pub use events::{BurnEvent, DecodedLogs, Log, decode_logs};

/// The bridge contract's default address (Alys): `0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB`.
pub const DEFAULT_BRIDGE: [u8; 20] = [0xbb; 20];

/// Wei per satoshi: 10¹⁰ (the sidechain's BTC has 18 decimals, Bitcoin's 8).
pub const WEI_PER_SAT: u64 = 10_000_000_000;

/// `wei` in whole satoshis and the wei left over (`wei / 10¹⁰` and `wei mod 10¹⁰`), or `None`
/// if the satoshis do not fit a `u64`.
///
/// Long division by the 64-bit [`WEI_PER_SAT`], one 64-bit limb at a time from the top (a general
/// 256-bit division is several KB more in the WebAssembly build).
pub fn wei_to_sats(wei: &U256) -> Option<(u64, u64)> {
    let mut quotient = *wei.as_limbs();
    let remainder = div_rem_limbs(&mut quotient, WEI_PER_SAT)?;
    match quotient {
        [sats, 0, 0, 0] => Some((sats, remainder)),
        _ => None,
    }
}

/// Divides the 256-bit little-endian `limbs` by `divisor` in place, one 64-bit limb at a time
/// from the top, and returns the remainder (`None` only for a zero divisor).
fn div_rem_limbs(limbs: &mut [u64; 4], divisor: u64) -> Option<u64> {
    let d = u128::from(divisor);
    let mut remainder: u64 = 0;
    for limb in limbs.iter_mut().rev() {
        // remainder < divisor ≤ 2^64 - 1, so the quotient fits 64 bits.
        let n = (u128::from(remainder) << 64) | u128::from(*limb);
        *limb = u64::try_from(n.checked_div(d)?).ok()?;
        remainder = u64::try_from(n.checked_rem(d)?).ok()?;
    }
    Some(remainder)
}

/// A 256-bit amount (wei) in decimal, as `Display` (the formatter's width, fill, alignment and
/// `+` flag apply, as for integers): the value divided by 10¹⁹ limb by limb, each 19-digit group
/// written in ASCII (ruint's own `Display` pulls a 128-bit formatter and its own buffer into the
/// WebAssembly build).
#[derive(Debug, Clone, Copy)]
pub struct Decimal<'a>(pub &'a U256);

impl fmt::Display for Decimal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const GROUP: u64 = 10_000_000_000_000_000_000; // 10^19, below 2^64
        // 2^256 < 10^78: at most 78 digits, written from the end.
        let mut digits = [b'0'; 78];
        let mut start = digits.len();
        let mut limbs = *self.0.as_limbs();
        for group in digits.rchunks_mut(19) {
            let mut remainder = div_rem_limbs(&mut limbs, GROUP).unwrap_or(0);
            let mut written = group.len();
            for (digit, slot) in group.iter_mut().rev().enumerate() {
                *slot = b'0'.saturating_add((remainder % 10) as u8);
                remainder /= 10;
                if remainder == 0 && limbs == [0; 4] {
                    written = digit.saturating_add(1);
                    break;
                }
            }
            start = start.saturating_sub(written);
            if limbs == [0; 4] {
                break;
            }
        }
        let text = digits.get(start..).unwrap_or_default();
        f.pad_integral(true, "", core::str::from_utf8(text).unwrap_or("0"))
    }
}

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
    /// The log was removed from the chain by a reorganization (`removed: true`), or the same
    /// log (transaction, block, log index) is also given as removed.
    Removed,
    /// The log was emitted by another contract than the bridge.
    NotBridge {
        /// The emitting contract.
        address: [u8; 20],
    },
    /// A bridge log whose first topic is neither burn event's signature (or that has no topic).
    UnknownEvent {
        /// The first topic, if any.
        topic0: Option<[u8; 32]>,
    },
    /// A burn event with another number of topics than its signature and indexed address.
    InvalidTopicCount {
        /// The event its first topic names.
        event: BurnEvent,
        /// The number of topics.
        count: usize,
    },
    /// A burn event whose indexed address topic is not a 20-byte address left-padded with
    /// zeros.
    InvalidAddressTopic {
        /// The event.
        event: BurnEvent,
        /// The topic.
        topic: [u8; 32],
    },
    /// A burn event whose data is not the strict ABI encoding of its fields (offsets, lengths,
    /// zero padding, trailing bytes).
    InvalidEventData {
        /// The event.
        event: BurnEvent,
        /// The data's length in bytes.
        length: usize,
        /// What the ABI decoder found wrong.
        problem: &'static str,
    },
    /// The destination address in a burn event is not UTF-8 text.
    DestinationNotUtf8 {
        /// The event.
        event: BurnEvent,
        /// Length of the valid UTF-8 prefix.
        valid_up_to: usize,
    },
    /// The destination is not an address the federation can pay on its network.
    InvalidDestination {
        /// The destination as the event carried it.
        destination: String,
        /// Why it was refused (its code is the rejection's code).
        error: AddressError,
    },
    /// The same log (transaction, block, log index) was given more than once; the first is
    /// decoded, the others rejected.
    DuplicateLog,
    /// A burn whose identity (transaction hash, event index) was already decoded from another
    /// log, e.g. the same transaction reported in two blocks: it is decoded once.
    DuplicateBurn {
        /// The identity taken by the earlier log.
        id: BurnId,
    },
    /// A transaction with more bridge burn events than an event index can count (2³²).
    TooManyEvents,
    /// A burn whose id was already given to the payment builder (earlier in burn order): a
    /// burn is paid at most once.
    RepeatedBurn {
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

/// At most this many characters of a destination go into a message.
const SHOWN_DESTINATION: usize = 100;

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
                    "burn of {} wei is above the maximum peg-out of {max} sat",
                    Decimal(wei)
                )
            }
            Self::Removed => f.write_str("the log was removed from the chain by a reorganization"),
            Self::NotBridge { address } => {
                f.write_str("log emitted by 0x")?;
                address.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
                f.write_str(", not by the bridge")
            }
            Self::UnknownEvent { topic0: None } => f.write_str("bridge log without topics"),
            Self::UnknownEvent { topic0: Some(t) } => {
                f.write_str("bridge log with topic0 0x")?;
                t.iter().try_for_each(|b| write!(f, "{b:02x}"))?;
                f.write_str(", not a burn event")
            }
            Self::InvalidTopicCount { event, count } => {
                write!(f, "{event} event with {count} topics, expected 2")
            }
            Self::InvalidAddressTopic { event, .. } => write!(
                f,
                "{event} event whose indexed address topic has non-zero high bytes"
            ),
            Self::InvalidEventData {
                event,
                length,
                problem,
            } => write!(f, "{event} event data ({length} bytes): {problem}"),
            Self::DestinationNotUtf8 { event, valid_up_to } => write!(
                f,
                "{event} destination is not UTF-8 (invalid after byte {valid_up_to})"
            ),
            Self::InvalidDestination { destination, error } => {
                let shown: String = destination.chars().take(SHOWN_DESTINATION).collect();
                let more = if shown.len() < destination.len() {
                    "…"
                } else {
                    ""
                };
                write!(
                    f,
                    "destination {}{more}: {error}",
                    crate::quote::Quoted(&shown)
                )
            }
            Self::DuplicateLog => f.write_str("the same log was given more than once"),
            Self::DuplicateBurn { id } => {
                f.write_str("burn 0x")?;
                id.transaction_hash
                    .iter()
                    .try_for_each(|b| write!(f, "{b:02x}"))?;
                write!(
                    f,
                    " event {} was already decoded from another log",
                    id.event_index
                )
            }
            Self::TooManyEvents => {
                f.write_str("more burn events in one transaction than an event index counts")
            }
            Self::RepeatedBurn { block_number } => write!(
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
            Self::Removed => "removed",
            Self::NotBridge { .. } => "not_bridge",
            Self::UnknownEvent { .. } => "unknown_event",
            Self::InvalidTopicCount { .. } => "invalid_topic_count",
            Self::InvalidAddressTopic { .. } => "invalid_address_topic",
            Self::InvalidEventData { .. } => "invalid_event_data",
            Self::DestinationNotUtf8 { .. } => "destination_not_utf8",
            Self::InvalidDestination { error, .. } => error.code(),
            Self::DuplicateLog => "duplicate_log",
            Self::DuplicateBurn { .. } => "duplicate_burn",
            Self::TooManyEvents => "too_many_events",
            Self::RepeatedBurn { .. } => "duplicate_burn",
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

/// Sorts `items` by `cmp`, keeping equal items in their order (as `slice::sort_by`). The standard
/// library's sort is compiled anew for every element type and comparison (about 20 KB of
/// WebAssembly each); this sorts positions once, in one non-generic function, then moves the
/// items into place.
pub(crate) fn sort_stable_by<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = stable_order(items.len(), &|a, b| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    });
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

/// The positions `0..len` in stable sorted order by `cmp` (on positions).
#[inline(never)]
fn stable_order(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod wei_tests {
    use super::{WEI_PER_SAT, wei_to_sats};
    use alloc::vec;
    use alloy_primitives::U256;

    /// The reference: ruint's general 256-bit division.
    fn reference(wei: U256) -> Option<(u64, u64)> {
        let d = U256::from(WEI_PER_SAT);
        Some((u64::try_from(wei / d).ok()?, u64::try_from(wei % d).ok()?))
    }

    #[test]
    fn edges() {
        let d = U256::from(WEI_PER_SAT);
        let max = U256::from(u64::MAX) * d + U256::from(WEI_PER_SAT - 1);
        let one = U256::from(1u8);
        assert_eq!(wei_to_sats(&U256::ZERO), Some((0, 0)));
        assert_eq!(wei_to_sats(&(d - one)), Some((0, WEI_PER_SAT - 1)));
        assert_eq!(wei_to_sats(&d), Some((1, 0)));
        assert_eq!(wei_to_sats(&max), Some((u64::MAX, WEI_PER_SAT - 1)));
        assert_eq!(wei_to_sats(&(max + one)), None);
        assert_eq!(wei_to_sats(&U256::MAX), None);
        for shift in [63, 64, 65, 127, 128, 191, 192, 255] {
            let wei = one << shift;
            assert_eq!(wei_to_sats(&wei), reference(wei), "2^{shift}");
        }
    }

    proptest::proptest! {
        #[test]
        fn matches_ruint(
            wei in proptest::array::uniform32(proptest::num::u8::ANY),
            shift in 0usize..256,
        ) {
            // Shifted so that every magnitude is drawn, not only values near 2^256.
            let wei = U256::from_be_bytes(wei) >> shift;
            proptest::prop_assert_eq!(wei_to_sats(&wei), reference(wei));
        }
    }

    #[test]
    fn decimal_matches_ruint_display() {
        use super::Decimal;
        use alloc::format;
        let ten = U256::from(10u8);
        let mut edges = vec![
            U256::ZERO,
            U256::from(1u8),
            U256::from(9u8),
            U256::from(u64::MAX),
            U256::MAX,
            U256::MAX - U256::from(1u8),
        ];
        // Around every power of ten (group boundaries at 10^19, 10^38, 10^57, 10^76).
        let mut p = U256::from(1u8);
        for _ in 0..77 {
            edges.extend([p, p - U256::from(1u8), p + U256::from(1u8)]);
            p *= ten;
        }
        for k in [64usize, 128, 192, 255] {
            let two = U256::from(1u8) << k;
            edges.extend([two, two - U256::from(1u8)]);
        }
        for v in edges {
            assert_eq!(format!("{}", Decimal(&v)), format!("{v}"));
        }
        // The formatter's options, as for integers (and ruint).
        let v = U256::from(1234u32);
        assert_eq!(format!("{:>8}", Decimal(&v)), format!("{v:>8}"));
        assert_eq!(format!("{:08}", Decimal(&v)), "00001234");
        assert_eq!(format!("{:+}", Decimal(&v)), "+1234");
        assert_eq!(format!("{:<6}|", Decimal(&U256::ZERO)), "0     |");
    }

    proptest::proptest! {
        #[test]
        fn decimal_matches_ruint_display_random(limbs in proptest::array::uniform4(proptest::prelude::any::<u64>()), shift in 0usize..256) {
            use super::Decimal;
            use alloc::format;
            let v = U256::from_limbs(limbs) >> shift;
            proptest::prop_assert_eq!(format!("{}", Decimal(&v)), format!("{v}"));
        }
    }
}

#[cfg(test)]
mod order_tests {
    use super::sort_stable_by;
    use alloc::vec::Vec;

    #[test]
    fn sort_stable_by_matches_the_standard_stable_sort() {
        // (key, original position): many equal keys, so stability shows.
        let mut x: u32 = 7;
        for len in [0usize, 1, 2, 3, 19, 20, 21, 500] {
            let items: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((x >> 16) % 13, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_stable_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut std = items.clone();
            std.sort_by_key(|&(k, _)| k);
            assert_eq!(ours, std, "len {len}");
        }
    }
}
