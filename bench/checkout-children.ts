/**
 * Two checkouts side by side, each in a child process of its own (its own engine, simulator and
 * warm-up), asked in turn: the benchmarks that compare this checkout with an older one
 * (bench/mutants-baseline.ts, bench/mutants-expected.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The V8 flags `checkout`'s own launcher starts campaigns with (its bin/v8-flags.mjs; none for
 * a checkout older than it), so each side runs as its `powercut` command would;
 * POWERCUT_V8_DEFAULTS=1 gives both V8's defaults.
 */
async function launcherFlags(checkout: string): Promise<readonly string[]> {
  const file = join(checkout, 'bin/v8-flags.mjs');
  if (process.env.POWERCUT_V8_DEFAULTS === '1' || !existsSync(file)) return [];
  return ((await import(pathToFileURL(file).href)) as { v8Flags: readonly string[] }).v8Flags;
}

/**
 * Starts `script` under tsx in `checkout`, with the V8 flags of its launcher, and waits for its
 * first message (it has loaded).
 */
export async function startChild(script: string, checkout: string): Promise<ChildProcess> {
  const execArgv = [...await launcherFlags(checkout), '--import', 'tsx'];
  const child = fork(script, [checkout], { execArgv, cwd: checkout, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((ready, fail) => {
    child.once('message', () => ready(child));
    child.once('exit', (code) => fail(new Error(`${checkout}: ${script} exited with code ${code}`)));
  });
}

/** Sends `request` to `child` and waits for its answer. */
export function ask<R>(child: ChildProcess, request: object): Promise<R> {
  return new Promise((done) => {
    child.once('message', (reply: R) => done(reply));
    child.send(request);
  });
}

/**
 * Asks both children the same request, one after the other, first one then the other by turns
 * (so a noisy machine weighs on both alike).
 * @returns the answers of `first` and `second`, in that order
 */
export async function askInTurn<R>(first: ChildProcess, second: ChildProcess, turn: number, request: object): Promise<[R, R]> {
  if (turn % 2 === 0) {
    const a = await ask<R>(first, request);
    return [a, await ask<R>(second, request)];
  }
  const b = await ask<R>(second, request);
  return [await ask<R>(first, request), b];
}

/**
 * The child's side (in a script {@link startChild} started): answers each request the parent
 * sends with `answer`, calls `cleanUp` when the parent lets go, and says it has loaded.
 */
export function serveParent<Q>(answer: (request: Q) => Promise<object>, cleanUp: () => void): void {
  process.on('message', (request: Q) => {
    void answer(request).then((reply) => process.send!(reply));
  });
  process.on('disconnect', cleanUp);
  process.send!({ ready: true });
}
