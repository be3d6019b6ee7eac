// Peg-out on a real EVM chain: burn events from a bridge contract on anvil, fetched with
// eth_getLogs and decoded by both CLIs' `pegout decode` (native `pegkit` and
// `node js/bin/pegkit.mjs`) to exactly the burns and rejections this test expects.
//
// What it starts: `anvil` (npm @foundry-rs/anvil-linux-amd64) on 127.0.0.1, on a port anvil picks
// itself (`--port 0`, read back from its "Listening on" line, so no race for a free port), killed
// when the test ends however it ends. It compiles js/test/evm/Bridge.sol with solc-js (npm
// `solc`, standard-JSON input, no network), deploys it once at an ordinary address — the "other"
// contract, whose events must be rejected `not_bridge` — and puts the same runtime code at the
// default bridge address 0xbBbB…BbB with `anvil_setCode`: that address is fixed (Alys
// pre-deploys the bridge there), no deployment can land on it, and it is the address the
// decoder accepts by default, so the real default bridge address is what emits the burns.
//
// Dev accounts (unlocked in anvil) send burns with eth_sendTransaction over plain fetch; automine
// is off while they are sent so that several transactions share a block (log indexes are
// block-wide, event indexes per transaction). The cases: valid mainnet destinations of every
// type (P2PKH, P2SH, P2WPKH, P2WSH, P2TR, from Bitcoin Core's key_io_valid.json), the minimum
// and maximum exactly and one wei / one sat past them, zero, a wei remainder, unparsable and
// bad-checksum addresses, testnet addresses on a mainnet federation, a witness v2 address,
// invalid UTF-8 in RequestPegOut's bytes and in BurnForBitcoin's string, a log with a burn
// event's topic and malformed data, several burns in one transaction (event indexes 0, 1, 2, …
// around a non-burn log and another contract's burn log in the same transaction), the same
// events from the other contract, and a bridge event that is not a burn.
//
// The expected burns and rejections are computed here from what was sent (transaction hashes,
// blocks and log indexes from the receipts), never read back from the decoder's output; every
// log eth_getLogs returns must come out exactly once, as a burn or a rejection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keccak_256 } from '@noble/hashes/sha3.js';
import solc from 'solc';

// Expected rejection codes, one row per kind of case. `id` says how the rejection names the
// log: 'event' = {transaction_hash, event_index} (a bridge burn event; it takes an event index),
// 'log' = {transaction_hash, log_index} (not a bridge burn event; takes none). Rows marked
// (contract) are fixed by CLI-CONTRACT.md / DESIGN.md; the others are to be aligned with the
// decoder. The expected ids follow the table (a row with id 'event' takes an event index, one
// with 'log' does not), so changing a row keeps every expectation consistent.
const EXPECT = {
  not_bridge: { code: 'not_bridge', id: 'log' }, // (contract) another contract's log
  not_burn_event: { code: 'unknown_event', id: 'log' }, // a bridge log whose topic0 is no burn event
  below_minimum: { code: 'amount_below_minimum', id: 'event' }, // (core's RejectReason)
  above_maximum: { code: 'amount_above_maximum', id: 'event' }, // (core's RejectReason)
  wrong_network: { code: 'wrong_network', id: 'event' }, // a testnet address, mainnet federation
  unparsable_address: { code: 'invalid_character', id: 'event' }, // not an address at all
  empty_address: { code: 'invalid_address_length', id: 'event' }, // an empty destination
  bad_checksum: { code: 'invalid_checksum', id: 'event' }, // bech32 / base58check checksum wrong
  unknown_witness_version: { code: 'unknown_witness_version', id: 'event' }, // bc1z… (witness v2)
  invalid_utf8_bytes: { code: 'destination_not_utf8', id: 'event' }, // RequestPegOut's bytes not UTF-8
  invalid_utf8_string: { code: 'destination_not_utf8', id: 'event' }, // BurnForBitcoin's string not UTF-8 (ABI)
  malformed_data: { code: 'invalid_event_data', id: 'event' }, // burn topic, ABI data truncated
};
// Wei amounts are decimal strings (CLI-CONTRACT.md conventions), remainder_wei included.
const weiJson = (wei) => wei.toString();

