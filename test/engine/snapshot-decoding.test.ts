/**
 * The snapshot file, byte by byte: its name, what `encodeSnapshot` writes, and every reason
 * `decodeSnapshot` refuses a file, with the offset it names. The malformed files below carry a
 * valid CRC-32C (`resealed`), so the structural check after the checksum is the one that decides.
 */
import { describe, expect, it } from 'vitest';
import { keyBytesMax, valueBytesMax } from '../../engine/limits.ts';
import { decodeSnapshot, encodeSnapshot, parseSnapshotName, snapshotName } from '../../engine/snapshot.ts';
import { crc32c } from '../../engine/wal/crc32c.ts';

const encoder = new TextEncoder();

function stateOf(entries: Record<string, string>): Map<string, Uint8Array> {
  return new Map(Object.entries(entries).map(([key, value]) => [key, encoder.encode(value)]));
}

/** `bytes` with its last four bytes replaced by the CRC-32C of everything before them. */
function resealed(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  view.setUint32(copy.length - 4, crc32c(copy, 0, copy.length - 4), true);
  return copy;
}

/** A snapshot built by hand: 32-byte header, `body`, CRC. */
function handBuilt(lsn: number, count: number, body: number[]): Uint8Array {
  const bytes = new Uint8Array(32 + body.length + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(encoder.encode('PCSNAPSH'), 0);
  view.setUint32(8, 1, true);
  view.setBigUint64(16, BigInt(lsn), true);
  view.setBigUint64(24, BigInt(count), true);
  bytes.set(body, 32);
  return resealed(bytes);
}

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

describe('snapshot file names', () => {
  it('are snapshot-<LSN in 20 digits>.snap', () => {
    expect(snapshotName(42)).toBe('snapshot-00000000000000000042.snap');
    expect(parseSnapshotName('snapshot-00000000000000000042.snap')).toBe(42);
  });

  it('parse only the exact pattern, anchored at both ends', () => {
    expect(parseSnapshotName('snapshot-0000000000000000042.snap')).toBeUndefined();
    expect(parseSnapshotName('xsnapshot-00000000000000000042.snap')).toBeUndefined();
    expect(parseSnapshotName('snapshot-00000000000000000042.snap.tmp')).toBeUndefined();
    expect(parseSnapshotName('snapshot-0000000000000000004a.snap')).toBeUndefined();
  });
});

describe('snapshot encoding', () => {
  it('writes magic, version 1, a zero reserved word, the LSN, the entry count, entries in key order and the CRC', () => {
    const bytes = encodeSnapshot(7, stateOf({ b: 'xy', a: '' }));
    const expected = [
      ...encoder.encode('PCSNAPSH'), ...u32(1), ...u32(0),
      7, 0, 0, 0, 0, 0, 0, 0,
      2, 0, 0, 0, 0, 0, 0, 0,
      ...u32(1), 0x61, ...u32(0),
      ...u32(1), 0x62, ...u32(2), 0x78, 0x79,
    ];
    const body = Uint8Array.from(expected);
    expect([...bytes]).toEqual([...body, ...u32(crc32c(body))]);
  });

  it('encodes an empty state in 36 bytes', () => {
    const bytes = encodeSnapshot(0, new Map());
    expect(bytes.length).toBe(36);
    expect(decodeSnapshot(bytes)).toEqual({ lsn: 0, state: new Map() });
  });

  it('round-trips multi-byte keys and binary values', () => {
    const state = new Map([['ключ', Uint8Array.of(0, 255, 1)], ['k', new Uint8Array(0)]]);
    expect(decodeSnapshot(encodeSnapshot(12, state))).toEqual({ lsn: 12, state });
  });
});

describe('decodeSnapshot refuses', () => {
  it('a file shorter than header and checksum (35 bytes), at offset 0', () => {
    const good = encodeSnapshot(1, new Map());
    expect(decodeSnapshot(good.subarray(0, 35))).toEqual({ problem: 'file too short for a snapshot', offset: 0 });
  });

  it('a file whose magic differs in any of its 8 bytes, at offset 0', () => {
    for (let i = 0; i < 8; i++) {
      const bytes = encodeSnapshot(1, new Map());
      bytes[i] = bytes[i]! ^ 0x20;
      expect(decodeSnapshot(resealed(bytes))).toEqual({ problem: 'bad magic', offset: 0 });
    }
  });

  it('a file whose checksum does not match, at offset 0', () => {
    const bytes = encodeSnapshot(1, stateOf({ a: 'b' }));
    bytes[33] = bytes[33]! ^ 0x01;
    expect(decodeSnapshot(bytes)).toEqual({ problem: 'checksum mismatch', offset: 0 });
  });

  it('a snapshot that is a view into a larger buffer is read at its own offset', () => {
    const good = encodeSnapshot(5, stateOf({ k: 'v' }));
    const buffer = new Uint8Array(good.length + 3);
    buffer.set(good, 3);
    expect(decodeSnapshot(buffer.subarray(3))).toEqual({ lsn: 5, state: stateOf({ k: 'v' }) });
  });

  it('another version, at offset 8, naming it', () => {
    const bytes = encodeSnapshot(1, new Map());
    new DataView(bytes.buffer).setUint32(8, 2, true);
    expect(decodeSnapshot(resealed(bytes))).toEqual({ problem: 'unknown version 2', offset: 8, version: 2 });
  });

  it('an entry count beyond the entries there, at the offset where the next entry header would start', () => {
    expect(decodeSnapshot(handBuilt(1, 1, []))).toEqual({ problem: 'entry header past the end', offset: 32 });
    expect(decodeSnapshot(handBuilt(1, 1, [0, 0, 0]))).toEqual({ problem: 'entry header past the end', offset: 32 });
  });

  it('accepts an entry whose header ends exactly at the checksum (an empty key, then the value header)', () => {
    expect(decodeSnapshot(handBuilt(1, 1, [...u32(0), ...u32(0)]))).toEqual({ lsn: 1, state: new Map([['', new Uint8Array(0)]]) });
  });

  it('a key length beyond what is left, at the entry offset', () => {
    expect(decodeSnapshot(handBuilt(1, 1, [...u32(2), 0x61]))).toEqual({ problem: 'bad key length', offset: 32 });
  });

  it('a key that fills exactly what is left leaves no room for the value header', () => {
    expect(decodeSnapshot(handBuilt(1, 1, [...u32(1), 0x61]))).toEqual({ problem: 'value header past the end', offset: 37 });
  });

  it('a key length above the key limit even when the bytes are there', () => {
    const key = new Array<number>(keyBytesMax + 1).fill(0x61);
    expect(decodeSnapshot(handBuilt(1, 1, [...u32(key.length), ...key, ...u32(0)]))).toEqual({ problem: 'bad key length', offset: 32 });
  });

  it('accepts a key of exactly the key limit', () => {
    const key = new Array<number>(keyBytesMax).fill(0x61);
    const decoded = decodeSnapshot(handBuilt(1, 1, [...u32(key.length), ...key, ...u32(0)]));
    expect(decoded).toEqual({ lsn: 1, state: new Map([['a'.repeat(keyBytesMax), new Uint8Array(0)]]) });
  });

  it('a key that is not UTF-8, at the entry offset', () => {
    expect(decodeSnapshot(handBuilt(1, 1, [...u32(1), 0xff, ...u32(0)]))).toEqual({ problem: 'key is not UTF-8', offset: 32 });
  });

  it('a value length beyond what is left, at the value header', () => {
    expect(decodeSnapshot(handBuilt(1, 1, [...u32(1), 0x61, ...u32(2), 0x62]))).toEqual({ problem: 'bad value length', offset: 37 });
  });

  it('a value length above the value limit, at the value header', () => {
    expect(decodeSnapshot(handBuilt(1, 1, [...u32(1), 0x61, ...u32(valueBytesMax + 1)]))).toEqual({ problem: 'bad value length', offset: 37 });
  });

  it('accepts a value that fills exactly what is left', () => {
    expect(decodeSnapshot(handBuilt(3, 1, [...u32(1), 0x61, ...u32(2), 0x62, 0x63]))).toEqual({
      lsn: 3, state: new Map([['a', Uint8Array.of(0x62, 0x63)]]),
    });
  });

  it('bytes after the last entry, at their offset', () => {
    expect(decodeSnapshot(handBuilt(1, 1, [...u32(1), 0x61, ...u32(0), 0x00]))).toEqual({ problem: 'trailing bytes after the last entry', offset: 41 });
    expect(decodeSnapshot(handBuilt(1, 0, [0x00]))).toEqual({ problem: 'trailing bytes after the last entry', offset: 32 });
  });

  it('reads the second entry from where the first one ended', () => {
    const body = [...u32(1), 0x61, ...u32(1), 0x31, ...u32(2), 0x62, 0x62, ...u32(0)];
    expect(decodeSnapshot(handBuilt(4, 2, body))).toEqual({ lsn: 4, state: new Map([['a', Uint8Array.of(0x31)], ['bb', new Uint8Array(0)]]) });
  });
});

describe('decodeSnapshot at the exact edges', () => {
  it('an entry header that ends exactly at the checksum is read, and then the value header is past the end', () => {
    expect(decodeSnapshot(handBuilt(1, 1, [...u32(0)]))).toEqual({ problem: 'value header past the end', offset: 36 });
  });

  it('accepts a value of exactly the value limit', () => {
    const decoded = decodeSnapshot(handBuilt(1, 1, [...u32(1), 0x61, ...u32(valueBytesMax), ...new Array<number>(valueBytesMax).fill(7)]));
    expect('state' in decoded && decoded.state.get('a')?.length).toBe(valueBytesMax);
  });

  it('refuses a value one byte above the value limit even when its bytes are there', () => {
    const body = [...u32(1), 0x61, ...u32(valueBytesMax + 1), ...new Array<number>(valueBytesMax + 1).fill(7)];
    expect(decodeSnapshot(handBuilt(1, 1, body))).toEqual({ problem: 'bad value length', offset: 37 });
  });
});
