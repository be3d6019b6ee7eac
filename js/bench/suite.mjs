// The benchmark suite, environment-neutral: the same workloads run in Node (bench/run.mjs) and in
// headless Chromium (bench/browser-entry.mjs, bundled by run.mjs). pegkit (whichever entry the
// environment loads), the data loader and the clock are passed in; the peers are imported here and
// resolved by Node or by the bundler. Nothing here touches Node's Buffer, fs or process.
//
// Peers, on the same inputs: @noble/hashes + @noble/curves + @scure/btc-signer (one stack) and
// bitcoinjs-lib + tiny-secp256k1 (libsecp256k1 compiled to wasm; the other stack).
//
// Each case belongs to a topic (foundation, spv, signing); the `main` ones are the operations the
// README's table shows: header chain, gettxoutproof, BIP340 sign and verify, all taproot
// sighashes of a 20-in/20-out transaction, the 10-of-15 × 20-input federation.
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import * as btc from '@scure/btc-signer';
import * as bitcoinjs from 'bitcoinjs-lib';
import * as tiny from 'tiny-secp256k1';

export const TOPICS = ['foundation', 'spv', 'signing'];

// --- bytes ------------------------------------------------------------------------------------
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export function fromHex(h) {
  const out = new Uint8Array(h.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}
export function toHex(b) {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}
const reversedHex = (b) => toHex(Uint8Array.from(b).reverse());
function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const sameAt = (a, aAt, b) => {
  for (let i = 0; i < 32; i++) if (a[aAt + i] !== b[i]) return false;
  return true;
};
const fill = (n, b) => new Uint8Array(n).fill(b);
const le32 = (b, at) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
const check = (ok, what) => {
  if (!ok) throw new Error(`sanity check failed: ${what}`);
};

// --- measuring --------------------------------------------------------------------------------
/** Every round lasts at least this long (ms): Chromium's performance.now() is coarse (100 µs). */
const ROUND_MS = 25;
/** Warm-up (ms) before the rounds, at least 2 calls. */
const WARMUP_MS = 150;
/** Rounds per implementation, fewer for slow ones so that one implementation takes ≈ 3 s at most. */
const ROUNDS = 11;
const MIN_ROUNDS = 5;
const BUDGET_MS = 3000;

/** Median time per call (ns) of `fn`, with as many calls per round as make a round ≥ ROUND_MS. */
function measure(fn, now) {
  let t0 = now();
  let calls = 0;
  do {
    fn();
    calls++;
  } while (calls < 2 || now() - t0 < WARMUP_MS);
  // Per-call estimate from the last call alone would be noisy; use the warm-up's average.
  const estimate = (now() - t0) / calls;
  const iters = Math.max(1, Math.ceil(ROUND_MS / estimate));
  const rounds = Math.max(MIN_ROUNDS, Math.min(ROUNDS, Math.floor(BUDGET_MS / (iters * estimate))));
  const per = [];
  for (let r = 0; r < rounds; r++) {
    t0 = now();
    for (let i = 0; i < iters; i++) fn();
    per.push(((now() - t0) / iters) * 1e6);
  }
  per.sort((a, b) => a - b);
  return { ns: per[per.length >> 1], iters, rounds };
}

// --- the cases --------------------------------------------------------------------------------
// Each case: id, topic, main, and setup(ctx) → { name, per?: [count, unit], impls: [[label, fn]] }.
// The first implementation is pegkit's: ratio = peer time / that time (> 1: pegkit faster).
// setup runs the cross-implementation sanity checks once, outside the timing.

const HEADERS_FILE = 'mainnet_headers_822528_830592.hex';
const START = 822528;

async function headerData(ctx) {
  ctx.headerHex ??= (await ctx.load(HEADERS_FILE)).trim().split('\n');
  ctx.headers ??= ctx.headerHex.map(fromHex);
  return ctx;
}

// Core's retarget (CalculateNextWorkRequired) with BigInt, shared by both JS header chains.
const TIMESPAN = 14n * 24n * 60n * 60n;
const POW_LIMIT = (1n << 224n) - 1n;
function bitsToTarget(bits) {
  const size = bits >>> 24;
  const word = BigInt(bits & 0x007fffff);
  return size <= 3 ? word >> BigInt(8 * (3 - size)) : word << BigInt(8 * (size - 3));
}
function targetToBits(t) {
  let size = Math.ceil(t.toString(2).length / 8);
  let compact = Number(size <= 3 ? t << BigInt(8 * (3 - size)) : t >> BigInt(8 * (size - 3))) >>> 0;
  if (compact & 0x00800000) {
    compact >>>= 8;
    size += 1;
  }
  return (compact | (size << 24)) >>> 0;
}
function nextBits(lastBits, lastTime, firstTime) {
  let span = BigInt(lastTime - firstTime);
  if (span < TIMESPAN / 4n) span = TIMESPAN / 4n;
  if (span > TIMESPAN * 4n) span = TIMESPAN * 4n;
  let t = (bitsToTarget(lastBits) * span) / TIMESPAN;
  if (t > POW_LIMIT) t = POW_LIMIT;
  return targetToBits(t);
}
const hashToBigInt = (h) => BigInt('0x' + reversedHex(h));

/** The window check with @noble/hashes for SHA-256 and BigInt for targets; returns the tip hash. */
function nobleChain(headers) {
  let prevHash = null;
  let firstTime = 0;
  let lastTime = 0;
  let lastBits = 0;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const hash = sha256(sha256(h));
    const bits = le32(h, 72);
    const time = le32(h, 68);
    if (hashToBigInt(hash) > bitsToTarget(bits)) throw new Error('pow');
    if (prevHash && !sameAt(h, 4, prevHash)) throw new Error('link');
    const height = START + i;
    if (i > 0) {
      const expected = height % 2016 === 0 ? nextBits(lastBits, lastTime, firstTime) : lastBits;
      if (bits !== expected) throw new Error(`bits at ${height}`);
    }
    if (height % 2016 === 0) firstTime = time;
    prevHash = hash;
    lastTime = time;
    lastBits = bits;
  }
  return prevHash;
}

