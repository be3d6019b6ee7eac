//! `Transaction::decode` never panics, and every transaction it accepts re-encodes to exactly
//! the input bytes (the encoding is canonical), with consistent sizes, weight and ids.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pegkit_core::{Decode, Encode, Transaction};

fuzz_target!(|data: &[u8]| {
    let Ok(tx) = Transaction::decode(data) else {
        return;
    };
    let bytes = tx.to_bytes();
    assert_eq!(bytes, data, "re-encoding differs from the accepted input");
    assert_eq!(tx.encoded_len(), data.len(), "encoded_len");
    assert_eq!(tx.total_size(), data.len(), "total_size");
    assert_eq!(
        tx.weight(),
        tx.base_size() * 3 + tx.total_size(),
        "weight is not base_size * 3 + total_size"
    );
    let mut base = Vec::new();
    tx.encode_without_witness(&mut base);
    assert_eq!(tx.base_size(), base.len(), "base_size");
    assert_eq!(
        tx.txid().to_byte_array() == tx.wtxid().to_byte_array(),
        !tx.has_witness(),
        "txid == wtxid must hold exactly when there is no witness"
    );
    let again = Transaction::decode(&bytes).expect("re-encoding must decode");
    assert_eq!(
        again, tx,
        "decoding the re-encoding gives a different value"
    );
});
