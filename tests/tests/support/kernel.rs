//! Bitcoin Core's consensus engine (libbitcoinkernel, through the `bitcoinkernel` crate 0.3.2) for
//! pegkit's integration tests: script verification of one input under all consensus flags, and a
//! throw-away regtest chain whose blocks Core itself validates and connects.
//!
//! Include it from a test file (`tests/tests/*.rs`) with
//!
//! ```ignore
//! #[path = "support/kernel.rs"]
//! mod kernel;
//! ```
//!
//! (`tests/tests/support/` has no `main.rs`, so Cargo does not take it for a test target.) A test
//! binary rarely uses every helper, hence the `dead_code` allowance below.
//!
//! * [`verify_input`] / [`verify_tx`]: Core's script interpreter with [`VERIFY_ALL`] (P2SH,
//!   DERSIG, NULLDUMMY, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY, WITNESS, TAPROOT). With TAPROOT
//!   set, the kernel insists on the outputs spent by *every* input of the transaction, whatever
//!   the script type of the input checked.
//! * [`Regtest`]: a regtest `ChainstateManager` in a fresh directory under `std::env::temp_dir()`
//!   (removed on drop). [`Regtest::mine`] builds a valid block on the tip (BIP34 height, subsidy
//!   plus fees, witness commitment, time, nBits, nonce ground) and submits it. Whether it
//!   connected is read from the chain ([`Regtest::tip_height`], [`Regtest::tip_hash`]):
//!   `process_block` answers "new block" for a block whose scripts fail, since the failure comes
//!   when the chain tries to connect it. [`Regtest::last_error`] then gives Core's reason (taken
//!   from its log), e.g. `bad-txns-premature-spend-of-coinbase`.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bitcoin::blockdata::opcodes::all::OP_RETURN;
use bitcoin::consensus::{deserialize, serialize};
use bitcoin::hashes::Hash;
use bitcoin::script::{Builder, PushBytesBuf};
use bitcoin::{
    Amount, BlockHash, CompactTarget, OutPoint, ScriptBuf, Sequence, Transaction, TxIn, TxOut,
    Witness, absolute, block, transaction,
};
use bitcoinkernel::prelude::*;
use bitcoinkernel::{
    ChainType, ChainstateManager, Context, ContextBuilder, Log, Logger, PrecomputedTransactionData,
    VERIFY_ALL, VERIFY_CHECKLOCKTIMEVERIFY, VERIFY_CHECKSEQUENCEVERIFY, VERIFY_DERSIG,
    VERIFY_NULLDUMMY, VERIFY_P2SH, VERIFY_TAPROOT, VERIFY_WITNESS,
};

// "All" really is every consensus flag, taproot included.
const _: () = assert!(
    VERIFY_ALL
        == VERIFY_P2SH
            | VERIFY_DERSIG
            | VERIFY_NULLDUMMY
            | VERIFY_CHECKLOCKTIMEVERIFY
            | VERIFY_CHECKSEQUENCEVERIFY
            | VERIFY_WITNESS
            | VERIFY_TAPROOT
);

/// Regtest's proof-of-work limit, which regtest never retargets away from.
pub const REGTEST_BITS: u32 = 0x207f_ffff;
/// Confirmations a coinbase output needs before a block may spend it (Core's
/// `COINBASE_MATURITY`): spendable in block `h` if it was created in a block at or below
/// `h - 100`.
pub const COINBASE_MATURITY: i32 = 100;
/// Regtest's subsidy halving interval.
pub const REGTEST_HALVING_INTERVAL: i32 = 150;
/// Block version: BIP9 top bits, no signalling (BIP34/65/66 need ≥ 4 on regtest from height 1).
const BLOCK_VERSION: i32 = 0x2000_0000;
/// BIP141 witness commitment header.
const WITNESS_COMMITMENT_MAGIC: [u8; 4] = [0xaa, 0x21, 0xa9, 0xed];
/// A witness commitment output script starts with `OP_RETURN`, push 36, the header.
const COMMITMENT_SCRIPT_PREFIX: [u8; 6] = [0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed];

