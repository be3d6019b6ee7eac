// Signing through the npm package: sighash vectors, taproot and P2WSH federations signed,
// collected, finalized and checked, every refusal's code, and differentials against
// @scure/btc-signer (sighashes of random transactions; the federation's outputs, signatures and
// finalized witnesses built independently by scure) with @noble/curves verifying the signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as pegkit from 'pegkit';
import * as btc from '@scure/btc-signer';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { read, hex, bytes } from './vectors.mjs';

const require = createRequire(import.meta.url);
const { PegkitError } = pegkit;

/** An assert.throws predicate: a PegkitError with this code (and `inputIndex`, if given). */
const isCode = (code, inputIndex) => (e) => {
  assert.ok(e instanceof PegkitError && e instanceof Error, `${e} is a PegkitError`);
  assert.equal(e.code, code, e.message);
  if (inputIndex !== undefined) assert.equal(e.inputIndex, inputIndex, 'inputIndex');
  return true;
};

const cmp = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const eq = (a, b) => assert.equal(hex(a), hex(b));

// A seeded PRNG (mulberry32): the same cases on every run.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const int = (n) => next() % n;
  const randBytes = (n) => Uint8Array.from({ length: n }, () => next() & 0xff);
  const amount = () => (BigInt(next()) << 21n) ^ BigInt(next() >>> 11); // 0..2^53
  const pick = (list) => list[int(list.length)];
  return { next, int, randBytes, amount, pick };
}

// ---- vectors ----

test('exports', () => {
  for (const name of ['sighashLegacy', 'sighashSegwitV0', 'sighashTaproot', 'sighashesTaproot', 'tapLeafHash', 'Federation', 'SignatureCollector', 'signInputs', 'checkWitnesses', 'encodePartialSignatures', 'decodePartialSignatures']) {
    assert.equal(typeof pegkit[name], 'function', name);
    assert.equal(require('pegkit')[name], pegkit[name], `${name}: import and require share one instance`);
  }
});

test("Bitcoin Core's sighash.json: all 500 legacy sighashes", () => {
  const rows = JSON.parse(read('bitcoin-core/sighash.json')).slice(1);
  assert.equal(rows.length, 500);
  for (const [i, [tx, script, index, type, want]] of rows.entries()) {
    const got = pegkit.sighashLegacy(i % 2 ? bytes(tx) : tx, index, script, type);
    assert.equal(hex(got.reverse()), want, `row ${i}`);
  }
});

test('BIP143 examples: all 14', () => {
  const { vectors } = JSON.parse(read('bips/bip143-examples.json'));
  assert.equal(vectors.length, 14);
  for (const [i, v] of vectors.entries()) {
    const amount = i % 2 ? v.amount_sats : BigInt(v.amount_sats);
    assert.equal(hex(pegkit.sighashSegwitV0(v.tx, v.input_index, v.script_code, amount, v.sighash_type)), v.sighash, v.section);
  }
});

test('BIP341 wallet vectors: key-path sighashes and leaf hashes', () => {
  const v = JSON.parse(read('bips/bip341-wallet-test-vectors.json'));
  const { given, inputSpending } = v.keyPathSpending[0];
  const prevouts = given.utxosSpent.map((u) => ({ amount: BigInt(u.amountSats), scriptPubKey: u.scriptPubKey }));
  assert.equal(inputSpending.length, 7);
  for (const s of inputSpending) {
    const got = pegkit.sighashTaproot(given.rawUnsignedTx, s.given.txinIndex, prevouts, s.given.hashType);
    assert.equal(hex(got), s.intermediary.sigHash);
  }
  let leaves = 0;
  const walk = (tree, out) => (Array.isArray(tree) ? tree.forEach((t) => walk(t, out)) : tree && out.push(tree));
  for (const c of v.scriptPubKey) {
    if (!c.intermediary.leafHashes) continue;
    const found = [];
    walk(c.given.scriptTree, found);
    found.sort((a, b) => a.id - b.id);
    found.forEach((leaf, i) => {
      assert.equal(hex(pegkit.tapLeafHash(leaf.script, leaf.leafVersion)), c.intermediary.leafHashes[i]);
      leaves++;
    });
  }
  assert.ok(leaves >= 7);
});

// ---- differential: sighashes of random transactions against @scure/btc-signer ----

/** A well-formed script (scure's legacy code-separator stripping parses it): pushes, OP_n,
 *  OP_CODESEPARATORs and other opcodes. */
function randomScript(r) {
  const out = [];
  for (let n = r.int(12); n > 0; n--) {
    const kind = r.int(6);
    if (kind === 0) out.push(0xab);
    else if (kind === 1) {
      const len = 1 + r.int(75);
      out.push(len, ...r.randBytes(len));
    } else if (kind === 2) {
      const len = r.int(90);
      out.push(0x4c, len, ...r.randBytes(len));
    } else out.push(r.pick([0x00, 0x51, 0x60, 0x76, 0x87, 0xa9, 0xac, 0xad, 0xae, 0xba, 0xb2]));
  }
  return Uint8Array.from(out);
}

