#!/usr/bin/env node
// Signing benchmarks in Node: pegkit (wasm) against the JavaScript libraries wallets use, on the
// same transaction, in one run. Ratio = peer time / pegkit time (> 1: pegkit faster).
//
//   sighashes   the BIP341 script-path sighash of all 20 inputs of a 20-in/20-out transaction
//   federation  a 10-of-15 taproot federation spends 20 inputs: 10 members sign every input,
//               the 200 signatures are verified, the witnesses finalized
import os from 'node:os';
import * as pegkit from 'pegkit';
import * as btc from '@scure/btc-signer';
import * as bitcoinjs from 'bitcoinjs-lib';
import * as ecc from 'tiny-secp256k1';

const INPUTS = 20;

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
function group(name, impls, opts) {
  const results = impls.map(([label, fn, o]) => [label, measure(fn, o ?? opts)]);
  const base = results[0][1];
  for (const [label, ns] of results) rows.push({ name, label, ns, ratio: ns / base });
}

const fill = (n, b) => new Uint8Array(n).fill(b);
const sks = Array.from({ length: 15 }, (_, i) => fill(32, i + 1));
const xonly = sks.map((sk) => pegkit.schnorrPublicKey(sk));
const fed = new pegkit.Federation({ network: 'regtest', threshold: 10, publicKeys: xonly });
const [leaf] = fed.leaves;

// The unsigned 20-in/20-out spend, built by scure (so scure's PSBT flow starts from it too).
const tr = btc.p2tr(undefined, { script: leaf.script }, btc.TEST_NETWORK, true);
const amounts = Array.from({ length: INPUTS }, (_, i) => 100_000n + BigInt(i));
function scureTx() {
  const tx = new btc.Transaction({ version: 2, allowUnknownOutputs: true });
  for (let i = 0; i < INPUTS; i++) {
    tx.addInput({
      txid: fill(32, i),
      index: i,
      sequence: 0xfffffffd,
      witnessUtxo: { script: fed.scriptPubKey, amount: amounts[i] },
      tapLeafScript: tr.tapLeafScript,
    });
  }
  for (let i = 0; i < 20; i++) tx.addOutput({ script: Uint8Array.from([0x51, 0x20, ...fill(32, i)]), amount: 10_000n + BigInt(i) });
  return tx;
}
const unsigned = scureTx().unsignedTx;
const prevouts = amounts.map((amount) => ({ amount, scriptPubKey: fed.scriptPubKey }));
const spks = prevouts.map((p) => p.scriptPubKey);
const aux = fill(32, 9);

// --- sighashes -------------------------------------------------------------------------------
const bjsTx = bitcoinjs.Transaction.fromBuffer(Buffer.from(unsigned));
const leafHash = Buffer.from(leaf.leafHash);
const bjsSpks = spks.map((s) => Buffer.from(s));
const scureParsed = btc.Transaction.fromRaw(unsigned, { allowUnknownOutputs: true });
group(
  'taproot script-path sighash, all 20 inputs (20-in/20-out)',
  [
    ['pegkit `sighashesTaproot`', () => pegkit.sighashesTaproot(unsigned, prevouts, 0, { leafScript: leaf.script })],
    ['pegkit `sighashTaproot` x 20', () => {
      for (let i = 0; i < INPUTS; i++) pegkit.sighashTaproot(unsigned, i, prevouts, 0, { leafScript: leaf.script });
    }],
    ['bitcoinjs-lib `hashForWitnessV1` x 20', () => {
      for (let i = 0; i < INPUTS; i++) bjsTx.hashForWitnessV1(i, bjsSpks, amounts, 0, leafHash);
    }],
    ['@scure/btc-signer `preimageWitnessV1` x 20', () => {
      for (let i = 0; i < INPUTS; i++) scureParsed.preimageWitnessV1(i, spks, 0, amounts, -1, leaf.script, 0xc0);
    }],
  ],
  { iters: 200 },
);

