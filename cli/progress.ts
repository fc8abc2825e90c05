/**
 * Campaign progress on stderr: a bar redrawn in place on a terminal, otherwise a plain line every
 * few seconds (CI logs keep every line, so a redrawn bar would flood them).
 */
import type { CampaignProgress } from '../harness/index.ts';

/**
 * A rate of seeds as a person reads it: `41.3 seeds/s`, or, below one seed a second, the seconds
 * one takes (`29.0 s/seed`: a library that takes half a minute a seed read as `0.0 seeds/s`).
 */
export function seedRate(perSecond: number): string {
  return perSecond > 0 && perSecond < 1 ? `${(1 / perSecond).toFixed(1)} s/seed` : `${perSecond.toFixed(1)} seeds/s`;
}

const redrawIntervalMs = 100;
const lineIntervalMs = 5_000;
const barWidth = 30;

/** A progress reporter: `update` after every seed, `finish` once at the end. */
export interface ProgressReporter {
  update(progress: CampaignProgress): void;
  finish(): void;
}

/**
 * @param stream - where to draw (stderr)
 * @param quiet - draw nothing
 */
export function progressReporter(stream: NodeJS.WriteStream, quiet = false): ProgressReporter {
  if (quiet) return { update() {}, finish() {} };
  const tty = stream.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(progress) {
      const interval = tty ? redrawIntervalMs : lineIntervalMs;
      if (progress.done < progress.total && progress.elapsedMs - last < interval) return;
      last = progress.elapsedMs;
      const rate = progress.elapsedMs > 0 ? progress.done / (progress.elapsedMs / 1000) : 0;
      const etaSec = rate > 0 ? (progress.total - progress.done) / rate : 0;
      const figures = `${progress.done}/${progress.total} seeds, ${seedRate(rate)}, ETA ${etaSec.toFixed(0)} s, ${progress.violations} violations`;
      if (tty) {
        const filled = progress.total > 0 ? Math.round((progress.done / progress.total) * barWidth) : barWidth;
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${figures}\x1b[K`);
        drawn = true;
      } else if (progress.done < progress.total) {
        stream.write(`powercut: ${figures}\n`);
      }
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/** Seconds a long command (explore, shrink) works before it says how far it is, and between two such lines. */
export const progressEverySec = 5;

/**
 * A writer of progress lines for a command that reports no progress bar: the first after
 * {@link progressEverySec} seconds, then at most one every {@link progressEverySec} seconds, so
 * that a short command prints none.
 * @returns a function to call as often as convenient with the line to print (built only when printed), given the whole seconds elapsed
 */
export function everyFewSeconds(nowMs: () => number = () => performance.now(), write: (line: string) => void = (line) => process.stderr.write(line)): (line: (seconds: number) => string) => void {
  const started = nowMs();
  let last = 0;
  return (line) => {
    const seconds = (nowMs() - started) / 1000;
    if (seconds - last < progressEverySec) return;
    last = seconds;
    write(`${line(Math.round(seconds))}\n`);
  };
}
