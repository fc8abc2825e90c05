/**
 * Text the CLI prints: the end-of-campaign summary, the summary of one run (`repro`, `replay`)
 * and trace lines. Pure functions from results to lines; the commands decide where they go.
 */
import { acknowledgedWord, rootCausesJson, coverageCells, needsNoFaultLine, runName, determinismLines, looksLines, missedTargets, reportedFaultKinds, sitesOf, subjectLine, unreachableLine, unreachableTargets } from '../reports/index.ts';
import { acknowledgedTotal, causeShape, hintsOf, nextShrinkCommand, ownPathAfterLook, rootCauseGroups, untestedReason, withoutHints, type CampaignOutcome, type RootCauseGroup } from '../harness/index.ts';
import type { RunResult } from '../sim/index.ts';
import type { CampaignResult, FaultKind, TraceEvent } from '../sim/index.ts';
import { faultKinds } from '../sim/index.ts';
import { corpusUnit } from './corpus-part.ts';
import { seedRate } from './progress.ts';

/** Root causes listed in the text summary, two lines each; the rest are counted (reports list all). */
const groupsListedMax = 10;
/** Characters of a root cause's first message shown under its shape. */
const exampleCharsMax = 300;
/**
 * Longest root-cause shape a summary line shows: the line is an index, the first run's own
 * message follows it, and reports keep the shape whole (a long explanation repeated in both lines
 * read as 900 characters of boilerplate per root cause to new users).
 */
const shapeCharsMax = 160;

/** `text`, cut to `max` characters with an ellipsis when longer. */
function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, wordEnd(text, max - 1))}…`;
}

/** Where to cut `text` at or before `at`: at the last space within {@link wordCutChars} before it, else at `at` (a word cut mid-way read as another word: `du…`). */
function wordEnd(text: string, at: number): number {
  const space = text.lastIndexOf(' ', at);
  return space > at - wordCutChars ? space : at;
}

/** How far back a cut looks for a space. */
const wordCutChars = 20;
/**
 * What `shrink` says when its plan fails the invariant another way than the input did: a shrink
 * keeps the invariant, not the message, and may end on another bug of it (a user's failed index
 * write shrank to a missing fsync). `undefined` when both are one root cause as triage counts
 * them, a key's value found and one absent taken alike (a commit lost to an older value or to
 * nothing is one loss: a Raft user's shrink was told of a drift that was not one).
 */
export function shrinkDriftNote(original: { readonly invariant: string; readonly message: string } | undefined, shrunk: { readonly message: string }): string | undefined {
  const loss = (message: string): string => causeShape(message).replace(foundValue, '<value>');
  if (original === undefined || loss(original.message) === loss(shrunk.message)) return undefined;
  return `note: the shrunk plan (above) fails ${original.invariant} another way than the input did, which failed it as: ${clipped(withoutHints(original.message), shapeCharsMax)}. A shrink keeps the invariant, not the message, so this may be another bug of it; fix it and shrink again to reach the first, or replay the input's plan`;
}

/** A value in a root cause's shape, or the word saying there is none. */
const foundValue = /0x… \(N bytes\)|\babsent\b/g;

/** Characters of a shape's start kept before its distinguishing part, when its clip is another's too. */
const shapeStartChars = 50;

/**
 * The shapes of `groups` as their summary lines show them: clipped at {@link shapeCharsMax}, but
 * where two clips of one invariant read the same, the start and then where the shape differs from
 * theirs (a new user's three root causes of one refusal read alike: they differed only in a note
 * past the clip, of media damage or of a repaired refusal).
 */
