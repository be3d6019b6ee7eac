//! SPV for JavaScript: the `HeaderChain` class, merkle functions, `verifyTxOutProof`,
//! `verifyPegIn`.

use crate::args::{array_prop, bytes, prop, u32_prop};
use crate::error::{error, from_core, invalid_argument, with_props};
use crate::objects;
use js_sys::{Array, BigInt, Uint8Array};
use pegkit_core::chain::{
    AddError, Anchor, HeaderChain as CoreChain, PeriodStart, verify_header_list,
};
use pegkit_core::header::{CompactTarget, HEADER_LEN};
use pegkit_core::merkle::{MerkleBlock, MerkleBranch, MerkleError, merkle_root};
use pegkit_core::params::{Network, Params};
use pegkit_core::pegin::{PegInPolicy, verify_peg_in};
use pegkit_core::pow::U256;
use pegkit_core::{Decode, Encode, ErrorCode, Header, Transaction, TxMerkleNode, Txid, hex};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_SPV: &str = r#"
/** A network name. */
export type Network = 'mainnet' | 'testnet3' | 'testnet4' | 'signet' | 'regtest';

/** The trusted start of a `HeaderChain` and the history its checks need. */
export interface AnchorFields {
  /** The anchor's height. */
  height: number;
  /** The 80-byte anchor header (its proof of work is checked). */
  header: Bytes;
  /** Cumulative work up to and including the anchor. */
  chainwork: bigint;
  /** Timestamps of the headers before the anchor, oldest first: min(height, 11) of them for every
   *  header to be checked (a header whose check needs a missing one fails `insufficient_history`). */
  prevTimes?: number[];
  /** First header of the anchor's retarget period (unless the anchor is one); null = unknown. */
  periodStart?: { time: number; bits: string | number } | null;
}

/** The best chain's tip. */
export interface ChainTip {
  /** Height of the tip. */
  height: number;
  /** Block hash, display order. */
  hash: string;
  /** Cumulative work of the best chain up to the tip. */
  chainwork: bigint;
}

/** What a batch of headers did. */
export interface BatchSummary {
  /** Headers newly stored. */
  added: number;
  /** Headers already known (skipped). */
  duplicates: number;
  /** The deepest reorg the batch caused, or null. */
  reorg: { forkHeight: number; disconnected: number } | null;
}

/** A stored header and where it stands. */
export interface ChainEntry {
  /** The decoded header. */
  header: Header;
  /** Its height. */
  height: number;
  /** Cumulative work up to and including it. */
  chainwork: bigint;
  /** Whether it is on the most-work chain. */
  inBestChain: boolean;
}

/** A merkle branch, siblings in natural byte order. */
export interface MerkleProof {
  /** The proven txid, display order. */
  txid: string;
  /** Its position in the block. */
  index: number;
  /** Siblings from the leaf up, natural byte order. */
  branch: Uint8Array[];
}

/** What a `gettxoutproof` proves. */
export interface TxOutProof {
  /** Hash of the proof's header, display order. */
  blockHash: string;
  /** The merkle root the proof commits to, display order. */
  merkleRoot: string;
  /** Transactions in the block, as the proof states. */
  txCount: number;
  /** The matched transactions: position and txid (display order). */
  matches: { index: number; txid: string }[];
}

/** Peg-in policy; omitted fields take AILEE's defaults (6, 10,000 sat, 100 BTC, 1,000 sat). */
export interface PegInPolicy {
  /** Confirmations the block needs (default 6). */
  minConfirmations?: number;
  /** Smallest total paid to the federation, sat (default 10,000). */
  minAmount?: bigint | number;
  /** Largest total, sat (default 10,000,000,000). */
  maxAmount?: bigint | number;
  /** Fee kept from the total, sat (default 1,000). */
  fee?: bigint | number;
}

/** A peg-in to verify against a `HeaderChain`. */
export interface PegInRequest {
  /** The transaction (with or without witness). */
  tx: Bytes;
  /** Bitcoin Core `gettxoutproof` bytes for its block. */
  proof: Bytes;
  /** The federation's scriptPubKeys: every output paying one of them counts. */
  federationScriptPubkeys: Bytes[];
  /** Confirmations and amounts; defaults as `PegInPolicy`. */
  policy?: PegInPolicy;
  /** Require the proof to also match this coinbase at position 0 (pins the tree depth). */
  coinbase?: Bytes;
}

