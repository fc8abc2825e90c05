/**
 * The child process of bench/shrink.ts: shrinks the failing plan of a planted bug with one
 * checkout's shrinker (this one or an older one), on request. One process per checkout, so each
 * loads its own engine, simulator, shrinker and mutant copies.
 *
 * Protocol (IPC): the parent sends `{ id, scenario, seed, runsMax }`; the child answers
 * `{ id, failed, steps, ops, faults, runs, invariant, same, cpuMs }`, or `{ id, missing: true }`
 * when its catalogue has no such mutant.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serveParent } from './checkout-children.ts';

interface Request {
  readonly id: string;
  readonly scenario: string;
  readonly seed: number;
  readonly runsMax: number;
}

interface Mutant {
  readonly id: string;
}

interface Plan {
  readonly steps: readonly unknown[];
}

interface Shrunk {
  readonly plan: Plan;
  readonly runs: number;
  readonly violation: { readonly invariant: string } | undefined;
}

const checkout = resolve(process.argv[2] ?? '.');
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(checkout, file)).href)) as T;
const { mutants } = await load<{ mutants: readonly Mutant[] }>('test/mutants/catalogue.ts');
const { loadMutant, removeMutantCopies } = await load<{ loadMutant: (mutant: Mutant) => Promise<unknown>; removeMutantCopies: () => void }>('test/mutants/loader.ts');
const { findScenario } = await load<{ findScenario: (name: string) => { plan: (seed: number) => Plan } | undefined }>('scenarios/index.ts');
const { engineSubject } = await load<{ engineSubject: (engine: unknown) => unknown }>('scenarios/engine-subject.ts');
const { shrinkPlan } = await load<{ shrinkPlan: (subject: unknown, plan: Plan, options: { runsMax: number }) => Promise<Shrunk> }>('harness/index.ts');
const { planSize } = await load<{ planSize: (plan: Plan) => { steps: number; ops: number; faults: number } }>('sim/index.ts');

serveParent(answer, removeMutantCopies);

async function answer(request: Request): Promise<object> {
  const mutant = mutants.find((candidate) => candidate.id === request.id);
  const scenario = findScenario(request.scenario);
  if (mutant === undefined || scenario === undefined) return { id: request.id, missing: true };
  const engine = await loadMutant(mutant);
  const cpu0 = process.cpuUsage();
  const shrunk = await shrinkPlan(engineSubject(engine), scenario.plan(request.seed), { runsMax: request.runsMax });
  const cpu = process.cpuUsage(cpu0);
  const size = planSize(shrunk.plan);
  return {
    id: request.id, failed: shrunk.violation !== undefined, invariant: shrunk.violation?.invariant,
    steps: size.steps, ops: size.ops, faults: size.faults, runs: shrunk.runs, cpuMs: (cpu.user + cpu.system) / 1000,
  };
}
