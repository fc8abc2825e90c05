/**
 * What every command shares about subjects: the `--engine FILE` / `--target FILE` options, the
 * subject they name, and the plan a command works on (`--scenario S --seed N`, a library's
 * `--seed N`, or `--plan FILE`). The commands stay free of any branch on the kind of subject.
 */
import type { Command } from 'commander';
import { nearestName, type BasePlan, type Subject, type SubjectSpec } from '../harness/index.ts';
import { readJsonDocument } from '../sim/index.ts';
import { loadSubject, openPlan } from '../subjects/load.ts';
import { UsageError } from './errors.ts';
import { integerOption } from './options.ts';

/** The options naming a subject. */
export interface SubjectFlags {
  readonly engine?: string;
  readonly target?: string;
  readonly looks?: number;
}

/** The options naming one plan. */
export interface PlanFlags extends SubjectFlags {
  readonly scenario?: string;
  readonly seed?: number;
  readonly plan?: string;
}

/** Adds `--engine FILE` and `--target FILE` to a command. */
export function subjectOptions(command: Command): Command {
  return command
    .option('--engine <file>', 'a module whose default export is your engine (see defineEngine; default: the reference engine)')
    .option('--target <file>', 'a module whose default export is a library workload (see defineWorkload) instead of an engine')
    .option('--looks <n>', 'second looks: other disks each power loss could have left (and, where bits flip or sectors fail, each crash with a rotted bit or sector, and a power loss after a failed fsync, or after an open, a durable commit, a sync, an operation a library acknowledged or a clean close that left writes unsynced, or a rename of a file whose data was not synced), recovered and checked (default: 5 for a library workload and in the scenarios about power loss, bit rot and fsync failures; 0: none)', integerOption(0));
}

/** The subject the flags name. @throws {@link UsageError} for both flags at once */
export function specOf(flags: SubjectFlags): SubjectSpec {
  if (flags.engine !== undefined && flags.target !== undefined) throw new UsageError('give either --engine or --target, not both');
  const looks = flags.looks === undefined ? {} : { looks: flags.looks };
  if (flags.target !== undefined) return { kind: 'library', module: flags.target, ...looks };
  return { kind: 'engine', module: flags.engine, ...looks };
}

/** Loads the subject the flags name (one-line errors, exit 2). */
export function subjectOf(flags: SubjectFlags): Promise<Subject> {
  return loadSubject(specOf(flags));
}

/**
 * Reads a plan file and opens it for the subject it names: an `--engine` given reruns an engine
 * plan on that engine, a `--target` a workload's plan on that workload (a fixed copy, say, even
 * under another name: the note on stderr says so).
 */
export async function planFile(file: string, flags: SubjectFlags): Promise<{ subject: Subject; plan: BasePlan }> {
  if (flags.engine !== undefined && flags.target !== undefined) throw new UsageError('give either --engine or --target, not both');
  if (flags.looks !== undefined) throw new UsageError('a plan file holds its own second looks (its "looks" field): give --plan FILE without --looks');
  const opened = await openPlan(await readJsonDocument(file), file, { engine: flags.engine, target: flags.target, renameWorkload: true });
  if (opened.note !== undefined) process.stderr.write(`powercut: ${opened.note}\n`);
  return opened;
}

/**
 * The plan named by `--plan FILE`, or by the subject flags with `--scenario S --seed N` (a
 * library workload: `--seed N`).
 * @throws {@link UsageError} when the flags do not name exactly one plan
 */
export async function planOf(flags: PlanFlags): Promise<{ subject: Subject; plan: BasePlan }> {
  if (flags.plan !== undefined) {
    if (flags.scenario !== undefined || flags.seed !== undefined) throw new UsageError('give --plan FILE, or --seed S (with --scenario NAME for an engine), not both');
    return planFile(flags.plan, flags);
  }
  const subject = await subjectOf(flags);
  if (flags.seed === undefined) throw new UsageError('--seed S is required (or --plan FILE)');
  return { subject, plan: subject.plan(unitOf(subject, flags.scenario), flags.seed) };
}

/** The unit `--scenario` names (a library workload has one, its own). @throws {@link UsageError} */
export function unitOf(subject: Subject, scenario: string | undefined): string {
  if (subject.units.length === 1 && subject.spec.kind === 'library') {
    if (scenario !== undefined) throw new UsageError('--scenario has no meaning with --target (a workload is its own scenario)');
    return subject.units[0]!;
  }
  if (scenario === undefined) throw new UsageError(`--scenario NAME is required (one of: ${subject.units.join(', ')})`);
  if (!subject.units.includes(scenario)) {
    const near = nearestName(scenario, subject.units);
    throw new UsageError(`unknown scenario ${JSON.stringify(scenario)}${near === undefined ? '' : ` (did you mean ${near}?)`} (see: powercut list)`);
  }
  return scenario;
}

/**
 * The scenarios `--scenario` lists, space- or comma-separated (`--scenario a b`, `--scenario a,b`);
 * `undefined` when the flag was not given.
 */
export function scenarioList(given: readonly string[] | undefined): string[] | undefined {
  return given?.flatMap((name) => name.split(',')).map((name) => name.trim()).filter((name) => name !== '');
}
