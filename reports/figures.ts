/**
 * Figures derived from a {@link CampaignResult} that more than one report shows: totals, the
 * coverage cells with their targeted flag, the targeted cells never hit, per-scenario rows, and
 * number formatting. Computing them once here keeps summary.json, JUnit, Markdown and HTML in
 * agreement; the renderers only lay them out.
 *
 * Every function is pure and deterministic: no clock, no locale (numbers are formatted by hand so
 * a report does not change with the machine's language settings).
 */
import { enginePhases } from '../engine/types.ts';
import type { CampaignResult, FaultKind, Violation } from '../sim/index.ts';
import { faultKinds } from '../sim/index.ts';

/** What the caller knows about the build that produced a result; not part of the result. */
export interface ReportMeta {
  /** The powercut version (package.json `version`). */
  readonly version: string;
  /** The git commit of powercut (or of the engine under test), when known. */
  readonly commit?: string;
  /**
   * When the report was generated, as the caller wants it printed (e.g. an ISO timestamp).
   * Renderers never read the clock themselves, so the same inputs give the same bytes.
   */
  readonly generatedAt?: string;
}

/** The coverage rows of a summary written before results named their sites: the reference engine's phases, then `other`. */
export const legacySites: readonly string[] = [...enginePhases, 'other'];

/** The coverage table's rows of `result`, in order. */
export function sitesOf(result: CampaignResult): readonly string[] {
  return result.sites ?? legacySites;
}

/** `library workload lowdb (targets/lowdb.ts)`, `engine my-log (./my-log.ts)`, `engine powercut-reference`: what was tested. */
export function subjectLine(result: CampaignResult): string | undefined {
  const subject = result.subject;
  if (subject === undefined) return undefined;
  const what = subject.kind === 'library' ? 'library workload' : 'engine';
  return `${what} ${subject.name}${subject.module === undefined ? '' : ` (${subject.module})`}`;
}

/**
 * What the second looks did, as sentences without a final stop: how many disks they recovered
 * and checked, and how many crashes got none because a library workload's `ctx.state` could not
 * be copied (a look needs its own copy), with what to do about it. Empty: the plan asked for none.
 * @param count - how counts are written (the CLI prints bare numbers, reports {@link formatCount})
 */
export function looksLines(result: Pick<CampaignResult, 'looks' | 'looksSkipped' | 'refusedUnfaulted' | 'processDeaths' | 'processDeathSeeds' | 'processDeathFirstSeed'>, count: (n: number) => string = formatCount): string[] {
  const lines: string[] = [];
  if (result.looks !== undefined) lines.push(`second looks: ${count(result.looks)} other disks the crashes could have left (other crash states, a rotted bit or sector, a power loss between steps), recovered and checked`);
  if (result.looksSkipped !== undefined) {
    lines.push(`second looks skipped at ${count(result.looksSkipped)} crash${result.looksSkipped === 1 ? '' : 'es'}: the workload's ctx.state is not plain data (a class instance or a function), and a look needs a copy of it; keep ctx.state to objects, arrays, Maps and Sets to get them`);
  }
  if (result.refusedUnfaulted !== undefined) {
    const commits = `${count(result.refusedUnfaulted)} commit${result.refusedUnfaulted === 1 ? ' was' : 's were'}`;
    lines.push(`${commits} refused with no fault injected before ${result.refusedUnfaulted === 1 ? 'it' : 'them'}, taken as in doubt: a size the engine does not take, or a bug; declare the engine's size limits (\`limits\`) and powercut holds it to them`);
  }
  if (result.processDeaths !== undefined) {
    const seeds = result.processDeathSeeds ?? 0;
    lines.push(`the library's process died ${result.processDeaths === 1 ? 'once' : `${count(result.processDeaths)} times`} (in ${count(seeds)} seed${seeds === 1 ? '' : 's'}${result.processDeathFirstSeed === undefined ? '' : `, the first seed ${result.processDeathFirstSeed}`}) of an exception nobody caught or a rejection nobody handled, with no crash injected: Node ends such a process and a process manager restarts it, so it is no violation by itself, but code that dies of an I/O error it could handle (ENOSPC at a log's rotation) may not mean to; the trace's 'uncaught' note says where`);
  }
  return lines;
}

/** The unit `ci` reports its regression corpus under: one "seed" per plan (cli/corpus-part.ts). */
export const corpusUnit = 'regressions';

