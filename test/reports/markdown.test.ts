import { describe, expect, it } from 'vitest';
import { markdownViolationsMax, renderMarkdown } from '../../reports/markdown.ts';
import type { Violation } from '../../sim/types.ts';
import { durabilityViolation, failingResult, greenResult, hostileResult } from './fixtures.ts';

describe('renderMarkdown', () => {
  it('leads with the verdict', () => {
    expect(renderMarkdown(failingResult).split('\n')[0]).toBe('## powercut: ❌ 2 violations in 2 scenarios');
    expect(renderMarkdown(greenResult).split('\n')[0]).toBe('## powercut: ✅ passed');
  });

  it('gives every repro command in a code span', () => {
    const md = renderMarkdown(failingResult);
    expect(md).toContain('`npx powercut run --scenario wal-power-loss --seed 1337 --shrink`');
    expect(md).toContain('`npx powercut run --scenario checkpoint-rotate --seed 90210 --shrink`');
  });

  it('shows totals and seeds per second', () => {
    const md = renderMarkdown(failingResult);
    expect(md).toContain('| 3,000 | 213 | 2 | 25 | 4,199 | 139,218 | 4,903 | 15 / 17 |');
    expect(md).toContain('**213 seeds/s**');
  });

  it('names the targeted cells that were never hit', () => {
    const md = renderMarkdown(failingResult);
    expect(md).toContain('2 targeted cells were never hit');
    expect(md).toContain('`sidecar.rewrite` × `bit-flip`');
    expect(md).toContain('`manifest` × `disk-full`');
    expect(renderMarkdown(greenResult)).not.toContain('[!WARNING]');
  });

  it('marks targeted cells in the coverage table', () => {
    const row = renderMarkdown(failingResult).split('\n').find((line) => line.startsWith('| `sidecar.rewrite` |'));
    expect(row).toBe('| `sidecar.rewrite` | 61 | **58** | · | 7 | · | ⚠ **0** | 126 |');
  });

  it('includes the build when given', () => {
    expect(renderMarkdown(failingResult, { version: '0.1.0', commit: 'abc1234' })).toContain('powercut 0.1.0 (`abc1234`)');
  });

  it('keeps a hostile message from injecting HTML or breaking the list', () => {
    const md = renderMarkdown(hostileResult);
    // Code spans show their content literally, so markup is harmless only there.
    const outsideCode = md.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, '');
    expect(outsideCode).not.toContain('<');
    expect(md).toContain("--key 'a<b>&c");
    expect(md).not.toMatch(/[\u0001\u0007\u001b]/);
    const item = md.split('\n').find((line) => line.startsWith('- **wal-power-loss**'));
    expect(item).toContain('&lt;script&gt;');
  });

  it(`lists at most ${markdownViolationsMax} violations and says how many more there are`, () => {
    const many: Violation[] = Array.from({ length: markdownViolationsMax + 7 }, (_, i) => ({ ...durabilityViolation, seed: i }));
    const md = renderMarkdown({ ...failingResult, violations: many });
    expect(md.match(/^ {2}`npx powercut/gm)).toHaveLength(markdownViolationsMax);
    expect(md).toContain('… and 7 more');
  });
});