/** A peg-in that passed every check. */
export interface VerifiedPegIn {
  /** The peg-in's txid, display order. */
  txid: string;
  /** Its block, display order. */
  blockHash: string;
  /** The block's height. */
  height: number;
  /** Confirmations on the chain's best tip. */
  confirmations: number;
  /** Every output paying the federation. */
  outputs: { vout: number; amount: bigint }[];
  /** Their sum. */
  total: bigint;
  /** total − fee. */
  credited: bigint;
  /** `0x`-prefixed EVM address from the OP_RETURN output, or null. */
  destination: string | null;
  /** True on signet: headers alone prove little there. */
  weakSpv: boolean;
}
"#;

pub(crate) fn network(name: &str) -> Result<Network, JsValue> {
    name.parse()
        .map_err(|e: pegkit_core::params::UnknownNetwork| error("invalid_argument", &e.to_string()))
}

fn bigint_to_u256(v: &JsValue, name: &str) -> Result<U256, JsValue> {
    let bad = || invalid_argument(name, "a non-negative bigint below 2^256");
    let b = v.dyn_ref::<BigInt>().ok_or_else(bad)?;
    if b < &BigInt::from(0) {
        return Err(bad());
    }
    let s: String = b.to_string(16).map_err(|_| bad())?.into();
    if s.len() > 64 {
        return Err(bad());
    }
    let padded = format!("{s:0>64}");
    hex::decode_array::<32>(&padded)
        .map(|b| U256::from_be_bytes(&b))
        .map_err(|_| bad())
}

fn u64_of(v: &JsValue, name: &str) -> Result<u64, JsValue> {
    if v.is_bigint() {
        return u64::try_from(v.clone()).map_err(|_| invalid_argument(name, "a bigint in 0..2^64"));
    }
    v.as_f64()
        .filter(|f| f.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(f))
        .map(|f| f as u64)
        .ok_or_else(|| invalid_argument(name, "a bigint (or a safe integer number)"))
}

fn bits_of(v: &JsValue, name: &str) -> Result<CompactTarget, JsValue> {
    match v.as_string() {
        Some(s) if s.len() == 8 => u32::from_str_radix(&s, 16).ok(),
        Some(_) => None,
        None => v
            .as_f64()
            .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f))
            .map(|f| f as u32),
    }
    .map(CompactTarget)
    .ok_or_else(|| invalid_argument(name, "8 hex digits or a 32-bit unsigned integer"))
}

/// Headers from an array of 80-byte values, or one byte string of n × 80 bytes.
fn headers_of(value: &JsValue) -> Result<Vec<Header>, JsValue> {
    if let Some(list) = value.dyn_ref::<Array>() {
        return list
            .iter()
            .enumerate()
            .map(|(i, h)| {
                Header::from_slice(&bytes(&h, "header")?)
                    .map_err(|e| error(e.code(), &format!("headers[{i}]: {e}")))
            })
            .collect();
    }
    let all = bytes(value, "headers")?;
    if all.len() % HEADER_LEN != 0 {
        return Err(error(
            "invalid_length",
            &format!("headers must be a multiple of 80 bytes, got {}", all.len()),
        ));
    }
    Ok(all
        .chunks_exact(HEADER_LEN)
        .filter_map(|c| Header::from_slice(c).ok())
        .collect())
}

fn add_error(e: &AddError) -> JsValue {
    with_props(from_core(e), &[("index", JsValue::from(e.index as u32))])
}

fn txid_of(v: &JsValue, name: &str) -> Result<Txid, JsValue> {
    let s = v
        .as_string()
        .ok_or_else(|| invalid_argument(name, "a 64-digit hex string (display order)"))?;
    s.parse()
        .map_err(|e: hex::HexError| error(e.code(), &format!("{name}: {e}")))
}

fn txids_of(v: &JsValue) -> Result<Vec<Txid>, JsValue> {
    // Fast path: all 64-character strings, joined and UTF-8 encoded in JS, parsed here in one
    // pass (all ASCII, so 64 bytes each). Anything it cannot parse is read again element by
    // element, which names the bad element.
    let joined = objects::join_fixed(v, 64).ok();
    if let Some(joined) = joined.and_then(|j| j.dyn_into::<Uint8Array>().ok()) {
        let joined = joined.to_vec();
        if joined.is_ascii() {
            let parsed: Option<Vec<Txid>> = joined
                .chunks(64)
                .map(|c| core::str::from_utf8(c).ok()?.parse().ok())
                .collect();
            if let Some(list) = parsed {
                return Ok(list);
            }
        }
    }
    let list = v
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid_argument("txids", "an array of hex strings"))?;
    list.iter()
        .enumerate()
        .map(|(i, t)| txid_of(&t, &format!("txids[{i}]")))
        .collect()
}

