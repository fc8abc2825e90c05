/**
 * Swarm testing (TigerBeetle, FoundationDB): every engine fault kind, with rates drawn per seed
 * (media damage rarely, from a stream of its own), a random subset of fault kinds and step kinds
 * turned off, and random engine settings, so that different seeds explore very different
 * corners. Overlap steps and late writes are drawn last, from the same stream, so every other
 * draw of a seed is what it was before they existed.
 */
import { enginePhases } from '../engine/types.ts';
import { facadeFaultKinds, faultKinds, ioClasses, mediaFaultKinds, Rng, type FaultKind } from '../sim/index.ts';
import { defaultShape, generateSteps, type StepWeights } from '../sim/index.ts';
import { drawCrashStates, makePlan, secondLooks, streams, withoutKillAfterExt4FsyncErrors, type Scenario } from './scenario.ts';

/** Kinds added after the swarm's draws were fixed: each is drawn from a stream of its own (below). */
const laterKinds: readonly FaultKind[] = ['dir-sync-error', 'write-error'];

export const swarm: Scenario = {
  name: 'swarm',
  description: 'every fault kind at rates drawn per seed, random subsets of faults and operations disabled',
  targets: { phases: enginePhases, io: ioClasses, faults: ['power-loss', 'kill-9'] },
  plan(seed) {
    const { workload, params } = streams(seed);
    const rates: Partial<Record<FaultKind, number>> = {};
    // The facade's kinds never reach an engine, and the media kinds are drawn apart (below):
    // skipping both keeps each seed's draws as they were.
    for (const kind of faultKinds) {
      if (!facadeFaultKinds.includes(kind) && !mediaFaultKinds.includes(kind) && !laterKinds.includes(kind) && params.chance(0.6)) {
        rates[kind] = 0.04 * params.next() ** 2;
      }
    }
    // Media damage is rare (one seed in ten per kind) and drawn from a stream of its own, so a
    // seed that draws none runs exactly as before the kinds existed.
    const media = new Rng(seed).fork('swarm-media');
    for (const kind of mediaFaultKinds) if (media.chance(0.1)) rates[kind] = 0.02 * media.next() ** 2;
    // So is a failed directory fsync (three seeds in ten), at a higher rate: a seed syncs a
    // directory a few dozen times, where it does hundreds of other I/Os.
    const later = new Rng(seed).fork('swarm-dir-sync');
    if (later.chance(0.3)) rates['dir-sync-error'] = 0.15 * later.next() ** 2;
    // And a failed write (two seeds in ten), from a stream of its own too.
    const writes = new Rng(seed).fork('swarm-write-error');
    if (writes.chance(0.2)) rates['write-error'] = 0.03 * writes.next() ** 2;
    const weights: StepWeights = {
      commit: 10, concurrent: params.chance(0.5) ? 3 : 0, get: params.chance(0.8) ? 3 : 0,
      checkpoint: params.chance(0.7) ? 1 + params.int(3) : 0, sync: params.chance(0.7) ? 1 : 0,
      reopen: params.chance(0.7) ? 1 : 0, crash: params.chance(0.5) ? 1 : 0,
    };
    const sync = params.pick(['strict', 'group', 'none'] as const);
    const engine = {
      sync, segmentSizeBytes: 256 * (1 + params.int(8)), walSizeBytesMax: 1024 * (2 + params.int(16)),
      groupCommitMaxDelayMs: params.int(3), groupCommitMaxBatch: 1 + params.int(16), sidecarEveryFrames: params.int(4),
    };
    const faults = { rates, fsyncFailureMode: params.pick(['ext4', 'btrfs', 'sticky'] as const), sectorBytes: params.pick([512, 4096] as const) };
    const latency = params.chance(0.3) ? { latency: { ioMsMax: 1 + params.int(3) } } : {};
    const shape = { ...defaultShape, steps: 20 + params.int(40), keys: 4 + params.int(40), valueBytesMax: 16 + params.int(300) };
    const crashStates = drawCrashStates(params, 16);
    const overlap = params.chance(0.4) ? 1 + params.int(3) : 0;
    const reorder = params.chance(0.3) ? { reorder: { lateWriteProbability: 0.1 + 0.4 * params.next() } } : {};
    return withoutKillAfterExt4FsyncErrors(makePlan(this.name, seed, {
      engine, faults, ...latency, ...reorder,
      steps: generateSteps(workload, { ...shape, weights: { ...weights, overlap } }),
      crashStates,
      looks: secondLooks,
    }));
  },
};
