//! Peg-out for JavaScript: `decodePegOutLogs`, `buildPegOut`, `checkPegOut`, `parseAddress`.

use crate::args::{bytes, i64_of, opt_prop, prop};
use crate::error::{error, from_core, invalid_argument};
use crate::federation::JsFederation;
use crate::objects;
use crate::sighash::prevouts_of;
use alloy_primitives::U256;
use js_sys::{Array, BigInt};
use pegkit_core::address::parse_address;
use pegkit_core::params::Network;
use pegkit_core::pegout::{
    Burn, BurnId, DEFAULT_BRIDGE, Decimal, Log, Policy, ProposalRequest, RejectedId, Rejection,
    Utxo, build_payment, check_proposal, decode_logs, wei_to_sats,
};
use pegkit_core::{Decode, Encode, ErrorCode, OutPoint, Transaction, Txid, hex};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_PEGOUT: &str = r#"
/** An EVM log as `eth_getLogs` returns it (hex quantities), or as ethers v6 (`index`) and viem
 *  (`logIndex`, numbers or bigints) give it. Bytes are `0x`-hex strings or `Uint8Array`s. */
export interface EvmLog {
  /** The contract that emitted the log (20 bytes). */
  address: Bytes;
  /** 32 bytes each: topic0 is the event's signature hash, then the indexed arguments. */
  topics: Bytes[];
  /** The ABI-encoded non-indexed arguments. */
  data: Bytes;
  /** The EVM transaction that emitted the log (32 bytes). */
  transactionHash: Bytes;
  /** The log's index in its block (JSON-RPC and viem). */
  logIndex?: number | bigint | string;
  /** The same, as ethers v6 names it. */
  index?: number | bigint | string;
  /** The EVM block the log is in. */
  blockNumber: number | bigint | string;
  /** That block's hash (32 bytes), when known: logs of two blocks at one height are told apart. */
  blockHash?: Bytes | null;
  /** A log removed by a reorganization: never a burn. */
  removed?: boolean;
}

/** A burn's identity: its EVM transaction and its position among that transaction's burn events. */
export interface BurnId {
  /** `0x`-hex, lowercase. */
  transactionHash: string;
  /** 0 for the transaction's first burn event, then 1, 2, … */
  eventIndex: number;
}

/** A burn of sidechain BTC asking for a Bitcoin payment. */
export interface Burn {
  /** Its identity. */
  id: BurnId;
  /** The EVM block of the burn. */
  blockNumber: number;
  /** `0x`-hex, lowercase. */
  evmSender: string;
  /** The Bitcoin address the event carried. */
  destination: string;
  /** The amount burned, in wei (10^18 per BTC). */
  wei: bigint;
  /** `wei / 10^10`, before the burn's share of the fee. */
  sats: bigint;
  /** `wei mod 10^10`: not payable in satoshis. */
  remainderWei: bigint;
}

/** A log or burn that is not paid, and why (`code` as `PegkitError.code`). */
export interface PegOutRejection {
  /** A burn's id, or `{ transactionHash, logIndex }` for a log that is no bridge burn event. */
  id: BurnId | { transactionHash: string; logIndex: number };
  /** Stable snake_case reason, e.g. `amount_below_minimum`, `not_bridge`, `wrong_network`. */
  code: string;
  /** What was wrong, in words. */
  message: string;
}

/** Every log given, as a burn or a rejection. */
export interface DecodedLogs {
  /** In payment order: block number, transaction hash, event index. */
  burns: Burn[];
  /** In the order of the logs given. */
  rejected: PegOutRejection[];
}

/** Peg-out policy; omitted fields take the defaults. */
export interface PegOutPolicy {
  /** Smallest burn paid, sat (default 1,000,000). */
  minAmount?: bigint | number;
  /** Largest burn paid, sat (default 10,000,000,000). */
  maxAmount?: bigint | number;
  /** Most peg-outs in one payment (default 250). */
  maxOutputs?: number;
  /** Largest fee, sat (default 1,000,000). */
  maxFee?: bigint | number;
  /** Lowest fee rate, sat per 1,000 vbytes (default 1,000). */
  minFeeRateSatKvb?: bigint | number;
  /** Highest fee rate, sat per 1,000 vbytes (default 500,000). */
  maxFeeRateSatKvb?: bigint | number;
}

