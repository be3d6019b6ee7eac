#!/bin/sh
# Regenerates the seed corpora in core/fuzz/corpus/<target>/ (gitignored) from the upstream
# vectors in tests/vectors/ (see tests/vectors/PROVENANCE.md):
#   decode_tx      every transaction in Bitcoin Core's tx_valid.json and tx_invalid.json
#   decode_header  mainnet headers 0..=255
#   decode_block   mainnet blocks 0..=255
# Each seed file is named by the SHA-1 of its bytes, as libFuzzer names corpus entries.
# Usage: core/fuzz/seed.sh   (from any directory)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec python3 - "$here/../../tests/vectors" "$here/corpus" <<'PY'
import hashlib, json, os, sys

vectors, corpus = sys.argv[1], sys.argv[2]

def write(target, blobs):
    out = os.path.join(corpus, target)
    os.makedirs(out, exist_ok=True)
    for blob in blobs:
        with open(os.path.join(out, hashlib.sha1(blob).hexdigest()), "wb") as f:
            f.write(blob)
    print(f"{target}: {len(set(blobs))} distinct seeds ({len(blobs)} vectors) in {out}")

def core_txs(name):
    with open(os.path.join(vectors, "bitcoin-core", name)) as f:
        rows = json.load(f)
    # Tests are [[prevouts...], "tx hex", "flags"]; single-string rows are comments.
    return [bytes.fromhex(r[1]) for r in rows
            if isinstance(r, list) and len(r) >= 3 and isinstance(r[0], list)]

def hex_lines(name):
    with open(os.path.join(vectors, "mainnet", name)) as f:
        return [bytes.fromhex(line.strip()) for line in f if line.strip()]

write("decode_tx", core_txs("tx_valid.json") + core_txs("tx_invalid.json"))
write("decode_header", hex_lines("mainnet_headers_0_255.hex"))
write("decode_block", hex_lines("mainnet_blocks_0_255.hex"))
PY
