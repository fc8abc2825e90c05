/**
 * `powercut real`: the kill -9 campaign against a real process on the real disk.
 *
 * Each cycle forks a child (child.ts) that opens the store and reports what it recovered; the
 * parent checks that state against the batches it sent and the commits the child acknowledged
 * in the previous cycle (check.ts), drives a seeded workload with several commits in flight,
 * and kills the child with SIGKILL at a seeded moment (workload.ts): after some number of
 * acknowledgements, after a delay, or while it is still recovering.
 *
 * What this can find: anything that loses data the process had handed to the OS, such as
 * acknowledging before writing, buffering in user space, or recovery that drops or reorders
 * records or cannot survive being killed itself. What it cannot find: missing fsyncs, because a
 * kill -9 leaves the page cache alone; the simulator covers those. The seed fixes the workload
 * and the kill plan, but not the timing of a real process, so a seed reproduces the scenario,
 * not the exact interleaving.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyncMode } from '../engine/types.ts';
import { checkRecovered } from './check.ts';
import type { CycleModel, RealInvariant, SentBatch } from './check.ts';
import type { ChildArgs, ChildMessage, ParentMessage } from './protocol.ts';
import { KillPlanner, Workload } from './workload.ts';
import type { KillPlan } from './workload.ts';

/** Options of {@link runRealCampaign}. */
export interface RealCampaignOptions {
  /** Kill-and-restart cycles. @defaultValue 100 */
  readonly cycles?: number;
  /** Seed of the workload and the kill plan. @defaultValue a random one, reported in the result */
  readonly seed?: string;
  /** Store directory; must be missing or empty. @defaultValue a new temporary folder */
  readonly dir?: string;
  /** Durability mode of the store. @defaultValue 'strict' */
  readonly sync?: SyncMode;
  /** Commits in flight at once. @defaultValue 4 in strict mode, 16 otherwise */
  readonly concurrency?: number;
  /**
   * Module the child opens the store with (exports `openStore`, see protocol.ts).
   * @defaultValue real/engine-store.ts, the reference engine
   */
  readonly storeModule?: string;
  /** Segment size given to the store; small, so rotation happens. @defaultValue 64 KiB */
  readonly segmentSizeBytes?: number;
  /** WAL size after which the store checkpoints; small, so checkpoints happen. @defaultValue 512 KiB */
  readonly walSizeBytesMax?: number;
  /** Longest wait for the child to recover, and for an acknowledgement. @defaultValue 30 000 */
  readonly timeoutMs?: number;
  /** Keep the store directory even when the campaign passes. @defaultValue false */
  readonly keepDir?: boolean;
  /** Called after every cycle, for progress output. */
  readonly onCycle?: (cycle: RealCycleReport) => void;
}

/** What went wrong in a cycle: a broken invariant, or the child misbehaving. */
export interface RealCycleFailure {
  /** The cycle whose commits were checked (the kill that preceded the recovery). */
  readonly cycle: number;
  readonly kind: RealInvariant | 'lsn-order' | 'child-error' | 'stalled';
  readonly detail: string;
}

/** One cycle, as reported to {@link RealCampaignOptions.onCycle}. */
export interface RealCycleReport {
  readonly cycle: number;
  readonly kill: KillPlan;
  /** False when the kill came before the child finished recovering. */
  readonly recovered: boolean;
  readonly sent: number;
  readonly acknowledged: number;
  /** Acknowledged commits of the previous cycle that the recovered state lacks. */
  readonly lost: number;
  readonly recoveryMs: number | undefined;
  readonly truncatedBytes: number | undefined;
}

