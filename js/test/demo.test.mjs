// The demo page (js/demo/) in Debian's headless Chromium through playwright-core, served from
// 127.0.0.1: the real mainnet peg-in's verdict, every tampered copy's refusal, pasted inputs, the
// header sync's progress bar, and federation addresses, each compared with what the npm package
// computes in Node for the same inputs. Screenshots go to target/demo/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Federation, HeaderChain, PegkitError, schnorrPublicKey, verifyPegIn } from 'pegkit';
import { buildFederation, openDemo, readBox, readSync, runExample, screenshot, verifyInputs } from '../demo/browser.mjs';
import { pegInRequest } from '../demo/pegin-request.mjs';
import { bip340, block830000Txids, hex } from './vectors.mjs';

const WAIT = { timeout: 90_000 };
const group = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const flipped = (h, at) => h.slice(0, at) + (parseInt(h[at], 16) ^ 1).toString(16) + h.slice(at + 1);

// What the npm package says in Node about the same request the page builds from the same files.
const req = pegInRequest();
const pegIn = (over = {}) => ({
  tx: req.tx,
  proof: req.proof,
  federationScriptPubkeys: req.federation_script_pubkeys,
  policy: { minConfirmations: 6, minAmount: 10000n, maxAmount: 10000000000n, fee: 1000n },
  ...over,
});
function nodeError(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof PegkitError);
    return e;
  }
  assert.fail('accepted');
}

