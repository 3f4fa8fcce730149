import { describe, expect, it } from 'vitest';
import { StreamsBuilder, Stores } from '../../src/streams/index.ts';
import {
  type MeteredVersionedKeyValueStore,
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
} from '../../src/streams/state/versioned-store.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { I, S } from './helpers.ts';

function versionedStore(historyMs: number, sent: [Uint8Array, Uint8Array | null, number][] = []) {
  const built = Stores.versionedKeyValueStoreBuilder(Stores.inMemoryVersionedKeyValueStore('v', historyMs), S, I).build(
    {
      applicationId: 'app',
      taskId: '0_0',
      partition: 0,
      cacheBudget: null,
      changelog: (_topic, key, value, ts) => sent.push([key, value, ts]),
      timestamp: () => 0,
    },
  );
  return { store: built.store as unknown as MeteredVersionedKeyValueStore<string, number>, built };
}

describe('versioned key-value stores (KIP-889)', () => {
  it('answers the latest version and the version valid at a time, with validTo', () => {
    const { store } = versionedStore(100);
    expect(store.put('k', 1, 10)).toBe(PUT_RETURN_CODE_VALID_TO_UNDEFINED);
    expect(store.put('k', 2, 20)).toBe(PUT_RETURN_CODE_VALID_TO_UNDEFINED);
    // An older put goes into history: valid until the next newer version.
    expect(store.put('k', 15, 15)).toBe(20);
    expect(store.get('k')).toEqual({ value: 2, timestamp: 20 });
    expect(store.get('k', 9)).toBeNull();
    expect(store.get('k', 10)).toEqual({ value: 1, timestamp: 10, validTo: 15 });
    expect(store.get('k', 17)).toEqual({ value: 15, timestamp: 15, validTo: 20 });
    expect(store.get('k', 1_000)).toEqual({ value: 2, timestamp: 20 });
    // The same timestamp replaces that version.
    expect(store.put('k', 16, 15)).toBe(20);
    expect(store.get('k', 15)).toEqual({ value: 16, timestamp: 15, validTo: 20 });
  });

  it('keeps tombstones as versions: deleted now, readable before', () => {
    const { store } = versionedStore(100);
    store.put('k', 1, 10);
    expect(store.delete('k', 30)).toEqual({ value: 1, timestamp: 10 });
    expect(store.get('k')).toBeNull();
    expect(store.get('k', 29)).toEqual({ value: 1, timestamp: 10, validTo: 30 });
    expect(store.get('k', 30)).toBeNull();
    expect(store.put('k', 5, 40)).toBe(PUT_RETURN_CODE_VALID_TO_UNDEFINED);
    expect(store.get('k')).toEqual({ value: 5, timestamp: 40 });
  });

  it('drops puts and answers no reads older than the history retention behind the newest timestamp', () => {
    const { store } = versionedStore(50);
    store.put('k', 1, 10);
    store.put('k', 2, 100);
    expect(store.put('k', 3, 49)).toBe(PUT_RETURN_CODE_NOT_PUT);
    expect(store.put('k', 4, 50)).toBe(100);
    expect(store.get('k', 49)).toBeNull();
    expect(store.get('k', 60)).toEqual({ value: 4, timestamp: 50, validTo: 100 });
    store.put('other', 1, 200);
    // The horizon is now 150: the version of 50 is no longer readable.
    expect(store.get('k', 120)).toBeNull();
    expect(store.get('k', 150)).toEqual({ value: 2, timestamp: 100 });
  });

  it("logs each put as Kafka does (plain value, null for a delete, on the put's timestamp) and restores by replaying them", () => {
    const sent: [Uint8Array, Uint8Array | null, number][] = [];
    const { store } = versionedStore(100, sent);
    store.put('k', 1, 10);
    store.put('k', 2, 20);
    store.delete('k', 30);
    store.put('k', 3, 25);
    expect(sent.map(([k, v, ts]) => [S.deserialize('t', k), v === null ? null : I.deserialize('t', v), ts])).toEqual([
      ['k', 1, 10],
      ['k', 2, 20],
      ['k', null, 30],
      ['k', 3, 25],
    ]);
    const copy = versionedStore(100);
    for (const [key, value, ts] of sent) copy.built.restoreValue!(value, ts, key);
    for (const t of [10, 20, 25, 29, 30]) expect(copy.store.get('k', t)).toEqual(store.get('k', t));
  });

  // Kafka's IQv2VersionedStoreIntegrationTest, its multi-versioned key queries: four versions of a
  // key ten apart, read whole, in either order, and over time ranges.
  it('answers the versions valid over a time range, newest first unless ascending (MultiVersionedKeyQuery)', () => {
    const { store } = versionedStore(10_000);
    const T = [1_000, 1_010, 1_020, 1_030];
    const V = [2, 20, 200, 2_000];
    for (let i = 0; i < 4; i++) store.put('k', V[i]!, T[i]!);
    const version = (i: number) =>
      i === 3 ? { value: V[i], timestamp: T[i] } : { value: V[i], timestamp: T[i], validTo: T[i + 1] };
    const span = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, j) => version(from + j));
    expect(store.versions('k', null, null)).toEqual(span(0, 3).reverse());
    expect(store.versions('k', null, null, true)).toEqual(span(0, 3));
    // From a time inside the second version's validity: the first had ended before it.
    expect(store.versions('k', T[1]! + 5, null)).toEqual(span(1, 3).reverse());
    // From the second version's own start: the first ended exactly then, so it is not valid at it.
    expect(store.versions('k', T[1]!, null, true)).toEqual(span(1, 3));
    // Up to the third's start: the latest began after it.
    expect(store.versions('k', null, T[2]!, true)).toEqual(span(0, 2));
    expect(store.versions('k', T[1]!, T[2]!, true)).toEqual(span(1, 2));
    // Before the first version, and a key with none.
    expect(store.versions('k', T[0]! - 100, T[0]! - 50)).toEqual([]);
    expect(store.versions('other', null, null)).toEqual([]);
  });

  it('leaves tombstones and versions past the history retention out of a multi-version read', () => {
    const { store } = versionedStore(50);
    store.put('k', 1, 10);
    store.put('k', 2, 20);
    store.delete('k', 30);
    store.put('k', 3, 40);
    expect(store.versions('k', null, null, true)).toEqual([
      { value: 1, timestamp: 10, validTo: 20 },
      { value: 2, timestamp: 20, validTo: 30 },
      { value: 3, timestamp: 40 },
    ]);
    // The newest timestamp 75 puts the horizon at 25: only what was still valid after it is read.
    store.put('other', 0, 75);
    expect(store.versions('k', null, null, true)).toEqual([
      { value: 2, timestamp: 20, validTo: 30 },
      { value: 3, timestamp: 40 },
    ]);
    // The latest never expires.
    store.put('other', 0, 1_000);
    expect(store.versions('k', null, null)).toEqual([{ value: 3, timestamp: 40 }]);
  });
});

