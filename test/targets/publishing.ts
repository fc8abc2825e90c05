/**
 * What the publisher workloads share (dir-publisher.ts, link-publisher.ts): a directory fsync
 * through the promise API, and the workload around one `publish` of version N, acknowledged
 * when it returns, set up with version 0.
 */
import fs from 'node:fs';
import type { Workload, WorkloadContext } from '../../targets/workload.ts';

/** The model: the last version acknowledged. */
export interface Published {
  acked: number;
}

/** fsync of the directory at `path`. */
export async function syncDir(path: string): Promise<void> {
  const handle = await fs.promises.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A workload of six publishes, each of the next version, with `how` as its library.
 * @param publish - publishes `version` the way `how` says
 * @param invariants - the workload's check after a crash
 */
export function publisherWorkload<H>(
  name: string,
  how: H,
  publish: (ctx: WorkloadContext<Published>, how: H, version: number) => Promise<void>,
  invariants: Workload<Published, H>['invariants'],
): Workload<Published, H> {
  return {
    name,
    operationsCount: 6,
    initialState: () => ({ acked: 0 }),
    open: () => how,
    setup: (ctx) => publish(ctx, how, 0),
    operations: [{
      name: 'publish',
      async run(ctx, library, index) {
        await publish(ctx, library, index + 1);
        ctx.state.acked = index + 1;
      },
    }],
    invariants,
  };
}
