/**
 * Kafka Streams' TaskManager: the tasks this instance runs (one per sub-topology and partition),
 * created with their stores restored and their inputs positioned at the app's committed offsets,
 * and closed when revoked, lost or shut down.
 */
import type { AppendRecord, LogRecord } from '../../log/index.ts';
import { StreamTask, type TaskEnv } from '../internal/task.ts';
import type { TopologyGraph } from '../internal/topology-graph.ts';
import type { CommittedInput, StreamsBackend } from './backend.ts';
import type { ChangelogReader } from './changelog-reader.ts';
import type { InternalTopics } from './internal-topics.ts';

/** One input partition of a task. */
export interface Input {
  topic: string;
  partition: number;
  /** Next offset to fetch. */
  position: number;
  /** Offset after the last processed record: what a commit records. */
  consumed: number;
  committed: number;
  /** Records read (with their offsets) or handed over from a commit (offsets from `base`). */
  buffer: (LogRecord | AppendRecord)[];
  /** When set, the buffer's records were handed over and record i has offset base + i. */
  base: number | undefined;
  /** Hand-overs queued behind the buffer, in offset order. */
  queued: { records: AppendRecord[]; base: number }[];
  head: number;
  /** A read of this partition is in flight. */
  fetching: boolean;
  /** The last read found nothing (caught up, or held back by an open transaction). */
  drained: boolean;
}

export interface Running {
  task: StreamTask;
  inputs: Input[];
}

export class TaskManager {
  readonly #topology: TopologyGraph;
  readonly #topics: InternalTopics;
  readonly #backend: StreamsBackend;
  readonly #changelogs: ChangelogReader;
  readonly #env: () => TaskEnv;
  /** The running tasks, by id `<subtopology>_<partition>`. */
  readonly running = new Map<string, Running>();
  /**
   * The app's committed input offsets, per `topic:partition`, with what was committed beside them:
   * the tasks' partition times and processor metadata (commit-metadata.ts).
   */
  committed = new Map<string, CommittedInput>();
  /** Tasks ever created and closed (the thread's task-created-total and task-closed-total). */
  created = 0;
  closed = 0;

  constructor(options: {
    topology: TopologyGraph;
    topics: InternalTopics;
    backend: StreamsBackend;
    changelogs: ChangelogReader;
    env: () => TaskEnv;
  }) {
    this.#topology = options.topology;
    this.#topics = options.topics;
    this.#backend = options.backend;
    this.#changelogs = options.changelogs;
    this.#env = options.env;
  }

  async readCommitted(): Promise<void> {
    this.committed = await this.#backend.readCommitted(this.#topics.inputTopics());
  }

  /** Runs exactly `wanted`: closes the others and creates (restoring their stores) the new ones. */
  async assign(wanted: string[]): Promise<void> {
    for (const id of [...this.running.keys()]) if (!wanted.includes(id)) await this.close([id]);
    // Every commit queued before now is seen before the tasks are restored: a commit of their
    // previous owner still on its way counts.
    await this.#backend.barrier();
    await this.readCommitted();
    for (const id of wanted) {
      if (this.running.has(id)) continue;
      try {
        this.running.set(id, await this.#create(id));
        this.created++;
      } finally {
        // Running (its stores caught up), or failed: its restores are no longer under way.
        this.#changelogs.forgetTask(id);
      }
    }
  }

  async close(ids: string[]): Promise<void> {
    for (const id of ids) {
      const running = this.running.get(id);
      if (running === undefined) continue;
      await running.task.close();
      this.running.delete(id);
      this.closed++;
    }
  }

  /** Closes every task; `clean` false ignores errors (the tasks were lost or failed). */
  async closeAll(clean: boolean): Promise<void> {
    await Promise.all(
      [...this.running.values()].map((r) => (clean ? r.task.close() : r.task.close().catch(() => undefined))),
    );
    this.closed += this.running.size;
    this.running.clear();
  }

  async #create(id: string): Promise<Running> {
    const [s, p] = id.split('_').map(Number) as [number, number];
    const sub = this.#topics.subtopologies.find((x) => x.id === s)!;
    const task = new StreamTask(this.#topology, sub, p, this.#env());
    for (const built of task.stores.values()) {
      const committed = built.sourceChangelog ? this.committed.get(`${built.changelogTopic}:${p}`)?.offset : undefined;
      await this.#changelogs.restore(built, p, id, committed);
    }
    const topics = [...task.sourceTopics.keys()].filter((topic) => p < this.#backend.partitionCount(topic));
    // As Kafka's StreamTask: partition times and processor metadata come back before processors init.
    task.initializeCommitted(topics.map((topic) => [topic, this.committed.get(`${topic}:${p}`)?.metadata]));
    task.init();
    const inputs: Input[] = [];
    await this.#backend.loadOffsets(topics.map((topic) => ({ topic, partition: p })));
    for (const topic of topics) {
      const committed = this.committed.get(`${topic}:${p}`)?.offset ?? this.#backend.offsets(topic, p).logStartOffset;
      inputs.push({
        topic,
        partition: p,
        position: committed,
        consumed: committed,
        committed,
        buffer: [],
        base: undefined,
        queued: [],
        head: 0,
        fetching: false,
        drained: false,
      });
    }
    return { task, inputs };
  }

  /** Some input holds records not processed yet. */
  buffered(): boolean {
    for (const r of this.running.values())
      for (const i of r.inputs) if (i.head < i.buffer.length || i.queued.length > 0) return true;
    return false;
  }

  /** Some input moved past its last commit. */
  consumedMoved(): boolean {
    for (const r of this.running.values()) for (const i of r.inputs) if (i.consumed !== i.committed) return true;
    return false;
  }
}
