/**
 * The order of the port calls that decide what a crash leaves behind, for each protocol of the
 * engine, exactly: creating a store, a strict commit, a rotation, a checkpoint and its prune,
 * a clean close, a clean reopen, and a recovery that removes an orphan, cuts a torn tail and
 * records in the manifest the LSN it made durable.
 * The crash-safety argument of each protocol is this order (the temporary fsynced before its
 * rename, the directory fsynced after it, the evidence durable before the cut, the manifest
 * durable before the prune), so the order itself is the specification.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { joinPath, type FileSystem } from '../../engine/ports/fs.ts';
import type { Store } from '../../engine/store.ts';
import { RecordingFileSystem } from './helpers/recording-fs.ts';
import { frameOffsets } from './helpers/segments.ts';
import { commitPuts, garbage, memory, openCrashable, openStore, resize, segmentPath, writeFile } from './helpers/store.ts';

const seg = (seq: number): string => `${String(seq).padStart(20, '0')}.wal`;

/** tmp + fsync + rename + directory fsync of `name`, `bytes` long. */
function replaced(name: string, bytes: number): string[] {
  return [`create ${name}.tmp (truncate)`, `write ${name}.tmp @0 +${bytes}`, `sync ${name}.tmp`, `rename ${name}.tmp ${name}`, 'syncDir store'];
}

let inner: FileSystem;
let fs: RecordingFileSystem;
let dir: string;
let store: Store;

beforeEach(async () => {
  const backend = await memory();
  inner = backend.fs;
  fs = new RecordingFileSystem(inner);
  dir = joinPath(backend.root, 'store');
  store = await openStore(fs, dir, { segmentSizeBytes: 256 });
});

describe('durability order', () => {
  it('creating a store: the manifest first, then the first segment, each made durable', () => {
    // The manifest's line ends with "durableLsn":0 (15 bytes of the 120).
    expect(fs.take()).toEqual([...replaced('MANIFEST', 120), ...replaced(seg(1), 32)]);
  });

  it('a strict commit: one write after the last frame, then one fdatasync, before the acknowledgement', async () => {
    fs.take();
    await commitPuts(store, 2);
    expect(fs.take()).toEqual([`write ${seg(1)} @32 +56`, `datasync ${seg(1)}`, `write ${seg(1)} @88 +56`, `datasync ${seg(1)}`]);
  });

  it('a rotation: the sealed segment\'s sidecar, then the next segment, both durable, before the first frame in it', async () => {
    await commitPuts(store, 4);
    fs.take();
    await commitPuts(store, 1, 5);
    await store.sync();
    expect(fs.take()).toEqual([
      ...replaced(`${seg(1)}.idx`, 64), ...replaced(seg(2), 32), `write ${seg(2)} @32 +56`, `datasync ${seg(2)}`,
    ]);
  });

  it('a checkpoint: seal, snapshot durable, manifest durable, and only then the prune, renamed dead before unlinking, with one directory fsync', async () => {
    await commitPuts(store, 5);
    await store.sync();
    fs.take();
    await store.checkpoint();
    expect(fs.take()).toEqual([
      ...replaced(`${seg(2)}.idx`, 52), ...replaced(seg(3), 32),
      ...replaced('snapshot-00000000000000000005.snap', 126), ...replaced('MANIFEST', 152),
      `rename ${seg(1)} ${seg(1)}.dead`, `unlink ${seg(1)}.dead`, `unlink ${seg(1)}.idx`,
      `rename ${seg(2)} ${seg(2)}.dead`, `unlink ${seg(2)}.dead`, `unlink ${seg(2)}.idx`,
      'syncDir store',
    ]);
  });

  it('a second checkpoint removes the previous snapshot before the directory fsync', async () => {
    await commitPuts(store, 5);
    await store.checkpoint();
    await commitPuts(store, 1, 6);
    await store.sync();
    fs.take();
    await store.checkpoint();
    expect(fs.take().slice(-5)).toEqual([
      `rename ${seg(3)} ${seg(3)}.dead`, `unlink ${seg(3)}.dead`, `unlink ${seg(3)}.idx`, 'unlink snapshot-00000000000000000005.snap', 'syncDir store',
    ]);
  });

  it('a clean close: the active segment\'s sidecar, then the manifest marked clean', async () => {
    await commitPuts(store, 1);
    fs.take();
    await store.close();
    expect(fs.take()).toEqual([...replaced(`${seg(1)}.idx`, 52), ...replaced('MANIFEST', 119)]);
  });

  it('a clean close in none mode fsyncs the log first', async () => {
    await store.close();
    store = await openStore(fs, dir, { segmentSizeBytes: 256, sync: 'none' });
    await commitPuts(store, 1);
    fs.take();
    await store.close();
    expect(fs.take()).toEqual([`datasync ${seg(1)}`, ...replaced(`${seg(1)}.idx`, 52), ...replaced('MANIFEST', 119)]);
  });

  it('reopening a clean store: the last segment and the directory fsynced, then the manifest marked open', async () => {
    await commitPuts(store, 1);
    await store.close();
    fs.take();
    store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    expect(fs.take()).toEqual([`datasync ${seg(1)}`, 'syncDir store', ...replaced('MANIFEST', 120)]);
  });

  it('recovering after a kill: orphans removed, the torn tail kept durably, then cut and fsynced, then K5, the sidecar, and the manifest recording the LSN made durable', async () => {
    await store.close();
    const { store: killed, crash } = await openCrashable(inner, dir, { segmentSizeBytes: 256 });
    await commitPuts(killed, 2);
    await crash();
    const offsets = await frameOffsets(inner, segmentPath(dir, 1));
    await resize(inner, segmentPath(dir, 1), offsets[1]! + 10);
    await writeFile(inner, joinPath(dir, 'MANIFEST.tmp'), garbage(3));
    fs.take();
    store = await openStore(fs, dir, { segmentSizeBytes: 256 });
    const evidence = `${seg(1)}.0000000001@${offsets[1]}.torn`;
    expect(fs.take()).toEqual([
      'unlink MANIFEST.tmp', 'syncDir store',
      ...replaced(evidence, 10), `truncate ${seg(1)} ${offsets[1]}`, `datasync ${seg(1)}`, 'syncDir store',
      `datasync ${seg(1)}`, 'syncDir store',
      ...replaced(`${seg(1)}.idx`, 52),
      // K7 after K5: the manifest records LSN 1 durable (it recorded 0), so the next recovery never cuts what this one served.
      ...replaced('MANIFEST', 120),
    ]);
  });
});
