//! The federation's output for JavaScript: the `Federation` class (taproot k-of-n with an optional
//! recovery leaf, or P2WSH `sortedmulti`).

use crate::args::{bytes, bytes_list, int_of, opt_prop, prop};
use crate::error::{from_core, invalid_argument};
use crate::objects;
use crate::spv::network;
use js_sys::Array;
use pegkit_core::federation::{Federation, FederationKind, FederationSpec, LeafRole, RecoverySpec};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_FEDERATION: &str = r#"
/** `taproot`: a k-of-n tapscript leaf (`sortedmulti_a`), signed with BIP340; `p2wsh`:
 *  `sortedmulti`, signed with ECDSA. */
export type FederationKind = 'taproot' | 'p2wsh';

/** A taproot federation's leaves: `main` (k of the members) and the optional delayed
 *  `recovery`. P2WSH federations have only `main`. */
export type LeafRole = 'main' | 'recovery';

/** What `new Federation` takes. */
export interface FederationOptions {
  /** The Bitcoin network of the address and of the addresses a peg-out pays. */
  network: Network;
  /** Signatures a spend through the main leaf (or the P2WSH script) needs:
   *  1..=publicKeys.length. */
  threshold: number;
  /** The members' keys, any order (the script sorts them). Taproot: 32-byte x-only or 33-byte
   *  compressed (the parity is dropped). P2WSH: 33-byte compressed only. */
  publicKeys: Bytes[];
  /** Taproot only: a second leaf that `threshold` of its `publicKeys` can spend once the output
   *  is `afterBlocks` (1..=65535) blocks old (BIP68/112 relative lock by height). */
  recovery?: { afterBlocks: number; threshold: number; publicKeys: Bytes[] };
  /** Default `'taproot'`. */
  kind?: FederationKind;
  /** Taproot only: the 32-byte x-only internal key. Default: BIP341's unspendable H, so the
   *  output has no key path. */
  internalKey?: Bytes;
}

/** One leaf of a taproot federation's script tree, with what a spend through it needs. */
export interface FederationLeaf {
  /** Which leaf: `main` or `recovery`. */
  role: LeafRole;
  /** Signatures a spend through this leaf carries: exactly this many. */
  threshold: number;
  /** The leaf's x-only keys in script order (sorted by their bytes). */
  publicKeys: Uint8Array[];
  /** The recovery delay in blocks (recovery leaf only). */
  afterBlocks?: number;
  /** The tapscript. */
  script: Uint8Array;
  /** `TaggedHash("TapLeaf", 0xc0 || script)`. */
  leafHash: Uint8Array;
  /** The control block proving the leaf is in the output key. */
  controlBlock: Uint8Array;
  /** Weight units of one input's witness through this leaf with `threshold` signatures. */
  satisfactionWeight: number;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `FederationOptions`, for the constructor's parameter.
    #[wasm_bindgen(typescript_type = "FederationOptions")]
    #[derive(Debug, Clone)]
    pub type FederationOptionsArg;
}

/// `main` or `recovery` (`undefined`/`null` = `main`).
pub(crate) fn leaf_role(value: Option<&JsValue>) -> Result<LeafRole, JsValue> {
    match value.map(JsValue::as_string) {
        None => Ok(LeafRole::Main),
        Some(Some(s)) if s == "main" => Ok(LeafRole::Main),
        Some(Some(s)) if s == "recovery" => Ok(LeafRole::Recovery),
        Some(_) => Err(invalid_argument("leaf", "'main' or 'recovery'")),
    }
}

fn threshold_of(obj: &JsValue, name: &str) -> Result<usize, JsValue> {
    int_of(&prop(obj, "threshold")?, name, 0, i64::from(u32::MAX)).map(|n| n as usize)
}

/// A federation's output script and everything derived from it: address, descriptor, the
/// taproot leaves with their control blocks, witness sizes. Immutable; pass it to `signInputs`,
/// `SignatureCollector` and `checkWitnesses`.
#[wasm_bindgen(js_name = Federation)]
#[derive(Debug)]
pub struct JsFederation {
    pub(crate) inner: Federation,
}

#[wasm_bindgen(js_class = Federation)]
impl JsFederation {
    /// A taproot federation (`tr(H or internalKey, sortedmulti_a(k, keys))`, with the recovery
    /// leaf `and_v(v:multi_a(m, keys), older(blocks))` beside it) or a P2WSH one
    /// (`wsh(sortedmulti(k, keys))`).
    ///
    /// @throws {PegkitError} `no_keys`, `invalid_threshold`, `too_many_keys` (999 taproot, 20
    /// P2WSH), `duplicate_key`, `invalid_timelock` (afterBlocks outside 1..=65535),
    /// `taproot_only` (recovery or internalKey for P2WSH), `invalid_key` (not on the curve, a
    /// bad prefix, or an x-only key for P2WSH), `invalid_length`, `invalid_argument`
    #[wasm_bindgen(constructor)]
    pub fn new(options: FederationOptionsArg) -> Result<JsFederation, JsValue> {
        let options: JsValue = options.into();
        let name = prop(&options, "network")?
            .as_string()
            .ok_or_else(|| invalid_argument("network", "a network name"))?;
        let kind = match opt_prop(&options, "kind")?.map(|k| k.as_string()) {
            None => FederationKind::Taproot,
            Some(Some(k)) if k == "taproot" => FederationKind::Taproot,
            Some(Some(k)) if k == "p2wsh" => FederationKind::P2wsh,
            Some(_) => return Err(invalid_argument("kind", "'taproot' or 'p2wsh'")),
        };
        let recovery = match opt_prop(&options, "recovery")? {
            None => None,
            Some(r) if r.is_object() => Some(RecoverySpec {
                // Any safe integer: the range check (1..=65535) is core's `invalid_timelock`.
                after_blocks: int_of(
                    &prop(&r, "afterBlocks")?,
                    "recovery.afterBlocks",
                    i64::MIN,
                    i64::MAX,
                )?,
                threshold: threshold_of(&r, "recovery.threshold")?,
                public_keys: bytes_list(&prop(&r, "publicKeys")?, "recovery.publicKeys")?,
            }),
            Some(_) => {
                return Err(invalid_argument(
                    "recovery",
                    "an object { afterBlocks, threshold, publicKeys }",
                ));
            }
        };
        let spec = FederationSpec {
            network: network(&name)?,
            kind,
            threshold: threshold_of(&options, "threshold")?,
            public_keys: bytes_list(&prop(&options, "publicKeys")?, "publicKeys")?,
            recovery,
            internal_key: opt_prop(&options, "internalKey")?
                .map(|k| bytes(&k, "internalKey"))
                .transpose()?,
        };
        let inner = Federation::from_spec(&spec).map_err(|e| from_core(&e))?;
        Ok(Self { inner })
    }

