/** The scenario catalogue. The default campaign runs all of them. */
import { checkpointPrune } from './checkpoint-prune.ts';
import { crashLoop } from './crash-loop.ts';
import { diskFull } from './disk-full.ts';
import { dirSyncFailure } from './dir-sync-failure.ts';
import { fsyncFailure } from './fsync-failure.ts';
import { groupCommit } from './group-commit.ts';
import { kill9Anywhere } from './kill9-anywhere.ts';
import { lostFile } from './lost-file.ts';
import { longHaul } from './long-haul.ts';
import { misdirectedWrite } from './misdirected-write.ts';
import { overlap } from './overlap.ts';
import { readCorruption } from './read-corruption.ts';
import { recoveryCrash } from './recovery-crash.ts';
import { rotation } from './rotation.ts';
import type { Scenario } from './scenario.ts';
import { sectorDamage } from './sector-damage.ts';
import { edgeValues } from './edge-values.ts';
import { sidecarRewrite } from './sidecar-rewrite.ts';
import { swarm } from './swarm.ts';
import { unorderedNames } from './unordered-names.ts';
import { walAppend } from './wal-append.ts';
import { writeFailure } from './write-failure.ts';

export type { Scenario } from './scenario.ts';

/** Every scenario, in a stable order. */
export const scenarios: readonly Scenario[] = [
  walAppend, sidecarRewrite, rotation, checkpointPrune, fsyncFailure, diskFull,
  kill9Anywhere, readCorruption, groupCommit, recoveryCrash, overlap, swarm,
  sectorDamage, misdirectedWrite, lostFile, edgeValues, unorderedNames, longHaul,
  dirSyncFailure, writeFailure, crashLoop,
];

/** The scenario called `name`, or `undefined`. */
export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((scenario) => scenario.name === name);
}
