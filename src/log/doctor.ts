import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TributaryError } from '../errors.ts';
import { snappyDecompress } from '../protocol/compression/snappy.ts';
import { decodeRecordBatch, readBatchHeader } from '../protocol/index.ts';
import {
  batchKeyOffset,
  decodePartitionState,
  encodePartitionState,
  JOURNAL_APPLIED_KEY,
  KIND_BATCH,
  KIND_PARTITION_STATE,
  KIND_TOPIC,
  kindRange,
  partitionRange,
  parsePartitionKey,
  partitionStateKey,
  readU64,
  type StoredPartitionState,
  topicKey,
} from './keys.ts';
import { type JournalSalvage, recoverJournal } from './recovery.ts';
import { acquireDataDir, BROKER_FILE, LOCK_FILE, lockedBy, lockHolder } from './storage/data-dir.ts';
import { describeStorageFailure } from './storage/failure.ts';
import { Journal } from './storage/journal.ts';
import type { KvOp } from './storage/kv.ts';
import { damagedLevelDbTables, liveLevelDbTables } from './storage/leveldb-files.ts';
import { CLOSE_MARKER_FILE, LevelKvStore, repairLevelDb } from './storage/level.ts';

/** A bound on one table block uncompressed: blocks are ~4 KiB, or one large record; past this is damage. */
const MAX_TABLE_BLOCK = 1 << 30;

/** One thing `trib doctor` found wrong. `where` is a partition (`orders-1`), `journal`, `LevelDB` or `topics`. */
export interface DoctorProblem {
  where: string;
  topic?: string;
  partition?: number;
  message: string;
  /** Offsets `[from, to)` the problem concerns, when it concerns offsets. */
  range?: [number, number];
}

/** Offsets `[from, to)` of a partition that a repair could not keep. */
export interface LostOffsets {
  topic: string;
  partition: number;
  from: number;
  to: number;
  why: string;
}

/** What {@link checkDataDir} found and, with `repair`, did. */
export interface DoctorReport {
  dataDir: string;
  /** What is wrong (before a repair, what was wrong). */
  problems: DoctorProblem[];
  /** What a repair changed, in words. */
  repairs: string[];
  /** Offsets a repair could not keep. */
  lost: LostOffsets[];
  /** Journal frames a repair could not read: their contents are unknown. */
  unreadableFrames: [number, number][];
  topics: number;
  partitions: number;
  batches: number;
  /** True when nothing is wrong (after a repair: when the repaired directory checks clean). */
  ok: boolean;
}

/**
 * `trib doctor`: checks a closed data directory, and with `repair` salvages what is intact.
 *
 * Without `repair` the directory is not changed: LevelDB rewrites files when it opens, so the
 * check opens a scratch copy beside it (table files hard-linked, the rest copied) and deletes it
 * after. It checks that LevelDB opens, the journal's frames, every batch's CRC and key, offset
 * continuity where nothing was compacted or retained away, each partition's state (checksum and
 * agreement with its batches) and the schema registry's topic.
 *
 * With `repair` it works in place: LevelDB's own repair when LevelDB does not open (a lost
 * CURRENT, a damaged MANIFEST), the journal's intact frames applied up to the first one that
 * cannot be read, damaged batches deleted, and every partition's state rebuilt from its batches.
 * Offsets are never handed out twice: lost ranges stay holes that readers skip, and `lost` lists
 * them exactly.
 *
 * @example
 * const report = await checkDataDir('./.tributary');
 * if (!report.ok) for (const p of report.problems) console.log(p.where, p.message);
 */
export async function checkDataDir(dataDir: string, options: { repair?: boolean } = {}): Promise<DoctorReport> {
  const repair = options.repair === true;
  const report: DoctorReport = {
    dataDir,
    problems: [],
    repairs: [],
    lost: [],
    unreadableFrames: [],
    topics: 0,
    partitions: 0,
    batches: 0,
    ok: false,
  };
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new TributaryError('STORAGE_ERROR', `${dataDir} is not a directory`, { dataDir });
  }
  const holder = lockHolder(dataDir);
  if (holder !== undefined && holder !== process.pid && alive(holder)) {
    throw lockedBy(dataDir, dataDir, holder);
  }
  const entries = readdirSync(dataDir).filter((name) => name !== LOCK_FILE && name !== BROKER_FILE);
  if (entries.length === 0) {
    report.ok = true;
    return report;
  }
  const target = repair ? dataDir : scratchCopy(dataDir);
  try {
    await checkIn(target, repair, report);
  } finally {
    if (!repair) rmSync(target, { recursive: true, force: true });
  }
  if (repair && report.problems.length > 0) {
    // The repaired directory must now check clean.
    const after = await checkDataDir(dataDir);
    report.ok = after.ok;
    if (!after.ok)
      report.problems.push(...after.problems.map((p) => ({ ...p, message: `after repair: ${p.message}` })));
  } else {
    report.ok = report.problems.length === 0;
  }
  return report;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A copy of `dir` for LevelDB to open and change: table files are immutable, so they are linked. */