/**
 * What a report calls run `seed` of `unit`: `seed 12`, or for the regression corpus, whose
 * "seeds" are its plans in corpus order, `plan 2` (a plan's own seed is in its message).
 */
export function runName(unit: string, seed: number): string {
  return `${unit === corpusUnit ? 'plan' : 'seed'} ${seed}`;
}

/** Most mismatched seeds a report lists by name (summary.json keeps them all). */
export const mismatchesListedMax = 20;

/** Whether the campaign's determinism check found a seed whose rerun gave another digest: a failed campaign. */
export function nondeterministic(result: Pick<CampaignResult, 'determinism'>): boolean {
  return (result.determinism?.mismatches.length ?? 0) > 0;
}

/**
 * What the determinism check found, one line, then (when it failed) one line per mismatched seed
 * up to {@link mismatchesListedMax}; empty when the campaign did not check.
 * @param count - how counts are written (the CLI prints bare numbers, reports {@link formatCount})
 */
export function determinismLines(result: Pick<CampaignResult, 'determinism'>, count: (n: number) => string = formatCount): string[] {
  const check = result.determinism;
  if (check === undefined) return [];
  if (check.mismatches.length === 0) return [`determinism: ${count(check.checked)} seeds rerun in a fresh worker, same digests`];
  const listed = check.mismatches.slice(0, mismatchesListedMax).map((m) => `${m.scenario} ${runName(m.scenario, m.seed)}: digest ${m.digest}, rerun ${m.rerunDigest}`);
  const more = check.mismatches.length - listed.length;
  return [
    `NONDETERMINISM: ${count(check.mismatches.length)} of ${count(check.checked)} seeds rerun in a fresh worker gave another digest: a run depends on something besides its seed (state kept between runs in a thread, a clock or random source the run does not pin)`,
    ...listed,
    ...(more > 0 ? [`... and ${count(more)} more (summary.json lists them all)`] : []),
  ];
}

/** One cell of the (site x fault kind) coverage table; a site is a phase or an I/O class. */
export interface CoverageCell {
  readonly phase: string;
  readonly kind: FaultKind;
  /** Faults of this kind injected while the engine was in this phase. */
  readonly count: number;
  /**
   * Whether some scenario aims to inject this kind in this phase, and some I/O there could take
   * it (see {@link unreachable}).
   */
  readonly targeted: boolean;
  /**
   * A scenario aims at the cell, but no I/O at this site could take this kind of fault in any
   * seed (a library that never fsyncs, under `fsync-error`): no number of seeds would hit it, so
   * it is not counted as targeted. Known from the runs' `reach`; a summary without it (written
   * before it existed) counts every cell as reachable.
   */
  readonly unreachable: boolean;
  /**
   * A scenario aims at the cell, which got no fault of its kind while its sibling site did (see
   * {@link siblingOf}): an `append` or a `write` (a data write was struck, appended or in place,
   * whichever the subject's design does: an in-place engine seldom appends, an append-only log
   * never writes in place, and is told nothing of it), or a lost name met at a listing (`other`)
   * or at an `open` (an engine that lists its folder meets it there, one that opens its files by
   * name at the open). Not counted as targeted, nor as {@link unreachable}.
   */
  readonly bySibling: boolean;
}

/** The I/O classes of data writes: a targeted cell of one is met by a fault at the other. */
const dataWrites: Readonly<Record<string, string>> = { append: 'write', write: 'append' };
/** Where a lost name is met: a listing (I/O class `other`) or an open by name. */
const nameLookups: Readonly<Record<string, string>> = { other: 'open', open: 'other' };

/** The site whose fault of `kind` meets a targeted cell at `site` (see CoverageCell.bySibling). */
function siblingOf(site: string, kind: FaultKind): string | undefined {
  return dataWrites[site] ?? (kind === 'lost-entry' ? nameLookups[site] : undefined);
}

/** Campaign-wide totals. */
export interface Totals {
  readonly scenarios: number;
  readonly seeds: number;
  readonly violations: number;
  /** Runs where damage was detected and refused (counted, not a failure). */
  readonly detected: number;
  readonly crashes: number;
  readonly commitsAcknowledged: number;
  readonly faultsInjected: number;
  /** Scenarios with at least one violation. */
  readonly scenariosFailing: number;
  readonly targetedCells: number;
  /** Targeted cells with at least one fault injected. */
  readonly targetedCellsHit: number;
}

