//! Threshold signing of federation spends for JavaScript: `signInputs`, the
//! `SignatureCollector` class, `checkWitnesses`, and the partial signatures' wire encoding.

use crate::args::{array, bytes, bytes_list, prop};
use crate::error::{from_core, invalid_argument, with_input};
use crate::federation::{JsFederation, leaf_role};
use crate::objects;
use crate::schnorr::{random_aux, secret};
use crate::sighash::{prevouts_of, sighash_error};
use crate::tx::decode;
use js_sys::Array;
use pegkit_core::signing::{
    Added, CollectError, PartialSignatures, SignInputsError, SignatureCollector, SpendError,
    WitnessError, check_witnesses, sign_inputs,
};
use pegkit_core::{Decode, Encode};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_SIGNING: &str = r#"
import type { PegkitError } from '../pegkit-error.js';

/** One member's signatures over every input of a spend, in input order. */
export interface PartialSignatures {
  /** The member's key: 32-byte x-only (taproot) or 33-byte compressed (P2WSH). */
  publicKey: Uint8Array;
  /** One per input: 64-byte BIP340 signatures (taproot), DER + sighash byte (P2WSH). */
  signatures: Uint8Array[];
}

/** `PartialSignatures` as arguments: bytes as `Uint8Array` or hex. */
export interface PartialSignaturesFields {
  /** The member's key: 32-byte x-only (taproot) or 33-byte compressed (P2WSH). */
  publicKey: Bytes;
  /** One per input, in input order. */
  signatures: Bytes[];
}

/** What `signInputs` takes besides the spend. */
export interface SignOptions {
  /** 32 bytes of BIP340 auxiliary randomness for every input (deterministic signatures). By
   *  default each input gets fresh bytes from `crypto.getRandomValues`. Unused for P2WSH
   *  (RFC 6979 ECDSA is deterministic). */
  auxRand?: Bytes;
  /** The leaf to sign for; default `'main'`. */
  leaf?: LeafRole;
}

/** What `SignatureCollector.add` did with a valid set: a member's first signatures (`'new'`),
 *  or the same signatures again (`'already_had'`). */
export type AddResult = 'new' | 'already_had';

/** A finalized spend. */
export interface FinalizedSpend {
  /** The transaction with every input's witness. */
  tx: Uint8Array;
  /** Display-order hex. */
  txid: string;
  /** The members whose signatures the witnesses carry, in key order. */
  signers: Uint8Array[];
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `SignOptions`, for the optional last parameter.
    #[wasm_bindgen(typescript_type = "SignOptions")]
    #[derive(Debug, Clone)]
    pub type SignOptionsArg;

    /// `LeafRole`, for an optional parameter.
    #[wasm_bindgen(typescript_type = "LeafRole")]
    #[derive(Debug, Clone)]
    pub type LeafRoleArg;
}

fn spend_input(e: &SpendError) -> Option<usize> {
    match e {
        SpendError::ForeignInput { input }
        | SpendError::ScriptSigNotEmpty { input }
        | SpendError::CsvNotSatisfied { input, .. } => Some(*input),
        _ => None,
    }
}

fn spend_error(e: &SpendError) -> JsValue {
    with_input(from_core(e), spend_input(e))
}

fn sign_error(e: &SignInputsError) -> JsValue {
    match e {
        SignInputsError::Spend(s) => spend_error(s),
        SignInputsError::Sighash(s) => sighash_error(s),
        _ => from_core(e),
    }
}

fn collect_error(e: &CollectError) -> JsValue {
    let input = match e {
        CollectError::Spend(s) => return spend_error(s),
        CollectError::Sighash(s) => return sighash_error(s),
        CollectError::InvalidSignatureLength { input, .. }
        | CollectError::InvalidSighashType { input, .. }
        | CollectError::InvalidDer { input }
        | CollectError::InvalidSignature { input }
        | CollectError::ConflictingSignature { input } => Some(*input),
        _ => None,
    };
    with_input(from_core(e), input)
}

