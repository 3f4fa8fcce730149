import { TOPIC_CONFIG_NAMES, type LogBackend, type TopicConfig, validateTopicName } from '../log/index.ts';
import { OffsetOutOfRangeError, TributaryError } from '../errors.ts';
import { SECURITY_TOPIC, SecurityStore } from '../security/store.ts';
import {
  type AclBinding,
  type AclFilter,
  type DeleteAclResponse,
  type DescribeAclResponse,
  fromAuthorizerBinding,
  toAuthorizerBinding,
  toAuthorizerFilter,
} from './acl.ts';
import { acquireWithCoordinator, type ClientContext } from './context.ts';
import { parseOffset } from './convert.ts';
import { clientError, hasCode } from './errors.ts';
import type { GroupCoordinator } from '../cluster/group-coordinator.ts';
import { OFFSETS_TOPIC } from '../cluster/offset-store.ts';
import { KafkaJSDeleteTopicRecordsError } from './kafkajs-errors.ts';
import {
  InstrumentationEmitter,
  type InstrumentationEvent,
  type RemoveInstrumentationEventListener,
} from './instrumentation.ts';
import type { Logger } from './logger.ts';
import type { WireAdminCalls } from './wire/admin-calls.ts';
import type { WireTransport } from './wire/transport.ts';
import type {
  DeleteGroupsResult,
  FetchOffsetsPartition,
  GroupDescriptions,
  GroupOverview,
  ITopicMetadata,
  SeekEntry,
} from './types.ts';

/** kafkajs's config resource types. */
export enum ConfigResourceTypes {
  UNKNOWN = 0,
  TOPIC = 2,
  BROKER = 4,
  BROKER_LOGGER = 8,
}

/** kafkajs's config sources. */
export enum ConfigSource {
  UNKNOWN = 0,
  TOPIC_CONFIG = 1,
  DYNAMIC_BROKER_CONFIG = 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG = 3,
  STATIC_BROKER_CONFIG = 4,
  DEFAULT_CONFIG = 5,
  DYNAMIC_BROKER_LOGGER_CONFIG = 6,
}

/**
 * A topic to create, as kafkajs's `createTopics` takes it.
 *
 * @example
 * await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
 */
export interface ITopicConfig {
  topic: string;
  numPartitions?: number;
  /** Accepted; one in-process replica. */
  replicationFactor?: number;
  configEntries?: { name: string; value: string }[];
}

/** One config of a resource in {@link DescribeConfigResponse}: its value, where it comes from, and its synonyms. */
export interface ConfigEntries {
  configName: string;
  configValue: string;
  isDefault: boolean;
  configSource: ConfigSource;
  isSensitive: boolean;
  readOnly: boolean;
  configSynonyms: { configName: string; configValue: string; configSource: ConfigSource }[];
}

/** `admin.describeConfigs`'s answer, kafkajs's shape: the configs of each resource asked for. */
export interface DescribeConfigResponse {
  resources: {
    configEntries: ConfigEntries[];
    errorCode: number;
    errorMessage: string;
    resourceName: string;
    resourceType: ConfigResourceTypes;
  }[];
  throttleTime: number;
}

/** A partition's committed offset beside its log offsets: the group's lag. */
export interface PartitionLag {
  partition: number;
  /** The committed offset, or '-1' when the group committed none. */
  offset: string;
  high: string;
  low: string;
  /** Records between the committed offset (or the log start when none) and the high watermark. */
  lag: string;
}

/** kafkajs's admin event names; CONNECT and DISCONNECT always, the network ones over the wire. */
export const AdminEvents = {
  CONNECT: 'admin.connect',
  DISCONNECT: 'admin.disconnect',
  REQUEST: 'admin.network.request',
  REQUEST_TIMEOUT: 'admin.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'admin.network.request_queue_size',
} as const;
/** The name of an admin instrumentation event (a value of {@link AdminEvents}). */
export type AdminEventName = (typeof AdminEvents)[keyof typeof AdminEvents];

const KAFKA_ERROR_CODES: Record<string, number> = { NON_EMPTY_GROUP: 68, GROUP_ID_NOT_FOUND: 69, INVALID_GROUP_ID: 24 };

/**
 * The admin client, with kafkajs's API: topics, configs, offsets and groups. `listTopics` leaves
 * out the internal `__consumer_offsets` topic, as Kafka's admin client does by default.
 *
 * @example
 * const admin = tributary.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
 * console.log(await admin.fetchTopicOffsets('orders'));
 */