function randomTx(r) {
  const inputs = Array.from({ length: 1 + r.int(4) }, () => ({
    txid: hex(r.randBytes(32)),
    vout: r.next(),
    scriptSig: r.int(3) ? new Uint8Array(0) : randomScript(r),
    sequence: r.pick([0xffffffff, 0xfffffffd, 0, r.next()]),
    witness: r.int(3) ? [] : Array.from({ length: 1 + r.int(3) }, () => r.randBytes(r.int(80))),
  }));
  const outputs = Array.from({ length: r.int(4) }, () => ({ amount: r.amount(), scriptPubKey: randomScript(r) }));
  return pegkit.encodeTransaction({ version: r.pick([1, 2, 3, r.next()]), lockTime: r.pick([0, r.next()]), inputs, outputs });
}

const scureTx = (raw) =>
  btc.Transaction.fromRaw(raw, { allowUnknownOutputs: true, allowUnknownInputs: true, allowUnknownVersion: true, disableScriptCheck: true });

test('differential: 400 random transactions, legacy, BIP143 and BIP341 sighashes equal scure', (t) => {
  const r = prng(0x5eed);
  const counts = { legacy: 0, segwitV0: 0, taproot: 0, taprootScriptPath: 0, taprootAnnex: 0, singleRefused: 0 };
  for (let n = 0; n < 400; n++) {
    const raw = randomTx(r);
    const tx = scureTx(raw);
    const inputs = tx.inputsLength;
    const idx = r.int(inputs);

    // Legacy: any 32-bit type (scure takes it signed; pegkit either way).
    const legacyType = r.pick([1, 2, 3, 0x81, 0x82, 0x83, 0, r.next()]);
    const code = randomScript(r);
    const want = tx.preimageLegacy(idx, code, legacyType | 0);
    eq(pegkit.sighashLegacy(raw, idx, code, r.int(2) ? legacyType : legacyType | 0), want);
    counts.legacy++;

    // BIP143.
    const v0Type = r.pick([1, 2, 3, 0x81, 0x82, 0x83, r.next()]);
    const amount = r.amount();
    eq(pegkit.sighashSegwitV0(hex(raw), idx, code, amount, v0Type), tx.preimageWitnessV0(idx, code, v0Type, amount));
    counts.segwitV0++;

    // BIP341, key path or script path, with or without an annex.
    const prevouts = Array.from({ length: inputs }, () => ({ amount: r.amount(), scriptPubKey: r.randBytes(r.pick([22, 34, r.int(60)])) }));
    const type = r.pick([0, 1, 2, 3, 0x81, 0x82, 0x83]);
    const options = {};
    let scure = [];
    if (r.int(2)) {
      options.leafScript = randomScript(r);
      options.leafVersion = r.pick([0xc0, 0xc0, 0xc2, 0xfe, 2 * r.int(128)]);
      const codesep = r.int(2) ? -1 : r.int(1000);
      if (codesep !== -1 || r.int(2)) options.codesepPos = codesep >>> 0;
      scure = [codesep, options.leafScript, options.leafVersion];
      counts.taprootScriptPath++;
    }
    if (r.int(4) === 0) {
      options.annex = Uint8Array.from([0x50, ...r.randBytes(r.int(40))]);
      scure = [scure[0] ?? -1, scure[1], scure[2] ?? 0xc0, options.annex];
      counts.taprootAnnex++;
    }
    const args = [idx, prevouts.map((p) => p.scriptPubKey), type, prevouts.map((p) => p.amount), ...scure];
    const compute = () => pegkit.sighashTaproot(raw, idx, prevouts, type, options);
    if ((type & 3) === 3 && idx >= tx.outputsLength) {
      assert.throws(() => tx.preimageWitnessV1(...args));
      assert.throws(compute, isCode('sighash_single_out_of_range', idx));
      counts.singleRefused++;
    } else {
      eq(compute(), tx.preimageWitnessV1(...args));
      counts.taproot++;
    }
    // All inputs at once: the same hashes, or the first SIGHASH_SINGLE input without an output.
    const computeAll = () => pegkit.sighashesTaproot(raw, prevouts, type, options);
    if ((type & 3) === 3 && inputs > tx.outputsLength) {
      assert.throws(computeAll, isCode('sighash_single_out_of_range', tx.outputsLength));
    } else {
      const all = computeAll();
      assert.equal(all.length, inputs);
      eq(all[idx], compute());
    }
  }
  t.diagnostic(JSON.stringify(counts));
  assert.equal(counts.legacy, 400);
  assert.equal(counts.taproot + counts.singleRefused, 400);
  assert.ok(counts.taprootScriptPath > 150 && counts.taprootAnnex > 60 && counts.singleRefused > 10, JSON.stringify(counts));
});

// ---- federations ----

const secretKey = (i) => {
  const k = new Uint8Array(32);
  k[0] = 0x5a;
  k[31] = i;
  return k;
};
const sks = [1, 2, 3, 4, 5, 6, 7].map(secretKey);
const xonly = sks.map((k) => schnorr.getPublicKey(k));
const compressed = sks.map((k) => secp256k1.getPublicKey(k, true));
const sorted = (keys) => [...keys].sort(cmp);

