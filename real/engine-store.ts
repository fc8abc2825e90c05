/**
 * The store module the `real` campaign uses by default: the reference engine on the real disk,
 * through the real adapters. Small segments and a small WAL limit make rotation and
 * checkpoints happen within a short campaign, so kills land in them too. `replay --real` opens
 * it with the configuration its plan carries instead.
 */
import * as nodeFs from 'node:fs';
import { Store } from '../engine/index.ts';
import { NodeFileSystem, SystemClock } from '../engine/node/index.ts';
import type { CampaignStore, OpenCampaignStore } from './protocol.ts';
import type { OpenPlanStore, PlanStore } from './replay-protocol.ts';

/** Opens the reference engine in `options.dir` on `node:fs`. */
export const openStore: OpenCampaignStore = async (options) => {
  const store = await Store.open({
    dir: options.dir,
    fs: new NodeFileSystem(nodeFs),
    clock: new SystemClock(),
    sync: options.sync,
    segmentSizeBytes: options.segmentSizeBytes,
    walSizeBytesMax: options.walSizeBytesMax,
  });
  return store satisfies CampaignStore;
};

/** Opens the reference engine in `options.dir` on `node:fs` with a plan's engine configuration (`replay --real`). */
export const openPlanStore: OpenPlanStore = async (options) => {
  const store = await Store.open({
    dir: options.dir,
    fs: new NodeFileSystem(nodeFs),
    clock: new SystemClock(),
    ...options.engine,
  });
  return store satisfies PlanStore;
};
