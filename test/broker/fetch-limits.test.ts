/**
 * Fetch's byte limits as Kafka's broker applies them (KIP-74, ReplicaManager.readFromLog): each
 * partition gets at most its `partitionMaxBytes` and what is left of the response's `maxBytes`,
 * except that the first partition with records always gets its first batch, however large.
 * Tributary sends whole batches only (Kafka cuts the last one short; clients drop the piece).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../src/broker/index.ts';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { decodeRecordBatch } from '../../src/protocol/index.ts';
import type { FetchRequest } from '../../src/protocol/messages/fetch.ts';
import { API } from '../../src/protocol/messages/index.ts';
import type { Input } from '../../src/protocol/wire/schema.ts';
import { RawClient } from './raw-client.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let client: RawClient;
/** The stored size of each batch appended by {@link fill} (all alike). */
let batchBytes: number;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 2 });
  broker = await serve({ log, port: 0, logLevel: 0, groupInitialRebalanceDelayMs: 0 });
  client = await RawClient.connect(broker.address().port);
  for (const partition of [0, 1])
    for (let i = 0; i < 3; i++) await log.append('t', partition, [{ key: null, value: Buffer.alloc(1000, i) }]);
  batchBytes = (await log.readBatches('t', 0, 0, { maxBytes: 1 }))[0]!.bytes.length;
});

afterEach(async () => {
  client.close();
  await broker.close();
  await log.close();
});

function fetchRequest(maxBytes: number, partitionMaxBytes: number, partitions = [0, 1]): Input<FetchRequest> {
  return {
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: 't',
        topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
        partitions: partitions.map((partition) => ({ partition, fetchOffset: 0, partitionMaxBytes })),
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** The base offsets of the batches each partition of the answer carries. */
async function fetched(request: Input<FetchRequest>): Promise<number[][]> {
  const res = await client.request(API.Fetch, 12, request);
  return res.responses[0]!.partitions.map((p) => {
    const out: number[] = [];
    const records = p.records ?? Buffer.alloc(0);
    for (let pos = 0; pos < records.length; ) {
      const size = 12 + records.readInt32BE(pos + 8);
      out.push(decodeRecordBatch(records.subarray(pos, pos + size)).baseOffset);
      pos += size;
    }
    return out;
  });
}

describe('Fetch byte limits', () => {
  it('should give a partition only the batches that fit in its partitionMaxBytes', async () => {
    expect(await fetched(fetchRequest(1 << 20, 2 * batchBytes - 1))).toEqual([
      [0],
      [0],
    ]);
    expect(await fetched(fetchRequest(1 << 20, 2 * batchBytes))).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('should give the first partition its first batch even when it is larger than both limits', async () => {
    expect(await fetched(fetchRequest(10, 10, [0]))).toEqual([[0]]);
  });

  it('should give a later partition nothing when its first batch does not fit in what is left of the response', async () => {
    expect(await fetched(fetchRequest(2 * batchBytes + 10, 1 << 20))).toEqual([[0, 1], []]);
    expect(await fetched(fetchRequest(3 * batchBytes, 1 << 20))).toEqual([[0, 1, 2], []]);
    expect(await fetched(fetchRequest(4 * batchBytes, 1 << 20))).toEqual([[0, 1, 2], [0]]);
  });
});
