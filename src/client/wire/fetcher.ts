/**
 * The consumer's reads over the wire: the log calls the consumer makes (`offsets`, `read`,
 * `waitForData`, `partitionCount`, `listTopics`, `createTopic`) answered with Fetch, ListOffsets and
 * Metadata requests to each partition's leader. Why an adapter of the log's calls rather than a
 * second consumer: the consumer's loop, assignors, commits and rebalance handling stay one code
 * path for both transports.
 *
 * The log answers `offsets` synchronously; here it answers from what the last Fetch or ListOffsets
 * of the partition reported (the group adapter fills it for each assigned partition before the
 * assignment is handed over). `waitForData` is a Fetch held by the broker for up to `maxWaitMs`;
 * what it brings back is kept for the `read` that follows, so records cross the network once.
 * Answers are kept as bytes until read: `read` decodes them into the log's records (Streams),
 * `readMessages` straight into kafkajs's messages (the consumer).
 *
 * read_committed: the broker stops at the last stable offset and lists the aborted transactions of
 * what it returns; batches of those are dropped here, as Kafka's Java client does.
 *
 * @example
 * const fetcher = new WireFetcher(transport, { maxWaitMs: 5000 });
 * await fetcher.waitForData('orders', 0, 42, interrupt, 'read_committed');
 * const { records, nextOffset } = await fetcher.read('orders', 0, 42, { isolation: 'read_committed' });
 */
import { TributaryError } from '../../errors.ts';
import type {
  CreateTopicSpec,
  IsolationLevel,
  LogRecord,
  PartitionOffsets,
  ReadOptions,
  ReadResult,
  WaitInterrupt,
} from '../../log/index.ts';
import type { AppendRecord } from '../../log/index.ts';
import { decodeControlRecord } from '../../protocol/control-record.ts';
import { API } from '../../protocol/messages/index.ts';
import { type BatchHeader, decodeRecordBatch, readBatchHeader, verifyBatchCrc } from '../../protocol/record-batch.ts';
import { type AbortedTransaction, FetchedMessages } from '../consumer/messages.ts';
import type { Broker } from './broker.ts';
import { kafkaError } from './kafka-errors.ts';
import type { WireTransport } from './transport.ts';

/** Fetch v13+ names topics by id; this client names them, so it asks at most v12. */
const FETCH_MAX_VERSION = 12;

export interface WireFetcherOptions {
  /** How long the broker may hold a Fetch for data. kafkajs's `maxWaitTimeInMs`: 5000. */
  maxWaitMs?: number;
  /** kafkajs's `minBytes`: 1. */
  minBytes?: number;
  /** kafkajs's `maxBytes`: 10 MiB. */
  maxBytes?: number;
}

/**
 * A partition's part of a Fetch answer, not decoded yet: `read` decodes it into the log's records,
 * `readMessages` straight into kafkajs's messages.
 */
interface RawFetch {
  /** Where the Fetch read from. */
  offset: number;
  records: Buffer | null;
  /** Aborted transactions to drop (none under read_uncommitted). */
  aborted: AbortedTransaction[];
  /** Past the last whole batch of `records` (`offset` when there is none). */
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
}

interface Prefetched {
  offset: number;
  isolation: IsolationLevel;
  result: RawFetch;
}

/** A Fetch sent ahead, while the application handles what the last one brought (see `read`). */
interface Ahead {
  offset: number;
  isolation: IsolationLevel;
  maxBytes: number | undefined;
  result: Promise<RawFetch | undefined>;
}

