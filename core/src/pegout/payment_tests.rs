//! Tests of the payment builder: hand-computed examples (the arithmetic in comments), the
//! branch-and-bound against an exhaustive search, and properties over random inputs.

use super::*;
use crate::params::Network;
use crate::pegout::{ProposalRequest, WEI_PER_SAT, build_proposal, check_proposal};
use crate::schnorr::SecretKey;
use crate::{Encode, Txid};
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec;
use alloy_primitives::U256;
use proptest::prelude::*;

/// 2-of-3 taproot federation, one leaf. Its satisfaction weight (checked below): item count 1,
/// plus one empty item 1, plus two 64-byte signatures 2 × 65, plus the leaf script (3 × (1 +
/// 32 + 1), `OP_2`, `OP_NUMEQUAL`: 104 bytes) with its length byte 105, plus the 33-byte
/// control block with its length byte 34: 271 WU.
pub(crate) fn federation() -> Federation {
    let keys: Vec<_> = (1u8..=3)
        .map(|i| SecretKey::from_bytes(&[i; 32]).unwrap().x_only_public_key())
        .collect();
    Federation::taproot(Network::Regtest, 2, &keys, None, None).unwrap()
}

pub(crate) fn p2pkh(tag: u8) -> Vec<u8> {
    [&[0x76, 0xa9, 0x14][..], &[tag; 20], &[0x88, 0xac]].concat()
}
pub(crate) fn p2sh(tag: u8) -> Vec<u8> {
    [&[0xa9, 0x14][..], &[tag; 20], &[0x87]].concat()
}
pub(crate) fn p2wpkh(tag: u8) -> Vec<u8> {
    [&[0x00, 0x14][..], &[tag; 20]].concat()
}
pub(crate) fn p2wsh(tag: u8) -> Vec<u8> {
    [&[0x00, 0x20][..], &[tag; 32]].concat()
}
pub(crate) fn p2tr(tag: u8) -> Vec<u8> {
    [&[0x51, 0x20][..], &[tag; 32]].concat()
}

pub(crate) fn burn(block: u64, tag: u8, event_index: u32, sats: u64, script: Vec<u8>) -> Burn {
    Burn {
        id: BurnId {
            transaction_hash: [tag; 32],
            event_index,
        },
        block_number: block,
        evm_sender: [0x11; 20],
        destination: String::new(),
        script_pubkey: script,
        wei: U256::from(sats) * U256::from(WEI_PER_SAT),
        sats,
        remainder_wei: 0,
    }
}

pub(crate) fn utxo(tag: u8, vout: u32, amount: u64) -> Utxo {
    Utxo {
        outpoint: OutPoint {
            txid: Txid::from_byte_array([tag; 32]),
            vout,
        },
        amount,
    }
}

fn small_policy() -> Policy {
    Policy {
        min_amount: 0,
        ..Policy::default()
    }
}

fn values(p: &Payment) -> Vec<i64> {
    p.tx.outputs.iter().map(|o| o.value).collect()
}

fn input_amounts(p: &Payment) -> Vec<i64> {
    p.prevouts.iter().map(|o| o.value).collect()
}

#[test]
fn dust_thresholds_match_core() {
    // Core's GetDustThreshold at 3,000 sat/kvB: 3 × (output size + spending input size).
    assert_eq!(dust_threshold(&p2pkh(1)), 546); // (34 + 148) × 3
    assert_eq!(dust_threshold(&p2sh(1)), 540); // (32 + 148) × 3
    assert_eq!(dust_threshold(&p2wpkh(1)), 294); // (31 + 67) × 3
    assert_eq!(dust_threshold(&p2wsh(1)), 330); // (43 + 67) × 3
    assert_eq!(dust_threshold(&p2tr(1)), 330); // (43 + 67) × 3
    // Unspendable: OP_RETURN, or above MAX_SCRIPT_SIZE.
    assert_eq!(dust_threshold(&[0x6a, 0x01, 0x00]), 0);
    assert_eq!(dust_threshold(&vec![0x51; 10_001]), 0);
    // A witness program of another version (v2, 2-byte program): 8 + 1 + 4 + 67 = 80 → 240.
    assert_eq!(dust_threshold(&[0x52, 0x02, 0xaa, 0xbb]), 240);
    // Not a witness program (push length disagrees): 8 + 1 + 4 + 148 = 161 → 483.
    assert_eq!(dust_threshold(&[0x00, 0x03, 0xaa, 0xbb]), 483);
    // 10,000-byte script (spendable): 8 + 3 + 10,000 + 148 = 10,159 → 30,477.
    assert_eq!(dust_threshold(&vec![0x51; 10_000]), 30_477);
    // Rounding up (CFeeRate::GetFee): 182 bytes at 1,001 sat/kvB = 182.182 → 183.
    assert_eq!(dust_threshold_at(&p2pkh(1), 1_001), 183);
}

