#!/usr/bin/env node
// pegkit (the npm package's wasm) against the JavaScript libraries wallets use, on the same real
// inputs, in Node and then in headless Chromium: one suite (bench/suite.mjs), two environments.
// Prints one markdown table per environment (medians; ratio = peer time / pegkit time, > 1: pegkit
// faster) and writes both to target/bench/latest.md for the README.
//
//   npm --prefix js run bench                      the README's operations, Node + Chromium
//   node js/bench/run.mjs --only spv,signing       topics (foundation, spv, signing), case ids, `all`
//   node js/bench/run.mjs --env node               one environment (node | chromium | both)
//   node js/bench/run.mjs --out FILE               where the markdown goes ('-': nowhere)
//   add --verbose for each measurement as it finishes (rounds × calls per round)
//
// Chromium: Debian's /usr/bin/chromium through playwright-core (js/demo/browser.mjs), the page
// served from 127.0.0.1 by js/demo/serve.mjs; the browser side is bench/browser-entry.mjs bundled
// with esbuild into target/bench/browser/, with pegkit's web entry and tiny-secp256k1's wasm.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { bundleBrowserBench } from './bundle.mjs';
import { markdownTable, runSuite, selectCases } from './suite.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const JS = join(HERE, '..');
const REPO = join(JS, '..');
const VECTORS = join(REPO, 'tests', 'vectors', 'mainnet');
const BROWSER_DIR = join(REPO, 'target', 'bench', 'browser');

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: 'main' },
    env: { type: 'string', default: 'both' },
    out: { type: 'string', default: join(REPO, 'target', 'bench', 'latest.md') },
    verbose: { type: 'boolean', default: false },
  },
});
if (!['node', 'chromium', 'both'].includes(args.env)) throw new Error(`--env node | chromium | both, not ${args.env}`);
selectCases(args.only); // fails early on an unknown name

const started = performance.now();
const progress = (line) => {
  if (args.verbose) process.stderr.write(`  ${line}\n`);
};
const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
const cores = os.cpus().length;
const stamp = () => new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
const pkgVersion = (name) => JSON.parse(readFileSync(join(JS, 'node_modules', name, 'package.json'), 'utf8')).version;
const peers = ['bitcoinjs-lib', 'tiny-secp256k1', '@scure/btc-signer', '@noble/curves', '@noble/hashes']
  .map((p) => `${p} ${pkgVersion(p)}`)
  .join(', ');

const sections = [];
function report(title, rows) {
  const text = `${title}\n\n${markdownTable(rows)}\n`;
  console.log(`\n${text}`);
  sections.push(text);
}

// --- Node ---------------------------------------------------------------------------------------
async function runNode() {
  process.stderr.write(`Node: running ${args.only} …\n`);
  const pegkit = await import('pegkit');
  const rows = await runSuite({
    pegkit,
    load: async (name) => readFileSync(join(VECTORS, name), 'utf8'),
    now: () => Number(process.hrtime.bigint()) / 1e6,
    selection: args.only,
    log: progress,
  });
  report(`Node ${process.version}, ${stamp()}, ${cpu}, ${cores} cores:`, rows);
}

// --- Chromium -----------------------------------------------------------------------------------
async function runChromium() {
  process.stderr.write(`Chromium: bundling, then running ${args.only} …\n`);
  await bundleBrowserBench(BROWSER_DIR);
  const { startDemoServer } = await import('../demo/serve.mjs');
  const { launchChromium } = await import('../demo/browser.mjs');
  const dir = relative(REPO, BROWSER_DIR).split('\\').join('/') + '/';
  let server = null;
  let browser = null;
  try {
    server = await startDemoServer({ extraDirs: [dir] });
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
      else if (m.text().startsWith('[bench] ')) progress(m.text().slice(8));
    });
    await page.goto(`${server.origin}/${dir}`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 60_000 }).catch((e) => {
      throw new Error(`the bench page did not load: ${errors.join('; ') || e.message}`);
    });
    const rows = await page.evaluate(
      (opts) => window.pegkitBench(opts),
      { selection: args.only, wasmUrl: '/js/pkg/web/pegkit_wasm_bg.wasm', dataUrl: '/tests/vectors/mainnet/' },
    ).catch((e) => {
      throw new Error(`the bench failed in Chromium: ${e.message}${errors.length ? `; ${errors.join('; ')}` : ''}`);
    });
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    report(`Chromium ${browser.version()} (headless, playwright-core ${pkgVersion('playwright-core')}), ${stamp()}, ${cpu}, ${cores} cores:`, rows);
  } finally {
    await browser?.close().catch(() => {});
    await server?.close();
  }
}

if (args.env !== 'chromium') await runNode();
if (args.env !== 'node') await runChromium();

const seconds = (performance.now() - started) / 1e3;
const intro =
  `pegkit ${pkgVersion('pegkit')} (the npm package's wasm) vs ${peers}; the same suite ` +
  '(`js/bench/suite.mjs`) in each environment, one run. Median per call; ratio = peer time / pegkit ' +
  'time (> 1: pegkit faster) against the first pegkit row of each operation.';
if (args.out !== '-') {
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${intro}\n\n${sections.join('\n')}`);
  process.stderr.write(`\nwrote ${relative(process.cwd(), args.out)}; ${seconds.toFixed(0)} s in all\n`);
} else {
  process.stderr.write(`\n${seconds.toFixed(0)} s in all\n`);
}
