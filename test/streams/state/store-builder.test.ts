import { describe, expect, it } from 'vitest';
import { Stores } from '../../../src/streams/index.ts';
import { CacheBudget } from '../../../src/streams/state/caching-store.ts';
import { JoinWindowStoreBuilder } from '../../../src/streams/state/join-window-store.ts';
import type { StoreEnv } from '../../../src/streams/state/stores.ts';
import { StoreBuilderBase, windowedChangelogConfig } from '../../../src/streams/state/store-builder.ts';
import { I, S } from '../helpers.ts';

const DAY = 24 * 3_600_000;

/** A task's env that records what the store sends to its changelog. */
function env(applicationId = 'app') {
  const sent: { topic: string; key: Uint8Array; value: Uint8Array | null; timestamp: number }[] = [];
  const e: StoreEnv = {
    applicationId,
    taskId: '0_0',
    partition: 0,
    cacheBudget: new CacheBudget(1 << 20),
    changelog: (topic, key, value, timestamp) => sent.push({ topic, key, value, timestamp }),
    timestamp: () => 5,
  };
  return { env: e, sent };
}

// Every builder, with one write through the store it builds (the stores' own APIs differ).
// Caching is off where a builder has it, so the write reaches the changelog at once.
// biome-ignore lint/suspicious/noExplicitAny: each case writes through its own store type
type Write = (store: any) => void;
const builders = [
  {
    kind: 'key-value',
    make: () => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('totals'), S, I).withCachingDisabled(),
    write: ((s) => s.put('a', 1)) as Write,
    changelogConfig: {},
  },
  {
    kind: 'timestamped key-value',
    make: () =>
      Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('totals'), S, I).withCachingDisabled(),
    write: ((s) => s.put('a', 1)) as Write,
    changelogConfig: {},
  },
  {
    kind: 'window',
    make: () => Stores.windowStoreBuilder(Stores.inMemoryWindowStore('totals', 3_600_000, 60_000), S, I),
    write: ((s) => s.put('a', 1, 0)) as Write,
    changelogConfig: { 'cleanup.policy': 'compact,delete', 'retention.ms': 3_600_000 + DAY },
  },
  {
    kind: 'session',
    make: () => Stores.sessionStoreBuilder(Stores.inMemorySessionStore('totals', 600_000), S, I),
    write: ((s) => s.put({ key: 'a', window: { start: 0, end: 10 } }, 1)) as Write,
    changelogConfig: { 'cleanup.policy': 'compact,delete', 'retention.ms': 600_000 + DAY },
  },
  {
    kind: 'versioned',
    make: () => Stores.versionedKeyValueStoreBuilder(Stores.inMemoryVersionedKeyValueStore('totals', 120_000), S, I),
    write: ((s) => s.put('a', 1, 5)) as Write,
    changelogConfig: { 'min.compaction.lag.ms': 120_000 + DAY },
  },
  {
    kind: 'join window',
    make: () => new JoinWindowStoreBuilder(Stores.inMemoryWindowStore('totals', 2_000, 1_000, true), S, I),
    write: ((s) => s.put('a', 1, 0)) as Write,
    changelogConfig: { 'cleanup.policy': 'compact,delete', 'retention.ms': 2_000 + DAY },
  },
];

