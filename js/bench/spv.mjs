#!/usr/bin/env node
// SPV benchmarks in Node: pegkit (wasm) against the same checks written with the JavaScript
// libraries wallets use, on the same real inputs, in one run. Ratio = peer time / pegkit time.
//
//   header chain   8065 mainnet headers 822528..830592: double SHA-256, proof of work against
//                  nBits, link to the parent, and the 4 retargets (Core's CalculateNextWorkRequired)
//   gettxoutproof  block 830000's 6 real proofs: decode and Core's partial-merkle-tree walk
//   merkle root    block 830000's 1851 txids
import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as pegkit from 'pegkit';
import { sha256 } from '@noble/hashes/sha2.js';
import * as bitcoinjs from 'bitcoinjs-lib';

const vectors = new URL('../../tests/vectors/mainnet/', import.meta.url);
const read = (p) => readFileSync(new URL(p, vectors), 'utf8');
const fromHex = (h) => new Uint8Array(Buffer.from(h, 'hex'));

function measure(fn, { iters, rounds = 11 }) {
  for (let i = 0; i < Math.max(1, iters >> 1); i++) fn();
  const per = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) fn();
    per.push(Number(process.hrtime.bigint() - t0) / iters);
  }
  per.sort((a, b) => a - b);
  return per[per.length >> 1];
}

const rows = [];
function group(name, unit, perSecond, impls, opts) {
  const results = impls.map(([label, fn]) => [label, measure(fn, opts)]);
  const base = results[0][1];
  for (const [label, ns] of results) rows.push({ name, label, ns, unit, value: perSecond / (ns / 1e9), ratio: ns / base });
}

// --- header chain ------------------------------------------------------------------------------
const headerHex = read('mainnet_headers_822528_830592.hex').trim().split('\n');
const headers = headerHex.map(fromHex);
const headerBytes = fromHex(headerHex.join(''));
const START = 822528;
const TIMESPAN = 14n * 24n * 60n * 60n;
const LIMIT = (1n << 224n) - 1n;

const le32 = (b, at) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24) >>> 0;
function bitsToTarget(bits) {
  const size = bits >>> 24;
  const word = BigInt(bits & 0x007fffff);
  return size <= 3 ? word >> BigInt(8 * (3 - size)) : word << BigInt(8 * (size - 3));
}
function targetToBits(t) {
  let size = Math.ceil(t.toString(2).length / 8);
  let compact = Number(size <= 3 ? (t << BigInt(8 * (3 - size))) : (t >> BigInt(8 * (size - 3)))) >>> 0;
  if (compact & 0x00800000) { compact >>>= 8; size += 1; }
  return (compact | (size << 24)) >>> 0;
}
function nextBits(lastBits, lastTime, firstTime) {
  let span = BigInt(lastTime - firstTime);
  if (span < TIMESPAN / 4n) span = TIMESPAN / 4n;
  if (span > TIMESPAN * 4n) span = TIMESPAN * 4n;
  let t = (bitsToTarget(lastBits) * span) / TIMESPAN;
  if (t > LIMIT) t = LIMIT;
  return targetToBits(t);
}
const hashToBigInt = (h) => BigInt('0x' + Buffer.from(h).reverse().toString('hex'));
const sameBytes = (a, aAt, b) => { for (let i = 0; i < 32; i++) if (a[aAt + i] !== b[i]) return false; return true; };

/** The window check with @noble/hashes for SHA-256 and BigInt for targets. */
function nobleChain() {
  let prevHash = null, firstTime = 0, lastTime = 0, lastBits = 0;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const hash = sha256(sha256(h));
    const bits = le32(h, 72), time = le32(h, 68);
    if (hashToBigInt(hash) > bitsToTarget(bits)) throw new Error('pow');
    if (prevHash && !sameBytes(h, 4, prevHash)) throw new Error('link');
    const height = START + i;
    if (i > 0) {
      const expected = height % 2016 === 0 ? nextBits(lastBits, lastTime, firstTime) : lastBits;
      if (bits !== expected) throw new Error(`bits at ${height}`);
    }
    if (height % 2016 === 0) firstTime = time;
    prevHash = hash; lastTime = time; lastBits = bits;
  }
  return prevHash;
}

/** The same with bitcoinjs-lib's Block (getHash, checkProofOfWork) for hashing and PoW. */
function bitcoinjsChain() {
  let prevHash = null, firstTime = 0, last = null;
  for (let i = 0; i < headers.length; i++) {
    const b = bitcoinjs.Block.fromBuffer(headers[i]);
    if (!b.checkProofOfWork()) throw new Error('pow');
    if (prevHash && !sameBytes(b.prevHash, 0, prevHash)) throw new Error('link');
    const height = START + i;
    if (last) {
      const expected = height % 2016 === 0 ? nextBits(last.bits, last.timestamp, firstTime) : last.bits;
      if (b.bits !== expected) throw new Error(`bits at ${height}`);
    }
    if (height % 2016 === 0) firstTime = b.timestamp;
    prevHash = b.getHash(); last = b;
  }
  return prevHash;
}

