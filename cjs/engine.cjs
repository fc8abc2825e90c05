'use strict';
// `require('powercut/engine')`, loaded by Node's own `require`: see index.cjs.
const { Module } = require('node:module');
const { join } = require('node:path');

module.exports = new Module(__filename).require(join(__dirname, '..', 'dist', 'engine', 'index.js'));
