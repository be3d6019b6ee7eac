// The npm package as a user installs it: `npm pack` js/pkg into a tarball, install the tarball
// (offline: pegkit has no dependencies) into scratch projects under the OS temp dir, and run an
// example in each:
//   esm     Node, `import … from 'pegkit'`: decode a real transaction, build a federation
//           address, verify a BIP340 signature, catch a PegkitError; then read `RequestPegOut`
//           logs as ethers v6 gives them (`Interface.encodeEventLog`, `new Log`) and decode them
//   cjs     Node, `require('pegkit')`: the same, plus `instanceof` across the CJS and ESM entries
//   browser esbuild bundles of `pegkit/web`: with the .wasm as a separate asset (`await init()`
//           given its URL), and with the .wasm inlined (`initSync`), both run in Debian's
//           headless Chromium (playwright-core, js/demo/browser.mjs) from 127.0.0.1.
//   types   `tsc --noEmit` on TypeScript examples against the installed package, as ESM
//           (`pegkit`, `pegkit/web`) and as CommonJS (`import x = require('pegkit')`).
// Expected values come from the upstream vectors and from @scure/btc-signer, not from pegkit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as btc from '@scure/btc-signer';
import * as esbuild from 'esbuild';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { launchChromium } from '../demo/browser.mjs';
import { bip340, read } from './vectors.mjs';

const run = promisify(execFile);
const js = fileURLToPath(new URL('..', import.meta.url));
const pkgDir = join(js, 'pkg');
const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

// --- inputs, from upstream vectors ----------------------------------------------------------
// The first transaction of Bitcoin Core's tx_valid.json, with its txid as @scure/btc-signer
// computes it; a valid BIP340 row; a 2-of-3 P2WSH federation of the first three BIP340 keys
// (as even-y compressed keys), with its address as scure builds it.
const coreTx = JSON.parse(read('bitcoin-core/tx_valid.json')).find((r) => Array.isArray(r) && r.length >= 3 && Array.isArray(r[0]))[1];
const coreTxid = btc.Transaction.fromRaw(Buffer.from(coreTx, 'hex'), { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true }).id;
const vector = bip340().find((r) => r.valid && r.secretKey);
const fedKeys = bip340().filter((r) => r.valid && r.secretKey).slice(0, 3).map((r) => '02' + r.publicKey.toLowerCase());
const fedAddress = btc.p2wsh(btc.p2ms(2, fedKeys.map((k) => Buffer.from(k, 'hex')).sort(Buffer.compare)), btc.TEST_NETWORK).address;

const input = {
  tx: coreTx,
  txid: coreTxid,
  publicKeys: fedKeys,
  bip340: { publicKey: vector.publicKey, message: vector.message, signature: vector.signature },
};
const expected = {
  txid: coreTxid,
  address: fedAddress,
  valid: true,
  tampered: false,
  code: 'trailing_bytes',
  isPegkitError: true,
};

// The example every scratch project runs, in ESM or CJS syntax.
const example = (importLine) => `${importLine}
const input = JSON.parse(readFileSync('input.json', 'utf8'));
const tx = decodeTransaction(input.tx);
const fed = new Federation({ network: 'testnet4', kind: 'p2wsh', threshold: 2, publicKeys: input.publicKeys });
const { publicKey, message, signature } = input.bip340;
const flipped = signature.slice(0, -2) + (signature.slice(-2) === '00' ? '01' : '00');
let code, isPegkitError;
try { decodeTransaction(input.tx + '00'); } catch (e) { code = e.code; isPegkitError = e instanceof PegkitError && e instanceof Error; }
const out = {
  txid: tx.txid,
  amountsAreBigint: tx.outputs.every((o) => typeof o.amount === 'bigint'),
  scriptIsBytes: tx.outputs.every((o) => o.scriptPubKey instanceof Uint8Array),
  address: fed.address,
  valid: schnorrVerify(publicKey, message, signature),
  tampered: schnorrVerify(publicKey, message, flipped),
  code,
  isPegkitError,
};
`;

