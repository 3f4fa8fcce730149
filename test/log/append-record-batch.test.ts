import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { type BatchInput, decodeRecordBatch, encodeRecordBatch, readBatchHeader } from '../../src/protocol/index.ts';

let log: EmbeddedLogBackend;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 't', numPartitions: 1 });
});
afterEach(() => log.close());

function batch(values: (string | null)[], extra: Partial<BatchInput> = {}): Uint8Array {
  return encodeRecordBatch({
    baseOffset: 0,
    records: values.map((v, i) => ({
      key: v === null ? null : Buffer.from(`k${i}`),
      value: v === null ? null : Buffer.from(v),
      timestamp: 1000 + i,
    })),
    ...extra,
  });
}

describe('EmbeddedLog.appendRecordBatch', () => {
  it('should store the bytes as sent, with only the base offset patched', async () => {
    await log.append('t', 0, [{ key: null, value: Buffer.from('first') }]);
    const sent = batch(['a', 'b'], { compression: 'gzip' });
    const result = await log.appendRecordBatch('t', 0, sent);
    expect([result.baseOffset, result.lastOffset]).toEqual([1, 2]);
    const [, stored] = await log.readBatches('t', 0, 0);
    expect(Buffer.from(stored!.bytes.subarray(8))).toEqual(Buffer.from(sent.subarray(8)));
    expect(readBatchHeader(stored!.bytes).baseOffset).toBe(1);
    expect(decodeRecordBatch(stored!.bytes).records.map((r) => [r.offset, Buffer.from(r.value!).toString()])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it("should leave the caller's buffer as it was, unless it is handed over, which stores it without a copy", async () => {
    await log.append('t', 0, [{ key: null, value: Buffer.from('first') }]);
    const kept = batch(['a']);
    const before = Buffer.from(kept);
    await log.appendRecordBatch('t', 0, kept);
    expect(Buffer.from(kept)).toEqual(before);
    const given = batch(['b']);
    await log.appendRecordBatch('t', 0, given, { handOver: true });
    expect(readBatchHeader(given).baseOffset).toBe(2);
    const stored = await log.readBatches('t', 0, 1);
    expect(stored.map((b) => readBatchHeader(b.bytes).baseOffset)).toEqual([1, 2]);
    expect(stored[1]!.bytes).toBe(given);
    expect(Buffer.from(stored[0]!.bytes.subarray(8))).toEqual(before.subarray(8));
  });

  it('should answer a retried idempotent batch with its first offsets and refuse a gap in sequence numbers', async () => {
    const { producerId, producerEpoch } = await log.initProducerId();
    const stamp = { producerId, producerEpoch };
    const first = await log.appendRecordBatch('t', 0, batch(['a', 'b'], { ...stamp, baseSequence: 0 }));
    const again = await log.appendRecordBatch('t', 0, batch(['a', 'b'], { ...stamp, baseSequence: 0 }));
    expect(again.baseOffset).toBe(first.baseOffset);
    await expect(log.appendRecordBatch('t', 0, batch(['c'], { ...stamp, baseSequence: 5 }))).rejects.toMatchObject({
      code: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    });
    expect(log.offsets('t', 0).highWatermark).toBe(2);
  });

  it('should refuse, appending nothing, a bad CRC, a control batch, a keyless record on a compacted topic and a batch over max.message.bytes', async () => {
    const bad = Buffer.from(batch(['x']));
    bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 1, bad.length - 1);
    await expect(log.appendRecordBatch('t', 0, bad)).rejects.toMatchObject({ code: 'CORRUPT_MESSAGE' });
    await log.createTopic({ topic: 'compacted', configs: { 'cleanup.policy': 'compact', 'max.message.bytes': 200 } });
    await expect(log.appendRecordBatch('compacted', 0, batch([null]))).rejects.toMatchObject({
      code: 'INVALID_RECORD',
    });
    await expect(log.appendRecordBatch('compacted', 0, batch(['y'.repeat(300)]))).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    });
    await expect(log.appendRecordBatch('t', 0, Buffer.concat([batch(['a']), batch(['b'])]))).rejects.toMatchObject({
      code: 'CORRUPT_MESSAGE',
    });
    expect(log.offsets('t', 0).highWatermark).toBe(0);
    expect(log.offsets('compacted', 0).highWatermark).toBe(0);
  });

  it("should recompress when the topic's compression.type names another codec", async () => {
    await log.createTopic({ topic: 'gz', configs: { 'compression.type': 'gzip' } });
    await log.appendRecordBatch('gz', 0, batch(['plain']));
    const [stored] = await log.readBatches('gz', 0, 0);
    expect(readBatchHeader(stored!.bytes).compression).toBe('gzip');
    expect(Buffer.from(decodeRecordBatch(stored!.bytes).records[0]!.value!).toString()).toBe('plain');
  });
});
