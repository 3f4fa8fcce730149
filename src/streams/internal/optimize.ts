/**
 * Not part of the API (not exported by src/index.ts): Kafka Streams' `topology.optimization`, the
 * rewrites `builder.build({ topologyOptimization })` makes to the topology the DSL built, as
 * Kafka's `InternalStreamsBuilder.optimizeTopology` makes them before writing its graph:
 *
 * - `reuse.ktable.source.topics`: a table read with `builder.table(topic)` keeps its store without
 *   a changelog topic; the store is restored from the source topic itself, up to the app's committed
 *   offset (what comes after is processed again).
 * - `merge.repartition.topics`: the repartitions that group or join a stream after the same key
 *   change become one repartition topic, named after the first, right after the key change.
 * - `single.store.self.join`: an inner join of a stream with itself keeps one window store.
 *
 * The DSL records what these rules need while it builds (see {@link OptimizationCandidates}); the
 * rules run once, on the first build that asks for them.
 */
import { TributaryError } from '../../errors.ts';
import type { ProcessorNode, SinkNode, SourceNode, TopologyNode } from '../topology.ts';
import type { DslBuilder } from './dsl.ts';
import { repartitionNames, repartitionThrough } from './repartition.ts';
import type { TopologyGraph } from './topology-graph.ts';

export const REUSE_KTABLE_SOURCE_TOPICS = 'reuse.ktable.source.topics';
export const MERGE_REPARTITION_TOPICS = 'merge.repartition.topics';
export const SINGLE_STORE_SELF_JOIN = 'single.store.self.join';
const ALL = 'all';
const NONE = 'none';
const RULES = [REUSE_KTABLE_SOURCE_TOPICS, MERGE_REPARTITION_TOPICS, SINGLE_STORE_SELF_JOIN];

/**
 * Kafka's `topology.optimization`: `'none'` (the default), `'all'`, or a comma-separated list of
 * rules (`'reuse.ktable.source.topics,merge.repartition.topics'`), also as an array.
 */
export type TopologyOptimization = string | readonly string[];

/** The rules `config` turns on, as Kafka's `StreamsConfig.verifyTopologyOptimizationConfigs` reads it. */
export function optimizationRules(config: TopologyOptimization | undefined): Set<string> {
  if (config === undefined) return new Set();
  const list = typeof config === 'string' ? config.split(/\s*,\s*/) : [...config];
  const shown = typeof config === 'string' ? config : list.join(',');
  const refuse = (why: string) =>
    new TributaryError(
      'INVALID_CONFIG',
      `topologyOptimization "${shown}": ${why}; give 'none', 'all', or a list of ${RULES.join(', ')}`,
      { config: shown },
    );
  if ((list.includes(NONE) || list.includes(ALL)) && list.length > 1)
    throw refuse(`'${list.includes(NONE) ? NONE : ALL}' cannot be combined with other rules`);
  for (const rule of list)
    if (rule !== NONE && rule !== ALL && !RULES.includes(rule)) throw refuse(`unknown rule "${rule}"`);
  if (list.includes(ALL)) return new Set(RULES);
  return new Set(list.filter((rule) => rule !== NONE));
}

/** A repartition Kafka may merge: one a grouping or a join made after a key change. */
export interface RepartitionCandidate {
  /** The node the repartition's filter hangs from. */
  parent: string;
  filter: string;
  sink: string;
  source: string;
  /** The topic without the application id: `<name>-repartition`. */
  topic: string;
}

/** An inner stream-stream join: one store suffices when both sides are the same stream. */
export interface SelfJoinCandidate {
  thisWindow: string;
  otherWindow: string;
  joinThis: string;
  joinOther: string;
  /** The join's merge node: the self-join's node, under the same name (Kafka's). */
  merge: string;
  thisStore: string;
  otherStore: string;
  /** The self-join's processor over `thisStore`. */
  selfJoin: ProcessorNode['supplier'];
}

