//! Signature hashes: legacy (Bitcoin Core's `SignatureHash`, quirks included), BIP143 (segwit v0),
//! BIP341 (taproot key and script path), and BIP341 leaf hashes.

use crate::args::{bytes, i64_of, int_of, opt_prop, prop};
use crate::error::{from_core, invalid_argument, with_input};
use crate::objects;
use crate::tx::decode;
use js_sys::{Array, Uint8Array};
use pegkit_core::sighash::{
    ScriptPath, SighashCache, SighashError, TAPSCRIPT_LEAF_VERSION, tap_leaf_hash,
};
use pegkit_core::{Transaction, TxOut};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_SIGHASH: &str = r#"
/** An output being spent: its amount and script (a decoded `TxOutput` fits). */
export interface Prevout {
  /** Satoshis. */
  amount: bigint | number;
  /** Its locking script. */
  scriptPubKey: Bytes;
}

/** How `sighashTaproot` signs: key path unless `leafScript` is given. */
export interface TaprootSighashOptions {
  /** The leaf script of a script-path spend (BIP342). */
  leafScript?: Bytes;
  /** The leaf's version (an even byte); default 0xc0, tapscript. Script path only. */
  leafVersion?: number;
  /** The annex, with its 0x50 first byte. */
  annex?: Bytes;
  /** Opcode position of the last executed OP_CODESEPARATOR; default 0xffffffff (none). Script
   *  path only. */
  codesepPos?: number;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `TaprootSighashOptions`, for the optional last parameter.
    #[wasm_bindgen(typescript_type = "TaprootSighashOptions")]
    #[derive(Debug, Clone)]
    pub type TaprootSighashOptionsArg;
}

/// The spent outputs, one per input: `[{ amount, scriptPubKey }]`.
pub(crate) fn prevouts_of(value: &JsValue) -> Result<Vec<TxOut>, JsValue> {
    // A throwing getter makes the fast path fail; the slow path then reports that exception.
    let packed = objects::pack_prevouts(value).unwrap_or(JsValue::UNDEFINED);
    if let Some(packed) = packed.dyn_ref::<Uint8Array>() {
        if let Some(prevouts) = unpack_prevouts(&packed.to_vec()) {
            return Ok(prevouts);
        }
    }
    let list = value
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid_argument("prevouts", "an array of { amount, scriptPubKey }"))?;
    list.iter()
        .enumerate()
        .map(|(i, p)| {
            if !p.is_object() {
                return Err(invalid_argument(
                    &format!("prevouts[{i}]"),
                    "an object { amount, scriptPubKey }",
                ));
            }
            Ok(TxOut {
                value: i64_of(&prop(&p, "amount")?, &format!("prevouts[{i}].amount"))?,
                script_pubkey: bytes(
                    &prop(&p, "scriptPubKey")?,
                    &format!("prevouts[{i}].scriptPubKey"),
                )?,
            })
        })
        .collect()
}

/// The records of `packPrevouts` (amount i64 LE, script length u32 LE, script) back into
/// outputs; `None` if they are not well formed (then the list is read element by element).
fn unpack_prevouts(mut packed: &[u8]) -> Option<Vec<TxOut>> {
    let mut out = Vec::new();
    while let Some((amount, rest)) = packed.split_first_chunk::<8>() {
        let (len, rest) = rest.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
        let (script, rest) = rest.split_at_checked(len)?;
        out.push(TxOut {
            value: i64::from_le_bytes(*amount),
            script_pubkey: script.to_vec(),
        });
        packed = rest;
    }
    packed.is_empty().then_some(out)
}

/// A `PegkitError` for a sighash error, with `inputIndex` when it names an input.
pub(crate) fn sighash_error(e: &SighashError) -> JsValue {
    let input = match e {
        SighashError::InputIndexOutOfRange { index, .. }
        | SighashError::SingleWithoutOutput { index } => Some(*index),
        _ => None,
    };
    with_input(from_core(e), input)
}

/// A 32-bit sighash type, signed (as Bitcoin Core's tests write them) or unsigned.
fn sighash_type_of(v: &JsValue) -> Result<u32, JsValue> {
    let t = int_of(v, "sighashType", i64::from(i32::MIN), i64::from(u32::MAX))?;
    // Negative types are the signed view of the same 32 bits.
    Ok(if t < 0 { t as i32 as u32 } else { t as u32 })
}

