import { describe, expect, it } from 'vitest';
import { Digest64, hashString } from '../../sim/digest.ts';
import { none, Trace } from '../../sim/trace.ts';

const typeCodes = { io: 1, fault: 2, crash: 3, restart: 4, op: 5, check: 6, note: 7 } as const;

describe('the trace digest', () => {
  it('is every event fed field by field: type, time, the hashes of name, phase and path, offset, length, the hash of the outcome', () => {
    // More distinct names and paths than any cache of recent values holds, revisited out of order,
    // one of them a string built at run time (equal text, another object).
    const names = ['read', 'write', 'fsync', 'open', 'close', 'rename'];
    const paths = ['/db/a', '/db/b', `/db/${'c'}`, '/db/d', '/db/e', '/db/f', '/db/g'];
    const phases = ['wal.append', 'wal.sync', 'recovery', 'checkpoint', 'prune'] as const;
    const trace = new Trace('digest');
    const reference = new Digest64();
    for (let i = 0; i < 400; i++) {
      const name = names[(i * 7) % names.length]!;
      const path = paths[(i * i) % paths.length]!;
      const phase = phases[(i >> 2) % phases.length]!;
      const outcome = i % 11 === 0 ? 'EIO' : 'ok';
      const offset = i % 3 === 0 ? none : i * 512;
      const t = i * 0.25;
      trace.record('io', name, t, phase, path, offset, 100, outcome);
      reference.int(typeCodes.io);
      reference.number(t);
      reference.int(hashString(name));
      reference.int(hashString(phase));
      reference.int(hashString(path));
      reference.number(offset);
      reference.number(100);
      reference.int(hashString(outcome));
    }
    expect(trace.digest()).toBe(reference.hex());
  });
});

describe('a trace that only counts (a second look\'s world, whose trace nobody reads)', () => {
  it('counts every event and tells the observer of each, keeping no event and refusing a digest', () => {
    const trace = new Trace('count');
    const told: string[] = [];
    trace.observer = (type, name, path, outcome) => told.push(`${type} ${name} ${path ?? '-'} ${outcome}`);
    trace.record('io', 'write', 1, 'recovery', '/db/a', 0, 10, 'ok');
    trace.record('check', 'durable', 2, undefined, undefined, none, none, 'lost');
    expect(trace.length).toBe(2);
    expect(told).toEqual(['io write /db/a ok', 'check durable - lost']);
    expect(trace.recent).toEqual([]);
    expect(trace.events).toEqual([]);
    expect(() => trace.digest()).toThrow(/only counts has no digest/);
  });
});
