/**
 * `powercut exec` and `powercut power-loss`: the preload (facade/preload.ts) from the command
 * line. `exec` runs an unmodified Node program with the simulated disk under `--root`, kept in
 * the image file `--image` between runs; `power-loss` cuts the power on that image between two
 * runs. A shell script can then do: run the writer, cut the power, run the checker.
 *
 * Exit code of `exec`: the program's own, or 137 (as a shell reports a SIGKILL) when a simulated
 * crash killed it; the preload's status (outcome, faults fired, crash state) is printed on
 * stderr after a crash, and written to `--status FILE` when asked.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { powerLossImage, preloadEnvOf, preloadPath } from '../../facade/index.ts';
import { preloadEnv } from '../../facade/index.ts';
import { readStatusFile } from '../../facade/index.ts';
import { crashStateWords, DiskImageError } from '../../sim/index.ts';
import type { FaultProfile } from '../../sim/index.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { integerOption } from '../options.ts';

/** What a shell reports for a process killed by SIGKILL (128 + 9). */
export const killedExitCode = 137;

interface ExecFlags {
  readonly root: string;
  readonly image: string;
  readonly seed: number;
  readonly faults?: string;
  readonly crashState?: number;
  readonly status?: string;
}

function parseFaults(text: string | undefined): Partial<FaultProfile> | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Partial<FaultProfile>;
  } catch (error) {
    throw new UsageError(`--faults is not JSON: ${(error as Error).message}`);
  }
}

/** The program must be a file: anything else is bad input, said in one line before a child starts. */
function checkProgram(program: string): void {
  let isFile = false;
  try {
    isFile = statSync(program).isFile();
  } catch {
    throw new UsageError(`${program}: no such file`);
  }
  if (!isFile) throw new UsageError(`${program}: not a file (give the program's .js, .mjs or .cjs file)`);
}

/** Runs the program with the preload, its output passed through. @returns the exit code */
async function exec(program: string, args: readonly string[], flags: ExecFlags): Promise<number> {
  checkProgram(program);
  const statusDir = mkdtempSync(join(tmpdir(), 'powercut-exec-'));
  const statusPath = join(statusDir, 'status.json');
  try {
    const faults = parseFaults(flags.faults);
    const env = {
      ...process.env,
      ...preloadEnvOf({ root: flags.root, image: flags.image, seed: flags.seed, ...(faults ? { faults } : {}), ...(flags.crashState !== undefined ? { crashState: flags.crashState } : {}) }),
      [preloadEnv.status]: statusPath,
    };
    const child = spawn(process.execPath, ['--import', preloadPath, program, ...args], { env, stdio: 'inherit' });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    const status = readStatusFile(statusPath);
    if (flags.status !== undefined && status !== undefined) copyFileSync(statusPath, flags.status);
    if (status !== undefined && status.outcome !== 'normal-exit') {
      const fired = status.faultsFired.map((fault) => `${fault.kind}@${fault.io}`).join(', ');
      process.stderr.write(`powercut exec: the program died by a simulated ${status.outcome} (faults fired: ${fired || 'none'}${status.crashState === null ? '' : `; crash state ${status.crashState}: ${crashStateWords(status.crashState)}`}); the disk is saved in ${flags.image}\n`);
    }
    if (signal !== null) return signal === 'SIGKILL' ? killedExitCode : exitCodes.harness;
    return code ?? exitCodes.harness;
  } finally {
    rmSync(statusDir, { recursive: true, force: true });
  }
}

/** Registers `exec` and `power-loss` on `program`. */
export function registerExec(program: Command): void {
  program.command('exec')
    .description('run an unmodified Node program with the simulated disk under --root, kept in the image file --image between runs')
    .argument('<program>', 'the program (a .js/.mjs/.cjs file)')
    .argument('[args...]', 'its arguments (put -- before them)')
    .requiredOption('--root <path>', 'the absolute path that is simulated (it need not exist on the real disk)')
    .requiredOption('--image <file>', 'the real file that holds the simulated disk (missing: an empty disk)')
    .option('--seed <s>', 'seed of faults and crash states', integerOption(0), 0)
    .option('--faults <json>', 'a fault profile\'s fields as JSON, e.g. \'{"scheduled":[{"io":12,"kind":"power-loss"}]}\' or \'{"rates":{"power-loss":0.05}}\'')
    .option('--crash-state <n>', 'crash state of a simulated power loss (0 random, 1 nothing unsynced, 2 everything, 3 names without data, 4 data without names)', integerOption(0))
    .option('--status <file>', 'write the preload\'s status (outcome, faults fired, I/O indexes, crash state, digest) as JSON')
    .addHelpText('after', `\nExit code: the program's own; ${killedExitCode} when a simulated crash killed it; 2 for bad settings.`)
    .action(async (script: string, args: string[], flags: ExecFlags) => {
      process.exitCode = await exec(script, args, flags);
    });

  program.command('power-loss')
    .description('cut the power on a disk image between two runs of `powercut exec`: unsynced data and names may be lost or torn')
    .requiredOption('--image <file>', 'the disk image')
    .option('--seed <s>', 'seed of the crash\'s random choices', integerOption(0), 0)
    .option('--crash-state <n>', '0 random, 1 nothing unsynced kept, 2 everything kept, 3 names without data, 4 data without names', integerOption(0), 0)
    .action((flags: { image: string; seed: number; crashState: number }) => {
      try {
        const report = powerLossImage(flags.image, flags.seed, flags.crashState);
        const garbage = [...report.garbage.entries()].map(([path, ranges]) => `${path} (${ranges.length} ranges)`);
        console.log(`power cut on ${flags.image} (crash state ${report.crashState}: ${crashStateWords(report.crashState)})${garbage.length > 0 ? `; garbage written in ${garbage.join(', ')}` : ''}`);
      } catch (error) {
        if (error instanceof DiskImageError) throw new UsageError(error.message);
        throw error;
      }
    });
}
