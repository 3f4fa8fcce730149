import { TopologyError } from '../../errors.ts';
import type { TopologyGraph } from './topology-graph.ts';

/**
 * A store's changelog topic, as Kafka Streams names it: `<applicationId>-<store>-changelog`.
 *
 * @example
 * changelogTopicName('wordcount', 'counts-store'); // 'wordcount-counts-store-changelog'
 */
export function changelogTopicName(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}

/**
 * Partition counts of a topology's repartition topics, as Kafka computes them: a fixed
 * `numberOfPartitions`, or the most partitions among the source topics of the sub-topologies that
 * write to it (repartition topics feeding repartition topics are resolved in turn).
 *
 * The two sides of a join must be co-partitioned, as Kafka Streams requires: a repartition topic
 * in a join takes the partition count of the other side's topics, and topics of a join whose
 * counts differ (or a fixed `numberOfPartitions` that differs from them) are a `TOPOLOGY_EXCEPTION`
 * at start, instead of a join that silently misses the rows of keys that land in other partitions.
 */
export function internalTopicPartitions(
  topology: TopologyGraph,
  externalCount: (logicalTopic: string) => number,
): Map<string, number> {
  const result = new Map<string, number>();
  for (const t of topology.internalTopics.values())
    if (t.numPartitions !== undefined) result.set(t.name, t.numPartitions);
  const groups = topology.copartitionGroups();
  for (const group of groups) {
    const external = group.filter((t) => !topology.internalTopics.has(t));
    if (external.length === 0) continue;
    const counts = new Map(external.map((t) => [t, externalCount(t)]));
    const n = counts.get(external[0]!)!;
    for (const t of group) {
      const fixed = topology.internalTopics.has(t) ? result.get(t) : counts.get(t);
      if (fixed !== undefined && fixed !== n)
        throw notCopartitioned(group, (x) => (topology.internalTopics.has(x) ? result.get(x) : counts.get(x)));
      if (topology.internalTopics.has(t)) result.set(t, n);
    }
  }
  const subs = topology.subtopologies();
  for (let round = 0; round <= topology.internalTopics.size; round++) {
    for (const t of topology.internalTopics.values()) {
      if (result.has(t.name)) continue;
      let max = 0;
      let unresolved = false;
      for (const sub of subs) {
        if (!sub.nodes.some((n) => n.kind === 'sink' && n.topic === t.name)) continue;
        for (const topic of sub.sourceTopics) {
          const n = topology.internalTopics.has(topic) ? result.get(topic) : externalCount(topic);
          if (n === undefined) unresolved = true;
          else max = Math.max(max, n);
        }
        for (const n of sub.nodes)
          if (n.kind === 'source' && n.pattern !== undefined) max = Math.max(max, externalCount(n.pattern.source));
      }
      if (!unresolved && max > 0) result.set(t.name, max);
    }
  }
  for (const t of topology.internalTopics.values()) if (!result.has(t.name)) result.set(t.name, 1);
  // Joins of repartitioned sides only: the sides take the larger count unless one is fixed.
  for (const group of groups) {
    if (group.some((t) => !topology.internalTopics.has(t))) continue;
    const fixed = group.filter((t) => topology.internalTopics.get(t)!.numPartitions !== undefined);
    const counts = fixed.map((t) => result.get(t)!);
    if (new Set(counts).size > 1) throw notCopartitioned(group, (t) => result.get(t));
    const n = counts[0] ?? Math.max(...group.map((t) => result.get(t)!));
    for (const t of group) result.set(t, n);
  }
  return result;
}

function notCopartitioned(group: string[], count: (topic: string) => number | undefined): TopologyError {
  const described = group.map((t) => `${t} (${count(t) ?? 'derived'})`).join(', ');
  return new TopologyError(
    `Topics not co-partitioned: ${described}. The two sides of a join need the same number of partitions`,
    {
      topics: group,
    },
  );
}
