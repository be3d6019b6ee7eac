#!/usr/bin/env node
// The federation's half of the main job, through both CLIs: a 3-of-5 taproot federation with a
// 2-of-3 recovery leaf (1008 blocks) spends two of its outputs. Three members sign in the order
// their signatures arrive, `finalize` keeps the first three in key order, and the JS twin (wasm)
// must print byte-identical JSON at every step. Then the refusals a coordinator relies on.
// `node js/demo/federation-cli.mjs target/release/pegkit`
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { encodeTransaction, schnorrPublicKey } from 'pegkit';

const native = process.argv[2] ?? 'target/release/pegkit';
const sha = (s) => createHash('sha256').update(s).digest();
const hex = (b) => Buffer.from(b).toString('hex');

function cli(args, request) {
  const run = (program, argv) => {
    try {
      return { exit: 0, out: execFileSync(program, argv, { input: JSON.stringify(request) }).toString() };
    } catch (e) {
      return { exit: e.status, out: e.stdout.toString() };
    }
  };
  const a = run(native, args);
  const b = run('node', ['js/bin/pegkit.mjs', ...args]);
  if (a.exit !== b.exit || a.out !== b.out) {
    throw new Error(`native and JS twin differ on ${args.join(' ')}:\n${a.out}\n${b.out}`);
  }
  return { exit: a.exit, response: JSON.parse(a.out) };
}

// Member i's secret key is SHA-256("pegkit demo member i") (a demo, not a key generation scheme).
const secret = (name) => hex(sha(`pegkit demo ${name}`));
const members = [0, 1, 2, 3, 4].map((i) => secret(`member ${i}`));
const recoverers = [0, 1, 2].map((i) => secret(`recovery ${i}`));
const federation = {
  network: 'mainnet',
  threshold: 3,
  public_keys: members.map((sk) => hex(schnorrPublicKey(sk))),
  recovery: { after_blocks: 1008, threshold: 2, public_keys: recoverers.map((sk) => hex(schnorrPublicKey(sk))) },
};

console.log('$ pegkit federation create');
const created = cli(['federation', 'create'], federation).response;
console.log(`  address     ${created.address}`);
console.log(`  descriptor  ${created.descriptor}`);
console.log(`  witness     ${created.satisfaction_weight} WU per input (3 signatures through the main leaf)`);

// Two outputs the federation holds (their txids stand in for real funding transactions).
const prevouts = [
  { amount: 2_500_000, script_pubkey: created.script_pubkey },
  { amount: 1_200_000, script_pubkey: created.script_pubkey },
];
const tx = hex(
  encodeTransaction({
    version: 2,
    lockTime: 0,
    inputs: prevouts.map((_, i) => ({
      txid: hex(sha(`funding ${i}`)),
      vout: i,
      scriptSig: '',
      sequence: 0xfffffffd,
      witness: [],
    })),
    outputs: [
      // A peg-out to a P2WPKH address, and the change back to the federation.
      { amount: 3_000_000n, scriptPubKey: '0014' + hex(sha('user')).slice(0, 40) },
      { amount: 690_000n, scriptPubKey: created.script_pubkey },
    ],
  }),
);

const partials = [];
for (const i of [4, 1, 2]) {
  const signed = cli(['sign'], { federation, tx, prevouts, secret_key: members[i], aux_rand: hex(sha(`aux ${i}`)) });
  console.log(`$ pegkit sign    member ${i}: ${signed.response.signatures.length} signatures by ${signed.response.public_key.slice(0, 16)}…`);
  partials.push(signed.response);
}

console.log('$ pegkit finalize');
const final = cli(['finalize'], { federation, tx, prevouts, partial_signatures: partials });
const decoded = cli(['tx', 'decode'], { tx: final.response.tx }).response;
console.log(`  txid ${final.response.txid}, ${decoded.vsize} vB, witness items per input: ${decoded.inputs[0].witness.length}`);
console.log(`  signers (key order): ${final.response.signers.map((k) => k.slice(0, 8)).join(', ')}`);

console.log('\nrefused, with the same code from both CLIs:');
const refusals = [
  ['two signatures of three', ['finalize'], { federation, tx, prevouts, partial_signatures: partials.slice(0, 2) }],
  ['a key outside the federation signs', ['sign'], { federation, tx, prevouts, secret_key: secret('outsider'), aux_rand: '00'.repeat(32) }],
  [
    'a signature altered in transit',
    ['finalize'],
    {
      federation, tx, prevouts,
      partial_signatures: [partials[0], partials[1], { ...partials[2], signatures: [partials[2].signatures[0].replace(/^../, '00'), partials[2].signatures[1]] }],
    },
  ],
  ['the recovery leaf before its 1008 blocks', ['sign'], { federation, tx, prevouts, secret_key: recoverers[0], leaf: 'recovery' }],
];
for (const [what, args, request] of refusals) {
  const out = cli(args, request);
  if (out.exit !== 1) throw new Error(`${what}: expected a refusal, got ${JSON.stringify(out.response)}`);
  console.log(`  ${what.padEnd(42)} exit 1  ${out.response.error.code}`);
}
