/**
 * The hint a library workload's violation gets when the power loss before it lost a synced name
 * (targets/runner.ts `namingWhatFailed`): given only where it can bear on what failed.
 */
import { describe, expect, it } from 'vitest';
import { namingWhatFailed } from '../../targets/runner.ts';

const lost = (what: string) => ({ crashState: 0, garbage: new Map(), lostSyncedName: what });

describe('the lost-name hint of a library workload\'s violation', () => {
  it('is left out when the message names files and none the lost operation named (a pages.db checksum failure after meta.json\'s lost create)', () => {
    expect(namingWhatFailed(lost('the create of /powercut-target/meta.json.tmp'), 'page 4 of pages.db fails its checksum')?.lostSyncedName).toBeUndefined();
  });

  it('stays when the message names the file, or the name a temporary file is published under', () => {
    expect(namingWhatFailed(lost('the rename /powercut-target/meta.json.tmp -> /powercut-target/meta.json'), 'meta.json holds label 3')?.lostSyncedName).toContain('meta.json');
    expect(namingWhatFailed(lost('the create of /powercut-target/doc.json.tmp-123'), 'doc.json is torn (0 bytes)')?.lostSyncedName).toContain('doc.json.tmp-123');
  });

  it('stays when the message names no file: nothing says what the check read', () => {
    expect(namingWhatFailed(lost('the create of /powercut-target/x.log'), 'generation 3 (acknowledged) but contents differ: k5: read (none)')?.lostSyncedName).toContain('x.log');
  });
});
