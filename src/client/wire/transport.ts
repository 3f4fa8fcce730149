/**
 * The wire transport of the producer and the admin: what they ask of the embedded log (write
 * batches, describe, create and delete topics, offsets, producer ids), answered with Kafka requests
 * through a {@link WireCluster}. Each partition's records become one RecordBatch v2, built once with
 * `src/protocol/record-batch.ts` and sent to the partition's leader; the same bytes go again on a
 * retry, so an idempotent producer's sequence numbers stay as they were stamped.
 *
 * A write that reaches several leaders is several Produce requests. Partitions that succeeded are
 * kept; only the failed ones are retried, after a metadata refresh, so a moved leader is followed
 * without writing the others twice.
 *
 * @example
 * const transport = new WireTransport(cluster, () => Date.now());
 * const [result] = await transport.write([{ topic: 'orders', partition: 0, records }], { sync: true });
 */
import { TributaryError } from '../../errors.ts';
import type {
  AppendResult,
  CreateTopicSpec,
  InitProducerOptions,
  PartitionAppend,
  ProducerIdentity,
  WriteOptions,
} from '../../log/index.ts';
import { API } from '../../protocol/messages/index.ts';
import { encodeRecordBatch } from '../../protocol/record-batch.ts';
import type { Broker } from './broker.ts';
import type { WireCluster } from './cluster.ts';
import { kafkaError } from './kafka-errors.ts';
import type { WireTransactions } from './transactions.ts';

/** Kafka's default `max.message.bytes` of a topic (the broker's `message.max.bytes`). */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** A topic to create (CreateTopics): replicas by count or, with `assignments`, broker by broker. */
export interface WireTopicSpec {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configs?: Record<string, string | number | boolean>;
  assignments?: { partition: number; replicas: number[] }[];
}

/** The part of a topic's description that the producer uses. */
export interface WireTopicDescription {
  name: string;
  partitions: { partition: number }[];
  configs: { 'max.message.bytes': number };
}

/** Per partition: its offsets as the broker reported them. */
export interface WirePartitionOffsets {
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  lastStableOffset: number;
}

interface Encoded {
  index: number;
  append: PartitionAppend;
  bytes: Buffer;
  count: number;
}

export interface CreateTopicsOptions {
  validateOnly?: boolean;
  timeout?: number;
  /** kafkajs's `replicationFactor` per topic comes in the specs; this is the default. */
  replicationFactor?: number;
}

export class WireTransport {
  readonly cluster: WireCluster;
  readonly #now: () => number;
  /** Set for a transactional producer: its batches' partitions are added to the transaction first. */
  transactions: WireTransactions | undefined;
  /** Log start offsets the last Produce responses reported, for the producer's RecordMetadata. */
  readonly #logStart = new Map<string, number>();

  constructor(cluster: WireCluster, now: () => number) {
    this.cluster = cluster;
    this.#now = now;
  }

  /**
   * Appends each partition's records as one batch on its leader. `sync: true` is `acks: -1` (all
   * in-sync replicas), otherwise `acks: 1` (the leader). Resolves in the order of `appends`.
   */
  async write(appends: PartitionAppend[], options: WriteOptions = {}): Promise<AppendResult[]> {
    const acks = options.sync === false ? 1 : -1;
    const now = this.#now();
    let pending: Encoded[] = appends.map((append, index) => ({
      index,
      append,
      count: append.records.length,
      bytes: Buffer.from(
        encodeRecordBatch({
          baseOffset: 0,
          records: append.records as never,
          defaultTimestamp: now,
          compression: append.compression ?? 'none',
          producerId: append.producer?.producerId ?? -1,
          producerEpoch: append.producer?.producerEpoch ?? -1,
          baseSequence: append.producer?.baseSequence ?? -1,
          isTransactional: append.producer?.isTransactional === true,
        }),
      ),
    }));
    const results: AppendResult[] = new Array(appends.length);
    const transactional = appends.some((a) => a.producer?.isTransactional === true);
    if (transactional) {
      if (this.transactions === undefined)
        throw new TributaryError(
          'INVALID_TXN_STATE',
          'A transactional batch from a producer without a transactionalId',
        );
      await this.transactions.addPartitions(appends.map((a) => ({ topic: a.topic, partition: a.partition })));
    }
    const transactionalId = transactional ? (this.transactions?.transactionalId ?? null) : null;
    await this.cluster.withRetry(async () => {
      const byLeader = new Map<Broker, Encoded[]>();
      for (const e of pending) {
        const leader = await this.cluster.leaderFor(e.append.topic, e.append.partition);
        let list = byLeader.get(leader);
        if (list === undefined) byLeader.set(leader, (list = []));
        list.push(e);
      }
      const failed: Encoded[] = [];
      let firstError: TributaryError | undefined;
      await Promise.all(
        [...byLeader].map(async ([leader, list]) => {
          try {
            await this.#produce(leader, list, acks, results, transactionalId);
          } catch (err) {
            if (!(err instanceof TributaryError) || !err.retriable) throw err;
            firstError ??= err;
            failed.push(...list);
            return;
          }
          for (const e of list) if (results[e.index] === undefined) failed.push(e);
        }),
      );
      pending = failed;
      if (failed.length > 0) {
        throw (
          firstError ??
          this.#lastPartitionError ??
          new TributaryError('REQUEST_TIMED_OUT', 'Produce did not complete', { retriable: true })
        );
      }
    });
    return results;
  }

