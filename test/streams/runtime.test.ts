import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { openLog } from '../../src/log/index.ts';
import { KafkaStreams, type StreamsState, StreamsBuilder } from '../../src/streams/index.ts';
import { L, latest, S, until, wordCount } from './helpers.ts';

const enc = new TextEncoder();

describe('KafkaStreams on the embedded log', () => {
  it('should purge a repartition topic up to what its reader committed', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'lines' });
    await log.createTopic({ topic: 'word-counts', configs: { 'cleanup.policy': 'compact' } });
    for (let i = 0; i < 20; i++) await log.append('lines', 0, [{ key: null, value: enc.encode(`a b c ${i}`) }]);
    const streams = new KafkaStreams(wordCount().build(), { applicationId: 'purge', log, commitIntervalMs: 10 });
    await streams.start();
    await until(() => streams.store<string, number>('counts-store').get('a') === 20);
    await streams.waitForIdle();
    const repartition = 'purge-counts-store-repartition';
    const { logStartOffset, highWatermark } = log.offsets(repartition, 0);
    expect(highWatermark).toBe(80);
    expect(logStartOffset).toBe(highWatermark);
    expect(streams.store<string, number>('counts-store').get('a')).toBe(20);
    await streams.close();
  });

  it('should purge repartition topics when idle and every repartitionPurgeIntervalMs, not after every commit', async () => {
    for (const repartitionPurgeIntervalMs of [30_000, 0]) {
      const clock = new ManualClock(0);
      const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
      await log.createTopic({ topic: 'lines' });
      await log.createTopic({ topic: 'word-counts', configs: { 'cleanup.policy': 'compact' } });
      await log.append(
        'lines',
        0,
        Array.from({ length: 1000 }, (_, i) => ({ key: null, value: enc.encode(`w${i % 50} a b c d`) })),
      );
      const calls = { write: 0, deleteRecords: 0 };
      const counted = new Proxy(log, {
        get(target, name) {
          const v = Reflect.get(target, name);
          if (typeof v !== 'function') return v;
          return (...args: unknown[]) => {
            if (name === 'write' || name === 'deleteRecords') calls[name]++;
            return v.apply(target, args);
          };
        },
      });
      const streams = new KafkaStreams(wordCount().build(), {
        applicationId: 'p',
        log: counted,
        clock,
        maxUncommittedRecords: 100,
        repartitionPurgeIntervalMs,
      });
      await streams.start();
      await streams.waitForIdle();
      const { logStartOffset, highWatermark } = log.offsets('p-counts-store-repartition', 0);
      expect(logStartOffset).toBe(highWatermark);
      // The clock stands still: 30 s never pass, and only running out of work (at the end) purges.
      expect(calls.write).toBeGreaterThan(40);
      if (repartitionPurgeIntervalMs > 0) expect(calls.deleteRecords).toBeLessThan(5);
      else expect(calls.deleteRecords).toBeGreaterThan(calls.write / 2);
      await streams.close();
      await log.close();
    }
  });

  it('should process what a commit handed over before its upstream task makes more', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'lines' });
    await log.append(
      'lines',
      0,
      Array.from({ length: 500 }, (_, i) => ({ key: null, value: enc.encode(`w${i % 7} a b c d e f g h i`) })),
    );
    let linesSeen = 0;
    let linesSeenFirst: number | undefined;
    const builder = new StreamsBuilder();
    builder
      .stream('lines', { keySerde: S, valueSerde: S })
      .peek(() => linesSeen++)
      .flatMapValues((line) => line.split(' '))
      .groupBy((_key, word) => word, { keySerde: S, valueSerde: S })
      .aggregate(
        () => 0,
        (_word, _value, n) => {
          linesSeenFirst ??= linesSeen;
          return n + 1;
        },
        { materialized: { storeName: 'counts', valueSerde: L } },
      );
    const streams = new KafkaStreams(builder.build(), { applicationId: 'handover', log, maxUncommittedRecords: 100 });
    await streams.start();
    await streams.waitForIdle();
    // All 500 lines came in one read: the repartitioned records of the first commits are processed
    // long before the upstream task is through them.
    expect(linesSeen).toBe(500);
    expect(linesSeenFirst).toBeLessThan(50);
    await streams.close();
  });

  it('should count words exactly once, commit atomically, and go through its states', async () => {
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
    await log.createTopic({ topic: 'lines', numPartitions: 2 });
    await log.createTopic({ topic: 'word-counts', numPartitions: 2, configs: { 'cleanup.policy': 'compact' } });
    await log.append('lines', 0, [{ key: null, value: enc.encode('the cat and the hat') }]);
    await log.append('lines', 1, [{ key: null, value: enc.encode('The end') }]);
    const streams = new KafkaStreams(wordCount().build(), { applicationId: 'wc', log, commitIntervalMs: 10 });
    const states: StreamsState[] = [];
    streams.setStateListener((s) => states.push(s));
    await streams.start();
    expect(streams.tasks.sort()).toEqual(['0_0', '0_1', '1_0', '1_1']);
    await until(async () => (await latest(log, 'word-counts')).get('the') === 3);
    const store = streams.store<string, number>('counts-store');
    expect(store.get('the')).toBe(3);
    expect(store.get('hat')).toBe(1);
    expect(store.approximateNumEntries()).toBe(5);
    expect(Object.fromEntries(await latest(log, 'word-counts'))).toEqual({ the: 3, cat: 1, and: 1, hat: 1, end: 1 });
    expect((await log.listTopics()).sort()).toEqual(
      ['__consumer_offsets', 'lines', 'wc-counts-store-changelog', 'wc-counts-store-repartition', 'word-counts'].sort(),
    );
    await streams.close();
    expect(states).toEqual(['REBALANCING', 'RUNNING', 'PENDING_SHUTDOWN', 'NOT_RUNNING']);

    // A second run resumes from the committed offsets and restores the store from its changelog.
    await log.append('lines', 0, [{ key: null, value: enc.encode('the end') }]);
    const again = new KafkaStreams(wordCount().build(), { applicationId: 'wc', log, commitIntervalMs: 10 });
    await again.start();
    await until(async () => (await latest(log, 'word-counts')).get('the') === 4);
    expect(again.store<string, number>('counts-store').get('end')).toBe(2);
    await again.close();
    await log.close();
  });
});
