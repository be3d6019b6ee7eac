// CommonJS twin of pegkit-error.js for the Node (nodejs target) build, so that `require('pegkit')`
// works on every Node >= 20. Both files register and reuse the same class under one global
// symbol, so `instanceof PegkitError` holds across all of pegkit's builds in a realm.
'use strict';
const KEY = Symbol.for('pegkit.PegkitError');

class PegkitError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'PegkitError';
    this.code = code;
  }
}

if (!globalThis[KEY]) globalThis[KEY] = PegkitError;

module.exports.PegkitError = globalThis[KEY];
module.exports.makePegkitError = (code, message) => new globalThis[KEY](code, message);
