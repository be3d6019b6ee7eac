//! Signature hashes: legacy (Bitcoin Core's `SignatureHash`, quirks included), BIP143 (segwit v0)
//! and BIP341 (taproot key path and script path), with the per-transaction hashes computed once and
//! shared by every input.

use crate::ErrorCode;
use crate::encode::{Encode, Sink, var_bytes_len, write_compact_size, write_var_bytes};
use crate::hash::{HashEngine, Sighash, TapLeafHash, finalize_many, sha256};
use crate::script::{OP_CODESEPARATOR, get_op};
use crate::tx::{Transaction, TxOut};
use alloc::vec::Vec;
use core::fmt;

/// `SIGHASH_ALL`.
pub const SIGHASH_ALL: u32 = 0x01;
/// `SIGHASH_NONE`.
pub const SIGHASH_NONE: u32 = 0x02;
/// `SIGHASH_SINGLE`.
pub const SIGHASH_SINGLE: u32 = 0x03;
/// `SIGHASH_ANYONECANPAY`.
pub const SIGHASH_ANYONECANPAY: u32 = 0x80;
/// BIP341 `SIGHASH_DEFAULT` (taproot only: ALL, with a 64-byte signature).
pub const SIGHASH_DEFAULT: u8 = 0x00;
/// The tapscript leaf version (BIP342).
pub const TAPSCRIPT_LEAF_VERSION: u8 = 0xc0;

/// Why a signature hash cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SighashError {
    /// The input index is not an input of the transaction.
    InputIndexOutOfRange {
        /// The index.
        index: usize,
        /// Inputs in the transaction.
        inputs: usize,
    },
    /// Taproot needs every input's spent output: the count differs.
    PrevoutsMismatch {
        /// Prevouts given.
        prevouts: usize,
        /// Inputs in the transaction.
        inputs: usize,
    },
    /// A taproot sighash type other than 0x00-0x03, 0x81-0x83.
    InvalidSighashType {
        /// The type.
        sighash_type: u32,
    },
    /// Taproot `SIGHASH_SINGLE` for an input with no output at its index.
    SingleWithoutOutput {
        /// The input index.
        index: usize,
    },
    /// An annex must start with 0x50.
    InvalidAnnex,
}

impl fmt::Display for SighashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InputIndexOutOfRange { index, inputs } => {
                write!(
                    f,
                    "input {index} does not exist: the transaction has {inputs}"
                )
            }
            Self::PrevoutsMismatch { prevouts, inputs } => {
                write!(f, "{prevouts} spent outputs given for {inputs} inputs")
            }
            Self::InvalidSighashType { sighash_type } => {
                write!(
                    f,
                    "sighash type 0x{sighash_type:02x} is not valid for taproot"
                )
            }
            Self::SingleWithoutOutput { index } => {
                write!(
                    f,
                    "SIGHASH_SINGLE for input {index}, which has no output at its index"
                )
            }
            Self::InvalidAnnex => f.write_str("an annex must start with 0x50"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SighashError {}

impl ErrorCode for SighashError {
    fn code(&self) -> &'static str {
        match self {
            Self::InputIndexOutOfRange { .. } => "input_index_out_of_range",
            Self::PrevoutsMismatch { .. } => "prevouts_mismatch",
            Self::InvalidSighashType { .. } => "invalid_sighash_type",
            Self::SingleWithoutOutput { .. } => "sighash_single_out_of_range",
            Self::InvalidAnnex => "invalid_annex",
        }
    }
}

/// Where a taproot script-path signature sits: the leaf and the last executed
/// `OP_CODESEPARATOR` (`0xffffffff` for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptPath {
    /// The leaf's hash (BIP341 `TapLeaf`).
    pub leaf_hash: TapLeafHash,
    /// Opcode position of the last executed `OP_CODESEPARATOR`, or `0xffffffff`.
    pub codesep_pos: u32,
}

/// A transaction's signature hashes. The hashes over all prevouts, sequences and outputs (and,
/// given the spent outputs, their amounts and scripts) are computed once, when the cache is built.
#[derive(Debug, Clone)]
pub struct SighashCache<'a> {
    tx: &'a Transaction,
    sha_prevouts: [u8; 32],
    sha_sequences: [u8; 32],
    sha_outputs: [u8; 32],
    taproot: Option<TaprootCache<'a>>,
}

