/** The manifest: refused when it is from an unknown version, damaged, or missing beside a log. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError, UnsupportedVersionError } from '../../engine/errors.ts';
import { decodeManifest, encodeManifest, manifestFileName } from '../../engine/manifest.ts';
import { joinPath } from '../../engine/ports/fs.ts';
import type { FileSystem } from '../../engine/ports/fs.ts';
import { crc32c } from '../../engine/wal/crc32c.ts';
import {
  backends, commitPuts, flipBits, openStore, readFile, rejectionOf, writeFile, type Backend,
} from './helpers/store.ts';

/** A manifest as a future engine might write it: same layout, another version, valid checksum. */
function manifestWithVersion(version: number): Uint8Array {
  const body = `${JSON.stringify({ format: 'powercut-manifest', version, snapshot: null, snapshotLsn: 0, clean: true })}\n`;
  const crc = crc32c(new TextEncoder().encode(body)).toString(16).padStart(8, '0');
  return new TextEncoder().encode(`${body}crc32c:${crc}\n`);
}

describe('manifest encoding', () => {
  it('round-trips snapshot, snapshot LSN, the clean flag and the durable LSN', () => {
    const manifest = { snapshot: 'snapshot-00000000000000000007.snap', snapshotLsn: 7, clean: true, durableLsn: 9 };
    expect(decodeManifest(encodeManifest(manifest))).toEqual({ manifest });
  });

  it('reads a manifest written before the durable LSN existed as durable up to its snapshot', () => {
    const body = `${JSON.stringify({ format: 'powercut-manifest', version: 1, snapshot: null, snapshotLsn: 4, clean: false })}\n`;
    const crc = crc32c(new TextEncoder().encode(body)).toString(16).padStart(8, '0');
    const decoded = decodeManifest(new TextEncoder().encode(`${body}crc32c:${crc}\n`));
    expect(decoded).toEqual({ manifest: { snapshot: null, snapshotLsn: 4, clean: false, durableLsn: 4 } });
  });

  it('refuses a durable LSN below the snapshot LSN as corruption', () => {
    const bytes = encodeManifest({ snapshot: null, snapshotLsn: 4, clean: false, durableLsn: 3 });
    expect(decodeManifest(bytes)).toEqual({ problem: 'corrupt', detail: 'bad durableLsn field', offset: 0 });
  });

  it('reports a valid manifest of another version as a version problem', () => {
    expect(decodeManifest(manifestWithVersion(2))).toEqual({ problem: 'version', version: 2 });
  });
});

describe.each(backends)('opening with a bad manifest on %s', (_name, makeBackend) => {
  let backend: Backend;
  let fs: FileSystem;
  let dir: string;
  let manifestPath: string;

  beforeEach(async () => {
    backend = await makeBackend();
    fs = backend.fs;
    dir = joinPath(backend.root, 'store');
    manifestPath = joinPath(dir, manifestFileName);
    const store = await openStore(fs, dir);
    await commitPuts(store, 2);
    await store.close();
  });
  afterEach(async () => {
    await backend.cleanup();
  });

  it('refuses a manifest of version 2 with UnsupportedVersionError naming both versions', async () => {
    await writeFile(fs, manifestPath, manifestWithVersion(2));
    const error = await rejectionOf(openStore(fs, dir));
    expect(error).toBeInstanceOf(UnsupportedVersionError);
    expect(error).toMatchObject({ code: 'UNSUPPORTED_VERSION', file: manifestPath, found: 2, supported: 1 });
    expect((error as Error).message).toBe(`${manifestPath} has format version 2; this engine reads version 1 only`);
  });

  it('refuses a manifest with a damaged byte as corruption of the manifest', async () => {
    const original = await readFile(fs, manifestPath);
    const at = new TextDecoder().decode(original).indexOf('snapshotLsn') + 2;
    await flipBits(fs, manifestPath, at, 0x01);
    const error = await rejectionOf(openStore(fs, dir));
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: manifestPath });
  });

  it('refuses a truncated manifest as corruption', async () => {
    const original = await readFile(fs, manifestPath);
    await writeFile(fs, manifestPath, original.subarray(0, original.length - 5));
    expect(await rejectionOf(openStore(fs, dir))).toBeInstanceOf(CorruptionError);
  });

  it('refuses a missing manifest when WAL segments exist', async () => {
    await fs.unlink(manifestPath);
    const error = await rejectionOf(openStore(fs, dir));
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: manifestPath, offset: 0 });
    expect((error as Error).message).toContain('manifest is missing');
  });

  it('does not recreate the manifest when it refuses to open', async () => {
    await fs.unlink(manifestPath);
    await rejectionOf(openStore(fs, dir));
    expect(await fs.exists(manifestPath)).toBe(false);
  });
});
