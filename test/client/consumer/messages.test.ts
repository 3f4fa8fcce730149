import { describe, expect, it } from 'vitest';
import { FetchedMessages, offsetString } from '../../../src/client/consumer/messages.ts';
import { toKafkaMessage } from '../../../src/client/convert.ts';
import { encodeControlBatch } from '../../../src/protocol/control-record.ts';
import { crc32c } from '../../../src/protocol/crc32c.ts';
import { decodeRecordBatch, encodeRecordBatch, type RecordInput } from '../../../src/protocol/record-batch.ts';

const context = { topic: 't', partition: 0 };
const b = (s: string) => Buffer.from(s);

/** What the log's decoder and the client's conversion make of a batch: the reference. */
function reference(bytes: Uint8Array, from: number) {
  return decodeRecordBatch(bytes, { context })
    .records.filter((r) => r.offset >= from)
    .map(toKafkaMessage);
}

function decoded(bytes: Uint8Array, from: number) {
  const out = new FetchedMessages(from);
  out.add(bytes, from, context);
  return out;
}

const mixed: RecordInput[] = [
  { key: b('k0'), value: b('v0'), timestamp: 1_700_000_000_000 },
  { key: null, value: b('v1'), timestamp: 1_700_000_000_000 },
  { key: b('k2'), value: null, timestamp: 1_700_000_000_007, headers: [{ key: 'a', value: b('1') }] },
  {
    key: b(''),
    value: b(''),
    timestamp: 1_699_999_999_990,
    headers: [
      { key: 'a', value: b('1') },
      { key: 'a', value: b('2') },
      { key: 'ü', value: null },
      { key: 'a', value: b('3') },
    ],
  },
  { key: b('k4'), value: Buffer.alloc(300, 9), timestamp: -1 },
];

