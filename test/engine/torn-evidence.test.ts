/**
 * Torn-tail evidence, on the simulated disk (sim/world.ts): before recovery cuts a torn tail it
 * keeps the bytes it removes in `<segment>.<n>@<offset>.torn`, durably, so that a wrong verdict
 * never destroys the only copy. A crash anywhere inside recovery, followed by any state a power
 * loss may leave, still ends with one copy of those bytes and the same recovered state.
 */
import { describe, expect, it } from 'vitest';
import { tornEvidenceFilesMax } from '../../engine/limits.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { Store } from '../../engine/store.ts';
import { evidenceName, listEvidence } from '../../engine/wal/evidence.ts';
import { segmentName } from '../../engine/wal/segments.ts';
import { SimWorld, type CrashKind } from '../../sim/world.ts';
import { inWorld } from '../sim/helpers.ts';
import { CrashingFileSystem, type PortCall } from './helpers/crash-fs.ts';
import { commitPuts, garbage, putsState, stateOf } from './helpers/store.ts';

const dir = '/db';
const segment = `${dir}/${segmentName(1)}`;

function open(world: SimWorld, fs: FileSystem = world.fs): Promise<Store> {
  return Store.open({ fs, dir, clock: world.clock, probe: world.probe });
}

/** The torn-tail evidence files in the store directory, oldest first. */
async function evidenceIn(world: SimWorld): Promise<string[]> {
  return inWorld(world, async () => listEvidence(await world.fs.readdir(dir)).map((file) => file.name));
}

/** Appends `tail` to the last segment of a crashed store and syncs it, as a bad disk leaves it. */
async function tearTail(world: SimWorld, tail: Uint8Array, seq = 1): Promise<number> {
  return inWorld(world, async () => {
    const handle = await world.fs.open(`${dir}/${segmentName(seq)}`);
    const offset = await handle.size();
    await handle.write(offset, tail);
    await handle.sync();
    await handle.close();
    return offset;
  });
}

/**
 * A world whose store holds 3 acknowledged commits followed by a durable tail of garbage (what a
 * torn append leaves once the power is back), the process freshly restarted.
 */
async function tornWorld(seed: number): Promise<{ world: SimWorld; offset: number; tail: Uint8Array }> {
  const world = new SimWorld({ seed });
  // The store's directory exists durably before the first open, as the runner sets it up.
  world.createDirectory(dir);
  await inWorld(world, async () => commitPuts(await open(world), 3));
  world.crashNow('kill-9');
  world.restart();
  const tail = garbage(100, seed);
  return { world, offset: await tearTail(world, tail), tail };
}

/** Opens the store on `world`, crashing it right after the first call `after` picks. */
async function openCrashingAfter(world: SimWorld, kind: CrashKind, after: (call: PortCall) => boolean): Promise<void> {
  const outcome = await world.run(() => open(world, new CrashingFileSystem(world, kind, after)));
  expect(outcome.outcome).toBe('crashed');
}

describe('torn-tail evidence', () => {
  it('holds exactly the bytes recovery cuts, made durable before the cut', async () => {
    const { world, offset, tail } = await tornWorld(1);
    const watched = new CrashingFileSystem(world, 'kill-9', () => false);
    const store = await inWorld(world, () => open(world, watched));
    const evidence = `${dir}/${evidenceName(1, 1, offset)}`;
    expect(world.inspect().get(evidence)).toEqual(tail);
    expect(world.inspect().get(segment)?.length).toBe(offset);
    expect(stateOf(store)).toEqual(putsState(3));
    expect(store.replayStats).toMatchObject({ truncatedBytes: tail.length, tornBytesKept: tail.length });
    const at = (op: string, path: string): number => watched.calls.findIndex((call) => call.op === op && call.path === path);
    const cut = at('truncate', segment);
    expect(at('sync', `${evidence}.tmp`)).toBeLessThan(at('rename', evidence));
    expect(at('rename', evidence)).toBeLessThan(cut);
    expect(watched.calls.slice(at('rename', evidence), cut).some((call) => call.op === 'syncDir')).toBe(true);
  });

  for (const point of ['truncate', 'syncDir'] as const) {
    it(`survives a power loss right after the cut (${point === 'truncate' ? 'before' : 'after'} the cut is durable), in every crash state`, async () => {
      for (let crashState = 0; crashState < 6; crashState++) {
        const { world, offset, tail } = await tornWorld(crashState + 1);
        let cut = false;
        await openCrashingAfter(world, 'power-loss', (call) => {
          if (call.op === 'truncate' && call.path === segment) cut = true;
          return cut && call.op === point;
        });
        world.restart({ crashState });
        const files = world.inspect();
        expect(files.get(`${dir}/${evidenceName(1, 1, offset)}`), `crash state ${crashState}`).toEqual(tail);
        if (point === 'syncDir') expect(files.get(segment)?.length).toBe(offset);
        const reopened = await inWorld(world, () => open(world));
        expect(stateOf(reopened)).toEqual(putsState(3));
        // The tail is gone or cut again, and the copy already kept is not made twice.
        expect(reopened.replayStats.tornBytesKept).toBe(0);
        expect(await evidenceIn(world)).toEqual([evidenceName(1, 1, offset)]);
      }
    });
  }

  it('is kept once, with the same recovered state, whatever call of recovery a crash follows', async () => {
    const dry = await tornWorld(7);
    const counted = new CrashingFileSystem(dry.world, 'kill-9', () => false);
    await inWorld(dry.world, () => open(dry.world, counted));
    const callCount = counted.calls.length;
    expect(callCount).toBeGreaterThan(20);
    const crashes: Array<[CrashKind, number]> = [['kill-9', 0], ...[0, 1, 2, 3, 4].map((state): [CrashKind, number] => ['power-loss', state])];
    for (let index = 0; index < callCount; index++) {
      for (const [kind, crashState] of crashes) {
        const { world, offset, tail } = await tornWorld(7);
        await openCrashingAfter(world, kind, (call) => call.index === index);
        world.restart({ crashState });
        const reopened = await inWorld(world, () => open(world));
        const what = `crash (${kind}, state ${crashState}) after call ${index}: ${counted.calls[index]!.op} ${counted.calls[index]!.path}`;
        expect(stateOf(reopened), what).toEqual(putsState(3));
        expect(await evidenceIn(world), what).toEqual([evidenceName(1, 1, offset)]);
        expect(world.inspect().get(`${dir}/${evidenceName(1, 1, offset)}`), what).toEqual(tail);
        expect(world.inspect().get(segment)?.length, what).toBe(offset);
      }
    }
  });

  it(`keeps at most ${tornEvidenceFilesMax} files, removing the oldest, across many torn recoveries`, async () => {
    const world = new SimWorld({ seed: 3 });
    world.createDirectory(dir);
    const kept: string[] = [];
    for (let round = 1; round <= tornEvidenceFilesMax + 3; round++) {
      await inWorld(world, async () => commitPuts(await open(world), 1, round));
      world.crashNow('kill-9');
      world.restart();
      const offset = await tearTail(world, garbage(40 + round, round));
      const store = await inWorld(world, () => open(world));
      expect(store.replayStats.tornBytesKept).toBe(40 + round);
      world.crashNow('kill-9');
      world.restart();
      kept.push(evidenceName(1, round, offset));
      expect(await evidenceIn(world)).toEqual(kept.slice(-tornEvidenceFilesMax));
    }
  });
});
