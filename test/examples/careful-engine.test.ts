/**
 * The careful example engine (examples/careful-engine/) passes: every scenario over a fixed
 * range of seeds finds no violation and hits every targeted (I/O class x fault) cell, as
 * `powercut ci` demands. Its recovery rules hold on hand-made logs (with careful.served, damage
 * below what an open served or a clean close left is refused, never cut as a torn tail), its
 * single-bit test finds every one-bit flip, and it works on the real file system.
 */
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { runCampaign } from '../../harness/campaign.ts';
import { missedTargets } from '../../reports/index.ts';
import { loadEngine, loadSubject, workerScript } from '../../subjects/index.ts';
import { NodeFileSystem, SystemClock } from '../../engine/node/index.ts';
import { baseEngine } from '../../scenarios/scenario.ts';
import { findScenario } from '../../scenarios/index.ts';
import { runPlan } from '../../sim/runner.ts';
import { crc32, isSingleBitError } from '../../examples/careful-engine/crc32.ts';
import { encodeRecord, headerBytes, readRecordAt, type CarefulOp } from '../../examples/careful-engine/format.ts';
import { scanLog } from '../../examples/careful-engine/recover.ts';
import { decodeServed, encodeServed, firstRecordCrc, servedBound } from '../../examples/careful-engine/served.ts';

const module = 'examples/careful-engine/engine.ts';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const put = (key: string, value: string): CarefulOp => ({ type: 'put', key, value: encoder.encode(value) });

/** A log of `count` records, each vouching for the ones before it (as strict mode writes them). */
function strictLog(count: number): { bytes: Uint8Array; offsets: number[] } {
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let size = 0;
  let prevCrc = 0;
  for (let i = 0; i < count; i++) {
    const { bytes, crc } = encodeRecord([put(`k${i}`, `value ${i}`)], prevCrc, size);
    offsets.push(size);
    parts.push(bytes);
    size += bytes.length;
    prevCrc = crc;
  }
  const bytes = new Uint8Array(size);
  parts.forEach((part, i) => bytes.set(part, offsets[i]!));
  return { bytes, offsets };
}

describe('the careful example engine under every scenario', () => {
  it('shows no violation and hits every targeted cell over 50 seeds of each scenario', async () => {
    const subject = await loadSubject({ kind: 'engine', module });
    const result = await runCampaign({ subject, seeds: 50, jobs: 2, workerScript });
    expect(result.seeds).toBe(50 * subject.units.length);
    expect(result.violations).toEqual([]);
    expect(missedTargets(result)).toEqual([]);
    // Bit flips met by recovery were refused, not served.
    expect(result.perScenario['read-corruption']!.detected).toBeGreaterThan(0);
  });
});

describe('the careful example engine under disk damage', () => {
  it('refuses to open when a sector of a commit an earlier recovery served reads back damaged (sector-damage seed 6: it used to cut it as a torn tail, losing k0)', async () => {
    const engine = await loadEngine(module);
    const result = await runPlan(findScenario('sector-damage')!.plan(6), engine);
    expect(result.violations).toEqual([]);
    expect(result.detected).toBeGreaterThan(0);
  });

  it('refuses to open when its log vanished after a clean close (lost-file seed 6: it used to start an empty store, losing commit #0)', async () => {
    const engine = await loadEngine(module);
    const result = await runPlan(findScenario('lost-file')!.plan(6), engine);
    expect(result.violations).toEqual([]);
    expect(result.detected).toBeGreaterThan(0);
  });
  it.each([
    [420, 'it made an empty log, and once careful.served was lost too the store passed for new, losing k0'],
    [1139, 'careful.served was lost, then the log, and only careful.served.tmp was left to show there had been a store'],
  ])('refuses, before creating anything, a log that vanished while another of its files is there (lost-file seed %i: %s)', async (seed) => {
    const engine = await loadEngine(module);
    const result = await runPlan(findScenario('lost-file')!.plan(seed), engine);
    expect(result.violations).toEqual([]);
    expect(result.detected).toBeGreaterThan(0);
  });
});

