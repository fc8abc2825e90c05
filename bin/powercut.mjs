#!/usr/bin/env node
// The `powercut` command. Runs the compiled CLI (dist/, built by `npm run build`, which `npm ci`
// and `npm pack` run through the `prepare` script) in this process. In a checkout with no
// build, it falls back to the TypeScript source through tsx, resolved from this package.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let cli;
if (existsSync(compiled)) {
  cli = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../cli/main.ts', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv);
