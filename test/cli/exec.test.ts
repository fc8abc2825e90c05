/**
 * `powercut exec` and `powercut power-loss`: an unmodified program on the simulated disk from the
 * command line, the disk kept in an image between runs, a power loss between two runs, a
 * simulated crash that kills the program (exit 137), and bad settings refused in one line.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'powercut-exec-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const root = join(work, 'simulated');
const writer = 'test/cli/fixtures/note-writer.mjs';

describe('powercut exec', () => {
  it('keeps the disk in the image between runs; a power loss between them takes what was never fsynced', async () => {
    const image = join(work, 'disk-1.json');
    const first = await cli('exec', writer, '--root', root, '--image', image, '--', root, 'one');
    expect(first).toMatchObject({ code: 0, stdout: 'before: (none)\nwrote\n', stderr: '' });
    const second = await cli('exec', writer, '--root', root, '--image', image, '--', root, 'two');
    expect(second.stdout).toBe('before: hello one\nwrote\n');
    expect(existsSync(root)).toBe(false);

    const cut = await cli('power-loss', '--image', image, '--crash-state', '1');
    expect(cut).toMatchObject({ code: 0 });
    expect(cut.stdout).toContain('crash state 1');
    const third = await cli('exec', writer, '--root', root, '--image', image, '--', root, 'three');
    expect(third.stdout).toBe('before: (none)\nwrote\n');
  });

  it('exits 137 when a scheduled simulated crash kills the program, and says so', async () => {
    const image = join(work, 'disk-2.json');
    const status = join(work, 'status.json');
    const killed = await cli('exec', writer, '--root', root, '--image', image, '--status', status, '--faults', '{"scheduled":[{"io":3,"kind":"kill-9"}]}', '--', root, 'one');
    expect(killed.code).toBe(137);
    expect(killed.stdout).toBe('before: (none)\n');
    expect(killed.stderr).toMatch(/^powercut exec: the program died by a simulated kill-9 \(faults fired: kill-9@3\); the disk is saved in /);
    expect(JSON.parse(readFileSync(status, 'utf8'))).toMatchObject({ outcome: 'kill-9', faultsFired: [{ io: 3, kind: 'kill-9' }] });
  });

  it('refuses bad settings with one line and exit 2', async () => {
    const relative = await cli('exec', writer, '--root', 'relative/root', '--image', join(work, 'disk-3.json'));
    expect(relative.code).toBe(2);
    expect(relative.stderr.trim().split('\n')).toHaveLength(1);
    const faults = await cli('exec', writer, '--root', root, '--image', join(work, 'disk-3.json'), '--faults', '{oops');
    expect(faults.code).toBe(2);
    expect(faults.stderr).toMatch(/^powercut: --faults is not JSON/);
    const missing = await cli('power-loss', '--image', join(work, 'none.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such disk image\n$/);
  });
});