describe('demo page in headless Chromium', WAIT, () => {
  let demo;
  let chain;
  before(async () => {
    chain = HeaderChain.fromHeaders('mainnet', req.start_height, req.headers);
    demo = await openDemo();
  }, WAIT);
  after(async () => {
    chain?.free();
    await demo?.close();
  });

  test('the real mainnet example: verdict, header sync to 830592, screenshot', WAIT, async () => {
    const { page } = demo;
    // Each value the progress bar shows while the sync runs (the page redraws between batches).
    await page.evaluate(() => {
      const bar = document.getElementById('sync-progress');
      window.syncSteps = [];
      new MutationObserver(() => window.syncSteps.push(bar.value)).observe(document.getElementById('sync-status'), {
        childList: true,
        subtree: true,
        characterData: true,
      });
    });
    const verdict = await runExample(page);
    const steps = await page.evaluate(() => window.syncSteps.filter((v, i, all) => i === 0 || v !== all[i - 1]));
    assert.deepEqual(steps, [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 8065]);
    const expected = verifyPegIn(chain, pegIn());
    const txids = block830000Txids();
    assert.equal(expected.total, 191261n);
    assert.equal(verdict.state, 'verified');
    assert.deepEqual(verdict.fields, {
      amount: '191,261 sat (0.00191261 BTC)',
      credited: '190,261 sat',
      destination: 'none (no OP_RETURN output)',
      confirmations: '593',
      height: '830,000',
      'block-hash': txids.hash,
      txid: txids.txids[1],
      outputs: 'output 0: 191,261 sat',
      proof: '1 of 1,851 transactions of the block (#1)',
    });
    // The same as the package in Node.
    assert.equal(verdict.fields.confirmations, String(expected.confirmations));
    assert.equal(verdict.fields['block-hash'], expected.blockHash);
    assert.equal(verdict.fields.txid, expected.txid);
    assert.equal(verdict.fields.credited, `${group(expected.credited)} sat`);
    // The sync went through all 8065 headers to the real tip.
    const sync = await readSync(page);
    assert.deepEqual([sync.state, sync.value, sync.max, sync.height], ['done', 8065, 8065, '830592']);
    assert.ok(sync.text.includes(chain.tip().hash));
    const note = await page.textContent('#example-note');
    assert.match(note, /^Real mainnet data: 8,065 headers from height 822,528/);
    await screenshot(page, 'pegin-verified');
  });

  test('tampered copies are refused with their codes, as in Node', WAIT, async () => {
    const { page } = demo;
    // One bit of the proof's first hash: the proof no longer commits to the header's root.
    let verdict = await runExample(page, 'proof');
    let e = nodeError(() => verifyPegIn(chain, pegIn({ proof: flipped(req.proof, 200) })));
    assert.deepEqual([verdict.state, verdict.code, verdict.fields.code], ['failed', 'merkle_root_mismatch', 'merkle_root_mismatch']);
    assert.equal(e.code, 'merkle_root_mismatch');
    assert.equal(verdict.fields.message, e.message);
    assert.match(await page.textContent('#example-note'), /^Tampered: byte 100 of the gettxoutproof changed from 0x[0-9a-f]{2} to 0x[0-9a-f]{2}\./);
    await screenshot(page, 'pegin-tampered');

    // One nonce bit of header 830000: the sync stops there, before any peg-in check.
    verdict = await runExample(page, 'header');
    const headers = [...req.headers];
    headers[7472] = flipped(headers[7472], 155);
    e = nodeError(() => HeaderChain.fromHeaders('mainnet', 822528, headers));
    assert.deepEqual([verdict.code, e.code], ['high_hash', 'high_hash']);
    assert.match(verdict.fields.message, /header at height 830000: hash [0-9a-f]{64} is above the target of nBits 1703ba5d$/);
    assert.equal(verdict.fields.stage, 'during the header sync, at header #7,472 of the list (height 830,000)');
    const sync = await readSync(page);
    assert.deepEqual([sync.state, sync.value], ['failed', 7000]);
    assert.equal(sync.text, 'stopped at header #7,472 of 8,065: high_hash');

    verdict = await runExample(page, 'federation');
    e = nodeError(() => verifyPegIn(chain, pegIn({ federationScriptPubkeys: ['0014' + '00'.repeat(20)] })));
    assert.deepEqual([verdict.code, verdict.fields.message], ['no_federation_output', e.message]);

    verdict = await runExample(page, 'confirmations');
    e = nodeError(() => verifyPegIn(chain, pegIn({ policy: { minConfirmations: 600 } })));
    assert.deepEqual([verdict.code, verdict.fields.message], ['insufficient_confirmations', '593 confirmations, 600 required']);
    assert.equal(e.message, verdict.fields.message);
  });

  test('pasted inputs: a shorter window of headers as one hex run, and a field the page refuses', WAIT, async () => {
    const { page } = demo;
    // 828576 starts a retarget period, so the window needs no earlier history.
    const from = 828576 - req.start_height;
    const verdict = await verifyInputs(page, {
      network: 'mainnet',
      startHeight: 828576,
      headers: req.headers.slice(from).join(''),
      proof: req.proof,
      tx: req.tx,
      federationScripts: req.federation_script_pubkeys.join('\n'),
      minConfirmations: 100,
    });
    assert.equal(verdict.state, 'verified');
    assert.equal(verdict.fields.confirmations, '593');
    assert.equal(verdict.fields.amount, '191,261 sat (0.00191261 BTC)');
    assert.equal(await page.textContent('#headers-count'), '2,017 headers');
    const sync = await readSync(page);
    assert.deepEqual([sync.state, sync.value, sync.max, sync.height], ['done', 2017, 2017, '830592']);

    const refused = await verifyInputs(page, { fee: 'a thousand' });
    assert.deepEqual([refused.state, refused.code], ['failed', 'input']);
    assert.equal(refused.fields.message, 'fee: "a thousand" is not a whole number of satoshis');
    assert.equal(refused.fields.stage, 'while reading the inputs');
    assert.equal((await readSync(page)).state, 'idle', 'no headers were synced');
    assert.equal(await page.textContent('#example-note'), '', 'the example note is cleared by an edit');
  });

  test('federation addresses equal the npm package\'s in Node', WAIT, async () => {
    const { page } = demo;
    const node = (options) => {
      const f = new Federation(options);
      try {
        return { address: f.address, descriptor: f.descriptor, script: hex(f.scriptPubKey) };
      } finally {
        f.free();
      }
    };
    const pick = (box) => ({ address: box.fields.address, descriptor: box.fields.descriptor, script: box.fields.script });

    // The page's example keys, built on load: secret keys 0x0101…01 … 0x0505…05, 3 of 5.
    await page.click('#fed-example');
    const exampleKeys = [1, 2, 3, 4, 5].map((i) => hex(schnorrPublicKey(new Uint8Array(32).fill(i))));
    let box = await readBox(page, '#federation-result');
    assert.equal(box.state, 'built');
    assert.deepEqual(pick(box), node({ network: 'mainnet', threshold: 3, publicKeys: exampleKeys }));
    assert.match(box.fields.address, /^bc1p[02-9ac-hj-np-z]{58}$/);

    // BIP340's vector keys, 2 of 4 on testnet4, with a 1-of-2 recovery leaf after 144 blocks.
    const keys = bip340().slice(0, 4).map((v) => v.publicKey.toLowerCase());
    const recovery = { afterBlocks: 144, threshold: 1, publicKeys: [0x11, 0x22].map((b) => hex(schnorrPublicKey(new Uint8Array(32).fill(b)))) };
    box = await buildFederation(page, { network: 'testnet4', threshold: 2, publicKeys: keys, recovery });
    assert.equal(box.state, 'built');
    assert.deepEqual(pick(box), node({ network: 'testnet4', threshold: 2, publicKeys: keys, recovery }));
    assert.match(box.fields.descriptor, /^tr\(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,\{sortedmulti_a\(2,/);
    assert.match(box.fields.address, /^tb1p/);
    await screenshot(page, 'federation', '#federation');

    // The same keys compressed (02 + x: BIP340 keys have an even y) as a P2WSH 2-of-3 on regtest.
    const compressed = keys.slice(0, 3).map((k) => '02' + k);
    box = await buildFederation(page, { network: 'regtest', kind: 'p2wsh', threshold: 2, publicKeys: compressed });
    assert.deepEqual(pick(box), node({ network: 'regtest', kind: 'p2wsh', threshold: 2, publicKeys: compressed }));
    assert.match(box.fields.descriptor, /^wsh\(sortedmulti\(2,/);

    // More signers than keys: pegkit's own code and message.
    box = await buildFederation(page, { network: 'mainnet', threshold: 6, publicKeys: exampleKeys });
    const e = nodeError(() => new Federation({ network: 'mainnet', threshold: 6, publicKeys: exampleKeys }));
    assert.deepEqual([box.state, box.code, box.fields.message], ['failed', e.code, e.message]);
    assert.equal(e.code, 'invalid_threshold');
  });

  test('no errors in the page', () => {
    assert.deepEqual(demo.errors, []);
  });
});