function versionedJoin(graceMs: number, left = false) {
  const b = new StreamsBuilder();
  const table = b.table('prices', {
    keySerde: S,
    valueSerde: I,
    materialized: { storeSupplier: Stores.persistentVersionedKeyValueStore('prices-store', 1_000) },
  });
  table.toStream().to('table-updates', { keySerde: S, valueSerde: I });
  const orders = b.stream('orders', { keySerde: S, valueSerde: S });
  (left
    ? orders.leftJoin(table, (o, p) => `${o}@${p}`, { gracePeriodMs: graceMs })
    : orders.join(table, (o, p) => `${o}@${p}`, { gracePeriodMs: graceMs })
  ).to('priced', { keySerde: S, valueSerde: S });
  const topology = b.build();
  const d = new TopologyTestDriver(topology);
  return {
    topology,
    d,
    prices: d.createInputTopic('prices', S, I),
    orders: d.createInputTopic('orders', S, S),
    out: d.createOutputTopic('priced', S, S),
    updates: d.createOutputTopic('table-updates', S, I),
  };
}

const rows = (out: { readRecordsToList(): { key: unknown; value: unknown; timestamp: number }[] }) =>
  out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);

describe('stream-table joins with a versioned table (KIP-914) and a grace period (KIP-923)', () => {
  it('joins each record with the table as of its timestamp, not the latest value', () => {
    const h = versionedJoin(0, true);
    h.prices.pipeInput('apple', 3, 10);
    h.prices.pipeInput('apple', 4, 20);
    h.orders.pipeInput('apple', 'o1', 15);
    h.orders.pipeInput('apple', 'o2', 25);
    h.orders.pipeInput('apple', 'o3', 5);
    expect(rows(h.out)).toEqual([
      ['apple', 'o1@3', 15],
      ['apple', 'o2@4', 25],
      ['apple', 'o3@null', 5],
    ]);
  });

  it('keeps an out-of-order table update in history without forwarding it, and joins see it', () => {
    const h = versionedJoin(0);
    h.prices.pipeInput('apple', 3, 10);
    h.prices.pipeInput('apple', 4, 20);
    h.prices.pipeInput('apple', 7, 12);
    expect(rows(h.updates)).toEqual([
      ['apple', 3, 10],
      ['apple', 4, 20],
    ]);
    h.orders.pipeInput('apple', 'o', 13);
    expect(rows(h.out)).toEqual([['apple', 'o@7', 13]]);
  });

  it('holds stream records for the grace period and joins them in timestamp order, each as of its time', () => {
    const h = versionedJoin(10);
    h.prices.pipeInput('apple', 1, 0);
    h.orders.pipeInput('apple', 'a', 10);
    h.orders.pipeInput('apple', 'b', 12);
    expect(rows(h.out)).toEqual([]);
    // The table catches up while the orders wait.
    h.prices.pipeInput('apple', 2, 8);
    h.prices.pipeInput('apple', 3, 11);
    h.orders.pipeInput('apple', 'c', 21);
    expect(rows(h.out)).toEqual([['apple', 'a@2', 10]]);
    // Stream time 30: records up to 20 are due; c (21) waits on.
    h.orders.pipeInput('apple', 'd', 30);
    expect(rows(h.out)).toEqual([['apple', 'b@3', 12]]);
    // Later than the grace period already: joined at once.
    h.orders.pipeInput('apple', 'late', 9);
    expect(rows(h.out)).toEqual([['apple', 'late@2', 9]]);
    expect(h.topology.describe().toString()).toContain('KSTREAM-JOIN-0000000005-Buffer');
    expect(h.d.readTopic('test-KSTREAM-JOIN-0000000005-Buffer-changelog').length).toBeGreaterThan(0);
  });

  it('refuses a grace period on a table that is not versioned, as Kafka does', () => {
    const b = new StreamsBuilder();
    const table = b.table('t', { keySerde: S, valueSerde: S });
    expect(() =>
      b.stream('s', { keySerde: S, valueSerde: S }).join(table, (a, c) => a + c, { gracePeriodMs: 5 }),
    ).toThrow(expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }));
  });
});
