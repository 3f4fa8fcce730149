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

/** Starts the instance in a child process; resolves once it is RUNNING, with a way to SIGKILL it. */
function startChild(o: CrashScenarioOptions): Promise<{ kill: () => Promise<void>; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', FIXTURE, o.brokers.join(','), o.stateDir, String(o.sessionTimeoutMs)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (d.toString().includes('ready'))
        resolve({
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
          output: () => out,
        });
    });
    child.once('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the Streams child exited (${code}) before it was killed:\n${out}`));
    });
  });
}

export async function runWireCrashScenario(o: CrashScenarioOptions): Promise<CrashScenarioResult> {
  const rand = random(o.seed);
  const tributary = new Tributary({ brokers: o.brokers, logLevel: 0, clientId: 'wire-crash-test' });
  const admin = tributary.admin();
  await admin.connect();
  const replicationFactor = o.replicationFactor ?? -1;
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
  // Input keeps coming while instances die: an idempotent producer, acks -1, retrying through kills.
  const producer = tributary.producer({ idempotent: true, retry: { retries: 30 } });
  await producer.connect();
  const sent: string[] = [];
  let producing = true;
  let n = 0;
  const feeding = (async () => {
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
  })();
  const progress: number[] = [];
  try {
    for (let k = 0; k < o.kills; k++) {
      const child = await startChild(o);
      await new Promise((resolve) => setTimeout(resolve, 800 + Math.floor(rand() * 2000)));
      await child.kill();
      if (process.env.WIRE_CRASH_DEBUG) console.log(`kill ${k}:\n${child.output()}`);
      const committed = await admin.fetchOffsets({ groupId: 'wire-crash-wc', topics: ['text-lines'] });
      progress.push(committed[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0));
      await o.betweenKills?.(k);
    }
    producing = false;
    await feeding;
    // The last instance, in this process, on the same stateDir (so the same process id): it fences
    // the last killed one, aborts its open transaction, and finishes the input.
    const streams = new KafkaStreams(wordCountTopology(), {
      applicationId: 'wire-crash-wc',
      tributary: new Tributary({ brokers: o.brokers, logLevel: 0, clientId: 'wire-crash-final' }),
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
    const topic = await readCommitted(tributary);
    return { lines: sent.length, progress, expected: plainCount(sent), topic, store };
  } finally {
    producing = false;
    await feeding.catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await tributary.close().catch(() => undefined);
  }
}

/** The output topic as a read_committed reader sees it, up to its last stable offset: the latest count per word. */
async function readCommitted(tributary: Tributary): Promise<Map<string, number>> {
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
