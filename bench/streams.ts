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
  await streams.start();
  await streams.waitForIdle();
  const seconds = since(t);
  const store = streams.store<string, number>('counts-store');
  for (const [w, n] of expected)
    if (store.get(w) !== n) throw new Error(`bench: count of ${w} is ${store.get(w)}, expected ${n}`);
  await streams.close();
  await log.close();

  const rate = words / seconds;
  const plain = words / plainSeconds;
  if (!quiet)
    line(`WordCount exactly-once (${words.toLocaleString('en-US')} words)`, rate, 'words/s', {
      label: 'plain Map count',
      value: plain,
    });
  return {
    wordcountWordsPerSec: Math.round(rate),
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

export async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-streams-'));
  try {
    await wordCount(dir, 20, true); // warm-up, so the figure is not the JIT's first impression
    return { ...(await wordCount(dir)), ...(await restore(dir)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
