/**
 * The admin client's group, offset, partition and config calls over the wire, with kafkajs's result
 * shapes: ListGroups (every broker lists the groups it coordinates), DescribeGroups, OffsetFetch
 * and OffsetCommit (as a non-member, only for a group without running members), DeleteGroups on
 * each group's coordinator; CreatePartitions, DescribeConfigs, AlterConfigs on any broker;
 * DeleteRecords on each partition's leader.
 *
 * @example
 * const calls = new WireAdminCalls(transport);
 * await calls.setOffsets({ groupId: 'g', topic: 'orders', partitions: [{ partition: 0, offset: '10' }] });
 */
import { TributaryError } from '../../errors.ts';
import { API } from '../../protocol/messages/index.ts';
import type {
  DeleteGroupsResult,
  FetchOffsetsPartition,
  GroupDescription,
  GroupOverview,
  SeekEntry,
} from '../types.ts';
import type { Broker } from './broker.ts';
import { CoordinatorType } from './cluster.ts';
import { type OffsetFetchResponse, untilOffsetsStable } from './group-calls.ts';
import { kafkaError } from './kafka-errors.ts';
import type { WireTransport } from './transport.ts';

/** OffsetFetch v8+ batches several groups; one group is enough here. */
const OFFSET_FETCH_MAX_VERSION = 7;
const COORDINATOR_ERRORS = new Set([14, 15, 16]);

export class WireAdminCalls {
  readonly #transport: WireTransport;

  constructor(transport: WireTransport) {
    this.#transport = transport;
  }

