//! The deterministic peg-out payment (`../shared/DESIGN.md`, "Peg-out", steps 1–6): the one
//! transaction that every federation member rebuilds, byte for byte, from the same UTXOs,
//! burns, fee rate and policy.
//!
//! # The algorithm, exactly
//!
//! 1. **Burns.** Sorted by (EVM block number, transaction hash, event index); ties on that key
//!    (the same burn given twice) are broken by the rest of the burn's fields so that the order
//!    does not depend on the input order. Walking that order, a burn whose id was already seen
//!    is rejected (`duplicate_burn`: a burn is paid at most once), a burn below
//!    [`Policy::min_amount`] (or of 0 sat) is rejected (`amount_below_minimum`), above
//!    [`Policy::max_amount`] or above 21,000,000 BTC is rejected (`amount_above_maximum`). The
//!    first [`Policy::max_outputs`] of the remaining burns form the batch; later ones are
//!    neither paid nor rejected (they wait for the next payment). Target
//!    `T = Σ burn sats` (the fee comes out of the peg-out outputs, not on top).
//! 2. **UTXOs.** Sorted by (amount descending, txid as displayed ascending, vout ascending).
//!    First a changeless set: a depth-first branch-and-bound over that order, "include" before
//!    "exclude", for `Σ ∈ [T, T + cost_of_change]` with
//!    `cost_of_change = ceil(rate × (43 + 41 + ceil(satisfaction_weight / 4)) / 1000)`
//!    (a P2TR-sized change output plus the input that later spends it). See [`BNB_MAX_STEPS`]
//!    for the search, its pruning and its step cap. Else the largest-first prefix of the
//!    order whose sum first reaches `T`. Inputs appear in the transaction in the sorted order.
//! 3. **Change.** A changeless set has no change output. Otherwise `change = Σ inputs − T`
//!    (it does not depend on the fee) goes to the federation's script if it is at least the
//!    script's [`dust_threshold`]; below that there is no change output and the excess goes to
//!    the fee (the federation, not the users, pays it).
//! 4. **Fee.** `rate_fee = ceil(rate × vsize / 1000)` where `vsize` is that of the **finished**
//!    transaction (see [`finished_vsize`]). It is split across the `m` peg-out outputs: each
//!    pays `floor(rate_fee / m)`, and the first `rate_fee mod m` outputs in burn order pay 1 sat
//!    more. Each peg-out output is its burn's sats minus its share.
//! 5. **Dust.** If some peg-out output would be below its script's [`dust_threshold`], the
//!    **first** such burn in burn order is rejected alone (`dust_after_fee`) and the whole
//!    payment is rebuilt from step 1's list without it (the batch may then take in the next
//!    pending burn); this repeats until no output is dust.
//! 6. **Transaction.** Version 2, lock time 0, every input's sequence `0xfffffffd` (replaceable,
//!    no relative lock), empty scriptSigs and witnesses (members sign it later); outputs: the
//!    peg-outs in burn order, then the change.
//!
//! # What `fee` means
//!
//! [`Payment::fee`] is what miners get: `Σ inputs − Σ outputs` = [`Payment::rate_fee`] (the
//! users' share, taken from their outputs) + the federation's excess (a changeless set's
//! `Σ − T`, or change below dust). [`Policy::max_fee`] caps that total, so no proposal can send
//! more than the cap to miners whoever pays it. [`super::check`] reports the same two numbers.

use super::{Burn, BurnId, Policy, RejectReason, RejectedId, Rejection, Utxo, sort_stable_by};
use crate::ErrorCode;
use crate::encode::compact_size_len;
use crate::federation::Federation;
use crate::keymap::KeyMap;
use crate::pegin::MAX_MONEY;
use crate::script::{OP_0, OP_1, OP_16, OP_RETURN};
use crate::tx::{OutPoint, Transaction, TxIn, TxOut, Witness};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

/// Bitcoin Core's default dust relay fee (`DUST_RELAY_TX_FEE`): 3,000 sat per 1,000 vbytes.
pub const DUST_RELAY_FEE_SAT_KVB: u64 = 3_000;

