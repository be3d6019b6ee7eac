#!/bin/sh
# Regenerates the seed corpora in core/fuzz/corpus/<target>/ (gitignored) from the upstream
# vectors in tests/vectors/ (see tests/vectors/PROVENANCE.md):
#   decode_tx      every transaction in Bitcoin Core's tx_valid.json and tx_invalid.json
#   decode_header  mainnet headers 0..=255
#   decode_block   mainnet blocks 0..=255
#   partial_merkle_tree  the 6 real gettxoutproof outputs of mainnet_txoutproofs_830000.json (mode
#                  byte 0x00: raw), and structured-mode inputs (odd mode byte, txids, mask)
#   header_list    regtest chains mined here (retarget-safe spacing, intervals 2..=16), raw and
#                  with the link/grind/repair flags, from heights 0 and others
#   header_chain_ops  a few fixed pseudo-random operation sequences (random.Random(seed))
#   partial_signatures  short encodings (mode 0/1) and mutation lists of the valid sets (mode 2/3)
#   witness_check  the transactions above (mode 0/1) and witness mutation lists (mode 2/3)
#   pegout_logs    log records: both burn events from the bridge with each fixed destination,
#                  the key_io_valid addresses as fuzzed destinations, removed/foreign/duplicate logs
# Each seed file is named by the SHA-1 of its bytes, as libFuzzer names corpus entries.
# Usage: core/fuzz/seed.sh   (from any directory)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec python3 - "$here/../../tests/vectors" "$here/corpus" <<'PY'
import hashlib, json, os, random, struct, sys

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

with open(os.path.join(vectors, "mainnet", "mainnet_txoutproofs_830000.json")) as f:
    proofs = [bytes.fromhex(e["proof_hex"]) for e in json.load(f)["entries"]]
assert len(proofs) == 6, len(proofs)
rng = random.Random(2459)
structured = [bytes([mode]) + bytes(rng.randrange(256) for _ in range(n))
              for mode in (1, 3, 5, 7, 9, 11, 13, 15) for n in (1, 8, 70, 130)]
write("partial_merkle_tree", [b"\x00" + p for p in proofs] + structured)

# Regtest: genesis (time 1296688602, nBits 0x207fffff, nonce 2) and children 1200 s apart, so
# every retarget (any interval 2..=16: Core measures interval - 1 spacings) is capped at the
# limit and the nBits stay 0x207fffff (1200 s is not late for the min-difficulty rule).
LIMIT = 0x7fff << 240 | ((1 << 240) - 1)
def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()
def header(version, prev, root, time, bits, nonce):
    return struct.pack("<i32s32sIII", version, prev, root, time, bits, nonce)
GENESIS = header(1, bytes(32), bytes.fromhex(
    "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b")[::-1],
    1296688602, 0x207fffff, 2)
def mine_chain(n, first=GENESIS, spacing=1200):
    out = [first]
    for i in range(1, n):
        prev = out[-1]
        time = struct.unpack_from("<I", prev, 68)[0] + spacing
        root = hashlib.sha256(b"pegkit fuzz %d" % i).digest()
        nonce = 0
        while True:
            h = header(4, sha256d(prev), root, time, 0x207fffff, nonce)
            if int.from_bytes(sha256d(h), "little") <= LIMIT:
                break
            nonce += 1
        out.append(h)
    return out
def list_input(start, flags, interval, now, headers):
    return struct.pack("<IBBI", start, flags, interval - 2, now) + b"".join(headers)
