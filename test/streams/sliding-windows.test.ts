import { describe, expect, it } from 'vitest';
import { BufferConfig, SlidingWindows, StreamsBuilder, Suppressed, type Windowed } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { S } from './helpers.ts';

/** A sliding-window aggregation capturing every change as `[key, start, end, value, timestamp]`. */
function sliding(reduce: boolean) {
  const b = new StreamsBuilder();
  const seen: [string, number, number, string, number][] = [];
  const windowed = b
    .stream('topic', { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 50));
  const table = reduce
    ? windowed.reduce((a, v) => `${a}+${v}`, { materialized: { storeName: 'store', storeType: 'in-memory' } })
    : windowed.aggregate(
        () => '0',
        (_k, v, agg) => `${agg}+${v}`,
        { materialized: { storeName: 'store', storeType: 'in-memory', valueSerde: S } },
      );
  table.toStream().process(() => ({
    process(record) {
      const w = record.key as Windowed<string>;
      seen.push([w.key, w.window.start, w.window.end, record.value as string, record.timestamp]);
    },
  }));
  const d = new TopologyTestDriver(b.build());
  const input = d.createInputTopic('topic', S, S);
  /** The last value and timestamp per window start, as Kafka's small-input tests compare them. */
  const finals = () => Object.fromEntries(seen.map(([, start, , value, ts]) => [start, [value, ts]]));
  return { d, input, seen, finals };
}

