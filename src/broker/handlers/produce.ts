/**
 * Produce (key 0): each partition's RecordBatch is stored as the client sent it (base offset
 * patched, CRC and compression kept) through the log's `appendRecordBatch`, which checks it as Kafka
 * does and appends nothing of a batch it refuses. acks=-1 waits for fsync (unless the broker runs
 * with `fsyncOnAcksAll: false`, as Kafka answers from its page cache), acks=1 for the write,
 * acks=0 gets no response at all. A retried idempotent batch is answered with the offset it got the
 * first time. v0-2 (magic 0/1 message sets) are refused with UNSUPPORTED_VERSION, as Kafka 4 does.
 *
 * Every partition's append is issued before this function first awaits, so requests pipelined on a
 * connection reach the log in the order they were sent (idempotent producers count on it).
 */
import { TributaryError } from '../../errors.ts';
import type { AppendResult, LogBackend, LogHeader, WriteOptions } from '../../log/index.ts';
import { decodeRecordBatch, readBatchHeader } from '../../protocol/index.ts';
import { API } from '../../protocol/messages/index.ts';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/produce.ts';
import type { BrokerContext } from '../context.ts';
import { KafkaCode, kafkaCodeOf, kafkaMessageOf } from '../errors.ts';
import { CLOSE_CONNECTION, handler } from '../handler.ts';
import { isInternalTopic } from '../topics.ts';
import { partitionKey } from '../transactions.ts';

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number];

/** The broker's fast path, when the log is the embedded engine. */
interface RawAppender {
  appendRecordBatch(
    topic: string,
    partition: number,
    batch: Uint8Array,
    options?: WriteOptions & { handOver?: boolean },
  ): Promise<AppendResult>;
}

/**
 * A batch is handed to the log without a copy when the buffer under it holds little else: at most
 * 1/16 of its size more. A large batch arrives in a frame of its own, assembled from the socket's
 * chunks, and is kept as it is; a small one shares its chunk with other frames and is copied out,
 * so that what the log keeps in memory never holds the rest of that chunk.
 */
const HAND_OVER_SLACK_SHIFT = 4;
/** The low byte of a RecordBatch v2's attributes, which holds the transactional bit (0x10). */
const TRANSACTIONAL_BYTE = 22;

/** A one-node broker names no other leader: shared by every answer (and left out by identity when encoded). */
const NO_LEADER = Object.freeze({ leaderId: -1, leaderEpoch: -1 });

/** The log's append options, built once: a produce request allocates none. */
const SYNCED: WriteOptions = Object.freeze({ sync: true });
const UNSYNCED: WriteOptions = Object.freeze({ sync: false });
const HANDED_OVER = Object.freeze({
  synced: Object.freeze({ sync: true, handOver: true }),
  unsynced: Object.freeze({ sync: false, handOver: true }),
});
const COPIED = Object.freeze({
  synced: Object.freeze({ sync: true, handOver: false }),
  unsynced: Object.freeze({ sync: false, handOver: false }),
});

export const produceHandler = handler(API.Produce, (broker, req, info) => {
  const version = info.apiVersion;
  const acks = req.acks;
  const refuse =
    version < 3
      ? KafkaCode.UNSUPPORTED_VERSION
      : acks !== 0 && acks !== 1 && acks !== -1
        ? KafkaCode.INVALID_REQUIRED_ACKS
        : 0;
  const options = acks === -1 && broker.fsyncOnAcksAll !== false ? SYNCED : UNSYNCED;
  const topics = req.topicData;
  // One topic, one partition (a producer with one partition's batches ready, or linger.ms 0): one
  // append and one promise, without the per-topic lists.
  if (refuse === 0 && topics.length === 1 && topics[0]!.partitionData.length === 1) {
    const topic = topics[0]!;
    const p = topic.partitionData[0]!;
    return appendOne(broker, topic.name, p.index, p.records, options).then((partitionResponse) => {
      const responses = [{ name: topic.name, partitionResponses: [partitionResponse] }];
      if (acks === 0) return unanswered(responses);
      return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
    });
  }
  return produceAll(broker, req, refuse, options);
});

async function produceAll(
  broker: BrokerContext,
  req: ProduceRequest,
  refuse: number,
  options: WriteOptions,
): Promise<ProduceResponse | typeof CLOSE_CONNECTION | undefined> {
  const pending = req.topicData.map((topic) => ({
    name: topic.name,
    partitions: topic.partitionData.map((p) =>
      refuse !== 0
        ? Promise.resolve(failed(p.index, refuse, null))
        : appendOne(broker, topic.name, p.index, p.records, options),
    ),
  }));
  const responses = [];
  for (const topic of pending)
    responses.push({ name: topic.name, partitionResponses: await Promise.all(topic.partitions) });
  if (req.acks === 0) return unanswered(responses);
  return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
}

