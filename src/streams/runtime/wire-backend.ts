/**
 * The streams backend over Kafka's protocol (a Tributary made with `brokers`: `trib serve`, Apache
 * Kafka, Redpanda). Reads are Fetches (read_committed with exactly-once), tasks are shared through
 * the consumer group `applicationId` on the brokers, and a commit is:
 * - exactly-once: one Kafka transaction of the instance's one transactional producer, whose
 *   transactional id `<applicationId>-<processId>` stays with the instance across restarts (the
 *   process id is kept under `stateDir`). Its batches (most sent while the tasks process, as they
 *   fill), AddOffsetsToTxn + TxnOffsetCommit for the inputs' offsets beside the last ones, then
 *   EndTxn. A restarted instance's InitProducerId bumps the epoch: the old one (a zombie) is
 *   fenced and its open transaction aborted.
 * - at-least-once: the batches (acks -1), then an OffsetCommit under the member's generation.
 */
import type { ClientContext, WireContext } from '../../client/context.ts';
import type { WireAdminCalls } from '../../client/wire/admin-calls.ts';
import type { OwnBatch, WireFetcher } from '../../client/wire/fetcher.ts';
import type { WireTransactions } from '../../client/wire/transactions.ts';
import type { WireTransport } from '../../client/wire/transport.ts';
import type { Clock } from '../../clock.ts';
import { TributaryError } from '../../errors.ts';
import {
  type AppendResult,
  type CreateTopicSpec,
  effectiveConfig,
  type IsolationLevel,
  type PartitionAppend,
  type PartitionOffsets,
  type ProducerIdentity,
  parseTopicConfigs,
  type ReadOptions,
  type ReadResult,
  TOPIC_CONFIG_NAMES,
  type TopicConfig,
} from '../../log/index.ts';
import type { TaskAssignor } from '../internal/assignor.ts';
import { CoordinatorTaskGroup } from '../internal/coordinator-task-group.ts';
import type { CommitRequest, CommittedInput, StreamsBackend } from './backend.ts';
import type { EarlySends } from './record-collector.ts';
import type { WireTaskCoordinator } from './wire-task-coordinator.ts';

/** A Produce request stays below Kafka's default `message.max.bytes`. */
const WIRE_BATCH_LIMIT = 1_000_000;

/**
 * How big a partition's batch gets before it goes into the open transaction ahead of the commit
 * (Kafka Streams' producer sends as its batches fill, with linger.ms 100). Big enough that a Produce
 * carries many records, small enough that the broker works while the tasks process.
 */
const EARLY_BATCH_BYTES = 256 * 1024;
/** DescribeConfigs' resource type of a topic. */
const TOPIC_RESOURCE = 2;

/** The open transaction's batches: those waiting to go, what came back, and the first failure. */
interface OpenTransaction {
  queued: PartitionAppend[];
  /** Sends `queued`, one Produce at a time; undefined when idle. */
  pump: Promise<void> | undefined;
  results: AppendResult[];
  /** Its batches to repartition topics, handed to the fetcher once it commits (see `#commitTransaction`). */
  own: OwnBatch[];
  error: unknown;
  /** Something was sent: an abort has to end the transaction. */
  sent: boolean;
}

const approxBytes = (records: PartitionAppend['records']) => {
  let n = 0;
  for (const r of records) n += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 24;
  return n;
};

/** Splits appends into Produce rounds naming each partition once, merging a partition's batches up to `limit` bytes. */
export function rounds(appends: PartitionAppend[], limit: number): PartitionAppend[][] {
  const out: {
    list: PartitionAppend[];
    at: Map<string, { append: PartitionAppend; bytes: number; merged: boolean }>;
  }[] = [];
  const last = new Map<string, number>();
  for (const a of appends) {
    const k = `${a.topic}\u0000${a.partition}`;
    const bytes = approxBytes(a.records);
    let i = last.get(k) ?? 0;
    const entry = out[i]?.at.get(k);
    if (entry !== undefined) {
      if (entry.bytes + bytes <= limit && a.compression === entry.append.compression) {
        // The first merge copies the batch's records (they are the caller's), later ones append.
        if (!entry.merged) {
          entry.append.records = entry.append.records.slice();
          entry.merged = true;
        }
        const into = entry.append.records;
        for (const r of a.records) into.push(r);
        entry.bytes += bytes;
        continue;
      }
      i++;
    }
    while (out[i]?.at.has(k)) i++;
    out[i] ??= { list: [], at: new Map() };
    const copy = { ...a };
    out[i]!.list.push(copy);
    out[i]!.at.set(k, { append: copy, bytes, merged: false });
    last.set(k, i);
  }
  return out.map((r) => r.list);
}

