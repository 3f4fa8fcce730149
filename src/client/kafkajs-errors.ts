/**
 * kafkajs's error classes, so that a kafkajs program's `catch` blocks work unchanged. Each is a
 * {@link TributaryError} (with a stable `code`), shaped as kafkajs's (`name`, `retriable`,
 * `cause`, and each class's own fields).
 *
 * Tributary's own errors are caught by them too, where kafkajs would have raised them: every
 * TributaryError is a `KafkaJSError`; one whose code is a Kafka protocol error is a
 * `KafkaJSProtocolError` (its `type` is Kafka's error name, `errorCode` Kafka's number); one that
 * is not retriable is a `KafkaJSNonRetriableError`; OFFSET_OUT_OF_RANGE is a
 * `KafkaJSOffsetOutOfRange`. (kafkajs's `KafkaJSProtocolError.code` is Kafka's number; here `code`
 * stays the stable string code every TributaryError has, and the number is `errorCode`.)
 *
 * @example
 * try { await producer.send({ topic: 'missing', messages }) }
 * catch (e) { if (e instanceof KafkaJSProtocolError && e.type === 'UNKNOWN_TOPIC_OR_PARTITION') create() }
 */
import { type ErrorCode, TributaryError } from '../errors.ts';
import type { PartitionMetadata } from './types.ts';

/** Kafka's numeric error code of each Tributary code that is a Kafka protocol error. */
export const KAFKA_ERROR_NUMBERS: Readonly<Partial<Record<ErrorCode, number>>> = {
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  MESSAGE_TOO_LARGE: 10,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_TXN_STATE: 48,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  STORAGE_ERROR: 56,
  SASL_AUTHENTICATION_FAILED: 58,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
  PRODUCER_FENCED: 90,
};

type Cause = Error | string;
const text = (e: Cause): string => (typeof e === 'string' ? e : e.message);
const ownInstance = (cls: object, x: unknown) => Function.prototype[Symbol.hasInstance].call(cls, x);
/** A TributaryError whose code is one of Kafka's protocol error codes. */
const hasKafkaCode = (x: unknown) => x instanceof TributaryError && KAFKA_ERROR_NUMBERS[x.code] !== undefined;

/** Options of kafkajs's error constructors. */
export interface KafkaJSErrorMetadata {
  retriable?: boolean;
  topic?: string;
  partitionId?: number;
  metadata?: PartitionMetadata;
  cause?: Error;
}

/** kafkajs's root error; every {@link TributaryError} is one. Retriable unless said otherwise, as kafkajs's. */
export class KafkaJSError extends TributaryError {
  readonly helpUrl?: string;

  constructor(e: Cause, metadata: KafkaJSErrorMetadata = {}, code: ErrorCode = 'KAFKAJS_ERROR') {
    const { retriable = true, cause, topic, partitionId } = metadata;
    super(code, text(e), {
      retriable,
      cause: cause ?? (typeof e === 'string' ? undefined : e),
      topic,
      partition: partitionId,
    });
  }

  /** `instanceof` also holds for the TributaryErrors this class stands for (see the class's comment). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return x instanceof TributaryError;
  }
}

/** A kafkajs error that a retry cannot fix; every TributaryError with `retriable: false` is one. */
export class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(e: Cause, metadata: { cause?: Error } = {}, code: ErrorCode = 'KAFKAJS_ERROR') {
    super(e, { ...metadata, retriable: false }, code);
  }

  /** `instanceof` also holds for the TributaryErrors this class stands for (see the class's comment). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` asks about, a subclass included
    return ownInstance(this, x) || (this === KafkaJSNonRetriableError && x instanceof TributaryError && !x.retriable);
  }
}

/** An error Kafka's protocol defines; a TributaryError whose code is one of Kafka's is one. */
export class KafkaJSProtocolError extends KafkaJSError {
  /** Kafka's numeric error code (kafkajs's `code`). */
  get errorCode(): number {
    return KAFKA_ERROR_NUMBERS[this.code] ?? -1;
  }

