import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.ts';
import {
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  WindowedSerdes,
} from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { I, S } from './helpers.ts';

const concat = (_k: string, v: string, agg: string) => agg + v;
const rows = (out: { readRecordsToList(): { key: unknown; value: unknown; timestamp: number }[] }) =>
  out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);

/**
 * Streams `one` and `two` co-grouped (`two`'s aggregator is `second`), aggregated per window into
 * the uncached store `w` and sent to `out`; returns the driver and a reader of `out`.
 */
function cogroupedWindows(windows: TimeWindows | SlidingWindows, sizeMs: number, second = concat) {
  const b = new StreamsBuilder();
  const one = b.stream('one', { keySerde: S, valueSerde: S }).groupByKey();
  const two = b.stream('two', { keySerde: S, valueSerde: S }).groupByKey();
  const windowedSerde = WindowedSerdes.timeWindowedSerdeFrom(S, sizeMs);
  one
    .cogroup<string>(concat)
    .cogroup(two, second)
    .windowedBy(windows)
    .aggregate(() => '', { materialized: { storeName: 'w', valueSerde: S, cachingEnabled: false } })
    .toStream()
    .to('out', { keySerde: windowedSerde, valueSerde: S });
  const d = new TopologyTestDriver(b.build());
  return { d, out: () => d.createOutputTopic('out', windowedSerde, S).readRecordsToList() };
}

