/**
 * Reads a result folder back: `DIR/summary.json` as written by {@link renderJson}, checked field
 * by field into a {@link CampaignResult}. The check is strict because a merged report is only as
 * good as its inputs: a summary with a missing coverage cell or a digest of the wrong length would
 * merge into totals that silently disagree with the campaign. Derived fields (`totals`, ...) are
 * ignored and recomputed; unknown extra fields are ignored so newer writers stay readable. A
 * violation's optional `step`, `indexInRun` and `runFaultKinds` are read when present (summaries
 * written before they existed lack them; triage then orders a run's violations by step).
 *
 * Every failure is a {@link ReportInputError} whose message is one line starting with the file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { faultKinds, powerLossLooks, type CampaignGate, type CampaignResult, type Coverage, type DeterminismCheck, type FaultKind, type PowerLossLook, type ScenarioSummary, type SubjectInfo, type TraceEvent, type Violation } from '../sim/index.ts';
import { ReportInputError } from './errors.ts';
import { legacySites } from './figures.ts';
import { summarySchema, summarySchemasRead } from './json.ts';

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
  if (!summarySchemasRead.includes(root['schema'] as string)) {
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
      ...(summary['firstFailingSeed'] === undefined ? {} : { firstFailingSeed: field.count(summary['firstFailingSeed'], `${path}.firstFailingSeed`) }),
    };
  }
  const coverageRaw = field.object(root['coverage'], 'coverage');
  const targetsRaw = field.object(root['targets'], 'targets');
  const sites = root['sites'] === undefined ? legacySites : field.array(root['sites'], 'sites').map((site, i) => field.string(site, `sites[${i}]`));
  const coverage: Coverage = {};
  const targets: Record<string, readonly FaultKind[]> = {};
  for (const site of sites) coverage[site] = field.faults(coverageRaw[site], `coverage.${site}`);
  for (const [site, raw] of Object.entries(targetsRaw)) {
    targets[site] = field.array(raw, `targets.${site}`).map((kind, i) => field.faultKind(kind, `targets.${site}[${i}]`));
  }
  const reachable = root['reachable'] === undefined ? undefined : Object.fromEntries(Object.entries(field.object(root['reachable'], 'reachable'))
    .map(([site, raw]) => [site, field.array(raw, `reachable.${site}`).map((kind, i) => field.faultKind(kind, `reachable.${site}[${i}]`))]));
  const digest = field.string(root['digest'], 'digest');
  if (!/^[0-9a-f]{16}$/.test(digest)) field.fail('digest', `must be 16 lowercase hex digits, found ${JSON.stringify(digest)}`);
  const shard = root['shard'] === undefined ? undefined : field.string(root['shard'], 'shard');
  const subject = root['subject'] === undefined ? undefined : field.subject(root['subject'], 'subject');
  const optionalCount = (name: string): Record<string, number> => (root[name] === undefined ? {} : { [name]: field.count(root[name], name) });
  const findings = root['findings'] === undefined ? undefined : field.findings(root['findings'], 'findings');
  const probes = root['probes'] === undefined ? undefined
    : Object.fromEntries(Object.entries(field.object(root['probes'], 'probes')).map(([probe, hits]) => [probe, field.count(hits, `probes.${probe}`)]));
  return {
    ...(subject === undefined ? {} : { subject }),
    scenarios,
    seeds: field.count(root['seeds'], 'seeds'),
    seedStart: field.integer(root['seedStart'], 'seedStart'),
    ...(shard === undefined ? {} : { shard }),
    violations: field.array(root['violations'], 'violations').map((raw, i) => field.violation(raw, `violations[${i}]`)),
    ...optionalCount('violationsOmitted'),
    ...optionalCount('failingSeeds'),
    faults: field.faults(root['faults'], 'faults'),
    sites: [...sites],
    coverage,
    targets,
    ...(reachable === undefined ? {} : { reachable }),
    ...(probes === undefined ? {} : { probes }),
    ...(findings === undefined ? {} : { findings }),
    ...optionalCount('looks'),
    ...optionalCount('looksSkipped'),
    ...optionalCount('refusedUnfaulted'),
    ...optionalCount('processDeaths'),
    ...optionalCount('processDeathSeeds'),
    ...optionalCount('processDeathFirstSeed'),
    ...optionalCount('seedsPerUnit'),
    ...(root['determinism'] === undefined ? {} : { determinism: field.determinism(root['determinism'], 'determinism') }),
    ...(root['gate'] === undefined ? {} : { gate: field.gate(root['gate'], 'gate') }),
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

  determinism(value: unknown, path: string): DeterminismCheck {
    const raw = this.object(value, path);
    const mismatches = this.array(raw['mismatches'], `${path}.mismatches`).map((item, i) => {
      const at = `${path}.mismatches[${i}]`;
      const mismatch = this.object(item, at);
      return {
        scenario: this.string(mismatch['scenario'], `${at}.scenario`), seed: this.integer(mismatch['seed'], `${at}.seed`),
        digest: this.string(mismatch['digest'], `${at}.digest`), rerunDigest: this.string(mismatch['rerunDigest'], `${at}.rerunDigest`),
      };
    });
    return { checked: this.count(raw['checked'], `${path}.checked`), mismatches };
  }

  gate(value: unknown, path: string): CampaignGate {
    const raw = this.object(value, path);
    if (raw['verdict'] !== 'nothing tested' && raw['verdict'] !== 'incomplete') this.fail(`${path}.verdict`, 'must be "nothing tested" or "incomplete"');
    const reasons = this.array(raw['reasons'], `${path}.reasons`).map((reason, i) => this.string(reason, `${path}.reasons[${i}]`));
    return { verdict: raw['verdict'] as CampaignGate['verdict'], reasons };
  }

  subject(value: unknown, path: string): SubjectInfo {
    const raw = this.object(value, path);
    if (raw['kind'] !== 'engine' && raw['kind'] !== 'library') this.fail(`${path}.kind`, 'must be "engine" or "library"');
    const module = raw['module'] === undefined ? undefined : this.string(raw['module'], `${path}.module`);
    const description = raw['description'] === undefined ? undefined : this.string(raw['description'], `${path}.description`);
    return { kind: raw['kind'] as SubjectInfo['kind'], name: this.string(raw['name'], `${path}.name`), ...(module === undefined ? {} : { module }), ...(description === undefined ? {} : { description }) };
  }

  findings(value: unknown, path: string): NonNullable<CampaignResult['findings']> {
    const raw = this.object(value, path);
    const examples = this.array(raw['examples'], `${path}.examples`).map((example, i) => {
      const item = this.object(example, `${path}.examples[${i}]`);
      return { unit: this.string(item['unit'], `${path}.examples[${i}].unit`), seed: this.integer(item['seed'], `${path}.examples[${i}].seed`), message: this.string(item['message'], `${path}.examples[${i}].message`) };
    });
    return { count: this.count(raw['count'], `${path}.count`), examples };
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

  /** A plan step, or -1 for "after the steps". */
  step(value: unknown, path: string): number {
    const n = this.integer(value, path);
    if (n < -1) this.fail(path, 'must be a step (-1 or more)');
    return n;
  }

  faultKindList(value: unknown, path: string): FaultKind[] {
    return this.array(value, path).map((kind, i) => this.faultKind(kind, `${path}[${i}]`));
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
      ...optional('step', this.step),
      ...optional('lsn', this.integer),
      ...optional('key', this.string),
      ...optional('indexInRun', this.count),
      ...optional('runFaultKinds', this.faultKindList),
      ...optional('look', this.look),
      ...trace,
    };
  }

  /**
   * Where a second look found a violation: `{ crash, crashState, io }`, each a count, `rot: {
   * fault, path, at, read?, arg? }` for a look at rot, `beforeStep` (a count) and `why`
   * (`fsync-failed`, `open-unsynced` or `promise-unsynced`) for a look at a power loss between steps.
   */
  look(value: unknown, path: string): NonNullable<Violation['look']> {
    const raw = this.object(value, path);
    const place = {
      crash: this.count(raw['crash'], `${path}.crash`), crashState: this.count(raw['crashState'], `${path}.crashState`), io: this.count(raw['io'], `${path}.io`),
      ...(raw['beforeStep'] === undefined ? {} : { beforeStep: this.count(raw['beforeStep'], `${path}.beforeStep`), why: this.powerLossLook(raw['why'], `${path}.why`) }),
    };
    if (raw['rot'] === undefined) return place;
    const rot = this.object(raw['rot'], `${path}.rot`);
    const fault = rot['fault'];
    if (fault !== 'bit-flip' && fault !== 'sector-damage') this.fail(`${path}.rot.fault`, 'must be bit-flip or sector-damage');
    const count = (key: 'read' | 'arg'): Partial<Record<'read' | 'arg', number>> => (rot[key] === undefined ? {} : { [key]: this.count(rot[key], `${path}.rot.${key}`) });
    return { ...place, rot: { fault, path: this.string(rot['path'], `${path}.rot.path`), at: this.count(rot['at'], `${path}.rot.at`), ...count('read'), ...count('arg') } };
  }

  powerLossLook(value: unknown, path: string): PowerLossLook {
    if (!powerLossLooks.includes(value as PowerLossLook)) this.fail(path, `must be ${powerLossLooks.join(', ')}`);
    return value as PowerLossLook;
  }

  traceEvent(value: unknown, path: string): TraceEvent {
    const raw = this.object(value, path);
    const type = this.string(raw['type'], `${path}.type`);
    if (!traceEventTypes.has(type)) this.fail(`${path}.type`, `must be one of ${[...traceEventTypes].join(', ')}`);
    const phase = raw['phase'];
    if (phase !== undefined && (typeof phase !== 'string' || phase === '')) this.fail(`${path}.phase`, 'must be a non-empty string');
    return {
      seq: this.count(raw['seq'], `${path}.seq`),
      t: this.number(raw['t'], `${path}.t`),
      type: type as TraceEvent['type'],
      ...(phase === undefined ? {} : { phase: phase as string }),
      name: this.string(raw['name'], `${path}.name`),
      ...(raw['path'] === undefined ? {} : { path: this.string(raw['path'], `${path}.path`) }),
      ...(raw['detail'] === undefined ? {} : { detail: this.string(raw['detail'], `${path}.detail`) }),
    };
  }
}
