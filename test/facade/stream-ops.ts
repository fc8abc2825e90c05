/**
 * Stream operations for differential tests: a write stream or a read stream of one file, opened
 * by path, by descriptor or from a FileHandle, played to its `close` event, and described by
 * what a caller can see (events in order, `write()` return values, chunks, `bytesWritten`,
 * `bytesRead`, error codes and syscalls), so the same description on the real fs and on the
 * facade can be compared with `toEqual`.
 */
import fs from 'node:fs';
import fc from 'fast-check';

/** How a stream gets its file: `fs.create*Stream(path)`, `{ fd }`, or `FileHandle.create*Stream`. */
export type StreamVia = 'path' | 'fd' | 'handle';

/** A write stream of chunks, ended one of four ways. */
export interface WriteStreamOp {
  readonly kind: 'writeStream';
  readonly name: string;
  readonly via: StreamVia;
  readonly flags: string;
  readonly start: number | undefined;
  readonly flush: boolean;
  readonly highWaterMark: number;
  /** Wait for `ready` (a path stream's open) before writing. */
  readonly waitReady: boolean;
  readonly chunks: readonly string[];
  /** When the last `write()` returned false, wait for `drain` before ending. */
  readonly awaitDrain: boolean;
  readonly ending: 'end' | 'close' | 'destroy' | 'destroyError';
}

/** A read stream of a byte range. */
export interface ReadStreamOp {
  readonly kind: 'readStream';
  readonly name: string;
  readonly via: StreamVia;
  readonly start: number | undefined;
  readonly end: number | undefined;
  readonly highWaterMark: number;
}

const viaArb = fc.constantFrom<StreamVia>('path', 'fd', 'handle');

/** Write stream operations on `names`. */
export function writeStreamOpArb(names: readonly string[]): fc.Arbitrary<WriteStreamOp> {
  return fc.record({
    kind: fc.constant('writeStream' as const),
    name: fc.constantFrom(...names),
    via: viaArb,
    flags: fc.constantFrom('w', 'a', 'wx', 'r+', 'a+', 'r', 'w+'),
    start: fc.option(fc.nat(30), { nil: undefined }),
    flush: fc.boolean(),
    highWaterMark: fc.integer({ min: 1, max: 16 }),
    waitReady: fc.boolean(),
    chunks: fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }),
    awaitDrain: fc.boolean(),
    ending: fc.constantFrom('end' as const, 'close' as const, 'destroy' as const, 'destroyError' as const),
  });
}

/** Read stream operations on `names`. */
export function readStreamOpArb(names: readonly string[]): fc.Arbitrary<ReadStreamOp> {
  return fc.record({
    kind: fc.constant('readStream' as const),
    name: fc.constantFrom(...names),
    via: viaArb,
    start: fc.option(fc.nat(30), { nil: undefined }),
    end: fc.option(fc.nat(40), { nil: undefined }),
    highWaterMark: fc.integer({ min: 1, max: 16 }),
  });
}

/** `code/syscall` of an error, or its message when it has no code. */
function describeError(error: unknown): string {
  const e = error as { code?: string; syscall?: string; message?: string };
  return `${e.code ?? e.message}/${e.syscall}`;
}

/** Resolves on the first of `name` and `close`: a stream that failed never sends `name`. */
function eventOrClose(stream: NodeJS.EventEmitter, name: string): Promise<void> {
  return new Promise((resolve) => {
    stream.once(name, () => resolve());
    stream.once('close', () => resolve());
  });
}

