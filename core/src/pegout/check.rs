//! The proposal check: what each federation member runs on a proposed peg-out payment before
//! signing it (`../shared/DESIGN.md`, "Peg-out", proposal check).
//!
//! A proposer runs [`build_proposal`]: [`build_payment`] over the available UTXOs minus the
//! ones reserved by other proposals, and the burns minus the already-processed ones. A member
//! runs [`check_proposal`] with its own view of the same values. It first checks the proposal
//! independently, so that a violation is reported by its own code, then rebuilds it and
//! compares the bytes: only the exact transaction the algorithm builds is accepted.
//!
//! The proposal is the **unsigned** transaction (empty scriptSigs and witnesses) and the
//! outputs it spends.

use super::payment::{
    BuildError, PAYMENT_SEQUENCE, PAYMENT_VERSION, build_payment, cost_of_change, dust_threshold,
    sort_burns,
};
use super::{Burn, BurnId, Policy, RejectReason, Utxo};
use crate::ErrorCode;
use crate::encode::Encode;
use crate::federation::Federation;
use crate::keymap::KeyMap;
use crate::pegin::MAX_MONEY;
use crate::tx::{OutPoint, Transaction, TxOut};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::fmt;

/// Everything a payment is built from, as each member sees it.
#[derive(Debug, Clone, Copy)]
pub struct ProposalRequest<'a> {
    /// The federation whose UTXOs are spent (and which gets the change).
    pub federation: &'a Federation,
    /// The federation's known unspent outputs.
    pub utxos: &'a [Utxo],
    /// Outputs reserved by other proposals in flight: never spent by this one.
    pub reserved: &'a [OutPoint],
    /// Burns waiting to be paid (as decoded).
    pub burns: &'a [Burn],
    /// Burns already paid (or in another proposal): never paid again.
    pub processed: &'a [BurnId],
    /// Fee rate, satoshis per 1,000 vbytes.
    pub fee_rate_sat_kvb: u64,
    /// The peg-out policy.
    pub policy: &'a Policy,
}

/// A proposal that passed every check: it is exactly the payment the algorithm builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedProposal {
    /// What miners get, `Σ inputs − Σ outputs` (as [`super::Payment::fee`]).
    pub fee: u64,
    /// The users' share, `ceil(rate × finished vsize / 1000)` (as
    /// [`super::Payment::rate_fee`]).
    pub rate_fee: u64,
    /// The burns it pays, in output order.
    pub paid: Vec<BurnId>,
}

