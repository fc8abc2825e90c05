/**
 * engine-error for values of the wrong shape (sim/checkers/engine-results.ts): what `get` and
 * `state()` return is checked against the contract before any checker reads it, and a breach
 * names what came back.
 */
import { describe, expect, it } from 'vitest';
import { checkGetResult, checkHandle, promising, recoveredState } from '../../sim/engine-results.ts';
import type { EngineHandle } from '../../sim/engine-contract.ts';
import { CorruptionError, LimitExceededError, StoreFailedError } from '../../engine/errors.ts';
import type { Op } from '../../engine/types.ts';
import { IoError } from '../../engine/ports/fs.ts';
import { runPlan } from '../../sim/runner.ts';
import { findScenario } from '../../scenarios/index.ts';
import { brokenEngine } from './broken-engines.ts';

const bytes = new TextEncoder().encode('v');

describe('engine-error: get returns a Uint8Array or undefined', () => {
  it('accepts a Uint8Array (a Buffer is one) and undefined', () => {
    expect(checkGetResult('k', bytes)).toBeUndefined();
    expect(checkGetResult('k', Buffer.from('v'))).toBeUndefined();
    expect(checkGetResult('k', undefined)).toBeUndefined();
  });

  it('names a string, null or an ArrayBuffer returned instead', () => {
    expect(checkGetResult('k1', 'v')).toMatchObject({ invariant: 'engine-error', message: 'get("k1") returned a string, not a Uint8Array or undefined (see the engine contract, defineEngine)' });
    expect(checkGetResult('k1', null)?.message).toContain('returned null');
    expect(checkGetResult('k1', new ArrayBuffer(1))?.message).toContain('returned an object (ArrayBuffer)');
  });
});

describe('engine-error: state() returns a Map or [key, value] pairs', () => {
  it('accepts a Map and an array of pairs', () => {
    expect(recoveredState(new Map([['a', bytes]]))).toEqual({ state: new Map([['a', bytes]]) });
    expect(recoveredState([['a', bytes]])).toEqual({ state: new Map([['a', bytes]]) });
  });

  it('names a plain object, a pair with a string value, and an entry that is no pair', () => {
    const breach = (value: unknown): string | undefined => ('violation' in recoveredState(value) ? (recoveredState(value) as { violation: { invariant: string; message: string } }).violation : undefined)?.message;
    expect(recoveredState({ a: bytes })).toMatchObject({ violation: { invariant: 'engine-error' } });
    expect(breach({ a: bytes })).toBe('state() returned an object (Object), not a Map or an iterable of [key, value] pairs (see the engine contract, defineEngine)');
    expect(breach(new Map([['a', 'text']]))).toContain('state() gave key "a" a string, not a Uint8Array');
    expect(breach(['a'])).toContain('state() gave an entry a string, not a [string, Uint8Array] pair');
    expect(breach(new Map([[1, bytes]]))).toContain('state() gave a key that is a number, not a string');
  });
});

