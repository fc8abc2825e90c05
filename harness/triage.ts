/**
 * Triage: a failing campaign's violations by run and by root cause, in the order a person works
 * through them.
 *
 * A run's first violation (the first check that failed in it) is its root; the violations the run
 * found after it are follow-on complaints, most often the same damage seen again by a later check
 * (a lost commit is also a hole in the prefix, then a wrong read), and are folded under it. One
 * exception: a root a second look found, on a disk the run itself never went on with, causes
 * nothing on the run's own path, so the first violation found there, when it complains of
 * something else, is a root of its own (a lost rename in a look, then a torn file after a kill -9
 * on the run's path: two bugs), with the violations after it as its follow-ons. Runs
 * whose roots break the same invariant with a message of the same shape, numbers and hex values
 * masked and a library's crash clause cut to the kinds of crashes, form one group: presumably
 * one bug, seen in many seeds. Groups come largest first, so
 * the first group is the bug that fails most seeds.
 *
 * What it does not do: tell apart two bugs that complain in the same words, or join one bug that
 * shows as two messages. The shape is a heuristic; no run is dropped, each stays in its group.
 */
import type { Violation } from '../sim/index.ts';
import { lookPrefix } from '../sim/index.ts';
import { compareStrings } from './violations.ts';

/** One failing run: the violation it found first and the ones it found after. */
export interface FailingRun {
  readonly scenario: string;
  readonly seed: number;
  /** The first violation the run found: its root cause. */
  readonly root: Violation;
  /** Its other violations, in the order they were found. */
  readonly followOns: readonly Violation[];
  /**
   * Whether this is the run's second root, of another invariant than its first: the first
   * violation on its own path, after a second look's ({@link ownPathAfterLook}). A shrink of the
   * seed, which keeps its first violation's invariant, would shrink the look's: this one's needs
   * `--invariant`.
   */
  readonly afterLook?: true;
}

/** Runs whose roots break the same invariant with the same message shape. */
export interface RootCauseGroup {
  readonly invariant: string;
  /** The roots' message with numbers and hex values masked, and its crash clause cut to the kinds of crashes (see {@link causeShape}). */
  readonly shape: string;
  /** The runs, in campaign order (scenario as the campaign lists them, then seed). */
  readonly runs: readonly FailingRun[];
}

/**
 * What varies from seed to seed in a message: values as sim/checkers/values.ts prints them, a
 * quoted text before its length (`"k3@12.0"… (43 bytes)`), hex (`0x6b31…`, or `0x` for no bytes)
 * or both (`"k3@12.0:"+0x00ff… (40 bytes)`); any other text in double quotes, which a workload's
 * check quotes as data (`doc holds "version 3"`, `message "m5:xxxx" is missing`), while Node's
 * errors put paths in single quotes, which stay; a random id, as `<id>`: a UUID, a word of 16
 * or more letters, digits, `-` and `_` with a digit and letters of both cases (automerge's base58
 * document ids, nanoids: one bug of a new user's automerge campaign read as 129 root causes), or
 * of 20 or more lower-case letters and digits with both (a cuid), but not a package's name of
 * words apart by `-` (`msgpackr-extract-linux-x64`, which a lmdb user read as `<id>`); hex
 * names of 8 or more characters mixing digits and letters, a word of their own (a library's
 * hashed file name, a temporary file's random suffix); a key a workload names without digits
 * or quotes (`key c unreadable`, which a drawn key's digits would mask anyway), unless it is a
 * word of the sentence (`a key no commit ever wrote`); path segments of
 * two hex digits in a row (`/9f/86/`, a content-addressed store's fan-out folders: cacache) and
 * the suffix of a temporary name after `tmp-` or `tmp.`, all digits or not (atomically's
 * `cfg.json.tmp-1733` and `tmp-17a3`), both `<hex>`; then any run of digits but the 9 of
 * `kill -9` (or `kill-9`), which names a crash, the 8 of `utf-8`, which names an encoding, the 4
 * of `ext4`, which names a file system, and the section of a manual page (`write(2)`), which names
 * a call.
 */
