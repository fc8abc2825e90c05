'use strict';
// `require('powercut')`: the ES module loaded by Node's own `require` (Node 20.19 and later load
// ES modules with it). A test runner with a module registry of its own (jest) hands out its own
// `require` and `createRequire`, which would transform the package instead of loading it; a
// module object of Node's own loads it as Node runs it, dynamic `import()` inside included.
// Such a runner also runs this file in a sandbox of its own (jest: a vm context with a copy of
// `process.env` and its own global, where `expect` lives): handed over, so that each call runs
// with the variables a test set and finds the running test's name (dist/api/host.js).
const { Module } = require('node:module');
const { join } = require('node:path');

const load = (file) => new Module(__filename).require(join(__dirname, '..', 'dist', 'api', file));
module.exports = load('index.js');
load('host.js').bindHost(process.env, globalThis);
