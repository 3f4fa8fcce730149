/**
 * The streams backend on the embedded log: reads and writes go straight to the log, and a commit is
 * one atomic log write of sink records, changelog records and input offsets (exactly-once), or the
 * outputs and then the offsets (at-least-once). The log comes either as given (`log`), with the
 * app's instances sharing tasks in-process, or from a Tributary, whose group coordinator shares them
 * and whose offset store owns the committed offsets.
 */
import { acquireWithCoordinator, type ClientContext } from '../../client/context.ts';
import type { OffsetStore } from '../../cluster/offset-store.ts';
import type { Clock } from '../../clock.ts';
import type {
  AppendResult,
  CreateTopicSpec,
  IsolationLevel,
  LogBackend,
  PartitionAppend,
  PartitionOffsets,
  ReadOptions,
  ReadResult,
  TopicConfig,
} from '../../log/index.ts';
import { InProcessTaskGroup, type TaskAssignor } from '../internal/assignor.ts';
import { CoordinatorTaskGroup } from '../internal/coordinator-task-group.ts';
import { ensureOffsetsTopic, OFFSETS_TOPIC, offsetRecord, readCommittedOffsets } from '../internal/offsets.ts';
import type { CommitRequest, CommittedInput, StreamsBackend } from './backend.ts';

/** Internal topics take whole commits of a partition in one batch. */
const INTERNAL_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export type EmbeddedSource = { kind: 'log'; log: LogBackend } | { kind: 'tributary'; context: ClientContext };

export interface EmbeddedBackendOptions {
  source: EmbeddedSource;
  applicationId: string;
  eos: boolean;
  clock: Clock;
  /** Overrides the task group (tests). */
  assignor?: TaskAssignor;
}

export class EmbeddedBackend implements StreamsBackend {
  readonly clock: Clock;
  readonly handsOver = true;
  readonly takesEncoded = true;
  readonly internalTopicConfigs = { 'max.message.bytes': INTERNAL_MAX_MESSAGE_BYTES };
  readonly repartitionTopicConfigs = {};
  readonly internalBatchLimit = INTERNAL_MAX_MESSAGE_BYTES;
  /**
   * 64 KiB: a read of the log is a call to LevelDB on this machine, cheap to repeat, and the
   * records of 4 MiB of small batches (about 160,000 of 25 bytes) outlived the young generation's
   * collections while the task worked through them: a stream-to-topic pass took 0.71–1.04 M
   * records/s with 19–25% of its time in scavenges, and 1.42–1.88 M with 64 KiB reads
   * (docs/benchmarks.md, session 17).
   */
  readonly inputReadBytes = 64 * 1024;
  readonly #options: EmbeddedBackendOptions;
  #log: LogBackend | undefined;
  #assignor: TaskAssignor | undefined;
  /** The Tributary's offset store, when the app runs on a Tributary (else offsets are read from the log). */
  #offsetStore: OffsetStore | undefined;
  #acquired = false;

  constructor(options: EmbeddedBackendOptions) {
    this.#options = options;
    this.clock = options.clock;
    if (options.source.kind === 'log') {
      this.#log = options.source.log;
      this.#assignor = options.assignor ?? InProcessTaskGroup.for(options.source.log, options.applicationId);
    }
  }

  /** The log the app runs on, once open. */
  get openedLog(): LogBackend | undefined {
    return this.#log;
  }

  get #l(): LogBackend {
    if (this.#log === undefined) throw new Error('the streams backend is not open');
    return this.#log;
  }

  async open(): Promise<void> {
    const source = this.#options.source;
    if (source.kind === 'tributary') {
      const { log, coordinator } = await acquireWithCoordinator(source.context);
      this.#log = log;
      this.#acquired = true;
      // The coordinator's offset store owns committed offsets: the app's commits go through it,
      // so admin.fetchOffsets({ groupId: applicationId }) and lag see them.
      this.#offsetStore = coordinator.offsets;
      this.#assignor =
        this.#options.assignor ??
        new CoordinatorTaskGroup({
          coordinator,
          clock: this.clock,
          groupId: this.#options.applicationId,
          clientId: source.context.clientId,
        });
      await this.#offsetStore.ready();
    } else {
      await ensureOffsetsTopic(this.#l);
    }
  }

  assignor(): TaskAssignor {
    if (this.#assignor === undefined) throw new Error('the streams backend is not open');
    return this.#assignor;
  }

  listTopics(): Promise<string[]> {
    return this.#l.listTopics();
  }

  partitionCount(topic: string): number {
    return this.#l.partitionCount(topic);
  }

  async topicConfig(topic: string): Promise<TopicConfig | undefined> {
    const d = await this.#l.describeTopic(topic).catch(() => undefined);
    return d?.configs;
  }

  async createTopic(spec: CreateTopicSpec): Promise<void> {
    await this.#l.createTopic(spec);
  }

  offsets(topic: string, partition: number): PartitionOffsets {
    return this.#l.offsets(topic, partition);
  }

  async loadOffsets(): Promise<void> {}

  read(topic: string, partition: number, offset: number, options: ReadOptions): Promise<ReadResult> {
    return this.#l.read(topic, partition, offset, options);
  }

  waitForData(
    topic: string,
    partition: number,
    offset: number,
    signal: AbortSignal,
    isolation?: IsolationLevel,
  ): Promise<unknown> {
    return this.#l.waitForData(topic, partition, offset, signal, isolation);
  }

  async readCommitted(): Promise<Map<string, CommittedInput>> {
    const store = this.#offsetStore;
    const app = this.#options.applicationId;
    if (store === undefined) return readCommittedOffsets(this.#l, app);
    await store.ready();
    return new Map(
      store
        .list(app)
        .map((e) => [`${e.topic}:${e.partition}`, { offset: e.committed.offset, metadata: e.committed.metadata }]),
    );
  }

  async commit({ outputs, offsets, now, sync }: CommitRequest): Promise<AppendResult[]> {
    const app = this.#options.applicationId;
    const offsetAppend: PartitionAppend[] =
      offsets.length > 0
        ? [
            {
              topic: OFFSETS_TOPIC,
              partition: 0,
              records: offsets.map((o) => offsetRecord(app, o.topic, o.partition, o.offset, o.metadata ?? null, now)),
            },
          ]
        : [];
    let results: AppendResult[];
    if (this.#options.eos) {
      results = await this.#l.write([...outputs, ...offsetAppend], { sync });
    } else {
      results = outputs.length > 0 ? await this.#l.write(outputs, { sync }) : [];
      if (offsetAppend.length > 0) await this.#l.write(offsetAppend, { sync });
    }
    this.#offsetStore?.apply(app, offsets);
    return results;
  }

  async barrier(): Promise<void> {
    // An empty write resolves once every write queued before it is in the log.
    await this.#l.write([]);
  }

  async deleteRecords(topic: string, partition: number, before: number): Promise<void> {
    await this.#l.deleteRecords(topic, partition, before);
  }

  async close(): Promise<void> {
    if (!this.#acquired) return;
    this.#acquired = false;
    if (this.#options.source.kind === 'tributary') await this.#options.source.context.release();
  }
}
