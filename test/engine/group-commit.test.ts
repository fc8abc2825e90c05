/**
 * Durability modes: how many fsyncs a burst of commits costs, and when commits are acknowledged.
 * In the simulator, on virtual time, so the counts are exact and do not depend on how fast the
 * machine or its disk is (on real timers a group's size is whatever arrived in time).
 */
import { describe, expect, it } from 'vitest';
import { sleep } from '../../engine/ports/clock.ts';
import { Store } from '../../engine/store.ts';
import type { StoreOptions } from '../../engine/types.ts';
import { SimWorld } from '../../sim/index.ts';

const burst = 16;
const encoder = new TextEncoder();
const inCallOrder = Array.from({ length: burst }, (_, i) => i + 1);

interface Burst {
  readonly lsns: number[];
  /** Segment fsyncs (datasync) the burst cost. */
  readonly datasyncs: number;
  /** Virtual time when the last commit was acknowledged. */
  readonly doneAtMs: number;
  readonly store: Store;
  readonly world: SimWorld;
}

/**
 * Opens a store and commits `burst` single puts, all at once or one every `staggerMs`, counting
 * the fsyncs after the open (recovery's own fsyncs are not the subject).
 */
async function commitBurst(options: Partial<StoreOptions>, staggerMs = 0): Promise<Burst> {
  const world = new SimWorld({ seed: 1, trace: 'full' });
  const outcome = await world.run(async () => {
    const store = await Store.open({ fs: world.fs, clock: world.clock, dir: '/db', ...options });
    const start = world.trace.events.length;
    const commits: Promise<{ lsn: number }>[] = [];
    for (let i = 0; i < burst; i++) {
      if (staggerMs > 0 && i > 0) await sleep(world.clock, staggerMs);
      commits.push(store.commit([{ type: 'put', key: `k${i}`, value: encoder.encode(`v${i}`) }]));
    }
    const lsns = (await Promise.all(commits)).map(({ lsn }) => lsn);
    const datasyncs = world.trace.events.slice(start).filter((event) => event.type === 'io' && event.name === 'datasync').length;
    return { lsns, datasyncs, doneAtMs: world.clock.now(), store };
  });
  if (outcome.outcome !== 'done') throw new Error(`the burst ended ${outcome.outcome}`);
  return { ...outcome.value, world };
}

describe('durability modes, on virtual time', () => {
  it('shares one fsync among commits issued together in group mode, with consecutive LSNs in call order', async () => {
    const result = await commitBurst({ sync: 'group' });
    expect(result.lsns).toEqual(inCallOrder);
    expect(result.datasyncs).toBe(1);
    expect(result.store.metrics()).toMatchObject({ durableLsn: burst, commits: burst, groupSyncs: 1 });
  });

  it('never lets one group fsync cover more than groupCommitMaxBatch commits', async () => {
    const result = await commitBurst({ sync: 'group', groupCommitMaxBatch: 4 });
    expect(result.lsns).toEqual(inCallOrder);
    expect(result.datasyncs).toBe(burst / 4);
  });

  it('waits at most groupCommitMaxDelayMs for company before the shared fsync', async () => {
    const result = await commitBurst({ sync: 'group', groupCommitMaxDelayMs: 2 });
    expect(result.datasyncs).toBe(1);
    expect(result.doneAtMs).toBe(2);
  });

  it('forms a new group for commits that arrive after the window: one commit every 1 ms, a 4 ms window', async () => {
    const result = await commitBurst({ sync: 'group', groupCommitMaxDelayMs: 4 }, 1);
    expect(result.lsns).toEqual(inCallOrder);
    expect(result.datasyncs).toBe(Math.ceil(burst / 5));
  });

  it('fsyncs once per commit in strict mode', async () => {
    const result = await commitBurst({ sync: 'strict' });
    expect(result.lsns).toEqual(inCallOrder);
    expect(result.datasyncs).toBe(burst);
    expect(result.store.metrics().fsyncCount).toBe(burst);
  });

  it('does not fsync in none mode until sync() is called', async () => {
    const result = await commitBurst({ sync: 'none' });
    expect(result.lsns).toEqual(inCallOrder);
    expect(result.datasyncs).toBe(0);
    expect(result.store.metrics()).toMatchObject({ writtenLsn: burst, durableLsn: 0 });
    const synced = await result.world.run(() => result.store.sync());
    expect(synced.outcome).toBe('done');
    expect(result.store.metrics().durableLsn).toBe(burst);
  });

  it('applies every acknowledged commit of a burst to the state', async () => {
    const result = await commitBurst({ sync: 'group' });
    expect([...result.store.entries()]).toHaveLength(burst);
  });
});