/// Why a proposal is refused. Each violation has its own variant and code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProposalError {
    /// The fee rate is outside the policy's bounds.
    FeeRateOutOfRange {
        /// The rate, sat per 1,000 vbytes.
        rate: u64,
        /// The policy's lowest rate.
        min: u64,
        /// The policy's highest rate.
        max: u64,
    },
    /// A transaction version other than 2.
    WrongVersion {
        /// The version.
        version: u32,
    },
    /// A lock time other than 0.
    WrongLockTime {
        /// The lock time.
        lock_time: u32,
    },
    /// The transaction has no inputs.
    NoInputs,
    /// The spent outputs given do not match the inputs one to one.
    PrevoutsMismatch {
        /// Spent outputs given.
        prevouts: usize,
        /// Inputs.
        inputs: usize,
    },
    /// The same outpoint spent by two inputs.
    DuplicateInput {
        /// The outpoint.
        outpoint: OutPoint,
    },
    /// An input spends an outpoint that is not a known federation UTXO.
    UnknownUtxo {
        /// The outpoint.
        outpoint: OutPoint,
    },
    /// An input spends a UTXO reserved by another proposal.
    ReservedUtxo {
        /// The outpoint.
        outpoint: OutPoint,
    },
    /// A spent output given for an input is not the UTXO's (amount or federation script).
    WrongPrevout {
        /// The input.
        input: usize,
    },
    /// An input's sequence is not `0xfffffffd`.
    WrongSequence {
        /// The input.
        input: usize,
        /// Its `nSequence`.
        sequence: u32,
    },
    /// An input has a non-empty scriptSig.
    ScriptSigNotEmpty {
        /// The input.
        input: usize,
    },
    /// An output amount outside `0 ..= 21,000,000 BTC`.
    InvalidAmount {
        /// The output.
        output: usize,
        /// Its amount.
        value: i64,
    },
    /// The outputs spend more than the inputs hold.
    OutputsExceedInputs {
        /// Σ inputs.
        inputs: u64,
        /// Σ outputs.
        outputs: u64,
    },
    /// Miners would get more than the policy's cap.
    FeeAboveCap {
        /// `Σ inputs − Σ outputs`.
        fee: u64,
        /// The policy's `max_fee`.
        max: u64,
    },
    /// More peg-out outputs than the policy allows.
    TooManyOutputs {
        /// Peg-out outputs in the proposal.
        count: usize,
        /// The policy's `max_outputs`.
        max: u32,
    },
    /// An output pays neither a listed burn nor (as the last output) the federation.
    UnknownOutput {
        /// The output.
        output: usize,
    },
    /// An output pays a burn that another output already pays.
    BurnPaidTwice {
        /// The output.
        output: usize,
        /// The burn.
        id: BurnId,
    },
    /// An output pays a burn in the processed set.
    BurnAlreadyProcessed {
        /// The output.
        output: usize,
        /// The burn.
        id: BurnId,
    },
    /// An output pays a burn that the policy rejects (below the minimum, above the maximum,
    /// or a second copy of a burn).
    UnpayableBurn {
        /// The output.
        output: usize,
        /// The burn.
        id: BurnId,
        /// Why it is not payable.
        reason: RejectReason,
    },
    /// A peg-out output's amount is not its burn's sats minus its share of the fee at the
    /// request's rate.
    WrongPayout {
        /// The output.
        output: usize,
        /// The burn it pays.
        id: BurnId,
        /// Sats minus fee share.
        expected: u64,
        /// The output's amount.
        got: u64,
    },
    /// The inputs do not cover the burns paid.
    Underfunded {
        /// Σ inputs.
        inputs: u64,
        /// Σ sats of the burns paid.
        burns: u64,
    },
    /// The change output is not `Σ inputs − Σ burns paid`.
    WrongChange {
        /// `Σ inputs − Σ burns paid`.
        expected: u64,
        /// The change output's amount.
        got: u64,
    },
    /// No change output, but the inputs exceed the burns by more than the algorithm ever sends
    /// to miners (the changeless window, or change below dust).
    MissingChange {
        /// `Σ inputs − Σ burns paid`.
        excess: u64,
        /// The most that may go to the fee: `max(cost_of_change, dust − 1)`.
        allowed: u64,
    },
    /// The payment cannot be rebuilt from the request.
    Build(BuildError),
    /// Every check above passes, but the proposal is not the transaction the algorithm
    /// builds.
    ProposalMismatch {
        /// The first byte at which the serializations differ.
        offset: usize,
    },
}

