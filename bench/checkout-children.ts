/**
 * Two checkouts side by side, each in a child process of its own (its own engine, simulator and
 * warm-up), asked in turn: the benchmarks that compare this checkout with an older one
 * (bench/mutants-baseline.ts, bench/mutants-expected.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';

/** Starts `script` under tsx in `checkout`, and waits for its first message (it has loaded). */
export function startChild(script: string, checkout: string): Promise<ChildProcess> {
  const child = fork(script, [checkout], { execArgv: ['--import', 'tsx'], cwd: checkout, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