describe('FetchedMessages: stored batches decoded into kafkajs messages', () => {
  it('gives what the log decoder and toKafkaMessage give: keys, values, timestamps, headers, offsets', () => {
    const bytes = encodeRecordBatch({ baseOffset: 40, records: mixed });
    const out = decoded(bytes, 40);
    expect(out.messages).toEqual(reference(bytes, 40));
    expect(out.offsets).toEqual([40, 41, 42, 43, 44]);
    expect(out.nextOffset).toBe(45);
    expect(out.messages[3]!.headers).toEqual({ a: [b('1'), b('2'), b('3')], ü: Buffer.alloc(0) });
    expect(Buffer.isBuffer(out.messages[0]!.value)).toBe(true);
    // Each message has its own headers object, as kafkajs's do.
    expect(out.messages[0]!.headers).not.toBe(out.messages[1]!.headers);
  });

  it('decodes lengths, deltas and counts of one to four varint bytes as the log does', () => {
    // Values and keys around each varint width (63/64 bytes: one or two; 8191/8192: two or
    // three; 70,000: three), offset deltas past 64 and 8,192, timestamp deltas of every size.
    const sizes = [0, 1, 63, 64, 100, 8_191, 8_192, 70_000];
    const records: RecordInput[] = [];
    for (let i = 0; i < 8_300; i++) {
      const size = i < 200 ? sizes[i % sizes.length]! : 100;
      records.push({
        key: i % 3 === 0 ? null : Buffer.alloc(sizes[(i * 7) % 5]!, i & 0xff),
        value: i % 11 === 0 ? null : Buffer.alloc(size, i & 0xff),
        timestamp: 1_700_000_000_000 + (i % 4 === 0 ? 0 : i * 1_000_003),
        headers: i % 13 === 0 ? [{ key: 'h', value: b(String(i)) }] : undefined,
      });
    }
    const bytes = encodeRecordBatch({ baseOffset: 5_000_000_000, records });
    const out = decoded(bytes, 5_000_000_000);
    expect(out.messages).toEqual(reference(bytes, 5_000_000_000));
    expect(out.offsets[8_299]).toBe(5_000_008_299);
    const later = decoded(bytes, 5_000_008_000);
    expect(later.messages).toEqual(reference(bytes, 5_000_008_000));
  });

  it('writes each offset as String does, across thousands and in any order', () => {
    const offsets = [
      0,
      1,
      9,
      10,
      99,
      100,
      999,
      1000,
      1001,
      1009,
      1099,
      1999,
      2000,
      999_999,
      1_000_000,
      1_000_001,
      123_456_789,
      2 ** 31,
      2 ** 32 + 7,
      999_999_999_999,
      1_000_000_000_000,
      Number.MAX_SAFE_INTEGER,
      Number.MAX_SAFE_INTEGER - 999,
    ];
    for (const o of [...offsets, ...offsets.reverse()]) expect(offsetString(o)).toBe(String(o));
    let o = 4_998_990;
    for (let i = 0; i < 3_000; i++, o++) expect(offsetString(o)).toBe(String(o));
    for (let i = 0; i < 1_000; i++) {
      const r = Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
      expect(offsetString(r)).toBe(String(r));
    }
  });

  it('gives consecutive offsets of a batch across a thousand as strings', () => {
    const records: RecordInput[] = Array.from({ length: 30 }, (_, i) => ({
      key: null,
      value: b(`v${i}`),
      timestamp: 1,
    }));
    const bytes = encodeRecordBatch({ baseOffset: 1_985, records });
    const got = decoded(bytes, 1_985).messages.map((m) => m.offset);
    expect(got).toEqual(Array.from({ length: 30 }, (_, i) => String(1_985 + i)));
  });

  it('starts at the offset asked for inside a batch, and steps past the whole batch', () => {
    const bytes = encodeRecordBatch({ baseOffset: 40, records: mixed });
    const out = decoded(bytes, 42);
    expect(out.offsets).toEqual([42, 43, 44]);
    expect(out.messages).toEqual(reference(bytes, 42));
    expect(out.nextOffset).toBe(45);
  });

  it('decodes compressed and LogAppendTime batches as the log does', () => {
    const gzip = encodeRecordBatch({ baseOffset: 0, records: mixed, compression: 'gzip' });
    expect(decoded(gzip, 0).messages).toEqual(reference(gzip, 0));
    const appendTime = encodeRecordBatch({
      baseOffset: 0,
      records: mixed,
      timestampType: 'LogAppendTime',
      logAppendTime: 1_800_000_000_000,
    });
    const out = decoded(appendTime, 0);
    expect(out.messages).toEqual(reference(appendTime, 0));
    expect(out.messages.every((m) => m.timestamp === '1800000000000')).toBe(true);
  });

  it('refuses damaged bytes with the log decoder’s own error, naming the partition', () => {
    const bytes = Buffer.from(encodeRecordBatch({ baseOffset: 7, records: mixed }));
    bytes.writeUInt8(bytes[bytes.length - 3]! ^ 0xff, bytes.length - 3);
    let expected: unknown;
    try {
      decodeRecordBatch(bytes, { context });
    } catch (err) {
      expected = err;
    }
    expect(expected).toMatchObject({ code: 'CORRUPT_MESSAGE' });
    expect(() => decoded(bytes, 7)).toThrow((expected as Error).message);
    // A record whose length overruns, with a CRC made to match: the per-record checks catch it.
    const records = Buffer.from(
      encodeRecordBatch({ baseOffset: 7, records: [{ key: null, value: b('x'), timestamp: 0 }] }),
    );
    records[61] = 0x7e; // the record's length varint: 63 bytes, past the batch's end
    records.writeUInt32BE(crc32c(records.subarray(21)), 17);
    expect(() => decodeRecordBatch(records, { context })).toThrow(/invalid length/);
    let same: unknown;
    try {
      decodeRecordBatch(records, { context });
    } catch (err) {
      same = err;
    }
    expect(() => decoded(records, 7)).toThrow((same as Error).message);
  });

  it('read_committed: drops an aborted transaction’s batches up to its ABORT marker, keeps the rest', () => {
    const txn = (baseOffset: number, producerId: number, value: string) =>
      encodeRecordBatch({
        baseOffset,
        producerId,
        producerEpoch: 0,
        baseSequence: 0,
        isTransactional: true,
        records: [{ key: null, value: b(value), timestamp: 1 }],
      });
    const marker = (baseOffset: number, producerId: number, m: 'ABORT' | 'COMMIT') =>
      encodeControlBatch({ baseOffset, producerId, producerEpoch: 0, marker: m, timestamp: 1 });
    const plain = (baseOffset: number, value: string) =>
      encodeRecordBatch({ baseOffset, records: [{ key: null, value: b(value), timestamp: 1 }] });
    // Producer 1 aborts [0, 3]; producer 2 commits [1, 4]; producer 1 then commits [5, 6].
    const stored = [
      txn(0, 1, 'p1-aborted'),
      txn(1, 2, 'p2-committed'),
      plain(2, 'plain'),
      marker(3, 1, 'ABORT'),
      marker(4, 2, 'COMMIT'),
      txn(5, 1, 'p1-committed'),
      marker(6, 1, 'COMMIT'),
    ];
    const out = new FetchedMessages(0, [{ producerId: 1, firstOffset: 0 }]);
    for (const bytes of stored) out.add(bytes, 0, context);
    expect(out.messages.map((m) => String(m.value))).toEqual(['p2-committed', 'plain', 'p1-committed']);
    expect(out.offsets).toEqual([1, 2, 5]);
    expect(out.nextOffset).toBe(7);
    // Without the aborted list (read_uncommitted) every data record comes, markers never.
    const all = new FetchedMessages(0);
    for (const bytes of stored) all.add(bytes, 0, context);
    expect(all.offsets).toEqual([0, 1, 2, 5]);
  });
});