impl fmt::Display for ProposalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FeeRateOutOfRange { rate, min, max } => write!(
                f,
                "fee rate of {rate} sat/kvB is outside the policy's {min} to {max} sat/kvB"
            ),
            Self::WrongVersion { version } => {
                write!(f, "transaction version {version}; a payment has version 2")
            }
            Self::WrongLockTime { lock_time } => {
                write!(f, "lock time {lock_time}; a payment has lock time 0")
            }
            Self::NoInputs => f.write_str("the transaction has no inputs"),
            Self::PrevoutsMismatch { prevouts, inputs } => {
                write!(f, "{prevouts} spent outputs given for {inputs} inputs")
            }
            Self::DuplicateInput { outpoint } => write!(
                f,
                "outpoint {}:{} is spent by two inputs",
                outpoint.txid, outpoint.vout
            ),
            Self::UnknownUtxo { outpoint } => write!(
                f,
                "input spends {}:{}, which is not a known federation utxo",
                outpoint.txid, outpoint.vout
            ),
            Self::ReservedUtxo { outpoint } => write!(
                f,
                "input spends {}:{}, which another proposal reserves",
                outpoint.txid, outpoint.vout
            ),
            Self::WrongPrevout { input } => write!(
                f,
                "the spent output given for input {input} is not the federation utxo's"
            ),
            Self::WrongSequence { input, sequence } => write!(
                f,
                "input {input} has sequence 0x{sequence:08x}; a payment uses 0xfffffffd"
            ),
            Self::ScriptSigNotEmpty { input } => {
                write!(f, "input {input} has a non-empty scriptSig")
            }
            Self::InvalidAmount { output, value } => write!(
                f,
                "output {output} has amount {value}, outside 0 to 21,000,000 BTC"
            ),
            Self::OutputsExceedInputs { inputs, outputs } => write!(
                f,
                "outputs of {outputs} sat spend more than the inputs' {inputs} sat"
            ),
            Self::FeeAboveCap { fee, max } => {
                write!(f, "fee of {fee} sat is above the policy's cap of {max} sat")
            }
            Self::TooManyOutputs { count, max } => write!(
                f,
                "{count} peg-out outputs; the policy allows at most {max}"
            ),
            Self::UnknownOutput { output } => write!(
                f,
                "output {output} pays neither a listed burn nor, as change, the federation"
            ),
            Self::BurnPaidTwice { output, id } => {
                write!(f, "output {output} pays burn {} again", BurnIdDisplay(id))
            }
            Self::BurnAlreadyProcessed { output, id } => write!(
                f,
                "output {output} pays burn {}, which is already processed",
                BurnIdDisplay(id)
            ),
            Self::UnpayableBurn { output, id, reason } => write!(
                f,
                "output {output} pays burn {}, which is not payable: {reason}",
                BurnIdDisplay(id)
            ),
            Self::WrongPayout {
                output,
                id,
                expected,
                got,
            } => write!(
                f,
                "output {output} pays {got} sat for burn {}; its sats minus its fee share are \
                 {expected} sat",
                BurnIdDisplay(id)
            ),
            Self::Underfunded { inputs, burns } => write!(
                f,
                "inputs of {inputs} sat do not cover the {burns} sat of the burns paid"
            ),
            Self::WrongChange { expected, got } => write!(
                f,
                "change of {got} sat; the inputs minus the burns paid are {expected} sat"
            ),
            Self::MissingChange { excess, allowed } => write!(
                f,
                "no change output, but the inputs exceed the burns paid by {excess} sat \
                 (at most {allowed} sat may go to the fee)"
            ),
            Self::Build(e) => write!(f, "the payment cannot be rebuilt: {e}"),
            Self::ProposalMismatch { offset } => write!(
                f,
                "the proposal differs from the payment rebuilt from the request at byte {offset}"
            ),
        }
    }
}

/// `0x<transaction hash>:<event index>`.
struct BurnIdDisplay<'a>(&'a BurnId);

impl fmt::Display for BurnIdDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        for b in self.0.transaction_hash {
            write!(f, "{b:02x}")?;
        }
        write!(f, ":{}", self.0.event_index)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ProposalError {}

impl ErrorCode for ProposalError {
    fn code(&self) -> &'static str {
        match self {
            Self::FeeRateOutOfRange { .. } => "fee_rate_out_of_range",
            Self::WrongVersion { .. } => "wrong_version",
            Self::WrongLockTime { .. } => "wrong_lock_time",
            Self::NoInputs => "no_inputs",
            Self::PrevoutsMismatch { .. } => "prevouts_mismatch",
            Self::DuplicateInput { .. } => "duplicate_input",
            Self::UnknownUtxo { .. } => "unknown_utxo",
            Self::ReservedUtxo { .. } => "reserved_utxo",
            Self::WrongPrevout { .. } => "wrong_prevout",
            Self::WrongSequence { .. } => "wrong_sequence",
            Self::ScriptSigNotEmpty { .. } => "script_sig_not_empty",
            Self::InvalidAmount { .. } => "invalid_amount",
            Self::OutputsExceedInputs { .. } => "outputs_exceed_inputs",
            Self::FeeAboveCap { .. } => "fee_above_cap",
            Self::TooManyOutputs { .. } => "too_many_outputs",
            Self::UnknownOutput { .. } => "unknown_output",
            Self::BurnPaidTwice { .. } => "burn_paid_twice",
            Self::BurnAlreadyProcessed { .. } => "burn_already_processed",
            Self::UnpayableBurn { .. } => "unpayable_burn",
            Self::WrongPayout { .. } => "wrong_payout",
            Self::Underfunded { .. } => "underfunded",
            Self::WrongChange { .. } => "wrong_change",
            Self::MissingChange { .. } => "missing_change",
            Self::Build(e) => e.code(),
            Self::ProposalMismatch { .. } => "proposal_mismatch",
        }
    }
}

