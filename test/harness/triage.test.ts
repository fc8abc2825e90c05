import { describe, expect, it } from 'vitest';
import { runCampaign, tracedRunsMax } from '../../harness/campaign.ts';
import { nextShrinkCommand, shrinkCommand } from '../../harness/repro.ts';
import { causeShape, crashKindsOf, failingRuns, messageShape, representativeRun, rootCauseGroups } from '../../harness/triage.ts';
import type { Violation } from '../../sim/types.ts';
import { powerLossNote, type PowerLossReport } from '../../sim/world.ts';
import { rotNote } from '../../sim/second-look.ts';
import { loadSubject } from '../../subjects/index.ts';

const violation = (scenario: string, seed: number, invariant: string, message: string, indexInRun: number, traced = false): Violation => ({
  scenario, seed, invariant, message, indexInRun,
  repro: `npx powercut repro --scenario ${scenario} --seed ${seed}`,
  ...(traced ? { trace: [{ seq: 0, t: 0, type: 'check' as const, name: invariant, detail: message }] } : {}),
});

describe('messageShape', () => {
  it('masks numbers and hex values, so one complaint about two commits has one shape', () => {
    const a = 'commit #7, acknowledged, is missing: key k14 should be 0x6b313440312e302e… (15 bytes) but is absent';
    const b = 'commit #12, acknowledged, is missing: key k3 should be 0x6b3340332e33 (6 bytes) but is absent';
    expect(messageShape(a)).toBe('commit #N, acknowledged, is missing: key kN should be 0x… (N bytes) but is absent');
    expect(messageShape(b)).toBe(messageShape(a));
  });

  it('keeps the words of a sentence after "key" (a limit error: "key too long"), masking only a key\'s name', () => {
    expect(messageShape('commit rejected: LimitError: key too long')).toBe('commit rejected: LimitError: key too long');
    expect(messageShape('key must be a string')).toBe('key must be a string');
    expect(messageShape('key alpha unreadable')).toBe('key <key> unreadable');
  });

  it('keeps the 9 of a kill -9, the 8 of utf-8 and the section of write(2), which name a crash, an encoding and a call, not values', () => {
    expect(messageShape('operation 3 (x) ended stuck (in operation 3, then ended by kill-9)')).toBe('operation N (x) ended stuck (in operation N, then ended by kill-9)');
    expect(messageShape('crash 2 (a kill -9), then bit 81 rotted')).toBe('crash N (a kill -9), then bit N rotted');
    expect(messageShape('sst-3.json: not utf-8')).toBe('sst-N.json: not utf-8');
    expect(messageShape('a write landed 290 of 401 bytes: write(2) may write less than asked')).toBe('a write landed N of N bytes: write(2) may write less than asked');
    expect(messageShape('data-3.json is not UTF-8')).toBe('data-N.json is not UTF-8');
  });

  it('groups a run whose message adds that the power loss lost a synced name with the runs of the same message without it', () => {
    const plain = 'commit #3, acknowledged, is missing (after power-loss during operation 2, crash state 0)';
    const note = powerLossNote({ crashState: 1, garbage: [], lostSyncedName: 'the create of /db/dwb' } as unknown as PowerLossReport);
    expect(note).toContain('which named a file whose data was durable');
    const hinted = `commit #5, acknowledged, is missing${note} (after power-loss during operation 4, crash state 1)`;
    expect(causeShape(hinted)).toBe(causeShape(plain));
    // And in the longer words of summaries written before 7 December (a report merged with them).
    const before = '; the power loss before it lost the create of /db/dwb, which named a file whose data was durable (if what failed rests on that file: a new or renamed name is durable only once its directory is fsynced after the create or rename (fsyncing the file is not enough under POSIX, though ext4 and XFS make it durable with any fsync, as faults { nameSync: \'journal\' } simulates; a name nothing relied on yet, such as a temporary file\'s, is lost harmlessly))';
    expect(causeShape(`commit #5, acknowledged, is missing${before} (after power-loss during operation 4, crash state 1)`)).toBe(causeShape(plain));
  });

  it('groups a run whose message adds that an earlier write landed short with the runs of the same message without it (a later write may cover the gap)', () => {
    const plain = 'items/k2 acknowledged but missing (after kill-9 during operation 3)';
    const hinted = 'items/k2 acknowledged but missing (after kill-9 during operation 5); earlier in the run a write to /powercut-target/db/data.db landed 3 of 14 bytes (I/O #40) and nothing wrote the rest: write(2) may write less than asked, and a caller that ignores the count it returns leaves a torn file';
    expect(causeShape(hinted)).toBe(causeShape(plain));
    // The crash clause before the hint still names the crash, as shrinking keeps it.
    expect(crashKindsOf(hinted)).toBe('kill-9');
  });

  it('keeps a regression plan\'s name whole, digits included: plans bug-1 and bug-2 are two regression tests, each its own root cause', () => {
    const one = '[regression bug-1] commit #3, acknowledged, is missing';
    expect(causeShape(one)).toBe('[regression bug-1] commit #N, acknowledged, is missing');
    expect(causeShape('[regression bug-2] commit #3, acknowledged, is missing')).not.toBe(causeShape(one));
    expect(causeShape('[regression bug-1] commit #7, acknowledged, is missing')).toBe(causeShape(one));
  });

  it('masks a JSON object or array a check prints whole, so one bug\'s runs with more or fewer keys have one shape; an empty one stays', () => {
    const a = 'store holds {"k1":"v1","k2":"v{2}"}, expected acknowledged {} and pages [1,2,3]';
    const b = 'store holds {"k9":{"nested":true}}, expected acknowledged {} and pages [4,5]';
    expect(causeShape(a)).toBe('store holds {…}, expected acknowledged {} and pages […]');
    expect(causeShape(b)).toBe(causeShape(a));
    expect(causeShape('sector [3] of sst-[4]')).toBe('sector [N] of sst-[N]');
  });

  it('leaves out of the shape what a power loss did to directories (a new directory lost, operations a failed directory fsync left pending, operations kept out of order): given whenever it did', () => {
    const plain = 'value 3 is gone (after power-loss during operation 4, crash state 9)';
    for (const report of [{ lostDir: 'd' }, { lostAfterFailedSync: 'o' }, { outOfOrder: 'o' }, { lostDir: 'd', lostAfterFailedSync: 'o' }] as unknown as PowerLossReport[]) {
      const hinted = plain + powerLossNote(report);
      expect(hinted).not.toBe(plain);
      expect(causeShape(hinted)).toBe(causeShape(plain));
    }
  });

  it('masks JSON the check cut short, wherever the cut fell, up to the parenthesis after it', () => {
    const cut = (keys: number, xs: number): string => `store holds a map no put wrote: {${Array.from({ length: keys }, (_, key) => `"k${key}":"v${key}-${'x'.repeat(xs)}"`).join(',')}`.slice(0, 60);
    const a = `${cut(3, 10)} (opened via current on snap-3) (after power-loss during operation 4, crash state 9)`;
    const b = `${cut(1, 80)} (opened via current on snap-2) (after power-loss)`;
    expect(causeShape(a)).toBe('store holds a map no put wrote: {…} (opened via current on snap-N) (after power-loss)');
    expect(causeShape(b)).toBe(causeShape(a));
    // Pairs in an array, cut after one, two or three whole pairs.
    const pairs = (count: number): string => `store holds a map no put wrote: [${Array.from({ length: count }, (_, key) => `["k${key}","v${key}-xxxx"]`).join(',')},["k9","v9-xx (opened via current on snap-3)`;
    expect(causeShape(pairs(1))).toBe('store holds a map no put wrote: […] (opened via current on snap-N)');
    expect(causeShape(pairs(3))).toBe(causeShape(pairs(1)));
    // What follows the cut stays: a fallback is another cause.
    expect(causeShape(`${cut(2, 30)} (opened via fallback on snap-4)`)).toBe('store holds a map no put wrote: {…} (opened via fallback on snap-N)');
  });

  it('leaves out of the shape the advice a power loss that left unwritten bytes adds (a summary gives it once)', () => {
    const plain = 'line 4 is unreadable (after power-loss during operation 2, crash state 0)';
    const hinted = 'line 9 is unreadable; the power loss before it left /app/app.log reading bytes nothing wrote past the size it had on disk (an unsynced append whose size survived without its data, or tore into garbage), as POSIX, XFS and ext4 with data=writeback allow: trust only bytes a checksum or an fsynced length vouches for, or, if the library promises only what ext4\'s default data=ordered keeps, say so with the workload\'s faults: { dataOrder: \'ordered\' } (after power-loss during operation 4, crash state 1)';
    expect(causeShape(hinted)).toBe(causeShape(plain));
  });

  it('keeps the 4 of ext4, which names a file system, and the words of a sentence after "key"', () => {
    expect(messageShape('an fsync had failed ext4\'s way at io 31')).toBe('an fsync had failed ext4\'s way at io N');
    expect(messageShape('read a key no commit ever wrote: k3')).toBe('read a key no commit ever wrote: kN');
    expect(messageShape('key c unreadable')).toBe('key <key> unreadable');
  });

  it('masks a value printed as text as it masks one printed in hex: one complaint about two commits has one shape', () => {
    const a = 'commit #7, acknowledged, is missing: key k14 should be "k14@7.0"… (15 bytes) but is "liveness 1 0" (12 bytes)';
    const b = 'commit #12, acknowledged, is missing: key k3 should be 0x6b3340332e33 (6 bytes) but is "" (0 bytes)';
    expect(messageShape(a)).toBe('commit #N, acknowledged, is missing: key kN should be 0x… (N bytes) but is 0x… (N bytes)');
    expect(messageShape(b)).toBe(messageShape(a));
  });

  it('masks text a check quotes in double quotes as data, and keeps a path Node quotes in single quotes', () => {
    const a = 'message "m5:xxxxxxxxxxxx" is missing, seq 4';
    const b = 'message "m12:yy" is missing, seq 11';
    expect(messageShape(a)).toBe('message "…" is missing, seq N');
    expect(messageShape(b)).toBe(messageShape(a));
    expect(messageShape('doc holds ""')).toBe(messageShape('doc holds "version 3"'));
    expect(messageShape("ENOENT: no such file or directory, open '/root/offset.json'")).toBe("ENOENT: no such file or directory, open '/root/offset.json'");
  });

  it('masks an empty hex value as a value too', () => {
    expect(messageShape('key k1 holds 0x (0 bytes), a value no commit wrote to it')).toBe('key kN holds 0x… (N bytes), a value no commit wrote to it');
  });

  it('masks a hashed or random file name, so one library complaint about two keys\' files has one shape', () => {
    const a = '/root/store/7c4a8d09ca3762af61e59520943dc26494f8941b does not look like a valid storage file!';
    const b = '/root/store/b6589fc6ab0dc82cf12099d1c2d40ab994e8410c does not look like a valid storage file!';
    expect(messageShape(a)).toBe('/root/store/<hex> does not look like a valid storage file!');
    expect(messageShape(b)).toBe(messageShape(a));
    expect(messageShape('ENOENT: open /root/data.json.tmp-7836800000c44404')).toBe('ENOENT: open /root/data.json.tmp-<hex>');
    // A word is not a hex name: letters only, digits only, or other letters in it.
    expect(messageShape('deadbeefcafe k123456789 db4k1234567')).toBe('deadbeefcafe kN dbNkN');
  });

  it('masks a random id (a UUID, a base58 document id) as <id>, so one complaint about two documents has one shape, and leaves shorter words and words without a digit', () => {
    const a = 'doc automerge:2Pz7KrUqGmfV3LkxHkP4xNq8cMxY holds n=undefined (after power-loss during operation 3)';
    const b = 'doc automerge:4NMNnkMhL8jXrkKR3PjIcGqh holds n=undefined (after power-loss during operation 5)';
    expect(messageShape(a)).toBe('doc automerge:<id> holds n=undefined (after power-loss during operation N)');
    expect(messageShape(b)).toBe(messageShape(a));
    expect(messageShape('row 1b4e28ba-2fa1-11d2-883f-0016d3cca427 is missing')).toBe('row <id> is missing');
    expect(messageShape('ProcessCrashedError in node_modules/write-file-atomic k12-b7')).toBe('ProcessCrashedError in node_modules/write-file-atomic kN-bN');
    expect(messageShape('job cjld2cjxh0000qzrmn831i7rn failed')).toBe('job <id> failed');
    // A package's name is no id: words apart by `-`, of one case.
    expect(messageShape('it loaded @msgpackr-extract/msgpackr-extract-linux-x64 (node.abi115.glibc.node)')).toBe('it loaded @msgpackr-extract/msgpackr-extract-linux-xN (node.abiN.glibc.node)');
  });

  it('masks a key a workload names without digits or quotes, so one complaint about keys a and c has one shape', () => {
    const a = 'key a unreadable (not a valid storage file); acked v=undefined (after kill-9)';
    const c = 'key c unreadable (not a valid storage file); acked v=undefined (after kill-9)';
    expect(messageShape(a)).toBe('key <key> unreadable (not a valid storage file); acked v=undefined (after kill-9)');
    expect(messageShape(c)).toBe(messageShape(a));
    expect(messageShape('key k12 should be 0x6b… (3 bytes)')).toBe('key kN should be 0x… (N bytes)');
  });

  it('masks a content-addressed store\'s fan-out folders and a temporary name\'s suffix whole, digits or not: one cause, one shape (cacache, atomically)', () => {
    const stat = (fanOut: string): string => messageShape(`ENOENT: no such file or directory, stat '/c/content-v2/sha512/${fanOut}/d081884c7d659a2f'`);
    expect(new Set(['9f/86', 'ab/cd', '12/34', 'df/07'].map(stat)).size).toBe(1);
    const tmp = (suffix: string): string => messageShape(`cfg.json.tmp-${suffix} was left behind`);
    expect(tmp('1733')).toBe(tmp('17a3'));
    expect(tmp('1733')).toBe('cfg.json.tmp-<hex> was left behind');
    // A lone two-letter folder (/db/) stays itself.
    expect(messageShape('lost /db/x.wal')).toBe('lost /db/x.wal');
  });

  it('keeps the words, so different complaints keep different shapes', () => {
    expect(messageShape('commit #3 is torn')).not.toBe(messageShape('commit #3, acknowledged, is missing'));
  });
});

