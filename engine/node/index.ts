/**
 * The real adapters of the engine's ports: the only part of `engine/` that touches Node's
 * file system and timers. Everything else in the engine sees the ports alone.
 */
export { NodeFileSystem, toIoError } from './node-fs.ts';
export type { FsModuleLike } from './node-fs.ts';
export { SystemClock } from './system-clock.ts';
