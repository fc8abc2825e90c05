/**
 * Planted bugs in a user's engine: the careful example engine (examples/careful-engine/), which
 * declares no phases and no LSNs, so powercut tests it as it tests an engine it has never seen:
 * faults aimed at kinds of I/O, the generic oracle, and the engine's own errors. Each bug is a
 * small source change to a copy of the engine (careful-loader.ts), the way someone planting bugs
 * in an unfamiliar engine would write them; careful-catalogue.test.ts asserts every one is caught
 * within its seed budget, `bench/careful-mutants.ts` measures the seeds.
 *
 * `file` in a patch is relative to examples/careful-engine/; every `find` must match exactly once.
 */
import type { Mutant } from './catalogue.ts';

export const carefulMutants: readonly Mutant[] = [
  {
    id: 'careful-ack-before-fsync',
    title: 'a strict commit is acknowledged without its fsync',
    models: 'ack before durable (MongoDB j:false defaults, Jepsen)',
    patches: [{ file: 'store.ts', find: "      if (this.mode === 'strict') await this.#fsync();\n", replace: '' }],
    scenarios: ['wal-append', 'swarm'],
  },
  {
    id: 'careful-checkpoint-unsynced',
    title: 'the compacted log is renamed over the log without an fsync of its own',
    models: 'ALICE / nedb: rename before fsync, an empty or torn file published',
    patches: [{ file: 'store.ts', find: '        await tmp.datasync();\n        await tmp.close();', replace: '        await tmp.close();' }],
    scenarios: ['checkpoint-prune', 'swarm'],
  },
  {
    id: 'careful-checkpoint-renamed-before-fsync',
    title: 'the compacted log is renamed over the log first and fsynced after, under its new name',
    models: 'ext4 delayed allocation (auto_da_alloc is a heuristic, not a promise): a file renamed before its data is synced can be published empty',
    patches: [{
      file: 'store.ts',
      find: "        await tmp.datasync();\n        await tmp.close();\n        await this.fs.rename(tmpPath, `${this.dir}/${logName}`);\n",
      replace: "        await tmp.close();\n        await this.fs.rename(tmpPath, `${this.dir}/${logName}`);\n        const renamed = await this.fs.open(`${this.dir}/${logName}`);\n        await renamed.datasync();\n        await renamed.close();\n",
    }],
    scenarios: ['checkpoint-prune', 'swarm'],
  },
  {
    id: 'careful-recovery-unsynced',
    title: 'an open serves the records it read without fsyncing them (after a kill -9 they may be in the page cache only)',
    models: 'LazyFS-found recovery bugs: state served by a recovery, lost by the next power loss',
    patches: [{ file: 'store.ts', find: '      await handle.datasync();\n      // Every open', replace: '      // Every open' }],
    scenarios: ['wal-append', 'recovery-crash', 'swarm'],
  },
  {
    id: 'careful-fsyncgate',
    title: 'a failed fsync fails the store without cutting the log back to what was fsynced',
    models: 'PostgreSQL fsyncgate (2018): pages marked clean after EIO are read back as if durable',
    patches: [{ file: 'store.ts', find: '    await this.handle.truncate(this.#durableBytes).catch(() => undefined);\n', replace: '' }],
    scenarios: ['fsync-failure', 'overlap'],
  },
  {
    id: 'careful-sync-noop',
    title: 'sync() returns without an fsync',
    models: 'a sync that only flushes user-space buffers (fflush without fsync)',
    patches: [{ file: 'store.ts', find: '      if (this.#size > this.#durableBytes) await this.#fsync();\n    });', replace: '    });' }],
    scenarios: ['wal-append', 'group-commit', 'swarm'],
  },
  {
    id: 'careful-close-unsynced',
    title: 'a clean close records the log as served without fsyncing it first',
    models: 'a clean-shutdown marker written before the data it vouches for is durable',
    patches: [{ file: 'store.ts', find: '        if (this.#size > this.#durableBytes) await this.handle.datasync();\n', replace: '' }],
    scenarios: ['wal-append', 'rotation', 'swarm'],
  },
  {
    id: 'careful-durable-bytes-stale',
    title: 'an fsync does not advance the size known durable, so a failure cuts acknowledged records off',
    models: 'a durability watermark not advanced (group-commit and WAL watermark bugs)',
    patches: [{ file: 'store.ts', find: '    this.#durableBytes = this.#size;\n  }\n\n  /**\n   * Creates', replace: '  }\n\n  /**\n   * Creates' }],
    scenarios: ['fsync-failure', 'disk-full', 'overlap'],
  },
  {
    id: 'careful-bit-rot-cut',
    title: 'a record one bit from intact is cut off as a torn tail',
    models: 'LevelDB with paranoid_checks off / RocksDB kTolerateCorruptedTailRecords: bit rot taken for a torn write',
    patches: [{ file: 'recover.ts', find: "  if (problem.kind === 'single-bit') throw", replace: "  if (problem.kind === 'single-bit' && false) throw" }],
    scenarios: ['read-corruption', 'swarm'],
  },
  {
    id: 'careful-served-ignored',
    title: 'damage below what an earlier open served is cut off as a torn tail',
    models: 'recovery that forgets what it already vouched for (RocksDB point-in-time recovery after a later open)',
    patches: [{ file: 'recover.ts', find: '  if (offset < servedBytes) throw', replace: '  if (offset < servedBytes && false) throw' }],
    scenarios: ['sector-damage', 'misdirected-write', 'swarm'],
  },
];
