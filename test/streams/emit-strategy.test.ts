import { describe, expect, it } from 'vitest';
import {
  EmitStrategy,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  TimeWindows,
  windowedToString,
} from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { AGG_BASIC_RECORDS, S } from './helpers.ts';

type Seen = [window: string, value: string, timestamp: number];

/** The records reaching a sink topic `out`, as [window, value, timestamp]. */
function outputs(driver: TopologyTestDriver): Seen[] {
  return driver
    .createOutputTopic('out', S, S)
    .readRecordsToList()
    .map((r) => [r.key!, r.value!, r.timestamp]);
}

/**
 * Kafka's KStreamWindowAggregateTest topology through the DSL: hopping windows of 10 advancing by
 * 5 (or sliding windows of `sliding`), grace 5 unless given, `0+v+v…` aggregates, the store kept a
 * day as the test's own store is; results to `out` as `[key@start/end]`.
 */
function build(
  strategy: EmitStrategy,
  options: { grace?: number; cachingEnabled?: boolean; retentionMs?: number; sliding?: number } = {},
) {
  const b = new StreamsBuilder();
  const grouped = b.stream('topic', { keySerde: S, valueSerde: S }).groupByKey();
  const windowed =
    options.sliding !== undefined
      ? grouped.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(options.sliding, options.grace ?? 5))
      : grouped.windowedBy(TimeWindows.ofSizeAndGrace(10, options.grace ?? 5).advanceBy(5));
  windowed
    .emitStrategy(strategy)
    .aggregate(
      () => '0',
      (_k, v, agg) => `${agg}+${v}`,
      {
        materialized: {
          storeName: 'agg-store',
          keySerde: S,
          valueSerde: S,
          cachingEnabled: options.cachingEnabled ?? false,
          ...(options.retentionMs !== 0 ? { retentionMs: options.retentionMs ?? 86_400_000 } : {}),
        },
      },
    )
    .toStream()
    .map((w, v) => ({ key: windowedToString(w), value: v }))
    .to('out', { keySerde: S, valueSerde: S });
  return b;
}

function pipe(driver: TopologyTestDriver, records: readonly [string, string, number][]): void {
  const input = driver.createInputTopic('topic', S, S);
  for (const [k, v, ts] of records) input.pipeInput(k, v, ts);
}

/** A driver over {@link build}'s topology; the emit interval is the driver's 0 unless given. */
function driverFor(
  strategy: EmitStrategy,
  options: Parameters<typeof build>[1] = {},
  windowedAggregationEmitIntervalMs?: number,
): TopologyTestDriver {
  return new TopologyTestDriver(build(strategy, options).build(), {
    applicationId: 'emit',
    ...(windowedAggregationEmitIntervalMs !== undefined ? { windowedAggregationEmitIntervalMs } : {}),
  });
}

/** The records of Kafka's shouldEmitWithInterval0. */
const INTERVAL0_RECORDS: [string, string, number][] = [
  ['A', '1', 0],
  ['A', '1', 5],
  ['B', '2', 10],
  ['C', '3', 15],
  ['D', '4', 20],
];

const closeAndUpdate = [
  ['onWindowClose', EmitStrategy.onWindowClose()],
  ['onWindowUpdate', EmitStrategy.onWindowUpdate()],
] as const;

