/** Shared helpers of the simulator's tests. */
import { expect } from 'vitest';
import type { SimWorld } from '../../sim/world.ts';

/** Runs `main` in `world` and returns its value, failing the test on any other outcome. */
export async function inWorld<T>(world: SimWorld, main: () => Promise<T>): Promise<T> {
  const outcome = await world.run(main);
  if (outcome.outcome === 'error') throw outcome.error;
  expect(outcome.outcome).toBe('done');
  return (outcome as { value: T }).value;
}

/** `n` bytes of value `byte`. */
export function filled(n: number, byte: number): Uint8Array {
  return new Uint8Array(n).fill(byte);
}

/** UTF-8 bytes of `s`. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
