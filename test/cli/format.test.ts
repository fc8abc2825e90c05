/**
 * The text the CLI prints at the end of a campaign and after one run: a failing campaign by root
 * cause, and the trace around the check that found a run's first violation.
 */
import { describe, expect, it } from 'vitest';
import { campaignSummary, earlierFaultsShown, fewAcknowledgedNote, journalOrderNote, runSummary, shapeHeadings, shrinkDriftNote, traceExcerpt } from '../../cli/format.ts';
import { crashesShown } from '../../cli/commands/explore.ts';
import { crashStatesText } from '../../cli/commands/shrink.ts';
import { seedRate } from '../../cli/progress.ts';
import { commandLine, invocationDefault } from '../../harness/repro.ts';
import type { RunResult } from '../../sim/run-result.ts';
import type { CampaignResult, TraceEvent, Violation } from '../../sim/types.ts';
import { greenResult } from '../reports/fixtures.ts';
import { corpusUnit } from '../../reports/figures.ts';

const repro = (scenario: string, seed: number): string => commandLine(invocationDefault, ['repro', '--scenario', scenario, '--seed', String(seed)]);

function violation(scenario: string, seed: number, invariant: string, message: string, indexInRun = 0): Violation {
  return { scenario, seed, invariant, message, repro: repro(scenario, seed), step: 3, indexInRun };
}

/** 14 failing seeds of 50: 12 lose a commit (and then complain twice more), 2 refuse their own index. */
const failing: CampaignResult = {
  ...greenResult,
  seeds: 50,
  failingSeeds: 14,
  violations: [
    ...Array.from({ length: 12 }, (_, i) => [
      violation('wal-append', i + 1, 'durability', `commit #${i}, acknowledged, is missing: key k${i} should be 0x6b${i}… (${i + 3} bytes) but is absent`),
      violation('wal-append', i + 1, 'prefix', `hole: commit #${i} is missing while the later commit #${i + 2} is present`, 1),
      violation('wal-append', i + 1, 'reads', `get(k${i}) returned absent`, 2),
    ]).flat(),
    violation('checkpoint-prune', 4, 'false-corruption', 'open refused with "/db/index.json does not parse" although no fault damaged durable data (no bit flip, damaged sector, misdirected write or lost name): either that check is wrong, or the engine\'s own writes left what it refuses (data relied on before it was synced, or after a write or fsync failed)'),
    violation('checkpoint-prune', 9, 'false-corruption', 'open refused with "/db/index.json does not parse" although no fault damaged durable data (no bit flip, damaged sector, misdirected write or lost name): either that check is wrong, or the engine\'s own writes left what it refuses (data relied on before it was synced, or after a write or fsync failed)'),
  ],
};