describe('causeShape', () => {
  const opens = 'the library does not open after the crash: EISDIR: illegal operation on a directory, read';

  it('cuts a library message\'s crash clause to the kinds of crashes: where the crash fell varies by seed', () => {
    expect(causeShape(`${opens} (after power-loss during operation 3, crash state 2)`)).toBe(`${opens} (after power-loss)`);
    expect(causeShape(`${opens} (after the final power-loss, crash state 4)`)).toBe(`${opens} (after power-loss)`);
    // A power loss anywhere in the clause names the class: what only it loses shows whatever kill -9 came around it.
    expect(causeShape(`${opens} (after kill-9 during operation 1, then power-loss during the reopen, crash state 0, then power-loss during the reopen, crash state 3)`))
      .toBe(`${opens} (after power-loss)`);
    expect(causeShape(`${opens} (after power-loss during operation 1, crash state 0, then kill-9 during the reopen)`)).toBe(`${opens} (after power-loss)`);
    expect(causeShape(`${opens} (after the process died of an uncaught exception during operation 2)`)).toBe(`${opens} (after an uncaught exception)`);
  });

  it('keeps a kill -9 apart from a power loss: a torn in-place write is not a missing fsync', () => {
    expect(causeShape(`${opens} (after kill-9 during operation 3)`)).not.toBe(causeShape(`${opens} (after power-loss during operation 3, crash state 1)`));
  });

  it('gives a second look\'s violation the shape of the same violation on the run\'s own path: one bug, one root cause', () => {
    const message = 'commit #7, acknowledged, is missing: key k3 should be 0x6b33… (15 bytes)';
    expect(causeShape(`crash 2 (a power loss) settled on crash state 9 instead of 0: ${message}`)).toBe(causeShape(message));
    expect(causeShape(`crash 3 (a kill -9), then bit 8317 of /db/00000000000000000004.wal rotted: ${message}`)).toBe(causeShape(message));
    expect(causeShape(`crash 1 (a power loss) before step 2, with pages a failed fsync left unwritten: ${message}`)).toBe(causeShape(message));
  });

  it('says every way JSON.parse rejects a torn or garbled file one way: where the tear fell varies by seed, the bug does not', () => {
    const prefix = 'the library does not open after the crash: Error parsing your configuration file: [/r/config.json]: ';
    const shapes = [
      'Unexpected end of JSON input',
      'Unexpected token \'\u0000\', "\u0000\u0000" is not valid JSON',
      'Unexpected token \'v\', "{"version":1}v" is not valid JSON',
      'Unexpected non-whitespace character after JSON at position 14',
      'Unterminated string in JSON at position 9',
      'Expected \',\' or \'}\' after property value in JSON at position 12 (line 1 column 13)',
      'No number after minus sign in JSON at position 3',
      'Bad control character in string literal in JSON at position 7',
      // Cut at the first line: the text quoted had a newline.
      'Unexpected token \'<binary>\', "<binary>',
      // A long text, quoted in part (nconf).
      'Unexpected token \'<binary>\', ..."<binary>x"... is not valid JSON',
      'Unexpected token \'x\', ..."ab x"... is not valid JSON',
    ].map((error) => causeShape(`${prefix}${error} (after power-loss during operation 2, crash state 1)`));
    expect(new Set(shapes)).toEqual(new Set([`${prefix.replace(/\[\/r\/config\.json\]/, '[/r/config.json]')}<not valid JSON> (after power-loss)`]));
    // What is not about JSON keeps its words, and a kill -9 stays apart from a power loss.
    expect(causeShape(`${prefix}ENOENT (after power-loss)`)).toBe(`${prefix}ENOENT (after power-loss)`);
    expect(causeShape(`${prefix}Unexpected end of JSON input (after kill-9 during operation 1)`)).toBe(`${prefix}<not valid JSON> (after kill-9)`);
  });

  it('says a word of binary garbage one way, however many spans and stuck bytes the tear left: one torn row, one root cause', () => {
    const shapes = ['<binary>', '<binary><binary>', '<binary>"key', 'ab<binary>', '"<binary>:'].map((word) => causeShape(`row ${word} is torn (after kill-9 during operation 3)`));
    expect(new Set(shapes)).toEqual(new Set(['row <binary> is torn (after kill-9)']));
  });

  it('masks an engine\'s refusal whole, even when the engine quotes the garbage it read: one missing fsync, one root cause', () => {
    const refused = (engineMessage: string): string => `crash 1 (a power loss) in step 0, right after a rename moved a file whose data was not synced: open refused with "${engineMessage}" although no fault damaged durable data (no bit flip, damaged sector, misdirected write or lost name): either that check is wrong, or the engine's own writes left what it refuses`;
    const shapes = new Set(['malformed CURRENT ""', 'malformed CURRENT "\\u0000\\u0000"', 'malformed CURRENT "\u00e9\"Z=="', 'checksum mismatch at offset 12'].map((message) => causeShape(refused(message))));
    expect([...shapes]).toEqual([causeShape(refused('x'))]);
    // Other quoted text is still masked part by part: the words between stay.
    expect(causeShape('doc holds "v3" not "v4"')).toBe('doc holds "…" not "…"');
  });

  it('lists a list\'s items of one shape once: a check that lists each wrong key says one bug in as many items as a seed has (a page store: 82 root causes for one missing fsync)', () => {
    const one = 'generation 3 (acknowledged) but contents differ: k5: read (none), expected m43(262B) (after power-loss during operation 1, crash state 9)';
    const three = 'generation 4 (acknowledged) but contents differ: k7: read (none), expected m3(1576B); k8: read (none), expected m6(645B); k1: read (none), expected m9(5B) (after power-loss during operation 4, crash state 1)';
    expect(causeShape(three)).toBe(causeShape(one));
    expect(causeShape('keys missing: k1, k2, k3')).toBe(causeShape('keys missing: k4'));
    // Items of different shapes stay: a different complaint.
    expect(causeShape('k1: read (none); k2: read "x"')).not.toBe(causeShape('k1: read (none)'));
  });

  it('says a list of numbers or of binary words one way, however long: how many lines a crash lost varies by seed (a log library\'s one missing fsync read as 12 root causes)', () => {
    const lost = ['2', '2,3', '2,3,5', '1, 4, 9'].map((lines) => causeShape(`acknowledged lines ${lines} missing (after power-loss during operation 3, crash state 1)`));
    expect(new Set(lost)).toEqual(new Set(['acknowledged lines N missing (after power-loss)']));
    expect(causeShape('line <binary>;<binary> is torn')).toBe(causeShape('line <binary> is torn'));
    // A count beside a list item of another word stays apart.
    expect(causeShape('lines 2,3 of 9 missing')).toBe('lines N of N missing');
  });

  it('gives a loss a look found at a rotted bit and the same loss the run found after an injected bit flip one shape: one bug, however the bit flipped', () => {
    const loss = 'key kN, deleted by commit #N, came back';
    const look = `crash 2 (a kill -9), then bit 8317 of /db/x.wal rotted: ${loss}${rotNote({ crash: 1, crashState: 0, io: 40, rot: { fault: 'bit-flip', path: '/db/x.wal', at: 8317, read: 52, arg: 8317 } }, 'no-resurrection')}`;
    const own = `${loss}; an injected bit flip struck a read earlier in this run (the trace's bit-flip fault names the file): synced bytes whose checksum fails are damage, to refuse or to recover around, not unsynced bytes a crash tore`;
    expect(look).toContain('one flipped bit excuses no loss');
    expect(causeShape(look)).toBe(causeShape(loss));
    expect(causeShape(own)).toBe(causeShape(loss));
  });

  it('is the message shape for a message without a crash clause (an engine\'s)', () => {
    const message = 'commit #7, acknowledged, is missing: key k3 should be 0x6b33… (15 bytes)';
    expect(causeShape(message)).toBe(messageShape(message));
  });

  it('groups runs that differ only in where their crash fell', () => {
    const runs = [
      violation('s', 1, 'opens', `${opens} (after the final power-loss, crash state 4)`, 0),
      violation('s', 2, 'opens', `${opens} (after power-loss during operation 3, crash state 2)`, 0),
      violation('s', 3, 'opens', `${opens} (after kill-9 during operation 1)`, 0),
    ];
    expect(rootCauseGroups(runs, ['s']).map((group) => [group.shape, group.runs.length])).toEqual([
      [`${opens} (after power-loss)`, 2],
      [`${opens} (after kill-9)`, 1],
    ]);
  });
});