#[test]
fn satisfaction_weight_and_cost_of_change() {
    let fed = federation();
    assert_eq!(fed.satisfaction_weight(), 271);
    // ceil(1000 × (43 + 41 + ceil(271 / 4) = 68) / 1000) = 152.
    assert_eq!(cost_of_change(1_000, 271), 152);
    // 152 × 1.234 = 187.568 → 188.
    assert_eq!(cost_of_change(1_234, 271), 188);
}

#[test]
fn changeless_selection() {
    let fed = federation();
    // T = 100,000 + 50,000 = 150,000; window [150,000, 150,152] at 1,000 sat/kvB.
    let burns = [
        burn(1, 0xa1, 0, 100_000, p2wpkh(1)),
        burn(2, 0xa2, 0, 50_000, p2wpkh(2)),
    ];
    // Sorted: 200,000 100,050 50,000 40,000. Include 200,000: 200,000 > 150,152, abandoned;
    // exclude it, include 100,050 (< T), include 50,000: 150,050 in the window: found.
    let utxos = [
        utxo(4, 0, 40_000),
        utxo(1, 0, 200_000),
        utxo(3, 0, 50_000),
        utxo(2, 0, 100_050),
    ];
    let amounts = [200_000, 100_050, 50_000, 40_000];
    assert_eq!(
        bnb_search(&amounts, 150_000, 150_152, BNB_MAX_STEPS),
        (Some(vec![1, 2]), 5)
    );
    let p = build_payment(&fed, &utxos, &burns, 1_000, &small_policy()).unwrap();
    assert_eq!(input_amounts(&p), [100_050, 50_000]);
    // Base size: 4 + 1 + 2 × 41 + 1 + 2 × 31 + 4 = 154; weight 4 × 154 + 2 + 2 × 271 = 1,160;
    // vsize 290; rate fee 290, 145 per output. No change: the 50 sat excess goes to the fee.
    assert_eq!(finished_vsize(&p.tx, 271), 290);
    assert_eq!(p.rate_fee, 290);
    assert_eq!(values(&p), [99_855, 49_855]);
    assert_eq!(p.fee, 340);
    assert_eq!(p.change(), None);
    assert_eq!(p.paid, [burns[0].id, burns[1].id]);
    assert!(p.rejected.is_empty());
    let t = &p.tx;
    assert_eq!((t.version, t.lock_time), (2, 0));
    assert!(
        t.inputs
            .iter()
            .all(|i| i.sequence == 0xffff_fffd && i.script_sig.is_empty() && i.witness.is_empty())
    );
}

#[test]
fn fee_rounding() {
    let fed = federation();
    let burns = [
        burn(1, 0xa1, 0, 100_000, p2wpkh(1)),
        burn(2, 0xa2, 0, 50_000, p2wpkh(2)),
    ];
    let utxos = [utxo(2, 0, 100_050), utxo(3, 0, 50_000), utxo(1, 0, 200_000)];
    // At 1,234 sat/kvB the window is [150,000, 150,188]: the same set. vsize 290:
    // 290 × 1.234 = 357.86 → 358, split 179 + 179.
    let p = build_payment(&fed, &utxos, &burns, 1_234, &small_policy()).unwrap();
    assert_eq!(p.rate_fee, 358);
    assert_eq!(values(&p), [99_821, 49_821]);
    assert_eq!(p.fee, 150_050 - 99_821 - 49_821);
    // At 1,001 sat/kvB: 290.29 → 291, split 146 + 145 (the first output pays the odd sat).
    let p = build_payment(&fed, &utxos, &burns, 1_001, &small_policy()).unwrap();
    assert_eq!(p.rate_fee, 291);
    assert_eq!(values(&p), [99_854, 49_855]);
}

