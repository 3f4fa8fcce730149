import { TributaryError } from '../errors.ts';
import type {
  AppendRecord,
  AppendResult,
  CreateTopicSpec,
  InitProducerOptions,
  LogBackend,
  PartitionAppend,
  ProducerIdentity,
  WriteOptions,
} from '../log/index.ts';
import { estimateRecordSize, RECORD_BATCH_OVERHEAD } from '../protocol/index.ts';
import type { ClientContext } from './context.ts';
import { parseTimestamp, toBytes, toLogHeaders } from './convert.ts';
import { clientError, hasCode } from './errors.ts';
import { KafkaJSNonRetriableError } from './kafkajs-errors.ts';
import {
  InstrumentationEmitter,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
} from './instrumentation.ts';
import type { Logger } from './logger.ts';
import type { ConnectionInstrumentation } from './wire/connection.ts';
import type { WireTransport } from './wire/transport.ts';
import { type KeyBytesPartitioner, Partitioners, type StickyAware } from './partitioners.ts';
import { type ProducerStampSource, Transaction } from './transaction.ts';
import {
  CompressionTypes,
  type ICustomPartitioner,
  type PartitionerArgs,
  type PartitionMetadata,
  type ProducerBatch,
  type ProducerRecord,
  type RecordMetadata,
  type TopicMessages,
} from './types.ts';

/** A topic as the producer needs it: its partitions and `max.message.bytes`. */
interface ProducerTopicDescription {
  partitions: readonly { partition: number }[];
  configs: { 'max.message.bytes': number };
}

/**
 * What the producer asks of its transport. The embedded {@link LogBackend} is one as it is (so its
 * hot path is the same calls as before); the wire transport answers with Kafka requests.
 */
export interface ProducerLog {
  write(appends: PartitionAppend[], options?: WriteOptions): Promise<AppendResult[]>;
  describeTopic(topic: string): Promise<ProducerTopicDescription>;
  /** From what the transport knows now; throws when it does not know the topic. */
  partitionCount(topic: string): number;
  createTopic(spec: CreateTopicSpec): Promise<ProducerTopicDescription>;
  offsets(topic: string, partition: number): { logStartOffset: number };
  initProducerId(options?: InitProducerOptions): Promise<ProducerIdentity>;
}

/** Options of {@link Tributary.producer}, kafkajs's names. */
export interface ProducerConfig {
  /** How keys map to partitions. Default {@link Partitioners.DefaultPartitioner} (Java-compatible). */
  createPartitioner?: ICustomPartitioner;
  /**
   * Create a missing topic on first send (with the log's default partition count and configs)
   * instead of failing with UNKNOWN_TOPIC_OR_PARTITION. Default true, as kafkajs.
   */
  allowAutoTopicCreation?: boolean;
  /** Stamp batches with a producer id and sequence numbers so a retried write is never duplicated. */
  idempotent?: boolean;
  /** Makes the producer transactional (implies `idempotent`); see {@link Producer.transaction}. */
  transactionalId?: string;
  /** Accepted for compatibility. */
  transactionTimeout?: number;
  /** How often a write that failed with a retriable error is tried again. Default 5. */
  retry?: { retries?: number };
  /** Accepted for compatibility: local writes need no in-flight limit. */
  maxInFlightRequests?: number;
  metadataMaxAge?: number;
}

/**
 * kafkajs's producer event names. CONNECT and DISCONNECT are emitted always; the network ones
 * (REQUEST, REQUEST_TIMEOUT, REQUEST_QUEUE_SIZE, with kafkajs's payloads) over the wire.
 *
 * @example
 * producer.on(producer.events.CONNECT, () => console.log('connected'));
 */
export const ProducerEvents = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
} as const;
/** The name of a producer instrumentation event (a value of {@link ProducerEvents}). */
export type ProducerEventName = (typeof ProducerEvents)[keyof typeof ProducerEvents];

