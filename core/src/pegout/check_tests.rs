//! Named negative tests of the proposal check: build a valid proposal, break exactly one
//! thing, assert the exact error.

use super::*;
use crate::Txid;
use crate::pegout::payment::tests::{burn, federation, p2pkh, p2tr, p2wpkh, utxo};
use crate::pegout::payment::{fee_shares, finished_vsize};
use crate::pegout::{Payment, RejectReason};
use alloc::vec;

/// Burns 1,000,000 (P2WPKH), 2,000,000 (P2TR), 3,000,000 (P2PKH), T = 6,000,000, over UTXOs
/// 4,000,000, 2,000,500 and 1,999,800 at 2,000 sat/kvB: the changeless window is
/// [6,000,000, 6,000,304] and no subset falls in it (6,000,500, 5,999,800, 4,000,300,
/// 8,000,300, or single UTXOs); largest-first takes 4,000,000 + 2,000,500 and the change is
/// 500 (≥ 330). Two inputs, three peg-outs and the change.
struct Fixture {
    fed: Federation,
    utxos: Vec<Utxo>,
    burns: Vec<Burn>,
    policy: Policy,
    rate: u64,
}

impl Fixture {
    fn new() -> Self {
        Self {
            fed: federation(),
            utxos: vec![
                utxo(3, 0, 1_999_800),
                utxo(1, 0, 4_000_000),
                utxo(2, 0, 2_000_500),
            ],
            burns: vec![
                burn(1, 0xa1, 0, 1_000_000, p2wpkh(1)),
                burn(2, 0xa2, 0, 2_000_000, p2tr(2)),
                burn(3, 0xa3, 0, 3_000_000, p2pkh(3)),
            ],
            policy: Policy::default(),
            rate: 2_000,
        }
    }

    fn req(&self) -> ProposalRequest<'_> {
        ProposalRequest {
            federation: &self.fed,
            utxos: &self.utxos,
            reserved: &[],
            burns: &self.burns,
            processed: &[],
            fee_rate_sat_kvb: self.rate,
            policy: &self.policy,
        }
    }

    fn payment(&self) -> Payment {
        build_proposal(&self.req()).unwrap()
    }

    /// Sets the first `m` outputs to the burns' sats minus the fee shares of `tx` as it now
    /// is (after a change to its size), so that only the intended violation remains.
    fn repay(&self, tx: &mut Transaction, m: usize) {
        let vsize = finished_vsize(tx, self.fed.satisfaction_weight());
        let fee = (self.rate * vsize).div_ceil(1000);
        for ((out, b), share) in tx
            .outputs
            .iter_mut()
            .zip(&self.burns)
            .zip(fee_shares(fee, m))
        {
            out.value = (b.sats - share) as i64;
        }
    }
}

fn check(
    f: &Fixture,
    tx: &Transaction,
    prevouts: &[TxOut],
) -> Result<CheckedProposal, ProposalError> {
    check_proposal(&f.req(), tx, prevouts)
}

#[test]
fn the_fixture_is_what_its_comment_says() {
    let f = Fixture::new();
    let p = f.payment();
    let ins: Vec<i64> = p.prevouts.iter().map(|o| o.value).collect();
    assert_eq!(ins, [4_000_000, 2_000_500]);
    assert_eq!(p.change(), Some(500));
    // Base 4 + 1 + 2 × 41 + 1 + 31 + 43 + 34 + 43 + 4 = 243; weight 972 + 2 + 542 = 1,516;
    // vsize 379; at 2 sat/vB 758 = 3 × 252 + 2: shares 253, 253, 252.
    assert_eq!(p.rate_fee, 758);
    let outs: Vec<i64> = p.tx.outputs.iter().map(|o| o.value).collect();
    assert_eq!(outs, [999_747, 1_999_747, 2_999_748, 500]);
    assert_eq!(p.fee, 758);
}

#[test]
fn accepts_the_built_proposal() {
    let f = Fixture::new();
    let p = f.payment();
    assert_eq!(
        check(&f, &p.tx, &p.prevouts),
        Ok(CheckedProposal {
            fee: 758,
            rate_fee: 758,
            paid: f.burns.iter().map(|b| b.id).collect(),
        })
    );
}

#[test]
fn fee_rate_out_of_range() {
    let mut f = Fixture::new();
    let p = f.payment();
    f.rate = 999;
    assert_eq!(
        check(&f, &p.tx, &p.prevouts),
        Err(ProposalError::FeeRateOutOfRange {
            rate: 999,
            min: 1_000,
            max: 500_000
        })
    );
}

#[test]
fn wrong_version() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.version = 1;
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::WrongVersion { version: 1 })
    );
}

#[test]
fn wrong_lock_time() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.lock_time = 900_000;
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::WrongLockTime { lock_time: 900_000 })
    );
}

#[test]
fn no_inputs() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.inputs.clear();
    assert_eq!(check(&f, &tx, &[]), Err(ProposalError::NoInputs));
}

