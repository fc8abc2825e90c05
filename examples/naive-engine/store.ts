/**
 * A deliberately naive key-value store, the kind that works until the power fails. It is here
 * so that you can watch powercut catch it (see README, "Testing your own engine").
 *
 * Files in its directory:
 * - `data.log`: one JSON line per commit, `{"ops":[...]}`, appended and never fsynced;
 * - `index.json`: the whole state plus the number of log lines it covers, rewritten in place
 *   after every commit (truncate to zero, then write), never fsynced.
 *
 * Open reads the index, then replays the log lines it does not cover, and stops at the first
 * line that does not parse (taken to be a torn end). An index that does not parse is reported
 * as corruption.
 *
 * What is wrong with it, on purpose: a commit is acknowledged before anything reaches the disk
 * (no fsync, in any mode; `sync()` does nothing), so a power loss takes acknowledged commits
 * away; and the in-place rewrite leaves an empty or half-written index after a crash between
 * the truncate and the write, which the next open refuses although no data was damaged.
 */
import type { FileHandle, FileSystem } from './ports.ts';

/** One operation of a batch (the same shape powercut passes). */
export type NaiveOp =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: string };

/** The index could not be read back: the store refuses to open. */
export class NaiveCorruptionError extends Error {
  override readonly name = 'NaiveCorruptionError';
  readonly code = 'NAIVE_CORRUPT';
}

/** An operation on a closed store. */
export class NaiveClosedError extends Error {
  override readonly name = 'NaiveClosedError';
  readonly code = 'NAIVE_CLOSED';
}

interface IndexFile {
  /** Log lines the state covers. */
  readonly lines: number;
  /** Every key and its value, in hex. */
  readonly state: Record<string, string>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

async function readAll(handle: FileHandle): Promise<string> {
  const size = await handle.size();
  return size === 0 ? '' : decoder.decode(await handle.read(0, size));
}

function apply(state: Map<string, Uint8Array>, ops: readonly NaiveOp[]): void {
  for (const op of ops) {
    if (op.type === 'put') state.set(op.key, op.value);
    else state.delete(op.key);
  }
}

/** The naive store: see the module comment for what it does and what is wrong with it. */
export class NaiveStore {
  #closed = false;
  /** Commits run one at a time, so the log and the index follow the order of the calls. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly log: FileHandle,
    private readonly index: FileHandle,
    private readonly state: Map<string, Uint8Array>,
    private lines: number,
  ) {}

  /**
   * Opens the store in `dir`, creating it if needed.
   * @throws NaiveCorruptionError when the index does not parse
   */
  static async open(fs: FileSystem, dir: string): Promise<NaiveStore> {
    await fs.mkdir(dir);
    const index = await fs.open(`${dir}/index.json`, { create: true });
    const log = await fs.open(`${dir}/data.log`, { create: true });
    const state = new Map<string, Uint8Array>();
    let covered = 0;
    const indexText = await readAll(index);
    if (indexText !== '') {
      let parsed: IndexFile;
      try {
        parsed = JSON.parse(indexText) as IndexFile;
      } catch {
        throw new NaiveCorruptionError(`${dir}/index.json does not parse`);
      }
      covered = parsed.lines;
      for (const [key, hex] of Object.entries(parsed.state)) state.set(key, fromHex(hex));
    }
    const lines = (await readAll(log)).split('\n');
    let count = 0;
    for (const line of lines.slice(0, -1)) {
      let ops: NaiveOp[];
      try {
        ops = (JSON.parse(line) as { ops: Array<{ type: 'put' | 'delete'; key: string; value?: string }> }).ops
          .map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: fromHex(op.value ?? '') } : { type: 'delete', key: op.key }));
      } catch {
        break;
      }
      if (count >= covered) apply(state, ops);
      count++;
    }
    return new NaiveStore(log, index, state, Math.max(count, covered));
  }

  /** Appends the batch to the log and rewrites the index; resolves without any fsync. */
  commit(ops: readonly NaiveOp[]): Promise<void> {
    return this.#serial(async () => {
      const line = JSON.stringify({ ops: ops.map((op) => (op.type === 'put' ? { type: 'put', key: op.key, value: toHex(op.value) } : op)) });
      await this.log.append(encoder.encode(`${line}\n`));
      apply(this.state, ops);
      this.lines++;
      const index: IndexFile = { lines: this.lines, state: Object.fromEntries([...this.state].map(([key, value]) => [key, toHex(value)])) };
      await this.index.truncate(0);
      await this.index.write(0, encoder.encode(JSON.stringify(index)));
    });
  }

  get(key: string): Uint8Array | undefined {
    return this.state.get(key);
  }

  entries(): Map<string, Uint8Array> {
    return new Map(this.state);
  }

  /** Does nothing: the operating system will write the pages out "soon". */
  sync(): Promise<void> {
    return this.#serial(async () => undefined);
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      this.#closed = true;
      await this.log.close();
      await this.index.close();
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#closed) throw new NaiveClosedError('the store is closed');
      return work();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
