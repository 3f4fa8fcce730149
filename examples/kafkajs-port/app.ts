/**
 * A producer plus a consumer group, written for kafkajs. app.ts runs it on Tributary, original.ts on
 * a Kafka broker; the two files differ in the import and the constructor only (see README.md).
 *
 * Run: npx tsx examples/kafkajs-port/app.ts (original.ts needs a broker at $KAFKA_BROKER)
 */
import { pathToFileURL } from 'node:url';
import { Tributary, logLevel } from 'tributary';

const kafka = new Tributary({ clientId: 'billing-app', dataDir: process.env.DATA_DIR ?? './.tributary-example', logLevel: logLevel.WARN });

export async function main(): Promise<Record<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  const topics = await admin.listTopics();
  if (!topics.includes('orders')) {
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 4 }] });
  }
  const run = Date.now().toString(36);

  const producer = kafka.producer();
  await producer.connect();
  const customers = ['ada', 'brian', 'cleo', 'dmitri', 'eve'];
  const orders = Array.from({ length: 100 }, (_, i) => ({
    key: customers[i % customers.length],
    value: JSON.stringify({ run, id: i, amount: (i % 7) + 1 }),
    headers: { source: 'example' },
  }));
  for (let i = 0; i < orders.length; i += 10) {
    await producer.send({ topic: 'orders', messages: orders.slice(i, i + 10) });
  }

  const totals: Record<string, number> = {};
  let received = 0;
  let allReceived: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allReceived = resolve;
  });
  const consumers = [kafka.consumer({ groupId: 'billing' }), kafka.consumer({ groupId: 'billing' })];
  for (const consumer of consumers) {
    await consumer.connect();
    await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const customer = message.key?.toString() ?? 'unknown';
        const order = JSON.parse(message.value?.toString() ?? '{}') as { run: string; amount: number };
        if (order.run !== run) return; // an earlier run's order
        totals[customer] = (totals[customer] ?? 0) + order.amount;
        received += 1;
        if (received === orders.length) allReceived();
      },
    });
  }
  await done;

  for (const consumer of consumers) await consumer.disconnect();
  await producer.disconnect();
  await admin.disconnect();
  return totals;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await main());
}
