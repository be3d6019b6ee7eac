// SPV through the npm package: HeaderChain, merkle functions, gettxoutproof, peg-ins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pegkit from 'pegkit';
import { block830000, block830000Txids, headers822528, headers822528Bytes, txoutproofs830000, retargetBoundaries, hex, bytes } from './vectors.mjs';

const isCode = (code) => (e) => e instanceof pegkit.PegkitError && e.code === code;

test('HeaderChain.fromHeaders on the real 8065-header window', () => {
  const chain = pegkit.HeaderChain.fromHeaders('mainnet', 822528, headers822528Bytes());
  const tip = chain.tip();
  const cw = (h) => BigInt(retargetBoundaries().find((e) => e.height === h).chainwork);
  assert.equal(tip.height, 830592);
  assert.equal(typeof tip.chainwork, 'bigint');
  assert.equal(tip.chainwork, cw(830592) - cw(822527));
  const h830000 = block830000Txids().hash;
  assert.equal(chain.confirmations(h830000), 593);
  assert.equal(chain.get(h830000).height, 830000);
  assert.equal(chain.headerAt(830000).hash, h830000);
  assert.equal(chain.confirmations('00'.repeat(32)), undefined);
  // Same as an array of hex strings.
  const again = pegkit.HeaderChain.fromHeaders('mainnet', 822528, headers822528().map(hex));
  assert.equal(again.tip().hash, tip.hash);
});

test('HeaderChain with full history, incremental batches, save and restore', () => {
  const headers = headers822528();
  const b = retargetBoundaries();
  const chainwork0 = BigInt(b.find((e) => e.height === 822527).chainwork);
  const first = pegkit.HeaderChain.fromHeaders('mainnet', 822528, headers.slice(0, 12));
  const anchorWork = chainwork0 + first.tip().chainwork;
  const chain = new pegkit.HeaderChain('mainnet', {
    height: 822539,
    header: headers[11],
    chainwork: anchorWork,
    prevTimes: headers.slice(0, 11).map((h) => pegkit.decodeHeader(h).time),
    periodStart: { time: pegkit.decodeHeader(headers[0]).time, bits: pegkit.decodeHeader(headers[0]).bits },
  });
  for (let i = 12; i < headers.length; i += 2000) {
    const s = chain.addHeaders(headers.slice(i, i + 2000));
    assert.equal(s.reorg, null);
  }
  assert.equal(chain.tip().chainwork, BigInt(b.find((e) => e.height === 830592).chainwork));
  const restored = pegkit.HeaderChain.restore('mainnet', chain.serialize());
  assert.deepEqual(restored.tip(), chain.tip());
  assert.ok(chain.storedHeaders <= 2 * 4032 + 65 + 4032);
  // A header that breaks a rule names its position in the batch.
  const bad = new Uint8Array(headers[100]);
  bad[79] ^= 1;
  assert.throws(() => chain.addHeaders([headers[8000], bad]), (e) => isCode('high_hash')(e) && e.index === 1);
  assert.throws(() => pegkit.HeaderChain.restore('mainnet', new Uint8Array(10)), isCode('invalid_state'));
  assert.throws(() => pegkit.HeaderChain.restore('testnet4', chain.serialize()), isCode('invalid_state'));
  assert.throws(() => new pegkit.HeaderChain('moonnet', {}), isCode('invalid_argument'));
});

test('gettxoutproof: the 6 real proofs, rebuilt byte for byte', () => {
  const block = pegkit.decodeBlock(block830000());
  const txids = block.transactions.map((t) => t.txid);
  for (const p of txoutproofs830000()) {
    const v = pegkit.verifyTxOutProof(p.proof_hex);
    assert.equal(v.blockHash, p.block_hash);
    assert.equal(v.txCount, 1851);
    assert.deepEqual(v.matches, p.tx_indexes.map((index, i) => ({ index, txid: p.txids[i] })));
    const built = pegkit.buildTxOutProof(pegkit.encodeHeader(block.header), txids, p.tx_indexes);
    assert.equal(hex(built), p.proof_hex);
  }
  assert.throws(() => pegkit.verifyTxOutProof(txoutproofs830000()[0].proof_hex + '00'), isCode('trailing_bytes'));
});

