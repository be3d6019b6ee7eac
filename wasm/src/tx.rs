//! Transactions: decode, encode, txid, wtxid.

use crate::args::{array_prop, bytes, i64_prop, prop, u32_prop};
use crate::error::{error, from_core, invalid_argument};
use crate::objects;
use pegkit_core::encode::Encode;
use pegkit_core::{Decode, OutPoint, Transaction, TxIn, TxOut, Txid, Witness};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TX: &str = r#"
/** Bytes: a `Uint8Array`, or a hex string (either case). */
export type Bytes = Uint8Array | string;

/** A decoded transaction input. */
export interface TxInput {
  /** Txid of the spent output, in display (RPC) order. */
  txid: string;
  /** Index of the spent output in its transaction. */
  vout: number;
  /** The input's script (empty for segwit spends). */
  scriptSig: Uint8Array;
  /** `nSequence` (0xffffffff final; BIP68 relative lock times below 2^31; 0xfffffffd signals RBF). */
  sequence: number;
  /** Witness stack items, bottom first (empty for non-segwit inputs). */
  witness: Uint8Array[];
}

/** A decoded transaction output. */
export interface TxOutput {
  /** Satoshis, the raw signed 64-bit field (negative only in invalid transactions). */
  amount: bigint;
  /** The output's locking script. */
  scriptPubKey: Uint8Array;
}

/** A decoded transaction. */
export interface Transaction {
  /** Display-order hex of SHA-256d of the serialization without witness. */
  txid: string;
  /** Display-order hex of SHA-256d of the full serialization. */
  wtxid: string;
  /** `nVersion` as an unsigned 32-bit integer. */
  version: number;
  /** `nLockTime`: a block height below 500,000,000, a Unix time from there on. */
  lockTime: number;
  /** Bytes of the full serialization. */
  size: number;
  /** BIP141 weight units. */
  weight: number;
  /** Virtual size, weight / 4 rounded up. */
  vsize: number;
  /** The inputs, in order. */
  inputs: TxInput[];
  /** The outputs, in order. */
  outputs: TxOutput[];
}

/** What `encodeTransaction` needs (a decoded `Transaction` also fits). */
export interface TransactionFields {
  /** `nVersion`, an unsigned 32-bit integer. */
  version: number;
  /** `nLockTime`. */
  lockTime: number;
  /** Inputs: spent txid (display order), output index, script, sequence, optional witness. */
  inputs: { txid: string; vout: number; scriptSig: Bytes; sequence: number; witness?: Bytes[] }[];
  /** Outputs: satoshis and locking script. */
  outputs: { amount: bigint | number; scriptPubKey: Bytes }[];
}
"#;

pub(crate) fn decode(tx: &JsValue) -> Result<Transaction, JsValue> {
    Transaction::decode(&bytes(tx, "tx")?).map_err(|e| from_core(&e))
}

/// Decodes a transaction (legacy or segwit serialization). Strict: trailing bytes, truncation,
/// non-canonical CompactSize, impossible counts and an empty segwit witness are errors. Checks
/// encoding only, not consensus (amounts may be negative).
///
/// @throws {PegkitError} `invalid_hex`, `invalid_argument`, `truncated`, `trailing_bytes`,
/// `non_canonical_compact_size`, `length_too_large`, `superfluous_witness`, `unknown_segwit_flag`
#[wasm_bindgen(js_name = decodeTransaction, unchecked_return_type = "Transaction")]
pub fn decode_transaction(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
) -> Result<JsValue, JsValue> {
    decode(&tx).map(|t| objects::transaction(&t))
}

/// The txid (display-order hex) of a serialized transaction.
///
/// @throws {PegkitError} as `decodeTransaction`
#[wasm_bindgen]
pub fn txid(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
) -> Result<String, JsValue> {
    decode(&tx).map(|t| t.txid().to_string())
}

/// The wtxid (display-order hex) of a serialized transaction.
///
/// @throws {PegkitError} as `decodeTransaction`
#[wasm_bindgen]
pub fn wtxid(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
) -> Result<String, JsValue> {
    decode(&tx).map(|t| t.wtxid().to_string())
}

fn input_from_js(v: &JsValue) -> Result<TxIn, JsValue> {
    let txid_str = prop(v, "txid")?
        .as_string()
        .ok_or_else(|| invalid_argument("txid", "a hex string"))?;
    let txid: Txid = txid_str.parse().map_err(|e| from_core(&e))?;
    let witness = match prop(v, "witness")? {
        w if w.is_undefined() => Vec::new(),
        _ => array_prop(v, "witness")?
            .iter()
            .map(|item| bytes(&item, "witness item"))
            .collect::<Result<_, _>>()?,
    };
    Ok(TxIn {
        previous_output: OutPoint {
            txid,
            vout: u32_prop(v, "vout")?,
        },
        script_sig: bytes(&prop(v, "scriptSig")?, "scriptSig")?,
        sequence: u32_prop(v, "sequence")?,
        witness: Witness(witness),
    })
}

fn output_from_js(v: &JsValue) -> Result<TxOut, JsValue> {
    Ok(TxOut {
        value: i64_prop(v, "amount")?,
        script_pubkey: bytes(&prop(v, "scriptPubKey")?, "scriptPubKey")?,
    })
}

/// Serializes a transaction: segwit form when some input has a non-empty witness, legacy
/// otherwise. A transaction with no inputs but some outputs has no unambiguous encoding.
///
/// @throws {PegkitError} `invalid_argument`, `invalid_hex`, `invalid_length`, `ambiguous_encoding`
#[wasm_bindgen(js_name = encodeTransaction)]
pub fn encode_transaction(
    #[wasm_bindgen(unchecked_param_type = "TransactionFields")] tx: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let inputs = array_prop(&tx, "inputs")?
        .iter()
        .map(|i| input_from_js(&i))
        .collect::<Result<Vec<_>, _>>()?;
    let outputs = array_prop(&tx, "outputs")?
        .iter()
        .map(|o| output_from_js(&o))
        .collect::<Result<Vec<_>, _>>()?;
    let tx = Transaction {
        version: u32_prop(&tx, "version")?,
        inputs,
        outputs,
        lock_time: u32_prop(&tx, "lockTime")?,
    };
    if tx.has_ambiguous_encoding() {
        return Err(error(
            "ambiguous_encoding",
            "a transaction with no inputs and some outputs would decode as segwit; Bitcoin Core cannot read it back",
        ));
    }
    Ok(tx.to_bytes())
}
