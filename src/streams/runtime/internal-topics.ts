/**
 * Kafka Streams' InternalTopicManager: checks the source topics, works out how many partitions
 * each repartition topic needs (`internalTopicPartitions`), creates repartition topics and store
 * changelogs `<applicationId>-<store>-changelog` (compacted), and answers the names and partition
 * counts the tasks ask for.
 */
import { TributaryError } from '../../errors.ts';
import { OFFSETS_TOPIC } from '../internal/offsets.ts';
import { changelogTopicName, internalTopicPartitions } from '../internal/topics.ts';
import type { TopologyGraph } from '../internal/topology-graph.ts';
import type { Subtopology } from '../topology.ts';
import type { StreamsBackend } from './backend.ts';
import { type RecordChecks, recordChecksOf } from './record-checks.ts';

/** Kafka's default `max.message.bytes` (the broker's `message.max.bytes`). */
const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

export class InternalTopics {
  readonly #topology: TopologyGraph;
  readonly #app: string;
  readonly #backend: StreamsBackend;
  subtopologies: Subtopology[] = [];
  readonly #patternTopics = new Map<string, string[]>();
  /** What each sink's topic refuses of a record (see record-checks.ts), learned as the app starts. */
  readonly #checks = new Map<string, RecordChecks>();

  constructor(topology: TopologyGraph, applicationId: string, backend: StreamsBackend) {
    this.#topology = topology;
    this.#app = applicationId;
    this.#backend = backend;
  }

  /** A topology's topic name as it is in the cluster: internal ones get the app's prefix. */
  physical(logical: string): string {
    return this.#topology.internalTopics.has(logical) ? `${this.#app}-${logical}` : logical;
  }

  isRepartition(topic: string): boolean {
    return topic.startsWith(`${this.#app}-`) && topic.endsWith('-repartition');
  }

