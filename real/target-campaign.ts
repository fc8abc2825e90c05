/**
 * `powercut real --target`: a library workload on the real disk, in a real child process
 * (target-child.ts) killed with SIGKILL at seeded moments, with the simulator's checks after
 * every kill: the library must open again, and the workload's invariants must hold on the model
 * its operations left.
 *
 * Each cycle starts an incarnation: the first runs `setup`, every later one opens the library
 * and checks it after the kill that ended the one before. Then it runs its share of the
 * operations, telling the parent the model after each. It is killed at a seeded moment: mostly
 * by itself, right before a chosen file-system call inside a chosen operation or inside the
 * reopen (kill-at-call.ts), since a kill from outside usually lands after a fast operation has
 * finished; sometimes by the parent, a delay after an operation starts or once all have run. A
 * last incarnation checks the last kill.
 *
 * The model is the one the child last reported, so it may lag the library by the operation the
 * kill interrupted, whose effects may or may not be on disk: invariants must accept both, as they
 * must after a crash in the simulator. What a kill -9 cannot show: missing fsyncs, torn writes,
 * lost directory entries; the simulator covers those. The seed fixes the operations and the kill
 * plan, not the timing of a real process.
 */
import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import { loadWorkload } from '../subjects/load.ts';
import { noteEnvRead } from '../harness/env-reads.ts';
import type { WorkloadCrash } from '../targets/index.ts';
import { prepareDir, removeDir } from './input.ts';
import { lastLoggedModel } from './model-log.ts';
import { forkScript } from './spawn.ts';
import type { TargetChildMessage, TargetStart } from './target-protocol.ts';

/** Options of {@link runRealTargetCampaign}. */
export interface RealTargetOptions {
  /** The workload module: a path as the user named it (resolved against the working directory), or a `file:` URL. */
  readonly target: string | URL;
  /** Kill-and-restart cycles. @defaultValue 20 */
  readonly cycles?: number;
  /** Seed of the operations and the kill plan. @defaultValue a random one, reported in the result */
  readonly seed?: string;
  /** Data folder (the workload's `ctx.root`); must be missing or empty. @defaultValue a new temporary folder */
  readonly dir?: string;
  /** Longest wait for the child's next message (its start, an operation) before it counts as a harness failure. @defaultValue 30 000 */
  readonly timeoutMs?: number;
  /** Longest delay after an operation starts before its kill. @defaultValue 20 */
  readonly killDelayMsMax?: number;
  /** Called after every cycle, for progress output. */
  readonly onCycle?: (cycle: number, violations: number) => void;
}

/** A violation, with the kill after which it was found. */
export interface RealTargetViolation {
  readonly invariant: string;
  readonly message: string;
  /** `cycle N, after kill -9 during operation I (name)`, and the like. */
  readonly place: string;
}

/** The outcome of {@link runRealTargetCampaign}. */
export interface RealTargetResult {
  /** True when no violation was found, the harness did not fail, and something was tested ({@link nothingTested}). */
  readonly ok: boolean;
  /**
   * Why the campaign tested nothing, when it did not: no check ran after a kill, or no operation
   * was acknowledged (each failed: there was nothing a kill could lose). Undefined otherwise.
   */
  readonly nothingTested: string | undefined;
  readonly workload: string;
  readonly module: string;
  readonly seed: string;
  readonly cycles: number;
  readonly cyclesRun: number;
  /** SIGKILLs sent, those that landed while the library was opening, and those at idle (every operation done). */
  readonly kills: number;
  readonly killsWhileOpening: number;
  readonly killsAtIdle: number;
  /** Incarnations that died by themselves (an uncaught exception), restarted as after a kill. */
  readonly selfExits: readonly string[];
  readonly operationsStarted: number;
  readonly operationsAcknowledged: number;
  /** Operations that failed (a real disk injects no faults: each is worth a look), the first ones. */
  readonly failedOperations: readonly string[];
  readonly failedOperationCount: number;
  /** Checks run after a kill. */
  readonly checks: number;
  /**
   * The native addons the workload's modules loaded, by file: their file I/O is not Node's `fs`,
   * so what they persist is tested by these kills only, never by the simulated disk.
   */
  readonly nativeAddons: readonly string[];
  readonly violations: readonly RealTargetViolation[];
  readonly harnessErrors: readonly string[];
  readonly dir: string;
  readonly dirKept: boolean;
  /** The arguments of `powercut` that run the same workload and kill plan again. */
  readonly reproduceArgs: readonly string[];
  readonly durationMs: number;
}

