/**
 * Tributary's errors. Every error the library raises on purpose is a {@link TributaryError} with a
 * stable `code` (listed in {@link ErrorCodes} and in the README), a `retriable` flag and the context
 * that matters (topic, partition, offset, subject…). Branch on `code` or on the class, never on
 * the message text.
 *
 * Programmer mistakes (an argument of the wrong type) throw a plain `TypeError` instead.
 *
 * @example
 * try {
 *   await log.createTopic({ topic: 'orders', numPartitions: 3 });
 * } catch (err) {
 *   if (err instanceof TributaryError && err.code === 'TOPIC_ALREADY_EXISTS') return;
 *   throw err;
 * }
 */

/**
 * Every code Tributary raises, with what it means. Kafka's protocol error names are used where
 * Kafka has one, so a Kafka user recognises them.
 */
export const ErrorCodes = {
  INVALID_TOPIC_EXCEPTION: 'A topic name is not legal: [a-zA-Z0-9._-], 1 to 249 characters, not "." or "..".',
  TOPIC_ALREADY_EXISTS: 'A topic with that name exists already.',
  UNKNOWN_TOPIC_OR_PARTITION: 'The topic, or that partition of it, does not exist.',
  INVALID_PARTITIONS: 'A partition count below 1, or not a whole number.',
  INVALID_CONFIG: 'An unknown topic config name, or a value that is not valid for it.',
  INVALID_RECORD: 'A record that cannot be appended as it is (bad key, value, header or timestamp).',
  INVALID_TIMESTAMP:
    "A produced batch whose timestamps the log refuses: marked LogAppendTime (only the log sets that), or a record's timestamp outside the topic's message.timestamp.before.max.ms / after.max.ms.",
  MESSAGE_TOO_LARGE: "A batch larger than the topic's max.message.bytes; nothing of it was appended.",
  OFFSET_OUT_OF_RANGE: 'A read from an offset below the log start or above the high watermark.',
  CORRUPT_MESSAGE: 'A stored batch whose CRC32C does not match, or whose bytes cannot be decoded.',
  UNSUPPORTED_COMPRESSION_TYPE: 'A batch compressed with a codec Tributary does not support.',
  INVALID_REQUEST: 'A request whose arguments are out of range (negative limits, bad offsets…).',
  DATA_DIR_LOCKED: 'Another process (or another open log in this one) holds the data directory.',
  LOG_CLOSED: 'The log was closed, or was never opened.',
  STORAGE_ERROR: 'The storage engine failed to read or write; the cause says why.',
  SERIALIZATION_ERROR: 'A serde could not turn a value into bytes, or bytes into a value.',
  OUT_OF_ORDER_SEQUENCE_NUMBER:
    "An idempotent producer's batch skipped or repeated sequence numbers; nothing was appended.",
  PRODUCER_FENCED: 'A newer producer with the same producer id or transactional id took over; this one is fenced.',
  INVALID_TXN_STATE:
    'A transactional call out of order (a transactional write without a transaction, an end without a begin…).',
  TRANSACTION_TIMED_OUT: 'The transaction stayed open longer than its timeout and was aborted.',
  // Clients: group membership, fencing and client state, with Kafka's protocol error names.
  ILLEGAL_GENERATION: 'A commit or heartbeat from a member of an older generation of the group: a rebalance fenced it.',
  REBALANCE_IN_PROGRESS: 'The group is rebalancing; the member must rejoin before it commits or heartbeats again.',
  UNKNOWN_MEMBER_ID: 'The coordinator does not know this member (it left, or its session timed out).',
  GROUP_ID_NOT_FOUND: 'No group with that id.',
  NON_EMPTY_GROUP: 'The group still has members; stop them before deleting the group or resetting its offsets.',
  INVALID_GROUP_ID: 'A group id that is empty or not a string.',
  INCONSISTENT_GROUP_PROTOCOL: 'The member supports none of the assignors the group uses.',
  CLIENT_NOT_CONNECTED: 'The client is not connected; call connect() first.',
  PRODUCER_NOT_TRANSACTIONAL: 'transaction() on a producer created without a transactionalId.',
  // Streams, with Kafka Streams' exception names.
  TOPOLOGY_EXCEPTION:
    'A topology that cannot run: a node added twice, a missing serde, a processor without access to its store…',
  MISSING_SOURCE_TOPIC: 'A source topic of the topology does not exist; create it before starting the app.',
  INVALID_STATE_STORE: 'No state store by that name, or it cannot be queried now.',
  ILLEGAL_STATE:
    "A call that the object's current state does not allow (starting a KafkaStreams twice, cleaning up a running one…).",
  // Schema registry: each maps to Confluent's numeric error_code, given in brackets.
  SUBJECT_NOT_FOUND: 'No such subject [40401].',
  VERSION_NOT_FOUND: 'No such version of the subject [40402].',
  SCHEMA_NOT_FOUND: 'No schema with that id, or the schema is not registered under the subject [40403].',
  SUBJECT_SOFT_DELETED: 'The subject was soft-deleted; pass permanent=true to hard-delete it [40404].',
  SUBJECT_NOT_SOFT_DELETED: 'A hard delete of a subject that was not soft-deleted first [40405].',
  SCHEMA_VERSION_SOFT_DELETED: 'The version was soft-deleted already [40406].',
  SCHEMA_VERSION_NOT_SOFT_DELETED: 'A hard delete of a version that was not soft-deleted first [40407].',
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: 'The subject has no compatibility level of its own [40408].',
  SUBJECT_MODE_NOT_CONFIGURED: 'The subject has no mode of its own [40409].',
  INCOMPATIBLE_SCHEMA: 'The schema is not compatible with the versions its compatibility level checks [409].',
  INVALID_SCHEMA: 'The schema cannot be parsed, or a reference cannot be resolved [42201].',
  INVALID_VERSION: 'A version that is not a positive integer or "latest" [42202].',
  INVALID_COMPATIBILITY_LEVEL:
    'A compatibility level that is not one of NONE, BACKWARD, FORWARD, FULL and their _TRANSITIVE forms [42203].',
  INVALID_MODE: 'A mode that is not READWRITE, READONLY or IMPORT, or one that cannot be set now [42204].',
  OPERATION_NOT_PERMITTED: 'The operation is not allowed in the current mode [42205].',
  REFERENCE_EXISTS: 'The schema is still referenced by another schema and cannot be deleted [42206].',
  REGISTRY_STORE_ERROR: 'The registry could not read or write its _schemas topic [50001].',
  SCHEMA_VALIDATION_FAILED: 'A record does not match its schema; the error names the failing path and rule.',
  // The wire client: connections, routing and the Kafka error codes that have no code above.
  INVALID_CLIENT_CONFIG:
    'A client config that cannot work: brokers and dataDir together, an empty broker list, an address without a port…',
  CONNECTION_ERROR:
    'A broker could not be reached in connectionTimeout, or its connection closed with requests in flight.',
  REQUEST_TIMED_OUT: 'No answer within requestTimeout, or the broker timed the request out (Kafka error 7).',
  NOT_LEADER_OR_FOLLOWER:
    'The broker does not lead that partition (any more); the client refreshes its metadata and retries.',
  LEADER_NOT_AVAILABLE: 'The partition has no leader right now (an election is under way).',
  NOT_COORDINATOR: 'The broker is not the coordinator of that group or transactional id (any more).',
  COORDINATOR_NOT_AVAILABLE: 'The group or transaction coordinator is not available yet.',
  COORDINATOR_LOAD_IN_PROGRESS: 'The coordinator is still loading its state.',
  NOT_ENOUGH_REPLICAS: 'Fewer in-sync replicas than min.insync.replicas: the write was refused.',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'The write landed, but on fewer in-sync replicas than min.insync.replicas.',
  NOT_CONTROLLER: 'The broker is not the controller that the request needs.',
  UNSUPPORTED_VERSION: 'The broker supports no version of that API that the client implements.',
  INVALID_REPLICATION_FACTOR: 'A replication factor below 1 or above the number of brokers.',
  CONCURRENT_TRANSACTIONS: 'The coordinator is still completing the previous transaction of that transactional id.',
  UNKNOWN_PRODUCER_ID: 'The broker no longer knows the producer id (its state expired).',
  INVALID_TRANSACTION_TIMEOUT: "A transaction timeout above the broker's transaction.max.timeout.ms.",
  KAFKA_PROTOCOL_ERROR: 'A Kafka error code without a code of its own here; the context has kafkaCode and kafkaName.',
  INVALID_SUBJECT:
    'A subject name the registry refuses: empty, over 1,000 characters, or with control characters [42208].',
  SCHEMA_TOO_LARGE: 'A schema too large to be stored in one record of the _schemas topic [42209].',
  REGISTRY_OPERATION_TIMEOUT:
    'A compatibility check that compared more subschema pairs than its budget allows without finishing [50002].',
  // The log (issue 11).
  POLICY_VIOLATION:
    "A request that the topic's policy forbids, as Kafka refuses it (deleteRecords on a compact-only topic).",
  // kafkajs compatibility (src/client/kafkajs-errors.ts).
  KAFKAJS_ERROR:
    "An error raised with one of kafkajs's error classes that has no more specific code; `name` says which.",
  RETRIES_EXCEEDED:
    "A call failed as many times as its `retry.retries` allows (kafkajs's KafkaJSNumberOfRetriesExceeded); `cause` is the last failure.",
  UNSUPPORTED_OPERATION:
    'A client call that the transport in use does not implement yet (over the wire so far: the streams runtime).',
  // The trib CLI and its data directory.
  DATA_DIR_NOT_FOUND:
    'The data directory holds no Tributary data; trib creates one only when asked (--create, or trib topics create).',
  DATA_DIR_INVALID:
    'The data directory path cannot hold a log: it is a file, lies under a file, or cannot be created or written.',
  TRANSPORT_NOT_AVAILABLE:
    'Brokers were named (--bootstrap-server) for a command that needs the data directory itself: trib doctor, trib serve, trib registry serve.',
  // Security: SASL and ACLs, with Kafka's protocol error names.
  SASL_AUTHENTICATION_FAILED:
    'SASL authentication failed: bad credentials, an unknown user, a malformed or expired token, a refused authorization id; the message never holds a secret.',
  UNSUPPORTED_SASL_MECHANISM: 'The client asked for a SASL mechanism the listener does not enable.',
  ILLEGAL_SASL_STATE: 'A SASL message out of order: a message after the exchange completed or failed.',
  TOPIC_AUTHORIZATION_FAILED: 'The principal is not allowed this operation on the topic (the authorizer denied it).',
  GROUP_AUTHORIZATION_FAILED: 'The principal is not allowed this operation on the consumer group.',
  CLUSTER_AUTHORIZATION_FAILED: 'The principal is not allowed this cluster-level operation.',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'The principal is not allowed this operation on the transactional id.',
  INVALID_ACL:
    'An ACL binding or filter that cannot be stored or matched (an unknown resource, operation or pattern type, a bad principal, ANY in a binding…).',
  FENCED_INSTANCE_ID:
    'A static member (group.instance.id) was replaced by a newer member with the same instance id; the old member id is fenced.',
} as const;

