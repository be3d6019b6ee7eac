// The benchmark suite (js/bench/) still runs: every case's cross-implementation checks pass in
// Node and each implementation runs once; the browser bundle (with tiny-secp256k1's wasm) builds.
// The timed runs are `npm run bench`, not tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pegkit from 'pegkit';
import { bundleBrowserBench } from '../bench/bundle.mjs';
import { checkSuite, markdownTable, selectCases } from '../bench/suite.mjs';

const vectors = new URL('../../tests/vectors/mainnet/', import.meta.url);

test('every bench case agrees with its peers and runs once in Node', async () => {
  const calls = await checkSuite({ pegkit, load: async (name) => readFileSync(new URL(name, vectors), 'utf8') });
  assert.equal(calls, 35);
});

test('bench selections: main is the README table, topics and ids pick cases', () => {
  assert.deepEqual(selectCases('main'), ['header-chain', 'txoutproof', 'bip340-sign', 'bip340-verify', 'sighashes', 'federation-sign', 'federation-verify', 'federation-all']);
  assert.deepEqual(selectCases('spv'), ['header-chain', 'txoutproof', 'merkle-root']);
  assert.equal(selectCases('all').length, 12);
  assert.throws(() => selectCases('nope'), /unknown bench selection: nope/);
});

test('bench table: first pegkit row is the ratio base, later rows of a group have no name', () => {
  const table = markdownTable([
    { group: 'g', name: 'op', label: 'pegkit', ns: 2e6, ratio: 1, throughput: null },
    { group: 'g', name: 'op', label: 'peer', ns: 5e3, ratio: 2.5, throughput: '1.0 k x/s' },
  ]);
  assert.equal(table, '| operation | implementation | median | ratio |\n|---|---|---|---|\n| op | pegkit | 2.00 ms | 1 |\n|  | peer | 5.0 µs (1.0 k x/s) | 2.50 |');
});

test('the browser bench bundles, tiny-secp256k1 wasm included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pegkit-bench-'));
  try {
    await bundleBrowserBench(dir);
    const js = readFileSync(join(dir, 'bench.js'), 'utf8');
    assert.ok(statSync(join(dir, 'bench.js')).size > 1_000_000, 'the secp256k1 wasm is embedded');
    assert.match(js, /WebAssembly\.instantiate\(bytes/);
    assert.match(readFileSync(join(dir, 'index.html'), 'utf8'), /<script type="module" src="bench.js">/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
