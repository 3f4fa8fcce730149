/**
 * `npm run bench -- streams-wire`: WordCount with exactly-once over the wire, against `trib serve` in
 * a child process (its own temp data directory, free port). The bundled text (opening chapters of
 * Pride and Prejudice), repeated, is produced first to a 2-partition topic through the wire
 * producer; the figure is words per second from start() until every count is committed (Kafka
 * transactions: outputs, changelog, repartition records and offsets) and the app is idle.
 * Reference, in the same run: the same WordCount on the embedded log (`bench/streams.ts`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { plainCount, wordCountTopology } from '../examples/wordcount/wordcount.ts';
import { Tributary } from '../src/index.ts';
import { KafkaStreams } from '../src/streams/index.ts';
import { line, since } from './report.ts';
import { wordCount } from './streams.ts';

const PASSES = 40;
const TRIB = join(import.meta.dirname, '../src/cli/trib.mjs');

function startServe(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [TRIB, 'serve', '--data-dir', dataDir, '--port', '0', '--no-registry', '--group-initial-rebalance-delay-ms', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /Kafka broker listening on [^:]+:(\d+)/.exec(out);
      if (m !== null) resolve({ child, port: Number(m[1]) });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`trib serve exited with ${code}:\n${out}`)));
  });
}

export async function wireWordCount(dir: string, passes: number, quiet: boolean): Promise<Record<string, number>> {
  const text = readFileSync(join(import.meta.dirname, '../examples/wordcount/pride-and-prejudice-1-5.txt'), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const all: string[] = [];
  for (let i = 0; i < passes; i++) all.push(...lines);
  const { child, port } = await startServe(join(dir, `serve-${passes}`));
  const tributary = new Tributary({ brokers: [`127.0.0.1:${port}`], logLevel: 0, clientId: 'bench-wire-wc' });
  try {
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'text-lines', numPartitions: 2 },
        { topic: 'word-counts', numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
    await admin.disconnect();
    const producer = tributary.producer();
    await producer.connect();
    for (let i = 0; i < all.length; i += 2000)
      await producer.send({
        topic: 'text-lines',
        messages: all.slice(i, i + 2000).map((value, j) => ({ value, partition: (i + j) % 2 })),
      });
    await producer.disconnect();
    const expected = plainCount(all);
    const words = [...expected.values()].reduce((a, b) => a + b, 0);
    const streams = new KafkaStreams(wordCountTopology(), {
      applicationId: 'bench-wire-wc',
      tributary,
      stateDir: join(dir, `state-${passes}`),
    });
    const t = performance.now();
    await streams.start();
    await streams.waitForIdle();
    const seconds = since(t);
    const store = streams.store<string, number>('counts-store');
    for (const [w, n] of expected)
      if (store.get(w) !== n) throw new Error(`bench: count of ${w} is ${store.get(w)}, expected ${n}`);
    await streams.close();
    const rate = words / seconds;
    if (!quiet) console.log(`(${words.toLocaleString('en-US')} words in ${seconds.toFixed(2)} s over the wire)`);
    return { wireWordcountWordsPerSec: Math.round(rate) };
  } finally {
    await tributary.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-streams-wire-'));
  try {
    await wireWordCount(dir, 5, true); // warm-up
    const wire = await wireWordCount(dir, PASSES, false);
    await wordCount(dir, 20, true);
    const embedded = await wordCount(dir, PASSES, true);
    line('WordCount exactly-once over the wire (trib serve)', wire.wireWordcountWordsPerSec!, 'words/s', {
      label: 'embedded log',
      value: embedded.wordcountWordsPerSec!,
    });
    return { ...wire, embeddedWordcountWordsPerSec: embedded.wordcountWordsPerSec! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
