/**
 * The built graph of a stream application: source, processor and sink nodes, state stores, and
 * how they fall into sub-topologies (one task per sub-topology and input partition).
 */
import { TopologyError } from '../errors.ts';
import { TopologyGraph } from './internal/topology-graph.ts';
import type { Serde } from '../serde/index.ts';
import type { Consumed, Produced, StreamPartitioner } from './options.ts';
import type { ProcessorSupplier, TimestampExtractor } from './processor.ts';
import type { SessionStoreBuilder } from './state/session-store.ts';
import type { KeyValueStoreBuilder } from './state/stores.ts';
import type { VersionedKeyValueStoreBuilder } from './state/versioned-store.ts';
import type { WindowStoreBuilder } from './state/window-store.ts';

/** Picks a sink's topic per record (Kafka's `TopicNameExtractor`). */
export type TopicNameExtractor<K, V> = (
  key: K,
  value: V,
  context: { topic?: string; partition?: number; offset?: number },
) => string;

/** Not part of the API (not exported by src/index.ts): a SourceNode of the topology's graph. */
export interface SourceNode {
  kind: 'source';
  name: string;
  /** Logical topic names; internal ones are prefixed with the application id at runtime. */
  topics: string[];
  pattern?: RegExp;
  keySerde?: Serde<unknown>;
  valueSerde?: Serde<unknown>;
  timestampExtractor?: TimestampExtractor;
  /** Values are table changes (a table repartition topic): the value serde is wrapped. */
  changeValues?: boolean;
  children: string[];
}

/** Not part of the API (not exported by src/index.ts): a ProcessorNode of the topology's graph. */
export interface ProcessorNode {
  kind: 'processor';
  name: string;
  supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  parents: string[];
  children: string[];
  stores: string[];
}

/** Not part of the API (not exported by src/index.ts): a SinkNode of the topology's graph. */
export interface SinkNode {
  kind: 'sink';
  name: string;
  topic: string | TopicNameExtractor<unknown, unknown>;
  keySerde?: Serde<unknown>;
  valueSerde?: Serde<unknown>;
  partitioner?: StreamPartitioner<unknown, unknown>;
  changeValues?: boolean;
  /** A repartition topic's sink: records with a null key are dropped (Kafka 3.7+, KIP-962). */
  dropNullKeys?: boolean;
  parents: string[];
}

/** Not part of the API (not exported by src/index.ts): a TopologyNode of the topology's graph. */
export type TopologyNode = SourceNode | ProcessorNode | SinkNode;

/** Not part of the API (not exported by src/index.ts): an internal topic the app creates: a repartition topic. */
export interface InternalTopic {
  name: string;
  /** Fixed by `repartition({ numberOfPartitions })`; otherwise taken from the upstream sources. */
  numPartitions?: number;
}

/** Not part of the API (not exported by src/index.ts): a sub-topology: its nodes in insertion order, its source topics and its stores. */
export interface Subtopology {
  id: number;
  nodes: TopologyNode[];
  sourceTopics: string[];
  stores: string[];
}

/** Not part of the API (not exported by src/index.ts): a global store: read-only to tasks, filled from every partition of its topic. */
export interface GlobalStoreDef {
  /** Its node group's number (set with the sub-topologies'). */
  id?: number;
  source: SourceNode;
  processor: ProcessorNode;
  store: string;
  topic: string;
}

let graphOf: (topology: Topology) => TopologyGraph;

/**
 * Not part of the API (not exported by src/index.ts): the graph behind a topology, which the DSL
 * builds and the runtime and the test driver run.
 */
export function topologyGraph(topology: Topology): TopologyGraph {
  return graphOf(topology);
}

/**
 * A stream application's graph, made by `StreamsBuilder.build()`. Hand it to `KafkaStreams` or to
 * the `TopologyTestDriver`; `describe()` prints it as Kafka Streams does.
 *
 * @example
 * const topology = builder.build();
 * console.log(topology.describe().toString());
 */
export class Topology {
  /** The graph itself: for the DSL, the runtime and the test driver, through `topologyGraph`. */
  readonly #graph = new TopologyGraph();

  static {
    graphOf = (topology) => topology.#graph;
  }

