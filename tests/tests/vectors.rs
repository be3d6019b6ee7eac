//! Upstream vectors through pegkit-core natively: BIP340, Bitcoin Core's transaction vectors,
//! mainnet blocks 0..255 and 830000, and the 8065 headers 822528..830592.

use pegkit_core::merkle::merkle_root;
use pegkit_core::schnorr::{KeyError, SecretKey, Signature, VerifyError, XOnlyPublicKey};
use pegkit_core::{Block, Decode, Encode, Header, Transaction, Txid};
use pegkit_tests::{CoreTxFile, WINDOW_START};

#[test]
fn bip340_all_rows() {
    let rows = pegkit_tests::bip340();
    assert_eq!(rows.len(), 19);
    let mut signed = 0;
    for row in &rows {
        let sig = Signature::from_slice(&row.signature).unwrap();
        if let (Some(sk), Some(aux)) = (&row.secret_key, &row.aux_rand) {
            let kp = SecretKey::from_slice(sk).unwrap().keypair();
            assert_eq!(
                kp.public_key().to_bytes().as_slice(),
                row.public_key.as_slice(),
                "row {} public key",
                row.index
            );
            let ours = kp
                .sign(&row.message, aux.as_slice().try_into().unwrap())
                .unwrap();
            assert_eq!(ours, sig, "row {} signature", row.index);
            signed += 1;
        }
        let verdict = match XOnlyPublicKey::from_slice(&row.public_key) {
            Ok(pk) => pk.verify(&row.message, &sig).is_ok(),
            Err(KeyError::NotOnCurve) => false,
            Err(e) => panic!("row {}: {e}", row.index),
        };
        assert_eq!(
            verdict, row.valid,
            "row {} ({}): verify",
            row.index, row.comment
        );
    }
    assert_eq!(signed, 8, "rows 0-3 and 15-18 carry a secret key");
}

#[test]
fn bip340_out_of_range_components_are_named() {
    let rows = pegkit_tests::bip340();
    let pk = XOnlyPublicKey::from_slice(&rows[12].public_key).unwrap();
    // Row 12: sig[0:32] is equal to field size; row 13: sig[32:64] is equal to curve order.
    assert_eq!(
        pk.verify(
            &rows[12].message,
            &Signature::from_slice(&rows[12].signature).unwrap()
        ),
        Err(VerifyError::ROutOfRange)
    );
    let pk13 = XOnlyPublicKey::from_slice(&rows[13].public_key).unwrap();
    assert_eq!(
        pk13.verify(
            &rows[13].message,
            &Signature::from_slice(&rows[13].signature).unwrap()
        ),
        Err(VerifyError::SOutOfRange)
    );
    // Row 5: public key not on the curve; row 14: public key exceeds the field size.
    assert_eq!(
        XOnlyPublicKey::from_slice(&rows[5].public_key),
        Err(KeyError::NotOnCurve)
    );
    assert_eq!(
        XOnlyPublicKey::from_slice(&rows[14].public_key),
        Err(KeyError::NotOnCurve)
    );
}

#[test]
fn core_tx_vectors_round_trip() {
    let txs = pegkit_tests::core_txs();
    assert_eq!(
        txs.iter().filter(|t| t.file == CoreTxFile::Valid).count(),
        121
    );
    assert_eq!(
        txs.iter().filter(|t| t.file == CoreTxFile::Invalid).count(),
        93
    );
    for t in &txs {
        let tx =
            Transaction::decode(&t.tx).unwrap_or_else(|e| panic!("{:?} #{}: {e}", t.file, t.index));
        assert_eq!(tx.to_bytes(), t.tx, "{:?} #{} re-encodes", t.file, t.index);
        assert_eq!(tx.encoded_len(), t.tx.len());
        // Every prevout named by the vector is an input of the transaction.
        for p in t.prevouts.as_array().unwrap() {
            let txid: Txid = p[0].as_str().unwrap().parse().unwrap();
            let vout = p[1].as_i64().unwrap() as u32;
            assert!(
                tx.inputs
                    .iter()
                    .any(|i| i.previous_output.txid == txid && i.previous_output.vout == vout),
                "{:?} #{}: prevout {txid}:{vout} is an input",
                t.file,
                t.index
            );
        }
    }
}

#[test]
fn mainnet_blocks_0_255() {
    let blocks = pegkit_tests::mainnet_blocks_0_255();
    let headers = pegkit_tests::mainnet_headers_0_255();
    assert_eq!(blocks.len(), 256);
    let mut prev = None;
    let mut txs = 0;
    for (height, raw) in blocks.iter().enumerate() {
        let block = Block::decode(raw).unwrap();
        assert_eq!(&block.to_bytes(), raw, "block {height} re-encodes");
        assert_eq!(
            block.header.to_array(),
            headers[height],
            "block {height} header"
        );
        let root = merkle_root(&block.txids()).unwrap();
        assert_eq!(
            root.root, block.header.merkle_root,
            "block {height}: txids are the merkle leaves"
        );
        assert!(!root.mutated);
        if let Some(prev) = prev {
            assert_eq!(block.header.prev_blockhash, prev, "block {height} links");
        }
        prev = Some(block.header.block_hash());
        txs += block.transactions.len();
    }
    assert_eq!(
        prev.unwrap().to_string(),
        Header::from_bytes(&headers[255]).block_hash().to_string()
    );
    assert!(
        txs > 256,
        "block 170 and others carry more than the coinbase"
    );
}

#[test]
fn mainnet_block_830000() {
    let raw = pegkit_tests::mainnet_block_830000();
    let upstream = pegkit_tests::mainnet_block_830000_txids();
    let block = Block::decode(&raw).unwrap();
    assert_eq!(block.header.block_hash().to_string(), upstream.hash);
    assert_eq!(block.transactions.len(), 1851);
    let txids: Vec<String> = block.txids().iter().map(ToString::to_string).collect();
    assert_eq!(txids, upstream.txids);
    let root = merkle_root(&block.txids()).unwrap();
    assert_eq!(root.root.to_string(), upstream.merkle_root);
    assert_eq!(root.root, block.header.merkle_root);
    assert_eq!(block.to_bytes(), raw);
    assert!(
        block
            .transactions
            .iter()
            .filter(|t| t.has_witness())
            .count()
            > 1000
    );
    // The same transactions one by one, and their wtxids differ from txids exactly when they
    // carry a witness.
    for tx in &block.transactions {
        let bytes = tx.to_bytes();
        assert_eq!(&Transaction::decode(&bytes).unwrap(), tx);
        assert_eq!(
            tx.has_witness(),
            tx.wtxid().to_byte_array() != tx.txid().to_byte_array()
        );
    }
}

#[test]
fn mainnet_headers_window() {
    let headers = pegkit_tests::mainnet_headers_822528_830592();
    assert_eq!(headers.len(), 8065);
    let decoded: Vec<Header> = headers.iter().map(|h| Header::decode(h).unwrap()).collect();
    for (i, pair) in decoded.windows(2).enumerate() {
        assert_eq!(
            pair[1].prev_blockhash,
            pair[0].block_hash(),
            "height {} links",
            WINDOW_START as usize + i + 1
        );
    }
    for (raw, h) in headers.iter().zip(&decoded) {
        assert_eq!(&h.to_array(), raw);
    }
    let h830000 = &decoded[(830_000 - WINDOW_START) as usize];
    assert_eq!(
        h830000.block_hash().to_string(),
        pegkit_tests::mainnet_block_830000_txids().hash
    );
}
