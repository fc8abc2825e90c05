/**
 * Where a thread spins: before the pool ends a worker whose run gave the simulated world
 * no turn (harness/watchdog.ts), this thread pauses it through the inspector protocol (Node's
 * `NodeWorker` domain, then the worker's own `Debugger.pause`, which V8 serves by interrupting
 * the running JavaScript) and reads the frames it stopped in. The main thread's own spin is
 * paused the same way by the watchdog's thread, which asks it, paused, for the same lines
 * ({@link exposeSpinSite}) before it ends the process. A spin's violation then names the
 * loop (`scan (/work/db/recover.ts:64:5)`), which no stack of an error could: nothing threw. The
 * positions are the source's where the running code has an inline source map (TypeScript loaded
 * through tsx), else the running code's.
 *
 * Best effort: when the inspector is unavailable, or the worker does not pause within
 * {@link spinSiteWaitMs}, it answers undefined and the violation says only that the run spun.
 */
import { Session } from 'node:inspector';
import { sep } from 'node:path';
import { SourceMap, type SourceMapPayload } from 'node:module';
import type { Worker } from 'node:worker_threads';
import { codeUnderTestFrames } from '../sim/index.ts';

/** How long the pool waits for a spinning worker to pause before it ends it anyway. */
export const spinSiteWaitMs = 5000;

/** A frame of `Debugger.paused` (Chrome DevTools Protocol), the fields read here (its `url` is often empty: its script's counts). */
export interface CallFrame {
  readonly functionName: string;
  readonly location: { readonly scriptId: string; readonly lineNumber: number; readonly columnNumber: number };
}

/** A message from the worker's inspector: a reply or an event, the fields read here. */
interface WorkerMessage {
  readonly method?: string;
  readonly params?: { readonly callFrames?: readonly CallFrame[]; readonly scriptId?: string; readonly url?: string; readonly sourceMapURL?: string };
}

/** A script the worker parsed: where it came from, and its source map's URL. */
export interface Script {
  readonly url: string;
  readonly sourceMapURL: string | undefined;
}

/** The source map of an inline `data:` URL, or undefined. */
function inlineSourceMap(url: string | undefined): SourceMap | undefined {
  const match = url === undefined ? null : /^data:application\/json[^,]*;base64,(.*)$/.exec(url);
  if (match === null) return undefined;
  try {
    return new SourceMap(JSON.parse(Buffer.from(match[1]!, 'base64').toString('utf8')) as SourceMapPayload);
  } catch {
    return undefined;
  }
}

/** `frame` with paths inside the working directory made relative to it (the frames go into a message). */
function shownFrame(frame: string): string {
  return frame.split(`${process.cwd()}${sep}`).join('');
}

