/**
 * Runs a library {@link Workload} in the simulated world, one seed at a time, with the fs facade
 * installed: setup (faults off, then made durable), the operations under seeded faults, and after
 * every crash a restart on the crash state the seed picks, a fresh `open`, and the invariants
 * (faults off). Each run ends with one more power loss, so the last acknowledged write is always
 * put to the test.
 *
 * Verifies: the workload's own invariants after every crash, and that the library neither hangs
 * (`stuck`) nor exceeds its step budget. Does not verify: anything between crashes (a library
 * may fail operations on injected faults; that is recorded, not a violation).
 *
 * Crash states (sim/disk/crash-policy.ts) are drawn per crash from the seed: 0 random, 1 nothing
 * unsynced kept, 2 everything kept, 3 directory operations kept without unsynced data (exposes a
 * rename before the data was fsynced), 4 unsynced data kept without directory operations
 * (exposes a missing directory fsync). A violation names its crash state, which is how a finding
 * points at the missing step.
 *
 * The facade is process-wide, so seeds run one after another in this thread.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { installFacade } from '../facade/install.ts';
import { FileState } from '../sim/disk/file-state.ts';
import type { DirNode } from '../sim/disk/disk.ts';
import { noFaults, SimWorld, type FaultProfile, type ScheduledFault } from '../sim/world.ts';
import type { FaultKind, TraceEvent } from '../sim/types.ts';
import { InvariantViolation, type Workload, type WorkloadContext } from './workload.ts';

/** The simulated root of every target run. */
export const targetRoot = '/powercut-target';

/** Default fault rates per I/O of a target campaign (torn writes come with power loss, 512-byte sectors). */
export const targetFaultRates: Readonly<Partial<Record<FaultKind, number>>> = {
  'power-loss': 0.03,
  'kill-9': 0.01,
  'fsync-error': 0.01,
  'disk-full': 0.01,
};

/** A broken invariant in one seed. */
export interface TargetViolation {
  readonly workload: string;
  readonly seed: number;
  readonly invariant: string;
  readonly message: string;
  /** The crash that preceded the check (`final`: the power loss at the end of the run). */
  readonly crash: { readonly kind: 'kill-9' | 'power-loss'; readonly crashState: number; readonly afterOperation: number; readonly final: boolean };
  /** Faults fired in the run up to the check (replayable as `scheduled`). */
  readonly faultsFired: readonly ScheduledFault[];
  readonly repro: string;
}

/** The result of one seed. */
export interface TargetSeedResult {
  readonly seed: number;
  readonly violations: readonly TargetViolation[];
  readonly crashCount: number;
  readonly failedOperationCount: number;
  readonly digest: string;
  /** The last trace events (up to 200), when there are violations: what led to them. */
  readonly recentTrace: readonly TraceEvent[];
}

/** Options of {@link runTargetSeed}. */
export interface TargetRunOptions {
  /** The fault profile. @defaultValue {@link targetFaultRates}, ext4 fsync failures, 512-byte sectors */
  readonly faults?: FaultProfile;
  /** How to name the target in repro lines. @defaultValue the workload's name */
  readonly targetFile?: string;
}

/** The profile of a target campaign. */
export function targetFaults(overrides: Partial<FaultProfile> = {}): FaultProfile {
  return noFaults({ rates: targetFaultRates, sectorBytes: 512, fsyncFailureMode: 'ext4', ...overrides });
}

/** Makes every file and directory entry on the disk durable (after setup). */
function checkpoint(world: SimWorld): void {
  const disk = world.kernel.disk;
  const visit = (dir: DirNode): void => {
    disk.syncDir(dir);
    for (const entry of dir.cache.values()) {
      if (entry instanceof FileState) entry.sync();
      else visit(entry);
    }
  };
  visit(disk.dir('/')!);
  world.record('note', 'checkpoint', 'setup made durable');
}

/**
 * Runs one seed of `workload`.
 * @param workload - the workload
 * @param seed - the seed
 */
