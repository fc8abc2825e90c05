/** Limits: a batch that breaks one is refused whole, with a typed error, and nothing is written. */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, LimitExceededError } from '../../engine/errors.ts';
import { batchOpsMax, keyBytesMax, valueBytesMax } from '../../engine/limits.ts';
import { joinPath } from '../../engine/ports/fs.ts';
import type { Store } from '../../engine/store.ts';
import type { Op } from '../../engine/types.ts';
import { memory, openStore, put, rejectionOf, segmentPath, sizeOf, stateOf, type Backend } from './helpers/store.ts';

describe('batch limits', () => {
  let backend: Backend;
  let store: Store;
  let dir: string;
  let sizeBefore: number;

  beforeAll(() => {
    expect(keyBytesMax).toBe(1024);
  });
  beforeEach(async () => {
    backend = await memory();
    dir = joinPath(backend.root, 'store');
    store = await openStore(backend.fs, dir);
    await store.commit([put('before', '1')]);
    sizeBefore = await sizeOf(backend.fs, segmentPath(dir));
  });
  afterEach(async () => {
    await store.close();
    await backend.cleanup();
  });

  /** Checks that a refused batch left no trace: same LSN, same segment size, same state. */
  async function expectNothingWritten(): Promise<void> {
    expect(store.metrics().writtenLsn).toBe(1);
    expect(await sizeOf(backend.fs, segmentPath(dir))).toBe(sizeBefore);
    expect(stateOf(store)).toEqual({ before: '1' });
    expect((await store.commit([put('after', '2')])).lsn).toBe(2);
  }

  it('refuses a key longer than keyBytesMax UTF-8 bytes', async () => {
    const error = await rejectionOf(store.commit([put('k'.repeat(keyBytesMax + 1), 'v')]));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', actual: keyBytesMax + 1, maximum: keyBytesMax });
    await expectNothingWritten();
  });

  it('counts key length in UTF-8 bytes, not characters', async () => {
    const key = 'é'.repeat(keyBytesMax / 2 + 1);
    expect(await rejectionOf(store.commit([{ type: 'delete', key }]))).toMatchObject({ actual: keyBytesMax + 2 });
    await expectNothingWritten();
  });

  it('accepts a key of exactly keyBytesMax bytes', async () => {
    expect((await store.commit([put('k'.repeat(keyBytesMax), 'v')])).lsn).toBe(2);
  });

  it('refuses a value larger than valueBytesMax', async () => {
    const op: Op = { type: 'put', key: 'big', value: new Uint8Array(valueBytesMax + 1) };
    const error = await rejectionOf(store.commit([op]));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ actual: valueBytesMax + 1, maximum: valueBytesMax });
    await expectNothingWritten();
  });

  it('refuses a batch of more than batchOpsMax operations', async () => {
    const ops: Op[] = Array.from({ length: batchOpsMax + 1 }, (_, i) => ({ type: 'delete', key: `k${i}` }));
    const error = await rejectionOf(store.commit(ops));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error).toMatchObject({ actual: batchOpsMax + 1, maximum: batchOpsMax });
    await expectNothingWritten();
  });

  it('refuses an empty batch with InvalidArgumentError', async () => {
    const error = await rejectionOf(store.commit([]));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expectNothingWritten();
  });

  it('refuses a whole batch when only its last operation breaks a limit', async () => {
    const error = await rejectionOf(store.commit([put('ok', '1'), put('k'.repeat(keyBytesMax + 1), 'v')]));
    expect(error).toBeInstanceOf(LimitExceededError);
    await expectNothingWritten();
  });
});
