import { describe, expect, it } from 'vitest';
import { commandArgs, invocationOf } from '../../cli/invocation.ts';
import { packageRoot } from './helpers.ts';

describe('repro lines start the way powercut was run', () => {
  it('through the powercut npm script of a checkout', () => {
    expect(invocationOf(['node', `${packageRoot}cli/main.ts`], { npm_lifecycle_event: 'powercut' }, packageRoot)).toBe('npm run -s powercut --');
  });

  it('through npx, in a project or a checkout', () => {
    expect(invocationOf(['node', `${packageRoot}bin/powercut.mjs`], { npm_lifecycle_event: 'npx', npm_lifecycle_script: 'powercut' }, '/tmp')).toBe('npx powercut');
  });

  it('from an installed package\'s bin', () => {
    expect(invocationOf(['node', '/home/u/app/node_modules/.bin/powercut'], {}, '/home/u/app')).toBe('npx powercut');
  });

  it('from the bin of a checkout, by its path', () => {
    expect(invocationOf(['node', `${packageRoot}bin/powercut.mjs`], {}, packageRoot)).toBe('./bin/powercut.mjs');
    expect(invocationOf(['node', '/opt/powercut/bin/powercut.mjs'], {}, '/home/user/app')).toBe('/opt/powercut/bin/powercut.mjs');
    expect(invocationOf(['node', '/home/user/powercut/bin/powercut.mjs'], {}, '/home/user')).toBe('./powercut/bin/powercut.mjs');
  });

  it('from TypeScript source, through tsx again', () => {
    expect(invocationOf(['node', `${packageRoot}cli/main.ts`], { npm_lifecycle_event: 'start' }, packageRoot)).toBe('npx tsx ./cli/main.ts');
  });
});

describe('the arguments a command ran with, for a line that runs it again', () => {
  it('keeps the program\'s options typed before the command, and the command once', () => {
    expect(commandArgs(['node', 'powercut', '--seed-timeout', '60', 'explore', '--target', 'w.ts', '--seed', '2'], 'explore'))
      .toEqual(['--seed-timeout', '60', 'explore', '--target', 'w.ts', '--seed', '2']);
    expect(commandArgs(['node', 'powercut', 'explore', '--seed', '2'], 'explore')).toEqual(['explore', '--seed', '2']);
  });
});
