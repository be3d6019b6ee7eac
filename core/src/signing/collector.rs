//! Gathering the members' partial signatures and finalizing the witnesses.

use super::{
    PartialSignatures, SIGHASH_ALL_BYTE, SpendError, Template, spend_template, template_sighash,
};
use crate::ErrorCode;
use crate::ecdsa;
use crate::federation::{Federation, LeafRole};
use crate::hash::Sighash;
use crate::schnorr::{self, BatchItem, XOnlyPublicKey};
use crate::sighash::{SIGHASH_ALL, SIGHASH_DEFAULT, SighashCache, SighashError};
use crate::tx::{Transaction, TxOut, Witness};
use alloc::vec::Vec;
use core::fmt;

/// Why a partial signature set was refused, or the witnesses cannot be finalized.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CollectError {
    /// The transaction is not a spend of the federation through the leaf.
    Spend(SpendError),
    /// A sighash could not be computed.
    Sighash(SighashError),
    /// The key is not one of the leaf's keys.
    NotAMember,
    /// Not exactly one signature per input.
    WrongSignatureCount {
        /// Inputs.
        expected: usize,
        /// Signatures given.
        got: usize,
    },
    /// A signature of a length no accepted encoding has.
    InvalidSignatureLength {
        /// The input.
        input: usize,
        /// Its length in bytes.
        length: usize,
    },
    /// A sighash type other than `SIGHASH_DEFAULT`/`SIGHASH_ALL` (taproot) or `SIGHASH_ALL`
    /// (P2WSH).
    InvalidSighashType {
        /// The input.
        input: usize,
        /// The sighash byte.
        sighash_type: u8,
    },
    /// An ECDSA signature that is not strict DER (BIP66).
    InvalidDer {
        /// The input.
        input: usize,
    },
    /// A signature that does not verify (for another transaction, leaf or key; or high S).
    InvalidSignature {
        /// The input.
        input: usize,
    },
    /// The member already gave different signatures.
    ConflictingSignature {
        /// The first input whose signature differs.
        input: usize,
    },
    /// Fewer members signed than the threshold.
    ThresholdNotMet {
        /// Members who signed.
        have: usize,
        /// The threshold.
        need: usize,
    },
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spend(e) => e.fmt(f),
            Self::Sighash(e) => e.fmt(f),
            Self::NotAMember => f.write_str("the key is not one of the leaf's keys"),
            Self::WrongSignatureCount { expected, got } => {
                write!(f, "{got} signatures given; one per input is {expected}")
            }
            Self::InvalidSignatureLength { input, length } => {
                write!(f, "the signature for input {input} has {length} bytes")
            }
            Self::InvalidSighashType {
                input,
                sighash_type,
            } => write!(
                f,
                "the signature for input {input} has sighash type 0x{sighash_type:02x}; federation \
                 signatures must commit to the whole transaction"
            ),
            Self::InvalidDer { input } => {
                write!(
                    f,
                    "the signature for input {input} is not strict DER (BIP66)"
                )
            }
            Self::InvalidSignature { input } => write!(
                f,
                "the signature for input {input} does not verify for this transaction, leaf and key"
            ),
            Self::ConflictingSignature { input } => write!(
                f,
                "the member already gave a different signature for input {input}"
            ),
            Self::ThresholdNotMet { have, need } => {
                write!(f, "{have} members signed; the threshold is {need}")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CollectError {}

impl ErrorCode for CollectError {
    fn code(&self) -> &'static str {
        match self {
            Self::Spend(e) => e.code(),
            Self::Sighash(e) => e.code(),
            Self::NotAMember => "not_a_member",
            Self::WrongSignatureCount { .. } => "wrong_signature_count",
            Self::InvalidSignatureLength { .. } => "invalid_length",
            Self::InvalidSighashType { .. } => "invalid_sighash_type",
            Self::InvalidDer { .. } => "invalid_der",
            Self::InvalidSignature { .. } => "invalid_signature",
            Self::ConflictingSignature { .. } => "conflicting_signature",
            Self::ThresholdNotMet { .. } => "threshold_not_met",
        }
    }
}

