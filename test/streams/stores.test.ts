import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type KeyValueStore, Stores } from '../../src/streams/index.ts';
import { Serdes } from '../../src/serde/index.ts';
import { Bytes } from '../../src/streams/state/bytes.ts';
import { CacheBudget, CachingBytesStore } from '../../src/streams/state/caching-store.ts';
import { InMemoryBytesStore } from '../../src/streams/state/memory-store.ts';
import type { KeyValueBytesStoreSupplier, StoreEnv } from '../../src/streams/state/stores.ts';
import { LevelBytesStore } from '../../src/streams/state/level-store.ts';
import type { MeteredKeyValueStore } from '../../src/streams/state/metered-store.ts';
import { I, S } from './helpers.ts';
import { keyValueStoreSuite } from './store-conformance.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let seq = 0;
function build(
  supplier: KeyValueBytesStoreSupplier,
  o: { caching: boolean; logging: boolean; stateDir?: string; budget?: number },
) {
  const changelog: { key: Uint8Array; value: Uint8Array | null }[] = [];
  const b = Stores.keyValueStoreBuilder(supplier, S, I);
  if (!o.caching) b.withCachingDisabled();
  if (!o.logging) b.withLoggingDisabled();
  const env: StoreEnv = {
    applicationId: 'app',
    taskId: `0_${seq++}`,
    partition: 0,
    ...(o.stateDir !== undefined ? { stateDir: o.stateDir } : {}),
    cacheBudget: new CacheBudget(o.budget ?? 1 << 20),
    changelog: (_t, key, value) => changelog.push({ key, value }),
    timestamp: () => 0,
  };
  const built = b.build(env);
  return {
    store: built.store as unknown as KeyValueStore<string, number> & MeteredKeyValueStore<string, number>,
    built,
    changelog,
    env,
  };
}

const stacks = [
  { name: 'in-memory', supplier: () => Stores.inMemoryKeyValueStore('s'), caching: false, logging: false },
  { name: 'in-memory + logging', supplier: () => Stores.inMemoryKeyValueStore('s'), caching: false, logging: true },
  {
    name: 'in-memory + caching + logging',
    supplier: () => Stores.inMemoryKeyValueStore('s'),
    caching: true,
    logging: true,
  },
  {
    name: 'in-memory + tiny cache (evicting)',
    supplier: () => Stores.inMemoryKeyValueStore('s'),
    caching: true,
    logging: true,
    budget: 300,
  },
];

for (const stack of stacks) {
  describe(`key-value store: ${stack.name}`, () => {
    keyValueStoreSuite(() => build(stack.supplier(), stack).store);
  });
}

describe('key-value store: persistent (LevelDB under stateDir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trib-store-'));
  dirs.push(dir);
  let last: ReturnType<typeof build> | undefined;
  keyValueStoreSuite(
    async () => {
      last = build(Stores.persistentKeyValueStore('p'), { caching: true, logging: true, stateDir: dir });
      await (last.built.bytes as LevelBytesStore).ready;
      return last.store;
    },
    async (store) => {
      (store as MeteredKeyValueStore<string, number>).inner.flush();
      const level = last!.built.bytes as LevelBytesStore;
      await level.commit(42);
      await level.close();
      const reopened = new LevelBytesStore(join(dir, 'app', last!.env.taskId, 'p'), 'p');
      await reopened.ready;
      expect(reopened.checkpoint).toBe(42);
      return build({ name: 'p', persistent: true, get: () => reopened }, { caching: false, logging: false }).store;
    },
  );

  it('should keep only what commits wrote: writes after the last commit are gone after a reopen', async () => {
    const { store, built, env } = build(Stores.persistentKeyValueStore('p'), {
      caching: false,
      logging: false,
      stateDir: dir,
    });
    const level = built.bytes as LevelBytesStore;
    await level.ready;
    store.put('kept', 1);
    await level.commit(1);
    store.put('lost', 2);
    await level.close();
    const reopened = new LevelBytesStore(join(dir, 'app', env.taskId, 'p'), 'p');
    await reopened.ready;
    expect(reopened.approximateNumEntries()).toBe(1);
    expect(reopened.checkpoint).toBe(1);
    await reopened.close();
  });
});

