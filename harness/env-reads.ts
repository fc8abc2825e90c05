/**
 * The environment variables a user's module reads: a planted bug behind `COW_BUG=no-meta-crc`, a
 * workload's fault profile in `PAGESTORE_FAULTS`. A repro line that leaves them out reruns
 * other code, and says nothing is wrong (two new users pasted such lines and got "violations:
 * none"). From the moment the first user module is imported, `process.env` is a proxy that
 * notes each name read; the commands print the ones set, with their values, before the
 * command (`COW_BUG=no-meta-crc npx powercut repro ...`).
 *
 * Left out: names powercut, Node, npm and the shell set or read for themselves (`POWERCUT_*`,
 * `NODE_*`, `npm_*`, `PATH`, `HOME`, ...), and every name read while the environment is being
 * copied whole (`{ ...process.env }`, a child's `env`, the copy a library run restores:
 * targets/environment.ts): from an enumeration of its names to the end of that synchronous
 * stretch, reads are not noted. A campaign worker tells the main thread each name it reads
 * (harness/worker.ts), as a real-disk child tells its parent.
 */
import { shellQuote } from './shell-quote.ts';

/** Names of the process, the shell, Node, npm and their tools: never a user's switch. */
const ignored = /^(?:POWERCUT_|NODE_|npm_|TSX_|ESBUILD_|VITEST|LC_|XDG_)|^(?:PATH|HOME|USER|LOGNAME|SHELL|TERM|TERM_PROGRAM|COLORTERM|LANG|LANGUAGE|TZ|PWD|OLDPWD|TMPDIR|TMP|TEMP|CI|FORCE_COLOR|NO_COLOR|COLUMNS|LINES|SHLVL|HOSTNAME|INIT_CWD|EDITOR|PAGER|DEBUG|NODE|_)$/;

const read = new Set<string>();
let watching = false;
/** Told each name the first time it is noted ({@link onEnvRead}). */
let heard: ((name: string) => void) | undefined;
/** Set by an enumeration of the names, cleared at the next microtask: the stretch a copy takes. */
let copying = false;

function note(name: string | symbol): void {
  if (typeof name !== 'string' || copying) return;
  noteEnvRead(name);
  if (readers.size > 0 && !ignored.test(name)) for (const reader of readers) reader.add(name);
}

/** The sets of {@link readsDuring} calls in progress: each gets every name read, not only the first time. */
const readers = new Set<Set<string>>();

/**
 * Runs `work` (the import of a user's module) and says which names were read from `process.env`
 * while it ran: what the module's code read as it loaded (subjects/load.ts compares them at the
 * next load in the thread). Reads by other code running meanwhile count too.
 */
export async function readsDuring<T>(work: () => Promise<T>): Promise<{ readonly value: T; readonly names: ReadonlySet<string> }> {
  const names = new Set<string>();
  readers.add(names);
  try {
    return { value: await work(), names };
  } finally {
    readers.delete(names);
  }
}

/**
 * Notes `name` as read by the user's module: from the proxy, or a name a real-disk child process
 * read and told its parent of (the child reads the variable; the parent prints the repro line).
 */
export function noteEnvRead(name: string): void {
  if (ignored.test(name) || read.has(name)) return;
  read.add(name);
  heard?.(name);
  for (const listener of watchers) listener();
}

/** Told of each name noted, besides {@link heard}: the watchdog, whose label of a run names them. */
const watchers = new Set<() => void>();

/** Calls `listener` after each name noted until the returned function is called. */
export function whileEnvReads(listener: () => void): () => void {
  watchers.add(listener);
  return () => watchers.delete(listener);
}

/** Calls `listener` with each name the first time it is noted from now on (a real-disk child tells its parent). */
export function onEnvRead(listener: (name: string) => void): void {
  heard = listener;
}

/** Starts noting the names read from `process.env` (once per thread). */
export function watchEnvReads(): void {
  if (watching) return;
  watching = true;
  const real = process.env;
  process.env = new Proxy(real, {
    get(target, name, receiver) {
      note(name);
      return Reflect.get(target, name, receiver) as unknown;
    },
    has(target, name) {
      note(name);
      return Reflect.has(target, name);
    },
    // Straight onto the real object, which keeps its own rules (values become strings).
    set(target, name, value) {
      (target as Record<string | symbol, unknown>)[name] = value;
      return true;
    },
    ownKeys(target) {
      if (!copying) {
        copying = true;
        queueMicrotask(() => { copying = false; });
      }
      return Reflect.ownKeys(target);
    },
  });
}

/**
 * The variables a user's module read that are set now, as shell assignments to put before a
 * command (`A=1 B='x y' `), or '' when there are none.
 */
export function envAssignments(env: NodeJS.ProcessEnv = process.env): string {
  const set = [...read].sort().filter((name) => env[name] !== undefined);
  return set.map((name) => `${name}=${shellQuote(env[name]!)} `).join('');
}

/** The variables a user's module read that are set now, with their values (a plan's `found.env`). */
export function envRead(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries([...read].sort().filter((name) => env[name] !== undefined).map((name) => [name, env[name]!]));
}

/**
 * Of the variables a failure was found with (`recorded`), those whose value differs now, as
 * shell assignments (`LSM_BUG=delete-wal-early `), or '' when the environment is the same.
 */
export function envChangedSince(recorded: Readonly<Record<string, string>> | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return Object.entries(recorded ?? {}).filter(([name, value]) => env[name] !== value).map(([name, value]) => `${name}=${shellQuote(value)} `).join('');
}

/**
 * How this run's environment differs from `recorded` (a plan's `found.env`), for a message:
 * `here GROUP_BUG=resolve-early` for a variable set to another value, `here GROUP_BUG is not set`
 * for one unset; empty when nothing differs. A test that sets the variable itself to another value
 * read "which this run was not" of what it had set.
 */
export function envHere(recorded: Readonly<Record<string, string>> | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const differ = Object.entries(recorded ?? {}).filter(([name, value]) => env[name] !== value);
  return differ.length === 0 ? '' : `here ${differ.map(([name]) => (env[name] === undefined ? `${name} is not set` : `${name}=${shellQuote(env[name])}`)).join(', ')}`;
}

/** Forgets the names noted so far (for tests). */
export function forgetEnvReads(): void {
  read.clear();
}
