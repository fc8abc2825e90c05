/**
 * The child process of bench/mutants-expected.ts: for one checkout (this one or an older one),
 * runs seeds of each target scenario of a planted bug on request, on a fresh copy of the engine
 * with the bug, and answers with the hits (runs that failed) and the CPU per scenario.
 *
 * Each checkout runs as its users ran it: the simulator and scenarios of its compiled build when
 * it has one (`npm run build`; the CLI runs that build), else from source under tsx (an older
 * checkout's CLI ran only that way). The mutant's engine copy is TypeScript on both sides, loaded
 * under tsx as either CLI loads a user's TypeScript engine. POWERCUT_BENCH_SOURCE=1 runs both
 * from source; POWERCUT_BENCH_LOOKS=N sets every plan's second looks (below).
 *
 * Seeds come in rounds of `seeds` per scenario (seed 1 up), until the hits of all scenarios
 * together reach `hitsWanted` or each scenario ran `seedsMax`: a bug that 1 % of seeds catch is
 * then estimated from several hits instead of one or two.
 *
 * Protocol (IPC): the parent sends `{ id, seeds, hitsWanted, seedsMax }`; the child answers
 * `{ id, build, scenarios: { name: { hits, seeds, cpuMs } } }`, or `{ id, missing: true }` when
 * its catalogue has no such bug.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Request {
  readonly id: string;
  readonly seeds: number;
  readonly hitsWanted: number;
  readonly seedsMax: number;
}

interface Mutant {
  readonly id: string;
  readonly scenarios: readonly string[];
}

interface Result {
  readonly violations: readonly unknown[];
  readonly findings?: readonly unknown[];
}

type Build = 'source' | 'compiled';

const checkout = resolve(process.argv[2] ?? '.');
const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(checkout, file)).href)) as T;
// A loader that can share the compiled build's modules lists the builds it knows (an older
// checkout's loader does not, and its mutants run from source).
const loader = await load<{
  loadMutant: (mutant: Mutant, build?: Build) => Promise<unknown>;
  removeMutantCopies: () => void;
  mutantBuilds?: readonly Build[];
}>('test/mutants/loader.ts');
const { loadMutant, removeMutantCopies } = loader;
const build: Build = process.env.POWERCUT_BENCH_SOURCE !== '1' && loader.mutantBuilds?.includes('compiled') === true
  && existsSync(join(checkout, 'dist/sim/runner.js')) ? 'compiled' : 'source';
const modulePath = (path: string): string => (build === 'compiled' ? `dist/${path}.js` : `${path}.ts`);
const { mutants } = await load<{ mutants: readonly Mutant[] }>('test/mutants/catalogue.ts');
const { findScenario } = await load<{ findScenario: (name: string) => { plan: (seed: number) => unknown } | undefined }>(modulePath('scenarios/index'));
const { runPlan } = await load<{ runPlan: (plan: unknown, engine: unknown) => Promise<Result> }>(modulePath('sim/runner'));

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

// POWERCUT_BENCH_LOOKS=N gives every plan N second looks at each power loss (0: none), whatever
// its scenario says: to weigh the looks' cost against what they catch (sim/second-look.ts).
const looksOverride = process.env.POWERCUT_BENCH_LOOKS;
const withLooks = (plan: unknown): unknown => {
  if (looksOverride === undefined) return plan;
  const { looks: _looks, ...rest } = plan as { looks?: number };
  return Number(looksOverride) > 0 ? { ...rest, looks: Number(looksOverride) } : rest;
};

async function answer(request: Request): Promise<object> {
  const mutant = mutants.find((candidate) => candidate.id === request.id);
  if (mutant === undefined) return { id: request.id, missing: true };
  const engine = await (build === 'compiled' ? loadMutant(mutant, 'compiled') : loadMutant(mutant));
  const scenarios: Record<string, { hits: number; seeds: number; cpuMs: number }> = {};
  for (const name of mutant.scenarios) scenarios[name] = { hits: 0, seeds: 0, cpuMs: 0 };
  const hits = (): number => Object.values(scenarios).reduce((sum, rate) => sum + rate.hits, 0);
  let next = 1;
  do {
    const last = Math.min(next + request.seeds - 1, request.seedsMax);
    for (const name of mutant.scenarios) {
      const scenario = findScenario(name)!;
      const rate = scenarios[name]!;
      const start = process.cpuUsage();
      for (let seed = next; seed <= last; seed++) if (await failed(withLooks(scenario.plan(seed)), engine)) rate.hits++;
      const used = process.cpuUsage(start);
      rate.seeds += last - next + 1;
      rate.cpuMs += (used.user + used.system) / 1000;
    }
    next = last + 1;
  } while (hits() < request.hitsWanted && next <= request.seedsMax);
  return { id: request.id, build, scenarios };
}
