import { describe, expect, it } from 'vitest';
import {
  KafkaJSDeleteTopicRecordsError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSOffsetOutOfRange,
  KafkaJSProtocolError,
  KafkaJSTopicMetadataNotLoaded,
  TributaryError,
} from '../../src/index.ts';
import { memoryTributary } from './helpers.ts';

describe("kafkajs's error classes", () => {
  it('should catch a missing topic as a retriable KafkaJSProtocolError with Kafka type and number', async () => {
    const { tributary } = memoryTributary();
    const producer = tributary.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const err = await producer.send({ topic: 'missing', messages: [{ value: 'v' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TributaryError);
    expect(err).toBeInstanceOf(KafkaJSError);
    expect(err).toBeInstanceOf(KafkaJSProtocolError);
    expect(err).not.toBeInstanceOf(KafkaJSNonRetriableError);
    expect(err).toMatchObject({
      code: 'UNKNOWN_TOPIC_OR_PARTITION',
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
      retriable: true,
    });
    expect(new KafkaJSProtocolError(err as TributaryError).errorCode).toBe(3);
    await tributary.close();
  });

  it('should check every partition before deleting any records, refusing an offset past the end as kafkajs', async () => {
    const { tributary } = memoryTributary();
    const admin = tributary.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 't', numPartitions: 2 }] });
    const producer = tributary.producer();
    await producer.connect();
    await producer.send({
      topic: 't',
      messages: [
        { value: 'a', partition: 0 },
        { value: 'b', partition: 1 },
      ],
    });
    // Partition 0 is fine, partition 1 is asked past its end: nothing is deleted, anywhere.
    const err = await admin
      .deleteTopicRecords({
        topic: 't',
        partitions: [
          { partition: 0, offset: '1' },
          { partition: 1, offset: '5' },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaJSDeleteTopicRecordsError);
    expect((err as KafkaJSDeleteTopicRecordsError).partitions.map((p) => p.partition)).toEqual([1]);
    expect((await admin.fetchTopicOffsets('t')).map((o) => o.low)).toEqual(['0', '0']);
    expect(err).toBeInstanceOf(KafkaJSOffsetOutOfRange);
    expect(err).toBeInstanceOf(KafkaJSNonRetriableError);
    expect((err as TributaryError).retriable).toBe(false);
    await tributary.close();
  });

  it("should construct kafkajs's classes as kafkajs programs do, each a TributaryError with a code", () => {
    const plain = new KafkaJSError('The group is rebalancing');
    expect([plain.name, plain.retriable, plain.code, plain instanceof TributaryError]).toEqual([
      'KafkaJSError',
      true,
      'KAFKAJS_ERROR',
      true,
    ]);
    const wrapped = new KafkaJSError(new Error('💣'), { retriable: false });
    expect([wrapped.message, wrapped.retriable]).toEqual(['💣', false]);
    const notLoaded = new KafkaJSTopicMetadataNotLoaded('Topic metadata not loaded', { topic: 't' });
    expect([notLoaded.name, notLoaded.topic, notLoaded instanceof KafkaJSError]).toEqual([
      'KafkaJSTopicMetadataNotLoaded',
      't',
      true,
    ]);
    expect(new KafkaJSOffsetOutOfRange(new Error('x'), { topic: 't', partition: 1 }).partition).toBe(1);
  });
});
