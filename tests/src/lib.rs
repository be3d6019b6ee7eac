//! Loaders for the upstream test vectors in `tests/vectors/` (see its `PROVENANCE.md`). The files
//! are compiled in with `include_str!`, unchanged, so every suite (native, Node, Chromium) reads
//! the same bytes and none needs the file system.

#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // vectors are fixed inputs

// The repository README's Rust example is compiled and run as this crate's doctest.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

use pegkit_core::hex;
use serde_json::Value;

/// One row of BIP340 `test-vectors.csv`.
#[derive(Debug, Clone)]
pub struct Bip340Row {
    /// Row index (0..=18).
    pub index: usize,
    /// Secret key, when the row has one (signing rows).
    pub secret_key: Option<Vec<u8>>,
    /// 32-byte x-only public key as given (may be invalid).
    pub public_key: Vec<u8>,
    /// Aux randomness, when given.
    pub aux_rand: Option<Vec<u8>>,
    /// The message (any length).
    pub message: Vec<u8>,
    /// The 64-byte signature.
    pub signature: Vec<u8>,
    /// Expected verification result.
    pub valid: bool,
    /// Upstream comment.
    pub comment: String,
}

/// BIP340 `test-vectors.csv` (bitcoin/bips bip-0340), all rows.
pub fn bip340() -> Vec<Bip340Row> {
    let csv = include_str!("../vectors/bips/bip340-test-vectors.csv");
    let opt = |s: &str| {
        if s.is_empty() {
            None
        } else {
            Some(hex::decode(s).unwrap())
        }
    };
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.splitn(8, ',').collect();
            assert_eq!(f.len(), 8, "bip340 row: {line}");
            Bip340Row {
                index: f[0].parse().unwrap(),
                secret_key: opt(f[1]),
                public_key: hex::decode(f[2]).unwrap(),
                aux_rand: opt(f[3]),
                message: hex::decode(f[4]).unwrap(),
                signature: hex::decode(f[5]).unwrap(),
                valid: match f[6] {
                    "TRUE" => true,
                    "FALSE" => false,
                    other => panic!("bip340 verification result {other:?}"),
                },
                comment: f[7].trim().to_string(),
            }
        })
        .collect()
}

/// Which Bitcoin Core file a transaction vector came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreTxFile {
    /// `tx_valid.json`.
    Valid,
    /// `tx_invalid.json`.
    Invalid,
}

/// One test of Core's `tx_valid.json` / `tx_invalid.json`: the serialized transaction and the
/// prevouts `[txid, vout, scriptPubKey asm, amount?]` as given.
#[derive(Debug, Clone)]
pub struct CoreTx {
    /// Source file.
    pub file: CoreTxFile,
    /// Position among the file's tests (comments excluded).
    pub index: usize,
    /// The transaction bytes.
    pub tx: Vec<u8>,
    /// The prevouts array, unparsed.
    pub prevouts: Value,
}

fn core_file(json: &str, file: CoreTxFile) -> Vec<CoreTx> {
    let rows: Vec<Value> = serde_json::from_str(json).unwrap();
    rows.into_iter()
        .filter(|r| {
            r.as_array()
                .is_some_and(|a| a.len() >= 3 && a[0].is_array())
        })
        .enumerate()
        .map(|(index, r)| CoreTx {
            file,
            index,
            tx: hex::decode(r[1].as_str().unwrap()).unwrap(),
            prevouts: r[0].clone(),
        })
        .collect()
}

/// Every test of Bitcoin Core's `tx_valid.json` (121) and `tx_invalid.json` (93).
pub fn core_txs() -> Vec<CoreTx> {
    let mut v = core_file(
        include_str!("../vectors/bitcoin-core/tx_valid.json"),
        CoreTxFile::Valid,
    );
    v.extend(core_file(
        include_str!("../vectors/bitcoin-core/tx_invalid.json"),
        CoreTxFile::Invalid,
    ));
    v
}

fn hex_lines(s: &str) -> Vec<Vec<u8>> {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| hex::decode(l.trim()).unwrap())
        .collect()
}

/// Mainnet blocks 0..=255, in height order.
pub fn mainnet_blocks_0_255() -> Vec<Vec<u8>> {
    hex_lines(include_str!("../vectors/mainnet/mainnet_blocks_0_255.hex"))
}

/// Mainnet headers 0..=255, in height order.
pub fn mainnet_headers_0_255() -> Vec<[u8; 80]> {
    headers(include_str!("../vectors/mainnet/mainnet_headers_0_255.hex"))
}

/// First height of [`mainnet_headers_822528_830592`].
pub const WINDOW_START: u32 = 822_528;

