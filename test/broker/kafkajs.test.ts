import { type Admin, ConfigResourceTypes, Kafka, logLevel, PartitionAssigners } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { acquireCoordinator, releaseCoordinator } from '../../src/cluster/index.ts';
import { createLogger } from '../../src/client/logger.ts';
import { Tributary } from '../../src/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { verifyBatchCrc } from '../../src/protocol/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { eventually, until } from '../client/helpers.ts';
import { RawClient } from './raw-client.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

/** The group as the coordinator shared by the broker and in-process clients sees it. */
async function groupOf(groupId: string) {
  const coordinator = await acquireCoordinator(log, log.clock, createLogger({ level: 0 }));
  releaseCoordinator(log);
  return coordinator.describeGroup(groupId);
}

let log: EmbeddedLogBackend;
let broker: Broker;
let kafka: Kafka;
let admin: Admin;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0 });
  kafka = new Kafka({
    clientId: 'kjs',
    brokers: [`127.0.0.1:${broker.address().port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });
  admin = kafka.admin();
  await admin.connect();
});

afterEach(async () => {
  await admin.disconnect();
  await broker.close();
  await log.close();
});

describe('the broker, with kafkajs 2.2.4', () => {
  it('should create topics, describe them and refuse a duplicate with TOPIC_ALREADY_EXISTS', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] })).toBe(true);
    const { topics } = await admin.fetchTopicMetadata({ topics: ['orders'] });
    expect(topics[0]!.partitions.map((p) => [p.partitionId, p.leader, p.replicas])).toEqual([
      [0, 1, [1]],
      [1, 1, [1]],
      [2, 1, [1]],
    ]);
    await expect(admin.createTopics({ topics: [{ topic: 'orders' }], validateOnly: false })).resolves.toBe(false);
    await expect(admin.createTopics({ topics: [{ topic: 'bad name!' }] })).rejects.toMatchObject({
      errors: [{ type: 'INVALID_TOPIC_EXCEPTION', code: 17 }],
    });
    expect(await admin.listTopics()).toContain('orders');
    await admin.deleteTopics({ topics: ['orders'] });
    expect(await log.listTopics()).not.toContain('orders');
  });

  it('should store the batch as the client sent it, with acks 0, 1 and -1', async () => {
    await admin.createTopics({ topics: [{ topic: 'acks', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    // acks=0 has no answer; the acks=1 request behind it on the same connection is answered after it landed.
    await producer.send({ topic: 'acks', acks: 0, messages: [{ key: 'k0', value: 'zero' }] });
    const [one] = await producer.send({ topic: 'acks', acks: 1, messages: [{ key: 'k1', value: 'one' }] });
    const [all] = await producer.send({
      topic: 'acks',
      acks: -1,
      messages: [{ key: 'k2', value: 'all', headers: { h: 'v' } }],
    });
    await producer.disconnect();
    expect([one!.baseOffset, all!.baseOffset]).toEqual(['1', '2']);
    const { records } = await log.read('acks', 0, 0);
    expect(records.map((r) => Buffer.from(r.value!).toString())).toEqual(['zero', 'one', 'all']);
    expect(Buffer.from(records[2]!.headers[0]!.value!).toString()).toBe('v');
    const batches = await log.readBatches('acks', 0, 0);
    expect(batches.map((b) => b.baseOffset)).toEqual([0, 1, 2]);
    for (const b of batches) expect(verifyBatchCrc(b.bytes)).toBe(true);
  });

  it('should answer an idempotent producer and read back what it wrote', async () => {
    await admin.createTopics({ topics: [{ topic: 'idem', numPartitions: 2 }] });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic: 'idem', acks: -1, messages: [{ key: `k${i % 2}`, value: `v${i}` }] });
    }
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets('idem');
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(5);
  });

  it('should share partitions between two kafkajs members of a group and keep their commits', async () => {
    await admin.createTopics({ topics: [{ topic: 'shared', numPartitions: 4 }] });
    const seen = [new Set<number>(), new Set<number>()];
    let total = 0;
    const consumers = [0, 1].map(() =>
      kafka.consumer({
        groupId: 'two',
        sessionTimeout: 10_000,
        heartbeatInterval: 300,
        rebalanceTimeout: 10_000,
        maxWaitTimeInMs: 200,
      }),
    );
    for (const [i, consumer] of consumers.entries()) {
      await consumer.connect();
      await consumer.subscribe({ topic: 'shared', fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition }) => {
          seen[i]!.add(partition);
          total++;
        },
      });
    }
    await eventually(
      async () => {
        const group = await groupOf('two');
        return group.state === 'Stable' && group.members.length === 2;
      },
      'a stable group of two',
      5_000_000,
    );
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'shared',
      messages: [0, 1, 2, 3].flatMap((partition) =>
        Array.from({ length: 10 }, (_, i) => ({ partition, value: `v${i}` })),
      ),
    });
    await producer.disconnect();
    await until(() => total >= 40, 'all records consumed', 50_000_000);
    for (const c of consumers) await c.disconnect();
    expect(total).toBe(40);
    // Round robin over two members: two partitions each, none shared.
    expect([seen[0]!.size, seen[1]!.size]).toEqual([2, 2]);
    expect([...seen[0]!, ...seen[1]!].sort()).toEqual([0, 1, 2, 3]);
    const offsets = await admin.fetchOffsets({ groupId: 'two', topics: ['shared'] });
    expect(offsets[0]!.partitions.map((p) => p.offset).sort()).toEqual(['10', '10', '10', '10']);
  });

  it('should answer -1 for a group that never committed, and round-trip commit metadata', async () => {
    await admin.createTopics({ topics: [{ topic: 'meta', numPartitions: 2 }] });
    const before = await admin.fetchOffsets({ groupId: 'never', topics: ['meta'] });
    expect(before[0]!.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
    const raw = await RawClient.connect(broker.address().port);
    const committed = await raw.request(API.OffsetCommit, 2, {
      groupId: 'set',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          name: 'meta',
          partitions: [
            {
              partitionIndex: 1,
              committedOffset: 7,
              committedLeaderEpoch: -1,
              commitTimestamp: -1,
              committedMetadata: 'where I was',
            },
          ],
        },
      ],
    });
    expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(0);
    const fetched = await raw.request(API.OffsetFetch, 1, {
      groupId: 'set',
      topics: [{ name: 'meta', partitionIndexes: [0, 1] }],
      groups: [],
      requireStable: false,
    });
    expect(fetched.topics[0]!.partitions.map((p) => [p.committedOffset, p.metadata])).toEqual([
      [-1, ''],
      [7, 'where I was'],
    ]);
    raw.close();
    const after = await admin.fetchOffsets({ groupId: 'set', topics: ['meta'] });
    expect(after[0]!.partitions.find((p) => p.partition === 1)!.offset).toBe('7');
    // The in-process side sees the same committed offsets: one coordinator for both.
    const tributary = new Tributary({ log, logLevel: 0 });
    const localAdmin = tributary.admin();
    await localAdmin.connect();
    const local = await localAdmin.fetchOffsets({ groupId: 'set', topics: ['meta'] });
    expect(local[0]!.partitions.find((p) => p.partition === 1)!.offset).toBe('7');
    await localAdmin.disconnect();
  });

  it('should put an in-process consumer and a kafkajs consumer in one group', async () => {
    await admin.createTopics({ topics: [{ topic: 'mixed', numPartitions: 2 }] });
    const tributary = new Tributary({ log, logLevel: 0 });
    const timeouts = { sessionTimeout: 10_000, heartbeatInterval: 300, rebalanceTimeout: 3000 };
    // kafkajs's own assigner on both sides: its protocol name is what the group must agree on.
    const local = tributary.consumer({
      groupId: 'mixed-group',
      ...timeouts,
      partitionAssigners: [PartitionAssigners.roundRobin as never],
    });
    const remote = kafka.consumer({ groupId: 'mixed-group', ...timeouts });
    const seen = { local: new Set<number>(), remote: new Set<number>() };
    await local.connect();
    await local.subscribe({ topic: 'mixed', fromBeginning: true });
    await local.run({ eachMessage: async ({ partition }) => void seen.local.add(partition) });
    await remote.connect();
    await remote.subscribe({ topic: 'mixed', fromBeginning: true });
    await remote.run({ eachMessage: async ({ partition }) => void seen.remote.add(partition) });
    await eventually(
      async () => {
        const group = await groupOf('mixed-group');
        return group.state === 'Stable' && group.members.length === 2;
      },
      'a stable group of two',
      5_000_000,
    );
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'mixed',
      messages: [
        { partition: 0, value: 'p0' },
        { partition: 1, value: 'p1' },
      ],
    });
    await producer.disconnect();
    await until(() => seen.local.size + seen.remote.size === 2, 'both records', 50_000_000);
    await remote.disconnect();
    await local.disconnect();
    expect(seen.local.size).toBe(1);
    expect(seen.remote.size).toBe(1);
    expect([...seen.local, ...seen.remote].sort()).toEqual([0, 1]);
  });

  it('should serve the admin calls: describe, list and delete groups, setOffsets, createPartitions, deleteTopicRecords', async () => {
    await admin.createTopics({ topics: [{ topic: 'adm', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'adm', messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();
    await admin.setOffsets({ groupId: 'idle', topic: 'adm', partitions: [{ partition: 0, offset: '3' }] });
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).toContain('idle');
    const described = await admin.describeGroups(['idle', 'nobody']);
    expect(described.groups.map((g) => [g.groupId, g.state])).toEqual([
      ['idle', 'Empty'],
      ['nobody', 'Dead'],
    ]);
    await admin.createPartitions({ topicPartitions: [{ topic: 'adm', count: 3 }] });
    expect(log.partitionCount('adm')).toBe(3);
    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'adm', count: 2 }] })).rejects.toThrow();
    await admin.deleteTopicRecords({ topic: 'adm', partitions: [{ partition: 0, offset: '2' }] });
    expect(log.offsets('adm', 0).logStartOffset).toBe(2);
    const [result] = await admin.deleteGroups(['idle']);
    expect(result!.errorCode).toBe(0);
    expect((await admin.fetchOffsets({ groupId: 'idle', topics: ['adm'] }))[0]!.partitions[0]!.offset).toBe('-1');
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: broker.address().port }]);
  });

  it('should run transactions: committed records and offsets are seen read_committed, aborted ones are not', async () => {
    await admin.createTopics({ topics: [{ topic: 'txn', numPartitions: 1 }] });
    const producer = kafka.producer({ transactionalId: 'tx-1', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic: 'txn', messages: [{ value: 'kept-1' }, { value: 'kept-2' }] });
    await committed.sendOffsets({
      consumerGroupId: 'txn-group',
      topics: [{ topic: 'txn', partitions: [{ partition: 0, offset: '5' }] }],
    });
    // Offsets sent in a transaction are not committed before it is: asked for stable offsets (v7+),
    // the coordinator answers UNSTABLE_OFFSET_COMMIT until the transaction ends, as Kafka's does.
    expect((await admin.fetchOffsets({ groupId: 'txn-group', topics: ['txn'] }))[0]!.partitions[0]!.offset).toBe('-1');
    expect(log.offsets('txn', 0).lastStableOffset).toBe(0);
    const raw = await RawClient.connect(broker.address().port);
    const stable = async (requireStable: boolean) => {
      const res = await raw.request(API.OffsetFetch, 7, {
        groupId: 'txn-group',
        topics: [{ name: 'txn', partitionIndexes: [0] }],
        groups: [],
        requireStable,
      });
      const p = res.topics[0]!.partitions[0]!;
      return [p.errorCode, p.committedOffset];
    };
    expect(await stable(true)).toEqual([88, -1]);
    expect(await stable(false)).toEqual([0, -1]);
    await committed.commit();
    expect(await stable(true)).toEqual([0, 5]);
    raw.close();
    expect((await admin.fetchOffsets({ groupId: 'txn-group', topics: ['txn'] }))[0]!.partitions[0]!.offset).toBe('5');
    const aborted = await producer.transaction();
    await aborted.send({ topic: 'txn', messages: [{ value: 'dropped' }] });
    await aborted.abort();
    const after = await producer.transaction();
    await after.send({ topic: 'txn', messages: [{ value: 'kept-3' }] });
    await after.commit();
    await producer.disconnect();

    const read = async (readUncommitted: boolean) => {
      const consumer = kafka.consumer({ groupId: `reader-${readUncommitted}`, readUncommitted, maxWaitTimeInMs: 100 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'txn', fromBeginning: true });
      const values: string[] = [];
      const expected = readUncommitted ? 4 : 3;
      await new Promise<void>((done) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            values.push(String(message.value));
            if (values.length === expected) done();
          },
        });
      });
      await consumer.disconnect();
      return values;
    };
    expect(await read(false)).toEqual(['kept-1', 'kept-2', 'kept-3']);
    expect(await read(true)).toEqual(['kept-1', 'kept-2', 'dropped', 'kept-3']);
  });

  it('should fence the previous holder of a transactional id', async () => {
    await admin.createTopics({ topics: [{ topic: 'fence', numPartitions: 1 }] });
    const first = kafka.producer({
      transactionalId: 'tx-fence',
      idempotent: true,
      maxInFlightRequests: 1,
      retry: { retries: 1, initialRetryTime: 10 },
    });
    await first.connect();
    const open = await first.transaction();
    await open.send({ topic: 'fence', messages: [{ value: 'zombie' }] });
    const second = kafka.producer({ transactionalId: 'tx-fence', idempotent: true, maxInFlightRequests: 1 });
    await second.connect();
    // kafkajs initialises the transactional id when its first transaction begins.
    const successor = await second.transaction();
    await expect(open.commit()).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH' });
    await successor.send({ topic: 'fence', messages: [{ value: 'successor' }] });
    await successor.commit();
    await second.disconnect();
    await first.disconnect().catch(() => undefined);
    // The zombie's open transaction was aborted when the new holder initialised.
    expect(log.offsets('fence', 0).lastStableOffset).toBe(log.offsets('fence', 0).highWatermark);
    const { records } = await log.read('fence', 0, 0, { isolation: 'read_committed' });
    expect(records.map((r) => Buffer.from(r.value!).toString())).toEqual(['successor']);
  });

  it('should describe and alter topic configs', async () => {
    await admin.createTopics({
      topics: [
        {
          topic: 'cfg',
          configEntries: [
            { name: 'retention.ms', value: '60000' },
            { name: 'segment.bytes', value: '1048576' },
          ],
        },
      ],
    });
    const resource = { type: ConfigResourceTypes.TOPIC, name: 'cfg' };
    const described = await admin.describeConfigs({ resources: [resource], includeSynonyms: false });
    const entries = Object.fromEntries(
      described.resources[0]!.configEntries.map((e) => [e.configName, [e.configValue, e.isDefault]]),
    );
    expect(entries['retention.ms']).toEqual(['60000', false]);
    expect(entries['cleanup.policy']).toEqual(['delete', true]);
    await admin.alterConfigs({
      resources: [{ ...resource, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      validateOnly: false,
    });
    // The legacy AlterConfigs replaces the overrides: retention.ms went back to its default.
    expect((await log.describeTopic('cfg')).overrides).toEqual({ 'cleanup.policy': 'compact' });
    await expect(
      admin.alterConfigs({
        resources: [{ ...resource, configEntries: [{ name: 'no.such.config', value: '1' }] }],
        validateOnly: false,
      }),
    ).rejects.toThrow();
    expect((await log.describeTopic('cfg')).overrides).toEqual({ 'cleanup.policy': 'compact' });
    const raw = await RawClient.connect(broker.address().port);
    const incremental = await raw.request(API.IncrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 2,
          resourceName: 'cfg',
          configs: [
            { name: 'cleanup.policy', configOperation: 2, value: 'delete' },
            { name: 'retention.ms', configOperation: 0, value: '5000' },
            { name: 'segment.ms', configOperation: 0, value: '100' },
          ],
        },
      ],
      validateOnly: false,
    });
    raw.close();
    expect(incremental.responses[0]!.errorCode).toBe(0);
    expect((await log.describeTopic('cfg')).overrides).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': 5000,
    });
  });
});
