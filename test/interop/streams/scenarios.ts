/**
 * The TypeScript half of the differential test: the same topologies as Differential.java's
 * scenarios, built with Tributary's DSL, and the seeded inputs both sides get.
 */
import { Serdes } from '../../../src/serde/index.ts';
import {
  BufferConfig,
  EmitStrategy,
  JoinWindows,
  SessionWindows,
  SlidingWindows,
  StreamsBuilder,
  Stores,
  Suppressed,
  TimeWindows,
  type Topology,
  type Windowed,
} from '../../../src/streams/index.ts';

const S = Serdes.String();
const L = Serdes.LongNumber();

const fk = (v: string) => {
  const parts = v.split('|');
  return parts.length === 2 ? parts[1]! : null;
};
const win = (w: Windowed<string>) => `${w.key}@${w.window.start}/${w.window.end}`;
const str = (v: number | null) => (v === null ? null : String(v));

export interface Scenario {
  build(): { topology: Topology; outputs: string[] };
  /** Input topics and how their records look: keys, values (null = tombstone) and out-of-order share. */
  inputs: {
    topic: string;
    key: (r: () => number) => string | null;
    value: (r: () => number, i: number) => string | null;
  }[];
  records: number;
  /** Kafka's internal emit interval of left/outer stream-stream joins, when not the test driver's 0. */
  outerJoinEmitIntervalMs?: number;
  /** Kafka's internal emit interval of windowed aggregations emitting on close, when not the test driver's 0. */
  windowedEmitIntervalMs?: number;
  /** Moves both drivers' wall clocks by up to this many ms before each record. */
  wallClockStepMs?: number;
}

const pick = <T>(r: () => number, list: T[]) => list[Math.floor(r() * list.length)]!;
const maybeNull = (r: () => number, share: number, v: string) => (r() < share ? null : v);

/** The input of the windowed-count scenarios: clicks of three users. */
const CLICKS: Scenario['inputs'] = [{ topic: 'clicks', key: (r) => pick(r, ['u1', 'u2', 'u3']), value: () => 'x' }];

/**
 * `clicks` grouped by key, counted per window (each window once, as it closes, with `emitOnClose`)
 * into `output` as `key@start/end` → count: several scenarios' topology.
 */
function windowedCounts(
  windows: TimeWindows | SlidingWindows | SessionWindows,
  output: string,
  emitOnClose = false,
): { topology: Topology; outputs: string[] } {
  const b = new StreamsBuilder();
  const grouped = b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey({ keySerde: S, valueSerde: S });
  const windowed = windows instanceof SessionWindows ? grouped.windowedBy(windows) : grouped.windowedBy(windows);
  if (emitOnClose) windowed.emitStrategy(EmitStrategy.onWindowClose());
  windowed
    .count({ materialized: { keySerde: S, valueSerde: L } })
    .toStream()
    .map((w, c) => ({ key: win(w), value: str(c) }))
    .to(output, { keySerde: S, valueSerde: S });
  return { topology: b.build(), outputs: [output] };
}

