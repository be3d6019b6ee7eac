//! The `pegkit` CLI contract in wasm, for `js/bin/pegkit.mjs`: the same `pegkit_cli::run` the
//! native binary calls, so both print identical JSON by construction.

#![forbid(unsafe_code)]

// getrandom is a dependency only to select its browser/Node backend for k256's `std` feature.
use getrandom as _;
use pegkit_core as _;
use wasm_bindgen::prelude::*;

/// Runs one invocation. `args` are the arguments after the program name; `stdin` is the whole
/// standard input. Returns `[exit, stdout]`.
#[wasm_bindgen]
pub fn run(args: Vec<String>, stdin: &str) -> Vec<JsValue> {
    let out = pegkit_cli::run(&args, stdin);
    vec![JsValue::from(out.exit), JsValue::from(out.stdout)]
}

/// Whether these arguments read stdin (everything except `--help`).
#[wasm_bindgen(js_name = needsStdin)]
pub fn needs_stdin(args: Vec<String>) -> bool {
    pegkit_cli::needs_stdin(&args)
}