/** Percentiles of a set of durations, in milliseconds. */
export interface DurationSummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The outcome of {@link runRealCampaign}. */
export interface RealCampaignResult {
  /** True when no commit was lost and no invariant broke. */
  readonly ok: boolean;
  readonly seed: string;
  readonly sync: SyncMode;
  /** Cycles run (each ends with a SIGKILL). */
  readonly cycles: number;
  /** Cycles whose kill landed before the child had recovered. */
  readonly killsDuringRecovery: number;
  readonly commitsSent: number;
  readonly commitsAcknowledged: number;
  /** Acknowledged commits missing after recovery. Must be 0. */
  readonly commitsLost: number;
  /** Commits sent but not acknowledged that survived anyway (allowed). */
  readonly commitsRecoveredUnacknowledged: number;
  /** Recovery time the store measured (`replayStats.recoveryMs`). */
  readonly recovery: DurationSummary;
  /** Wall time from fork to the child's ready message: process start plus recovery. */
  readonly restart: DurationSummary;
  /** Bytes cut off WAL tails by recovery, summed, and the number of recoveries that cut any. */
  readonly truncatedBytesTotal: number;
  readonly recoveriesWithTruncation: number;
  /** The first failures found (at most 20). */
  readonly failures: readonly RealCycleFailure[];
  /** The store directory, and whether it was left on disk (always on failure). */
  readonly dir: string;
  readonly dirKept: boolean;
  /** The command that runs the same workload and kill plan again. */
  readonly reproduce: string;
  readonly durationMs: number;
}

const failuresKeptMax = 20;
const childScript = fileURLToPath(new URL('./child.ts', import.meta.url));
const engineStoreModule = fileURLToPath(new URL('./engine-store.ts', import.meta.url));

/**
 * Runs the kill -9 campaign.
 * @returns the figures and failures; `ok` is false when any acknowledged commit was lost
 * @throws Error when `dir` is not empty, or the child cannot be started at all
 */
export async function runRealCampaign(options: RealCampaignOptions = {}): Promise<RealCampaignResult> {
  const started = performance.now();
  const cycles = options.cycles ?? 100;
  const seed = options.seed ?? String(randomInt(2 ** 31));
  const sync = options.sync ?? 'strict';
  const concurrency = options.concurrency ?? (sync === 'strict' ? 4 : 16);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const dir = await prepareDir(options.dir);
  const childArgs: ChildArgs = {
    dir,
    sync,
    storeModule: options.storeModule ?? engineStoreModule,
    segmentSizeBytes: options.segmentSizeBytes ?? 64 * 1024,
    walSizeBytesMax: options.walSizeBytesMax ?? 512 * 1024,
  };

  const workload = new Workload(seed);
  const planner = new KillPlanner(seed);
  const failures: RealCycleFailure[] = [];
  const recoveryMs: number[] = [];
  const restartMs: number[] = [];
  const totals = { sent: 0, acked: 0, lost: 0, unackedRecovered: 0, truncated: 0, truncations: 0, killsDuringRecovery: 0 };
  let nextSeq = 1;
  let verified = new Map<string, string>();
  // The cycle whose recovered state the next start checks, with what the parent knows of it.
  let pending: { cycle: number; model: CycleModel } | undefined;
  let aborted = false;

  const fail = (failure: RealCycleFailure): void => {
    if (failures.length < failuresKeptMax) failures.push(failure);
  };

  // The last pass only recovers, checks and closes cleanly.
  for (let cycle = 1; cycle <= cycles + 1 && !aborted; cycle++) {
    const finalPass = cycle > cycles;
    const plan = finalPass ? undefined : planner.next();
    const child = new ChildSession(childScript, childArgs);
    if (plan?.kind === 'during-recovery') child.killAfter(plan.delayMs);

    const ready = await child.ready(timeoutMs);
    if (ready.type === 'killed') {
      totals.killsDuringRecovery++;
      options.onCycle?.({ cycle, kill: plan!, recovered: false, sent: 0, acknowledged: 0, lost: 0, recoveryMs: undefined, truncatedBytes: undefined });
      await child.closed;
      continue;
    }
    if (ready.type === 'failed') {
      fail({ cycle: pending?.cycle ?? cycle, kind: 'child-error', detail: `the store did not open: ${ready.detail}` });
      aborted = true;
      await child.kill();
      break;
    }
    restartMs.push(ready.restartMs);
    recoveryMs.push(ready.stats.recoveryMs);
    totals.truncated += ready.stats.truncatedBytes;
    if (ready.stats.truncatedBytes > 0) totals.truncations++;

    const recoveredState = new Map(ready.state);
    let lostThisCycle = 0;
    if (pending !== undefined) {
      const verdict = checkRecovered(pending.model, recoveredState);
      lostThisCycle = verdict.lostSeqs.length;
      totals.lost += lostThisCycle;
      const lostSet = new Set(verdict.lostSeqs);
      totals.unackedRecovered += pending.model.sent
        .slice(0, verdict.prefixLength ?? 0)
        .filter((b) => !pending!.model.acked.has(b.seq) && !lostSet.has(b.seq)).length;
      for (const violation of verdict.violations) fail({ cycle: pending.cycle, kind: violation.invariant, detail: violation.detail });
      pending = undefined;
    }
    verified = recoveredState;

    if (finalPass) {
      await child.closeCleanly(timeoutMs);
      break;
    }

    const run = await driveWorkload(child, plan!, {
      workload, concurrency, timeoutMs, firstSeq: nextSeq, lastLsn: ready.stats.lastLsn,
    });
    nextSeq += run.sent.length;
    totals.sent += run.sent.length;
    totals.acked += run.acked.size;
    for (const failure of run.failures) fail({ cycle, ...failure });
    pending = { cycle, model: { before: verified, sent: run.sent, acked: new Set(run.acked.keys()) } };
    options.onCycle?.({
      cycle, kill: plan!, recovered: true, sent: run.sent.length, acknowledged: run.acked.size,
      lost: lostThisCycle, recoveryMs: ready.stats.recoveryMs, truncatedBytes: ready.stats.truncatedBytes,
    });
  }

  const ok = failures.length === 0 && totals.lost === 0 && !aborted;
  const dirKept = !ok || options.keepDir === true || options.dir !== undefined;
  if (!dirKept) await rm(dir, { recursive: true, force: true });
  return {
    ok,
    seed,
    sync,
    cycles,
    killsDuringRecovery: totals.killsDuringRecovery,
    commitsSent: totals.sent,
    commitsAcknowledged: totals.acked,
    commitsLost: totals.lost,
    commitsRecoveredUnacknowledged: totals.unackedRecovered,
    recovery: summarize(recoveryMs),
    restart: summarize(restartMs),
    truncatedBytesTotal: totals.truncated,
    recoveriesWithTruncation: totals.truncations,
    failures,
    dir,
    dirKept,
    reproduce: `powercut real --cycles ${cycles} --seed ${seed} --sync ${sync}`,
    durationMs: performance.now() - started,
  };
}