/// What [`SignatureCollector::add`] did with a valid partial signature set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// A member's first signatures.
    New,
    /// The same signatures as the member gave before (nothing changed).
    AlreadyHad,
}

/// A signature in a form ready to verify.
enum Parsed {
    Schnorr {
        sig: schnorr::Signature,
        /// Sighash `SIGHASH_ALL` (65 bytes) rather than `SIGHASH_DEFAULT`.
        all: bool,
    },
    Ecdsa(ecdsa::Signature),
}

/// Collects the members' [`PartialSignatures`] for one transaction and leaf, checks each set as
/// it arrives, and finalizes the witnesses once `threshold` members have signed.
///
/// Checks on every set: the key is one of the leaf's, one signature per input, each signature's
/// encoding and sighash type, and every signature valid (BIP340 sets are batch-verified, see
/// [`schnorr::verify_batch`]); a member who already signed may send the same signatures again,
/// never different ones. When more than `threshold` members have signed, the first `threshold` in
/// key order sign the transaction.
#[derive(Debug, Clone)]
pub struct SignatureCollector {
    federation: Federation,
    leaf: LeafRole,
    tx: Transaction,
    /// Per input: the sighash of `SIGHASH_DEFAULT` (taproot) or `SIGHASH_ALL` (P2WSH).
    sighashes: Vec<Sighash>,
    /// Per input, taproot only: the sighash of `SIGHASH_ALL`.
    sighashes_all: Vec<Sighash>,
    /// Per key of the leaf, in key order: the member's signatures, once given.
    signed: Vec<Option<Vec<Vec<u8>>>>,
    batch: bool,
}

impl SignatureCollector {
    /// A collector for `tx` spending the federation's outputs `prevouts` (in input order) through
    /// `leaf`. Signatures are batch-verified unless [`set_batch_verification`] turns it off.
    ///
    /// [`set_batch_verification`]: Self::set_batch_verification
    ///
    /// # Errors
    /// [`CollectError::Spend`] if the transaction is not such a spend.
    pub fn new(
        federation: &Federation,
        tx: &Transaction,
        prevouts: &[TxOut],
        leaf: LeafRole,
    ) -> Result<Self, CollectError> {
        let template =
            spend_template(federation, tx, prevouts, leaf).map_err(CollectError::Spend)?;
        let cache = SighashCache::with_prevouts(tx, prevouts).map_err(CollectError::Sighash)?;
        let mut sighashes = Vec::with_capacity(prevouts.len());
        let mut sighashes_all = Vec::new();
        for (index, prevout) in prevouts.iter().enumerate() {
            let (first, all) = match template {
                Template::Tap(_) => (SIGHASH_DEFAULT, true),
                Template::Wsh { .. } => (SIGHASH_ALL_BYTE, false),
            };
            sighashes.push(
                template_sighash(&cache, &template, index, prevout.value, first)
                    .map_err(CollectError::Sighash)?,
            );
            if all {
                sighashes_all.push(
                    template_sighash(&cache, &template, index, prevout.value, SIGHASH_ALL_BYTE)
                        .map_err(CollectError::Sighash)?,
                );
            }
        }
        let members = template.key_count();
        Ok(Self {
            federation: federation.clone(),
            leaf,
            tx: tx.clone(),
            sighashes,
            sighashes_all,
            signed: alloc::vec![None; members],
            batch: true,
        })
    }

    /// Batch verification of BIP340 signature sets (on by default) or one by one. The result is
    /// the same; only the speed differs.
    pub fn set_batch_verification(&mut self, on: bool) {
        self.batch = on;
    }

    /// Whether BIP340 sets are batch-verified.
    pub fn batch_verification(&self) -> bool {
        self.batch
    }