/** What the DSL notes while building, for the rules. */
export class OptimizationCandidates {
  /** Sources of `builder.stream()`, in order: those reading the same topics become one at build. */
  readonly streamSources: string[] = [];
  /** Tables read from a topic into a store: `builder.table()`. */
  readonly tableSources: { store: string; topic: string }[] = [];
  /** Nodes that change keys (selectKey, map, flatMap, groupBy's key selection). */
  readonly keyChanging = new Set<string>();
  /** Nodes that change values (mapValues, flatMapValues): a repartition below one is not merged. */
  readonly valueChanging = new Set<string>();
  /** Nodes that merge streams (`merge()`): repartitions after one merge there, not per key change above. */
  readonly mergeNodes: string[] = [];
  readonly repartitions: RepartitionCandidate[] = [];
  readonly joins: SelfJoinCandidate[] = [];
  /** The rules already applied: each runs once. */
  readonly applied = new Set<string>();
}

/**
 * Applies the rules of `config` not applied yet to `graph`, after making the streams read from the
 * same topics one source (which Kafka always does, optimized or not).
 */
export function optimize(dsl: DslBuilder, config: TopologyOptimization | undefined): void {
  const graph = dsl.topology;
  const candidates = dsl.optimizable;
  const rules = optimizationRules(config);
  mergeDuplicateSources(graph, candidates);
  if (rules.has(REUSE_KTABLE_SOURCE_TOPICS) && !candidates.applied.has(REUSE_KTABLE_SOURCE_TOPICS)) {
    candidates.applied.add(REUSE_KTABLE_SOURCE_TOPICS);
    reuseTableSourceTopics(graph, candidates);
  }
  if (rules.has(MERGE_REPARTITION_TOPICS) && !candidates.applied.has(MERGE_REPARTITION_TOPICS)) {
    candidates.applied.add(MERGE_REPARTITION_TOPICS);
    mergeRepartitionTopics(dsl, candidates);
  }
  if (rules.has(SINGLE_STORE_SELF_JOIN) && !candidates.applied.has(SINGLE_STORE_SELF_JOIN)) {
    candidates.applied.add(SINGLE_STORE_SELF_JOIN);
    rewriteSelfJoins(graph, candidates);
  }
}

/**
 * Kafka's `mergeDuplicateSourceNodes`: a `builder.stream()` of topics an earlier one reads (the
 * same list, or the same pattern) hands its nodes to the earlier source, which reads for both (with
 * its own serdes, as Kafka's does); overlapping but different topic lists are refused.
 */
function mergeDuplicateSources(graph: TopologyGraph, c: OptimizationCandidates): void {
  const byTopic = new Map<string, SourceNode>();
  const byPattern = new Map<string, SourceNode>();
  let merged = false;
  for (const name of c.streamSources) {
    const node = graph.nodes.get(name);
    if (node?.kind !== 'source') continue;
    let main: SourceNode | undefined;
    if (node.pattern !== undefined) {
      const key = `${node.pattern.source}/${node.pattern.flags}`;
      main = byPattern.get(key);
      if (main === undefined) byPattern.set(key, node);
    } else {
      for (const topic of node.topics) {
        const first = byTopic.get(topic);
        if (first === undefined) {
          byTopic.set(topic, node);
          continue;
        }
        if (first.topics.length !== node.topics.length || first.topics.some((t) => !node.topics.includes(t)))
          throw new TributaryError(
            'TOPOLOGY_EXCEPTION',
            `Two source nodes are subscribed to overlapping but not equal input topics: ${first.name} ([${first.topics.join(', ')}]) and ${node.name} ([${node.topics.join(', ')}])`,
            { topic },
          );
        main = first;
      }
    }
    if (main === undefined || main === node) continue;
    for (const child of node.children) {
      main.children.push(child);
      replaceParent(graph, child, node.name, main.name);
    }
    graph.nodes.delete(node.name);
    for (const group of graph.copartitioned)
      for (let i = 0; i < group.length; i++) if (group[i] === node.name) group[i] = main.name;
    merged = true;
  }
  c.streamSources.length = 0;
  if (merged) graph.rewritten();
}

