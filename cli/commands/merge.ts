/** `powercut merge DIR... --out DIR`: combine the report folders of a sharded campaign. */
import type { Command } from 'commander';
import { mergeResults, nondeterministic, readResultDir, writeReports } from '../../reports/index.ts';
import { exitCodes } from '../errors.ts';
import { campaignSummary } from '../format.ts';
import { reportMeta } from '../meta.ts';

export function register(program: Command): void {
  program.command('merge')
    .description('merge the --report folders of the shards of one campaign; exit 1 if the campaign found violations')
    .argument('<dirs...>', 'report folders, one per shard')
    .requiredOption('--out <dir>', 'folder for the merged reports')
    .option('--json', 'print the merged result as JSON')
    .action(async (dirs: string[], options: { out: string; json?: boolean }) => {
      const merged = mergeResults(await Promise.all(dirs.map(readResultDir)));
      const written = await writeReports(options.out, merged, reportMeta());
      if (options.json) console.log(JSON.stringify({ ...merged, violations: merged.violations.map(({ trace: _trace, ...violation }) => violation) }));
      else {
        console.log(`reports: ${written.join(', ')}`);
        for (const line of campaignSummary(merged, { reportDir: options.out })) console.log(line);
      }
      process.exitCode = merged.violations.some((violation) => violation.invariant === 'harness') || nondeterministic(merged) ? exitCodes.harness
        : merged.violations.length > 0 ? exitCodes.violation : exitCodes.ok;
    });
}
