/**
 * Text the CLI prints: the end-of-campaign summary, the summary of one run (`repro`, `replay`)
 * and trace lines. Pure functions from results to lines; the commands decide where they go.
 */
import { coverageCells, missedTargets, sitesOf, subjectLine } from '../reports/index.ts';
import type { CampaignOutcome } from '../harness/index.ts';
import type { RunResult } from '../sim/index.ts';
import type { CampaignResult, FaultKind, TraceEvent } from '../sim/index.ts';
import { faultKinds } from '../sim/index.ts';

/** Violations listed in full in the text summary; the rest are counted (reports list all). */
const violationsListedMax = 50;
/** Trace events printed before and after a failed check. */
const traceContextBefore = 30;
const traceContextAfter = 5;

function faultLine(faults: Readonly<Record<FaultKind, number>>): string {
  return faultKinds.map((kind) => `${kind} ${faults[kind] ?? 0}`).join(', ');
}

/**
 * The (site x kind) coverage table: counts, `*` on targeted cells, `!` on targeted cells with
 * no fault, followed by a line naming the targeted-but-missed cells.
 */
export function coverageTable(result: CampaignResult): string[] {
  const cells = coverageCells(result);
  const sites = sitesOf(result);
  const siteWidth = Math.max(...sites.map((site) => site.length), 'site'.length);
  const widths = faultKinds.map((kind) => Math.max(kind.length, ...cells.filter((cell) => cell.kind === kind).map((cell) => String(cell.count).length + 1)));
  const lines = [['site'.padEnd(siteWidth), ...faultKinds.map((kind, i) => kind.padStart(widths[i]!))].join('  ')];
  for (const site of sites) {
    const row = faultKinds.map((kind, i) => {
      const cell = cells.find((c) => c.phase === site && c.kind === kind)!;
      const mark = !cell.targeted ? ' ' : cell.count === 0 ? '!' : '*';
      return `${cell.count}${mark}`.padStart(widths[i]! + 1);
    });
    lines.push([site.padEnd(siteWidth), ...row].join(' '));
  }
  const missed = missedTargets(result);
  lines.push('(* targeted, ! targeted but never hit)');
  lines.push(missed.length === 0 ? 'every targeted cell was hit' : `targeted but missed: ${missed.map((cell) => `${cell.phase} x ${cell.kind}`).join(', ')}`);
  return lines;
}

/** `3 of 50 seeds failed` and what to do next, for a failing campaign. */
function failingLines(result: CampaignResult): string[] {
  const failing = result.failingSeeds ?? new Set(result.violations.map((v) => `${v.scenario}\u0000${v.seed}`)).size;
  const first = result.violations[0];
  const lines = [`${failing} of ${result.seeds} seeds failed, ${result.violations.length + (result.violationsOmitted ?? 0)} violations`];
  if (first !== undefined) lines.push(`next: shrink the first to a minimal plan: ${first.repro.replace(' repro ', ' shrink ')} --out bug.json`);
  return lines;
}

/** The end-of-campaign summary (`run`, `merge`, `ci`). */
export function campaignSummary(result: CampaignResult | CampaignOutcome): string[] {
  const outcome = result as Partial<CampaignOutcome>;
  const lines: string[] = [];
  const shard = result.shard ? ` (shard ${result.shard})` : '';
  const subject = subjectLine(result);
  lines.push(`${subject === undefined ? '' : `${subject}: `}${result.subject?.kind === 'library' ? 'workload' : 'scenarios'} ${result.scenarios.join(', ')}${shard}`);
  const planned = outcome.seedsPlanned !== undefined && outcome.seedsPlanned !== result.seeds ? ` of ${outcome.seedsPlanned} planned (time budget reached)` : '';
  const jobs = outcome.jobs !== undefined ? `, jobs ${outcome.jobs}` : '';
  lines.push(`seeds run: ${result.seeds}${planned} in ${(result.elapsedMs / 1000).toFixed(1)} s, ${result.seedsPerSecond.toFixed(1)} seeds/s${jobs}`);
  lines.push(`digest: ${result.digest}`);
  if (outcome.determinism) {
    const { checked, mismatches } = outcome.determinism;
    lines.push(mismatches.length === 0 ? `determinism: ${checked} seeds rerun in a fresh worker, same digests` : `NONDETERMINISM: ${mismatches.length} of ${checked} seeds rerun gave another digest`);
    for (const m of mismatches) lines.push(`  ${m.scenario} seed ${m.seed}: ${m.digest} then ${m.rerunDigest}`);
  }
  lines.push(`violations: ${result.violations.length === 0 && !result.violationsOmitted ? 'none' : failingLines(result)[0]}`);
  for (const violation of result.violations.slice(0, violationsListedMax)) {
    lines.push(`  ${violation.scenario} seed ${violation.seed} [${violation.invariant}] ${violation.message}`);
    lines.push(`    repro: ${violation.repro}`);
  }
  const more = result.violations.length - violationsListedMax + (result.violationsOmitted ?? 0);
  if (more > 0) lines.push(`  ... and ${more} more (all of them in the --report folder or with --json)`);
  if (result.violations.length > 0) lines.push(...failingLines(result).slice(1));
  lines.push(`faults by kind: ${faultLine(result.faults)}`);
  lines.push(...probeLines(result));
  if (result.findings !== undefined) {
    lines.push(`findings apart from violations: ${result.findings.count} (the engine's own design broken where no user can see it, e.g. a file it publishes atomically torn right after a crash, which recovery repairs)`);
    for (const example of result.findings.examples.slice(0, 3)) lines.push(`  ${example.unit} seed ${example.seed}: ${example.message}`);
  }
  lines.push('coverage (faults injected by site and kind):');
  lines.push(...coverageTable(result).map((line) => `  ${line}`));
  return lines;
}

