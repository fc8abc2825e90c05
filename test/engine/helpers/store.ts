/**
 * Helpers shared by the store tests: opening a store on a backend, encoding values, reading the
 * state back, and reading or damaging the files of a store directory through the port (so the
 * same helpers work on the real disk and on memfs).
 */
import { Store } from '../../../engine/store.ts';
import { SystemClock } from '../../../engine/node/index.ts';
import { joinPath } from '../../../engine/ports/fs.ts';
import type { FileSystem } from '../../../engine/ports/fs.ts';
import type { Op, StoreOptions } from '../../../engine/types.ts';
import { segmentName, sidecarName } from '../../../engine/wal/segments.ts';
import { WrappingFileSystem } from './wrapping-fs.ts';
import { memory } from '../node/backends.ts';

export { backends, memory, realDisk } from '../node/backends.ts';
export type { Backend } from '../node/backends.ts';

/** A fresh in-memory backend and the store folder in it (not created: opening a store creates it). */
export async function memoryStore(): Promise<{ fs: FileSystem; dir: string }> {
  const backend = await memory();
  return { fs: backend.fs, dir: joinPath(backend.root, 'store') };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Opens a store in `dir` on `fs` with the system clock; `options` override the defaults. */
export function openStore(fs: FileSystem, dir: string, options: Partial<StoreOptions> = {}): Promise<Store> {
  return Store.open({ fs, dir, clock: new SystemClock(), ...options });
}

/**
 * Opens a store whose process can be "killed": `crash()` closes every file handle the store
 * holds without syncing or writing anything, so the store can be dropped mid-life as a kill -9
 * would leave it (the page cache, here the files, keeps what was written).
 */
export async function openCrashable(
  fs: FileSystem, dir: string, options: Partial<StoreOptions> = {},
): Promise<{ store: Store; fs: WrappingFileSystem; crash: () => Promise<void> }> {
  const wrapper = new WrappingFileSystem(fs);
  const store = await openStore(wrapper, dir, options);
  return { store, fs: wrapper, crash: () => wrapper.closeAllHandles() };
}

/** A put of a text value. */
export function put(key: string, value: string): Op {
  return { type: 'put', key, value: encoder.encode(value) };
}

/** A delete. */
export function del(key: string): Op {
  return { type: 'delete', key };
}

/** The store's state as a plain object of text values, for `toEqual`. */
export function stateOf(store: Store): Record<string, string> {
  const state: Record<string, string> = {};
  for (const [key, value] of store.entries()) state[key] = decoder.decode(value);
  return state;
}

/** Commits `count` single-put batches `k<i>` = `v<i>` (i from `from`), returns their LSNs. */
export async function commitPuts(store: Store, count: number, from = 1, valueBytes = 8): Promise<number[]> {
  const lsns: number[] = [];
  for (let i = from; i < from + count; i++) {
    const { lsn } = await store.commit([put(`k${i}`, `v${i}`.padEnd(valueBytes, '.'))]);
    lsns.push(lsn);
  }
  return lsns;
}

/** The expected state after `commitPuts(store, count, from, valueBytes)` on an empty store. */
export function putsState(count: number, from = 1, valueBytes = 8): Record<string, string> {
  const state: Record<string, string> = {};
  for (let i = from; i < from + count; i++) state[`k${i}`] = `v${i}`.padEnd(valueBytes, '.');
  return state;
}

/** Path of segment `seq` in `dir`. */
export function segmentPath(dir: string, seq = 1): string {
  return joinPath(dir, segmentName(seq));
}

/** Path of the sidecar of segment `seq` in `dir`. */
export function sidecarPath(dir: string, seq = 1): string {
  return joinPath(dir, sidecarName(segmentName(seq)));
}

/** Reads a whole file through the port. */
export async function readFile(fs: FileSystem, path: string): Promise<Uint8Array> {
  const handle = await fs.open(path);
  try {
    return await handle.read(0, await handle.size());
  } finally {
    await handle.close();
  }
}

/** Replaces a file's contents through the port. */
export async function writeFile(fs: FileSystem, path: string, bytes: Uint8Array): Promise<void> {
  const handle = await fs.open(path, { create: true, truncate: true });
  try {
    await handle.write(0, bytes);
  } finally {
    await handle.close();
  }
}

/** Overwrites `bytes` at `offset` of an existing file. */
export async function overwrite(fs: FileSystem, path: string, offset: number, bytes: Uint8Array): Promise<void> {
  const handle = await fs.open(path);
  try {
    await handle.write(offset, bytes);
  } finally {
    await handle.close();
  }
}

/** XORs one byte of a file with `mask`. */
export async function flipBits(fs: FileSystem, path: string, offset: number, mask: number): Promise<void> {
  const bytes = await readFile(fs, path);
  await overwrite(fs, path, offset, Uint8Array.of(bytes[offset]! ^ mask));
}

/** Sets a file's size (cutting it, or growing it with zeros). */
export async function resize(fs: FileSystem, path: string, size: number): Promise<void> {
  const handle = await fs.open(path);
  try {
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

/** Size of a file. */
export async function sizeOf(fs: FileSystem, path: string): Promise<number> {
  const handle = await fs.open(path);
  try {
    return await handle.size();
  } finally {
    await handle.close();
  }
}

/** Every file of a directory (not recursive) with its bytes, for before/after comparisons. */
export async function directoryBytes(fs: FileSystem, dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of await fs.readdir(dir)) files.set(name, await readFile(fs, joinPath(dir, name)));
  return files;
}

/** Deterministic non-repeating garbage (no run of zeros, no valid frame), for torn sectors. */
export function garbage(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = (x & 0xff) | 1;
  }
  return bytes;
}

/** The rejection of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${value === undefined ? 'undefined' : Object.prototype.toString.call(value)}`);
    },
    (error: unknown) => error,
  );
}
