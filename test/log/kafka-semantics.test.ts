/**
 * Kafka's log semantics, ported from Kafka's own tests (LogCleanerTest, UnifiedLogTest,
 * ProducerStateManagerTest, LogOffsetTest) as observable outcomes: where Kafka's test rolls
 * segments, these keep a newest batch that compaction leaves alone, as it leaves Kafka's active
 * segment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import type { AppendRecord, EmbeddedLogBackend } from '../../src/log/index.ts';
import { openLog } from '../../src/log/index.ts';
import { decodeRecordBatch } from '../../src/protocol/index.ts';
import { code } from './error-code.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = 1_700_000_000_000;

let log: EmbeddedLogBackend | undefined;
let clock: ManualClock;
afterEach(async () => {
  await log?.close();
  log = undefined;
});

async function open(options: { producerIdExpirationMs?: number } = {}): Promise<EmbeddedLogBackend> {
  clock = new ManualClock(T0);
  log = await openLog({ storage: 'memory', clock, maintenanceIntervalMs: 0, ...options });
  return log;
}

function rec(key: string | null, value: string | null, timestamp?: number): AppendRecord {
  return { key: key === null ? null : enc.encode(key), value: value === null ? null : enc.encode(value), timestamp };
}

/** Every stored offset, control records (transaction markers) included, as Kafka's `offsetsInLog`. */
async function offsetsInLog(l: EmbeddedLogBackend, topic: string): Promise<number[]> {
  const out: number[] = [];
  for (const batch of await l.readBatches(topic, 0, l.offsets(topic, 0).logStartOffset, { maxBytes: 1 << 30 })) {
    for (const r of decodeRecordBatch(batch.bytes).records) out.push(r.offset);
  }
  return out;
}

/** The keys of the data records left, in offset order, as Kafka's `keysInLog`. */
async function keysInLog(l: EmbeddedLogBackend, topic: string): Promise<(string | null)[]> {
  const { records } = await l.read(topic, 0, l.offsets(topic, 0).logStartOffset, { maxBytes: 1 << 30 });
  return records.map((r) => (r.key === null ? null : dec.decode(r.key)));
}

/** A transactional producer on `topic`-0 whose sequence numbers the helper keeps. */
async function transactional(l: EmbeddedLogBackend, topic: string, transactionTimeoutMs = 60_000) {
  const producer = await l.initProducerId({ transactionalId: `tx-${topic}`, transactionTimeoutMs });
  let sequence = 0;
  return {
    producer,
    append: (...keys: string[]) => {
      const baseSequence = sequence;
      sequence += keys.length;
      return l.write([
        {
          topic,
          partition: 0,
          records: keys.map((k) => rec(k, `v${k}`)),
          producer: { ...producer, baseSequence, isTransactional: true },
        },
      ]);
    },
    commit: () => l.endTransaction({ ...producer, commit: true }),
    abort: () => l.endTransaction({ ...producer, commit: false }),
    next: () => sequence,
  };
}

describe('retention of records without a timestamp (UnifiedLogTest.testAppendWithNoTimestamp)', () => {
  it('should keep timestamp -1 records for retention.ms after they were written, not delete them at once', async () => {
    const l = await open();
    await l.createTopic({ topic: 't', configs: { 'retention.ms': HOUR } });
    await l.append('t', 0, [rec(null, 'no time', -1), rec(null, 'no time either', -1)]);
    clock.advance(HOUR - 1);
    await l.maintenance();
    expect(l.offsets('t', 0)).toMatchObject({ logStartOffset: 0, highWatermark: 2 });
    clock.advance(2);
    expect((await l.maintenance()).batchesDeleted).toBe(1);
    expect(l.offsets('t', 0).logStartOffset).toBe(2);
  });
});

