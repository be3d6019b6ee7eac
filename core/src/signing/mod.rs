//! Threshold signing of federation spends: each member signs every input
//! ([`sign_inputs`]), a [`SignatureCollector`] gathers and checks the members' partial signatures
//! and finalizes the witnesses, and [`check_witnesses`] checks a finished transaction against the
//! federation's templates before it is broadcast.
//!
//! Federation signatures commit to the whole transaction: BIP340 with `SIGHASH_DEFAULT` (64
//! bytes) or `SIGHASH_ALL` (65 bytes ending 0x01) over the BIP341 script-path sighash of the leaf;
//! for P2WSH, low-S strict-DER ECDSA with `SIGHASH_ALL` over the BIP143 sighash. Other sighash
//! types are refused: they would let anyone change the outputs.

mod collector;
mod partial;
mod witness;

pub use collector::{Added, CollectError, SignatureCollector};
pub use partial::PartialSignatures;
pub use witness::{WitnessError, check_witnesses};

use crate::ErrorCode;
use crate::ecdsa::{self, PublicKey};
use crate::federation::{Federation, LeafRole, TapLeaf};
use crate::hash::Sighash;
use crate::schnorr::SecretKey;
use crate::sighash::{SIGHASH_DEFAULT, ScriptPath, SighashCache, SighashError};
use crate::tx::{Transaction, TxOut};
use alloc::vec::Vec;
use core::fmt;

/// `SIGHASH_ALL` as the byte after a signature.
pub(crate) const SIGHASH_ALL_BYTE: u8 = 0x01;

/// Why a transaction is not a spend of the federation through the chosen leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpendError {
    /// The transaction has no inputs.
    NoInputs,
    /// The spent outputs given do not match the inputs one to one.
    PrevoutsMismatch {
        /// Spent outputs given.
        prevouts: usize,
        /// Inputs.
        inputs: usize,
    },
    /// An input spends an output that does not pay the federation's script.
    ForeignInput {
        /// The input.
        input: usize,
    },
    /// An input has a non-empty `scriptSig` (a native segwit spend must not).
    ScriptSigNotEmpty {
        /// The input.
        input: usize,
    },
    /// The federation has no leaf with this role (no recovery leaf; P2WSH has only `main`).
    NoSuchLeaf {
        /// The role asked for.
        leaf: LeafRole,
    },
    /// The recovery leaf's `OP_CHECKSEQUENCEVERIFY` would fail: version below 2, or the input's
    /// sequence disables relative locks, is time-based, or is below the delay.
    CsvNotSatisfied {
        /// The input.
        input: usize,
        /// Its `nSequence`.
        sequence: u32,
        /// The transaction version.
        version: u32,
        /// The leaf's delay in blocks.
        after_blocks: u16,
    },
}

impl fmt::Display for SpendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoInputs => f.write_str("the transaction has no inputs"),
            Self::PrevoutsMismatch { prevouts, inputs } => {
                write!(f, "{prevouts} spent outputs given for {inputs} inputs")
            }
            Self::ForeignInput { input } => write!(
                f,
                "input {input} spends an output that does not pay the federation's script"
            ),
            Self::ScriptSigNotEmpty { input } => {
                write!(f, "input {input} has a non-empty scriptSig")
            }
            Self::NoSuchLeaf { leaf } => {
                write!(f, "the federation has no {} leaf", leaf.name())
            }
            Self::CsvNotSatisfied {
                input,
                sequence,
                version,
                after_blocks,
            } => write!(
                f,
                "input {input} cannot use the recovery leaf: it needs transaction version >= 2 \
                 (got {version}) and a block-based relative lock of at least {after_blocks} blocks \
                 (nSequence 0x{sequence:08x})"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SpendError {}

impl ErrorCode for SpendError {
    fn code(&self) -> &'static str {
        match self {
            Self::NoInputs => "no_inputs",
            Self::PrevoutsMismatch { .. } => "prevouts_mismatch",
            Self::ForeignInput { .. } => "foreign_input",
            Self::ScriptSigNotEmpty { .. } => "script_sig_not_empty",
            Self::NoSuchLeaf { .. } => "no_such_leaf",
            Self::CsvNotSatisfied { .. } => "csv_not_satisfied",
        }
    }
}

/// The script a spend executes: a taproot leaf or the P2WSH witness script.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Template<'a> {
    Tap(&'a TapLeaf),
    Wsh {
        script: &'a [u8],
        keys: &'a [PublicKey],
        threshold: usize,
    },
}