describe('campaignSummary of a failing campaign', () => {
  const lines = campaignSummary(failing, { reportDir: 'out' });

  it('says how many promises the checks held the code to: commits acknowledged, and how many a seed', () => {
    const acked = Object.values(failing.perScenario).reduce((sum, unit) => sum + unit.commitsAcknowledged, 0);
    expect(acked).toBeGreaterThan(0);
    expect(lines).toContain(`acknowledged: ${acked} commits, ${(acked / 50).toFixed(1)} a seed`);
    const library = campaignSummary({ ...failing, subject: { kind: 'library', name: 'log' } });
    expect(library).toContain(`acknowledged: ${acked} operations, ${(acked / 50).toFixed(1)} a seed`);
  });

  it('says how many seeds failed and how many root causes they come to', () => {
    expect(lines).toContain('violations: 14 of 50 seeds failed, 38 violations; 2 root causes (each run\'s first violation; 24 follow-on complaints folded under it)');
  });

  it('gives one entry per root cause, largest first, with its first seed\'s own message (the shape masks it) and repro', () => {
    const at = lines.findIndex((line) => line.includes('[durability]'));
    expect(lines[at]).toBe('  12 seeds  [durability] commit #N, acknowledged, is missing: key kN should be 0x… (N bytes) but is absent  (wal-append)');
    // The first seed's message and the repro line start under the invariant.
    expect(lines[at + 1]).toBe('            seed 1: commit #0, acknowledged, is missing: key k0 should be 0x6b0… (3 bytes) but is absent');
    expect(lines[at + 2]).toBe(`            repro: ${repro('wal-append', 1)}`);
    expect(lines[at + 3]).toContain('2 seeds  [false-corruption]');
    expect(lines[at + 5]).toContain(repro('checkpoint-prune', 4));
    expect(lines.filter((line) => line.includes('[prefix]') || line.includes('[reads]'))).toEqual([]);
  });

  it('gives the advice a power loss adds to a library\'s messages once, below the root causes it follows, not in each', () => {
    const hint = (file: string): string => `; the power loss before it left ${file} reading bytes nothing wrote past the size it had on disk (an unsynced append whose size survived without its data, or tore into garbage), as POSIX, XFS and ext4 with data=writeback allow: trust only bytes a checksum or an fsynced length vouches for, or, if the library promises only what ext4's default data=ordered keeps, say so with the workload's faults: { dataOrder: 'ordered' }`;
    const hinted: CampaignResult = {
      ...greenResult,
      seeds: 10,
      failingSeeds: 3,
      violations: [
        violation('log', 2, 'acked', `line 4 is unreadable${hint('/app/app.log')} (after power-loss during operation 3, crash state 1)`),
        violation('log', 5, 'acked', `line 9 is unreadable${hint('/app/app.1.log')} (after power-loss during operation 7, crash state 2)`),
        violation('log', 7, 'torn', `store holds {"a":"1","b":"2"}, expected {"a":"1"}${hint('/app/store.json')} (after power-loss during operation 1, crash state 0)`),
      ],
    };
    const out = campaignSummary(hinted, {});
    expect(out.filter((line) => line.includes('trust only bytes a checksum'))).toEqual([
      '  (+) 2 root causes above followed a power loss that, in seed 2, left /app/app.log reading bytes nothing wrote past the size it had on disk (an unsynced append whose size survived without its data, or tore into garbage), as POSIX, XFS and ext4 with data=writeback allow: trust only bytes a checksum or an fsynced length vouches for, or, if the library promises only what ext4\'s default data=ordered keeps, say so with the workload\'s faults: { dataOrder: \'ordered\' }',
    ]);
    expect(out).toContain('  2 seeds  [acked] line N is unreadable (after power-loss) (+)  (log)');
    expect(out).toContain('  1 seed   [torn] store holds {…}, expected {…} (after power-loss) (+)  (log)');
    expect(out).toContain('           seed 7: store holds {"a":"1","b":"2"}, expected {"a":"1"} (after power-loss during operation 1, crash state 0)');
    // The corpus's runs are its plans, each with a seed of its own: the advice names the plan.
    const corpus = campaignSummary({ ...hinted, violations: hinted.violations.map((v) => ({ ...v, scenario: corpusUnit })) }, {});
    expect(corpus.filter((line) => line.includes('trust only bytes a checksum'))[0]).toMatch(/^  \(\+\) 2 root causes above followed a power loss that, in plan 2, left/);
  });

  it('counts the runs with a second root, the first on their own path after a second look\'s, and the seeds once', () => {
    const look = { crash: 0, crashState: 9, io: 30 };
    const split: CampaignResult = {
      ...greenResult,
      seeds: 10,
      failingSeeds: 1,
      violations: [
        { ...violation('writer', 21, 'durable-power-loss', 'crash 1 (a power loss) settled on crash state 9 instead of 0: version 1 < acknowledged 2', 0), look },
        violation('writer', 21, 'whole', 'doc.json is torn (after kill-9 during operation 4)', 1),
      ],
    };
    const summary = campaignSummary(split, {});
    expect(summary.find((line) => line.startsWith('violations:'))).toBe('violations: 1 of 10 seeds failed, 2 violations; 2 root causes (each run\'s first violation, and in 1 run the first on its own path after a second look\'s; 0 follow-on complaints folded under it)');
  });

  it('names an error thrown only after a run\'s first violation (a workload\'s check that threw), which no root cause shows', () => {
    const threw = 'TypeError: Cannot read properties of undefined (reading \'n\')';
    const later: CampaignResult = { ...failing, violations: [...failing.violations, violation('wal-append', 3, 'invariants-threw', threw, 3), violation('wal-append', 5, 'invariants-threw', threw, 3)] };
    const summary = campaignSummary(later, {});
    expect(summary).toContain(`  also thrown, only after a run's first violation: [invariants-threw] in 2 seeds, e.g. ${threw}`);
    // Complaints that follow from the first (a hole, a read) are not errors, and stay folded.
    expect(lines.filter((line) => line.includes('also thrown'))).toEqual([]);
  });

  it('says the root causes are those of the failing seeds whose violations were kept, when later ones were only counted', () => {
    const counted: CampaignResult = { ...failing, failingSeeds: 40, violationsOmitted: 75 };
    expect(campaignSummary(counted, {}).find((line) => line.startsWith('violations:'))!.startsWith('violations: 40 of 50 seeds failed, 113 violations; 2 root causes among the first 14 failing seeds, whose violations were kept (')).toBe(true);
  });

  it('suggests shrinking the first root cause', () => {
    expect(lines).toContain('next: shrink the first root cause to a minimal plan: npx powercut shrink --scenario wal-append --seed 1 --out bug.json');
  });

  it('suggests rerunning, not shrinking, a first root cause the harness could not run (the run threw)', () => {
    const threw: CampaignResult = { ...failing, failingSeeds: 2, violations: [1, 2].map((seed) => violation('wal-append', seed, 'harness', 'the run threw: unsupported call')) };
    const summary = campaignSummary(threw, {});
    expect(summary).toContain(`next: rerun the first root cause: ${repro('wal-append', 1)}`);
    expect(summary.filter((line) => line.includes('shrink'))).toEqual([]);
  });

  it('points to the report folder for the root causes it does not list, and to --report when there is none', () => {
    const many: CampaignResult = {
      ...failing,
      violations: Array.from({ length: 13 }, (_, i) => violation('swarm', i + 1, `invariant-${String.fromCharCode(97 + i)}`, 'broken')),
    };
    expect(campaignSummary(many, { reportDir: 'out' })).toContain('  ... and 3 more root causes (3 seeds): listed in out/report.html and summary.md');
    expect(campaignSummary(many).some((line) => line.endsWith('write them all with --report DIR, or print them with --json'))).toBe(true);
  });

  it('counts the second looks as bare numbers, and the crashes that got none because the workload state could not be copied', () => {
    const lines = campaignSummary({ ...greenResult, looks: 6533, looksSkipped: 1200 });
    expect(lines).toContain('second looks: 6533 other disks the crashes could have left (other crash states, a rotted bit or sector, a power loss between steps), recovered and checked');
    expect(lines).toContain('second looks skipped at 1200 crashes: the workload\'s ctx.state is not plain data (a class instance or a function), and a look needs a copy of it; keep ctx.state to objects, arrays, Maps and Sets to get them');
    expect(campaignSummary(greenResult).some((line) => line.startsWith('second looks'))).toBe(false);
  });

  it('says "none" for a green campaign', () => {
    expect(campaignSummary(greenResult)).toContain('violations: none');
  });

  it('prints coverage columns only for the fault kinds injected or targeted, as the reports do', () => {
    // The fixture injects kill-9, power-loss and disk-full and targets nothing else: every other
    // kind has no cell, and a column for it would have failed the table (it did, once).
    expect(campaignSummary(greenResult)).toContain('  site             kill-9  power-loss  disk-full');
  });

  it('counts faults by kind for the same kinds: no facade kind in an engine campaign that never injects one', () => {
    const line = campaignSummary(greenResult).find((text) => text.startsWith('faults by kind: '));
    expect(line).toMatch(/^faults by kind: kill-9 \d+, power-loss \d+, disk-full \d+$/);
  });
});

