#!/usr/bin/env node
// Launcher for `npx powercut`: runs cli/main.ts through tsx in a child Node process, passing
// the arguments, stdio, exit code and fatal signals through. tsx is resolved from this package,
// not from the current folder, so the launcher works from anywhere.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const cli = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
// The CLI prints commands the way it was invoked: tell it the launcher's own path.
const env = { ...process.env, POWERCUT_LAUNCHER: fileURLToPath(import.meta.url) };
const child = spawn(process.execPath, ['--import', tsx, cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`powercut: cannot start node: ${error.message}\n`);
  process.exit(3);
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 3);
});
