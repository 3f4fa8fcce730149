/**
 * Where `trib consume --offset` starts, in kcat's words: `beginning`, `end`, an absolute offset
 * `N`, `-N` (N records before the end), or `@TIME` (the first record at or after TIME, in epoch
 * milliseconds or as an ISO date). Every start is clamped to the partition's [log start, end], as a
 * Kafka consumer resets an offset that is out of range.
 */
import type { LogBackend } from '../log/backend.ts';

/** What the offsets are read from: the log, or a reader over the wire. */
type Offsets = Pick<LogBackend, 'offsets' | 'offsetForTimestamp'>;
import { UsageError } from './command.ts';

/** A parsed `--offset`. */
export type OffsetSpec =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'absolute'; offset: number }
  | { kind: 'fromEnd'; count: number }
  | { kind: 'timestamp'; ms: number };

/** A time given as epoch milliseconds or an ISO date, as `--offset @…` and `--to-datetime` take it. */
export function parseTime(raw: string, flag: string): number {
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isSafeInteger(ms))
    throw new UsageError(`${flag} takes epoch milliseconds or an ISO date such as 2026-01-31T12:00:00Z, got "${raw}"`);
  return ms;
}

/**
 * @example
 * parseOffsetSpec('-10'); // { kind: 'fromEnd', count: 10 }
 * parseOffsetSpec('@2026-01-31T12:00:00Z'); // { kind: 'timestamp', ms: 1769860800000 }
 */
export function parseOffsetSpec(raw: string): OffsetSpec {
  const word = raw.toLowerCase();
  if (word === 'beginning' || word === 'earliest' || word === 'start') return { kind: 'beginning' };
  if (word === 'end' || word === 'latest') return { kind: 'end' };
  if (raw.startsWith('@')) return { kind: 'timestamp', ms: parseTime(raw.slice(1), '--offset @TIME') };
  if (/^-\d+$/.test(raw)) return { kind: 'fromEnd', count: Number(raw.slice(1)) };
  if (/^\d+$/.test(raw) && Number.isSafeInteger(Number(raw))) return { kind: 'absolute', offset: Number(raw) };
  throw new UsageError(`--offset takes beginning, end, N, -N or @TIME, got "${raw}"`);
}

/** `offset` moved into [log start, end] of the partition. */
export function clampOffset(log: Offsets, topic: string, partition: number, offset: number): number {
  const { logStartOffset, highWatermark } = log.offsets(topic, partition);
  return Math.min(Math.max(offset, logStartOffset), highWatermark);
}

/** The offset a spec names in one partition, clamped to [log start, end]. */
export async function resolveOffset(log: Offsets, topic: string, partition: number, spec: OffsetSpec): Promise<number> {
  const { logStartOffset, highWatermark } = log.offsets(topic, partition);
  switch (spec.kind) {
    case 'beginning':
      return logStartOffset;
    case 'end':
      return highWatermark;
    case 'absolute':
      return clampOffset(log, topic, partition, spec.offset);
    case 'fromEnd':
      return clampOffset(log, topic, partition, highWatermark - spec.count);
    case 'timestamp':
      return (await log.offsetForTimestamp(topic, partition, spec.ms)) ?? highWatermark;
  }
}