/** A frame as V8 prints one in a stack (`name (path:line:column)`, 1-based), mapped to its source where a map is known. */
function frameLine(frame: CallFrame, script: Script): string {
  let { lineNumber: line, columnNumber: column } = frame.location;
  let file = script.url;
  const entry = inlineSourceMap(script.sourceMapURL)?.findEntry(line, column) as { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
  if (entry?.originalLine !== undefined && entry.originalColumn !== undefined) {
    line = entry.originalLine;
    column = entry.originalColumn;
    if (entry.originalSource !== undefined && entry.originalSource !== '') file = entry.originalSource;
  }
  const where = `${file.replace(/^file:\/\//, '')}:${line + 1}:${column + 1}`;
  return frame.functionName === '' ? where : `${frame.functionName} (${where})`;
}

/** What the frames of a pause are read with: the scripts they are in, by id. */
export type Scripts = ReadonlyMap<string, Script>;

/**
 * The first frames of the code under test among those of a pause (sim/engine-contract.ts
 * `codeUnderTestFrames`), mapped to their sources, paths in the working directory relative to
 * it; undefined when none is the code's.
 */
export function spinSiteLines(frames: readonly CallFrame[], scripts: Scripts): readonly string[] | undefined {
  // A frame of no file is code made at run time (an accessor powercut defines on the simulated process, an eval).
  const lines = frames.flatMap((frame) => {
    const script = scripts.get(frame.location.scriptId);
    return script === undefined || script.url === '' ? [] : [frameLine(frame, script)];
  });
  return codeUnderTestFrames(lines)?.map(shownFrame);
}

/**
 * The key on the global object of {@link spinSiteLines} in this thread, for the watchdog thread
 * (harness/watchdog.ts), which pauses this thread when it spins and asks, through the inspector,
 * where that is: this thread, paused, still evaluates what the inspector gives it.
 */
export const spinSiteKey = 'powercut.spinSite';

/** Makes {@link spinSiteLines} callable by {@link spinSiteKey} (the watchdog's `Runtime.evaluate`); once. */
export function exposeSpinSite(): void {
  const key = Symbol.for(spinSiteKey);
  if (key in globalThis) return;
  Object.defineProperty(globalThis, key, {
    value: (paused: { frames: CallFrame[]; scripts: Record<string, Script> }) => spinSiteLines(paused.frames, new Map(Object.entries(paused.scripts))),
  });
}

/**
 * Pauses `worker`, which spins, and says where: the first frames of the code under test
 * (sim/engine-contract.ts `codeUnderTestFrames`), or undefined when that cannot be learnt.
 * The worker is detached again, and spins on: the caller ends it.
 */
export function whereWorkerSpins(worker: Worker, waitMs = spinSiteWaitMs): Promise<readonly string[] | undefined> {
  return new Promise((resolve) => {
    let session: Session;
    try {
      session = new Session();
      session.connect();
    } catch {
      resolve(undefined);
      return;
    }
    // Each script by id; its source map is read only for the frames paused in (every module has one under tsx).
    const scripts = new Map<string, Script>();
    let attached: string | undefined;
    let finished = false;
    // Once: the pause may answer after the wait ran out, when the session is closing.
    const done = (frames: readonly string[] | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const disconnect = (): void => {
        try {
          session.disconnect();
        } catch {
          // Already gone.
        }
        resolve(frames);
      };
      // Detached, the worker resumes (and spins on) until it is ended; one left paused by a
      // session never closed could not be.
      if (attached === undefined) disconnect();
      else session.post('NodeWorker.detach', { sessionId: attached }, disconnect);
    };
    const timer = setTimeout(() => done(undefined), waitMs);
    // The protocol numbers workers its own way; their titles name their thread ids.
    const title = `[worker ${worker.threadId}]`;
    session.on('NodeWorker.attachedToWorker', ({ params }: { params: { sessionId: string; workerInfo: { title: string } } }) => {
      if (params.workerInfo.title !== title || attached !== undefined) return;
      attached = params.sessionId;
      const send = (id: number, method: string): void => {
        session.post('NodeWorker.sendMessageToWorker', { sessionId: params.sessionId, message: JSON.stringify({ id, method }) });
      };
      session.on('NodeWorker.receivedMessageFromWorker', ({ params: received }: { params: { sessionId: string; message: string } }) => {
        if (received.sessionId !== params.sessionId) return;
        const message = JSON.parse(received.message) as WorkerMessage;
        if (message.method === 'Debugger.scriptParsed' && message.params?.scriptId !== undefined) {
          const { scriptId, url = '', sourceMapURL } = message.params;
          scripts.set(scriptId, { url, sourceMapURL: sourceMapURL === '' ? undefined : sourceMapURL });
        }
        if (message.method !== 'Debugger.paused') return;
        done(spinSiteLines(message.params?.callFrames ?? [], scripts));
      });
      send(1, 'Debugger.enable');
      send(2, 'Debugger.pause');
    });
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }, (error) => {
      if (error !== null) done(undefined);
    });
  });
}
