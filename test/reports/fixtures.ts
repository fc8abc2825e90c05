/**
 * Campaign results for the report tests, shaped like real campaigns: three scenarios, two
 * violations whose shrunk traces (~30 events each) go through operations, I/O, an injected fault,
 * a crash, a restart, recovery and the check that failed; coverage with targeted cells, two of
 * them never hit. Also an all-green result and a builder that aggregates per-run records, used to
 * produce both an unsharded campaign and its shards independently of the merge code under test.
 */
import type { CampaignResult, FaultKind, TraceEvent, TracePhase, Violation } from '../../sim/types.ts';
import { faultKinds } from '../../sim/types.ts';
import { legacySites } from '../../reports/figures.ts';

type EventSpec = [t: number, type: TraceEvent['type'], phase: TracePhase | undefined, name: string, path?: string, detail?: string];

function trace(specs: readonly EventSpec[]): TraceEvent[] {
  return specs.map(([t, type, phase, name, path, detail], seq) => ({
    seq, t, type, name,
    ...(phase === undefined ? {} : { phase }),
    ...(path === undefined ? {} : { path }),
    ...(detail === undefined ? {} : { detail }),
  }));
}

const seg = 'db/wal/000003.log';

/** An fsync error swallowed in group commit, then power loss: an acknowledged commit is lost. */
export const durabilityViolation: Violation = {
  scenario: 'wal-power-loss',
  seed: 1337,
  invariant: 'durability',
  message: 'commit lsn 7 (put user:42) was acknowledged but is missing after recovery; recovered up to lsn 6',
  repro: 'npx powercut run --scenario wal-power-loss --seed 1337 --shrink',
  lsn: 7,
  key: 'user:42',
  trace: trace([
    [0, 'op', 'wal.append', 'commit', undefined, 'begin lsn=5 put user:40'],
    [0, 'io', 'wal.append', 'write', seg, 'off=4096 len=61'],
    [1, 'io', 'wal.sync', 'datasync', seg],
    [1, 'op', 'wal.append', 'commit', undefined, 'ack lsn=5'],
    [2, 'op', 'wal.append', 'commit', undefined, 'begin lsn=6 put user:41'],
    [2, 'io', 'wal.append', 'write', seg, 'off=4157 len=61'],
    [3, 'io', 'wal.sync', 'datasync', seg],
    [3, 'op', 'wal.append', 'commit', undefined, 'ack lsn=6'],
    [4, 'op', 'wal.append', 'commit', undefined, 'begin lsn=7 put user:42'],
    [4, 'io', 'wal.append', 'write', seg, 'off=4218 len=61'],
    [5, 'op', 'wal.append', 'commit', undefined, 'begin lsn=8 put user:43'],
    [5, 'io', 'wal.append', 'write', seg, 'off=4279 len=61'],
    [6, 'fault', 'wal.sync', 'fsync-error', seg, 'EIO on datasync (injected); pages stay dirty'],
    [6, 'io', 'wal.sync', 'datasync', seg, 'EIO'],
    [6, 'op', 'wal.append', 'commit', undefined, 'ack lsn=7 (group of 2)'],
    [6, 'op', 'wal.append', 'commit', undefined, 'ack lsn=8 (group of 2)'],
    [7, 'op', 'wal.append', 'commit', undefined, 'begin lsn=9 put user:44'],
    [7, 'io', 'wal.append', 'write', seg, 'off=4340 len=61'],
    [8, 'crash', 'wal.append', 'power-loss', undefined, 'unsynced pages of 000003.log dropped from off=4218'],
    [8, 'restart', undefined, 'restart', undefined, 'disk state fixed: 2 files, 1 torn page'],
    [9, 'io', 'recovery', 'readdir', 'db/wal'],
    [9, 'io', 'recovery', 'open', 'db/MANIFEST'],
    [9, 'io', 'recovery', 'read', 'db/MANIFEST', 'off=0 len=128'],
    [10, 'io', 'recovery', 'open', seg],
    [10, 'io', 'recovery', 'read', seg, 'off=0 len=4218'],
    [11, 'io', 'recovery', 'truncate', seg, 'to 4218 (torn tail of 0 bytes)'],
    [11, 'note', 'recovery', 'replay', undefined, 'recordsApplied=6 lastLsn=6'],
    [12, 'check', undefined, 'prefix', undefined, 'ok: recovered state is the prefix up to lsn 6'],
    [12, 'check', undefined, 'no-resurrection', undefined, 'ok'],
    [12, 'check', undefined, 'durability', undefined, 'FAILED: lsn 7 acknowledged, recovered only up to lsn 6'],
  ]),
};

