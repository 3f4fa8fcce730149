/**
 * Kafka Streams' built-in metrics (`KafkaStreams.metrics()`), the ones an operator watches first,
 * under Kafka's names, groups and tags: per client (`stream-metrics`) its state and threads; per
 * stream thread (`stream-thread-metrics`) the records it processed, its commits and their latency,
 * the tasks it created and closed; per task (`stream-task-metrics`) the records it processed and
 * dropped. A dashboard built on Kafka's JMX names maps one to one. Rates are per second over the
 * last minute on the app's clock (Kafka's default two samples of 30 seconds).
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

/** A stream thread's counters. */
export class ThreadMetrics {
  readonly processed: SampledCount;
  readonly commits: SampledCount;
  commitLatencyTotalMs = 0;
  commitLatencyMaxMs = 0;

  constructor(now: number) {
    this.processed = new SampledCount(now);
    this.commits = new SampledCount(now);
  }

  /** A commit that wrote, and how long it took from its start until the log had it. */
  committed(latencyMs: number, now: number): void {
    this.commits.record(1, now);
    this.commitLatencyTotalMs += latencyMs;
    if (latencyMs > this.commitLatencyMaxMs) this.commitLatencyMaxMs = latencyMs;
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
  /** Each running task's id and counters, late records its stores dropped counted in. */
  tasks: { id: string; counters: TaskCounters; lateDrops: number }[];
  now: number;
}

/** The metrics of one instance, client first, then its thread, then its tasks. */
export function streamsMetrics(s: MetricsSource): StreamsMetric[] {
  const out: StreamsMetric[] = [];
  const client = { 'client-id': s.clientId };
  const add = (
    group: string,
    tags: Record<string, string>,
    name: string,
    value: number | string,
    description: string,
  ) => out.push({ name, group, description, tags, value });
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
  add(g, thread, 'process-total', t.processed.total, 'The total number of calls to process');
  add(g, thread, 'process-rate', t.processed.rate(s.now), 'The average per-second number of calls to process');
  add(g, thread, 'commit-total', t.commits.total, 'The total number of calls to commit');
  add(g, thread, 'commit-rate', t.commits.rate(s.now), 'The average per-second number of calls to commit');
  add(
    g,
    thread,
    'commit-latency-avg',
    t.commits.total === 0 ? 0 : t.commitLatencyTotalMs / t.commits.total,
    'The average commit latency in ms',
  );
  add(g, thread, 'commit-latency-max', t.commitLatencyMaxMs, 'The maximum commit latency in ms');
  add(g, thread, 'task-created-total', s.tasksCreated, 'The total number of newly created tasks');
  add(g, thread, 'task-closed-total', s.tasksClosed, 'The total number of closed tasks');
  for (const task of s.tasks) {
    const tags = { 'thread-id': s.threadName, 'task-id': task.id };
    add('stream-task-metrics', tags, 'process-total', task.counters.processed, 'The total number of calls to process');
    add(
      'stream-task-metrics',
      tags,
      'dropped-records-total',
      task.counters.dropped + task.lateDrops,
      'The total number of dropped records',
    );
  }
  return out;
}
