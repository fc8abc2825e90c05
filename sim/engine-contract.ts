/**
 * The engine contract: how powercut drives a storage engine, yours or the reference one. An
 * engine is written against the file-system and clock ports (engine/ports/) and handed to
 * powercut as an {@link Engine}: a name, an `open` that recovers from whatever the disk holds,
 * and a handle with commit/get/state/sync/checkpoint/close. Everything crosses the boundary as
 * plain data and codes, never by class identity: your copy of an error class is another class
 * than powercut's, so failures are told apart by {@link EngineFailure.code}.
 *
 * What powercut relies on:
 * - `open` recovers and returns a handle, or throws. A refusal because the data is damaged is
 *   the code `corruption` (counted as detected damage when a fault damaged durable data, as
 *   `false-corruption` otherwise). An I/O error (anything with a POSIX `code` such as `EIO`) is
 *   transient: powercut restarts and opens again. Anything else is the engine's bug
 *   (`engine-error`).
 * - `commit(ops)` resolves when the engine acknowledges the batch under its durability mode,
 *   with its LSN if it has LSNs (optional; the checks that need LSNs run only when given).
 *   Concurrent commits take effect in the order `commit` was called. A rejection with code
 *   `rejected` says whether the commit is `absent` for good or in doubt (`unknown`, the
 *   default); `failed` means the engine is dead until reopened (nothing may be acknowledged
 *   after it); `closed` means it was closed. **Any other error leaves the commit in doubt**:
 *   the oracle then accepts it either present or absent, never a harness error; but, like
 *   every commit, only as part of an in-order prefix: absent while a later commit the store went
 *   on to acknowledge is present is a hole (`prefix`). An engine that cannot keep it out must
 *   say `absent` (it will never appear) or fail the store (`failed`).
 * - `state()` returns every live key and value as reads see them now.
 * - `sync` (make every acknowledged commit durable) and `checkpoint` are optional; plans skip
 *   the steps an engine lacks.
 * - `replayStats` and `metrics()` (optional, any subset) are checked against what was recovered
 *   and what the run did: how the last session ended, the I/O recovery issued, the commits
 *   acknowledged.
 * - Any operation may be issued while commits are in flight (plans' `overlap` steps); what each
 *   may observe and must acknowledge is written in sim/model.ts.
 * - An engine reports phases through `env.probe(phase)` if it wants: faults can then be aimed
 *   at its phases; without phases they are aimed at kinds of I/O (an append, an fsync, a rename)
 *   and coverage is counted by I/O class.
 *
 * An engine whose data model is not key-value is tested as a library workload instead
 * (targets/workload.ts), with its own invariants.
 */
import { fileURLToPath } from 'node:url';
import type { Clock } from '../engine/ports/clock.ts';
import type { FileSystem } from '../engine/ports/fs.ts';
import type { Op, ReplayStats, StoreMetrics, SyncMode } from '../engine/types.ts';
import type { SectorWrites } from './disk/crash-policy.ts';

/** Engine settings a plan carries (plain JSON); an engine uses the ones that mean something to it. */
export interface EngineConfig {
  /** Durability mode: what must survive a power loss (see README, "Semantics"). */
  readonly sync: SyncMode;
  readonly segmentSizeBytes: number;
  readonly walSizeBytesMax: number;
  readonly groupCommitMaxDelayMs: number;
  readonly groupCommitMaxBatch: number;
  readonly sidecarEveryFrames: number;
}

/** What `open` receives. */
export interface EngineEnvironment {
  /** The file system to run on (simulated, or `NodeFileSystem` on the real disk). */
  readonly fs: FileSystem;
  /** The clock for timers (virtual time in the simulator). */
  readonly clock: Clock;
  /** The directory the engine keeps its files in. */
  readonly dir: string;
  readonly config: EngineConfig;
  /** Labels the I/O that follows with a phase the engine declared in {@link Engine.phases}; calling it is optional. */
  readonly probe: (phase: string) => void;
  /**
   * Counts a rare branch the engine just took, one it declared in {@link Engine.probes} (as
   * FoundationDB's CODE_PROBE): campaigns show each probe's hits, and `ci` fails when a declared
   * probe is never hit. Calling it never changes what the run does.
   */
  readonly hit: (probe: string) => void;
}