/** A taproot 3-of-5 federation (keys 0-4), recovery 2 of keys 4-6 after 1008 blocks. */
function taprootFederation() {
  return new pegkit.Federation({
    network: 'testnet4',
    threshold: 3,
    publicKeys: [xonly[0], hex(xonly[1]), compressed[2], xonly[3], xonly[4]],
    recovery: { afterBlocks: 1008, threshold: 2, publicKeys: xonly.slice(4, 7) },
  });
}

test('taproot federation: the same output, leaves and control blocks as scure builds', () => {
  const fed = taprootFederation();
  assert.equal(fed.kind, 'taproot');
  assert.equal(fed.network, 'testnet4');
  assert.equal(fed.threshold, 3);
  assert.deepEqual(fed.publicKeys, sorted(xonly.slice(0, 5)));
  assert.equal(fed.witnessScript, undefined);
  // Independent scripts: scure's CHECKSIGADD multisig, and the recovery leaf by hand.
  const main = btc.p2tr_ms(3, sorted(xonly.slice(0, 5))).script;
  const [r1, r2, r3] = sorted(xonly.slice(4, 7));
  const recovery = btc.Script.encode([r1, 'CHECKSIG', r2, 'CHECKSIGADD', r3, 'CHECKSIGADD', 2, 'NUMEQUALVERIFY', 1008, 'CHECKSEQUENCEVERIFY']);
  const [leafMain, leafRecovery] = fed.leaves;
  assert.deepEqual(Object.keys(leafMain), ['role', 'threshold', 'publicKeys', 'script', 'leafHash', 'controlBlock', 'satisfactionWeight']);
  assert.deepEqual(
    { role: leafRecovery.role, threshold: leafRecovery.threshold, afterBlocks: leafRecovery.afterBlocks, publicKeys: leafRecovery.publicKeys },
    { role: 'recovery', threshold: 2, afterBlocks: 1008, publicKeys: [r1, r2, r3] },
  );
  eq(leafMain.script, main);
  eq(leafRecovery.script, recovery);
  // scure's taproot tree over the same leaves, with BIP341's H as internal key.
  const tr = btc.p2tr(undefined, [{ script: main }, { script: recovery }], btc.TEST_NETWORK, true);
  assert.equal(fed.address, tr.address);
  eq(fed.scriptPubKey, tr.script);
  eq(fed.outputKey, tr.tweakedPubkey);
  eq(fed.internalKey, tr.tapInternalKey);
  for (const leaf of fed.leaves) {
    const theirs = tr.leaves.find((l) => cmp(l.script, leaf.script) === 0);
    eq(leaf.controlBlock, theirs.controlBlock);
    eq(leaf.leafHash, pegkit.tapLeafHash(leaf.script));
  }
  assert.match(fed.descriptor, /^tr\(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,\{sortedmulti_a\(3,[0-9a-f,]+\),and_v\(v:multi_a\(2,[0-9a-f,]+\),older\(1008\)\)\}\)#[a-z0-9]{8}$/);
  // A caller's internal key: scure's p2tr with that key and the main leaf alone.
  const keyed = new pegkit.Federation({ network: 'mainnet', threshold: 2, publicKeys: xonly.slice(0, 3), internalKey: xonly[6] });
  const trKeyed = btc.p2tr(xonly[6], { script: btc.p2tr_ms(2, sorted(xonly.slice(0, 3))).script });
  assert.equal(keyed.address, trKeyed.address);
});

test('p2wsh federation: the same script and address as scure builds', () => {
  const fed = new pegkit.Federation({ network: 'testnet4', kind: 'p2wsh', threshold: 2, publicKeys: compressed.slice(0, 3) });
  const ms = btc.p2ms(2, sorted(compressed.slice(0, 3)));
  const wsh = btc.p2wsh(ms, btc.TEST_NETWORK);
  assert.equal(fed.kind, 'p2wsh');
  assert.equal(fed.address, wsh.address);
  eq(fed.scriptPubKey, wsh.script);
  eq(fed.witnessScript, ms.script);
  assert.deepEqual(fed.publicKeys, sorted(compressed.slice(0, 3)));
  assert.equal(fed.internalKey, undefined);
  assert.equal(fed.outputKey, undefined);
  assert.deepEqual(fed.leaves, []);
  assert.equal(fed.satisfactionWeight, 1 + 1 + 2 * 73 + 1 + 105);
  assert.match(fed.descriptor, /^wsh\(sortedmulti\(2,(0[23][0-9a-f]{64},?){3}\)\)#[a-z0-9]{8}$/);
});

/** A scure transaction spending `n` outputs of the federation to one P2WPKH output. */
function scureSpend(fed, n, input) {
  const tx = new btc.Transaction({ version: 2, allowUnknownOutputs: true });
  const amounts = Array.from({ length: n }, (_, i) => 50_000n * BigInt(i + 1));
  amounts.forEach((amount, i) => tx.addInput({ txid: hex(new Uint8Array(32).fill(i + 1)), index: i, sequence: 0xfffffffd, witnessUtxo: { script: fed.scriptPubKey, amount }, ...input }));
  tx.addOutput({ script: btc.p2wpkh(compressed[6]).script, amount: 40_000n });
  const prevouts = amounts.map((amount) => ({ amount, scriptPubKey: fed.scriptPubKey }));
  return { tx, unsigned: tx.unsignedTx, prevouts };
}

test('taproot 3-of-5: pegkit and scure sign alike, finalize to the same bytes, noble verifies', () => {
  const fed = taprootFederation();
  const [leaf] = fed.leaves;
  const tr = btc.p2tr(undefined, fed.leaves.map((l) => ({ script: l.script })), btc.TEST_NETWORK, true);
  const tapLeafScript = tr.tapLeafScript.filter(([, s]) => cmp(s.subarray(0, -1), leaf.script) === 0);
  const { tx: stx, unsigned, prevouts } = scureSpend(fed, 3, { tapLeafScript });
  const aux = new Uint8Array(32).fill(7);
  const signers = [4, 0, 2];

  const collector = new pegkit.SignatureCollector(fed, unsigned, prevouts);
  assert.equal(collector.threshold, 3);
  assert.equal(collector.batchVerification, true);
  for (const k of signers) {
    const partial = pegkit.signInputs(fed, unsigned, prevouts, sks[k], { auxRand: aux });
    eq(partial.publicKey, xonly[k]);
    assert.equal(partial.signatures.length, 3);
    // The wire encoding round-trips.
    assert.deepEqual(pegkit.decodePartialSignatures(pegkit.encodePartialSignatures(partial)), partial);
    assert.equal(collector.add(pegkit.decodePartialSignatures(pegkit.encodePartialSignatures(partial))), 'new');
    for (let i = 0; i < 3; i++) {
      assert.ok(stx.signIdx(sks[k], i, undefined, aux));
      const [[, theirs]] = stx.inputs[i].tapScriptSig.filter(([{ pubKey }]) => cmp(pubKey, xonly[k]) === 0);
      eq(partial.signatures[i], theirs);
    }
  }
  assert.equal(collector.isComplete, true);
  assert.deepEqual(collector.signers, sorted(signers.map((k) => xonly[k])));
  const done = collector.finalize();
  stx.finalize();
  eq(done.tx, stx.extract());
  assert.equal(done.txid, stx.id);
  assert.deepEqual(done.signers, collector.signers);
  pegkit.checkWitnesses(fed, done.tx, prevouts);

  // Every signature in the witnesses verifies (noble) over scure's script-path sighash.
  const keys = fed.publicKeys;
  const decoded = pegkit.decodeTransaction(done.tx);
  const all = pegkit.sighashesTaproot(done.tx, prevouts, 0, { leafScript: leaf.script });
  assert.equal(all.length, decoded.inputs.length);
  for (const [i, input] of decoded.inputs.entries()) {
    eq(all[i], pegkit.sighashTaproot(done.tx, i, prevouts, 0, { leafScript: leaf.script }));
    const msg = stx.preimageWitnessV1(i, prevouts.map((p) => p.scriptPubKey), 0, prevouts.map((p) => p.amount), -1, leaf.script, 0xc0);
    eq(pegkit.sighashTaproot(done.tx, i, prevouts, 0, { leafScript: leaf.script }), msg);
    const sigs = input.witness.slice(0, 5).reverse(); // one slot per key, in key order
    assert.equal(sigs.filter((s) => s.length === 64).length, 3);
    sigs.forEach((s, j) => s.length && assert.ok(schnorr.verify(s, msg, keys[j]), `input ${i} key ${j}`));
    eq(input.witness[5], leaf.script);
    eq(input.witness[6], leaf.controlBlock);
  }
});

test('taproot recovery leaf: signed once the relative lock is met', () => {
  const fed = taprootFederation();
  const leaf = fed.leaves[1];
  const { unsigned: early, prevouts } = scureSpend(fed, 2, { sequence: 1007 });
  assert.throws(() => pegkit.signInputs(fed, early, prevouts, sks[5], { leaf: 'recovery' }), isCode('csv_not_satisfied', 0));
  assert.throws(() => new pegkit.SignatureCollector(fed, early, prevouts, 'recovery'), isCode('csv_not_satisfied', 0));
  const { unsigned } = scureSpend(fed, 2, { sequence: 1008 });
  const collector = new pegkit.SignatureCollector(fed, unsigned, prevouts, 'recovery');
  assert.equal(collector.threshold, 2);
  // Without auxRand: fresh randomness per input.
  const a = pegkit.signInputs(fed, unsigned, prevouts, sks[6], { leaf: 'recovery' });
  const b = pegkit.signInputs(fed, unsigned, prevouts, sks[6], { leaf: 'recovery' });
  assert.notEqual(hex(a.signatures[0]), hex(b.signatures[0]));
  assert.throws(() => pegkit.signInputs(fed, unsigned, prevouts, sks[0], { leaf: 'recovery' }), isCode('not_a_member'));
  const results = collector.addAll([a, pegkit.signInputs(fed, unsigned, prevouts, sks[4], { leaf: 'recovery' }), b]);
  assert.deepEqual(results.slice(0, 2), ['new', 'new']);
  isCode('conflicting_signature', 0)(results[2]);
  const done = collector.finalize();
  pegkit.checkWitnesses(fed, done.tx, prevouts);
  const scripts = prevouts.map((p) => p.scriptPubKey);
  const amounts = prevouts.map((p) => p.amount);
  const stx = scureTx(done.tx);
  for (const [i, input] of pegkit.decodeTransaction(done.tx).inputs.entries()) {
    const msg = stx.preimageWitnessV1(i, scripts, 0, amounts, -1, leaf.script, 0xc0);
    const sigs = input.witness.slice(0, 3).reverse();
    const signed = (key) => collector.signers.some((k) => cmp(k, key) === 0);
    assert.deepEqual(sigs.map((s) => s.length), leaf.publicKeys.map((key) => (signed(key) ? 64 : 0)));
    sigs.forEach((s, j) => s.length && assert.ok(schnorr.verify(s, msg, leaf.publicKeys[j])));
    eq(input.witness[3], leaf.script);
  }
});

test('p2wsh 2-of-3: pegkit and scure sign alike (RFC 6979), finalize to the same bytes, noble verifies', () => {
  const fed = new pegkit.Federation({ network: 'testnet4', kind: 'p2wsh', threshold: 2, publicKeys: compressed.slice(0, 3) });
  const { tx: stx, unsigned, prevouts } = scureSpend(fed, 2, { witnessScript: fed.witnessScript });
  const collector = new pegkit.SignatureCollector(fed, unsigned, prevouts);
  collector.batchVerification = false;
  assert.equal(collector.batchVerification, false);
  const partials = [2, 0].map((k) => pegkit.signInputs(fed, unsigned, prevouts, sks[k]));
  assert.deepEqual(collector.addAll(partials), ['new', 'new']);
  for (const [n, k] of [2, 0].entries()) {
    eq(partials[n].publicKey, compressed[k]);
    for (let i = 0; i < 2; i++) {
      assert.ok(stx.signIdx(sks[k], i));
      const [[, theirs]] = stx.inputs[i].partialSig.filter(([pub]) => cmp(pub, compressed[k]) === 0);
      eq(partials[n].signatures[i], theirs);
    }
  }
  const done = collector.finalize();
  stx.finalize();
  eq(done.tx, stx.extract());
  pegkit.checkWitnesses(fed, done.tx, prevouts);
  const keys = fed.publicKeys.filter((k) => collector.signers.some((s) => cmp(s, k) === 0));
  for (const [i, input] of pegkit.decodeTransaction(done.tx).inputs.entries()) {
    const msg = stx.preimageWitnessV0(i, fed.witnessScript, 1, prevouts[i].amount);
    eq(pegkit.sighashSegwitV0(done.tx, i, fed.witnessScript, prevouts[i].amount, 1), msg);
    assert.equal(input.witness[0].length, 0);
    [1, 2].forEach((j) => assert.ok(secp256k1.verify(input.witness[j].slice(0, -1), msg, keys[j - 1], { prehash: false, format: 'der' })));
  }
});

// ---- refusals ----

test('Federation refusals are PegkitErrors with codes', () => {
  const base = { network: 'regtest', threshold: 2, publicKeys: xonly.slice(0, 3) };
  const cases = [
    [{ threshold: 4 }, 'invalid_threshold'],
    [{ publicKeys: [] }, 'no_keys'],
    [{ publicKeys: [xonly[0], compressed[0]] }, 'duplicate_key'],
    [{ publicKeys: [new Uint8Array(31)] }, 'invalid_length'],
    [{ publicKeys: ['ff'.repeat(32)] }, 'invalid_key'],
    [{ kind: 'p2wsh' }, 'invalid_key'], // x-only keys have no parity
    [{ kind: 'p2wsh', publicKeys: compressed.slice(0, 3), recovery: { afterBlocks: 5, threshold: 1, publicKeys: [xonly[3]] } }, 'taproot_only'],
    [{ kind: 'p2wsh', publicKeys: compressed.slice(0, 3), internalKey: xonly[3] }, 'taproot_only'],
    [{ kind: 'p2wsh', publicKeys: Array.from({ length: 21 }, (_, i) => secp256k1.getPublicKey(secretKey(i + 1))) }, 'too_many_keys'],
    [{ recovery: { afterBlocks: 0, threshold: 1, publicKeys: [xonly[3]] } }, 'invalid_timelock'],
    [{ recovery: { afterBlocks: 65536, threshold: 1, publicKeys: [xonly[3]] } }, 'invalid_timelock'],
    [{ recovery: { afterBlocks: 10, threshold: 2, publicKeys: [xonly[3]] } }, 'invalid_threshold'],
    [{ network: 'moonnet' }, 'invalid_argument'],
    [{ kind: 'p2tr' }, 'invalid_argument'],
    [{ threshold: 1.5 }, 'invalid_argument'],
  ];
  for (const [change, code] of cases) {
    assert.throws(() => new pegkit.Federation({ ...base, ...change }), isCode(code), JSON.stringify(change, (k, v) => (v instanceof Uint8Array ? hex(v) : v)));
  }
});

test('SignatureCollector refusals name the code and the input', () => {
  const fed = taprootFederation();
  const { unsigned, prevouts } = scureSpend(fed, 2, {});
  const collector = new pegkit.SignatureCollector(fed, unsigned, prevouts);
  const p0 = pegkit.signInputs(fed, unsigned, prevouts, sks[0], { auxRand: new Uint8Array(32) });
  const withSig = (p, i, sig) => ({ publicKey: p.publicKey, signatures: p.signatures.map((s, j) => (j === i ? sig : s)) });
  const flipped = Uint8Array.from(p0.signatures[1], (b, i) => (i === 40 ? b ^ 1 : b));

  assert.throws(() => pegkit.signInputs(fed, unsigned, prevouts, sks[6]), isCode('not_a_member'));
  assert.throws(() => collector.add({ publicKey: xonly[6], signatures: p0.signatures }), isCode('not_a_member'));
  assert.throws(() => collector.add({ publicKey: p0.publicKey, signatures: p0.signatures.slice(1) }), isCode('wrong_signature_count'));
  assert.throws(() => collector.add(withSig(p0, 1, p0.signatures[1].slice(0, 63))), isCode('invalid_length', 1));
  assert.throws(() => collector.add(withSig(p0, 1, Uint8Array.from([...p0.signatures[1], 0x83]))), isCode('invalid_sighash_type', 1));
  assert.throws(() => collector.add(withSig(p0, 1, flipped)), isCode('invalid_signature', 1));
  assert.throws(() => collector.add({ publicKey: p0.publicKey, signatures: [...p0.signatures].reverse() }), isCode('invalid_signature', 0));
  assert.equal(collector.signatureCount, 0, 'refused sets change nothing');
  assert.equal(collector.add(p0), 'new');
  assert.equal(collector.add({ publicKey: hex(p0.publicKey), signatures: p0.signatures.map(hex) }), 'already_had');
  const again = pegkit.signInputs(fed, unsigned, prevouts, sks[0], { auxRand: new Uint8Array(32).fill(1) });
  assert.throws(() => collector.add(again), isCode('conflicting_signature', 0));
  assert.throws(() => collector.finalize(), isCode('threshold_not_met'));

  // addAll: one entry per set, refusals returned (not thrown) in place.
  const p1 = pegkit.signInputs(fed, unsigned, prevouts, sks[1]);
  const results = collector.addAll([again, p1, withSig(pegkit.signInputs(fed, unsigned, prevouts, sks[2]), 0, flipped), p1]);
  assert.equal(results.length, 4);
  isCode('conflicting_signature', 0)(results[0]);
  assert.equal(results[1], 'new');
  isCode('invalid_signature', 0)(results[2]);
  assert.equal(results[3], 'already_had');
  assert.equal(collector.signatureCount, 2);
  assert.throws(() => collector.addAll([{ publicKey: 5 }]), isCode('invalid_argument'));
  assert.throws(() => collector.add('00'), isCode('invalid_argument'));

  // P2WSH: DER and its sighash byte.
  const wsh = new pegkit.Federation({ network: 'regtest', kind: 'p2wsh', threshold: 2, publicKeys: compressed.slice(0, 3) });
  const w = scureSpend(wsh, 1, {});
  const wc = new pegkit.SignatureCollector(wsh, w.unsigned, w.prevouts);
  const wp = pegkit.signInputs(wsh, w.unsigned, w.prevouts, sks[1]);
  const der = wp.signatures[0];
  assert.throws(() => wc.add(withSig(wp, 0, Uint8Array.from(der, (b, i) => (i === 1 ? b ^ 1 : b)))), isCode('invalid_der', 0));
  assert.throws(() => wc.add(withSig(wp, 0, Uint8Array.from(der, (b, i) => (i === der.length - 1 ? 0x81 : b)))), isCode('invalid_sighash_type', 0));
  assert.throws(() => wc.add(withSig(wp, 0, new Uint8Array(0))), isCode('invalid_length', 0));
  assert.throws(() => wc.add({ publicKey: compressed[0], signatures: wp.signatures }), isCode('invalid_signature', 0));
  assert.throws(() => pegkit.signInputs(wsh, w.unsigned, w.prevouts, sks[1], { leaf: 'recovery' }), isCode('no_such_leaf'));

  // Spends that are not the federation's.
  const foreign = [prevouts[0], { amount: 1n, scriptPubKey: '51' }];
  assert.throws(() => new pegkit.SignatureCollector(fed, unsigned, foreign), isCode('foreign_input', 1));
  assert.throws(() => pegkit.signInputs(fed, unsigned, foreign, sks[0]), isCode('foreign_input', 1));
  assert.throws(() => pegkit.signInputs(fed, unsigned, prevouts.slice(1), sks[0]), isCode('prevouts_mismatch'));
  assert.throws(() => pegkit.signInputs(fed, unsigned, prevouts, sks[0], { auxRand: new Uint8Array(31) }), isCode('invalid_length'));
  assert.throws(() => pegkit.signInputs(fed, unsigned, prevouts, sks[0], { leaf: 'side' }), isCode('invalid_argument'));
  assert.throws(() => pegkit.signInputs(fed, unsigned, prevouts, new Uint8Array(32)), isCode('invalid_secret_key'));
  assert.throws(() => pegkit.signInputs(fed, unsigned, [{ amount: 1.5, scriptPubKey: '51' }, prevouts[1]], sks[0]), isCode('invalid_argument'));
  // A getter that throws: its exception comes back, and the federation and collector borrowed
  // by the call stay usable.
  const boom = new Error('getter failed');
  const throwing = [prevouts[0], { get amount() { throw boom; }, scriptPubKey: fed.scriptPubKey }];
  assert.throws(() => pegkit.signInputs(fed, unsigned, throwing, sks[0]), (e) => e === boom);
  assert.throws(() => new pegkit.SignatureCollector(fed, unsigned, throwing), (e) => e === boom);
  assert.equal(pegkit.signInputs(fed, unsigned, prevouts, sks[0]).signatures.length, prevouts.length);
  assert.ok(new pegkit.SignatureCollector(fed, unsigned, prevouts));
});

test('checkWitnesses refuses tampered spends, naming the input', () => {
  const fed = taprootFederation();
  const { unsigned, prevouts } = scureSpend(fed, 2, {});
  const c = new pegkit.SignatureCollector(fed, unsigned, prevouts);
  c.addAll([0, 1, 2].map((k) => pegkit.signInputs(fed, unsigned, prevouts, sks[k])));
  const good = pegkit.decodeTransaction(c.finalize().tx);
  const broken = (i, change) => {
    const tx = structuredClone(good);
    change(tx.inputs[i].witness);
    return pegkit.encodeTransaction(tx);
  };
  assert.throws(() => pegkit.checkWitnesses(fed, unsigned, prevouts), isCode('unknown_script', 0));
  const slot = good.inputs[1].witness.findIndex((w) => w.length === 64);
  assert.throws(() => pegkit.checkWitnesses(fed, broken(1, (w) => (w[slot][5] ^= 1)), prevouts), isCode('invalid_signature', 1));
  assert.throws(() => pegkit.checkWitnesses(fed, broken(1, (w) => w.splice(slot, 1)), prevouts), isCode('wrong_witness_size', 1));
  assert.throws(() => pegkit.checkWitnesses(fed, broken(0, (w) => (w[6][33] ^= 1)), prevouts), isCode('wrong_control_block', 0));
  assert.throws(() => pegkit.checkWitnesses(fed, broken(0, (w) => w.push(Uint8Array.of(0x50))), prevouts), isCode('unexpected_annex', 0));
  assert.throws(() => pegkit.checkWitnesses(fed, broken(1, (w) => (w[slot] = new Uint8Array(0))), prevouts), isCode('wrong_signature_count', 1));
  assert.throws(() => pegkit.checkWitnesses(fed, broken(1, (w) => (w[slot] = Uint8Array.from([...w[slot], 0x02]))), prevouts), isCode('invalid_sighash_type', 1));
});

test('sighash refusals', () => {
  const v = JSON.parse(read('bips/bip341-wallet-test-vectors.json')).keyPathSpending[0].given;
  const prevouts = v.utxosSpent.map((u) => ({ amount: u.amountSats, scriptPubKey: u.scriptPubKey }));
  const tx = v.rawUnsignedTx;
  for (const type of [4, 0x80, 0x84, 0x100]) assert.throws(() => pegkit.sighashTaproot(tx, 0, prevouts, type), isCode('invalid_sighash_type'));
  assert.throws(() => pegkit.sighashTaproot(tx, 9, prevouts, 0), isCode('input_index_out_of_range', 9));
  assert.throws(() => pegkit.sighashTaproot(tx, 0, prevouts.slice(1), 0), isCode('prevouts_mismatch'));
  assert.throws(() => pegkit.sighashTaproot(tx, 0, prevouts, 0, { annex: '51' }), isCode('invalid_annex'));
  assert.throws(() => pegkit.sighashTaproot(tx, 0, prevouts, 0, { codesepPos: 3 }), isCode('invalid_argument'));
  assert.throws(() => pegkit.sighashesTaproot(tx, prevouts.slice(1), 0), isCode('prevouts_mismatch'));
  assert.throws(() => pegkit.sighashesTaproot(tx, prevouts, 0x84), isCode('invalid_sighash_type'));
  assert.throws(() => pegkit.sighashLegacy(tx, 9, '', 1), isCode('input_index_out_of_range', 9));
  assert.throws(() => pegkit.sighashLegacy(tx, 0, '', 2 ** 32), isCode('invalid_argument'));
  assert.throws(() => pegkit.sighashSegwitV0(tx, 0, '', 2n ** 63n, 1), isCode('invalid_argument'));
  assert.throws(() => pegkit.sighashSegwitV0('0100', 0, '', 1n, 1), isCode('truncated'));
  assert.throws(() => pegkit.tapLeafHash('51', 0xc1), isCode('invalid_argument'));
  assert.throws(() => pegkit.decodePartialSignatures('00'), isCode('truncated'));
});

test('prevouts: the packed fast path and the element-by-element path read the same values and refuse alike', () => {
  const v = JSON.parse(read('bips/bip341-wallet-test-vectors.json')).keyPathSpending[0].given;
  const tx = v.rawUnsignedTx;
  // Uint8Array scripts with bigint or safe-integer amounts take the packed path; a hex script
  // anywhere in the list sends the whole list element by element.
  const fast = v.utxosSpent.map((u) => ({ amount: BigInt(u.amountSats), scriptPubKey: bytes(u.scriptPubKey) }));
  const numbers = v.utxosSpent.map((u) => ({ amount: u.amountSats, scriptPubKey: bytes(u.scriptPubKey) }));
  const slow = v.utxosSpent.map((u) => ({ amount: BigInt(u.amountSats), scriptPubKey: u.scriptPubKey }));
  const mixed = fast.map((p, i) => (i === 1 ? slow[i] : p));
  const expected = pegkit.sighashesTaproot(tx, slow, 0).map(hex);
  assert.equal(expected.length, fast.length);
  for (const list of [fast, numbers, mixed]) {
    assert.deepEqual(pegkit.sighashesTaproot(tx, list, 0).map(hex), expected);
    list.forEach((_, i) => assert.equal(hex(pegkit.sighashTaproot(tx, i, list, 0)), expected[i]));
  }
  // Empty scripts and the extreme amounts are values, not errors.
  const edge = fast.map((p, i) => ({ amount: i === 0 ? (1n << 63n) - 1n : i === 1 ? -(1n << 63n) : p.amount, scriptPubKey: i === 2 ? new Uint8Array(0) : p.scriptPubKey }));
  const edgeSlow = edge.map((p) => ({ amount: p.amount, scriptPubKey: hex(p.scriptPubKey) }));
  assert.deepEqual(pegkit.sighashesTaproot(tx, edge, 0).map(hex), pegkit.sighashesTaproot(tx, edgeSlow, 0).map(hex));
  // What neither path accepts is refused with the element's name.
  const refuse = (i, p, pattern) => {
    const list = fast.map((q, j) => (j === i ? p : q));
    assert.throws(() => pegkit.sighashesTaproot(tx, list, 0), (e) => isCode('invalid_argument')(e) && pattern.test(e.message));
  };
  refuse(3, { amount: 1n << 63n, scriptPubKey: fast[3].scriptPubKey }, /prevouts\[3\]\.amount/);
  refuse(2, { amount: -(1n << 63n) - 1n, scriptPubKey: fast[2].scriptPubKey }, /prevouts\[2\]\.amount/);
  refuse(1, { amount: 1.5, scriptPubKey: fast[1].scriptPubKey }, /prevouts\[1\]\.amount/);
  refuse(0, { amount: 2 ** 53, scriptPubKey: fast[0].scriptPubKey }, /prevouts\[0\]\.amount/);
  refuse(4, { amount: '1', scriptPubKey: fast[4].scriptPubKey }, /prevouts\[4\]\.amount/);
  refuse(5, { amount: 1n, scriptPubKey: [0x51] }, /prevouts\[5\]\.scriptPubKey/);
  refuse(6, null, /prevouts\[6\]/);
  assert.throws(() => pegkit.sighashesTaproot(tx, { length: 0 }, 0), isCode('invalid_argument'));
});

test('packPrevouts (the fast path of wasm/js/objects.js): its record format, and undefined for every other form', async () => {
  const { packPrevouts, hashList } = await import('../../wasm/js/objects.js');
  const packed = packPrevouts([{ amount: 0x0102n, scriptPubKey: Uint8Array.of(0x51) }, { amount: -1, scriptPubKey: new Uint8Array(0) }]);
  assert.equal(hex(packed), '0201000000000000' + '01000000' + '51' + 'ffffffffffffffff' + '00000000');
  assert.equal(hex(packPrevouts([])), '');
  for (const list of [
    'x',
    { length: 0 },
    [null],
    [7],
    [{ amount: 1n, scriptPubKey: '51' }],
    [{ amount: 1n, scriptPubKey: [0x51] }],
    [{ amount: 1n << 63n, scriptPubKey: new Uint8Array(0) }],
    [{ amount: 2 ** 53, scriptPubKey: new Uint8Array(0) }],
    [{ amount: 0.5, scriptPubKey: new Uint8Array(0) }],
    [{ amount: '1', scriptPubKey: new Uint8Array(0) }],
  ]) {
    assert.equal(packPrevouts(list), undefined, JSON.stringify(list, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  }
  const hashes = hashList(Uint8Array.from({ length: 64 }, (_, i) => i));
  assert.deepEqual(hashes.map(hex), [hex(Uint8Array.from({ length: 32 }, (_, i) => i)), hex(Uint8Array.from({ length: 32 }, (_, i) => 32 + i))]);
});
