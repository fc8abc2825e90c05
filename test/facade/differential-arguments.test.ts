/**
 * Odd arguments to a descriptor's read and write, against the real fs: positions that are
 * negative, fractional, NaN, infinite, past `Number.MAX_SAFE_INTEGER`, a bigint or a string;
 * lengths and buffer offsets that are fractional, NaN, negative or too large. Node answers each
 * its own way per face: `fs.readSync` and `fs.read` throw `ERR_OUT_OF_RANGE` at once for a
 * position that is no integer from -1, `FileHandle.read` reads at the descriptor's position
 * instead, a write takes any position that is no safe integer from 0 as "at the position", a
 * read truncates its length (`length | 0`) where a write refuses it. A library that computes an
 * offset badly (hyperbee did, on a torn file) must fail on the simulated disk exactly as on the
 * real one, never with an `EINVAL` that Node would not give.
 *
 * Each case opens `abcdefgh` at position 2 and records the call's outcome (a value, a thrown
 * error's code, a callback's or a promise's error code), what a read at the descriptor's position
 * then returns (where the position went), and the file's bytes.
 *
 * Not played: `FileHandle.read` with a length that is no integer, which aborts Node 20 itself
 * (a failed `IsInt32` assertion in node_file.cc).
 */
import fs from 'node:fs';
import { describe, it } from 'vitest';
import { expectSameOnRealAndSimulated } from './fs-call.ts';

type Face = 'sync' | 'callback' | 'promise';
type Outcome = { ok?: number; threw?: string; failed?: string; rejected?: string; next?: string; content?: string };

const codeOf = (error: unknown): string => String((error as { code?: unknown }).code ?? (error as Error).name);

/** Opens `abcdefgh` with its descriptor at position 2. */
function openAtTwo(file: string): number {
  fs.writeFileSync(file, 'abcdefgh');
  const fd = fs.openSync(file, 'r+');
  fs.readSync(fd, Buffer.alloc(2), 0, 2, null);
  return fd;
}

/** The rest of the file from the descriptor's position. */
function restFrom(fd: number): string {
  const buffer = Buffer.alloc(20);
  return buffer.subarray(0, fs.readSync(fd, buffer, 0, 20, null)).toString('latin1');
}

async function callThrough(face: Face, op: 'read' | 'write', file: string, args: () => unknown[]): Promise<Outcome> {
  if (face === 'promise') {
    fs.writeFileSync(file, 'abcdefgh');
    const handle = await fs.promises.open(file, 'r+');
    await handle.read(Buffer.alloc(2), 0, 2, null);
    let outcome: Outcome;
    try {
      const done = (await (handle[op] as (...a: unknown[]) => Promise<{ bytesRead?: number; bytesWritten?: number }>)(...args()));
      outcome = { ok: done.bytesRead ?? done.bytesWritten };
    } catch (error) {
      outcome = { rejected: codeOf(error) };
    }
    const rest = Buffer.alloc(20);
    outcome.next = rest.subarray(0, (await handle.read(rest, 0, 20, null)).bytesRead).toString('latin1');
    await handle.close();
    return { ...outcome, content: fs.readFileSync(file, 'latin1') };
  }
  const fd = openAtTwo(file);
  let outcome: Outcome;
  try {
    if (face === 'sync') {
      outcome = { ok: (fs[`${op}Sync`] as (...a: unknown[]) => number)(fd, ...args()) };
    } else {
      outcome = await new Promise<Outcome>((resolve, reject) => {
        try {
          (fs[op] as (...a: unknown[]) => void)(fd, ...args(), (error: Error | null, n: number) => resolve(error ? { failed: codeOf(error) } : { ok: n }));
        } catch (error) {
          reject(error);
        }
      });
    }
  } catch (error) {
    outcome = { threw: codeOf(error) };
  }
  outcome.next = restFrom(fd);
  fs.closeSync(fd);
  return { ...outcome, content: fs.readFileSync(file, 'latin1') };
}

const positions: readonly unknown[] = [-5, -1, Number.NaN, 1.5, 2 ** 53, Infinity, 5, 3n, -1n, '1', null, undefined];
const lengths: readonly number[] = [1.5, Number.NaN, -1, 0, 3, 2 ** 31];
const offsets: readonly number[] = [1.5, -1, Number.NaN, 0, 30];

/** Every case of `face`, as [what, outcome] rows. */
async function play(face: Face, base: string): Promise<[string, Outcome][]> {
  const file = `${base}/f`;
  const rows: [string, Outcome][] = [];
  const row = async (what: string, op: 'read' | 'write', args: () => unknown[]): Promise<void> => {
    rows.push([what, await callThrough(face, op, file, args)]);
  };
  for (const p of positions) {
    const name = typeof p === 'bigint' ? `${p}n` : typeof p === 'string' ? `'${p}'` : String(p);
    await row(`read at position ${name}`, 'read', () => [Buffer.alloc(4), 0, 3, p]);
    await row(`write of a buffer at position ${name}`, 'write', () => [Buffer.from('XYZ'), 0, 3, p]);
    await row(`write of a string at position ${name}`, 'write', () => ['XYZ', p]);
  }
  for (const length of lengths) {
    if (face !== 'promise' || Number.isInteger(length)) await row(`read of length ${length}`, 'read', () => [Buffer.alloc(4), 0, length, 0]);
    await row(`write of length ${length}`, 'write', () => [Buffer.from('XYZW'), 0, length, 0]);
  }
  for (const offset of offsets) {
    await row(`read into buffer offset ${offset}`, 'read', () => [Buffer.alloc(4), offset, 1, 0]);
    await row(`write from buffer offset ${offset}`, 'write', () => [Buffer.from('XYZW'), offset, 1, 0]);
  }
  return rows;
}

describe('odd read and write arguments, on the real fs and on the simulated disk', () => {
  for (const face of ['sync', 'callback', 'promise'] as const) {
    it(`give the same values, errors, positions and bytes through the ${face} API`, async () => {
      await expectSameOnRealAndSimulated((base) => play(face, base), `/powercut-odd-arguments-${face}`, `powercut-odd-arguments-${face}-`);
    });
  }
});