/** A federation UTXO. */
export interface Utxo {
  /** Display order. */
  txid: string;
  /** The output's index in that transaction. */
  vout: number;
  /** Satoshis. */
  amount: bigint | number;
}

/** A burn as given to `buildPegOut` / `checkPegOut`: `sats` and `remainderWei` may be left out
 *  (they follow from `wei`; if given they must agree). */
export interface BurnInput {
  /** Its identity. */
  id: BurnId;
  /** The EVM block of the burn (orders the batch). */
  blockNumber: number | bigint;
  /** The burner's EVM address (20 bytes). */
  evmSender: Bytes;
  /** The Bitcoin address to pay, on the federation's network. */
  destination: string;
  /** The amount burned, in wei: a bigint or a decimal string. */
  wei: bigint | string;
  /** `wei / 10^10`. */
  sats?: bigint | number;
  /** `wei mod 10^10`. */
  remainderWei?: bigint | number;
}

/** The payment that pays a batch of burns. */
export interface PegOutPayment {
  /** The unsigned transaction. */
  tx: Uint8Array;
  /** Its txid, display order. */
  txid: string;
  /** The outputs it spends, one per input (for signing). */
  prevouts: Prevout[];
  /** What miners get: inputs minus outputs. */
  fee: bigint;
  /** The users' share, ceil(rate x vsize / 1000), split across the peg-outs. */
  rateFee: bigint;
  /** The burns paid, in output order. */
  paid: BurnId[];
  /** Burns not paid, with reasons (burns beyond `maxOutputs` are in neither list). */
  rejected: PegOutRejection[];
}

/** What a member checks before signing a proposed payment. */
export interface PegOutProposal {
  /** The federation's UTXOs, as this member knows them. */
  utxos: Utxo[];
  /** Outputs reserved by other proposals in flight. */
  reserved?: { txid: string; vout: number }[];
  /** The burns waiting for payment, as this member decoded them. */
  burns: BurnInput[];
  /** Burns already paid: never paid again. */
  processed?: BurnId[];
  /** The fee rate the payment claims, sat per 1,000 vbytes. */
  feeRateSatKvb: bigint | number;
  /** The policy the payment was built under; defaults as `PegOutPolicy`. */
  policy?: PegOutPolicy;
  /** The proposed unsigned transaction. */
  tx: Bytes;
  /** The outputs it spends, one per input, as proposed. */
  prevouts: Prevout[];
}

/** A proposal that passed every check. */
export interface CheckedPegOut {
  /** What miners get: inputs minus outputs. */
  fee: bigint;
  /** The users' share of the fee, split across the peg-outs. */
  rateFee: bigint;
  /** The burns the payment settles, in output order. */
  paid: BurnId[];
}

/** The options of `decodePegOutLogs`. */
export interface DecodePegOutLogsOptions {
  /** The bridge contract whose logs count (default `0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB`);
   *  a log any other contract emitted is rejected with `not_bridge`. */
  bridge?: Bytes;
  /** Minimum and maximum amounts: a burn outside them is rejected. */
  policy?: PegOutPolicy;
}
"#;

/// `0x`-prefixed (or bare) hex, or a `Uint8Array`.
fn evm_bytes(value: &JsValue, name: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = value.as_string() {
        let digits = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .unwrap_or(&s);
        return hex::decode(digits).map_err(|e| error(e.code(), &format!("{name}: {e}")));
    }
    bytes(value, name)
}

fn evm_array<const N: usize>(value: &JsValue, name: &str) -> Result<[u8; N], JsValue> {
    let v = evm_bytes(value, name)?;
    <[u8; N]>::try_from(v.as_slice()).map_err(|_| {
        error(
            "invalid_length",
            &format!("{name} must be {N} bytes, got {}", v.len()),
        )
    })
}

fn evm_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// A non-negative integer given as a number, a bigint or a hex quantity string (`"0x1a"`).
fn quantity(value: &JsValue, name: &str) -> Result<u64, JsValue> {
    if let Some(s) = value.as_string() {
        let digits = s
            .strip_prefix("0x")
            .ok_or_else(|| invalid_argument(name, "a number, a bigint or a 0x hex quantity"))?;
        return u64::from_str_radix(digits, 16)
            .map_err(|_| invalid_argument(name, "a 0x hex quantity below 2^64"));
    }
    let n = i64_of(value, name)?;
    u64::try_from(n).map_err(|_| invalid_argument(name, "not negative"))
}

