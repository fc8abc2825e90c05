import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDumpDir, writeDiskDump } from '../../cli/disk-dump.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';
import { inWorld, utf8 } from '../sim/helpers.ts';
import { cli } from './helpers.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'powercut-disk-dump-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A world with /d/a synced and then overwritten unsynced, and /d/b created and renamed to /d/c without a directory fsync. */
async function worldWithUnsyncedChanges(): Promise<SimWorld> {
  const world = new SimWorld({ seed: 1, faults: noFaults() });
  await inWorld(world, async () => {
    world.createDirectory('/d');
    const a = await world.fs.open('/d/a', { create: true });
    await a.write(0, utf8('old'));
    await a.sync();
    await world.fs.syncDir('/d');
    await a.write(0, utf8('new'));
    await a.close();
    const b = await world.fs.open('/d/b', { create: true });
    await b.write(0, utf8('published'));
    await b.sync();
    await b.close();
    await world.fs.rename('/d/b', '/d/c');
  });
  return world;
}

describe('the disk at the first failed check, as real files (repro --disk)', () => {
  it('writes the files as read then under now/, and what the platter held under the durable names under durable/', async () => {
    const out = join(dir, 'unit');
    const written = writeDiskDump((await worldWithUnsyncedChanges()).exportImage(), out);
    expect(written).toEqual({ now: 2, durable: 1 });
    expect(await readFile(join(out, 'now/d/a'), 'utf8')).toBe('new');
    expect(await readFile(join(out, 'now/d/c'), 'utf8')).toBe('published');
    // The overwrite was never synced, and neither was the directory after the create and rename.
    expect(await readFile(join(out, 'durable/d/a'), 'utf8')).toBe('old');
    expect(await readdir(join(out, 'durable/d'))).toEqual(['a']);
    expect(JSON.parse(await readFile(join(out, 'disk-image.json'), 'utf8'))).toMatchObject({ format: 'powercut-disk-image' });
  });

  it('never writes into a folder that is not empty, or over a file', async () => {
    const full = join(dir, 'full');
    await rm(full, { recursive: true, force: true });
    await writeFile(join(dir, 'plain-file'), 'x');
    expect(() => checkDumpDir(join(dir, 'missing'))).not.toThrow();
    expect(() => checkDumpDir(join(dir, 'plain-file'))).toThrow(/is a file, not a folder/);
    writeDiskDump((await worldWithUnsyncedChanges()).exportImage(), full);
    expect(() => checkDumpDir(full)).toThrow(/not empty/);
  });

  it('from the command line: the naive engine\'s torn index as it was when the check failed, and one line when nothing failed', async () => {
    const out = join(dir, 'cli');
    const failing = await cli('repro', '--engine', 'examples/naive-engine/engine.ts', '--scenario', 'checkpoint-prune', '--seed', '2', '--disk', out);
    expect(failing.code).toBe(1);
    // Its first violation is a second look's; the disk is of its second, the run's own torn index.
    expect(failing.stdout).toMatch(/^disk at the first failed check on the run's own path \(violation 2, false-corruption; [^)]*\): \d+ files? as read then in .+now, \d+ files? as durable then in .+durable, the exact image in .+disk-image\.json$/m);
    expect((await readdir(join(out, 'now/db'))).sort()).toEqual(['data.log', 'index.json']);
    const again = await cli('repro', '--engine', 'examples/naive-engine/engine.ts', '--scenario', 'checkpoint-prune', '--seed', '2', '--disk', out);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toMatch(/^powercut: --disk .+: the folder is not empty/);
    // A run whose first violation a second look found: the disk written is the run's own, and says so.
    const looked = await cli('repro', '--target', 'targets/write-file-atomic.ts', '--seed', '1', '--disk', join(dir, 'looked'));
    expect(looked.stdout).toMatch(/^disk at the first failed check on the run's own path \(violation 2, durable; violation 1 was a second look's, on a disk of its own: shrink the seed to move it onto the path, then replay with --disk\): /m);
    const clean = await cli('repro', '--scenario', 'wal-append', '--seed', '1', '--disk', join(dir, 'clean'));
    expect(clean.code).toBe(0);
    expect(clean.stderr).toContain('nothing written: the run failed no check');
    await expect(readdir(join(dir, 'clean'))).rejects.toThrow();
  });
});