/// A chain of validated block headers from a trusted anchor (Bitcoin Core's header rules: proof
/// of work, nBits and retargets, median time past, versions; best chain = most work; reorgs;
/// bounded memory). Methods throw `PegkitError`; a failing header in `addHeaders` carries its
/// batch position as `error.index`, and the headers before it stay added.
#[wasm_bindgen(js_name = HeaderChain)]
#[derive(Debug)]
pub struct JsHeaderChain {
    inner: CoreChain,
}

#[wasm_bindgen(js_class = HeaderChain)]
impl JsHeaderChain {
    /// A chain from a trusted anchor.
    ///
    /// @throws {PegkitError} `invalid_argument`, `bad_nbits`, `high_hash`, `bad_anchor`
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = network, unchecked_param_type = "Network")] network_name: &str,
        #[wasm_bindgen(unchecked_param_type = "AnchorFields")] anchor: JsValue,
    ) -> Result<JsHeaderChain, JsValue> {
        let params = network(network_name)?.params();
        let header = Header::from_slice(&bytes(&prop(&anchor, "header")?, "header")?)
            .map_err(|e| from_core(&e))?;
        let prev = prop(&anchor, "prevTimes")?;
        let prev_times = if prev.is_undefined() || prev.is_null() {
            Vec::new()
        } else {
            array_prop(&anchor, "prevTimes")?
                .iter()
                .map(|t| {
                    t.as_f64()
                        .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f))
                        .map(|f| f as u32)
                        .ok_or_else(|| {
                            invalid_argument("prevTimes", "an array of unsigned 32-bit integers")
                        })
                })
                .collect::<Result<Vec<_>, _>>()?
        };
        let ps = prop(&anchor, "periodStart")?;
        let period_start = if ps.is_undefined() || ps.is_null() {
            None
        } else {
            Some(PeriodStart {
                time: u32_prop(&ps, "time")?,
                bits: bits_of(&prop(&ps, "bits")?, "periodStart.bits")?,
            })
        };
        let anchor = Anchor {
            height: u32_prop(&anchor, "height")?,
            header,
            chainwork: bigint_to_u256(&prop(&anchor, "chainwork")?, "chainwork")?,
            prev_times,
            period_start,
        };
        CoreChain::new(params, anchor)
            .map(|inner| Self { inner })
            .map_err(|e| from_core(&e))
    }

    /// A chain from the network's genesis block (complete history).
    #[wasm_bindgen(js_name = fromGenesis)]
    pub fn from_genesis(
        #[wasm_bindgen(js_name = network, unchecked_param_type = "Network")] network_name: &str,
    ) -> Result<JsHeaderChain, JsValue> {
        let params: Params = network(network_name)?.params();
        let anchor = Anchor::genesis(&params);
        CoreChain::new(params, anchor)
            .map(|inner| Self { inner })
            .map_err(|e| from_core(&e))
    }

    /// A chain from a list of consecutive headers, the first (at `startHeight`) the trusted anchor,
    /// as the CLI's `headers verify`: every later header fully checked; median time past once 11
    /// previous headers are in the list; a retarget whose period start is not in the list fails
    /// with `insufficient_history`. Keeps every header.
    ///
    /// @param headers an array of 80-byte headers, or one byte string of n × 80 bytes
    /// @param now Unix seconds: headers more than 2 hours ahead are refused
    #[wasm_bindgen(js_name = fromHeaders)]
    pub fn from_headers(
        #[wasm_bindgen(js_name = network, unchecked_param_type = "Network")] network_name: &str,
        #[wasm_bindgen(js_name = startHeight)] start_height: u32,
        #[wasm_bindgen(unchecked_param_type = "Bytes[] | Bytes")] headers: JsValue,
        now: Option<u32>,
    ) -> Result<JsHeaderChain, JsValue> {
        let params = network(network_name)?.params();
        let list = headers_of(&headers)?;
        if list.is_empty() {
            return Err(error(
                "invalid_argument",
                "headers: at least the anchor header is needed",
            ));
        }
        verify_header_list(&params, start_height, &list, now)
            .map(|inner| Self { inner })
            .map_err(|e| add_error(&e))
    }

    /// Rebuilds a chain saved with `serialize()`, re-validating every header. The saved chain
    /// must be for `network`.
    ///
    /// @throws {PegkitError} `invalid_state` (including a chain saved for another network), or the
    /// code of the header that fails
    pub fn restore(
        #[wasm_bindgen(js_name = network, unchecked_param_type = "Network")] network_name: &str,
        #[wasm_bindgen(unchecked_param_type = "Bytes")] state: JsValue,
    ) -> Result<JsHeaderChain, JsValue> {
        let params = network(network_name)?.params();
        CoreChain::restore(&bytes(&state, "state")?, &params)
            .map(|inner| Self { inner })
            .map_err(|e| from_core(&e))
    }

    /// Adds headers in order (each validated against its stored parent). Returns what changed.
    ///
    /// @param headers an array of 80-byte headers, or one byte string of n × 80 bytes
    /// @param now Unix seconds: headers more than 2 hours ahead are refused
    /// @throws {PegkitError} the failing header's code, with `index` = its position in the batch
    #[wasm_bindgen(js_name = addHeaders, unchecked_return_type = "BatchSummary")]
    pub fn add_headers(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Bytes[] | Bytes")] headers: JsValue,
        now: Option<u32>,
    ) -> Result<JsValue, JsValue> {
        let list = headers_of(&headers)?;
        let s = self
            .inner
            .add_headers(&list, now)
            .map_err(|e| add_error(&e))?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(objects::batch_summary(
            count(s.added),
            count(s.duplicates),
            s.reorg.map(|r| r.0),
            s.reorg.map(|r| r.1),
        ))
    }

    /// The best chain's tip.
    #[wasm_bindgen(unchecked_return_type = "ChainTip")]
    pub fn tip(&self) -> JsValue {
        let t = self.inner.tip();
        objects::chain_tip(t.height, &t.hash.to_string(), &t.chainwork.to_string())
    }

    /// Height of the best chain's tip.
    #[wasm_bindgen(getter)]
    pub fn height(&self) -> u32 {
        self.inner.tip().height
    }

    /// Confirmations of a block (display-order hash): on the best chain, tip height − its height +
    /// 1; 0 on a fork; `undefined` if unknown or pruned.
    pub fn confirmations(&self, hash: &str) -> Result<Option<u32>, JsValue> {
        let h = hash
            .parse()
            .map_err(|e: hex::HexError| error(e.code(), &format!("hash: {e}")))?;
        Ok(self.inner.confirmations(&h))
    }

    /// The stored header with this hash, or `undefined`.
    #[wasm_bindgen(unchecked_return_type = "ChainEntry | undefined")]
    pub fn get(&self, hash: &str) -> Result<JsValue, JsValue> {
        let h = hash
            .parse()
            .map_err(|e: hex::HexError| error(e.code(), &format!("hash: {e}")))?;
        Ok(match self.inner.get(&h) {
            Some(e) => objects::chain_entry(
                objects::header(&e.header),
                e.height,
                &e.chainwork.to_string(),
                e.in_best_chain,
            ),
            None => JsValue::UNDEFINED,
        })
    }

    /// The best chain's header at `height`, or `undefined` (not stored, or pruned).
    #[wasm_bindgen(js_name = headerAt, unchecked_return_type = "Header | undefined")]
    pub fn header_at(&self, height: u32) -> JsValue {
        self.inner
            .header_at(height)
            .map_or(JsValue::UNDEFINED, objects::header)
    }

    /// The chain's state as bytes, for `HeaderChain.restore`.
    pub fn serialize(&self) -> Vec<u8> {
        self.inner.serialize()
    }

    /// Headers stored (anchor, best chain, forks).
    #[wasm_bindgen(getter, js_name = storedHeaders)]
    pub fn stored_headers(&self) -> u32 {
        u32::try_from(self.inner.len()).unwrap_or(u32::MAX)
    }

    /// Height of the oldest stored header (the anchor moves up as old headers are pruned).
    #[wasm_bindgen(getter, js_name = baseHeight)]
    pub fn base_height(&self) -> u32 {
        self.inner.base_height()
    }

    /// True on signet: headers alone are weak evidence there.
    #[wasm_bindgen(getter, js_name = weakSpv)]
    pub fn weak_spv(&self) -> bool {
        self.inner.params().weak_spv
    }
}

