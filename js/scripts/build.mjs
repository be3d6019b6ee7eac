#!/usr/bin/env node
// Builds the npm package `pegkit` into js/pkg/: one wasm-pack build per target, each in its own
// folder (node = CommonJS `nodejs` target, web = ES module with explicit init, bundler = ES module
// with wasm ESM integration), the hand-written entry files of js/src/, the shared PegkitError
// class, and package.json = the fields wasm-pack generates (version, repository) with the
// manifest fields of the repository's pkg.json merged over them.
//
//   node js/scripts/build.mjs          the library package (js/pkg/)
//   node js/scripts/build.mjs --cli    the CLI wasm for js/bin/pegkit.mjs (js/cli/)
//   add --dev for an unoptimized build
//
// Release builds of the library are then optimized for size with binaryen's `wasm-opt -Oz`, from
// the exact version pinned in js/package.json (`npm ci` in js/ first; Debian's wasm-opt 108
// silently breaks these modules, and wasm-pack's own wasm-opt step is disabled in
// wasm/Cargo.toml). The sizes before and after are printed.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const js = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(js, '..');
const profile = process.argv.includes('--dev') ? '--dev' : '--release';

function wasmPack(crateDir, target, outDir, extra = {}) {
  const args = ['build', profile, '--target', target, '--out-dir', outDir, '--out-name', extra.outName ?? 'pegkit_wasm'];
  if (extra.features) args.push('--', '--features', extra.features);
  console.log(`wasm-pack ${args.join(' ')}   (in ${crateDir})`);
  execFileSync('wasm-pack', args, { cwd: crateDir, stdio: 'inherit' });
}

// The WebAssembly features the module uses (rustc's wasm32 defaults, SIMD128 from
// .cargo/config.toml, reference types and multi-value from wasm-bindgen): wasm-opt may rely on
// these and on nothing else, so the output runs wherever the input did.
const WASM_FEATURES = [
  '--enable-simd',
  '--enable-bulk-memory',
  '--enable-bulk-memory-opt',
  '--enable-sign-ext',
  '--enable-nontrapping-float-to-int',
  '--enable-mutable-globals',
  '--enable-reference-types',
  '--enable-multivalue',
  '--enable-call-indirect-overlong',
];

function wasmOpt(file) {
  const bin = join(js, 'node_modules', '.bin', 'wasm-opt');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm ci\` in js/ first (binaryen is a devDependency)`);
  const sizes = (f) => {
    const bytes = readFileSync(f);
    return `${bytes.length} B, ${gzipSync(bytes, { level: 9 }).length} B gzip`;
  };
  const before = sizes(file);
  const tmp = `${file}.opt`;
  // -Oz: binaryen's smallest output. Names, DWARF, producers and target_features sections go.
  execFileSync(bin, ['-Oz', ...WASM_FEATURES, '--strip-debug', '--strip-producers', '--strip-target-features', file, '-o', tmp], { stdio: 'inherit' });
  renameSync(tmp, file);
  console.log(`wasm-opt -Oz ${file}: ${before} -> ${sizes(file)}`);
}

function writeJson(path, value) {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

if (process.argv.includes('--cli')) {
  const out = join(js, 'cli');
  rmSync(out, { recursive: true, force: true });
  const args = ['build', profile, '--target', 'nodejs', '--out-dir', out, '--no-pack'];
  execFileSync('wasm-pack', args, { cwd: join(repo, 'wasm', 'cli'), stdio: 'inherit' });
  rmSync(join(out, '.gitignore'), { force: true });
  writeJson(join(out, 'package.json'), { type: 'commonjs' });
  process.exit(0);
}

const pkg = join(js, 'pkg');
rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });

const targets = [
  { dir: 'node', target: 'nodejs', type: 'commonjs', features: 'nodejs', entries: ['node-index.cjs', 'node-index.mjs', 'node-index.d.ts'] },
  { dir: 'web', target: 'web', type: 'module', entries: ['web-index.js', 'web-index.d.ts'] },
  { dir: 'bundler', target: 'bundler', type: 'module', entries: ['bundler-index.js', 'bundler-index.d.ts'] },
];

let generated;
for (const t of targets) {
  const out = join(pkg, t.dir);
  wasmPack(join(repo, 'wasm'), t.target, out, { features: t.features });
  if (profile === '--release') wasmOpt(join(out, 'pegkit_wasm_bg.wasm'));
  generated ??= JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
  // wasm-pack's per-target manifest, README and `*` .gitignore are replaced by the package's own;
  // a one-field package.json tells Node how to load this folder's .js files.
  for (const f of ['package.json', '.gitignore', 'README.md', 'LICENSE', 'LICENSE-MIT', 'LICENSE-APACHE']) {
    rmSync(join(out, f), { force: true });
  }
  writeJson(join(out, 'package.json'), { type: t.type });
  for (const e of t.entries) {
    cpSync(join(js, 'src', e), join(out, e.replace(`${t.dir}-`, '')));
  }
}

cpSync(join(repo, 'wasm', 'js', 'pegkit-error.js'), join(pkg, 'pegkit-error.js'));
cpSync(join(repo, 'wasm', 'js', 'cjs', 'pegkit-error.cjs'), join(pkg, 'pegkit-error.cjs'));
cpSync(join(js, 'src', 'pegkit-error.d.ts'), join(pkg, 'pegkit-error.d.ts'));
cpSync(join(js, 'README.md'), join(pkg, 'README.md'));
for (const f of ['LICENSE-MIT', 'LICENSE-APACHE']) cpSync(join(repo, f), join(pkg, f));

const fields = JSON.parse(readFileSync(join(repo, 'pkg.json'), 'utf8'));
const manifest = {
  name: fields.name,
  version: generated.version,
  ...(generated.repository ? { repository: generated.repository } : {}),
  ...fields,
};
writeJson(join(pkg, 'package.json'), manifest);

// Every path the manifest names must exist, or the package is broken.
const paths = new Set();
const walk = (v) => {
  if (typeof v === 'string') paths.add(v);
  else if (v && typeof v === 'object') Object.values(v).forEach(walk);
};
walk(manifest.exports);
[manifest.main, manifest.module, manifest.types, ...manifest.files].forEach((p) => paths.add(p));
for (const p of paths) {
  if (!existsSync(join(pkg, p))) throw new Error(`pkg.json names ${p}, which the build did not produce`);
}
console.log(`built ${manifest.name}@${manifest.version} in ${pkg}`);