#[test]
fn largest_first_with_change() {
    let fed = federation();
    let burns = [
        burn(2, 0xa2, 0, 50_000, p2wpkh(2)),
        burn(1, 0xa1, 0, 100_000, p2wpkh(1)),
    ];
    // Subsets of {120,000, 90,000, 10,000}: none in [150,000, 150,152]. Largest first:
    // 120,000 + 90,000 = 210,000 ≥ T; change 60,000 ≥ 330 to the federation.
    let utxos = [utxo(3, 0, 10_000), utxo(2, 0, 90_000), utxo(1, 0, 120_000)];
    let p = build_payment(&fed, &utxos, &burns, 1_000, &small_policy()).unwrap();
    assert_eq!(input_amounts(&p), [120_000, 90_000]);
    // Base 4 + 1 + 82 + 1 + 2 × 31 + 43 + 4 = 197; weight 788 + 2 + 542 = 1,332; vsize 333.
    // 333 = 2 × 166 + 1: the first output (burn order: block 1) pays 167.
    assert_eq!(p.rate_fee, 333);
    assert_eq!(values(&p), [99_833, 49_834, 60_000]);
    assert_eq!(p.tx.outputs[2].script_pubkey, fed.script_pubkey());
    assert_eq!(p.change(), Some(60_000));
    assert_eq!(p.fee, 333);
    assert_eq!(p.paid, [burns[1].id, burns[0].id]);
}

#[test]
fn change_below_dust_goes_to_fee() {
    let fed = federation();
    let burns = [
        burn(1, 0xa1, 0, 100_000, p2wpkh(1)),
        burn(2, 0xa2, 0, 50_000, p2wpkh(2)),
    ];
    // {100,000, 50,300}: sums 100,000, 50,300, 150,300, none in [150,000, 150,152]. Largest
    // first takes both: change 300 < 330, so no change output; vsize 290 as in the changeless
    // example, 145 per output, fee 150,300 − 99,855 − 49,855 = 590 = 290 + 300.
    let utxos = [utxo(1, 0, 100_000), utxo(2, 0, 50_300)];
    let p = build_payment(&fed, &utxos, &burns, 1_000, &small_policy()).unwrap();
    assert_eq!(values(&p), [99_855, 49_855]);
    assert_eq!((p.rate_fee, p.fee), (290, 590));
    assert_eq!(p.change(), None);
}

#[test]
fn dust_after_fee_rejects_alone_and_rebuilds() {
    let fed = federation();
    let small = burn(2, 0xa2, 0, 400, p2wpkh(2));
    let burns = [burn(1, 0xa1, 0, 100_000, p2wpkh(1)), small.clone()];
    let utxos = [utxo(1, 0, 200_000)];
    // First build: T = 100,400, one input, change 99,600. Base 4 + 1 + 41 + 1 + 2 × 31 + 43
    // + 4 = 156; weight 624 + 2 + 271 = 897; vsize ceil(224.25) = 225; shares 113 + 112.
    // The second output would be 400 − 112 = 288 < 294 (P2WPKH dust): rejected.
    // Rebuild: T = 100,000, change 100,000; base 125, weight 773, vsize 194: 99,806.
    let p = build_payment(&fed, &utxos, &burns, 1_000, &small_policy()).unwrap();
    assert_eq!(values(&p), [99_806, 100_000]);
    assert_eq!((p.rate_fee, p.fee), (194, 194));
    assert_eq!(p.paid, [burns[0].id]);
    assert_eq!(
        p.rejected,
        [Rejection {
            id: RejectedId::Burn(small.id),
            reason: RejectReason::DustAfterFee {
                amount: 288,
                dust: 294
            },
        }]
    );
    assert_eq!(p.rejected[0].reason.code(), "dust_after_fee");
}

