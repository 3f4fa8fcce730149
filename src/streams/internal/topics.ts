import type { Topology } from '../topology.ts';

/**
 * Partition counts of a topology's repartition topics, as Kafka computes them: a fixed
 * `numberOfPartitions`, or the most partitions among the source topics of the sub-topologies that
 * write to it (repartition topics feeding repartition topics are resolved in turn).
 */
export function internalTopicPartitions(topology: Topology, externalCount: (logicalTopic: string) => number): Map<string, number> {
  const result = new Map<string, number>();
  for (const t of topology.internalTopics.values()) if (t.numPartitions !== undefined) result.set(t.name, t.numPartitions);
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
        for (const n of sub.nodes) if (n.kind === 'source' && n.pattern !== undefined) max = Math.max(max, externalCount(n.pattern.source));
      }
      if (!unresolved && max > 0) result.set(t.name, max);
    }
  }
  for (const t of topology.internalTopics.values()) if (!result.has(t.name)) result.set(t.name, 1);
  return result;
}
