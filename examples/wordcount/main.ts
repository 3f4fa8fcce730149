/**
 * WordCount on the embedded log: the opening chapters of Pride and Prejudice (public domain,
 * bundled) go into a topic line by line, a Kafka Streams-style topology counts the words with
 * exactly-once commits, and the result is checked against a plain Map count of the same text.
 *
 *   npx tsx examples/wordcount/main.ts [passes]
 *
 * `passes` (default 20) is how many times the text is fed in, so the run is long enough to time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaStreams, openLog, Serdes } from 'tributary';
import { plainCount, wordCountTopology } from './wordcount.ts';

const passes = Number(process.argv[2] ?? 20);
const text = readFileSync(join(import.meta.dirname, 'pride-and-prejudice-1-5.txt'), 'utf8');
const lines = text.split('\n').filter((l) => l.trim().length > 0);
const dataDir = mkdtempSync(join(tmpdir(), 'tributary-wordcount-'));
const log = await openLog({ dataDir, maintenanceIntervalMs: 0 });
try {
  await log.createTopic({ topic: 'text-lines', numPartitions: 2 });
  await log.createTopic({
    topic: 'word-counts',
    numPartitions: 2,
    configs: { 'cleanup.policy': 'compact', 'max.message.bytes': 64 << 20 },
  });

  // The input, already in the log: every line keyed by nothing, spread over both partitions.
  const enc = new TextEncoder();
  const all: string[] = [];
  for (let pass = 0; pass < passes; pass++) all.push(...lines);
  for (let p = 0; p < 2; p++) {
    const mine = all.filter((_l, i) => i % 2 === p);
    for (let i = 0; i < mine.length; i += 5000) {
      await log.append(
        'text-lines',
        p,
        mine.slice(i, i + 5000).map((l) => ({ key: null, value: enc.encode(l) })),
      );
    }
  }

  const expected = plainCount(all);
  const totalWords = [...expected.values()].reduce((a, b) => a + b, 0);
  const streams = new KafkaStreams(wordCountTopology(), { applicationId: 'wordcount', log, commitIntervalMs: 100 });
  const started = performance.now();
  await streams.start();
  await streams.waitForIdle();
  const seconds = (performance.now() - started) / 1000;

  // Check the store and the compacted output topic against the plain count.
  const store = streams.store<string, number>('counts-store');
  const topic = new Map<string, number>();
  const longs = Serdes.LongNumber();
  for (let p = 0; p < 2; p++) {
    let offset = 0;
    const end = log.offsets('word-counts', p).highWatermark;
    while (offset < end) {
      const r = await log.read('word-counts', p, offset, { maxBytes: 16 << 20 });
      for (const rec of r.records)
        topic.set(new TextDecoder().decode(rec.key!), longs.deserialize('word-counts', rec.value)!);
      offset = r.nextOffset;
    }
  }
  let mismatches = 0;
  for (const [word, n] of expected) if (store.get(word) !== n || topic.get(word) !== n) mismatches++;
  if (topic.size !== expected.size || store.approximateNumEntries() !== expected.size) mismatches++;
  await streams.close();

  console.log(
    `Top 20 words of ${totalWords.toLocaleString('en-US')} (${expected.size.toLocaleString('en-US')} distinct, ${passes} passes over the text):`,
  );
  const top = [...expected.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
  for (const [i, [word, n]] of top.entries())
    console.log(`${String(i + 1).padStart(2)}. ${word.padEnd(12)} ${String(store.get(word) ?? n).padStart(7)}`);
  console.log(
    `throughput: ${Math.round(totalWords / seconds).toLocaleString('en-US')} words/s exactly-once (${seconds.toFixed(2)} s)`,
  );
  console.log(
    mismatches === 0
      ? 'check: store, word-counts topic and plain count agree on every word'
      : `check: ${mismatches} MISMATCHES`,
  );
  if (mismatches !== 0) process.exitCode = 1;
} finally {
  await log.close();
  rmSync(dataDir, { recursive: true, force: true });
}