describe('the careful example engine\'s record of what it served (careful.served)', () => {
  const served = (bytes: Uint8Array, size: number) => ({ firstCrc: firstRecordCrc(bytes)!, bytes: size });

  it('refuses damage below the served size, which rule 5 alone would cut as a torn tail', () => {
    const { bytes, offsets } = strictLog(3);
    const damaged = bytes.slice();
    damaged.fill(0, offsets[2]!, bytes.length);
    expect(scanLog(damaged, '/log').end).toBe(offsets[2]);
    const bound = servedBound(served(bytes, bytes.length), damaged, '/log');
    expect(bound).toBe(bytes.length);
    expect(() => scanLog(damaged, '/log', bound)).toThrow(`corruption in /log at ${offsets[2]}: `);
    expect(() => scanLog(damaged, '/log', bound)).toThrow(`the last open served ${bytes.length} bytes of this log intact`);
  });

  it('still cuts a torn tail beyond the served size', () => {
    const { bytes, offsets } = strictLog(3);
    const damaged = bytes.slice();
    damaged.fill(0, offsets[2]!, bytes.length);
    expect(scanLog(damaged, '/log', offsets[2]!).end).toBe(offsets[2]);
  });

  it('binds only the log it names: after a compaction it describes another log and binds nothing', () => {
    const { bytes } = strictLog(3);
    const compacted = encodeRecord([put('k0', 'value 0'), put('k1', 'value 1'), put('k2', 'value 2')], 0, 0).bytes;
    expect(servedBound(served(bytes, bytes.length), compacted, '/log')).toBe(0);
    expect(servedBound(undefined, bytes, '/log')).toBe(0);
  });

  it('refuses an empty log, or a damaged first record, where an open had served bytes', () => {
    const { bytes } = strictLog(2);
    expect(() => servedBound(served(bytes, bytes.length), new Uint8Array(0), '/log')).toThrow(`corruption in /log at 0: the log is empty, and the last open served ${bytes.length} bytes of it`);
    const damaged = bytes.slice();
    damaged.fill(0, 0, 20);
    expect(() => servedBound(served(bytes, bytes.length), damaged, '/log')).toThrow('corruption in /log at 0: the first record is damaged');
    expect(servedBound({ firstCrc: 0, bytes: 0 }, damaged, '/log')).toBe(0);
  });

  it('round-trips its 16 bytes and refuses any damage to them, naming the file', () => {
    const record = { firstCrc: 0xdeadbeef, bytes: 12345 };
    const encoded = encodeServed(record);
    expect(encoded.length).toBe(16);
    expect(decodeServed(encoded, '/db/careful.served')).toEqual(record);
    for (let at = 0; at < encoded.length; at++) {
      const damaged = encoded.slice();
      damaged[at]! ^= 0x01;
      expect(() => decodeServed(damaged, '/db/careful.served'), `byte ${at}`).toThrow('corruption in /db/careful.served at 0: the record of what the last open served does not parse');
    }
    expect(() => decodeServed(encoded.subarray(0, 12), '/db/careful.served')).toThrow('(12 bytes)');
  });
});