/// Runs Bitcoin Core's script verification for input `input_index` of `tx` (serialized with
/// witnesses) under all consensus flags ([`VERIFY_ALL`], taproot included).
///
/// `spent_outputs` holds `(amount in sat, script_pubkey)` of the output spent by each input of
/// `tx`, in input order; all of them are required (taproot signatures commit to every spent
/// output, and the kernel refuses TAPROOT verification without them). The error carries the
/// kernel's error, e.g. `ScriptVerify(Invalid)`.
pub fn verify_input(
    spent_outputs: &[(i64, Vec<u8>)],
    tx: &[u8],
    input_index: usize,
) -> Result<(), String> {
    let tx = bitcoinkernel::Transaction::new(tx)
        .map_err(|e| format!("the kernel does not decode the transaction: {e:?}"))?;
    if spent_outputs.len() != tx.input_count() {
        return Err(format!(
            "{} spent outputs for a transaction with {} inputs",
            spent_outputs.len(),
            tx.input_count()
        ));
    }
    let Some((amount, script_pubkey)) = spent_outputs.get(input_index) else {
        return Err(format!(
            "input index {input_index} out of range ({} inputs)",
            tx.input_count()
        ));
    };
    let kernel_outputs = spent_outputs
        .iter()
        .map(|(amount, script)| {
            bitcoinkernel::ScriptPubkey::new(script)
                .map(|script| bitcoinkernel::TxOut::new(&script, *amount))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("spent output script: {e:?}"))?;
    let txdata = PrecomputedTransactionData::new(&tx, &kernel_outputs)
        .map_err(|e| format!("precomputed transaction data: {e:?}"))?;
    let script_pubkey = bitcoinkernel::ScriptPubkey::new(script_pubkey)
        .map_err(|e| format!("script_pubkey: {e:?}"))?;
    bitcoinkernel::verify(
        &script_pubkey,
        Some(*amount),
        &tx,
        input_index,
        Some(VERIFY_ALL),
        &txdata,
    )
    .map_err(|e| format!("{e:?}"))
}

/// [`verify_input`] for every input of a rust-bitcoin transaction; `spent_outputs[i]` is the
/// output spent by input `i`. The error names the first failing input.
pub fn verify_tx(spent_outputs: &[TxOut], tx: &Transaction) -> Result<(), String> {
    let spent: Vec<(i64, Vec<u8>)> = spent_outputs
        .iter()
        .map(|o| (sat_i64(o.value), o.script_pubkey.to_bytes()))
        .collect();
    let raw = serialize(tx);
    (0..tx.input.len())
        .try_for_each(|i| verify_input(&spent, &raw, i).map_err(|e| format!("input {i}: {e}")))
}

/// The first output of `block`'s coinbase (the one [`Regtest::mine`] pays to
/// `coinbase_script`) and its outpoint, to spend once it has [`COINBASE_MATURITY`]
/// confirmations.
pub fn coinbase_output(block: &bitcoin::Block) -> (OutPoint, TxOut) {
    let coinbase = &block.txdata[0];
    (
        OutPoint::new(coinbase.compute_txid(), 0),
        coinbase.output[0].clone(),
    )
}

/// Makes `block` (typically from [`Regtest::build_block`], then altered) consistent again:
/// recomputes the witness commitment in the coinbase's last commitment output (if it has one;
/// witness reserved value taken from the coinbase witness), the merkle root, and grinds the
/// nonce ([`grind`]).
pub fn finish_block(block: &mut bitcoin::Block) {
    // The witness root counts the coinbase's wtxid as zero, so the commitment output does not
    // feed back into it.
    let witness_root = block.witness_root().expect("a block has a coinbase");
    let coinbase = &mut block.txdata[0];
    let reserved = coinbase.input[0].witness.nth(0).unwrap_or(&[]).to_vec();
    let commitment = bitcoin::Block::compute_witness_commitment(&witness_root, &reserved);
    if let Some(out) = coinbase.output.iter_mut().rev().find(|o| {
        o.script_pubkey
            .as_bytes()
            .starts_with(&COMMITMENT_SCRIPT_PREFIX)
    }) {
        out.script_pubkey = commitment_script(commitment.as_byte_array());
    }
    block.header.merkle_root = block.compute_merkle_root().expect("a block has a coinbase");
    grind(&mut block.header);
}

/// Sets `header.nonce` to the first value from 0 whose hash meets the header's own target
/// (about two tries at regtest's difficulty).
pub fn grind(header: &mut block::Header) {
    let target = header.target();
    header.nonce = 0;
    while !target.is_met_by(header.block_hash()) {
        header.nonce = header
            .nonce
            .checked_add(1)
            .expect("a nonce within 2^32 tries");
    }
}

/// `OP_RETURN <aa21a9ed ‖ commitment>`, BIP141's witness commitment output script.
fn commitment_script(commitment: &[u8; 32]) -> ScriptBuf {
    let mut push = WITNESS_COMMITMENT_MAGIC.to_vec();
    push.extend_from_slice(commitment);
    Builder::new()
        .push_opcode(OP_RETURN)
        .push_slice(PushBytesBuf::try_from(push).expect("a 36-byte push"))
        .into_script()
}

/// Regtest block subsidy at `height`: 50 BTC halved every 150 blocks.
pub fn regtest_subsidy(height: i32) -> Amount {
    let halvings = height / REGTEST_HALVING_INTERVAL;
    if halvings >= 64 {
        return Amount::ZERO;
    }
    Amount::from_sat((50 * 100_000_000) >> halvings)
}

fn sat_i64(amount: Amount) -> i64 {
    i64::try_from(amount.to_sat()).expect("amount fits an i64")
}

/// A regtest chain validated by Bitcoin Core, in a fresh temporary directory removed on drop.
///
/// Starts at the regtest genesis block (height 0). Build blocks with [`Regtest::mine`] (or
/// [`Regtest::build_block`], alter, then [`Regtest::submit`]); read the outcome from the chain.
pub struct Regtest {
    // Field order is drop order: the chainstate manager closes its files before the directory
    // goes.
    chainman: ChainstateManager,
    _context: Context,
    dir: TempDir,
    /// Every output of every transaction of the blocks this harness saw connect (spent or not),
    /// to price fees and to hand tests the outputs their transactions spend.
    outputs: HashMap<OutPoint, TxOut>,
    /// Log lines Core wrote on this thread while processing the last submitted block.
    last_log: Vec<String>,
}

impl std::fmt::Debug for Regtest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Regtest")
            .field("dir", &self.dir.0)
            .field("tip_height", &self.tip_height())
            .finish_non_exhaustive()
    }
}

