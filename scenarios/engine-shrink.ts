/**
 * How engine plans shrink (harness/shrink.ts does the search): steps are the plan's steps, each
 * step's start is its `op` trace event (the runner's own `open` events are not steps), and the
 * engine's own passes then remove concurrent batches, the operations of overlap steps (one left
 * becomes a plain step; all of them may become plain steps in turn) and their delays, and operations within batches, shorten values, rename
 * keys to short names in the same order, drop zero crash states, latency and late writes. Late
 * writes are made explicit first, as faults are: the run's own list, probability 0.
 */
import type { EngineConfig, OverlapOp, Plan, PlanOp, PlanPut, PlanStep, RunResult } from '../sim/index.ts';
import { faultsSize, hexPut, planSize, putBytes, strikesInStep } from '../sim/index.ts';
import type { ShrinkAxes } from '../harness/index.ts';
import { ddmin, firstLook, pinLook, withPowerLossAt } from '../harness/index.ts';

type Accept = (candidate: Plan) => Promise<boolean>;

/** The shrink axes of engine plans. */
export const engineShrinkAxes: ShrinkAxes<Plan> = {
  explicit: (plan, run) => explicitLook(explicitReorder(plan, run), run),
  stepCount: (plan) => plan.steps.length,
  keepSteps: (plan, keep) => ({ ...plan, steps: keep.map((index) => plan.steps[index]!) }),
  isStepStart: (event) => event.type === 'op' && event.name !== 'open',
  simplify: async (current, accept) => {
    let progress = await shrinkBatches(current, accept);
    progress = (await shortenValues(current, accept)) || progress;
    progress = (await renameKeys(current, accept)) || progress;
    progress = (await dropDefaults(current, accept)) || progress;
    progress = (await plainerEngine(current, accept)) || progress;
    progress = (await shrinkLateWrites(current, accept)) || progress;
    return progress;
  },
  describeSize: (plan) => {
    const size = planSize(plan);
    return `steps ${size.steps}, ops ${size.ops}, ${faultsSize(size)}`;
  },
};

/** The plan with the late writes of `run` explicit (probability 0); unchanged without reorder. */
export function explicitReorder(plan: Plan, run: Pick<RunResult, 'lateWrites'>): Plan {
  if (plan.reorder === undefined) return plan;
  return { ...plan, reorder: { lateWriteProbability: 0, lateWrites: run.lateWrites ?? [] } };
}

/**
 * The plan with a second look's violation moved onto the run's own path (harness/pin-look.ts),
 * and, as in the look, no late write after that power loss. A look at a power loss between steps
 * becomes a power-loss step there; one that struck inside a step (between a clean close and its
 * open, right after a rename), a power loss at that I/O. Unchanged when the first violation is the
 * run's own.
 */
export function explicitLook(plan: Plan, run: Pick<RunResult, 'violations'>): Plan {
  const look = firstLook(run);
  if (look === undefined) return plan;
  // A look that struck inside a step (after a close, after a rename) is pinned at that I/O.
  const pinned = strikesInStep(look.why) ? withPowerLossAt(pinLook(plan, run), look.io) : withCrashBefore(pinLook(plan, run), look.beforeStep);
  if (pinned.reorder === undefined) return pinned;
  return { ...pinned, reorder: { ...pinned.reorder, lateWrites: (pinned.reorder.lateWrites ?? []).filter((io) => io < look.io) } };
}

/** `plan` with a power-loss step inserted before step `index` (none when undefined). */
function withCrashBefore(plan: Plan, index: number | undefined): Plan {
  if (index === undefined) return plan;
  return { ...plan, steps: [...plan.steps.slice(0, index), { op: 'crash', kind: 'power-loss' }, ...plan.steps.slice(index)] };
}

/** Removes explicit late writes (ddmin), then the reorder setting when none is left. */
async function shrinkLateWrites(current: () => Plan, accept: Accept): Promise<boolean> {
  const base = current();
  const reorder = base.reorder;
  if (reorder === undefined || reorder.lateWriteProbability > 0) return false;
  const late = reorder.lateWrites ?? [];
  let progress = await ddmin(late.length, (keep) => accept({ ...base, reorder: { lateWriteProbability: 0, lateWrites: keep.map((at) => late[at]!) } }));
  if ((current().reorder?.lateWrites?.length ?? 0) === 0) {
    const { reorder: _reorder, ...rest } = current();
    progress = (await accept(rest)) || progress;
  }
  return progress;
}