#[test]
fn dust_rejection_takes_in_the_next_pending_burn() {
    let fed = federation();
    let policy = Policy {
        max_outputs: 2,
        ..small_policy()
    };
    let burns = [
        burn(1, 0xa1, 0, 100_000, p2wpkh(1)),
        burn(2, 0xa2, 0, 300, p2wpkh(2)),
        burn(3, 0xa3, 0, 70_000, p2tr(3)),
    ];
    let p = build_payment(&fed, &[utxo(1, 0, 500_000)], &burns, 1_000, &policy).unwrap();
    assert_eq!(p.paid, [burns[0].id, burns[2].id]);
    assert_eq!(p.rejected.len(), 1);
    assert_eq!(p.rejected[0].id, RejectedId::Burn(burns[1].id));
}

#[test]
fn max_outputs_leaves_later_burns_pending() {
    let fed = federation();
    let policy = Policy {
        max_outputs: 2,
        ..small_policy()
    };
    let burns = [
        burn(3, 0xa3, 0, 30_000, p2wpkh(3)),
        burn(1, 0xa1, 1, 10_000, p2wpkh(1)),
        burn(1, 0xa1, 0, 20_000, p2wpkh(1)),
    ];
    let p = build_payment(&fed, &[utxo(1, 0, 500_000)], &burns, 1_000, &policy).unwrap();
    // Burn order: (1, a1…, 0), (1, a1…, 1), (3, …): the third waits, neither paid nor rejected.
    assert_eq!(p.paid, [burns[2].id, burns[1].id]);
    assert!(p.rejected.is_empty());
    assert_eq!(p.tx.outputs.len(), 3); // two peg-outs and the change
    // max_outputs 0: nothing to pay.
    let none = Policy {
        max_outputs: 0,
        ..small_policy()
    };
    assert_eq!(
        build_payment(&fed, &[utxo(1, 0, 500_000)], &burns, 1_000, &none),
        Err(BuildError::NoBurns { rejected: vec![] })
    );
}

