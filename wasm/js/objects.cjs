// CommonJS twin of objects.js for the Node (nodejs target) build; keep the two identical.
'use strict';
module.exports.txInput = (txid, vout, scriptSig, sequence, witness) =>
  ({ txid, vout, scriptSig: scriptSig.slice(), sequence, witness });
module.exports.txOutput = (amount, scriptPubKey) => ({ amount, scriptPubKey: scriptPubKey.slice() });
module.exports.transaction = (txid, wtxid, version, lockTime, size, weight, vsize, inputs, outputs) =>
  ({ txid, wtxid, version, lockTime, size, weight, vsize, inputs, outputs });
module.exports.header = (hash, version, prevHash, merkleRoot, time, bits, nonce) =>
  ({ hash, version, prevHash, merkleRoot, time, bits, nonce });
module.exports.block = (header, transactions) => ({ header, transactions });
module.exports.bytes = (view) => view.slice();
