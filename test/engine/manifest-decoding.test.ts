/**
 * The manifest's two-line format, byte by byte: what `encodeManifest` writes, and every reason
 * `decodeManifest` refuses a manifest with the offset it names. Each malformed manifest below has
 * a valid checksum unless the test is about the checksum, so the check after it is the one that
 * decides.
 */
import { describe, expect, it } from 'vitest';
import { decodeManifest, encodeManifest, manifestFileName, manifestVersion } from '../../engine/manifest.ts';
import { crc32c } from '../../engine/wal/crc32c.ts';

const encoder = new TextEncoder();

/** A manifest file whose first line is `body` (without its newline), with a valid checksum. */
function checksummed(body: string): Uint8Array {
  const line = `${body}\n`;
  const crc = crc32c(encoder.encode(line)).toString(16).padStart(8, '0');
  return encoder.encode(`${line}crc32c:${crc}\n`);
}

/** A well-checksummed manifest with `fields` replacing the valid ones. */
function withFields(fields: Record<string, unknown>): Uint8Array {
  return checksummed(JSON.stringify({ format: 'powercut-manifest', version: 1, snapshot: null, snapshotLsn: 0, clean: false, ...fields }));
}

describe('manifest file format', () => {
  it('is named MANIFEST and is version 1', () => {
    expect(manifestFileName).toBe('MANIFEST');
    expect(manifestVersion).toBe(1);
  });

  it('writes one JSON line with format, version, snapshot, LSN, clean flag and durable LSN, then the CRC-32C of that line in 8 hex digits', () => {
    const bytes = encodeManifest({ snapshot: 'snapshot-00000000000000000042.snap', snapshotLsn: 42, clean: true, durableLsn: 42 });
    const body = '{"format":"powercut-manifest","version":1,"snapshot":"snapshot-00000000000000000042.snap","snapshotLsn":42,"clean":true,"durableLsn":42}\n';
    const crc = crc32c(encoder.encode(body)).toString(16).padStart(8, '0');
    expect(new TextDecoder().decode(bytes)).toBe(`${body}crc32c:${crc}\n`);
  });

  it('pads a checksum with leading zeros to 8 hex digits', () => {
    // Search a snapshot LSN whose manifest checksum is below 0x10000000.
    let lsn = 0;
    for (;; lsn++) {
      const body = `{"format":"powercut-manifest","version":1,"snapshot":null,"snapshotLsn":${lsn},"clean":false,"durableLsn":${lsn}}\n`;
      if (crc32c(encoder.encode(body)) < 0x10000000) break;
    }
    const text = new TextDecoder().decode(encodeManifest({ snapshot: null, snapshotLsn: lsn, clean: false, durableLsn: lsn }));
    expect(text).toMatch(/\ncrc32c:0[0-9a-f]{7}\n$/);
    expect(decodeManifest(encoder.encode(text))).toEqual({ manifest: { snapshot: null, snapshotLsn: lsn, clean: false, durableLsn: lsn } });
  });

  it('round-trips a manifest without a snapshot that was not closed cleanly', () => {
    const manifest = { snapshot: null, snapshotLsn: 0, clean: false, durableLsn: 0 };
    expect(decodeManifest(encodeManifest(manifest))).toEqual({ manifest });
  });
});

