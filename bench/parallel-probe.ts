/**
 * How much of two cores this machine gives right now: the same fixed compute loop in one worker
 * thread, then in two at once; the figure is the work per second of two over that of one
 * (2.0: two free cores; 1.0: one, the other busy with something else). A `--jobs 2` figure
 * means little without it on a shared machine: printed beside every such figure.
 */
import { Worker } from 'node:worker_threads';

const loop = `
const { parentPort } = require('node:worker_threads');
const start = performance.now();
let x = 0;
for (let i = 0; i < 2e8; i++) { x = (Math.imul(x, 31) + i) | 0; x ^= x >>> 7; }
parentPort.postMessage({ ms: performance.now() - start, x });
`;

function oneLoop(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(loop, { eval: true });
    worker.once('message', (message: { ms: number }) => {
      resolve(message.ms);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** Two threads' throughput over one thread's (see the module comment). */
export async function parallelCapacity(): Promise<number> {
  const alone = await oneLoop();
  const together = await Promise.all([oneLoop(), oneLoop()]);
  return (2 * alone) / Math.max(...together);
}
