/**
 * Kafka Streams' built-in metrics (`KafkaStreams.metrics()`), the ones an operator watches first,
 * under Kafka's names, groups and tags: per client (`stream-metrics`) its state and threads; per
 * stream thread (`stream-thread-metrics`) its polls, processing, punctuations and commits (totals,
 * rates, latencies, the share of its time each takes) and the tasks it created and closed; per task
 * (`stream-task-metrics`) the records it processed and dropped; per source and terminal node
 * (`stream-processor-node-metrics`) records' end-to-end latency. A dashboard built on Kafka's JMX
 * names maps one to one. Rates are per second over the last minute on the app's clock (Kafka's
 * default two samples of 30 seconds); latencies are averaged and maxed over the thread's life, and
 * the `*-ratio` values are the last loop turn's, as Kafka records one per iteration.
 *
 * @example
 * const dropped = streams.metrics().filter((m) => m.name === 'dropped-records-total');
 */

/** One metric's current value (Kafka's `MetricName` with its `Metric`'s value). */
export interface StreamsMetric {
  readonly name: string;
  readonly group: string;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly value: number | string;
}

const SAMPLE_MS = 30_000;
const SAMPLES = 2;

/** Events counted in 30-second samples, the last two kept: a total and a rate, as Kafka's `CumulativeSum` and `Rate`. */
export class SampledCount {
  total = 0;
  readonly #samples: { start: number; count: number }[] = [];
  readonly #since: number;

  constructor(now: number) {
    this.#since = now;
  }

  record(count: number, now: number): void {
    this.total += count;
    const start = now - (now % SAMPLE_MS);
    const last = this.#samples[this.#samples.length - 1];
    if (last !== undefined && last.start === start) last.count += count;
    else {
      this.#samples.push({ start, count });
      if (this.#samples.length > SAMPLES) this.#samples.shift();
    }
  }

