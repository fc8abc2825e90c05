/**
 * Closing a FileHandle its own stream still reads, as Node does: the handle emits `close` at once,
 * which closes the stream, and the descriptor closes once the stream lets go of it, so the stream
 * never reads a closed descriptor. Each sequence runs on a real temporary directory and on the
 * simulated disk and must give the same events (a new npm user's jsonl-db, which rejects on a bad
 * line and closes its handle mid-stream, saw `EBADF` on the simulated disk only).
 */
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-handle-close';
let facade: InstalledFacade | undefined;
let real: string | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
  if (real !== undefined) rmSync(real, { recursive: true, force: true });
  real = undefined;
});

/** Runs `sequence` in a real temporary directory, then on the simulated disk. */
async function onBoth(sequence: (dir: string) => Promise<string[]>): Promise<{ real: string[]; sim: string[] }> {
  real = mkdtempSync(join(tmpdir(), 'powercut-handle-close-'));
  const onReal = await sequence(real);
  facade = installFacade(new SimWorld({ seed: 1 }), root);
  return { real: onReal, sim: await sequence(root) };
}

/** Waits until the microtasks and ticks queued so far have run, and a little real time (the real fs's callbacks). */
const settled = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

describe('closing a FileHandle whose stream is reading', () => {
  it('closes the stream, lets a read in flight finish, and never reads a closed descriptor (readline over a handle, rejected mid-file)', async () => {
    const { real: onReal, sim } = await onBoth(async (dir) => {
      const file = join(dir, 'db.jsonl');
      fs.writeFileSync(file, '{"k":1}\nGARBAGE\n{"k":2}\n');
      const handle = await fs.promises.open(file, 'a+');
      const stream = handle.createReadStream({ encoding: 'utf8', autoClose: false });
      const events: string[] = [];
      stream.on('error', (error: NodeJS.ErrnoException) => events.push(`error ${error.code}`));
      stream.on('close', () => events.push('stream close'));
      const lines = readline.createInterface(stream);
      let lineNo = 0;
      try {
        await new Promise<void>((resolve, reject) => {
          lines.on('line', (line) => {
            lineNo++;
            try {
              JSON.parse(line);
            } catch {
              reject(new Error(`bad line ${lineNo}`));
            }
          });
          lines.on('close', () => resolve());
        });
      } catch (error) {
        events.push((error as Error).message);
      } finally {
        lines.close();
        await handle.close();
        events.push(`handle closed, fd ${handle.fd}`);
      }
      await settled();
      return events;
    });
    expect(sim).toEqual(onReal);
    expect(sim).toEqual(['bad line 2', 'stream close', 'handle closed, fd -1']);
  });

  it('emits close on the handle, which closes a paused stream that has not ended, before the close resolves', async () => {
    const { real: onReal, sim } = await onBoth(async (dir) => {
      const file = join(dir, 'f');
      fs.writeFileSync(file, 'abcdefghijklmnop');
      const handle = await fs.promises.open(file, 'r');
      const events: string[] = [];
      (handle as unknown as NodeJS.EventEmitter).on('close', () => events.push('handle close event'));
      const stream = handle.createReadStream({ highWaterMark: 4, autoClose: false });
      stream.on('error', (error: NodeJS.ErrnoException) => events.push(`error ${error.code}`));
      stream.on('close', () => events.push(`stream close, fd ${handle.fd}`));
      const first = await new Promise<string>((resolve) => stream.once('data', (chunk: Buffer | string) => resolve(chunk.toString())));
      stream.pause();
      events.push(`data ${first}`);
      const closing = handle.close();
      events.push(`close called, fd ${handle.fd === -1 ? -1 : 'open'}`);
      await closing;
      events.push(`closed, fd ${handle.fd}`);
      await settled();
      return events;
    });
    expect(sim).toEqual(onReal);
    expect(sim).toEqual(['data abcd', 'handle close event', 'close called, fd -1', 'stream close, fd -1', 'closed, fd -1']);
  });

  it('closes at once without streams: fd -1, a second close resolves, a read after it fails with EBADF', async () => {
    const { real: onReal, sim } = await onBoth(async (dir) => {
      const file = join(dir, 'f');
      fs.writeFileSync(file, 'abc');
      const handle = await fs.promises.open(file, 'r');
      const events: string[] = [];
      (handle as unknown as NodeJS.EventEmitter).on('close', () => events.push('close event'));
      const closing = handle.close();
      events.push(`fd ${handle.fd}`);
      await closing;
      await handle.close();
      events.push('second close resolved');
      await handle.read(Buffer.alloc(3), 0, 3, 0).then(() => events.push('read'), (error: NodeJS.ErrnoException) => events.push(`read ${error.code}`));
      return events;
    });
    expect(sim).toEqual(onReal);
    expect(sim).toEqual(['close event', 'fd -1', 'second close resolved', 'read EBADF']);
  });
});