const esmExample = example(`import { readFileSync } from 'node:fs';
import { decodeTransaction, Federation, schnorrVerify, PegkitError, decodePegOutLogs } from 'pegkit';
// ethers is not installed in the scratch project (offline); it comes from js/node_modules.
import { Interface, Log } from ${JSON.stringify(import.meta.resolve('ethers'))};`) + `
// RequestPegOut logs as ethers v6 returns them from provider.getLogs: Log objects.
const bridge = '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB';
const iface = new Interface(['event RequestPegOut(address indexed _evmAddress, bytes _bitcoinAddress, uint256 _value)']);
const sender = '0x' + '11'.repeat(20);
const destination = 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx';
const encoded = iface.encodeEventLog('RequestPegOut', [sender, new TextEncoder().encode(destination), 25_000_000n * 10_000_000_000n]);
const log = new Log({
  transactionHash: '0x' + 'ab'.repeat(32), blockHash: '0x' + 'cd'.repeat(32), blockNumber: 7, removed: false,
  address: bridge, data: encoded.data, topics: encoded.topics, index: 3, transactionIndex: 0,
}, null);
const { burns, rejected } = decodePegOutLogs('testnet4', [log]);
out.pegOut = { burns: burns.length, rejected: rejected.length, sats: String(burns[0]?.sats), destination: burns[0]?.destination, topic: iface.getEvent('RequestPegOut').topicHash };
console.log(JSON.stringify(out));
`;

const cjsExample = example(`'use strict';
const { readFileSync } = require('node:fs');
const { decodeTransaction, Federation, schnorrVerify, PegkitError } = require('pegkit');`) + `
// One PegkitError class whichever entry threw: the ESM entry's class is this one.
import('pegkit').then((esm) => {
  let cross = false;
  try { esm.decodeTransaction('00'); } catch (e) { cross = e instanceof PegkitError && esm.PegkitError === PegkitError; }
  import('pegkit/web').then((web) => {
    out.crossEntry = cross && web.PegkitError === PegkitError;
    console.log(JSON.stringify(out));
  });
});
`;

// The browser example: what a page's script does with `pegkit/web`.
const browserExample = (initLine, importLine) => `import init, { initSync, decodeTransaction, Federation, schnorrVerify, PegkitError } from 'pegkit/web';
${importLine}
export async function main(input) {
  ${initLine}
  const fed = new Federation({ network: 'testnet4', kind: 'p2wsh', threshold: 2, publicKeys: input.publicKeys });
  let code;
  try { decodeTransaction(input.tx + '00'); } catch (e) { code = e instanceof PegkitError ? e.code : 'not a PegkitError'; }
  const { publicKey, message, signature } = input.bip340;
  return { txid: decodeTransaction(input.tx).txid, address: fed.address, valid: schnorrVerify(publicKey, message, signature), code };
}
`;

// --- scratch projects --------------------------------------------------------------------------
let scratch;
let tarball;

function project(name, type) {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `scratch-${name}`, private: true, type }, null, 2));
  writeFileSync(join(dir, 'input.json'), JSON.stringify(input));
  return dir;
}

async function install(dir) {
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', tarball], { cwd: dir });
}

/** A static server for `dir` on 127.0.0.1: `{ url, served, close }` (`served`: paths asked for). */
async function serve(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
  const served = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    const file = join(dir, path);
    served.push(path);
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    served,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const node = async (dir, file) => JSON.parse((await run(process.execPath, [file], { cwd: dir })).stdout);

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'pegkit-packaging-'));
  const { stdout } = await run('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', scratch, pkgDir], { cwd: scratch });
  tarball = join(scratch, JSON.parse(stdout)[0].filename);
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('the tarball holds exactly the files the manifest lists', async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--loglevel=error', pkgDir], { cwd: scratch });
  const files = JSON.parse(stdout)[0].files.map((f) => f.path).sort();
  for (const t of ['node', 'web', 'bundler']) {
    for (const f of ['pegkit_wasm_bg.wasm', 'pegkit_wasm.js', 'pegkit_wasm.d.ts', 'index.d.ts', 'package.json']) {
      assert.ok(files.includes(`${t}/${f}`), `${t}/${f} is packed`);
    }
    assert.ok(files.some((f) => f.startsWith(`${t}/snippets/`)), `${t}/snippets is packed`);
  }
  for (const f of ['package.json', 'README.md', 'LICENSE-MIT', 'LICENSE-APACHE', 'pegkit-error.js', 'pegkit-error.cjs', 'pegkit-error.d.ts']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  const stray = files.filter((f) => /(^|\/)\.gitignore$|\.opt$|\.orig$|\.tgz$/.test(f));
  assert.deepEqual(stray, []);
  // Every file is reachable from the manifest's `files`.
  for (const f of files) {
    assert.ok(f === 'package.json' || manifest.files.some((entry) => f === entry || f.startsWith(entry)), `${f} is listed`);
  }
});

