/**
 * kafkajs-style transactions program: a transactional producer aborts one transaction and commits
 * another, then a read_committed consumer shows that only the committed records are visible.
 * `BROKER=host:port npx tsx examples/kafkajs-port/broker/transactions.ts`
 */
import { logLevel, Tributary } from 'tributary';

const topic = process.env.TOPIC ?? 'example-payments';
const kafka = new Tributary({ clientId: 'example-transactions', brokers: [process.env.BROKER ?? 'localhost:9092'], logLevel: logLevel.WARN });
const producer = kafka.producer({ transactionalId: 'example-payments-tx', idempotent: true, maxInFlightRequests: 1 });
const consumer = kafka.consumer({ groupId: 'example-payments-audit', readUncommitted: false });

const payments = (status: string) => Array.from({ length: 5 }, (_, i) => ({ key: `payment-${i}`, value: status }));

const run = async () => {
  await producer.connect();
  // The aborted transaction goes first: if its records leaked, they would be the first delivered.
  const aborted = await producer.transaction();
  await aborted.send({ topic, messages: payments('aborted') });
  await aborted.abort();

  const committed = await producer.transaction();
  await committed.send({ topic, messages: payments('committed') });
  await committed.commit();
  await producer.disconnect();

  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise<void>((done) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        values.push(String(message.value));
        if (values.length === 5) done();
      },
    });
  });
  await consumer.disconnect();
  console.log(`visible ${values.length} ${[...new Set(values)].join(',')}`);
};

run().catch((e) => {
  console.error(`[example/transactions] ${e.message}`, e);
  process.exit(1);
});
