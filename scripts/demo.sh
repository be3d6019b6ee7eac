#!/usr/bin/env bash
# The main job, on real mainnet data, through the npm package in Node: decodes block 830000
# (header and all 1851 transactions, every txid checked against the upstream list, every
# transaction re-encoded byte for byte) and signs and verifies the BIP340 vectors.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
scripts/setup.sh --no-browser
scripts/build-js.sh
printf '\n== demo: node js/demo/foundation.mjs\n'
node js/demo/foundation.mjs