describe('caching and change-logging layers', () => {
  it('should collapse updates to a key until flush, then log and forward once with the old value', () => {
    const { store, changelog } = build(Stores.inMemoryKeyValueStore('c'), { caching: true, logging: true });
    const flushed: unknown[] = [];
    expect(store.setFlushListener((key, newValue, oldValue) => flushed.push({ key, newValue, oldValue }))).toBe(true);
    store.put('a', 1);
    store.put('a', 2);
    store.put('b', 1);
    expect(store.get('a')).toBe(2);
    expect(changelog).toHaveLength(0);
    store.inner.flush();
    expect(changelog).toHaveLength(2);
    expect(flushed).toEqual([
      { key: 'a', newValue: 2, oldValue: null },
      { key: 'b', newValue: 1, oldValue: null },
    ]);
    store.put('a', 3);
    store.inner.flush();
    expect(flushed.at(-1)).toEqual({ key: 'a', newValue: 3, oldValue: 2 });
  });

  it('should log every write when caching is off, and report no cache to the processor', () => {
    const { store, changelog } = build(Stores.inMemoryKeyValueStore('c'), { caching: false, logging: true });
    expect(store.setFlushListener(() => {})).toBe(false);
    store.put('a', 1);
    store.put('a', 2);
    store.delete('a');
    expect(changelog.map((c) => c.value === null)).toEqual([false, false, true]);
  });

  it('should evict the oldest keys through when the shared budget is exceeded', () => {
    const { store, changelog } = build(Stores.inMemoryKeyValueStore('c'), {
      caching: true,
      logging: true,
      budget: 400,
    });
    for (let i = 0; i < 20; i++) store.put(`key-${i}`, i);
    expect(changelog.length).toBeGreaterThan(0);
    expect(changelog.length).toBeLessThan(20);
    for (let i = 0; i < 20; i++) expect(store.get(`key-${i}`)).toBe(i);
  });

  it('should cache a key again after it was evicted or flushed, and forward its writes once', () => {
    const { store } = build(Stores.inMemoryKeyValueStore('c'), { caching: true, logging: true, budget: 400 });
    const flushed: unknown[] = [];
    store.setFlushListener((key, newValue, oldValue) => flushed.push({ key, newValue, oldValue }));
    store.put('a', 1);
    for (let i = 0; i < 20; i++) store.put(`key-${i}`, i);
    expect(flushed).toContainEqual({ key: 'a', newValue: 1, oldValue: null });
    store.put('a', 2);
    store.put('a', 3);
    expect(store.get('a')).toBe(3);
    store.inner.flush();
    store.put('a', 4);
    expect(store.get('a')).toBe(4);
    store.inner.flush();
    expect(flushed.filter((f) => (f as { key: string }).key === 'a')).toEqual([
      { key: 'a', newValue: 1, oldValue: null },
      { key: 'a', newValue: 3, oldValue: 1 },
      { key: 'a', newValue: 4, oldValue: 3 },
    ]);
  });
});

describe('timestamped LongNumber store (a KTable count) updated in its cache', () => {
  function countStore(budget = 1 << 20) {
    const changelog: { key: string; value: string | null; ts: number }[] = [];
    const b = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('n'), S, Serdes.LongNumber());
    const env: StoreEnv = {
      applicationId: 'app',
      taskId: `0_${seq++}`,
      partition: 0,
      cacheBudget: new CacheBudget(budget),
      changelog: (_t, key, value, ts) =>
        changelog.push({ key: Buffer.from(key).toString(), value: value === null ? null : hex(value), ts }),
      timestamp: () => 0,
    };
    const built = b.build(env);
    return { store: built.store as unknown as MeteredKeyValueStore<string, number>, built, changelog };
  }
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const long = (n: number) => hex(Serdes.LongNumber().serialize('t', n)!);

  it('should leave what a flush wrote through as it was when the key is counted on', () => {
    const { store, built, changelog } = countStore();
    const flushed: unknown[] = [];
    store.setFlushListener((key, newValue, oldValue, ts) => flushed.push([key, newValue, oldValue, ts]));
    store.putWithTimestamp('a', 1, 10);
    store.putWithTimestamp('a', 2, 11);
    expect(store.getWithTimestamp('a')).toEqual({ value: 2, timestamp: 11 });
    store.inner.flush();
    const written = built.bytes.get(Bytes.fromId('a'))!;
    const before = hex(written);
    store.putWithTimestamp('a', 3, 12);
    store.putWithTimestamp('a', 4, 13);
    expect(hex(written)).toBe(before);
    expect(changelog).toEqual([{ key: 'a', value: long(2), ts: 11 }]);
    expect(store.getWithTimestamp('a')).toEqual({ value: 4, timestamp: 13 });
    store.inner.flush();
    expect(hex(written)).toBe(before);
    expect(changelog).toEqual([
      { key: 'a', value: long(2), ts: 11 },
      { key: 'a', value: long(4), ts: 13 },
    ]);
    expect(flushed).toEqual([
      ['a', 2, null, 11],
      ['a', 4, 2, 13],
    ]);
    expect(hex(built.bytes.get(Bytes.fromId('a'))!)).toBe(`${'0'.repeat(14)}0d${long(4)}`);
  });

  it('should leave what an eviction wrote through as it was, and refuse what LongNumber refuses', () => {
    const { store, built, changelog } = countStore(300);
    store.putWithTimestamp('a', 1, 1);
    for (let i = 0; i < 10; i++) store.putWithTimestamp(`key-${i}`, i, 1);
    const evicted = changelog.find((c) => c.key === 'a');
    expect(evicted).toEqual({ key: 'a', value: long(1), ts: 1 });
    const written = hex(built.bytes.get(Bytes.fromId('a'))!);
    store.putWithTimestamp('a', 5, 2);
    store.putWithTimestamp('a', 6, 3);
    expect(hex(built.bytes.get(Bytes.fromId('a'))!)).toBe(written);
    expect(store.get('a')).toBe(6);
    expect(() => store.putWithTimestamp('a', 0.5, 4)).toThrow(/safe integer/);
    expect(store.get('a')).toBe(6);
  });
});

