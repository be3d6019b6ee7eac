//! Section "SPV": `headers verify`, `merkle root`, `merkle proof`, `merkle verify`,
//! `txoutproof verify`, `pegin verify`.

use crate::wire::{Failure, Hex};
use pegkit_core::chain::{HeaderChain, verify_header_list};
use pegkit_core::merkle::{MerkleBlock, MerkleBranch, MerkleError, merkle_root};
use pegkit_core::params::{Network, Params};
use pegkit_core::pegin::{PegInPolicy, verify_peg_in};
use pegkit_core::{Decode, Header, Transaction, TxMerkleNode, Txid, hex};
use serde::{Deserialize, Deserializer, Serialize};

/// A network name; an unknown name is a usage error.
pub(crate) struct NetworkName(pub Network);

impl<'de> Deserialize<'de> for NetworkName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map(NetworkName).map_err(serde::de::Error::custom)
    }
}

/// A txid, block hash or merkle root in display order: 64 hex digits. Malformed hex is a usage
/// error, a wrong length `invalid_length`.
pub(crate) struct DisplayHash(Hex);

impl<'de> Deserialize<'de> for DisplayHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Hex::deserialize(d).map(DisplayHash)
    }
}

impl DisplayHash {
    fn bytes(&self, field: &str) -> Result<[u8; 32], Failure> {
        self.0.array::<32>(field)
    }

    fn txid(&self, field: &str) -> Result<Txid, Failure> {
        self.bytes(field).map(Txid::from_display_bytes)
    }
}

fn headers_of(list: &[Hex]) -> Result<Vec<Header>, Failure> {
    list.iter()
        .enumerate()
        .map(|(i, h)| {
            Header::from_slice(&h.0)
                .map_err(|e| Failure::reject("invalid_length", format!("headers[{i}]: {e}")))
        })
        .collect()
}