describe('StoreBuilderBase', () => {
  it('is the base of every store builder, which keeps its supplier, serdes and name', () => {
    for (const { kind, make } of builders) {
      const b = make();
      expect(b, kind).toBeInstanceOf(StoreBuilderBase);
      expect(b.name, kind).toBe('totals');
      expect(b.supplier.name, kind).toBe('totals');
      expect(b.keySerde, kind).toBe(S);
      expect(b.valueSerde, kind).toBe(I);
    }
  });

  for (const { kind, make, write, changelogConfig } of builders) {
    describe(`through the ${kind} builder`, () => {
      it('logs to <applicationId>-<store>-changelog by default, with its changelog configs', () => {
        const b = make();
        expect(b.loggingEnabled).toBe(true);
        expect(b.changelogConfig).toEqual(changelogConfig);
        const { env: e, sent } = env('orders-app');
        const built = b.build(e);
        expect(built.changelogTopic).toBe('orders-app-totals-changelog');
        write(built.store);
        expect(sent.length).toBeGreaterThan(0);
        expect(new Set(sent.map((r) => r.topic))).toEqual(new Set(['orders-app-totals-changelog']));
      });

      it('withLoggingDisabled() builds a store without a changelog; withLoggingEnabled() brings it back', () => {
        const b = make();
        expect(b.withLoggingDisabled()).toBe(b);
        expect(b.loggingEnabled).toBe(false);
        const off = env();
        const built = b.build(off.env);
        expect(built.changelogTopic).toBeUndefined();
        write(built.store);
        expect(off.sent).toEqual([]);

        expect(b.withLoggingEnabled()).toBe(b);
        expect(b.loggingEnabled).toBe(true);
        const on = env();
        expect(b.build(on.env).changelogTopic).toBe('app-totals-changelog');
      });
    });
  }

  it('caching starts where each builder has it: on for key-value stores, off for the others', () => {
    const kv = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), S, I);
    const ts = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('ts'), S, I);
    const window = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 1_000, 100), S, I);
    const session = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 1_000), S, I);
    const versioned = Stores.versionedKeyValueStoreBuilder(Stores.inMemoryVersionedKeyValueStore('v', 1_000), S, I);
    const join = new JoinWindowStoreBuilder(Stores.inMemoryWindowStore('j', 1_000, 100, true), S, I);
    expect([kv, ts, window, session, versioned, join].map((b) => b.cachingEnabled)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });

  it('the key-value and window builders turn caching off and on', () => {
    const kv = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), S, I);
    expect(kv.withCachingDisabled()).toBe(kv);
    expect(kv.cachingEnabled).toBe(false);
    expect(kv.withCachingEnabled()).toBe(kv);
    expect(kv.cachingEnabled).toBe(true);

    const window = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 1_000, 100), S, I);
    expect(window.withCachingEnabled()).toBe(window);
    expect(window.cachingEnabled).toBe(true);
    expect(window.withCachingDisabled()).toBe(window);
    expect(window.cachingEnabled).toBe(false);
  });

  it('a window store that retains duplicates ignores withCachingEnabled()', () => {
    const b = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 1_000, 100, true), S, I);
    expect(b.withCachingEnabled()).toBe(b);
    expect(b.cachingEnabled).toBe(false);
  });

  it('a versioned store never caches: withCachingDisabled() is accepted and ignored, withCachingEnabled() is absent', () => {
    const b = Stores.versionedKeyValueStoreBuilder(Stores.inMemoryVersionedKeyValueStore('v', 1_000), S, I);
    expect(b.withCachingDisabled()).toBe(b);
    expect(b.cachingEnabled).toBe(false);
    expect('withCachingEnabled' in b).toBe(false);
  });

  it('a join builder has no caching toggles', () => {
    const join = new JoinWindowStoreBuilder(Stores.inMemoryWindowStore('j', 1_000, 100, true), S, I);
    expect('withCachingEnabled' in join).toBe(false);
    expect('withCachingDisabled' in join).toBe(false);
  });

  it('a session builder starts uncached, as Kafka’s Stores.sessionStoreBuilder, and can be cached', () => {
    const session = Stores.sessionStoreBuilder(Stores.inMemorySessionStore('s', 1_000), S, I);
    expect(session.cachingEnabled).toBe(false);
    expect(session.withCachingEnabled().cachingEnabled).toBe(true);
    expect(session.withCachingDisabled().cachingEnabled).toBe(false);
  });

  it('windowedChangelogConfig keeps a changelog a day past the retention', () => {
    expect(windowedChangelogConfig(0)).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': 86_400_000 });
    expect(windowedChangelogConfig(3_600_000)).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': 90_000_000,
    });
  });
});