export class Admin {
  readonly events = AdminEvents;
  readonly #ctx: ClientContext;
  readonly #emitter: InstrumentationEmitter<AdminEventName>;
  #log: LogBackend | undefined;
  #coordinator: GroupCoordinator | undefined;
  /** Set over the wire: every call is a Kafka request. */
  #wire: WireTransport | undefined;
  #wireCalls: WireAdminCalls | undefined;

  /** @internal Use {@link Tributary.admin}. */
  constructor(ctx: ClientContext) {
    this.#ctx = ctx;
    this.#emitter = new InstrumentationEmitter(Object.values(AdminEvents), () => ctx.clock.now());
  }

  /** Opens the admin's use of the log (the Tributary's shared log). Calls before it get `CLIENT_NOT_CONNECTED`. */
  async connect(): Promise<void> {
    if (this.#log !== undefined || this.#wire !== undefined) return;
    const wire = this.#ctx.wire;
    if (wire !== undefined) {
      const emitter = this.#emitter;
      this.#wire = await wire.connect({
        request: (payload) => emitter.emit(AdminEvents.REQUEST, payload),
        requestTimeout: (payload) => emitter.emit(AdminEvents.REQUEST_TIMEOUT, payload),
        requestQueueSize: (payload) => emitter.emit(AdminEvents.REQUEST_QUEUE_SIZE, payload),
      });
      this.#wireCalls = await wire.adminCalls(this.#wire);
      this.#emitter.emit(AdminEvents.CONNECT, null);
      return;
    }
    const { log, coordinator } = await acquireWithCoordinator(this.#ctx);
    this.#coordinator = coordinator;
    this.#log = log;
    this.#emitter.emit(AdminEvents.CONNECT, null);
  }