describe('CachingBytesStore flush', () => {
  const key = (s: string) => Bytes.fromId(s);
  const text = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString());

  it('should write through, in the same flush, what its listener writes back into it', () => {
    const inner = new InMemoryBytesStore('s');
    const cache = new CachingBytesStore(inner, new CacheBudget(1 << 20), () => 0);
    const seen: string[] = [];
    cache.setFlushListener((k, value) => {
      seen.push(`${k.id}=${text(value)}`);
      // Downstream of its own flush, a processor writes a new key and rewrites one already flushed.
      if (k.id === 'a' && text(value) === '1') {
        cache.put(key('b'), Buffer.from('2'));
        cache.put(key('a'), Buffer.from('3'));
      }
    });
    cache.put(key('a'), Buffer.from('1'));
    cache.flush();
    expect(seen).toEqual(['a=1', 'b=2', 'a=3']);
    expect([text(inner.get(key('a'))), text(inner.get(key('b')))]).toEqual(['3', '2']);
    expect(cache.approximateNumEntries()).toBe(inner.approximateNumEntries());
  });

  it('should neither write nor tell a key put and deleted while cached that the store below never had (Kafka’s putAndMaybeForward)', () => {
    const writes: string[] = [];
    const inner = new InMemoryBytesStore('s');
    const put = inner.put.bind(inner);
    inner.put = (k, v) => {
      writes.push(`${k.id}=${text(v)}`);
      put(k, v);
    };
    const cache = new CachingBytesStore(inner, new CacheBudget(1 << 20), () => 0);
    const seen: string[] = [];
    cache.setFlushListener((k, value, old) => seen.push(`${k.id}=${text(value)} (was ${text(old)})`));
    inner.put(key('kept'), Buffer.from('1'));
    cache.put(key('gone'), Buffer.from('1'));
    cache.put(key('gone'), null);
    cache.put(key('kept'), null);
    cache.flush();
    // The key the store had is deleted and told; the one it never had leaves no trace (no tombstone).
    expect(seen).toEqual(['kept=null (was 1)']);
    expect(writes).toEqual(['kept=1', 'kept=null']);
  });

  it('should write through in the order of each key’s last write, as Kafka’s cache flushes its dirty entries', () => {
    const cache = new CachingBytesStore(new InMemoryBytesStore('s'), new CacheBudget(1 << 20), () => 0);
    const seen: string[] = [];
    cache.setFlushListener((k, value) => seen.push(`${k.id}=${text(value)}`));
    for (const [k, v] of [
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
      ['a', '2'],
      ['b', '2'],
    ])
      cache.put(key(k!), Buffer.from(v!));
    cache.flush();
    expect(seen).toEqual(['c=1', 'a=2', 'b=2']);
  });

  it('should evict the least recently used keys first when full, not the first written', () => {
    // Room for four one-byte keys with one-byte values (64 bytes of overhead each).
    const cache = new CachingBytesStore(new InMemoryBytesStore('s'), new CacheBudget(4 * 66), () => 0);
    const evicted: string[] = [];
    cache.setFlushListener((k) => evicted.push(k.id));
    for (const k of ['a', 'b', 'c', 'd']) cache.put(key(k), Buffer.from('1'));
    expect(evicted).toEqual([]);
    expect(text(cache.get(key('a')))).toBe('1'); // a is now the most recently used
    cache.put(key('b'), Buffer.from('2')); // and then b
    cache.put(key('e'), Buffer.from('1'));
    expect(evicted).toEqual(['c', 'd']);
    cache.flush();
    expect(evicted.slice(2).sort()).toEqual(['a', 'b', 'e']);
  });

  it('should stop a listener that keeps writing back with ILLEGAL_STATE', () => {
    const cache = new CachingBytesStore(new InMemoryBytesStore('s'), new CacheBudget(1 << 20), () => 0);
    let n = 0;
    cache.setFlushListener(() => cache.put(key('loop'), Buffer.from(String(++n))));
    cache.put(key('loop'), Buffer.from('0'));
    expect(() => cache.flush()).toThrow(expect.objectContaining({ code: 'ILLEGAL_STATE' }));
  });
});
