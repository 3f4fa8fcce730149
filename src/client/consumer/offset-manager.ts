/**
 * The consumer's offset manager (kafkajs's `OffsetManager`): what each assigned partition has
 * resolved (processed) and committed, when an automatic commit is due, and the commits themselves,
 * one at a time and in order. It knows nothing of how commits travel: its host hands them to the
 * group coordinator in process, or (the wire client) to a broker.
 *
 * kafkajs's auto-commit rules: commit after every processed batch; within a batch, also once
 * `autoCommitInterval` clock ms passed or `autoCommitThreshold` messages were resolved since the last
 * commit; `autoCommit: false` commits nothing by itself.
 *
 * @example
 * const offsets = new OffsetManager(host);
 * offsets.resolved(1);
 * if (offsets.autoCommitDue()) await offsets.commitResolved();
 */
import type { Clock } from '../../clock.ts';
import { parseOffset } from '../convert.ts';
import { clientError, hasCode } from '../errors.ts';
import type { OffsetCommit } from '../../cluster/offset-store.ts';
import type { TopicOffsets, TopicPartitionOffsetAndMetadata } from '../types.ts';

/** A partition as the offset manager sees it. */
export interface TrackedPartition {
  readonly topic: string;
  readonly partition: number;
  /** One past the last processed offset: what a commit writes. */
  resolved: number;
  /** The last committed offset (-1: none). */
  committed: number;
}

/** The auto-commit settings of `run()`. */
export interface AutoCommitConfig {
  autoCommit?: boolean;
  autoCommitInterval?: number | null;
  autoCommitThreshold?: number | null;
}

/** What the offset manager needs from its consumer. */
export interface OffsetManagerHost {
  readonly groupId: string;
  readonly clock: Clock;
  /** The current run's settings; undefined before run(). */
  runConfig(): AutoCommitConfig | undefined;
  /** The member's identity now ('' and -1 when it is not a member). */
  membership(): { memberId: string; generationId: number };
  /** Sends a commit to the group's coordinator. */
  send(request: { groupId: string; memberId: string; generationId: number; offsets: OffsetCommit[] }): Promise<void>;
  /** The assigned partition, if it is one. */
  partition(topic: string, partition: number): TrackedPartition | undefined;
  /** Every assigned partition. */
  partitions(): Iterable<TrackedPartition>;
  /** A commit was refused because the group moved on: the member must rejoin. */
  fenced(): void;
  /** A commit landed (for the COMMIT_OFFSETS event). */
  committed(topics: TopicOffsets[], membership: { memberId: string; generationId: number }): void;
}

export class OffsetManager {
  readonly #host: OffsetManagerHost;
  #uncommitted = 0;
  #lastCommit = 0;
  #chain: Promise<void> = Promise.resolve();
  /** The commit after a batch on its way, if any (see {@link commitAfterBatch}). */
  #afterBatch: Promise<void> | undefined;
  /** Another batch was processed while it was on its way: commit again once it lands. */
  #afterBatchAgain = false;

  constructor(host: OffsetManagerHost) {
    this.#host = host;
  }

  /** A run starts: the commit interval counts from now. */
  start(): void {
    this.#lastCommit = this.#host.clock.now();
  }

  /** `count` more messages were resolved. */
  resolved(count: number): void {
    this.#uncommitted += count;
  }

  /** Whether a batch just processed calls for a commit: after every batch unless autoCommit is false. */
  afterBatchDue(): boolean {
    return this.#host.runConfig()?.autoCommit !== false;
  }

