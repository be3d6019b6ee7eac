#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::cast_possible_truncation
    )
)]
#![warn(missing_docs)]

// k256 0.14 picks emulated 64-bit limbs on wasm32 unless `--cfg cpubits="32"` is set, which makes
// every signature 2.5-3.4x slower. The workspace's `.cargo/config.toml` sets it; a `RUSTFLAGS`
// environment variable replaces (not extends) those flags, so refuse to build without it.
#[cfg(all(target_arch = "wasm32", not(cpubits = "32")))]
compile_error!(
    "pegkit-core for wasm32 must be built with `--cfg cpubits=\"32\"` (set in .cargo/config.toml \
     [target.wasm32-unknown-unknown] rustflags; a RUSTFLAGS environment variable overrides it: \
     add `--cfg cpubits=\"32\"` to it)"
);

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod address;
pub mod block;
pub mod chain;
pub mod descriptor;
pub mod ecdsa;
pub mod encode;
pub mod federation;
mod generator;
pub mod hash;
pub mod header;
pub mod hex;
mod keymap;
pub mod merkle;
pub mod params;
pub mod pegin;
pub mod pegout;
pub mod pow;
mod quote;
pub mod schnorr;
pub mod script;
pub mod sighash;
pub mod signing;
pub mod taproot;
pub mod tx;

pub use block::Block;
pub use encode::{Decode, DecodeError, Encode};
pub use hash::{BlockHash, TxMerkleNode, Txid, Wtxid};
pub use header::{CompactTarget, Header};
pub use tx::{OutPoint, Transaction, TxIn, TxOut, Witness};

/// A stable, machine-readable name for an error: the `code` of the CLI's JSON errors and of the
/// JavaScript `PegkitError`. Codes are `snake_case` and never change meaning once released.
pub trait ErrorCode {
    /// The stable code of this error, e.g. `"truncated"`.
    fn code(&self) -> &'static str;
}
