/**
 * Workload: `lowdb` (npm) with its JSON file adapter, whose writes go through `steno` (write a
 * temporary file `.db.json.tmp`, then rename it over `db.json`).
 *
 * Invariants after every crash, on a fresh `Low` instance:
 * - `opens`: `db.read()` succeeds (the file parses as JSON, or is absent);
 * - `whole`: the data is one of the states written: `items` is `[1, 2, ..., k]` for some k,
 *   never torn, never empty or missing after setup created it;
 * - `durable`: k is at least the number of the last acknowledged `db.write()`.
 */
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { targetFaultRates } from './plan.ts';
import type { Workload } from './workload.ts';

interface Data {
  items: number[];
}

interface State {
  /** Items in the last acknowledged write. */
  acked: number;
}

const fileName = 'db.json';

/** A state written by the workload: 1..k, each item padded so that a write spans sectors. */
function isWritten(data: unknown): data is Data {
  if (typeof data !== 'object' || data === null) return false;
  const items = (data as { items?: unknown }).items;
  return Array.isArray(items) && items.every((item, index) => item === index + 1);
}

const workload: Workload<State, Low<Data>> = {
  name: 'lowdb',
  description: 'after a crash the database opens with the old or the new data; an acknowledged write survives',
  operationsCount: 12,
  // The default faults, short writes among them: steno writes with `fs.promises.writeFile`, whose loop
  // must write the rest.
  faults: { rates: targetFaultRates },
  initialState: () => ({ acked: 0 }),
  async open(ctx) {
    const db = new Low<Data>(new JSONFile<Data>(ctx.path(fileName)), { items: [] });
    await db.read();
    return db;
  },
  async setup(_ctx, db) {
    db.data = { items: [] };
    await db.write();
  },
  operations: [{
    name: 'push',
    async run(ctx, db) {
      db.data.items.push(db.data.items.length + 1);
      const count = db.data.items.length;
      await db.write();
      ctx.state.acked = count;
    },
  }],
  async invariants(ctx) {
    const db = new Low<Data | null>(new JSONFile<Data | null>(ctx.path(fileName)), null);
    try {
      await db.read();
    } catch (error) {
      ctx.violate('opens', `db.read() fails: ${(error as Error).message.slice(0, 120)}`);
      return;
    }
    if (!isWritten(db.data)) {
      ctx.violate('whole', `${fileName} holds no state written: ${JSON.stringify(db.data)?.slice(0, 80)}`);
      return;
    }
    const count = db.data.items.length;
    const acked = ctx.state.acked;
    if (count < acked) ctx.violate('durable', `${fileName} holds ${count} items, but the write of ${acked} was acknowledged`);
    // What a kill -9 leaves visible may still be lost by a later power loss: only a loss lowers
    // the acknowledged count (reported once, then adopted as the new base).
    ctx.state.acked = Math.min(acked, count);
  },
};

export default workload;
