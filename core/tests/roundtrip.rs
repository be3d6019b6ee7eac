//! Property tests for the consensus encoding: every value round-trips (encode → decode → equal,
//! re-encode → identical bytes), lengths agree with an independent count of the layout, and the
//! decoders never panic on arbitrary bytes. The cargo-fuzz targets in `core/fuzz` check the same
//! properties from the bytes side.

use pegkit_core::encode::{Field, Reader, compact_size_len, write_compact_size};
use pegkit_core::header::HEADER_LEN;
use pegkit_core::{
    Block, BlockHash, CompactTarget, Decode, Encode, Header, OutPoint, Transaction, TxIn,
    TxMerkleNode, TxOut, Txid, Witness,
};
use proptest::collection::vec;
use proptest::prelude::*;

/// CompactSize length by the table in the protocol docs, written out here rather than taken from
/// the library so that the length checks below are independent of it.
fn cs_len(n: u64) -> usize {
    match n {
        0..=0xfc => 1,
        0xfd..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

fn var_len(bytes: &[u8]) -> usize {
    cs_len(bytes.len() as u64) + bytes.len()
}

/// Expected serialized size of `tx`, counted field by field from the BIP144 layout.
fn expected_size(tx: &Transaction) -> (usize, usize) {
    let inputs: usize = tx
        .inputs
        .iter()
        .map(|i| 36 + var_len(&i.script_sig) + 4)
        .sum();
    let outputs: usize = tx
        .outputs
        .iter()
        .map(|o| 8 + var_len(&o.script_pubkey))
        .sum();
    let base =
        4 + cs_len(tx.inputs.len() as u64) + inputs + cs_len(tx.outputs.len() as u64) + outputs + 4;
    let segwit = tx.inputs.iter().any(|i| !i.witness.items().is_empty());
    if !segwit {
        return (base, base);
    }
    let witnesses: usize = tx
        .inputs
        .iter()
        .map(|i| {
            let items = i.witness.items();
            cs_len(items.len() as u64) + items.iter().map(|w| var_len(w)).sum::<usize>()
        })
        .sum();
    (base, base + 2 + witnesses)
}

/// Scripts up to 300 bytes, so their length prefixes cross the 1-byte/3-byte CompactSize
/// boundary at 253.
fn arb_script() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..300)
}

fn arb_witness() -> impl Strategy<Value = Witness> {
    vec(vec(any::<u8>(), 0..80), 0..4).prop_map(Witness)
}

fn arb_txin() -> impl Strategy<Value = TxIn> {
    (
        any::<[u8; 32]>(),
        any::<u32>(),
        arb_script(),
        any::<u32>(),
        arb_witness(),
    )
        .prop_map(|(txid, vout, script_sig, sequence, witness)| TxIn {
            previous_output: OutPoint {
                txid: Txid::from_byte_array(txid),
                vout,
            },
            script_sig,
            sequence,
            witness,
        })
}

fn arb_txout() -> impl Strategy<Value = TxOut> {
    (any::<i64>(), arb_script()).prop_map(|(value, script_pubkey)| TxOut {
        value,
        script_pubkey,
    })
}

/// Transactions with at least one input (a transaction with no inputs but some outputs has no
/// unambiguous encoding; see `Transaction::has_ambiguous_encoding`).
fn arb_tx() -> impl Strategy<Value = Transaction> {
    (
        any::<u32>(),
        vec(arb_txin(), 1..4),
        vec(arb_txout(), 0..4),
        any::<u32>(),
    )
        .prop_map(|(version, inputs, outputs, lock_time)| Transaction {
            version,
            inputs,
            outputs,
            lock_time,
        })
}

fn arb_header() -> impl Strategy<Value = Header> {
    (
        any::<i32>(),
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
        any::<u32>(),
        any::<u32>(),
        any::<u32>(),
    )
        .prop_map(|(version, prev, root, time, bits, nonce)| Header {
            version,
            prev_blockhash: BlockHash::from_byte_array(prev),
            merkle_root: TxMerkleNode::from_byte_array(root),
            time,
            bits: CompactTarget(bits),
            nonce,
        })
}

/// u64s spread over every CompactSize width, boundaries included.
fn arb_compact_size() -> impl Strategy<Value = u64> {
    prop_oneof![
        0..=0xfcu64,
        0xfdu64..=0xffff,
        0x1_0000u64..=0xffff_ffff,
        any::<u64>(),
        Just(0xfc),
        Just(0xfd),
        Just(0xffff),
        Just(0x1_0000),
        Just(0xffff_ffff),
        Just(0x1_0000_0000),
        Just(u64::MAX),
    ]
}

