/**
 * `statfs` on the simulated disk: its space in 4 KiB blocks, as Node's `StatFs` (the real
 * class's prototype, taken from a real call, so the result looks like Node's). A disk without a
 * capacity (the default: `disk-full` is injected as a fault, not reached) reports 1 TiB. The
 * type is ext4's magic number, the file system whose behaviour the simulator follows; inodes
 * are not simulated, so `ffree` is always `files`.
 */
import { statfsSync } from 'node:fs';

/** The block size reported. */
const blockBytes = 4096;
/** What a disk without a capacity reports as its size. */
const unboundedBytes = 2 ** 40;
/** ext4's superblock magic number. */
const ext4Magic = 0xef53;
/** Inodes reported. */
const inodes = 2 ** 20;

let prototype: object | undefined;

/**
 * A `StatFs` for a disk of `space`.
 * @param bigint - whether the fields are BigInts, as with `{ bigint: true }`
 */
export function statFsOf(space: { readonly usedBytes: number; readonly capacityBytes: number }, bigint: boolean): object {
  prototype ??= Object.getPrototypeOf(statfsSync(process.execPath)) as object;
  const capacity = Number.isFinite(space.capacityBytes) ? space.capacityBytes : unboundedBytes;
  const blocks = Math.floor(capacity / blockBytes);
  const free = Math.max(0, blocks - Math.ceil(space.usedBytes / blockBytes));
  const fields = { type: ext4Magic, bsize: blockBytes, blocks, bfree: free, bavail: free, files: inodes, ffree: inodes };
  const values = Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, bigint ? BigInt(value) : value]));
  return Object.assign(Object.create(prototype) as object, values);
}
