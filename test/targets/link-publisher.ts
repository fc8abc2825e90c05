/**
 * A publisher that switches a symbolic link, as deployment tools and some stores do: each
 * version is written into its own directory `v<N>/` (file fsynced, directory fsynced, root
 * fsynced), then a new link `current.tmp -> v<N>` is renamed over `current` and the root fsynced
 * again; the version before the last is removed. Readers go through the link. Its careless
 * variants skip the fsync after the switch, or make the link before the version is written.
 * The invariant: `current/data.json` is whole and not older than the last version acknowledged.
 */
import fs from 'node:fs';
import { InvariantViolation, type Workload, type WorkloadContext } from '../../targets/workload.ts';
import { publisherWorkload, syncDir, type Published } from './publishing.ts';

/** How a publisher switches. */
interface Switch {
  /** Fsync the root after renaming the new link over `current`. */
  readonly syncAfterSwitch: boolean;
  /** Make and switch the link before the version's files are written (and synced). */
  readonly linkFirst: boolean;
}

function contentOf(version: number): string {
  return JSON.stringify({ version, padding: 'x'.repeat(100 + version) });
}

async function writeVersion(ctx: WorkloadContext<Published>, version: number): Promise<void> {
  const dir = ctx.path(`v${version}`);
  await fs.promises.mkdir(dir, { recursive: true });
  const handle = await fs.promises.open(`${dir}/data.json`, 'w');
  try {
    await handle.writeFile(contentOf(version));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await syncDir(dir);
  await syncDir(ctx.root);
}

async function switchTo(ctx: WorkloadContext<Published>, version: number, how: Switch): Promise<void> {
  await fs.promises.rm(ctx.path('current.tmp'), { force: true });
  await fs.promises.symlink(`v${version}`, ctx.path('current.tmp'));
  await fs.promises.rename(ctx.path('current.tmp'), ctx.path('current'));
  if (how.syncAfterSwitch) await syncDir(ctx.root);
}

async function publish(ctx: WorkloadContext<Published>, how: Switch, version: number): Promise<void> {
  if (how.linkFirst) await switchTo(ctx, version, how);
  await writeVersion(ctx, version);
  if (!how.linkFirst) await switchTo(ctx, version, how);
  if (version >= 2) await fs.promises.rm(ctx.path(`v${version - 2}`), { recursive: true, force: true });
}

function publisher(name: string, how: Switch): Workload<Published, Switch> {
  return publisherWorkload(name, how, publish, (ctx) => {
    const target = fs.readlinkSync(ctx.path('current'));
    let text: string;
    try {
      text = fs.readFileSync(ctx.path('current/data.json'), 'utf8');
    } catch {
      throw new InvariantViolation('whole', `current -> ${target}, which holds no data.json`);
    }
    const version = (JSON.parse(text) as { version: number }).version;
    if (text !== contentOf(version)) throw new InvariantViolation('whole', `current/data.json is torn`);
    const acked = ctx.state.acked;
    ctx.state.acked = Math.min(acked, version);
    if (version < acked) throw new InvariantViolation('durable', `current -> ${target}: version ${version} < acknowledged ${acked}`);
  });
}

/** Every fsync, the link switched after the version is durable: passes. */
export const carefulLinkPublisher = publisher('link-publisher', { syncAfterSwitch: true, linkFirst: false });
/** No fsync after the switch: a power loss takes the new link back. */
export const unsyncedSwitchPublisher = publisher('link-publisher-unsynced-switch', { syncAfterSwitch: false, linkFirst: false });
/** The link switched before the version is written: a crash leaves it pointing at nothing whole. */
export const linkFirstPublisher = publisher('link-publisher-link-first', { syncAfterSwitch: true, linkFirst: true });
