// pegkit for bundlers with WebAssembly ES module integration (webpack `asyncWebAssembly`,
// Vite with a wasm plugin): the wasm is instantiated when this module is imported.
export * from './pegkit_wasm.js';
export { PegkitError } from '../pegkit-error.js';