export const scenarios: Record<string, Scenario> = {
  fk: {
    build() {
      const b = new StreamsBuilder();
      const left = b.table('left', { keySerde: S, valueSerde: S });
      const right = b.table('right', { keySerde: S, valueSerde: S });
      left
        .join(right, fk, (l, r) => `(${l},${r})`)
        .toStream()
        .to('fk-inner', { keySerde: S, valueSerde: S });
      left
        .leftJoin(right, fk, (l, r) => `(${l},${r})`)
        .toStream()
        .to('fk-left', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['fk-inner', 'fk-left'] };
    },
    inputs: [
      { topic: 'right', key: (r) => pick(r, ['r1', 'r2', 'r3', 'r4']), value: (r, i) => maybeNull(r, 0.15, `R${i}`) },
      {
        topic: 'left',
        key: (r) => pick(r, ['l1', 'l2', 'l3', 'l4', 'l5', 'l6']),
        value: (r, i) => maybeNull(r, 0.1, r() < 0.1 ? `v${i}` : `v${i}|${pick(r, ['r1', 'r2', 'r3', 'r4', 'r5'])}`),
      },
    ],
    records: 150,
  },
  windowed: {
    build() {
      const b = new StreamsBuilder();
      const counts = b
        .stream('words', { keySerde: S, valueSerde: S })
        .groupBy((_k, v) => v, { keySerde: S, valueSerde: S })
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5).advanceBy(5))
        .count({ materialized: { keySerde: S, valueSerde: L } });
      counts
        .toStream()
        .map((w, c) => ({ key: win(w), value: str(c) }))
        .to('windowed-raw', { keySerde: S, valueSerde: S });
      counts
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
        .toStream()
        .map((w, c) => ({ key: win(w), value: str(c) }))
        .to('windowed-final', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['windowed-raw', 'windowed-final'] };
    },
    inputs: [{ topic: 'words', key: () => null, value: (r) => pick(r, ['a', 'b', 'c', 'd']) }],
    records: 120,
  },
  session: {
    build: () => windowedCounts(SessionWindows.ofInactivityGapAndGrace(10, 5), 'sessions'),
    inputs: CLICKS,
    records: 120,
  },
  'stream-stream': {
    build() {
      const b = new StreamsBuilder();
      const l = b.stream('left-s', { keySerde: S, valueSerde: S });
      const r = b.stream('right-s', { keySerde: S, valueSerde: S });
      const w = JoinWindows.ofTimeDifferenceAndGrace(10, 5);
      const joined = { keySerde: S, valueSerde: S, otherValueSerde: S };
      l.join(r, (a, c) => `${a}+${c}`, w, joined).to('ss-inner', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['ss-inner'] };
    },
    inputs: [
      { topic: 'left-s', key: (r) => pick(r, ['k1', 'k2', 'k3']), value: (_r, i) => `L${i}` },
      { topic: 'right-s', key: (r) => pick(r, ['k1', 'k2', 'k3']), value: (_r, i) => `R${i}` },
    ],
    records: 120,
  },
  'stream-stream-outer': {
    build() {
      const b = new StreamsBuilder();
      const l = b.stream('left-s', { keySerde: S, valueSerde: S });
      const r = b.stream('right-s', { keySerde: S, valueSerde: S });
      const joined = { keySerde: S, valueSerde: S, otherValueSerde: S };
      const out = { keySerde: S, valueSerde: S };
      l.leftJoin(r, (a, c) => `${a}+${c}`, JoinWindows.ofTimeDifferenceAndGrace(10, 5), joined).to('ss-left', out);
      l.outerJoin(r, (a, c) => `${a}+${c}`, JoinWindows.ofTimeDifferenceAndGrace(6, 3), joined).to('ss-outer', out);
      // Asymmetric windows: a left record looks 2 ms back and 9 ms ahead, and no grace.
      l.outerJoin(r, (a, c) => `${a}+${c}`, JoinWindows.ofTimeDifferenceWithNoGrace(0).before(2).after(9), {
        ...joined,
        storeType: 'in-memory',
      }).to('ss-outer-asym', out);
      return { topology: b.build(), outputs: ['ss-left', 'ss-outer', 'ss-outer-asym'] };
    },
    inputs: [
      {
        topic: 'left-s',
        key: (r) => (r() < 0.05 ? null : pick(r, ['k1', 'k2', 'k3', 'k4', 'k5'])),
        value: (r, i) => maybeNull(r, 0.05, `L${i}`),
      },
      {
        topic: 'right-s',
        key: (r) => (r() < 0.05 ? null : pick(r, ['k1', 'k2', 'k3', 'k4', 'k5'])),
        value: (r, i) => maybeNull(r, 0.05, `R${i}`),
      },
    ],
    records: 160,
  },
  'stream-stream-throttled': {
    build() {
      const b = new StreamsBuilder();
      const l = b.stream('left-s', { keySerde: S, valueSerde: S });
      const r = b.stream('right-s', { keySerde: S, valueSerde: S });
      const joined = { keySerde: S, valueSerde: S, otherValueSerde: S };
      const out = { keySerde: S, valueSerde: S };
      l.leftJoin(r, (a, c) => `${a}+${c}`, JoinWindows.ofTimeDifferenceAndGrace(5, 2), joined).to('ss-left', out);
      l.outerJoin(r, (a, c) => `${a}+${c}`, JoinWindows.ofTimeDifferenceWithNoGrace(4), joined).to('ss-outer', out);
      return { topology: b.build(), outputs: ['ss-left', 'ss-outer'] };
    },
    inputs: [
      { topic: 'left-s', key: (r) => pick(r, ['k1', 'k2', 'k3', 'k4']), value: (_r, i) => `L${i}` },
      { topic: 'right-s', key: (r) => pick(r, ['k1', 'k2', 'k3', 'k4']), value: (_r, i) => `R${i}` },
    ],
    records: 160,
    outerJoinEmitIntervalMs: 1000,
    wallClockStepMs: 400,
  },
  sliding: {
    build: () => windowedCounts(SlidingWindows.ofTimeDifferenceAndGrace(6, 3), 'sliding-counts'),
    inputs: CLICKS,
    records: 150,
  },
  'emit-on-close': {
    build() {
      const b = new StreamsBuilder();
      const grouped = b.stream('clicks', { keySerde: S, valueSerde: S }).groupByKey({ keySerde: S, valueSerde: S });
      const out = { keySerde: S, valueSerde: S };
      grouped
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5).advanceBy(5))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count({ materialized: { keySerde: S, valueSerde: L } })
        .toStream()
        .map((w, c) => ({ key: win(w), value: str(c) }))
        .to('eoc-hopping', out);
      grouped
        .windowedBy(TimeWindows.ofSizeWithNoGrace(8))
        .emitStrategy(EmitStrategy.onWindowClose())
        .reduce((a, v) => `${a}${v}`, { materialized: { keySerde: S, valueSerde: S, retentionMs: 60 } })
        .toStream()
        .map((w, v) => ({ key: win(w), value: v }))
        .to('eoc-tumbling', out);
      grouped
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(6, 3))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count({ materialized: { keySerde: S, valueSerde: L } })
        .toStream()
        .map((w, c) => ({ key: win(w), value: str(c) }))
        .to('eoc-sliding', out);
      return { topology: b.build(), outputs: ['eoc-hopping', 'eoc-tumbling', 'eoc-sliding'] };
    },
    inputs: [{ topic: 'clicks', key: (r) => pick(r, ['u1', 'u2', 'u3']), value: (r) => pick(r, ['a', 'b', 'c']) }],
    records: 150,
  },
  'session-emit-on-close': {
    build: () => windowedCounts(SessionWindows.ofInactivityGapAndGrace(10, 5), 'sessions-final', true),
    inputs: CLICKS,
    records: 150,
  },
  'emit-on-close-throttled': {
    build() {
      const b = new StreamsBuilder();
      b.stream('clicks', { keySerde: S, valueSerde: S })
        .groupByKey({ keySerde: S, valueSerde: S })
        .windowedBy(TimeWindows.ofSizeAndGrace(6, 2))
        .emitStrategy(EmitStrategy.onWindowClose())
        .count({ materialized: { keySerde: S, valueSerde: L, retentionMs: 40 } })
        .toStream()
        .map((w, c) => ({ key: win(w), value: str(c) }))
        .to('eoc-throttled', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['eoc-throttled'] };
    },
    inputs: [{ topic: 'clicks', key: (r) => pick(r, ['u1', 'u2', 'u3', 'u4']), value: () => 'x' }],
    records: 160,
    windowedEmitIntervalMs: 1000,
    wallClockStepMs: 400,
  },
  versioned: {
    build() {
      const b = new StreamsBuilder();
      const prices = b.table('prices', {
        keySerde: S,
        valueSerde: S,
        materialized: {
          storeSupplier: Stores.persistentVersionedKeyValueStore('prices-store', 100),
          keySerde: S,
          valueSerde: S,
        },
      });
      const orders = b.stream('orders', { keySerde: S, valueSerde: S });
      orders
        .join(prices, (o, p) => `${o}@${p}`, { keySerde: S, valueSerde: S, otherValueSerde: S, gracePeriodMs: 5 })
        .to('priced', { keySerde: S, valueSerde: S });
      orders
        .leftJoin(prices, (o, p) => `${o}@${p}`, { keySerde: S, valueSerde: S, otherValueSerde: S })
        .to('priced-left', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['priced', 'priced-left'] };
    },
    inputs: [
      { topic: 'prices', key: (r) => pick(r, ['p1', 'p2', 'p3']), value: (r, i) => maybeNull(r, 0.1, `P${i}`) },
      { topic: 'orders', key: (r) => pick(r, ['p1', 'p2', 'p3', 'p4']), value: (_r, i) => `O${i}` },
    ],
    records: 120,
  },
  cogroup: {
    build() {
      const b = new StreamsBuilder();
      const g1 = b.stream('c1', { keySerde: S, valueSerde: S }).groupByKey({ keySerde: S, valueSerde: S });
      const g2 = b.stream('c2', { keySerde: S, valueSerde: S }).groupByKey({ keySerde: S, valueSerde: S });
      g1.cogroup<string>((_k, v, agg) => agg + v)
        .cogroup(g2, (_k, v, agg) => agg + v.toUpperCase())
        .aggregate(() => '', { materialized: { keySerde: S, valueSerde: S } })
        .toStream()
        .to('cogroup-out', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['cogroup-out'] };
    },
    inputs: [
      { topic: 'c1', key: (r) => pick(r, ['k1', 'k2', 'k3']), value: (r) => pick(r, ['a', 'b']) },
      { topic: 'c2', key: (r) => pick(r, ['k1', 'k2', 'k3']), value: (r) => pick(r, ['x', 'y']) },
    ],
    records: 60,
  },
  'cogroup-sliding': {
    build() {
      const b = new StreamsBuilder();
      const g1 = b.stream('c1', { keySerde: S, valueSerde: S }).groupByKey({ keySerde: S, valueSerde: S });
      const g2 = b.stream('c2', { keySerde: S, valueSerde: S }).groupByKey({ keySerde: S, valueSerde: S });
      g1.cogroup<string>((_k, v, agg) => agg + v)
        .cogroup(g2, (_k, v, agg) => agg + v.toUpperCase())
        .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(5, 2))
        .aggregate(() => '', { materialized: { keySerde: S, valueSerde: S } })
        .toStream()
        .map((w, v) => ({ key: win(w), value: v }))
        .to('cogroup-sliding-out', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['cogroup-sliding-out'] };
    },
    inputs: [
      { topic: 'c1', key: (r) => pick(r, ['k1', 'k2']), value: (r) => pick(r, ['a', 'b']) },
      { topic: 'c2', key: (r) => pick(r, ['k1', 'k2']), value: (r) => pick(r, ['x', 'y']) },
    ],
    records: 80,
  },
  'table-agg': {
    build() {
      const b = new StreamsBuilder();
      b.table('t', { keySerde: S, valueSerde: S })
        .groupBy((k, v) => ({ key: v, value: k }), { keySerde: S, valueSerde: S })
        .count({ materialized: { keySerde: S, valueSerde: L } })
        .toStream()
        .mapValues(str)
        .to('tcount', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['tcount'] };
    },
    inputs: [
      {
        topic: 't',
        key: (r) => pick(r, ['k1', 'k2', 'k3', 'k4', 'k5', 'k6']),
        value: (r) => maybeNull(r, 0.15, pick(r, ['g1', 'g2', 'g3'])),
      },
    ],
    records: 100,
  },
  // topology.optimization=all: the groupings after one key change share one repartition topic
  // (Kafka's merge.repartition.topics), and the filter before one of them moves after it.
  'optimized-merge': {
    build() {
      const b = new StreamsBuilder();
      const keyed = b.stream('om', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v.split('|')[0]!);
      keyed
        .groupByKey({ keySerde: S, valueSerde: S })
        .count({ materialized: { keySerde: S, valueSerde: L } })
        .toStream()
        .mapValues(str)
        .to('om-count', { keySerde: S, valueSerde: S });
      keyed
        .groupByKey({ keySerde: S, valueSerde: S })
        .reduce((a, v) => `${a}+${v.split('|')[1]}`, { materialized: { keySerde: S, valueSerde: S } })
        .toStream()
        .to('om-reduce', { keySerde: S, valueSerde: S });
      keyed
        .filter((_k, v) => !v.endsWith('|x'))
        .groupByKey({ keySerde: S, valueSerde: S })
        .windowedBy(TimeWindows.ofSizeWithNoGrace(20))
        .count({ materialized: { keySerde: S, valueSerde: L } })
        .toStream()
        .map((w, c) => ({ key: win(w), value: str(c) }))
        .to('om-windowed', { keySerde: S, valueSerde: S });
      // A value change after the key change: this repartition stays its own.
      keyed
        .mapValues((v) => v.toUpperCase())
        .groupByKey({ keySerde: S, valueSerde: S })
        .count({ materialized: { keySerde: S, valueSerde: L } })
        .toStream()
        .mapValues(str)
        .to('om-upper', { keySerde: S, valueSerde: S });
      return {
        topology: b.build({ topologyOptimization: 'all' }),
        outputs: ['om-count', 'om-reduce', 'om-windowed', 'om-upper'],
      };
    },
    inputs: [
      {
        topic: 'om',
        key: (r) => pick(r, ['a', 'b', 'c']),
        value: (r, i) => `${pick(r, ['k1', 'k2', 'k3', 'k4'])}|${r() < 0.15 ? 'x' : String(i)}`,
      },
    ],
    records: 80,
  },
  // A key-changed stream joined twice with a table and once with another stream, built without and
  // with topology.optimization: Kafka repartitions it once per join kind.
  ...Object.fromEntries(
    (['none', 'all'] as const).map((optimization) => [
      optimization === 'none' ? 'rekeyed-joins' : 'optimized-rekeyed-joins',
      {
        build() {
          const b = new StreamsBuilder();
          const keyed = b.stream('rj', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v.split('|')[0]!);
          const table = b.table('rt', { keySerde: S, valueSerde: S });
          const joined = { keySerde: S, valueSerde: S, otherValueSerde: S };
          keyed.join(table, (v, t) => `${v}/${t}`, joined).to('rj-inner', { keySerde: S, valueSerde: S });
          keyed.leftJoin(table, (v, t) => `${v}/${t}`, joined).to('rj-left', { keySerde: S, valueSerde: S });
          const other = b.stream('rs', { keySerde: S, valueSerde: S });
          keyed
            .join(other, (v, o) => `${v}&${o}`, JoinWindows.ofTimeDifferenceWithNoGrace(5), {
              keySerde: S,
              valueSerde: S,
              otherValueSerde: S,
            })
            .to('rj-ss', { keySerde: S, valueSerde: S });
          return {
            topology: b.build({ topologyOptimization: optimization }),
            outputs: ['rj-inner', 'rj-left', 'rj-ss'],
          };
        },
        inputs: [
          { topic: 'rt', key: (r) => pick(r, ['k1', 'k2', 'k3']), value: (r, i) => maybeNull(r, 0.1, `T${i}`) },
          { topic: 'rs', key: (r) => pick(r, ['k1', 'k2', 'k3']), value: (_r, i) => `S${i}` },
          {
            topic: 'rj',
            key: (r) => pick(r, ['a', 'b']),
            value: (r, i) => `${pick(r, ['k1', 'k2', 'k3', 'k4'])}|${i}`,
          },
        ],
        records: 90,
      } satisfies Scenario,
    ]),
  ),
  // repartition() named and not, and toTable() after a key change: Kafka's repartition node names.
  repartitions: {
    build() {
      const b = new StreamsBuilder();
      const keyed = b.stream('rp', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v.split('|')[0]!);
      keyed.repartition({ keySerde: S, valueSerde: S }).to('rp-plain', { keySerde: S, valueSerde: S });
      keyed
        .repartition({ name: 'by-first', keySerde: S, valueSerde: S, numberOfPartitions: 2 })
        .to('rp-named', { keySerde: S, valueSerde: S });
      keyed
        .toTable({ materialized: { storeName: 'rp-store', keySerde: S, valueSerde: S } })
        .toStream()
        .to('rp-table', { keySerde: S, valueSerde: S });
      // Tables nothing reads: no store, as Kafka (toTable's, and a source table's under a filter).
      keyed
        .toTable({ materialized: { keySerde: S, valueSerde: S } })
        .toStream()
        .to('rp-table2', { keySerde: S, valueSerde: S });
      b.table('rp-t', { keySerde: S, valueSerde: S })
        .filter((_k, v) => !v.startsWith('x'))
        .toStream()
        .to('rp-tout', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['rp-plain', 'rp-named', 'rp-table', 'rp-table2', 'rp-tout'] };
    },
    inputs: [
      {
        topic: 'rp-t',
        key: (r) => pick(r, ['t1', 't2']),
        value: (r, i) => maybeNull(r, 0.1, `${pick(r, ['x', 'y'])}${i}`),
      },
      { topic: 'rp', key: (r) => pick(r, ['a', 'b']), value: (r, i) => `${pick(r, ['k1', 'k2', 'k3'])}|${i}` },
    ],
    records: 40,
  },
  // A stream joined with itself, and two streams of one topic joined (merged into one source
  // first, as Kafka always does): one window store each under single.store.self.join.
  'optimized-self-join': {
    build() {
      const b = new StreamsBuilder();
      const s = b.stream('sj', { keySerde: S, valueSerde: S });
      const joined = { keySerde: S, valueSerde: S, otherValueSerde: S };
      s.join(s, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(4).after(2), joined).to('sj-self', {
        keySerde: S,
        valueSerde: S,
      });
      const one = b.stream('sj2', { keySerde: S, valueSerde: S });
      const two = b.stream('sj2', { keySerde: S, valueSerde: S });
      one
        .join(two, (l, r) => `${l}*${r}`, JoinWindows.ofTimeDifferenceAndGrace(3, 2), joined)
        .to('sj-two', { keySerde: S, valueSerde: S });
      return { topology: b.build({ topologyOptimization: 'all' }), outputs: ['sj-self', 'sj-two'] };
    },
    inputs: [
      { topic: 'sj', key: (r) => pick(r, ['a', 'b', 'c']), value: (_r, i) => `v${i}` },
      { topic: 'sj2', key: (r) => pick(r, ['a', 'b']), value: (_r, i) => `w${i}` },
    ],
    records: 60,
  },
  // Two streams of one topic, not optimized: one source node reads for both, as in Kafka.
  'duplicate-sources': {
    build() {
      const b = new StreamsBuilder();
      b.stream('ds', { keySerde: S, valueSerde: S })
        .mapValues((v) => v.toUpperCase())
        .to('ds-upper', { keySerde: S, valueSerde: S });
      b.stream('ds', { keySerde: S, valueSerde: S })
        .filter((_k, v) => v.endsWith('1'))
        .to('ds-ones', { keySerde: S, valueSerde: S });
      return { topology: b.build(), outputs: ['ds-upper', 'ds-ones'] };
    },
    inputs: [{ topic: 'ds', key: (r) => pick(r, ['a', 'b']), value: (_r, i) => `x${i}` }],
    records: 30,
  },
  // Two streams key-changed and merged: their groupings repartition once, after the merge.
  'optimized-merge-node': {
    build() {
      const b = new StreamsBuilder();
      const one = b.stream('mn1', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v);
      const two = b.stream('mn2', { keySerde: S, valueSerde: S }).map((k, v) => ({ key: v, value: k ?? '' }));
      const merged = one.merge(two);
      merged
        .groupByKey({ keySerde: S, valueSerde: S })
        .count({ materialized: { keySerde: S, valueSerde: L } })
        .toStream()
        .mapValues(str)
        .to('mn-count', { keySerde: S, valueSerde: S });
      merged
        .groupByKey({ keySerde: S, valueSerde: S })
        .reduce((a, v) => a + v, { materialized: { keySerde: S, valueSerde: S } })
        .toStream()
        .to('mn-reduce', { keySerde: S, valueSerde: S });
      return { topology: b.build({ topologyOptimization: 'all' }), outputs: ['mn-count', 'mn-reduce'] };
    },
    inputs: [
      { topic: 'mn1', key: (r) => pick(r, ['a', 'b']), value: (r) => pick(r, ['v1', 'v2', 'v3']) },
      { topic: 'mn2', key: (r) => pick(r, ['c', 'd']), value: (r) => pick(r, ['v1', 'v2', 'v4']) },
    ],
    records: 60,
  },
};

/** mulberry32: a small seeded generator, so both sides and every rerun get the same records. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The records of a scenario: mostly rising timestamps, about one in six out of order. */
export function records(
  scenario: Scenario,
  seed: number,
): { topic: string; key: string | null; value: string | null; timestamp: number; advanceMs: number }[] {
  const r = seeded(seed);
  const out = [];
  let time = 0;
  for (let i = 0; i < scenario.records; i++) {
    const input = pick(r, scenario.inputs);
    time += Math.floor(r() * 4);
    const timestamp = r() < 0.17 ? Math.max(0, time - Math.floor(r() * 12)) : time;
    const advanceMs = scenario.wallClockStepMs === undefined ? 0 : Math.floor(r() * scenario.wallClockStepMs);
    out.push({ topic: input.topic, key: input.key(r), value: input.value(r, i), timestamp, advanceMs });
  }
  return out;
}
