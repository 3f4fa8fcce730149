import { describe, expect, it } from 'vitest';
import {
  StreamsBuilder,
  TimeWindows,
  type Windowed,
  WindowedSerdes,
  windowedToString,
} from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { AGG_BASIC_RECORDS, L, S } from './helpers.ts';

function drive(builder: StreamsBuilder) {
  return new TopologyTestDriver(builder.build(), { defaultKeySerde: S as never, defaultValueSerde: S as never });
}

describe('windowed aggregations (Kafka KStreamWindowAggregateTest)', () => {
  it('testAggBasic: hopping windows of 10 advancing by 5 with grace 100, late-but-in-grace records included, timestamps max(record, window)', () => {
    const b = new StreamsBuilder();
    const seen: [string, string, number][] = [];
    b.stream('topic1', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5))
      .aggregate(
        () => '0',
        (_k, v, agg) => `${agg}+${v}`,
        { materialized: { storeName: 'topic1-Canonized', cachingEnabled: false } },
      )
      .toStream()
      .process(() => {
        let ts = 0;
        return {
          init() {},
          process(record) {
            ts = record.timestamp;
            seen.push([windowedToString(record.key as Windowed<string>), record.value as string, ts]);
          },
        };
      });
    const d = drive(b);
    const input = d.createInputTopic('topic1', S, S);
    for (const [k, v, t] of AGG_BASIC_RECORDS) input.pipeInput(k, v, t);
    expect(seen).toEqual([
      ['[A@0/10]', '0+1', 0],
      ['[B@0/10]', '0+2', 1],
      ['[C@0/10]', '0+3', 2],
      ['[D@0/10]', '0+4', 3],
      ['[A@0/10]', '0+1+1', 4],
      ['[A@0/10]', '0+1+1+1', 5],
      ['[A@5/15]', '0+1', 5],
      ['[B@0/10]', '0+2+2', 6],
      ['[B@5/15]', '0+2', 6],
      ['[D@0/10]', '0+4+4', 7],
      ['[D@5/15]', '0+4', 7],
      ['[B@0/10]', '0+2+2+2', 8],
      ['[B@5/15]', '0+2+2', 8],
      ['[C@0/10]', '0+3+3', 9],
      ['[C@5/15]', '0+3', 9],
      ['[A@5/15]', '0+1+1', 10],
      ['[A@10/20]', '0+1', 10],
      ['[B@5/15]', '0+2+2+2', 11],
      ['[B@10/20]', '0+2', 11],
      ['[D@5/15]', '0+4+4', 12],
      ['[D@10/20]', '0+4', 12],
      ['[B@5/15]', '0+2+2+2+2', 13],
      ['[B@10/20]', '0+2+2', 13],
      ['[C@5/15]', '0+3+3', 14],
      ['[C@10/20]', '0+3', 14],
      ['[B@0/10]', '0+2+2+2+1', 8],
      ['[B@0/10]', '0+2+2+2+1+2', 8],
      ['[B@0/10]', '0+2+2+2+1+2+3', 9],
      ['[B@5/15]', '0+2+2+2+2+3', 13],
    ]);
    const store = d.getWindowStore<string, string>('topic1-Canonized');
    expect(store.fetch('B', 0, 10)).toEqual([
      { key: 0, value: '0+2+2+2+1+2+3' },
      { key: 5, value: '0+2+2+2+2+3' },
      { key: 10, value: '0+2+2' },
    ]);
    expect(store.fetchWithTimestamp('B', 5)).toEqual({ value: '0+2+2+2+2+3', timestamp: 13 });
    expect(store.metrics.droppedRecords).toBe(0);
  });

  it('shouldLogAndMeterWhenSkippingExpiredWindow: records whose windows all closed (end + grace ≤ stream time) are dropped and counted', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 90).advanceBy(5))
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        { materialized: 'agg' },
      )
      .toStream()
      .map((w, v) => ({ key: `${w.key}@${w.window.start}/${w.window.end}`, value: v }))
      .to('out');
    const d = drive(b);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', '100', 100);
    input.pipeInput('k', '0', 0); // windows [-5..)…[0,10): end 10 ≤ 100 - 90: late
    input.pipeInput('k', '1', 1);
    input.pipeInput('k', '2', 2);
    input.pipeInput('k', '3', 3);
    input.pipeInput('k', '4', 4);
    input.pipeInput('k', '5', 5); // [5,15) ends at 15 > 10: still open
    input.pipeInput('k', '6', 6);
    expect(
      d
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
    ).toEqual([
      ['k@95/105', '100', 100],
      ['k@100/110', '100', 100],
      ['k@5/15', '5', 5],
      ['k@5/15', '56', 6],
    ]);
    expect(d.getWindowStore('agg').metrics.droppedRecords).toBe(5);
  });

  it('tumbling windows with no grace: count and reduce, results written with the time-windowed serde in Kafka layout', () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('in', { keySerde: S, valueSerde: S }).groupByKey();
    const windows = TimeWindows.ofSizeWithNoGrace(60_000);
    grouped
      .windowedBy(windows)
      .count({ materialized: 'counts' })
      .toStream()
      .to('counts', { keySerde: WindowedSerdes.timeWindowedSerdeFrom(S, 60_000), valueSerde: L });
    grouped
      .windowedBy(windows)
      .reduce((a, v) => `${a},${v}`, { materialized: { storeName: 'lists', retentionMs: 120_000 } });
    const d = drive(b);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('alice', 'a', 1_000);
    input.pipeInput('alice', 'b', 59_999);
    input.pipeInput('bob', 'c', 60_000);
    input.pipeInput('alice', 'd', 30_000); // window [0, 60000) closed at stream time 60000: dropped
    input.pipeInput('alice', 'e', 61_000);
    const out = d.createOutputTopic('counts', WindowedSerdes.timeWindowedSerdeFrom(S, 60_000), L).readRecordsToList();
    expect(out.map((r) => [r.key!.key, r.key!.window.start, r.key!.window.end, r.value, r.timestamp])).toEqual([
      ['alice', 0, 60_000, 1, 1_000],
      ['alice', 0, 60_000, 2, 59_999],
      ['bob', 60_000, 120_000, 1, 60_000],
      ['alice', 60_000, 120_000, 1, 61_000],
    ]);
    const raw = d.readTopic('counts')[0]!.key!;
    expect(Buffer.from(raw).toString('hex')).toBe(`${Buffer.from('alice').toString('hex')}0000000000000000`);
    expect(
      d
        .getWindowStore<string, string>('lists')
        .fetchAll(0, 60_000)
        .map((e) => [e.key.key, e.key.window.start, e.value]),
    ).toEqual([
      ['alice', 0, 'a,b'],
      ['alice', 60_000, 'e'],
      ['bob', 60_000, 'c'],
    ]);
    // Kept for size + grace only, the closed window [0, 60000) left 'counts' when the next began.
    expect(
      d
        .getWindowStore<string, number>('counts')
        .all()
        .map((e) => [e.key.key, e.key.window.start, e.value]),
    ).toEqual([
      ['alice', 60_000, 1],
      ['bob', 60_000, 1],
    ]);
    expect(d.getWindowStore('counts').metrics.droppedRecords).toBe(1);
    expect(d.getWindowStore('lists').metrics.droppedRecords).toBe(1);
  });

  it('windows after a key change go through a repartition topic, and the windowed table joins its own getter', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .groupBy((_k, v) => v, { keySerde: S, valueSerde: S })
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count({ materialized: 'by-word' })
      .toStream()
      .to('out', { keySerde: WindowedSerdes.timeWindowedSerdeFrom(S, 10), valueSerde: L });
    const d = drive(b);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('x', 'w', 1);
    input.pipeInput('y', 'w', 2);
    input.pipeInput('z', 'w', 12);
    expect(d.readTopic('test-by-word-repartition').length).toBe(3);
    expect(
      d
        .createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), L)
        .readRecordsToList()
        .map((r) => [r.key!.window.start, r.value]),
    ).toEqual([
      [0, 1],
      [0, 2],
      [10, 1],
    ]);
  });

  it('session-windowed keys serialize as key | end | start, and windows reject bad sizes', () => {
    const serde = WindowedSerdes.sessionWindowedSerdeFrom(S);
    const bytes = serde.serialize('t', { key: 'k', window: { start: 1, end: 2 } })!;
    expect(Buffer.from(bytes).toString('hex')).toBe(`6b${'0000000000000002'}${'0000000000000001'}`);
    expect(serde.deserialize('t', bytes)).toEqual({ key: 'k', window: { start: 1, end: 2 } });
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }));
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(
      expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }),
    );
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(12)).toEqual([
      { start: 5, end: 15 },
      { start: 10, end: 20 },
    ]);
  });
});
