/**
 * A campaign that checked its determinism (`--check-determinism`, and every `ci`): every report
 * says what the check found, and a seed whose rerun gave another digest fails the campaign in
 * each of them, as a violation does: never "passed" when the runs were not reproducible.
 */
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../reports/html.ts';
import { renderJson } from '../../reports/json.ts';
import { renderJunit } from '../../reports/junit.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { mergeResults } from '../../reports/merge.ts';
import { parseSummary } from '../../reports/read.ts';
import type { CampaignResult } from '../../sim/types.ts';
import { greenResult } from './fixtures.ts';

const meta = { version: '0.1.0', commit: 'cd02355' };
const mismatch = { scenario: 'wal-append', seed: 7, digest: '00000000000000aa', rerunDigest: '00000000000000bb' };
const varying: CampaignResult = { ...greenResult, determinism: { checked: 30, mismatches: [mismatch] } };
const steady: CampaignResult = { ...greenResult, determinism: { checked: 30, mismatches: [] } };

describe('reports of a campaign whose determinism check failed', () => {
  it('summary.md leads with the failure and lists the seed, never "passed"', () => {
    const markdown = renderMarkdown(varying);
    expect(markdown).toContain('## powercut: ❌ nondeterministic: 1 of 30 seeds rerun gave another digest');
    expect(markdown).toContain('wal-append seed 7: digest 00000000000000aa, rerun 00000000000000bb');
    expect(markdown).not.toContain('passed');
  });

  it('junit.xml has a failing powercut.determinism case', () => {
    const junit = renderJunit(varying);
    expect(junit).toMatch(/<testsuite name="powercut\.determinism" tests="1" failures="1"/);
    expect(junit).toContain('type="nondeterminism"');
  });

  it('report.html says FAIL and NONDETERMINISM, with the seed', () => {
    const html = renderHtml(varying, meta);
    expect(html).toContain('<title>powercut: NONDETERMINISM,');
    expect(html).toContain('data-testid="verdict">FAIL<');
    expect(html).toContain('wal-append seed 7: digest 00000000000000aa, rerun 00000000000000bb');
  });

  it('summary.json keeps the check, reads back with it, and merged shards add it up', () => {
    expect(parseSummary(renderJson(varying, meta), 'summary.json').determinism).toEqual(varying.determinism);
    const shards = [{ ...varying, shard: '1/2' }, { ...steady, shard: '2/2' }];
    expect(mergeResults(shards).determinism).toEqual({ checked: 60, mismatches: [mismatch] });
  });
});

describe('reports of a campaign whose determinism check passed', () => {
  it('say so, and pass', () => {
    expect(renderMarkdown(steady)).toContain('## powercut: ✅ passed');
    expect(renderMarkdown(steady)).toContain('Determinism: 30 seeds rerun in a fresh worker, same digests.');
    expect(renderJunit(steady)).toMatch(/<testsuite name="powercut\.determinism" tests="1" failures="0"/);
    expect(renderHtml(steady, meta)).toContain('data-testid="verdict">PASS<');
  });

  it('and say nothing of it when the campaign did not check', () => {
    expect(renderMarkdown(greenResult)).not.toContain('eterminism');
    expect(renderJunit(greenResult)).not.toContain('powercut.determinism');
  });
});