interface PartitionFetch {
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  abortedTransactions: AbortedTransaction[] | null;
  records: Buffer | null;
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * A batch this process produced and saw committed (see {@link WireFetcher.remember}): where the
 * broker put it, the producer stamp it went with, and its records as they went out.
 */
export interface OwnBatch {
  topic: string;
  partition: number;
  baseOffset: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: readonly AppendRecord[];
}

/** The most records of own batches kept for reads to come; the oldest are let go first. */
const OWN_BATCH_RECORDS = 262_144;

const EMPTY_HEADERS: LogRecord['headers'] = Object.freeze([]);

export class WireFetcher {
  readonly transport: WireTransport;
  readonly #options: Required<WireFetcherOptions>;
  readonly #offsets = new Map<string, PartitionOffsets>();
  readonly #prefetched = new Map<string, Prefetched>();
  readonly #ahead = new Map<string, Ahead>();
  /** Held Fetches on their way, per partition (see `#wait`). */
  readonly #waits = new Map<string, { offset: number; isolation: IsolationLevel; fetched: Promise<void> }>();
  /** Own batches by `topic\0partition\0baseOffset`, oldest first (see `remember`). */
  readonly #own = new Map<string, OwnBatch>();
  #ownRecords = 0;

  constructor(transport: WireTransport, options: WireFetcherOptions = {}) {
    this.transport = transport;
    this.#options = {
      maxWaitMs: options.maxWaitMs ?? 5000,
      minBytes: options.minBytes ?? 1,
      maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
    };
  }

