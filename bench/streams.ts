/**
 * `npm run bench -- streams`: the streams runtime on the embedded log (LevelDB in a temp dir).
 *
 * 1. WordCount end to end with exactly-once (after a short warm-up run): the bundled text (opening chapters of Pride and
 *    Prejudice), repeated, is already in a 2-partition topic; the figure is words per second from
 *    start() until every count is committed to the store, its changelog and the compacted output
 *    topic (through the repartition topic). Reference: a plain Map count of the same lines, in the
 *    same run.
 * 2. Restoring a 1,000,000-key store from its changelog, timed from start() to RUNNING. Reference:
 *    reading the same changelog with log.read and nothing else.
 * 3. A windowed count: 1,000,000 keyed records over 10,000 keys in a 2-partition topic, counted per
 *    tumbling one-minute window (the records span 100 minutes), exactly-once, from start() until
 *    every count is committed; checked against a plain Map count of the same (key, window) pairs,
 *    which is also the reference figure.
 * 4. A stream-stream inner join: 500,000 records on each side over 10,000 keys, joined within one
 *    second; records/s counts both sides' input records; the number of joined records is checked
 *    against a plain count of the pairs within the window.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainCount, wordCountTopology } from '../examples/wordcount/wordcount.ts';
import { type AppendRecord, openLog } from '../src/log/index.ts';
import { Serdes } from '../src/serde/index.ts';
import { KafkaStreams, StreamsBuilder } from '../src/streams/index.ts';
import { line, since } from './report.ts';

const PASSES = 150;

/** CPU seconds (user + system, all threads) this process used since `start` (from process.cpuUsage()). */
function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

/**
 * The same figure per CPU second of this process: on a shared machine the wall-clock figure
 * swings with everyone else's load, this one much less.
 */
function cpuLine(label: string, count: number, cpuSeconds: number, unit: string): void {
  line(`  ${label} per CPU second`, count / cpuSeconds, unit);
}
const KEYS = 1_000_000;

