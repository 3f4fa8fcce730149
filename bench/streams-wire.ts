/**
 * `npm run bench -- streams-wire` (and the second half of `npm run bench -- wire`), issue 15's
 * WordCount figure: WordCount exactly-once over the wire, Tributary's `KafkaStreams` on a wire
 * `Tributary` beside Java Kafka Streams 4.1.1 running the same topology
 * (test/interop/streams/StreamsApp.java) on the same broker, against `trib serve` (a child process)
 * and against Apache Kafka (single-node KRaft, as `kafka-server-start.sh` starts it), plus the same
 * WordCount on the embedded log.
 *
 * Input: the bundled text (opening chapters of Pride and Prejudice) repeated PASSES times, produced
 * beforehand to a 2-partition topic of its own for each run; output to a compacted 2-partition
 * topic. Each side has a warm-up run (5 passes, own topics and application id; Java's in the same
 * JVM as its measured run). The figure is words per second from `start()` until every count is
 * committed: for Tributary until `waitForIdle()` (every input offset committed with its outputs
 * in a Kafka transaction; the store is then checked against a plain count), for Java until a
 * read_committed consumer of the output topic sees counts that add up to the number of words.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { plainCount, wordCountTopology } from '../examples/wordcount/wordcount.ts';
import { Tributary } from '../src/index.ts';
import { KafkaStreams } from '../src/streams/index.ts';
import { type BenchBroker, load, startKafkaBroker, startTributary } from './brokers.ts';
import { CLIENT_JVM, streamsAppClasspath } from './native.ts';
import { line, since } from './report.ts';
import { wordCount } from './streams.ts';

const PASSES = Number(process.env.BENCH_WC_PASSES ?? 150);
const WARMUP = 5;
const execFileAsync = promisify(execFile);

let counter = 0;

function lines(passes: number): string[] {
  const text = readFileSync(join(import.meta.dirname, '../examples/wordcount/pride-and-prejudice-1-5.txt'), 'utf8');
  const one = text.split('\n').filter((l) => l.trim().length > 0);
  const all: string[] = [];
  for (let i = 0; i < passes; i++) all.push(...one);
  return all;
}

interface Run {
  appId: string;
  input: string;
  output: string;
  lines: string[];
  expected: Map<string, number>;
  words: number;
}

/** Fresh input and output topics with `passes` of the text in the input. */
export async function prepare(bootstrap: string, who: string, passes: number): Promise<Run> {
  const n = ++counter;
  const run: Run = {
    appId: `bench-wc-${who}-${process.pid}-${n}`,
    input: `text-lines-${process.pid}-${n}`,
    output: `word-counts-${process.pid}-${n}`,
    lines: lines(passes),
    expected: new Map(),
    words: 0,
  };
  run.expected = plainCount(run.lines);
  run.words = [...run.expected.values()].reduce((a, b) => a + b, 0);
  const tributary = new Tributary({ brokers: [bootstrap], logLevel: 0, clientId: 'bench-wc-setup' });
  try {
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: run.input, numPartitions: 2 },
        { topic: run.output, numPartitions: 2, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
    await admin.disconnect();
    const producer = tributary.producer();
    await producer.connect();
    for (let i = 0; i < run.lines.length; i += 2000)
      await producer.send({
        topic: run.input,
        messages: run.lines.slice(i, i + 2000).map((value, j) => ({ value, partition: (i + j) % 2 })),
      });
    await producer.disconnect();
  } finally {
    await tributary.close();
  }
  return run;
}

/** Tributary's KafkaStreams over the wire: words/s from start() to idle (everything committed). */
export async function tributaryRun(
  bootstrap: string,
  run: Run,
  stateDir: string,
  config: { maxUncommittedRecords?: number; commitIntervalMs?: number } = {},
): Promise<number> {
  const tributary = new Tributary({ brokers: [bootstrap], logLevel: 0, clientId: run.appId });
  try {
    const streams = new KafkaStreams(wordCountTopology(run.input, run.output), {
      applicationId: run.appId,
      tributary,
      stateDir,
      ...config,
    });
    const t = performance.now();
    await streams.start();
    await streams.waitForIdle();
    const seconds = since(t);
    const store = streams.store<string, number>('counts-store');
    for (const [w, n] of run.expected)
      if (store.get(w) !== n) throw new Error(`bench: count of ${w} is ${store.get(w)}, expected ${n}`);
    await streams.close();
    return run.words / seconds;
  } finally {
    await tributary.close();
  }
}

