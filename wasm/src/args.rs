//! Reading JavaScript arguments and building JavaScript values.

use crate::error::{error, invalid_argument};
use core::cell::RefCell;
use js_sys::{Array, Reflect, Uint8Array};
use pegkit_core::{ErrorCode, hex};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A `Uint8Array` or hex string, for optional parameters (`name?: Bytes`).
    #[wasm_bindgen(typescript_type = "Bytes")]
    #[derive(Debug, Clone)]
    pub type BytesArg;
}

/// From this many UTF-16 units on, a string argument crosses as UTF-8 bytes.
const LONG_STRING: u32 = 4096;

/// Bytes from a `Uint8Array` or a hex string (either case).
pub(crate) fn bytes(value: &JsValue, name: &str) -> Result<Vec<u8>, JsValue> {
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        return Ok(array.to_vec());
    }
    // A long string (a block's hex from `getblock`) crosses as UTF-8 bytes, encoded natively in
    // JS: the same text `as_string` gives (lone surrogates become U+FFFD either way), without
    // wasm-bindgen's character-by-character copy.
    let encoded = crate::objects::long_string_bytes(value, LONG_STRING);
    let text = match encoded.dyn_ref::<Uint8Array>() {
        Some(encoded) => String::from_utf8(encoded.to_vec()).ok(),
        None => value.as_string(),
    };
    match text {
        Some(s) => hex::decode(&s).map_err(|e| error(e.code(), &format!("{name}: {e}"))),
        None => Err(invalid_argument(name, "a Uint8Array or a hex string")),
    }
}

/// Exactly `N` bytes from a `Uint8Array` or hex string (`invalid_length` otherwise).
pub(crate) fn array<const N: usize>(value: &JsValue, name: &str) -> Result<[u8; N], JsValue> {
    let v = bytes(value, name)?;
    <[u8; N]>::try_from(v.as_slice()).map_err(|_| {
        error(
            "invalid_length",
            &format!("{name} must be {N} bytes, got {}", v.len()),
        )
    })
}

/// A property of an object argument.
pub(crate) fn prop(obj: &JsValue, key: &'static str) -> Result<JsValue, JsValue> {
    if !obj.is_object() {
        return Err(invalid_argument(key, "a property of an object"));
    }
    Reflect::get(obj, &key_string(key))
}

/// Slots of the property-name cache (a power of two, well above the ~60 names used).
const KEY_SLOTS: usize = 256;

thread_local! {
    /// The JS strings of property names already used, each with its name (a string literal, so
    /// the same pointer and length is the same name), at a slot picked from the name's address
    /// and probed linearly.
    static KEYS: RefCell<Vec<Option<(&'static str, JsValue)>>> = RefCell::new(vec![None; KEY_SLOTS]);
}

/// The JS string `key`, made once per name: turning UTF-8 into a JS string costs more than the
/// lookup it serves. Found by the literal's address and length rather than by its content,
/// which needs no string hashing.
fn key_string(key: &'static str) -> JsValue {
    // Fibonacci hashing: the top 8 bits of the address times 2^32 / golden ratio.
    let start = ((key.as_ptr() as usize as u32).wrapping_mul(0x9e37_79b9) >> 24) as usize;
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        for probe in 0..KEY_SLOTS / 2 {
            let slot = start.wrapping_add(probe) % KEY_SLOTS;
            match keys.get_mut(slot) {
                Some(Some((name, value))) if core::ptr::eq(*name, key) => return value.clone(),
                Some(entry @ None) => {
                    let value = JsValue::from_str(key);
                    *entry = Some((key, value.clone()));
                    return value;
                }
                _ => {}
            }
        }
        // Never with the names of this crate; correct (only slower) if it happened.
        JsValue::from_str(key)
    })
}

/// An unsigned 32-bit integer property (a `number`).
pub(crate) fn u32_prop(obj: &JsValue, key: &'static str) -> Result<u32, JsValue> {
    let v = prop(obj, key)?;
    v.as_f64()
        .filter(|f| f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(f))
        .map(|f| f as u32)
        .ok_or_else(|| invalid_argument(key, "an integer in 0..=4294967295"))
}

/// A signed 32-bit integer property (a `number`).
pub(crate) fn i32_prop(obj: &JsValue, key: &'static str) -> Result<i32, JsValue> {
    let v = prop(obj, key)?;
    v.as_f64()
        .filter(|f| f.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(f))
        .map(|f| f as i32)
        .ok_or_else(|| invalid_argument(key, "an integer in -2147483648..=2147483647"))
}

/// A signed 64-bit amount property: a `bigint`, or a safe-integer `number`.
pub(crate) fn i64_prop(obj: &JsValue, key: &'static str) -> Result<i64, JsValue> {
    i64_of(&prop(obj, key)?, key)
}

/// A signed 64-bit amount: a `bigint`, or a safe-integer `number`.
pub(crate) fn i64_of(v: &JsValue, name: &str) -> Result<i64, JsValue> {
    if v.is_bigint() {
        return i64::try_from(v.clone())
            .map_err(|_| invalid_argument(name, "a bigint in the signed 64-bit range"));
    }
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    v.as_f64()
        .filter(|f| f.fract() == 0.0 && (-MAX_SAFE..=MAX_SAFE).contains(f))
        .map(|f| f as i64)
        .ok_or_else(|| invalid_argument(name, "a bigint (or a safe integer number)"))
}

/// An integer `number` in `min..=max` (`invalid_argument` naming the range otherwise).
pub(crate) fn int_of(v: &JsValue, name: &str, min: i64, max: i64) -> Result<i64, JsValue> {
    v.as_f64()
        .filter(|f| f.fract() == 0.0 && (min as f64..=max as f64).contains(f))
        .map(|f| f as i64)
        .ok_or_else(|| invalid_argument(name, &format!("an integer in {min}..={max}")))
}

/// A property that may be absent: `None` when it is `undefined` or `null`.
pub(crate) fn opt_prop(obj: &JsValue, key: &'static str) -> Result<Option<JsValue>, JsValue> {
    let v = prop(obj, key)?;
    Ok((!v.is_undefined() && !v.is_null()).then_some(v))
}

/// An array of byte strings (`Uint8Array`s or hex), each named `name[i]` in errors.
pub(crate) fn bytes_list(value: &JsValue, name: &str) -> Result<Vec<Vec<u8>>, JsValue> {
    value
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid_argument(name, "an array of Uint8Arrays or hex strings"))?
        .iter()
        .enumerate()
        .map(|(i, b)| bytes(&b, &format!("{name}[{i}]")))
        .collect()
}

/// An array property's elements.
pub(crate) fn array_prop(obj: &JsValue, key: &'static str) -> Result<Array, JsValue> {
    prop(obj, key)?
        .dyn_into::<Array>()
        .map_err(|_| invalid_argument(key, "an array"))
}
