#!/usr/bin/env bash
# Installs the JS development dependencies from js/package-lock.json when they are missing or out
# of date, then builds the npm package (js/pkg/) and the CLI twin's wasm (js/cli/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# First the JS development dependencies: the build optimizes the wasm with binaryen's wasm-opt
# from js/node_modules. npm ci wipes node_modules, so run it only when the lock file changed
# since the last install (`pegkit: file:pkg` is a symlink, fine before js/pkg exists).
stamp=js/node_modules/.pegkit-lock-sha256
want=$(sha256sum js/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  (cd js && npm ci --no-audit --no-fund)
  echo "$want" > "$stamp"
fi

node js/scripts/build.mjs
node js/scripts/build.mjs --cli
