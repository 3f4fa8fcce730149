/**
 * For each API and the resource it acts on: a principal without the ACL gets Kafka's denial code,
 * the same principal with the ACL Kafka's KafkaApis requires does not (it may still get an error of
 * the group or transaction state, never the denial).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Broker, serve } from '../../../src/broker/index.ts';
import type { SecurityStore } from '../../../src/security/store.ts';
import { type EmbeddedLogBackend, openLog } from '../../../src/log/index.ts';
import { encodeRecordBatch } from '../../../src/protocol/index.ts';
import { API, type ApiMessage } from '../../../src/protocol/messages/index.ts';
import { ACL_FILTER_ANY, type AclBinding, type AclOperation, type ResourceType } from '../../../src/security/acl.ts';
import type { Input } from '../../../src/protocol/wire/schema.ts';
import { clientAs } from './fixtures.ts';

let log: EmbeddedLogBackend;
let broker: Broker;
let store: SecurityStore;

const BOB = 'User:bob';
const TOPIC_DENIED = 29;
const GROUP_DENIED = 30;
const CLUSTER_DENIED = 31;
const TXN_DENIED = 53;

beforeAll(async () => {
  log = await openLog({ storage: 'memory', maintenanceIntervalMs: 0 });
  for (const topic of ['t', 't-delete', 't-records']) await log.createTopic({ topic });
  broker = await serve({
    log,
    listeners: ['SASL_PLAINTEXT://127.0.0.1:0'],
    sasl: { mechanisms: ['PLAIN'], plainVerifier: (_u, p) => p === 'pw' },
    authorizer: { superUsers: ['User:admin'] },
    logLevel: 0,
    groupInitialRebalanceDelayMs: 0,
  });
  store = await broker.security();
});

afterAll(async () => {
  await broker.close();
  await log.close();
});

beforeEach(async () => {
  await store.deleteAcls([ACL_FILTER_ANY]);
});

const allow = (resourceType: ResourceType, resourceName: string, operation: AclOperation): AclBinding => ({
  resourceType,
  resourceName,
  patternType: 'LITERAL',
  principal: BOB,
  host: '*',
  operation,
  permission: 'ALLOW',
});

const batch = () =>
  Buffer.from(encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('v'), timestamp: 1 }] }));

interface Case {
  name: string;
  api: ApiMessage<unknown, unknown>;
  version: number;
  body: Input<unknown>;
  /** What the API needs; the last one is under test. */
  acls: AclBinding[];
  denied: number;
  code: (response: never) => number;
}

const c = <Req, Res>(
  name: string,
  api: ApiMessage<Req, Res>,
  version: number,
  body: Input<Req>,
  acls: AclBinding[],
  denied: number,
  code: (response: Res) => number,
): Case => ({ name, api: api as never, version, body: body as never, acls, denied, code: code as never });