test('Node ESM project: import from the installed tarball, and ethers v6 logs', async () => {
  const dir = project('esm', 'module');
  await install(dir);
  writeFileSync(join(dir, 'main.js'), esmExample);
  const out = await node(dir, 'main.js');
  assert.deepEqual(
    { txid: out.txid, address: out.address, valid: out.valid, tampered: out.tampered, code: out.code, isPegkitError: out.isPegkitError },
    expected,
  );
  assert.ok(out.amountsAreBigint && out.scriptIsBytes);
  assert.deepEqual(out.pegOut, {
    burns: 1,
    rejected: 0,
    sats: String(25_000_000n),
    destination: 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx',
    // keccak256('RequestPegOut(address,bytes,uint256)'), as ethers computes it.
    topic: '0x' + Buffer.from(keccak_256(Buffer.from('RequestPegOut(address,bytes,uint256)'))).toString('hex'),
  });
});

test('Node CommonJS project: require from the installed tarball; one PegkitError across entries', async () => {
  const dir = project('cjs', 'commonjs');
  await install(dir);
  writeFileSync(join(dir, 'main.js'), cjsExample);
  const out = await node(dir, 'main.js');
  assert.deepEqual(
    { txid: out.txid, address: out.address, valid: out.valid, tampered: out.tampered, code: out.code, isPegkitError: out.isPegkitError },
    expected,
  );
  assert.ok(out.amountsAreBigint && out.scriptIsBytes);
  assert.equal(out.crossEntry, true);
});