describe('failingRuns', () => {
  it('makes the violation a run found first its root, whatever order the list is in', () => {
    const runs = failingRuns([
      violation('wal-append', 4, 'atomicity', 'commit #2 is torn', 1),
      violation('wal-append', 4, 'prefix', 'hole: commit #2 is missing', 2),
      violation('wal-append', 4, 'durability', 'commit #2, acknowledged, is missing', 0),
    ], ['wal-append']);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.root.invariant).toBe('durability');
    expect(runs[0]!.followOns.map((v) => v.invariant)).toEqual(['atomicity', 'prefix']);
  });

  it('makes the first violation on the run\'s own path a second root when the run\'s root was a second look\'s and complains of something else: a look\'s disk is not the one the run went on with', () => {
    const look = { crash: 1, crashState: 9, io: 40 };
    const lost = { ...violation('writer', 21, 'durable-power-loss', 'crash 2 (a power loss) settled on crash state 9 instead of 0: version 1 < acknowledged 2', 0), look };
    const lostAgain = { ...violation('writer', 21, 'durable-power-loss', 'crash 3 (a power loss) settled on crash state 8 instead of 0: version 2 < acknowledged 3', 1), look };
    const torn = violation('writer', 21, 'whole', 'the document does not parse (after kill-9 during operation 4)', 2);
    const tornAgain = violation('writer', 21, 'whole', 'the document does not parse (after kill-9 during operation 6)', 3);
    const runs = failingRuns([torn, lost, tornAgain, lostAgain], ['writer']);
    expect(runs.map((run) => [run.seed, run.root.invariant, run.followOns.map((v) => v.invariant)])).toEqual([
      [21, 'durable-power-loss', ['durable-power-loss']],
      [21, 'whole', ['whole']],
    ]);
    expect(rootCauseGroups([torn, lost, tornAgain, lostAgain], ['writer']).map((group) => group.invariant)).toEqual(['durable-power-loss', 'whole']);
    // A shrink of the seed would keep its first violation's invariant: the second root's names its own.
    expect(runs.map((run) => run.afterLook)).toEqual([undefined, true]);
    expect(nextShrinkCommand(runs[1]!.root, runs[1]!.afterLook === true)).toBe('npx powercut shrink --scenario writer --seed 21 --out bug.json --invariant whole');
    // Of the same invariant as the look's, it needs none: the shrink keeps that invariant anyway.
    const stale = { ...violation('writer', 21, 'durable-power-loss', 'version 0 < acknowledged 4 (after kill-9)', 2) };
    expect(failingRuns([lost, stale], ['writer']).map((run) => run.afterLook)).toEqual([undefined, undefined]);
  });

  it('keeps the same complaint on the run\'s own path under the look that found it first: one bug, one root', () => {
    const look = { crash: 1, crashState: 9, io: 40 };
    const message = 'commit #7, acknowledged, is missing: key k3 should be 0x6b33 (2 bytes) but is absent';
    const runs = failingRuns([
      { ...violation('swarm', 3, 'durability', `crash 2 (a power loss) settled on crash state 9 instead of 0: ${message}`, 0), look },
      violation('swarm', 3, 'durability', message, 1),
    ], ['swarm']);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.followOns.map((v) => v.look)).toEqual([undefined]);
  });

  it('keeps a look\'s violation after a root on the run\'s own path as its follow-on', () => {
    const runs = failingRuns([
      violation('swarm', 3, 'durability', 'commit #1 is missing', 0),
      { ...violation('swarm', 3, 'prefix', 'crash 2 (a power loss) settled on crash state 9 instead of 0: hole', 1), look: { crash: 1, crashState: 9, io: 40 } },
    ], ['swarm']);
    expect(runs).toHaveLength(1);
  });

  it('orders a summary written without indexInRun by step, "after the steps" last', () => {
    const base = { scenario: 'swarm', seed: 1, message: 'm', repro: 'r' };
    const runs = failingRuns([
      { ...base, invariant: 'liveness', step: -1 },
      { ...base, invariant: 'prefix', step: 9 },
      { ...base, invariant: 'durability', step: 3 },
    ], ['swarm']);
    expect([runs[0]!.root, ...runs[0]!.followOns].map((v) => v.invariant)).toEqual(['durability', 'prefix', 'liveness']);
  });

  it('lists runs in campaign order: scenarios as the campaign ran them, then seed', () => {
    const runs = failingRuns([
      violation('checkpoint-prune', 1, 'durability', 'm', 0),
      violation('wal-append', 9, 'durability', 'm', 0),
      violation('wal-append', 2, 'durability', 'm', 0),
    ], ['wal-append', 'checkpoint-prune']);
    expect(runs.map((run) => `${run.scenario} ${run.seed}`)).toEqual(['wal-append 2', 'wal-append 9', 'checkpoint-prune 1']);
  });
});