// --- federation: sign, verify, finalize ------------------------------------------------------
const signers = sks.slice(0, 10);
const pegkitSign = () => signers.map((sk) => pegkit.signInputs(fed, unsigned, prevouts, sk, { auxRand: aux }));
const partials = pegkitSign();
const collect = (batch) => {
  const c = new pegkit.SignatureCollector(fed, unsigned, prevouts);
  c.batchVerification = batch;
  if (batch) {
    for (const r of c.addAll(partials)) if (r !== 'new') throw r;
  } else {
    for (const p of partials) c.add(p);
  }
  return c;
};

// bitcoinjs-lib + tiny-secp256k1: sighashes, sign, verify each signature, assemble witnesses.
const keyOrder = leaf.publicKeys.map((k) => Buffer.from(k).toString('hex'));
const bjsSighashes = () => Array.from({ length: INPUTS }, (_, i) => bjsTx.hashForWitnessV1(i, bjsSpks, amounts, 0, leafHash));
const bjsSign = () => {
  const msgs = bjsSighashes();
  return signers.map((sk) => ({
    key: Buffer.from(ecc.xOnlyPointFromScalar(sk)).toString('hex'),
    sigs: msgs.map((m) => ecc.signSchnorr(m, sk, aux)),
  }));
};
const bjsFinalize = (signed) => {
  const msgs = bjsSighashes();
  for (const { key, sigs } of signed) {
    const pk = Buffer.from(key, 'hex');
    sigs.forEach((s, i) => {
      if (!ecc.verifySchnorr(msgs[i], pk, s)) throw new Error('bad signature');
    });
  }
  const tx = bjsTx.clone();
  const bySlot = new Map(signed.map((s) => [keyOrder.indexOf(s.key), s.sigs]));
  for (let i = 0; i < INPUTS; i++) {
    const items = [];
    for (let slot = keyOrder.length - 1; slot >= 0; slot--) items.push(bySlot.has(slot) ? Buffer.from(bySlot.get(slot)[i]) : Buffer.alloc(0));
    tx.setWitness(i, [...items, Buffer.from(leaf.script), Buffer.from(leaf.controlBlock)]);
  }
  return tx.toBuffer();
};
const bjsSigned = bjsSign();

// @scure/btc-signer's PSBT flow: each member signs the transaction, then finalize (scure does not
// verify signatures it is given).
const scureFlow = () => {
  const tx = scureTx();
  for (const sk of signers) tx.sign(sk, undefined, aux);
  tx.finalize();
  return tx.extract();
};

group(
  '10-of-15 federation, 20 inputs: 10 members sign (200 signatures)',
  [
    ['pegkit `signInputs` x 10', pegkitSign],
    ['bitcoinjs-lib sighashes + tiny-secp256k1 `signSchnorr`', bjsSign],
  ],
  { iters: 3 },
);
group(
  '10-of-15 federation, 20 inputs: verify 200 signatures + finalize',
  [
    ['pegkit collector, batch verify + finalize', () => collect(true).finalize()],
    ['pegkit collector, one-by-one verify + finalize', () => collect(false).finalize()],
    ['bitcoinjs-lib + tiny-secp256k1 `verifySchnorr` + witnesses', () => bjsFinalize(bjsSigned)],
  ],
  { iters: 3 },
);
group(
  '10-of-15 federation, 20 inputs: sign + verify + finalize',
  [
    ['pegkit (batch verify)', () => {
      const c = new pegkit.SignatureCollector(fed, unsigned, prevouts);
      for (const r of c.addAll(pegkitSign())) if (r !== 'new') throw r;
      return c.finalize();
    }],
    ['bitcoinjs-lib + tiny-secp256k1', () => bjsFinalize(bjsSign())],
    ['@scure/btc-signer PSBT flow (no verification)', scureFlow, { iters: 1, rounds: 5 }],
  ],
  { iters: 3 },
);

const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`);
console.log(`Node ${process.versions.node}, ${os.cpus()[0].model}, ${os.cpus().length} CPUs; medians of 11 rounds (scure: 5)`);
let last = '';
for (const r of rows) {
  if (r.name !== last) {
    console.log(`\n${r.name}`);
    last = r.name;
  }
  console.log(`  ${r.label.padEnd(58)} ${fmt(r.ns).padStart(10)}  ratio ${r.ratio.toFixed(2)}`);
}