/// The merkle root of txids (display order), and whether the list is mutated (two equal adjacent
/// nodes at some level: CVE-2012-2459), as Bitcoin Core's `ComputeMerkleRoot`.
///
/// @throws {PegkitError} `no_transactions`, `invalid_hex`, `invalid_length`, `invalid_argument`
#[wasm_bindgen(js_name = merkleRoot, unchecked_return_type = "{ merkleRoot: string; mutated: boolean }")]
pub fn merkle_root_js(
    #[wasm_bindgen(unchecked_param_type = "string[]")] txids: JsValue,
) -> Result<JsValue, JsValue> {
    let list = txids_of(&txids)?;
    let r = merkle_root(&list).ok_or_else(|| from_core(&MerkleError::NoTransactions))?;
    Ok(objects::merkle_root_result(&r.root.to_string(), r.mutated))
}

/// The merkle branch of the transaction at `index`, siblings ordered by its position.
///
/// @throws {PegkitError} `no_transactions`, `index_out_of_range`, …
#[wasm_bindgen(js_name = merkleProof, unchecked_return_type = "MerkleProof")]
pub fn merkle_proof(
    #[wasm_bindgen(unchecked_param_type = "string[]")] txids: JsValue,
    index: u32,
) -> Result<JsValue, JsValue> {
    let list = txids_of(&txids)?;
    let b = MerkleBranch::build(&list, index as usize).map_err(|e| from_core(&e))?;
    let branch: Array = b.siblings.iter().map(|s| objects::bytes(s)).collect();
    let txid = list
        .get(index as usize)
        .map(ToString::to_string)
        .unwrap_or_default();
    Ok(objects::merkle_proof(&txid, b.index, branch))
}