/** Sends batches, keeping `concurrency` in flight, until the kill plan fires. */
async function driveWorkload(
  child: ChildSession,
  plan: KillPlan,
  context: { workload: Workload; concurrency: number; timeoutMs: number; firstSeq: number; lastLsn: number },
): Promise<{ sent: SentBatch[]; acked: Map<number, number>; failures: Array<Omit<RealCycleFailure, 'cycle'>> }> {
  const sent: SentBatch[] = [];
  const acked = new Map<number, number>();
  const failures: Array<Omit<RealCycleFailure, 'cycle'>> = [];
  let inflight = 0;
  let stallTimer: NodeJS.Timeout | undefined;

  const armStallTimer = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      failures.push({ kind: 'stalled', detail: `no acknowledgement for ${context.timeoutMs} ms with ${inflight} commits in flight` });
      void child.kill();
    }, context.timeoutMs);
  };
  const pump = (): void => {
    while (!child.killing && inflight < context.concurrency) {
      const seq = context.firstSeq + sent.length;
      const ops = context.workload.batch(seq);
      sent.push({ seq, ops });
      inflight++;
      child.send({ type: 'batch', seq, ops });
    }
  };

  child.onMessage = (message) => {
    if (message.type === 'ack') {
      inflight--;
      acked.set(message.seq, message.lsn);
      // The store numbers commits +1 in call order, and calls happen in seq order.
      const expectedLsn = context.lastLsn + (message.seq - context.firstSeq) + 1;
      if (message.lsn !== expectedLsn) {
        failures.push({ kind: 'lsn-order', detail: `batch ${message.seq} was acknowledged with LSN ${message.lsn}, expected ${expectedLsn}` });
      }
      if (plan.kind === 'after-acks' && acked.size >= plan.acks) {
        void child.kill();
        return;
      }
      armStallTimer();
      pump();
    } else if (message.type === 'error') {
      failures.push({ kind: 'child-error', detail: `batch ${message.seq ?? '?'}: ${message.message}` });
      void child.kill();
    }
  };

  if (plan.kind === 'after-acks' && plan.acks === 0) void child.kill();
  else if (plan.kind === 'after-delay') child.killAfter(plan.delayMs);
  // A during-recovery kill that came late finds the child idle: it simply fires on its timer.
  if (plan.kind !== 'during-recovery') {
    armStallTimer();
    pump();
  }
  await child.closed;
  clearTimeout(stallTimer);
  return { sent, acked, failures };
}

