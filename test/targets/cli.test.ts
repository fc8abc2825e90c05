/** `powercut run --target FILE`: summary, exit codes, and a refused file. */
import { describe, expect, it } from 'vitest';
import { runTargetCli } from '../../targets/cli-run.ts';

async function run(target: string, seeds: number, seedStart = 1): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTargetCli({ target, seeds, seedStart }, (line) => out.push(line), (line) => err.push(line));
  return { code, out, err };
}

describe('powercut run --target', () => {
  it('reports lowdb violations with a repro line and exits 1', async () => {
    const { code, out } = await run('targets/lowdb.ts', 1, 3);
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('opens: 1');
    expect(out.join('\n')).toContain('repro: powercut run --target targets/lowdb.ts --seeds 1 --seed-start 3');
  });

  it('exits 2 on a missing file and on a module that is not a workload', async () => {
    expect((await run('targets/missing.ts', 1)).code).toBe(2);
    const notWorkload = await run('targets/workload.ts', 1);
    expect(notWorkload.code).toBe(2);
    expect(notWorkload.err[0]).toMatch(/not a workload/);
  });
});
