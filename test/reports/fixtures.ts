/**
 * Campaign results for the report tests, written to be what powercut really produces, so that a
 * report that reads well here reads well on a real campaign:
 * - the reference engine's scenario names, phases and targeted cells (fixtures.test.ts checks
 *   them against the code);
 * - repro lines as harness/repro.ts prints them (`npx powercut repro --scenario S --seed N`);
 * - messages in the checkers' words, and traces in the simulator's event shapes, copied from
 *   real runs of test/fixtures/engines/drops-every-second-commit.ts: an I/O event's detail is
 *   `@offset len=n ok`, a fault and a crash name their kind with `io=N`, a restart is named
 *   after the crash with its crash state, and a failed check is a `check` event named after the
 *   invariant with the violation's message as its detail.
 * The numbers (coverage, seeds per second) are made up but add up: the per-scenario fault counts
 * sum to the campaign's.
 *
 * For a failing campaign with many violations, real-campaign.ts runs a real one.
 */
import { commandLine, invocationDefault } from '../../harness/repro.ts';
import type { CampaignResult, FaultKind, TraceEvent, TracePhase, Violation } from '../../sim/types.ts';
import { faultKinds } from '../../sim/types.ts';
import { legacySites } from '../../reports/figures.ts';

type EventSpec = [t: number, type: TraceEvent['type'], phase: TracePhase | undefined, name: string, path?: string, detail?: string];

function trace(specs: readonly EventSpec[], firstSeq = 0): TraceEvent[] {
  return specs.map(([t, type, phase, name, path, detail], i) => ({
    seq: firstSeq + i, t, type, name,
    ...(phase === undefined ? {} : { phase }),
    ...(path === undefined ? {} : { path }),
    ...(detail === undefined ? {} : { detail }),
  }));
}

/** The repro line `powercut run` prints for a seed of the reference engine, run through npx. */
export function reproLine(scenario: string, seed: number): string {
  return commandLine(invocationDefault, ['repro', '--scenario', scenario, '--seed', String(seed)]);
}

const wal = '/db/00000000000000000001.wal';
const durabilityMessage = 'commit #7, acknowledged, is missing: key k4 should be 0x6b344031302e302e… (40 bytes) but is absent';

/** Events of wal-append seed 1337 up to the failed durability check: commit #7 was acknowledged but never written, then power was lost. */
const durabilityTrace = trace([
  [3, 'op', 'wal.sync', 'commit'],
  [3, 'io', 'wal.append', 'write', wal, '@944 len=216 ok'],
  [4, 'io', 'wal.sync', 'datasync', wal, 'ok'],
  [4, 'op', 'wal.sync', 'sync'],
  [5, 'op', 'wal.sync', 'commit'],
  [5, 'io', 'wal.append', 'write', wal, '@1160 len=152 ok'],
  [6, 'io', 'wal.sync', 'datasync', wal, 'ok'],
  [6, 'op', 'wal.sync', 'get'],
  [7, 'op', 'wal.sync', 'commit'],
  [8, 'op', 'wal.sync', 'commit'],
  [8, 'io', 'wal.append', 'write', wal, '@1312 len=128 ok'],
  [9, 'fault', 'wal.sync', 'power-loss', wal, 'io=31'],
  [9, 'io', 'wal.sync', 'datasync', wal, 'crash'],
  [9, 'crash', 'wal.sync', 'power-loss', wal, 'io=32'],
  [9, 'restart', undefined, 'power-loss', undefined, 'crashState=1'],
  [10, 'op', 'other', 'open', undefined, 'attempt 0'],
  [10, 'io', 'recovery', 'mkdir', '/db', 'ok'],
  [10, 'io', 'recovery', 'readdir', '/db', 'ok'],
  [10, 'io', 'recovery', 'open', '/db/MANIFEST', 'ok'],
  [10, 'io', 'recovery', 'read', '/db/MANIFEST', '@0 len=105 ok'],
  [11, 'io', 'recovery', 'open', wal, 'ok'],
  [11, 'io', 'recovery', 'read', wal, '@0 len=1440 ok'],
  [11, 'io', 'recovery', 'truncate', wal, '@1312 ok'],
  [11, 'io', 'recovery', 'datasync', wal, 'ok'],
  [12, 'io', 'recovery', 'syncDir', '/db', 'ok'],
  [12, 'check', 'recovery', 'recovered', undefined, 'prefix 6, 6 keys'],
  [12, 'check', 'recovery', 'durability', undefined, durabilityMessage],
], 40);