fn chain_of(
    params: &Params,
    start_height: u32,
    headers: &[Hex],
    now: Option<u32>,
) -> Result<HeaderChain, Failure> {
    let headers = headers_of(headers)?;
    if headers.is_empty() {
        return Err(Failure::usage(
            "headers: at least the anchor header is needed".into(),
        ));
    }
    verify_header_list(params, start_height, &headers, now).map_err(|e| Failure::rejected(&e))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HeadersVerifyRequest {
    network: NetworkName,
    start_height: u32,
    headers: Vec<Hex>,
    #[serde(default)]
    now: Option<u32>,
}

#[derive(Serialize)]
pub(crate) struct HeadersVerifyResponse {
    tip_height: u32,
    tip_hash: String,
    count: usize,
    chainwork: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    weak_spv: bool,
}

pub(crate) fn headers_verify(req: HeadersVerifyRequest) -> Result<HeadersVerifyResponse, Failure> {
    let params = req.network.0.params();
    let chain = chain_of(&params, req.start_height, &req.headers, req.now)?;
    let tip = chain.tip();
    Ok(HeadersVerifyResponse {
        tip_height: tip.height,
        tip_hash: tip.hash.to_string(),
        count: req.headers.len(),
        chainwork: tip.chainwork.to_string(),
        weak_spv: params.weak_spv,
    })
}

fn txids_of(list: &[DisplayHash]) -> Result<Vec<Txid>, Failure> {
    list.iter()
        .enumerate()
        .map(|(i, t)| t.txid(&format!("txids[{i}]")))
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MerkleRootRequest {
    txids: Vec<DisplayHash>,
}

#[derive(Serialize)]
pub(crate) struct MerkleRootResponse {
    merkle_root: String,
    mutated: bool,
}

pub(crate) fn merkle_root_cmd(req: MerkleRootRequest) -> Result<MerkleRootResponse, Failure> {
    let txids = txids_of(&req.txids)?;
    let root =
        merkle_root(&txids).ok_or_else(|| Failure::rejected(&MerkleError::NoTransactions))?;
    Ok(MerkleRootResponse {
        merkle_root: root.root.to_string(),
        mutated: root.mutated,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MerkleProofRequest {
    txids: Vec<DisplayHash>,
    index: u64,
}

#[derive(Serialize)]
pub(crate) struct MerkleProofResponse {
    txid: String,
    index: u32,
    branch: Vec<String>,
}

pub(crate) fn merkle_proof(req: MerkleProofRequest) -> Result<MerkleProofResponse, Failure> {
    let txids = txids_of(&req.txids)?;
    let out_of_range = || MerkleError::IndexOutOfRange {
        index: req.index,
        count: txids.len() as u64,
    };
    let index = usize::try_from(req.index).map_err(|_| Failure::rejected(&out_of_range()))?;
    let branch = MerkleBranch::build(&txids, index).map_err(|e| Failure::rejected(&e))?;
    let txid = txids
        .get(index)
        .ok_or_else(|| Failure::rejected(&out_of_range()))?;
    Ok(MerkleProofResponse {
        txid: txid.to_string(),
        index: branch.index,
        branch: branch.siblings.iter().map(|s| hex::encode(s)).collect(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MerkleVerifyRequest {
    txid: DisplayHash,
    index: u64,
    branch: Vec<Hex>,
    merkle_root: DisplayHash,
}

#[derive(Serialize)]
pub(crate) struct MerkleVerifyResponse {
    valid: bool,
}

/// `valid: false` for a wrong root, a swapped sibling, an index that does not fit the branch
/// length (or a u32), and a right child equal to its left sibling (CVE-2012-2459).
pub(crate) fn merkle_verify(req: MerkleVerifyRequest) -> Result<MerkleVerifyResponse, Failure> {
    let txid = req.txid.txid("txid")?;
    let root = TxMerkleNode::from_display_bytes(req.merkle_root.bytes("merkle_root")?);
    let siblings = req
        .branch
        .iter()
        .enumerate()
        .map(|(i, b)| b.array::<32>(&format!("branch[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let valid = match u32::try_from(req.index) {
        Ok(index) => MerkleBranch { index, siblings }.verify(&txid, &root),
        Err(_) => false,
    };
    Ok(MerkleVerifyResponse { valid })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TxOutProofRequest {
    proof: Hex,
}

#[derive(Serialize)]
pub(crate) struct MatchJson {
    index: u32,
    txid: String,
}

#[derive(Serialize)]
pub(crate) struct TxOutProofResponse {
    block_hash: String,
    merkle_root: String,
    tx_count: u32,
    matches: Vec<MatchJson>,
}

fn decode_proof(bytes: &[u8]) -> Result<MerkleBlock, Failure> {
    MerkleBlock::decode(bytes).map_err(|e| Failure::rejected(&e))
}

pub(crate) fn txoutproof_verify(req: TxOutProofRequest) -> Result<TxOutProofResponse, Failure> {
    let mb = decode_proof(&req.proof.0)?;
    let m = mb.verify().map_err(|e| Failure::rejected(&e))?;
    Ok(TxOutProofResponse {
        block_hash: mb.header.block_hash().to_string(),
        merkle_root: m.root.to_string(),
        tx_count: mb.tree.tx_count,
        matches: m
            .matches
            .iter()
            .map(|(index, txid)| MatchJson {
                index: *index,
                txid: txid.to_string(),
            })
            .collect(),
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyJson {
    min_confirmations: Option<u32>,
    min_amount: Option<u64>,
    max_amount: Option<u64>,
    fee: Option<u64>,
}

impl PolicyJson {
    fn policy(&self) -> PegInPolicy {
        let d = PegInPolicy::default();
        PegInPolicy {
            min_confirmations: self.min_confirmations.unwrap_or(d.min_confirmations),
            min_amount: self.min_amount.unwrap_or(d.min_amount),
            max_amount: self.max_amount.unwrap_or(d.max_amount),
            fee: self.fee.unwrap_or(d.fee),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PegInVerifyRequest {
    network: NetworkName,
    federation_script_pubkeys: Vec<Hex>,
    #[serde(default)]
    policy: PolicyJson,
    start_height: u32,
    headers: Vec<Hex>,
    tx: Hex,
    proof: Hex,
    /// Optional: require the proof to also match this coinbase at position 0 (pins the tree's
    /// depth against a 64-byte transaction posing as an inner node).
    #[serde(default)]
    coinbase: Option<Hex>,
    #[serde(default)]
    now: Option<u32>,
}

#[derive(Serialize)]
pub(crate) struct PegInOutputJson {
    vout: u32,
    amount: u64,
}

#[derive(Serialize)]
pub(crate) struct PegInVerifyResponse {
    txid: String,
    block_hash: String,
    height: u32,
    confirmations: u32,
    outputs: Vec<PegInOutputJson>,
    total: u64,
    credited: u64,
    destination: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    weak_spv: bool,
}

pub(crate) fn pegin_verify(req: PegInVerifyRequest) -> Result<PegInVerifyResponse, Failure> {
    let params = req.network.0.params();
    let tx = Transaction::decode(&req.tx.0).map_err(|e| Failure::rejected(&e))?;
    let proof = decode_proof(&req.proof.0)?;
    let chain = chain_of(&params, req.start_height, &req.headers, req.now)?;
    let scripts: Vec<Vec<u8>> = req
        .federation_script_pubkeys
        .into_iter()
        .map(|h| h.0)
        .collect();
    let coinbase = req
        .coinbase
        .map(|c| Transaction::decode(&c.0))
        .transpose()
        .map_err(|e| Failure::rejected(&e))?;
    let v = verify_peg_in(
        &chain,
        &tx,
        &proof,
        &scripts,
        &req.policy.policy(),
        coinbase.as_ref(),
    )
    .map_err(|e| Failure::rejected(&e))?;
    Ok(PegInVerifyResponse {
        txid: v.txid.to_string(),
        block_hash: v.block_hash.to_string(),
        height: v.height,
        confirmations: v.confirmations,
        outputs: v
            .outputs
            .iter()
            .map(|&(vout, amount)| PegInOutputJson { vout, amount })
            .collect(),
        total: v.total,
        credited: v.credited,
        destination: v.destination.map(|d| format!("0x{}", hex::encode(&d))),
        weak_spv: v.weak_spv,
    })
}