  /** Whether autoCommitInterval or autoCommitThreshold calls for a commit now (checked after every message, so synchronous). */
  autoCommitDue(): boolean {
    const run = this.#host.runConfig();
    if (run === undefined || run.autoCommit === false) return false;
    const interval = run.autoCommitInterval;
    const threshold = run.autoCommitThreshold;
    return (
      (interval != null && this.#host.clock.now() >= this.#lastCommit + interval) ||
      (threshold != null && this.#uncommitted >= threshold)
    );
  }

  /**
   * The commit after a processed batch (kafkajs's), without holding up the partition's next fetch:
   * commits land in order (after any commit already on its way), and the batches processed while
   * one is on its way are covered by a single commit after it, of the offsets resolved by then.
   * `failed` hears of a commit that failed.
   */
  commitAfterBatch(failed: (err: unknown) => void): void {
    if (this.#afterBatch !== undefined) {
      this.#afterBatchAgain = true;
      return;
    }
    this.#afterBatchAgain = false;
    this.#afterBatch = this.commitResolved()
      .then(undefined, failed)
      .then(() => {
        this.#afterBatch = undefined;
        if (this.#afterBatchAgain) this.commitAfterBatch(failed);
      });
  }

  /** eachBatch's `commitOffsetsIfNecessary()`. */
  async commitIfNecessary(): Promise<void> {
    if (this.autoCommitDue()) await this.commitResolved();
  }

  /** eachBatch's `uncommittedOffsets()`. */
  uncommittedOffsets(): { topics: TopicOffsets[] } {
    const topics: TopicOffsets[] = [];
    for (const r of this.#host.partitions()) {
      if (r.resolved <= r.committed) continue;
      let t = topics.find((x) => x.topic === r.topic);
      if (t === undefined) topics.push((t = { topic: r.topic, partitions: [] }));
      t.partitions.push({ partition: r.partition, offset: String(r.resolved) });
    }
    return { topics };
  }

  /** Commits every partition's resolved offset that is ahead of its committed one. */
  commitResolved(partitions: Iterable<TrackedPartition> = this.#host.partitions()): Promise<void> {
    const due = [...partitions].filter((r) => r.resolved > r.committed);
    if (due.length === 0) return Promise.resolve();
    return this.commit(due.map((r) => ({ topic: r.topic, partition: r.partition, offset: String(r.resolved) })));
  }

  /** Commits offsets (the next offset to consume, as in Kafka), after any commit already on its way. */
  commit(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    const host = this.#host;
    const run = async () => {
      const commits = offsets.map((o) => ({
        topic: o.topic,
        partition: o.partition,
        offset: parseOffset(o.offset),
        metadata: o.metadata ?? null,
      }));
      const membership = host.membership();
      if (membership.memberId === '' || membership.generationId < 0) {
        // Not (or no longer) a member: a commit now could overwrite the new owner's progress.
        throw clientError(
          'UNKNOWN_MEMBER_ID',
          `The consumer is not a member of group "${host.groupId}" (not running, or fenced)`,
          {
            groupId: host.groupId,
          },
        );
      }
      try {
        await host.send({
          groupId: host.groupId,
          memberId: membership.memberId,
          generationId: membership.generationId,
          offsets: commits,
        });
      } catch (err) {
        if (
          hasCode(err, 'REBALANCE_IN_PROGRESS') ||
          hasCode(err, 'ILLEGAL_GENERATION') ||
          hasCode(err, 'UNKNOWN_MEMBER_ID')
        )
          host.fenced();
        throw err;
      }
      for (const c of commits) {
        const r = host.partition(c.topic, c.partition);
        if (r !== undefined && c.offset > r.committed) r.committed = c.offset;
      }
      this.#uncommitted = 0;
      this.#lastCommit = host.clock.now();
      const topics: TopicOffsets[] = [];
      for (const c of commits) {
        let t = topics.find((x) => x.topic === c.topic);
        if (t === undefined) topics.push((t = { topic: c.topic, partitions: [] }));
        t.partitions.push({ partition: c.partition, offset: String(c.offset) });
      }
      host.committed(topics, membership);
    };
    const next = this.#chain.then(run, run);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every commit issued so far (and any commit after a batch they call for) has settled. */
  async settled(): Promise<void> {
    while (this.#afterBatch !== undefined) await this.#afterBatch;
    await this.#chain;
  }
}
