/** Argument parsers for commander: each refuses malformed input with a one-line message. */
import { InvalidArgumentError } from 'commander';
import { CampaignInputError, parseShard, type Shard } from '../harness/index.ts';

/**
 * A parser of integers >= `least`.
 * @param least - the smallest value accepted
 */
export function integerOption(least: number): (text: string) => number {
  return (text) => {
    const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < least) throw new InvalidArgumentError(`expected an integer >= ${least}.`);
    return value;
  };
}

/** A parser of positive numbers (seconds). */
export function secondsOption(text: string): number {
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value > 0)) throw new InvalidArgumentError('expected a number of seconds > 0.');
  return value;
}

/** A parser of a number of seconds >= 0 (0: never). */
export function secondsOrZero(text: string): number {
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value >= 0)) throw new InvalidArgumentError('expected a number of seconds >= 0 (0: never).');
  return value;
}

/** A parser of `I/N`. */
export function shardOption(text: string): Shard {
  try {
    return parseShard(text);
  } catch (error) {
    if (error instanceof CampaignInputError) throw new InvalidArgumentError('expected I/N with 1 <= I <= N (e.g. 2/4).');
    throw error;
  }
}

/** A parser accepting one of `choices`. */
export function choiceOption<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(choices as readonly string[]).includes(text)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    return text as T;
  };
}