fn witness_error(e: &WitnessError) -> JsValue {
    let input = match e {
        WitnessError::Spend(s) => return spend_error(s),
        WitnessError::Sighash(s) => return sighash_error(s),
        WitnessError::UnexpectedAnnex { input }
        | WitnessError::UnknownScript { input }
        | WitnessError::WrongControlBlock { input }
        | WitnessError::WrongWitnessSize { input, .. }
        | WitnessError::NonNullDummy { input }
        | WitnessError::WrongSignatureCount { input, .. }
        | WitnessError::InvalidSignatureLength { input, .. }
        | WitnessError::InvalidSighashType { input, .. }
        | WitnessError::InvalidDer { input }
        | WitnessError::InvalidSignature { input } => Some(*input),
        _ => None,
    };
    with_input(from_core(e), input)
}

fn added(a: Added) -> &'static str {
    match a {
        Added::New => "new",
        Added::AlreadyHad => "already_had",
    }
}

fn partial_of(value: &JsValue, name: &str) -> Result<PartialSignatures, JsValue> {
    if !value.is_object() {
        return Err(invalid_argument(
            name,
            "an object { publicKey, signatures }",
        ));
    }
    Ok(PartialSignatures {
        public_key: bytes(&prop(value, "publicKey")?, &format!("{name}.publicKey"))?,
        signatures: bytes_list(&prop(value, "signatures")?, &format!("{name}.signatures"))?,
    })
}

fn partial_js(p: &PartialSignatures) -> JsValue {
    objects::partial_signatures(&p.public_key, objects::bytes_array(&p.signatures))
}

