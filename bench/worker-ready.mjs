// Measures how long a campaign worker takes to be ready, as the compiled CLI starts it: in a
// plain `node` process with no loader hooks (a worker inherits its parent's `--import tsx`,
// which would slow every module it loads). Run by bench/startup.ts; prints one JSON line:
// the medians of 5 fresh pools of the first seed minus the same seed on the warm worker, in
// wall time and in CPU time of this process (all threads).
import { WorkerPool } from '../dist/harness/index.js';
import { workerScript } from '../dist/subjects/index.js';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const cpuMs = (since) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const wall = [];
const cpu = [];
for (let round = 0; round < 5; round++) {
  const pool = new WorkerPool(1, workerScript, { kind: 'engine' });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await pool.run({ unit: 'wal-append', seed: 1 });
  const first = performance.now() - t0;
  const firstCpu = cpuMs(c0);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  await pool.run({ unit: 'wal-append', seed: 1 });
  wall.push(first - (performance.now() - t1));
  cpu.push(firstCpu - cpuMs(c1));
  await pool.close();
}
console.log(JSON.stringify({ wallMs: median(wall), cpuMs: median(cpu) }));