impl Template<'_> {
    fn key_count(&self) -> usize {
        match self {
            Self::Tap(leaf) => leaf.keys().len(),
            Self::Wsh { keys, .. } => keys.len(),
        }
    }

    fn threshold(&self) -> usize {
        match self {
            Self::Tap(leaf) => leaf.threshold(),
            Self::Wsh { threshold, .. } => *threshold,
        }
    }

    /// The member's position among the template's keys: taproot takes 32-byte x-only or 33-byte
    /// compressed keys (parity ignored), P2WSH only the exact 33-byte key.
    fn position(&self, key: &[u8]) -> Option<usize> {
        match self {
            Self::Tap(leaf) => leaf.position(key),
            Self::Wsh { keys, .. } => keys.iter().position(|k| k.to_bytes().as_slice() == key),
        }
    }

    /// The member's key bytes as outputs show them: x-only for taproot, compressed for P2WSH.
    fn key_bytes(&self, position: usize) -> Vec<u8> {
        match self {
            Self::Tap(leaf) => leaf
                .keys()
                .get(position)
                .map(|k| k.to_bytes().to_vec())
                .unwrap_or_default(),
            Self::Wsh { keys, .. } => keys
                .get(position)
                .map(|k| k.to_bytes().to_vec())
                .unwrap_or_default(),
        }
    }
}

/// Checks that `tx` spends only federation outputs through `leaf`, and returns the template.
pub(crate) fn spend_template<'f>(
    federation: &'f Federation,
    tx: &Transaction,
    prevouts: &[TxOut],
    leaf: LeafRole,
) -> Result<Template<'f>, SpendError> {
    if tx.inputs.is_empty() {
        return Err(SpendError::NoInputs);
    }
    if prevouts.len() != tx.inputs.len() {
        return Err(SpendError::PrevoutsMismatch {
            prevouts: prevouts.len(),
            inputs: tx.inputs.len(),
        });
    }
    let template = match (federation.witness_script(), leaf) {
        (Some(script), LeafRole::Main) => Template::Wsh {
            script,
            keys: federation.p2wsh_keys(),
            threshold: federation.threshold(),
        },
        (Some(_), LeafRole::Recovery) => return Err(SpendError::NoSuchLeaf { leaf }),
        (None, _) => Template::Tap(
            federation
                .leaf(leaf)
                .ok_or(SpendError::NoSuchLeaf { leaf })?,
        ),
    };
    for (input, (txin, prevout)) in tx.inputs.iter().zip(prevouts).enumerate() {
        if prevout.script_pubkey.as_slice() != federation.script_pubkey() {
            return Err(SpendError::ForeignInput { input });
        }
        if !txin.script_sig.is_empty() {
            return Err(SpendError::ScriptSigNotEmpty { input });
        }
        if let Template::Tap(tap) = template {
            if let Some(after_blocks) = tap.after_blocks() {
                if !csv_satisfied(tx.version, txin.sequence, after_blocks) {
                    return Err(SpendError::CsvNotSatisfied {
                        input,
                        sequence: txin.sequence,
                        version: tx.version,
                        after_blocks,
                    });
                }
            }
        }
    }
    Ok(template)
}

/// Whether `OP_CHECKSEQUENCEVERIFY` with a block-count argument of `after_blocks` passes for this
/// input (BIP112: version ≥ 2, the disable flag clear, the same lock type, enough blocks).
fn csv_satisfied(version: u32, sequence: u32, after_blocks: u16) -> bool {
    const DISABLE: u32 = 1 << 31;
    const TYPE_TIME: u32 = 1 << 22;
    // Core compares the version unsigned (`static_cast<uint32_t>(txTo->version) < 2` fails), so
    // 0xffffffff counts as at least 2.
    version >= 2
        && sequence & DISABLE == 0
        && sequence & TYPE_TIME == 0
        && (sequence & 0xffff) >= u32::from(after_blocks)
}

/// The sighash a signature of `sighash_type` on input `index` commits to.
pub(crate) fn template_sighash(
    cache: &SighashCache<'_>,
    template: &Template<'_>,
    index: usize,
    amount: i64,
    sighash_type: u8,
) -> Result<Sighash, SighashError> {
    match template {
        Template::Tap(leaf) => cache.taproot(
            index,
            sighash_type,
            None,
            Some(ScriptPath {
                leaf_hash: leaf.leaf_hash(),
                codesep_pos: u32::MAX,
            }),
        ),
        Template::Wsh { script, .. } => {
            cache.segwit_v0(index, script, amount, u32::from(sighash_type))
        }
    }
}

