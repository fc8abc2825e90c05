/**
 * The engine's typed errors as callers see them: each has a stable `code`, a `name`, the fields
 * a caller handles, and a message that says what happened; `isStoreError` tells them apart by
 * code. The port's `IoError` is told apart by name and code, not by class identity.
 */
import { describe, expect, it } from 'vitest';
import {
  CorruptionError, DiskFullError, InvalidArgumentError, isStoreError, LimitExceededError, StoreClosedError,
  StoreFailedError, UnsupportedVersionError,
} from '../../engine/errors.ts';
import { IoError, isIoError, isIoErrorCode, joinPath, parentDir } from '../../engine/ports/fs.ts';

describe('typed store errors', () => {
  it('CorruptionError names the file, the offset and the reason', () => {
    const error = new CorruptionError('/s/000.wal', 96, 'bad checksum');
    expect(error).toMatchObject({ name: 'CorruptionError', code: 'CORRUPTION', file: '/s/000.wal', offset: 96, reason: 'bad checksum' });
    expect(error.message).toBe('corruption in /s/000.wal at offset 96: bad checksum');
    expect(error.commitOutcome).toBe('absent');
  });

  it('StoreFailedError says to reopen and keeps its cause', () => {
    const cause = new IoError('EIO', 'sync', '/s/x');
    const error = new StoreFailedError('fsync failed', cause);
    expect(error).toMatchObject({ name: 'StoreFailedError', code: 'STORE_FAILED', reason: 'fsync failed', cause });
    expect(error.message).toBe('store failed: fsync failed; reopen the store to recover from disk');
  });

  it('DiskFullError names the file being written and keeps its cause', () => {
    const cause = new IoError('ENOSPC', 'write', '/s/x');
    const error = new DiskFullError('/s/x', cause);
    expect(error).toMatchObject({ name: 'DiskFullError', code: 'DISK_FULL', file: '/s/x', cause });
    expect(error.message).toBe('disk full while writing /s/x');
  });

  it('LimitExceededError names the limit, the actual value and the maximum', () => {
    const error = new LimitExceededError('key size in bytes', 1025, 1024);
    expect(error).toMatchObject({ name: 'LimitExceededError', code: 'LIMIT_EXCEEDED', limit: 'key size in bytes', actual: 1025, maximum: 1024 });
    expect(error.message).toBe('key size in bytes is 1025, above the limit of 1024');
  });

  it('UnsupportedVersionError names the file and both versions', () => {
    const error = new UnsupportedVersionError('/s/MANIFEST', 2, 1);
    expect(error).toMatchObject({ name: 'UnsupportedVersionError', code: 'UNSUPPORTED_VERSION', file: '/s/MANIFEST', found: 2, supported: 1 });
  });

  it('StoreClosedError says the store is closed', () => {
    const error = new StoreClosedError();
    expect(error).toMatchObject({ name: 'StoreClosedError', code: 'STORE_CLOSED', message: 'the store is closed' });
  });

  it('InvalidArgumentError carries the message it is given', () => {
    const error = new InvalidArgumentError('a batch needs at least one operation');
    expect(error).toMatchObject({ name: 'InvalidArgumentError', code: 'INVALID_ARGUMENT', message: 'a batch needs at least one operation' });
  });

  it('isStoreError accepts any store error without a code, and only the matching code with one', () => {
    const error = new StoreClosedError();
    expect(isStoreError(error)).toBe(true);
    expect(isStoreError(error, 'STORE_CLOSED')).toBe(true);
    expect(isStoreError(error, 'CORRUPTION')).toBe(false);
    expect(isStoreError(new Error('x'))).toBe(false);
    expect(isStoreError(undefined)).toBe(false);
  });
});

describe('the IoError of the file-system port', () => {
  it('says code, operation and path, and marks injected faults', () => {
    expect(new IoError('ENOSPC', 'write', '/s/a').message).toBe("ENOSPC: write '/s/a'");
    expect(new IoError('EIO', 'sync', '/s/a', true).message).toBe("EIO: sync '/s/a' (injected)");
    expect(new IoError('EIO', 'sync', '/s/a', false, 'custom').message).toBe('custom');
    expect(new IoError('EIO', 'sync', '/s/a')).toMatchObject({ name: 'IoError', code: 'EIO', syscall: 'sync', path: '/s/a', injected: false });
  });

  it('knows exactly the ten codes the engine distinguishes', () => {
    for (const code of ['ENOENT', 'EEXIST', 'ENOSPC', 'EIO', 'EISDIR', 'ENOTDIR', 'ENOTEMPTY', 'EBADF', 'EINVAL', 'EXDEV']) {
      expect(isIoErrorCode(code)).toBe(true);
    }
    expect(isIoErrorCode('EPERM')).toBe(false);
    expect(isIoErrorCode('')).toBe(false);
    expect(isIoErrorCode(5)).toBe(false);
  });

  it('isIoError recognises an IoError by name and code, optionally of one code', () => {
    const error = new IoError('ENOSPC', 'write', '/s/a');
    expect(isIoError(error)).toBe(true);
    expect(isIoError(error, 'ENOSPC')).toBe(true);
    expect(isIoError(error, 'EIO')).toBe(false);
  });

  it('isIoError recognises a copy from another module by its name and code', () => {
    const copy = Object.assign(new Error('x'), { name: 'IoError', code: 'EIO' });
    expect(isIoError(copy)).toBe(true);
    expect(isIoError(copy, 'EIO')).toBe(true);
  });

  it('isIoError refuses errors of another name, unknown codes and non-errors', () => {
    expect(isIoError(Object.assign(new Error('x'), { code: 'EIO' }))).toBe(false);
    expect(isIoError(Object.assign(new Error('x'), { name: 'IoError', code: 'EPERM' }))).toBe(false);
    expect(isIoError({ name: 'IoError', code: 'EIO' })).toBe(false);
  });
});

describe('paths of the port', () => {
  it('joins with one slash', () => {
    expect(joinPath('/a', 'b')).toBe('/a/b');
    expect(joinPath('/a/', 'b')).toBe('/a/b');
    expect(joinPath('/', 'b')).toBe('/b');
  });

  it('takes the parent directory of a path', () => {
    expect(parentDir('/a/b/c')).toBe('/a/b');
    expect(parentDir('/a')).toBe('/');
    expect(parentDir('a')).toBe('.');
  });
});
