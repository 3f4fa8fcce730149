/**
 * The record collector (Kafka Streams' RecordCollector): what the tasks send between two commits,
 * taken by the commit as one append per partition. With `encode`, each partition's records are
 * also encoded into a RecordBatch as they come, and kept nowhere else: read back from the batch
 * only when asked for, except on a topic whose records a local task is handed at the commit.
 */
import { describe, expect, it } from 'vitest';
import type { AppendRecord, PartitionAppend } from '../../../src/log/index.ts';
import { decodeRecordBatch } from '../../../src/protocol/record-batch.ts';
import type { MemoEntry } from '../../../src/streams/internal/fast-serde.ts';
import { RecordCollector } from '../../../src/streams/runtime/record-collector.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

function collector(options: { encode?: boolean; handedOver?: (topic: string) => boolean } = {}) {
  return new RecordCollector({ maxUncommitted: 1_000, batchLimit: () => 1 << 20, ...options });
}

/** key, value and timestamp of each record, as text. */
function plain(records: readonly Pick<AppendRecord, 'key' | 'value' | 'timestamp'>[]) {
  return records.map((r) => [text(r.key), text(r.value), r.timestamp]);
}

function only(outputs: PartitionAppend[], topic: string): PartitionAppend {
  const found = outputs.filter((o) => o.topic === topic);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('RecordCollector', () => {
  it('should encode a partition’s records as they come and make the records only when asked', () => {
    const c = collector({ encode: true });
    c.send('out', 0, bytes('a'), bytes('1'), 100, []);
    c.send('out', 0, null, bytes('2'), 101, []);
    c.send('out', 1, bytes('b'), null, 102, []);
    expect(c.pending).toBe(3);
    const outputs = c.drain();
    expect(c.pending).toBe(0);
    const p0 = outputs.find((o) => o.partition === 0)!;
    expect(p0.encoded?.count).toBe(2);
    expect(p0.encoded?.maxTimestamp).toBe(101);
    expect(p0.encoded?.hasNullKey).toBe(true);
    const decoded = decodeRecordBatch(p0.encoded!.bytes);
    expect(plain(decoded.records)).toEqual([
      ['a', '1', 100],
      [null, '2', 101],
    ]);
    // The records, read back from the batch on first use, are the same ones, and made once.
    expect(plain(p0.records)).toEqual(plain(decoded.records));
    expect(p0.records).toBe(p0.records);
    const p1 = outputs.find((o) => o.partition === 1)!;
    expect(plain(decodeRecordBatch(p1.encoded!.bytes).records)).toEqual([['b', null, 102]]);
  });

  it('should keep a handed-over topic’s records as records, beside the same records encoded', () => {
    const c = collector({ encode: true, handedOver: (topic) => topic === 'app-repartition' });
    const memo: MemoEntry = { string: 'k', bytes: bytes('k'), roundTrips: true, hash: -1, storeKey: undefined };
    c.send('app-repartition', 0, memo.bytes, bytes('v1'), 5, [], memo);
    c.send('app-repartition', 0, bytes('j'), bytes('v2'), 6, []);
    c.send('out', 0, bytes('x'), bytes('y'), 7, []);
    const outputs = c.drain();
    const repartition = only(outputs, 'app-repartition');
    // A plain property, not a getter that makes records: the hand-over reads them all.
    expect(Object.getOwnPropertyDescriptor(repartition, 'records')?.get).toBeUndefined();
    expect(plain(repartition.records)).toEqual([
      ['k', 'v1', 5],
      ['j', 'v2', 6],
    ]);
    // The key's memo entry goes with its record to the task that reads it.
    expect((repartition.records[0] as { keyMemo?: unknown }).keyMemo).toBe(memo);
    expect((repartition.records[1] as { keyMemo?: unknown }).keyMemo).toBeUndefined();
    expect(repartition.encoded?.count).toBe(2);
    expect(plain(decodeRecordBatch(repartition.encoded!.bytes).records)).toEqual(plain(repartition.records));
    // Another topic's records are in its batch only, made on demand.
    const out = only(outputs, 'out');
    expect(Object.getOwnPropertyDescriptor(out, 'records')?.get).toBeTypeOf('function');
    expect(plain(out.records)).toEqual([['x', 'y', 7]]);
  });

  it('should hand over the bytes as they were sent, whatever the sender does with its buffers after', () => {
    const c = collector({ encode: true });
    const value = bytes('before');
    c.send('out', 0, bytes('k'), value, 1, []);
    value.set(bytes('AFTER!'));
    const out = only(c.drain(), 'out');
    expect(plain(out.records)).toEqual([['k', 'before', 1]]);
    expect(plain(decodeRecordBatch(out.encoded!.bytes).records)).toEqual([['k', 'before', 1]]);
  });

  it('should seal a batch that would outgrow its topic’s limit and begin another, in order', () => {
    for (const handedOver of [() => false, () => true]) {
      const c = new RecordCollector({ maxUncommitted: 1_000, batchLimit: () => 200, encode: true, handedOver });
      for (let i = 0; i < 12; i++) c.send('small', 0, bytes(`k${i}`), bytes(`value-${i}`.padEnd(20, '.')), i, []);
      const outputs = c.drain().filter((o) => o.topic === 'small');
      expect(outputs.length).toBeGreaterThan(1);
      for (const o of outputs) {
        expect(o.encoded!.bytes.length).toBeLessThanOrEqual(200);
        // Each batch's records are its own, whether kept (handed over) or read back from it.
        expect(plain(o.records)).toEqual(plain(decodeRecordBatch(o.encoded!.bytes).records));
      }
      expect(outputs.flatMap((o) => plain(o.records)).map(([k, , t]) => [k, t])).toEqual(
        Array.from({ length: 12 }, (_, i) => [`k${i}`, i]),
      );
    }
  });

  it('should split the records of a partition that went as records and outgrew its limit, in order', () => {
    const c = new RecordCollector({ maxUncommitted: 1_000, batchLimit: () => 200 });
    for (let i = 0; i < 12; i++) c.send('small', 0, bytes(`k${i}`), bytes(`value-${i}`.padEnd(20, '.')), i, []);
    const outputs = c.drain().filter((o) => o.topic === 'small');
    expect(outputs.length).toBeGreaterThan(1);
    for (const o of outputs) expect(o.encoded).toBeUndefined();
    expect(outputs.flatMap((o) => plain(o.records)).map(([k, , t]) => [k, t])).toEqual(
      Array.from({ length: 12 }, (_, i) => [`k${i}`, i]),
    );
  });

  it('should send records with headers as records only, on either kind of topic', () => {
    for (const handedOver of [() => true, () => false]) {
      const c = collector({ encode: true, handedOver });
      c.send('t', 0, bytes('a'), bytes('1'), 1, []);
      c.send('t', 0, bytes('b'), bytes('2'), 2, [{ key: 'h', value: bytes('x') }]);
      c.send('t', 0, bytes('c'), bytes('3'), 3, []);
      const t = only(c.drain(), 't');
      expect(t.encoded).toBeUndefined();
      expect(plain(t.records)).toEqual([
        ['a', '1', 1],
        ['b', '2', 2],
        ['c', '3', 3],
      ]);
      expect(t.records[1]!.headers).toEqual([{ key: 'h', value: bytes('x') }]);
    }
  });

  it('should send plain records when it does not encode', () => {
    const c = collector({ handedOver: () => true });
    c.send('t', 0, bytes('a'), bytes('1'), 1, []);
    const t = only(c.drain(), 't');
    expect(t.encoded).toBeUndefined();
    expect(plain(t.records)).toEqual([['a', '1', 1]]);
  });

  it('should start empty again after a drain, the batch builders kept', () => {
    const c = collector({ encode: true, handedOver: () => true });
    c.send('t', 0, bytes('a'), bytes('1'), 1, []);
    c.drain();
    c.send('t', 0, bytes('b'), bytes('2'), 2, []);
    const t = only(c.drain(), 't');
    expect(plain(t.records)).toEqual([['b', '2', 2]]);
    expect(plain(decodeRecordBatch(t.encoded!.bytes).records)).toEqual([['b', '2', 2]]);
  });
});
