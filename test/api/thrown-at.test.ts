/**
 * An engine error says where the code under test threw: the first frames of its stack, in the
 * engine's own file, never powercut's or Node's, apart from the message (and the digest).
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assertCrashSafe } from '../../api/index.ts';
import { loadSubject } from '../../subjects/index.ts';
import { thrownAt } from '../../sim/engine-contract.ts';
import { cli } from '../cli/helpers.ts';

const fixture = 'test/fixtures/engines/throws-range-error.ts';

describe('thrownAt', () => {
  it('keeps the frames of the code under test, first the one that threw, and none of powercut\'s simulator', async () => {
    const subject = await loadSubject({ kind: 'engine', module: fixture });
    const run = await subject.run(subject.plan('wal-append', 1));
    const violation = run.violations[0]!;
    expect(violation).toMatchObject({ invariant: 'engine-error', message: expect.stringMatching(/^open threw RangeError: /) });
    expect(violation.message).not.toContain('throws-range-error.ts');
    expect(violation.thrownAt![0]).toMatch(/^decodeHeader \(\/.*test\/fixtures\/engines\/throws-range-error\.ts:\d+:\d+\)$/);
    expect(violation.thrownAt!.some((frame) => /[/](sim|harness|scenarios)[/]/.test(frame))).toBe(false);
  });

  it('keeps them for an error a second look met first, on a disk only another crash state left', async () => {
    const subject = await loadSubject({ kind: 'engine', module: 'test/fixtures/engines/throws-on-odd-size.ts' });
    const run = await subject.run(subject.plan('wal-append', 11));
    const violation = run.violations[0]!;
    expect(violation.look).toBeDefined();
    expect(violation).toMatchObject({ invariant: 'engine-error', message: expect.stringMatching(/^crash 1 \(a power loss\) settled on crash state \d+ .*: open threw RangeError: /) });
    expect(violation.thrownAt![0]).toMatch(/^checkSizes \(\/.*test\/fixtures\/engines\/throws-on-odd-size\.ts:\d+:\d+\)$/);
  });

  it('is undefined for a value without a stack', () => {
    expect(thrownAt('a string')).toBeUndefined();
    expect(thrownAt(Object.assign(new Error('x'), { stack: undefined }))).toBeUndefined();
  });
});

describe('where an engine error is shown', () => {
  it('repro prints the frames under the violation, relative to the working directory', async () => {
    const result = await cli('repro', '--engine', fixture, '--scenario', 'wal-append', '--seed', '1');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[engine-error\] open threw RangeError: [^\n]*\n {6}at decodeHeader \(\.\/test\/fixtures\/engines\/throws-range-error\.ts:\d+:\d+\)\n/);
  });

  it('assertCrashSafe names them in its error, and names the failure file after the engine without brackets', async () => {
    const failuresDir = join(tmpdir(), `powercut-thrown-at-${process.pid}`);
    try {
      const error = await assertCrashSafe({ engine: fixture }, { scenarios: ['wal-append'], seeds: 1, failuresDir }).catch((thrown: unknown) => thrown as Error);
      expect((error as Error).message).toMatch(/\n {4}at decodeHeader \(.*throws-range-error\.ts:\d+:\d+\)\n/);
      expect((error as { planFile?: string }).planFile ?? (error as Error).message).toMatch(/throws-range-error-unchecked-length-wal-append-1\.json/);
    } finally {
      await rm(failuresDir, { recursive: true, force: true });
    }
  });
});