#[test]
fn prevouts_mismatch() {
    let f = Fixture::new();
    let p = f.payment();
    assert_eq!(
        check(&f, &p.tx, &p.prevouts[..1]),
        Err(ProposalError::PrevoutsMismatch {
            prevouts: 1,
            inputs: 2
        })
    );
}

#[test]
fn duplicate_input() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    let mut prevouts = p.prevouts.clone();
    tx.inputs.push(tx.inputs[0].clone());
    prevouts.push(prevouts[0].clone());
    assert_eq!(
        check(&f, &tx, &prevouts),
        Err(ProposalError::DuplicateInput {
            outpoint: tx.inputs[0].previous_output
        })
    );
}

#[test]
fn unknown_utxo() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.inputs[1].previous_output.txid = Txid::from_byte_array([9; 32]);
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::UnknownUtxo {
            outpoint: tx.inputs[1].previous_output
        })
    );
}

#[test]
fn reserved_utxo() {
    let f = Fixture::new();
    let p = f.payment();
    let reserved = [p.tx.inputs[1].previous_output];
    let req = ProposalRequest {
        reserved: &reserved,
        ..f.req()
    };
    assert_eq!(
        check_proposal(&req, &p.tx, &p.prevouts),
        Err(ProposalError::ReservedUtxo {
            outpoint: reserved[0]
        })
    );
}

#[test]
fn wrong_prevout_amount_or_script() {
    let f = Fixture::new();
    let p = f.payment();
    let mut prevouts = p.prevouts.clone();
    prevouts[1].value += 1;
    assert_eq!(
        check(&f, &p.tx, &prevouts),
        Err(ProposalError::WrongPrevout { input: 1 })
    );
    let mut prevouts = p.prevouts.clone();
    prevouts[0].script_pubkey = p2tr(9);
    assert_eq!(
        check(&f, &p.tx, &prevouts),
        Err(ProposalError::WrongPrevout { input: 0 })
    );
}

#[test]
fn wrong_sequence() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.inputs[1].sequence = 0xffff_ffff;
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::WrongSequence {
            input: 1,
            sequence: 0xffff_ffff
        })
    );
}

#[test]
fn script_sig_not_empty() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.inputs[0].script_sig = vec![0x51];
    let e = check(&f, &tx, &p.prevouts).unwrap_err();
    assert_eq!(e, ProposalError::ScriptSigNotEmpty { input: 0 });
    assert_eq!(e.code(), "script_sig_not_empty");
}

#[test]
fn invalid_amount() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.outputs[2].value = -1;
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::InvalidAmount {
            output: 2,
            value: -1
        })
    );
}

#[test]
fn outputs_exceed_inputs() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.outputs[0].value += 1_000;
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::OutputsExceedInputs {
            inputs: 6_000_500,
            outputs: 6_000_500 - 758 + 1_000
        })
    );
}

#[test]
fn fee_above_cap() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    // 1,500,000 of the third peg-out sent to miners instead.
    tx.outputs[2].value -= 1_500_000;
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::FeeAboveCap {
            fee: 1_500_758,
            max: 1_000_000
        })
    );
}

#[test]
fn too_many_outputs() {
    let mut f = Fixture::new();
    let p = f.payment();
    f.policy.max_outputs = 2;
    assert_eq!(
        check(&f, &p.tx, &p.prevouts),
        Err(ProposalError::TooManyOutputs { count: 3, max: 2 })
    );
}

#[test]
fn unknown_output() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.outputs[1].script_pubkey = p2wpkh(9);
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::UnknownOutput { output: 1 })
    );
}

#[test]
fn change_to_another_script_is_an_unknown_output() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.outputs[3].script_pubkey = p2tr(9);
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::UnknownOutput { output: 3 })
    );
    // The federation's script anywhere but last is not change either.
    let mut tx = p.tx.clone();
    tx.outputs.swap(2, 3);
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::UnknownOutput { output: 2 })
    );
}

#[test]
fn burn_paid_twice() {
    let mut f = Fixture::new();
    let p = f.payment();
    // The second burn's 2,000,000 would otherwise be above the fee cap as miners' fee.
    f.policy.max_fee = 2_000_000;
    let mut tx = p.tx.clone();
    tx.outputs[1] = tx.outputs[0].clone();
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::BurnPaidTwice {
            output: 1,
            id: f.burns[0].id
        })
    );
}

#[test]
fn burn_already_processed() {
    let f = Fixture::new();
    let p = f.payment();
    let processed = [f.burns[1].id];
    let req = ProposalRequest {
        processed: &processed,
        ..f.req()
    };
    assert_eq!(
        check_proposal(&req, &p.tx, &p.prevouts),
        Err(ProposalError::BurnAlreadyProcessed {
            output: 1,
            id: f.burns[1].id
        })
    );
}

#[test]
fn unpayable_burn() {
    let mut f = Fixture::new();
    let p = f.payment();
    f.policy.min_amount = 1_500_000;
    assert_eq!(
        check(&f, &p.tx, &p.prevouts),
        Err(ProposalError::UnpayableBurn {
            output: 0,
            id: f.burns[0].id,
            reason: RejectReason::BelowMinimum {
                sats: 1_000_000,
                min: 1_500_000
            }
        })
    );
}