/// What BIP341 sighashes add, given the spent outputs: their hashes, and the hash states every
/// input's message starts from.
#[derive(Debug, Clone)]
struct TaprootCache<'a> {
    prevouts: &'a [TxOut],
    sha_amounts: [u8; 32],
    sha_script_pubkeys: [u8; 32],
    /// `TapSighash`'s tag prefix absorbed.
    tagged: HashEngine,
    /// `tagged` plus the part of a `SIGHASH_DEFAULT` message that is the same for every input.
    default_common: HashEngine,
}

fn sha_of(f: impl FnOnce(&mut HashEngine)) -> [u8; 32] {
    let mut e = HashEngine::new();
    f(&mut e);
    e.finalize()
}

/// Every input's outpoint (the BIP143/BIP341 `hashPrevouts` preimage), into `sink`.
fn write_prevouts<S: Sink + ?Sized>(tx: &Transaction, sink: &mut S) {
    for i in &tx.inputs {
        sink.put(i.previous_output.txid.as_byte_array());
        sink.put(&i.previous_output.vout.to_le_bytes());
    }
}

/// Every input's sequence (the `hashSequence` preimage), into `sink`.
fn write_sequences<S: Sink + ?Sized>(tx: &Transaction, sink: &mut S) {
    tx.inputs
        .iter()
        .for_each(|i| sink.put(&i.sequence.to_le_bytes()));
}

/// Every output (the `hashOutputs` preimage), into `sink`.
fn write_outputs<S: Sink + ?Sized>(tx: &Transaction, sink: &mut S) {
    for o in &tx.outputs {
        o.encode_to(sink);
    }
}

/// What `write` writes, in a vector of `capacity` bytes.
fn bytes_of(capacity: usize, write: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut v = Vec::with_capacity(capacity);
    write(&mut v);
    v
}

impl<'a> SighashCache<'a> {
    /// The cache for `tx` (legacy and segwit v0 sighashes).
    pub fn new(tx: &'a Transaction) -> Self {
        Self {
            tx,
            taproot: None,
            sha_prevouts: sha_of(|e| write_prevouts(tx, e)),
            sha_sequences: sha_of(|e| write_sequences(tx, e)),
            sha_outputs: sha_of(|e| write_outputs(tx, e)),
        }
    }

    /// The cache for `tx` spending `prevouts` (one per input, in order): all three kinds.
    ///
    /// # Errors
    /// [`SighashError::PrevoutsMismatch`] when the counts differ.
    #[inline(never)]
    pub fn with_prevouts(tx: &'a Transaction, prevouts: &'a [TxOut]) -> Result<Self, SighashError> {
        Self::build(tx, prevouts, None).map(|(cache, _)| cache)
    }

    /// [`with_prevouts`](Self::with_prevouts) and [`tap_leaf_hash`]`(leaf_version, script)`,
    /// hashed together: on wasm32 with `simd128` the leaf is one more message in the SIMD lanes
    /// of the transaction-wide hashes instead of being hashed after them (a 10-of-15 leaf is 9
    /// blocks).
    ///
    /// # Errors
    /// [`SighashError::PrevoutsMismatch`] when the counts differ.
    pub fn with_prevouts_and_leaf(
        tx: &'a Transaction,
        prevouts: &'a [TxOut],
        leaf_version: u8,
        script: &[u8],
    ) -> Result<(Self, TapLeafHash), SighashError> {
        let (cache, leaf) = Self::build(tx, prevouts, Some((leaf_version, script)))?;
        Ok((cache, TapLeafHash::from_byte_array(leaf)))
    }