describe('traceExcerpt', () => {
  const event = (seq: number, type: TraceEvent['type'], name: string, detail?: string): TraceEvent => ({ seq, t: seq, type, name, ...(detail === undefined ? {} : { detail }) });
  const trace: TraceEvent[] = [
    ...Array.from({ length: 60 }, (_, seq) => event(seq, 'io', 'append', `@${seq * 10} len=10 ok`)),
    event(60, 'check', 'durability', 'commit #1, acknowledged, is missing'),
    event(61, 'check', 'durability', 'commit #2, acknowledged, is missing'),
    ...Array.from({ length: 60 }, (_, i) => event(62 + i, 'io', 'read', 'ok')),
  ];
  const result = {
    trace,
    violations: [
      { invariant: 'durability', message: 'commit #2, acknowledged, is missing', step: 4 },
      { invariant: 'durability', message: 'commit #1, acknowledged, is missing', step: 5 },
    ],
  } as unknown as RunResult;

  it('centres on the check of the run\'s first violation, matched by its message', () => {
    const lines = traceExcerpt(result);
    expect(lines[0]).toBe('trace events 31..66 of 122, around the failed check (#61, marked >):');
    expect(lines.filter((line) => line.startsWith('> '))).toEqual(['> #61 t=61 check - durability commit #2, acknowledged, is missing']);
  });

  it('shows where a second look\'s crash struck, for a violation a look found: its check is traced later, when the look runs', () => {
    const looked = { ...result, violations: [{ ...result.violations[0]!, look: { crash: 0, crashState: 3, io: 7 } }] } as unknown as RunResult;
    expect(traceExcerpt(looked)[1]).toBe('  (the second look\'s crash strikes right before) #7 t=7 io - append @70 len=10 ok');
    expect(traceExcerpt(result)[1]).not.toContain('second look');
  });

  it('shows the notes of the last power loss above the window when they fall before it, as messages point to them', () => {
    const noted: TraceEvent[] = [
      event(0, 'restart', 'power-loss', 'crashState=7'),
      event(1, 'note', 'dir-order', 'rename /db/a -> /db/b kept before the create of /db/c'),
      ...trace.slice(0, 60).map((e, i) => ({ ...e, seq: i + 2 })),
      event(62, 'check', 'durability', 'commit #2, acknowledged, is missing'),
    ];
    const lines = traceExcerpt({ ...result, trace: noted } as unknown as RunResult);
    expect(lines[1]).toBe('  (earlier) #0 t=0 restart - power-loss crashState=7');
    expect(lines[2]).toBe('  (earlier) #1 t=1 note - dir-order rename /db/a -> /db/b kept before the create of /db/c');
    // Without a power loss or a fault before the window, nothing is added.
    expect(traceExcerpt(result)[1]).not.toContain('(earlier)');
  });

  it('shows the last faults, crashes and restarts before the window above it, in order: the cause of a failed check is often far before it', () => {
    const faulted: TraceEvent[] = [
      ...Array.from({ length: 12 }, (_, i) => event(i, 'fault', 'bit-flip', `/db/1.wal bit ${i}`)),
      event(12, 'crash', 'power-loss', 'io=12'),
      ...trace.slice(0, 60).map((e, i) => ({ ...e, seq: i + 13 })),
      event(73, 'check', 'durability', 'commit #2, acknowledged, is missing'),
    ];
    const earlier = traceExcerpt({ ...result, trace: faulted } as unknown as RunResult).filter((line) => line.startsWith('  (earlier)'));
    expect(earlier).toHaveLength(earlierFaultsShown);
    expect(earlier.at(-1)).toBe('  (earlier) #12 t=12 crash - power-loss io=12');
    expect(earlier[0]).toBe(`  (earlier) #${13 - earlierFaultsShown} t=${13 - earlierFaultsShown} fault - bit-flip /db/1.wal bit ${13 - earlierFaultsShown}`);
  });

  it('shows the last I/Os that changed the disk since the last restart before the window: what the recovery did before the check after it', () => {
    const recovered: TraceEvent[] = [
      event(0, 'crash', 'kill-9', 'io=0'),
      event(1, 'restart', 'kill-9'),
      event(2, 'io', 'read', '/d/dwb.db ok'),
      event(3, 'io', 'write', '/d/pages.db @4096 len=4096 ok'),
      event(4, 'io', 'datasync', '/d/pages.db ok'),
      ...trace.slice(62, 100).map((e, i) => ({ ...e, seq: i + 5 })),
      event(43, 'check', 'durability', 'commit #2, acknowledged, is missing'),
    ];
    const earlier = traceExcerpt({ ...result, trace: recovered } as unknown as RunResult).filter((line) => line.startsWith('  (earlier)'));
    expect(earlier).toEqual([
      '  (earlier) #0 t=0 crash - kill-9 io=0',
      '  (earlier) #1 t=1 restart - kill-9',
      '  (earlier) #3 t=3 io - write /d/pages.db @4096 len=4096 ok',
      '  (earlier) #4 t=4 io - datasync /d/pages.db ok',
    ]);
  });

  it('numbers the violations of a run in the order found, the root first', () => {
    const lines = runSummary([], { ...result, ioCount: 0, crashes: 0, crashStates: [], acknowledged: 0, failedOperations: 0, detected: 0, digest: 'd', faults: greenResult.faults } as unknown as RunResult, 'again');
    expect(lines).toContain('violations: 2, in the order found: the first is the root cause, the others most likely follow from it');
    expect(lines).toContain('  1. [durability] commit #2, acknowledged, is missing (step 4)');
  });

  it('names two root causes when a second look found the first and the run\'s own path then failed otherwise', () => {
    const look = { crash: 0, crashState: 9, io: 30 };
    const violations = [
      { invariant: 'durable-power-loss', message: 'crash 1 (a power loss) settled on crash state 9 instead of 0: version 1 < acknowledged 2', step: 2, look },
      { invariant: 'whole', message: 'the document does not parse (after kill-9)', step: 4 },
      { invariant: 'whole', message: 'the document does not parse (after kill-9)', step: 5 },
    ];
    const lines = runSummary([], { ...result, violations, ioCount: 0, crashes: 0, crashStates: [], acknowledged: 0, failedOperations: 0, detected: 0, digest: 'd', faults: greenResult.faults } as unknown as RunResult, 'again');
    expect(lines).toContain('violations: 3, in the order found: two root causes, the first (a second look\'s, on a disk the run did not go on with) and violation 2 (on the run\'s own path); the others most likely follow from the one before them');
  });

  it('says once when a library\'s violation was found: its message ends with the crash, so no "after the steps" follows', () => {
    const violations = [
      { invariant: 'whole-lines', message: 'app.log holds a line nobody logged (after the final kill-9)', step: -1 },
      { invariant: 'durability', message: 'commit #2 is missing', step: -1 },
    ];
    const lines = runSummary([], { ...result, violations, ioCount: 0, crashes: 0, crashStates: [], acknowledged: 0, failedOperations: 0, detected: 0, digest: 'd', faults: greenResult.faults } as unknown as RunResult, 'again');
    expect(lines).toContain('  1. [whole-lines] app.log holds a line nobody logged (after the final kill-9)');
    expect(lines).toContain('  2. [durability] commit #2 is missing (after the steps)');
  });

  it('names a kill -9 among the crash states, since it keeps everything whatever state the plan lists for it', () => {
    const lines = runSummary([], { ...result, ioCount: 9, crashes: 3, crashStates: [1, 3, 0], crashKinds: ['power-loss', 'kill-9', 'power-loss'], acknowledged: 0, failedOperations: 0, detected: 0, digest: 'd', faults: greenResult.faults } as unknown as RunResult, 'again');
    expect(lines[0]).toMatch(/^result: 9 I\/O, 3 crashes \(states 1, kill-9, 0\), /);
  });

  it('says one crash, not one crashes', () => {
    const lines = runSummary([], { ...result, ioCount: 4, crashes: 1, crashStates: [2], acknowledged: 0, failedOperations: 0, detected: 0, digest: 'd', faults: greenResult.faults } as unknown as RunResult, 'again');
    expect(lines[0]).toMatch(/^result: 4 I\/O, 1 crash \(states 2\), /);
  });

  it('says when the root cause was found by a second look, whose recovery the run\'s trace does not show, and how to see it', () => {
    const base = { ...result, ioCount: 0, crashes: 1, crashStates: [0], acknowledged: 0, failedOperations: 0, detected: 0, digest: 'd', faults: greenResult.faults };
    const looked = { ...base, violations: [{ ...result.violations[0]!, look: { crash: 0, crashState: 9, io: 30 } }] } as unknown as RunResult;
    expect(runSummary([], looked, 'again').find((line) => line.startsWith('the first violation was found by a second look at crash 1'))).toMatch(/`shrink` moves it onto the path \(that crash state at that crash, no fault after that crash\)/);
    const rotted = { ...base, violations: [{ ...result.violations[0]!, look: { crash: 0, crashState: 0, io: 20, rot: { fault: 'bit-flip', path: '/db/1.wal', at: 783, read: 32, arg: 783 } } }] } as unknown as RunResult;
    expect(runSummary([], rotted, 'again').find((line) => line.startsWith('the first violation was found by a second look at crash 1'))).toMatch(/onto the path \(bit 783 of \/db\/1\.wal flipped at I\/O 32, no fault after that crash\)/);
    const forgotten = { ...base, violations: [{ ...result.violations[0]!, look: { crash: 0, crashState: 0, io: 21, beforeStep: 2, why: 'fsync-failed' } }] } as unknown as RunResult;
    expect(runSummary([], forgotten, 'again').find((line) => line.startsWith('the first violation was found by a second look at crash 1'))).toMatch(/onto the path \(a power loss before step 2, no fault after that crash\)/);
    expect(runSummary([], base as unknown as RunResult, 'again').some((line) => line.includes('second look'))).toBe(false);
  });
});

