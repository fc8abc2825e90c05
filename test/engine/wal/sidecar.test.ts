/**
 * The sidecar index format (engine/wal/sidecar.ts): its exact bytes, every way a damaged or
 * foreign sidecar is refused (a refused sidecar is rebuilt, never trusted as evidence), and the
 * comparison with a scan of its segment that rule K3 decides on.
 */
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../engine/wal/crc32c.ts';
import { decodeSidecar, encodeSidecar, sidecarIsPrefix, sidecarMatches, type SidecarIndex } from '../../../engine/wal/sidecar.ts';

const le32 = (value: number): number[] => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
const le64 = (value: number): number[] => [...le32(value % 2 ** 32), ...le32(Math.floor(value / 2 ** 32))];
const magic = [...new TextEncoder().encode('PCWALIDX')];

/** Sidecar bytes with the given fields and a valid checksum. */
function sidecarBytes(fields: { version?: number; seq?: number; baseLsn?: number; syncedLsn?: number; offsets?: number[]; count?: number; endOffset?: number }): Uint8Array {
  const offsets = fields.offsets ?? [48, 96];
  const body = [
    ...le64(fields.seq ?? 3), ...le64(fields.baseLsn ?? 10), ...le64(fields.syncedLsn ?? 11),
    ...le32(fields.count ?? offsets.length), ...le32(fields.endOffset ?? 128), ...offsets.flatMap(le32),
  ];
  return Uint8Array.from([...magic, ...le32(fields.version ?? 1), ...le32(crc32c(Uint8Array.from(body))), ...body]);
}

const index: SidecarIndex = { seq: 3, baseLsn: 10, syncedLsn: 11, offsets: [48, 96], endOffset: 128 };

describe('sidecar encoding', () => {
  it('writes magic, version, checksum of the rest, sequence, base LSN, synced LSN, count, end offset and offsets', () => {
    expect([...encodeSidecar(index)]).toEqual([...sidecarBytes({})]);
  });

  it('round-trips an index, an empty one included', () => {
    expect(decodeSidecar(encodeSidecar(index))).toEqual(index);
    const empty = { seq: 1, baseLsn: 1, syncedLsn: 0, offsets: [], endOffset: 32 };
    expect(decodeSidecar(encodeSidecar(empty))).toEqual(empty);
  });
});

describe('sidecar decoding refuses', () => {
  it('a file shorter than the 48-byte header', () => {
    expect(decodeSidecar(sidecarBytes({ offsets: [] }).subarray(0, 47))).toBeUndefined();
  });

  it('a file with any byte of the magic wrong', () => {
    for (let i = 0; i < magic.length; i++) {
      const bytes = sidecarBytes({});
      bytes[i]! ^= 0x01;
      expect(decodeSidecar(bytes), `byte ${i}`).toBeUndefined();
    }
  });

  it('another version, even with a valid checksum', () => {
    expect(decodeSidecar(sidecarBytes({ version: 2 }))).toBeUndefined();
  });

  it('a checksum mismatch anywhere after the checksum', () => {
    const bytes = sidecarBytes({});
    bytes[bytes.length - 1]! ^= 0x80;
    expect(decodeSidecar(bytes)).toBeUndefined();
  });

  it('a count that disagrees with the file length, either way', () => {
    expect(decodeSidecar(sidecarBytes({ count: 1 }))).toBeUndefined();
    expect(decodeSidecar(sidecarBytes({ count: 3 }))).toBeUndefined();
  });

  it('a sequence number, base LSN or synced LSN above 2^53 - 1', () => {
    expect(decodeSidecar(sidecarBytes({ seq: 2 ** 53 }))).toBeUndefined();
    expect(decodeSidecar(sidecarBytes({ baseLsn: 2 ** 53 }))).toBeUndefined();
    expect(decodeSidecar(sidecarBytes({ syncedLsn: 2 ** 53 }))).toBeUndefined();
    expect(decodeSidecar(sidecarBytes({ seq: 2 ** 53 - 1, baseLsn: 2 ** 53 - 1, syncedLsn: 2 ** 53 - 1 }))).toMatchObject({ seq: 2 ** 53 - 1 });
  });
});

describe('a sidecar compared with its segment', () => {
  const actual: SidecarIndex = { seq: 3, baseLsn: 10, syncedLsn: 12, offsets: [32, 64, 96], endOffset: 128 };

  it('matches only when sequence, base LSN, every offset and the end offset agree (the watermark aside)', () => {
    expect(sidecarMatches({ ...actual, syncedLsn: 0 }, actual)).toBe(true);
    for (const other of [
      { ...actual, seq: 4 }, { ...actual, baseLsn: 11 }, { ...actual, endOffset: 120 },
      { ...actual, offsets: [32, 64] }, { ...actual, offsets: [32, 64, 96, 128] }, { ...actual, offsets: [32, 72, 96] },
    ]) {
      expect(sidecarMatches(other, actual), JSON.stringify(other)).toBe(false);
    }
  });

  it('is a prefix when it indexes the first frames and ends where the next one starts', () => {
    expect(sidecarIsPrefix({ ...actual, offsets: [32, 64], endOffset: 96 }, actual)).toBe(true);
    expect(sidecarIsPrefix({ ...actual, offsets: [], endOffset: 32 }, actual)).toBe(true);
    expect(sidecarIsPrefix(actual, actual)).toBe(true);
  });

  it('is no prefix when it ends elsewhere, indexes other or more frames, or names another segment or base', () => {
    for (const other of [
      { ...actual, offsets: [32, 64], endOffset: 100 }, { ...actual, offsets: [32, 72], endOffset: 96 },
      { ...actual, offsets: [32, 64, 96, 128], endOffset: 160 },
      { ...actual, seq: 4, offsets: [32], endOffset: 64 }, { ...actual, baseLsn: 9, offsets: [32], endOffset: 64 },
    ]) {
      expect(sidecarIsPrefix(other, actual), JSON.stringify(other)).toBe(false);
    }
  });
});

describe('decodeSidecar on a cut file', () => {
  it('refuses a sidecar cut one byte short of its header without reading past the end', () => {
    const whole = encodeSidecar({ seq: 1, baseLsn: 1, syncedLsn: 1, offsets: [32], endOffset: 88 });
    expect(decodeSidecar(whole.subarray(0, 47))).toBeUndefined();
  });

  it('refuses a short file even when its magic, version and checksum are valid, without reading past its end', () => {
    const bytes = new Uint8Array(43);
    bytes.set([0x50, 0x43, 0x57, 0x41, 0x4c, 0x49, 0x44, 0x58], 0);
    const view = new DataView(bytes.buffer);
    view.setUint32(8, 1, true);
    view.setUint32(12, crc32c(bytes, 16), true);
    expect(decodeSidecar(bytes)).toBeUndefined();
  });
});
