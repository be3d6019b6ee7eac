//! JavaScript objects for decoded values, built by the factories of `js/objects.js` (one call per
//! object instead of one boundary crossing per property).

use js_sys::Array;
use pegkit_core::{Header, Transaction};
use wasm_bindgen::prelude::*;

#[cfg_attr(feature = "nodejs", wasm_bindgen(module = "/js/cjs/objects.cjs"))]
#[cfg_attr(not(feature = "nodejs"), wasm_bindgen(module = "/js/objects.js"))]
extern "C" {
    #[wasm_bindgen(js_name = txInput)]
    fn js_input(txid: &str, vout: u32, script_sig: &[u8], sequence: u32, witness: Array)
    -> JsValue;
    #[wasm_bindgen(js_name = txOutput)]
    fn js_output(amount: i64, script_pubkey: &[u8]) -> JsValue;
    #[wasm_bindgen(js_name = transaction)]
    #[allow(clippy::too_many_arguments)] // one argument per field of the JS object
    fn js_transaction(
        txid: &str,
        wtxid: &str,
        version: u32,
        lock_time: u32,
        size: u32,
        weight: u32,
        vsize: u32,
        inputs: Array,
        outputs: Array,
    ) -> JsValue;
    #[wasm_bindgen(js_name = header)]
    fn js_header(
        hash: &str,
        version: i32,
        prev_hash: &str,
        merkle_root: &str,
        time: u32,
        bits: &str,
        nonce: u32,
    ) -> JsValue;
    #[wasm_bindgen(js_name = block)]
    pub(crate) fn js_block(header: JsValue, transactions: Array) -> JsValue;
    #[wasm_bindgen(js_name = bytes)]
    fn js_bytes(view: &[u8]) -> JsValue;
    #[wasm_bindgen(js_name = chainTip)]
    pub(crate) fn chain_tip(height: u32, hash: &str, chainwork_hex: &str) -> JsValue;
    #[wasm_bindgen(js_name = chainEntry)]
    pub(crate) fn chain_entry(
        header: JsValue,
        height: u32,
        chainwork_hex: &str,
        in_best_chain: bool,
    ) -> JsValue;
    #[wasm_bindgen(js_name = batchSummary)]
    pub(crate) fn batch_summary(
        added: u32,
        duplicates: u32,
        fork_height: Option<u32>,
        disconnected: Option<u32>,
    ) -> JsValue;
    #[wasm_bindgen(js_name = merkleRootResult)]
    pub(crate) fn merkle_root_result(merkle_root: &str, mutated: bool) -> JsValue;
    #[wasm_bindgen(js_name = merkleProof)]
    pub(crate) fn merkle_proof(txid: &str, index: u32, branch: Array) -> JsValue;
    #[wasm_bindgen(js_name = proofMatch)]
    pub(crate) fn proof_match(index: u32, txid: &str) -> JsValue;
    #[wasm_bindgen(js_name = txOutProof)]
    pub(crate) fn tx_out_proof(
        block_hash: &str,
        merkle_root: &str,
        tx_count: u32,
        matches: Array,
    ) -> JsValue;
    #[wasm_bindgen(js_name = pegInOutput)]
    pub(crate) fn peg_in_output(vout: u32, amount: u64) -> JsValue;
    #[wasm_bindgen(js_name = verifiedPegIn)]
    #[allow(clippy::too_many_arguments)] // one argument per field of the JS object
    pub(crate) fn verified_peg_in(
        txid: &str,
        block_hash: &str,
        height: u32,
        confirmations: u32,
        outputs: Array,
        total: u64,
        credited: u64,
        destination: Option<String>,
        weak_spv: bool,
    ) -> JsValue;
    #[wasm_bindgen(js_name = tapLeaf)]
    #[allow(clippy::too_many_arguments)] // one argument per field of the JS object
    pub(crate) fn tap_leaf(
        role: &str,
        threshold: u32,
        public_keys: Array,
        after_blocks: Option<u16>,
        script: &[u8],
        leaf_hash: &[u8],
        control_block: &[u8],
        satisfaction_weight: u32,
    ) -> JsValue;
    #[wasm_bindgen(js_name = partialSignatures)]
    pub(crate) fn partial_signatures(public_key: &[u8], signatures: Array) -> JsValue;
    #[wasm_bindgen(js_name = finalizedSpend)]
    pub(crate) fn finalized_spend(tx: &[u8], txid: &str, signers: Array) -> JsValue;
    #[wasm_bindgen(js_name = burnId)]
    pub(crate) fn burn_id(transaction_hash: &str, event_index: u32) -> JsValue;
    #[wasm_bindgen(js_name = logId)]
    pub(crate) fn log_id(transaction_hash: &str, log_index: f64) -> JsValue;
    #[wasm_bindgen(js_name = burn)]
    pub(crate) fn burn(
        id: JsValue,
        block_number: f64,
        evm_sender: &str,
        destination: &str,
        wei_decimal: &str,
        sats: u64,
        remainder_wei: u64,
    ) -> JsValue;
    #[wasm_bindgen(js_name = rejection)]
    pub(crate) fn rejection(id: JsValue, code: &str, message: &str) -> JsValue;
    #[wasm_bindgen(js_name = prevout)]
    pub(crate) fn prevout(amount: i64, script_pubkey: &[u8]) -> JsValue;
    #[wasm_bindgen(js_name = pegOutPayment)]
    #[allow(clippy::too_many_arguments)] // one argument per field of the JS object
    pub(crate) fn peg_out_payment(
        tx: &[u8],
        txid: &str,
        prevouts: Array,
        fee: u64,
        rate_fee: u64,
        paid: Array,
        rejected: Array,
    ) -> JsValue;
    /// Prevouts packed into records (amount i64 LE, script length u32 LE, script), or
    /// `undefined` when the list is not in the form the fast path handles.
    /// (`catch`: a getter of the caller's objects may throw; the exception must come back as a
    /// value, not unwind through wasm with objects borrowed.)
    #[wasm_bindgen(catch, js_name = packPrevouts)]
    pub(crate) fn pack_prevouts(list: &JsValue) -> Result<JsValue, JsValue>;
    /// `value` UTF-8 encoded (a `Uint8Array`) if it is a string of at least `min` UTF-16 units;
    /// otherwise `undefined`.
    #[wasm_bindgen(js_name = longStringBytes)]
    pub(crate) fn long_string_bytes(value: &JsValue, min: u32) -> JsValue;
    /// The strings of `list` joined and UTF-8 encoded (a `Uint8Array`), if every one has exactly
    /// `length` UTF-16 units; otherwise `undefined`.
    #[wasm_bindgen(catch, js_name = joinFixed)]
    pub(crate) fn join_fixed(list: &JsValue, length: u32) -> Result<JsValue, JsValue>;
    /// 32-byte hashes packed back to back, as an array of `Uint8Array`s.
    #[wasm_bindgen(js_name = hashList)]
    pub(crate) fn hash_list(packed: &[u8]) -> Array;
    #[wasm_bindgen(js_name = checkedPegOut)]
    pub(crate) fn checked_peg_out(fee: u64, rate_fee: u64, paid: Array) -> JsValue;
}

