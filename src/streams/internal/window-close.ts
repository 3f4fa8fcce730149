import type { ProcessorContext, StreamRecord } from '../processor.ts';
import type { KeyValue } from '../state/key-value-store.ts';
import type { ValueAndTimestamp } from '../state/value-and-timestamp.ts';
import type { Windowed } from '../windows.ts';
import type { Change } from './change.ts';
import { type InternalProcessorContext, WINDOWED_AGGREGATION_EMIT_INTERVAL_CONFIG } from './task.ts';

/**
 * Which windows of a store have closed, by start (by end for sessions): Kafka's
 * `emitRangeLowerBound`, `emitRangeUpperBound` and `shouldRangeFetch`, which differ between time,
 * sliding and session windows, and the store read that finds them.
 */
export interface ClosedWindows<K, V> {
  /** The first bound not emitted yet, given the close time of the last emit (undefined: none yet). */
  lower(lastEmitCloseTime: number | undefined): number;
  /** The last bound of a window that has closed at `closeTime` (negative: none has). */
  upper(closeTime: number): number;
  /** After a first emit: whether a window may have closed since it (false skips the store read). */
  anyNew?(lower: number, upper: number): boolean;
  /** The windows between the bounds, in the order Kafka's store gives them, each with its timestamp. */
  read(lower: number, upper: number): Iterable<KeyValue<Windowed<K>, ValueAndTimestamp<V>>>;
}

/**
 * A windowed aggregation's emit on window close (Kafka's
 * `AbstractKStreamTimeWindowAggregateProcessor.maybeForwardFinalResult`): called after each record
 * with the close time (stream time minus grace), it reads the windows that have closed since the
 * last emit from the store and forwards each once, its final value as a change with no old value,
 * stamped with the window's timestamp (a session's end) and carrying the current record's headers.
 * It looks at most once per emit interval of the wall clock, and only when the close time has moved.
 *
 * The close time of the last emit is kept, as Kafka keeps it, in the task's processor metadata
 * under the store's name: committed with the input offsets and read back when the task restarts,
 * so that a restarted task does not emit a closed window twice.
 */
export function windowCloseEmitter<K, V>(
  ctx: ProcessorContext,
  storeName: string,
  closed: ClosedWindows<K, V>,
): (record: StreamRecord<unknown, unknown>, closeTime: number) => void {
  const configured = ctx.appConfigs()[WINDOWED_AGGREGATION_EMIT_INTERVAL_CONFIG];
  const intervalMs = typeof configured === 'number' ? configured : 1000;
  const metadata = ctx as Partial<InternalProcessorContext>;
  let nextTimeToEmit = 0;
  let lastEmitCloseTime = metadata.processorMetadataForKey?.(storeName);
  return (record, closeTime) => {
    const now = ctx.currentSystemTimeMs();
    if (now < nextTimeToEmit) return;
    nextTimeToEmit = now + intervalMs;
    if (lastEmitCloseTime !== undefined && lastEmitCloseTime >= closeTime) return;
    const upper = closed.upper(closeTime);
    if (upper < 0) return;
    const lower = closed.lower(lastEmitCloseTime);
    if (lastEmitCloseTime !== undefined && closed.anyNew !== undefined && !closed.anyNew(lower, upper)) return;
    for (const { key, value } of closed.read(lower, upper)) {
      const change: Change<V> = { newValue: value.value, oldValue: null };
      ctx.forward<Windowed<K>, Change<V>>({ ...record, key, value: change, timestamp: value.timestamp });
    }
    lastEmitCloseTime = closeTime;
    metadata.addProcessorMetadataKeyValue?.(storeName, closeTime);
  };
}