  /** Events per second over the samples of the last minute (less for a count younger than that). */
  rate(now: number): number {
    const from = Math.max(now - SAMPLE_MS * SAMPLES, this.#since);
    let count = 0;
    for (const s of this.#samples) if (s.start + SAMPLE_MS > from) count += s.count;
    return count / Math.max((now - from) / 1000, 1);
  }
}

/** Values recorded one by one: their count, average, minimum and maximum (Kafka's `Avg`, `Min`, `Max`). */
export class Latency {
  count = 0;
  total = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;

  record(value: number): void {
    this.count++;
    this.total += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }
}

/**
 * What one turn of the thread's loop spent on each phase, in ms (Kafka's `runOnce`): reading its
 * inputs (and waiting for them), processing, punctuating and committing.
 */
export interface RoundTimes {
  poll: number;
  process: number;
  punctuate: number;
  commit: number;
  total: number;
}

/** Times the phases of one turn of the thread's loop, each from the last mark to the next. */
export class TurnTimer {
  readonly #start = performance.now();
  #last = this.#start;
  readonly #times: RoundTimes = { poll: 0, process: 0, punctuate: 0, commit: 0, total: 0 };

  /** Counts the time since the last mark towards `phase`. */
  lap(phase: Exclude<keyof RoundTimes, 'total'>): void {
    const now = performance.now();
    this.#times[phase] += now - this.#last;
    this.#last = now;
  }

  /** Counts the time since the last mark towards no phase. */
  skip(): void {
    this.#last = performance.now();
  }

  /** The phases' times, and the turn's since the timer was made. */
  finish(): RoundTimes {
    this.#times.total = performance.now() - this.#start;
    return this.#times;
  }
}

/** A stream thread's counters. */
export class ThreadMetrics {
  readonly processed: SampledCount;
  readonly commits: SampledCount;
  readonly polls: SampledCount;
  readonly punctuations: SampledCount;
  /** From the start of each commit that wrote until the log had it. */
  readonly commitLatency = new Latency();
  readonly pollLatency = new Latency();
  /** Per round that processed: its processing time over the records it processed, as Kafka scales it. */
  readonly processLatency = new Latency();
  /** Per round: the records it processed. */
  readonly processRecords = new Latency();
  /** Per round that punctuated on wall-clock time: that phase's time over the punctuators it ran. */
  readonly punctuateLatency = new Latency();
  /** The last round's share of time in each phase (Kafka's `*-ratio`, a value per iteration). */
  ratios = { poll: 0, process: 0, punctuate: 0, commit: 0 };
  /** When the thread started, in epoch ms on the app's clock. */
  readonly startTime: number;

  constructor(now: number) {
    this.processed = new SampledCount(now);
    this.commits = new SampledCount(now);
    this.polls = new SampledCount(now);
    this.punctuations = new SampledCount(now);
    this.startTime = now;
  }

  /** A commit that wrote, and how long it took from its start until the log had it. */
  committed(latencyMs: number, now: number): void {
    this.commits.record(1, now);
    this.commitLatency.record(latencyMs);
  }

  /**
   * One turn of the loop: the records it processed, the punctuators it ran (`onWallClock` of them
   * in its punctuate phase; the others ran on stream time as records were processed), and its
   * phases' times.
   */
  round(processed: number, punctuated: number, onWallClock: number, times: RoundTimes, now: number): void {
    this.polls.record(1, now);
    this.pollLatency.record(times.poll);
    this.processRecords.record(processed);
    if (processed > 0) {
      this.processed.record(processed, now);
      this.processLatency.record(times.process / processed);
    }
    if (punctuated > 0) this.punctuations.record(punctuated, now);
    if (onWallClock > 0) this.punctuateLatency.record(times.punctuate / onWallClock);
    const total = Math.max(times.total, Number.MIN_VALUE);
    this.ratios = {
      poll: times.poll / total,
      process: times.process / total,
      punctuate: times.punctuate / total,
      commit: times.commit / total,
    };
  }
}

/** A task's counters: records it took from its inputs, and records dropped on the way. */
export interface TaskCounters {
  processed: number;
  dropped: number;
}

/** What {@link streamsMetrics} reads of the instance. */
export interface MetricsSource {
  clientId: string;
  applicationId: string;
  state: string;
  topologyDescription: string;
  failedThreads: number;
  threadName: string;
  thread: ThreadMetrics;
  tasksCreated: number;
  tasksClosed: number;
  /** What each running task's metrics read. */
  tasks: TaskMetricSource[];
  now: number;
}

/**
 * What a task's metrics read: its id and counters, the late records its stores dropped, and the
 * end-to-end latencies of its source and terminal nodes by node name.
 */
export interface TaskMetricSource {
  id: string;
  counters: TaskCounters;
  lateDrops: number;
  nodes: ReadonlyMap<string, Latency>;
}

/** A function that adds one metric to `out`. */
function adder(out: StreamsMetric[]) {
  return (group: string, tags: Record<string, string>, name: string, value: number | string, description: string) =>
    out.push({ name, group, description, tags, value });
}

const E2E = (stat: string) =>
  `The ${stat} end-to-end latency of a record, measured by comparing the record timestamp with the system time when it has been fully processed by the node`;

/** The metrics of one instance, client first, then its thread, then its tasks. */
export function streamsMetrics(s: MetricsSource): StreamsMetric[] {
  const out: StreamsMetric[] = [];
  const client = { 'client-id': s.clientId };
  const add = adder(out);
  const alive = s.state === 'RUNNING' || s.state === 'REBALANCING' ? 1 : 0;
  add('stream-metrics', client, 'application-id', s.applicationId, 'The application ID of the Kafka Streams client');
  add(
    'stream-metrics',
    client,
    'topology-description',
    s.topologyDescription,
    'The description of the topology executed in the Kafka Streams client',
  );
  add('stream-metrics', client, 'state', s.state, 'The state of the Kafka Streams client');
  add(
    'stream-metrics',
    client,
    'alive-stream-threads',
    alive,
    'The current number of alive stream threads that are running or participating in rebalance',
  );
  add(
    'stream-metrics',
    client,
    'failed-stream-threads',
    s.failedThreads,
    'The number of failed stream threads since the start of the Kafka Streams client',
  );
  const thread = { 'thread-id': s.threadName };
  const t = s.thread;
  const g = 'stream-thread-metrics';
  const one = (name: string, value: number, description: string) => add(g, thread, name, value, description);
  const calls = (op: string, count: SampledCount) => {
    one(`${op}-total`, count.total, `The total number of calls to ${op}`);
    one(`${op}-rate`, count.rate(s.now), `The average per-second number of calls to ${op}`);
  };
  const latency = (op: string, l: Latency) => {
    one(`${op}-latency-avg`, l.avg, `The average ${op} latency in ms`);
    one(`${op}-latency-max`, l.max, `The maximum ${op} latency in ms`);
  };
  calls('process', t.processed);
  latency('process', t.processLatency);
  one('process-records-avg', t.processRecords.avg, 'The average number of records processed within an iteration');
  one('process-records-max', t.processRecords.max, 'The maximum number of records processed within an iteration');
  calls('commit', t.commits);
  latency('commit', t.commitLatency);
  calls('poll', t.polls);
  latency('poll', t.pollLatency);
  calls('punctuate', t.punctuations);
  latency('punctuate', t.punctuateLatency);
  const spent = {
    poll: 'polling records from consumer',
    process: 'processing active tasks',
    punctuate: 'punctuating active tasks',
    commit: 'committing all tasks',
  } as const;
  for (const phase of ['poll', 'process', 'punctuate', 'commit'] as const)
    one(`${phase}-ratio`, t.ratios[phase], `The fraction of time the thread spent on ${spent[phase]}`);
  one('thread-start-time', t.startTime, 'The time that the thread was started');
  one('task-created-total', s.tasksCreated, 'The total number of newly created tasks');
  one('task-closed-total', s.tasksClosed, 'The total number of closed tasks');
  out.push(...taskMetrics(s.threadName, s.tasks));
  return out;
}

/**
 * The task-level (`stream-task-metrics`) and processor-node-level (`stream-processor-node-metrics`)
 * metrics of the tasks a thread runs: what `KafkaStreams.metrics()` ends with, and all that the
 * test driver's `metrics()` has.
 */
export function taskMetrics(threadName: string, tasks: Iterable<TaskMetricSource>): StreamsMetric[] {
  const out: StreamsMetric[] = [];
  const add = adder(out);
  for (const task of tasks) {
    const tags = { 'thread-id': threadName, 'task-id': task.id };
    add('stream-task-metrics', tags, 'process-total', task.counters.processed, 'The total number of calls to process');
    add(
      'stream-task-metrics',
      tags,
      'dropped-records-total',
      task.counters.dropped + task.lateDrops,
      'The total number of dropped records',
    );
    // Kafka's Min and Max of no value are NaN.
    for (const [node, e2e] of task.nodes) {
      const nodeTags = { ...tags, 'processor-node-id': node };
      const g = 'stream-processor-node-metrics';
      const none = e2e.count === 0;
      add(g, nodeTags, 'record-e2e-latency-avg', none ? Number.NaN : e2e.avg, E2E('average'));
      add(g, nodeTags, 'record-e2e-latency-min', none ? Number.NaN : e2e.min, E2E('minimum'));
      add(g, nodeTags, 'record-e2e-latency-max', none ? Number.NaN : e2e.max, E2E('maximum'));
    }
  }
  return out;
}
