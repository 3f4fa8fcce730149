import { describe, expect, it } from 'vitest';
import { JoinWindows, StreamsBuilder } from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { topologyGraph } from '../../src/streams/topology.ts';
import { S } from './helpers.ts';

function setup(
  mode: 'join' | 'leftJoin' | 'outerJoin',
  windows: JoinWindows,
  options: { outerJoinEmitIntervalMs?: number } = {},
) {
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
  const d = new TopologyTestDriver(b.build(), options);
  const out = d.createOutputTopic('out', S, S);
  return {
    d,
    left: d.createInputTopic('left', S, S),
    right: d.createInputTopic('right', S, S),
    read: () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]),
    readWithHeaders: () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp, r.headers]),
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

describe('left/outer stream-stream joins emit unmatched records as Kafka does (KStreamKStreamLeftJoinTest, KStreamKStreamOuterJoinTest)', () => {
  it('testLeftJoinDuplicates: unmatched duplicates come out once the window closes; matched ones never do', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    left.pipeInput('0', 'A0', 0);
    left.pipeInput('0', 'A0-0', 0);
    right.pipeInput('1', 'a0', 111);
    right.pipeInput('2', 'dummy', 500);
    expect(read()).toEqual([
      ['0', 'A0+null', 0],
      ['0', 'A0-0+null', 0],
    ]);
    left.pipeInput('2', 'A2', 1000);
    left.pipeInput('2', 'A2-0', 1000);
    right.pipeInput('2', 'a2', 1001);
    expect(read()).toEqual([
      ['2', 'A2+a2', 1001],
      ['2', 'A2-0+a2', 1001],
    ]);
    right.pipeInput('3', 'a3', 315); // late: nothing waits any more
    expect(read()).toEqual([]);
  });

  it('testLeftExpiredNonJoinedRecordsAreEmittedByTheLeftProcessor / ...ByTheRightProcessor', () => {
    for (const bump of ['left', 'right'] as const) {
      const t = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
      t.left.pipeInput('0', 'A0', 1);
      t.left.pipeInput('1', 'A1', 2);
      t.left.pipeInput('0', 'A0-0', 3);
      expect(t.read()).toEqual([]);
      t.right.pipeInput('1', 'a1', 3);
      expect(t.read()).toEqual([['1', 'A1+a1', 3]]);
      t[bump].pipeInput('2', 'dummy', 401);
      expect(t.read()).toEqual([
        ['0', 'A0+null', 1],
        ['0', 'A0-0+null', 3],
      ]);
      (bump === 'left' ? t.right : t.left).pipeInput('2', 'dummy', 402);
      expect(t.read()).toEqual([['2', 'dummy+dummy', 402]]);
    }
  });

  it('testRightNonJoinedRecordsAreNeverEmittedByTheLeftProcessor / ...ByTheRightProcessor', () => {
    for (const bump of ['left', 'right'] as const) {
      const t = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 0));
      t.right.pipeInput('0', 'A0', 1);
      t.right.pipeInput('1', 'A1', 2);
      t.right.pipeInput('0', 'A0-0', 3);
      t.left.pipeInput('1', 'a1', 3);
      expect(t.read()).toEqual([['1', 'a1+A1', 3]]);
      t[bump].pipeInput('2', 'dummy', 401);
      expect(t.read()).toEqual([]);
      (bump === 'left' ? t.right : t.left).pipeInput('2', 'dummy', 402);
      expect(t.read()).toEqual([['2', 'dummy+dummy', 402]]);
    }
  });

  it('testLeftJoinedRecordsWithZeroAfterAreEmitted: with after = 0 a left record closes as soon as stream time passes it', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100).after(0));
    for (let i = 0; i < 4; i++) left.pipeInput(String(i), `A${i}`, 1000 + i);
    expect(read()).toEqual([
      ['0', 'A0+null', 1000],
      ['1', 'A1+null', 1001],
      ['2', 'A2+null', 1002],
    ]);
    for (let i = 0; i < 4; i++) right.pipeInput(String(i), `a${i}`, 999);
    expect(read()).toEqual([
      ['0', 'A0+a0', 1000],
      ['1', 'A1+a1', 1001],
      ['2', 'A2+a2', 1002],
      ['3', 'A3+a3', 1003],
    ]);
    for (let i = 0; i < 4; i++) right.pipeInput(String(i), `c${i}`, 1001);
    expect(read()).toEqual([
      ['1', 'A1+c1', 1001],
      ['2', 'A2+c2', 1002],
      ['3', 'A3+c3', 1003],
    ]);
    for (let i = 0; i < 4; i++) right.pipeInput(String(i), `f${i}`, 1100);
    expect(read()).toEqual([]);
  });

  it('testOuterJoinDuplicates: unmatched records of both sides, right before left at equal timestamps', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    left.pipeInput('0', 'A0', 0);
    left.pipeInput('0', 'A0-0', 0);
    right.pipeInput('1', '11', 0);
    right.pipeInput('1', '12', 0);
    right.pipeInput('1', '10', 111);
    right.pipeInput('3', '100', 211);
    expect(read()).toEqual([
      ['1', 'null+11', 0],
      ['1', 'null+12', 0],
      ['0', 'A0+null', 0],
      ['0', 'A0-0+null', 0],
    ]);
    left.pipeInput('2', 'A2', 200);
    left.pipeInput('2', 'A2-0', 200);
    right.pipeInput('2', '13', 201);
    right.pipeInput('2', '14', 201);
    expect(read()).toEqual([
      ['2', 'A2+13', 201],
      ['2', 'A2-0+13', 201],
      ['2', 'A2+14', 201],
      ['2', 'A2-0+14', 201],
    ]);
    right.pipeInput('3', '100', 1500);
    expect(read()).toEqual([
      ['1', 'null+10', 111],
      ['3', 'null+100', 211],
    ]);
  });

  it('testEmitAllNonJoinedResultsForAsymmetricWindow: each side closes after its own look-back', () => {
    const { left, right, read } = setup('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(5).after(20));
    left.pipeInput('0', 'A0', 29);
    left.pipeInput('1', 'A1', 30);
    right.pipeInput('2', '12', 31);
    right.pipeInput('3', '13', 36);
    expect(read()).toEqual([]);
    right.pipeInput('4', '14', 37);
    expect(read()).toEqual([['2', 'null+12', 31]]);
    right.pipeInput('5', '15', 50);
    expect(read()).toEqual([
      ['0', 'A0+null', 29],
      ['3', 'null+13', 36],
      ['4', 'null+14', 37],
    ]);
  });

  it('testShouldForwardCurrentHeaders: an emitted unmatched record carries the headers of the record that closed its window', () => {
    const { left, right, readWithHeaders } = setup('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(100, 10));
    const h = (v: string) => [{ key: 'h', value: new TextEncoder().encode(v) }];
    left.pipeInput('1', 'A1', 0, { headers: h('left') });
    right.pipeInput('2', 'B2', 200, { headers: h('right') });
    expect(readWithHeaders()).toEqual([['1', 'A1+null', 0, h('right')]]);
  });

  it('null keys (KIP-962): an outer side emits a null-key record at once with null for the other side; an inner side drops it', () => {
    const { left, right, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    left.pipeInput(null, 'L', 5);
    right.pipeInput(null, 'R', 6);
    expect(read()).toEqual([[null, 'L+null', 5]]);
    const outer = setup('outerJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    outer.right.pipeInput(null, 'R', 6);
    outer.left.pipeInput('k', null, 7); // a null value joins nothing and is dropped
    expect(outer.read()).toEqual([[null, 'null+R', 6]]);
  });

  it('emit interval: unmatched records are looked for at most once per interval of the clock (Kafka default 1 000 ms)', () => {
    const { d, left, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10), {
      outerJoinEmitIntervalMs: 1000,
    });
    // As in Kafka, the first record already takes the first look (nothing waits yet: Kafka's
    // Long.MAX_VALUE minimum overflows past the check), so the next look is due at clock 1 000.
    left.pipeInput('a', 'A', 0);
    left.pipeInput('b', 'B', 20); // A's window closed at 10, but the look waits for the clock
    expect(read()).toEqual([]);
    d.advanceWallClockTime(999);
    left.pipeInput('c', 'C', 40);
    expect(read()).toEqual([]);
    d.advanceWallClockTime(1);
    left.pipeInput('d', 'D', 41); // C's window (to 50) is still open
    expect(read()).toEqual([
      ['a', 'A+null', 0],
      ['b', 'B+null', 20],
    ]);
    left.pipeInput('e', 'E', 60);
    expect(read()).toEqual([]);
    d.advanceWallClockTime(1000);
    left.pipeInput('f', 'F', 61);
    expect(read()).toEqual([
      ['c', 'C+null', 40],
      ['d', 'D+null', 41],
    ]);
  });
});
