/**
 * `KafkaStreams.allLocalStorePartitionLags()` (Kafka's KIP-535, as LagFetchIntegrationTest reads
 * it): per store and partition, the copy's changelog position, the changelog's end and the lag; a
 * running task's stores caught up, a store under restore at the offset its restore reached, stores
 * without a changelog not listed, nothing before start or after close.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedLogBackend, openLog } from '../../src/log/index.ts';
import { KafkaStreams, type LagInfo, StreamsBuilder } from '../../src/streams/index.ts';
import { S } from './helpers.ts';

const enc = new TextEncoder();
const CHANGELOG = 'lags-counts-changelog';
let log: EmbeddedLogBackend;

beforeEach(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  await log.createTopic({ topic: 'clicks', numPartitions: 2 });
  // Distinct keys, so each partition's changelog keeps one record per key.
  for (const p of [0, 1])
    await log.append(
      'clicks',
      p,
      Array.from({ length: 40 }, (_, i) => ({ key: enc.encode(`k${p}-${i}`), value: enc.encode('x'), timestamp: i })),
    );
});

afterEach(() => log.close());

function topology() {
  const b = new StreamsBuilder();
  const clicks = b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey();
  clicks.count({ materialized: 'counts' });
  clicks.reduce((a) => a, { materialized: { storeName: 'unlogged', loggingEnabled: false } });
  return b.build();
}

const plain = (lags: Map<string, Map<number, LagInfo>>) =>
  Object.fromEntries(
    [...lags].map(([store, partitions]) => [store, Object.fromEntries([...partitions].map(([p, l]) => [p, { ...l }]))]),
  );

describe('allLocalStorePartitionLags', () => {
  it("should list each changelogged store's partitions caught up while their tasks run, and nothing before or after", async () => {
    const streams = new KafkaStreams(topology(), { applicationId: 'lags', log });
    expect((await streams.allLocalStorePartitionLags()).size).toBe(0);
    await streams.start();
    await streams.waitForIdle();
    const lags = await streams.allLocalStorePartitionLags();
    const end = (p: number) => log.offsets(CHANGELOG, p).highWatermark;
    expect(end(0)).toBeGreaterThanOrEqual(40);
    expect(plain(lags)).toEqual({
      counts: {
        0: { currentOffsetPosition: end(0), endOffsetPosition: end(0), offsetLag: 0 },
        1: { currentOffsetPosition: end(1), endOffsetPosition: end(1), offsetLag: 0 },
      },
    });
    await streams.close();
    expect((await streams.allLocalStorePartitionLags()).size).toBe(0);
  });

  it('should give a store under restore the position its restore has reached, and its lag', async () => {
    const first = new KafkaStreams(topology(), { applicationId: 'lags', log });
    await first.start();
    await first.waitForIdle();
    await first.close();
    const ends = [0, 1].map((p) => log.offsets(CHANGELOG, p).highWatermark);

    // In-memory stores come back from their changelogs: ask at the start of each restore and after its batch.
    const asked: Promise<Map<string, Map<number, LagInfo>>>[] = [];
    const second = new KafkaStreams(topology(), { applicationId: 'lags', log });
    second.setGlobalStateRestoreListener({
      onRestoreStart: (_tp, store) => {
        if (store === 'counts') asked.push(second.allLocalStorePartitionLags());
      },
      onBatchRestored: (_tp, store) => {
        if (store === 'counts') asked.push(second.allLocalStorePartitionLags());
      },
    });
    await second.start();
    await second.waitForIdle();
    const seen = (await Promise.all(asked)).map(plain);
    // Partition 0's task is created first: its restore starts at 0, then reaches the end.
    expect(seen[0]).toEqual({
      counts: { 0: { currentOffsetPosition: 0, endOffsetPosition: ends[0], offsetLag: ends[0] } },
    });
    expect(seen[1]).toEqual({
      counts: { 0: { currentOffsetPosition: ends[0], endOffsetPosition: ends[0], offsetLag: 0 } },
    });
    // Then partition 1's, with partition 0's task running (caught up).
    expect(seen[2]).toEqual({
      counts: {
        0: { currentOffsetPosition: ends[0], endOffsetPosition: ends[0], offsetLag: 0 },
        1: { currentOffsetPosition: 0, endOffsetPosition: ends[1], offsetLag: ends[1] },
      },
    });
    expect(seen[3]).toEqual({
      counts: {
        0: { currentOffsetPosition: ends[0], endOffsetPosition: ends[0], offsetLag: 0 },
        1: { currentOffsetPosition: ends[1], endOffsetPosition: ends[1], offsetLag: 0 },
      },
    });
    expect(seen).toHaveLength(4);
    await second.close();
  });

  it("should keep a restored store listed, caught up, while its task's other stores restore", async () => {
    const b = () => {
      const builder = new StreamsBuilder();
      const clicks = builder.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey();
      clicks.count({ materialized: 'counts' });
      clicks.reduce((_a, v) => v, { materialized: 'latest' });
      return builder.build();
    };
    const first = new KafkaStreams(b(), { applicationId: 'lags2', log });
    await first.start();
    await first.waitForIdle();
    await first.close();
    const asked: { store: string; lags: Promise<Map<string, Map<number, LagInfo>>> }[] = [];
    const second = new KafkaStreams(b(), { applicationId: 'lags2', log });
    second.setGlobalStateRestoreListener({
      onRestoreStart: (tp, store) => {
        if (tp.partition === 0) asked.push({ store, lags: second.allLocalStorePartitionLags() });
      },
    });
    await second.start();
    await second.waitForIdle();
    expect(asked.map((a) => a.store)).toEqual(['counts', 'latest']);
    const end = (store: string) => log.offsets(`lags2-${store}-changelog`, 0).highWatermark;
    // When the second store of task 0_0 starts restoring, the first is restored (the task is not
    // running yet): listed at its end.
    expect(plain(await asked[1]!.lags)).toEqual({
      counts: { 0: { currentOffsetPosition: end('counts'), endOffsetPosition: end('counts'), offsetLag: 0 } },
      latest: { 0: { currentOffsetPosition: 0, endOffsetPosition: end('latest'), offsetLag: end('latest') } },
    });
    await second.close();
  });
});
