/**
 * `TopologyTestDriver.metrics()`, as Kafka's KStreamWindowAggregateTest and KStreamKStreamJoinTest
 * read their driver's metrics: a record too late for its window is dropped and counted in the
 * task's `dropped-records-total`, and source and terminal nodes measure records' end-to-end
 * latency against the driver's mock wall-clock time.
 */
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serde/index.ts';
import { StreamsBuilder, TimeWindows } from '../../../src/streams/index.ts';
import { TopologyTestDriver } from '../../../src/streams/testing/index.ts';
import { metricValue, S } from '../helpers.ts';

describe('TopologyTestDriver.metrics', () => {
  it('should count a record dropped as too late for its window, and time records end to end', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('clicks', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count({ materialized: 'counts' })
      .toStream()
      .to('counted', { valueSerde: Serdes.LongNumber() });
    const driver = new TopologyTestDriver(builder.build(), { startTimeMs: 1_000 });
    const input = driver.createInputTopic('clicks', S, S);
    input.pipeInput('k', 'a', 100);
    // Stream time is 100: the window [0, 10) closed long ago.
    input.pipeInput('k', 'b', 5);
    input.pipeInput('k', 'c', 105);
    const m = driver.metrics();
    const task = { 'thread-id': 'main', 'task-id': '0_0' };
    expect(metricValue(m, 'stream-task-metrics', 'process-total', task)).toBe(3);
    expect(metricValue(m, 'stream-task-metrics', 'dropped-records-total', task)).toBe(1);
    // The source saw all three records at wall-clock time 1,000; the sink the two counted ones.
    const node = (id: string, stat: string) =>
      metricValue(m, 'stream-processor-node-metrics', `record-e2e-latency-${stat}`, {
        ...task,
        'processor-node-id': id,
      });
    expect([node('KSTREAM-SOURCE-0000000000', 'min'), node('KSTREAM-SOURCE-0000000000', 'max')]).toEqual([895, 995]);
    expect(node('KSTREAM-SOURCE-0000000000', 'avg')).toBeCloseTo((900 + 995 + 895) / 3, 9);
    expect([node('KSTREAM-SINK-0000000003', 'min'), node('KSTREAM-SINK-0000000003', 'max')]).toEqual([895, 900]);
    driver.close();
  });
});
