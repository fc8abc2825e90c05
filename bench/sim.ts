/**
 * Simulator benchmark: simulated I/O operations per second, single thread, for a log-shaped
 * file workload (append + datasync loops, rename into place, syncDir), and the cost of a small
 * whole world (create, 100 append+datasync pairs, power loss, restart, read back), the shape of
 * one short engine run; then the engine under simulation (sim-engine.ts), the synchronous-port
 * prototype (sim-sync.ts), explore runs/s (explore.ts), swarm seeds/s with one and two threads,
 * cold and warm (swarm-warm.ts), the simulator against the real disk like for like
 * (sim-vs-real.ts), and CLI and worker start-up (startup.ts). Prints figures; asserts nothing.
 * Run with `npm run bench:sim`.
 */
import { runLogWorkload } from '../sim/index.ts';
import { noFaults, SimWorld, type LatencyProfile } from '../sim/index.ts';

function nowMs(): number {
  return performance.now();
}

async function logWorkload(label: string, latency: LatencyProfile | undefined, trace: 'digest' | 'full'): Promise<void> {
  const repeats = 5;
  let calls = 0;
  const start = nowMs();
  for (let seed = 0; seed < repeats; seed++) {
    const world = new SimWorld({ seed, faults: noFaults(), latency, trace });
    const outcome = await world.run(() => runLogWorkload(world.fs, '/db', 200, 100), { stepsMax: 10_000_000 });
    if (outcome.outcome !== 'done') throw new Error(`unexpected outcome ${outcome.outcome}`);
    calls += outcome.value;
  }
  const elapsedMs = nowMs() - start;
  const perSecond = (calls / elapsedMs) * 1000;
  console.log(`${label.padEnd(34)} ${calls.toString().padStart(8)} I/O  ${elapsedMs.toFixed(0).padStart(6)} ms  ${(perSecond / 1e6).toFixed(2)} M I/O/s  ${((elapsedMs * 1000) / calls).toFixed(2)} µs/I/O`);
}

async function smallWorlds(): Promise<void> {
  const worlds = 2000;
  const record = new Uint8Array(100).fill(3);
  let io = 0;
  const start = nowMs();
  for (let seed = 0; seed < worlds; seed++) {
    const world = new SimWorld({ seed, faults: noFaults({ rates: { 'fsync-error': 0.001 } }) });
    await world.run(async () => {
      await world.fs.mkdir('/db');
      const handle = await world.fs.open('/db/wal', { create: true });
      await world.fs.syncDir('/db');
      for (let i = 0; i < 100; i++) {
        await handle.append(record);
        await handle.datasync().catch(() => undefined);
      }
    });
    world.crashNow('power-loss');
    world.restart();
    await world.run(async () => {
      const handle = await world.fs.open('/db/wal');
      await handle.read(0, await handle.size());
    });
    io += world.ioCount;
    world.trace.digest();
  }
  const elapsedMs = nowMs() - start;
  console.log(`${'small worlds (100 appends+power loss)'.padEnd(34)} ${worlds} worlds  ${((elapsedMs * 1000) / worlds).toFixed(1)} µs/world  ${((elapsedMs * 1000) / io).toFixed(2)} µs/I/O`);
}

console.log(`powercut simulator benchmark (node ${process.version})`);
await logWorkload('warm-up', undefined, 'digest');
await logWorkload('log workload, digest, fast path', undefined, 'digest');
await logWorkload('log workload, full trace', undefined, 'full');
await logWorkload('log workload, latency 1 ms', { ioMsMax: 1 }, 'digest');
await smallWorlds();
await import('./sim-engine.ts');
await import('./sim-sync.ts');
await import('./explore.ts');
await import('./swarm-warm.ts');
await import('./sim-vs-real.ts');
// CLI and worker start-up, the same table as `npm run bench:startup` (without a baseline).
await import('./startup.ts');