#[test]
fn invalid_burns_are_rejected_with_records() {
    let fed = federation();
    let policy = Policy::default();
    let low = burn(1, 0xa1, 0, 999_999, p2wpkh(1));
    let ok = burn(2, 0xa2, 0, 2_000_000, p2wpkh(2));
    let high = burn(3, 0xa3, 0, 10_000_000_001, p2wpkh(3));
    let mut dup = ok.clone();
    dup.block_number = 7; // re-mined after a reorg: same id, later block
    let burns = [dup.clone(), high.clone(), ok.clone(), low.clone()];
    let p = build_payment(&fed, &[utxo(1, 0, 5_000_000)], &burns, 1_000, &policy).unwrap();
    assert_eq!(p.paid, [ok.id]);
    let codes: Vec<_> = p.rejected.iter().map(|r| (r.id, r.reason.code())).collect();
    assert_eq!(
        codes,
        [
            (RejectedId::Burn(low.id), "amount_below_minimum"),
            (RejectedId::Burn(high.id), "amount_above_maximum"),
            (RejectedId::Burn(dup.id), "duplicate_burn"),
        ]
    );
    // Only invalid burns: no payment, but the records come back.
    match build_payment(&fed, &[utxo(1, 0, 5_000_000)], &[low], 1_000, &policy) {
        Err(BuildError::NoBurns { rejected }) => assert_eq!(rejected.len(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn build_errors_name_the_value() {
    let fed = federation();
    let policy = small_policy();
    let burns = [burn(1, 0xa1, 0, 100_000, p2wpkh(1))];
    let utxos = [utxo(1, 0, 60_000), utxo(2, 0, 30_000)];
    assert_eq!(
        build_payment(&fed, &utxos, &burns, 1_000, &policy),
        Err(BuildError::InsufficientFunds {
            needed: 100_000,
            available: 90_000
        })
    );
    assert_eq!(
        build_payment(&fed, &utxos, &burns, 999, &policy),
        Err(BuildError::FeeRateOutOfRange {
            rate: 999,
            min: 1_000,
            max: 500_000
        })
    );
    assert_eq!(
        build_payment(&fed, &utxos, &burns, 500_001, &policy)
            .unwrap_err()
            .code(),
        "fee_rate_out_of_range"
    );
    let dup = [utxo(2, 1, 5), utxo(1, 0, 200_000), utxo(2, 1, 7)];
    assert_eq!(
        build_payment(&fed, &dup, &burns, 1_000, &policy),
        Err(BuildError::DuplicateUtxo {
            outpoint: dup[0].outpoint
        })
    );
    let huge = [utxo(1, 0, MAX_MONEY), utxo(2, 0, 1)];
    assert_eq!(
        build_payment(&fed, &huge, &burns, 1_000, &policy),
        Err(BuildError::AmountOverflow {
            total: Total::Utxos
        })
    );
    // One input, one output, change: vsize ceil((4 × 125 + 2 + 271) / 4) = 194; at 500,000
    // sat/kvB the fee is 97,000, above a cap of 96,999.
    let capped = Policy {
        max_fee: 96_999,
        ..policy
    };
    assert_eq!(
        build_payment(&fed, &[utxo(1, 0, 300_000)], &burns, 500_000, &capped),
        Err(BuildError::FeeAboveCap {
            fee: 97_000,
            max: 96_999
        })
    );
    for e in [
        BuildError::NoBurns { rejected: vec![] },
        BuildError::FeeAboveCap { fee: 1, max: 0 },
    ] {
        assert!(!alloc::format!("{e}").is_empty());
    }
}

/// Every subset's sum in the window? (2ⁿ subsets.)
fn exists_in_window(amounts: &[u64], target: u64, upper: u64) -> bool {
    (0u32..1 << amounts.len()).any(|mask| {
        let s: u64 = amounts
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, a)| a)
            .sum();
        (target..=upper).contains(&s)
    })
}

/// Unpruned, uncapped include-first depth-first search, recursive: the first node whose sum
/// is in the window.
fn exhaustive_dfs(
    amounts: &[u64],
    i: usize,
    sum: u64,
    target: u64,
    upper: u64,
    path: &mut Vec<usize>,
) -> bool {
    if (target..=upper).contains(&sum) {
        return true;
    }
    if i == amounts.len() {
        return false;
    }
    path.push(i);
    if exhaustive_dfs(amounts, i + 1, sum + amounts[i], target, upper, path) {
        return true;
    }
    path.pop();
    exhaustive_dfs(amounts, i + 1, sum, target, upper, path)
}

#[test]
fn step_cap_is_honoured_on_adversarial_sets() {
    // 2,000 equal UTXOs of 1,000,000 and a window [5,500,000, 5,500,152] that no multiple of
    // 1,000,000 reaches: nothing prunes the C(2000, 6) paths early; the search stops at the cap.
    let amounts = vec![1_000_000u64; 2_000];
    let (found, steps) = bnb_search(&amounts, 5_500_000, 5_500_152, BNB_MAX_STEPS);
    assert_eq!((found, steps), (None, BNB_MAX_STEPS));
    // A changeless set that exists only beyond the cap: 3 then eighteen 2s, window [18, 18].
    // Every sum that includes the 3 is odd, so its whole subtree is searched first (151,174
    // nodes, counted by an independent Python model of the same search) before the nine 2s
    // are found with the 3 excluded.
    let mut amounts = vec![3u64];
    amounts.extend([2u64; 18]);
    let (found, steps) = bnb_search(&amounts, 18, 18, u32::MAX);
    assert_eq!(steps, 151_174);
    assert_eq!(found, Some((1..=9).collect::<Vec<_>>()));
    assert_eq!(
        bnb_search(&amounts, 18, 18, BNB_MAX_STEPS),
        (None, BNB_MAX_STEPS)
    );
    let mut path = Vec::new();
    assert!(exhaustive_dfs(&amounts, 0, 0, 18, 18, &mut path));
    assert_eq!(found, Some(path));

    // The whole build over 2,000 such UTXOs: the cap hit, largest-first takes six.
    let fed = federation();
    let utxos: Vec<Utxo> = (0..2_000u32)
        .map(|i| utxo((i % 251) as u8, i, 1_000_000))
        .collect();
    let burns = [burn(1, 0xa1, 0, 5_500_000, p2wpkh(1))];
    let p = build_payment(&fed, &utxos, &burns, 1_000, &Policy::default()).unwrap();
    assert_eq!(p.tx.inputs.len(), 6);
    assert_eq!(p.change(), Some(500_000));
}

proptest! {
    #[test]
    fn branch_and_bound_matches_exhaustive_search(
        mut amounts in proptest::collection::vec(1u64..=40, 0..=12),
        target in 1u64..=200,
        width in 0u64..=5,
    ) {
        amounts.sort_unstable_by(|a, b| b.cmp(a));
        let upper = target + width;
        let (found, steps) = bnb_search(&amounts, target, upper, BNB_MAX_STEPS);
        prop_assert!(steps < BNB_MAX_STEPS); // at most 2^13 nodes
        let mut path = Vec::new();
        let exists = exhaustive_dfs(&amounts, 0, 0, target, upper, &mut path);
        prop_assert_eq!(exists, exists_in_window(&amounts, target, upper));
        prop_assert_eq!(found, exists.then_some(path));
    }

    #[test]
    fn fee_split_sums_and_is_even(fee in 0u64..=10_000_000, m in 1usize..=300) {
        let shares: Vec<u64> = fee_shares(fee, m).collect();
        prop_assert_eq!(shares.len(), m);
        prop_assert_eq!(shares.iter().sum::<u64>(), fee);
        let (lo, hi) = (shares.iter().min().unwrap(), shares.iter().max().unwrap());
        prop_assert!(hi - lo <= 1);
        // The larger shares come first.
        prop_assert!(shares.windows(2).all(|w| w[0] >= w[1]));
    }
}

fn script_of(kind: u8, tag: u8) -> Vec<u8> {
    match kind % 5 {
        0 => p2pkh(tag),
        1 => p2sh(tag),
        2 => p2wpkh(tag),
        3 => p2wsh(tag),
        _ => p2tr(tag),
    }
}

prop_compose! {
    pub(crate) fn arb_utxos()(raw in proptest::collection::vec((0u8..8, 0u32..3, 1_000u64..3_000_000), 1..14))
        -> Vec<Utxo> {
        let mut seen = BTreeSet::new();
        raw.into_iter()
            .filter(|(t, v, _)| seen.insert((*t, *v)))
            .map(|(t, v, a)| utxo(t, v, a))
            .collect()
    }
}

prop_compose! {
    pub(crate) fn arb_burns()(raw in proptest::collection::vec(
        (0u64..4, 0u8..6, 0u32..2, 0u64..1_500_000, 0u8..5, 0u8..4), 1..9)) -> Vec<Burn> {
        raw.into_iter()
            .map(|(block, tag, idx, sats, kind, st)| burn(block, tag, idx, sats, script_of(kind, st)))
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn payment_properties(
        utxos in arb_utxos(),
        burns in arb_burns(),
        rate in 1_000u64..=60_000,
        max_outputs in 1u32..=5,
        min_amount in 0u64..=20_000,
        seed in any::<u64>(),
    ) {
        let fed = federation();
        let policy = Policy { min_amount, max_outputs, ..Policy::default() };
        let built = build_payment(&fed, &utxos, &burns, rate, &policy);
        // Determinism: any order of the same values gives the same result.
        let mut u2 = utxos.clone();
        let mut b2 = burns.clone();
        shuffle(&mut u2, seed);
        shuffle(&mut b2, seed.rotate_left(17));
        let again = build_payment(&fed, &u2, &b2, rate, &policy);
        prop_assert_eq!(&built, &again);
        let Ok(p) = built else { return Ok(()); };
        let tx_bytes = p.tx.to_bytes();
        prop_assert_eq!(&again.unwrap().tx.to_bytes(), &tx_bytes);

        // Conservation: Σ inputs = Σ outputs + fee.
        let ins: i64 = p.prevouts.iter().map(|o| o.value).sum();
        let outs: i64 = p.tx.outputs.iter().map(|o| o.value).sum();
        prop_assert_eq!(ins, outs + p.fee as i64);
        prop_assert!(p.fee <= policy.max_fee);
        prop_assert!(p.fee >= p.rate_fee);
        prop_assert_eq!(p.rate_fee, (rate * finished_vsize(&p.tx, fed.satisfaction_weight())).div_ceil(1000));
        // Each burn paid at most once; every burn given is paid, rejected or pending.
        let mut ids = p.paid.clone();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), p.paid.len());
        prop_assert!(p.paid.len() <= max_outputs as usize);
        // Every output at or above its dust threshold.
        for o in &p.tx.outputs {
            prop_assert!(o.value as u64 >= dust_threshold(&o.script_pubkey));
        }
        // Outputs: the burns in burn order minus their shares; shares sum to the rate fee and
        // differ by at most 1 sat; change last and only to the federation.
        let by_id = |id: &BurnId| burns.iter().filter(|b| b.id == *id).min_by(|a, b| burn_order(a, b)).unwrap();
        let shares: Vec<u64> = p.paid.iter().zip(&p.tx.outputs).map(|(id, o)| {
            let b = by_id(id);
            assert_eq!(o.script_pubkey, b.script_pubkey);
            b.sats - o.value as u64
        }).collect();
        prop_assert_eq!(shares.iter().sum::<u64>(), p.rate_fee);
        prop_assert!(shares.iter().max().unwrap() - shares.iter().min().unwrap() <= 1);
        let paid_burns: Vec<&Burn> = p.paid.iter().map(by_id).collect();
        prop_assert!(paid_burns.windows(2).all(|w| burn_order(w[0], w[1]).is_lt()));
        let t: u64 = paid_burns.iter().map(|b| b.sats).sum();
        match p.change() {
            Some(c) => {
                prop_assert_eq!(&p.tx.outputs.last().unwrap().script_pubkey, &fed.script_pubkey().to_vec());
                prop_assert_eq!(c, ins as u64 - t);
            }
            None => prop_assert!(ins as u64 - t <= cost_of_change(rate, 271).max(329)),
        }
        // Inputs: sorted order, distinct, each a given UTXO.
        let spent: Vec<Utxo> = p.tx.inputs.iter().zip(&p.prevouts)
            .map(|(i, o)| Utxo { outpoint: i.previous_output, amount: o.value as u64 }).collect();
        prop_assert!(spent.windows(2).all(|w| utxo_order(&w[0], &w[1]).is_lt()));
        prop_assert!(spent.iter().all(|s| utxos.contains(s)));
        for b in &burns {
            let r = RejectedId::Burn(b.id);
            let pending = !p.paid.contains(&b.id) && !p.rejected.iter().any(|x| x.id == r);
            if pending {
                prop_assert!(b.sats >= min_amount && p.paid.len() == max_outputs as usize);
            }
        }
        // The proposal check accepts it.
        let req = ProposalRequest {
            federation: &fed, utxos: &utxos, reserved: &[], burns: &burns, processed: &[],
            fee_rate_sat_kvb: rate, policy: &policy,
        };
        prop_assert_eq!(&build_proposal(&req).unwrap(), &p);
        let checked = check_proposal(&req, &p.tx, &p.prevouts).unwrap();
        prop_assert_eq!((checked.fee, checked.rate_fee, checked.paid), (p.fee, p.rate_fee, p.paid.clone()));
    }
}

/// Fisher–Yates with a 64-bit LCG (deterministic from the seed).
pub(crate) fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = ((seed >> 33) % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

#[test]
fn a_zero_sat_burn_is_never_paid() {
    // Even with a zero minimum and a zero fee rate, and to an OP_RETURN (dust 0): a payment
    // with no input could otherwise pay it.
    let fed = federation();
    let policy = Policy {
        min_amount: 0,
        min_fee_rate_sat_kvb: 0,
        ..Policy::default()
    };
    let zero = burn(1, 0xa1, 0, 0, vec![0x6a]);
    assert_eq!(
        build_payment(
            &fed,
            &[utxo(1, 0, 1_000)],
            core::slice::from_ref(&zero),
            0,
            &policy
        ),
        Err(BuildError::NoBurns {
            rejected: vec![Rejection {
                id: RejectedId::Burn(zero.id),
                reason: RejectReason::BelowMinimum { sats: 0, min: 1 },
            }]
        })
    );
}
