/**
 * One real-disk child process (child.ts), seen from the parent: from fork to exit, as calls that
 * settle. Each call gives two promises: `issued`, once the child has made the engine call, and
 * `settled`, with the child's reply, or `gone` when the child died first, or `timeout`.
 *
 * Messages that arrive after a SIGKILL was sent were sent before the child died, so they count:
 * an acknowledgement the client saw is a promise made. Calls still open when the process is gone
 * (killed, or dead on its own) settle as `gone` only after every message it sent was delivered.
 * This file knows nothing of models or verdicts; run.ts judges what the calls return.
 */
import type { ChildProcess } from 'node:child_process';
import type { Call, ChildArgs, ChildMessage, Outcome } from './protocol.ts';
import { forkChild } from './spawn.ts';
import { noteEnvRead } from '../harness/env-reads.ts';

/** How a call ended, seen from the parent. */
export type Settled =
  | { readonly kind: 'reply'; readonly outcome: Outcome }
  /** The child was gone before it replied (see {@link ChildSession.killed} for whose doing). */
  | { readonly kind: 'gone' }
  /** No reply within the session's timeout. */
  | { readonly kind: 'timeout' };

/** A call in flight. */
export interface PendingCall {
  /** True once the child has made the engine call; false if it died first. */
  readonly issued: Promise<boolean>;
  readonly settled: Promise<Settled>;
}

/** `Omit` applied to each member of a union. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A call without its id (the session numbers them). */
export type CallRequest = OmitEach<Call, 'id'>;

interface OpenCall {
  readonly issued: (value: boolean) => void;
  readonly settle: (settled: Settled) => void;
  readonly timer: NodeJS.Timeout;
}

/** Bytes of the child's output kept for messages about its death. */
const outputKeptBytes = 2000;

/**
 * Longest wait for a child to start (Node, tsx, the engine module), whatever the call timeout:
 * a process start is the machine's speed, not the engine's, and a loaded CI machine can take
 * seconds.
 */
const startTimeoutMsMin = 60_000;

/** A forked child, from fork to exit. */
export class ChildSession {
  /** Resolves once the process is gone and every message it sent was delivered. */
  readonly exited: Promise<void>;
  /** When the fork started (`performance.now()`). */
  readonly startedAt = performance.now();
  readonly #process: ChildProcess;
  readonly #calls = new Map<number, OpenCall>();
  readonly #hello: Promise<Settled['kind'] | 'hello'>;
  #nextId = 0;
  #killed = false;
  #gone = false;
  #fatal: string | undefined;
  #output = '';

  /**
   * Forks the child.
   * @param args - what it opens
   * @param timeoutMs - longest wait for a reply to a call (and for the start, at least a minute)
   */
  constructor(args: ChildArgs, private readonly timeoutMs: number) {
    this.#process = forkChild(args);
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString()).slice(-outputKeptBytes);
    };
    this.#process.stdout?.on('data', keep);
    this.#process.stderr?.on('data', keep);
    let hello: (kind: 'hello' | Settled['kind']) => void = () => undefined;
    this.#hello = new Promise((resolve) => {
      hello = resolve;
    });
    const helloTimer = setTimeout(() => hello('timeout'), Math.max(startTimeoutMsMin, timeoutMs));
    this.#process.on('message', (message) => {
      const received = message as ChildMessage;
      if (received.type === 'hello') {
        clearTimeout(helloTimer);
        hello('hello');
      }
      this.#receive(received);
    });
    this.exited = new Promise((resolve) => {
      const gone = (): void => {
        if (this.#gone) return;
        this.#gone = true;
        clearTimeout(helloTimer);
        hello('gone');
        for (const call of this.#calls.values()) this.#finish(call, { kind: 'gone' });
        this.#calls.clear();
        resolve();
      };
      this.#process.once('close', gone);
      // A process that could not be spawned at all never closes.
      this.#process.on('error', (error) => {
        this.#fatal ??= `cannot start the child: ${error.message}`;
        if (this.#process.pid === undefined) gone();
      });
    });
  }

  /** Whether the parent sent SIGKILL. */
  get killed(): boolean {
    return this.#killed;
  }

  /** Whether the process is gone. */
  get gone(): boolean {
    return this.#gone;
  }

  /** Waits for the child to load its engine: `hello`, or `gone` / `timeout`. */
  hello(): Promise<'hello' | Settled['kind']> {
    return this.#hello;
  }

  /** Sends a call. A call sent once the child is killed or gone settles as `gone`. */
  call(request: CallRequest): PendingCall {
    const id = this.#nextId++;
    let issued: (value: boolean) => void = () => undefined;
    let settle: (settled: Settled) => void = () => undefined;
    const pending: PendingCall = {
      issued: new Promise((resolve) => { issued = resolve; }),
      settled: new Promise((resolve) => { settle = resolve; }),
    };
    if (this.#killed || this.#gone || !this.#process.connected) {
      issued(false);
      settle({ kind: 'gone' });
      return pending;
    }
    const timer = setTimeout(() => {
      this.#calls.delete(id);
      this.#finish({ issued, settle, timer }, { kind: 'timeout' });
    }, this.timeoutMs);
    this.#calls.set(id, { issued, settle, timer });
    // The child may die between the check and the write; the exit settles the call then.
    this.#process.send({ ...request, id } as Call, () => undefined);
    return pending;
  }

  /** Sends SIGKILL (once); calls still open settle as `gone` once the process is gone. */
  kill(): void {
    if (this.#killed || this.#gone) return;
    this.#killed = true;
    this.#process.kill('SIGKILL');
  }

  /** Kills the child if it still runs and waits until it is gone. */
  async dispose(): Promise<void> {
    this.kill();
    await this.exited;
  }

  /** How the process ended, in words (for a harness error). */
  exitDetail(): string {
    if (this.#killed) return 'was killed';
    const status = this.#process.signalCode === null ? `exited with code ${this.#process.exitCode}` : `died of ${this.#process.signalCode}`;
    // Node prints an uncaught error as several lines; the one naming the error says the most.
    const lines = this.#output.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    const why = this.#fatal ?? lines.find((line) => /^(\w*Error\b|Error \[)/.test(line)) ?? lines.at(-1) ?? '';
    return why === '' ? status : `${status}: ${why}`;
  }

  #receive(message: ChildMessage): void {
    switch (message.type) {
      case 'hello':
        return;
      case 'env':
        noteEnvRead(message.name);
        return;
      case 'fatal':
        this.#fatal = message.message;
        return;
      case 'issued':
        this.#calls.get(message.id)?.issued(true);
        return;
      case 'reply': {
        const call = this.#calls.get(message.id);
        if (call === undefined) return;
        this.#calls.delete(message.id);
        this.#finish(call, { kind: 'reply', outcome: message.outcome });
      }
    }
  }

  #finish(call: OpenCall, settled: Settled): void {
    clearTimeout(call.timer);
    call.issued(settled.kind === 'reply');
    call.settle(settled);
  }
}