  /** Lets go of the log; the admin can connect again later. */
  async disconnect(): Promise<void> {
    const wire = this.#wire;
    if (wire !== undefined) {
      this.#wire = undefined;
      await wire.cluster.disconnect();
      this.#emitter.emit(AdminEvents.DISCONNECT, null);
      return;
    }
    if (this.#log === undefined) return;
    this.#log = undefined;
    this.#coordinator = undefined;
    await this.#ctx.release();
    this.#emitter.emit(AdminEvents.DISCONNECT, null);
  }

  /** The admin's logger, namespaced `Admin`, as kafkajs's `admin.logger()`. */
  logger(): Logger {
    return this.#ctx.logger.namespace('Admin');
  }

  /** Listens to an instrumentation event (`admin.events.CONNECT`, …); returns the function that removes the listener. */
  on(
    eventName: AdminEventName,
    listener: (event: InstrumentationEvent<unknown>) => void,
  ): RemoveInstrumentationEventListener {
    return this.#emitter.on(eventName, listener);
  }

  #use(): { log: LogBackend; coordinator: GroupCoordinator } {
    if (this.#wire !== undefined) {
      throw clientError(
        'UNSUPPORTED_OPERATION',
        'This admin call needs the embedded log (a Tributary made with dataDir)',
      );
    }
    if (this.#log === undefined || this.#coordinator === undefined) {
      throw clientError('CLIENT_NOT_CONNECTED', 'The admin client is not connected; call connect() first');
    }
    return { log: this.#log, coordinator: this.#coordinator };
  }

  /** One in-process "broker", node 0, so code that inspects the cluster keeps working. */
  async describeCluster(): Promise<{
    brokers: { nodeId: number; host: string; port: number }[];
    controller: number | null;
    clusterId: string;
  }> {
    const wire = this.#wire;
    if (wire !== undefined) {
      await wire.cluster.refreshMetadata();
      const controller = wire.cluster.controllerId;
      return {
        brokers: wire.cluster.brokers(),
        controller: controller < 0 ? null : controller,
        clusterId: wire.cluster.clusterId ?? '',
      };
    }
    this.#use();
    return { brokers: [{ nodeId: 0, host: 'in-process', port: 0 }], controller: 0, clusterId: 'tributary' };
  }

  /** The names of the topics, without the internal ones (`__consumer_offsets`), as kafkajs lists them. */
  async listTopics(): Promise<string[]> {
    if (this.#wire !== undefined) return this.#wire.listTopics();
    const { log } = this.#use();
    return (await log.listTopics()).filter((t) => t !== OFFSETS_TOPIC && t !== SECURITY_TOPIC);
  }

  /** Creates topics; resolves false when one of them existed already (the others are created). */
  async createTopics(options: {
    topics: (ITopicConfig & { replicaAssignment?: { partition: number; replicas: number[] }[] })[];
    validateOnly?: boolean;
    waitForLeaders?: boolean;
    timeout?: number;
  }): Promise<boolean> {
    if (options === null || typeof options !== 'object' || !Array.isArray(options.topics))
      throw new TypeError('createTopics takes { topics: [...] }');
    if (this.#wire !== undefined) {
      for (const t of options.topics) validateTopicName(t.topic);
      return this.#wire.createTopics(
        options.topics.map((t) => ({
          topic: t.topic,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          assignments: t.replicaAssignment,
          configs: Object.fromEntries((t.configEntries ?? []).map((e) => [e.name, e.value])),
        })),
        { validateOnly: options.validateOnly, waitForLeaders: options.waitForLeaders, timeout: options.timeout },
      );
    }
    const { log } = this.#use();
    const specs = options.topics.map((t) => {
      validateTopicName(t.topic);
      const configs: Record<string, string> = {};
      for (const e of t.configEntries ?? []) configs[e.name] = e.value;
      return { topic: t.topic, numPartitions: t.numPartitions ?? 1, configs };
    });
    if (options.validateOnly === true) {
      for (const s of specs) {
        for (const name of Object.keys(s.configs)) {
          if (!(TOPIC_CONFIG_NAMES as readonly string[]).includes(name)) {
            throw new TributaryError('INVALID_CONFIG', `Unknown topic config "${name}"`, {
              topic: s.topic,
              config: name,
            });
          }
        }
        if (!Number.isSafeInteger(s.numPartitions) || s.numPartitions < 1) {
          throw new TributaryError(
            'INVALID_PARTITIONS',
            `numPartitions must be an integer ≥ 1, got ${s.numPartitions}`,
            { topic: s.topic },
          );
        }
      }
      return true;
    }
    let allCreated = true;
    for (const spec of specs) {
      try {
        await log.createTopic(spec);
      } catch (err) {
        if (!hasCode(err, 'TOPIC_ALREADY_EXISTS')) throw err;
        allCreated = false;
      }
    }
    return allCreated;
  }

  /**
   * kafkajs's `createPartitions`: grows each topic to `count` partitions. Consumer groups
   * subscribed to a grown topic rebalance so that its new partitions are consumed. `assignments`
   * (replica placement) is accepted and ignored: there is one broker. Each topic is checked before
   * any grows; a count that is not larger than the current one gets INVALID_PARTITIONS.
   *
   * @example
   * await admin.createPartitions({ topicPartitions: [{ topic: 'orders', count: 6 }] });
   */
  async createPartitions(options: {
    topicPartitions: { topic: string; count: number; assignments?: number[][] }[];
    validateOnly?: boolean;
    timeout?: number;
  }): Promise<boolean> {
    if (this.#wire !== undefined) return this.#wireCalls!.createPartitions(options);
    const { log, coordinator } = this.#use();
    if (options === null || typeof options !== 'object' || !Array.isArray(options.topicPartitions)) {
      throw new TypeError('createPartitions takes { topicPartitions: [{ topic, count }] }');
    }
    for (const { topic, count } of options.topicPartitions) {
      const current = log.partitionCount(topic);
      if (!Number.isSafeInteger(count) || count <= current) {
        throw new TributaryError(
          'INVALID_PARTITIONS',
          `Topic "${topic}" has ${current} partitions; count must be a larger integer, got ${String(count)}`,
          {
            topic,
            partitions: current,
          },
        );
      }
    }
    if (options.validateOnly === true) return true;
    for (const { topic, count } of options.topicPartitions) {
      await log.createPartitions(topic, count);
      coordinator.partitionsChanged(topic);
    }
    return true;
  }

  /**
   * kafkajs's `deleteTopicRecords` (Kafka's DeleteRecords): moves each partition's log start up to
   * `offset` (`'-1'` for the high watermark), deleting what lies below it.
   *
   * @example
   * await admin.deleteTopicRecords({ topic: 'orders', partitions: [{ partition: 0, offset: '1000' }] });
   */
  async deleteTopicRecords(options: { topic: string; partitions: SeekEntry[] }): Promise<void> {
    if (this.#wire !== undefined) return this.#wireCalls!.deleteTopicRecords(options);
    const { log } = this.#use();
    const { topic, partitions } = options;
    const targets = partitions.map(({ partition, offset }) => {
      const requested = Number(offset);
      if (!Number.isSafeInteger(requested) || requested < -1) {
        throw new TypeError(
          `deleteTopicRecords: offset must be "-1" or a whole number ≥ 0, got ${JSON.stringify(offset)}`,
        );
      }
      return { partition, offset: requested === -1 ? log.offsets(topic, partition).highWatermark : requested };
    });
    // Every partition is checked before any is touched, so a bad entry deletes nothing (kafkajs
    // refuses the whole call with KafkaJSDeleteTopicRecordsError naming the bad partitions).
    const refused: { partition: number; offset: string; error: Error }[] = [];
    for (const { partition, offset } of targets) {
      const { highWatermark, logStartOffset } = log.offsets(topic, partition);
      if (offset > highWatermark) {
        refused.push({
          partition,
          offset: String(offset),
          error: new OffsetOutOfRangeError(
            `Offset ${offset} is past the high watermark ${highWatermark} of ${topic}-${partition}`,
            {
              topic,
              partition,
              offset,
              logStartOffset,
              highWatermark,
            },
          ),
        });
      }
    }
    if (refused.length > 0) throw new KafkaJSDeleteTopicRecordsError({ topic, partitions: refused });
    for (const { partition, offset } of targets) await log.deleteRecords(topic, partition, offset);
  }

  /** Deletes topics and their records. `UNKNOWN_TOPIC_OR_PARTITION` when one does not exist. */
  async deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void> {
    if (this.#wire !== undefined) return this.#wire.deleteTopics(options.topics, options.timeout);
    const { log } = this.#use();
    for (const topic of options.topics) await log.deleteTopic(topic);
  }

  /** Partitions of the named topics (of every topic without `topics`), in kafkajs's metadata shape. */
  async fetchTopicMetadata(options?: { topics: string[] }): Promise<{ topics: ITopicMetadata[] }> {
    const wire = this.#wire;
    if (wire !== undefined) {
      const names = options?.topics ?? (await wire.listTopics());
      await wire.cluster.refreshMetadata(names);
      const topics: ITopicMetadata[] = [];
      for (const name of names) {
        const info = await wire.cluster.topic(name);
        topics.push({
          name,
          partitions: info.partitions.map((p) => ({
            partitionErrorCode: p.errorCode,
            partitionId: p.partition,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: p.offlineReplicas,
          })),
        });
      }
      return { topics };
    }
    const { log } = this.#use();
    const names = options?.topics ?? (await this.listTopics());
    return {
      topics: names.map((name) => ({
        name,
        partitions: Array.from({ length: log.partitionCount(name) }, (_, i) => ({
          partitionErrorCode: 0,
          partitionId: i,
          leader: 0,
          replicas: [0],
          isr: [0],
          offlineReplicas: [],
        })),
      })),
    };
  }

  /** Per partition: `offset` and `high` are the high watermark, `low` the log start offset. */
  async fetchTopicOffsets(topic: string): Promise<(SeekEntry & { high: string; low: string })[]> {
    const wire = this.#wire;
    if (wire !== undefined) {
      const [high, low] = await Promise.all([wire.listOffsets(topic, -1), wire.listOffsets(topic, -2)]);
      return [...high.keys()]
        .sort((a, b) => a - b)
        .map((partition) => ({
          partition,
          offset: String(high.get(partition)),
          high: String(high.get(partition)),
          low: String(low.get(partition) ?? 0),
        }));
    }
    const { log } = this.#use();
    const count = log.partitionCount(topic);
    return Array.from({ length: count }, (_, partition) => {
      const o = log.offsets(topic, partition);
      return {
        partition,
        offset: String(o.highWatermark),
        high: String(o.highWatermark),
        low: String(o.logStartOffset),
      };
    });
  }

  /** Per partition, the first offset with a timestamp ≥ `timestamp` (the high watermark when none; latest without a timestamp). */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<SeekEntry[]> {
    const wire = this.#wire;
    if (wire !== undefined) {
      const found = await wire.listOffsets(topic, timestamp ?? -1);
      const latest = timestamp === undefined ? found : await wire.listOffsets(topic, -1);
      return [...found.keys()]
        .sort((a, b) => a - b)
        .map((partition) => {
          const offset = found.get(partition)!;
          return { partition, offset: String(offset < 0 ? latest.get(partition) : offset) };
        });
    }
    const { log } = this.#use();
    const count = log.partitionCount(topic);
    const out: SeekEntry[] = [];
    for (let partition = 0; partition < count; partition++) {
      const found = timestamp === undefined ? null : await log.offsetForTimestamp(topic, partition, timestamp);
      out.push({ partition, offset: String(found ?? log.offsets(topic, partition).highWatermark) });
    }
    return out;
  }

  /** Topic configs as Kafka's DescribeConfigs gives them: each name, value, and whether it is a default or set on the topic. */
  async describeConfigs(configs: {
    resources: { type: ConfigResourceTypes; name: string; configNames?: string[] }[];
    includeSynonyms?: boolean;
  }): Promise<DescribeConfigResponse> {
    if (this.#wire !== undefined) return this.#wireCalls!.describeConfigs(configs);
    const { log } = this.#use();
    const resources: DescribeConfigResponse['resources'] = [];
    for (const r of configs.resources) {
      if (r.type !== ConfigResourceTypes.TOPIC) {
        resources.push({
          configEntries: [],
          errorCode: 0,
          errorMessage: '',
          resourceName: r.name,
          resourceType: r.type,
        });
        continue;
      }
      const description = await log.describeTopic(r.name);
      const names = r.configNames !== undefined && r.configNames.length > 0 ? r.configNames : [...TOPIC_CONFIG_NAMES];
      const configEntries: ConfigEntries[] = [];
      for (const name of names) {
        if (!(name in description.configs)) continue;
        const own = name in description.overrides;
        configEntries.push({
          configName: name,
          configValue: String(description.configs[name as keyof TopicConfig]),
          isDefault: !own,
          configSource: own ? ConfigSource.TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG,
          isSensitive: false,
          readOnly: false,
          configSynonyms: [],
        });
      }
      resources.push({ configEntries, errorCode: 0, errorMessage: '', resourceName: r.name, resourceType: r.type });
    }
    return { resources, throttleTime: 0 };
  }

  /** Sets topic configs, as Kafka's AlterConfigs: all changes of a call or none; `validateOnly` checks without changing. */
  async alterConfigs(configs: {
    validateOnly?: boolean;
    resources: { type: ConfigResourceTypes; name: string; configEntries: { name: string; value: string | null }[] }[];
  }): Promise<{
    resources: {
      errorCode: number;
      errorMessage: string | null;
      resourceName: string;
      resourceType: ConfigResourceTypes;
    }[];
    throttleTime: number;
  }> {
    if (this.#wire !== undefined) return this.#wireCalls!.alterConfigs(configs);
    const { log } = this.#use();
    const resources = [];
    for (const r of configs.resources) {
      if (r.type !== ConfigResourceTypes.TOPIC) throw new TypeError('Only topic configs can be altered');
      const changes: Record<string, string | null> = {};
      for (const e of r.configEntries) changes[e.name] = e.value;
      if (configs.validateOnly !== true) await log.alterConfigs(r.name, changes);
      resources.push({ errorCode: 0, errorMessage: null, resourceName: r.name, resourceType: r.type });
    }
    return { resources, throttleTime: 0 };
  }

  /** Every consumer group with committed offsets or members. */
  async listGroups(): Promise<{ groups: GroupOverview[] }> {
    if (this.#wire !== undefined) return this.#wireCalls!.listGroups();
    const { coordinator } = this.#use();
    return { groups: coordinator.listGroups().map((groupId) => ({ groupId, protocolType: 'consumer' })) };
  }

  /** The state, protocol and members of each group; a group that does not exist is described as `Dead`, as Kafka does. */
  async describeGroups(groupIds: string[]): Promise<GroupDescriptions> {
    if (this.#wire !== undefined) return this.#wireCalls!.describeGroups(groupIds);
    const { coordinator } = this.#use();
    return { groups: groupIds.map((id) => ({ errorCode: 0, ...coordinator.describeGroup(id) })) };
  }

  /** A group's committed offsets per topic; '-1' for partitions without one. */
  async fetchOffsets(options: {
    groupId: string;
    topics?: string[];
    resolveOffsets?: boolean;
  }): Promise<{ topic: string; partitions: FetchOffsetsPartition[] }[]> {
    if (typeof options?.groupId !== 'string')
      throw new TypeError(`fetchOffsets needs a groupId string, got ${JSON.stringify(options?.groupId)}`);
    if (this.#wire !== undefined) return this.#wireCalls!.fetchOffsets(options);
    const { log, coordinator } = this.#use();
    const store = coordinator.offsets;
    const topics = options.topics ?? [...new Set(store.list(options.groupId).map((e) => e.topic))].sort();
    return topics.map((topic) => {
      let count = 0;
      try {
        count = log.partitionCount(topic);
      } catch {
        count = Math.max(
          0,
          ...store
            .list(options.groupId)
            .filter((e) => e.topic === topic)
            .map((e) => e.partition + 1),
        );
      }
      return {
        topic,
        partitions: Array.from({ length: count }, (_, partition) => {
          const c = store.get(options.groupId, topic, partition);
          return { partition, offset: c === undefined ? '-1' : String(c.offset), metadata: c?.metadata ?? null };
        }),
      };
    });
  }

  /** Per partition: committed offset, log offsets and lag. */
  async fetchConsumerLag(options: {
    groupId: string;
    topics?: string[];
  }): Promise<{ topic: string; partitions: PartitionLag[] }[]> {
    const wire = this.#wire;
    if (wire !== undefined) {
      const committed = await this.#wireCalls!.fetchOffsets(options);
      const out: { topic: string; partitions: PartitionLag[] }[] = [];
      for (const { topic, partitions } of committed) {
        const [high, low] = await Promise.all([wire.listOffsets(topic, -1), wire.listOffsets(topic, -2)]);
        out.push({
          topic,
          partitions: partitions.map((p) => {
            const h = high.get(p.partition) ?? 0;
            const l = low.get(p.partition) ?? 0;
            const from = p.offset === '-1' ? l : Math.max(l, Number(p.offset));
            return {
              partition: p.partition,
              offset: p.offset,
              high: String(h),
              low: String(l),
              lag: String(Math.max(0, h - from)),
            };
          }),
        });
      }
      return out;
    }
    const { log } = this.#use();
    const committed = await this.fetchOffsets(options);
    return committed.map(({ topic, partitions }) => ({
      topic,
      partitions: partitions.map((p) => {
        const o = log.offsets(topic, p.partition);
        const from = p.offset === '-1' ? o.logStartOffset : Math.max(o.logStartOffset, Number(p.offset));
        return {
          partition: p.partition,
          offset: p.offset,
          high: String(o.highWatermark),
          low: String(o.logStartOffset),
          lag: String(Math.max(0, o.highWatermark - from)),
        };
      }),
    }));
  }

  /** Sets a group's offsets of a topic; the group must have no running members. */
  async setOffsets(options: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void> {
    for (const p of options.partitions) {
      // Kafka's sentinels (-1 latest, -2 earliest) or an offset; any other negative is a mistake.
      const offset = Number(p.offset);
      if (!Number.isSafeInteger(offset) || (offset < 0 && offset !== -1 && offset !== -2)) {
        throw new TypeError(
          `setOffsets: offset must be a non-negative integer, -1 (latest) or -2 (earliest), got ${JSON.stringify(p.offset)}`,
        );
      }
    }
    if (this.#wire !== undefined) return this.#wireCalls!.setOffsets(options);
    const { log, coordinator } = this.#use();
    this.#requireEmpty(coordinator, options.groupId);
    const count = log.partitionCount(options.topic);
    for (const p of options.partitions) {
      if (!Number.isInteger(p.partition) || p.partition < 0 || p.partition >= count) {
        throw new TributaryError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `Topic "${options.topic}" has no partition ${p.partition}`,
          { topic: options.topic, partition: p.partition },
        );
      }
    }
    await coordinator.offsets.commit(
      options.groupId,
      options.partitions.map((p) => ({ topic: options.topic, partition: p.partition, offset: parseOffset(p.offset) })),
    );
  }

  /** Moves a group's offsets of a topic to the log start (`earliest: true`) or the end. */
  async resetOffsets(options: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    const wire = this.#wire;
    if (wire !== undefined) {
      const found = await wire.listOffsets(options.topic, options.earliest === true ? -2 : -1);
      const partitions = [...found]
        .sort(([a], [b]) => a - b)
        .map(([partition, offset]) => ({ partition, offset: String(offset) }));
      return this.#wireCalls!.setOffsets({ groupId: options.groupId, topic: options.topic, partitions });
    }
    const { log, coordinator } = this.#use();
    this.#requireEmpty(coordinator, options.groupId);
    const count = log.partitionCount(options.topic);
    // kafkajs's sentinels, as it commits them: -2 is "the log start", -1 "the end", resolved by
    // the consumer when it takes the partition (so records appended meanwhile count as kafkajs).
    const offset = options.earliest === true ? '-2' : '-1';
    const partitions = Array.from({ length: count }, (_, partition) => ({ partition, offset }));
    await this.setOffsets({ groupId: options.groupId, topic: options.topic, partitions });
  }

  #requireEmpty(coordinator: GroupCoordinator, groupId: string): void {
    if (coordinator.hasMembers(groupId)) {
      throw clientError('NON_EMPTY_GROUP', `Group "${groupId}" has running members; stop them first`, { groupId });
    }
  }

  /** Deletes groups without members, with their committed offsets. Throws if any failed, after doing the rest. */
  async deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]> {
    if (this.#wire !== undefined) return this.#wireCalls!.deleteGroups(groupIds);
    const { coordinator } = this.#use();
    const results: DeleteGroupsResult[] = [];
    for (const groupId of groupIds) {
      try {
        await coordinator.deleteGroup(groupId);
        results.push({ groupId, errorCode: 0 });
      } catch (err) {
        const code = err instanceof TributaryError ? (err.code as string) : '';
        results.push({ groupId, errorCode: KAFKA_ERROR_CODES[code] ?? -1, error: err as Error });
      }
    }
    const failed = results.filter((r) => r.error !== undefined);
    if (failed.length > 0) {
      throw clientError(
        (failed[0]!.error as TributaryError).code as 'NON_EMPTY_GROUP',
        `Could not delete group(s) ${failed.map((f) => f.groupId).join(', ')}: ${failed.map((f) => f.error!.message).join('; ')}`,
        { groups: results },
      );
    }
    return results;
  }

  /**
   * kafkajs's `describeAcls`: the ACLs `trib serve --authorizer` enforces, kept in the log's hidden
   * security topic (embedded), or the broker's (over the wire; SECURITY_DISABLED from a broker
   * without an authorizer). In-process clients are not checked against them: they are the process.
   *
   * @example
   * await admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY,
   *   operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY });
   */
  async describeAcls(filter: AclFilter): Promise<DescribeAclResponse> {
    if (this.#wire !== undefined) return (await this.#aclCalls()).describeAcls(filter);
    const store = await this.#securityStore();
    const resources = new Map<string, DescribeAclResponse['resources'][number]>();
    for (const b of store.describeAcls(toAuthorizerFilter(filter)).map(fromAuthorizerBinding)) {
      const key = `${b.resourceType}\0${b.resourcePatternType}\0${b.resourceName}`;
      let r = resources.get(key);
      if (r === undefined) {
        r = {
          resourceType: b.resourceType,
          resourceName: b.resourceName,
          resourcePatternType: b.resourcePatternType,
          acls: [],
        };
        resources.set(key, r);
      }
      r.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
    }
    return { throttleTime: 0, errorCode: 0, errorMessage: null, resources: [...resources.values()] };
  }

  /** kafkajs's `createAcls`: stores the bindings (all or none when one is invalid: INVALID_ACL). */
  async createAcls(options: { acl: AclBinding[] }): Promise<boolean> {
    if (this.#wire !== undefined) return (await this.#aclCalls()).createAcls(options);
    const store = await this.#securityStore();
    await store.createAcls(options.acl.map(toAuthorizerBinding));
    return true;
  }

  /** kafkajs's `deleteAcls`: per filter, the bindings it removed. */
  async deleteAcls(options: { filters: AclFilter[] }): Promise<DeleteAclResponse> {
    if (this.#wire !== undefined) return (await this.#aclCalls()).deleteAcls(options);
    const store = await this.#securityStore();
    const removed = await store.deleteAcls(options.filters.map(toAuthorizerFilter));
    return {
      throttleTime: 0,
      filterResponses: removed.map((list) => ({
        errorCode: 0,
        errorMessage: null,
        matchingAcls: list.map((b) => ({ ...fromAuthorizerBinding(b), errorCode: 0, errorMessage: null })),
      })),
    };
  }

  #securityStore(): Promise<SecurityStore> {
    return SecurityStore.open(this.#use().log);
  }

  async #aclCalls() {
    const { aclCalls } = await import('./wire/acl-calls.ts');
    return aclCalls(this.#wire!);
  }
}