  /**
   * Adds a source node reading `topics` (a topic, several, or every topic a pattern matches), as
   * Kafka's `Topology.addSource`. Serdes default to the app's defaults.
   *
   * @example
   * const topology = new Topology()
   *   .addSource('Source', 'lines', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
   *   .addProcessor('Count', countWords, 'Source')
   *   .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('Counts'), Serdes.String(), Serdes.LongNumber()), 'Count')
   *   .addSink('Sink', 'word-counts', { keySerde: Serdes.String(), valueSerde: Serdes.LongNumber() }, 'Count');
   */
  addSource(
    name: string,
    topics: string | string[] | RegExp,
    consumed: Omit<Consumed<unknown, unknown>, 'name'> = {},
  ): this {
    checkName(name);
    const list = topics instanceof RegExp ? [] : typeof topics === 'string' ? [topics] : [...topics];
    if (!(topics instanceof RegExp) && list.length === 0)
      throw new TopologyError(`Source ${name} must have at least one topic`, { node: name });
    for (const node of this.#graph.nodes.values()) {
      if (node.kind !== 'source') continue;
      const taken = list.find((t) => node.topics.includes(t));
      if (taken !== undefined)
        throw new TopologyError(`Topic ${taken} has already been registered by another source.`, { topic: taken });
    }
    this.#graph.addNode({
      kind: 'source',
      name,
      topics: list,
      ...(topics instanceof RegExp ? { pattern: topics } : {}),
      ...(consumed.keySerde !== undefined ? { keySerde: consumed.keySerde } : {}),
      ...(consumed.valueSerde !== undefined ? { valueSerde: consumed.valueSerde } : {}),
      ...(consumed.timestampExtractor !== undefined ? { timestampExtractor: consumed.timestampExtractor } : {}),
      children: [],
    });
    return this;
  }

  /**
   * Adds a processor fed by `parentNames` (sources or processors), as Kafka's
   * `Topology.addProcessor`; connect its stores with `addStateStore` or `connectProcessorAndStateStores`.
   */
  addProcessor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    checkName(name);
    if (typeof supplier !== 'function') throw new TopologyError(`Processor ${name}: supplier must be a function`);
    if (parentNames.length === 0)
      throw new TopologyError(`Processor ${name} must have at least one parent`, { node: name });
    this.#checkParents(name, parentNames);
    this.#graph.addNode({
      kind: 'processor',
      name,
      supplier: supplier as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      parents: [...parentNames],
      children: [],
      stores: [],
    });
    return this;
  }

  /**
   * Adds a sink writing what `parentNames` forward to `topic` (or to the topic an extractor picks
   * per record), as Kafka's `Topology.addSink`.
   */
  addSink<K = unknown, V = unknown>(
    name: string,
    topic: string | TopicNameExtractor<K, V>,
    ...parents: [Produced<K, V>, ...string[]] | string[]
  ): this {
    checkName(name);
    const produced = (typeof parents[0] === 'object' ? parents.shift() : {}) as Produced<K, V>;
    const parentNames = parents as string[];
    if (parentNames.length === 0) throw new TopologyError(`Sink ${name} must have at least one parent`, { node: name });
    this.#checkParents(name, parentNames);
    this.#graph.addNode({
      kind: 'sink',
      name,
      topic: topic as SinkNode['topic'],
      ...(produced.keySerde !== undefined ? { keySerde: produced.keySerde as Serde<unknown> } : {}),
      ...(produced.valueSerde !== undefined ? { valueSerde: produced.valueSerde as Serde<unknown> } : {}),
      ...(produced.partitioner !== undefined
        ? { partitioner: produced.partitioner as StreamPartitioner<unknown, unknown> }
        : {}),
      parents: [...parentNames],
    });
    return this;
  }

  /** Adds a state store and connects it to the named processors (Kafka's `Topology.addStateStore`). */
  addStateStore(
    builder:
      | KeyValueStoreBuilder<unknown, unknown>
      | WindowStoreBuilder<unknown, unknown>
      | SessionStoreBuilder<unknown, unknown>
      | VersionedKeyValueStoreBuilder<unknown, unknown>
      | { name: string; build: unknown },
    ...processorNames: string[]
  ): this {
    this.#graph.addStore(builder as KeyValueStoreBuilder<unknown, unknown>);
    for (const p of processorNames) this.#graph.connectStore(p, builder.name);
    return this;
  }

  /** Gives processors access to stores added before (Kafka's `connectProcessorAndStateStores`). */
  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    if (storeNames.length === 0) throw new TopologyError(`No store names given for ${processorName}`);
    for (const store of storeNames) this.#graph.connectStore(processorName, store);
    return this;
  }

  /**
   * Adds a global store (Kafka's `Topology.addGlobalStore`): every instance fills it from all
   * partitions of `topic`, through `stateUpdateSupplier`, which writes what it reads into the store
   * (it should not forward). Processors read it with `getStateStore` without connecting it. The
   * store keeps no changelog: the topic is its changelog.
   *
   * @example
   * topology.addGlobalStore(
   *   Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('rates'), Serdes.String(), Serdes.Double()).withLoggingDisabled(),
   *   'rates-source', { keySerde: Serdes.String(), valueSerde: Serdes.Double() }, 'rates', 'rates-updater',
   *   () => { let store; return { init(ctx) { store = ctx.getStateStore('rates'); }, process(r) { store.put(r.key, r.value); } }; },
   * );
   */
  addGlobalStore<K, V>(
    builder: KeyValueStoreBuilder<K, V>,
    sourceName: string,
    consumed: Omit<Consumed<K, V>, 'name'>,
    topic: string,
    processorName: string,
    stateUpdateSupplier: ProcessorSupplier<K, V, void, void>,
  ): this {
    checkName(sourceName);
    checkName(processorName);
    if (builder.loggingEnabled)
      throw new TopologyError(
        `Global store ${builder.name} must not have logging enabled: its topic is its changelog (use withLoggingDisabled())`,
        { store: builder.name },
      );
    for (const n of [sourceName, processorName])
      if (this.#graph.nodes.has(n)) throw new TopologyError(`Processor ${n} is already added`, { node: n });
    this.#graph.addStore(builder as unknown as KeyValueStoreBuilder<unknown, unknown>);
    const source: SourceNode = {
      kind: 'source',
      name: sourceName,
      topics: [topic],
      ...(consumed.keySerde !== undefined ? { keySerde: consumed.keySerde as Serde<unknown> } : {}),
      ...(consumed.valueSerde !== undefined ? { valueSerde: consumed.valueSerde as Serde<unknown> } : {}),
      ...(consumed.timestampExtractor !== undefined ? { timestampExtractor: consumed.timestampExtractor } : {}),
      children: [processorName],
    };
    const processor: ProcessorNode = {
      kind: 'processor',
      name: processorName,
      supplier: stateUpdateSupplier as unknown as ProcessorNode['supplier'],
      parents: [sourceName],
      children: [],
      stores: [builder.name],
    };
    this.#graph.addGlobalStore(source, processor, builder.name, topic);
    return this;
  }

  #checkParents(name: string, parents: string[]): void {
    for (const parent of parents) {
      if (parent === name) throw new TopologyError(`Processor ${name} cannot be a parent of itself`, { node: name });
      const p = this.#graph.nodes.get(parent);
      if (p === undefined) throw new TopologyError(`Parent processor ${parent} is not added yet`, { node: name });
      if (p.kind === 'sink') throw new TopologyError(`Parent ${parent} of ${name} is a sink`, { node: name });
      if (this.#graph.globalNodeNames.has(parent))
        throw new TopologyError(`Parent ${parent} of ${name} belongs to a global store`, { node: name });
    }
  }

  /** Describes the topology in Kafka Streams' text format (`toString()`), or as data. */
  describe(): TopologyDescription {
    return new TopologyDescription(this);
  }
}

