import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { I, L, S } from './helpers.ts';

describe("Kafka's exact semantics of existing operators", () => {
  it('split(): a Branched.withFunction returning null adds no map entry; undefined keeps the branch', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream('in', { keySerde: S, valueSerde: I })
      .split({ name: 's-' })
      .branch((_k, v) => v > 0, { name: 'pos', withFunction: () => null })
      .branch((_k, v) => v < 0, { name: 'neg', withFunction: () => undefined })
      .defaultBranch({ name: 'zero', withFunction: (s) => s.mapValues((v) => v + 1) });
    expect([...branches.keys()]).toEqual(['s-neg', 's-zero']);
  });

  it('KTable.groupBy: a selector returning a null value is skipped, not re-emitted', () => {
    const b = new StreamsBuilder();
    b.table('t', { keySerde: S, valueSerde: S })
      .groupBy((_k, v) => ({ key: v, value: v === 'skip' ? (null as unknown as string) : v }), {
        keySerde: S,
        valueSerde: S,
      })
      .count({ materialized: 'counts' })
      .toStream()
      .to('out', { keySerde: S, valueSerde: L });
    const d = new TopologyTestDriver(b.build());
    const t = d.createInputTopic('t', S, S);
    t.pipeInput('a', 'x', 1);
    t.pipeInput('b', 'skip', 2);
    t.pipeInput('a', 'skip', 3); // x loses a; the new pair has no value and is skipped
    expect(
      d
        .createOutputTopic('out', S, L)
        .readRecordsToList()
        .map((r) => [r.key, r.value]),
    ).toEqual([
      ['x', 1],
      ['x', 0],
    ]);
    expect(d.getKeyValueStore<string, number>('counts').get('skip')).toBeNull();
  });

  it('KIP-962: a stream-table left join joins a null-key record with null; an inner join drops it; a global-table join looks up what the selector picks from a null key', () => {
    const b = new StreamsBuilder();
    const table = b.table('t', { keySerde: S, valueSerde: S });
    const global = b.globalTable('g', { keySerde: S, valueSerde: S });
    const s = b.stream('s', { keySerde: S, valueSerde: S });
    s.leftJoin(table, (v, t) => `${v}/${t}`).to('left', { keySerde: S, valueSerde: S });
    s.join(table, (v, t) => `${v}/${t}`).to('inner', { keySerde: S, valueSerde: S });
    s.join(
      global,
      (_k, v) => v,
      (v, g) => `${v}/${g}`,
    ).to('global', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    d.createInputTopic('t', S, S).pipeInput('k', 'T', 0);
    d.createInputTopic('g', S, S).pipeInput('x', 'G', 0);
    const input = d.createInputTopic('s', S, S);
    input.pipeInput(null, 'x', 1);
    input.pipeInput('k', 'y', 2);
    input.pipeInput(null, null, 3);
    const read = (topic: string) => d.createOutputTopic(topic, S, S).readKeyValuesToList();
    expect(read('left')).toEqual([
      { key: null, value: 'x/null' },
      { key: 'k', value: 'y/T' },
    ]);
    expect(read('inner')).toEqual([{ key: 'k', value: 'y/T' }]);
    expect(read('global')).toEqual([{ key: null, value: 'x/G' }]);
  });

  it('KIP-962: repartition() and repartition topics drop null-key records', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', { keySerde: S, valueSerde: S });
    s.selectKey((_k, v) => (v === 'none' ? (null as unknown as string) : v))
      .repartition({ name: 'rekeyed', keySerde: S, valueSerde: S })
      .to('out', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('b', 'none', 2);
    expect(d.readTopic('test-rekeyed-repartition').length).toBe(1);
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'x', value: 'x' }]);
  });

  it("test driver: an input topic's own clock with auto-advance, and readValuesToList", () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).to('out', { keySerde: S, valueSerde: S });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('in', S, S, { startTimestampMs: 100, autoAdvanceMs: 10 });
    input.pipeInput('a', '1');
    input.pipeInput('a', '2');
    input.pipeInput('a', '3', 5);
    input.advanceTime(100);
    input.pipeInput('a', '4');
    const out = d.createOutputTopic('out', S, S);
    expect(out.readRecordsToList().map((r) => r.timestamp)).toEqual([100, 110, 5, 220]);
    input.pipeValueList(['5', '6']);
    expect(out.readValuesToList()).toEqual(['5', '6']);
    expect(() => d.createInputTopic('in', S, S).advanceTime(1)).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_STATE' }),
    );
  });

  it("KTable.filter: Kafka's KTableFilterTest inputs, and an aggregation downstream ignores the filter's extra tombstones", () => {
    const b = new StreamsBuilder();
    const evens = b.table('t', { keySerde: S, valueSerde: I }).filter((_k, v) => v % 2 === 0);
    evens.toStream().to('out', { keySerde: S, valueSerde: I });
    evens
      .groupBy((_k, v) => ({ key: 'all', value: v }), { keySerde: S, valueSerde: I })
      .count({ materialized: 'evens' })
      .toStream()
      .to('counts', { keySerde: S, valueSerde: L });
    const d = new TopologyTestDriver(b.build());
    const input = d.createInputTopic('t', S, I);
    for (const [k, v] of [
      ['A', 1],
      ['B', 2],
      ['C', 3],
      ['D', 4],
      ['A', null],
      ['B', null],
    ] as const)
      input.pipeInput(k, v);
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([
      { key: 'A', value: null },
      { key: 'B', value: 2 },
      { key: 'C', value: null },
      { key: 'D', value: 4 },
      { key: 'A', value: null },
      { key: 'B', value: null },
    ]);
    expect(d.createOutputTopic('counts', S, L).readValuesToList()).toEqual([1, 2, 1]);
  });
});
