#!/usr/bin/env node
// The main job through the npm package in Node: verify a real mainnet peg-in-shaped proof end to
// end (8065 real headers 822528..830592, Core's real gettxoutproof from block 830000), print what
// was checked, then show that tampered or insufficient inputs are refused with their codes.
import { HeaderChain, verifyPegIn, verifyTxOutProof, PegkitError } from 'pegkit';
import { pegInRequest } from './pegin-request.mjs';

const req = pegInRequest();
let failures = 0;
const check = (ok, what) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};
const refused = (f, code, what) => {
  try {
    f();
    check(false, `${what}: accepted`);
  } catch (e) {
    check(e instanceof PegkitError && e.code === code, `${what}: refused, ${e.code}: ${e.message}`);
  }
};

console.log('peg-in on mainnet data, through the npm package (wasm) in Node');
let t = performance.now();
const chain = HeaderChain.fromHeaders(req.network, req.start_height, req.headers);
const ms = performance.now() - t;
const tip = chain.tip();
console.log(`  header chain: ${req.headers.length} headers from ${req.start_height} checked in ${ms.toFixed(1)} ms`
  + ` (proof of work, links, 4 retargets, median time past): tip ${tip.height} ${tip.hash}, work ${tip.chainwork}`);
const proof = verifyTxOutProof(req.proof);
console.log(`  gettxoutproof: block ${proof.blockHash}, ${proof.txCount} transactions, proves ${proof.matches.map((m) => `#${m.index} ${m.txid}`).join(', ')}`);
t = performance.now();
const v = verifyPegIn(chain, { tx: req.tx, proof: req.proof, federationScriptPubkeys: req.federation_script_pubkeys, policy: {
  minConfirmations: req.policy.min_confirmations, minAmount: BigInt(req.policy.min_amount), maxAmount: BigInt(req.policy.max_amount), fee: BigInt(req.policy.fee),
} });
console.log(`  verified in ${(performance.now() - t).toFixed(1)} ms:`);
console.log(`    txid          ${v.txid}`);
console.log(`    block         ${v.height} ${v.blockHash}, ${v.confirmations} confirmations (policy: ${req.policy.min_confirmations})`);
console.log(`    to federation ${v.outputs.map((o) => `output ${o.vout}: ${o.amount} sat`).join(', ')} (script ${req.federation_script_pubkeys[0]})`);
console.log(`    total ${v.total} sat, fee ${req.policy.fee}, credited ${v.credited} sat, destination ${v.destination ?? 'none (no OP_RETURN)'}`);
check(v.height === 830000 && v.confirmations === tip.height - 830000 + 1, 'block 830000 on the best chain, confirmations = tip - height + 1');
check(v.total === 191261n && v.credited === 190261n, 'amount paid to the federation script and credited amount');

console.log('refusals');
const flipped = (hex, at) => hex.slice(0, at) + ((parseInt(hex[at], 16) ^ 1).toString(16)) + hex.slice(at + 1);
const pegIn = { tx: req.tx, proof: req.proof, federationScriptPubkeys: req.federation_script_pubkeys };
refused(() => verifyPegIn(chain, { ...pegIn, proof: flipped(req.proof, 200) }), 'merkle_root_mismatch', 'a proof with one hash bit flipped');
refused(() => verifyPegIn(chain, { ...pegIn, policy: { minConfirmations: 600 } }), 'insufficient_confirmations', 'requiring 600 confirmations');
refused(() => verifyPegIn(chain, { ...pegIn, federationScriptPubkeys: ['0014' + '00'.repeat(20)] }), 'no_federation_output', 'another federation script');
const shortChain = HeaderChain.fromHeaders('mainnet', 822528, req.headers.slice(0, 7000));
refused(() => verifyPegIn(shortChain, pegIn), 'block_not_in_chain', 'a chain that stops before block 830000');
refused(() => HeaderChain.fromHeaders('mainnet', 822528, [...req.headers.slice(0, 100), flipped(req.headers[100], 155)]), 'high_hash', 'a header with one nonce bit flipped');
refused(() => HeaderChain.fromHeaders('mainnet', 822529, req.headers.slice(1, 2100)), 'insufficient_history', 'a retarget whose period start is not given');

console.log(failures === 0 ? 'all checks passed' : `${failures} check(s) FAILED`);
process.exit(failures === 0 ? 0 : 1);