    /// The network of the address.
    #[wasm_bindgen(getter, unchecked_return_type = "Network")]
    pub fn network(&self) -> String {
        self.inner.network().name().to_string()
    }

    /// `taproot` or `p2wsh`.
    #[wasm_bindgen(getter, unchecked_return_type = "FederationKind")]
    pub fn kind(&self) -> String {
        if self.inner.is_taproot() {
            "taproot"
        } else {
            "p2wsh"
        }
        .to_string()
    }

    /// Signatures a spend through the main leaf (or the P2WSH script) needs.
    #[wasm_bindgen(getter)]
    pub fn threshold(&self) -> u32 {
        u32::try_from(self.inner.threshold()).unwrap_or(u32::MAX)
    }

    /// The members' keys in script order: x-only for taproot (the main leaf's), compressed for
    /// P2WSH.
    #[wasm_bindgen(getter, js_name = publicKeys, unchecked_return_type = "Uint8Array[]")]
    pub fn public_keys(&self) -> Array {
        match self.inner.leaf(LeafRole::Main) {
            Some(leaf) => {
                let keys: Vec<[u8; 32]> = leaf.keys().iter().map(|k| k.to_bytes()).collect();
                objects::bytes_array(&keys)
            }
            None => {
                let keys: Vec<[u8; 33]> = self
                    .inner
                    .p2wsh_keys()
                    .iter()
                    .map(|k| k.to_bytes())
                    .collect();
                objects::bytes_array(&keys)
            }
        }
    }

    /// The address funds are sent to (bech32m for taproot, bech32 for P2WSH).
    #[wasm_bindgen(getter)]
    pub fn address(&self) -> String {
        self.inner.address().to_string()
    }

    /// The output script funds are sent to.
    #[wasm_bindgen(getter, js_name = scriptPubKey)]
    pub fn script_pubkey(&self) -> Vec<u8> {
        self.inner.script_pubkey().to_vec()
    }

    /// The output descriptor with its BIP380 checksum, as Bitcoin Core's `importdescriptors`
    /// takes it.
    #[wasm_bindgen(getter)]
    pub fn descriptor(&self) -> String {
        self.inner.descriptor().to_string()
    }

    /// Weight units of the witness that spends one input through the main leaf (or the P2WSH
    /// script) with exactly `threshold` signatures (ECDSA counted at 72 bytes).
    #[wasm_bindgen(getter, js_name = satisfactionWeight)]
    pub fn satisfaction_weight(&self) -> u32 {
        u32::try_from(self.inner.satisfaction_weight()).unwrap_or(u32::MAX)
    }

    /// The taproot internal key (x-only); `undefined` for P2WSH.
    #[wasm_bindgen(getter, js_name = internalKey)]
    pub fn internal_key(&self) -> Option<Vec<u8>> {
        self.inner.internal_key().map(|k| k.to_bytes().to_vec())
    }

    /// The taproot output key (x-only, the witness program); `undefined` for P2WSH.
    #[wasm_bindgen(getter, js_name = outputKey)]
    pub fn output_key(&self) -> Option<Vec<u8>> {
        self.inner.output_key().map(|k| k.key.to_bytes().to_vec())
    }

    /// The taproot leaves, main first (empty for P2WSH).
    #[wasm_bindgen(getter, unchecked_return_type = "FederationLeaf[]")]
    pub fn leaves(&self) -> Array {
        self.inner
            .leaves()
            .iter()
            .map(|leaf| {
                let keys: Vec<[u8; 32]> = leaf.keys().iter().map(|k| k.to_bytes()).collect();
                objects::tap_leaf(
                    leaf.role().name(),
                    u32::try_from(leaf.threshold()).unwrap_or(u32::MAX),
                    objects::bytes_array(&keys),
                    leaf.after_blocks(),
                    leaf.script(),
                    &leaf.leaf_hash().to_byte_array(),
                    leaf.control_block(),
                    u32::try_from(leaf.satisfaction_weight()).unwrap_or(u32::MAX),
                )
            })
            .collect()
    }

    /// The P2WSH witness script; `undefined` for taproot.
    #[wasm_bindgen(getter, js_name = witnessScript)]
    pub fn witness_script(&self) -> Option<Vec<u8>> {
        self.inner.witness_script().map(<[u8]>::to_vec)
    }
}