/** A deleted key comes back: the checkpoint's manifest rename was not made durable before prune. */
export const resurrectionViolation: Violation = {
  scenario: 'checkpoint-rotate',
  seed: 90210,
  invariant: 'no-resurrection',
  message: 'key session:9 deleted at lsn 12 is present after recovery with the value from lsn 4',
  repro: 'npx powercut run --scenario checkpoint-rotate --seed 90210 --shrink',
  lsn: 12,
  key: 'session:9',
  trace: trace([
    [20, 'op', 'wal.append', 'commit', undefined, 'begin lsn=12 delete session:9'],
    [20, 'io', 'wal.append', 'write', 'db/wal/000007.log', 'off=880 len=29'],
    [21, 'io', 'wal.sync', 'datasync', 'db/wal/000007.log'],
    [21, 'op', 'wal.append', 'commit', undefined, 'ack lsn=12'],
    [22, 'op', 'checkpoint', 'checkpoint', undefined, 'begin at lsn 12'],
    [22, 'io', 'checkpoint', 'open', 'db/snap-12.tmp', 'create'],
    [23, 'io', 'checkpoint', 'write', 'db/snap-12.tmp', 'off=0 len=2048'],
    [24, 'io', 'checkpoint', 'sync', 'db/snap-12.tmp'],
    [24, 'io', 'checkpoint', 'rename', 'db/snap-12.tmp', '-> db/snap-12'],
    [25, 'io', 'manifest', 'write', 'db/MANIFEST.tmp', 'off=0 len=96 snapshot=snap-12'],
    [25, 'io', 'manifest', 'sync', 'db/MANIFEST.tmp'],
    [26, 'io', 'manifest', 'rename', 'db/MANIFEST.tmp', '-> db/MANIFEST'],
    [27, 'io', 'segment.rotate', 'open', 'db/wal/000008.log', 'create'],
    [27, 'io', 'sidecar.rewrite', 'write', 'db/wal/000007.idx', 'off=0 len=64'],
    [28, 'io', 'prune', 'unlink', 'db/snap-4'],
    [28, 'io', 'prune', 'unlink', 'db/wal/000007.log'],
    [29, 'fault', 'prune', 'kill-9', undefined, 'process killed before directory sync (injected)'],
    [29, 'crash', 'prune', 'kill-9', undefined, 'directory entries not synced: rename of MANIFEST lost'],
    [29, 'restart', undefined, 'restart', undefined, 'db/MANIFEST points at snap-4; 000007.log unlinked'],
    [30, 'io', 'recovery', 'open', 'db/MANIFEST'],
    [30, 'io', 'recovery', 'read', 'db/MANIFEST', 'off=0 len=96 snapshot=snap-4'],
    [30, 'io', 'recovery', 'open', 'db/snap-4', 'ENOENT'],
    [31, 'io', 'recovery', 'readdir', 'db'],
    [31, 'io', 'recovery', 'open', 'db/snap-12'],
    [31, 'io', 'recovery', 'read', 'db/snap-12', 'off=0 len=2048'],
    [32, 'note', 'recovery', 'fallback', undefined, 'manifest snapshot missing; used newest snapshot on disk'],
    [32, 'io', 'recovery', 'open', 'db/wal/000008.log'],
    [33, 'check', undefined, 'prefix', undefined, 'ok'],
    [33, 'check', undefined, 'no-resurrection', undefined, 'FAILED: session:9 present (value from lsn 4)'],
  ]),
};

function faults(values: Partial<Record<FaultKind, number>>): Record<FaultKind, number> {
  return Object.fromEntries(faultKinds.map((kind) => [kind, values[kind] ?? 0])) as Record<FaultKind, number>;
}

function coverage(values: Partial<Record<string, Partial<Record<FaultKind, number>>>>): Record<string, Record<FaultKind, number>> {
  return Object.fromEntries(legacySites.map((phase) => [phase, faults(values[phase] ?? {})])) as Record<string, Record<FaultKind, number>>;
}

function targets(values: Partial<Record<string, FaultKind[]>>): Record<string, readonly FaultKind[]> {
  return Object.fromEntries(legacySites.map((phase) => [phase, values[phase] ?? []])) as unknown as Record<string, readonly FaultKind[]>;
}