describe('engine-error, as the runner reports it', () => {
  const plan = { ...findScenario('wal-append')!.plan(2), faults: { ...findScenario('wal-append')!.plan(2).faults, rates: {} } };

  it('reports a get that returns a string as engine-error, not as a harness error', async () => {
    const engine = brokenEngine('get-string', (handle) => ({ get: async (key: string) => { const value = await handle.get(key); return value === undefined ? undefined : new TextDecoder().decode(value) as never; } }));
    const result = await runPlan(plan, engine);
    expect(result.violations.map((v) => v.invariant)).toContain('engine-error');
    expect(result.violations.map((v) => v.invariant)).not.toContain('harness');
  });

  it('reports a get, sync or checkpoint that fails with an error the contract does not name, with no fault but crashes injected, as reads or liveness (a Bitcask user\'s merge left its key directory pointing at deleted files)', async () => {
    let gets = 0;
    const lostFiles = brokenEngine('get-enoent', (handle) => ({
      get: async (key: string) => {
        if (++gets % 3 === 0) throw new IoError('ENOENT', 'open', '/db/00000013.data');
        return handle.get(key);
      },
    }));
    const read = await runPlan(plan, lostFiles);
    expect(read.violations).toContainEqual(expect.objectContaining({ invariant: 'reads', message: expect.stringMatching(/^get\(\S+\) failed with IoError: ENOENT: open '\/db\/00000013\.data', with no fault but crashes injected in the run: a store that opened must serve it$/) as unknown }));
    const checkpoints = brokenEngine('checkpoint-enoent', (handle) => ({
      checkpoint: async () => {
        throw new IoError('ENOENT', 'unlink', '/db/00000002.data');
      },
      get: (key: string) => handle.get(key),
    }));
    const pruned = await runPlan({ ...findScenario('checkpoint-prune')!.plan(1), faults: { ...findScenario('checkpoint-prune')!.plan(1).faults, rates: {} } }, checkpoints);
    expect(pruned.violations).toContainEqual(expect.objectContaining({ invariant: 'liveness', message: expect.stringMatching(/^checkpoint failed with IoError: ENOENT/) as unknown }));
    // An injected fault excuses what follows it: the reference engine's own failures under
    // fsync errors are never this violation.
    for (const seed of [1, 2, 3]) {
      const faulted = await runPlan(findScenario('fsync-failure')!.plan(seed), brokenEngine('reference', () => ({})));
      expect(faulted.violations.filter((violation) => /with no fault but crashes injected/.test(violation.message))).toEqual([]);
    }
  });

  it('judges a commit refused for corruption as a refused read: false-corruption when no fault damaged durable data, not a refusal within the limits', async () => {
    let commits = 0;
    const misreads = brokenEngine('commit-corruption', (handle) => ({
      commit: async (ops: readonly Op[]) => {
        if (++commits === 3) throw new CorruptionError('/db/data', 4096, 'header pair torn');
        return handle.commit(ops);
      },
    }));
    const result = await runPlan(plan, { ...misreads, limits: { batchOps: 64 } });
    expect(result.violations).toContainEqual(expect.objectContaining({ invariant: 'false-corruption', message: expect.stringMatching(/^commit refused with "corruption in \/db\/data at offset 4096: header pair torn" although no fault damaged durable data/) as unknown }));
    expect(result.violations.map((violation) => violation.invariant)).not.toContain('limits');
  });

  it('names what failed the store in an acknowledgement after it: the operation and its error, not an fsync that never failed', async () => {
    const liar = brokenEngine('checkpoint-fails-store', (handle) => ({
      checkpoint: async () => {
        throw new StoreFailedError('write error on /db/snapshot.tmp');
      },
      get: (key: string) => handle.get(key),
    }));
    // A checkpoint overlapping commits (the overlap scenario) fails the store while they are in flight.
    const found = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) found.push(...(await runPlan({ ...findScenario('overlap')!.plan(seed), faults: { ...findScenario('overlap')!.plan(seed).faults, rates: {} } }, liar)).violations);
    expect(found).toContainEqual(expect.objectContaining({ invariant: 'honest-failure', message: expect.stringMatching(/^commit #\d+ .*was acknowledged .*after the store failed \(checkpoint: StoreFailedError: .*write error on \/db\/snapshot\.tmp.*\) and before it was reopened/) as unknown }));
  });

  it('traces every failed operation as a failed note naming the operation and the error', async () => {
    let gets = 0;
    const failing = brokenEngine('get-eio', (handle) => ({
      get: async (key: string) => {
        if (++gets === 2) throw new IoError('EIO', 'read', '/db/00000001.wal');
        return handle.get(key);
      },
    }));
    const result = await runPlan(plan, failing, { trace: 'full' });
    const failed = result.trace.filter((event) => event.type === 'note' && event.name === 'failed');
    expect(failed.map((event) => event.detail)).toEqual([expect.stringMatching(/^get\(\S+\): IoError: EIO: read '\/db\/00000001\.wal'/) as unknown]);
    // Each follows the op event of the step that failed.
    const at = result.trace.indexOf(failed[0]!);
    expect(result.trace.slice(0, at).findLast((event) => event.type === 'op')).toMatchObject({ name: 'get' });
  });

  it('reports a commit that throws a TypeError, while faults strike, as engine-error, not as a commit in doubt', async () => {
    // The bug strikes only on a commit after an injected fault failed one: as an engine's error path would.
    let faultSeen = false;
    const engine = brokenEngine('commit-typeerror', (handle) => ({
      commit: async (ops) => {
        if (faultSeen) (undefined as unknown as { n: number }).n++;
        try {
          return await handle.commit(ops);
        } catch (error) {
          faultSeen = true;
          throw error;
        }
      },
    }));
    const faulty = findScenario('fsync-failure')!;
    const errors = [];
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      faultSeen = false;
      errors.push(...(await runPlan(faulty.plan(seed), engine)).violations.filter((v) => v.invariant === 'engine-error'));
    }
    expect(errors[0]?.message).toMatch(/^commit threw TypeError: Cannot read properties of undefined/);
  });

  it('takes a commit that throws synchronously as the rejection an await of it meets: its own typed refusal is judged as one, a TypeError is engine-error, and neither is a harness error', async () => {
    // A plain-JavaScript engine whose commit is no async function and throws before it returns a promise.
    const refusing = brokenEngine('commit-throws-limit', (handle) => ({
      commit: ((ops: Parameters<typeof handle.commit>[0]) => {
        if (ops.length > 2) throw new LimitExceededError('batch operations', ops.length, 2);
        return handle.commit(ops);
      }) as typeof handle.commit,
    }));
    const edge = findScenario('edge-values')!;
    const refused = await runPlan(edge.plan(1), refusing);
    expect(refused.violations.map((v) => v.invariant)).not.toContain('harness');
    expect(refused.failedOperations).toBeGreaterThanOrEqual(0);
    const typo = brokenEngine('commit-throws-typeerror', (handle) => ({
      commit: ((ops: Parameters<typeof handle.commit>[0]) => {
        if (ops.length > 2) (undefined as unknown as { n: number }).n++;
        return handle.commit(ops);
      }) as typeof handle.commit,
    }));
    const thrown = await runPlan(edge.plan(1), typo);
    expect(thrown.violations[0]).toMatchObject({ invariant: 'engine-error', message: expect.stringMatching(/^commit threw TypeError/) });
  });

  it('passes a method\'s promise through as it is: the same object, no hop added', () => {
    const promise = Promise.resolve(7);
    const handle = promising({ commit: () => promise } as unknown as EngineHandle);
    expect(handle.commit([])).toBe(promise);
    // One wrapper per method, not one per call.
    expect(handle.commit).toBe(handle.commit);
    return expect(promising({ get: () => { throw new Error('sync'); } } as unknown as EngineHandle).get('k')).rejects.toThrow('sync');
  });

  it('says how the open failed when a store never opens once faults stop', async () => {
    const engine = { name: 'never-opens', open: async () => { throw new Error('boom in open'); } };
    const result = await runPlan(plan, engine);
    expect(result.violations).toEqual([expect.objectContaining({ invariant: 'liveness', message: 'with faults off the store did not open in 8 attempts; the last failed with Error: boom in open' })]);
  });

  it('reports a state() that returns a plain object as engine-error', async () => {
    const engine = brokenEngine('state-object', (handle) => ({ state: async () => Object.fromEntries(await handle.state() as Map<string, Uint8Array>) as never }));
    const result = await runPlan(plan, engine);
    expect(result.violations).toEqual([expect.objectContaining({ invariant: 'engine-error', message: expect.stringContaining('state() returned an object (Object)') })]);
  });
});

describe('engine-error: open resolves with a handle', () => {
  const handle = { commit: async () => {}, get: async () => undefined, state: async () => new Map(), close: async () => {} };

  it('accepts commit, get, state and close, with sync and checkpoint optional', () => {
    expect(checkHandle(handle)).toBeUndefined();
    expect(checkHandle({ ...handle, sync: async () => {}, checkpoint: async () => {} })).toBeUndefined();
  });

  it('names what is missing, what is not a function, and a handle that is not an object', () => {
    expect(checkHandle({ ...handle, state: undefined })).toMatchObject({ invariant: 'engine-error', message: 'open() resolved with a handle that has no state() (see the engine contract, defineEngine)' });
    expect(checkHandle({ ...handle, sync: true })?.message).toBe('open() resolved with a handle that has a sync that is not a function (see the engine contract, defineEngine)');
    expect(checkHandle(undefined)?.message).toBe('open() resolved with undefined, not a handle { commit, get, state, close } (see the engine contract, defineEngine)');
  });

  it('is checked by the runner before recovery is judged: one engine-error per run, no TypeError from deep inside', async () => {
    const plan = { ...findScenario('wal-append')!.plan(2), faults: { ...findScenario('wal-append')!.plan(2).faults, rates: {} } };
    const engine = brokenEngine('no-get', () => ({ get: undefined as never }));
    const result = await runPlan(plan, engine);
    expect(result.violations).toEqual([expect.objectContaining({ invariant: 'engine-error', message: expect.stringContaining('has no get()') })]);
  });
});