const CODECS = {
  [CompressionTypes.None]: 'none',
  [CompressionTypes.GZIP]: 'gzip',
  [CompressionTypes.Snappy]: 'snappy',
  [CompressionTypes.LZ4]: 'lz4',
  [CompressionTypes.ZSTD]: 'zstd',
} as const;
type Codec = (typeof CODECS)[keyof typeof CODECS];

/** One partition's records waiting for the next write. */
interface PendingPartition {
  topic: string;
  partition: number;
  records: AppendRecord[];
  bytes: number;
  compression: Codec;
  limit: number;
  /** Once written: where its records landed, and the partition's log start offset then. */
  result?: AppendResult;
  logStartOffset?: string;
}

/** A send's share of a pending partition: where its records start in it. */
interface Share {
  pending: PendingPartition;
  start: number;
  count: number;
}

interface PendingSend {
  shares: Share[];
  resolve: (metadata: RecordMetadata[]) => void;
  reject: (err: unknown) => void;
}

/** The sends gathered for one log write. */
interface Accumulation {
  partitions: Map<string, PendingPartition>;
  sends: PendingSend[];
  sync: boolean;
  stamp?: ProducerStampSource;
  /** Its tick ended while a write was in flight: it goes when that write settles, or once full. */
  held?: boolean;
  /** The records' bytes, about (see {@link FULL_BYTES}). */
  bytes: number;
}

/**
 * An accumulation this large is written at once, even while an earlier write is on its way (as
 * Kafka's accumulator sends a batch once it reaches `batch.size`, with more requests in flight):
 * the log encodes it while the store writes the earlier one, and queues it behind that. Smaller
 * ones wait, so that many sends share one batch. Why 256 KiB: eight sends of 1,000 × 100 B issued
 * together were one write of 880 KB, encoded while LevelDB sat idle and written while this thread
 * waited; now they are three writes, and the second is encoded while the first is written. A
 * consumer's fetch (1 MiB by default, `maxBytesPerPartition`, as kafkajs) still takes about three
 * such batches at a time. See docs/benchmarks.md ("Clients, 2026-12-06 session 12").
 */
const FULL_BYTES = 256 * 1024;

/** One send's records for one partition, before they join the accumulation. */
interface SendGroup {
  id: string;
  topic: string;
  partition: number;
  records: AppendRecord[];
  bytes: number;
  limit: number;
}

/** Options the transaction passes to the send path. */
export interface SendContext {
  stamp?: ProducerStampSource;
  onPartitions?: (partitions: { topic: string; partition: number }[]) => void;
}

const PLAIN_SEND: SendContext = Object.freeze({});

/** What transactions reach inside a producer; set by the class's static block. */
let internals: {
  sendWith(
    producer: Producer,
    topicMessages: TopicMessages[],
    acks: number | undefined,
    compression: CompressionTypes | undefined,
    context: SendContext,
  ): Promise<RecordMetadata[]>;
  flushPending(producer: Producer): Promise<void>;
};

/**
 * A producer, with kafkajs's API. Sends issued together (in the same tick, or while the
 * producer's previous write is on its way to disk) are gathered into one atomic log write with one
 * batch per partition, so many concurrent single-record sends share one write and one fsync.
 *
 * @example
 * const producer = tributary.producer();
 * await producer.connect();
 * const [meta] = await producer.send({ topic: 'orders', messages: [{ key: 'o-1', value: 'created' }] });
 * console.log(meta.partition, meta.baseOffset);
 */
