import { describe, expect, it } from 'vitest';
import { TributaryError } from '../../../src/errors.ts';
import { ALL_APIS, API, apiByKey } from '../../../src/protocol/messages/index.ts';

// [key, name, min, max, first flexible] as Kafka 3.9's and 4.0.0's message specs define them
// (their union: the lows from 3.9, which still had every version from 0, the highs from 4.0).
const INF = Number.POSITIVE_INFINITY;
const expected: [number, string, number, number, number][] = [
  [0, 'Produce', 0, 12, 9],
  [1, 'Fetch', 0, 17, 12],
  [2, 'ListOffsets', 0, 10, 6],
  [3, 'Metadata', 0, 13, 9],
  [8, 'OffsetCommit', 0, 9, 8],
  [9, 'OffsetFetch', 0, 9, 6],
  [10, 'FindCoordinator', 0, 6, 3],
  [11, 'JoinGroup', 0, 9, 6],
  [12, 'Heartbeat', 0, 4, 4],
  [13, 'LeaveGroup', 0, 5, 4],
  [14, 'SyncGroup', 0, 5, 4],
  [15, 'DescribeGroups', 0, 6, 5],
  [16, 'ListGroups', 0, 5, 3],
  [17, 'SaslHandshake', 0, 1, INF],
  [18, 'ApiVersions', 0, 4, 3],
  [19, 'CreateTopics', 0, 7, 5],
  [20, 'DeleteTopics', 0, 6, 4],
  [21, 'DeleteRecords', 0, 2, 2],
  [22, 'InitProducerId', 0, 5, 2],
  [24, 'AddPartitionsToTxn', 0, 5, 3],
  [25, 'AddOffsetsToTxn', 0, 4, 3],
  [26, 'EndTxn', 0, 5, 3],
  [28, 'TxnOffsetCommit', 0, 5, 3],
  [29, 'DescribeAcls', 0, 3, 2],
  [30, 'CreateAcls', 0, 3, 2],
  [31, 'DeleteAcls', 0, 3, 2],
  [32, 'DescribeConfigs', 0, 4, 4],
  [33, 'AlterConfigs', 0, 2, 2],
  [35, 'DescribeLogDirs', 0, 4, 2],
  [36, 'SaslAuthenticate', 0, 2, 2],
  [37, 'CreatePartitions', 0, 3, 2],
  [42, 'DeleteGroups', 0, 2, 2],
  [44, 'IncrementalAlterConfigs', 0, 1, 1],
  [47, 'OffsetDelete', 0, 0, INF],
  [50, 'DescribeUserScramCredentials', 0, 0, 0],
  [51, 'AlterUserScramCredentials', 0, 0, 0],
  [60, 'DescribeCluster', 0, 2, 0],
  [61, 'DescribeProducers', 0, 0, 0],
  [65, 'DescribeTransactions', 0, 0, 0],
  [66, 'ListTransactions', 0, 1, 0],
];

describe('API version ranges', () => {
  it.each(expected)('key %i is %s v%i-%i, flexible from %s', (key, name, min, max, flex) => {
    const api = apiByKey(key);
    expect(api?.name).toBe(name);
    expect([api!.minVersion, api!.maxVersion, api!.flexibleFrom]).toEqual([min, max, flex]);
    expect((API as Record<string, unknown>)[name]).toBe(api);
    for (const schema of [api!.request, api!.response]) {
      expect([schema.valid.lo, schema.valid.hi, schema.flexible.lo]).toEqual([min, max, flex === INF ? 1 : flex]);
      for (let v = min; v <= max; v++) expect(schema.isFlexible(v)).toBe(v >= flex);
    }
  });

  it('should list every API in the table above, and no other', () => {
    expect(ALL_APIS.map((a) => a.apiKey).sort((a, b) => a - b)).toEqual(expected.map((e) => e[0]));
  });

  it('should refuse a version outside the range with INVALID_REQUEST', () => {
    for (const api of ALL_APIS) {
      for (const v of [api.minVersion - 1, api.maxVersion + 1, 1.5]) {
        const err = (() => {
          try {
            api.decodeRequest(v, Buffer.alloc(64));
          } catch (e) {
            return e;
          }
        })();
        expect(err).toBeInstanceOf(TributaryError);
        expect((err as TributaryError).code).toBe('INVALID_REQUEST');
      }
    }
  });

  it('should know no codec for a key it has none for', () => {
    expect(apiByKey(-1)).toBeUndefined();
    expect(apiByKey(4)).toBeUndefined(); // LeaderAndIsr: broker-to-broker
    expect(apiByKey(9999)).toBeUndefined();
  });
});