/** One child process, from fork to exit. */
class ChildSession {
  readonly process: ChildProcess;
  /** Resolves when the process has exited and its IPC channel is drained and closed. */
  readonly closed: Promise<void>;
  /** Set once SIGKILL was sent; messages still arriving after it were sent before death. */
  killing = false;
  onMessage: (message: ChildMessage) => void = () => undefined;
  private readonly forkedAt = performance.now();
  private stderr = '';
  private killTimer: NodeJS.Timeout | undefined;

  constructor(script: string, args: ChildArgs) {
    this.process = fork(script, [JSON.stringify(args)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.process.on('message', (message) => this.onMessage(message as ChildMessage));
    this.closed = new Promise((resolve) => this.process.once('close', () => resolve()));
  }

  /** Waits for the ready message, a kill, or the child dying on its own. */
  ready(timeoutMs: number): Promise<
    | { type: 'ready'; state: ReadonlyArray<readonly [string, string]>; stats: Extract<ChildMessage, { type: 'ready' }>['stats']; restartMs: number }
    | { type: 'killed' }
    | { type: 'failed'; detail: string }
  > {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ type: 'failed', detail: `no ready message within ${timeoutMs} ms` }), timeoutMs);
      let errorDetail = '';
      this.onMessage = (message) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve({ type: 'ready', state: message.state, stats: message.stats, restartMs: performance.now() - this.forkedAt });
        } else if (message.type === 'error') {
          errorDetail = message.message;
        }
      };
      void this.closed.then(() => {
        clearTimeout(timer);
        if (this.killing) resolve({ type: 'killed' });
        else resolve({ type: 'failed', detail: errorDetail || `exited with code ${this.process.exitCode}: ${this.stderr.trim()}` });
      });
    });
  }

  send(message: ParentMessage): void {
    if (this.killing || !this.process.connected) return;
    // The child may die between the check and the write; that is the point of the campaign.
    this.process.send(message, () => undefined);
  }

  /** Sends SIGKILL `delayMs` from now. */
  killAfter(delayMs: number): void {
    this.killTimer = setTimeout(() => void this.kill(), delayMs);
  }

  /** Sends SIGKILL now and waits for the process to be gone. */
  async kill(): Promise<void> {
    clearTimeout(this.killTimer);
    if (!this.killing) {
      this.killing = true;
      this.process.kill('SIGKILL');
    }
    await this.closed;
  }

  /** Asks the child to close the store, and waits for it to exit. */
  async closeCleanly(timeoutMs: number): Promise<void> {
    const timer = setTimeout(() => void this.kill(), timeoutMs);
    this.send({ type: 'close' });
    await this.closed;
    clearTimeout(timer);
  }
}

/** Creates a temporary folder, or checks that the given one is missing or empty. */
async function prepareDir(dir: string | undefined): Promise<string> {
  if (dir === undefined) return mkdtemp(join(tmpdir(), 'powercut-real-'));
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new Error(`${dir} is not empty; the campaign needs an empty store directory`);
  return dir;
}

function summarize(durations: readonly number[]): DurationSummary {
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? 0 };
}
