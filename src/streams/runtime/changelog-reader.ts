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
  /** The task whose store it is. */
  readonly task: string;
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  position: number;
}

export class ChangelogReader {
  readonly #backend: StreamsBackend;
  readonly #listener: () => StateRestoreListener | undefined;
  /**
   * The restores of tasks not running yet, by `topic:partition` (for the app's store lags): a
   * store's stays, at its end, until {@link forgetTask} (the task runs, or failed to start).
   */
  readonly restoring = new Map<string, RestoringChangelog>();

  constructor(backend: StreamsBackend, listener: () => StateRestoreListener | undefined = () => undefined) {
    this.#backend = backend;
    this.#listener = listener;
  }

  /** Drops the restores of task `task` from {@link restoring}. */
  forgetTask(task: string): void {
    for (const [id, r] of this.restoring) if (r.task === task) this.restoring.delete(id);
  }

  /**
   * Restores `built`, a store of task `task` (`<subtopology>_<partition>`), from its changelog. A
   * store whose changelog is its table's source topic is restored up to `committed`, the app's
   * committed offset there (none: nothing is restored), as Kafka's StoreChangelogReader stops a
   * source changelog: the task processes what follows.
   */
  async restore(built: BuiltStore, partition: number, task: string, committed?: number): Promise<void> {
    const topic = built.changelogTopic;
    if (topic === undefined) return;
    const backend = this.#backend;
    const bytes = built.bytes;
    await backend.loadOffsets([{ topic, partition }]);
    const { lastStableOffset, logStartOffset } = backend.offsets(topic, partition);
    // Up to what is decided: an open transaction's records (a zombie's) are not restored.
    const highWatermark = built.sourceChangelog ? Math.min(lastStableOffset, committed ?? 0) : lastStableOffset;
    if (isCheckpointed(bytes)) await bytes.ready;
    let from = isCheckpointed(bytes) ? (bytes.checkpoint ?? 0) : 0;
    if (from > highWatermark) {
      // The changelog is behind the local checkpoint (recreated?): the local data cannot be trusted.
      for (const { key } of bytes.range(null, null)) bytes.put(key, null);
      from = 0;
    }
    let offset = Math.max(from, logStartOffset);
    // Listed from its start (the listener told of it included): the app's store lags read the
    // position it has reached.
    const under: RestoringChangelog = { task, store: built.store.name, topic, partition, position: offset };
    this.restoring.set(`${topic}:${partition}`, under);
    const progress = new RestoreProgress(this.#listener(), topic, partition, built.store.name);
    progress.start(offset, highWatermark);
    while (offset < highWatermark) {
      // Changelogs are written in transactions (exactly-once over the wire): what was aborted is
      // skipped, as Kafka's restore consumer does with read_committed.
      const result = await backend.read(topic, partition, offset, { maxBytes: 8 << 20, isolation: 'read_committed' });
      let restored = 0;
      let last = -1;
      for (const r of result.records) {
        // A read may run past the end (a source changelog's, short of the topic's): not restored.
        if (r.offset >= highWatermark) break;
        last = r.offset;
        if (r.key === null) continue;
        bytes.put(new Bytes(r.key), built.restoreValue ? built.restoreValue(r.value, r.timestamp, r.key) : r.value);
        restored++;
      }
      const next = Math.min(result.nextOffset, highWatermark);
      if (next > offset) under.position = next;
      if (last >= 0) progress.batch(last, restored);
      if (next <= offset) break;
      offset = next;
    }
    progress.end();
    if (isCheckpointed(bytes) && from !== highWatermark) await bytes.commit(highWatermark);
  }
}
