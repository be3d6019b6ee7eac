// Peg-out through the npm package: burn logs decoded, a payment built and checked, signed by
// two of three members and finalized. The package (wasm) is compared with the CLI contract's
// implementation (the JS twin's wasm, in process) and addresses with @scure/btc-signer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as pegkit from 'pegkit';
import * as btc from '@scure/btc-signer';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

const require = createRequire(import.meta.url);
const cli = require('../cli/pegkit_cli_wasm.js');

const hex = (b) => Buffer.from(b).toString('hex');
const fill = (n, b) => new Uint8Array(n).fill(b);
const WEI_PER_SAT = 10n ** 10n;
const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
const BRIDGE = '0x' + 'bb'.repeat(20);
const isCode = (code) => (e) => e instanceof pegkit.PegkitError && e.code === code;

function runCli(command, request) {
  const [exit, stdout] = cli.run(command.split(' '), JSON.stringify(request));
  return { exit, out: JSON.parse(stdout) };
}

// --- ABI ---------------------------------------------------------------------------------------
const word = (n) => BigInt(n).toString(16).padStart(64, '0');
const padded = (b) => hex(b).padEnd(Math.ceil(b.length / 32) * 64, '0');
const topic = (sig) => '0x' + hex(keccak_256(Buffer.from(sig)));
const REQUEST_PEG_OUT = topic('RequestPegOut(address,bytes,uint256)');
const BURN_FOR_BITCOIN = topic('BurnForBitcoin(address,uint256,string)');
const senderTopic = (i) => '0x' + '00'.repeat(12) + hex(fill(20, 0x10 + i));

function requestPegOut(sender, address, wei) {
  const b = Buffer.from(address);
  return { topics: [REQUEST_PEG_OUT, senderTopic(sender)], data: '0x' + word(0x40) + word(wei) + word(b.length) + padded(b) };
}
function burnForBitcoin(sender, address, wei) {
  const b = Buffer.from(address);
  return { topics: [BURN_FOR_BITCOIN, senderTopic(sender)], data: '0x' + word(wei) + word(0x40) + word(b.length) + padded(b) };
}

// --- a 2-of-3 regtest federation and destinations of every type ---------------------------------
const sks = [1, 2, 3].map((i) => fill(32, i));
const fed = new pegkit.Federation({ network: 'regtest', threshold: 2, publicKeys: sks.map((sk) => pegkit.schnorrPublicKey(sk)) });
const pub = (i) => secp256k1.getPublicKey(fill(32, 0x40 + i), true);
const DEST = {
  p2wpkh: btc.p2wpkh(pub(1), REGTEST),
  p2pkh: btc.p2pkh(pub(2), REGTEST),
  p2sh: btc.p2sh(btc.p2wpkh(pub(3), REGTEST), REGTEST),
  p2tr: btc.p2tr(pub(4).slice(1), undefined, REGTEST),
  p2wsh: btc.p2wsh(btc.p2ms(1, [pub(5), pub(6)]), REGTEST),
};

test('parseAddress agrees with @scure/btc-signer on every output type', () => {
  for (const [kind, p] of Object.entries(DEST)) {
    assert.equal(hex(pegkit.parseAddress('regtest', p.address)), hex(p.script), kind);
    assert.throws(() => pegkit.parseAddress('mainnet', p.address), isCode('wrong_network'), kind);
  }
  assert.throws(() => pegkit.parseAddress('regtest', 'bcrt1zzzz'), (e) => e instanceof pegkit.PegkitError);
  assert.throws(() => pegkit.parseAddress('moon', DEST.p2tr.address), isCode('invalid_argument'));
});

