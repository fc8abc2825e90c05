/**
 * Native addons a library loads: their file I/O bypasses Node's fs, so powercut cannot simulate
 * it. A run that fails to open such a library says that it loaded one and names it, and so does
 * the campaign's note, instead of leaving the user with the addon's own "failed to open".
 */
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.ts';
import { loadSubject } from '../../subjects/index.ts';
import { nativeAddonsLine } from '../../targets/native-addons.ts';
import type { TargetPlan } from '../../targets/plan.ts';
import { noFaults } from '../../sim/index.ts';

describe('a library that loads a native addon', () => {
  it('fails its open with a message that names the addon and says its I/O never reaches the simulated disk', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/native-store.ts' });
    await expect(subject.run(subject.plan('native-store', 1) as TargetPlan)).rejects.toThrow(
      /open did not complete with faults off: Database failed to open; it loaded native addons, whose file I\/O bypasses Node's fs and never reaches the simulated disk .*: lightningcss[\w-]* \(lightningcss\.[\w-]+\.node\)/,
    );
  });

  it('whose first open a kill -9 struck fails the open after it as a harness failure naming the addon, not as a store that does not open after the crash (a lmdb user\'s false [opens])', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/native-store-mkdir.ts' });
    const plan = subject.plan('native-store-mkdir', 1) as TargetPlan;
    const killed = { ...plan, faults: noFaults({ scheduled: [{ io: 0, kind: 'kill-9' }] }) };
    await expect(subject.run(killed)).rejects.toThrow(/open did not complete with faults off: No such file or directory: Attempting to setup locks; it loaded native addons, whose file I\/O bypasses Node's fs/);
  });

  it('that was handed a descriptor the facade opened is told so when its open fails with EBADF, not that its I/O went to the real disk', async () => {
    const subject = await loadSubject({ kind: 'library', module: 'test/targets/fixtures/native-lock.ts' });
    const failed = await subject.run(subject.plan('native-lock', 1) as TargetPlan).then(() => undefined, (error: unknown) => String((error as Error).message));
    expect(failed).toMatch(/bad file descriptor.*; it loaded native addons \(lightningcss[\w-]* \(lightningcss\.[\w-]+\.node\)\), and a bad descriptor is what one gets when the library hands it a descriptor the fs facade opened/);
    expect(failed).not.toContain('goes to the real disk');
  });

  it('is named in the note a campaign prints, each package once', async () => {
    await loadSubject({ kind: 'library', module: 'test/targets/fixtures/native-store.ts' });
    expect(nativeAddonsLine()).toMatch(/^note: the workload loaded native addons: lightningcss[\w-]* \(lightningcss\.[\w-]+\.node\); any file I\/O they do bypasses Node's fs/);
  });

  it('whose every seed failed to open claims no coverage: no targeted cell was hit, none is said to be', async () => {
    const result = await cli('run', '--target', 'test/targets/fixtures/native-lock.ts', '--seeds', '1', '--jobs', '1');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('no fault injected, nothing acknowledged: every run ended at the root cause above before it tested anything');
    expect(result.stdout).not.toContain('every targeted cell was hit');
  });

  it('is named by run on the command line, and the run is a harness failure, not a pass', async () => {
    const result = await cli('run', '--target', 'test/targets/fixtures/native-store.ts', '--seeds', '1', '--jobs', '1');
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^powercut: note: the workload loaded native addons: lightningcss[\w-]* \(lightningcss\.[\w-]+\.node\)/m);
  });

  it('is named by run with --jobs 2 too, when only the worker threads loaded it (in the library\'s open)', async () => {
    const result = await cli('run', '--target', 'test/targets/fixtures/native-in-open.ts', '--seeds', '4', '--jobs', '2');
    expect(result.stderr).toMatch(/^powercut: note: the workload loaded native addons: lightningcss[\w-]* \(lightningcss\.[\w-]+\.node\)/m);
  });
});
