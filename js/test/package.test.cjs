// The npm package through its CommonJS entry (`require('pegkit')`).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const pegkit = require('pegkit');

test('require: decode, sign, verify, errors', () => {
  const genesis = '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';
  assert.equal(pegkit.blockHash(genesis), '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
  const sk = new Uint8Array(32);
  sk[31] = 3;
  const sig = pegkit.schnorrSign(sk, new Uint8Array(32), new Uint8Array(32));
  assert.equal(Buffer.from(sig).toString('hex').slice(0, 16), 'e907831f80848d10');
  assert.ok(pegkit.schnorrVerify(pegkit.schnorrPublicKey(sk), new Uint8Array(32), sig));
  assert.throws(() => pegkit.decodeTransaction('01000000000000000000ff'), (e) => e instanceof pegkit.PegkitError && e.code === 'trailing_bytes');
});
