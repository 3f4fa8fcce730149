/**
 * What the console measures, and `/metrics` in Prometheus' text format. Every `intervalMs` of the
 * clock (5 s by default) a sample reads each partition's offsets and each group's committed
 * offsets: records in are the growth of the high watermarks, records out the growth of committed
 * offsets, lag the distance between them. The last `keep` samples (15 minutes by default) feed the
 * overview's rate chart and each group's lag chart; the request latencies are the console API's own.
 *
 * Time comes from the injected clock, so a test calls {@link ConsoleMetrics.sample} after advancing
 * a `ManualClock` instead of waiting.
 *
 * @example
 * const metrics = new ConsoleMetrics({ log, admin, clock });
 * metrics.start();
 * reply.type('text/plain; version=0.0.4').send(metrics.prometheus());
 */
import type { ConsoleLog } from './console-log.ts';
import { escapeLabel, type Histogram, LatencyHistograms, prometheusHistograms } from '../broker/request-metrics.ts';
import type { Admin } from '../client/admin.ts';
import { type Clock, systemClock, type TimerHandle } from '../clock.ts';
import type { LogBackend } from '../log/backend.ts';

/** One point of the charts. */
export interface MetricsPoint {
  /** Clock time of the sample, ms. */
  at: number;
  /** Records appended per second since the previous sample, all topics. */
  inPerSec: number;
  /** Records consumed (committed) per second since the previous sample, all groups. */
  outPerSec: number;
  /** Total lag per group at this sample. */
  lag: Record<string, number>;
}

/** What {@link ConsoleMetrics} samples, how often, and for how long it keeps the samples. */
export interface ConsoleMetricsOptions {
  log: ConsoleLog;
  admin: Admin;
  clock?: Clock;
  /** Time between samples. Default 5,000 ms. */
  intervalMs?: number;
  /** Samples kept for the charts. Default 180 (15 minutes at 5 s). */
  keep?: number;
  /** Filled with the clock time of the sample that first saw a topic's high watermarks grow. */
  lastWrite?: Map<string, number>;
  /** The request latencies of a broker serving the same log (`trib serve --console`). */
  brokerRequests?: {
    /** The histograms as they stand. */
    snapshot(): Histogram[];
  };
}

interface PartitionSample {
  topic: string;
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  lastStableOffset: number;
  sizeBytes: number;
}

interface GroupSample {
  group: string;
  topic: string;
  partition: number;
  committed: number;
  lag: number;
}

/** The console's samples of the log and the groups, and `/metrics` in Prometheus' text format. */
export class ConsoleMetrics {
  readonly #log: ConsoleLog;
  readonly #admin: Admin;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #keep: number;
  readonly #lastWrite: Map<string, number>;
  readonly #points: MetricsPoint[] = [];
  #partitions: PartitionSample[] = [];
  #groups: GroupSample[] = [];
  #previous: { at: number; appended: number; committed: Map<string, number> } | undefined;
  #timer: TimerHandle | undefined;
  #sampling: Promise<void> | undefined;
  #stopped = false;
  /** The console API's request latencies, by route. */
  readonly #latency = new LatencyHistograms();
  readonly #broker: { snapshot(): Histogram[] } | undefined;

  constructor(options: ConsoleMetricsOptions) {
    this.#log = options.log;
    this.#admin = options.admin;
    this.#clock = options.clock ?? systemClock;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#keep = options.keep ?? 180;
    this.#lastWrite = options.lastWrite ?? new Map();
    this.#broker = options.brokerRequests;
  }

