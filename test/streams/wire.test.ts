/**
 * KafkaStreams over the wire: a Tributary made with `brokers` against Tributary's broker (`serve()`
 * in this process, on its own log), so the app's group, transactions and topics are the broker's.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainCount, wordCountTopology } from '../../examples/wordcount/wordcount.ts';
import { type Broker, serve } from '../../src/broker/index.ts';
import { Tributary } from '../../src/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { KafkaStreams, StreamsBuilder } from '../../src/streams/index.ts';
import { decodePartitionMetadata } from '../../src/streams/internal/commit-metadata.ts';
import { L, S } from './helpers.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let dir: string;
const tributaries: Tributary[] = [];

function wire(): Tributary {
  const t = new Tributary({ brokers: [`127.0.0.1:${broker.address().port}`], logLevel: 0, clientId: 'wire-streams' });
  tributaries.push(t);
  return t;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trib-wire-streams-'));
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0 });
});

afterEach(async () => {
  for (const t of tributaries.splice(0)) await t.close().catch(() => undefined);
  await broker.close();
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Retries an assertion until it holds (work crossing processes and sockets), up to `ms`. */
async function eventually(check: () => unknown, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The largest record timestamp of each partition of `topic`, partition by partition. */
async function partitionTimes(topic: string): Promise<number[]> {
  const out: number[] = [];
  for (let p = 0; p < log.partitionCount(topic); p++) {
    const { records } = await log.read(topic, p, 0, { maxBytes: 64 << 20 });
    out.push(Math.max(...records.map((r) => r.timestamp)));
  }
  return out;
}

const vocabulary = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];

function lines(from: number, n: number): string[] {
  return Array.from({ length: n }, (_, j) => {
    const i = from + j;
    return `${vocabulary[i % 8]} ${vocabulary[(i * 3) % 8]} ${vocabulary[(i * 5 + 1) % 8]} word${i % 31}`;
  });
}

async function produce(t: Tributary, text: string[], partitions = 3): Promise<void> {
  const producer = t.producer();
  await producer.connect();
  await producer.send({
    topic: 'text-lines',
    messages: text.map((value, i) => ({ value, partition: i % partitions })),
  });
  await producer.disconnect();
}

/** What a read_committed reader of a topic sees, latest value per key, read from the broker's log. */
async function latest(topic: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let p = 0; p < log.partitionCount(topic); p++) {
    const end = log.offsets(topic, p).lastStableOffset;
    for (let at = 0; at < end; ) {
      const r = await log.read(topic, p, at, { maxBytes: 16 << 20, isolation: 'read_committed' });
      for (const rec of r.records) out.set(S.deserialize(topic, rec.key)!, L.deserialize(topic, rec.value)!);
      if (r.nextOffset <= at) break;
      at = r.nextOffset;
    }
  }
  return out;
}

type TopicSpec = { topic: string; numPartitions: number; configEntries?: { name: string; value: string }[] };

