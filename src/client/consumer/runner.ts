/**
 * The consumer's runner (kafkajs's `Runner` of a batch): hands one fetched batch to the program's
 * `eachMessage` (message by message) or `eachBatch` handler, with kafkajs's payloads, and keeps
 * the partition's resolved offset and next position as the handler goes. Errors propagate to the
 * caller, which retries the batch or crashes the consumer.
 *
 * @example
 * await runEachMessage(partition, records, nextOffset, eachMessage, host);
 */
import { parseOffset } from '../convert.ts';
import type { KafkaMessage, Offsets, TopicOffsets } from '../types.ts';
import type { FetchedMessages } from './messages.ts';
import type { OffsetManager } from './offset-manager.ts';

/**
 * What `eachMessage` gets for each record, as in kafkajs: the topic, partition and message, a
 * `heartbeat()` for long handlers and `pause()`, which pauses this topic-partition and returns the
 * function that resumes it.
 *
 * @example
 * await consumer.run({ eachMessage: async ({ topic, partition, message }) => console.log(topic, partition, message.offset) });
 */
export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  /** Tells the group this member is alive, for a handler that runs long. */
  heartbeat(): Promise<void>;
  /** Pauses this message's partition after the handler returns; calling the result resumes it. */
  pause(): () => void;
}

/**
 * The records of one topic-partition handed to `eachBatch`, as kafkajs's `Batch`: `messages`,
 * `highWatermark`, and the offsets and lag helpers.
 *
 * @example
 * const lag = batch.offsetLag(); // records between the batch's last offset and the high watermark
 */
export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  /** True when the batch has no messages (only control records or aborted ones were fetched). */
  isEmpty(): boolean;
  /** The first message's offset, or null for an empty batch. */
  firstOffset(): string | null;
  /** The last offset the batch covers. */
  lastOffset(): string;
  /** Records between the batch's last offset and the high watermark: the lag once it is processed. */
  offsetLag(): string;
  /** Records between the batch's first offset and the high watermark: the lag before it is processed. */
  offsetLagLow(): string;
}

/**
 * What `eachBatch` gets, as in kafkajs: the batch and the calls that steer it (`resolveOffset`,
 * `commitOffsetsIfNecessary`, `heartbeat`, `pause`, `isRunning`, `isStale`). With
 * `eachBatchAutoResolve: false`, only resolved offsets count as processed.
 *
 * @example
 * await consumer.run({ eachBatchAutoResolve: false, eachBatch: async ({ batch, resolveOffset }) => {
 *   for (const m of batch.messages) resolveOffset(m.offset);
 * } });
 */
export interface EachBatchPayload {
  batch: Batch;
  /** Marks the message at `offset` (and those before it) processed: the next commit covers it. */
  resolveOffset(offset: string): void;
  /** Tells the group this member is alive, for a batch that takes long. */
  heartbeat(): Promise<void>;
  /** Pauses this batch's partition after the handler returns; calling the result resumes it. */
  pause(): () => void;
  /** Commits the resolved offsets (or `offsets`) if `autoCommitInterval` or `autoCommitThreshold` calls for it. */
  commitOffsetsIfNecessary(offsets?: Offsets): Promise<void>;
  /** The resolved offsets not committed yet. */
  uncommittedOffsets(): { topics: TopicOffsets[] };
  /** False once the consumer stops: a long handler should return. */
  isRunning(): boolean;
  /** True when the partition was revoked or sought since the batch was fetched: the rest of it should be dropped. */
  isStale(): boolean;
}

/** kafkajs's `eachMessage` handler: one call per record, in offset order per partition. */
export type EachMessageHandler = (payload: EachMessagePayload) => Promise<void>;
/** kafkajs's `eachBatch` handler: one call per fetched batch of a topic-partition. */
export type EachBatchHandler = (payload: EachBatchPayload) => Promise<void>;