  /** From the metadata the client holds (every topic was read at connect; each join reads them again). */
  partitionCount(topic: string): number {
    const info = this.transport.cluster.knownTopic(topic);
    if (info === undefined)
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `Topic "${topic}" does not exist`, { topic });
    return info.partitions.length;
  }

  listTopics(): Promise<string[]> {
    return this.transport.listTopics();
  }

  createTopic(spec: CreateTopicSpec): Promise<unknown> {
    return this.transport.createTopic(spec);
  }

  /** As the last Fetch or ListOffsets of the partition reported. */
  offsets(topic: string, partition: number): PartitionOffsets {
    const o = this.#offsets.get(key(topic, partition));
    if (o === undefined)
      throw new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `No offsets known for ${topic}-${partition}`, {
        topic,
        partition,
      });
    return o;
  }

  /** Reads the log start, high watermark and last stable offset of partitions with ListOffsets. */
  async loadOffsets(partitions: { topic: string; partition: number }[]): Promise<void> {
    const topics = new Map<string, Set<number>>();
    for (const { topic, partition } of partitions) {
      let set = topics.get(topic);
      if (set === undefined) topics.set(topic, (set = new Set()));
      set.add(partition);
    }
    await Promise.all(
      [...topics].map(async ([topic, wanted]) => {
        const [earliest, latest, stable] = await Promise.all([
          this.transport.listOffsets(topic, -2),
          this.transport.listOffsets(topic, -1),
          this.transport.listOffsets(topic, -1, 1),
        ]);
        for (const partition of wanted) {
          const highWatermark = latest.get(partition) ?? 0;
          this.#offsets.set(key(topic, partition), {
            partition,
            logStartOffset: earliest.get(partition) ?? 0,
            highWatermark,
            lastStableOffset: stable.get(partition) ?? highWatermark,
          });
        }
      }),
    );
  }

  /**
   * Records from `offset` on: what the last wait brought back for that offset, or a Fetch now.
   * When the answer stops short of the high watermark, the Fetch for the records after it is sent
   * at once, as Kafka's Java client does, so that it travels while the application handles these:
   * the next `read` of that offset takes its answer. A read of another offset (a seek) drops it.
   */
  async read(topic: string, partition: number, offset: number, options: ReadOptions = {}): Promise<ReadResult> {
    const raw = await this.#take(topic, partition, offset, options);
    const own = this.#own.size > 0 ? (header: BatchHeader) => this.#claim(topic, partition, header) : undefined;
    const { records, nextOffset } = decodeFetched(raw.records, offset, raw.aborted, topic, partition, own);
    return { records, nextOffset, highWatermark: raw.highWatermark, logStartOffset: raw.logStartOffset };
  }

  /**
   * A batch this process produced, committed at `baseOffset`, that a `read` of this fetcher may
   * bring back (Streams' repartition topics, read by the tasks downstream): when a Fetch returns a
   * batch at that offset with the same producer id, epoch, first sequence and record count, and a
   * good CRC, `read` hands out these records instead of decoding the bytes. The broker keeps a
   * producer's batch as it was sent (a producer id, epoch and sequence name one batch), so they are
   * the same records; only a batch of records without headers, whose timestamps were set, is kept
   * (the log's records would differ there). Each is handed out once, and at most
   * {@link OWN_BATCH_RECORDS} records are kept: the rest are decoded as any other.
   */
  remember(batch: OwnBatch): void {
    for (const r of batch.records)
      if ((r.headers !== undefined && r.headers.length > 0) || typeof r.timestamp !== 'number') return;
    const k = `${batch.topic}\u0000${batch.partition}\u0000${batch.baseOffset}`;
    if (this.#own.has(k) || batch.records.length === 0) return;
    this.#own.set(k, batch);
    this.#ownRecords += batch.records.length;
    while (this.#ownRecords > OWN_BATCH_RECORDS) {
      const [oldest, dropped] = this.#own.entries().next().value!;
      this.#own.delete(oldest);
      this.#ownRecords -= dropped.records.length;
    }
  }

  /** The records of an own batch matching `header` (see {@link remember}), as the log's records. */
  #claim(topic: string, partition: number, header: BatchHeader): LogRecord[] | undefined {
    const k = `${topic}\u0000${partition}\u0000${header.baseOffset}`;
    const own = this.#own.get(k);
    if (own === undefined) return undefined;
    this.#own.delete(k);
    this.#ownRecords -= own.records.length;
    const n = own.records.length;
    if (
      header.producerId !== own.producerId ||
      header.producerEpoch !== own.producerEpoch ||
      header.baseSequence !== own.baseSequence ||
      header.recordCount !== n ||
      header.lastOffsetDelta !== n - 1 ||
      header.timestampType !== 'CreateTime'
    )
      return undefined;
    const records = new Array<LogRecord>(n);
    const base = header.baseOffset;
    for (let i = 0; i < n; i++) {
      const r = own.records[i]!;
      records[i] = { offset: base + i, timestamp: r.timestamp!, key: r.key, value: r.value, headers: EMPTY_HEADERS };
    }
    return records;
  }

  /**
   * As {@link read}, decoded straight into kafkajs's messages (the consumer's fetcher reads so,
   * as it reads the embedded log's stored batches): no log records in between.
   */
  async readMessages(
    topic: string,
    partition: number,
    offset: number,
    options: ReadOptions = {},
  ): Promise<FetchedMessages> {
    const raw = await this.#take(topic, partition, offset, options);
    const out = new FetchedMessages(offset, raw.aborted);
    const bytes = raw.records;
    const context = { topic, partition };
    if (bytes !== null)
      for (let pos = 0; pos + 12 <= bytes.length; ) {
        const size = 12 + bytes.readInt32BE(pos + 8);
        if (pos + size > bytes.length) break;
        out.add(bytes.subarray(pos, pos + size), offset, context);
        pos += size;
      }
    out.highWatermark = raw.highWatermark;
    return out;
  }

  /** The Fetch answer for `offset` (see {@link read}), with the Fetch after it sent ahead. */
  async #take(topic: string, partition: number, offset: number, options: ReadOptions): Promise<RawFetch> {
    const isolation = options.isolation ?? 'read_uncommitted';
    const k = key(topic, partition);
    let result: RawFetch | undefined;
    const ready = this.#prefetched.get(k);
    if (ready !== undefined) {
      this.#prefetched.delete(k);
      if (ready.offset === offset && ready.isolation === isolation) result = ready.result;
    }
    const ahead = this.#ahead.get(k);
    if (ahead !== undefined) {
      this.#ahead.delete(k);
      if (
        result === undefined &&
        ahead.offset === offset &&
        ahead.isolation === isolation &&
        ahead.maxBytes === options.maxBytes
      )
        result = await ahead.result;
    }
    result ??= await this.#fetch(topic, partition, offset, isolation, 0, options.maxBytes);
    const end = isolation === 'read_committed' ? this.offsets(topic, partition).lastStableOffset : result.highWatermark;
    if (result.nextOffset > offset && result.nextOffset < end && !this.#ahead.has(k)) {
      const next = result.nextOffset;
      this.#ahead.set(k, {
        offset: next,
        isolation,
        maxBytes: options.maxBytes,
        // A failure is left to the read that would have used it: that read fetches again and meets it.
        result: this.#fetch(topic, partition, next, isolation, 0, options.maxBytes).catch(() => undefined),
      });
    }
    return result;
  }

  /**
   * Resolves once the partition has data at `offset` (a Fetch the broker holds up to `maxWaitMs`),
   * after `maxWaitMs` without data, or at once when `signal` is interrupted (the Fetch then goes on,
   * and its result still serves the next read of that offset).
   */
  waitForData(
    topic: string,
    partition: number,
    offset: number,
    signal?: AbortSignal | WaitInterrupt,
    isolation: IsolationLevel = 'read_uncommitted',
  ): Promise<void> {
    const fetched = this.#wait(topic, partition, offset, isolation);
    if (signal === undefined) return fetched;
    return new Promise<void>((resolve, reject) => {
      const listener = { interrupted: () => resolve() };
      if (signal instanceof AbortSignal) {
        if (signal.aborted) return resolve();
        signal.addEventListener('abort', () => resolve(), { once: true });
      } else {
        signal.listen(listener);
      }
      fetched.then(
        () => {
          if (!(signal instanceof AbortSignal)) signal.unlisten(listener);
          resolve();
        },
        (err) => {
          if (!(signal instanceof AbortSignal)) signal.unlisten(listener);
          reject(err);
        },
      );
    });
  }

  /**
   * Keeps a wait on its way for a partition read to its end as far as this client knows (the high
   * watermark or last stable offset of its last Fetch), as Kafka's consumer keeps fetching every
   * assigned partition: without it, a reader busy with other partitions would only learn of new
   * records once it ran out of work. What the wait brings back serves the next `read` of `offset`.
   */
  watch(topic: string, partition: number, offset: number, isolation: IsolationLevel): void {
    this.#wait(topic, partition, offset, isolation).catch(() => undefined);
  }

  /** A held Fetch of `offset`, shared by every wait for it while it is on its way. */
  #wait(topic: string, partition: number, offset: number, isolation: IsolationLevel): Promise<void> {
    const k = key(topic, partition);
    const current = this.#waits.get(k);
    if (current !== undefined && current.offset === offset && current.isolation === isolation) return current.fetched;
    const fetched = this.#fetch(topic, partition, offset, isolation, this.#options.maxWaitMs)
      .then(
        (result) => {
          if (result.nextOffset > offset) this.#prefetched.set(k, { offset, isolation, result });
        },
        (err: unknown) => {
          // The consumer's next read asks again and meets the error itself.
          if (!(err instanceof TributaryError)) throw err;
        },
      )
      .finally(() => {
        if (this.#waits.get(k)?.fetched === fetched) this.#waits.delete(k);
      });
    this.#waits.set(k, { offset, isolation, fetched });
    return fetched;
  }

  async #fetch(
    topic: string,
    partition: number,
    offset: number,
    isolation: IsolationLevel,
    maxWaitMs: number,
    maxBytes?: number,
  ): Promise<RawFetch> {
    const cluster = this.transport.cluster;
    const p = await cluster.withRetry(async () => {
      const leader = await cluster.leaderFor(topic, partition);
      const found = await this.#join(leader, {
        topic,
        partition,
        offset,
        isolation,
        wait: maxWaitMs > 0,
        maxBytes: maxBytes ?? 1_048_576,
      });
      if (found.errorCode === 1) {
        // Out of range: learn where the partition starts and ends, so the consumer can reset.
        await this.loadOffsets([{ topic, partition }]);
        throw new TributaryError('OFFSET_OUT_OF_RANGE', `Offset ${offset} is out of range for ${topic}-${partition}`, {
          topic,
          partition,
          offset,
        });
      }
      if (found.errorCode !== 0) throw kafkaError(found.errorCode, { topic, partition });
      return found;
    });
    const logStartOffset =
      p.logStartOffset >= 0 ? p.logStartOffset : (this.#offsets.get(key(topic, partition))?.logStartOffset ?? 0);
    this.#offsets.set(key(topic, partition), {
      partition,
      logStartOffset,
      highWatermark: p.highWatermark,
      lastStableOffset: p.lastStableOffset >= 0 ? p.lastStableOffset : p.highWatermark,
    });
    return {
      offset,
      records: p.records,
      aborted: isolation === 'read_committed' ? (p.abortedTransactions ?? []) : [],
      nextOffset: endOfBatches(p.records, offset),
      highWatermark: p.highWatermark,
      logStartOffset,
    };
  }

  readonly #rounds = new Map<string, Round>();

  /**
   * Adds a partition to the next Fetch to its leader. Why one Fetch for many partitions: a broker
   * answers a connection's requests one at a time, so partitions fetched one by one would wait
   * behind each other's held Fetches; together, the broker answers as soon as any has data.
   */
  #join(leader: Broker, want: Omit<Wanted, 'resolve' | 'reject'>): Promise<PartitionFetch> {
    // Waits (which the broker may hold) and reads (which want an answer now) go in separate rounds
    // on separate connections, so a partition with data is never held behind one at its end.
    const roundKey = `${leader.nodeId}\u0000${want.isolation}\u0000${want.wait ? 'wait' : 'read'}`;
    let round = this.#rounds.get(roundKey);
    if (round === undefined) this.#rounds.set(roundKey, (round = { pending: [], inFlight: false }));
    const r = round;
    return new Promise<PartitionFetch>((resolve, reject) => {
      r.pending.push({ ...want, resolve, reject });
      // Wishes made in the same tick go together.
      if (!r.inFlight && r.pending.length === 1) queueMicrotask(() => this.#send(leader, r, want.isolation));
    });
  }

  #send(leader: Broker, round: Round, isolation: IsolationLevel): void {
    if (round.inFlight || round.pending.length === 0) return;
    // A partition goes once per Fetch; a second wish for it waits for the next one.
    const batch: Wanted[] = [];
    const later: Wanted[] = [];
    const seen = new Set<string>();
    for (const w of round.pending) {
      const k = key(w.topic, w.partition);
      if (seen.has(k)) later.push(w);
      else {
        seen.add(k);
        batch.push(w);
      }
    }
    round.pending = later;
    round.inFlight = true;
    const waiting = batch.every((w) => w.wait);
    const maxWaitMs = waiting ? this.#options.maxWaitMs : 0;

    const topics = new Map<string, Wanted[]>();
    for (const w of batch) {
      let list = topics.get(w.topic);
      if (list === undefined) topics.set(w.topic, (list = []));
      list.push(w);
    }
    leader
      .request(
        API.Fetch,
        {
          clusterId: null,
          replicaId: -1,
          replicaState: { replicaId: -1, replicaEpoch: -1 },
          maxWaitMs,
          minBytes: this.#options.minBytes,
          maxBytes: this.#options.maxBytes,
          isolationLevel: isolation === 'read_committed' ? 1 : 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [...topics].map(([topic, list]) => ({
            topic,
            topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
            partitions: list.map((w) => ({
              partition: w.partition,
              currentLeaderEpoch: -1,
              fetchOffset: w.offset,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: w.maxBytes,
            })),
          })),
          forgottenTopicsData: [],
          rackId: '',
        } as never,
        { maxVersion: FETCH_MAX_VERSION, timeout: maxWaitMs + 30_000, lane: waiting ? 'fetch-wait' : 'fetch' },
      )
      .then(
        (response) => {
          const res = response as {
            errorCode: number;
            responses: { topic: string; partitions: ({ partitionIndex: number } & PartitionFetch)[] }[];
          };
          for (const w of batch) {
            if (res.errorCode !== 0) {
              w.reject(kafkaError(res.errorCode, { topic: w.topic, partition: w.partition }));
              continue;
            }
            const found = res.responses
              .find((t) => t.topic === w.topic)
              ?.partitions.find((x) => x.partitionIndex === w.partition);
            if (found === undefined)
              w.reject(
                new TributaryError('UNKNOWN_TOPIC_OR_PARTITION', `No answer for ${w.topic}-${w.partition}`, {
                  topic: w.topic,
                  partition: w.partition,
                  retriable: true,
                }),
              );
            else w.resolve(found);
          }
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => {
        round.inFlight = false;
        this.#send(leader, round, isolation);
      });
  }
}

