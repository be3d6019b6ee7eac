//! Section "Peg-out": `pegout decode`, `pegout build`, `pegout check`.

use crate::signing::{FederationRequest, PrevoutJson, federation_of, prevouts_of};
use crate::spv::NetworkName;
use crate::wire::{Failure, Hex};
use alloy_primitives::U256;
use pegkit_core::address::parse_address;
use pegkit_core::params::Network;
use pegkit_core::pegout::{
    Burn, BurnId, DEFAULT_BRIDGE, Log, Policy, ProposalRequest, RejectedId, Rejection, Utxo,
    WEI_PER_SAT, build_payment, check_proposal, decode_logs,
};
use pegkit_core::{Decode, Encode, ErrorCode, OutPoint, Transaction, Txid, hex};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

/// EVM bytes as `eth_getLogs` prints them: `0x`-prefixed hex, either case.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EvmHex(Vec<u8>);

impl<'de> Deserialize<'de> for EvmHex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let digits = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .ok_or_else(|| D::Error::custom(format!("{s:?} is not 0x-prefixed hex")))?;
        hex::decode(digits).map(EvmHex).map_err(D::Error::custom)
    }
}

impl EvmHex {
    fn array<const N: usize>(&self, field: &str) -> Result<[u8; N], Failure> {
        <[u8; N]>::try_from(self.0.as_slice()).map_err(|_| {
            Failure::reject(
                "invalid_length",
                format!("{field} must be {N} bytes, got {}", self.0.len()),
            )
        })
    }
}

fn evm_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// A wei amount: a decimal string (JSON numbers cannot hold 256 bits).
struct Wei(U256);

impl<'de> Deserialize<'de> for Wei {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(D::Error::custom(format!(
                "wei {s:?} is not a decimal string"
            )));
        }
        U256::from_str_radix(&s, 10)
            .map(Wei)
            .map_err(|_| D::Error::custom(format!("wei {s:?} does not fit 256 bits")))
    }
}

/// The peg-out policy: every field optional, defaults from DESIGN.md.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PolicyJson {
    min_amount: Option<u64>,
    max_amount: Option<u64>,
    max_outputs: Option<u32>,
    max_fee: Option<u64>,
    min_fee_rate_sat_kvb: Option<u64>,
    max_fee_rate_sat_kvb: Option<u64>,
}

impl PolicyJson {
    fn policy(&self) -> Policy {
        let d = Policy::default();
        Policy {
            min_amount: self.min_amount.unwrap_or(d.min_amount),
            max_amount: self.max_amount.unwrap_or(d.max_amount),
            max_outputs: self.max_outputs.unwrap_or(d.max_outputs),
            max_fee: self.max_fee.unwrap_or(d.max_fee),
            min_fee_rate_sat_kvb: self.min_fee_rate_sat_kvb.unwrap_or(d.min_fee_rate_sat_kvb),
            max_fee_rate_sat_kvb: self.max_fee_rate_sat_kvb.unwrap_or(d.max_fee_rate_sat_kvb),
        }
    }
}

