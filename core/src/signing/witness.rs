//! The pre-broadcast check: a finished transaction's witnesses satisfy the federation's templates.

use super::{SIGHASH_ALL_BYTE, SpendError, Template, spend_template, template_sighash};
use crate::ErrorCode;
use crate::ecdsa;
use crate::federation::{Federation, LeafRole};
use crate::schnorr;
use crate::sighash::{SIGHASH_ALL, SIGHASH_DEFAULT, SighashCache, SighashError};
use crate::tx::{Transaction, TxOut};
use alloc::vec::Vec;
use core::fmt;

/// Why a finished transaction's witness does not satisfy the federation's template.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WitnessError {
    /// The transaction is not a spend of the federation (or not through this leaf).
    Spend(SpendError),
    /// A sighash could not be computed.
    Sighash(SighashError),
    /// A taproot witness with an annex (the federation never makes one).
    UnexpectedAnnex {
        /// The input.
        input: usize,
    },
    /// The witness's script is none of the federation's leaves (or not its witness script).
    UnknownScript {
        /// The input.
        input: usize,
    },
    /// The control block is not the one that commits to the leaf.
    WrongControlBlock {
        /// The input.
        input: usize,
    },
    /// The witness has the wrong number of items for its script.
    WrongWitnessSize {
        /// The input.
        input: usize,
        /// Items the template has.
        expected: usize,
        /// Items given.
        got: usize,
    },
    /// The P2WSH dummy item is not empty (BIP147 `NULLDUMMY`).
    NonNullDummy {
        /// The input.
        input: usize,
    },
    /// Not exactly `threshold` signatures.
    WrongSignatureCount {
        /// The input.
        input: usize,
        /// The threshold.
        expected: usize,
        /// Signatures present.
        got: usize,
    },
    /// A signature of a length no accepted encoding has.
    InvalidSignatureLength {
        /// The input.
        input: usize,
        /// Its length.
        length: usize,
    },
    /// A sighash type the federation does not use.
    InvalidSighashType {
        /// The input.
        input: usize,
        /// The sighash byte.
        sighash_type: u8,
    },
    /// An ECDSA signature that is not strict DER.
    InvalidDer {
        /// The input.
        input: usize,
    },
    /// A signature that does not verify against the key in its position.
    InvalidSignature {
        /// The input.
        input: usize,
    },
}

impl fmt::Display for WitnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spend(e) => e.fmt(f),
            Self::Sighash(e) => e.fmt(f),
            Self::UnexpectedAnnex { input } => write!(f, "input {input}'s witness has an annex"),
            Self::UnknownScript { input } => write!(
                f,
                "input {input}'s witness script is not one of the federation's"
            ),
            Self::WrongControlBlock { input } => {
                write!(
                    f,
                    "input {input}'s control block does not commit to its leaf"
                )
            }
            Self::WrongWitnessSize {
                input,
                expected,
                got,
            } => write!(
                f,
                "input {input}'s witness has {got} items; its script needs {expected}"
            ),
            Self::NonNullDummy { input } => {
                write!(f, "input {input}'s CHECKMULTISIG dummy item is not empty")
            }
            Self::WrongSignatureCount {
                input,
                expected,
                got,
            } => write!(
                f,
                "input {input}'s witness has {got} signatures; exactly {expected} are needed"
            ),
            Self::InvalidSignatureLength { input, length } => {
                write!(f, "input {input}'s witness has a {length}-byte signature")
            }
            Self::InvalidSighashType {
                input,
                sighash_type,
            } => write!(
                f,
                "input {input}'s witness has a signature with sighash type 0x{sighash_type:02x}"
            ),
            Self::InvalidDer { input } => {
                write!(
                    f,
                    "input {input}'s witness has a signature that is not strict DER"
                )
            }
            Self::InvalidSignature { input } => write!(
                f,
                "input {input}'s witness has a signature that does not verify against the key in \
                 its position"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for WitnessError {}

impl ErrorCode for WitnessError {
    fn code(&self) -> &'static str {
        match self {
            Self::Spend(e) => e.code(),
            Self::Sighash(e) => e.code(),
            Self::UnexpectedAnnex { .. } => "unexpected_annex",
            Self::UnknownScript { .. } => "unknown_script",
            Self::WrongControlBlock { .. } => "wrong_control_block",
            Self::WrongWitnessSize { .. } => "wrong_witness_size",
            Self::NonNullDummy { .. } => "non_null_dummy",
            Self::WrongSignatureCount { .. } => "wrong_signature_count",
            Self::InvalidSignatureLength { .. } => "invalid_length",
            Self::InvalidSighashType { .. } => "invalid_sighash_type",
            Self::InvalidDer { .. } => "invalid_der",
            Self::InvalidSignature { .. } => "invalid_signature",
        }
    }
}