/** wal-append seed 1337: its first violation, the root cause of the run. */
export const durabilityViolation: Violation = {
  scenario: 'wal-append',
  seed: 1337,
  invariant: 'durability',
  message: durabilityMessage,
  repro: reproLine('wal-append', 1337),
  step: 11,
  lsn: 7,
  key: 'k4',
  indexInRun: 0,
  runFaultKinds: ['power-loss'],
  trace: durabilityTrace,
};

const holeMessage = 'hole: commit #7 is missing (key k4 should be 0x6b344031302e302e… (40 bytes) but is absent) while the later commit #8 is present (key k2)';

/** The same run's next complaint about the same lost commit: a follow-on. */
export const holeFollowOn: Violation = {
  ...durabilityViolation,
  invariant: 'prefix',
  message: holeMessage,
  indexInRun: 1,
  trace: [...durabilityTrace, { seq: 67, t: 12, type: 'check', phase: 'recovery', name: 'prefix', detail: holeMessage }],
};

const resurrectionMessage = 'key k0 was deleted by commit #14, acknowledged, but came back as 0x6b304031382e302e… (82 bytes)';

/** checkpoint-prune seed 90210: a deleted key is back after a kill -9 during pruning. */
export const resurrectionViolation: Violation = {
  scenario: 'checkpoint-prune',
  seed: 90210,
  invariant: 'no-resurrection',
  message: resurrectionMessage,
  repro: reproLine('checkpoint-prune', 90210),
  step: 19,
  lsn: 14,
  key: 'k0',
  indexInRun: 0,
  runFaultKinds: ['kill-9'],
  trace: trace([
    [20, 'op', 'wal.sync', 'commit'],
    [20, 'io', 'wal.append', 'write', wal, '@880 len=29 ok'],
    [21, 'io', 'wal.sync', 'datasync', wal, 'ok'],
    [22, 'op', 'checkpoint', 'checkpoint'],
    [22, 'io', 'checkpoint', 'open', '/db/snapshot-14.tmp', 'ok'],
    [23, 'io', 'checkpoint', 'write', '/db/snapshot-14.tmp', '@0 len=2048 ok'],
    [24, 'io', 'checkpoint', 'sync', '/db/snapshot-14.tmp', 'ok'],
    [24, 'io', 'checkpoint', 'rename', '/db/snapshot-14.tmp -> /db/snapshot-14', 'ok'],
    [25, 'io', 'manifest', 'open', '/db/MANIFEST.tmp', 'ok'],
    [25, 'io', 'manifest', 'write', '/db/MANIFEST.tmp', '@0 len=105 ok'],
    [25, 'io', 'manifest', 'sync', '/db/MANIFEST.tmp', 'ok'],
    [26, 'io', 'manifest', 'rename', '/db/MANIFEST.tmp -> /db/MANIFEST', 'ok'],
    [27, 'io', 'segment.rotate', 'open', '/db/00000000000000000002.wal', 'ok'],
    [27, 'io', 'sidecar.rewrite', 'write', '/db/00000000000000000001.wal.idx', '@0 len=64 ok'],
    [28, 'io', 'prune', 'unlink', '/db/snapshot-4', 'ok'],
    [28, 'io', 'prune', 'unlink', wal, 'ok'],
    [29, 'fault', 'prune', 'kill-9', '/db', 'io=106'],
    [29, 'crash', 'prune', 'kill-9', '/db', 'io=107'],
    [29, 'restart', undefined, 'kill-9'],
    [30, 'op', 'other', 'open', undefined, 'attempt 0'],
    [30, 'io', 'recovery', 'readdir', '/db', 'ok'],
    [30, 'io', 'recovery', 'open', '/db/MANIFEST', 'ok'],
    [30, 'io', 'recovery', 'read', '/db/MANIFEST', '@0 len=105 ok'],
    [31, 'io', 'recovery', 'open', '/db/snapshot-14', 'ok'],
    [31, 'io', 'recovery', 'read', '/db/snapshot-14', '@0 len=2048 ok'],
    [32, 'io', 'recovery', 'open', '/db/00000000000000000002.wal', 'ok'],
    [33, 'check', 'recovery', 'recovered', undefined, 'prefix 12, 9 keys'],
    [33, 'check', 'recovery', 'no-resurrection', undefined, resurrectionMessage],
  ], 200),
};