  constructor(e: Cause | TributaryError, metadata: KafkaJSErrorMetadata = {}) {
    const code = e instanceof TributaryError ? e.code : 'KAFKAJS_ERROR';
    super(e, { retriable: e instanceof TributaryError ? e.retriable : undefined, ...metadata }, code);
  }

  /** `instanceof` also holds for the TributaryErrors this class stands for (see the class's comment). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` asks about, a subclass included
    return ownInstance(this, x) || (this === KafkaJSProtocolError && hasKafkaCode(x));
  }
}

/** A fetch or seek outside a partition's offsets; every OFFSET_OUT_OF_RANGE error is one. */
export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  constructor(e: Cause, metadata: { topic?: string; partition?: number } = {}) {
    super(e, { retriable: false, topic: metadata.topic, partitionId: metadata.partition });
  }

  /** `instanceof` also holds for the TributaryErrors this class stands for (see the class's comment). */
  static override [Symbol.hasInstance](x: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class `instanceof` asks about, a subclass included
    return ownInstance(this, x) || (x instanceof TributaryError && x.code === 'OFFSET_OUT_OF_RANGE');
  }
}

/** kafkajs's error of partition reassignments (which a single-node log never has). */
export class KafkaJSAlterPartitionReassignmentsError extends KafkaJSProtocolError {
  constructor(e: Cause, topic?: string, partition?: number) {
    super(e, { topic, partitionId: partition });
  }
}

/** A call failed as many times as `retry.retries` allows; `cause` is the last failure. */
export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  readonly retryCount: number;
  readonly retryTime: number;

  constructor(e: Cause, metadata: { retryCount?: number; retryTime?: number } = {}) {
    super(e, { cause: typeof e === 'string' ? undefined : e }, 'RETRIES_EXCEEDED');
    this.retryCount = metadata.retryCount ?? 0;
    this.retryTime = metadata.retryTime ?? 0;
  }
}

/** A connection failure (for the wire client). */
export class KafkaJSConnectionError extends KafkaJSError {
  readonly broker?: string;
  readonly errno?: string;

  constructor(e: Cause, metadata: { broker?: string; code?: string } = {}) {
    super(e);
    this.broker = metadata.broker;
    this.errno = metadata.code;
  }
}

/** A connection closed under a request (for the wire client). */
export class KafkaJSConnectionClosedError extends KafkaJSConnectionError {
  constructor(e: Cause, metadata: { host?: string; port?: number } = {}) {
    super(e, { broker: `${metadata.host}:${metadata.port}` });
  }
}

/** A request that got no answer in `requestTimeout` (for the wire client). */
export class KafkaJSRequestTimeoutError extends KafkaJSError {
  readonly broker?: string;
  readonly correlationId?: number;
  readonly createdAt?: number;
  readonly sentAt?: number;
  readonly pendingDuration?: number;

  constructor(
    e: Cause,
    metadata: {
      broker?: string;
      clientId?: string;
      correlationId?: number;
      createdAt?: number;
      sentAt?: number;
      pendingDuration?: number;
    } = {},
  ) {
    super(e);
    this.broker = metadata.broker;
    this.correlationId = metadata.correlationId;
    this.createdAt = metadata.createdAt;
    this.sentAt = metadata.sentAt;
    this.pendingDuration = metadata.pendingDuration;
  }
}

/** Cluster metadata not loaded yet (for the wire client). */
export class KafkaJSMetadataNotLoaded extends KafkaJSError {}

/** A topic's metadata not loaded yet (for the wire client). */
export class KafkaJSTopicMetadataNotLoaded extends KafkaJSMetadataNotLoaded {
  constructor(e: Cause, metadata: { topic?: string } = {}) {
    super(e, { topic: metadata.topic });
  }
}

/** An assignment naming partitions the topic no longer has. */
export class KafkaJSStaleTopicMetadataAssignment extends KafkaJSError {
  readonly unknownPartitions: PartitionMetadata[];

