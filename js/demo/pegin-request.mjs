#!/usr/bin/env node
// The main job's input, real mainnet data shaped as a peg-in, as a `pegin verify` request:
//   - headers 822528..830592 (8065 real headers, 4 retargets), the first one the trusted anchor;
//   - Bitcoin Core's real `gettxoutproof` for the transaction at position 1 of block 830000;
//   - that transaction, taken out of the real block 830000;
//   - its output 0, a P2WSH (multisig-style) script, playing the federation's scriptPubKey.
// `node js/demo/pegin-request.mjs | target/release/pegkit pegin verify --pretty`
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeBlock, encodeTransaction } from 'pegkit';

const vectors = new URL('../../tests/vectors/mainnet/', import.meta.url);
const read = (p) => readFileSync(new URL(p, vectors), 'utf8');
const hex = (b) => Buffer.from(b).toString('hex');

export const POSITION = 1;

export function pegInRequest() {
  const block = decodeBlock(read('mainnet_block_830000.hex').trim());
  const tx = block.transactions[POSITION];
  const proof = JSON.parse(read('mainnet_txoutproofs_830000.json')).entries.find(
    (e) => e.tx_indexes.length === 1 && e.tx_indexes[0] === POSITION,
  );
  return {
    network: 'mainnet',
    federation_script_pubkeys: [hex(tx.outputs[0].scriptPubKey)],
    policy: { min_confirmations: 6, min_amount: 10000, max_amount: 10000000000, fee: 1000 },
    start_height: 822528,
    headers: read('mainnet_headers_822528_830592.hex').trim().split('\n'),
    tx: hex(encodeTransaction(tx)),
    proof: proof.proof_hex,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(pegInRequest()) + '\n');
}
