// The one PegkitError class (ES module; pegkit-error.cjs is its CommonJS twin). Every build of
// pegkit loaded in a JS realm (Node CJS and ESM, web, bundler) registers and reuses the same class
// under one global symbol, so `instanceof PegkitError` holds whichever entry threw the error and
// whichever the caller imported.
const KEY = Symbol.for('pegkit.PegkitError');

class PegkitError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'PegkitError';
    this.code = code;
  }
}

if (!globalThis[KEY]) globalThis[KEY] = PegkitError;

const Shared = globalThis[KEY];
export { Shared as PegkitError };
export function makePegkitError(code, message) {
  return new Shared(code, message);
}
