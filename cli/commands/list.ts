/**
 * `powercut list`: the scenarios, what each hunts for, and the cells it targets: (phase × fault)
 * for the reference engine, (I/O class × fault) for an engine that reports no phases.
 */
import type { Command } from 'commander';
import { scenarios, type Scenario } from '../../scenarios/index.ts';
import { subjectOf, subjectOptions, type SubjectFlags } from '../subject-flags.ts';

/**
 * What `targets: none` means for a scenario with no cell for this engine: its faults need not
 * land in every engine (one preallocated file never syncs a directory), so none is held against
 * it, but they are still injected where it does that I/O.
 */
function noTargets(scenario: Scenario | undefined): string {
  if (scenario === undefined) return 'none';
  return `none held against this engine (it declares no phases, so which of ${scenario.targets.io.join(', ')} it does is known only once it runs); its faults (${scenario.targets.faults.join(', ')}) are injected wherever it does, and a campaign's coverage table shows where they landed`;
}

export function register(program: Command): void {
  subjectOptions(program.command('list'))
    .description('list the scenarios with their description and targeted (site x fault) cells for an engine (or a workload)')
    .option('--json', 'print the list as JSON')
    .action(async (options: SubjectFlags & { json?: boolean }) => {
      const subject = await subjectOf(options);
      const rows = subject.units.map((unit) => {
        const scenario = scenarios.find((candidate) => candidate.name === unit);
        const targets = Object.entries(subject.targets([unit])).filter(([, kinds]) => kinds.length > 0);
        return { name: unit, description: scenario?.description ?? subject.label, targets: Object.fromEntries(targets) };
      });
      if (options.json) {
        console.log(JSON.stringify({ subject: subject.label, units: rows }));
        return;
      }
      console.log(subject.label);
      const width = Math.max(...rows.map((row) => row.name.length));
      for (const row of rows) {
        console.log(`${row.name.padEnd(width)}  ${row.description}`);
        const cells = Object.entries(row.targets).map(([site, kinds]) => `${site} x ${kinds.join('/')}`);
        console.log(`${''.padEnd(width)}  targets: ${cells.join('; ') || noTargets(scenarios.find((candidate) => candidate.name === row.name))}`);
      }
    });
}
