/**
 * DescribeCluster (key 60): cluster id, controller and brokers (or controllers, endpoint type 2).
 * Versions 0-2, flexible in all; v2 (Kafka 4.0, KIP-1073) can list fenced brokers.
 *
 * ```
 * DescribeClusterRequest
 *   include_cluster_authorized_operations  bool
 *   endpoint_type                          int8 (default 1 = brokers)  v1+
 *   include_fenced_brokers                 bool                        v2+
 *
 * DescribeClusterResponse
 *   throttle_time_ms                       int32
 *   error_code                             int16
 *   error_message                          nullable string
 *   endpoint_type                          int8 (default 1)            v1+
 *   cluster_id                             string
 *   controller_id                          int32 (default -1)
 *   brokers                                [DescribeClusterBroker]
 *     broker_id                            int32
 *     host                                 string
 *     port                                 int32
 *     rack                                 nullable string
 *     is_fenced                            bool                        v2+
 *   cluster_authorized_operations          int32 (default INT32_MIN)
 * ```
 *
 * @example
 * describeCluster.encodeRequest(0, { includeClusterAuthorizedOperations: false, endpointType: 1 });
 */

import { api } from '../wire/api.ts';
import { f, type MessageOf, message } from '../wire/schema.ts';

export const DescribeClusterRequest = message({
  valid: '0-2',
  flexible: '0+',
  fields: [
    f.bool('includeClusterAuthorizedOperations', '0+'),
    f.int8('endpointType', '1+', { default: 1 }),
    f.bool('includeFencedBrokers', '2+'),
  ],
});
export type DescribeClusterRequest = MessageOf<typeof DescribeClusterRequest>;

export const DescribeClusterResponse = message({
  valid: '0-2',
  flexible: '0+',
  fields: [
    f.int32('throttleTimeMs', '0+'),
    f.int16('errorCode', '0+'),
    f.nstring('errorMessage', '0+', '0+'),
    f.int8('endpointType', '1+', { default: 1 }),
    f.string('clusterId', '0+'),
    f.int32('controllerId', '0+', { default: -1 }),
    f.array('brokers', '0+', [
      f.int32('brokerId', '0+'),
      f.string('host', '0+'),
      f.int32('port', '0+'),
      f.nstring('rack', '0+', '0+'),
      f.bool('isFenced', '2+'),
    ]),
    f.int32('clusterAuthorizedOperations', '0+', { default: -2147483648 }),
  ],
});
export type DescribeClusterResponse = MessageOf<typeof DescribeClusterResponse>;

/** DescribeCluster, key 60. */
export const describeCluster = api(60, 'DescribeCluster', DescribeClusterRequest, DescribeClusterResponse);