export class Producer {
  readonly events = ProducerEvents;
  readonly #ctx: ClientContext;
  readonly #config: ProducerConfig;
  readonly #partition: ((args: PartitionerArgs) => number) & Partial<StickyAware> & Partial<KeyBytesPartitioner>;
  readonly #emitter: InstrumentationEmitter<ProducerEventName>;
  readonly #logger: Logger;
  #log: ProducerLog | undefined;
  /** Set over the wire: the transport whose connections this producer owns. */
  #wire: WireTransport | undefined;
  #accumulation: Accumulation | undefined;
  /** Per topic: partition metadata and max.message.bytes, read once (and again when the partition count changes). */
  #topics = new Map<string, TopicInfo>();
  /** Stamps of plain sends (idempotent or transactional producers): never part of a transaction. */
  #idempotence: ProducerStampSource | undefined;
  /** Stamps of the transactional id's producer, used by {@link Transaction}s only. */
  #transactional: ProducerStampSource | undefined;
  #transaction: Transaction | undefined;

  /** @internal Use {@link Tributary.producer}. */
  constructor(ctx: ClientContext, config: ProducerConfig = {}) {
    this.#ctx = ctx;
    this.#config = config;
    this.#partition = (config.createPartitioner ?? Partitioners.DefaultPartitioner)();
    this.#emitter = new InstrumentationEmitter(Object.values(ProducerEvents), () => ctx.clock.now());
    this.#logger = ctx.logger.namespace('Producer');
  }

  /** Opens the producer's use of the log (and, for an idempotent or transactional producer, gets its producer id); call before sending. */
  async connect(): Promise<void> {
    if (this.#log !== undefined) return;
    const wire = this.#ctx.wire;
    let log: ProducerLog;
    if (wire !== undefined) {
      this.#wire = await wire.connect(this.#instrumentation());
      log = this.#wire;
    } else {
      log = await this.#ctx.acquire();
    }
    this.#log = log;
    if (this.#config.idempotent === true || this.#config.transactionalId !== undefined) {
      try {
        // As kafkajs: plain sends of a transactional producer go out under their own idempotent
        // producer id, so they are visible at once and no abort or fencing of the transactional
        // id touches them; only sends through a transaction carry the transactional id's stamp.
        this.#idempotence = await initProducerId(log, undefined, undefined);
        if (this.#config.transactionalId !== undefined) {
          const transactional = await initProducerId(
            log,
            this.#config.transactionalId,
            this.#config.transactionTimeout,
          );
          this.#transactional = transactional;
          if (this.#wire !== undefined && wire !== undefined) {
            this.#wire.transactions = await wire.transactions(
              this.#wire,
              this.#config.transactionalId,
              () => transactional,
            );
          }
        }
      } catch (err) {
        this.#log = undefined;
        await this.#giveBack();
        throw err;
      }
    }
    this.#emitter.emit(ProducerEvents.CONNECT, null);
  }

  /** Sends what is gathered, waits for every send in flight, and lets go of the log. */
  async disconnect(): Promise<void> {
    if (this.#log === undefined) return;
    await this.#flushNow();
    if (this.#transaction?.isActive()) await this.#transaction.abort().catch(() => undefined);
    this.#log = undefined;
    this.#topics.clear();
    await this.#giveBack();
    this.#emitter.emit(ProducerEvents.DISCONNECT, null);
  }

  async #giveBack(): Promise<void> {
    const wire = this.#wire;
    this.#wire = undefined;
    if (wire !== undefined) await wire.cluster.disconnect();
    else await this.#ctx.release();
  }

  /** The connections' request events, as this producer's network events. */
  #instrumentation(): ConnectionInstrumentation {
    const emitter = this.#emitter;
    return {
      request: (payload) => emitter.emit(ProducerEvents.REQUEST, payload),
      requestTimeout: (payload) => emitter.emit(ProducerEvents.REQUEST_TIMEOUT, payload),
      requestQueueSize: (payload) => emitter.emit(ProducerEvents.REQUEST_QUEUE_SIZE, payload),
    };
  }

  /** Whether sends carry a producer id and sequence numbers, so that a retried batch is not written twice. */
  isIdempotent(): boolean {
    return this.#config.idempotent === true || this.#config.transactionalId !== undefined;
  }

  /** The producer's logger, namespaced `Producer`, as kafkajs's `producer.logger()`. */
  logger(): Logger {
    return this.#logger;
  }