describe('rootCauseGroups', () => {
  const violations = [
    violation('wal-append', 1, 'durability', 'commit #0, acknowledged, is missing: key k1 should be 0x6b31 (2 bytes) but is absent', 0),
    violation('wal-append', 1, 'prefix', 'hole: commit #0 is missing', 1),
    violation('wal-append', 2, 'false-corruption', 'open refused with "/db/index.json does not parse"', 0, true),
    violation('checkpoint-prune', 5, 'durability', 'commit #7, acknowledged, is missing: key k4 should be 0x6b34 (2 bytes) but is absent', 0, true),
    violation('checkpoint-prune', 6, 'durability', 'commit #9, acknowledged, is missing: key k2 should be 0x6b32 (2 bytes) but is absent', 0),
  ];
  const groups = rootCauseGroups(violations, ['wal-append', 'checkpoint-prune']);

  it('groups runs whose roots share the invariant and the message shape, largest group first', () => {
    expect(groups.map((group) => [group.invariant, group.runs.length])).toEqual([['durability', 3], ['false-corruption', 1]]);
    expect(groups[0]!.shape).toBe('commit #N, acknowledged, is missing: key kN should be 0x… (N bytes) but is absent');
    expect(groups[0]!.runs.map((run) => `${run.scenario} ${run.seed}`)).toEqual(['wal-append 1', 'checkpoint-prune 5', 'checkpoint-prune 6']);
  });

  it('groups runs whose messages differ only in a workload\'s names: a short word glued to a number, a bare word a call is given (a node-persist user\'s one bug read as 3 root causes)', () => {
    const named = rootCauseGroups([
      violation('np', 1, 'whole', 'key a3 is unreadable: getItem(alpha) threw Error: does not look like a valid storage file', 0),
      violation('np', 2, 'whole', 'key b17 is unreadable: getItem(beta) threw Error: does not look like a valid storage file', 0),
      violation('np', 3, 'whole', 'key a2 is unreadable: getItem(alpha) threw Error: Unexpected end of JSON input', 0),
    ], ['np']);
    expect(named.map((group) => group.runs.length)).toEqual([2, 1]);
    // The heading is the first run's shape, its names kept.
    expect(named[0]!.shape).toBe('key aN is unreadable: getItem(alpha) threw Error: does not look like a valid storage file');
  });

  it('folds follow-on complaints under their run instead of grouping them', () => {
    expect(groups.flatMap((group) => group.runs).reduce((sum, run) => sum + 1 + run.followOns.length, 0)).toBe(violations.length);
    expect(groups.some((group) => group.invariant === 'prefix')).toBe(false);
  });

  it('is shown by its first run with a trace', () => {
    expect(representativeRun(groups[0]!).seed).toBe(5);
    expect(representativeRun(groups[1]!).seed).toBe(2);
  });
});