/// Every input's `nSequence`: `0xfffffffd` (BIP125-replaceable, no relative lock time).
pub const PAYMENT_SEQUENCE: u32 = 0xffff_fffd;

/// The payment's transaction version.
pub const PAYMENT_VERSION: u32 = 2;

/// The most nodes the changeless branch-and-bound visits (Bitcoin Core's `TOTAL_TRIES`).
///
/// The search is part of what every member must agree on, so it is specified exactly. A node
/// is `(i, Σ)`: UTXOs `0..i` of the sorted order have been decided (included or excluded) and
/// `Σ` is the sum of the included ones; the root is `(0, 0)`. Visiting a node counts one step
/// and then, in this order:
/// 1. if `Σ > T + cost_of_change`, the branch is abandoned (more UTXOs only add);
/// 2. if `Σ ≥ T`, the included UTXOs are the changeless set and the search ends (a set is not
///    extended once it reaches the window);
/// 3. if `i` is the number of UTXOs, or `Σ + (sum of UTXOs i..) < T`, the branch is abandoned;
/// 4. else the children are visited depth-first: `(i + 1, Σ + amount_i)` ("include") and its
///    whole subtree first, then `(i + 1, Σ)` ("exclude").
///
/// The pruning in 1 and 3 only abandons branches that contain no set in the window, so the set
/// found is the first in the unpruned include-first order. If the search would visit node
/// number `BNB_MAX_STEPS + 1`, it stops and no changeless set is used (largest-first follows).
pub const BNB_MAX_STEPS: u32 = 100_000;

/// Weight units of a P2TR (or P2WSH) output: amount 8 + script length 1 + script 34 bytes,
/// counted as vbytes in the cost of change.
const CHANGE_OUTPUT_VBYTES: u64 = 43;
/// vbytes of an input without its witness: outpoint 36 + empty scriptSig 1 + sequence 4.
const INPUT_BASE_VBYTES: u64 = 41;

/// The smallest amount an output paying `script_pubkey` may carry under Bitcoin Core's default
/// relay policy (`GetDustThreshold` at [`DUST_RELAY_FEE_SAT_KVB`]): P2PKH 546, P2SH 540,
/// P2WPKH 294, P2WSH 330, P2TR 330; 0 for an unspendable script.
pub fn dust_threshold(script_pubkey: &[u8]) -> u64 {
    dust_threshold_at(script_pubkey, DUST_RELAY_FEE_SAT_KVB)
}

/// Bitcoin Core's `GetDustThreshold` at a dust relay fee of `rate_sat_kvb`: 0 for an
/// unspendable script (starting with `OP_RETURN`, or longer than 10,000 bytes); otherwise the
/// fee, rounded up (`CFeeRate::GetFee`), of the output's serialized size plus the input that
/// would spend it — `32 + 4 + 1 + 107 / 4 + 4 = 67` bytes for a witness program (its witness
/// discounted), `32 + 4 + 1 + 107 + 4 = 148` for anything else.
pub fn dust_threshold_at(script_pubkey: &[u8], rate_sat_kvb: u64) -> u64 {
    const MAX_SCRIPT_SIZE: usize = 10_000;
    if script_pubkey.first() == Some(&OP_RETURN) || script_pubkey.len() > MAX_SCRIPT_SIZE {
        return 0;
    }
    let output = 8usize
        .saturating_add(compact_size_len(script_pubkey.len() as u64))
        .saturating_add(script_pubkey.len());
    let spend = if is_witness_program(script_pubkey) {
        32 + 4 + 1 + 107 / 4 + 4
    } else {
        32 + 4 + 1 + 107 + 4
    };
    let size = output.saturating_add(spend) as u64;
    rate_sat_kvb.saturating_mul(size).div_ceil(1000)
}