export async function wordCount(dir: string, passes = PASSES, quiet = false): Promise<Record<string, number>> {
  const text = readFileSync(join(import.meta.dirname, '../examples/wordcount/pride-and-prejudice-1-5.txt'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const all: string[] = [];
  for (let i = 0; i < passes; i++) all.push(...lines);
  const log = await openLog({ dataDir: join(dir, `wc-${passes}`), maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'text-lines', numPartitions: 2 });
  await log.createTopic({
    topic: 'word-counts',
    numPartitions: 2,
    configs: { 'cleanup.policy': 'compact', 'max.message.bytes': 64 << 20 },
  });
  const enc = new TextEncoder();
  for (let p = 0; p < 2; p++) {
    const mine = all.filter((_l, i) => i % 2 === p);
    for (let i = 0; i < mine.length; i += 2000)
      await log.append(
        'text-lines',
        p,
        mine.slice(i, i + 2000).map((l) => ({ key: null, value: enc.encode(l) })),
      );
  }

  let t = performance.now();
  const expected = plainCount(all);
  const plainSeconds = since(t);
  const words = [...expected.values()].reduce((a, b) => a + b, 0);

  const streams = new KafkaStreams(wordCountTopology(), { applicationId: 'bench-wc', log });
  t = performance.now();
  const cpu = process.cpuUsage();
  await streams.start();
  await streams.waitForIdle();
  const seconds = since(t);
  const cpuSeconds = cpuSince(cpu);
  const store = streams.store<string, number>('counts-store');
  for (const [w, n] of expected)
    if (store.get(w) !== n) throw new Error(`bench: count of ${w} is ${store.get(w)}, expected ${n}`);
  await streams.close();
  await log.close();

  const rate = words / seconds;
  const plain = words / plainSeconds;
  if (!quiet) {
    line(`WordCount exactly-once (${words.toLocaleString('en-US')} words)`, rate, 'words/s', {
      label: 'plain Map count',
      value: plain,
    });
    cpuLine('WordCount', words, cpuSeconds, 'words/s');
  }
  return {
    wordcountWordsPerSec: Math.round(rate),
    wordcountWordsPerCpuSec: Math.round(words / cpuSeconds),
    plainCountWordsPerSec: Math.round(plain),
    wordcountRatio: Number((rate / plain).toFixed(3)),
  };
}

async function restore(dir: string): Promise<Record<string, number>> {
  const log = await openLog({ dataDir: join(dir, 'restore'), maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'kv', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
  const changelog = 'bench-restore-kv-store-changelog';
  await log.createTopic({
    topic: changelog,
    numPartitions: 1,
    configs: { 'cleanup.policy': 'compact', 'max.message.bytes': 64 << 20 },
  });
  const value = Serdes.LongNumber().serialize(changelog, 1)!;
  for (let i = 0; i < KEYS; i += 10_000) {
    const records: AppendRecord[] = [];
    for (let j = i; j < i + 10_000; j++) records.push({ key: Buffer.from(`key-${j}`), value });
    await log.append(changelog, 0, records);
  }

  let t = performance.now();
  let read = 0;
  for (let at = 0; at < KEYS; ) {
    const r = await log.read(changelog, 0, at, { maxBytes: 8 << 20 });
    read += r.records.length;
    at = r.nextOffset;
  }
  const rawRate = read / since(t);

  const builder = new StreamsBuilder();
  builder.table('kv', {
    keySerde: Serdes.String(),
    valueSerde: Serdes.LongNumber(),
    materialized: { storeName: 'kv-store', storeType: 'in-memory' },
  });
  const streams = new KafkaStreams(builder.build(), { applicationId: 'bench-restore', log });
  t = performance.now();
  await streams.start();
  const rate = KEYS / since(t);
  if (streams.store('kv-store').approximateNumEntries() !== KEYS) throw new Error('bench: restore lost keys');
  await streams.close();
  await log.close();
  line(`restore ${KEYS.toLocaleString('en-US')}-key store from changelog`, rate, 'records/s', {
    label: 'raw log.read',
    value: rawRate,
  });
  return { restoreRecordsPerSec: Math.round(rate), rawChangelogReadRecordsPerSec: Math.round(rawRate) };
}

const WINDOWED_RECORDS = 1_000_000;
const WINDOWED_KEYS = 10_000;

/** Keyed records spread over partitions as the default partitioner puts them, appended in batches. */
async function fill(
  log: Awaited<ReturnType<typeof openLog>>,
  topic: string,
  records: { key: string; value: Uint8Array; timestamp: number }[],
): Promise<void> {
  const { defaultPartition } = await import('../src/protocol/index.ts');
  const byPartition: AppendRecord[][] = [[], []];
  for (const r of records) {
    const key = Buffer.from(r.key);
    byPartition[defaultPartition(key, 2)]!.push({ key, value: r.value, timestamp: r.timestamp });
  }
  for (let p = 0; p < 2; p++)
    for (let i = 0; i < byPartition[p]!.length; i += 5000)
      await log.append(topic, p, byPartition[p]!.slice(i, i + 5000));
}

/**
 * The windowed count's input: `n` clicks over {@link WINDOWED_KEYS} keys spread evenly over 100
 * minutes, so that every key has one record in each one-minute window. Returns the seconds a plain
 * `Map` count of the windows took (the reference figure).
 */
async function fillClicks(log: Awaited<ReturnType<typeof openLog>>, n: number): Promise<number> {
  const minutes = 100;
  const value = new Uint8Array([1]);
  const records = Array.from({ length: n }, (_, i) => ({
    key: `user-${i % WINDOWED_KEYS}`,
    value,
    timestamp: Math.floor((i / n) * minutes * 60_000),
  }));
  await fill(log, 'clicks', records);
  const t = performance.now();
  const counts = new Map<string, number>();
  for (const r of records) {
    const id = `${r.key}@${r.timestamp - (r.timestamp % 60_000)}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return since(t);
}

export async function windowedCount(dir: string, n = WINDOWED_RECORDS, quiet = false): Promise<Record<string, number>> {
  const { TimeWindows, WindowedSerdes } = await import('../src/streams/index.ts');
  const log = await openLog({ dataDir: join(dir, `windowed-${n}`), maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'clicks', numPartitions: 2 });
  await log.createTopic({ topic: 'clicks-per-minute', numPartitions: 2 });
  // The input and the plain count live in a function of their own: nothing the harness made is
  // alive while the app runs (a 1M-record array and a 1M-entry Map in the heap slowed the app's
  // collections by about a fifth); the expected counts are read back from the log afterwards.
  const plainSeconds = await fillClicks(log, n);
  const builder = new StreamsBuilder();
  builder
    .stream('clicks', { keySerde: Serdes.String(), valueSerde: Serdes.ByteArray() })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
    .count({ materialized: 'clicks-per-minute-store' })
    .toStream()
    .to('clicks-per-minute', {
      keySerde: WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 60_000),
      valueSerde: Serdes.LongNumber(),
    });
  const streams = new KafkaStreams(builder.build(), { applicationId: 'bench-windowed', log });
  const t = performance.now();
  const cpu = process.cpuUsage();
  await streams.start();
  await streams.waitForIdle();
  const seconds = since(t);
  const cpuSeconds = cpuSince(cpu);
  // Every window's latest count on the output topic, against the plain count.
  const counts = new Map<string, number>();
  const windowed = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 60_000);
  const longs = Serdes.LongNumber();
  for (let p = 0; p < 2; p++) {
    for (let at = 0, end = log.offsets('clicks-per-minute', p).highWatermark; at < end; ) {
      const r = await log.read('clicks-per-minute', p, at, { maxBytes: 16 << 20 });
      for (const rec of r.records) {
        const w = windowed.deserialize('clicks-per-minute', rec.key)!;
        counts.set(`${w.key}@${w.window.start}`, longs.deserialize('clicks-per-minute', rec.value)!);
      }
      at = r.nextOffset;
    }
  }
  await streams.close();
  const expected = new Map<string, number>();
  const strings = Serdes.String();
  for (let p = 0; p < 2; p++) {
    for (let at = 0, end = log.offsets('clicks', p).highWatermark; at < end; ) {
      const r = await log.read('clicks', p, at, { maxBytes: 16 << 20 });
      for (const rec of r.records) {
        const id = `${strings.deserialize('clicks', rec.key)}@${rec.timestamp - (rec.timestamp % 60_000)}`;
        expected.set(id, (expected.get(id) ?? 0) + 1);
      }
      at = r.nextOffset;
    }
  }
  await log.close();
  if (counts.size !== expected.size) throw new Error(`bench: ${counts.size} windows, expected ${expected.size}`);
  for (const [id, c] of expected)
    if (counts.get(id) !== c) throw new Error(`bench: window ${id} counted ${counts.get(id)}, expected ${c}`);
  const rate = n / seconds;
  if (!quiet) {
    line(
      `windowed count, tumbling 1 min (${n.toLocaleString('en-US')} records, ${WINDOWED_KEYS.toLocaleString('en-US')} keys)`,
      rate,
      'records/s',
      { label: 'plain Map count', value: n / plainSeconds },
    );
    cpuLine('windowed count', n, cpuSeconds, 'records/s');
  }
  return {
    windowedCountRecordsPerSec: Math.round(rate),
    windowedCountRecordsPerCpuSec: Math.round(n / cpuSeconds),
    windowedPlainRecordsPerSec: Math.round(n / plainSeconds),
  };
}

export async function streamStreamJoin(dir: string, perSide = 500_000, quiet = false): Promise<Record<string, number>> {
  const { JoinWindows } = await import('../src/streams/index.ts');
  const log = await openLog({ dataDir: join(dir, `join-${perSide}`), maintenanceIntervalMs: 0 });
  for (const topic of ['impressions', 'clicks', 'joined']) await log.createTopic({ topic, numPartitions: 2 });
  const value = new Uint8Array([1]);
  // Both sides over the same keys, time rising by 1 ms per record pair: a key recurs every 10 s.
  const side = (offset: number) =>
    Array.from({ length: perSide }, (_, i) => ({ key: `ad-${i % WINDOWED_KEYS}`, value, timestamp: i + offset }));
  // Filled from temporaries: the harness's arrays are not alive while the app runs.
  await fill(log, 'impressions', side(0));
  await fill(log, 'clicks', side(500));
  // Pairs of the same key within 1 s: with keys recurring every 10,000 ms, each left record meets
  // the right record of the same index (500 ms later) and nothing else.
  const expectedJoined = perSide;

  const builder = new StreamsBuilder();
  const l = builder.stream('impressions', { keySerde: Serdes.String(), valueSerde: Serdes.ByteArray() });
  const r = builder.stream('clicks', { keySerde: Serdes.String(), valueSerde: Serdes.ByteArray() });
  l.join(r, (): Uint8Array => value, JoinWindows.ofTimeDifferenceWithNoGrace(1_000)).to('joined', {
    keySerde: Serdes.String(),
    valueSerde: Serdes.ByteArray(),
  });
  const streams = new KafkaStreams(builder.build(), { applicationId: 'bench-join', log });
  const t = performance.now();
  const cpu = process.cpuUsage();
  await streams.start();
  await streams.waitForIdle();
  const seconds = since(t);
  const cpuSeconds = cpuSince(cpu);
  let joined = 0;
  for (let p = 0; p < 2; p++) joined += log.offsets('joined', p).highWatermark;
  await streams.close();
  await log.close();
  if (joined !== expectedJoined) throw new Error(`bench: ${joined} joined records, expected ${expectedJoined}`);
  const rate = (2 * perSide) / seconds;
  if (!quiet) {
    line(
      `stream-stream join, 1 s window (${(2 * perSide).toLocaleString('en-US')} records, ${joined.toLocaleString('en-US')} joined)`,
      rate,
      'records/s',
    );
    cpuLine('stream-stream join', 2 * perSide, cpuSeconds, 'records/s');
  }
  return {
    streamJoinRecordsPerSec: Math.round(rate),
    streamJoinRecordsPerCpuSec: Math.round((2 * perSide) / cpuSeconds),
  };
}

export async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-streams-'));
  try {
    await wordCount(dir, 20, true); // warm-up, so the figure is not the JIT's first impression
    return {
      ...(await wordCount(dir)),
      ...(await restore(dir)),
      ...(await windowedCount(dir)),
      ...(await streamStreamJoin(dir)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