describe('campaignSummary of a campaign a time budget ended', () => {
  it('names the scenarios that ran no seed, as seeds run scenario by scenario', () => {
    const { 'disk-full': _dropped, ...ran } = greenResult.perScenario;
    const cut = { ...greenResult, perScenario: ran, seedsPlanned: greenResult.seeds + 500, jobs: 1 } as unknown as CampaignResult;
    const line = campaignSummary(cut).find((text) => text.startsWith('seeds run:'))!;
    expect(line).toContain('planned (time budget reached; 1 of 3 scenarios ran no seed: disk-full (seeds run scenario by scenario: give fewer --seeds, a larger --time-budget, or --scenario))');
  });
});

describe('seedRate', () => {
  it('says seeds a second, or below one a second the seconds a seed takes (never 0.0 seeds/s)', () => {
    expect([seedRate(41.27), seedRate(1), seedRate(1 / 29), seedRate(0)]).toEqual(['41.3 seeds/s', '1.0 seeds/s', '29.0 s/seed', '0.0 seeds/s']);
  });
});

describe('campaignSummary of ci with its regression corpus', () => {
  it('says how many of the seeds run were regression plans replayed', () => {
    const withPlans = { ...greenResult, seeds: greenResult.seeds + 6, scenarios: [...greenResult.scenarios, 'regressions'], perScenario: { ...greenResult.perScenario, regressions: { ...greenResult.perScenario['disk-full']!, seeds: 6 } } } as CampaignResult;
    expect(campaignSummary(withPlans).find((text) => text.startsWith('seeds run:'))).toMatch(new RegExp(`^seeds run: ${greenResult.seeds + 6} \\(6 of them regression plans replayed\\) in `));
    expect(campaignSummary(greenResult).find((text) => text.startsWith('seeds run:'))).not.toContain('regression');
  });
});

