/**
 * The child process of bench/mutants-baseline.ts: searches planted bugs of one checkout (this
 * one or an older one) on request, and answers with the seeds it took and the CPU it used.
 * One process per checkout, so each loads its own engine, simulator and mutant copies (mutant
 * copies are written under a folder named by process id), and each warms up once.
 *
 * Protocol (IPC): the parent sends `{ id, budget }`; the child answers `{ id, caught, seeds,
 * cpuMs }`, or `{ id, missing: true }` when its catalogue has no such mutant.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serveParent } from './checkout-children.ts';

interface Request {
  readonly id: string;
  readonly budget: number;
}

interface Mutant {
  readonly id: string;
}

interface Search {
  readonly caught: boolean;
  readonly seeds: number;
}

const checkout = resolve(process.argv[2] ?? '.');
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(checkout, file)).href)) as T;
const { mutants } = await load<{ mutants: readonly Mutant[] }>('test/mutants/catalogue.ts');
const { searchMutant } = await load<{ searchMutant: (mutant: Mutant, sut: unknown, model: 'full', budget: number) => Promise<Search> }>('test/mutants/campaign.ts');
const { loadMutant, removeMutantCopies } = await load<{ loadMutant: (mutant: Mutant) => Promise<unknown>; removeMutantCopies: () => void }>('test/mutants/loader.ts');

serveParent(answer, removeMutantCopies);

async function answer(request: Request): Promise<object> {
  const mutant = mutants.find((candidate) => candidate.id === request.id);
  if (mutant === undefined) return { id: request.id, missing: true };
  const sut = await loadMutant(mutant);
  // Only the search is timed: loading (copying and compiling the mutant's engine) is the same
  // work in both checkouts and no part of what a campaign costs per seed.
  const cpu0 = process.cpuUsage();
  const result = await searchMutant(mutant, sut, 'full', request.budget);
  const cpu = process.cpuUsage(cpu0);
  return { id: request.id, caught: result.caught, seeds: result.seeds, cpuMs: (cpu.user + cpu.system) / 1000 };
}
