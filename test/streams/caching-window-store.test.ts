import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import {
  KafkaStreams,
  type MeteredWindowStore,
  Stores,
  StreamsBuilder,
  TimeWindows,
  type Windowed,
  WindowedSerdes,
  windowedToString,
} from '../../src/streams/index.ts';
import { CacheBudget } from '../../src/streams/state/caching-store.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { L, S } from './helpers.ts';

const SIZE = 10;
const RETENTION = 100;

/** A window store of string counts with a record cache of `maxBytes`, as a task builds it. */
function cached(maxBytes = 1 << 20, supplier = Stores.inMemoryWindowStore('w', RETENTION, SIZE)) {
  let now = 0;
  const budget = new CacheBudget(maxBytes);
  const logged: [string, number | null][] = [];
  const built = Stores.windowStoreBuilder(supplier, S, L)
    .withCachingEnabled()
    .build({
      applicationId: 'app',
      taskId: '0_0',
      partition: 0,
      cacheBudget: budget,
      changelog: (_topic, key, value) =>
        logged.push([
          new TextDecoder().decode(key.subarray(0, key.length - 12)),
          value === null ? null : L.deserialize('', value),
        ]),
      timestamp: () => now,
    });
  const store = built.store as unknown as MeteredWindowStore<string, number>;
  const forwarded: [string, number | null, number | null, number][] = [];
  const caches = store.setFlushListener((key, newValue, oldValue, timestamp) =>
    forwarded.push([windowedToString(key), newValue, oldValue, timestamp]),
  );
  return {
    store,
    caches,
    budget,
    logged,
    forwarded,
    stored: () => built.bytes.approximateNumEntries(),
    bytes: built.bytes,
    at: (ms: number) => {
      now = ms;
    },
  };
}

/** The same store without a cache. */
function uncached() {
  const built = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', RETENTION, SIZE), S, L).build({
    applicationId: 'app',
    taskId: '0_0',
    partition: 0,
    cacheBudget: null,
    changelog: () => {},
    timestamp: () => 0,
  });
  return built.store as unknown as MeteredWindowStore<string, number>;
}

