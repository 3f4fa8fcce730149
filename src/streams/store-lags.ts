/**
 * Kafka Streams' `allLocalStorePartitionLags()` (KIP-535): for every store this instance keeps a
 * changelogged copy of, per partition, how far that copy is behind its changelog — what an app
 * serving interactive queries reads to decide whether a copy is fresh enough to answer from, or
 * to send the caller elsewhere.
 *
 * As Kafka counts it: a running task's stores are caught up (their position is the changelog's
 * end: a running task writes its changelog itself); a store being restored is at the offset its
 * restore has reached. The end is the changelog's high watermark, as Kafka's admin client lists
 * the latest offset. Stores without a changelog (logging disabled) are not listed.
 *
 * @example
 * const lags = await streams.allLocalStorePartitionLags();
 * lags.get('counts-store')?.get(0)?.offsetLag; // 0 once partition 0's task runs
 */
import type { StreamsBackend } from './runtime/backend.ts';
import type { RestoringChangelog } from './runtime/changelog-reader.ts';
import type { Running } from './runtime/task-manager.ts';

/** How far one copy of a store is behind its changelog partition (Kafka's `LagInfo`). */
export class LagInfo {
  /** The changelog offset the copy has reached. */
  readonly currentOffsetPosition: number;
  /** The changelog partition's end offset. */
  readonly endOffsetPosition: number;
  /** How many offsets the copy is behind: the end minus its position, never below 0. */
  readonly offsetLag: number;

  constructor(currentOffsetPosition: number, endOffsetPosition: number) {
    this.currentOffsetPosition = currentOffsetPosition;
    this.endOffsetPosition = endOffsetPosition;
    this.offsetLag = Math.max(0, endOffsetPosition - currentOffsetPosition);
  }
}

/** Store name → partition → lag, for the stores of `running` tasks and of the restores under way. */
export async function storePartitionLags(
  backend: StreamsBackend,
  running: Iterable<Running>,
  restoring: Iterable<RestoringChangelog>,
): Promise<Map<string, Map<number, LagInfo>>> {
  // Each changelog partition once: a running task's stores at the end (Kafka's LATEST_OFFSET),
  // a restore's at the offset it has reached.
  const copies: { store: string; topic: string; partition: number; position: number | 'end' }[] = [];
  for (const { task } of running)
    for (const built of task.stores.values())
      if (built.changelogTopic !== undefined)
        copies.push({
          store: built.store.name,
          topic: built.changelogTopic,
          partition: task.partition,
          position: 'end',
        });
  for (const r of restoring) copies.push({ ...r });
  const lags = new Map<string, Map<number, LagInfo>>();
  if (copies.length === 0) return lags;
  await backend.loadOffsets(copies.map(({ topic, partition }) => ({ topic, partition })));
  for (const { store, topic, partition, position } of copies) {
    const end = backend.offsets(topic, partition).highWatermark;
    let partitions = lags.get(store);
    if (partitions === undefined) lags.set(store, (partitions = new Map()));
    partitions.set(partition, new LagInfo(position === 'end' ? end : position, end));
  }
  return lags;
}