describe('campaignSummary of a library workload with a description', () => {
  it('says what the workload checks, in its author\'s words, instead of its name a second time', () => {
    const result = { ...greenResult, subject: { kind: 'library', name: 'w', module: 'w.ts', description: 'every acknowledged line survives' }, scenarios: ['w', 'regressions'] } as CampaignResult;
    expect(campaignSummary(result)[0]).toBe('library workload w (w.ts): every acknowledged line survives; also regressions');
    const { description: _description, ...plain } = result.subject!;
    expect(campaignSummary({ ...result, subject: plain })[0]).toBe('library workload w (w.ts): workload w, regressions');
  });
});

describe('fewAcknowledgedNote', () => {
  const library = (seeds: number, acknowledged: number): CampaignResult => ({
    ...greenResult,
    subject: { kind: 'library', name: 'git-like' },
    seeds,
    perScenario: { 'git-like': { seeds, violations: 0, detected: 0, faults: greenResult.perScenario['wal-append']!.faults, commitsAcknowledged: acknowledged, crashes: seeds } },
  });

  it('says so when a library campaign acknowledges less than one operation a seed, and how to get more', () => {
    expect(fewAcknowledgedNote(library(200, 40))).toBe('note: 40 operations acknowledged over 200 seeds (0.20 a seed): crashes and faults end most runs before an operation finishes, so few promises are checked; for a library that makes many I/Os per operation, lower the workload\'s fault rates (faults: { rates: ... }, README "Testing any Node library")');
  });

  it('is silent at one a seed or more, with none at all (nothing tested says that), and for an engine', () => {
    expect(fewAcknowledgedNote(library(200, 200))).toBeUndefined();
    expect(fewAcknowledgedNote(library(200, 0))).toBeUndefined();
    expect(fewAcknowledgedNote({ ...library(200, 40), subject: { kind: 'engine', name: 'e' } })).toBeUndefined();
  });
});

