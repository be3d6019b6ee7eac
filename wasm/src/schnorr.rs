//! BIP340 Schnorr signatures.

use crate::args::{BytesArg, array, bytes};
use crate::error::{error, from_core};
use pegkit_core::schnorr::{KeyError, SecretKey, Signature, XOnlyPublicKey};
use wasm_bindgen::prelude::*;

pub(crate) fn secret(secret_key: &JsValue) -> Result<SecretKey, JsValue> {
    SecretKey::from_slice(&bytes(secret_key, "secretKey")?).map_err(|e| from_core(&e))
}

/// 32 bytes of auxiliary randomness from the platform's cryptographic RNG (`rng_failed` if it
/// has none).
pub(crate) fn random_aux() -> Result<[u8; 32], JsValue> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| error("rng_failed", &e.to_string()))?;
    Ok(buf)
}

/// The 32-byte x-only public key of a secret key.
///
/// @throws {PegkitError} `invalid_length`, `invalid_secret_key` (zero or not below the order)
#[wasm_bindgen(js_name = schnorrPublicKey)]
pub fn schnorr_public_key(
    #[wasm_bindgen(js_name = secretKey, unchecked_param_type = "Bytes")] secret_key: JsValue,
) -> Result<Vec<u8>, JsValue> {
    Ok(secret(&secret_key)?.x_only_public_key().to_bytes().to_vec())
}

/// Signs `message` (any length) with BIP340. With `auxRand` (32 bytes) the signature is
/// deterministic and equals the BIP's for the same inputs; without it, 32 bytes come from the
/// platform's cryptographic RNG (`crypto.getRandomValues`).
///
/// @throws {PegkitError} `invalid_length`, `invalid_secret_key`, `rng_failed`
#[wasm_bindgen(js_name = schnorrSign)]
pub fn schnorr_sign(
    #[wasm_bindgen(js_name = secretKey, unchecked_param_type = "Bytes")] secret_key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Bytes")] message: JsValue,
    #[wasm_bindgen(js_name = auxRand)] aux_rand: Option<BytesArg>,
) -> Result<Vec<u8>, JsValue> {
    let key = secret(&secret_key)?;
    let msg = bytes(&message, "message")?;
    let aux = match aux_rand {
        Some(aux) => array::<32>(&aux.into(), "auxRand")?,
        None => random_aux()?,
    };
    let sig = key.keypair().sign(&msg, &aux).map_err(|e| from_core(&e))?;
    Ok(sig.to_bytes().to_vec())
}

/// Verifies a BIP340 signature. Returns `false` for a signature that does not verify, including
/// `r ≥ p`, `s ≥ n` or a public key that is not on the curve.
///
/// @param publicKey 32-byte x-only key, or 33-byte compressed key (its parity is ignored)
/// @throws {PegkitError} `invalid_length` (key not 32/33 bytes, signature not 64), `invalid_key`
/// (33-byte key not starting with 02 or 03)
#[wasm_bindgen(js_name = schnorrVerify)]
pub fn schnorr_verify(
    #[wasm_bindgen(js_name = publicKey, unchecked_param_type = "Bytes")] public_key: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Bytes")] message: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Bytes")] signature: JsValue,
) -> Result<bool, JsValue> {
    let sig = Signature::from_slice(&bytes(&signature, "signature")?).map_err(|e| from_core(&e))?;
    let msg = bytes(&message, "message")?;
    match XOnlyPublicKey::from_slice(&bytes(&public_key, "publicKey")?) {
        Ok(key) => Ok(key.verify(&msg, &sig).is_ok()),
        Err(KeyError::NotOnCurve) => Ok(false),
        Err(e) => Err(from_core(&e)),
    }
}