/// Mainnet headers 822528..=830592 (8065), in height order.
pub fn mainnet_headers_822528_830592() -> Vec<[u8; 80]> {
    headers(include_str!(
        "../vectors/mainnet/mainnet_headers_822528_830592.hex"
    ))
}

fn headers(s: &str) -> Vec<[u8; 80]> {
    hex_lines(s)
        .into_iter()
        .map(|h| <[u8; 80]>::try_from(h.as_slice()).unwrap())
        .collect()
}

/// Mainnet block 830000 (1851 transactions), raw bytes.
pub fn mainnet_block_830000() -> Vec<u8> {
    hex::decode(include_str!("../vectors/mainnet/mainnet_block_830000.hex").trim()).unwrap()
}

/// Block 830000's upstream summary: its hash, merkle root and txids, in display order.
#[derive(Debug, Clone)]
pub struct BlockSummary {
    /// Block hash (display order).
    pub hash: String,
    /// Merkle root (display order).
    pub merkle_root: String,
    /// Txids in block order (display order).
    pub txids: Vec<String>,
}

/// The txid list of block 830000.
pub fn mainnet_block_830000_txids() -> BlockSummary {
    let v: Value = serde_json::from_str(include_str!(
        "../vectors/mainnet/mainnet_block_830000_txids.json"
    ))
    .unwrap();
    let b = &v["830000"];
    let txids: Vec<String> = b["txids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    assert_eq!(b["n_tx"].as_u64(), Some(txids.len() as u64));
    BlockSummary {
        hash: b["hash"].as_str().unwrap().to_string(),
        merkle_root: b["merkle_root"].as_str().unwrap().to_string(),
        txids,
    }
}

/// One entry of `mainnet_retarget_boundary_headers.json`.
#[derive(Debug, Clone)]
pub struct BoundaryHeader {
    /// Height (0, or k×2016−1, or k×2016).
    pub height: u32,
    /// The 80-byte header.
    pub header: [u8; 80],
    /// Bitcoin Core's chainwork at this height, big-endian hex without `0x`.
    pub chainwork: String,
}

/// Mainnet headers at every retarget boundary up to 832608, with Core's chainwork.
pub fn mainnet_retarget_boundaries() -> Vec<BoundaryHeader> {
    let v: Value = serde_json::from_str(include_str!(
        "../vectors/mainnet/mainnet_retarget_boundary_headers.json"
    ))
    .unwrap();
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| BoundaryHeader {
            height: e["height"].as_u64().unwrap() as u32,
            header: <[u8; 80]>::try_from(
                hex::decode(e["header"].as_str().unwrap())
                    .unwrap()
                    .as_slice(),
            )
            .unwrap(),
            chainwork: e["chainwork"]
                .as_str()
                .unwrap()
                .trim_start_matches("0x")
                .to_string(),
        })
        .collect()
}