async function appendOne(
  broker: BrokerContext,
  topic: string,
  partition: number,
  records: Buffer | null,
  options: WriteOptions,
): Promise<PartitionResponse> {
  const { log } = broker;
  try {
    if (records === null || records.length === 0) {
      throw new TributaryError('INVALID_RECORD', 'A produce request for a partition needs one record batch', {
        topic,
        partition,
      });
    }
    // Clients never write Kafka's internal topics: the coordinator owns them, and replays them on start.
    if (isInternalTopic(topic))
      return failed(partition, KafkaCode.INVALID_TOPIC_EXCEPTION, `Topic "${topic}" is internal`);
    // The attributes' transactional bit (int16 at 21) is read first: building the whole header for
    // every produce cost more than the check. The log checks the batch itself.
    if (records.length > TRANSACTIONAL_BYTE && (records[TRANSACTIONAL_BYTE]! & 0x10) !== 0) {
      const header = readBatchHeader(records, { topic, partition });
      // Kafka's coordinator refuses a transactional write to a partition the transaction did not add.
      const producer = broker.transactions.ofProducer(header.producerId);
      if (
        header.isTransactional &&
        producer !== undefined &&
        !producer.partitions.has(partitionKey(topic, partition))
      ) {
        return failed(
          partition,
          KafkaCode.INVALID_TXN_STATE,
          `Partition ${topic}-${partition} was not added to the transaction`,
        );
      }
    }
    const result = await append(log, topic, partition, records, options);
    const { logStartOffset } = log.offsets(topic, partition);
    return {
      index: partition,
      errorCode: KafkaCode.NONE,
      baseOffset: result.baseOffset,
      logAppendTimeMs: result.logAppendTime,
      logStartOffset,
      recordErrors: [],
      errorMessage: null,
      currentLeader: NO_LEADER,
    };
  } catch (err) {
    // Kafka answers a stale idempotent epoch on Produce with INVALID_PRODUCER_EPOCH.
    const code =
      err instanceof TributaryError && err.code === 'PRODUCER_FENCED'
        ? KafkaCode.INVALID_PRODUCER_EPOCH
        : kafkaCodeOf(err);
    const response = failed(partition, code, kafkaMessageOf(err));
    // A record the log refused by itself (a timestamp out of bounds) is named, as Kafka's record errors do.
    const recordIndex =
      err instanceof TributaryError ? (err.context as { recordIndex?: unknown }).recordIndex : undefined;
    if (typeof recordIndex === 'number')
      response.recordErrors = [
        { batchIndex: recordIndex, batchIndexErrorMessage: err instanceof Error ? err.message : null },
      ];
    return response;
  }
}

function append(
  log: LogBackend,
  topic: string,
  partition: number,
  batch: Buffer,
  options: WriteOptions,
): Promise<AppendResult> {
  const raw = log as Partial<RawAppender>;
  if (typeof raw.appendRecordBatch === 'function') {
    // The frame is this request's alone and not read again once decoded.
    const handOver = batch.buffer.byteLength - batch.length <= batch.length >>> HAND_OVER_SLACK_SHIFT;
    const chosen = handOver ? HANDED_OVER : COPIED;
    return raw.appendRecordBatch(topic, partition, batch, options.sync === true ? chosen.synced : chosen.unsynced);
  }
  // Another LogBackend: its records go through the ordinary write, re-encoded.
  const decoded = decodeRecordBatch(batch, { context: { topic, partition } });
  if (decoded.sizeInBytes !== batch.length)
    throw new TributaryError('CORRUPT_MESSAGE', 'A produced record set holds more than one batch', {
      topic,
      partition,
    });
  return log
    .write(
      [
        {
          topic,
          partition,
          records: decoded.records.map((r) => ({
            key: r.key,
            value: r.value,
            headers: r.headers as LogHeader[],
            timestamp: r.timestamp,
          })),
          compression: decoded.compression,
          producer:
            decoded.producerId >= 0
              ? {
                  producerId: decoded.producerId,
                  producerEpoch: decoded.producerEpoch,
                  baseSequence: decoded.baseSequence,
                  isTransactional: decoded.isTransactional,
                }
              : undefined,
        },
      ],
      options,
    )
    .then(([result]) => result!);
}

function failed(index: number, errorCode: number, errorMessage: string | null): PartitionResponse {
  return {
    index,
    errorCode,
    baseOffset: -1,
    logAppendTimeMs: -1,
    logStartOffset: -1,
    recordErrors: [],
    errorMessage,
    currentLeader: NO_LEADER,
  };
}

/**
 * acks=0 has no response: a request with any refused partition closes the connection instead (after
 * the responses before it), so the producer notices and refreshes its metadata, as Kafka does.
 */
export function unanswered(
  responses: { partitionResponses: { errorCode: number }[] }[],
): typeof CLOSE_CONNECTION | undefined {
  return responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== 0)) ? CLOSE_CONNECTION : undefined;
}
