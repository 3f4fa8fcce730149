/**
 * Java Kafka Streams 4.1.1 and Tributary's KafkaStreams run the same topology, exactly-once,
 * against the same single-node KRaft Kafka, one after the other under two application ids: the
 * internal topics each creates (store changelogs `<applicationId>-<store>-changelog`, repartition
 * topics `<applicationId>-…-repartition`, foreign-key subscription topics `<applicationId>-…-topic`)
 * must have the same names once the application id is taken off, the same partition counts and the
 * same topic configs; and both must leave the same final value per key in every output topic (the
 * Java run's records first, then Tributary's after them, read with read_committed).
 *
 * The topology (StreamsApp.java's `names()`, and `namesTopology` here): WordCount (a repartition
 * named after its store), a selectKey + aggregate whose store and repartition topic get generated
 * names, and a foreign-key join of two tables.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainCount, words } from '../../../examples/wordcount/wordcount.ts';
import { clientContextOf } from '../../../src/client/tributary.ts';
import { WireFetcher } from '../../../src/client/wire/fetcher.ts';
import { KafkaStreams, Tributary } from '../../../src/index.ts';
import { Serdes } from '../../../src/serde/index.ts';
import { StreamsBuilder, type Topology } from '../../../src/streams/index.ts';
import { type KafkaCluster, startKafka } from '../kafka/cluster.ts';
import { ensureKafkaJars } from '../kafka/jars.ts';

const S = Serdes.String();
const L = Serdes.LongNumber();
const here = import.meta.dirname;

/** Input topics and their partition counts: the repartition and changelog topics follow from them. */
const INPUTS: Record<string, number> = { 'names-lines': 3, 'names-clicks': 2, 'names-orders': 2, 'names-customers': 3 };
const OUTPUTS: Record<string, number> = { 'names-counts': 3, 'names-sums': 2, 'names-joined': 2 };

const customerOf = (order: string) => {
  const parts = order.split('|');
  return parts.length === 2 ? parts[1]! : null;
};

/** The same topology as StreamsApp.java's `names(optimized)`. */
function namesTopology(optimized: boolean): Topology {
  const b = new StreamsBuilder();
  b.stream('names-lines', { keySerde: S, valueSerde: S })
    .flatMapValues((line) => words(line))
    .groupBy((_k, w) => w, { keySerde: S, valueSerde: S })
    .count({ materialized: 'counts-store' })
    .toStream()
    .to('names-counts', { keySerde: S, valueSerde: L });
  b.stream('names-clicks', { keySerde: S, valueSerde: S })
    .selectKey((_k, v) => v.split('|')[0]!)
    .groupByKey({ keySerde: S, valueSerde: S })
    .aggregate(
      () => '0',
      (_k, v, agg) => String(Number(agg) + Number(v.split('|')[1])),
      {
        materialized: { keySerde: S, valueSerde: S },
      },
    )
    .toStream()
    .to('names-sums', { keySerde: S, valueSerde: S });
  const orders = b.table('names-orders', { keySerde: S, valueSerde: S });
  const customers = b.table('names-customers', { keySerde: S, valueSerde: S });
  orders
    .join(customers, customerOf, (o, c) => `${o}/${c}`)
    .toStream()
    .to('names-joined', { keySerde: S, valueSerde: S });
  return b.build({ topologyOptimization: optimized ? 'all' : 'none' });
}

/** mulberry32, so that every run gets the same records. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Input = { topic: string; partition: number | undefined; key: string | null; value: string };

function inputs(): Input[] {
  const r = seeded(15);
  const vocabulary = ['river', 'tributary', 'delta', 'stream', 'lake', 'Rain', 'snow', 'ice', 'flow', 'bank'];
  const out: Input[] = [];
  // Keyed records go where the producer's default partitioner (murmur2, as Java's) puts them: the
  // foreign-key join finds a customer in the partition its subscription is sent to.
  for (let i = 0; i < 30; i++)
    out.push({ topic: 'names-customers', partition: undefined, key: `cust${i % 10}`, value: `name${i}` });
  for (let i = 0; i < 300; i++) {
    const n = 1 + Math.floor(r() * 8);
    const line = Array.from({ length: n }, () => vocabulary[Math.floor(r() * vocabulary.length)]).join(' ');
    out.push({ topic: 'names-lines', partition: i % 3, key: null, value: line });
  }
  for (let i = 0; i < 200; i++)
    out.push({
      topic: 'names-clicks',
      partition: undefined,
      key: `c${i}`,
      value: `u${Math.floor(r() * 7)}|${1 + Math.floor(r() * 9)}`,
    });
  // Orders change customer now and then; cust10 and cust11 do not exist (no join, or a tombstone).
  for (let i = 0; i < 120; i++) {
    const key = `o${Math.floor(r() * 40)}`;
    out.push({ topic: 'names-orders', partition: undefined, key, value: `item${i}|cust${Math.floor(r() * 12)}` });
  }
  return out;
}

/** The final value per key each output topic must end with. */
function expected(records: Input[]): Record<string, Record<string, string>> {
  const of = (topic: string) => records.filter((r) => r.topic === topic);
  const counts: Record<string, string> = {};
  for (const [w, n] of plainCount(of('names-lines').map((r) => r.value))) counts[w] = String(n);
  const sums: Record<string, string> = {};
  for (const { value } of of('names-clicks')) {
    const [user, n] = value.split('|');
    sums[user!] = String(Number(sums[user!] ?? 0) + Number(n));
  }
  const customers = new Map(of('names-customers').map((r) => [r.key!, r.value]));
  const orders = new Map(of('names-orders').map((r) => [r.key!, r.value]));
  const joined: Record<string, string> = {};
  for (const [order, value] of orders) {
    const customer = customers.get(customerOf(value)!);
    if (customer !== undefined) joined[order] = `${value}/${customer}`;
  }
  return { 'names-counts': counts, 'names-sums': sums, 'names-joined': joined };
}

