/**
 * Not part of the API (not exported by src/index.ts): the graph a `Topology` keeps behind its
 * private field — nodes, stores, internal topics, global stores, co-partitioned joins — and what the
 * DSL, the runtime and the test driver do with it. `topologyGraph(topology)` (src/streams/topology.ts)
 * hands it out; the public `Topology` only shows Kafka's methods.
 */
import { TopologyError } from '../../errors.ts';
import type { KeyValueStoreBuilder } from '../state/stores.ts';
import type {
  GlobalStoreDef,
  InternalTopic,
  ProcessorNode,
  SourceNode,
  Subtopology,
  TopologyNode,
} from '../topology.ts';

export class TopologyGraph {
  readonly nodes = new Map<string, TopologyNode>();
  readonly storeBuilders = new Map<string, KeyValueStoreBuilder<unknown, unknown>>();
  readonly internalTopics = new Map<string, InternalTopic>();
  readonly globalStores: GlobalStoreDef[] = [];
  /** Global store names: their nodes are not part of any sub-topology. */
  readonly globalNodeNames = new Set<string>();
  /** Nodes whose inputs must be co-partitioned: the two sides of each join. */
  readonly copartitioned: string[][] = [];
  /**
   * Stores whose changelog is their table's source topic (Kafka's `connectSourceStoreAndTopic`,
   * `topology.optimization` reuse.ktable.source.topics): store name → source topic. Such a store
   * writes no changelog and is restored from its source topic up to the app's committed offset.
   */
  readonly sourceChangelogs = new Map<string, string>();
  #subtopologies: Subtopology[] | undefined;

  /**
   * Adds a global store's source and processor (already linked to each other and to the store,
   * which must have been added): they are part of no sub-topology.
   */
  addGlobalStore(source: SourceNode, processor: ProcessorNode, store: string, topic: string): void {
    this.nodes.set(source.name, source);
    this.nodes.set(processor.name, processor);
    this.globalNodeNames.add(source.name).add(processor.name);
    this.globalStores.push({ source, processor, store, topic });
    this.#subtopologies = undefined;
  }

  /** Adds a node under its parents (children are linked both ways). */
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

  /**
   * After a rewrite of the graph (src/streams/internal/optimize.ts): puts every node after its
   * parents again, keeping the order otherwise (tasks make nodes children first, from this order),
   * and forgets the sub-topologies worked out before.
   */
  rewritten(): void {
    const ordered = new Map<string, TopologyNode>();
    const place = (node: TopologyNode) => {
      if (ordered.has(node.name)) return;
      if (node.kind !== 'source') for (const parent of node.parents) place(this.nodes.get(parent)!);
      ordered.set(node.name, node);
    };
    for (const node of this.nodes.values()) place(node);
    this.nodes.clear();
    for (const [name, node] of ordered) this.nodes.set(name, node);
    this.#subtopologies = undefined;
  }

  /** Adds an edge between two nodes already in the graph. */
  connect(parent: string, child: string): void {
    const p = this.nodes.get(parent);
    const c = this.nodes.get(child);
    if (p === undefined || c === undefined || p.kind === 'sink' || c.kind === 'source')
      throw new TopologyError(`Cannot connect ${parent} to ${child}`);
    p.children.push(child);
    c.parents.push(parent);
    this.#subtopologies = undefined;
  }

  /** Adds a store builder; its name must be new. */
  addStore(builder: KeyValueStoreBuilder<unknown, unknown>): void {
    if (this.storeBuilders.has(builder.name))
      throw new TopologyError(`A state store named ${builder.name} is already added`, { store: builder.name });
    this.storeBuilders.set(builder.name, builder);
  }

  /**
   * The logical source topics of each co-partition group (Kafka's `copartitionSources`):
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

  /** Gives a processor access to a store added before. */
  connectStore(processor: string, store: string): void {
    const node = this.nodes.get(processor);
    if (node?.kind !== 'processor') throw new TopologyError(`No processor ${processor} to connect store ${store} to`);
    if (!this.storeBuilders.has(store))
      throw new TopologyError(`No state store ${store}; add it with addStateStore first`, { store });
    if (!node.stores.includes(store)) node.stores.push(store);
    this.#subtopologies = undefined;
  }

  /**
   * Groups nodes into sub-topologies: nodes joined by an edge or by a shared store are in
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
    // Numbered as Kafka 4 numbers node groups (InternalTopologyBuilder.makeNodeGroups): in the order
    // the nodes were added, global stores' included.
    const globalSources = new Map(this.globalStores.map((g) => [g.source.name, g]));
    let nextId = 0;
    for (const node of this.nodes.values()) {
      const global = globalSources.get(node.name);
      if (global !== undefined) {
        global.id = nextId++;
        continue;
      }
      if (this.globalNodeNames.has(node.name)) continue;
      const root = find(node.name);
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
}