describe('the careful example engine\'s recovery rules', () => {
  it('truncates a record cut off at the end of the log', () => {
    const { bytes, offsets } = strictLog(3);
    const scan = scanLog(bytes.subarray(0, bytes.length - 5), '/log');
    expect(scan.end).toBe(offsets[2]);
    expect(scan.cutReason).toMatch(/torn tail \(cut-off\)/);
    expect([...scan.state.keys()]).toEqual(['k0', 'k1']);
  });

  it('truncates a zeroed last record', () => {
    const { bytes, offsets } = strictLog(3);
    bytes.fill(0, offsets[2]);
    expect(scanLog(bytes, '/log').end).toBe(offsets[2]);
  });

  it('cuts a torn record even when an intact record follows it, if that record does not vouch for it', () => {
    // none mode: neither record had been fsynced when the second was written.
    const first = encodeRecord([put('a', '1')], 0, 0);
    const second = encodeRecord([put('b', '2')], first.crc, 0);
    const bytes = new Uint8Array([...first.bytes, ...second.bytes]);
    bytes.fill(0xee, headerBytes, headerBytes + 8);
    const scan = scanLog(bytes, '/log');
    expect(scan.end).toBe(0);
    expect(scan.state.size).toBe(0);
  });

  it('refuses a damaged record that a later intact record says had been fsynced', () => {
    const { bytes, offsets } = strictLog(3);
    bytes.fill(0xee, offsets[1]! + headerBytes, offsets[1]! + headerBytes + 8);
    expect(() => scanLog(bytes, '/log')).toThrow(/corruption in \/log at \d+: .*was written when \d+ bytes were fsynced/);
  });

  it('refuses a single flipped bit, even in the last record, where nothing vouches for it', () => {
    const { bytes, offsets } = strictLog(3);
    for (const at of [offsets[2]!, offsets[2]! + 5, offsets[2]! + 13, offsets[2]! + headerBytes + 3, bytes.length - 1]) {
      const damaged = bytes.slice();
      damaged[at]! ^= 0x10;
      expect(() => scanLog(damaged, '/log'), `bit flipped at ${at}`).toThrow(/exactly one bit differs/);
    }
  });

  it('takes a header whose new length meets an old record\'s complement one bit apart for a torn overwrite, not bit rot (crash-loop seed 388)', () => {
    // A cut tail written over: the new record's length landed, its complement did not, and the
    // old record's complement there differs in one bit. No one-bit repair makes a whole record.
    const { bytes, offsets } = strictLog(2);
    const last = offsets[1]!;
    const view = new DataView(bytes.buffer, bytes.byteOffset + last);
    const length = view.getUint32(4, true);
    view.setUint32(8, ~(length ^ 1) >>> 0, true);
    view.setUint32(12, 0xdeadbeef, true);
    expect(readRecordAt(bytes, last).kind).toBe('garbage');
    expect(scanLog(bytes, '/log').end).toBe(last);
    // One bit flipped in the complement of a whole record is bit rot, as before.
    const rotted = strictLog(2);
    new DataView(rotted.bytes.buffer, rotted.bytes.byteOffset + rotted.offsets[1]!).setUint32(8, ~(length ^ 1) >>> 0, true);
    expect(readRecordAt(rotted.bytes, rotted.offsets[1]!).kind).toBe('single-bit');
  });

  it('cuts an intact record that does not follow the one before it (left behind a cut)', () => {
    const first = encodeRecord([put('a', '1')], 0, 0);
    const stale = encodeRecord([put('b', '2')], 12345, 0);
    const scan = scanLog(new Uint8Array([...first.bytes, ...stale.bytes]), '/log');
    expect(scan.end).toBe(first.bytes.length);
    expect([...scan.state.keys()]).toEqual(['a']);
  });

  it('refuses a record whose checksums pass over impossible contents', () => {
    const { bytes } = encodeRecord([put('a', '1')], 0, 0);
    const view = new DataView(bytes.buffer);
    const bodyBytes = view.getUint32(4, true);
    bytes[headerBytes + 12] = 7;
    view.setUint32(12, crc32(bytes, headerBytes, headerBytes + bodyBytes), true);
    expect(readRecordAt(bytes, 0).kind).toBe('malformed');
    expect(() => scanLog(bytes, '/log')).toThrow(/checksums pass, so no crash did this/);
  });
});

describe('the careful example engine\'s single-bit test', () => {
  it('recognises every one-bit flip of the data or of the stored checksum', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.nat(), (data, pick) => {
      const stored = crc32(data);
      const bit = pick % (data.length * 8 + 32);
      if (bit < data.length * 8) {
        const flipped = data.slice();
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        return isSingleBitError(stored, crc32(flipped), data.length);
      }
      return isSingleBitError((stored ^ (1 << (bit - data.length * 8))) >>> 0, stored, data.length);
    }));
  });

  it('does not take a torn sector for a one-bit flip', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 64, maxLength: 300 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (data, garbage) => {
      const torn = data.slice();
      torn.set(garbage, 20);
      const stored = crc32(data);
      const actual = crc32(torn);
      fc.pre(actual !== stored);
      return !isSingleBitError(stored, actual, data.length) || countBitsDiffering(data, torn) === 1;
    }));
  });
});

function countBitsDiffering(a: Uint8Array, b: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i]! ^ b[i]!; x !== 0; x &= x - 1) count++;
  return count;
}

describe('the careful example engine on the real file system', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('commits, checkpoints, closes, reopens and reads back through NodeFileSystem', async () => {
    dir = mkdtempSync(join(tmpdir(), 'powercut-careful-'));
    const engine = await loadEngine(module);
    for (const sync of ['strict', 'none'] as const) {
      const env = { fs: new NodeFileSystem(fs), clock: new SystemClock(), dir: join(dir, sync), config: { ...baseEngine, sync }, probe: () => undefined, hit: () => undefined };
      const first = await engine.open(env);
      await first.commit([{ type: 'put', key: 'a', value: encoder.encode('one') }, { type: 'put', key: 'b', value: encoder.encode('two') }]);
      await first.checkpoint!();
      await Promise.all([first.commit([{ type: 'delete', key: 'a' }]), first.commit([{ type: 'put', key: 'c', value: encoder.encode('three') }])]);
      await first.sync!();
      await first.close();
      const second = await engine.open(env);
      expect(await second.get('a')).toBeUndefined();
      expect([...await second.state()].map(([key, value]) => [key, decoder.decode(value)])).toEqual([['b', 'two'], ['c', 'three']]);
      await second.close();
      expect(fs.readdirSync(env.dir)).toEqual(['careful.log', 'careful.served']);
    }
  });
});
