/**
 * ApiVersions (key 18): the versions of every API this broker serves, each from 0 (librdkafka
 * enables features only when the broker's range includes old versions; see KAFKA-PROTOCOL.md §3.1).
 * A version above ours is answered by the connection with the v0 body (KIP-511), not here. From v3
 * the client names its software; a name or version outside Kafka's pattern gets INVALID_REQUEST.
 */
import { API } from '../../protocol/messages/index.ts';
import { KafkaCode } from '../errors.ts';
import { handler } from '../handler.ts';

const SOFTWARE = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const apiVersionsHandler = handler(API.ApiVersions, (broker, req, info) => {
  const valid =
    info.apiVersion < 3 || (SOFTWARE.test(req.clientSoftwareName) && SOFTWARE.test(req.clientSoftwareVersion));
  return {
    errorCode: valid ? KafkaCode.NONE : KafkaCode.INVALID_REQUEST,
    apiKeys: valid ? broker.advertised.map((a) => ({ ...a })) : [],
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };
});