/// A member signs every input of `tx` (each spending a federation output through the leaf;
/// `prevouts` are those outputs, in input order): BIP340 over each input's script-path sighash
/// (`SIGHASH_DEFAULT`, 64 bytes), or for P2WSH low-S DER ECDSA (RFC 6979) over the BIP143 sighash
/// with `SIGHASH_ALL`.
///
/// @throws {PegkitError} `not_a_member`, `no_inputs`, `prevouts_mismatch`, `foreign_input`,
/// `script_sig_not_empty`, `csv_not_satisfied` (these three with `inputIndex`), `no_such_leaf`,
/// `invalid_secret_key`, `rng_failed`, the decoding codes, `invalid_length`, `invalid_argument`
#[wasm_bindgen(js_name = signInputs, unchecked_return_type = "PartialSignatures")]
pub fn sign_inputs_js(
    federation: &JsFederation,
    #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Prevout[]")] prevouts: JsValue,
    #[wasm_bindgen(js_name = secretKey, unchecked_param_type = "Bytes")] secret_key: JsValue,
    options: Option<SignOptionsArg>,
) -> Result<JsValue, JsValue> {
    let tx = decode(&tx)?;
    let prevouts = prevouts_of(&prevouts)?;
    let key = secret(&secret_key)?;
    let options: JsValue = options.map_or(JsValue::UNDEFINED, Into::into);
    let (aux, leaf) = if options.is_undefined() || options.is_null() {
        (None, None)
    } else {
        let aux = prop(&options, "auxRand")?;
        let leaf = prop(&options, "leaf")?;
        let leaf = (!leaf.is_undefined() && !leaf.is_null()).then_some(leaf);
        let aux = if aux.is_undefined() || aux.is_null() {
            None
        } else {
            Some(array::<32>(&aux, "auxRand")?)
        };
        (aux, leaf)
    };
    let leaf = leaf_role(leaf.as_ref())?;
    let fed = &federation.inner;
    // Fresh randomness per input, drawn before signing (the signer's callback cannot fail).
    let per_input: Vec<[u8; 32]> = match aux {
        Some(a) => vec![a; tx.inputs.len()],
        None if fed.is_taproot() => (0..tx.inputs.len())
            .map(|_| random_aux())
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let partial = sign_inputs(fed, &tx, &prevouts, leaf, &key, |i| {
        per_input.get(i).copied().unwrap_or_default()
    })
    .map_err(|e| sign_error(&e))?;
    Ok(partial_js(&partial))
}

/// Checks, before broadcast, that every input of a finished transaction spends a federation
/// output with a witness of the federation's template (either leaf for taproot): exact script and
/// control block, exactly `threshold` valid signatures by the keys in their positions, no annex,
/// the recovery leaf's relative lock; for P2WSH an empty dummy and low-S strict-DER `SIGHASH_ALL`
/// signatures in key order.
///
/// @throws {PegkitError} the first problem, with `inputIndex` when it is about one input:
/// `unexpected_annex`, `unknown_script`, `wrong_control_block`, `wrong_witness_size`,
/// `non_null_dummy`, `wrong_signature_count`, `invalid_length`, `invalid_sighash_type`,
/// `invalid_der`, `invalid_signature`, the spend codes of `signInputs`, the decoding codes
#[wasm_bindgen(js_name = checkWitnesses)]
pub fn check_witnesses_js(
    federation: &JsFederation,
    #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Prevout[]")] prevouts: JsValue,
) -> Result<(), JsValue> {
    let tx = decode(&tx)?;
    let prevouts = prevouts_of(&prevouts)?;
    check_witnesses(&federation.inner, &tx, &prevouts).map_err(|e| witness_error(&e))
}

/// The wire encoding of a member's partial signatures: the key and each signature as
/// CompactSize-prefixed bytes, with a CompactSize count of signatures between them.
///
/// @throws {PegkitError} `invalid_hex`, `invalid_argument`
#[wasm_bindgen(js_name = encodePartialSignatures)]
pub fn encode_partial_signatures(
    #[wasm_bindgen(unchecked_param_type = "PartialSignaturesFields")] partial: JsValue,
) -> Result<Vec<u8>, JsValue> {
    Ok(partial_of(&partial, "partial")?.to_bytes())
}

/// Decodes `encodePartialSignatures` bytes (strict: truncation and trailing bytes are errors).
/// The key and signatures are not checked here; `SignatureCollector.add` checks them.
///
/// @throws {PegkitError} `truncated`, `trailing_bytes`, `non_canonical_compact_size`,
/// `length_too_large`, `invalid_hex`, `invalid_argument`
#[wasm_bindgen(js_name = decodePartialSignatures, unchecked_return_type = "PartialSignatures")]
pub fn decode_partial_signatures(
    #[wasm_bindgen(unchecked_param_type = "Bytes")] encoded: JsValue,
) -> Result<JsValue, JsValue> {
    let p = PartialSignatures::decode(&bytes(&encoded, "bytes")?).map_err(|e| from_core(&e))?;
    Ok(partial_js(&p))
}

/// Gathers the members' partial signatures for one spend and leaf, checks each set as it arrives
/// (member, one signature per input, encodings, sighash types, every signature valid), and
/// finalizes the witnesses once `threshold` members have signed. A member may send the same set
/// again, never a different one. A refused set changes nothing.
#[wasm_bindgen(js_name = SignatureCollector)]
#[derive(Debug)]
pub struct JsSignatureCollector {
    inner: SignatureCollector,
    batch: bool,
}

#[wasm_bindgen(js_class = SignatureCollector)]
impl JsSignatureCollector {
    /// A collector for `tx` spending the federation's outputs `prevouts` (in input order)
    /// through `leaf` (default `'main'`).
    ///
    /// @throws {PegkitError} the spend codes of `signInputs`, the decoding codes,
    /// `invalid_argument`
    #[wasm_bindgen(constructor)]
    pub fn new(
        federation: &JsFederation,
        #[wasm_bindgen(unchecked_param_type = "Bytes")] tx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Prevout[]")] prevouts: JsValue,
        leaf: Option<LeafRoleArg>,
    ) -> Result<JsSignatureCollector, JsValue> {
        let tx = decode(&tx)?;
        let prevouts = prevouts_of(&prevouts)?;
        let leaf = leaf_role(leaf.map(JsValue::from).as_ref())?;
        SignatureCollector::new(&federation.inner, &tx, &prevouts, leaf)
            .map(|inner| Self { inner, batch: true })
            .map_err(|e| collect_error(&e))
    }

    /// Checks and stores one member's signatures.
    ///
    /// @throws {PegkitError} `not_a_member`, `wrong_signature_count`, `invalid_length`,
    /// `invalid_sighash_type`, `invalid_der`, `invalid_signature`, `conflicting_signature` (those
    /// about one signature with `inputIndex`), `invalid_hex`, `invalid_argument`
    #[wasm_bindgen(unchecked_return_type = "AddResult")]
    pub fn add(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "PartialSignaturesFields")] partial: JsValue,
    ) -> Result<String, JsValue> {
        let p = partial_of(&partial, "partial")?;
        self.inner
            .add(&p)
            .map(|a| added(a).to_string())
            .map_err(|e| collect_error(&e))
    }

    /// Adds several members' sets, verifying their BIP340 signatures in one batch. Returns one
    /// entry per set, in order: what `add` would return, or the `PegkitError` it would throw
    /// (returned, not thrown). Only malformed arguments throw, before any set is added.
    ///
    /// @throws {PegkitError} `invalid_hex`, `invalid_argument`
    #[wasm_bindgen(js_name = addAll, unchecked_return_type = "(AddResult | PegkitError)[]")]
    pub fn add_all(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "PartialSignaturesFields[]")] partials: JsValue,
    ) -> Result<Array, JsValue> {
        let list = partials
            .dyn_ref::<Array>()
            .ok_or_else(|| invalid_argument("partials", "an array of { publicKey, signatures }"))?;
        let parsed = list
            .iter()
            .enumerate()
            .map(|(i, p)| partial_of(&p, &format!("partials[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self
            .inner
            .add_all(&parsed)
            .iter()
            .map(|r| match r {
                Ok(a) => JsValue::from_str(added(*a)),
                Err(e) => collect_error(e),
            })
            .collect())
    }

    /// Members who have signed, as their keys (x-only for taproot, compressed for P2WSH), in key
    /// order.
    #[wasm_bindgen(getter, unchecked_return_type = "Uint8Array[]")]
    pub fn signers(&self) -> Array {
        objects::bytes_array(&self.inner.signers())
    }

    /// Members who have signed.
    #[wasm_bindgen(getter, js_name = signatureCount)]
    pub fn signature_count(&self) -> u32 {
        u32::try_from(self.inner.signature_count()).unwrap_or(u32::MAX)
    }

    /// Signatures each input needs.
    #[wasm_bindgen(getter)]
    pub fn threshold(&self) -> u32 {
        u32::try_from(self.inner.threshold()).unwrap_or(u32::MAX)
    }

    /// Whether `threshold` members have signed.
    #[wasm_bindgen(getter, js_name = isComplete)]
    pub fn is_complete(&self) -> bool {
        self.inner.is_complete()
    }

    /// Batch verification of BIP340 sets (default `true`) or one signature at a time: the
    /// results are the same, only the speed differs.
    #[wasm_bindgen(getter, js_name = batchVerification)]
    pub fn batch_verification(&self) -> bool {
        self.batch
    }

    /// Turns batch verification on or off.
    #[wasm_bindgen(setter, js_name = batchVerification)]
    pub fn set_batch_verification(&mut self, on: bool) {
        self.batch = on;
        self.inner.set_batch_verification(on);
    }

    /// The transaction with every input's witness, signed by the first `threshold` signers in
    /// key order: for taproot one item per key in reverse key order (empty for keys that do not
    /// sign), the leaf script and its control block; for P2WSH an empty item, the signatures,
    /// the witness script.
    ///
    /// @throws {PegkitError} `threshold_not_met`
    #[wasm_bindgen(unchecked_return_type = "FinalizedSpend")]
    pub fn finalize(&self) -> Result<JsValue, JsValue> {
        let (tx, signers) = self.inner.finalize().map_err(|e| collect_error(&e))?;
        Ok(objects::finalized_spend(
            &tx.to_bytes(),
            &tx.txid().to_string(),
            objects::bytes_array(&signers),
        ))
    }
}
