import { describe, expect, it } from 'vitest';
import { htmlViolationsDetailedMax, renderHtml } from '../../reports/html.ts';
import { failedCheckSeq, renderTimeline, timelineEventsMax } from '../../reports/timeline.ts';
import type { TraceEvent, Violation } from '../../sim/types.ts';
import { durabilityViolation, failingResult, greenResult, hostileResult, resurrectionViolation } from './fixtures.ts';

const meta = { version: '0.1.0', commit: 'cd02355e1f0a9b7c', generatedAt: '2026-11-22T04:00:00Z' };
const count = (html: string, needle: string): number => html.split(needle).length - 1;

describe('renderHtml', () => {
  it('references no URL: no http, https or protocol-relative links', () => {
    for (const result of [failingResult, greenResult, hostileResult]) {
      const html = renderHtml(result, meta);
      expect(html).not.toMatch(/https?:/i);
      expect(html).not.toMatch(/(src|href)\s*=/i);
      expect(html).not.toMatch(/url\(/i);
      expect(html).not.toContain('@import');
    }
  });

  it('escapes a hostile violation message, key, repro and trace', () => {
    const html = renderHtml(hostileResult, meta);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a&lt;b&gt;&amp;c &quot;q&quot; &#39;s&#39; ]]&gt;');
    expect(html).not.toMatch(/[\u0001\u0007\u001b]/);
    // Only the page's own script element exists.
    expect(count(html, '<script')).toBe(1);
  });

  it('renders the same bytes for the same inputs', () => {
    expect(renderHtml(failingResult, meta)).toBe(renderHtml(failingResult, meta));
  });

  it('shows one card, one repro and one timeline per violation', () => {
    const html = renderHtml(failingResult, meta);
    expect(count(html, 'data-testid="violation"')).toBe(2);
    expect(count(html, 'data-testid="repro"')).toBe(2);
    expect(count(html, 'data-testid="timeline"')).toBe(2);
    expect(count(html, 'data-testid="timeline-failed-check"')).toBe(2);
  });

  it('calls out targeted cells never hit, and marks them in the heat map', () => {
    const html = renderHtml(failingResult, meta);
    expect(html).toContain('data-testid="missed-targets"');
    expect(count(html, 'data-missed="true"')).toBe(2);
    expect(count(html, 'data-testid="heatmap-cell"')).toBe(9 * 6);
    expect(renderHtml(greenResult, meta)).not.toContain('data-testid="missed-targets"');
  });

  it('says so plainly when there are no violations', () => {
    expect(renderHtml(greenResult, meta)).toContain('No violations: every invariant held on all 3,000 seeds.');
  });

  it(`details the first ${htmlViolationsDetailedMax} violations and lists the rest`, () => {
    const many: Violation[] = Array.from({ length: htmlViolationsDetailedMax + 3 }, (_, i) => ({ ...durabilityViolation, seed: i }));
    const html = renderHtml({ ...failingResult, violations: many }, meta);
    expect(count(html, 'data-testid="violation"')).toBe(htmlViolationsDetailedMax);
    expect(count(html, 'data-testid="repro"')).toBe(htmlViolationsDetailedMax + 3);
    expect(html).toContain('3 more violations, without timelines');
  });
});

describe('renderTimeline', () => {
  it('draws one marker per trace event', () => {
    const svg = renderTimeline(durabilityViolation);
    const markers = count(svg, 'data-testid="timeline-marker"') + count(svg, 'data-testid="timeline-failed-check"');
    expect(markers).toBe(durabilityViolation.trace?.length);
  });

  it('draws lines across the lanes at the crash and the restart', () => {
    const svg = renderTimeline(resurrectionViolation);
    expect(count(svg, 'class="tl-crash-line"')).toBe(1);
    expect(count(svg, 'class="tl-restart-line"')).toBe(1);
  });

  it('gives every marker a hover title with the whole event', () => {
    const svg = renderTimeline(durabilityViolation);
    expect(svg).toContain('<title>#12  t=6 ms  fault fsync-error\nphase: wal.sync\npath: db/wal/000003.log\nEIO on datasync (injected); pages stay dirty</title>');
  });

  it('finds the failed check by the violated invariant', () => {
    expect(failedCheckSeq(durabilityViolation)).toBe(29);
    expect(failedCheckSeq(resurrectionViolation)).toBe(28);
  });

  it('falls back to the check whose detail says it failed', () => {
    const trace: TraceEvent[] = [
      { seq: 0, t: 0, type: 'check', name: 'a', detail: 'FAILED: x' },
      { seq: 1, t: 0, type: 'check', name: 'b', detail: 'ok' },
    ];
    expect(failedCheckSeq({ ...durabilityViolation, invariant: 'zzz', trace })).toBe(0);
  });

  it('draws nothing for a violation without a trace', () => {
    const { trace: _trace, ...bare } = durabilityViolation;
    expect(renderTimeline(bare)).toBe('');
  });

  it(`keeps the last ${timelineEventsMax} events of a long trace`, () => {
    const trace: TraceEvent[] = Array.from({ length: timelineEventsMax + 40 }, (_, seq) => ({ seq, t: seq, type: 'io', name: 'write' }));
    const svg = renderTimeline({ ...durabilityViolation, trace });
    expect(count(svg, 'data-testid="timeline-marker"')).toBe(timelineEventsMax);
    expect(svg).toContain(`data-seq="${timelineEventsMax + 39}"`);
    expect(svg).not.toContain('data-seq="39"');
    expect(svg).toContain(`last ${timelineEventsMax} of ${timelineEventsMax + 40} events`);
  });
});