/// Bitcoin Core's legacy `SignatureHash` (pre-segwit scripts): `scriptCode` with its
/// `OP_CODESEPARATOR`s removed, and the `SIGHASH_SINGLE` quirk (an input with no output at its
/// index signs the number 1). Returns the 32 bytes ECDSA signs.
///
/// @param sighashType any 32-bit value, signed or unsigned (it is hashed as 4 bytes)
/// @throws {PegkitError} `input_index_out_of_range` (with `inputIndex`), the decoding codes,
/// `invalid_argument`
#[wasm_bindgen(js_name = sighashLegacy)]
pub fn sighash_legacy(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
    #[wasm_bindgen(js_name = inputIndex)] input_index: u32,
    #[wasm_bindgen(js_name = scriptCode, unchecked_param_type = "Bytes")] script_code: JsValue,
    #[wasm_bindgen(js_name = sighashType, unchecked_param_type = "number")] sighash_type: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let tx = decode(&tx)?;
    let script = bytes(&script_code, "scriptCode")?;
    let ty = sighash_type_of(&sighash_type)?;
    SighashCache::new(&tx)
        .legacy(input_index as usize, &script, ty)
        .map(|h| h.to_byte_array().to_vec())
        .map_err(|e| sighash_error(&e))
}

/// BIP143: the segwit v0 signature hash of input `inputIndex`, which spends `amount` satoshis.
/// `scriptCode` is without its length prefix: the witness script for P2WSH, the P2PKH script of
/// the key hash for P2WPKH.
///
/// @param sighashType any 32-bit value, signed or unsigned
/// @throws {PegkitError} `input_index_out_of_range` (with `inputIndex`), the decoding codes,
/// `invalid_argument`
#[wasm_bindgen(js_name = sighashSegwitV0)]
pub fn sighash_segwit_v0(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
    #[wasm_bindgen(js_name = inputIndex)] input_index: u32,
    #[wasm_bindgen(js_name = scriptCode, unchecked_param_type = "Bytes")] script_code: JsValue,
    #[wasm_bindgen(unchecked_param_type = "bigint | number")] amount: JsValue,
    #[wasm_bindgen(js_name = sighashType, unchecked_param_type = "number")] sighash_type: JsValue,
) -> Result<Vec<u8>, JsValue> {
    let tx = decode(&tx)?;
    let script = bytes(&script_code, "scriptCode")?;
    let amount = i64_of(&amount, "amount")?;
    let ty = sighash_type_of(&sighash_type)?;
    SighashCache::new(&tx)
        .segwit_v0(input_index as usize, &script, amount, ty)
        .map(|h| h.to_byte_array().to_vec())
        .map_err(|e| sighash_error(&e))
}

/// BIP341: the taproot signature hash of input `inputIndex` — key path, or with
/// `options.leafScript` the script path (BIP342). `prevouts` are the outputs every input spends,
/// in input order.
///
/// @param sighashType 0x00 (`SIGHASH_DEFAULT`), 0x01-0x03 or 0x81-0x83
/// @throws {PegkitError} `invalid_sighash_type`, `input_index_out_of_range`,
/// `sighash_single_out_of_range` (both with `inputIndex`), `prevouts_mismatch`, `invalid_annex`,
/// the decoding codes, `invalid_argument`
#[wasm_bindgen(js_name = sighashTaproot)]
pub fn sighash_taproot(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
    #[wasm_bindgen(js_name = inputIndex)] input_index: u32,
    #[wasm_bindgen(unchecked_param_type = "Prevout[]")] prevouts: JsValue,
    #[wasm_bindgen(js_name = sighashType, unchecked_param_type = "number")] sighash_type: JsValue,
    options: Option<TaprootSighashOptionsArg>,
) -> Result<Vec<u8>, JsValue> {
    let tx = decode(&tx)?;
    let prevouts = prevouts_of(&prevouts)?;
    let request = taproot_request(&sighash_type, options)?;
    let (cache, script_path) = request.cache(&tx, &prevouts)?;
    cache
        .taproot(
            input_index as usize,
            request.ty,
            request.annex.as_deref(),
            script_path,
        )
        .map(|h| h.to_byte_array().to_vec())
        .map_err(|e| sighash_error(&e))
}

/// The BIP341 sighashes of every input, with the per-transaction hashes computed once: for a
/// federation spend, `{ leafScript }` gives what each input's signatures commit to. The same
/// options apply to every input.
///
/// @param sighashType 0x00 (`SIGHASH_DEFAULT`), 0x01-0x03 or 0x81-0x83
/// @throws {PegkitError} as `sighashTaproot`
#[wasm_bindgen(js_name = sighashesTaproot, unchecked_return_type = "Uint8Array[]")]
pub fn sighashes_taproot(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Prevout[]")] prevouts: JsValue,
    #[wasm_bindgen(js_name = sighashType, unchecked_param_type = "number")] sighash_type: JsValue,
    options: Option<TaprootSighashOptionsArg>,
) -> Result<Array, JsValue> {
    let tx = decode(&tx)?;
    let prevouts = prevouts_of(&prevouts)?;
    let request = taproot_request(&sighash_type, options)?;
    let (cache, script_path) = request.cache(&tx, &prevouts)?;
    let hashes = cache
        .taproot_all(request.ty, request.annex.as_deref(), script_path)
        .map_err(|e| sighash_error(&e))?;
    let packed: Vec<u8> = hashes.iter().flat_map(|h| *h.as_byte_array()).collect();
    Ok(objects::hash_list(&packed))
}

