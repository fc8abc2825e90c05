/**
 * The preload's configuration, read from environment variables (see facade/preload.ts for what
 * each one does). Everything is checked before the facade is installed, because a preload
 * that guessed at a misspelt setting would run a different experiment than the one asked for:
 * every problem is a {@link PreloadConfigError} whose message is one line naming the variable.
 */
import { isAbsolute, resolve } from 'node:path';
import { enginePhases } from '../engine/types.ts';
import { noFaults, type FaultProfile } from '../sim/index.ts';
import { blockSizes, faultKinds, type FaultKind } from '../sim/index.ts';

/** The environment variables the preload reads. */
export const preloadEnv = {
  root: 'POWERCUT_ROOT',
  image: 'POWERCUT_IMAGE',
  seed: 'POWERCUT_SEED',
  faults: 'POWERCUT_FAULTS',
  crashState: 'POWERCUT_CRASH_STATE',
  status: 'POWERCUT_STATUS',
} as const;

/** The preload's settings, checked. */
export interface PreloadConfig {
  /** The simulated root: absolute, normalised, not `/`. */
  readonly root: string;
  /** Real path of the disk image (absolute). */
  readonly imagePath: string;
  /** @defaultValue 0 */
  readonly seed: number;
  /** `POWERCUT_FAULTS` over {@link noFaults}. */
  readonly faults: FaultProfile;
  /** The crash state of a power loss; undefined: drawn from the seed. */
  readonly crashState: number | undefined;
  /** Real path of the status file (absolute), if asked for. */
  readonly statusPath: string | undefined;
}

/** A setting the preload cannot use. The message is one line naming the variable. */
export class PreloadConfigError extends Error {
  override readonly name = 'PreloadConfigError';
  readonly code = 'POWERCUT_BAD_CONFIG';
}

const faultFields = ['rates', 'fsyncFailureMode', 'sectorBytes', 'sectorWrites', 'capacityBytes', 'blockBytes', 'scheduled', 'phases'];
const phaseNames: readonly string[] = [...enginePhases, 'other'];

function fail(variable: string, problem: string): never {
  throw new PreloadConfigError(`${variable} ${problem}`);
}

function natural(text: string, variable: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) fail(variable, `must be an integer >= 0, found ${JSON.stringify(text)}`);
  return value;
}

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/**
 * Reads the preload's settings.
 * @param env - the environment (`process.env`)
 * @param cwd - the directory relative image and status paths are resolved against
 * @throws {@link PreloadConfigError} naming the first variable that is wrong
 */
export function readPreloadConfig(env: Readonly<Record<string, string | undefined>>, cwd: string): PreloadConfig {
  const rootText = env[preloadEnv.root];
  if (rootText === undefined || rootText === '') fail(preloadEnv.root, 'is not set (the absolute path under which the disk is simulated)');
  if (!isAbsolute(rootText)) fail(preloadEnv.root, `must be an absolute path, found ${JSON.stringify(rootText)}`);
  const root = resolve(rootText);
  if (root === '/') fail(preloadEnv.root, 'must not be / (Node must still load modules from the real disk)');

  const imageText = env[preloadEnv.image];
  if (imageText === undefined || imageText === '') fail(preloadEnv.image, 'is not set (the real file that holds the simulated disk)');
  const imagePath = resolve(cwd, imageText);
  if (isUnder(imagePath, root)) fail(preloadEnv.image, `must be outside ${preloadEnv.root} (it lives on the real disk), found ${JSON.stringify(imagePath)}`);

  const seedText = env[preloadEnv.seed];
  const seed = seedText === undefined || seedText === '' ? 0 : natural(seedText, preloadEnv.seed);

  const faultsText = env[preloadEnv.faults];
  const faults = faultsText === undefined || faultsText === '' ? noFaults() : parseFaults(faultsText);

  const crashText = env[preloadEnv.crashState];
  const crashState = crashText === undefined || crashText === '' ? undefined : natural(crashText, preloadEnv.crashState);

  const statusText = env[preloadEnv.status];
  const statusPath = statusText === undefined || statusText === '' ? undefined : resolve(cwd, statusText);
  if (statusPath !== undefined && isUnder(statusPath, root)) fail(preloadEnv.status, `must be outside ${preloadEnv.root}, found ${JSON.stringify(statusPath)}`);

  return { root, imagePath, seed, faults, crashState, statusPath };
}

/** `POWERCUT_FAULTS`: a JSON object with some fields of a {@link FaultProfile}. */
function parseFaults(text: string): FaultProfile {
  const variable = preloadEnv.faults;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(variable, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(variable, 'must be a JSON object (fields of a fault profile)');
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!faultFields.includes(key)) fail(variable, `has unknown field ${JSON.stringify(key)} (known: ${faultFields.join(', ')})`);
  const { rates, fsyncFailureMode, sectorBytes, sectorWrites, capacityBytes, blockBytes, scheduled, phases } = fields;
  if (rates !== undefined) {
    if (typeof rates !== 'object' || rates === null || Array.isArray(rates)) fail(variable, 'rates must be an object');
    for (const [kind, rate] of Object.entries(rates)) {
      if (!faultKinds.includes(kind as FaultKind)) fail(variable, `rates has unknown fault kind ${JSON.stringify(kind)}`);
      if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) fail(variable, `rates.${kind} must be a probability between 0 and 1`);
    }
  }
  if (fsyncFailureMode !== undefined && !['ext4', 'btrfs', 'sticky'].includes(fsyncFailureMode as string)) fail(variable, 'fsyncFailureMode must be "ext4", "btrfs" or "sticky"');
  if (sectorBytes !== undefined && sectorBytes !== 512 && sectorBytes !== 4096) fail(variable, 'sectorBytes must be 512 or 4096');
  if (sectorWrites !== undefined && sectorWrites !== 'torn' && sectorWrites !== 'atomic') fail(variable, 'sectorWrites must be "torn" or "atomic"');
  if (capacityBytes !== undefined && !(typeof capacityBytes === 'number' && Number.isSafeInteger(capacityBytes) && capacityBytes >= 0)) {
    fail(variable, 'capacityBytes must be an integer >= 0');
  }
  if (blockBytes !== undefined && !blockSizes.includes(blockBytes as number)) fail(variable, `blockBytes must be one of ${blockSizes.join(', ')}`);
  if (scheduled !== undefined) {
    if (!Array.isArray(scheduled)) fail(variable, 'scheduled must be an array');
    scheduled.forEach((fault: unknown, i) => {
      const entry = fault as Record<string, unknown> | null;
      if (typeof entry !== 'object' || entry === null) fail(variable, `scheduled[${i}] must be an object { io, kind, arg? }`);
      for (const key of Object.keys(entry)) if (!['io', 'kind', 'arg'].includes(key)) fail(variable, `scheduled[${i}] has unknown field ${JSON.stringify(key)}`);
      if (!(typeof entry['io'] === 'number' && Number.isSafeInteger(entry['io']) && entry['io'] >= 0)) fail(variable, `scheduled[${i}].io must be an integer >= 0`);
      if (!faultKinds.includes(entry['kind'] as FaultKind)) fail(variable, `scheduled[${i}].kind must be one of ${faultKinds.join(', ')}`);
      if (entry['arg'] !== undefined && typeof entry['arg'] !== 'number') fail(variable, `scheduled[${i}].arg must be a number`);
    });
  }
  if (phases !== undefined) {
    if (!Array.isArray(phases) || !phases.every((phase) => phaseNames.includes(phase as string))) fail(variable, `phases must be an array of ${phaseNames.join(', ')}`);
  }
  return noFaults(fields as Partial<FaultProfile>);
}
