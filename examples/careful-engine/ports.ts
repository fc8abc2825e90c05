/**
 * The only door from this engine to powercut: the types of the two ports it is written against.
 * Types only, so the storage code carries no powercut code at run time.
 */
export type { FileHandle, FileSystem } from '../../engine/ports/fs.ts';