/// True when the branch proves `txid` at `index` under `merkleRoot`. False for a wrong root or
/// sibling order, an index that does not fit the branch length, or a right child equal to its left
/// sibling (a duplicated position, CVE-2012-2459).
///
/// @throws {PegkitError} `invalid_hex`, `invalid_length`, `invalid_argument`
#[wasm_bindgen(js_name = verifyMerkleProof)]
pub fn verify_merkle_proof(
    txid: &str,
    index: u32,
    #[wasm_bindgen(unchecked_param_type = "Bytes[]")] branch: JsValue,
    #[wasm_bindgen(js_name = merkleRoot)] merkle_root_hex: &str,
) -> Result<bool, JsValue> {
    let t = txid_of(&JsValue::from_str(txid), "txid")?;
    let root: TxMerkleNode = merkle_root_hex
        .parse()
        .map_err(|e: hex::HexError| error(e.code(), &format!("merkleRoot: {e}")))?;
    let list = branch
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid_argument("branch", "an array of 32-byte values"))?;
    let siblings = list
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let b = bytes(&s, "branch")?;
            <[u8; 32]>::try_from(b.as_slice()).map_err(|_| {
                error(
                    "invalid_length",
                    &format!("branch[{i}] must be 32 bytes, got {}", b.len()),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(MerkleBranch { index, siblings }.verify(&t, &root))
}

fn proof_of(v: &JsValue) -> Result<MerkleBlock, JsValue> {
    MerkleBlock::decode(&bytes(v, "proof")?).map_err(|e| from_core(&e))
}

/// Checks Bitcoin Core `gettxoutproof` bytes as Core's `CPartialMerkleTree` does (every bit and
/// hash used, transaction-count bounds, no duplicated right child) and that the tree's root is the
/// header's. Does not check the header's place in a chain: see `verifyPegIn`.
///
/// @throws {PegkitError} decoding codes, or `merkle_root_mismatch`, `unused_hashes`, …
#[wasm_bindgen(js_name = verifyTxOutProof, unchecked_return_type = "TxOutProof")]
pub fn verify_tx_out_proof(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] proof: JsValue,
) -> Result<JsValue, JsValue> {
    let mb = proof_of(&proof)?;
    let m = mb.verify().map_err(|e| from_core(&e))?;
    let matches: Array = m
        .matches
        .iter()
        .map(|(i, t)| objects::proof_match(*i, &t.to_string()))
        .collect();
    Ok(objects::tx_out_proof(
        &mb.header.block_hash().to_string(),
        &m.root.to_string(),
        mb.tree.tx_count,
        matches,
    ))
}

/// Builds `gettxoutproof`-format bytes proving the transactions at `indexes` of a block.
///
/// @throws {PegkitError} `no_transactions`, `index_out_of_range`, `too_many_transactions`, …
#[wasm_bindgen(js_name = buildTxOutProof)]
pub fn build_tx_out_proof(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] header: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string[]")] txids: JsValue,
    indexes: Vec<u32>,
) -> Result<Vec<u8>, JsValue> {
    let h = Header::from_slice(&bytes(&header, "header")?).map_err(|e| from_core(&e))?;
    let list = txids_of(&txids)?;
    let mut mask = vec![false; list.len()];
    for &i in &indexes {
        let slot = mask.get_mut(i as usize).ok_or_else(|| {
            from_core(&MerkleError::IndexOutOfRange {
                index: u64::from(i),
                count: list.len() as u64,
            })
        })?;
        *slot = true;
    }
    MerkleBlock::build(h, &list, &mask)
        .map(|mb| mb.to_bytes())
        .map_err(|e| from_core(&e))
}

