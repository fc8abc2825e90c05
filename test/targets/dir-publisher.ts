/**
 * A directory publisher as a workload: each version is two files written into `v<N>.tmp/`, each
 * fsynced, the directory fsynced, then renamed to `v<N>` and the root fsynced; older versions
 * are removed afterwards. Its careless variants skip one of the two directory fsyncs. The
 * invariant: the highest `v<N>` is whole (both files of version N) and not older than the last
 * version acknowledged.
 */
import fs from 'node:fs';
import { InvariantViolation, type Workload, type WorkloadContext } from '../../targets/workload.ts';
import { publisherWorkload, syncDir, type Published } from './publishing.ts';

/** Which directory fsyncs a publisher makes. */
interface Syncs {
  /** The new directory, so that the names of its files are durable before it is published. */
  readonly newDir: boolean;
  /** The root after the rename, so that the published name is durable before acknowledging. */
  readonly root: boolean;
}

const files = ['data.json', 'meta.json'];

function contentOf(version: number, file: string): string {
  return JSON.stringify({ version, file, padding: 'x'.repeat(200 + version) });
}

/** The published versions under the root, highest first. */
function versions(root: string): number[] {
  return fs.readdirSync(root).flatMap((name) => /^v(\d+)$/.exec(name)?.[1] ?? []).map(Number).sort((a, b) => b - a);
}

async function publish(ctx: WorkloadContext<Published>, syncs: Syncs, version: number): Promise<void> {
  const tmp = ctx.path(`v${version}.tmp`);
  await fs.promises.rm(tmp, { recursive: true, force: true });
  await fs.promises.mkdir(tmp);
  for (const file of files) {
    const handle = await fs.promises.open(`${tmp}/${file}`, 'w');
    try {
      await handle.writeFile(contentOf(version, file));
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
  if (syncs.newDir) await syncDir(tmp);
  await fs.promises.rename(tmp, ctx.path(`v${version}`));
  if (syncs.root) await syncDir(ctx.root);
  for (const old of versions(ctx.root).slice(1)) await fs.promises.rm(ctx.path(`v${old}`), { recursive: true });
}

function publisher(name: string, syncs: Syncs): Workload<Published, Syncs> {
  return publisherWorkload(name, syncs, publish, (ctx) => {
    const [latest] = versions(ctx.root);
    if (latest === undefined) throw new InvariantViolation('durable', 'no published version');
    for (const file of files) {
      let text: string;
      try {
        text = fs.readFileSync(ctx.path(`v${latest}/${file}`), 'utf8');
      } catch {
        throw new InvariantViolation('whole', `v${latest}/${file} is missing`);
      }
      if (text !== contentOf(latest, file)) throw new InvariantViolation('whole', `v${latest}/${file} is torn`);
    }
    const acked = ctx.state.acked;
    ctx.state.acked = Math.min(acked, latest);
    if (latest < acked) throw new InvariantViolation('durable', `version ${latest} < acknowledged ${acked}`);
  });
}

/** Every fsync: passes. */
export const carefulPublisher = publisher('dir-publisher', { newDir: true, root: true });
/** No fsync of the root after the rename: a power loss takes the acknowledged version back. */
export const unsyncedRootPublisher = publisher('dir-publisher-unsynced-root', { newDir: true, root: false });
/** No fsync of the new directory: a power loss keeps the published name without its files. */
export const unsyncedDirPublisher = publisher('dir-publisher-unsynced-dir', { newDir: false, root: true });
