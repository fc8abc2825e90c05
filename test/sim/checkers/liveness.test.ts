import { describe, expect, it } from 'vitest';
import { livenessViolation } from '../../../sim/checkers/liveness.ts';

describe('livenessViolation', () => {
  it('says the store did not reopen within the bound, with the last error', () => {
    const v = livenessViolation({ stage: 'reopen', steps: 1000, stepsMax: 1000, lastError: new Error('EIO') });
    expect(v.invariant).toBe('liveness');
    expect(v.message).toContain('did not reopen within 1000 steps');
    expect(v.message).toContain('Error: EIO');
  });

  it('says the store did not commit durably within the bound', () => {
    expect(livenessViolation({ stage: 'commit', steps: 12, stepsMax: 10 }).message).toContain('durably commit');
  });
});
