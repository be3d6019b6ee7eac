// Plain-object factories for the values pegkit returns, and fast paths for reading arguments
// (build.rs generates the CommonJS copy in js/cjs/ for the nodejs target). Building each object
// with one call from wasm is several times faster than setting its properties one by one across
// the wasm boundary. Byte arguments arrive as views of wasm memory and are copied (`slice`)
// before the memory can change.
export function txInput(txid, vout, scriptSig, sequence, witness) {
  return { txid, vout, scriptSig: scriptSig.slice(), sequence, witness };
}

export function txOutput(amount, scriptPubKey) {
  return { amount, scriptPubKey: scriptPubKey.slice() };
}

export function transaction(txid, wtxid, version, lockTime, size, weight, vsize, inputs, outputs) {
  return { txid, wtxid, version, lockTime, size, weight, vsize, inputs, outputs };
}

export function header(hash, version, prevHash, merkleRoot, time, bits, nonce) {
  return { hash, version, prevHash, merkleRoot, time, bits, nonce };
}

export function block(header, transactions) {
  return { header, transactions };
}

export function bytes(view) {
  return view.slice();
}

export function chainTip(height, hash, chainworkHex) {
  return { height, hash, chainwork: BigInt('0x' + chainworkHex) };
}

export function chainEntry(header, height, chainworkHex, inBestChain) {
  return { header, height, chainwork: BigInt('0x' + chainworkHex), inBestChain };
}

export function batchSummary(added, duplicates, forkHeight, disconnected) {
  const reorg = forkHeight === undefined ? null : { forkHeight, disconnected };
  return { added, duplicates, reorg };
}

export function merkleRootResult(merkleRoot, mutated) {
  return { merkleRoot, mutated };
}

export function merkleProof(txid, index, branch) {
  return { txid, index, branch };
}

export function proofMatch(index, txid) {
  return { index, txid };
}

export function txOutProof(blockHash, merkleRoot, txCount, matches) {
  return { blockHash, merkleRoot, txCount, matches };
}

export function pegInOutput(vout, amount) {
  return { vout, amount };
}

export function verifiedPegIn(txid, blockHash, height, confirmations, outputs, total, credited, destination, weakSpv) {
  return { txid, blockHash, height, confirmations, outputs, total, credited, destination: destination ?? null, weakSpv };
}

export function tapLeaf(role, threshold, publicKeys, afterBlocks, script, leafHash, controlBlock, satisfactionWeight) {
  return {
    role,
    threshold,
    publicKeys,
    ...(afterBlocks === undefined ? {} : { afterBlocks }),
    script: script.slice(),
    leafHash: leafHash.slice(),
    controlBlock: controlBlock.slice(),
    satisfactionWeight,
  };
}

export function partialSignatures(publicKey, signatures) {
  return { publicKey: publicKey.slice(), signatures };
}

export function finalizedSpend(tx, txid, signers) {
  return { tx: tx.slice(), txid, signers };
}

export function burnId(transactionHash, eventIndex) {
  return { transactionHash, eventIndex };
}

export function logId(transactionHash, logIndex) {
  return { transactionHash, logIndex };
}

export function burn(id, blockNumber, evmSender, destination, weiDecimal, sats, remainderWei) {
  return { id, blockNumber, evmSender, destination, wei: BigInt(weiDecimal), sats, remainderWei };
}

export function rejection(id, code, message) {
  return { id, code, message };
}

export function prevout(amount, scriptPubKey) {
  return { amount, scriptPubKey: scriptPubKey.slice() };
}

export function pegOutPayment(tx, txid, prevouts, fee, rateFee, paid, rejected) {
  return { tx: tx.slice(), txid, prevouts, fee, rateFee, paid, rejected };
}

export function checkedPegOut(fee, rateFee, paid) {
  return { fee, rateFee, paid };
}

// --- Arguments ---------------------------------------------------------------------------------
// Fast paths for reading arguments: one call that packs a whole list into bytes, instead of
// several boundary crossings per element. Each returns `undefined` unless every element has
// exactly the form it handles; the caller then reads the list element by element in wasm, which
// accepts the same values and names whatever is wrong. A fast path never decides an error.

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

// Prevouts `{ amount: bigint | safe integer, scriptPubKey: Uint8Array }[]` as one buffer of
// records: the amount (8 bytes, little-endian, signed), the script's length (4 bytes,
// little-endian) and the script.
export function packPrevouts(list) {
  if (!Array.isArray(list)) return undefined;
  const amounts = new Array(list.length);
  const scripts = new Array(list.length);
  let size = 0;
  for (let i = 0; i < list.length; i++) {
    const p = list[i];
    if (typeof p !== 'object' || p === null) return undefined;
    let amount = p.amount;
    if (typeof amount === 'number' && Number.isSafeInteger(amount)) amount = BigInt(amount);
    if (typeof amount !== 'bigint' || amount < I64_MIN || amount > I64_MAX) return undefined;
    const script = p.scriptPubKey;
    if (!(script instanceof Uint8Array)) return undefined;
    amounts[i] = amount;
    scripts[i] = script;
    size += 12 + script.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    view.setBigInt64(at, amounts[i], true);
    view.setUint32(at + 8, scripts[i].length, true);
    out.set(scripts[i], at + 12);
    at += 12 + scripts[i].length;
  }
  return out;
}

const ENCODER = new TextEncoder();

// A string of at least `min` UTF-16 units as UTF-8 bytes (one native encoding, where
// wasm-bindgen would copy the string into wasm character by character), or `undefined` for
// anything else.
export function longStringBytes(value, min) {
  return typeof value === 'string' && value.length >= min ? ENCODER.encode(value) : undefined;
}

// A list of strings of exactly `length` characters each, joined and encoded as UTF-8 (one
// crossing and one native encoding instead of a crossing per element, and instead of
// wasm-bindgen's character-by-character copy of a long string), or `undefined` for any other
// list. A character outside ASCII takes more than one byte: the caller checks.
export function joinFixed(list, length) {
  if (!Array.isArray(list)) return undefined;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (typeof s !== 'string' || s.length !== length) return undefined;
  }
  return ENCODER.encode(list.join(''));
}

// --- Results -----------------------------------------------------------------------------------

// 32-byte hashes packed back to back, as an array of separate `Uint8Array`s.
export function hashList(view) {
  const out = new Array(view.length >>> 5);
  for (let i = 0; i < out.length; i++) out[i] = view.slice(32 * i, 32 * i + 32);
  return out;
}