describe("cogroup (cases of Kafka's CogroupedKStreamImplTest)", () => {
  it('shouldCogroupAndAggregateTwoKStreamsWithSharedKeys: one aggregate per key, stamped with the latest timestamp', () => {
    const b = new StreamsBuilder();
    const one = b.stream('one', { keySerde: S, valueSerde: S }).groupByKey();
    const two = b.stream('two', { keySerde: S, valueSerde: S }).groupByKey();
    one
      .cogroup<string>(concat)
      .cogroup(two, concat)
      .aggregate(() => '', { materialized: { storeName: 'agg', valueSerde: S, cachingEnabled: false } })
      .toStream()
      .to('out', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    const a = d.createInputTopic('one', S, S);
    const c = d.createInputTopic('two', S, S);
    a.pipeInput('k1', 'A', 0);
    a.pipeInput('k2', 'A', 1);
    a.pipeInput('k1', 'A', 10);
    a.pipeInput('k2', 'A', 100);
    c.pipeInput('k2', 'B', 100);
    c.pipeInput('k2', 'B', 200);
    c.pipeInput('k1', 'B', 1);
    c.pipeInput('k2', 'B', 500);
    c.pipeInput('k1', 'B', 500);
    expect(rows(d.createOutputTopic('out', S, S))).toEqual([
      ['k1', 'A', 0],
      ['k2', 'A', 1],
      ['k1', 'AA', 10],
      ['k2', 'AA', 100],
      ['k2', 'AAB', 100],
      ['k2', 'AABB', 200],
      ['k1', 'AAB', 10],
      ['k2', 'AABBB', 500],
      ['k1', 'AABB', 500],
    ]);
    expect(d.getTimestampedKeyValueStore<string, string>('agg').get('k1')).toEqual({ value: 'AABB', timestamp: 500 });
  });

  it('aggregates streams of different value types, one of them re-keyed through a repartition topic', () => {
    const b = new StreamsBuilder();
    const clicks = b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey();
    // Purchases are keyed by order id; the user is in the value.
    const purchases = b
      .stream('purchases', { keySerde: S, valueSerde: Serdes.Json<{ user: string; amount: number }>() })
      .groupBy((_order, p) => p.user, { keySerde: S, valueSerde: Serdes.Json<{ user: string; amount: number }>() });
    type Activity = { clicks: number; spent: number };
    clicks
      .cogroup<Activity>((_u, _page, agg) => ({ ...agg, clicks: agg.clicks + 1 }))
      .cogroup(purchases, (_u, p, agg) => ({ ...agg, spent: agg.spent + p.amount }))
      .aggregate(() => ({ clicks: 0, spent: 0 }), {
        name: 'activity',
        materialized: { storeName: 'activity-store', valueSerde: Serdes.Json<Activity>() },
      })
      .toStream()
      .to('activity', { keySerde: S, valueSerde: Serdes.Json<Activity>() });
    const topology = b.build();
    const text = topology.describe().toString();
    expect(text).toContain('Processor: activity-cogroup-agg-0 (stores: [activity-store])');
    expect(text).toContain('Processor: activity-cogroup-agg-1 (stores: [activity-store])');
    expect(text).toContain('Processor: activity-cogroup-merge (stores: [])');
    expect(text).toContain('topics: [activity-store-repartition]');
    const d = new TopologyTestDriver(topology, { partitions: 2 });
    d.createInputTopic('clicks', S, S).pipeInput('ann', '/home', 1);
    const p = d.createInputTopic('purchases', S, Serdes.Json<{ user: string; amount: number }>());
    p.pipeInput('o1', { user: 'ann', amount: 30 }, 2);
    p.pipeInput('o2', { user: 'bob', amount: 5 }, 3);
    d.createInputTopic('clicks', S, S).pipeInput('ann', '/cart', 4);
    expect(d.createOutputTopic('activity', S, Serdes.Json<Activity>()).readKeyValuesToList()).toEqual([
      { key: 'ann', value: { clicks: 1, spent: 0 } },
      { key: 'ann', value: { clicks: 1, spent: 30 } },
      { key: 'bob', value: { clicks: 0, spent: 5 } },
      { key: 'ann', value: { clicks: 2, spent: 30 } },
    ]);
  });

  it('aggregates per time window and drops records later than the grace period', () => {
    const { d, out } = cogroupedWindows(TimeWindows.ofSizeAndGrace(100, 20), 100);
    const a = d.createInputTopic('one', S, S);
    const c = d.createInputTopic('two', S, S);
    a.pipeInput('k', 'A', 10);
    c.pipeInput('k', 'B', 50);
    c.pipeInput('k', 'B', 115); // window [100,200)
    c.pipeInput('k', 'B', 90); // stream time 115: [0,100) closes at 120, still open
    a.pipeInput('k', 'A', 150);
    a.pipeInput('k', 'A', 99); // stream time 150: [0,100) closed at 120, dropped
    expect(out().map((r) => [r.key!.key, r.key!.window.start, r.value, r.timestamp])).toEqual([
      ['k', 0, 'A', 10],
      ['k', 0, 'AB', 50],
      ['k', 100, 'B', 115],
      ['k', 0, 'ABB', 90],
      ['k', 100, 'BA', 150],
    ]);
    expect(d.getWindowStore<string, string>('w').fetch('k', 0, 0)).toEqual([{ key: 0, value: 'ABB' }]);
  });

  it('a record is late by the time of its own stream (each aggregating processor keeps its own, as Kafka’s)', () => {
    const { d, out } = cogroupedWindows(TimeWindows.ofSizeAndGrace(100, 20), 100);
    d.createInputTopic('one', S, S).pipeInput('k', 'A', 10);
    d.createInputTopic('one', S, S).pipeInput('k', 'A', 150);
    // The task's stream time is 150, but stream two has seen only 95: [0,100) is open for it.
    d.createInputTopic('two', S, S).pipeInput('k', 'B', 95);
    expect(out().map((r) => [r.key!.window.start, r.value, r.timestamp])).toEqual([
      [0, 'A', 10],
      [100, 'A', 150],
      [0, 'AB', 95],
    ]);
  });

  it('aggregates per sliding window, each stream’s aggregator folding its records in (Kafka’s sliding windows)', () => {
    const { d, out } = cogroupedWindows(
      SlidingWindows.ofTimeDifferenceWithNoGrace(10),
      10,
      (_k, v, agg) => agg + v.toLowerCase(),
    );
    d.createInputTopic('one', S, S).pipeInput('k', 'A', 10);
    d.createInputTopic('two', S, S).pipeInput('k', 'B', 15);
    // The previous record's right window first, then the new record's left window from A's.
    expect(out().map((r) => [r.key!.window.start, r.key!.window.end, r.value, r.timestamp])).toEqual([
      [0, 10, 'A', 10],
      [11, 21, 'b', 15],
      [5, 15, 'Ab', 15],
    ]);
  });

  it('aggregates per session, merging sessions that records of either stream bring together', () => {
    const b = new StreamsBuilder();
    const one = b.stream('one', { keySerde: S, valueSerde: I }).groupByKey();
    const two = b.stream('two', { keySerde: S, valueSerde: I }).groupByKey();
    const sum = (_k: string, v: number, agg: number) => agg + v;
    one
      .cogroup<number>(sum)
      .cogroup(two, sum)
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 100))
      .aggregate(
        () => 0,
        (_k, l, r) => l + r,
        { materialized: { storeName: 's', valueSerde: I, cachingEnabled: false } },
      )
      .toStream()
      .to('out', { keySerde: WindowedSerdes.sessionWindowedSerdeFrom(S), valueSerde: I });
    const d = new TopologyTestDriver(b.build());
    d.createInputTopic('one', S, I).pipeInput('k', 1, 0);
    d.createInputTopic('two', S, I).pipeInput('k', 10, 30);
    d.createInputTopic('one', S, I).pipeInput('k', 100, 15);
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowedSerdeFrom(S), I);
    expect(out.readRecordsToList().map((r) => [r.key!.window.start, r.key!.window.end, r.value])).toEqual([
      [0, 0, 1],
      [30, 30, 10],
      // 15 is more than 10 from both 0 and 30: a session of its own.
      [15, 15, 100],
    ]);
    d.createInputTopic('two', S, I).pipeInput('k', 1000, 8);
    // 8 joins [0,0] and [15,15] (each within 10): the merged session replaces both.
    expect(out.readRecordsToList().map((r) => [r.key!.window.start, r.key!.window.end, r.value])).toEqual([
      [0, 0, null],
      [15, 15, null],
      [0, 15, 1101],
    ]);
  });

  it('refuses the same grouped stream twice', () => {
    const b = new StreamsBuilder();
    const one = b.stream('one', { keySerde: S, valueSerde: S }).groupByKey();
    expect(() => one.cogroup<string>(concat).cogroup(one, concat)).toThrow(
      expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }),
    );
  });
});
