/**
 * File names of the log: segments, sidecars and torn-tail evidence (engine/wal/segments.ts,
 * engine/wal/evidence.ts). Recovery decides what a file is by its name alone, so a name that only
 * looks like one (a prefix, a suffix, a sequence number of 0) must not be taken for one.
 */
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../../engine/assert.ts';
import { evidenceName, listEvidence, parseEvidenceName } from '../../../engine/wal/evidence.ts';
import { listSegments, parseSegmentName, parseSidecarName, segmentName, sidecarName } from '../../../engine/wal/segments.ts';

describe('segment and sidecar names', () => {
  it('zero-pads the sequence number to 20 digits so that names sort in sequence order', () => {
    expect(segmentName(1)).toBe('00000000000000000001.wal');
    expect(segmentName(12345)).toBe('00000000000000012345.wal');
    expect(sidecarName(segmentName(7))).toBe('00000000000000000007.wal.idx');
  });

  it('refuses to name segment 0 or a fractional one', () => {
    expect(() => segmentName(0)).toThrow(AssertionError);
    expect(() => segmentName(1.5)).toThrow(AssertionError);
    expect(() => segmentName(0)).toThrow('segment sequence numbers start at 1');
  });

  it('parses exactly the names it writes', () => {
    expect(parseSegmentName('00000000000000000042.wal')).toBe(42);
    expect(parseSidecarName('00000000000000000042.wal.idx')).toBe(42);
    for (const name of ['x00000000000000000042.wal', '00000000000000000042.walx', '0000000000000000042.wal', '00000000000000000000.wal', '00000000000000000042.wal.idx']) {
      expect(parseSegmentName(name), name).toBeUndefined();
    }
    for (const name of ['x00000000000000000042.wal.idx', '00000000000000000042.wal.idxx', '00000000000000000000.wal.idx', '00000000000000000042.wal']) {
      expect(parseSidecarName(name), name).toBeUndefined();
    }
  });

  it('lists the segments among other names in numeric order', () => {
    expect(listSegments(['00000000000000000010.wal', 'MANIFEST', '00000000000000000002.wal', '00000000000000000002.wal.idx', '00000000000000000009.wal'])).toEqual([2, 9, 10]);
  });
});

describe('torn-tail evidence names', () => {
  it('names the segment, a 10-digit evidence number and the offset of the cut', () => {
    expect(evidenceName(3, 2, 4096)).toBe('00000000000000000003.wal.0000000002@4096.torn');
    expect(evidenceName(1, 1, 0)).toBe('00000000000000000001.wal.0000000001@0.torn');
  });

  it('refuses evidence number 0 or a negative offset', () => {
    expect(() => evidenceName(1, 0, 32)).toThrow(AssertionError);
    expect(() => evidenceName(1, 1, -1)).toThrow(AssertionError);
    expect(() => evidenceName(1, 1.5, 32)).toThrow(AssertionError);
    expect(() => evidenceName(1, 1, 0.5)).toThrow(AssertionError);
  });

  it('says which argument broke the rule: the evidence number or the offset', () => {
    expect(() => evidenceName(1, 0, 32)).toThrow('evidence numbers start at 1');
    expect(() => evidenceName(1, 1, -1)).toThrow('a cut starts at a file offset');
  });

  it('parses exactly the names it writes, longer evidence numbers included', () => {
    const name = '00000000000000000003.wal.0000000002@4096.torn';
    expect(parseEvidenceName(name)).toEqual({ name, segmentSeq: 3, evidenceNumber: 2, offset: 4096 });
    expect(parseEvidenceName('00000000000000000003.wal.12345678901@8.torn')).toMatchObject({ evidenceNumber: 12345678901 });
    for (const bad of [
      `x${name}`, `${name}.tmp`, '00000000000000000003.wal.000000002@4096.torn', '00000000000000000000.wal.0000000002@4096.torn',
      '00000000000000000003.wal.0000000000@4096.torn', '00000000000000000003.wal.0000000002@.torn', '00000000000000000003.wal.99999999999999999999@8.torn',
    ]) {
      expect(parseEvidenceName(bad), bad).toBeUndefined();
    }
  });

  it('lists evidence files among other names, oldest (lowest number) first, numerically', () => {
    const names = [evidenceName(1, 10, 64), 'MANIFEST', evidenceName(2, 9, 32), evidenceName(1, 2, 96), '00000000000000000001.wal'];
    expect(listEvidence(names).map((file) => file.evidenceNumber)).toEqual([2, 9, 10]);
  });
});
