/**
 * `message.timestamp.type` and the timestamp bounds, ported from Kafka's LogValidatorTest (testLogAppendTimeNonCompressedV2,
 * testLogAppendTimeWithoutRecompressionV2, testLogAppendTimeWithRecompressionV2,
 * testInvalidTimestampTypeV2…) as observable outcomes: what a reader of the log sees after the
 * append, what the append answers, and what retention and lookups by time go by.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { TributaryError } from '../../src/errors.ts';
import type { AppendRecord, EmbeddedLogBackend } from '../../src/log/index.ts';
import { openLog } from '../../src/log/index.ts';
import { type BatchInput, decodeRecordBatch, encodeRecordBatch, readBatchHeader } from '../../src/protocol/index.ts';
import { code } from './error-code.ts';

const DAY = 24 * 3600_000;
const NOW = 1_700_000_000_000;
/** What the producers below stamp their records with: a month before the log's clock. */
const CREATED = NOW - 30 * DAY;

let log: EmbeddedLogBackend | undefined;
let clock: ManualClock;
afterEach(async () => {
  await log?.close();
  log = undefined;
});

async function open(): Promise<EmbeddedLogBackend> {
  clock = new ManualClock(NOW);
  log = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0 });
  return log;
}

function records(n: number, from = CREATED): (AppendRecord & { timestamp: number })[] {
  return Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`v${i}`),
    timestamp: from + i,
  }));
}

function produced(n: number, extra: Partial<BatchInput> = {}): Uint8Array {
  return encodeRecordBatch({ baseOffset: 0, records: records(n), ...extra });
}

/** The stored batches of t-0: header and records as a consumer decodes them (the CRC checked). */
async function stored(
  l: EmbeddedLogBackend,
): Promise<{ header: ReturnType<typeof readBatchHeader>; times: number[] }[]> {
  const batches = await l.readBatches('t', 0, 0, { maxBytes: 1 << 20 });
  return batches.map((b) => ({
    header: readBatchHeader(b.bytes),
    times: decodeRecordBatch(b.bytes).records.map((r) => r.timestamp),
  }));
}