/** The same with bitcoinjs-lib's Block (getHash, checkProofOfWork) for hashing and PoW. */
function bitcoinjsChain(headers) {
  let prevHash = null;
  let firstTime = 0;
  let last = null;
  for (let i = 0; i < headers.length; i++) {
    const b = bitcoinjs.Block.fromBuffer(headers[i]);
    if (!b.checkProofOfWork()) throw new Error('pow');
    if (prevHash && !sameAt(b.prevHash, 0, prevHash)) throw new Error('link');
    const height = START + i;
    if (last) {
      const expected = height % 2016 === 0 ? nextBits(last.bits, last.timestamp, firstTime) : last.bits;
      if (b.bits !== expected) throw new Error(`bits at ${height}`);
    }
    if (height % 2016 === 0) firstTime = b.timestamp;
    prevHash = b.getHash();
    last = b;
  }
  return prevHash;
}

/** Core's CPartialMerkleTree::ExtractMatches in JS, with `hash256` = double SHA-256 of 64 bytes. */
function jsTxOutProof(p, hash256) {
  let at = 80;
  const header = p.subarray(0, 80);
  const txCount = le32(p, at);
  at += 4;
  const varint = () => {
    const n = p[at++];
    if (n < 0xfd) return n;
    const v = p[at] | (p[at + 1] << 8);
    at += 2;
    return v;
  };
  const nHashes = varint();
  const hashes = [];
  for (let i = 0; i < nHashes; i++) {
    hashes.push(p.subarray(at, at + 32));
    at += 32;
  }
  const nBytes = varint();
  const flags = p.subarray(at, at + nBytes);
  at += nBytes;
  if (at !== p.length || txCount === 0 || nHashes > txCount) throw new Error('bad proof');
  let bitsUsed = 0;
  let hashesUsed = 0;
  const matches = [];
  const width = (h) => (txCount + (1 << h) - 1) >> h;
  const walk = (height, pos) => {
    const parent = (flags[bitsUsed >> 3] >> (bitsUsed & 7)) & 1;
    bitsUsed++;
    if (height === 0 || !parent) {
      const h = hashes[hashesUsed++];
      if (height === 0 && parent) matches.push(pos);
      return h;
    }
    const left = walk(height - 1, pos * 2);
    let right = left;
    if (pos * 2 + 1 < width(height - 1)) {
      right = walk(height - 1, pos * 2 + 1);
      if (equalBytes(left, right)) throw new Error('CVE-2012-2459');
    }
    const buf = new Uint8Array(64);
    buf.set(left);
    buf.set(right, 32);
    return hash256(buf);
  };
  let height = 0;
  while (width(height) > 1) height++;
  const root = walk(height, 0);
  if ((bitsUsed + 7) >> 3 !== nBytes || hashesUsed !== nHashes) throw new Error('unused');
  if (!sameAt(header, 36, root)) throw new Error('root');
  return matches;
}
const nobleHash256 = (b) => sha256(sha256(b));