function scratchCopy(dir: string): string {
  const copy = join(dirname(resolve(dir)), `.${basename(resolve(dir))}.doctor-${process.pid}`);
  rmSync(copy, { recursive: true, force: true });
  const clone = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) {
      if (name === LOCK_FILE || name === BROKER_FILE || name === 'LOCK') continue;
      const source = join(from, name);
      if (statSync(source).isDirectory()) clone(source, join(to, name));
      else if (name.endsWith('.ldb') || name.endsWith('.sst')) {
        try {
          linkSync(source, join(to, name));
        } catch {
          copyFileSync(source, join(to, name));
        }
      } else copyFileSync(source, join(to, name));
    }
  };
  clone(dir, copy);
  return copy;
}

async function checkIn(dir: string, repair: boolean, report: DoctorReport): Promise<void> {
  const problem = (p: DoctorProblem) => report.problems.push(p);
  // LevelDB's CURRENT names its MANIFEST; without it LevelDB cannot find its tables.
  if (!existsSync(join(dir, 'CURRENT'))) {
    problem({ where: 'LevelDB', message: 'CURRENT is missing: LevelDB cannot find its MANIFEST' });
    if (!repair) return;
    await repairLevelDb(dir);
    report.repairs.push('LevelDB repair rebuilt CURRENT and MANIFEST from the table and log files');
  }
  // A table with a damaged block would abort the process inside LevelDB's repair (see
  // leveldb-files.ts): it is set aside in lost/ first, as RepairDB does with files it cannot read.
  // A damaged table the MANIFEST does not list (a compaction's output cut short by a crash) holds
  // nothing LevelDB uses, and LevelDB deletes it at its next open: not a problem, but LevelDB's
  // repair would read it, so a repair sets it aside all the same.
  const live = liveLevelDbTables(dir);
  const damaged = damagedLevelDbTables(dir, (block) => snappyDecompress(block, MAX_TABLE_BLOCK));
  const used = damaged.filter(({ file }) => live === undefined || live.has(Number.parseInt(file, 10)));
  for (const { file, problem: what } of used) problem({ where: 'LevelDB', message: `table ${file}: ${what}` });
  if (repair && damaged.length > 0) {
    const leftovers = damaged.filter((d) => !used.includes(d));
    mkdirSync(join(dir, 'lost'), { recursive: true });
    for (const { file } of damaged) renameSync(join(dir, file), join(dir, 'lost', file));
    if (leftovers.length > 0) {
      report.repairs.push(
        `damaged LevelDB tables ${leftovers.map((d) => d.file).join(', ')}, which LevelDB no longer used, set aside in lost/ (nothing is lost with them)`,
      );
    }
  }
  if (used.length > 0) {
    if (!repair) return;
    rmSync(join(dir, CLOSE_MARKER_FILE), { force: true });
    await repairLevelDb(dir);
    report.repairs.push(
      `LevelDB tables ${used.map((d) => d.file).join(', ')} set aside in lost/ (their records are lost); LevelDB repair rebuilt its MANIFEST without them`,
    );
  }
  for (let attempt = 0; ; attempt++) {
    const failure = await checkStore(dir, repair, report);
    if (failure === undefined) return;
    // LevelDB does not open, or finds damage in its own files while reading.
    report.problems.push({ where: 'LevelDB', message: failure });
    if (!repair || attempt > 0) return;
    // The close marker's writes are gone for good; the repaired store is what there is.
    rmSync(join(dir, CLOSE_MARKER_FILE), { force: true });
    await repairLevelDb(dir);
    report.repairs.push('LevelDB repair rebuilt its MANIFEST from the table and log files, keeping every intact entry');
  }
}