describe('decodeManifest refuses', () => {
  it('bytes that are not UTF-8, at offset 0', () => {
    expect(decodeManifest(Uint8Array.of(0x7b, 0xff, 0x0a))).toEqual({ problem: 'corrupt', detail: 'not UTF-8 text', offset: 0 });
  });

  it('text without a line end, at offset 0', () => {
    expect(decodeManifest(encoder.encode('{"format":"powercut-manifest"}'))).toEqual({ problem: 'corrupt', detail: 'no line end', offset: 0 });
  });

  it('an empty file as having no line end', () => {
    expect(decodeManifest(new Uint8Array(0))).toEqual({ problem: 'corrupt', detail: 'no line end', offset: 0 });
  });

  it('a first line that is not JSON, at offset 0', () => {
    expect(decodeManifest(checksummed('{"format":'))).toEqual({ problem: 'corrupt', detail: 'first line is not JSON', offset: 0 });
  });

  it('a checksum that does not match, at the offset of the checksum line', () => {
    const good = encodeManifest({ snapshot: null, snapshotLsn: 3, clean: true, durableLsn: 3 });
    const text = new TextDecoder().decode(good);
    const bodyBytes = text.indexOf('\n') + 1;
    const bad = encoder.encode(text.replace(/crc32c:(.)/, (_all, digit: string) => `crc32c:${digit === '0' ? '1' : '0'}`));
    expect(decodeManifest(bad)).toEqual({ problem: 'corrupt', detail: 'checksum mismatch', offset: bodyBytes });
  });

  it('a checksum line without its final newline', () => {
    const good = encodeManifest({ snapshot: null, snapshotLsn: 3, clean: true, durableLsn: 3 });
    const result = decodeManifest(good.subarray(0, good.length - 1));
    expect(result).toMatchObject({ problem: 'corrupt', detail: 'checksum mismatch' });
  });

  it('bytes after the checksum line', () => {
    const good = encodeManifest({ snapshot: null, snapshotLsn: 3, clean: true, durableLsn: 3 });
    const longer = new Uint8Array([...good, 0x0a]);
    expect(decodeManifest(longer)).toMatchObject({ problem: 'corrupt', detail: 'checksum mismatch' });
  });

  it('counts the checksum offset in bytes, not characters, when the first line has multi-byte characters', () => {
    const body = '{"format":"powercut-manifest","version":1,"snapshot":"é","snapshotLsn":0,"clean":false}\n';
    const bad = encoder.encode(`${body}crc32c:00000000\n`);
    expect(decodeManifest(bad)).toEqual({ problem: 'corrupt', detail: 'checksum mismatch', offset: encoder.encode(body).length });
    expect(encoder.encode(body).length).toBe(body.length + 1);
  });

  it('a well-checksummed JSON line of another format, at offset 0', () => {
    expect(decodeManifest(withFields({ format: 'other' }))).toEqual({ problem: 'corrupt', detail: 'not a powercut manifest', offset: 0 });
  });

  it('a well-checksummed JSON value that is not an object as not a powercut manifest', () => {
    expect(decodeManifest(checksummed('null'))).toEqual({ problem: 'corrupt', detail: 'not a powercut manifest', offset: 0 });
    expect(decodeManifest(checksummed('"powercut-manifest"'))).toEqual({ problem: 'corrupt', detail: 'not a powercut manifest', offset: 0 });
  });

  it('a version that is not a number as a version problem with version NaN', () => {
    expect(decodeManifest(withFields({ version: '1' }))).toEqual({ problem: 'version', version: Number.NaN });
  });

  it('a missing version as a version problem', () => {
    expect(decodeManifest(withFields({ version: undefined }))).toEqual({ problem: 'version', version: Number.NaN });
  });

  it('version 0 as a version problem naming 0', () => {
    expect(decodeManifest(withFields({ version: 0 }))).toEqual({ problem: 'version', version: 0 });
  });

  it('a snapshot field that is neither a name nor null', () => {
    expect(decodeManifest(withFields({ snapshot: 7 }))).toEqual({ problem: 'corrupt', detail: 'bad snapshot field', offset: 0 });
    expect(decodeManifest(withFields({ snapshot: undefined }))).toEqual({ problem: 'corrupt', detail: 'bad snapshot field', offset: 0 });
  });

  it('a snapshot LSN that is not a number, not an integer, negative, or beyond the safe integers', () => {
    for (const snapshotLsn of ['5', 1.5, -1, 2 ** 53, undefined]) {
      expect(decodeManifest(withFields({ snapshotLsn }))).toEqual({ problem: 'corrupt', detail: 'bad snapshotLsn field', offset: 0 });
    }
  });

  it('a clean flag that is not a boolean', () => {
    expect(decodeManifest(withFields({ clean: 'true' }))).toEqual({ problem: 'corrupt', detail: 'bad clean field', offset: 0 });
    expect(decodeManifest(withFields({ clean: 1 }))).toEqual({ problem: 'corrupt', detail: 'bad clean field', offset: 0 });
  });

  // Each of these is at or above the snapshot LSN of 0, so only the type check can refuse it.
  it('a durable LSN that is not a number, not an integer, or beyond the safe integers', () => {
    for (const durableLsn of ['5', 1.5, 2 ** 53, null, true]) {
      expect(decodeManifest(withFields({ durableLsn }))).toEqual({ problem: 'corrupt', detail: 'bad durableLsn field', offset: 0 });
    }
  });

  it('a durable LSN one below the snapshot LSN', () => {
    expect(decodeManifest(withFields({ snapshotLsn: 7, durableLsn: 6 }))).toEqual({ problem: 'corrupt', detail: 'bad durableLsn field', offset: 0 });
  });
});

