/**
 * The facade agrees with the real fs through `util.promisify` of the callback API and through
 * streams: the same operation sequence gives the same results, the same error codes and
 * syscalls, the same stream events in the same order, and the same final file contents on a
 * real temporary directory and on the simulated disk (faults off).
 *
 * Covered: descriptor sessions (`promisify(fs.open)`, then `read` in each of Node's argument
 * forms, `write` of buffers and strings, `readv`, `writev`, `fsync`, `fdatasync`, `ftruncate`,
 * `fstat`, then `promisify(fs.close)`); promisified path calls (`exists` included); write streams
 * by path, by descriptor and from a FileHandle, with any open flags, `start`, `flush`, a small
 * `highWaterMark` (so `write()` returns false and `drain` comes), waiting for `ready` or not, and
 * ended by `end`, `close(cb)`, `destroy()` or `destroy(err)`; read streams the same three ways.
 * test/facade/differential.test.ts covers the sync, callback and promise APIs themselves.
 *
 * Does not compare: timestamps, inode numbers, modes, error paths (the roots differ), or
 * descriptor numbers (only that `open` gives a number).
 */
import fs from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { expectSameOnRealAndSimulated } from './fs-call.ts';
import { readStreamOpArb, writeStreamOpArb, type ReadStreamOp, type WriteStreamOp, playReadStream, playWriteStream } from './stream-ops.ts';

type FdStep =
  | { kind: 'read'; form: 'args' | 'options' | 'bufferOptions' | 'none'; size: number; offset: number; position: number | null }
  | { kind: 'write'; form: 'buffer' | 'string' | 'options'; data: string; position: number | null }
  | { kind: 'readv'; sizes: number[]; position: number | null }
  | { kind: 'writev'; chunks: string[]; position: number | null }
  | { kind: 'fsync' | 'fdatasync' | 'fstat' }
  | { kind: 'ftruncate'; length: number };
type Op =
  | { kind: 'session'; name: string; flags: string; steps: FdStep[] }
  | { kind: 'call'; fn: 'readFile' | 'exists' | 'stat' | 'unlink' | 'access' | 'readdir' | 'mkdir'; name: string }
  | { kind: 'call'; fn: 'writeFile' | 'appendFile'; name: string; data: string }
  | { kind: 'call'; fn: 'rename' | 'copyFile'; name: string; to: string }
  | { kind: 'call'; fn: 'truncate'; name: string; length: number }
  | WriteStreamOp
  | ReadStreamOp;

const files = ['a', 'b', 'd/c'];
const names = [...files, 'd', 'missing/x', 'a/x'];
const dataArb = fc.string({ maxLength: 24 });
const positionArb = fc.option(fc.nat(30));
const stepArb: fc.Arbitrary<FdStep> = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), form: fc.constantFrom('args' as const, 'options' as const, 'bufferOptions' as const, 'none' as const), size: fc.integer({ min: 1, max: 12 }), offset: fc.nat(12), position: positionArb })
    .map((step) => ({ ...step, offset: Math.min(step.offset, step.size) })),
  fc.record({ kind: fc.constant('write' as const), form: fc.constantFrom('buffer' as const, 'string' as const, 'options' as const), data: dataArb, position: positionArb }),
  fc.record({ kind: fc.constant('readv' as const), sizes: fc.array(fc.nat(8), { minLength: 1, maxLength: 3 }), position: positionArb }),
  fc.record({ kind: fc.constant('writev' as const), chunks: fc.array(dataArb, { maxLength: 3 }), position: positionArb }),
  fc.record({ kind: fc.constantFrom('fsync' as const, 'fdatasync' as const, 'fstat' as const) }),
  fc.record({ kind: fc.constant('ftruncate' as const), length: fc.nat(30) }),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('session' as const), name: fc.constantFrom(...names), flags: fc.constantFrom('r', 'r+', 'w', 'w+', 'a', 'a+', 'wx', 'ax+'), steps: fc.array(stepArb, { maxLength: 6 }) }), weight: 3 },
  fc.record({ kind: fc.constant('call' as const), fn: fc.constantFrom('readFile' as const, 'exists' as const, 'stat' as const, 'unlink' as const, 'access' as const, 'readdir' as const), name: fc.constantFrom(...names) }),
  // Never a directory where a file may be renamed from: the simulated disk renames no directory.
  fc.record({ kind: fc.constant('call' as const), fn: fc.constant('mkdir' as const), name: fc.constantFrom('d', 'missing/x', 'a/x') }),
  fc.record({ kind: fc.constant('call' as const), fn: fc.constantFrom('writeFile' as const, 'appendFile' as const), name: fc.constantFrom(...names), data: dataArb }),
  fc.record({ kind: fc.constant('call' as const), fn: fc.constantFrom('rename' as const, 'copyFile' as const), name: fc.constantFrom(...files), to: fc.constantFrom(...names) }),
  fc.record({ kind: fc.constant('call' as const), fn: fc.constant('truncate' as const), name: fc.constantFrom(...names), length: fc.nat(30) }),
  { arbitrary: writeStreamOpArb(names), weight: 3 },
  { arbitrary: readStreamOpArb(names), weight: 2 },
);

/** `fs.<name>` through `util.promisify`, made at call time (after the install). */
function promised(name: string): (...args: unknown[]) => Promise<unknown> {
  return promisify((fs as unknown as Record<string, (...args: unknown[]) => void>)[name]!) as (...args: unknown[]) => Promise<unknown>;
}

/** A comparable form of a result, or of an error: `code/syscall`. */
async function outcome(body: () => Promise<unknown>): Promise<unknown> {
  try {
    return await body();
  } catch (error) {
    const e = error as { code?: string; syscall?: string };
    return `${e.code}/${e.syscall}`;
  }
}

