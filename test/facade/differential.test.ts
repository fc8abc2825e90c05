/**
 * The facade agrees with the real fs: the same operation sequence, through the sync, callback
 * and promise APIs (chosen per operation), gives the same results and the same error codes and
 * syscalls on a real temporary directory and on the simulated disk (faults off).
 *
 * Names end in a slash too (`d/`, `a/`: Linux holds them to name a directory) and pass through
 * a file (`a/x`). Covered besides the whole-file and namespace calls: `rename` of directories, `link` (and `nlink`), `rmdir`, `rm` with and without `recursive`,
 * `readdir({ recursive })` with and without
 * `withFileTypes` (in Node 20's order, which differs between sync/callback and promises),
 * `opendir` and `Dir` (sync `readSync`, callback `read`, promise `for await`), `mkdtemp`,
 * `readv`/`writev` (FileHandle methods for promises), and read streams (`fs.createReadStream` by
 * path or descriptor, `FileHandle.createReadStream`): their events, in order, and their chunks.
 *
 * Does not compare: timestamps, inode numbers, modes, or error paths (the roots differ); the
 * six random characters of a `mkdtemp` name (masked: the real ones are random, the simulated
 * ones seeded); the order of `opendir` entries (the real fs hands them out unsorted).
 */
import fs from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { call, expectSameOnRealAndSimulated, type Api } from './fs-call.ts';
import { putAwayOpened, type Opened } from './stream-ops.ts';

type Op =
  | { kind: 'writeFile' | 'appendFile'; name: string; data: string }
  | { kind: 'readFile' | 'unlink' | 'stat' | 'exists' | 'readdir' | 'realpath' | 'readlink' | 'mkdir'; name: string }
  | { kind: 'mkdirRecursive'; name: string }
  | { kind: 'rmdir' | 'rm' | 'rmRecursive'; name: string }
  | { kind: 'rename' | 'copyFile' | 'link'; name: string; to: string }
  | { kind: 'truncate'; name: string; length: number }
  | { kind: 'pwrite'; name: string; data: string; position: number }
  | { kind: 'openExclusive'; name: string }
  | { kind: 'readdirRecursive'; name: string; withFileTypes: boolean }
  | { kind: 'opendir'; name: string; recursive: boolean }
  | { kind: 'mkdtemp'; name: string }
  | { kind: 'writev'; name: string; chunks: string[]; position: number | null }
  | { kind: 'readv'; name: string; sizes: number[]; position: number | null }
  | { kind: 'readStream'; name: string; start: number | undefined; end: number | undefined; highWaterMark: number; encoding: 'utf8' | undefined };

// Two directories at the top (d, g) with content below them: the breadth-first and the stack
// order of a recursive readdir differ on this tree.
const files = ['a', 'b', 'd/c', 'd/e/f', 'g/h'];
const dirs = ['d', 'd/e', 'g'];
// Names with a trailing slash (a directory's, a file's, a missing one's) and one through a file.
const names = [...files, ...dirs, 'a/', 'd/', 'd/c/', 'g/h/', 'a/x'];
const dataArb = fc.string({ maxLength: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('writeFile' as const, 'appendFile' as const), name: fc.constantFrom(...names), data: dataArb }),
  fc.record({ kind: fc.constantFrom('readFile' as const, 'unlink' as const, 'stat' as const, 'exists' as const, 'readdir' as const, 'realpath' as const, 'readlink' as const), name: fc.constantFrom(...names) }),
  fc.record({ kind: fc.constantFrom('mkdir' as const, 'mkdirRecursive' as const), name: fc.constantFrom(...dirs) }),
  fc.record({ kind: fc.constantFrom('rmdir' as const, 'rm' as const, 'rmRecursive' as const), name: fc.constantFrom(...names) }),
  // Directories are renamed too: onto a free name, an empty or a full directory, a file, into themselves.
  fc.record({ kind: fc.constantFrom('rename' as const, 'link' as const), name: fc.constantFrom(...names), to: fc.constantFrom(...names) }),
  fc.record({ kind: fc.constant('copyFile' as const), name: fc.constantFrom(...files), to: fc.constantFrom(...names) }),
  fc.record({ kind: fc.constant('truncate' as const), name: fc.constantFrom(...names), length: fc.integer({ min: -3, max: 60 }) }),
  fc.record({ kind: fc.constant('pwrite' as const), name: fc.constantFrom(...names), data: dataArb, position: fc.nat(50) }),
  fc.record({ kind: fc.constant('openExclusive' as const), name: fc.constantFrom(...names) }),
  fc.record({ kind: fc.constant('readdirRecursive' as const), name: fc.constantFrom('', ...names), withFileTypes: fc.boolean() }),
  fc.record({ kind: fc.constant('opendir' as const), name: fc.constantFrom('', ...names), recursive: fc.boolean() }),
  fc.record({ kind: fc.constant('mkdtemp' as const), name: fc.constantFrom('', ...names, 'missing') }),
  fc.record({ kind: fc.constant('writev' as const), name: fc.constantFrom(...names), chunks: fc.array(dataArb, { maxLength: 4 }), position: fc.option(fc.nat(50)) }),
  fc.record({ kind: fc.constant('readv' as const), name: fc.constantFrom(...names), sizes: fc.array(fc.nat(12), { maxLength: 4 }), position: fc.option(fc.nat(50)) }),
  fc.record({
    kind: fc.constant('readStream' as const),
    name: fc.constantFrom(...names),
    start: fc.option(fc.nat(50), { nil: undefined }),
    end: fc.option(fc.nat(60), { nil: undefined }),
    highWaterMark: fc.integer({ min: 1, max: 16 }),
    encoding: fc.constantFrom('utf8' as const, undefined),
  }),
);

