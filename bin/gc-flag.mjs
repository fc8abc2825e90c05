// Seed-running commands (run, ci, explore) go faster with V8's garbage collector on the thread
// that allocates: a simulated run makes many short-lived objects, and V8's helper GC threads
// then cost more CPU than they save, on every thread that runs seeds (measured in the README,
// "Speed"). The flag is process-wide and can only be given when node starts, so such a command
// started without it runs again in a child node that has it. POWERCUT_GC=default keeps V8's
// default in this process.
import { spawn } from 'node:child_process';

const flag = '--single-threaded-gc';
const seedCommands = new Set(['run', 'ci', 'explore']);

/** Whether an invocation (this process's by default) should run again in a child node with the flag. */
export function wantsGcChild(argv = process.argv, execArgv = process.execArgv, env = process.env) {
  return seedCommands.has(argv[2] ?? '') && !execArgv.includes(flag) && env.POWERCUT_GC !== 'default';
}

/**
 * Runs this invocation again with the flag; the child inherits stdio. Resolves with its exit
 * code; a signal this process gets is passed on, and one that ended the child ends this process.
 */
export function runGcChild() {
  const child = spawn(process.execPath, [...process.execArgv, flag, ...process.argv.slice(1)], { stdio: 'inherit' });
  const forward = (signal) => () => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handlers = signals.map((signal) => [signal, forward(signal)]);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      for (const [name, handler] of handlers) process.off(name, handler);
      if (signal !== null) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
    child.on('error', (error) => {
      process.stderr.write(`powercut: could not start node again with ${flag}: ${error.message}\n`);
      resolve(3);
    });
  });
}