describe('shrinkCommand', () => {
  it('turns a repro line into the shrink of the same seed', () => {
    expect(shrinkCommand('npx powercut repro --engine my.ts --scenario wal-append --seed 3'))
      .toBe('npx powercut shrink --engine my.ts --scenario wal-append --seed 3 --out bug.json');
  });

  it('has nothing to offer for a replay of a plan file', () => {
    expect(shrinkCommand('npx powercut replay scenarios/regressions/x.json')).toBeUndefined();
  });
});

describe('a campaign', () => {
  it('traces the first run of every root cause, even past the traced-runs budget, and says where each violation came in its run', async () => {
    const subject = await loadSubject({ kind: 'engine', module: 'examples/naive-engine/engine.ts' });
    const result = await runCampaign({ subject, seeds: 10 });
    const runs = failingRuns(result.violations, result.scenarios);
    expect(runs.length).toBeGreaterThan(tracedRunsMax);
    for (const group of rootCauseGroups(result.violations, result.scenarios)) {
      expect(group.runs[0]!.root.trace?.length, `${group.invariant}: ${group.shape}`).toBeGreaterThan(0);
    }
    for (const run of runs) {
      // A root is a run's first violation, or the first on its own path after a look's (triage.ts).
      if (run.root.indexInRun !== 0) expect(run.root.look).toBeUndefined();
      expect(run.followOns.map((v) => v.indexInRun)).toEqual(run.followOns.map((_, i) => run.root.indexInRun! + i + 1));
      expect(run.root.runFaultKinds?.length).toBeGreaterThan(0);
    }
  });
});
