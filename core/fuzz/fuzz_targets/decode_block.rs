//! `Block::decode` never panics, and every block it accepts re-encodes to exactly the input
//! bytes (the encoding is canonical).

#![no_main]

use libfuzzer_sys::fuzz_target;
use pegkit_core::{Block, Decode, Encode};

fuzz_target!(|data: &[u8]| {
    let Ok(block) = Block::decode(data) else {
        return;
    };
    let bytes = block.to_bytes();
    assert_eq!(bytes, data, "re-encoding differs from the accepted input");
    assert_eq!(block.encoded_len(), data.len(), "encoded_len");
    let again = Block::decode(&bytes).expect("re-encoding must decode");
    assert_eq!(
        again, block,
        "decoding the re-encoding gives a different value"
    );
});
