#!/usr/bin/env bash
# The main job: verify a real mainnet peg-in-shaped proof end to end, natively (the `pegkit`
# binary) and through the npm package in Node. Inputs (tests/vectors/mainnet/): the 8065 real
# headers 822528..830592, Bitcoin Core's real `gettxoutproof` for transaction #1 of block 830000,
# that transaction from the real block, and its P2WSH output as the federation script. Then the
# federation's half: a 3-of-5 taproot federation signs a spend of its outputs through both CLIs
# (byte-identical at every step) and the refusals a coordinator relies on. Last, the demo page
# (js/demo/) in headless Chromium from a 127.0.0.1 server: the same peg-in verified there, a
# tampered copy refused, and screenshots written to target/demo/. Nothing opens on screen.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
scripts/setup.sh
scripts/build-js.sh
cargo build --release --locked -p pegkit-node

printf '\n== natively: node js/demo/pegin-request.mjs | target/release/pegkit pegin verify --pretty\n'
node js/demo/pegin-request.mjs > target/pegin-request.json
time target/release/pegkit pegin verify --pretty < target/pegin-request.json
printf '\n== the same request through the JS twin (wasm): node js/bin/pegkit.mjs pegin verify\n'
node js/bin/pegkit.mjs pegin verify < target/pegin-request.json
printf '\n== through the npm package in Node: node js/demo/pegin.mjs\n'
node js/demo/pegin.mjs
printf '\n== the federation signs: node js/demo/federation-cli.mjs target/release/pegkit\n'
node js/demo/federation-cli.mjs target/release/pegkit
printf '\n== the demo page in headless Chromium: node js/demo/screenshot.mjs\n'
node js/demo/screenshot.mjs
