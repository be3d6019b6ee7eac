// Plain-object factories for decoded values (ES module; objects.cjs is its CommonJS twin).
// Building each object with one call from wasm is several times faster than setting its
// properties one by one across the wasm boundary. Byte arguments arrive as views of wasm memory
// and are copied (`slice`) before the memory can change.
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
