/**
 * Seeds the regression corpus (scenarios/regressions/) from planted bugs: for each bug, loads a
 * copy of the engine with the bug planted (test/sim/planted.ts), runs the given scenario seed,
 * shrinks the failure, checks that the clean engine passes the shrunk plan, and writes the entry.
 * Run with `npx tsx bench/seed-regressions.ts`; it rewrites the entries it names, nothing else.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findScenario } from '../scenarios/index.ts';
import { engineSubject } from '../scenarios/engine-subject.ts';
import { referenceEngine } from '../sim/index.ts';
import { planSize } from '../sim/index.ts';
import { regressionEntry, stableJson } from '../harness/index.ts';
import { runPlan } from '../sim/index.ts';
import { shrinkPlan } from '../harness/index.ts';
import { loadPlanted, plantedBug } from '../test/sim/planted.ts';

const corpusDir = resolve(import.meta.dirname, '../scenarios/regressions');

/** One entry to produce: the bug, where it was found, and what the entry says about it. */
const sources = [
  {
    bug: 'enospc-cut-unsynced', scenario: 'disk-full', seed: 3,
    found: 'Real bug, found by the disk-full scenario (seed 3): after ENOSPC the engine cut the partial frame off the active segment but did not fsync the cut before sealing the segment, so a power loss brought the torn frame back inside a segment recorded as fully synced and recovery refused it as corruption. Fixed in d6936b7 (Store.activeDirty: a cut is a change that syncActive must fsync). Shrunk with the fix reverted in a copy of the engine.',
  },
  {
    bug: 'segment-no-dirsync', scenario: 'wal-append', seed: 3,
    found: 'Planted: createSegment renamed a new segment into place without fsyncing the directory, so a power loss could drop the segment name together with acknowledged commits in it. The engine publishes segments with publishFile (rename, then syncDir).',
  },
  {
    bug: 'stage-no-fsync', scenario: 'checkpoint-prune', seed: 1,
    found: 'Planted: stageFile renamed a temporary file over the manifest (or a snapshot) without fsyncing its data, so a power loss left a named but empty or torn file and recovery refused a store that had lost nothing it acknowledged. stageFile fsyncs before publishFile renames.',
  },
  {
    bug: 'enospc-resurrect', scenario: 'disk-full', seed: 28,
    found: 'Real bug, found by swarm seed 4125 (none mode) and reached since by the disk-full scenario (seed 28 in none mode, seed 3 in group mode): a short write of a group landed whole frames, the engine cut them off again and rejected the commits with DiskFullError (commitOutcome absent), but did not fsync the cut; a power loss kept the write and lost the cut, and recovery replayed commits reported absent. Fixed: handleWriteError fsyncs the cut (syncActive) before rejecting; if that fsync fails the store fails and the commits are in doubt. Shrunk with the fix reverted in a copy of the engine.',
  },
  {
    bug: 'failed-close-resolves', scenario: 'fsync-failure', seed: 430,
    found: 'Real bug, found by the fsync-failure scenario (seed 430): a sidecar fsync failed after its commit was acknowledged, which failed the store silently; close() then released the files and resolved like a clean close, so the caller took unsynced commits for durable. Fixed: closing a failed store rejects with StoreFailedError. Shrunk with the fix reverted in a copy of the engine.',
  },
  {
    bug: 'write-error-ignored', scenario: 'write-failure', seed: 6,
    found: 'Planted: only ENOSPC from a WAL write was handled; an EIO was taken for a transient error, so the commits were fsynced and acknowledged with their frames never written, and the next frames landed after a hole of zeros that recovery refused. The engine fails the store on any write error but ENOSPC, the commits in doubt.',
  },
] as const;

const only = process.argv[2];
for (const source of sources.filter((candidate) => only === undefined || candidate.bug === only)) {
  const sut = await loadPlanted(plantedBug(source.bug));
  const plan = findScenario(source.scenario)!.plan(source.seed);
  const shrunk = await shrinkPlan(engineSubject(sut), plan);
  if (!shrunk.violation) throw new Error(`${source.bug}: ${source.scenario} seed ${source.seed} does not fail`);
  const clean = await runPlan(shrunk.plan, referenceEngine);
  if (clean.violations.length > 0) throw new Error(`${source.bug}: the clean engine fails the shrunk plan: ${clean.violations[0]!.message}`);
  const name = `${source.bug}`;
  const file = join(corpusDir, `${name}.json`);
  await writeFile(file, stableJson(regressionEntry(name, source.found, shrunk.plan)));
  console.log(`${file}: ${shrunk.violation.invariant}; ${JSON.stringify(shrunk.before)} -> ${JSON.stringify(planSize(shrunk.plan))} in ${shrunk.runs} runs`);
}