describe('message.timestamp.type=LogAppendTime', () => {
  it('should stamp an uncompressed produced batch with the append time, in place (testLogAppendTimeNonCompressedV2)', async () => {
    const l = await open();
    await l.createTopic({ topic: 't', configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const result = await l.appendRecordBatch('t', 0, produced(3));
    expect(result.logAppendTime).toBe(NOW);
    const [batch] = await stored(l);
    expect(batch!.header).toMatchObject({ timestampType: 'LogAppendTime', maxTimestamp: NOW, compression: 'none' });
    expect(batch!.times).toEqual([NOW, NOW, NOW]);
  });

  it('should stamp a compressed batch without recompressing it (testLogAppendTimeWithoutRecompressionV2)', async () => {
    const l = await open();
    await l.createTopic({ topic: 't', configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const sent = produced(3, { compression: 'gzip' });
    await l.appendRecordBatch('t', 0, sent);
    const [batch] = await stored(l);
    expect(batch!.header).toMatchObject({ timestampType: 'LogAppendTime', maxTimestamp: NOW, compression: 'gzip' });
    expect(batch!.header.sizeInBytes).toBe(sent.length);
    expect(batch!.times).toEqual([NOW, NOW, NOW]);
  });

  it("should stamp a batch the topic's compression.type recompresses (testLogAppendTimeWithRecompressionV2)", async () => {
    const l = await open();
    await l.createTopic({
      topic: 't',
      configs: { 'message.timestamp.type': 'LogAppendTime', 'compression.type': 'gzip' },
    });
    await l.appendRecordBatch('t', 0, produced(3));
    const [batch] = await stored(l);
    expect(batch!.header).toMatchObject({ timestampType: 'LogAppendTime', maxTimestamp: NOW, compression: 'gzip' });
    expect(batch!.times).toEqual([NOW, NOW, NOW]);
  });

  it('should stamp records the log encodes itself, those with and without a timestamp alike', async () => {
    const l = await open();
    await l.createTopic({ topic: 't', configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const [result] = await l.write([
      { topic: 't', partition: 0, records: [...records(2), { key: null, value: Buffer.from('now') }] },
    ]);
    expect(result!.logAppendTime).toBe(NOW);
    const { records: read } = await l.read('t', 0, 0);
    expect(read.map((r) => r.timestamp)).toEqual([NOW, NOW, NOW]);
  });

  it("should answer -1 for the append time of a CreateTime topic and keep the producers' timestamps", async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    const result = await l.appendRecordBatch('t', 0, produced(2));
    expect(result.logAppendTime).toBe(-1);
    const [written] = await l.write([{ topic: 't', partition: 0, records: records(1) }]);
    expect(written!.logAppendTime).toBe(-1);
    const batches = await stored(l);
    expect(batches.map((b) => b.header.timestampType)).toEqual(['CreateTime', 'CreateTime']);
    expect(batches.flatMap((b) => b.times)).toEqual([CREATED, CREATED + 1, CREATED]);
  });

  it('should refuse a produced batch marked LogAppendTime with INVALID_TIMESTAMP and append nothing (testInvalidTimestampTypeV2)', async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    await l.createTopic({ topic: 'stamped', configs: { 'message.timestamp.type': 'LogAppendTime' } });
    const marked = produced(2, { timestampType: 'LogAppendTime', logAppendTime: CREATED });
    expect(await code(l.appendRecordBatch('t', 0, marked))).toBe('INVALID_TIMESTAMP');
    expect(await code(l.appendRecordBatch('stamped', 0, marked))).toBe('INVALID_TIMESTAMP');
    expect(l.offsets('t', 0).highWatermark).toBe(0);
    expect(l.offsets('stamped', 0).highWatermark).toBe(0);
  });

  it('should retain by the append time, not by the timestamps the producer gave', async () => {
    const l = await open();
    await l.createTopic({ topic: 't', configs: { 'message.timestamp.type': 'LogAppendTime', 'retention.ms': DAY } });
    await l.createTopic({ topic: 'created', configs: { 'retention.ms': DAY } });
    await l.appendRecordBatch('t', 0, produced(2));
    await l.appendRecordBatch('created', 0, produced(2));
    await l.maintenance();
    // The month-old create times are past retention; the append time is not.
    expect(l.offsets('created', 0).logStartOffset).toBe(2);
    expect(l.offsets('t', 0).logStartOffset).toBe(0);
    clock.advance(DAY + 1);
    await l.maintenance();
    expect(l.offsets('t', 0).logStartOffset).toBe(2);
  });

  it('should look offsets up by the append time', async () => {
    const l = await open();
    await l.createTopic({ topic: 't', configs: { 'message.timestamp.type': 'LogAppendTime' } });
    await l.appendRecordBatch('t', 0, produced(2));
    clock.advance(1000);
    await l.appendRecordBatch('t', 0, produced(2));
    expect(await l.offsetForTimestamp('t', 0, CREATED)).toBe(0);
    expect(await l.offsetForTimestamp('t', 0, NOW + 1)).toBe(2);
    expect(await l.offsetForTimestamp('t', 0, NOW + 1001)).toBeNull();
  });

  it('should take effect for the appends after the config is altered, and leave earlier batches as stored', async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    await l.appendRecordBatch('t', 0, produced(1));
    const altered = await l.alterConfigs('t', { 'message.timestamp.type': 'LogAppendTime' });
    expect(altered.configs['message.timestamp.type']).toBe('LogAppendTime');
    clock.advance(5);
    await l.appendRecordBatch('t', 0, produced(1));
    const batches = await stored(l);
    expect(batches.map((b) => [b.header.timestampType, b.times[0]])).toEqual([
      ['CreateTime', CREATED],
      ['LogAppendTime', NOW + 5],
    ]);
  });

  it('should refuse a value Kafka does not know with INVALID_CONFIG', async () => {
    const l = await open();
    expect(await code(l.createTopic({ topic: 't', configs: { 'message.timestamp.type': 'AppendTime' } }))).toBe(
      'INVALID_CONFIG',
    );
    const { configs } = await l.createTopic({ topic: 'u' }).then(() => l.describeTopic('u'));
    expect(configs['message.timestamp.type']).toBe('CreateTime');
  });
});

describe('message.timestamp.before.max.ms and after.max.ms', () => {
  const bounded = { 'message.timestamp.before.max.ms': DAY, 'message.timestamp.after.max.ms': 3600_000 };

  it('should refuse a batch with a record too old or too new with INVALID_TIMESTAMP, naming it, and append nothing (testInvalidCreateTimeNonCompressedV2)', async () => {
    const l = await open();
    await l.createTopic({ topic: 't', configs: bounded });
    const tooOld = encodeRecordBatch({
      baseOffset: 0,
      records: [
        { key: null, value: Buffer.from('ok'), timestamp: NOW },
        { key: null, value: Buffer.from('old'), timestamp: NOW - DAY - 1 },
      ],
    });
    const error = await l.appendRecordBatch('t', 0, tooOld).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).code).toBe('INVALID_TIMESTAMP');
    expect((error as TributaryError).context).toMatchObject({ recordIndex: 1 });
    const tooNew = encodeRecordBatch({
      baseOffset: 0,
      records: [{ key: null, value: Buffer.from('new'), timestamp: NOW + 3600_001 }],
      compression: 'gzip',
    });
    expect(await code(l.appendRecordBatch('t', 0, tooNew))).toBe('INVALID_TIMESTAMP');
    expect(await code(l.append('t', 0, [{ key: null, value: null, timestamp: NOW - DAY - 1 }]))).toBe(
      'INVALID_TIMESTAMP',
    );
    expect(l.offsets('t', 0).highWatermark).toBe(0);
  });

  it('should take records at the bounds, records without a timestamp, and any time on a LogAppendTime topic', async () => {
    const l = await open();
    await l.createTopic({ topic: 't', configs: bounded });
    await l.append('t', 0, [
      { key: null, value: null, timestamp: NOW - DAY },
      { key: null, value: null, timestamp: NOW + 3600_000 },
      { key: null, value: null },
    ]);
    await l.appendRecordBatch('t', 0, produced(1, { records: [{ key: null, value: null, timestamp: -1 }] }));
    expect(l.offsets('t', 0).highWatermark).toBe(4);
    await l.createTopic({ topic: 's', configs: { ...bounded, 'message.timestamp.type': 'LogAppendTime' } });
    await l.appendRecordBatch('s', 0, produced(2));
    expect(l.offsets('s', 0).highWatermark).toBe(2);
  });

  it("should keep no bound by default, and take Kafka's Long.MAX_VALUE for none", async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    await l.appendRecordBatch('t', 0, produced(1, { records: [{ key: null, value: null, timestamp: 0 }] }));
    expect(l.offsets('t', 0).highWatermark).toBe(1);
    const { configs } = await l.alterConfigs('t', {
      'message.timestamp.before.max.ms': '9223372036854775807',
      'message.timestamp.after.max.ms': '60000',
    });
    expect(configs['message.timestamp.before.max.ms']).toBe(Number.MAX_SAFE_INTEGER);
    expect(await code(l.append('t', 0, [{ key: null, value: null, timestamp: NOW + 60_001 }]))).toBe(
      'INVALID_TIMESTAMP',
    );
    expect(await code(l.createTopic({ topic: 'u', configs: { 'message.timestamp.after.max.ms': -1 } }))).toBe(
      'INVALID_CONFIG',
    );
  });
});