const openTransaction = (): OpenTransaction => ({
  queued: [],
  pump: undefined,
  results: [],
  own: [],
  error: undefined,
  sent: false,
});

export interface WireBackendOptions {
  context: ClientContext;
  wire: WireContext;
  applicationId: string;
  eos: boolean;
  clock: Clock;
  /** The instance's stable id (see KafkaStreams' process id). */
  processId: () => Promise<string>;
  assignor?: TaskAssignor;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  transactionTimeoutMs?: number;
}

interface Connected {
  /** Produce, admin and group calls. */
  transport: WireTransport;
  /** Fetches, on their own connections (held Fetches never delay a commit). */
  fetcher: WireFetcher;
  admin: WireAdminCalls;
  coordinator: WireTaskCoordinator;
  assignor: TaskAssignor;
  transactions: WireTransactions | undefined;
}

/**
 * How Streams' own clients retry what may pass (a broker restarting, a coordinator moving, the
 * previous transaction of its transactional id still being completed): for about a minute, as Kafka
 * Streams does with its internal clients (`max.block.ms` and `default.api.timeout.ms` of 60 s),
 * where a kafkajs client gives up after 5 retries. The Tributary's own `retry` option wins.
 */
const STREAMS_RETRY = { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 };

export class WireBackend implements StreamsBackend {
  readonly clock: Clock;
  readonly handsOver = false;
  /**
   * As Kafka Streams creates its internal topics (RepartitionTopicConfig, the changelog configs):
   * record timestamps stay the producer's whatever the broker's default, and repartition topics,
   * purged as they are read, roll 50 MiB segments. test/interop/streams/topic-names.test.ts
   * compares them with what Java Kafka Streams 4.1 sets.
   */
  readonly internalTopicConfigs = { 'message.timestamp.type': 'CreateTime' };
  readonly repartitionTopicConfigs = { 'segment.bytes': 52_428_800 };
  readonly internalBatchLimit = WIRE_BATCH_LIMIT;
  /** A Fetch's partition budget: a round trip to the broker, worth filling (see the embedded backend's). */
  readonly inputReadBytes = 4 << 20;
  readonly #o: WireBackendOptions;
  #c: Connected | undefined;
  #identity: ProducerIdentity | undefined;
  /** Next sequence number per `topic\0partition` of the transactional producer. */
  readonly #sequences = new Map<string, number>();
  #transactionalId = '';
  /** Set once another incarnation took the transactional id over: this one must never write again. */
  #fenced: unknown;
  #open = openTransaction();
  /** Settles once the last commit or abort is over: the next transaction's batches wait for it. */
  #gate: Promise<void> = Promise.resolve();
  readonly earlySends: EarlySends | undefined;
  /** Topics to create in the next CreateTopics (see `createTopic`). */
  #creating: { specs: CreateTopicSpec[]; created: Promise<Map<string, unknown>> } | undefined;