#[test]
fn wrong_payout() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.outputs[1].value -= 1;
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::WrongPayout {
            output: 1,
            id: f.burns[1].id,
            expected: 1_999_747,
            got: 1_999_746
        })
    );
    // The fee charged at another rate than the request's: every share differs.
    let mut g = Fixture::new();
    g.rate = 3_000;
    assert_eq!(
        check(&g, &p.tx, &p.prevouts).unwrap_err().code(),
        "wrong_payout"
    );
}

#[test]
fn wrong_change() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.outputs[3].value = 499;
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::WrongChange {
            expected: 500,
            got: 499
        })
    );
}

#[test]
fn missing_change() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    tx.outputs.pop();
    f.repay(&mut tx, 3);
    // The 500 sat change sent to miners: more than max(cost of change 304, dust − 1 = 329).
    assert_eq!(
        check(&f, &tx, &p.prevouts),
        Err(ProposalError::MissingChange {
            excess: 500,
            allowed: 329
        })
    );
}

#[test]
fn underfunded() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    let mut prevouts = p.prevouts.clone();
    // Spend 1,999,800 instead of 2,000,500: 5,999,800 < 6,000,000 owed.
    tx.inputs[1].previous_output = f.utxos[0].outpoint;
    prevouts[1].value = 1_999_800;
    tx.outputs.pop();
    f.repay(&mut tx, 3);
    assert_eq!(
        check(&f, &tx, &prevouts),
        Err(ProposalError::Underfunded {
            inputs: 5_999_800,
            burns: 6_000_000
        })
    );
}

#[test]
fn proposal_mismatch() {
    let f = Fixture::new();
    let p = f.payment();
    let mut tx = p.tx.clone();
    let mut prevouts = p.prevouts.clone();
    // Inputs out of the sorted order: every independent check passes; the bytes differ from
    // offset 5 (after the version and the input count), the first input's txid.
    tx.inputs.swap(0, 1);
    prevouts.swap(0, 1);
    let e = check(&f, &tx, &prevouts).unwrap_err();
    assert_eq!(e, ProposalError::ProposalMismatch { offset: 5 });
    assert_eq!(e.code(), "proposal_mismatch");
}

#[test]
fn rebuild_error_is_reported_with_its_code() {
    let mut f = Fixture::new();
    let p = f.payment();
    f.utxos.push(f.utxos[0]);
    let e = check(&f, &p.tx, &p.prevouts).unwrap_err();
    assert_eq!(
        e,
        ProposalError::Build(BuildError::DuplicateUtxo {
            outpoint: f.utxos[0].outpoint
        })
    );
    assert_eq!(e.code(), "duplicate_utxo");
}

#[test]
fn a_burn_to_the_federation_script_is_not_mistaken_for_change() {
    let mut f = Fixture::new();
    let fed_script = f.fed.script_pubkey().to_vec();
    f.burns = vec![
        burn(1, 0xa1, 0, 1_000_000, p2wpkh(1)),
        burn(2, 0xa2, 0, 2_000_000, fed_script),
    ];
    // 3,000,200 alone is in the window [3,000,000, 3,000,304]: changeless, so the last
    // output is the second burn's, to the federation's script.
    f.utxos = vec![utxo(1, 0, 3_000_200), utxo(2, 0, 10_000_000)];
    let p = f.payment();
    assert_eq!(p.change(), None);
    assert_eq!(p.tx.outputs.len(), 2);
    let checked = check(&f, &p.tx, &p.prevouts).unwrap();
    assert_eq!(checked.paid, [f.burns[0].id, f.burns[1].id]);
}

#[test]
fn every_code_has_a_message() {
    let id = BurnId {
        transaction_hash: [0xab; 32],
        event_index: 2,
    };
    let e = ProposalError::BurnPaidTwice { output: 3, id };
    assert_eq!(
        alloc::format!("{e}"),
        alloc::format!("output 3 pays burn 0x{}:2 again", "ab".repeat(32))
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    /// One sat taken from any output of a valid proposal is refused with the output's own
    /// code: `wrong_payout` for a peg-out, `wrong_change` for the change.
    #[test]
    fn one_sat_less_anywhere_is_named(
        utxos in crate::pegout::payment::tests::arb_utxos(),
        burns in crate::pegout::payment::tests::arb_burns(),
        rate in 1_000u64..=60_000,
    ) {
        let fed = federation();
        let policy = Policy { min_amount: 0, max_outputs: 4, ..Policy::default() };
        let req = ProposalRequest {
            federation: &fed, utxos: &utxos, reserved: &[], burns: &burns, processed: &[],
            fee_rate_sat_kvb: rate, policy: &policy,
        };
        let Ok(p) = build_proposal(&req) else { return Ok(()); };
        for j in 0..p.tx.outputs.len() {
            let mut tx = p.tx.clone();
            tx.outputs[j].value -= 1;
            let code = check_proposal(&req, &tx, &p.prevouts).unwrap_err().code();
            let expected = if j < p.paid.len() { "wrong_payout" } else { "wrong_change" };
            proptest::prop_assert_eq!(code, expected);
        }
    }
}
