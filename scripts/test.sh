#!/usr/bin/env bash
# pegkit's whole test suite: what CI runs (.ci/run) and what the README's second command runs.
# Installs what it needs (scripts/setup.sh), then: fmt, clippy (native and wasm32), the no_std
# builds of core, the npm package and CLI-twin builds, and the native, Node-wasm, Chromium-wasm
# and npm-package suites. Fails if any suite fails or reports zero tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR=never

scripts/setup.sh
step() { printf '\n== %s\n' "$*"; }
logs=target/test-logs
mkdir -p "$logs"
summary=()

# Runs a suite with its output kept in $logs/NAME.log; `count` is a function printing the number
# of passed tests found in that log. Zero is a failure: a suite that ran nothing proved nothing.
suite() {
  local name=$1 count=$2; shift 2
  step "$name: $*"
  "$@" 2>&1 | tee "$logs/$name.log"
  local n
  n=$("$count" "$logs/$name.log")
  if [ "${n:-0}" -le 0 ]; then
    echo "FAIL: suite '$name' reported 0 passed tests" >&2
    exit 1
  fi
  summary+=("$name: $n passed")
}
rust_passed() { awk '/^test result: ok\./ { for (i = 1; i <= NF; i++) if ($i == "passed;") s += $(i - 1) } END { print s + 0 }' "$1"; }
node_passed() { awk '$1 == "ℹ" && $2 == "pass" { s += $3 } END { print s + 0 }' "$1"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy -D warnings (native, all targets)"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "clippy -D warnings (wasm32 crates)"
cargo clippy -p pegkit-wasm -p pegkit-cli-wasm --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

step "pegkit-core builds for bare metal (no_std) and wasm32"
cargo build -p pegkit-core --locked --target thumbv7m-none-eabi
cargo build -p pegkit-core --locked --target wasm32-unknown-unknown

step "npm package and CLI-twin wasm"
scripts/build-js.sh

suite native rust_passed cargo test --workspace --locked
suite wasm-node rust_passed wasm-pack test --release --node wasm
WASM_BINDGEN_USE_BROWSER=1 suite wasm-chromium rust_passed \
  wasm-pack test --release --headless --chrome --chromedriver /usr/bin/chromedriver wasm
suite npm-package node_passed npm --prefix js test
step "TypeScript declarations: tsc --noEmit on js/test/types (ESM and CommonJS use)"
npm --prefix js run typecheck

step "summary"
printf '%s\n' "${summary[@]}"
echo "all suites passed"
