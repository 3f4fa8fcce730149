/**
 * What a sink's topic refuses of a record, checked as the record is sent instead of at the commit.
 *
 * Kafka's producer hears of a refused record in its send callback, and Kafka Streams asks the
 * production exception handler about that record alone (`RecordCollectorImpl.recordSendError`):
 * CONTINUE drops it and the rest of the transaction commits. Tributary's commit hands a partition's
 * records to the log in one batch, and a refusal there fails the whole commit; so the collector
 * checks each record against its topic's configs first, with the log's own rules, codes and
 * messages: `MESSAGE_TOO_LARGE` for a record that alone outgrows `max.message.bytes`,
 * `INVALID_RECORD` for a record without a key on a compacted topic, `INVALID_TIMESTAMP` for a
 * timestamp outside `message.timestamp.before.max.ms` / `after.max.ms` around the clock's now.
 * What the log would refuse at the commit anyway (a clock that moved past a bound meanwhile) still
 * stops the task there.
 */
import type { Clock } from '../../clock.ts';
import { TributaryError } from '../../errors.ts';
import {
  checkTimestamps,
  hasTimestampBounds,
  isCompacted,
  type LogHeader,
  nullKeyRefusal,
  type TopicConfig,
} from '../../log/index.ts';
import { singleRecordBatchSize } from '../../protocol/record-batch.ts';

/** What to check of each record sent to one topic; undefined when there is nothing to check. */
export interface RecordChecks {
  readonly topic: string;
  readonly compacted: boolean;
  /** The topic's `max.message.bytes`: what the collector keeps its batches under. */
  readonly maxMessageBytes: number;
  /**
   * The largest batch the topic stores, when it stores records as sent: a topic that compresses
   * them itself checks the compressed batch, whose size is known only once the log has made it.
   */
  readonly maxBatchBytes: number | undefined;
  /** The topic's configs when it bounds record timestamps. */
  readonly bounded: TopicConfig | undefined;
}

/** The checks `config` asks for, or undefined when it refuses nothing a sink could send. */
export function recordChecksOf(topic: string, config: TopicConfig | undefined): RecordChecks | undefined {
  if (config === undefined) return undefined;
  const compression = config['compression.type'];
  const asSent = compression === 'producer' || compression === 'uncompressed';
  return {
    topic,
    compacted: isCompacted(config),
    maxMessageBytes: config['max.message.bytes'],
    maxBatchBytes: asSent ? config['max.message.bytes'] : undefined,
    bounded: hasTimestampBounds(config) ? config : undefined,
  };
}

/** Throws the log's error for a record its topic would refuse; returns when the topic takes it. */
export function checkRecord(
  checks: RecordChecks,
  partition: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
  timestamp: number,
  headers: readonly LogHeader[],
  clock: Clock,
): void {
  const { topic } = checks;
  if (key === null && checks.compacted) throw nullKeyRefusal({ topic, partition });
  const limit = checks.maxBatchBytes;
  // The exact size only for a record near the limit: without headers, a batch of one record adds
  // at most 80 bytes to its key and value.
  if (limit !== undefined && (headers.length > 0 || (key?.length ?? 0) + (value?.length ?? 0) > limit - 128)) {
    const size = singleRecordBatchSize({ key, value, headers: headers.length > 0 ? headers : undefined });
    if (size > limit) {
      throw new TributaryError(
        'MESSAGE_TOO_LARGE',
        `A record of ${size} bytes (in a batch of its own) is larger than topic "${topic}" takes: at most ${limit} (max.message.bytes)`,
        { topic, partition, size, limit },
      );
    }
  }
  if (checks.bounded !== undefined) checkTimestamps(checks.bounded, clock.now(), [timestamp], { topic, partition });
}