/** What `commit` may resolve with: an LSN (a number or a bigint), an object holding one, or nothing. */
export type CommitAck = number | bigint | { readonly lsn?: number | bigint | undefined } | void | undefined;

/** What an open reported of its recovery, as {@link Engine.selfCheck} is shown it. */
export interface RecoveryReport {
  /** The handle's `replayStats`, if it has any. */
  readonly replayStats?: Partial<ReplayStats> | undefined;
}

/** An open engine. */
export interface EngineHandle {
  /** Commits one atomic batch; resolves once acknowledged under the durability mode. */
  commit(ops: readonly Op[]): Promise<CommitAck>;
  /** Reads one key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every live key and its value. */
  state(): Promise<ReadonlyMap<string, Uint8Array> | Iterable<readonly [string, Uint8Array]>>;
  /** Makes every acknowledged commit durable (meaningful in `none` mode). */
  sync?(): Promise<void>;
  /** Takes a checkpoint (a snapshot, compaction, ...). */
  checkpoint?(): Promise<void>;
  /** Clean shutdown. */
  close(): Promise<void>;
  /** What recovery reported on open; any subset of the fields. */
  readonly replayStats?: Partial<ReplayStats> | undefined;
  /**
   * The open store's counters, any subset of the fields; read synchronously after each step
   * and checked against what the run did (sim/checkers/reported.ts).
   */
  metrics?(): Partial<StoreMetrics>;
}

/** The codes an engine fails with (see the module comment). */
export type EngineFailureCode = 'corruption' | 'failed' | 'rejected' | 'closed';

/** Every {@link EngineFailureCode}. */
export const engineFailureCodes: readonly EngineFailureCode[] = ['corruption', 'failed', 'rejected', 'closed'];

/** A failure, as plain data. */
export interface EngineFailure {
  readonly code: EngineFailureCode;
  /** For a rejected commit: `absent` (never to appear) or `unknown` (in doubt). @defaultValue 'unknown' */
  readonly commitOutcome?: 'absent' | 'unknown' | undefined;
}

/**
 * What an engine promises after a media fault destroyed durable bytes ({@link Engine.damage}):
 * - `point-in-time`: recovery may stop silently at the damage, losing every commit from there on
 *   that nothing the model can see vouched for (sim/model.ts, `excusedFloor`), as RocksDB's default
 *   point-in-time recovery does;
 * - `detects`: besides, it never silently loses a commit that intact bytes could vouch for
 *   (sim/model.ts, `damageFloor`): it keeps the commit or refuses to open. An engine whose records carry
 *   what was durable when they were written (the reference engine's rule R4) can keep it.
 */
export type DamageContract = 'point-in-time' | 'detects';

/**
 * The largest batch an engine accepts, as its {@link Engine.limits} declares it. Every field is
 * optional; a field left out is not tested.
 */
export interface SizeLimits {
  /** Largest key, in UTF-8 bytes. */
  readonly keyBytes?: number;
  /** Largest value, in bytes. */
  readonly valueBytes?: number;
  /** Most operations in one batch. */
  readonly batchOps?: number;
}