/** Runs the checks on the opened store; returns LevelDB's own failure, if it had one. */
async function checkStore(dir: string, repair: boolean, report: DoctorReport): Promise<string | undefined> {
  const lock = acquireDataDir(dir);
  const store = new LevelKvStore(dir, { createIfMissing: false, onClose: () => lock.release(), verify: true });
  try {
    await store.open();
  } catch (err) {
    if (err instanceof TributaryError && err.code === 'CORRUPT_MESSAGE')
      return err.message.split(': opening')[0]!.split('. Run')[0]!;
    return `does not open: ${describeStorageFailure((err as { cause?: unknown }).cause ?? err)}`;
  }
  const before = {
    problems: report.problems.length,
    topics: report.topics,
    partitions: report.partitions,
    batches: report.batches,
  };
  try {
    const dropped = await checkJournal(store, join(dir, 'journal'), repair, report);
    await checkTopics(store, repair, report, dropped);
    return undefined;
  } catch (err) {
    if (!(err instanceof TributaryError) || err.context.dataDir === undefined) throw err;
    // Start over after LevelDB's repair; what was found so far is found again.
    report.problems.length = before.problems;
    Object.assign(report, { topics: before.topics, partitions: before.partitions, batches: before.batches });
    return `reading failed: ${err.message}`;
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** Checks the journal and, with `repair`, applies its intact frames; returns the offsets of frames it dropped. */
async function checkJournal(
  store: LevelKvStore,
  journalDir: string,
  repair: boolean,
  report: DoctorReport,
): Promise<JournalSalvage['droppedOffsets']> {
  const appliedBytes = await store.get(JOURNAL_APPLIED_KEY);
  const applied = appliedBytes === undefined ? -1 : readU64(appliedBytes, 0);
  const { frames, damage } = Journal.read(journalDir);
  const pending = frames.filter((f) => f.seq > applied);
  const harmful = damage.filter((d) => (d.beforeSeq < 0 ? d.afterSeq + 1 > applied : d.beforeSeq - 1 > applied));
  for (const d of harmful) {
    report.problems.push({
      where: 'journal',
      message:
        d.beforeSeq < 0
          ? `${d.file} is damaged at byte ${d.at}: its last frame (${d.afterSeq + 1}) is all there but does not check`
          : `${d.file} is damaged at byte ${d.at}: frames ${Math.max(d.afterSeq, applied) + 1} to ${d.beforeSeq - 1} cannot be read, with intact frames after them`,
    });
  }
  const none = new Map();
  if (!repair) return none;
  if (pending.length === 0 && harmful.length === 0) {
    if (frames.length > 0 || damage.length > 0) Journal.remove(journalDir);
    return none;
  }
  const salvage: JournalSalvage = { unreadable: [], dropped: 0, droppedOffsets: new Map() };
  await recoverJournal(store, journalDir, salvage);
  report.repairs.push(
    `applied the journal's intact frames${salvage.dropped > 0 ? ` and dropped ${salvage.dropped} intact frame(s) after the damage` : ''}`,
  );
  report.unreadableFrames.push(...salvage.unreadable);
  return salvage.droppedOffsets;
}

interface StoredTopic {
  name: string;
  topicId: number;
  numPartitions: number;
}

async function all(
  store: LevelKvStore,
  range: { gte: Uint8Array; lt: Uint8Array },
): Promise<[Uint8Array, Uint8Array][]> {
  const it = store.iterator(range);
  const out: [Uint8Array, Uint8Array][] = [];
  try {
    for (;;) {
      const entries = await it.nextv(256);
      if (entries.length === 0) return out;
      out.push(...entries);
    }
  } finally {
    await it.close();
  }
}

async function checkTopics(
  store: LevelKvStore,
  repair: boolean,
  report: DoctorReport,
  dropped: JournalSalvage['droppedOffsets'],
): Promise<void> {
  const decoder = new TextDecoder();
  const topics: StoredTopic[] = [];
  const unreadable: { key: Uint8Array; name: string }[] = [];
  for (const [key, value] of await all(store, kindRange(KIND_TOPIC))) {
    try {
      const topic = JSON.parse(decoder.decode(value)) as StoredTopic;
      if (
        typeof topic.name !== 'string' ||
        !Number.isSafeInteger(topic.topicId) ||
        !Number.isSafeInteger(topic.numPartitions)
      )
        throw new Error('fields');
      topics.push(topic);
    } catch {
      const name = decoder.decode(key.subarray(1));
      report.problems.push({ where: 'topics', message: `the metadata of topic "${name}" cannot be read` });
      unreadable.push({ key, name });
    }
  }
  // Partitions whose topic has no metadata: the record was lost or is unreadable. Their data is
  // kept under the unreadable record's name when there is one, else a new one; configs are lost,
  // so nothing is deleted by retention until someone sets them again.
  const known = new Set(topics.map((t) => t.topicId));
  const names = new Set(topics.map((t) => t.name));
  const orphans = new Map<number, number>();
  for (const [key] of await all(store, kindRange(KIND_PARTITION_STATE))) {
    const { topicId, partition } = parsePartitionKey(key);
    if (!known.has(topicId)) orphans.set(topicId, Math.max(orphans.get(topicId) ?? 0, partition + 1));
  }
  for (const [topicId, numPartitions] of orphans) {
    report.problems.push({
      where: 'topics',
      message: `${numPartitions} partition(s) of topic id ${topicId} have no topic metadata`,
    });
    if (!repair) continue;
    const reused = unreadable.shift();
    let name = reused?.name ?? `recovered-topic-${topicId}`;
    while (names.has(name)) name = `${name}-${topicId}`;
    names.add(name);
    const topic: StoredTopic & { overrides: Record<string, unknown> } = {
      name,
      topicId,
      numPartitions,
      overrides: { 'retention.ms': -1 },
    };
    const ops: KvOp[] = [];
    if (reused !== undefined && reused.name !== name) ops.push({ type: 'del', key: reused.key });
    ops.push({ type: 'put', key: topicKey(name), value: new TextEncoder().encode(JSON.stringify(topic)) });
    await store.write(ops, true);
    report.repairs.push(
      `topic id ${topicId} restored as "${name}" with ${numPartitions} partition(s) and retention.ms=-1 (its configs were lost)`,
    );
    topics.push(topic);
  }
  if (repair) {
    // Unreadable records that no partition claims hold nothing to keep.
    for (const { key, name } of unreadable) {
      await store.write([{ type: 'del', key }], true);
      report.repairs.push(`the unreadable metadata of topic "${name}" was removed; no partition data belonged to it`);
    }
  }
  for (const topic of topics) {
    report.topics++;
    for (let partition = 0; partition < topic.numPartitions; partition++) {
      report.partitions++;
      await checkPartition(store, topic, partition, repair, report);
      const lostInJournal = dropped.get(`${topic.topicId}:${partition}`);
      if (lostInJournal !== undefined) {
        report.lost.push({
          topic: topic.name,
          partition,
          from: lostInJournal.from,
          to: lostInJournal.to,
          why: 'in journal frames after the damage',
        });
      }
    }
    if (topic.name === '_schemas') await checkRegistry(store, topic, report);
  }
}

async function checkPartition(
  store: LevelKvStore,
  topic: StoredTopic,
  partition: number,
  repair: boolean,
  report: DoctorReport,
): Promise<void> {
  const where = `${topic.name}-${partition}`;
  const problem = (message: string, range?: [number, number]) =>
    report.problems.push({ where, topic: topic.name, partition, message, range });
  const stateBytes = await store.get(partitionStateKey(topic.topicId, partition));
  const stored = stateBytes === undefined ? undefined : decodePartitionState(stateBytes);
  if (stored === undefined)
    problem(stateBytes === undefined ? 'its state is missing' : 'its state is damaged (checksum)');
  const logStart = stored?.logStartOffset ?? 0;
  // Below this, holes are what retention, deleteRecords or compaction left.
  const skippable = Math.max(stored?.cleanedUpTo ?? 0, logStart);

  const batches = await all(store, partitionRange(KIND_BATCH, topic.topicId, partition));
  const ops: KvOp[] = [];
  const lost: [number, number, string][] = [];
  let expected = logStart;
  let firstBase: number | undefined;
  let sizeBytes = 0;
  for (let i = 0; i < batches.length; i++) {
    const [key, value] = batches[i]!;
    report.batches++;
    const keyOffset = batchKeyOffset(key);
    const nextKey = i + 1 < batches.length ? batchKeyOffset(batches[i + 1]![0]) : Number.POSITIVE_INFINITY;
    let lastOffset: number | undefined;
    let damaged: string | undefined;
    try {
      const header = readBatchHeader(value, { topic: topic.name, partition });
      lastOffset = header.lastOffset;
      if (header.baseOffset !== keyOffset) damaged = `it says it starts at ${header.baseOffset}`;
      else if (header.lastOffset >= nextKey)
        damaged = `it ends at ${header.lastOffset}, past the next batch at ${nextKey}`;
      else decodeRecordBatch(value, { context: { topic: topic.name, partition } });
    } catch (err) {
      damaged = err instanceof Error ? err.message : String(err);
    }
    if (keyOffset > expected && keyOffset > skippable) {
      const from = Math.max(expected, skippable);
      problem(`offsets ${from} to ${keyOffset - 1} are missing`, [from, keyOffset]);
      lost.push([from, keyOffset, 'missing from the store']);
    }
    if (damaged !== undefined) {
      // What a damaged batch held runs to the next batch (or, for the last, to the state's end).
      const to = Number.isFinite(nextKey) ? nextKey : Math.max(keyOffset + 1, stored?.nextOffset ?? 0);
      problem(`the batch at offset ${keyOffset} is damaged: ${damaged}`, [keyOffset, to]);
      ops.push({ type: 'del', key });
      lost.push([keyOffset, to, 'damaged batch deleted']);
      expected = Math.max(expected, to);
      continue;
    }
    sizeBytes += value.length;
    firstBase ??= keyOffset;
    expected = Math.max(expected, lastOffset! + 1);
  }
  const end = expected;
  if (stored !== undefined) {
    if (stored.nextOffset > end && stored.nextOffset > skippable) {
      const from = Math.max(end, skippable);
      problem(`its state says the next offset is ${stored.nextOffset} but the batches end at ${end}`, [
        from,
        stored.nextOffset,
      ]);
      lost.push([from, stored.nextOffset, 'missing from the store']);
    } else if (stored.nextOffset < end) {
      problem(
        `its state says the next offset is ${stored.nextOffset} but the batches end at ${end}: appends would reuse offsets`,
        [stored.nextOffset, end],
      );
    }
  }
  if (!repair) return;
  if (lost.length === 0 && ops.length === 0 && stored !== undefined && stored.nextOffset >= end) return;
  // Never hand an offset out twice: the next offset stays past everything ever stored, and the
  // lost ranges become holes below `cleanedUpTo`, which readers skip as they skip compaction's.
  const nextOffset = Math.max(end, stored?.nextOffset ?? 0);
  const holesEnd = lost.reduce((max, [, to]) => Math.max(max, to), 0);
  const state: StoredPartitionState = {
    logStartOffset: Math.min(stored?.logStartOffset ?? firstBase ?? nextOffset, nextOffset),
    nextOffset,
    sizeBytes,
    cleanedUpTo: Math.max(stored?.cleanedUpTo ?? 0, holesEnd),
    dirtyBytes: sizeBytes,
  };
  ops.push({ type: 'put', key: partitionStateKey(topic.topicId, partition), value: encodePartitionState(state) });
  await store.write(ops, true);
  report.repairs.push(`${topic.name}-${partition}: state rebuilt from its batches (next offset ${nextOffset})`);
  for (const [from, to, why] of lost) report.lost.push({ topic: topic.name, partition, from, to, why });
}

/** The registry's `_schemas` topic: Confluent's layout, a JSON key on every record and JSON (or null) values. */
async function checkRegistry(store: LevelKvStore, topic: StoredTopic, report: DoctorReport): Promise<void> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const [, value] of await all(store, partitionRange(KIND_BATCH, topic.topicId, 0))) {
    let records: ReturnType<typeof decodeRecordBatch>['records'];
    try {
      const batch = decodeRecordBatch(value, { context: { topic: topic.name, partition: 0 } });
      if (batch.isControl) continue;
      records = batch.records;
    } catch {
      continue; // reported with the partition
    }
    for (const r of records) {
      try {
        if (r.key === null) throw new Error('no key');
        JSON.parse(decoder.decode(r.key));
        if (r.value !== null) JSON.parse(decoder.decode(r.value));
      } catch {
        report.problems.push({
          where: `${topic.name}-0`,
          topic: topic.name,
          partition: 0,
          message: `registry record at offset ${r.offset} is not Confluent's JSON key/value layout`,
          range: [r.offset, r.offset + 1],
        });
      }
    }
  }
}