impl Default for Regtest {
    fn default() -> Self {
        Self::new()
    }
}

impl Regtest {
    /// A regtest context and chainstate manager over a new temporary directory; the genesis
    /// block is the tip at height 0. Both databases (block index and UTXO set) are kept in
    /// memory; block files go to the directory.
    pub fn new() -> Regtest {
        capture_kernel_log();
        let dir = TempDir::new();
        let context = ContextBuilder::new()
            .chain_type(ChainType::Regtest)
            .build()
            .expect("regtest kernel context");
        let data_dir = dir.0.to_str().expect("temp dir path is UTF-8").to_owned();
        let blocks_dir = dir
            .0
            .join("blocks")
            .to_str()
            .expect("temp dir path is UTF-8")
            .to_owned();
        // Creating the manager loads the chainstate, writes and connects the genesis block.
        let chainman = ChainstateManager::builder(&context, &data_dir, &blocks_dir)
            .expect("chainstate manager options")
            .block_tree_db_in_memory(true)
            .chainstate_db_in_memory(true)
            .build()
            .expect("regtest chainstate manager");
        let regtest = Regtest {
            chainman,
            _context: context,
            dir,
            outputs: HashMap::new(),
            last_log: Vec::new(),
        };
        assert_eq!(
            regtest.tip_height(),
            0,
            "a fresh regtest chain is at genesis"
        );
        regtest
    }

    /// The directory holding this chain's files.
    pub fn dir(&self) -> &Path {
        &self.dir.0
    }

    /// Height of the active chain's tip, as Core sees it.
    pub fn tip_height(&self) -> i32 {
        self.chainman.active_chain().height()
    }

    /// Hash of the active chain's tip.
    pub fn tip_hash(&self) -> BlockHash {
        let tip = self.chainman.active_chain().tip();
        BlockHash::from_byte_array(tip.block_hash().to_bytes())
    }

    /// The block at `height` of the active chain, read back from Core's block files.
    pub fn block_at(&self, height: i32) -> Option<bitcoin::Block> {
        let entry = self
            .chainman
            .active_chain()
            .at_height(usize::try_from(height).ok()?)?;
        let block = self.chainman.read_block_data(&entry).ok()?;
        let raw = block.consensus_encode().expect("kernel block encodes");
        Some(deserialize(&raw).expect("rust-bitcoin decodes a kernel block"))
    }