  /** Listens to an instrumentation event (`producer.events.CONNECT`, …); returns the function that removes the listener. */
  on(
    eventName: ProducerEventName,
    listener: (event: InstrumentationEvent<unknown>) => void,
  ): RemoveInstrumentationEventListener {
    return this.#emitter.on(eventName, listener);
  }

  /**
   * Sends messages to one topic. Resolves with one entry per partition written, once the records
   * are in the log (`acks: -1`, the default: fsynced; `acks: 1` or `0`: written but not fsynced).
   * A missing topic or a too-large record fails the whole send, and nothing of it is appended.
   * On a producer with a `transactionalId`, a send outside {@link Producer.transaction} is an
   * ordinary idempotent write, visible at once, as in kafkajs; only a transaction's sends wait for
   * its commit.
   */
  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    if (record === null || typeof record !== 'object') throw new TypeError('send takes { topic, messages }');
    const refused = this.#checkAcks(record.acks);
    if (refused !== undefined) return refused;
    return this.#sendWith(
      [{ topic: record.topic, messages: record.messages }],
      record.acks,
      record.compression,
      this.#stampForPlainSend(),
    );
  }

  /** Sends to several topics in one atomic write: all of it is appended, or none of it. */
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    if (batch === null || typeof batch !== 'object') throw new TypeError('sendBatch takes { topicMessages }');
    const refused = this.#checkAcks(batch.acks);
    if (refused !== undefined) return refused;
    return this.#sendWith(batch.topicMessages ?? [], batch.acks, batch.compression, this.#stampForPlainSend());
  }

  /** An idempotent producer must wait for every ack, as kafkajs insists (else its writes may be lost unseen). */
  #checkAcks(acks: number | undefined): Promise<never> | undefined {
    if (acks !== undefined && acks !== -1 && acks !== 0 && acks !== 1) {
      // Kafka's acks are -1 (all), 0 and 1; anything else is a mistake, not a durability level.
      if (typeof acks !== 'number')
        return Promise.reject(new TypeError(`acks must be -1, 0 or 1, got ${JSON.stringify(acks)}`));
      return Promise.reject(new TributaryError('INVALID_CONFIG', `acks must be -1, 0 or 1, got ${acks}`, { acks }));
    }
    if (this.#config.idempotent !== true || acks === undefined || acks === -1) return undefined;
    return Promise.reject(
      new KafkaJSNonRetriableError(
        "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees",
        {},
        'INVALID_REQUEST',
      ),
    );
  }

  #stampForPlainSend(): SendContext {
    if (this.#idempotence === undefined) return PLAIN_SEND;
    this.#stamped ??= { stamp: this.#idempotence };
    return this.#stamped;
  }

  #stamped: SendContext | undefined;

  /**
   * Begins a transaction: its sends and `sendOffsets` become visible to read_committed consumers
   * together on `commit()`, or never, on `abort()`. Needs `transactionalId`.
   *
   * @example
   * const txn = await producer.transaction();
   * await txn.send({ topic: 'out', messages });
   * await txn.sendOffsets({ consumerGroupId: 'g', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '42' }] }] });
   * await txn.commit();
   */
  async transaction(): Promise<Transaction> {
    const log = this.#requireLog();
    if (this.#config.transactionalId === undefined || this.#transactional === undefined) {
      throw clientError('PRODUCER_NOT_TRANSACTIONAL', 'transaction() needs a producer created with a transactionalId');
    }
    if (this.#transaction?.isActive()) {
      throw clientError('INVALID_TXN_STATE', 'A transaction is already open on this producer');
    }
    await this.#flushNow();
    const wire = this.#wire;
    const txn =
      wire !== undefined
        ? new Transaction(log as LogBackend, this, this.#transactional, undefined, wire.transactions)
        : new Transaction(log as LogBackend, this, this.#transactional, await this.#ctx.coordinator());
    this.#transaction = txn;
    return txn;
  }

  #requireLog(): ProducerLog {
    if (this.#log === undefined)
      throw clientError('CLIENT_NOT_CONNECTED', 'The producer is not connected; call connect() first');
    return this.#log;
  }

  static {
    internals = {
      sendWith: (producer, ...args) => producer.#sendWith(...args),
      flushPending: (producer) => producer.#flushNow(),
    };
  }

  /** The send path shared by send, sendBatch and transactions. */
  #sendWith(
    topicMessages: TopicMessages[],
    acks: number | undefined,
    compression: CompressionTypes | undefined,
    context: SendContext,
  ): Promise<RecordMetadata[]> {
    let log: ProducerLog;
    try {
      log = this.#requireLog();
    } catch (err) {
      return Promise.reject(err);
    }
    if (!Array.isArray(topicMessages)) return Promise.reject(new TypeError('topicMessages must be an array'));
    const codec = CODECS[(compression ?? CompressionTypes.None) as CompressionTypes];
    if (codec === undefined) return Promise.reject(new TypeError(`Unknown compression type ${String(compression)}`));
    const sync = acks === undefined || acks === -1;
    // A topic seen for the first time (or whose partition count changed) is described first; after
    // that the send path runs without awaiting anything until the write.
    let unknown: string[] | undefined;
    for (const t of topicMessages) {
      if (t !== null && typeof t === 'object' && !this.#known(log, t.topic)) (unknown ??= []).push(t.topic);
    }
    if (unknown !== undefined) {
      return this.#learnTopics(log, unknown).then(() => this.#sendWith(topicMessages, acks, compression, context));
    }
    try {
      return this.#enqueue(topicMessages, codec, sync, context);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #known(log: ProducerLog, topic: string): boolean {
    const info = this.#topics.get(topic);
    if (info === undefined) return false;
    try {
      return log.partitionCount(topic) === info.meta.length;
    } catch {
      this.#topics.delete(topic);
      return false;
    }
  }

  async #learnTopics(log: ProducerLog, topics: string[]): Promise<void> {
    for (const topic of new Set(topics)) {
      if (typeof topic !== 'string') throw new TypeError('topic must be a string');
      let description: ProducerTopicDescription;
      try {
        description = await log.describeTopic(topic);
      } catch (err) {
        if (!hasCode(err, 'UNKNOWN_TOPIC_OR_PARTITION') || this.#config.allowAutoTopicCreation === false) throw err;
        description = await log.createTopic({ topic }).catch(async (e) => {
          if (!hasCode(e, 'TOPIC_ALREADY_EXISTS')) throw e;
          return log.describeTopic(topic);
        });
      }
      this.#topics.set(topic, {
        meta: description.partitions.map((p) => ({
          partitionErrorCode: 0,
          partitionId: p.partition,
          leader: 0,
          replicas: [0],
          isr: [0],
        })),
        limit: description.configs['max.message.bytes'],
      });
    }
  }

  #enqueue(
    topicMessages: TopicMessages[],
    codec: Codec,
    sync: boolean,
    context: SendContext,
  ): Promise<RecordMetadata[]> {
    // Everything is checked and partitioned before anything joins the accumulation: a bad send
    // fails alone and leaves the sends gathered with it untouched.
    // Most sends put all their records in one partition: the Map is made only for a second one.
    let last: SendGroup | undefined;
    let list: SendGroup[] | undefined;
    let groups: Map<string, SendGroup> | undefined;
    for (const tm of topicMessages) {
      if (tm === null || typeof tm !== 'object') throw new TypeError('each topicMessages entry is { topic, messages }');
      const { topic, messages } = tm;
      if (typeof topic !== 'string') throw new TypeError('topic must be a string');
      if (!Array.isArray(messages)) throw new TypeError(`messages for topic "${topic}" must be an array`);
      const info = this.#topics.get(topic);
      if (info === undefined)
        throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic "${topic}" does not exist`, { topic });
      const { meta, limit } = info;
      for (const message of messages) {
        if (message === null || typeof message !== 'object')
          throw new TypeError('each message is { key?, value, headers?, partition? }');
        const key = toBytes(message.key, 'message key');
        let partition: number;
        if (message.partition !== undefined && message.partition !== null) {
          partition = message.partition;
        } else if (this.#partition.byKeyBytes !== undefined) {
          partition = this.#partition.byKeyBytes(topic, meta.length, key);
        } else {
          partition = this.#partition({ topic, partitionMetadata: meta, message });
        }
        if (!Number.isInteger(partition) || partition < 0 || partition >= meta.length) {
          throw new TributaryError(
            'UNKNOWN_TOPIC_OR_PARTITION',
            `Topic "${topic}" has no partition ${String(partition)} (it has ${meta.length})`,
            {
              topic,
              partition,
            },
          );
        }
        const record: AppendRecord = { key, value: toBytes(message.value, 'message value') };
        const headers = toLogHeaders(message.headers);
        if (headers !== undefined && headers.length > 0) record.headers = headers;
        const timestamp = parseTimestamp(message);
        if (timestamp !== undefined) record.timestamp = timestamp;
        const size = estimateRecordSize(record);
        if (size + RECORD_BATCH_OVERHEAD > limit) {
          throw new TributaryError(
            'MESSAGE_TOO_LARGE',
            `A record of about ${size} bytes exceeds max.message.bytes (${limit}) of topic "${topic}"`,
            {
              topic,
              partition,
              size,
              limit,
            },
          );
        }
        let group = last;
        if (group === undefined || group.topic !== topic || group.partition !== partition) {
          const id = `${topic}\u0000${partition}`;
          if (list === undefined) {
            list = [(group = { id, topic, partition, records: [], bytes: RECORD_BATCH_OVERHEAD, limit })];
          } else {
            if (groups === undefined) groups = new Map(list.map((g) => [g.id, g]));
            group = groups.get(id);
            if (group === undefined) {
              group = { id, topic, partition, records: [], bytes: RECORD_BATCH_OVERHEAD, limit };
              groups.set(id, group);
              list.push(group);
            }
          }
          last = group;
        }
        group.records.push(record);
        group.bytes += size;
        if (group.bytes > limit) {
          throw new TributaryError(
            'MESSAGE_TOO_LARGE',
            `The records of one send to ${topic}-${partition} come to about ${group.bytes} bytes; max.message.bytes is ${limit}`,
            {
              topic,
              partition,
              size: group.bytes,
              limit,
            },
          );
        }
      }
    }
    if (list === undefined) return Promise.resolve([]);
    context.onPartitions?.(list.map((g) => ({ topic: g.topic, partition: g.partition })));

    // Join the accumulation, unless this send would overflow one of its batches, change its codec
    // or its producer stamp: then the current one goes first.
    let acc = this.#accumulation;
    if (acc !== undefined && !fits(acc, list, codec, context.stamp)) {
      this.#flush();
      acc = undefined;
    }
    if (acc === undefined) {
      const fresh: Accumulation = { partitions: new Map(), sends: [], sync, stamp: context.stamp, bytes: 0 };
      acc = this.#accumulation = fresh;
      queueMicrotask(() => {
        if (this.#accumulation !== fresh) return;
        // While an earlier write is on its way, sends keep gathering (as Kafka's accumulator fills
        // batches while a request is in flight): the log takes writes one at a time anyway, and
        // one batch of many records costs far less than many batches of one.
        if (this.#writesInFlight > 0 && fresh.bytes < FULL_BYTES) fresh.held = true;
        else this.#flush();
      });
    }
    acc.sync ||= sync;
    const shares: Share[] = new Array(list.length);
    for (let g = 0; g < list.length; g++) {
      const group = list[g]!;
      let pending = acc.partitions.get(group.id);
      if (pending === undefined) {
        pending = {
          topic: group.topic,
          partition: group.partition,
          records: [],
          bytes: RECORD_BATCH_OVERHEAD,
          compression: codec,
          limit: group.limit,
        };
        acc.partitions.set(group.id, pending);
      }
      shares[g] = { pending, start: pending.records.length, count: group.records.length };
      for (const r of group.records) pending.records.push(r);
      pending.bytes += group.bytes - RECORD_BATCH_OVERHEAD;
      acc.bytes += group.bytes - RECORD_BATCH_OVERHEAD;
    }
    const sent = new Promise<RecordMetadata[]>((resolve, reject) => {
      acc.sends.push({ shares, resolve, reject });
    });
    if (acc.bytes >= FULL_BYTES) this.#flush();
    return sent;
  }

  /** Writes whatever is gathered, now. */
  #flush(): void {
    const acc = this.#accumulation;
    if (acc === undefined) return;
    this.#accumulation = undefined;
    const log = this.#log;
    if (log === undefined) {
      const err = clientError('CLIENT_NOT_CONNECTED', 'The producer disconnected before the send was written');
      for (const s of acc.sends) s.reject(err);
      return;
    }
    const pendings = [...acc.partitions.values()];
    const appends: PartitionAppend[] = pendings.map((p) => {
      const append: PartitionAppend = { topic: p.topic, partition: p.partition, records: p.records };
      if (p.compression !== 'none') append.compression = p.compression;
      if (acc.stamp !== undefined) append.producer = acc.stamp.stamp(p.topic, p.partition, p.records.length);
      return append;
    });
    for (const p of pendings) this.#partition.onNewBatch?.(p.topic);
    const written = this.#write(log, appends, acc.sync);
    this.#writesInFlight++;
    const settled = () => {
      this.#writesInFlight--;
      if (this.#writesInFlight === 0 && this.#accumulation?.held === true) this.#flush();
    };
    this.#lastWrite = written.then(
      (results) => {
        settled();
        for (let i = 0; i < pendings.length; i++) pendings[i]!.result = results[i]!;
        for (const send of acc.sends) {
          const metadata: RecordMetadata[] = new Array(send.shares.length);
          for (let i = 0; i < send.shares.length; i++) {
            const { pending, start } = send.shares[i]!;
            pending.logStartOffset ??= logStartOffsetOf(log, pending.result!);
            metadata[i] = metadataOf(pending.result!, start, pending.logStartOffset);
          }
          send.resolve(metadata);
        }
      },
      (err) => {
        settled();
        if (acc.stamp !== undefined) {
          for (let i = 0; i < pendings.length; i++) {
            const stamp = appends[i]!.producer;
            if (stamp !== undefined)
              acc.stamp.unstamp(pendings[i]!.topic, pendings[i]!.partition, stamp, pendings[i]!.records.length);
          }
        }
        // The write was all or nothing, so nothing of it is in the log. When sends were gathered
        // and one of them is at fault (a topic deleted or reconfigured meanwhile), each is tried
        // alone so that only the faulty one fails. Stamped writes are not split: their sequence
        // numbers are spent.
        const splittable =
          acc.sends.length > 1 &&
          acc.stamp === undefined &&
          (hasCode(err, 'MESSAGE_TOO_LARGE') ||
            hasCode(err, 'INVALID_RECORD') ||
            hasCode(err, 'UNKNOWN_TOPIC_OR_PARTITION'));
        if (!splittable) {
          for (const send of acc.sends) send.reject(err);
          return;
        }
        this.#topics.clear();
        for (const send of acc.sends) {
          const appends: PartitionAppend[] = send.shares.map(({ pending, start, count }) => {
            const append: PartitionAppend = {
              topic: pending.topic,
              partition: pending.partition,
              records: pending.records.slice(start, start + count),
            };
            if (pending.compression !== 'none') append.compression = pending.compression;
            return append;
          });
          log.write(appends, { sync: acc.sync }).then(
            (results) => send.resolve(results.map((r) => metadataOf(r, 0, logStartOffsetOf(log, r)))),
            (e) => send.reject(e),
          );
        }
      },
    );
  }

  #lastWrite: Promise<void> = Promise.resolve();
  #writesInFlight = 0;

  async #write(log: ProducerLog, appends: PartitionAppend[], sync: boolean): Promise<AppendResult[]> {
    const retries = this.#config.retry?.retries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        return await log.write(appends, { sync });
      } catch (err) {
        // Without a producer stamp a retry could duplicate records, so only stamped writes retry.
        const stamped = appends.some((a) => a.producer !== undefined);
        if (!stamped || attempt >= retries || !(err instanceof TributaryError) || !err.retriable) throw err;
        this.#logger.warn('Retrying a write that failed with a retriable error', {
          error: err.message,
          attempt: attempt + 1,
        });
      }
    }
  }

  async #flushNow(): Promise<void> {
    this.#flush();
    await this.#lastWrite;
  }
}

function fits(
  acc: Accumulation,
  groups: readonly SendGroup[],
  codec: Codec,
  stamp: ProducerStampSource | undefined,
): boolean {
  if (acc.stamp !== stamp) return false;
  for (const group of groups) {
    const pending = acc.partitions.get(group.id);
    if (pending === undefined) continue;
    if (pending.compression !== codec) return false;
    if (pending.bytes + group.bytes - RECORD_BATCH_OVERHEAD > group.limit) return false;
  }
  return true;
}

function logStartOffsetOf(log: ProducerLog, result: AppendResult): string {
  try {
    return String(log.offsets(result.topic, result.partition).logStartOffset);
  } catch {
    // The topic went away after the write; the write itself stands.
    return '0';
  }
}

function metadataOf(result: AppendResult, start: number, logStartOffset: string): RecordMetadata {
  return {
    topicName: result.topic,
    partition: result.partition,
    errorCode: 0,
    baseOffset: String(result.baseOffset + start),
    logAppendTime: String(result.logAppendTime),
    logStartOffset,
  };
}

interface TopicInfo {
  meta: PartitionMetadata[];
  limit: number;
}

async function initProducerId(
  log: ProducerLog,
  transactionalId: string | undefined,
  transactionTimeoutMs: number | undefined,
): Promise<ProducerStampSource> {
  const { producerId, producerEpoch } = await log.initProducerId(
    transactionalId === undefined ? {} : { transactionalId, transactionTimeoutMs },
  );
  const sequences = new Map<string, number>();
  return {
    producerId,
    producerEpoch,
    transactional: transactionalId !== undefined,
    stamp(topic, partition, count) {
      const id = `${topic}\u0000${partition}`;
      const baseSequence = sequences.get(id) ?? 0;
      const next = baseSequence + count;
      sequences.set(id, next > 0x7fffffff ? next - 0x80000000 : next);
      return { producerId, producerEpoch, baseSequence, isTransactional: transactionalId !== undefined };
    },
    unstamp(topic, partition, stamp, count) {
      // A write that failed appended nothing: its sequence numbers are handed out again, unless a
      // later batch of the partition was stamped meanwhile (that one then fails in order too).
      const id = `${topic}\u0000${partition}`;
      const next = stamp.baseSequence + count;
      if (sequences.get(id) === (next > 0x7fffffff ? next - 0x80000000 : next)) sequences.set(id, stamp.baseSequence);
    },
  };
}

/** Not part of the API (not exported by src/index.ts): the send path a transaction shares with `send`. */
export function producerSendWith(
  producer: Producer,
  topicMessages: TopicMessages[],
  acks: number | undefined,
  compression: CompressionTypes | undefined,
  context: SendContext,
): Promise<RecordMetadata[]> {
  return internals.sendWith(producer, topicMessages, acks, compression, context);
}

/** Not part of the API: writes what the producer gathered and waits until every write so far has settled. */
export function producerFlushPending(producer: Producer): Promise<void> {
  return internals.flushPending(producer);
}
