import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.ts';
import {
  type KeyValueStore,
  type ProcessorContext,
  type ProcessorSupplier,
  Stores,
  Topology,
} from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { L, S } from './helpers.ts';

/**
 * Kafka's WordCountProcessorDemo: counts words in a store and, every second of wall-clock time,
 * forwards every count (its punctuator), as the demo's `WordCountProcessor` does.
 */
const wordCountProcessor: ProcessorSupplier<string, string, string, number> = () => {
  let ctx: ProcessorContext<string, number>;
  let store: KeyValueStore<string, number>;
  return {
    init(c) {
      ctx = c;
      store = c.getStateStore('Counts');
      c.schedule(1_000, 'WALL_CLOCK_TIME', (timestamp) => {
        for (const { key, value } of store.all()) ctx.forward({ key, value, timestamp });
      });
    },
    process(record) {
      for (const word of record.value.toLowerCase().split(/\W+/).filter(Boolean))
        store.put(word, (store.get(word) ?? 0) + 1);
    },
  };
};

function wordCountTopology(): Topology {
  return new Topology()
    .addSource('Source', 'streams-plaintext-input', { keySerde: S, valueSerde: S })
    .addProcessor('Process', wordCountProcessor, 'Source')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('Counts'), S, L), 'Process')
    .addSink('Sink', 'streams-wordcount-processor-output', { keySerde: S, valueSerde: L }, 'Process');
}

describe('the Processor API on Topology (addSource, addProcessor, addSink, addStateStore, addGlobalStore)', () => {
  it("runs Kafka's WordCountProcessorDemo: counts in a store, emitted by a wall-clock punctuator", () => {
    const d = new TopologyTestDriver(wordCountTopology(), { startTimeMs: 0 });
    const input = d.createInputTopic('streams-plaintext-input', S, S);
    const output = d.createOutputTopic('streams-wordcount-processor-output', S, L);
    input.pipeInput(null, 'all streams lead to kafka', 10);
    input.pipeInput(null, 'hello kafka streams', 20);
    expect(output.isEmpty()).toBe(true);
    d.advanceWallClockTime(999);
    expect(output.isEmpty()).toBe(true);
    d.advanceWallClockTime(1);
    expect(Object.fromEntries(output.readKeyValuesToList().map(({ key, value }) => [key, value]))).toEqual({
      all: 1,
      hello: 1,
      kafka: 2,
      lead: 1,
      streams: 2,
      to: 1,
    });
    expect(output.readRecordsToList()).toEqual([]);
    input.pipeInput(null, 'kafka', 30);
    d.advanceWallClockTime(1_000);
    expect(output.readKeyValuesToList().find((kv) => kv.key === 'kafka')).toEqual({ key: 'kafka', value: 3 });
  });

  it('describes the graph as Kafka does', () => {
    expect(wordCountTopology().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: Source (topics: [streams-plaintext-input])',
        '      --> Process',
        '    Processor: Process (stores: [Counts])',
        '      --> Sink',
        '      <-- Source',
        '    Sink: Sink (topic: streams-wordcount-processor-output)',
        '      <-- Process',
        '',
        '',
      ].join('\n'),
    );
  });

  it('drives stream-time punctuators by record timestamps', () => {
    const fired: number[] = [];
    const t = new Topology().addSource('in', 'in', { keySerde: S, valueSerde: S }).addProcessor(
      'p',
      () => ({
        init(c) {
          c.schedule(10, 'STREAM_TIME', (ts) => fired.push(ts));
        },
        process() {},
      }),
      'in',
    );
    const d = new TopologyTestDriver(t);
    const input = d.createInputTopic('in', S, S);
    for (const ts of [3, 5, 12, 11, 40]) input.pipeInput('k', 'v', ts);
    // Aligned to 0 as Kafka's StreamTask schedules them: due at 0, 10, 20…; a gap skips the missed ones.
    expect(fired).toEqual([3, 12, 40]);
  });

  it('fills a global store through its state-update processor, readable by every task', () => {
    const t = new Topology()
      .addGlobalStore(
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('rates'), S, Serdes.Double()).withLoggingDisabled(),
        'rates-source',
        { keySerde: S, valueSerde: Serdes.Double() },
        'rates',
        'rates-updater',
        () => {
          let store: KeyValueStore<string, number>;
          return {
            init(c) {
              store = c.getStateStore('rates');
            },
            process(r) {
              store.put(r.key, r.value);
            },
          };
        },
      )
      .addSource('orders', 'orders', { keySerde: S, valueSerde: Serdes.Double() })
      .addProcessor<string, number, string, number>(
        'convert',
        () => {
          let ctx: ProcessorContext<string, number>;
          let rates: KeyValueStore<string, number>;
          return {
            init(c) {
              ctx = c;
              rates = c.getStateStore('rates');
            },
            process(r) {
              ctx.forward({ ...r, value: r.value * (rates.get('EUR') ?? Number.NaN) });
            },
          };
        },
        'orders',
      )
      .addSink('out', 'orders-eur', { keySerde: S, valueSerde: Serdes.Double() }, 'convert');
    expect(t.describe().toString()).toMatch(/Sub-topology: \d for global store \(will not generate tasks\)/);
    const d = new TopologyTestDriver(t, { partitions: 3 });
    d.createInputTopic('rates', S, Serdes.Double()).pipeInput('EUR', 0.5, 1);
    const orders = d.createInputTopic('orders', S, Serdes.Double());
    for (const id of ['a', 'b', 'c', 'd']) orders.pipeInput(id, 10, 2);
    expect(d.createOutputTopic('orders-eur', S, Serdes.Double()).readValuesToList()).toEqual([5, 5, 5, 5]);
    expect(d.getKeyValueStore<string, number>('rates').get('EUR')).toBe(0.5);
  });

  it('refuses what Kafka refuses, with TOPOLOGY_EXCEPTION', () => {
    const base = () => new Topology().addSource('s', 'in');
    const noop: ProcessorSupplier<unknown, unknown> = () => ({ process() {} });
    const refused = [
      () => base().addSource('s', 'other'),
      () => base().addSource('s2', 'in'),
      () => base().addProcessor('p', noop),
      () => base().addProcessor('p', noop, 'missing'),
      () => base().addSink('k', 'out', 'missing'),
      () => base().addSink('k', 'out').addProcessor('p', noop, 'k'),
      () => base().addProcessor('p', noop, 's').connectProcessorAndStateStores('p', 'no-such-store'),
      () =>
        base().addGlobalStore(
          Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('g'), S, S),
          'gs',
          {},
          'g',
          'gp',
          () => ({ process() {} }),
        ),
    ];
    for (const f of refused) expect(f).toThrow(expect.objectContaining({ code: 'TOPOLOGY_EXCEPTION' }));
  });
});