/** Creates topics through the broker: by default WordCount's input and compacted output. */
async function createTopics(
  t: Tributary,
  topics: TopicSpec[] = [
    { topic: 'text-lines', numPartitions: 3 },
    { topic: 'word-counts', numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ],
): Promise<void> {
  const admin = t.admin();
  await admin.connect();
  await admin.createTopics({ topics });
  await admin.disconnect();
}

function storeOf(streams: KafkaStreams): Map<string, number> {
  return new Map(
    streams
      .store<string, number>('counts-store')
      .all()
      .map(({ key, value }) => [key, value]),
  );
}

describe('KafkaStreams over the wire (Tributary broker)', () => {
  it('should run WordCount exactly once: group, repartition and changelog topics, transactions', async () => {
    const t = wire();
    await createTopics(t);
    const text = lines(0, 600);
    await produce(t, text);
    const streams = new KafkaStreams(wordCountTopology(), {
      applicationId: 'wire-wc',
      tributary: t,
      stateDir: join(dir, 'a'),
      commitIntervalMs: 50,
    });
    await streams.start();
    expect(streams.state).toBe('RUNNING');
    await streams.waitForIdle();
    const expected = plainCount(text);
    expect(Object.fromEntries(await latest('word-counts'))).toEqual(Object.fromEntries(expected));
    expect(Object.fromEntries(storeOf(streams))).toEqual(Object.fromEntries(expected));

    // Internal topics as Kafka Streams names them, with the partitions the topology needs.
    const topics = await log.listTopics();
    const repartition = topics.find((n) => n.startsWith('wire-wc-') && n.endsWith('-repartition'))!;
    expect(repartition).toBeDefined();
    expect(log.partitionCount(repartition)).toBe(3);
    expect(log.partitionCount('wire-wc-counts-store-changelog')).toBe(3);
    expect((await log.describeTopic('wire-wc-counts-store-changelog')).configs['cleanup.policy']).toBe('compact');

    // The input offsets are the group's, on the broker.
    const admin = t.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: 'wire-wc', topics: ['text-lines'] });
    expect(committed[0]!.partitions.map((p) => Number(p.offset))).toEqual([200, 200, 200]);
    // Beside each, in the transaction's TxnOffsetCommit, the partition's time (Kafka's metadata).
    expect(committed[0]!.partitions.map((p) => decodePartitionMetadata(p.metadata).partitionTime)).toEqual(
      await partitionTimes('text-lines'),
    );
    await admin.disconnect();

    // More input, processed while running.
    const more = lines(600, 300);
    await produce(t, more);
    await streams.waitForIdle();
    const all = plainCount([...text, ...more]);
    expect(Object.fromEntries(await latest('word-counts'))).toEqual(Object.fromEntries(all));
    // The store's lags, the changelog ends asked of the broker: every running task caught up.
    const lags = await streams.allLocalStorePartitionLags();
    expect([...lags.keys()]).toEqual(['counts-store']);
    expect([...lags.get('counts-store')!.keys()].sort()).toEqual([0, 1, 2]);
    for (const [p, lag] of lags.get('counts-store')!) {
      const end = log.offsets('wire-wc-counts-store-changelog', p).highWatermark;
      expect({ ...lag }).toEqual({ currentOffsetPosition: end, endOffsetPosition: end, offsetLag: 0 });
    }
    await streams.close();
    expect(streams.state).toBe('NOT_RUNNING');

    // A new instance with its local state gone restores the store from the changelog.
    const again = new KafkaStreams(wordCountTopology(), {
      applicationId: 'wire-wc',
      tributary: wire(),
      stateDir: join(dir, 'b'),
    });
    await again.start();
    await again.waitForIdle();
    expect(Object.fromEntries(storeOf(again))).toEqual(Object.fromEntries(all));
    await again.close();
  });

  it('should count exactly once with at_least_once when nothing fails, committing through the group', async () => {
    const t = wire();
    await createTopics(t);
    const text = lines(0, 300);
    await produce(t, text);
    const streams = new KafkaStreams(wordCountTopology(), {
      applicationId: 'wire-alos',
      tributary: t,
      processingGuarantee: 'at_least_once',
      commitIntervalMs: 50,
    });
    await streams.start();
    await streams.waitForIdle();
    expect(Object.fromEntries(await latest('word-counts'))).toEqual(Object.fromEntries(plainCount(text)));
    await streams.close();
    const admin = t.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: 'wire-alos', topics: ['text-lines'] });
    expect(committed[0]!.partitions.map((p) => Number(p.offset))).toEqual([100, 100, 100]);
    expect(committed[0]!.partitions.map((p) => decodePartitionMetadata(p.metadata).partitionTime)).toEqual(
      await partitionTimes('text-lines'),
    );
    await admin.disconnect();
  });

  it('should fence a zombie: a second instance with the same process id (stateDir) takes over its producer', async () => {
    const t = wire();
    await createTopics(t);
    await produce(t, lines(0, 300));
    const config = { applicationId: 'wire-zombie', commitIntervalMs: 20, heartbeatIntervalMs: 100 };
    const zombie = new KafkaStreams(wordCountTopology(), { ...config, tributary: wire(), stateDir: join(dir, 'z') });
    const failures: unknown[] = [];
    zombie.setUncaughtExceptionHandler((error) => {
      failures.push(error);
      return 'SHUTDOWN_CLIENT';
    });
    await zombie.start();
    await zombie.waitForIdle();
    // The same instance restarted elsewhere while the old one still runs (its process id, kept in
    // the state directory, carried over; so the same transactional id): its InitProducerId bumps
    // the epoch, and the old one's next transaction is refused.
    mkdirSync(join(dir, 's', 'wire-zombie'), { recursive: true });
    copyFileSync(join(dir, 'z', 'wire-zombie', 'process-id'), join(dir, 's', 'wire-zombie', 'process-id'));
    const successor = new KafkaStreams(wordCountTopology(), { ...config, tributary: wire(), stateDir: join(dir, 's') });
    // Started (which fences the old one) before more input comes: a zombie learns it is fenced
    // when it next writes, and both instances now hold tasks that get some of it.
    await successor.start();
    await produce(t, lines(300, 300));
    await eventually(() => expect(zombie.state).toBe('ERROR'), 20_000);
    // Fenced: the broker refuses the old epoch (or the transaction it aborted for the successor).
    expect(failures[0]).toMatchObject({
      code: expect.stringMatching(/FENCED|INVALID_PRODUCER_EPOCH|INVALID_TXN_STATE/),
    });
    await zombie.close().catch(() => undefined);
    // The zombie left the group: the successor gets its tasks at the next rebalance.
    await eventually(() => expect(successor.tasks.length).toBe(6), 20_000);
    await successor.waitForIdle();
    const all = plainCount(lines(0, 600));
    expect(Object.fromEntries(await latest('word-counts'))).toEqual(Object.fromEntries(all));
    expect(Object.fromEntries(storeOf(successor))).toEqual(Object.fromEntries(all));
    await successor.close();
  }, 60_000);

  it('should share tasks between two instances and hand them over when one closes', async () => {
    const t = wire();
    await createTopics(t);
    const text = lines(0, 300);
    await produce(t, text);
    const config = { applicationId: 'wire-two', commitIntervalMs: 50, heartbeatIntervalMs: 100 };
    const a = new KafkaStreams(wordCountTopology(), {
      ...config,
      tributary: wire(),
      stateDir: join(dir, 'a'),
      applicationServer: 'a:1',
    });
    const b = new KafkaStreams(wordCountTopology(), {
      ...config,
      tributary: wire(),
      stateDir: join(dir, 'b'),
      applicationServer: 'b:2',
    });
    await a.start();
    await b.start();
    // Six tasks (two sub-topologies × three partitions) end up split between the two.
    await eventually(() => {
      expect(a.tasks.length + b.tasks.length).toBe(6);
      expect(a.tasks.length).toBeGreaterThan(0);
      expect(b.tasks.length).toBeGreaterThan(0);
    }, 20_000);
    const more = lines(300, 300);
    await produce(t, more);
    await eventually(async () => {
      expect(Object.fromEntries(await latest('word-counts'))).toEqual(
        Object.fromEntries(plainCount([...text, ...more])),
      );
    }, 20_000);
    // Each instance learned from the group which server runs which task: any word's count is in
    // the store of the instance queryMetadataForKey names.
    await eventually(() => {
      const hosts = a.metadataForAllStreamsClients().map((m) => `${m.hostInfo.host}:${m.topicPartitions.length}`);
      expect(hosts.sort()).toEqual([`a:${a.tasks.length}`, `b:${b.tasks.length}`]);
    }, 20_000);
    const byHost = { a, b } as const;
    for (const word of ['alpha', 'beta', 'word7']) {
      const where = b.queryMetadataForKey('counts-store', word, S);
      const holder = byHost[where.activeHost.host as 'a' | 'b'];
      expect(holder.store<string, number>('counts-store').get(word)).toBe(plainCount([...text, ...more]).get(word));
    }
    await a.close();
    await eventually(() => expect(b.tasks.length).toBe(6), 20_000);
    const last = lines(600, 300);
    await produce(t, last);
    await b.waitForIdle();
    const all = plainCount([...text, ...more, ...last]);
    expect(Object.fromEntries(await latest('word-counts'))).toEqual(Object.fromEntries(all));
    expect(Object.fromEntries(storeOf(b))).toEqual(Object.fromEntries(all));
    await b.close();
  }, 60_000);

  it('should abort the batches sent ahead of a commit when processing fails, and write each record once', async () => {
    const t = wire();
    await createTopics(t, [
      { topic: 'in', numPartitions: 1 },
      { topic: 'out', numPartitions: 1 },
    ]);
    const producer = t.producer();
    await producer.connect();
    // 10 000 records of 300 bytes: batches of 256 KiB go to `out` ahead of the commit; record 9 000
    // fails once (test/streams/wire-early-sends.test.ts aborts batches that surely went ahead).
    const values = Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(5, '0')}:${'x'.repeat(294)}`);
    for (let i = 0; i < values.length; i += 2000)
      await producer.send({ topic: 'in', messages: values.slice(i, i + 2000).map((value) => ({ value })) });
    await producer.disconnect();
    let failures = 0;
    const builder = new StreamsBuilder();
    builder
      .stream('in', { keySerde: S, valueSerde: S })
      .mapValues((v) => {
        if (failures === 0 && v.startsWith('09000:')) {
          failures++;
          throw new Error('record 9000 fails once');
        }
        return v;
      })
      .to('out', { keySerde: S, valueSerde: S });
    const streams = new KafkaStreams(builder.build(), {
      applicationId: 'wire-early',
      tributary: t,
      stateDir: join(dir, 'early'),
      // No commit before the failure: what went ahead belongs to the open transaction.
      commitIntervalMs: 600_000,
      maxUncommittedRecords: 1_000_000,
    });
    streams.setUncaughtExceptionHandler(() => 'REPLACE_THREAD');
    await streams.start();
    await streams.waitForIdle();
    await streams.close();
    expect(failures).toBe(1);
    const read = async (isolation: 'read_committed' | 'read_uncommitted') => {
      const out: string[] = [];
      const end =
        isolation === 'read_committed' ? log.offsets('out', 0).lastStableOffset : log.offsets('out', 0).highWatermark;
      for (let at = 0; at < end; ) {
        const r = await log.read('out', 0, at, { maxBytes: 16 << 20, isolation });
        for (const rec of r.records) if (rec.value !== null) out.push(S.deserialize('out', rec.value)!.slice(0, 5));
        if (r.nextOffset <= at) break;
        at = r.nextOffset;
      }
      return out;
    };
    // Whatever went ahead before the failure is aborted: a read_committed reader sees every record
    // once, in order.
    expect((await read('read_uncommitted')).length).toBeGreaterThanOrEqual(values.length);
    expect(await read('read_committed')).toEqual(values.map((v) => v.slice(0, 5)));
  });

  it("should learn a sink topic's configs from the broker and ask the production handler about a record it refuses", async () => {
    const t = wire();
    await createTopics(t, [
      { topic: 'in', numPartitions: 1 },
      { topic: 'out', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '300' }] },
    ]);
    const producer = t.producer();
    await producer.connect();
    await producer.send({ topic: 'in', messages: ['a', 'x'.repeat(400), 'c'].map((value) => ({ value })) });
    await producer.disconnect();
    const builder = new StreamsBuilder();
    builder.stream('in', { keySerde: S, valueSerde: S }).to('out', { keySerde: S, valueSerde: S });
    const refused: string[] = [];
    const streams = new KafkaStreams(builder.build(), {
      applicationId: 'wire-refused',
      tributary: t,
      stateDir: join(dir, 'refused'),
      productionExceptionHandler: {
        handle: (_context, record, error) => {
          refused.push(`${record.topic}:${record.value?.length}:${(error as { code: string }).code}`);
          return 'CONTINUE';
        },
      },
    });
    await streams.start();
    await streams.waitForIdle();
    await streams.close();
    expect(refused).toEqual(['out:400:MESSAGE_TOO_LARGE']);
    const end = log.offsets('out', 0).lastStableOffset;
    const r = await log.read('out', 0, 0, { maxBytes: 1 << 20, isolation: 'read_committed' });
    expect(r.records.filter((rec) => rec.offset < end).map((rec) => S.deserialize('out', rec.value))).toEqual([
      'a',
      'c',
    ]);
  });
});
