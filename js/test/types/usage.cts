// The CommonJS view: `require('pegkit')` gets the same declarations.
import pegkit = require('pegkit');

const tx: pegkit.Transaction = pegkit.decodeTransaction('01000000000000000000');
const err: typeof pegkit.PegkitError = pegkit.PegkitError;
console.log(tx.txid, err);