fn policy_of(v: &JsValue) -> Result<PegInPolicy, JsValue> {
    let mut p = PegInPolicy::default();
    if v.is_undefined() || v.is_null() {
        return Ok(p);
    }
    let get = |k: &'static str| prop(v, k).map(|x| (!x.is_undefined()).then_some(x));
    if let Some(x) = get("minConfirmations")? {
        p.min_confirmations = u32::try_from(u64_of(&x, "minConfirmations")?)
            .map_err(|_| invalid_argument("minConfirmations", "a 32-bit unsigned integer"))?;
    }
    if let Some(x) = get("minAmount")? {
        p.min_amount = u64_of(&x, "minAmount")?;
    }
    if let Some(x) = get("maxAmount")? {
        p.max_amount = u64_of(&x, "maxAmount")?;
    }
    if let Some(x) = get("fee")? {
        p.fee = u64_of(&x, "fee")?;
    }
    Ok(p)
}

/// Verifies a peg-in against `chain`: the transaction is in the proof (Core `gettxoutproof`
/// bytes, fully checked; a 64-byte transaction is refused), the proof's block is on the best chain
/// with enough confirmations, and the outputs paying the federation add up to an amount the policy
/// accepts. The destination comes from the single OP_RETURN output (20 raw bytes or `0x` + 40 hex).
///
/// @throws {PegkitError} `tx_not_in_proof`, `block_not_in_chain`, `insufficient_confirmations`,
/// `no_federation_output`, `amount_below_minimum`, `amount_above_maximum`, `amount_below_fee`,
/// `invalid_destination`, `ambiguous_destination`, `invalid_amount`, `tx_64_bytes`,
/// `coinbase_proof`, and the proof and decoding codes
#[wasm_bindgen(js_name = verifyPegIn, unchecked_return_type = "VerifiedPegIn")]
pub fn verify_peg_in_js(
    chain: &JsHeaderChain,
    #[wasm_bindgen(js_name = pegIn, unchecked_param_type = "PegInRequest")] peg_in: JsValue,
) -> Result<JsValue, JsValue> {
    let tx =
        Transaction::decode(&bytes(&prop(&peg_in, "tx")?, "tx")?).map_err(|e| from_core(&e))?;
    let proof = proof_of(&prop(&peg_in, "proof")?)?;
    let scripts = array_prop(&peg_in, "federationScriptPubkeys")?
        .iter()
        .map(|s| bytes(&s, "federationScriptPubkeys"))
        .collect::<Result<Vec<_>, _>>()?;
    let policy = policy_of(&prop(&peg_in, "policy")?)?;
    let cb = prop(&peg_in, "coinbase")?;
    let coinbase = if cb.is_undefined() || cb.is_null() {
        None
    } else {
        Some(Transaction::decode(&bytes(&cb, "coinbase")?).map_err(|e| from_core(&e))?)
    };
    let v = verify_peg_in(
        &chain.inner,
        &tx,
        &proof,
        &scripts,
        &policy,
        coinbase.as_ref(),
    )
    .map_err(|e| from_core(&e))?;
    let outputs: Array = v
        .outputs
        .iter()
        .map(|&(vout, amount)| objects::peg_in_output(vout, amount))
        .collect();
    Ok(objects::verified_peg_in(
        &v.txid.to_string(),
        &v.block_hash.to_string(),
        v.height,
        v.confirmations,
        outputs,
        v.total,
        v.credited,
        v.destination.map(|d| format!("0x{}", hex::encode(&d))),
        v.weak_spv,
    ))
}