  /**
   * The tasks of a sub-topology: as many as its widest input. `creating`: the partitions of internal
   * topics (logical names) that may not be created yet.
   */
  taskCount(sub: Subtopology, creating?: ReadonlyMap<string, number>): number {
    let n = 0;
    for (const t of sub.sourceTopics)
      n = Math.max(n, creating?.get(t) ?? this.#backend.partitionCount(this.physical(t)));
    for (const node of sub.nodes) {
      if (node.kind === 'source' && node.pattern !== undefined)
        for (const t of this.#patternTopics.get(node.name) ?? []) n = Math.max(n, this.#backend.partitionCount(t));
    }
    return Math.max(n, 1);
  }

  /** Every task id, `<subtopology>_<partition>`. */
  taskIds(): string[] {
    return this.subtopologies.flatMap((s) => Array.from({ length: this.taskCount(s) }, (_, p) => `${s.id}_${p}`));
  }

  /** The topics a pattern source reads. */
  topicsMatching(pattern: RegExp): string[] {
    return [...this.#patternTopics.entries()]
      .filter(([n]) => (this.#topology.nodes.get(n) as { pattern?: RegExp }).pattern === pattern)
      .flatMap(([, t]) => t);
  }

  /** Every input topic of the app (sources, pattern matches, repartition topics). */
  inputTopics(): string[] {
    const out = new Set<string>();
    for (const sub of this.subtopologies) for (const t of sub.sourceTopics) out.add(this.physical(t));
    for (const topics of this.#patternTopics.values()) for (const t of topics) out.add(t);
    return [...out];
  }

  /** The largest batch a topic takes (its max.message.bytes): internal topics are created roomy. */
  batchLimit(topic: string): number {
    const known = this.#checks.get(topic)?.maxMessageBytes;
    if (known !== undefined) return known;
    if (topic.startsWith(`${this.#app}-`) || topic === OFFSETS_TOPIC) return this.#backend.internalBatchLimit;
    return DEFAULT_MAX_MESSAGE_BYTES;
  }

  /**
   * What a sink's topic refuses of a record; undefined for topics whose configs are not known (the
   * app's internal topics, created roomy; a topic a sink picks per record).
   */
  recordChecks(topic: string): RecordChecks | undefined {
    return this.#checks.get(topic);
  }

  async #ensure(topic: string, numPartitions: number, configs: Record<string, string | number>): Promise<void> {
    try {
      await this.#backend.createTopic({ topic, numPartitions, configs });
    } catch (err) {
      if ((err as { code?: string }).code !== 'TOPIC_ALREADY_EXISTS') throw err;
      await this.#backend.listTopics();
      const existing = this.#backend.partitionCount(topic);
      if (existing !== numPartitions) {
        throw new TributaryError(
          'INVALID_PARTITIONS',
          `internal topic ${topic} has ${existing} partitions; this topology needs ${numPartitions}`,
          { topic },
        );
      }
    }
  }

  /** Checks the sources and creates the internal topics (before the app joins its group). */
  async prepare(): Promise<void> {
    const app = this.#app;
    const topology = this.#topology;
    const backend = this.#backend;
    const existing = new Set(await backend.listTopics());
    for (const node of topology.nodes.values()) {
      if (node.kind === 'source' && node.pattern !== undefined) {
        this.#patternTopics.set(
          node.name,
          [...existing].filter((t) => node.pattern!.test(t) && !t.startsWith(`${app}-`)).sort(),
        );
      }
      if (node.kind === 'source' && node.pattern === undefined) {
        for (const t of node.topics) {
          if (!topology.internalTopics.has(t) && !existing.has(t)) {
            throw new TributaryError(
              'MISSING_SOURCE_TOPIC',
              `source topic ${t} does not exist; create it before starting the app`,
              { topic: t },
            );
          }
        }
      }
    }
    this.subtopologies = topology.subtopologies();
    const byPatternSource = (name: string) => {
      let n = 0;
      for (const [node, topics] of this.#patternTopics)
        if (topology.nodes.get(node)?.kind === 'source')
          for (const t of topics)
            if (name === (topology.nodes.get(node) as { pattern?: RegExp }).pattern?.source)
              n = Math.max(n, backend.partitionCount(t));
      return n;
    };
    const internalPartitions = internalTopicPartitions(topology, (t) =>
      existing.has(t) ? backend.partitionCount(t) : byPatternSource(t),
    );
    // Asked for together (over the wire, in one CreateTopics: Kafka's controller takes 30-40 ms for
    // each request), as Kafka Streams' InternalTopicManager creates them.
    const creating: Promise<void>[] = [];
    for (const [name, n] of internalPartitions) {
      creating.push(
        this.#ensure(`${app}-${name}`, n, {
          'cleanup.policy': 'delete',
          'retention.ms': -1,
          ...backend.internalTopicConfigs,
          ...backend.repartitionTopicConfigs,
        }),
      );
    }
    for (const sub of this.subtopologies) {
      const n = this.taskCount(sub, internalPartitions);
      for (const store of sub.stores) {
        const storeBuilder = topology.storeBuilders.get(store)! as {
          loggingEnabled: boolean;
          changelogConfig: Record<string, string | number>;
        };
        if (!storeBuilder.loggingEnabled) continue;
        creating.push(
          this.#ensure(changelogTopicName(app, store), n, {
            'cleanup.policy': 'compact',
            ...storeBuilder.changelogConfig,
            ...backend.internalTopicConfigs,
          }),
        );
      }
      for (const node of sub.nodes) {
        if (node.kind === 'sink' && typeof node.topic === 'string' && !topology.internalTopics.has(node.topic)) {
          const checks = recordChecksOf(node.topic, await backend.topicConfig(node.topic));
          if (checks !== undefined) this.#checks.set(node.topic, checks);
        }
      }
    }
    await settleAll(creating);
  }
}

/** Waits for every promise, then throws the first failure (none is left unhandled). */
async function settleAll(promises: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
}
