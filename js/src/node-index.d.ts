export * from './pegkit_wasm.js';
export { PegkitError } from '../pegkit-error.js';
