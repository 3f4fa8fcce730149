import { expect, it } from 'vitest';
import type { MeteredSessionStore } from '../../src/streams/index.ts';

/**
 * The session store contract, run against every implementation (as Kafka's
 * AbstractSessionBytesStoreTest): `factory(retentionMs)` returns a fresh, empty store of strings to
 * numbers.
 */
type Store = MeteredSessionStore<string, number>;

const s = (key: string, start: number, end: number) => ({ key, window: { start, end } });

export function sessionStoreSuite(factory: (retentionMs: number) => Store | Promise<Store>): void {
  it('should put, fetch one session exactly, and remove it', async () => {
    const store = await factory(1_000);
    store.put(s('a', 0, 10), 1);
    store.put(s('a', 20, 30), 2);
    expect(store.fetchSession('a', 0, 10)).toBe(1);
    expect(store.fetchSession('a', 0, 11)).toBeNull();
    store.remove(s('a', 0, 10));
    expect(store.fetchSession('a', 0, 10)).toBeNull();
    expect(store.fetch('a')).toEqual([{ key: s('a', 20, 30), value: 2 }]);
  });

  it('should find the sessions overlapping [earliest end, latest start], by end, without prefix-sharing keys', async () => {
    const store = await factory(1_000);
    store.put(s('a', 0, 0), 1);
    store.put(s('a', 10, 20), 2);
    store.put(s('a', 50, 60), 3);
    store.put(s('aa', 10, 20), 9);
    expect(store.findSessions('a', 5, 55).map((e) => e.value)).toEqual([2, 3]);
    expect(store.findSessions('a', 0, 0).map((e) => e.value)).toEqual([1]);
    expect(store.findSessions('a', 21, 49)).toEqual([]);
    expect(store.fetch('a').map((e) => e.value)).toEqual([1, 2, 3]);
    expect(store.backwardFetch('a').map((e) => e.value)).toEqual([3, 2, 1]);
    expect(store.fetch('aa')).toEqual([{ key: s('aa', 10, 20), value: 9 }]);
  });

  it('should expire sessions ending at or before the newest end minus the retention', async () => {
    const store = await factory(100);
    store.put(s('a', 0, 10), 1);
    store.put(s('a', 100, 110), 2);
    expect(store.fetch('a').map((e) => e.value)).toEqual([2]);
    store.put(s('b', 0, 5), 3);
    expect(store.metrics.expired).toBe(1);
    expect(store.inner.approximateNumEntries()).toBe(1);
  });
}
