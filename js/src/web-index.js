// pegkit for browsers without a bundler (and for bundlers that handle `new URL(…, import.meta.url)`
// assets). Call the default export once before anything else: `await init()` fetches and
// instantiates the wasm (or pass `{ module_or_path }`); `initSync({ module })` takes bytes.
export * from './pegkit_wasm.js';
export { default } from './pegkit_wasm.js';
export { PegkitError } from '../pegkit-error.js';
