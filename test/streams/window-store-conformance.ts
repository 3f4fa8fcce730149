import { expect, it } from 'vitest';
import type { MeteredWindowStore } from '../../src/streams/index.ts';

/**
 * The window store contract, run against every implementation (as Kafka's
 * AbstractWindowBytesStoreTest): `factory(retentionMs, windowSizeMs, retainDuplicates)` returns a
 * fresh, empty store of strings to numbers, and `setTime` sets the timestamp plain puts carry.
 */
type Store = MeteredWindowStore<string, number>;
type Factory = (retentionMs: number, windowSizeMs: number, retainDuplicates?: boolean) => Store | Promise<Store>;

export function windowStoreSuite(factory: Factory, setTime: (ms: number) => void): void {
  it('should fetch one window by key and start, and null for any other', async () => {
    const store = await factory(1_000, 10);
    setTime(5);
    store.put('a', 1, 0);
    store.put('a', 2, 10);
    store.put('b', 3, 0);
    expect(store.fetch('a', 0)).toBe(1);
    expect(store.fetch('a', 10)).toBe(2);
    expect(store.fetch('b', 0)).toBe(3);
    expect(store.fetch('b', 10)).toBeNull();
    expect(store.fetch('c', 0)).toBeNull();
    expect(store.fetchWithTimestamp('a', 0)).toEqual({ value: 1, timestamp: 5 });
    store.putWithTimestamp('a', 7, 0, 99);
    expect(store.fetchWithTimestamp('a', 0)).toEqual({ value: 7, timestamp: 99 });
    store.put('a', null, 0);
    expect(store.fetch('a', 0)).toBeNull();
  });

  it("should fetch a key's windows by start range, forwards and backwards, without keys that merely share a prefix", async () => {
    const store = await factory(1_000, 10);
    for (const start of [0, 5, 10, 15, 20]) store.put('a', start, start);
    store.put('aa', 100, 10);
    store.put('', 200, 10);
    expect(store.fetch('a', 5, 15)).toEqual([
      { key: 5, value: 5 },
      { key: 10, value: 10 },
      { key: 15, value: 15 },
    ]);
    expect(store.backwardFetch('a', 5, 15).map((e) => e.key)).toEqual([15, 10, 5]);
    expect(store.fetch('a', 21, 100)).toEqual([]);
    expect(store.fetch('aa', 0, 100)).toEqual([{ key: 10, value: 100 }]);
    expect(store.fetch('', 0, 100)).toEqual([{ key: 10, value: 200 }]);
  });

  it('should fetch all keys by start range in start then key order, forwards and backwards, and all()', async () => {
    const store = await factory(1_000, 10);
    store.put('b', 1, 10);
    store.put('a', 2, 10);
    store.put('c', 3, 0);
    store.put('a', 4, 20);
    const w = (key: string, start: number, value: number) => ({
      key: { key, window: { start, end: start + 10 } },
      value,
    });
    expect(store.fetchAll(0, 10)).toEqual([w('c', 0, 3), w('a', 10, 2), w('b', 10, 1)]);
    expect(store.backwardFetchAll(10, 20)).toEqual([w('a', 20, 4), w('b', 10, 1), w('a', 10, 2)]);
    expect(store.all()).toEqual([w('c', 0, 3), w('a', 10, 2), w('b', 10, 1), w('a', 20, 4)]);
  });

  it('should expire windows that start at or before the newest start minus the retention, and refuse writes to them', async () => {
    const store = await factory(100, 10);
    store.put('a', 1, 0);
    store.put('a', 2, 50);
    store.put('a', 3, 100);
    // Newest start 100, retention 100: the window at 0 is gone, the one at 50 stays.
    expect(store.fetch('a', 0)).toBeNull();
    expect(store.fetch('a', 0, 200).map((e) => e.key)).toEqual([50, 100]);
    store.put('a', 9, 0);
    expect(store.metrics.expired).toBe(1);
    expect(store.fetch('a', 0)).toBeNull();
    // Far ahead: a new segment, and the expired windows leave the store itself.
    store.put('b', 4, 200_000);
    expect(store.all().map((e) => [e.key.key, e.key.window.start])).toEqual([['b', 200_000]]);
    expect(store.inner.approximateNumEntries()).toBe(1);
  });

  it('should expire a window put into a segment after the segment was emptied by an expiry a delete set off', async () => {
    const store = await factory(100, 10);
    store.put('a', 1, 0);
    // A delete at 100 moves the newest start: the window at 0 expires, its segment is emptied.
    store.put('x', null, 100);
    expect(store.fetch('a', 0)).toBeNull();
    // 40 is within retention, in that same segment.
    store.put('b', 5, 40);
    expect(store.fetch('b', 40)).toBe(5);
    // Far enough ahead that the segment expires whole: b@40 leaves the store itself.
    store.put('c', 6, 200);
    expect(store.all().map((e) => [e.key.key, e.key.window.start])).toEqual([['c', 200]]);
    expect(store.inner.approximateNumEntries()).toBe(1);
  });

  it('should keep every put of a key and window when retaining duplicates, and ignore null puts', async () => {
    const store = await factory(1_000, 10, true);
    store.put('a', 1, 0);
    store.put('a', 2, 0);
    store.put('a', null, 0);
    store.put('a', 3, 5);
    expect(store.fetch('a', 0, 10)).toEqual([
      { key: 0, value: 1 },
      { key: 0, value: 2 },
      { key: 5, value: 3 },
    ]);
  });
}
