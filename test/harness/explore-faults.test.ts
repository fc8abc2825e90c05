/**
 * Where explore fails a write with a full disk (harness/explore-faults.ts `faultsIn`): only at a
 * write that adds a block to its file, as the trace tells, the file followed through renames.
 */
import { describe, expect, it } from 'vitest';
import { faultsIn } from '../../harness/explore-faults.ts';
import type { TraceEvent } from '../../sim/types.ts';

function io(seq: number, name: string, path: string, detail?: string): TraceEvent {
  return { seq, t: 0, type: 'io', name, path, ...(detail === undefined ? {} : { detail }) };
}

const diskFull = new Set(['disk-full'] as const);
const diskFullAt = (trace: TraceEvent[]): number[] => faultsIn(trace, diskFull, 4096, () => true).map((point) => point.io);

describe('the disk-full points of a trace', () => {
  it('are the writes that add a block to their file, not those inside its last block', () => {
    expect(diskFullAt([
      io(0, 'append', '/d/a', '@0 len=100 ok'),
      io(1, 'append', '/d/a', '@100 len=100 ok'),
      io(2, 'append', '/d/a', '@200 len=4000 ok'),
    ])).toEqual([0, 2]);
  });

  it('follow a file through a rename: a write inside the block it already had is not one', () => {
    expect(diskFullAt([
      io(0, 'write', '/d/a.tmp', '@0 len=5000 ok'),
      io(1, 'rename', '/d/a.tmp -> /d/a'),
      io(2, 'append', '/d/a', '@5000 len=100 ok'),
      io(3, 'append', '/d/a.tmp', '@0 len=10 ok'),
    ])).toEqual([0, 3]);
  });

  it('start a file again after an unlink, and after a rename over it', () => {
    expect(diskFullAt([
      io(0, 'append', '/d/a', '@0 len=10 ok'),
      io(1, 'unlink', '/d/a'),
      io(2, 'append', '/d/a', '@0 len=10 ok'),
      io(3, 'rename', '/d/new -> /d/a'),
      io(4, 'append', '/d/a', '@0 len=10 ok'),
    ])).toEqual([0, 2, 4]);
  });
});
