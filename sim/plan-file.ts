/**
 * Reading a plan file (`powercut replay FILE`): the file is checked field by field before it
 * runs, because a plan with a misspelt field would otherwise run a different experiment than
 * the one its author wrote down, and pass. Every failure is a {@link PlanFileError} whose
 * message is one line naming the file and the field.
 *
 * What is checked: the file exists and is JSON; `format` and `version`; every field's type;
 * no field the format does not define, at the top level, in `engine` and in `faults`; every
 * step's `op`. What is not: whether `scenario` names a scenario of this build (a plan carries
 * everything it needs, the name is a label).
 */
import { readTextFile } from './node/files.ts';
import type { Plan } from './plan.ts';
import { faultKinds, ioClasses } from './types.ts';
import { blockSizes } from './disk/faults.ts';
import { dataOrders, dirOrders, nameSyncs, sectorWritesKinds } from './disk/crash-policy.ts';

/** A plan file that cannot be run: missing, not JSON, or not a valid plan. */
export class PlanFileError extends Error {
  override readonly name = 'PlanFileError';
  readonly code = 'PLAN_FILE';
}

const planFields = ['format', 'version', 'found', 'scenario', 'seed', 'engineModule', 'engine', 'faults', 'latency', 'reorder', 'steps', 'crashStates', 'looks', 'looksAtOtherStates', 'looksAtRot', 'livenessCommits', 'stepsMax'];
const engineFields = ['sync', 'segmentSizeBytes', 'walSizeBytesMax', 'groupCommitMaxDelayMs', 'groupCommitMaxBatch', 'sidecarEveryFrames'];
const faultFields = ['rates', 'fsyncFailureMode', 'sectorBytes', 'dirOrder', 'dataOrder', 'sectorWrites', 'nameSync', 'capacityBytes', 'blockBytes', 'scheduled', 'phases', 'io'];

type Json = Record<string, unknown>;

/**
 * Reads and checks a plan file.
 * @param file - path of a JSON plan
 * @throws {@link PlanFileError} naming the file and what is wrong
 */
export async function readPlanFile(file: string): Promise<Plan> {
  return checkPlan(await readJsonDocument(file), file);
}

/**
 * Reads a JSON file (any plan format).
 * @throws {@link PlanFileError} when it is missing or not JSON
 */