let kafka: KafkaCluster;
let tributary: Tributary;
let classpath: string;
let stateDir: string;
let java: ChildProcess | undefined;

beforeAll(async () => {
  const jars = ensureKafkaJars();
  stateDir = mkdtempSync(join(tmpdir(), 'trib-streams-names-'));
  execFileSync(
    'javac',
    ['-nowarn', '-cp', jars.classpath, '-d', join(stateDir, 'classes'), join(here, 'StreamsApp.java')],
    {
      stdio: 'inherit',
    },
  );
  classpath = `${join(stateDir, 'classes')}:${jars.classpath}`;
  kafka = await startKafka();
  tributary = new Tributary({ brokers: kafka.bootstrap, logLevel: 0, clientId: 'topic-names-test' });
});

afterAll(async () => {
  java?.kill('SIGKILL');
  await tributary?.close().catch(() => undefined);
  await kafka?.stop();
  if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
});

/** Starts StreamsApp's `names` topology (optimized or not); resolves once Kafka Streams is RUNNING. */
function startJava(applicationId: string, optimized: boolean): Promise<{ child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'java',
      [
        '-Xmx384m',
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Dlog4j2.level=WARN',
        '-cp',
        classpath,
        'StreamsApp',
        'run',
        optimized ? 'names-optimized' : 'names',
        kafka.bootstrap.join(','),
        applicationId,
        join(stateDir, 'java-state'),
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    java = child;
    let out = '';
    const keep = (d: Buffer) => {
      out += d.toString();
      if (out.length > 100_000) out = out.slice(-50_000);
      if (/^RUNNING$/m.test(out)) resolve({ child, output: () => out });
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code) => reject(new Error(`Java Kafka Streams exited with ${code}:\n${out.slice(-5000)}`)));
  });
}

/** Closes Java Kafka Streams cleanly (stdin ends), SIGKILL after 60 s. */
async function stopJava(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin!.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

/** The records of an output topic's partitions from `from` on, as a read_committed reader sees them. */
async function readOutput(
  topic: string,
  from: number[],
): Promise<{ end: number[]; records: [string, string | null][] }> {
  const transport = await clientContextOf(tributary).wire!.connect({});
  const fetcher = new WireFetcher(transport);
  const records: [string, string | null][] = [];
  const end: number[] = [];
  try {
    const partitions = from.map((_, partition) => ({ topic, partition }));
    await fetcher.loadOffsets(partitions);
    for (const { partition } of partitions) {
      const stable = fetcher.offsets(topic, partition).lastStableOffset;
      end.push(stable);
      for (let at = from[partition]!; at < stable; ) {
        const r = await fetcher.read(topic, partition, at, { isolation: 'read_committed', maxBytes: 8 << 20 });
        for (const rec of r.records) {
          const key = S.deserialize(topic, rec.key)!;
          if (rec.value === null) records.push([key, null]);
          else
            records.push([
              key,
              topic === 'names-counts' ? String(L.deserialize(topic, rec.value)) : S.deserialize(topic, rec.value),
            ]);
        }
        if (r.nextOffset <= at) break;
        at = r.nextOffset;
      }
    }
  } finally {
    await transport.cluster.disconnect();
  }
  return { end, records };
}

/** The final value per key of every output topic, from the given offsets on. */
async function finals(from: Record<string, number[]>) {
  const values: Record<string, Record<string, string>> = {};
  const ends: Record<string, number[]> = {};
  for (const topic of Object.keys(OUTPUTS)) {
    const { end, records } = await readOutput(topic, from[topic]!);
    ends[topic] = end;
    const last: Record<string, string> = {};
    for (const [k, v] of records) {
      if (v === null) delete last[k];
      else last[k] = v;
    }
    values[topic] = last;
  }
  return { values, ends };
}

/** Polls the outputs until they hold `want` (or 90 s pass): what the app run left there. */
async function waitForOutputs(from: Record<string, number[]>, want: Record<string, Record<string, string>>) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const got = await finals(from);
    if (JSON.stringify(sortKeys(got.values)) === JSON.stringify(sortKeys(want)) || Date.now() > deadline) return got;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function sortKeys(values: Record<string, Record<string, string>>) {
  return Object.fromEntries(
    Object.entries(values).map(([t, m]) => [
      t,
      Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b))),
    ]),
  );
}

