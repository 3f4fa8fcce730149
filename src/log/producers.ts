import { TributaryError } from '../errors.ts';
import type { ProducerStamp } from './backend.ts';
import { producerStateKey } from './keys.ts';
import type { KvOp } from './storage/kv.ts';

/**
 * What the functions here read and change of a partition: its name and its producer state.
 * `PartitionState` is one; why not that class itself: it holds these maps, so naming it here would
 * tie the two files in a circle.
 */
export interface ProducerStateHolder {
  readonly topic: { readonly name: string; readonly topicId: number };
  readonly partition: number;
  readonly producers: ReadonlyMap<number, ProducerEntry>;
  /** Producer id → the first offset of its open transaction here. */
  readonly openTransactions: ReadonlyMap<number, number>;
  readonly aborted: ReadonlyMap<number, AbortedTxn[]>;
  /** The maps themselves, to change (made at their first write). */
  producersToWrite(): Map<number, ProducerEntry>;
  openTransactionsToWrite(): Map<number, number>;
  abortedToWrite(): Map<number, AbortedTxn[]>;
}

/**
 * Producer state per partition, as Kafka keeps it: the producer's epoch, its last few batches'
 * sequence numbers (to answer a retried batch with its first offsets instead of appending it
 * again) and, while a transaction is open, the offset of its first record here.
 */
export interface ProducerBatch {
  baseSequence: number;
  lastSequence: number;
  baseOffset: number;
  lastOffset: number;
}

export interface ProducerEntry {
  epoch: number;
  /** The newest last; at most {@link MAX_REMEMBERED_BATCHES}, as Kafka's five in flight. */
  batches: ProducerBatch[];
  /** First offset of the producer's open transaction on this partition, or -1. */
  txnFirstOffset: number;
  /** When it last appended here (the log's clock): idle producers expire after `producer.id.expiration.ms`. */
  lastAppendTime?: number;
}

/** Kafka's `producer.id.expiration.ms` default: a producer id idle for a day is forgotten. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 24 * 3600_000;

/** An aborted transaction's span on a partition: readers in read_committed skip its records. */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** The offset of the ABORT marker. */
  lastOffset: number;
}

export const MAX_REMEMBERED_BATCHES = 5;

/** What a producer stamp means for one batch of `count` records. */
export type SequenceCheck = { kind: 'none' } | { kind: 'append' } | { kind: 'duplicate'; batch: ProducerBatch };

/**
 * Checks a stamped batch against the partition's producer state without changing anything: a
 * fenced epoch or a gap in sequence numbers throws, a batch seen before is a duplicate.
 */
export function checkSequence(
  state: ProducerStateHolder,
  stamp: ProducerStamp | undefined,
  count: number,
): SequenceCheck {
  if (stamp === undefined || stamp.producerId < 0) return { kind: 'none' };
  const context = { topic: state.topic.name, partition: state.partition, producerId: stamp.producerId };
  if (!Number.isSafeInteger(stamp.producerEpoch) || stamp.producerEpoch < 0) {
    throw new TributaryError('INVALID_RECORD', `A producer id needs an epoch ≥ 0, got ${stamp.producerEpoch}`, context);
  }
  if (!Number.isSafeInteger(stamp.baseSequence) || stamp.baseSequence < 0) {
    throw new TributaryError(
      'INVALID_RECORD',
      `A producer id needs a base sequence ≥ 0, got ${stamp.baseSequence}`,
      context,
    );
  }
  const entry = state.producers.get(stamp.producerId);
  const lastSequence = stamp.baseSequence + count - 1;
  // Kafka accepts any first sequence from a producer id it has no state for (the topic was
  // re-created, or the producer expired); a new epoch of a known producer starts at 0.
  if (entry === undefined) return { kind: 'append' };
  if (stamp.producerEpoch > entry.epoch) {
    if (stamp.baseSequence !== 0) {
      throw new TributaryError(
        'OUT_OF_ORDER_SEQUENCE_NUMBER',
        `Producer ${stamp.producerId} epoch ${stamp.producerEpoch} must start at sequence 0 on ${state.topic.name}-${state.partition}, not ${stamp.baseSequence}`,
        context,
      );
    }
    return { kind: 'append' };
  }
  if (stamp.producerEpoch < entry.epoch) {
    throw new TributaryError(
      'PRODUCER_FENCED',
      `Producer ${stamp.producerId} epoch ${stamp.producerEpoch} is fenced by epoch ${entry.epoch}`,
      context,
    );
  }
  const duplicate = entry.batches.find((b) => b.baseSequence === stamp.baseSequence && b.lastSequence === lastSequence);
  if (duplicate !== undefined) return { kind: 'duplicate', batch: duplicate };
  const expected = (entry.batches.at(-1)?.lastSequence ?? -1) + 1;
  if (stamp.baseSequence !== expected) {
    throw new TributaryError(
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
      `Producer ${stamp.producerId} sent sequence ${stamp.baseSequence} to ${state.topic.name}-${state.partition}; expected ${expected}`,
      { ...context, expected, received: stamp.baseSequence },
    );
  }
  return { kind: 'append' };
}

