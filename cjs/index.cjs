'use strict';
// `require('powercut')`: the ES module loaded by Node's own `require` (Node 20.19 and later load
// ES modules with it). A test runner with a module registry of its own (jest) hands out its own
// `require` and `createRequire`, which would transform the package instead of loading it; a
// module object of Node's own loads it as Node runs it, dynamic `import()` inside included.
const { Module } = require('node:module');
const { join } = require('node:path');

module.exports = new Module(__filename).require(join(__dirname, '..', 'dist', 'api', 'index.js'));
