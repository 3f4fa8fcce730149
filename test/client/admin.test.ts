import { describe, expect, it } from 'vitest';
import { ConfigResourceTypes, ConfigSource } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

describe('Admin', () => {
  it('should create, list, describe and delete topics with kafkajs shapes when asked', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    expect(
      await admin.createTopics({
        topics: [{ topic: 'a', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '1000' }] }],
      }),
    ).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'a' }] })).toBe(false);
    expect(await admin.listTopics()).toEqual(['a']);
    const meta = await admin.fetchTopicMetadata({ topics: ['a'] });
    expect(meta.topics[0]!.partitions.map((p) => p.partitionId)).toEqual([0, 1]);
    const configs = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'a', configNames: ['retention.ms', 'cleanup.policy'] }],
      includeSynonyms: false,
    });
    expect(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue, e.configSource])).toEqual([
      ['retention.ms', '1000', ConfigSource.TOPIC_CONFIG],
      ['cleanup.policy', 'delete', ConfigSource.DEFAULT_CONFIG],
    ]);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: 'a', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
    const after = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'a', configNames: ['cleanup.policy'] }],
      includeSynonyms: false,
    });
    expect(after.resources[0]!.configEntries[0]!.configValue).toBe('compact');
    await admin.deleteTopics({ topics: ['a'] });
    expect(await admin.listTopics()).toEqual([]);
    await admin.disconnect();
  });

  it('should grow a topic with createPartitions and have a subscribed group consume the new partitions', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 2 }] });
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'grow', fromBeginning: true });
    const seen: string[] = [];
    await consumer.run({
      eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.value}`),
    });
    const assigned = () =>
      consumer
        .assignment()
        .flatMap((t) => t.partitions)
        .sort();
    await until(() => assigned().length === 2, 'two partitions');

    await expect(admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] })).rejects.toMatchObject({
      code: 'INVALID_PARTITIONS',
    });
    expect(await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'grow', count: 4 }] })).toBe(
      true,
    );
    expect((await admin.fetchTopicMetadata({ topics: ['grow'] })).topics[0]!.partitions).toHaveLength(2);

    expect(await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 4 }] })).toBe(true);
    expect(
      (await admin.fetchTopicMetadata({ topics: ['grow'] })).topics[0]!.partitions.map((p) => p.partitionId),
    ).toEqual([0, 1, 2, 3]);
    await until(() => assigned().length === 4, 'four partitions after the rebalance');
    expect(assigned()).toEqual([0, 1, 2, 3]);

    const producer = tributary.producer();
    await producer.connect();
    await producer.send({ topic: 'grow', messages: [{ value: 'new', partition: 3 }] });
    await until(() => seen.length === 1, 'the record on the new partition');
    expect(seen).toEqual(['3:new']);
    await producer.disconnect();
    await consumer.disconnect();
    await admin.disconnect();
  });

  it('should move the low watermark with deleteTopicRecords, "-1" meaning the high watermark', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'r', numPartitions: 2 }] });
    const producer = tributary.producer();
    await producer.connect();
    await producer.send({ topic: 'r', messages: ['a', 'b', 'c'].map((value) => ({ value, partition: 0 })) });
    await producer.send({ topic: 'r', messages: [{ value: 'x', partition: 1 }] });
    await admin.deleteTopicRecords({
      topic: 'r',
      partitions: [
        { partition: 0, offset: '2' },
        { partition: 1, offset: '-1' },
      ],
    });
    const offsets = await admin.fetchTopicOffsets('r');
    expect(offsets.map((o) => [o.partition, o.low, o.high])).toEqual([
      [0, '2', '3'],
      [1, '1', '1'],
    ]);
    await expect(
      admin.deleteTopicRecords({ topic: 'r', partitions: [{ partition: 0, offset: '9' }] }),
    ).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should report offsets, offsets by timestamp and lag when records and commits exist', async () => {
    const { tributary, clock } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 't' }] });
    const producer = tributary.producer();
    await producer.connect();
    const t0 = clock.now();
    await producer.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] });
    clock.advance(1_000);
    await producer.send({ topic: 't', messages: [{ value: 'c' }] });
    expect(await admin.fetchTopicOffsets('t')).toEqual([{ partition: 0, offset: '3', high: '3', low: '0' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp('t', t0 + 500)).toEqual([{ partition: 0, offset: '2' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp('t', t0 + 5_000)).toEqual([{ partition: 0, offset: '3' }]);
    await admin.setOffsets({ groupId: 'g', topic: 't', partitions: [{ partition: 0, offset: '1' }] });
    expect(await admin.fetchConsumerLag({ groupId: 'g' })).toEqual([
      { topic: 't', partitions: [{ partition: 0, offset: '1', high: '3', low: '0', lag: '2' }] },
    ]);
    // kafkajs's sentinels: -1 the end, -2 the log start (the consumer resolves them when it starts).
    await admin.resetOffsets({ groupId: 'g', topic: 't', earliest: false });
    expect((await admin.fetchOffsets({ groupId: 'g', topics: ['t'] }))[0]!.partitions[0]!.offset).toBe('-1');
    await admin.resetOffsets({ groupId: 'g', topic: 't', earliest: true });
    expect((await admin.fetchOffsets({ groupId: 'g', topics: ['t'] }))[0]!.partitions[0]!.offset).toBe('-2');
    await producer.disconnect();
    await admin.disconnect();
  });

  it('should describe a running group and fail deleteGroups with GROUP_ID_NOT_FOUND when the group is unknown', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 't', numPartitions: 2 }] });
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'] });
    await consumer.run({ eachMessage: async () => undefined });
    await until(() => consumer.assignment().length === 1);
    const { groups } = await admin.describeGroups(['g', 'nope']);
    expect(groups[0]).toMatchObject({
      groupId: 'g',
      state: 'Stable',
      protocol: 'RoundRobinAssigner',
      protocolType: 'consumer',
    });
    expect(groups[0]!.members).toHaveLength(1);
    expect(groups[1]!.state).toBe('Dead');
    await expect(admin.deleteGroups(['nope'])).rejects.toMatchObject({ code: 'GROUP_ID_NOT_FOUND' });
    await consumer.disconnect();
    await admin.disconnect();
  });
});