if (Buffer.from(nobleChain()).reverse().toString('hex') !== pegkit.HeaderChain.fromHeaders('mainnet', START, headerBytes).tip().hash
  || Buffer.from(bitcoinjsChain()).reverse().toString('hex') !== pegkit.blockHash(headers.at(-1))) {
  throw new Error('the JS checks disagree with pegkit');
}
group('header chain: 8065 headers (hash, PoW, link, retargets)', 'headers/s', headers.length, [
  ['pegkit HeaderChain.fromHeaders (+ MTP, versions, chainwork)', () => pegkit.HeaderChain.fromHeaders('mainnet', START, headerBytes)],
  ['@noble/hashes + BigInt', nobleChain],
  ['bitcoinjs-lib Block + BigInt retarget', bitcoinjsChain],
], { iters: 3 });

// --- gettxoutproof -----------------------------------------------------------------------------
const proofs = JSON.parse(read('mainnet_txoutproofs_830000.json')).entries.map((e) => fromHex(e.proof_hex));

/** Core's CPartialMerkleTree::ExtractMatches, in JS with @noble/hashes. */
function nobleTxOutProof(p) {
  let at = 0;
  const header = p.subarray(0, 80); at = 80;
  const txCount = le32(p, at); at += 4;
  const varint = () => { const n = p[at++]; if (n < 0xfd) return n; const v = p[at] | (p[at + 1] << 8); at += 2; return v; };
  const nHashes = varint();
  const hashes = [];
  for (let i = 0; i < nHashes; i++) { hashes.push(p.subarray(at, at + 32)); at += 32; }
  const nBytes = varint();
  const flags = p.subarray(at, at + nBytes); at += nBytes;
  if (at !== p.length || txCount === 0 || nHashes > txCount) throw new Error('bad proof');
  let bitsUsed = 0, hashesUsed = 0;
  const matches = [];
  const width = (h) => (txCount + (1 << h) - 1) >> h;
  const walk = (height, pos) => {
    const parent = (flags[bitsUsed >> 3] >> (bitsUsed & 7)) & 1; bitsUsed++;
    if (height === 0 || !parent) {
      const h = hashes[hashesUsed++];
      if (height === 0 && parent) matches.push(pos);
      return h;
    }
    const left = walk(height - 1, pos * 2);
    let right = left;
    if (pos * 2 + 1 < width(height - 1)) {
      right = walk(height - 1, pos * 2 + 1);
      if (Buffer.compare(left, right) === 0) throw new Error('CVE-2012-2459');
    }
    const buf = new Uint8Array(64); buf.set(left); buf.set(right, 32);
    return sha256(sha256(buf));
  };
  let height = 0; while (width(height) > 1) height++;
  const root = walk(height, 0);
  if (((bitsUsed + 7) >> 3) !== nBytes || hashesUsed !== nHashes) throw new Error('unused');
  if (!sameBytes(header, 36, root)) throw new Error('root');
  return matches;
}
for (const p of proofs) {
  if (nobleTxOutProof(p).join() !== pegkit.verifyTxOutProof(p).matches.map((m) => m.index).join()) throw new Error('proofs disagree');
}
group('gettxoutproof verify: 6 real proofs of block 830000', 'proofs/s', proofs.length, [
  ['pegkit verifyTxOutProof', () => proofs.forEach((p) => pegkit.verifyTxOutProof(p))],
  ['@noble/hashes (Core\'s walk in JS)', () => proofs.forEach(nobleTxOutProof)],
], { iters: 200 });

// --- merkle root ------------------------------------------------------------------------------
const ids = JSON.parse(read('mainnet_block_830000_txids.json'))['830000'];
const leaves = ids.txids.map((t) => fromHex(t).reverse());
function nobleMerkleRoot() {
  let level = leaves;
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      const buf = new Uint8Array(64);
      buf.set(level[i]); buf.set(level[i + 1] ?? level[i], 32);
      next.push(sha256(sha256(buf)));
    }
    level = next;
  }
  return Buffer.from(level[0]).reverse().toString('hex');
}
if (nobleMerkleRoot() !== ids.merkle_root || pegkit.merkleRoot(ids.txids).merkleRoot !== ids.merkle_root) throw new Error('roots');
group('merkle root of block 830000 (1851 txids)', 'roots/s', 1, [
  ['pegkit merkleRoot (from display-hex txids)', () => pegkit.merkleRoot(ids.txids)],
  ['@noble/hashes', nobleMerkleRoot],
], { iters: 20 });

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`pegkit SPV bench: Node ${process.version}, ${cpu} × ${os.cpus().length}, ${new Date().toISOString().slice(0, 10)}`);
console.log('median of rounds; ratio = peer time / pegkit time (> 1: pegkit faster)\n');
console.log('| operation | implementation | median | throughput | ratio |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const time = r.ns >= 1e6 ? `${(r.ns / 1e6).toFixed(2)} ms` : `${(r.ns / 1e3).toFixed(1)} µs`;
  const value = r.value >= 1e5 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(1);
  console.log(`| ${r.name} | ${r.label} | ${time} | ${value} ${r.unit} | ${r.ratio === 1 ? '1' : r.ratio.toFixed(2)} |`);
}
