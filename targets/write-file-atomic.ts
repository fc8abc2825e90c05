/**
 * Workload: `write-file-atomic` (npm) replacing one document again and again.
 *
 * Invariants after every crash:
 * - `whole`: the target exists and holds exactly one of the documents written (the old or the
 *   new one), never a mix of two, never a torn, truncated or empty file, never nothing;
 * - `durable`: it holds the last document whose write was acknowledged, or a later one (a write
 *   that resolved is not lost).
 *
 * The library is loaded afresh in each incarnation (`load` with freshRequire, not `loadOnce`): it
 * keeps a module-level queue per file that a crashed write would otherwise leave locked.
 */
import { readFile } from 'node:fs/promises';
import { targetFaultRates } from './plan.ts';
import { freshRequire, type Workload } from './workload.ts';

/** The slice of write-file-atomic's API the workload uses. */
type WriteFileAtomic = (filename: string, data: string | Uint8Array, options?: { fsync?: boolean }) => Promise<void>;

interface State {
  /** Version of the last acknowledged document. */
  acked: number;
}

const fileName = 'config.json';

/** Document `version`: 1.5 KiB, so that it spans several 512-byte sectors and can tear. */
export function documentOf(version: number): string {
  return JSON.stringify({ version, pad: 'abcdefghijklmnopqrstuvwxyz'.charAt(version % 26).repeat(1500) });
}

/** The version of `text` if it is exactly one of the documents written, else undefined. */
function versionOf(text: string): number | undefined {
  try {
    const parsed = JSON.parse(text) as { version?: unknown };
    if (typeof parsed.version !== 'number') return undefined;
    return documentOf(parsed.version) === text ? parsed.version : undefined;
  } catch {
    return undefined;
  }
}

/** The document `text` is a proper, non-empty prefix of (a write that landed short), if any. */
function truncatedFrom(text: string): { version: number; length: number } | undefined {
  const version = Number(/^\{"version":(\d+),/.exec(text)?.[1] ?? Number.NaN);
  if (!Number.isSafeInteger(version)) return undefined;
  const document = documentOf(version);
  return document.length > text.length && document.startsWith(text) ? { version, length: document.length } : undefined;
}

const workload: Workload<State, WriteFileAtomic, WriteFileAtomic> = {
  name: 'write-file-atomic',
  description: 'after a crash the target holds the old or the new document, never a mix, never nothing; an acknowledged write survives',
  operationsCount: 12,
  // The default faults, short writes among them: write-file-atomic writes with one `fs.write` whose
  // count it never checks, so a write that lands a prefix is where it can go wrong.
  faults: { rates: targetFaultRates },
  initialState: () => ({ acked: 0 }),
  load: () => freshRequire<WriteFileAtomic>('write-file-atomic'),
  open: (_ctx, writeFileAtomic) => writeFileAtomic,
  setup: (ctx, writeFileAtomic) => writeFileAtomic(ctx.path(fileName), documentOf(0)),
  operations: [{
    name: 'replace',
    async run(ctx, writeFileAtomic, index) {
      const version = index + 1;
      await writeFileAtomic(ctx.path(fileName), documentOf(version));
      ctx.state.acked = version;
    },
  }],
  async invariants(ctx) {
    let text: string;
    try {
      text = await readFile(ctx.path(fileName), 'utf8');
    } catch (error) {
      ctx.violate('whole', `${fileName} is gone (${(error as Error).message})`);
      return;
    }
    const version = versionOf(text);
    if (version === undefined) {
      const cut = truncatedFrom(text);
      ctx.violate('whole', cut === undefined
        ? `${fileName} holds ${text.length} bytes that are no document written (torn, empty or mixed): ${JSON.stringify(text.slice(0, 40))}`
        : `${fileName} is truncated: ${text.length} of ${cut.length} bytes of version ${cut.version}`);
      return;
    }
    const acked = ctx.state.acked;
    if (version < acked) ctx.violate('durable', `${fileName} holds version ${version}, but the write of version ${acked} was acknowledged`);
    // What a kill -9 leaves visible may still be lost by a later power loss: only a loss lowers
    // the acknowledged version (reported once, then adopted as the new base).
    ctx.state.acked = Math.min(acked, version);
  },
};

export default workload;