/**
 * Kafka's `rewriteSingleStoreSelfJoin`: an inner join whose two windowed nodes hang from the same
 * node (a stream joined with itself, or with a stream of the same topics) keeps one window store;
 * the other side's windowed node and both join nodes go, and the merge node becomes the self-join.
 */
function rewriteSelfJoins(graph: TopologyGraph, c: OptimizationCandidates): void {
  let rewritten = false;
  for (const j of c.joins) {
    const left = graph.nodes.get(j.thisWindow);
    const right = graph.nodes.get(j.otherWindow);
    const merge = graph.nodes.get(j.merge);
    if (left?.kind !== 'processor' || right?.kind !== 'processor' || merge?.kind !== 'processor') continue;
    if (left.parents.length !== 1 || right.parents.length !== 1 || left.parents[0] !== right.parents[0]) continue;
    unlink(graph, left.parents[0]!, j.otherWindow);
    for (const name of [j.otherWindow, j.joinThis, j.joinOther]) graph.nodes.delete(name);
    graph.storeBuilders.delete(j.otherStore);
    left.children = [j.merge];
    merge.parents = [j.thisWindow];
    merge.supplier = j.selfJoin;
    merge.stores = [j.thisStore];
    rewritten = true;
  }
  if (rewritten) graph.rewritten();
}

function reuseTableSourceTopics(graph: TopologyGraph, candidates: OptimizationCandidates): void {
  for (const { store, topic } of candidates.tableSources) {
    const builder = graph.storeBuilders.get(store) as unknown as { withLoggingDisabled(): unknown } | undefined;
    if (builder === undefined) continue;
    builder.withLoggingDisabled();
    graph.sourceChangelogs.set(store, topic);
  }
}

/**
 * Kafka's `findParentNodeMatching`: `start` if it matches, else a parent that matches, else what
 * the search from the last parent found (its quirk, kept so the same repartitions merge).
 */
function findUp(graph: TopologyGraph, start: string, matches: (name: string) => boolean): string | undefined {
  if (matches(start)) return start;
  let found: string | undefined;
  for (const parent of parentsOf(graph, start)) {
    if (matches(parent)) return parent;
    found = findUp(graph, parent, matches);
  }
  return found;
}

function parentsOf(graph: TopologyGraph, name: string): readonly string[] {
  const node = graph.nodes.get(name);
  return node === undefined || node.kind === 'source' ? [] : node.parents;
}

/** The key change a repartition follows with no value change in between, as Kafka's `getKeyChangingParentNode`. */
function keyChangerOf(graph: TopologyGraph, c: OptimizationCandidates, r: RepartitionCandidate): string | undefined {
  const changer = findUp(graph, r.parent, (n) => c.keyChanging.has(n) || c.valueChanging.has(n));
  const keyChanger = findUp(graph, r.parent, (n) => c.keyChanging.has(n));
  return changer !== undefined && changer === keyChanger ? keyChanger : undefined;
}

/**
 * The node on the way up from repartition `r` whose parents include `parent` (Kafka's
 * `findParentNodeMatching(r, n -> n.parentNodes().contains(parent))`): `r` itself (its filter) when
 * it hangs right under `parent`.
 */
function childTowards(graph: TopologyGraph, r: RepartitionCandidate, parent: string): string | undefined {
  if (r.parent === parent) return r.filter;
  return findUp(graph, r.parent, (n) => parentsOf(graph, n).includes(parent));
}

