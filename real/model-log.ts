/**
 * The model log of `real --target`: where the child writes its workload's model right before a
 * file-system call that follows a change to it, for the parent to read once the child is dead.
 *
 * An IPC message is not enough there. `process.send` writes at once only while the pipe is
 * empty; when the parent reads slowly (a busy machine, a large model), the message waits in the
 * child's own queue, and a SIGKILL at the call that follows loses it while the call's write
 * lands. A parent judged a hypercore log against the model from before an append that was on
 * disk, and reported a block that was never wrong. A write(2) to a file is on the kernel's side
 * once it returns, so a kill after it cannot take it back.
 *
 * Each record: its length (u32), its sequence number (u32, shared with the IPC messages that
 * carry a model, so the parent takes whichever is newer), the operation's index (u32), then the
 * model serialized as structured clone (node:v8). A kill during a record's write may leave it
 * short: the reader stops at the first record that does not fit.
 */
import fs from 'node:fs';
import { deserialize } from 'node:v8';

// Taken before kill-at-call.ts wraps `fs`: a record is no call of the library's, and is not counted.
const { openSync, writeSync, closeSync, readFileSync } = fs;

const headerBytes = 12;

/** A model the child logged. */
export interface LoggedModel {
  readonly seq: number;
  readonly index: number;
  readonly state: unknown;
}

/** The child's side: appends records to the log at `path`. */
export class ModelLogWriter {
  readonly #fd: number;

  constructor(path: string) {
    this.#fd = openSync(path, 'a');
  }

  /**
   * Appends one record; it is the kernel's once this returns.
   * @param body - the model, serialized as node:v8 `serialize` does (the caller has it already)
   */
  write(seq: number, index: number, body: Buffer): void {
    const record = Buffer.allocUnsafe(headerBytes + body.length);
    record.writeUInt32LE(body.length, 0);
    record.writeUInt32LE(seq, 4);
    record.writeUInt32LE(index, 8);
    body.copy(record, headerBytes);
    let written = 0;
    while (written < record.length) written += writeSync(this.#fd, record, written, record.length - written);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * The parent's side: the last whole record of the log at `path`.
 * @returns undefined when the log is missing or holds no whole record
 */
export function lastLoggedModel(path: string): LoggedModel | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined;
  }
  let last: { seq: number; index: number; body: Buffer } | undefined;
  for (let at = 0; at + headerBytes <= bytes.length;) {
    const length = bytes.readUInt32LE(at);
    const end = at + headerBytes + length;
    if (end > bytes.length) break;
    last = { seq: bytes.readUInt32LE(at + 4), index: bytes.readUInt32LE(at + 8), body: bytes.subarray(at + headerBytes, end) };
    at = end;
  }
  return last === undefined ? undefined : { seq: last.seq, index: last.index, state: deserialize(last.body) };
}
