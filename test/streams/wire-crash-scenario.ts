/**
 * The wire crash scenario, shared by `wire-crash.test.ts` (npm test) and the interop suite: WordCount
 * over three partitions against brokers in other processes, its Streams instance (a child process)
 * SIGKILLed at random while this process keeps producing input; then one last instance finishes
 * and the counts in the output topic (read_committed) and in the store must equal a plain count of
 * the input.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { plainCount, wordCountTopology } from '../../examples/wordcount/wordcount.ts';
import { clientContextOf } from '../../src/client/tributary.ts';
import { WireFetcher } from '../../src/client/wire/fetcher.ts';
import { KafkaStreams, Tributary } from '../../src/index.ts';
import { L, S } from './helpers.ts';
import { nodeArgs } from '../setup/node-args.ts';

export interface CrashScenarioOptions {
  brokers: string[];
  stateDir: string;
  kills: number;
  seed: number;
  /** Session timeout of the Streams instances (how long a killed one holds its tasks). */
  sessionTimeoutMs: number;
  /** Replication factor of the topics the scenario creates. Default: the brokers'. */
  replicationFactor?: number;
  /** Called between kills with the kill's number, e.g. to kill and restart a broker. */
  betweenKills?: (kill: number) => Promise<void>;
}

export interface CrashScenarioResult {
  lines: number;
  /** The app's committed input offsets (summed over partitions) after each kill: its progress. */
  progress: number[];
  expected: Map<string, number>;
  topic: Map<string, number>;
  store: Map<string, number>;
}

const FIXTURE = join(import.meta.dirname, 'fixtures/wire-wordcount-child.ts');
const vocabulary = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];

function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

/** A Streams instance in a child process (see `fixtures/wire-wordcount-child.ts`). */
export interface StreamsChild {
  /** The tasks it reported when it last entered RUNNING. */
  tasks(): string[];
  output(): string;
  /** SIGKILL, and waits for it to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (it closes cleanly), and waits for its exit code. */
  stop(): Promise<number | null>;
}

/** Starts an instance in a child process; resolves once it says `ready`. */
export function startStreamsChild(o: {
  brokers: string[];
  stateDir: string;
  applicationId: string;
  sessionTimeoutMs: number;
  readyWhen: 'all' | 'any';
}): Promise<StreamsChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeArgs(FIXTURE), o.brokers.join(','), o.stateDir, o.applicationId, String(o.sessionTimeoutMs), o.readyWhen],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let tasks: string[] = [];
    let stopping = false;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      for (const line of d.toString().split('\n')) {
        if (line.startsWith('tasks '))
          tasks = line
            .slice(6)
            .split(',')
            .filter((t) => t !== '');
        if (line === 'ready')
          resolve({
            tasks: () => tasks,
            output: () => out,
            kill: async () => {
              stopping = true;
              child.kill('SIGKILL');
              await exited;
            },
            stop: () => {
              stopping = true;
              child.kill('SIGTERM');
              return exited;
            },
          });
      }
    });
    child.once('exit', (code) => {
      if (!stopping) reject(new Error(`the Streams child exited (${code}) unasked:\n${out}`));
    });
  });
}