  constructor(e: Cause, metadata: { topic?: string; unknownPartitions?: PartitionMetadata[] } = {}) {
    super(e, { topic: metadata.topic });
    this.unknownPartitions = metadata.unknownPartitions ?? [];
  }
}

/** A request the server does not support (for the wire client). */
export class KafkaJSServerDoesNotSupportApiKey extends KafkaJSNonRetriableError {
  readonly apiKey?: number;
  readonly apiName?: string;

  constructor(e: Cause, metadata: { apiKey?: number; apiName?: string } = {}) {
    super(e);
    this.apiKey = metadata.apiKey;
    this.apiName = metadata.apiName;
  }
}

/** kafkajs's error classes that carry a message and nothing else. */
export class KafkaJSBrokerNotFound extends KafkaJSError {}
export class KafkaJSPartialMessageError extends KafkaJSNonRetriableError {}
export class KafkaJSSASLAuthenticationError extends KafkaJSNonRetriableError {}
export class KafkaJSGroupCoordinatorNotFound extends KafkaJSNonRetriableError {}
export class KafkaJSNotImplemented extends KafkaJSNonRetriableError {}
export class KafkaJSTimeout extends KafkaJSNonRetriableError {}
export class KafkaJSLockTimeout extends KafkaJSTimeout {}
export class KafkaJSUnsupportedMagicByteInMessageSet extends KafkaJSNonRetriableError {}
export class KafkaJSNoBrokerAvailableError extends KafkaJSError {}

/** deleteGroups failed for some groups: `groups` says which and why. */
export class KafkaJSDeleteGroupsError extends KafkaJSError {
  readonly groups: { groupId: string; errorCode: number; error: Error }[];

  constructor(e: Cause, groups: { groupId: string; errorCode: number; error: Error }[] = []) {
    super(e);
    this.groups = groups;
  }
}

/** deleteTopicRecords refused some partitions: `partitions` says which and why; nothing was deleted. Its `code` is the first refusal's. */
export class KafkaJSDeleteTopicRecordsError extends KafkaJSError {
  readonly partitions: { partition: number; offset: string; error: Error }[];

  constructor(metadata: { topic: string; partitions: { partition: number; offset: string; error: Error }[] }) {
    const first = metadata.partitions[0]?.error;
    const own = first instanceof TributaryError ? first : undefined;
    // The first refused partition's code, so that branching on `code` works as for the log's errors.
    super(
      first ?? `deleteTopicRecords failed for topic "${metadata.topic}"`,
      { topic: metadata.topic, retriable: own?.retriable ?? false },
      own?.code,
    );
    this.partitions = metadata.partitions;
  }
}

/** Several errors at once (kafkajs extends Error; here a TributaryError too). */
export class KafkaJSAggregateError extends KafkaJSError {
  readonly errors: (Error | string)[];

  constructor(message: Cause, errors: (Error | string)[]) {
    super(message, { retriable: false });
    this.errors = errors;
  }
}

/** A member must rejoin with the member id the coordinator gave it (Kafka's MEMBER_ID_REQUIRED). */
export class KafkaJSMemberIdRequired extends KafkaJSError {
  readonly memberId?: string;

  constructor(e: Cause, metadata: { memberId?: string } = {}) {
    super(e);
    this.memberId = metadata.memberId;
  }
}

/** A state that should never be: a bug; not retriable. */
export class KafkaJSInvariantViolation extends KafkaJSNonRetriableError {}
/** A varint that cannot be decoded (wire client). */
export class KafkaJSInvalidVarIntError extends KafkaJSNonRetriableError {}
/** A long that cannot be decoded (wire client). */
export class KafkaJSInvalidLongError extends KafkaJSNonRetriableError {}

/** createTopics refused a topic; `topicName` says which. Its `code` is the refusal's. */
export class KafkaJSCreateTopicError extends KafkaJSProtocolError {
  readonly topicName: string;

  constructor(e: Cause | TributaryError, topicName: string) {
    super(e, { topic: topicName });
    this.topicName = topicName;
  }
}
