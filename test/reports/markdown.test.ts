import { describe, expect, it } from 'vitest';
import { markdownGroupsMax, markdownSeedsListedMax, renderMarkdown } from '../../reports/markdown.ts';
import type { Violation } from '../../sim/types.ts';
import { durabilityViolation, failingResult, greenResult, hostileResult, reproLine } from './fixtures.ts';

describe('renderMarkdown', () => {
  it('leads with the verdict: how many seeds failed, into how many root causes', () => {
    expect(renderMarkdown(failingResult).split('\n')[0]).toBe('## powercut: ❌ 2 of 3,000 seeds failed, 2 root causes');
    expect(renderMarkdown(greenResult).split('\n')[0]).toBe('## powercut: ✅ passed');
  });

  it('counts the second looks at power losses when the campaign took any', () => {
    expect(renderMarkdown({ ...greenResult, looks: 1234 })).toContain('Second looks: 1,234 other disks the crashes could have left (other crash states, a rotted bit or sector, a power loss between steps), recovered and checked.');
    expect(renderMarkdown(greenResult)).not.toContain('Second looks');
  });

  it('says how many crashes got no second looks because the workload state could not be copied, and what to do', () => {
    const md = renderMarkdown({ ...greenResult, looks: 10, looksSkipped: 1200 });
    expect(md).toContain('Second looks skipped at 1,200 crashes: the workload\'s ctx.state is not plain data (a class instance or a function), and a look needs a copy of it; keep ctx.state to objects, arrays, Maps and Sets to get them.');
    expect(renderMarkdown({ ...greenResult, looksSkipped: 1 })).toContain('Second looks skipped at 1 crash: ');
    expect(renderMarkdown(greenResult)).not.toContain('skipped at');
  });

  it('lists each root cause once with its seeds, its first run and the repro in a code span', () => {
    const md = renderMarkdown(failingResult);
    expect(md).toContain('1. `durability` commit #N, acknowledged, is missing: key kN should be 0x… (N bytes) but is absent: **1 seed** (wal-append 1)');
    expect(md).toContain('   first, wal-append seed 1337: commit #7, acknowledged, is missing: key k4 should be 0x6b344031302e302e… (40 bytes) but is absent (then 1 follow-on complaint)');
    expect(md).toContain('   `npx powercut repro --scenario wal-append --seed 1337`');
    expect(md).toContain('   `npx powercut repro --scenario checkpoint-prune --seed 90210`');
    // The follow-on complaint is folded under its run, not a root cause of its own.
    expect(md).not.toContain('`prefix` hole');
  });

  it('speaks of a library workload\'s operations and workload, and of the regression corpus apart from the units', () => {
    const library = { ...greenResult, subject: { kind: 'library' as const, name: 'queue', module: 'q.mjs' }, scenarios: ['queue', 'regressions'] };
    const md = renderMarkdown(library);
    expect(md).toContain('seeds** over 1 workload and the regression corpus');
    expect(md).toContain('| operations acked |');
    expect(md).not.toContain('commits acked');
    expect(renderMarkdown(greenResult)).toContain(`seeds** over ${greenResult.scenarios.length} scenario`);
    expect(renderMarkdown(greenResult)).toContain('| commits acked |');
  });

  it('says under a root cause that needs no fault that it needs none', () => {
    const marked = { ...failingResult, violations: failingResult.violations.map((violation) => (violation.invariant === 'durability' ? { ...violation, needsNoFault: true as const } : violation)) };
    expect(renderMarkdown(marked)).toContain('   needs no fault: seed 1337 fails the same way with none injected');
    expect(renderMarkdown(failingResult)).not.toContain('needs no fault');
  });

  it('says what to do next: shrink the first root cause', () => {
    expect(renderMarkdown(failingResult)).toContain('**Next:** shrink the first root cause to a minimal plan: `npx powercut shrink --scenario wal-append --seed 1337 --out bug.json`');
  });

  it('shows totals and seeds per second', () => {
    const md = renderMarkdown(failingResult);
    expect(md).toContain('| 3,000 | 213 | 3 | 25 | 4,199 | 139,218 | 4,431 | 12 / 14 |');
    expect(md).toContain('**213 seeds/s**');
  });

  it('names the targeted cells that were never hit', () => {
    const md = renderMarkdown(failingResult);
    expect(md).toContain('2 targeted cells were never hit');
    expect(md).toContain('`sidecar.rewrite` × `disk-full`');
    expect(md).toContain('`prune` × `power-loss`');
  });

  it('marks targeted cells in the coverage table', () => {
    const row = renderMarkdown(failingResult).split('\n').find((line) => line.startsWith('| `sidecar.rewrite` |'));
    expect(row).toBe('| `sidecar.rewrite` | 61 | 58 | ⚠ **0** | 119 |');
  });

  it('includes the build when given', () => {
    expect(renderMarkdown(failingResult, { version: '0.1.0', commit: 'abc1234' })).toContain('powercut 0.1.0 (`abc1234`)');
  });

  it('keeps a hostile message from injecting HTML or breaking the list', () => {
    const md = renderMarkdown(hostileResult);
    // Code spans show their content literally, so markup is harmless only there.
    const outsideCode = md.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, '');
    expect(outsideCode).not.toContain('<');
    expect(md).toContain("--engine 'a<b>&c");
    expect(md).not.toMatch(/[\u0001\u0007\u001b]/);
    const item = md.split('\n').find((line) => line.startsWith('   first, wal-append'));
    expect(item).toContain('&lt;script&gt;');
  });

  it(`lists at most ${markdownGroupsMax} root causes and ${markdownSeedsListedMax} seeds of each, and says how many more there are`, () => {
    // One root cause with many seeds, then one seed each of 31 more.
    const causes: Violation[] = Array.from({ length: markdownGroupsMax + 1 }, (_, i) => ({
      ...durabilityViolation, seed: i + 1, repro: reproLine('wal-append', i + 1), invariant: `invariant-${'abcdefghijklmnopqrstuvwxyzABCDEFGH'[i]}`,
    }));
    const seeds: Violation[] = Array.from({ length: markdownSeedsListedMax + 5 }, (_, i) => ({ ...durabilityViolation, seed: 100 + i, repro: reproLine('wal-append', 100 + i) }));
    const md = renderMarkdown({ ...failingResult, violations: [...seeds, ...causes] });
    expect(md.match(/^ {3}`npx powercut/gm)).toHaveLength(markdownGroupsMax);
    expect(md).toContain('- … and 2 more root causes (2 seeds) in report.html and summary.json');
    expect(md).toContain(`   seeds: wal-append ${Array.from({ length: markdownSeedsListedMax }, (_, i) => 100 + i).join(', ')} … and 5 more`);
  });
});