  constructor(options: WireBackendOptions) {
    this.#o = options;
    this.clock = options.clock;
    this.earlySends = options.eos
      ? { bytes: EARLY_BATCH_BYTES, send: (a) => this.#sendEarly(a), abort: () => this.#abortOpen() }
      : undefined;
  }

  get #conn(): Connected {
    if (this.#c === undefined) throw new Error('the streams backend is not open');
    return this.#c;
  }

  async open(): Promise<void> {
    const { wire, applicationId } = this.#o;
    // The wire modules load with the first open, not with `import 'tributary'` (docs/benchmarks.md).
    const [{ WireFetcher }, { WireTaskCoordinator }, transport, fetchTransport] = await Promise.all([
      import('../../client/wire/fetcher.ts'),
      import('./wire-task-coordinator.ts'),
      wire.connect({}, STREAMS_RETRY),
      wire.connect({}, STREAMS_RETRY),
    ]);
    const fetcher = new WireFetcher(fetchTransport, { maxWaitMs: 500 });
    const coordinator = new WireTaskCoordinator(transport);
    const assignor =
      this.#o.assignor ??
      new CoordinatorTaskGroup({
        coordinator,
        clock: this.clock,
        groupId: applicationId,
        clientId: this.#o.context.clientId,
        ...(this.#o.sessionTimeoutMs !== undefined ? { sessionTimeout: this.#o.sessionTimeoutMs } : {}),
        ...(this.#o.heartbeatIntervalMs !== undefined ? { heartbeatInterval: this.#o.heartbeatIntervalMs } : {}),
      });
    this.#c = {
      transport,
      fetcher,
      admin: await wire.adminCalls(transport),
      coordinator,
      assignor,
      transactions: undefined,
    };
    if (this.#o.eos) {
      this.#transactionalId = `${applicationId}-${await this.#o.processId()}`;
      const transactions = await wire.transactions(transport, this.#transactionalId, () => this.#identity!);
      transport.transactions = transactions;
      this.#c.transactions = transactions;
      await this.#initProducer();
    }
  }

  /** InitProducerId with the instance's transactional id: fences an older incarnation, aborts its transaction. */
  async #initProducer(): Promise<void> {
    this.#identity = await this.#conn.transport.initProducerId({
      transactionalId: this.#transactionalId,
      transactionTimeoutMs: this.#o.transactionTimeoutMs ?? 10_000,
    });
    this.#sequences.clear();
  }

  assignor(): TaskAssignor {
    return this.#conn.assignor;
  }

  async listTopics(): Promise<string[]> {
    const { transport } = this.#conn;
    const names = await transport.listTopics();
    await transport.cluster.refreshMetadata(names);
    await this.#conn.fetcher.transport.cluster.refreshMetadata(names);
    return names;
  }