export async function runTargetSeed<S, L>(workload: Workload<S, L>, seed: number, options: TargetRunOptions = {}): Promise<TargetSeedResult> {
  const world = new SimWorld({ seed, faults: options.faults ?? targetFaults() });
  const crashStates = world.stream('crash-state');
  const violations: TargetViolation[] = [];
  let crashCount = 0;
  let failedOperationCount = 0;
  const ctx: WorkloadContext<S> = {
    seed,
    root: targetRoot,
    rng: world.stream('workload'),
    state: workload.initialState(),
    get crashCount() {
      return crashCount;
    },
    path: (name) => `${targetRoot}/${name}`,
  };
  const target = options.targetFile ?? workload.name;
  const repro = `powercut run --target ${target} --seeds 1 --seed-start ${seed}`;
  const result = (): TargetSeedResult => ({ seed, violations, crashCount, failedOperationCount, digest: world.trace.digest(), recentTrace: violations.length > 0 ? world.trace.recent : [] });
  const facade = installFacade(world, targetRoot);
  try {
    const harness = async <T>(what: string, body: () => Promise<T>): Promise<T> => {
      const outcome = await world.run(body);
      if (outcome.outcome === 'done') return outcome.value;
      const detail = outcome.outcome === 'error' ? String((outcome.error as Error)?.stack ?? outcome.error) : outcome.outcome;
      throw new Error(`powercut target ${workload.name} seed ${seed}: ${what} did not complete with faults off: ${detail}`);
    };
    world.setFaultsEnabled(false);
    let library = (await harness('open', async () => workload.open(ctx))) as L;
    await harness('setup', () => workload.setup(ctx, library));
    checkpoint(world);
    world.setFaultsEnabled(true);

    /** After a crash: restart, check the invariants, reopen. @returns false when the library no longer opens */
    const check = async (kind: 'kill-9' | 'power-loss', afterOperation: number, final: boolean): Promise<boolean> => {
      crashCount++;
      const crashState = crashStates.int(5);
      world.restart({ crashState });
      world.setFaultsEnabled(false);
      const crash = { kind, crashState, afterOperation, final };
      const violation = (invariant: string, message: string): void => {
        violations.push({ workload: workload.name, seed, invariant, message, crash, faultsFired: [...world.faultsFired], repro });
      };
      try {
        const checked = await world.run(() => workload.invariants(ctx, library));
        if (checked.outcome === 'error') {
          const error = checked.error;
          violation(error instanceof InvariantViolation ? error.invariant : 'invariants-threw', String((error as Error).message ?? error));
        } else if (checked.outcome !== 'done') {
          violation('liveness', `the invariant check ended ${checked.outcome}`);
        }
        if (final) return true;
        // The next incarnation opens the library as a user's restarted process would.
        const opened = await world.run(async () => workload.open(ctx));
        if (opened.outcome === 'done') {
          library = opened.value as L;
          return true;
        }
        if (!violations.some((v) => v.seed === seed && v.crash === crash)) {
          const detail = opened.outcome === 'error' ? String((opened.error as Error).message ?? opened.error) : opened.outcome;
          violation('opens', `the library does not open after the crash: ${detail.slice(0, 160)}`);
        }
        return false;
      } finally {
        world.setFaultsEnabled(true);
      }
    };

    const count = workload.operationsCount ?? 12;
    for (let index = 0; index < count; index++) {
      const operation = workload.operations[index % workload.operations.length]!;
      world.record('op', operation.name, String(index));
      const outcome = await world.run(() => operation.run(ctx, library, index), { stepsMax: 100_000 });
      if (outcome.outcome === 'crashed') {
        if (!await check(outcome.kind, index, false)) return result();
      }
      else if (outcome.outcome === 'error') failedOperationCount++;
      else if (outcome.outcome !== 'done') {
        violations.push({
          workload: workload.name, seed, invariant: 'liveness', message: `operation ${index} (${operation.name}) ended ${outcome.outcome}`,
          crash: { kind: 'kill-9', crashState: 0, afterOperation: index, final: false }, faultsFired: [...world.faultsFired], repro,
        });
        world.crashNow('kill-9');
        if (!await check('kill-9', index, false)) return result();
      }
    }
    world.crashNow('power-loss');
    await check('power-loss', count, true);
    return result();
  } finally {
    facade.uninstall();
  }
}

/** The result of a target campaign. */
export interface TargetCampaignResult {
  readonly workload: string;
  readonly seeds: number;
  readonly violations: readonly TargetViolation[];
  readonly crashCount: number;
  readonly failedOperationCount: number;
  readonly durationMs: number;
}

/**
 * Loads a workload module (its default export, or an export named `workload`).
 * @param file - a path to a .ts or .js module
 */
export async function loadWorkload(file: string): Promise<Workload<unknown, unknown>> {
  const module = await import(pathToFileURL(resolve(file)).href) as { default?: unknown; workload?: unknown };
  const candidate = (module.default ?? module.workload) as Partial<Workload<unknown, unknown>> | undefined;
  if (candidate === undefined || typeof candidate.open !== 'function' || typeof candidate.invariants !== 'function' || !Array.isArray(candidate.operations)) {
    throw new TypeError(`${file}: the default export is not a workload ({ name, initialState, open, setup, operations, invariants })`);
  }
  return candidate as Workload<unknown, unknown>;
}

/**
 * Runs seeds `seedStart .. seedStart + seeds - 1` of `workload`, one after another.
 * @param onSeed - called after each seed (progress)
 */
export async function runTargetCampaign(
  workload: Workload<unknown, unknown>,
  options: TargetRunOptions & { readonly seeds: number; readonly seedStart: number; readonly onSeed?: (result: TargetSeedResult) => void },
  clockMs: () => number = () => 0,
): Promise<TargetCampaignResult> {
  const started = clockMs();
  const violations: TargetViolation[] = [];
  let crashCount = 0;
  let failedOperationCount = 0;
  for (let seed = options.seedStart; seed < options.seedStart + options.seeds; seed++) {
    const result = await runTargetSeed(workload, seed, options);
    violations.push(...result.violations);
    crashCount += result.crashCount;
    failedOperationCount += result.failedOperationCount;
    options.onSeed?.(result);
  }
  return { workload: workload.name, seeds: options.seeds, violations, crashCount, failedOperationCount, durationMs: clockMs() - started };
}
