import { describe, expect, it } from 'vitest';
import { type PartitionAssignor, PartitionAssigners } from '../../src/index.ts';
import { memoryTributary, until } from './helpers.ts';

describe('consumer events kafkajs emits', () => {
  it('should emit FETCH_START before a fetch and name its round-robin protocol as kafkajs', async () => {
    const { tributary } = memoryTributary();
    const producer = tributary.producer();
    await producer.connect();
    await producer.send({ topic: 't', messages: [{ value: 'a' }] });
    const consumer = tributary.consumer({ groupId: 'g' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['t'], fromBeginning: true });
    const events: string[] = [];
    consumer.on(consumer.events.FETCH_START, ({ type, payload }) => events.push(`${type}:${payload.nodeId}`));
    consumer.on(consumer.events.FETCH, ({ type }) => events.push(type));
    let protocol = '';
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      protocol = payload.groupProtocol;
    });
    await consumer.run({ eachMessage: async () => undefined });
    await until(() => events.includes('consumer.fetch'), 'a fetch');
    expect(events.slice(0, 2)).toEqual(['consumer.fetch_start:0', 'consumer.fetch']);
    expect(protocol).toBe(PartitionAssigners.roundRobin.name);
    expect(protocol).toBe('RoundRobinAssigner');
    await tributary.close();
  });

  it('should emit RECEIVED_UNSUBSCRIBED_TOPICS and leave alone partitions of topics the member did not subscribe to', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'mine' }, { topic: 'other' }] });
    // A leader's assignor that deals every topic to every member, as kafkajs's round-robin can.
    const everything: PartitionAssignor = {
      name: 'everything',
      rebalanceProtocol: 'eager',
      assign: (members) => new Map(members.map((m) => [m.memberId, { mine: [0], other: [0] }])),
    };
    const consumer = tributary.consumer({ groupId: 'g', partitionAssigners: [everything] });
    await consumer.connect();
    await consumer.subscribe({ topics: ['mine'] });
    const received: unknown[] = [];
    consumer.on(consumer.events.RECEIVED_UNSUBSCRIBED_TOPICS, ({ payload }) => received.push(payload));
    await consumer.run({ eachMessage: async () => undefined });
    expect(received).toEqual([
      expect.objectContaining({
        groupId: 'g',
        assignedTopics: ['mine', 'other'],
        topicsSubscribed: ['mine'],
        topicsNotSubscribed: ['other'],
      }),
    ]);
    expect(consumer.assignment()).toEqual([{ topic: 'mine', partitions: [0] }]);
    await tributary.close();
  });
});