/** The six random characters of a `mkdtemp` name, masked: only the prefix is comparable. */
function maskTempNames<T>(value: T): T {
  return JSON.parse(JSON.stringify(value ?? null).replace(/t-[A-Za-z0-9]{6}/g, 't-XXXXXX')) as T;
}

async function apply(base: string, api: Api, op: Op): Promise<unknown> {
  const at = (name: string): string => join(base, name);
  switch (op.kind) {
    case 'writeFile':
    case 'appendFile':
      return call(api, op.kind, at(op.name), op.data);
    case 'readFile':
      return call(api, 'readFile', at(op.name), 'utf8');
    case 'stat': {
      const stats = await call(api, 'stat', at(op.name)) as fs.Stats;
      return { file: stats.isFile(), dir: stats.isDirectory(), size: stats.isFile() ? stats.size : -1, links: stats.isFile() ? stats.nlink : -1 };
    }
    case 'exists':
    case 'unlink':
    case 'readdir':
      return call(api, op.kind, at(op.name));
    case 'realpath':
      return (await call(api, 'realpath', at(op.name)) as string).slice(base.length);
    case 'readlink':
      return call(api, 'readlink', at(op.name));
    case 'mkdir':
      return call(api, 'mkdir', at(op.name));
    case 'rmdir':
    case 'rm':
      return call(api, op.kind, at(op.name));
    case 'rmRecursive':
      return call(api, 'rm', at(op.name), { recursive: true });
    case 'mkdirRecursive': {
      const first = await call(api, 'mkdir', at(op.name), { recursive: true }) as string | undefined;
      return first?.slice(base.length);
    }
    case 'rename':
    case 'link':
    case 'copyFile':
      return call(api, op.kind, at(op.name), at(op.to));
    case 'truncate':
      return call(api, 'truncate', at(op.name), op.length);
    case 'pwrite': {
      const fd = fs.openSync(at(op.name), 'r+');
      try {
        return fs.writeSync(fd, op.data, op.position, 'utf8');
      } finally {
        fs.closeSync(fd);
      }
    }
    case 'openExclusive': {
      const fd = fs.openSync(at(op.name), 'wx');
      fs.closeSync(fd);
      return 'created';
    }
    case 'readdirRecursive': {
      const listed = await call(api, 'readdir', at(op.name), { recursive: true, withFileTypes: op.withFileTypes }) as Array<string | fs.Dirent>;
      return listed.map((entry) => (typeof entry === 'string' ? entry : `${relative(base, entry.parentPath)}|${entry.name}|${entry.isDirectory()}`));
    }
    case 'opendir':
      return (await readDir(api, at(op.name), op.recursive)).map((entry) => `${relative(base, entry.parentPath)}|${entry.name}|${entry.isDirectory()}`).sort();
    case 'mkdtemp': {
      const made = await call(api, 'mkdtemp', join(at(op.name), 't-')) as string;
      return [relative(base, made), fs.statSync(made).isDirectory()];
    }
    case 'writev':
    case 'readv':
      return vectored(api, at(op.name), op);
    case 'readStream':
      return readStream(api, at(op.name), op);
  }
}

/** Every entry of an `opendir` of `path`, read through `api`'s Dir methods, then closed. */
async function readDir(api: Api, path: string, recursive: boolean): Promise<fs.Dirent[]> {
  const out: fs.Dirent[] = [];
  if (api === 'sync') {
    const dir = fs.opendirSync(path, { recursive });
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) out.push(entry);
    dir.closeSync();
  } else if (api === 'promise') {
    for await (const entry of await fs.promises.opendir(path, { recursive })) out.push(entry);
  } else {
    const dir = await new Promise<fs.Dir>((resolve, reject) => fs.opendir(path, { recursive }, (error, opened) => (error ? reject(error) : resolve(opened))));
    for (;;) {
      const entry = await new Promise<fs.Dirent | null>((resolve, reject) => dir.read((error, read) => (error ? reject(error) : resolve(read))));
      if (entry === null) break;
      out.push(entry);
    }
    await new Promise<void>((resolve, reject) => dir.close((error) => (error ? reject(error) : resolve())));
  }
  return out;
}