const js = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(js, '..');
const require = createRequire(import.meta.url);

const BRIDGE = '0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'; // Alys's default, lowercased
const WEI_PER_SAT = 10n ** 10n;
const ETH = 10n ** 18n;
const MIN_SATS = 1_000_000n; // policy defaults (DESIGN.md "Peg-out")
const MAX_SATS = 10_000_000_000n;

// Mainnet addresses of every type from Bitcoin Core's key_io_valid.json (chain "main"), and
// the addresses of the refused cases.
const ADDR = {
  p2pkh: '1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo',
  p2sh: '36j4NfKv6Akva9amjWrLG6MuSQym1GuEmm',
  p2wpkh: 'bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhv',
  p2wsh: 'bc1qyucykdlhp62tezs0hagqury402qwhk589q80tqs5myh3rxq34nwqhkdhv7',
  p2tr: 'bc1p83n3au0rjylefxq2nc2xh2y4jzz4pm6zxj4mw5pagdjjr2a9f36s6jjnnu',
  p2trAlt: 'bc1pve739yap4uxjvfk0jrey69078u0gasm2nwvv483ec6zkzulgw9xqu4w9fd',
  p2pkhAlt: '1FjL87pn8ky6Vbavd1ZHeChRXtoxwRGCRd',
  testnetBech32: 'tb1qcrh3yqn4nlleplcez2yndq2ry8h9ncg3qh7n54', // key_io_valid.json, testnet
  testnetBase58: 'mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ', // key_io_valid.json, testnet
  witnessV2: 'bc1zmjtqxkzs89', // key_io_valid.json, main: witness v2, 2-byte program
  badChecksumBech32: 'bc1qvyq0cc6rahyvsazfdje0twl7ez82ndmuac2lhw', // p2wpkh, last char changed
  badChecksumBase58: '1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mp', // p2pkh, last char changed
  unparsable: 'not-a-bitcoin-address',
  empty: '',
};
// When the repository carries Bitcoin Core's key_io_valid.json, the addresses are checked
// against it: [address, script, {chain, isPrivkey}] rows.
const KEY_IO_VALID = join(repo, 'tests/vectors/bitcoin-core/key_io_valid.json');
const utf8 = (s) => Buffer.from(s, 'utf8');
// Invalid UTF-8: a lone continuation byte and 0xff inside an otherwise valid address.
const INVALID_UTF8 = Buffer.concat([utf8('bc1q'), Buffer.from([0x80, 0xff]), utf8(ADDR.p2wpkh.slice(4))]);

// ---------------------------------------------------------------------------------------------
// ABI encoding (just the types Bridge.sol takes), event topics

const hexOf = (b) => Buffer.from(b).toString('hex');
const word = (n) => {
  const v = BigInt(n);
  assert.ok(v >= 0n && v < 1n << 256n, `uint256 out of range: ${v}`);
  return v.toString(16).padStart(64, '0');
};
const padRight = (h) => h.padEnd(Math.ceil(h.length / 64) * 64, '0');
const isDynamic = (t) => t === 'bytes' || t === 'string' || t.endsWith('[]');
function encodeValue(type, v) {
  if (type.endsWith('[]')) {
    const inner = type.slice(0, -2);
    return word(v.length) + abiEncode(v.map(() => inner), v);
  }
  switch (type) {
    case 'address':
    case 'uint256':
    case 'uint8':
      return word(v);
    case 'bytes':
    case 'string': // raw bytes as given, valid UTF-8 or not
      return word(v.length) + padRight(hexOf(v));
    default:
      throw new Error(`abi type ${type}`);
  }
}
function abiEncode(types, values) {
  let head = '';
  let tail = '';
  for (const [i, t] of types.entries()) {
    const enc = encodeValue(t, values[i]);
    if (isDynamic(t)) {
      head += word(types.length * 32 + tail.length / 2);
      tail += enc;
    } else {
      head += enc;
    }
  }
  return head + tail;
}
const topicOf = (signature) => '0x' + hexOf(keccak_256(utf8(signature)));
const addressTopic = (a) => '0x' + a.slice(2).toLowerCase().padStart(64, '0');
const TOPIC = {
  RequestPegOut: topicOf('RequestPegOut(address,bytes,uint256)'),
  BurnForBitcoin: topicOf('BurnForBitcoin(address,uint256,string)'),
  Note: topicOf('Note(address,uint256)'),
};
// Bridge.batch kinds
const KIND = { RequestPegOut: 0, BurnForBitcoin: 1, Note: 2, ViaOther: 3, RawRequestPegOut: 4 };