// The 10-of-15 federation and its 20-in/20-out spend, shared by the signing cases.
const INPUTS = 20;
function federation(ctx) {
  if (ctx.fed) return ctx.fed;
  const { pegkit } = ctx;
  const sks = Array.from({ length: 15 }, (_, i) => fill(32, i + 1));
  const fed = new pegkit.Federation({ network: 'regtest', threshold: 10, publicKeys: sks.map((sk) => pegkit.schnorrPublicKey(sk)) });
  const [leaf] = fed.leaves;
  // The unsigned spend is built by scure, so that scure's PSBT flow starts from it too.
  const tr = btc.p2tr(undefined, { script: leaf.script }, btc.TEST_NETWORK, true);
  const amounts = Array.from({ length: INPUTS }, (_, i) => 100_000n + BigInt(i));
  const scureTx = () => {
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
  };
  const unsigned = scureTx().unsignedTx;
  const prevouts = amounts.map((amount) => ({ amount, scriptPubKey: fed.scriptPubKey }));
  const spks = prevouts.map((p) => p.scriptPubKey);
  const aux = fill(32, 9);
  const signers = sks.slice(0, 10);
  const bjsTx = bitcoinjs.Transaction.fromBuffer(unsigned);

  const pegkitSign = () => signers.map((sk) => pegkit.signInputs(fed, unsigned, prevouts, sk, { auxRand: aux }));
  const partials = pegkitSign();
  // verify + finalize, then free the collector (it lives in wasm memory).
  const collect = (batch) => {
    const c = new pegkit.SignatureCollector(fed, unsigned, prevouts);
    c.batchVerification = batch;
    if (batch) {
      for (const r of c.addAll(partials)) if (r !== 'new') throw r;
    } else {
      for (const p of partials) c.add(p);
    }
    const spend = c.finalize();
    c.free();
    return spend;
  };

  // bitcoinjs-lib + tiny-secp256k1: sighashes, sign, verify each signature, assemble witnesses.
  const keyOrder = leaf.publicKeys.map((k) => toHex(k));
  const bjsSighashes = () => Array.from({ length: INPUTS }, (_, i) => bjsTx.hashForWitnessV1(i, spks, amounts, 0, leaf.leafHash));
  const bjsSign = () => {
    const msgs = bjsSighashes();
    return signers.map((sk) => ({ key: toHex(tiny.xOnlyPointFromScalar(sk)), sigs: msgs.map((m) => tiny.signSchnorr(m, sk, aux)) }));
  };
  const bjsFinalize = (signed) => {
    const msgs = bjsSighashes();
    for (const { key, sigs } of signed) {
      const pk = fromHex(key);
      sigs.forEach((s, i) => {
        if (!tiny.verifySchnorr(msgs[i], pk, s)) throw new Error('bad signature');
      });
    }
    const tx = bjsTx.clone();
    const bySlot = new Map(signed.map((s) => [keyOrder.indexOf(s.key), s.sigs]));
    for (let i = 0; i < INPUTS; i++) {
      const items = [];
      for (let slot = keyOrder.length - 1; slot >= 0; slot--) items.push(bySlot.has(slot) ? bySlot.get(slot)[i] : new Uint8Array(0));
      tx.setWitness(i, [...items, leaf.script, leaf.controlBlock]);
    }
    return tx.toBuffer();
  };
  const bjsSigned = bjsSign();
  // @scure/btc-signer's PSBT flow: each member signs the transaction, then finalize (scure does
  // not verify signatures it is given).
  const scureFlow = () => {
    const tx = scureTx();
    for (const sk of signers) tx.sign(sk, undefined, aux);
    tx.finalize();
    return tx.extract();
  };

  // Sanity: the three flows produce the same signed transaction (BIP340 with the same aux is
  // deterministic), and pegkit's sighashes are bitcoinjs-lib's.
  const pegkitHex = toHex(collect(true).tx);
  check(pegkitHex === toHex(bjsFinalize(bjsSigned)), 'bitcoinjs-lib and pegkit sign the same transaction');
  check(pegkitHex === toHex(scureFlow()), '@scure/btc-signer and pegkit sign the same transaction');
  const ph = pegkit.sighashesTaproot(unsigned, prevouts, 0, { leafScript: leaf.script });
  check(toHex(ph[0]) === toHex(bjsSighashes()[0]), 'sighashes agree');

  ctx.fed = { fed, leaf, unsigned, prevouts, spks, amounts, bjsTx, pegkitSign, collect, bjsSign, bjsFinalize, bjsSigned, scureFlow };
  return ctx.fed;
}

