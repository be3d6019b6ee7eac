//! Block headers and blocks.

use crate::args::{bytes, i32_prop, prop, u32_prop};
use crate::error::{error, from_core, invalid_argument};
use crate::objects;
use js_sys::Array;
use pegkit_core::{Block, BlockHash, CompactTarget, Decode, Header, TxMerkleNode};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_HEADER: &str = r#"
/** A decoded 80-byte block header. */
export interface Header {
  /** Block hash, display (RPC) order. */
  hash: string;
  /** `nVersion`, signed (BIP9 version bits in the top bits). */
  version: number;
  /** Previous block hash, display order. */
  prevHash: string;
  /** Merkle root, display order (as `getblockheader` prints it). */
  merkleRoot: string;
  /** Block time, Unix seconds. */
  time: number;
  /** nBits as 8 hex digits, e.g. `"17034219"`. */
  bits: string;
  /** The proof-of-work nonce. */
  nonce: number;
}

/** What `encodeHeader` needs (a decoded `Header` also fits; `bits` may be a number). */
export interface HeaderFields {
  /** `nVersion`, signed. */
  version: number;
  /** Previous block hash, display order. */
  prevHash: string;
  /** Merkle root, display order. */
  merkleRoot: string;
  /** Block time, Unix seconds. */
  time: number;
  /** nBits: 8 hex digits or the 32-bit number. */
  bits: string | number;
  /** The proof-of-work nonce. */
  nonce: number;
}

/** A decoded block. */
export interface Block {
  /** The block's header. */
  header: Header;
  /** Its transactions, coinbase first. */
  transactions: Transaction[];
}
"#;

fn header(bytes_arg: &JsValue) -> Result<Header, JsValue> {
    Header::from_slice(&bytes(bytes_arg, "header")?).map_err(|e| from_core(&e))
}

/// Decodes an 80-byte block header.
///
/// @throws {PegkitError} `invalid_hex`, `invalid_argument`, `invalid_length` (not 80 bytes)
#[wasm_bindgen(js_name = decodeHeader, unchecked_return_type = "Header")]
pub fn decode_header(
    #[wasm_bindgen(js_name = header, unchecked_param_type = "Bytes")] header_bytes: JsValue,
) -> Result<JsValue, JsValue> {
    header(&header_bytes).map(|h| objects::header(&h))
}

/// The block hash (display-order hex) of an 80-byte header: SHA-256d of its bytes.
///
/// @throws {PegkitError} as `decodeHeader`
#[wasm_bindgen(js_name = blockHash)]
pub fn block_hash(
    #[wasm_bindgen(js_name = header, unchecked_param_type = "Bytes")] header_bytes: JsValue,
) -> Result<String, JsValue> {
    header(&header_bytes).map(|h| h.block_hash().to_string())
}

fn hash_prop<T: std::str::FromStr<Err = pegkit_core::hex::HexError>>(
    obj: &JsValue,
    key: &'static str,
) -> Result<T, JsValue> {
    let s = prop(obj, key)?
        .as_string()
        .ok_or_else(|| invalid_argument(key, "a 64-character hex string"))?;
    s.parse()
        .map_err(|e| error(pegkit_core::ErrorCode::code(&e), &format!("{key}: {e}")))
}

/// Serializes a header to its 80 bytes.
///
/// @throws {PegkitError} `invalid_argument`, `invalid_hex`, `invalid_length`
#[wasm_bindgen(js_name = encodeHeader)]
pub fn encode_header(
    #[wasm_bindgen(unchecked_param_type = "HeaderFields")] fields: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let bits_value = prop(&fields, "bits")?;
    let bits = match bits_value.as_string() {
        Some(s) if s.len() == 8 => u32::from_str_radix(&s, 16).ok(),
        Some(_) => None,
        None => u32_prop(&fields, "bits").ok(),
    }
    .ok_or_else(|| invalid_argument("bits", "8 hex digits or a 32-bit unsigned integer"))?;
    let h = Header {
        version: i32_prop(&fields, "version")?,
        prev_blockhash: hash_prop::<BlockHash>(&fields, "prevHash")?,
        merkle_root: hash_prop::<TxMerkleNode>(&fields, "merkleRoot")?,
        time: u32_prop(&fields, "time")?,
        bits: CompactTarget(bits),
        nonce: u32_prop(&fields, "nonce")?,
    };
    Ok(h.to_array().to_vec())
}

/// Decodes a whole block: header and every transaction (strictly, as `decodeTransaction`).
///
/// @throws {PegkitError} as `decodeTransaction`, or `truncated` for a short header
#[wasm_bindgen(js_name = decodeBlock, unchecked_return_type = "Block")]
pub fn decode_block(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] block: JsValue,
) -> Result<JsValue, JsValue> {
    let b = Block::decode(&bytes(&block, "block")?).map_err(|e| from_core(&e))?;
    let txs: Array = b.transactions.iter().map(objects::transaction).collect();
    Ok(objects::js_block(objects::header(&b.header), txs))
}
