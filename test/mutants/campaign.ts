/**
 * The mutant campaign: search seeds of a mutant's target scenarios (round-robin) until the
 * first violation, under one of three fault models:
 * - `full`: the scenarios as written (every fault they inject);
 * - `faults-off`: no injected faults and no crash steps, a plain model-based test;
 * - `kill9-only`: only kill -9 (what a real process-kill test can see): the scenario's crash
 *   rate (its power-loss or kill-9 rate, whichever is larger, else 0.03) as a kill-9 rate,
 *   power-loss crash steps turned into kill -9, nothing else.
 */
import { findScenario } from '../../scenarios/index.ts';
import { explicitReorder } from '../../scenarios/engine-shrink.ts';
import type { Plan, PlanStep } from '../../sim/plan.ts';
import type { RunResult } from '../../sim/run-result.ts';
import { referenceEngine } from '../../sim/adapters/reference.ts';
import { runPlan } from '../../sim/runner.ts';
import type { Engine } from '../../sim/engine-contract.ts';
import type { Mutant } from './catalogue.ts';

/** Which faults a campaign injects. */
export type FaultModel = 'full' | 'faults-off' | 'kill9-only';

export const faultModels: readonly FaultModel[] = ['full', 'faults-off', 'kill9-only'];

/** A plan under a fault model. */
export function withFaultModel(plan: Plan, model: FaultModel): Plan {
  if (model === 'full') return plan;
  const { capacityBytes: _capacity, scheduled: _scheduled, ...faults } = plan.faults;
  if (model === 'faults-off') {
    return { ...plan, faults: { ...faults, rates: {} }, steps: plan.steps.filter((step) => step.op !== 'crash') };
  }
  const rate = Math.max(plan.faults.rates['power-loss'] ?? 0, plan.faults.rates['kill-9'] ?? 0) || 0.03;
  const steps = plan.steps.map((step): PlanStep => (step.op === 'crash' ? { op: 'crash', kind: 'kill-9' } : step));
  return { ...plan, faults: { ...faults, rates: { 'kill-9': rate } }, steps };
}

/**
 * The plan of the `index`-th seed (from 0) of a mutant's search: scenarios round-robin, each
 * fitted to the reference engine (its declared size limits), as a campaign on it runs them.
 */
export function searchPlan(mutant: Mutant, index: number): Plan {
  const name = mutant.scenarios[index % mutant.scenarios.length]!;
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`mutant ${mutant.id}: unknown scenario '${name}'`);
  return scenario.plan(1 + Math.floor(index / mutant.scenarios.length), { limits: referenceEngine.limits });
}

/** The outcome of searching one mutant under one fault model. */
export interface SearchResult {
  readonly caught: boolean;
  /**
   * `violation`: an invariant users must care about broke; `finding`: only a check of the
   * engine's own design saw it (a file published atomically, torn before recovery repaired it),
   * reported apart (RunResult.findings).
   */
  readonly by?: 'violation' | 'finding';
  /** Invariant of the first violation (or finding) found. */
  readonly invariant?: string;
  readonly message?: string;
  /** Runs until the first failure (the budget when not caught). */
  readonly seeds: number;
  readonly ms: number;
  /** The failing plan (already under the fault model). */
  readonly plan?: Plan;
  /** The reproduction, as scenario and seed. */
  readonly scenario?: string;
  readonly seed?: number;
  /** Failing plans skipped because the shipped engine fails them too (a harness problem). */
  readonly referenceFailures: readonly { scenario: string; seed: number; invariant: string }[];
}

/** The first violation of a run of `plan` on `engine`, and the run's explicit faults and crash states. */
async function firstViolation(plan: Plan, engine: Engine): Promise<{ invariant: string; message: string; explicit: Plan; by: 'violation' | 'finding' } | undefined> {
  try {
    const result = await runPlan(plan, engine);
    const violation = result.violations[0];
    const first = violation ?? result.findings?.[0];
    if (first === undefined) return undefined;
    return { invariant: first.invariant, message: first.message, explicit: explicitPlan(plan, result), by: violation !== undefined ? 'violation' : 'finding' };
  } catch (error) {
    // A run that throws is a failure too (the harness could not even finish it).
    return { invariant: 'crashed-run', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), explicit: plan, by: 'violation' };
  }
}

/**
 * The very run a result came from, as a plan with nothing left to draw: the faults it fired at
 * their I/O indexes (rates off), its crash states and its late writes. Rechecking the shipped engine on this plan
 * is a fair test of "does the shipped engine fail the same plan": with rates, the shipped engine
 * would draw its faults at other I/O (a mutant changes the I/O sequence), and a failure there
 * would say nothing about the mutant's plan.
 */
export function explicitPlan(plan: Plan, result: RunResult): Plan {
  const { phases: _phases, io: _io, ...faults } = plan.faults;
  return explicitReorder({ ...plan, faults: { ...faults, rates: {}, scheduled: result.faultsFired }, crashStates: result.crashStates }, result);
}

/**
 * Whether the shipped engine fails `plan`: then a violation on it is not the mutant's doing (a
 * harness problem, or a bug of the shipped engine), and the search reports it apart.
 */
export async function shippedEngineFails(plan: Plan): Promise<{ invariant: string } | undefined> {
  return firstViolation(plan, referenceEngine);
}

/**
 * Runs seeds until the first violation or the budget.
 * @param budget - maximum number of runs (across all target scenarios together)
 */
export async function searchMutant(mutant: Mutant, engine: Engine, model: FaultModel, budget: number): Promise<SearchResult> {
  const started = performance.now();
  const referenceFailures: { scenario: string; seed: number; invariant: string }[] = [];
  for (let index = 0; index < budget; index++) {
    const plan = withFaultModel(searchPlan(mutant, index), model);
    const found = await firstViolation(plan, engine);
    if (found === undefined) continue;
    // Rechecked on the very run the mutant failed (explicit faults), and on the seed's plan: a
    // plan the shipped engine fails too shows a harness (or engine) problem, not the mutant.
    const reference = (await shippedEngineFails(found.explicit)) ?? (await shippedEngineFails(plan));
    if (reference !== undefined) {
      referenceFailures.push({ scenario: plan.scenario, seed: plan.seed, invariant: reference.invariant });
      continue;
    }
    return {
      caught: true, by: found.by, invariant: found.invariant, message: found.message, seeds: index + 1,
      ms: Math.round(performance.now() - started), plan, scenario: plan.scenario, seed: plan.seed, referenceFailures,
    };
  }
  return { caught: false, seeds: budget, ms: Math.round(performance.now() - started), referenceFailures };
}
