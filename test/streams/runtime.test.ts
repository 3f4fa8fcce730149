import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/log/index.ts';
import { KafkaStreams, type StreamsState } from '../../src/streams/index.ts';
import { latest, until, wordCount } from './helpers.ts';

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
