/**
 * `builder.build({ topologyOptimization })`, Kafka's `topology.optimization`: the config as
 * StreamsConfig.verifyTopologyOptimizationConfigs reads it, the cases of Kafka's StreamsGraphTest
 * (what merges and what does not), and both rules at run time on the embedded log: one repartition
 * topic per key change, and a table's store without a changelog, restored from its source topic up
 * to the committed offset. The describe() of merged topologies is held to Java Kafka Streams' own
 * in the interop suite (test/interop/streams, the `optimized-*` scenarios).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedLogBackend, openLog } from '../../../src/log/index.ts';
import { optimizationRules } from '../../../src/streams/internal/optimize.ts';
import {
  JoinWindows,
  KafkaStreams,
  type KStream,
  QueryableStoreTypes,
  StoreQueryParameters,
  StreamsBuilder,
  TimeWindows,
  type Topology,
} from '../../../src/streams/index.ts';
import { TopologyTestDriver } from '../../../src/streams/testing/index.ts';
import { I, L, S } from '../helpers.ts';

/**
 * describe() with the nodes listed in each `-->` / `<--` line sorted: Kafka orders equal-sized
 * siblings by a subtree size it counts as nodes are linked (see test/interop/streams/differential.test.ts).
 */
const edgesSorted = (text: string) =>
  text.replace(
    /(-->|<--) (.*)/g,
    (_m, arrow: string, list: string) => `${arrow} ${list.split(', ').sort().join(', ')}`,
  );

const repartitionTopics = (t: Topology) =>
  t
    .describe()
    .toString()
    .match(/[\w-]+-repartition(?=\))/g) ?? [];

describe('topologyOptimization, as StreamsConfig reads it', () => {
  it('should turn on every rule for all, none for none, and the rules listed', () => {
    expect([...optimizationRules('all')].sort()).toEqual([
      'merge.repartition.topics',
      'reuse.ktable.source.topics',
      'single.store.self.join',
    ]);
    expect(optimizationRules('none').size).toBe(0);
    expect(optimizationRules(undefined).size).toBe(0);
    expect([...optimizationRules('reuse.ktable.source.topics , merge.repartition.topics')]).toEqual([
      'reuse.ktable.source.topics',
      'merge.repartition.topics',
    ]);
    expect([...optimizationRules(['merge.repartition.topics'])]).toEqual(['merge.repartition.topics']);
  });

  it('should refuse an unknown rule, and all or none beside other rules, with INVALID_CONFIG', () => {
    for (const config of ['everything', 'all,merge.repartition.topics', 'none,reuse.ktable.source.topics', ''])
      expect(() => new StreamsBuilder().build({ topologyOptimization: config }), config).toThrow(
        expect.objectContaining({ code: 'INVALID_CONFIG' }),
      );
  });
});