function faults(values: Partial<Record<FaultKind, number>>): Record<FaultKind, number> {
  return Object.fromEntries(faultKinds.map((kind) => [kind, values[kind] ?? 0])) as Record<FaultKind, number>;
}

type SiteCounts = Partial<Record<string, Partial<Record<FaultKind, number>>>>;

function coverage(values: SiteCounts): Record<string, Record<FaultKind, number>> {
  return Object.fromEntries(legacySites.map((site) => [site, faults(values[site] ?? {})])) as Record<string, Record<FaultKind, number>>;
}

function sumOver(...parts: readonly Record<string, Record<FaultKind, number>>[]): Record<string, Record<FaultKind, number>> {
  return Object.fromEntries(legacySites.map((site) => [site, faults(Object.fromEntries(faultKinds.map((kind) =>
    [kind, parts.reduce((sum, part) => sum + (part[site]?.[kind] ?? 0), 0)])))]));
}

function totalOf(cov: Record<string, Record<FaultKind, number>>): Record<FaultKind, number> {
  return faults(Object.fromEntries(faultKinds.map((kind) => [kind, legacySites.reduce((sum, site) => sum + (cov[site]?.[kind] ?? 0), 0)])));
}

/** The faults each scenario injected, by site: each stays in the cells its scenario aims at, plus some kill -9 and power loss elsewhere. */
const byScenario = {
  'wal-append': coverage({
    'wal.append': { 'kill-9': 1410, 'power-loss': 1388 }, 'wal.sync': { 'kill-9': 402, 'power-loss': 397 },
    recovery: { 'kill-9': 22 }, other: { 'kill-9': 4 },
  }),
  'checkpoint-prune': coverage({
    checkpoint: { 'kill-9': 120, 'power-loss': 117 }, manifest: { 'kill-9': 38, 'power-loss': 36 }, prune: { 'kill-9': 33 },
    'sidecar.rewrite': { 'kill-9': 61, 'power-loss': 58 }, 'segment.rotate': { 'kill-9': 44, 'power-loss': 40 },
  }),
  'disk-full': coverage({
    'wal.append': { 'disk-full': 212, 'kill-9': 13 }, 'segment.rotate': { 'disk-full': 5 }, checkpoint: { 'disk-full': 31 },
  }),
};
const failingCoverage = sumOver(byScenario['wal-append'], byScenario['checkpoint-prune'], byScenario['disk-full']);

/**
 * The cells the three scenarios target (`npx powercut list`), per site in fault-kind order;
 * fixtures.test.ts checks them against the scenarios. `sidecar.rewrite x disk-full` and
 * `prune x power-loss` are never hit in this campaign.
 */
