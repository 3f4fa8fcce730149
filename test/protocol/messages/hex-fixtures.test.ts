/**
 * Hand-written byte fixtures, derived from the protocol guide's encodings and not from the codecs:
 * mostly flexible versions (which kafkajs does not speak), where compact lengths, tagged fields and
 * their placement are easiest to get wrong.
 */

import { describe, expect, it } from 'vitest';
import { API } from '../../../src/protocol/messages/index.ts';
import type { ApiMessage } from '../../../src/protocol/wire/api.ts';
import type { MessageSchema } from '../../../src/protocol/wire/schema.ts';
import { shapeAt } from './arbitrary.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ZERO = 'AAAAAAAAAAAAAAAAAAAAAA';

interface Fixture {
  api: keyof typeof API;
  version: number;
  side: 'request' | 'response';
  bytes: string;
  value: Record<string, unknown>;
}

const fixtures: Fixture[] = [
  {
    api: 'ApiVersions',
    version: 3,
    side: 'request',
    // compact "kcat", compact "1.7", no tagged fields
    bytes: '05 6b636174  04 312e37  00',
    value: { clientSoftwareName: 'kcat', clientSoftwareVersion: '1.7' },
  },
  {
    api: 'ApiVersions',
    version: 3,
    side: 'response',
    // error 0; one api key (Produce 0-11) with its empty tag section; throttle 0;
    // one tagged field: tag 1 (finalized_features_epoch), 8 bytes, 5
    bytes: '0000  02 0000 0000 000b 00  00000000  01 01 08 0000000000000005',
    value: {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 11 }],
      throttleTimeMs: 0,
      finalizedFeaturesEpoch: 5,
    },
  },
  {
    api: 'ApiVersions',
    version: 0,
    side: 'response',
    bytes: '0023  00000001 0012 0000 0003',
    value: { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] },
  },
  {
    api: 'Heartbeat',
    version: 4,
    side: 'request',
    bytes: '02 67  00000001  02 6d  00  00',
    value: { groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null },
  },
  {
    api: 'Metadata',
    version: 9,
    side: 'request',
    // one topic "a" (+ its tag section), allow auto-create, no cluster ops, no topic ops, tag section
    bytes: '02 02 61 00  01  00  00  00',
    value: {
      topics: [{ name: 'a' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    },
  },
  {
    api: 'Metadata',
    version: 12,
    side: 'request',
    // one topic by id (zero uuid) with a null name; no cluster-ops flag from v11 on
    bytes: '02 00000000000000000000000000000000 00 00  00  01  00',
    value: {
      topics: [{ topicId: ZERO, name: null }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: true,
    },
  },
  {
    api: 'Metadata',
    version: 1,
    side: 'request',
    // null topics = all topics
    bytes: 'ffffffff',
    value: { topics: null },
  },
  {
    api: 'Produce',
    version: 9,
    side: 'request',
    bytes: '00  ffff  00007530  02  02 74  02  00000000  04 616263  00  00  00',
    value: {
      transactionalId: null,
      acks: -1,
      timeoutMs: 30000,
      topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from('abc') }] }],
    },
  },
  {
    api: 'Produce',
    version: 10,
    side: 'response',
    // one partition with current_leader tagged (tag 0: leader 1, epoch 2 + its own empty tag section),
    // throttle 0, and node_endpoints tagged at the top (tag 0: node 1 "h":9092, null rack)
    bytes:
      '02  02 74  02  00000000 0000 0000000000000007 ffffffffffffffff 0000000000000000 01 00  01 00 09 00000001 00000002 00  00  00000000' +
      '  01 00 0d 02 00000001 02 68 00002384 00 00',
    value: {
      responses: [
        {
          name: 't',
          partitionResponses: [
            {
              index: 0,
              errorCode: 0,
              baseOffset: 7,
              logAppendTimeMs: -1,
              logStartOffset: 0,
              recordErrors: [],
              errorMessage: null,
              currentLeader: { leaderId: 1, leaderEpoch: 2 },
            },
          ],
        },
      ],
      throttleTimeMs: 0,
      nodeEndpoints: [{ nodeId: 1, host: 'h', port: 9092, rack: null }],
    },
  },
  {
    api: 'Fetch',
    version: 12,
    side: 'request',
    // tagged cluster_id absent; replica -1, wait 500, min 1, max 0x7fffffff, read_committed, session 0/-1,
    // one topic "t" with partition 0 at offset 5, no forgotten topics, rack ""
    bytes:
      'ffffffff 000001f4 00000001 7fffffff 01 00000000 ffffffff' +
      ' 02 02 74 02 00000000 ffffffff 0000000000000005 ffffffff ffffffffffffffff 00100000 00 00' +
      ' 01  01  00',
    value: {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 0x7fffffff,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 't',
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 5,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 1048576,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
  },
  {
    api: 'Fetch',
    version: 16,
    side: 'response',
    // throttle 0, error 0, session 0; topic by id; partition 0: hw 10, lso 10, log start 0, no tags,
    // no aborted transactions (null), preferred replica -1, records "abc"; top-level tags: none
    bytes:
      '00000000 0000 00000000  02 0102030405060708090a0b0c0d0e0f10' +
      ' 02 00000000 0000 000000000000000a 000000000000000a 0000000000000000 00 ffffffff 04 616263 00  00  00',
    value: {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topicId: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex').toString('base64url'),
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 10,
              lastStableOffset: 10,
              logStartOffset: 0,
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: Buffer.from('abc'),
            },
          ],
        },
      ],
    },
  },
  {
    api: 'InitProducerId',
    version: 4,
    side: 'request',
    bytes: '03 7478  0000ea60  0000000000000009  0002  00',
    value: { transactionalId: 'tx', transactionTimeoutMs: 60000, producerId: 9, producerEpoch: 2 },
  },
  {
    api: 'FindCoordinator',
    version: 4,
    side: 'response',
    bytes: '00000000  02 02 67 00000001 0a 6c6f63616c686f7374 00002384 0000 00 00  00',
    value: {
      throttleTimeMs: 0,
      coordinators: [{ key: 'g', nodeId: 1, host: 'localhost', port: 9092, errorCode: 0, errorMessage: null }],
    },
  },
  {
    api: 'CreateTopics',
    version: 5,
    side: 'response',
    // one topic: topic_config_error_code tagged (tag 0 = 40), null configs
    bytes: '00000000  02 02 74 0000 00 00000003 0001 00  01 00 02 0028  00',
    value: {
      throttleTimeMs: 0,
      topics: [
        {
          name: 't',
          errorCode: 0,
          errorMessage: null,
          topicConfigErrorCode: 40,
          numPartitions: 3,
          replicationFactor: 1,
          configs: null,
        },
      ],
    },
  },
  {
    api: 'OffsetFetch',
    version: 8,
    side: 'request',
    bytes: '02 02 67 00 00  00  00',
    value: { groups: [{ groupId: 'g', topics: null }], requireStable: false },
  },
  {
    api: 'ListOffsets',
    version: 0,
    side: 'response',
    bytes: '00000001 0001 74 00000001 00000000 0000 00000002 0000000000000005 0000000000000000',
    value: { topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [5, 0] }] }] },
  },
  {
    api: 'AddPartitionsToTxn',
    version: 4,
    side: 'request',
    // the batched broker form: one transaction, verify only, topic "t" partition 0
    bytes: '02  03 7478 0000000000000005 0001 01  02 02 74 02 00000000 00  00  00',
    value: {
      transactions: [
        {
          transactionalId: 'tx',
          producerId: 5,
          producerEpoch: 1,
          verifyOnly: true,
          topics: [{ name: 't', partitions: [0] }],
        },
      ],
    },
  },
  {
    api: 'DescribeCluster',
    version: 1,
    side: 'response',
    bytes: '00000000 0000 00 01 02 63 00000001  02 00000001 02 68 00002384 00 00  80000000  00',
    value: {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      endpointType: 1,
      clusterId: 'c',
      controllerId: 1,
      brokers: [{ brokerId: 1, host: 'h', port: 9092, rack: null }],
      clusterAuthorizedOperations: -2147483648,
    },
  },
  {
    api: 'ListTransactions',
    version: 1,
    side: 'request',
    bytes: '02 08 4f6e676f696e67  01  00000000000003e8  00',
    value: { stateFilters: ['Ongoing'], producerIdFilters: [], durationFilter: 1000 },
  },
  {
    api: 'EndTxn',
    version: 5,
    side: 'response',
    bytes: '00000000 0000 0000000000000009 0003 00',
    value: { throttleTimeMs: 0, errorCode: 0, producerId: 9, producerEpoch: 3 },
  },
  {
    api: 'SaslAuthenticate',
    version: 2,
    side: 'response',
    bytes: '0000 00 03 6f6b 0000000000000000 00',
    value: { errorCode: 0, errorMessage: null, authBytes: Buffer.from('ok'), sessionLifetimeMs: 0 },
  },
  {
    api: 'DescribeLogDirs',
    version: 1,
    side: 'request',
    // a null array (every topic): int32 -1
    bytes: 'ffffffff',
    value: { topics: null },
  },
  {
    api: 'DescribeLogDirs',
    version: 1,
    side: 'request',
    bytes: '00000001  0001 74  00000002 00000000 00000001',
    value: { topics: [{ topic: 't', partitions: [0, 1] }] },
  },
  {
    api: 'DescribeLogDirs',
    version: 2,
    side: 'request',
    // a null compact array is length 0; then the empty tag section
    bytes: '00  00',
    value: { topics: null },
  },
  {
    api: 'DescribeLogDirs',
    version: 4,
    side: 'request',
    bytes: '02  02 74  02 00000000  00  00',
    value: { topics: [{ topic: 't', partitions: [0] }] },
  },
  {
    api: 'DescribeLogDirs',
    version: 1,
    side: 'response',
    // throttle; one dir "/d"; topic "t"; partition 0 of 100 bytes, lag 0, not a future log
    bytes:
      '00000000  00000001 0000 0002 2f64  00000001 0001 74  00000001 00000000 0000000000000064 0000000000000000 00',
    value: {
      throttleTimeMs: 0,
      results: [
        {
          errorCode: 0,
          logDir: '/d',
          topics: [
            { name: 't', partitions: [{ partitionIndex: 0, partitionSize: 100, offsetLag: 0, isFutureKey: false }] },
          ],
        },
      ],
    },
  },
  {
    api: 'DescribeLogDirs',
    version: 4,
    side: 'response',
    // throttle, error (v3+); the dir with its tag sections after each partition, topic and
    // result, and total / usable bytes (v4+) before the result's
    bytes:
      '00000000 0000  02 0000 03 2f64  02 02 74  02 00000000 0000000000000064 0000000000000000 00 00  00  00000000000003e8 00000000000001f4 00  00',
    value: {
      throttleTimeMs: 0,
      errorCode: 0,
      results: [
        {
          errorCode: 0,
          logDir: '/d',
          topics: [
            { name: 't', partitions: [{ partitionIndex: 0, partitionSize: 100, offsetLag: 0, isFutureKey: false }] },
          ],
          totalBytes: 1000,
          usableBytes: 500,
        },
      ],
    },
  },
  {
    api: 'SaslHandshake',
    version: 1,
    side: 'response',
    bytes: '0000 00000002 0005 504c41494e 000d 534352414d2d5348412d323536',
    value: { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] },
  },
];

describe('hand-written byte fixtures', () => {
  it.each(fixtures.map((f) => [`${f.api} v${f.version} ${f.side}`, f] as const))('%s', (_label, fx) => {
    const api = API[fx.api] as ApiMessage;
    const schema = (fx.side === 'request' ? api.request : api.response) as MessageSchema<unknown>;
    const bytes = hex(fx.bytes);
    const expected = shapeAt(schema, fx.version, fx.value);
    const decoded =
      fx.side === 'request' ? api.decodeRequest(fx.version, bytes) : api.decodeResponse(fx.version, bytes);
    expect(decoded).toEqual(expected);
    const encoded =
      fx.side === 'request' ? api.encodeRequest(fx.version, expected) : api.encodeResponse(fx.version, expected);
    expect(encoded.toString('hex')).toBe(bytes.toString('hex'));
  });
});