/** One partition's wish in the next Fetch to its leader. */
interface Wanted {
  topic: string;
  partition: number;
  offset: number;
  isolation: IsolationLevel;
  /** True for a wait (the broker may hold the Fetch), false for a read that wants an answer now. */
  wait: boolean;
  maxBytes: number;
  resolve: (p: PartitionFetch) => void;
  reject: (err: unknown) => void;
}

/** The Fetches to one broker at one isolation level: one in flight, the next gathering. */
interface Round {
  pending: Wanted[];
  inFlight: boolean;
}

/** Past the last whole batch of a Fetch's bytes (a batch's lastOffset + 1), and at least `offset`. */
function endOfBatches(bytes: Buffer | null, offset: number): number {
  let next = offset;
  if (bytes === null) return next;
  for (let pos = 0; pos + 27 <= bytes.length; ) {
    const size = 12 + bytes.readInt32BE(pos + 8);
    if (pos + size > bytes.length) break;
    // baseOffset (int64) + lastOffsetDelta (int32 at 23), as the batch's header has them.
    const last = bytes.readInt32BE(pos) * 2 ** 32 + bytes.readUInt32BE(pos + 4) + bytes.readInt32BE(pos + 23);
    if (last + 1 > next) next = last + 1;
    pos += size;
  }
  return next;
}

