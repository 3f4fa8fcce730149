/**
 * Kafka's numeric error codes, turned into {@link TributaryError}s. A Kafka error that Tributary
 * already has a code for (UNKNOWN_TOPIC_OR_PARTITION, TOPIC_ALREADY_EXISTS…) gets that code, so code
 * that branches on `err.code` works the same on the embedded log and over the wire; the rest get
 * `KAFKA_PROTOCOL_ERROR` with `kafkaCode` and `kafkaName` in the context. `retriable` follows Kafka's
 * Java client (its `RetriableException` subclasses).
 *
 * @example
 * const err = kafkaError(6, { topic: 'orders', partition: 2 });
 * err.code;      // 'NOT_LEADER_OR_FOLLOWER'
 * err.retriable; // true
 */
import { type ErrorCode, ErrorCodes, TributaryError, type TributaryErrorOptions } from '../../errors.ts';

/** Kafka's name of each error code, and whether its Java client retries it. */
const KAFKA_ERRORS: Record<number, readonly [name: string, retriable: boolean]> = {
  [-1]: ['UNKNOWN_SERVER_ERROR', false],
  1: ['OFFSET_OUT_OF_RANGE', false],
  2: ['CORRUPT_MESSAGE', true],
  3: ['UNKNOWN_TOPIC_OR_PARTITION', true],
  4: ['INVALID_FETCH_SIZE', false],
  5: ['LEADER_NOT_AVAILABLE', true],
  6: ['NOT_LEADER_OR_FOLLOWER', true],
  7: ['REQUEST_TIMED_OUT', true],
  8: ['BROKER_NOT_AVAILABLE', false],
  9: ['REPLICA_NOT_AVAILABLE', true],
  10: ['MESSAGE_TOO_LARGE', false],
  11: ['STALE_CONTROLLER_EPOCH', false],
  12: ['OFFSET_METADATA_TOO_LARGE', false],
  13: ['NETWORK_EXCEPTION', true],
  14: ['COORDINATOR_LOAD_IN_PROGRESS', true],
  15: ['COORDINATOR_NOT_AVAILABLE', true],
  16: ['NOT_COORDINATOR', true],
  17: ['INVALID_TOPIC_EXCEPTION', false],
  18: ['RECORD_LIST_TOO_LARGE', false],
  19: ['NOT_ENOUGH_REPLICAS', true],
  20: ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', true],
  21: ['INVALID_REQUIRED_ACKS', false],
  22: ['ILLEGAL_GENERATION', false],
  23: ['INCONSISTENT_GROUP_PROTOCOL', false],
  24: ['INVALID_GROUP_ID', false],
  25: ['UNKNOWN_MEMBER_ID', false],
  26: ['INVALID_SESSION_TIMEOUT', false],
  27: ['REBALANCE_IN_PROGRESS', false],
  28: ['INVALID_COMMIT_OFFSET_SIZE', false],
  29: ['TOPIC_AUTHORIZATION_FAILED', false],
  30: ['GROUP_AUTHORIZATION_FAILED', false],
  31: ['CLUSTER_AUTHORIZATION_FAILED', false],
  32: ['INVALID_TIMESTAMP', false],
  33: ['UNSUPPORTED_SASL_MECHANISM', false],
  34: ['ILLEGAL_SASL_STATE', false],
  35: ['UNSUPPORTED_VERSION', false],
  36: ['TOPIC_ALREADY_EXISTS', false],
  37: ['INVALID_PARTITIONS', false],
  38: ['INVALID_REPLICATION_FACTOR', false],
  39: ['INVALID_REPLICA_ASSIGNMENT', false],
  40: ['INVALID_CONFIG', false],
  41: ['NOT_CONTROLLER', true],
  42: ['INVALID_REQUEST', false],
  43: ['UNSUPPORTED_FOR_MESSAGE_FORMAT', false],
  44: ['POLICY_VIOLATION', false],
  45: ['OUT_OF_ORDER_SEQUENCE_NUMBER', false],
  46: ['DUPLICATE_SEQUENCE_NUMBER', false],
  47: ['INVALID_PRODUCER_EPOCH', false],
  48: ['INVALID_TXN_STATE', false],
  49: ['INVALID_PRODUCER_ID_MAPPING', false],
  50: ['INVALID_TRANSACTION_TIMEOUT', false],
  51: ['CONCURRENT_TRANSACTIONS', true],
  52: ['TRANSACTION_COORDINATOR_FENCED', false],
  53: ['TRANSACTIONAL_ID_AUTHORIZATION_FAILED', false],
  54: ['SECURITY_DISABLED', false],
  55: ['OPERATION_NOT_ATTEMPTED', false],
  56: ['KAFKA_STORAGE_ERROR', true],
  57: ['LOG_DIR_NOT_FOUND', false],
  58: ['SASL_AUTHENTICATION_FAILED', false],
  59: ['UNKNOWN_PRODUCER_ID', false],
  60: ['REASSIGNMENT_IN_PROGRESS', false],
  68: ['NON_EMPTY_GROUP', false],
  69: ['GROUP_ID_NOT_FOUND', false],
  70: ['FETCH_SESSION_ID_NOT_FOUND', true],
  71: ['INVALID_FETCH_SESSION_EPOCH', true],
  72: ['LISTENER_NOT_FOUND', true],
  73: ['TOPIC_DELETION_DISABLED', false],
  74: ['FENCED_LEADER_EPOCH', true],
  75: ['UNKNOWN_LEADER_EPOCH', true],
  76: ['UNSUPPORTED_COMPRESSION_TYPE', false],
  77: ['STALE_BROKER_EPOCH', false],
  78: ['OFFSET_NOT_AVAILABLE', true],
  79: ['MEMBER_ID_REQUIRED', false],
  80: ['PREFERRED_LEADER_NOT_AVAILABLE', true],
  81: ['GROUP_MAX_SIZE_REACHED', false],
  82: ['FENCED_INSTANCE_ID', false],
  83: ['ELIGIBLE_LEADERS_NOT_AVAILABLE', true],
  84: ['ELECTION_NOT_NEEDED', true],
  85: ['NO_REASSIGNMENT_IN_PROGRESS', false],
  86: ['GROUP_SUBSCRIBED_TO_TOPIC', false],
  87: ['INVALID_RECORD', false],
  88: ['UNSTABLE_OFFSET_COMMIT', true],
  89: ['THROTTLING_QUOTA_EXCEEDED', true],
  90: ['PRODUCER_FENCED', false],
  91: ['RESOURCE_NOT_FOUND', false],
  92: ['DUPLICATE_RESOURCE', false],
  100: ['UNKNOWN_TOPIC_ID', true],
  103: ['INCONSISTENT_TOPIC_ID', true],
  105: ['TRANSACTIONAL_ID_NOT_FOUND', false],
  106: ['FETCH_SESSION_TOPIC_ID_ERROR', true],
  107: ['INELIGIBLE_REPLICA', false],
  108: ['NEW_LEADER_ELECTED', false],
  110: ['FENCED_MEMBER_EPOCH', false],
  113: ['STALE_MEMBER_EPOCH', false],
  120: ['TRANSACTION_ABORTABLE', false],
};