describe('decodeManifest accepts', () => {
  // These manifests have no durableLsn field, as those written before it existed: it reads as
  // their snapshot LSN.
  it('snapshot LSN 0 and the largest safe integer', () => {
    expect(decodeManifest(withFields({ snapshotLsn: 0 }))).toEqual({ manifest: { snapshot: null, snapshotLsn: 0, clean: false, durableLsn: 0 } });
    expect(decodeManifest(withFields({ snapshotLsn: 2 ** 53 - 1 }))).toEqual({
      manifest: { snapshot: null, snapshotLsn: 2 ** 53 - 1, clean: false, durableLsn: 2 ** 53 - 1 },
    });
  });

  it('a durable LSN equal to the snapshot LSN, and any safe integer above it', () => {
    expect(decodeManifest(withFields({ snapshotLsn: 7, durableLsn: 7 }))).toEqual({ manifest: { snapshot: null, snapshotLsn: 7, clean: false, durableLsn: 7 } });
    expect(decodeManifest(withFields({ snapshotLsn: 7, durableLsn: 2 ** 53 - 1 }))).toEqual({
      manifest: { snapshot: null, snapshotLsn: 7, clean: false, durableLsn: 2 ** 53 - 1 },
    });
  });

  it('a snapshot name and both clean flags', () => {
    expect(decodeManifest(withFields({ snapshot: 's', snapshotLsn: 9, clean: true }))).toEqual({
      manifest: { snapshot: 's', snapshotLsn: 9, clean: true, durableLsn: 9 },
    });
  });

  it('a first line with multi-byte characters, its checksum taken over its UTF-8 bytes', () => {
    expect(decodeManifest(withFields({ snapshot: 'é€😀', snapshotLsn: 3 }))).toEqual({
      manifest: { snapshot: 'é€😀', snapshotLsn: 3, clean: false, durableLsn: 3 },
    });
  });

  it('a leading byte-order mark, which the checksum does not cover (the text decoder drops it)', () => {
    const plain = withFields({ snapshotLsn: 4 });
    const marked = new Uint8Array([0xef, 0xbb, 0xbf, ...plain]);
    expect(decodeManifest(marked)).toEqual(decodeManifest(plain));
    const damaged = marked.slice();
    damaged[damaged.length - 2] = 0x30 + ((damaged[damaged.length - 2]! - 0x30 + 1) % 10);
    expect(decodeManifest(damaged)).toMatchObject({ detail: 'checksum mismatch', offset: plain.indexOf(0x0a) + 1 });
  });
});

describe('decodeManifest with an empty first line', () => {
  it('reads the line end at offset 0 and refuses the empty line as not JSON', () => {
    expect(decodeManifest(encoder.encode('\ncrc32c:00000000\n'))).toEqual({ problem: 'corrupt', detail: 'first line is not JSON', offset: 0 });
  });
});
