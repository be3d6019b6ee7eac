#!/usr/bin/env bash
# Builds the npm package (js/pkg/) and the CLI twin's wasm (js/cli/), then installs the JS
# development dependencies from js/package-lock.json when they are missing or out of date.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

node js/scripts/build.mjs
node js/scripts/build.mjs --cli

# npm ci wipes node_modules, so run it only when the lock file changed since the last install.
stamp=js/node_modules/.pegkit-lock-sha256
want=$(sha256sum js/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  (cd js && npm ci --no-audit --no-fund)
  echo "$want" > "$stamp"
fi
