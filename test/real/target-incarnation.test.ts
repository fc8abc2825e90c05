/**
 * One incarnation of `real --target`, driven with a stand-in for the child process: what the
 * parent concludes from the child's messages, whatever the timing of the kill.
 */
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastLoggedModel, ModelLogWriter } from '../../real/model-log.ts';
import { readFileSync } from 'node:fs';
import { serialize } from 'node:v8';

const readBack = (path: string): Buffer => readFileSync(path);
import { IncarnationDriver, TargetCampaign } from '../../real/target-campaign.ts';
import type { TargetChildMessage, TargetStart } from '../../real/target-protocol.ts';

/** A child that records what it was sent and dies when killed, closing after the messages it had sent. */
class StandInChild extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly sent: unknown[] = [];
  send(message: unknown): boolean {
    this.sent.push(message);
    return true;
  }
  kill(signal: NodeJS.Signals): boolean {
    this.signalCode = signal;
    return true;
  }
  say(message: TargetChildMessage): void {
    this.emit('message', message);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'powercut-incarnation-'));
const modelLog = join(dir, 'model.log');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = (from: number): TargetStart => ({
  type: 'start', module: 'm.js', root: '/tmp/none', seed: 1, incarnation: 1, state: 0, crash: undefined, check: false, from, count: 3, modelLog,
});

describe('an incarnation of a library workload on the real disk', () => {
  it('goes on after an operation the child started before it died, even when its start arrives after the kill was decided, so no operation runs twice', async () => {
    const campaign = new TargetCampaign('m.js', '/tmp/none', 1, 30_000, 0, dir);
    campaign.nextOperation = 4;
    const child = new StandInChild();
    const driver = new IncarnationDriver(campaign, child as unknown as ChildProcess, { kind: 'timed', nth: 0, delayMs: 0 }, 'cycle 2', modelLog);
    const ended = driver.run(start(4));
    child.say({ type: 'opening', workload: 'w' });
    child.say({ type: 'ready', violations: [], state: 0, seq: 1 });
    child.say({ type: 'op-start', index: 4, name: 'append' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(child.signalCode).toBe('SIGKILL');
    // The child had moved on to the next operation before the kill landed; its start arrives late.
    child.say({ type: 'op-end', index: 4, state: 1, seq: 2 });
    child.say({ type: 'op-start', index: 5, name: 'append' });
    child.emit('close', null, 'SIGKILL');
    expect((await ended).killed).toBe('in-operation');
    expect(campaign.nextOperation).toBe(6);
  });

  /** An incarnation from operation `from` killed at a call, after the child said `messages`: the model it ends with. */
  async function modelAfter(campaign: TargetCampaign, from: number, messages: readonly TargetChildMessage[]): Promise<unknown> {
    const child = new StandInChild();
    const ended = new IncarnationDriver(campaign, child as unknown as ChildProcess, { kind: 'at-call', after: 1, calls: 1 }, `cycle ${from}`, modelLog).run(start(from));
    for (const message of messages) child.say(message);
    child.emit('close', null, 'SIGKILL');
    return (await ended).state;
  }

  it('takes the model the child logged before the call it died at when newer than its last message, and not an older one', async () => {
    const log = new ModelLogWriter(modelLog);
    log.write(3, 5, serialize({ attempted: 5 }));
    log.close();
    const campaign = new TargetCampaign('m.js', '/tmp/none', 1, 30_000, 0, dir);
    const opened: TargetChildMessage[] = [{ type: 'opening', workload: 'w' }, { type: 'ready', violations: [], state: 0, seq: 1 }];
    expect(await modelAfter(campaign, 4, [
      ...opened, { type: 'op-start', index: 4, name: 'append' }, { type: 'op-end', index: 4, state: { attempted: 4 }, seq: 2 }, { type: 'op-start', index: 5, name: 'append' },
    ])).toEqual({ attempted: 5 });
    // A log older than the last message (the operation ended after it) is not taken.
    expect(await modelAfter(campaign, 5, [
      ...opened, { type: 'op-start', index: 5, name: 'append' }, { type: 'op-end', index: 5, state: { attempted: 6 }, seq: 4 },
    ])).toEqual({ attempted: 6 });
    rmSync(modelLog);
  });
});

describe('the model log', () => {
  it('gives its last whole record, and none past a record a kill cut short', () => {
    const path = join(dir, 'torn.log');
    const log = new ModelLogWriter(path);
    log.write(1, 0, serialize(new Map([['k', 1]])));
    log.write(2, 1, serialize({ big: new Uint8Array([1, 2, 3]) }));
    log.close();
    expect(lastLoggedModel(path)).toEqual({ seq: 2, index: 1, state: { big: new Uint8Array([1, 2, 3]) } });
    // A third record whose body the kill cut: its header says more than follows.
    const header = Buffer.alloc(12);
    header.writeUInt32LE(100, 0);
    header.writeUInt32LE(3, 4);
    writeFileSync(path, Buffer.concat([Buffer.from(readBack(path)), header, Buffer.from('short')]));
    expect(lastLoggedModel(path)?.seq).toBe(2);
    expect(lastLoggedModel(join(dir, 'missing.log'))).toBeUndefined();
  });
});
