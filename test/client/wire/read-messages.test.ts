import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Fetcher } from '../../../src/client/consumer/fetcher.ts';
import type { AbortedTransaction } from '../../../src/client/consumer/messages.ts';
import { WireCluster } from '../../../src/client/wire/cluster.ts';
import { decodeFetched, WireFetcher } from '../../../src/client/wire/fetcher.ts';
import { WireTransport } from '../../../src/client/wire/transport.ts';
import { WaitInterrupt } from '../../../src/log/index.ts';
import { encodeControlBatch } from '../../../src/protocol/control-record.ts';
import { API } from '../../../src/protocol/messages/index.ts';
import { encodeRecordBatch } from '../../../src/protocol/record-batch.ts';
import { FakeKafka } from './fake-kafka.ts';

const batch = (
  baseOffset: number,
  values: string[],
  extra: { producerId?: number; isTransactional?: boolean; headers?: boolean } = {},
) =>
  Buffer.from(
    encodeRecordBatch({
      baseOffset,
      records: values.map((v, i) => ({
        key: i % 2 === 0 ? Buffer.from(`k-${v}`) : null,
        value: Buffer.from(v),
        timestamp: 1_000 + baseOffset + i,
        ...(extra.headers ? { headers: [{ key: 'h', value: Buffer.from(v) }] } : {}),
      })),
      producerEpoch: 0,
      baseSequence: 0,
      ...(extra.producerId !== undefined ? { producerId: extra.producerId } : {}),
      ...(extra.isTransactional !== undefined ? { isTransactional: extra.isTransactional } : {}),
    }),
  );
const abortMarker = (offset: number, producerId: number) =>
  Buffer.from(encodeControlBatch({ baseOffset: offset, producerId, producerEpoch: 0, marker: 'ABORT', timestamp: 1 }));

/** What a Fetch answers, and where the read starts. */
interface Case {
  name: string;
  bytes: Buffer;
  offset: number;
  aborted: AbortedTransaction[];
}

const whole = Buffer.concat([batch(0, ['a']), batch(1, ['b', 'c'])]);
const cases: Case[] = [
  {
    name: 'plain batches',
    bytes: Buffer.concat([batch(0, ['a', 'b', 'c']), batch(3, ['d', 'e'])]),
    offset: 0,
    aborted: [],
  },
  {
    name: 'a batch that starts before the offset',
    bytes: Buffer.concat([batch(0, ['a', 'b', 'c']), batch(3, ['d'])]),
    offset: 2,
    aborted: [],
  },
  { name: 'a truncated last batch', bytes: whole.subarray(0, whole.length - 5), offset: 0, aborted: [] },
  { name: 'records with headers', bytes: batch(0, ['x', 'y'], { headers: true }), offset: 0, aborted: [] },
  {
    name: 'an aborted transaction and its marker',
    bytes: Buffer.concat([
      batch(0, ['kept-1']),
      batch(1, ['aborted-1', 'aborted-2'], { producerId: 7, isTransactional: true }),
      batch(3, ['committed'], { producerId: 8, isTransactional: true }),
      abortMarker(4, 7),
      batch(5, ['after'], { producerId: 7, isTransactional: true }),
    ]),
    offset: 0,
    aborted: [{ producerId: 7, firstOffset: 1 }],
  },
  { name: 'only a control batch', bytes: abortMarker(10, 7), offset: 10, aborted: [] },
];

let fake: FakeKafka;
let cluster: WireCluster;
let fetcher: WireFetcher;
/** What the fake's Fetch answers next. */
let answer: Case;

beforeEach(async () => {
  fake = await FakeKafka.start(1);
  fake.createTopic('t', 1);
  fake.topics.get('t')!.next[0] = 100;
  fake.on(API.Fetch.apiKey, () => ({
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: 't',
        partitions: [
          {
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 100,
            lastStableOffset: 100,
            logStartOffset: 0,
            abortedTransactions: answer.aborted,
            preferredReadReplica: -1,
            records: answer.bytes,
          },
        ],
      },
    ],
  }));
  cluster = new WireCluster({ brokers: fake.bootstrap, clientId: 'unit', retry: { initialRetryTime: 1, retries: 1 } });
  await cluster.connect();
  fetcher = new WireFetcher(new WireTransport(cluster, () => 0));
  await fetcher.loadOffsets([{ topic: 't', partition: 0 }]);
});

afterEach(async () => {
  await cluster.disconnect();
  await fake.stop();
  expect(fake.errors).toEqual([]);
});

describe('WireFetcher.readMessages decodes a Fetch answer straight into kafkajs messages', () => {
  it.each(cases)('shouldGiveTheMessagesReadGivesAsRecordsFor $name', async (c) => {
    answer = c;
    const expected = decodeFetched(c.bytes, c.offset, c.aborted, 't', 0);
    const got = await fetcher.readMessages('t', 0, c.offset, { isolation: 'read_committed' });
    expect(got.nextOffset).toBe(expected.nextOffset);
    expect(got.highWatermark).toBe(100);
    expect(got.offsets).toEqual(expected.records.map((r) => r.offset));
    expect(
      got.messages.map((m) => ({
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key === null ? null : m.key.toString(),
        value: m.value!.toString(),
        headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)])),
      })),
    ).toEqual(
      expected.records.map((r) => ({
        offset: String(r.offset),
        timestamp: String(r.timestamp),
        key: r.key === null ? null : Buffer.from(r.key).toString(),
        value: Buffer.from(r.value!).toString(),
        headers: Object.fromEntries(r.headers.map((h) => [h.key, Buffer.from(h.value!).toString()])),
      })),
    );
  });

  it('shouldDropAbortedTransactionsOnlyUnderReadCommitted', async () => {
    answer = cases.find((c) => c.name.startsWith('an aborted'))!;
    const uncommitted = await fetcher.readMessages('t', 0, 0, { isolation: 'read_uncommitted' });
    expect(uncommitted.messages.map((m) => m.value!.toString())).toEqual([
      'kept-1',
      'aborted-1',
      'aborted-2',
      'committed',
      'after',
    ]);
  });
});

describe('the consumer over the wire', () => {
  it('shouldReadFetchAnswersAsMessagesWithoutTheLogsRecordsInBetween', async () => {
    answer = cases[0]!;
    fetcher.read = () => Promise.reject(new Error('read as records'));
    const consumerFetcher = new Fetcher(fetcher, { isolation: 'read_uncommitted', maxBytes: 1 << 20 });
    const fetched = await consumerFetcher.fetch('t', 0, 0, new WaitInterrupt());
    expect(fetched.kind).toBe('records');
    if (fetched.kind !== 'records') return;
    expect(fetched.batch.messages.map((m) => m.value!.toString())).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(fetched.batch.nextOffset).toBe(5);
  });
});
