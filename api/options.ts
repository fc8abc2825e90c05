/**
 * The options an API call was given, checked before anything runs. A misspelt option (`seed`
 * for `seedStart`) was ignored and the assertion passed on its defaults; an empty `plan` (an
 * unset variable interpolated into it) ran a whole campaign instead of the regression it named;
 * `steps: 0` was refused with a message that named no option.
 */
import { nearestName } from '../harness/index.ts';

/** An option an API call does not know, or a value it cannot take: told apart by `code`. */
export class OptionsError extends Error {
  override readonly name = 'OptionsError';
  readonly code = 'POWERCUT_OPTIONS';
}

/**
 * The names of an options interface, from an object that must name each of its keys (the
 * compiler holds a call's list to its interface with `satisfies Record<keyof Options, true>`).
 */
export function optionNames(keys: Record<string, true>): readonly string[] {
  return Object.keys(keys);
}

/**
 * Refuses a key of `options` that `call` does not know, and an empty `plan`.
 * @param what - how the message names the argument (`assertCrashSafe options`)
 * @throws {@link OptionsError}
 */
export function checkOptions(what: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object') throw new OptionsError(`${what}: expected an object, not ${typeof options}`);
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = nearestName(key, known);
    throw new OptionsError(`${what}: unknown option ${JSON.stringify(key)}${near === undefined ? '' : ` (did you mean ${near}?)`}; known: ${known.join(', ')}`);
  }
  const plan = (options as { plan?: unknown }).plan;
  if (plan === '') throw new OptionsError(`${what}: plan is an empty string: name a plan file, or leave plan out to run the search (an unset variable?)`);
}

/**
 * Refuses a value that is not an integer of at least `least`.
 * @throws {@link OptionsError}
 */
export function checkInteger(what: string, name: string, value: number | undefined, least: number): void {
  if (value === undefined || (Number.isInteger(value) && value >= least)) return;
  throw new OptionsError(`${what}: ${name} must be an integer of at least ${least}, not ${String(value)}`);
}

/**
 * Refuses a number of seconds that is not above 0.
 * @throws {@link OptionsError}
 */
export function checkSeconds(what: string, name: string, value: number | undefined): void {
  if (value === undefined || (typeof value === 'number' && value > 0 && Number.isFinite(value))) return;
  throw new OptionsError(`${what}: ${name} must be a number of seconds above 0, not ${String(value)}`);
}