/** Keeps producing lines of words to `text-lines` (3 partitions) until stopped; remembers what was acknowledged. */
export function feedLines(tributary: Tributary): { sent: string[]; stop: () => Promise<void> } {
  // An idempotent producer, acks -1, retrying through broker restarts.
  const producer = tributary.producer({ idempotent: true, retry: { retries: 30 } });
  const sent: string[] = [];
  let producing = true;
  let n = 0;
  const feeding = (async () => {
    await producer.connect();
    try {
      while (producing) {
        const batch = Array.from({ length: 30 }, () => {
          const i = n++;
          return `${vocabulary[i % 10]} ${vocabulary[(i * 7) % 10]} ${vocabulary[(i * 3 + 1) % 10]} w${i % 53}`;
        });
        await producer.send({
          topic: 'text-lines',
          acks: -1,
          messages: batch.map((value, j) => ({ value, partition: j % 3 })),
        });
        sent.push(...batch);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  })();
  return {
    sent,
    stop: async () => {
      producing = false;
      await feeding;
    },
  };
}

/** Creates `text-lines` and the compacted `word-counts`, three partitions each. */
export async function createWordCountTopics(tributary: Tributary, replicationFactor = -1): Promise<void> {
  const admin = tributary.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      { topic: 'text-lines', numPartitions: 3, replicationFactor },
      {
        topic: 'word-counts',
        numPartitions: 3,
        replicationFactor,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
  });
  await admin.disconnect();
}

/**
 * Finishes the app with an instance in this process on `stateDir` (the same one as the last
 * killed instance fences it and aborts its open transaction) and reads the counts: the output topic
 * as a read_committed reader sees it, and the store.
 */
export async function finishWordCount(o: {
  brokers: string[];
  stateDir: string;
  applicationId: string;
  sessionTimeoutMs: number;
}): Promise<{ topic: Map<string, number>; store: Map<string, number> }> {
  const tributary = new Tributary({ brokers: o.brokers, logLevel: 0, clientId: 'wire-crash-final' });
  try {
    const streams = new KafkaStreams(wordCountTopology(), {
      applicationId: o.applicationId,
      tributary,
      stateDir: o.stateDir,
      commitIntervalMs: 50,
      sessionTimeoutMs: o.sessionTimeoutMs,
      heartbeatIntervalMs: 500,
    });
    await streams.start();
    await streams.waitForIdle();
    const store = new Map(
      streams
        .store<string, number>('counts-store')
        .all()
        .map(({ key, value }) => [key, value]),
    );
    await streams.close();
    return { topic: await readCommitted(tributary), store };
  } finally {
    await tributary.close().catch(() => undefined);
  }
}

export async function runWireCrashScenario(o: CrashScenarioOptions): Promise<CrashScenarioResult> {
  const rand = random(o.seed);
  const applicationId = 'wire-crash-wc';
  const tributary = new Tributary({ brokers: o.brokers, logLevel: 0, clientId: 'wire-crash-test' });
  const admin = tributary.admin();
  let feed: ReturnType<typeof feedLines> | undefined;
  try {
    await createWordCountTopics(tributary, o.replicationFactor);
    await admin.connect();
    // Input keeps coming while instances die.
    feed = feedLines(tributary);
    const progress: number[] = [];
    for (let k = 0; k < o.kills; k++) {
      const child = await startStreamsChild({ ...o, applicationId, readyWhen: 'all' });
      await new Promise((resolve) => setTimeout(resolve, 800 + Math.floor(rand() * 2000)));
      await child.kill();
      if (process.env.WIRE_CRASH_DEBUG) console.log(`kill ${k}:\n${child.output()}`);
      const committed = await admin.fetchOffsets({ groupId: applicationId, topics: ['text-lines'] });
      progress.push(committed[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0));
      await o.betweenKills?.(k);
    }
    // Input keeps coming after the last kill too (two more batches), so the restart has new input
    // to take up, whatever the app had caught up with when it was killed.
    const atLastKill = feed.sent.length;
    while (feed.sent.length < atLastKill + 60) await new Promise((resolve) => setTimeout(resolve, 20));
    await feed.stop();
    const { topic, store } = await finishWordCount({ ...o, applicationId });
    return { lines: feed.sent.length, progress, expected: plainCount(feed.sent), topic, store };
  } finally {
    await feed?.stop().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await tributary.close().catch(() => undefined);
  }
}

/** The output topic as a read_committed reader sees it, up to its last stable offset: the latest count per word. */
export async function readCommitted(tributary: Tributary): Promise<Map<string, number>> {
  const transport = await clientContextOf(tributary).wire!.connect({});
  const fetcher = new WireFetcher(transport);
  const out = new Map<string, number>();
  try {
    const partitions = [0, 1, 2].map((partition) => ({ topic: 'word-counts', partition }));
    await fetcher.loadOffsets(partitions);
    for (const { topic, partition } of partitions) {
      const end = fetcher.offsets(topic, partition).lastStableOffset;
      for (let at = 0; at < end; ) {
        const r = await fetcher.read(topic, partition, at, { isolation: 'read_committed', maxBytes: 8 << 20 });
        for (const rec of r.records) out.set(S.deserialize(topic, rec.key)!, L.deserialize(topic, rec.value)!);
        if (r.nextOffset <= at) break;
        at = r.nextOffset;
      }
    }
  } finally {
    await transport.cluster.disconnect();
  }
  return out;
}