  get #cluster() {
    return this.#transport.cluster;
  }

  #onGroupCoordinator<T>(groupId: string, fn: (broker: Broker) => Promise<T>, errorOf: (res: T) => number): Promise<T> {
    return this.#cluster.withRetry(async () => {
      const broker = await this.#cluster.coordinator(groupId, CoordinatorType.GROUP);
      const res = await fn(broker);
      const code = errorOf(res);
      if (COORDINATOR_ERRORS.has(code)) {
        this.#cluster.forgetCoordinator(groupId, CoordinatorType.GROUP);
        throw kafkaError(code, { groupId });
      }
      return res;
    });
  }

  async listGroups(): Promise<{ groups: GroupOverview[] }> {
    await this.#cluster.refreshMetadata();
    const groups = new Map<string, GroupOverview>();
    for (const { nodeId } of this.#cluster.brokers()) {
      const broker = await this.#cluster.broker(nodeId);
      const res = (await broker.request(API.ListGroups, { statesFilter: [], typesFilter: [] } as never)) as {
        errorCode: number;
        groups: { groupId: string; protocolType: string }[];
      };
      if (res.errorCode !== 0) throw kafkaError(res.errorCode, { broker: nodeId });
      for (const g of res.groups) groups.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType });
    }
    return { groups: [...groups.values()] };
  }

  async describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    const groups: GroupDescription[] = [];
    for (const groupId of groupIds) {
      const res = (await this.#onGroupCoordinator(
        groupId,
        (broker) =>
          broker.request(API.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false } as never),
        (r) => (r as { groups: { errorCode: number }[] }).groups[0]?.errorCode ?? 0,
      )) as {
        groups: {
          errorCode: number;
          groupId: string;
          groupState: string;
          protocolType: string;
          protocolData: string;
          members: {
            memberId: string;
            groupInstanceId?: string | null;
            clientId: string;
            clientHost: string;
            memberMetadata: Buffer;
            memberAssignment: Buffer;
          }[];
        }[];
      };
      const g = res.groups[0]!;
      if (g.errorCode !== 0) throw kafkaError(g.errorCode, { groupId });
      groups.push({
        groupId: g.groupId,
        state: g.groupState as GroupDescription['state'],
        protocol: g.protocolData,
        protocolType: g.protocolType,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.memberMetadata,
          memberAssignment: m.memberAssignment,
          ...(m.groupInstanceId ? { groupInstanceId: m.groupInstanceId } : {}),
        })),
      });
    }
    return { groups };
  }

  /**
   * A group's committed offsets per topic ('-1' where none), every partition of each topic.
   *
   * As Kafka's Admin (and kafkajs) by default, offsets a transaction has sent but not yet committed
   * are not waited for: the last committed offset is given. With `requireStable` (what a
   * read_committed consumer and Streams ask for) the coordinator answers UNSTABLE_OFFSET_COMMIT for
   * such a partition, and the call asks again until the transaction ends or `stableTimeoutMs`
   * (default 60 s, Kafka's `default.api.timeout.ms`) has passed.
   */
  async fetchOffsets(options: {
    groupId: string;
    topics?: string[];
    requireStable?: boolean;
    stableTimeoutMs?: number;
  }): Promise<{ topic: string; partitions: FetchOffsetsPartition[] }[]> {
    const { groupId, requireStable = false } = options;
    return untilOffsetsStable(
      () => this.#fetchOffsetsOnce(groupId, options.topics, requireStable),
      options.stableTimeoutMs,
    );
  }

  async #fetchOffsetsOnce(
    groupId: string,
    topics: string[] | undefined,
    requireStable: boolean,
  ): Promise<{ topic: string; partitions: FetchOffsetsPartition[] }[]> {
    let requested: { name: string; partitionIndexes: number[] }[] | null = null;
    if (topics !== undefined) {
      requested = [];
      for (const name of topics) {
        const info = await this.#cluster.topic(name);
        requested.push({ name, partitionIndexes: info.partitions.map((p) => p.partition) });
      }
    }
    const res = (await this.#onGroupCoordinator(
      groupId,
      (broker) =>
        broker.request(API.OffsetFetch, { groupId, topics: requested, groups: [], requireStable } as never, {
          maxVersion: OFFSET_FETCH_MAX_VERSION,
        }),
      (r) => (r as { errorCode: number }).errorCode,
    )) as OffsetFetchResponse;
    if (res.errorCode !== 0) throw kafkaError(res.errorCode, { groupId });
    return res.topics
      .map((t) => ({
        topic: t.name,
        partitions: t.partitions
          .map((p) => {
            if (p.errorCode !== 0)
              throw kafkaError(p.errorCode, { groupId, topic: t.name, partition: p.partitionIndex });
            return { partition: p.partitionIndex, offset: String(p.committedOffset), metadata: p.metadata ?? null };
          })
          .sort((a, b) => a.partition - b.partition),
      }))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  }

  /** Commits offsets as a non-member; refused with NON_EMPTY_GROUP while the group has members. */
  async setOffsets(options: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void> {
    const { groupId, topic } = options;
    const [described] = (await this.describeGroups([groupId])).groups;
    if (described !== undefined && described.state !== 'Empty' && described.state !== 'Dead') {
      throw new TributaryError('NON_EMPTY_GROUP', `Group "${groupId}" has running members; stop them first`, {
        groupId,
      });
    }
    const res = (await this.#onGroupCoordinator(
      groupId,
      (broker) =>
        broker.request(API.OffsetCommit, {
          groupId,
          generationIdOrMemberEpoch: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: -1,
          topics: [
            {
              name: topic,
              partitions: options.partitions.map((p) => ({
                partitionIndex: p.partition,
                committedOffset: Number(p.offset),
                committedLeaderEpoch: -1,
                commitTimestamp: -1,
                committedMetadata: null,
              })),
            },
          ],
        } as never),
      (r) => (r as { topics: { partitions: { errorCode: number }[] }[] }).topics[0]?.partitions[0]?.errorCode ?? 0,
    )) as { topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] };
    for (const t of res.topics) {
      for (const p of t.partitions)
        if (p.errorCode !== 0) throw kafkaError(p.errorCode, { groupId, topic: t.name, partition: p.partitionIndex });
    }
  }

  /** Deletes groups without members; throws after trying all when one failed, as the embedded admin does. */
  async deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]> {
    const results: DeleteGroupsResult[] = [];
    for (const groupId of groupIds) {
      const res = (await this.#onGroupCoordinator(
        groupId,
        (broker) => broker.request(API.DeleteGroups, { groupsNames: [groupId] } as never),
        (r) => (r as { results: { errorCode: number }[] }).results[0]?.errorCode ?? 0,
      )) as { results: { groupId: string; errorCode: number }[] };
      const code = res.results[0]?.errorCode ?? 0;
      results.push(
        code === 0 ? { groupId, errorCode: 0 } : { groupId, errorCode: code, error: kafkaError(code, { groupId }) },
      );
    }
    const failed = results.filter((r) => r.error !== undefined);
    if (failed.length > 0) {
      const first = failed[0]!.error as TributaryError;
      throw new TributaryError(
        first.code,
        `Could not delete group(s) ${failed.map((f) => f.groupId).join(', ')}: ${failed.map((f) => f.error!.message).join('; ')}`,
        {
          groups: results,
        },
      );
    }
    return results;
  }

  async createPartitions(options: {
    topicPartitions: { topic: string; count: number; assignments?: number[][] }[];
    validateOnly?: boolean;
    timeout?: number;
  }): Promise<boolean> {
    const res = (await this.#cluster.withRetry(async () =>
      (
        await this.#cluster.anyBroker()
      ).request(API.CreatePartitions, {
        topics: options.topicPartitions.map((t) => ({
          name: t.topic,
          count: t.count,
          assignments: t.assignments === undefined ? null : t.assignments.map((brokerIds) => ({ brokerIds })),
        })),
        timeoutMs: options.timeout ?? 5000,
        validateOnly: options.validateOnly === true,
      } as never),
    )) as { results: { name: string; errorCode: number; errorMessage: string | null }[] };
    for (const r of res.results)
      if (r.errorCode !== 0) throw kafkaError(r.errorCode, { topic: r.name }, r.errorMessage);
    await this.#cluster.refreshMetadata(options.topicPartitions.map((t) => t.topic));
    return true;
  }

  /** Moves each partition's log start up to `offset` ('-1': the high watermark) with DeleteRecords on its leader. */
  async deleteTopicRecords(options: { topic: string; partitions: SeekEntry[] }): Promise<void> {
    const { topic } = options;
    const high = options.partitions.some((p) => Number(p.offset) === -1)
      ? await this.#transport.listOffsets(topic, -1)
      : new Map<number, number>();
    const targets = options.partitions.map(({ partition, offset }) => {
      const requested = Number(offset);
      if (!Number.isSafeInteger(requested) || requested < -1) {
        throw new TypeError(
          `deleteTopicRecords: offset must be "-1" or a whole number ≥ 0, got ${JSON.stringify(offset)}`,
        );
      }
      return { partition, offset: requested === -1 ? (high.get(partition) ?? 0) : requested };
    });
    await this.#cluster.withRetry(async () => {
      const byLeader = new Map<Broker, { partitionIndex: number; offset: number }[]>();
      for (const t of targets) {
        const leader = await this.#cluster.leaderFor(topic, t.partition);
        let list = byLeader.get(leader);
        if (list === undefined) byLeader.set(leader, (list = []));
        list.push({ partitionIndex: t.partition, offset: t.offset });
      }
      for (const [leader, partitions] of byLeader) {
        const res = (await leader.request(API.DeleteRecords, {
          topics: [{ name: topic, partitions }],
          timeoutMs: 5000,
        } as never)) as {
          topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
        };
        for (const t of res.topics)
          for (const p of t.partitions)
            if (p.errorCode !== 0) throw kafkaError(p.errorCode, { topic, partition: p.partitionIndex });
      }
    });
  }

  /** DescribeConfigs, in kafkajs's result shape. */
  async describeConfigs(configs: {
    resources: { type: number; name: string; configNames?: string[] }[];
    includeSynonyms?: boolean;
  }): Promise<{
    resources: {
      configEntries: {
        configName: string;
        configValue: string;
        isDefault: boolean;
        configSource: number;
        isSensitive: boolean;
        readOnly: boolean;
        configSynonyms: { configName: string; configValue: string; configSource: number }[];
      }[];
      errorCode: number;
      errorMessage: string;
      resourceName: string;
      resourceType: number;
    }[];
    throttleTime: number;
  }> {
    const res = (await this.#cluster.withRetry(async () =>
      (
        await this.#cluster.anyBroker()
      ).request(API.DescribeConfigs, {
        resources: configs.resources.map((r) => ({
          resourceType: r.type,
          resourceName: r.name,
          configurationKeys: r.configNames !== undefined && r.configNames.length > 0 ? r.configNames : null,
        })),
        includeSynonyms: configs.includeSynonyms === true,
        includeDocumentation: false,
      } as never),
    )) as {
      throttleTimeMs: number;
      results: {
        errorCode: number;
        errorMessage: string | null;
        resourceType: number;
        resourceName: string;
        configs: {
          name: string;
          value: string | null;
          readOnly: boolean;
          isDefault: boolean;
          configSource: number;
          isSensitive: boolean;
          synonyms: { name: string; value: string | null; source: number }[];
        }[];
      }[];
    };
    return {
      throttleTime: res.throttleTimeMs,
      resources: res.results.map((r) => {
        if (r.errorCode !== 0) throw kafkaError(r.errorCode, { resource: r.resourceName }, r.errorMessage);
        return {
          errorCode: 0,
          errorMessage: r.errorMessage ?? '',
          resourceName: r.resourceName,
          resourceType: r.resourceType,
          configEntries: r.configs.map((c) => ({
            configName: c.name,
            configValue: c.value ?? '',
            // Kafka's DEFAULT_CONFIG source (5), or the v0 flag.
            isDefault: c.configSource === 5 || (c.configSource === -1 && c.isDefault),
            configSource: c.configSource,
            isSensitive: c.isSensitive,
            readOnly: c.readOnly,
            configSynonyms: c.synonyms.map((s) => ({
              configName: s.name,
              configValue: s.value ?? '',
              configSource: s.source,
            })),
          })),
        };
      }),
    };
  }

  async alterConfigs(configs: {
    validateOnly?: boolean;
    resources: { type: number; name: string; configEntries: { name: string; value: string | null }[] }[];
  }): Promise<{
    resources: { errorCode: number; errorMessage: string | null; resourceName: string; resourceType: number }[];
    throttleTime: number;
  }> {
    const res = (await this.#cluster.withRetry(async () =>
      (
        await this.#cluster.anyBroker()
      ).request(API.AlterConfigs, {
        resources: configs.resources.map((r) => ({
          resourceType: r.type,
          resourceName: r.name,
          configs: r.configEntries.map((e) => ({ name: e.name, value: e.value })),
        })),
        validateOnly: configs.validateOnly === true,
      } as never),
    )) as {
      throttleTimeMs: number;
      responses: { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string }[];
    };
    for (const r of res.responses)
      if (r.errorCode !== 0) throw kafkaError(r.errorCode, { resource: r.resourceName }, r.errorMessage);
    return { resources: res.responses, throttleTime: res.throttleTimeMs };
  }
}