/** One scenario's line in the reports. */
export interface ScenarioRow {
  readonly scenario: string;
  readonly seeds: number;
  readonly violations: number;
  readonly detected: number;
  readonly crashes: number;
  readonly commitsAcknowledged: number;
  readonly faultsInjected: number;
  /** Distinct invariants violated in this scenario, sorted. */
  readonly invariants: readonly string[];
}

/**
 * The order violations appear in, everywhere (harness/violations.ts): by scenario, then seed,
 * then invariant, then message; and code-unit string order, independent of locale.
 */
export { compareStrings, compareViolations } from '../harness/index.ts';
import { compareStrings, compareViolations, needsNoFaultWords, rootCauseGroups } from '../harness/index.ts';
import type { FailingRun, RootCauseGroup } from '../harness/index.ts';
export { messageParts, representativeRun, type FailingRun, type RootCauseGroup } from '../harness/index.ts';

/**
 * What a root cause that needs no fault (Violation.needsNoFault) adds under it: its first run
 * fails the same way with every fault removed, so the crash its message names is only where it
 * was seen.
 */
export function needsNoFaultLine(group: RootCauseGroup): string | undefined {
  const run = group.runs.find((candidate) => candidate.root.needsNoFault === true);
  if (run === undefined) return undefined;
  return `needs no fault: ${needsNoFaultWords(runName(run.scenario, run.seed))}`;
}

/** What a campaign's seeds had acknowledged, in its subject's word: an engine's commits, a library workload's operations. */
export function acknowledgedWord(result: Pick<CampaignResult, 'subject'>): string {
  return result.subject?.kind === 'library' ? 'operations' : 'commits';
}

/** What a campaign's seeds ran over: `21 scenarios`, `1 workload and the regression corpus` (ci's plans are a unit of their own). */
export function unitsPhrase(result: Pick<CampaignResult, 'subject' | 'scenarios'>): string {
  const corpus = result.scenarios.includes(corpusUnit);
  const count = result.scenarios.length - (corpus ? 1 : 0);
  const word = result.subject?.kind === 'library' ? 'workload' : 'scenario';
  return `${count} ${word}${count === 1 ? '' : 's'}${corpus ? ' and the regression corpus' : ''}`;
}

/** The result's failing runs grouped by root cause (harness/triage.ts), largest group first. */
export function rootCauses(result: CampaignResult): RootCauseGroup[] {
  return rootCauseGroups(result.violations, result.scenarios);
}

/** Seeds with at least one violation: the campaign's own count, else the runs in the list. */
export function failingSeedCount(result: CampaignResult): number {
  return result.failingSeeds ?? new Set(result.violations.map((violation) => `${violation.scenario}\u0000${violation.seed}`)).size;
}

/** Violations folded under the first of their run, over all groups. */
export function followOnCount(groups: readonly RootCauseGroup[]): number {
  return groups.reduce((sum, group) => sum + group.runs.reduce((runSum, run) => runSum + run.followOns.length, 0), 0);
}

/** The fault kinds a run injected: as the campaign recorded them, else those its root's trace shows. */
export function runFaultKindsOf(run: FailingRun): FaultKind[] {
  const recorded = run.root.runFaultKinds;
  if (recorded !== undefined) return [...recorded];
  const seen = new Set((run.root.trace ?? []).filter((event) => event.type === 'fault').map((event) => event.name));
  return faultKinds.filter((kind) => seen.has(kind));
}

/** The scenarios a group's runs are in, each with its number of runs, in campaign order. */
export function groupScenarios(group: RootCauseGroup): { readonly scenario: string; readonly runs: number }[] {
  const counts = new Map<string, number>();
  for (const run of group.runs) counts.set(run.scenario, (counts.get(run.scenario) ?? 0) + 1);
  return [...counts].map(([scenario, runs]) => ({ scenario, runs }));
}

/** The result's violations in {@link compareViolations} order (a sorted copy). */
export function sortedViolations(result: CampaignResult): Violation[] {
  return [...result.violations].sort(compareViolations);
}

/** Sum of a per-kind fault record. */
export function faultTotal(faults: Record<FaultKind, number>): number {
  return faultKinds.reduce((sum, kind) => sum + (faults[kind] ?? 0), 0);
}

/**
 * The fault kinds a report shows as columns, in `faultKinds` order: those the campaign injected
 * or some scenario targets. A kind neither injected nor targeted (the facade's kinds in an engine
 * campaign, a media fault no scenario turned on) would be a column of zeros saying nothing.
 */
