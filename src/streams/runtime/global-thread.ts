/**
 * Kafka Streams' GlobalStreamThread: every instance keeps a full copy of each global table, read
 * from all partitions of its topic; brought up to date on start, then kept up between the stream
 * thread's rounds.
 */
import { StreamTask, type TaskEnv } from '../internal/task.ts';
import type { BuiltStore } from '../state/stores.ts';
import type { TopologyGraph } from '../internal/topology-graph.ts';
import { RestoreProgress, type StateRestoreListener } from '../restore-listener.ts';
import type { StreamsBackend } from './backend.ts';

interface GlobalState {
  task: StreamTask;
  topic: string;
  positions: number[];
}

export class GlobalThread {
  readonly #topology: TopologyGraph;
  readonly #applicationId: string;
  readonly #backend: StreamsBackend;
  readonly #globals = new Map<string, GlobalState>();
  /** The global stores, by name. */
  readonly stores = new Map<string, BuiltStore>();

  constructor(topology: TopologyGraph, applicationId: string, backend: StreamsBackend) {
    this.#topology = topology;
    this.#applicationId = applicationId;
    this.#backend = backend;
  }

  /** Builds every global store and loads its topic to the end, telling `listener` as a restore. */
  async start(env: TaskEnv, listener?: StateRestoreListener): Promise<void> {
    for (const g of this.#topology.globalStores) {
      const built = this.#topology.storeBuilders.get(g.store)!.build({
        applicationId: this.#applicationId,
        taskId: 'global',
        partition: 0,
        cacheBudget: null,
        changelog: () => {},
        timestamp: () => 0,
        ...(env.defaultKeySerde !== undefined ? { defaultKeySerde: env.defaultKeySerde } : {}),
        ...(env.defaultValueSerde !== undefined ? { defaultValueSerde: env.defaultValueSerde } : {}),
      });
      this.stores.set(g.store, built);
      const task = new StreamTask(
        this.#topology,
        { id: -1, nodes: [g.source, g.processor], sourceTopics: [g.topic], stores: [] },
        0,
        env,
      );
      task.init();
      const partitions = this.#backend.partitionCount(g.topic);
      const state: GlobalState = { task, topic: g.topic, positions: Array.from({ length: partitions }, () => 0) };
      await this.#backend.loadOffsets(state.positions.map((_, partition) => ({ topic: g.topic, partition })));
      this.#globals.set(g.store, state);
      await this.#update(state, true, (partition) => new RestoreProgress(listener, g.topic, partition, g.store));
    }
  }

  /** Applies what the global topics got since last time; true when anything was applied. */
  async poll(): Promise<boolean> {
    let any = false;
    for (const g of this.#globals.values()) if (await this.#update(g, false)) any = true;
    return any;
  }

  /** Reads each partition once, or with `restoring` (the start) to its end, reporting to the listener. */
  async #update(g: GlobalState, toEnd: boolean, restoring?: (partition: number) => RestoreProgress): Promise<boolean> {
    let any = false;
    for (let p = 0; p < g.positions.length; p++) {
      const progress = restoring?.(p);
      if (progress !== undefined) {
        const { highWatermark, logStartOffset } = this.#backend.offsets(g.topic, p);
        progress.start(Math.max(g.positions[p]!, logStartOffset), highWatermark);
      }
      for (;;) {
        const { highWatermark, logStartOffset } = this.#backend.offsets(g.topic, p);
        const at = Math.max(g.positions[p]!, logStartOffset);
        if (at >= highWatermark) break;
        const result = await this.#backend.read(g.topic, p, at, { maxBytes: 4 << 20 });
        for (const r of result.records) g.task.process(g.topic, r);
        if (result.records.length > 0)
          progress?.batch(result.records[result.records.length - 1]!.offset, result.records.length);
        if (result.nextOffset <= at) break;
        g.positions[p] = result.nextOffset;
        any = true;
        if (!toEnd) break;
      }
      progress?.end();
    }
    g.task.flush();
    return any;
  }

  /** Every partition of the global topics. */
  partitions(): { topic: string; partition: number }[] {
    return [...this.#globals.values()].flatMap((g) =>
      g.positions.map((_, partition) => ({ topic: g.topic, partition })),
    );
  }

  /** True once every global topic is applied to its end. */
  caughtUp(): boolean {
    for (const g of this.#globals.values()) {
      for (const [p, at] of g.positions.entries())
        if (at < this.#backend.offsets(g.topic, p).highWatermark) return false;
    }
    return true;
  }

  /** Promises that resolve when a global topic has more data (or `signal` aborts). */
  waits(signal: AbortSignal): Promise<unknown>[] {
    const waits: Promise<unknown>[] = [];
    for (const g of this.#globals.values())
      for (const [p, at] of g.positions.entries())
        waits.push(this.#backend.waitForData(g.topic, p, at, signal).catch(() => undefined));
    return waits;
  }

  async close(): Promise<void> {
    const globals = [...this.#globals.values()];
    const stores = [...this.stores.values()];
    this.#globals.clear();
    for (const g of globals) await g.task.close();
    for (const s of stores) await s.store.inner.close();
  }
}
