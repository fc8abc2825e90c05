/**
 * Text the CLI prints: the end-of-campaign summary, the summary of one run (`repro`, `replay`)
 * and trace lines. Pure functions from results to lines; the commands decide where they go.
 */
import { coverageCells, missedTargets, tracePhases } from '../reports/index.ts';
import type { CampaignOutcome } from '../sim/campaign.ts';
import type { Plan } from '../sim/plan.ts';
import { planSize } from '../sim/plan.ts';
import type { RunResult } from '../sim/runner.ts';
import type { CampaignResult, FaultKind, TraceEvent } from '../sim/types.ts';
import { faultKinds } from '../sim/types.ts';

/** Violations listed in full in the text summary; the rest are counted (reports list all). */
const violationsListedMax = 50;

function faultLine(faults: Readonly<Record<FaultKind, number>>): string {
  return faultKinds.map((kind) => `${kind} ${faults[kind] ?? 0}`).join(', ');
}

/**
 * The (phase x kind) coverage table: counts, `*` on targeted cells, `!` on targeted cells with
 * no fault, followed by a line naming the targeted-but-missed cells.
 */
export function coverageTable(result: CampaignResult): string[] {
  const cells = coverageCells(result);
  const phaseWidth = Math.max(...tracePhases.map((phase) => phase.length), 'phase'.length);
  const widths = faultKinds.map((kind) => Math.max(kind.length, ...cells.filter((cell) => cell.kind === kind).map((cell) => String(cell.count).length + 1)));
  const lines = [['phase'.padEnd(phaseWidth), ...faultKinds.map((kind, i) => kind.padStart(widths[i]!))].join('  ')];
  for (const phase of tracePhases) {
    const row = faultKinds.map((kind, i) => {
      const cell = cells.find((c) => c.phase === phase && c.kind === kind)!;
      const mark = !cell.targeted ? ' ' : cell.count === 0 ? '!' : '*';
      return `${cell.count}${mark}`.padStart(widths[i]! + 1);
    });
    lines.push([phase.padEnd(phaseWidth), ...row].join(' '));
  }
  const missed = missedTargets(result);
  lines.push('(* targeted by some scenario, ! targeted but never hit)');
  lines.push(missed.length === 0 ? 'every targeted cell was hit' : `targeted but missed: ${missed.map((cell) => `${cell.phase} x ${cell.kind}`).join(', ')}`);
  return lines;
}

/** The end-of-campaign summary (`run`, `merge`). */
export function campaignSummary(result: CampaignResult | CampaignOutcome): string[] {
  const outcome = result as Partial<CampaignOutcome>;
  const lines: string[] = [];
  const shard = result.shard ? ` (shard ${result.shard})` : '';
  lines.push(result.targetModule === undefined ? `scenarios: ${result.scenarios.join(', ')}${shard}` : `target: ${result.targetModule} (workload ${result.scenarios.join(', ')})${shard}`);
  const planned = outcome.seedsPlanned !== undefined && outcome.seedsPlanned !== result.seeds ? ` of ${outcome.seedsPlanned} planned (time budget reached)` : '';
  const jobs = outcome.jobs !== undefined ? `, jobs ${outcome.jobs}` : '';
  lines.push(`seeds run: ${result.seeds}${planned} in ${(result.elapsedMs / 1000).toFixed(1)} s, ${result.seedsPerSecond.toFixed(1)} seeds/s${jobs}`);
  lines.push(`digest: ${result.digest}`);
  if (outcome.determinism) {
    const { checked, mismatches } = outcome.determinism;
    lines.push(mismatches.length === 0 ? `determinism: ${checked} seeds rerun in a fresh worker, same digests` : `NONDETERMINISM: ${mismatches.length} of ${checked} seeds rerun gave another digest`);
    for (const m of mismatches) lines.push(`  ${m.scenario} seed ${m.seed}: ${m.digest} then ${m.rerunDigest}`);
  }
  lines.push(`violations: ${result.violations.length === 0 ? 'none' : result.violations.length}`);
  for (const violation of result.violations.slice(0, violationsListedMax)) {
    lines.push(`  ${violation.scenario} seed ${violation.seed} [${violation.invariant}] ${violation.message}`);
    lines.push(`    repro: ${violation.repro}`);
  }
  if (result.violations.length > violationsListedMax) lines.push(`  ... and ${result.violations.length - violationsListedMax} more (use --report DIR or --json for all)`);
  lines.push(`faults by kind: ${faultLine(result.faults)}`);
  lines.push('coverage (faults injected by engine phase and kind):');
  lines.push(...coverageTable(result).map((line) => `  ${line}`));
  return lines;
}

/** The JSON `run --json` prints: the result without traces (they go to --report). */
export function campaignJson(result: CampaignOutcome, exitCode: number): object {
  return {
    ...result,
    violations: result.violations.map(({ trace: _trace, ...violation }) => violation),
    exitCode,
  };
}

/** One trace event as one line. */
export function traceLine(event: TraceEvent): string {
  const parts = [`#${event.seq}`, `t=${event.t}`, event.type, event.phase ?? '-', event.name];
  if (event.path) parts.push(event.path);
  if (event.detail) parts.push(event.detail);
  return parts.join(' ');
}

/** Plan and result of one run (`repro`, `replay`), with the last `traceTail` events. */
export function runSummary(plan: Plan, result: RunResult, reproduce: string, traceTail = 40): string[] {
  const size = planSize(plan);
  const rates = Object.entries(plan.faults.rates).filter(([, rate]) => (rate ?? 0) > 0).map(([kind, rate]) => `${kind} ${rate}`);
  const lines = [
    `scenario ${plan.scenario}, seed ${plan.seed}`,
    `plan: ${size.steps} steps, ${size.ops} operations, ${size.faults} fault sources; liveness ${plan.livenessCommits} commits, step budget ${plan.stepsMax}`,
    `engine: ${Object.entries(plan.engine).map(([key, value]) => `${key}=${value}`).join(' ')}`,
    `faults: rates ${rates.length ? rates.join(', ') : 'none'}; ${plan.faults.scheduled?.length ?? 0} scheduled; fsync failure mode ${plan.faults.fsyncFailureMode}; sector ${plan.faults.sectorBytes} B`
      + `${plan.faults.capacityBytes !== undefined ? `; capacity ${plan.faults.capacityBytes} B` : ''}${plan.faults.phases ? `; phases ${plan.faults.phases.join(', ')}` : ''}`
      + `${plan.latency ? `; latency up to ${plan.latency.ioMsMax} ms` : ''}`,
    `result: ${result.ioCount} I/O, ${result.crashes} crashes, ${result.commitsAcknowledged} commits acknowledged, ${result.detected} damage detected; digest ${result.digest}`,
    `faults fired: ${faultLine(result.faults)}`,
    `violations: ${result.violations.length === 0 ? 'none' : result.violations.length}`,
  ];
  for (const violation of result.violations) {
    const where = violation.step < 0 ? 'liveness phase' : `step ${violation.step}`;
    lines.push(`  [${violation.invariant}] ${violation.message} (${where}${violation.key !== undefined ? `, key ${violation.key}` : ''}${violation.lsn !== undefined ? `, lsn ${violation.lsn}` : ''})`);
  }
  if (result.violations.length > 0) lines.push(`reproduce: ${reproduce}`);
  const tail = result.trace.slice(-traceTail);
  lines.push(`last ${tail.length} of ${result.trace.length} trace events:`);
  lines.push(...tail.map((event) => `  ${traceLine(event)}`));
  return lines;
}
