import { describe, expect, it } from 'vitest';
import { JoinWindows, StreamsBuilder } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { topologyGraph } from '../../src/streams/topology.ts';
import { S } from './helpers.ts';

function setup(mode: 'join' | 'leftJoin' | 'outerJoin', windows: JoinWindows) {
  const b = new StreamsBuilder();
  const left = b.stream('left', { keySerde: S, valueSerde: S });
  const right = b.stream('right', { keySerde: S, valueSerde: S });
  const joiner = (l: string | null, r: string | null) => `${l}+${r}`;
  const joined =
    mode === 'join'
      ? left.join(right, joiner, windows)
      : mode === 'leftJoin'
        ? left.leftJoin(right, joiner, windows)
        : left.outerJoin(right, joiner, windows);
  joined.to('out', { keySerde: S, valueSerde: S });
  const d = new TopologyTestDriver(b.build());
  const out = d.createOutputTopic('out', S, S);
  return {
    d,
    left: d.createInputTopic('left', S, S),
    right: d.createInputTopic('right', S, S),
    read: () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]),
  };
}

describe('KStream-KStream joins (Kafka KStreamKStreamJoinTest, KStreamKStreamLeftJoinTest, KStreamKStreamOuterJoinTest)', () => {
  it('testJoin: every pair of the same key within the window joins, each side probing the other', () => {
    const { left, right, read } = setup('join', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    for (const k of ['0', '1']) left.pipeInput(k, `A${k}`, 0);
    expect(read()).toEqual([]);
    for (const k of ['0', '1']) right.pipeInput(k, `a${k}`, 0);
    expect(read()).toEqual([
      ['0', 'A0+a0', 0],
      ['1', 'A1+a1', 0],
    ]);
    for (const k of ['0', '1', '2', '3']) left.pipeInput(k, `B${k}`, 0);
    expect(read()).toEqual([
      ['0', 'B0+a0', 0],
      ['1', 'B1+a1', 0],
    ]);
    for (const k of ['0', '1', '2', '3']) right.pipeInput(k, `b${k}`, 0);
    expect(read()).toEqual([
      ['0', 'A0+b0', 0],
      ['0', 'B0+b0', 0],
      ['1', 'A1+b1', 0],
      ['1', 'B1+b1', 0],
      ['2', 'B2+b2', 0],
      ['3', 'B3+b3', 0],
    ]);
  });

  it('testWindowing: the window bounds are inclusive, asymmetric with before/after, and results carry the later timestamp', () => {
    const { left, right, read } = setup('join', JoinWindows.ofTimeDifferenceWithNoGrace(0).after(100).before(10));
    left.pipeInput('k', 'L', 1_000);
    for (const t of [989, 990, 1_000, 1_100, 1_101]) right.pipeInput('k', `r${t}`, t);
    expect(read()).toEqual([
      ['k', 'L+r990', 1_000],
      ['k', 'L+r1000', 1_000],
      ['k', 'L+r1100', 1_100],
    ]);
  });

  it('left join: a matched left record emits only the pair; an unmatched one emits with null once its window closed, or at once when already too late', () => {
    const { d, left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    left.pipeInput('k', 'L1', 0);
    expect(read()).toEqual([]);
    right.pipeInput('k', 'R1', 5);
    expect(read()).toEqual([['k', 'L1+R1', 5]]);
    left.pipeInput('j', 'L2', 6);
    right.pipeInput('x', 'R2', 16); // L2's window [.., 16] is not closed at stream time 16
    expect(read()).toEqual([]);
    right.pipeInput('x', 'R3', 17);
    expect(read()).toEqual([['j', 'L2+null', 6]]);
    left.pipeInput('m', 'L3', 2); // its window ended at 12 < 17: emitted at once
    expect(read()).toEqual([['m', 'L3+null', 2]]);
    // The shared outer store is empty again; the window stores keep their records for the retention.
    expect(d.readTopic('test-KSTREAM-OUTERSHARED-0000000004-store-changelog').at(-1)?.value).toBeNull();
  });

  it('outer join: unmatched records of both sides come out with null for the other, in timestamp order, once closed', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 5));
    left.pipeInput('a', 'L1', 0);
    right.pipeInput('b', 'R1', 3);
    right.pipeInput('a', 'R2', 8);
    expect(read()).toEqual([['a', 'L1+R2', 8]]);
    left.pipeInput('c', 'L2', 18); // R1's window closes after 3 + 10 + 5 = 18
    expect(read()).toEqual([]);
    left.pipeInput('c', 'L3', 19);
    expect(read()).toEqual([['b', 'null+R1', 3]]);
    right.pipeInput('z', 'R3', 40);
    expect(read()).toEqual([
      ['c', 'L2+null', 18],
      ['c', 'L3+null', 19],
    ]);
  });

  it('names its window stores as Kafka does, and needs serdes for left/outer joins', () => {
    const b = new StreamsBuilder();
    const l = b.stream('left', { keySerde: S, valueSerde: S });
    l.join(
      b.stream('right', { keySerde: S, valueSerde: S }),
      (x, y) => x + y,
      JoinWindows.ofTimeDifferenceWithNoGrace(5),
    );
    const stores = [...topologyGraph(b.build()).storeBuilders.keys()];
    expect(stores).toEqual(['KSTREAM-JOINTHIS-0000000004-store', 'KSTREAM-JOINOTHER-0000000005-store']);
    const untyped = new StreamsBuilder();
    expect(() =>
      untyped.stream('l').leftJoin(untyped.stream('r'), (x, y) => [x, y], JoinWindows.ofTimeDifferenceWithNoGrace(5)),
    ).toThrow(expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }));
  });
});
