#!/usr/bin/env node
// Peg-out benchmarks in Node through the npm package (wasm): decode 10,000 burn logs as
// eth_getLogs returns them; build and check the payment of 500 burns over 2,000 UTXOs of a
// 2-of-3 taproot federation. The same workloads as `cargo bench -p pegkit-bench --bench pegout`.
import os from 'node:os';
import * as pegkit from 'pegkit';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import * as btc from '@scure/btc-signer';

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

const hex = (b) => Buffer.from(b).toString('hex');
const fill = (n, b) => new Uint8Array(n).fill(b);
const word = (n) => BigInt(n).toString(16).padStart(64, '0');
const WEI_PER_SAT = 10n ** 10n;
const topic = (sig) => '0x' + hex(keccak_256(Buffer.from(sig)));
const EVENTS = [topic('RequestPegOut(address,bytes,uint256)'), topic('BurnForBitcoin(address,uint256,string)')];
const sender = '0x' + '00'.repeat(12) + '11'.repeat(20);

// Mainnet P2WPKH and P2TR destinations.
const ADDRESSES = ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0'];

function logs(n) {
  return Array.from({ length: n }, (_, i) => {
    const a = Buffer.from(ADDRESSES[i % 2]);
    const tail = word(a.length) + hex(a).padEnd(Math.ceil(a.length / 32) * 64, '0');
    const wei = BigInt(1_000_000 + i) * WEI_PER_SAT + 7n;
    const data = i % 2 === 0 ? word(0x40) + word(wei) + tail : word(wei) + word(0x40) + tail;
    return {
      address: '0x' + 'bb'.repeat(20),
      topics: [EVENTS[i % 2], sender],
      data: '0x' + data,
      transactionHash: '0x' + (i >> 2).toString(16).padStart(64, '0'),
      logIndex: '0x' + i.toString(16),
      blockNumber: '0x' + (1000 + Math.floor(i / 40)).toString(16),
      removed: false,
    };
  });
}

// A 64-bit LCG, as the native bench.
let seed = 2026n;
const lcg = () => {
  seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
  return seed >> 33n;
};

const fed = new pegkit.Federation({ network: 'regtest', threshold: 2, publicKeys: [1, 2, 3].map((i) => pegkit.schnorrPublicKey(fill(32, i))) });
const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
const regtestAddresses = [
  btc.p2wpkh(secp256k1.getPublicKey(fill(32, 7), true), REGTEST).address,
  btc.p2tr(pegkit.schnorrPublicKey(fill(32, 9)), undefined, REGTEST).address,
];
const burns = Array.from({ length: 500 }, (_, i) => {
  const sats = 1_000_000n + (lcg() % 9_000_000n);
  return {
    id: { transactionHash: '0x' + i.toString(16).padStart(64, '0'), eventIndex: 0 },
    blockNumber: 1000 + Math.floor(i / 10),
    evmSender: '0x' + '11'.repeat(20),
    destination: regtestAddresses[i % 2],
    wei: sats * WEI_PER_SAT,
  };
});
const utxos = Array.from({ length: 2000 }, (_, i) => ({
  txid: i.toString(16).padStart(64, '0'),
  vout: i % 3,
  amount: 10_000_000n + (lcg() % 990_000_000n),
}));
const policy = { maxOutputs: 500 };

const tenThousand = logs(10_000);
const decoded = pegkit.decodePegOutLogs('mainnet', tenThousand);
if (decoded.burns.length !== 10_000) throw new Error(`decoded ${decoded.burns.length} burns: ${JSON.stringify(decoded.rejected[0])}`);
const payment = pegkit.buildPegOut(fed, utxos, burns, 2_000n, policy);
if (payment.paid.length !== 500) throw new Error('not every burn paid');
const proposal = { utxos, burns, feeRateSatKvb: 2_000n, policy, tx: payment.tx, prevouts: payment.prevouts };

const rows = [
  ['decode 10,000 burn logs (decodePegOutLogs)', measure(() => pegkit.decodePegOutLogs('mainnet', tenThousand), { iters: 2 })],
  ['build: 500 burns over 2,000 UTXOs (buildPegOut)', measure(() => pegkit.buildPegOut(fed, utxos, burns, 2_000n, policy), { iters: 5 })],
  ['check the same proposal (checkPegOut)', measure(() => pegkit.checkPegOut(fed, proposal), { iters: 5 })],
  ['build + check', measure(() => {
    const p = pegkit.buildPegOut(fed, utxos, burns, 2_000n, policy);
    pegkit.checkPegOut(fed, { ...proposal, tx: p.tx, prevouts: p.prevouts });
  }, { iters: 5 })],
];
const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`);
console.log(`Node ${process.versions.node}, ${os.cpus()[0].model}, ${os.cpus().length} CPUs; medians of 11 rounds`);
console.log(`payment: ${pegkit.decodeTransaction(payment.tx).inputs.length} inputs, ${pegkit.decodeTransaction(payment.tx).outputs.length} outputs, fee ${payment.fee} sat`);
for (const [name, ns] of rows) console.log(`  ${name.padEnd(52)} ${fmt(ns).padStart(10)}`);
