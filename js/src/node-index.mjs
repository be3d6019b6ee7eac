// pegkit for Node, ES module: `import { … } from 'pegkit'`. Re-exports the CommonJS build, so
// `import` and `require` in one process share one wasm instance and one PegkitError class.
export * from './pegkit_wasm.js';
export { PegkitError } from '../pegkit-error.js';