/** Where a cycle's kill lands. */
export type TargetKill =
  /** The child kills itself right before a file-system call (kill-at-call.ts): inside an operation, or inside the reopen. */
  | { readonly kind: 'at-call'; readonly after: 'open' | number; readonly calls: number }
  /** The parent kills it a delay after an operation starts, wherever it is then. */
  | { readonly kind: 'timed'; readonly nth: number; readonly delayMs: number }
  | { readonly kind: 'at-idle' };

/** How one incarnation ended. */
interface Incarnation {
  /** The model the child last reported. */
  readonly state: unknown;
  /** The crash the next incarnation is told of. */
  readonly crash: WorkloadCrash;
  readonly killed: 'while-opening' | 'in-operation' | 'at-idle' | 'self-exit';
  readonly selfExit?: string;
}

/** Failed operations listed by name and message; the rest are counted. */
const failedOperationsListedMax = 10;

/** Most calls into an operation (or a reopen) before an `at-call` kill. */
const callsBeforeKillMax = 12;

/** The seeded kill plan: one kill per cycle. */
function killPlanner(seed: string, operationsPerCycle: number, delayMsMax: number): () => TargetKill {
  const random = seedrandom(`${seed}/target-kill`);
  const below = (n: number): number => Math.floor(random() * n);
  return () => {
    const draw = random();
    if (draw < 0.15) return { kind: 'at-call', after: 'open', calls: 1 + below(callsBeforeKillMax) };
    if (draw < 0.7) return { kind: 'at-call', after: below(operationsPerCycle), calls: 1 + below(callsBeforeKillMax) };
    if (draw < 0.9) return { kind: 'timed', nth: below(operationsPerCycle), delayMs: below(delayMsMax + 1) };
    return { kind: 'at-idle' };
  };
}

/**
 * The kill of cycle `cycle` as drawn, except that the first incarnation of a workload with a
 * setup is never killed while it opens and sets up: the simulator runs `setup` with faults off,
 * and a library never set up (a repository never initialised) fails every operation after,
 * which tests nothing. Its kill then lands at the same call of its first operation. Without a
 * setup, the first open (the store's creation) is killed as any other, as in the simulator.
 */
function killOfCycle(cycle: number, kill: TargetKill, hasSetup: boolean): TargetKill {
  return hasSetup && cycle === 0 && kill.kind === 'at-call' && kill.after === 'open' ? { ...kill, after: 0 } : kill;
}

/** A harness failure: the campaign stops. */
class HarnessFailure extends Error {}

/** The campaign's bookkeeping across incarnations. */
/** @internal Exported for its spec. */
export class TargetCampaign {
  state: unknown;
  crash: WorkloadCrash | undefined;
  nextOperation = 0;
  readonly violations: RealTargetViolation[] = [];
  readonly failedOperations: string[] = [];
  readonly selfExits: string[] = [];
  failedOperationCount = 0;
  operationsStarted = 0;
  operationsAcknowledged = 0;
  kills = 0;
  killsWhileOpening = 0;
  killsAtIdle = 0;
  checks = 0;
  /** The native addons the workload's modules loaded, by file (the children tell). */
  readonly nativeAddons = new Set<string>();

  /**
   * @param modelsDir - where each incarnation's model log goes (model-log.ts): outside `root`,
   * which the workload may list
   */
  constructor(readonly module: string, readonly root: string, readonly seed: number, readonly timeoutMs: number, initialState: unknown, readonly modelsDir: string) {
    this.state = initialState;
  }