/// The payment a proposer proposes: [`build_payment`] over `utxos` minus `reserved` and
/// `burns` minus `processed`. [`check_proposal`] rebuilds exactly this.
///
/// # Errors
/// Every [`BuildError`] of [`build_payment`].
pub fn build_proposal(request: &ProposalRequest<'_>) -> Result<super::Payment, BuildError> {
    let reserved = KeyMap::set_of(request.reserved);
    let processed = KeyMap::set_of(request.processed);
    let utxos: Vec<Utxo> = request
        .utxos
        .iter()
        .filter(|u| !reserved.contains(&u.outpoint))
        .copied()
        .collect();
    let burns: Vec<Burn> = request
        .burns
        .iter()
        .filter(|b| !processed.contains(&b.id))
        .cloned()
        .collect();
    build_payment(
        request.federation,
        &utxos,
        &burns,
        request.fee_rate_sat_kvb,
        request.policy,
    )
}

/// The burns a proposal's outputs may refer to, in burn order.
struct Listed<'a> {
    /// Payable and not processed.
    pending: Vec<&'a Burn>,
    /// In the processed set.
    processed: Vec<&'a Burn>,
    /// Not payable (duplicate, outside the amounts), with why.
    unpayable: Vec<(&'a Burn, RejectReason)>,
}

/// Matches the first `m` outputs (all but a change output when `has_change`) to burns and
/// checks their amounts and the change.
fn check_outputs(
    request: &ProposalRequest<'_>,
    tx: &Transaction,
    listed: &Listed<'_>,
    inputs: u64,
    has_change: bool,
) -> Result<(), ProposalError> {
    let federation = request.federation;
    let policy = request.policy;
    let m = tx.outputs.len().saturating_sub(usize::from(has_change));
    if u64::try_from(m).unwrap_or(u64::MAX) > u64::from(policy.max_outputs) {
        return Err(ProposalError::TooManyOutputs {
            count: m,
            max: policy.max_outputs,
        });
    }
    // Scripts first (a foreign or extra output also changes the size, hence every fee
    // share): each peg-out output must pay the script of some listed burn, and no script more
    // often than pending burns have it.
    let mut per_script: BTreeMap<&[u8], usize> = BTreeMap::new();
    for (output, out) in tx.outputs.iter().enumerate().take(m) {
        let script = out.script_pubkey.as_slice();
        let mut pending = listed.pending.iter().filter(|b| b.script_pubkey == script);
        let first_pending = pending.next();
        let listed_script = first_pending.is_some()
            || listed.processed.iter().any(|b| b.script_pubkey == script)
            || listed
                .unpayable
                .iter()
                .any(|(b, _)| b.script_pubkey == script);
        if !listed_script {
            return Err(ProposalError::UnknownOutput { output });
        }
        let seen = per_script.entry(script).or_insert(0);
        *seen = seen.saturating_add(1);
        if let Some(b) = first_pending {
            if *seen > pending.count().saturating_add(1) {
                return Err(ProposalError::BurnPaidTwice { output, id: b.id });
            }
        }
    }
    // The fee arithmetic is recomputed here without the builder's helpers, so that a mistake
    // in one is not signed by every member: the finished weight from the serialized unsigned
    // transaction (no witness yet: 4 WU per byte), the segwit marker and flag (2 WU) and one
    // finished witness per input; the shares by the floor split, the remainder on the first.
    let finished_weight = (tx.to_bytes().len() as u64)
        .saturating_mul(4)
        .saturating_add(2)
        .saturating_add(
            federation
                .satisfaction_weight()
                .saturating_mul(tx.inputs.len() as u64),
        );
    let vsize = finished_weight.div_ceil(4);
    let rate_fee = request
        .fee_rate_sat_kvb
        .saturating_mul(vsize)
        .div_ceil(1000);
    let m_u64 = m as u64;
    let share_of = |output: usize| {
        let base = rate_fee.checked_div(m_u64).unwrap_or(0);
        let first = rate_fee.checked_rem(m_u64).unwrap_or(0);
        base.saturating_add(u64::from((output as u64) < first))
    };
    let mut assigned = alloc::vec![false; listed.pending.len()];
    let mut burns_total = 0u64;
    for (output, out) in tx.outputs.iter().enumerate().take(m) {
        let share = share_of(output);
        let value = u64::try_from(out.value).unwrap_or(0);
        let script = out.script_pubkey.as_slice();
        let pays = |b: &Burn| b.sats.checked_sub(share) == Some(value);
        let pending = || {
            listed
                .pending
                .iter()
                .zip(assigned.iter())
                .enumerate()
                .filter(|(_, (b, _))| b.script_pubkey == script)
        };
        if let Some((k, _)) = pending().find(|(_, (b, a))| !**a && pays(b)) {
            if let Some((slot, b)) = assigned.get_mut(k).zip(listed.pending.get(k)) {
                *slot = true;
                burns_total = burns_total.saturating_add(b.sats);
            }
            continue;
        }
        if let Some((_, (b, _))) = pending().find(|(_, (b, a))| **a && pays(b)) {
            return Err(ProposalError::BurnPaidTwice { output, id: b.id });
        }
        let processed = |exact: bool| {
            listed
                .processed
                .iter()
                .find(|b| b.script_pubkey == script && (!exact || pays(b)))
                .map(|b| ProposalError::BurnAlreadyProcessed { output, id: b.id })
        };
        let unpayable = |exact: bool| {
            listed
                .unpayable
                .iter()
                .find(|(b, _)| b.script_pubkey == script && (!exact || pays(b)))
                .map(|(b, reason)| ProposalError::UnpayableBurn {
                    output,
                    id: b.id,
                    reason: reason.clone(),
                })
        };
        if let Some(e) = processed(true).or_else(|| unpayable(true)) {
            return Err(e);
        }
        if let Some((_, (b, _))) = pending().find(|(_, (_, a))| !**a) {
            return Err(ProposalError::WrongPayout {
                output,
                id: b.id,
                expected: b.sats.saturating_sub(share),
                got: value,
            });
        }
        if let Some((_, (b, _))) = pending().next() {
            return Err(ProposalError::BurnPaidTwice { output, id: b.id });
        }
        return Err(processed(false)
            .or_else(|| unpayable(false))
            .unwrap_or(ProposalError::UnknownOutput { output }));
    }
    let excess = inputs
        .checked_sub(burns_total)
        .ok_or(ProposalError::Underfunded {
            inputs,
            burns: burns_total,
        })?;
    let fed_script = federation.script_pubkey();
    if has_change {
        let got = tx
            .outputs
            .last()
            .map_or(0, |o| u64::try_from(o.value).unwrap_or(0));
        if got != excess {
            return Err(ProposalError::WrongChange {
                expected: excess,
                got,
            });
        }
    } else {
        let allowed = cost_of_change(request.fee_rate_sat_kvb, federation.satisfaction_weight())
            .max(dust_threshold(fed_script).saturating_sub(1));
        if excess > allowed {
            return Err(ProposalError::MissingChange { excess, allowed });
        }
    }
    Ok(())
}