fn policy_of(p: &Option<PolicyJson>) -> Policy {
    p.as_ref().map_or_else(Policy::default, PolicyJson::policy)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogJson {
    address: EvmHex,
    topics: Vec<EvmHex>,
    data: EvmHex,
    transaction_hash: EvmHex,
    log_index: u64,
    block_number: u64,
    block_hash: Option<EvmHex>,
    #[serde(default)]
    removed: bool,
}

fn log_of(l: &LogJson, i: usize) -> Result<Log, Failure> {
    let field = |name: &str| format!("logs[{i}].{name}");
    Ok(Log {
        address: l.address.array(&field("address"))?,
        topics: l
            .topics
            .iter()
            .enumerate()
            .map(|(t, topic)| topic.array(&field(&format!("topics[{t}]"))))
            .collect::<Result<_, _>>()?,
        data: l.data.0.clone(),
        transaction_hash: l.transaction_hash.array(&field("transaction_hash"))?,
        log_index: l.log_index,
        block_number: l.block_number,
        block_hash: l
            .block_hash
            .as_ref()
            .map(|h| h.array(&field("block_hash")))
            .transpose()?,
        removed: l.removed,
    })
}

/// A burn's identity: `{"transaction_hash","event_index"}`.
#[derive(Deserialize, Serialize, Clone)]
#[serde(deny_unknown_fields)]
struct BurnIdJson {
    transaction_hash: String,
    event_index: u32,
}

impl BurnIdJson {
    fn from_id(id: &BurnId) -> Self {
        Self {
            transaction_hash: evm_hex(&id.transaction_hash),
            event_index: id.event_index,
        }
    }

    fn id(&self, field: &str) -> Result<BurnId, Failure> {
        let digits = self
            .transaction_hash
            .strip_prefix("0x")
            .or_else(|| self.transaction_hash.strip_prefix("0X"))
            .ok_or_else(|| {
                Failure::usage(format!("{field}.transaction_hash is not 0x-prefixed hex"))
            })?;
        let bytes = hex::decode(digits)
            .map_err(|e| Failure::usage(format!("{field}.transaction_hash: {e}")))?;
        Ok(BurnId {
            transaction_hash: EvmHex(bytes).array(&format!("{field}.transaction_hash"))?,
            event_index: self.event_index,
        })
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum RejectedIdJson {
    Burn(BurnIdJson),
    Log {
        transaction_hash: String,
        log_index: u64,
    },
}

#[derive(Serialize)]
struct RejectionJson {
    id: RejectedIdJson,
    code: &'static str,
    message: String,
}

fn rejection_json(r: &Rejection) -> RejectionJson {
    RejectionJson {
        id: match &r.id {
            RejectedId::Burn(id) => RejectedIdJson::Burn(BurnIdJson::from_id(id)),
            RejectedId::Log {
                transaction_hash,
                log_index,
            } => RejectedIdJson::Log {
                transaction_hash: evm_hex(transaction_hash),
                log_index: *log_index,
            },
        },
        code: r.reason.code(),
        message: r.reason.to_string(),
    }
}

/// A burn as `pegout decode` prints it and `pegout build`/`check` read it.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct BurnJson {
    id: BurnIdJson,
    block_number: u64,
    evm_sender: String,
    destination: String,
    wei: String,
    sats: u64,
    remainder_wei: String,
}

fn burn_json(b: &Burn) -> BurnJson {
    BurnJson {
        id: BurnIdJson::from_id(&b.id),
        block_number: b.block_number,
        evm_sender: evm_hex(&b.evm_sender),
        destination: b.destination.clone(),
        wei: b.wei.to_string(),
        sats: b.sats,
        remainder_wei: b.remainder_wei.to_string(),
    }
}

/// A burn read back from JSON: its id and sender parsed, its amounts checked against each other
/// (`sats` and `remainder_wei` must be what `wei` gives), its destination parsed for `network`.
fn burn_of(network: Network, b: &BurnJson, i: usize) -> Result<Burn, Failure> {
    let field = format!("burns[{i}]");
    let wei: Wei = serde_json::from_value(serde_json::Value::String(b.wei.clone()))
        .map_err(|e| Failure::usage(format!("{field}.wei: {e}")))?;
    let remainder: Wei = serde_json::from_value(serde_json::Value::String(b.remainder_wei.clone()))
        .map_err(|e| Failure::usage(format!("{field}.remainder_wei: {e}")))?;
    let per_sat = U256::from(WEI_PER_SAT);
    let (sats, rem) = wei.0.div_rem(per_sat);
    if sats != U256::from(b.sats) || rem != remainder.0 {
        return Err(Failure::reject(
            "inconsistent_burn",
            format!(
                "{field}: wei {} is {sats} sat and {rem} wei, not {} sat and {} wei",
                b.wei, b.sats, b.remainder_wei
            ),
        ));
    }
    let sender = b
        .evm_sender
        .strip_prefix("0x")
        .or_else(|| b.evm_sender.strip_prefix("0X"))
        .ok_or_else(|| Failure::usage(format!("{field}.evm_sender is not 0x-prefixed hex")))?;
    let sender = EvmHex(
        hex::decode(sender).map_err(|e| Failure::usage(format!("{field}.evm_sender: {e}")))?,
    )
    .array::<20>(&format!("{field}.evm_sender"))?;
    let script_pubkey = parse_address(network, &b.destination)
        .map_err(|e| Failure::reject(e.code(), format!("{field}.destination: {e}")))?;
    Ok(Burn {
        id: b.id.id(&format!("{field}.id"))?,
        block_number: b.block_number,
        evm_sender: sender,
        destination: b.destination.clone(),
        script_pubkey,
        wei: wei.0,
        sats: b.sats,
        remainder_wei: u64::try_from(rem).unwrap_or(u64::MAX),
    })
}

/// A federation UTXO: `{"txid","vout","amount"}` (txid in display order).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UtxoJson {
    txid: Hex,
    vout: u32,
    amount: u64,
}

fn utxo_of(u: &UtxoJson, i: usize) -> Result<Utxo, Failure> {
    let txid = u.txid.array::<32>(&format!("utxos[{i}].txid"))?;
    Ok(Utxo {
        outpoint: OutPoint {
            txid: Txid::from_display_bytes(txid),
            vout: u.vout,
        },
        amount: u.amount,
    })
}

fn utxos_of(list: &[UtxoJson]) -> Result<Vec<Utxo>, Failure> {
    list.iter()
        .enumerate()
        .map(|(i, u)| utxo_of(u, i))
        .collect()
}

fn burns_of(network: Network, list: &[BurnJson]) -> Result<Vec<Burn>, Failure> {
    list.iter()
        .enumerate()
        .map(|(i, b)| burn_of(network, b, i))
        .collect()
}

fn ids_of(list: &[BurnIdJson], name: &str) -> Result<Vec<BurnId>, Failure> {
    list.iter()
        .enumerate()
        .map(|(i, id)| id.id(&format!("{name}[{i}]")))
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecodeRequest {
    network: NetworkName,
    bridge: Option<EvmHex>,
    logs: Vec<LogJson>,
    policy: Option<PolicyJson>,
}

#[derive(Serialize)]
pub(crate) struct DecodeResponse {
    burns: Vec<BurnJson>,
    rejected: Vec<RejectionJson>,
}

pub(crate) fn decode(req: DecodeRequest) -> Result<DecodeResponse, Failure> {
    let bridge = match &req.bridge {
        Some(b) => b.array::<20>("bridge")?,
        None => DEFAULT_BRIDGE,
    };
    let logs = req
        .logs
        .iter()
        .enumerate()
        .map(|(i, l)| log_of(l, i))
        .collect::<Result<Vec<_>, _>>()?;
    let decoded = decode_logs(req.network.0, bridge, &logs, &policy_of(&req.policy));
    Ok(DecodeResponse {
        burns: decoded.burns.iter().map(burn_json).collect(),
        rejected: decoded.rejected.iter().map(rejection_json).collect(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BuildRequest {
    network: NetworkName,
    federation: FederationRequest,
    utxos: Vec<UtxoJson>,
    burns: Vec<BurnJson>,
    fee_rate_sat_kvb: u64,
    policy: Option<PolicyJson>,
}

#[derive(Serialize)]
struct PrevoutOut {
    amount: i64,
    script_pubkey: String,
}

#[derive(Serialize)]
pub(crate) struct BuildResponse {
    tx: String,
    prevouts: Vec<PrevoutOut>,
    fee: u64,
    paid: Vec<BurnIdJson>,
    rejected: Vec<RejectionJson>,
}

/// The federation of a peg-out request: its network must be the request's.
fn pegout_federation(
    network: Network,
    req: &FederationRequest,
) -> Result<pegkit_core::federation::Federation, Failure> {
    let federation = federation_of(req)?;
    if federation.network() != network {
        return Err(Failure::reject(
            "wrong_network",
            format!(
                "the federation is on {}, the request on {network}",
                federation.network()
            ),
        ));
    }
    Ok(federation)
}

pub(crate) fn build(req: BuildRequest) -> Result<BuildResponse, Failure> {
    let network = req.network.0;
    let federation = pegout_federation(network, &req.federation)?;
    let utxos = utxos_of(&req.utxos)?;
    let burns = burns_of(network, &req.burns)?;
    let payment = build_payment(
        &federation,
        &utxos,
        &burns,
        req.fee_rate_sat_kvb,
        &policy_of(&req.policy),
    )
    .map_err(|e| Failure::rejected(&e))?;
    Ok(BuildResponse {
        tx: hex::encode(&payment.tx.to_bytes()),
        prevouts: payment
            .prevouts
            .iter()
            .map(|p| PrevoutOut {
                amount: p.value,
                script_pubkey: hex::encode(&p.script_pubkey),
            })
            .collect(),
        fee: payment.fee,
        paid: payment.paid.iter().map(BurnIdJson::from_id).collect(),
        rejected: payment.rejected.iter().map(rejection_json).collect(),
    })
}

/// An outpoint: `{"txid","vout"}` (txid in display order).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutPointJson {
    txid: Hex,
    vout: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckRequest {
    network: NetworkName,
    federation: FederationRequest,
    utxos: Vec<UtxoJson>,
    #[serde(default)]
    reserved: Vec<OutPointJson>,
    burns: Vec<BurnJson>,
    #[serde(default)]
    processed: Vec<BurnIdJson>,
    fee_rate_sat_kvb: u64,
    policy: Option<PolicyJson>,
    tx: Hex,
    prevouts: Vec<PrevoutJson>,
}

#[derive(Serialize)]
pub(crate) struct CheckResponse {
    ok: bool,
    fee: u64,
    paid: Vec<BurnIdJson>,
}

pub(crate) fn check(req: CheckRequest) -> Result<CheckResponse, Failure> {
    let network = req.network.0;
    let federation = pegout_federation(network, &req.federation)?;
    let utxos = utxos_of(&req.utxos)?;
    let reserved = req
        .reserved
        .iter()
        .enumerate()
        .map(|(i, o)| {
            Ok(OutPoint {
                txid: Txid::from_display_bytes(o.txid.array::<32>(&format!("reserved[{i}].txid"))?),
                vout: o.vout,
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let burns = burns_of(network, &req.burns)?;
    let processed = ids_of(&req.processed, "processed")?;
    let policy = policy_of(&req.policy);
    let tx = Transaction::decode(&req.tx.0).map_err(|e| Failure::rejected(&e))?;
    let prevouts = prevouts_of(&req.prevouts);
    let request = ProposalRequest {
        federation: &federation,
        utxos: &utxos,
        reserved: &reserved,
        burns: &burns,
        processed: &processed,
        fee_rate_sat_kvb: req.fee_rate_sat_kvb,
        policy: &policy,
    };
    let checked = check_proposal(&request, &tx, &prevouts).map_err(|e| Failure::rejected(&e))?;
    Ok(CheckResponse {
        ok: true,
        fee: checked.fee,
        paid: checked.paid.iter().map(BurnIdJson::from_id).collect(),
    })
}