fn amount_of(value: &JsValue, name: &str) -> Result<u64, JsValue> {
    let n = i64_of(value, name)?;
    u64::try_from(n).map_err(|_| invalid_argument(name, "a non-negative amount"))
}

fn network_of(name: &str) -> Result<Network, JsValue> {
    name.parse().map_err(|_| {
        invalid_argument(
            "network",
            "'mainnet', 'testnet3', 'testnet4', 'signet' or 'regtest'",
        )
    })
}

fn policy_of(value: &JsValue) -> Result<Policy, JsValue> {
    let mut p = Policy::default();
    if value.is_undefined() || value.is_null() {
        return Ok(p);
    }
    if !value.is_object() {
        return Err(invalid_argument("policy", "an object"));
    }
    let u64_field = |key: &'static str, slot: &mut u64| -> Result<(), JsValue> {
        if let Some(v) = opt_prop(value, key)? {
            *slot = amount_of(&v, &format!("policy.{key}"))?;
        }
        Ok(())
    };
    u64_field("minAmount", &mut p.min_amount)?;
    u64_field("maxAmount", &mut p.max_amount)?;
    u64_field("maxFee", &mut p.max_fee)?;
    u64_field("minFeeRateSatKvb", &mut p.min_fee_rate_sat_kvb)?;
    u64_field("maxFeeRateSatKvb", &mut p.max_fee_rate_sat_kvb)?;
    if let Some(v) = opt_prop(value, "maxOutputs")? {
        let n = quantity(&v, "policy.maxOutputs")?;
        p.max_outputs = u32::try_from(n)
            .map_err(|_| invalid_argument("policy.maxOutputs", "an integer below 2^32"))?;
    }
    Ok(p)
}

fn log_of(value: &JsValue, i: u32) -> Result<Log, JsValue> {
    let name = |key: &str| format!("logs[{i}].{key}");
    if !value.is_object() {
        return Err(invalid_argument(&format!("logs[{i}]"), "a log object"));
    }
    let topics = prop(value, "topics")?
        .dyn_into::<Array>()
        .map_err(|_| invalid_argument(&name("topics"), "an array"))?;
    let topics = topics
        .iter()
        .enumerate()
        .map(|(t, topic)| evm_array::<32>(&topic, &name(&format!("topics[{t}]"))))
        .collect::<Result<Vec<_>, _>>()?;
    let log_index = match opt_prop(value, "logIndex")? {
        Some(v) => v,
        None => opt_prop(value, "index")?
            .ok_or_else(|| invalid_argument(&name("logIndex"), "given (or `index`)"))?,
    };
    let block_hash = opt_prop(value, "blockHash")?
        .map(|h| evm_array::<32>(&h, &name("blockHash")))
        .transpose()?;
    let removed = match opt_prop(value, "removed")? {
        Some(v) => v
            .as_bool()
            .ok_or_else(|| invalid_argument(&name("removed"), "a boolean"))?,
        None => false,
    };
    Ok(Log {
        address: evm_array::<20>(&prop(value, "address")?, &name("address"))?,
        topics,
        data: evm_bytes(&prop(value, "data")?, &name("data"))?,
        transaction_hash: evm_array::<32>(
            &prop(value, "transactionHash")?,
            &name("transactionHash"),
        )?,
        log_index: quantity(&log_index, &name("logIndex"))?,
        block_number: quantity(&prop(value, "blockNumber")?, &name("blockNumber"))?,
        block_hash,
        removed,
    })
}

fn burn_id_js(id: &BurnId) -> JsValue {
    objects::burn_id(&evm_hex(&id.transaction_hash), id.event_index)
}

fn rejection_js(r: &Rejection) -> JsValue {
    let id = match &r.id {
        RejectedId::Burn(id) => burn_id_js(id),
        RejectedId::Log {
            transaction_hash,
            log_index,
        } => objects::log_id(&evm_hex(transaction_hash), *log_index as f64),
    };
    objects::rejection(id, r.reason.code(), &r.reason.to_string())
}

