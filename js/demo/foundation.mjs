#!/usr/bin/env node
// The main job, for now: real mainnet data through the npm package `pegkit` in Node.
//  1. decode block 830000 (header + all 1851 transactions), check every txid against the upstream
//     list and that every transaction re-encodes to its exact bytes;
//  2. sign and verify the BIP340 vectors that carry a secret key, and refuse a tampered one.
import { readFileSync } from 'node:fs';
import { decodeBlock, encodeTransaction, schnorrSign, schnorrVerify, schnorrPublicKey, PegkitError } from 'pegkit';

const vectors = new URL('../../tests/vectors/', import.meta.url);
const read = (p) => readFileSync(new URL(p, vectors), 'utf8');
const hex = (b) => Buffer.from(b).toString('hex');
let failures = 0;
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};

console.log('block 830000 (mainnet, tests/vectors/mainnet/mainnet_block_830000.hex)');
const raw = new Uint8Array(Buffer.from(read('mainnet/mainnet_block_830000.hex').trim(), 'hex'));
const upstream = JSON.parse(read('mainnet/mainnet_block_830000_txids.json'))['830000'];
const t0 = performance.now();
const block = decodeBlock(raw);
const ms = performance.now() - t0;
const { header, transactions } = block;
console.log(`  decoded ${raw.length} bytes in ${ms.toFixed(1)} ms: ${transactions.length} transactions`);
check(header.hash === upstream.hash, `header hash ${header.hash}`);
check(header.merkleRoot === upstream.merkle_root, `merkle root ${header.merkleRoot} (header field)`);
console.log(`  header: version 0x${(header.version >>> 0).toString(16)}, time ${new Date(header.time * 1000).toISOString()}, bits ${header.bits}, nonce ${header.nonce}`);
check(transactions.length === upstream.n_tx, `${transactions.length} transactions, upstream says ${upstream.n_tx}`);
const mismatched = transactions.filter((tx, i) => tx.txid !== upstream.txids[i]);
check(mismatched.length === 0, `${transactions.length - mismatched.length}/${transactions.length} txids equal the upstream txid list`);
let offset = 80 + 3; // header + CompactSize(1851) = 0xfd 0x3b 0x07
let reencoded = 0;
for (const tx of transactions) {
  const bytes = encodeTransaction(tx);
  if (hex(raw.subarray(offset, offset + bytes.length)) === hex(bytes)) reencoded++;
  offset += bytes.length;
}
check(reencoded === transactions.length && offset === raw.length, `${reencoded}/${transactions.length} transactions re-encode to their exact bytes, ${offset} of ${raw.length} bytes accounted for`);
const segwit = transactions.filter((t) => t.txid !== t.wtxid).length;
const weight = transactions.reduce((w, t) => w + t.weight, 0);
const coinbase = transactions[0].outputs.reduce((s, o) => s + o.amount, 0n);
console.log(`  ${segwit} segwit transactions; total weight ${weight} WU; coinbase pays ${coinbase} sat`);

console.log('BIP340 (tests/vectors/bips/bip340-test-vectors.csv)');
const rows = read('bips/bip340-test-vectors.csv').trim().split('\n').slice(1).map((l) => l.split(','));
for (const [index, sk, pk, aux, msg, sig] of rows.filter((r) => r[1] !== '')) {
  const ours = hex(schnorrSign(sk, msg, aux));
  const pub = hex(schnorrPublicKey(sk));
  const valid = schnorrVerify(pub, msg, ours);
  const tampered = new Uint8Array(Buffer.from(ours, 'hex'));
  tampered[63] ^= 1;
  check(ours === sig.toLowerCase() && pub === pk.toLowerCase() && valid && !schnorrVerify(pub, msg, tampered),
    `row ${index}: ${msg.length / 2}-byte message signed to the vector's signature, verifies, tampered copy refused`);
}
try {
  decodeBlock(raw.subarray(0, raw.length - 1));
  check(false, 'a truncated block is refused');
} catch (e) {
  check(e instanceof PegkitError && e.code === 'truncated', `a block missing its last byte is refused: ${e.code}: ${e.message}`);
}

console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) FAILED`);
process.exit(failures === 0 ? 0 : 1);
