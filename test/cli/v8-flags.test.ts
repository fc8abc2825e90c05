import { describe, expect, it } from 'vitest';
import { flagsFor, relaunchArgs, v8Flags } from '../../bin/v8-flags.mjs';
import { launchBin, packageRoot } from './helpers.ts';

const script = '/p/bin/powercut.mjs';

describe('the launcher starts seed-running commands with its V8 flags', () => {
  it('starts Node again with its own flags, the V8 flags and the same arguments for a command that runs seeds', () => {
    for (const command of ['run', 'ci', 'explore', 'shrink']) {
      expect(relaunchArgs(['node', script, command, '--seeds', '5', '--jobs', '2'], ['--enable-source-maps'], {}, 2))
        .toEqual(['--enable-source-maps', '--single-threaded-gc', '--max-inlined-bytecode-size-cumulative=200', script, command, '--seeds', '5', '--jobs', '2']);
    }
  });

  it('leaves GC its helper threads when the command leaves a core free: single-threaded GC only with as many jobs as cores', () => {
    const inlining = ['--max-inlined-bytecode-size-cumulative=200'];
    // run's jobs default to the cores there are; ci's, explore's and shrink's to 1.
    expect(flagsFor(['run', '--seeds', '5'], 2)).toEqual(v8Flags);
    expect(flagsFor(['run', '--seeds', '5'], 8)).toEqual(v8Flags);
    expect(flagsFor(['ci'], 2)).toEqual(inlining);
    expect(flagsFor(['explore', '--seed', '1'], 2)).toEqual(inlining);
    expect(flagsFor(['shrink', 'p.json'], 2)).toEqual(inlining);
    expect(flagsFor(['run', '--jobs', '1'], 2)).toEqual(inlining);
    expect(flagsFor(['run', '--jobs=3'], 4)).toEqual(inlining);
    expect(flagsFor(['ci', '--jobs', '2'], 2)).toEqual(v8Flags);
    expect(flagsFor(['explore', '--jobs=4'], 2)).toEqual(v8Flags);
    // The last --jobs counts, as commander takes it; a value that is no number is the command's to refuse.
    expect(flagsFor(['run', '--jobs', '1', '--jobs', '2'], 2)).toEqual(v8Flags);
    expect(flagsFor(['ci', '--jobs', 'many'], 2)).toEqual(inlining);
    expect(relaunchArgs(['node', script, 'ci'], [], {}, 2)).toEqual([...inlining, script, 'ci']);
  });

  it('runs in this process when started with the flags already, with POWERCUT_V8_DEFAULTS=1, or for a command that runs no seeds', () => {
    expect(relaunchArgs(['node', script, 'run'], [...v8Flags], {})).toBeUndefined();
    expect(relaunchArgs(['node', script, 'ci'], ['--max-inlined-bytecode-size-cumulative=200'], {}, 2)).toBeUndefined();
    expect(relaunchArgs(['node', script, 'run'], [], { POWERCUT_V8_DEFAULTS: '1' })).toBeUndefined();
    for (const args of [['list'], ['--help'], ['repro', '--scenario', 'swarm', '--seed', '3'], ['replay', 'plan.json'], ['store', 'verify', 'x'], ['real'], ['exec', 'app.js'], []]) {
      expect(relaunchArgs(['node', script, ...args], [], {})).toBeUndefined();
    }
  });

  const launch = (env: NodeJS.ProcessEnv) => launchBin(['run', '--engine', `${packageRoot}/test/cli/fixtures/exec-argv-engine.mjs`, '--seeds', '1'], env);

  it('loads the subject in a process started with the flags, and passes its one error line and exit code through', async () => {
    const result = await launch({ POWERCUT_V8_DEFAULTS: '' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`started with [${v8Flags.join(' ')}]`);
  });

  it('keeps V8\'s defaults, in this process, with POWERCUT_V8_DEFAULTS=1', async () => {
    const result = await launch({ POWERCUT_V8_DEFAULTS: '1' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('started with []');
  });
});