fn burn_js(b: &Burn) -> JsValue {
    objects::burn(
        burn_id_js(&b.id),
        b.block_number as f64,
        &evm_hex(&b.evm_sender),
        &b.destination,
        &Decimal(&b.wei).to_string(),
        b.sats,
        b.remainder_wei,
    )
}

fn burn_id_of(value: &JsValue, name: &str) -> Result<BurnId, JsValue> {
    if !value.is_object() {
        return Err(invalid_argument(
            name,
            "an object { transactionHash, eventIndex }",
        ));
    }
    let index = quantity(&prop(value, "eventIndex")?, &format!("{name}.eventIndex"))?;
    Ok(BurnId {
        transaction_hash: evm_array::<32>(
            &prop(value, "transactionHash")?,
            &format!("{name}.transactionHash"),
        )?,
        event_index: u32::try_from(index)
            .map_err(|_| invalid_argument(&format!("{name}.eventIndex"), "below 2^32"))?,
    })
}

/// A wei amount: a bigint, or a decimal string.
fn wei_of(value: &JsValue, name: &str) -> Result<U256, JsValue> {
    let text = if value.is_bigint() {
        BigInt::from(value.clone())
            .to_string(10)
            .map(String::from)
            .map_err(|_| invalid_argument(name, "a bigint"))?
    } else {
        value
            .as_string()
            .ok_or_else(|| invalid_argument(name, "a bigint or a decimal string"))?
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid_argument(name, "a non-negative integer"));
    }
    U256::from_str_radix(&text, 10).map_err(|_| invalid_argument(name, "below 2^256"))
}

/// A burn given back by the caller: amounts checked against `wei`, destination parsed for
/// `network`.
fn burn_of(network: Network, value: &JsValue, i: u32) -> Result<Burn, JsValue> {
    let name = |key: &str| format!("burns[{i}].{key}");
    if !value.is_object() {
        return Err(invalid_argument(&format!("burns[{i}]"), "a burn object"));
    }
    let wei = wei_of(&prop(value, "wei")?, &name("wei"))?;
    let (sats, remainder) = wei_to_sats(&wei).ok_or_else(|| {
        error(
            "amount_above_maximum",
            &format!(
                "{}: {} wei is beyond any satoshi amount",
                name("wei"),
                Decimal(&wei)
            ),
        )
    })?;
    if let Some(v) = opt_prop(value, "sats")? {
        if amount_of(&v, &name("sats"))? != sats {
            return Err(error(
                "inconsistent_burn",
                &format!("{}: {} wei is {sats} sat", name("sats"), Decimal(&wei)),
            ));
        }
    }
    if let Some(v) = opt_prop(value, "remainderWei")? {
        if amount_of(&v, &name("remainderWei"))? != remainder {
            return Err(error(
                "inconsistent_burn",
                &format!(
                    "{}: {} wei leaves {remainder} wei",
                    name("remainderWei"),
                    Decimal(&wei)
                ),
            ));
        }
    }
    let destination = prop(value, "destination")?
        .as_string()
        .ok_or_else(|| invalid_argument(&name("destination"), "a string"))?;
    let script_pubkey = parse_address(network, &destination)
        .map_err(|e| error(e.code(), &format!("{}: {e}", name("destination"))))?;
    Ok(Burn {
        id: burn_id_of(&prop(value, "id")?, &name("id"))?,
        block_number: quantity(&prop(value, "blockNumber")?, &name("blockNumber"))?,
        evm_sender: evm_array::<20>(&prop(value, "evmSender")?, &name("evmSender"))?,
        destination,
        script_pubkey,
        wei,
        sats,
        remainder_wei: remainder,
    })
}

fn list_of(value: &JsValue, name: &str) -> Result<Array, JsValue> {
    value
        .clone()
        .dyn_into::<Array>()
        .map_err(|_| invalid_argument(name, "an array"))
}

fn burns_of(network: Network, value: &JsValue) -> Result<Vec<Burn>, JsValue> {
    list_of(value, "burns")?
        .iter()
        .zip(0u32..)
        .map(|(b, i)| burn_of(network, &b, i))
        .collect()
}