/** A storage engine powercut can drive: the default export of an `--engine` module. */
export interface Engine {
  /** A short name, for reports and repro lines. */
  readonly name: string;
  /** One line: what it is. */
  readonly description?: string;
  /**
   * Phases the engine reports through `env.probe`. Scenarios aim their faults at phases only
   * when the engine reports every phase they name (the reference engine's); otherwise at I/O
   * classes. @defaultValue none
   */
  readonly phases?: readonly string[];
  /**
   * Rare branches the engine names through `env.hit` (a recovery rule that decided, a sidecar
   * rebuilt, a cut fsynced after ENOSPC, ...): a campaign that never reaches one did not test it.
   * @defaultValue none
   */
  readonly probes?: readonly string[];
  /** Durability modes the engine offers; a plan asking for another runs in the first. @defaultValue every mode */
  readonly syncModes?: readonly SyncMode[];
  /**
   * What recovery promises after media damage (a rotted sector, a misdirected write, a lost
   * name): see {@link DamageContract}. Declare `detects` when the engine's records carry what
   * was durable when they were written, and powercut holds it to using that. @defaultValue 'point-in-time'
   */
  readonly damage?: DamageContract;
  /**
   * What the engine assumes of a sector a power loss cuts mid-write: `torn`, that it may read
   * back whole, not at all, or as garbage (any drive without power-loss protection; an overwrite in
   * place too); `atomic`, that it lands whole or not at all, old bytes or new (a device with
   * power-loss protection or an atomic write unit of a sector: what etcd's rule that a torn record
   * holds an all-zero sector, or SQLite's `IOCAP_ATOMIC512`, relies on). Declare `atomic` only for
   * the devices you deploy on promise it: every plan then runs on such a disk
   * (`faults.sectorWrites`). @defaultValue 'torn'
   */
  readonly sectorWrites?: SectorWrites;
  /**
   * The largest key, value and batch the engine accepts. Declared, they are tested at the edge:
   * the `edge-values` scenario commits keys and values of exactly these sizes and one byte over,
   * and batches of exactly `batchOps` operations and one more, each
   * through checkpoints, reopens and crashes. A batch within every declared limit must then be
   * acknowledged unless an injected fault (other than a crash) came first, and one beyond a limit
   * must be refused (invariant `limits`). Values are drawn at their limit only up to 4 MiB
   * (sim/workload.ts, `boundaryValueBytesMax`). @defaultValue none: sizes are drawn without
   * regard to them
   */
  readonly limits?: SizeLimits;
  /** Opens the engine in `env.dir`, recovering from what the disk holds. */
  open(env: EngineEnvironment): Promise<EngineHandle>;
  /**
   * Maps an error the engine threw to a failure code; `undefined` falls back to the error's own
   * `code` property when it is one of {@link engineFailureCodes}.
   */
  classifyError?(error: unknown): EngineFailure | undefined;
  /**
   * Checks the files after a recovery, read-only; one line per problem (none when consistent).
   * `recovery` is what the open just before reported of itself (its `replayStats`), for what
   * the files cannot show (that a cut was made, say). A function of the files and `recovery`:
   * on files identical to the last call's, with the same report, powercut reuses the last
   * answer instead of asking again.
   */
  selfCheck?(fs: FileSystem, dir: string, recovery?: RecoveryReport): Promise<readonly string[]>;
  /**
   * Checks the raw disk right after a crash, before recovery; one line per problem. A function
   * of the files alone, as {@link selfCheck}.
   */
  crashCheck?(fs: FileSystem, dir: string): Promise<readonly string[]>;
}

/**
 * Identity helper that gives an engine definition its type, for a module's default export.
 * @param engine - the definition
 * @returns the same object
 */
export function defineEngine(engine: Engine): Engine {
  return engine;
}

/**
 * How `error` counts under the contract: the engine's own classification, else the error's
 * `code` when it is a contract code, else `undefined` (an error the contract does not name).
 */
export function failureOf(engine: Engine, error: unknown): EngineFailure | undefined {
  const classified = engine.classifyError?.(error);
  if (classified !== undefined) return classified;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, commitOutcome } = error as { code?: unknown; commitOutcome?: unknown };
  if (!(engineFailureCodes as readonly unknown[]).includes(code)) return undefined;
  return { code: code as EngineFailureCode, commitOutcome: commitOutcome === 'absent' ? 'absent' : 'unknown' };
}

/**
 * Whether `error` looks like a file-system error: it has a POSIX-style `code` (`EIO`, `ENOSPC`,
 * ...). Told by shape, not class, so errors from any copy of the ports (or from `node:fs`) count.
 */
export function isIoLikeError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}

/**
 * Programming errors: an engine that throws one has a bug, whatever it was doing. Any other
 * error is the engine's way of failing an operation, judged by its effects.
 */