    /// The cache, and the leaf's hash when a leaf is given (zeros otherwise).
    fn build(
        tx: &'a Transaction,
        prevouts: &'a [TxOut],
        leaf: Option<(u8, &[u8])>,
    ) -> Result<(Self, [u8; 32]), SighashError> {
        if prevouts.len() != tx.inputs.len() {
            return Err(SighashError::PrevoutsMismatch {
                prevouts: prevouts.len(),
                inputs: tx.inputs.len(),
            });
        }
        let mut amounts = Vec::with_capacity(prevouts.len().saturating_mul(8));
        let mut script_pubkeys = Vec::with_capacity(prevouts.iter().fold(0usize, |n, p| {
            n.saturating_add(var_bytes_len(p.script_pubkey.len()))
        }));
        for p in prevouts {
            amounts.put(&p.value.to_le_bytes());
            write_var_bytes(&mut script_pubkeys, &p.script_pubkey);
        }
        // The five transaction-wide hashes, and the leaf's when one is given, side by side (SIMD
        // lanes in wasm; each lane takes the next message when its own ends).
        let empty = HashEngine::new();
        let inputs = tx.inputs.len();
        let outputs_size = tx.outputs.iter().fold(0usize, |n, o| {
            n.saturating_add(8)
                .saturating_add(var_bytes_len(o.script_pubkey.len()))
        });
        let outputs_bytes = bytes_of(outputs_size, |v| write_outputs(tx, v));
        let prevouts_bytes = bytes_of(inputs.saturating_mul(36), |v| write_prevouts(tx, v));
        let sequences = bytes_of(inputs.saturating_mul(4), |v| write_sequences(tx, v));
        let leaf_engine = leaf.map(|(version, script)| tap_leaf_engine(version, script.len()));
        let mut hashes = [[0u8; 32]; 6];
        // The usually longest first (outputs, prevouts and scripts grow with the transaction), so
        // that the short ones, then the leaf, follow one another in the lane that frees first.
        let jobs = [
            (&empty, outputs_bytes.as_slice()),
            (&empty, &prevouts_bytes),
            (&empty, &script_pubkeys),
            (&empty, &amounts),
            (&empty, &sequences),
            match (&leaf_engine, leaf) {
                (Some(engine), Some((_, script))) => (engine, script),
                _ => (&empty, &[]),
            },
        ];
        let count = if leaf.is_some() { 6 } else { 5 };
        finalize_many(jobs.get(..count).unwrap_or(&jobs), &mut hashes);
        let [
            sha_outputs,
            sha_prevouts,
            sha_script_pubkeys,
            sha_amounts,
            sha_sequences,
            leaf_hash,
        ] = hashes;
        let tagged = HashEngine::tagged(b"TapSighash");
        let mut cache = Self {
            tx,
            sha_prevouts,
            sha_sequences,
            sha_outputs,
            taproot: Some(TaprootCache {
                prevouts,
                sha_amounts,
                sha_script_pubkeys,
                default_common: tagged.clone(),
                tagged,
            }),
        };
        if let Some(mut taproot) = cache.taproot.take() {
            let mut common = taproot.tagged.clone();
            cache.taproot_common(&mut common, &taproot, SIGHASH_DEFAULT);
            taproot.default_common = common;
            cache.taproot = Some(taproot);
        }
        Ok((cache, leaf_hash))
    }

    /// The start of a BIP341 message that does not depend on the input: epoch, type, version,
    /// lock time, and the transaction-wide hashes the type commits to.
    fn taproot_common(&self, e: &mut HashEngine, taproot: &TaprootCache<'_>, sighash_type: u8) {
        e.put(&[0x00, sighash_type]);
        e.put(&self.tx.version.to_le_bytes());
        e.put(&self.tx.lock_time.to_le_bytes());
        if sighash_type & 0x80 == 0 {
            e.put(&self.sha_prevouts);
            e.put(&taproot.sha_amounts);
            e.put(&taproot.sha_script_pubkeys);
            e.put(&self.sha_sequences);
        }
        if sighash_type == SIGHASH_DEFAULT || sighash_type & 3 == 1 {
            e.put(&self.sha_outputs);
        }
    }