    /// An output created by a transaction of a block this harness saw connect (still listed
    /// after it is spent), e.g. to build `spent_outputs` for [`verify_tx`].
    pub fn output(&self, outpoint: &OutPoint) -> Option<TxOut> {
        self.outputs.get(outpoint).cloned()
    }

    /// The outputs `tx`'s inputs spend, in input order, if this harness knows them all.
    pub fn spent_outputs(&self, tx: &Transaction) -> Option<Vec<TxOut>> {
        tx.input
            .iter()
            .map(|input| self.output(&input.previous_output))
            .collect()
    }

    /// Core's error line about the last submitted block, if it logged one (without its
    /// `[error] ` prefix), e.g. `ConnectTip: ConnectBlock <hash> failed,
    /// bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 99 …` or
    /// `ProcessNewBlock: AcceptBlock FAILED (bad-txnmrklroot, hashMerkleRoot mismatch)`.
    pub fn last_error(&self) -> Option<&str> {
        self.last_log
            .iter()
            .find_map(|line| line.strip_prefix("[error] "))
            .or_else(|| {
                self.last_log
                    .iter()
                    .find(|line| line.contains("failed") || line.contains("FAILED"))
                    .map(String::as_str)
            })
    }

    /// Everything Core logged on this thread while processing the last submitted block.
    pub fn last_log(&self) -> &[String] {
        &self.last_log
    }

    /// A valid block on the current tip holding `txs` (in order, after the coinbase), without
    /// submitting it: a coinbase with the BIP34 height and the witness reserved value (32 zero
    /// bytes) paying the subsidy plus fees to `coinbase_script` (the subsidy alone when an
    /// input's value is unknown to the harness — the fees are then burnt, which is valid) and
    /// committing to the witnesses (always, segwit or not); the merkle root; time the larger of
    /// the tip's time + 1 and median time past + 1; regtest's nBits; a nonce meeting the target.
    pub fn build_block(&self, txs: &[Transaction], coinbase_script: &ScriptBuf) -> bitcoin::Block {
        let chain = self.chainman.active_chain();
        let tip = chain.tip();
        let height = tip.height() + 1;
        let prev_blockhash = BlockHash::from_byte_array(tip.block_hash().to_bytes());
        let tip_time = tip.header().timestamp();
        // Median of the last 11 blocks' times (fewer near genesis), as Core's GetMedianTimePast.
        let mut times = Vec::with_capacity(11);
        let mut entry = Some(tip);
        while let Some(e) = entry {
            if times.len() == 11 {
                break;
            }
            times.push(e.header().timestamp());
            entry = e.prev();
        }
        times.sort_unstable();
        let median_time_past = times[times.len() / 2];
        let time = (tip_time + 1).max(median_time_past + 1);

        let value = regtest_subsidy(height) + self.fees(txs).unwrap_or(Amount::ZERO);
        let coinbase = Transaction {
            version: transaction::Version::TWO,
            lock_time: absolute::LockTime::ZERO,
            input: vec![TxIn {
                previous_output: OutPoint::null(),
                // BIP34 height, then OP_0: heights 1..=16 are a single opcode and the coinbase
                // scriptSig must be 2..=100 bytes.
                script_sig: Builder::new()
                    .push_int(i64::from(height))
                    .push_int(0)
                    .into_script(),
                sequence: Sequence::MAX,
                witness: Witness::from_slice(&[[0u8; 32]]),
            }],
            output: vec![
                TxOut {
                    value,
                    script_pubkey: coinbase_script.clone(),
                },
                // Witness commitment, filled in by `finish_block`.
                TxOut {
                    value: Amount::ZERO,
                    script_pubkey: commitment_script(&[0; 32]),
                },
            ],
        };
        let mut txdata = Vec::with_capacity(txs.len() + 1);
        txdata.push(coinbase);
        txdata.extend_from_slice(txs);
        let mut block = bitcoin::Block {
            header: block::Header {
                version: block::Version::from_consensus(BLOCK_VERSION),
                prev_blockhash,
                merkle_root: bitcoin::TxMerkleNode::all_zeros(),
                time,
                bits: CompactTarget::from_consensus(REGTEST_BITS),
                nonce: 0,
            },
            txdata,
        };
        finish_block(&mut block);
        debug_assert!(block.check_witness_commitment() && block.check_merkle_root());
        block
    }

