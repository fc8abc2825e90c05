/**
 * Reads a result folder back: `DIR/summary.json` as written by {@link renderJson}, checked field
 * by field into a {@link CampaignResult}. The check is strict because a merged report is only as
 * good as its inputs: a summary with a missing coverage cell or a digest of the wrong length would
 * merge into totals that silently disagree with the campaign. Derived fields (`totals`, ...) are
 * ignored and recomputed; unknown extra fields are ignored so newer writers stay readable.
 *
 * Every failure is a {@link ReportInputError} whose message is one line starting with the file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CampaignResult, FaultKind, ScenarioSummary, TraceEvent, TracePhase, Violation } from '../sim/types.ts';
import { faultKinds } from '../sim/types.ts';
import { ReportInputError } from './errors.ts';
import { tracePhases } from './figures.ts';
import { summarySchema } from './json.ts';

/** The file a result folder must hold. */
export const summaryFileName = 'summary.json';

const traceEventTypes: ReadonlySet<string> = new Set(['io', 'fault', 'crash', 'restart', 'op', 'check', 'note']);

/**
 * Reads `dir/summary.json`.
 * @param dir - a folder written by `powercut run --report DIR`
 * @returns the campaign result it holds
 * @throws {@link ReportInputError} `SUMMARY_MISSING` if the file cannot be read,
 *   `SUMMARY_MALFORMED` if it is not a valid summary
 */
export async function readResultDir(dir: string): Promise<CampaignResult> {
  const file = join(dir, summaryFileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String((error as Error).message);
    throw new ReportInputError('SUMMARY_MISSING', `${file}: cannot read (${reason}); is ${dir} a powercut --report folder?`);
  }
  return parseSummary(text, file);
}

/**
 * Parses and checks the text of a summary.json.
 * @param text - the file's content
 * @param source - the file's name, for messages
 * @throws {@link ReportInputError} `SUMMARY_MALFORMED`
 */
export function parseSummary(text: string, source: string): CampaignResult {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ReportInputError('SUMMARY_MALFORMED', `${source}: not valid JSON (${(error as Error).message})`);
  }
  const field = new FieldReader(source);
  const root = field.object(document, '(root)');
  if (root['schema'] !== summarySchema) {
    field.fail('schema', `must be "${summarySchema}", found ${JSON.stringify(root['schema'] ?? null)}`);
  }
  const scenarios = field.array(root['scenarios'], 'scenarios').map((name, i) => field.string(name, `scenarios[${i}]`));
  const perScenarioRaw = field.object(root['perScenario'], 'perScenario');
  const perScenario: Record<string, ScenarioSummary> = {};
  for (const [name, raw] of Object.entries(perScenarioRaw)) {
    const path = `perScenario.${name}`;
    const summary = field.object(raw, path);
    perScenario[name] = {
      seeds: field.count(summary['seeds'], `${path}.seeds`),
      violations: field.count(summary['violations'], `${path}.violations`),
      detected: field.count(summary['detected'], `${path}.detected`),
      faults: field.faults(summary['faults'], `${path}.faults`),
      commitsAcknowledged: field.count(summary['commitsAcknowledged'], `${path}.commitsAcknowledged`),
      crashes: field.count(summary['crashes'], `${path}.crashes`),
    };
  }
  const coverageRaw = field.object(root['coverage'], 'coverage');
  const targetsRaw = field.object(root['targets'], 'targets');
  const coverage = {} as Record<TracePhase, Record<FaultKind, number>>;
  const targets = {} as Record<TracePhase, readonly FaultKind[]>;
  for (const phase of tracePhases) {
    coverage[phase] = field.faults(coverageRaw[phase], `coverage.${phase}`);
    targets[phase] = field.array(targetsRaw[phase], `targets.${phase}`).map((kind, i) => field.faultKind(kind, `targets.${phase}[${i}]`));
  }
  const digest = field.string(root['digest'], 'digest');
  if (!/^[0-9a-f]{16}$/.test(digest)) field.fail('digest', `must be 16 lowercase hex digits, found ${JSON.stringify(digest)}`);
  const shard = root['shard'] === undefined ? undefined : field.string(root['shard'], 'shard');
  const targetModule = root['targetModule'] === undefined ? undefined : field.string(root['targetModule'], 'targetModule');
  return {
    scenarios,
    seeds: field.count(root['seeds'], 'seeds'),
    seedStart: field.integer(root['seedStart'], 'seedStart'),
    ...(shard === undefined ? {} : { shard }),
    ...(targetModule === undefined ? {} : { targetModule }),
    violations: field.array(root['violations'], 'violations').map((raw, i) => field.violation(raw, `violations[${i}]`)),
    faults: field.faults(root['faults'], 'faults'),
    coverage,
    targets,
    digest,
    seedsPerSecond: field.number(root['seedsPerSecond'], 'seedsPerSecond'),
    elapsedMs: field.number(root['elapsedMs'], 'elapsedMs'),
    perScenario,
  };
}