const programmingErrorNames: ReadonlySet<string> = new Set(['AssertionError', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/** Whether `error` is a programming error (see {@link programmingErrorNames}), told by its name. */
export function isProgrammingError(error: unknown): boolean {
  return error instanceof Error && programmingErrorNames.has(error.name);
}

/** The LSN in what `commit` resolved with, if any. */
export function lsnOf(ack: CommitAck): number | undefined {
  const lsn = typeof ack === 'object' && ack !== null ? ack.lsn : ack;
  if (typeof lsn === 'number') return lsn;
  // A bigint LSN (an engine with 64-bit sequence numbers) is checked like a number while it is exact.
  if (typeof lsn === 'bigint' && lsn <= BigInt(Number.MAX_SAFE_INTEGER) && lsn >= 0n) return Number(lsn);
  return undefined;
}

/** Own fields of a thrown non-Error object named in its description, at most. */
const thrownFieldsMax = 4;

/**
 * A thrown value that is not an Error, described: its own text when it has one (a string, a
 * `toString` of its own), else its class and its first few plain fields (`ErrnoError { errno:
 * 44 }`, as Emscripten throws), never `[object Object]`.
 */
export function describeThrown(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const text = String(value);
  if (text !== '[object Object]') return text;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  const fields = Object.entries(value).filter(([, field]) => ['string', 'number', 'boolean', 'bigint'].includes(typeof field)).slice(0, thrownFieldsMax);
  const shown = fields.map(([key, field]) => `${key}: ${typeof field === 'string' ? JSON.stringify(field) : String(field)}`).join(', ');
  return `${typeof name === 'string' && name !== '' ? name : 'Object'} { ${shown} }`;
}

/** One line describing an error, for messages. */
/** How many stack frames {@link thrownAt} keeps. */
export const thrownAtFramesMax = 4;

/**
 * powercut's own code, whose frames {@link thrownAt} skips: the simulator, harness, facade and
 * their callers, at any depth (`sim/disk/sync-port.ts`), in source or compiled (`dist/`), under
 * this package's root only, so a user's own `targets/` or `sim/` folder stays; the reference
 * engine (`engine/`) is code under test and stays, as do this repository's tests.
 */
const ownFrames = new RegExp(`${fileURLToPath(new URL('..', import.meta.url)).replace(/[/\\]+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[/\\\\](?:dist[/\\\\])?(?:sim|harness|scenarios|targets|facade|subjects|api|cli)[/\\\\]`);

/**
 * Where the code under test threw `error`: the first {@link thrownAtFramesMax} frames of its
 * stack outside Node's internals, installed packages of powercut's own toolchain and powercut's
 * simulator, as V8 prints them (`readPage (/work/db/engine.ts:123:45)`), or `undefined` when it
 * has no stack or none of its frames is the code's. Kept apart from the violation's message,
 * which is part of the run's digest: paths differ between machines and builds.
 */
export function thrownAt(error: unknown): readonly string[] | undefined {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined;
  if (stack === undefined) return undefined;
  return codeUnderTestFrames(stack.split('\n').filter((line) => /^\s+at /.test(line)).map((line) => line.trim().slice('at '.length)));
}

/**
 * The first {@link thrownAtFramesMax} of `frames` (as V8 prints them, innermost first) that are
 * the code under test's (see {@link thrownAt}), or `undefined` when none is.
 */
export function codeUnderTestFrames(frames: readonly string[]): readonly string[] | undefined {
  const code = frames
    .map((frame) => frame.replace(/file:\/\//g, ''))
    .filter((frame) => !/\(?node:|<anonymous>|\/node_modules\/(?:tsx|vitest|@vitest)\//.test(frame) && !ownFrames.test(frame));
  return code.length === 0 ? undefined : code.slice(0, thrownAtFramesMax);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return describeThrown(error);
}

/** Longest text of a failed operation's trace note ({@link failureNote}). */
const failureNoteCharsMax = 120;

/**
 * What a trace says of an operation that failed (`commit: StoreError: ...`): the error's first
 * line, cut to {@link failureNoteCharsMax} characters.
 */
export function failureNote(label: string, error: unknown): string {
  const line = describeError(error).split('\n', 1)[0]!;
  const text = `${label}: ${line}`;
  return text.length > failureNoteCharsMax ? `${text.slice(0, failureNoteCharsMax - 1)}\u2026` : text;
}