/// What a taproot sighash commits to besides the transaction: type byte, annex, script leaf.
struct TaprootRequest {
    ty: u8,
    annex: Option<Vec<u8>>,
    leaf: Option<Leaf>,
}

/// A script-path spend's leaf, not yet hashed, and its last `OP_CODESEPARATOR` position.
struct Leaf {
    version: u8,
    script: Vec<u8>,
    codesep_pos: u32,
}

impl TaprootRequest {
    /// The sighash cache of `tx` and the script path, the leaf hashed together with the
    /// transaction-wide hashes (in SIMD lanes).
    fn cache<'a>(
        &self,
        tx: &'a Transaction,
        prevouts: &'a [TxOut],
    ) -> Result<(SighashCache<'a>, Option<ScriptPath>), JsValue> {
        match &self.leaf {
            Some(leaf) => {
                let (cache, leaf_hash) =
                    SighashCache::with_prevouts_and_leaf(tx, prevouts, leaf.version, &leaf.script)
                        .map_err(|e| sighash_error(&e))?;
                let path = ScriptPath {
                    leaf_hash,
                    codesep_pos: leaf.codesep_pos,
                };
                Ok((cache, Some(path)))
            }
            None => SighashCache::with_prevouts(tx, prevouts)
                .map(|cache| (cache, None))
                .map_err(|e| sighash_error(&e)),
        }
    }
}

fn taproot_request(
    sighash_type: &JsValue,
    options: Option<TaprootSighashOptionsArg>,
) -> Result<TaprootRequest, JsValue> {
    let ty = sighash_type_of(sighash_type)?;
    let ty = u8::try_from(ty)
        .map_err(|_| from_core(&SighashError::InvalidSighashType { sighash_type: ty }))?;
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let get = |key: &'static str| {
        if options.is_undefined() || options.is_null() {
            Ok(None)
        } else {
            opt_prop(&options, key)
        }
    };
    let annex = get("annex")?
        .map(|a| bytes(&a, "options.annex"))
        .transpose()?;
    let leaf_version = get("leafVersion")?;
    let codesep_pos = get("codesepPos")?;
    let leaf = match get("leafScript")? {
        Some(script) => {
            let script = bytes(&script, "options.leafScript")?;
            let version = match leaf_version {
                Some(v) => leaf_version_of(&v, "options.leafVersion")?,
                None => TAPSCRIPT_LEAF_VERSION,
            };
            let codesep_pos = match codesep_pos {
                Some(p) => int_of(&p, "options.codesepPos", 0, i64::from(u32::MAX))? as u32,
                None => u32::MAX,
            };
            Some(Leaf {
                version,
                script,
                codesep_pos,
            })
        }
        None if leaf_version.is_some() || codesep_pos.is_some() => {
            return Err(invalid_argument(
                "options.leafScript",
                "given with leafVersion or codesepPos (they are for script-path spends)",
            ));
        }
        None => None,
    };
    Ok(TaprootRequest { ty, annex, leaf })
}

fn leaf_version_of(v: &JsValue, name: &str) -> Result<u8, JsValue> {
    int_of(v, name, 0, 0xfe)
        .ok()
        .filter(|n| n % 2 == 0)
        .map(|n| n as u8)
        .ok_or_else(|| invalid_argument(name, "an even integer in 0..=254"))
}

/// The BIP341 leaf hash `TaggedHash("TapLeaf", leafVersion || compact_size(len) || script)`.
///
/// @param leafVersion an even byte; default 0xc0 (tapscript)
/// @throws {PegkitError} `invalid_hex`, `invalid_argument`
#[wasm_bindgen(js_name = tapLeafHash)]
pub fn tap_leaf_hash_js(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] script: JsValue,
    #[wasm_bindgen(js_name = leafVersion)] leaf_version: Option<f64>,
) -> Result<Vec<u8>, JsValue> {
    let script = bytes(&script, "script")?;
    let version = match leaf_version {
        Some(v) => leaf_version_of(&JsValue::from_f64(v), "leafVersion")?,
        None => TAPSCRIPT_LEAF_VERSION,
    };
    Ok(tap_leaf_hash(version, &script).to_byte_array().to_vec())
}
