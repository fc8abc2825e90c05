/**
 * The synchronous-world prototype: what a simulated I/O costs when nothing in the world is a
 * promise, against the asynchronous port the engine uses today, on the same disk, faults and
 * trace (both ports run the same operation descriptions through sim/disk/perform.ts, so the
 * difference is the promise, the await and the scheduler's barrier per I/O, nothing else).
 * Alternated A/B rounds in one process, CPU time (the machine is shared). Prints the per-I/O
 * costs and what they leave for the rest of a swarm seed at 2,000 seeds/s.
 */
import { noFaults, SimWorld, SyncFileSystem } from '../sim/index.ts';

const rounds = 6;
const worldsPerRound = 300;
const appendsPerWorld = 100;
const record = new Uint8Array(100).fill(3);

/** One world of the log workload through the asynchronous port (as the engine runs). */
async function asyncWorld(seed: number): Promise<number> {
  const world = new SimWorld({ seed, faults: noFaults() });
  await world.run(async () => {
    await world.fs.mkdir('/db');
    const handle = await world.fs.open('/db/wal', { create: true });
    for (let i = 0; i < appendsPerWorld; i++) {
      await handle.append(record);
      await handle.datasync();
    }
    await handle.close();
  }, { barrier: 'tick' });
  world.trace.digest();
  return world.ioCount;
}

/** The same world through the synchronous port: no promise per I/O, one run around it all. */
async function syncWorld(seed: number): Promise<number> {
  const world = new SimWorld({ seed, faults: noFaults() });
  const port = new SyncFileSystem(world.kernel);
  await world.run(async () => {
    port.mkdir('/db');
    const handle = port.open('/db/wal', { create: true });
    for (let i = 0; i < appendsPerWorld; i++) {
      handle.write(0, record, 'append');
      handle.sync('datasync');
    }
    handle.close();
  }, { barrier: 'tick' });
  world.trace.digest();
  return world.ioCount;
}

async function cpuMicrosPerIo(world: (seed: number) => Promise<number>, round: number): Promise<number> {
  const cpu0 = process.cpuUsage();
  let io = 0;
  for (let i = 0; i < worldsPerRound; i++) io += await world(round * worldsPerRound + i);
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / io;
}

console.log(`\n## Synchronous-world prototype (log workload, ${appendsPerWorld} append+datasync per world, CPU µs per I/O)`);
await cpuMicrosPerIo(asyncWorld, 99);
await cpuMicrosPerIo(syncWorld, 99);
const asyncCosts: number[] = [];
const syncCosts: number[] = [];
for (let round = 0; round < rounds; round++) {
  if (round % 2 === 0) {
    asyncCosts.push(await cpuMicrosPerIo(asyncWorld, round));
    syncCosts.push(await cpuMicrosPerIo(syncWorld, round));
  } else {
    syncCosts.push(await cpuMicrosPerIo(syncWorld, round));
    asyncCosts.push(await cpuMicrosPerIo(asyncWorld, round));
  }
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const asyncMicros = median(asyncCosts);
const syncMicros = median(syncCosts);
console.log(`asynchronous port (promise + await per I/O)  ${asyncMicros.toFixed(2)} µs/I/O`);
console.log(`synchronous port (no promise)                ${syncMicros.toFixed(2)} µs/I/O  (${(asyncMicros / syncMicros).toFixed(2)}x)`);
// A swarm seed does ~560 simulated I/Os (issue 16's measurement); 2,000 seeds/s on 2 cores
// with --jobs 2 scaling 1.6x leaves 1,000 / (2,000 / 1.6) = 0.8 ms of CPU per seed per core.
const ioPerSeed = 560;
const budgetMicros = 1_000_000 / (2000 / 1.6);
console.log(`2,000 swarm seeds/s (--jobs 2 at 1.6x): ${budgetMicros.toFixed(0)} µs CPU per seed; the ~${ioPerSeed} I/O alone take ${(ioPerSeed * asyncMicros).toFixed(0)} µs asynchronous, ${(ioPerSeed * syncMicros).toFixed(0)} µs synchronous`);
