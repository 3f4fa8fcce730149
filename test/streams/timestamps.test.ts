import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.ts';
import { StreamsBuilder, Stores } from '../../src/streams/index.ts';
import { Bytes } from '../../src/streams/state/bytes.ts';
import { timestampedView } from '../../src/streams/state/timestamped-store.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { L, S } from './helpers.ts';

function drive(builder: StreamsBuilder) {
  return new TopologyTestDriver(builder.build(), { defaultKeySerde: S as never, defaultValueSerde: S as never });
}

const records = <K, V>(list: { key: K | null; value: V | null; timestamp: number }[]) =>
  list.map(({ key, value, timestamp }) => ({ key, value, timestamp }));

describe('timestamped stores under KTables (Kafka KIP-258)', () => {
  it('an aggregate carries max(record timestamp, aggregate timestamp), as the issue and Kafka KStreamAggregate', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count({ materialized: 'counts' })
      .toStream()
      .to('out', { valueSerde: L });
    const d = drive(b);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 10);
    input.pipeInput('k', 'b', 5);
    input.pipeInput('k', 'c', 15);
    input.pipeInput('j', 'd', 3);
    expect(records(d.createOutputTopic('out', S, L).readRecordsToList())).toEqual([
      { key: 'k', value: 1, timestamp: 10 },
      { key: 'k', value: 2, timestamp: 10 },
      { key: 'k', value: 3, timestamp: 15 },
      { key: 'j', value: 1, timestamp: 3 },
    ]);
    const store = d.getTimestampedKeyValueStore<string, number>('counts');
    expect(store.get('k')).toEqual({ value: 3, timestamp: 15 });
    expect(store.all()).toEqual([
      { key: 'j', value: { value: 1, timestamp: 3 } },
      { key: 'k', value: { value: 3, timestamp: 15 } },
    ]);
    // The plain view still answers with values only.
    expect(d.getKeyValueStore<string, number>('counts').get('k')).toBe(3);
    // The changelog holds plain values on records stamped with the value's timestamp, as Kafka's.
    const changelog = d.readTopic('test-counts-changelog');
    expect(changelog.map((r) => [S.deserialize('t', r.key), L.deserialize('t', r.value), r.timestamp])).toEqual([
      ['k', 1, 10],
      ['k', 2, 10],
      ['k', 3, 15],
      ['j', 1, 3],
    ]);
  });

  it('reduce and aggregate stamp the same way; a table source keeps each record its own timestamp', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', { keySerde: S, valueSerde: S });
    s.groupByKey().reduce((a, v) => a + v, { materialized: 'reduced' });
    s.groupByKey().aggregate(
      () => '',
      (_k, v, agg) => agg + v,
      { materialized: 'aggregated' },
    );
    b.table('tbl', { keySerde: S, valueSerde: S, materialized: 'tbl-store' });
    const d = drive(b);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 20);
    input.pipeInput('k', 'b', 7);
    expect(d.getTimestampedKeyValueStore<string, string>('reduced').get('k')).toEqual({ value: 'ab', timestamp: 20 });
    expect(d.getTimestampedKeyValueStore<string, string>('aggregated').get('k')).toEqual({
      value: 'ab',
      timestamp: 20,
    });
    const tbl = d.createInputTopic('tbl', S, S);
    tbl.pipeInput('x', '1', 20);
    tbl.pipeInput('x', '2', 7);
    expect(d.getTimestampedKeyValueStore<string, string>('tbl-store').get('x')).toEqual({ value: '2', timestamp: 7 });
  });

  it('KGroupedTable aggregation: the group aggregate keeps the larger timestamp through subtract and add (Kafka KTableAggregateTest)', () => {
    const b = new StreamsBuilder();
    b.table('tbl', { keySerde: S, valueSerde: S })
      .groupBy((k, v) => ({ key: v, value: k }), { keySerde: S, valueSerde: S })
      .count({ materialized: 'by-value' })
      .toStream()
      .to('out', { valueSerde: L });
    const d = drive(b);
    const tbl = d.createInputTopic('tbl', S, S);
    tbl.pipeInput('A', '1', 10);
    tbl.pipeInput('B', '1', 5);
    tbl.pipeInput('A', '2', 8);
    expect(d.getTimestampedKeyValueStore<string, number>('by-value').get('1')).toEqual({ value: 1, timestamp: 10 });
    expect(d.getTimestampedKeyValueStore<string, number>('by-value').get('2')).toEqual({ value: 1, timestamp: 8 });
    const out = records(d.createOutputTopic('out', S, L).readRecordsToList());
    expect(out[0]).toEqual({ key: '1', value: 1, timestamp: 10 });
    expect(out[1]).toEqual({ key: '1', value: 2, timestamp: 10 });
    expect(out.at(-1)).toEqual({ key: '2', value: 1, timestamp: 8 });
    expect(out.filter((r) => r.key === '1').at(-1)).toEqual({ key: '1', value: 1, timestamp: 10 });
  });

  it('a table-table join result carries the larger timestamp of both sides (Kafka KTableKTableInnerJoinTest), its getter too', () => {
    const b = new StreamsBuilder();
    const left = b.table('left', { keySerde: S, valueSerde: S });
    const right = b.table('right', { keySerde: S, valueSerde: S });
    const joined = left.join(right, (l, r) => `${l}+${r}`);
    joined.toStream().to('out');
    left
      .leftJoin(right, (l, r) => `${l}+${r ?? '-'}`)
      .toStream()
      .to('left-out');
    // A downstream join reads `joined` through its getter: the timestamp comes along.
    const third = b.table('third', { keySerde: S, valueSerde: S });
    third
      .join(joined, (t, j) => `${t}/${j}`)
      .toStream()
      .to('third-out');
    const d = drive(b);
    const l = d.createInputTopic('left', S, S);
    const r = d.createInputTopic('right', S, S);
    l.pipeInput('k', 'l1', 5);
    r.pipeInput('k', 'r1', 10);
    l.pipeInput('k', 'l2', 3);
    r.pipeInput('k', 'r2', 2);
    expect(records(d.createOutputTopic('out', S, S).readRecordsToList())).toEqual([
      { key: 'k', value: 'l1+r1', timestamp: 10 },
      { key: 'k', value: 'l2+r1', timestamp: 10 },
      { key: 'k', value: 'l2+r2', timestamp: 3 },
    ]);
    expect(records(d.createOutputTopic('left-out', S, S).readRecordsToList())).toEqual([
      { key: 'k', value: 'l1+-', timestamp: 5 },
      { key: 'k', value: 'l1+r1', timestamp: 10 },
      { key: 'k', value: 'l2+r1', timestamp: 10 },
      { key: 'k', value: 'l2+r2', timestamp: 3 },
    ]);
    d.createInputTopic('third', S, S).pipeInput('k', 't', 1);
    expect(records(d.createOutputTopic('third-out', S, S).readRecordsToList())).toEqual([
      { key: 'k', value: 't/l2+r2', timestamp: 3 },
    ]);
  });

  it('a timestamped store restores from its changelog with the timestamps the records carry', () => {
    const sent: { key: Uint8Array; value: Uint8Array | null; timestamp: number }[] = [];
    let now = 42;
    const builder = Stores.timestampedKeyValueStoreBuilder(Stores.inMemoryKeyValueStore('s'), S, S);
    const env = {
      applicationId: 'app',
      taskId: '0_0',
      partition: 0,
      cacheBudget: null,
      changelog: (_t: string, key: Uint8Array, value: Uint8Array | null, timestamp: number) =>
        sent.push({ key, value, timestamp }),
      timestamp: () => now,
    };
    const first = builder.build(env);
    first.store.put('a', '1');
    now = 50;
    first.store.putWithTimestamp('b', '2', 30);
    first.store.put('a', null);
    expect(
      sent.map((r) => [S.deserialize('t', r.key), r.value === null ? null : S.deserialize('t', r.value), r.timestamp]),
    ).toEqual([
      ['a', '1', 42],
      ['b', '2', 30],
      ['a', null, 50],
    ]);
    const second = builder.build(env);
    for (const r of sent) second.bytes.put(new Bytes(r.key), second.restoreValue!(r.value, r.timestamp));
    expect(timestampedView(second.store).all()).toEqual([{ key: 'b', value: { value: '2', timestamp: 30 } }]);
  });

  it('a plain store refuses the timestamped view', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('plain'), S, Serdes.String()));
    b.stream('in', { keySerde: S, valueSerde: S }).process(() => ({ process() {} }), 'plain');
    const d = drive(b);
    expect(() => d.getTimestampedKeyValueStore('plain')).toThrow(
      expect.objectContaining({ code: 'INVALID_STATE_STORE' }),
    );
  });
});
