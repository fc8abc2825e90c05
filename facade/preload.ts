/**
 * The preload: makes an unmodified Node program, run as its own process, see the simulated disk
 * under a root, and keeps that disk in a real image file between processes. Loaded by
 * bin/powercut-preload.mjs (`node --import /path/to/powercut/bin/powercut-preload.mjs app.js`),
 * which registers tsx for this module only; facade/child.ts starts such processes for tests.
 *
 * Environment variables:
 * - `POWERCUT_ROOT` (required): the absolute path under which files are simulated (not `/`).
 *   Nothing under it touches the real disk; everything else does, unchanged.
 * - `POWERCUT_IMAGE` (required): the real file that holds the simulated disk, outside the root.
 *   A missing file is an empty disk. It is rewritten when the process ends.
 * - `POWERCUT_SEED`: the seed of every random choice (faults, crash states). @defaultValue 0
 * - `POWERCUT_FAULTS`: a JSON object with fields of a fault profile (`rates`, `scheduled`,
 *   `fsyncFailureMode`, `sectorBytes`, `sectorWrites`, `capacityBytes`, `phases`), e.g.
 *   `{"scheduled":[{"io":12,"kind":"kill-9"}]}`. `scheduled[].io` is the global I/O index,
 *   counted across every process that used the image. @defaultValue no faults
 * - `POWERCUT_CRASH_STATE`: after a simulated power loss, the crash state to apply (0..4, see
 *   sim/disk/crash-policy.ts; k >= 5 another seeded random state). @defaultValue drawn from the
 *   seed and the incarnation, among 0..4
 * - `POWERCUT_STATUS`: a real file where the process writes its {@link PreloadStatus} (JSON) when
 *   it ends: outcome, exit code, faults fired, I/O indexes, crash state, trace digest.
 * A bad setting (or an unreadable image) prints one line on stderr and exits with code 2.
 *
 * Each process is one incarnation of the simulated machine. Its fault streams are forked from
 * the seed and its incarnation number (carried in the image), so the same image, seed and
 * settings give the same run. When the process ends on its own (the `exit` event, after every
 * other `exit` listener, any exit code) the image is saved as the OS would leave the disk: the
 * page cache survives a process exit, and unsynced data stays unsynced, so a power loss in a
 * later incarnation (or facade/child.ts `powerLossImage`) can still lose it. When a simulated
 * crash fires (kill-9 or power loss), the crash is applied to the disk at once (a power loss in
 * the chosen crash state), the image and status are saved, and the process kills itself with
 * SIGKILL, so its parent sees a kill -9 and the program runs no further.
 *
 * Not covered: a process killed by a real signal saves nothing (its changes since it started are
 * lost); worker threads do not load `--import` preloads, so a worker's fs calls reach the real
 * disk even under the root (and a worker given the preload explicitly is refused: it would see a
 * disk of its own); two processes must not use one image at the same time (the last to end
 * wins), so the preload deletes its variables from `process.env` once read, and a child process
 * of the program that inherits the preload stops with code 2.
 */
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';
import { DiskImageError, type DiskImage } from '../sim/index.ts';
import { namedCrashStates, SimWorld, type CrashKind } from '../sim/index.ts';
import { installFacade } from './install.ts';
import { preloadEnv, PreloadConfigError, readPreloadConfig, type PreloadConfig } from './preload-config.ts';
import { preloadStatusFormat, readImageFile, writeImageFile, writeStatusFile, type PreloadStatus } from './preload-files.ts';

/** Prints one line and exits with code 2: the configuration is wrong, nothing ran. */
function refuse(message: string): never {
  // One line, even when the message quotes a file (JSON.parse errors do).
  process.stderr.write(`powercut preload: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(2);
}

function start(): void {
  if (!isMainThread) throw new Error('powercut preload: worker threads are not simulated (a worker would see a disk of its own)');
  let config: PreloadConfig;
  try {
    config = readPreloadConfig(process.env, process.cwd());
  } catch (error) {
    if (error instanceof PreloadConfigError) refuse(error.message);
    throw error;
  }
  // A process the program starts must not open the same image while this one has it: with the
  // variables gone, a child that inherits the preload (`fork` passes execArgv on) stops with
  // code 2 instead of writing outside the simulation or over this process's disk.
  for (const name of Object.values(preloadEnv)) delete process.env[name];
  let world: SimWorld;
  try {
    const image = readImageFile(config.imagePath) as DiskImage | undefined;
    world = new SimWorld({ seed: config.seed, faults: config.faults, image, onCrash: (kind) => crashed(kind) });
  } catch (error) {
    if (error instanceof DiskImageError) refuse(`${preloadEnv.image} ${config.imagePath}: ${error.message}`);
    throw error;
  }
  const incarnation = world.kernel.incarnation;
  const ioFirst = world.ioCount;
  let ended = false;

  const save = (outcome: PreloadStatus['outcome'], exitCode: number | null, crashState: number | null): void => {
    writeImageFile(config.imagePath, world.exportImage());
    if (config.statusPath === undefined) return;
    writeStatusFile(config.statusPath, {
      format: preloadStatusFormat,
      version: 1,
      outcome,
      exitCode,
      seed: config.seed,
      incarnation,
      ioFirst,
      ioCount: world.ioCount,
      faultsFired: [...world.faultsFired],
      crashState,
      traceDigest: world.trace.digest(),
    });
  };

  /** A simulated crash fired inside an fs call: apply it, save, and die like a kill -9. */
  function crashed(kind: CrashKind): void {
    ended = true;
    const crashState = kind === 'power-loss'
      ? config.crashState ?? world.stream(`preload/crash-state/${incarnation}`).int(namedCrashStates)
      : null;
    try {
      world.restart({ crashState: crashState ?? 0 });
      save(kind, null, crashState);
    } catch (error) {
      process.stderr.write(`powercut preload: cannot save the disk image after a ${kind}: ${(error as Error).message}\n`);
    }
    process.kill(process.pid, 'SIGKILL');
  }

  /** The process ends on its own: the OS keeps the page cache; a new incarnation starts later. */
  const exited = (code: unknown): void => {
    ended = true;
    world.restart();
    save('normal-exit', typeof code === 'number' ? code : 0, null);
  };

  installFacade(world, config.root);
  // Saving from an `exit` listener of our own would run before the program's own listeners,
  // whose writes would then be lost; wrapping emit saves after every listener has run.
  const emit = process.emit;
  process.emit = function emitThenSave(this: NodeJS.Process, event: string | symbol, ...args: unknown[]): boolean {
    try {
      return (emit as (...all: unknown[]) => boolean).call(this, event, ...args);
    } finally {
      if (event === 'exit' && !ended) exited(args[0]);
    }
  } as NodeJS.Process['emit'];
}

start();
