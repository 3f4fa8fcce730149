import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serde/index.ts';
import {
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  StreamsBuilder,
  Stores,
} from '../../src/streams/index.ts';
import { TopologyTestDriver } from '../../src/streams/testing/index.ts';
import { I, L, obj, S } from './helpers.ts';

const J = Serdes.Json<{ name: string; region: string; amount: number }>();

function drive(builder: StreamsBuilder, partitions = 1) {
  return new TopologyTestDriver(builder.build(), {
    partitions,
    defaultKeySerde: S as never,
    defaultValueSerde: S as never,
  });
}

describe('stateless KStream operators', () => {
  it('should filter, filterNot, map, mapValues, selectKey, flatMap and peek', () => {
    const b = new StreamsBuilder();
    const seen: string[] = [];
    const s = b.stream('in', { keySerde: S, valueSerde: I });
    s.filter((_k, v) => v > 1)
      .mapValues((v) => v * 10)
      .to('big', { valueSerde: I });
    s.filterNot((_k, v) => v > 1).to('small', { valueSerde: I });
    s.map((k, v) => ({ key: `${k}!`, value: String(v) })).to('mapped');
    s.selectKey((_k, v) => `k${v}`)
      .peek((k) => seen.push(k))
      .to('rekeyed', { valueSerde: I });
    s.flatMap((k, v) => Array.from({ length: v }, (_, i) => ({ key: `${k}${i}`, value: i }))).to('flat', {
      valueSerde: I,
    });
    const d = drive(b);
    const input = d.createInputTopic('in', S, I);
    input.pipeInput('a', 1);
    input.pipeInput('b', 3);
    expect(d.createOutputTopic('big', S, I).readKeyValuesToList()).toEqual([{ key: 'b', value: 30 }]);
    expect(d.createOutputTopic('small', S, I).readKeyValuesToList()).toEqual([{ key: 'a', value: 1 }]);
    expect(d.createOutputTopic('mapped', S, S).readKeyValuesToList()).toEqual([
      { key: 'a!', value: '1' },
      { key: 'b!', value: '3' },
    ]);
    expect(d.createOutputTopic('rekeyed', S, I).readKeyValuesToList()).toEqual([
      { key: 'k1', value: 1 },
      { key: 'k3', value: 3 },
    ]);
    expect(seen).toEqual(['k1', 'k3']);
    expect(
      d
        .createOutputTopic('flat', S, I)
        .readKeyValuesToList()
        .map((kv) => kv.key),
    ).toEqual(['a0', 'b0', 'b1', 'b2']);
  });

  it('should split into named branches, first match wins, with a default branch', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream('in', { keySerde: S, valueSerde: I })
      .split({ name: 'sign-' })
      .branch((_k, v) => v > 0, { name: 'positive' })
      .branch((_k, v) => v > -10, { name: 'small' })
      .defaultBranch({ name: 'other' });
    expect([...branches.keys()]).toEqual(['sign-positive', 'sign-small', 'sign-other']);
    for (const [name, stream] of branches) stream.to(name, { valueSerde: I });
    const d = drive(b);
    d.createInputTopic('in', S, I).pipeKeyValueList([
      { key: 'a', value: 5 },
      { key: 'b', value: -5 },
      { key: 'c', value: -50 },
      { key: 'd', value: 0 },
    ]);
    expect(
      d
        .createOutputTopic('sign-positive', S, I)
        .readKeyValuesToList()
        .map((kv) => kv.key),
    ).toEqual(['a']);
    expect(
      d
        .createOutputTopic('sign-small', S, I)
        .readKeyValuesToList()
        .map((kv) => kv.key),
    ).toEqual(['b', 'd']);
    expect(
      d
        .createOutputTopic('sign-other', S, I)
        .readKeyValuesToList()
        .map((kv) => kv.key),
    ).toEqual(['c']);
  });

  it('should merge streams, read a list of topics and a pattern, and route with a topic extractor', () => {
    const b = new StreamsBuilder();
    const one = b.stream(['x', 'y'], { keySerde: S, valueSerde: S });
    const two = b.stream(/^events-.*/, { keySerde: S, valueSerde: S });
    one.merge(two).to((_k, v) => `out-${v.length % 2 === 0 ? 'even' : 'odd'}`);
    const d = drive(b);
    d.createInputTopic('x', S, S).pipeInput('k', 'ab');
    d.createInputTopic('y', S, S).pipeInput('k', 'abc');
    d.createInputTopic('events-1', S, S).pipeInput('k', 'abcd');
    expect(d.createOutputTopic('out-even', S, S).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'ab' },
      { key: 'k', value: 'abcd' },
    ]);
    expect(d.createOutputTopic('out-odd', S, S).readValue()).toBe('abc');
  });

  it('should use a custom partitioner and Kafka default partitioning by key', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', { keySerde: S, valueSerde: S });
    s.to('by-key');
    s.to('pinned', { partitioner: () => 2 });
    const d = drive(b, 4);
    const input = d.createInputTopic('in', S, S);
    for (const k of ['a', 'b', 'c', 'd', 'e']) input.pipeInput(k, k);
    const byKey = d.createOutputTopic('by-key', S, S).readRecordsToList();
    // Records stay on the partition their key hashes to, as Kafka's default partitioner puts them.
    expect(byKey.map((r) => r.partition)).toEqual(d.readTopic('in').map((r) => r.partition));
    expect(new Set(byKey.map((r) => r.partition)).size).toBeGreaterThan(1);
    expect(
      d
        .createOutputTopic('pinned', S, S)
        .readRecordsToList()
        .every((r) => r.partition === 2),
    ).toBe(true);
  });

  it('should hand a bad record to the deserialization handler with its topic, partition and offset', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: I }).to('out', { valueSerde: I });
    const bad: unknown[] = [];
    const d = new TopologyTestDriver(b.build(), {
      deserializationExceptionHandler: (ctx) => {
        bad.push({ topic: ctx.topic, partition: ctx.partition, offset: ctx.offset });
        return 'CONTINUE';
      },
    });
    const raw = d.createInputTopic('in', S, S);
    const good = d.createInputTopic('in', S, I);
    good.pipeInput('a', 1);
    raw.pipeInput('b', 'not four bytes');
    good.pipeInput('c', 3);
    expect(bad).toEqual([{ topic: 'in', partition: 0, offset: 1 }]);
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'c', value: 3 },
    ]);
    const failing = new TopologyTestDriver(b.build());
    expect(() => failing.createInputTopic('in', S, S).pipeInput('b', 'xx')).toThrow(
      expect.objectContaining({ code: 'SERIALIZATION_ERROR', offset: 0 }),
    );
  });
});