/// Checks, without any oracle, that every input of a finished transaction spends a federation
/// output with a witness of the federation's template: for taproot the leaf script (main or
/// recovery) with its exact control block, one item per key in reverse key order, exactly
/// `threshold` of them non-empty, each a valid BIP340 signature by the key in its position
/// (`SIGHASH_DEFAULT`, or `SIGHASH_ALL` with 65 bytes), no annex, and for the recovery leaf a
/// sequence that satisfies its relative lock; for P2WSH an empty dummy, exactly `threshold`
/// low-S strict-DER `SIGHASH_ALL` signatures matched to the keys in order as `OP_CHECKMULTISIG`
/// does, then the witness script.
///
/// This is what Bitcoin Core would accept for these scripts, narrowed to the sighash types the
/// federation signs with.
///
/// # Errors
/// The first [`WitnessError`] found, naming the input.
pub fn check_witnesses(
    federation: &Federation,
    tx: &Transaction,
    prevouts: &[TxOut],
) -> Result<(), WitnessError> {
    // Each input may use either leaf: check the structure per input below, the rest here.
    spend_template(federation, tx, prevouts, LeafRole::Main).map_err(WitnessError::Spend)?;
    let cache = SighashCache::with_prevouts(tx, prevouts).map_err(WitnessError::Sighash)?;
    for (input, (txin, prevout)) in tx.inputs.iter().zip(prevouts).enumerate() {
        let items = txin.witness.items();
        if federation.is_taproot() {
            if items.len() >= 2 && items.last().and_then(|a| a.first()) == Some(&0x50) {
                return Err(WitnessError::UnexpectedAnnex { input });
            }
            let (script, control) = match items {
                [.., script, control] => (script, control),
                _ => return Err(WitnessError::UnknownScript { input }),
            };
            let leaf = federation
                .leaves()
                .iter()
                .find(|l| l.script() == script.as_slice())
                .ok_or(WitnessError::UnknownScript { input })?;
            if leaf.control_block() != control.as_slice() {
                return Err(WitnessError::WrongControlBlock { input });
            }
            if leaf.role() == LeafRole::Recovery {
                // The relative lock of this input (the other inputs may use the main leaf).
                let single = Transaction {
                    version: tx.version,
                    inputs: alloc::vec![txin.clone()],
                    outputs: Vec::new(),
                    lock_time: tx.lock_time,
                };
                spend_template(
                    federation,
                    &single,
                    core::slice::from_ref(prevout),
                    leaf.role(),
                )
                .map_err(|e| match e {
                    SpendError::CsvNotSatisfied {
                        sequence,
                        version,
                        after_blocks,
                        ..
                    } => WitnessError::Spend(SpendError::CsvNotSatisfied {
                        input,
                        sequence,
                        version,
                        after_blocks,
                    }),
                    other => WitnessError::Spend(other),
                })?;
            }
            let n = leaf.keys().len();
            let expected = n.saturating_add(2);
            if items.len() != expected {
                return Err(WitnessError::WrongWitnessSize {
                    input,
                    expected,
                    got: items.len(),
                });
            }
            let template = Template::Tap(leaf);
            let mut count = 0usize;
            for (position, key) in leaf.keys().iter().enumerate() {
                // Keys in script order; items in reverse: key i's item is at n-1-i.
                let Some(item) = n
                    .checked_sub(position.saturating_add(1))
                    .and_then(|j| items.get(j))
                else {
                    return Err(WitnessError::WrongWitnessSize {
                        input,
                        expected,
                        got: items.len(),
                    });
                };
                if item.is_empty() {
                    continue;
                }
                let (sig, ty) = match item.len() {
                    64 => (item.as_slice(), SIGHASH_DEFAULT),
                    65 => match item.split_at(64) {
                        (body, [0x01]) => (body, SIGHASH_ALL_BYTE),
                        (_, [t]) => {
                            return Err(WitnessError::InvalidSighashType {
                                input,
                                sighash_type: *t,
                            });
                        }
                        _ => {
                            return Err(WitnessError::InvalidSignatureLength { input, length: 65 });
                        }
                    },
                    length => return Err(WitnessError::InvalidSignatureLength { input, length }),
                };
                let sig = schnorr::Signature::from_slice(sig).map_err(|_| {
                    WitnessError::InvalidSignatureLength {
                        input,
                        length: item.len(),
                    }
                })?;
                let msg = template_sighash(&cache, &template, input, prevout.value, ty)
                    .map_err(WitnessError::Sighash)?;
                key.verify(msg.as_byte_array(), &sig)
                    .map_err(|_| WitnessError::InvalidSignature { input })?;
                count = count.saturating_add(1);
            }
            if count != leaf.threshold() {
                return Err(WitnessError::WrongSignatureCount {
                    input,
                    expected: leaf.threshold(),
                    got: count,
                });
            }
        } else {
            let (Some(script), keys) = (federation.witness_script(), federation.p2wsh_keys())
            else {
                return Err(WitnessError::UnknownScript { input });
            };
            let k = federation.threshold();
            let expected = k.saturating_add(2);
            if items.last().map(Vec::as_slice) != Some(script) {
                return Err(WitnessError::UnknownScript { input });
            }
            if items.len() != expected {
                return Err(WitnessError::WrongWitnessSize {
                    input,
                    expected,
                    got: items.len(),
                });
            }
            let (dummy, rest) = items
                .split_first()
                .ok_or(WitnessError::UnknownScript { input })?;
            if !dummy.is_empty() {
                return Err(WitnessError::NonNullDummy { input });
            }
            let sigs = rest.get(..k).unwrap_or(&[]);
            let template = Template::Wsh {
                script,
                keys,
                threshold: k,
            };
            let msg = template_sighash(&cache, &template, input, prevout.value, SIGHASH_ALL_BYTE)
                .map_err(WitnessError::Sighash)?;
            // OP_CHECKMULTISIG: each signature, in order, against the remaining keys in order.
            let mut key_iter = keys.iter();
            for item in sigs {
                let Some((&ty, der)) = item.split_last() else {
                    return Err(WitnessError::WrongSignatureCount {
                        input,
                        expected: k,
                        got: sigs.iter().filter(|s| !s.is_empty()).count(),
                    });
                };
                if u32::from(ty) != SIGHASH_ALL {
                    return Err(WitnessError::InvalidSighashType {
                        input,
                        sighash_type: ty,
                    });
                }
                let sig = ecdsa::Signature::from_der(der).map_err(|e| match e {
                    ecdsa::EcdsaError::NotStrictDer => WitnessError::InvalidDer { input },
                    _ => WitnessError::InvalidSignature { input },
                })?;
                if !key_iter.any(|key| key.verify(msg.as_byte_array(), &sig).is_ok()) {
                    return Err(WitnessError::InvalidSignature { input });
                }
            }
        }
    }
    Ok(())
}