describe("merge.repartition.topics (Kafka's StreamsGraphTest)", () => {
  /** A count and a windowed count of two streams made from one key change by `first` and `second`. */
  function twoGroupings(
    optimization: string,
    first: (s: KStream<string, string>) => KStream<string, string>,
    second: (s: KStream<string, string>) => KStream<string, string>,
  ): Topology {
    const b = new StreamsBuilder();
    const keyed = b.stream('input', { keySerde: S, valueSerde: S }).selectKey((k, v) => `${k}${v}`);
    first(keyed).groupByKey().count().toStream().to('output', { valueSerde: L });
    second(keyed)
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(5000))
      .count()
      .toStream()
      .to('windowed-output', { valueSerde: L });
    return b.build({ topologyOptimization: optimization });
  }

  const changingValuesAfterChangingKey = (optimization: string) =>
    twoGroupings(
      optimization,
      (s) => s.mapValues((v) => v.toUpperCase()),
      (s) => s.flatMapValues((v) => v.split(/\s/)),
    );

  it('should not merge repartitions after a value change that follows the key change', () => {
    const optimized = changingValuesAfterChangingKey('all');
    const plain = changingValuesAfterChangingKey('none');
    expect(optimized.describe().toString()).toBe(plain.describe().toString());
    expect(repartitionTopics(optimized)).toHaveLength(2);
  });

  const repartitionedTwice = (optimization: string) =>
    twoGroupings(
      optimization,
      (s) => s.repartition(),
      (s) => s.repartition(),
    );

  it("should not merge the user's own repartition() calls", () => {
    const optimized = repartitionedTwice('all');
    expect(optimized.describe().toString()).toBe(repartitionedTwice('none').describe().toString());
    expect(repartitionTopics(optimized)).toHaveLength(2);
  });

  it('should leave merge nodes after a key change that feed no grouping as they are', () => {
    const b = new StreamsBuilder();
    const parent = b.stream('input_topic', { keySerde: I, valueSerde: I }).selectKey((k, v) => (k ?? 0) + v);
    const one = parent.mapValues((v) => v + 1);
    const two = parent.mapValues((v) => v + 2);
    const three = parent.mapValues((v) => v + 3);
    one.merge(two).merge(three).to('output_topic');
    expect(edgesSorted(b.build({ topologyOptimization: 'all' }).describe().toString())).toBe(
      edgesSorted(
        [
          'Topologies:',
          '   Sub-topology: 0',
          '    Source: KSTREAM-SOURCE-0000000000 (topics: [input_topic])',
          '      --> KSTREAM-KEY-SELECT-0000000001',
          '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])',
          '      --> KSTREAM-MAPVALUES-0000000002, KSTREAM-MAPVALUES-0000000003, KSTREAM-MAPVALUES-0000000004',
          '      <-- KSTREAM-SOURCE-0000000000',
          '    Processor: KSTREAM-MAPVALUES-0000000002 (stores: [])',
          '      --> KSTREAM-MERGE-0000000005',
          '      <-- KSTREAM-KEY-SELECT-0000000001',
          '    Processor: KSTREAM-MAPVALUES-0000000003 (stores: [])',
          '      --> KSTREAM-MERGE-0000000005',
          '      <-- KSTREAM-KEY-SELECT-0000000001',
          '    Processor: KSTREAM-MAPVALUES-0000000004 (stores: [])',
          '      --> KSTREAM-MERGE-0000000006',
          '      <-- KSTREAM-KEY-SELECT-0000000001',
          '    Processor: KSTREAM-MERGE-0000000005 (stores: [])',
          '      --> KSTREAM-MERGE-0000000006',
          '      <-- KSTREAM-MAPVALUES-0000000002, KSTREAM-MAPVALUES-0000000003',
          '    Processor: KSTREAM-MERGE-0000000006 (stores: [])',
          '      --> KSTREAM-SINK-0000000007',
          '      <-- KSTREAM-MERGE-0000000005, KSTREAM-MAPVALUES-0000000004',
          '    Sink: KSTREAM-SINK-0000000007 (topic: output_topic)',
          '      <-- KSTREAM-MERGE-0000000006',
          '',
          '',
        ].join('\n'),
      ),
    );
  });

  it('should merge the groupings after one key change into one repartition topic named after the first', () => {
    const b = new StreamsBuilder();
    const keyed = b.stream('input', { keySerde: S, valueSerde: S }).selectKey((_k, v) => v);
    keyed.groupByKey().count({ materialized: 'counts' });
    keyed.groupByKey().reduce((a, v) => a + v, { materialized: 'latest' });
    const optimized = b.build({ topologyOptimization: 'merge.repartition.topics' });
    expect(repartitionTopics(optimized)).toEqual(['counts-repartition']);
    const text = optimized.describe().toString();
    expect(text).toContain('Processor: counts-repartition-filter (stores: [])');
    expect(text).toContain('Sink: counts-repartition-sink (topic: counts-repartition)');
    expect(text).toContain(
      'Source: counts-repartition-source (topics: [counts-repartition])\n      --> KSTREAM-AGGREGATE-',
    );
  });

  it('should refuse, as Kafka does, a node between the key change and one of several merged groupings', () => {
    const b = new StreamsBuilder();
    const filtered = b
      .stream('input', { keySerde: S, valueSerde: S })
      .selectKey((_k, v) => v)
      .filter(() => true);
    filtered.groupByKey().count();
    filtered.groupByKey().reduce((a) => a);
    expect(() => b.build({ topologyOptimization: 'all' })).toThrow(
      expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }),
    );
  });
});

