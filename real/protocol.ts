/**
 * What the parent and a real-disk child process (child.ts) say to each other over IPC. One
 * protocol serves the `real` campaign and `replay --real`: the child opens any engine under the
 * engine contract (sim/engine-contract.ts) on the real disk and runs the calls the parent sends.
 *
 * Messages are plain data sent with the `advanced` serialization, so values cross as
 * `Uint8Array`. Errors cross as {@link WireFailure}: the contract code the child read with
 * `failureOf` (the engine's own `classifyError` included), never a class.
 *
 * The conversation: the child loads the engine module and says `hello`; the parent sends `open`
 * and waits for its reply; then any number of calls, each with an id, possibly several in flight
 * (commits are made in the order they arrive). For every call the child says `issued` as soon as
 * it has made the engine call, then `reply` when the call settles. After the reply to `close` the
 * child exits. It may be killed with SIGKILL at any moment: that is what it is for.
 */
import type { EngineConfig, EngineFailureCode } from '../sim/index.ts';
import type { Op, ReplayStats } from '../engine/types.ts';

/** The child's one argument, in JSON. */
export interface ChildArgs {
  /** Absolute path of the engine module; absent: the reference engine. */
  readonly module?: string | undefined;
  /** The folder the engine keeps its files in. */
  readonly dir: string;
  readonly config: EngineConfig;
}

/** A call the parent asks for. `id` is the parent's, echoed in the answers. */
export type Call =
  /** Opens (recovers) the engine; with `crashCheck`, runs the engine's `crashCheck` first. */
  | { readonly type: 'open'; readonly id: number; readonly crashCheck: boolean }
  | { readonly type: 'commit'; readonly id: number; readonly ops: readonly Op[] }
  | { readonly type: 'get'; readonly id: number; readonly key: string }
  | { readonly type: 'sync'; readonly id: number }
  | { readonly type: 'checkpoint'; readonly id: number }
  /** A clean close; the child exits after replying. */
  | { readonly type: 'close'; readonly id: number };

/** The kinds of {@link Call}. */
export type CallType = Call['type'];

/** How an engine call failed, as plain data. */
export interface WireFailure {
  /** The contract code (`failureOf`), when the error has one. */
  readonly code?: EngineFailureCode | undefined;
  /** For a rejected commit: `absent` or `unknown` (in doubt). */
  readonly commitOutcome?: 'absent' | 'unknown' | undefined;
  /** The error looks like a file-system error (`EIO`, `ENOSPC`, ...): transient for an open. */
  readonly io: boolean;
  /** A programming error (an assertion, a TypeError, ...) the contract does not name: the engine's bug. */
  readonly programming: boolean;
  /** One line: the error's name and message. */
  readonly message: string;
}

/** What a successful `open` reports. */
export interface Opened {
  /** Every live key and value after recovery (`state()`). */
  readonly entries: ReadonlyArray<readonly [string, Uint8Array]>;
  /** `replayStats`, when the engine reports any. */
  readonly replayStats?: Partial<ReplayStats> | undefined;
  /** Which optional calls the handle offers. */
  readonly has: { readonly sync: boolean; readonly checkpoint: boolean };
  /** The engine's `crashCheck` of the raw disk before recovery (none asked, or none found). */
  readonly crashProblems: readonly string[];
  /** The engine's `selfCheck` of the files after recovery. */
  readonly selfProblems: readonly string[];
}

/** What a call settled with. */
export type Outcome =
  | { readonly ok: true; readonly opened?: Opened; readonly lsn?: number; readonly value?: Uint8Array | null }
  | { readonly ok: false; readonly failure: WireFailure };

/** Child → parent. */
export type ChildMessage =
  /** The engine module loaded; the child listens for calls. */
  | { readonly type: 'hello'; readonly engine: string }
  /** The engine call of `id` has been made (for a commit: in call order). */
  | { readonly type: 'issued'; readonly id: number }
  | { readonly type: 'reply'; readonly id: number; readonly outcome: Outcome }
  /** The child itself failed (could not load the module, a call it cannot serve). */
  | { readonly type: 'fatal'; readonly message: string }
  /** The engine read this environment variable (harness/env-reads.ts): the parent's repro line sets it. */
  | { readonly type: 'env'; readonly name: string };
