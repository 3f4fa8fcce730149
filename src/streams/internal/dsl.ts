/**
 * Not part of the API (not exported by src/index.ts): what the DSL's classes share while they build a
 * topology — its graph, the node and store names, and the steps every operator takes (add a
 * processor with its stores, mark a join's sides co-partitioned). A `StreamsBuilder` keeps one behind
 * its private field and hands it to the KStreams and KTables it makes, which hand it on to theirs;
 * the operators reach it through them. The public classes only show Kafka's methods.
 */
import { Topology, topologyGraph } from '../topology.ts';
import type { ProcessorNode } from '../topology.ts';
import type { SessionStoreBuilder } from '../state/session-store.ts';
import type { KeyValueStoreBuilder } from '../state/stores.ts';
import type { VersionedKeyValueStoreBuilder } from '../state/versioned-store.ts';
import type { WindowStoreBuilder } from '../state/window-store.ts';
import { NameGenerator } from './names.ts';
import { OptimizationCandidates } from './optimize.ts';
import type { TopologyGraph } from './topology-graph.ts';

export class DslBuilder {
  /** What `builder.build()` returns. */
  readonly built = new Topology();
  /** The built topology's graph, which every DSL call adds to. */
  readonly topology: TopologyGraph = topologyGraph(this.built);
  readonly names = new NameGenerator();
  /** What `topology.optimization` may rewrite, noted as the DSL builds. */
  readonly optimizable = new OptimizationCandidates();

  /** Adds a processor under `parents` and connects it to `stores` (added before). */
  addProcessor(name: string, supplier: unknown, parents: string[], stores: string[] = []): void {
    this.topology.addNode({
      kind: 'processor',
      name,
      supplier: supplier as ProcessorNode['supplier'],
      parents,
      children: [],
      stores: [],
    });
    for (const store of stores) this.topology.connectStore(name, store);
  }

  /** Adds a store (of any kind) that processors connect to by name. */
  addStateStore<K, V>(
    builder:
      | KeyValueStoreBuilder<K, V>
      | WindowStoreBuilder<K, V>
      | SessionStoreBuilder<K, V>
      | VersionedKeyValueStoreBuilder<K, V>,
  ): void {
    this.topology.addStore(builder as unknown as KeyValueStoreBuilder<unknown, unknown>);
  }

  /** The inputs of `nodes` must be co-partitioned: they meet in a join. */
  copartition(...nodes: string[]): void {
    this.topology.copartitioned.push(nodes);
  }
}
