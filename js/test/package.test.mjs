// The npm package through its ES module entry (`import … from 'pegkit'`), as a Node user gets it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as pegkit from 'pegkit';
import { bip340, coreTxs, block830000, block830000Txids, headers822528, hex, bytes } from './vectors.mjs';

const require = createRequire(import.meta.url);

test('exports', () => {
  for (const name of ['decodeTransaction', 'encodeTransaction', 'txid', 'wtxid', 'decodeHeader', 'encodeHeader', 'blockHash', 'decodeBlock', 'schnorrSign', 'schnorrVerify', 'schnorrPublicKey', 'PegkitError']) {
    assert.equal(typeof pegkit[name], 'function', name);
  }
  // import and require share one wasm instance.
  assert.equal(require('pegkit').decodeTransaction, pegkit.decodeTransaction);
});

test('BIP340: all 19 rows', () => {
  const rows = bip340();
  assert.equal(rows.length, 19);
  let signed = 0;
  for (const r of rows) {
    assert.equal(pegkit.schnorrVerify(r.publicKey, bytes(r.message), r.signature), r.valid, `row ${r.index} verify`);
    if (r.secretKey) {
      assert.equal(hex(pegkit.schnorrSign(r.secretKey, r.message, bytes(r.auxRand))), r.signature.toLowerCase(), `row ${r.index} sign`);
      assert.equal(hex(pegkit.schnorrPublicKey(bytes(r.secretKey))), r.publicKey.toLowerCase());
      signed++;
    }
  }
  assert.equal(signed, 8);
});

test('Bitcoin Core tx vectors: decode -> encode is byte-identical', () => {
  const txs = coreTxs();
  assert.equal(txs.length, 121 + 93);
  for (const { file, tx } of txs) {
    const decoded = pegkit.decodeTransaction(tx);
    assert.equal(hex(pegkit.encodeTransaction(decoded)), tx.toLowerCase(), file);
    assert.equal(decoded.size, tx.length / 2);
    for (const o of decoded.outputs) assert.equal(typeof o.amount, 'bigint');
  }
});

test('block 830000: 1851 transactions, every txid', () => {
  const block = pegkit.decodeBlock(block830000());
  const upstream = block830000Txids();
  assert.equal(block.header.hash, upstream.hash);
  assert.equal(block.header.merkleRoot, upstream.merkle_root);
  assert.deepEqual(block.transactions.map((t) => t.txid), upstream.txids);
  // As a hex string (3.4 million characters: it crosses as UTF-8 bytes, not as a string), the
  // same block; long strings that are not hex are refused at the same character as short ones.
  const hex = Buffer.from(block830000()).toString('hex');
  assert.deepEqual(pegkit.decodeBlock(hex.toUpperCase()).transactions.map((t) => t.txid), upstream.txids);
  const refused = (text, message) =>
    assert.throws(() => pegkit.decodeBlock(text), (e) => e instanceof pegkit.PegkitError && e.code === 'invalid_hex' && e.message === message);
  refused(hex.slice(0, 5000) + 'é' + hex.slice(5002, 9000), "block: invalid hex character '\\u{e9}' at position 5000");
  refused(hex.slice(0, 4999) + '\ud800' + hex.slice(5000, 9000), "block: invalid hex character '\\u{fffd}' at position 4999");
  refused(hex.slice(0, 8191), 'block: hex string has odd length 8191');
  // (Lengths count UTF-8 bytes, on both paths: 'é' is two.)
  refused(hex.slice(0, 5000) + 'é' + hex.slice(5001, 9000), 'block: hex string has odd length 9001');
  for (const text of ['é' + hex.slice(2, 64), 'é' + hex.slice(2, 9000)]) {
    assert.throws(() => pegkit.decodeBlock(text), /invalid hex character '\\u\{e9\}' at position 0/);
  }
});

test('headers 822528..830592 link', () => {
  const headers = headers822528();
  assert.equal(headers.length, 8065);
  let prev = null;
  for (const h of headers) {
    const d = pegkit.decodeHeader(h);
    if (prev) assert.equal(d.prevHash, prev);
    assert.deepEqual(pegkit.encodeHeader(d), h);
    prev = d.hash;
  }
});

test('errors are PegkitError instances with codes', () => {
  const cases = [
    [() => pegkit.decodeTransaction('0100'), 'truncated'],
    [() => pegkit.decodeTransaction('xyz1'), 'invalid_hex'],
    [() => pegkit.decodeTransaction(42), 'invalid_argument'],
    [() => pegkit.decodeHeader(new Uint8Array(79)), 'invalid_length'],
    [() => pegkit.schnorrSign(new Uint8Array(32), ''), 'invalid_secret_key'],
    [() => pegkit.schnorrVerify(new Uint8Array(33).fill(5), '', new Uint8Array(64)), 'invalid_key'],
  ];
  for (const [f, code] of cases) {
    assert.throws(f, (e) => e instanceof pegkit.PegkitError && e instanceof Error && e.name === 'PegkitError' && e.code === code, code);
  }
});

test('the web build (explicit init) throws the same PegkitError class', async () => {
  const web = await import('pegkit/web');
  web.initSync({ module: readFileSync(new URL('../pkg/web/pegkit_wasm_bg.wasm', import.meta.url)) });
  assert.equal(web.PegkitError, pegkit.PegkitError);
  assert.throws(() => web.decodeTransaction('0100'), (e) => e instanceof pegkit.PegkitError && e.code === 'truncated');
  const row = bip340()[0];
  assert.equal(hex(web.schnorrSign(row.secretKey, row.message, row.auxRand)), row.signature.toLowerCase());
});
