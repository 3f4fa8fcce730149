import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { I, S } from './helpers.ts';

describe('Materialized on KTable.filter and mapValues (queryable results)', () => {
  it('keeps the filtered and mapped tables in stores of their own, with timestamps, and joins read them', () => {
    const b = new StreamsBuilder();
    const t = b.table('t', { keySerde: S, valueSerde: I });
    const big = t.filter((_k, v) => v > 10, undefined, { storeName: 'big', cachingEnabled: false });
    t.mapValues((v) => `#${v}`, undefined, { storeName: 'labels', valueSerde: S });
    big.toStream().to('big-out', { keySerde: S, valueSerde: I });
    b.table('other', { keySerde: S, valueSerde: S })
      .join(big, (o, v) => `${o}:${v}`)
      .toStream()
      .to('joined', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('t', S, I);
    input.pipeInput('a', 50, 5);
    input.pipeInput('b', 1, 6);
    input.pipeInput('a', 60, 7);
    input.pipeInput('b', 20, 8);
    input.pipeInput('a', 3, 9);
    expect(d.getKeyValueStore<string, number>('big').all()).toEqual([{ key: 'b', value: 20 }]);
    expect(d.getTimestampedKeyValueStore<string, number>('big').get('b')).toEqual({ value: 20, timestamp: 8 });
    expect(d.getKeyValueStore<string, string>('labels').all()).toEqual([
      { key: 'a', value: '#3' },
      { key: 'b', value: '#20' },
    ]);
    expect(
      d
        .createOutputTopic('big-out', S, I)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
    ).toEqual([
      ['a', 50, 5],
      ['b', null, 6],
      ['a', 60, 7],
      ['b', 20, 8],
      ['a', null, 9],
    ]);
    d.createInputTopic('other', S, S).pipeInput('b', 'o', 10);
    expect(
      d
        .createOutputTopic('joined', S, S)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
    ).toEqual([['b', 'o:20', 10]]);
  });

  it('toStream(mapper) re-keys the updates, as toStream().selectKey(mapper)', () => {
    const b = new StreamsBuilder();
    b.table('t', { keySerde: S, valueSerde: I })
      .toStream((k, v) => `${k}-${v}`)
      .to('out', { keySerde: S, valueSerde: I });
    const d = new TopologyTestDriver(b.build());
    d.createInputTopic('t', S, I).pipeInput('a', 1, 3);
    expect(
      d
        .createOutputTopic('out', S, I)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
    ).toEqual([['a-1', 1, 3]]);
  });
});