export const failingTargets: Record<string, readonly FaultKind[]> = {
  'wal.append': ['kill-9', 'power-loss', 'disk-full'],
  'wal.sync': ['kill-9', 'power-loss'],
  'sidecar.rewrite': ['disk-full'],
  'segment.rotate': ['disk-full'],
  checkpoint: ['kill-9', 'power-loss', 'disk-full'],
  prune: ['kill-9', 'power-loss'],
  manifest: ['kill-9', 'power-loss'],
  recovery: [],
  other: [],
};

/** A campaign of the reference engine in which two runs failed, one with a follow-on complaint, and two targeted cells were never hit. */
export const failingResult: CampaignResult = {
  subject: { kind: 'engine', name: 'powercut-reference' },
  scenarios: ['wal-append', 'checkpoint-prune', 'disk-full'],
  seeds: 3000,
  seedStart: 0,
  violations: [resurrectionViolation, durabilityViolation, holeFollowOn],
  failingSeeds: 2,
  faults: totalOf(failingCoverage),
  sites: [...legacySites],
  coverage: failingCoverage,
  targets: failingTargets,
  digest: '9f3c2a71e04b5d18',
  seedsPerSecond: 212.7,
  elapsedMs: 14_104,
  perScenario: {
    'wal-append': { seeds: 1000, violations: 2, detected: 14, faults: totalOf(byScenario['wal-append']), commitsAcknowledged: 48_211, crashes: 2310 },
    'checkpoint-prune': { seeds: 1000, violations: 1, detected: 9, faults: totalOf(byScenario['checkpoint-prune']), commitsAcknowledged: 39_087, crashes: 1648 },
    'disk-full': { seeds: 1000, violations: 0, detected: 2, faults: totalOf(byScenario['disk-full']), commitsAcknowledged: 51_920, crashes: 241 },
  },
};

/** What a green campaign injected besides: the two cells the failing one missed. */
const greenExtra = {
  'checkpoint-prune': coverage({ prune: { 'power-loss': 29 } }),
  'disk-full': coverage({ 'sidecar.rewrite': { 'disk-full': 7 } }),
};
const greenCoverage = sumOver(failingCoverage, greenExtra['checkpoint-prune'], greenExtra['disk-full']);

/** The same kind of campaign with nothing wrong, every targeted cell hit. */
export const greenResult: CampaignResult = {
  ...failingResult,
  violations: [],
  failingSeeds: 0,
  faults: totalOf(greenCoverage),
  coverage: greenCoverage,
  digest: '0000000000000abc',
  perScenario: {
    'wal-append': { ...failingResult.perScenario['wal-append']!, violations: 0 },
    'checkpoint-prune': { ...failingResult.perScenario['checkpoint-prune']!, violations: 0, faults: totalOf(sumOver(byScenario['checkpoint-prune'], greenExtra['checkpoint-prune'])) },
    'disk-full': { ...failingResult.perScenario['disk-full']!, violations: 0, faults: totalOf(sumOver(byScenario['disk-full'], greenExtra['disk-full'])) },
  },
};

/** Strings that break naive escaping in XML, HTML and Markdown. */
export const hostileText = 'a<b>&c "q" \'s\' ]]> <script>alert(1)</script> `tick` | pipe \u0001\u0007\u001b[31m end';

/**
 * A failing result whose violation carries {@link hostileText} everywhere it can: an engine
 * module named so (which the repro line quotes, as repro.ts does), and an engine whose messages,
 * keys, invariant names and trace details say so.
 */
export const hostileResult: CampaignResult = {
  ...failingResult,
  subject: { kind: 'engine', name: hostileText, module: hostileText },
  violations: [{
    ...durabilityViolation,
    message: hostileText,
    key: hostileText,
    repro: commandLine(invocationDefault, ['repro', '--engine', hostileText, '--scenario', 'wal-append', '--seed', '1337']),
    invariant: 'durability<&>',
    trace: durabilityTrace.map((event) => ({ ...event, detail: `${event.detail ?? ''} ${hostileText}` })),
  }],
  failingSeeds: 1,
};
