//! Section "Signing": `sighash`, `federation create`, `sign`, `finalize`.

use crate::spv::NetworkName;
use crate::wire::{Failure, Hex};
use pegkit_core::federation::{Federation, FederationKind, FederationSpec, LeafRole, RecoverySpec};
use pegkit_core::schnorr::SecretKey;
use pegkit_core::sighash::{ScriptPath, SighashCache, TAPSCRIPT_LEAF_VERSION, tap_leaf_hash};
use pegkit_core::signing::{PartialSignatures, SignatureCollector, check_witnesses, sign_inputs};
use pegkit_core::{Decode, Encode, Transaction, TxOut, hex};
use serde::{Deserialize, Serialize};

fn decode_tx(bytes: &Hex) -> Result<Transaction, Failure> {
    Transaction::decode(&bytes.0).map_err(|e| Failure::rejected(&e))
}

/// A spent output: `{"amount","script_pubkey"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PrevoutJson {
    amount: i64,
    script_pubkey: Hex,
}

pub(crate) fn prevouts_of(list: &[PrevoutJson]) -> Vec<TxOut> {
    list.iter()
        .map(|p| TxOut {
            value: p.amount,
            script_pubkey: p.script_pubkey.0.clone(),
        })
        .collect()
}

/// A sighash type: legacy and BIP143 take any 32-bit value, signed or unsigned (as Core's
/// `sighash.json` writes them); taproot takes the byte.
fn sighash_type_u32(value: i64) -> Result<u32, Failure> {
    if let Ok(v) = u32::try_from(value) {
        return Ok(v);
    }
    i32::try_from(value)
        .map(|v| v as u32)
        .map_err(|_| Failure::usage(format!("sighash_type {value} is not a 32-bit integer")))
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum SighashKind {
    Legacy,
    SegwitV0,
    Taproot,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SighashRequest {
    kind: SighashKind,
    tx: Hex,
    input_index: usize,
    sighash_type: i64,
    script_code: Option<Hex>,
    amount: Option<i64>,
    prevouts: Option<Vec<PrevoutJson>>,
    leaf_script: Option<Hex>,
    annex: Option<Hex>,
    codesep_pos: Option<u32>,
}

#[derive(Serialize)]
pub(crate) struct SighashResponse {
    sighash: String,
}

fn required<T>(value: Option<T>, field: &str, kind: &str) -> Result<T, Failure> {
    value.ok_or_else(|| Failure::usage(format!("request: {kind} needs field `{field}`")))
}

fn absent<T>(value: &Option<T>, field: &str, kind: &str) -> Result<(), Failure> {
    match value {
        Some(_) => Err(Failure::usage(format!(
            "request: field `{field}` does not apply to kind {kind}"
        ))),
        None => Ok(()),
    }
}

pub(crate) fn sighash(req: SighashRequest) -> Result<SighashResponse, Failure> {
    let tx = decode_tx(&req.tx)?;
    let hash = match req.kind {
        SighashKind::Legacy => {
            let kind = "legacy";
            absent(&req.amount, "amount", kind)?;
            absent(&req.prevouts, "prevouts", kind)?;
            absent(&req.leaf_script, "leaf_script", kind)?;
            absent(&req.annex, "annex", kind)?;
            absent(&req.codesep_pos, "codesep_pos", kind)?;
            let script = required(req.script_code, "script_code", kind)?;
            SighashCache::new(&tx).legacy(
                req.input_index,
                &script.0,
                sighash_type_u32(req.sighash_type)?,
            )
        }
        SighashKind::SegwitV0 => {
            let kind = "segwit_v0";
            absent(&req.prevouts, "prevouts", kind)?;
            absent(&req.leaf_script, "leaf_script", kind)?;
            absent(&req.annex, "annex", kind)?;
            absent(&req.codesep_pos, "codesep_pos", kind)?;
            let script = required(req.script_code, "script_code", kind)?;
            let amount = required(req.amount, "amount", kind)?;
            SighashCache::new(&tx).segwit_v0(
                req.input_index,
                &script.0,
                amount,
                sighash_type_u32(req.sighash_type)?,
            )
        }
        SighashKind::Taproot => {
            let kind = "taproot";
            absent(&req.script_code, "script_code", kind)?;
            absent(&req.amount, "amount", kind)?;
            let prevouts = prevouts_of(&required(req.prevouts, "prevouts", kind)?);
            let cache =
                SighashCache::with_prevouts(&tx, &prevouts).map_err(|e| Failure::rejected(&e))?;
            let path = req.leaf_script.as_ref().map(|leaf| ScriptPath {
                leaf_hash: tap_leaf_hash(TAPSCRIPT_LEAF_VERSION, &leaf.0),
                codesep_pos: req.codesep_pos.unwrap_or(u32::MAX),
            });
            if path.is_none() {
                absent(
                    &req.codesep_pos,
                    "codesep_pos",
                    "taproot without leaf_script",
                )?;
            }
            // Types above one byte are not taproot types: the core check names them.
            let ty = u8::try_from(req.sighash_type).unwrap_or(0xff);
            if i64::from(ty) != req.sighash_type {
                return Err(Failure::reject(
                    "invalid_sighash_type",
                    format!("sighash type {} is not valid for taproot", req.sighash_type),
                ));
            }
            cache.taproot(
                req.input_index,
                ty,
                req.annex.as_ref().map(|a| a.0.as_slice()),
                path,
            )
        }
    }
    .map_err(|e| Failure::rejected(&e))?;
    Ok(SighashResponse {
        sighash: hex::encode(hash.as_byte_array()),
    })
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
enum KindName {
    #[default]
    Taproot,
    P2wsh,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecoveryJson {
    after_blocks: i64,
    threshold: usize,
    public_keys: Vec<Hex>,
}

/// A `federation create` request, also the `federation` field of `sign` and `finalize`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FederationRequest {
    network: NetworkName,
    threshold: usize,
    public_keys: Vec<Hex>,
    recovery: Option<RecoveryJson>,
    #[serde(default)]
    kind: KindName,
    internal_key: Option<Hex>,
}

pub(crate) fn federation_of(req: &FederationRequest) -> Result<Federation, Failure> {
    let keys = |list: &[Hex]| list.iter().map(|k| k.0.clone()).collect();
    let spec = FederationSpec {
        network: req.network.0,
        kind: match req.kind {
            KindName::Taproot => FederationKind::Taproot,
            KindName::P2wsh => FederationKind::P2wsh,
        },
        threshold: req.threshold,
        public_keys: keys(&req.public_keys),
        recovery: req.recovery.as_ref().map(|r| RecoverySpec {
            after_blocks: r.after_blocks,
            threshold: r.threshold,
            public_keys: keys(&r.public_keys),
        }),
        internal_key: req.internal_key.as_ref().map(|k| k.0.clone()),
    };
    Federation::from_spec(&spec).map_err(|e| Failure::rejected(&e))
}

#[derive(Serialize)]
struct LeafJson {
    script: String,
    leaf_hash: String,
    control_block: String,
}

#[derive(Serialize)]
pub(crate) struct FederationResponse {
    address: String,
    script_pubkey: String,
    descriptor: String,
    satisfaction_weight: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    internal_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    leaves: Option<Vec<LeafJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    witness_script: Option<String>,
}

pub(crate) fn federation_create(req: FederationRequest) -> Result<FederationResponse, Failure> {
    let fed = federation_of(&req)?;
    Ok(FederationResponse {
        address: fed.address().to_owned(),
        script_pubkey: hex::encode(fed.script_pubkey()),
        descriptor: fed.descriptor().to_owned(),
        satisfaction_weight: fed.satisfaction_weight(),
        internal_key: fed.internal_key().map(|k| k.to_string()),
        output_key: fed.output_key().map(|k| k.key.to_string()),
        leaves: fed.is_taproot().then(|| {
            fed.leaves()
                .iter()
                .map(|l| LeafJson {
                    script: hex::encode(l.script()),
                    leaf_hash: hex::encode(l.leaf_hash().as_byte_array()),
                    control_block: hex::encode(l.control_block()),
                })
                .collect()
        }),
        witness_script: fed.witness_script().map(hex::encode),
    })
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
enum LeafName {
    #[default]
    Main,
    Recovery,
}

impl LeafName {
    fn role(self) -> LeafRole {
        match self {
            Self::Main => LeafRole::Main,
            Self::Recovery => LeafRole::Recovery,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignRequest {
    federation: FederationRequest,
    tx: Hex,
    prevouts: Vec<PrevoutJson>,
    secret_key: Hex,
    aux_rand: Option<Hex>,
    #[serde(default)]
    leaf: LeafName,
}

#[derive(Serialize)]
pub(crate) struct PartialJson {
    public_key: String,
    signatures: Vec<String>,
}

pub(crate) fn sign(req: SignRequest) -> Result<PartialJson, Failure> {
    let fed = federation_of(&req.federation)?;
    let tx = decode_tx(&req.tx)?;
    let prevouts = prevouts_of(&req.prevouts);
    let secret = SecretKey::from_slice(&req.secret_key.0).map_err(|e| Failure::rejected(&e))?;
    // With aux_rand, it serves every input; without, fresh platform randomness per input,
    // drawn before signing so that an RNG failure signs nothing.
    let aux: Vec<[u8; 32]> = match &req.aux_rand {
        Some(aux) => vec![aux.array::<32>("aux_rand")?; tx.inputs.len()],
        None => (0..tx.inputs.len())
            .map(|_| {
                let mut buf = [0u8; 32];
                getrandom::fill(&mut buf)
                    .map(|()| buf)
                    .map_err(|e| Failure::reject("rng_failed", format!("platform RNG failed: {e}")))
            })
            .collect::<Result<_, _>>()?,
    };
    let partial = sign_inputs(&fed, &tx, &prevouts, req.leaf.role(), &secret, |i| {
        aux.get(i).copied().unwrap_or_default()
    })
    .map_err(|e| Failure::rejected(&e))?;
    Ok(PartialJson {
        public_key: hex::encode(&partial.public_key),
        signatures: partial.signatures.iter().map(|s| hex::encode(s)).collect(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartialRequestJson {
    public_key: Hex,
    signatures: Vec<Hex>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FinalizeRequest {
    federation: FederationRequest,
    tx: Hex,
    prevouts: Vec<PrevoutJson>,
    partial_signatures: Vec<PartialRequestJson>,
    #[serde(default)]
    leaf: LeafName,
}

#[derive(Serialize)]
pub(crate) struct FinalizeResponse {
    tx: String,
    txid: String,
    signers: Vec<String>,
}

pub(crate) fn finalize(req: FinalizeRequest) -> Result<FinalizeResponse, Failure> {
    let fed = federation_of(&req.federation)?;
    let tx = decode_tx(&req.tx)?;
    let prevouts = prevouts_of(&req.prevouts);
    let mut collector = SignatureCollector::new(&fed, &tx, &prevouts, req.leaf.role())
        .map_err(|e| Failure::rejected(&e))?;
    let partials: Vec<PartialSignatures> = req
        .partial_signatures
        .iter()
        .map(|p| PartialSignatures {
            public_key: p.public_key.0.clone(),
            signatures: p.signatures.iter().map(|s| s.0.clone()).collect(),
        })
        .collect();
    // Every partial signature set given must be acceptable, not just enough of them.
    for (i, result) in collector.add_all(&partials).into_iter().enumerate() {
        if let Err(e) = result {
            let mut failure = Failure::rejected(&e);
            failure.message = format!("partial_signatures[{i}]: {}", failure.message);
            return Err(failure);
        }
    }
    let (signed, signers) = collector.finalize().map_err(|e| Failure::rejected(&e))?;
    // What we finalize we check as a broadcaster would, with no oracle.
    check_witnesses(&fed, &signed, &prevouts).map_err(|e| {
        Failure::reject(
            "internal",
            format!("finalized witness failed the pre-broadcast check: {e}"),
        )
    })?;
    Ok(FinalizeResponse {
        tx: hex::encode(&signed.to_bytes()),
        txid: signed.txid().to_string(),
        signers: signers.iter().map(|k| hex::encode(k)).collect(),
    })
}
