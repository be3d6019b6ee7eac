#!/usr/bin/env node
// Foundation benchmarks in Node: pegkit (wasm) against the JavaScript libraries wallets use, on
// the same inputs, in one run. Prints medians and ratios (peer time / pegkit time: > 1 means
// pegkit is faster). `npm --prefix js run bench` (after scripts/build-js.sh).
//
//   tx decoding          block 830000 (1.71 MB, 1851 txs): pegkit decodeBlock vs bitcoinjs-lib
//                        Block.fromBuffer (+ txids), and per-transaction decoding with
//                        @scure/btc-signer and bitcoinjs-lib
//   SHA-256d headers     8065 mainnet headers: pegkit blockHash vs @noble/hashes sha256∘sha256
//                        vs bitcoinjs-lib Block.fromBuffer(header).getId()
//   BIP340 sign/verify   32-byte message: pegkit vs @noble/curves schnorr vs tiny-secp256k1
//                        (libsecp256k1 compiled to wasm)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as pegkit from 'pegkit';
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as tiny from 'tiny-secp256k1';
import * as bitcoinjs from 'bitcoinjs-lib';
import * as btc from '@scure/btc-signer';

const vectors = new URL('../../tests/vectors/', import.meta.url);
const read = (p) => readFileSync(new URL(p, vectors), 'utf8');
const fromHex = (h) => new Uint8Array(Buffer.from(h, 'hex'));

/** Median time per call in ns: `rounds` rounds of `iters` calls after a warm-up. */
function measure(fn, { iters, rounds = 15, warmup = Math.max(1, Math.ceil(iters / 4)) }) {
  for (let i = 0; i < warmup; i++) fn();
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
function group(name, unit, scale, impls, opts) {
  const results = impls.map(([label, fn]) => [label, measure(fn, opts)]);
  const base = results[0][1];
  for (const [label, ns] of results) {
    rows.push({ name, label, ns, unit, value: scale(ns), ratio: ns / base });
  }
}

// --- tx decoding -------------------------------------------------------------------------------
const block = fromHex(read('mainnet/mainnet_block_830000.hex').trim());
const mb = block.length / 1e6;
const decoded = pegkit.decodeBlock(block);
const txBytes = decoded.transactions.map((t) => pegkit.encodeTransaction(t));
const txMb = txBytes.reduce((n, t) => n + t.length, 0) / 1e6;
const scureOpts = { allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true, allowLegacyWitnessUtxo: true };
// Sanity: every library decodes the same transactions to the same txids.
const bjsBlock = bitcoinjs.Block.fromBuffer(block);
if (bjsBlock.transactions.map((t) => t.getId()).join() !== decoded.transactions.map((t) => t.txid).join()) {
  throw new Error('bitcoinjs-lib disagrees on txids');
}
if (btc.Transaction.fromRaw(txBytes[1], scureOpts).id !== decoded.transactions[1].txid) {
  throw new Error('@scure/btc-signer disagrees on a txid');
}

const mbps = (bytes) => (ns) => bytes / (ns / 1e9);
group('decode block 830000 (+ txids)', 'MB/s', mbps(mb), [
  ['pegkit decodeBlock', () => pegkit.decodeBlock(block)],
  ['bitcoinjs-lib Block.fromBuffer + getId', () => bitcoinjs.Block.fromBuffer(block).transactions.map((t) => t.getId())],
], { iters: 3, rounds: 9 });
group('decode 1851 transactions one by one (+ txid)', 'MB/s', mbps(txMb), [
  ['pegkit decodeTransaction', () => txBytes.forEach((t) => pegkit.decodeTransaction(t))],
  ['pegkit txid', () => txBytes.forEach((t) => pegkit.txid(t))],
  ['bitcoinjs-lib Transaction.fromBuffer + getId', () => txBytes.forEach((t) => bitcoinjs.Transaction.fromBuffer(t).getId())],
  ['@scure/btc-signer Transaction.fromRaw + id', () => txBytes.forEach((t) => btc.Transaction.fromRaw(t, scureOpts).id)],
], { iters: 3, rounds: 9 });

// --- header hashing ----------------------------------------------------------------------------
const headers = read('mainnet/mainnet_headers_822528_830592.hex').trim().split('\n').map(fromHex);
const perSec = (n) => (ns) => n / (ns / 1e9);
group(`SHA-256d of ${headers.length} headers`, 'headers/s', perSec(headers.length), [
  ['pegkit blockHash (display hex)', () => headers.forEach((h) => pegkit.blockHash(h))],
  ['@noble/hashes sha256(sha256(h)) (bytes)', () => headers.forEach((h) => sha256(sha256(h)))],
  ['bitcoinjs-lib Block.fromBuffer(h).getId()', () => headers.forEach((h) => bitcoinjs.Block.fromBuffer(h).getId())],
], { iters: 3, rounds: 11 });

// --- BIP340 ------------------------------------------------------------------------------------
const sk = fromHex('b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef');
const msg = fromHex('243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89');
const aux = fromHex('0000000000000000000000000000000000000000000000000000000000000001');
const pk = pegkit.schnorrPublicKey(sk);
const sig = pegkit.schnorrSign(sk, msg, aux);
const same = (a, b) => Buffer.from(a).equals(Buffer.from(b));
if (!same(schnorr.sign(msg, sk, aux), sig) || !same(tiny.signSchnorr(msg, sk, aux), sig)) throw new Error('signatures differ');
if (!schnorr.verify(sig, msg, pk) || !tiny.verifySchnorr(msg, pk, sig) || !pegkit.schnorrVerify(pk, msg, sig)) throw new Error('verify');

const us = (ns) => ns / 1e3;
group('BIP340 sign', 'µs', us, [
  ['pegkit schnorrSign', () => pegkit.schnorrSign(sk, msg, aux)],
  ['tiny-secp256k1 signSchnorr', () => tiny.signSchnorr(msg, sk, aux)],
  ['@noble/curves schnorr.sign', () => schnorr.sign(msg, sk, aux)],
], { iters: 100 });
group('BIP340 verify', 'µs', us, [
  ['pegkit schnorrVerify', () => pegkit.schnorrVerify(pk, msg, sig)],
  ['tiny-secp256k1 verifySchnorr', () => tiny.verifySchnorr(msg, pk, sig)],
  ['@noble/curves schnorr.verify', () => schnorr.verify(sig, msg, pk)],
], { iters: 100 });

// --- report ------------------------------------------------------------------------------------
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`pegkit foundation bench: Node ${process.version}, ${cpu} × ${os.cpus().length}, ${new Date().toISOString().slice(0, 10)}`);
console.log('median of rounds; ratio = peer time / pegkit time (> 1: pegkit faster)\n');
console.log('| operation | implementation | median | throughput | ratio |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const time = r.ns >= 1e6 ? `${(r.ns / 1e6).toFixed(2)} ms` : `${(r.ns / 1e3).toFixed(1)} µs`;
  const value = r.unit === 'µs' ? '' : `${r.value >= 1e5 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(1)} ${r.unit}`;
  console.log(`| ${r.name} | ${r.label} | ${time} | ${value} | ${r.ratio === 1 ? '1' : r.ratio.toFixed(2)} |`);
}