/**
 * The records at or after `offset` in a Fetch's batches: a batch may start before the offset (the
 * broker sends whole batches), the last one may be cut short by the size limit (dropped; the next
 * Fetch brings it), control batches are never records, and batches of aborted transactions are
 * dropped under read_committed. The decoder's records are handed over as they are (they are the
 * log's records, field for field), not copied.
 */
export function decodeFetched(
  bytes: Buffer | null,
  offset: number,
  aborted: readonly AbortedTransaction[],
  topic: string,
  partition: number,
  own?: (header: BatchHeader) => LogRecord[] | undefined,
): { records: LogRecord[]; nextOffset: number } {
  let records: LogRecord[] = [];
  let nextOffset = offset;
  if (bytes === null || bytes.length === 0) return { records, nextOffset };
  const pendingAborts = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  const abortedProducers = new Set<number>();
  const context = { context: { topic, partition } };
  let pos = 0;
  while (pos + 12 <= bytes.length) {
    const size = 12 + bytes.readInt32BE(pos + 8);
    if (pos + size > bytes.length) break;
    const slice = bytes.subarray(pos, pos + size);
    pos += size;
    // With own batches to look for, the header comes first and the records only if need be.
    let batch: BatchHeader;
    let decoded: LogRecord[] | undefined;
    if (own === undefined) {
      const whole = decodeRecordBatch(slice, context);
      batch = whole;
      decoded = whole.records;
    } else {
      batch = readBatchHeader(slice, context.context);
    }
    while (pendingAborts.length > 0 && pendingAborts[0]!.firstOffset <= batch.lastOffset)
      abortedProducers.add(pendingAborts.shift()!.producerId);
    if (batch.lastOffset + 1 > nextOffset) nextOffset = batch.lastOffset + 1;
    if (batch.isControl) {
      decoded ??= decodeRecordBatch(slice, context).records;
      const marker = decoded[0] === undefined ? undefined : decodeControlRecord(decoded[0]);
      if (marker?.type === 'ABORT') abortedProducers.delete(batch.producerId);
      continue;
    }
    if (batch.isTransactional && abortedProducers.has(batch.producerId)) continue;
    if (decoded === undefined) {
      const mine = batch.lastOffset >= offset && verifyBatchCrc(slice) ? own!(batch) : undefined;
      decoded = mine ?? decodeRecordBatch(slice, context).records;
    }
    if (records.length === 0 && decoded.length > 0 && decoded[0]!.offset >= offset) {
      records = decoded;
      continue;
    }
    for (const r of decoded) if (r.offset >= offset) records.push(r);
  }
  return { records, nextOffset };
}
