/**
 * How a user names what to test from code: `{ engine: './my-engine.ts' }`, `{ target:
 * './my-workload.ts' }` (paths, or `file:` URLs such as `new URL('./x.ts', import.meta.url)`),
 * or `{}` for the reference engine. A module, not an object, so that worker threads load the
 * same code, and so that repro lines and plan files can name it.
 */
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invocationDefault, startWatchdog, type Subject, type SubjectSpec } from '../harness/index.ts';
import { loadSubject, SubjectLoadError } from '../subjects/index.ts';
import { optionNames } from './options.ts';

/** What to test. */
export interface SubjectInput {
  /** A module whose default export is an engine (see `defineEngine`). @defaultValue the reference engine */
  readonly engine?: string | URL;
  /** A module whose default export is a library workload (see `defineWorkload`). */
  readonly target?: string | URL;
  /**
   * Second looks at each crash: other disks a power loss could have left and, in a plan that
   * injects bit flips, the disk with a bit of its newest durable data rotted, recovered and
   * checked besides the run's own (0: none). @defaultValue 5 for a library workload and in the
   * engine scenarios about power loss and bit rot, else 0
   */
  readonly looks?: number;
  /**
   * Seconds of wall time one run may go without giving the simulated world a turn (no I/O, no
   * timer) before powercut prints a line naming it (its seed and the command that reruns it) and
   * ends the process with SIGKILL (a worker's run, with `jobs` 2 or more: ends that worker and is
   * reported as a `liveness` violation): what stops code under test that spins in synchronous
   * code, where no simulated step budget reaches, from hanging the test runner forever. The first
   * limit given in a process holds for the process. 0: never.
   * @defaultValue 0 (the CLI's `--seed-timeout` defaults to 60)
   */
  readonly seedTimeoutSec?: number;
}

/** The keys of {@link SubjectInput}. */
export const subjectOptionNames = optionNames({ engine: true, target: true, looks: true, seedTimeoutSec: true } satisfies Record<keyof SubjectInput, true>);

/** A module named as a path or a URL, as a path relative to the working directory when it is inside it. */
function modulePath(module: string | URL): string {
  const path = module instanceof URL || module.startsWith('file:') ? fileURLToPath(module) : module;
  if (!isAbsolute(path)) return path;
  const inside = relative(process.cwd(), path);
  return inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

/**
 * The spec of a {@link SubjectInput}.
 * @throws TypeError when both `engine` and `target` are given, or `looks` is not a natural number
 */
export function specOfInput(input: SubjectInput): SubjectSpec {
  if (input.engine !== undefined && input.target !== undefined) throw new TypeError('give either engine or target, not both');
  if (input.looks !== undefined && !(Number.isSafeInteger(input.looks) && input.looks >= 0)) throw new TypeError(`looks must be an integer >= 0, not ${String(input.looks)}`);
  const looks = input.looks === undefined ? {} : { looks: input.looks };
  if (input.target !== undefined) return { kind: 'library', module: modulePath(input.target), ...looks };
  return { kind: 'engine', module: input.engine === undefined ? undefined : modulePath(input.engine), ...looks };
}

/**
 * The subject `input` names, loaded. A module that cannot be loaded is told as the option that
 * named it (`engine no/such.ts: no such file`), not as the command-line flag the CLI's message
 * names.
 * @throws SubjectLoadError (code `SUBJECT_LOAD`)
 */
export async function loadInput(input: SubjectInput): Promise<Subject> {
  const limit = input.seedTimeoutSec ?? 0;
  if (!(Number.isFinite(limit) && limit >= 0)) throw new TypeError(`seedTimeoutSec must be a number of seconds >= 0, not ${String(input.seedTimeoutSec)}`);
  if (limit > 0) startWatchdog(limit, invocationDefault);
  try {
    return await loadSubject(specOfInput(input));
  } catch (error) {
    if (!(error instanceof SubjectLoadError)) throw error;
    throw new SubjectLoadError(error.message.replace(/^--(engine|target) /, '$1 '));
  }
}
