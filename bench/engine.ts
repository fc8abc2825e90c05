/**
 * `npm run bench:engine`: how fast the reference engine commits and recovers on the real disk,
 * next to peers with the same durability, measured in the same run on the same temp folder.
 *
 * - Commits: each of W writers commits single-put batches (16-byte key, 100-byte value) in a
 *   loop for a fixed time; we report commits per second and p50/p99 commit latency, for the
 *   engine in strict, group and none modes with 1, 8 and 64 writers.
 * - Peers (optional, `cd bench/peers && npm install`): better-sqlite3 in WAL mode with
 *   synchronous=FULL (≈ strict) and NORMAL (≈ none: no fsync per commit), and classic-level
 *   with sync true (≈ strict) and false (≈ none). better-sqlite3 is synchronous, so only one
 *   writer is meaningful for it.
 * - Recovery: a store with a large WAL (no checkpoint) is closed and reopened; we report the
 *   WAL bytes replayed per second of recovery.
 *
 * Figures depend on the machine's disk and fsync cost; compare rows of equal durability only.
 */
import * as nodeFs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../engine/index.ts';
import type { SyncMode } from '../engine/index.ts';
import { NodeFileSystem, SystemClock } from '../engine/node/index.ts';

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 1500);
const writerCounts = [1, 8, 64] as const;
const value = new Uint8Array(100).fill(7);

/** One row of the results table. */
interface Row {
  readonly system: string;
  readonly durability: string;
  readonly writers: number;
  readonly commitsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Runs `writers` loops of `commitOne` for `durationMs` and summarizes their latencies. */
async function measure(writers: number, commitOne: (writer: number, n: number) => Promise<void> | void): Promise<Omit<Row, 'system' | 'durability'>> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: writers }, async (_, writer) => {
    for (let n = 0; performance.now() < deadline; n++) {
      const t = performance.now();
      await commitOne(writer, n);
      latencies.push(performance.now() - t);
    }
  }));
  const elapsedS = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { writers, commitsPerSecond: latencies.length / elapsedS, p50Ms: at(0.5), p99Ms: at(0.99) };
}

const keyOf = (writer: number, n: number): string => `w${String(writer).padStart(3, '0')}-${String(n % 1000).padStart(6, '0')}`;

function openEngine(dir: string, sync: SyncMode, walSizeBytesMax?: number): Promise<Store> {
  return Store.open({
    dir, fs: new NodeFileSystem(nodeFs), clock: new SystemClock(), sync,
    ...(walSizeBytesMax === undefined ? {} : { walSizeBytesMax }),
  });
}

async function benchEngine(root: string): Promise<Row[]> {
  const rows: Row[] = [];
  const durability: Record<SyncMode, string> = { strict: 'fsync per commit', group: 'shared fsync', none: 'no fsync' };
  for (const sync of ['strict', 'group', 'none'] as const) {
    for (const writers of writerCounts) {
      const dir = join(root, `engine-${sync}-${writers}`);
      const store = await openEngine(dir, sync);
      const figures = await measure(writers, async (w, n) => {
        await store.commit([{ type: 'put', key: keyOf(w, n), value }]);
      });
      await store.close();
      rows.push({ system: `powercut ${sync}`, durability: durability[sync], ...figures });
    }
  }
  return rows;
}

/** Loads a peer from bench/peers/node_modules, or says it is missing. */
async function loadPeer<T>(name: string): Promise<T | undefined> {
  const require = createRequire(new URL('./peers/package.json', import.meta.url));
  try {
    const path = require.resolve(name);
    return (await import(path)) as T;
  } catch (error) {
    console.log(`- peer ${name} is missing (${(error as Error).message.split('\n')[0]}); install with: cd bench/peers && npm install`);
    return undefined;
  }
}