describe('sliding windows (Kafka KStreamSlidingWindowAggregateTest)', () => {
  it('testAggregateSmallInput', () => {
    const { input, finals } = sliding(false);
    for (const [v, t] of [
      ['1', 10],
      ['2', 15],
      ['3', 20],
      ['4', 22],
      ['5', 30],
    ] as const)
      input.pipeInput('A', v, t);
    expect(finals()).toEqual({
      0: ['0+1', 10],
      5: ['0+1+2', 15],
      10: ['0+1+2+3', 20],
      11: ['0+2+3', 20],
      12: ['0+2+3+4', 22],
      16: ['0+3+4', 22],
      20: ['0+3+4+5', 30],
      21: ['0+4+5', 30],
      23: ['0+5', 30],
    });
  });

  it('testReduceSmallInput', () => {
    const { input, finals } = sliding(true);
    for (const [v, t] of [
      ['1', 10],
      ['2', 14],
      ['3', 15],
      ['4', 22],
      ['5', 26],
      ['6', 30],
    ] as const)
      input.pipeInput('A', v, t);
    expect(finals()).toEqual({
      0: ['1', 10],
      4: ['1+2', 14],
      5: ['1+2+3', 15],
      11: ['2+3', 15],
      12: ['2+3+4', 22],
      15: ['3+4', 22],
      16: ['4+5', 26],
      20: ['4+5+6', 30],
      23: ['5+6', 30],
      27: ['6', 30],
    });
  });

  it('testAggregateLargeInput: out-of-order records update the windows that cover them and make the ones they open (keys A to C)', () => {
    const { input, seen } = sliding(false);
    const pipe: [string, string, number][] = [
      ['A', '1', 10],
      ['A', '2', 20],
      ['A', '3', 22],
      ['A', '4', 15],
      ['B', '1', 12],
      ['B', '2', 13],
      ['B', '3', 18],
      ['B', '4', 19],
      ['B', '5', 25],
      ['B', '6', 14],
      ['C', '1', 11],
      ['C', '2', 15],
      ['C', '3', 16],
      ['C', '4', 21],
      ['C', '5', 23],
    ];
    for (const [k, v, t] of pipe) input.pipeInput(k, v, t);
    const sorted = [...seen].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    expect(sorted.map(([k, s, e, v, t]) => `${k}@${s}/${e} ${v} ${t}`)).toEqual([
      'A@0/10 0+1 10',
      'A@5/15 0+1+4 15',
      'A@10/20 0+1+2 20',
      'A@10/20 0+1+2+4 20',
      'A@11/21 0+2 20',
      'A@11/21 0+2+4 20',
      'A@12/22 0+2+3 22',
      'A@12/22 0+2+3+4 22',
      'A@16/26 0+2+3 22',
      'A@21/31 0+3 22',
      'B@2/12 0+1 12',
      'B@3/13 0+1+2 13',
      'B@4/14 0+1+2+6 14',
      'B@8/18 0+1+2+3 18',
      'B@8/18 0+1+2+3+6 18',
      'B@9/19 0+1+2+3+4 19',
      'B@9/19 0+1+2+3+4+6 19',
      'B@13/23 0+2 13',
      'B@13/23 0+2+3 18',
      'B@13/23 0+2+3+4 19',
      'B@13/23 0+2+3+4+6 19',
      'B@14/24 0+3 18',
      'B@14/24 0+3+4 19',
      'B@14/24 0+3+4+6 19',
      'B@15/25 0+3+4+5 25',
      'B@19/29 0+4 19',
      'B@19/29 0+4+5 25',
      'B@20/30 0+5 25',
      'C@1/11 0+1 11',
      'C@5/15 0+1+2 15',
      'C@6/16 0+1+2+3 16',
      'C@11/21 0+1+2+3+4 21',
      'C@12/22 0+2 15',
      'C@12/22 0+2+3 16',
      'C@12/22 0+2+3+4 21',
      'C@13/23 0+2+3+4+5 23',
      'C@16/26 0+3 16',
      'C@16/26 0+3+4 21',
      'C@16/26 0+3+4+5 23',
      'C@17/27 0+4 21',
      'C@17/27 0+4+5 23',
      'C@22/32 0+5 23',
    ]);
  });

  it('drops and counts a record no open window covers', () => {
    const b = new StreamsBuilder();
    b.stream('topic', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
      .count({ materialized: 'counts' });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('topic', S, S);
    input.pipeInput('k', 'x', 100);
    input.pipeInput('k', 'y', 50);
    expect(d.getWindowStore('counts').metrics.droppedRecords).toBe(1);
    expect(d.getWindowStore<string, number>('counts').fetch('k', 0, 200)).toEqual([{ key: 90, value: 1 }]);
  });
});

describe('sliding windows with suppression', () => {
  it('emits each window once, after stream time passes its (inclusive) end plus grace', () => {
    const b = new StreamsBuilder();
    const out: string[] = [];
    b.stream('topic', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .foreach((w, n) => out.push(`${w.key}@${w.window.start}/${w.window.end}=${n}`));
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('topic', S, S);
    input.pipeInput('k', 'x', 10);
    input.pipeInput('k', 'y', 15);
    input.pipeInput('k', 'z', 25); // [5,15] ends at 15 < 25: closed; [11,21] holds 15 and ends at 21: closed
    expect(out).toEqual(['k@0/10=1', 'k@5/15=2', 'k@11/21=1']);
    input.pipeInput('k', 'w', 26); // [15,25] (z's left window, holding y and z) ends at 25 < 26
    expect(out).toEqual(['k@0/10=1', 'k@5/15=2', 'k@11/21=1', 'k@15/25=2']);
  });

  it('keeps its store 2 × time difference + grace by default and refuses less (Kafka’s SlidingWindowStoreMaterializer)', () => {
    const windowed = () =>
      new StreamsBuilder()
        .stream('topic', { keySerde: S, valueSerde: S })
        .groupByKey()
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5));
    expect(() => windowed().count({ materialized: { storeName: 'c', retentionMs: 24 } })).toThrow(
      /retention \(24 ms\) must be at least 2 \* time difference \+ grace \(25 ms\)/,
    );
    const b = new StreamsBuilder();
    b.stream('topic', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5))
      .count({ materialized: 'counts' });
    const d = new TopologyTestDriver(b.build());
    expect(d.getWindowStore('counts').retentionMs).toBe(25);
    d.close();
  });

  it('keeps no store of records: the topology has the window store alone, as Kafka’s', () => {
    const b = new StreamsBuilder();
    b.stream('topic', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10))
      .count({ materialized: 'counts' });
    const described = b.build().describe().toString();
    expect(described).toContain('(stores: [counts])');
    expect(described).not.toContain('counts-records');
  });
});
