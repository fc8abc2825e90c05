/**
 * The child process of bench/mutants-expected.ts: for one checkout (this one or an older one),
 * runs seeds 1..N of each target scenario of a planted bug on request, on a fresh copy of the
 * engine with the bug, and answers with the hits (runs that failed) and the CPU per scenario.
 *
 * Protocol (IPC): the parent sends `{ id, seeds }`; the child answers `{ id, scenarios: { name:
 * { hits, seeds, cpuMs } } }`, or `{ id, missing: true }` when its catalogue has no such bug.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Request {
  readonly id: string;
  readonly seeds: number;
}

interface Mutant {
  readonly id: string;
  readonly scenarios: readonly string[];
}

interface Result {
  readonly violations: readonly unknown[];
  readonly findings?: readonly unknown[];
}

const checkout = resolve(process.argv[2] ?? '.');
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(checkout, file)).href)) as T;
const { mutants } = await load<{ mutants: readonly Mutant[] }>('test/mutants/catalogue.ts');
const { loadMutant, removeMutantCopies } = await load<{ loadMutant: (mutant: Mutant) => Promise<unknown>; removeMutantCopies: () => void }>('test/mutants/loader.ts');
const { findScenario } = await load<{ findScenario: (name: string) => { plan: (seed: number) => unknown } | undefined }>('scenarios/index.ts');
const { runPlan } = await load<{ runPlan: (plan: unknown, engine: unknown) => Promise<Result> }>('sim/runner.ts');

process.on('message', (request: Request) => {
  void answer(request).then((reply) => process.send!(reply));
});
process.on('disconnect', () => removeMutantCopies());
process.send!({ ready: true });

async function failed(plan: unknown, engine: unknown): Promise<boolean> {
  try {
    const result = await runPlan(plan, engine);
    return result.violations.length > 0 || (result.findings?.length ?? 0) > 0;
  } catch {
    return true;
  }
}

async function answer(request: Request): Promise<object> {
  const mutant = mutants.find((candidate) => candidate.id === request.id);
  if (mutant === undefined) return { id: request.id, missing: true };
  const engine = await loadMutant(mutant);
  const scenarios: Record<string, { hits: number; seeds: number; cpuMs: number }> = {};
  for (const name of mutant.scenarios) {
    const scenario = findScenario(name)!;
    let hits = 0;
    const start = process.cpuUsage();
    for (let seed = 1; seed <= request.seeds; seed++) if (await failed(scenario.plan(seed), engine)) hits++;
    const used = process.cpuUsage(start);
    scenarios[name] = { hits, seeds: request.seeds, cpuMs: (used.user + used.system) / 1000 };
  }
  return { id: request.id, scenarios };
}