  partitionCount(topic: string): number {
    const info = this.#conn.transport.cluster.cachedTopic(topic) ?? this.#conn.transport.cluster.knownTopic(topic);
    if (info === undefined)
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic "${topic}" does not exist`, { topic });
    return info.partitions.length;
  }

  /**
   * The topic's configs by DescribeConfigs, those the log knows (the broker's others are left out)
   * over the defaults Tributary would assume; undefined when they cannot be read (no
   * DESCRIBE_CONFIGS right, a value Tributary does not parse): the broker's answer at the commit
   * is then the only check.
   */
  async topicConfig(topic: string): Promise<TopicConfig | undefined> {
    try {
      const { resources } = await this.#conn.admin.describeConfigs({
        resources: [{ type: TOPIC_RESOURCE, name: topic }],
      });
      const described = resources[0];
      if (described === undefined || described.errorCode !== 0) return undefined;
      const known = new Set<string>(TOPIC_CONFIG_NAMES);
      const raw: Record<string, string> = {};
      for (const e of described.configEntries)
        if (known.has(e.configName) && e.configValue !== null) raw[e.configName] = e.configValue;
      return effectiveConfig(parseTopicConfigs(raw));
    } catch {
      return undefined;
    }
  }

  /**
   * Topics asked for in the same tick go in one CreateTopics (Kafka's controller takes 30-40 ms per
   * request, and answers a second only after the first): Streams creates its internal topics so.
   */
  createTopic(spec: CreateTopicSpec): Promise<void> {
    let batch = this.#creating;
    if (batch === undefined) {
      const specs: CreateTopicSpec[] = [];
      const created = Promise.resolve().then(async () => {
        this.#creating = undefined;
        const { transport, fetcher } = this.#conn;
        const outcomes = await transport.createTopicsEach(
          specs.map((s) => ({
            topic: s.topic,
            numPartitions: s.numPartitions ?? -1,
            configs: s.configs as Record<string, string> | undefined,
          })),
          {},
        );
        await fetcher.transport.cluster.refreshMetadata(specs.map((s) => s.topic));
        return outcomes;
      });
      batch = this.#creating = { specs, created };
    }
    batch.specs.push(spec);
    return batch.created.then((outcomes) => {
      const error = outcomes.get(spec.topic);
      if (error !== undefined) throw error;
    });
  }

  offsets(topic: string, partition: number): PartitionOffsets {
    return this.#conn.fetcher.offsets(topic, partition);
  }

  loadOffsets(partitions: { topic: string; partition: number }[]): Promise<void> {
    return this.#conn.fetcher.loadOffsets(partitions);
  }

  read(topic: string, partition: number, offset: number, options: ReadOptions): Promise<ReadResult> {
    return this.#conn.fetcher.read(topic, partition, offset, options);
  }

  waitForData(
    topic: string,
    partition: number,
    offset: number,
    signal: AbortSignal,
    isolation?: IsolationLevel,
  ): Promise<unknown> {
    return this.#conn.fetcher.waitForData(topic, partition, offset, signal, isolation);
  }

  watch(topic: string, partition: number, offset: number, isolation: IsolationLevel): void {
    this.#conn.fetcher.watch(topic, partition, offset, isolation);
  }

  async readCommitted(topics: string[]): Promise<Map<string, CommittedInput>> {
    const out = new Map<string, CommittedInput>();
    if (topics.length === 0) return out;
    // requireStable: offsets of a transaction still being completed are waited for (retried).
    const fetched = await this.#conn.admin.fetchOffsets({
      groupId: this.#o.applicationId,
      topics,
      requireStable: true,
    });
    for (const t of fetched)
      for (const p of t.partitions)
        if (Number(p.offset) >= 0)
          out.set(`${t.topic}:${p.partition}`, { offset: Number(p.offset), metadata: p.metadata ?? null });
    return out;
  }

  async commit({ outputs, offsets, sync }: CommitRequest): Promise<AppendResult[]> {
    const { transport, coordinator } = this.#conn;
    if (!this.#o.eos) {
      const results = outputs.length > 0 ? await transport.write(outputs, { sync: true }) : [];
      if (offsets.length > 0) await coordinator.commitOffsets(this.#o.applicationId, offsets);
      return results;
    }
    void sync;
    // The open transaction's batches not sent yet go first; the next transaction starts now, and its
    // batches wait until this one is ended.
    const txn = this.#open;
    this.#open = openTransaction();
    const previous = this.#gate;
    const done = this.#commitTransaction(txn, previous, [...txn.queued.splice(0), ...outputs], offsets);
    this.#gate = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  }

  async #commitTransaction(
    txn: OpenTransaction,
    previous: Promise<void>,
    outputs: PartitionAppend[],
    offsets: CommitRequest['offsets'],
  ): Promise<AppendResult[]> {
    const { coordinator, transactions } = this.#conn;
    await previous;
    if (this.#fenced !== undefined) throw this.#fenced;
    try {
      if (txn.pump !== undefined) await txn.pump;
      if (txn.error !== undefined) throw txn.error;
      if (this.#identity === undefined) await this.#initProducer();
      // The rest of the batches and the offsets travel together; EndTxn once both are in.
      const [results] = await Promise.all([
        outputs.length > 0 ? this.#produce(outputs, txn.own) : [],
        // Under the member's generation: a zombie dropped from the group is refused (KIP-447).
        offsets.length > 0
          ? transactions!.sendOffsets(this.#o.applicationId, offsets, coordinator.current())
          : undefined,
      ]);
      await transactions!.end(true);
      // Committed: a read of a repartition topic that brings these batches back takes them as
      // they were sent rather than decoding them (see WireFetcher.remember).
      for (const b of txn.own) this.#conn.fetcher.remember(b);
      return txn.results.length > 0 ? [...txn.results, ...results] : results;
    } catch (err) {
      await this.#failed(err);
      throw err;
    }
  }

  /**
   * After a failed commit or an abort: a fenced instance stays fenced; otherwise whatever was sent of
   * the transaction is aborted and the next one starts with a new epoch (fresh sequence numbers).
   */
  async #failed(err: unknown): Promise<void> {
    const code = (err as { code?: string } | undefined)?.code;
    if (
      code === 'PRODUCER_FENCED' ||
      code === 'INVALID_PRODUCER_EPOCH' ||
      code === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'
    ) {
      // A newer incarnation of this instance holds the id: re-initialising would fence it in
      // turn, so this one stays fenced (a zombie), and every later commit fails the same way.
      this.#fenced = err;
      return;
    }
    if (this.#identity !== undefined) await this.#c?.transactions?.end(false).catch(() => undefined);
    this.#identity = undefined;
  }

  /**
   * Stamps batches with the transactional producer's id, epoch and sequences, and produces them
   * (acks -1). A Produce names a partition once: several batches for one partition are merged while
   * they stay below the batch limit, and the rest go in the Produce after, in order.
   */
  async #produce(appends: PartitionAppend[], own: OwnBatch[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const round of rounds(appends, WIRE_BATCH_LIMIT * 0.8))
      for (const r of await this.#produceRound(round, own)) results.push(r);
    return results;
  }

  /** One Produce; its batches to repartition topics go to `own`, with where they landed. */
  async #produceRound(appends: PartitionAppend[], own: OwnBatch[]): Promise<AppendResult[]> {
    if (this.#fenced !== undefined) throw this.#fenced;
    if (this.#identity === undefined) await this.#initProducer();
    const identity = this.#identity!;
    const stamped = appends.map((a) => {
      const k = `${a.topic}\u0000${a.partition}`;
      const baseSequence = this.#sequences.get(k) ?? 0;
      this.#sequences.set(k, (baseSequence + a.records.length) % 2 ** 31);
      return {
        ...a,
        producer: {
          producerId: identity.producerId,
          producerEpoch: identity.producerEpoch,
          baseSequence,
          isTransactional: true,
        },
      };
    });
    const results = await this.#conn.transport.write(stamped, { sync: true });
    for (const [i, a] of stamped.entries()) {
      const landed = results[i];
      if (landed === undefined || !this.#isRepartition(a.topic) || (a.compression ?? 'none') !== 'none') continue;
      own.push({
        topic: a.topic,
        partition: a.partition,
        baseOffset: landed.baseOffset,
        producerId: a.producer.producerId,
        producerEpoch: a.producer.producerEpoch,
        baseSequence: a.producer.baseSequence,
        records: a.records,
      });
    }
    return results;
  }

  /** A repartition topic of this app (as InternalTopics names them): its records are read back here. */
  #isRepartition(topic: string): boolean {
    return topic.endsWith('-repartition') && topic.startsWith(`${this.#o.applicationId}-`);
  }

  /** A batch that filled before the commit goes into the open transaction now (see RecordCollector). */
  #sendEarly(append: PartitionAppend): void {
    const txn = this.#open;
    txn.queued.push(append);
    txn.pump ??= this.#pump(txn);
  }

