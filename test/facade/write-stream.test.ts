/**
 * Write streams on simulated paths (facade/write-stream.ts): they are Node's own `fs.WriteStream`
 * writing through the facade, so they have Node's methods (`write`, `end`, `close(cb)`,
 * `destroy(err)`), properties and events in Node's order, take Node's options (`flags`, `start`,
 * `fd`, `flush`), and write to the simulated disk, faults and crashes included.
 * test/facade/differential-streams.test.ts compares them with the real fs.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { installFacade, type InstalledFacade } from '../../facade/install.ts';
import { noFaults, SimWorld } from '../../sim/world.ts';

const root = '/powercut-facade-write-stream';
let facade: InstalledFacade | undefined;
afterEach(() => {
  facade?.uninstall();
  facade = undefined;
});

/** The events of `stream` until it closes: names, with each error's code/syscall or message. */
async function eventsOf(stream: fs.WriteStream): Promise<string[]> {
  const events: string[] = [];
  stream.on('open', (fd: number) => events.push(`open:${typeof fd}`));
  for (const name of ['ready', 'drain', 'finish']) stream.on(name, () => events.push(name));
  stream.on('error', (error: NodeJS.ErrnoException) => events.push(`error:${error.code ?? error.message}/${error.syscall}`));
  await new Promise<void>((resolve) => stream.on('close', () => resolve()));
  return [...events, 'close'];
}

/** The text of a simulated file, from the simulated disk itself. */
function onDisk(world: SimWorld, name: string): string | undefined {
  const bytes = world.inspect().get(`${root}/${name}`);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

describe('fs.createWriteStream on a simulated path', () => {
  it('is a Node fs.WriteStream emitting open, ready, finish and close in order, onto the simulated disk', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const stream = fs.createWriteStream(`${root}/f`);
    expect(stream).toBeInstanceOf(fs.WriteStream);
    expect(stream.pending).toBe(true);
    expect(stream.path).toBe(`${root}/f`);
    const pendingWhenReady = new Promise((resolve) => stream.once('ready', () => resolve(stream.pending)));
    stream.write('hello ');
    stream.end('world');
    expect(await eventsOf(stream)).toEqual(['open:number', 'ready', 'finish', 'close']);
    expect(await pendingWhenReady).toBe(false);
    expect(stream.bytesWritten).toBe(11);
    expect(onDisk(world, 'f')).toBe('hello world');
    expect(fs.existsSync(`${root}/f`)).toBe(true);
  });

  it('close(cb) ends the stream and calls back once it is closed; a second close(cb) calls back too', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const stream = fs.createWriteStream(`${root}/compacted`);
    stream.write('records');
    await new Promise<void>((resolve) => stream.close(() => resolve()));
    expect(stream.closed).toBe(true);
    expect(onDisk(world, 'compacted')).toBe('records');
    await new Promise<void>((resolve) => stream.close(() => resolve()));
  });

  it('destroy(err) emits that error, then close, and closes the descriptor', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    const stream = fs.createWriteStream(`${root}/f`);
    await new Promise<void>((resolve) => stream.once('ready', () => resolve()));
    // Node's WriteStream has `fd`; @types/node does not declare it.
    const fd = (stream as unknown as { fd: number }).fd;
    stream.destroy(new Error('stop'));
    expect(await eventsOf(stream)).toEqual(['error:stop/undefined', 'close']);
    expect(() => fs.fstatSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('appends with flags a, writes at start with r+, and fails wx on an existing file with EEXIST from open', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    fs.writeFileSync(`${root}/f`, 'abcdef');
    const append = fs.createWriteStream(`${root}/f`, { flags: 'a' });
    append.end('+');
    await eventsOf(append);
    const overwrite = fs.createWriteStream(`${root}/f`, { flags: 'r+', start: 2 });
    overwrite.end('XY');
    await eventsOf(overwrite);
    expect(onDisk(world, 'f')).toBe('abXYef+');
    expect(await eventsOf(fs.createWriteStream(`${root}/f`, { flags: 'wx' }))).toEqual(['error:EEXIST/open', 'close']);
  });

  it('fails a write on a descriptor opened read-only with EBADF from write', async () => {
    facade = installFacade(new SimWorld({ seed: 1 }), root);
    fs.writeFileSync(`${root}/f`, 'x');
    const stream = fs.createWriteStream(`${root}/f`, { flags: 'r' });
    stream.end('y');
    expect(await eventsOf(stream)).toEqual(['open:number', 'ready', 'error:EBADF/write', 'close']);
  });

  it('writes to a facade descriptor given as fd, without open or ready, and closes it at the end', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const fd = fs.openSync(`${root}/f`, 'w');
    const stream = fs.createWriteStream(null as unknown as string, { fd });
    expect(stream.pending).toBe(false);
    stream.end('by fd');
    expect(await eventsOf(stream)).toEqual(['finish', 'close']);
    expect(onDisk(world, 'f')).toBe('by fd');
    expect(() => fs.fstatSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('with flush: true fsyncs once, after the last write and before the close', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const stream = fs.createWriteStream(`${root}/f`, { flush: true });
    stream.end('durable');
    await eventsOf(stream);
    const ios = world.trace.recent.filter((event) => event.type === 'io').map((event) => event.name);
    expect(ios.slice(-4)).toEqual(['open', 'write', 'sync', 'close']);
  });

  it('delivers an injected disk-full on write as Node\'s error event, marked injected', async () => {
    // A first world finds the I/O index of the stream's write: the one after its open.
    const probe = new SimWorld({ seed: 1 });
    facade = installFacade(probe, root);
    const writeIo = probe.ioCount + 1;
    facade.uninstall();
    facade = installFacade(new SimWorld({ seed: 1, faults: noFaults({ scheduled: [{ io: writeIo, kind: 'disk-full' }] }) }), root);
    const stream = fs.createWriteStream(`${root}/f`);
    const error = new Promise<NodeJS.ErrnoException & { injected?: boolean }>((resolve) => stream.on('error', resolve));
    stream.end('data');
    expect(await eventsOf(stream)).toEqual(['open:number', 'ready', 'error:ENOSPC/write', 'close']);
    expect(await error).toMatchObject({ code: 'ENOSPC', syscall: 'write', injected: true });
  });

  it('never finishes or closes once the process has crashed', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const stream = fs.createWriteStream(`${root}/f`);
    await new Promise<void>((resolve) => stream.once('ready', () => resolve()));
    world.crashNow('kill-9');
    const events: string[] = [];
    for (const name of ['finish', 'error', 'close']) stream.on(name, () => events.push(name));
    stream.end('lost');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual([]);
  });
});

describe('FileHandle.createWriteStream on a simulated file', () => {
  it('writes through the handle and closes it at the end; closing the handle again resolves', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const handle = await fs.promises.open(`${root}/f`, 'w');
    const stream = handle.createWriteStream();
    stream.write('via ');
    stream.end('handle');
    expect(await eventsOf(stream)).toEqual(['finish', 'close']);
    expect(onDisk(world, 'f')).toBe('via handle');
    await expect(handle.close()).resolves.toBeUndefined();
  });

  it('is what fs.createWriteStream writes through when the FileHandle is given as fd', async () => {
    const world = new SimWorld({ seed: 1 });
    facade = installFacade(world, root);
    const handle = await fs.promises.open(`${root}/f`, 'w');
    const stream = fs.createWriteStream(null as unknown as string, { fd: handle as unknown as number });
    stream.end('via fd option');
    expect(await eventsOf(stream)).toEqual(['finish', 'close']);
    expect(onDisk(world, 'f')).toBe('via fd option');
  });
});