/** Kafka names whose Tributary code differs from the name. */
const RENAMED: Record<string, ErrorCode> = {
  INVALID_PRODUCER_EPOCH: 'PRODUCER_FENCED',
  NETWORK_EXCEPTION: 'CONNECTION_ERROR',
};

/** Kafka's name of an error code (`UNKNOWN_ERROR_<n>` for a code this table lacks). */
export function kafkaErrorName(code: number): string {
  return KAFKA_ERRORS[code]?.[0] ?? `UNKNOWN_ERROR_${code}`;
}

/** True when Kafka's Java client retries this error code. */
export function isRetriableKafkaError(code: number): boolean {
  return KAFKA_ERRORS[code]?.[1] ?? false;
}

/**
 * The {@link TributaryError} for a non-zero Kafka error code, with the broker's message when it sent
 * one and the context given (topic, partition, group…).
 */
export function kafkaError(code: number, context: TributaryErrorOptions = {}, message?: string | null): TributaryError {
  const name = kafkaErrorName(code);
  const retriable = isRetriableKafkaError(code);
  const tributaryCode: ErrorCode = RENAMED[name] ?? (name in ErrorCodes ? (name as ErrorCode) : 'KAFKA_PROTOCOL_ERROR');
  const where =
    context.topic === undefined
      ? ''
      : ` (${context.topic}${context.partition === undefined ? '' : `-${context.partition}`})`;
  const text = message !== undefined && message !== null && message !== '' ? message : ErrorCodes[tributaryCode];
  return new TributaryError(tributaryCode, `Kafka error ${code} ${name}${where}: ${text}`, {
    ...context,
    retriable,
    kafkaCode: code,
    kafkaName: name,
  });
}