function mergeRepartitionTopics(dsl: DslBuilder, c: OptimizationCandidates): void {
  const graph = dsl.topology;
  // Key change → the repartitions after it, in the order they were made (Kafka's LinkedHashMap).
  const groups = new Map<string, RepartitionCandidate[]>();
  for (const changer of c.keyChanging) groups.set(changer, []);
  for (const r of c.repartitions) {
    const changer = keyChangerOf(graph, c, r);
    if (changer !== undefined) groups.get(changer)!.push(r);
  }
  // A merge of key-changed streams whose repartitions all come after it takes them over.
  for (const merge of c.mergeNodes) {
    const taken: string[] = [];
    const repartitions: RepartitionCandidate[] = [];
    for (const [changer, list] of groups) {
      const below = list.every(
        (r) => r.parent === merge || findUp(graph, r.parent, (n) => parentsOf(graph, n).includes(merge)) !== undefined,
      );
      if (below && findUp(graph, merge, (n) => parentsOf(graph, n).includes(changer)) !== undefined) {
        taken.push(changer);
        repartitions.push(...list);
      }
    }
    groups.set(merge, repartitions);
    for (const changer of taken) groups.delete(changer);
  }
  for (const [changer, list] of groups) if (list.length > 0) mergeAfter(dsl, changer, list);
}

/** Replaces the repartitions `list` after `changer` with one, named after the first, right under `changer`. */
function mergeAfter(dsl: DslBuilder, changer: string, list: RepartitionCandidate[]): void {
  const graph = dsl.topology;
  const sinks = list.map((r) => graph.nodes.get(r.sink) as SinkNode);
  const keySerde = sinks.find((s) => s.keySerde !== undefined)?.keySerde;
  const valueSerde = sinks.find((s) => s.valueSerde !== undefined)?.valueSerde;
  // Kafka's createRepartitionedSource: `<topic>-filter/-sink/-source`, three generated names used up.
  const merged = repartitionNames(dsl, list[0]!.topic);
  const moved: string[] = [];
  for (const r of list) {
    const downstream = [...(graph.nodes.get(r.source) as SourceNode).children];
    const child = childTowards(graph, r, changer);
    if (child === undefined)
      throw new TributaryError('TOPOLOGY_EXCEPTION', `No node between ${changer} and the repartition ${r.topic}`);
    unlink(graph, r.parent, r.filter);
    for (const name of [r.filter, r.sink, r.source]) graph.nodes.delete(name);
    graph.internalTopics.delete(r.topic);
    if (child === r.filter) {
      // The repartition hung right under the key change: what read it reads the merged one.
      for (const d of downstream) replaceParent(graph, d, r.source, merged.source);
      moved.push(...downstream);
    } else {
      // What lay between the key change and the repartition moves after the merged one.
      unlink(graph, changer, child);
      replaceParent(graph, child, changer, merged.source);
      moved.push(child);
      for (const d of downstream) {
        replaceParent(graph, d, r.source, r.parent);
        (graph.nodes.get(r.parent) as ProcessorNode).children.push(d);
      }
    }
    for (const group of graph.copartitioned)
      for (let i = 0; i < group.length; i++) if (group[i] === r.source) group[i] = merged.source;
  }
  repartitionThrough(dsl, changer, merged.topic, { ...merged, keySerde, valueSerde });
  // Written right after the key change, as Kafka gives the merged node the key change's build priority.
  const children = (graph.nodes.get(changer) as ProcessorNode).children;
  children.unshift(...children.splice(children.indexOf(merged.filter), 1));
  (graph.nodes.get(merged.source) as SourceNode).children.push(...new Set(moved));
  graph.rewritten();
}

function unlink(graph: TopologyGraph, parent: string, child: string): void {
  const node = graph.nodes.get(parent) as Exclude<TopologyNode, SinkNode> | undefined;
  if (node === undefined) return;
  const i = node.children.indexOf(child);
  if (i >= 0) node.children.splice(i, 1);
}

function replaceParent(graph: TopologyGraph, name: string, from: string, to: string): void {
  const node = graph.nodes.get(name);
  if (node === undefined || node.kind === 'source') return;
  const i = node.parents.indexOf(from);
  if (i >= 0) node.parents[i] = to;
}
