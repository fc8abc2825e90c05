/**
 * Read streams on simulated paths (facade/read-stream.ts): they are Node's own `fs.ReadStream`
 * reading through the facade, so they take Node's options, emit Node's events in Node's order,
 * fail with Node-shaped errors, and read from the simulated disk (faults included).
 * test/facade/differential.test.ts compares their events and chunks with the real fs.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-read-stream';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** The events of `stream` until it closes: names, with each chunk and each error's code/syscall. */
async function eventsOf(stream: fs.ReadStream): Promise<string[]> {
  const events: string[] = [];
  stream.on('open', (fd: number) => events.push(`open:${typeof fd}`));
  stream.on('ready', () => events.push('ready'));
  stream.on('data', (chunk: Buffer | string) => events.push(`data:${chunk.toString()}`));
  stream.on('end', () => events.push('end'));
  stream.on('error', (error: NodeJS.ErrnoException) => events.push(`error:${error.code}/${error.syscall}`));
  await new Promise<void>((resolve) => stream.on('close', () => resolve()));
  return [...events, 'close'];
}

describe('fs.createReadStream on a simulated path', () => {
  it('is a Node fs.ReadStream emitting open, ready, data, end and close in order', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'abcdefgh');
    const stream = fs.createReadStream(`${root}/f`, { highWaterMark: 3 });
    expect(stream).toBeInstanceOf(fs.ReadStream);
    expect(await eventsOf(stream)).toEqual(['open:number', 'ready', 'data:abc', 'data:def', 'data:gh', 'end', 'close']);
    expect(stream.bytesRead).toBe(8);
    expect(stream.path).toBe(`${root}/f`);
  });

  it('reads from start to end inclusive, decoded with the encoding given', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'héllo wörld');
    const stream = fs.createReadStream(`${root}/f`, { start: 1, end: 6, encoding: 'utf8' });
    // Bytes 1 to 6: 'é' is two bytes, so the range ends with the space.
    expect(await eventsOf(stream)).toEqual(['open:number', 'ready', 'data:éllo ', 'end', 'close']);
  });

  it('fails a missing file with Node\'s ENOENT from open, then closes', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const stream = fs.createReadStream(`${root}/missing`);
    const error = new Promise<NodeJS.ErrnoException>((resolve) => stream.on('error', resolve));
    expect(await eventsOf(stream)).toEqual(['error:ENOENT/open', 'close']);
    expect(await error).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', path: `${root}/missing` });
    expect((await error).message).toBe(`ENOENT: no such file or directory, open '${root}/missing'`);
  });

  it('refuses a start after the end at once, with Node\'s ERR_OUT_OF_RANGE', () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    expect(() => fs.createReadStream(`${root}/f`, { start: 5, end: 2 })).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
  });

  it('reads a facade descriptor given as fd, without open or ready, and closes it at the end', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'by fd');
    const fd = fs.openSync(`${root}/f`, 'r');
    expect(await eventsOf(fs.createReadStream(null as unknown as string, { fd }))).toEqual(['data:by fd', 'end', 'close']);
    expect(() => fs.fstatSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('delivers an injected read error as Node\'s error event, marked injected', async () => {
    // A first world finds the I/O index of the stream's first read: the one after its open.
    const probe = new SimWorld({ seed: 1 });
    facade = installFacade(probe, root);
    fs.writeFileSync(`${root}/f`, 'data');
    const firstReadIo = probe.ioCount + 1;
    facade.uninstall();
    const world = new SimWorld({ seed: 1, faults: noFaults({ scheduled: [{ io: firstReadIo, kind: 'read-error' }] }) });
    facade = installFacade(world, root);
    fs.writeFileSync(`${root}/f`, 'data');
    const stream = fs.createReadStream(`${root}/f`);
    const error = new Promise<NodeJS.ErrnoException & { injected?: boolean }>((resolve) => stream.on('error', resolve));
    expect(await eventsOf(stream)).toEqual(['open:number', 'ready', 'error:EIO/read', 'close']);
    expect(await error).toMatchObject({ code: 'EIO', syscall: 'read', injected: true });
  });

  it('never hears back once the process has crashed', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    fs.writeFileSync(`${root}/f`, 'data');
    const stream = fs.createReadStream(`${root}/f`);
    await new Promise((resolve) => stream.once('open', resolve));
    world.crashNow('kill-9');
    const events: string[] = [];
    for (const name of ['data', 'end', 'error', 'close']) stream.on(name, () => events.push(name));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual([]);
  });
});

describe('FileHandle.createReadStream on a simulated file', () => {
  it('reads through the handle and closes it at the end; closing the handle again resolves', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'handle');
    const handle = await fs.promises.open(`${root}/f`, 'r');
    expect(await eventsOf(handle.createReadStream({ start: 2 }))).toEqual(['data:ndle', 'end', 'close']);
    await expect(handle.close()).resolves.toBeUndefined();
  });

  it('gives the lines of the file through readLines', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'one\r\ntwo\nthree');
    const handle = await fs.promises.open(`${root}/f`, 'r');
    const lines: string[] = [];
    for await (const line of handle.readLines()) lines.push(line);
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('refuses readableWebStream as a call it does not simulate, by code, naming the call', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'web');
    const handle = await fs.promises.open(`${root}/f`, 'r');
    const refused = (() => {
      try {
        (handle as unknown as { readableWebStream(): unknown }).readableWebStream();
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toMatchObject({ code: 'POWERCUT_UNSUPPORTED', call: 'filehandle.readableWebStream' });
  });

  it('is what fs.createReadStream reads when the FileHandle is given as fd', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'via fd option');
    const handle = await fs.promises.open(`${root}/f`, 'r');
    const stream = fs.createReadStream(null as unknown as string, { fd: handle as unknown as number, encoding: 'utf8' });
    expect(await eventsOf(stream)).toEqual(['data:via fd option', 'end', 'close']);
  });
});