/** Resolves once every callback already queued (ticks, microtasks, I/O callbacks) has run. */
function settled(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Listens to every event of `stream` until `close`; returns the log and the close promise. */
function listen(stream: fs.ReadStream | fs.WriteStream): { events: string[]; closed: Promise<void> } {
  const events: string[] = [];
  // Read and write streams name their events differently in @types/node; both are emitters.
  const emitter = stream as NodeJS.EventEmitter;
  emitter.on('open', (fd: unknown) => events.push(`open:${typeof fd}`));
  for (const name of ['ready', 'drain', 'finish', 'end']) emitter.on(name, () => events.push(name));
  emitter.on('data', (chunk: Buffer) => events.push(`data:${chunk.toString('hex')}`));
  emitter.on('error', (error: unknown) => events.push(`error:${describeError(error)}`));
  const closed = new Promise<void>((resolve) => emitter.on('close', () => {
    events.push('close');
    resolve();
  }));
  return { events, closed };
}

/** What a stream op opened itself, before the stream took it over. */
export interface Opened {
  fd?: number;
  handle?: fs.promises.FileHandle;
}

/**
 * Handles whose stream refused its options, kept for the life of the test process. Node 20's
 * half-made stream keeps a reference on its handle that nothing drops, so `close()` never
 * settles, and left to the garbage collector the handle is closed with DEP0137's warning.
 */
const refusedStreamHandles: fs.promises.FileHandle[] = [];

/** Puts away what `opened` holds: a stream that refused its options never took it over. */
export function putAwayOpened(opened: Opened): void {
  if (opened.fd !== undefined) fs.closeSync(opened.fd);
  if (opened.handle !== undefined) refusedStreamHandles.push(opened.handle);
}

/**
 * Plays a write stream op on `path` to the stream's `close`.
 * @returns the events in order, with `write()` results and the final `bytesWritten`
 */
export async function playWriteStream(path: string, op: WriteStreamOp): Promise<string[]> {
  const options = { flags: op.flags, start: op.start, flush: op.flush, highWaterMark: op.highWaterMark };
  let stream: fs.WriteStream;
  const opened: Opened = {};
  try {
    if (op.via === 'path') stream = fs.createWriteStream(path, options);
    else if (op.via === 'fd') stream = fs.createWriteStream('', { ...options, fd: (opened.fd = fs.openSync(path, op.flags)) });
    else stream = (opened.handle = await fs.promises.open(path, op.flags)).createWriteStream(options);
  } catch (error) {
    // Options refused after the open: the file is closed here, not left to the garbage collector.
    putAwayOpened(opened);
    return [`throw:${describeError(error)}`];
  }
  const { events, closed } = listen(stream);
  if (op.waitReady && op.via === 'path') await eventOrClose(stream, 'ready');
  let ok = true;
  for (const chunk of op.chunks) {
    ok = stream.write(chunk);
    events.push(`write:${ok}`);
  }
  // A stream that failed already closed: no `drain` or `close` is coming.
  if (op.awaitDrain && !ok && !stream.closed) await eventOrClose(stream, 'drain');
  if (op.ending === 'end') stream.end();
  else if (op.ending === 'close') stream.close(() => events.push('close-cb'));
  else if (op.ending === 'destroy') stream.destroy();
  else stream.destroy(new Error('boom'));
  await closed;
  await settled();
  return [...events, `bytesWritten:${stream.bytesWritten}`];
}

/**
 * Plays a read stream op on `path` to the stream's `close`.
 * @returns the events in order, with each chunk and the final `bytesRead`
 */
export async function playReadStream(path: string, op: ReadStreamOp): Promise<string[]> {
  const options = { start: op.start, end: op.end, highWaterMark: op.highWaterMark };
  let stream: fs.ReadStream;
  const opened: Opened = {};
  try {
    if (op.via === 'path') stream = fs.createReadStream(path, options);
    else if (op.via === 'fd') stream = fs.createReadStream('', { ...options, fd: (opened.fd = fs.openSync(path, 'r')) });
    else stream = (opened.handle = await fs.promises.open(path, 'r')).createReadStream(options);
  } catch (error) {
    // Options refused after the open: the file is closed here, not left to the garbage collector.
    putAwayOpened(opened);
    return [`throw:${describeError(error)}`];
  }
  const { events, closed } = listen(stream);
  await closed;
  await settled();
  return [...events, `bytesRead:${stream.bytesRead}`];
}