/** `writev` of the chunks, or `readv` into buffers of the sizes, through `api` on a descriptor opened r+. */
async function vectored(api: Api, path: string, op: Op & { kind: 'writev' | 'readv' }): Promise<unknown> {
  const buffers = op.kind === 'writev' ? op.chunks.map((chunk) => Buffer.from(chunk)) : op.sizes.map((size) => Buffer.alloc(size));
  if (api === 'promise') {
    const handle = await fs.promises.open(path, 'r+');
    try {
      const result = op.kind === 'writev' ? (await handle.writev(buffers, op.position ?? undefined)).bytesWritten : (await handle.readv(buffers, op.position ?? undefined)).bytesRead;
      return [result, buffers.map(String)];
    } finally {
      await handle.close();
    }
  }
  const fd = fs.openSync(path, 'r+');
  try {
    if (api === 'sync') {
      return [op.kind === 'writev' ? fs.writevSync(fd, buffers, op.position ?? undefined) : fs.readvSync(fd, buffers, op.position ?? undefined), buffers.map(String)];
    }
    const done = await new Promise<unknown[]>((resolve, reject) => {
      const callback = (error: Error | null, count: number, back: NodeJS.ArrayBufferView[]): void => (error ? reject(error) : resolve([count, back === buffers]));
      if (op.kind === 'writev') fs.writev(fd, buffers, op.position, callback);
      else fs.readv(fd, buffers, op.position, callback);
    });
    return [done[0], buffers.map(String), done[1]];
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The events of a read stream of `path`, in order, with its chunks: `fs.createReadStream(path)`
 * (callback), over a descriptor (sync), or `FileHandle.createReadStream` (promise).
 */
async function readStream(api: Api, path: string, op: Op & { kind: 'readStream' }): Promise<string[]> {
  const options = { start: op.start, end: op.end, highWaterMark: op.highWaterMark, encoding: op.encoding };
  let stream: fs.ReadStream;
  const opened: Opened = {};
  try {
    if (api === 'callback') stream = fs.createReadStream(path, options);
    else if (api === 'sync') stream = fs.createReadStream('', { ...options, fd: (opened.fd = fs.openSync(path, 'r')) });
    else stream = (opened.handle = await fs.promises.open(path, 'r')).createReadStream(options);
  } catch (error) {
    putAwayOpened(opened);
    throw error;
  }
  const events: string[] = [];
  for (const name of ['open', 'ready', 'end', 'close']) stream.on(name, () => events.push(name));
  stream.on('data', (chunk: Buffer | string) => events.push(`data:${typeof chunk === 'string' ? chunk : chunk.toString('hex')}`));
  stream.on('error', (error: NodeJS.ErrnoException) => events.push(`error:${error.code}/${error.syscall}`));
  await new Promise<void>((resolve) => stream.on('close', () => resolve()));
  events.push(`bytesRead:${stream.bytesRead}`);
  return events;
}

async function playAll(base: string, ops: ReadonlyArray<readonly [Api, Op]>): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [api, op] of ops) {
    try {
      out.push(maskTempNames(await apply(base, api, op)));
    } catch (error) {
      const e = error as { code?: string; syscall?: string };
      out.push(`${e.code}/${e.syscall}`);
    }
  }
  return out;
}

/**
 * Every directory and file of the tree, each file holding its own name: a start on which most
 * operations succeed (from an empty directory most fail with ENOENT).
 */
const populate: ReadonlyArray<readonly [Api, Op]> = [
  ...dirs.map((name): readonly [Api, Op] => ['sync', { kind: 'mkdirRecursive', name }]),
  ...files.map((name): readonly [Api, Op] => ['sync', { kind: 'writeFile', name, data: `${name} holds this` }]),
];

const opsArb = fc.array(fc.tuple(fc.constantFrom<Api>('sync', 'callback', 'promise'), opArb), { maxLength: 25, size: 'max' });

/** Plays `ops` on a fresh real temporary directory and a fresh simulated root, and compares. */
async function expectAgreement(ops: ReadonlyArray<readonly [Api, Op]>): Promise<void> {
  await expectSameOnRealAndSimulated((base) => playAll(base, ops), '/powercut-facade-differential', 'powercut-diff-');
}

describe('facade versus the real fs', () => {
  it('gives the same results and errors on the same operation sequences', async () => {
    await fc.assert(fc.asyncProperty(opsArb, (ops) => expectAgreement(ops)), { numRuns: 200 });
  });

  it('gives the same results and errors on a populated tree, where most calls succeed', async () => {
    await fc.assert(fc.asyncProperty(opsArb, (ops) => expectAgreement([...populate, ...ops])), { numRuns: 200 });
  });
});