test('browser: esbuild bundles of pegkit/web (wasm as an asset, and inlined) run in headless Chromium', async () => {
  const dir = project('browser', 'module');
  await install(dir);
  writeFileSync(join(dir, 'asset.js'), browserExample(
    'await init({ module_or_path: wasmUrl });',
    "import wasmUrl from 'pegkit/web/pegkit_wasm_bg.wasm';",
  ));
  writeFileSync(join(dir, 'inline.js'), browserExample(
    'initSync({ module: wasmBytes });',
    "import wasmBytes from 'pegkit/web/pegkit_wasm_bg.wasm';",
  ));
  const shipped = readFileSync(join(dir, 'node_modules', 'pegkit', 'web', 'pegkit_wasm_bg.wasm'));
  const common = { absWorkingDir: dir, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'silent', minify: true };
  await esbuild.build({ ...common, entryPoints: ['asset.js'], outdir: 'dist-asset', loader: { '.wasm': 'file' }, assetNames: '[name]-[hash]' });
  await esbuild.build({ ...common, entryPoints: ['inline.js'], outdir: 'dist-inline', loader: { '.wasm': 'binary' } });

  // The asset bundle references the emitted .wasm, byte-identical to the shipped one.
  const assets = readdirSync(join(dir, 'dist-asset'));
  const wasmName = assets.find((f) => f.endsWith('.wasm'));
  assert.ok(wasmName, `a .wasm asset among ${assets}`);
  assert.deepEqual(readFileSync(join(dir, 'dist-asset', wasmName)), shipped);
  assert.ok(readFileSync(join(dir, 'dist-asset', 'asset.js'), 'utf8').includes(wasmName));
  // The inlined bundle carries the module itself.
  assert.ok(statSync(join(dir, 'dist-inline', 'inline.js')).size > shipped.length);

  // Run both in Debian's headless Chromium: a page in dist-asset/ (next to its bundle and the
  // .wasm asset) served from 127.0.0.1 imports each bundle and runs the example.
  writeFileSync(join(dir, 'dist-asset', 'index.html'), '<!doctype html><meta charset="utf-8"><title>pegkit</title>');
  const server = await serve(dir);
  let browser;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}dist-asset/index.html`);
    const out = await page.evaluate(async (input) => ({
      asset: await (await import('./asset.js')).main(input),
      inline: await (await import('../dist-inline/inline.js')).main(input),
    }), input);
    const want = { txid: expected.txid, address: expected.address, valid: true, code: 'trailing_bytes' };
    assert.deepEqual(out, { asset: want, inline: want });
    assert.deepEqual(errors, []);
    // The page fetched the .wasm asset itself (not some other copy).
    assert.ok(server.served.includes(`/dist-asset/${wasmName}`), server.served.join(', '));
  } finally {
    await browser?.close().catch(() => {});
    await server.close();
  }
});

test('TypeScript: tsc --noEmit on ESM and CommonJS examples against the installed package', async () => {
  const dir = project('types', 'module');
  await install(dir);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['ES2022', 'ESNext.Disposable', 'DOM'] },
    files: ['app.ts', 'app.cts'],
  }));
  writeFileSync(join(dir, 'app.ts'), `
import { decodeTransaction, Federation, schnorrVerify, decodePegOutLogs, buildPegOut, PegkitError, type Transaction, type EvmLog, type DecodedLogs, type PegOutPayment, type Utxo, type BurnInput } from 'pegkit';
import init, { initSync, HeaderChain, verifyPegIn, type VerifiedPegIn } from 'pegkit/web';
const tx: Transaction = decodeTransaction('0100');
const amount: bigint | undefined = tx.outputs[0]?.amount;
const fed = new Federation({ network: 'testnet4', kind: 'p2wsh', threshold: 2, publicKeys: ['02' + '11'.repeat(32)] });
const address: string = fed.address;
const ok: boolean = schnorrVerify(new Uint8Array(32), 'cafe', new Uint8Array(64));
const logs: EvmLog[] = [{ address: '0x00', topics: [], data: '0x', transactionHash: '0x00', index: 1, blockNumber: 7 }];
const decoded: DecodedLogs = decodePegOutLogs('regtest', logs);
const withOptions: DecodedLogs = decodePegOutLogs('regtest', logs, { bridge: '0x' + 'bb'.repeat(20), policy: { minAmount: 1n } });
const utxos: Utxo[] = [{ txid: '00'.repeat(32), vout: 0, amount: 10n }];
const burns: BurnInput[] = decoded.burns;
const payment: PegOutPayment = buildPegOut(fed, utxos, burns, 1000n);
const fee: bigint = payment.fee;
try { decodeTransaction('00'); } catch (e) { if (e instanceof PegkitError) { const code: string = e.code; console.log(code); } }
await init();
initSync({ module: new Uint8Array(0) });
const chain: HeaderChain = HeaderChain.fromGenesis('mainnet');
const verdict = (v: VerifiedPegIn): bigint => v.total;
console.log(amount, address, ok, withOptions, fee, chain, verdict);
// @ts-expect-error amounts are bigint, not number
const wrong: number = tx.outputs[0]!.amount;
// @ts-expect-error not a network
decodePegOutLogs('mainet', logs);
`);
  writeFileSync(join(dir, 'app.cts'), `
import pegkit = require('pegkit');
const tx: pegkit.Transaction = pegkit.decodeTransaction('0100');
const err: typeof pegkit.PegkitError = pegkit.PegkitError;
console.log(tx.txid, err);
`);
  const tsc = join(js, 'node_modules', '.bin', 'tsc');
  await run(tsc, ['-p', dir], { cwd: dir }).catch((e) => assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`));
});

test('exports map: every condition names a file, with types', () => {
  const check = (target, where) => {
    if (typeof target === 'string') {
      assert.ok(statSync(join(pkgDir, target)).isFile(), `${where} -> ${target}`);
      return;
    }
    // A condition object that resolves to code names its declarations, first.
    if (Object.values(target).some((v) => typeof v === 'string')) assert.equal(Object.keys(target)[0], 'types', `${where}: types first`);
    for (const [k, v] of Object.entries(target)) check(v, `${where}.${k}`);
  };
  for (const [path, target] of Object.entries(manifest.exports)) check(target, path);
  // The bundler entry and its wasm-bindgen snippets run code on import: they must not be dropped.
  for (const f of ['./bundler/index.js', './bundler/pegkit_wasm.js']) assert.ok(manifest.sideEffects.includes(f), f);
});