// Logs: two transactions with several burns each (event indexes 0..), one below the minimum, one
// from another contract, one removed, one to a mainnet address.
const tx = (i) => '0x' + hex(fill(32, 0xa0 + i));
const sats = (n) => BigInt(n) * WEI_PER_SAT;
const LOGS = [
  { address: BRIDGE, ...requestPegOut(1, DEST.p2wpkh.address, sats(2_000_000) + 123n), transactionHash: tx(1), logIndex: 4, blockNumber: 100 },
  { address: BRIDGE, ...burnForBitcoin(2, DEST.p2tr.address, sats(3_500_000)), transactionHash: tx(1), logIndex: 6, blockNumber: 100 },
  { address: BRIDGE, ...requestPegOut(3, DEST.p2pkh.address, sats(999_999)), transactionHash: tx(2), logIndex: 0, blockNumber: 101 },
  { address: BRIDGE, ...requestPegOut(3, DEST.p2sh.address, sats(1_500_000)), transactionHash: tx(2), logIndex: 1, blockNumber: 101 },
  { address: BRIDGE, ...burnForBitcoin(4, DEST.p2wsh.address, sats(4_000_000)), transactionHash: tx(2), logIndex: 2, blockNumber: 101 },
  { address: '0x' + 'cc'.repeat(20), ...requestPegOut(5, DEST.p2wpkh.address, sats(5_000_000)), transactionHash: tx(3), logIndex: 0, blockNumber: 101 },
  { address: BRIDGE, ...requestPegOut(6, 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', sats(5_000_000)), transactionHash: tx(4), logIndex: 0, blockNumber: 102 },
  { address: BRIDGE, ...requestPegOut(7, DEST.p2wpkh.address, sats(5_000_000)), transactionHash: tx(5), logIndex: 0, blockNumber: 102, removed: true },
];

// The same logs as the CLI contract spells them.
const cliLogs = LOGS.map((l) => ({
  address: l.address, topics: l.topics, data: l.data, transaction_hash: l.transactionHash,
  log_index: l.logIndex, block_number: l.blockNumber, ...(l.removed ? { removed: true } : {}),
}));
const burnToCli = (b) => ({
  id: { transaction_hash: b.id.transactionHash, event_index: b.id.eventIndex },
  block_number: b.blockNumber, evm_sender: b.evmSender, destination: b.destination,
  wei: b.wei.toString(), sats: Number(b.sats), remainder_wei: b.remainderWei.toString(),
});
const idToCli = (id) => ('eventIndex' in id
  ? { transaction_hash: id.transactionHash, event_index: id.eventIndex }
  : { transaction_hash: id.transactionHash, log_index: id.logIndex });

test('decodePegOutLogs: burns and rejections, the same as the CLI contract', () => {
  const decoded = pegkit.decodePegOutLogs('regtest', LOGS);
  assert.equal(decoded.burns.length + decoded.rejected.length, LOGS.length, 'every log accounted for');
  assert.deepEqual(decoded.burns.map((b) => [b.id.transactionHash, b.id.eventIndex, b.destination]), [
    [tx(1), 0, DEST.p2wpkh.address],
    [tx(1), 1, DEST.p2tr.address],
    [tx(2), 1, DEST.p2sh.address],
    [tx(2), 2, DEST.p2wsh.address],
  ]);
  const first = decoded.burns[0];
  assert.equal(first.wei, sats(2_000_000) + 123n);
  assert.equal(first.sats, 2_000_000n);
  assert.equal(first.remainderWei, 123n);
  assert.equal(first.evmSender, '0x' + hex(fill(20, 0x11)));
  assert.equal(first.blockNumber, 100);
  assert.deepEqual(decoded.rejected.map((r) => r.code).sort(), ['amount_below_minimum', 'not_bridge', 'removed', 'wrong_network']);
  const below = decoded.rejected.find((r) => r.code === 'amount_below_minimum');
  assert.deepEqual(below.id, { transactionHash: tx(2), eventIndex: 0 });
  assert.deepEqual(decoded.rejected.find((r) => r.code === 'not_bridge').id, { transactionHash: tx(3), logIndex: 0 });

  const { exit, out } = runCli('pegout decode', { network: 'regtest', logs: cliLogs });
  assert.equal(exit, 0, JSON.stringify(out));
  assert.deepEqual(out.burns, decoded.burns.map(burnToCli));
  assert.deepEqual(out.rejected, decoded.rejected.map((r) => ({ id: idToCli(r.id), code: r.code, message: r.message })));

  // ethers v6 (`index`, bigint block numbers) and raw JSON-RPC (hex quantities) give the same.
  const ethers = LOGS.map(({ logIndex, blockNumber, ...l }) => ({ ...l, index: logIndex, blockNumber: BigInt(blockNumber) }));
  assert.deepEqual(pegkit.decodePegOutLogs('regtest', ethers), decoded);
  const rpc = LOGS.map((l) => ({ ...l, logIndex: '0x' + l.logIndex.toString(16), blockNumber: '0x' + l.blockNumber.toString(16) }));
  assert.deepEqual(pegkit.decodePegOutLogs('regtest', rpc), decoded);
  // Another bridge: only its logs count.
  const other = pegkit.decodePegOutLogs('regtest', LOGS, { bridge: '0x' + 'cc'.repeat(20) });
  assert.equal(other.burns.length, 1);
  // A policy with a lower minimum pays the small burn.
  assert.equal(pegkit.decodePegOutLogs('regtest', LOGS, { policy: { minAmount: 500_000n } }).burns.length, 5);
  assert.throws(() => pegkit.decodePegOutLogs('regtest', [{ ...LOGS[0], topics: ['0x12'] }]), isCode('invalid_length'));
  assert.throws(() => pegkit.decodePegOutLogs('regtest', [{ ...LOGS[0], logIndex: -1 }]), isCode('invalid_argument'));
});

const UTXOS = [
  { txid: hex(fill(32, 1)), vout: 0, amount: 4_000_000n },
  { txid: hex(fill(32, 2)), vout: 1, amount: 9_000_000n },
  { txid: hex(fill(32, 3)), vout: 2, amount: 2_500_000n },
];
const federationJson = {
  network: 'regtest', threshold: 2, public_keys: sks.map((sk) => hex(pegkit.schnorrPublicKey(sk))),
};

test('buildPegOut and checkPegOut: byte-identical to the CLI, every refusal named, signed 2-of-3', () => {
  const { burns } = pegkit.decodePegOutLogs('regtest', LOGS);
  const rate = 2_000n;
  const payment = pegkit.buildPegOut(fed, UTXOS, burns, rate);
  const decodedTx = pegkit.decodeTransaction(payment.tx);
  assert.equal(decodedTx.txid, payment.txid);
  assert.equal(decodedTx.version, 2);
  assert.equal(decodedTx.lockTime, 0);
  assert.ok(decodedTx.inputs.every((i) => i.sequence === 0xfffffffd));
  assert.deepEqual(payment.paid, burns.map((b) => b.id));
  // Outputs: each burn its sats minus its fee share (floor split, remainder on the first ones).
  const m = BigInt(burns.length);
  const share = (i) => payment.rateFee / m + (BigInt(i) < payment.rateFee % m ? 1n : 0n);
  burns.forEach((b, i) => {
    assert.equal(decodedTx.outputs[i].amount, b.sats - share(i), `output ${i}`);
    assert.equal(hex(decodedTx.outputs[i].scriptPubKey), hex(pegkit.parseAddress('regtest', b.destination)));
  });
  const inputs = payment.prevouts.reduce((s, p) => s + p.amount, 0n);
  const outputs = decodedTx.outputs.reduce((s, o) => s + o.amount, 0n);
  assert.equal(inputs - outputs, payment.fee, 'conservation');
  assert.ok(payment.prevouts.every((p) => hex(p.scriptPubKey) === hex(fed.scriptPubKey)));

  // The CLI builds the same bytes from the same values.
  const cliBurns = burns.map(burnToCli);
  const cliUtxos = UTXOS.map((u) => ({ ...u, amount: Number(u.amount) }));
  const built = runCli('pegout build', { network: 'regtest', federation: federationJson, utxos: cliUtxos, burns: cliBurns, fee_rate_sat_kvb: 2000 });
  assert.equal(built.exit, 0, JSON.stringify(built.out));
  assert.equal(built.out.tx, hex(payment.tx));
  assert.equal(BigInt(built.out.fee), payment.fee);
  // Order does not matter.
  assert.equal(hex(pegkit.buildPegOut(fed, [...UTXOS].reverse(), [...burns].reverse(), rate).tx), hex(payment.tx));

  // Each member checks the proposal before signing.
  const proposal = { utxos: UTXOS, burns, feeRateSatKvb: rate, tx: payment.tx, prevouts: payment.prevouts };
  const checked = pegkit.checkPegOut(fed, proposal);
  assert.equal(checked.fee, payment.fee);
  assert.deepEqual(checked.paid, payment.paid);
  const cliCheck = runCli('pegout check', {
    network: 'regtest', federation: federationJson, utxos: cliUtxos, burns: cliBurns, fee_rate_sat_kvb: 2000,
    tx: hex(payment.tx), prevouts: payment.prevouts.map((p) => ({ amount: Number(p.amount), script_pubkey: hex(p.scriptPubKey) })),
  });
  assert.deepEqual(cliCheck.out, { ok: true, fee: Number(payment.fee), paid: payment.paid.map(idToCli) });

  // Refusals, each with its own code.
  assert.throws(() => pegkit.checkPegOut(fed, { ...proposal, processed: [burns[1].id] }), isCode('burn_already_processed'));
  const spent = decodedTx.inputs[0];
  assert.throws(() => pegkit.checkPegOut(fed, { ...proposal, reserved: [{ txid: spent.txid, vout: spent.vout }] }), isCode('reserved_utxo'));
  assert.throws(() => pegkit.checkPegOut(fed, { ...proposal, utxos: UTXOS.filter((u) => !(u.txid === spent.txid && u.vout === spent.vout)) }), isCode('unknown_utxo'));
  const raised = { ...decodedTx, outputs: decodedTx.outputs.map((o, i) => (i === 0 ? { ...o, amount: o.amount + 1n } : o)) };
  assert.throws(() => pegkit.checkPegOut(fed, { ...proposal, tx: pegkit.encodeTransaction(raised) }), (e) => e instanceof pegkit.PegkitError && ['wrong_payout', 'wrong_change', 'outputs_exceed_inputs'].includes(e.code));
  assert.throws(() => pegkit.buildPegOut(fed, UTXOS, burns, 10n), isCode('fee_rate_out_of_range'));
  assert.throws(() => pegkit.buildPegOut(fed, UTXOS.slice(2), burns, rate), isCode('insufficient_funds'));
  assert.throws(() => pegkit.buildPegOut(fed, UTXOS, [{ ...burns[0], sats: 1n }], rate), isCode('inconsistent_burn'));
  assert.throws(() => pegkit.buildPegOut(fed, UTXOS, [{ ...burns[0], remainderWei: burns[0].remainderWei + 1n }], rate), isCode('inconsistent_burn'));
  // wei whose satoshis do not fit 64 bits: refused as such, given as a bigint or as decimal text.
  const beyond = (1n << 64n) * 10n ** 10n;
  assert.throws(() => pegkit.buildPegOut(fed, UTXOS, [{ ...burns[0], wei: beyond }], rate), isCode('amount_above_maximum'));
  assert.throws(() => pegkit.buildPegOut(fed, UTXOS, [{ ...burns[0], wei: beyond.toString() }], rate), isCode('amount_above_maximum'));

  // Two of three sign; the collector finalizes; the witnesses pass the pre-broadcast check.
  const collector = new pegkit.SignatureCollector(fed, payment.tx, payment.prevouts);
  for (const sk of [sks[2], sks[0]]) collector.add(pegkit.signInputs(fed, payment.tx, payment.prevouts, sk));
  assert.ok(collector.isComplete);
  const done = collector.finalize();
  assert.equal(done.txid, payment.txid);
  pegkit.checkWitnesses(fed, done.tx, payment.prevouts);
});