/** Java Kafka Streams: the warm-up and the measured run in one JVM; words/s of the measured run. */
async function javaRun(bootstrap: string, warmup: Run, run: Run, stateDir: string): Promise<number> {
  const args = [...CLIENT_JVM, '-cp', streamsAppClasspath(), 'StreamsApp', 'wordcount-bench', bootstrap, stateDir];
  for (const r of [warmup, run]) args.push(r.appId, r.input, r.output, String(r.words));
  const { stdout } = await execFileAsync('java', args, { timeout: 900_000, maxBuffer: 64 << 20 }).catch(
    (err: Error & { stderr?: string; stdout?: string }) => {
      throw new Error(
        `Java Kafka Streams failed: ${err.message}\n${(err.stderr ?? '').slice(-5000)}${err.stdout ?? ''}`,
      );
    },
  );
  const results = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { appId: string; words: number; seconds: number });
  const measured = results.find((r) => r.appId === run.appId);
  if (measured === undefined) throw new Error(`Java Kafka Streams printed no result:\n${stdout}`);
  return measured.words / measured.seconds;
}

export async function run(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-streams-wire-'));
  const figures: Record<string, number> = {};
  console.log(`load average at start: ${load()}`);
  streamsAppClasspath();
  const brokers: BenchBroker[] = [await startTributary(), await startKafkaBroker()];
  try {
    for (const broker of brokers) {
      const where = broker.name === 'tributary' ? 'trib serve' : 'Kafka';
      const tribWarm = await prepare(broker.bootstrap, 'trib', WARMUP);
      const trib = await prepare(broker.bootstrap, 'trib', PASSES);
      const javaWarm = await prepare(broker.bootstrap, 'java', WARMUP);
      const java = await prepare(broker.bootstrap, 'java', PASSES);
      console.log(`-- against ${where}: ${trib.words.toLocaleString('en-US')} words (load ${load()})`);
      await tributaryRun(broker.bootstrap, tribWarm, join(dir, 'state'));
      const t = await tributaryRun(broker.bootstrap, trib, join(dir, 'state'));
      console.log(`   Tributary done (load ${load()})`);
      const j = await javaRun(broker.bootstrap, javaWarm, java, join(dir, 'java-state'));
      console.log(`   Java Kafka Streams done (load ${load()})`);
      const key = broker.name === 'tributary' ? 'TribServe' : 'Kafka';
      figures[`tributaryWordcount${key}`] = Math.round(t);
      figures[`javaStreamsWordcount${key}`] = Math.round(j);
    }
  } finally {
    for (const b of brokers) await b.stop().catch(() => undefined);
  }
  try {
    await wordCount(dir, WARMUP * 4, true);
    figures.embeddedWordcount = (await wordCount(dir, PASSES, true)).wordcountWordsPerSec!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n-- WordCount exactly-once, ${PASSES} passes of the text, words/s`);
  for (const key of ['TribServe', 'Kafka']) {
    const label = key === 'TribServe' ? 'over the wire, trib serve' : 'over the wire, Kafka';
    line(`Tributary WordCount ${label}`, figures[`tributaryWordcount${key}`]!, 'words/s', {
      label: 'Java Kafka Streams',
      value: figures[`javaStreamsWordcount${key}`]!,
    });
    line(`Tributary WordCount ${label}`, figures[`tributaryWordcount${key}`]!, 'words/s', {
      label: 'embedded log',
      value: figures.embeddedWordcount,
    });
  }
  console.log(`load average at end: ${load()}`);
  return figures;
}