export function reportedFaultKinds(result: CampaignResult): FaultKind[] {
  const targeted = new Set(Object.values(result.targets).flat());
  return faultKinds.filter((kind) => (result.faults[kind] ?? 0) > 0 || targeted.has(kind));
}

/** Every coverage cell, row by row in {@link sitesOf} order, columns in {@link reportedFaultKinds} order. */
export function coverageCells(result: CampaignResult): CoverageCell[] {
  const cells: CoverageCell[] = [];
  const kinds = reportedFaultKinds(result);
  for (const phase of sitesOf(result)) {
    const targeted = new Set(result.targets[phase] ?? []);
    for (const kind of kinds) {
      const count = result.coverage[phase]?.[kind] ?? 0;
      const sibling = siblingOf(phase, kind);
      const bySibling = targeted.has(kind) && count === 0 && sibling !== undefined && (result.coverage[sibling]?.[kind] ?? 0) > 0;
      const unreachable = targeted.has(kind) && count === 0 && !bySibling && result.reachable !== undefined && !(result.reachable[phase] ?? []).includes(kind);
      cells.push({ phase, kind, count, targeted: targeted.has(kind) && !unreachable && !bySibling, unreachable, bySibling });
    }
  }
  return cells;
}

/** Cells some scenario targets where no fault was ever injected, though I/O there could take one: gaps in what was tested. */
export function missedTargets(result: CampaignResult): CoverageCell[] {
  return coverageCells(result).filter((cell) => cell.targeted && cell.count === 0);
}

/** Cells some scenario targets that no I/O of the subject could take ({@link CoverageCell.unreachable}). */
export function unreachableTargets(result: CampaignResult): CoverageCell[] {
  return coverageCells(result).filter((cell) => cell.unreachable);
}

/** `fsync x fsync-error (no fsync I/O could take it)`: an unreachable cell, for one-line messages. */
export function unreachableLine(cells: readonly CoverageCell[]): string {
  return cells.map((cell) => `${cell.phase} x ${cell.kind}`).join(', ');
}

/** Campaign-wide totals. */
export function totals(result: CampaignResult): Totals {
  const rows = scenarioRows(result);
  const cells = coverageCells(result);
  const targeted = cells.filter((cell) => cell.targeted);
  return {
    scenarios: rows.length,
    seeds: result.seeds,
    violations: result.violations.length,
    detected: rows.reduce((sum, row) => sum + row.detected, 0),
    crashes: rows.reduce((sum, row) => sum + row.crashes, 0),
    commitsAcknowledged: rows.reduce((sum, row) => sum + row.commitsAcknowledged, 0),
    faultsInjected: faultTotal(result.faults),
    scenariosFailing: rows.filter((row) => row.violations > 0).length,
    targetedCells: targeted.length,
    targetedCellsHit: targeted.filter((cell) => cell.count > 0).length,
  };
}

/**
 * One row per scenario: those the campaign lists, in its order, then any scenario that only
 * appears in a violation or in `perScenario` (which a well-formed result never has, but a report
 * must not hide). Violation counts come from the violation list, the source of truth.
 */
export function scenarioRows(result: CampaignResult): ScenarioRow[] {
  const names = [...result.scenarios];
  const extra = new Set<string>();
  for (const name of Object.keys(result.perScenario)) extra.add(name);
  for (const violation of result.violations) extra.add(violation.scenario);
  for (const name of [...extra].sort(compareStrings)) if (!names.includes(name)) names.push(name);
  return names.map((scenario) => {
    const summary = result.perScenario[scenario];
    const own = result.violations.filter((violation) => violation.scenario === scenario);
    return {
      scenario,
      seeds: summary?.seeds ?? 0,
      violations: own.length,
      detected: summary?.detected ?? 0,
      crashes: summary?.crashes ?? 0,
      commitsAcknowledged: summary?.commitsAcknowledged ?? 0,
      faultsInjected: summary ? faultTotal(summary.faults) : 0,
      invariants: [...new Set(own.map((violation) => violation.invariant))].sort(compareStrings),
    };
  });
}

/** `1234567` as `1,234,567`, whatever the locale. */
export function formatCount(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.trunc(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Seeds per second with precision that suits its size (`0.42`, `8.7`, `1,204`). */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  if (perSecond >= 100) return formatCount(Math.round(perSecond));
  if (perSecond >= 10) return perSecond.toFixed(1);
  return perSecond.toFixed(2);
}

/** A duration in ms as `850 ms`, `12.4 s` or `3 min 07 s`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