/** A stable error code: one of the keys of {@link ErrorCodes}. */
export type ErrorCode = keyof typeof ErrorCodes;

/** The context an error carries: where it happened, never parsed from the message. */
export interface ErrorContext {
  topic?: string;
  partition?: number;
  offset?: bigint | number | string;
  [key: string]: unknown;
}

/** Options every Tributary error accepts. */
export interface TributaryErrorOptions extends ErrorContext {
  cause?: unknown;
  retriable?: boolean;
}

/** The root of every error Tributary raises on purpose. */
export class TributaryError extends Error {
  /** A stable code; see {@link ErrorCodes}. */
  readonly code: ErrorCode;
  /** True when trying the same call again may succeed. */
  readonly retriable: boolean;
  /** Where it happened: topic, partition, offset and whatever else matters. */
  readonly context: Readonly<ErrorContext>;

  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    const { cause, retriable = RETRIABLE_CODES.has(code), ...context } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = retriable;
    this.context = Object.freeze(context);
  }

  get topic(): string | undefined {
    return this.context.topic;
  }

  /** kafkajs's name for `code` (`KafkaJSProtocolError.type`): Kafka's error name, which `code` already is. */
  get type(): string {
    return this.code;
  }

  get partition(): number | undefined {
    return this.context.partition;
  }

  get offset(): bigint | number | string | undefined {
    return this.context.offset;
  }
}

