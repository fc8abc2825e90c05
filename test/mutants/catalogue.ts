/**
 * The mutant catalogue: realistic crash-consistency bugs, each a small source change to a copy
 * of `engine/` (loader.ts), each modelled on a real bug. The simulator must catch every one of
 * them within a fixed seed budget (catalogue.test.ts); a mutant that survives means the fault
 * model or the oracle is too weak, never that the mutant may be dropped.
 *
 * Every `find` must match exactly once in the current engine, or loading the mutant throws a
 * `StalePatternError` naming it: the catalogue follows the engine as it changes.
 */

/** One source change. */
export interface Patch {
  /** Path relative to `engine/`. */
  readonly file: string;
  /** Text or pattern that must match exactly once. */
  readonly find: string | RegExp;
  /** Its replacement (taken literally). */
  readonly replace: string;
}

/** A planted bug. */
export interface Mutant {
  /** Stable identifier (also the name of its temporary copy). */
  readonly id: string;
  /** What the bug does. */
  readonly title: string;
  /** The real bug it is modelled on. */
  readonly models: string;
  readonly patches: readonly Patch[];
  /** Scenarios whose seeds are searched, round-robin, for the first violation. */
  readonly scenarios: readonly string[];
}

export const mutants: readonly Mutant[] = [
  {
    id: 'segment-no-dir-sync',
    title: 'no directory fsync after a new segment is renamed into place',
    models: 'LevelDB #189 (no dir sync after creating MANIFEST)',
    patches: [{ file: 'wal/segments.ts', find: 'await publishFile(fs, dir, temporary, path);', replace: 'await fs.rename(temporary, path);' }],
    scenarios: ['rotation', 'swarm'],
  },
  {
    id: 'rotate-without-sync',
    title: 'the old segment is not fsynced before rotating to the next',
    models: 'LevelDB #193 (log not synced before compaction)',
    patches: [{
      file: 'store.ts',
      find: "    this.probe('segment.rotate');\n    await this.syncActive();\n",
      replace: "    this.probe('segment.rotate');\n",
    }],
    scenarios: ['rotation', 'swarm'],
  },
  {
    id: 'prune-before-manifest',
    title: 'segments and the old snapshot are pruned before the new manifest is durable',
    models: 'LevelDB #195 (pointer file not synced before old files unlinked)',
    patches: [
      { file: 'store.ts', find: '    await this.writeManifest(manifest);\n    this.probe(\'prune\');\n', replace: "    this.probe('prune');\n" },
      { file: 'store.ts', find: '    this.counters.checkpoints++;\n', replace: '    await this.writeManifest(manifest);\n    this.counters.checkpoints++;\n' },
    ],
    scenarios: ['checkpoint-prune', 'swarm'],
  },
  {
    id: 'strict-ack-before-fsync',
    title: "a 'strict' commit is acknowledged before its fsync (the fsync is left to the next sync or rotation)",
    models: 'ack-before-durable bugs (e.g. MongoDB j:false defaults, Jepsen)',
    patches: [{ file: 'store.ts', find: "if (this.settings.sync !== 'none') {", replace: "if (this.settings.sync === 'group') {" }],
    scenarios: ['wal-append', 'kill9-anywhere', 'swarm'],
  },
  {
    id: 'fsync-error-ignored',
    title: 'an fsync error of the WAL is ignored and the commit acknowledged',
    models: 'Redis ignoring fsync return codes (ATC\'20 "Can Applications Recover from fsync Failures?")',
    patches: [{
      file: 'store.ts',
      find: '      await this.active.handle.truncate(this.durableSize).catch(() => undefined);\n      throw error;\n',
      replace: '      void error;\n',
    }],
    scenarios: ['fsync-failure', 'swarm'],
  },
  {
    id: 'fsync-error-retried',
    title: 'a failed fsync is retried, and the commit acknowledged when the retry succeeds',
    models: 'PostgreSQL fsyncgate (2018): retrying fsync after EIO on ext4',
    patches: [{
      file: 'store.ts',
      find: '      await this.active.handle.truncate(this.durableSize).catch(() => undefined);\n      throw error;\n',
      replace: '      void error;\n      await this.active.handle.datasync();\n',
    }],
    scenarios: ['fsync-failure', 'swarm'],
  },
  {
    id: 'last-frame-unchecked',
    title: "the last frame's payload checksum is not verified, so a torn tail is replayed",
    models: 'LevelDB #251 (zero-filled or garbage tail replayed)',
    patches: [{
      file: 'wal/reader.ts',
      find: 'if (crc32c(bytes, payloadStart, payloadEnd) !== frameHeader.payloadCrc) {',
      replace: 'if (offset + size < bytes.length && crc32c(bytes, payloadStart, payloadEnd) !== frameHeader.payloadCrc) {',
    }],
    scenarios: ['wal-append', 'kill9-anywhere', 'swarm'],
  },
  {
    id: 'corruption-truncated',
    title: 'damage to durable frames of the last segment is cut off like a torn tail, leaving a hole',
    models: 'LevelDB with paranoid_checks off / RocksDB kSkipAnyCorruptedRecords',
    patches: [{
      file: 'wal/recovery.ts',
      find: '  // R3: one flipped bit is bit rot',
      replace: "  return { action: 'truncate', rule: 'R5', offset: damage.offset, reason: 'skipped corruption' };\n  // R3: one flipped bit is bit rot",
    }],
    scenarios: ['read-corruption', 'swarm'],
  },
  {
    id: 'torn-tail-kept',
    title: 'a torn tail is not truncated on open; new frames are appended after it',
    models: 'etcd #14098 / LevelDB log appends after a torn record (log with holes)',
    patches: [
      // Recovery does not cut, and the analysis has the store append at the end of the file.
      { file: 'recover.ts', find: '    await handle.truncate(action.offset);\n', replace: '' },
      {
        file: 'analysis-log.ts',
        find: "const endOffset = verdict?.action === 'truncate' ? verdict.offset : bytes.length;",
        replace: 'const endOffset = bytes.length;',
      },
    ],
    scenarios: ['wal-append', 'kill9-anywhere', 'swarm'],
  },
  {
    id: 'truncation-not-synced',
    title: 'the truncation of a torn tail is not fsynced (and open does not fsync the last segment)',
    models: 'ALICE: unsynced truncate in recovery; LazyFS-found LevelDB/etcd recovery bugs',
    patches: [
      { file: 'recover.ts', find: '    await handle.truncate(action.offset);\n    await handle.datasync();\n', replace: '    await handle.truncate(action.offset);\n' },
      // The directory fsync of rule K5 stays: it is not the segment's data (the mutant predates it).
      { file: 'recover.ts', find: '  const handle = await fs.open(file);\n  await handle.datasync();\n', replace: '  const handle = await fs.open(file);\n' },
    ],
    scenarios: ['recovery-crash', 'rotation', 'swarm'],
  },
  {
    id: 'stale-sidecar-trusted',
    title: 'recovery keeps any sidecar that decodes, without checking it against its segment',
    models: 'Kafka KAFKA-1554 (stale offset index trusted after unclean shutdown)',
    // The comparison is rule K3 in the analysis, which `verify` shares: the bug is planted there,
    // so the engine's own self-check is as blind to it as recovery is.
    patches: [{
      file: 'wal/recovery.ts',
      find: "  if (sidecarMatches(found, actual)) return 'ok';\n",
      replace: "  return 'ok';\n",
    }],
    scenarios: ['sidecar-rewrite', 'swarm'],
  },
  {
    id: 'sidecar-in-place',
    title: 'the sidecar is rewritten in place (truncate + write, no fsync, no rename)',
    models: 'nedb / ALICE "rename before fsync", in-place overwrite assumed atomic',
    patches: [
      {
        file: 'store.ts',
        find: '      await stageFile(this.fs, `${target}.tmp`, bytes);\n',
        replace: '      const inPlace = await this.fs.open(target, { create: true, truncate: true });\n      await inPlace.write(0, bytes);\n      await inPlace.close();\n',
      },
      {
        file: 'store.ts',
        find: '      await publishFile(this.fs, this.dir, `${target}.tmp`, target);\n    } catch (error) {\n      if (!isIoError(error)) throw error;\n      throw this.fail(\'could not publish a sidecar\', error);',
        replace: '      void publishFile;\n    } catch (error) {\n      if (!isIoError(error)) throw error;\n      throw this.fail(\'could not publish a sidecar\', error);',
      },
    ],
    scenarios: ['sidecar-rewrite', 'swarm'],
  },
  {
    id: 'orphan-sidecar-adopted',
    title: 'an orphan `.wal.idx.tmp` is renamed into place on open and trusted',
    models: 'ALICE: recovery "completing" an interrupted rename with an unverified temp file',
    patches: [
      // Recovery applies the plan: it adopts the orphan instead of removing it, and then skips
      // the rebuild the analysis planned (from the sidecar it found before) for that sidecar.
      { file: 'recover.ts', find: 'const context: ApplyContext = { fs, dir, probe, onProbe };', replace: 'const context = { fs, dir, probe, onProbe, adopted: new Set<string>() };' },
      {
        file: 'recover.ts',
        find: "    case 'remove-orphans':\n    case 'remove-evidence':\n      onProbe(action.kind === 'remove-orphans' ? 'recovery.remove-orphans' : 'recovery.remove-evidence');\n      await removeFiles(fs, dir, action.files);\n      return undefined;\n",
        replace: [
          "    case 'remove-orphans':",
          '      for (const file of action.files) {',
          "        if (!file.endsWith('.wal.idx.tmp')) await fs.unlink(file);",
          '        else {',
          '          await fs.rename(file, file.slice(0, -4));',
          '          context.adopted.add(file.slice(0, -4));',
          '        }',
          '      }',
          '      await fs.syncDir(dir);',
          '      return undefined;',
          "    case 'remove-evidence':",
          '      await removeFiles(fs, dir, action.files);',
          '      return undefined;',
          '',
        ].join('\n'),
      },
      {
        file: 'recover.ts',
        find: "    case 'rebuild-sidecar':\n      onProbe(`recovery.rebuild-sidecar.${action.state}`);\n",
        replace: "    case 'rebuild-sidecar':\n      if (context.adopted.has(action.file)) return undefined;\n      onProbe(`recovery.rebuild-sidecar.${action.state}`);\n",
      },
    ],
    scenarios: ['sidecar-rewrite', 'swarm'],
  },
  {
    id: 'group-ack-uncovered',
    title: 'group commit fsyncs after the first frame and acknowledges the frames written after the fsync',
    models: 'group-commit watermark races (MySQL binlog group commit, WiredTiger log slot bugs)',
    patches: [
      { file: 'store.ts', find: 'await this.active.handle.write(offset, bytes);', replace: 'await this.active.handle.write(offset, frames[0]!);' },
      {
        file: 'store.ts',
        find: "      if (this.settings.sync === 'group') this.counters.groupSyncs++;\n    }\n",
        replace: "      if (this.settings.sync === 'group') this.counters.groupSyncs++;\n    }\n    if (frames.length > 1) await this.active.handle.write(offset + frames[0]!.length, bytes.subarray(frames[0]!.length));\n",
      },
    ],
    scenarios: ['group-commit', 'swarm'],
  },
  {
    id: 'enospc-partial-kept',
    title: 'after ENOSPC the partial frame is left in place and later frames are appended after it',
    models: 'SQLite/RocksDB short-write handling; etcd and RocksDB refuse logs with holes',
    patches: [{ file: 'store.ts', find: 'await this.active.handle.truncate(offset);', replace: 'this.active.size = await this.active.handle.size();' }],
    scenarios: ['disk-full', 'swarm'],
  },
  {
    id: 'enospc-write-cut-acknowledged',
    title: 'after ENOSPC from a log write, the store fails and cuts the segment back to its last durable size, as after a failed fsync, destroying commits already acknowledged in none mode',
    models: 'the fsyncgate cut applied to a full disk, which takes nothing from the page cache (a new user\'s Bitcask cut its data file back after ENOSPC from a write)',
    patches: [{
      file: 'store.ts',
      find: '    try {\n      await this.active.handle.truncate(offset);\n    } catch (truncateError) {\n',
      replace: "    try {\n      await this.active.handle.truncate(this.durableSize);\n      this.fail('the disk is full', error);\n      for (const task of group) task.reject(this.failedError('unknown'));\n      return;\n    } catch (truncateError) {\n",
    }],
    scenarios: ['disk-full', 'swarm'],
  },
  {
    id: 'snapshot-not-synced',
    title: 'the snapshot is not fsynced before the manifest points to it',
    models: 'LevelDB (LazyFS) "CURRENT file does not end with newline"; nedb rename before fsync',
    patches: [{
      file: 'store.ts',
      find: '      await stageFile(this.fs, `${target}.tmp`, encodeSnapshot(lsn, this.state));\n',
      replace: '      const unsynced = await this.fs.open(`${target}.tmp`, { create: true, truncate: true });\n      await unsynced.write(0, encodeSnapshot(lsn, this.state));\n      await unsynced.close();\n',
    }],
    scenarios: ['checkpoint-prune', 'swarm'],
  },
  {
    id: 'batch-two-frames',
    title: 'a batch of several operations is written as two frames, so a crash can keep half of it',
    models: 'ALICE: multi-block appends assumed atomic (non-atomic batch in several log records)',
    patches: [
      {
        file: 'store.ts',
        find: 'const frames = group.map((task, i) => encodeFrame(firstLsn + i, this.durableLsn, encodeBatch(task.ops)));',
        replace: [
          'const lsns: number[] = [];',
          '    const frames: Uint8Array[] = [];',
          '    for (const task of group) {',
          '      const half = task.ops.length >> 1;',
          '      const parts = half > 0 ? [task.ops.slice(0, half), task.ops.slice(half)] : [task.ops];',
          '      for (const part of parts) frames.push(encodeFrame(firstLsn + frames.length, this.durableLsn, encodeBatch(part)));',
          '      lsns.push(firstLsn + frames.length - 1);',
          '    }',
        ].join('\n'),
      },
      { file: 'store.ts', find: 'this.writtenLsn = firstLsn + group.length - 1;', replace: 'this.writtenLsn = firstLsn + frames.length - 1;' },
      { file: 'store.ts', find: 'task.resolve(firstLsn + i);', replace: 'task.resolve(lsns[i]!);' },
    ],
    scenarios: ['wal-append', 'kill9-anywhere', 'swarm'],
  },
  {
    id: 'sync-outside-queue',
    title: '`sync()` fsyncs the log at once instead of waiting its turn behind the commits in the writer queue',
    models: 'fsync racing the log writer (LevelDB #193-style watermark bugs; RocksDB SyncWAL vs concurrent writes)',
    // The sync marks the log clean and durable up to what was written when its fsync returned,
    // although a write still in flight may land after that fsync: a later sync then skips it.
    patches: [{ file: 'store.ts', find: '    await this.runJob(() => this.syncActive());\n', replace: '    await this.syncActive();\n' }],
    scenarios: ['overlap', 'swarm'],
  },
  {
    id: 'r4-evidence-ignored',
    title: 'recovery looks for no evidence that a damaged frame was durable (snapshot, sidecar watermark, clean close, manifest, later frames): damage to the last segment is always cut as a torn tail',
    models: 'LevelDB with paranoid_checks off / RocksDB kTolerateCorruptedTailRecords: a corrupt record at the end of the last log taken for a torn write, losing synced data',
    patches: [
      { file: 'wal/recovery.ts', find: /  \/\/ R4: evidence that the frame had been made durable\.\n[\s\S]*?(?=  \/\/ R5:)/, replace: '' },
      // The manifest's durable LSN is R4's evidence too where rule C3 reads it: gone with the rest.
      { file: 'wal/recovery.ts', find: '  if (logEndLsn < manifestDurableLsn) {\n', replace: '  if (logEndLsn < manifestDurableLsn && manifestDurableLsn < 0) {\n' },
    ],
    scenarios: ['sector-damage', 'misdirected-write', 'swarm'],
  },
  {
    id: 'later-frame-evidence-ignored',
    title: 'recovery ignores intact frames after a damaged one that record it durable: damage to an older frame of the last segment, followed by frames written after it was fsynced, is cut as a torn tail',
    models: 'RocksDB point-in-time recovery (stop at the first corruption of the last log) and LevelDB with paranoid_checks off: a corrupt record followed by intact, synced ones taken for a torn write, losing the synced records after it',
    patches: [{
      file: 'wal/recovery.ts',
      find: /  for \(const later of findIntactFramesAfter\(context\.bytes, damage\.offset\)\) \{\n[\s\S]*?\n  \}\n/,
      replace: '',
    }],
    scenarios: ['sector-damage', 'swarm'],
  },
  {
    id: 'continuity-unchecked',
    title: 'recovery does not check that the live segments follow each other (rules C1, C2): a missing segment leaves a hole in the log',
    models: 'log recovery that replays the files it finds without checking they are consecutive (a WAL file lost between two others; RocksDB and etcd refuse such a gap)',
    patches: [{
      file: 'wal/recovery.ts',
      find: '  // C1: frames after the snapshot must start in the first live segment, or some were lost.\n',
      replace: '  if (index >= 0) return undefined;\n  // C1: frames after the snapshot must start in the first live segment, or some were lost.\n',
    }],
    scenarios: ['lost-file', 'swarm'],
  },
  {
    id: 'covered-segments-replayed',
    title: 'segments wholly covered by the snapshot (left by an interrupted prune) are replayed over it; the replay statistics leave them out',
    models: 'recovery applying log files the manifest already covers (LevelDB replays only logs at or after the manifest\'s log number, for this reason)',
    patches: [{
      file: 'analysis-log.ts',
      find: '    if (role !== \'covered\') this.replay(scan, bytes.length);\n',
      replace: [
        "    if (role !== 'covered') this.replay(scan, bytes.length);",
        '    else {',
        '      for (const frame of scan.frames) {',
        "        for (const op of frame.ops) if (op.type === 'put') this.start.state.set(op.key, op.value); else this.start.state.delete(op.key);",
        '      }',
        '    }',
        '',
      ].join('\n'),
    }],
    scenarios: ['lost-file', 'checkpoint-prune', 'swarm'],
  },
  {
    id: 'lost-last-segment-unnoticed',
    title: 'recovery ignores the LSN the manifest records durable: a lost last segment (or only segment) is not noticed and its commits vanish',
    models: 'RocksDB\'s "SST file is ahead of WALs" check: the sequence the manifest records is the only witness that the last log file is gone',
    patches: [{
      file: 'wal/recovery.ts',
      find: '  if (logEndLsn < manifestDurableLsn) {\n',
      replace: '  if (logEndLsn < manifestDurableLsn && manifestDurableLsn < 0) {\n',
    }],
    scenarios: ['lost-file', 'swarm'],
  },
  {
    id: 'snapshot-checksum-unchecked',
    title: 'a snapshot is decoded without verifying its checksum, so a damaged sector inside a value is loaded as data',
    models: 'LevelDB / RocksDB with verify_checksums off: table blocks read without their checksum, damage served as data',
    patches: [{ file: 'snapshot.ts', find: "  if (view.getUint32(end, true) !== crc32c(bytes, 0, end)) return { problem: 'checksum mismatch', offset: 0 };\n", replace: '' }],
    scenarios: ['sector-damage', 'swarm'],
  },
  {
    id: 'recovery-durable-unrecorded',
    title: 'a recovery serves the commits it replayed without recording in the manifest that they are durable (rule K7 keeps the old durable LSN)',
    models: 'state a recovery served but never recorded as durable (ALICE-style recovery bugs): a later recovery takes damage to it for a torn tail and cuts it',
    patches: [{ file: 'analysis.ts', find: 'durableLsn: Math.max(manifest.durableLsn, log.replay.lastLsn) }', replace: 'durableLsn: manifest.durableLsn }' }],
    scenarios: ['misdirected-write', 'sector-damage'],
  },
  {
    id: 'torn-evidence-not-kept',
    title: 'recovery cuts a torn tail without first keeping the cut bytes as evidence (rule K4)',
    models: 'etcd\'s repair.go copies a damaged WAL file to .broken before truncating it: a recovery that truncates without a copy destroys the only one if its torn-tail verdict was wrong',
    patches: [{ file: 'recover.ts', find: '  if (!action.evidenceKept) await replaceFileDurably(fs, dir, action.evidence, action.tail);\n', replace: '' }],
    scenarios: ['wal-append', 'kill9-anywhere', 'recovery-crash', 'swarm'],
  },
  {
    id: 'manifest-rename-unsynced',
    title: 'the new manifest is renamed into place without a directory fsync; the pruning after it syncs the directory once',
    models: 'LevelDB #195 (the pointer file not durable before the files it replaces are unlinked); ALICE: directory operations assumed to persist in order',
    patches: [{
      file: 'store.ts',
      find: "      await publishFile(this.fs, this.dir, `${target}.tmp`, target);\n    } catch (error) {\n      if (!isIoError(error)) throw error;\n      throw this.fail('could not publish the manifest', error);",
      replace: "      await this.fs.rename(`${target}.tmp`, target);\n    } catch (error) {\n      if (!isIoError(error)) throw error;\n      throw this.fail('could not publish the manifest', error);",
    }],
    scenarios: ['unordered-names', 'swarm'],
  },
  {
    id: 'segments-sorted-as-text',
    title: 'recovery orders segment numbers with the default sort, which compares them as text: segment 10 replays before segment 9',
    models: 'JavaScript\'s Array.prototype.sort without a comparator; log files replayed in name order where names are not zero-padded (wal-10 before wal-2)',
    patches: [{ file: 'wal/segments.ts', find: '  return seqs.sort((a, b) => a - b);\n}', replace: '  return seqs.sort();\n}' }],
    scenarios: ['long-haul', 'rotation'],
  },  {
    id: 'dir-sync-error-ignored',
    title: 'a directory fsync after a rename is treated as best effort: its EIO is dropped, so a new segment whose name is not durable takes acknowledged commits',
    models: 'fsync errors dropped (PostgreSQL before 2018, fsyncgate) applied to directories: code that fsyncs the directory but ignores what the fsync returns',
    patches: [{ file: 'files.ts', find: '  await fs.rename(temporary, target);\n  await fs.syncDir(dir);\n}', replace: '  await fs.rename(temporary, target);\n  await fs.syncDir(dir).catch(() => undefined);\n}' }],
    scenarios: ['dir-sync-failure', 'swarm'],
  },
  {
    id: 'write-error-ignored',
    title: 'only ENOSPC from a WAL write is handled: any other write error is taken for a transient one and the commits are fsynced and acknowledged',
    models: 'write errors other than "disk full" ignored (Redis ignored fsync\'s return code; code that special-cases ENOSPC and retries nothing else)',
    patches: [{
      file: 'store.ts',
      find: '    } catch (error) {\n      await this.handleWriteError(group, offset, error);\n      return;\n    }\n',
      replace: "    } catch (error) {\n      if (isIoError(error, 'ENOSPC')) {\n        await this.handleWriteError(group, offset, error);\n        return;\n      }\n    }\n",
    }],
    scenarios: ['write-failure', 'swarm'],
  },
  {
    id: 'snapshot-limit-off-by-one',
    title: 'the snapshot reader checks key and value lengths with >= where the writer allows the limit itself: a store holding a largest-size value never opens after its checkpoint',
    models: 'an off-by-one between a writer\'s and a reader\'s bound (a length "must be below" the limit on one side, "at most" on the other): data the engine accepted and made durable that its own recovery refuses as corrupt',
    patches: [
      { file: 'snapshot.ts', find: 'if (keyLength > keyBytesMax ||', replace: 'if (keyLength >= keyBytesMax ||' },
      { file: 'snapshot.ts', find: 'if (valueLength > valueBytesMax ||', replace: 'if (valueLength >= valueBytesMax ||' },
    ],
    scenarios: ['edge-values'],
  },
  {
    id: 'value-limit-unchecked',
    title: 'a commit does not check the value size: a value above the limit is acknowledged, and the frame holding it is refused by the engine\'s own reader',
    models: 'a limit enforced by the reader but not by the writer (input validated on the way out, not on the way in): the engine promises a commit that recovery then cuts or refuses',
    patches: [{ file: 'batch.ts', find: 'if (op.value.length > valueBytesMax)', replace: 'if (op.value.length > valueBytesMax && ops.length < 0)' }],
    scenarios: ['edge-values'],
  },
  {
    id: 'evidence-never-pruned',
    title: 'recovery keeps every torn-tail evidence file: the limit of rule K4 is never applied, so a store that crashes often fills its directory',
    models: 'files kept for diagnosis and never rotated (core dumps, crash logs, `.broken` copies of damaged logs): harmless after one crash, a full disk after a crash loop',
    patches: [{ file: 'wal/recovery.ts', find: '  if (excess <= 0) return [];', replace: '  if (excess <= 0 || excess > 0) return [];' }],
    scenarios: ['crash-loop'],
  },
  {
    id: 'read-error-as-end',
    title: 'recovery takes a segment whose read failed with EIO for one that ends after its header: it reads the header again and recovers the log as if nothing followed, cutting what did',
    models: 'an I/O error read as end of file (a log reader that stops at the first failed read and treats the rest as a torn tail; the class of bug behind data loss on transient read errors)',
    patches: [{
      file: 'analysis-log.ts',
      find: '    const read = await readWholeFile(this.start.fs, file, segmentReadBytesMax);\n',
      replace: '    const read = await readWholeFile(this.start.fs, file, segmentReadBytesMax).catch(async () => {\n      const again = await this.start.fs.open(file);\n      try {\n        return { bytes: await again.read(0, segmentHeaderBytes) };\n      } finally {\n        await again.close();\n      }\n    });\n',
    }],
    scenarios: ['read-corruption', 'swarm'],
  },
  {
    id: 'refusal-cuts-damage',
    title: 'recovery that refuses a damaged log first cuts the log at the damage and syncs the cut, so the refusal destroys the acknowledged frames after it',
    models: 'salvage before reporting: a recovery that truncates a log at the first checksum failure and only then reports corruption (RocksDB\'s kTolerateCorruptedTailRecords applied to mid-log damage; repair tools run automatically): once the damage is repaired, as when a transient fault clears or a sector is restored from a replica, the frames after it are gone',
    patches: [{
      file: 'recover.ts',
      find: '    onProbe(`recovery.refuse.${refusal.rule}`);\n',
      replace: '    onProbe(`recovery.refuse.${refusal.rule}`);\n    if (refusal.kind === \'corruption\' && await fs.exists(refusal.file)) {\n      const damaged = await fs.open(refusal.file);\n      await damaged.truncate(refusal.offset);\n      await damaged.sync();\n      await damaged.close();\n    }\n',
    }],
    scenarios: ['read-corruption', 'swarm'],
  },
];