const CASES = [
  // --- foundation ----------------------------------------------------------------------------
  {
    id: 'decode-block',
    topic: 'foundation',
    async setup(ctx) {
      const { pegkit } = ctx;
      const block = fromHex((await ctx.load('mainnet_block_830000.hex')).trim());
      const decoded = pegkit.decodeBlock(block);
      check(bitcoinjs.Block.fromBuffer(block).transactions.map((t) => t.getId()).join() === decoded.transactions.map((t) => t.txid).join(), 'bitcoinjs-lib txids');
      ctx.txBytes = decoded.transactions.map((t) => pegkit.encodeTransaction(t));
      return {
        name: 'decode block 830000 (1.71 MB, + txids)',
        per: [block.length / 1e6, 'MB/s'],
        impls: [
          ['pegkit `decodeBlock`', () => pegkit.decodeBlock(block)],
          ['bitcoinjs-lib `Block.fromBuffer` + `getId`', () => bitcoinjs.Block.fromBuffer(block).transactions.map((t) => t.getId())],
        ],
      };
    },
  },
  {
    id: 'decode-txs',
    topic: 'foundation',
    async setup(ctx) {
      const { pegkit } = ctx;
      if (!ctx.txBytes) {
        const block = fromHex((await ctx.load('mainnet_block_830000.hex')).trim());
        ctx.txBytes = pegkit.decodeBlock(block).transactions.map((t) => pegkit.encodeTransaction(t));
      }
      const txBytes = ctx.txBytes;
      const opts = { allowUnknownInputs: true, allowUnknownOutputs: true, disableScriptCheck: true, allowLegacyWitnessUtxo: true };
      check(btc.Transaction.fromRaw(txBytes[1], opts).id === pegkit.txid(txBytes[1]), '@scure/btc-signer txid');
      return {
        name: 'decode 1851 txs one by one (+ txid)',
        per: [txBytes.reduce((n, t) => n + t.length, 0) / 1e6, 'MB/s'],
        impls: [
          ['pegkit `decodeTransaction`', () => txBytes.forEach((t) => pegkit.decodeTransaction(t))],
          ['pegkit `txid` (no JS objects)', () => txBytes.forEach((t) => pegkit.txid(t))],
          ['bitcoinjs-lib `Transaction.fromBuffer` + `getId`', () => txBytes.forEach((t) => bitcoinjs.Transaction.fromBuffer(t).getId())],
          ['@scure/btc-signer `Transaction.fromRaw` + `id`', () => txBytes.forEach((t) => btc.Transaction.fromRaw(t, opts).id)],
        ],
      };
    },
  },
  {
    id: 'sha256d-headers',
    topic: 'foundation',
    async setup(ctx) {
      const { pegkit } = ctx;
      const { headers } = await headerData(ctx);
      return {
        name: `SHA-256d of ${headers.length} headers`,
        per: [headers.length, 'headers/s'],
        impls: [
          ['pegkit `blockHash` (display hex)', () => headers.forEach((h) => pegkit.blockHash(h))],
          ['`@noble/hashes` sha256(sha256(h))', () => headers.forEach((h) => sha256(sha256(h)))],
          ['bitcoinjs-lib `Block.fromBuffer(h).getId()`', () => headers.forEach((h) => bitcoinjs.Block.fromBuffer(h).getId())],
        ],
      };
    },
  },
  // --- spv -----------------------------------------------------------------------------------
  {
    id: 'header-chain',
    topic: 'spv',
    main: true,
    async setup(ctx) {
      const { pegkit } = ctx;
      const { headers, headerHex } = await headerData(ctx);
      const all = fromHex(headerHex.join(''));
      const chain = pegkit.HeaderChain.fromHeaders('mainnet', START, all);
      const tip = chain.tip().hash;
      chain.free();
      check(reversedHex(nobleChain(headers)) === tip, 'noble header chain tip');
      check(reversedHex(bitcoinjsChain(headers)) === tip, 'bitcoinjs-lib header chain tip');
      return {
        name: `header chain: ${headers.length} real headers (hash, PoW, link, 4 retargets)`,
        per: [headers.length, 'headers/s'],
        impls: [
          // free(): a HeaderChain lives in wasm memory; left to the FinalizationRegistry, hundreds
          // of dead 8065-header chains pile up there and slow the next ones down 2-3×.
          ['pegkit `HeaderChain.fromHeaders`', () => pegkit.HeaderChain.fromHeaders('mainnet', START, all).free()],
          ['`@noble/hashes` + BigInt', () => nobleChain(headers)],
          ['bitcoinjs-lib `Block` + BigInt', () => bitcoinjsChain(headers)],
        ],
      };
    },
  },
  {
    id: 'txoutproof',
    topic: 'spv',
    main: true,
    async setup(ctx) {
      const { pegkit } = ctx;
      const proofs = JSON.parse(await ctx.load('mainnet_txoutproofs_830000.json')).entries.map((e) => fromHex(e.proof_hex));
      const bjsHash256 = bitcoinjs.crypto.hash256;
      for (const p of proofs) {
        const want = pegkit.verifyTxOutProof(p).matches.map((m) => m.index).join();
        check(jsTxOutProof(p, nobleHash256).join() === want, 'noble proof walk');
        check(jsTxOutProof(p, bjsHash256).join() === want, 'bitcoinjs-lib proof walk');
      }
      return {
        name: `\`gettxoutproof\` verify: ${proofs.length} real proofs of block 830000`,
        per: [proofs.length, 'proofs/s'],
        impls: [
          ['pegkit `verifyTxOutProof`', () => proofs.forEach((p) => pegkit.verifyTxOutProof(p))],
          ["`@noble/hashes` (Core's walk in JS)", () => proofs.forEach((p) => jsTxOutProof(p, nobleHash256))],
          ["bitcoinjs-lib `crypto.hash256` (same walk)", () => proofs.forEach((p) => jsTxOutProof(p, bjsHash256))],
        ],
      };
    },
  },
  {
    id: 'merkle-root',
    topic: 'spv',
    async setup(ctx) {
      const { pegkit } = ctx;
      const ids = JSON.parse(await ctx.load('mainnet_block_830000_txids.json'))['830000'];
      const leaves = ids.txids.map((t) => fromHex(t).reverse());
      const nobleRoot = () => {
        let level = leaves;
        while (level.length > 1) {
          const next = [];
          for (let i = 0; i < level.length; i += 2) {
            const buf = new Uint8Array(64);
            buf.set(level[i]);
            buf.set(level[i + 1] ?? level[i], 32);
            next.push(sha256(sha256(buf)));
          }
          level = next;
        }
        return reversedHex(level[0]);
      };
      check(nobleRoot() === ids.merkle_root && pegkit.merkleRoot(ids.txids).merkleRoot === ids.merkle_root, 'merkle roots');
      return {
        name: `merkle root of block 830000 (${ids.txids.length} txids)`,
        impls: [
          ['pegkit `merkleRoot` (display-hex txids)', () => pegkit.merkleRoot(ids.txids)],
          ['`@noble/hashes`', nobleRoot],
        ],
      };
    },
  },
  // --- BIP340 (foundation, shown in the main table) --------------------------------------------
  {
    id: 'bip340-sign',
    topic: 'foundation',
    main: true,
    setup(ctx) {
      const { pegkit } = ctx;
      const k = bip340Fixture(ctx);
      return {
        name: 'BIP340 sign',
        impls: [
          ['pegkit `schnorrSign`', () => pegkit.schnorrSign(k.sk, k.msg, k.aux)],
          ['tiny-secp256k1 `signSchnorr`', () => tiny.signSchnorr(k.msg, k.sk, k.aux)],
          ['`@noble/curves` `schnorr.sign`', () => schnorr.sign(k.msg, k.sk, k.aux)],
        ],
      };
    },
  },
  {
    id: 'bip340-verify',
    topic: 'foundation',
    main: true,
    setup(ctx) {
      const { pegkit } = ctx;
      const k = bip340Fixture(ctx);
      return {
        name: 'BIP340 verify',
        impls: [
          ['pegkit `schnorrVerify`', () => pegkit.schnorrVerify(k.pk, k.msg, k.sig)],
          ['tiny-secp256k1 `verifySchnorr`', () => tiny.verifySchnorr(k.msg, k.pk, k.sig)],
          ['`@noble/curves` `schnorr.verify`', () => schnorr.verify(k.sig, k.msg, k.pk)],
        ],
      };
    },
  },
  // --- signing -------------------------------------------------------------------------------
  {
    id: 'sighashes',
    topic: 'signing',
    main: true,
    setup(ctx) {
      const { pegkit } = ctx;
      const f = federation(ctx);
      const scureParsed = btc.Transaction.fromRaw(f.unsigned, { allowUnknownOutputs: true });
      const script = f.leaf.script;
      return {
        name: 'taproot script-path sighashes, all 20 inputs (20-in/20-out)',
        impls: [
          ['pegkit `sighashesTaproot`', () => pegkit.sighashesTaproot(f.unsigned, f.prevouts, 0, { leafScript: script })],
          ['pegkit `sighashTaproot` × 20', () => {
            for (let i = 0; i < INPUTS; i++) pegkit.sighashTaproot(f.unsigned, i, f.prevouts, 0, { leafScript: script });
          }],
          ['bitcoinjs-lib `hashForWitnessV1` × 20', () => {
            for (let i = 0; i < INPUTS; i++) f.bjsTx.hashForWitnessV1(i, f.spks, f.amounts, 0, f.leaf.leafHash);
          }],
          ['@scure/btc-signer `preimageWitnessV1` × 20', () => {
            for (let i = 0; i < INPUTS; i++) scureParsed.preimageWitnessV1(i, f.spks, 0, f.amounts, -1, script, 0xc0);
          }],
        ],
      };
    },
  },
  {
    id: 'federation-sign',
    topic: 'signing',
    main: true,
    setup(ctx) {
      const f = federation(ctx);
      return {
        name: '10-of-15 × 20 inputs: 10 members sign (200 signatures)',
        impls: [
          ['pegkit `signInputs` × 10', f.pegkitSign],
          ['bitcoinjs-lib sighashes + tiny-secp256k1 `signSchnorr`', f.bjsSign],
        ],
      };
    },
  },
  {
    id: 'federation-verify',
    topic: 'signing',
    main: true,
    setup(ctx) {
      const f = federation(ctx);
      return {
        name: '… verify 200 signatures + finalize',
        impls: [
          ['pegkit collector, batch verification', () => f.collect(true)],
          ['pegkit collector, one by one', () => f.collect(false)],
          ['bitcoinjs-lib + tiny-secp256k1 `verifySchnorr`', () => f.bjsFinalize(f.bjsSigned)],
        ],
      };
    },
  },
  {
    id: 'federation-all',
    topic: 'signing',
    main: true,
    setup(ctx) {
      const { pegkit } = ctx;
      const f = federation(ctx);
      return {
        name: '… sign + verify + finalize',
        impls: [
          ['pegkit (batch verification)', () => {
            const c = new pegkit.SignatureCollector(f.fed, f.unsigned, f.prevouts);
            for (const r of c.addAll(f.pegkitSign())) if (r !== 'new') throw r;
            const spend = c.finalize();
            c.free();
            return spend;
          }],
          ['bitcoinjs-lib + tiny-secp256k1', () => f.bjsFinalize(f.bjsSign())],
          ['@scure/btc-signer PSBT flow (does not verify)', f.scureFlow],
        ],
      };
    },
  },
];

