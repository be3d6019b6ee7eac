// The CommonJS view: `require('pegkit')` gets the same declarations.
import pegkit = require('pegkit');

const tx: pegkit.Transaction = pegkit.decodeTransaction('01000000000000000000');
const err: typeof pegkit.PegkitError = pegkit.PegkitError;
console.log(tx.txid, err);

const fed: pegkit.Federation = new pegkit.Federation({ network: 'regtest', threshold: 1, publicKeys: ['02'.repeat(33)] });
const partial: pegkit.PartialSignatures = pegkit.decodePartialSignatures('00');
const collector: pegkit.SignatureCollector = new pegkit.SignatureCollector(fed, '', []);
console.log(fed.address, partial.publicKey, collector.isComplete);
