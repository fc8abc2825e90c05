/** `powercut list`: the scenarios, what each hunts for, and the cells it targets. */
import type { Command } from 'commander';
import { scenarios } from '../../scenarios/index.ts';

export function register(program: Command): void {
  program.command('list')
    .description('list the scenarios with their description and targeted (phase x fault) cells')
    .option('--json', 'print the list as JSON')
    .action((options: { json?: boolean }) => {
      if (options.json) {
        console.log(JSON.stringify(scenarios.map(({ name, description, targets }) => ({ name, description, targets }))));
        return;
      }
      const width = Math.max(...scenarios.map((scenario) => scenario.name.length));
      for (const scenario of scenarios) {
        console.log(`${scenario.name.padEnd(width)}  ${scenario.description}`);
        console.log(`${''.padEnd(width)}  targets: phases ${scenario.targets.phases.join(', ')}; faults ${scenario.targets.faults.join(', ')}`);
      }
    });
}