describe('time and repartitioning', () => {
  it('should stamp records with the timestamp extractor and repartition by the current key', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: I, timestampExtractor: (r) => (r.value as number) * 1000 })
      .selectKey((_k, v) => `k${v % 2}`)
      .repartition({ name: 'by-parity', keySerde: S, valueSerde: I })
      .to('out', { valueSerde: I });
    const d = drive(b, 3);
    const input = d.createInputTopic('in', S, I);
    input.pipeInput('a', 1, 5);
    input.pipeInput('b', 2, 6);
    const out = d.createOutputTopic('out', S, I).readRecordsToList();
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['k1', 1, 1000],
      ['k0', 2, 2000],
    ]);
    expect(d.readTopic('test-by-parity-repartition')).toHaveLength(2);
    expect(b.build().describe().subtopologies).toHaveLength(2);
  });
});

describe('KGroupedStream aggregations', () => {
  it('should count, skipping null keys and null values', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S }).groupByKey().count().toStream().to('out', { valueSerde: L });
    const d = drive(b);
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', 'x');
    input.pipeInput(null, 'x');
    input.pipeInput('a', null);
    input.pipeInput('b', 'y');
    input.pipeInput('a', 'z');
    expect(d.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
      { key: 'a', value: 2 },
    ]);
    expect(b.build().describe().toString()).toContain(
      'Processor: KSTREAM-AGGREGATE-0000000002 (stores: [KSTREAM-AGGREGATE-STATE-STORE-0000000001])',
    );
  });

  it('should reduce and aggregate per key, after a repartition when the key changed', () => {
    const b = new StreamsBuilder();
    const sales = b.stream('sales', { keySerde: S, valueSerde: J });
    sales
      .groupBy((_k, v) => v.region, { keySerde: S, valueSerde: J, name: 'by-region' })
      .aggregate(
        () => 0,
        (_region, sale, total) => total + sale.amount,
        { materialized: { storeName: 'totals', valueSerde: I } },
      )
      .toStream()
      .to('totals-out', { valueSerde: I });
    sales
      .mapValues((v) => v.amount)
      .groupByKey({ valueSerde: I })
      .reduce((a, v) => Math.max(a, v), { materialized: { storeName: 'max', valueSerde: I } })
      .toStream()
      .to('max-out', { valueSerde: I });
    const d = drive(b, 2);
    const input = d.createInputTopic('sales', S, J);
    input.pipeInput('alice', { name: 'alice', region: 'eu', amount: 5 });
    input.pipeInput('bob', { name: 'bob', region: 'us', amount: 7 });
    input.pipeInput('alice', { name: 'alice', region: 'eu', amount: 3 });
    expect(obj(d.createOutputTopic('totals-out', S, I).readKeyValuesToMap())).toEqual({ eu: 8, us: 7 });
    expect(obj(d.createOutputTopic('max-out', S, I).readKeyValuesToMap())).toEqual({ alice: 5, bob: 7 });
    expect(d.readTopic('test-by-region-repartition')).toHaveLength(3);
    const desc = b.build().describe().toString();
    expect(desc).toContain('Sink: by-region-repartition-sink (topic: by-region-repartition)');
    expect(desc).toContain('Source: by-region-repartition-source (topics: [by-region-repartition])');
  });
});