const variablePart = /"(?:[^"\\]|\\.)*"…?(?:\+0x[0-9a-fA-F]*…?)?(?= \(\d+ bytes?\))|"(?:[^"\\]|\\.)*"|0x[0-9a-fA-F]*…?|(?<![0-9A-Za-z_-])(?!tmp[-.])(?:[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|(?=[0-9A-Za-z_-]*\d)(?=[0-9A-Za-z_-]*[a-z])(?=[0-9A-Za-z_-]*[A-Z])[0-9A-Za-z_-]{16,}|(?=[0-9a-z]*\d)(?=[0-9a-z]*[a-z])[0-9a-z]{20,})(?![0-9A-Za-z_-])|(?<![0-9A-Za-z])(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}(?![0-9A-Za-z])|(?<=\/)[0-9a-fA-F]{2}(?:\/[0-9a-fA-F]{2})+(?=\/)|(?<=tmp[-.])[0-9a-fA-F]+(?![0-9A-Za-z])|(?<=\bkey )(?!(?:no|not|that|the|of|in|is|was|with|which|it|to|from|and|or|too|must|should|has|had|be|are|were|size|length|name|exceeds|over|above|empty|missing|longer|larger|bytes)[\s,;:)])[^\s"(),;:0-9]+(?=[\s,;:)]|$)|(?<!kill ?-|[uU][tT][fF]-?|\bext)(?!(?<=[a-z]\()\d\))\d+/g;

/** Length from which a word of letters and digits (and `-`, `_`), of both cases, is taken for a random id. */
const idCharsMin = 16;

/** Text right after a value that gives its length: the value is bytes (text or hex), masked as such. */
const sizedAfter = /^ \(\d+ bytes?\)/;

/** What a variable part (at `offset` in `message`) is masked as in a shape. */
function maskOf(part: string, offset: number, message: string): string {
  if (part.startsWith('"')) return sizedAfter.test(message.slice(offset + part.length)) ? '0x…' : '"…"';
  if (part.startsWith('0x')) return '0x…';
  if (/^\d+$/.test(part) && !/tmp[-.]$/.test(message.slice(Math.max(0, offset - 4), offset))) return 'N';
  if (part.length >= idCharsMin && !/^[0-9a-fA-F]+$/.test(part)) return '<id>';
  return message.slice(Math.max(0, offset - 4), offset) === 'key ' ? '<key>' : '<hex>';
}

/**
 * A message with what varies from seed to seed masked: a hex value (`0x6b31…`) becomes `0x…`, a
 * hex name (`data.json.tmp-7836800000c44404`) `<hex>`, any other run of digits `N`. `commit #7,
 * acknowledged, is missing: key k3 should be 0x6b… (15 bytes)` and the same complaint about
 * commit #12 have one shape.
 */
export function messageShape(message: string): string {
  return message.replace(variablePart, maskOf);
}

/**
 * A message split into a template, where each varying part (see {@link messageShape}) is a
 * U+0000 character, and the varying parts in order: reports store the messages of one root cause
 * as its template and each run's values. Filling the template with the values gives the message.
 */
export function messageParts(message: string): { readonly template: string; readonly values: readonly string[] } {
  const values: string[] = [];
  const template = message.replace(variablePart, (match) => {
    values.push(match);
    return '\u0000';
  });
  return { template, values };
}

/**
 * A trailing clause saying after which crashes a run found the violation, as a library
 * workload's messages end (`(after power-loss during operation 3, crash state 2, then kill-9
 * during the reopen)`, targets/runner.ts `describeCrash`).
 */
const crashClause = /\s\(after ([^()]*)\)$/;

/** The crashes a clause names, in order, each kind once: `kill-9, then power-loss`. */
function crashKinds(clause: string): string {
  const kinds = clause.match(/kill-9|power-loss|an uncaught exception/g) ?? [];
  return [...new Set(kinds)].join(', then ');
}

/**
 * The crash a root cause is told apart by: a power loss if any in the clause (what only a power
 * loss loses, a missing fsync, shows whatever kill -9 came before or after it), else a kill -9
 * (a torn in-place write), else an uncaught exception. `kill-9, then power-loss` and `power-loss`
 * split a page store's one missing fsync in two.
 */
function crashClass(clause: string): string {
  const kinds = crashKinds(clause).split(', then ');
  return kinds.includes('power-loss') ? 'power-loss' : kinds.includes('kill-9') ? 'kill-9' : kinds.join(', then ');
}

/**
 * The kinds of crashes a library workload's violation followed, from its crash clause
 * (`kill-9, then power-loss`); undefined for a message without one (an engine's).
 */
export function crashKindsOf(message: string): string | undefined {
  // The hints a run adds come after the clause: without them it ends the message again.
  const clause = crashClause.exec(withoutHints(message.replace(lookPrefix, '')).replace(shortWriteHint, ''));
  return clause === null ? undefined : crashKinds(clause[1]!);
}

/**
 * The shape of a root cause: the message's shape, with a trailing crash clause cut to the kinds
 * of crashes it names, and whatever `JSON.parse` said of text that is not JSON said one way. Where in the run the crash fell (during which operation, in which crash
 * state, or at the end) varies from seed to seed; whether it was a kill -9 or a power loss says
 * which bug it is (a torn in-place write, or a missing fsync), so it stays.
 */
export function causeShape(message: string): string {
  // A regression plan's name is its identity, digits included (`bug-1`, `bug-2` are two tests).
  const plan = regressionPrefix.exec(message)?.[0] ?? '';
  return plan + shapeOf(message.slice(plan.length));
}

/** The prefix `ci` puts before a regression plan's violation (`[regression NAME] `), cli/corpus-part.ts. */
const regressionPrefix = /^\[regression [^\]]*\] /;

function shapeOf(message: string): string {
  // A second look's violation is the same bug as the run's own: the look's prefix goes.
  message = withoutHints(message.replace(lookPrefix, '')).replace(shortWriteHint, '').replace(invalidJson, notValidJson).replace(binaryWord, '<binary>').replace(quotedRefusal, '$1"…"').replace(jsonValue, maskJson).replace(cutJson, maskJson);
  const clause = crashClause.exec(message);
  if (clause === null) return listedOnce(maskedOnce(messageShape(message)));
  return `${listedOnce(maskedOnce(messageShape(message.slice(0, clause.index))))} (after ${crashClass(clause[1]!)})`;
}

/**
 * A list of masked values (`N,N,N`, `N, N`, `<binary>;<binary>`) as one: how many lines a check
 * found missing, or how many spans of garbage a torn file holds, depends on where the crash fell,
 * and a log library's one missing fsync read as 12 root causes, one per length of the list.
 */
const maskedList = /(N|<binary>)(?: ?[,;] ?\1)+/g;

function maskedOnce(shape: string): string {
  return shape.replace(maskedList, '$1');
}

/**
 * A shape whose list items of one shape in a row (`kN: read (none), expected vN(NB); kN: read
 * (none), expected vN(NB)`) are listed once: a check that lists each key it found wrong says as
 * much of one bug in each seed, and a page store's one missing fsync read as 82 root causes.
 */
function listedOnce(shape: string): string {
  return onceEach(shape.split('; ').map((part) => onceEach(part.split(', ')).join(', '))).join('; ');
}

/** `items` without each that repeats the one before it, or its end (the first item of a list carries the sentence before it). */
function onceEach(items: readonly string[]): string[] {
  const kept: string[] = [];
  for (const item of items) {
    const last = kept.at(-1);
    if (last === undefined || (last !== item && !last.endsWith(` ${item}`))) kept.push(item);
  }
  return kept;
}

/**
 * What V8's `JSON.parse` says of text that is not JSON, in its every wording: where a torn or
 * half-written file is cut, or what garbage it holds, decides which one, so a library that
 * publishes torn JSON would otherwise show one bug as a dozen root causes (nconf: 23 in 100
 * seeds). Matched anywhere in a message, each becomes {@link notValidJson}; a message cut at its
 * first line may have lost the end of the quoted text, which then runs to the crash clause. V8
 * quotes a long text in part, with dots (`Unexpected token 'x', ..."ab"... is not valid JSON`).
 */
const invalidJson = /Unexpected end of JSON input|Unexpected token [^,]*, (?:\.\.\.)?".*?(?:"(?:\.\.\.)? is not valid JSON|(?= \(after [^()]*\)$)|$)|[A-Z][^:;()"]*? (?:in|after) JSON at position \d+(?: \(line \d+ column \d+\))?/g;

/**
 * A word holding binary garbage a library quoted (targets/runner.ts `messageOf` made each span
 * `<binary>`): how many spans, and what printable bytes stuck to them, depend on where the tear
 * fell (`<binary>`, `<binary><binary>`, `<binary>"key`: a new user's one torn row read as 76 root
 * causes), so the whole word is one `<binary>`.
 */
const binaryWord = /[^\s,;()]*<binary>[^\s,;()]*/g;

/**
 * An engine's refusal as the oracle quotes it (sim/checkers/honest-failure.ts: `open refused with
 * "…" although no fault damaged durable data`): the engine's own message, masked whole as any
 * quoted text is, even when it quotes garbage it read itself (`malformed CURRENT "\u0000…"`),
 * whose quotes would otherwise cut it in pieces of a different shape in each seed (an LSM user's
 * one missing fsync read as 15 root causes).
 */
const quotedRefusal = /(refused with )"[\s\S]*?"(?= although no fault damaged durable data)/g;

/**
 * The hint that the last power loss lost a synced file's name (sim/world.ts `powerLossNote`): it
 * is given whenever such a name was lost, whether or not the failure rests on it, so one bug's
 * runs with it and without it are one root cause (a page store's user saw them split).
 */
const lostNameHint = /; the power loss before it lost [^;]*?, which named a file whose data was durable(?: \(if what failed rests on that file: [^;]*?; fsyncing the file is not enough under POSIX\)|(?::| \(if what failed rests on that file:) [^;]*?\(fsyncing the file is not enough[^)]*\)\)?)/g;

/**
 * The hint that the last power loss left a file reading bytes nothing wrote (sim/world.ts
 * `unwrittenTailNote`): some 400 characters of advice, the same for every run it is given in.
 * It is no part of a cause's shape (a page store's user saw it make most of a summary, once per
 * root cause); a summary gives it once (see {@link hintsOf}).
 */
const unwrittenTailHint = /; the power loss before it left \S+ reading bytes nothing wrote past the size it had on disk [\s\S]*?faults: \{ dataOrder: 'ordered' \}/g;

/**
 * The hint a run adds when an earlier write landed short (sim/world.ts `shortWriteNote`): left
 * out of a shape only, since whether it shows depends on whether a later write covered the gap,
 * and one library bug (acebase) grouped as two root causes with and without it.
 */
const shortWriteHint = /; earlier in the run a write to \S+ landed \d+ of \d+ bytes \(I\/O #\d+\) and nothing wrote the rest: write\(2\) may write less than asked, and a caller that ignores the count it returns leaves a torn file/;

/**
 * The hints that the last power loss lost a new directory, or directory operations a failed
 * directory fsync had left pending, or kept them out of order (sim/world.ts `powerLossNote`):
 * fixed words, given whenever it did, whether or not the failure rests on it, as
 * {@link lostNameHint} is (a snapshot store's one rot check split in two with and without one).
 */
const directoryHints = /; the power loss before it (?:kept a directory's operations out of order, as POSIX allows before the directory is synced|lost directory operations that a failed directory fsync had left pending|lost a new directory with synced names in it, because no fsync of its parent succeeded after its mkdir) \([^()]*\): [^;]*/g;

/**
 * The notes a flipped bit adds: the run's own after an injected bit flip (sim/runner.ts
 * `bitFlipNote`), a look's at a rotted bit (sim/second-look.ts `rotNote`). One bug found either
 * way is one root cause, and its shrink, moved from the look onto the run's own path, has not
 * drifted (a WAL user was told it had).
 */
const bitFlipHints = /; an injected bit flip struck a read earlier in this run \(the trace's bit-flip fault names the file\): [^;]*|; one flipped bit excuses no loss, under any damage contract: [^;]*; refuse to open \(code corruption\), or tell the flip from a tear \([^)]*\)/g;

/** `message` without the hints a run's last power loss adds (they say what it did, not what broke), nor a flipped bit's. */
export function withoutHints(message: string): string {
  return message.replace(lostNameHint, '').replace(unwrittenTailHint, '').replace(directoryHints, '').replace(bitFlipHints, '');
}

/** The hints of {@link withoutHints} in `message`, each without its leading `; `. */
export function hintsOf(message: string): string[] {
  return [...message.matchAll(unwrittenTailHint), ...message.matchAll(directoryHints)].map((match) => match[0].slice(2));
}

/**
 * A JSON object or array a workload's check prints (`store holds {"k1":"v1","k2":"v2"}`), with one
 * level of nesting: masked whole, as `{…}` or `[…]`, since how many keys it holds varies by seed
 * (a page store's user saw one bug as 164 root causes, one per key count). An empty one stays.
 */
const jsonValue = /\{(?=")(?:[^{}"]|"(?:[^"\\]|\\.)*"|\{[^{}]*\})*\}|\[(?=["{[]|-?\d[^\]]*,)(?:[^[\]"]|"(?:[^"\\]|\\.)*"|\[[^[\]]*\])*\]/g;

/**
 * JSON a message cut short (`got.slice(0, 200)`): an object or array (of strings, objects or
 * arrays: `[["k1","v1"],["k2",…`, whose whole elements {@link jsonValue} masked first) that never
 * closes, up to the parenthesis that follows it or the end. Where the cut fell, and how many keys came before it, varied with the values: a
 * snapshot store's one rot check read as 67 root causes in 96 seeds.
 */
const cutJson = /[{[](?=["{[])[^]*?(?=\s\(|$)/g;

/** What a {@link jsonValue} becomes in a shape. */
function maskJson(value: string): string {
  return value.startsWith('{') ? '{…}' : '[…]';
}

/** What {@link invalidJson} becomes in a cause's shape. */
const notValidJson = '<not valid JSON>';

/**
 * A short word glued to a number (`a3`, `b17`, `user5`) and a bare word a call is given
 * (`getItem(alpha)`): a workload's names for its keys and records, data as much as the number
 * is. Runs are grouped without them: a node-persist user's one bug read as 3 root causes, one
 * per key prefix (`a3`, `b3`) or key (`alpha`, `beta`). A group's shape still shows them.
 */
const namedNumber = /(?<![\w$-])[A-Za-z]{1,4}(?=\d+(?![\w$]))/g;
const callArgument = /(?<=[A-Za-z_$][\w$]*\()[A-Za-z_$][\w$.-]*(?=\))/g;

/** `message` with the names of {@link namedNumber} and {@link callArgument} masked, for grouping. */
function groupingForm(message: string): string {
  return message.replace(namedNumber, 'w').replace(callArgument, '…');
}

/** The key runs are grouped by: the invariant and the shape of the root cause (see {@link causeShape}), names masked ({@link groupingForm}). */
export function rootCauseKey(invariant: string, message: string): string {
  return `${invariant}\u0000${causeShape(groupingForm(message))}`;
}

/**
 * A root cause's key without the kind of crash its clause names: the same bug seen after a
 * kill -9 and after a power loss (harness/fault-free.ts asks whether it needs either).
 */
export function crashlessCauseKey(invariant: string, message: string): string {
  return `${invariant}\u0000${causeShape(groupingForm(message)).replace(/ \(after [^()]*\)$/, '')}`;
}

/**
 * Where a violation was found in its run, for ordering a run's violations: its `indexInRun`;
 * for a summary written without it, its step, with "after the steps" (-1) and unknown last.
 */
function foundRank(violation: Violation): number {
  if (violation.indexInRun !== undefined) return violation.indexInRun;
  const step = violation.step;
  return step === undefined ? Number.MAX_SAFE_INTEGER : step < 0 ? Number.MAX_SAFE_INTEGER - 1 : step;
}

/** Orders runs as the campaign ran them: by the position of their scenario in `units`, then seed. */
function campaignOrder(units: readonly string[]): (a: { scenario: string; seed: number }, b: { scenario: string; seed: number }) => number {
  const position = new Map(units.map((unit, index) => [unit, index]));
  const rank = (scenario: string): number => position.get(scenario) ?? units.length;
  return (a, b) => rank(a.scenario) - rank(b.scenario) || compareStrings(a.scenario, b.scenario) || a.seed - b.seed;
}

/**
 * The failing runs among `violations`, each with its root and follow-ons.
 * @param violations - a campaign's violations, in any order
 * @param units - the campaign's scenarios in the order it ran them; others sort after, by name
 * @returns the runs in campaign order
 */
export function failingRuns(violations: readonly Violation[], units: readonly string[]): FailingRun[] {
  const byRun = new Map<string, Violation[]>();
  for (const violation of violations) {
    const key = `${violation.scenario}\u0000${violation.seed}`;
    const list = byRun.get(key);
    if (list === undefined) byRun.set(key, [violation]);
    else list.push(violation);
  }
  const runs = [...byRun.values()].flatMap((list) => {
    const found = [...list].sort((a, b) => foundRank(a) - foundRank(b));
    const own = ownPathAfterLook(found);
    const roots = own === undefined ? [found] : [found.slice(0, own), found.slice(own)];
    // A shrink keeps the invariant it is given (the run's first, by default): a second root of another invariant needs it named.
    return roots.map(([root, ...followOns], at) => ({ scenario: root!.scenario, seed: root!.seed, root: root!, followOns, ...(at > 0 && root!.invariant !== found[0]!.invariant ? { afterLook: true as const } : {}) }));
  });
  return runs.sort(campaignOrder(units));
}

/**
 * Where, in a run's violations in the order found, a second root begins: the first violation on
 * the run's own path when the run's root was a second look's and complains of something else
 * (see the module comment); undefined when there is none.
 */
export function ownPathAfterLook(found: readonly Pick<Violation, 'invariant' | 'message' | 'look'>[]): number | undefined {
  const root = found[0]!;
  if (root.look === undefined) return undefined;
  const own = found.findIndex((violation) => violation.look === undefined);
  if (own < 0 || rootCauseKey(found[own]!.invariant, found[own]!.message) === rootCauseKey(root.invariant, root.message)) return undefined;
  return own;
}

/**
 * The failing runs grouped by root cause.
 * @param violations - a campaign's violations, in any order
 * @param units - the campaign's scenarios in the order it ran them
 * @returns the groups, most runs first (ties: the group whose first run came first)
 */
export function rootCauseGroups(violations: readonly Violation[], units: readonly string[]): RootCauseGroup[] {
  const groups = new Map<string, { invariant: string; shape: string; runs: FailingRun[] }>();
  for (const run of failingRuns(violations, units)) {
    const key = rootCauseKey(run.root.invariant, run.root.message);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { invariant: run.root.invariant, shape: causeShape(run.root.message), runs: [run] });
    else group.runs.push(run);
  }
  // Map order is the order of each group's first run, which breaks ties in size.
  return [...groups.values()].sort((a, b) => b.runs.length - a.runs.length);
}

/** The run a group is shown by: its first run with a trace on its root, else its first run. */
export function representativeRun(group: RootCauseGroup): FailingRun {
  return group.runs.find((run) => (run.root.trace?.length ?? 0) > 0) ?? group.runs[0]!;
}