/// Core's `CScript::IsWitnessProgram`: 4 to 42 bytes, a version opcode (`OP_0`, `OP_1` …
/// `OP_16`), then one direct push of the rest.
fn is_witness_program(script: &[u8]) -> bool {
    let (Some(&version), Some(&len)) = (script.first(), script.get(1)) else {
        return false;
    };
    (4..=42).contains(&script.len())
        && (version == OP_0 || (OP_1..=OP_16).contains(&version))
        && usize::from(len).saturating_add(2) == script.len()
}

/// Virtual size of `tx` once every input carries a witness of `satisfaction_weight` weight
/// units (the federation's finished k-of-n witness, item count and length prefixes included):
/// `weight = 4 × (size without witness) + 2 (segwit marker and flag, 1 WU each) +
/// Σ satisfaction weights`, `vsize = ceil(weight / 4)` (BIP141). Witnesses already in `tx`
/// are ignored: only its serialization without witness is measured. For a P2WSH federation
/// the satisfaction weight counts every ECDSA signature at its 72-byte maximum, so the fee is
/// computed on an upper bound of the real size (a signature is 71 or 72 bytes in practice).
pub fn finished_vsize(tx: &Transaction, satisfaction_weight: u64) -> u64 {
    let witnesses = satisfaction_weight.saturating_mul(tx.inputs.len() as u64);
    (tx.base_size() as u64)
        .saturating_mul(4)
        .saturating_add(2)
        .saturating_add(witnesses)
        .div_ceil(4)
}

/// `ceil(rate × (43 + 41 + ceil(satisfaction_weight / 4)) / 1000)`: what a change output and
/// the later spend of it cost at `rate`; the width of the changeless window.
pub fn cost_of_change(fee_rate_sat_kvb: u64, satisfaction_weight: u64) -> u64 {
    let vbytes = CHANGE_OUTPUT_VBYTES
        .saturating_add(INPUT_BASE_VBYTES)
        .saturating_add(satisfaction_weight.div_ceil(4));
    fee_rate_sat_kvb.saturating_mul(vbytes).div_ceil(1000)
}

/// A built payment: the unsigned transaction and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The unsigned transaction (empty scriptSigs and witnesses).
    pub tx: Transaction,
    /// The outputs it spends, one per input (the federation's script and the UTXO's amount):
    /// what members need for BIP341 sighashes.
    pub prevouts: Vec<TxOut>,
    /// What miners get: `Σ inputs − Σ outputs` (the users' [`Payment::rate_fee`] plus any
    /// excess the federation leaves: a changeless set's surplus or change below dust).
    pub fee: u64,
    /// The users' share: `ceil(rate × finished vsize / 1000)`, split across the peg-outs.
    pub rate_fee: u64,
    /// The burns paid, one output each, in output order.
    pub paid: Vec<BurnId>,
    /// Burns not paid, in burn order: duplicates, outside the policy's amounts, or dust once
    /// their fee share is taken. Burns beyond `max_outputs` are in neither list.
    pub rejected: Vec<Rejection>,
}

impl Payment {
    /// The change output's amount, if the payment has one (the last output, to the federation).
    pub fn change(&self) -> Option<u64> {
        if self.tx.outputs.len() > self.paid.len() {
            self.tx
                .outputs
                .last()
                .and_then(|o| u64::try_from(o.value).ok())
        } else {
            None
        }
    }
}

/// Which total went past 21,000,000 BTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// The UTXOs given.
    Utxos,
    /// The burns of one payment.
    Burns,
    /// The fee (rate × vsize).
    Fee,
}

impl Total {
    fn name(self) -> &'static str {
        match self {
            Self::Utxos => "the utxos",
            Self::Burns => "the burns",
            Self::Fee => "the fee",
        }
    }
}