/** Type checks that name the offending field in their error. */
class FieldReader {
  constructor(private readonly source: string) {}

  fail(path: string, problem: string): never {
    throw new ReportInputError('SUMMARY_MALFORMED', `${this.source}: field ${path} ${problem}`);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'must be an object');
    return value as Record<string, unknown>;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, 'must be an array');
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, 'must be a string');
    return value;
  }

  number(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) this.fail(path, 'must be a non-negative number');
    return value;
  }

  integer(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(path, 'must be an integer');
    return value;
  }

  count(value: unknown, path: string): number {
    const n = this.integer(value, path);
    if (n < 0) this.fail(path, 'must not be negative');
    return n;
  }

  faultKind(value: unknown, path: string): FaultKind {
    if (typeof value !== 'string' || !(faultKinds as readonly string[]).includes(value)) {
      this.fail(path, `must be one of ${faultKinds.join(', ')}`);
    }
    return value as FaultKind;
  }

  faults(value: unknown, path: string): Record<FaultKind, number> {
    const raw = this.object(value, path);
    const faults = {} as Record<FaultKind, number>;
    for (const kind of faultKinds) faults[kind] = this.count(raw[kind], `${path}.${kind}`);
    return faults;
  }

  violation(value: unknown, path: string): Violation {
    const raw = this.object(value, path);
    const optional = <T>(key: string, read: (v: unknown, p: string) => T): Partial<Record<string, T>> =>
      raw[key] === undefined ? {} : { [key]: read.call(this, raw[key], `${path}.${key}`) };
    const trace = raw['trace'] === undefined
      ? {}
      : { trace: this.array(raw['trace'], `${path}.trace`).map((event, i) => this.traceEvent(event, `${path}.trace[${i}]`)) };
    return {
      scenario: this.string(raw['scenario'], `${path}.scenario`),
      seed: this.integer(raw['seed'], `${path}.seed`),
      invariant: this.string(raw['invariant'], `${path}.invariant`),
      message: this.string(raw['message'], `${path}.message`),
      repro: this.string(raw['repro'], `${path}.repro`),
      ...optional('lsn', this.integer),
      ...optional('key', this.string),
      ...trace,
    };
  }

  traceEvent(value: unknown, path: string): TraceEvent {
    const raw = this.object(value, path);
    const type = this.string(raw['type'], `${path}.type`);
    if (!traceEventTypes.has(type)) this.fail(`${path}.type`, `must be one of ${[...traceEventTypes].join(', ')}`);
    const phase = raw['phase'];
    if (phase !== undefined && !(tracePhases as readonly unknown[]).includes(phase)) {
      this.fail(`${path}.phase`, `must be one of ${tracePhases.join(', ')}`);
    }
    return {
      seq: this.count(raw['seq'], `${path}.seq`),
      t: this.number(raw['t'], `${path}.t`),
      type: type as TraceEvent['type'],
      ...(phase === undefined ? {} : { phase: phase as TracePhase }),
      name: this.string(raw['name'], `${path}.name`),
      ...(raw['path'] === undefined ? {} : { path: this.string(raw['path'], `${path}.path`) }),
      ...(raw['detail'] === undefined ? {} : { detail: this.string(raw['detail'], `${path}.detail`) }),
    };
  }
}
