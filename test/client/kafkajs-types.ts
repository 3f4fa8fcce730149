/**
 * kafkajs's own type test (`types/tests.ts` in tulios/kafkajs) ported: a program that is never run,
 * only type-checked by `npx tsc --noEmit` (test/ is in tsconfig's include). It uses the same API
 * surface as kafkajs's file; the import and the constructor are what a kafkajs user changes.
 */
import * as fs from 'node:fs';

import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  CompressionCodecs,
  CompressionTypes,
  ConfigResourceTypes,
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSOffsetOutOfRange,
  KafkaJSRequestTimeoutError,
  KafkaJSServerDoesNotSupportApiKey,
  KafkaJSStaleTopicMetadataAssignment,
  KafkaJSTopicMetadataNotLoaded,
  type KafkaJSCodecFactory,
  type LogEntry,
  logLevel,
  PartitionAssigners,
  type PartitionMetadata,
  ResourcePatternTypes,
  Tributary,
} from '../../src/index.ts';

const { roundRobin } = PartitionAssigners;

const brokerHost = 'localhost';
const topicName = 'typed-topic';

const tributary = new Tributary({
  logLevel: logLevel.INFO,
  brokers: [`${brokerHost}:9094`, `${brokerHost}:9097`, `${brokerHost}:9100`],
  clientId: 'types-consumer',
  ssl: { rejectUnauthorized: false, ca: [fs.readFileSync('./certs/ca.pem', 'utf-8')] },
  sasl: { mechanism: 'plain', username: 'user', password: 'secret' },
  logCreator: (_level: logLevel) => (entry: LogEntry) => {
    Date.parse(entry.log.timestamp);
  },
});

tributary.logger().error('Tributary created');

// Consumer
async function consumerSurface(): Promise<void> {
  const consumer = tributary.consumer({ groupId: 'typed-group' });
  consumer.logger().info('consumer logger', { groupId: 'typed-group' });
  const stopListening = consumer.on(consumer.events.HEARTBEAT, (event) => console.log(`heartbeat ${event.timestamp}`));
  stopListening();

  await consumer.connect();
  await consumer.subscribe({ topics: [topicName] });
  await consumer.run({
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      commitOffsetsIfNecessary,
      uncommittedOffsets,
      isRunning,
      isStale,
    }) => {
      resolveOffset('42');
      await heartbeat();
      await commitOffsetsIfNecessary({
        topics: [{ topic: 'other-topic', partitions: [{ partition: 0, offset: '100' }] }],
      });
      uncommittedOffsets();
      const running: boolean = isRunning();
      const stale: boolean = isStale();
      console.log(batch.topic, batch.offsetLagLow(), running, stale);
    },
    eachMessage: async ({ topic, partition, message }) => {
      console.log(`${topic}[${partition}|${message.offset}] ${message.timestamp} ${message.key}=${message.value}`);
    },
  });

  consumer.pause([{ topic: 'a' }]);
  consumer.pause([{ topic: 'b', partitions: [0, 3] }]);
  consumer.resume([{ topic: 'a' }]);
  consumer.resume([{ topic: 'b', partitions: [3] }]);
  const paused = consumer.paused();
  const firstPaused = paused[0];
  console.log(paused.length, firstPaused?.topic, firstPaused?.partitions);

  await consumer.commitOffsets([{ topic: 'other-topic', partition: 0, offset: '100' }]);
  await consumer.commitOffsets([{ topic: 'other-topic', partition: 0, offset: '101', metadata: null }]);
  await consumer.commitOffsets([{ topic: 'other-topic', partition: 0, offset: '102', metadata: 'note' }]);
  await consumer.disconnect();
}

// Producer
async function producerSurface(): Promise<void> {
  const producer = tributary.producer({ allowAutoTopicCreation: true });
  producer.logger().debug('producer logger');
  const stopListening = producer.on(producer.events.CONNECT, (event) => console.log(`connected ${event.timestamp}`));
  stopListening();

  const record = (n: number) => ({
    key: Buffer.from(`k${n}`),
    value: Buffer.from(`v${n} ${new Date().toISOString()}`),
  });
  await producer.connect();
  const metadata = await producer.send({
    topic: topicName,
    compression: CompressionTypes.GZIP,
    messages: Array.from({ length: 10 }, (_, n) => record(n)),
  });
  console.log(metadata[0]?.baseOffset);
  await producer.send({
    topic: 'other-topic',
    compression: CompressionTypes.GZIP,
    messages: [{ key: Buffer.from('k'), value: Buffer.from('hi') }],
  });
  await producer.disconnect();
}

