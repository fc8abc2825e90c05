/**
 * `fs.promises.writeFile` and `appendFile` (and a FileHandle's) take an iterable, an async
 * iterable or a Readable stream of chunks, as Node's do: each chunk is written as it comes, so a
 * crash can land between two of them, and the file ends as on the real fs.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-iterable';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

async function* chunks(): AsyncGenerator<string | Buffer> {
  yield 'one,';
  yield Buffer.from('two,');
  yield 'three';
}

/** What the same calls leave in a file of a directory (real or simulated). */
async function written(dir: string): Promise<string[]> {
  await fs.promises.writeFile(`${dir}/a`, chunks());
  // @types/node declares strings and buffers only; Node's appendFile is writeFile with flag a.
  await fs.promises.appendFile(`${dir}/a`, ['+', 'more'] as unknown as string);
  await fs.promises.writeFile(`${dir}/b`, Readable.from(['s1', 's2']));
  const handle = await fs.promises.open(`${dir}/c`, 'w');
  await handle.writeFile(chunks() as unknown as string);
  await handle.close();
  return ['a', 'b', 'c'].map((name) => fs.readFileSync(`${dir}/${name}`, 'utf8'));
}

describe('writeFile of an iterable or a stream', () => {
  it('leaves the same files as the real fs', async () => {
    const realDir = fs.mkdtempSync(join(tmpdir(), 'powercut-iterable-'));
    const real = await written(realDir);
    fs.rmSync(realDir, { recursive: true });
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    expect(await written(root)).toEqual(real);
    expect(real).toEqual(['one,two,three+more', 's1s2', 'one,two,three']);
  });

  it('writes each chunk as it comes, one write each', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const before = world.trace.length;
    await fs.promises.writeFile(`${root}/a`, chunks(), { flush: true });
    const ios = world.trace.recent.slice(-(world.trace.length - before)).filter((event) => event.type === 'io').map((event) => event.name);
    expect(ios).toEqual(['open', 'write', 'write', 'write', 'sync', 'close']);
  });
});