describe('journalOrderNote', () => {
  const library: CampaignResult = { ...greenResult, subject: { kind: 'library', name: 'blobs' } };

  it('says, after a library campaign found nothing on a disk that kept directory operations in order, what only a reordering disk shows and how to ask for one', () => {
    expect(journalOrderNote(library, undefined)).toMatch(/^note: no violation with each directory's operations kept in the order they were made, as ext4's and XFS's journals keep them; .* shows only with the workload's faults: \{ dirOrder: 'per-name' \}/);
    expect(journalOrderNote(library, 'journal')).toBeDefined();
  });

  it('is silent on a reordering disk, after violations, for an engine (unordered-names is a scenario of its own), and when nothing ran', () => {
    expect(journalOrderNote(library, 'per-name')).toBeUndefined();
    expect(journalOrderNote({ ...library, violations: [{ scenario: 'blobs', seed: 1, invariant: 'x', message: 'm', repro: 'r' }] } as CampaignResult, undefined)).toBeUndefined();
    expect(journalOrderNote(greenResult, undefined)).toBeUndefined();
    expect(journalOrderNote({ ...library, seeds: 0 }, undefined)).toBeUndefined();
  });
});

describe('the kinds of crash an explore violation line names', () => {
  it('are all shown up to four, then counted, so one line stays one line', () => {
    expect(crashesShown(['kill-9', 'power-loss state 1'])).toBe('kill-9; power-loss state 1');
    // A kind's own name may hold a comma: kinds are apart by semicolons.
    expect(crashesShown(['kill-9, then power-loss state 33 at I/O 9 after the restart', 'kill-9'])).toBe('kill-9, then power-loss state 33 at I/O 9 after the restart; kill-9');
    const six = ['kill-9', 'power-loss state 0', 'power-loss state 1', 'power-loss state 2', 'power-loss state 3', 'fsync-error, then power-loss'];
    expect(crashesShown(six)).toBe('kill-9; power-loss state 0; power-loss state 1; power-loss state 2; and 2 more kinds of crash');
    expect(crashesShown(six.slice(0, 5))).toBe('kill-9; power-loss state 0; power-loss state 1; power-loss state 2; and 1 more kind of crash');
  });
});