  /** Runs one incarnation: start, check or set up, operations, and the kill `kill`. */
  async incarnation(index: number, count: number, kill: TargetKill, place: string): Promise<Incarnation> {
    const start: TargetStart = {
      type: 'start', module: this.module, root: this.root, seed: this.seed, incarnation: index, state: this.state,
      crash: this.crash, check: index > 0, from: this.nextOperation, count,
      ...(kill.kind === 'at-call' ? { killAt: { after: kill.after === 'open' ? 'open' : this.nextOperation + kill.after, calls: kill.calls } } : {}),
      modelLog: join(this.modelsDir, `${index}.log`),
    };
    const child = forkScript('target-child');
    const ended = await new IncarnationDriver(this, child, kill, place, start.modelLog).run(start).finally(() => rm(start.modelLog, { force: true }));
    this.state = ended.state;
    // A kill while reopening after a kill: the next check is still about the first one.
    const previous = this.crash;
    this.crash = ended.killed === 'while-opening' && previous !== undefined
      ? { ...previous, reopenCrashes: [...previous.reopenCrashes, { kind: 'kill-9', crashState: undefined }] }
      : ended.crash;
    return ended;
  }

  noteViolations(found: readonly { invariant: string; message: string }[], place: string): void {
    for (const violation of found) this.violations.push({ ...violation, place });
  }

  noteFailedOperation(index: number, name: string, error: string): void {
    this.failedOperationCount++;
    if (this.failedOperations.length < failedOperationsListedMax) this.failedOperations.push(`operation ${index} (${name}): ${error}`);
  }
}

/** Drives one child from its start to its death, answering its messages. */
/** @internal Exported for its spec. */
export class IncarnationDriver {
  #state: unknown;
  /** The sequence number of the model in `#state` (the child's `ready` and `op-end`; model-log.ts). */
  #seq = 0;
  #inFlight: { index: number; name: string } | undefined;
  #phase: 'starting' | 'opening' | 'operations' | 'idle' = 'starting';
  #stderr = '';
  #timer: NodeJS.Timeout | undefined;
  #from = 0;
  /** This is the campaign's first incarnation: a kill while it opens strikes the store's creation. */
  #first = false;
  #killedAs: Incarnation['killed'] | undefined;

  constructor(private readonly campaign: TargetCampaign, private readonly child: ChildProcess, private readonly kill: TargetKill, private readonly place: string, private readonly modelLog: string) {
    this.#state = campaign.state;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
    child.stdout?.resume();
  }

