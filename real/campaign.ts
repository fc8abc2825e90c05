/**
 * `powercut real`: the kill -9 campaign against any engine (the reference engine, or a module
 * under the engine contract) in a real child process on the real disk.
 *
 * Each cycle starts a child that opens the engine and reports what it recovered, which the
 * simulator's commit model checks (run.ts); then the parent drives a seeded workload with
 * several commits in flight and kills the child with SIGKILL at a seeded moment (workload.ts):
 * after some number of acknowledgements, after a delay, or while the engine is still
 * recovering. A last pass recovers, closes cleanly, and recovers once more.
 *
 * What this can find: anything that loses data the process had handed to the OS, such as
 * acknowledging before writing, buffering in user space, or recovery that drops or reorders
 * records or cannot survive being killed itself. What it cannot find: missing fsyncs, because a
 * kill -9 leaves the page cache alone; the simulator covers those. The seed fixes the workload
 * and the kill plan, but not the timing of a real process, so a seed reproduces the scenario,
 * not the exact interleaving.
 */
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupCommitMaxBatchDefault, groupCommitMaxDelayMsDefault } from '../engine/limits.ts';
import type { SyncMode } from '../engine/types.ts';
import type { Engine, EngineConfig, SizeLimits } from '../sim/index.ts';
import { loadEngine } from '../subjects/load.ts';
import { summarize, type DurationSummary } from './figures.ts';
import { prepareDir, RealInputError, removeDir } from './input.ts';
import { RealRun, type RealViolation } from './run.ts';
import { KillPlanner, MaintenancePlanner, Workload, workloadShapeDefault, type KillPlan } from './workload.ts';

/** Options of {@link runRealCampaign}. */
export interface RealCampaignOptions {
  /** The engine module: a path as the user named it (resolved against the working directory), or a `file:` URL. @defaultValue the reference engine */
  readonly engine?: string | URL | undefined;
  /** Kill-and-restart cycles. @defaultValue 100 */
  readonly cycles?: number;
  /** Seed of the workload and the kill plan. @defaultValue a random one, reported in the result */
  readonly seed?: string;
  /** Data folder; must be missing or empty. @defaultValue a new temporary folder */
  readonly dir?: string;
  /** Durability mode. @defaultValue 'strict', or the engine's first mode when it lacks strict */
  readonly sync?: SyncMode;
  /** Commits in flight at once. @defaultValue 4 in strict mode, 16 otherwise */
  readonly concurrency?: number;
  /** Segment size given to the engine; small, so rotation happens. @defaultValue 64 KiB */
  readonly segmentSizeBytes?: number;
  /** WAL size after which the engine checkpoints; small, so checkpoints happen. @defaultValue 512 KiB */
  readonly walSizeBytesMax?: number;
  /** Longest wait for the engine to answer a call (open, a commit, close); a child start may take up to a minute more. @defaultValue 30 000 */
  readonly timeoutMs?: number;
  /** Keep the data folder even when the campaign passes. @defaultValue false */
  readonly keepDir?: boolean;
  /** Called after every cycle, for progress output. */
  readonly onCycle?: (cycle: RealCycleReport) => void;
}

/** One cycle, as reported to {@link RealCampaignOptions.onCycle}. */
export interface RealCycleReport {
  readonly cycle: number;
  readonly kill: KillPlan;
  /** False when the kill came before the engine had recovered. */
  readonly recovered: boolean;
  /** Violations found so far, in the whole campaign. */
  readonly violations: number;
  readonly acknowledged: number;
}

/** The outcome of {@link runRealCampaign}. */
export interface RealCampaignResult {
  /** True when no violation was found, the harness did not fail, and something was tested ({@link nothingTested}). */
  readonly ok: boolean;
  /**
   * Why the campaign tested nothing, when it did not: no recovery was checked after a kill, or no
   * commit was acknowledged (there was nothing a kill could lose). Undefined otherwise.
   */
  readonly nothingTested: string | undefined;
  /** The engine's name, and its module as the user named it (absent: the reference engine). */
  readonly engine: string;
  readonly module: string | undefined;
  readonly seed: string;
  readonly sync: SyncMode;
  /** Cycles asked for, and cycles run (fewer when the run stopped). */
  readonly cycles: number;
  readonly cyclesRun: number;
  /** SIGKILLs sent, and how many landed before the engine had recovered. */
  readonly kills: number;
  readonly killsDuringRecovery: number;
  readonly commitsIssued: number;
  readonly commitsAcknowledged: number;
  /** Commits never acknowledged that survived anyway (allowed). */
  readonly commitsRecoveredUnacknowledged: number;
  /** Recoveries checked. */
  readonly recoveries: number;
  /** Recovery time the engine measured (`replayStats.recoveryMs`, when it reports it). */
  readonly recovery: DurationSummary;
  /** Wall time from fork to the open reply: process start plus recovery. */
  readonly restart: DurationSummary;
  /** Bytes cut off log tails by recovery (`replayStats.truncatedBytes`), and the recoveries that cut any. */
  readonly truncatedBytesTotal: number;
  readonly recoveriesWithTruncation: number;
  /**
   * Violations of the commit model's invariants, `at` the cycle whose recovery found them (the
   * recovery that starts cycle N judges the commits of the cycles before it; `cycles + 1` is the
   * last pass).
   */
  readonly violations: readonly RealViolation[];
  /** Harness failures: the child would not start, died unkilled, or did not answer. */
  readonly harnessErrors: readonly string[];
  /** Engine calls that failed (the first ones), and how many did. */
  readonly failedCalls: readonly string[];
  readonly failedCallCount: number;
  /** The data folder, and whether it was left on disk (always on failure, or when named). */
  readonly dir: string;
  readonly dirKept: boolean;
  /** The arguments of `powercut` that run the same engine, workload and kill plan again. */
  readonly reproduceArgs: readonly string[];
  readonly durationMs: number;
}

