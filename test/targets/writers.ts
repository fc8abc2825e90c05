/**
 * Hand-written document writers as workloads, for the runner's own tests: a careless one
 * (rewrites the file in place with `fs.writeFileSync`, no fsync), a careful one (temporary
 * file, fsync, rename, directory fsync, through `fs.promises` and a FileHandle), and one as
 * careful but for an fsync error it ignores.
 */
import fs from 'node:fs';
import { documentOf } from '../../targets/write-file-atomic.ts';
import { InvariantViolation, type Workload, type WorkloadContext } from '../../targets/workload.ts';

interface State {
  acked: number;
}

type Write = (ctx: WorkloadContext<State>, text: string) => Promise<void>;

const fileName = 'doc.json';

/** Where the current document is, for the invariants (a path under the root). */
export type Locate = (ctx: WorkloadContext<State>) => string;

/**
 * A workload that replaces `doc.json` with `write` in each operation; its invariants: the
 * document (`locate` finds it; `doc.json` under the root by default) is whole and no older than
 * acknowledged.
 */
export function writerWorkload(name: string, write: Write, locate: Locate = (ctx) => ctx.path(fileName)): Workload<State, Write> {
  return {
    name,
    operationsCount: 8,
    initialState: () => ({ acked: 0 }),
    open: () => write,
    setup: (ctx) => write(ctx, documentOf(0)),
    operations: [{
      name: 'replace',
      async run(ctx, writeDocument, index) {
        await writeDocument(ctx, documentOf(index + 1));
        ctx.state.acked = index + 1;
      },
    }],
    async invariants(ctx) {
      let text: string;
      try {
        text = await fs.promises.readFile(locate(ctx), 'utf8');
      } catch {
        throw new InvariantViolation('whole', `${fileName} is gone`);
      }
      const version = (JSON.parse(text.length > 0 && text.endsWith('}') ? text : '{}') as { version?: number }).version;
      if (version === undefined || documentOf(version) !== text) throw new InvariantViolation('whole', `${fileName} is torn (${text.length} bytes)`);
      const acked = ctx.state.acked;
      ctx.state.acked = Math.min(acked, version);
      if (version < acked) throw new InvariantViolation('durable', `version ${version} < acknowledged ${acked}`);
    },
  };
}

/** Rewrites the document in place, never syncs. */
export const carelessWriter = writerWorkload('careless-writer', async (ctx, text) => {
  fs.writeFileSync(ctx.path(fileName), text);
});

/** Temporary file, fsync, rename, directory fsync: `text` replaces `name` under `ctx.root` durably. */
export async function writeCarefully(ctx: Pick<WorkloadContext<unknown>, 'path' | 'root'>, text: string, name = fileName, sync = (handle: fs.promises.FileHandle) => handle.sync()): Promise<void> {
  const tmp = ctx.path(`${name}.tmp`);
  const handle = await fs.promises.open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await sync(handle);
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, ctx.path(name));
  const dir = await fs.promises.open(ctx.root, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Temporary file, fsync, rename, directory fsync. */
export const carefulWriter = writerWorkload('careful-writer', (ctx, text) => writeCarefully(ctx, text));

/** As {@link carefulWriter}, but an fsync that fails is ignored and the rename goes ahead (fsyncgate). */
export const fsyncIgnoringWriter = writerWorkload('fsync-ignoring-writer', (ctx, text) => writeCarefully(ctx, text, fileName, (handle) => handle.sync().catch(() => undefined)));

/**
 * Rewrites the document in place, then fsyncs it: nothing is unsynced once an operation returns,
 * but a power loss inside one may tear the file (only some crash states show it).
 */
export const syncedInPlaceWriter = writerWorkload('synced-in-place-writer', async (ctx, text) => {
  const handle = await fs.promises.open(ctx.path(fileName), 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
});

/**
 * The careful writer, but its open finishes a replacement a crash interrupted by renaming the
 * temporary file into place, without fsyncing it first: after a kill -9 the file's data is still
 * only in the page cache.
 */
export const reopenRenamer: Workload<State, Write> = {
  ...carefulWriter,
  name: 'reopen-renamer',
  open: (ctx) => {
    const tmp = ctx.path(`${fileName}.tmp`);
    if (fs.existsSync(tmp)) fs.renameSync(tmp, ctx.path(fileName));
    return (ctx2, text) => writeCarefully(ctx2, text);
  },
};

/** Writes `text` to `path` (truncating it first) and fsyncs it. */
function writeSynced(path: string, text: string): void {
  const fd = fs.openSync(path, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Fsyncs the directory `dir`. */
function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether `text` is a whole document. */
const wholeDocument = (text: string): boolean => {
  try {
    return documentOf((JSON.parse(text) as { version: number }).version) === text;
  } catch {
    return false;
  }
};

/**
 * A rollback journal, as SQLite's: each replacement saves the old document to `doc.journal` and
 * fsyncs it and the folder, rewrites `doc.json` in place and fsyncs it, then deletes the journal.
 * Its open rolls a whole journal back over `doc.json` and deletes it (a torn one was never
 * fsynced, so `doc.json` was never touched). `trusting`: it rolls back from the journal as the
 * open read it, which after a kill -9 may be in the page cache alone; otherwise it first copies the
 * journal to a new file, fsyncs it and renames it over the old one.
 */
export function journalWriter(trusting: boolean): Workload<State, Write> {
  const journalled = async (ctx: WorkloadContext<State>, text: string): Promise<void> => {
    const doc = ctx.path(fileName);
    if (!fs.existsSync(doc)) return writeCarefully(ctx, text);
    writeSynced(ctx.path('doc.journal'), fs.readFileSync(doc, 'utf8'));
    syncDir(ctx.root);
    writeSynced(doc, text);
    fs.unlinkSync(ctx.path('doc.journal'));
    syncDir(ctx.root);
  };
  return {
    ...writerWorkload(trusting ? 'journal-trusting' : 'journal-writer', journalled),
    open: (ctx) => {
      const journal = ctx.path('doc.journal');
      if (fs.existsSync(journal)) {
        const saved = fs.readFileSync(journal, 'utf8');
        if (wholeDocument(saved)) {
          if (!trusting) {
            writeSynced(`${journal}.tmp`, saved);
            fs.renameSync(`${journal}.tmp`, journal);
            syncDir(ctx.root);
          }
          writeSynced(ctx.path(fileName), saved);
        }
        fs.unlinkSync(journal);
        syncDir(ctx.root);
      }
      return journalled;
    },
  };
}
