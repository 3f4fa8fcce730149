import { expect, it } from 'vitest';
import type { KeyValueStore } from '../../src/streams/index.ts';

/**
 * The key-value store contract, run against every implementation and layer stack (as Kafka's
 * AbstractKeyValueStoreTest): `factory` returns a fresh, empty store of strings to numbers, and
 * `reopen`, when given, returns the same store after a restart.
 */
type Store = KeyValueStore<string, number>;

export function keyValueStoreSuite(
  factory: () => Store | Promise<Store>,
  reopen?: (store: Store) => Promise<Store>,
): void {
  it('should return null for a missing key and the value put for a present one', async () => {
    const store = await factory();
    expect(store.get('a')).toBeNull();
    store.put('a', 1);
    expect(store.get('a')).toBe(1);
    store.put('a', 2);
    expect(store.get('a')).toBe(2);
  });

  it('should delete on a null put and on delete, returning the old value', async () => {
    const store = await factory();
    store.put('a', 1);
    store.put('a', null);
    expect(store.get('a')).toBeNull();
    store.put('b', 2);
    expect(store.delete('b')).toBe(2);
    expect(store.delete('b')).toBeNull();
    expect(store.all()).toEqual([]);
  });

  it('should putIfAbsent only when absent and putAll in order', async () => {
    const store = await factory();
    expect(store.putIfAbsent('a', 1)).toBeNull();
    expect(store.putIfAbsent('a', 2)).toBe(1);
    store.putAll([
      { key: 'b', value: 2 },
      { key: 'c', value: 3 },
      { key: 'b', value: null },
    ]);
    expect(store.all()).toEqual([
      { key: 'a', value: 1 },
      { key: 'c', value: 3 },
    ]);
  });

  it('should range inclusively in key byte order, with open bounds', async () => {
    const store = await factory();
    for (const [i, k] of ['d', 'a', 'c', 'e', 'b', 'aa'].entries()) store.put(k, i);
    expect(store.range('b', 'd').map((e) => e.key)).toEqual(['b', 'c', 'd']);
    expect(store.range(null, 'aa').map((e) => e.key)).toEqual(['a', 'aa']);
    expect(store.range('d', null).map((e) => e.key)).toEqual(['d', 'e']);
    expect(store.range('x', 'z')).toEqual([]);
    expect(store.all().map((e) => e.key)).toEqual(['a', 'aa', 'b', 'c', 'd', 'e']);
    store.delete('c');
    expect(store.range('b', 'd').map((e) => e.key)).toEqual(['b', 'd']);
  });

  it('should count entries approximately (exactly, here) and agree with a model on random operations', async () => {
    const store = await factory();
    const model = new Map<string, number>();
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const key = `k${rand(150)}`;
      if (rand(4) === 0) {
        store.delete(key);
        model.delete(key);
      } else {
        store.put(key, i);
        model.set(key, i);
      }
    }
    expect(store.all()).toEqual(
      [...model.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, value]) => ({ key, value })),
    );
    for (const [k, v] of model) expect(store.get(k)).toBe(v);
    expect(store.approximateNumEntries()).toBeGreaterThanOrEqual(model.size);
  });

  if (reopen !== undefined) {
    it('should keep its data across a restart', async () => {
      const store = await factory();
      store.put('a', 1);
      store.put('b', 2);
      store.delete('a');
      const again = await reopen(store);
      expect(again.all()).toEqual([{ key: 'b', value: 2 }]);
    });
  }
}
