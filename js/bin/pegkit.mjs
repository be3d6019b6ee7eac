#!/usr/bin/env node
// The JavaScript twin of the native `pegkit` CLI: the same Rust implementation of the contract
// (pegkit-cli), compiled to a small wasm of its own (wasm/cli, built into js/cli/ by
// `npm run build:cli`), so both programs print identical JSON for identical requests.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cli;
try {
  cli = require('../cli/pegkit_cli_wasm.js');
} catch (e) {
  process.stderr.write(`pegkit.mjs: cannot load the CLI wasm in js/cli/ (build it with \`npm --prefix js run build:cli\`): ${e.message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const stdin = cli.needsStdin(args) ? readFileSync(0, 'utf8') : '';
const [exit, stdout] = cli.run(args, stdin);
process.stdout.write(stdout, () => process.exit(exit));