/**
 * Runs the kill -9 campaign.
 * @returns the figures and findings; `ok` is false on a violation or a harness failure
 * @throws SubjectLoadError when the engine module cannot be loaded; {@link RealInputError} when
 *   `dir` is not empty or the engine does not offer `sync`
 */
export async function runRealCampaign(options: RealCampaignOptions = {}): Promise<RealCampaignResult> {
  const started = performance.now();
  const named = options.engine instanceof URL ? fileURLToPath(options.engine) : options.engine;
  const engine = await loadEngine(named);
  const config = campaignConfig(engine, options);
  const cycles = options.cycles ?? 100;
  const seed = options.seed ?? String(randomInt(2 ** 31));
  const dir = await prepareDir(options.dir, 'powercut-real-', 'real');
  const run = new RealRun({
    module: named === undefined ? undefined : resolve(named), dir, config, timeoutMs: options.timeoutMs ?? 30_000,
  });
  const driver = new CycleDriver(run, seed, options.concurrency ?? (config.sync === 'strict' ? 4 : 16), engine.limits);
  let cyclesRun = 0;
  for (let index = 1; index <= cycles && !run.stopped; index++) {
    run.setPlace(index, `cycle ${index}`);
    const report = await driver.cycle(index);
    cyclesRun++;
    options.onCycle?.({ ...report, violations: run.violations.length });
  }
  run.setPlace(cycles + 1, 'last pass');
  if (!run.stopped) await lastPass(run);
  await run.dispose();
  const counted = run.model.counts();
  const nothingTested = run.recoveries.length === 0 ? 'no recovery was checked after a kill (raise --cycles)'
    : counted.acknowledged === 0 ? 'no commit was acknowledged, so no kill could lose one (see the engine calls that failed)' : undefined;
  const ok = run.violations.length === 0 && run.harnessErrors.length === 0 && nothingTested === undefined;
  const dirKept = !ok || options.keepDir === true || options.dir !== undefined;
  if (!dirKept) await removeDir(dir);
  const counts = counted;
  const truncations = run.recoveries.map((r) => r.truncatedBytes ?? 0);
  return {
    ok, nothingTested, engine: engine.name, module: named, seed, sync: config.sync, cycles, cyclesRun,
    kills: run.kills, killsDuringRecovery: driver.killsDuringRecovery,
    commitsIssued: counts.issued, commitsAcknowledged: counts.acknowledged,
    commitsRecoveredUnacknowledged: run.recoveredUnacknowledged,
    recoveries: run.recoveries.length,
    recovery: summarize(run.recoveries.flatMap((r) => (r.recoveryMs === undefined ? [] : [r.recoveryMs]))),
    restart: summarize(run.recoveries.map((r) => r.restartMs)),
    truncatedBytesTotal: truncations.reduce((a, b) => a + b, 0),
    recoveriesWithTruncation: truncations.filter((bytes) => bytes > 0).length,
    violations: run.violations, harnessErrors: run.harnessErrors,
    failedCalls: run.failedCalls, failedCallCount: run.failedCallCount,
    dir, dirKept,
    reproduceArgs: reproduceArgs(options, named, cycles, seed, config.sync),
    durationMs: performance.now() - started,
  };
}

/** The engine configuration of a campaign; the durability mode must be one the engine offers. */
function campaignConfig(engine: Engine, options: RealCampaignOptions): EngineConfig {
  const modes = engine.syncModes ?? ['strict', 'group', 'none'];
  const sync = options.sync ?? (modes.includes('strict') ? 'strict' : modes[0]);
  if (sync === undefined || !modes.includes(sync)) {
    throw new RealInputError(`engine ${engine.name} does not offer --sync ${options.sync ?? 'strict'} (it offers ${modes.join(', ') || 'none'})`);
  }
  return {
    sync,
    segmentSizeBytes: options.segmentSizeBytes ?? 64 * 1024,
    walSizeBytesMax: options.walSizeBytesMax ?? 512 * 1024,
    groupCommitMaxDelayMs: groupCommitMaxDelayMsDefault,
    groupCommitMaxBatch: groupCommitMaxBatchDefault,
    sidecarEveryFrames: 0,
  };
}