describe('EmitStrategy on time windows (Kafka KStreamWindowAggregateTest)', () => {
  it('onWindowClose emits nothing while every window is within its grace (testAggBasic)', () => {
    for (const cachingEnabled of [false, true]) {
      const driver = driverFor(EmitStrategy.onWindowClose(), { grace: 100, cachingEnabled });
      pipe(driver, AGG_BASIC_RECORDS);
      expect(outputs(driver)).toEqual([]);
      driver.close();
    }
  });

  it('shouldNotEmitFinalIfNotProgressEnough: no emit while the close time stays, nor while it covers no new window', () => {
    for (const cachingEnabled of [false, true]) {
      const driver = driverFor(EmitStrategy.onWindowClose(), { cachingEnabled });
      pipe(driver, [
        ['A', '1', 0],
        ['B', '2', 5],
        ['C', '3', 15],
      ]);
      expect(outputs(driver)).toEqual([
        ['[A@0/10]', '0+1', 0],
        ['[B@0/10]', '0+2', 5],
      ]);
      pipe(driver, [['D', '4', 15]]);
      expect(outputs(driver)).toEqual([]);
      pipe(driver, [['E', '5', 19]]);
      expect(outputs(driver)).toEqual([]);
      driver.close();
    }
  });

  it('shouldEmitWithInterval0: each closed window once, its final value stamped with its own timestamp', () => {
    const driver = driverFor(EmitStrategy.onWindowClose());
    pipe(driver, INTERVAL0_RECORDS);
    expect(outputs(driver)).toEqual([
      ['[A@0/10]', '0+1+1', 5],
      ['[A@5/15]', '0+1', 5],
      ['[B@5/15]', '0+2', 10],
    ]);
    driver.close();
  });

  it('shouldEmitWithLargeInterval: looks at most once per interval of the wall clock', () => {
    const driver = driverFor(EmitStrategy.onWindowClose(), {}, 1000);
    pipe(driver, [
      ['A', '1', 0],
      ['A', '1', 5],
      ['B', '2', 10],
      ['C', '3', 15],
    ]);
    expect(outputs(driver)).toEqual([]);
    driver.advanceWallClockTime(10_000);
    pipe(driver, [['D', '4', 20]]);
    expect(outputs(driver)).toEqual([
      ['[A@0/10]', '0+1+1', 5],
      ['[A@5/15]', '0+1', 5],
      ['[B@5/15]', '0+2', 10],
    ]);
    driver.advanceWallClockTime(100);
    pipe(driver, [['E', '5', 40]]);
    expect(outputs(driver)).toEqual([]);
    driver.close();
  });

  it('onWindowUpdate forwards every update, as without an emit strategy (shouldEmitWithInterval0)', () => {
    const driver = driverFor(EmitStrategy.onWindowUpdate());
    pipe(driver, INTERVAL0_RECORDS);
    expect(outputs(driver)).toEqual([
      ['[A@0/10]', '0+1', 0],
      ['[A@0/10]', '0+1+1', 5],
      ['[A@5/15]', '0+1', 5],
      ['[B@5/15]', '0+2', 10],
      ['[B@10/20]', '0+2', 10],
      ['[C@10/20]', '0+3', 15],
      ['[C@15/25]', '0+3', 15],
      ['[D@15/25]', '0+4', 20],
      ['[D@20/30]', '0+4', 20],
    ]);
    driver.close();
  });

  it('late records count as dropped and are not emitted (shouldLogAndMeterWhenSkippingExpiredWindowByGrace)', () => {
    for (const [, strategy] of closeAndUpdate) {
      const b = new StreamsBuilder();
      b.stream('topic', { keySerde: S, valueSerde: S })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(10))
        .emitStrategy(strategy)
        .aggregate(
          () => '',
          (_k, v, agg) => `${agg}+${v}`,
          { materialized: { storeName: 'agg-store', keySerde: S, valueSerde: S, loggingEnabled: false } },
        )
        .toStream()
        .map((w, v) => ({ key: windowedToString(w), value: v }))
        .to('out', { keySerde: S, valueSerde: S });
      const driver = new TopologyTestDriver(b.build(), { applicationId: 'emit', cacheMaxBytes: 0 });
      pipe(driver, [
        ['k', '100', 200],
        ['k', '0', 100],
        ['k', '1', 101],
        ['k', '2', 102],
        ['k', '3', 103],
        ['k', '4', 104],
        ['k', '5', 105],
        ['k', '6', 6],
      ]);
      expect(outputs(driver)).toEqual(strategy.type === 'ON_WINDOW_CLOSE' ? [] : [['[k@200/210]', '+100', 200]]);
      driver.close();
    }
  });

  it('a closed window is emitted once, however many records follow, and the next ones as they close', () => {
    const driver = driverFor(EmitStrategy.onWindowClose(), { grace: 0 });
    pipe(driver, [
      ['A', 'a', 1],
      ['A', 'b', 7],
      ['B', 'c', 12],
      ['A', 'd', 13],
      ['B', 'e', 16],
      ['A', 'f', 27],
    ]);
    expect(outputs(driver)).toEqual([
      // close time 12: [0,10) has closed.
      ['[A@0/10]', '0+a+b', 7],
      // close time 16: [5,15) has.
      ['[A@5/15]', '0+b+d', 13],
      ['[B@5/15]', '0+c', 12],
      // close time 27: [10,20) and [15,25).
      ['[A@10/20]', '0+d', 13],
      ['[B@10/20]', '0+c+e', 16],
      ['[B@15/25]', '0+e', 16],
    ]);
    driver.close();
  });

  it('with the default retention an uncached persistent store still emits each window as it closes (Kafka’s time-ordered store keeps it a ms longer), an in-memory one does not', () => {
    const run = (storeType: 'persistent' | 'in-memory') => {
      const b = new StreamsBuilder();
      b.stream('topic', { keySerde: S, valueSerde: S })
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count({ materialized: { storeName: 'counts', storeType, cachingEnabled: false } })
        .toStream()
        .map((w, c) => ({ key: windowedToString(w), value: String(c) }))
        .to('out', { keySerde: S, valueSerde: S });
      const driver = new TopologyTestDriver(b.build(), { applicationId: 'emit' });
      pipe(driver, [
        ['A', 'a', 1],
        ['A', 'b', 4],
        ['A', 'c', 12],
      ]);
      const rows = outputs(driver);
      driver.close();
      return rows;
    };
    expect(run('persistent')).toEqual([['[A@0/10]', '2', 4]]);
    expect(run('in-memory')).toEqual([]);
  });

  it('rejects anything but an EmitStrategy', () => {
    const windowed = new StreamsBuilder()
      .stream('topic', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10));
    expect(() => windowed.emitStrategy('ON_WINDOW_CLOSE' as never)).toThrow(TypeError);
    expect(windowed.emitStrategy(EmitStrategy.onWindowClose())).toBe(windowed);
  });
});

