/**
 * Kafka Streams' StreamThread: the pull loop of one instance. Each round it applies group changes
 * (revocations, losses, a new assignment), fetches for inputs whose buffers ran dry, processes
 * depth first, punctuates, and commits every `commitIntervalMs` (or sooner, when the record
 * collector fills up) through the backend: one atomic log write on the embedded log, one Kafka
 * transaction over the wire. One commit is in flight at a time while processing goes on.
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../../clock.ts';
import type { AppendResult, LogRecord, PartitionAppend } from '../../log/index.ts';
import type { TaskGroupMember } from '../internal/assignor.ts';
import { type CheckpointedBytesStore, isCheckpointed } from '../state/bytes.ts';
import type { CacheBudget } from '../state/caching-store.ts';
import { ThreadMetrics, TurnTimer } from '../streams-metrics.ts';
import type { CommitRequest, InputOffset, StreamsBackend } from './backend.ts';
import type { GlobalThread } from './global-thread.ts';
import type { InternalTopics } from './internal-topics.ts';
import type { RecordCollector } from './record-collector.ts';
import type { StreamTask } from '../internal/task.ts';
import type { Input, Running, TaskManager } from './task-manager.ts';

/** What the thread tells its KafkaStreams, and asks of it. */
export interface ThreadHost {
  rebalancing(): void;
  running(): void;
  /**
   * Processing threw: `REPLACE_THREAD` resumes from the last commit; `SHUTDOWN` ends the instance
   * (state PENDING_ERROR, then ERROR once its tasks are closed).
   */
  failed(error: unknown): 'REPLACE_THREAD' | 'SHUTDOWN';
  errored(): void;
}

export interface StreamThreadOptions {
  applicationId: string;
  backend: StreamsBackend;
  tasks: TaskManager;
  topics: InternalTopics;
  globals: GlobalThread;
  collector: RecordCollector;
  budget: CacheBudget | null;
  clock: Clock;
  eos: boolean;
  commitIntervalMs: number;
  purgeIntervalMs: number;
  maxPollRecords: number | undefined;
  syncCommits: boolean;
  memberId: string;
  /** Kafka's `application.server`: where interactive queries reach this instance. */
  applicationServer?: string;
  host: ThreadHost;
}

/**
 * How long one round of processing may run before the loop lets the event loop in: a commit in
 * flight over the wire (AddPartitionsToTxn, Produce, TxnOffsetCommit, EndTxn, each an answer to
 * take in) and the fetches ahead only move between rounds. With rounds of 10 000 records per task
 * a commit took one round per step; WordCount over the wire spent most of its time so.
 */
const ROUND_MS = 8;

/**
 * The signal that wakes the idle loop: every input partition's wait listens to it, so an app with
 * more than ten inputs would get Node's MaxListenersExceededWarning; they are all removed together.
 */
function wakeController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

export class StreamThread {
  readonly #o: StreamThreadOptions;
  readonly #tasks: TaskManager;
  readonly #collector: RecordCollector;
  readonly #backend: StreamsBackend;
  #assignment: string[] | undefined;
  #hosts: ReadonlyMap<string, readonly string[]> = new Map();
  #revocations: { tasks: string[]; done: () => void }[] = [];
  /** Pending notices that this instance was dropped from its group. */
  #losses: (() => void)[] = [];
  #wake: AbortController = wakeController();
  /** Where the next round of task turns starts (see #process). */
  #turn = 0;
  /** When the current round of processing ends (performance.now() ms: a slice of the CPU, not app time). */
  #roundEnd = 0;
  #lastCommit = 0;
  /** Repartition partitions committed past what was purged (`topic:partition` → offset). */
  #unpurged = new Map<string, InputOffset>();
  #lastPurge = 0;
  #stopping = false;
  /** Paused (KIP-834): no processing or punctuation until resumed; commits and the group go on. */
  #paused = false;
  #firstAssignment: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  #inflight: Promise<void> = Promise.resolve();
  /** True while `#inflight` is being written. */
  #committing = false;
  #commitError: unknown;
  /** Reads of inputs on their way (see #fetch), and the first one's failure. */
  readonly #reads = new Set<Promise<void>>();
  #readError: unknown;
  #idleWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #loop: Promise<void> | undefined;
  /** Keeps the process alive while the loop runs, as a Kafka Streams thread keeps the JVM alive. */
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  /** The error that ended the loop, if any. */
  error: unknown;
  /** Records processed and commits, for `KafkaStreams.metrics()`. */
  readonly metrics: ThreadMetrics;