    fn input(&self, index: usize) -> Result<&'a crate::tx::TxIn, SighashError> {
        self.tx
            .inputs
            .get(index)
            .ok_or(SighashError::InputIndexOutOfRange {
                index,
                inputs: self.tx.inputs.len(),
            })
    }

    /// Bitcoin Core's legacy `SignatureHash` (pre-segwit scripts): `script_code` with its
    /// `OP_CODESEPARATOR`s removed (Core's `SerializeScriptCode`, malformed pushes included), and
    /// the `SIGHASH_SINGLE` quirk — an input with no output at its index signs the number 1.
    ///
    /// # Errors
    /// [`SighashError::InputIndexOutOfRange`] (Core asserts).
    pub fn legacy(
        &self,
        index: usize,
        script_code: &[u8],
        sighash_type: u32,
    ) -> Result<Sighash, SighashError> {
        self.input(index)?;
        let base = sighash_type & 0x1f;
        let anyone_can_pay = sighash_type & SIGHASH_ANYONECANPAY != 0;
        let single = base == SIGHASH_SINGLE;
        let none = base == SIGHASH_NONE;
        if single && index >= self.tx.outputs.len() {
            let mut one = [0u8; 32];
            one[0] = 1;
            return Ok(Sighash::from_byte_array(one));
        }
        let tx = self.tx;
        let mut e = HashEngine::new();
        e.put(&tx.version.to_le_bytes());
        let inputs: &[crate::tx::TxIn] = if anyone_can_pay {
            tx.inputs.get(index..=index).unwrap_or(&[])
        } else {
            &tx.inputs
        };
        write_compact_size(&mut e, inputs.len() as u64);
        for (pos, input) in inputs.iter().enumerate() {
            let this = anyone_can_pay || pos == index;
            e.put(input.previous_output.txid.as_byte_array());
            e.put(&input.previous_output.vout.to_le_bytes());
            if this {
                serialize_script_code(&mut e, script_code);
            } else {
                e.put(&[0]);
            }
            let sequence = if !this && (single || none) {
                0
            } else {
                input.sequence
            };
            e.put(&sequence.to_le_bytes());
        }
        let n_outputs = if none {
            0
        } else if single {
            index.saturating_add(1)
        } else {
            tx.outputs.len()
        };
        write_compact_size(&mut e, n_outputs as u64);
        for (pos, output) in tx.outputs.iter().take(n_outputs).enumerate() {
            if single && pos != index {
                // CTxOut(): value -1, empty script.
                e.put(&(-1i64).to_le_bytes());
                e.put(&[0]);
            } else {
                output.encode_to(&mut e);
            }
        }
        e.put(&tx.lock_time.to_le_bytes());
        e.put(&sighash_type.to_le_bytes());
        Ok(Sighash::from_byte_array(e.finalize_double()))
    }

    /// BIP143: the segwit v0 signature hash of input `index`, which spends `amount` satoshis.
    /// `script_code` is without its length prefix (for P2WSH the witness script, for P2WPKH the
    /// P2PKH script of the key hash).
    ///
    /// # Errors
    /// [`SighashError::InputIndexOutOfRange`].
    pub fn segwit_v0(
        &self,
        index: usize,
        script_code: &[u8],
        amount: i64,
        sighash_type: u32,
    ) -> Result<Sighash, SighashError> {
        let input = self.input(index)?;
        let base = sighash_type & 0x1f;
        let anyone_can_pay = sighash_type & SIGHASH_ANYONECANPAY != 0;
        let zero = [0u8; 32];
        let hash_prevouts = if anyone_can_pay {
            zero
        } else {
            sha256(&self.sha_prevouts)
        };
        let hash_sequence = if anyone_can_pay || base == SIGHASH_SINGLE || base == SIGHASH_NONE {
            zero
        } else {
            sha256(&self.sha_sequences)
        };
        let hash_outputs = if base != SIGHASH_SINGLE && base != SIGHASH_NONE {
            sha256(&self.sha_outputs)
        } else if base == SIGHASH_SINGLE {
            match self.tx.outputs.get(index) {
                Some(o) => {
                    let mut e = HashEngine::new();
                    o.encode_to(&mut e);
                    e.finalize_double()
                }
                None => zero,
            }
        } else {
            zero
        };
        let mut e = HashEngine::new();
        e.put(&self.tx.version.to_le_bytes());
        e.put(&hash_prevouts);
        e.put(&hash_sequence);
        e.put(input.previous_output.txid.as_byte_array());
        e.put(&input.previous_output.vout.to_le_bytes());
        write_var_bytes(&mut e, script_code);
        e.put(&amount.to_le_bytes());
        e.put(&input.sequence.to_le_bytes());
        e.put(&hash_outputs);
        e.put(&self.tx.lock_time.to_le_bytes());
        e.put(&sighash_type.to_le_bytes());
        Ok(Sighash::from_byte_array(e.finalize_double()))
    }

    /// BIP341: the taproot signature hash of input `index` — key path when `script_path` is
    /// `None`, script path (BIP342, extension flag 1) otherwise. `annex` includes its 0x50 prefix.
    /// The cache must have been built [`with_prevouts`](Self::with_prevouts).
    ///
    /// # Errors
    /// [`SighashError::InvalidSighashType`], [`SighashError::InputIndexOutOfRange`],
    /// [`SighashError::PrevoutsMismatch`] (no prevouts), [`SighashError::SingleWithoutOutput`],
    /// [`SighashError::InvalidAnnex`].
    pub fn taproot(
        &self,
        index: usize,
        sighash_type: u8,
        annex: Option<&[u8]>,
        script_path: Option<ScriptPath>,
    ) -> Result<Sighash, SighashError> {
        let start = self.taproot_start(sighash_type)?;
        let mut tail = Vec::with_capacity(TAPROOT_TAIL_CAPACITY);
        self.taproot_tail(&mut tail, index, sighash_type, annex, script_path)?;
        let mut e = start.into_owned();
        e.update(&tail);
        Ok(Sighash::from_byte_array(e.finalize()))
    }

    /// [`Self::taproot`] of every input, in input order, with the same type, annex and script
    /// path (four messages at a time in SIMD lanes in wasm).
    ///
    /// # Errors
    /// [`SighashError::InvalidSighashType`] and [`SighashError::PrevoutsMismatch`] (no prevouts)
    /// whatever the inputs, even none; then as [`Self::taproot`], for the first input that has
    /// an error.
    pub fn taproot_all(
        &self,
        sighash_type: u8,
        annex: Option<&[u8]>,
        script_path: Option<ScriptPath>,
    ) -> Result<Vec<Sighash>, SighashError> {
        let start_engine = self.taproot_start(sighash_type)?;
        // Every input's tail, one after the other in one buffer.
        let inputs = self.tx.inputs.len();
        let mut tails = Vec::with_capacity(inputs.saturating_mul(TAPROOT_TAIL_CAPACITY));
        let mut ends = Vec::with_capacity(inputs);
        for index in 0..inputs {
            self.taproot_tail(&mut tails, index, sighash_type, annex, script_path)?;
            ends.push(tails.len());
        }
        let mut start = 0;
        let jobs: Vec<(&HashEngine, &[u8])> = ends
            .iter()
            .map(|&end| {
                let tail = tails.get(start..end).unwrap_or_default();
                start = end;
                (&*start_engine, tail)
            })
            .collect();
        let mut hashes = alloc::vec![[0u8; 32]; jobs.len()];
        finalize_many(&jobs, &mut hashes);
        Ok(hashes.into_iter().map(Sighash::from_byte_array).collect())
    }

    /// The hash state every BIP341 message of `sighash_type` starts from: the tag and the
    /// input-independent fields (see [`Self::taproot_common`]).
    fn taproot_start(
        &self,
        sighash_type: u8,
    ) -> Result<alloc::borrow::Cow<'_, HashEngine>, SighashError> {
        if !matches!(sighash_type, 0x00..=0x03 | 0x81..=0x83) {
            return Err(SighashError::InvalidSighashType {
                sighash_type: u32::from(sighash_type),
            });
        }
        let taproot = self
            .taproot
            .as_ref()
            .ok_or(SighashError::PrevoutsMismatch {
                prevouts: 0,
                inputs: self.tx.inputs.len(),
            })?;
        Ok(if sighash_type == SIGHASH_DEFAULT {
            alloc::borrow::Cow::Borrowed(&taproot.default_common)
        } else {
            let mut e = taproot.tagged.clone();
            self.taproot_common(&mut e, taproot, sighash_type);
            alloc::borrow::Cow::Owned(e)
        })
    }

    /// The input-dependent rest of input `index`'s BIP341 message, appended to `out`: spend type,
    /// the input (or its index), annex hash, output hash (`SIGHASH_SINGLE`), script path.
    fn taproot_tail(
        &self,
        out: &mut Vec<u8>,
        index: usize,
        sighash_type: u8,
        annex: Option<&[u8]>,
        script_path: Option<ScriptPath>,
    ) -> Result<(), SighashError> {
        let prevouts = self.taproot.as_ref().map_or(&[][..], |t| t.prevouts);
        let input = self.input(index)?;
        let output_type = if sighash_type == SIGHASH_DEFAULT {
            1
        } else {
            sighash_type & 3
        };
        let anyone_can_pay = sighash_type & 0x80 != 0;
        if annex.is_some_and(|a| a.first() != Some(&0x50)) {
            return Err(SighashError::InvalidAnnex);
        }
        let ext_flag: u8 = if script_path.is_some() { 1 } else { 0 };
        out.put(&[(ext_flag << 1) | u8::from(annex.is_some())]);
        if anyone_can_pay {
            let spent = prevouts.get(index).ok_or(SighashError::PrevoutsMismatch {
                prevouts: prevouts.len(),
                inputs: self.tx.inputs.len(),
            })?;
            out.put(input.previous_output.txid.as_byte_array());
            out.put(&input.previous_output.vout.to_le_bytes());
            out.put(&spent.value.to_le_bytes());
            write_var_bytes(out, &spent.script_pubkey);
            out.put(&input.sequence.to_le_bytes());
        } else {
            out.put(&u32::try_from(index).unwrap_or(u32::MAX).to_le_bytes());
        }
        if let Some(a) = annex {
            out.put(&sha_of(|h| write_var_bytes(h, a)));
        }
        if output_type == 3 {
            let o = self
                .tx
                .outputs
                .get(index)
                .ok_or(SighashError::SingleWithoutOutput { index })?;
            out.put(&sha_of(|h| o.encode_to(h)));
        }
        if let Some(sp) = script_path {
            out.put(sp.leaf_hash.as_byte_array());
            out.put(&[0x00]);
            out.put(&sp.codesep_pos.to_le_bytes());
        }
        Ok(())
    }
}