/// Why no payment can be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// The fee rate is outside the policy's bounds.
    FeeRateOutOfRange {
        /// The rate asked for, sat per 1,000 vbytes.
        rate: u64,
        /// The policy's lowest rate.
        min: u64,
        /// The policy's highest rate.
        max: u64,
    },
    /// The same outpoint twice in the UTXO set (the smallest such outpoint).
    DuplicateUtxo {
        /// The outpoint.
        outpoint: OutPoint,
    },
    /// A total above 21,000,000 BTC.
    AmountOverflow {
        /// Which total.
        total: Total,
    },
    /// No burn left to pay: every burn was rejected (the records are here), none was given,
    /// or `max_outputs` is 0.
    NoBurns {
        /// The rejected burns, in burn order.
        rejected: Vec<Rejection>,
    },
    /// The UTXOs do not cover the burns.
    InsufficientFunds {
        /// Σ of the batch's burns.
        needed: u64,
        /// Σ of the UTXOs.
        available: u64,
    },
    /// The payment would give miners more than the policy's cap.
    FeeAboveCap {
        /// `Σ inputs − Σ outputs`.
        fee: u64,
        /// The policy's `max_fee`.
        max: u64,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FeeRateOutOfRange { rate, min, max } => write!(
                f,
                "fee rate of {rate} sat/kvB is outside the policy's {min} to {max} sat/kvB"
            ),
            Self::DuplicateUtxo { outpoint } => {
                write!(f, "utxo {}:{} is given twice", outpoint.txid, outpoint.vout)
            }
            Self::AmountOverflow { total } => {
                write!(f, "{} add up to more than 21,000,000 BTC", total.name())
            }
            Self::NoBurns { rejected } => {
                write!(f, "no burn left to pay ({} rejected)", rejected.len())
            }
            Self::InsufficientFunds { needed, available } => write!(
                f,
                "the burns need {needed} sat but the utxos hold {available} sat"
            ),
            Self::FeeAboveCap { fee, max } => {
                write!(f, "fee of {fee} sat is above the policy's cap of {max} sat")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for BuildError {}

impl ErrorCode for BuildError {
    fn code(&self) -> &'static str {
        match self {
            Self::FeeRateOutOfRange { .. } => "fee_rate_out_of_range",
            Self::DuplicateUtxo { .. } => "duplicate_utxo",
            Self::AmountOverflow { .. } => "amount_overflow",
            Self::NoBurns { .. } => "no_burns",
            Self::InsufficientFunds { .. } => "insufficient_funds",
            Self::FeeAboveCap { .. } => "fee_above_cap",
        }
    }
}

/// The burn order of step 1: (block number, transaction hash, event index), then the rest of
/// the burn so that equal keys (duplicates) sort the same whatever the input order.
pub(crate) fn burn_order(a: &Burn, b: &Burn) -> Ordering {
    (a.block_number, a.id)
        .cmp(&(b.block_number, b.id))
        .then_with(|| a.sats.cmp(&b.sats))
        .then_with(|| a.script_pubkey.cmp(&b.script_pubkey))
        .then_with(|| a.wei.cmp(&b.wei))
        .then_with(|| a.remainder_wei.cmp(&b.remainder_wei))
        .then_with(|| a.evm_sender.cmp(&b.evm_sender))
        .then_with(|| a.destination.cmp(&b.destination))
}

/// The UTXO order of step 2: amount descending, txid as displayed ascending, vout ascending.
pub(crate) fn utxo_order(a: &Utxo, b: &Utxo) -> Ordering {
    b.amount
        .cmp(&a.amount)
        .then_with(|| {
            a.outpoint
                .txid
                .to_display_bytes()
                .cmp(&b.outpoint.txid.to_display_bytes())
        })
        .then_with(|| a.outpoint.vout.cmp(&b.outpoint.vout))
}

/// Step 1: the burns in burn order, split into the payable ones and the rejected ones (each
/// rejection with the burn's position in the order).
pub(crate) struct SortedBurns<'a> {
    pub(crate) payable: Vec<(usize, &'a Burn)>,
    pub(crate) rejected: Vec<(usize, &'a Burn, Rejection)>,
}

pub(crate) fn sort_burns<'a>(burns: &'a [Burn], policy: &Policy) -> SortedBurns<'a> {
    let mut sorted: Vec<&Burn> = burns.iter().collect();
    sort_stable_by(&mut sorted, |a, b| burn_order(a, b));
    // A burn of 0 sat is never payable, whatever the policy: the batch's target is then at
    // least 1 sat and the payment always spends at least one UTXO.
    let min = policy.min_amount.max(1);
    let max = policy.max_amount.min(MAX_MONEY);
    let mut seen = KeyMap::new();
    let mut payable = Vec::with_capacity(sorted.len());
    let mut rejected = Vec::new();
    for (position, burn) in sorted.into_iter().enumerate() {
        let reason = if !seen.insert_new(&burn.id, 0) {
            Some(RejectReason::RepeatedBurn {
                block_number: burn.block_number,
            })
        } else if burn.sats < min {
            Some(RejectReason::BelowMinimum {
                sats: burn.sats,
                min,
            })
        } else if burn.sats > max {
            Some(RejectReason::AboveMaximum { wei: burn.wei, max })
        } else {
            None
        };
        match reason {
            Some(reason) => rejected.push((
                position,
                burn,
                Rejection {
                    id: RejectedId::Burn(burn.id),
                    reason,
                },
            )),
            None => payable.push((position, burn)),
        }
    }
    SortedBurns { payable, rejected }
}