function compileBridge() {
  const input = {
    language: 'Solidity',
    sources: { 'Bridge.sol': { content: readFileSync(join(js, 'test/evm/Bridge.sol'), 'utf8') } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { Bridge: ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object', 'evm.methodIdentifiers'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error');
  assert.deepEqual(errors, [], 'Bridge.sol compiles');
  const c = out.contracts['Bridge.sol'].Bridge;
  return {
    bytecode: '0x' + c.evm.bytecode.object,
    runtime: '0x' + c.evm.deployedBytecode.object,
    selector: (sig) => {
      const s = c.evm.methodIdentifiers[sig];
      assert.ok(s, `no method ${sig}`);
      return s;
    },
    abi: c.abi,
  };
}

// ---------------------------------------------------------------------------------------------
// anvil and JSON-RPC

const qty = (n) => '0x' + BigInt(n).toString(16);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const ANVIL = join(dirname(require.resolve('@foundry-rs/anvil-linux-amd64/package.json')), 'bin', 'anvil');

/** Starts anvil on 127.0.0.1 on a port of its choosing; resolves once it answers JSON-RPC. */
async function startAnvil() {
  const child = spawn(ANVIL, ['--host', '127.0.0.1', '--port', '0', '--accounts', '10'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    if (output.length < 200_000) output += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', keep);
  child.stderr.setEncoding('utf8').on('data', keep);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  try {
    const deadline = Date.now() + 30_000;
    let url;
    for (;;) {
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        url = `http://127.0.0.1:${m[1]}`;
        break;
      }
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`anvil exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`anvil not listening after 30 s:\n${output}`);
      await sleep(50);
    }
    const rpc = makeRpc(url);
    for (let i = 0; ; i++) {
      try {
        await rpc('web3_clientVersion', []);
        break;
      } catch (e) {
        if (i >= 100) throw new Error(`anvil does not answer at ${url}: ${e.message}`);
        await sleep(50);
      }
    }
    return { url, rpc, stop, output: () => output };
  } catch (e) {
    await stop();
    throw e;
  }
}

function makeRpc(url) {
  let id = 0;
  return async (method, params) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = await res.json();
    if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
    return body.result;
  };
}

// ---------------------------------------------------------------------------------------------
// The CLIs

/** The native `pegkit`: $PEGKIT_BIN, else the newer of target/{debug,release}/pegkit, else built. */
function nativePegkit() {
  if (process.env.PEGKIT_BIN) return process.env.PEGKIT_BIN;
  const target = process.env.CARGO_TARGET_DIR ? resolve(repo, process.env.CARGO_TARGET_DIR) : join(repo, 'target');
  const found = ['debug', 'release']
    .map((p) => join(target, p, 'pegkit'))
    .filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (found.length > 0) return found[0];
  const r = spawnSync('cargo', ['build', '-p', 'pegkit-node', '--bin', 'pegkit'], { cwd: repo, stdio: 'inherit' });
  assert.equal(r.status, 0, 'cargo build -p pegkit-node');
  return join(target, 'debug', 'pegkit');
}

function runCli(program, args, request) {
  const r = spawnSync(program, args, {
    cwd: repo,
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ---------------------------------------------------------------------------------------------
// What is sent. Each transaction: who sends it, to which contract ('bridge' or 'other'), and its
// entries — one log each, in order. A single entry of kind RequestPegOut or BurnForBitcoin is
// sent through requestPegOut(bytes) / pegOut(string); anything else goes through batch(). Each
// block's transactions are mined together.

const e = {
  rpo: (address, wei) => ({ kind: 'RequestPegOut', data: Buffer.isBuffer(address) ? address : utf8(address), wei }),
  bfb: (address, wei) => ({ kind: 'BurnForBitcoin', data: Buffer.isBuffer(address) ? address : utf8(address), wei }),
  note: (wei = 0n) => ({ kind: 'Note', data: Buffer.alloc(0), wei }),
  viaOther: (address, wei) => ({ kind: 'ViaOther', data: utf8(address), wei }),
  raw: (data, wei) => ({ kind: 'RawRequestPegOut', data, wei }),
};
const sats = (n) => BigInt(n) * WEI_PER_SAT;

// RequestPegOut data whose `bytes` claims 1000 bytes and carries 32: truncated ABI.
const TRUNCATED = Buffer.from(word(0x40) + word(sats(2_000_000)) + word(1000) + 'ab'.repeat(32), 'hex');

// Which EXPECT row each refused address falls under.
const ADDRESS_CASE = new Map([
  [ADDR.testnetBech32, 'wrong_network'],
  [ADDR.testnetBase58, 'wrong_network'],
  [ADDR.witnessV2, 'unknown_witness_version'],
  [ADDR.badChecksumBech32, 'bad_checksum'],
  [ADDR.badChecksumBase58, 'bad_checksum'],
  [ADDR.unparsable, 'unparsable_address'],
  [ADDR.empty, 'empty_address'],
]);
const VALID = new Set([ADDR.p2pkh, ADDR.p2sh, ADDR.p2wpkh, ADDR.p2wsh, ADDR.p2tr, ADDR.p2trAlt, ADDR.p2pkhAlt]);

const BLOCKS = [
  [
    // one valid burn per transaction, both events, several senders
    { from: 1, to: 'bridge', entries: [e.rpo(ADDR.p2pkh, ETH / 10n)] },
    { from: 2, to: 'bridge', entries: [e.bfb(ADDR.p2sh, ETH / 4n)] },
    { from: 3, to: 'bridge', entries: [e.rpo(ADDR.p2wpkh, sats(MIN_SATS))] }, // exactly the minimum
    { from: 4, to: 'other', entries: [e.rpo(ADDR.p2wpkh, ETH / 2n)] }, // not_bridge
    { from: 5, to: 'bridge', entries: [e.bfb(ADDR.p2wsh, sats(12_345_678) + 9_876_543_210n)] }, // remainder
  ],
  [
    // several events in one transaction: burns get event indexes 0..4; the Note and the other
    // contract's log (emitted through a nested call, its sender the bridge) take none
    {
      from: 1,
      to: 'bridge',
      entries: [
        e.rpo(ADDR.p2tr, (ETH * 3n) / 10n),
        e.note(),
        e.bfb(ADDR.p2wpkh, (ETH * 7n) / 100n + 1n),
        e.viaOther(ADDR.p2tr, ETH / 5n),
        e.rpo(ADDR.p2wsh, sats(MIN_SATS - 1n)), // below minimum, within a batch
        e.bfb(ADDR.p2pkhAlt, ETH),
        e.bfb(ADDR.unparsable, ETH / 10n), // refused address, within a batch
      ],
    },
    // three valid burns in one transaction, both events: event indexes 0, 1, 2
    { from: 4, to: 'bridge', entries: [e.bfb(ADDR.p2trAlt, (ETH * 4n) / 10n), e.rpo(ADDR.p2sh, (ETH * 6n) / 10n), e.bfb(ADDR.p2wsh, ETH / 20n)] },
    { from: 2, to: 'bridge', entries: [e.rpo(ADDR.testnetBech32, ETH / 10n)] },
    { from: 3, to: 'bridge', entries: [e.bfb(ADDR.testnetBase58, ETH / 10n)] },
    { from: 6, to: 'bridge', entries: [e.rpo(ADDR.p2tr, sats(MIN_SATS) - 1n)] }, // one wei short
    { from: 7, to: 'bridge', entries: [e.bfb(ADDR.empty, ETH / 10n)] },
  ],
  [
    { from: 5, to: 'bridge', entries: [e.rpo(INVALID_UTF8, ETH / 10n)] },
    { from: 6, to: 'bridge', entries: [e.bfb(INVALID_UTF8, ETH / 10n)] },
    { from: 2, to: 'bridge', entries: [e.raw(TRUNCATED, ETH / 50n)] },
    { from: 3, to: 'bridge', entries: [e.rpo(ADDR.badChecksumBech32, ETH / 10n)] },
    { from: 4, to: 'bridge', entries: [e.bfb(ADDR.badChecksumBase58, ETH / 10n)] },
    { from: 1, to: 'bridge', entries: [e.rpo(ADDR.witnessV2, ETH / 10n)] },
    { from: 5, to: 'bridge', entries: [e.bfb(ADDR.p2tr, sats(MAX_SATS))] }, // exactly the maximum
    { from: 6, to: 'bridge', entries: [e.rpo(ADDR.p2wsh, sats(MAX_SATS + 1n))] }, // one sat over
    { from: 7, to: 'bridge', entries: [e.rpo(ADDR.p2wpkh, 0n)] }, // zero
    { from: 8, to: 'other', entries: [e.bfb(ADDR.p2tr, (ETH * 3n) / 10n)] }, // not_bridge, BurnForBitcoin
    { from: 8, to: 'other', entries: [e.bfb(ADDR.p2pkh, ETH / 10n), e.rpo(ADDR.p2sh, ETH / 10n)] }, // not_bridge, batch
    { from: 9, to: 'bridge', entries: [e.note()] }, // a bridge transaction with no burn
  ],
  [
    // a block of its own, after the others
    { from: 9, to: 'bridge', entries: [e.rpo(ADDR.p2sh, ETH), e.note(), e.bfb(ADDR.p2tr, ETH / 100n)] },
  ],
];

function calldata(bridge, tx, otherAddress) {
  const [only] = tx.entries;
  if (tx.entries.length === 1 && only.kind === 'RequestPegOut') {
    return '0x' + bridge.selector('requestPegOut(bytes)') + abiEncode(['bytes'], [only.data]);
  }
  if (tx.entries.length === 1 && only.kind === 'BurnForBitcoin') {
    return '0x' + bridge.selector('pegOut(string)') + abiEncode(['string'], [only.data]);
  }
  return (
    '0x' +
    bridge.selector('batch(address,uint8[],bytes[],uint256[])') +
    abiEncode(
      ['address', 'uint8[]', 'bytes[]', 'uint256[]'],
      [otherAddress, tx.entries.map((x) => KIND[x.kind]), tx.entries.map((x) => x.data), tx.entries.map((x) => x.wei)],
    )
  );
}

/** The log an entry must produce: [address, topics, data]. */
function expectedLog(entry, emitter, sender, otherAddress) {
  switch (entry.kind) {
    case 'RequestPegOut':
      return [emitter, [TOPIC.RequestPegOut, addressTopic(sender)], abiEncode(['bytes', 'uint256'], [entry.data, entry.wei])];
    case 'BurnForBitcoin':
      return [emitter, [TOPIC.BurnForBitcoin, addressTopic(sender)], abiEncode(['uint256', 'string'], [entry.wei, entry.data])];
    case 'Note':
      return [emitter, [TOPIC.Note, addressTopic(sender)], word(entry.wei)];
    case 'ViaOther': // the other contract's requestPegOut, called by the bridge
      return [otherAddress, [TOPIC.RequestPegOut, addressTopic(emitter)], abiEncode(['bytes', 'uint256'], [entry.data, entry.wei])];
    case 'RawRequestPegOut':
      return [emitter, [TOPIC.RequestPegOut, addressTopic(sender)], hexOf(entry.data)];
    default:
      throw new Error(entry.kind);
  }
}

function decodeUtf8(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** What the decoder must say about one entry's log, given where it landed. */
function classify(entry, emitter, sender) {
  if (emitter !== BRIDGE || entry.kind === 'ViaOther') return 'not_bridge';
  if (entry.kind === 'Note') return 'not_burn_event';
  if (entry.kind === 'RawRequestPegOut') return 'malformed_data';
  const destination = decodeUtf8(entry.data);
  if (destination === null) return entry.kind === 'RequestPegOut' ? 'invalid_utf8_bytes' : 'invalid_utf8_string';
  const sats = entry.wei / WEI_PER_SAT;
  const addressCase = ADDRESS_CASE.get(destination);
  const amountCase = sats < MIN_SATS ? 'below_minimum' : sats > MAX_SATS ? 'above_maximum' : null;
  assert.ok(addressCase || VALID.has(destination), `test plan: ${destination} is neither valid nor a listed refusal`);
  assert.ok(!(addressCase && amountCase), `test plan: one fault per burn (${destination}, ${entry.wei} wei, from ${sender})`);
  return addressCase ?? amountCase ?? 'burn';
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const burnOrder = (a, b) =>
  a.block_number - b.block_number ||
  cmp(a.id.transaction_hash, b.id.transaction_hash) ||
  a.id.event_index - b.id.event_index;
const rejectionKey = (r) => [r.id.transaction_hash, 'event_index' in r.id ? 0 : 1, r.id.event_index ?? r.id.log_index, r.code];
const rejectionOrder = (a, b) => {
  const [x, y] = [rejectionKey(a), rejectionKey(b)];
  for (let i = 0; i < x.length; i++) {
    const c = cmp(x[i], y[i]);
    if (c) return c;
  }
  return 0;
};

/** deepEqual of two sorted lists, failing first with what is missing and what is unexpected. */
function sameList(actual, expected, what) {
  const canon = (x) => JSON.stringify(x, Object.keys(x).flatMap((k) => [k, ...(typeof x[k] === 'object' ? Object.keys(x[k]) : [])]).sort());
  const count = (xs) => xs.reduce((m, x) => m.set(canon(x), (m.get(canon(x)) ?? 0) + 1), new Map());
  const [a, e] = [count(actual), count(expected)];
  const missing = [...e].filter(([k, n]) => (a.get(k) ?? 0) < n).map(([k]) => k);
  const unexpected = [...a].filter(([k, n]) => (e.get(k) ?? 0) < n).map(([k]) => k);
  assert.ok(missing.length === 0 && unexpected.length === 0, `${what}:\n  missing:\n    ${missing.join('\n    ')}\n  unexpected:\n    ${unexpected.join('\n    ')}`);
  assert.deepEqual(actual, expected, what);
}

// ---------------------------------------------------------------------------------------------

test('pegout decode: burns on a real EVM chain (anvil), fetched with eth_getLogs, through both CLIs', async (t) => {
  if (existsSync(KEY_IO_VALID)) {
    const chains = new Map(JSON.parse(readFileSync(KEY_IO_VALID, 'utf8')).filter((r) => !r[2].isPrivkey).map((r) => [r[0], r[2].chain]));
    for (const a of [...VALID, ADDR.witnessV2]) assert.equal(chains.get(a), 'main', `${a} in key_io_valid.json`);
    for (const a of [ADDR.testnetBech32, ADDR.testnetBase58]) assert.ok(/^test/.test(chains.get(a)), `${a} in key_io_valid.json`);
  }
  const anvil = await startAnvil();
  t.after(() => anvil.stop());
  const bridge = compileBridge(); // about a second of solc-js
  const { rpc } = anvil;

  const accounts = (await rpc('eth_accounts', [])).map((a) => a.toLowerCase());
  assert.ok(accounts.length >= 10, 'anvil dev accounts');
  // anvil answers eth_sendTransaction before the transaction is mined, even with automine on:
  // poll for the receipt, for at most 20 s.
  const receipt = async (hash) => {
    for (const deadline = Date.now() + 20_000; ; ) {
      const r = await rpc('eth_getTransactionReceipt', [hash]);
      if (r) {
        assert.equal(r.status, '0x1', `transaction ${hash} succeeded`);
        return r;
      }
      assert.ok(Date.now() < deadline, `no receipt of ${hash} after 20 s`);
      await sleep(20);
    }
  };
  const send = (from, to, data, value) =>
    rpc('eth_sendTransaction', [{ from: accounts[from], ...(to ? { to } : {}), data, value: qty(value) }]);

  // --- contracts
  let other;
  await t.test('Bridge.sol deployed, and its runtime code set at the default bridge address', async () => {
    const deployed = await receipt(await send(0, null, bridge.bytecode, 0n));
    other = deployed.contractAddress.toLowerCase();
    assert.notEqual(other, BRIDGE);
    assert.equal(await rpc('eth_getCode', [other, 'latest']), bridge.runtime, 'deployed runtime code');
    await rpc('anvil_setCode', [BRIDGE, bridge.runtime]);
    assert.equal(await rpc('eth_getCode', [BRIDGE, 'latest']), bridge.runtime, 'code at the default bridge address');
  });

  // --- burns, mined block by block with automine off
  const sent = []; // { tx, hash, receipt, emitter }
  await t.test('every burn transaction succeeds and emits the logs planned for it', async () => {
    await rpc('evm_setAutomine', [false]);
    for (const block of BLOCKS) {
      const hashes = [];
      for (const tx of block) {
        const to = tx.to === 'bridge' ? BRIDGE : other;
        const value = tx.entries.reduce((s, x) => s + x.wei, 0n);
        hashes.push(await send(tx.from, to, calldata(bridge, tx, other), value));
      }
      // every transaction of the group in the pool before the block is mined (at most 20 s)
      for (const deadline = Date.now() + 20_000; ; ) {
        const pending = Number(BigInt((await rpc('txpool_status', [])).pending));
        if (pending === hashes.length) break;
        assert.ok(pending < hashes.length && Date.now() < deadline, `txpool: ${pending} pending, ${hashes.length} sent`);
        await sleep(20);
      }
      await rpc('evm_mine', []);
      const receipts = await Promise.all(hashes.map(receipt));
      const blockNumbers = new Set(receipts.map((r) => r.blockNumber));
      assert.equal(blockNumbers.size, 1, 'a block group is mined into one block');
      block.forEach((tx, i) => sent.push({ tx, hash: hashes[i].toLowerCase(), receipt: receipts[i], emitter: tx.to === 'bridge' ? BRIDGE : other }));
    }
    await rpc('evm_setAutomine', [true]);

    for (const { tx, hash, receipt: r, emitter } of sent) {
      assert.equal(r.logs.length, tx.entries.length, `${hash}: one log per entry`);
      tx.entries.forEach((entry, i) => {
        const log = r.logs[i];
        const [address, topics, data] = expectedLog(entry, emitter, accounts[tx.from], other);
        assert.equal(log.address.toLowerCase(), address, `${hash} log ${i}: address`);
        assert.deepEqual(log.topics.map((x) => x.toLowerCase()), topics, `${hash} log ${i}: topics`);
        assert.equal(log.data.toLowerCase(), '0x' + data, `${hash} log ${i}: data`);
      });
    }
    // The value is burned where it was sent: the bridge keeps all but what it forwarded.
    const toBridge = sent.filter((s) => s.emitter === BRIDGE).flatMap((s) => s.tx.entries);
    const toOther = sent.filter((s) => s.emitter === other).flatMap((s) => s.tx.entries);
    const sum = (xs) => xs.reduce((s, x) => s + x.wei, 0n);
    const forwarded = sum(toBridge.filter((x) => x.kind === 'ViaOther'));
    assert.equal(BigInt(await rpc('eth_getBalance', [BRIDGE, 'latest'])), sum(toBridge) - forwarded, 'bridge balance');
    assert.equal(BigInt(await rpc('eth_getBalance', [other, 'latest'])), sum(toOther) + forwarded, 'other contract balance');
  });

  // --- expected burns and rejections, from what was sent
  const expectedBurns = [];
  const expectedRejected = [];
  for (const { tx, hash, receipt: r, emitter } of sent) {
    let eventIndex = 0;
    tx.entries.forEach((entry, i) => {
      const log = r.logs[i];
      const verdict = classify(entry, emitter, accounts[tx.from]);
      const takesEventIndex = verdict === 'burn' || EXPECT[verdict].id === 'event';
      const id = takesEventIndex
        ? { transaction_hash: hash, event_index: eventIndex++ }
        : { transaction_hash: hash, log_index: Number(BigInt(log.logIndex)) };
      if (verdict === 'burn') {
        expectedBurns.push({
          id,
          block_number: Number(BigInt(r.blockNumber)),
          evm_sender: accounts[tx.from],
          destination: decodeUtf8(entry.data),
          wei: weiJson(entry.wei),
          sats: Number(entry.wei / WEI_PER_SAT),
          remainder_wei: weiJson(entry.wei % WEI_PER_SAT),
        });
      } else {
        expectedRejected.push({ id, code: EXPECT[verdict].code });
      }
    });
  }
  expectedBurns.sort(burnOrder);
  expectedRejected.sort(rejectionOrder);

  // --- eth_getLogs over the whole chain, no address filter: the decoder filters
  let request;
  await t.test('eth_getLogs returns every log sent, each exactly once', async () => {
    const logs = await rpc('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]);
    const planned = sent.flatMap((s) => s.receipt.logs);
    assert.equal(logs.length, planned.length, 'log count');
    assert.equal(logs.length, expectedBurns.length + expectedRejected.length, 'every log is a burn or a rejection');
    const key = (l) => `${l.transactionHash.toLowerCase()}/${BigInt(l.logIndex)}`;
    const byKey = new Map(planned.map((l) => [key(l), l]));
    assert.equal(byKey.size, planned.length, 'distinct (transaction, log index)');
    for (const l of logs) {
      const p = byKey.get(key(l));
      assert.ok(p, `unplanned log ${key(l)}`);
      for (const f of ['address', 'data', 'blockNumber', 'blockHash', 'transactionHash']) assert.equal(l[f].toLowerCase(), p[f].toLowerCase(), `${key(l)} ${f}`);
      assert.deepEqual(l.topics, p.topics, `${key(l)} topics`);
      assert.equal(l.removed, false);
      byKey.delete(key(l));
    }
    assert.equal(byKey.size, 0, 'no planned log missing');
    const emitters = new Set(logs.map((l) => l.address.toLowerCase()));
    assert.deepEqual([...emitters].sort(), [BRIDGE, other].sort(), 'logs come from the bridge and the other contract');
    const blocks = new Map();
    for (const l of logs) blocks.set(l.blockNumber, new Set([...(blocks.get(l.blockNumber) ?? []), l.transactionHash]));
    assert.ok([...blocks.values()].some((txs) => txs.size > 1), 'some block holds logs of several transactions');
    assert.ok(expectedBurns.some((b) => b.id.event_index === 2), 'a transaction with event indexes 0, 1, 2');

    request = {
      network: 'mainnet',
      logs: logs.map((l) => ({
        address: l.address,
        topics: l.topics,
        data: l.data,
        transaction_hash: l.transactionHash,
        log_index: Number(BigInt(l.logIndex)),
        block_number: Number(BigInt(l.blockNumber)),
        block_hash: l.blockHash,
        removed: l.removed,
      })),
    };
  });

  // --- both CLIs
  await t.test('pegout decode: both CLIs print the same bytes, exactly the expected burns and rejections', () => {
    assert.ok(request, 'the request was built');
    const native = runCli(nativePegkit(), ['pegout', 'decode'], request);
    const wasm = runCli(process.execPath, [join(js, 'bin', 'pegkit.mjs'), 'pegout', 'decode'], request);
    assert.deepEqual(
      { native: native.status, js: wasm.status },
      { native: 0, js: 0 },
      `exit codes\nnative: ${native.stdout}${native.stderr}\njs: ${wasm.stdout}${wasm.stderr}`,
    );
    assert.equal(native.stdout, wasm.stdout, 'native and JS CLI outputs are byte-identical');

    const out = JSON.parse(native.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['burns', 'rejected']);
    for (const r of out.rejected) {
      assert.deepEqual(Object.keys(r).sort(), ['code', 'id', 'message'], JSON.stringify(r));
      assert.ok(typeof r.message === 'string' && r.message.length > 0, `message of ${JSON.stringify(r)}`);
    }
    assert.equal(out.burns.length + out.rejected.length, request.logs.length, 'every log accounted for once');
    sameList([...out.burns].sort(burnOrder), expectedBurns, 'burns');
    sameList(out.rejected.map(({ id, code }) => ({ id, code })).sort(rejectionOrder), expectedRejected, 'rejections');
  });
});
