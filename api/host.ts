/**
 * The test runner's sandbox, when it runs test files in one. Jest evaluates each test file in a
 * vm context of its own, whose `process.env` is a copy of the real one and whose global holds
 * `expect`; `require('powercut')` (cjs/index.cjs) loads powercut with Node's own loader, in the
 * real context, so a variable a test sets (`process.env.MY_BUG = 'x'`, the README's way to switch
 * a planted bug on) never reached the engine, its worker threads or its child processes, and the
 * running test's name was never found: a Jest user's planted bugs all passed. cjs/index.cjs hands
 * the sandbox's `process.env` and global object over ({@link bindHost}); each API call then runs
 * with the variables the sandbox set in the real `process.env` ({@link withHostEnv}), put back
 * when it ends, and test-name.ts reads the sandbox's `expect` too. Outside such a sandbox (Vitest, Node's
 * test runner, plain Node) there is nothing to bind and nothing changes.
 */

interface Host {
  readonly env: NodeJS.ProcessEnv;
  readonly global: object;
}

let host: Host | undefined;

/**
 * Binds the sandbox that just required powercut; the last one bound wins (Jest runs one test file
 * at a time in a worker). A `require('powercut')` outside any sandbox (the engine module a test
 * names, loaded by Node) binds nothing and leaves the sandbox bound. Called by cjs/index.cjs only.
 * @param env - the requiring context's `process.env`
 * @param global - the requiring context's global object
 */
export function bindHost(env: NodeJS.ProcessEnv, global: object): void {
  if (env !== process.env || global !== globalThis) host = { env, global };
}

/** The global objects a test runner's `expect` may hang on: the sandbox's first, then this one. */
export function hostGlobals(): readonly object[] {
  return host === undefined ? [globalThis] : [host.global, globalThis];
}

/**
 * Runs `work` with the variables the sandbox set or changed in the real `process.env`, each put
 * back as it was once `work` settles. A variable the sandbox removed stays: the real environment
 * gains variables after the sandbox copied it (the loaders powercut registers), which a removal
 * there cannot be told from.
 */
export async function withHostEnv<T>(work: () => Promise<T>): Promise<T> {
  if (host === undefined) return work();
  const undo = applyEnv(host.env);
  try {
    return await work();
  } finally {
    undo();
  }
}

/** Sets in the real `process.env` what `wanted` sets otherwise; returns what puts it back. */
function applyEnv(wanted: NodeJS.ProcessEnv): () => void {
  const env = process.env;
  // Enumerated first: the reads that follow are a copy's, not a user's switch (harness/env-reads.ts).
  Object.keys(env);
  const before = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(wanted)) {
    if (value !== undefined && env[name] !== value) before.set(name, env[name]);
  }
  for (const name of before.keys()) setVariable(name, wanted[name]);
  return () => {
    for (const [name, value] of before) setVariable(name, value);
  };
}

function setVariable(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