fn size_u32(n: usize) -> u32 {
    // Sizes of decoded data are bounded by the wasm32 address space.
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A decoded transaction as a plain `Transaction` object.
pub(crate) fn transaction(tx: &Transaction) -> JsValue {
    let inputs: Array = tx
        .inputs
        .iter()
        .map(|i| {
            let witness: Array = i.witness.items().iter().map(|w| js_bytes(w)).collect();
            js_input(
                &i.previous_output.txid.to_string(),
                i.previous_output.vout,
                &i.script_sig,
                i.sequence,
                witness,
            )
        })
        .collect();
    let outputs: Array = tx
        .outputs
        .iter()
        .map(|o| js_output(o.value, &o.script_pubkey))
        .collect();
    js_transaction(
        &tx.txid().to_string(),
        &tx.wtxid().to_string(),
        tx.version,
        tx.lock_time,
        size_u32(tx.total_size()),
        size_u32(tx.weight()),
        size_u32(tx.vsize()),
        inputs,
        outputs,
    )
}

/// A decoded header as a plain `Header` object.
pub(crate) fn header(h: &Header) -> JsValue {
    js_header(
        &h.block_hash().to_string(),
        h.version,
        &h.prev_blockhash.to_string(),
        &h.merkle_root.to_string(),
        h.time,
        &h.bits.to_string(),
        h.nonce,
    )
}

/// A new `Uint8Array` copy of `b`.
pub(crate) fn bytes(b: &[u8]) -> JsValue {
    js_bytes(b)
}

/// An array of `Uint8Array` copies.
pub(crate) fn bytes_array<B: AsRef<[u8]>>(items: &[B]) -> Array {
    items.iter().map(|b| js_bytes(b.as_ref())).collect()
}