/// Room for the longest input-dependent part of a BIP341 message without an annex or
/// `SIGHASH_ANYONECANPAY` (1 + 4 + 32 + 32 + 1 + 4 bytes), rounded up.
const TAPROOT_TAIL_CAPACITY: usize = 80;

/// Core's `CTransactionSignatureSerializer::SerializeScriptCode`: the length prefix counts the
/// script minus its `OP_CODESEPARATOR`s; the bytes written skip them, and (as Core) stop where a
/// malformed push ends the parse.
fn serialize_script_code<S: Sink + ?Sized>(sink: &mut S, script: &[u8]) {
    let mut pos = 0;
    let mut separators = 0u64;
    while let Some((op, _)) = get_op(script, &mut pos) {
        if op == OP_CODESEPARATOR {
            separators = separators.saturating_add(1);
        }
    }
    write_compact_size(sink, (script.len() as u64).saturating_sub(separators));
    let mut pos = 0;
    let mut begin = 0;
    while let Some((op, _)) = get_op(script, &mut pos) {
        if op == OP_CODESEPARATOR {
            sink.put(script.get(begin..pos.saturating_sub(1)).unwrap_or(&[]));
            begin = pos;
        }
    }
    if begin != script.len() {
        sink.put(script.get(begin..pos.min(script.len())).unwrap_or(&[]));
    }
}

/// The BIP341 leaf hash: `TapLeaf(leaf_version || compact_size(len) || script)`.
pub fn tap_leaf_hash(leaf_version: u8, script: &[u8]) -> TapLeafHash {
    let mut e = tap_leaf_engine(leaf_version, script.len());
    e.update(script);
    TapLeafHash::from_byte_array(e.finalize())
}

/// The `TapLeaf` hash engine after `leaf_version || compact_size(script_len)`.
fn tap_leaf_engine(leaf_version: u8, script_len: usize) -> HashEngine {
    let mut e = HashEngine::tagged(b"TapLeaf");
    e.put(&[leaf_version]);
    write_compact_size(&mut e, script_len as u64);
    e
}
