//! `Header::decode` never panics, accepts exactly 80 bytes, agrees with `Header::from_slice`,
//! and re-encodes to exactly the input bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pegkit_core::header::HEADER_LEN;
use pegkit_core::{Decode, Encode, Header};

fuzz_target!(|data: &[u8]| {
    let decoded = Header::decode(data);
    let sliced = Header::from_slice(data);
    assert_eq!(
        decoded.is_ok(),
        sliced.is_ok(),
        "decode and from_slice disagree on {} bytes",
        data.len()
    );
    assert_eq!(decoded.is_ok(), data.len() == HEADER_LEN, "accepted length");
    let (Ok(header), Ok(from_slice)) = (decoded, sliced) else {
        return;
    };
    assert_eq!(
        header, from_slice,
        "decode and from_slice give different headers"
    );
    assert_eq!(
        header.to_bytes(),
        data,
        "re-encoding differs from the accepted input"
    );
    assert_eq!(header.to_array().as_slice(), data, "to_array");
    assert_eq!(header.encoded_len(), data.len(), "encoded_len");
    let again = Header::decode(&header.to_bytes()).expect("re-encoding must decode");
    assert_eq!(
        again, header,
        "decoding the re-encoding gives a different value"
    );
});