const failingCoverage = coverage({
  'wal.append': { 'kill-9': 1410, 'power-loss': 1388, 'disk-full': 212, 'bit-flip': 3 },
  'wal.sync': { 'kill-9': 402, 'power-loss': 397, 'fsync-error': 188 },
  'sidecar.rewrite': { 'kill-9': 61, 'power-loss': 58, 'disk-full': 7 },
  'segment.rotate': { 'kill-9': 44, 'power-loss': 40, 'disk-full': 5 },
  checkpoint: { 'kill-9': 120, 'power-loss': 117, 'disk-full': 31, 'fsync-error': 12 },
  prune: { 'kill-9': 33, 'power-loss': 29 },
  manifest: { 'kill-9': 38, 'power-loss': 36, 'fsync-error': 9 },
  recovery: { 'read-error': 96, 'bit-flip': 141, 'kill-9': 22 },
  other: { 'kill-9': 4 },
});

/** Targeted cells; `sidecar.rewrite x bit-flip` and `manifest x disk-full` are never hit. */
const failingTargets = targets({
  'wal.append': ['kill-9', 'power-loss', 'disk-full'],
  'wal.sync': ['kill-9', 'power-loss', 'fsync-error'],
  'sidecar.rewrite': ['power-loss', 'bit-flip'],
  'segment.rotate': ['power-loss'],
  checkpoint: ['kill-9', 'power-loss', 'fsync-error'],
  prune: ['kill-9'],
  manifest: ['power-loss', 'disk-full'],
  recovery: ['read-error', 'bit-flip'],
});

function sumCoverage(cov: Record<string, Record<FaultKind, number>>): Record<FaultKind, number> {
  return faults(Object.fromEntries(faultKinds.map((kind) => [kind, legacySites.reduce((sum: number, phase: string) => sum + cov[phase]![kind], 0)])));
}

/** A campaign that found two violations and left two targeted cells untested. */
export const failingResult: CampaignResult = {
  scenarios: ['wal-power-loss', 'checkpoint-rotate', 'disk-full-append'],
  seeds: 3000,
  seedStart: 0,
  violations: [resurrectionViolation, durabilityViolation],
  faults: sumCoverage(failingCoverage),
  sites: [...legacySites],
  coverage: failingCoverage,
  targets: failingTargets,
  digest: '9f3c2a71e04b5d18',
  seedsPerSecond: 212.7,
  elapsedMs: 14_104,
  perScenario: {
    'wal-power-loss': { seeds: 1000, violations: 1, detected: 14, faults: faults({ 'kill-9': 1100, 'power-loss': 1210, 'fsync-error': 190, 'read-error': 40, 'bit-flip': 70 }), commitsAcknowledged: 48_211, crashes: 2310 },
    'checkpoint-rotate': { seeds: 1000, violations: 1, detected: 9, faults: faults({ 'kill-9': 900, 'power-loss': 748, 'fsync-error': 19, 'disk-full': 80, 'read-error': 56, 'bit-flip': 74 }), commitsAcknowledged: 39_087, crashes: 1648 },
    'disk-full-append': { seeds: 1000, violations: 0, detected: 2, faults: faults({ 'kill-9': 134, 'power-loss': 107, 'disk-full': 175 }), commitsAcknowledged: 51_920, crashes: 241 },
  },
};

/** The same kind of campaign with nothing wrong and every targeted cell hit. */
export const greenResult: CampaignResult = {
  ...failingResult,
  violations: [],
  targets: targets({ 'wal.append': ['kill-9', 'power-loss'], 'wal.sync': ['fsync-error'], recovery: ['read-error'] }),
  digest: '0000000000000abc',
  perScenario: Object.fromEntries(Object.entries(failingResult.perScenario).map(([name, s]) => [name, { ...s, violations: 0 }])),
};

/** Strings that break naive escaping in XML, HTML and Markdown. */
export const hostileText = 'a<b>&c "q" \'s\' ]]> <script>alert(1)</script> `tick` | pipe \u0001\u0007\u001b[31m end';

/** A failing result whose violation carries {@link hostileText} everywhere it can. */
export const hostileResult: CampaignResult = {
  ...failingResult,
  scenarios: [...failingResult.scenarios],
  violations: [{
    ...durabilityViolation,
    message: hostileText,
    key: hostileText,
    repro: `npx powercut run --scenario wal-power-loss --seed 1337 --key '${hostileText}'`,
    invariant: 'durability<&>',
    trace: (durabilityViolation.trace ?? []).map((event) => ({ ...event, detail: `${event.detail ?? ''} ${hostileText}` })),
  }],
};
