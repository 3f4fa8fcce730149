import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type MeteredSessionStore,
  type MeteredWindowStore,
  Stores,
  type WindowBytesStoreSupplier,
} from '../../src/streams/index.ts';
import { Bytes } from '../../src/streams/state/bytes.ts';
import type { LevelBytesStore } from '../../src/streams/state/level-store.ts';
import { L, S } from './helpers.ts';
import { sessionStoreSuite } from './session-store-conformance.ts';
import { windowStoreSuite } from './window-store-conformance.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let now = 0;
const sent: { topic: string; key: Uint8Array; value: Uint8Array | null; timestamp: number }[] = [];

function build(supplier: WindowBytesStoreSupplier, stateDir?: string) {
  const env = {
    applicationId: 'app',
    taskId: '0_0',
    partition: 0,
    cacheBudget: null,
    changelog: (topic: string, key: Uint8Array, value: Uint8Array | null, timestamp: number) =>
      sent.push({ topic, key, value, timestamp }),
    timestamp: () => now,
    ...(stateDir !== undefined ? { stateDir } : {}),
  };
  const built = Stores.windowStoreBuilder(supplier, S, L).build(env);
  return { built, store: built.store as unknown as MeteredWindowStore<string, number> };
}

describe('window store: in-memory', () => {
  windowStoreSuite(
    (retention, size, dup) => build(Stores.inMemoryWindowStore('w', retention, size, dup)).store,
    (ms) => {
      now = ms;
    },
  );
});

describe('window store: persistent (LevelDB under stateDir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trib-window-'));
  dirs.push(dir);
  let n = 0;
  windowStoreSuite(
    async (retention, size, dup) => {
      const { built, store } = build(Stores.persistentWindowStore(`w${n++}`, retention, size, dup), dir);
      await (built.bytes as LevelBytesStore).ready;
      return store;
    },
    (ms) => {
      now = ms;
    },
  );
});

describe('window store changelog and restore', () => {
  it("should log Kafka's window key layout (key | start | seqnum) with plain values stamped with their timestamps, and restore from it", () => {
    sent.length = 0;
    const { store } = build(Stores.inMemoryWindowStore('w', 1_000, 10));
    now = 7;
    store.put('k', 3, 10);
    store.putWithTimestamp('k', 4, 20, 25);
    expect(sent.map((r) => r.topic)).toEqual(['app-w-changelog', 'app-w-changelog']);
    const first = sent[0]!;
    expect(Buffer.from(first.key).toString('hex')).toBe(`${Buffer.from('k').toString('hex')}000000000000000a00000000`);
    expect(L.deserialize('t', first.value)).toBe(3);
    expect(sent.map((r) => r.timestamp)).toEqual([7, 25]);
    const fresh = build(Stores.inMemoryWindowStore('w', 1_000, 10));
    for (const r of sent) fresh.built.bytes.put(new Bytes(r.key), fresh.built.restoreValue!(r.value, r.timestamp));
    expect(fresh.store.fetchWithTimestamp('k', 20)).toEqual({ value: 4, timestamp: 25 });
    expect(fresh.store.fetch('k', 0, 100).map((e) => e.value)).toEqual([3, 4]);
  });

  it('should ask for a compact,delete changelog kept a day past the retention, and refuse a retention below the window size', () => {
    const builder = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 60_000, 10_000), S, L);
    expect(builder.changelogConfig).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': 60_000 + 86_400_000,
    });
    expect(() => Stores.inMemoryWindowStore('w', 5, 10)).toThrow(
      expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }),
    );
  });
});

function buildSession(s: Parameters<typeof Stores.sessionStoreBuilder>[0], stateDir?: string) {
  const env = {
    applicationId: 'app',
    taskId: '0_1',
    partition: 1,
    cacheBudget: null,
    changelog: () => {},
    timestamp: () => now,
    ...(stateDir !== undefined ? { stateDir } : {}),
  };
  const built = Stores.sessionStoreBuilder(s, S, L).build(env);
  return { built, store: built.store as unknown as MeteredSessionStore<string, number> };
}

describe('session store: in-memory', () => {
  sessionStoreSuite((retention) => buildSession(Stores.inMemorySessionStore('s', retention)).store);
});

describe('session store: persistent (LevelDB under stateDir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trib-session-'));
  dirs.push(dir);
  let n = 0;
  sessionStoreSuite(async (retention) => {
    const { built, store } = buildSession(Stores.persistentSessionStore(`s${n++}`, retention), dir);
    await (built.bytes as LevelBytesStore).ready;
    return store;
  });
});
