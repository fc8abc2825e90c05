/**
 * One incarnation of `real --target`, driven with a stand-in for the child process: what the
 * parent concludes from the child's messages, whatever the timing of the kill.
 */
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
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

const start = (from: number): TargetStart => ({
  type: 'start', module: 'm.js', root: '/tmp/none', seed: 1, incarnation: 1, state: 0, crash: undefined, check: false, from, count: 3,
});

describe('an incarnation of a library workload on the real disk', () => {
  it('goes on after an operation the child started before it died, even when its start arrives after the kill was decided, so no operation runs twice', async () => {
    const campaign = new TargetCampaign('m.js', '/tmp/none', 1, 30_000, 0);
    campaign.nextOperation = 4;
    const child = new StandInChild();
    const driver = new IncarnationDriver(campaign, child as unknown as ChildProcess, { kind: 'timed', nth: 0, delayMs: 0 }, 'cycle 2');
    const ended = driver.run(start(4));
    child.say({ type: 'opening', workload: 'w' });
    child.say({ type: 'ready', violations: [], state: 0 });
    child.say({ type: 'op-start', index: 4, name: 'append' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(child.signalCode).toBe('SIGKILL');
    // The child had moved on to the next operation before the kill landed; its start arrives late.
    child.say({ type: 'op-end', index: 4, state: 1 });
    child.say({ type: 'op-start', index: 5, name: 'append' });
    child.emit('close', null, 'SIGKILL');
    expect((await ended).killed).toBe('in-operation');
    expect(campaign.nextOperation).toBe(6);
  });
});
