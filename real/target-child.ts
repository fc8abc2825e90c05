/**
 * The child of `powercut real --target`: one incarnation of a library workload on the real disk,
 * meant to die by SIGKILL at any moment. It waits for its {@link TargetStart}, loads the workload
 * module, opens the library on the real data folder, runs `setup` (first incarnation) or the
 * invariants (after a kill), then the operations it was given, telling the parent the model
 * after each one, and waits to be killed.
 *
 * It dies by the parent's SIGKILL, or by its own right before a chosen file-system call
 * (kill-at-call.ts), when the parent asks for that.
 *
 * The checks are the simulator's (targets/runner.ts): a library that does not open after the
 * kill is `opens`; an {@link InvariantViolation} or `ctx.violate` names its invariant; any other
 * error thrown by `invariants` is `invariants-threw`.
 */
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { Rng } from '../sim/index.ts';
import { loadWorkload } from '../subjects/load.ts';
import { onEnvRead } from '../harness/env-reads.ts';
import { onNativeAddon } from '../harness/index.ts';
import { checkThrewMessage, isCodingError, isInvariantViolation, messageOf, type Workload, type WorkloadContext } from '../targets/index.ts';
import { describeError } from '../sim/contract.ts';
import { beforeCalls, installCallCounter, killBeforeCall } from './kill-at-call.ts';
import { ModelLogWriter } from './model-log.ts';
import type { TargetChildMessage, TargetChildViolation, TargetStart } from './target-protocol.ts';

function send(message: TargetChildMessage): Promise<void> {
  return new Promise((resolve) => {
    // The parent may be gone (it killed us); nothing is left to tell it then.
    if (process.send === undefined) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

/** The first line of an error's message, as reports show it. */
function lineOf(error: unknown): string {
  return messageOf(describeError(error)).split('\n')[0]!.slice(0, 300);
}

/** The workload's context for this incarnation; `violations` collects what `ctx.violate` reports during a check. */
function contextOf(start: TargetStart, violations: TargetChildViolation[], checking: () => boolean): WorkloadContext<unknown> {
  return {
    seed: start.seed,
    root: start.root,
    // Each incarnation draws its own stream: a killed process cannot hand on how far it drew.
    rng: new Rng(start.seed).fork('workload').fork(`incarnation-${start.incarnation}`),
    state: start.state,
    crashCount: start.incarnation,
    crash: start.crash,
    path: (name) => join(start.root, name),
    violate: (invariant, message) => {
      if (!checking()) throw new Error(`ctx.violate(${JSON.stringify(invariant)}) outside a check: call it in invariants (or the open after a crash)`);
      violations.push({ invariant: String(invariant), message: messageOf(String(message)) });
    },
  };
}

/** Opens the library, then sets it up or checks it; undefined when it does not open (a violation is noted). */
async function openAndCheck(workload: Workload<unknown, unknown>, ctx: WorkloadContext<unknown>, start: TargetStart, violations: TargetChildViolation[]): Promise<{ library: unknown } | undefined> {
  let library: unknown;
  try {
    library = await workload.open(ctx, await workload.load?.());
  } catch (error) {
    if (!start.check) throw error;
    violations.push({ invariant: 'opens', message: `the library does not open after the kill: ${lineOf(error).slice(0, 160)}` });
    return undefined;
  }
  if (!start.check) {
    await workload.setup?.(ctx, library);
    return { library };
  }
  try {
    await workload.invariants(ctx, library);
  } catch (error) {
    if (isInvariantViolation(error)) violations.push({ invariant: error.invariant, message: error.message.split('\n')[0]! });
    else violations.push({ invariant: 'invariants-threw', message: checkThrewMessage(error, lineOf) });
  }
  return { library };
}

/** Numbers the models the child tells, by IPC or in its model log, so that the parent keeps the newest. */
let modelSeq = 0;

/**
 * Logs the model right before each file-system call of operation `index` that follows a change
 * to it, in the model log (model-log.ts), written before the call runs: a kill at the call, from
 * the parent or self-aimed, leaves the parent that model, as a crash in the simulator does.
 * @returns stops logging
 */
function reportModelChanges(ctx: WorkloadContext<unknown>, index: number, log: ModelLogWriter): () => void {
  let last = serialize(ctx.state);
  beforeCalls(() => {
    const now = serialize(ctx.state);
    if (now.equals(last)) return;
    last = now;
    log.write(++modelSeq, index, now);
  });
  return () => beforeCalls(undefined);
}

/** Runs the operations it was given, reporting each; a failed operation is reported and the next one runs, as in the simulator. */
async function runOperations(workload: Workload<unknown, unknown>, ctx: WorkloadContext<unknown>, library: unknown, start: TargetStart): Promise<void> {
  const log = new ModelLogWriter(start.modelLog);
  for (let index = start.from; index < start.from + start.count; index++) {
    const operation = workload.operations[index % workload.operations.length]!;
    await send({ type: 'op-start', index, name: operation.name });
    if (start.killAt?.after === index) killBeforeCall(start.killAt.calls);
    let error: string | undefined;
    let coding = false;
    const stop = reportModelChanges(ctx, index, log);
    try {
      await operation.run(ctx, library, index);
    } catch (thrown) {
      error = lineOf(thrown);
      coding = isCodingError(thrown);
    } finally {
      stop();
    }
    await send({ type: 'op-end', index, ...(error === undefined ? {} : { error }), ...(coding ? { coding: true as const } : {}), state: ctx.state, seq: ++modelSeq });
    if ((workload.idleMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, workload.idleMs));
  }
}

async function run(start: TargetStart): Promise<void> {
  await installCallCounter();
  // A workload's switch (`PAGESTORE_FAULTS=...`) is read here, not in the parent that prints the repro line.
  onEnvRead((name) => void send({ type: 'env', name }));
  // So is each native addon its modules load: the closing note says what the kill -9 alone tests.
  onNativeAddon((file) => void send({ type: 'addon', file }));
  const workload = await loadWorkload(start.module);
  await send({ type: 'opening', workload: workload.name });
  if (start.killAt?.after === 'open') killBeforeCall(start.killAt.calls);
  const violations: TargetChildViolation[] = [];
  let checking = true;
  const ctx = contextOf(start, violations, () => checking);
  const opened = await openAndCheck(workload, ctx, start, violations);
  checking = false;
  await send({ type: 'ready', violations, state: ctx.state, seq: ++modelSeq });
  if (opened !== undefined) await runOperations(workload, ctx, opened.library, start);
  await send({ type: 'done' });
  // Wait to be killed: the parent decides when this incarnation ends.
  setInterval(() => undefined, 60_000);
}

function fatal(message: string): void {
  void send({ type: 'fatal', message }).then(() => process.exit(70));
}

if (process.send === undefined) throw new Error('real/target-child.ts runs only as a forked child');
process.once('message', (message) => {
  run(message as TargetStart).catch((error: unknown) => fatal(lineOf(error)));
});