fn outpoint_of(value: &JsValue, name: &str) -> Result<OutPoint, JsValue> {
    if !value.is_object() {
        return Err(invalid_argument(name, "an object { txid, vout }"));
    }
    let txid = prop(value, "txid")?
        .as_string()
        .ok_or_else(|| invalid_argument(&format!("{name}.txid"), "a hex string"))?;
    let txid: Txid = txid
        .parse()
        .map_err(|e: hex::HexError| error(e.code(), &format!("{name}.txid: {e}")))?;
    let vout = quantity(&prop(value, "vout")?, &format!("{name}.vout"))?;
    Ok(OutPoint {
        txid,
        vout: u32::try_from(vout)
            .map_err(|_| invalid_argument(&format!("{name}.vout"), "below 2^32"))?,
    })
}

fn utxos_of(value: &JsValue) -> Result<Vec<Utxo>, JsValue> {
    list_of(value, "utxos")?
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let name = format!("utxos[{i}]");
            Ok(Utxo {
                outpoint: outpoint_of(&u, &name)?,
                amount: amount_of(&prop(&u, "amount")?, &format!("{name}.amount"))?,
            })
        })
        .collect()
}

#[wasm_bindgen]
extern "C" {
    /// `PegOutPolicy`, for optional parameters.
    #[wasm_bindgen(typescript_type = "PegOutPolicy")]
    #[derive(Debug, Clone)]
    pub type PegOutPolicyArg;

    /// `DecodePegOutLogsOptions`, for the optional last parameter of `decodePegOutLogs`.
    #[wasm_bindgen(typescript_type = "DecodePegOutLogsOptions")]
    #[derive(Debug, Clone)]
    pub type DecodePegOutLogsOptionsArg;
}

/// Decodes EVM logs (as `eth_getLogs`, ethers or viem return them) into burns and rejections:
/// a log counts only if the bridge emitted it and it is a burn event; every log given comes
/// back as exactly one burn or one rejection.
///
/// @param options `bridge`: the bridge contract (default
/// `0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB`); `policy`: minimum and maximum amounts
/// @throws {PegkitError} `invalid_argument`, `invalid_hex`, `invalid_length` for malformed logs
/// (a log that is well-formed but not a payable burn is a rejection, not an error)
#[wasm_bindgen(js_name = decodePegOutLogs, unchecked_return_type = "DecodedLogs")]
pub fn decode_peg_out_logs(
    #[wasm_bindgen(unchecked_param_type = "Network")] network: &str,
    #[wasm_bindgen(unchecked_param_type = "EvmLog[]")] logs: JsValue,
    options: Option<DecodePegOutLogsOptionsArg>,
) -> Result<JsValue, JsValue> {
    let network = network_of(network)?;
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let (bridge, policy) = if options.is_undefined() || options.is_null() {
        (DEFAULT_BRIDGE, Policy::default())
    } else {
        let bridge = match opt_prop(&options, "bridge")? {
            Some(b) => evm_array::<20>(&b, "options.bridge")?,
            None => DEFAULT_BRIDGE,
        };
        (bridge, policy_of(&prop(&options, "policy")?)?)
    };
    let logs = list_of(&logs, "logs")?
        .iter()
        .zip(0u32..)
        .map(|(l, i)| log_of(&l, i))
        .collect::<Result<Vec<_>, _>>()?;
    let decoded = decode_logs(network, bridge, &logs, &policy);
    let out = js_sys::Object::new();
    let burns: Array = decoded.burns.iter().map(burn_js).collect();
    let rejected: Array = decoded.rejected.iter().map(rejection_js).collect();
    js_sys::Reflect::set(&out, &JsValue::from_str("burns"), &burns)?;
    js_sys::Reflect::set(&out, &JsValue::from_str("rejected"), &rejected)?;
    Ok(out.into())
}