describe('the optimized topologies at run time', () => {
  const enc = new TextEncoder();
  let log: EmbeddedLogBackend;

  beforeEach(async () => {
    log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  });
  afterEach(() => log.close());

  it('should count and reduce through the one merged repartition topic', async () => {
    await log.createTopic({ topic: 'clicks', numPartitions: 2 });
    for (const [i, user] of ['ann', 'bob', 'ann', 'cid', 'ann', 'bob'].entries())
      await log.append('clicks', i % 2, [{ key: enc.encode(`c${i}`), value: enc.encode(user), timestamp: i }]);
    const b = new StreamsBuilder();
    const byUser = b.stream('clicks', { keySerde: S, valueSerde: S }).selectKey((_k, user) => user);
    byUser.groupByKey({ keySerde: S, valueSerde: S }).count({ materialized: 'counts' });
    byUser.groupByKey({ keySerde: S, valueSerde: S }).reduce((a, v) => `${a},${v}`, { materialized: 'joined' });
    const streams = new KafkaStreams(b.build({ topologyOptimization: 'all' }), { applicationId: 'om', log });
    await streams.start();
    await streams.waitForIdle();
    const counts = streams.store(
      StoreQueryParameters.fromNameAndType('counts', QueryableStoreTypes.keyValueStore<string, number>()),
    );
    expect([await counts.get('ann'), await counts.get('bob'), await counts.get('cid')]).toEqual([3, 2, 1]);
    const joined = streams.store(
      StoreQueryParameters.fromNameAndType('joined', QueryableStoreTypes.keyValueStore<string, string>()),
    );
    expect(await joined.get('ann')).toBe('ann,ann,ann');
    await streams.close();
    const internal = (await log.listTopics()).filter((t) => t.startsWith('om-')).sort();
    expect(internal).toEqual(['om-counts-changelog', 'om-counts-repartition', 'om-joined-changelog']);
  });

  for (const storeType of ['in-memory', 'persistent'] as const) {
    it(`should keep a ${storeType} table without a changelog and restore it from its source topic up to the committed offset`, async () => {
      await log.createTopic({ topic: 'prices', numPartitions: 1 });
      const put = (key: string, value: string | null, timestamp: number) =>
        log.append('prices', 0, [
          { key: enc.encode(key), value: value === null ? null : enc.encode(value), timestamp },
        ]);
      await put('apple', '3', 1);
      await put('pear', '5', 2);
      await put('apple', '4', 3);
      const topology = () => {
        const b = new StreamsBuilder();
        b.table('prices', { keySerde: S, valueSerde: S, materialized: { storeName: 'prices-store', storeType } });
        return b.build({ topologyOptimization: 'reuse.ktable.source.topics' });
      };
      const stateDir = storeType === 'persistent' ? await tempDir() : undefined;
      const config = { applicationId: 'ot', log, ...(stateDir !== undefined ? { stateDir } : {}) };
      const first = new KafkaStreams(topology(), config);
      await first.start();
      await first.waitForIdle();
      await first.close();
      expect((await log.listTopics()).filter((t) => t.startsWith('ot-'))).toEqual([]);

      // Written while the app was down: processed, not restored, by the next instance.
      await put('pear', null, 4);
      await put('plum', '7', 5);
      const restored: number[] = [];
      const second = new KafkaStreams(topology(), config);
      second.setGlobalStateRestoreListener({
        onRestoreStart: () => undefined,
        onBatchRestored: (_tp, _store, _end, n) => void restored.push(n),
        onRestoreEnd: () => undefined,
      });
      await second.start();
      await second.waitForIdle();
      const prices = second.store(
        StoreQueryParameters.fromNameAndType('prices-store', QueryableStoreTypes.keyValueStore<string, string>()),
      );
      expect([await prices.get('apple'), await prices.get('pear'), await prices.get('plum')]).toEqual(['4', null, '7']);
      // In memory: the three records before the committed offset come back from the topic; on
      // disk, the store's checkpoint is that offset, and nothing is read back.
      expect(restored.reduce((a, n) => a + n, 0)).toBe(storeType === 'in-memory' ? 3 : 0);
      await second.close();
    });
  }
});

async function tempDir(): Promise<string> {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return mkdtemp(join(tmpdir(), 'optimize-'));
}

describe('single.store.self.join and duplicate sources', () => {
  const J = { keySerde: S, valueSerde: S, otherValueSerde: S };

  it("should keep one window store for a stream joined with itself, and join as Kafka's self-join does", () => {
    const b = new StreamsBuilder();
    const s = b.stream('t1', { keySerde: S, valueSerde: S });
    s.join(s, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(100), J).to('out', {
      keySerde: S,
      valueSerde: S,
    });
    const topology = b.build({ topologyOptimization: 'all' });
    const text = topology.describe().toString();
    expect(text.match(/KSTREAM-WINDOWED-\d+ \(stores/g)).toHaveLength(1);
    expect(text).not.toContain('JOINOTHER-0000000003 (stores');
    const d = new TopologyTestDriver(topology);
    const input = d.createInputTopic('t1', S, S);
    input.pipeInput('k', 'A', 0);
    input.pipeInput('k', 'B', 10);
    input.pipeInput('x', 'C', 20);
    // Each record joins itself; a later one joins the earlier from both sides.
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'A+A' },
      { key: 'k', value: 'B+A' },
      { key: 'k', value: 'A+B' },
      { key: 'k', value: 'B+B' },
      { key: 'x', value: 'C+C' },
    ]);
    d.close();
  });

  it('should leave a self left join with its two stores', () => {
    const b = new StreamsBuilder();
    const s = b.stream('t1', { keySerde: S, valueSerde: S });
    s.leftJoin(s, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(100), J).to('out');
    const text = b.build({ topologyOptimization: 'all' }).describe().toString();
    expect(text.match(/KSTREAM-WINDOWED-\d+ \(stores/g)).toHaveLength(2);
  });

  it('should read a topic two streams take through one source, and refuse overlapping topic lists', () => {
    const b = new StreamsBuilder();
    b.stream('t', { keySerde: S, valueSerde: S }).to('a');
    b.stream('t', { keySerde: S, valueSerde: S }).to('b');
    const text = b.build().describe().toString();
    expect(text).toContain(
      'Source: KSTREAM-SOURCE-0000000000 (topics: [t])\n      --> KSTREAM-SINK-0000000001, KSTREAM-SINK-0000000003',
    );
    expect(text).not.toContain('KSTREAM-SOURCE-0000000002');
    const overlapping = new StreamsBuilder();
    overlapping.stream(['t', 'u']).to('a');
    overlapping.stream('t').to('b');
    expect(() => overlapping.build()).toThrow(expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }));
  });
});