/** The rare branches the engine declares that no run reached. */
export function missedProbes(result: CampaignResult): string[] {
  return Object.entries(result.probes ?? {}).filter(([, hits]) => hits === 0).map(([probe]) => probe);
}

/** `rare branches (probes): recovery.R1 12, ... ; never hit: ...`, when the engine declares probes. */
function probeLines(result: CampaignResult): string[] {
  const probes = Object.entries(result.probes ?? {});
  if (probes.length === 0) return [];
  const missed = missedProbes(result);
  return [
    `rare branches hit (engine probes): ${probes.map(([probe, hits]) => `${probe} ${hits}`).join(', ')}`,
    missed.length === 0 ? 'every declared probe was hit' : `probes never hit: ${missed.join(', ')}`,
  ];
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

/**
 * The trace events around the first failed check (or the last events when nothing failed),
 * with a header line saying which.
 */
export function traceExcerpt(result: RunResult): string[] {
  const trace = result.trace;
  const first = result.violations[0];
  const at = first === undefined ? -1
    : trace.findIndex((event) => event.type === 'check' && event.name === first.invariant);
  if (at < 0) {
    const tail = trace.slice(-(traceContextBefore + traceContextAfter));
    return [`last ${tail.length} of ${trace.length} trace events:`, ...tail.map((event) => `  ${traceLine(event)}`)];
  }
  const start = Math.max(0, at - traceContextBefore);
  const window = trace.slice(start, at + traceContextAfter + 1);
  return [
    `trace events ${start}..${start + window.length - 1} of ${trace.length}, around the failed check (#${trace[at]!.seq}, marked >):`,
    ...window.map((event) => `${event === trace[at] ? '> ' : '  '}${traceLine(event)}`),
  ];
}

/** The result of one run (`repro`, `replay`) after the subject's plan lines. */
export function runSummary(planLines: readonly string[], result: RunResult, reproduce: string): string[] {
  const lines = [
    ...planLines,
    `result: ${result.ioCount} I/O, ${result.crashes} crashes (states ${result.crashStates.join(', ') || 'none'}), ${result.acknowledged} acknowledged, `
      + `${result.failedOperations} operations failed on injected faults, ${result.detected} damage detected; digest ${result.digest}`,
    `faults fired: ${faultLine(result.faults)}`,
    `violations: ${result.violations.length === 0 ? 'none' : result.violations.length}`,
  ];
  for (const violation of result.violations) {
    const where = violation.step < 0 ? 'after the steps' : `step ${violation.step}`;
    lines.push(`  [${violation.invariant}] ${violation.message} (${where}${violation.key !== undefined ? `, key ${violation.key}` : ''}${violation.lsn !== undefined ? `, lsn ${violation.lsn}` : ''})`);
  }
  for (const finding of result.findings ?? []) lines.push(`  finding (apart from violations): [${finding.invariant}] ${finding.message}`);
  if (result.violations.length > 0) lines.push(`reproduce: ${reproduce}`);
  lines.push(...traceExcerpt(result));
  return lines;
}