  #lastPartitionError: TributaryError | undefined;

  async #produce(
    leader: Broker,
    list: Encoded[],
    acks: number,
    results: AppendResult[],
    transactionalId: string | null,
  ): Promise<void> {
    const topics = new Map<string, { index: number; records: Buffer }[]>();
    for (const e of list) {
      let parts = topics.get(e.append.topic);
      if (parts === undefined) topics.set(e.append.topic, (parts = []));
      parts.push({ index: e.append.partition, records: e.bytes });
    }
    const res = await leader.request(API.Produce, {
      transactionalId,
      acks,
      timeoutMs: 30_000,
      topicData: [...topics].map(([name, partitionData]) => ({ name, partitionData })),
    } as never);
    const byKey = new Map<
      string,
      {
        errorCode: number;
        baseOffset: number;
        logAppendTimeMs: number;
        logStartOffset: number;
        errorMessage: string | null;
      }
    >();
    for (const t of (
      res as {
        responses: {
          name: string;
          partitionResponses: {
            index: number;
            errorCode: number;
            baseOffset: number;
            logAppendTimeMs: number;
            logStartOffset: number;
            errorMessage: string | null;
          }[];
        }[];
      }
    ).responses) {
      for (const p of t.partitionResponses) byKey.set(`${t.name}\u0000${p.index}`, p);
    }
    for (const e of list) {
      const p = byKey.get(`${e.append.topic}\u0000${e.append.partition}`);
      if (p === undefined) continue;
      // A duplicate of a batch the broker already has is a success at its original offset.
      if (p.errorCode !== 0 && p.errorCode !== 46) {
        const err = kafkaError(p.errorCode, { topic: e.append.topic, partition: e.append.partition }, p.errorMessage);
        if (!err.retriable) throw err;
        this.#lastPartitionError = err;
        continue;
      }
      if (p.logStartOffset >= 0) this.#logStart.set(`${e.append.topic}\u0000${e.append.partition}`, p.logStartOffset);
      results[e.index] = {
        topic: e.append.topic,
        partition: e.append.partition,
        baseOffset: p.baseOffset,
        lastOffset: p.baseOffset + e.count - 1,
        logAppendTime: p.logAppendTimeMs,
      };
    }
  }

  /** Partitions of a topic and its `max.message.bytes` (Kafka's default). UNKNOWN_TOPIC_OR_PARTITION if none. */
  async describeTopic(topic: string): Promise<WireTopicDescription> {
    const info = await this.cluster.topic(topic);
    return {
      name: topic,
      partitions: info.partitions.map((p) => ({ partition: p.partition })),
      configs: { 'max.message.bytes': KAFKA_DEFAULT_MAX_MESSAGE_BYTES },
    };
  }

  /** The partition count from cached metadata; throws UNKNOWN_TOPIC_OR_PARTITION when stale or unknown. */
  partitionCount(topic: string): number {
    const info = this.cluster.cachedTopic(topic);
    if (info === undefined)
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic "${topic}" is not in the client's metadata`, {
        topic,
      });
    return info.partitions.length;
  }

  /** The log start offset as the last Produce response to this partition reported it (0 before any). */
  offsets(topic: string, partition: number): WirePartitionOffsets {
    const logStartOffset = this.#logStart.get(`${topic}\u0000${partition}`) ?? 0;
    return { partition, logStartOffset, highWatermark: -1, lastStableOffset: -1 };
  }

  /** Creates one topic (the producer's auto-creation); TOPIC_ALREADY_EXISTS if it exists. */
  async createTopic(spec: CreateTopicSpec): Promise<WireTopicDescription> {
    const created = await this.createTopics(
      [
        {
          topic: spec.topic,
          numPartitions: spec.numPartitions ?? -1,
          configs: spec.configs as Record<string, string> | undefined,
        },
      ],
      {},
    );
    if (!created)
      throw new TributaryError('TOPIC_ALREADY_EXISTS', `Topic "${spec.topic}" exists already`, { topic: spec.topic });
    return this.describeTopic(spec.topic);
  }

  /**
   * CreateTopics on any broker (KRaft brokers forward it to the controller); then waits until the
   * metadata shows a leader for every partition, as kafkajs's `waitForLeaders` does. Resolves false
   * when a topic existed already; any other error of a topic is thrown.
   */
  async createTopics(
    specs: WireTopicSpec[],
    options: CreateTopicsOptions & { waitForLeaders?: boolean },
  ): Promise<boolean> {
    let allCreated = true;
    for (const error of (await this.createTopicsEach(specs, options)).values()) {
      if (error === undefined) continue;
      if (error.code !== 'TOPIC_ALREADY_EXISTS') throw error;
      allCreated = false;
    }
    return allCreated;
  }

  /**
   * As {@link createTopics}, with each topic's outcome: undefined once created (and, unless
   * `waitForLeaders` is false, led), or its error (TOPIC_ALREADY_EXISTS included). Callers creating
   * several topics at once (Streams' internal topics) learn each one's fate from one request.
   */
  async createTopicsEach(
    specs: WireTopicSpec[],
    options: CreateTopicsOptions & { waitForLeaders?: boolean },
  ): Promise<Map<string, TributaryError | undefined>> {
    const timeoutMs = options.timeout ?? 5000;
    const res = (await this.cluster.withRetry(async () => {
      const broker = await this.cluster.anyBroker();
      return broker.request(API.CreateTopics, {
        topics: specs.map((s) => ({
          name: s.topic,
          numPartitions: s.assignments !== undefined && s.assignments.length > 0 ? -1 : (s.numPartitions ?? -1),
          replicationFactor:
            s.assignments !== undefined && s.assignments.length > 0
              ? -1
              : (s.replicationFactor ?? options.replicationFactor ?? -1),
          assignments: (s.assignments ?? []).map((a) => ({ partitionIndex: a.partition, brokerIds: a.replicas })),
          configs: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value: String(value) })),
        })),
        timeoutMs,
        validateOnly: options.validateOnly === true,
      } as never);
    })) as { topics: { name: string; errorCode: number; errorMessage: string | null }[] };
    const outcomes = new Map<string, TributaryError | undefined>();
    for (const t of res.topics) {
      if (t.errorCode === 36)
        outcomes.set(
          t.name,
          new TributaryError('TOPIC_ALREADY_EXISTS', `Topic "${t.name}" exists already`, { topic: t.name }),
        );
      else
        outcomes.set(
          t.name,
          t.errorCode === 0 ? undefined : kafkaError(t.errorCode, { topic: t.name }, t.errorMessage),
        );
    }
    if (options.validateOnly !== true && options.waitForLeaders !== false) {
      const names = res.topics.filter((t) => t.errorCode === 0).map((t) => t.name);
      await this.#waitForLeaders(names);
    }
    return outcomes;
  }

  async #waitForLeaders(topics: string[]): Promise<void> {
    if (topics.length === 0) return;
    await this.cluster.withRetry(async () => {
      await this.cluster.refreshMetadata(topics);
      for (const topic of topics) {
        const info = this.cluster.cachedTopic(topic);
        if (info === undefined || info.partitions.length === 0 || info.partitions.some((p) => p.leader < 0)) {
          throw new TributaryError('LEADER_NOT_AVAILABLE', `Topic "${topic}" has no leaders yet`, {
            topic,
            retriable: true,
          });
        }
      }
    });
  }

  /** DeleteTopics on any broker; each topic's error is thrown (UNKNOWN_TOPIC_OR_PARTITION for a missing one). */
  async deleteTopics(topics: string[], timeout = 5000): Promise<void> {
    const res = (await this.cluster.withRetry(async () => {
      const broker = await this.cluster.anyBroker();
      return broker.request(API.DeleteTopics, {
        topics: topics.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })),
        topicNames: topics,
        timeoutMs: timeout,
      } as never);
    })) as { responses: { name: string | null; errorCode: number; errorMessage: string | null }[] };
    for (const t of res.responses) {
      if (t.name !== null) this.cluster.forgetTopic(t.name);
      if (t.errorCode !== 0) throw kafkaError(t.errorCode, { topic: t.name ?? undefined }, t.errorMessage);
    }
  }

  /** Every topic's name (Metadata for all topics), internal topics left out. */
  async listTopics(): Promise<string[]> {
    const broker = await this.cluster.anyBroker();
    const res = (await this.cluster.withRetry(() =>
      broker.request(API.Metadata, {
        topics: null,
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      } as never),
    )) as { topics: { name: string | null; isInternal: boolean; errorCode: number }[] };
    return res.topics.filter((t) => t.name !== null && !t.isInternal && t.errorCode === 0).map((t) => t.name!);
  }

  /**
   * ListOffsets for every partition of a topic on its leader: `timestamp` -1 is the high watermark
   * (latest), -2 the log start (earliest), others the first offset at or after that time.
   */
  async listOffsets(topic: string, timestamp: number, isolationLevel = 0): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    await this.cluster.withRetry(async () => {
      const info = await this.cluster.topic(topic);
      const byLeader = new Map<number, number[]>();
      for (const p of info.partitions) {
        if (out.has(p.partition)) continue;
        if (p.leader < 0)
          throw new TributaryError('LEADER_NOT_AVAILABLE', `${topic}-${p.partition} has no leader`, {
            topic,
            partition: p.partition,
            retriable: true,
          });
        let list = byLeader.get(p.leader);
        if (list === undefined) byLeader.set(p.leader, (list = []));
        list.push(p.partition);
      }
      await Promise.all(
        [...byLeader].map(async ([nodeId, partitions]) => {
          const broker = await this.cluster.broker(nodeId);
          const res = (await broker.request(API.ListOffsets, {
            replicaId: -1,
            isolationLevel,
            topics: [
              {
                name: topic,
                partitions: partitions.map((partitionIndex) => ({
                  partitionIndex,
                  currentLeaderEpoch: -1,
                  timestamp,
                  maxNumOffsets: 1,
                })),
              },
            ],
            timeoutMs: 5000,
          } as never)) as {
            topics: {
              name: string;
              partitions: { partitionIndex: number; errorCode: number; offset: number; oldStyleOffsets: number[] }[];
            }[];
          };
          for (const t of res.topics) {
            for (const p of t.partitions) {
              if (p.errorCode !== 0) throw kafkaError(p.errorCode, { topic, partition: p.partitionIndex });
              out.set(
                p.partitionIndex,
                broker.versionOf(API.ListOffsets as never) === 0 ? (p.oldStyleOffsets[0] ?? -1) : p.offset,
              );
            }
          }
        }),
      );
    });
    return out;
  }

  /** InitProducerId on any broker (idempotent) or the transaction coordinator (transactional). */
  async initProducerId(options: InitProducerOptions = {}): Promise<ProducerIdentity> {
    const { transactionalId } = options;
    const res = (await this.cluster.withRetry(async () => {
      const broker =
        transactionalId === undefined
          ? await this.cluster.anyBroker()
          : await this.cluster.coordinator(transactionalId, 1);
      const r = (await broker.request(API.InitProducerId, {
        transactionalId: transactionalId ?? null,
        transactionTimeoutMs: options.transactionTimeoutMs ?? 60_000,
        producerId: -1,
        producerEpoch: -1,
      } as never)) as { errorCode: number; producerId: number; producerEpoch: number };
      if (r.errorCode !== 0) {
        if (transactionalId !== undefined && (r.errorCode === 15 || r.errorCode === 16))
          this.cluster.forgetCoordinator(transactionalId, 1);
        throw kafkaError(r.errorCode, { transactionalId });
      }
      return r;
    })) as { producerId: number; producerEpoch: number };
    return { producerId: res.producerId, producerEpoch: res.producerEpoch };
  }
}
