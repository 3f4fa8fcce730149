import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { type EmbeddedLogBackend, openLog, type WriteOptions } from '../../src/log/index.ts';
import { encodeRecordBatch } from '../../src/protocol/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from './raw-client.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let client: RawClient;
let handedOver: boolean[];

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 1 });
  handedOver = [];
  const append = log.appendRecordBatch.bind(log);
  log.appendRecordBatch = (
    topic: string,
    partition: number,
    batch: Uint8Array,
    options?: WriteOptions & { handOver?: boolean },
  ) => {
    handedOver.push(options?.handOver === true);
    return append(topic, partition, batch, options);
  };
  broker = await serve({ log, port: 0, logLevel: 0 });
  client = await RawClient.connect(broker.address().port);
});

afterEach(async () => {
  client.close();
  await broker.close();
  await log.close();
});

function produceFrame(value: Buffer): Buffer {
  const batch = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value, timestamp: 1 }] });
  return client.frame(API.Produce, 9, {
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from(batch) }] }],
  });
}

describe('Produce hands large batches to the log without a copy', () => {
  it('should hand over a batch that came in a frame of its own, and copy small ones out of a shared chunk', async () => {
    const large = Buffer.alloc(300_000, 9);
    const answers = Promise.all([1, 2, 3].map(() => client.expect((frame) => frame)));
    // Two small frames in one write share a chunk; the large one spans many and is assembled alone.
    client.write(Buffer.concat([produceFrame(Buffer.from('a')), produceFrame(Buffer.from('b'))]));
    client.write(produceFrame(large));
    await answers;
    expect(handedOver).toEqual([false, false, true]);
    const read = await log.read('t', 0, 0, { maxBytes: 1 << 20 });
    expect(read.records.map((r) => Buffer.from(r.value!).length)).toEqual([1, 1, large.length]);
    expect(Buffer.from(read.records[2]!.value!).equals(large)).toBe(true);
    expect(read.records.map((r) => r.offset)).toEqual([0, 1, 2]);
  });
});
