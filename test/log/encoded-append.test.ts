import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AppendRecord, type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { decodeRecordBatch, RecordBatchBuilder } from '../../src/protocol/index.ts';

let log: EmbeddedLogBackend;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
});
afterEach(() => log.close());

function encoded(records: AppendRecord[]) {
  const builder = new RecordBatchBuilder();
  for (const r of records) builder.append(r.key, r.value, r.timestamp!);
  return {
    bytes: builder.build(),
    count: builder.count,
    maxTimestamp: builder.maxTimestamp,
    hasNullKey: builder.hasNullKey,
  };
}

const records = (n: number, key = true): AppendRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    key: key ? Buffer.from(`k${i}`) : null,
    value: Buffer.from(`v${i}`),
    timestamp: 1000 + i,
  }));

describe('a write with records already encoded (PartitionAppend.encoded)', () => {
  it('stores the batch as encoded, in the same atomic write as plain appends', async () => {
    await log.createTopic({ topic: 'a', numPartitions: 1 });
    await log.createTopic({ topic: 'b', numPartitions: 1 });
    await log.append('a', 0, records(1));
    const mine = records(3);
    const batch = encoded(mine);
    const results = await log.write([
      { topic: 'a', partition: 0, records: mine, encoded: batch },
      { topic: 'b', partition: 0, records: records(2) },
    ]);
    expect(results.map((r) => [r.topic, r.baseOffset, r.lastOffset])).toEqual([
      ['a', 1, 3],
      ['b', 0, 1],
    ]);
    const [, stored] = await log.readBatches('a', 0, 0);
    expect(Buffer.from(stored!.bytes.subarray(8)).equals(Buffer.from(batch.bytes.subarray(8)))).toBe(true);
    const read = await log.read('a', 0, 0);
    expect(read.records.map((r) => [r.offset, r.timestamp, Buffer.from(r.value!).toString()])).toEqual([
      [0, 1000, 'v0'],
      [1, 1000, 'v0'],
      [2, 1001, 'v1'],
      [3, 1002, 'v2'],
    ]);
  });

  it('does not read the records of a batch it stores as encoded', async () => {
    await log.createTopic({ topic: 'a', numPartitions: 1 });
    const batch = encoded(records(2));
    const append = {
      topic: 'a',
      partition: 0,
      encoded: batch,
      get records(): AppendRecord[] {
        throw new Error('records read');
      },
    };
    const [result] = await log.write([append]);
    expect([result!.baseOffset, result!.lastOffset]).toEqual([0, 1]);
  });

  it('encodes the records itself where the topic compresses, and refuses null keys on a compacted topic', async () => {
    await log.createTopic({ topic: 'z', numPartitions: 1, configs: { 'compression.type': 'gzip' } });
    await log.createTopic({ topic: 'c', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } });
    const mine = records(2);
    await log.write([{ topic: 'z', partition: 0, records: mine, encoded: encoded(mine) }]);
    const [stored] = await log.readBatches('z', 0, 0);
    expect(decodeRecordBatch(stored!.bytes).compression).toBe('gzip');
    const keyless = records(2, false);
    await expect(
      log.write([{ topic: 'c', partition: 0, records: keyless, encoded: encoded(keyless) }]),
    ).rejects.toMatchObject({ code: 'INVALID_RECORD' });
  });

  it('checks max.message.bytes against the encoded batch', async () => {
    await log.createTopic({ topic: 's', numPartitions: 1, configs: { 'max.message.bytes': 100 } });
    const mine = records(20);
    await expect(
      log.write([{ topic: 's', partition: 0, records: mine, encoded: encoded(mine) }]),
    ).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    });
  });
});