function bip340Fixture(ctx) {
  if (ctx.bip340) return ctx.bip340;
  const { pegkit } = ctx;
  const sk = fromHex('b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef');
  const msg = fromHex('243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89');
  const aux = fromHex('0000000000000000000000000000000000000000000000000000000000000001');
  const pk = pegkit.schnorrPublicKey(sk);
  const sig = pegkit.schnorrSign(sk, msg, aux);
  check(equalBytes(schnorr.sign(msg, sk, aux), sig) && equalBytes(tiny.signSchnorr(msg, sk, aux), sig), 'BIP340 signatures agree');
  check(equalBytes(schnorr.getPublicKey(sk), pk) && equalBytes(secp256k1.getPublicKey(sk, true).subarray(1), pk), 'public keys agree');
  check(schnorr.verify(sig, msg, pk) && tiny.verifySchnorr(msg, pk, sig) && pegkit.schnorrVerify(pk, msg, sig), 'BIP340 verify');
  ctx.bip340 = { sk, msg, aux, pk, sig };
  return ctx.bip340;
}

/**
 * Which cases a selection names: 'main' (the README's table), 'all', or topics and case ids
 * separated by commas.
 */
export function selectCases(selection = 'main') {
  const words = selection.split(',').map((w) => w.trim()).filter(Boolean);
  const picked = CASES.filter((c) => words.some((w) => w === 'all' || (w === 'main' && c.main) || w === c.topic || w === c.id));
  const unknown = words.filter((w) => !['all', 'main', ...TOPICS].includes(w) && !CASES.some((c) => c.id === w));
  if (unknown.length) throw new Error(`unknown bench selection: ${unknown.join(', ')} (main, all, ${TOPICS.join(', ')}, or ${CASES.map((c) => c.id).join(', ')})`);
  return picked.map((c) => c.id);
}

