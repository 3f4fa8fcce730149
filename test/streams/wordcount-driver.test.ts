import { describe, expect, it } from 'vitest';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { L, obj, S, wordCount } from './helpers.ts';

describe('WordCount on the test driver', () => {
  it('should describe the topology as Kafka Streams does', () => {
    expect(wordCount('streams-plaintext-input', 'streams-wordcount-output').build().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])',
        '      --> KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])',
        '      --> KSTREAM-KEY-SELECT-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])',
        '      --> KSTREAM-FILTER-0000000005',
        '      <-- KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-KEY-SELECT-0000000002',
        '    Sink: KSTREAM-SINK-0000000004 (topic: counts-store-repartition)',
        '      <-- KSTREAM-FILTER-0000000005',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [counts-store-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000003',
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])',
        '      --> KTABLE-TOSTREAM-0000000007',
        '      <-- KSTREAM-SOURCE-0000000006',
        '    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-AGGREGATE-0000000003',
        '    Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)',
        '      <-- KTABLE-TOSTREAM-0000000007',
        '',
        '',
      ].join('\n'),
    );
  });

  it.each([1, 3])('should count words with %i partitions per topic', (partitions) => {
    const driver = new TopologyTestDriver(wordCount('streams-plaintext-input', 'streams-wordcount-output').build(), {
      partitions,
    });
    const input = driver.createInputTopic('streams-plaintext-input', S, S);
    const output = driver.createOutputTopic('streams-wordcount-output', S, L);
    input.pipeInput(null, 'all streams lead to Kafka');
    input.pipeInput(null, 'hello kafka streams');
    input.pipeInput(null, 'join kafka summit');
    expect(obj(output.readKeyValuesToMap())).toEqual({
      all: 1,
      hello: 1,
      join: 1,
      kafka: 3,
      lead: 1,
      streams: 2,
      summit: 1,
      to: 1,
    });
    const store = driver.getKeyValueStore<string, number>('counts-store');
    expect(store.get('kafka')).toBe(3);
    expect(store.get('nope')).toBeNull();
    expect(store.approximateNumEntries()).toBe(8);
    driver.close();
  });

  it('should emit every update of a key when caching commits after each record', () => {
    const driver = new TopologyTestDriver(wordCount('streams-plaintext-input', 'streams-wordcount-output').build());
    const input = driver.createInputTopic('streams-plaintext-input', S, S);
    const output = driver.createOutputTopic('streams-wordcount-output', S, L);
    input.pipeInput(null, 'a a');
    // Two updates of "a" in one input record collapse in the cache into one output.
    expect(output.readKeyValuesToList()).toEqual([{ key: 'a', value: 2 }]);
    input.pipeInput(null, 'a');
    expect(output.readKeyValue()).toEqual({ key: 'a', value: 3 });
    expect(output.isEmpty()).toBe(true);
  });
});