describe('transactions (UnifiedLogTest, ProducerStateManagerTest)', () => {
  it('should refuse a non-transactional append from a producer with an open transaction, with INVALID_TXN_STATE', async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    const tx = await transactional(l, 't');
    await tx.append('a');
    const plain = l.write([
      { topic: 't', partition: 0, records: [rec('b', 'plain')], producer: { ...tx.producer, baseSequence: tx.next() } },
    ]);
    expect(await code(plain)).toBe('INVALID_TXN_STATE');
    await tx.abort();
    expect(await keysInLog(l, 't')).toEqual(['a']);
    expect((await l.read('t', 0, 0, { isolation: 'read_committed' })).records).toEqual([]);
  });

  it('should bound the last stable offset by the log start (testLastStableOffsetDoesNotExceedLogStartOffsetMidSegment)', async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    const tx = await transactional(l, 't');
    await tx.append('1', '2', '3', '4', '5');
    await l.append('t', 0, [rec('x', '1'), rec('y', '2'), rec('z', '3')]);
    await tx.append('6', '7', '8', '9', '10');
    expect(l.offsets('t', 0).lastStableOffset).toBe(0);
    await l.deleteRecords('t', 0, 5);
    expect(l.offsets('t', 0)).toMatchObject({ logStartOffset: 5, lastStableOffset: 5 });
    await l.deleteRecords('t', 0, 8);
    expect(l.offsets('t', 0).lastStableOffset).toBe(8);
    expect((await l.read('t', 0, 8, { isolation: 'read_committed' })).records).toEqual([]);
  });
});

describe('producer state (ProducerStateManagerTest)', () => {
  it('should forget a producer idle for producer.id.expiration.ms and then take any sequence from it (testPidExpirationTimeout)', async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    const { producerId } = await l.initProducerId();
    const at = (baseSequence: number) => [
      { topic: 't', partition: 0, records: [rec('k', 'v')], producer: { producerId, producerEpoch: 0, baseSequence } },
    ];
    await l.write(at(0));
    clock.advance(DAY - 1);
    await l.maintenance();
    expect(await code(l.write(at(5)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    clock.advance(DAY);
    await l.maintenance();
    // Forgotten: its next batch is taken at its own sequence, and a retry of it is still caught.
    const [first] = await l.write(at(5));
    const [retry] = await l.write(at(5));
    expect(retry!.baseOffset).toBe(first!.baseOffset);
    expect(l.offsets('t', 0).highWatermark).toBe(2);
  });

  it('should honour a configured producerIdExpirationMs, read from the injectable clock', async () => {
    const l = await open({ producerIdExpirationMs: 1000 });
    await l.createTopic({ topic: 't' });
    const { producerId } = await l.initProducerId();
    await l.write([
      {
        topic: 't',
        partition: 0,
        records: [rec('k', 'v')],
        producer: { producerId, producerEpoch: 0, baseSequence: 0 },
      },
    ]);
    clock.advance(1000);
    await l.maintenance();
    await l.write([
      {
        topic: 't',
        partition: 0,
        records: [rec('k', 'v')],
        producer: { producerId, producerEpoch: 0, baseSequence: 9 },
      },
    ]);
  });

  it('should keep a producer with an open transaction however long it idles (testProducersWithOngoingTransactionsDontExpire)', async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    const tx = await transactional(l, 't', 7 * DAY);
    await tx.append('a');
    clock.advance(2 * DAY);
    await l.maintenance();
    expect(l.offsets('t', 0).lastStableOffset).toBe(0);
    expect(
      await code(
        l.write([
          {
            topic: 't',
            partition: 0,
            records: [rec('b', 'x')],
            producer: { ...tx.producer, baseSequence: 9, isTransactional: true },
          },
        ]),
      ),
    ).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
  });

  it('should refuse bad producer options', async () => {
    for (const producerIdExpirationMs of [0, -1, Number.NaN, '1' as unknown as number]) {
      await expect(openLog({ storage: 'memory', producerIdExpirationMs })).rejects.toBeInstanceOf(TypeError);
    }
  });
});

describe('deleteRecords', () => {
  it('should refuse deleteRecords on a compact-only topic with POLICY_VIOLATION, and allow it with compact,delete', async () => {
    const l = await open();
    await l.createTopic({ topic: 'c', configs: { 'cleanup.policy': 'compact' } });
    await l.createTopic({ topic: 'cd', configs: { 'cleanup.policy': 'compact,delete' } });
    for (const topic of ['c', 'cd']) await l.append(topic, 0, [rec('a', '1'), rec('b', '2')]);
    expect(await code(l.deleteRecords('c', 0, 1))).toBe('POLICY_VIOLATION');
    expect(l.offsets('c', 0).logStartOffset).toBe(0);
    expect(await l.deleteRecords('cd', 0, 1)).toBe(1);
  });
});

describe('offsets by timestamp: ListOffsets sentinels (LogOffsetTest)', () => {
  it('should answer -1 with the high watermark, -2 with the log start and -3 with the max timestamp record', async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    expect(await l.offsetForTimestamp('t', 0, -3)).toBeNull();
    for (const timestamp of [0, 1, 2, 3, 4, 6, 5]) await l.append('t', 0, [rec(null, 'x', timestamp)]);
    expect(await l.offsetForTimestamp('t', 0, -1)).toBe(7);
    expect(await l.offsetForTimestamp('t', 0, -2)).toBe(0);
    expect(await l.offsetForTimestamp('t', 0, -3)).toBe(5);
    await l.deleteRecords('t', 0, 2);
    expect(await l.offsetForTimestamp('t', 0, -2)).toBe(2);
    expect(await l.offsetForTimestamp('t', 0, 3)).toBe(3);
    expect(await code(l.offsetForTimestamp('t', 0, -4))).toBe('INVALID_REQUEST');
  });

  it('should find the max timestamp after retention took the batch the index pointed at', async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    await l.append('t', 0, [rec(null, 'a', 50), rec(null, 'b', 10)]);
    await l.append('t', 0, [rec(null, 'c', 20), rec(null, 'd', 30), rec(null, 'e', 30)]);
    await l.deleteRecords('t', 0, 2);
    expect(await l.offsetForTimestamp('t', 0, -3)).toBe(3);
  });
});

