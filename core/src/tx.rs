//! Transactions: legacy and segwit (BIP144) serialization, txid, wtxid, size and weight.

use crate::encode::{
    Decode, DecodeError, Encode, Field, Reader, Sink, compact_size_len, var_bytes_len,
    write_compact_size, write_var_bytes,
};
use crate::hash::{HashEngine, Txid, Wtxid};
use alloc::vec::Vec;

/// Smallest possible input: prevout (36) + empty scriptSig (1) + sequence (4).
const MIN_INPUT_LEN: usize = 41;
/// Smallest possible output: amount (8) + empty scriptPubKey (1).
const MIN_OUTPUT_LEN: usize = 9;
/// Smallest possible witness item: its empty length prefix.
const MIN_WITNESS_ITEM_LEN: usize = 1;

/// A reference to an output of a previous transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct OutPoint {
    /// The transaction that created the output.
    pub txid: Txid,
    /// The output's index in it.
    pub vout: u32,
}

/// The witness stack of one input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Witness(pub Vec<Vec<u8>>);

impl Witness {
    /// True when the stack has no items.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The stack items, bottom first.
    pub fn items(&self) -> &[Vec<u8>] {
        &self.0
    }

    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        write_compact_size(sink, self.0.len() as u64);
        for item in &self.0 {
            write_var_bytes(sink, item);
        }
    }

    fn encoded_len(&self) -> usize {
        self.0
            .iter()
            .fold(compact_size_len(self.0.len() as u64), |n, item| {
                n.saturating_add(var_bytes_len(item.len()))
            })
    }

    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.read_count(Field::WitnessItemCount, MIN_WITNESS_ITEM_LEN)?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(r.read_var_bytes(Field::WitnessItem)?.to_vec());
        }
        Ok(Self(items))
    }
}

/// A transaction input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TxIn {
    /// The output it spends.
    pub previous_output: OutPoint,
    /// `scriptSig` bytes.
    pub script_sig: Vec<u8>,
    /// `nSequence`.
    pub sequence: u32,
    /// Witness stack (empty for non-segwit inputs).
    pub witness: Witness,
}

impl TxIn {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        sink.put(self.previous_output.txid.as_byte_array());
        sink.put(&self.previous_output.vout.to_le_bytes());
        write_var_bytes(sink, &self.script_sig);
        sink.put(&self.sequence.to_le_bytes());
    }

    fn encoded_len(&self) -> usize {
        40usize.saturating_add(var_bytes_len(self.script_sig.len()))
    }

    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let txid = Txid::from_byte_array(r.read_array(Field::PrevoutTxid)?);
        let vout = r.read_u32(Field::PrevoutVout)?;
        let script_sig = r.read_var_bytes(Field::ScriptSig)?.to_vec();
        let sequence = r.read_u32(Field::Sequence)?;
        Ok(Self {
            previous_output: OutPoint { txid, vout },
            script_sig,
            sequence,
            witness: Witness::default(),
        })
    }
}

/// A transaction output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TxOut {
    /// Amount in satoshis, as the raw signed 64-bit consensus field. Decoding does not check it:
    /// consensus requires `0 ..= 21_000_000 * 100_000_000`, but a decoder only checks encoding.
    pub value: i64,
    /// `scriptPubKey` bytes.
    pub script_pubkey: Vec<u8>,
}

impl Encode for TxOut {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        sink.put(&self.value.to_le_bytes());
        write_var_bytes(sink, &self.script_pubkey);
    }

    fn encoded_len(&self) -> usize {
        8usize.saturating_add(var_bytes_len(self.script_pubkey.len()))
    }
}

impl Decode for TxOut {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let value = r.read_i64(Field::Amount)?;
        let script_pubkey = r.read_var_bytes(Field::ScriptPubKey)?.to_vec();
        Ok(Self {
            value,
            script_pubkey,
        })
    }
}

/// A Bitcoin transaction.
///
/// Serialization follows Bitcoin Core: the segwit form (marker `0x00`, flag `0x01`, witnesses
/// after the outputs) is written exactly when some input has a non-empty witness. A transaction
/// with no inputs but some outputs therefore has no unambiguous legacy encoding (its output
/// count would read as a segwit flag), as in Core.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transaction {
    /// `nVersion`, as the unsigned 32-bit field Bitcoin Core uses since v28.
    pub version: u32,
    /// Inputs.
    pub inputs: Vec<TxIn>,
    /// Outputs.
    pub outputs: Vec<TxOut>,
    /// `nLockTime`.
    pub lock_time: u32,
}

impl Transaction {
    /// True when some input has a non-empty witness (so it serializes in segwit form).
    pub fn has_witness(&self) -> bool {
        self.inputs.iter().any(|i| !i.witness.is_empty())
    }

    /// True for a transaction with no inputs but some outputs: its legacy serialization reads
    /// back as a segwit marker and flag (Bitcoin Core has the same ambiguity), so it cannot
    /// round-trip.
    pub fn has_ambiguous_encoding(&self) -> bool {
        self.inputs.is_empty() && !self.outputs.is_empty()
    }

