/**
 * Not part of the API (not exported by src/index.ts): the nodes of a repartition — a filter
 * dropping null keys, a sink into an internal `<name>-repartition` topic and a source out of it —
 * and the names Kafka gives them. The DSL's groupings, joins, `repartition()`, `toTable()` and the
 * `merge.repartition.topics` rule (optimize.ts) all make theirs here.
 */
import type { Serde } from '../../serde/index.ts';
import { kstreamFilter } from '../operators/filter.ts';
import type { DslBuilder } from './dsl.ts';

/** A repartition's topic (without the application id) and its nodes. */
export interface RepartitionNames {
  topic: string;
  sink: string;
  filter: string;
  source: string;
}

/**
 * @internal Kafka's `createRepartitionedSource`: a filter, a sink into `<prefix>-repartition` and a
 * source out of it. It always uses up three generated names (sink, filter, source); the nodes take
 * them when `prefix` is itself generated (`KSTREAM-…-0000000005`), else they are named after the
 * topic (`<topic>-filter`, `-sink`, `-source`).
 */
export function repartitionedSource(
  builder: DslBuilder,
  parent: string,
  prefix: string,
  o: {
    keySerde: Serde<unknown> | undefined;
    valueSerde: Serde<unknown> | undefined;
    numPartitions?: number | undefined;
    partitioner?: unknown;
  },
): RepartitionNames {
  const names = repartitionNames(builder, prefix);
  repartitionThrough(builder, parent, names.topic, { ...names, ...o });
  return names;
}

/** The names {@link repartitionedSource} gives, using up the three generated ones. */
export function repartitionNames(builder: DslBuilder, prefix: string): RepartitionNames {
  const topic = prefix.endsWith('-repartition') ? prefix : `${prefix}-repartition`;
  const generated = {
    sink: builder.names.processor('KSTREAM-SINK-'),
    filter: builder.names.processor('KSTREAM-FILTER-'),
    source: builder.names.processor('KSTREAM-SOURCE-'),
  };
  if (/^KSTREAM.*-[0-9]{10}$/.test(prefix)) return { topic, ...generated };
  return { topic, sink: `${topic}-sink`, filter: `${topic}-filter`, source: `${topic}-source` };
}

/** @internal Sink into and source out of an internal repartition topic; returns the source's name. */
export function repartitionThrough(
  builder: DslBuilder,
  parent: string,
  topic: string,
  o: {
    sink: string;
    source: string;
    filter?: string;
    keySerde: Serde<unknown> | undefined;
    valueSerde: Serde<unknown> | undefined;
    numPartitions?: number | undefined;
    partitioner?: unknown;
    changeValues?: boolean;
  },
): string {
  const t = builder.topology;
  t.internalTopics.set(topic, {
    name: topic,
    ...(o.numPartitions !== undefined ? { numPartitions: o.numPartitions } : {}),
  });
  let upstream = parent;
  if (o.filter !== undefined) {
    builder.addProcessor(
      o.filter,
      kstreamFilter((k: unknown) => k !== null && k !== undefined, false),
      [parent],
    );
    upstream = o.filter;
  }
  const serdes = pick(o.keySerde, o.valueSerde);
  t.addNode({
    kind: 'sink',
    name: o.sink,
    topic,
    ...serdes,
    ...(o.partitioner !== undefined ? { partitioner: o.partitioner as never } : {}),
    ...(o.changeValues ? { changeValues: true } : {}),
    dropNullKeys: true,
    parents: [upstream],
  });
  t.addNode({
    kind: 'source',
    name: o.source,
    topics: [topic],
    ...serdes,
    ...(o.changeValues ? { changeValues: true } : {}),
    children: [],
  });
  return o.source;
}

function pick<K, V>(
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): { keySerde?: Serde<K>; valueSerde?: Serde<V> } {
  return { ...(keySerde !== undefined ? { keySerde } : {}), ...(valueSerde !== undefined ? { valueSerde } : {}) };
}