  constructor(options: StreamThreadOptions) {
    this.#o = options;
    this.#tasks = options.tasks;
    this.#collector = options.collector;
    this.#backend = options.backend;
    this.metrics = new ThreadMetrics(options.clock.now());
  }

  /** Starts the loop and joins the app's group; resolves once the first assignment runs. */
  async start(): Promise<void> {
    const first = new Promise<void>((resolve, reject) => {
      this.#firstAssignment = { resolve, reject };
    });
    this.#keepAlive = setInterval(() => {}, 1 << 30);
    this.#loop = this.#run().finally(() => clearInterval(this.#keepAlive));
    try {
      await this.#backend.assignor().join(this.#member(), this.#o.topics.taskIds());
      await first;
    } catch (err) {
      this.#stopping = true;
      this.#wake.abort();
      clearInterval(this.#keepAlive);
      throw err;
    }
  }

  /**
   * Stops the loop; with `commit`, commits what is pending. Then closes the tasks and leaves the
   * group (only then: leaving hands the tasks to other instances). Resolves with a commit's error.
   */
  async stop(commit: boolean): Promise<unknown> {
    this.#stopping = true;
    this.#wake.abort();
    await this.#loop?.catch(() => undefined);
    clearInterval(this.#keepAlive);
    let failure: unknown;
    if (commit) {
      await this.#commit().catch((err) => (this.#commitError ??= err));
      await this.#inflight;
      failure = this.#commitError;
    }
    await this.#tasks.closeAll(true);
    if (this.#loop !== undefined) await this.#leave();
    return failure;
  }

  /** Leaves the app's group (which hands this instance's tasks to the others). */
  async #leave(): Promise<void> {
    await this.#backend
      .assignor()
      .leave(this.#o.memberId)
      .catch(() => undefined);
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Pauses or resumes processing and punctuation (see {@link #pausedRound}). */
  setPaused(paused: boolean): void {
    this.#paused = paused;
    this.#wake.abort();
  }

  waitForIdle(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#idleWaiters.push({ resolve, reject });
      this.#wake.abort();
    });
  }

  async #caughtUp(): Promise<boolean> {
    if (
      this.#collector.pending > 0 ||
      (this.#o.budget?.used ?? 0) > 0 ||
      this.#revocations.length > 0 ||
      this.#assignment !== undefined
    )
      return false;
    if (this.#unpurged.size > 0) return false;
    // Over the wire the offsets known are those of the last fetch: ask for the current ones.
    const partitions = this.#o.globals.partitions();
    for (const r of this.#tasks.running.values())
      for (const i of r.inputs) partitions.push({ topic: i.topic, partition: i.partition });
    await this.#backend.loadOffsets(partitions);
    if (!this.#o.globals.caughtUp()) return false;
    for (const r of this.#tasks.running.values()) {
      for (const i of r.inputs) {
        const o = this.#backend.offsets(i.topic, i.partition);
        if (i.consumed !== i.committed || i.position < (this.#o.eos ? o.lastStableOffset : o.highWatermark))
          return false;
      }
    }
    return true;
  }

  /**
   * The tasks each application server of the app runs, as of the last assignment (Kafka's
   * `partitionsByHost`): instances that named no server are not in it.
   */
  get hosts(): ReadonlyMap<string, readonly string[]> {
    return this.#hosts;
  }

  #member(): TaskGroupMember {
    return {
      memberId: this.#o.memberId,
      ...(this.#o.applicationServer !== undefined ? { applicationServer: this.#o.applicationServer } : {}),
      revoke: (tasks) =>
        new Promise<void>((done) => {
          this.#revocations.push({ tasks, done });
          this.#wake.abort();
        }),
      assign: (tasks, hosts) => {
        this.#assignment = tasks;
        this.#hosts = hosts;
        this.#wake.abort();
      },
      lose: () =>
        new Promise<void>((done) => {
          this.#losses.push(done);
          this.#wake.abort();
        }),
    };
  }

  async #run(): Promise<void> {
    const tasks = this.#tasks;
    while (!this.#stopping) {
      try {
        if (this.#commitError !== undefined) throw this.#commitError;
        await this.#groupWork();
        if (this.#stopping) break;
        if (this.#assignment === undefined && tasks.running.size === 0) {
          await this.#idle(undefined);
          continue;
        }
        if (this.#paused) {
          await this.#pausedRound();
          continue;
        }
        // The turn's phases are timed for the thread's metrics (Kafka's runOnce sensors).
        const turn = new TurnTimer();
        await this.#fetch();
        turn.lap('poll');
        const punctuatedBefore = this.#punctuations();
        let processed = this.#process();
        const records = processed;
        turn.lap('process');
        if (await this.#o.globals.poll()) processed++;
        const now = this.#o.clock.now();
        turn.skip();
        let onWallClock = 0;
        for (const r of tasks.running.values()) {
          onWallClock += r.task.punctuateWallClock(now);
          // Those on stream time ran as records advanced it, during processing; and here, as in
          // Kafka's loop, so that a stream time restored from the commit fires before any record.
          r.task.punctuateStreamTime();
        }
        turn.lap('punctuate');
        const punctuated = this.#punctuations() - punctuatedBefore;
        const dirty = this.#collector.pending > 0 || (this.#o.budget?.used ?? 0) > 0;
        // While the previous commit is being written the next one grows (see #mustStop): a commit
        // now would only wait for it.
        if (
          (!this.#committing || this.#collector.overfull) &&
          (this.#collector.full ||
            (dirty && now - this.#lastCommit >= this.#o.commitIntervalMs) ||
            this.#consumedMoved(now))
        ) {
          await this.#commit();
        }
        // Nothing to do but uncommitted work: commit now rather than sit out the interval, so
        // downstream sub-topologies (through repartition topics) get their input sooner.
        if (
          processed === 0 &&
          !tasks.buffered() &&
          (this.#collector.pending > 0 ||
            (this.#o.budget?.used ?? 0) > 0 ||
            this.#consumedMoved(Number.POSITIVE_INFINITY))
        ) {
          await this.#commit();
        }
        turn.lap('commit');
        // Let I/O in (a commit's answers, fetches ahead) before the next round.
        if (processed > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        if (processed === 0 && !tasks.buffered()) {
          await this.#purge();
          if (this.#idleWaiters.length > 0 && (await this.#caughtUp()))
            for (const w of this.#idleWaiters.splice(0)) w.resolve();
          turn.skip();
          await this.#idle(this.#nextDeadline());
          // Waiting for input is polling, as Kafka's poll blocks for records.
          turn.lap('poll');
        }
        this.metrics.round(records, punctuated, onWallClock, turn.finish(), this.#o.clock.now());
      } catch (error) {
        if (this.#stopping) break;
        const response = this.#o.host.failed(error);
        this.#collector.drop();
        if (response === 'REPLACE_THREAD') {
          await this.#inflight;
          this.#commitError = undefined;
          this.#assignment = [...tasks.running.keys()];
          await tasks.closeAll(true);
          await tasks.readCommitted();
          continue;
        }
        this.error = error;
        await tasks.closeAll(false);
        this.#firstAssignment?.reject(error);
        for (const w of this.#idleWaiters.splice(0)) w.reject(error);
        this.#o.host.errored();
        this.#stopping = true;
        void this.#leave();
        return;
      }
    }
  }

  /** Punctuators the running tasks have run so far. */
  #punctuations(): number {
    let n = 0;
    for (const r of this.#tasks.running.values()) n += r.task.punctuations;
    return n;
  }

  /**
   * A round while paused, as Kafka Streams pauses (KIP-834): no task processes or punctuates and
   * no input is read further, but what was processed before commits, rebalances are served and
   * global tables keep up; then it waits for a wake-up (resume, a group change, close) or a
   * global topic's data, not for its inputs'.
   */
  async #pausedRound(): Promise<void> {
    await this.#o.globals.poll();
    if (this.#collector.pending > 0 || (this.#o.budget?.used ?? 0) > 0 || this.#consumedMoved(Number.POSITIVE_INFINITY))
      await this.#commit();
    await this.#idle(undefined, false);
  }

  /** Offsets moved with nothing to write (records filtered out): commit them on the interval too (or at once, with `now` = Infinity). */
  #consumedMoved(now: number): boolean {
    if (now - this.#lastCommit < this.#o.commitIntervalMs) return false;
    return this.#tasks.consumedMoved();
  }

  #nextDeadline(): number | undefined {
    let next: number | undefined;
    if (this.#collector.pending > 0 || this.#o.budget?.used) next = this.#lastCommit + this.#o.commitIntervalMs;
    for (const r of this.#tasks.running.values()) {
      const due = r.task.nextWallClockDue();
      if (due !== undefined && (next === undefined || due < next)) next = due;
    }
    return next;
  }

  /**
   * Waits for data on any input (unless `inputs` is false), a global topic's data, a deadline on the
   * clock, or a wake-up (group change, close, resume).
   */
  async #idle(deadline: number | undefined, inputs = true): Promise<void> {
    const wake = this.#wake;
    if (wake.signal.aborted) {
      this.#wake = wakeController();
      return;
    }
    const waits: Promise<unknown>[] = [
      new Promise((resolve) => wake.signal.addEventListener('abort', resolve, { once: true })),
    ];
    const isolation = this.#o.eos ? 'read_committed' : 'read_uncommitted';
    if (inputs)
      for (const r of this.#tasks.running.values())
        for (const i of r.inputs)
          waits.push(
            this.#backend.waitForData(i.topic, i.partition, i.position, wake.signal, isolation).catch(() => undefined),
          );
    waits.push(...this.#o.globals.waits(wake.signal));
    const clock = this.#o.clock;
    let timer: ReturnType<Clock['setTimeout']> | undefined;
    if (deadline !== undefined)
      waits.push(
        new Promise(
          (resolve) => (timer = clock.setTimeout(() => resolve(undefined), Math.max(0, deadline - clock.now()))),
        ),
      );
    await Promise.race(waits);
    if (timer !== undefined) clock.clearTimeout(timer);
    if (!wake.signal.aborted) wake.abort();
    this.#wake = wakeController();
  }

  async #groupWork(): Promise<void> {
    const tasks = this.#tasks;
    if (this.#losses.length > 0) {
      // Out of the group: whatever is not committed is dropped, and the tasks close without a commit.
      const losses = this.#losses.splice(0);
      await this.#inflight;
      this.#collector.drop();
      await tasks.closeAll(false);
      this.#collector.drop();
      for (const done of losses) done();
    }
    if (this.#revocations.length > 0) {
      const revocations = this.#revocations.splice(0);
      await this.#commit();
      await this.#inflight;
      for (const { tasks: ids, done } of revocations) {
        await tasks.close(ids);
        done();
      }
    }
    if (this.#assignment !== undefined) {
      const wanted = this.#assignment;
      this.#assignment = undefined;
      this.#o.host.rebalancing();
      await tasks.assign(wanted);
      this.#lastCommit = this.#o.clock.now();
      this.#o.host.running();
      this.#firstAssignment?.resolve();
      this.#firstAssignment = undefined;
    }
  }

  /**
   * Starts a read for each input whose buffer ran dry. The loop waits for reads only while no task
   * has records to process without them: over the wire a read can be a Fetch on its way, and the
   * other tasks' records are processed meanwhile. A task waits for its own inputs' reads (see
   * #ready), so it always picks among all of them by timestamp as before.
   */
  async #fetch(): Promise<void> {
    const isolation = this.#o.eos ? 'read_committed' : 'read_uncommitted';
    const maxRecords = this.#o.maxPollRecords;
    const options = {
      maxBytes: this.#backend.inputReadBytes,
      isolation,
      ...(maxRecords !== undefined ? { maxRecords } : {}),
    } as const;
    for (const r of this.#tasks.running.values()) {
      for (const input of r.inputs) {
        if (input.fetching || input.head < input.buffer.length || input.queued.length > 0) continue;
        const { highWatermark, lastStableOffset, logStartOffset } = this.#backend.offsets(input.topic, input.partition);
        if (input.position < logStartOffset) input.position = input.consumed = logStartOffset;
        // Exactly-once reads stop at the last stable offset: past it, a read would come back empty.
        if (input.position >= (this.#o.eos ? lastStableOffset : highWatermark)) {
          this.#backend.watch?.(input.topic, input.partition, input.position, isolation);
          continue;
        }
        input.fetching = true;
        const read: Promise<void> = this.#backend
          .read(input.topic, input.partition, input.position, options)
          .then(
            (result) => {
              input.buffer = result.records;
              input.base = undefined;
              input.head = 0;
              input.position = result.nextOffset;
              input.drained = result.records.length === 0;
              if (input.drained) input.consumed = result.nextOffset;
            },
            (error: unknown) => {
              this.#readError ??= error;
            },
          )
          .finally(() => {
            input.fetching = false;
            this.#reads.delete(read);
          });
        this.#reads.add(read);
      }
    }
    while (this.#reads.size > 0 && this.#readError === undefined && !this.#anyReady()) await Promise.race(this.#reads);
    const error = this.#readError;
    if (error !== undefined) {
      this.#readError = undefined;
      throw error;
    }
  }

  /** Some task has records to process and no read of its inputs on its way. */
  #anyReady(): boolean {
    for (const r of this.#tasks.running.values()) if (this.#ready(r) && this.#holds(r)) return true;
    return false;
  }

  /** No read of the task's inputs is on its way. */
  #ready(r: Running): boolean {
    for (const i of r.inputs) if (i.fetching) return false;
    return true;
  }

  #holds(r: Running): boolean {
    for (const i of r.inputs) if (i.head < i.buffer.length || i.queued.length > 0) return true;
    return false;
  }

  /**
   * Processes what is buffered. Tasks holding records handed over from a commit go first, through
   * all of them: those records are already in memory, and left queued while upstream tasks make
   * more they pile up (in WordCount up to 380 000 repartition records waited, copied from GC to
   * GC). The other tasks then take turns of up to 10 000 records, from the one after the task
   * whose turn a full commit cut short, so no task waits for another to empty its buffer.
   */
  #process(): number {
    let processed = 0;
    this.#roundEnd = performance.now() + ROUND_MS;
    const running = [...this.#tasks.running.values()];
    // The turn's wall-clock time, which records' end-to-end latencies are measured against.
    const now = this.#o.clock.now();
    for (const r of running) r.task.wallClockMs = now;
    for (const r of running) {
      if (!this.#ready(r)) continue;
      let handedOver = 0;
      for (const i of r.inputs) {
        if (i.base === undefined) continue;
        handedOver += i.buffer.length - i.head;
        for (const q of i.queued) handedOver += q.records.length;
      }
      if (handedOver > 0) processed += this.#processTask(r, handedOver);
    }
    const n = running.length;
    for (let k = 0; k < n && !this.#mustStop(); k++) {
      const at = (this.#turn + k) % n;
      if (!this.#ready(running[at]!)) continue;
      processed += this.#processTask(running[at]!, 10_000);
      if (this.#mustStop()) this.#turn = at + 1;
      else if (performance.now() >= this.#roundEnd) {
        this.#turn = at + 1;
        break;
      }
    }
    return processed;
  }

  /**
   * Processing stops for a commit once the collector is full, unless the previous commit is still
   * being written: then it goes on until that one is done or the collector is overfull.
   */
  #mustStop(): boolean {
    const collector = this.#collector;
    return collector.full && (!this.#committing || collector.overfull);
  }

  /**
   * Processes up to `budget` records of one task, picking the input whose next record is oldest.
   * A task of several inputs stops when one of them has read all it holds but the log has more
   * (Kafka's `max.task.idle.ms` = 0): going on with the others would move stream time past records
   * not read yet, which a join or a windowed aggregation without grace would then drop as late.
   */
  #processTask({ task, inputs }: Running, budget: number): number {
    if (inputs.length === 1) return this.#processInput(task, inputs[0]!, budget);
    let processed = 0;
    for (; processed < budget && !this.#mustStop(); processed++) {
      if ((processed & 511) === 511 && performance.now() >= this.#roundEnd) break;
      let next: Input | undefined;
      let nextTime = 0;
      let waiting = false;
      for (const input of inputs) {
        if (input.head >= input.buffer.length && input.queued.length > 0) {
          const chunk = input.queued.shift()!;
          input.buffer = chunk.records;
          input.base = chunk.base;
          input.head = 0;
        }
        const head = input.buffer[input.head];
        if (head === undefined && inputs.length > 1 && !input.drained && this.#unread(input)) waiting = true;
        if (head !== undefined && (next === undefined || (head.timestamp ?? 0) < nextTime)) {
          next = input;
          nextTime = head.timestamp ?? 0;
        }
      }
      if (next === undefined || waiting) break;
      const at = next.head++;
      const record = next.buffer[at]!;
      const offset = next.base !== undefined ? next.base + at : (record as LogRecord).offset;
      task.process(next.topic, record, offset);
      if (next.head < next.buffer.length || next.queued.length > 0) {
        next.consumed = offset + 1;
      } else {
        next.consumed = next.position;
        // Let go of what was read or handed over: the next read or hand-over may be a commit away.
        next.buffer = [];
        next.head = 0;
      }
    }
    return processed;
  }

  /** The log holds records of this input past what it has read. */
  #unread(input: Input): boolean {
    const { highWatermark, lastStableOffset } = this.#backend.offsets(input.topic, input.partition);
    // Exactly-once reads end at the last stable offset, as Kafka counts a read_committed lag.
    return input.position < (this.#o.eos ? lastStableOffset : highWatermark);
  }

  /**
   * {@link #processTask} for a task with one input (a repartition topic's reader, a single-topic
   * source): nothing to pick between, so the records go through in runs, the buffer and its base
   * looked up once per run rather than once per record.
   */
  #processInput(task: StreamTask, input: Input, budget: number): number {
    let processed = 0;
    while (processed < budget && !this.#mustStop()) {
      if (input.head >= input.buffer.length) {
        if (input.queued.length === 0) break;
        const chunk = input.queued.shift()!;
        input.buffer = chunk.records;
        input.base = chunk.base;
        input.head = 0;
        continue;
      }
      const buffer = input.buffer;
      const base = input.base;
      const topic = input.topic;
      const end = Math.min(buffer.length, input.head + budget - processed);
      while (input.head < end && !this.#mustStop()) {
        if ((processed & 511) === 511 && performance.now() >= this.#roundEnd) return processed;
        const at = input.head++;
        const record = buffer[at]!;
        const offset = base !== undefined ? base + at : (record as LogRecord).offset;
        task.process(topic, record, offset);
        processed++;
        input.consumed = offset + 1;
      }
      if (input.head >= buffer.length && input.queued.length === 0) {
        input.consumed = input.position;
        // Let go of what was read or handed over: the next read or hand-over may be a commit away.
        input.buffer = [];
        input.head = 0;
      }
    }
    return processed;
  }

  /**
   * Flushes every task (caches forward downstream, change-logging sends) and commits sink records,
   * changelog records and input offsets through the backend.
   */
  async #commit(): Promise<void> {
    // One commit in flight at a time, in order: processing goes on while the previous one writes.
    await this.#inflight;
    if (this.#commitError !== undefined) throw this.#commitError;
    const started = performance.now();
    const running = this.#tasks.running;
    for (const r of running.values()) r.task.flush();
    const now = this.#o.clock.now();
    const offsets: InputOffset[] = [];
    const moved: [Input, number, string][] = [];
    for (const r of running.values()) {
      // As Kafka's StreamTask: every offset carries the partition time and the processor metadata;
      // metadata a processor changed goes to every input of the task, moved or not.
      const metadata = r.task.processorMetadata;
      const everyInput = metadata.needsCommit;
      metadata.needsCommit = false;
      for (const i of r.inputs) {
        if ((i.consumed === i.committed && !everyInput) || moved.some(([m]) => m === i)) continue;
        const committed = r.task.commitMetadata(i.topic);
        offsets.push({ topic: i.topic, partition: i.partition, offset: i.consumed, metadata: committed });
        moved.push([i, i.consumed, committed]);
      }
    }
    const outputs = this.#collector.drain();
    // Persistent stores write their files only once the commit is in the log, and only its writes.
    const files: {
      file: CheckpointedBytesStore;
      frames: unknown[];
      topic: string | undefined;
      partition: number;
      source: boolean;
    }[] = [];
    for (const r of running.values()) {
      for (const built of r.task.stores.values()) {
        if (isCheckpointed(built.bytes)) {
          const frames = built.bytes.takePending();
          if (frames.length > 0)
            files.push({
              file: built.bytes,
              frames,
              topic: built.changelogTopic,
              partition: r.task.partition,
              source: built.sourceChangelog === true,
            });
        }
      }
    }
    this.#lastCommit = now;
    if (outputs.length === 0 && offsets.length === 0) return;
    // A member the group dropped must not write: its tasks may already run elsewhere. Checked in
    // the same tick as the write is queued, so no hand-over can slip in between.
    if (this.#backend.assignor().fenced?.(this.#o.memberId)) {
      this.#losses.push(() => undefined);
      return;
    }
    const request: CommitRequest = { outputs, offsets, now, sync: this.#o.syncCommits };
    const write = async () => {
      const results = await this.#backend.commit(request);
      if (this.#backend.handsOver) this.#handOver(outputs, results);
      for (const [i, offset, metadata] of moved) {
        i.committed = offset;
        this.#tasks.committed.set(`${i.topic}:${i.partition}`, { offset, metadata });
        if (this.#o.topics.isRepartition(i.topic))
          this.#unpurged.set(`${i.topic}:${i.partition}`, { topic: i.topic, partition: i.partition, offset });
      }
      for (const { file, frames, topic, partition, source } of files) {
        // A source changelog's checkpoint is the input offset just committed: restores resume there.
        const landed = source
          ? moved.find(([i]) => i.topic === topic && i.partition === partition)?.[1]
          : results.findLast((r) => r.topic === topic && r.partition === partition)?.lastOffset;
        const at = landed === undefined ? (file.checkpoint ?? 0) : source ? landed : landed + 1;
        await file.commit(at, frames);
      }
      this.metrics.committed(performance.now() - started, this.#o.clock.now());
      if (this.#o.clock.now() - this.#lastPurge >= this.#o.purgeIntervalMs) await this.#purge();
    };
    this.#committing = true;
    this.#inflight = write()
      .catch((error) => {
        this.#commitError ??= error;
      })
      .finally(() => {
        this.#committing = false;
        this.#wake.abort();
      });
  }

  /**
   * What a repartition topic's reader committed is never read again: it is deleted, as Kafka
   * Streams does with DeleteRecords every `repartition.purge.interval.ms`. Not after every commit:
   * each purge scans the partition's head in LevelDB and writes, and with a commit every 20 000
   * records WordCount spent about 6% of its run waiting for purges before its next commit.
   */
  async #purge(): Promise<void> {
    if (this.#unpurged.size === 0) return;
    this.#lastPurge = this.#o.clock.now();
    const due = [...this.#unpurged];
    await Promise.all(
      due.map(([, d]) => this.#backend.deleteRecords(d.topic, d.partition, d.offset).catch(() => undefined)),
    );
    // Left until done, so the instance is not idle while a purge is on its way.
    for (const [id, d] of due) if (this.#unpurged.get(id) === d) this.#unpurged.delete(id);
  }

  /**
   * Records just committed to a repartition partition that a local task reads next go straight to
   * that task's input buffer, with the offsets the log gave them, instead of being read back and
   * decoded: the same records, in the same order, only without the round trip.
   */
  #handOver(outputs: PartitionAppend[], results: AppendResult[]): void {
    for (const [n, append] of outputs.entries()) {
      if (!this.#o.topics.isRepartition(append.topic)) continue;
      const landed = results[n];
      if (landed === undefined || landed.topic !== append.topic || landed.partition !== append.partition) continue;
      for (const r of this.#tasks.running.values()) {
        for (const input of r.inputs) {
          if (input.topic !== append.topic || input.partition !== append.partition) continue;
          if (input.fetching || input.position !== landed.baseOffset) continue;
          if (input.head >= input.buffer.length && input.queued.length === 0) {
            input.buffer = append.records;
            input.base = landed.baseOffset;
            input.head = 0;
          } else if (input.base !== undefined) {
            // Still working on an earlier hand-over: queue these behind it.
            input.queued.push({ records: append.records, base: landed.baseOffset });
          } else {
            continue;
          }
          input.position = landed.lastOffset + 1;
          input.drained = false;
        }
      }
    }
  }
}