proptest! {
    #[test]
    fn header_bytes_round_trip(raw in vec(any::<u8>(), HEADER_LEN)) {
        let header = Header::decode(&raw).unwrap();
        prop_assert_eq!(Header::from_slice(&raw).unwrap(), header);
        prop_assert_eq!(header.to_bytes(), raw.clone());
        prop_assert_eq!(header.to_array().to_vec(), raw.clone());
        prop_assert_eq!(header.encoded_len(), HEADER_LEN);
    }

    #[test]
    fn header_fields_round_trip(header in arb_header()) {
        let bytes = header.to_array();
        // Field layout: version, prev hash, merkle root, time, bits, nonce, all little-endian.
        prop_assert_eq!(&bytes[0..4], &header.version.to_le_bytes()[..]);
        prop_assert_eq!(&bytes[4..36], &header.prev_blockhash.to_byte_array()[..]);
        prop_assert_eq!(&bytes[36..68], &header.merkle_root.to_byte_array()[..]);
        prop_assert_eq!(&bytes[68..72], &header.time.to_le_bytes()[..]);
        prop_assert_eq!(&bytes[72..76], &header.bits.to_consensus().to_le_bytes()[..]);
        prop_assert_eq!(&bytes[76..80], &header.nonce.to_le_bytes()[..]);
        prop_assert_eq!(Header::from_bytes(&bytes), header);
        prop_assert_eq!(Header::decode(&bytes).unwrap(), header);
    }

    #[test]
    fn transaction_round_trip(tx in arb_tx()) {
        let bytes = tx.to_bytes();
        let (base, total) = expected_size(&tx);
        prop_assert_eq!(bytes.len(), total);
        prop_assert_eq!(tx.encoded_len(), total);
        prop_assert_eq!(tx.total_size(), total);
        prop_assert_eq!(tx.base_size(), base);
        prop_assert_eq!(tx.weight(), base * 3 + total);
        // The segwit marker and flag follow the version exactly when some witness is non-empty.
        prop_assert_eq!(bytes[4..6] == [0x00, 0x01], tx.has_witness());
        prop_assert_eq!(
            tx.txid().to_byte_array() == tx.wtxid().to_byte_array(),
            !tx.has_witness()
        );

        let decoded = Transaction::decode(&bytes).unwrap();
        prop_assert_eq!(&decoded, &tx);
        prop_assert_eq!(decoded.to_bytes(), bytes);
    }

    #[test]
    fn block_round_trip(
        header in arb_header(),
        transactions in vec(arb_tx(), 1..5),
    ) {
        let block = Block { header, transactions };
        let bytes = block.to_bytes();
        let expected = HEADER_LEN
            + cs_len(block.transactions.len() as u64)
            + block.transactions.iter().map(|tx| expected_size(tx).1).sum::<usize>();
        prop_assert_eq!(bytes.len(), expected);
        prop_assert_eq!(block.encoded_len(), expected);
        prop_assert_eq!(bytes[..HEADER_LEN].to_vec(), header.to_array().to_vec());

        let decoded = Block::decode(&bytes).unwrap();
        prop_assert_eq!(&decoded, &block);
        prop_assert_eq!(decoded.to_bytes(), bytes);
    }

    #[test]
    fn compact_size_round_trip(n in arb_compact_size()) {
        let mut bytes = Vec::new();
        write_compact_size(&mut bytes, n);
        let expected_len = cs_len(n);
        prop_assert_eq!(bytes.len(), expected_len);
        prop_assert_eq!(compact_size_len(n), expected_len);
        let mut reader = Reader::new(&bytes);
        prop_assert_eq!(reader.read_compact_size(Field::InputCount), Ok(n));
        prop_assert_eq!(reader.remaining(), 0);
    }

    /// Decoding arbitrary bytes returns (never panics); anything accepted re-encodes exactly.
    #[test]
    fn decoders_never_panic(data in vec(any::<u8>(), 0..2000)) {
        if let Ok(tx) = Transaction::decode(&data) {
            prop_assert_eq!(tx.to_bytes(), data.clone());
        }
        if let Ok(block) = Block::decode(&data) {
            prop_assert_eq!(block.to_bytes(), data.clone());
        }
        if let Ok(header) = Header::decode(&data) {
            prop_assert_eq!(header.to_bytes(), data.clone());
        }
    }
}
