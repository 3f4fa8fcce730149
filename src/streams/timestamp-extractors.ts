import { TributaryError } from '../errors.ts';
import type { TimestampExtractor } from './processor.ts';

/**
 * Kafka Streams' built-in timestamp extractors, for `Consumed`'s `timestampExtractor` or the app's
 * `defaultTimestampExtractor`. Without either, a task extracts as {@link FailOnInvalidTimestamp}
 * does, as Kafka's default (`default.timestamp.extractor`) is that one. A negative timestamp that an
 * extractor returns drops the record, as Kafka's record queue drops it.
 *
 * @example
 * new KafkaStreams(topology, { applicationId: 'app', defaultTimestampExtractor: UsePartitionTimeOnInvalidTimestamp });
 * builder.stream('clicks', { timestampExtractor: WallclockTimestampExtractor });
 */

type ExtractedRecord = Parameters<TimestampExtractor>[0];

function invalid(record: ExtractedRecord, why: string): TributaryError {
  return new TributaryError(
    'INVALID_TIMESTAMP',
    `Input record ${record.topic}-${record.partition}@${record.offset} has invalid (negative) timestamp ${record.timestamp}${why}`,
    { topic: record.topic, partition: record.partition, offset: record.offset },
  );
}

/**
 * The record's own timestamp (CreateTime or LogAppendTime); a negative one stops the task with
 * `INVALID_TIMESTAMP` (Kafka's default, `FailOnInvalidTimestamp`).
 */
export const FailOnInvalidTimestamp: TimestampExtractor = (record) => {
  if (record.timestamp < 0) {
    throw invalid(record, '. A producer wrote it without one; use another TimestampExtractor to process such records.');
  }
  return record.timestamp;
};

/** The record's own timestamp; a record with a negative one is dropped (Kafka's `LogAndSkipOnInvalidTimestamp`). */
export const LogAndSkipOnInvalidTimestamp: TimestampExtractor = (record) => record.timestamp;

/**
 * The record's own timestamp, or for a negative one the partition's time so far (the highest
 * timestamp its task has seen); with none seen yet the task stops with `INVALID_TIMESTAMP`
 * (Kafka's `UsePartitionTimeOnInvalidTimestamp`).
 */
export const UsePartitionTimeOnInvalidTimestamp: TimestampExtractor = (record, partitionTime) => {
  if (record.timestamp >= 0) return record.timestamp;
  if (partitionTime < 0) throw invalid(record, ', and no partition time is known yet to use instead.');
  return partitionTime;
};

/**
 * The app's clock at processing time, whatever the record carries (Kafka's
 * `WallclockTimestampExtractor`): processing-time semantics. The clock is the injectable one, so a
 * test's `ManualClock` or the test driver's wall-clock time decides.
 */
export const WallclockTimestampExtractor: TimestampExtractor = (_record, _partitionTime, clock) => clock.now();
