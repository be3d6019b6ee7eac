//! Errors thrown to JavaScript: instances of the shared `PegkitError` class with a stable `code`.

use pegkit_core::ErrorCode;
use std::fmt::Display;
use wasm_bindgen::prelude::*;

// The nodejs (CommonJS) build `require`s its snippet, so it gets the CommonJS twin of the class
// file; every other target imports the ES module.
#[cfg_attr(feature = "nodejs", wasm_bindgen(module = "/js/cjs/pegkit-error.cjs"))]
#[cfg_attr(not(feature = "nodejs"), wasm_bindgen(module = "/js/pegkit-error.js"))]
extern "C" {
    /// The JavaScript `PegkitError` class (`extends Error`, with a string `code`).
    #[wasm_bindgen(extends = js_sys::Error)]
    #[derive(Debug, Clone)]
    pub type PegkitError;

    #[wasm_bindgen(js_name = makePegkitError)]
    fn make(code: &str, message: &str) -> PegkitError;
}

/// A `PegkitError` with `code` and `message`.
pub(crate) fn error(code: &str, message: &str) -> JsValue {
    make(code, message).into()
}

/// A `PegkitError` from a core error.
pub(crate) fn from_core<E: ErrorCode + Display>(err: &E) -> JsValue {
    error(err.code(), &err.to_string())
}

/// A `PegkitError` for an argument of the wrong JavaScript type (`invalid_argument`).
pub(crate) fn invalid_argument(name: &str, expected: &str) -> JsValue {
    error("invalid_argument", &format!("{name} must be {expected}"))
}

/// `err` with extra own properties (e.g. the failing header's `index`).
pub(crate) fn with_props(err: JsValue, props: &[(&str, JsValue)]) -> JsValue {
    for (k, v) in props {
        // Setting a property on an Error object cannot fail.
        let _ = js_sys::Reflect::set(&err, &JsValue::from_str(k), v);
    }
    err
}

/// `err` with `inputIndex` = the transaction input it is about, if any.
pub(crate) fn with_input(err: JsValue, input: Option<usize>) -> JsValue {
    match input {
        Some(i) => with_props(err, &[("inputIndex", JsValue::from(i as f64))]),
        None => err,
    }
}