describe('caching window store (Kafka CachingPersistentWindowStoreTest)', () => {
  it('shouldPutFetchFromCache: reads answer from the cache; nothing reaches the store or changelog before a flush', () => {
    const { store, caches, stored, logged } = cached();
    expect(caches).toBe(true);
    store.put('a', 1, 10);
    store.put('b', 2, 10);
    expect(store.fetch('a', 10)).toBe(1);
    expect(store.fetch('b', 10)).toBe(2);
    expect(store.fetch('c', 10)).toBe(null);
    expect(store.fetch('a', 0)).toBe(null);
    expect(store.fetch('a', 10, 10)).toEqual([{ key: 10, value: 1 }]);
    expect(stored()).toBe(0);
    expect(logged).toEqual([]);
  });

  it('shouldForwardDirtyItemsWhenFlushCalled: one write, one changelog record and one change per window per flush, with the stored value as the old one', () => {
    const { store, stored, logged, forwarded, at } = cached();
    at(12);
    store.put('1', 1, 10);
    store.put('1', 2, 10);
    store.inner.flush();
    expect(forwarded).toEqual([['[1@10/20]', 2, null, 12]]);
    expect(logged).toEqual([['1', 2]]);
    expect(stored()).toBe(1);
    forwarded.length = 0;
    store.put('1', 3, 10);
    store.inner.flush();
    expect(forwarded).toEqual([['[1@10/20]', 3, 2, 12]]);
    forwarded.length = 0;
    store.put('1', null, 10);
    store.inner.flush();
    expect(forwarded).toEqual([['[1@10/20]', null, 3, 12]]);
    expect(stored()).toBe(0);
    // Made and deleted between two flushes: nothing to tell.
    forwarded.length = 0;
    store.put('1', 1, 10);
    store.put('1', 2, 10);
    store.put('1', null, 10);
    store.inner.flush();
    expect(forwarded).toEqual([]);
  });

  it('should flush in the order of each window’s last write, as Kafka’s cache flushes its dirty entries', () => {
    const { store, forwarded, logged } = cached();
    store.put('a', 1, 10);
    store.put('b', 1, 10);
    store.put('c', 1, 20);
    store.put('a', 2, 10);
    store.inner.flush();
    expect(forwarded.map(([w, v]) => `${w}=${v}`)).toEqual(['[b@10/20]=1', '[c@20/30]=1', '[a@10/20]=2']);
    expect(logged).toEqual([
      ['b', 1],
      ['c', 1],
      ['a', 2],
    ]);
    // Written once each, the next flush goes in the map's own order again.
    forwarded.length = 0;
    store.put('d', 1, 20);
    store.put('e', 1, 20);
    store.inner.flush();
    expect(forwarded.map(([w]) => w)).toEqual(['[d@20/30]', '[e@20/30]']);
  });

  it('shouldTakeValueFromCacheIfSameTimestampFlushed, shouldIterateCacheAndStore: ranges merge the cache over the store, in start order', () => {
    const { store } = cached();
    store.put('1', 1, 10);
    store.put('1', 5, 30);
    store.inner.flush();
    store.put('1', 2, 10);
    store.put('1', 3, 20);
    expect(store.fetch('1', 10, 10)).toEqual([{ key: 10, value: 2 }]);
    expect(store.fetch('1', 0, 100)).toEqual([
      { key: 10, value: 2 },
      { key: 20, value: 3 },
      { key: 30, value: 5 },
    ]);
    expect(store.backwardFetch('1', 0, 100).map((e) => e.key)).toEqual([30, 20, 10]);
    // A cached delete hides the stored window.
    store.put('1', null, 30);
    expect(store.fetch('1', 0, 100).map((e) => e.key)).toEqual([10, 20]);
  });

  it('should put the window it is given after fetching another key’s window of the same start', () => {
    for (const { store } of [cached(), { store: uncached() }]) {
      store.put('a', 1, 10);
      expect(store.fetch('a', 10)).toBe(1);
      store.put('b', 2, 10);
      expect([store.fetch('a', 10), store.fetch('b', 10)]).toEqual([1, 2]);
    }
  });

  it('should put a window fetched before a flush or eviction took it out of the cache', () => {
    const { store, stored, forwarded } = cached();
    store.put('a', 1, 10);
    expect(store.fetch('a', 10)).toBe(1);
    store.inner.flush();
    store.put('a', 2, 10);
    expect(store.fetch('a', 10)).toBe(2);
    store.inner.flush();
    expect(stored()).toBe(1);
    expect(forwarded.map(([w, n, o]) => [w, n, o])).toEqual([
      ['[a@10/20]', 1, null],
      ['[a@10/20]', 2, 1],
    ]);
    // Fetched while not cached, then cached by the flush's listener-free path: still one window.
    expect(store.fetch('b', 10)).toBe(null);
    store.inner.flush();
    store.put('b', 3, 10);
    expect(store.fetch('b', 10)).toBe(3);
  });

  it('should tell a window fetched from nowhere and then put as new at its flush, without reading the store again', () => {
    const { store, bytes, forwarded } = cached();
    let reads = 0;
    const get = bytes.get.bind(bytes);
    bytes.get = (key) => {
      reads++;
      return get(key);
    };
    // As an aggregation does: fetch the window (nothing cached, nothing stored), then put it.
    expect(store.fetch('k', 10)).toBe(null);
    expect(reads).toBe(1);
    store.put('k', 1, 10);
    store.inner.flush();
    expect(reads).toBe(1);
    // Stored now: the next fetch reads it, and the flush reads the store for the old value.
    expect(store.fetch('k', 10)).toBe(1);
    store.put('k', 2, 10);
    store.inner.flush();
    expect(reads).toBe(3);
    // Fetched from nowhere, then a flush between the fetch and a second put: the old value is read.
    expect(store.fetch('m', 10)).toBe(null);
    store.put('m', 5, 10);
    store.inner.flush();
    store.put('m', 6, 10);
    store.inner.flush();
    expect(forwarded.map(([w, n, o]) => [w, n, o])).toEqual([
      ['[k@10/20]', 1, null],
      ['[k@10/20]', 2, 1],
      ['[m@10/20]', 5, null],
      ['[m@10/20]', 6, 5],
    ]);
  });

  it('should write through, in the same flush, what its listener puts back: a window not written yet with its new value, a written one again', () => {
    // The helper's listener is replaced by this test's own.
    const { store, budget, stored, at } = cached();
    const told: string[] = [];
    store.setFlushListener((key, newValue) => {
      told.push(`${windowedToString(key)}=${newValue}`);
      // Writing a: b (not written yet) changes in place; a itself (written) comes back once more.
      if (key.key === 'a' && newValue === 1) {
        store.put('b', 20, 10);
        store.put('a', 100, 10);
      }
    });
    store.put('a', 1, 10);
    store.put('b', 2, 10);
    store.put('c', 3, 10);
    store.inner.flush();
    expect(told).toEqual(['[a@10/20]=1', '[b@10/20]=20', '[c@10/20]=3', '[a@10/20]=100']);
    expect(store.fetch('a', 10)).toBe(100);
    expect(store.fetch('b', 10)).toBe(20);
    expect(stored()).toBe(3);
    // A listener that throws: the windows written before it stay written, the rest stay cached.
    let failOn: string | undefined = 'f';
    told.length = 0;
    store.setFlushListener((key, newValue) => {
      if (key.key === failOn) throw new Error('downstream failed');
      told.push(`${windowedToString(key)}=${newValue}`);
    });
    store.put('e', 1, 10);
    store.put('f', 1, 10);
    store.put('g', 1, 10);
    expect(() => store.inner.flush()).toThrow('downstream failed');
    failOn = undefined;
    store.inner.flush();
    expect(told).toEqual(['[e@10/20]=1', '[g@10/20]=1']);
    expect(budget.used).toBe(0);
    // A listener that always writes back is a loop: the flush fails instead of running forever.
    store.setFlushListener((key, newValue) => store.put(key.key, (newValue ?? 0) + 1, key.window.start));
    at(1);
    store.put('d', 1, 10);
    expect(() => store.inner.flush()).toThrow(expect.objectContaining({ code: 'ILLEGAL_STATE' }));
  });

  it('should keep ASCII and non-ASCII keys apart and in byte order, cached or stored, and serialize their windowed keys as UTF-8', () => {
    const { store } = cached();
    const keys = ['a', 'ab', 'é', 'aé', '\u007f', '日本', 'z'];
    for (const [i, k] of keys.entries()) store.put(k, i + 1, 10);
    store.inner.flush();
    store.put('ü', 9, 10);
    for (const [i, k] of keys.entries()) expect(store.fetch(k, 10)).toBe(i + 1);
    expect(store.fetch('ü', 10)).toBe(9);
    const byBytes = [...keys, 'ü'].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(store.fetchAll(0, 100).map((e) => e.key.key)).toEqual(byBytes);
    const ws = WindowedSerdes.timeWindowedSerdeFrom(S, SIZE);
    for (const k of [...keys, 'ü']) {
      const bytes = ws.serialize('t', { key: k, window: { start: 10, end: 20 } })!;
      expect(Buffer.from(bytes.subarray(0, bytes.length - 8)).toString('utf8')).toBe(k);
      expect(ws.deserialize('t', bytes)).toEqual({ key: k, window: { start: 10, end: 20 } });
      expect(Buffer.from(ws.serializeBaseKey('t', { key: k, window: { start: 10, end: 20 } })!)).toEqual(
        Buffer.from(k),
      );
    }
  });

  it('shouldFetchAndIterateOverExactKeys: a key is not confused with a longer key it prefixes, cached or stored', () => {
    const { store } = cached();
    store.put('a', 1, 0);
    store.put('aa', 2, 0);
    store.inner.flush();
    store.put('a', 3, 1);
    store.put('aa', 4, 1);
    store.put('a', 5, 60);
    expect(store.fetch('a', 0, Number.MAX_SAFE_INTEGER)).toEqual([
      { key: 0, value: 1 },
      { key: 1, value: 3 },
      { key: 60, value: 5 },
    ]);
    expect(store.fetch('aa', 0, Number.MAX_SAFE_INTEGER).map((e) => e.value)).toEqual([2, 4]);
  });

  it('shouldFetchAllWithinTimestampRange, shouldGetAllFromCache: fetchAll and all see cached and stored windows, by start then key', () => {
    const { store } = cached();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    keys.forEach((k, i) => {
      store.put(k, i, i);
      if (i === 3) store.inner.flush();
    });
    expect(store.fetchAll(0, 7).map((e) => windowedToString(e.key))).toEqual(
      keys.map((k, i) => `[${k}@${i}/${i + SIZE}]`),
    );
    expect(store.fetchAll(2, 4).map((e) => e.value)).toEqual([2, 3, 4]);
    expect(store.backwardFetchAll(5, 7).map((e) => e.value)).toEqual([7, 6, 5]);
    expect(store.all()).toHaveLength(8);
  });

  it('shouldFlushEvictedItemsIntoUnderlyingStore, shouldForwardDirtyItemToListenerWhenEvicted: past the budget the least recently used windows are written through and forwarded', () => {
    const { store, stored, forwarded, budget } = cached(2_000);
    let i = 0;
    while (forwarded.length === 0) store.put(String(i++), i, 10);
    expect(stored()).toBeGreaterThan(0);
    expect(forwarded[0]![0]).toBe('[0@10/20]');
    expect(budget.used).toBeLessThanOrEqual(2_000);
    store.inner.flush();
    expect(forwarded).toHaveLength(i);
    expect(stored()).toBe(i);
    expect(budget.used).toBe(0);
  });

  it('should forward and log a window that expired while cached, and not keep it in the store (as Kafka’s segmented store skips it)', () => {
    const { store, stored, logged, forwarded } = cached();
    store.put('a', 1, 0);
    store.put('b', 1, 500); // retention 100: the window at 0 has now expired
    // Still read from the cache until the commit (Kafka's CachingWindowStore.fetch reads it so).
    expect(store.fetch('a', 0)).toBe(1);
    store.inner.flush();
    expect(forwarded.map((f) => f[0])).toEqual(['[a@0/10]', '[b@500/510]']);
    expect(logged).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    expect(stored()).toBe(1);
    expect(store.all().map((e) => windowedToString(e.key))).toEqual(['[b@500/510]']);
  });

  it('shouldClearNamespaceCacheOnClose: closing gives the cache’s bytes back to the budget', async () => {
    const { store, budget } = cached();
    store.put('a', 1, 0);
    expect(budget.used).toBeGreaterThan(0);
    await store.inner.close();
    expect(budget.used).toBe(0);
  });

  it('should not cache a store that retains duplicates (a join’s), and cache none by default', () => {
    expect(
      Stores.windowStoreBuilder(Stores.inMemoryWindowStore('j', 100, 10, true), S, L).withCachingEnabled()
        .cachingEnabled,
    ).toBe(false);
    expect(Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 100, 10), S, L).cachingEnabled).toBe(false);
    expect(cached(1 << 20, Stores.inMemoryWindowStore('j', 100, 10, true)).caches).toBe(false);
  });
});