/** A partition as the runner sees it. */
export interface RunnerPartition {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read. */
  position: number;
  /** One past the last processed offset. */
  resolved: number;
  /** False once stopped or revoked: the handler is told, and nothing more is handed out. */
  active: boolean;
  /** A seek waiting to apply: the rest of the batch is stale. */
  seekTo?: number;
  pause: () => () => void;
  heartbeat: () => Promise<void>;
}

/** What the runner asks of its consumer. */
export interface RunnerHost {
  running(): boolean;
  isPaused(topic: string, partition: number): boolean;
  offsets(): OffsetManager;
  /** After each message: heartbeat if due, commit if autoCommitInterval/Threshold say so. */
  afterMessage(): Promise<void>;
}

/** Hands a batch to `eachMessage`, one message at a time, stopping at a pause, a seek or a stop. */
export async function runEachMessage(
  r: RunnerPartition,
  fetched: FetchedMessages,
  eachMessage: EachMessageHandler,
  host: RunnerHost,
): Promise<void> {
  const { topic, partition, heartbeat, pause } = r;
  const { messages, offsets, nextOffset } = fetched;
  let completed = true;
  for (let i = 0; i < messages.length; i++) {
    if (!r.active || !host.running() || r.seekTo !== undefined) {
      completed = false;
      break;
    }
    await eachMessage({ topic, partition, message: messages[i]!, heartbeat, pause });
    r.resolved = r.position = offsets[i]! + 1;
    host.offsets().resolved(1);
    await host.afterMessage();
    if (host.isPaused(topic, partition)) {
      completed = i === messages.length - 1;
      break;
    }
  }
  // Every record handled: step over the control records that may follow the last one.
  if (completed && r.seekTo === undefined) r.resolved = r.position = nextOffset;
}

/** Hands a batch to `eachBatch` with kafkajs's payload; resolves it whole unless `eachBatchAutoResolve` is false. */
export async function runEachBatch(
  r: RunnerPartition,
  fetched: FetchedMessages,
  run: { eachBatch?: EachBatchHandler; eachBatchAutoResolve?: boolean },
  host: RunnerHost,
): Promise<void> {
  const { topic, partition, heartbeat, pause } = r;
  const { messages, highWatermark, nextOffset } = fetched;
  const offsets = host.offsets();
  const first = fetched.offsets[0]!;
  const last = fetched.offsets[fetched.offsets.length - 1]!;
  const batch: Batch = {
    topic,
    partition,
    highWatermark: String(highWatermark),
    messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => String(first),
    lastOffset: () => String(last),
    offsetLag: () => String(Math.max(0, highWatermark - 1 - last)),
    offsetLagLow: () => String(Math.max(0, highWatermark - 1 - first)),
  };
  await run.eachBatch!({
    batch,
    resolveOffset: (offset) => {
      const o = parseOffset(offset);
      // Resolving the last record steps over control records that follow it.
      const next = o === last ? nextOffset : o + 1;
      if (next > r.resolved) {
        offsets.resolved(next - r.resolved);
        r.resolved = next;
      }
    },
    heartbeat,
    pause,
    commitOffsetsIfNecessary: async (given) => {
      if (given !== undefined)
        await offsets.commit(given.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p }))));
      else await offsets.commitIfNecessary();
    },
    uncommittedOffsets: () => offsets.uncommittedOffsets(),
    isRunning: () => host.running() && r.active,
    isStale: () => r.seekTo !== undefined || !r.active,
  });
  if (run.eachBatchAutoResolve !== false && r.seekTo === undefined && r.active) {
    if (nextOffset > r.resolved) offsets.resolved(nextOffset - r.resolved);
    r.resolved = nextOffset;
  }
  // The next fetch starts at the last resolved offset, as kafkajs's: records the handler did
  // not resolve (eachBatchAutoResolve: false, a pause mid-batch) come again.
  if (r.seekTo === undefined) r.position = r.resolved;
}
