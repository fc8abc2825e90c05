/**
 * Native addons a library loads. Their file I/O is C or C++ calling the operating system, not
 * Node's `fs`, so it never reaches the fs facade or the simulated disk: a native storage engine
 * (LevelDB through classic-level, SQLite through better-sqlite3) would go to the real path, which
 * does not exist under the simulated root, and fail to open, while what such a library persists
 * is never tested. powercut cannot simulate that I/O; it can say so.
 *
 * `process.dlopen` is what Node's loader calls for a `.node` file, whether reached by `require`,
 * `createRequire` or an ES module importing a CommonJS package; it is wrapped once per thread,
 * before the workload module loads, and only notes the file.
 */
import { describeAddons, nativeAddonsSeen, noteNativeAddon } from '../harness/index.ts';

let watching = false;

/** Starts noting the native addons this thread loads (once; before the workload module loads). */
export function watchNativeAddons(): void {
  if (watching) return;
  watching = true;
  const dlopen = process.dlopen;
  process.dlopen = function noted(this: unknown, module: { exports: unknown }, filename: string, ...flags: number[]) {
    noteNativeAddon(filename);
    return dlopen.call(process, module, filename, ...flags);
  } as typeof process.dlopen;
}

/** The native addons loaded since {@link watchNativeAddons}, by file, in load order: this thread's, and those a campaign's workers told of. */
export function nativeAddonsLoaded(): readonly string[] {
  return nativeAddonsSeen();
}

/**
 * What a message about a library that failed, or did no simulated I/O, adds when native addons
 * were loaded: '' when none were.
 */
export function nativeAddonNote(failure = ''): string {
  if (nativeAddonsSeen().length === 0) return '';
  const addons = describedAddons();
  // A descriptor the facade handed out is a number only the simulated disk knows: native code
  // given it (a file lock through fs-native-extensions) gets EBADF from the operating system.
  if (/\bEBADF\b|bad file descriptor/.test(failure)) {
    return `; it loaded native addons (${addons}), and a bad descriptor is what one gets when the library hands it a descriptor the fs facade opened, a number only the simulated disk knows: turn off what the library does natively with its open files (file locking, most often), or run it on the real disk with \`powercut real --target\``;
  }
  return `; it loaded native addons, whose file I/O bypasses Node's fs and never reaches the simulated disk (it goes to the real disk, where the simulated root does not exist): ${addons}. powercut cannot test what a native storage engine persists; test the JavaScript that calls it, or run it on the real disk with \`powercut real --target\``;
}

/** The addons this thread loaded, each package once (one package may load its file more than once). */
function describedAddons(): string {
  return describeAddons(nativeAddonsSeen());
}

/**
 * What a campaign of a library workload says when the workload's modules loaded native addons in
 * any of its threads, or `undefined` when they loaded none.
 */
export function nativeAddonsLine(): string | undefined {
  if (nativeAddonsSeen().length === 0) return undefined;
  return `note: the workload loaded native addons: ${describedAddons()}; any file I/O they do bypasses Node's fs and never reaches the simulated disk, so what they persist is not tested here`;
}
