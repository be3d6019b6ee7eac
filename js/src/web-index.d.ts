export * from './pegkit_wasm.js';
export { default } from './pegkit_wasm.js';
export { PegkitError } from '../pegkit-error.js';