describe('KTable semantics', () => {
  it('should treat a null value as a delete and forward old and new values downstream', () => {
    const b = new StreamsBuilder();
    const t = b.table('users', { keySerde: S, valueSerde: S, materialized: 'users-store' });
    t.toStream().to('changes');
    const d = drive(b);
    const input = d.createInputTopic('users', S, S);
    input.pipeInput('u1', 'ann');
    input.pipeInput('u1', 'anne');
    input.pipeInput('u1', null);
    expect(d.createOutputTopic('changes', S, S).readKeyValuesToList()).toEqual([
      { key: 'u1', value: 'ann' },
      { key: 'u1', value: 'anne' },
      { key: 'u1', value: null },
    ]);
    expect(d.getKeyValueStore('users-store').get('u1')).toBeNull();
  });

  it('should forward a tombstone for every record a table filter drops, as Kafka (KTableFilterTest), matched before or not', () => {
    const b = new StreamsBuilder();
    b.table('t', { keySerde: S, valueSerde: I })
      .filter((_k, v) => v > 10)
      .toStream()
      .to('out', { valueSerde: I });
    const d = drive(b);
    const input = d.createInputTopic('t', S, I);
    input.pipeInput('a', 50);
    input.pipeInput('a', 5);
    input.pipeInput('b', 1);
    input.pipeInput('a', 60);
    input.pipeInput('a', null);
    expect(d.createOutputTopic('out', S, I).readKeyValuesToList()).toEqual([
      { key: 'a', value: 50 },
      { key: 'a', value: null },
      { key: 'b', value: null },
      { key: 'a', value: 60 },
      { key: 'a', value: null },
    ]);
  });

  it('should run the subtractor on the old value before the adder on the new in a table aggregation', () => {
    const b = new StreamsBuilder();
    const calls: string[] = [];
    b.table('people', { keySerde: S, valueSerde: S })
      .groupBy((name, city) => ({ key: city, value: name }), { keySerde: S, valueSerde: S })
      .aggregate(
        () => '',
        (city, name, agg) => {
          calls.push(`+${name}@${city}`);
          return [...agg.split(',').filter(Boolean), name].sort().join(',');
        },
        (city, name, agg) => {
          calls.push(`-${name}@${city}`);
          return agg
            .split(',')
            .filter((n) => n !== name)
            .join(',');
        },
        { materialized: { storeName: 'by-city', valueSerde: S } },
      )
      .toStream()
      .to('cities');
    b.table('people2', { keySerde: S, valueSerde: S })
      .groupBy((_name, city) => ({ key: city, value: city }), { keySerde: S, valueSerde: S })
      .count({ materialized: 'city-counts' })
      .toStream()
      .to('city-counts', { valueSerde: L });
    const d = drive(b);
    const people = d.createInputTopic('people', S, S);
    people.pipeInput('ann', 'oslo');
    people.pipeInput('bob', 'oslo');
    people.pipeInput('ann', 'rome');
    people.pipeInput('bob', 'oslo'); // same group: one change, subtract then add
    people.pipeInput('bob', null);
    expect(calls).toEqual(['+ann@oslo', '+bob@oslo', '-ann@oslo', '+ann@rome', '-bob@oslo', '+bob@oslo', '-bob@oslo']);
    expect(obj(d.createOutputTopic('cities', S, S).readKeyValuesToMap())).toEqual({ oslo: '', rome: 'ann' });
    const p2 = d.createInputTopic('people2', S, S);
    p2.pipeInput('ann', 'oslo');
    p2.pipeInput('bob', 'oslo');
    p2.pipeInput('ann', 'rome');
    p2.pipeInput('bob', null);
    expect(obj(d.createOutputTopic('city-counts', S, L).readKeyValuesToMap())).toEqual({ oslo: 0, rome: 1 });
  });

  it('should mapValues keeping deletes, and join, leftJoin and outerJoin two tables', () => {
    const b = new StreamsBuilder();
    const left = b.table('l', { keySerde: S, valueSerde: S });
    const right = b.table('r', { keySerde: S, valueSerde: S });
    left
      .mapValues((v) => v.toUpperCase())
      .toStream()
      .to('upper');
    left
      .join(right, (a, c) => `${a}+${c}`)
      .toStream()
      .to('inner');
    left
      .leftJoin(right, (a, c) => `${a}+${c ?? '∅'}`)
      .toStream()
      .to('left');
    left
      .outerJoin(right, (a, c) => `${a ?? '∅'}+${c ?? '∅'}`)
      .toStream()
      .to('outer');
    const d = drive(b);
    const l = d.createInputTopic('l', S, S);
    const r = d.createInputTopic('r', S, S);
    l.pipeInput('k', 'a');
    r.pipeInput('k', 'x');
    r.pipeInput('j', 'y');
    l.pipeInput('k', null);
    expect(d.createOutputTopic('upper', S, S).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'A' },
      { key: 'k', value: null },
    ]);
    expect(d.createOutputTopic('inner', S, S).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'a+x' },
      { key: 'k', value: null },
    ]);
    expect(d.createOutputTopic('left', S, S).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'a+∅' },
      { key: 'k', value: 'a+x' },
      { key: 'k', value: null },
    ]);
    expect(d.createOutputTopic('outer', S, S).readKeyValuesToList()).toEqual([
      { key: 'k', value: 'a+∅' },
      { key: 'k', value: 'a+x' },
      { key: 'j', value: '∅+y' },
      { key: 'k', value: '∅+x' },
    ]);
  });

  it('should turn a stream into a table with toTable', () => {
    const b = new StreamsBuilder();
    b.stream('s', { keySerde: S, valueSerde: S }).toTable({ materialized: 'latest' });
    const d = drive(b);
    const s = d.createInputTopic('s', S, S);
    s.pipeInput('a', '1');
    s.pipeInput('a', '2');
    expect(d.getKeyValueStore('latest').get('a')).toBe('2');
  });
});