/** A topic name that Kafka would refuse. */
export class InvalidTopicError extends TributaryError {
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('INVALID_TOPIC_EXCEPTION', message, options);
  }
}

/** A topic or partition that does not exist. */
export class UnknownTopicOrPartitionError extends TributaryError {
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('UNKNOWN_TOPIC_OR_PARTITION', message, options);
  }
}

/** A topic config name that is unknown or a value that is invalid. */
export class InvalidConfigError extends TributaryError {
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('INVALID_CONFIG', message, options);
  }
}

/** A stored batch that failed its CRC check or could not be decoded. */
export class CorruptRecordError extends TributaryError {
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('CORRUPT_MESSAGE', message, options);
  }
}

/** A read outside the partition's offsets. */
export class OffsetOutOfRangeError extends TributaryError {
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('OFFSET_OUT_OF_RANGE', message, options);
  }
}

/** A topology that cannot run as built (Kafka Streams' TopologyException). */
export class TopologyError extends TributaryError {
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('TOPOLOGY_EXCEPTION', message, options);
  }
}

/** A serde that failed on a value or on bytes. */
export class SerializationError extends TributaryError {
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('SERIALIZATION_ERROR', message, options);
  }
}

/**
 * The codes Kafka defines as retriable (its `RetriableException`s: a later try may succeed), which
 * a {@link TributaryError} is unless its raiser says otherwise. An unknown topic is one: it may be
 * being created.
 */
export const RETRIABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'CORRUPT_MESSAGE',
  'STORAGE_ERROR',
]);