describe('a shrunk plan\'s crash states', () => {
  it('are listed when the plan has them, and otherwise said to be the seeded state 0, never an empty list beside a power loss', () => {
    const faults = { rates: {}, scheduled: [{ io: 3, kind: 'power-loss' as const }] };
    expect(crashStatesText({ crashStates: [3, 1], faults })).toBe('crash states [3, 1]');
    expect(crashStatesText({ crashStates: [], faults })).toBe('no crash states listed (a power loss settles on state 0: a seeded random share of unsynced writes and names kept)');
    expect(crashStatesText({ faults })).toBe(crashStatesText({ crashStates: [], faults }));
  });

  it('say there is no power loss for a library plan of kill -9 alone, rather than what a power loss would settle on', () => {
    const killOnly = { faults: { rates: { 'kill-9': 0.02 }, scheduled: [{ io: 7, kind: 'kill-9' as const }] }, finalCrash: 'kill-9' };
    expect(crashStatesText(killOnly)).toBe('no power loss (kill -9 alone: no crash state to settle)');
    expect(crashStatesText({ ...killOnly, finalCrash: undefined })).toMatch(/^no crash states listed \(a power loss settles on state 0/);
    expect(crashStatesText({ ...killOnly, faults: { rates: { 'power-loss': 0.01 } } })).toMatch(/^no crash states listed/);
  });
});

describe('a root cause with a long message', () => {
  it('is one line of at most 160 characters of its shape, then the first run\'s own message, clipped at 300', () => {
    const words = Array.from({ length: 60 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(4 + Math.floor(i / 26))).join(' ');
    const long = `open refused with "no meta" although no fault damaged durable data: either that check is wrong, ${words}`;
    const out = campaignSummary({ ...greenResult, seeds: 3, failingSeeds: 1, violations: [violation('wal-append', 2, 'false-corruption', long)] }, {});
    const at = out.findIndex((line) => line.includes('[false-corruption]'));
    expect(out[at]).toMatch(/^  1 seed   \[false-corruption\] open refused with "…" although no fault damaged durable data: either that check is wrong, .{20,}…  \(wal-append\)$/);
    expect(out[at]!.length).toBeLessThan(160 + 60);
    // Cut at the last space before its 300th character.
    expect(out[at + 1]).toContain(`seed 2: ${long.slice(0, long.lastIndexOf(' ', 299))}…`);
  });
});

describe('the note of a shrink that drifted to another failure of its invariant', () => {
  const hole = (key: string, found: string): string => `hole: commit #1 (lsn 2) is missing (key ${key} should be "k0@11.0" (7 bytes) but is ${found}) while the later commit #2 (lsn 3) is present (key k1)`;

  it('says nothing when the shrunk plan fails as the input did: numbers, a second look\'s prefix, and a value lost to an older one or to nothing are one loss', () => {
    const input = { invariant: 'prefix', message: `crash 6 (a power loss) settled on crash state 10 (a seeded random share of unsynced writes and names kept) instead of 0: ${hole('k9', '"k0@3.1"… (66 bytes)')}` };
    expect(shrinkDriftNote(input, { message: hole('k0', 'absent') })).toBeUndefined();
    expect(shrinkDriftNote(undefined, { message: hole('k0', 'absent') })).toBeUndefined();
  });

  it('names the input\'s failure when the shrunk plan fails the invariant another way (a failed index write shrank to a missing fsync)', () => {
    const input = { invariant: 'durable', message: 'key a was acknowledged but is missing after the process died of an uncaught exception' };
    const note = shrinkDriftNote(input, { message: 'key a was acknowledged but is missing after a power loss' });
    expect(note).toMatch(/^note: the shrunk plan \(above\) fails durable another way than the input did, which failed it as: key a was acknowledged but is missing after the process died of an uncaught exception\. A shrink keeps the invariant, not the message/);
  });
});

describe('the headings of root causes in a summary', () => {
  const refusal = 'open refused with "…" although no fault damaged durable data (no bit flip, damaged sector, misdirected write or lost name): either that check is wrong, or the engine\'s own writes left what it refuses (data relied on before it was synced, an overwrite in place a power loss tore sector by sector, or data relied on after a write or fsync failed)';
  const groups = [
    { invariant: 'false-corruption', shape: refusal },
    { invariant: 'false-corruption', shape: `${refusal}; media damage struck durable bytes earlier in this run (the trace's misdirected-write fault names it)` },
    { invariant: 'false-corruption', shape: `${refusal}; an earlier open refused for damage, and powercut then repaired that damage` },
    { invariant: 'durability', shape: 'commit #N, acknowledged, is missing: key kN should be 0x… (N bytes) but is absent' },
  ];

  it('shows where root causes of one invariant differ when their clipped shapes would read alike, within the line\'s length', () => {
    const headings = shapeHeadings(groups);
    expect(new Set(headings.slice(0, 3)).size).toBe(3);
    for (const heading of headings) expect(heading.length).toBeLessThanOrEqual(160);
    // Cut between words, not inside one.
    expect(headings[0]).toMatch(/^open refused with "…" although no fault damaged… .*or data relied on after a write or fsync failed\)$/);
    expect(headings[1]).toContain('media damage struck durable bytes');
    expect(headings[2]).toContain('an earlier open refused for damage');
  });

  it('leaves a shape no other clip reads like as it was: its first 160 characters', () => {
    expect(shapeHeadings(groups)[3]).toBe(groups[3]!.shape);
    expect(shapeHeadings([groups[0]!])[0]).toBe(`${refusal.slice(0, refusal.lastIndexOf(' ', 159))}…`);
  });
});