describe('stream-table joins', () => {
  it('should join and leftJoin a stream with a KTable: a null key is dropped by the join, joined with null by the left join (KIP-962)', () => {
    const b = new StreamsBuilder();
    const users = b.table('users', { keySerde: S, valueSerde: S });
    const clicks = b.stream('clicks', { keySerde: S, valueSerde: S });
    clicks.join(users, (page, user) => `${user} saw ${page}`).to('joined');
    clicks.leftJoin(users, (page, user) => `${user ?? 'anon'} saw ${page}`).to('left');
    const d = drive(b, 3);
    d.createInputTopic('users', S, S).pipeInput('u1', 'ann');
    const c = d.createInputTopic('clicks', S, S);
    c.pipeInput('u1', '/home');
    c.pipeInput('u2', '/about');
    c.pipeInput(null, '/nobody');
    expect(d.createOutputTopic('joined', S, S).readKeyValuesToList()).toEqual([{ key: 'u1', value: 'ann saw /home' }]);
    expect(d.createOutputTopic('left', S, S).readKeyValuesToList()).toEqual([
      { key: 'u1', value: 'ann saw /home' },
      { key: 'u2', value: 'anon saw /about' },
      { key: null, value: 'anon saw /nobody' },
    ]);
  });

  it('should join a stream with a GlobalKTable by a selected key', () => {
    const b = new StreamsBuilder();
    const countries = b.globalTable('countries', { keySerde: S, valueSerde: S, materialized: 'countries-store' });
    const orders = b.stream('orders', { keySerde: S, valueSerde: J });
    orders
      .join(
        countries,
        (_id, o) => o.region,
        (o, country) => `${o.name} from ${country}`,
      )
      .to('inner');
    orders
      .leftJoin(
        countries,
        (_id, o) => o.region,
        (o, country) => `${o.name} from ${country ?? '?'}`,
      )
      .to('left');
    const d = drive(b, 2);
    d.createInputTopic('countries', S, S).pipeInput('no', 'Norway');
    const o = d.createInputTopic('orders', S, J);
    o.pipeInput('1', { name: 'ann', region: 'no', amount: 1 });
    o.pipeInput('2', { name: 'bob', region: 'xx', amount: 1 });
    expect(d.createOutputTopic('inner', S, S).readKeyValuesToList()).toEqual([{ key: '1', value: 'ann from Norway' }]);
    expect(
      d
        .createOutputTopic('left', S, S)
        .readKeyValuesToList()
        .map((kv) => kv.value),
    ).toEqual(['ann from Norway', 'bob from ?']);
    expect(d.getKeyValueStore('countries-store').get('no')).toBe('Norway');
    expect(b.build().describe().toString()).toContain(
      [
        'Topologies:',
        '   Sub-topology: 0 for global store (will not generate tasks)',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [countries])',
        '      --> KTABLE-SOURCE-0000000001',
        '    Processor: KTABLE-SOURCE-0000000001 (stores: [countries-store])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000000',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000002 (topics: [orders])',
      ].join('\n'),
    );
  });
});