    /// The leaf the spend goes through.
    pub fn leaf(&self) -> LeafRole {
        self.leaf
    }

    /// The unsigned transaction.
    pub fn transaction(&self) -> &Transaction {
        &self.tx
    }

    fn template(&self) -> Template<'_> {
        match (
            self.federation.witness_script(),
            self.federation.leaf(self.leaf),
        ) {
            (Some(script), _) => Template::Wsh {
                script,
                keys: self.federation.p2wsh_keys(),
                threshold: self.federation.threshold(),
            },
            // `new` checked the leaf exists.
            (None, Some(leaf)) => Template::Tap(leaf),
            (None, None) => Template::Wsh {
                script: &[],
                keys: &[],
                threshold: usize::MAX,
            },
        }
    }

    /// The structural checks: member, count, encodings, sighash types.
    fn parse(&self, partial: &PartialSignatures) -> Result<(usize, Vec<Parsed>), CollectError> {
        let template = self.template();
        let position = template
            .position(&partial.public_key)
            .ok_or(CollectError::NotAMember)?;
        let inputs = self.sighashes.len();
        if partial.signatures.len() != inputs {
            return Err(CollectError::WrongSignatureCount {
                expected: inputs,
                got: partial.signatures.len(),
            });
        }
        let mut parsed = Vec::with_capacity(inputs);
        for (input, bytes) in partial.signatures.iter().enumerate() {
            parsed.push(match template {
                Template::Tap(_) => parse_schnorr(input, bytes)?,
                Template::Wsh { .. } => parse_ecdsa(input, bytes)?,
            });
        }
        Ok((position, parsed))
    }

    /// Whether every signature verifies; `Err` names the first input that does not.
    fn verify(&self, position: usize, parsed: &[Parsed]) -> Result<(), CollectError> {
        match self.template() {
            Template::Tap(leaf) => {
                let key = leaf.keys().get(position).ok_or(CollectError::NotAMember)?;
                if self.batch {
                    let items = self.batch_items(key, parsed);
                    if schnorr::verify_batch(&items).is_ok() {
                        return Ok(());
                    }
                }
                for (input, p) in parsed.iter().enumerate() {
                    let ok = match p {
                        Parsed::Schnorr { sig, all } => {
                            let msg = self.sighash(input, *all);
                            key.verify(msg.as_byte_array(), sig).is_ok()
                        }
                        Parsed::Ecdsa(_) => false,
                    };
                    if !ok {
                        return Err(CollectError::InvalidSignature { input });
                    }
                }
                Ok(())
            }
            Template::Wsh { keys, .. } => {
                let key = keys.get(position).ok_or(CollectError::NotAMember)?;
                for (input, p) in parsed.iter().enumerate() {
                    let ok = match p {
                        Parsed::Ecdsa(sig) => {
                            let msg = self.sighash(input, false);
                            key.verify(msg.as_byte_array(), sig).is_ok()
                        }
                        Parsed::Schnorr { .. } => false,
                    };
                    if !ok {
                        return Err(CollectError::InvalidSignature { input });
                    }
                }
                Ok(())
            }
        }
    }

    fn sighash(&self, input: usize, all: bool) -> Sighash {
        let list = if all {
            &self.sighashes_all
        } else {
            &self.sighashes
        };
        list.get(input).copied().unwrap_or_default()
    }

    fn batch_items<'s>(
        &'s self,
        key: &'s XOnlyPublicKey,
        parsed: &'s [Parsed],
    ) -> Vec<BatchItem<'s>> {
        parsed
            .iter()
            .enumerate()
            .filter_map(|(input, p)| match p {
                Parsed::Schnorr { sig, all } => {
                    let list = if *all {
                        &self.sighashes_all
                    } else {
                        &self.sighashes
                    };
                    list.get(input).map(|msg| BatchItem {
                        key,
                        message: msg.as_byte_array(),
                        signature: sig,
                    })
                }
                Parsed::Ecdsa(_) => None,
            })
            .collect()
    }

    /// Checks and stores one member's signatures.
    ///
    /// # Errors
    /// [`CollectError`] naming the problem: not a member, wrong count, a bad encoding or sighash
    /// type, an invalid signature (with its input), or signatures that differ from the ones the
    /// member gave before. A refused set changes nothing.
    pub fn add(&mut self, partial: &PartialSignatures) -> Result<Added, CollectError> {
        let (position, parsed) = self.parse(partial)?;
        if let Some(existing) = self.existing(position, partial)? {
            return Ok(existing);
        }
        self.verify(position, &parsed)?;
        if let Some(slot) = self.signed.get_mut(position) {
            *slot = Some(partial.signatures.clone());
        }
        Ok(Added::New)
    }

    /// `Some(AlreadyHad)` if the member gave these same signatures before, an error if different
    /// ones, `None` if the member has not signed.
    fn existing(
        &self,
        position: usize,
        partial: &PartialSignatures,
    ) -> Result<Option<Added>, CollectError> {
        match self.signed.get(position) {
            Some(Some(before)) => {
                match before
                    .iter()
                    .zip(&partial.signatures)
                    .position(|(a, b)| a != b)
                {
                    None => Ok(Some(Added::AlreadyHad)),
                    Some(input) => Err(CollectError::ConflictingSignature { input }),
                }
            }
            _ => Ok(None),
        }
    }

    /// Adds several members' sets, verifying all their BIP340 signatures in one batch; the result
    /// for each set is what [`add`](Self::add) in the same order would give.
    pub fn add_all(&mut self, partials: &[PartialSignatures]) -> Vec<Result<Added, CollectError>> {
        if self.batch && matches!(self.template(), Template::Tap(_)) {
            // One batch over every new member's first set in this call; if it holds, those sets
            // need no further verification.
            let mut seen = alloc::vec![false; self.signed.len()];
            let mut fresh: Vec<(usize, usize, Vec<Parsed>)> = Vec::new();
            for (i, partial) in partials.iter().enumerate() {
                if let Ok((position, parsed)) = self.parse(partial) {
                    let new = matches!(self.signed.get(position), Some(None));
                    if new && seen.get(position) == Some(&false) {
                        if let Some(s) = seen.get_mut(position) {
                            *s = true;
                        }
                        fresh.push((i, position, parsed));
                    }
                }
            }
            let mut items = Vec::new();
            if let Template::Tap(leaf) = self.template() {
                for (_, position, parsed) in &fresh {
                    if let Some(key) = leaf.keys().get(*position) {
                        items.extend(self.batch_items(key, parsed));
                    }
                }
            }
            if !fresh.is_empty() && schnorr::verify_batch(&items).is_ok() {
                let verified: Vec<usize> = fresh.iter().map(|f| f.0).collect();
                drop(items);
                return partials
                    .iter()
                    .enumerate()
                    .map(|(i, partial)| {
                        if verified.contains(&i) {
                            let position =
                                fresh.iter().find(|f| f.0 == i).map_or(usize::MAX, |f| f.1);
                            if let Some(slot) = self.signed.get_mut(position) {
                                *slot = Some(partial.signatures.clone());
                            }
                            Ok(Added::New)
                        } else {
                            self.add(partial)
                        }
                    })
                    .collect();
            }
        }
        partials.iter().map(|p| self.add(p)).collect()
    }

    /// Members who have signed, as their keys (x-only for taproot, compressed for P2WSH), in key
    /// order.
    pub fn signers(&self) -> Vec<Vec<u8>> {
        let template = self.template();
        self.signed
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_some())
            .map(|(i, _)| template.key_bytes(i))
            .collect()
    }

    /// Members who have signed.
    pub fn signature_count(&self) -> usize {
        self.signed.iter().filter(|s| s.is_some()).count()
    }

    /// Signatures each input needs.
    pub fn threshold(&self) -> usize {
        self.template().threshold()
    }

    /// Whether `threshold` members have signed.
    pub fn is_complete(&self) -> bool {
        self.signature_count() >= self.threshold()
    }

    /// The transaction with every input's witness: for a taproot leaf one item per key in
    /// reverse key order (the signature of each of the first `threshold` signers in key order,
    /// empty for the other keys), then the leaf script and its control block; for P2WSH an empty
    /// item, those signers' signatures in key order, then the witness script. Also returns the
    /// signers used, in key order.
    ///
    /// # Errors
    /// [`CollectError::ThresholdNotMet`] with fewer than `threshold` signers.
    pub fn finalize(&self) -> Result<(Transaction, Vec<Vec<u8>>), CollectError> {
        let need = self.threshold();
        let have = self.signature_count();
        if have < need {
            return Err(CollectError::ThresholdNotMet { have, need });
        }
        let chosen: Vec<usize> = self
            .signed
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_some())
            .map(|(i, _)| i)
            .take(need)
            .collect();
        let template = self.template();
        let mut tx = self.tx.clone();
        for (input, txin) in tx.inputs.iter_mut().enumerate() {
            let sig = |position: usize| -> Vec<u8> {
                self.signed
                    .get(position)
                    .and_then(Option::as_ref)
                    .and_then(|sigs| sigs.get(input))
                    .cloned()
                    .unwrap_or_default()
            };
            let mut items = Vec::with_capacity(template.key_count().saturating_add(2));
            match template {
                Template::Tap(leaf) => {
                    for position in (0..leaf.keys().len()).rev() {
                        items.push(if chosen.contains(&position) {
                            sig(position)
                        } else {
                            Vec::new()
                        });
                    }
                    items.push(leaf.script().to_vec());
                    items.push(leaf.control_block().to_vec());
                }
                Template::Wsh { script, .. } => {
                    items.push(Vec::new());
                    items.extend(chosen.iter().map(|&p| sig(p)));
                    items.push(script.to_vec());
                }
            }
            txin.witness = Witness(items);
        }
        let signers = chosen.iter().map(|&p| template.key_bytes(p)).collect();
        Ok((tx, signers))
    }
}