const CASES: Case[] = [
  c(
    'Produce: TOPIC WRITE',
    API.Produce,
    7,
    {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: batch() }] }],
    },
    [allow('TOPIC', 't', 'WRITE')],
    TOPIC_DENIED,
    (r) => r.responses[0]!.partitionResponses[0]!.errorCode,
  ),
  c(
    'Produce: TRANSACTIONAL_ID WRITE',
    API.Produce,
    7,
    {
      transactionalId: 'tx',
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: batch() }] }],
    },
    [allow('TOPIC', 't', 'WRITE'), allow('TRANSACTIONAL_ID', 'tx', 'WRITE')],
    TXN_DENIED,
    (r) => r.responses[0]!.partitionResponses[0]!.errorCode,
  ),
  c(
    'Fetch: TOPIC READ',
    API.Fetch,
    11,
    {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      sessionEpoch: -1,
      topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    },
    [allow('TOPIC', 't', 'READ')],
    TOPIC_DENIED,
    (r) => r.responses[0]!.partitions[0]!.errorCode,
  ),
  c(
    'ListOffsets: TOPIC DESCRIBE',
    API.ListOffsets,
    5,
    { replicaId: -1, topics: [{ name: 't', partitions: [{ partitionIndex: 0, timestamp: -1 }] }] },
    [allow('TOPIC', 't', 'DESCRIBE')],
    TOPIC_DENIED,
    (r) => r.topics[0]!.partitions[0]!.errorCode,
  ),
  c(
    'Metadata: TOPIC DESCRIBE',
    API.Metadata,
    9,
    { topics: [{ name: 't' }], allowAutoTopicCreation: false },
    [allow('TOPIC', 't', 'DESCRIBE')],
    TOPIC_DENIED,
    (r) => r.topics[0]!.errorCode,
  ),
  c(
    'Metadata auto-creation: CLUSTER CREATE',
    API.Metadata,
    9,
    { topics: [{ name: 'auto-created' }], allowAutoTopicCreation: true },
    [allow('TOPIC', 'auto-created', 'DESCRIBE'), allow('CLUSTER', 'kafka-cluster', 'CREATE')],
    TOPIC_DENIED,
    (r) => r.topics[0]!.errorCode,
  ),
  c(
    'OffsetCommit: GROUP READ',
    API.OffsetCommit,
    2,
    {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: null }] }],
    },
    [allow('TOPIC', 't', 'READ'), allow('GROUP', 'g', 'READ')],
    GROUP_DENIED,
    (r) => r.topics[0]!.partitions[0]!.errorCode,
  ),
  c(
    'OffsetCommit: TOPIC READ',
    API.OffsetCommit,
    2,
    {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: null }] }],
    },
    [allow('GROUP', 'g', 'READ'), allow('TOPIC', 't', 'READ')],
    TOPIC_DENIED,
    (r) => r.topics[0]!.partitions[0]!.errorCode,
  ),
  c(
    'OffsetFetch: GROUP DESCRIBE',
    API.OffsetFetch,
    7,
    { groupId: 'g', topics: null },
    [allow('GROUP', 'g', 'DESCRIBE')],
    GROUP_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'OffsetFetch v8: TOPIC DESCRIBE',
    API.OffsetFetch,
    8,
    { groups: [{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }] }] },
    [allow('GROUP', 'g', 'DESCRIBE'), allow('TOPIC', 't', 'DESCRIBE')],
    TOPIC_DENIED,
    (r) => (r.groups[0]!.errorCode !== 0 ? r.groups[0]!.errorCode : r.groups[0]!.topics[0]!.partitions[0]!.errorCode),
  ),
  c(
    'FindCoordinator: GROUP DESCRIBE',
    API.FindCoordinator,
    3,
    { key: 'g', keyType: 0 },
    [allow('GROUP', 'g', 'DESCRIBE')],
    GROUP_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'FindCoordinator: TRANSACTIONAL_ID DESCRIBE',
    API.FindCoordinator,
    4,
    { keyType: 1, coordinatorKeys: ['tx'] },
    [allow('TRANSACTIONAL_ID', 'tx', 'DESCRIBE')],
    TXN_DENIED,
    (r) => r.coordinators[0]!.errorCode,
  ),
  c(
    'JoinGroup: GROUP READ',
    API.JoinGroup,
    5,
    {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    },
    [allow('GROUP', 'g', 'READ')],
    GROUP_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'Heartbeat: GROUP READ',
    API.Heartbeat,
    3,
    { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null },
    [allow('GROUP', 'g', 'READ')],
    GROUP_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'SyncGroup: GROUP READ',
    API.SyncGroup,
    3,
    { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] },
    [allow('GROUP', 'g', 'READ')],
    GROUP_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'LeaveGroup: GROUP READ',
    API.LeaveGroup,
    3,
    { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: null }] },
    [allow('GROUP', 'g', 'READ')],
    GROUP_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'DescribeGroups: GROUP DESCRIBE',
    API.DescribeGroups,
    5,
    { groups: ['g'] },
    [allow('GROUP', 'g', 'DESCRIBE')],
    GROUP_DENIED,
    (r) => r.groups[0]!.errorCode,
  ),
  c(
    'DeleteGroups: GROUP DELETE',
    API.DeleteGroups,
    2,
    { groupsNames: ['g'] },
    [allow('GROUP', 'g', 'DELETE')],
    GROUP_DENIED,
    (r) => r.results[0]!.errorCode,
  ),
  c(
    'OffsetDelete: GROUP DELETE',
    API.OffsetDelete,
    0,
    { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] },
    [allow('TOPIC', 't', 'READ'), allow('GROUP', 'g', 'DELETE')],
    GROUP_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'CreateTopics: TOPIC CREATE',
    API.CreateTopics,
    5,
    {
      topics: [{ name: 'created', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      validateOnly: true,
    },
    [allow('TOPIC', 'created', 'CREATE')],
    TOPIC_DENIED,
    (r) => r.topics[0]!.errorCode,
  ),
  c(
    'DeleteTopics: TOPIC DELETE',
    API.DeleteTopics,
    5,
    { topicNames: ['t-delete'], timeoutMs: 1000 },
    [allow('TOPIC', 't-delete', 'DELETE')],
    TOPIC_DENIED,
    (r) => r.responses[0]!.errorCode,
  ),
  c(
    'CreatePartitions: TOPIC ALTER',
    API.CreatePartitions,
    2,
    { topics: [{ name: 't', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: true },
    [allow('TOPIC', 't', 'ALTER')],
    TOPIC_DENIED,
    (r) => r.results[0]!.errorCode,
  ),
  c(
    'DeleteRecords: TOPIC DELETE',
    API.DeleteRecords,
    1,
    { topics: [{ name: 't-records', partitions: [{ partitionIndex: 0, offset: 0 }] }], timeoutMs: 1000 },
    [allow('TOPIC', 't-records', 'DELETE')],
    TOPIC_DENIED,
    (r) => r.topics[0]!.partitions[0]!.errorCode,
  ),
  c(
    'InitProducerId: TRANSACTIONAL_ID WRITE',
    API.InitProducerId,
    2,
    { transactionalId: 'tx', transactionTimeoutMs: 60_000 },
    [allow('TRANSACTIONAL_ID', 'tx', 'WRITE')],
    TXN_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'InitProducerId (idempotent): CLUSTER IDEMPOTENT_WRITE',
    API.InitProducerId,
    2,
    { transactionalId: null, transactionTimeoutMs: 60_000 },
    [allow('CLUSTER', 'kafka-cluster', 'IDEMPOTENT_WRITE')],
    CLUSTER_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'InitProducerId (idempotent): WRITE on any topic',
    API.InitProducerId,
    2,
    { transactionalId: null, transactionTimeoutMs: 60_000 },
    [allow('TOPIC', 't', 'WRITE')],
    CLUSTER_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'AddPartitionsToTxn: TRANSACTIONAL_ID WRITE',
    API.AddPartitionsToTxn,
    3,
    {
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: 1,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [{ name: 't', partitions: [0] }],
    },
    [allow('TOPIC', 't', 'WRITE'), allow('TRANSACTIONAL_ID', 'tx', 'WRITE')],
    TXN_DENIED,
    (r) => r.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode,
  ),
  c(
    'AddPartitionsToTxn: TOPIC WRITE',
    API.AddPartitionsToTxn,
    3,
    {
      v3AndBelowTransactionalId: 'tx',
      v3AndBelowProducerId: 1,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [{ name: 't', partitions: [0] }],
    },
    [allow('TRANSACTIONAL_ID', 'tx', 'WRITE'), allow('TOPIC', 't', 'WRITE')],
    TOPIC_DENIED,
    (r) => r.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode,
  ),
  c(
    'AddOffsetsToTxn: TRANSACTIONAL_ID WRITE',
    API.AddOffsetsToTxn,
    3,
    { transactionalId: 'tx', producerId: 1, producerEpoch: 0, groupId: 'g' },
    [allow('GROUP', 'g', 'READ'), allow('TRANSACTIONAL_ID', 'tx', 'WRITE')],
    TXN_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'AddOffsetsToTxn: GROUP READ',
    API.AddOffsetsToTxn,
    3,
    { transactionalId: 'tx', producerId: 1, producerEpoch: 0, groupId: 'g' },
    [allow('TRANSACTIONAL_ID', 'tx', 'WRITE'), allow('GROUP', 'g', 'READ')],
    GROUP_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'TxnOffsetCommit: TRANSACTIONAL_ID WRITE',
    API.TxnOffsetCommit,
    3,
    {
      transactionalId: 'tx',
      groupId: 'g',
      producerId: 1,
      producerEpoch: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: null }] }],
    },
    [allow('GROUP', 'g', 'READ'), allow('TOPIC', 't', 'READ'), allow('TRANSACTIONAL_ID', 'tx', 'WRITE')],
    TXN_DENIED,
    (r) => r.topics[0]!.partitions[0]!.errorCode,
  ),
  c(
    'EndTxn: TRANSACTIONAL_ID WRITE',
    API.EndTxn,
    3,
    { transactionalId: 'tx', producerId: 1, producerEpoch: 0, committed: true },
    [allow('TRANSACTIONAL_ID', 'tx', 'WRITE')],
    TXN_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'DescribeConfigs (topic): TOPIC DESCRIBE_CONFIGS',
    API.DescribeConfigs,
    4,
    { resources: [{ resourceType: 2, resourceName: 't', configurationKeys: null }] },
    [allow('TOPIC', 't', 'DESCRIBE_CONFIGS')],
    TOPIC_DENIED,
    (r) => r.results[0]!.errorCode,
  ),
  c(
    'DescribeConfigs (broker): CLUSTER DESCRIBE_CONFIGS',
    API.DescribeConfigs,
    4,
    { resources: [{ resourceType: 4, resourceName: '1', configurationKeys: null }] },
    [allow('CLUSTER', 'kafka-cluster', 'DESCRIBE_CONFIGS')],
    CLUSTER_DENIED,
    (r) => r.results[0]!.errorCode,
  ),
  c(
    'AlterConfigs (topic): TOPIC ALTER_CONFIGS',
    API.AlterConfigs,
    1,
    { resources: [{ resourceType: 2, resourceName: 't', configs: [] }], validateOnly: true },
    [allow('TOPIC', 't', 'ALTER_CONFIGS')],
    TOPIC_DENIED,
    (r) => r.responses[0]!.errorCode,
  ),
  c(
    'IncrementalAlterConfigs (topic): TOPIC ALTER_CONFIGS',
    API.IncrementalAlterConfigs,
    1,
    { resources: [{ resourceType: 2, resourceName: 't', configs: [] }], validateOnly: true },
    [allow('TOPIC', 't', 'ALTER_CONFIGS')],
    TOPIC_DENIED,
    (r) => r.responses[0]!.errorCode,
  ),
  c(
    'DescribeCluster: CLUSTER DESCRIBE',
    API.DescribeCluster,
    0,
    {},
    [allow('CLUSTER', 'kafka-cluster', 'DESCRIBE')],
    CLUSTER_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'DescribeLogDirs: CLUSTER DESCRIBE',
    API.DescribeLogDirs,
    4,
    { topics: null },
    [allow('CLUSTER', 'kafka-cluster', 'DESCRIBE')],
    CLUSTER_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'DescribeProducers: TOPIC READ',
    API.DescribeProducers,
    0,
    { topics: [{ name: 't', partitionIndexes: [0] }] },
    [allow('TOPIC', 't', 'READ')],
    TOPIC_DENIED,
    (r) => r.topics[0]!.partitions[0]!.errorCode,
  ),
  c(
    'DescribeTransactions: TRANSACTIONAL_ID DESCRIBE',
    API.DescribeTransactions,
    0,
    { transactionalIds: ['tx'] },
    [allow('TRANSACTIONAL_ID', 'tx', 'DESCRIBE')],
    TXN_DENIED,
    (r) => r.transactionStates[0]!.errorCode,
  ),
  c(
    'CreateAcls: CLUSTER ALTER',
    API.CreateAcls,
    2,
    {
      creations: [
        {
          resourceType: 2,
          resourceName: 'x',
          resourcePatternType: 3,
          principal: 'User:x',
          host: '*',
          operation: 3,
          permissionType: 3,
        },
      ],
    },
    [allow('CLUSTER', 'kafka-cluster', 'ALTER')],
    CLUSTER_DENIED,
    (r) => r.results[0]!.errorCode,
  ),
  c(
    'DescribeAcls: CLUSTER DESCRIBE',
    API.DescribeAcls,
    2,
    {
      resourceTypeFilter: 1,
      resourceNameFilter: null,
      patternTypeFilter: 1,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    },
    [allow('CLUSTER', 'kafka-cluster', 'DESCRIBE')],
    CLUSTER_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'DeleteAcls: CLUSTER ALTER',
    API.DeleteAcls,
    2,
    {
      filters: [
        {
          resourceTypeFilter: 2,
          resourceNameFilter: 'nothing',
          patternTypeFilter: 3,
          principalFilter: null,
          hostFilter: null,
          operation: 1,
          permissionType: 1,
        },
      ],
    },
    [allow('CLUSTER', 'kafka-cluster', 'ALTER')],
    CLUSTER_DENIED,
    (r) => r.filterResults[0]!.errorCode,
  ),
  c(
    'DescribeUserScramCredentials: CLUSTER DESCRIBE',
    API.DescribeUserScramCredentials,
    0,
    { users: null },
    [allow('CLUSTER', 'kafka-cluster', 'DESCRIBE')],
    CLUSTER_DENIED,
    (r) => r.errorCode,
  ),
  c(
    'AlterUserScramCredentials: CLUSTER ALTER',
    API.AlterUserScramCredentials,
    0,
    { deletions: [{ name: 'nobody', mechanism: 1 }], upsertions: [] },
    [allow('CLUSTER', 'kafka-cluster', 'ALTER')],
    CLUSTER_DENIED,
    (r) => r.results[0]!.errorCode,
  ),
];

describe('ACL matrix', () => {
  it.each(CASES.map((k) => [k.name, k] as const))('%s', async (_name, k) => {
    const client = await clientAs(broker.listeners()[0]!.port, 'bob');
    try {
      // The last ACL is the one under test; the others are granted in both runs.
      await store.createAcls(k.acls.slice(0, -1));
      const without = await client.request(k.api, k.version, k.body as never);
      expect(k.code(without as never)).toBe(k.denied);
      await store.createAcls(k.acls);
      const withAcl = await client.request(k.api, k.version, k.body as never);
      expect(k.code(withAcl as never)).not.toBe(k.denied);
      expect([TOPIC_DENIED, GROUP_DENIED, CLUSTER_DENIED, TXN_DENIED]).not.toContain(k.code(withAcl as never));
    } finally {
      client.close();
    }
  });
});
