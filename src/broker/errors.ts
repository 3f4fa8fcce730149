/**
 * Kafka's numeric error codes for what handlers throw. A {@link TributaryError} whose code is a
 * Kafka error name (most are: UNKNOWN_TOPIC_OR_PARTITION, TOPIC_ALREADY_EXISTS, ILLEGAL_GENERATION…)
 * gets that error's number; anything else is UNKNOWN_SERVER_ERROR (-1), as Kafka answers an
 * exception it did not expect.
 *
 * @example
 * kafkaCodeOf(new TributaryError('TOPIC_ALREADY_EXISTS', 'exists')); // 36
 * kafkaCodeOf(new Error('boom'));                                     // -1
 */
import { TributaryError } from '../errors.ts';

/** Kafka's error numbers, by the name Kafka and (mostly) Tributary give them. */
export const KafkaCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  KAFKA_STORAGE_ERROR: 56,
  UNKNOWN_PRODUCER_ID: 59,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  MEMBER_ID_REQUIRED: 79,
  INVALID_RECORD: 87,
  PRODUCER_FENCED: 90,
  UNKNOWN_TOPIC_ID: 100,
  TRANSACTIONAL_ID_NOT_FOUND: 105,
  FENCED_INSTANCE_ID: 82,
  UNSTABLE_OFFSET_COMMIT: 88,
} as const;

/** Tributary codes whose Kafka error has another name. */
const RENAMED: Record<string, number> = {
  STORAGE_ERROR: KafkaCode.KAFKA_STORAGE_ERROR,
  LOG_CLOSED: KafkaCode.KAFKA_STORAGE_ERROR,
  TRANSACTION_TIMED_OUT: KafkaCode.INVALID_PRODUCER_EPOCH,
};

/** The Kafka error number for an error a handler caught. */
export function kafkaCodeOf(err: unknown): number {
  if (!(err instanceof TributaryError)) return KafkaCode.UNKNOWN_SERVER_ERROR;
  const kafkaCode = (err.context as { kafkaCode?: unknown }).kafkaCode;
  if (typeof kafkaCode === 'number') return kafkaCode;
  const code = (KafkaCode as Record<string, number>)[err.code] ?? RENAMED[err.code];
  return code ?? KafkaCode.UNKNOWN_SERVER_ERROR;
}

/** The message Kafka's `error_message` fields carry: the error's own for ours, nothing otherwise. */
export function kafkaMessageOf(err: unknown): string | null {
  return err instanceof TributaryError ? err.message : null;
}