/** A node in a {@link TopologyDescription}. */
export interface NodeDescription {
  type: 'Source' | 'Processor' | 'Sink';
  name: string;
  topics?: string[];
  topicPattern?: string;
  topic?: string;
  /** A sink with a topic-name extractor: the extractor's name, when it has one. */
  extractor?: string | undefined;
  stores?: string[];
  successors: string[];
  predecessors: string[];
}

/** A sub-topology as Kafka's `TopologyDescription.Subtopology`. */
export interface SubtopologyDescription {
  id: number;
  /** True for a global store's sub-topology, which generates no tasks. */
  global: boolean;
  nodes: NodeDescription[];
}

/** What `topology.describe()` returns; `toString()` is Kafka's text. */
export class TopologyDescription {
  readonly subtopologies: SubtopologyDescription[];

  constructor(topology: Topology) {
    const graph = topologyGraph(topology);
    const subs = graph.subtopologies();
    const all: SubtopologyDescription[] = subs.map((s) => ({ id: s.id, global: false, nodes: describeNodes(s.nodes) }));
    for (const g of graph.globalStores)
      all.push({ id: g.id ?? all.length, global: true, nodes: describeNodes([g.source, g.processor]) });
    this.subtopologies = all.sort((a, b) => a.id - b.id);
  }

