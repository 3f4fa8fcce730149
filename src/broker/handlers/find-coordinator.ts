/**
 * FindCoordinator (key 10): this broker coordinates every group and every transactional id. v4+
 * asks for several keys at once.
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';

export const findCoordinatorHandler = handler(API.FindCoordinator, (broker, req, info) => {
  const { nodeId } = broker;
  const { host, port } = info.endpoint ?? broker.endpoint;
  return {
    throttleTimeMs: 0,
    errorCode: KafkaCode.NONE,
    errorMessage: null,
    nodeId,
    host,
    port,
    coordinators: req.coordinatorKeys.map((key) => ({
      key,
      nodeId,
      host,
      port,
      errorCode: KafkaCode.NONE,
      errorMessage: null,
    })),
  };
});