export function shapeHeadings(groups: readonly { readonly invariant: string; readonly shape: string }[]): string[] {
  const clips = groups.map((group) => clipped(group.shape, shapeCharsMax));
  return groups.map((group, i) => {
    const alike = groups.filter((other, j) => j !== i && other.invariant === group.invariant && clips[j] === clips[i]);
    if (alike.length === 0) return clips[i]!;
    const shape = group.shape;
    const diverge = Math.min(...alike.map((other) => commonPrefixLength(other.shape, shape)));
    const room = shapeCharsMax - shapeStartChars - 2;
    // Where this shape goes on past the others, its end; else a little before where it differs.
    const from = diverge >= shape.length ? Math.max(0, shape.length - room) : Math.max(0, diverge - 30);
    const at = from === 0 ? 0 : shape.indexOf(' ', from) + 1;
    if (at <= shapeStartChars) return clipped(shape, shapeCharsMax);
    return `${shape.slice(0, wordEnd(shape, shapeStartChars))}… ${clipped(shape.slice(at), room)}`;
  });
}

function commonPrefixLength(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Whether every run failed in the harness before testing anything: violations, all `harness`
 * (a workload's open that never completed with faults off), no fault injected, nothing
 * acknowledged (a new user's misnamed export: 100 seeds, and a coverage table of zeros).
 */
function endedInHarness(result: CampaignResult): boolean {
  return result.seeds > 0 && result.violations.length > 0 && result.violations.every((violation) => violation.invariant === 'harness')
    && acknowledgedTotal(result) === 0 && Object.values(result.faults).every((count) => (count ?? 0) === 0);
}

/** Scenarios named on a root cause's line; the rest are counted. */
const groupScenariosNamedMax = 3;
/** Trace events printed before and after a failed check. */
const traceContextBefore = 30;
const traceContextAfter = 5;

function faultLine(faults: Readonly<Record<FaultKind, number>>, kinds: readonly FaultKind[] = faultKinds): string {
  return kinds.map((kind) => `${kind} ${faults[kind] ?? 0}`).join(', ');
}

/**
 * The (site x kind) coverage table: counts, `*` on targeted cells, `!` on targeted cells with
 * no fault, `-` on targeted cells no I/O could take, followed by lines naming the
 * targeted-but-missed cells and the unreachable ones; one line when no seed ran (nothing to say
 * of any cell).
 */
export function coverageTable(result: CampaignResult): string[] {
  if (result.seeds === 0) return ['no seed ran: no fault was injected anywhere'];
  const cells = coverageCells(result);
  // The columns of the cells: kinds injected or targeted (a kind neither has no cell).
  const kinds = reportedFaultKinds(result);
  const sites = sitesOf(result);
  const siteWidth = Math.max(...sites.map((site) => site.length), 'site'.length);
  const widths = kinds.map((kind) => Math.max(kind.length, ...cells.filter((cell) => cell.kind === kind).map((cell) => String(cell.count).length + 1)));
  const lines = [['site'.padEnd(siteWidth), ...kinds.map((kind, i) => kind.padStart(widths[i]!))].join('  ')];
  for (const site of sites) {
    const row = kinds.map((kind, i) => {
      const cell = cells.find((c) => c.phase === site && c.kind === kind)!;
      const mark = cell.unreachable ? '-' : cell.bySibling ? '~' : !cell.targeted ? ' ' : cell.count === 0 ? '!' : '*';
      return `${cell.count}${mark}`.padStart(widths[i]! + 1);
    });
    lines.push([site.padEnd(siteWidth), ...row].join(' '));
  }
  const missed = missedTargets(result);
  const unreachable = unreachableTargets(result);
  const bySibling = cells.some((cell) => cell.bySibling);
  lines.push(`(* targeted, ! targeted but never hit${unreachable.length > 0 ? ', - targeted, but no I/O there could take it' : ''}${bySibling ? ', ~ targeted, met at its sibling (the other data write, append or write; a lost name at a listing or an open)' : ''})`);
  const hit = cells.filter((cell) => cell.targeted && !cell.unreachable && cell.count > 0).length;
  const verdict = hit > 0 ? 'every targeted cell was hit' : 'no targeted cell could take its fault: none was hit';
  lines.push(missed.length === 0 ? verdict : `targeted but missed: ${missed.map((cell) => `${cell.phase} x ${cell.kind}`).join(', ')}`);
  if (unreachable.length > 0) lines.push(`targeted, but no seed's I/O could take it (not counted): ${unreachableLine(unreachable)}`);
  return lines;
}

/**
 * `note: 1 targeted cell no seed could hit, since no I/O there could take its fault: fsync x
 * fsync-error (not counted as missed)`, or nothing: what `run` and `ci` print to stderr, once.
 */
export function unreachableNote(result: CampaignResult): string | undefined {
  const cells = unreachableTargets(result);
  if (cells.length === 0 || result.seeds === 0 || endedInHarness(result)) return undefined;
  const count = cells.length === 1 ? '1 targeted cell' : `${cells.length} targeted cells`;
  return `note: ${count} no seed could hit, since no I/O there could take its fault: ${unreachableLine(cells)} (not counted as missed)`;
}

/** Below this many acknowledged operations a seed, a library campaign checks little: {@link fewAcknowledgedNote}. */
export const acknowledgedPerSeedLow = 1;

/**
 * A note when a library workload's seeds acknowledge less than one operation each on average
 * (and more than none: none at all is "nothing tested"): crashes and faults cut most runs short
 * before an operation finishes, as they do for a library that makes dozens of I/Os per
 * operation (a git commit) at the default rates, so few promises are left to check.
 */
export function fewAcknowledgedNote(result: CampaignResult): string | undefined {
  if (result.subject?.kind !== 'library' || result.seeds === 0) return undefined;
  const acknowledged = acknowledgedTotal(result);
  const perSeed = acknowledged / result.seeds;
  if (acknowledged === 0 || perSeed >= acknowledgedPerSeedLow) return undefined;
  return `note: ${acknowledged} operations acknowledged over ${result.seeds} seeds (${perSeed.toFixed(2)} a seed): crashes and faults end most runs before an operation finishes, so few promises are checked; for a library that makes many I/Os per operation, lower the workload's fault rates (faults: { rates: ... }, README "Testing any Node library")`;
}

/**
 * For a library campaign that found nothing on a disk that kept each directory's operations in
 * journal order (the default): what it could not show. A new user's store deleted its old index
 * before the rename that replaced it was durable; 3,500 seeds and explore passed it, and 8 of
 * 300 seeds failed with `dirOrder: 'per-name'`.
 * @param dirOrder - the directory order the workload's plans run on
 */
export function journalOrderNote(result: CampaignResult, dirOrder: string | undefined): string | undefined {
  if (result.subject?.kind !== 'library' || result.seeds === 0 || result.violations.length > 0 || dirOrder === 'per-name') return undefined;
  return 'note: no violation with each directory\'s operations kept in the order they were made, as ext4\'s and XFS\'s journals keep them; a bug that needs them reordered (an old file unlinked before the rename that replaces it is durable, on a file system without one ordered journal) shows only with the workload\'s faults: { dirOrder: \'per-name\' } (README "Known limits")';
}

/** What the end-of-campaign summary knows beyond the result. */
export interface SummaryOptions {
  /** The folder the reports were written to, when they were. */
  readonly reportDir?: string;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `checkpoint-prune, wal-append +2`: the scenarios a root cause failed in. */
function groupScenarios(group: RootCauseGroup): string {
  const names = [...new Set(group.runs.map((run) => run.scenario))];
  const more = names.length - groupScenariosNamedMax;
  return names.slice(0, groupScenariosNamedMax).join(', ') + (more > 0 ? ` +${more}` : '');
}

/** What the summary adds when some runs have a second root (harness/triage.ts): their count. */
function splitRoots(groups: readonly RootCauseGroup[]): string {
  const seeds = new Set<string>();
  let roots = 0;
  for (const run of groups.flatMap((group) => group.runs)) {
    roots++;
    seeds.add(`${run.scenario}\u0000${run.seed}`);
  }
  const split = roots - seeds.size;
  return split === 0 ? '' : `, and in ${plural(split, 'run')} the first on its own path after a second look's`;
}

/**
 * A failing campaign by root cause: `273 of 550 seeds failed`, then one entry per root cause
 * (harness/triage.ts), largest first: how many seeds, the invariant and the message shape, and
 * the repro line of its first seed; the root causes not listed are counted and pointed to; last,
 * what to do next (shrink the first root cause).
 */
function failingLines(result: CampaignResult, options: SummaryOptions): string[] {
  const failing = result.failingSeeds ?? new Set(result.violations.map((v) => `${v.scenario}\u0000${v.seed}`)).size;
  const groups = rootCauseGroups(result.violations, result.scenarios);
  const total = result.violations.length + (result.violationsOmitted ?? 0);
  const followOns = groups.reduce((sum, group) => sum + group.runs.reduce((runSum, run) => runSum + run.followOns.length, 0), 0);
  // A campaign keeps the violations of its first failing runs only (harness/aggregate.ts): say the root causes are theirs.
  // Seeds, not runs: a seed whose second look and own path failed differently is in two groups.
  const kept = new Set(groups.flatMap((group) => group.runs.map((run) => `${run.scenario}\u0000${run.seed}`))).size;
  const among = kept < failing ? ` among the first ${kept} failing seeds, whose violations were kept` : '';
  const lines = [`violations: ${failing} of ${result.seeds} seeds failed, ${plural(total, 'violation')}; `
    + `${plural(groups.length, 'root cause')}${among} (each run's first violation${splitRoots(groups)}; ${followOns} follow-on complaint${followOns === 1 ? '' : 's'} folded under it)`];
  const width = String(Math.max(...groups.map((group) => group.runs.length))).length;
  // A hint a power loss adds (harness/triage.ts hintsOf) is the same advice in every run: given once, below.
  const hinted: { run: string; hint: string }[] = [];
  const listed = groups.slice(0, groupsListedMax);
  const headings = shapeHeadings(listed);
  for (const [index, group] of listed.entries()) {
    const first = group.runs[0]!;
    const hints = hintsOf(first.root.message);
    if (hints.length > 0) hinted.push({ run: runName(first.root.scenario, first.root.seed), hint: hints[0]! });
    lines.push(`  ${String(group.runs.length).padStart(width)} ${group.runs.length === 1 ? 'seed ' : 'seeds'}  [${group.invariant}] ${headings[index]}${hints.length > 0 ? ' (+)' : ''}  (${groupScenarios(group)})`);
    // The shape masks what varies (numbers, quoted text): show the first run's own words too, and
    // which seed it was even when nothing varies (the repro line below names it only in its arguments).
    const own = withoutHints(first.root.message);
    lines.push(`  ${' '.repeat(width)}        ${runName(first.root.scenario, first.root.seed)}: ${clipped(own, exampleCharsMax)}`);
    lines.push(`  ${' '.repeat(width)}        repro: ${first.root.repro}`);
    // The seed's first violation is another root cause's (a second look's): shrinking it alone would shrink that one.
    const shrink = first.afterLook === true ? nextShrinkCommand(first.root, true) : undefined;
    if (shrink !== undefined) lines.push(`  ${' '.repeat(width)}        shrink: ${shrink} (its first violation on its own path; the seed's first was a second look's)`);
    const faultFree = needsNoFaultLine(group);
    if (faultFree !== undefined) lines.push(`  ${' '.repeat(width)}        ${faultFree}`);
  }
  if (hinted.length > 0) lines.push(`  (+) ${plural(hinted.length, 'root cause')} above followed a power loss that, in ${hinted[0]!.run}, ${hinted[0]!.hint.replace(/^the power loss before it /, '')}`);
  const rest = groups.slice(groupsListedMax);
  if (rest.length > 0) {
    const seeds = rest.reduce((sum, group) => sum + group.runs.length, 0);
    const where = options.reportDir !== undefined ? `listed in ${options.reportDir}/report.html and summary.md` : 'write them all with --report DIR, or print them with --json';
    lines.push(`  ... and ${plural(rest.length, 'more root cause')} (${plural(seeds, 'seed')}): ${where}`);
  }
  lines.push(...hiddenInvariantLines(groups));
  if (result.violationsOmitted !== undefined && result.violationsOmitted > 0) {
    lines.push(`  (${plural(result.violationsOmitted, 'violation')} of later failing seeds counted, not kept: the first ${result.violations.length} are grouped above)`);
  }
  const first = groups[0]?.runs[0];
  if (first !== undefined) {
    const shrink = nextShrinkCommand(first.root, first.afterLook === true);
    lines.push(shrink === undefined
      ? `next: rerun the first root cause: ${first.root.repro}`
      : `next: shrink the first root cause to a minimal plan: ${shrink}`);
  }
  return lines;
}

/**
 * The violations that are code throwing, not data found wrong: a workload's invariant check that
 * threw, an engine's programming error, the harness's own. After a run's first violation they are
 * rarely its consequence (a lost commit makes later reads disagree, not code throw).
 */
const errorInvariants: ReadonlySet<string> = new Set(['invariants-threw', 'engine-error', 'harness']);

/**
 * The errors thrown only after a run's first violation ({@link errorInvariants}), which no root
 * cause shows: one line each, with how many runs and one message. A workload's invariant check
 * that throws once the library lost data (reading a field of `undefined`) is the usual one: a bug
 * in the workload, or the library, that the root causes alone would hide.
 */
function hiddenInvariantLines(groups: readonly RootCauseGroup[]): string[] {
  const shown = new Set(groups.map((group) => group.invariant));
  const hidden = new Map<string, { runs: number; message: string }>();
  for (const run of groups.flatMap((group) => group.runs)) {
    for (const invariant of new Set(run.followOns.map((violation) => violation.invariant))) {
      if (shown.has(invariant) || !errorInvariants.has(invariant)) continue;
      const seen = hidden.get(invariant);
      if (seen !== undefined) seen.runs++;
      else hidden.set(invariant, { runs: 1, message: run.followOns.find((violation) => violation.invariant === invariant)!.message });
    }
  }
  return [...hidden].map(([invariant, { runs, message }]) => `  also thrown, only after a run's first violation: [${invariant}] in ${plural(runs, 'seed')}, e.g. ${message}`);
}

/**
 * The end-of-campaign summary (`run`, `merge`, `ci`).
 * @param options - where the reports went, so the summary can point there
 */
export function campaignSummary(result: CampaignResult | CampaignOutcome, options: SummaryOptions = {}): string[] {
  const outcome = result as Partial<CampaignOutcome>;
  const lines: string[] = [];
  const shard = result.shard ? ` (shard ${result.shard})` : '';
  const subject = subjectLine(result);
  const description = result.subject?.description;
  if (subject !== undefined && description !== undefined) {
    // A library workload is its own unit: its author's words say more than its name again.
    const others = result.scenarios.filter((unit) => unit !== result.subject?.name);
    lines.push(`${subject}: ${description}${others.length > 0 ? `; also ${others.join(', ')}` : ''}${shard}`);
  } else {
    lines.push(`${subject === undefined ? '' : `${subject}: `}${result.subject?.kind === 'library' ? 'workload' : 'scenarios'} ${result.scenarios.join(', ')}${shard}`);
  }
  const unran = result.scenarios.filter((unit) => (result.perScenario[unit]?.seeds ?? 0) === 0);
  // Seeds run scenario by scenario: a budget spent early leaves the later scenarios untested, which must not go unsaid.
  const interrupted = outcome.interrupted === true;
  const untested = unran.length > 0 && result.seeds > 0 ? `; ${unran.length} of ${result.scenarios.length} scenarios ran no seed: ${unran.join(', ')}${interrupted ? '' : ' (seeds run scenario by scenario: give fewer --seeds, a larger --time-budget, or --scenario)'}` : '';
  const planned = outcome.seedsPlanned !== undefined && outcome.seedsPlanned !== result.seeds ? ` of ${outcome.seedsPlanned} planned (${interrupted ? 'interrupted' : 'time budget reached'}${untested})` : '';
  const jobs = outcome.jobs !== undefined ? `, jobs ${outcome.jobs}` : '';
  // ci replays its regression corpus as one more unit, a plan a "seed": say how many, so --seeds 50 reading 56 is no puzzle.
  const corpusPlans = result.scenarios.at(-1) === corpusUnit ? result.perScenario[corpusUnit]?.seeds ?? 0 : 0;
  const corpus = corpusPlans > 0 ? ` (${corpusPlans} of them ${corpusPlans === 1 ? 'a regression plan' : 'regression plans'} replayed)` : '';
  lines.push(`seeds run: ${result.seeds}${corpus}${planned} in ${(result.elapsedMs / 1000).toFixed(1)} s, ${seedRate(result.seedsPerSecond)}${jobs}`);
  lines.push(`digest: ${result.digest}`);
  lines.push(...determinismLines(result, String).map((line, index) => (index === 0 ? line : `  ${line}`)));
  // No seed ran: no figure below would mean anything, and "violations: none" would read as a pass.
  if (result.seeds === 0) return [...lines, 'violations: none found, because no seed ran'];
  if (result.violations.length === 0 && !result.violationsOmitted) {
    // Said here, where the eye lands, not only in the exit line after the tables.
    const untestedWhy = result.seeds > 0 && outcome.ioCount !== undefined ? untestedReason({ ...result, ioCount: outcome.ioCount }) : undefined;
    lines.push(untestedWhy === undefined ? 'violations: none' : `violations: none, but nothing was tested: ${untestedWhy}`);
  }
  else lines.push(...failingLines(result, options));
  // The promises the checks held the code to: a store that fails most operations after a full disk has few.
  if (result.seeds > 0) {
    const acknowledged = acknowledgedTotal(result);
    lines.push(`acknowledged: ${acknowledged} ${acknowledgedWord(result)}, ${(acknowledged / result.seeds).toFixed(1)} a seed`);
  }
  // The tables below would only list zeros, and read as a campaign that tested something.
  if (endedInHarness(result)) return [...lines, 'no fault injected, nothing acknowledged: every run ended at the root cause above before it tested anything'];
  // The report's columns: kinds injected or targeted (a targeted kind never injected shows its 0).
  lines.push(`faults by kind: ${faultLine(result.faults, reportedFaultKinds(result))}`);
  lines.push(...probeLines(result));
  lines.push(...looksLines(result, String));
  if (result.findings !== undefined) {
    lines.push(`findings apart from violations: ${result.findings.count} (not failures: the engine's own design broken where no user can see it, e.g. a file it publishes atomically torn right after a crash, which recovery repairs; or commits lost to media damage that its damage contract allows)`);
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
    // Grouped as summary.json groups them (a new user grouped the violations himself).
    rootCauses: rootCausesJson(result),
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
 * The trace events around the check that found the run's first violation, its root cause (or
 * the last events when nothing failed), with a header line saying which. The runner records
 * each failed check as a `check` event named after the invariant, with the message as its
 * detail; a check of the same invariant with another message is a later complaint.
 */
export function traceExcerpt(result: RunResult): string[] {
  const trace = result.trace;
  const first = result.violations[0];
  const isCheckOf = (event: TraceEvent, exact: boolean): boolean => first !== undefined && event.type === 'check'
    && event.name === first.invariant && (!exact || event.detail === first.message);
  const exactAt = trace.findIndex((event) => isCheckOf(event, true));
  const at = exactAt >= 0 ? exactAt : trace.findIndex((event) => isCheckOf(event, false));
  if (at < 0) {
    const tail = trace.slice(-(traceContextBefore + traceContextAfter));
    return [`last ${tail.length} of ${trace.length} trace events:`, ...tail.map((event) => `  ${traceLine(event)}`)];
  }
  const start = Math.max(0, at - traceContextBefore);
  const window = trace.slice(start, at + traceContextAfter + 1);
  const earlier = [...faultsBefore(trace, start), ...powerLossNotesBefore(trace, start, at), ...changesSinceRestart(trace, start)].sort((a, b) => a.seq - b.seq);
  const look = first?.look === undefined || trace[0]?.seq !== 0 ? undefined : ioEvent(trace, first.look.io);
  return [
    `trace events ${start}..${start + window.length - 1} of ${trace.length}, around the failed check (#${trace[at]!.seq}, marked >):`,
    ...earlier.map((event) => `  (earlier) ${traceLine(event)}`),
    // A second look's check is traced when the look runs, after the crash it looks at: where that crash struck.
    ...(look === undefined ? [] : [`  (the second look's crash strikes right before) ${traceLine(look)}`]),
    ...window.map((event) => `${event === trace[at] ? '> ' : '  '}${traceLine(event)}`),
  ];
}

/** The trace event of global I/O `io` (the `io`-th `io` event, from 0), if the trace holds it. */
function ioEvent(trace: readonly TraceEvent[], io: number): TraceEvent | undefined {
  let count = 0;
  for (const event of trace) {
    if (event.type !== 'io') continue;
    if (count === io) return event;
    count++;
  }
  return undefined;
}

/** How many of the faults, crashes and restarts before an excerpt's window it shows above it (the last ones). */
export const earlierFaultsShown = 8;

/**
 * The faults, crashes and restarts that fall before the window starting at `start`, the last
 * {@link earlierFaultsShown} of them: what most often caused the failed check (a bit flip read
 * 40 events earlier), which a new user otherwise had to dig out of `--trace`.
 */
function faultsBefore(trace: readonly TraceEvent[], start: number): TraceEvent[] {
  return trace.slice(0, start).filter((event) => event.type === 'fault' || event.type === 'crash' || event.type === 'restart').slice(-earlierFaultsShown);
}

/** The I/O that changes what a disk holds or makes it durable, by the names the trace gives it. */
const diskChanges: ReadonlySet<string> = new Set(['write', 'append', 'truncate', 'rename', 'unlink', 'link', 'symlink', 'mkdir', 'rmdir', 'sync', 'datasync', 'syncDir']);

/**
 * The last {@link earlierFaultsShown} I/Os that changed the disk or synced it between the last
 * restart before the window starting at `start` and the window: what a recovery did before the
 * check that failed after it (a new user's page store rolled forward from an unsynced buffer,
 * and its writes fell before the window).
 */
function changesSinceRestart(trace: readonly TraceEvent[], start: number): TraceEvent[] {
  let restart = -1;
  for (let i = start - 1; i >= 0; i--) {
    if (trace[i]!.type === 'restart') {
      restart = i;
      break;
    }
  }
  if (restart < 0) return [];
  return trace.slice(restart + 1, start).filter((event) => event.type === 'io' && diskChanges.has(event.name)).slice(-earlierFaultsShown);
}

/** Notes a power loss is traced with, which violation messages point to ("the trace's dir-order note names them"). */
const powerLossNoteNames: ReadonlySet<string> = new Set(['dir-order', 'dir-sync-lost', 'dir-lost']);

/**
 * The power-loss notes (of the last power loss before the check at `at`, or of a second look
 * since) that fall before the window starting at `start`: shown above the window, so that a
 * message pointing to one finds it.
 */
function powerLossNotesBefore(trace: readonly TraceEvent[], start: number, at: number): TraceEvent[] {
  let restart = -1;
  for (let i = at; i >= 0; i--) {
    if (trace[i]!.type === 'restart' && trace[i]!.name === 'power-loss') {
      restart = i;
      break;
    }
  }
  if (restart >= start) return [];
  return trace.slice(restart + 1, start).filter((event) => event.type === 'note' && powerLossNoteNames.has(event.name));
}

/** A stack frame with the working directory's path left out (`readPage (./db/engine.ts:123:45)`). */
function shownFrame(frame: string): string {
  const cwd = process.cwd();
  return frame.split(`${cwd}/`).join('./');
}

/** How many violations a run found, and which are its root causes (harness/triage.ts). */
function violationsLine(violations: RunResult['violations']): string {
  if (violations.length <= 1) return `violations: ${violations.length === 0 ? 'none' : 1}`;
  const own = ownPathAfterLook(violations);
  if (own === undefined) return `violations: ${violations.length}, in the order found: the first is the root cause, the others most likely follow from it`;
  return `violations: ${violations.length}, in the order found: two root causes, the first (a second look's, on a disk the run did not go on with) and violation ${own + 1} (on the run's own path); the others most likely follow from the one before them`;
}

/** The clause a library workload's violation names its crash with (targets/runner.ts `describeCrash`). */
const libraryCrashClause = /\(after (?:the final |kill-9|power-loss|the process died)/;

/** The result of one run (`repro`, `replay`) after the subject's plan lines. */
export function runSummary(planLines: readonly string[], result: RunResult, reproduce: string, allEvents = false): string[] {
  const lines = [
    ...planLines,
    `result: ${result.ioCount} I/O, ${result.crashes} ${result.crashes === 1 ? 'crash' : 'crashes'} (states ${result.crashStates.map((state, i) => (result.crashKinds?.[i] === 'kill-9' ? 'kill-9' : String(state))).join(', ') || 'none'}), ${result.acknowledged} acknowledged, `
      + `${plural(result.failedOperations, 'operation')} failed while faults were on, ${result.detected} damage detected; digest ${result.digest}`,
    `faults fired: ${faultLine(result.faults)}`,
    violationsLine(result.violations),
  ];
  for (const [index, violation] of result.violations.entries()) {
    // A library's message ends saying when it was found (`(after the final kill-9)`): not said twice.
    const where = violation.step >= 0 ? `step ${violation.step}` : libraryCrashClause.test(violation.message) ? undefined : 'after the steps';
    const parts = [where, violation.key !== undefined ? `key ${violation.key}` : undefined, violation.lsn !== undefined ? `lsn ${violation.lsn}` : undefined].filter((part) => part !== undefined);
    lines.push(`  ${result.violations.length > 1 ? `${index + 1}. ` : ''}[${violation.invariant}] ${violation.message}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`);
    for (const frame of violation.thrownAt ?? []) lines.push(`      at ${shownFrame(frame)}`);
  }
  for (const finding of result.findings ?? []) lines.push(`  finding (apart from violations): [${finding.invariant}] ${finding.message}`);
  if (result.violations.length > 0) lines.push(`reproduce: ${reproduce}`);
  const look = result.violations[0]?.look;
  if (look !== undefined) {
    const rot = look.rot;
    const pinned = look.beforeStep !== undefined ? `a power loss before step ${look.beforeStep}`
      : rot === undefined ? 'that crash state at that crash' : `${rot.fault === 'bit-flip' ? 'bit' : 'sector'} ${rot.at} of ${rot.path} ${rot.fault === 'bit-flip' ? 'flipped' : 'damaged'}${rot.read === undefined ? '' : ` at I/O ${rot.read}`}`;
    lines.push(`the first violation was found by a second look at crash ${look.crash + 1}, not on the run's own path: the trace below is the run's; `
      + `\`shrink\` moves it onto the path (${pinned}, no fault after that crash) and its plan's trace shows the recovery that failed`);
  }
  lines.push(...(allEvents ? [`all ${result.trace.length} trace events:`, ...result.trace.map((event) => `  ${traceLine(event)}`)] : traceExcerpt(result)));
  return lines;
}
