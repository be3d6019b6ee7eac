//! pegkit for JavaScript: the `pegkit` npm package is this crate built by wasm-pack.
//!
//! Conventions: camelCase names; bytes are `Uint8Array` in and out, and hex strings are accepted
//! wherever bytes are; satoshi amounts are `bigint`; txids and block hashes are hex strings in
//! Bitcoin's display order; every error is a `PegkitError` (a subclass of `Error`) whose `code` is
//! the same stable string the CLI prints.

#![forbid(unsafe_code)]

mod args;
mod error;
mod federation;
mod header;
mod objects;
mod pegout;
mod schnorr;
mod sighash;
mod signing;
mod spv;
mod tx;

pub use error::PegkitError;
pub use federation::JsFederation;
pub use header::{block_hash, decode_block, decode_header, encode_header};
pub use pegout::{build_peg_out, check_peg_out, decode_peg_out_logs, parse_address_js};
pub use schnorr::{schnorr_public_key, schnorr_sign, schnorr_verify};
pub use sighash::{
    sighash_legacy, sighash_segwit_v0, sighash_taproot, sighashes_taproot, tap_leaf_hash_js,
};
pub use signing::{
    JsSignatureCollector, check_witnesses_js, decode_partial_signatures, encode_partial_signatures,
    sign_inputs_js,
};
pub use spv::{
    JsHeaderChain, build_tx_out_proof, merkle_proof, merkle_root_js, verify_merkle_proof,
    verify_peg_in_js, verify_tx_out_proof,
};
pub use tx::{decode_transaction, encode_transaction, txid, wtxid};