describe('windowed aggregations with caching (Kafka TimeWindowedKStreamImplTest)', () => {
  const counts = (caching: boolean) => {
    const b = new StreamsBuilder();
    b.stream('clicks', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5).advanceBy(5))
      .count({ materialized: { storeName: 'counts', storeType: 'in-memory', cachingEnabled: caching } })
      .toStream()
      .to('counts-out', { keySerde: WindowedSerdes.timeWindowedSerdeFrom(S, 10), valueSerde: L });
    return b;
  };
  const input: [string, number][] = [
    ['a', 1],
    ['a', 2],
    ['b', 6],
    ['a', 7],
    ['a', 3],
    ['b', 21],
    ['a', 12],
  ];

  it('shouldCountWindowed: the test driver commits after every record, so a cached count forwards just what an uncached one does', () => {
    const rows = (caching: boolean) => {
      const d = new TopologyTestDriver(counts(caching).build());
      const pipe = d.createInputTopic('clicks', S, S);
      for (const [k, ts] of input) pipe.pipeInput(k, 'x', ts);
      const out = d
        .createOutputTopic('counts-out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), L)
        .readRecordsToList()
        .map((r) => [windowedToString(r.key as Windowed<string>), r.value, r.timestamp]);
      const store = d.getWindowStore<string, number>('counts');
      const finalA = store.fetch('a', 10);
      d.close();
      return { out, finalA };
    };
    const withCache = rows(true);
    expect(withCache).toEqual(rows(false));
    expect(withCache.finalA).toBe(1);
    expect(withCache.out.slice(0, 3)).toEqual([
      ['[a@0/10]', 1, 1],
      ['[a@0/10]', 2, 2],
      ['[b@0/10]', 1, 6],
    ]);
  });

  it('should forward a cached cogrouped windowed aggregate once per window per record, whichever stream it came from', () => {
    const b = new StreamsBuilder();
    const concat = (_k: string, v: string, agg: string) => agg + v;
    const one = b.stream('one', { keySerde: S, valueSerde: S }).groupByKey();
    const two = b.stream('two', { keySerde: S, valueSerde: S }).groupByKey();
    one
      .cogroup<string>(concat)
      .cogroup(two, concat)
      .windowedBy(TimeWindows.ofSizeAndGrace(100, 20))
      .aggregate(() => '', { materialized: { storeName: 'w', valueSerde: S } })
      .toStream()
      .to('out', { keySerde: WindowedSerdes.timeWindowedSerdeFrom(S, 100), valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    const a = d.createInputTopic('one', S, S);
    const c = d.createInputTopic('two', S, S);
    a.pipeInput('k', 'A', 10);
    c.pipeInput('k', 'B', 50);
    c.pipeInput('k', 'B', 115);
    a.pipeInput('k', 'A', 150);
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 100), S);
    expect(out.readRecordsToList().map((r) => [r.key!.key, r.key!.window.start, r.value, r.timestamp])).toEqual([
      ['k', 0, 'A', 10],
      ['k', 0, 'AB', 50],
      ['k', 100, 'B', 115],
      ['k', 100, 'BA', 150],
    ]);
    d.close();
  });

  it('should forward one change per window per commit on a real log when cached, every update when not', async () => {
    const run = async (caching: boolean) => {
      const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
      await log.createTopic({ topic: 'clicks', numPartitions: 1 });
      await log.createTopic({ topic: 'counts-out', numPartitions: 1 });
      const enc = new TextEncoder();
      await log.append(
        'clicks',
        0,
        input.map(([k, ts]) => ({ key: enc.encode(k), value: enc.encode('x'), timestamp: ts })),
      );
      const streams = new KafkaStreams(counts(caching).build(), {
        applicationId: `cached-${caching}`,
        log,
        commitIntervalMs: 60_000,
      });
      await streams.start();
      await streams.waitForIdle();
      await streams.close();
      const ws = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
      const out = (await log.read('counts-out', 0, 0)).records.map(
        (r) => `${windowedToString(ws.deserialize('', r.key)!)}=${L.deserialize('', r.value)}`,
      );
      const changelog = log.offsets('cached-' + caching + '-counts-changelog', 0).highWatermark;
      await log.close();
      return { out, changelog };
    };
    const uncached = await run(false);
    expect(uncached.out).toHaveLength(10);
    expect(uncached.changelog).toBe(10);
    const withCache = await run(true);
    // Every window once, with its last count (a@12 is too late for [5, 15) by then).
    expect(withCache.out.sort()).toEqual(
      ['[a@0/10]=4', '[a@5/15]=1', '[a@10/20]=1', '[b@0/10]=1', '[b@5/15]=1', '[b@15/25]=1', '[b@20/30]=1'].sort(),
    );
    expect(withCache.changelog).toBe(withCache.out.length);
  });
});
