//! Section "Foundation": `tx decode`, `header decode`, `schnorr sign`, `schnorr verify`.

use crate::wire::{Failure, Hex};
use pegkit_core::hex;
use pegkit_core::schnorr::{KeyError, SecretKey, Signature, XOnlyPublicKey};
use pegkit_core::{Decode, Header, Transaction};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TxDecodeRequest {
    tx: Hex,
}

#[derive(Serialize)]
pub(crate) struct TxDecodeResponse {
    txid: String,
    wtxid: String,
    version: u32,
    lock_time: u32,
    size: usize,
    weight: usize,
    vsize: usize,
    inputs: Vec<InputJson>,
    outputs: Vec<OutputJson>,
}

#[derive(Serialize)]
struct InputJson {
    txid: String,
    vout: u32,
    script_sig: String,
    sequence: u32,
    witness: Vec<String>,
}

#[derive(Serialize)]
struct OutputJson {
    amount: i64,
    script_pubkey: String,
}

pub(crate) fn tx_decode(req: TxDecodeRequest) -> Result<TxDecodeResponse, Failure> {
    let tx = Transaction::decode(&req.tx.0).map_err(|e| Failure::rejected(&e))?;
    Ok(TxDecodeResponse {
        txid: tx.txid().to_string(),
        wtxid: tx.wtxid().to_string(),
        version: tx.version,
        lock_time: tx.lock_time,
        size: tx.total_size(),
        weight: tx.weight(),
        vsize: tx.vsize(),
        inputs: tx
            .inputs
            .iter()
            .map(|i| InputJson {
                txid: i.previous_output.txid.to_string(),
                vout: i.previous_output.vout,
                script_sig: hex::encode(&i.script_sig),
                sequence: i.sequence,
                witness: i.witness.items().iter().map(|w| hex::encode(w)).collect(),
            })
            .collect(),
        outputs: tx
            .outputs
            .iter()
            .map(|o| OutputJson {
                amount: o.value,
                script_pubkey: hex::encode(&o.script_pubkey),
            })
            .collect(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HeaderDecodeRequest {
    header: Hex,
}

#[derive(Serialize)]
pub(crate) struct HeaderDecodeResponse {
    hash: String,
    version: i32,
    prev_hash: String,
    merkle_root: String,
    time: u32,
    bits: String,
    nonce: u32,
}

pub(crate) fn header_decode(req: HeaderDecodeRequest) -> Result<HeaderDecodeResponse, Failure> {
    let h = Header::from_slice(&req.header.0).map_err(|e| Failure::rejected(&e))?;
    Ok(HeaderDecodeResponse {
        hash: h.block_hash().to_string(),
        version: h.version,
        prev_hash: h.prev_blockhash.to_string(),
        merkle_root: h.merkle_root.to_string(),
        time: h.time,
        bits: h.bits.to_string(),
        nonce: h.nonce,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchnorrSignRequest {
    secret_key: Hex,
    message: Hex,
    aux_rand: Hex,
}

#[derive(Serialize)]
pub(crate) struct SchnorrSignResponse {
    signature: String,
}

pub(crate) fn schnorr_sign(req: SchnorrSignRequest) -> Result<SchnorrSignResponse, Failure> {
    let secret = SecretKey::from_slice(&req.secret_key.0).map_err(|e| Failure::rejected(&e))?;
    let aux = req.aux_rand.array::<32>("aux_rand")?;
    let sig = secret
        .keypair()
        .sign(&req.message.0, &aux)
        .map_err(|e| Failure::rejected(&e))?;
    Ok(SchnorrSignResponse {
        signature: hex::encode(&sig.to_bytes()),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchnorrVerifyRequest {
    public_key: Hex,
    message: Hex,
    signature: Hex,
}

#[derive(Serialize)]
pub(crate) struct SchnorrVerifyResponse {
    valid: bool,
}

/// A key that is not on the curve, or a signature whose `r` or `s` is out of range, verifies as
/// `false`; wrong lengths and a bad compressed-key prefix are errors.
pub(crate) fn schnorr_verify(req: SchnorrVerifyRequest) -> Result<SchnorrVerifyResponse, Failure> {
    let sig = Signature::from_slice(&req.signature.0).map_err(|e| Failure::rejected(&e))?;
    let valid = match XOnlyPublicKey::from_slice(&req.public_key.0) {
        Ok(key) => key.verify(&req.message.0, &sig).is_ok(),
        Err(KeyError::NotOnCurve) => false,
        Err(e) => return Err(Failure::rejected(&e)),
    };
    Ok(SchnorrVerifyResponse { valid })
}
