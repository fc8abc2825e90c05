import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../../sim/types.ts';
import { drawFileOps, runFileOps } from '../../sim/file-workload.ts';
import { noFaults, SimWorld, type FaultProfile } from '../../sim/world.ts';

const allFaults: Partial<Record<FaultKind, number>> = {
  'kill-9': 0.003, 'power-loss': 0.003, 'fsync-error': 0.02, 'disk-full': 0.01, 'read-error': 0.02, 'bit-flip': 0.02,
  // The random file workload seldom reads a sector that is durable and untouched since its sync
  // (about 16 reads in 100 seeds), so sector damage strikes every one it can.
  'misdirected-write': 0.02, 'sector-damage': 1, 'lost-entry': 0.05,
};

/**
 * A random file workload through crashes: after each crash the world restarts and the workload
 * goes on with the ops it had not reached. Returns the trace digest and the world.
 */
async function runWorkload(seed: number, faults: FaultProfile, opCount = 60, latency = false): Promise<SimWorld> {
  const world = new SimWorld({ seed, faults, ...(latency ? { latency: { ioMsMax: 1 } } : {}) });
  const ops = drawFileOps(world.stream('workload'), opCount);
  for (let attempt = 0; attempt < 5; attempt++) {
    const outcome = await world.run(() => runFileOps(world.fs, '/w', ops.slice(attempt * 10)), { stepsMax: 100_000 });
    if (outcome.outcome === 'error') throw outcome.error;
    if (outcome.outcome !== 'crashed') break;
    world.restart();
  }
  return world;
}

describe('determinism', () => {
  it('gives identical digests for 1,000 seeds run twice', async () => {
    for (let seed = 0; seed < 1000; seed++) {
      const profile = noFaults({ rates: allFaults, sectorBytes: 512 });
      const first = await runWorkload(seed, profile, 30);
      const second = await runWorkload(seed, profile, 30);
      expect(second.trace.digest(), `seed ${seed}`).toBe(first.trace.digest());
    }
  });

  it('gives identical digests with latency on', async () => {
    for (let seed = 0; seed < 50; seed++) {
      const profile = noFaults({ rates: allFaults });
      expect((await runWorkload(seed, profile, 40, true)).trace.digest())
        .toBe((await runWorkload(seed, profile, 40, true)).trace.digest());
    }
  });

  it('gives a different digest for a different seed', async () => {
    const digests = new Set<string>();
    for (let seed = 0; seed < 50; seed++) digests.add((await runWorkload(seed, noFaults())).trace.digest());
    expect(digests.size).toBe(50);
  });

  it('draws the same workload whatever fault kinds are on', () => {
    const plain = new SimWorld({ seed: 77, faults: noFaults() });
    const faulty = new SimWorld({ seed: 77, faults: noFaults({ rates: allFaults }) });
    expect(drawFileOps(faulty.stream('workload'), 200)).toEqual(drawFileOps(plain.stream('workload'), 200));
  });

  it('fires the other fault kinds at the same I/Os when one kind is turned off', async () => {
    // Without crashes the I/O sequence is the same, so the read-error stream must fire at the same places.
    const withBoth = await runWorkload(8, noFaults({ rates: { 'read-error': 0.05, 'fsync-error': 0.05 }, fsyncFailureMode: 'sticky' }), 200);
    const alone = await runWorkload(8, noFaults({ rates: { 'read-error': 0.05 } }), 200);
    const readErrors = (w: SimWorld): number[] => w.faultsFired.filter((f) => f.kind === 'read-error').map((f) => f.io);
    expect(readErrors(withBoth).length).toBeGreaterThan(0);
    expect(readErrors(alone)).toEqual(readErrors(withBoth));
  });

  it('replays a run with rates as the same run with only its fired faults scheduled', async () => {
    let replayed = 0;
    for (let seed = 0; seed < 200; seed++) {
      const profile = noFaults({ rates: allFaults, fsyncFailureMode: (['ext4', 'btrfs', 'sticky'] as const)[seed % 3] });
      const original = await runWorkload(seed, profile, 80);
      if (original.faultsFired.length === 0) continue;
      replayed++;
      const replay = await runWorkload(seed, { ...profile, rates: {}, scheduled: original.faultsFired }, 80);
      expect(replay.trace.digest(), `seed ${seed}`).toBe(original.trace.digest());
      expect(replay.faultsFired).toEqual(original.faultsFired);
    }
    expect(replayed).toBeGreaterThan(50);
  });

  it('fires every fault kind in a random workload', async () => {
    const counts: Record<string, number> = {};
    for (let seed = 0; seed < 100; seed++) {
      // The workload reads seldom (about 4 reads a fault may strike in 100 seeds), so read faults are likelier here.
      const world = await runWorkload(seed, noFaults({ rates: { ...allFaults, 'read-error': 0.2, 'bit-flip': 0.2 }, sectorBytes: 512 }), 80);
      for (const [kind, n] of Object.entries(world.faultCounts)) counts[kind] = (counts[kind] ?? 0) + n;
    }
    for (const kind of Object.keys(allFaults)) expect(counts[kind], kind).toBeGreaterThan(0);
  });

  it('keeps the last 200 events in digest mode and every event in full mode', async () => {
    const world = new SimWorld({ seed: 1, trace: 'full' });
    await world.run(() => runFileOps(world.fs, '/w', drawFileOps(world.stream('workload'), 300)));
    const digestOnly = new SimWorld({ seed: 1 });
    await digestOnly.run(() => runFileOps(digestOnly.fs, '/w', drawFileOps(digestOnly.stream('workload'), 300)));
    expect(digestOnly.trace.digest()).toBe(world.trace.digest());
    expect(digestOnly.trace.events).toEqual([]);
    expect(digestOnly.trace.recent).toEqual(world.trace.events.slice(-200));
    expect(world.trace.events.length).toBe(world.trace.length);
  });
});
