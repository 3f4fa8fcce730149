/**
 * `npm run bench -- wire` (issue 15): Tributary's wire client (`new Tributary({ brokers })`) beside
 * kafkajs and Kafka's Java client, all three against the same `trib serve` and the same Apache Kafka
 * broker in one run.
 *
 * - produce 100-byte records in batches, acks 1: the Node clients send 1,000 records per
 *   `producer.send`, 8 sends in flight; the Java client (bench/JavaClientBench.java) calls `send`
 *   per record and batches them itself (batch.size 64 KiB, linger.ms 5);
 * - consume them back from the beginning: the Node clients with a group consumer's `eachBatch`,
 *   the Java client with `poll` on an assigned partition.
 *
 * Figures are the best of `BENCH_REPEAT` (default 3) runs, each on a fresh topic; the ratios are
 * Tributary's wire client over kafkajs and over the Java client on the same broker. Then WordCount
 * exactly-once over the wire beside Java Kafka Streams (bench/streams-wire.ts), unless
 * `BENCH_WIRE_CLIENTS_ONLY` is set.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Tributary } from '../src/index.ts';
import { type BenchBroker, load, startKafkaBroker, startTributary } from './brokers.ts';
import { CLIENT_JVM, javaClasspath, runJson } from './native.ts';
import { line, since } from './report.ts';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const VALUE = Buffer.alloc(100, 7);
const PER_SEND = 1_000;
const IN_FLIGHT = 8;

type Client = 'tributary' | 'kafkajs' | 'java';
type Rates = { produced: number; consumed: number };

let topicCounter = 0;
const freshTopic = (prefix: string) => `${prefix}-${process.pid}-${++topicCounter}`;

/** The part of the kafkajs API both Node clients share, as this benchmark calls it. */
interface NodeClient {
  producer(): {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    send(r: { topic: string; acks: number; messages: { value: Buffer }[] }): Promise<unknown>;
  };
  consumer(c: { groupId: string; maxBytes?: number }): {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    subscribe(s: { topics: string[]; fromBeginning: boolean }): Promise<void>;
    run(r: { eachBatch: (p: { batch: { messages: unknown[] } }) => Promise<void> }): Promise<void>;
  };
}

function nodeClient(client: 'tributary' | 'kafkajs', bootstrap: string): NodeClient {
  if (client === 'kafkajs')
    return new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING, clientId: 'bench' }) as unknown as NodeClient;
  return new Tributary({ brokers: [bootstrap], logLevel: 0, clientId: 'bench' }) as unknown as NodeClient;
}

async function nodeRun(
  client: 'tributary' | 'kafkajs',
  bootstrap: string,
  topic: string,
  total: number,
): Promise<Rates> {
  const c = nodeClient(client, bootstrap);
  const producer = c.producer();
  await producer.connect();
  const messages = Array.from({ length: PER_SEND }, () => ({ value: VALUE }));
  // One record first, outside the clock: metadata and the connection to the leader.
  await producer.send({ topic, acks: 1, messages: messages.slice(0, 1) });
  let next = 1;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < total) {
        const n = Math.min(PER_SEND, total - next);
        next += n;
        await producer.send({ topic, acks: 1, messages: n === PER_SEND ? messages : messages.slice(0, n) });
      }
    }),
  );
  const produced = (total - 1) / since(start);
  await producer.disconnect();

  const consumer = c.consumer({ groupId: `g-${topic}`, maxBytes: 10 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let begin = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (seen === 0) begin = performance.now();
      seen += batch.messages.length;
      if (seen >= total) finished();
    },
  });
  const timeout = setTimeout(() => finished(), 120_000);
  await done;
  clearTimeout(timeout);
  if (seen < total) throw new Error(`${client} consumed ${seen} of ${total} records in 120 s`);
  const consumed = seen / since(begin);
  await consumer.disconnect();
  return { produced, consumed };
}

async function javaRun(bootstrap: string, topic: string, total: number): Promise<Rates> {
  const cp = javaClasspath();
  const p = await runJson<{ records: number; seconds: number; errors: number }>('java', [
    ...CLIENT_JVM,
    '-cp',
    cp,
    'JavaClientBench',
    'produce',
    bootstrap,
    topic,
    String(total),
    '100',
    '1',
  ]);
  if (p.errors > 0) throw new Error(`Java producer: ${p.errors} errors`);
  const c = await runJson<{ records: number; seconds: number }>('java', [
    ...CLIENT_JVM,
    '-cp',
    cp,
    'JavaClientBench',
    'consume',
    bootstrap,
    topic,
    '1',
    String(total),
  ]);
  return { produced: p.records / p.seconds, consumed: c.records / c.seconds };
}

export async function run(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  console.log(`load average at start: ${load()}`);
  javaClasspath();
  const kafka = await startKafkaBroker();
  const trib = await startTributary();
  const brokers: BenchBroker[] = [trib, kafka];
  const clients: Client[] = ['tributary', 'kafkajs', 'java'];
  const best = new Map<string, Rates>();
  try {
    for (let i = 0; i < REPEAT; i++) {
      console.log(`round ${i + 1} of ${REPEAT} (load ${load()})`);
      for (const broker of i % 2 === 0 ? brokers : [...brokers].reverse()) {
        for (const client of i % 2 === 0 ? clients : [...clients].reverse()) {
          const topic = freshTopic(client);
          await broker.createTopic(topic);
          const got =
            client === 'java'
              ? await javaRun(broker.bootstrap, topic, RECORDS)
              : await nodeRun(client, broker.bootstrap, topic, RECORDS);
          const key = `${client}@${broker.name}`;
          const kept = best.get(key);
          best.set(key, {
            produced: Math.max(kept?.produced ?? 0, got.produced),
            consumed: Math.max(kept?.consumed ?? 0, got.consumed),
          });
        }
      }
    }
  } finally {
    await trib.stop();
    await kafka.stop();
  }
  const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  for (const broker of brokers) {
    const where = broker.name === 'tributary' ? 'trib serve' : 'Kafka';
    console.log(`\n-- against ${where}: ${RECORDS.toLocaleString('en-US')} × 100 B, acks 1, best of ${REPEAT}`);
    const t = best.get(`tributary@${broker.name}`)!;
    const k = best.get(`kafkajs@${broker.name}`)!;
    const j = best.get(`java@${broker.name}`)!;
    line('Tributary wire producer', t.produced, 'records/s', { label: 'kafkajs', value: k.produced });
    line('Tributary wire producer', t.produced, 'records/s', { label: 'Java client', value: j.produced });
    line('Tributary wire consumer', t.consumed, 'records/s', { label: 'kafkajs', value: k.consumed });
    line('Tributary wire consumer', t.consumed, 'records/s', { label: 'Java client', value: j.consumed });
    for (const client of clients) {
      const r = best.get(`${client}@${broker.name}`)!;
      figures[`${client}Produce${cap(broker.name)}`] = Math.round(r.produced);
      figures[`${client}Consume${cap(broker.name)}`] = Math.round(r.consumed);
    }
  }
  console.log(`load average at end: ${load()}`);
  // The second figure: WordCount exactly-once over the wire, beside Java Kafka Streams.
  if (process.env.BENCH_WIRE_CLIENTS_ONLY === undefined) {
    console.log('\n== WordCount over the wire (bench/streams-wire.ts) ==');
    Object.assign(figures, await (await import('./streams-wire.ts')).run());
  }
  return figures;
}
