/**
 * Kafka Streams' ChangelogReader: brings a task's store up to the end of its changelog
 * `<applicationId>-<store>-changelog` before the task processes anything, from the store's local
 * checkpoint when it has one (a persistent store under `stateDir`), else from the changelog's start,
 * telling the app's restore listener how it goes.
 */
import { Bytes, isCheckpointed } from '../state/bytes.ts';
import type { BuiltStore } from '../state/stores.ts';
import { RestoreProgress, type StateRestoreListener } from '../restore-listener.ts';
import type { StreamsBackend } from './backend.ts';

/** A store's restore under way: its changelog partition and the offset the restore has reached. */
export interface RestoringChangelog {
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  position: number;
}

export class ChangelogReader {
  readonly #backend: StreamsBackend;
  readonly #listener: () => StateRestoreListener | undefined;
  /** The restores under way, by `topic:partition` (for the app's store lags). */
  readonly restoring = new Map<string, RestoringChangelog>();

  constructor(backend: StreamsBackend, listener: () => StateRestoreListener | undefined = () => undefined) {
    this.#backend = backend;
    this.#listener = listener;
  }

  async restore(built: BuiltStore, partition: number): Promise<void> {
    const topic = built.changelogTopic;
    if (topic === undefined) return;
    const backend = this.#backend;
    const bytes = built.bytes;
    await backend.loadOffsets([{ topic, partition }]);
    const { lastStableOffset, logStartOffset } = backend.offsets(topic, partition);
    // Up to what is decided: an open transaction's records (a zombie's) are not restored.
    const highWatermark = lastStableOffset;
    if (isCheckpointed(bytes)) await bytes.ready;
    let from = isCheckpointed(bytes) ? (bytes.checkpoint ?? 0) : 0;
    if (from > highWatermark) {
      // The changelog is behind the local checkpoint (recreated?): the local data cannot be trusted.
      for (const { key } of bytes.range(null, null)) bytes.put(key, null);
      from = 0;
    }
    let offset = Math.max(from, logStartOffset);
    // Listed while under way (the listener told of its start included): the app's store lags read
    // the position it has reached.
    const id = `${topic}:${partition}`;
    const under: RestoringChangelog = { store: built.store.name, topic, partition, position: offset };
    this.restoring.set(id, under);
    const progress = new RestoreProgress(this.#listener(), topic, partition, built.store.name);
    try {
      progress.start(offset, highWatermark);
      while (offset < highWatermark) {
        // Changelogs are written in transactions (exactly-once over the wire): what was aborted is
        // skipped, as Kafka's restore consumer does with read_committed.
        const result = await backend.read(topic, partition, offset, { maxBytes: 8 << 20, isolation: 'read_committed' });
        let restored = 0;
        for (const r of result.records) {
          if (r.key === null) continue;
          bytes.put(new Bytes(r.key), built.restoreValue ? built.restoreValue(r.value, r.timestamp, r.key) : r.value);
          restored++;
        }
        if (result.nextOffset > offset) under.position = result.nextOffset;
        if (result.records.length > 0) progress.batch(result.records[result.records.length - 1]!.offset, restored);
        if (result.nextOffset <= offset) break;
        offset = result.nextOffset;
      }
    } finally {
      this.restoring.delete(id);
    }
    progress.end();
    if (isCheckpointed(bytes) && from !== highWatermark) await bytes.commit(highWatermark);
  }
}
