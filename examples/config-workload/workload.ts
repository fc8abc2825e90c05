/**
 * A library workload as a user writes one (README, "Testing any Node library"): write-file-atomic
 * saving a settings file again and again. After every crash the file must be whole (one of the
 * documents written, never a mix, never empty) and hold the last save that was acknowledged, or a
 * later one. `npx powercut run --target examples/config-workload/workload.ts --seeds 200` finds
 * that write-file-atomic never fsyncs the directory after its rename, and, on a filling disk,
 * publishes a truncated file (it never looks at the count `fs.write` returns).
 */
import { readFile } from 'node:fs/promises';
import { defineWorkload, freshRequire } from '../../targets/index.ts';

type WriteFileAtomic = (file: string, data: string) => Promise<void>;

const file = 'settings.json';
/** Save `version`: large enough to span sectors, so that a crash can tear it. */
const settings = (version: number): string => JSON.stringify({ version, theme: 'x'.repeat(1500) });

export default defineWorkload({
  name: 'config-workload',
  description: 'settings.json holds the last acknowledged save (or a later one), whole',
  operationsCount: 10,
  initialState: () => ({ acked: 0 }),
  // Loaded afresh in every incarnation: a restarted process starts with empty module state.
  load: () => freshRequire<WriteFileAtomic>('write-file-atomic'),
  open: (_ctx, writeFileAtomic) => writeFileAtomic,
  setup: (ctx, write) => write(ctx.path(file), settings(0)),
  operations: [{
    name: 'save',
    async run(ctx, write, index) {
      await write(ctx.path(file), settings(index + 1));
      ctx.state.acked = index + 1; // acknowledged: from here on it must survive
    },
  }],
  async invariants(ctx) {
    const text = await readFile(ctx.path(file), 'utf8').catch(() => undefined);
    if (text === undefined) return ctx.violate('whole', `${file} is gone`);
    let version: number | undefined;
    try {
      version = (JSON.parse(text) as { version?: number }).version;
    } catch {
      return ctx.violate('whole', `${file} is not JSON (${text.length} bytes)`);
    }
    if (version === undefined || settings(version) !== text) return ctx.violate('whole', `${file} is not a document written (${text.length} bytes)`);
    if (version < ctx.state.acked) ctx.violate('durable', `version ${version} < acknowledged ${ctx.state.acked}`);
    ctx.state.acked = Math.min(ctx.state.acked, version); // judge later crashes from what survived
  },
});
