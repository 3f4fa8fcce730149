/**
 * The Kafka Streams applications the console shows: every app running in this process on the
 * console's log or Tributary (found through `streams/runtime/running-apps.ts`), and any added with
 * its application id, its topology and the running `KafkaStreams`. The page draws the topology from `describe()`, lists
 * the app's tasks and their lag (the consumer group `applicationId`), and queries its key-value
 * stores by key, as interactive queries do.
 *
 * @example
 * const console = await startConsole({ log });
 * console.streams.add({ applicationId: 'wordcount', topology, streams });
 */
import type { KafkaStreams } from '../streams/kafka-streams.ts';
import { runningStreamsApps } from '../streams/runtime/running-apps.ts';
import type { Topology } from '../streams/topology.ts';
import { ConsoleHttpError } from './http-errors.ts';

/** An application the console shows. */
export interface StreamsApp {
  applicationId: string;
  topology: Topology;
  streams: KafkaStreams;
}

/** Largest number of entries a store listing returns. */
const MAX_ENTRIES = 1000;

/** JSON for a store's key or value (bigints as strings, Buffers as text when they are UTF-8). */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return value;
}

/** The Kafka Streams applications a console shows, by application id. */
export class StreamsApps {
  readonly #apps = new Map<string, StreamsApp>();
  readonly #runsHere: (on: readonly unknown[]) => boolean;

  /**
   * `runsHere` says whether an application running in this process (on the objects it is given)
   * runs on the console's log: those are listed without being added.
   */
  constructor(runsHere: (on: readonly unknown[]) => boolean = () => false) {
    this.#runsHere = runsHere;
  }

  /** Shows `app` (a second one with the same id replaces the first). */
  add(app: StreamsApp): void {
    this.#apps.set(app.applicationId, app);
  }

  /** Stops showing the application. */
  remove(applicationId: string): void {
    this.#apps.delete(applicationId);
  }

  /** The applications shown, by id. */
  list(): StreamsApp[] {
    const apps = new Map(this.#apps);
    for (const app of runningStreamsApps()) {
      if (!apps.has(app.applicationId) && this.#runsHere(app.runsOn())) apps.set(app.applicationId, app);
    }
    return [...apps.values()].sort((a, b) => (a.applicationId < b.applicationId ? -1 : 1));
  }

  /** One application; a 404 `NOT_FOUND` for an unknown id. */
  get(applicationId: string): StreamsApp {
    const app = this.#apps.get(applicationId) ?? this.list().find((a) => a.applicationId === applicationId);
    if (app === undefined) throw new ConsoleHttpError(404, 'NOT_FOUND', `No streams application "${applicationId}"`);
    return app;
  }

  /** The store names of an app's topology, from its description. */
  stores(app: StreamsApp): string[] {
    const names = new Set<string>();
    for (const sub of app.topology.describe().subtopologies) {
      for (const node of sub.nodes) for (const s of node.stores ?? []) names.add(s);
    }
    return [...names].sort();
  }

  /** One key of a store (`key` given), or its first entries. */
  query(app: StreamsApp, store: string, key: string | undefined): { key: unknown; value: unknown }[] {
    if (!this.stores(app).includes(store)) {
      throw new ConsoleHttpError(
        404,
        'INVALID_STATE_STORE',
        `Application "${app.applicationId}" has no store "${store}"`,
      );
    }
    const view = app.streams.store<unknown, unknown>(store);
    if (key !== undefined) {
      const value = view.get(key);
      return value === null ? [] : [{ key, value: plain(value) }];
    }
    return view
      .all()
      .slice(0, MAX_ENTRIES)
      .map((kv) => ({ key: plain(kv.key), value: plain(kv.value) }));
  }
}