/**
 * Runs the selected cases. `pegkit`: the loaded package; `load(name)`: the text of a file of
 * tests/vectors/mainnet/; `now()`: a clock in ms; `log(line)`: progress. Returns one row per
 * implementation: { group, name, label, ns, iters, rounds, ratio, throughput }.
 */
export async function runSuite({ pegkit, load, now, selection = 'main', log = () => {} }) {
  const ids = selectCases(selection);
  const ctx = { pegkit, load };
  const rows = [];
  for (const c of CASES.filter((c) => ids.includes(c.id))) {
    const g = await c.setup(ctx);
    let base = null;
    for (const [label, fn] of g.impls) {
      const m = measure(fn, now);
      base ??= m.ns;
      const throughput = g.per ? `${formatRate(g.per[0] / (m.ns / 1e9))} ${g.per[1]}` : null;
      rows.push({ group: c.id, name: g.name, label, ns: m.ns, iters: m.iters, rounds: m.rounds, ratio: m.ns / base, throughput });
      log(`${g.name} | ${label}: ${formatTime(m.ns)} (${m.rounds} rounds × ${m.iters})`);
    }
  }
  return rows;
}

/**
 * The smoke test of the suite (js/test/bench.test.mjs): every selected case's setup, with its
 * cross-implementation checks, and each implementation called once, untimed. Returns the number
 * of implementations called.
 */
export async function checkSuite({ pegkit, load, selection = 'all' }) {
  const ids = selectCases(selection);
  const ctx = { pegkit, load };
  let calls = 0;
  for (const c of CASES.filter((c) => ids.includes(c.id))) {
    for (const [, fn] of (await c.setup(ctx)).impls) {
      fn();
      calls++;
    }
  }
  return calls;
}

// --- formatting ---------------------------------------------------------------------------------
export function formatTime(ns) {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e3).toFixed(1)} µs`;
}
function formatRate(v) {
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)} k`;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/** The markdown table of `rows`: | operation | implementation | median | ratio |. */
export function markdownTable(rows) {
  const lines = ['| operation | implementation | median | ratio |', '|---|---|---|---|'];
  let last = null;
  for (const r of rows) {
    const median = r.throughput ? `${formatTime(r.ns)} (${r.throughput})` : formatTime(r.ns);
    lines.push(`| ${r.group === last ? '' : r.name} | ${r.label} | ${median} | ${r.ratio === 1 ? '1' : r.ratio.toFixed(2)} |`);
    last = r.group;
  }
  return lines.join('\n');
}