/** Records an appended batch in the producer's state and returns the entry to persist. */
export function rememberBatch(
  state: ProducerStateHolder,
  stamp: ProducerStamp,
  count: number,
  baseOffset: number,
  now: number,
): ProducerEntry {
  let entry = state.producers.get(stamp.producerId);
  if (entry === undefined || stamp.producerEpoch > entry.epoch) {
    entry = { epoch: stamp.producerEpoch, batches: [], txnFirstOffset: entry?.txnFirstOffset ?? -1 };
    state.producersToWrite().set(stamp.producerId, entry);
  }
  entry.lastAppendTime = now;
  entry.batches.push({
    baseSequence: stamp.baseSequence,
    lastSequence: stamp.baseSequence + count - 1,
    baseOffset,
    lastOffset: baseOffset + count - 1,
  });
  if (entry.batches.length > MAX_REMEMBERED_BATCHES) entry.batches.shift();
  if (stamp.isTransactional && entry.txnFirstOffset < 0) {
    entry.txnFirstOffset = baseOffset;
    // While the previous transaction's marker is on its way to disk, its lower first offset
    // still holds the last stable offset back; the marker's completion moves it here.
    if (!state.openTransactions.has(stamp.producerId))
      state.openTransactionsToWrite().set(stamp.producerId, baseOffset);
  }
  return entry;
}

/**
 * Forgets the producers of a partition idle for `expirationMs` (by the log's clock) and without an
 * open transaction, as Kafka's ProducerStateManager does; returns the ops that delete their state.
 * A forgotten producer's next batch is accepted at whatever sequence it carries.
 */
export function expireProducers(state: ProducerStateHolder, now: number, expirationMs: number): KvOp[] {
  const ops: KvOp[] = [];
  for (const [producerId, entry] of state.producers) {
    if (entry.txnFirstOffset >= 0) continue;
    // State stored before append times were kept counts from when this process loaded it.
    entry.lastAppendTime ??= now;
    if (now - entry.lastAppendTime < expirationMs) continue;
    state.producersToWrite().delete(producerId);
    ops.push({ type: 'del', key: producerStateKey(state.topic.topicId, state.partition, producerId) });
  }
  return ops;
}

/** Whether a transactional batch of `producerId` at `offset` belongs to an aborted transaction. */
export function isAborted(state: ProducerStateHolder, producerId: number, offset: number): boolean {
  const spans = state.aborted.get(producerId);
  if (spans === undefined) return false;
  // Spans are sorted by marker offset; the one that can hold `offset` is the first ending at or after it.
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid]!.lastOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  const span = spans[lo];
  return span !== undefined && span.firstOffset <= offset;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}