// Admin
async function adminSurface(): Promise<void> {
  const admin = tributary.admin({ retry: { retries: 10 } });
  admin.logger().warn('admin logger');
  const stopListening = admin.on(admin.events.CONNECT, (event) => console.log(`admin connected ${event.timestamp}`));
  stopListening();

  await admin.connect();
  const { controller, brokers, clusterId } = await admin.describeCluster();
  admin.logger().debug('cluster', {
    controller,
    clusterId,
    brokers: brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
  });

  const { topics } = await admin.fetchTopicMetadata({ topics: [topicName] });
  for (const t of topics) console.log(t.name, t.partitions);
  await admin.listTopics();
  await admin.fetchOffsets({ groupId: 'typed-group' });
  await admin.fetchOffsets({ groupId: 'typed-group', topics: ['a', 'b'] });
  await admin.createTopics({
    topics: [{ topic: topicName, numPartitions: 10, replicationFactor: 1 }],
    timeout: 30_000,
    waitForLeaders: true,
  });
  await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topicName }],
  });

  const described = await admin.describeAcls({
    resourceType: AclResourceTypes.TOPIC,
    resourceName: topicName,
    resourcePatternType: ResourcePatternTypes.LITERAL,
    host: '*',
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ALLOW,
  });
  admin.logger().debug('acls', {
    resources: described.resources.map((r) => ({
      type: r.resourceType,
      name: r.resourceName,
      pattern: r.resourcePatternType,
      acls: r.acls,
    })),
  });

  const created: boolean = await admin.createAcls({
    acl: [
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: topicName,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: 'User:alice',
        host: '*',
        operation: AclOperationTypes.ALL,
        permissionType: AclPermissionTypes.DENY,
      },
    ],
  });
  console.log(created);

  const deleted = await admin.deleteAcls({
    filters: [
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: topicName,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        host: '*',
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ALLOW,
      },
    ],
  });
  for (const response of deleted.filterResponses) {
    console.log(response.errorCode, response.errorMessage);
    for (const m of response.matchingAcls) {
      console.log(
        m.errorCode,
        m.errorMessage,
        m.resourceType,
        m.resourceName,
        m.resourcePatternType,
        m.principal,
        m.host,
        m.operation,
        m.permissionType,
      );
    }
  }

  const { groups } = await admin.listGroups();
  const description = await admin.describeGroups(groups.map(({ groupId }) => groupId));
  await admin.deleteGroups(description.groups.map(({ groupId }) => groupId));
  await admin.disconnect();
}

// Others: codec registration, assigners, error classes
const snappyLikeCodec: KafkaJSCodecFactory = () => ({
  compress: async ({ buffer }) => buffer,
  decompress: async (buffer) => buffer,
});
CompressionCodecs[CompressionTypes.Snappy] = snappyLikeCodec;

tributary.consumer({ groupId: 'assigned', partitionAssigners: [roundRobin] });

const errors = [
  new KafkaJSError('partition metadata is invalid', { retriable: true }),
  new KafkaJSError('rebalancing'),
  new KafkaJSError(new Error('boom'), { retriable: true }),
  new KafkaJSOffsetOutOfRange(new Error(), { topic: topicName, partition: 0 }),
  new KafkaJSNumberOfRetriesExceeded(new Error(), { retryCount: 0, retryTime: 0 }),
  new KafkaJSConnectionError('Connection error: ECONNREFUSED', { broker: `${brokerHost}:9094`, code: 'ECONNREFUSED' }),
  new KafkaJSConnectionError('Connection error: ECONNREFUSED', { code: 'ECONNREFUSED' }),
  new KafkaJSRequestTimeoutError('request timed out', {
    broker: `${brokerHost}:9094`,
    clientId: 'types-consumer',
    correlationId: 0,
    createdAt: 0,
    sentAt: 0,
    pendingDuration: 0,
  }),
  new KafkaJSTopicMetadataNotLoaded('metadata not loaded', { topic: topicName }),
];
const stalePartition: PartitionMetadata = { partitionErrorCode: 0, partitionId: 0, leader: 2, replicas: [2], isr: [2] };
errors.push(
  new KafkaJSStaleTopicMetadataAssignment('topic changed', { topic: topicName, unknownPartitions: [stalePartition] }),
);
errors.push(new KafkaJSServerDoesNotSupportApiKey('api not supported', { apiKey: 0, apiName: 'Produce' }));

export const surfaces = { consumerSurface, producerSurface, adminSurface, errors };
