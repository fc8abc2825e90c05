/**
 * The facade's unfinished short writes (sim/disk/short-writes.ts): a write that landed a prefix
 * is reported, once its caller went on with the file, until something writes its rest where it
 * stopped, truncates there, or the file loses its last name; the earliest such write is the one
 * reported. Another record appended where it stopped does not finish it.
 */
import { describe, expect, it } from 'vitest';
import { FileState } from '../../sim/disk/file-state.ts';
import { ShortWrites } from '../../sim/disk/short-writes.ts';

/** A file with a name (a link in the page-cache namespace). */
function named(id: number): FileState {
  const file = new FileState(id);
  file.cacheLinks = 1;
  return file;
}

/** `n` bytes that differ from those of another `fill`. */
const bytes = (n: number, fill = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + fill * 31 + 1) & 255);
/** The document every spec writes: 401 bytes. */
const doc = bytes(401);
/** Its rest after 290 bytes landed. */
const rest = doc.subarray(290);

describe('unfinished short writes', () => {
  it('reports a write that landed a prefix, with its path, I/O index and counts', () => {
    const shorts = new ShortWrites();
    const file = named(1);
    shorts.landed(file, '/d/a.tmp', 7, 0, 290, doc);
    // Not before its caller went on with the file: a crash right after it cut a loop that would have written the rest.
    expect(shorts.first).toBeUndefined();
    shorts.movedOn(file);
    expect(shorts.first).toEqual({ path: '/d/a.tmp', io: 7, written: 290, length: 401 });
  });

  it('forgets it once a later write covers where it stopped (a caller looping on the count)', () => {
    const shorts = new ShortWrites();
    const file = named(1);
    shorts.landed(file, '/d/a.tmp', 7, 0, 290, doc);
    shorts.landed(file, '/d/a.tmp', 8, 0, 100, doc.subarray(0, 100));
    expect(shorts.first).toBeDefined();
    shorts.landed(file, '/d/a.tmp', 9, 290, 111, rest);
    expect(shorts.first).toBeUndefined();
  });

  it('names one a crash cut as cut, not the caller\'s: the crash struck the write of its rest, or came before the caller went on (a log4js user\'s torn last line)', () => {
    const shorts = new ShortWrites();
    const file = named(1);
    shorts.landed(file, '/d/app.log', 7, 0, 290, doc);
    shorts.attempted(file, 290, rest);
    shorts.crashed();
    expect(shorts.first).toBeUndefined();
    expect(shorts.cut).toEqual({ path: '/d/app.log', io: 7, written: 290, length: 401 });
    // The next process's append where it stopped says nothing of the caller that was killed.
    shorts.landed(file, '/d/app.log', 12, 290, 120, bytes(120, 1));
    expect(shorts.first).toBeUndefined();
    const other = new ShortWrites();
    other.landed(file, '/d/app.log', 7, 0, 290, doc);
    other.crashed();
    expect([other.first, other.cut?.io]).toEqual([undefined, 7]);
    // A caller that went on (an fsync), then came back to write the rest, and was killed doing it.
    const back = new ShortWrites();
    back.landed(file, '/d/app.log', 7, 0, 290, doc);
    back.movedOn(file);
    back.attempted(file, 290, rest);
    back.crashed();
    expect([back.first, back.cut?.io]).toEqual([undefined, 7]);
  });

  it('leaves one the caller went on from as the caller\'s, crash or not', () => {
    const shorts = new ShortWrites();
    const file = named(1);
    shorts.landed(file, '/d/a.tmp', 7, 0, 290, doc);
    shorts.movedOn(file);
    shorts.crashed();
    expect(shorts.first?.io).toBe(7);
    expect(shorts.cut).toBeUndefined();
  });

  it('keeps it when the next write where it stopped is another record, not its rest (an appender that ignores the count)', () => {
    const shorts = new ShortWrites();
    const file = named(1);
    shorts.landed(file, '/d/app.log', 7, 0, 290, doc);
    shorts.attempted(file, 290, bytes(120, 1));
    shorts.landed(file, '/d/app.log', 8, 290, 120, bytes(120, 1));
    expect(shorts.first).toEqual({ path: '/d/app.log', io: 7, written: 290, length: 401 });
  });

  it('forgets it once a later write is attempted where it stopped, even one the full disk refuses whole', () => {
    const shorts = new ShortWrites();
    const file = named(1);
    shorts.landed(file, '/d/a.tmp', 7, 0, 290, doc);
    shorts.movedOn(file);
    shorts.attempted(file, 291, rest.subarray(1));
    expect(shorts.first).toBeDefined();
    shorts.attempted(file, 290, rest);
    expect(shorts.first).toBeUndefined();
  });

  it('forgets one whose rest the disk refused, once the caller went on (told of the failure): neither the caller\'s nor cut by a later crash', () => {
    // A new lowdb user's full disk: writeFile's loop wrote 8192 bytes, then its write of the rest
    // met ENOSPC; the file was closed, the operation failed, and a power loss came later.
    const shorts = new ShortWrites();
    const file = named(1);
    shorts.landed(file, '/d/.db.json.tmp', 80, 0, 290, doc);
    shorts.attempted(file, 290, rest);
    shorts.movedOn(file);
    shorts.crashed();
    expect([shorts.first, shorts.cut]).toEqual([undefined, undefined]);
  });

  it('reports the rest of a write that itself landed short again', () => {
    const shorts = new ShortWrites();
    const file = named(1);
    shorts.landed(file, '/d/a.tmp', 7, 0, 290, doc);
    shorts.landed(file, '/d/a.tmp', 9, 290, 10, rest);
    shorts.movedOn(file);
    expect(shorts.first).toEqual({ path: '/d/a.tmp', io: 9, written: 10, length: 111 });
  });

  it('forgets it when the file is truncated at or before where it stopped, not after', () => {
    const shorts = new ShortWrites();
    const file = named(1);
    shorts.landed(file, '/d/a.tmp', 7, 0, 290, doc);
    shorts.movedOn(file);
    shorts.truncated(file, 291);
    expect(shorts.first).toBeDefined();
    shorts.truncated(file, 0);
    expect(shorts.first).toBeUndefined();
  });

  it('reports only files that still have a name, the earliest first', () => {
    const shorts = new ShortWrites();
    const gone = named(1);
    const kept = named(2);
    const later = named(3);
    shorts.landed(gone, '/d/old.tmp', 3, 0, 1, bytes(2));
    shorts.landed(kept, '/d/a.tmp', 5, 0, 1, bytes(2));
    shorts.landed(later, '/d/b.tmp', 9, 0, 1, bytes(2));
    for (const file of [gone, kept, later]) shorts.movedOn(file);
    gone.cacheLinks = 0;
    expect(shorts.first?.path).toBe('/d/a.tmp');
  });
});
