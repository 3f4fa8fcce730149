/**
 * Scale-out is Kafka's, and tested: on three KRaft brokers with topics of replication factor 3, the
 * broker leading a partition is SIGKILLed while an idempotent producer (acks -1) keeps sending and a
 * Tributary group consumer reads. Both follow the new leaders (and the consumer a moved coordinator);
 * every acknowledged record is in the topic exactly once (read back with kafkajs), and the consumer
 * saw every one of them.
 */
import { Kafka, logLevel as kafkajsLogLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tributary } from '../../../src/index.ts';
import { type KafkaCluster, startKafka } from './cluster.ts';

let kafka: KafkaCluster;

beforeAll(async () => {
  kafka = await startKafka({
    nodes: 3,
    // A killed broker is declared dead after its session times out: keep that short for the test.
    config: { 'broker.session.timeout.ms': 3000, 'broker.heartbeat.interval.ms': 500, 'min.insync.replicas': 2 },
  });
  console.log(
    `Kafka ${kafka.version}, 3 nodes: format ${kafka.timings.formatMs} ms, ready ${kafka.timings.readyMs} ms`,
  );
});
afterAll(() => kafka?.stop());

describe('a leader killed under an idempotent producer', () => {
  it('shouldFollowTheNewLeadersAndLoseOrDuplicateNothingAcknowledged', async () => {
    const tributary = new Tributary({
      brokers: kafka.bootstrap,
      clientId: 'failover',
      retry: { retries: 12, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'failover', numPartitions: 3, replicationFactor: 3 }] });
    const before = await admin.fetchTopicMetadata({ topics: ['failover'] });
    const victim = before.topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;

    const consumer = tributary.consumer({ groupId: 'failover-group', sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'failover', fromBeginning: true });
    const consumed = new Set<string>();
    await consumer.run({
      eachMessage: async ({ message }) => {
        consumed.add(message.value!.toString());
      },
    });

    const producer = tributary.producer({ idempotent: true, retry: { retries: 12 } });
    await producer.connect();
    const acknowledged: string[] = [];
    let killed = false;
    for (let round = 0; round < 60; round++) {
      const messages = Array.from({ length: 10 }, (_, i) => ({
        key: `k${(round * 10 + i) % 17}`,
        value: `r${round}-${i}`,
      }));
      await producer.send({ topic: 'failover', acks: -1, messages });
      acknowledged.push(...messages.map((m) => m.value));
      if (round === 20) {
        await kafka.kill(victim);
        killed = true;
      }
    }
    expect(killed).toBe(true);
    // The consumer gets every acknowledged record (at least once: a rebalance may repeat some).
    for (let i = 0; i < 600 && acknowledged.some((v) => !consumed.has(v)); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(acknowledged.filter((v) => !consumed.has(v))).toEqual([]);
    await consumer.disconnect();
    const after = await admin.fetchTopicMetadata({ topics: ['failover'] });
    expect(after.topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader).not.toBe(victim);

    const reference = new Kafka({
      brokers: kafka.bootstrap.filter((_, i) => kafka.nodes[i]!.nodeId !== victim),
      logLevel: kafkajsLogLevel.NOTHING,
    });
    const check = reference.consumer({ groupId: 'failover-check' });
    await check.connect();
    await check.subscribe({ topic: 'failover', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      check
        .run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.length >= acknowledged.length) resolve();
          },
        })
        .catch(reject);
    });
    await check.disconnect();
    expect(seen.length).toBe(acknowledged.length);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...acknowledged].sort());
    const high = await admin.fetchTopicOffsets('failover');
    expect(high.reduce((n, p) => n + Number(p.high), 0)).toBe(acknowledged.length);
    await producer.disconnect();
    await admin.disconnect();
  });
});