export async function readJsonDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlanFileError(`${file}: cannot read plan file (${code === 'ENOENT' ? 'no such file' : code ?? String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

/** Field checks that fail with a {@link PlanFileError} naming `source` and the field. */
export interface PlanChecks {
  object(value: unknown, field: string, allowed?: readonly string[]): Json;
  integer(value: unknown, field: string, least?: number): number;
  oneOf(value: unknown, field: string, options: readonly unknown[]): void;
  array(value: unknown, field: string): unknown[];
  fail(field: string, problem: string): never;
}

/** The field checks of a plan read from `source`. */
export function planChecks(source: string): PlanChecks {
  const fail = (field: string, problem: string): never => {
    throw new PlanFileError(`${source}: ${field} ${problem}`);
  };
  const object = (value: unknown, field: string, allowed?: readonly string[]): Json => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
    const record = value as Json;
    for (const key of Object.keys(record)) if (allowed && !allowed.includes(key)) fail(`${field === '(root)' ? '' : `${field}.`}${key}`, 'is not a plan field');
    return record;
  };
  const integer = (value: unknown, field: string, least = 0): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least) fail(field, `must be an integer >= ${least}, found ${JSON.stringify(value ?? null)}`);
    return value as number;
  };
  const oneOf = (value: unknown, field: string, options: readonly unknown[]): void => {
    if (!options.includes(value)) fail(field, `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}, found ${JSON.stringify(value ?? null)}`);
  };
  const array = (value: unknown, field: string): unknown[] => (Array.isArray(value) ? value : fail(field, 'must be an array'));
  return { object, integer, oneOf, array, fail };
}

/** Checks a plan's optional `found` ({@link PlanFinding}): an object with the invariant and message as strings. */
export function checkFinding(value: unknown, checks: PlanChecks): void {
  if (value === undefined) return;
  const found = checks.object(value, 'found', ['invariant', 'message', 'by', 'env', 'test']);
  for (const field of ['invariant', 'message']) if (typeof found[field] !== 'string') checks.fail(`found.${field}`, 'must be a string');
  if (found['test'] !== undefined && typeof found['test'] !== 'string') checks.fail('found.test', 'must be a string');
  if (found['by'] !== undefined) checks.oneOf(found['by'], 'found.by', ['explore']);
  if (found['env'] !== undefined) {
    const env = checks.object(found['env'], 'found.env', undefined);
    for (const [name, value] of Object.entries(env)) if (typeof value !== 'string') checks.fail(`found.env.${name}`, 'must be a string');
  }
}

/** Checks a plan's `faults` (a fault profile). */
export function checkFaultProfile(value: unknown, checks: PlanChecks): void {
  const { object, integer, oneOf, array, fail } = checks;
  const faults = object(value, 'faults', faultFields);
  const rates = object(faults['rates'], 'faults.rates', faultKinds);
  for (const [kind, rate] of Object.entries(rates)) {
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) fail(`faults.rates.${kind}`, 'must be a probability between 0 and 1');
  }
  oneOf(faults['fsyncFailureMode'], 'faults.fsyncFailureMode', ['ext4', 'btrfs', 'sticky']);
  oneOf(faults['sectorBytes'], 'faults.sectorBytes', [512, 4096]);
  if (faults['dirOrder'] !== undefined) oneOf(faults['dirOrder'], 'faults.dirOrder', dirOrders);
  if (faults['dataOrder'] !== undefined) oneOf(faults['dataOrder'], 'faults.dataOrder', dataOrders);
  if (faults['sectorWrites'] !== undefined) oneOf(faults['sectorWrites'], 'faults.sectorWrites', sectorWritesKinds);
  if (faults['nameSync'] !== undefined) oneOf(faults['nameSync'], 'faults.nameSync', nameSyncs);
  if (faults['capacityBytes'] !== undefined) integer(faults['capacityBytes'], 'faults.capacityBytes');
  if (faults['blockBytes'] !== undefined) oneOf(faults['blockBytes'], 'faults.blockBytes', blockSizes);
  if (faults['scheduled'] !== undefined) {
    array(faults['scheduled'], 'faults.scheduled').forEach((raw, i) => {
      const fault = object(raw, `faults.scheduled[${i}]`, ['io', 'kind', 'arg', 'step', 'ioInStep', 'at', 'nth', 'spaceReturns']);
      // Aimed by step and operation, a hand-written fault needs no I/O index: `at` decides where
      // it strikes, and `io` and `ioInStep` only record where it struck when it was recorded.
      if (fault['step'] !== undefined && fault['at'] !== undefined) {
        fault['io'] ??= 0;
        fault['ioInStep'] ??= 0;
      }
      integer(fault['io'], `faults.scheduled[${i}].io`);
      if ((fault['step'] === undefined) !== (fault['ioInStep'] === undefined)) fail(`faults.scheduled[${i}]`, 'must give step and ioInStep together, or neither');
      if (fault['step'] !== undefined) integer(fault['step'], `faults.scheduled[${i}].step`);
      if (fault['ioInStep'] !== undefined) integer(fault['ioInStep'], `faults.scheduled[${i}].ioInStep`);
      if ((fault['at'] !== undefined || fault['nth'] !== undefined) && fault['step'] === undefined) fail(`faults.scheduled[${i}]`, 'gives at or nth without step');
      if (fault['at'] !== undefined && (typeof fault['at'] !== 'string' || fault['at'] === '')) fail(`faults.scheduled[${i}].at`, 'must be an operation as the trace names it, e.g. "rename /db/a -> /db/b"');
      if (fault['nth'] !== undefined) integer(fault['nth'], `faults.scheduled[${i}].nth`);
      oneOf(fault['kind'], `faults.scheduled[${i}].kind`, faultKinds);
      if (fault['arg'] !== undefined && typeof fault['arg'] !== 'number') fail(`faults.scheduled[${i}].arg`, 'must be a number');
      if (fault['spaceReturns'] !== undefined && (fault['spaceReturns'] !== true || fault['kind'] !== 'disk-full')) fail(`faults.scheduled[${i}].spaceReturns`, 'must be true, on a disk-full fault');
    });
  }
  if (faults['phases'] !== undefined) {
    array(faults['phases'], 'faults.phases').forEach((phase, i) => {
      if (typeof phase !== 'string' || phase === '') fail(`faults.phases[${i}]`, 'must be a non-empty string');
    });
  }
  if (faults['io'] !== undefined) array(faults['io'], 'faults.io').forEach((ioClass, i) => oneOf(ioClass, `faults.io[${i}]`, ioClasses));
}

/**
 * Checks that a parsed document is a plan.
 * @param document - parsed JSON
 * @param source - the file's name, for messages
 * @throws {@link PlanFileError}
 */
export function checkPlan(document: unknown, source: string): Plan {
  const checks = planChecks(source);
  const { object, integer, oneOf, array, fail } = checks;
  const root = object(document, '(root)', planFields);
  if (root['format'] !== 'powercut-plan') fail('format', `must be "powercut-plan", found ${JSON.stringify(root['format'] ?? null)}`);
  if (root['version'] !== 1) fail('version', `must be 1, found ${JSON.stringify(root['version'] ?? null)}`);
  if (typeof root['scenario'] !== 'string' || root['scenario'] === '') fail('scenario', 'must be a non-empty string');
  integer(root['seed'], 'seed');
  checkFinding(root['found'], checks);
  if (root['engineModule'] !== undefined && (typeof root['engineModule'] !== 'string' || root['engineModule'] === '')) fail('engineModule', 'must be a non-empty string');
  const engine = object(root['engine'], 'engine', engineFields);
  oneOf(engine['sync'], 'engine.sync', ['strict', 'group', 'none']);
  for (const field of engineFields.slice(1)) integer(engine[field], `engine.${field}`);
  checkFaultProfile(root['faults'], checks);
  if (root['latency'] !== undefined) integer(object(root['latency'], 'latency', ['ioMsMax'])['ioMsMax'], 'latency.ioMsMax');
  if (root['reorder'] !== undefined) {
    const reorder = object(root['reorder'], 'reorder', ['lateWriteProbability', 'lateWrites']);
    const p = reorder['lateWriteProbability'];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) fail('reorder.lateWriteProbability', 'must be a probability between 0 and 1');
    if (reorder['lateWrites'] !== undefined) array(reorder['lateWrites'], 'reorder.lateWrites').forEach((io, i) => integer(io, `reorder.lateWrites[${i}]`));
  }
  array(root['steps'], 'steps').forEach((raw, i) => checkStep(raw, `steps[${i}]`, checks));
  if (root['crashStates'] !== undefined) array(root['crashStates'], 'crashStates').forEach((state, i) => integer(state, `crashStates[${i}]`));
  if (root['looks'] !== undefined) integer(root['looks'], 'looks');
  if (root['looksAtOtherStates'] !== undefined) oneOf(root['looksAtOtherStates'], 'looksAtOtherStates', [true, false]);
  if (root['looksAtRot'] !== undefined) array(root['looksAtRot'], 'looksAtRot').forEach((fault, i) => oneOf(fault, `looksAtRot[${i}]`, ['bit-flip', 'sector-damage']));
  integer(root['livenessCommits'], 'livenessCommits');
  integer(root['stepsMax'], 'stepsMax', 1);
  return root as unknown as Plan;
}

/** Largest value a plan file may ask for (`padTo`): a plan never needs more, and a typo must not exhaust memory. */
const padToMax = 64 * 1024 * 1024;

function checkStep(raw: unknown, field: string, check: PlanChecks): void {
  const step = check.object(raw, field);
  const batch = (value: unknown, where: string): void => {
    check.array(value, where).forEach((rawOp, i) => {
      const op = check.object(rawOp, `${where}[${i}]`, ['type', 'key', 'value', 'encoding', 'padTo']);
      check.oneOf(op['type'], `${where}[${i}].type`, ['put', 'delete']);
      if (typeof op['key'] !== 'string') check.fail(`${where}[${i}].key`, 'must be a string');
      if (op['type'] === 'put' && typeof op['value'] !== 'string') check.fail(`${where}[${i}].value`, 'must be a string');
      if (op['padTo'] !== undefined && check.integer(op['padTo'], `${where}[${i}].padTo`) > padToMax) check.fail(`${where}[${i}].padTo`, `must be at most ${padToMax} (64 MiB)`);
      if (op['encoding'] === undefined) return;
      check.oneOf(op['encoding'], `${where}[${i}].encoding`, ['hex']);
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(op['value'] as string)) check.fail(`${where}[${i}].value`, 'must be hex digits, two a byte, as its encoding says');
    });
  };
  switch (step['op']) {
    case 'commit':
      check.object(raw, field, ['op', 'batch']);
      batch(step['batch'], `${field}.batch`);
      return;
    case 'concurrent':
      check.object(raw, field, ['op', 'batches']);
      check.array(step['batches'], `${field}.batches`).forEach((b, i) => batch(b, `${field}.batches[${i}]`));
      return;
    case 'get':
      check.object(raw, field, ['op', 'key']);
      if (typeof step['key'] !== 'string') check.fail(`${field}.key`, 'must be a string');
      return;
    case 'crash':
      check.object(raw, field, ['op', 'kind']);
      check.oneOf(step['kind'], `${field}.kind`, ['kill-9', 'power-loss']);
      return;
    case 'checkpoint':
    case 'sync':
    case 'reopen':
      check.object(raw, field, ['op']);
      return;
    case 'overlap':
      check.object(raw, field, ['op', 'ops']);
      check.array(step['ops'], `${field}.ops`).forEach((rawOp, i) => checkOverlapOp(rawOp, `${field}.ops[${i}]`, check, batch));
      return;
    default:
      check.fail(`${field}.op`, `is not a known step (${JSON.stringify(step['op'] ?? null)})`);
  }
}

/** Checks one operation of an `overlap` step. */
function checkOverlapOp(raw: unknown, field: string, check: PlanChecks, batch: (value: unknown, where: string) => void): void {
  const op = check.object(raw, field);
  if (op['afterMs'] !== undefined) check.integer(op['afterMs'], `${field}.afterMs`);
  switch (op['op']) {
    case 'commit':
      check.object(raw, field, ['op', 'batch', 'afterMs']);
      batch(op['batch'], `${field}.batch`);
      return;
    case 'get':
      check.object(raw, field, ['op', 'key', 'afterMs']);
      if (typeof op['key'] !== 'string') check.fail(`${field}.key`, 'must be a string');
      return;
    case 'sync':
    case 'checkpoint':
    case 'close':
      check.object(raw, field, ['op', 'afterMs']);
      return;
    default:
      check.fail(`${field}.op`, `is not an operation an overlap step can issue (${JSON.stringify(op['op'] ?? null)})`);
  }
}
