#!/usr/bin/env node
// The `powercut` command. Runs the compiled CLI (dist/, built by `npm run build`, which `npm
// start`, `npm test` and `npm pack` run; `npm pack` through the `prepack` script, which unlike
// `prepare` is not an install script that users must approve) in this process. In a checkout with
// no build, it falls back to the TypeScript source through tsx, resolved from this package.
// A command that runs seeds is first started again with the V8 flags of v8-flags.mjs (it says
// why); that child's exit code or signal becomes this process's.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relaunchArgs } from './v8-flags.mjs';

/**
 * Runs Node with `args`, stdio shared; resolves to its exit code, re-raising a fatal signal. If
 * Node cannot be started again, runs the command in this process after all.
 */
function relaunch(args) {
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal) => child.kill(signal);
  const stopForwarding = () => signals.forEach((signal) => process.off(signal, forward));
  signals.forEach((signal) => process.on(signal, forward));
  return new Promise((resolve) => {
    child.on('error', () => {
      stopForwarding();
      resolve(runHere());
    });
    child.on('exit', (code, signal) => {
      stopForwarding();
      if (signal === null) return resolve(code ?? 1);
      process.kill(process.pid, signal);
      resolve(1);
    });
  });
}

async function runHere() {
  const compiled = new URL('../dist/cli/main.js', import.meta.url);
  let cli;
  if (existsSync(compiled)) {
    cli = await import(compiled.href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    cli = await import(new URL('../cli/main.ts', import.meta.url).href);
  }
  return cli.main(process.argv);
}

const args = relaunchArgs(process.argv, process.execArgv, process.env);
process.exitCode = args === undefined ? await runHere() : await relaunch(args);
