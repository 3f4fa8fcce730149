/**
 * Where an app's state lives, for interactive queries across its instances (Kafka Streams'
 * `StreamsMetadata`, `KeyQueryMetadata`, `HostInfo`): each instance names the address it answers
 * queries on (`applicationServer`, Kafka's `application.server`), the group's assignments tell every
 * instance which address runs which task, and from that `KafkaStreams` answers which instance holds
 * a store, or the partition of one key. The instances' own RPC layer (HTTP, gRPC…) is the app's, as
 * in Kafka.
 *
 * @example
 * const where = streams.queryMetadataForKey('counts-store', 'alice', Serdes.String());
 * if (where.activeHost.port === myPort) counts.get('alice');
 * else await fetch(`http://${where.activeHost.host}:${where.activeHost.port}/counts/alice`);
 */
import { TributaryError } from '../errors.ts';
import { defaultPartition } from '../protocol/index.ts';
import type { Subtopology } from './topology.ts';

/** An instance's address for interactive queries (Kafka's `HostInfo`). */
export interface HostInfo {
  readonly host: string;
  readonly port: number;
}

/** Kafka's `HostInfo.unavailable()`: no instance is known for the query. */
export const UNAVAILABLE_HOST: HostInfo = Object.freeze({ host: 'unavailable', port: -1 });

/** One instance of the app and what it holds (Kafka's `StreamsMetadata`). */
export interface StreamsMetadata {
  readonly hostInfo: HostInfo;
  /** The stores of its tasks, and every global store. */
  readonly stateStoreNames: readonly string[];
  /** The input partitions of its tasks (repartition topics included). */
  readonly topicPartitions: readonly { topic: string; partition: number }[];
  /** Always empty: Tributary keeps no standby replicas. */
  readonly standbyStateStoreNames: readonly string[];
  readonly standbyTopicPartitions: readonly { topic: string; partition: number }[];
}

/** Which instance holds a key (Kafka's `KeyQueryMetadata`); `partition` is -1 when none is known. */
export interface KeyQueryMetadata {
  readonly activeHost: HostInfo;
  readonly standbyHosts: readonly HostInfo[];
  readonly partition: number;
}

/** Kafka's `KeyQueryMetadata.NOT_AVAILABLE`. */
export const KEY_QUERY_NOT_AVAILABLE: KeyQueryMetadata = Object.freeze({
  activeHost: UNAVAILABLE_HOST,
  standbyHosts: Object.freeze([]) as readonly HostInfo[],
  partition: -1,
});

/** How a key finds its partition: by its serialized bytes (the default partitioner), or by the app's partitioner. */
export type KeyPartitioning<K> =
  | {
      /** The key's bytes, which the default partitioner hashes. */
      serialize(topic: string, key: K): Uint8Array | null;
    }
  | ((topic: string, key: K, value: unknown, numPartitions: number) => number | undefined);

/** `host:port` as a {@link HostInfo}; an `INVALID_CONFIG` error for anything else. */
export function parseHostInfo(server: string): HostInfo {
  const at = server.lastIndexOf(':');
  const host = at > 0 ? server.slice(0, at) : '';
  const port = Number(server.slice(at + 1));
  if (host === '' || !Number.isInteger(port) || port < 0 || port > 65_535 || at === server.length - 1) {
    throw new TributaryError('INVALID_CONFIG', `applicationServer must be host:port, got ${JSON.stringify(server)}`, {
      config: 'application.server',
    });
  }
  return { host, port };
}

/** What the metadata is made from: the app's sub-topologies and the group's last assignment. */
export interface AppLayout {
  readonly subtopologies: readonly Subtopology[];
  /** A topology topic's name in the log (internal ones are prefixed). */
  physical(topic: string): string;
  readonly globalStores: readonly string[];
  /** The tasks each named server runs (see StreamThread.hosts). */
  readonly hosts: ReadonlyMap<string, readonly string[]>;
  /** How many tasks a sub-topology has: the partitions of its inputs. */
  taskCount(subtopology: Subtopology): number;
}

/** Every instance that named a server, with what it holds (Kafka's `metadataForAllStreamsClients`). */
export function allMetadata(layout: AppLayout): StreamsMetadata[] {
  const byId = new Map(layout.subtopologies.map((s) => [s.id, s]));
  return [...layout.hosts].map(([server, tasks]) => {
    const stores = new Set<string>();
    const partitions: { topic: string; partition: number }[] = [];
    for (const task of tasks) {
      const [id, partition] = task.split('_').map(Number) as [number, number];
      const sub = byId.get(id);
      if (sub === undefined) continue;
      for (const s of sub.stores) stores.add(s);
      for (const t of sub.sourceTopics) partitions.push({ topic: layout.physical(t), partition });
    }
    for (const g of layout.globalStores) stores.add(g);
    return {
      hostInfo: parseHostInfo(server),
      stateStoreNames: [...stores].sort(),
      topicPartitions: partitions,
      standbyStateStoreNames: [],
      standbyTopicPartitions: [],
    };
  });
}

/** The instance that holds `key` of `storeName`, and its partition (Kafka's `queryMetadataForKey`). */
export function keyMetadata<K>(
  layout: AppLayout,
  storeName: string,
  key: K,
  partitioning: KeyPartitioning<K>,
): KeyQueryMetadata {
  if (layout.globalStores.includes(storeName)) {
    // Every instance holds a global store whole: any server answers, Kafka names the first.
    const [first] = layout.hosts.keys();
    return first === undefined
      ? KEY_QUERY_NOT_AVAILABLE
      : { activeHost: parseHostInfo(first), standbyHosts: [], partition: -1 };
  }
  const sub = layout.subtopologies.find((s) => s.stores.includes(storeName));
  if (sub === undefined)
    throw new TributaryError('INVALID_STATE_STORE', `no state store named ${storeName}`, { store: storeName });
  const topic = layout.physical(sub.sourceTopics[0]!);
  const count = layout.taskCount(sub);
  let partition: number | undefined;
  if (typeof partitioning === 'function') partition = partitioning(topic, key, null, count);
  else {
    const bytes = partitioning.serialize(topic, key);
    if (bytes !== null) partition = defaultPartition(bytes, count);
  }
  if (partition === undefined)
    throw new TypeError(
      `queryMetadataForKey: no partition for key ${String(key)} (no bytes, or the partitioner gave none)`,
    );
  const task = `${sub.id}_${partition}`;
  for (const [server, tasks] of layout.hosts)
    if (tasks.includes(task)) return { activeHost: parseHostInfo(server), standbyHosts: [], partition };
  return { ...KEY_QUERY_NOT_AVAILABLE, partition };
}
