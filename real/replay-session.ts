/**
 * One `replay --real` child process, from fork to exit, read as a queue of messages: the parent
 * awaits the next message, and after the process is gone (killed or exited) and its IPC channel
 * drained, gets `{ type: 'exit' }`. Messages that arrive after a SIGKILL was sent were sent
 * before the child died, so they count: an acknowledgement the client saw is a promise made.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ReplayChildArgs, ReplayChildMessage, ReplayParentMessage } from './replay-protocol.ts';

const childScript = fileURLToPath(new URL('./replay-child.ts', import.meta.url));

/** What {@link ReplayChildSession.next} yields besides the child's own messages. */
export type SessionEvent =
  | ReplayChildMessage
  | { readonly type: 'exit'; readonly detail: string }
  | { readonly type: 'timeout' };

/** A forked replay child. */
export class ReplayChildSession {
  /** Set once SIGKILL was sent. */
  killing = false;
  private readonly process: ChildProcess;
  private readonly closed: Promise<void>;
  private readonly queue: ReplayChildMessage[] = [];
  private wake: (() => void) | undefined;
  private exited = false;
  private stderr = '';

  constructor(args: ReplayChildArgs) {
    this.process = fork(childScript, [JSON.stringify(args)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.process.on('message', (message) => {
      this.queue.push(message as ReplayChildMessage);
      this.wake?.();
    });
    this.closed = new Promise((resolve) => this.process.once('close', () => {
      this.exited = true;
      this.wake?.();
      resolve();
    }));
  }

  /** The next message, `exit` once the child is gone and every message was read, or `timeout`. */
  async next(timeoutMs: number): Promise<SessionEvent> {
    for (;;) {
      const message = this.queue.shift();
      if (message !== undefined) return message;
      if (this.exited) {
        const detail = this.killing ? 'killed' : `exited with code ${this.process.exitCode ?? this.process.signalCode}${this.stderr.trim() ? `: ${this.stderr.trim()}` : ''}`;
        return { type: 'exit', detail };
      }
      // Woken by a message or by the exit, either of which the next pass returns.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await new Promise<boolean>((resolve) => {
        this.wake = () => resolve(false);
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      clearTimeout(timer);
      this.wake = undefined;
      if (timedOut) return { type: 'timeout' };
    }
  }

  send(message: ReplayParentMessage): void {
    if (this.killing || !this.process.connected) return;
    // The child may die between the check and the write; the kill is the point.
    this.process.send(message, () => undefined);
  }

  /** Sends SIGKILL (once); {@link next} then drains what the child sent before it died. */
  kill(): void {
    if (this.killing || this.exited) return;
    this.killing = true;
    this.process.kill('SIGKILL');
  }

  /** Kills the child if it still runs and waits for it to be gone (cleanup after a failure). */
  async dispose(): Promise<void> {
    this.kill();
    await this.closed;
  }
}