/// The UTXOs chosen in step 2, as positions in the sorted order (ascending).
#[derive(Debug)]
struct Selection {
    positions: Vec<usize>,
    total: u64,
    changeless: bool,
}

/// Step 2's branch-and-bound (see [`BNB_MAX_STEPS`]): the positions of the first changeless
/// set, or `None` if there is none or the step cap is reached.
pub(crate) fn branch_and_bound(
    amounts: &[u64],
    target: u64,
    upper: u64,
    max_steps: u32,
) -> Option<Vec<usize>> {
    bnb_search(amounts, target, upper, max_steps).0
}

/// [`branch_and_bound`], also returning the number of nodes visited.
pub(crate) fn bnb_search(
    amounts: &[u64],
    target: u64,
    upper: u64,
    max_steps: u32,
) -> (Option<Vec<usize>>, u32) {
    // suffix[i] = Σ amounts[i..] (amounts are checked to add up to at most MAX_MONEY).
    let mut suffix = alloc::vec![0u64; amounts.len().saturating_add(1)];
    let mut acc = 0u64;
    for (slot, &a) in suffix.iter_mut().zip(amounts.iter()).rev() {
        acc = acc.saturating_add(a);
        *slot = acc;
    }
    // included[d] = whether UTXO d is included on the path to the node being visited.
    let mut included = alloc::vec![false; amounts.len()];
    // Nodes still to visit, depth-first: (depth, Σ, whether the parent included UTXO
    // depth - 1). The exclude child is pushed first so that the include child is visited first.
    let mut stack: Vec<(usize, u64, bool)> = alloc::vec![(0, 0, false)];
    let mut steps = 0u32;
    while let Some((i, sum, include)) = stack.pop() {
        if steps >= max_steps {
            return (None, steps);
        }
        steps = steps.saturating_add(1);
        if let Some(slot) = i.checked_sub(1).and_then(|parent| included.get_mut(parent)) {
            *slot = include;
        }
        if sum > upper {
            continue;
        }
        if sum >= target {
            let positions = included
                .iter()
                .take(i)
                .enumerate()
                .filter(|&(_, &inc)| inc)
                .map(|(p, _)| p)
                .collect();
            return (Some(positions), steps);
        }
        let (Some(&amount), Some(&rest)) = (amounts.get(i), suffix.get(i)) else {
            continue;
        };
        if sum.saturating_add(rest) < target {
            continue;
        }
        let next = i.saturating_add(1);
        stack.push((next, sum, false));
        stack.push((next, sum.saturating_add(amount), true));
    }
    (None, steps)
}