interface InternalTopic {
  partitions: number;
  configs: Record<string, string>;
}

/** The app's internal topics, without the application id prefix: partition counts and the configs set on them. */
async function internalTopics(applicationId: string): Promise<Record<string, InternalTopic>> {
  const admin = tributary.admin();
  await admin.connect();
  try {
    const names = (await admin.listTopics()).filter((t) => t.startsWith(`${applicationId}-`)).sort();
    const out: Record<string, InternalTopic> = {};
    if (names.length === 0) return out;
    const meta = await admin.fetchTopicMetadata({ topics: names });
    const described = await admin.describeConfigs({
      resources: names.map((name) => ({ type: 2, name })),
      includeSynonyms: false,
    });
    for (const name of names) {
      const configs: Record<string, string> = {};
      const resource = described.resources.find((r) => r.resourceName === name)!;
      // DYNAMIC_TOPIC_CONFIG: what the app set when it created the topic.
      for (const c of resource.configEntries) if (c.configSource === 1) configs[c.configName] = c.configValue;
      out[name.slice(applicationId.length + 1)] = {
        partitions: meta.topics.find((t) => t.name === name)!.partitions.length,
        configs,
      };
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Creates the input and output topics and writes the inputs, once for both runs below. */
let filled: Promise<void> | undefined;
function fillOnce(records: ReturnType<typeof inputs>): Promise<void> {
  filled ??= (async () => {
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({
      topics: Object.entries({ ...INPUTS, ...OUTPUTS }).map(([topic, numPartitions]) => ({ topic, numPartitions })),
    });
    await admin.disconnect();
    const producer = tributary.producer();
    await producer.connect();
    for (const topic of Object.keys(INPUTS))
      await producer.send({
        topic,
        messages: records
          .filter((r) => r.topic === topic)
          .map(({ partition, key, value }) => (partition === undefined ? { key, value } : { partition, key, value })),
      });
    await producer.disconnect();
  })();
  return filled;
}

describe('the same topology run by Java Kafka Streams 4.1.1 and by Tributary against the same Kafka', () => {
  // Unoptimized, then with topology.optimization=all: the source tables' changelogs are gone (their
  // source topics serve), the rest is named as before.
  it.each([
    ['none', false],
    ['all', true],
  ] as const)(
    'should create the same changelog and repartition topics and leave the same outputs (optimization %s)',
    async (_label, optimized) => {
      const records = inputs();
      const want = expected(records);
      await fillOnce(records);
      const zero = Object.fromEntries(Object.entries(OUTPUTS).map(([t, n]) => [t, Array<number>(n).fill(0)]));
      // Each run's records come after the previous run's.
      const start = (await finals(zero)).ends;
      const suffix = optimized ? '-opt' : '';

      // Java Kafka Streams first, application id names-java.
      const { child, output } = await startJava(`names-java${suffix}`, optimized);
      await waitForOutputs(start, want);
      await stopJava(child);
      const javaRun = await finals(start);
      expect(javaRun.values, `Java Kafka Streams' outputs\n${output().slice(-3000)}`).toEqual(want);

      // Then Tributary, application id names-trib: its records come after Java's.
      const streams = new KafkaStreams(namesTopology(optimized), {
        applicationId: `names-trib${suffix}`,
        tributary,
        stateDir: join(stateDir, `trib-state${suffix}`),
      });
      let tribRun: Awaited<ReturnType<typeof finals>>;
      try {
        await streams.start();
        await streams.waitForIdle();
        tribRun = await waitForOutputs(javaRun.ends, want);
      } finally {
        await streams.close();
      }
      expect(tribRun.values).toEqual(want);
      for (const topic of Object.keys(OUTPUTS))
        expect(tribRun.ends[topic]!.reduce((a, b) => a + b, 0)).toBeGreaterThan(
          javaRun.ends[topic]!.reduce((a, b) => a + b, 0),
        );

      const javaTopics = await internalTopics(`names-java${suffix}`);
      const tribTopics = await internalTopics(`names-trib${suffix}`);
      if (process.env.TRIBUTARY_REPORT) console.log(JSON.stringify({ javaTopics, tribTopics }, null, 2));
      // What Kafka Streams 4.1.1 names them: the changelogs of the named store, of the generated
      // aggregate store, of both source tables (not when optimized) and of the FK join's
      // subscription store, WordCount's repartition, the selectKey's repartition, and the FK join's
      // two subscription topics.
      expect(Object.keys(javaTopics).length).toBeGreaterThanOrEqual(optimized ? 6 : 8);
      expect(Object.keys(javaTopics)).toContain('counts-store-changelog');
      expect(Object.keys(javaTopics)).toContain('counts-store-repartition');
      expect(Object.keys(javaTopics).some((t) => t.startsWith('names-orders-STATE-STORE'))).toBe(!optimized);
      expect(Object.keys(tribTopics).sort()).toEqual(Object.keys(javaTopics).sort());
      expect(tribTopics).toEqual(javaTopics);
    },
    300_000,
  );
});