/// The stale mainnet headers: (height, header, identical to the main-chain header at that height).
pub fn mainnet_stale_headers() -> Vec<(u32, [u8; 80], bool)> {
    let v: Value = serde_json::from_str(include_str!(
        "../vectors/mainnet/mainnet_stale_headers.json"
    ))
    .unwrap();
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["height"].as_u64().unwrap() as u32,
                <[u8; 80]>::try_from(
                    hex::decode(e["header"].as_str().unwrap())
                        .unwrap()
                        .as_slice(),
                )
                .unwrap(),
                e["identical_to_main_chain_header"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// A real `gettxoutproof` from block 830000.
#[derive(Debug, Clone)]
pub struct TxOutProof {
    /// Positions of the matched transactions.
    pub tx_indexes: Vec<u32>,
    /// Their txids (display order).
    pub txids: Vec<String>,
    /// Transactions in the block.
    pub tx_count: u32,
    /// Block hash (display order).
    pub block_hash: String,
    /// The proof bytes.
    pub proof: Vec<u8>,
}

/// The 6 real `gettxoutproof` proofs of block 830000.
pub fn mainnet_txoutproofs_830000() -> Vec<TxOutProof> {
    let v: Value = serde_json::from_str(include_str!(
        "../vectors/mainnet/mainnet_txoutproofs_830000.json"
    ))
    .unwrap();
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| TxOutProof {
            tx_indexes: e["tx_indexes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_u64().unwrap() as u32)
                .collect(),
            txids: e["txids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect(),
            tx_count: e["n_tx"].as_u64().unwrap() as u32,
            block_hash: e["block_hash"].as_str().unwrap().to_string(),
            proof: hex::decode(e["proof_hex"].as_str().unwrap()).unwrap(),
        })
        .collect()
}

/// bitcoin-spv's `testVectors.json`, parsed.
pub fn bitcoin_spv_vectors() -> Value {
    serde_json::from_str(include_str!("../vectors/bitcoin-spv/testVectors.json")).unwrap()
}

/// One row of Bitcoin Core's `key_io_valid.json`: an address or private key with its
/// scriptPubKey (or key bytes) and chain.
#[derive(Debug, Clone)]
pub struct KeyIoValid {
    /// The encoded address or key.
    pub string: String,
    /// The scriptPubKey for an address, the key bytes for a private key.
    pub payload: Vec<u8>,
    /// `main`, `testnet4`, `signet` or `regtest` as in the file.
    pub chain: String,
    /// A private key (WIF), not an address.
    pub is_privkey: bool,
    /// Core also checks the case-flipped string (bech32 addresses).
    pub try_case_flip: bool,
}

/// Bitcoin Core's `key_io_valid.json` (src/test/data), all 70 rows.
pub fn key_io_valid() -> Vec<KeyIoValid> {
    let rows: Vec<Value> =
        serde_json::from_str(include_str!("../vectors/bitcoin-core/key_io_valid.json")).unwrap();
    rows.iter()
        .map(|r| KeyIoValid {
            string: r[0].as_str().unwrap().to_string(),
            payload: hex::decode(r[1].as_str().unwrap()).unwrap(),
            chain: r[2]["chain"].as_str().unwrap().to_string(),
            is_privkey: r[2]["isPrivkey"].as_bool().unwrap(),
            try_case_flip: r[2]["tryCaseFlip"].as_bool().unwrap_or(false),
        })
        .collect()
}

/// Bitcoin Core's `key_io_invalid.json` (src/test/data): 70 strings that are neither a valid
/// address nor a valid key on any chain.
pub fn key_io_invalid() -> Vec<String> {
    let rows: Vec<Value> =
        serde_json::from_str(include_str!("../vectors/bitcoin-core/key_io_invalid.json")).unwrap();
    rows.iter()
        .map(|r| r[0].as_str().unwrap().to_string())
        .collect()
}

/// A segwit address vector of BIP173 or BIP350.
#[derive(Debug, Clone)]
pub struct Bech32Address {
    /// The address.
    pub address: String,
    /// Its scriptPubKey (valid addresses).
    pub script_pubkey: Option<Vec<u8>>,
    /// The BIP's reason (invalid addresses and strings).
    pub reason: Option<String>,
    /// Still valid under BIP350 (BIP173's v1+ addresses are not).
    pub valid_under_bip350: bool,
}

/// The BIP173 and BIP350 vectors (`bips/bech32-bech32m-vectors.json`, transcribed from the
/// BIPs): one section per BIP, each with `valid_strings`, `invalid_strings`,
/// `valid_addresses` and `invalid_addresses`.
#[derive(Debug, Clone)]
pub struct Bech32Section {
    /// Valid bech32 (BIP173) or bech32m (BIP350) strings: checksums, not addresses.
    pub valid_strings: Vec<String>,
    /// Invalid strings, with the BIP's reason.
    pub invalid_strings: Vec<Bech32Address>,
    /// Valid segwit addresses with their scriptPubKey.
    pub valid_addresses: Vec<Bech32Address>,
    /// Invalid segwit addresses, with the BIP's reason.
    pub invalid_addresses: Vec<Bech32Address>,
}

/// BIP173 then BIP350 sections of `bips/bech32-bech32m-vectors.json`.
pub fn bech32_vectors() -> (Bech32Section, Bech32Section) {
    let v: Value =
        serde_json::from_str(include_str!("../vectors/bips/bech32-bech32m-vectors.json")).unwrap();
    let entries = |a: &Value, key: &str| -> Vec<Bech32Address> {
        a.as_array()
            .unwrap()
            .iter()
            .map(|e| Bech32Address {
                address: e[key].as_str().unwrap().to_string(),
                script_pubkey: e
                    .get("scriptPubKey")
                    .map(|s| hex::decode(s.as_str().unwrap()).unwrap()),
                reason: e.get("reason").map(|r| r.as_str().unwrap().to_string()),
                valid_under_bip350: e
                    .get("valid_under_bip350")
                    .is_none_or(|b| b.as_bool().unwrap()),
            })
            .collect()
    };
    let section = |s: &Value| Bech32Section {
        valid_strings: s["valid_strings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect(),
        invalid_strings: entries(&s["invalid_strings"], "string"),
        valid_addresses: entries(&s["valid_addresses"], "address"),
        invalid_addresses: entries(&s["invalid_addresses"], "address"),
    };
    (section(&v["bip173_bech32"]), section(&v["bip350_bech32m"]))
}

pub mod fixtures;
pub mod mine;