fn select(amounts: &[u64], target: u64, cost_of_change: u64) -> Option<Selection> {
    let upper = target.saturating_add(cost_of_change);
    if let Some(positions) = branch_and_bound(amounts, target, upper, BNB_MAX_STEPS) {
        let total = positions
            .iter()
            .filter_map(|&p| amounts.get(p))
            .fold(0u64, |s, &a| s.saturating_add(a));
        return Some(Selection {
            positions,
            total,
            changeless: true,
        });
    }
    let mut total = 0u64;
    for (p, &a) in amounts.iter().enumerate() {
        total = total.saturating_add(a);
        if total >= target {
            return Some(Selection {
                positions: (0..=p).collect(),
                total,
                changeless: false,
            });
        }
    }
    None
}

fn output_value(sats: u64) -> i64 {
    // Every amount here is at most MAX_MONEY, far inside i64.
    i64::try_from(sats).unwrap_or(i64::MAX)
}

/// Builds the peg-out payment of `burns` from the federation's `utxos` at `fee_rate_sat_kvb`
/// (satoshis per 1,000 vbytes), exactly as the module documentation says, so that every
/// member builds the same bytes from the same values (whatever their order).
///
/// # Errors
/// [`BuildError::FeeRateOutOfRange`] for a rate outside the policy's bounds,
/// [`BuildError::DuplicateUtxo`] for an outpoint given twice, [`BuildError::AmountOverflow`]
/// for UTXOs, burns or a fee adding up to more than 21,000,000 BTC, [`BuildError::NoBurns`]
/// when no burn is left to pay (with the rejections), [`BuildError::InsufficientFunds`] when
/// the UTXOs do not cover the batch, and [`BuildError::FeeAboveCap`] when miners would get
/// more than `max_fee`.
pub fn build_payment(
    federation: &Federation,
    utxos: &[Utxo],
    burns: &[Burn],
    fee_rate_sat_kvb: u64,
    policy: &Policy,
) -> Result<Payment, BuildError> {
    let rate = fee_rate_sat_kvb;
    if rate < policy.min_fee_rate_sat_kvb || rate > policy.max_fee_rate_sat_kvb {
        return Err(BuildError::FeeRateOutOfRange {
            rate,
            min: policy.min_fee_rate_sat_kvb,
            max: policy.max_fee_rate_sat_kvb,
        });
    }
    let mut outpoints: Vec<OutPoint> = utxos.iter().map(|u| u.outpoint).collect();
    sort_stable_by(&mut outpoints, OutPoint::cmp);
    if let Some(&outpoint) = outpoints
        .windows(2)
        .find(|w| w.first() == w.get(1))
        .and_then(|w| w.first())
    {
        return Err(BuildError::DuplicateUtxo { outpoint });
    }
    let mut sorted_utxos = utxos.to_vec();
    sort_stable_by(&mut sorted_utxos, utxo_order);
    let amounts: Vec<u64> = sorted_utxos.iter().map(|u| u.amount).collect();
    let available = amounts
        .iter()
        .try_fold(0u64, |s, &a| s.checked_add(a).filter(|&t| t <= MAX_MONEY))
        .ok_or(BuildError::AmountOverflow {
            total: Total::Utxos,
        })?;

    let sw = federation.satisfaction_weight();
    let fed_script = federation.script_pubkey();
    let change_dust = dust_threshold(fed_script);
    let window = cost_of_change(rate, sw);
    let max_outputs = usize::try_from(policy.max_outputs).unwrap_or(usize::MAX);

    let SortedBurns {
        mut payable,
        rejected,
    } = sort_burns(burns, policy);
    let mut rejected: Vec<(usize, Rejection)> =
        rejected.into_iter().map(|(p, _, r)| (p, r)).collect();

    loop {
        let batch: Vec<(usize, &Burn)> = payable.iter().take(max_outputs).copied().collect();
        if batch.is_empty() {
            sort_stable_by(&mut rejected, |(a, _), (b, _)| a.cmp(b));
            return Err(BuildError::NoBurns {
                rejected: rejected.into_iter().map(|(_, r)| r).collect(),
            });
        }
        let target = batch
            .iter()
            .try_fold(0u64, |s, (_, b)| {
                s.checked_add(b.sats).filter(|&t| t <= MAX_MONEY)
            })
            .ok_or(BuildError::AmountOverflow {
                total: Total::Burns,
            })?;
        let selection = select(&amounts, target, window).ok_or(BuildError::InsufficientFunds {
            needed: target,
            available,
        })?;
        let change = if selection.changeless {
            None
        } else {
            Some(selection.total.saturating_sub(target)).filter(|&c| c >= change_dust)
        };

        let spent: Vec<&Utxo> = selection
            .positions
            .iter()
            .filter_map(|&p| sorted_utxos.get(p))
            .collect();
        let mut outputs: Vec<TxOut> = batch
            .iter()
            .map(|(_, b)| TxOut {
                value: 0,
                script_pubkey: b.script_pubkey.clone(),
            })
            .collect();
        if let Some(c) = change {
            outputs.push(TxOut {
                value: output_value(c),
                script_pubkey: fed_script.to_vec(),
            });
        }
        let mut tx = Transaction {
            version: PAYMENT_VERSION,
            inputs: spent
                .iter()
                .map(|u| TxIn {
                    previous_output: u.outpoint,
                    script_sig: Vec::new(),
                    sequence: PAYMENT_SEQUENCE,
                    witness: Witness::default(),
                })
                .collect(),
            outputs,
            lock_time: 0,
        };
        let vsize = finished_vsize(&tx, sw);
        let rate_fee = rate
            .checked_mul(vsize)
            .map(|x| x.div_ceil(1000))
            .filter(|&f| f <= MAX_MONEY)
            .ok_or(BuildError::AmountOverflow { total: Total::Fee })?;

        let shares = fee_shares(rate_fee, batch.len());
        let mut dust = None;
        for ((out, (position, burn)), share) in tx.outputs.iter_mut().zip(&batch).zip(shares) {
            let threshold = dust_threshold(&burn.script_pubkey);
            match burn.sats.checked_sub(share).filter(|&a| a >= threshold) {
                Some(amount) => out.value = output_value(amount),
                None => {
                    dust = Some((
                        *position,
                        burn.id,
                        RejectReason::DustAfterFee {
                            amount: burn.sats.saturating_sub(share),
                            dust: threshold,
                        },
                    ));
                    break;
                }
            }
        }
        if let Some((position, id, reason)) = dust {
            payable.retain(|(p, _)| *p != position);
            rejected.push((
                position,
                Rejection {
                    id: RejectedId::Burn(id),
                    reason,
                },
            ));
            continue;
        }

        let paid_out = tx.outputs.iter().fold(0u64, |s, o| {
            s.saturating_add(u64::try_from(o.value).unwrap_or(0))
        });
        let fee = selection.total.saturating_sub(paid_out);
        if fee > policy.max_fee {
            return Err(BuildError::FeeAboveCap {
                fee,
                max: policy.max_fee,
            });
        }
        sort_stable_by(&mut rejected, |(a, _), (b, _)| a.cmp(b));
        return Ok(Payment {
            prevouts: spent
                .iter()
                .map(|u| TxOut {
                    value: output_value(u.amount),
                    script_pubkey: fed_script.to_vec(),
                })
                .collect(),
            tx,
            fee,
            rate_fee,
            paid: batch.iter().map(|(_, b)| b.id).collect(),
            rejected: rejected.into_iter().map(|(_, r)| r).collect(),
        });
    }
}

/// Step 4's split of `fee` across `m` outputs: `floor(fee / m)` each, 1 sat more for the first
/// `fee mod m`. Empty for `m = 0`.
pub fn fee_shares(fee: u64, m: usize) -> impl Iterator<Item = u64> {
    let m64 = m as u64;
    let base = fee.checked_div(m64).unwrap_or(0);
    let extra = fee.checked_rem(m64).unwrap_or(0);
    (0..m64).map(move |j| {
        if j < extra {
            base.saturating_add(1)
        } else {
            base
        }
    })
}

#[cfg(test)]
#[path = "payment_tests.rs"]
pub(crate) mod tests;
