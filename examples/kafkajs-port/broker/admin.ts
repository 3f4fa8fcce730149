/**
 * kafkajs-style admin program against a Kafka broker (`trib serve`): creates the example topic and
 * prints what the cluster says about it. `BROKER=host:port npx tsx examples/kafkajs-port/broker/admin.ts`
 */
import { logLevel, Tributary } from 'tributary';

const topic = process.env.TOPIC ?? 'example-events';
const kafka = new Tributary({ clientId: 'example-admin', brokers: [process.env.BROKER ?? 'localhost:9092'], logLevel: logLevel.WARN });
const admin = kafka.admin();

const run = async () => {
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const { brokers } = await admin.describeCluster();
  const topics = await admin.listTopics();
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  console.log(
    JSON.stringify({ created, brokers: brokers.length, listed: topics.includes(topic), partitions: metadata.topics[0]?.partitions.length }),
  );
  await admin.disconnect();
};

run().catch((e) => {
  console.error(`[example/admin] ${e.message}`, e);
  process.exit(1);
});