  /**
   * Sends the open transaction's batches, once the last commit is ended, one Produce at a time
   * (whatever queued meanwhile goes in the next one), so that each partition's batches reach the
   * broker in their sequence order. A failure is kept for the commit, which aborts.
   */
  async #pump(txn: OpenTransaction): Promise<void> {
    await this.#gate;
    try {
      // The commit will carry the inputs' offsets: AddOffsetsToTxn goes now, beside the first
      // batches, rather than on the commit's path (the commit's sendOffsets waits for its answer).
      if (this.#fenced === undefined && txn.error === undefined) {
        try {
          if (this.#identity === undefined) await this.#initProducer();
          txn.sent = true;
          void this.#conn.transactions?.addOffsets(this.#o.applicationId);
        } catch (err) {
          txn.error = err;
        }
      }
      while (txn.queued.length > 0 && txn.error === undefined) {
        const batch = txn.queued.splice(0);
        txn.sent = true;
        try {
          for (const r of await this.#produce(batch, txn.own)) txn.results.push(r);
        } catch (err) {
          txn.error = err;
        }
      }
    } finally {
      txn.pump = undefined;
    }
  }

  /** Aborts the open transaction (the tasks' uncommitted work was dropped): what it sent is discarded. */
  #abortOpen(): void {
    const txn = this.#open;
    this.#open = openTransaction();
    txn.queued.length = 0;
    const previous = this.#gate;
    this.#gate = (async () => {
      await previous;
      if (txn.pump !== undefined) await txn.pump;
      if (txn.sent && this.#fenced === undefined) await this.#failed(new Error('aborted'));
    })();
  }

  /** EndTxn has completed each commit; readCommitted asks for stable offsets. */
  async barrier(): Promise<void> {}

  async deleteRecords(topic: string, partition: number, before: number): Promise<void> {
    await this.#conn.admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: String(before) }] });
  }

  async close(): Promise<void> {
    // A transaction left open would hold back read_committed readers until it timed out.
    if (this.#open.pump !== undefined || this.#open.sent) this.#abortOpen();
    await this.#gate;
    const c = this.#c;
    this.#c = undefined;
    if (c === undefined) return;
    await Promise.all([c.transport.cluster.disconnect(), c.fetcher.transport.cluster.disconnect()]);
  }
}
