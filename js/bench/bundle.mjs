// The browser side of the bench: bench/browser-entry.mjs (the suite, pegkit's web entry) bundled
// by esbuild for browsers, with tiny-secp256k1's wasm made loadable (see the plugin), and the page
// that loads it. Used by bench/run.mjs and js/test/bench.test.mjs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tiny-secp256k1's browser build imports its .wasm as an ES module (webpack's asyncWebAssembly);
 *  here the import becomes a module that instantiates the embedded bytes with top-level await. */
const tinySecpWasm = {
  name: 'tiny-secp256k1-wasm',
  setup(build) {
    build.onResolve({ filter: /secp256k1\.wasm$/ }, (a) => ({ path: join(a.resolveDir, a.path), namespace: 'tiny-secp-wasm' }));
    build.onLoad({ filter: /.*/, namespace: 'tiny-secp-wasm' }, (a) => {
      const bytes = readFileSync(a.path);
      const mod = new WebAssembly.Module(bytes);
      const modules = [...new Set(WebAssembly.Module.imports(mod).map((i) => i.module))];
      const contents = [
        ...modules.map((m, i) => `import * as m${i} from ${JSON.stringify(m)};`),
        `const b64 = ${JSON.stringify(bytes.toString('base64'))};`,
        'const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));',
        `const { instance } = await WebAssembly.instantiate(bytes, { ${modules.map((m, i) => `${JSON.stringify(m)}: m${i}`).join(', ')} });`,
        ...WebAssembly.Module.exports(mod).map((e) => `export const ${e.name} = instance.exports.${e.name};`),
      ].join('\n');
      return { contents, loader: 'js', resolveDir: dirname(a.path) };
    });
  },
};

/** Bundles bench/browser-entry.mjs into OUT_DIR/bench.js and writes OUT_DIR/index.html. */
export async function bundleBrowserBench(outDir) {
  const esbuild = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL('browser-entry.mjs', import.meta.url))],
    outfile: join(outDir, 'bench.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'esnext',
    logLevel: 'warning',
    plugins: [tinySecpWasm],
  });
  writeFileSync(
    join(outDir, 'index.html'),
    '<!doctype html>\n<meta charset="utf-8">\n<title>pegkit bench</title>\n<link rel="icon" href="data:,">\n<script type="module" src="bench.js"></script>\n<body>\n',
  );
}
