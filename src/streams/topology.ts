/**
 * The built graph of a stream application: source, processor and sink nodes, state stores, and
 * how they fall into sub-topologies (one task per sub-topology and input partition).
 */
import { TopologyError } from '../errors.ts';
import type { Serde } from '../serde/index.ts';
import type { StreamPartitioner } from './options.ts';
import type { ProcessorSupplier, TimestampExtractor } from './processor.ts';
import type { KeyValueStoreBuilder } from './state/stores.ts';

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

/**
 * A stream application's graph, made by `StreamsBuilder.build()`. Hand it to `KafkaStreams` or to
 * the `TopologyTestDriver`; `describe()` prints it as Kafka Streams does.
 *
 * @example
 * const topology = builder.build();
 * console.log(topology.describe().toString());
 */
export class Topology {
  /** @internal */ readonly nodes = new Map<string, TopologyNode>();
  /** @internal */ readonly storeBuilders = new Map<string, KeyValueStoreBuilder<unknown, unknown>>();
  /** @internal */ readonly internalTopics = new Map<string, InternalTopic>();
  /** @internal */ readonly globalStores: GlobalStoreDef[] = [];
  /** @internal Global store names: their nodes are not part of any sub-topology. */
  readonly globalNodeNames = new Set<string>();
  /** @internal Nodes whose inputs must be co-partitioned: the two sides of each join. */
  readonly copartitioned: string[][] = [];
  #subtopologies: Subtopology[] | undefined;

  /** @internal */
  addNode(node: TopologyNode): void {
    if (this.nodes.has(node.name))
      throw new TopologyError(`Processor ${node.name} is already added`, { node: node.name });
    this.nodes.set(node.name, node);
    if (node.kind !== 'source') {
      for (const parent of node.parents) {
        const p = this.nodes.get(parent);
        if (p === undefined || p.kind === 'sink')
          throw new TopologyError(`Parent ${parent} of ${node.name} is not a source or processor`);
        p.children.push(node.name);
      }
    }
    this.#subtopologies = undefined;
  }

  /** @internal */
  connect(parent: string, child: string): void {
    const p = this.nodes.get(parent);
    const c = this.nodes.get(child);
    if (p === undefined || c === undefined || p.kind === 'sink' || c.kind === 'source')
      throw new TopologyError(`Cannot connect ${parent} to ${child}`);
    p.children.push(child);
    c.parents.push(parent);
    this.#subtopologies = undefined;
  }

  /** @internal */
  addStore(builder: KeyValueStoreBuilder<unknown, unknown>): void {
    if (this.storeBuilders.has(builder.name))
      throw new TopologyError(`A state store named ${builder.name} is already added`, { store: builder.name });
    this.storeBuilders.set(builder.name, builder);
  }

  /**
   * @internal The logical source topics of each co-partition group (Kafka's `copartitionSources`):
   * the topics upstream of the two sides of a join, whose partition `i` must hold the same keys.
   * Pattern sources are left out: their topics are known only at start.
   */
  copartitionGroups(): string[][] {
    const groups: string[][] = [];
    for (const sides of this.copartitioned) {
      const topics = new Set<string>();
      const seen = new Set<string>();
      const up = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        const node = this.nodes.get(name);
        if (node === undefined || node.kind === 'sink') return;
        if (node.kind === 'source') {
          if (node.pattern === undefined) for (const t of node.topics) topics.add(t);
          return;
        }
        for (const parent of node.parents) up(parent);
      };
      for (const side of sides) up(side);
      if (topics.size > 1) groups.push([...topics].sort());
    }
    return groups;
  }

  /** @internal */
  connectStore(processor: string, store: string): void {
    const node = this.nodes.get(processor);
    if (node?.kind !== 'processor') throw new TopologyError(`No processor ${processor} to connect store ${store} to`);
    if (!this.storeBuilders.has(store))
      throw new TopologyError(`No state store ${store}; add it with addStateStore first`, { store });
    if (!node.stores.includes(store)) node.stores.push(store);
    this.#subtopologies = undefined;
  }

  /**
   * @internal Groups nodes into sub-topologies: nodes joined by an edge or by a shared store are in
   * one; numbered in the order of their first source, as Kafka numbers them.
   */
  subtopologies(): Subtopology[] {
    if (this.#subtopologies !== undefined) return this.#subtopologies;
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let root = x;
      while (parent.get(root) !== root) root = parent.get(root)!;
      parent.set(x, root);
      return root;
    };
    const union = (a: string, b: string) => parent.set(find(a), find(b));
    const local = [...this.nodes.values()].filter((n) => !this.globalNodeNames.has(n.name));
    for (const node of local) parent.set(node.name, node.name);
    const storeOwner = new Map<string, string>();
    for (const node of local) {
      if (node.kind !== 'sink') for (const child of node.children) union(node.name, child);
      if (node.kind === 'processor') {
        for (const store of node.stores) {
          if (this.globalStores.some((g) => g.store === store)) continue;
          const owner = storeOwner.get(store);
          if (owner === undefined) storeOwner.set(store, node.name);
          else union(owner, node.name);
        }
      }
    }
    const groups = new Map<string, Subtopology>();
    // Numbered as Kafka numbers node groups: by sorted source name, global stores' sources included.
    const globalSources = new Map(this.globalStores.map((g) => [g.source.name, g]));
    const sources = [...this.nodes.values()]
      .filter((n): n is SourceNode => n.kind === 'source')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let nextId = 0;
    for (const source of sources) {
      const global = globalSources.get(source.name);
      if (global !== undefined) {
        global.id = nextId++;
        continue;
      }
      const root = find(source.name);
      if (!groups.has(root)) groups.set(root, { id: nextId++, nodes: [], sourceTopics: [], stores: [] });
    }
    for (const node of local) {
      const group = groups.get(find(node.name));
      if (group === undefined) continue;
      group.nodes.push(node);
      if (node.kind === 'source') group.sourceTopics.push(...node.topics);
      if (node.kind === 'processor')
        for (const s of node.stores)
          if (!group.stores.includes(s) && !this.globalStores.some((g) => g.store === s)) group.stores.push(s);
    }
    this.#subtopologies = [...groups.values()];
    return this.#subtopologies;
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
    const subs = topology.subtopologies();
    const all: SubtopologyDescription[] = subs.map((s) => ({ id: s.id, global: false, nodes: describeNodes(s.nodes) }));
    for (const g of topology.globalStores)
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
