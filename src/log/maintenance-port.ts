import type { Clock } from '../clock.ts';
import type { KvIterator, KvOp, KvRange } from './storage/kv.ts';

/**
 * What retention (`retention.ts`) and compaction (`compaction.ts`) reach of the engine: its clock,
 * the compaction map's budget, reads of its store and writes through its queue. Why a port and not
 * the engine's class: they change a partition's stored batches, so the writes must go through the
 * one queue that hands out offsets in order, and nothing else of the engine is theirs to call.
 */
export interface MaintenancePort {
  readonly clock: Clock;
  /** Bytes for one compaction's map of latest offsets by key (`EngineOptions.compactionMapBytes`). */
  readonly compactionMapBytes: number;
  /** A store iterator that sees every write queued before it was made. */
  iterate(range: KvRange): KvIterator;
  /** Queues a write behind every write queued so far; resolves once the store (or journal) has it. */
  enqueueWrite(ops: KvOp[], sync?: boolean): Promise<void>;
}
