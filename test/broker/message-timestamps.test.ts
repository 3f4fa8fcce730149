/**
 * `message.timestamp.type=LogAppendTime` through the broker: set by a real client's CreateTopics,
 * answered in Produce's `log_append_time_ms`, seen by a consumer, and a producer's batch that
 * claims LogAppendTime refused with Kafka's INVALID_TIMESTAMP (32).
 */
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { encodeRecordBatch } from '../../src/protocol/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from './raw-client.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const NOW = 1_700_000_000_000;
const CREATED = NOW - 86_400_000;

let log: EmbeddedLogBackend;
let broker: Broker;
let kafka: Kafka;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock: new ManualClock(NOW) });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0 });
  kafka = new Kafka({
    clientId: 'lat',
    brokers: [`127.0.0.1:${broker.address().port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
  });
});

afterEach(async () => {
  await broker.close();
  await log.close();
});

describe('message.timestamp.type over the wire, with kafkajs 2.2.4', () => {
  it('should create a LogAppendTime topic, answer its append time and hand consumers records stamped with it', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'stamped', configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }],
    });
    await admin.createTopics({ topics: [{ topic: 'created' }] });
    const described = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'stamped', configNames: ['message.timestamp.type'] }],
      includeSynonyms: false,
    });
    expect(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue, e.isDefault])).toEqual([
      ['message.timestamp.type', 'LogAppendTime', false],
    ]);
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    const messages = [{ value: 'a', timestamp: String(CREATED) }];
    const [stamped] = await producer.send({ topic: 'stamped', messages });
    const [created] = await producer.send({ topic: 'created', messages });
    await producer.disconnect();
    expect(stamped!.logAppendTime).toBe(String(NOW));
    expect(created!.logAppendTime).toBe('-1');

    const consumer = kafka.consumer({ groupId: 'g', maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['stamped', 'created'], fromBeginning: true });
    const seen = new Map<string, string>();
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ topic, message }) => {
          seen.set(topic, message.timestamp);
          if (seen.size === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(Object.fromEntries(seen)).toEqual({ stamped: String(NOW), created: String(CREATED) });
  });

  it("should refuse a record outside the topic's timestamp bounds with INVALID_TIMESTAMP and a record error naming it", async () => {
    await log.createTopic({ topic: 'bounded', configs: { 'message.timestamp.after.max.ms': 60_000 } });
    const client = await RawClient.connect(broker.address().port);
    try {
      const batch = encodeRecordBatch({
        baseOffset: 0,
        records: [
          { key: null, value: Buffer.from('now'), timestamp: NOW },
          { key: null, value: Buffer.from('later'), timestamp: NOW + 60_001 },
        ],
      });
      const produced = await client.request(API.Produce, 9, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [{ name: 'bounded', partitionData: [{ index: 0, records: Buffer.from(batch) }] }],
      });
      const answer = produced.responses[0]!.partitionResponses[0]!;
      expect(answer.errorCode).toBe(32);
      expect(answer.recordErrors.map((e) => e.batchIndex)).toEqual([1]);
      expect(answer.recordErrors[0]!.batchIndexErrorMessage).toMatch(
        /Timestamp 1700000060001 of record 1 is out of range/,
      );
      expect(log.offsets('bounded', 0).highWatermark).toBe(0);
      const described = await client.request(API.DescribeConfigs, 4, {
        resources: [
          {
            resourceType: 2,
            resourceName: 'bounded',
            configurationKeys: ['message.timestamp.after.max.ms', 'message.timestamp.type'],
          },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      });
      // As Kafka describes them: a STRING default (source 5) and a LONG topic override (source 1).
      expect(described.results[0]!.configs.map((c) => [c.name, c.value, c.configType, c.configSource])).toEqual([
        ['message.timestamp.type', 'CreateTime', 2, 5],
        ['message.timestamp.after.max.ms', '60000', 5, 1],
      ]);
    } finally {
      client.close();
    }
    const producer = kafka.producer();
    await producer.connect();
    const refused = await producer
      .send({ topic: 'bounded', messages: [{ value: 'x', timestamp: String(NOW + 120_000) }] })
      .catch((e: unknown) => e);
    await producer.disconnect();
    expect(refused).toMatchObject({ type: 'INVALID_TIMESTAMP' });
  });

  it('should refuse a produced batch marked LogAppendTime with INVALID_TIMESTAMP and append nothing', async () => {
    await log.createTopic({ topic: 't' });
    const client = await RawClient.connect(broker.address().port);
    try {
      const batch = encodeRecordBatch({
        baseOffset: 0,
        records: [{ key: null, value: Buffer.from('x'), timestamp: CREATED }],
        timestampType: 'LogAppendTime',
        logAppendTime: CREATED,
      });
      const produced = await client.request(API.Produce, 9, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 1000,
        topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from(batch) }] }],
      });
      const answer = produced.responses[0]!.partitionResponses[0]!;
      expect([answer.errorCode, answer.logAppendTimeMs]).toEqual([32, -1]);
      expect(log.offsets('t', 0).highWatermark).toBe(0);
    } finally {
      client.close();
    }
  });
});
