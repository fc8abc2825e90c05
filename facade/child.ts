/**
 * The parent side of the preload (facade/preload.ts): start an unmodified Node program as a
 * child process on a simulated disk kept in an image file, read back how it ended, and force a
 * power loss on an image between two processes. A test of a program's durability reads:
 *
 * ```ts
 * const root = '/sim/app';
 * await runUnderFacade({ script: 'writer.js', root, image, seed });   // writes, exits
 * powerLossImage(image, seed, 3);                                     // the machine loses power
 * const check = await runUnderFacade({ script: 'checker.js', root, image, seed });
 * ```
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskImageError, type DiskImage } from '../sim/index.ts';
import { SimWorld, type FaultProfile, type PowerLossReport } from '../sim/index.ts';
import { packageRoot } from '../sim/index.ts';
import { preloadEnv } from './preload-config.ts';
import { readImageFile, readStatusFile, writeImageFile, type PreloadStatus } from './preload-files.ts';

/** Absolute path of the preload module, for `node --import <preloadPath>`. */
export const preloadPath = join(packageRoot, 'bin', 'powercut-preload.mjs');

/** The simulated disk a child process runs on, and the run's random choices. */
export interface PreloadSettings {
  /** The simulated root (absolute). */
  readonly root: string;
  /** Real path of the disk image; a missing file is an empty disk. */
  readonly image: string;
  /** @defaultValue 0 */
  readonly seed?: number;
  /** Fields of a fault profile. @defaultValue no faults */
  readonly faults?: Partial<FaultProfile>;
  /** Crash state of a simulated power loss. @defaultValue drawn from the seed */
  readonly crashState?: number;
}

/** Options of {@link runUnderFacade}. */
export interface RunUnderFacadeOptions extends PreloadSettings {
  /** The program: a JavaScript file (CommonJS or ESM). */
  readonly script: string;
  /** Arguments of the program. @defaultValue [] */
  readonly args?: readonly string[];
  /** Node flags before the preload's `--import`. @defaultValue [] */
  readonly nodeArgs?: readonly string[];
  /** Extra environment (over the parent's); a variable set to undefined is removed. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @defaultValue the parent's working directory */
  readonly cwd?: string;
  /** The child is killed (SIGKILL) after this long. @defaultValue 30_000 */
  readonly timeoutMs?: number;
}

/** How a child process ended. */
export interface ChildRun {
  /** The exit code, or null when a signal ended the process. */
  readonly exitCode: number | null;
  /** `SIGKILL` after a simulated crash (or the timeout), else null. */
  readonly signal: NodeJS.Signals | null;
  /** What the preload reported; undefined when it wrote nothing (bad configuration, real signal). */
  readonly status: PreloadStatus | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether the timeout killed it. */
  readonly timedOut: boolean;
}

/**
 * The preload's environment variables for `settings` (without `POWERCUT_STATUS`), for callers
 * that start the process themselves with `node --import` {@link preloadPath}.
 */
export function preloadEnvOf(settings: PreloadSettings): Record<string, string> {
  const env: Record<string, string> = {
    [preloadEnv.root]: settings.root,
    [preloadEnv.image]: settings.image,
    [preloadEnv.seed]: String(settings.seed ?? 0),
  };
  if (settings.faults !== undefined) env[preloadEnv.faults] = JSON.stringify(settings.faults);
  if (settings.crashState !== undefined) env[preloadEnv.crashState] = String(settings.crashState);
  return env;
}

/**
 * Runs `node --import <preload> script ...args` on the simulated disk and waits for it to end.
 * @param options - the program, the disk and its settings
 * @returns exit code, signal, the preload's status, and the output
 */
export async function runUnderFacade(options: RunUnderFacadeOptions): Promise<ChildRun> {
  const statusDir = mkdtempSync(join(tmpdir(), 'powercut-status-'));
  const statusPath = join(statusDir, 'status.json');
  const env: Record<string, string | undefined> = { ...process.env, ...preloadEnvOf(options), [preloadEnv.status]: statusPath, ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  try {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', preloadPath, options.script, ...(options.args ?? [])], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, sig) => resolve([code, sig]));
    }).finally(() => clearTimeout(timer));
    return { exitCode, signal, status: readStatusFile(statusPath), stdout, stderr, timedOut };
  } finally {
    rmSync(statusDir, { recursive: true, force: true });
  }
}

/**
 * A power loss between two processes: applies the crash to a saved image, in crash state
 * `crashState` (drawn from `seed` and the image's power-loss count), and saves it.
 * @param imagePath - real path of a disk image
 * @param seed - the seed of the crash's random choices
 * @param crashState - 0..4 (see sim/disk/crash-policy.ts), k >= 5 another seeded random state
 * @returns what the power loss wrote as garbage, by path
 * @throws {@link DiskImageError} when there is no image or it is malformed
 */
export function powerLossImage(imagePath: string, seed: number, crashState: number): PowerLossReport {
  const image = readImageFile(imagePath) as DiskImage | undefined;
  if (image === undefined) throw new DiskImageError(`${imagePath}: no such disk image`);
  const world = new SimWorld({ seed, image });
  world.crashNow('power-loss');
  world.restart({ crashState });
  writeImageFile(imagePath, world.exportImage());
  return world.lastPowerLoss!;
}
