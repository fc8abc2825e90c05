/** `powercut real`: the kill -9 campaign against a real child process on the real disk (real/). */
import { readdirSync } from 'node:fs';
import type { Command } from 'commander';
import type { SyncMode } from '../../engine/index.ts';
import { runRealCampaign } from '../../real/index.ts';
import { exitCodes, UsageError } from '../errors.ts';
import { choiceOption, integerOption } from '../options.ts';

interface RealOptions {
  cycles: number;
  seed?: string;
  dir?: string;
  sync: SyncMode;
  quiet?: boolean;
}

export function register(program: Command): void {
  program.command('real')
    .description('kill -9 a real process running the engine, repeatedly, and check every recovery; exit 1 if a commit was lost')
    .option('--cycles <n>', 'kill-and-restart cycles', integerOption(1), 100)
    .option('--seed <s>', 'seed of the workload and the kill plan (default: random, printed)')
    .option('--dir <path>', 'store folder, missing or empty (default: a temporary folder)')
    .option('--sync <mode>', 'durability mode: strict or group', choiceOption(['strict', 'group'] as const), 'strict')
    .option('--quiet', 'no per-cycle progress on stderr')
    .action(async (options: RealOptions) => {
      if (options.dir !== undefined) {
        let entries: string[] = [];
        try {
          entries = readdirSync(options.dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`${options.dir}: cannot read (${(error as NodeJS.ErrnoException).code})`);
        }
        if (entries.length > 0) throw new UsageError(`${options.dir}: not empty; give a missing or empty folder`);
      }
      const result = await runRealCampaign({
        cycles: options.cycles, sync: options.sync,
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
        ...(options.dir !== undefined ? { dir: options.dir } : {}),
        ...(options.quiet ? {} : {
          onCycle: (cycle) => {
            if (cycle.cycle % 10 === 0 || cycle.lost > 0) process.stderr.write(`powercut real: cycle ${cycle.cycle}/${options.cycles}, ${cycle.acknowledged} acknowledged, ${cycle.lost} lost\n`);
          },
        }),
      });
      const duration = (d: { count: number; p50Ms: number; p99Ms: number; maxMs: number }): string =>
        `p50 ${d.p50Ms.toFixed(1)} ms, p99 ${d.p99Ms.toFixed(1)} ms, max ${d.maxMs.toFixed(1)} ms (${d.count})`;
      console.log(`${result.ok ? 'ok' : 'FAILED'}: ${result.cycles} kill -9 cycles, sync ${result.sync}, seed ${result.seed}, ${(result.durationMs / 1000).toFixed(1)} s`);
      console.log(`commits: ${result.commitsSent} sent, ${result.commitsAcknowledged} acknowledged, ${result.commitsLost} lost, ${result.commitsRecoveredUnacknowledged} recovered unacknowledged`);
      console.log(`kills during recovery: ${result.killsDuringRecovery}`);
      console.log(`recovery: ${duration(result.recovery)}`);
      console.log(`restart (process start + recovery): ${duration(result.restart)}`);
      console.log(`tails truncated: ${result.truncatedBytesTotal} B over ${result.recoveriesWithTruncation} recoveries`);
      for (const failure of result.failures) console.log(`  cycle ${failure.cycle} [${failure.kind}] ${failure.detail}`);
      console.log(`store folder: ${result.dir}${result.dirKept ? ' (kept)' : ' (removed)'}`);
      console.log(`reproduce: ${result.reproduce}`);
      process.exitCode = result.ok ? exitCodes.ok : exitCodes.violation;
    });
}