describe('EmitStrategy on sliding windows (Kafka KStreamSlidingWindowAggregate)', () => {
  it('emits each closed sliding window once, with its final value', () => {
    const driver = driverFor(EmitStrategy.onWindowClose(), { sliding: 10, grace: 0 });
    pipe(driver, [
      ['A', 'a', 10],
      ['A', 'b', 15],
      ['A', 'c', 30],
      ['A', 'd', 50],
    ]);
    // Windows of A: [0,10] a, [5,15] a+b, [11,21] b, [20,30] c, [16,26] none (b's right window holds
    // only what followed b within 10: nothing), [31,41] none, [40,50] d.
    const rows = outputs(driver);
    for (const [window] of rows) expect(rows.filter(([w]) => w === window)).toHaveLength(1);
    expect(rows).toEqual([
      ['[A@0/10]', '0+a', 10],
      ['[A@5/15]', '0+a+b', 15],
      ['[A@11/21]', '0+b', 15],
      ['[A@20/30]', '0+c', 30],
    ]);
    driver.close();
  });

  it("onWindowUpdate on sliding windows forwards every update, in Kafka's order", () => {
    const driver = driverFor(EmitStrategy.onWindowUpdate(), { sliding: 10, grace: 0 });
    pipe(driver, [
      ['A', 'a', 10],
      ['A', 'b', 15],
    ]);
    // Kafka's order: the previous record's right window is made before the new record's left one.
    expect(outputs(driver)).toEqual([
      ['[A@0/10]', '0+a', 10],
      ['[A@11/21]', '0+b', 15],
      ['[A@5/15]', '0+a+b', 15],
    ]);
    driver.close();
  });
});

describe('EmitStrategy on session windows (Kafka KStreamSessionWindowAggregate)', () => {
  function sessions(strategy: EmitStrategy) {
    const b = new StreamsBuilder();
    b.stream('topic', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5))
      .emitStrategy(strategy)
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        (_k, a, c) => a + c,
        { materialized: { storeName: 'sessions', keySerde: S, valueSerde: S } },
      )
      .toStream()
      .map((w, v) => ({ key: windowedToString(w), value: v ?? '-' }))
      .to('out', { keySerde: S, valueSerde: S });
    return new TopologyTestDriver(b.build(), { applicationId: 'emit' });
  }

  it('emits each session once after stream time passes its end plus gap plus grace, stamped with its end', () => {
    const driver = sessions(EmitStrategy.onWindowClose());
    pipe(driver, [
      ['A', 'a', 0],
      ['A', 'b', 8], // merges into [0,8]
      ['B', 'c', 20],
      ['A', 'd', 23], // stream time 23: [0,8] closes once stream time passes 8 + 15
    ]);
    expect(outputs(driver)).toEqual([]);
    pipe(driver, [['B', 'e', 24]]);
    expect(outputs(driver)).toEqual([['[A@0/8]', 'ab', 8]]);
    pipe(driver, [
      ['A', 'f', 30], // merges into A's [23,30]
      ['C', 'g', 60], // closes B [20,24] and A [23,30], by end then key
    ]);
    expect(outputs(driver)).toEqual([
      ['[B@20/24]', 'ce', 24],
      ['[A@23/30]', 'df', 30],
    ]);
    driver.close();
  });

  it('onWindowUpdate forwards every session change, merges retracted', () => {
    const driver = sessions(EmitStrategy.onWindowUpdate());
    pipe(driver, [
      ['A', 'a', 0],
      ['A', 'b', 8],
    ]);
    expect(outputs(driver)).toEqual([
      ['[A@0/0]', 'a', 0],
      ['[A@0/0]', '-', 0],
      ['[A@0/8]', 'ab', 8],
    ]);
    driver.close();
  });
});