    /// Writes the serialization without witness (the one the txid commits to).
    pub fn encode_without_witness<S: Sink + ?Sized>(&self, sink: &mut S) {
        sink.put(&self.version.to_le_bytes());
        self.encode_body(sink);
        sink.put(&self.lock_time.to_le_bytes());
    }

    fn encode_body<S: Sink + ?Sized>(&self, sink: &mut S) {
        write_compact_size(sink, self.inputs.len() as u64);
        for input in &self.inputs {
            input.encode_to(sink);
        }
        write_compact_size(sink, self.outputs.len() as u64);
        for output in &self.outputs {
            output.encode_to(sink);
        }
    }

    /// Size in bytes of the serialization without witness.
    pub fn base_size(&self) -> usize {
        let inputs = self
            .inputs
            .iter()
            .fold(compact_size_len(self.inputs.len() as u64), |n, i| {
                n.saturating_add(i.encoded_len())
            });
        let outputs = self
            .outputs
            .iter()
            .fold(compact_size_len(self.outputs.len() as u64), |n, o| {
                n.saturating_add(o.encoded_len())
            });
        8usize.saturating_add(inputs).saturating_add(outputs)
    }

    /// Size in bytes of the full serialization (with witness when there is one).
    pub fn total_size(&self) -> usize {
        if !self.has_witness() {
            return self.base_size();
        }
        let witnesses = self
            .inputs
            .iter()
            .fold(0usize, |n, i| n.saturating_add(i.witness.encoded_len()));
        self.base_size().saturating_add(2).saturating_add(witnesses)
    }

    /// Weight units (BIP141): base size × 3 + total size.
    pub fn weight(&self) -> usize {
        self.base_size()
            .saturating_mul(3)
            .saturating_add(self.total_size())
    }

    /// Virtual size: weight / 4, rounded up.
    pub fn vsize(&self) -> usize {
        self.weight().div_ceil(4)
    }

    /// The transaction id: double SHA-256 of the serialization **without** witness.
    pub fn txid(&self) -> Txid {
        let mut engine = HashEngine::new();
        self.encode_without_witness(&mut engine);
        Txid::from_byte_array(engine.finalize_double())
    }

    /// The witness transaction id: double SHA-256 of the full serialization (equal to the txid
    /// when there is no witness).
    pub fn wtxid(&self) -> Wtxid {
        let mut engine = HashEngine::new();
        self.encode_to(&mut engine);
        Wtxid::from_byte_array(engine.finalize_double())
    }
}

impl Encode for Transaction {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        if !self.has_witness() {
            return self.encode_without_witness(sink);
        }
        sink.put(&self.version.to_le_bytes());
        sink.put(&[0x00, 0x01]);
        self.encode_body(sink);
        for input in &self.inputs {
            input.witness.encode_to(sink);
        }
        sink.put(&self.lock_time.to_le_bytes());
    }

    fn encoded_len(&self) -> usize {
        self.total_size()
    }
}

fn decode_inputs(r: &mut Reader<'_>, n: usize) -> Result<Vec<TxIn>, DecodeError> {
    let mut inputs = Vec::with_capacity(n);
    for _ in 0..n {
        inputs.push(TxIn::decode_from(r)?);
    }
    Ok(inputs)
}

fn decode_outputs(r: &mut Reader<'_>) -> Result<Vec<TxOut>, DecodeError> {
    let n = r.read_count(Field::OutputCount, MIN_OUTPUT_LEN)?;
    let mut outputs = Vec::with_capacity(n);
    for _ in 0..n {
        outputs.push(TxOut::decode_from(r)?);
    }
    Ok(outputs)
}