fn parse_schnorr(input: usize, bytes: &[u8]) -> Result<Parsed, CollectError> {
    match bytes.len() {
        64 => schnorr::Signature::from_slice(bytes)
            .map(|sig| Parsed::Schnorr { sig, all: false })
            .map_err(|_| CollectError::InvalidSignatureLength { input, length: 64 }),
        65 => {
            let (body, ty) = bytes.split_at(64);
            match ty {
                [0x01] => schnorr::Signature::from_slice(body)
                    .map(|sig| Parsed::Schnorr { sig, all: true })
                    .map_err(|_| CollectError::InvalidSignatureLength { input, length: 65 }),
                &[sighash_type] => Err(CollectError::InvalidSighashType {
                    input,
                    sighash_type,
                }),
                _ => Err(CollectError::InvalidSignatureLength { input, length: 65 }),
            }
        }
        length => Err(CollectError::InvalidSignatureLength { input, length }),
    }
}

fn parse_ecdsa(input: usize, bytes: &[u8]) -> Result<Parsed, CollectError> {
    let Some((&sighash_type, der)) = bytes.split_last() else {
        return Err(CollectError::InvalidSignatureLength { input, length: 0 });
    };
    if u32::from(sighash_type) != SIGHASH_ALL {
        return Err(CollectError::InvalidSighashType {
            input,
            sighash_type,
        });
    }
    ecdsa::Signature::from_der(der)
        .map(Parsed::Ecdsa)
        .map_err(|e| match e {
            ecdsa::EcdsaError::NotStrictDer => CollectError::InvalidDer { input },
            _ => CollectError::InvalidSignature { input },
        })
}
