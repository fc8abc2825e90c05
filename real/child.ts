/**
 * The real-disk child process, one for every harness that kills an engine on the real disk (the
 * `real` campaign and `replay --real`). It loads any engine through `loadEngine` (the module in
 * its arguments, or the reference engine), opens it on `NodeFileSystem` over `node:fs` with the
 * `SystemClock`, and serves the calls of protocol.ts. It is meant to die by SIGKILL at any
 * moment.
 *
 * Every call is made on the engine as soon as its message arrives, without waiting for earlier
 * calls to settle: commits overlap (and in `group` mode share fsyncs), and are made in the order
 * the parent sent them, which is the order its model issued them in. Failures are classified
 * here, where the error object exists, by the contract (`failureOf`), and cross as plain data.
 *
 * Started by the parent through spawn.ts, with its {@link ChildArgs} as its one argument.
 */
import * as nodeFs from 'node:fs';
import { NodeFileSystem, SystemClock } from '../engine/node/index.ts';
import {
  checkHandle, describeError, failureOf, isIoLikeError, isProgrammingError, lsnOf, recoveredState, type Engine, type EngineHandle,
} from '../sim/contract.ts';
// loadEngine of subjects/load.ts, from its light half: a child starts once per kill.
import { loadEngine } from '../subjects/load-engine.ts';
import { onEnvRead } from '../harness/env-reads.ts';
import type { Call, ChildArgs, ChildMessage, Opened, Outcome, WireFailure } from './protocol.ts';
import { readOnlyView } from './read-only-fs.ts';

function send(message: ChildMessage, then?: () => void): void {
  // The parent may be gone (it killed us, or died); nothing is left to tell it then.
  process.send?.(message, undefined, undefined, () => then?.());
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
function invoke<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Serves the calls of one child: the engine, and its handle once open. */
class ChildServer {
  #handle: EngineHandle | undefined;
  readonly #fs = new NodeFileSystem(nodeFs);

  constructor(private readonly engine: Engine, private readonly args: ChildArgs) {}

  /** Makes the engine call of `call` now, says `issued`, and replies once it settles. */
  serve(call: Call): void {
    const settled = this.#start(call);
    send({ type: 'issued', id: call.id });
    void settled.then(
      (outcome) => send({ type: 'reply', id: call.id, outcome }, call.type === 'close' ? () => process.exit(0) : undefined),
      (error: unknown) => fatal(`call ${call.type} #${call.id}: ${describeError(error)}`),
    );
  }

  /** Starts the engine call; the promise settles with its outcome (never rejects on an engine error). */
  #start(call: Call): Promise<Outcome> {
    if (call.type === 'open') return this.#open(call.crashCheck).catch((error: unknown) => this.#failed(error));
    const handle = this.#handle;
    if (handle === undefined) return Promise.reject(new Error(`${call.type} before open`));
    const done = (promise: Promise<unknown>): Promise<Outcome> => promise.then(() => ({ ok: true }), (error: unknown) => this.#failed(error));
    switch (call.type) {
      case 'commit':
        return invoke(() => handle.commit(call.ops)).then((ack) => ({ ok: true, lsn: lsnOf(ack) }), (error: unknown) => this.#failed(error));
      case 'get':
        return invoke(() => handle.get(call.key)).then((value) => ({ ok: true, value: value ?? null }), (error: unknown) => this.#failed(error));
      case 'sync':
        return handle.sync ? done(invoke(() => handle.sync!())) : Promise.reject(new Error('the engine has no sync()'));
      case 'checkpoint':
        return handle.checkpoint ? done(invoke(() => handle.checkpoint!())) : Promise.reject(new Error('the engine has no checkpoint()'));
      case 'close':
        this.#handle = undefined;
        return done(invoke(() => handle.close()));
    }
  }

  /** Opens (recovers) the engine and reads what it recovered. */
  async #open(crashCheck: boolean): Promise<Outcome> {
    const { engine, args } = this;
    const crashProblems = crashCheck && engine.crashCheck ? await engine.crashCheck(readOnlyView(this.#fs), args.dir) : [];
    const handle = await engine.open({ fs: this.#fs, clock: new SystemClock(), dir: args.dir, config: args.config, probe: () => undefined, hit: () => undefined });
    // A handle or a state of the wrong shape is named as the simulator names it (engine-error).
    const breach = checkHandle(handle);
    if (breach !== undefined) throw new TypeError(breach.message);
    this.#handle = handle;
    const shaped = recoveredState(await handle.state());
    if ('violation' in shaped) throw new TypeError(shaped.violation.message);
    const entries = [...shaped.state];
    const selfProblems = engine.selfCheck ? await engine.selfCheck(readOnlyView(this.#fs), args.dir, { replayStats: handle.replayStats }) : [];
    const opened: Opened = {
      entries,
      replayStats: handle.replayStats === undefined ? undefined : { ...handle.replayStats },
      has: { sync: typeof handle.sync === 'function', checkpoint: typeof handle.checkpoint === 'function' },
      crashProblems: [...crashProblems],
      selfProblems: [...selfProblems],
    };
    return { ok: true, opened };
  }

  /** An engine error as plain data. */
  #failed(error: unknown): Outcome {
    const failure = failureOf(this.engine, error);
    const wire: WireFailure = {
      code: failure?.code,
      commitOutcome: failure?.commitOutcome,
      io: isIoLikeError(error),
      programming: failure === undefined && !isIoLikeError(error) && isProgrammingError(error),
      message: describeError(error).split('\n')[0]!,
    };
    return { ok: false, failure: wire };
  }
}

function fatal(message: string): void {
  send({ type: 'fatal', message }, () => process.exit(70));
  // Without a parent to tell, exit anyway.
  if (process.send === undefined) process.exit(70);
}

async function main(): Promise<void> {
  const argument = process.argv[2];
  if (argument === undefined || process.send === undefined) {
    throw new Error('real/child.ts runs only as a forked child, with its arguments in JSON');
  }
  const args = JSON.parse(argument) as ChildArgs;
  // A planted bug's switch (`COW_BUG=...`) is read here, not in the parent that prints the repro line.
  onEnvRead((name) => send({ type: 'env', name }));
  const engine = await loadEngine(args.module);
  const server = new ChildServer(engine, args);
  process.on('message', (call) => server.serve(call as Call));
  send({ type: 'hello', engine: engine.name });
}

main().catch((error: unknown) => fatal(`the child could not start: ${describeError(error)}`));
