//! One member's signatures over every input of a transaction, and their wire encoding.

use crate::encode::compact_size_len;
use crate::encode::{
    Decode, DecodeError, Encode, Field, Reader, Sink, var_bytes_len, write_compact_size,
    write_var_bytes,
};
use alloc::vec::Vec;

/// A member's public key and one signature per input, in input order: what
/// [`sign_inputs`](super::sign_inputs) returns and a
/// [`SignatureCollector`](super::SignatureCollector) takes.
///
/// The bytes are not checked here (the collector checks the key, count, encodings and
/// signatures). The encoding is the key and each signature as CompactSize-prefixed bytes, with a
/// CompactSize count of signatures between them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartialSignatures {
    /// The member's key: 32-byte x-only (taproot; a 33-byte compressed key is accepted too) or
    /// 33-byte compressed (P2WSH).
    pub public_key: Vec<u8>,
    /// One signature per input: 64 or 65 bytes (BIP340, sighash byte if not default) or DER
    /// with a sighash byte (ECDSA).
    pub signatures: Vec<Vec<u8>>,
}

impl Encode for PartialSignatures {
    fn encode_to<S: Sink + ?Sized>(&self, sink: &mut S) {
        write_var_bytes(sink, &self.public_key);
        write_compact_size(sink, self.signatures.len() as u64);
        for sig in &self.signatures {
            write_var_bytes(sink, sig);
        }
    }

    fn encoded_len(&self) -> usize {
        self.signatures.iter().fold(
            var_bytes_len(self.public_key.len())
                .saturating_add(compact_size_len(self.signatures.len() as u64)),
            |n, sig| n.saturating_add(var_bytes_len(sig.len())),
        )
    }
}

impl Decode for PartialSignatures {
    fn decode_from(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let public_key = reader.read_var_bytes(Field::PartialSignatureKey)?.to_vec();
        let count = reader.read_count(Field::PartialSignatureCount, 1)?;
        let mut signatures = Vec::with_capacity(count);
        for _ in 0..count {
            signatures.push(reader.read_var_bytes(Field::PartialSignature)?.to_vec());
        }
        Ok(Self {
            public_key,
            signatures,
        })
    }
}