test('merkle root, proof and verify on block 830000', () => {
  const txids = block830000Txids().txids;
  const { merkleRoot, mutated } = pegkit.merkleRoot(txids);
  assert.equal(merkleRoot, block830000Txids().merkle_root);
  assert.equal(mutated, false);
  for (const i of [0, 1, 2, 1000, 1849, 1850]) {
    const p = pegkit.merkleProof(txids, i);
    assert.ok(pegkit.verifyMerkleProof(txids[i], i, p.branch, merkleRoot));
    assert.ok(!pegkit.verifyMerkleProof(txids[i], i ^ 2, p.branch, merkleRoot), 'wrong position');
    const swapped = [p.branch[1], p.branch[0], ...p.branch.slice(2)];
    assert.ok(!pegkit.verifyMerkleProof(txids[i], i, swapped, merkleRoot), 'swapped siblings');
    assert.ok(!pegkit.verifyMerkleProof(txids[i], i + (1 << p.branch.length), p.branch, merkleRoot), 'index too large');
  }
  assert.throws(() => pegkit.merkleProof(txids, 1851), isCode('index_out_of_range'));
  assert.throws(() => pegkit.merkleRoot([]), isCode('no_transactions'));
  // The joined fast path and the element-by-element path: the same root, and errors that name
  // the element (a 64-character string that is not hex, a non-ASCII one, a short one, a number).
  const upper = txids.map((t, i) => (i % 2 ? t.toUpperCase() : t));
  assert.equal(pegkit.merkleRoot(upper).merkleRoot, merkleRoot);
  const named = (i, bad, code) => {
    const list = txids.slice(0, 8);
    list[i] = bad;
    assert.throws(() => pegkit.merkleRoot(list), (e) => isCode(code)(e) && e.message.includes(`txids[${i}]`));
  };
  named(5, 'g'.repeat(64), 'invalid_hex');
  named(3, 'é'.repeat(64), 'invalid_hex');
  named(1, 'a'.repeat(63) + '\ud800', 'invalid_hex'); // a lone surrogate: 64 UTF-16 units, 66 UTF-8 bytes
  named(2, txids[2].slice(2), 'invalid_length');
  named(7, 7, 'invalid_argument');
});

test('verifyPegIn: a real mainnet peg-in-shaped proof, and refusals', () => {
  const block = pegkit.decodeBlock(block830000());
  const tx = block.transactions[1];
  const proof = txoutproofs830000()[1].proof_hex;
  const chain = pegkit.HeaderChain.fromHeaders('mainnet', 822528, headers822528Bytes());
  const federation = tx.outputs[0].scriptPubKey;
  const v = pegkit.verifyPegIn(chain, { tx: pegkit.encodeTransaction(tx), proof, federationScriptPubkeys: [federation] });
  const paid = tx.outputs.filter((o) => hex(o.scriptPubKey) === hex(federation)).reduce((s, o) => s + o.amount, 0n);
  assert.equal(v.txid, tx.txid);
  assert.equal(v.height, 830000);
  assert.equal(v.confirmations, 593);
  assert.equal(v.total, paid);
  assert.equal(v.credited, paid - 1000n);
  assert.equal(v.weakSpv, false);
  const req = { tx: pegkit.encodeTransaction(tx), proof, federationScriptPubkeys: [federation] };
  assert.throws(() => pegkit.verifyPegIn(chain, { ...req, policy: { minConfirmations: 594 } }), isCode('insufficient_confirmations'));
  assert.throws(() => pegkit.verifyPegIn(chain, { ...req, federationScriptPubkeys: ['51'] }), isCode('no_federation_output'));
  assert.throws(() => pegkit.verifyPegIn(chain, { ...req, policy: { maxAmount: paid - 1n } }), isCode('amount_above_maximum'));
  const other = pegkit.encodeTransaction(block.transactions[2]);
  assert.throws(() => pegkit.verifyPegIn(chain, { ...req, tx: other }), isCode('tx_not_in_proof'));
  const short = pegkit.HeaderChain.fromHeaders('mainnet', 822528, headers822528Bytes().subarray(0, 80 * 7000));
  assert.throws(() => pegkit.verifyPegIn(short, req), isCode('block_not_in_chain'));
});
