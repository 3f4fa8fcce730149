/**
 * `KafkaStreams.metrics()`: Kafka's names, groups and tags for what an operator watches first, as
 * Kafka's StreamsMetricsImplTest / MetricsIntegrationTest read them — the client's state, the
 * thread's records processed and commits, each task's records processed and dropped (a processing
 * handler's CONTINUE, a record too late for its window) — and rates over the last minute of the
 * app's clock.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.ts';
import { openLog } from '../../src/log/index.ts';
import { KafkaStreams, type Processor, StreamsBuilder, TimeWindows } from '../../src/streams/index.ts';
import { SampledCount } from '../../src/streams/streams-metrics.ts';
import { metricValue, S } from './helpers.ts';

const enc = new TextEncoder();

describe('SampledCount', () => {
  it('should keep a total and a per-second rate over the last two 30-second samples', () => {
    const count = new SampledCount(0);
    count.record(30, 10_000);
    // Young: the rate is over the time since the count began.
    expect(count.rate(10_000)).toBe(3);
    count.record(60, 40_000);
    expect(count.rate(60_000)).toBe(90 / 60);
    // A minute later the first sample has left the window; the total keeps everything.
    expect(count.rate(90_000)).toBe(60 / 60);
    expect(count.rate(200_000)).toBe(0);
    expect(count.total).toBe(90);
  });
});

describe('KafkaStreams.metrics', () => {
  it("should count the thread's records and commits and each task's processed and dropped records", async () => {
    const clock = new ManualClock(1_000_000);
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
    try {
      await log.createTopic({ topic: 'in', numPartitions: 1 });
      // Five clicks of one key; `bad` fails in a processor (dropped by CONTINUE); the one at 1 is
      // too late for its window once stream time passed 70 (dropped by the windowed count).
      const records: [string, number][] = [
        ['ok', 10],
        ['bad', 20],
        ['ok', 70],
        ['ok', 1],
        ['ok', 75],
      ];
      await log.append(
        'in',
        0,
        records.map(([v, ts]) => ({ key: enc.encode('k'), value: enc.encode(v), timestamp: ts })),
      );
      const b = new StreamsBuilder();
      b.stream('in', { keySerde: S, valueSerde: S })
        .mapValues((v) => {
          if (v === 'bad') throw new Error('bad record');
          return v;
        })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(50))
        .count({ materialized: 'per-window' });
      const streams = new KafkaStreams(b.build(), {
        applicationId: 'metrics',
        log,
        processingExceptionHandler: () => 'CONTINUE',
      });
      await streams.start();
      await streams.waitForIdle();
      const m = streams.metrics();
      expect(metricValue(m, 'stream-metrics', 'state')).toBe('RUNNING');
      expect(metricValue(m, 'stream-metrics', 'alive-stream-threads')).toBe(1);
      expect(metricValue(m, 'stream-metrics', 'failed-stream-threads')).toBe(0);
      expect(metricValue(m, 'stream-metrics', 'application-id')).toBe('metrics');
      expect(metricValue(m, 'stream-metrics', 'topology-description')).toContain('KSTREAM-SOURCE-0000000000');
      expect(metricValue(m, 'stream-thread-metrics', 'process-total')).toBe(5);
      // Five records processed within the count's first ten seconds (its age): half a record a second.
      clock.advance(10_000);
      expect(metricValue(streams.metrics(), 'stream-thread-metrics', 'process-rate')).toBe(0.5);
      expect(metricValue(m, 'stream-thread-metrics', 'commit-total')).toBeGreaterThanOrEqual(1);
      expect(metricValue(m, 'stream-thread-metrics', 'commit-latency-max')).toBeGreaterThan(0);
      expect(metricValue(m, 'stream-thread-metrics', 'task-created-total')).toBe(1);
      const task = { 'task-id': '0_0' };
      expect(metricValue(m, 'stream-task-metrics', 'process-total', task)).toBe(5);
      expect(metricValue(m, 'stream-task-metrics', 'dropped-records-total', task)).toBe(2);
      await streams.close();
      const after = streams.metrics();
      expect(metricValue(after, 'stream-metrics', 'alive-stream-threads')).toBe(0);
      expect(metricValue(after, 'stream-thread-metrics', 'task-closed-total')).toBe(1);
    } finally {
      await log.close();
    }
  });

  // Kafka's StreamThread records these per turn of its loop (runOnce): polls, processing scaled
  // per record, records per iteration, punctuations, and each phase's share of the turn.
  it("should time the thread's polls, processing and punctuations, and the share of time each takes", async () => {
    const clock = new ManualClock(2_000_000);
    const log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0, clock });
    try {
      await log.createTopic({ topic: 'in', numPartitions: 1 });
      await log.append(
        'in',
        0,
        Array.from({ length: 50 }, (_, i) => ({ key: enc.encode('k'), value: enc.encode('v'), timestamp: i * 10 })),
      );
      await log.createTopic({ topic: 'out', numPartitions: 1 });
      let punctuated = 0;
      const b = new StreamsBuilder();
      const input = b.stream('in', { keySerde: S, valueSerde: S });
      input.to('out', { keySerde: S, valueSerde: S });
      input.process<string, string>(() => {
        const p: Processor<string, string, string, string> = {
          init(c) {
            c.schedule(100, 'STREAM_TIME', () => {
              punctuated++;
            });
          },
          process() {},
        };
        return p;
      });
      const streams = new KafkaStreams(b.build(), { applicationId: 'runonce', log });
      await streams.start();
      await streams.waitForIdle();
      const m = streams.metrics();
      const thread = (name: string) => metricValue(m, 'stream-thread-metrics', name) as number;
      expect(thread('thread-start-time')).toBe(2_000_000);
      expect(thread('poll-total')).toBeGreaterThanOrEqual(1);
      expect(thread('poll-latency-max')).toBeGreaterThanOrEqual(thread('poll-latency-avg'));
      expect(thread('process-total')).toBe(50);
      expect(thread('process-latency-avg')).toBeGreaterThan(0);
      expect(thread('process-latency-max')).toBeGreaterThanOrEqual(thread('process-latency-avg'));
      // Records per turn: at most the 50, on average the 50 over the turns taken.
      expect(thread('process-records-max')).toBeLessThanOrEqual(50);
      expect(thread('process-records-avg')).toBeCloseTo(50 / thread('poll-total'), 6);
      // Stream-time punctuations (as records advance stream time) count with the wall-clock ones.
      expect(punctuated).toBeGreaterThanOrEqual(4);
      expect(thread('punctuate-total')).toBe(punctuated);
      // End-to-end latency at the source and at the terminal nodes (a sink, a processor), against the thread's time of
      // the turn (the manual clock's 2,000,000): records stamped 0 to 490.
      const node = (id: string, stat: string) =>
        metricValue(m, 'stream-processor-node-metrics', `record-e2e-latency-${stat}`, {
          'task-id': '0_0',
          'processor-node-id': id,
        });
      for (const id of ['KSTREAM-SOURCE-0000000000', 'KSTREAM-SINK-0000000001', 'KSTREAM-PROCESSOR-0000000002']) {
        expect(node(id, 'min')).toBe(2_000_000 - 490);
        expect(node(id, 'max')).toBe(2_000_000);
        expect(node(id, 'avg')).toBe(2_000_000 - 245);
      }
      const ratios = ['poll-ratio', 'process-ratio', 'punctuate-ratio', 'commit-ratio'].map(thread);
      for (const r of ratios) expect(r).toBeGreaterThanOrEqual(0);
      expect(ratios.reduce((a, r) => a + r, 0)).toBeLessThanOrEqual(1 + 1e-9);
      await streams.close();
    } finally {
      await log.close();
    }
  });
});
