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

/** The CLI as a child process with `env` added to this one's environment. */
function powercutWith(env: Record<string, string>, ...args: string[]): Promise<Ended> {
  return nodeWith(env, 'cli/main.ts', ...args);
}

/** `node --import tsx ARGS` in the package root, with how it ended. */
function node(...args: string[]): Promise<Ended> {
  return nodeWith({}, ...args);
}

function nodeWith(env: Record<string, string>, ...args: string[]): Promise<Ended> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', ...args], { cwd: packageRoot, env: { ...process.env, ...env } }, (_error, stdout, stderr) => {
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
    });
  });
}

const spinner = 'test/targets/fixtures/spins-after-error.ts';
/** The one line the watchdog prints, and the seed it names. */
const named = /^powercut: a run of seed (\d+) \(workload spins-after-error\); `[^`]* repro --target test\/targets\/fixtures\/spins-after-error\.ts --seed \1` runs that seed alone: it has given the simulated world no turn \(no I\/O, no timer\) for \d+ s of wall time:/m;

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
    // Paused before its worker was ended, the run says where it spins.
    expect(ended.stdout).toMatch(/seed \d+: the run spins in (?:[^<\n]* < )?spin \(test\/targets\/fixtures\/spins-after-error\.ts:10:\d+\) < run \(test\/targets\/fixtures\/spins-after-error\.ts:\d+:\d+\): it gave the simulated world no turn/);
    // The seed it names is one that spins: run alone, in this thread, it ends the process.
    const alone = await powercut('repro', '--target', spinner, '--seed', String(spun[0]), '--seed-timeout', '1');
    expect(alone.signal).toBe('SIGKILL');
    expect(named.exec(alone.stderr)?.[1]).toBe(String(spun[0]));
    // Paused by the watchdog thread before the end, this thread too says where it spins.
    expect(alone.stderr).toMatch(/the code under test spins in (?:[^<\n]* < )?spin \(test\/targets\/fixtures\/spins-after-error\.ts:10:\d+\) < run \(test\/targets\/fixtures\/spins-after-error\.ts:\d+:\d+\) \(a loop in synchronous code[^\n]*so powercut ends the process here/);
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
    expect(ended.stderr).not.toMatch(/no turn \(no I\/O, no timer\) for/);
    // The root cause's line gives its shape (clipped), the line under it the first run's message.
    expect(ended.stdout).toMatch(/\[liveness\] the code under test keeps calling fs after the simulated process died \(the last call \w+; each throws ProcessCrashedError\)[^\n]*\n\s+seed \d+: [^\n]*The call, from: flushSync/);
  });

  it.each([['repro', '--seed', '2'], ['run', '--seeds', '50', '--jobs', '1']])('ends the process when it spins in this thread, where nothing can end it alone (%s)', async (...args) => {
    const ended = await powercut(args[0]!, '--target', 'test/targets/fixtures/retries-after-crash.ts', ...args.slice(1), '--seed-timeout', '4');
    expect(ended.signal).toBe('SIGKILL');
    expect(ended.stderr).toMatch(/keeps calling fs after the simulated process died[^\n]*so powercut ends the process here \(SIGKILL, exit status 137\)/);
  });
});

describe('an engine whose recovery spins on its own padding', () => {
  it('ends the worker of each spinning seed, says where it spins, and the campaign goes on to report them as liveness violations, not as no I/O, nor as a plan to shrink', async () => {
    const ended = await powercutWith({ PADDING_BUG: 'spin' }, 'run', '--engine', 'test/cli/fixtures/spins-in-recovery-engine.ts', '--scenario', 'wal-append', '--seeds', '2', '--jobs', '2', '--seed-timeout', '2');
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(1);
    // wal-append's own plans schedule faults: still the seed's, not a plan made from it; and the
    // switch the run read (after its label was first written) is in the command.
    expect(ended.stderr).toMatch(/^powercut: a run of seed 1 \(scenario wal-append\); `PADDING_BUG=spin [^`]* repro --engine test\/cli\/fixtures\/spins-in-recovery-engine\.ts --scenario wal-append --seed 1` runs that seed alone: it has given the simulated world no turn/m);
    expect(ended.stdout).toMatch(/^violations: 2 of 2 seeds failed/m);
    expect(ended.stdout).toMatch(/seed 1: the run spins in scan \(test\/cli\/fixtures\/spins-in-recovery-engine\.ts:29:\d+\) < open \(test\/cli\/fixtures\/spins-in-recovery-engine\.ts:\d+:\d+\): it gave the simulated world no turn for --seed-timeout \(2 s of wall time\)/);
    expect(ended.stdout).toMatch(/^next: rerun the first root cause: /m);
    expect(ended.stderr).not.toMatch(/reached the simulated disk/);
    // The same engine with its switch on the fix never spins: its seeds return, and are judged
    // as any engine's (this one's preallocated log has bugs of its own).
    const fixed = await powercutWith({ PADDING_BUG: 'fixed' }, 'run', '--engine', 'test/cli/fixtures/spins-in-recovery-engine.ts', '--scenario', 'wal-append', '--seeds', '2', '--jobs', '2', '--seed-timeout', '2');
    expect(fixed.signal).toBeNull();
    expect(fixed.stdout).toMatch(/^seeds run: 2 /m);
    expect(`${fixed.stdout}${fixed.stderr}`).not.toMatch(/spins in |no turn|\[liveness\]/);
  });

  it('ends the process when it spins in this thread (--jobs 1), with one line saying where', async () => {
    const ended = await powercutWith({ PADDING_BUG: 'spin' }, 'run', '--engine', 'test/cli/fixtures/spins-in-recovery-engine.ts', '--scenario', 'wal-append', '--seeds', '2', '--jobs', '1', '--seed-timeout', '2');
    expect(ended.signal).toBe('SIGKILL');
    expect(ended.stderr).toMatch(/^powercut: a run of seed 1 \(scenario wal-append\); `PADDING_BUG=spin [^`]* repro [^`]*--seed 1` runs that seed alone: it has given the simulated world no turn \(no I\/O, no timer\) for \d+ s of wall time: the code under test spins in scan \(test\/cli\/fixtures\/spins-in-recovery-engine\.ts:29:\d+\) < open \(test\/cli\/fixtures\/spins-in-recovery-engine\.ts:\d+:\d+\) \(a loop[^\n]*, so powercut ends the process here \(SIGKILL, exit status 137\)/m);
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
    expect(ended.stderr).not.toMatch(/no turn/);
    expect(ended.signal).toBeNull();
    expect(ended.code).toBe(0);
  });

  it('never takes a run that lasts past the limit for a spin while it gives the world a turn between its stretches of work, even in this thread', async () => {
    // 10 operations of 300 ms each: 3 s of wall time against a limit of 2 s.
    const ended = await powercut('run', '--target', 'test/targets/fixtures/slow-but-busy.ts', '--seeds', '1', '--jobs', '1', '--seed-timeout', '2');
    expect(ended.stderr).not.toMatch(/no turn/);
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
