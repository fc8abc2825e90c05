/**
 * The watchdog (harness/watchdog.ts): a run of code under test that never returns ends the
 * process with one line naming the seed, instead of hanging the campaign; runs that return are
 * never stopped.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './helpers.ts';

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The CLI as a child process, with how it ended (a code or a signal). */
function powercut(...args: string[]): Promise<Ended> {
  return node('cli/main.ts', ...args);
}

/** `node --import tsx ARGS` in the package root, with how it ended. */
function node(...args: string[]): Promise<Ended> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', ...args], { cwd: packageRoot }, (_error, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
    });
  });
}

const spinner = 'test/targets/fixtures/spins-after-error.ts';
/** The one line the watchdog prints, and the seed it names. */
const named = /^powercut: a run of seed (\d+) \(workload spins-after-error\); `[^`]* repro --target test\/targets\/fixtures\/spins-after-error\.ts --seed \1` runs that seed alone: it has not returned after \d+ s of wall time\./m;

describe('the watchdog on a library that spins in synchronous code after a failed write', () => {
  it.each([2, 3])('ends the worker of each run that spins, with one line naming the seed and the command that reruns it, and the campaign with --jobs %i goes on to report them as liveness violations', async (jobs) => {
    const ended = await powercut('run', '--target', spinner, '--seeds', '8', '--jobs', String(jobs), '--seed-timeout', '2');
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(named);
    expect(ended.stderr).toMatch(/its worker thread was ended, and the campaign goes on/);
    // The line reruns it with the limit given, not the default's 300 s.
    expect(ended.stderr).toMatch(/`[^`]* --seed-timeout 2 repro --target /);
    expect(ended.stdout).toMatch(/^seeds run: 8 /m);
    const spun = [...ended.stderr.matchAll(new RegExp(named.source, 'gm'))].map((match) => Number(match[1])).sort((a, b) => a - b);
    expect(spun.length).toBeGreaterThan(0);
    expect(ended.stdout).toMatch(new RegExp(`^violations: ${spun.length} of 8 seeds failed`, 'm'));
    expect(ended.stdout).toMatch(/\[liveness\] the run did not return within --seed-timeout \(N s of wall time\): the code under test never gave the simulated world a turn/);
    // The seed it names is one that spins: run alone, in this thread, it ends the process.
    const alone = await powercut('repro', '--target', spinner, '--seed', String(spun[0]), '--seed-timeout', '1');
    expect(alone.signal).toBe('SIGKILL');
    expect(named.exec(alone.stderr)?.[1]).toBe(String(spun[0]));
  });
});

describe('the watchdog on explore\'s crash candidates', () => {
  it('names a spinning candidate as a plan made from the seed by the command running, not as the seed, whose own plan may pass', async () => {
    // This one spins in a run explore makes in this thread (to find a kill's recovery), so the process ends there.
    const ended = await powercut('explore', '--target', spinner, '--seed', '1', '--steps', '3', '--jobs', '2', '--seed-timeout', '2');
    expect(ended.stderr).toMatch(/^powercut: a run of a plan made from seed 1 \(workload spins-after-error\) by the command running, with its faults placed \(an exploration's crash, a shrink's candidate\): run that command again; `[^`]* repro --target \S+ --seed 1` runs the seed's own plan, which may pass/m);
  });
});

describe('a library that catches the simulated crash and retries for ever in synchronous code', () => {
  it('ends its worker well before the limit, naming the seed and where the code under test keeps calling fs, and the campaign goes on', async () => {
    const ended = await powercut('run', '--target', 'test/targets/fixtures/retries-after-crash.ts', '--seeds', '6', '--jobs', '2', '--seed-timeout', '20');
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(/^powercut: a run of seed \d+ \(workload retries-after-crash\); `[^`]* repro --target test\/targets\/fixtures\/retries-after-crash\.ts --seed \d+` runs that seed alone: the code under test keeps calling fs after the simulated process died \(the last call \w+; each throws ProcessCrashedError\): it catches that error and calls again in a synchronous loop[^\n]*\(\d+ calls in \d+ s\); its worker thread is ended/m);
    expect(ended.stderr).toMatch(/The call, from: \S*flushSync \(\S*retries-after-crash\.ts:\d+:\d+\)/);
    expect(ended.stderr).not.toMatch(/has not returned after/);
    expect(ended.stdout).toMatch(/\[liveness\] the code under test keeps calling fs after the simulated process died \(the last call \w+; each throws ProcessCrashedError\)[^\n]*The call, from: flushSync/);
  });

  it.each([['repro', '--seed', '2'], ['run', '--seeds', '50', '--jobs', '1']])('ends the process when it spins in this thread, where nothing can end it alone (%s)', async (...args) => {
    const ended = await powercut(args[0]!, '--target', 'test/targets/fixtures/retries-after-crash.ts', ...args.slice(1), '--seed-timeout', '4');
    expect(ended.signal).toBe('SIGKILL');
    expect(ended.stderr).toMatch(/keeps calling fs after the simulated process died[^\n]*so powercut ends the process here \(SIGKILL, exit status 137\)/);
  });
});

describe('the watchdog from a test runner', () => {
  it('stops assertCrashSafe given seedTimeoutSec the same way, naming the seed', async () => {
    const script = `import { assertCrashSafe } from './api/index.ts';\nawait assertCrashSafe({ target: '${spinner}', seedTimeoutSec: 2 }, { seeds: 200 });`;
    const ended = await node('--input-type=module', '-e', script);
    expect(ended.signal).toBe('SIGKILL');
    expect(ended.stderr).toMatch(named);
  });
});

describe('the watchdog on runs that return', () => {
  it('never stops a campaign whose runs return, through worker threads started and closed', async () => {
    const ended = await powercut('run', '--scenario', 'wal-append,swarm', '--seeds', '200', '--jobs', '2', '--seed-timeout', '1');
    expect(ended.stderr).not.toMatch(/has not returned/);
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(0);
  });

  it('refuses a limit that is not a number of seconds in one line (exit 2)', async () => {
    const ended = await powercut('run', '--seeds', '1', '--seed-timeout', 'soon');
    expect(ended.code).toBe(2);
    expect(ended.stderr.trim().split('\n')).toHaveLength(1);
    expect(ended.stderr).toMatch(/--seed-timeout.*seconds >= 0/);
  });
});
