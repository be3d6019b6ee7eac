#!/usr/bin/env bash
# Installs what pegkit's build, tests and demo need, idempotently: each step checks first and
# skips what is present. Sourced by scripts/test.sh and scripts/demo.sh; runnable on its own.
#   scripts/setup.sh [--no-browser]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step "Rust targets and components"
installed_targets=$(rustup target list --installed)
for t in wasm32-unknown-unknown thumbv7m-none-eabi; do
  grep -qx "$t" <<<"$installed_targets" || rustup target add "$t"
done
for c in rustfmt clippy; do
  rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done

step "wasm-pack 0.15"
if ! wasm-pack --version 2>/dev/null | grep -q '^wasm-pack 0\.15\.'; then
  cargo install --locked wasm-pack --version '^0.15'
fi
wasm-pack --version

step "wasm-bindgen-cli at the exact version of the wasm-bindgen crate in Cargo.lock"
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$want" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $want"; then
  # Not --locked: wasm-bindgen-cli's lock file does not build on every toolchain; wasm-pack only
  # uses the binary on PATH when its version matches exactly.
  cargo install wasm-bindgen-cli --version "=$want"
fi
wasm-bindgen --version

step "cmake and Boost headers (to build Bitcoin Core's consensus engine for the bitcoinkernel oracle)"
if ! command -v cmake >/dev/null || [ ! -d /usr/include/boost ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends cmake libboost-dev
fi
cmake --version | head -n 1

if [ "${1:-}" != "--no-browser" ]; then
  step "Chromium and ChromeDriver (Debian packages)"
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
  fi
  /usr/bin/chromium --version
fi

step "Node.js ${NODE_MIN:=20}+"
node -e "process.exit(Number(process.versions.node.split('.')[0]) >= ${NODE_MIN} ? 0 : 1)" \
  || { echo "node >= ${NODE_MIN} is required, found $(node --version)" >&2; exit 1; }
node --version