  run(start: TargetStart): Promise<Incarnation> {
    this.#from = start.from;
    this.#first = start.incarnation === 0;
    return new Promise<Incarnation>((resolveRun, rejectRun) => {
      this.#watchdog(rejectRun);
      this.child.on('message', (message) => {
        try {
          this.#watchdog(rejectRun);
          this.#on(message as TargetChildMessage);
        } catch (error) {
          this.#killNow();
          rejectRun(error);
        }
      });
      // `close`, not `exit`: every message the child sent before it died has arrived by then.
      this.child.on('close', (code, signal) => {
        clearTimeout(this.#timer);
        if (this.#killedAs === undefined && signal === 'SIGKILL' && this.kill.kind === 'at-call') this.#killedAs = this.#whereNow();
        if (this.#killedAs !== undefined) return resolveRun(this.#ended(this.#killedAs));
        if (this.#phase === 'starting') return rejectRun(new HarnessFailure(`the child exited (${signal ?? `code ${code}`}) before loading the workload: ${this.#lastLine()}`));
        return resolveRun(this.#ended('self-exit', this.#lastLine()));
      });
      this.child.send(start);
    });
  }

  #on(message: TargetChildMessage): void {
    switch (message.type) {
      case 'fatal':
        throw new HarnessFailure(`${this.place}: ${message.message}`);
      case 'opening':
        this.#phase = 'opening';
        return;
      case 'env':
        noteEnvRead(message.name);
        return;
      case 'addon':
        this.campaign.nativeAddons.add(message.file);
        return;
      case 'ready':
        this.#seq = message.seq;
        return this.#ready(message.violations, message.state);
      case 'op-start':
        return this.#operationStarted(message.index, message.name);
      case 'op-end':
        this.#seq = message.seq;
        return this.#operationEnded(message.index, message.error, message.coding === true, message.state);
      case 'done':
        this.#phase = 'idle';
        this.#killNow();
    }
  }

  #ready(violations: readonly { invariant: string; message: string }[], state: unknown): void {
    if (this.#killedAs !== undefined) return;
    this.#phase = 'operations';
    this.#state = state;
    if (this.campaign.crash !== undefined) this.campaign.checks++;
    this.campaign.noteViolations(violations, this.place);
  }

  #operationStarted(index: number, name: string): void {
    // Sent before the child died, even when it arrives after the kill was decided: the operation
    // started and may have taken effect, so the next incarnation goes on after it, as the
    // simulator does. Run again, it showed a user's log lines twice.
    this.campaign.nextOperation = Math.max(this.campaign.nextOperation, index + 1);
    if (this.#killedAs !== undefined) return;
    this.#inFlight = { index, name };
    this.campaign.operationsStarted++;
    if (this.kill.kind === 'timed' && index === this.#from + this.kill.nth) {
      setTimeout(() => this.#killNow(), this.kill.delayMs);
    }
  }

  #operationEnded(index: number, error: string | undefined, coding: boolean, state: unknown): void {
    // Sent before the child died, even when it arrives after the kill was decided: the operation
    // ended, and its model is the one the child died with.
    this.#state = state;
    const name = this.#inFlight?.name ?? '?';
    this.#inFlight = undefined;
    if (error === undefined) this.campaign.operationsAcknowledged++;
    else this.campaign.noteFailedOperation(index, name, error);
    if (coding) {
      this.campaign.noteViolations([{
        invariant: 'engine-error',
        message: `operation ${index} (${name}) threw ${error ?? '?'}: a coding error, in the library or in the workload, ${this.campaign.kills === 0 ? 'not a failure of the disk' : 'after a kill -9: a library that meets torn or missing data should refuse it with an error of its own'}`,
      }], this.place);
    }
  }

  /** Kills the child now; the kill is named by where the child was. */
  #killNow(): void {
    if (this.#killedAs !== undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.#killedAs = this.#whereNow();
    this.child.kill('SIGKILL');
  }

  /** What a kill now interrupts, as far as the child has told. */
  #whereNow(): Incarnation['killed'] {
    if (this.#phase === 'operations') return 'in-operation';
    return this.#phase === 'idle' ? 'at-idle' : 'while-opening';
  }

  #watchdog(reject: (error: Error) => void): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#killNow();
      reject(new HarnessFailure(`${this.place}: the child sent nothing for ${this.campaign.timeoutMs} ms (phase ${this.#phase})`));
    }, this.campaign.timeoutMs);
  }

  #ended(killed: Incarnation['killed'], selfExit?: string): Incarnation {
    // The model the child logged right before the call it died at, when newer than its last message's.
    const logged = lastLoggedModel(this.modelLog);
    if (logged !== undefined && logged.seq > this.#seq) this.#state = logged.state;
    const operation = this.#inFlight === undefined ? undefined : { ...this.#inFlight };
    return {
      state: this.#state, killed, ...(selfExit === undefined ? {} : { selfExit }),
      crash: { kind: 'kill-9', crashState: undefined, operation, final: false, firstOpen: this.#first && killed === 'while-opening', reopenCrashes: [], powerLost: false },
    };
  }

  #lastLine(): string {
    const lines = this.#stderr.trim().split('\n').filter((line) => line.trim() !== '');
    return lines.find((line) => /Error|error:/.test(line)) ?? lines.at(-1) ?? 'no output';
  }
}

/** Where a check stands: the cycle, and the kill it follows. */
function placeOf(cycle: number, last: Incarnation | undefined): string {
  if (last === undefined) return `cycle ${cycle}`;
  const operation = last.crash.operation;
  const after = last.killed === 'self-exit'
    ? `after the process died by itself (${last.selfExit ?? 'no output'})`
    : last.killed === 'while-opening' ? 'after kill -9 while the library was opening'
      : operation === undefined ? 'after kill -9 between operations' : `after kill -9 during operation ${operation.index} (${operation.name})`;
  return `cycle ${cycle}, ${after}`;
}

/**
 * Why a campaign tested nothing, or undefined: no check ran after a kill, no operation ran (every
 * kill came before the first), or none was acknowledged.
 * @internal Exported for its spec.
 */
export function untestedReason(campaign: Pick<TargetCampaign, 'checks' | 'operationsStarted' | 'operationsAcknowledged' | 'failedOperations'>): string | undefined {
  return campaign.checks === 0 ? 'no check ran after a kill (raise --cycles)'
    : campaign.operationsStarted === 0 ? 'no operation ran: every kill came before the first one (raise --cycles)'
    : campaign.operationsAcknowledged === 0 ? `no operation was acknowledged, so no kill could lose one (every operation failed${campaign.failedOperations[0] === undefined ? '' : `; the first: ${campaign.failedOperations[0]}`})`
      : undefined;
}

/**
 * Runs the kill -9 campaign of a library workload.
 * @returns the figures and findings; `ok` is false on a violation or a harness failure
 * @throws SubjectLoadError when the workload module cannot be loaded; RealInputError when `dir` is not empty
 */
export async function runRealTargetCampaign(options: RealTargetOptions): Promise<RealTargetResult> {
  const started = performance.now();
  const target = options.target instanceof URL ? fileURLToPath(options.target) : options.target;
  const module = resolve(target);
  const workload = await loadWorkload(target);
  const cycles = options.cycles ?? 20;
  const seed = options.seed ?? String(randomInt(2 ** 31));
  const dir = await prepareDir(options.dir, 'powercut-real-target-', 'real --target');
  const perCycle = workload.operationsCount ?? 12;
  const nextKill = killPlanner(seed, perCycle, options.killDelayMsMax ?? 20);
  const modelsDir = await mkdtemp(join(tmpdir(), 'powercut-models-'));
  const campaign = new TargetCampaign(module, dir, seedNumber(seed), options.timeoutMs ?? 30_000, workload.initialState(), modelsDir);
  const harnessErrors: string[] = [];
  let last: Incarnation | undefined;
  let cyclesRun = 0;
  try {
    // Cycle 0 sets up; cycles 1..N each check the kill before them; the last incarnation only checks.
    for (let cycle = 0; cycle <= cycles; cycle++) {
      last = await campaign.incarnation(cycle, cycle === cycles ? 0 : perCycle, cycle === cycles ? { kind: 'at-idle' } : killOfCycle(cycle, nextKill(), workload.setup !== undefined), placeOf(cycle, last));
      if (cycle < cycles && last.killed !== 'self-exit') campaign.kills++;
      if (last.killed === 'while-opening') campaign.killsWhileOpening++;
      if (last.killed === 'at-idle' && cycle < cycles) campaign.killsAtIdle++;
      if (last.killed === 'self-exit') campaign.selfExits.push(`cycle ${cycle}: ${last.selfExit ?? 'no output'}`);
      if (cycle > 0) cyclesRun = cycle;
      options.onCycle?.(cycle, campaign.violations.length);
    }
  } catch (error) {
    if (!(error instanceof HarnessFailure)) throw error;
    harnessErrors.push(error.message);
  } finally {
    await rm(modelsDir, { recursive: true, force: true });
  }
  const nothingTested = untestedReason(campaign);
  const ok = campaign.violations.length === 0 && harnessErrors.length === 0 && nothingTested === undefined;
  const keep = !ok || options.dir !== undefined;
  if (!keep) await removeDir(dir);
  return {
    ok, nothingTested, workload: workload.name, module: target, seed, cycles, cyclesRun,
    kills: campaign.kills, killsWhileOpening: campaign.killsWhileOpening, killsAtIdle: campaign.killsAtIdle,
    selfExits: campaign.selfExits, operationsStarted: campaign.operationsStarted, operationsAcknowledged: campaign.operationsAcknowledged,
    failedOperations: campaign.failedOperations, failedOperationCount: campaign.failedOperationCount, checks: campaign.checks, nativeAddons: [...campaign.nativeAddons],
    violations: campaign.violations, harnessErrors, dir, dirKept: keep,
    reproduceArgs: ['real', '--target', target, '--seed', seed, '--cycles', String(cycles), ...(options.dir === undefined ? [] : ['--dir', options.dir])],
    durationMs: performance.now() - started,
  };
}

/** The workload's `ctx.seed`: the seed itself when it is a number, else a hash of it. */
function seedNumber(seed: string): number {
  if (/^\d+$/.test(seed) && Number.isSafeInteger(Number(seed))) return Number(seed);
  return Math.floor(seedrandom(seed)() * 2 ** 31);
}
