/**
 * The engine subject: the scenario catalogue run on an engine (the reference engine, or any
 * module whose default export follows sim/engine-contract.ts), judged by the commit model.
 *
 * How a scenario's plan is fitted to the engine, decided once here:
 * - an engine that reports every phase a scenario aims at (the reference engine) keeps the
 *   scenario's phase-aimed rates, and coverage is counted by phase;
 * - any other engine gets the same rates aimed at the scenario's I/O classes instead (an
 *   append, an fsync, a rename), and coverage is counted by I/O class, so an engine that
 *   reports nothing still receives every fault kind the scenario promises;
 * - a plan asking for a durability mode the engine does not offer runs in its first mode;
 * - the plan names the engine's module, so a plan file reruns the same engine;
 * - an engine that declares atomic sector writes runs every plan on a disk that keeps them
 *   (`faults.sectorWrites`), so a plan file keeps the device it was found on.
 * For the reference engine the plan is exactly the scenario's.
 */
import { enginePhases } from '../engine/types.ts';
import type { Engine } from '../sim/index.ts';
import { checkPlan } from '../sim/index.ts';
import type { Plan } from '../sim/index.ts';
import { runPlan } from '../sim/index.ts';
import { ioClasses, type FaultKind } from '../sim/index.ts';
import type { Subject, Targets } from '../harness/index.ts';
import { withLooks } from '../harness/index.ts';
import { engineExploration } from './engine-explore.ts';
import { engineShrinkAxes } from './engine-shrink.ts';
import { describeEnginePlan } from './engine-describe.ts';
import { scenarios, findScenario } from './index.ts';
import { coreIoClasses, type Scenario } from './scenario.ts';
import type { SimWorld } from '../sim/index.ts';
import { inPinnedTurn, pinEnvironment } from '../targets/index.ts';

/**
 * An engine module's run sees the seed's random numbers and the simulated clock wherever it
 * looks (targets/environment.ts), without the ESM bindings a library run also pins, nor the undo
 * of what it set on the global objects: an engine reaches storage and time through its ports,
 * is loaded once per thread, and the undo costs ~0.12 ms a pin, several a seed (measured with
 * 3,000 pins: 408–418 µs against 275–315 µs per pin and unpin).
 */
const pinEngineEnvironment = (world: SimWorld): (() => void) => pinEnvironment(world, { esmBindings: false, undoGlobals: false });

/** Whether `engine` reports every phase `scenario` aims at. */
function reportsPhasesOf(engine: Engine, scenario: Scenario): boolean {
  const phases = engine.phases ?? [];
  return scenario.targets.phases.every((phase) => phases.includes(phase));
}

/** The scenario's plan of `seed`, fitted to `engine` (see the module comment). */
export function enginePlan(engine: Engine, module: string | undefined, scenario: Scenario, seed: number, byPhase: boolean): Plan {
  const plan = scenario.plan(seed, { limits: engine.limits });
  if (module === undefined && byPhase) return plan;
  const modes = engine.syncModes;
  const sync = modes === undefined || modes.length === 0 || modes.includes(plan.engine.sync) ? plan.engine.sync : modes[0]!;
  const { phases, ...faults } = plan.faults;
  const aimed = byPhase || phases === undefined ? plan.faults : { ...faults, io: scenario.targets.io };
  const device = engine.sectorWrites === 'atomic' ? { sectorWrites: 'atomic' as const } : {};
  return {
    ...plan,
    ...(module === undefined ? {} : { engineModule: module }),
    engine: { ...plan.engine, sync },
    faults: { ...aimed, ...device },
  };
}

/** Options of {@link engineSubject}. */
export interface EngineSubjectOptions {
  /** Replaces every plan's second looks at a power loss (`--looks`; 0: none); absent: the scenario's. */
  readonly looks?: number | undefined;
}


/**
 * The engine subject of `engine`.
 * @param module - the module it was loaded from, as the user named it (absent: the reference engine)
 */
export function engineSubject(engine: Engine, module?: string, options: EngineSubjectOptions = {}): Subject<Plan> {
  // One vocabulary for the whole catalogue, so that every scenario's coverage adds up.
  const byPhase = scenarios.every((scenario) => reportsPhasesOf(engine, scenario));
  const scenario = (name: string): Scenario => {
    const found = findScenario(name);
    if (found === undefined) throw new Error(`unknown scenario ${JSON.stringify(name)}`);
    return found;
  };
  return {
    spec: { kind: 'engine', module, ...(options.looks === undefined ? {} : { looks: options.looks }) },
    name: engine.name,
    label: `engine ${engine.name} (${module ?? 'reference'})`,
    units: scenarios.map((s) => s.name),
    unitWord: 'scenario',
    probes: engine.probes ?? [],
    sites: byPhase ? [...enginePhases, ...(engine.phases ?? []).filter((p) => !(enginePhases as readonly string[]).includes(p)), 'other'] : ioClasses,
    plan: (unit, seed) => withLooks(enginePlan(engine, module, scenario(unit), seed, byPhase), options.looks),
    unitOf: (plan) => plan.scenario,
    checkPlan: (document, source) => checkPlan(document, source),
    run: (plan, options = {}) => {
      const runOptions = { ...options, coverBy: byPhase ? 'phase' as const : 'io' as const };
      // An engine module's run pins the thread's environment: one at a time (inPinnedTurn).
      return module === undefined ? runPlan(plan, engine, runOptions) : inPinnedTurn(() => runPlan(plan, engine, { ...runOptions, environment: pinEngineEnvironment }));
    },
    targets: (units) => engineTargets(units.map(scenario), byPhase),
    subjectArgs: () => [...(module === undefined ? [] : ['--engine', module]), ...(options.looks === undefined ? [] : ['--looks', String(options.looks)])],
    seedArgs: (unit, seed) => ['--scenario', unit, '--seed', String(seed)],
    describePlan: describeEnginePlan,
    shrink: engineShrinkAxes,
    explore: engineExploration,
  };
}

/** The targeted (site × kind) cells of `chosen`. */
function engineTargets(chosen: readonly Scenario[], byPhase: boolean): Targets {
  const targets: Record<string, FaultKind[]> = {};
  const add = (site: string, kind: FaultKind): void => {
    const kinds = (targets[site] ??= []);
    if (!kinds.includes(kind)) kinds.push(kind);
  };
  for (const scenario of chosen) {
    for (const kind of scenario.targets.faults) {
      const sites = byPhase ? scenario.targets.phases : scenario.targets.io.filter((io) => coreIoClasses[kind].includes(io));
      for (const site of sites) add(site, kind);
    }
  }
  return targets;
}
