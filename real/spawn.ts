/**
 * How a real-disk child process starts: the one place that knows the child runs TypeScript
 * through tsx. When powercut ships compiled JavaScript, this file changes and nothing else.
 *
 * tsx is resolved from powercut's own install, as bin/powercut.mjs does, never from the working
 * directory: `--import tsx` would look for tsx where the user runs powercut, and fail there
 * ("Cannot find package 'tsx'") in any folder that does not have it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChildArgs } from './protocol.ts';

/** The child's entry point. */
const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));

/** The Node options a child needs to run powercut's TypeScript: tsx, found from this package. */
export function childExecArgv(): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx];
}

/**
 * Forks the real-disk child (child.ts) with its arguments. Messages use the `advanced`
 * serialization (structured clone), so values cross as `Uint8Array`, not as text.
 * @param args - what the child opens, passed as its one argument in JSON
 */
export function forkChild(args: ChildArgs): ChildProcess {
  return fork(childScript, [JSON.stringify(args)], {
    execArgv: childExecArgv(),
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
}