  /** Samples now and then every `intervalMs` until {@link stop}. */
  start(): void {
    this.#stopped = false;
    const tick = () => {
      if (this.#stopped) return;
      void this.sample().finally(() => {
        if (!this.#stopped) this.#timer = this.#clock.setTimeout(tick, this.#intervalMs);
      });
    };
    tick();
  }

  /** Stops sampling, once a sample under way has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    await this.#sampling;
  }

  /** Takes one sample (one at a time: a call during a sample waits for it). */
  sample(): Promise<void> {
    if (this.#sampling !== undefined) return this.#sampling;
    this.#sampling = this.#take().finally(() => {
      this.#sampling = undefined;
    });
    return this.#sampling;
  }

  /** The chart points, oldest first. */
  points(): readonly MetricsPoint[] {
    return this.#points;
  }

  /** Counts one API request of `route` that took `ms`. */
  observeRequest(route: string, ms: number): void {
    this.#latency.observe(route, ms / 1000);
  }

  async #take(): Promise<void> {
    const at = this.#clock.now();
    const partitions: PartitionSample[] = [];
    let topics: string[];
    try {
      topics = await this.#log.listTopics();
    } catch {
      return; // the log closed under us: nothing to sample
    }
    let appended = 0;
    for (const topic of topics) {
      let description: Awaited<ReturnType<LogBackend['describeTopic']>>;
      try {
        description = await this.#log.describeTopic(topic);
      } catch {
        continue; // deleted between the list and now
      }
      for (const p of description.partitions) {
        let lastStableOffset = p.highWatermark;
        try {
          lastStableOffset = this.#log.offsets(topic, p.partition).lastStableOffset;
        } catch {
          // the topic went away
        }
        partitions.push({
          topic,
          partition: p.partition,
          logStartOffset: p.logStartOffset,
          highWatermark: p.highWatermark,
          lastStableOffset,
          sizeBytes: p.sizeBytes,
        });
        appended += p.highWatermark;
      }
    }
    const groups: GroupSample[] = [];
    const committedByGroup = new Map<string, number>();
    const lag: Record<string, number> = {};
    let groupIds: string[] = [];
    try {
      groupIds = (await this.#admin.listGroups()).groups.map((g) => g.groupId);
    } catch {
      groupIds = [];
    }
    for (const group of groupIds) {
      let lags: Awaited<ReturnType<Admin['fetchConsumerLag']>>;
      try {
        lags = await this.#admin.fetchConsumerLag({ groupId: group });
      } catch {
        continue;
      }
      let committedSum = 0;
      let lagSum = 0;
      for (const { topic, partitions: ps } of lags) {
        for (const p of ps) {
          if (p.offset === '-1') continue;
          const committed = Number(p.offset);
          const partitionLag = Number(p.lag);
          groups.push({ group, topic, partition: p.partition, committed, lag: partitionLag });
          committedSum += committed;
          lagSum += partitionLag;
        }
      }
      committedByGroup.set(group, committedSum);
      lag[group] = lagSum;
    }
    const before = new Map<string, number>();
    for (const p of this.#partitions) before.set(p.topic, (before.get(p.topic) ?? 0) + p.highWatermark);
    const after = new Map<string, number>();
    for (const p of partitions) after.set(p.topic, (after.get(p.topic) ?? 0) + p.highWatermark);
    for (const [topic, n] of after) {
      const was = before.get(topic);
      if (was !== undefined && n > was) this.#lastWrite.set(topic, at);
    }
    this.#partitions = partitions;
    this.#groups = groups;
    const previous = this.#previous;
    // A sample at the time of the last one (a scrape right after it) refreshes the gauges only.
    if (previous !== undefined && at <= previous.at) return;
    this.#previous = { at, appended, committed: committedByGroup };
    if (previous === undefined) {
      this.#push({ at, inPerSec: 0, outPerSec: 0, lag });
      return;
    }
    const seconds = (at - previous.at) / 1000;
    let consumed = 0;
    for (const [group, sum] of committedByGroup) {
      const before = previous.committed.get(group);
      if (before !== undefined && sum > before) consumed += sum - before;
    }
    this.#push({
      at,
      inPerSec: Math.max(0, appended - previous.appended) / seconds,
      outPerSec: consumed / seconds,
      lag,
    });
  }

  #push(point: MetricsPoint): void {
    this.#points.push(point);
    if (this.#points.length > this.#keep) this.#points.splice(0, this.#points.length - this.#keep);
  }

  /** Every figure in Prometheus' text exposition format (version 0.0.4). */
  prometheus(): string {
    const out: string[] = [];
    const family = (name: string, type: string, help: string) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    family('tributary_partition_high_watermark', 'gauge', 'The next offset of the partition.');
    for (const p of this.#partitions) out.push(`tributary_partition_high_watermark${labels(p)} ${p.highWatermark}`);
    family('tributary_partition_log_start_offset', 'gauge', 'The first offset still in the partition.');
    for (const p of this.#partitions) out.push(`tributary_partition_log_start_offset${labels(p)} ${p.logStartOffset}`);
    family(
      'tributary_partition_last_stable_offset',
      'gauge',
      'The first offset of an open transaction, or the high watermark.',
    );
    for (const p of this.#partitions) {
      out.push(`tributary_partition_last_stable_offset${labels(p)} ${p.lastStableOffset}`);
    }
    family('tributary_partition_size_bytes', 'gauge', 'Bytes of stored batches in the partition.');
    for (const p of this.#partitions) out.push(`tributary_partition_size_bytes${labels(p)} ${p.sizeBytes}`);
    family('tributary_records_in_total', 'counter', 'Records appended to the topic (its offsets assigned so far).');
    const inByTopic = new Map<string, number>();
    for (const p of this.#partitions) inByTopic.set(p.topic, (inByTopic.get(p.topic) ?? 0) + p.highWatermark);
    for (const [topic, n] of inByTopic) out.push(`tributary_records_in_total{topic="${escapeLabel(topic)}"} ${n}`);
    family('tributary_group_committed_offset', 'gauge', "The group's committed offset of the partition.");
    for (const g of this.#groups) out.push(`tributary_group_committed_offset${groupLabels(g)} ${g.committed}`);
    family('tributary_group_lag', 'gauge', "Records of the partition after the group's committed offset.");
    for (const g of this.#groups) out.push(`tributary_group_lag${groupLabels(g)} ${g.lag}`);
    const last = this.#points[this.#points.length - 1];
    family(
      'tributary_records_in_per_second',
      'gauge',
      'Records appended per second, all topics, over the last interval.',
    );
    out.push(`tributary_records_in_per_second ${last?.inPerSec ?? 0}`);
    family(
      'tributary_records_out_per_second',
      'gauge',
      'Records committed per second, all groups, over the last interval.',
    );
    out.push(`tributary_records_out_per_second ${last?.outPerSec ?? 0}`);
    out.push(
      ...prometheusHistograms(
        'tributary_console_request_duration_seconds',
        "Latency of the console API's requests.",
        'route',
        this.#latency.snapshot(),
      ),
    );
    if (this.#broker !== undefined) {
      out.push(
        ...prometheusHistograms(
          'tributary_broker_request_duration_seconds',
          'Time from a Kafka request to its encoded response, per API.',
          'api',
          this.#broker.snapshot(),
        ),
      );
    }
    return `${out.join('\n')}\n`;
  }
}

function labels(p: { topic: string; partition: number }): string {
  return `{topic="${escapeLabel(p.topic)}",partition="${p.partition}"}`;
}

function groupLabels(g: GroupSample): string {
  return `{group="${escapeLabel(g.group)}",topic="${escapeLabel(g.topic)}",partition="${g.partition}"}`;
}
