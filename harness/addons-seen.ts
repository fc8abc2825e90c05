/**
 * The native addons the code under test loaded, by file, in any thread of a campaign: a worker
 * tells the main thread each one it sees (harness/worker.ts), as it tells each environment
 * variable read (env-reads.ts). A library's seeds run in workers only with `--jobs 2` or more,
 * and the note that its addons' file I/O is not simulated was printed with `--jobs 1` and lost
 * with `--jobs 2` (hypercore's sodium-native). Who notices a load is targets/native-addons.ts.
 */
import { basename } from 'node:path';

const seen = new Set<string>();
/** Told each file the first time it is noted ({@link onNativeAddon}). */
let heard: ((file: string) => void) | undefined;

/** Notes `file` as a native addon the code under test loaded: in this thread, or told by a worker. */
export function noteNativeAddon(file: string): void {
  if (seen.has(file)) return;
  seen.add(file);
  heard?.(file);
}

/** Calls `listener` with each file the first time it is noted from now on (a worker tells the main thread). */
export function onNativeAddon(listener: (file: string) => void): void {
  heard = listener;
}

/** The native addons noted so far, by file, in the order noted. */
export function nativeAddonsSeen(): readonly string[] {
  return [...seen];
}

/** An addon's file named by its package: `classic-level (classic-level.node)`. */
function describeAddon(filename: string): string {
  const packages = filename.split(/[/\\]node_modules[/\\]/);
  const inPackage = packages.length > 1 ? packages.at(-1)! : undefined;
  const name = inPackage === undefined ? undefined : inPackage.startsWith('@') ? inPackage.split(/[/\\]/).slice(0, 2).join('/') : inPackage.split(/[/\\]/)[0];
  return name === undefined ? basename(filename) : `${name} (${basename(filename)})`;
}

/** Addon files named by their packages, each package once: `classic-level (classic-level.node), ...`. */
export function describeAddons(files: readonly string[]): string {
  return [...new Set(files.map(describeAddon))].join(', ');
}