/** The plain step an overlap step of one operation is. */
function plainStep(op: OverlapOp): PlanStep {
  switch (op.op) {
    case 'commit':
      return { op: 'commit', batch: op.batch };
    case 'get':
      return { op: 'get', key: op.key };
    case 'close':
      return { op: 'reopen' };
    default:
      return { op: op.op };
  }
}

/** Removes operations of an overlap step (one left becomes a plain step), then their delays. */
async function shrinkOverlap(current: () => Plan, accept: Accept, index: number): Promise<boolean> {
  const step = current().steps[index]!;
  if (step.op !== 'overlap') return false;
  const ops = step.ops;
  let progress = await ddmin(ops.length, async (keep) => keep.length > 0 && accept(replaceStep(current(), index, { op: 'overlap', ops: keep.map((at) => ops[at]!) })), 1);
  const now = current().steps[index]!;
  if (now.op !== 'overlap') return progress;
  if (now.ops.length === 1) return (await accept(replaceStep(current(), index, plainStep(now.ops[0]!)))) || progress;
  // The failure may not need the overlap at all: its operations one after the other.
  const steps = current().steps;
  if (await accept({ ...current(), steps: [...steps.slice(0, index), ...now.ops.map(plainStep), ...steps.slice(index + 1)] })) return true;
  const delayed = now.ops.flatMap((op, at) => (op.afterMs === undefined ? [] : [at]));
  if (delayed.length === 0) return progress;
  return (await ddmin(delayed.length, async (keep) => {
    const kept = new Set(keep.map((at) => delayed[at]!));
    const undelayed = now.ops.map((op, at): OverlapOp => {
      if (op.afterMs === undefined || kept.has(at)) return op;
      const { afterMs: _afterMs, ...rest } = op;
      return rest;
    });
    return accept(replaceStep(current(), index, { op: 'overlap', ops: undelayed }));
  })) || progress;
}

function replaceStep(plan: Plan, index: number, step: PlanStep): Plan {
  return { ...plan, steps: plan.steps.map((old, at) => (at === index ? step : old)) };
}

/** Removes batches of concurrent steps (one left becomes a commit) and operations of batches. */
async function shrinkBatches(current: () => Plan, accept: Accept): Promise<boolean> {
  let progress = false;
  for (let index = 0; index < current().steps.length; index++) {
    const step = current().steps[index]!;
    if (step.op === 'concurrent') {
      const batches = step.batches;
      progress = (await ddmin(batches.length, async (keep) => keep.length > 0 && accept(replaceStep(current(), index, { op: 'concurrent', batches: keep.map((at) => batches[at]!) })), 1)) || progress;
      const now = current().steps[index]!;
      if (now.op === 'concurrent' && now.batches.length === 1) progress = (await accept(replaceStep(current(), index, { op: 'commit', batch: now.batches[0]! }))) || progress;
    }
    progress = (await shrinkOverlap(current, accept, index)) || progress;
    progress = (await shrinkOpsOf(current, accept, index)) || progress;
  }
  return progress;
}

/** Removes operations within the batches of step `index`. */
async function shrinkOpsOf(current: () => Plan, accept: Accept, index: number): Promise<boolean> {
  let progress = false;
  const now = current().steps[index]!;
  if (now.op === 'commit') {
    const batch = now.batch;
    return ddmin(batch.length, async (keep) => keep.length > 0 && accept(replaceStep(current(), index, { op: 'commit', batch: keep.map((at) => batch[at]!) })), 1);
  }
  if (now.op === 'overlap') return shrinkOverlapBatches(current, accept, index);
  if (now.op !== 'concurrent') return false;
  for (let b = 0; b < now.batches.length; b++) {
    const step = current().steps[index] as Extract<PlanStep, { op: 'concurrent' }>;
    const batch = step.batches[b]!;
    progress = (await ddmin(batch.length, async (keep) => keep.length > 0 && accept(replaceStep(current(), index, {
      op: 'concurrent', batches: step.batches.map((other, at) => (at === b ? keep.map((k) => batch[k]!) : other)),
    })), 1)) || progress;
  }
  return progress;
}