chain = mine_chain(40)
lists = []
for interval in (2, 5, 16):
    for flags in (0, 1, 2, 3):
        lists.append(list_input(0, flags, interval, 0, chain[:8 * interval // 4 + 2]))
lists.append(list_input(0, 0x20, 4, 1296688602 + 40 * 1200, chain))
lists.append(list_input(0, 0x20, 4, 1296688602, chain))  # too new after 2 h
# From a later height (no history before the anchor).
later = mine_chain(30, first=chain[17])
lists.append(list_input(17, 0, 8, 0, later))
lists.append(list_input(4999, 3, 16, 0, later))
# Repair mode on zeroed headers: fixed into chains that retarget.
for interval, flags in ((2, 0x10), (3, 0x11), (4, 0x12), (7, 0x13), (16, 0x1c)):
    lists.append(list_input(0, flags, interval, 0, [GENESIS] + [bytes(80)] * 30))
lists.append(list_input(0, 0x0c, 5, 0, [GENESIS] + [bytes(80)] * 12))
write("header_list", lists)

ops = []
for seed in range(12):
    r = random.Random(seed)
    body = bytes(r.randrange(256) for _ in range(r.choice((64, 256, 1024, 3000))))
    ops.append(bytes([seed * 7 % 40, seed % 4, seed % 15]) + body)
# Long tip extensions (pruning, retargets), then a restore.
ops.append(bytes([3, 0, 2]) + bytes([6, 15] + [0x40] * 16) * 12 + bytes([4]))
ops.append(bytes([0, 3, 14]) + bytes([6, 15] + [0x00] * 16) * 8 + bytes([4, 5, 0]))
write("header_chain_ops", ops)

rng = random.Random(340)
def compact(n):
    return bytes([n]) if n < 0xfd else b"\xfd" + struct.pack("<H", n)
def partial(key_len, sig_lens):
    out = compact(key_len) + bytes(rng.randrange(256) for _ in range(key_len)) + compact(len(sig_lens))
    for n in sig_lens:
        out += compact(n) + bytes(rng.randrange(256) for _ in range(n))
    return out
sets = []
for mode in (0, 1):
    sets += [bytes([mode]) + partial(k, s) for k, s in ((32, [64, 64]), (33, [71, 72]), (32, [65, 64]), (0, []))]
for mode in (2, 3):
    sets += [bytes([mode]) + bytes(rng.randrange(256) for _ in range(5 * n)) for n in (1, 2, 3, 6)]
write("partial_signatures", sets)
txs = core_txs("tx_valid.json")[:40]
witness = [bytes([m]) + t for t in txs for m in (0, 1)]
for mode in (2, 3):
    witness += [bytes([mode]) + bytes(rng.randrange(256) for _ in range(3 * n)) for n in (0, 1, 2, 4, 8)]
write("witness_check", witness)
# pegout_logs: [head] then records [flags, tx, log_index, block, hash, topics, mode, len, payload].
# flags: bit1 bridge, bit2 block hash, bit3 event, bits4-5 topic0, bit6 dirty sender, 0x81 removed.
def record(flags, tx, log_index, block, h, topics, mode, payload):
    return bytes([flags, tx, log_index, block, h, topics, mode, len(payload)]) + payload
amount = (3_000_000).to_bytes(8, "big")  # wei bytes 16..24: 3e6 * 2^64 wei, about 5.5e10 sats
small = (1).to_bytes(8, "big")
with open(os.path.join(vectors, "bitcoin-core", "key_io_valid.json")) as f:
    addresses = [r[0].encode() for r in json.load(f) if not r[2]["isPrivkey"]]
logs = []
for head in (0, 1, 4, 8, 12):
    recs = b""
    for i, (event, choice) in enumerate((e, c) for e in (0, 8) for c in range(7)):
        recs += record(0x06 | event, i % 3, i, 1, 0, 2, 1 | (choice << 1), amount)
    logs.append(bytes([head]) + recs)
    logs.append(bytes([head]) + b"".join(
        record(0x06 | (8 * (i % 2)), i % 4, i, 0, 0, 2, 1 | (6 << 1), small + a)
        for i, a in enumerate(addresses[:12])))
    base = record(0x06, 1, 3, 1, 0, 2, 3, amount)
    logs.append(bytes([head]) + base + base + record(0x87, 1, 3, 1, 0, 2, 3, amount)
                + record(0x04, 2, 0, 1, 0, 2, 3, amount) + record(0x26, 1, 4, 1, 0, 2, 3, amount)
                + record(0x46, 1, 5, 1, 0, 2, 3, amount) + record(0x06, 1, 6, 2, 1, 2, 3, amount)
                + record(0x06, 3, 0, 0, 0, 2, 0, bytes(range(96))))
write("pegout_logs", logs)
PY