    /// Submits `block` to Core (full validation; connecting it if it extends the tip) and
    /// returns whether it is now the tip. Core's log lines for it are kept for
    /// [`Regtest::last_error`].
    pub fn submit(&mut self, block: &bitcoin::Block) -> bool {
        let kernel_block =
            bitcoinkernel::Block::new(&serialize(block)).expect("the kernel decodes the block");
        LOG_CAPTURE.with(|c| *c.borrow_mut() = Some(Vec::new()));
        let _ = self.chainman.process_block(&kernel_block);
        self.last_log = LOG_CAPTURE
            .with(|c| c.borrow_mut().take())
            .unwrap_or_default();
        let connected = self.tip_hash() == block.block_hash();
        if connected {
            for tx in &block.txdata {
                let txid = tx.compute_txid();
                for (vout, out) in (0u32..).zip(&tx.output) {
                    self.outputs.insert(OutPoint::new(txid, vout), out.clone());
                }
            }
        }
        connected
    }

    /// Builds ([`Regtest::build_block`]) and submits ([`Regtest::submit`]) a block with `txs`
    /// on the tip and returns it. Whether it connected is for the caller to check with
    /// [`Regtest::tip_height`] / [`Regtest::tip_hash`] (and [`Regtest::last_error`]).
    pub fn mine(&mut self, txs: &[Transaction], coinbase_script: &ScriptBuf) -> bitcoin::Block {
        let block = self.build_block(txs, coinbase_script);
        self.submit(&block);
        block
    }

    /// Mines `n` blocks holding only their coinbase, each paying `coinbase_script`. Panics if
    /// one does not connect.
    pub fn mine_empty(&mut self, n: usize, coinbase_script: &ScriptBuf) -> Vec<bitcoin::Block> {
        (0..n)
            .map(|_| {
                let block = self.mine(&[], coinbase_script);
                assert_eq!(
                    self.tip_hash(),
                    block.block_hash(),
                    "empty block refused: {:?}",
                    self.last_error()
                );
                block
            })
            .collect()
    }

    /// Total fees of `txs` as one block's transactions (an input may spend an earlier output of
    /// the same list), if every input's value is known and no transaction creates value.
    fn fees(&self, txs: &[Transaction]) -> Option<Amount> {
        let mut in_block: HashMap<OutPoint, Amount> = HashMap::new();
        let mut total = Amount::ZERO;
        for tx in txs {
            let mut inputs = Amount::ZERO;
            for input in &tx.input {
                let prev = &input.previous_output;
                let value = match in_block.get(prev) {
                    Some(v) => *v,
                    None => self.outputs.get(prev)?.value,
                };
                inputs = inputs.checked_add(value)?;
            }
            let outputs = tx
                .output
                .iter()
                .try_fold(Amount::ZERO, |sum, o| sum.checked_add(o.value))?;
            total = total.checked_add(inputs.checked_sub(outputs)?)?;
            let txid = tx.compute_txid();
            for (vout, out) in (0u32..).zip(&tx.output) {
                in_block.insert(OutPoint::new(txid, vout), out.value);
            }
        }
        Some(total)
    }
}

/// A directory under `std::env::temp_dir()` with a name unique to this process and call,
/// created empty and removed (recursively) on drop.
#[derive(Debug)]
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!(
                "pegkit-kernel-{}-{n}-{nanos:09}",
                std::process::id()
            ));
            match std::fs::create_dir(&path) {
                Ok(()) => return TempDir(path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => panic!("cannot create {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

thread_local! {
    /// Collects the kernel's log lines emitted on this thread while `Some` (validation runs on
    /// the thread calling `process_block`, so parallel tests do not mix their lines).
    static LOG_CAPTURE: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

struct CaptureLog;

impl Log for CaptureLog {
    fn log(&self, message: &str) {
        LOG_CAPTURE.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                if let Some(lines) = c.as_mut() {
                    lines.push(message.trim_end().to_owned());
                }
            }
        });
    }
}

/// Connects the kernel's (process-wide) logging to [`LOG_CAPTURE`] once; the connection lives
/// as long as the process.
fn capture_kernel_log() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let options = bitcoinkernel::log::logging::LoggingOptions {
            log_timestamps: false,
            ..Default::default()
        };
        let logger = Logger::new_with_options(CaptureLog, options).expect("kernel log connection");
        std::mem::forget(logger);
    });
}