/** One step on descriptor `fd`, through promisified callback functions. */
async function playStep(fd: number, step: FdStep): Promise<unknown> {
  switch (step.kind) {
    case 'read': {
      const buffer = Buffer.alloc(step.size);
      const length = step.size - step.offset;
      const read = promised('read');
      const result = (step.form === 'args'
        ? await read(fd, buffer, step.offset, length, step.position)
        : step.form === 'options'
          ? await read(fd, { buffer, offset: step.offset, length, position: step.position })
          : step.form === 'bufferOptions'
            ? await read(fd, buffer, { offset: step.offset, length, position: step.position })
            : await read(fd)) as { bytesRead: number; buffer: Buffer };
      if (step.form === 'none') return [result.bytesRead, result.buffer.length, result.buffer.subarray(0, result.bytesRead).toString('hex')];
      return [result.bytesRead, result.buffer === buffer, buffer.toString('hex')];
    }
    case 'write': {
      const write = promised('write');
      const buffer = Buffer.from(step.data);
      const result = (step.form === 'string'
        ? await write(fd, step.data, step.position, 'utf8')
        : step.form === 'options'
          ? await write(fd, buffer, { offset: 0, length: buffer.length, position: step.position })
          : await write(fd, buffer, 0, buffer.length, step.position)) as { bytesWritten: number; buffer: unknown };
      return [result.bytesWritten, result.buffer === (step.form === 'string' ? step.data : buffer)];
    }
    case 'readv': {
      const buffers = step.sizes.map((size) => Buffer.alloc(size));
      const result = await promised('readv')(fd, buffers, step.position) as { bytesRead: number; buffers: Buffer[] };
      return [result.bytesRead, result.buffers === buffers, buffers.map((buffer) => buffer.toString('hex'))];
    }
    case 'writev': {
      const buffers = step.chunks.map((chunk) => Buffer.from(chunk));
      const result = await promised('writev')(fd, buffers, step.position) as { bytesWritten: number; buffer: Buffer[] };
      return [result.bytesWritten, result.buffer === buffers];
    }
    case 'fstat': {
      const stats = await promised('fstat')(fd) as fs.Stats;
      return [stats.isFile(), stats.isFile() ? stats.size : -1];
    }
    case 'ftruncate':
      return promised('ftruncate')(fd, step.length);
    default:
      return promised(step.kind)(fd);
  }
}

/** A descriptor session: open, each step, close; each with its outcome. */
async function playSession(base: string, op: Op & { kind: 'session' }): Promise<unknown[]> {
  let fd: number | undefined;
  const opened = await outcome(async () => {
    fd = await promised('open')(join(base, op.name), op.flags) as number;
    return typeof fd;
  });
  if (fd === undefined) return [opened];
  const out: unknown[] = [opened];
  for (const step of op.steps) out.push(await outcome(() => playStep(fd!, step)));
  out.push(await outcome(() => promised('close')(fd)));
  return out;
}

/** A promisified call on a path. */
async function playCall(base: string, op: Op & { kind: 'call' }): Promise<unknown> {
  const at = join(base, op.name);
  switch (op.fn) {
    case 'writeFile':
    case 'appendFile':
      return promised(op.fn)(at, op.data);
    case 'rename':
    case 'copyFile':
      return promised(op.fn)(at, join(base, op.to));
    case 'truncate':
      return promised('truncate')(at, op.length);
    case 'readFile':
      return promised('readFile')(at, 'utf8');
    case 'stat': {
      const stats = await promised('stat')(at) as fs.Stats;
      return [stats.isFile(), stats.isDirectory(), stats.isFile() ? stats.size : -1];
    }
    default:
      return promised(op.fn)(at);
  }
}

async function play(base: string, op: Op): Promise<unknown> {
  if (op.kind === 'session') return playSession(base, op);
  if (op.kind === 'call') return outcome(() => playCall(base, op));
  if (op.kind === 'writeStream') return playWriteStream(join(base, op.name), op);
  return playReadStream(join(base, op.name), op);
}

/** Every file's bytes (hex), or the code reading it fails with. */
function contents(base: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    try {
      out[name] = fs.readFileSync(join(base, name)).toString('hex');
    } catch (error) {
      out[name] = String((error as { code?: string }).code);
    }
  }
  return out;
}

async function playAll(base: string, ops: readonly Op[]): Promise<{ results: unknown[]; files: Record<string, string> }> {
  const results: unknown[] = [];
  for (const op of ops) results.push(await play(base, op));
  return { results, files: contents(base) };
}

/** The directory and every file, each file holding its own name. */
const populate: readonly Op[] = [
  { kind: 'call', fn: 'mkdir', name: 'd' },
  ...files.map((name): Op => ({ kind: 'call', fn: 'writeFile', name, data: `${name} holds this` })),
];

/** Plays `ops` on a fresh real temporary directory and a fresh simulated root, and compares. */
async function expectAgreement(ops: readonly Op[]): Promise<void> {
  await expectSameOnRealAndSimulated((base) => playAll(base, ops), '/powercut-facade-differential-streams', 'powercut-diff-streams-');
}

const opsArb = fc.array(opArb, { maxLength: 12 });

describe('facade versus the real fs, through util.promisify and streams', () => {
  it('gives the same results, errors, stream events and file contents from an empty directory', async () => {
    await fc.assert(fc.asyncProperty(opsArb, (ops) => expectAgreement(ops)), { numRuns: 100 });
  });

  it('gives the same results, errors, stream events and file contents on a populated tree', async () => {
    await fc.assert(fc.asyncProperty(opsArb, (ops) => expectAgreement([...populate, ...ops])), { numRuns: 150 });
  });
});