/// Checks a proposed payment before signing: independently (each violation with its own
/// code), then by rebuilding it with [`build_proposal`] and comparing the bytes.
///
/// The independent checks, in order: the fee rate within the policy's bounds; version 2 and
/// lock time 0; at least one input, and one spent output per input; every input a distinct,
/// known federation UTXO not reserved by another proposal, its spent output the UTXO's amount
/// and the federation's script, sequence `0xfffffffd` and an empty scriptSig; every output
/// amount valid and their sum within the inputs; the fee (`Σ inputs − Σ outputs`) within
/// `max_fee`; at most `max_outputs` peg-outs; every peg-out output paying a listed pending
/// burn (not one already paid by another output, not a processed one, not one the policy
/// rejects) exactly its sats minus its fee share at the request's rate; the only other output
/// the last one, to the federation, with exactly `Σ inputs − Σ burns paid`; without change,
/// no more excess than the algorithm sends to the fee.
///
/// # Errors
/// The first violation found, as a [`ProposalError`]; [`ProposalError::Build`] when the
/// request itself cannot produce a payment; [`ProposalError::ProposalMismatch`] when every
/// check passes but the bytes differ from the rebuilt payment.
pub fn check_proposal(
    request: &ProposalRequest<'_>,
    tx: &Transaction,
    prevouts: &[TxOut],
) -> Result<CheckedProposal, ProposalError> {
    let policy = request.policy;
    let rate = request.fee_rate_sat_kvb;
    if rate < policy.min_fee_rate_sat_kvb || rate > policy.max_fee_rate_sat_kvb {
        return Err(ProposalError::FeeRateOutOfRange {
            rate,
            min: policy.min_fee_rate_sat_kvb,
            max: policy.max_fee_rate_sat_kvb,
        });
    }
    if tx.version != PAYMENT_VERSION {
        return Err(ProposalError::WrongVersion {
            version: tx.version,
        });
    }
    if tx.lock_time != 0 {
        return Err(ProposalError::WrongLockTime {
            lock_time: tx.lock_time,
        });
    }
    if tx.inputs.is_empty() {
        return Err(ProposalError::NoInputs);
    }
    if prevouts.len() != tx.inputs.len() {
        return Err(ProposalError::PrevoutsMismatch {
            prevouts: prevouts.len(),
            inputs: tx.inputs.len(),
        });
    }

    let fed_script = request.federation.script_pubkey();
    // The first amount given for an outpoint (a set with duplicates fails to rebuild below).
    let mut known = KeyMap::new();
    for u in request.utxos {
        known.insert_new(&u.outpoint, u.amount);
    }
    let reserved = KeyMap::set_of(request.reserved);
    let mut spent = KeyMap::new();
    let mut inputs = 0u64;
    for (input, (txin, prevout)) in tx.inputs.iter().zip(prevouts).enumerate() {
        let outpoint = txin.previous_output;
        if !spent.insert_new(&outpoint, 0) {
            return Err(ProposalError::DuplicateInput { outpoint });
        }
        let amount = known
            .get(&outpoint)
            .ok_or(ProposalError::UnknownUtxo { outpoint })?;
        if reserved.contains(&outpoint) {
            return Err(ProposalError::ReservedUtxo { outpoint });
        }
        if u64::try_from(prevout.value).ok() != Some(amount) || prevout.script_pubkey != fed_script
        {
            return Err(ProposalError::WrongPrevout { input });
        }
        if txin.sequence != PAYMENT_SEQUENCE {
            return Err(ProposalError::WrongSequence {
                input,
                sequence: txin.sequence,
            });
        }
        if !txin.script_sig.is_empty() {
            return Err(ProposalError::ScriptSigNotEmpty { input });
        }
        inputs = inputs.saturating_add(amount);
    }

    let mut outputs = 0u64;
    for (output, out) in tx.outputs.iter().enumerate() {
        let value = u64::try_from(out.value)
            .ok()
            .filter(|&v| v <= MAX_MONEY)
            .ok_or(ProposalError::InvalidAmount {
                output,
                value: out.value,
            })?;
        outputs = outputs.saturating_add(value);
    }
    let fee = inputs
        .checked_sub(outputs)
        .ok_or(ProposalError::OutputsExceedInputs { inputs, outputs })?;
    if fee > policy.max_fee {
        return Err(ProposalError::FeeAboveCap {
            fee,
            max: policy.max_fee,
        });
    }

    let processed_ids = KeyMap::set_of(request.processed);
    let (processed, unprocessed): (Vec<Burn>, Vec<Burn>) = request
        .burns
        .iter()
        .cloned()
        .partition(|b| processed_ids.contains(&b.id));
    let sorted = sort_burns(&unprocessed, policy);
    let listed = Listed {
        pending: sorted.payable.iter().map(|(_, b)| *b).collect(),
        processed: processed.iter().collect(),
        unpayable: sorted
            .rejected
            .iter()
            .map(|(_, b, r)| (*b, r.reason.clone()))
            .collect(),
    };
    // The change, if any, is the last output and pays the federation. If a pending burn also
    // pays the federation's script, that last output may instead be that burn's: accept
    // either reading, report the first's error.
    let last_to_federation = tx
        .outputs
        .last()
        .is_some_and(|o| o.script_pubkey == fed_script);
    let ambiguous =
        last_to_federation && listed.pending.iter().any(|b| b.script_pubkey == fed_script);
    if let Err(e) = check_outputs(request, tx, &listed, inputs, last_to_federation) {
        if !(ambiguous && check_outputs(request, tx, &listed, inputs, false).is_ok()) {
            return Err(e);
        }
    }

    let payment = build_proposal(request).map_err(ProposalError::Build)?;
    let proposed = tx.to_bytes();
    let rebuilt = payment.tx.to_bytes();
    if proposed != rebuilt || prevouts != payment.prevouts.as_slice() {
        let offset = proposed
            .iter()
            .zip(&rebuilt)
            .position(|(a, b)| a != b)
            .unwrap_or(proposed.len().min(rebuilt.len()));
        return Err(ProposalError::ProposalMismatch { offset });
    }
    Ok(CheckedProposal {
        fee: payment.fee,
        rate_fee: payment.rate_fee,
        paid: payment.paid,
    })
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
