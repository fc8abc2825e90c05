/**
 * `powercut inspect DIR` and `powercut verify DIR`: the engine's read-only tools on a real store
 * folder, through the real file-system adapter. Neither changes anything on disk.
 */
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { inspect, NodeFileSystem, verify, type InspectReport } from '../../engine/index.ts';
import { exitCodes, UsageError } from '../errors.ts';

function storeFileSystem(dir: string): NodeFileSystem {
  let isDirectory = false;
  try {
    isDirectory = fs.statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`${dir}: no such directory`);
  }
  if (!isDirectory) throw new UsageError(`${dir}: not a directory`);
  return new NodeFileSystem(fs);
}

/** Whether a folder holds nothing of a store: no manifest, snapshot, segment or leftover file. */
function holdsNoStore(report: InspectReport): boolean {
  return report.manifest === undefined && report.manifestProblem === 'missing' && report.snapshot === undefined
    && report.snapshotProblem === undefined && report.segments.length === 0 && report.orphans.length === 0;
}

/** Says that nothing was checked, and gives the exit code for it. */
function nothingToCheck(dir: string): number {
  process.stderr.write(`powercut: nothing was checked: ${dir} holds no store of the reference engine (no manifest, snapshot or segment; inspect and verify read only its files: check your own engine's files with its selfCheck)\n`);
  return exitCodes.nothingTested;
}

export function register(program: Command): void {
  program.command('inspect')
    .description('describe a store folder: manifest, snapshot, segments, sidecars, leftover files')
    .argument('<dir>', 'the store folder')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const report = await inspect(storeFileSystem(dir), dir);
      if (holdsNoStore(report)) {
        process.exitCode = nothingToCheck(dir);
        return;
      }
      if (options.json) {
        console.log(JSON.stringify(report));
        return;
      }
      console.log(`store ${report.dir}`);
      console.log(`manifest: ${report.manifest ? JSON.stringify(report.manifest) : `problem: ${report.manifestProblem ?? 'missing'}`}`);
      if (report.snapshot) console.log(`snapshot: ${report.snapshot.name}, lsn ${report.snapshot.lsn}, ${report.snapshot.entries} entries, ${report.snapshot.bytes} B`);
      else if (report.snapshotProblem) console.log(`snapshot: problem: ${report.snapshotProblem}`);
      console.log(`segments: ${report.segments.length}`);
      for (const segment of report.segments) {
        const lsns = segment.baseLsn !== undefined ? `lsn ${segment.baseLsn}..${segment.lastLsn ?? '?'}` : 'no header';
        const damage = segment.damage ? `, damage at ${segment.damage.offset}: ${segment.damage.detail}` : '';
        const header = segment.headerProblem ? `, header: ${segment.headerProblem}` : '';
        console.log(`  ${segment.name} ${segment.bytes} B, ${segment.frames} frames, ${lsns}, sidecar ${segment.sidecar}${damage}${header}`);
      }
      if (report.orphans.length > 0) console.log(`leftover files (recovery removes them): ${report.orphans.join(', ')}`);
    });

  program.command('verify')
    .description('check every checksum and structure of a store folder; exit 1 if recovery would refuse it')
    .argument('<dir>', 'the store folder')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const fs = storeFileSystem(dir);
      if (holdsNoStore(await inspect(fs, dir))) {
        process.exitCode = nothingToCheck(dir);
        return;
      }
      const report = await verify(fs, dir);
      if (options.json) console.log(JSON.stringify(report));
      else {
        console.log(`${report.ok ? 'ok' : 'NOT OK'}: ${report.segmentsChecked} segments, ${report.framesChecked} frames checked, ${report.problems.length} problems`);
        for (const problem of report.problems) console.log(`  ${problem.severity}: ${problem.file}@${problem.offset}: ${problem.message}`);
      }
      process.exitCode = report.ok ? exitCodes.ok : exitCodes.violation;
    });
}