describe('the Processor API', () => {
  it('should give processors stores, forward, and stream-time and wall-clock punctuators', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('sums'), S, I).withCachingDisabled());
    const streamTimes: number[] = [];
    const wallTimes: number[] = [];
    b.stream('in', { keySerde: S, valueSerde: I })
      .process<string, number>(() => {
        let ctx: ProcessorContext<string, number>;
        let store: KeyValueStore<string, number>;
        const p: Processor<string, number, string, number> = {
          init(c) {
            ctx = c;
            store = c.getStateStore('sums');
            c.schedule(10, 'STREAM_TIME', (t) => streamTimes.push(t));
            c.schedule(1000, 'WALL_CLOCK_TIME', (t) => {
              wallTimes.push(t);
              for (const { key, value } of store.all()) ctx.forward({ key, value, timestamp: t });
            });
          },
          process(record) {
            store.put(record.key, (store.get(record.key) ?? 0) + record.value);
            expect(ctx.recordMetadata()?.topic).toBe('in');
          },
        };
        return p;
      }, 'sums')
      .to('sums-out', { valueSerde: I });
    const d = drive(b);
    const input = d.createInputTopic('in', S, I);
    input.pipeInput('a', 1, 5);
    input.pipeInput('a', 2, 12);
    input.pipeInput('b', 4, 14);
    input.pipeInput('b', 4, 40);
    // Aligned to 0 as Kafka's: due at 0, then 10, 20… (5 fires, 12 passes 10, 40 passes 20).
    expect(streamTimes).toEqual([5, 12, 40]);
    const out = d.createOutputTopic('sums-out', S, I);
    expect(out.isEmpty()).toBe(true);
    d.advanceWallClockTime(1000);
    expect(wallTimes).toEqual([1000]);
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'a', value: 3 },
      { key: 'b', value: 8 },
    ]);
    expect(d.getKeyValueStore<string, number>('sums').get('b')).toBe(8);
  });

  it('should refuse a processor a store it is not connected to', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('s1'), S, I));
    b.stream('in', { keySerde: S, valueSerde: I }).process(() => ({
      init: (c) => void c.getStateStore('s1'),
      process() {},
    }));
    b.stream('other', { keySerde: S, valueSerde: I }).process(() => ({ process() {} }), 's1');
    expect(() => drive(b)).toThrow(/no access to state store s1/);
  });

  it('should let processValues change values but not keys', () => {
    const b = new StreamsBuilder();
    b.stream('in', { keySerde: S, valueSerde: S })
      .processValues<string>(() => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => void (ctx = c),
          process: (r) => ctx.forward({ ...r, value: r.value.length > 3 ? r.value : r.value.repeat(2) }),
        };
      })
      .to('out');
    const d = drive(b);
    d.createInputTopic('in', S, S).pipeInput('k', 'ab');
    expect(d.createOutputTopic('out', S, S).readValue()).toBe('abab');
  });
});

describe('naming', () => {
  it('should generate Kafka names for tables, stores and joins, and use given names', () => {
    const b = new StreamsBuilder();
    const t = b.table('users', { keySerde: S, valueSerde: S });
    t.filter(() => true, { name: 'keep-all' })
      .toStream()
      .to('x');
    const desc = b.build().describe();
    const nodes = desc.subtopologies[0]!.nodes.map((n) => n.name);
    expect(nodes).toEqual([
      'KSTREAM-SOURCE-0000000001',
      'KTABLE-SOURCE-0000000002',
      'keep-all',
      'KTABLE-TOSTREAM-0000000003',
      'KSTREAM-SINK-0000000004',
    ]);
    // A table nothing reads keeps no store, as Kafka's (its name is still taken).
    expect(desc.subtopologies[0]!.nodes[1]!.stores).toEqual([]);
  });
});