impl Decode for Transaction {
    /// Decodes as Bitcoin Core's `UnserializeTransaction` with witness allowed: after an empty
    /// input list, a non-zero byte is the segwit flag (it must be 0x01); a zero byte is the
    /// empty output list of a transaction with neither inputs nor outputs.
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let version = r.read_u32(Field::TxVersion)?;
        let marker_offset = r.position();
        let mut n_inputs = r.read_count(Field::InputCount, MIN_INPUT_LEN)?;
        let mut segwit = false;
        let (mut inputs, outputs);
        if n_inputs == 0 {
            let flag_offset = r.position();
            match r.read_u8(Field::SegwitFlag)? {
                0x00 => {
                    inputs = Vec::new();
                    outputs = Vec::new();
                }
                0x01 => {
                    segwit = true;
                    n_inputs = r.read_count(Field::InputCount, MIN_INPUT_LEN)?;
                    inputs = decode_inputs(r, n_inputs)?;
                    outputs = decode_outputs(r)?;
                }
                flag => {
                    return Err(DecodeError::UnknownSegwitFlag {
                        offset: flag_offset,
                        flag,
                    });
                }
            }
        } else {
            inputs = decode_inputs(r, n_inputs)?;
            outputs = decode_outputs(r)?;
        }
        if segwit {
            for input in &mut inputs {
                input.witness = Witness::decode_from(r)?;
            }
            if inputs.iter().all(|i| i.witness.is_empty()) {
                return Err(DecodeError::SuperfluousWitness {
                    offset: marker_offset,
                });
            }
        }
        let lock_time = r.read_u32(Field::LockTime)?;
        Ok(Self {
            version,
            inputs,
            outputs,
            lock_time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;
    use alloc::string::ToString;

    // Mainnet tx f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16 (block 170).
    const TX_170: &str = "0100000001c997a5e56e104102fa209c6a852dd90660a20b2d9c352423edce25857fcd3704000000004847304402204e45e16932b8af514961a1d3a1a25fdf3f4f7732e9d624c6c61548ab5fb8cd410220181522ec8eca07de4860a4acdd12909d831cc56cbbac4622082221a8768d1d0901ffffffff0200ca9a3b00000000434104ae1a62fe09c5f51b13905f07f06b99a2f7159b2225f374cd378d71302fa28414e7aab37397f554a7df5f142c21c1b7303b8a0626f1baded5c72a704f7e6cd84cac00286bee0000000043410411db93e1dcdb8a016b49840f8c53bc1eb68a382e97b1482ecad7b148a6909a5cb2e0eaddfb84ccf9744464f82e160bfa9b8b64f9d4c03f999b8643f656b412a3ac00000000";

    fn dec(h: &str) -> Result<Transaction, DecodeError> {
        Transaction::decode(&hex::decode(h).unwrap())
    }

    #[test]
    fn legacy_round_trip_and_txid() {
        let tx = dec(TX_170).unwrap();
        assert_eq!(
            tx.txid().to_string(),
            "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"
        );
        assert_eq!(tx.wtxid().to_byte_array(), tx.txid().to_byte_array());
        assert_eq!(hex::encode(&tx.to_bytes()), TX_170);
        assert_eq!(tx.weight(), 4 * TX_170.len() / 2);
    }

    #[test]
    fn negative_cases_name_field_and_offset() {
        let raw = hex::decode(TX_170).unwrap();
        // Truncated inside the scriptSig (offset 42 is its first byte).
        assert!(matches!(
            Transaction::decode(&raw[..50]),
            Err(DecodeError::Truncated {
                field: Field::ScriptSig,
                offset: 42,
                needed: 72,
                available: 8
            })
        ));
        // Trailing byte.
        let mut long = raw.clone();
        long.push(0);
        assert_eq!(
            Transaction::decode(&long),
            Err(DecodeError::TrailingBytes {
                offset: raw.len(),
                count: 1
            })
        );
        // Non-canonical input count 0xfd 0x01 0x00.
        let mut nc = raw[..4].to_vec();
        nc.extend_from_slice(&[0xfd, 0x01, 0x00]);
        nc.extend_from_slice(&raw[5..]);
        assert!(matches!(
            Transaction::decode(&nc),
            Err(DecodeError::NonCanonicalCompactSize {
                field: Field::InputCount,
                offset: 4,
                value: 1
            })
        ));
        // Absurd input count.
        let mut absurd = raw[..4].to_vec();
        absurd.extend_from_slice(&[0xfe, 0xff, 0xff, 0xff, 0x00]);
        absurd.extend_from_slice(&raw[5..]);
        assert!(matches!(
            Transaction::decode(&absurd),
            Err(DecodeError::LengthTooLarge {
                field: Field::InputCount,
                offset: 4,
                ..
            })
        ));
        // Segwit marker with an unknown flag.
        assert_eq!(
            dec("0100000000020000000000"),
            Err(DecodeError::UnknownSegwitFlag { offset: 5, flag: 2 })
        );
    }

    #[test]
    fn superfluous_witness_is_rejected() {
        // Segwit serialization of a 1-in/0-out tx whose only witness is empty.
        let mut b = alloc::vec![1, 0, 0, 0, 0x00, 0x01, 0x01];
        b.extend_from_slice(&[0u8; 36]);
        b.extend_from_slice(&[0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0, 0, 0, 0]);
        assert_eq!(
            Transaction::decode(&b),
            Err(DecodeError::SuperfluousWitness { offset: 4 })
        );
        // The same with a one-item witness decodes and round-trips.
        let n = b.len();
        b[n - 5] = 0x01;
        b.insert(n - 4, 0x00);
        let tx = Transaction::decode(&b).unwrap();
        assert!(tx.has_witness());
        assert_eq!(tx.to_bytes(), b);
        assert_ne!(tx.wtxid().to_byte_array(), tx.txid().to_byte_array());
    }

    #[test]
    fn empty_transaction_round_trips() {
        let tx = dec("01000000000000000000").unwrap();
        assert!(tx.inputs.is_empty() && tx.outputs.is_empty());
        assert_eq!(hex::encode(&tx.to_bytes()), "01000000000000000000");
    }
}