/// Builds the payment of a batch of burns from the federation's UTXOs, exactly as every member
/// rebuilds it (same values in any order → the same bytes).
///
/// @param feeRateSatKvb satoshis per 1,000 vbytes
/// @throws {PegkitError} `fee_rate_out_of_range`, `insufficient_funds`, `fee_above_cap`,
/// `no_burns`, `duplicate_utxo`, `amount_overflow`; for a burn: its address's code,
/// `inconsistent_burn`; `invalid_argument`
#[wasm_bindgen(js_name = buildPegOut, unchecked_return_type = "PegOutPayment")]
pub fn build_peg_out(
    federation: &JsFederation,
    #[wasm_bindgen(unchecked_param_type = "Utxo[]")] utxos: JsValue,
    #[wasm_bindgen(unchecked_param_type = "BurnInput[]")] burns: JsValue,
    #[wasm_bindgen(js_name = feeRateSatKvb, unchecked_param_type = "bigint | number")]
    fee_rate_sat_kvb: JsValue,
    policy: Option<PegOutPolicyArg>,
) -> Result<JsValue, JsValue> {
    let fed = &federation.inner;
    let utxos = utxos_of(&utxos)?;
    let burns = burns_of(fed.network(), &burns)?;
    let rate = amount_of(&fee_rate_sat_kvb, "feeRateSatKvb")?;
    let policy = policy_of(&policy.map_or(JsValue::UNDEFINED, Into::into))?;
    let payment = build_payment(fed, &utxos, &burns, rate, &policy).map_err(|e| from_core(&e))?;
    let prevouts: Array = payment
        .prevouts
        .iter()
        .map(|p| objects::prevout(p.value, &p.script_pubkey))
        .collect();
    Ok(objects::peg_out_payment(
        &payment.tx.to_bytes(),
        &payment.tx.txid().to_string(),
        prevouts,
        payment.fee,
        payment.rate_fee,
        payment.paid.iter().map(burn_id_js).collect(),
        payment.rejected.iter().map(rejection_js).collect(),
    ))
}

/// What a member runs before signing a proposed payment: every input a known, unreserved
/// federation UTXO; each peg-out output paying exactly one listed, unprocessed burn its sats
/// minus its fee share; change only to the federation; fee within the cap and the rate within
/// bounds; and the bytes equal to what `buildPegOut` builds from the same values.
///
/// @throws {PegkitError} the violation's code (e.g. `unknown_utxo`, `reserved_utxo`,
/// `burn_already_processed`, `proposal_mismatch`), or an argument's
#[wasm_bindgen(js_name = checkPegOut, unchecked_return_type = "CheckedPegOut")]
pub fn check_peg_out(
    federation: &JsFederation,
    #[wasm_bindgen(unchecked_param_type = "PegOutProposal")] proposal: JsValue,
) -> Result<JsValue, JsValue> {
    if !proposal.is_object() {
        return Err(invalid_argument("proposal", "an object"));
    }
    let fed = &federation.inner;
    let utxos = utxos_of(&prop(&proposal, "utxos")?)?;
    let reserved = match opt_prop(&proposal, "reserved")? {
        Some(list) => list_of(&list, "reserved")?
            .iter()
            .enumerate()
            .map(|(i, o)| outpoint_of(&o, &format!("reserved[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let burns = burns_of(fed.network(), &prop(&proposal, "burns")?)?;
    let processed = match opt_prop(&proposal, "processed")? {
        Some(list) => list_of(&list, "processed")?
            .iter()
            .enumerate()
            .map(|(i, id)| burn_id_of(&id, &format!("processed[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    let rate = amount_of(&prop(&proposal, "feeRateSatKvb")?, "feeRateSatKvb")?;
    let policy = policy_of(&prop(&proposal, "policy")?)?;
    let tx =
        Transaction::decode(&bytes(&prop(&proposal, "tx")?, "tx")?).map_err(|e| from_core(&e))?;
    let prevouts = prevouts_of(&prop(&proposal, "prevouts")?)?;
    let request = ProposalRequest {
        federation: fed,
        utxos: &utxos,
        reserved: &reserved,
        burns: &burns,
        processed: &processed,
        fee_rate_sat_kvb: rate,
        policy: &policy,
    };
    let checked = check_proposal(&request, &tx, &prevouts).map_err(|e| from_core(&e))?;
    Ok(objects::checked_peg_out(
        checked.fee,
        checked.rate_fee,
        checked.paid.iter().map(burn_id_js).collect(),
    ))
}

/// The output script of a Bitcoin address on `network` (P2PKH, P2SH, P2WPKH, P2WSH, P2TR).
///
/// @throws {PegkitError} `wrong_network`, `invalid_checksum`, `unknown_witness_version`, … (the
/// address codes)
#[wasm_bindgen(js_name = parseAddress)]
pub fn parse_address_js(
    #[wasm_bindgen(unchecked_param_type = "Network")] network: &str,
    address: &str,
) -> Result<Vec<u8>, JsValue> {
    parse_address(network_of(network)?, address).map_err(|e| from_core(&e))
}
