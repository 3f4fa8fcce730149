/**
 * `KafkaStreams.setGlobalStateRestoreListener`, as Kafka's RestoreIntegrationTest and
 * StoreChangelogReaderTest listen to restores: a task's store restoring its changelog partition is
 * reported from its starting offset to the changelog's end, batch by batch, with the total at the
 * end; a global store's load of its topic too; a partition with nothing to restore is not reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { KafkaStreams, type StateRestoreListener, StreamsBuilder } from '../../src/streams/index.ts';
import { S } from './helpers.ts';

const enc = new TextEncoder();
let log: EmbeddedLogBackend;
let dir: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trib-restore-listener-'));
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'clicks', numPartitions: 2 });
  await log.createTopic({ topic: 'names', numPartitions: 1 });
  for (const [p, keys] of [
    [0, ['a', 'b', 'a']],
    [1, ['c']],
  ] as const)
    await log.append(
      'clicks',
      p,
      keys.map((k, i) => ({ key: enc.encode(k), value: enc.encode('x'), timestamp: i })),
    );
  await log.append(
    'names',
    0,
    ['u1', 'u2', 'u3'].map((k) => ({ key: enc.encode(k), value: enc.encode(`name of ${k}`), timestamp: 1 })),
  );
});

afterEach(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

function topology() {
  const b = new StreamsBuilder();
  b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey().count({ materialized: 'counts' });
  b.globalTable('names', { keySerde: S, valueSerde: S, materialized: 'names-store' });
  return b.build();
}

function recorder() {
  const events: string[] = [];
  const listener: StateRestoreListener = {
    onRestoreStart: (tp, store, from, to) => events.push(`start ${store} ${tp.topic}-${tp.partition} ${from}..${to}`),
    onBatchRestored: (tp, store, last, n) => events.push(`batch ${store} ${tp.topic}-${tp.partition} ≤${last} ${n}`),
    onRestoreEnd: (tp, store, total) => events.push(`end ${store} ${tp.topic}-${tp.partition} ${total}`),
  };
  return { events, listener };
}

async function run(listener?: StateRestoreListener, stateDir?: string): Promise<void> {
  const streams = new KafkaStreams(topology(), {
    applicationId: 'restore',
    log,
    ...(stateDir !== undefined ? { stateDir } : {}),
  });
  if (listener !== undefined) streams.setGlobalStateRestoreListener(listener);
  await streams.start();
  await streams.waitForIdle();
  await streams.close();
}

describe('the global state restore listener', () => {
  it("should report each changelog partition's restore and the global store's load", async () => {
    const first = recorder();
    await run(first.listener);
    // The changelogs were empty: only the global store's load is a restore.
    expect(first.events).toEqual([
      'start names-store names-0 0..3',
      'batch names-store names-0 ≤2 3',
      'end names-store names-0 3',
    ]);
    const changelog = 'restore-counts-changelog';
    const ends = [0, 1].map((p) => log.offsets(changelog, p).lastStableOffset);
    const second = recorder();
    // In-memory stores: everything comes back from the changelogs.
    await run(second.listener);
    const restoredOf = async (p: number) => {
      const { records } = await log.read(changelog, p, 0, { isolation: 'read_committed' });
      return records.filter((r) => r.key !== null);
    };
    const expected: string[] = [
      'start names-store names-0 0..3',
      'batch names-store names-0 ≤2 3',
      'end names-store names-0 3',
    ];
    for (const p of [0, 1]) {
      const records = await restoredOf(p);
      expected.push(
        `start counts ${changelog}-${p} 0..${ends[p]}`,
        `batch counts ${changelog}-${p} ≤${records[records.length - 1]!.offset} ${records.length}`,
        `end counts ${changelog}-${p} ${records.length}`,
      );
    }
    expect(second.events).toEqual(expected);
  });

  it('should report nothing for a persistent store whose checkpoint is at the changelog end', async () => {
    const stateDir = join(dir, 'state');
    await run(undefined, stateDir);
    const again = recorder();
    await run(again.listener, stateDir);
    expect(again.events.filter((e) => e.includes(' counts '))).toEqual([]);
  });

  it('should be set before start only', async () => {
    const streams = new KafkaStreams(topology(), { applicationId: 'restore-late', log });
    await streams.start();
    try {
      expect(() => streams.setGlobalStateRestoreListener({})).toThrow(
        expect.objectContaining({ code: 'ILLEGAL_STATE' }),
      );
    } finally {
      await streams.close();
    }
  });
});