async function benchSqlite(root: string): Promise<Row[]> {
  type Database = { pragma(s: string): unknown; exec(s: string): void; prepare(s: string): { run(...a: unknown[]): unknown }; close(): void };
  const module = await loadPeer<{ default: new (path: string) => Database }>('better-sqlite3');
  if (module === undefined) return [];
  const rows: Row[] = [];
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    const db = new module.default(join(root, `sqlite-${synchronous}.db`));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB)');
    const put = db.prepare('INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)');
    const buffer = Buffer.from(value);
    const figures = await measure(1, (w, n) => {
      put.run(keyOf(w, n), buffer);
    });
    db.close();
    rows.push({
      system: `better-sqlite3 WAL ${synchronous}`,
      durability: synchronous === 'FULL' ? 'fsync per commit' : 'no fsync (WAL)',
      ...figures,
    });
  }
  return rows;
}

async function benchLevel(root: string): Promise<Row[]> {
  type Level = { open(): Promise<void>; put(k: string, v: Uint8Array, o: { sync: boolean }): Promise<void>; close(): Promise<void> };
  const module = await loadPeer<{ ClassicLevel: new (path: string, o: object) => Level }>('classic-level');
  if (module === undefined) return [];
  const rows: Row[] = [];
  for (const sync of [true, false]) {
    for (const writers of writerCounts) {
      const db = new module.ClassicLevel(join(root, `level-${sync}-${writers}`), { valueEncoding: 'view' });
      await db.open();
      const figures = await measure(writers, (w, n) => db.put(keyOf(w, n), value, { sync }));
      await db.close();
      rows.push({ system: `classic-level sync:${sync}`, durability: sync ? 'fsync per commit' : 'no fsync', ...figures });
    }
  }
  return rows;
}

/** Writes about `walBytesTarget` of WAL without a checkpoint, closes, reopens, and times replay. */
async function benchRecovery(root: string, walBytesTarget: number): Promise<string> {
  const dir = join(root, 'recovery');
  const big = new Uint8Array(4096).fill(3);
  const store = await openEngine(dir, 'none', 4 * walBytesTarget);
  const batch = 16;
  for (let n = 0; n * batch * big.length < walBytesTarget; n++) {
    await store.commit(Array.from({ length: batch }, (_, i) => ({ type: 'put' as const, key: `r${(n * batch + i) % 20_000}`, value: big })));
  }
  await store.close();
  const started = performance.now();
  const reopened = await openEngine(dir, 'none', 4 * walBytesTarget);
  const wallMs = performance.now() - started;
  const stats = reopened.replayStats;
  await reopened.close();
  const mb = stats.bytesReplayed / (1024 * 1024);
  return `Recovery: replayed ${mb.toFixed(1)} MiB in ${stats.recoveryMs.toFixed(0)} ms ` +
    `(${(mb / (stats.recoveryMs / 1000)).toFixed(0)} MiB/s; open took ${wallMs.toFixed(0)} ms wall, ` +
    `${stats.recordsApplied} records, ${stats.segmentsScanned} segments)`;
}

/** Runs a peer's benchmark, reporting plainly when the peer is installed but cannot run. */
async function peerRows(name: string, run: () => Promise<Row[]>): Promise<Row[]> {
  try {
    return await run();
  } catch (error) {
    console.log(`- peer ${name} could not run (${(error as Error).message.split('\n')[0]}); reinstall with: cd bench/peers && npm install`);
    return [];
  }
}

function table(rows: readonly Row[]): string {
  const lines = [
    '| system | durability | writers | commits/s | p50 ms | p99 ms |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.system} | ${r.durability} | ${r.writers} | ${Math.round(r.commitsPerSecond)} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} |`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'powercut-bench-'));
  console.log(`# powercut engine benchmark\n\nTemp folder: ${root} (${durationMs} ms per row; set BENCH_DURATION_MS to change)\n`);
  try {
    const rows = [
      ...(await benchEngine(root)),
      ...(await peerRows('better-sqlite3', () => benchSqlite(root))),
      ...(await peerRows('classic-level', () => benchLevel(root))),
    ];
    // Equal durability side by side: group durability with the fsync rows.
    const order = ['fsync per commit', 'shared fsync', 'no fsync', 'no fsync (WAL)'];
    rows.sort((a, b) => order.indexOf(a.durability) - order.indexOf(b.durability) || a.writers - b.writers);
    console.log(`\n${table(rows)}\n`);
    console.log(await benchRecovery(root, Number(process.env.BENCH_WAL_BYTES ?? 64 * 1024 * 1024)));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
