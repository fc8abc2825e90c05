/**
 * The whole-file helpers: reading with a size limit (the limit itself is allowed), and the
 * durable replacement's exact sequence of port calls (write the temporary, fsync it, rename it
 * over the target, fsync the directory), with the temporary removed when staging fails.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fileSize, readWholeFile, removeQuietly, replaceFileDurably, stageFile } from '../../engine/files.ts';
import { IoError, joinPath, type FileSystem } from '../../engine/ports/fs.ts';
import { InterceptingFileSystem, type PortCall } from './helpers/intercepting-fs.ts';
import { memory, readFile, rejectionOf, writeFile } from './helpers/store.ts';

/** The calls the recorder notes: those that open, change, make durable or close a file. */
const recordedCalls = new Set<PortCall>(['open', 'write', 'sync', 'close', 'rename', 'unlink', 'syncDir']);

/** Records every mutating port call as `operation path`, and can fail one operation. */
class RecordingFileSystem extends InterceptingFileSystem {
  readonly calls: string[] = [];
  failing: { operation: string; error: unknown } | undefined;
  constructor(inner: FileSystem) {
    super(inner);
    this.interceptor = {
      before: (call, path, { to }) => {
        if (!recordedCalls.has(call)) return;
        this.calls.push(`${call} ${to === undefined ? path : `${path} -> ${to}`}`);
        if (this.failing?.operation === call) {
          const { error } = this.failing;
          this.failing = undefined;
          throw error;
        }
      },
    };
  }
}

let fs: RecordingFileSystem;
let dir: string;

beforeEach(async () => {
  const backend = await memory();
  dir = joinPath(backend.root, 'd');
  await backend.fs.mkdir(dir);
  fs = new RecordingFileSystem(backend.fs);
});

describe('readWholeFile', () => {
  it('reads a file of exactly the limit', async () => {
    await writeFile(fs, joinPath(dir, 'f'), Uint8Array.of(1, 2, 3));
    expect(await readWholeFile(fs, joinPath(dir, 'f'), 3)).toEqual({ bytes: Uint8Array.of(1, 2, 3) });
  });

  it('refuses a file one byte above the limit, saying its size, and closes it', async () => {
    await writeFile(fs, joinPath(dir, 'f'), Uint8Array.of(1, 2, 3));
    fs.calls.length = 0;
    expect(await readWholeFile(fs, joinPath(dir, 'f'), 2)).toEqual({ tooLarge: 3 });
    expect(fs.calls).toEqual([`open ${dir}/f`, `close ${dir}/f`]);
  });

  it('fileSize gives the size without reading, and closes the file', async () => {
    await writeFile(fs, joinPath(dir, 'f'), new Uint8Array(17));
    fs.calls.length = 0;
    expect(await fileSize(fs, joinPath(dir, 'f'))).toBe(17);
    expect(fs.calls).toEqual([`open ${dir}/f`, `close ${dir}/f`]);
  });
});

describe('replaceFileDurably', () => {
  it('writes the temporary, fsyncs it, renames it over the target, then fsyncs the directory', async () => {
    const target = joinPath(dir, 'T');
    await replaceFileDurably(fs, dir, target, Uint8Array.of(9));
    expect(fs.calls).toEqual([
      `open ${target}.tmp`, `write ${target}.tmp`, `sync ${target}.tmp`, `close ${target}.tmp`,
      `rename ${target}.tmp -> ${target}`, `syncDir ${dir}`,
    ]);
    expect(await readFile(fs, target)).toEqual(Uint8Array.of(9));
    expect(await fs.readdir(dir)).toEqual(['T']);
  });

  it('removes the temporary when its fsync fails, rethrows, and leaves the target as it was', async () => {
    const target = joinPath(dir, 'T');
    await writeFile(fs, target, Uint8Array.of(1));
    const error = new IoError('EIO', 'sync', `${target}.tmp`, true);
    fs.failing = { operation: 'sync', error };
    expect(await rejectionOf(replaceFileDurably(fs, dir, target, Uint8Array.of(2)))).toBe(error);
    expect(await fs.readdir(dir)).toEqual(['T']);
    expect(await readFile(fs, target)).toEqual(Uint8Array.of(1));
  });

  it('rethrows the staging error even when the temporary cannot be removed', async () => {
    const error = new IoError('ENOSPC', 'open', `${dir}/T.tmp`, true);
    fs.failing = { operation: 'open', error };
    expect(await rejectionOf(stageFile(fs, `${dir}/T.tmp`, Uint8Array.of(2)))).toBe(error);
    expect(fs.calls).toEqual([`open ${dir}/T.tmp`, `unlink ${dir}/T.tmp`]);
  });
});

describe('stageFile', () => {
  it('replaces a longer temporary left by an earlier attempt, so no old bytes remain after the new ones', async () => {
    await writeFile(fs, joinPath(dir, 'T.tmp'), new Uint8Array(10).fill(9));
    await stageFile(fs, joinPath(dir, 'T.tmp'), Uint8Array.of(1, 2));
    expect(await readFile(fs, joinPath(dir, 'T.tmp'))).toEqual(Uint8Array.of(1, 2));
  });
});

describe('removeQuietly', () => {
  it('ignores a file-system error', async () => {
    await removeQuietly(fs, joinPath(dir, 'absent'));
    expect(fs.calls).toEqual([`unlink ${dir}/absent`]);
  });

  it('rethrows anything that is not a file-system error', async () => {
    const bug = new TypeError('bug');
    fs.failing = { operation: 'unlink', error: bug };
    expect(await rejectionOf(removeQuietly(fs, joinPath(dir, 'x')))).toBe(bug);
  });
});