  /**
   * Kafka's text: `Topologies:`, then each sub-topology (global stores' among them, by id) with its
   * nodes, largest downstream first, each with its successors (`-->`) and predecessors (`<--`).
   */
  toString(): string {
    const names = (list: string[]) => (list.length === 0 ? 'none' : list.join(', '));
    let out = 'Topologies:\n ';
    for (const sub of this.subtopologies) {
      const lines = sub.nodes.map((node) => {
        if (node.type === 'Source') {
          const topics = node.topicPattern !== undefined ? node.topicPattern : `[${(node.topics ?? []).join(', ')}]`;
          return `Source: ${node.name} (topics: ${topics})\n      --> ${names(node.successors)}`;
        }
        if (node.type === 'Processor') {
          return `Processor: ${node.name} (stores: [${(node.stores ?? []).join(', ')}])\n      --> ${names(node.successors)}\n      <-- ${names(node.predecessors)}`;
        }
        const what =
          node.topic !== undefined
            ? `topic: ${node.topic}`
            : `extractor class: ${node.extractor ?? 'TopicNameExtractor'}`;
        return `Sink: ${node.name} (${what})\n      <-- ${names(node.predecessors)}`;
      });
      if (sub.global)
        out += `  Sub-topology: ${sub.id} for global store (will not generate tasks)\n${lines.map((l) => `    ${l}`).join('\n')}\n`;
      else out += `  Sub-topology: ${sub.id}\n${lines.map((l) => `    ${l}\n`).join('')}\n`;
    }
    return out;
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0)
    throw new TopologyError(`A node name must be a non-empty string, got ${String(name)}`);
}

/** Nodes ordered as Kafka orders them: by the size of what hangs below them, descending, then by name. */
function describeNodes(nodes: TopologyNode[]): NodeDescription[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const sizes = new Map<string, number>();
  const size = (name: string): number => {
    const known = sizes.get(name);
    if (known !== undefined) return known;
    const node = byName.get(name);
    let n = 1;
    if (node !== undefined && node.kind !== 'sink') for (const c of node.children) if (byName.has(c)) n += size(c);
    sizes.set(name, n);
    return n;
  };
  const order = (a: string, b: string) => size(b) - size(a) || (a < b ? -1 : a > b ? 1 : 0);
  const sorted = (list: string[]) => list.filter((n) => byName.has(n)).sort(order);
  return [...nodes]
    .sort((a, b) => order(a.name, b.name))
    .map((node): NodeDescription => {
      if (node.kind === 'source') {
        return node.pattern !== undefined
          ? {
              type: 'Source',
              name: node.name,
              topicPattern: node.pattern.source,
              successors: sorted(node.children),
              predecessors: [],
            }
          : {
              type: 'Source',
              name: node.name,
              topics: [...node.topics],
              successors: sorted(node.children),
              predecessors: [],
            };
      }
      if (node.kind === 'processor') {
        return {
          type: 'Processor',
          name: node.name,
          stores: [...node.stores],
          successors: sorted(node.children),
          predecessors: sorted(node.parents),
        };
      }
      return typeof node.topic === 'string'
        ? { type: 'Sink', name: node.name, topic: node.topic, successors: [], predecessors: sorted(node.parents) }
        : {
            type: 'Sink',
            name: node.name,
            extractor: node.topic.name || undefined,
            successors: [],
            predecessors: sorted(node.parents),
          };
    });
}
