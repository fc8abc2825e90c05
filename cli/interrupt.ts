/**
 * Ctrl-C during a campaign (`run`) or an exploration (`explore`): the first SIGINT stops issuing seeds (crash candidates), lets the ones under way finish,
 * and the command reports what ran (its summary, its `--report`) and exits non-zero; a second
 * SIGINT quits at once, as Ctrl-C does without it. A slow library campaign stopped by hand used to
 * print nothing and write no report (a new PGlite user lost eight violations that way).
 */
import { exitCodes } from './errors.ts';

/** The signal a campaign stops on, and a function that puts Node's own Ctrl-C back. */
export interface Interrupt {
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * How soon after the first SIGINT a second is taken for the same Ctrl-C: the terminal signals
 * bin/powercut.mjs and the command it started again with V8's flags (one process group), and the
 * first forwards its own, so one Ctrl-C arrives here twice within milliseconds.
 */
const sameCtrlCMs = 250;

/**
 * Listens for SIGINT on `process` until disposed; `say` prints the line the first one gets.
 * @param units - what is under way and finishes (`seeds`, `crash candidates`)
 */
export function interruptOnSigint(units = 'seeds', say: (line: string) => void = (line) => process.stderr.write(`\n${line}\n`)): Interrupt {
  const controller = new AbortController();
  let firstAt = 0;
  const onSigint = (): void => {
    if (controller.signal.aborted) {
      if (performance.now() - firstAt >= sameCtrlCMs) process.exit(exitCodes.interrupted);
      return;
    }
    firstAt = performance.now();
    say(`powercut: interrupted: the ${units} under way finish, then what ran is reported (Ctrl-C again quits now)`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
