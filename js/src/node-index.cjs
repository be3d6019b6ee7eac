// pegkit for Node, CommonJS: `require('pegkit')`. The wasm module is instantiated synchronously
// when this file is first required; the ES module entry (index.mjs) shares this instance.
'use strict';
const wasm = require('./pegkit_wasm.js');
const { PegkitError } = require('../pegkit-error.cjs');

module.exports = { ...wasm, PegkitError };
