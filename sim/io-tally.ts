/**
 * A tally of the successful I/O a stretch of a run issued (a recovery, an open session), kept
 * from the trace as it is recorded: the runner compares what the engine reports about itself
 * (sim/checkers/reported.ts) with it. Counting changes nothing of the run.
 */
import type { RecoveryIo } from './checkers/reported.ts';
import type { Trace } from './trace.ts';

/** Counts of successful I/O since the last {@link IoTally.reset}. */
export class IoTally {
  #opened = new Set<string>();
  #written = new Set<string>();
  #unlinks = 0;
  #changes = 0;
  #fsyncs = 0;

  /** Starts counting every event `trace` records from now on. */
  constructor(trace: Trace) {
    trace.observer = (type, name, path, outcome) => {
      // A late write is traced `late` when issued; it takes effect later (sim/disk/kernel.ts).
      if (type !== 'io' || (outcome !== 'ok' && outcome !== 'late')) return;
      this.#count(name, path ?? '');
    };
  }

  #count(name: string, path: string): void {
    switch (name) {
      case 'open':
        this.#opened.add(path);
        return;
      case 'write':
      case 'append':
        this.#written.add(path);
        this.#changes++;
        return;
      case 'truncate':
      case 'rename':
        this.#changes++;
        return;
      case 'unlink':
        this.#unlinks++;
        return;
      case 'sync':
      case 'datasync':
        this.#fsyncs++;
        return;
    }
  }

  /** Forgets everything counted so far. */
  reset(): void {
    this.#opened = new Set();
    this.#written = new Set();
    this.#unlinks = 0;
    this.#changes = 0;
    this.#fsyncs = 0;
  }

  /** What was counted, as the replay-statistics check needs it. */
  recoveryIo(): RecoveryIo {
    return { filesOpened: this.#opened.size, filesWritten: this.#written.size, unlinks: this.#unlinks, changes: this.#changes };
  }

  /** Successful fsyncs of files (not directories) counted. */
  get fsyncs(): number {
    return this.#fsyncs;
  }
}