/** Removes operations within the commits of overlap step `index`. */
async function shrinkOverlapBatches(current: () => Plan, accept: Accept, index: number): Promise<boolean> {
  let progress = false;
  const count = (current().steps[index] as Extract<PlanStep, { op: 'overlap' }>).ops.length;
  for (let m = 0; m < count; m++) {
    const step = current().steps[index] as Extract<PlanStep, { op: 'overlap' }>;
    const member = step.ops[m]!;
    if (member.op !== 'commit') continue;
    const batch = member.batch;
    progress = (await ddmin(batch.length, async (keep) => keep.length > 0 && accept(replaceStep(current(), index, {
      op: 'overlap', ops: step.ops.map((other, at) => (at === m ? { ...member, batch: keep.map((k) => batch[k]!) } : other)),
    })), 1)) || progress;
  }
  return progress;
}

/** A drawn text value's head, `key@step.op`, which names the put it came from (sim/workload.ts). */
const drawnHead = /^[^@]*@\d+\.\d+/;

/**
 * A put's value cut short: a drawn text value to its head without the padding (`k3@12.0`), so
 * that values stay distinct and a message can tell which put a value came from (cut to one
 * character, every put looked alike, and a commit never written read as a torn one); other
 * text to one character; a value that is not text to one byte, the first that makes it not
 * text (outside printable ASCII), so that it stays what it was drawn to be.
 */
function shortPut(op: PlanPut): PlanPut {
  if (op.encoding !== 'hex') {
    const { padTo: _padding, ...text } = op;
    return { ...text, value: drawnHead.exec(op.value)?.[0] ?? op.value.slice(0, 1) };
  }
  const bytes = putBytes(op);
  const awkward = bytes.findIndex((byte) => byte < 0x20 || byte > 0x7e);
  return hexPut(op.key, bytes.subarray(Math.max(0, awkward), Math.max(0, awkward) + 1));
}

/** Finds the fewest values that must stay long, then shortens the rest (see {@link shortPut}). */
async function shortenValues(current: () => Plan, accept: Accept): Promise<boolean> {
  const base = current();
  const longValues = opRefs(base).filter((ref) => ref.op.type === 'put' && (shortPut(ref.op).value !== ref.op.value || ref.op.padTo !== undefined));
  if (longValues.length === 0) return false;
  return ddmin(longValues.length, async (keep) => {
    const kept = new Set(keep);
    const shortened = new Set(longValues.filter((_, at) => !kept.has(at)).map((ref) => ref.where));
    return accept(mapOps(base, (op, where) => (shortened.has(where) && op.type === 'put' ? shortPut(op) : op)));
  }, 0);
}

/**
 * Renames keys to short names in the same sort order, so equal keys stay equal; and the key in
 * the head of each drawn text value with them (`k3@12.0` under key `k0` read as a value written
 * under the wrong key). If the plan then no longer fails, the heads are renamed again keeping each
 * value's size (a bug may hang on a frame's size: the `.` padding makes up the difference); if it
 * still does not fail, the values stay as drawn.
 */
async function renameKeys(current: () => Plan, accept: Accept): Promise<boolean> {
  const plan = current();
  const keys = [...new Set(opRefs(plan).map((ref) => ref.op.key).concat(plan.steps.flatMap(readKeys)))].sort();
  const width = String(keys.length).length;
  const names = new Map(keys.map((key, at) => [key, `k${String(at).padStart(width, '0')}`]));
  if (keys.every((key) => names.get(key) === key)) return false;
  const rename = (key: string): string => names.get(key)!;
  const headRenamed = (sameSize: boolean) => (op: PlanOp): PlanOp => {
    if (op.type !== 'put' || op.encoding === 'hex' || !op.value.startsWith(`${op.key}@`)) return op;
    const value = `${rename(op.key)}${op.value.slice(op.key.length)}`;
    return { ...op, value: sameSize ? sizedAs(value, op.value) ?? op.value : value };
  };
  return (await acceptRenamed(mapOps(plan, (op) => ({ ...headRenamed(false)(op), key: rename(op.key) })), rename, accept))
    || (await acceptRenamed(mapOps(plan, (op) => ({ ...headRenamed(true)(op), key: rename(op.key) })), rename, accept))
    || acceptRenamed(mapOps(plan, (op) => ({ ...op, key: rename(op.key) })), rename, accept);
}

/**
 * `value` (a drawn value with its head renamed) brought to `drawn`'s size in UTF-8 bytes: padded
 * with `.`, or with its trailing `.` padding cut; undefined when it has too little padding to cut.
 */
