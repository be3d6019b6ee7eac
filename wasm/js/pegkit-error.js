// The one PegkitError class. Every build of pegkit loaded in a JS realm (Node CJS and ESM, web,
// bundler) registers and reuses the same class under one global symbol, so `instanceof
// PegkitError` holds whichever entry threw the error and whichever the caller imported.
// (build.rs generates the CommonJS copy in js/cjs/ for the nodejs target.)
const KEY = Symbol.for('pegkit.PegkitError');

class PegkitErrorClass extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'PegkitError';
    this.code = code;
  }
}

if (!globalThis[KEY]) globalThis[KEY] = PegkitErrorClass;

export const PegkitError = globalThis[KEY];

export function makePegkitError(code, message) {
  return new PegkitError(code, message);
}