/// Why a member could not sign.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInputsError {
    /// The transaction is not a spend of the federation through the leaf.
    Spend(SpendError),
    /// The secret key's public key is not one of the leaf's keys.
    NotAMember,
    /// A sighash could not be computed.
    Sighash(SighashError),
    /// The signature scheme failed (probability about 2⁻²⁵⁶).
    SigningFailed,
}

impl fmt::Display for SignInputsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spend(e) => e.fmt(f),
            Self::NotAMember => f.write_str("the secret key is not one of the leaf's keys"),
            Self::Sighash(e) => e.fmt(f),
            Self::SigningFailed => f.write_str("signing failed"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SignInputsError {}

impl ErrorCode for SignInputsError {
    fn code(&self) -> &'static str {
        match self {
            Self::Spend(e) => e.code(),
            Self::NotAMember => "not_a_member",
            Self::Sighash(e) => e.code(),
            Self::SigningFailed => "signing_failed",
        }
    }
}

impl From<SpendError> for SignInputsError {
    fn from(e: SpendError) -> Self {
        Self::Spend(e)
    }
}

/// A member signs every input of `tx` (all spending the federation through `leaf`; `prevouts`
/// are the outputs they spend, in input order): BIP340 over each input's script-path sighash
/// (`SIGHASH_DEFAULT`, 64 bytes) with `aux_rand(input)` as auxiliary randomness, or for P2WSH
/// RFC 6979 ECDSA over the BIP143 sighash with `SIGHASH_ALL`.
///
/// # Errors
/// [`SignInputsError::Spend`] if the transaction is not such a spend (an input spending another
/// script, a non-empty scriptSig, the recovery leaf before its relative lock, …),
/// [`SignInputsError::NotAMember`] if the key is not one of the leaf's.
pub fn sign_inputs(
    federation: &Federation,
    tx: &Transaction,
    prevouts: &[TxOut],
    leaf: LeafRole,
    secret: &SecretKey,
    mut aux_rand: impl FnMut(usize) -> [u8; 32],
) -> Result<PartialSignatures, SignInputsError> {
    let template = spend_template(federation, tx, prevouts, leaf)?;
    let cache = SighashCache::with_prevouts(tx, prevouts).map_err(SignInputsError::Sighash)?;
    let mut signatures = Vec::with_capacity(tx.inputs.len());
    let public_key = match template {
        Template::Tap(_) => {
            let keypair = secret.keypair();
            let public = keypair.public_key().to_bytes();
            template
                .position(&public)
                .ok_or(SignInputsError::NotAMember)?;
            for (index, prevout) in prevouts.iter().enumerate() {
                let sighash =
                    template_sighash(&cache, &template, index, prevout.value, SIGHASH_DEFAULT)
                        .map_err(SignInputsError::Sighash)?;
                let sig = keypair
                    .sign(sighash.as_byte_array(), &aux_rand(index))
                    .map_err(|_| SignInputsError::SigningFailed)?;
                signatures.push(sig.to_bytes().to_vec());
            }
            public.to_vec()
        }
        Template::Wsh { .. } => {
            let public = PublicKey::from_secret_key(secret).to_bytes();
            template
                .position(&public)
                .ok_or(SignInputsError::NotAMember)?;
            for (index, prevout) in prevouts.iter().enumerate() {
                let sighash =
                    template_sighash(&cache, &template, index, prevout.value, SIGHASH_ALL_BYTE)
                        .map_err(SignInputsError::Sighash)?;
                let sig = ecdsa::Signature::sign(secret, sighash.as_byte_array())
                    .map_err(|_| SignInputsError::SigningFailed)?;
                let mut bytes = sig.to_der();
                bytes.push(SIGHASH_ALL_BYTE);
                signatures.push(bytes);
            }
            public.to_vec()
        }
    };
    Ok(PartialSignatures {
        public_key,
        signatures,
    })
}

#[cfg(test)]
mod tests {
    use super::csv_satisfied;

    #[test]
    fn csv_follows_bip112() {
        assert!(csv_satisfied(2, 144, 144));
        assert!(csv_satisfied(2, 145, 144));
        assert!(!csv_satisfied(2, 143, 144));
        assert!(!csv_satisfied(1, 144, 144));
        // Core compares the version unsigned: 0xffffffff is "at least 2".
        assert!(csv_satisfied(u32::MAX, 144, 144));
        // The disable flag, and a time-based lock, never satisfy a block-based delay.
        assert!(!csv_satisfied(2, (1 << 31) | 144, 144));
        assert!(!csv_satisfied(2, (1 << 22) | 144, 144));
        // Bits outside the mask and the flags are ignored.
        assert!(csv_satisfied(2, (1 << 16) | 144, 144));
        assert!(!csv_satisfied(2, (1 << 16) | 143, 144));
    }
}
