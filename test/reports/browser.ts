/**
 * Finds a Chromium for the browser tests and starts it with playwright-core.
 *
 * `npm ci && npm test` must pass on a machine where nobody installed a browser by hand, so the
 * last resort is the headless Chromium that ships inside the `@sparticuz/chromium` npm package
 * (a brotli-compressed binary in the package itself: no install script, no download). A system
 * Chromium is tried first because it needs no unpacking and starts faster:
 *
 * 1. `POWERCUT_CHROMIUM`, when set, is the only candidate: whoever set it asked for that browser,
 *    and quietly testing another one would hide that theirs does not start.
 * 2. `/usr/bin/chromium` (Debian's, which .ci/run installs to save the unpacking), when present.
 * 3. `@sparticuz/chromium`, unpacked once per version into the temporary directory. It is pinned
 *    at 143.0.4, the last release whose `engines` accept Node 20 (147 and later want Node 22.17).
 *
 * When no candidate starts, the error lists each one tried and why it failed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

const systemChromiumPath = '/usr/bin/chromium';
const packagedChromiumName = '@sparticuz/chromium';

/**
 * Flags for this sandboxed, offline machine kind. Without the background-networking ones Chromium
 * keeps dialling out, and the closed network refuses each connection. playwright-core gives every
 * launch a fresh `--user-data-dir` of its own (and refuses one passed here).
 */
const launchArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A started browser and where its binary came from, for messages. */
export interface LaunchedChromium {
  readonly browser: Browser;
  readonly source: string;
}

interface Candidate {
  readonly source: string;
  /** Resolves to the executable, or rejects with why there is none. */
  readonly executablePath: () => Promise<string>;
}

/**
 * Starts the first Chromium that works, in the order the module comment gives.
 *
 * @returns the browser, which the caller closes, and a description of the binary used
 * @throws Error naming every candidate tried and why each failed
 */
export async function launchChromium(): Promise<LaunchedChromium> {
  const failures: string[] = [];
  for (const candidate of candidates()) {
    try {
      const executablePath = await candidate.executablePath();
      const browser = await chromium.launch({ executablePath, headless: true, args: launchArgs });
      return { browser, source: `${candidate.source} (${executablePath})` };
    } catch (error) {
      failures.push(`- ${candidate.source}: ${firstLine(error)}`);
    }
  }
  throw new Error([
    'No Chromium could be started for the browser tests. Tried:',
    ...failures,
    `Run npm ci (it installs ${packagedChromiumName}), or install Debian's chromium, or set POWERCUT_CHROMIUM to a working binary.`,
  ].join('\n'));
}

function candidates(): Candidate[] {
  const requested = process.env['POWERCUT_CHROMIUM'];
  if (requested !== undefined && requested !== '') {
    return [{ source: 'POWERCUT_CHROMIUM', executablePath: async () => existingFile(requested) }];
  }
  const list: Candidate[] = [];
  if (existsSync(systemChromiumPath)) {
    list.push({ source: 'system Chromium', executablePath: async () => systemChromiumPath });
  }
  list.push({ source: `npm package ${packagedChromiumName}`, executablePath: unpackPackagedChromium });
  return list;
}

function existingFile(path: string): string {
  if (!existsSync(path)) throw new Error(`no file at ${path}`);
  return path;
}

/**
 * Unpacks the packaged Chromium into `<tmpdir>/powercut-chromium-<version>-<uid>` unless an
 * earlier run did, and returns the binary's path.
 *
 * The package's `executablePath()` unpacks into `os.tmpdir()` and takes any file already named
 * `chromium` there as finished, so a run killed halfway, or another version's binary, would be
 * used as is. It therefore runs in a child process whose TMPDIR is a fresh staging directory, and
 * the staging directory is renamed into place only when complete: the cache holds a whole binary
 * of the right version or nothing, even with two test runs unpacking at once.
 */
async function unpackPackagedChromium(): Promise<string> {
  const { dir: packageDir, version } = await packagedChromiumPackage();
  const cacheDir = join(tmpdir(), `powercut-chromium-${version}-${process.getuid?.() ?? 0}`);
  const cachedPath = join(cacheDir, 'chromium');
  if (existsSync(cachedPath)) return cachedPath;

  const stagingDir = await mkdtemp(join(tmpdir(), 'powercut-chromium-staging-'));
  try {
    const script = `import c from '${packagedChromiumName}'; process.stdout.write(await c.executablePath());`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', script], {
      // The project root (above node_modules), from where the bare specifier resolves as it does here.
      cwd: dirname(dirname(dirname(packageDir))),
      env: { ...process.env, TMPDIR: stagingDir },
    });
    if (stdout !== join(stagingDir, 'chromium')) throw new Error(`unpacked to ${stdout}, expected ${stagingDir}`);
    await rename(stagingDir, cacheDir);
  } catch (error) {
    await rm(stagingDir, { recursive: true, force: true });
    // Another run that finished first leaves a complete cache; the rename into it then fails.
    if (!existsSync(cachedPath)) throw error;
  }
  return cachedPath;
}

/**
 * The installed package's folder and version, found from its entry point. The walk up skips the
 * package.json files that only mark build/cjs and build/esm as CommonJS or ES modules.
 */
async function packagedChromiumPackage(): Promise<{ readonly dir: string; readonly version: string }> {
  let dir = dirname(createRequire(import.meta.url).resolve(packagedChromiumName));
  for (;;) {
    const manifestPath = join(dir, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === packagedChromiumName && manifest.version !== undefined) return { dir, version: manifest.version };
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json of ${packagedChromiumName} above its entry point`);
    dir = parent;
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
