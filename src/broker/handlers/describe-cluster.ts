/** DescribeCluster (key 60): the cluster id and this one broker, its own controller. */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';

export const describeClusterHandler = handler(API.DescribeCluster, (broker, req, info) => ({
  throttleTimeMs: 0,
  errorCode: KafkaCode.NONE,
  errorMessage: null,
  endpointType: req.endpointType,
  clusterId: broker.clusterId,
  controllerId: broker.nodeId,
  brokers: [
    {
      brokerId: broker.nodeId,
      host: (info.endpoint ?? broker.endpoint).host,
      port: (info.endpoint ?? broker.endpoint).port,
      rack: null,
      isFenced: false,
    },
  ],
  clusterAuthorizedOperations: -2147483648,
}));