function sizedAs(value: string, drawn: string): string | undefined {
  const excess = utf8Bytes(value) - utf8Bytes(drawn);
  if (excess <= 0) return value + '.'.repeat(-excess);
  const padding = value.length - value.replace(/\.+$/, '').length;
  return padding >= excess ? value.slice(0, value.length - excess) : undefined;
}

const sizeEncoder = new TextEncoder();

/** `text`'s size in UTF-8 bytes. */
function utf8Bytes(text: string): number {
  return sizeEncoder.encode(text).length;
}

/** Accepts `renamed` (its ops' keys renamed) with the keys its steps read renamed too. */
function acceptRenamed(renamed: Plan, rename: (key: string) => string, accept: Accept): Promise<boolean> {
  return accept({
    ...renamed,
    steps: renamed.steps.map((step): PlanStep => {
      if (step.op === 'get') return { op: 'get', key: rename(step.key) };
      if (step.op === 'overlap') return { op: 'overlap', ops: step.ops.map((op) => (op.op === 'get' ? { ...op, key: rename(op.key) } : op)) };
      return step;
    }),
  });
}

/** The keys a step reads. */
function readKeys(step: PlanStep): string[] {
  if (step.op === 'get') return [step.key];
  if (step.op === 'overlap') return step.ops.flatMap((op) => (op.op === 'get' ? [op.key] : []));
  return [];
}

/** Drops crash states that are all the default (0), and latency. */
async function dropDefaults(current: () => Plan, accept: Accept): Promise<boolean> {
  let progress = false;
  const states = current().crashStates;
  if (states !== undefined && states.every((state) => state === 0)) {
    const { crashStates: _states, ...rest } = current();
    progress = await accept(rest);
  }
  if (current().latency !== undefined) {
    const { latency: _latency, ...rest } = current();
    progress = (await accept(rest)) || progress;
  }
  return progress;
}

/**
 * The engine settings a reader need not think about, each tried on its own: `strict` durability
 * (every acknowledged commit fsynced), no sidecar index, no group-commit wait. A setting the
 * failure needs stays as drawn. The durability mode is tried only on the reference engine's plans:
 * another engine may not offer `strict` (its plans were fitted to the modes it offers).
 */
const plainSettings: readonly Partial<EngineConfig>[] = [{ sync: 'strict' }, { sidecarEveryFrames: 0 }, { groupCommitMaxDelayMs: 0 }];

/** Sets each of {@link plainSettings} that the plan does not have yet, when it still fails with it. */
async function plainerEngine(current: () => Plan, accept: Accept): Promise<boolean> {
  let progress = false;
  for (const setting of plainSettings) {
    const plan = current();
    if (setting.sync !== undefined && plan.engineModule !== undefined) continue;
    const changed = (Object.keys(setting) as (keyof EngineConfig)[]).some((key) => plan.engine[key] !== setting[key]);
    if (changed) progress = (await accept({ ...plan, engine: { ...plan.engine, ...setting } })) || progress;
  }
  return progress;
}

/** Where an op is: step index, batch index (0 for `commit`), op index. */
type OpWhere = `${number}/${number}/${number}`;

function opRefs(plan: Plan): { where: OpWhere; op: PlanOp }[] {
  const refs: { where: OpWhere; op: PlanOp }[] = [];
  plan.steps.forEach((step, s) => {
    const batches = step.op === 'commit' ? [step.batch] : step.op === 'concurrent' ? step.batches
      : step.op === 'overlap' ? step.ops.map((op) => (op.op === 'commit' ? op.batch : [])) : [];
    batches.forEach((batch, b) => batch.forEach((op, o) => refs.push({ where: `${s}/${b}/${o}`, op })));
  });
  return refs;
}

function mapOps(plan: Plan, change: (op: PlanOp, where: OpWhere) => PlanOp): Plan {
  return {
    ...plan,
    steps: plan.steps.map((step, s): PlanStep => {
      if (step.op === 'commit') return { op: 'commit', batch: step.batch.map((op, o) => change(op, `${s}/0/${o}`)) };
      if (step.op === 'concurrent') return { op: 'concurrent', batches: step.batches.map((batch, b) => batch.map((op, o) => change(op, `${s}/${b}/${o}`))) };
      if (step.op === 'overlap') {
        return { op: 'overlap', ops: step.ops.map((member, b) => (member.op === 'commit' ? { ...member, batch: member.batch.map((op, o) => change(op, `${s}/${b}/${o}`)) } : member)) };
      }
      return step;
    }),
  };
}