describe('compaction (LogCleanerTest)', () => {
  async function compacted(l: EmbeddedLogBackend, topic: string, configs: Record<string, string | number> = {}) {
    await l.createTopic({ topic, configs: { 'cleanup.policy': 'compact', ...configs } });
  }

  it('should not let a future timestamp hold back compaction while min.compaction.lag.ms is 0', async () => {
    const l = await open();
    await compacted(l, 'c');
    await l.append('c', 0, [rec('future', 'x', T0 + 365 * DAY)]);
    for (const v of ['1', '2', '3']) await l.append('c', 0, [rec('k', v)]);
    await l.append('c', 0, [rec('newest', 'n')]);
    await l.compact('c', 0);
    expect(await keysInLog(l, 'c')).toEqual(['future', 'k', 'newest']);
  });

  it('should still honour min.compaction.lag.ms when it is above 0', async () => {
    const l = await open();
    await compacted(l, 'c', { 'min.compaction.lag.ms': HOUR });
    await l.append('c', 0, [rec('k', '1')]);
    await l.append('c', 0, [rec('k', '2')]);
    await l.append('c', 0, [rec('newest', 'n')]);
    await l.compact('c', 0);
    expect(await keysInLog(l, 'c')).toEqual(['k', 'k', 'newest']);
    clock.advance(HOUR + 1);
    await l.compact('c', 0);
    expect(await keysInLog(l, 'c')).toEqual(['k', 'newest']);
  });

  it('should drop records without a key once a topic turns compacted (testCleaningWithUnkeyedMessages)', async () => {
    const l = await open();
    await l.createTopic({ topic: 't' });
    await l.append('t', 0, [rec(null, 'a'), rec('k', '1'), rec(null, 'b')]);
    await l.append('t', 0, [rec(null, 'c')]);
    await l.append('t', 0, [rec('newest', 'n')]);
    await l.alterConfigs('t', { 'cleanup.policy': 'compact' });
    await l.compact('t', 0);
    expect(await keysInLog(l, 't')).toEqual(['k', 'newest']);
    expect(await offsetsInLog(l, 't')).toEqual([1, 4]);
  });

  it('should keep a commit marker while its transaction has records, then remove it after delete.retention.ms (testCommitMarkerRemoval)', async () => {
    const l = await open();
    await compacted(l, 'c');
    const tx = await transactional(l, 'c');
    await tx.append('1');
    await tx.append('2', '3');
    await tx.commit();
    await tx.append('2');
    await tx.commit();
    await l.append('c', 0, [rec('pad1', 'x')]);
    // Cannot remove the marker at 3: its transaction still has records.
    await l.compact('c', 0);
    expect(await keysInLog(l, 'c')).toEqual(['1', '3', '2', 'pad1']);
    expect(await offsetsInLog(l, 'c')).toEqual([0, 2, 3, 4, 5, 6]);

    await tx.append('1', '3');
    await tx.commit();
    await l.append('c', 0, [rec('pad2', 'x')]);
    // The first transaction has no records left: its marker gets a delete horizon, and stays until then.
    await l.compact('c', 0);
    expect(await keysInLog(l, 'c')).toEqual(['2', 'pad1', '1', '3', 'pad2']);
    expect(await offsetsInLog(l, 'c')).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    await l.compact('c', 0);
    expect(await offsetsInLog(l, 'c')).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    clock.advance(DAY + 1);
    await l.compact('c', 0);
    expect(await keysInLog(l, 'c')).toEqual(['2', 'pad1', '1', '3', 'pad2']);
    expect(await offsetsInLog(l, 'c')).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it('should remove an abort marker once its records are gone, after delete.retention.ms (testAbortMarkerRemoval)', async () => {
    const l = await open();
    await compacted(l, 'c');
    const tx = await transactional(l, 'c');
    await tx.append('1');
    await tx.append('2', '3');
    await tx.abort();
    await tx.append('3');
    await tx.commit();
    await l.append('c', 0, [rec('pad', 'x')]);
    // Aborted records go at once; the abort marker stays until its delete horizon.
    await l.compact('c', 0);
    expect(await keysInLog(l, 'c')).toEqual(['3', 'pad']);
    expect(await offsetsInLog(l, 'c')).toEqual([3, 4, 5, 6]);
    clock.advance(DAY + 1);
    await l.compact('c', 0);
    expect(await offsetsInLog(l, 'c')).toEqual([4, 5, 6]);
    const { records } = await l.read('c', 0, 0, { isolation: 'read_committed' });
    expect(records.map((r) => dec.decode(r.key!))).toEqual(['3', 'pad']);
  });

  it('should compact a partition whose oldest dirty record is older than max.compaction.lag.ms, whatever its dirty ratio', async () => {
    const l = await open();
    await compacted(l, 'c', { 'min.cleanable.dirty.ratio': '0.9', 'max.compaction.lag.ms': HOUR });
    const big = 'x'.repeat(2000);
    for (let i = 0; i < 20; i++) await l.append('c', 0, [rec(`big${i}`, big)]);
    await l.compact('c', 0);
    await l.append('c', 0, [rec('k', '1')]);
    await l.append('c', 0, [rec('k', '2')]);
    await l.append('c', 0, [rec('newest', 'n')]);
    expect((await l.maintenance()).partitionsCompacted).toBe(0);
    clock.advance(HOUR + 1);
    expect((await l.maintenance()).partitionsCompacted).toBe(1);
    expect((await keysInLog(l, 'c')).slice(20)).toEqual(['k', 'newest']);
  });

  it('should take max.compaction.lag.ms as Kafka writes it, Long.MAX_VALUE included, and refuse 0', async () => {
    const l = await open();
    const described = await l.createTopic({ topic: 'c', configs: { 'max.compaction.lag.ms': '9223372036854775807' } });
    expect(described.configs['max.compaction.lag.ms']).toBe(Number.MAX_SAFE_INTEGER);
    expect(await code(l.createTopic({ topic: 'd', configs: { 'max.compaction.lag.ms': 0 } }))).toBe('INVALID_CONFIG');
  });
});
