/**
 * bin/powercut.mjs runs the commands that run seeds again in a child node with
 * `--single-threaded-gc` (bin/gc-flag.mjs), passes signals on to it and ends as it ends; other
 * commands, and `POWERCUT_GC=default`, run in the process itself.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript module of the bin, without types
import { wantsGcChild } from '../../bin/gc-flag.mjs';
import { packageRoot } from './helpers.ts';

const check = wantsGcChild as (argv: string[], execArgv: string[], env: Record<string, string | undefined>) => boolean;
const argv = (...args: string[]): string[] => ['/usr/bin/node', '/p/bin/powercut.mjs', ...args];

/** The pids of the processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

describe('the bin\'s garbage-collector child', () => {
  it('is wanted for run, ci and explore only, unless the flag is there or POWERCUT_GC=default', () => {
    for (const command of ['run', 'ci', 'explore']) expect(check(argv(command, '--seeds', '5'), [], {})).toBe(true);
    for (const command of ['list', 'replay', 'shrink', '--help']) expect(check(argv(command), [], {})).toBe(false);
    expect(check(argv(), [], {})).toBe(false);
    expect(check(argv('run'), ['--single-threaded-gc'], {})).toBe(false);
    expect(check(argv('run'), [], { POWERCUT_GC: 'default' })).toBe(false);
  });

  it('gives the same output and exit code as a run in the process itself', async () => {
    const bin = (env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> => new Promise((resolve) => {
      execFile(process.execPath, ['bin/powercut.mjs', 'run', '--scenario', 'wal-append', '--seeds', '3', '--json'], { cwd: packageRoot, env: { ...process.env, ...env } },
        (error, stdout) => resolve({ code: error === null ? 0 : Number(error.code), stdout }));
    });
    const [child, alone] = await Promise.all([bin({}), bin({ POWERCUT_GC: 'default' })]);
    expect(child.code).toBe(alone.code);
    const digest = (stdout: string): unknown => (JSON.parse(stdout) as { digest: unknown }).digest;
    expect(digest(child.stdout)).toBe(digest(alone.stdout));
  });

  it('runs the campaign in a child node with the flag, and a SIGTERM to the bin ends both', async () => {
    const bin = spawn(process.execPath, ['bin/powercut.mjs', 'run', '--scenario', 'swarm', '--seeds', '1000000', '--jobs', '1'], { cwd: packageRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    // The campaign's progress line shows the child is running seeds.
    await new Promise<void>((resolve) => bin.stderr.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('seeds')) resolve();
    }));
    const [child] = childrenOf(bin.pid!);
    expect(child).toBeDefined();
    expect(readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0')).toContain('--single-threaded-gc');
    const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => bin.on('exit', (code, signal) => resolve({ code, signal })));
    bin.kill('SIGTERM');
    expect(await ended).toEqual({ code: null, signal: 'SIGTERM' });
    expect(() => readFileSync(`/proc/${child}/cmdline`)).toThrow();
  }, 60_000);
});
