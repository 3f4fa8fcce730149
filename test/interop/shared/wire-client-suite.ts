/**
 * One suite for Tributary's wire client, run against each target that speaks Kafka's protocol (a
 * real Apache Kafka 4.x KRaft broker, `trib serve` in a child process): admin, producer and consumer
 * calls, checked with kafkajs (the reference client) reading back what Tributary wrote and writing
 * what Tributary reads.
 */
import { Kafka, logLevel as kafkajsLogLevel, PartitionAssigners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../../../src/errors.ts';
import { KafkaStreams, Serdes, StreamsBuilder, Tributary } from '../../../src/index.ts';

/** A running server that speaks Kafka's protocol, with one broker. */
export interface RunningTarget {
  bootstrap: string[];
  port: number;
  stop(): Promise<unknown>;
}

/** What the suite runs against. */
export interface WireTarget {
  name: string;
  /** False when the target does not answer DescribeConfigs/AlterConfigs (the suite then checks the typed refusal). */
  configs?: boolean;
  start(): Promise<RunningTarget>;
}

export function wireClientSuite(target: WireTarget): void {
  let kafka: RunningTarget;
  let tributary: Tributary;
  let reference: Kafka;

  beforeAll(async () => {
    kafka = await target.start();
    tributary = new Tributary({ brokers: kafka.bootstrap, clientId: 'interop' });
    reference = new Kafka({ brokers: kafka.bootstrap, logLevel: kafkajsLogLevel.NOTHING });
  });
  afterAll(() => kafka?.stop());

  /** Every record of a topic, read with kafkajs from the beginning. */
  async function readAll(
    topic: string,
    expected: number,
  ): Promise<
    { partition: number; offset: string; key: string | null; value: string | null; headers: Record<string, string> }[]
  > {
    const consumer = reference.consumer({ groupId: `check-${topic}-${Math.random()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const out: {
      partition: number;
      offset: string;
      key: string | null;
      value: string | null;
      headers: Record<string, string>;
    }[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            out.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
              headers,
            });
            if (out.length >= expected) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return out.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
  }

  describe(`the wire admin against ${target.name}`, () => {
    it('shouldCreateListDescribeAndDeleteTopics', async () => {
      const admin = tributary.admin();
      await admin.connect();
      try {
        expect(
          await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }, { topic: 'admin-b' }] }),
        ).toBe(true);
        expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }] })).toBe(false);
        expect((await admin.listTopics()).sort()).toEqual(expect.arrayContaining(['admin-a', 'admin-b']));
        const cluster0 = (await admin.describeCluster()).brokers[0]!.nodeId;
        const { topics } = await admin.fetchTopicMetadata({ topics: ['admin-a'] });
        expect(topics[0]!.partitions.map((p) => p.partitionId)).toEqual([0, 1, 2]);
        expect(topics[0]!.partitions.every((p) => p.leader === cluster0 && p.replicas.length === 1)).toBe(true);
        expect(await admin.fetchTopicOffsets('admin-a')).toEqual(
          [0, 1, 2].map((partition) => ({ partition, offset: '0', high: '0', low: '0' })),
        );
        const cluster = await admin.describeCluster();
        expect(cluster.brokers).toHaveLength(1);
        expect(cluster.brokers[0]!.port).toBe(kafka.port);
        await admin.deleteTopics({ topics: ['admin-b'] });
        // Kafka deletes a topic asynchronously: its metadata lets go of it a moment later.
        await expect.poll(() => admin.listTopics(), { timeout: 15_000, interval: 200 }).not.toContain('admin-b');
      } finally {
        await admin.disconnect();
      }
    });

    it('shouldFailWithKafkasErrorsAsTributaryCodes', async () => {
      const admin = tributary.admin();
      await admin.connect();
      try {
        const missing = await admin.fetchTopicOffsets('no-such-topic').catch((e: unknown) => e);
        expect((missing as TributaryError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
        const tooMany = await admin
          .createTopics({ topics: [{ topic: 'rf-too-big', replicationFactor: 3 }] })
          .catch((e: unknown) => e);
        expect(tooMany).toBeInstanceOf(TributaryError);
        expect((tooMany as TributaryError).code).toBe('INVALID_REPLICATION_FACTOR');
        const deleted = await admin.deleteTopics({ topics: ['never-was'] }).catch((e: unknown) => e);
        expect((deleted as TributaryError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
      } finally {
        await admin.disconnect();
      }
    });
  });

  describe(`the wire producer against ${target.name}`, () => {
    it('shouldSendKeyedRecordsToTheJavaCompatiblePartitionAndReadThemBackWithKafkajs', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'produce-keys', numPartitions: 4 }] });
      const producer = tributary.producer();
      await producer.connect();
      const messages = Array.from({ length: 40 }, (_, i) => ({
        key: `k${i % 8}`,
        value: `v${i}`,
        headers: { n: String(i) },
      }));
      const sent = await producer.send({ topic: 'produce-keys', messages });
      expect(sent.every((m) => m.errorCode === 0 && m.topicName === 'produce-keys')).toBe(true);
      const back = await readAll('produce-keys', 40);
      expect(back).toHaveLength(40);
      // kafkajs's own partitioner is Java-compatible: a kafkajs producer puts each key where we did.
      const kafkajsProducer = reference.producer();
      await kafkajsProducer.connect();
      const theirs = await kafkajsProducer.send({ topic: 'produce-keys', messages: [{ key: 'k3', value: 'theirs' }] });
      await kafkajsProducer.disconnect();
      expect(back.filter((r) => r.key === 'k3').every((r) => r.partition === theirs[0]!.partition)).toBe(true);
      expect(back.map((r) => r.value).sort()).toEqual(messages.map((m) => m.value).sort());
      expect(back.find((r) => r.value === 'v7')!.headers).toEqual({ n: '7' });
      expect((await admin.fetchTopicOffsets('produce-keys')).reduce((n, p) => n + Number(p.high), 0)).toBe(41);
      await producer.disconnect();
      await admin.disconnect();
    });

    it('shouldReportBaseOffsetsPerPartitionAndEmitRequestEvents', async () => {
      const producer = tributary.producer({ allowAutoTopicCreation: true });
      const events: { apiName: string; broker: string }[] = [];
      producer.on(producer.events.REQUEST, (e) => events.push(e.payload as { apiName: string; broker: string }));
      await producer.connect();
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'produce-offsets', numPartitions: 2 }] });
      const first = await producer.send({
        topic: 'produce-offsets',
        messages: [
          { value: 'a', partition: 1 },
          { value: 'b', partition: 1 },
        ],
      });
      const second = await producer.send({ topic: 'produce-offsets', messages: [{ value: 'c', partition: 1 }] });
      expect(first).toEqual([
        {
          topicName: 'produce-offsets',
          partition: 1,
          errorCode: 0,
          baseOffset: '0',
          logAppendTime: '-1',
          logStartOffset: '0',
        },
      ]);
      expect(second[0]!.baseOffset).toBe('2');
      expect(events.map((e) => e.apiName)).toEqual(expect.arrayContaining(['ApiVersions', 'Metadata', 'Produce']));
      expect(events.every((e) => e.broker === kafka.bootstrap[0])).toBe(true);
      await producer.disconnect();
      await admin.disconnect();
    });

    it('shouldSendABatchToSeveralTopicsWithAcksOneAndGzip', async () => {
      const producer = tributary.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      const sent = await producer.sendBatch({
        acks: 1,
        compression: 1,
        topicMessages: [
          { topic: 'batch-a', messages: [{ value: 'a1' }, { value: 'a2' }] },
          { topic: 'batch-b', messages: [{ value: 'b1' }] },
        ],
      });
      expect(sent.map((m) => m.topicName).sort()).toEqual(['batch-a', 'batch-b']);
      expect((await readAll('batch-a', 2)).map((r) => r.value)).toEqual(['a1', 'a2']);
      expect((await readAll('batch-b', 1)).map((r) => r.value)).toEqual(['b1']);
      await producer.disconnect();
    });

    it('shouldProduceIdempotentlyWithAProducerIdFromTheBroker', async () => {
      const producer = tributary.producer({ idempotent: true, allowAutoTopicCreation: true });
      await producer.connect();
      // The first send learns (and creates) the topic; the 50 after it go out in order, in a few batches.
      await producer.send({ topic: 'idempotent', messages: [{ value: 'first' }] });
      const sends = Array.from({ length: 50 }, (_, i) =>
        producer.send({ topic: 'idempotent', messages: [{ value: `m${i}` }] }),
      );
      const offsets = (await Promise.all(sends)).map(([m]) => Number(m!.baseOffset));
      expect(offsets).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      await producer.send({ topic: 'idempotent', messages: [{ value: 'last' }] });
      const back = await readAll('idempotent', 52);
      expect(back.map((r) => r.value)).toEqual(['first', ...Array.from({ length: 50 }, (_, i) => `m${i}`), 'last']);
      await producer.disconnect();
    });

    it('shouldFailASendToAMissingTopicWithoutAutoCreation', async () => {
      const producer = tributary.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const err = await producer.send({ topic: 'not-created', messages: [{ value: 'x' }] }).catch((e: unknown) => e);
      expect((err as TributaryError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
      await producer.disconnect();
    });
  });

  describe('a Tributary made with brokers', () => {
    it('shouldRefuseBrokersTogetherWithADataDir', () => {
      expect(() => new Tributary({ brokers: kafka.bootstrap, dataDir: '/tmp/x' })).toThrow(
        expect.objectContaining({ code: 'INVALID_CLIENT_CONFIG' }),
      );
    });

    it('shouldTakeBrokersFromAFunctionAndSkipAnUnreachableOne', async () => {
      const t = new Tributary({
        brokers: async () => ['127.0.0.1:1', ...kafka.bootstrap],
        retry: { retries: 3, initialRetryTime: 50 },
      });
      const admin = t.admin();
      await admin.connect();
      expect((await admin.describeCluster()).brokers).toHaveLength(1);
      await admin.disconnect();
    });
  });

  describe(`the wire consumer against ${target.name}`, () => {
    it('shouldConsumeAsAGroupMemberWhatKafkajsProducedAndCommitItsOffsets', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'consume-me', numPartitions: 3 }] });
      // Idempotent, so that a retry of kafkajs's own cannot write a batch twice.
      const kafkajsProducer = reference.producer({ idempotent: true });
      await kafkajsProducer.connect();
      await kafkajsProducer.send({
        topic: 'consume-me',
        messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { i: String(i) } })),
      });

      const consumer = tributary.consumer({ groupId: 'wire-group' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'consume-me', fromBeginning: true });
      const seen: { partition: number; offset: string; value: string; header: string }[] = [];
      let done!: () => void;
      const all = new Promise<void>((resolve) => {
        done = resolve;
      });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push({
            partition,
            offset: message.offset,
            value: message.value!.toString(),
            header: String(message.headers.i),
          });
          if (seen.length === 30) done();
        },
      });
      await all;
      // Records produced while it runs arrive too (a held Fetch answers when they come).
      await kafkajsProducer.send({ topic: 'consume-me', messages: [{ key: 'late', value: 'late' }] });
      for (let i = 0; i < 200 && !seen.some((s) => s.value === 'late'); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(seen.map((s) => s.value).sort()).toEqual(
        [...Array.from({ length: 30 }, (_, i) => `v${i}`), 'late'].sort(),
      );
      expect(seen.every((s) => s.value === 'late' || s.header === s.value.slice(1))).toBe(true);
      await consumer.disconnect();
      await kafkajsProducer.disconnect();

      // The group's committed offsets, read by kafkajs's admin: everything consumed is committed.
      const kadmin = reference.admin();
      await kadmin.connect();
      const committed = await kadmin.fetchOffsets({ groupId: 'wire-group', topics: ['consume-me'] });
      await kadmin.disconnect();
      const total = committed[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
      expect(total).toBe(31);
      await admin.disconnect();
    });

    it('shouldShareAGroupWithAKafkajsConsumer', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'shared-group', numPartitions: 4 }] });
      await admin.disconnect();
      const theirs = reference.consumer({ groupId: 'mixed', sessionTimeout: 10_000, heartbeatInterval: 500 });
      await theirs.connect();
      await theirs.subscribe({ topic: 'shared-group', fromBeginning: true });
      const theirPartitions = new Set<number>();
      theirs.on(theirs.events.GROUP_JOIN, (e) => {
        theirPartitions.clear();
        for (const p of e.payload.memberAssignment['shared-group'] ?? []) theirPartitions.add(p);
      });
      await theirs.run({ eachMessage: async () => undefined });
      // A group needs one assignor every member names: ours takes kafkajs's own, as a kafkajs program would pass it.
      const ours = tributary.consumer({
        groupId: 'mixed',
        sessionTimeout: 10_000,
        heartbeatInterval: 500,
        partitionAssigners: [PartitionAssigners.roundRobin as never],
      });
      const ourPartitions = new Set<number>();
      ours.on(ours.events.GROUP_JOIN, (e) => {
        ourPartitions.clear();
        for (const p of (e.payload as { memberAssignment: Record<string, number[]> }).memberAssignment[
          'shared-group'
        ] ?? [])
          ourPartitions.add(p);
      });
      await ours.connect();
      await ours.subscribe({ topic: 'shared-group', fromBeginning: true });
      await ours.run({ eachMessage: async () => undefined });
      for (let i = 0; i < 300 && !(ourPartitions.size === 2 && theirPartitions.size === 2); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect([...ourPartitions, ...theirPartitions].sort()).toEqual([0, 1, 2, 3]);
      await ours.disconnect();
      await theirs.disconnect();
    });
  });

  describe(`the wire admin's group, partition and config calls against ${target.name}`, () => {
    it('shouldListDescribeSetResetAndDeleteAGroupsOffsets', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'group-admin', numPartitions: 2 }] });
      const producer = tributary.producer();
      await producer.connect();
      await producer.send({
        topic: 'group-admin',
        messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })),
      });
      await producer.disconnect();
      const consumer = tributary.consumer({ groupId: 'admin-group' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'group-admin', fromBeginning: true });
      let seen = 0;
      await consumer.run({ eachMessage: async () => void seen++ });
      for (let i = 0; i < 200 && seen < 10; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await admin.listGroups()).groups).toEqual(
        expect.arrayContaining([{ groupId: 'admin-group', protocolType: 'consumer' }]),
      );
      const [described] = (await admin.describeGroups(['admin-group'])).groups;
      expect(described).toMatchObject({
        groupId: 'admin-group',
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'RoundRobinAssigner',
      });
      expect(described!.members).toHaveLength(1);
      await expect(
        admin.setOffsets({ groupId: 'admin-group', topic: 'group-admin', partitions: [{ partition: 0, offset: '0' }] }),
      ).rejects.toMatchObject({
        code: 'NON_EMPTY_GROUP',
      });
      await consumer.disconnect();

      // (Kafka keeps a commit without metadata as ''; the partitions and offsets are what matter here.)
      const fetched = await admin.fetchOffsets({ groupId: 'admin-group', topics: ['group-admin'] });
      expect(fetched.map((t) => [t.topic, t.partitions.map((p) => [p.partition, p.offset])])).toEqual([
        [
          'group-admin',
          [
            [0, '5'],
            [1, '5'],
          ],
        ],
      ]);
      const lag = await admin.fetchConsumerLag({ groupId: 'admin-group', topics: ['group-admin'] });
      expect(lag[0]!.partitions.map((p) => p.lag)).toEqual(['0', '0']);
      await admin.setOffsets({
        groupId: 'admin-group',
        topic: 'group-admin',
        partitions: [{ partition: 1, offset: '2' }],
      });
      expect(
        (await admin.fetchOffsets({ groupId: 'admin-group', topics: ['group-admin'] }))[0]!.partitions[1]!.offset,
      ).toBe('2');
      await admin.resetOffsets({ groupId: 'admin-group', topic: 'group-admin', earliest: true });
      expect(
        (await admin.fetchOffsets({ groupId: 'admin-group', topics: ['group-admin'] }))[0]!.partitions.map(
          (p) => p.offset,
        ),
      ).toEqual(['0', '0']);
      expect(await admin.deleteGroups(['admin-group'])).toEqual([{ groupId: 'admin-group', errorCode: 0 }]);
      await expect(admin.deleteGroups(['admin-group'])).rejects.toMatchObject({ code: 'GROUP_ID_NOT_FOUND' });
      await admin.disconnect();
    });

    it('shouldGrowPartitionsAndDeleteRecords', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'topic-admin', numPartitions: 1 }] });
      await admin.createPartitions({ topicPartitions: [{ topic: 'topic-admin', count: 3 }] });
      expect((await admin.fetchTopicMetadata({ topics: ['topic-admin'] })).topics[0]!.partitions).toHaveLength(3);
      const producer = tributary.producer();
      await producer.connect();
      await producer.send({
        topic: 'topic-admin',
        messages: Array.from({ length: 6 }, (_, i) => ({ value: `v${i}`, partition: 0 })),
      });
      await producer.disconnect();
      await admin.deleteTopicRecords({ topic: 'topic-admin', partitions: [{ partition: 0, offset: '4' }] });
      expect((await admin.fetchTopicOffsets('topic-admin'))[0]).toEqual({
        partition: 0,
        offset: '6',
        high: '6',
        low: '4',
      });
      await admin.disconnect();
    });

    it('shouldDescribeAndAlterTopicConfigsOrSayTheBrokerCannot', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'config-admin' }] });
      if (target.configs === false) {
        // This target does not answer DescribeConfigs/AlterConfigs: the client says so, typed.
        await expect(admin.describeConfigs({ resources: [{ type: 2, name: 'config-admin' }] })).rejects.toMatchObject({
          code: 'UNSUPPORTED_VERSION',
        });
        await admin.disconnect();
        return;
      }
      await admin.alterConfigs({
        resources: [{ type: 2, name: 'config-admin', configEntries: [{ name: 'retention.ms', value: '123456' }] }],
      });
      const { resources } = await admin.describeConfigs({
        resources: [{ type: 2, name: 'config-admin', configNames: ['retention.ms', 'cleanup.policy'] }],
      });
      const entries = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e]));
      expect(entries['retention.ms']).toMatchObject({ configValue: '123456', isDefault: false });
      expect(entries['cleanup.policy']).toMatchObject({ configValue: 'delete', isDefault: true });
      await admin.disconnect();
    });
  });

  describe(`wire compression against ${target.name}`, () => {
    it('shouldSendWithEachOfTheFourCodecsAndReadItBackOverTheWire', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'codecs' }] });
      await admin.disconnect();
      const producer = tributary.producer();
      await producer.connect();
      const codecs = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' } as const;
      for (const [id, name] of Object.entries(codecs)) {
        await producer.send({
          topic: 'codecs',
          compression: Number(id),
          messages: Array.from({ length: 20 }, (_, i) => ({ key: name, value: `${name}-${i}-${'x'.repeat(200)}` })),
        });
      }
      await producer.disconnect();
      const consumer = tributary.consumer({ groupId: 'codecs-reader' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'codecs', fromBeginning: true });
      const seen: string[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => void seen.push(message.value!.toString().split('-x')[0]!),
      });
      for (let i = 0; i < 200 && seen.length < 80; i++) await new Promise((r) => setTimeout(r, 50));
      await consumer.disconnect();
      expect(seen).toEqual(
        Object.values(codecs).flatMap((name) => Array.from({ length: 20 }, (_, i) => `${name}-${i}`)),
      );
    });
  });

  describe(`wire transactions against ${target.name}`, () => {
    /** Values of a topic as a read_committed kafkajs consumer sees them, once `until` holds. */
    async function committedValues(topic: string, until: (values: string[]) => boolean): Promise<string[]> {
      const check = reference.consumer({ groupId: `rc-${topic}-${Math.random()}`, readUncommitted: false });
      await check.connect();
      await check.subscribe({ topic, fromBeginning: true });
      const values: string[] = [];
      await check.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
      for (let i = 0; i < 200 && !until(values); i++) await new Promise((r) => setTimeout(r, 50));
      await check.disconnect();
      return values;
    }

    it('shouldMakeATransactionsRecordsAndOffsetsVisibleOnCommitAndHideAnAbortedOnes', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'txn-out', numPartitions: 2 }] });
      await admin.disconnect();
      const producer = tributary.producer({ transactionalId: 'txn-1' });
      await producer.connect();

      const aborted = await producer.transaction();
      await aborted.send({
        topic: 'txn-out',
        messages: [
          { key: 'a', value: 'aborted-1' },
          { key: 'b', value: 'aborted-2' },
        ],
      });
      await aborted.abort();

      const committed = await producer.transaction();
      await committed.send({
        topic: 'txn-out',
        messages: [
          { key: 'a', value: 'committed-1' },
          { key: 'b', value: 'committed-2' },
        ],
      });
      await committed.sendOffsets({
        consumerGroupId: 'txn-group',
        topics: [{ topic: 'txn-out', partitions: [{ partition: 0, offset: '7' }] }],
      });
      await committed.commit();

      const values = await committedValues('txn-out', (v) => v.length >= 2);
      expect(values.sort()).toEqual(['committed-1', 'committed-2']);

      // Our own consumer (read_committed by default, as kafkajs's) drops the aborted batches too.
      const consumer = tributary.consumer({ groupId: 'txn-reader' });
      await consumer.connect();
      await consumer.subscribe({ topic: 'txn-out', fromBeginning: true });
      const ours: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void ours.push(message.value!.toString()) });
      for (let i = 0; i < 200 && ours.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      await consumer.disconnect();
      expect(ours.sort()).toEqual(['committed-1', 'committed-2']);

      const kadmin = reference.admin();
      await kadmin.connect();
      const offsets = await kadmin.fetchOffsets({ groupId: 'txn-group', topics: ['txn-out'] });
      await kadmin.disconnect();
      expect(offsets[0]!.partitions.find((p) => p.partition === 0)!.offset).toBe('7');
      await producer.disconnect();
    });

    it('shouldFenceTheOlderProducerOfATransactionalId', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'txn-fence' }] });
      await admin.disconnect();
      const first = tributary.producer({ transactionalId: 'txn-fenced' });
      await first.connect();
      const open = await first.transaction();
      await open.send({ topic: 'txn-fence', messages: [{ value: 'zombie' }] });
      const second = tributary.producer({ transactionalId: 'txn-fenced' });
      await second.connect();
      const err = await open.commit().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TributaryError);
      expect((err as TributaryError).code).toBe('PRODUCER_FENCED');
      const txn = await second.transaction();
      await txn.send({ topic: 'txn-fence', messages: [{ value: 'survivor' }] });
      await txn.commit();
      expect(await committedValues('txn-fence', (v) => v.length >= 1)).toEqual(['survivor']);
      await first.disconnect().catch(() => undefined);
      await second.disconnect();
    });
  });

  describe(`Kafka Streams instances over the wire against ${target.name}`, () => {
    it('shouldTellEveryInstanceWhichApplicationServerHoldsEachKey', async () => {
      const admin = tributary.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'iq-clicks', numPartitions: 4 }] });
      await admin.disconnect();
      const keys = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
      // Idempotent: a retry on the new topic's partitions must not write a key twice.
      const producer = reference.producer({ idempotent: true });
      await producer.connect();
      await producer.send({ topic: 'iq-clicks', messages: keys.map((key) => ({ key, value: 'x' })) });
      await producer.disconnect();
      const builder = new StreamsBuilder();
      builder
        .stream('iq-clicks', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
        .groupByKey()
        .count({ materialized: 'iq-counts' });
      const topology = builder.build();
      const clients: Tributary[] = [];
      const instance = (server: string) => {
        const client = new Tributary({ brokers: kafka.bootstrap, clientId: `iq-${server}`, logLevel: 0 });
        clients.push(client);
        return new KafkaStreams(topology, {
          applicationId: 'iq-app',
          tributary: client,
          applicationServer: server,
          heartbeatIntervalMs: 200,
        });
      };
      const a = instance('a:1');
      const b = instance('b:2');
      try {
        await a.start();
        await b.start();
        // The group settles with the four tasks split, and both instances know both servers.
        const deadline = Date.now() + 60_000;
        const settled = () =>
          a.tasks.length + b.tasks.length === 4 &&
          a.tasks.length > 0 &&
          b.tasks.length > 0 &&
          [a, b].every((s) => s.metadataForAllStreamsClients().length === 2);
        while (!settled() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(settled()).toBe(true);
        await a.waitForIdle();
        await b.waitForIdle();
        const byHost = { a, b } as const;
        for (const asking of [a, b]) {
          for (const key of keys) {
            const where = asking.queryMetadataForKey('iq-counts', key, Serdes.String());
            const holder = byHost[where.activeHost.host as 'a' | 'b'];
            expect(holder.store<string, number>('iq-counts').get(key), key).toBe(1);
            expect((holder === a ? b : a).store<string, number>('iq-counts').get(key), key).toBeNull();
          }
        }
      } finally {
        await a.close();
        await b.close();
        for (const client of clients) await client.close();
      }
    });
  });
}
