/**
 * Interactive queries of a running KafkaStreams over window, session and timestamped key-value
 * stores, across the tasks of two input partitions, as Kafka's CompositeReadOnlyWindowStoreTest,
 * CompositeReadOnlySessionStoreTest and QueryableStateIntegrationTest query them: a key answers
 * from the partition that holds it, whole-store queries gather every task's copy, `withPartition`
 * reads one copy, and a query of the wrong kind of store is refused with INVALID_STATE_STORE.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { defaultPartition } from '../../src/protocol/index.ts';
import {
  KafkaStreams,
  QueryableStoreTypes,
  SessionWindows,
  StoreQueryParameters,
  StreamsBuilder,
  TimeWindows,
} from '../../src/streams/index.ts';
import { S } from './helpers.ts';

const enc = new TextEncoder();
let log: EmbeddedLogBackend;
let streams: KafkaStreams;

/** Keys that the default partitioner puts in partitions 0 and 1 of a 2-partition topic. */
const keysIn = (partition: number) =>
  ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].filter((k) => defaultPartition(enc.encode(k), 2) === partition);
const [p0, p1] = [keysIn(0)[0]!, keysIn(1)[0]!];

async function send(topic: string, key: string, timestamp: number): Promise<void> {
  await log.append(topic, defaultPartition(enc.encode(key), 2), [
    { key: enc.encode(key), value: enc.encode('x'), timestamp },
  ]);
}

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'clicks', numPartitions: 2 });
  await log.createTopic({ topic: 'names', numPartitions: 1 });
  const b = new StreamsBuilder();
  const clicks = b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey();
  clicks.windowedBy(TimeWindows.ofSizeAndGrace(10, 100)).count({ materialized: 'per-window' });
  clicks.windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 100)).count({ materialized: 'sessions' });
  clicks.count({ materialized: 'totals' });
  b.globalTable('names', { keySerde: S, valueSerde: S, materialized: 'names-store' });
  // p0 clicks at 1, 3 and 12; p1 at 2 and 30. The grace keeps every window and session in the
  // stores (a store keeps windows for their size and grace, as Kafka's default retention).
  for (const [key, ts] of [
    [p0, 1],
    [p1, 2],
    [p0, 3],
    [p0, 12],
    [p1, 30],
  ] as const)
    await send('clicks', key, ts);
  streams = new KafkaStreams(b.build(), { applicationId: 'iq', log });
  await streams.start();
  await streams.waitForIdle();
});

afterEach(async () => {
  await streams.close();
  await log.close();
});

describe('KafkaStreams.store with StoreQueryParameters', () => {
  it('should query a window store across both tasks: by key, backward, and whole', () => {
    const windows = streams.store(
      StoreQueryParameters.fromNameAndType('per-window', QueryableStoreTypes.windowStore<string, number>()),
    );
    expect(windows.fetch(p0, 0)).toBe(2);
    expect(windows.fetch(p0, 10)).toBe(1);
    expect(windows.fetch(p1, 30)).toBe(1);
    expect(windows.fetch(p1, 10)).toBeNull();
    expect(windows.fetch(p0, 0, 100)).toEqual([
      { key: 0, value: 2 },
      { key: 10, value: 1 },
    ]);
    expect(windows.backwardFetch(p0, 0, 100)).toEqual([
      { key: 10, value: 1 },
      { key: 0, value: 2 },
    ]);
    expect(windows.fetch('nobody', 0, 100)).toEqual([]);
    const all = windows.fetchAll(0, 100).map((kv) => `${kv.key.key}@${kv.key.window.start}=${kv.value}`);
    expect(all.sort()).toEqual([`${p0}@0=2`, `${p0}@10=1`, `${p1}@0=1`, `${p1}@30=1`].sort());
    expect(windows.all()).toHaveLength(4);
    expect(windows.backwardFetchAll(0, 9)).toHaveLength(2);
  });

  it("should read one partition's copy with withPartition", () => {
    const type = QueryableStoreTypes.windowStore<string, number>();
    const only0 = streams.store(StoreQueryParameters.fromNameAndType('per-window', type).withPartition(0));
    const only1 = streams.store(StoreQueryParameters.fromNameAndType('per-window', type).withPartition(1));
    expect([only0.fetch(p0, 0), only0.fetch(p1, 0)]).toEqual([2, null]);
    expect([only1.fetch(p0, 0), only1.fetch(p1, 0)]).toEqual([null, 1]);
    expect(() => streams.store(StoreQueryParameters.fromNameAndType('per-window', type).withPartition(5))).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE_STORE' }),
    );
  });

  it('should query a session store: by key, by session bounds, and one session', () => {
    const sessions = streams.store(
      StoreQueryParameters.fromNameAndType('sessions', QueryableStoreTypes.sessionStore<string, number>()),
    );
    // p0's clicks at 1 and 3 make one session, 12 another (the gap is 5).
    const of = (kvs: { key: { window: { start: number; end: number } }; value: number }[]) =>
      kvs.map((kv) => [kv.key.window.start, kv.key.window.end, kv.value]);
    expect(of(sessions.fetch(p0))).toEqual([
      [1, 3, 2],
      [12, 12, 1],
    ]);
    expect(of(sessions.backwardFetch(p0))).toEqual([
      [12, 12, 1],
      [1, 3, 2],
    ]);
    expect(of(sessions.findSessions(p0, 10, 20))).toEqual([[12, 12, 1]]);
    expect(sessions.fetchSession(p0, 1, 3)).toBe(2);
    expect(sessions.fetchSession(p1, 2, 2)).toBe(1);
    expect(sessions.fetchSession(p1, 1, 3)).toBeNull();
  });

  it('should give a table its timestamps with timestampedKeyValueStore, and plain values by name', () => {
    const totals = streams.store(
      StoreQueryParameters.fromNameAndType('totals', QueryableStoreTypes.timestampedKeyValueStore<string, number>()),
    );
    expect(totals.get(p0)).toEqual({ value: 3, timestamp: 12 });
    expect(totals.get(p1)).toEqual({ value: 2, timestamp: 30 });
    expect(streams.store<string, number>('totals').get(p0)).toBe(3);
    expect(streams.store<string, number>('totals').approximateNumEntries()).toBe(2);
  });

  it('should refuse a query of another kind of store than it is', () => {
    const refused = (query: () => unknown) => {
      try {
        query();
        return undefined;
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect(refused(() => streams.store('per-window'))).toBe('INVALID_STATE_STORE');
    expect(refused(() => streams.store('sessions'))).toBe('INVALID_STATE_STORE');
    expect(
      refused(() => streams.store(StoreQueryParameters.fromNameAndType('totals', QueryableStoreTypes.windowStore()))),
    ).toBe('INVALID_STATE_STORE');
    expect(
      refused(() =>
        streams.store(StoreQueryParameters.fromNameAndType('per-window', QueryableStoreTypes.sessionStore())),
      ),
    ).toBe('INVALID_STATE_STORE');
    expect(
      refused(() =>
        streams.store(StoreQueryParameters.fromNameAndType('names-store', QueryableStoreTypes.windowStore())),
      ),
    ).toBe('INVALID_STATE_STORE');
    expect(refused(() => streams.store('no-such-store'))).toBe('INVALID_STATE_STORE');
    expect(
      refused(() =>
        streams.store(StoreQueryParameters.fromNameAndType('names-store', QueryableStoreTypes.keyValueStore())),
      ),
    ).toBeUndefined();
  });
});