function reproduceArgs(options: RealCampaignOptions, engine: string | undefined, cycles: number, seed: string, sync: SyncMode): string[] {
  return [
    'real',
    ...(engine === undefined ? [] : ['--engine', engine]),
    '--cycles', String(cycles), '--seed', seed, '--sync', sync,
    // The commits in flight shape the workload and the kill plan: the same run needs the same.
    ...(options.concurrency === undefined ? [] : ['--concurrency', String(options.concurrency)]),
    ...(options.dir === undefined ? [] : ['--dir', options.dir]),
  ];
}

/** The end: recover and check, close cleanly, recover and check again, close. */
async function lastPass(run: RealRun): Promise<void> {
  for (let pass = 0; pass < 2 && !run.stopped; pass++) {
    if ((await run.start()).kind !== 'open') return;
    await run.close().done;
  }
}

/** One cycle after another: start, recover, drive the workload, kill. */
class CycleDriver {
  killsDuringRecovery = 0;
  readonly #workload: Workload;
  readonly #planner: KillPlanner;
  readonly #maintenance: MaintenancePlanner;

  constructor(private readonly run: RealRun, seed: string, private readonly concurrency: number, limits: SizeLimits = {}) {
    this.#workload = new Workload(seed, workloadShapeDefault, limits);
    this.#planner = new KillPlanner(seed);
    this.#maintenance = new MaintenancePlanner(seed);
  }

  /** Runs cycle `index`. */
  async cycle(index: number): Promise<Omit<RealCycleReport, 'violations'>> {
    const kill = this.#planner.next();
    const started = await this.run.start(kill.kind === 'during-recovery' ? kill.delayMs : undefined);
    if (started.kind === 'killed') {
      if (!started.recovered) this.killsDuringRecovery++;
      return { cycle: index, kill, recovered: started.recovered, acknowledged: 0 };
    }
    if (started.kind === 'stopped') return { cycle: index, kill, recovered: false, acknowledged: 0 };
    if (kill.kind === 'during-recovery') {
      // The engine recovered before the kill was due: the kill lands on an idle engine.
      await this.run.kill();
      return { cycle: index, kill, recovered: true, acknowledged: 0 };
    }
    const acknowledged = await this.#drive(kill);
    return { cycle: index, kill, recovered: true, acknowledged };
  }

  /**
   * Keeps `concurrency` commits in flight until the kill plan fires, then kills. A checkpoint or
   * a sync the maintenance stream draws waits for the commits in flight, runs alone (as a step of
   * a simulated plan does), and the commits go on after it.
   * @returns the commits acknowledged in the cycle
   */
  #drive(kill: KillPlan): Promise<number> {
    const run = this.run;
    return new Promise((resolveDrive) => {
      let inflight = 0;
      let acks = 0;
      let stopping = false;
      let due: 'checkpoint' | 'sync' | undefined;
      let timer: NodeJS.Timeout | undefined;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        clearTimeout(timer);
        void run.kill().then(() => resolveDrive(acks));
      };
      let answers = 0;
      const settled = (result: string, commit = true): void => {
        inflight--;
        if (commit && result === 'ok') acks++;
        // A rejection counts towards the kill too, so an engine that rejects every commit ends its cycles.
        if (commit && (result === 'ok' || result === 'failed')) answers++;
        if (run.stopped) {
          // The harness failed: the run has already put the child away.
          clearTimeout(timer);
          if (inflight === 0) resolveDrive(acks);
        } else if ((kill.kind === 'after-acks' && answers >= kill.acks) || run.storeFailed) {
          stop();
        } else {
          pump();
        }
      };
      const pump = (): void => {
        while (due === undefined && !stopping && run.alive && !run.stopped && inflight < this.concurrency) {
          inflight++;
          void run.commit(this.#workload.next()).done.then((result) => settled(result));
          due = this.#maintenance.next(run.has);
        }
        if (due === undefined || inflight > 0 || stopping || !run.alive || run.stopped) return;
        const call = due === 'checkpoint' ? run.checkpoint() : run.sync();
        due = undefined;
        inflight++;
        void call.done.then((result) => settled(result, false));
      };
      if (kill.kind === 'after-acks' && kill.acks === 0) return stop();
      if (kill.kind === 'after-delay') timer = setTimeout(stop, kill.delayMs);
      pump();
    });
  }
}
