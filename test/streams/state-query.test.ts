/**
 * Interactive queries v2 (`KafkaStreams.query`, Kafka's KIP-796), as Kafka's IQv2IntegrationTest
 * and IQv2StoreIntegrationTest run them: each query type on the store types that take it, one
 * result per partition with its position, the failures (NOT_PRESENT, NOT_UP_TO_BOUND,
 * UNKNOWN_QUERY_TYPE), and the refusals before start and for unknown or global stores.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { defaultPartition } from '../../src/protocol/index.ts';
import {
  KafkaStreams,
  KeyQuery,
  MultiVersionedKeyQuery,
  Position,
  PositionBound,
  RangeQuery,
  SessionWindows,
  StateQueryRequest,
  Stores,
  StreamsBuilder,
  TimestampedKeyQuery,
  TimestampedRangeQuery,
  TimeWindows,
  VersionedKeyQuery,
  WindowKeyQuery,
  WindowRangeQuery,
} from '../../src/streams/index.ts';
import { I, S } from './helpers.ts';

const enc = new TextEncoder();
let log: EmbeddedLogBackend;
let streams: KafkaStreams;
const partitionOf = (key: string) => defaultPartition(enc.encode(key), 2);
const KEYS = ['a', 'b', 'c', 'd', 'e', 'f'];
const [k0, k1] = [KEYS.find((k) => partitionOf(k) === 0)!, KEYS.find((k) => partitionOf(k) === 1)!];

function topology() {
  const b = new StreamsBuilder();
  const clicks = b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey();
  clicks.count({ materialized: 'counts' });
  clicks.windowedBy(TimeWindows.ofSizeAndGrace(10, 1_000)).count({ materialized: 'per-window' });
  clicks.windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 1_000)).count({ materialized: 'sessions' });
  b.table('prices', {
    keySerde: S,
    valueSerde: I,
    materialized: { storeSupplier: Stores.persistentVersionedKeyValueStore('prices-store', 60_000) },
  });
  b.globalTable('names', { keySerde: S, valueSerde: S, materialized: 'names-store' });
  return b.build();
}

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'clicks', numPartitions: 2 });
  await log.createTopic({ topic: 'prices', numPartitions: 2 });
  await log.createTopic({ topic: 'names', numPartitions: 1 });
  // k0 clicks at 1, 3 and 12; k1 at 2. Prices of k0: 10 at time 100, 20 at time 200.
  for (const [key, ts] of [
    [k0, 1],
    [k1, 2],
    [k0, 3],
    [k0, 12],
  ] as const)
    await log.append('clicks', partitionOf(key), [{ key: enc.encode(key), value: enc.encode('x'), timestamp: ts }]);
  for (const [price, ts] of [
    [10, 100],
    [20, 200],
  ] as const)
    await log.append('prices', partitionOf(k0), [
      { key: enc.encode(k0), value: I.serialize('prices', price), timestamp: ts },
    ]);
  streams = new KafkaStreams(topology(), { applicationId: 'iq2', log });
});

afterEach(async () => {
  await streams.close();
  await log.close();
});

async function started(): Promise<void> {
  await streams.start();
  await streams.waitForIdle();
}

describe('KafkaStreams.query', () => {
  it('should answer a key from the partition that holds it, each partition with its position', async () => {
    await started();
    const result = streams.query(StateQueryRequest.inStore('counts').withQuery(KeyQuery.withKey<string, number>(k0)));
    expect([...result.getPartitionResults().keys()].sort()).toEqual([0, 1]);
    expect(result.getOnlyPartitionResult()?.getResult()).toBe(3);
    expect(result.getPartitionResults().get(partitionOf(k1))?.getResult()).toBeNull();
    // Each store's position: the input records its task processed (k0's three, k1's one).
    const position = result.getPosition().getPartitionPositions('clicks');
    expect(Object.fromEntries(position)).toEqual({ [partitionOf(k0)]: 2, [partitionOf(k1)]: 0 });
    const timestamped = streams.query(
      StateQueryRequest.inStore('counts').withQuery(TimestampedKeyQuery.withKey<string, number>(k0)),
    );
    expect(timestamped.getOnlyPartitionResult()?.getResult()).toEqual({ value: 3, timestamp: 12 });
  });

  it('should answer range queries per partition, in the order asked', async () => {
    await started();
    const all = streams.query(StateQueryRequest.inStore('counts').withQuery(RangeQuery.withNoBounds<string, number>()));
    const entries = [...all.getPartitionResults().values()].flatMap((r) => r.getResult());
    expect(entries.sort((x, y) => (x.key < y.key ? -1 : 1))).toEqual(
      [
        { key: k0, value: 3 },
        { key: k1, value: 1 },
      ].sort((x, y) => (x.key < y.key ? -1 : 1)),
    );
    const down = streams.query(
      StateQueryRequest.inStore('counts')
        .withQuery(TimestampedRangeQuery.withNoBounds<string, number>().withDescendingKeys())
        .withPartitions([partitionOf(k0)]),
    );
    expect(down.getPartitionResults().get(partitionOf(k0))?.getResult()).toEqual([
      { key: k0, value: { value: 3, timestamp: 12 } },
    ]);
  });

  it('should query window and session stores as Kafka does, and versioned stores by time', async () => {
    await started();
    const windows = streams.query(
      StateQueryRequest.inStore('per-window').withQuery(
        WindowKeyQuery.withKeyAndWindowStartRange<string, number>(k0, 0, 100),
      ),
    );
    // A window query answers a list from every partition (Kafka's, an iterator): read k0's.
    expect(windows.getPartitionResults().get(partitionOf(k0))?.getResult()).toEqual([
      { key: 0, value: 2 },
      { key: 10, value: 1 },
    ]);
    const byStart = streams.query(
      StateQueryRequest.inStore('per-window').withQuery(WindowRangeQuery.withWindowStartRange<string, number>(0, 5)),
    );
    const starts = [...byStart.getPartitionResults().values()].flatMap((r) =>
      r.getResult().map((kv) => `${kv.key.key}@${kv.key.window.start}=${kv.value}`),
    );
    expect(starts.sort()).toEqual([`${k0}@0=2`, `${k1}@0=1`].sort());
    const sessions = streams.query(
      StateQueryRequest.inStore('sessions').withQuery(WindowRangeQuery.withKey<string, number>(k0)),
    );
    expect(
      sessions
        .getPartitionResults()
        .get(partitionOf(k0))
        ?.getResult()
        .map((kv) => [kv.key.window.start, kv.key.window.end, kv.value]),
    ).toEqual([
      [1, 3, 2],
      [12, 12, 1],
    ]);
    const latest = streams.query(
      StateQueryRequest.inStore('prices-store').withQuery(VersionedKeyQuery.withKey<string, number>(k0)),
    );
    expect(latest.getOnlyPartitionResult()?.getResult()).toMatchObject({ value: 20, timestamp: 200 });
    const then = streams.query(
      StateQueryRequest.inStore('prices-store').withQuery(VersionedKeyQuery.withKey<string, number>(k0).asOf(150)),
    );
    expect(then.getOnlyPartitionResult()?.getResult()).toEqual({ value: 10, timestamp: 100, validTo: 200 });
    const history = (q: MultiVersionedKeyQuery<string, number>) =>
      streams
        .query(
          StateQueryRequest.inStore('prices-store')
            .withQuery(q)
            .withPartitions([partitionOf(k0)]),
        )
        .getPartitionResults()
        .get(partitionOf(k0))
        ?.getResult();
    expect(history(MultiVersionedKeyQuery.withKey(k0))).toEqual([
      { value: 20, timestamp: 200 },
      { value: 10, timestamp: 100, validTo: 200 },
    ]);
    expect(history(MultiVersionedKeyQuery.withKey<string, number>(k0).withAscendingTimestamps())).toEqual([
      { value: 10, timestamp: 100, validTo: 200 },
      { value: 20, timestamp: 200 },
    ]);
    expect(history(MultiVersionedKeyQuery.withKey<string, number>(k0).fromTime(150).toTime(199))).toEqual([
      { value: 10, timestamp: 100, validTo: 200 },
    ]);
    expect(history(MultiVersionedKeyQuery.withKey<string, number>(k0).fromTime(200))).toEqual([
      { value: 20, timestamp: 200 },
    ]);
    // Kafka refuses a null key when the query is made; other stores do not take the query.
    expect(() => MultiVersionedKeyQuery.withKey(null)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => VersionedKeyQuery.withKey(undefined)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    for (const r of streams
      .query(StateQueryRequest.inStore('counts').withQuery(MultiVersionedKeyQuery.withKey<string, number>(k0)))
      .getPartitionResults()
      .values())
      expect(r.getFailureReason()).toBe('UNKNOWN_QUERY_TYPE');
  });

  it('should fail a partition with the reason: unknown query type, not present, not up to the bound', async () => {
    await started();
    const wrongType = streams.query(
      StateQueryRequest.inStore('per-window').withQuery(KeyQuery.withKey<string, number>(k0)),
    );
    for (const r of wrongType.getPartitionResults().values()) {
      expect(r.isFailure()).toBe(true);
      expect(r.getFailureReason()).toBe('UNKNOWN_QUERY_TYPE');
      expect(() => r.getResult()).toThrow(expect.objectContaining({ code: 'ILLEGAL_STATE' }));
    }
    expect(
      streams
        .query(StateQueryRequest.inStore('per-window').withQuery(WindowRangeQuery.withKey<string, number>(k0)))
        .getPartitionResults()
        .get(0)
        ?.getFailureReason(),
    ).toBe('UNKNOWN_QUERY_TYPE');
    const missing = streams.query(
      StateQueryRequest.inStore('counts').withQuery(KeyQuery.withKey<string, number>(k0)).withPartitions([0, 5]),
    );
    expect([...missing.getPartitionResults().keys()].sort()).toEqual([0, 5]);
    expect(missing.getPartitionResults().get(5)?.getFailureReason()).toBe('NOT_PRESENT');
    const ahead = Position.emptyPosition().withComponent('clicks', partitionOf(k0), 99);
    const bounded = streams.query(
      StateQueryRequest.inStore('counts')
        .withQuery(KeyQuery.withKey<string, number>(k0))
        .withPartitions([partitionOf(k0)])
        .withPositionBound(PositionBound.at(ahead)),
    );
    expect(bounded.getPartitionResults().get(partitionOf(k0))?.getFailureReason()).toBe('NOT_UP_TO_BOUND');
    const reached = Position.emptyPosition().withComponent('clicks', partitionOf(k0), 2);
    const fresh = streams.query(
      StateQueryRequest.inStore('counts')
        .withQuery(KeyQuery.withKey<string, number>(k0))
        .withPositionBound(PositionBound.at(reached))
        .enableExecutionInfo(),
    );
    const answer = fresh.getOnlyPartitionResult()!;
    expect(answer.getResult()).toBe(3);
    expect(answer.getExecutionInfo()[0]).toMatch(/^Handled in counts of task 0_\d in \d+ µs$/);
  });

  it('should refuse before start, and for an unknown or a global store', async () => {
    const request = StateQueryRequest.inStore('counts').withQuery(KeyQuery.withKey<string, number>(k0));
    expect(() => streams.query(request)).toThrow(expect.objectContaining({ code: 'ILLEGAL_STATE' }));
    await started();
    for (const name of ['no-such-store', 'names-store'])
      expect(() => streams.query(StateQueryRequest.inStore(name).withQuery(KeyQuery.withKey(k0)))).toThrow(
        expect.objectContaining({ code: 'INVALID_STATE_STORE' }),
      );
  });
});
