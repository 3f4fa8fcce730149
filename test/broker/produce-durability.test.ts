import { afterEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { type EmbeddedLogBackend, openLog, type WriteOptions } from '../../src/log/index.ts';
import { encodeRecordBatch } from '../../src/protocol/index.ts';
import { API } from '../../src/protocol/messages/index.ts';
import { RawClient } from './raw-client.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let client: RawClient;

afterEach(async () => {
  client.close();
  await broker.close();
  await log.close();
});

/** A broker over a memory log whose raw appends record the `sync` they were asked for. */
async function start(fsyncOnAcksAll?: boolean): Promise<boolean[]> {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 1 });
  const syncs: boolean[] = [];
  const append = log.appendRecordBatch.bind(log);
  log.appendRecordBatch = (topic: string, partition: number, batch: Uint8Array, options?: WriteOptions) => {
    syncs.push(options?.sync === true);
    return append(topic, partition, batch, options);
  };
  broker = await serve({ log, port: 0, logLevel: 0, ...(fsyncOnAcksAll === undefined ? {} : { fsyncOnAcksAll }) });
  client = await RawClient.connect(broker.address().port);
  return syncs;
}

async function produce(acks: number, value: string): Promise<number> {
  const batch = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from(value), timestamp: 1 }] });
  const response = await client.request(API.Produce, 9, {
    transactionalId: null,
    acks,
    timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from(batch) }] }],
  });
  const answer = response.responses[0]!.partitionResponses[0]!;
  expect(answer.errorCode).toBe(0);
  return answer.baseOffset;
}

describe('Produce durability: fsyncOnAcksAll (trib serve --no-fsync)', () => {
  it('should fsync acks=-1 and not acks=1 by default', async () => {
    const syncs = await start();
    expect(await produce(-1, 'a')).toBe(0);
    expect(await produce(1, 'b')).toBe(1);
    expect(syncs).toEqual([true, false]);
  });

  it('should answer acks=-1 without fsync, as Kafka does, when fsyncOnAcksAll is false', async () => {
    const syncs = await start(false);
    expect(await produce(-1, 'a')).toBe(0);
    expect(await produce(1, 'b')).toBe(1);
    expect(syncs).toEqual([false, false]);
    const read = await log.read('t', 0, 0);
    expect(read.records.map((r) => Buffer.from(r.value!).toString())).toEqual(['a', 'b']);
  });
});
